#pragma once

/// @file
/// Seasonal ARIMA models with regression on covariates (regression with ARIMA errors), fitted
/// as R's `stats::arima` / `forecast::Arima` do, and automatic order selection as
/// `forecast::auto.arima` (Hyndman & Khandakar 2008). See docs/arima.md.
///
/// Estimation: conditional sum of squares ("CSS"), exact Gaussian likelihood ("ML") or CSS
/// starting values followed by ML ("CSS-ML", R's default). The exact likelihood runs a Kalman
/// filter on Harvey's state space form of the differenced series (differencing is applied to
/// the series and the covariates, as a diffuse prior on the differencing states does in R),
/// with the exact stationary initial covariance, through the Chandrasekhar recursions
/// (Morf, Sidhu & Kailath 1974; Mélard 1984): O(n·r) per evaluation instead of O(n·r²).
/// AR parameters are optimised through R's transformation (tanh of partial autocorrelations,
/// Jones 1980) by R's BFGS (optim's `vmmin`, numerical gradients with step 1e-3).

#include <cstdint>
#include <optional>
#include <string>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/models/forecast.hpp>

namespace quickstock {

/// An ARIMA order (p, d, q): AR order, differences, MA order.
struct ARIMAOrder {
  std::int64_t p = 0;
  std::int64_t d = 0;
  std::int64_t q = 0;
  friend bool operator==(const ARIMAOrder& a, const ARIMAOrder& b) noexcept {
    return a.p == b.p && a.d == b.d && a.q == b.q;
  }
  friend bool operator!=(const ARIMAOrder& a, const ARIMAOrder& b) noexcept { return !(a == b); }
};

/// Estimation method (R's `method` argument of `arima`).
enum class ARIMAMethod {
  css_ml,  ///< "CSS-ML": CSS estimates as starting values of ML (R's default)
  ml,      ///< "ML": exact likelihood from zero starting values
  css      ///< "CSS": conditional sum of squares only
};

/// Information criterion of `AutoARIMA`.
enum class InformationCriterion { aicc, aic, bic };

/// One fitted regression with (seasonal) ARIMA errors.
struct ARIMAFitted {
  ARIMAOrder order;                ///< (p, d, q) fitted
  ARIMAOrder seasonal_order;       ///< (P, D, Q) fitted
  std::int64_t season_length = 1;  ///< m
  bool intercept = false;          ///< a mean was estimated (only without differencing)
  bool drift = false;              ///< a drift (coefficient of t = 1..n) was estimated
  std::int64_t n_covariates = 0;   ///< covariate columns of the panel used as regressors
  /// Coefficients in R's order: ar1..p, ma1..q, sar1..P, sma1..Q, [intercept], [drift],
  /// covariates.
  Eigen::VectorXd coef;
  double sigma2 = 0.0;  ///< residual variance as forecast::Arima reports it (SSE / (n* − k))
  double loglik = 0.0;  ///< Gaussian log-likelihood (NaN for CSS, whose likelihood is conditional)
  double aic = 0.0;     ///< R's AIC (+inf when not defined)
  double aicc = 0.0;    ///< R's AICc
  double bic = 0.0;     ///< R's BIC
  std::int64_t n_obs = 0;
  Eigen::VectorXd phi;        ///< expanded AR polynomial φ(B)Φ(B^m), coefficients of B^1..
  Eigen::VectorXd theta;      ///< expanded MA polynomial θ(B)Θ(B^m), coefficients of B^1..
  Eigen::VectorXd delta;      ///< differencing: u_t = w_t + Σ delta_i u_{t-i}
  Eigen::VectorXd state;      ///< predicted state a_{n+1|n} of the differenced error process
  Eigen::MatrixXd state_cov;  ///< its covariance P_{n+1|n} in units of sigma2
  Eigen::VectorXd tail;       ///< last d + D·m values of the regression errors y − Xβ
  std::string fallback;       ///< non-empty when a documented fallback rule was used

