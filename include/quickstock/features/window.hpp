#pragma once

/// @file
/// Lag and window features over a ragged panel: `lag`, `rolling`, `seasonal_rolling`,
/// `expanding` (mean, std, min, max, quantile) and `ewm_mean`.
///
/// Every kernel treats each series on its own (values oldest first) and gives, on each series,
/// the same values as pandas on that series:
///
/// | kernel | pandas |
/// | --- | --- |
/// | `lag(k)` | `s.shift(k)` |
/// | `rolling(w, {stat, min_periods, lag})` | `s.shift(lag).rolling(w, min_periods).<stat>()` |
/// | `seasonal_rolling(m, w, ...)` | the rolling statistic of `y[t], y[t-m], …` (w values) |
/// | `expanding({stat, min_periods, lag})` | `s.shift(lag).expanding(min_periods).<stat>()` |
/// | `ewm_mean(alpha, min_periods, lag)` | `s.shift(lag).ewm(alpha=alpha, adjust=False).mean()` |
///
/// `std` uses ddof = 1, `quantile` linear interpolation between order statistics.
///
/// **NaN policy: skip.** A NaN input occupies its slot in the window but is not counted: a
/// statistic is computed from the valid values of the window, and is NaN when fewer than
/// `max(min_periods, 1)` of them are valid (and, for `std`, fewer than 2). `ewm_mean` carries
/// the last average through NaN inputs, decaying the old weight for every step as pandas does
/// with `ignore_na=False`.
///
/// **Shift.** `lag` (the option) shifts the feature so it is known at forecast time: the value
/// at `t` uses observations up to `t - lag` only, and the first `lag` values of each series are
/// NaN. A rolling mean of the previous 7 days is `rolling(7, {WindowStat::mean, 1, 1})`.
///
/// Kernels run in O(n) per series for mean, std (compensated Welford updates, recomputed
/// exactly when cancellation is risky), min and max (monotonic deques), and O(n·w) for quantiles
/// (a sorted window). Series are spread over threads with `detail::parallel_for_series`; each is
/// computed by one thread, so results are bit-identical for any `n_threads`.
///
/// **Example**
/// ```cpp
/// const std::vector<double> y{1, 2, 3, 4, 10, 20};
/// const std::vector<std::int64_t> off{0, 4, 6};  // two series: {1, 2, 3, 4} and {10, 20}
/// const quickstock::RaggedColumn col{y.data(), off.data(), 2};
/// auto m = quickstock::rolling(col, 2, {quickstock::WindowStat::mean, 1, 1});
/// // {NaN, 1, 1.5, 2.5, NaN, 10}
/// ```

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <quickstock/config.hpp>

namespace quickstock {

/// One numeric column of many series stored ragged (CSR), viewed in place: series `i` holds
/// `values[offsets[i] .. offsets[i+1])`, oldest first.
struct RaggedColumn {
  const double* values = nullptr;         ///< all values, series after series
  const std::int64_t* offsets = nullptr;  ///< `n_series + 1` offsets, `offsets[0] == 0`
  std::size_t n_series = 0;               ///< number of series

  /// Number of values of series `i`.
  [[nodiscard]] std::int64_t length(std::size_t i) const noexcept {
    return offsets[i + 1] - offsets[i];
  }
  /// Number of values of all series.
  [[nodiscard]] std::int64_t n_values() const noexcept {
    return n_series == 0 ? 0 : offsets[n_series];
  }
};

/// Statistic of a window; the values are the Python names.
enum class WindowStat { mean, std, min, max, quantile };

/// The Python name of `stat` (`"mean"`, `"std"`, `"min"`, `"max"`, `"quantile"`).
[[nodiscard]] QUICKSTOCK_API const char* to_string(WindowStat stat) noexcept;

/// Parses a Python name into a `WindowStat`.
/// @param name one of `mean`, `std`, `min`, `max`, `quantile`
/// @param field the argument named in the error
/// @throws invalid_input naming `field` for any other name
[[nodiscard]] QUICKSTOCK_API WindowStat parse_window_stat(const std::string& name,
                                                          const std::string& field = "stats");

/// What a window feature computes and how it is shifted.
struct WindowOptions {
  WindowStat stat = WindowStat::mean;  ///< the statistic
  std::int64_t min_periods = 1;        ///< valid values needed for a result (0 acts as 1)
  std::int64_t lag = 0;                ///< shift of the feature, >= 0
  double q = 0.5;                      ///< level in [0, 1] for `WindowStat::quantile`

