// Seasonal ARIMA with regressors, estimated as R's stats::arima (R 4.2.2) and reported as
// forecast::Arima (forecast 8.20). See docs/arima.md for the formulation.

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <limits>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <Eigen/QR>
#include <Eigen/SVD>

#include <quickstock/detail/math.hpp>
#include <quickstock/error.hpp>
#include <quickstock/models/arima.hpp>

#include "arima_internal.hpp"

namespace quickstock {
namespace detail {
namespace {

constexpr double kXmax = std::numeric_limits<double>::max();  // R's .Machine$double.xmax
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;
constexpr int kMaxit = 100;                         // optim's BFGS default
constexpr double kReltol = 1.4901161193847656e-08;  // optim's default sqrt(DBL_EPSILON)
constexpr double kNdeps = 1e-3;                     // optim's finite-difference step
constexpr double kConverged = 1e-13;                // |ΔP| below which the filter is steady
constexpr int kMaxPars = 128;                       // work arrays of the AR transformation

// ---------------------------------------------------------------------------------------------
// AR parameter transformation (Jones 1980, as R's partrans / invpartrans).

// tanh maps R to (−1, 1) (partial autocorrelations), then Durbin–Levinson gives AR coefficients.
void partrans(int p, const double* raw, double* out) {
  double work[kMaxPars] = {};
  for (int j = 0; j < p; ++j) work[j] = out[j] = std::tanh(raw[j]);
  for (int j = 1; j < p; ++j) {
    const double a = out[j];
    for (int k = 0; k < j; ++k) work[k] -= a * out[j - k - 1];
    for (int k = 0; k < j; ++k) out[k] = work[k];
  }
}

// Inverse of partrans (stationary AR coefficients to the unconstrained scale).
void invpartrans(int p, const double* phi, double* out) {
  double work[kMaxPars] = {};
  for (int j = 0; j < p; ++j) work[j] = out[j] = phi[j];
  for (int j = p - 1; j > 0; --j) {
    const double a = out[j];
    for (int k = 0; k < j; ++k) work[k] = (out[k] + a * out[j - k - 1]) / (1.0 - a * a);
    for (int k = 0; k < j; ++k) out[k] = work[k];
  }
  for (int j = 0; j < p; ++j) out[j] = std::atanh(out[j]);
}

// ---------------------------------------------------------------------------------------------
// Polynomials.

// Roots of c[0] + c[1] z + ... + c[k] z^k (c[k] != 0) by the companion matrix.
std::vector<std::complex<double>> poly_roots(const std::vector<double>& c) {
  const int k = static_cast<int>(c.size()) - 1;
  std::vector<std::complex<double>> out;
  if (k < 1) return out;
  if (k == 1) {
    out.emplace_back(-c[0] / c[1], 0.0);
    return out;
  }
  Eigen::MatrixXd comp = Eigen::MatrixXd::Zero(k, k);
  for (int i = 0; i < k; ++i)
    comp(0, i) = -c[static_cast<std::size_t>(k - 1 - i)] / c[static_cast<std::size_t>(k)];
  for (int i = 1; i < k; ++i) comp(i, i - 1) = 1.0;
  Eigen::EigenSolver<Eigen::MatrixXd> es(comp, false);
  for (int i = 0; i < k; ++i) out.push_back(es.eigenvalues()[i]);
  return out;
}

// Smallest root modulus of 1 + sign·Σ a_i z^i (sign −1 for AR); +inf for a constant polynomial.
double min_root(const Eigen::Ref<const Eigen::VectorXd>& a, double sign) {
  int last = -1;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    if (std::abs(a[i]) > 1e-8) last = static_cast<int>(i);
  }
  if (last < 0) return kInf;
  std::vector<double> c(static_cast<std::size_t>(last + 2));
  c[0] = 1.0;
  for (int i = 0; i <= last; ++i) c[static_cast<std::size_t>(i + 1)] = sign * a[i];
  double best = kInf;
  for (const auto& r : poly_roots(c)) best = std::min(best, std::abs(r));
  return best;
}

// R's arCheck: all roots of 1 − Σφ_i z^i outside the unit circle.
bool ar_check(const double* ar, int p) {
  if (p == 0) return true;
  Eigen::Map<const Eigen::VectorXd> a(ar, p);
  int last = -1;
  for (int i = 0; i < p; ++i) {
    if (a[i] != 0.0) last = i;
  }
  if (last < 0) return true;
  std::vector<double> c(static_cast<std::size_t>(last + 2));
  c[0] = 1.0;
  for (int i = 0; i <= last; ++i) c[static_cast<std::size_t>(i + 1)] = -a[i];
  for (const auto& r : poly_roots(c)) {
    if (!(std::abs(r) > 1.0)) return false;
  }
  return true;
}

// R's maInvert: reflect MA roots inside the unit circle.
void ma_invert(double* ma, int q) {
  int q0 = 0;
  for (int i = 0; i < q; ++i) {
    if (ma[i] != 0.0) q0 = i + 1;
  }
  if (q0 == 0) return;
  std::vector<double> c(static_cast<std::size_t>(q0 + 1));
  c[0] = 1.0;
  for (int i = 0; i < q0; ++i) c[static_cast<std::size_t>(i + 1)] = ma[i];
  auto roots = poly_roots(c);
  bool any = false;
  for (const auto& r : roots) any = any || std::abs(r) < 1.0;
  if (!any) return;
  if (q0 == 1) {
    ma[0] = 1.0 / ma[0];
    for (int i = 1; i < q; ++i) ma[i] = 0.0;
    return;
  }
  for (auto& r : roots) {
    if (std::abs(r) < 1.0) r = 1.0 / r;
  }
  std::vector<std::complex<double>> x{1.0};
  for (const auto& r : roots) {
    std::vector<std::complex<double>> nx(x.size() + 1, 0.0);
    for (std::size_t i = 0; i < x.size(); ++i) nx[i] += x[i];
    for (std::size_t i = 0; i < x.size(); ++i) nx[i + 1] -= x[i] / r;
    x = std::move(nx);
  }
  for (int i = 0; i < q; ++i) ma[i] = i < q0 ? x[static_cast<std::size_t>(i + 1)].real() : 0.0;
}

// ---------------------------------------------------------------------------------------------
// The stationary ARMA likelihood.

// Work arrays of one ARMA(φ, θ) evaluation, sized once per fit (no allocation per evaluation).
struct ArmaWork {
  int pf = 0, qf = 0, r = 0;
  std::vector<int> nzp, nzq;  // lags (1-based) of non-zero φ, θ
  Eigen::MatrixXd levinson;   // pf × pf, column k−1 holds the order-k AR coefficients
  Eigen::VectorXd kappa;      // partial autocorrelations
  Eigen::VectorXd gx;         // autocovariances of 1/φ(B) noise, lags 0..r+qf
  Eigen::VectorXd gy;         // autocovariances of the ARMA, lags 0..r
  Eigen::VectorXd psi;        // ψ weights 0..r
  Eigen::VectorXd q0row;      // first row of the stationary state covariance
  Eigen::VectorXd a, L, W, TW;