  /// R's name of the model, e.g. `"ARIMA(0,1,1)(0,1,1)[12]"`, `"ARIMA(1,1,0) with drift"`.
  [[nodiscard]] std::string method() const;
  /// Forecasts `options.h` steps: the mean of the Kalman forecast of the differenced errors,
  /// integrated, plus the regression; Normal quantiles with the exact forecast variance
  /// (state uncertainty at the end of the sample plus the ψ-weights of the full model, as R's
  /// `predict.Arima`). With `options.nonnegative`, mean and quantiles are censored at 0.
  /// @throws invalid_input when the model was fitted with covariates (their future values are
  /// needed: use the overload with `x_future`).
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const;
  /// As above with future covariates: `x_future` has `options.h` rows and the panel's
  /// covariate columns (0 columns when there are none).
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options,
                                        const Eigen::Ref<const RowMatrixXd>& x_future) const;
  /// `n_paths × h` joint sample paths (uncensored, data units) of the fitted process: the
  /// forecast mean (with the regression on `x_future`) plus, per path, a draw of the state
  /// error from N(0, σ²·P_{n+1|n}) carried through the (integrated) state space and the future
  /// innovations ε ~ N(0, σ²) through the ψ-weights of the full model: exactly the Gaussian
  /// joint predictive distribution whose marginals `forecast` reports. docs/sample-paths.md.
  /// @throws invalid_input for a wrong `x_future` shape.
  [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng,
                                             const Eigen::Ref<const RowMatrixXd>& x_future) const;
  /// As above for a model fitted without covariates. @throws invalid_input otherwise.
  [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng) const;
  /// The uncensored mean split into `arima` (the integrated ARMA forecast of the regression
  /// errors), `mean` (the intercept, when estimated), `drift` (drift × t, when estimated) and
  /// `x<k>` = β_k·x_{n+j,k} per covariate. @throws invalid_input for a wrong `x_future` shape.
  [[nodiscard]] Contributions contributions(const ForecastOptions& options,
                                            const Eigen::Ref<const RowMatrixXd>& x_future) const;
  /// The covariate coefficients (the last `n_covariates` entries of `coef`); standard errors
  /// are not kept by the fit (NaN).
  [[nodiscard]] CovariateCoefficients coefficients() const;
  friend bool operator==(const ARIMAFitted& a, const ARIMAFitted& b) noexcept;
};

/// A fixed-order seasonal ARIMA(p,d,q)(P,D,Q)[m] with optional mean or drift, and the panel's
/// covariates as regressors with ARIMA errors: R's `forecast::Arima(y, order, seasonal,
/// xreg, include.mean, include.drift, method)`. The mean is only estimated without
/// differencing and the drift only with at most one difference (as R).
///
/// Fallbacks (docs/arima.md; `fallback` says which): a series too short for the differencing
/// (n ≤ d + D·m) or one the model cannot be estimated on (CSS gives a non-stationary AR part, the
/// optimiser fails) gets ARIMA(0,1,0) (a random walk) when n ≥ 2, else the constant y[0]
/// with zero variance.
///
/// **Example**
/// ```cpp
/// quickstock::ARIMA airline{{0, 1, 1}, {0, 1, 1}, 12};
/// auto fitted = quickstock::fit_panel(airline, panel, 4);
/// ```
struct ARIMA {
  using Fitted = ARIMAFitted;
  static constexpr bool uses_covariates = true;  ///< history covariates are regressors
  ARIMAOrder order;                              ///< (p, d, q)
  ARIMAOrder seasonal_order;                     ///< (P, D, Q); ignored when season_length is 1
  std::int64_t season_length = 1;                ///< m >= 1
  bool include_mean = true;                      ///< estimate a mean when d + D == 0
  bool include_drift = false;                    ///< estimate a drift when d + D <= 1
  ARIMAMethod method = ARIMAMethod::css_ml;
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  /// `fitted` applied to `s` with every estimate kept (orders, coefficients, σ²): the Kalman
  /// filter runs over the regression errors of `s`, so the state, its covariance and the
  /// likelihood are those of `s`, as R's `Arima(y, model = fit)`. nullopt when the estimates do
  /// not apply (a zero-variance fallback, a series too short for the differencing, other
  /// covariate columns): refit then (see `forward_or_refit`).
  [[nodiscard]] std::optional<Fitted> forward(const Fitted& fitted, const SeriesView& s) const;
  friend bool operator==(const ARIMA& a, const ARIMA& b) noexcept {
    return a.order == b.order && a.seasonal_order == b.seasonal_order &&
           a.season_length == b.season_length && a.include_mean == b.include_mean &&
           a.include_drift == b.include_drift && a.method == b.method;
  }
};

