#pragma once

/// @file
/// Exponential smoothing state space models (ETS; Hyndman, Koehler, Ord & Snyder, *Forecasting
/// with Exponential Smoothing*, Springer 2008), estimated as R's `forecast::ets` does: R's
/// parameterisation and "both" bounds, R's heuristic initial states, R's likelihood objective
/// minimised over smoothing parameters and initial states by a Nelder–Mead simplex, and AICc
/// selection in `AutoETS`. See docs/ets.md.

#include <cstdint>
#include <optional>
#include <string>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/models/forecast.hpp>

namespace quickstock {

/// Error component of an ETS model.
enum class ErrorType { additive, multiplicative };
/// Trend component of an ETS model (damping is a separate flag).
enum class TrendType { none, additive, multiplicative };
/// Seasonal component of an ETS model.
enum class SeasonType { none, additive, multiplicative };

/// Smoothing parameters in R's parameterisation (`beta` and `gamma` are the state space
/// ones: `beta <= alpha`, `gamma <= 1 - alpha`); unused ones are 0 (`phi` is 1 when undamped).
struct ETSParams {
  double alpha = 0.0;
  double beta = 0.0;
  double gamma = 0.0;
  double phi = 1.0;
  friend bool operator==(const ETSParams& a, const ETSParams& b) noexcept {
    return a.alpha == b.alpha && a.beta == b.beta && a.gamma == b.gamma && a.phi == b.phi;
  }
};

/// One fitted ETS model of one series.
struct ETSFitted {
  ErrorType error = ErrorType::additive;
  TrendType trend = TrendType::none;
  SeasonType season = SeasonType::none;
  bool damped = false;
  std::int64_t season_length = 1;  ///< m of the fitted model (1 without season)
  ETSParams params;
  /// Initial states in R's order `l, b, s1..sm` (`s1` the most recent season), data units.
  Eigen::VectorXd initial_state;
  /// States after the last observation (same order, in units of `scale`).
  Eigen::VectorXd last_state;
  double sigma2 = 0.0;  ///< residual variance, SSE / (n − parameters), in units of `scale`²
                        ///< for additive error (relative errors for multiplicative error)
  double loglik = 0.0;  ///< R's `loglik` (−0.5 × R's objective), data units; NaN (and AICc +inf)
                        ///< for the fixed-alpha fallback, which is not estimated
  double aicc = 0.0;    ///< R's AICc (parameters = smoothing + initial states + 1)
  double aic = 0.0;     ///< R's AIC
  std::int64_t n_obs = 0;
  double scale = 1.0;      ///< power of two the data were divided by for fitting
  std::uint64_t seed = 0;  ///< RNG seed of the simulated intervals (from the data)
  std::string fallback;    ///< non-empty when a documented fallback rule was used