  void resize(int pf_, int qf_) {
    pf = pf_;
    qf = qf_;
    r = std::max(pf, qf + 1);
    if (levinson.rows() != pf) levinson.resize(pf, pf);
    kappa.resize(pf);
    gx.resize(r + qf + 1);
    gy.resize(r + 1);
    psi.resize(r + 1);
    q0row.resize(r);
    a.resize(r);
    L.resize(r);
    W.resize(r);
    TW.resize(r);
  }
};

inline double coef_at(const Eigen::Ref<const Eigen::VectorXd>& v, int lag) {  // lag 1-based
  return lag >= 1 && lag <= v.size() ? v[lag - 1] : 0.0;
}

// Autocovariances, ψ weights and the first row of the stationary covariance (Q0 e_0).
// False when the AR part is not stationary.
bool arma_setup(const Eigen::Ref<const Eigen::VectorXd>& phi,
                const Eigen::Ref<const Eigen::VectorXd>& theta,
                ArmaWork& ws) {
  ws.resize(static_cast<int>(phi.size()), static_cast<int>(theta.size()));
  const int pf = ws.pf, qf = ws.qf, r = ws.r;
  ws.nzp.clear();
  ws.nzq.clear();
  for (int i = 1; i <= pf; ++i) {
    if (phi[i - 1] != 0.0) ws.nzp.push_back(i);
  }
  for (int j = 1; j <= qf; ++j) {
    if (theta[j - 1] != 0.0) ws.nzq.push_back(j);
  }
  // AR(pf) autocovariances with unit noise: step down to the PACF, then Yule–Walker upwards.
  double g0 = 1.0;
  if (pf > 0) {
    ws.levinson.col(pf - 1) = phi;
    for (int k = pf; k >= 1; --k) {
      const double kap = ws.levinson(k - 1, k - 1);
      if (!(std::abs(kap) < 1.0)) return false;
      ws.kappa[k - 1] = kap;
      const double den = 1.0 - kap * kap;
      g0 /= den;
      if (k > 1) {
        for (int j = 1; j <= k - 1; ++j) {
          ws.levinson(j - 1, k - 2) =
              (ws.levinson(j - 1, k - 1) + kap * ws.levinson(k - j - 1, k - 1)) / den;
        }
      }
    }
  }
  const int ng = r + qf + 1;
  ws.gx[0] = g0;
  for (int k = 1; k < ng; ++k) {
    double s = 0.0;
    if (k <= pf) {
      for (int j = 1; j <= k; ++j) s += ws.levinson(j - 1, k - 1) * ws.gx[k - j];
    } else {
      for (const int i : ws.nzp) s += phi[i - 1] * ws.gx[k - i];
    }
    ws.gx[k] = s;
  }
  if (!std::isfinite(ws.gx[ng - 1]) || !std::isfinite(g0)) return false;
  // ARMA autocovariances: γy(h) = Σ_i Σ_j θ_i θ_j γx(h + j − i), θ_0 = 1.
  for (int h = 0; h <= r; ++h) {
    double s = ws.gx[h];
    for (const int j : ws.nzq) {
      const double tj = theta[j - 1];
      s += tj * ws.gx[std::abs(h + j)];  // i = 0
      s += tj * ws.gx[std::abs(h - j)];  // j' = 0, i = j
      for (const int i : ws.nzq) s += theta[i - 1] * tj * ws.gx[std::abs(h + j - i)];
    }
    ws.gy[h] = s;
  }
  // ψ weights.
  ws.psi[0] = 1.0;
  for (int j = 1; j <= r; ++j) {
    double s = coef_at(theta, j);
    for (const int i : ws.nzp) {
      if (i <= j) s += phi[i - 1] * ws.psi[j - i];
    }
    ws.psi[j] = s;
  }
  // First row: Q[0][k] = Σ_{j=k}^{r−1} (φ_{j+1} γ(j+1−k) + θ_j ψ_{j−k}).
  ws.q0row[0] = ws.gy[0];
  for (int k = 1; k < r; ++k) {
    double s = 0.0;
    for (const int i : ws.nzp) {
      if (i >= k + 1) s += phi[i - 1] * ws.gy[i - k];
    }
    for (const int j : ws.nzq) {
      if (j >= k && j <= r - 1) s += theta[j - 1] * ws.psi[j - k];
    }
    ws.q0row[k] = s;
  }
  return true;
}

// Full stationary covariance from the first row: Q = T Q T' + R R' solved along diagonals.
Eigen::MatrixXd full_q0(const Eigen::Ref<const Eigen::VectorXd>& phi,
                        const Eigen::Ref<const Eigen::VectorXd>& theta,
                        const ArmaWork& ws) {
  const int r = ws.r;
  Eigen::MatrixXd Q = Eigen::MatrixXd::Zero(r, r);
  for (int k = 0; k < r; ++k) Q(0, k) = Q(k, 0) = ws.q0row[k];
  auto th = [&](int i) { return i == 0 ? 1.0 : coef_at(theta, i); };
  auto at = [&](int i, int k) { return i >= r || k >= r ? 0.0 : Q(i, k); };
  for (int i = r - 1; i >= 1; --i) {
    for (int k = r - 1; k >= i; --k) {
      const double pi1 = coef_at(phi, i + 1), pk1 = coef_at(phi, k + 1);
      const double v = pi1 * pk1 * Q(0, 0) + pi1 * at(0, k + 1) + pk1 * at(0, i + 1) +
                       at(i + 1, k + 1) + th(i) * th(k);
      Q(i, k) = Q(k, i) = v;
    }
  }
  return Q;
}

// T v for Harvey's transition: (T v)_i = φ_{i+1} v_0 + v_{i+1}.
inline void apply_t(const Eigen::Ref<const Eigen::VectorXd>& phi,
                    const std::vector<int>& nzp,
                    const Eigen::VectorXd& v,
                    Eigen::VectorXd& out) {
  const Eigen::Index r = v.size();
  const double v0 = v[0];
  for (Eigen::Index i = 0; i + 1 < r; ++i) out[i] = v[i + 1];
  out[r - 1] = 0.0;
  for (const int i : nzp) out[i - 1] += phi[i - 1] * v0;
}

// Chandrasekhar recursions for the exact likelihood; optionally the final state a_{N+1|N} and
// covariance P_{N+1|N} (accumulated as Q0 + Σ ΔP_t).
bool chandrasekhar(const Eigen::Ref<const Eigen::VectorXd>& w,
                   const Eigen::Ref<const Eigen::VectorXd>& phi,
                   const Eigen::Ref<const Eigen::VectorXd>& theta,
                   ArmaWork& ws,
                   double& ssq,
                   double& sumlog,
                   Eigen::VectorXd* state,
                   Eigen::MatrixXd* cov) {
  if (!arma_setup(phi, theta, ws)) return false;
  const int r = ws.r;
  if (cov != nullptr) *cov = full_q0(phi, theta, ws);
  ws.a.setZero();
  // L_0 = T Q0 e_0, F_0 = Q0[0][0]; ΔP_0 = −L_0 L_0' / F_0 (stationary start: rank one).
  Eigen::VectorXd& L = ws.L;
  Eigen::VectorXd& W = ws.W;
  Eigen::VectorXd& TW = ws.TW;
  Eigen::VectorXd& a = ws.a;
  for (int i = 0; i < r; ++i) {
    L[i] = coef_at(phi, i + 1) * ws.q0row[0] + (i + 1 < r ? ws.q0row[i + 1] : 0.0);
  }
  double F = ws.q0row[0];
  W = L;
  double M = -1.0 / F;
  bool steady = false;
  ssq = 0.0;
  sumlog = 0.0;
  const Eigen::Index n = w.size();
  for (Eigen::Index t = 0; t < n; ++t) {
    if (!(F > 0.0) || !std::isfinite(F)) return false;
    const double v = w[t] - a[0];
    ssq += v * v / F;
    sumlog += std::log(F);
    // a_{t+1} = T a_t + L_t v_t / F_t
    const double a0 = a[0];
    const double g = v / F;
    for (int i = 0; i + 1 < r; ++i) a[i] = a[i + 1] + L[i] * g;
    a[r - 1] = L[r - 1] * g;
    for (const int i : ws.nzp) a[i - 1] += phi[i - 1] * a0;
    if (!steady) {
      if (cov != nullptr) cov->noalias() += M * W * W.transpose();
      const double zw = W[0];
      const double Fn = F + zw * zw * M;
      apply_t(phi, ws.nzp, W, TW);
      const double c = M * zw;
      const double gw = zw / F;
      for (int i = 0; i < r; ++i) {
        const double li = L[i];
        L[i] = li + TW[i] * c;
        W[i] = TW[i] - li * gw;
      }
      M = M * F / Fn;  // ΔP_{t+1} = W_{t+1} M_{t+1} W_{t+1}', M_{t+1} = M_t F_t / F_{t+1}
      F = Fn;
      if (std::abs(M) * W.squaredNorm() < kConverged) steady = true;
    }
  }
  if (!std::isfinite(ssq) || !std::isfinite(sumlog)) return false;
  if (state != nullptr) *state = a;
  return true;
}

// Dense Kalman filter (R's ARIMA_Like for d = 0): the oracle of the Chandrasekhar version.
bool dense_kalman(const Eigen::Ref<const Eigen::VectorXd>& w,
                  const Eigen::Ref<const Eigen::VectorXd>& phi,
                  const Eigen::Ref<const Eigen::VectorXd>& theta,
                  double& ssq,
                  double& sumlog) {
  ArmaWork ws;
  if (!arma_setup(phi, theta, ws)) return false;
  const int r = ws.r;
  Eigen::MatrixXd P = full_q0(phi, theta, ws);
  Eigen::MatrixXd T = Eigen::MatrixXd::Zero(r, r);
  for (int i = 0; i < r; ++i) {
    T(i, 0) = coef_at(phi, i + 1);
    if (i + 1 < r) T(i, i + 1) = 1.0;
  }
  Eigen::VectorXd R(r);
  for (int i = 0; i < r; ++i) R[i] = i == 0 ? 1.0 : coef_at(theta, i);
  Eigen::VectorXd a = Eigen::VectorXd::Zero(r);
  ssq = sumlog = 0.0;
  for (Eigen::Index t = 0; t < w.size(); ++t) {
    if (t > 0) {
      a = T * a;
      P = T * P * T.transpose() + R * R.transpose();
    }
    const double F = P(0, 0);
    if (!(F > 0.0)) return false;
    const double v = w[t] - a[0];
    ssq += v * v / F;
    sumlog += std::log(F);
    const Eigen::VectorXd Mv = P.col(0);
    a += Mv * (v / F);
    P -= Mv * Mv.transpose() / F;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// optim's BFGS (Nash 1990, Algorithm 21, as R's vmmin) with optim's central differences.

struct OptimResult {
  std::vector<double> par;  // unscaled
  double value = kInf;
  int fail = 0;
  bool error = false;  // a non-finite initial value or finite-difference gradient (R errors)
};

template <class Fn>
bool numeric_gradient(Fn& f,
                      std::vector<double>& b,
                      const std::vector<double>& ps,
                      std::vector<double>& x,
                      std::vector<double>& g) {
  const std::size_t n = b.size();
  for (std::size_t i = 0; i < n; ++i) x[i] = b[i] * ps[i];
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = (b[i] + kNdeps) * ps[i];
    const double v1 = f(x.data());
    x[i] = (b[i] - kNdeps) * ps[i];
    const double v2 = f(x.data());
    g[i] = (v1 - v2) / (2.0 * kNdeps);
    if (!std::isfinite(g[i])) return false;
    x[i] = b[i] * ps[i];
  }
  return true;
}

template <class Fn>
OptimResult vmmin(const std::vector<double>& start,
                  const std::vector<double>& ps,
                  Fn&& f,
                  int maxit) {
  constexpr double stepredn = 0.2, acctol = 0.0001, reltest = 10.0;
  const std::size_t n = start.size();
  OptimResult res;
  std::vector<double> b(n), x(n), g(n), t(n), X(n), c(n);
  std::vector<double> B(n * n, 0.0);  // lower triangle used, row-major
  for (std::size_t i = 0; i < n; ++i) b[i] = start[i] / ps[i];
  auto fscaled = [&]() {
    for (std::size_t i = 0; i < n; ++i) x[i] = b[i] * ps[i];
    return f(x.data());
  };
  auto finish = [&](double fmin, int fail) {
    res.par.resize(n);
    for (std::size_t i = 0; i < n; ++i) res.par[i] = b[i] * ps[i];
    res.value = fmin;
    res.fail = fail;
    return res;
  };
  if (maxit <= 0) return finish(fscaled(), 0);
  double fval = fscaled();
  if (!std::isfinite(fval)) {
    res.error = true;
    return res;
  }
  double fmin = fval;
  int gradcount = 1;
  if (!numeric_gradient(f, b, ps, x, g)) {
    res.error = true;
    return res;
  }
  int iter = 1;
  int ilast = gradcount;
  std::size_t count = 0;
  do {
    if (ilast == gradcount) {
      std::fill(B.begin(), B.end(), 0.0);
      for (std::size_t i = 0; i < n; ++i) B[i * n + i] = 1.0;
    }
    for (std::size_t i = 0; i < n; ++i) {
      X[i] = b[i];
      c[i] = g[i];
    }
    double gradproj = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      double s = 0.0;
      for (std::size_t j = 0; j <= i; ++j) s -= B[i * n + j] * g[j];
      for (std::size_t j = i + 1; j < n; ++j) s -= B[j * n + i] * g[j];
      t[i] = s;
      gradproj += s * g[i];
    }
    if (gradproj < 0.0) {
      double steplength = 1.0;
      bool accpoint = false;
      do {
        count = 0;
        for (std::size_t i = 0; i < n; ++i) {
          b[i] = X[i] + steplength * t[i];
          if (reltest + X[i] == reltest + b[i]) ++count;
        }
        if (count < n) {
          fval = fscaled();
          accpoint = std::isfinite(fval) && (fval <= fmin + gradproj * steplength * acctol);
          if (!accpoint) steplength *= stepredn;
        }
      } while (!(count == n || accpoint));
      const bool enough = std::abs(fval - fmin) > kReltol * (std::abs(fmin) + kReltol);
      if (!enough) {
        count = n;
        fmin = fval;
      }
      if (count < n) {
        fmin = fval;
        if (!numeric_gradient(f, b, ps, x, g)) {
          res.error = true;
          return res;
        }
        ++gradcount;
        ++iter;
        double D1 = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
          t[i] = steplength * t[i];
          c[i] = g[i] - c[i];
          D1 += t[i] * c[i];
        }
        if (D1 > 0) {
          double D2 = 0.0;
          for (std::size_t i = 0; i < n; ++i) {
            double s = 0.0;
            for (std::size_t j = 0; j <= i; ++j) s += B[i * n + j] * c[j];
            for (std::size_t j = i + 1; j < n; ++j) s += B[j * n + i] * c[j];
            X[i] = s;
            D2 += s * c[i];
          }
          D2 = 1.0 + D2 / D1;
          for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j <= i; ++j) {
              B[i * n + j] += (D2 * t[i] * t[j] - X[i] * t[j] - t[i] * X[j]) / D1;
            }
          }
        } else {
          ilast = gradcount;
        }
      } else if (ilast < gradcount) {
        count = 0;
        ilast = gradcount;
      }
    } else {
      count = 0;
      if (ilast == gradcount) {
        count = n;
      } else {
        ilast = gradcount;
      }
    }
    if (iter >= maxit) break;
    if (gradcount - ilast > 2 * static_cast<int>(n)) ilast = gradcount;
  } while (count != n || ilast != gradcount);
  return finish(fmin, iter < maxit ? 0 : 1);
}

