#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include <quickstock/detail/math.hpp>
#include <quickstock/detail/nelder_mead.hpp>
#include <quickstock/detail/random.hpp>
#include <quickstock/detail/shapley.hpp>
#include <quickstock/error.hpp>
#include <quickstock/models/ets.hpp>

namespace quickstock {
namespace {

constexpr double kTol = 1e-10;         // R etscalc: |x| below this is treated as zero
constexpr double kHuge = 1e10;         // R etscalc: value of a ratio with a zero denominator
constexpr double kBig = 1e35;          // objective of an infeasible point inside the simplex
constexpr double kLowerSmooth = 1e-4;  // R's "usual" bounds
constexpr double kUpperSmooth = 0.9999;
constexpr double kLowerPhi = 0.8;
constexpr double kUpperPhi = 0.98;
constexpr int kMaxEvaluations = 2000;  // R etsmodel(maxit = 2000)
constexpr int kPaths = 5000;           // simulated sample paths (R forecast.ets: npaths = 5000)
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kPi = 3.14159265358979323846;

// Model structure used by the recursion; `m` is 1 without season.
struct Components {
  ErrorType error = ErrorType::additive;
  TrendType trend = TrendType::none;
  SeasonType season = SeasonType::none;
  bool damped = false;
  int m = 1;
  [[nodiscard]] int n_states() const {  // l, [b], m seasonal states
    return 1 + (trend != TrendType::none ? 1 : 0) + (season != SeasonType::none ? m : 0);
  }
};

// Level/trend part of the one-step forecast at one time step.
struct Step {
  double q = 0.0;     // l + phi·b (additive trend) or l·b^phi (multiplicative), l without trend
  double phib = 0.0;  // phi·b or b^phi
  double f = 0.0;     // the one-step forecast
};

// One-step forecast from the states; false where R's recursion fails (negative multiplicative
// growth).
inline bool one_step(const Components& c, double l, double b, double s_old, double phi, Step& st) {
  switch (c.trend) {
    case TrendType::none:
      st.phib = 0.0;
      st.q = l;
      break;
    case TrendType::additive:
      st.phib = phi * b;
      st.q = l + st.phib;
      break;
    case TrendType::multiplicative:
      if (b < 0.0) return false;
      st.phib = phi == 1.0 ? b : std::pow(b, phi);
      st.q = l * st.phib;
      break;
  }
  switch (c.season) {
    case SeasonType::none:
      st.f = st.q;
      break;
    case SeasonType::additive:
      st.f = st.q + s_old;
      break;
    case SeasonType::multiplicative:
      st.f = st.q * s_old;
      break;
  }
  return true;
}

// State update after observing y (the same for both error types, as R's `update`).
inline void update(const Components& c,
                   const ETSParams& p,
                   double ratio,  // p.beta / p.alpha
                   double y,
                   double s_old,
                   const Step& st,
                   double& l,
                   double& b,
                   double& s_new) {
  double level_obs = y;
  if (c.season == SeasonType::additive) {
    level_obs = y - s_old;
  } else if (c.season == SeasonType::multiplicative) {
    level_obs = std::fabs(s_old) < kTol ? kHuge : y / s_old;
  }
  const double l_new = st.q + p.alpha * (level_obs - st.q);
  if (c.trend != TrendType::none) {
    double r = 0.0;
    if (c.trend == TrendType::additive) {
      r = l_new - l;
    } else {
      r = std::fabs(l) < kTol ? kHuge : l_new / l;
    }
    b = st.phib + ratio * (r - st.phib);
  }
  if (c.season != SeasonType::none) {
    double t = 0.0;
    if (c.season == SeasonType::additive) {
      t = y - st.q;
    } else {
      t = std::fabs(st.q) < kTol ? kHuge : y / st.q;
    }
    s_new = s_old + p.gamma * (t - s_old);
  }
  l = l_new;
}

// Instantiated per component combination so that the per-observation switches fold away.
// Splits a finite, normal, positive x into x = mantissa · 2^exponent with the mantissa in
// [0.5, 1), as std::frexp does, but inline (no library call per observation). Returns false
// (leaving the outputs unspecified) for zero, subnormal, infinite or NaN input.
inline bool split_pow2(double x, double& mantissa, std::int64_t& exponent) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &x, sizeof bits);
  const auto biased = static_cast<std::int64_t>((bits >> 52U) & 0x7FFU);
  if (biased == 0 || biased == 0x7FF) return false;
  exponent = biased - 1022;
  bits = (bits & 0x800FFFFFFFFFFFFFULL) | (std::uint64_t{1022} << 52U);
  std::memcpy(&mantissa, &bits, sizeof mantissa);
  return true;
}

// Window within which the running product of |f| (multiplicative error) is updated by a plain
// multiplication: products of two values in it stay normal numbers.
constexpr double kProdHigh = 0x1p500;
constexpr double kProdLow = 0x1p-500;

// Brings a running product in [2^-1000, 2^1000] (or one left by frexp in [0.5, 1)) back to a
// mantissa in [0.5, 1), moving its power of two into `exponent`. Zero, NaN and infinity are
// left as they are (as frexp leaves them).
inline void normalise_product(double& prod, std::int64_t& exponent) {
  double pm = 0.0;
  std::int64_t pe = 0;
  if (split_pow2(prod, pm, pe)) {
    prod = pm;
    exponent += pe;
  }
}

// `sse_limit`: for additive error, the recursion stops (returning +inf) as soon as the running
// sum of squared errors exceeds it, because the objective n·log(SSE) can then only end above
// the caller's threshold (the Nelder–Mead search passes one where it only needs to know that a
// trial point is worse than a given vertex; see `detail::nelder_mead_r`). +inf disables it.
template <ErrorType E, TrendType T, SeasonType S>
double recursion_t(const double* y,
                   Eigen::Index n,
                   const Components& c_in,
                   const ETSParams& p,
                   const double* init,
                   double* ring,
                   double* resid,
                   double* last,
                   double sse_limit) {
  Components c = c_in;
  c.error = E;
  c.trend = T;
  c.season = S;
  // Local copies: the compiler cannot keep `p` in registers across the stores to `ring`, and
  // beta / alpha is the same for every observation (one division instead of one per step).
  const ETSParams lp = p;
  const double ratio = lp.beta / lp.alpha;
  const bool has_trend = c.trend != TrendType::none;
  const bool has_season = c.season != SeasonType::none;
  const int m = c.m;
  const int off = has_trend ? 2 : 1;
  double l = init[0];
  double b = has_trend ? init[1] : 0.0;
  // ring[k] is the seasonal state used by observations t ≡ k (mod m).
  if (has_season) {
    for (int k = 0; k < m; ++k) ring[k] = init[off + m - 1 - k];
  }
  double sse = 0.0;
  double prod = 1.0;
  std::int64_t prod_exp = 0;
  int k = 0;
  for (Eigen::Index t = 0; t < n; ++t) {
    const double s_old = has_season ? ring[k] : 0.0;
    Step st;
    if (!one_step(c, l, b, s_old, lp.phi, st)) return kInf;
    const double e = c.error == ErrorType::additive ? y[t] - st.f : (y[t] - st.f) / st.f;
    if (resid != nullptr) resid[t] = e;
    sse += e * e;
    if constexpr (E == ErrorType::additive) {
      if (sse > sse_limit) return kInf;
    }
    if (c.error == ErrorType::multiplicative) {
      // Σ log|f| as log of a product kept as mantissa × 2^exponent (one log per series
      // instead of one per observation; never overflows). While the running product and |f|
      // are within 2^±500 the product is taken as is: scaling by a power of two is exact, so
      // its significand is rounded exactly as the normalised one would be. Outside that
      // window the product is normalised and the step is taken on the split values, with
      // frexp only for zero, subnormal or non-finite |f|; the result equals one frexp of
      // prod·|f| per step bit for bit.
      const double af = std::fabs(st.f);
      if (af < kProdHigh && af > kProdLow && prod < kProdHigh && prod > kProdLow) {
        prod *= af;
      } else {
        normalise_product(prod, prod_exp);
        double fm = 0.0;
        std::int64_t fe = 0;
        double pm = 0.0;
        std::int64_t pe = 0;
        if (split_pow2(af, fm, fe) && split_pow2(prod * fm, pm, pe)) {
          prod = pm;
          prod_exp += fe + pe;
        } else {
          int ex = 0;
          prod = std::frexp(prod * af, &ex);
          prod_exp += ex;
        }
      }
    }
    double s_new = 0.0;
    update(c, lp, ratio, y[t], s_old, st, l, b, s_new);
    if (has_season) {
      ring[k] = s_new;
      if (++k == m) k = 0;
    }
  }
  if (last != nullptr) {
    last[0] = l;
    if (has_trend) last[1] = b;
    if (has_season) {
      // Most recent first: s1 was written at t = n − 1.
      for (int j = 0; j < m; ++j) {
        const auto idx = static_cast<int>(((n - 1 - j) % m + m) % m);
        last[off + j] = ring[idx];
      }
    }
  }
  double lik = static_cast<double>(n) * std::log(sse);
  if (c.error == ErrorType::multiplicative) {
    normalise_product(prod, prod_exp);
    lik += 2.0 * (std::log(prod) + static_cast<double>(prod_exp) * std::log(2.0));
  }
  if (std::isnan(lik)) return kInf;
  return std::max(lik, -1e10);
}

template <ErrorType E, TrendType T>
double recursion_s(const double* y,
                   Eigen::Index n,
                   const Components& c,
                   const ETSParams& p,
                   const double* init,
                   double* ring,
                   double* resid,
                   double* last,
                   double sse_limit) {
  switch (c.season) {
    case SeasonType::none:
      return recursion_t<E, T, SeasonType::none>(y, n, c, p, init, ring, resid, last, sse_limit);
    case SeasonType::additive:
      return recursion_t<E, T, SeasonType::additive>(y, n, c, p, init, ring, resid, last,
                                                     sse_limit);
    case SeasonType::multiplicative:
      return recursion_t<E, T, SeasonType::multiplicative>(y, n, c, p, init, ring, resid, last,
                                                           sse_limit);
  }
  return kInf;
}

template <ErrorType E>
double recursion_e(const double* y,
                   Eigen::Index n,
                   const Components& c,
                   const ETSParams& p,
                   const double* init,
                   double* ring,
                   double* resid,
                   double* last,
                   double sse_limit) {
  switch (c.trend) {
    case TrendType::none:
      return recursion_s<E, TrendType::none>(y, n, c, p, init, ring, resid, last, sse_limit);
    case TrendType::additive:
      return recursion_s<E, TrendType::additive>(y, n, c, p, init, ring, resid, last, sse_limit);
    case TrendType::multiplicative:
      return recursion_s<E, TrendType::multiplicative>(y, n, c, p, init, ring, resid, last,
                                                       sse_limit);
  }
  return kInf;
}

// R's objective for the states `init` (l, [b], s1..sm in R order) over y[0..n). `ring` holds m
// doubles of workspace. Optionally writes the one-step errors and the final states (R order).
// No allocation; dispatches once to the instantiation for the model's components.
double recursion(const double* y,
                 Eigen::Index n,
                 const Components& c,
                 const ETSParams& p,
                 const double* init,
                 double* ring,
                 double* resid,
                 double* last,
                 double sse_limit = kInf) {
  return c.error == ErrorType::additive
             ? recursion_e<ErrorType::additive>(y, n, c, p, init, ring, resid, last, sse_limit)
             : recursion_e<ErrorType::multiplicative>(y, n, c, p, init, ring, resid, last,
                                                      sse_limit);
}

// ---------------------------------------------------------------------------------------------
// Several evaluations at once.
//
// The recursion is latency-bound: each observation's level and trend depend on the previous
// ones through a chain of dependent additions and multiplications, so one evaluation leaves
// most of the core's arithmetic units idle. `recursion_lanes` runs up to kLanes independent
// evaluations (different parameters and initial states, same data) through one loop, so that
// their chains overlap. Each lane performs exactly the operations of `recursion_t` in the same
// order, so its value is bit-identical to a separate evaluation.

constexpr int kLanes = detail::kNelderMeadLanes;  // the lanes of detail::nelder_mead_r
static_assert(kBig == detail::kNelderMeadBig, "the search's value of an infeasible point");

// Inputs and outputs of one batch of evaluations.
struct LaneBatch {
  ETSParams p[kLanes];
  const double* init[kLanes] = {};  // initial states of each lane (R order)
  // A lane stops (value +inf) once its running SSE exceeds `limit` (additive error; see
  // `recursion_t`'s `sse_limit`); the lanes in `death_mask` stop with it, because their values
  // are then not needed. Once its SSE exceeds `kill_limit` (<= `limit`), the lanes in
  // `kill_mask` stop.
  double limit[kLanes] = {kInf, kInf, kInf};
  double kill_limit[kLanes] = {kInf, kInf, kInf};
  unsigned death_mask[kLanes] = {};
  unsigned kill_mask[kLanes] = {};
  unsigned alive = 0;  // bit w: lane w is evaluated
  double out[kLanes] = {kInf, kInf, kInf};
};

