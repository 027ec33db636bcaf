#pragma once

/// @file
/// A hierarchy of series (levels of aggregation over bottom series) as a sparse summing matrix,
/// and the aggregation of bottom-level observations into every node (`qs.aggregate`).
///
/// Rows of the summing matrix `S` are every series of the hierarchy, top level first and the
/// bottom level last (in `bottom_ids` order); columns are the bottom series; `S(i, b) = 1` when
/// bottom series `b` is summed into series `i`. A level is a partition of the bottom series (each
/// bottom series belongs to exactly one node of each level), so strict trees (city → zone →
/// pincode), product trees and cross products of both (city × category) are all hierarchies.
/// Method and notation: Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd
/// ed.), ch. 11; the layout mirrors hierarchicalforecast's `S_df` and `tags`. See
/// `docs/reconciliation.md`.
///
/// **Example** (Total → two zones → three pincodes)
/// ```cpp
/// std::vector<quickstock::HierarchyLevel> levels{
///     {"Total", {"Total"}, {0, 0, 0}},
///     {"zone", {"North", "West"}, {1, 1, 0}},
///     {"pincode", {"500072", "500032", "500081"}, {0, 1, 2}}};
/// const auto h = quickstock::Hierarchy::from_levels(std::move(levels));  // S is 6 x 3
/// ```

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/SparseCore>

#include <quickstock/config.hpp>
#include <quickstock/error.hpp>

namespace quickstock {

/// One level of a hierarchy: its node ids and the node of every bottom series.
struct HierarchyLevel {
  std::string name;                   ///< level name, e.g. `city/zone`
  std::vector<std::string> ids;       ///< node ids of the level, in row order
  std::vector<std::int64_t> node_of;  ///< node (index into `ids`) of each bottom series
  friend bool operator==(const HierarchyLevel& a, const HierarchyLevel& b) {
    return a.name == b.name && a.ids == b.ids && a.node_of == b.node_of;
  }
};

/// A hierarchy: the summing matrix, the ids of its rows and columns, and its levels.
struct QUICKSTOCK_API Hierarchy {
  /// Row-major sparse matrix with 64-bit indices (the layout of scipy's CSR).
  using SparseMatrix = Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t>;

  SparseMatrix S;                            ///< `n_series × n_bottom` summing matrix (0/1)
  std::vector<std::string> ids;              ///< id of every row, top level first
  std::vector<std::string> level_names;      ///< level names, top first, bottom last
  std::vector<std::int64_t> level_offsets;   ///< rows of level `l`: `[off[l], off[l+1])`
  std::vector<std::int64_t> node_of_bottom;  ///< `n_levels × n_bottom`: row of `b`'s node

  /// Builds a hierarchy from its levels, top first; the last level is the bottom level (one
  /// node per bottom series, so its `node_of` is a permutation and sets the column order).
  /// @throws invalid_input (field `spec`) for an empty level list, a node index out of range, a
  /// node with no bottom series, a bottom level whose nodes are not one per series, or an id
  /// used twice (naming it).
  [[nodiscard]] static Hierarchy from_levels(std::vector<HierarchyLevel> levels);

  /// Number of series (rows of `S`).
  [[nodiscard]] std::int64_t n_series() const noexcept { return S.rows(); }
  /// Number of bottom series (columns of `S`).
  [[nodiscard]] std::int64_t n_bottom() const noexcept { return S.cols(); }
  /// Number of levels.
  [[nodiscard]] std::int64_t n_levels() const noexcept {
    return static_cast<std::int64_t>(level_names.size());
  }
  /// Number of aggregated (non-bottom) series; they are the first rows of `S`.
  [[nodiscard]] std::int64_t n_aggregated() const noexcept { return n_series() - n_bottom(); }
  /// Row of the node of bottom series `b` at level `l`.
  [[nodiscard]] std::int64_t node(std::int64_t l, std::int64_t b) const noexcept {
    return node_of_bottom[static_cast<std::size_t>(l * n_bottom() + b)];
  }
  /// Index of the level named `name`. @throws invalid_input (field `level`) naming it.
  [[nodiscard]] std::int64_t level_index(const std::string& name) const;
  /// The bottom series `ids` (the last level's ids).
  [[nodiscard]] std::vector<std::string> bottom_ids() const;
  /// Whether every node of level `l + 1` lies inside one node of level `l`, for every `l` from
  /// `from_level` down to the bottom (a tree below `from_level`).
  [[nodiscard]] bool is_nested_below(std::int64_t from_level) const;
};

/// Bottom-level observations summed into every series of a hierarchy.
struct AggregatedPanel {
  std::vector<std::int64_t> series;  ///< row of the hierarchy of each output value
  std::vector<std::int64_t> time;    ///< time code of each output value
  std::vector<double> y;             ///< summed value
  friend bool operator==(const AggregatedPanel& a, const AggregatedPanel& b) {
    return a.series == b.series && a.time == b.time && a.y == b.y;
  }
};

/// Every series of a hierarchy summed from bottom observations, in a compact layout: the values of
/// series row `i` are `[offsets[i], offsets[i+1])`, in increasing time. No per-value series row is
/// stored, and time codes take 4 bytes, so the output is 12 bytes a value (the layout of
/// `qs.aggregate`, which turns it into columns without further copies).
struct AggregatedSeries {
  std::vector<std::int64_t> offsets;  ///< `n_series + 1` value offsets, by series row
  std::vector<std::int32_t> time;     ///< time code of each value
  std::vector<double> y;              ///< summed value
  friend bool operator==(const AggregatedSeries& a, const AggregatedSeries& b) {
    return a.offsets == b.offsets && a.time == b.time && a.y == b.y;
  }
};

/// `aggregate` with 32-bit bottom indices and time codes, returning the compact layout: the same
/// sums in the same order (each series sums its bottom series' rows in column order, rows of one
/// bottom series in input order), counted first so every output buffer is allocated once at its
/// final size. Working memory besides the output: one 4-byte (8 past 2³¹ rows) row order and
/// a `n_times` buffer.
/// @throws invalid_input naming the row for a bottom index or time code out of range, a
/// non-finite value.
[[nodiscard]] QUICKSTOCK_API AggregatedSeries aggregate_series(const Hierarchy& h,
                                                               const std::int32_t* bottom,
                                                               const std::int32_t* time,
                                                               const double* y,
                                                               std::size_t n_rows,
                                                               std::int32_t n_times);

/// Sums observations of bottom series into every series of `h` (Σ over the bottom series of a
/// node present at that time; a node has a value at every time one of its bottom series has).
/// Several rows of one bottom series at one time are summed too (e.g. several SKUs of a pincode
/// when the bottom level is the pincode).
/// Output is sorted by series row (top level first) then time.
/// @param h the hierarchy
/// @param bottom bottom series (column of `S`) of each input row
/// @param time integer time code of each input row, in `[0, n_times)`
/// @param y value of each input row (finite)
/// @param n_rows number of input rows
/// @param n_times number of distinct time codes
/// @throws invalid_input naming the row for a bottom index or time code out of range, a
/// non-finite value.
[[nodiscard]] QUICKSTOCK_API AggregatedPanel aggregate(const Hierarchy& h,
                                                       const std::int64_t* bottom,
                                                       const std::int64_t* time,
                                                       const double* y,
                                                       std::size_t n_rows,
                                                       std::int64_t n_times);

}  // namespace quickstock
