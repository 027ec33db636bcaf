#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <utility>

#include <quickstock/reconcile/hierarchy.hpp>

namespace quickstock {

namespace {

using Index = std::int64_t;

[[noreturn]] void raise_spec(const std::string& message) {
  detail::raise_argument("spec", message);
}

}  // namespace

Hierarchy Hierarchy::from_levels(std::vector<HierarchyLevel> levels) {
  if (levels.empty()) raise_spec("a hierarchy needs at least one level");
  const auto n_bottom = static_cast<Index>(levels.back().ids.size());
  if (n_bottom == 0) raise_spec("the bottom level has no series");
  Hierarchy h;
  h.level_offsets.push_back(0);
  for (const HierarchyLevel& level : levels) {
    if (static_cast<Index>(level.node_of.size()) != n_bottom) {
      raise_spec("level \"" + level.name + "\" gives a node for " +
                 std::to_string(level.node_of.size()) + " bottom series, expected " +
                 std::to_string(n_bottom));
    }
    h.level_offsets.push_back(h.level_offsets.back() + static_cast<Index>(level.ids.size()));
  }
  // The bottom level is one node per bottom series: its node_of is a permutation that maps
  // bottom series to columns. Columns follow the bottom level's row order.
  const HierarchyLevel& bottom = levels.back();
  std::vector<Index> column_of(static_cast<std::size_t>(n_bottom), -1);
  for (Index b = 0; b < n_bottom; ++b) {
    const Index node = bottom.node_of[static_cast<std::size_t>(b)];
    if (node < 0 || node >= n_bottom || column_of[static_cast<std::size_t>(node)] != -1) {
      raise_spec("the bottom level \"" + bottom.name +
                 "\" must have exactly one node per bottom series");
    }
    column_of[static_cast<std::size_t>(node)] = b;
  }
  const auto n_levels = static_cast<Index>(levels.size());
  const Index n_series = h.level_offsets.back();
  h.node_of_bottom.assign(static_cast<std::size_t>(n_levels * n_bottom), 0);
  std::vector<Index> children(static_cast<std::size_t>(n_series), 0);
  for (Index l = 0; l < n_levels; ++l) {
    const HierarchyLevel& level = levels[static_cast<std::size_t>(l)];
    const auto n_nodes = static_cast<Index>(level.ids.size());
    for (Index b = 0; b < n_bottom; ++b) {
      // Input bottom series b is column node_of_bottom_level[b].
      const Index node = level.node_of[static_cast<std::size_t>(b)];
      if (node < 0 || node >= n_nodes) {
        raise_spec("level \"" + level.name + "\": node index " + std::to_string(node) +
                   " out of range [0, " + std::to_string(n_nodes) + ")");
      }
      const Index column = bottom.node_of[static_cast<std::size_t>(b)];
      const Index row = h.level_offsets[static_cast<std::size_t>(l)] + node;
      h.node_of_bottom[static_cast<std::size_t>(l * n_bottom + column)] = row;
      ++children[static_cast<std::size_t>(row)];
    }
  }
  h.ids.reserve(static_cast<std::size_t>(n_series));
  std::unordered_map<std::string, Index> seen;
  seen.reserve(static_cast<std::size_t>(n_series));
  for (Index l = 0; l < n_levels; ++l) {
    HierarchyLevel& level = levels[static_cast<std::size_t>(l)];
    for (std::size_t i = 0; i < level.ids.size(); ++i) {
      const Index row = h.level_offsets[static_cast<std::size_t>(l)] + static_cast<Index>(i);
      if (children[static_cast<std::size_t>(row)] == 0) {
        raise_spec("node \"" + level.ids[i] + "\" of level \"" + level.name +
                   "\" has no bottom series");
      }
      if (!seen.emplace(level.ids[i], row).second) {
        raise_spec("id \"" + level.ids[i] +
                   "\" names two series of the hierarchy; ids must be unique across levels");
      }
      h.ids.push_back(std::move(level.ids[i]));
    }
    h.level_names.push_back(std::move(level.name));
  }
  // S in CSR: row `row` lists its bottom series in increasing column order.
  std::vector<Index> outer(static_cast<std::size_t>(n_series) + 1, 0);
  for (Index row = 0; row < n_series; ++row) {
    outer[static_cast<std::size_t>(row) + 1] =
        outer[static_cast<std::size_t>(row)] + children[static_cast<std::size_t>(row)];
  }
  std::vector<Index> fill(outer.begin(), outer.end() - 1);
  std::vector<Index> inner(static_cast<std::size_t>(outer.back()));
  for (Index b = 0; b < n_bottom; ++b) {  // increasing b: columns sorted within each row
    for (Index l = 0; l < n_levels; ++l) {
      const Index row = h.node_of_bottom[static_cast<std::size_t>(l * n_bottom + b)];
      inner[static_cast<std::size_t>(fill[static_cast<std::size_t>(row)]++)] = b;
    }
  }
  h.S.resize(n_series, n_bottom);
  h.S.resizeNonZeros(outer.back());
  std::copy(outer.begin(), outer.end(), h.S.outerIndexPtr());
  std::copy(inner.begin(), inner.end(), h.S.innerIndexPtr());
  std::fill(h.S.valuePtr(), h.S.valuePtr() + outer.back(), 1.0);
  // The bottom rows are the identity, in bottom order, and are the last rows.
  return h;
}

Index Hierarchy::level_index(const std::string& name) const {
  for (std::size_t l = 0; l < level_names.size(); ++l) {
    if (level_names[l] == name) return static_cast<Index>(l);
  }
  std::string known;
  for (const auto& n : level_names) known += (known.empty() ? "\"" : ", \"") + n + "\"";
  detail::raise_argument("level", "no level named \"" + name + "\" (levels: " + known + ")");
}

std::vector<std::string> Hierarchy::bottom_ids() const {
  return {ids.end() - n_bottom(), ids.end()};
}

bool Hierarchy::is_nested_below(Index from_level) const {
  const Index nb = n_bottom();
  for (Index l = std::max<Index>(from_level, 0); l + 1 < n_levels(); ++l) {
    const Index lo = level_offsets[static_cast<std::size_t>(l + 1)];
    const Index hi = level_offsets[static_cast<std::size_t>(l + 2)];
    std::vector<Index> parent(static_cast<std::size_t>(hi - lo), -1);
    for (Index b = 0; b < nb; ++b) {
      const Index child = node(l + 1, b) - lo;
      const Index p = node(l, b);
      Index& slot = parent[static_cast<std::size_t>(child)];
      if (slot == -1) {
        slot = p;
      } else if (slot != p) {
        return false;
      }
    }
  }
  return true;
}

namespace {

/// The aggregation behind `aggregate` and `aggregate_series`: input indices of type `In`, the
/// row order (rows grouped by bottom series, a stable counting sort) of type `Ord`.
template <class In, class Ord>
AggregatedSeries aggregate_impl(const Hierarchy& h,
                                const In* bottom,
                                const In* time,
                                const double* y,
                                std::size_t n_rows,
                                Index n_times) {
  const Index nb = h.n_bottom();
  if (n_times < 0) detail::raise_argument("ds", "negative number of time codes");
  if (n_times > std::numeric_limits<std::int32_t>::max()) {
    detail::raise_argument("ds", "more than 2^31 - 1 distinct times");
  }
  std::vector<Ord> start(static_cast<std::size_t>(nb) + 1, 0);
  for (std::size_t r = 0; r < n_rows; ++r) {
    if (bottom[r] < 0 || bottom[r] >= nb) {
      detail::raise_invalid("bottom series index out of range", {}, static_cast<Index>(r),
                            "unique_id");
    }
    if (time[r] < 0 || time[r] >= n_times) {
      detail::raise_invalid("time code out of range", {}, static_cast<Index>(r), "ds");
    }
    if (!std::isfinite(y[r])) {
      detail::raise_invalid("demand must be finite (got " + std::to_string(y[r]) + ")",
                            h.ids[static_cast<std::size_t>(h.n_aggregated() + bottom[r])],
                            static_cast<Index>(r), "y");
    }
    ++start[static_cast<std::size_t>(bottom[r]) + 1];
  }
  for (Index b = 0; b < nb; ++b) {
    start[static_cast<std::size_t>(b) + 1] += start[static_cast<std::size_t>(b)];
  }
  // Rows of each bottom series: when each bottom series' rows form one contiguous run (a long
  // frame grouped by series, the usual layout) they are read in place from the run's first row;
  // otherwise a stable counting sort lists them (`order`, 4 bytes a row).
  constexpr Ord unseen = std::numeric_limits<Ord>::max();
  std::vector<Ord> run(static_cast<std::size_t>(nb), unseen);
  bool grouped = true;
  for (std::size_t r = 0; r < n_rows && grouped; ++r) {
    if (r > 0 && bottom[r] == bottom[r - 1]) continue;
    Ord& first = run[static_cast<std::size_t>(bottom[r])];
    if (first != unseen) grouped = false;
    first = static_cast<Ord>(r);
  }
  std::vector<Ord> order;
  if (grouped) {
    for (Index b = 0; b < nb; ++b) {  // start[b] becomes the first row of b's run
      const auto bu = static_cast<std::size_t>(b);
      const Ord count = start[bu + 1] - start[bu];
      start[bu] = run[bu] == unseen ? 0 : run[bu];
      run[bu] = count;
    }
  } else {
    run.clear();
    order.resize(n_rows);
    std::vector<Ord> fill(start.begin(), start.end() - 1);
    for (std::size_t r = 0; r < n_rows; ++r) {
      order[static_cast<std::size_t>(fill[static_cast<std::size_t>(bottom[r])]++)] =
          static_cast<Ord>(r);
    }
  }
  // Input row of the k-th row of bottom series b, k < count(b).
  const auto rows_of = [&](std::size_t b) -> std::pair<Ord, Ord> {
    if (grouped) return {start[b], static_cast<Ord>(start[b] + run[b])};
    return {start[b], start[b + 1]};
  };
  const auto row_at = [&](Ord k) -> std::size_t {
    return grouped ? static_cast<std::size_t>(k) : static_cast<std::size_t>(order[k]);
  };
  const auto& S = h.S;
  const Index n = h.n_series();
  std::vector<char> present(static_cast<std::size_t>(n_times), 0);
  std::vector<std::int32_t> touched;
  // Pass 1: the number of distinct times of every series, so the output is allocated once.
  AggregatedSeries out;
  out.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  for (Index i = 0; i < n; ++i) {
    touched.clear();
    for (Hierarchy::SparseMatrix::InnerIterator it(S, i); it; ++it) {
      const auto [lo, hi] = rows_of(static_cast<std::size_t>(it.col()));
      for (Ord k = lo; k < hi; ++k) {
        const auto t = static_cast<std::int32_t>(time[row_at(k)]);
        if (!present[static_cast<std::size_t>(t)]) {
          present[static_cast<std::size_t>(t)] = 1;
          touched.push_back(t);
        }
      }
    }
    for (const std::int32_t t : touched) present[static_cast<std::size_t>(t)] = 0;
    out.offsets[static_cast<std::size_t>(i) + 1] =
        out.offsets[static_cast<std::size_t>(i)] + static_cast<Index>(touched.size());
  }
  out.time.resize(static_cast<std::size_t>(out.offsets.back()));
  out.y.resize(static_cast<std::size_t>(out.offsets.back()));
  // Pass 2: each series scatters its bottom series' rows into a dense time buffer (touched times
  // remembered and sorted), then emits. Work O(rows × levels + Σ touched log touched).
  std::vector<double> buffer(static_cast<std::size_t>(n_times), 0.0);
  for (Index i = 0; i < n; ++i) {
    touched.clear();
    for (Hierarchy::SparseMatrix::InnerIterator it(S, i); it; ++it) {
      const auto [lo, hi] = rows_of(static_cast<std::size_t>(it.col()));
      for (Ord k = lo; k < hi; ++k) {
        const std::size_t r = row_at(k);
        const auto t = static_cast<std::int32_t>(time[r]);
        if (!present[static_cast<std::size_t>(t)]) {
          present[static_cast<std::size_t>(t)] = 1;
          touched.push_back(t);
        }
        buffer[static_cast<std::size_t>(t)] += y[r];
      }
    }
    std::sort(touched.begin(), touched.end());
    auto pos = static_cast<std::size_t>(out.offsets[static_cast<std::size_t>(i)]);
    for (const std::int32_t t : touched) {
      out.time[pos] = t;
      out.y[pos] = buffer[static_cast<std::size_t>(t)];
      ++pos;
      buffer[static_cast<std::size_t>(t)] = 0.0;
      present[static_cast<std::size_t>(t)] = 0;
    }
  }
  return out;
}

template <class In>
AggregatedSeries aggregate_any(const Hierarchy& h,
                               const In* bottom,
                               const In* time,
                               const double* y,
                               std::size_t n_rows,
                               Index n_times) {
  if (n_rows < static_cast<std::size_t>(std::numeric_limits<std::uint32_t>::max())) {
    return aggregate_impl<In, std::uint32_t>(h, bottom, time, y, n_rows, n_times);
  }
  return aggregate_impl<In, std::uint64_t>(h, bottom, time, y, n_rows, n_times);
}

}  // namespace

AggregatedSeries aggregate_series(const Hierarchy& h,
                                  const std::int32_t* bottom,
                                  const std::int32_t* time,
                                  const double* y,
                                  std::size_t n_rows,
                                  std::int32_t n_times) {
  return aggregate_any(h, bottom, time, y, n_rows, n_times);
}

AggregatedPanel aggregate(const Hierarchy& h,
                          const std::int64_t* bottom,
                          const std::int64_t* time,
                          const double* y,
                          std::size_t n_rows,
                          std::int64_t n_times) {
  AggregatedSeries compact = aggregate_any(h, bottom, time, y, n_rows, n_times);
  AggregatedPanel out;
  const auto total = compact.y.size();
  out.series.reserve(total);
  for (Index i = 0; i < h.n_series(); ++i) {
    out.series.insert(out.series.end(),
                      static_cast<std::size_t>(compact.offsets[static_cast<std::size_t>(i) + 1] -
                                               compact.offsets[static_cast<std::size_t>(i)]),
                      i);
  }
  out.time.assign(compact.time.begin(), compact.time.end());
  out.y = std::move(compact.y);
  return out;
}

}  // namespace quickstock