template <ErrorType E, TrendType T, SeasonType S>
void recursion_lanes(const double* y, Eigen::Index n, int m_in, LaneBatch& B, double* ring) {
  constexpr int W = kLanes;
  constexpr bool has_trend = T != TrendType::none;
  constexpr bool has_season = S != SeasonType::none;
  const int m = has_season ? m_in : 1;
  const int off = has_trend ? 2 : 1;
  double l[W];
  double b[W];
  double alpha[W];
  double ratio[W];  // beta / alpha, as `update` computes it
  double gamma[W];
  double phi[W];
  double sse[W];
  double prod[W];
  std::int64_t prod_exp[W];
  double limit[W];
  double kill_limit[W];
  for (int w = 0; w < W; ++w) {
    const double* init = B.init[w];
    l[w] = init[0];
    b[w] = has_trend ? init[1] : 0.0;
    alpha[w] = B.p[w].alpha;
    ratio[w] = B.p[w].beta / B.p[w].alpha;
    gamma[w] = B.p[w].gamma;
    phi[w] = B.p[w].phi;
    sse[w] = 0.0;
    prod[w] = 1.0;
    prod_exp[w] = 0;
    const bool on = (B.alive >> static_cast<unsigned>(w)) & 1U;
    limit[w] = on ? B.limit[w] : kInf;
    kill_limit[w] = on ? B.kill_limit[w] : kInf;
    if (has_season) {
      for (int k = 0; k < m; ++k) ring[k * W + w] = init[off + m - 1 - k];
    }
  }
  unsigned alive = B.alive;
  int k = 0;
  for (Eigen::Index t = 0; t < n && alive != 0U; ++t) {
    const double yt = y[t];
    double* rk = ring + static_cast<std::ptrdiff_t>(k) * W;
    unsigned failed = 0;
    for (int w = 0; w < W; ++w) {
      const double s_old = has_season ? rk[w] : 0.0;
      double phib = 0.0;
      double q = l[w];
      if constexpr (T == TrendType::additive) {
        phib = phi[w] * b[w];
        q = l[w] + phib;
      } else if constexpr (T == TrendType::multiplicative) {
        if (b[w] < 0.0) failed |= 1U << static_cast<unsigned>(w);
        phib = phi[w] == 1.0 ? b[w] : std::pow(b[w], phi[w]);
        q = l[w] * phib;
      }
      double f = q;
      if constexpr (S == SeasonType::additive) {
        f = q + s_old;
      } else if constexpr (S == SeasonType::multiplicative) {
        f = q * s_old;
      }
      const double e = E == ErrorType::additive ? yt - f : (yt - f) / f;
      sse[w] += e * e;
      if constexpr (E == ErrorType::multiplicative) {
        // As in `recursion_t`.
        const double af = std::fabs(f);
        if (af < kProdHigh && af > kProdLow && prod[w] < kProdHigh && prod[w] > kProdLow) {
          prod[w] *= af;
        } else {
          normalise_product(prod[w], prod_exp[w]);
          double fm = 0.0;
          std::int64_t fe = 0;
          double pm = 0.0;
          std::int64_t pe = 0;
          if (split_pow2(af, fm, fe) && split_pow2(prod[w] * fm, pm, pe)) {
            prod[w] = pm;
            prod_exp[w] += fe + pe;
          } else {
            int ex = 0;
            prod[w] = std::frexp(prod[w] * af, &ex);
            prod_exp[w] += ex;
          }
        }
      }
      // State update, the operations of `update`.
      double level_obs = yt;
      if constexpr (S == SeasonType::additive) {
        level_obs = yt - s_old;
      } else if constexpr (S == SeasonType::multiplicative) {
        level_obs = std::fabs(s_old) < kTol ? kHuge : yt / s_old;
      }
      const double l_new = q + alpha[w] * (level_obs - q);
      if constexpr (has_trend) {
        double r = 0.0;
        if constexpr (T == TrendType::additive) {
          r = l_new - l[w];
        } else {
          r = std::fabs(l[w]) < kTol ? kHuge : l_new / l[w];
        }
        b[w] = phib + ratio[w] * (r - phib);
      }
      if constexpr (has_season) {
        double tt = 0.0;
        if constexpr (S == SeasonType::additive) {
          tt = yt - q;
        } else {
          tt = std::fabs(q) < kTol ? kHuge : yt / q;
        }
        rk[w] = s_old + gamma[w] * (tt - s_old);
      }
      l[w] = l_new;
    }
    if (has_season && ++k == m) k = 0;
    unsigned dead = failed;
    unsigned killed = 0;
    if constexpr (E == ErrorType::additive) {
      for (int w = 0; w < W; ++w) {
        if (sse[w] > limit[w]) dead |= 1U << static_cast<unsigned>(w);
        if (sse[w] > kill_limit[w]) killed |= 1U << static_cast<unsigned>(w);
      }
    }
    if ((dead | killed) != 0U) {
      for (int w = 0; w < W; ++w) {
        const unsigned bit = 1U << static_cast<unsigned>(w);
        if ((killed & bit) != 0U) {
          dead |= B.kill_mask[w];
          kill_limit[w] = kInf;
        }
        if ((dead & bit) != 0U && (alive & bit) != 0U) dead |= B.death_mask[w];
      }
      alive &= ~dead;
      for (int w = 0; w < W; ++w) {
        if ((dead & (1U << static_cast<unsigned>(w))) != 0U) limit[w] = kill_limit[w] = kInf;
      }
    }
  }
  for (int w = 0; w < W; ++w) {
    if (((alive >> static_cast<unsigned>(w)) & 1U) == 0U) {
      B.out[w] = kInf;
      continue;
    }
    double lik = static_cast<double>(n) * std::log(sse[w]);
    if (E == ErrorType::multiplicative) {
      normalise_product(prod[w], prod_exp[w]);
      lik += 2.0 * (std::log(prod[w]) + static_cast<double>(prod_exp[w]) * std::log(2.0));
    }
    B.out[w] = std::isnan(lik) ? kInf : std::max(lik, -1e10);
  }
}

// Dispatches a batch to the instantiation for the model's components. `ring` holds kLanes·m
// doubles of workspace.
void recursion_batch(
    const double* y, Eigen::Index n, const Components& c, LaneBatch& B, double* ring) {
  using ET = ErrorType;
  using TT = TrendType;
  using ST = SeasonType;
  const int m = c.m;
  const auto go = [&](auto e, auto t, auto s) {
    recursion_lanes<decltype(e)::value, decltype(t)::value, decltype(s)::value>(y, n, m, B, ring);
  };
  const auto by_season = [&](auto e, auto t) {
    switch (c.season) {
      case ST::none:
        return go(e, t, std::integral_constant<ST, ST::none>{});
      case ST::additive:
        return go(e, t, std::integral_constant<ST, ST::additive>{});
      case ST::multiplicative:
        return go(e, t, std::integral_constant<ST, ST::multiplicative>{});
    }
  };
  const auto by_trend = [&](auto e) {
    switch (c.trend) {
      case TT::none:
        return by_season(e, std::integral_constant<TT, TT::none>{});
      case TT::additive:
        return by_season(e, std::integral_constant<TT, TT::additive>{});
      case TT::multiplicative:
        return by_season(e, std::integral_constant<TT, TT::multiplicative>{});
    }
  };
  if (c.error == ET::additive) {
    by_trend(std::integral_constant<ET, ET::additive>{});
  } else {
    by_trend(std::integral_constant<ET, ET::multiplicative>{});
  }
}

// Stability of a seasonal model (R's `admissible`): every root of the characteristic
// polynomial inside the unit circle (tolerance 1e-10), plus R's quick necessary conditions.
struct Admissibility {
  std::vector<double> a;  // polynomial workspace, highest power first
  std::vector<double> tmp;
  explicit Admissibility(int m)
      : a(static_cast<std::size_t>(m + 2)), tmp(static_cast<std::size_t>(m + 2)) {}

  bool check(const Components& c, const ETSParams& p) {
    const double alpha = p.alpha;
    const double phi = p.phi;
    double beta = c.trend != TrendType::none ? p.beta : 0.0;
    if (phi < 0.0 || phi > 1.0 + 1e-8) return false;
    if (c.season == SeasonType::none) {
      if (alpha < 1.0 - 1.0 / phi || alpha > 1.0 + 1.0 / phi) return false;
      if (c.trend != TrendType::none &&
          (beta < alpha * (phi - 1.0) || beta > (1.0 + phi) * (2.0 - alpha))) {
        return false;
      }
      return true;
    }
    if (c.m <= 1) return true;
    const double gamma = p.gamma;
    const auto m = static_cast<double>(c.m);
    if (gamma < std::max(1.0 - 1.0 / phi - alpha, 0.0) || gamma > 1.0 + 1.0 / phi - alpha) {
      return false;
    }
    if (alpha < 1.0 - 1.0 / phi - gamma * (1.0 - m + phi + phi * m) / (2.0 * phi * m)) {
      return false;
    }
    if (beta < -(1.0 - phi) * (gamma / m + alpha)) return false;
    // Monic polynomial of degree d = m + 1, coefficients a_0..a_{d-1} (increasing powers):
    // phi(1 − alpha − gamma), alpha + beta − alpha·phi + gamma − 1, (alpha + beta − alpha·phi)
    // repeated m − 2 times, alpha + beta − phi.
    const int d = c.m + 1;
    auto coef = [&](int i) {
      if (i == 0) return phi * (1.0 - alpha - gamma);
      if (i == 1) return alpha + beta - alpha * phi + gamma - 1.0;
      if (i == d - 1) return alpha + beta - phi;
      return alpha + beta - alpha * phi;
    };
    // R accepts when every root has modulus <= 1 + 1e-10. Scaling z by r = 1 + 1e-10 maps that
    // to "every root inside the unit circle", decided by the Schur–Cohn step-down recursion
    // (reflection coefficients |k| < 1) in O(d²) without allocation, instead of computing
    // the roots; the two agree except for roots within rounding of the circle.
    const double r = 1.0 + 1e-10;
    // a[i] = coefficient of z^(d−i) of p(r·z) / r^d.
    double scale = 1.0;
    a[0] = 1.0;
    for (int i = 1; i <= d; ++i) {
      scale /= r;
      a[static_cast<std::size_t>(i)] = coef(d - i) * scale;
    }
    for (int j = d; j >= 1; --j) {
      const double k = a[static_cast<std::size_t>(j)] / a[0];
      if (!(std::fabs(k) < 1.0)) return false;
      const double denom = 1.0 - k * k;
      for (int i = 0; i < j; ++i) {
        tmp[static_cast<std::size_t>(i)] =
            (a[static_cast<std::size_t>(i)] - k * a[static_cast<std::size_t>(j - i)]) / denom;
      }
      for (int i = 0; i < j; ++i) a[static_cast<std::size_t>(i)] = tmp[static_cast<std::size_t>(i)];
    }
    return true;
  }
};

// The estimation problem of one candidate model: maps an optimiser vector
// (alpha, [beta], [gamma], [phi], l, [b], s1..s_{m-1}) to R's objective.
struct Problem {
  const double* y = nullptr;
  Eigen::Index n = 0;
  Components c;
  int n_smooth = 0;          // smoothing parameters at the front of the vector
  std::vector<double> init;  // full initial state (l, b, s1..sm)
  std::vector<double> ring;
  Admissibility admissible;
  std::vector<double> lane_init;  // kLanes initial states of `evaluate`
  std::vector<double> lane_ring;  // kLanes·m seasonal workspace of `evaluate`

  // `detail::nelder_mead_r` evaluates independent points in batches through `evaluate`, and with
  // `speculate` also the reflection together with the contractions that may follow it: worth
  // it for additive-error models with a trend, whose recursion is a long chain of dependent
  // operations (latency-bound: ~33 cycles per observation for ETS(A,Ad,A)); for the others
  // (no trend: short chain; multiplicative error: three divisions per lane) the extra lanes
  // did not pay on the test machine (docs/ets.md, "Speed").
  static constexpr bool batched = true;
  bool speculate = false;

  Problem(const double* y_, Eigen::Index n_, const Components& c_)
      : y(y_),
        n(n_),
        c(c_),
        n_smooth(1 + (c_.trend != TrendType::none ? 1 : 0) +
                 (c_.season != SeasonType::none ? 1 : 0) + (c_.damped ? 1 : 0)),
        init(static_cast<std::size_t>(c_.n_states())),
        ring(static_cast<std::size_t>(c_.m)),
        admissible(c_.season != SeasonType::none ? c_.m : 1),
        lane_init(static_cast<std::size_t>(kLanes * c_.n_states())),
        lane_ring(static_cast<std::size_t>(kLanes * c_.m)),
        speculate(c_.error == ErrorType::additive && c_.trend != TrendType::none) {}

  [[nodiscard]] ETSParams params(const double* x) const {
    ETSParams p;
    int i = 0;
    p.alpha = x[i++];
    if (c.trend != TrendType::none) p.beta = x[i++];
    if (c.season != SeasonType::none) p.gamma = x[i++];
    p.phi = c.damped ? x[i++] : 1.0;
    return p;
  }

  // R's check.param with bounds = "both".
  bool feasible(const ETSParams& p) {
    if (p.alpha < kLowerSmooth || p.alpha > kUpperSmooth) return false;
    if (c.trend != TrendType::none &&
        (p.beta < kLowerSmooth || p.beta > p.alpha || p.beta > kUpperSmooth)) {
      return false;
    }
    if (c.damped && (p.phi < kLowerPhi || p.phi > kUpperPhi)) return false;
    if (c.season != SeasonType::none &&
        (p.gamma < kLowerSmooth || p.gamma > 1.0 - p.alpha || p.gamma > kUpperSmooth)) {
      return false;
    }
    return admissible.check(c, p);
  }

  // Expands the optimised states into the full initial state (the last seasonal state makes
  // the seasonal states sum to 0, or to m when multiplicative). False if infeasible.
  bool expand_states(const double* x) {
    const int ns = c.n_states();
    const int free_states = c.season != SeasonType::none ? ns - 1 : ns;
    for (int i = 0; i < free_states; ++i) init[static_cast<std::size_t>(i)] = x[n_smooth + i];
    if (c.season != SeasonType::none) {
      const int first = c.trend != TrendType::none ? 2 : 1;
      double sum = 0.0;
      for (int i = first; i < free_states; ++i) sum += init[static_cast<std::size_t>(i)];
      const double target = c.season == SeasonType::multiplicative ? static_cast<double>(c.m) : 0.0;
      init[static_cast<std::size_t>(ns - 1)] = target - sum;
      if (c.season == SeasonType::multiplicative) {
        for (int i = first; i < ns; ++i) {
          if (init[static_cast<std::size_t>(i)] < 0.0) return false;
        }
      }
    }
    return true;
  }

