#pragma once

/// @file
/// The one small random generator of quickstock: splitmix64 (Steele, Lea & Flood 2014), a
/// portable, well-mixed step, so every platform and thread count draws the same numbers.

#include <cmath>
#include <cstdint>

namespace quickstock::detail {

/// Advances `state` and returns the next 64 random bits.
inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31U);
}

}  // namespace quickstock::detail

namespace quickstock::detail {

/// The random stream of one series' sample paths (`FittedModel::sample_paths`): splitmix64
/// started from `(seed, stream)` as `quickstock::sample_paths` does, so that series `i` of a
/// panel draws the same numbers for any thread count.
class PathRng {
 public:
  /// The stream `stream` (the series' index in its panel) of the seed `seed`.
  PathRng(std::uint64_t seed, std::uint64_t stream) noexcept
      : state_(seed * 0x2545F4914F6CDD1DULL ^ (stream + 1) * 0x9E3779B97F4A7C15ULL) {}
  /// The next 64 random bits.
  std::uint64_t next() noexcept { return splitmix64(state_); }
  /// Uniform in the open interval (0, 1).
  double uniform() noexcept { return (static_cast<double>(next() >> 11U) + 0.5) * 0x1.0p-53; }
  /// Standard normal (Box–Muller, both values of a pair used in turn).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    const double a = 6.283185307179586 * uniform();
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }
  /// Gamma(shape, 1) (Marsaglia & Tsang 2000; shape < 1 by the boost U^(1/shape)), shape > 0.
  double gamma(double shape) noexcept {
    if (shape < 1.0) return gamma(shape + 1.0) * std::pow(uniform(), 1.0 / shape);
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x = 0.0;
      double v = 0.0;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform();
      if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
      if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
    }
  }

 private:
  std::uint64_t state_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace quickstock::detail
