#pragma once

/// @file
/// Intermittent demand models: Croston (1972), its Syntetos–Boylan bias-corrected variant (SBA,
/// 2005), TSB (Teunter, Syntetos & Babai 2011), ADIDA (Nikolopoulos et al. 2011) and IMAPA
/// (Petropoulos & Kourentzes 2015). Point forecasts follow R `forecast::croston` (Croston) and
/// the published methods (the others); every model also gives a full predictive distribution
/// per step, a compound of demand occurrence and demand size, so its quantiles are real counts.
/// See docs/intermittent.md.

#include <cstdint>
#include <optional>
#include <string>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/models/forecast.hpp>

namespace quickstock {

/// Family of the demand-size distribution S (demand in a step given that demand occurs).
enum class SizeFamily {
  degenerate,         ///< S is the constant `size_mean` (all observed sizes equal)
  poisson,            ///< S = 1 + Poisson (count data whose sizes are not over-dispersed)
  negative_binomial,  ///< S = 1 + negative binomial (over-dispersed count data)
  gamma               ///< S ~ Gamma (non-integer data, e.g. kilograms)
};

/// One fitted intermittent model of one series: a flat point forecast and the per-step
/// predictive distribution D = B·S, B ~ Bernoulli(`p`) independent of the size S.
///
/// For count data S is 1 + NB (or 1 + Poisson, or a constant) with mean `size_mean` and the
/// variance-to-mean ratio of S − 1 observed on the non-zero history (`size_dispersion`); for
/// non-integer data S is Gamma with mean `size_mean` and the observed coefficient of variation.
/// `p · size_mean` equals the point forecast `mean`.
struct IntermittentFitted {
  double mean = 0.0;       ///< point forecast of every step
  double p = 0.0;          ///< probability that demand occurs in a step, in [0, 1]
  double size_mean = 0.0;  ///< E[S]
  SizeFamily family = SizeFamily::degenerate;
  /// Count data: Var(S − 1) / E(S − 1) of the non-zero history (1 = Poisson);
  /// non-integer data: Var(S) / E(S)² (squared coefficient of variation).
  double size_dispersion = 0.0;
  bool integer = true;           ///< quantiles are integers (see the specs' `integer`)
  std::int64_t aggregation = 1;  ///< ADIDA: aggregation level; IMAPA: largest level; else 1
  std::int64_t n_demands = 0;    ///< number of non-zero observations
  /// Censored fits (`censor_column` >= 0): demands whose size was censored (a stockout day
  /// with a positive sale); 0 otherwise.
  std::int64_t n_censored = 0;
  std::string fallback;  ///< non-empty when a documented fallback rule was used

  /// Forecast `options.h` steps: `mean` at every step, and the quantiles of the compound
  /// distribution (the same at every step; the model has no trend or season). A level τ at or
  /// below P(D = 0) = 1 − p gives 0. Integer quantiles are the smallest k with P(D ≤ k) ≥ τ;
  /// otherwise, for count data, the CDF is interpolated linearly between integers (a
  /// continuous quantile in (k − 1, k]); for non-integer data the Gamma quantile. Quantiles are
  /// never negative; `options.nonnegative` has no effect.
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const;
  /// `n_paths × h` sample paths: every step an independent draw of D = B·S (the model's
  /// steps are independent and identically distributed). Count data give non-negative
  /// integers (also with `integer` false, whose interpolated quantiles they match within one
  /// unit); non-integer data Gamma sizes (rounded up with `integer`). docs/sample-paths.md.
  [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng) const;
  /// The mean as one component, `level` (the model has no trend or season).
  [[nodiscard]] Contributions contributions(const ForecastOptions& options) const {
    return Contributions{{"level"}, Eigen::MatrixXd::Constant(options.h, 1, mean)};
  }
  /// The quantile of level `tau` in (0, 1) (see `forecast`).
  [[nodiscard]] double quantile(double tau) const;
  friend bool operator==(const IntermittentFitted& a, const IntermittentFitted& b) noexcept {
    return a.mean == b.mean && a.p == b.p && a.size_mean == b.size_mean && a.family == b.family &&
           a.size_dispersion == b.size_dispersion && a.integer == b.integer &&
           a.aggregation == b.aggregation && a.n_demands == b.n_demands &&
           a.n_censored == b.n_censored && a.fallback == b.fallback;
  }
};

/// Croston's method (Croston 1972) as R `forecast::croston(y, alpha = 0.1)`: simple exponential
/// smoothing (SES) with fixed `alpha` of the non-zero sizes z and of the intervals x between
/// them (the first interval counted from the start of the series), each started at its first
/// value; forecast z / x. Occurrence p = 1 / x, size mean z.
///
/// `integer`: nullopt (default) gives integer quantiles when every observation is an integer;
/// true always (the quantile of ⌈D⌉ for non-integer data); false never (interpolated).
///
/// Fallbacks (`fallback` says which): an all-zero series forecasts 0 with all quantiles 0; a
/// series with one non-zero value forecasts it divided by its position (as R); a series with
/// fewer than two non-zero values, or whose sizes are under-dispersed, gets Poisson sizes.
///
/// **Censored demand** (`censor_column` >= 0, the panel covariate column flagging stockout
/// days: demand >= sales): a stockout day with sales 0 carries no information and is skipped
/// (intervals are counted in informative days); a stockout day with sales c > 0 is a demand
/// occurrence whose size is only known to be >= c. Its size enters the smoothing as
/// E[S | S >= c] under the Kaplan–Meier estimate of the size distribution (Kaplan & Meier
/// 1958; the self-consistent estimate of Efron 1967), whose variance also sets the size
/// dispersion. Without censored days the fit is the uncensored one exactly. See
/// docs/intermittent.md.
///
/// **Example**
/// ```cpp
/// auto fitted = quickstock::fit_panel(quickstock::Croston{}, panel, 4);
/// auto fc = fitted.forecast({28, {0.1, 0.5, 0.9}});
/// ```
struct Croston {
  using Fitted = IntermittentFitted;
  double alpha = 0.1;               ///< smoothing of sizes and intervals, in (0, 1]
  std::optional<bool> integer;      ///< integer quantiles (see above)
  std::int64_t censor_column = -1;  ///< panel covariate column flagging censored days (-1: none)
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const Croston& a, const Croston& b) noexcept {
    return a.alpha == b.alpha && a.integer == b.integer && a.censor_column == b.censor_column;
  }
};