  // The objective at x. When it is certain to exceed `threshold`, the evaluation may stop
  // early and return +inf instead of the exact value (additive error only; see
  // `recursion_t`): the caller then only learns "worse than threshold", which is all
  // Nelder–Mead uses of such a point, so the search follows exactly the same path.
  double operator()(const double* x, double threshold = kInf) {
    const ETSParams p = params(x);
    if (!feasible(p)) return kInf;
    if (!expand_states(x)) return kInf;
    double sse_limit = kInf;
    if (c.error == ErrorType::additive && threshold > -1e9 && threshold < kBig) {
      // n·log(SSE) > threshold once SSE > exp(threshold / n); the relative margin 1e-10 is
      // far above the rounding of exp, log and the product, so the implication is exact.
      sse_limit = std::exp(threshold / static_cast<double>(n)) * (1.0 + 1e-10);
    }
    return recursion(y, n, c, p, init.data(), ring.data(), nullptr, nullptr, sse_limit);
  }

  // The SSE above which the objective certainly exceeds `threshold` (additive error), +inf
  // when there is no such bound; as in operator().
  [[nodiscard]] double sse_limit_of(double threshold) const {
    if (c.error == ErrorType::additive && threshold > -1e9 && threshold < kBig) {
      return std::exp(threshold / static_cast<double>(n)) * (1.0 + 1e-10);
    }
    return kInf;
  }

  // Evaluates `count` (<= kLanes) points at once: out[w] is operator()(x[w], threshold[w])
  // bit for bit (+inf when infeasible or stopped early). When lane w's value certainly
  // exceeds threshold[w], the lanes in death_mask[w] are abandoned too (value +inf); when it
  // certainly exceeds kill_threshold[w], the lanes in kill_mask[w] are. The caller must only
  // use an abandoned lane's value in ways that +inf does not change.
  void evaluate(const double* const* x,
                int count,
                const double* threshold,
                const double* kill_threshold,
                const unsigned* death_mask,
                const unsigned* kill_mask,
                double* out) {
    LaneBatch B;
    const int ns = c.n_states();
    unsigned dead = 0;
    for (int w = 0; w < kLanes; ++w) {
      double* lane = lane_init.data() + static_cast<std::ptrdiff_t>(w) * ns;
      B.init[w] = lane;
      if (w >= count) {
        B.p[w] = B.p[0];
        B.init[w] = B.init[0];
        continue;
      }
      B.p[w] = params(x[w]);
      bool ok = feasible(B.p[w]) && expand_states(x[w]);
      if (ok) {
        std::copy(init.begin(), init.end(), lane);
        B.alive |= 1U << static_cast<unsigned>(w);
        B.limit[w] = sse_limit_of(threshold[w]);
        B.kill_limit[w] = std::min(sse_limit_of(kill_threshold[w]), B.limit[w]);
      } else {
        dead |= death_mask[w] | kill_mask[w];
      }
      B.death_mask[w] = death_mask[w];
      B.kill_mask[w] = kill_mask[w];
    }
    // Lanes whose value an infeasible lane makes unnecessary are not evaluated.
    B.alive &= ~dead;
    if (B.alive != 0U) {
      // Lanes not evaluated repeat an active one (their values are discarded).
      int first = 0;
      while (((B.alive >> static_cast<unsigned>(first)) & 1U) == 0U) ++first;
      for (int w = 0; w < kLanes; ++w) {
        if (((B.alive >> static_cast<unsigned>(w)) & 1U) == 0U) {
          B.p[w] = B.p[first];
          B.init[w] = B.init[first];
        }
      }
      recursion_batch(y, n, c, B, lane_ring.data());
    }
    for (int w = 0; w < count; ++w) out[w] = B.out[w];
  }
};

// ---------------------------------------------------------------------------------------------
// Initial states (R's `initstate`).

// Seasonal indices of a classical decomposition (R `decompose`): figure[i] for position i mod m
// counted from the first observation. Needs n >= 2m.
std::vector<double> decompose_figure(const double* y, Eigen::Index n, int m, bool mult) {
  // Centred moving average: 2×m for even m, m for odd m.
  const int nf = m % 2 == 0 ? m + 1 : m;
  const int half = nf / 2;
  std::vector<double> sums(static_cast<std::size_t>(m), 0.0);
  std::vector<int> counts(static_cast<std::size_t>(m), 0);
  for (Eigen::Index t = half; t + (nf - 1 - half) < n; ++t) {
    double trend = 0.0;
    for (int j = 0; j < nf; ++j) {
      const double w = (m % 2 == 0 && (j == 0 || j == nf - 1)) ? 0.5 : 1.0;
      trend += w / static_cast<double>(m) * y[t + half - j];
    }
    const double detrended = mult ? y[t] / trend : y[t] - trend;
    const auto pos = static_cast<std::size_t>(t % m);
    sums[pos] += detrended;
    counts[pos] += 1;
  }
  std::vector<double> figure(static_cast<std::size_t>(m));
  double mean = 0.0;
  for (std::size_t i = 0; i < figure.size(); ++i) {
    figure[i] = sums[i] / static_cast<double>(counts[i]);
    mean += figure[i];
  }
  mean /= static_cast<double>(m);
  for (double& v : figure) v = mult ? v / mean : v - mean;
  return figure;
}

// Intercept and slope of the least-squares line through (1, v[0]) .. (k, v[k-1]).
void line_fit(const std::vector<double>& v, Eigen::Index k, double& a, double& b) {
  double mx = 0.0;
  double my = 0.0;
  for (Eigen::Index i = 0; i < k; ++i) {
    mx += static_cast<double>(i + 1);
    my += v[static_cast<std::size_t>(i)];
  }
  mx /= static_cast<double>(k);
  my /= static_cast<double>(k);
  double sxy = 0.0;
  double sxx = 0.0;
  for (Eigen::Index i = 0; i < k; ++i) {
    const double dx = static_cast<double>(i + 1) - mx;
    sxy += dx * (v[static_cast<std::size_t>(i)] - my);
    sxx += dx * dx;
  }
  b = sxx > 0.0 ? sxy / sxx : 0.0;
  a = my - b * mx;
}

// R's initstate, level and trend part: from the first `maxn` seasonally adjusted values, their
// mean (no trend) or a least-squares line (additive trend: intercept and slope; multiplicative:
// the line's values at t = 1, 2 turned into a level and a growth ratio), appended to `out`.
void level_and_trend(const std::vector<double>& y_sa,
                     Eigen::Index maxn,
                     TrendType trend,
                     std::vector<double>& out) {
  if (trend == TrendType::none) {
    double l0 = 0.0;
    for (Eigen::Index i = 0; i < maxn; ++i) l0 += y_sa[static_cast<std::size_t>(i)];
    out.push_back(l0 / static_cast<double>(maxn));
    return;
  }
  double a = 0.0;
  double sl = 0.0;
  line_fit(y_sa, maxn, a, sl);
  double l0 = 0.0;
  double b0 = 0.0;
  if (trend == TrendType::additive) {
    l0 = a;
    b0 = sl;
    if (std::fabs(l0 + b0) < 1e-8) {
      l0 *= 1.001;
      b0 *= 0.999;
    }
  } else {
    l0 = a + sl;
    if (std::fabs(l0) < 1e-8) l0 = 1e-7;
    b0 = (a + 2.0 * sl) / l0;
    l0 = l0 / b0;
    if (std::fabs(b0) > 1e10) b0 = std::copysign(1e10, b0);
    if (l0 < 1e-8 || b0 < 1e-8) {
      l0 = std::max(y_sa[0], 1e-3);
      b0 = y_sa.size() > 1 ? std::max(y_sa[1] / y_sa[0], 1e-3) : 1e-3;
    }
  }
  out.push_back(l0);
  out.push_back(b0);
}

// R's initstate: l0, [b0], and the m − 1 free seasonal states s1..s_{m-1}. False when R fails
// (a seasonal model on fewer than 4 observations).
bool initial_states(const double* y,
                    Eigen::Index n,
                    const Components& c,
                    std::vector<double>& out) {
  out.clear();
  std::vector<double> y_sa(static_cast<std::size_t>(n));
  int m = 1;
  if (c.season != SeasonType::none) {
    m = c.m;
    if (n < 4) return false;
    const bool mult = c.season == SeasonType::multiplicative;
    std::vector<double> seasonal(static_cast<std::size_t>(n));
    if (n < 3 * m) {
      // Regression on a line and the first Fourier pair; the detrended data are the season.
      const bool with_sin = m != 2;
      const Eigen::Index p = with_sin ? 4 : 3;
      Eigen::MatrixXd X(n, p);
      Eigen::VectorXd yy(n);
      for (Eigen::Index t = 0; t < n; ++t) {
        const auto tt = static_cast<double>(t + 1);
        const double arg = 2.0 * kPi * tt / static_cast<double>(m);
        X(t, 0) = 1.0;
        X(t, 1) = tt;
        Eigen::Index col = 2;
        if (with_sin) X(t, col++) = std::sin(arg);
        X(t, col) = std::cos(arg);
        yy[t] = y[t];
      }
      const Eigen::VectorXd beta = X.colPivHouseholderQr().solve(yy);
      for (Eigen::Index t = 0; t < n; ++t) {
        const double line = beta[0] + beta[1] * static_cast<double>(t + 1);
        seasonal[static_cast<std::size_t>(t)] = mult ? y[t] / line : y[t] - line;
      }
    } else {
      const std::vector<double> figure = decompose_figure(y, n, m, mult);
      for (Eigen::Index t = 0; t < n; ++t) {
        seasonal[static_cast<std::size_t>(t)] = figure[static_cast<std::size_t>(t % m)];
      }
    }
    std::vector<double> init_seas(static_cast<std::size_t>(m - 1));
    for (int j = 0; j < m - 1; ++j) {
      init_seas[static_cast<std::size_t>(j)] = seasonal[static_cast<std::size_t>(m - 1 - j)];
    }
    if (mult) {
      double sum = 0.0;
      for (double& v : init_seas) {
        v = std::max(v, 0.01);
        sum += v;
      }
      if (sum > static_cast<double>(m)) {
        double denom = 0.0;
        for (const double v : init_seas) denom += v + 0.01;
        for (double& v : init_seas) v /= denom;
      }
    }
    for (Eigen::Index t = 0; t < n; ++t) {
      const auto i = static_cast<std::size_t>(t);
      y_sa[i] = mult ? y[t] / std::max(seasonal[i], 0.01) : y[t] - seasonal[i];
    }
    level_and_trend(y_sa, std::min<Eigen::Index>(std::max(10, 2 * m), n), c.trend, out);
    out.insert(out.end(), init_seas.begin(), init_seas.end());
    return true;
  }
  for (Eigen::Index t = 0; t < n; ++t) y_sa[static_cast<std::size_t>(t)] = y[t];
  level_and_trend(y_sa, std::min<Eigen::Index>(10, n), c.trend, out);
  return true;
}

// R's initparam with the usual bounds: starting smoothing parameters.
void initial_params(const Components& c, std::vector<double>& par) {
  par.clear();
  const double m = c.season != SeasonType::none ? static_cast<double>(c.m) : 1.0;
  double alpha = kLowerSmooth + 0.2 * (kUpperSmooth - kLowerSmooth) / m;
  if (alpha > 1.0 || alpha < 0.0) alpha = kLowerSmooth + 0.002;
  par.push_back(alpha);
  if (c.trend != TrendType::none) {
    const double upper = std::min(kUpperSmooth, alpha);
    double beta = kLowerSmooth + 0.1 * (upper - kLowerSmooth);
    if (beta < 0.0 || beta > alpha) beta = alpha - 0.001;
    par.push_back(beta);
  }
  if (c.season != SeasonType::none) {
    const double upper = std::min(kUpperSmooth, 1.0 - alpha);
    double gamma = kLowerSmooth + 0.05 * (upper - kLowerSmooth);
    if (gamma < 0.0 || gamma > 1.0 - alpha) gamma = 1.0 - alpha - 0.001;
    par.push_back(gamma);
  }
  if (c.damped) {
    double phi = kLowerPhi + 0.99 * (kUpperPhi - kLowerPhi);
    if (phi < 0.0 || phi > 1.0) phi = kUpperPhi - 0.001;
    par.push_back(phi);
  }
}

// ---------------------------------------------------------------------------------------------
// Fitting.

// A seed from the series' values: the same data give the same simulated intervals in any
// thread, process or order.
std::uint64_t seed_of(const Eigen::Ref<const Eigen::VectorXd>& y) {
  std::uint64_t s = 0x51C0FFEEULL;
  std::uint64_t h = detail::splitmix64(s);
  for (Eigen::Index t = 0; t < y.size(); ++t) {
    std::uint64_t bits = 0;
    const double v = y[t];
    std::memcpy(&bits, &v, sizeof bits);
    s ^= bits;
    h ^= detail::splitmix64(s);
  }
  return h;
}

std::string letter(ErrorType e) { return e == ErrorType::additive ? "A" : "M"; }
std::string letter(TrendType t, bool damped) {
  std::string s = t == TrendType::none ? "N" : (t == TrendType::additive ? "A" : "M");
  if (damped) s += "d";
  return s;
}
std::string letter(SeasonType s) {
  return s == SeasonType::none ? "N" : (s == SeasonType::additive ? "A" : "M");
}

