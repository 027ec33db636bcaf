#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <quickstock/detail/math.hpp>
#include <quickstock/detail/nelder_mead.hpp>
#include <quickstock/detail/shapley.hpp>
#include <quickstock/error.hpp>
#include <quickstock/models/theta.hpp>

namespace quickstock {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// R ses = ets(x, "ANN", opt.crit = "mse"): R's "usual" alpha bounds and iteration budget.
constexpr double kSesLower = 1e-4;
constexpr double kSesUpper = 0.9999;
constexpr int kSesMaxEvaluations = 2000;
// Fiorucci et al. (forecTheta, statsforecast) bounds: alpha in [0.1, 0.99], theta in [1, 1e10],
// initial level in [-1e10, 1e10].
constexpr double kAlphaLower = 0.1;
constexpr double kAlphaUpper = 0.99;
constexpr double kKUpper = 1.0 - 1e-10;  // k = 1 − 1/theta for theta = 1e10
constexpr double kLevelBound = 1e10;
constexpr int kBurnIn = 3;  // one-step errors 0..2 are left out of the MSE (as statsforecast)
constexpr int kGrid = 12;   // alpha grid before Brent's refinement

// ---------------------------------------------------------------------------------------------
// Seasonality: R thetaf's ACF test and R's classical decomposition.

// R thetaf's test: |r_m| / sqrt((1 + 2·Σ_{k<m} r_k²)/n) > qnorm(0.95), r_k R's `acf`.
bool acf_seasonal(const Eigen::VectorXd& y, std::int64_t m) {
  const Eigen::Index n = y.size();
  const double mean = y.mean();
  double c0 = 0.0;
  for (Eigen::Index t = 0; t < n; ++t) c0 += (y[t] - mean) * (y[t] - mean);
  if (!(c0 > 0.0)) return false;
  double sum_r2 = 0.0;
  double rm = 0.0;
  for (std::int64_t k = 1; k <= m; ++k) {
    double ck = 0.0;
    for (Eigen::Index t = 0; t + k < n; ++t) ck += (y[t] - mean) * (y[t + k] - mean);
    const double r = ck / c0;
    if (k < m) {
      sum_r2 += r * r;
    } else {
      rm = r;
    }
  }
  const double stat = std::sqrt((1.0 + 2.0 * sum_r2) / static_cast<double>(n));
  return std::fabs(rm) / stat > detail::normal_quantile(0.95);
}

// Seasonal figure of R `decompose`: figure[i] for positions t ≡ i (mod m) counted from the
// first observation; centred moving average 2×m (even m) or m (odd m). Needs n >= 2m.
Eigen::VectorXd decompose_figure(const Eigen::VectorXd& y, std::int64_t m64, bool mult) {
  const auto m = static_cast<Eigen::Index>(m64);
  const Eigen::Index n = y.size();
  const Eigen::Index nf = m % 2 == 0 ? m + 1 : m;
  const Eigen::Index half = nf / 2;
  Eigen::VectorXd sums = Eigen::VectorXd::Zero(m);
  Eigen::VectorXd counts = Eigen::VectorXd::Zero(m);
  for (Eigen::Index t = half; t + (nf - 1 - half) < n; ++t) {
    double trend = 0.0;
    for (Eigen::Index j = 0; j < nf; ++j) {
      const double w = (m % 2 == 0 && (j == 0 || j == nf - 1)) ? 0.5 : 1.0;
      trend += w / static_cast<double>(m) * y[t + half - j];
    }
    sums[t % m] += mult ? y[t] / trend : y[t] - trend;
    counts[t % m] += 1.0;
  }
  Eigen::VectorXd figure = sums.cwiseQuotient(counts);
  const double mean = figure.mean();
  if (mult) {
    figure /= mean;
  } else {
    figure.array() -= mean;
  }
  return figure;
}

// ---------------------------------------------------------------------------------------------
// Input preparation shared by the family.

struct Prepared {
  Eigen::VectorXd x;  // the (deseasonalised) series, divided by `scale`
  double scale = 1.0;
  double last = 0.0;  // last observation, divided by `scale`
  bool constant = false;
  bool seasonal = false;
  DecompositionType decomposition = DecompositionType::multiplicative;
  Eigen::VectorXd season_index;  // m indices of the forecast steps
  std::string note;              // fallback notes ("; "-joined)
};

void add_note(std::string& note, const std::string& s) {
  if (!note.empty()) note += "; ";
  note += s;
}

Prepared prepare(const SeriesView& s, std::int64_t m, DecompositionType requested) {
  const Eigen::Index n = s.y.size();
  if (n == 0) detail::raise_invalid("series has no observations", s.id, std::nullopt, "y");
  for (Eigen::Index t = 0; t < n; ++t) {
    if (!std::isfinite(s.y[t])) {
      detail::raise_invalid("Theta needs finite observations (got " + std::to_string(s.y[t]) +
                                " at position " + std::to_string(t) + ")",
                            s.id, std::nullopt, "y");
    }
  }
  Prepared p;
  const double mx = s.y.cwiseAbs().maxCoeff();
  // Powers of two rescale exactly; only magnitudes whose squares would overflow or underflow.
  if (mx > 1e50 || (mx > 0.0 && mx < 1e-50)) p.scale = std::ldexp(1.0, std::ilogb(mx));
  p.x = s.y / p.scale;
  p.last = p.x[n - 1];
  p.constant = s.y.maxCoeff() == s.y.minCoeff();
  p.decomposition = requested;
  if (m <= 1 || p.constant) return p;
  if (n <= 2 * m) {
    add_note(p.note, "series of " + std::to_string(n) + " <= 2 × season_length points: not " +
                         "deseasonalised");
    return p;
  }
  if (!acf_seasonal(p.x, m)) return p;
  if (requested == DecompositionType::multiplicative && p.x.minCoeff() <= 0.0) {
    p.decomposition = DecompositionType::additive;
    add_note(p.note, "data not strictly positive: additive decomposition");
  }
  const bool mult = p.decomposition == DecompositionType::multiplicative;
  const Eigen::VectorXd figure = decompose_figure(p.x, m, mult);
  if (!figure.allFinite()) {
    add_note(p.note, "seasonal indices not finite: not deseasonalised");
    return p;
  }
  if (mult && figure.cwiseAbs().minCoeff() < 1e-4) {
    add_note(p.note, "seasonal indices close to zero: not deseasonalised (as R thetaf)");
    return p;
  }
  p.seasonal = true;
  for (Eigen::Index t = 0; t < n; ++t) {
    const double f = figure[t % m];
    p.x[t] = mult ? p.x[t] / f : p.x[t] - f;
  }
  p.season_index.resize(m);
  for (Eigen::Index j = 0; j < m; ++j) p.season_index[j] = figure[(n + j) % m];
  return p;
}

ThetaFitted base_fitted(const Prepared& p, std::int64_t m, ThetaMethod method) {
  ThetaFitted f;
  f.method = method;
  f.n_obs = p.x.size();
  f.season_length = m;
  f.seasonal = p.seasonal;
  f.decomposition = p.decomposition;
  f.season_index = p.season_index;
  f.scale = p.scale;
  f.fallback = p.note;
  return f;
}

// Flat forecast at the last value with random walk variance (mean squared one-step change):
// constant series (zero width) and series too short for the model.
ThetaFitted naive_fit(const Prepared& p, std::int64_t m, const std::string& why) {
  ThetaFitted f = base_fitted(p, m, ThetaMethod::naive);
  const Eigen::Index n = p.x.size();
  f.level = f.mean_y = f.a = p.last;
  f.alpha = 1.0;
  double ss = 0.0;
  for (Eigen::Index t = 1; t < n; ++t) ss += (p.x[t] - p.x[t - 1]) * (p.x[t] - p.x[t - 1]);
  f.sigma2 = n > 1 ? ss / static_cast<double>(n - 1) : 0.0;
  f.mse = f.sigma2 * p.scale * p.scale;
  f.fallback.clear();
  add_note(f.fallback, why);
  add_note(f.fallback, p.note);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Standard Theta as R thetaf.

// R ses: ETS(A,N,N) one-step errors of level l0 and smoothing alpha; returns the MSE (R's
// opt.crit = "mse" objective) and optionally the final level.
double ses_mse(const Eigen::VectorXd& x, double alpha, double l0, double* last_level) {
  double l = l0;
  double sse = 0.0;
  for (Eigen::Index t = 0; t < x.size(); ++t) {
    const double e = x[t] - l;
    sse += e * e;
    l += alpha * e;
  }
  if (last_level != nullptr) *last_level = l;
  return sse / static_cast<double>(x.size());
}

ThetaFitted thetaf_short_fit(const Prepared& p, std::int64_t m);

ThetaFitted thetaf_fit(const Prepared& p, std::int64_t m) {
  const Eigen::VectorXd& x = p.x;
  const Eigen::Index n = x.size();
  if (p.constant) return naive_fit(p, m, "constant series: flat forecast, zero width");
  if (n < 3) return naive_fit(p, m, "fewer than 3 points: naive forecast");
  if (n <= 6) return thetaf_short_fit(p, m);
  // R ets starting values for ETS(A,N,N): alpha = lower + 0.2·(upper − lower) (m = 1 for a
  // non-seasonal model), l0 = mean of the first min(10, n) values.
  const Eigen::Index maxn = std::min<Eigen::Index>(10, n);
  std::vector<double> par{kSesLower + 0.2 * (kSesUpper - kSesLower), x.head(maxn).mean()};
  auto objective = [&](const double* q) {
    if (q[0] < kSesLower || q[0] > kSesUpper) return kInf;
    return ses_mse(x, q[0], q[1], nullptr);
  };
  const double best = detail::nelder_mead_r(objective, par, kSesMaxEvaluations);
  if (!std::isfinite(best)) return naive_fit(p, m, "SES could not be fitted: naive forecast");
  ThetaFitted f = base_fitted(p, m, ThetaMethod::thetaf);
  f.alpha = par[0];
  f.initial_level = par[1];
  const double mse = ses_mse(x, f.alpha, f.initial_level, &f.level);
  f.sigma2 = mse * static_cast<double>(n) / static_cast<double>(n - 2);  // R: SSE / (n − 2)
  f.mse = mse * p.scale * p.scale;
  // Half the least-squares slope of x on 0..n−1 (R's lsfit).
  const double tm = static_cast<double>(n - 1) / 2.0;
  const double xm = x.mean();
  double sxy = 0.0;
  double sxx = 0.0;
  for (Eigen::Index t = 0; t < n; ++t) {
    sxy += (static_cast<double>(t) - tm) * (x[t] - xm);
    sxx += (static_cast<double>(t) - tm) * (static_cast<double>(t) - tm);
  }
  f.drift = sxy / sxx / 2.0;
  f.mean_y = xm;
  return f;
}

// ---------------------------------------------------------------------------------------------
// Fiorucci et al. (2016) state space theta models.
//
// States after observation i (0-based): level l_i, running mean ybar_i, intercept A_i and slope
// B_i of the theta = 0 line. With r = 1 − alpha and k = 1 − 1/theta, the one-step forecast is
//   mu_i = l_{i−1} + k·(A_{i−1}·r^i + B_{i−1}·(1 − r^{i+1})/alpha),
// l_0 = alpha·y_0 + r·L (L the initial level), l_i = alpha·y_i + r·l_{i−1}; A, B are the
// full-sample regression (static models) or updated every step from y alone (dynamic):
//   ybar_i = (i·ybar_{i−1} + y_i)/(i+1),
//   B_i = ((i−1)·B_{i−1} + 6·(y_i − ybar_{i−1})/(i+1))/(i+2),  A_i = ybar_i − B_i·(i+2)/2.
// A and B never depend on the parameters, and l_{i−1} = r^i·L + S_{i−1} with S the level from
// L = 0, so the error e_i = (y_i − S_{i−1}) − r^i·L − k·G_i is linear in (L, k): for a given
// alpha the least-squares (L, k) is a 2×2 solve, and only alpha needs a numerical search.

struct Coefficients {
  std::vector<double> a;  // a[i] = A_{i−1}, i >= 1
  std::vector<double> b;  // b[i] = B_{i−1}
};

Coefficients theta_lines(const Eigen::VectorXd& y, bool dynamic) {
  const Eigen::Index n = y.size();
  Coefficients c;
  c.a.assign(static_cast<std::size_t>(n), 0.0);
  c.b.assign(static_cast<std::size_t>(n), 0.0);
  if (dynamic) {
    double ybar = y[0];
    double a = y[0];
    double b = 0.0;
    for (Eigen::Index i = 1; i < n; ++i) {
      c.a[static_cast<std::size_t>(i)] = a;
      c.b[static_cast<std::size_t>(i)] = b;
      const auto di = static_cast<double>(i);
      const double ybar_new = (di * ybar + y[i]) / (di + 1.0);
      b = ((di - 1.0) * b + 6.0 * (y[i] - ybar) / (di + 1.0)) / (di + 2.0);
      a = ybar_new - b * (di + 2.0) / 2.0;
      ybar = ybar_new;
    }
  } else {
    // Least-squares line of y on t = 1..n.
    const auto nn = static_cast<double>(n);
    const double ym = y.mean();
    double ty = 0.0;
    for (Eigen::Index t = 0; t < n; ++t) ty += static_cast<double>(t + 1) * y[t];
    const double b = n > 1 ? 6.0 * (2.0 * ty / nn - (nn + 1.0) * ym) / (nn * nn - 1.0) : 0.0;
    const double a = ym - (nn + 1.0) * b / 2.0;
    std::fill(c.a.begin(), c.a.end(), a);
    std::fill(c.b.begin(), c.b.end(), b);
  }
  return c;
}

struct Solution {
  double sse = kInf;
  double level0 = 0.0;  // L
  double k = 0.5;       // 1 − 1/theta
};

// The least-squares (L, k) for one alpha (k fixed at 0.5 unless `free_k`), in one pass.
Solution profile(const Eigen::VectorXd& y,
                 const Coefficients& co,
                 double alpha,
                 bool free_k,
                 double level_default) {
  const Eigen::Index n = y.size();
  const double r = 1.0 - alpha;
  double s = alpha * y[0];
  double c = r;  // r^i: coefficient of L in l_{i−1}
  double suu = 0.0;
  double scc = 0.0;
  double sgg = 0.0;
  double suc = 0.0;
  double sug = 0.0;
  double scg = 0.0;
  const double* a = co.a.data();
  const double* b = co.b.data();
  for (Eigen::Index i = 1; i < n; ++i) {
    if (i >= kBurnIn) {
      const auto ii = static_cast<std::size_t>(i);
      const double g = a[ii] * c + b[ii] * (1.0 - c * r) / alpha;
      const double u = y[i] - s;
      suu += u * u;
      scc += c * c;
      sgg += g * g;
      suc += u * c;
      sug += u * g;
      scg += c * g;
    }
    s = alpha * y[i] + r * s;
    c *= r;
    if (c < 1e-250) c = 0.0;  // keep clear of subnormals
  }
  Solution out;
  const auto solve_level = [&](double k) {
    const double l = scc > 0.0 ? (suc - k * scg) / scc : level_default;
    return std::clamp(l, -kLevelBound, kLevelBound);
  };
  double level = 0.0;
  double k = 0.5;
  if (!free_k) {
    level = solve_level(k);
  } else {
    const double det = scc * sgg - scg * scg;
    if (scc > 0.0 && sgg > 0.0 && det > 1e-12 * scc * sgg) {
      level = (suc * sgg - sug * scg) / det;
      k = (sug * scc - suc * scg) / det;
    } else {
      k = sgg > 0.0 ? sug / sgg : 0.5;
      level = scc > 0.0 ? (suc - k * scg) / scc : level_default;
    }
    if (k < 0.0 || k > kKUpper) {
      k = std::clamp(k, 0.0, kKUpper);
      level = solve_level(k);
    } else if (std::fabs(level) > kLevelBound) {
      level = std::clamp(level, -kLevelBound, kLevelBound);
      if (sgg > 0.0) k = std::clamp((sug - level * scg) / sgg, 0.0, kKUpper);
    }
  }
  out.level0 = level;
  out.k = k;
  const double q = suu - 2.0 * level * suc - 2.0 * k * sug + level * level * scc +
                   2.0 * level * k * scg + k * k * sgg;
  out.sse = std::max(q, 0.0);
  return out;
}

// Brent's minimisation of f on [lo, hi] (golden section with parabolic steps), to an absolute
// alpha tolerance `tol`. Returns the best abscissa; `fbest` its value.
template <class F>
double brent_min(F& f, double lo, double hi, double x0, double f0, double tol, double& fbest) {
  constexpr double kGold = 0.3819660112501051;
  double a = lo;
  double b = hi;
  double x = x0;
  double w = x0;
  double v = x0;
  double fx = f0;
  double fw = f0;
  double fv = f0;
  double d = 0.0;
  double e = 0.0;
  for (int it = 0; it < 100; ++it) {
    const double xm = 0.5 * (a + b);
    const double tol1 = tol + 1e-10 * std::fabs(x);
    const double tol2 = 2.0 * tol1;
    if (std::fabs(x - xm) <= tol2 - 0.5 * (b - a)) break;
    bool golden = true;
    if (std::fabs(e) > tol1) {
      double rr = (x - w) * (fx - fv);
      double q = (x - v) * (fx - fw);
      double pp = (x - v) * q - (x - w) * rr;
      q = 2.0 * (q - rr);
      if (q > 0.0) pp = -pp;
      q = std::fabs(q);
      const double etemp = e;
      e = d;
      if (std::fabs(pp) < std::fabs(0.5 * q * etemp) && pp > q * (a - x) && pp < q * (b - x)) {
        d = pp / q;
        const double u = x + d;
        if (u - a < tol2 || b - u < tol2) d = xm >= x ? tol1 : -tol1;
        golden = false;
      }
    }
    if (golden) {
      e = (x >= xm ? a : b) - x;
      d = kGold * e;
    }
    const double u = std::fabs(d) >= tol1 ? x + d : x + (d > 0.0 ? tol1 : -tol1);
    const double fu = f(u);
    if (fu <= fx) {
      if (u >= x) {
        a = x;
      } else {
        b = x;
      }
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      if (u < x) {
        a = u;
      } else {
        b = u;
      }
      if (fu <= fw || w == x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v == x || v == w) {
        v = u;
        fv = fu;
      }
    }
  }
  fbest = fx;
  return x;
}

// R thetaf on 3 to 6 points: R's ets has too few points for ETS(A,N,N) (n <= parameters + 4)
// and fits it as Holt–Winters (`HoltWintersZZ`): l0 = x[0], alpha in [0, 1] minimising the
// SSE of the one-step errors (R: L-BFGS-B; here a grid and Brent's method), σ² = SSE / n.
ThetaFitted thetaf_short_fit(const Prepared& p, std::int64_t m) {
  const Eigen::VectorXd& x = p.x;
  const Eigen::Index n = x.size();
  auto sse = [&](double alpha) {
    double l = x[0];
    double s = 0.0;
    for (Eigen::Index t = 0; t < n; ++t) {
      const double e = x[t] - l;
      s += e * e;
      l += alpha * e;
    }
    return s;
  };
  constexpr int kPoints = 21;
  int best = 0;
  double f_best = kInf;
  for (int j = 0; j < kPoints; ++j) {
    const double v = sse(static_cast<double>(j) / (kPoints - 1));
    if (v < f_best) {
      f_best = v;
      best = j;
    }
  }
  const double lo = static_cast<double>(std::max(best - 1, 0)) / (kPoints - 1);
  const double hi = static_cast<double>(std::min(best + 1, kPoints - 1)) / (kPoints - 1);
  double f_alpha = f_best;
  double alpha = std::clamp(
      brent_min(sse, lo, hi, static_cast<double>(best) / (kPoints - 1), f_best, 1e-10, f_alpha), lo,
      hi);
  if (!(f_alpha <= f_best)) alpha = static_cast<double>(best) / (kPoints - 1);
  ThetaFitted f = base_fitted(p, m, ThetaMethod::thetaf);
  f.alpha = std::max(1e-10, alpha);  // R thetaf's pmax(1e-10, alpha)
  f.initial_level = x[0];
  double l = x[0];
  double total = 0.0;
  for (Eigen::Index t = 0; t < n; ++t) {
    const double e = x[t] - l;
    total += e * e;
    l += alpha * e;
  }
  f.level = l;
  f.sigma2 = total / static_cast<double>(n);
  f.mse = f.sigma2 * p.scale * p.scale;
  const double tm = static_cast<double>(n - 1) / 2.0;
  const double xm = x.mean();
  double sxy = 0.0;
  double sxx = 0.0;
  for (Eigen::Index t = 0; t < n; ++t) {
    sxy += (static_cast<double>(t) - tm) * (x[t] - xm);
    sxx += (static_cast<double>(t) - tm) * (static_cast<double>(t) - tm);
  }
  f.drift = sxy / sxx / 2.0;
  f.mean_y = xm;
  add_note(f.fallback, "3 to 6 points: alpha by Holt-Winters least squares with l0 = y[0] (as R)");
  return f;
}

// Fits one Fiorucci model to the prepared (deseasonalised, scaled) series.
ThetaFitted fiorucci_fit(const Prepared& p, std::int64_t m, ThetaMethod method) {
  const Eigen::VectorXd& y = p.x;
  const Eigen::Index n = y.size();
  if (p.constant) return naive_fit(p, m, "constant series: flat forecast, zero width");
  if (n < 5) return naive_fit(p, m, "fewer than 5 points: naive forecast");
  const bool dynamic = method == ThetaMethod::dstm || method == ThetaMethod::dotm;
  const bool free_k = method == ThetaMethod::otm || method == ThetaMethod::dotm;
  const Coefficients co = theta_lines(y, dynamic);
  const double level_default = y[0];
  auto f = [&](double alpha) { return profile(y, co, alpha, free_k, level_default).sse; };
  // Grid, then Brent's method in the bracket around the best grid point.
  std::array<double, kGrid> grid_f{};
  const double step = (kAlphaUpper - kAlphaLower) / (kGrid - 1);
  const auto grid = [&](int j) { return j == kGrid - 1 ? kAlphaUpper : kAlphaLower + step * j; };
  int best = 0;
  for (int j = 0; j < kGrid; ++j) {
    grid_f[static_cast<std::size_t>(j)] = f(grid(j));
    if (grid_f[static_cast<std::size_t>(j)] < grid_f[static_cast<std::size_t>(best)]) best = j;
  }
  const double lo = grid(std::max(best - 1, 0));
  const double hi = grid(std::min(best + 1, kGrid - 1));
  const double f_grid = grid_f[static_cast<std::size_t>(best)];
  double fbest = f_grid;
  double alpha = std::clamp(brent_min(f, lo, hi, grid(best), f_grid, 1e-8, fbest), lo, hi);
  if (!(fbest <= f_grid)) alpha = grid(best);
  const Solution sol = profile(y, co, alpha, free_k, level_default);

  // Run the recursion with the estimates: exact SSE and the final states.
  ThetaFitted out = base_fitted(p, m, method);
  const double r = 1.0 - alpha;
  const double k = sol.k;
  double level = alpha * y[0] + r * sol.level0;
  double ybar = y[0];
  double a = dynamic ? y[0] : co.a[1];
  double b = dynamic ? 0.0 : co.b[1];
  double c = r;
  double sse = 0.0;
  for (Eigen::Index i = 1; i < n; ++i) {
    const double mu = level + k * (a * c + b * (1.0 - c * r) / alpha);
    const double e = y[i] - mu;
    if (i >= kBurnIn) sse += e * e;
    level = alpha * y[i] + r * level;
    const auto di = static_cast<double>(i);
    const double ybar_new = (di * ybar + y[i]) / (di + 1.0);
    if (dynamic) {
      b = ((di - 1.0) * b + 6.0 * (y[i] - ybar) / (di + 1.0)) / (di + 2.0);
      a = ybar_new - b * (di + 2.0) / 2.0;
    }
    ybar = ybar_new;
    c *= r;
    if (c < 1e-250) c = 0.0;
  }
  if (!std::isfinite(sse) || !std::isfinite(level)) {
    return naive_fit(p, m, "theta model could not be fitted: naive forecast");
  }
  out.alpha = alpha;
  out.theta = 1.0 / (1.0 - k);
  out.initial_level = sol.level0 * p.scale;
  out.level = level;
  out.mean_y = ybar;
  out.a = a;
  out.b = b;
  const auto n_err = static_cast<double>(n - kBurnIn);
  const double n_par = free_k ? 3.0 : 2.0;
  out.sigma2 = sse / std::max(n_err - n_par, 1.0);
  out.mse = sse / n_err * p.scale * p.scale;
  return out;
}

// AutoTheta's validation window: one season (10 points without season), at most a quarter of
// the series; 0 (in-sample MSE instead) when fewer than 10 points would remain to fit.
Eigen::Index holdout_length(Eigen::Index n, std::int64_t m) {
  const Eigen::Index want = m > 1 ? static_cast<Eigen::Index>(m) : 10;
  const Eigen::Index hold = std::min(want, n / 4);
  return hold >= 1 && n - hold >= 10 ? hold : 0;
}

void require_season_length(std::int64_t m) {
  if (m < 1) {
    detail::raise_argument("season_length",
                           "season_length must be >= 1 (got " + std::to_string(m) + ")");
  }
}

}  // namespace

// -----------------------------------------------------------------------------------------------

std::string to_string(DecompositionType d) {
  return d == DecompositionType::multiplicative ? "multiplicative" : "additive";
}

std::string to_string(ThetaSelection s) { return s == ThetaSelection::holdout ? "holdout" : "mse"; }

ThetaSelection parse_theta_selection(const std::string& s) {
  if (s == "holdout") return ThetaSelection::holdout;
  if (s == "mse") return ThetaSelection::mse;
  detail::raise_argument("selection", "selection must be 'holdout' or 'mse' (got '" + s + "')");
}

DecompositionType parse_decomposition_type(const std::string& s) {
  if (s == "multiplicative") return DecompositionType::multiplicative;
  if (s == "additive") return DecompositionType::additive;
  detail::raise_argument(
      "decomposition_type",
      "decomposition_type must be 'multiplicative' or 'additive' (got '" + s + "')");
}

void validate(const Theta& spec) { require_season_length(spec.season_length); }
void validate(const OptimizedTheta& spec) { require_season_length(spec.season_length); }
void validate(const DynamicTheta& spec) { require_season_length(spec.season_length); }
void validate(const DynamicOptimizedTheta& spec) { require_season_length(spec.season_length); }
void validate(const AutoTheta& spec) { require_season_length(spec.season_length); }

ThetaFitted Theta::fit(const SeriesView& s) const {
  validate(*this);
  return thetaf_fit(prepare(s, season_length, decomposition_type), season_length);
}

ThetaFitted OptimizedTheta::fit(const SeriesView& s) const {
  validate(*this);
  return fiorucci_fit(prepare(s, season_length, decomposition_type), season_length,
                      ThetaMethod::otm);
}

ThetaFitted DynamicTheta::fit(const SeriesView& s) const {
  validate(*this);
  return fiorucci_fit(prepare(s, season_length, decomposition_type), season_length,
                      ThetaMethod::dstm);
}

ThetaFitted DynamicOptimizedTheta::fit(const SeriesView& s) const {
  validate(*this);
  return fiorucci_fit(prepare(s, season_length, decomposition_type), season_length,
                      ThetaMethod::dotm);
}

ThetaFitted AutoTheta::fit(const SeriesView& s) const {
  validate(*this);
  const Prepared p = prepare(s, season_length, decomposition_type);
  constexpr std::array<ThetaMethod, 4> kCandidates{ThetaMethod::stm, ThetaMethod::otm,
                                                   ThetaMethod::dstm, ThetaMethod::dotm};
  const Eigen::Index n = p.x.size();
  const Eigen::Index hold = holdout_length(n, season_length);
  if (selection == ThetaSelection::holdout && hold > 0 && !p.constant) {
    // Fit every candidate to all but the last `hold` points, forecast them, and refit the
    // candidate with the smallest squared error to the whole series.
    Prepared head = p;
    head.x = p.x.head(n - hold);
    head.seasonal = false;  // compare on the deseasonalised scale
    head.scale = 1.0;
    ThetaMethod best = kCandidates[0];
    double best_sse = kInf;
    const ForecastOptions opts{hold, {}, false};
    for (const ThetaMethod method : kCandidates) {
      const ThetaFitted f = fiorucci_fit(head, season_length, method);
      if (f.method == ThetaMethod::naive) break;
      const double sse = (f.forecast(opts).mean - p.x.tail(hold)).squaredNorm();
      if (sse < best_sse) {
        best_sse = sse;
        best = method;
      }
    }
    if (std::isfinite(best_sse)) return fiorucci_fit(p, season_length, best);
  }
  ThetaFitted best;
  bool found = false;
  for (const ThetaMethod method : kCandidates) {
    ThetaFitted f = fiorucci_fit(p, season_length, method);
    if (f.method == ThetaMethod::naive) return f;  // the same fallback for every candidate
    if (!found || f.mse < best.mse) {
      best = std::move(f);
      found = true;
    }
  }
  return best;
}

std::string ThetaFitted::method_name() const {
  switch (method) {
    case ThetaMethod::thetaf:
      return "Theta";
    case ThetaMethod::stm:
      return "STM";
    case ThetaMethod::otm:
      return "OTM";
    case ThetaMethod::dstm:
      return "DSTM";
    case ThetaMethod::dotm:
      return "DOTM";
    case ThetaMethod::naive:
      return "Naive";
  }
  return "Naive";
}

bool operator==(const ThetaFitted& a, const ThetaFitted& b) noexcept {
  return a.method == b.method && a.alpha == b.alpha && a.theta == b.theta &&
         a.initial_level == b.initial_level && a.drift == b.drift && a.level == b.level &&
         a.mean_y == b.mean_y && a.a == b.a && a.b == b.b && a.sigma2 == b.sigma2 &&
         a.mse == b.mse && a.n_obs == b.n_obs && a.season_length == b.season_length &&
         a.seasonal == b.seasonal && a.decomposition == b.decomposition &&
         a.season_index == b.season_index && a.scale == b.scale && a.fallback == b.fallback;
}

namespace {

// The deseasonalised forecast of `f` (units of `scale`): mean, standard deviation and, when
// `W` is given (h × h, zeroed), the weights of the future errors e_0..e_{h−1} (sd = σ·|row|).
void deseasonalised(const ThetaFitted& f,
                    Eigen::Index h,
                    Eigen::VectorXd& mean,
                    Eigen::VectorXd& sd,
                    Eigen::MatrixXd* W) {
  const double sigma = std::sqrt(std::isfinite(f.sigma2) ? std::max(f.sigma2, 0.0) : 0.0);
  const auto n = static_cast<double>(f.n_obs);
  switch (f.method) {
    case ThetaMethod::naive:
      for (Eigen::Index j = 0; j < h; ++j) {
        mean[j] = f.level;
        sd[j] = sigma * std::sqrt(static_cast<double>(j + 1));
        if (W != nullptr) W->row(j).head(j + 1).setOnes();
      }
      break;
    case ThetaMethod::thetaf: {
      // R thetaf: SES forecast + drift·(j + (1 − (1 − α)^n)/α); se = σ·sqrt(1 + j·α²).
      const double al = std::max(1e-10, f.alpha);
      const double tail = (1.0 - std::pow(1.0 - al, n)) / al;
      for (Eigen::Index j = 0; j < h; ++j) {
        const auto dj = static_cast<double>(j);
        mean[j] = f.level + f.drift * (dj + tail);
        sd[j] = sigma * std::sqrt(dj * al * al + 1.0);
        if (W != nullptr) {
          W->row(j).head(j).setConstant(al);
          (*W)(j, j) = 1.0;
        }
      }
      break;
    }
    default: {
      // Fiorucci recursion fed with its own forecasts; the forecast is linear in the future
      // errors e_0..e_{h−1}, so their weights are carried through the states (d*) and the
      // h-step variance is σ²·(1 + Σ weights²).
      const bool dynamic = f.method == ThetaMethod::dstm || f.method == ThetaMethod::dotm;
      const double k = 1.0 - 1.0 / f.theta;
      const double r = 1.0 - f.alpha;
      double l = f.level;
      double yb = f.mean_y;
      double aa = f.a;
      double bb = f.b;
      double c = std::pow(r, n);
      Eigen::VectorXd dl = Eigen::VectorXd::Zero(h);
      Eigen::VectorXd dm = Eigen::VectorXd::Zero(h);
      Eigen::VectorXd da = Eigen::VectorXd::Zero(h);
      Eigen::VectorXd db = Eigen::VectorXd::Zero(h);
      Eigen::VectorXd dy(h);
      for (Eigen::Index j = 0; j < h; ++j) {
        const double i = n + static_cast<double>(j);
        const double wa = k * c;
        const double wb = k * (1.0 - c * r) / f.alpha;
        const double mu = l + wa * aa + wb * bb;
        mean[j] = mu;
        dy.head(j) = dl.head(j) + wa * da.head(j) + wb * db.head(j);
        sd[j] = sigma * std::sqrt(1.0 + dy.head(j).squaredNorm());
        if (W != nullptr) {
          W->row(j).head(j) = dy.head(j).transpose();
          (*W)(j, j) = 1.0;
        }
        dy[j] = 1.0;
        const Eigen::Index jj = j + 1;
        // Level and running mean (y = mu + e_j).
        l = f.alpha * mu + r * l;
        dl.head(jj) = f.alpha * dy.head(jj) + r * dl.head(jj);
        const double yb_new = (i * yb + mu) / (i + 1.0);
        if (dynamic) {
          const double bb_new = ((i - 1.0) * bb + 6.0 * (mu - yb) / (i + 1.0)) / (i + 2.0);
          db.head(jj) =
              ((i - 1.0) * db.head(jj) + 6.0 * (dy.head(jj) - dm.head(jj)) / (i + 1.0)) / (i + 2.0);
          bb = bb_new;
          aa = yb_new - bb * (i + 2.0) / 2.0;
        }
        dm.head(jj) = (i * dm.head(jj) + dy.head(jj)) / (i + 1.0);
        if (dynamic) da.head(jj) = dm.head(jj) - db.head(jj) * (i + 2.0) / 2.0;
        yb = yb_new;
        c *= r;
      }
      break;
    }
  }
}

}  // namespace

SeriesForecast ThetaFitted::forecast(const ForecastOptions& options) const {
  const Eigen::Index h = options.h;
  const auto nq = static_cast<Eigen::Index>(options.quantiles.size());
  SeriesForecast out{Eigen::VectorXd(h), Eigen::MatrixXd(h, nq)};
  Eigen::VectorXd sd(h);  // standard deviation of the deseasonalised forecast

  {
    Eigen::VectorXd mean_ds(h);
    deseasonalised(*this, h, mean_ds, sd, nullptr);
    out.mean = mean_ds;
  }

  // Reseasonalise. thetaf keeps R's intervals: the mean is reseasonalised and the bounds are
  // mean ± z·se with se from the deseasonalised fit.
  const bool mult = decomposition == DecompositionType::multiplicative;
  for (Eigen::Index j = 0; j < h; ++j) {
    double idx = mult ? 1.0 : 0.0;
    if (seasonal) idx = season_index[j % season_index.size()];
    const double mean_ds = out.mean[j];
    out.mean[j] = mult ? mean_ds * idx : mean_ds + idx;
    for (Eigen::Index q = 0; q < nq; ++q) {
      const double z = detail::normal_quantile(options.quantiles[static_cast<std::size_t>(q)]);
      if (method == ThetaMethod::thetaf) {
        out.quantiles(j, q) = out.mean[j] + z * sd[j];
      } else {
        const double v = mean_ds + z * sd[j];
        out.quantiles(j, q) = mult ? v * idx : v + idx;
      }
    }
  }
  out.mean *= scale;
  out.quantiles *= scale;
  if (options.nonnegative) {
    out.mean = out.mean.cwiseMax(0.0);
    out.quantiles = out.quantiles.cwiseMax(0.0);
  }
  return out;
}

Eigen::MatrixXd ThetaFitted::sample_paths(std::int64_t h,
                                          std::int64_t n_paths,
                                          detail::PathRng& rng) const {
  const auto hh = static_cast<Eigen::Index>(h);
  Eigen::VectorXd mean(hh), sd(hh);
  Eigen::MatrixXd L = Eigen::MatrixXd::Zero(hh, hh);
  deseasonalised(*this, hh, mean, sd, &L);
  const double sigma = std::sqrt(std::isfinite(sigma2) ? std::max(sigma2, 0.0) : 0.0);
  L *= sigma;
  // Reseasonalised as `forecast` does its quantiles: thetaf adds the deseasonalised error to
  // the reseasonalised mean; the others reseasonalise the deseasonalised path.
  const bool mult = decomposition == DecompositionType::multiplicative;
  for (Eigen::Index j = 0; j < hh; ++j) {
    double idx = mult ? 1.0 : 0.0;
    if (seasonal) idx = season_index[j % season_index.size()];
    mean[j] = mult ? mean[j] * idx : mean[j] + idx;
    if (method != ThetaMethod::thetaf && mult) L.row(j) *= idx;
  }
  mean *= scale;
  L *= scale;
  return detail::gaussian_paths(mean, L, n_paths, rng, std::numeric_limits<double>::infinity());
}

Contributions ThetaFitted::contributions(const ForecastOptions& options) const {
  const Eigen::Index h = options.h;
  const auto n = static_cast<double>(n_obs);
  // Deseasonalised mean, the same recursion as `forecast` without the error weights.
  Eigen::VectorXd mu(h);
  switch (method) {
    case ThetaMethod::naive:
      mu.setConstant(level);
      break;
    case ThetaMethod::thetaf: {
      const double al = std::max(1e-10, alpha);
      const double tail = (1.0 - std::pow(1.0 - al, n)) / al;
      for (Eigen::Index j = 0; j < h; ++j) mu[j] = level + drift * (static_cast<double>(j) + tail);
      break;
    }
    default: {
      const bool dynamic = method == ThetaMethod::dstm || method == ThetaMethod::dotm;
      const double k = 1.0 - 1.0 / theta;
      const double r = 1.0 - alpha;
      double l = level;
      double yb = mean_y;
      double aa = a;
      double bb = b;
      double c = std::pow(r, n);
      for (Eigen::Index j = 0; j < h; ++j) {
        const double i = n + static_cast<double>(j);
        const double wa = k * c;
        const double wb = k * (1.0 - c * r) / alpha;
        mu[j] = l + wa * aa + wb * bb;
        l = alpha * mu[j] + r * l;
        const double yb_new = (i * yb + mu[j]) / (i + 1.0);
        if (dynamic) {
          bb = ((i - 1.0) * bb + 6.0 * (mu[j] - yb) / (i + 1.0)) / (i + 2.0);
          aa = yb_new - bb * (i + 2.0) / 2.0;
        }
        yb = yb_new;
        c *= r;
      }
      break;
    }
  }
  const bool has_trend = method != ThetaMethod::naive;
  const bool mult = decomposition == DecompositionType::multiplicative;
  Contributions out;
  out.components.emplace_back("level");
  if (has_trend) out.components.emplace_back("trend");
  if (seasonal) out.components.emplace_back("season");
  out.values.resize(h, static_cast<Eigen::Index>(out.components.size()));
  for (Eigen::Index j = 0; j < h; ++j) {
    const double idx = seasonal ? season_index[j % season_index.size()] : (mult ? 1.0 : 0.0);
    const detail::StateSplit sp =
        detail::split_states(level, mu[j] - level, has_trend, false, idx, seasonal, mult);
    Eigen::Index col = 0;
    out.values(j, col++) = sp.level * scale;
    if (has_trend) out.values(j, col++) = sp.trend * scale;
    if (seasonal) out.values(j, col++) = sp.season * scale;
  }
  return out;
}

}  // namespace quickstock
