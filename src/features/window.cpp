#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include <quickstock/core/parallel.hpp>
#include <quickstock/error.hpp>
#include <quickstock/features/window.hpp>

namespace quickstock {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// ---------------------------------------------------------------------------------------------
// Accumulators. Each sees the values of one strided sequence entering (`add`) and leaving
// (`remove`) the window, NaNs included (they are ignored but keep their slot), and reports the
// statistic of the valid values currently inside.

/// Mean: compensated (Kahan) running sum. A window of identical values gives that value exactly
/// and a window of one sign never gets the other sign from rounding.
class MeanAcc {
 public:
  void add(std::int64_t /*j*/, double v) noexcept {
    if (std::isnan(v)) return;
    ++nobs_;
    sum_add(v);
    if (std::signbit(v)) ++neg_;
    run_ = (nobs_ > 1 && v == prev_) ? run_ + 1 : 1;
    prev_ = v;
  }
  void remove(std::int64_t /*j*/, double v) noexcept {
    if (std::isnan(v)) return;
    --nobs_;
    if (std::signbit(v)) --neg_;
    if (nobs_ == 0) {
      sum_ = comp_ = 0.0;
      return;
    }
    sum_add(-v);
  }
  /// `remove(j_old, old)` then `add(j, v)`, with one compensated update when both are valid.
  void replace(std::int64_t j_old, double old, std::int64_t j, double v) noexcept {
    if (std::isnan(old) || std::isnan(v)) {
      remove(j_old, old);
      add(j, v);
      return;
    }
    neg_ += (std::signbit(v) ? 1 : 0) - (std::signbit(old) ? 1 : 0);
    sum_add(v - old);
    run_ = v == prev_ ? run_ + 1 : 1;
    prev_ = v;
  }
  [[nodiscard]] double value(std::int64_t min_periods) const noexcept {
    if (nobs_ == 0 || nobs_ < min_periods) return nan;
    if (run_ >= nobs_) return prev_;
    const double m = sum_ / static_cast<double>(nobs_);
    if (neg_ == 0 && m < 0.0) return 0.0;
    if (neg_ == nobs_ && m > 0.0) return 0.0;
    return m;
  }

 private:
  void sum_add(double v) noexcept {
    const double y = v - comp_;
    const double t = sum_ + y;
    comp_ = (t - sum_) - y;
    sum_ = t;
  }
  std::int64_t nobs_ = 0;
  std::int64_t neg_ = 0;
  std::int64_t run_ = 0;  // trailing valid values equal to prev_
  double prev_ = 0.0;
  double sum_ = 0.0;
  double comp_ = 0.0;
};

/// Standard deviation (ddof = 1): Welford add/remove of the mean and the sum of squared
/// deviations. When a removal leaves the sum of squares tiny next to the squared mean (where
/// the update cancels), it is recomputed exactly from the window by the caller (`refresh`).
class StdAcc {
 public:
  void add(std::int64_t /*j*/, double v) noexcept {
    if (std::isnan(v)) return;
    ++nobs_;
    const double delta = v - mean_;
    mean_ += delta / static_cast<double>(nobs_);
    ssq_ += delta * (v - mean_);
    run_ = (nobs_ > 1 && v == prev_) ? run_ + 1 : 1;
    prev_ = v;
  }
  void remove(std::int64_t /*j*/, double v) noexcept {
    if (std::isnan(v)) return;
    --nobs_;
    if (nobs_ == 0) {
      mean_ = ssq_ = 0.0;
      return;
    }
    const double delta = v - mean_;
    mean_ -= delta / static_cast<double>(nobs_);
    ssq_ -= delta * (v - mean_);
    ++removed_;
  }
  /// True when the running sums should be rebuilt from the window's values.
  [[nodiscard]] bool stale() const noexcept {
    if (removed_ == 0 || nobs_ < 2) return false;
    // Relative rounding of the updates is ~1e-16 of mean² per step; rebuild when the sum of
    // squares is not comfortably above that, or periodically to bound the drift.
    return ssq_ <= 1e-6 * mean_ * mean_ * static_cast<double>(nobs_) || removed_ >= 4096;
  }
  /// Rebuilds the sums exactly (two passes) from `y[lo*stride .. hi*stride)`.
  void refresh(const double* y, std::int64_t lo, std::int64_t hi, std::int64_t stride) noexcept {
    double s = 0.0;
    std::int64_t n = 0;
    for (std::int64_t j = lo; j < hi; ++j) {
      const double v = y[j * stride];
      if (!std::isnan(v)) {
        s += v;
        ++n;
      }
    }
    if (n == 0) return;
    const double m = s / static_cast<double>(n);
    double c = 0.0;
    double q = 0.0;
    for (std::int64_t j = lo; j < hi; ++j) {
      const double v = y[j * stride];
      if (!std::isnan(v)) {
        c += v - m;
        q += (v - m) * (v - m);
      }
    }
    mean_ = m + c / static_cast<double>(n);
    ssq_ = q - c * c / static_cast<double>(n);
    removed_ = 0;
  }
  [[nodiscard]] double value(std::int64_t min_periods) const noexcept {
    if (nobs_ < 2 || nobs_ < min_periods) return nan;
    if (run_ >= nobs_) return 0.0;
    const double var = ssq_ / static_cast<double>(nobs_ - 1);
    return var <= 0.0 ? 0.0 : std::sqrt(var);
  }