ETSFitted make_fitted(const Components& c, Eigen::Index n, double scale, std::uint64_t seed) {
  ETSFitted f;
  f.error = c.error;
  f.trend = c.trend;
  f.season = c.season;
  f.damped = c.damped;
  f.season_length = c.season != SeasonType::none ? c.m : 1;
  f.n_obs = n;
  f.scale = scale;
  f.seed = seed;
  return f;
}

// Fits one candidate model on z (already scaled). Returns false if R would fail or give an
// infinite information criterion for it.
bool fit_candidate(const Eigen::VectorXd& z,
                   const Components& c,
                   double scale,
                   std::uint64_t seed,
                   ETSFitted& out) {
  const Eigen::Index n = z.size();
  std::vector<double> states;
  if (!initial_states(z.data(), n, c, states)) return false;
  std::vector<double> par;
  initial_params(c, par);
  par.insert(par.end(), states.begin(), states.end());
  const auto np = static_cast<Eigen::Index>(par.size());
  if (np >= n - 1) return false;
  Problem problem(z.data(), n, c);
  const double best = detail::nelder_mead_r(problem, par, kMaxEvaluations);
  if (!std::isfinite(best)) return false;
  const ETSParams p = problem.params(par.data());
  if (!problem.expand_states(par.data())) return false;
  ETSFitted f = make_fitted(c, n, scale, seed);
  f.params = p;
  const auto ns = static_cast<std::size_t>(c.n_states());
  f.last_state.resize(static_cast<Eigen::Index>(ns));
  Eigen::VectorXd resid(n);
  const double lik = recursion(z.data(), n, c, p, problem.init.data(), problem.ring.data(),
                               resid.data(), f.last_state.data());
  if (!std::isfinite(lik) || !f.last_state.allFinite()) return false;
  f.initial_state.resize(static_cast<Eigen::Index>(ns));
  for (std::size_t i = 0; i < ns; ++i) {
    const bool location =
        i == 0 || (i == 1 && c.trend == TrendType::additive) ||
        (i >= 1 + (c.trend != TrendType::none ? 1U : 0U) && c.season == SeasonType::additive);
    f.initial_state[static_cast<Eigen::Index>(i)] = problem.init[i] * (location ? scale : 1.0);
  }
  const double lik_data = lik + 2.0 * static_cast<double>(n) * std::log(scale);
  const auto k = static_cast<double>(np + 1);
  const auto nn = static_cast<double>(n);
  f.loglik = -0.5 * lik_data;
  f.aic = lik_data + 2.0 * k;
  f.aicc = f.aic + 2.0 * k * (k + 1.0) / (nn - k - 1.0);
  f.sigma2 = resid.squaredNorm() / static_cast<double>(n - np);
  if (!std::isfinite(f.aicc)) return false;
  out = std::move(f);
  return true;
}

// ETS(A,N,N) with fixed alpha and l0 = y[0] (R's ses(initial = "simple")): the fallback for
// constant and very short series. sigma² is the mean squared one-step error.
ETSFitted simple_ann(const Eigen::VectorXd& z, double scale, std::uint64_t seed, std::string why) {
  Components c;
  const Eigen::Index n = z.size();
  ETSFitted f = make_fitted(c, n, scale, seed);
  f.params.alpha = 0.99999;
  f.last_state.resize(1);
  f.initial_state = Eigen::VectorXd::Constant(1, z[0] * scale);
  double init = z[0];
  double ring = 0.0;
  Eigen::VectorXd resid(n);
  (void)recursion(z.data(), n, c, f.params, &init, &ring, resid.data(), f.last_state.data());
  f.sigma2 = n > 1 ? resid.squaredNorm() / static_cast<double>(n) : 0.0;
  f.loglik = std::numeric_limits<double>::quiet_NaN();
  f.aic = f.aicc = kInf;
  f.fallback = std::move(why);
  return f;
}

struct Prepared {
  Eigen::VectorXd z;
  double scale = 1.0;
  std::uint64_t seed = 0;
  bool positive = false;
  bool constant = false;
};

// Validates the series and rescales it only when its magnitude would overflow the squares
// (the optimiser must see R's numbers otherwise: its first simplex step is relative).
Prepared prepare(const SeriesView& s) {
  const Eigen::Index n = s.y.size();
  if (n == 0) detail::raise_invalid("series has no observations", s.id, std::nullopt, "y");
  for (Eigen::Index t = 0; t < n; ++t) {
    if (!std::isfinite(s.y[t])) {
      detail::raise_invalid("ETS needs finite observations (got " + std::to_string(s.y[t]) +
                                " at position " + std::to_string(t) + ")",
                            s.id, std::nullopt, "y");
    }
  }
  Prepared p;
  const double mx = s.y.cwiseAbs().maxCoeff();
  if (mx > 1e50 || (mx > 0.0 && mx < 1e-50)) p.scale = std::ldexp(1.0, std::ilogb(mx));
  p.z = s.y / p.scale;
  p.seed = seed_of(s.y);
  p.positive = s.y.minCoeff() > 0.0;
  p.constant = s.y.maxCoeff() == s.y.minCoeff();
  return p;
}

// Fallback for a series too short (or otherwise unfit) for the requested models: ETS(A,A,N)
// if a trend was allowed and it fits, else ETS(A,N,N), else the simple ETS(A,N,N).
ETSFitted fallback_fit(const Prepared& pr, bool allow_trend, const std::string& why) {
  const Eigen::Index n = pr.z.size();
  ETSFitted f;
  if (allow_trend && n > 8) {
    Components c;
    c.trend = TrendType::additive;
    if (fit_candidate(pr.z, c, pr.scale, pr.seed, f)) {
      f.fallback = "ETS(A,A,N): " + why;
      return f;
    }
  }
  if (n > 6) {
    Components c;
    if (fit_candidate(pr.z, c, pr.scale, pr.seed, f)) {
      f.fallback = "ETS(A,N,N): " + why;
      return f;
    }
  }
  return simple_ann(pr.z, pr.scale, pr.seed, "ETS(A,N,N) with alpha = 0.99999: " + why);
}

ETSFitted constant_fit(const Prepared& pr) {
  return simple_ann(pr.z, pr.scale, pr.seed,
                    "constant series: ETS(A,N,N) with alpha = 0.99999 (as R's ets)");
}

// R's ets: parameter count used for its "too short" rule.
int r_npars(TrendType t, SeasonType s, int m, std::optional<bool> damped) {
  int np = 2;
  if (t != TrendType::none) np += 2;
  if (s != SeasonType::none) np += m;
  if (damped.has_value() && *damped) np += 1;
  return np;
}

void require_season_length(std::int64_t m) {
  if (m < 1) {
    detail::raise_argument("season_length",
                           "season_length must be >= 1 (got " + std::to_string(m) + ")");
  }
}

// ---------------------------------------------------------------------------------------------
// Forecasting.

// Point forecasts h steps ahead from the final states (R's `forecast` in etscalc).
void point_forecasts(const ETSFitted& f, Eigen::Index h, double* out) {
  const bool has_trend = f.trend != TrendType::none;
  const bool has_season = f.season != SeasonType::none;
  const auto m = static_cast<Eigen::Index>(f.season_length);
  const double l = f.last_state[0];
  const double b = has_trend ? f.last_state[1] : 0.0;
  const Eigen::Index off = has_trend ? 2 : 1;
  const double phi = f.params.phi;
  double phistar = phi;
  for (Eigen::Index i = 0; i < h; ++i) {
    double v = l;
    if (f.trend == TrendType::additive) {
      v = l + phistar * b;
    } else if (f.trend == TrendType::multiplicative) {
      v = l * std::pow(std::max(b, 0.0), phistar);
    }
    if (has_season) {
      const Eigen::Index j = m - 1 - (i % m);
      const double s = f.last_state[off + j];
      v = f.season == SeasonType::additive ? v + s : v * s;
    }
    out[i] = v;
    // phistar = phi + phi² + … + phi^(i+1) for step i (0-based).
    phistar += std::fabs(phi - 1.0) < kTol ? 1.0 : std::pow(phi, static_cast<double>(i + 2));
  }
}

// Standard normal draws by the Box–Muller transform (deterministic across standard libraries).
class NormalStream {
 public:
  explicit NormalStream(std::uint64_t seed) : state_(seed) {}
  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = 0.0;
    do {
      u1 = uniform();
    } while (u1 <= 0.0);
    const double u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    const double a = 2.0 * kPi * u2;
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }

 private:
  double uniform() { return static_cast<double>(detail::splitmix64(state_) >> 11U) * 0x1.0p-53; }
  std::uint64_t state_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

// Simulates `n_paths` paths of `h` steps of a fitted ETS model from its final states with
// Normal errors N(0, sigma2) (units of `scale`; multiplicative errors truncated at −1 as R's
// simulate.ets): out[i · n_paths + path] is step i of path `path`.
template <class Rng>
void simulate_ets(const ETSFitted& f, Eigen::Index h, Eigen::Index n_paths, Rng& rng, double* out) {
  Components c;
  c.error = f.error;
  c.trend = f.trend;
  c.season = f.season;
  c.damped = f.damped;
  c.m = static_cast<int>(f.season_length);
  const bool has_trend = f.trend != TrendType::none;
  const bool has_season = f.season != SeasonType::none;
  const int m = c.m;
  const int off = has_trend ? 2 : 1;
  const double sd = std::sqrt(std::isfinite(f.sigma2) ? std::max(f.sigma2, 0.0) : 0.0);
  std::vector<double> ring(static_cast<std::size_t>(m));
  for (Eigen::Index path = 0; path < n_paths; ++path) {
    double l = f.last_state[0];
    double b = has_trend ? f.last_state[1] : 0.0;
    if (has_season) {
      // Observation n + i uses the state written m steps earlier: s_{m-1-(i mod m)}.
      for (int k = 0; k < m; ++k) ring[static_cast<std::size_t>(k)] = f.last_state[off + m - 1 - k];
    }
    int k = 0;
    for (Eigen::Index i = 0; i < h; ++i) {
      const double s_old = has_season ? ring[static_cast<std::size_t>(k)] : 0.0;
      if (f.trend == TrendType::multiplicative) b = std::max(b, 0.0);
      Step st;
      (void)one_step(c, l, b, s_old, f.params.phi, st);
      double e = sd * rng.next();
      // Multiplicative error: 1 + e >= 0, so that paths stay non-negative (as R's
      // simulate.ets truncates the errors at −1).
      if (f.error == ErrorType::multiplicative) e = std::max(e, -1.0);
      const double y = f.error == ErrorType::additive ? st.f + e : st.f * (1.0 + e);
      out[i * n_paths + path] = y;
      double s_new = 0.0;
      update(c, f.params, f.params.beta / f.params.alpha, y, s_old, st, l, b, s_new);
      if (has_season) {
        ring[static_cast<std::size_t>(k)] = s_new;
        if (++k == m) k = 0;
      }
    }
  }
}

// Which prediction distribution a fitted model gets (R's forecast.ets classes).
enum class ModelClass { linear, linear_mult_error, mult_season, simulated };

// c_j = α + β·Σ_{i=1..j} φ^i + γ·[j ≡ 0 mod m], j = 1..h−1 (Hyndman et al. 2008, Table 6.1);
// c_0 is unused.
Eigen::VectorXd innovation_weights(const ETSFitted& f, Eigen::Index h) {
  Eigen::VectorXd c(h);
  double phi_sum = 0.0;
  double phi_pow = 1.0;
  for (Eigen::Index j = 1; j < h; ++j) {
    phi_pow *= f.params.phi;
    phi_sum += phi_pow;
    double cj = f.params.alpha;
    if (f.trend != TrendType::none) cj += f.params.beta * phi_sum;
    if (f.season != SeasonType::none && j % f.season_length == 0) cj += f.params.gamma;
    c[j] = cj;
  }
  return c;
}

// Class 1: Var(h) = σ²·(1 + Σ_{j<h} c_j²).
Eigen::VectorXd class1_variance(const Eigen::VectorXd& c, double sigma2) {
  const Eigen::Index h = c.size();
  Eigen::VectorXd var(h);
  double sum_c2 = 0.0;
  for (Eigen::Index j = 0; j < h; ++j) {
    var[j] = sigma2 * (1.0 + sum_c2);
    if (j + 1 < h) sum_c2 += c[j + 1] * c[j + 1];
  }
  return var;
}

ModelClass model_class(const ETSFitted& f) {
  if (f.trend == TrendType::multiplicative) return ModelClass::simulated;
  if (f.season != SeasonType::multiplicative) {
    return f.error == ErrorType::additive ? ModelClass::linear : ModelClass::linear_mult_error;
  }
  return f.error == ErrorType::multiplicative ? ModelClass::mult_season : ModelClass::simulated;
}

}  // namespace