// optim's optimhess: central differences of the numerical gradient, symmetrised.
template <class Fn>
Eigen::MatrixXd optim_hessian(const std::vector<double>& par,
                              const std::vector<double>& ps,
                              Fn&& f,
                              bool& ok) {
  const std::size_t n = par.size();
  std::vector<double> dpar(n), x(n), df1(n), df2(n);
  for (std::size_t i = 0; i < n; ++i) dpar[i] = par[i] / ps[i];
  Eigen::MatrixXd H(n, n);
  ok = true;
  for (std::size_t i = 0; i < n; ++i) {
    const double eps = kNdeps / ps[i];
    dpar[i] += eps;
    ok = ok && numeric_gradient(f, dpar, ps, x, df1);
    dpar[i] -= 2 * eps;
    ok = ok && numeric_gradient(f, dpar, ps, x, df2);
    for (std::size_t j = 0; j < n; ++j) {
      H(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          (df1[j] - df2[j]) / (2 * eps * ps[i] * ps[j]);
    }
    dpar[i] += eps;
  }
  if (!ok) return H;
  const Eigen::MatrixXd S = 0.5 * (H + H.transpose());
  return S;
}

// ---------------------------------------------------------------------------------------------
// One estimation problem: differenced data, regressors, work arrays.

struct Problem {
  int p = 0, q = 0, sp = 0, sq = 0, m = 1, d = 0, sd = 0;
  int narma = 0, k = 0, pf = 0, qf = 0, nd = 0;
  Eigen::Index n = 0, N = 0;
  Eigen::MatrixXd X;  // n × k regressors (rotated when k > 1)
  Eigen::MatrixXd V;  // rotation (k × k), identity when not rotated
  bool rotated = false;
  Eigen::VectorXd dy;  // differenced y
  Eigen::MatrixXd dX;  // differenced regressors
  Eigen::VectorXd delta;
  std::vector<double> init, parscale;
  bool init_ok = true;
  // work
  Eigen::VectorXd w, phi, theta, resid;
  double tpar[kMaxPars] = {};
  ArmaWork ws;

  void expand(const double* par, bool trans) {
    const double* src = par;
    if (trans) {
      for (int i = 0; i < narma; ++i) tpar[i] = par[i];
      if (p > 0) partrans(p, par, tpar);
      if (sp > 0) partrans(sp, par + p + q, tpar + p + q);
      src = tpar;
    }
    phi.setZero();
    theta.setZero();
    for (int i = 0; i < p; ++i) phi[i] = src[i];
    for (int i = 0; i < q; ++i) theta[i] = src[p + i];
    for (int j = 0; j < sp; ++j) {
      const double s = src[p + q + j];
      phi[(j + 1) * m - 1] += s;
      for (int i = 0; i < p; ++i) phi[(j + 1) * m + i] -= src[i] * s;
    }
    for (int j = 0; j < sq; ++j) {
      const double s = src[p + q + sp + j];
      theta[(j + 1) * m - 1] += s;
      for (int i = 0; i < q; ++i) theta[(j + 1) * m + i] += src[p + i] * s;
    }
  }

  void errors(const double* beta) {
    w = dy;
    for (int j = 0; j < k; ++j) w.noalias() -= dX.col(j) * beta[j];
  }

  // CSS: residuals from lag pf on (R's ARIMA_CSS); returns ssq and nu.
  void css_ssq(double& ssq, Eigen::Index& nu) {
    ssq = 0.0;
    nu = 0;
    std::vector<int> nzp, nzq;
    for (int i = 1; i <= pf; ++i) {
      if (phi[i - 1] != 0.0) nzp.push_back(i);
    }
    for (int j = 1; j <= qf; ++j) {
      if (theta[j - 1] != 0.0) nzq.push_back(j);
    }
    for (Eigen::Index t = 0; t < std::min<Eigen::Index>(pf, N); ++t) resid[t] = 0.0;
    for (Eigen::Index t = pf; t < N; ++t) {
      double e = w[t];
      for (const int i : nzp) e -= phi[i - 1] * w[t - i];
      const Eigen::Index lim = std::min<Eigen::Index>(t - pf, qf);
      for (const int j : nzq) {
        if (j > lim) break;
        e -= theta[j - 1] * resid[t - j];
      }
      resid[t] = e;
      ssq += e * e;
      ++nu;
    }
  }

  double css_objective(const double* par) {
    expand(par, false);
    errors(par + narma);
    double ssq = 0.0;
    Eigen::Index nu = 0;
    css_ssq(ssq, nu);
    return 0.5 * std::log(ssq / static_cast<double>(nu));
  }

  double ml_objective(const double* par, bool trans) {
    expand(par, trans);
    errors(par + narma);
    double ssq = 0.0, sumlog = 0.0;
    if (!chandrasekhar(w, phi, theta, ws, ssq, sumlog, nullptr, nullptr)) return kXmax;
    const auto nu = static_cast<double>(N);
    return 0.5 * (std::log(ssq / nu) + sumlog / nu);
  }
};

Problem make_problem(const Eigen::Ref<const Eigen::VectorXd>& y,
                     const Eigen::Ref<const Eigen::MatrixXd>& xreg,
                     const ArimaCoreSpec& spec) {
  Problem pr;
  pr.p = spec.p;
  pr.q = spec.q;
  pr.m = spec.m;
  pr.d = spec.d;
  const bool seasonal = spec.m > 1;
  pr.sp = seasonal ? spec.sp : 0;
  pr.sq = seasonal ? spec.sq : 0;
  pr.sd = seasonal ? spec.sd : 0;
  pr.narma = pr.p + pr.q + pr.sp + pr.sq;
  pr.pf = pr.p + pr.sp * pr.m;
  pr.qf = pr.q + pr.sq * pr.m;
  pr.nd = pr.d + pr.sd * pr.m;
  pr.n = y.size();
  pr.N = pr.n - pr.nd;
  const bool intercept = spec.intercept && pr.nd == 0;
  pr.k = static_cast<int>(xreg.cols()) + (intercept ? 1 : 0) + (spec.drift ? 1 : 0);
  pr.X.resize(pr.n, pr.k);
  int col = 0;
  if (intercept) pr.X.col(col++).setOnes();
  if (spec.drift) {
    for (Eigen::Index t = 0; t < pr.n; ++t) pr.X(t, col) = static_cast<double>(t + 1);
    ++col;
  }
  if (xreg.cols() > 0) pr.X.rightCols(xreg.cols()) = xreg;
  pr.V = Eigen::MatrixXd::Identity(pr.k, pr.k);
  if (pr.k > 1 && !spec.fixed && pr.n > 0) {
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(pr.X, Eigen::ComputeThinV);
    pr.V = svd.matrixV();
    pr.X = pr.X * pr.V;
    pr.rotated = true;
  }
  // Differencing polynomial (1 − B)^d (1 − B^m)^D as u_t − Σ δ_i u_{t−i}.
  std::vector<double> poly{1.0};
  auto mult = [&](int lag) {
    std::vector<double> out(poly.size() + static_cast<std::size_t>(lag), 0.0);
    for (std::size_t i = 0; i < poly.size(); ++i) {
      out[i] += poly[i];
      out[i + static_cast<std::size_t>(lag)] -= poly[i];
    }
    poly = std::move(out);
  };
  for (int i = 0; i < pr.d; ++i) mult(1);
  for (int i = 0; i < pr.sd; ++i) mult(pr.m);
  pr.delta.resize(pr.nd);
  for (int i = 0; i < pr.nd; ++i) pr.delta[i] = -poly[static_cast<std::size_t>(i + 1)];
  if (pr.N <= 0) return pr;
  pr.dy = diff(diff(y, 1, pr.d), pr.m, pr.sd);
  pr.dX.resize(pr.N, pr.k);
  for (int j = 0; j < pr.k; ++j) pr.dX.col(j) = diff(diff(pr.X.col(j), 1, pr.d), pr.m, pr.sd);
  pr.w.resize(pr.N);
  pr.resid.resize(pr.N);
  pr.phi.resize(pr.pf);
  pr.theta.resize(pr.qf);
  // Starting values: zeros for the ARMA part, least squares for the regression (R: lm on the
  // differenced data, parscale 10 × standard errors).
  pr.init.assign(static_cast<std::size_t>(pr.narma + pr.k), 0.0);
  pr.parscale.assign(static_cast<std::size_t>(pr.narma + pr.k), 1.0);
  if (pr.k > 0) {
    const bool use_diff = pr.N > pr.k;
    const Eigen::MatrixXd A = use_diff ? pr.dX : pr.X;
    const Eigen::VectorXd b = use_diff ? Eigen::VectorXd(pr.dy) : Eigen::VectorXd(y);
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(A);
    if (qr.rank() < pr.k) {
      pr.init_ok = false;
      return pr;
    }
    const Eigen::VectorXd beta = qr.solve(b);
    const Eigen::VectorXd res = b - A * beta;
    const double dfree = static_cast<double>(A.rows() - pr.k);
    const double s2 = dfree > 0 ? res.squaredNorm() / dfree : kNaN;
    const Eigen::MatrixXd xtx_inv =
        (A.transpose() * A).ldlt().solve(Eigen::MatrixXd::Identity(pr.k, pr.k));
    for (int j = 0; j < pr.k; ++j) {
      pr.init[static_cast<std::size_t>(pr.narma + j)] = beta[j];
      const double se = std::sqrt(s2 * xtx_inv(j, j));
      pr.parscale[static_cast<std::size_t>(pr.narma + j)] =
          std::isfinite(se) && se > 0.0 ? 10.0 * se : 1.0;
    }
  }
  return pr;
}

// R's transformed-space Jacobian (ARIMA_Gradtrans): forward differences with step 1e-3.
Eigen::MatrixXd gradtrans(const Problem& pr, const std::vector<double>& raw) {
  const auto n = static_cast<Eigen::Index>(raw.size());
  Eigen::MatrixXd A = Eigen::MatrixXd::Identity(n, n);
  constexpr double eps = 1e-3;
  auto block = [&](int off, int len) {
    if (len == 0) return;
    double w1[kMaxPars] = {}, w2[kMaxPars] = {}, w3[kMaxPars] = {};
    for (int i = 0; i < len; ++i) w1[i] = raw[static_cast<std::size_t>(off + i)];
    partrans(len, w1, w2);
    for (int i = 0; i < len; ++i) {
      w1[i] += eps;
      partrans(len, w1, w3);
      for (int j = 0; j < len; ++j) A(off + i, off + j) = (w3[j] - w2[j]) / eps;
      w1[i] -= eps;
    }
  };
  block(0, pr.p);
  block(pr.p + pr.q, pr.sp);
  return A;
}

}  // namespace