 private:
  std::int64_t nobs_ = 0;
  std::int64_t run_ = 0;
  std::int64_t removed_ = 0;
  double prev_ = 0.0;
  double mean_ = 0.0;
  double ssq_ = 0.0;
};

/// Min or max: a monotonic deque of (position, value) of valid values, in scratch memory sized
/// for the series (each position is pushed at most once).
template <bool IsMax>
class ExtremumAcc {
 public:
  ExtremumAcc(std::vector<std::int64_t>& pos, std::vector<double>& val, std::int64_t n)
      : pos_(pos), val_(val) {
    const auto size = static_cast<std::size_t>(n);
    if (pos_.size() < size) pos_.resize(size);
    if (val_.size() < size) val_.resize(size);
  }
  void add(std::int64_t j, double v) noexcept {
    if (std::isnan(v)) return;
    ++nobs_;
    while (tail_ > head_ && dominated(val_[idx(tail_ - 1)], v)) --tail_;
    pos_[idx(tail_)] = j;
    val_[idx(tail_)] = v;
    ++tail_;
  }
  void remove(std::int64_t j, double v) noexcept {
    if (std::isnan(v)) return;
    --nobs_;
    if (tail_ > head_ && pos_[idx(head_)] == j) ++head_;
  }
  [[nodiscard]] double value(std::int64_t min_periods) const noexcept {
    if (nobs_ == 0 || nobs_ < min_periods) return nan;
    return val_[idx(head_)];
  }

 private:
  static bool dominated(double old, double v) noexcept { return IsMax ? old <= v : old >= v; }
  static std::size_t idx(std::int64_t k) noexcept { return static_cast<std::size_t>(k); }
  std::vector<std::int64_t>& pos_;
  std::vector<double>& val_;
  std::int64_t head_ = 0;
  std::int64_t tail_ = 0;
  std::int64_t nobs_ = 0;
};

/// Quantile with linear interpolation (pandas `interpolation='linear'`): the valid values of the
/// window kept sorted in scratch memory.
class QuantileAcc {
 public:
  QuantileAcc(std::vector<double>& sorted, double q) : sorted_(sorted), q_(q) { sorted_.clear(); }
  void add(std::int64_t /*j*/, double v) {
    if (std::isnan(v)) return;
    sorted_.insert(std::upper_bound(sorted_.begin(), sorted_.end(), v), v);
  }
  void remove(std::int64_t /*j*/, double v) {
    if (std::isnan(v)) return;
    sorted_.erase(std::lower_bound(sorted_.begin(), sorted_.end(), v));
  }
  [[nodiscard]] double value(std::int64_t min_periods) const noexcept {
    const auto nobs = static_cast<std::int64_t>(sorted_.size());
    if (nobs == 0 || nobs < min_periods) return nan;
    const double h = q_ * static_cast<double>(nobs - 1);
    const auto lo = static_cast<std::int64_t>(h);  // h >= 0: truncation is floor
    const double vlo = sorted_[static_cast<std::size_t>(lo)];
    if (static_cast<double>(lo) == h) return vlo;
    const double vhi = sorted_[static_cast<std::size_t>(lo + 1)];
    return vlo + (vhi - vlo) * (h - static_cast<double>(lo));
  }

