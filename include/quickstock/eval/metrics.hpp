#pragma once

/// @file
/// Forecast accuracy metrics over a ragged panel of evaluated periods: point metrics (MAE, RMSE,
/// MASE, RMSSE, sMAPE, WAPE), quantile metrics (pinball, scaled pinball, CRPS from quantiles),
/// interval metrics (coverage, MSIS) and the M5 aggregates WRMSSE and WSPL.
///
/// Every per-series metric returns one value per series: the mean over that series' evaluated
/// periods (WAPE: a ratio of sums). Inputs are never skipped: a non-finite actual, forecast or
/// training value, an empty series, or a zero scale is `invalid_input` naming the series, the
/// caller's row and the field. Results are deterministic: each series is summed by one thread in
/// storage order, and weighted aggregates sum the series in index order, so the output is
/// bit-identical for any `n_threads`. Formulas and conventions: `docs/metrics.md`.
///
/// **Example** (MASE of one series, M4 definition with m = 2)
/// ```cpp
/// const std::vector<double> y{3, 5}, f{4, 4}, train{1, 2, 3, 5, 4};
/// const std::vector<std::int64_t> off{0, 2}, train_off{0, 5};
/// const quickstock::RaggedSeries actual{y.data(), off.data(), 1};
/// const quickstock::RaggedSeries history{train.data(), train_off.data(), 1};
/// const auto scale = quickstock::mean_absolute_scale(history, {2, false});  // {2.0}
/// const auto m = quickstock::mase(actual, {f.data()}, scale);                 // {0.5}
/// ```

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <quickstock/config.hpp>
#include <quickstock/error.hpp>

namespace quickstock {

/// Many series stored ragged (CSR), viewed in place: series `i` holds
/// `values[offsets[i] .. offsets[i+1])`. Used both for the actuals of the evaluated periods and for
/// in-sample (training) data; the names are only used in error messages.
struct RaggedSeries {
  const double* values = nullptr;         ///< all values, series after series
  const std::int64_t* offsets = nullptr;  ///< `n_series + 1` non-decreasing offsets into `values`
  std::size_t n_series = 0;               ///< number of series
  const std::string* ids = nullptr;       ///< `n_series` names for errors; nullptr: `#<index>`
  const std::int64_t* rows = nullptr;     ///< caller's row of each value; nullptr: its index
  std::string field = "y";                ///< name of the values in errors

