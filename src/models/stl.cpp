// STL and MSTL. The kernel follows the structure of Cleveland et al. (1990), section 2, and of
// the reference implementation R's `stl()` calls (loess estimate at a point, loess smoothing with
// jumps and linear interpolation, cycle-subseries smoothing extended by one cycle at each end,
// low-pass filter, robustness weights), written here from the paper and R's documented
// behaviour. Positions are 1-based in the comments, as in the paper; arrays are 0-based.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <quickstock/error.hpp>
#include <quickstock/models/stl.hpp>

#include "stl_kernel.hpp"

namespace quickstock {
namespace detail {
namespace {

using Idx = std::ptrdiff_t;

// Loess estimate at abscissa xs (1-based) from y[nleft..nright] (1-based, inclusive) with a
// tricube kernel of half-width max(xs − nleft, nright − xs) (widened when the window exceeds the
// series, as the reference), optional robustness weights, degree 0 or 1. `w` is scratch of
// length n. Returns false when every weight is zero.
bool loess_at(const double* y,
              Idx n,
              Idx len,
              int degree,
              double xs,
              double& ys,
              Idx nleft,
              Idx nright,
              double* w,
              bool userw,
              const double* rw) {
  const double range = static_cast<double>(n) - 1.0;
  double h = std::max(xs - static_cast<double>(nleft), static_cast<double>(nright) - xs);
  if (len > n) h += static_cast<double>((len - n) / 2);
  const double h9 = 0.999 * h;
  const double h1 = 0.001 * h;
  double a = 0.0;
  for (Idx j = nleft; j <= nright; ++j) {
    double wj = 0.0;
    const double r = std::abs(static_cast<double>(j) - xs);
    if (r <= h9) {
      if (r <= h1) {
        wj = 1.0;
      } else {
        const double u = r / h;
        const double v = 1.0 - u * u * u;
        wj = v * v * v;
      }
      if (userw) wj *= rw[j - 1];
      a += wj;
    }
    w[j - 1] = wj;
  }
  if (a <= 0.0) return false;
  for (Idx j = nleft; j <= nright; ++j) w[j - 1] /= a;
  if (h > 0.0 && degree > 0) {
    double mean = 0.0;
    for (Idx j = nleft; j <= nright; ++j) mean += w[j - 1] * static_cast<double>(j);
    double b = xs - mean;
    double c = 0.0;
    for (Idx j = nleft; j <= nright; ++j) {
      const double d = static_cast<double>(j) - mean;
      c += w[j - 1] * d * d;
    }
    if (std::sqrt(c) > 0.001 * range) {
      b /= c;
      for (Idx j = nleft; j <= nright; ++j) {
        w[j - 1] *= b * (static_cast<double>(j) - mean) + 1.0;
      }
    }
  }
  double s = 0.0;
  for (Idx j = nleft; j <= nright; ++j) s += w[j - 1] * y[j - 1];
  ys = s;
  return true;
}

// Loess smoothing of y[1..n] with window `len`, evaluated every `jump` points and at n, linearly
// interpolated in between. Where a fit has no weight the observation itself is kept.
void loess_smooth(const double* y,
                  Idx n,
                  Idx len,
                  int degree,
                  Idx jump,
                  bool userw,
                  const double* rw,
                  double* ys,
                  double* scratch) {
  if (n < 2) {
    ys[0] = y[0];
    return;
  }
  const Idx step = std::min(jump, n - 1);
  Idx nleft = 1;
  Idx nright = n;
  auto fit = [&](Idx i) {
    if (!loess_at(y, n, len, degree, static_cast<double>(i), ys[i - 1], nleft, nright, scratch,
                  userw, rw)) {
      ys[i - 1] = y[i - 1];
    }
  };
  if (len >= n) {
    nleft = 1;
    nright = n;
    for (Idx i = 1; i <= n; i += step) fit(i);
  } else if (step == 1) {
    const Idx half = (len + 1) / 2;
    nleft = 1;
    nright = len;
    for (Idx i = 1; i <= n; ++i) {
      if (i > half && nright != n) {
        ++nleft;
        ++nright;
      }
      fit(i);
    }
  } else {
    const Idx half = (len + 1) / 2;
    for (Idx i = 1; i <= n; i += step) {
      if (i < half) {
        nleft = 1;
        nright = len;
      } else if (i >= n - half + 1) {
        nleft = n - len + 1;
        nright = n;
      } else {
        nleft = i - half + 1;
        nright = len + i - half;
      }
      fit(i);
    }
  }
  if (step != 1) {
    for (Idx i = 1; i <= n - step; i += step) {
      const double delta = (ys[i + step - 1] - ys[i - 1]) / static_cast<double>(step);
      for (Idx j = i + 1; j <= i + step - 1; ++j) {
        ys[j - 1] = ys[i - 1] + delta * static_cast<double>(j - i);
      }
    }
    const Idx k = ((n - 1) / step) * step + 1;
    if (k != n) {
      fit(n);  // with the window of the last evaluated point
      if (k != n - 1) {
        const double delta = (ys[n - 1] - ys[k - 1]) / static_cast<double>(n - k);
        for (Idx j = k + 1; j <= n - 1; ++j) {
          ys[j - 1] = ys[k - 1] + delta * static_cast<double>(j - k);
        }
      }
    }
  }
}

// Moving average of length len: ave[0..n−len] (running sum, as the reference).
void moving_average(const double* x, Idx n, Idx len, double* ave) {
  const Idx out = n - len + 1;
  const auto flen = static_cast<double>(len);
  double v = 0.0;
  for (Idx i = 0; i < len; ++i) v += x[i];
  ave[0] = v / flen;
  for (Idx j = 1; j < out; ++j) {
    v = v - x[j - 1] + x[j + len - 1];
    ave[j] = v / flen;
  }
}

// Smooths each cycle-subseries of y[1..n] (period np) by loess and extends it by one point at
// each end; season gets n + 2·np values (the smoothed subseries, cycle by cycle).
void subseries_smooth(const double* y,
                      Idx n,
                      Idx np,
                      Idx ns,
                      int degree,
                      Idx jump,
                      bool userw,
                      const double* rw,
                      double* season,
                      double* w1,
                      double* w2,
                      double* w3,
                      double* w4) {
  for (Idx j = 1; j <= np; ++j) {
    const Idx k = (n - j) / np + 1;
    for (Idx i = 1; i <= k; ++i) w1[i - 1] = y[(i - 1) * np + j - 1];
    if (userw) {
      for (Idx i = 1; i <= k; ++i) w3[i - 1] = rw[(i - 1) * np + j - 1];
    }
    loess_smooth(w1, k, ns, degree, jump, userw, w3, w2 + 1, w4);
    const Idx nright = std::min(ns, k);
    if (!loess_at(w1, k, ns, degree, 0.0, w2[0], 1, nright, w4, userw, w3)) w2[0] = w2[1];
    const Idx nleft = std::max<Idx>(1, k - ns + 1);
    if (!loess_at(w1, k, ns, degree, static_cast<double>(k + 1), w2[k + 1], nleft, k, w4, userw,
                  w3)) {
      w2[k + 1] = w2[k];
    }
    for (Idx m = 1; m <= k + 2; ++m) season[(m - 1) * np + j - 1] = w2[m - 1];
  }
}

// Partial sort of a[1..n] that places the order statistics at the positions ind[0..ni) —
// Singleton's quicksort (CACM algorithm 347) restricted to the segments that hold a requested
// position, the selection R's STL uses for its median. R asks for the positions (n/2 + 1,
// n − n/2) in that order; the segment pruning assumes ascending positions, so for even n the
// second one can be left unsorted. That value enters R's robustness weights, and reproducing
// R's weights needs the same selection, so this follows the same steps.
void partial_sort_at(double* a, Idx n, const Idx* ind, Idx ni) {
  if (n < 2 || ni == 0) return;
  auto at = [a](Idx pos) -> double& { return a[pos - 1]; };  // 1-based
  constexpr int kDepth = 64;  // the smaller part is handled first: depth <= log2(n)
  Idx il[kDepth] = {};
  Idx iu[kDepth] = {};
  Idx indl[kDepth] = {};
  Idx indu[kDepth] = {};
  Idx jl = 1;
  Idx ju = ni;
  indl[0] = 1;
  indu[0] = ni;
  Idx i = 1;
  Idx j = n;
  int m = 1;
  enum class Step { start, pop, test, partition, insertion };
  Step step = Step::start;
  for (;;) {
    switch (step) {
      case Step::start:
        step = i < j ? Step::partition : Step::pop;
        break;
      case Step::pop:
        --m;
        if (m == 0) return;
        i = il[m - 1];
        j = iu[m - 1];
        jl = indl[m - 1];
        ju = indu[m - 1];
        step = jl <= ju ? Step::test : Step::pop;
        break;
      case Step::test:
        step = j - i > 10 ? Step::partition : Step::insertion;
        break;
      case Step::partition: {
        Idx k = i;
        const Idx ij = (i + j) / 2;
        double t = at(ij);
        if (at(i) > t) {
          at(ij) = at(i);
          at(i) = t;
          t = at(ij);
        }
        Idx l = j;
        if (at(j) < t) {
          at(ij) = at(j);
          at(j) = t;
          t = at(ij);
          if (at(i) > t) {
            at(ij) = at(i);
            at(i) = t;
            t = at(ij);
          }
        }
        for (;;) {
          --l;
          if (at(l) <= t) {
            const double tt = at(l);
            do {
              ++k;
            } while (!(at(k) >= t));
            if (k > l) break;
            at(l) = at(k);
            at(k) = tt;
          }
        }
        indl[m - 1] = jl;
        indu[m - 1] = ju;
        const int p = m;
        ++m;
        step = Step::test;
        if (l - i <= j - k) {
          il[p - 1] = k;
          iu[p - 1] = j;
          j = l;
          for (;;) {
            if (jl > ju) {
              step = Step::pop;
              break;
            }
            if (ind[ju - 1] > j) {
              --ju;
            } else {
              indl[p - 1] = ju + 1;
              break;
            }
          }
        } else {
          il[p - 1] = i;
          iu[p - 1] = l;
          i = k;
          for (;;) {
            if (jl > ju) {
              step = Step::pop;
              break;
            }
            if (ind[jl - 1] < i) {
              ++jl;
            } else {
              indu[p - 1] = jl - 1;
              break;
            }
          }
        }
        break;
      }
      case Step::insertion:
        if (i == 1) {
          step = Step::start;
          break;
        }
        for (--i;;) {
          ++i;
          if (i == j) break;
          const double t = at(i + 1);
          if (at(i) > t) {
            Idx k = i;
            do {
              at(k + 1) = at(k);
              --k;
            } while (!(t >= at(k)));
            at(k + 1) = t;
          }
        }
        step = Step::pop;
        break;
    }
  }
}

// Robustness weights: bisquare of |y − fit| / (6·median|y − fit|), the median as R selects it.
void robustness_weights(const double* y, Idx n, const double* fit, double* rw, double* scratch) {
  for (Idx i = 0; i < n; ++i) scratch[i] = std::abs(y[i] - fit[i]);
  const Idx mid[2] = {n / 2 + 1, n - (n / 2 + 1) + 1};
  partial_sort_at(scratch, n, mid, 2);
  const double cmad = 3.0 * (scratch[mid[0] - 1] + scratch[mid[1] - 1]);
  const double c9 = 0.999 * cmad;
  const double c1 = 0.001 * cmad;
  for (Idx i = 0; i < n; ++i) {
    const double r = std::abs(y[i] - fit[i]);
    if (r <= c1) {
      rw[i] = 1.0;
    } else if (r <= c9) {
      const double u = r / cmad;
      const double v = 1.0 - u * u;
      rw[i] = v * v;
    } else {
      rw[i] = 0.0;
    }
  }
}

[[noreturn]] void bad(const char* field, const std::string& message) {
  detail::raise_argument(field, message);
}

// R's nextodd: round half to even, then up to the next odd integer.
Idx next_odd(double x) {
  auto v = static_cast<Idx>(std::nearbyint(x));
  if (v % 2 == 0) ++v;
  return v;
}

}  // namespace

StlParams resolve_stl(Idx n, const STLOptions& o) {
  if (!std::isfinite(o.period) || o.period < 2.0) {
    bad("period", "STL needs a period >= 2 (got " + std::to_string(o.period) + ")");
  }
  if (static_cast<double>(n) <= 2.0 * o.period) {
    bad("y", "STL needs more than two periods of data (got " + std::to_string(n) +
                 " observations for period " + std::to_string(o.period) + ")");
  }
  auto degree = [](int d, const char* field) {
    if (d != 0 && d != 1) bad(field, "loess degree must be 0 or 1 (got " + std::to_string(d) + ")");
    return d;
  };
  auto positive = [](std::int64_t v, const char* field) {
    if (v < 1) bad(field, std::string(field) + " must be >= 1 (got " + std::to_string(v) + ")");
    return static_cast<Idx>(v);
  };
  StlParams p;
  p.periodic = !o.s_window.has_value();
  // R works with the window as a double until it passes as.integer() (truncation) to its kernel.
  const double s_window = p.periodic ? 10.0 * static_cast<double>(n) + 1.0
                                     : static_cast<double>(positive(*o.s_window, "s_window"));
  p.isdeg = p.periodic ? 0 : degree(o.s_degree, "s_degree");
  p.itdeg = degree(o.t_degree, "t_degree");
  p.ildeg = degree(o.l_degree.value_or(o.t_degree), "l_degree");
  const Idx t_window = o.t_window ? positive(*o.t_window, "t_window")
                                  : next_odd(std::ceil(1.5 * o.period / (1.0 - 1.5 / s_window)));
  const Idx l_window = o.l_window ? positive(*o.l_window, "l_window") : next_odd(o.period);
  const Idx sj =
      o.s_jump ? positive(*o.s_jump, "s_jump") : static_cast<Idx>(std::ceil(s_window / 10.0));
  const Idx tj = o.t_jump ? positive(*o.t_jump, "t_jump")
                          : static_cast<Idx>(std::ceil(static_cast<double>(t_window) / 10.0));
  const Idx lj = o.l_jump ? positive(*o.l_jump, "l_jump")
                          : static_cast<Idx>(std::ceil(static_cast<double>(l_window) / 10.0));
  const int inner = o.inner.value_or(o.robust ? 1 : 2);
  const int outer = o.outer.value_or(o.robust ? 15 : 0);
  if (inner < 1) bad("inner", "inner must be >= 1 (got " + std::to_string(inner) + ")");
  if (outer < 0) bad("outer", "outer must be >= 0 (got " + std::to_string(outer) + ")");
  // The kernel's own adjustments: windows at least 3 and odd, period at least 2.
  auto odd3 = [](Idx v) {
    v = std::max<Idx>(3, v);
    return v % 2 == 0 ? v + 1 : v;
  };
  p.np = std::max<Idx>(2, static_cast<Idx>(o.period));
  p.ns = odd3(static_cast<Idx>(s_window));
  p.nt = odd3(t_window);
  p.nl = odd3(l_window);
  p.nsjump = sj;
  p.ntjump = tj;
  p.nljump = lj;
  p.ni = inner;
  p.no = outer;
  return p;
}

void StlWorkspace::resize(Idx n, Idx np) {
  const auto len = static_cast<std::size_t>(n + 2 * np);
  for (auto& col : work) col.resize(len);
  rw.resize(static_cast<std::size_t>(n));
}

void stl_kernel(
    const double* y, Idx n, const StlParams& p, StlWorkspace& ws, double* season, double* trend) {
  ws.resize(n, p.np);
  double* w1 = ws.work[0].data();
  double* w2 = ws.work[1].data();
  double* w3 = ws.work[2].data();
  double* w4 = ws.work[3].data();
  double* w5 = ws.work[4].data();
  double* rw = ws.rw.data();
  std::fill(trend, trend + n, 0.0);
  bool userw = false;
  for (int pass = 0;; ++pass) {
    for (int it = 0; it < p.ni; ++it) {
      for (Idx i = 0; i < n; ++i) w1[i] = y[i] - trend[i];
      subseries_smooth(w1, n, p.np, p.ns, p.isdeg, p.nsjump, userw, rw, w2, w3, w4, w5, season);
      // Low-pass filter of the n + 2·np smoothed subseries values: MA(np), MA(np), MA(3), loess.
      const Idx m = n + 2 * p.np;
      moving_average(w2, m, p.np, w3);
      moving_average(w3, m - p.np + 1, p.np, w1);
      moving_average(w1, m - 2 * p.np + 2, 3, w3);
      loess_smooth(w3, n, p.nl, p.ildeg, p.nljump, false, w4, w1, w5);
      for (Idx i = 0; i < n; ++i) season[i] = w2[p.np + i] - w1[i];
      for (Idx i = 0; i < n; ++i) w1[i] = y[i] - season[i];
      loess_smooth(w1, n, p.nt, p.itdeg, p.ntjump, userw, rw, trend, w3);
    }
    if (pass >= p.no) break;
    for (Idx i = 0; i < n; ++i) w1[i] = trend[i] + season[i];
    robustness_weights(y, n, w1, rw, w2);
    userw = true;
  }
  if (p.no <= 0) std::fill(rw, rw + n, 1.0);
  if (p.periodic) {
    // Make the seasonal component exactly periodic: its mean at each position of the cycle.
    for (Idx j = 0; j < p.np; ++j) {
      double sum = 0.0;
      Idx count = 0;
      for (Idx i = j; i < n; i += p.np) {
        sum += season[i];
        ++count;
      }
      const double mean = sum / static_cast<double>(count);
      for (Idx i = j; i < n; i += p.np) season[i] = mean;
    }
  }
}

void require_finite(const Eigen::Ref<const Eigen::VectorXd>& y) {
  for (Eigen::Index t = 0; t < y.size(); ++t) {
    if (!std::isfinite(y[t])) {
      detail::raise_invalid("decomposition needs finite observations (got " + std::to_string(y[t]) +
                                " at position " + std::to_string(t) + ")",
                            {}, std::nullopt, "y");
    }
  }
}

double magnitude_scale(const Eigen::Ref<const Eigen::VectorXd>& y) {
  const double mx = y.size() > 0 ? y.cwiseAbs().maxCoeff() : 0.0;
  return mx > 1e100 ? std::ldexp(1.0, std::ilogb(mx)) : 1.0;
}

}  // namespace detail

STLDecomposition stl(const Eigen::Ref<const Eigen::VectorXd>& y, const STLOptions& options) {
  detail::require_finite(y);
  const detail::StlParams p = detail::resolve_stl(y.size(), options);
  const double scale = detail::magnitude_scale(y);  // a power of two: exact, 1 for usual data
  const Eigen::VectorXd yy = y / scale;
  STLDecomposition d;
  d.trend.resize(y.size());
  d.seasonal.resize(y.size());
  detail::StlWorkspace ws;
  detail::stl_kernel(yy.data(), yy.size(), p, ws, d.seasonal.data(), d.trend.data());
  d.weights = Eigen::Map<const Eigen::VectorXd>(ws.rw.data(), yy.size());
  d.remainder = (yy - d.seasonal - d.trend) * scale;
  d.seasonal *= scale;
  d.trend *= scale;
  return d;
}

namespace detail {

std::vector<double> mstl_periods(std::vector<double> periods, Eigen::Index n) {
  for (const double p : periods) {
    if (!std::isfinite(p) || p < 1.0) {
      bad("season_length",
          "every season length must be a finite number >= 1 (got " + std::to_string(p) + ")");
    }
  }
  std::vector<double> kept;
  for (const double p : periods) {
    if (p >= 2.0 && p < static_cast<double>(n) / 2.0) kept.push_back(p);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

void mstl_kernel(const double* y,
                 Idx n,
                 const std::vector<double>& periods,
                 const MSTLOptions& o,
                 StlWorkspace& ws,
                 double* seasonal,  // n × periods.size(), column-major
                 double* trend,
                 double* deseas) {
  std::copy(y, y + n, deseas);
  const std::size_t k = periods.size();
  if (k == 0) {
    std::copy(y, y + n, trend);
    return;
  }
  std::fill(seasonal, seasonal + n * static_cast<Idx>(k), 0.0);
  const int passes = k == 1 ? 1 : std::max(1, o.iterate);
  std::vector<StlParams> params(k);
  for (std::size_t i = 0; i < k; ++i) {
    STLOptions so;
    so.period = periods[i];
    std::int64_t sw = 0;
    if (o.s_window.empty()) {
      sw = 7 + 4 * static_cast<std::int64_t>(i + 1);
    } else {
      sw = o.s_window.size() == 1 ? o.s_window[0] : o.s_window.at(i);
    }
    if (sw != 0) so.s_window = sw;
    so.robust = o.robust;
    params[i] = resolve_stl(n, so);
  }
  for (int pass = 0; pass < passes; ++pass) {
    for (std::size_t i = 0; i < k; ++i) {
      double* s = seasonal + static_cast<Idx>(i) * n;
      for (Idx t = 0; t < n; ++t) deseas[t] += s[t];
      stl_kernel(deseas, n, params[i], ws, s, trend);
      for (Idx t = 0; t < n; ++t) deseas[t] -= s[t];
    }
  }
}

}  // namespace detail

MSTLDecomposition mstl(const Eigen::Ref<const Eigen::VectorXd>& y, const MSTLOptions& options) {
  detail::require_finite(y);
  if (!options.s_window.empty()) {
    for (const auto w : options.s_window) {
      if (w < 0) {
        detail::raise_argument("s_window", "s_window values must be >= 1, or 0 for periodic (got " +
                                               std::to_string(w) + ")");
      }
    }
  }
  MSTLDecomposition d;
  d.periods = detail::mstl_periods(options.periods, y.size());
  if (options.s_window.size() > 1 && options.s_window.size() < d.periods.size()) {
    detail::raise_argument("s_window", "s_window needs one value, or one per kept period");
  }
  const Eigen::Index n = y.size();
  const auto k = static_cast<Eigen::Index>(d.periods.size());
  const double scale = detail::magnitude_scale(y);
  const Eigen::VectorXd yy = y / scale;
  d.trend.resize(n);
  d.seasonal.resize(n, k);
  Eigen::VectorXd deseas(n);
  detail::StlWorkspace ws;
  detail::mstl_kernel(yy.data(), n, d.periods, options, ws, d.seasonal.data(), d.trend.data(),
                      deseas.data());
  d.remainder = (deseas - d.trend) * scale;
  d.trend *= scale;
  d.seasonal *= scale;
  return d;
}

}  // namespace quickstock
