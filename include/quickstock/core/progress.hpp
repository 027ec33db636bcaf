#pragma once

/// @file
/// Progress reporting and cancellation for long panel fits: a counter the outermost
/// `parallel_for_series` loop of a thread advances as series finish, and that another thread
/// (a progress bar, a Ctrl-C handler) reads or cancels. Results never depend on it.

#include <atomic>
#include <cstdint>
#include <utility>

#include <quickstock/config.hpp>
#include <quickstock/error.hpp>

namespace quickstock {

/// Thrown inside a loop that was cancelled through `Progress::cancel` (Python turns the
/// interrupt that caused it into `KeyboardInterrupt`).
class QUICKSTOCK_API cancelled : public error {
 public:
  cancelled() : error("cancelled") {}
};

/// Series done out of series scheduled, for every outermost per-series loop run by a thread
/// while a `ProgressScope` for this object is open. Thread-safe: the loop's workers advance it,
/// any thread reads it or cancels.
class Progress {
 public:
  /// Adds `n` items to the total (a loop starting).
  void add_total(std::int64_t n) noexcept { total_.fetch_add(n, std::memory_order_relaxed); }
  /// Marks `n` more items done.
  void advance(std::int64_t n = 1) noexcept { done_.fetch_add(n, std::memory_order_relaxed); }
  /// Items done so far.
  [[nodiscard]] std::int64_t done() const noexcept { return done_.load(std::memory_order_relaxed); }
  /// Items scheduled so far (grows as further loops start).
  [[nodiscard]] std::int64_t total() const noexcept {
    return total_.load(std::memory_order_relaxed);
  }
  /// Asks the loops to stop: items not yet started throw `cancelled`.
  void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
  /// Whether `cancel` was called.
  [[nodiscard]] bool is_cancelled() const noexcept {
    return cancelled_.load(std::memory_order_relaxed);
  }

 private:
  std::atomic<std::int64_t> done_{0};
  std::atomic<std::int64_t> total_{0};
  std::atomic<bool> cancelled_{false};
};

namespace detail {
/// The calling thread's progress sink (null when none); see `ProgressScope`.
QUICKSTOCK_API Progress*& thread_progress() noexcept;
}  // namespace detail

/// While alive, the outermost per-series loops run by this thread report to `progress` (loops
/// nested inside an item do not: the sink is taken for the duration of a loop).
class ProgressScope {
 public:
  explicit ProgressScope(Progress* progress) noexcept
      : previous_(std::exchange(detail::thread_progress(), progress)) {}
  ~ProgressScope() { detail::thread_progress() = previous_; }
  ProgressScope(const ProgressScope&) = delete;
  ProgressScope& operator=(const ProgressScope&) = delete;

 private:
  Progress* previous_;
};

}  // namespace quickstock
