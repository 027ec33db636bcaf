#pragma once

/// @file
/// R's Nelder–Mead simplex (`optim(method = "Nelder-Mead")`, as R `forecast` calls it through
/// `etsNelderMead`), for reproducing R's estimates to the last digits. Internal.

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

namespace quickstock::detail {

/// Nelder–Mead simplex minimisation with the settings R's ets uses through optim's method:
/// reflection 1, contraction 0.5, expansion 2, relative tolerance sqrt(machine epsilon) on the
/// spread of the simplex values, at most `max_evals` evaluations, initial simplex steps of
/// 0.1·max|x_i| along each axis. Deterministic; all storage is allocated once up front.
/// (The same algorithm as the one private to src/models/ets.cpp.)
/// @param f objective, called as `f(const double* x)`; non-finite values count as 1e35
/// @param x start point on entry, best point on return
/// @param max_evals evaluation budget (R's `maxit`)
/// @return the best value found; +inf if `f(x)` is not finite at the start
template <class F>
double nelder_mead_r(F& f, std::vector<double>& x, int max_evals) {
  const std::size_t n = x.size();
  const std::size_t nv = n + 1;
  std::vector<double> pts(nv * n);  // vertex j at pts[j*n .. j*n + n)
  std::vector<double> vals(nv);
  std::vector<double> centroid(n);
  std::vector<double> trial(n);
  std::vector<double> trial2(n);
  auto vertex = [&](std::size_t j) { return pts.data() + j * n; };
  auto eval = [&](const double* p) {
    const double v = f(p);
    return std::isfinite(v) ? v : 1e35;
  };

  const double f0 = f(x.data());
  if (!std::isfinite(f0)) return std::numeric_limits<double>::infinity();
  int evals = 1;
  const double reltol = std::sqrt(std::numeric_limits<double>::epsilon());
  const double tol = reltol * (std::fabs(f0) + reltol);

  double step = 0.0;
  for (const double v : x) step = std::max(step, 0.1 * std::fabs(v));
  if (step == 0.0) step = 0.1;
  std::copy(x.begin(), x.end(), vertex(0));
  vals[0] = f0;
  double size = 0.0;
  for (std::size_t j = 1; j < nv; ++j) {
    double* v = vertex(j);
    std::copy(x.begin(), x.end(), v);
    double trial_step = step;
    while (v[j - 1] == x[j - 1]) {
      v[j - 1] = x[j - 1] + trial_step;
      trial_step *= 10.0;
    }
    size += trial_step;
  }
  double old_size = size;
  bool evaluate_all = true;
  std::size_t best = 0;

  while (true) {
    if (evaluate_all) {
      for (std::size_t j = 0; j < nv; ++j) {
        if (j == best) continue;
        vals[j] = eval(vertex(j));
        ++evals;
      }
      evaluate_all = false;
    }
    double v_low = vals[best];
    double v_high = v_low;
    std::size_t worst = best;
    for (std::size_t j = 0; j < nv; ++j) {
      if (j == best) continue;
      if (vals[j] < v_low) {
        best = j;
        v_low = vals[j];
      }
      if (vals[j] > v_high) {
        worst = j;
        v_high = vals[j];
      }
    }
    if (v_high <= v_low + tol) break;

    double* xh = vertex(worst);
    for (std::size_t i = 0; i < n; ++i) {
      double s = -xh[i];
      for (std::size_t j = 0; j < nv; ++j) s += pts[j * n + i];
      centroid[i] = s / static_cast<double>(n);
    }
    for (std::size_t i = 0; i < n; ++i) trial[i] = 2.0 * centroid[i] - xh[i];
    const double v_refl = eval(trial.data());
    ++evals;
    if (v_refl < v_low) {
      for (std::size_t i = 0; i < n; ++i) trial2[i] = 2.0 * trial[i] - centroid[i];
      const double v_exp = eval(trial2.data());
      ++evals;
      if (v_exp < v_refl) {
        std::copy(trial2.begin(), trial2.end(), xh);
        vals[worst] = v_exp;
      } else {
        std::copy(trial.begin(), trial.end(), xh);
        vals[worst] = v_refl;
      }
    } else {
      if (v_refl < v_high) {
        std::copy(trial.begin(), trial.end(), xh);
        vals[worst] = v_refl;
      }
      for (std::size_t i = 0; i < n; ++i) trial2[i] = 0.5 * xh[i] + 0.5 * centroid[i];
      const double v_con = eval(trial2.data());
      ++evals;
      if (v_con < vals[worst]) {
        std::copy(trial2.begin(), trial2.end(), xh);
        vals[worst] = v_con;
      } else if (v_refl >= v_high) {
        // Shrink towards the best vertex; stop if the simplex no longer shrinks.
        const double* xl = vertex(best);
        size = 0.0;
        for (std::size_t j = 0; j < nv; ++j) {
          if (j == best) continue;
          double* v = vertex(j);
          for (std::size_t i = 0; i < n; ++i) {
            v[i] = 0.5 * (v[i] - xl[i]) + xl[i];
            size += std::fabs(v[i] - xl[i]);
          }
        }
        if (size >= old_size) break;
        old_size = size;
        evaluate_all = true;
      }
    }
    if (evals > max_evals) break;
  }
  std::copy(vertex(best), vertex(best) + n, x.begin());
  return vals[best];
}

}  // namespace quickstock::detail