Eigen::VectorXd diff(const Eigen::Ref<const Eigen::VectorXd>& x, int lag, int times) {
  Eigen::VectorXd out = x;
  for (int t = 0; t < times; ++t) {
    const Eigen::Index n = out.size() - lag;
    if (n <= 0) return Eigen::VectorXd(0);
    Eigen::VectorXd next(n);
    for (Eigen::Index i = 0; i < n; ++i) next[i] = out[i + lag] - out[i];
    out = std::move(next);
  }
  return out;
}

bool is_constant(const Eigen::Ref<const Eigen::VectorXd>& x) {
  if (x.size() == 0) return true;
  const double x0 = x[0];
  const double xy = (x.array() - x0).abs().mean();
  const double xn = x.array().abs().mean();
  const double tol = 1.5e-8;
  if (std::isfinite(xn) && xn > tol) return xy / xn <= tol;
  return xy <= tol;
}

double min_root_modulus(const Eigen::Ref<const Eigen::VectorXd>& a,
                        const Eigen::Ref<const Eigen::VectorXd>& s,
                        int m,
                        bool ar) {
  const double sign = ar ? -1.0 : 1.0;
  double out = min_root(a, sign);
  if (s.size() > 0) {
    const double rs = min_root(s, sign);
    if (std::isfinite(rs)) out = std::min(out, std::pow(rs, 1.0 / m));
  }
  return out;
}