/// Automatic ARIMA (R `forecast::auto.arima`, Hyndman & Khandakar 2008, with R's defaults):
/// seasonal differences D by R's default seasonal-strength rule (`seasonal_test = "seas"`: one
/// seasonal difference when the STL seasonal strength, `seasonal_strength`, exceeds 0.64) or by
/// the OCSB test (`seasonal_test = "ocsb"`), differences d by the KPSS test
/// at 5% (R's interpolation of the critical values), then the stepwise search over
/// (p, q, P, Q, constant) minimising the information criterion, or every model with
/// p + q + P + Q <= max_order when `stepwise` is false. With `approximation` (default: n > 150 or
/// m > 12, as R) the search uses CSS fits with R's likelihood offset and the best models are
/// refitted by CSS-ML. Covariates of the panel are regressors (R's `xreg`).
///
/// Fallbacks: a constant series gets its mean; a series that is constant after differencing gets
/// R's polynomial models; when no model can be fitted, ARIMA(0,1,0) (n >= 2) or the constant
/// y[0].
///
/// **Example**
/// ```cpp
/// auto fitted = quickstock::fit_panel(quickstock::AutoARIMA{24}, panel, 4);
/// ```
struct AutoARIMA {
  using Fitted = ARIMAFitted;
  static constexpr bool uses_covariates = true;  ///< history covariates are regressors
  std::int64_t season_length = 1;                ///< m >= 1
  std::optional<std::int64_t> d;                 ///< fixed d (nullopt: KPSS tests)
  std::optional<std::int64_t> D;                 ///< fixed D (nullopt: seasonal test)
  std::int64_t max_p = 5;
  std::int64_t max_q = 5;
  std::int64_t max_P = 2;
  std::int64_t max_Q = 2;
  std::int64_t max_order = 5;  ///< max p + q + P + Q of the exhaustive search
  std::int64_t max_d = 2;
  std::int64_t max_D = 1;
  std::int64_t start_p = 2;
  std::int64_t start_q = 2;
  std::int64_t start_P = 1;
  std::int64_t start_Q = 1;
  bool stationary = false;  ///< d = D = 0
  bool seasonal = true;     ///< false: m is taken as 1
  InformationCriterion ic = InformationCriterion::aicc;
  bool stepwise = true;
  std::int64_t nmodels = 94;          ///< model budget of the stepwise search
  std::optional<bool> approximation;  ///< nullopt: n > 150 or m > 12
  /// Seasonal test of `nsdiffs`: "seas" (STL seasonal strength > 0.64, R's default) or "ocsb".
  std::string seasonal_test = "seas";
  bool allow_drift = true;
  bool allow_mean = true;
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  /// As `ARIMA::forward`: the selected model and its coefficients applied to `s`, no search.
  [[nodiscard]] std::optional<Fitted> forward(const Fitted& fitted, const SeriesView& s) const;
  friend bool operator==(const AutoARIMA& a, const AutoARIMA& b) noexcept {
    return a.season_length == b.season_length && a.d == b.d && a.D == b.D && a.max_p == b.max_p &&
           a.max_q == b.max_q && a.max_P == b.max_P && a.max_Q == b.max_Q &&
           a.max_order == b.max_order && a.max_d == b.max_d && a.max_D == b.max_D &&
           a.start_p == b.start_p && a.start_q == b.start_q && a.start_P == b.start_P &&
           a.start_Q == b.start_Q && a.stationary == b.stationary && a.seasonal == b.seasonal &&
           a.ic == b.ic && a.stepwise == b.stepwise && a.nmodels == b.nmodels &&
           a.approximation == b.approximation && a.seasonal_test == b.seasonal_test &&
           a.allow_drift == b.allow_drift && a.allow_mean == b.allow_mean;
  }
};

/// Checks a spec. @throws invalid_input naming the parameter.
QUICKSTOCK_API void validate(const ARIMA& spec);
QUICKSTOCK_API void validate(const AutoARIMA& spec);

