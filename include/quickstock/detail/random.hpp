#pragma once

/// @file
/// The one small random generator of quickstock: splitmix64 (Steele, Lea & Flood 2014), a
/// portable, well-mixed step, so every platform and thread count draws the same numbers.

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
