// Automatic ARIMA as R's forecast::auto.arima 8.20 (Hyndman & Khandakar 2008): KPSS tests for
// the differences, the STL seasonal strength ("seas", R's default) or the OCSB test for the
// seasonal differences, then the stepwise (or exhaustive) search. See docs/arima.md.

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/QR>

#include <quickstock/error.hpp>
#include <quickstock/models/arima.hpp>
#include <quickstock/models/stl.hpp>

#include "arima_internal.hpp"

namespace quickstock {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;

// Least squares without intercept: coefficients, residual sum of squares, t values, rank.
struct LmFit {
  Eigen::VectorXd coef, tval;
  double rss = kNaN;
  Eigen::Index rank = 0, n = 0;
  bool ok = false;
};

LmFit lm(const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  LmFit out;
  out.n = X.rows();
  if (X.rows() <= X.cols() || X.cols() == 0) return out;
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(X);
  out.rank = qr.rank();
  if (out.rank < X.cols()) return out;
  out.coef = qr.solve(y);
  out.rss = (y - X * out.coef).squaredNorm();
  const double s2 = out.rss / static_cast<double>(X.rows() - X.cols());
  const Eigen::MatrixXd inv =
      (X.transpose() * X).ldlt().solve(Eigen::MatrixXd::Identity(X.cols(), X.cols()));
  out.tval.resize(X.cols());
  for (Eigen::Index j = 0; j < X.cols(); ++j) out.tval[j] = out.coef[j] / std::sqrt(s2 * inv(j, j));
  out.ok = true;
  return out;
}

// One OCSB regression with `lag` AR lags on the sample trimmed by `maxlag` (forecast:::fitOCSB).
// Series are indexed by original time t (x[t], t = 0..n−1).
LmFit fit_ocsb(const Eigen::Ref<const Eigen::VectorXd>& x, int m, int lag, int maxlag) {
  const int n = static_cast<int>(x.size());
  auto s = [&](int t) { return x[t] - x[t - m]; };   // diff(x, m), t >= m
  auto f = [&](int t) { return x[t] - x[t - 1]; };   // diff(x), t >= 1
  auto yv = [&](int t) { return s(t) - s(t - 1); };  // diff(diff(x, m)), t >= m + 1
  // AR fit of y on its lags, rows t >= m + 1 + max(maxlag, lag).
  const int t0 = m + 1 + std::max(maxlag, lag);
  if (t0 >= n) return {};
  Eigen::VectorXd b = Eigen::VectorXd::Zero(lag);
  if (lag > 0) {
    Eigen::MatrixXd A(n - t0, lag);
    Eigen::VectorXd yy(n - t0);
    for (int t = t0; t < n; ++t) {
      yy[t - t0] = yv(t);
      for (int k = 1; k <= lag; ++k) A(t - t0, k - 1) = yv(t - k);
    }
    const LmFit ar = lm(A, yy);
    if (!ar.ok) return {};
    b = ar.coef;
  }
  auto z4 = [&](int t) {  // t >= m + lag
    double v = s(t);
    for (int k = 1; k <= lag; ++k) v -= b[k - 1] * s(t - k);
    return v;
  };
  auto z5 = [&](int t) {  // t >= 1 + lag
    double v = f(t);
    for (int k = 1; k <= lag; ++k) v -= b[k - 1] * f(t - k);
    return v;
  };
  // Final regression: y on its lags, Z4 lagged by 1 and Z5 lagged by m.
  Eigen::MatrixXd A(n - t0, lag + 2);
  Eigen::VectorXd yy(n - t0);
  for (int t = t0; t < n; ++t) {
    yy[t - t0] = yv(t);
    for (int k = 1; k <= lag; ++k) A(t - t0, k - 1) = yv(t - k);
    A(t - t0, lag) = z4(t - 1);
    A(t - t0, lag + 1) = z5(t - m);
  }
  return lm(A, yy);
}

double lm_aic(const LmFit& f) {
  const auto N = static_cast<double>(f.n);
  return N * (std::log(2 * kPi) + 1.0 - std::log(N) + std::log(f.rss)) +
         2.0 * (static_cast<double>(f.rank) + 1.0);
}

double ocsb_critical(std::int64_t m) {
  const double lm_ = std::log(static_cast<double>(m));
  return -0.2937411 * std::exp(-0.2850853 * (lm_ - 0.7656451) +
                               (-0.05983644) * ((lm_ - 0.7656451) * (lm_ - 0.7656451))) -
         1.652202;
}

}  // namespace