ArimaCoreFit arima_core(const Eigen::Ref<const Eigen::VectorXd>& y,
                        const Eigen::Ref<const Eigen::MatrixXd>& xreg,
                        const ArimaCoreSpec& spec) {
  ArimaCoreFit out;
  Problem pr = make_problem(y, xreg, spec);
  if (pr.N <= 0 || !pr.init_ok) return out;
  if (pr.narma >= kMaxPars) return out;
  const int npar = pr.narma + pr.k;
  const auto n_used = static_cast<double>(pr.N);
  std::vector<double> coef = pr.init;
  if (spec.fixed) {
    for (int j = 0; j < pr.k; ++j)
      coef[static_cast<std::size_t>(pr.narma + j)] = spec.fixed_beta[j];
  }
  const bool no_optim = spec.fixed || npar == 0;
  out.n_free = no_optim ? 0 : npar;
  auto css_fn = [&pr](const double* x) { return pr.css_objective(x); };
  auto ml_fn = [&pr](const double* x) { return pr.ml_objective(x, true); };
  double value = 0.0;
  std::vector<double> opt_par;  // the optimisation-space solution
  if (spec.method == ARIMAMethod::css || spec.method == ARIMAMethod::css_ml) {
    if (no_optim) {
      value = pr.css_objective(coef.data());
      if (!std::isfinite(value)) return out;
    } else {
      const OptimResult res = vmmin(coef, pr.parscale, css_fn, kMaxit);
      if (res.error) return out;
      if (spec.method == ARIMAMethod::css || res.fail == 0) coef = res.par;
      value = res.value;
      opt_par = res.par;
    }
    if (spec.method == ARIMAMethod::css_ml) {
      if (!ar_check(coef.data(), pr.p)) return out;
      if (!ar_check(coef.data() + pr.p + pr.q, pr.sp)) return out;
    }
  }
  if (spec.method == ARIMAMethod::css) {
    pr.expand(coef.data(), false);
    pr.errors(coef.data() + pr.narma);
    double ssq = 0.0;
    Eigen::Index nu = 0;
    pr.css_ssq(ssq, nu);
    out.sigma2_raw = ssq / static_cast<double>(nu);
    out.ssq = ssq;
    const double v2 = 2 * n_used * value + n_used + n_used * std::log(2 * kPi);
    out.loglik = -0.5 * v2;
    out.aic = kInf;
  } else {
    if (spec.method == ARIMAMethod::ml) {
      if (!ar_check(coef.data(), pr.p) || !ar_check(coef.data() + pr.p + pr.q, pr.sp)) return out;
    }
    // To the transformed scale; make the MA parts invertible.
    std::vector<double> tc = coef;
    if (pr.p > 0) invpartrans(pr.p, coef.data(), tc.data());
    if (pr.sp > 0) invpartrans(pr.sp, coef.data() + pr.p + pr.q, tc.data() + pr.p + pr.q);
    if (pr.q > 0) ma_invert(tc.data() + pr.p, pr.q);
    if (pr.sq > 0) ma_invert(tc.data() + pr.p + pr.q + pr.sp, pr.sq);
    for (const double v : tc) {
      if (!std::isfinite(v)) return out;
    }
    if (no_optim) {
      value = pr.ml_objective(tc.data(), true);
    } else {
      const OptimResult res = vmmin(tc, pr.parscale, ml_fn, kMaxit);
      if (res.error) return out;
      tc = res.par;
      value = res.value;
      std::vector<double> inv = tc;
      if (pr.q > 0) ma_invert(inv.data() + pr.p, pr.q);
      if (pr.sq > 0) ma_invert(inv.data() + pr.p + pr.q + pr.sp, pr.sq);
      if (inv != tc) {
        tc = inv;
        value = pr.ml_objective(tc.data(), true);
      }
    }
    if (!(value < kXmax) || !std::isfinite(value)) return out;
    opt_par = tc;
    coef = tc;
    if (pr.p > 0) partrans(pr.p, tc.data(), coef.data());
    if (pr.sp > 0) partrans(pr.sp, tc.data() + pr.p + pr.q, coef.data() + pr.p + pr.q);
    const double v2 = 2 * n_used * value + n_used + n_used * std::log(2 * kPi);
    out.loglik = -0.5 * v2;
    out.aic = v2 + 2.0 * out.n_free + 2.0;
  }
  out.hess_par = opt_par;
  // Final pass: residual sum of squares, the Kalman state for forecasting.
  pr.expand(coef.data(), false);
  pr.errors(coef.data() + pr.narma);
  double ssq = 0.0, sumlog = 0.0;
  Eigen::VectorXd state;
  Eigen::MatrixXd cov;
  const bool kal = chandrasekhar(pr.w, pr.phi, pr.theta, pr.ws, ssq, sumlog, &state,
                                 spec.want_state ? &cov : nullptr);
  if (spec.method != ARIMAMethod::css) {
    if (!kal) return out;
    out.sigma2_raw = ssq / n_used;
    out.ssq = ssq;
  } else if (!kal) {
    return out;  // a non-stationary CSS estimate cannot be forecast by the Kalman filter
  }
  // Back from the rotated regressors.
  Eigen::VectorXd c = Eigen::Map<const Eigen::VectorXd>(coef.data(), npar);
  if (pr.k > 0) c.tail(pr.k) = pr.V * c.tail(pr.k);
  out.coef = c;
  ARIMAFitted& f = out.fitted;
  f.order = {spec.p, spec.d, spec.q};
  f.seasonal_order = {pr.sp, pr.sd, pr.sq};
  f.season_length = spec.m;
  f.intercept = spec.intercept && pr.nd == 0;
  f.drift = spec.drift;
  f.n_covariates = xreg.cols();
  f.coef = c;
  f.n_obs = pr.n;
  f.phi = pr.phi;
  f.theta = pr.theta;
  f.delta = pr.delta;
  f.state = state;
  f.state_cov = spec.want_state ? cov : Eigen::MatrixXd();
  // Undo the rotation for the errors u = y − Xβ (X unrotated = X V').
  Eigen::VectorXd u = y;
  if (pr.k > 0) u -= pr.X * Eigen::Map<const Eigen::VectorXd>(coef.data() + pr.narma, pr.k);
  f.tail = u.tail(pr.nd);
  out.ok = true;
  return out;
}

bool arima_variance_bad(const Eigen::Ref<const Eigen::VectorXd>& y,
                        const Eigen::Ref<const Eigen::MatrixXd>& xreg,
                        const ArimaCoreSpec& spec,
                        const ArimaCoreFit& fit) {
  if (fit.n_free == 0) return false;
  Problem pr = make_problem(y, xreg, spec);
  if (pr.N <= 0 || !pr.init_ok) return true;
  const bool css = spec.method == ARIMAMethod::css;
  bool ok = true;
  Eigen::MatrixXd H;
  if (css) {
    H = optim_hessian(
        fit.hess_par, pr.parscale, [&pr](const double* x) { return pr.css_objective(x); }, ok);
  } else {
    H = optim_hessian(
        fit.hess_par, pr.parscale, [&pr](const double* x) { return pr.ml_objective(x, true); }, ok);
  }
  if (!ok || !H.allFinite()) return true;
  H *= static_cast<double>(pr.N);
  Eigen::PartialPivLU<Eigen::MatrixXd> lu(H);
  if (!(lu.rcond() >= std::numeric_limits<double>::epsilon())) return true;
  Eigen::MatrixXd var;
  if (css) {
    var = lu.inverse();
  } else {
    const Eigen::MatrixXd A = gradtrans(pr, fit.hess_par);
    var = A.transpose() * lu.solve(A);
  }
  if (pr.rotated) {
    const auto n = var.rows();
    Eigen::MatrixXd R = Eigen::MatrixXd::Identity(n, n);
    R.bottomRightCorner(pr.k, pr.k) = pr.V;
    var = R * var * R.transpose();
  }
  for (Eigen::Index i = 0; i < var.rows(); ++i) {
    if (!(var(i, i) >= 0.0)) return true;
  }
  return false;
}

