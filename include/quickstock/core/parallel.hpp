#pragma once

/// @file
/// The one deterministic parallel loop over series.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <thread>
#include <vector>

#include <quickstock/core/progress.hpp>

namespace quickstock {

/// Resolves a user thread count: `n <= 0` means every hardware thread; never more threads than
/// items, never fewer than one.
inline int resolve_threads(int n_threads, std::size_t n_items) noexcept {
  int n = n_threads;
  if (n <= 0) {
    const unsigned hw = std::thread::hardware_concurrency();
    n = hw == 0 ? 1 : static_cast<int>(hw);
  }
  if (n_items < static_cast<std::size_t>(n))
    n = static_cast<int>(std::max<std::size_t>(n_items, 1));
  return n;
}

namespace detail {

/// Runs `fn(i)` for every `i` in `[0, n)` over contiguous blocks of series, one thread per block.
/// Each item is computed by one thread alone and no result depends on which thread ran it, so the
/// output is bit-identical for any `n_threads`. If items throw, the exception of the lowest
/// failing index is rethrown after all threads join (the same one for any thread count).
///
/// When the calling thread has a `ProgressScope`, the loop adds `n` to its total, advances it as
/// items finish and throws `cancelled` for items not started after `Progress::cancel`; loops
/// nested inside `fn` do not report.
template <class Fn>
void parallel_for_series(std::size_t n, int n_threads, Fn&& fn) {
  Progress* const progress = detail::thread_progress();
  const ProgressScope nested(nullptr);  // loops inside `fn` don't report; restored on exit
  if (progress != nullptr) progress->add_total(static_cast<std::int64_t>(n));
  auto item = [&](std::size_t i) {
    if (progress == nullptr) {
      fn(i);
      return;
    }
    if (progress->is_cancelled()) throw cancelled();
    fn(i);
    progress->advance();
  };
  const int t = resolve_threads(n_threads, n);
  if (t <= 1 || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) item(i);
    return;
  }
  const auto nt = static_cast<std::size_t>(t);
  std::vector<std::exception_ptr> errors(nt);
  std::vector<std::size_t> error_index(nt, n);
  auto run_block = [&](std::size_t b) {
    const std::size_t lo = n * b / nt;
    const std::size_t hi = n * (b + 1) / nt;
    for (std::size_t i = lo; i < hi; ++i) {
      try {
        item(i);
      } catch (...) {
        errors[b] = std::current_exception();
        error_index[b] = i;
        return;  // later items in this block cannot beat i as the lowest failing index
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(nt - 1);
  for (std::size_t b = 1; b < nt; ++b) pool.emplace_back(run_block, b);
  run_block(0);
  for (auto& th : pool) th.join();
  for (std::size_t b = 0; b < nt; ++b) {
    if (errors[b]) std::rethrow_exception(errors[b]);
  }
}

}  // namespace detail
}  // namespace quickstock