double kpss_statistic(const Eigen::Ref<const Eigen::VectorXd>& x, std::int64_t lags) {
  const Eigen::Index n = x.size();
  if (n < 2) return kNaN;
  const Eigen::VectorXd res = x.array() - x.mean();
  double cum = 0.0, num = 0.0;
  for (Eigen::Index t = 0; t < n; ++t) {
    cum += res[t];
    num += cum * cum;
  }
  const auto nd = static_cast<double>(n);
  num /= nd * nd;
  double den = res.squaredNorm() / nd;
  const auto lmax = static_cast<Eigen::Index>(std::min<std::int64_t>(lags, n - 1));
  if (lmax > 0) {
    double s = 0.0;
    for (Eigen::Index k = 1; k <= lmax; ++k) {
      const double cov = res.tail(n - k).dot(res.head(n - k));
      s += (1.0 - static_cast<double>(k) / static_cast<double>(lmax + 1)) * cov;
    }
    den += 2.0 / nd * s;
  }
  return num / den;
}

namespace {
// urca p-value by linear interpolation of the KPSS "mu" table, clamped (R approx(rule = 2)).
double kpss_pvalue(double stat) {
  constexpr std::array<double, 4> cval{0.347, 0.463, 0.574, 0.739};
  constexpr std::array<double, 4> pv{0.10, 0.05, 0.025, 0.01};
  if (stat <= cval[0]) return pv[0];
  if (stat >= cval[3]) return pv[3];
  for (std::size_t i = 0; i + 1 < cval.size(); ++i) {
    if (stat <= cval[i + 1]) {
      const double w = (stat - cval[i]) / (cval[i + 1] - cval[i]);
      return pv[i] + w * (pv[i + 1] - pv[i]);
    }
  }
  return pv[3];
}
}  // namespace

std::int64_t ndiffs(const Eigen::Ref<const Eigen::VectorXd>& x0, std::int64_t max_d) {
  Eigen::VectorXd x = x0;
  std::int64_t d = 0;
  if (detail::is_constant(x)) return d;
  auto test = [](const Eigen::VectorXd& v) {
    const auto lags = static_cast<std::int64_t>(
        std::trunc(3.0 * std::sqrt(static_cast<double>(v.size())) / 13.0));
    const double stat = kpss_statistic(v, lags);
    if (!std::isfinite(stat)) return -1;  // R: NA → stop
    return kpss_pvalue(stat) < 0.05 ? 1 : 0;
  };
  int dodiff = test(x);
  if (dodiff < 0) return d;
  while (dodiff == 1 && d < max_d) {
    ++d;
    x = detail::diff(x, 1, 1);
    if (detail::is_constant(x)) return d;
    dodiff = test(x);
    if (dodiff < 0) return d - 1;
  }
  return d;
}

double ocsb_statistic(const Eigen::Ref<const Eigen::VectorXd>& x, std::int64_t m64) {
  const int m = static_cast<int>(m64);
  constexpr int maxlag = 3;
  // AIC over 1..maxlag lags on a common sample; R then uses (argmin − 1) lags.
  double best = kInf;
  int id = -1;
  for (int lag = 1; lag <= maxlag; ++lag) {
    const LmFit f = fit_ocsb(x, m, lag, maxlag);
    if (!f.ok) return kNaN;
    const double aic = lm_aic(f);
    if (aic < best) {
      best = aic;
      id = lag;
    }
  }
  if (id < 0) return kNaN;
  const int use = id - 1;
  const LmFit f = fit_ocsb(x, m, use, use);
  if (!f.ok) return kNaN;
  return f.tval[f.tval.size() - 1];
}

double seasonal_strength(const Eigen::Ref<const Eigen::VectorXd>& x, std::int64_t m) {
  const Eigen::Index n = x.size();
  // R's stl() stops on a series of two periods or fewer; nsdiffs turns the error into "no
  // seasonal difference", as NaN does below.
  if (m < 2 || n <= 2 * m || !x.allFinite()) return kNaN;
  STLOptions o;
  o.period = static_cast<double>(m);
  o.s_window = 11;  // forecast::mstl's first seasonal window, 7 + 4·1
  const STLDecomposition d = stl(x, o);
  auto variance = [](const Eigen::VectorXd& v) {
    const double mu = v.mean();
    return (v.array() - mu).square().sum() / static_cast<double>(v.size() - 1);
  };
  const double vare = variance(d.remainder);
  const double vars = variance(d.remainder + d.seasonal);
  const double s = 1.0 - vare / vars;
  if (!std::isfinite(s)) return kNaN;  // R: NaN > 0.64 is NA, an error in nsdiffs → D = 0
  return std::max(0.0, std::min(1.0, s));
}