/// Syntetos–Boylan Approximation (Syntetos & Boylan 2005): Croston's forecast times
/// (1 − alpha / 2), which removes Croston's bias. Occurrence p = (1 − alpha / 2) / x, size mean
/// z. Same `integer`, fallbacks and censored demand as `Croston`.
struct CrostonSBA {
  using Fitted = IntermittentFitted;
  double alpha = 0.1;               ///< smoothing of sizes and intervals, in (0, 1]
  std::optional<bool> integer;      ///< integer quantiles (see `Croston`)
  std::int64_t censor_column = -1;  ///< censored days (see `Croston`; -1: none)
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const CrostonSBA& a, const CrostonSBA& b) noexcept {
    return a.alpha == b.alpha && a.integer == b.integer && a.censor_column == b.censor_column;
  }
};

/// Teunter–Syntetos–Babai (2011): the demand probability p is smoothed every step with
/// `alpha_p` (towards 1 when demand occurs, towards 0 otherwise), the size z only when demand
/// occurs with `alpha_d`; p starts at the first step's indicator, z at the first non-zero size;
/// forecast p·z. Same `integer` and fallbacks as `Croston`. Censored demand as `Croston`: p is
/// updated on informative days only (a stockout day with sales 0 is skipped, one with sales > 0
/// is an occurrence), censored sizes enter as their Kaplan–Meier conditional mean.
struct TSB {
  using Fitted = IntermittentFitted;
  double alpha_d = 0.1;             ///< smoothing of the demand size, in (0, 1]
  double alpha_p = 0.1;             ///< smoothing of the demand probability, in (0, 1]
  std::optional<bool> integer;      ///< integer quantiles (see `Croston`)
  std::int64_t censor_column = -1;  ///< censored days (see `Croston`; -1: none)
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const TSB& a, const TSB& b) noexcept {
    return a.alpha_d == b.alpha_d && a.alpha_p == b.alpha_p && a.integer == b.integer &&
           a.censor_column == b.censor_column;
  }
};

/// Aggregate–disaggregate intermittent demand approach (ADIDA; Nikolopoulos, Syntetos, Boylan,
/// Petropoulos & Assimakopoulos 2011): the series is summed over non-overlapping buckets of k
/// steps, k the mean interval between demands rounded (at least 1), aligned so that the last
/// bucket ends at the last observation (older leftovers dropped); SES with alpha chosen in
/// [0.1, 0.3] by a bracketing search (to 1e-6) on the in-sample squared one-step error forecasts
/// the next bucket, and the forecast per step is that divided by k. Predictive distribution: size
/// mean from Croston's size smoothing (alpha 0.1), p = forecast / size mean (capped at 1, the
/// size mean then raised to the forecast). Same `integer` and fallbacks as `Croston`.
struct ADIDA {
  using Fitted = IntermittentFitted;
  std::optional<bool> integer;  ///< integer quantiles (see `Croston`)
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const ADIDA& a, const ADIDA& b) noexcept { return a.integer == b.integer; }
};

/// Intermittent multiple aggregation prediction algorithm (IMAPA; Petropoulos & Kourentzes
/// 2015): the ADIDA forecast at every aggregation level 1 … K, K the rounded mean interval
/// between demands, averaged with equal weights. Predictive distribution as `ADIDA`.
struct IMAPA {
  using Fitted = IntermittentFitted;
  std::optional<bool> integer;  ///< integer quantiles (see `Croston`)
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const IMAPA& a, const IMAPA& b) noexcept { return a.integer == b.integer; }
};

/// Checks a spec's parameters. @throws invalid_input naming the parameter.
QUICKSTOCK_API void validate(const Croston& spec);
QUICKSTOCK_API void validate(const CrostonSBA& spec);
QUICKSTOCK_API void validate(const TSB& spec);
QUICKSTOCK_API void validate(const ADIDA& spec);
QUICKSTOCK_API void validate(const IMAPA& spec);

}  // namespace quickstock
