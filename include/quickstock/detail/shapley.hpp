#pragma once

/// @file
/// Exact Shapley splits of a forecast built from a few multiplicative or additive parts (used by
/// the `contributions` of ETS and Theta; see docs/explain.md).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

namespace quickstock::detail {

/// Exact Shapley values (Shapley 1953) of `n <= 3` players for a value function given on every
/// coalition: `v[mask]` for `mask` in `[0, 2^n)`, bit `i` set when player `i` takes its actual
/// value (else its baseline). Writes `phi[0..n)`; they sum to `v[2^n - 1] - v[0]`.
inline void shapley(int n, const double* v, double* phi) {
  // |S|!·(n − |S| − 1)!/n! for n = 1, 2, 3 and |S| = 0..n−1.
  static constexpr double w[4][3] = {
      {0.0, 0.0, 0.0}, {1.0, 0.0, 0.0}, {0.5, 0.5, 0.0}, {1.0 / 3.0, 1.0 / 6.0, 1.0 / 3.0}};
  const int full = 1 << n;
  for (int i = 0; i < n; ++i) {
    const int bit = 1 << i;
    double s = 0.0;
    for (int mask = 0; mask < full; ++mask) {
      if ((mask & bit) != 0) continue;
      int size = 0;
      for (int k = 0; k < n; ++k) size += (mask >> k) & 1;
      s += w[n][size] * (v[mask | bit] - v[mask]);
    }
    phi[i] = s;
  }
}

/// One forecast step `(L ⊕ T) ⊗ S` split into level, trend and season: `T` enters additively
/// (`L + T`, baseline 0) or multiplicatively (`L·T`, baseline 1), `S` likewise; the level's
/// baseline is 0, so the parts add up to the forecast. All-additive forms give the terms
/// themselves (`L`, `T`, `S`); otherwise the exact Shapley values of the two or three players
/// against those baselines.
struct StateSplit {
  double level = 0.0;
  double trend = 0.0;
  double season = 0.0;
};

/// See `StateSplit`. `has_trend`/`has_season` false: that part is absent (0 in the result).
inline StateSplit split_states(double l,
                               double t,
                               bool has_trend,
                               bool trend_mult,
                               double s,
                               bool has_season,
                               bool season_mult) {
  StateSplit out;
  if ((!has_trend || !trend_mult) && (!has_season || !season_mult)) {
    out.level = l;
    out.trend = has_trend ? t : 0.0;
    out.season = has_season ? s : 0.0;
    return out;
  }
  // Players in order level, [trend], [season].
  const int n = 1 + (has_trend ? 1 : 0) + (has_season ? 1 : 0);
  const int trend_bit = has_trend ? 2 : 0;
  const int season_bit = has_season ? (has_trend ? 4 : 2) : 0;
  std::array<double, 8> v{};
  for (int mask = 0; mask < (1 << n); ++mask) {
    const double lv = (mask & 1) != 0 ? l : 0.0;
    double x = lv;
    if (has_trend) {
      const bool on = (mask & trend_bit) != 0;
      x = trend_mult ? lv * (on ? t : 1.0) : lv + (on ? t : 0.0);
    }
    if (has_season) {
      const bool on = (mask & season_bit) != 0;
      x = season_mult ? x * (on ? s : 1.0) : x + (on ? s : 0.0);
    }
    v[static_cast<std::size_t>(mask)] = x;
  }
  std::array<double, 3> phi{};
  shapley(n, v.data(), phi.data());
  out.level = phi[0];
  if (has_trend) out.trend = phi[1];
  if (has_season) out.season = phi[has_trend ? 2 : 1];
  return out;
}

/// Exact Shapley values of the product game v(S) = Π_{i∈S} r_i (baseline factor 1) of `k`
/// players: phi[i] = (r_i − 1)·Σ_s w(s)·e_s(r without i), e_s the elementary symmetric
/// polynomials and w(s) = s!(k−1−s)!/k! (O(k²) per player). The values sum to Π r_i − 1.
/// `work` is resized to k + 1 (reused across calls).
inline void shapley_product(int k, const double* r, double* phi, std::vector<double>& work) {
  work.assign(static_cast<std::size_t>(k) + 1, 0.0);
  for (int i = 0; i < k; ++i) {
    std::fill(work.begin(), work.end(), 0.0);
    work[0] = 1.0;
    std::size_t deg = 0;
    for (int o = 0; o < k; ++o) {
      if (o == i) continue;
      ++deg;
      for (std::size_t s = deg; s > 0; --s) work[s] += work[s - 1] * r[o];
    }
    double sum = 0.0;
    for (std::size_t s = 0; s <= deg; ++s) {
      const double w = std::exp(std::lgamma(static_cast<double>(s) + 1.0) +
                                std::lgamma(static_cast<double>(k) - static_cast<double>(s)) -
                                std::lgamma(static_cast<double>(k) + 1.0));
      sum += w * work[s];
    }
    phi[i] = (r[i] - 1.0) * sum;
  }
}

}  // namespace quickstock::detail