void finish_fit(ArimaCoreFit& fit, Eigen::Index n, const ArimaCoreSpec& spec) {
  const double npar = fit.n_free + 1.0;
  const double nstar = static_cast<double>(n - spec.d - (spec.m > 1 ? spec.sd * spec.m : 0));
  ARIMAFitted& f = fit.fitted;
  f.sigma2 = fit.ssq / (nstar - npar + 1.0);
  f.loglik = fit.loglik;
  f.aic = fit.aic;
  f.aicc = fit.aic + 2.0 * npar * (nstar / (nstar - npar - 1.0) - 1.0);
  f.bic = fit.aic + npar * (std::log(nstar) - 2.0);
  if (!std::isfinite(f.aic)) f.aicc = f.bic = kInf;
}

ARIMAFitted fallback_fit(const Eigen::Ref<const Eigen::VectorXd>& y,
                         const Eigen::Ref<const Eigen::MatrixXd>& xreg,
                         const std::string& why) {
  const Eigen::Index n = y.size();
  const Eigen::Index k = xreg.cols();
  if (n >= 2) {
    ArimaCoreSpec rw;
    rw.d = 1;
    rw.method = ARIMAMethod::css_ml;
    ArimaCoreFit fit = arima_core(y, Eigen::MatrixXd(n, 0), rw);
    if (fit.ok) {
      finish_fit(fit, n, rw);
      ARIMAFitted f = fit.fitted;
      f.n_covariates = k;
      f.coef = Eigen::VectorXd::Zero(k);  // covariates unused
      f.fallback = why + "; ARIMA(0,1,0)";
      return f;
    }
  }
  ARIMAFitted f;
  f.intercept = true;
  f.n_covariates = k;
  f.coef = Eigen::VectorXd::Zero(1 + k);
  f.coef[0] = n > 0 ? y[n - 1] : 0.0;
  f.n_obs = n;
  f.phi.resize(0);
  f.theta.resize(0);
  f.delta.resize(0);
  f.state = Eigen::VectorXd::Zero(1);
  f.state_cov = Eigen::MatrixXd::Zero(1, 1);
  f.tail.resize(0);
  f.sigma2 = 0.0;
  f.loglik = kNaN;
  f.aic = f.aicc = f.bic = kInf;
  f.fallback = why + "; constant last value";
  return f;
}

bool arma_likelihood(const Eigen::Ref<const Eigen::VectorXd>& w,
                     const Eigen::Ref<const Eigen::VectorXd>& phi,
                     const Eigen::Ref<const Eigen::VectorXd>& theta,
                     bool use_chandrasekhar,
                     double& ssq,
                     double& sumlog) {
  if (use_chandrasekhar) {
    ArmaWork ws;
    return chandrasekhar(w, phi, theta, ws, ssq, sumlog, nullptr, nullptr);
  }
  return dense_kalman(w, phi, theta, ssq, sumlog);
}

Eigen::MatrixXd arma_state_covariance(const Eigen::Ref<const Eigen::VectorXd>& phi,
                                      const Eigen::Ref<const Eigen::VectorXd>& theta) {
  ArmaWork ws;
  if (!arma_setup(phi, theta, ws)) {
    return Eigen::MatrixXd::Constant(ws.r, ws.r, kNaN);
  }
  return full_q0(phi, theta, ws);
}

namespace {

// The forecast mean of `f` in parts (columns): the integrated ARMA forecast of the regression
// errors, then the intercept, the drift term and each covariate's term, as the fit has them.
Eigen::MatrixXd arima_mean_parts(const ARIMAFitted& f,
                                 const Eigen::Ref<const RowMatrixXd>& x_future,
                                 Eigen::Index h) {
  const Eigen::Index r = f.state.size();
  const Eigen::Index nd = f.delta.size();
  const Eigen::Index narma =
      f.coef.size() - f.n_covariates - (f.intercept ? 1 : 0) - (f.drift ? 1 : 0);
  // Point forecasts of the differenced errors, then integrated.
  Eigen::VectorXd a = f.state, an(r);
  std::vector<int> nzp;
  for (Eigen::Index i = 0; i < f.phi.size(); ++i) {
    if (f.phi[i] != 0.0) nzp.push_back(static_cast<int>(i + 1));
  }
  auto step = [&](const Eigen::VectorXd& v, Eigen::VectorXd& o) {
    for (Eigen::Index i = 0; i + 1 < r; ++i) o[i] = v[i + 1];
    o[r - 1] = 0.0;
    for (const int i : nzp) o[i - 1] += f.phi[i - 1] * v[0];
  };
  const Eigen::Index cols = 1 + (f.intercept ? 1 : 0) + (f.drift ? 1 : 0) + f.n_covariates;
  Eigen::MatrixXd out(h, cols);
  std::vector<double> u(static_cast<std::size_t>(nd + h));
  for (Eigen::Index i = 0; i < nd; ++i) u[static_cast<std::size_t>(i)] = f.tail[i];
  for (Eigen::Index j = 0; j < h; ++j) {
    double v = r > 0 ? a[0] : 0.0;
    for (Eigen::Index i = 1; i <= nd; ++i)
      v += f.delta[i - 1] * u[static_cast<std::size_t>(nd + j - i)];
    u[static_cast<std::size_t>(nd + j)] = v;
    if (r > 0) {
      step(a, an);
      a.swap(an);
    }
    out(j, 0) = v;
    Eigen::Index c = narma;
    Eigen::Index col = 1;
    if (f.intercept) out(j, col++) = f.coef[c++];
    if (f.drift) out(j, col++) = f.coef[c++] * static_cast<double>(f.n_obs + j + 1);
    for (Eigen::Index k = 0; k < f.n_covariates; ++k)
      out(j, col++) = f.coef[c + k] * x_future(j, k);
  }
  return out;
}

}  // namespace

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Public API.

std::string ARIMAFitted::method() const {
  std::string s = "ARIMA(" + std::to_string(order.p) + "," + std::to_string(order.d) + "," +
                  std::to_string(order.q) + ")";
  if (season_length > 1 && seasonal_order.p + seasonal_order.d + seasonal_order.q > 0) {
    s += "(" + std::to_string(seasonal_order.p) + "," + std::to_string(seasonal_order.d) + "," +
         std::to_string(seasonal_order.q) + ")[" + std::to_string(season_length) + "]";
  }
  if (n_covariates > 0) return "Regression with " + s + " errors";
  if (drift) return s + " with drift";
  if (intercept) return s + " with non-zero mean";
  if (order.d == 0 && seasonal_order.d == 0) return s + " with zero mean";
  return s;
}

SeriesForecast ARIMAFitted::forecast(const ForecastOptions& options) const {
  if (n_covariates > 0) {
    detail::raise_argument("x_future", "the model was fitted with " + std::to_string(n_covariates) +
                                           " covariates: their future values are needed");
  }
  const RowMatrixXd none(options.h, 0);
  return forecast(options, none);
}

Contributions ARIMAFitted::contributions(const ForecastOptions& options,
                                         const Eigen::Ref<const RowMatrixXd>& x_future) const {
  const Eigen::Index h = options.h;
  if (x_future.rows() != h || x_future.cols() != n_covariates) {
    detail::raise_argument("x_future", "future covariates must have " + std::to_string(h) +
                                           " rows and " + std::to_string(n_covariates) +
                                           " columns (got " + std::to_string(x_future.rows()) +
                                           " x " + std::to_string(x_future.cols()) + ")");
  }
  Contributions out;
  out.components.emplace_back("arima");
  if (intercept) out.components.emplace_back("mean");
  if (drift) out.components.emplace_back("drift");
  for (Eigen::Index k = 0; k < n_covariates; ++k) out.components.push_back("x" + std::to_string(k));
  out.values = detail::arima_mean_parts(*this, x_future, h);
  return out;
}

