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
  /// `n_paths × h` joint sample paths (uncensored, data units): the state space recursion run
  /// forward from `last_state` with Normal errors of variance `sigma2` (multiplicative errors
  /// truncated at −1, as R's `simulate.ets`), the simulation `forecast` uses for its simulated
  /// classes. docs/sample-paths.md.
  [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng) const;
  /// The uncensored forecast mean split into `level`, `trend` (with a trend) and `season` (with
  /// a season) from the final states: additive forms give `l`, `φ*·b` (φ* = φ + … + φ^j; j
  /// undamped) and `s` exactly; multiplicative trend (`l·b^φ*`) or season (`(·)·s`) get the exact
  /// Shapley split of the product against the baseline level 0, trend factor 1, season factor
  /// 1 (docs/explain.md). Multiplicative error and season (class 3, whose mean is the moment
  /// mean) adds `uncertainty`: mean − point forecast.
  [[nodiscard]] Contributions contributions(const ForecastOptions& options) const;
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
  /// `fitted` applied to `s` with every estimate kept (model, smoothing parameters, initial
  /// states): the recursion is run over `s` and the final states, residual variance and
  /// likelihood are those of `s`, as R's `ets(y, model = fit, use.initial.values = TRUE)`.
  /// nullopt when the estimates do not apply to `s` (a fallback that estimated nothing,
  /// multiplicative components on data not strictly positive, a series too short for the
  /// parameter count, a failing recursion): refit then (see `forward_or_refit`).
  [[nodiscard]] std::optional<Fitted> forward(const Fitted& fitted, const SeriesView& s) const;
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
  /// As `ETS::forward`: the selected model and its estimates applied to `s`, no new search.
  [[nodiscard]] std::optional<Fitted> forward(const Fitted& fitted, const SeriesView& s) const;
  friend bool operator==(const AutoETS& a, const AutoETS& b) noexcept {
    return a.season_length == b.season_length && a.model == b.model && a.damped == b.damped;
  }
};

/// One fitted regression with ETS errors (`ETSX`, docs/ets.md, "ETS with covariates"):
/// additive, y_t = (x_t − x̄)'β + u_t with u_t an additive-error ETS model; or
/// multiplicative, y_t = exp((x_t − x̄)'β)·w_t with w_t a multiplicative-error ETS model.
struct ETSXFitted {
  ETSFitted ets;  ///< the ETS model of u_t = y_t − (x_t − x̄)'β, or of w_t = y_t·exp(−(x_t −
                  ///< x̄)'β) when `multiplicative` (of y when β is empty)
  Eigen::VectorXd beta;    ///< one coefficient per covariate column, data units (log scale
                           ///< when `multiplicative`: exp(β_c) is the factor per unit of x_c);
                           ///< 0 for a column constant over the history (not identifiable)
  Eigen::VectorXd x_mean;  ///< column means of the history covariates (x is centred on them)
  Eigen::MatrixXd beta_cov;  ///< Cov(β̂) = σ²·(Ẽ'Ẽ)⁻¹ at the estimated smoothing parameters and
                             ///< initial states (Ẽ: the covariates filtered by the ETS recursion);
                             ///< when `multiplicative`, the inverse observed information of β
                             ///< (numerical Hessian of the likelihood in β at the other
                             ///< estimates); 0 rows and columns for constant columns
  bool parameter_uncertainty = true;  ///< add x'Cov(β̂)x to the forecast variance (additive)
  bool multiplicative = false;        ///< covariates act on the log scale (error M)
  std::string fallback;  ///< non-empty when a documented fallback rule was used (as ETS's)

