#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include <quickstock/data/panel.hpp>
#include <quickstock/error.hpp>

namespace quickstock {
namespace {

std::string format_value(double v) {
  std::ostringstream os;
  os.precision(17);
  os << v;
  return os.str();
}

std::string format_ds(const Frequency& f, std::int64_t t) {
  return f.unit() == Frequency::Unit::integer ? std::to_string(t) : format_timestamp(t);
}

}  // namespace

Panel Panel::from_long(const LongInput& in, const Frequency& freq, const PanelOptions& options) {
  const std::size_t n_rows = in.n_rows;
  const std::size_t n_ids = in.ids.size();
  const std::size_t k = in.covariate_names.size();
  if (n_rows == 0) {
    detail::raise_argument("df",
                           "the frame is empty: it needs at least one row of unique_id, ds, y");
  }
  if (in.codes == nullptr || in.ds == nullptr || in.y == nullptr ||
      (k > 0 && in.covariates == nullptr)) {
    detail::raise_argument("df", "missing column data (null pointer in LongInput)");
  }
  // Counting sort by series code (stable: ties keep input order).
  std::vector<std::int64_t> counts(n_ids + 1, 0);
  for (std::size_t r = 0; r < n_rows; ++r) {
    const std::int64_t c = in.codes[r];
    if (c < 0 || static_cast<std::size_t>(c) >= n_ids) {
      detail::raise_invalid(
          "series code " + std::to_string(c) + " is outside [0, " + std::to_string(n_ids) + ")", {},
          static_cast<std::int64_t>(r), "unique_id");
    }
    ++counts[static_cast<std::size_t>(c) + 1];
  }
  Panel p;
  p.ids_ = in.ids;
  p.covariate_names_ = in.covariate_names;
  p.offsets_.assign(n_ids + 1, 0);
  std::partial_sum(counts.begin(), counts.end(), p.offsets_.begin());
  for (std::size_t i = 0; i < n_ids; ++i) {
    if (p.offsets_[i + 1] == p.offsets_[i]) {
      detail::raise_invalid("series has no rows", in.ids[i], std::nullopt, "unique_id");
    }
  }
  std::vector<std::int64_t> order(n_rows);
  {
    std::vector<std::int64_t> next(p.offsets_.begin(), p.offsets_.end() - 1);
    for (std::size_t r = 0; r < n_rows; ++r) {
      order[static_cast<std::size_t>(next[static_cast<std::size_t>(in.codes[r])]++)] =
          static_cast<std::int64_t>(r);
    }
  }
  // The grid is anchored at the earliest timestamp of the frame, so ordinals are shared by all
  // series.
  const auto first_row = static_cast<std::size_t>(std::min_element(in.ds, in.ds + n_rows) - in.ds);
  try {
    p.freq_ = freq.anchored_at(in.ds[first_row]);
  } catch (const invalid_input& e) {  // e.g. a Monday on W-SUN: name where it was found
    detail::raise_invalid(e.reason(), in.ids[static_cast<std::size_t>(in.codes[first_row])],
                          static_cast<std::int64_t>(first_row), "ds");
  }

  p.values_.resize(n_rows);
  p.source_rows_.resize(n_rows);
  p.starts_.resize(n_ids);
  p.covariates_.resize(n_rows * k);
  for (std::size_t i = 0; i < n_ids; ++i) {
    const auto lo = static_cast<std::size_t>(p.offsets_[i]);
    const auto hi = static_cast<std::size_t>(p.offsets_[i + 1]);
    std::stable_sort(
        order.begin() + static_cast<std::ptrdiff_t>(lo),
        order.begin() + static_cast<std::ptrdiff_t>(hi), [&](std::int64_t a, std::int64_t b) {
          return in.ds[static_cast<std::size_t>(a)] < in.ds[static_cast<std::size_t>(b)];
        });
    const std::string& id = in.ids[i];
    std::int64_t prev_ord = 0;
    for (std::size_t j = lo; j < hi; ++j) {
      const auto r = static_cast<std::size_t>(order[j]);
      const auto row = static_cast<std::int64_t>(r);
      const std::int64_t ord = p.freq_.ordinal(in.ds[r], id, row);
      if (j == lo) {
        p.starts_[i] = ord;
      } else if (ord == prev_ord) {
        detail::raise_invalid("duplicate (unique_id, ds): ds " + format_ds(p.freq_, in.ds[r]) +
                                  " also appears in row " + std::to_string(order[j - 1]),
                              id, row, "ds");
      } else if (ord != prev_ord + 1) {
        const auto prev_row = static_cast<std::size_t>(order[j - 1]);
        detail::raise_invalid(
            "irregular spacing: ds jumps from " + format_ds(p.freq_, in.ds[prev_row]) + " (row " +
                std::to_string(prev_row) + ") to " + format_ds(p.freq_, in.ds[r]) + ", " +
                std::to_string(ord - prev_ord - 1) + " period(s) of freq '" + p.freq_.alias() +
                "' missing; add the missing rows (e.g. y = 0 for periods without sales)",
            id, row, "ds");
      }
      prev_ord = ord;
      const double v = in.y[r];
      if (!std::isfinite(v)) {
        detail::raise_invalid("demand must be finite (got " + format_value(v) + ")", id, row, "y");
      }
      if (!options.allow_negative && v < 0.0) {
        detail::raise_invalid("demand must be >= 0 (got " + format_value(v) + ")", id, row, "y");
      }
      p.values_[j] = v;
      p.source_rows_[j] = row;
      for (std::size_t c = 0; c < k; ++c) {
        const double x = in.covariates[r * k + c];
        if (!std::isfinite(x)) {
          detail::raise_invalid("covariate must be finite (got " + format_value(x) + ")", id, row,
                                in.covariate_names[c]);
        }
        p.covariates_[j * k + c] = x;
      }
    }
  }
  return p;
}

Panel Panel::from_long(const std::vector<std::string>& unique_id,
                       const std::vector<std::int64_t>& ds,
                       const std::vector<double>& y,
                       const Frequency& freq,
                       const PanelOptions& options) {
  if (unique_id.size() != ds.size() || unique_id.size() != y.size()) {
    detail::raise_argument("df", "unique_id, ds and y must have the same length (got " +
                                     std::to_string(unique_id.size()) + ", " +
                                     std::to_string(ds.size()) + ", " + std::to_string(y.size()) +
                                     ")");
  }
  LongInput in;
  in.ids = unique_id;
  std::sort(in.ids.begin(), in.ids.end());
  in.ids.erase(std::unique(in.ids.begin(), in.ids.end()), in.ids.end());
  std::vector<std::int64_t> codes(unique_id.size());
  for (std::size_t r = 0; r < unique_id.size(); ++r) {
    codes[r] = std::lower_bound(in.ids.begin(), in.ids.end(), unique_id[r]) - in.ids.begin();
  }
  in.codes = codes.data();
  in.ds = ds.data();
  in.y = y.data();
  in.n_rows = y.size();
  return from_long(in, freq, options);
}

SeriesView Panel::series(std::size_t i) const {
  const auto lo = offsets_[i];
  const auto n = offsets_[i + 1] - lo;
  const auto k = static_cast<Eigen::Index>(covariate_names_.size());
  const double* x = covariates_.empty() ? nullptr : covariates_.data() + lo * k;
  return SeriesView{Eigen::Map<const Eigen::VectorXd>(values_.data() + lo, n),
                    Eigen::Map<const RowMatrixXd>(x, n, k), starts_[i], ids_[i]};
}

std::size_t Panel::find(const std::string& id) const {
  const auto it = std::find(ids_.begin(), ids_.end(), id);
  return static_cast<std::size_t>(it - ids_.begin());
}

Panel Panel::drop_last(const std::vector<std::int64_t>& k, std::int64_t min_keep) const {
  if (k.size() != n_series()) {
    detail::raise_argument("k", "drop_last needs one count per series (got " +
                                    std::to_string(k.size()) + " for " +
                                    std::to_string(n_series()) + " series)");
  }
  Panel p;
  p.ids_ = ids_;
  p.covariate_names_ = covariate_names_;
  p.freq_ = freq_;
  p.starts_ = starts_;
  p.offsets_.assign(n_series() + 1, 0);
  const std::size_t nc = covariate_names_.size();
  for (std::size_t i = 0; i < n_series(); ++i) {
    const std::int64_t keep = length(i) - k[i];
    if (k[i] < 0 || keep < min_keep) {
      detail::raise_invalid("series has " + std::to_string(length(i)) +
                                " observations; holding out " + std::to_string(k[i]) +
                                " would leave " + std::to_string(keep) + " (need at least " +
                                std::to_string(min_keep) + ")",
                            ids_[i], std::nullopt, "y");
    }
    p.offsets_[i + 1] = p.offsets_[i] + keep;
  }
  const auto total = static_cast<std::size_t>(p.offsets_.back());
  p.values_.resize(total);
  p.source_rows_.resize(total);
  p.covariates_.resize(total * nc);
  for (std::size_t i = 0; i < n_series(); ++i) {
    const auto src = static_cast<std::size_t>(offsets_[i]);
    const auto dst = static_cast<std::size_t>(p.offsets_[i]);
    const auto n = static_cast<std::size_t>(p.offsets_[i + 1] - p.offsets_[i]);
    std::copy_n(values_.begin() + static_cast<std::ptrdiff_t>(src), n,
                p.values_.begin() + static_cast<std::ptrdiff_t>(dst));
    std::copy_n(source_rows_.begin() + static_cast<std::ptrdiff_t>(src), n,
                p.source_rows_.begin() + static_cast<std::ptrdiff_t>(dst));
    std::copy_n(covariates_.begin() + static_cast<std::ptrdiff_t>(src * nc), n * nc,
                p.covariates_.begin() + static_cast<std::ptrdiff_t>(dst * nc));
  }
  return p;
}

bool operator==(const Panel& a, const Panel& b) noexcept {
  return a.ids_ == b.ids_ && a.offsets_ == b.offsets_ && a.values_ == b.values_ &&
         a.starts_ == b.starts_ && a.covariates_ == b.covariates_ &&
         a.covariate_names_ == b.covariate_names_ && a.freq_ == b.freq_;
}

}  // namespace quickstock