namespace {

/// @throws invalid_input (field "x_future") unless `x_future` is h × the model's covariates.
void check_future(const ARIMAFitted& f,
                  const Eigen::Ref<const RowMatrixXd>& x_future,
                  Eigen::Index h) {
  if (x_future.rows() != h || x_future.cols() != f.n_covariates) {
    detail::raise_argument("x_future", "future covariates must have " + std::to_string(h) +
                                           " rows and " + std::to_string(f.n_covariates) +
                                           " columns (got " + std::to_string(x_future.rows()) +
                                           " x " + std::to_string(x_future.cols()) + ")");
  }
}

/// How the forecast error of step j (0-based) loads on the unknowns: error_j = g_j'(α_{n+1} −
/// a_{n+1|n}) + Σ_{t=1..j} Ψ_{j−t} ε_{n+1+t}, with Ψ = π ∗ ψ (π from the differencing
/// polynomial δ, ψ the ARMA's MA(∞) weights) and g_j = Σ_k π_{j−k} (Z T^{k−1})'.
struct ErrorWeights {
  Eigen::VectorXd Psi;  ///< h weights of the future innovations
  Eigen::MatrixXd G;    ///< h × r, row j = g_j'
};

ErrorWeights error_weights(const ARIMAFitted& f, Eigen::Index h) {
  const Eigen::Index r = f.state.size();
  const Eigen::Index nd = f.delta.size();
  std::vector<int> nzp;  // lags of the non-zero AR coefficients
  for (Eigen::Index i = 0; i < f.phi.size(); ++i) {
    if (f.phi[i] != 0.0) nzp.push_back(static_cast<int>(i + 1));
  }
  Eigen::VectorXd pi(h), psi(h);
  ErrorWeights w{Eigen::VectorXd(h), Eigen::MatrixXd::Zero(h, r)};
  for (Eigen::Index j = 0; j < h; ++j) {
    double s = j == 0 ? 1.0 : 0.0;
    for (Eigen::Index i = 1; i <= std::min(j, nd); ++i) s += f.delta[i - 1] * pi[j - i];
    pi[j] = s;
    double ps = j == 0 ? 1.0 : (j <= f.theta.size() ? f.theta[j - 1] : 0.0);
    for (const int i : nzp) {
      if (i <= j) ps += f.phi[i - 1] * psi[j - i];
    }
    psi[j] = ps;
  }
  for (Eigen::Index j = 0; j < h; ++j) {
    double s = 0.0;
    for (Eigen::Index l = 0; l <= j; ++l) s += pi[j - l] * psi[l];
    w.Psi[j] = s;
  }
  if (r == 0) return w;
  Eigen::MatrixXd C(h, r);  // rows Z T^{k−1}
  Eigen::VectorXd row = Eigen::VectorXd::Zero(r), nrow(r);
  row[0] = 1.0;
  for (Eigen::Index k = 0; k < h; ++k) {
    C.row(k) = row.transpose();
    double s0 = 0.0;
    for (const int i : nzp) s0 += row[i - 1] * f.phi[i - 1];
    nrow[0] = s0;
    for (Eigen::Index i = 1; i < r; ++i) nrow[i] = row[i - 1];
    row.swap(nrow);
  }
  for (Eigen::Index j = 0; j < h; ++j) {
    for (Eigen::Index k = 0; k <= j; ++k) w.G.row(j) += pi[j - k] * C.row(k);
  }
  return w;
}

}  // namespace

SeriesForecast ARIMAFitted::forecast(const ForecastOptions& options,
                                     const Eigen::Ref<const RowMatrixXd>& x_future) const {
  const Eigen::Index h = options.h;
  check_future(*this, x_future, h);
  const Eigen::Index r = state.size();
  const Eigen::MatrixXd parts = detail::arima_mean_parts(*this, x_future, h);
  Eigen::VectorXd mean(h);
  for (Eigen::Index j = 0; j < h; ++j) {
    double reg = 0.0;
    for (Eigen::Index c = 1; c < parts.cols(); ++c) reg += parts(j, c);
    mean[j] = parts(j, 0) + reg;
  }
  // Variances: g_j' P g_j + Σ_{s<j−1} Ψ_s².
  const ErrorWeights w = error_weights(*this, h);
  const auto nq = static_cast<Eigen::Index>(options.quantiles.size());
  std::vector<double> z(options.quantiles.size());
  for (std::size_t q = 0; q < z.size(); ++q) z[q] = detail::normal_quantile(options.quantiles[q]);
  SeriesForecast out{Eigen::VectorXd(h), Eigen::MatrixXd(h, nq)};
  const bool have_cov = state_cov.rows() == r && r > 0;
  double cum = 0.0;
  for (Eigen::Index j = 0; j < h; ++j) {
    double var = cum;
    if (have_cov) {
      const Eigen::VectorXd g = w.G.row(j).transpose();
      var += g.dot(state_cov * g);
    }
    cum += w.Psi[j] * w.Psi[j];
    const double sd = std::sqrt(std::max(var * sigma2, 0.0));
    const double mu = mean[j];
    out.mean[j] = options.nonnegative ? std::max(mu, 0.0) : mu;
    for (Eigen::Index q = 0; q < nq; ++q) {
      const double v = mu + sd * z[static_cast<std::size_t>(q)];
      out.quantiles(j, q) = options.nonnegative ? std::max(v, 0.0) : v;
    }
  }
  return out;
}

Eigen::MatrixXd ARIMAFitted::sample_paths(std::int64_t h,
                                          std::int64_t n_paths,
                                          detail::PathRng& rng,
                                          const Eigen::Ref<const RowMatrixXd>& x_future) const {
  const auto hh = static_cast<Eigen::Index>(h);
  check_future(*this, x_future, hh);
  const Eigen::Index r = state.size();
  const Eigen::MatrixXd parts = detail::arima_mean_parts(*this, x_future, hh);
  const Eigen::VectorXd mean = parts.rowwise().sum();
  // The forecast error at step j is g_j'(α_{n+1} − a_{n+1|n}) + Σ_{t=1..j} Ψ_{j−t} ε_{n+1+t}
  // (the same decomposition as the variance of `forecast`): one draw of the state error from
  // N(0, σ²P) and h − 1 future innovations per path.
  const ErrorWeights w = error_weights(*this, hh);
  const double sigma = std::sqrt(std::isfinite(sigma2) ? std::max(sigma2, 0.0) : 0.0);
  const bool have_cov = state_cov.rows() == r && r > 0;
  // Loadings: columns 0..r−1 the state error (through G = rows g_j', times a root of P),
  // columns r..r+h−2 the innovations ε_{n+2}..ε_{n+h}.
  Eigen::MatrixXd L =
      Eigen::MatrixXd::Zero(hh, (have_cov ? r : 0) + std::max<Eigen::Index>(hh - 1, 0));
  if (have_cov) {
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(0.5 *
                                                             (state_cov + state_cov.transpose()));
    const Eigen::MatrixXd root =
        eig.eigenvectors() * eig.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
    L.leftCols(r) = sigma * (w.G * root);
  }
  const Eigen::Index c0 = have_cov ? r : 0;
  for (Eigen::Index j = 1; j < hh; ++j) {
    for (Eigen::Index t = 1; t <= j; ++t) L(j, c0 + t - 1) = sigma * w.Psi[j - t];
  }
  return detail::gaussian_paths(mean, L, n_paths, rng, std::numeric_limits<double>::infinity());
}

Eigen::MatrixXd ARIMAFitted::sample_paths(std::int64_t h,
                                          std::int64_t n_paths,
                                          detail::PathRng& rng) const {
  if (n_covariates > 0) {
    detail::raise_argument("x_future", "the model was fitted with " + std::to_string(n_covariates) +
                                           " covariates: their future values are needed");
  }
  return sample_paths(h, n_paths, rng, RowMatrixXd(h, 0));
}

CovariateCoefficients ARIMAFitted::coefficients() const {
  CovariateCoefficients out;
  const Eigen::Index k = std::min<Eigen::Index>(n_covariates, coef.size());
  out.coef = Eigen::VectorXd::Zero(n_covariates);
  out.coef.tail(k) = coef.tail(k);
  out.std_error = Eigen::VectorXd::Constant(n_covariates, std::numeric_limits<double>::quiet_NaN());
  return out;
}