std::int64_t nsdiffs(const Eigen::Ref<const Eigen::VectorXd>& x0,
                     std::int64_t m,
                     std::int64_t max_D,
                     const std::string& test) {
  if (test != "seas" && test != "ocsb") {
    detail::raise_argument("seasonal_test",
                           "seasonal_test must be \"seas\" or \"ocsb\" (got \"" + test + "\")");
  }
  const bool seas = test == "seas";
  std::int64_t D = 0;
  Eigen::VectorXd x = x0;
  if (detail::is_constant(x)) return D;
  if (m <= 1 || m >= x.size() || max_D <= 0) return 0;
  auto run = [&](const Eigen::VectorXd& v) {
    if (seas) {
      const double strength = seasonal_strength(v, m);
      return std::isfinite(strength) && strength > 0.64;  // R: error → 0 (no difference)
    }
    const double stat = ocsb_statistic(v, m);
    if (!std::isfinite(stat)) return false;  // R: error → 0 (no difference)
    return stat > ocsb_critical(m);
  };
  bool dodiff = run(x);
  while (dodiff && D < max_D) {
    ++D;
    x = detail::diff(x, static_cast<int>(m), 1);
    if (detail::is_constant(x)) return D;
    if (x.size() >= 2 * m && D < max_D) {
      dodiff = run(x);
    } else {
      dodiff = false;
    }
  }
  return D;
}

void validate(const AutoARIMA& spec) {
  auto nonneg = [](std::int64_t v, const char* field) {
    if (v < 0 || v > 50) {
      detail::raise_argument(
          field, std::string(field) + " must be in [0, 50] (got " + std::to_string(v) + ")");
    }
  };
  if (spec.season_length < 1 || spec.season_length > 1000) {
    detail::raise_argument("season_length", "season_length must be in [1, 1000] (got " +
                                                std::to_string(spec.season_length) + ")");
  }
  nonneg(spec.max_p, "max_p");
  nonneg(spec.max_q, "max_q");
  nonneg(spec.max_P, "max_P");
  nonneg(spec.max_Q, "max_Q");
  nonneg(spec.max_order, "max_order");
  nonneg(spec.start_p, "start_p");
  nonneg(spec.start_q, "start_q");
  nonneg(spec.start_P, "start_P");
  nonneg(spec.start_Q, "start_Q");
  if (spec.max_d < 0 || spec.max_d > 2) detail::raise_argument("max_d", "max_d must be in [0, 2]");
  if (spec.max_D < 0 || spec.max_D > 1) detail::raise_argument("max_D", "max_D must be in [0, 1]");
  if (spec.d && (*spec.d < 0 || *spec.d > 2)) detail::raise_argument("d", "d must be in [0, 2]");
  if (spec.D && (*spec.D < 0 || *spec.D > 1)) detail::raise_argument("D", "D must be in [0, 1]");
  if (spec.nmodels < 1) detail::raise_argument("nmodels", "nmodels must be >= 1");
  if (spec.seasonal_test != "seas" && spec.seasonal_test != "ocsb") {
    detail::raise_argument("seasonal_test", "seasonal_test must be \"seas\" or \"ocsb\" (got \"" +
                                                spec.seasonal_test + "\")");
  }
  const std::int64_t m = spec.season_length;
  if (m > 1 && (spec.max_P * m + spec.max_p >= 120 || spec.max_Q * m + spec.max_q >= 120)) {
    detail::raise_argument("max_P", "max_P·m + max_p and max_Q·m + max_q must be below 120");
  }
}

