#pragma once

/// @file
/// Baseline models: Naive, SeasonalNaive, HistoricAverage, WindowAverage, SeasonalWindowAverage
/// and RandomWalkWithDrift, with the analytic prediction intervals of R's `forecast` package
/// (`naive`, `snaive`, `rwf(drift = TRUE)`, `meanf`) where it gives them.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/models/forecast.hpp>

namespace quickstock {

/// A location-scale forecast rule shared by the baselines: the mean repeats `cycle` and adds
/// `drift` per step; the variance at step h is
/// `scale² · (var_step * ceil(h / step_period) + drift_var * h² + var_const)` (`scale` is a
/// power of two, so that huge data do not overflow the squares); quantiles are
/// Normal, or Student t with `df` degrees of freedom when `df` is finite.
struct BaselineFitted {
  Eigen::VectorXd cycle;         ///< last values repeated by the point forecast (length >= 1)
  double drift = 0.0;            ///< added per step ahead
  double var_step = 0.0;         ///< variance added per completed cycle of `step_period` steps
  std::int64_t step_period = 0;  ///< 0: the variance does not grow with h
  double drift_var = 0.0;        ///< variance of the drift estimate
  double var_const = 0.0;        ///< variance present at every step
  double scale = 1.0;            ///< unit of the variances: variance in data units = var × scale²
  double df = std::numeric_limits<double>::infinity();  ///< Student t degrees of freedom
  std::string fallback;  ///< non-empty when a documented fallback rule was used (says which)

  /// Forecast `options.h` steps with `options.quantiles`.
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const;
  /// `n_paths × h` joint sample paths (uncensored, data units) consistent with the intervals:
  /// one Normal innovation per step accumulated over the steps of its phase (the random walk
  /// of Naive and RandomWalkWithDrift; SeasonalNaive's walk per season position), an iid
  /// error per step for the constant variance (WindowAverage), and one error shared by all
  /// steps for the drift estimate (RandomWalkWithDrift) and the mean estimate
  /// (HistoricAverage); with a finite `df` every path is scaled by one sqrt(df / χ²_df), so
  /// each step is Student t as the intervals. docs/sample-paths.md.
  [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng) const;
  /// The uncensored mean split into `level` (the cycle's mean; the last value or the average for
  /// a one-value cycle), `trend` (`drift · j`, when the drift is not 0) and `season` (the
  /// cycle's value minus its mean, when the cycle has more than one value).
  [[nodiscard]] Contributions contributions(const ForecastOptions& options) const;
  friend bool operator==(const BaselineFitted& a, const BaselineFitted& b) noexcept;
};

/// Last value carried forward (R `forecast::naive`). Interval variance: σ²·h with σ² the mean
/// squared one-step change. One observation: zero width.
struct Naive {
  using Fitted = BaselineFitted;
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const Naive&, const Naive&) noexcept { return true; }
};

/// Value of the same season one cycle back (R `forecast::snaive`). Variance σ²·⌈h/m⌉ with σ² the
/// mean squared seasonal difference. Series shorter than one season fall back to `Naive`.
struct SeasonalNaive {
  using Fitted = BaselineFitted;
  std::int64_t season_length = 1;  ///< m >= 1
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const SeasonalNaive& a, const SeasonalNaive& b) noexcept {
    return a.season_length == b.season_length;
  }
};

/// Mean of the whole history (R `forecast::meanf`): Student t intervals with n − 1 degrees of
/// freedom and scale s·√(1 + 1/n). One observation: zero width.
struct HistoricAverage {
  using Fitted = BaselineFitted;
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const HistoricAverage&, const HistoricAverage&) noexcept { return true; }
};

/// Mean of the last `window_size` values. Normal intervals of constant width from the in-sample
/// one-step errors of the same rule (window shortened where history is shorter).
struct WindowAverage {
  using Fitted = BaselineFitted;
  std::int64_t window_size = 1;  ///< k >= 1
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const WindowAverage& a, const WindowAverage& b) noexcept {
    return a.window_size == b.window_size;
  }
};

/// For each season position, the mean of the last `window_size` values at that position. Normal
/// intervals of constant width from the in-sample errors of the same rule. Series shorter than
/// one season fall back to `WindowAverage(window_size)`.
struct SeasonalWindowAverage {
  using Fitted = BaselineFitted;
  std::int64_t season_length = 1;  ///< m >= 1
  std::int64_t window_size = 1;    ///< k >= 1
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const SeasonalWindowAverage& a, const SeasonalWindowAverage& b) noexcept {
    return a.season_length == b.season_length && a.window_size == b.window_size;
  }
};

/// Random walk with drift (R `forecast::rwf(drift = TRUE)`): last value plus h times the mean
/// one-step change; variance σ²·h + h²·se(drift)². Fewer than three observations: no drift
/// uncertainty; one observation: no drift, zero width.
struct RandomWalkWithDrift {
  using Fitted = BaselineFitted;
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const RandomWalkWithDrift&, const RandomWalkWithDrift&) noexcept {
    return true;
  }
};

/// Checks a spec's parameters. @throws invalid_input naming the parameter.
QUICKSTOCK_API void validate(const Naive& spec);
QUICKSTOCK_API void validate(const SeasonalNaive& spec);
QUICKSTOCK_API void validate(const HistoricAverage& spec);
QUICKSTOCK_API void validate(const WindowAverage& spec);
QUICKSTOCK_API void validate(const SeasonalWindowAverage& spec);
QUICKSTOCK_API void validate(const RandomWalkWithDrift& spec);

}  // namespace quickstock