/// R's name of a method ("CSS-ML", "ML", "CSS") and back. @throws invalid_input (field "method").
QUICKSTOCK_API std::string to_string(ARIMAMethod method);
QUICKSTOCK_API ARIMAMethod parse_arima_method(const std::string& text);
/// "aicc", "aic", "bic" and back. @throws invalid_input (field "ic").
QUICKSTOCK_API std::string to_string(InformationCriterion ic);
QUICKSTOCK_API InformationCriterion parse_information_criterion(const std::string& text);

/// Fits one series with explicit regressors (R `forecast::Arima(y, ..., xreg = xreg)`); the
/// building block of `ARIMA::fit`, public for embedding. `xreg` has one row per observation.
QUICKSTOCK_API ARIMAFitted fit_arima(const Eigen::Ref<const Eigen::VectorXd>& y,
                                     const Eigen::Ref<const RowMatrixXd>& xreg,
                                     const ARIMA& spec);

/// Automatic ARIMA on one series with explicit regressors (R `auto.arima(y, xreg = xreg)`).
QUICKSTOCK_API ARIMAFitted fit_auto_arima(const Eigen::Ref<const Eigen::VectorXd>& y,
                                          const Eigen::Ref<const RowMatrixXd>& xreg,
                                          const AutoARIMA& spec);

/// KPSS level-stationarity statistic of urca's `ur.kpss(type = "mu", use.lag = lags)`.
QUICKSTOCK_API double kpss_statistic(const Eigen::Ref<const Eigen::VectorXd>& x, std::int64_t lags);
/// Number of differences by repeated KPSS tests at 5% (R `forecast::ndiffs(x, max.d)`).
QUICKSTOCK_API std::int64_t ndiffs(const Eigen::Ref<const Eigen::VectorXd>& x,
                                   std::int64_t max_d = 2);
/// OCSB statistic (t value of the seasonal term) of R `forecast::ocsb.test(x, maxlag = 3,
/// lag.method = "AIC")` with period m; NaN when the regression cannot be fitted.
QUICKSTOCK_API double ocsb_statistic(const Eigen::Ref<const Eigen::VectorXd>& x, std::int64_t m);
/// Seasonal strength of R `forecast:::seas.heuristic` for one period m (Wang, Smith & Hyndman
/// 2006): max(0, min(1, 1 − var(R)/var(S + R))) with S and R the seasonal and remainder
/// components of `stl(x, s.window = 11)` (R's `mstl` of a single-period series). NaN when the
/// STL cannot be computed (m < 2, n <= 2m, non-finite values) or the variance ratio is undefined.
QUICKSTOCK_API double seasonal_strength(const Eigen::Ref<const Eigen::VectorXd>& x, std::int64_t m);
/// Number of seasonal differences as R `forecast::nsdiffs(x, test = test, max.D = max_D)`:
/// `test` "seas" (R's default: difference while the seasonal strength exceeds 0.64) or "ocsb"
/// (the OCSB statistic above its critical value). A test that cannot be computed means no
/// difference, as R's error handler. @throws invalid_input (field "seasonal_test") for another
/// test name.
QUICKSTOCK_API std::int64_t nsdiffs(const Eigen::Ref<const Eigen::VectorXd>& x,
                                    std::int64_t m,
                                    std::int64_t max_D = 1,
                                    const std::string& test = "seas");

namespace detail {

/// Exact Gaussian likelihood pieces of a stationary ARMA(φ, θ) on `w` (unit innovation
/// variance): sum of squared standardized innovations and sum of log innovation variances.
/// `chandrasekhar` false runs the dense O(r²) Kalman filter (the test oracle).
/// Returns false where the model is not stationary or the filter fails.
QUICKSTOCK_API bool arma_likelihood(const Eigen::Ref<const Eigen::VectorXd>& w,
                                    const Eigen::Ref<const Eigen::VectorXd>& phi,
                                    const Eigen::Ref<const Eigen::VectorXd>& theta,
                                    bool chandrasekhar,
                                    double& ssq,
                                    double& sumlog);

/// Stationary covariance of Harvey's ARMA state (r = max(p, q + 1)), unit innovation variance.
QUICKSTOCK_API Eigen::MatrixXd arma_state_covariance(
    const Eigen::Ref<const Eigen::VectorXd>& phi, const Eigen::Ref<const Eigen::VectorXd>& theta);

}  // namespace detail

}  // namespace quickstock