 private:
  std::vector<double>& sorted_;
  double q_;
};

/// Runs `acc` over the strided sequence `y[0], y[stride], …` (n values) with a window of `window`
/// positions, writing the statistic to `out` at the same strides.
template <class Acc>
void slide(Acc& acc,
           const double* y,
           std::int64_t n,
           std::int64_t stride,
           std::int64_t window,
           std::int64_t min_periods,
           double* out) {
  for (std::int64_t j = 0; j < n; ++j) {
    if constexpr (std::is_same_v<Acc, MeanAcc>) {
      if (j >= window) {
        acc.replace(j - window, y[(j - window) * stride], j, y[j * stride]);
      } else {
        acc.add(j, y[j * stride]);
      }
    } else {
      if (j >= window) acc.remove(j - window, y[(j - window) * stride]);
      acc.add(j, y[j * stride]);
    }
    if constexpr (std::is_same_v<Acc, StdAcc>) {
      if (acc.stale()) acc.refresh(y, std::max<std::int64_t>(0, j + 1 - window), j + 1, stride);
    }
    out[j * stride] = acc.value(min_periods);
  }
}

/// Scratch memory reused across the series one thread computes.
struct Scratch {
  std::vector<std::int64_t> pos;
  std::vector<double> val;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

/// One strided sequence, any statistic.
void window_stat(const double* y,
                 std::int64_t n,
                 std::int64_t stride,
                 std::int64_t window,
                 const WindowOptions& o,
                 double* out) {
  if (n <= 0) return;
  switch (o.stat) {
    case WindowStat::mean: {
      MeanAcc acc;
      slide(acc, y, n, stride, window, o.min_periods, out);
      break;
    }
    case WindowStat::std: {
      StdAcc acc;
      slide(acc, y, n, stride, window, o.min_periods, out);
      break;
    }
    case WindowStat::min: {
      ExtremumAcc<false> acc(scratch().pos, scratch().val, n);
      slide(acc, y, n, stride, window, o.min_periods, out);
      break;
    }
    case WindowStat::max: {
      ExtremumAcc<true> acc(scratch().pos, scratch().val, n);
      slide(acc, y, n, stride, window, o.min_periods, out);
      break;
    }
    case WindowStat::quantile: {
      auto& sorted = scratch().val;
      sorted.reserve(static_cast<std::size_t>(std::min(n, window)));
      QuantileAcc acc(sorted, o.q);
      slide(acc, y, n, stride, window, o.min_periods, out);
      break;
    }
  }
}

void check_column(const RaggedColumn& in) {
  if (in.n_series == 0) return;
  if (in.offsets == nullptr) detail::raise_argument("offsets", "offsets must not be null");
  if (in.offsets[0] != 0) {
    detail::raise_argument("offsets",
                           "offsets must start at 0 (got " + std::to_string(in.offsets[0]) + ")");
  }
  for (std::size_t i = 0; i < in.n_series; ++i) {
    if (in.offsets[i + 1] < in.offsets[i]) {
      detail::raise_argument("offsets", "offsets must be non-decreasing (offsets[" +
                                            std::to_string(i + 1) + "] < offsets[" +
                                            std::to_string(i) + "])");
    }
  }
  if (in.n_values() > 0 && in.values == nullptr) {
    detail::raise_argument("values", "values must not be null");
  }
}

void check_options(const WindowOptions& o, std::int64_t window, bool bounded) {
  if (bounded && window < 1) {
    detail::raise_argument("window", "window must be >= 1 (got " + std::to_string(window) + ")");
  }
  if (o.min_periods < 0) {
    detail::raise_argument("min_periods",
                           "min_periods must be >= 0 (got " + std::to_string(o.min_periods) + ")");
  }
  if (bounded && o.min_periods > window) {
    detail::raise_argument("min_periods", "min_periods must be <= window (got " +
                                              std::to_string(o.min_periods) + " > " +
                                              std::to_string(window) + ")");
  }
  if (o.lag < 0) {
    detail::raise_argument("lag", "lag must be >= 0 (got " + std::to_string(o.lag) + ")");
  }
  if (o.stat == WindowStat::quantile && !(o.q >= 0.0 && o.q <= 1.0)) {
    detail::raise_argument("q",
                           "quantile level must be in [0, 1] (got " + std::to_string(o.q) + ")");
  }
}

/// Fills the first `lag` outputs of a series with NaN and returns how many values the shifted
/// feature is computed from.
std::int64_t shift_prefix(std::int64_t n, std::int64_t lag, double* out) {
  const std::int64_t head = std::min(n, lag);
  std::fill(out, out + head, nan);
  return n - head;
}

}  // namespace

const char* to_string(WindowStat stat) noexcept {
  switch (stat) {
    case WindowStat::mean:
      return "mean";
    case WindowStat::std:
      return "std";
    case WindowStat::min:
      return "min";
    case WindowStat::max:
      return "max";
    case WindowStat::quantile:
      return "quantile";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, const WindowOptions& options) {
  os << "WindowOptions(stat=" << to_string(options.stat) << ", min_periods=" << options.min_periods
     << ", lag=" << options.lag;
  if (options.stat == WindowStat::quantile) os << ", q=" << options.q;
  return os << ")";
}

WindowStat parse_window_stat(const std::string& name, const std::string& field) {
  for (const auto s : {WindowStat::mean, WindowStat::std, WindowStat::min, WindowStat::max,
                       WindowStat::quantile}) {
    if (name == to_string(s)) return s;
  }
  detail::raise_argument(
      field, "unknown statistic \"" + name + "\" (expected mean, std, min, max or quantile)");
}

void lag_into(const RaggedColumn& in, std::int64_t k, double* out, int n_threads) {
  check_column(in);
  detail::parallel_for_series(in.n_series, n_threads, [&](std::size_t i) {
    const std::int64_t off = in.offsets[i];
    const std::int64_t n = in.length(i);
    const double* y = in.values + off;
    double* o = out + off;
    for (std::int64_t t = 0; t < n; ++t) {
      const std::int64_t s = t - k;
      o[t] = (s >= 0 && s < n) ? y[s] : nan;
    }
  });
}

void rolling_into(const RaggedColumn& in,
                  std::int64_t window,
                  const WindowOptions& options,
                  double* out,
                  int n_threads) {
  check_column(in);
  check_options(options, window, true);
  detail::parallel_for_series(in.n_series, n_threads, [&](std::size_t i) {
    const std::int64_t off = in.offsets[i];
    const std::int64_t m = shift_prefix(in.length(i), options.lag, out + off);
    window_stat(in.values + off, m, 1, window, options, out + off + options.lag);
  });
}

void seasonal_rolling_into(const RaggedColumn& in,
                           std::int64_t season_length,
                           std::int64_t window,
                           const WindowOptions& options,
                           double* out,
                           int n_threads) {
  check_column(in);
  if (season_length < 1) {
    detail::raise_argument(
        "season_length", "season_length must be >= 1 (got " + std::to_string(season_length) + ")");
  }
  check_options(options, window, true);
  detail::parallel_for_series(in.n_series, n_threads, [&](std::size_t i) {
    const std::int64_t off = in.offsets[i];
    const std::int64_t m = shift_prefix(in.length(i), options.lag, out + off);
    const double* y = in.values + off;
    double* o = out + off + options.lag;
    for (std::int64_t r = 0; r < std::min(season_length, m); ++r) {
      const std::int64_t count = (m - r + season_length - 1) / season_length;
      window_stat(y + r, count, season_length, window, options, o + r);
    }
  });
}

void expanding_into(const RaggedColumn& in,
                    const WindowOptions& options,
                    double* out,
                    int n_threads) {
  check_column(in);
  check_options(options, 0, false);
  detail::parallel_for_series(in.n_series, n_threads, [&](std::size_t i) {
    const std::int64_t off = in.offsets[i];
    const std::int64_t m = shift_prefix(in.length(i), options.lag, out + off);
    window_stat(in.values + off, m, 1, std::numeric_limits<std::int64_t>::max(), options,
                out + off + options.lag);
  });
}

void ewm_mean_into(const RaggedColumn& in,
                   double alpha,
                   std::int64_t min_periods,
                   std::int64_t lag,
                   double* out,
                   int n_threads) {
  check_column(in);
  if (!(alpha > 0.0 && alpha <= 1.0)) {
    detail::raise_argument("alpha", "alpha must be in (0, 1] (got " + std::to_string(alpha) + ")");
  }
  if (min_periods < 0) {
    detail::raise_argument("min_periods",
                           "min_periods must be >= 0 (got " + std::to_string(min_periods) + ")");
  }
  if (lag < 0) detail::raise_argument("lag", "lag must be >= 0 (got " + std::to_string(lag) + ")");
  const std::int64_t minp = std::max<std::int64_t>(min_periods, 1);
  const double decay = 1.0 - alpha;
  detail::parallel_for_series(in.n_series, n_threads, [&](std::size_t i) {
    const std::int64_t off = in.offsets[i];
    const std::int64_t m = shift_prefix(in.length(i), lag, out + off);
    const double* y = in.values + off;
    double* o = out + off + lag;
    double avg = nan;
    double old_weight = 1.0;  // weight of `avg` relative to a new value's alpha
    std::int64_t nobs = 0;
    for (std::int64_t t = 0; t < m; ++t) {
      const double v = y[t];
      const bool valid = !std::isnan(v);
      nobs += valid ? 1 : 0;
      if (std::isnan(avg)) {
        if (valid) avg = v;
      } else {
        old_weight *= decay;
        if (valid) {
          if (avg != v) {
            // Without a gap old_weight + alpha is 1: skip the division on the common path.
            avg = old_weight == decay ? decay * avg + alpha * v
                                      : (old_weight * avg + alpha * v) / (old_weight + alpha);
          }
          old_weight = 1.0;
        }
      }
      o[t] = nobs >= minp ? avg : nan;
    }
  });
}

std::vector<double> lag(const RaggedColumn& in, std::int64_t k, int n_threads) {
  std::vector<double> out(static_cast<std::size_t>(in.n_values()));
  lag_into(in, k, out.data(), n_threads);
  return out;
}

std::vector<double> rolling(const RaggedColumn& in,
                            std::int64_t window,
                            const WindowOptions& options,
                            int n_threads) {
  std::vector<double> out(static_cast<std::size_t>(in.n_values()));
  rolling_into(in, window, options, out.data(), n_threads);
  return out;
}

std::vector<double> seasonal_rolling(const RaggedColumn& in,
                                     std::int64_t season_length,
                                     std::int64_t window,
                                     const WindowOptions& options,
                                     int n_threads) {
  std::vector<double> out(static_cast<std::size_t>(in.n_values()));
  seasonal_rolling_into(in, season_length, window, options, out.data(), n_threads);
  return out;
}

std::vector<double> expanding(const RaggedColumn& in, const WindowOptions& options, int n_threads) {
  std::vector<double> out(static_cast<std::size_t>(in.n_values()));
  expanding_into(in, options, out.data(), n_threads);
  return out;
}

std::vector<double> ewm_mean(const RaggedColumn& in,
                             double alpha,
                             std::int64_t min_periods,
                             std::int64_t lag,
                             int n_threads) {
  std::vector<double> out(static_cast<std::size_t>(in.n_values()));
  ewm_mean_into(in, alpha, min_periods, lag, out.data(), n_threads);
  return out;
}

}  // namespace quickstock