Contributions ETSFitted::contributions(const ForecastOptions& options) const {
  const Eigen::Index h = options.h;
  const bool has_trend = trend != TrendType::none;
  const bool has_season = season != SeasonType::none;
  const bool extra = model_class(*this) == ModelClass::mult_season;
  Contributions out;
  out.components.emplace_back("level");
  if (has_trend) out.components.emplace_back("trend");
  if (has_season) out.components.emplace_back("season");
  if (extra) out.components.emplace_back("uncertainty");
  out.values.resize(h, static_cast<Eigen::Index>(out.components.size()));
  const auto m = static_cast<Eigen::Index>(season_length);
  const double l = last_state[0];
  const double b = has_trend ? last_state[1] : 0.0;
  const Eigen::Index off = has_trend ? 2 : 1;
  const double phi = params.phi;
  double phistar = phi;
  for (Eigen::Index i = 0; i < h; ++i) {
    // The same terms as point_forecasts.
    double t = 0.0;
    if (trend == TrendType::additive) {
      t = phistar * b;
    } else if (trend == TrendType::multiplicative) {
      t = std::pow(std::max(b, 0.0), phistar);
    }
    const double s = has_season ? last_state[off + m - 1 - (i % m)] : 0.0;
    const detail::StateSplit sp =
        detail::split_states(l, t, has_trend, trend == TrendType::multiplicative, s, has_season,
                             season == SeasonType::multiplicative);
    Eigen::Index c = 0;
    out.values(i, c++) = sp.level * scale;
    if (has_trend) out.values(i, c++) = sp.trend * scale;
    if (has_season) out.values(i, c++) = sp.season * scale;
    phistar += std::fabs(phi - 1.0) < kTol ? 1.0 : std::pow(phi, static_cast<double>(i + 2));
  }
  if (extra) {
    // Class 3 reports the moment mean: the rest of it beyond the point forecast.
    std::vector<double> point(static_cast<std::size_t>(h));
    point_forecasts(*this, h, point.data());
    const SeriesForecast f = forecast(ForecastOptions{h, {}, false});
    const Eigen::Index last = out.values.cols() - 1;
    for (Eigen::Index i = 0; i < h; ++i) {
      out.values(i, last) = f.mean[i] - point[static_cast<std::size_t>(i)] * scale;
    }
  }
  return out;
}

// -----------------------------------------------------------------------------------------------

std::string ETSFitted::method() const {
  return "ETS(" + letter(error) + "," + letter(trend, damped) + "," + letter(season) + ")";
}

bool operator==(const ETSFitted& a, const ETSFitted& b) noexcept {
  return a.error == b.error && a.trend == b.trend && a.season == b.season && a.damped == b.damped &&
         a.season_length == b.season_length && a.params == b.params &&
         a.initial_state == b.initial_state && a.last_state == b.last_state &&
         a.sigma2 == b.sigma2 && a.n_obs == b.n_obs && a.scale == b.scale && a.seed == b.seed &&
         a.fallback == b.fallback;
}