  /// Number of values of series `i`.
  [[nodiscard]] std::int64_t length(std::size_t i) const noexcept {
    return offsets[i + 1] - offsets[i];
  }
  /// Number of values of all series (the end offset; 0 for an empty panel).
  [[nodiscard]] std::int64_t n_values() const noexcept {
    return n_series == 0 ? 0 : offsets[n_series];
  }
};

/// One forecast per actual value: `values[k]` forecasts `actual.values[k]` (the same CSR layout).
struct ForecastColumn {
  const double* values = nullptr;  ///< forecasts aligned with the actuals
  std::string field = "forecast";  ///< column name for errors (e.g. `mean`, `p50`, `p97.5`)
};

/// Several quantile forecasts per actual value: a row-major `n_values × levels.size()` matrix.
struct QuantileForecast {
  const double* values = nullptr;   ///< `values[k * levels.size() + j]`: level `j` of value `k`
  std::vector<double> levels;       ///< strictly increasing levels in (0, 1)
  std::vector<std::string> fields;  ///< column name of each level for errors (may be empty)
};

/// How a scale is computed from in-sample data.
struct ScaleOptions {
  std::int64_t seasonality = 1;     ///< lag m of the differences y[t] - y[t-m], >= 1
  bool skip_leading_zeros = false;  ///< start at the first non-zero value (M5 convention)
  friend bool operator==(const ScaleOptions& a, const ScaleOptions& b) noexcept {
    return a.seasonality == b.seasonality && a.skip_leading_zeros == b.skip_leading_zeros;
  }
};

// -- scales from in-sample data ------------------------------------------------------------------

/// Mean absolute lag-m difference of each training series: `mean_{t>=m} |y[t] - y[t-m]|`, over
/// the series from its first non-zero value when `skip_leading_zeros` (M5). The scale of MASE and
/// MSIS (M4: m = season length, no skipping) and of the scaled pinball loss (M5: m = 1, skipping).
/// A constant series has scale 0 (the metrics that divide by it raise).
/// @param train in-sample values of each series, oldest first
/// @param options lag m and the leading-zeros rule
/// @param n_threads threads; <= 0 means all hardware threads
/// @return one scale per series
/// @throws invalid_input naming the series when it has fewer than m + 1 values (after skipping
/// leading zeros), no non-zero value (when skipping), or a non-finite value (naming the row)
[[nodiscard]] QUICKSTOCK_API std::vector<double> mean_absolute_scale(const RaggedSeries& train,
                                                                     const ScaleOptions& options,
                                                                     int n_threads = 1);

/// Root mean squared lag-m difference of each training series:
/// `sqrt(mean_{t>=m} (y[t] - y[t-m])^2)`, from the first non-zero value when
/// `skip_leading_zeros`. The scale of RMSSE (M5: m = 1, skipping leading zeros).
/// @throws invalid_input as `mean_absolute_scale`
[[nodiscard]] QUICKSTOCK_API std::vector<double> root_mean_squared_scale(
    const RaggedSeries& train, const ScaleOptions& options, int n_threads = 1);

// -- point metrics -------------------------------------------------------------------------------

/// Mean absolute error per series: `mean |y - f|`.
/// @param actual actual values of the evaluated periods
/// @param forecast point forecasts aligned with `actual`
/// @param n_threads threads; <= 0 means all hardware threads
/// @return one value per series
/// @throws invalid_input naming the series (and row, field) for an empty series or a non-finite
/// actual or forecast
[[nodiscard]] QUICKSTOCK_API std::vector<double> mae(const RaggedSeries& actual,
                                                     const ForecastColumn& forecast,
                                                     int n_threads = 1);

/// Root mean squared error per series: `sqrt(mean (y - f)^2)`.
/// @throws invalid_input as `mae`
[[nodiscard]] QUICKSTOCK_API std::vector<double> rmse(const RaggedSeries& actual,
                                                      const ForecastColumn& forecast,
                                                      int n_threads = 1);

/// Symmetric MAPE per series, in percent (M4): `mean 200 |y - f| / (|y| + |f|)`, a period with
/// `y = f = 0` counting 0.
/// @throws invalid_input as `mae`
[[nodiscard]] QUICKSTOCK_API std::vector<double> smape(const RaggedSeries& actual,
                                                       const ForecastColumn& forecast,
                                                       int n_threads = 1);

/// Weighted absolute percentage error per series, as a fraction: `sum |y - f| / sum |y|`; 0 when
/// both sums are 0.
/// @throws invalid_input as `mae`, and naming the series when `sum |y| = 0` but `sum |y - f| > 0`
[[nodiscard]] QUICKSTOCK_API std::vector<double> wape(const RaggedSeries& actual,
                                                      const ForecastColumn& forecast,
                                                      int n_threads = 1);

/// Mean absolute scaled error per series (M4): `MAE / scale`, the scale usually from
/// `mean_absolute_scale(train, {m, false})`.
/// @param scale one scale per series, finite and > 0
/// @throws invalid_input as `mae`, and naming the series (field `scale`) for a scale that is not
/// finite and > 0
[[nodiscard]] QUICKSTOCK_API std::vector<double> mase(const RaggedSeries& actual,
                                                      const ForecastColumn& forecast,
                                                      const std::vector<double>& scale,
                                                      int n_threads = 1);

/// Root mean squared scaled error per series (M5): `RMSE / scale`, the scale usually from
/// `root_mean_squared_scale(train, {1, true})`, so that
/// `RMSSE = sqrt(mean (y - f)^2 / mean (y[t] - y[t-1])^2)`.
/// @throws invalid_input as `mase`
[[nodiscard]] QUICKSTOCK_API std::vector<double> rmsse(const RaggedSeries& actual,
                                                       const ForecastColumn& forecast,
                                                       const std::vector<double>& scale,
                                                       int n_threads = 1);

// -- quantile and interval metrics ---------------------------------------------------------------

/// Mean pinball (quantile) loss per series at level `tau`:
/// `mean max(tau (y - q), (tau - 1)(y - q))`.
/// @param forecast the level-`tau` quantile forecasts
/// @param level the quantile level tau in (0, 1)
/// @throws invalid_input as `mae`, and for a level outside (0, 1) (field `level`)
[[nodiscard]] QUICKSTOCK_API std::vector<double> pinball(const RaggedSeries& actual,
                                                         const ForecastColumn& forecast,
                                                         double level,
                                                         int n_threads = 1);

/// Scaled pinball loss per series (M5 uncertainty): `pinball / scale`, the scale usually from
/// `mean_absolute_scale(train, {1, true})`.
/// @throws invalid_input as `pinball` and `mase`
[[nodiscard]] QUICKSTOCK_API std::vector<double> scaled_pinball(const RaggedSeries& actual,
                                                                const ForecastColumn& forecast,
                                                                double level,
                                                                const std::vector<double>& scale,
                                                                int n_threads = 1);

/// CRPS per series approximated from quantiles: twice the mean pinball loss over the given levels,
/// `2 / J · sum_j pinball(tau_j)`, the rectangle rule for `CRPS = 2 ∫ pinball(tau) dtau` with
/// equal weight per level (exact in the limit of a fine, evenly spaced grid of levels).
/// @param forecast quantile forecasts at strictly increasing levels in (0, 1)
/// @throws invalid_input as `mae`, and for bad levels (field `levels`)
[[nodiscard]] QUICKSTOCK_API std::vector<double> crps(const RaggedSeries& actual,
                                                      const QuantileForecast& forecast,
                                                      int n_threads = 1);

/// Interval coverage per series: the fraction of periods with `lower <= y <= upper`.
/// @throws invalid_input as `mae`, and naming the series and row when `lower > upper`
[[nodiscard]] QUICKSTOCK_API std::vector<double> coverage(const RaggedSeries& actual,
                                                          const ForecastColumn& lower,
                                                          const ForecastColumn& upper,
                                                          int n_threads = 1);

/// Mean scaled interval score per series (M4) of a `(1 - alpha)` interval:
/// `mean [(u - l) + 2/alpha (l - y) 1{y < l} + 2/alpha (y - u) 1{y > u}] / scale`, the scale from
/// `mean_absolute_scale(train, {m, false})` as for MASE.
/// @param alpha the interval's miss rate in (0, 1), e.g. 0.05 for 95% intervals
/// @throws invalid_input as `coverage` and `mase`, and for alpha outside (0, 1)
[[nodiscard]] QUICKSTOCK_API std::vector<double> msis(const RaggedSeries& actual,
                                                      const ForecastColumn& lower,
                                                      const ForecastColumn& upper,
                                                      double alpha,
                                                      const std::vector<double>& scale,
                                                      int n_threads = 1);

// -- weighted aggregates (M5) --------------------------------------------------------------------

/// Weighted RMSSE (M5 accuracy): `sum_i w_i RMSSE_i`, summed in series order. Weights are used
/// as given (M5's sum to 1 within each aggregation level).
/// @param weights one weight per series, finite and >= 0
/// @throws invalid_input as `rmsse`, and naming the series (field `weight`) for a bad weight
[[nodiscard]] QUICKSTOCK_API double wrmsse(const RaggedSeries& actual,
                                           const ForecastColumn& forecast,
                                           const std::vector<double>& scale,
                                           const std::vector<double>& weights,
                                           int n_threads = 1);

/// Weighted scaled pinball loss (M5 uncertainty): `sum_i w_i · mean_j SPL_i(tau_j)`, the mean
/// over the given quantile levels, summed in series order.
/// @throws invalid_input as `scaled_pinball`, `crps` and `wrmsse`
[[nodiscard]] QUICKSTOCK_API double wspl(const RaggedSeries& actual,
                                         const QuantileForecast& forecast,
                                         const std::vector<double>& scale,
                                         const std::vector<double>& weights,
                                         int n_threads = 1);

}  // namespace quickstock
