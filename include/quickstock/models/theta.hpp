#pragma once

/// @file
/// The Theta family: the standard Theta method of Assimakopoulos & Nikolopoulos (2000) as
/// R's `forecast::thetaf` computes it (simple exponential smoothing with drift, Hyndman &
/// Billah 2003), and the four state space theta models of Fiorucci, Pellegrini, Louzada,
/// Petropoulos & Koehler (2016), "Models for optimising the theta method and their
/// relationship to state space models", IJF 32(4): standard (STM), optimised (OTM), dynamic
/// standard (DSTM) and dynamic optimised (DOTM), with `AutoTheta` choosing among them by
/// in-sample MSE. Seasonal series (R thetaf's 90% ACF test) are deseasonalised by classical
/// decomposition, forecast, and reseasonalised. See docs/theta.md.

#include <cstdint>
#include <string>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/models/forecast.hpp>

namespace quickstock {

/// How a seasonal series is deseasonalised (classical decomposition, R `decompose`).
enum class DecompositionType { multiplicative, additive };

/// Which member of the Theta family a fit is.
enum class ThetaMethod {
  thetaf,  ///< R `forecast::thetaf`: SES (R `ses`) plus half the regression slope as drift
  stm,     ///< Fiorucci et al. standard theta model (theta = 2), alpha and l0 by MSE
  otm,     ///< optimised theta model: theta, alpha and l0 by MSE
  dstm,    ///< dynamic standard theta model: A_t, B_t updated each step, theta = 2
  dotm,    ///< dynamic optimised theta model
  naive    ///< fallback: the last value, random walk variance
};

/// One fitted Theta model of one series.
struct ThetaFitted {
  ThetaMethod method = ThetaMethod::thetaf;
  double alpha = 0.0;          ///< smoothing parameter
  double theta = 2.0;          ///< theta coefficient (2 for thetaf, STM, DSTM)
  double initial_level = 0.0;  ///< l0 (R ses' `l`, or Fiorucci's initial smoothed level)
  double drift = 0.0;          ///< thetaf only: half the least-squares slope (R's `drift`)
  // State after the last observation (deseasonalised, units of `scale`).
  double level = 0.0;   ///< smoothed level l_n
  double mean_y = 0.0;  ///< running mean of the deseasonalised series
  double a = 0.0;       ///< intercept A_n of the theta = 0 line
  double b = 0.0;       ///< slope B_n of the theta = 0 line
  double sigma2 = 0.0;  ///< one-step error variance (deseasonalised, units of `scale`²)
  double mse = 0.0;     ///< in-sample MSE of the one-step errors (data units², see docs)
  std::int64_t n_obs = 0;
  std::int64_t season_length = 1;  ///< m of the spec
  bool seasonal = false;           ///< deseasonalised before fitting
  DecompositionType decomposition = DecompositionType::multiplicative;  ///< as used
  /// Seasonal indices of the forecast steps: step j uses `season_index[j % m]` (empty when
  /// not seasonal).
  Eigen::VectorXd season_index;
  double scale = 1.0;    ///< power of two the data were divided by for fitting
  std::string fallback;  ///< non-empty when a documented fallback rule was used

  /// The fitted model's name: `"Theta"`, `"STM"`, `"OTM"`, `"DSTM"`, `"DOTM"` or `"Naive"`.
  [[nodiscard]] std::string method_name() const;
  /// Forecast `options.h` steps. Quantiles are Normal: for thetaf R's intervals exactly
  /// (σ·sqrt(1 + j·α²) around the reseasonalised mean, σ² the SES residual variance); for the
  /// Fiorucci models the exact h-step variance of the linear state space model (the forecast
  /// is linear in the future errors, whose weights are propagated through the state
  /// recursion), quantiles reseasonalised with the mean. With `options.nonnegative`, mean
  /// and quantiles are censored at 0.
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const;
  /// `n_paths × h` joint sample paths (uncensored, data units): the linear state space form
  /// the intervals come from, driven by Normal errors e_j ~ N(0, σ²): the forecast is linear
  /// in them (naive: a random walk; thetaf: SES with drift, weight α on past errors; Fiorucci
  /// models: the weights carried through the state recursion), reseasonalised as the
  /// quantiles are. docs/sample-paths.md.
  [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng) const;
  /// The uncensored mean split into `level` (the smoothed level l_n of the theta = 2 line),
  /// `trend` (the rest of the deseasonalised forecast: R thetaf's drift term, or the theta = 0
  /// line's part of the Fiorucci forecast) and, when seasonal, `season` (additive index, or the
  /// exact Shapley split of `(level + trend)·index` against the baseline index 1). The naive
  /// fallback has `level` only.
  [[nodiscard]] Contributions contributions(const ForecastOptions& options) const;
  friend bool operator==(const ThetaFitted& a, const ThetaFitted& b) noexcept;
};

/// The standard Theta method, exactly as R `forecast::thetaf(y, h)`: when the series is
/// seasonal (m > 1, n > 2m and |r_m| above the 90% bound of R's ACF test) it is divided by
/// the seasonal indices of a multiplicative classical decomposition; SES is fitted as R's
/// `ses` (ETS(A,N,N) minimising the MSE by Nelder–Mead from R's starting values); the
/// forecast is the SES forecast plus half the least-squares slope times
/// `j + (1 − (1 − α)^n)/α`, reseasonalised.
///
/// Fallbacks (`fallback` says which; never an error for a valid spec): a constant series
/// gets a flat forecast of zero width; a series of fewer than 3 points gets the naive
/// forecast, one of 3 to 6 points R's Holt–Winters estimate of alpha (l0 = y[0]); a seasonal spec
/// on a series of at most 2m points is not deseasonalised; multiplicative decomposition of data
/// that are not strictly positive becomes additive; seasonal indices below 1e-4 turn
/// deseasonalisation off (as R).
///
/// **Example**
/// ```cpp
/// auto fitted = quickstock::fit_panel(quickstock::Theta{12}, panel, 4);
/// auto fc = fitted.forecast({24, {0.1, 0.5, 0.9}});
/// ```
struct Theta {
  using Fitted = ThetaFitted;
  std::int64_t season_length = 1;  ///< m >= 1
  DecompositionType decomposition_type = DecompositionType::multiplicative;
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const Theta& a, const Theta& b) noexcept {
    return a.season_length == b.season_length && a.decomposition_type == b.decomposition_type;
  }
};