SeriesForecast ETSFitted::forecast(const ForecastOptions& options) const {
  const Eigen::Index h = options.h;
  const auto nq = static_cast<Eigen::Index>(options.quantiles.size());
  SeriesForecast out{Eigen::VectorXd(h), Eigen::MatrixXd(h, nq)};
  point_forecasts(*this, h, out.mean.data());
  const double sigma2_safe = std::isfinite(sigma2) ? std::max(sigma2, 0.0) : 0.0;

  const auto normal_quantiles = [&](const Eigen::VectorXd& var) {
    for (Eigen::Index j = 0; j < h; ++j) {
      const double sd = std::sqrt(std::max(var[j], 0.0));
      for (Eigen::Index q = 0; q < nq; ++q) {
        const double z = detail::normal_quantile(options.quantiles[static_cast<std::size_t>(q)]);
        out.quantiles(j, q) = out.mean[j] + sd * z;
      }
    }
  };
  const ModelClass cls = model_class(*this);
  if (cls == ModelClass::linear || cls == ModelClass::linear_mult_error) {
    const Eigen::VectorXd c = innovation_weights(*this, h);
    Eigen::VectorXd var(h);
    if (cls == ModelClass::linear) {
      var = class1_variance(c, sigma2_safe);
    } else {
      // Class 2 (multiplicative error, linear states; Hyndman et al. 2008, §6.4):
      // θ_1 = μ_1², θ_j = μ_j² + σ²·Σ_{i<j} c_i²·θ_{j−i}; Var(j) = (1 + σ²)·θ_j − μ_j².
      Eigen::VectorXd theta(h);
      for (Eigen::Index j = 0; j < h; ++j) {
        double t = out.mean[j] * out.mean[j];
        for (Eigen::Index i = 1; i <= j; ++i) t += sigma2_safe * c[i] * c[i] * theta[j - i];
        theta[j] = t;
        var[j] = (1.0 + sigma2_safe) * t - out.mean[j] * out.mean[j];
      }
    }
    normal_quantiles(var);
  } else if (cls == ModelClass::mult_season) {
    // Class 3 (multiplicative error and season, no or additive trend; Hyndman et al. 2008,
    // §6.5): exact first two moments by the Kronecker-product recursion; the mean is the
    // moment mean (R's forecast.ets reports it too), slightly above the point forecast.
    const Eigen::Index k = trend == TrendType::none ? 1 : 2;
    const auto m = static_cast<Eigen::Index>(season_length);
    const double s2 = sigma2_safe;
    Eigen::MatrixXd F1 = Eigen::MatrixXd::Identity(k, k);
    Eigen::MatrixXd G1 = Eigen::MatrixXd::Constant(k, k, params.alpha);
    if (k == 2) {
      F1(0, 1) = 1.0;
      F1(1, 1) = damped ? params.phi : 1.0;
      G1.row(1).setConstant(params.beta);
    }
    Eigen::MatrixXd F2 = Eigen::MatrixXd::Zero(m, m);
    F2(0, m - 1) = 1.0;
    for (Eigen::Index i = 1; i < m; ++i) F2(i, i - 1) = 1.0;
    Eigen::MatrixXd G2 = Eigen::MatrixXd::Zero(m, m);
    G2(0, m - 1) = params.gamma;
    const auto kron = [](const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
      Eigen::MatrixXd r(a.rows() * b.rows(), a.cols() * b.cols());
      for (Eigen::Index i = 0; i < a.rows(); ++i) {
        for (Eigen::Index j = 0; j < a.cols(); ++j) {
          r.block(i * b.rows(), j * b.cols(), b.rows(), b.cols()) = a(i, j) * b;
        }
      }
      return r;
    };
    Eigen::MatrixXd Mh = last_state.head(k) * last_state.tail(m).transpose();
    const Eigen::Index km = k * m;
    Eigen::MatrixXd Vh = Eigen::MatrixXd::Zero(km, km);
    Eigen::RowVectorXd H21 = Eigen::RowVectorXd::Zero(km);
    H21.tail(k).setOnes();  // H2 ⊗ H1: the oldest season times (level [+ trend])
    const Eigen::MatrixXd F21 = kron(F2, F1);
    const Eigen::MatrixXd G21 = kron(G2, G1);
    const Eigen::MatrixXd K = kron(G2, F1) + kron(F2, G1);
    Eigen::VectorXd var(h);
    for (Eigen::Index j = 0; j < h; ++j) {
      const double mu = Mh.col(m - 1).sum();
      out.mean[j] = mu;
      var[j] = (1.0 + s2) * H21.dot(Vh * H21.transpose()) + s2 * mu * mu;
      if (j + 1 == h) break;
      const Eigen::Map<const Eigen::VectorXd> v(Mh.data(), km);
      const Eigen::MatrixXd vv = v * v.transpose();
      const Eigen::MatrixXd FV = F21 * Vh;
      const Eigen::MatrixXd GV = G21 * Vh;
      Eigen::MatrixXd next = FV * F21.transpose();
      next += s2 * (FV * G21.transpose() + GV * F21.transpose() + K * (Vh + vv) * K.transpose() +
                    s2 * G21 * (3.0 * Vh + 2.0 * vv) * G21.transpose());
      Vh = next;
      Mh = (F1 * Mh * F2.transpose() + s2 * G1 * Mh * G2.transpose()).eval();
    }
    normal_quantiles(var);
  } else {
    // Simulated sample paths from the fitted model with Normal errors.
    std::vector<double> paths(static_cast<std::size_t>(h) * kPaths);
    NormalStream rng(seed);
    simulate_ets(*this, h, kPaths, rng, paths.data());
    for (Eigen::Index i = 0; i < h; ++i) {
      double* col = paths.data() + static_cast<std::size_t>(i) * kPaths;
      std::sort(col, col + kPaths);
      for (Eigen::Index q = 0; q < nq; ++q) {
        // Type 7 empirical quantile (R's default).
        const double pos = options.quantiles[static_cast<std::size_t>(q)] * (kPaths - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const std::size_t hi = std::min<std::size_t>(lo + 1, kPaths - 1);
        const double w = pos - static_cast<double>(lo);
        out.quantiles(i, q) = col[lo] + w * (col[hi] - col[lo]);
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

namespace {
// PathRng's normals through NormalStream's interface (`next()`), for simulate_ets.
struct PathNormals {
  detail::PathRng& rng;
  double next() noexcept { return rng.normal(); }
};
}  // namespace

Eigen::MatrixXd ETSFitted::sample_paths(std::int64_t h,
                                        std::int64_t n_paths,
                                        detail::PathRng& rng) const {
  Eigen::MatrixXd out(n_paths, h);
  PathNormals normals{rng};
  simulate_ets(*this, h, n_paths, normals, out.data());
  out *= scale;
  return out;
}

std::string model_code(const ETS& spec) {
  return letter(spec.error) + letter(spec.trend, spec.damped) + letter(spec.season);
}

void validate(const ETS& spec) {
  require_season_length(spec.season_length);
  if (spec.season != SeasonType::none && (spec.season_length < 2 || spec.season_length > 24)) {
    detail::raise_argument("season_length",
                           "a seasonal ETS model needs 2 <= season_length <= 24 (got " +
                               std::to_string(spec.season_length) + ")");
  }
  if (spec.damped && spec.trend == TrendType::none) {
    detail::raise_argument("damped", "damped = true needs a trend");
  }
}

void validate(const AutoETS& spec) {
  require_season_length(spec.season_length);
  const std::string& s = spec.model;
  auto bad = [&](const std::string& why) {
    detail::raise_argument(
        "model", "model must be three letters error/trend/season (" + why + ", got \"" + s + "\")");
  };
  if (s.size() != 3) bad("length 3");
  if (std::string("AMZ").find(s[0]) == std::string::npos) bad("error in A, M, Z");
  if (std::string("NAMZ").find(s[1]) == std::string::npos) bad("trend in N, A, M, Z");
  if (std::string("NAMZ").find(s[2]) == std::string::npos) bad("season in N, A, M, Z");
  if ((s[2] == 'A' || s[2] == 'M') && (spec.season_length < 2 || spec.season_length > 24)) {
    detail::raise_argument("season_length",
                           "a seasonal ETS model needs 2 <= season_length <= 24 (got " +
                               std::to_string(spec.season_length) + ")");
  }
  if (spec.damped.value_or(false) && s[1] == 'N') {
    detail::raise_argument("damped", "damped = true needs a trend");
  }
}

ETS make_ets(const std::string& model, std::int64_t season_length, bool damped) {
  if (model.size() != 3 || std::string("AM").find(model[0]) == std::string::npos ||
      std::string("NAM").find(model[1]) == std::string::npos ||
      std::string("NAM").find(model[2]) == std::string::npos) {
    detail::raise_argument("model",
                           "model must be three letters: error A or M, trend N, A or M, season "
                           "N, A or M (got \"" +
                               model + "\")");
  }
  ETS spec;
  spec.error = model[0] == 'A' ? ErrorType::additive : ErrorType::multiplicative;
  spec.trend = model[1] == 'N'   ? TrendType::none
               : model[1] == 'A' ? TrendType::additive
                                 : TrendType::multiplicative;
  spec.season = model[2] == 'N'   ? SeasonType::none
                : model[2] == 'A' ? SeasonType::additive
                                  : SeasonType::multiplicative;
  spec.season_length = season_length;
  spec.damped = damped;
  validate(spec);
  return spec;
}

double ets_objective(const Eigen::Ref<const Eigen::VectorXd>& y,
                     ErrorType error,
                     TrendType trend,
                     SeasonType season,
                     std::int64_t season_length,
                     const ETSParams& params,
                     const Eigen::Ref<const Eigen::VectorXd>& initial_state) {
  Components c;
  c.error = error;
  c.trend = trend;
  c.season = season;
  c.damped = params.phi != 1.0;
  c.m = season != SeasonType::none ? static_cast<int>(season_length) : 1;
  if (initial_state.size() != c.n_states()) {
    detail::raise_argument("initial_state", "initial_state must have " +
                                                std::to_string(c.n_states()) + " values (got " +
                                                std::to_string(initial_state.size()) + ")");
  }
  const Eigen::VectorXd init = initial_state;
  const Eigen::VectorXd yy = y;
  std::vector<double> ring(static_cast<std::size_t>(c.m));
  return recursion(yy.data(), yy.size(), c, params, init.data(), ring.data(), nullptr, nullptr);
}

ETSFitted ETS::fit(const SeriesView& s) const {
  validate(*this);
  const Prepared pr = prepare(s);
  if (pr.constant) return constant_fit(pr);
  Components c;
  c.error = error;
  c.trend = trend;
  c.season = season;
  c.damped = damped;
  c.m = season != SeasonType::none ? static_cast<int>(season_length) : 1;
  std::string note;
  if (!pr.positive) {
    if (c.error == ErrorType::multiplicative) {
      c.error = ErrorType::additive;
      note += "additive error (data not strictly positive); ";
    }
    if (c.trend == TrendType::multiplicative) {
      c.trend = TrendType::additive;
      note += "additive trend (data not strictly positive); ";
    }
    if (c.season == SeasonType::multiplicative) {
      c.season = SeasonType::additive;
      note += "additive season (data not strictly positive); ";
    }
  }
  const Eigen::Index n = pr.z.size();
  if (c.season != SeasonType::none && n <= c.m) {
    c.season = SeasonType::none;
    c.m = 1;
    note += "no season (series not longer than season_length); ";
  }
  const int npars = r_npars(c.trend, c.season, c.m, c.damped);
  ETSFitted f;
  if (n <= npars + 4 || !fit_candidate(pr.z, c, pr.scale, pr.seed, f)) {
    return fallback_fit(pr, c.trend != TrendType::none,
                        note + "series too short for " + model_code(*this));
  }
  if (!note.empty()) f.fallback = note.substr(0, note.size() - 2);
  return f;
}

namespace {

// The candidate models of a search, in R's `ets` order: errors in the order given; trend
// letter 'Z' tries none and additive, else the letter's trend; season letter 'Z' tries none,
// additive and multiplicative, else the letter's season; `damped` unset tries damped then not.
// Dropped as R drops them: damping without a trend, an additive error with a multiplicative
// trend or season, a multiplicative trend with an additive season under multiplicative error,
// and (for non-positive data) anything multiplicative.
std::vector<Components> search_candidates(const std::vector<ErrorType>& errors,
                                          char t_letter,
                                          char s_letter,
                                          std::optional<bool> damped,
                                          int m,
                                          bool positive) {
  const auto trend_of = [](char ch) {
    return ch == 'N'   ? TrendType::none
           : ch == 'A' ? TrendType::additive
                       : TrendType::multiplicative;
  };
  const auto season_of = [](char ch) {
    return ch == 'N'   ? SeasonType::none
           : ch == 'A' ? SeasonType::additive
                       : SeasonType::multiplicative;
  };
  const std::vector<TrendType> trends =
      t_letter == 'Z' ? std::vector<TrendType>{TrendType::none, TrendType::additive}
                      : std::vector<TrendType>{trend_of(t_letter)};
  const std::vector<SeasonType> seasons =
      s_letter == 'Z' ? std::vector<SeasonType>{SeasonType::none, SeasonType::additive,
                                                SeasonType::multiplicative}
                      : std::vector<SeasonType>{season_of(s_letter)};
  const std::vector<bool> dampings =
      damped.has_value() ? std::vector<bool>{*damped} : std::vector<bool>{true, false};
  std::vector<Components> out;
  for (const ErrorType e : errors) {
    for (const TrendType t : trends) {
      for (const SeasonType se : seasons) {
        for (const bool d : dampings) {
          if (t == TrendType::none && d) continue;
          if (e == ErrorType::additive &&
              (t == TrendType::multiplicative || se == SeasonType::multiplicative)) {
            continue;
          }
          if (e == ErrorType::multiplicative && t == TrendType::multiplicative &&
              se == SeasonType::additive) {
            continue;
          }
          if (!positive && (e == ErrorType::multiplicative || t == TrendType::multiplicative ||
                            se == SeasonType::multiplicative)) {
            continue;
          }
          Components c;
          c.error = e;
          c.trend = t;
          c.season = se;
          c.damped = d;
          c.m = se != SeasonType::none ? m : 1;
          out.push_back(c);
        }
      }
    }
  }
  return out;
}

}  // namespace

ETSFitted AutoETS::fit(const SeriesView& s) const {
  validate(*this);
  const Prepared pr = prepare(s);
  if (pr.constant) return constant_fit(pr);
  const Eigen::Index n = pr.z.size();
  char e_letter = model[0];
  char t_letter = model[1];
  char s_letter = model[2];
  const auto m = static_cast<int>(season_length);
  if (s_letter == 'Z' && (m == 1 || m > 24)) s_letter = 'N';
  if (n <= m) s_letter = 'N';
  if (m == 1) s_letter = 'N';

  // R's "too short" rule counts only the components that were fixed.
  {
    int npars = 2;
    if (t_letter == 'A' || t_letter == 'M') npars += 2;
    if (s_letter == 'A' || s_letter == 'M') npars += m;
    if (damped.value_or(false)) npars += 1;
    if (n <= npars + 4) {
      return fallback_fit(pr, t_letter != 'N', "series too short for ETS " + model);
    }
  }
  std::vector<ErrorType> errors;
  if (e_letter == 'Z' || e_letter == 'A') errors.push_back(ErrorType::additive);
  if (e_letter == 'Z' || e_letter == 'M') errors.push_back(ErrorType::multiplicative);
  ETSFitted best;
  bool found = false;
  for (const Components& c :
       search_candidates(errors, t_letter, s_letter, damped, m, pr.positive)) {
    ETSFitted f;
    if (!fit_candidate(pr.z, c, pr.scale, pr.seed, f)) continue;
    if (!found || f.aicc < best.aicc) {
      best = std::move(f);
      found = true;
    }
  }
  if (!found) return fallback_fit(pr, t_letter != 'N', "no candidate of ETS " + model + " fits");
  return best;
}

// ---------------------------------------------------------------------------------------------
// Regression with ETS errors (ETSX).

namespace {

// Ridge added to the normal equations, relative to their largest diagonal element: keeps the
// solve defined for collinear covariates (the collinear part of β is then split evenly)
// without moving a well-conditioned solution beyond rounding.
constexpr double kRidge = 1e-10;

// The profiled estimation problem: the vector is the one of `Problem` (smoothing parameters
// and initial states of u); β is the GLS estimate given them. For additive-error models with
// linear states the one-step errors are linear in y and in the initial states, so
// e(y − Xβ; x0) = e(y; x0) − Σ_j β_j·e(X_j; 0), and min_β Σe² is a least-squares problem in
// the filtered columns e(X_j; 0). All workspace is allocated once.
struct ProblemX : Problem {
  static constexpr bool batched = false;  // operator() is not Problem's: evaluate one by one
  const Eigen::MatrixXd& X;               // n × k centred covariates (active columns only)
  Eigen::VectorXd ey;                     // e(y; x0)
  Eigen::MatrixXd E;                      // e(X_j; 0), one column per covariate
  Eigen::VectorXd zero_init;
  Eigen::MatrixXd A;
  Eigen::VectorXd rhs;
  Eigen::VectorXd beta;
  Eigen::VectorXd r;
  Eigen::LDLT<Eigen::MatrixXd> ldlt;

  ProblemX(const double* y_, Eigen::Index n_, const Components& c_, const Eigen::MatrixXd& X_)
      : Problem(y_, n_, c_),
        X(X_),
        ey(n_),
        E(n_, X_.cols()),
        zero_init(Eigen::VectorXd::Zero(c_.n_states())),
        A(X_.cols(), X_.cols()),
        rhs(X_.cols()),
        beta(X_.cols()),
        r(n_),
        ldlt(X_.cols()) {}

  // Profiled objective n·log(min_β SSE) at the states already expanded into `init`;
  // leaves β in `beta` and the one-step errors of u in `r`.
  double profiled(const ETSParams& p) {
    const double v = recursion(y, n, c, p, init.data(), ring.data(), ey.data(), nullptr);
    if (!std::isfinite(v)) return kInf;
    for (Eigen::Index j = 0; j < X.cols(); ++j) {
      (void)recursion(X.col(j).data(), n, c, p, zero_init.data(), ring.data(), E.col(j).data(),
                      nullptr);
    }
    if (!E.allFinite()) return kInf;
    A.noalias() = E.transpose() * E;
    rhs.noalias() = E.transpose() * ey;
    const double ridge = kRidge * std::max(A.diagonal().maxCoeff(), 1e-300);
    A.diagonal().array() += ridge;
    ldlt.compute(A);
    beta = ldlt.solve(rhs);
    r = ey;
    r.noalias() -= E * beta;
    const double lik = static_cast<double>(n) * std::log(r.squaredNorm());
    if (std::isnan(lik)) return kInf;
    return std::max(lik, -1e10);
  }

  double operator()(const double* x, double /*threshold*/ = kInf) {
    const ETSParams p = params(x);
    if (!feasible(p)) return kInf;
    if (!expand_states(x)) return kInf;
    return profiled(p);
  }
};

// Least-squares β of first differences Δz on ΔX (ridge as above): starting values for the
// heuristic initial states of u (differencing removes the level that β is confounded with).
Eigen::VectorXd difference_ols(const Eigen::VectorXd& z, const Eigen::MatrixXd& X) {
  const Eigen::Index n = z.size();
  const Eigen::Index k = X.cols();
  if (n < 2) return Eigen::VectorXd::Zero(k);
  const Eigen::MatrixXd dX = X.bottomRows(n - 1) - X.topRows(n - 1);
  const Eigen::VectorXd dz = z.tail(n - 1) - z.head(n - 1);
  Eigen::MatrixXd A = dX.transpose() * dX;
  A.diagonal().array() += kRidge * std::max(A.diagonal().maxCoeff(), 1e-300);
  Eigen::VectorXd b = A.ldlt().solve(dX.transpose() * dz);
  if (!b.allFinite()) b.setZero();
  return b;
}

// Fits one candidate regression with ETS errors on z (scaled data) and the centred active
// covariates X. False when the candidate cannot be fitted (too short, search failed).
bool fit_candidate_x(const Eigen::VectorXd& z,
                     const Eigen::MatrixXd& X,
                     const Eigen::VectorXd& beta0,
                     const Components& c,
                     double scale,
                     std::uint64_t seed,
                     ETSFitted& out,
                     Eigen::VectorXd& beta_out,
                     Eigen::MatrixXd& cov_out) {
  const Eigen::Index n = z.size();
  const Eigen::Index k = X.cols();
  const Eigen::VectorXd u0 = z - X * beta0;
  std::vector<double> states;
  if (!initial_states(u0.data(), n, c, states)) return false;
  std::vector<double> par;
  initial_params(c, par);
  par.insert(par.end(), states.begin(), states.end());
  const auto np = static_cast<Eigen::Index>(par.size());
  if (np + k >= n - 1) return false;
  ProblemX problem(z.data(), n, c, X);
  const double best = detail::nelder_mead_r(problem, par, kMaxEvaluations);
  if (!std::isfinite(best)) return false;
  const ETSParams p = problem.params(par.data());
  if (!problem.expand_states(par.data())) return false;
  const double lik = problem.profiled(p);
  if (!std::isfinite(lik)) return false;
  // The ETS part: u = z − Xβ with the estimated initial states (its one-step errors are r).
  const Eigen::VectorXd u = z - X * problem.beta;
  ETSFitted f = make_fitted(c, n, scale, seed);
  f.params = p;
  const auto ns = static_cast<std::size_t>(c.n_states());
  f.last_state.resize(static_cast<Eigen::Index>(ns));
  Eigen::VectorXd resid(n);
  (void)recursion(u.data(), n, c, p, problem.init.data(), problem.ring.data(), resid.data(),
                  f.last_state.data());
  if (!f.last_state.allFinite()) return false;
  f.initial_state.resize(static_cast<Eigen::Index>(ns));
  for (std::size_t i = 0; i < ns; ++i) {
    // Additive components only: every state is in data units.
    f.initial_state[static_cast<Eigen::Index>(i)] = problem.init[i] * scale;
  }
  const double lik_data = lik + 2.0 * static_cast<double>(n) * std::log(scale);
  const auto kk = static_cast<double>(np + k + 1);
  const auto nn = static_cast<double>(n);
  f.loglik = -0.5 * lik_data;
  f.aic = lik_data + 2.0 * kk;
  f.aicc = f.aic + 2.0 * kk * (kk + 1.0) / (nn - kk - 1.0);
  f.sigma2 = problem.r.squaredNorm() / static_cast<double>(n - np - k);
  if (!std::isfinite(f.aicc) || !std::isfinite(f.sigma2)) return false;
  // Cov(β̂) = σ²·(Ẽ'Ẽ)⁻¹ (without the ridge), in data units.
  Eigen::MatrixXd EtE = problem.E.transpose() * problem.E;
  const Eigen::MatrixXd inv = EtE.completeOrthogonalDecomposition().pseudoInverse();
  cov_out = f.sigma2 * scale * scale * inv;
  beta_out = problem.beta * scale;
  out = std::move(f);
  return true;
}

// The multiplicative form y_t = exp(x̃_t'γ)·w_t, w_t ~ ETS(M, ·, ·), x̃ the centred and
// standardised covariates. The vector is `Problem`'s (smoothing parameters, initial states of
// w) followed by γ·gamma_scale (so that R's initial simplex step, 0.1·max|x_i|, is a step of
// about 0.1 in γ, a 10 % change per standard deviation of a covariate). For a trial γ the
// search runs the ETS recursion on w = y·exp(−x̃'γ): the one-step errors of y and w are the
// same relative errors and ŷ_t = exp(x̃_t'γ)·ŵ_t, so R's objective of y is the one of w plus
// 2·Σ_t x̃_t'γ (0 up to rounding, as x̃ is centred). All workspace is allocated once.
struct ProblemXM : Problem {
  static constexpr bool batched = false;  // operator() is not Problem's: evaluate one by one
  const Eigen::MatrixXd& Xs;              // n × k centred, standardised covariates
  const double* data;                     // the series (scaled)
  Eigen::VectorXd w;                      // data·exp(−Xs·γ)
  Eigen::VectorXd lc;                     // Xs·γ
  Eigen::VectorXd gamma;
  Eigen::Index n_ets = 0;  // entries of the vector that belong to `Problem`
  double gamma_scale = 1.0;

  ProblemXM(const double* z_,
            Eigen::Index n_,
            const Components& c_,
            const Eigen::MatrixXd& Xs_,
            Eigen::Index n_ets_,
            double gamma_scale_)
      : Problem(nullptr, n_, c_),
        Xs(Xs_),
        data(z_),
        w(n_),
        lc(n_),
        gamma(Xs_.cols()),
        n_ets(n_ets_),
        gamma_scale(gamma_scale_) {
    y = w.data();
  }

  // w for coefficients g; returns 2·Σ log(exp(x̃'γ)), or +inf when w overflows.
  double adjust(const Eigen::VectorXd& g) {
    lc.noalias() = Xs * g;
    double jac = 0.0;
    for (Eigen::Index t = 0; t < n; ++t) {
      w[t] = data[t] * std::exp(-lc[t]);
      jac += lc[t];
    }
    if (!w.allFinite()) return kInf;
    return 2.0 * jac;
  }

  // R's objective of y at the ETS part already expanded into `init` and coefficients g.
  double at(const ETSParams& p, const Eigen::VectorXd& g) {
    const double jac = adjust(g);
    if (!std::isfinite(jac)) return kInf;
    const double v = recursion(w.data(), n, c, p, init.data(), ring.data(), nullptr, nullptr);
    return std::isfinite(v) ? v + jac : kInf;
  }

  void read_gamma(const double* x) {
    for (Eigen::Index j = 0; j < gamma.size(); ++j) gamma[j] = x[n_ets + j] / gamma_scale;
  }

  double operator()(const double* x, double /*threshold*/ = kInf) {
    const ETSParams p = params(x);
    if (!feasible(p)) return kInf;
    if (!expand_states(x)) return kInf;
    read_gamma(x);
    return at(p, gamma);
  }
};

// Fits one candidate of the multiplicative form on z (scaled, strictly positive) and the
// centred standardised covariates Xs, starting from γ0. On success: the ETS model of w, γ̂ and
// Cov(γ̂) (inverse observed information: R's objective is −2·log-likelihood up to a constant,
// so Cov = 2·H⁻¹ with H its Hessian in γ at the other estimates, by central differences).
bool fit_candidate_xm(const Eigen::VectorXd& z,
                      const Eigen::MatrixXd& Xs,
                      const Eigen::VectorXd& gamma0,
                      const Components& c,
                      double scale,
                      std::uint64_t seed,
                      ETSFitted& out,
                      Eigen::VectorXd& gamma_out,
                      Eigen::MatrixXd& cov_out) {
  const Eigen::Index n = z.size();
  const Eigen::Index k = Xs.cols();
  const Eigen::VectorXd w0 = z.array() * (-(Xs * gamma0).array()).exp();
  if (!w0.allFinite()) return false;
  std::vector<double> states;
  if (!initial_states(w0.data(), n, c, states)) return false;
  std::vector<double> par;
  initial_params(c, par);
  par.insert(par.end(), states.begin(), states.end());
  const auto np = static_cast<Eigen::Index>(par.size());
  if (np + k >= n - 1) return false;
  double gamma_scale = 1.0;
  for (const double v : par) gamma_scale = std::max(gamma_scale, std::fabs(v));
  for (Eigen::Index j = 0; j < k; ++j) par.push_back(gamma0[j] * gamma_scale);
  ProblemXM problem(z.data(), n, c, Xs, np, gamma_scale);
  const double best = detail::nelder_mead_r(problem, par, kMaxEvaluations);
  if (!std::isfinite(best)) return false;
  const ETSParams p = problem.params(par.data());
  if (!problem.expand_states(par.data())) return false;
  problem.read_gamma(par.data());
  const Eigen::VectorXd g = problem.gamma;
  const double jac = problem.adjust(g);
  if (!std::isfinite(jac)) return false;
  ETSFitted f = make_fitted(c, n, scale, seed);
  f.params = p;
  const auto ns = static_cast<std::size_t>(c.n_states());
  f.last_state.resize(static_cast<Eigen::Index>(ns));
  Eigen::VectorXd resid(n);
  const double lik = recursion(problem.w.data(), n, c, p, problem.init.data(), problem.ring.data(),
                               resid.data(), f.last_state.data()) +
                     jac;
  if (!std::isfinite(lik) || !f.last_state.allFinite()) return false;
  f.initial_state.resize(static_cast<Eigen::Index>(ns));
  for (std::size_t i = 0; i < ns; ++i) {
    const bool location =
        i == 0 || (i == 1 && c.trend == TrendType::additive) ||
        (i >= 1 + (c.trend != TrendType::none ? 1U : 0U) && c.season == SeasonType::additive);
    f.initial_state[static_cast<Eigen::Index>(i)] = problem.init[i] * (location ? scale : 1.0);
  }
  const double lik_data = lik + 2.0 * static_cast<double>(n) * std::log(scale);
  const auto kk = static_cast<double>(np + k + 1);
  const auto nn = static_cast<double>(n);
  f.loglik = -0.5 * lik_data;
  f.aic = lik_data + 2.0 * kk;
  f.aicc = f.aic + 2.0 * kk * (kk + 1.0) / (nn - kk - 1.0);
  f.sigma2 = resid.squaredNorm() / static_cast<double>(n - np - k);
  if (!std::isfinite(f.aicc) || !std::isfinite(f.sigma2)) return false;
  // Hessian of the objective in γ by central differences (step 1e-3 per standard deviation).
  constexpr double kStep = 1e-3;
  Eigen::MatrixXd H(k, k);
  Eigen::VectorXd gp = g;
  auto value = [&](Eigen::Index i, double di, Eigen::Index j, double dj) {
    gp = g;
    gp[i] += di;
    gp[j] += dj;
    return problem.at(p, gp);
  };
  const double f0 = problem.at(p, g);
  for (Eigen::Index i = 0; i < k; ++i) {
    H(i, i) = (value(i, kStep, i, 0.0) - 2.0 * f0 + value(i, -kStep, i, 0.0)) / (kStep * kStep);
    for (Eigen::Index j = 0; j < i; ++j) {
      H(i, j) = (value(i, kStep, j, kStep) - value(i, kStep, j, -kStep) -
                 value(i, -kStep, j, kStep) + value(i, -kStep, j, -kStep)) /
                (4.0 * kStep * kStep);
      H(j, i) = H(i, j);
    }
  }
  cov_out = Eigen::MatrixXd::Zero(k, k);
  if (H.allFinite()) {
    Eigen::LDLT<Eigen::MatrixXd> ldlt(H);
    if (ldlt.info() == Eigen::Success && ldlt.isPositive() &&
        (ldlt.vectorD().array() > 0.0).all()) {
      cov_out = 2.0 * ldlt.solve(Eigen::MatrixXd::Identity(k, k));
    }
  }
  gamma_out = g;
  out = std::move(f);
  return true;
}

char additive_letter(char ch) { return ch == 'M' ? 'A' : ch; }

}  // namespace

std::string ETSXFitted::method() const {
  const bool any = beta.size() > 0 && (beta.array() != 0.0).any();
  if (!any) return ets.method();
  return (multiplicative ? "Log-linear regression with " : "Regression with ") + ets.method() +
         " errors";
}

CovariateCoefficients ETSXFitted::coefficients() const {
  CovariateCoefficients out;
  out.coef = beta;
  out.std_error = Eigen::VectorXd::Constant(beta.size(), std::numeric_limits<double>::quiet_NaN());
  if (beta_cov.rows() == beta.size() && beta_cov.cols() == beta.size()) {
    for (Eigen::Index j = 0; j < beta.size(); ++j) {
      const double v = beta_cov(j, j);
      if (v > 0.0) out.std_error[j] = std::sqrt(v);
    }
  }
  return out;
}

bool operator==(const ETSXFitted& a, const ETSXFitted& b) noexcept {
  return a.ets == b.ets && a.beta.size() == b.beta.size() && a.beta == b.beta &&
         a.x_mean.size() == b.x_mean.size() && a.x_mean == b.x_mean &&
         a.beta_cov.rows() == b.beta_cov.rows() && a.beta_cov.cols() == b.beta_cov.cols() &&
         a.beta_cov == b.beta_cov && a.parameter_uncertainty == b.parameter_uncertainty &&
         a.multiplicative == b.multiplicative && a.fallback == b.fallback;
}

SeriesForecast ETSXFitted::forecast(const ForecastOptions& options) const {
  const RowMatrixXd none(options.h, 0);
  return forecast(options, none);
}

SeriesForecast ETSXFitted::forecast(const ForecastOptions& options,
                                    const Eigen::Ref<const RowMatrixXd>& x_future) const {
  const Eigen::Index h = options.h;
  const Eigen::Index k = beta.size();
  if (x_future.cols() != k || (k > 0 && x_future.rows() != h)) {
    detail::raise_argument("X_df", "ETS with covariates needs " + std::to_string(k) +
                                       " future covariate column(s) over the " + std::to_string(h) +
                                       " forecast steps (got " + std::to_string(x_future.rows()) +
                                       " x " + std::to_string(x_future.cols()) + ")");
  }
  if (k == 0 || (beta.array() == 0.0).all()) return ets.forecast(options);
  if (!x_future.allFinite()) {
    detail::raise_argument("X_df", "future covariates must be finite");
  }
  ForecastOptions raw = options;
  raw.nonnegative = false;
  SeriesForecast out = ets.forecast(raw);
  if (multiplicative) {
    // y = exp((x − x̄)'β)·w: the distribution of w scaled by a known positive factor.
    for (Eigen::Index j = 0; j < h; ++j) {
      const Eigen::VectorXd xc = x_future.row(j).transpose() - x_mean;
      const double factor = std::exp(xc.dot(beta));
      if (!std::isfinite(factor)) {
        detail::raise_argument("X_df", "future covariates at step " + std::to_string(j + 1) +
                                           " make exp(x'beta) overflow");
      }
      out.mean[j] *= factor;
      out.quantiles.row(j) *= factor;
    }
    if (options.nonnegative) {
      out.mean = out.mean.cwiseMax(0.0);
      out.quantiles = out.quantiles.cwiseMax(0.0);
    }
    return out;
  }
  // u has additive error and linear states (class 1): Normal, Var_u from Table 6.1.
  const double sigma2_safe = std::isfinite(ets.sigma2) ? std::max(ets.sigma2, 0.0) : 0.0;
  const Eigen::VectorXd var_u =
      class1_variance(innovation_weights(ets, h), sigma2_safe) * ets.scale * ets.scale;
  const auto nq = static_cast<Eigen::Index>(options.quantiles.size());
  for (Eigen::Index j = 0; j < h; ++j) {
    const Eigen::VectorXd xc = x_future.row(j).transpose() - x_mean;
    const double reg = xc.dot(beta);
    double var = var_u[j];
    if (parameter_uncertainty && beta_cov.rows() == k) var += xc.dot(beta_cov * xc);
    const double sd = std::sqrt(std::max(var, 0.0));
    out.mean[j] += reg;
    for (Eigen::Index q = 0; q < nq; ++q) {
      const double zq = detail::normal_quantile(options.quantiles[static_cast<std::size_t>(q)]);
      out.quantiles(j, q) = out.mean[j] + sd * zq;
    }
  }
  if (options.nonnegative) {
    out.mean = out.mean.cwiseMax(0.0);
    out.quantiles = out.quantiles.cwiseMax(0.0);
  }
  return out;
}

Eigen::MatrixXd ETSXFitted::sample_paths(std::int64_t h,
                                         std::int64_t n_paths,
                                         detail::PathRng& rng,
                                         const Eigen::Ref<const RowMatrixXd>& x_future) const {
  const Eigen::Index k = beta.size();
  if (x_future.cols() != k || (k > 0 && x_future.rows() != h)) {
    detail::raise_argument("X_df", "ETS with covariates needs " + std::to_string(k) +
                                       " future covariate column(s) over the " + std::to_string(h) +
                                       " forecast steps (got " + std::to_string(x_future.rows()) +
                                       " x " + std::to_string(x_future.cols()) + ")");
  }
  Eigen::MatrixXd out = ets.sample_paths(h, n_paths, rng);
  if (k == 0 || (beta.array() == 0.0).all()) return out;
  if (!x_future.allFinite()) {
    detail::raise_argument("X_df", "future covariates must be finite");
  }
  const Eigen::MatrixXd xc = x_future.rowwise() - x_mean.transpose();  // h × k
  if (multiplicative) {
    // y = exp((x − x̄)'β)·w: each step's w paths scaled by its factor (as `forecast`, with β̂
    // taken as known).
    const Eigen::VectorXd factor = (xc * beta).array().exp();
    if (!factor.allFinite()) {
      detail::raise_argument("X_df", "future covariates make exp(x'beta) overflow");
    }
    out = out * factor.asDiagonal();
    return out;
  }
  out.rowwise() += (xc * beta).transpose();
  if (parameter_uncertainty && beta_cov.rows() == k) {
    // One β̃ ~ N(β̂, Cov(β̂)) per path: x'Cov(β̂)x is shared by the steps of a path.
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(beta_cov);
    const Eigen::MatrixXd root =
        eig.eigenvectors() * eig.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
    const Eigen::MatrixXd load = xc * root;  // h × k
    Eigen::VectorXd z(k);
    for (Eigen::Index p = 0; p < out.rows(); ++p) {
      for (Eigen::Index i = 0; i < k; ++i) z[i] = rng.normal();
      out.row(p) += (load * z).transpose();
    }
  }
  return out;
}

Contributions ETSXFitted::contributions(const ForecastOptions& options,
                                        const Eigen::Ref<const RowMatrixXd>& x_future) const {
  const Eigen::Index h = options.h;
  const Eigen::Index k = beta.size();
  if (x_future.cols() != k || (k > 0 && x_future.rows() != h)) {
    detail::raise_argument("X_df", "ETS with covariates needs " + std::to_string(k) +
                                       " future covariate column(s) over the " + std::to_string(h) +
                                       " forecast steps (got " + std::to_string(x_future.rows()) +
                                       " x " + std::to_string(x_future.cols()) + ")");
  }
  if (k > 0 && !x_future.allFinite()) {
    detail::raise_argument("X_df", "future covariates must be finite");
  }
  ForecastOptions raw = options;
  raw.nonnegative = false;
  const Contributions u = ets.contributions(raw);
  const Eigen::Index nu = u.values.cols();
  Contributions out;
  out.components = u.components;
  out.values.resize(h, nu + k);
  out.values.leftCols(nu) = u.values;
  if (multiplicative) {
    std::vector<double> r(static_cast<std::size_t>(k));
    std::vector<double> phi(static_cast<std::size_t>(k));
    std::vector<double> work;
    for (Eigen::Index c = 0; c < k; ++c) out.components.push_back("x" + std::to_string(c));
    for (Eigen::Index j = 0; j < h; ++j) {
      for (Eigen::Index c = 0; c < k; ++c) {
        r[static_cast<std::size_t>(c)] = std::exp((x_future(j, c) - x_mean[c]) * beta[c]);
      }
      detail::shapley_product(static_cast<int>(k), r.data(), phi.data(), work);
      const double mean_w = u.values.row(j).sum();
      for (Eigen::Index c = 0; c < k; ++c) {
        out.values(j, nu + c) = mean_w * phi[static_cast<std::size_t>(c)];
      }
    }
    return out;
  }
  for (Eigen::Index c = 0; c < k; ++c) {
    out.components.push_back("x" + std::to_string(c));
    for (Eigen::Index j = 0; j < h; ++j) {
      out.values(j, nu + c) = (x_future(j, c) - x_mean[c]) * beta[c];
    }
  }
  return out;
}

void validate(const ETSX& spec) {
  if (spec.automatic) {
    validate(AutoETS{spec.season_length, spec.model, spec.damped});
    return;
  }
  if (!spec.damped.has_value()) {
    detail::raise_argument("damped", "a fixed ETS model (automatic = false) needs damped set");
  }
  (void)make_ets(spec.model, spec.season_length, *spec.damped);
}

namespace {

// The smallest-AICc candidate of an ETSX search into `out`: `fit(c, f, b, cov)` fits one
// candidate (false when it cannot be fitted), giving β and Cov(β̂) of the active columns in
// units of the column scales `sd` (ones when unscaled), which are scattered to their columns;
// inactive columns stay 0. Candidates too short for their parameters plus the covariates
// (R's rule) are skipped. False when no candidate fits.
template <class Fit>
bool best_candidate(const std::vector<Components>& candidates,
                    Eigen::Index n,
                    const std::vector<Eigen::Index>& active,
                    const Eigen::VectorXd& sd,
                    ETSXFitted& out,
                    Fit&& fit) {
  const auto k = static_cast<Eigen::Index>(active.size());
  bool found = false;
  for (const Components& c : candidates) {
    if (n <= r_npars(c.trend, c.season, c.m, c.damped) + k + 4) continue;
    ETSFitted f;
    Eigen::VectorXd b;
    Eigen::MatrixXd cov;
    if (!fit(c, f, b, cov)) continue;
    if (found && !(f.aicc < out.ets.aicc)) continue;
    out.ets = std::move(f);
    out.beta.setZero();
    out.beta_cov.setZero();
    for (Eigen::Index j = 0; j < k; ++j) {
      const Eigen::Index col = active[static_cast<std::size_t>(j)];
      out.beta[col] = b[j] / sd[j];
      for (Eigen::Index i = 0; i < k; ++i) {
        out.beta_cov(active[static_cast<std::size_t>(i)], col) = cov(i, j) / (sd[i] * sd[j]);
      }
    }
    found = true;
  }
  return found;
}

// The multiplicative form of `ETSX::fit` (error letter M, strictly positive data): every
// allowed candidate ETS(M, trend, season) with the log-linear covariate term; AICc selects.
ETSXFitted etsx_multiplicative(const ETSX& spec,
                               const SeriesView& s,
                               const Prepared& pr,
                               const std::vector<Eigen::Index>& active,
                               ETSXFitted out) {
  const Eigen::Index n = s.y.size();
  const auto k = static_cast<Eigen::Index>(active.size());
  // Centred covariates scaled to unit standard deviation: γ_j = β_j·sd_j.
  Eigen::MatrixXd Xs(n, k);
  Eigen::VectorXd sd(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const Eigen::Index col = active[static_cast<std::size_t>(j)];
    const Eigen::VectorXd xc = s.x.col(col).array() - out.x_mean[col];
    sd[j] = std::sqrt(xc.squaredNorm() / static_cast<double>(n));
    Xs.col(j) = xc / sd[j];
  }
  const Eigen::VectorXd logz = pr.z.array().log();
  const Eigen::VectorXd gamma0 = difference_ols(logz, Xs);
  const auto m = static_cast<int>(spec.season_length);
  const char t_letter = spec.model[1];
  char s_letter = spec.model[2];
  if (s_letter == 'Z' && (m == 1 || m > 24)) s_letter = 'N';
  if (n <= m || m == 1) s_letter = 'N';
  const bool found = best_candidate(
      search_candidates({ErrorType::multiplicative}, t_letter, s_letter, spec.damped, m, true), n,
      active, sd, out,
      [&](const Components& c, ETSFitted& f, Eigen::VectorXd& g, Eigen::MatrixXd& cov) {
        return fit_candidate_xm(pr.z, Xs, gamma0, c, pr.scale, pr.seed, f, g, cov);
      });
  if (!found) {
    const std::string why =
        "series too short for ETS with " + std::to_string(k) + " covariate(s): plain ETS";
    out.beta.setZero();
    out.beta_cov.setZero();
    out.ets = spec.automatic ? AutoETS{spec.season_length, spec.model, spec.damped}.fit(s)
                             : make_ets(spec.model, spec.season_length, *spec.damped).fit(s);
    out.ets.fallback = out.ets.fallback.empty() ? why : out.ets.fallback + "; " + why;
    out.fallback = out.ets.fallback;
    return out;
  }
  out.multiplicative = true;
  out.ets.fallback.clear();
  out.fallback.clear();
  return out;
}

}  // namespace

ETSXFitted ETSX::fit(const SeriesView& s) const {
  validate(*this);
  const Eigen::Index n = s.y.size();
  const Eigen::Index k_all = s.x.cols();
  ETSXFitted out;
  out.parameter_uncertainty = parameter_uncertainty;
  out.beta = Eigen::VectorXd::Zero(k_all);
  out.x_mean = Eigen::VectorXd::Zero(k_all);
  out.beta_cov = Eigen::MatrixXd::Zero(k_all, k_all);
  auto plain = [&](const std::string& why) {
    out.ets = automatic ? AutoETS{season_length, model, damped}.fit(s)
                        : make_ets(model, season_length, *damped).fit(s);
    if (!why.empty()) {
      out.ets.fallback = out.ets.fallback.empty() ? why : out.ets.fallback + "; " + why;
    }
    out.fallback = out.ets.fallback;
    return out;
  };
  if (k_all == 0) return plain("");
  if (s.x.rows() != n) {
    detail::raise_invalid("covariates must have one row per observation", s.id, std::nullopt, "x");
  }
  if (!s.x.allFinite()) {
    detail::raise_invalid("ETS with covariates needs finite covariates", s.id, std::nullopt, "x");
  }
  // Centre; columns constant over the history are not identifiable (β = 0).
  std::vector<Eigen::Index> active;
  for (Eigen::Index j = 0; j < k_all; ++j) {
    out.x_mean[j] = s.x.col(j).mean();
    if (s.x.col(j).maxCoeff() > s.x.col(j).minCoeff()) active.push_back(j);
  }
  const auto k = static_cast<Eigen::Index>(active.size());
  if (k == 0) return plain("no covariate varies over the history: plain ETS");
  const Prepared pr = prepare(s);
  if (pr.constant) return plain("constant series: covariates not used");
  Eigen::MatrixXd X(n, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const Eigen::Index col = active[static_cast<std::size_t>(j)];
    X.col(j) = s.x.col(col).array() - out.x_mean[col];
  }
  const Eigen::VectorXd beta0 = difference_ols(pr.z, X);

  std::string note;
  char e_letter = model[0];
  char t_letter = model[1];
  char s_letter = model[2];
  const auto m = static_cast<int>(season_length);
  if (e_letter == 'M' && pr.positive) {
    return etsx_multiplicative(*this, s, pr, active, std::move(out));
  }
  if (e_letter == 'M') {
    note = "additive components (data not strictly positive)";
  } else if (t_letter == 'M' || s_letter == 'M') {
    note = "additive components (additive-error covariates need additive trend and season)";
  }
  e_letter = 'A';
  t_letter = additive_letter(t_letter);
  s_letter = additive_letter(s_letter);
  if (s_letter == 'Z' && (m == 1 || m > 24)) s_letter = 'N';
  if (n <= m || m == 1) s_letter = 'N';
  const bool found = best_candidate(
      search_candidates({ErrorType::additive}, t_letter, s_letter, damped, m, true), n, active,
      Eigen::VectorXd::Ones(k), out,
      [&](const Components& c, ETSFitted& f, Eigen::VectorXd& b, Eigen::MatrixXd& cov) {
        return fit_candidate_x(pr.z, X, beta0, c, pr.scale, pr.seed, f, b, cov);
      });
  if (!found) {
    out.beta.setZero();
    out.beta_cov.setZero();
    return plain("series too short for ETS with " + std::to_string(k) + " covariate(s): plain ETS");
  }
  out.ets.fallback = note;
  out.fallback = note;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Forward: the estimates of a fit applied to another series (R `ets(y, model = fit,
// use.initial.values = TRUE)`).

namespace {

std::optional<ETSFitted> forward_fitted(const ETSFitted& f, const SeriesView& s) {
  // A fallback that estimated nothing (constant or very short series) has no estimates to keep.
  if (std::isnan(f.loglik)) return std::nullopt;
  const Prepared pr = prepare(s);
  Components c;
  c.error = f.error;
  c.trend = f.trend;
  c.season = f.season;
  c.damped = f.damped;
  c.m = f.season != SeasonType::none ? static_cast<int>(f.season_length) : 1;
  const bool multiplicative = c.error == ErrorType::multiplicative ||
                              c.trend == TrendType::multiplicative ||
                              c.season == SeasonType::multiplicative;
  if (multiplicative && !pr.positive) return std::nullopt;
  const Eigen::Index n = pr.z.size();
  const int n_smooth = 1 + (c.trend != TrendType::none ? 1 : 0) +
                       (c.season != SeasonType::none ? 1 : 0) + (c.damped ? 1 : 0);
  const int ns = c.n_states();
  const int np = n_smooth + (c.season != SeasonType::none ? ns - 1 : ns) + 1;  // R: par + 1
  if (n <= np || f.initial_state.size() != ns) return std::nullopt;
  // The initial states in units of the new series' scale (location states scale, factors
  // do not).
  std::vector<double> init(static_cast<std::size_t>(ns));
  for (int i = 0; i < ns; ++i) {
    const bool location =
        i == 0 || (i == 1 && c.trend == TrendType::additive) ||
        (i >= 1 + (c.trend != TrendType::none ? 1 : 0) && c.season == SeasonType::additive);
    init[static_cast<std::size_t>(i)] = f.initial_state[i] / (location ? pr.scale : 1.0);
  }
  std::vector<double> ring(static_cast<std::size_t>(c.m));
  ETSFitted g = f;
  g.last_state.resize(ns);
  Eigen::VectorXd resid(n);
  const double lik = recursion(pr.z.data(), n, c, f.params, init.data(), ring.data(), resid.data(),
                               g.last_state.data());
  if (!std::isfinite(lik) || !g.last_state.allFinite() || !resid.allFinite()) return std::nullopt;
  const double lik_data = lik + 2.0 * static_cast<double>(n) * std::log(pr.scale);
  const auto k = static_cast<double>(np);
  const auto nn = static_cast<double>(n);
  g.n_obs = n;
  g.scale = pr.scale;
  g.seed = pr.seed;
  g.loglik = -0.5 * lik_data;
  g.aic = lik_data + 2.0 * k;
  g.aicc = g.aic + 2.0 * k * (k + 1.0) / (nn - k - 1.0);
  g.sigma2 = resid.squaredNorm() / (nn - k);
  if (!std::isfinite(g.sigma2)) return std::nullopt;
  return g;
}

}  // namespace

std::optional<ETSFitted> ETS::forward(const ETSFitted& fitted, const SeriesView& s) const {
  return forward_fitted(fitted, s);
}

std::optional<ETSFitted> AutoETS::forward(const ETSFitted& fitted, const SeriesView& s) const {
  return forward_fitted(fitted, s);
}

std::optional<ETSXFitted> ETSX::forward(const ETSXFitted& fitted, const SeriesView& s) const {
  const Eigen::Index n = s.y.size();
  const Eigen::Index k = fitted.beta.size();
  const bool regression = k > 0 && (fitted.beta.array() != 0.0).any();
  if (!regression) {
    std::optional<ETSFitted> ets = forward_fitted(fitted.ets, s);
    if (!ets) return std::nullopt;
    ETSXFitted g = fitted;
    g.ets = std::move(*ets);
    return g;
  }
  if (s.x.cols() != k || s.x.rows() != n) return std::nullopt;
  if (!s.x.allFinite()) {
    detail::raise_invalid("ETS with covariates needs finite covariates", s.id, std::nullopt, "x");
  }
  // The error series of the regression, with the estimated β and the training means.
  Eigen::VectorXd xb = (s.x.rowwise() - fitted.x_mean.transpose()) * fitted.beta;
  Eigen::VectorXd u = fitted.multiplicative ? Eigen::VectorXd(s.y.array() * (-xb.array()).exp())
                                            : Eigen::VectorXd(s.y - xb);
  const SeriesView v{Eigen::Map<const Eigen::VectorXd>(u.data(), n), s.x, s.start, s.id};
  std::optional<ETSFitted> ets = forward_fitted(fitted.ets, v);
  if (!ets) return std::nullopt;
  ETSXFitted g = fitted;
  g.ets = std::move(*ets);
  return g;
}

}  // namespace quickstock