  /// "Regression with ETS(A,N,A) errors" when covariates were used, else the ETS name.
  [[nodiscard]] std::string method() const;
  /// Forecast without future covariates: only valid when the fit used none (else
  /// @throws invalid_input, field "X_df"). Equals `ets.forecast(options)` then.
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const;
  /// Forecast `options.h` steps: mean (x_{n+j} − x̄)'β + the ETS point forecast of u; Normal
  /// quantiles with variance Var_u(j) (Hyndman et al. 2008, Table 6.1, class 1) plus, when
  /// `parameter_uncertainty`, (x_{n+j} − x̄)'Cov(β̂)(x_{n+j} − x̄). When `multiplicative`, the
  /// mean and quantiles of the ETS forecast of w (analytic or simulated, as `ETSFitted`) times
  /// exp((x_{n+j} − x̄)'β) (β taken as known). `x_future` has `options.h` rows and the
  /// training covariate columns (0 columns when the fit had none).
  /// @throws invalid_input (field "X_df") for a wrong shape or non-finite value.
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options,
                                        const Eigen::Ref<const RowMatrixXd>& x_future) const;
  /// `n_paths × h` joint sample paths: ETS paths of u (`ETSFitted::sample_paths`) plus
  /// (x_{n+j} − x̄)'β̃ with, when `parameter_uncertainty`, one β̃ ~ N(β̂, Cov(β̂)) per path
  /// (else β̃ = β̂). @throws invalid_input as `forecast`.
  [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng,
                                             const Eigen::Ref<const RowMatrixXd>& x_future) const;
  /// The uncensored mean split into the ETS components of u (`ETSFitted::contributions`) and
  /// one component `x<c>` = (x_{n+j,c} − x̄_c)·β_c per covariate column: a covariate at its
  /// history mean contributes 0. When `multiplicative`, the ETS components of w and the exact
  /// Shapley split of (exp((x − x̄)'β) − 1)·mean_w over the covariates (the game
  /// v(S) = mean_w·Π_{c∈S} exp((x_c − x̄_c)β_c)). @throws invalid_input as `forecast`.
  [[nodiscard]] Contributions contributions(const ForecastOptions& options,
                                            const Eigen::Ref<const RowMatrixXd>& x_future) const;
  /// β̂ per covariate column with standard errors sqrt(diag Cov(β̂)) (the GLS covariance
  /// above); empty when the fit used no covariates (0 and NaN for a constant column).
  [[nodiscard]] CovariateCoefficients coefficients() const;
  friend bool operator==(const ETSXFitted& a, const ETSXFitted& b) noexcept;
};

/// Regression with ETS errors: `y_t = (x_t − x̄)'β + u_t` where `x_t` are the panel's
/// covariate columns (`SeriesView::x`), `x̄` their history means and `u_t` follows an
/// additive-error ETS model (trend N, A or Ad; season N or A). β is profiled out of the
/// likelihood: for each trial of smoothing parameters and initial states it is the
/// generalised least-squares estimate through the ETS filter (the one-step errors are linear
/// in y and β for these models), so the search is the one of `AutoETS` on the same
/// parameters; AICc counts β. Model selection and letters as `AutoETS` (`automatic`) or one
/// fixed model as `ETS` (`automatic = false`; `damped` must then be set). Error `A` or `Z`:
/// the additive form, restricted to additive trend and season (a multiplicative letter
/// becomes additive, noted in `fallback`). Error `M` (strictly positive data): the
/// multiplicative form y_t = exp((x_t − x̄)'β)·w_t, w_t ~ ETS(M, N|A|Ad|M|Md, N|A|M), β
/// estimated jointly with the ETS parameters by the same Nelder–Mead search (on data not
/// strictly positive: the additive form, noted). With no covariate columns (or only columns
/// constant over the history) the fit is exactly `AutoETS`/`ETS` and β is 0. The analogue of R's
/// `Arima(xreg = )` for exponential smoothing; none of R forecast, statsforecast or fable's
/// ETS takes covariates.
///
/// **Example**
/// ```cpp
/// quickstock::ETSX spec{7, "ZZZ", std::nullopt};  // AutoETS(7) + every covariate column
/// auto fitted = spec.fit(panel.series(0));
/// auto fc = fitted.forecast({14, {0.1, 0.5, 0.9}}, x_future);  // 14 × k covariates
/// ```
struct ETSX {
  using Fitted = ETSXFitted;
  static constexpr bool uses_covariates = true;
  std::int64_t season_length = 1;  ///< m >= 1
  std::string model =
      "ZZZ";  ///< three letters as `AutoETS` (fixed letters with `automatic = false`)
  std::optional<bool> damped;  ///< nullopt: try both (automatic only)
  bool automatic = true;       ///< select by AICc as `AutoETS`; false: the one model of `ETS`
  bool parameter_uncertainty = true;  ///< include Var(x'β̂) in the forecast variance
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  /// As `ETS::forward` with β, the covariate means and Cov(β̂) kept: the ETS recursion runs
  /// over the error series y − (x − x̄)'β (or y·exp(−(x − x̄)'β)) of `s`.
  /// @throws invalid_input (field "x") for non-finite covariates.
  [[nodiscard]] std::optional<Fitted> forward(const Fitted& fitted, const SeriesView& s) const;
  friend bool operator==(const ETSX& a, const ETSX& b) noexcept {
    return a.season_length == b.season_length && a.model == b.model && a.damped == b.damped &&
           a.automatic == b.automatic && a.parameter_uncertainty == b.parameter_uncertainty;
  }
};

/// Checks a spec. @throws invalid_input naming the parameter.
QUICKSTOCK_API void validate(const ETS& spec);
QUICKSTOCK_API void validate(const AutoETS& spec);
QUICKSTOCK_API void validate(const ETSX& spec);

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