namespace {

// One candidate of the search (forecast:::myarima).
struct Candidate {
  int p = 0, q = 0, P = 0, Q = 0;
  bool constant = false;
  double ic = kInf;
  bool checked = true;  // forecast's checkarima ran (or the fit was rejected before it)
  bool operator_eq(int p_, int q_, int P_, int Q_, bool c_) const {
    return p == p_ && q == q_ && P == P_ && Q == Q_ && constant == c_;
  }
};

struct Search {
  Search(const Eigen::Ref<const Eigen::VectorXd>& y_, const Eigen::MatrixXd& X_) : y(y_), X(X_) {}
  const Eigen::Ref<const Eigen::VectorXd>& y;
  const Eigen::MatrixXd& X;
  int d = 0, D = 0, m = 1;
  InformationCriterion ic = InformationCriterion::aicc;
  bool approximation = false;
  double offset = 0.0;
  double best_ic = kInf;
  bool last_checked = true;  // the last fit() ran the Hessian check (or was rejected earlier)
  detail::ArimaCoreFit best;
  detail::ArimaCoreSpec best_spec;

  detail::ArimaCoreSpec spec_of(int p, int q, int P, int Q, bool constant, bool approx) const {
    detail::ArimaCoreSpec cs;
    cs.p = p;
    cs.d = d;
    cs.q = q;
    const bool use_season = (P + D + Q) > 0 && m > 1;
    cs.m = use_season ? m : 1;
    cs.sp = use_season ? P : 0;
    cs.sd = use_season ? D : 0;
    cs.sq = use_season ? Q : 0;
    cs.method = approx ? ARIMAMethod::css : ARIMAMethod::css_ml;
    const int diffs = d + D;
    cs.drift = diffs == 1 && constant;
    cs.intercept = diffs == 0 && constant;
    cs.want_state = !approx;
    return cs;
  }

  // Fits one model and returns its criterion (+inf when rejected). Keeps the best fit; the
  // Hessian check of forecast's checkarima runs only when the model would become the best (the
  // only case where it changes the search); `last_checked` says whether it ran, so that the
  // refit order of the approximation can run it later (R checks every candidate).

  // Runs the deferred check on an approximate candidate: true when R would have rejected it.
  bool rejected_by_check(int p, int q, int P, int Q, bool constant, bool approx) const {
    const detail::ArimaCoreSpec cs = spec_of(p, q, P, Q, constant, approx);
    const detail::ArimaCoreFit f = detail::arima_core(y, X, cs);
    return !f.ok || detail::arima_variance_bad(y, X, cs, f);
  }

  double fit(int p, int q, int P, int Q, bool constant, bool approx) {
    const detail::ArimaCoreSpec cs = spec_of(p, q, P, Q, constant, approx);
    detail::ArimaCoreFit f = detail::arima_core(y, X, cs);
    if (!f.ok) return kInf;
    const Eigen::Index n = y.size();
    const double nstar = static_cast<double>(n - d - D * m);
    const double npar = f.n_free + 1.0;
    if (cs.method == ARIMAMethod::css) {
      f.aic = offset + nstar * std::log(f.sigma2_raw) + 2.0 * npar;
    }
    double aic = f.aic, bic = kInf, aicc = kInf;
    if (std::isfinite(aic)) {
      bic = aic + npar * (std::log(nstar) - 2.0);
      aicc = aic + 2.0 * npar * (npar + 1.0) / (nstar - npar - 1.0);
    } else {
      aic = kInf;
    }
    double v = ic == InformationCriterion::aic ? aic : ic == InformationCriterion::bic ? bic : aicc;
    if (std::isnan(v)) v = kInf;
    // Unit-root check on the AR and MA polynomials (min root modulus below 1.01 rejects).
    if (std::isfinite(v)) {
      const Eigen::VectorXd& c = f.coef;
      double minroot = 2.0;
      if (p + cs.sp > 0) {
        minroot = std::min(minroot, detail::min_root_modulus(c.segment(0, p),
                                                             c.segment(p + q, cs.sp), cs.m, true));
      }
      if (q + cs.sq > 0) {
        minroot =
            std::min(minroot, detail::min_root_modulus(
                                  c.segment(p, q), c.segment(p + q + cs.sp, cs.sq), cs.m, false));
      }
      if (minroot < 1.01) v = kInf;
    }
    last_checked = !(std::isfinite(v) && v >= best_ic);
    if (v < best_ic && detail::arima_variance_bad(y, X, cs, f)) v = kInf;
    if (v < best_ic) {
      best_ic = v;
      f.aic = aic;
      best = std::move(f);
      best_spec = cs;
    }
    return v;
  }
};

ARIMAFitted finish(const Eigen::Ref<const Eigen::VectorXd>& y,
                   detail::ArimaCoreFit& fit,
                   const detail::ArimaCoreSpec& cs) {
  detail::finish_fit(fit, y.size(), cs);
  return fit.fitted;
}

}  // namespace