  /// The model as R names it, e.g. `"ETS(M,Ad,M)"`.
  [[nodiscard]] std::string method() const;
  /// Forecast `options.h` steps, with R's `forecast.ets` prediction distributions: Normal
  /// quantiles with the analytic variance of Hyndman et al. (2008) for class 1 (additive error,
  /// no/additive trend and season; Table 6.1), class 2 (multiplicative error, same states) and
  /// class 3 (multiplicative error and season, no/additive trend; its mean is the exact
  /// moment mean, as R reports); the other models (multiplicative trend; additive error with
  /// multiplicative season) get empirical quantiles of 5000 simulated sample paths with a
  /// deterministic seed taken from the series' values. Elsewhere the mean is the point
  /// forecast. With `options.nonnegative`, mean and quantiles are censored at 0.
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const;
  friend bool operator==(const ETSFitted& a, const ETSFitted& b) noexcept;
};

/// A fixed ETS model, e.g. ETS(A,Ad,N) is `ETS{ErrorType::additive, TrendType::additive,
/// SeasonType::none, 1, true}`. Smoothing parameters and initial states are estimated.
///
/// Fallbacks (documented in docs/ets.md, never an error for a valid spec; `fallback` says
/// which): a constant series gets ETS(A,N,N) with alpha = 0.99999 (as R); multiplicative
/// components on data that are not strictly positive become additive; a series not longer
/// than one season loses the season; a series too short for the model (R's
/// `n <= parameters + 4`) or one the model cannot be fitted to gets ETS(A,A,N) (if the spec
/// has a trend and n > 8), else ETS(A,N,N) (n > 6), else ETS(A,N,N) with alpha = 0.99999 and
/// l0 = y[0].
///
/// **Example**
/// ```cpp
/// auto holt = quickstock::make_ets("AAN", 1, true);  // ETS(A,Ad,N)
/// auto fitted = quickstock::fit_panel(holt, panel, 4);
/// ```
struct ETS {
  using Fitted = ETSFitted;
  ErrorType error = ErrorType::additive;
  TrendType trend = TrendType::none;
  SeasonType season = SeasonType::none;
  std::int64_t season_length = 1;  ///< m; must be in [2, 24] when `season` is not none
  bool damped = false;             ///< damped trend (needs a trend)
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const ETS& a, const ETS& b) noexcept {
    return a.error == b.error && a.trend == b.trend && a.season == b.season &&
           a.season_length == b.season_length && a.damped == b.damped;
  }
};

/// Automatic ETS (R `forecast::ets(y, model, damped)`): every allowed candidate is fitted and
/// the smallest AICc wins. `model` has three letters error/trend/season: `A`, `M`, `N`
/// (trend and season), or `Z` for "select"; `Z` trend means N or A (as R's default
/// `allow.multiplicative.trend = FALSE`). Candidates follow R: multiplicative error and
/// season only for strictly positive data; no season when m == 1, m > 24 or n <= m;
/// restricted (unstable) combinations excluded: additive error with multiplicative trend or
/// season, ETS(M,M,A). Same fallbacks as `ETS`.
///
/// **Example**
/// ```cpp
/// auto fitted = quickstock::fit_panel(quickstock::AutoETS{7}, panel, 4);
/// auto fc = fitted.forecast({14, {0.1, 0.5, 0.9}});
/// ```
struct AutoETS {
  using Fitted = ETSFitted;
  std::int64_t season_length = 1;  ///< m >= 1
  std::string model = "ZZZ";       ///< three letters, see above
  std::optional<bool> damped;      ///< nullopt: try both
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const AutoETS& a, const AutoETS& b) noexcept {
    return a.season_length == b.season_length && a.model == b.model && a.damped == b.damped;
  }
};

/// Checks a spec. @throws invalid_input naming the parameter.
QUICKSTOCK_API void validate(const ETS& spec);
QUICKSTOCK_API void validate(const AutoETS& spec);

/// The spec's model code, e.g. `"AAdM"` for ETS(A,Ad,M) (`damped` is shown as `d`).
QUICKSTOCK_API std::string model_code(const ETS& spec);

/// A fixed spec from R's model letters (`"AAN"`, `"MAM"`; no `Z`) and the damping flag.
/// @throws invalid_input (field "model", "season_length" or "damped") for a bad spec.
QUICKSTOCK_API ETS make_ets(const std::string& model, std::int64_t season_length, bool damped);

/// R's ETS objective for given parameters and initial states (`n·log(Σe²)` plus `2·Σlog|ŷ|`
/// for multiplicative error; R's `-2·loglik`), evaluated on `y` as is (no scaling).
/// `initial_state` is R's `initstate`: `l, [b], s1..sm` (all m seasonal states).
/// Returns +inf where R's recursion fails (e.g. a negative multiplicative trend).
QUICKSTOCK_API double ets_objective(const Eigen::Ref<const Eigen::VectorXd>& y,
                                    ErrorType error,
                                    TrendType trend,
                                    SeasonType season,
                                    std::int64_t season_length,
                                    const ETSParams& params,
                                    const Eigen::Ref<const Eigen::VectorXd>& initial_state);

}  // namespace quickstock
