#pragma once

/// @file
/// R's Nelder–Mead simplex (`optim(method = "Nelder-Mead")`, as R `forecast` calls it through
/// `etsNelderMead`), for reproducing R's estimates to the last digits. Internal: the one
/// Nelder–Mead implementation of quickstock (Theta's SES, ETS, ETSX, and the speculative
/// several-evaluations-at-once search of ETS).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <vector>

namespace quickstock::detail {

/// Number of points a batched objective evaluates at once (`nelder_mead_r`'s speculative step
/// evaluates the reflection and both contractions together).
inline constexpr int kNelderMeadLanes = 3;

/// Value that replaces a non-finite objective value inside the simplex (R's optim uses 1e35).
inline constexpr double kNelderMeadBig = 1e35;

namespace nm_detail {

template <class F, class = void>
struct is_batched : std::false_type {};
/// An objective is batched when it declares `static constexpr bool batched = true`.
template <class F>
struct is_batched<F, std::void_t<decltype(F::batched)>> : std::bool_constant<F::batched> {};

// f(x, threshold) when the objective takes a threshold, else f(x).
template <class F>
double call(F& f, const double* x, double threshold) {
  if constexpr (std::is_invocable_r_v<double, F&, const double*, double>) {
    return f(x, threshold);
  } else {
    (void)threshold;
    return f(x);
  }
}

}  // namespace nm_detail

/// Nelder–Mead simplex minimisation with the settings R's ets uses through optim's method:
/// reflection 1, contraction 0.5, expansion 2, relative tolerance sqrt(machine epsilon) on the
/// spread of the simplex values, at most `max_evals` evaluations, initial simplex steps of
/// 0.1·max|x_i| along each axis (R `optim`'s C `nmmin`, rewritten for quickstock).
/// Deterministic; all storage is allocated once up front.
///
/// The objective `f` is one of:
/// - `double f(const double* x)`: the value at x;
/// - `double f(const double* x, double threshold)`: the value at x, or +inf instead when the
///   value is certainly above `threshold` (+inf asks for the exact value). The search only
///   compares such a point with the threshold, so early stopping does not change its path.
/// - additionally *batched*: `static constexpr bool batched = true`, a member `bool speculate`
///   and `void evaluate(const double* const* x, int count, const double* threshold,
///   const double* kill_threshold, const unsigned* death_mask, const unsigned* kill_mask,
///   double* out)` that evaluates `count` <= kNelderMeadLanes points at once, out[w] equal bit
///   for bit to `f(x[w], threshold[w])`; when lane w's value is certainly above threshold[w]
///   the lanes in death_mask[w] may be abandoned (+inf), and likewise kill_threshold[w] and
///   kill_mask[w]. With `speculate` true the vertices of the initial and shrunk simplex are
///   evaluated kNelderMeadLanes at a time, and the reflection is evaluated together with both
///   contractions that may follow it; the evaluation count and every comparison are those of
///   the sequential search, so the result is bit-identical.
/// @param f objective (see above); non-finite values count as 1e35
/// @param x start point on entry, best point on return
/// @param max_evals evaluation budget (R's `maxit`)
/// @return the best value found; +inf if `f(x)` is not finite at the start
template <class F>
double nelder_mead_r(F& f, std::vector<double>& x, int max_evals) {
  constexpr bool kBatched = nm_detail::is_batched<F>::value;
  constexpr int kLanes = kNelderMeadLanes;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  constexpr double kBig = kNelderMeadBig;
  const std::size_t n = x.size();
  const std::size_t nv = n + 1;
  std::vector<double> pts(nv * n);  // vertex j at pts[j*n .. j*n + n)
  std::vector<double> vals(nv);
  std::vector<double> centroid(n);
  std::vector<double> trial(n);
  std::vector<double> trial2(n);
  std::vector<double> outside(kBatched ? n : 0);
  std::vector<double> inside(kBatched ? n : 0);
  auto vertex = [&](std::size_t j) { return pts.data() + j * n; };
  // `threshold`: the caller only needs to know whether the value is below it; kInf asks for
  // the exact value.
  auto eval = [&](const double* p, double threshold) {
    const double v = nm_detail::call(f, p, threshold);
    return std::isfinite(v) ? v : kBig;
  };

  const double f0 = nm_detail::call(f, x.data(), kInf);
  if (!std::isfinite(f0)) return kInf;
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
  // Shrinks the simplex towards the best vertex; false if it no longer shrinks (stop).
  const auto shrink = [&]() {
    const double* xl = vertex(best);
    double new_size = 0.0;
    for (std::size_t j = 0; j < nv; ++j) {
      if (j == best) continue;
      double* v = vertex(j);
      for (std::size_t i = 0; i < n; ++i) {
        v[i] = 0.5 * (v[i] - xl[i]) + xl[i];
        new_size += std::fabs(v[i] - xl[i]);
      }
    }
    if (new_size >= old_size) return false;
    old_size = new_size;
    evaluate_all = true;
    return true;
  };
  bool speculate = false;
  if constexpr (kBatched) speculate = f.speculate;

  while (true) {
    if (evaluate_all) {
      if constexpr (kBatched) {
        if (speculate) {
          // The vertices are independent: evaluate them kLanes at a time.
          const double* xs[kLanes] = {};
          std::size_t idx[kLanes] = {};
          const double no_threshold[kLanes] = {kInf, kInf, kInf};
          const unsigned no_mask[kLanes] = {};
          double out[kLanes] = {};
          int count = 0;
          for (std::size_t j = 0; j < nv; ++j) {
            if (j != best) {
              xs[count] = vertex(j);
              idx[count++] = j;
            }
            if (count == kLanes || (j + 1 == nv && count > 0)) {
              f.evaluate(xs, count, no_threshold, no_threshold, no_mask, no_mask, out);
              for (int w = 0; w < count; ++w) vals[idx[w]] = std::isfinite(out[w]) ? out[w] : kBig;
              evals += count;
              count = 0;
            }
          }
        }
      }
      if (!speculate) {
        for (std::size_t j = 0; j < nv; ++j) {
          if (j == best) continue;
          vals[j] = eval(vertex(j), kInf);
          ++evals;
        }
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
    // The reflection, and the contraction that follows it when it is not the new best
    // (outside when the reflection replaced the worst vertex, else inside).
    double v_refl = 0.0;
    double v_con = 0.0;
    const double* con = trial2.data();
    if constexpr (kBatched) {
      if (speculate) {
        // Speculative: the reflection and both contractions that may follow it are evaluated
        // together (the same arithmetic as one after the other, so the search path is
        // identical); the expansion, needed only when the reflection is the new best, is
        // evaluated afterwards. The outside contraction is abandoned as soon as the
        // reflection's partial value shows that it is certainly not below the worst vertex.
        // Every lane's early-stop threshold is implied by its acceptance test (a contraction
        // replaces the worst vertex only when below min(reflection, worst)).
        for (std::size_t i = 0; i < n; ++i) {
          outside[i] = 0.5 * trial[i] + 0.5 * centroid[i];
          inside[i] = 0.5 * xh[i] + 0.5 * centroid[i];
        }
        const double* xs[kLanes] = {trial.data(), outside.data(), inside.data()};
        const double thresholds[kLanes] = {v_high, v_high, v_high};
        const double kill_thresholds[kLanes] = {kInf, kInf, kInf};
        const unsigned death_masks[kLanes] = {2U, 0U, 0U};
        const unsigned kill_masks[kLanes] = {0U, 0U, 0U};
        double out[kLanes] = {};
        f.evaluate(xs, kLanes, thresholds, kill_thresholds, death_masks, kill_masks, out);
        v_refl = std::isfinite(out[0]) ? out[0] : kBig;
        const bool took_reflection = v_refl < v_high;
        con = took_reflection ? outside.data() : inside.data();
        const double v_con_raw = took_reflection ? out[1] : out[2];
        v_con = std::isfinite(v_con_raw) ? v_con_raw : kBig;
      }
    }
    if (!speculate) v_refl = eval(trial.data(), v_high);
    ++evals;
    if (v_refl < v_low) {
      for (std::size_t i = 0; i < n; ++i) trial2[i] = 2.0 * trial[i] - centroid[i];
      const double v_exp = eval(trial2.data(), v_refl);
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
      if (!speculate) {
        for (std::size_t i = 0; i < n; ++i) trial2[i] = 0.5 * xh[i] + 0.5 * centroid[i];
        v_con = eval(trial2.data(), vals[worst]);
      }
      ++evals;
      if (v_con < vals[worst]) {
        std::copy(con, con + n, xh);
        vals[worst] = v_con;
      } else if (v_refl >= v_high) {
        if (!shrink()) break;
      }
    }
    if (evals > max_evals) break;
  }
  std::copy(vertex(best), vertex(best) + n, x.begin());
  return vals[best];
}

}  // namespace quickstock::detail
