#pragma once

/// @file
/// `Panel`: many demand series of different lengths on one regular time grid.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/core/frequency.hpp>

namespace quickstock {

/// Row-major dense matrix, the layout numpy hands over (never `EIGEN_DEFAULT_TO_ROW_MAJOR`).
using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// One series of a panel, viewed in place: its values, its covariate rows and where it starts.
struct SeriesView {
  Eigen::Map<const Eigen::VectorXd> y;  ///< observations, oldest first
  Eigen::Map<const RowMatrixXd> x;      ///< covariates, one row per observation (may have 0 cols)
  std::int64_t start;                   ///< grid ordinal of y[0]
  const std::string& id;                ///< the series' unique_id
};

/// Long-format input: one row per (series, timestamp), as the `unique_id, ds, y` frame.
/// Pointers are borrowed for the duration of `Panel::from_long`.
struct LongInput {
  const std::int64_t* codes = nullptr;  ///< series code of each row, in [0, ids.size())
  const std::int64_t* ds = nullptr;     ///< wall-clock ns since 1970, or integer index
  const double* y = nullptr;            ///< demand of each row
  std::size_t n_rows = 0;
  std::vector<std::string> ids;              ///< unique_id of each code
  const double* covariates = nullptr;        ///< row-major n_rows × covariate_names.size()
  std::vector<std::string> covariate_names;  ///< names of the covariate columns
};

/// Validation rules for building a panel.
struct PanelOptions {
  bool allow_negative = false;  ///< accept y < 0 (off for demand)
  friend bool operator==(const PanelOptions& a, const PanelOptions& b) noexcept {
    return a.allow_negative == b.allow_negative;
  }
};

/// Many series on one regular grid, stored ragged (CSR): one value array and `n_series + 1`
/// offsets; series `i` holds `values()[offsets()[i] .. offsets()[i+1])`, oldest first, starting
/// at grid ordinal `starts()[i]`. Covariates are a row-major matrix aligned with the values.
///
/// A panel is validated when built: every series is sorted, has unique timestamps on the grid
/// with no missing periods, and finite, non-negative demand and finite covariates. Errors are
/// `invalid_input` naming the series, the caller's row and the field.
///
/// **Example**
/// ```cpp
/// auto panel = quickstock::Panel::from_long({"a", "a", "b"}, {t0, t0 + day, t0}, {1, 2, 3},
///                                            quickstock::Frequency::parse("D"));
/// ```
class QUICKSTOCK_API Panel {
 public:
  Panel() = default;

  /// Builds and validates a panel from long rows (in any order: rows are sorted by series, then
  /// time). Series are ordered by code.
  /// @throws invalid_input on an empty frame, an unknown code, a timestamp off the grid, a
  /// duplicate `(unique_id, ds)`, missing periods inside a series, non-finite or negative `y`, or
  /// non-finite covariates.
  static Panel from_long(const LongInput& input,
                         const Frequency& freq,
                         const PanelOptions& options = {});

  /// Convenience overload with string ids (series are ordered by id) and no covariates.
  static Panel from_long(const std::vector<std::string>& unique_id,
                         const std::vector<std::int64_t>& ds,
                         const std::vector<double>& y,
                         const Frequency& freq,
                         const PanelOptions& options = {});

  [[nodiscard]] std::size_t n_series() const noexcept { return ids_.size(); }
  [[nodiscard]] std::size_t n_obs() const noexcept { return values_.size(); }
  [[nodiscard]] std::size_t n_covariates() const noexcept { return covariate_names_.size(); }
  [[nodiscard]] const std::vector<std::string>& ids() const noexcept { return ids_; }
  [[nodiscard]] const std::vector<std::int64_t>& offsets() const noexcept { return offsets_; }
  [[nodiscard]] const std::vector<double>& values() const noexcept { return values_; }
  [[nodiscard]] const std::vector<std::int64_t>& starts() const noexcept { return starts_; }
  /// Caller's row of every stored observation (for error messages downstream).
  [[nodiscard]] const std::vector<std::int64_t>& source_rows() const noexcept {
    return source_rows_;
  }
  [[nodiscard]] const std::vector<double>& covariates() const noexcept { return covariates_; }
  [[nodiscard]] const std::vector<std::string>& covariate_names() const noexcept {
    return covariate_names_;
  }
  [[nodiscard]] const Frequency& frequency() const noexcept { return freq_; }

  /// Number of observations of series `i`.
  [[nodiscard]] std::int64_t length(std::size_t i) const noexcept {
    return offsets_[i + 1] - offsets_[i];
  }
  /// Grid ordinal of the last observation of series `i`.
  [[nodiscard]] std::int64_t end(std::size_t i) const noexcept {
    return starts_[i] + length(i) - 1;
  }
  /// Series `i` viewed in place.
  [[nodiscard]] SeriesView series(std::size_t i) const;
  /// Index of series `id`, or `n_series()` when absent.
  [[nodiscard]] std::size_t find(const std::string& id) const;
  /// Timestamp of ordinal `k` on this panel's grid.
  [[nodiscard]] std::int64_t timestamp(std::int64_t k) const noexcept { return freq_.timestamp(k); }

  /// The panel without the last `k[i]` observations of each series `i` (for rolling origins).
  /// @throws invalid_input naming the series when fewer than `min_keep` observations would remain.
  [[nodiscard]] Panel drop_last(const std::vector<std::int64_t>& k,
                                std::int64_t min_keep = 1) const;

  friend bool operator==(const Panel& a, const Panel& b) noexcept;

 private:
  std::vector<std::string> ids_;
  std::vector<std::int64_t> offsets_{0};
  std::vector<double> values_;
  std::vector<std::int64_t> starts_;
  std::vector<std::int64_t> source_rows_;
  std::vector<double> covariates_;
  std::vector<std::string> covariate_names_;
  Frequency freq_;
};

}  // namespace quickstock