bool operator==(const ARIMAFitted& a, const ARIMAFitted& b) noexcept {
  return a.order == b.order && a.seasonal_order == b.seasonal_order &&
         a.season_length == b.season_length && a.intercept == b.intercept && a.drift == b.drift &&
         a.n_covariates == b.n_covariates && a.coef == b.coef && a.sigma2 == b.sigma2 &&
         a.n_obs == b.n_obs && a.phi == b.phi && a.theta == b.theta && a.delta == b.delta &&
         a.state == b.state && a.state_cov == b.state_cov && a.tail == b.tail &&
         a.fallback == b.fallback;
}

std::string to_string(ARIMAMethod method) {
  switch (method) {
    case ARIMAMethod::css_ml:
      return "CSS-ML";
    case ARIMAMethod::ml:
      return "ML";
    case ARIMAMethod::css:
      return "CSS";
  }
  return "CSS-ML";
}

ARIMAMethod parse_arima_method(const std::string& text) {
  if (text == "CSS-ML") return ARIMAMethod::css_ml;
  if (text == "ML") return ARIMAMethod::ml;
  if (text == "CSS") return ARIMAMethod::css;
  detail::raise_argument("method",
                         "method must be \"CSS-ML\", \"ML\" or \"CSS\" (got \"" + text + "\")");
}

std::string to_string(InformationCriterion ic) {
  switch (ic) {
    case InformationCriterion::aicc:
      return "aicc";
    case InformationCriterion::aic:
      return "aic";
    case InformationCriterion::bic:
      return "bic";
  }
  return "aicc";
}

InformationCriterion parse_information_criterion(const std::string& text) {
  if (text == "aicc") return InformationCriterion::aicc;
  if (text == "aic") return InformationCriterion::aic;
  if (text == "bic") return InformationCriterion::bic;
  detail::raise_argument("ic", "ic must be \"aicc\", \"aic\" or \"bic\" (got \"" + text + "\")");
}

namespace {
void check_order(const ARIMAOrder& o, const char* field) {
  if (o.p < 0 || o.d < 0 || o.q < 0 || o.p > 60 || o.q > 60 || o.d > 3) {
    detail::raise_argument(field, std::string(field) +
                                      " must have 0 <= p, q <= 60 and 0 <= d <= 3 (got (" +
                                      std::to_string(o.p) + "," + std::to_string(o.d) + "," +
                                      std::to_string(o.q) + "))");
  }
}
}  // namespace

void validate(const ARIMA& spec) {
  check_order(spec.order, "order");
  check_order(spec.seasonal_order, "seasonal_order");
  if (spec.season_length < 1 || spec.season_length > 1000) {
    detail::raise_argument("season_length", "season_length must be in [1, 1000] (got " +
                                                std::to_string(spec.season_length) + ")");
  }
  const std::int64_t m = spec.season_length;
  const auto& s = spec.seasonal_order;
  if (m > 1 && spec.order.p + s.p * m >= 120) {
    detail::raise_argument("seasonal_order", "the AR polynomial p + P·m must be below 120");
  }
  if (m > 1 && spec.order.q + s.q * m >= 120) {
    detail::raise_argument("seasonal_order", "the MA polynomial q + Q·m must be below 120");
  }
  if (m > 1 && spec.order.p + spec.order.q + s.p + s.q >= 100) {
    detail::raise_argument("order", "p + q + P + Q must be below 100");
  }
}

ARIMAFitted fit_arima(const Eigen::Ref<const Eigen::VectorXd>& y,
                      const Eigen::Ref<const RowMatrixXd>& xreg,
                      const ARIMA& spec) {
  validate(spec);
  const Eigen::MatrixXd X = xreg;
  detail::ArimaCoreSpec cs;
  const bool seasonal = spec.season_length > 1;
  cs.p = static_cast<int>(spec.order.p);
  cs.d = static_cast<int>(spec.order.d);
  cs.q = static_cast<int>(spec.order.q);
  cs.m = seasonal ? static_cast<int>(spec.season_length) : 1;
  cs.sp = seasonal ? static_cast<int>(spec.seasonal_order.p) : 0;
  cs.sd = seasonal ? static_cast<int>(spec.seasonal_order.d) : 0;
  cs.sq = seasonal ? static_cast<int>(spec.seasonal_order.q) : 0;
  cs.method = spec.method;
  const int ndiff = cs.d + cs.sd;
  cs.intercept = spec.include_mean && ndiff == 0;
  cs.drift = spec.include_drift && ndiff <= 1;
  const Eigen::Index n = y.size();
  if (n <= cs.d + cs.sd * cs.m) {
    return detail::fallback_fit(y, X, "series too short for the differencing");
  }
  detail::ArimaCoreFit fit = detail::arima_core(y, X, cs);
  if (!fit.ok) return detail::fallback_fit(y, X, "the model could not be estimated");
  detail::finish_fit(fit, n, cs);
  if (!std::isfinite(fit.fitted.sigma2) || fit.fitted.sigma2 < 0.0) {
    return detail::fallback_fit(y, X, "the model could not be estimated");
  }
  return fit.fitted;
}

ARIMAFitted ARIMA::fit(const SeriesView& s) const { return fit_arima(s.y, s.x, *this); }

std::optional<ARIMAFitted> forward_arima(const ARIMAFitted& f,
                                         const Eigen::Ref<const Eigen::VectorXd>& y,
                                         const Eigen::Ref<const RowMatrixXd>& xreg) {
  // A zero-variance model (the constant fallbacks) carries no estimate worth keeping.
  if (!(f.sigma2 > 0.0)) return std::nullopt;
  const Eigen::Index n = y.size();
  const Eigen::Index k = f.n_covariates;
  const Eigen::Index kreg = (f.intercept ? 1 : 0) + (f.drift ? 1 : 0) + k;
  if (xreg.cols() != k || (k > 0 && xreg.rows() != n) || f.coef.size() < kreg) return std::nullopt;
  if (!y.allFinite() || (k > 0 && !xreg.allFinite())) return std::nullopt;
  const auto d = static_cast<int>(f.order.d);
  const bool seasonal = f.season_length > 1;
  const auto m = seasonal ? static_cast<int>(f.season_length) : 1;
  const auto sd = seasonal ? static_cast<int>(f.seasonal_order.d) : 0;
  const Eigen::Index nd = f.delta.size();
  const Eigen::Index N = n - nd;
  if (N <= 0 || nd != d + sd * m) return std::nullopt;
  // The regression errors u = y − Xβ with the estimated β (unrotated, R's order).
  const Eigen::VectorXd beta = f.coef.tail(kreg);
  Eigen::VectorXd u = y;
  Eigen::Index col = 0;
  if (f.intercept) u.array() -= beta[col++];
  if (f.drift) {
    for (Eigen::Index t = 0; t < n; ++t) u[t] -= beta[col] * static_cast<double>(t + 1);
    ++col;
  }
  if (k > 0) u.noalias() -= xreg * beta.tail(k);
  const Eigen::VectorXd w = detail::diff(detail::diff(u, 1, d), m, sd);
  detail::ArmaWork ws;
  double ssq = 0.0, sumlog = 0.0;
  Eigen::VectorXd state;
  Eigen::MatrixXd cov;
  if (!detail::chandrasekhar(w, f.phi, f.theta, ws, ssq, sumlog, &state, &cov)) {
    return std::nullopt;
  }
  ARIMAFitted g = f;
  g.state = std::move(state);
  g.state_cov = std::move(cov);
  g.tail = u.tail(nd);
  g.n_obs = n;
  // R's `Arima(y, model = fit)`: σ² of the estimation is kept; the likelihood is the exact one
  // of the new data at the kept coefficients.
  const auto nu = static_cast<double>(N);
  const double v2 = nu * std::log(ssq / nu) + sumlog + nu + nu * std::log(2.0 * detail::kPi);
  const auto narma = static_cast<double>(f.coef.size() - kreg);
  const double npar =
      narma + static_cast<double>(kreg - (f.fallback.empty() ? 0 : k)) + 1.0;  // + σ²
  g.loglik = -0.5 * v2;
  g.aic = v2 + 2.0 * npar;
  g.aicc = g.aic + 2.0 * npar * (nu / (nu - npar - 1.0) - 1.0);
  g.bic = g.aic + npar * (std::log(nu) - 2.0);
  if (!std::isfinite(g.loglik) || !g.state.allFinite() || !g.state_cov.allFinite()) {
    return std::nullopt;
  }
  if (!std::isfinite(g.aic)) g.aic = g.aicc = g.bic = detail::kInf;
  return g;
}

std::optional<ARIMAFitted> ARIMA::forward(const ARIMAFitted& fitted, const SeriesView& s) const {
  return forward_arima(fitted, s.y, s.x);
}

}  // namespace quickstock