  friend bool operator==(const WindowOptions& a, const WindowOptions& b) noexcept {
    return a.stat == b.stat && a.min_periods == b.min_periods && a.lag == b.lag && a.q == b.q;
  }
  friend bool operator!=(const WindowOptions& a, const WindowOptions& b) noexcept {
    return !(a == b);
  }
};

/// Prints `WindowOptions(stat=mean, min_periods=1, lag=0)` (and `q=` for quantiles).
QUICKSTOCK_API std::ostream& operator<<(std::ostream& os, const WindowOptions& options);

/// Shifts each series by `k` (pandas `shift(k)`): `out[t] = y[t - k]`, NaN where `t - k` is
/// outside the series. A negative `k` is a lead.
/// @param in the column; @param k the shift
/// @param out `in.n_values()` results, aligned with `in.values`
/// @param n_threads threads (<= 0: all cores); the output does not depend on it
/// @throws invalid_input on malformed offsets (field `offsets`)
QUICKSTOCK_API void lag_into(const RaggedColumn& in,
                             std::int64_t k,
                             double* out,
                             int n_threads = 1);

/// Rolling statistic over the last `window` positions (NaNs skipped), shifted by `options.lag`.
/// @param in the column; @param window positions per window, >= 1
/// @param options statistic, min_periods in [0, window], lag >= 0, q in [0, 1]
/// @param out `in.n_values()` results, aligned with `in.values`
/// @param n_threads threads (<= 0: all cores); the output does not depend on it
/// @throws invalid_input naming the argument (`window`, `min_periods`, `lag`, `q`, `offsets`)
QUICKSTOCK_API void rolling_into(const RaggedColumn& in,
                                 std::int64_t window,
                                 const WindowOptions& options,
                                 double* out,
                                 int n_threads = 1);

/// Seasonal rolling statistic: at `t`, the statistic of `y[t], y[t-m], …, y[t-(window-1)·m]`
/// (positions before the series start are absent, NaNs skipped), shifted by `options.lag`.
/// Equivalent to pandas grouping each series by `position % m` and rolling each group.
/// @param season_length m >= 1; @param window values per window, >= 1
/// @throws invalid_input naming the argument (`season_length` and those of `rolling_into`)
QUICKSTOCK_API void seasonal_rolling_into(const RaggedColumn& in,
                                          std::int64_t season_length,
                                          std::int64_t window,
                                          const WindowOptions& options,
                                          double* out,
                                          int n_threads = 1);

/// Expanding statistic over all positions up to `t` (NaNs skipped), shifted by `options.lag`.
/// @throws invalid_input naming the argument (`min_periods` >= 0, `lag`, `q`, `offsets`)
QUICKSTOCK_API void expanding_into(const RaggedColumn& in,
                                   const WindowOptions& options,
                                   double* out,
                                   int n_threads = 1);

/// Exponentially weighted mean, pandas `ewm(alpha=alpha, adjust=False).mean()`:
/// `m[t] = (1 - alpha)·m[t-1] + alpha·y[t]`, started at the first valid value; across NaNs the
/// old weight keeps decaying (`ignore_na=False`) and the last mean is carried. NaN until
/// `max(min_periods, 1)` valid values were seen. Shifted by `lag`.
/// @param alpha smoothing in (0, 1]; @param min_periods >= 0; @param lag >= 0
/// @throws invalid_input naming the argument (`alpha`, `min_periods`, `lag`, `offsets`)
QUICKSTOCK_API void ewm_mean_into(const RaggedColumn& in,
                                  double alpha,
                                  std::int64_t min_periods,
                                  std::int64_t lag,
                                  double* out,
                                  int n_threads = 1);

/// `lag_into` returning a fresh vector.
[[nodiscard]] QUICKSTOCK_API std::vector<double> lag(const RaggedColumn& in,
                                                     std::int64_t k,
                                                     int n_threads = 1);

/// `rolling_into` returning a fresh vector.
[[nodiscard]] QUICKSTOCK_API std::vector<double> rolling(const RaggedColumn& in,
                                                         std::int64_t window,
                                                         const WindowOptions& options,
                                                         int n_threads = 1);

/// `seasonal_rolling_into` returning a fresh vector.
[[nodiscard]] QUICKSTOCK_API std::vector<double> seasonal_rolling(const RaggedColumn& in,
                                                                  std::int64_t season_length,
                                                                  std::int64_t window,
                                                                  const WindowOptions& options,
                                                                  int n_threads = 1);

/// `expanding_into` returning a fresh vector.
[[nodiscard]] QUICKSTOCK_API std::vector<double> expanding(const RaggedColumn& in,
                                                           const WindowOptions& options,
                                                           int n_threads = 1);

/// `ewm_mean_into` returning a fresh vector.
[[nodiscard]] QUICKSTOCK_API std::vector<double> ewm_mean(const RaggedColumn& in,
                                                          double alpha,
                                                          std::int64_t min_periods = 1,
                                                          std::int64_t lag = 0,
                                                          int n_threads = 1);

}  // namespace quickstock
