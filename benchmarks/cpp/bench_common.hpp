#pragma once

// Shared by the benchmark translation units: a portable generator and the time origin.

#include <cstdint>

#include <quickstock/detail/random.hpp>

namespace quickstock_bench {

/// splitmix64: a tiny, portable generator, so every platform builds the same panels.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return quickstock::detail::splitmix64(state_); }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

inline constexpr std::int64_t ns_per_hour = 3'600'000'000'000LL;
inline constexpr std::int64_t t0 = 1'704'067'200LL * 1'000'000'000LL;  // 2024-01-01 00:00

}  // namespace quickstock_bench
