#pragma once

/// @file
/// Alerts from actuals against their forecasts: values outside the forecast interval, runs of
/// zero sales the forecast did not expect (a possible stockout or data fault), and level shifts
/// (a long run of actuals on one side of the forecast median). See docs/anomalies.md.

#include <cstddef>
#include <cstdint>
#include <vector>

#include <quickstock/config.hpp>

namespace quickstock {

/// What an alert is about.
enum class AlertKind {
  above_interval,   ///< the actual is above the highest forecast quantile
  below_interval,   ///< the actual is below the lowest forecast quantile
  zero_run,         ///< a run of zero actuals where the lowest forecast quantile was positive
  level_shift_up,   ///< a run of actuals all above the forecast median
  level_shift_down  ///< a run of actuals all below the forecast median
};

/// Thresholds of the detectors.
struct AnomalyOptions {
  std::int64_t min_zero_run = 3;  ///< zero actuals in a row that make a `zero_run` alert, >= 1
  std::int64_t shift_run = 7;     ///< actuals in a row on one side of the median for a shift, >= 2
  friend bool operator==(const AnomalyOptions& a, const AnomalyOptions& b) noexcept {
    return a.min_zero_run == b.min_zero_run && a.shift_run == b.shift_run;
  }
};

/// One alert: series `series`, at position `index` of that series' rows (the last row of a
/// run), with a score (interval breaches: distance beyond the interval in units of the
/// interval's half-width on that side; runs: run length / threshold) and the run length (1 for
/// a single value).
struct Alert {
  std::size_t series = 0;
  std::int64_t index = 0;
  AlertKind kind = AlertKind::above_interval;
  double score = 0.0;
  std::int64_t run_length = 1;
  friend bool operator==(const Alert& a, const Alert& b) noexcept {
    return a.series == b.series && a.index == b.index && a.kind == b.kind && a.score == b.score &&
           a.run_length == b.run_length;
  }
};

/// Detects alerts in `n_series` series stored ragged: rows `offsets[i] .. offsets[i+1]` of each
/// array are series `i`, in time order. `lower`, `median` and `upper` are forecast quantiles
/// (lowest, 0.5 or nearest, highest). Interval breaches inside a reported zero run are not
/// repeated. Results are ordered by series, then row; deterministic for any `n_threads`.
/// @throws invalid_input for bad offsets or options, or non-finite values (field named).
[[nodiscard]] QUICKSTOCK_API std::vector<Alert> detect_anomalies(const std::int64_t* offsets,
                                                                 std::size_t n_series,
                                                                 const double* actual,
                                                                 const double* lower,
                                                                 const double* median,
                                                                 const double* upper,
                                                                 const AnomalyOptions& options = {},
                                                                 int n_threads = 1);

}  // namespace quickstock