/// Optimised Theta model (OTM, Fiorucci et al. 2016): theta >= 1, alpha in [0.1, 0.99] and
/// the initial level minimise the in-sample MSE of the one-step errors (after a burn-in of
/// 3, as statsforecast). For each alpha the MSE is quadratic in (l0, 1 − 1/theta), solved in
/// closed form; alpha is found by a grid and Brent's method. Same seasonality handling and
/// fallbacks as `Theta` (a series of fewer than 5 points gets the naive forecast).
struct OptimizedTheta {
  using Fitted = ThetaFitted;
  std::int64_t season_length = 1;  ///< m >= 1
  DecompositionType decomposition_type = DecompositionType::multiplicative;
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const OptimizedTheta& a, const OptimizedTheta& b) noexcept {
    return a.season_length == b.season_length && a.decomposition_type == b.decomposition_type;
  }
};

/// Dynamic standard Theta model (DSTM, Fiorucci et al. 2016): theta = 2, the theta = 0 line's
/// coefficients A_t, B_t updated at every observation; alpha and l0 by MSE as `OptimizedTheta`.
struct DynamicTheta {
  using Fitted = ThetaFitted;
  std::int64_t season_length = 1;  ///< m >= 1
  DecompositionType decomposition_type = DecompositionType::multiplicative;
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const DynamicTheta& a, const DynamicTheta& b) noexcept {
    return a.season_length == b.season_length && a.decomposition_type == b.decomposition_type;
  }
};

/// Dynamic optimised Theta model (DOTM, Fiorucci et al. 2016): dynamic A_t, B_t and theta,
/// alpha, l0 by MSE as `OptimizedTheta`.
struct DynamicOptimizedTheta {
  using Fitted = ThetaFitted;
  std::int64_t season_length = 1;  ///< m >= 1
  DecompositionType decomposition_type = DecompositionType::multiplicative;
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const DynamicOptimizedTheta& a, const DynamicOptimizedTheta& b) noexcept {
    return a.season_length == b.season_length && a.decomposition_type == b.decomposition_type;
  }
};

/// How `AutoTheta` chooses among STM, OTM, DSTM and DOTM.
enum class ThetaSelection {
  holdout,  ///< smallest squared error forecasting the last season (10 points if m = 1, at
            ///< most n/4) from fits to the rest; the winner is refitted to the whole series
  mse       ///< smallest in-sample MSE of the one-step errors (Fiorucci et al.; statsforecast)
};

/// Automatic Theta (Fiorucci et al. 2016; statsforecast `AutoTheta`): chooses among STM, OTM,
/// DSTM and DOTM fitted to the (deseasonalised) series. By default by a holdout: the in-sample
/// MSE of Fiorucci et al. (`ThetaSelection::mse`, ties to the simpler model) favours the
/// static models, whose theta = 0 line is fitted to the whole series including the points it
/// predicts, and picks random-walk-with-drift-like OTM fits that extrapolate worse (docs/theta.md
/// gives the M4 figures). A series too short for a holdout (fewer than 10 points left) uses
/// the in-sample MSE.
///
/// **Example**
/// ```cpp
/// auto fitted = quickstock::fit_panel(quickstock::AutoTheta{24}, panel, 4);
/// ```
struct AutoTheta {
  using Fitted = ThetaFitted;
  std::int64_t season_length = 1;  ///< m >= 1
  DecompositionType decomposition_type = DecompositionType::multiplicative;
  ThetaSelection selection = ThetaSelection::holdout;  ///< how the model is chosen
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  friend bool operator==(const AutoTheta& a, const AutoTheta& b) noexcept {
    return a.season_length == b.season_length && a.decomposition_type == b.decomposition_type &&
           a.selection == b.selection;
  }
};

/// Checks a spec. @throws invalid_input naming "season_length".
QUICKSTOCK_API void validate(const Theta& spec);
/// Checks a spec. @throws invalid_input naming "season_length".
QUICKSTOCK_API void validate(const OptimizedTheta& spec);
/// Checks a spec. @throws invalid_input naming "season_length".
QUICKSTOCK_API void validate(const DynamicTheta& spec);
/// Checks a spec. @throws invalid_input naming "season_length".
QUICKSTOCK_API void validate(const DynamicOptimizedTheta& spec);
/// Checks a spec. @throws invalid_input naming "season_length".
QUICKSTOCK_API void validate(const AutoTheta& spec);

/// `"holdout"` or `"mse"`.
QUICKSTOCK_API std::string to_string(ThetaSelection s);
/// Parses `"holdout"` or `"mse"`. @throws invalid_input naming "selection" for anything else.
QUICKSTOCK_API ThetaSelection parse_theta_selection(const std::string& s);
/// `"multiplicative"` or `"additive"`.
QUICKSTOCK_API std::string to_string(DecompositionType d);
/// Parses `"multiplicative"` or `"additive"`.
/// @throws invalid_input naming "decomposition_type" for anything else.
QUICKSTOCK_API DecompositionType parse_decomposition_type(const std::string& s);

}  // namespace quickstock