ARIMAFitted fit_auto_arima(const Eigen::Ref<const Eigen::VectorXd>& y,
                           const Eigen::Ref<const RowMatrixXd>& xreg_in,
                           const AutoARIMA& spec) {
  validate(spec);
  const Eigen::Index n = y.size();
  const Eigen::MatrixXd xreg_all = xreg_in;
  if (n == 0) return detail::fallback_fit(y, xreg_all, "empty series");
  // Constant series: the mean (R: Arima(x, order = c(0,0,0), fixed = mean(x))).
  if (detail::is_constant(y)) {
    ARIMAFitted f = detail::fallback_fit(y.head(1), xreg_all, "constant series");
    f.coef[0] = y.mean();
    f.n_obs = n;
    f.fallback = "constant series: its mean";
    return f;
  }
  int m = spec.seasonal ? static_cast<int>(spec.season_length) : 1;
  int max_p = static_cast<int>(std::min<std::int64_t>(spec.max_p, n / 3));
  int max_q = static_cast<int>(std::min<std::int64_t>(spec.max_q, n / 3));
  int max_P = static_cast<int>(std::min<std::int64_t>(spec.max_P, n / 3 / m));
  int max_Q = static_cast<int>(std::min<std::int64_t>(spec.max_Q, n / 3 / m));
  InformationCriterion ic = spec.ic;
  if (n <= 3) ic = InformationCriterion::aic;
  // Regressors: constant columns are dropped (R); the differencing tests run on the residuals of
  // the regression.
  // Constant columns are dropped (R); so are columns collinear with the intercept and the columns
  // kept before them (R stops with "xreg is rank deficient"; demand covariates such as flags can
  // coincide within one series, so we keep the first of them and document it).
  std::vector<Eigen::Index> keep;
  {
    Eigen::MatrixXd A(n, 1);
    A.col(0).setOnes();
    for (Eigen::Index j = 0; j < xreg_all.cols(); ++j) {
      if (detail::is_constant(xreg_all.col(j))) continue;
      Eigen::MatrixXd B(n, A.cols() + 1);
      B << A, xreg_all.col(j);
      Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(B);
      if (qr.rank() < B.cols()) continue;
      A = std::move(B);
      keep.push_back(j);
    }
  }
  Eigen::MatrixXd X(n, static_cast<Eigen::Index>(keep.size()));
  for (std::size_t j = 0; j < keep.size(); ++j) {
    X.col(static_cast<Eigen::Index>(j)) = xreg_all.col(keep[j]);
  }
  Eigen::VectorXd xx = y;
  if (X.cols() > 0) {
    Eigen::MatrixXd A(n, X.cols() + 1);
    A.col(0).setOnes();
    A.rightCols(X.cols()) = X;
    xx = y - A * A.colPivHouseholderQr().solve(y);
  }
  auto any_constant_cols = [](const Eigen::MatrixXd& M) {
    for (Eigen::Index j = 0; j < M.cols(); ++j) {
      if (detail::is_constant(M.col(j))) return true;
    }
    return false;
  };
  auto diff_cols = [](const Eigen::MatrixXd& M, int lag) {
    Eigen::MatrixXd out(std::max<Eigen::Index>(M.rows() - lag, 0), M.cols());
    for (Eigen::Index j = 0; j < M.cols(); ++j) out.col(j) = detail::diff(M.col(j), lag, 1);
    return out;
  };
  int D = 0;
  if (spec.stationary) {
    D = 0;
  } else if (spec.D) {
    D = static_cast<int>(*spec.D);
  }
  if (m == 1) {
    D = 0;
    max_P = max_Q = 0;
  } else if (!spec.D && !spec.stationary) {
    if (n <= 2 * m) {
      D = 0;
    } else {
      D = static_cast<int>(nsdiffs(xx, m, spec.max_D, spec.seasonal_test));
      if (D > 0 && X.cols() > 0 && any_constant_cols(diff_cols(X, m))) --D;
    }
  }
  Eigen::VectorXd dx = D > 0 ? detail::diff(xx, m, D) : xx;
  Eigen::MatrixXd dX = D > 0 ? diff_cols(X, m) : X;
  int d = 0;
  if (spec.stationary) {
    d = 0;
  } else if (spec.d) {
    d = static_cast<int>(*spec.d);
  } else {
    d = static_cast<int>(ndiffs(dx, spec.max_d));
    if (d > 0 && X.cols() > 0 && any_constant_cols(diff_cols(dX, 1))) --d;
  }
  if (d > 0) dx = detail::diff(dx, 1, d);
  if (dx.size() == 0)
    return detail::fallback_fit(y, xreg_all, "not enough data after differencing");
  // Expand X back to all panel columns with zero coefficients for dropped ones at the end.
  auto widen = [&](ARIMAFitted f) {
    if (static_cast<Eigen::Index>(keep.size()) == xreg_all.cols()) return f;
    const Eigen::Index base = f.coef.size() - static_cast<Eigen::Index>(keep.size());
    Eigen::VectorXd c = Eigen::VectorXd::Zero(base + xreg_all.cols());
    c.head(base) = f.coef.head(base);
    for (std::size_t j = 0; j < keep.size(); ++j)
      c[base + keep[j]] = f.coef[base + static_cast<Eigen::Index>(j)];
    f.coef = c;
    f.n_covariates = xreg_all.cols();
    return f;
  };
  if (detail::is_constant(dx)) {
    if (X.cols() > 0) {
      detail::ArimaCoreSpec cs;
      cs.d = d;
      cs.m = D > 0 ? m : 1;
      cs.sd = D > 0 ? D : 0;
      detail::ArimaCoreFit f = detail::arima_core(y, X, cs);
      if (!f.ok) return detail::fallback_fit(y, xreg_all, "perfect regression");
      ARIMAFitted out = widen(finish(y, f, cs));
      out.fallback = "perfect regression";
      return out;
    }
    // R's polynomial models: the differenced series is constant, so the forecast continues the
    // polynomial exactly (zero residual variance).
    ARIMAFitted f;
    f.order = {0, d, 0};
    f.seasonal_order = {0, D, 0};
    f.season_length = D > 0 ? m : 1;
    f.n_obs = n;
    f.n_covariates = xreg_all.cols();
    double beta = 0.0;
    if (D > 0 && d == 0) {
      f.drift = true;
      beta = dx.mean() / m;
      f.fallback = "constant after seasonal differencing: seasonal random walk with drift";
    } else if (D > 0 || d == 2) {
      f.fallback = "constant after differencing: ARIMA(0,d,0)(0,D,0)";
    } else if (d == 1) {
      f.drift = true;
      beta = dx.mean();
      f.fallback = "constant after differencing: line with drift";
    } else {
      f.intercept = true;
      beta = dx.mean();
      f.fallback = "constant after differencing: mean";
    }
    const bool has_beta = f.drift || f.intercept;
    f.coef = Eigen::VectorXd::Zero((has_beta ? 1 : 0) + xreg_all.cols());
    if (has_beta) f.coef[0] = beta;
    std::vector<double> poly{1.0};
    auto mult = [&](int lag) {
      std::vector<double> o(poly.size() + static_cast<std::size_t>(lag), 0.0);
      for (std::size_t i = 0; i < poly.size(); ++i) {
        o[i] += poly[i];
        o[i + static_cast<std::size_t>(lag)] -= poly[i];
      }
      poly = std::move(o);
    };
    for (int i = 0; i < d; ++i) mult(1);
    for (int i = 0; i < D; ++i) mult(m);
    const Eigen::Index nd = static_cast<Eigen::Index>(poly.size()) - 1;
    f.delta.resize(nd);
    for (Eigen::Index i = 0; i < nd; ++i) f.delta[i] = -poly[static_cast<std::size_t>(i + 1)];
    Eigen::VectorXd u = y;
    for (Eigen::Index t = 0; t < n; ++t) {
      if (f.drift) u[t] -= beta * static_cast<double>(t + 1);
      if (f.intercept) u[t] -= beta;
    }
    f.tail = u.tail(nd);
    f.state = Eigen::VectorXd::Zero(1);  // future differenced errors have mean 0 (as R)
    f.state_cov = Eigen::MatrixXd::Zero(1, 1);
    f.phi.resize(0);
    f.theta.resize(0);
    f.sigma2 = 0.0;
    f.loglik = kNaN;
    f.aic = f.aicc = f.bic = kInf;
    return f;
  }
  if (m > 1) {
    if (max_P > 0) max_p = std::min(max_p, m - 1);
    if (max_Q > 0) max_q = std::min(max_q, m - 1);
  }
  const bool approximation = spec.approximation.value_or(n > 150 || m > 12);
  Search s(y, X);
  s.d = d;
  s.D = D;
  s.m = m;
  s.ic = ic;
  s.approximation = approximation;
  if (approximation) {
    detail::ArimaCoreSpec cs;
    cs.d = d;
    cs.m = D > 0 ? m : 1;
    cs.sd = D > 0 ? D : 0;
    cs.intercept = true;  // stats::arima's default include.mean (only used when d + D == 0)
    cs.want_state = false;
    const detail::ArimaCoreFit f = detail::arima_core(y, X, cs);
    s.offset = f.ok ? -2.0 * f.loglik - static_cast<double>(n) * std::log(f.sigma2_raw) : 0.0;
  }
  const bool allowdrift = spec.allow_drift && (d + D) == 1;
  const bool allowmean = spec.allow_mean && (d + D) == 0;
  bool constant = allowdrift || allowmean;
  std::vector<Candidate> results;
  auto record = [&](int p, int q, int P, int Q, bool c, double v) {
    results.push_back({p, q, P, Q, c, v, s.last_checked});
  };
  if (!spec.stepwise) {
    // forecast:::search.arima: every model up to max_order; with the approximation the best is
    // refitted by CSS-ML, and when that refit is rejected the whole search is run again without
    // the approximation.
    auto exhaustive = [&](bool approx) {
      for (int i = 0; i <= max_p; ++i) {
        for (int j = 0; j <= max_q; ++j) {
          for (int I = 0; I <= max_P; ++I) {
            for (int J = 0; J <= max_Q; ++J) {
              if (i + j + I + J > spec.max_order) continue;
              for (int K = 0; K <= (constant ? 1 : 0); ++K) {
                const double v = s.fit(i, j, I, J, K == 1, approx);
                record(i, j, I, J, K == 1, v);
              }
            }
          }
        }
      }
    };
    exhaustive(approximation);
    if (approximation && std::isfinite(s.best_ic)) {
      const detail::ArimaCoreSpec bs = s.best_spec;
      Search refit(y, X);
      refit.d = d;
      refit.D = D;
      refit.m = m;
      refit.ic = ic;
      const bool c = bs.drift || bs.intercept;
      const double v = refit.fit(bs.p, bs.q, bs.sp, bs.sq, c, false);
      if (std::isfinite(v)) {
        s.best = std::move(refit.best);
        s.best_spec = refit.best_spec;
      } else {
        s.best_ic = kInf;
        s.best = detail::ArimaCoreFit{};
        results.clear();
        exhaustive(false);
      }
    }
  } else {
    int start_p = static_cast<int>(spec.start_p), start_q = static_cast<int>(spec.start_q);
    int start_P = static_cast<int>(spec.start_P), start_Q = static_cast<int>(spec.start_Q);
    if (n < 10) {
      start_p = std::min(start_p, 1);
      start_q = std::min(start_q, 1);
      start_P = 0;
      start_Q = 0;
    }
    int p = std::min(start_p, max_p), q = std::min(start_q, max_q);
    int P = std::min(start_P, max_P), Q = std::min(start_Q, max_Q);
    const auto nmodels = static_cast<std::size_t>(spec.nmodels);
    double best = s.fit(p, q, P, Q, constant, approximation);
    record(p, q, P, Q, constant, best);
    auto try_model = [&](int p_, int q_, int P_, int Q_, bool c_) {
      const double v = s.fit(p_, q_, P_, Q_, c_, approximation);
      record(p_, q_, P_, Q_, c_, v);
      if (v < best) {
        best = v;
        return true;
      }
      return false;
    };
    if (try_model(0, 0, 0, 0, constant)) p = q = P = Q = 0;
    if (max_p > 0 || max_P > 0) {
      const int pp = max_p > 0 ? 1 : 0, PP = (m > 1 && max_P > 0) ? 1 : 0;
      if (try_model(pp, 0, PP, 0, constant)) {
        p = pp;
        P = PP;
        q = Q = 0;
      }
    }
    if (max_q > 0 || max_Q > 0) {
      const int qq = max_q > 0 ? 1 : 0, QQ = (m > 1 && max_Q > 0) ? 1 : 0;
      if (try_model(0, qq, 0, QQ, constant)) {
        p = P = 0;
        Q = QQ;
        q = qq;
      }
    }
    if (constant) {
      if (try_model(0, 0, 0, 0, false)) {
        p = q = P = Q = 0;
        constant = false;
      }
    }
    auto is_new = [&](int p_, int q_, int P_, int Q_, bool c_) {
      for (const auto& r : results) {
        if (r.operator_eq(p_, q_, P_, Q_, c_)) return false;
      }
      return true;
    };
    std::size_t k = results.size();
    std::size_t startk = 0;
    while (startk < k && k < nmodels) {
      startk = k;
      // The neighbours, in R's order; the first improvement restarts the loop.
      struct Move {
        int dp, dq, dP, dQ;
        bool toggle;
      };
      static constexpr std::array<Move, 17> moves{{{0, 0, -1, 0, false},
                                                   {0, 0, 0, -1, false},
                                                   {0, 0, 1, 0, false},
                                                   {0, 0, 0, 1, false},
                                                   {0, 0, -1, -1, false},
                                                   {0, 0, -1, 1, false},
                                                   {0, 0, 1, -1, false},
                                                   {0, 0, 1, 1, false},
                                                   {-1, 0, 0, 0, false},
                                                   {0, -1, 0, 0, false},
                                                   {1, 0, 0, 0, false},
                                                   {0, 1, 0, 0, false},
                                                   {-1, -1, 0, 0, false},
                                                   {-1, 1, 0, 0, false},
                                                   {1, -1, 0, 0, false},
                                                   {1, 1, 0, 0, false},
                                                   {0, 0, 0, 0, true}}};
      for (const Move& mv : moves) {
        if (mv.toggle && !(allowdrift || allowmean)) continue;
        const int np = p + mv.dp, nq = q + mv.dq, nP = P + mv.dP, nQ = Q + mv.dQ;
        const bool nc = mv.toggle ? !constant : constant;
        if (np < 0 || nq < 0 || nP < 0 || nQ < 0) continue;
        if (np > max_p || nq > max_q || nP > max_P || nQ > max_Q) continue;
        if (!is_new(np, nq, nP, nQ, nc)) continue;
        ++k;
        if (k > nmodels) break;
        const bool improved = try_model(np, nq, nP, nQ, nc);
        if (improved) {
          p = np;
          q = nq;
          P = nP;
          Q = nQ;
          constant = nc;
          break;
        }
      }
    }
    // Refit by ML when the search used the approximation: best criterion first.
    if (approximation && std::isfinite(s.best_ic)) {
      std::vector<std::size_t> order(results.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t a, std::size_t b) { return results[a].ic < results[b].ic; });
      Search refit(y, X);
      refit.d = d;
      refit.D = D;
      refit.m = m;
      refit.ic = ic;
      bool done = false;
      std::size_t pos = 0;
      while (pos < order.size()) {
        Candidate& c = results[order[pos]];
        if (!c.checked && std::isfinite(c.ic)) {
          // R ran checkarima on this approximate fit during the search: a rejected one has an
          // infinite criterion and is refitted only after every finite one (R's order()).
          c.checked = true;
          if (s.rejected_by_check(c.p, c.q, c.P, c.Q, c.constant, true)) {
            c.ic = kInf;
            std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(pos), order.end(),
                             [&](std::size_t a, std::size_t b) {
                               return results[a].ic < results[b].ic ||
                                      (!(results[b].ic < results[a].ic) && a < b);
                             });
            continue;
          }
        }
        refit.best_ic = kInf;
        const double v = refit.fit(c.p, c.q, c.P, c.Q, c.constant, false);
        if (std::isfinite(v)) {
          done = true;
          break;
        }
        ++pos;
      }
      if (done) {
        s.best = std::move(refit.best);
        s.best_spec = refit.best_spec;
      } else {
        s.best_ic = kInf;
      }
    }
  }
  if (!std::isfinite(s.best_ic) || !s.best.ok) {
    return detail::fallback_fit(y, xreg_all, "no ARIMA model could be fitted");
  }
  return widen(finish(y, s.best, s.best_spec));
}

ARIMAFitted AutoARIMA::fit(const SeriesView& s) const {
  try {
    return fit_auto_arima(s.y, s.x, *this);
  } catch (const invalid_input& e) {
    detail::raise_invalid(e.reason(), s.id, std::nullopt, e.field());
  }
}

std::optional<ARIMAFitted> AutoARIMA::forward(const ARIMAFitted& fitted,
                                              const SeriesView& s) const {
  return forward_arima(fitted, s.y, s.x);
}

}  // namespace quickstock
