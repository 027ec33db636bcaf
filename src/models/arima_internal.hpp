#pragma once

// Internals shared by arima.cpp (estimation, forecasting) and auto_arima.cpp (order search).

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <quickstock/models/arima.hpp>

namespace quickstock::detail {

/// One candidate model of the estimation core: orders, method, regressors.
struct ArimaCoreSpec {
  int p = 0, d = 0, q = 0;
  int sp = 0, sd = 0, sq = 0;  // P, D, Q
  int m = 1;                   // period (1: no seasonal part)
  ARIMAMethod method = ARIMAMethod::css_ml;
  bool intercept = false;  // a column of ones (R's include.mean, only when d + D == 0)
  bool drift = false;      // a column 1..n (forecast's drift)
  bool want_state = true;  // compute the final Kalman state (for forecasting)
  bool fixed = false;      // no optimisation: the regression coefficients are `fixed_beta`
  Eigen::VectorXd fixed_beta;
};

/// What the estimation core returns.
struct ArimaCoreFit {
  bool ok = false;
  Eigen::VectorXd coef;     // R order: arma parameters, then regression coefficients
  int n_free = 0;           // estimated parameters (R's sum(mask))
  double sigma2_raw = 0.0;  // stats::arima's sigma2 (ssq / nu)
  double ssq = 0.0;         // sum of squared (standardized) residuals
  double loglik = std::numeric_limits<double>::quiet_NaN();
  double aic = std::numeric_limits<double>::infinity();  // stats::arima's AIC (inf for CSS)
  std::vector<double> hess_par;  // optimisation-space solution (for the lazy variance check)
  ARIMAFitted fitted;            // everything forecasting needs (sigma2 adjusted later)
};

/// Fits a regression with ARIMA errors as stats::arima (then forecast::Arima's sigma2).
/// `xreg` holds the user regressors (n × k); intercept and drift are added per `spec`.
ArimaCoreFit arima_core(const Eigen::Ref<const Eigen::VectorXd>& y,
                        const Eigen::Ref<const Eigen::MatrixXd>& xreg,
                        const ArimaCoreSpec& spec);

/// forecast's checkarima: true when some coefficient variance (inverse numerical Hessian, as
/// optim computes it) is negative or the Hessian is singular.
bool arima_variance_bad(const Eigen::Ref<const Eigen::VectorXd>& y,
                        const Eigen::Ref<const Eigen::MatrixXd>& xreg,
                        const ArimaCoreSpec& spec,
                        const ArimaCoreFit& fit);

/// Smallest modulus of the roots of 1 − Σφ_i z^i (ar = true) or 1 + Σθ_i z^i, for the
/// multiplicative polynomial with non-seasonal part `a` and seasonal part `s` of period m.
double min_root_modulus(const Eigen::Ref<const Eigen::VectorXd>& a,
                        const Eigen::Ref<const Eigen::VectorXd>& s,
                        int m,
                        bool ar);

/// R's forecast:::is.constant (all.equal to the first value, tolerance 1.5e-8).
bool is_constant(const Eigen::Ref<const Eigen::VectorXd>& x);

/// Lag-`lag` differences applied `times` times.
Eigen::VectorXd diff(const Eigen::Ref<const Eigen::VectorXd>& x, int lag, int times);

/// A fallback fit: ARIMA(0,1,0) when n >= 2, else the constant y[0].
ARIMAFitted fallback_fit(const Eigen::Ref<const Eigen::VectorXd>& y,
                         const Eigen::Ref<const Eigen::MatrixXd>& xreg,
                         const std::string& why);

/// Completes forecast::Arima's statistics (sigma2 = SSE / (n* − k), AICc, BIC) on a core fit.
void finish_fit(ArimaCoreFit& fit, Eigen::Index n, const ArimaCoreSpec& spec);

}  // namespace quickstock::detail

namespace quickstock {

/// `ARIMA::forward` and `AutoARIMA::forward`: `f`'s coefficients applied to `y` and `xreg`.
std::optional<ARIMAFitted> forward_arima(const ARIMAFitted& f,
                                         const Eigen::Ref<const Eigen::VectorXd>& y,
                                         const Eigen::Ref<const RowMatrixXd>& xreg);

}  // namespace quickstock
