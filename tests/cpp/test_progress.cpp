#include <atomic>
#include <cstdint>
#include <vector>

#include <quickstock/core/parallel.hpp>
#include <quickstock/core/progress.hpp>
#include <quickstock/models/model.hpp>

#include "catch.hpp"
#include "helpers.hpp"

namespace qs = quickstock;

TEST_CASE("Progress counts the outermost loop's items, not nested loops", "[core][progress]") {
  for (const int threads : {1, 2, 4}) {
    qs::Progress progress;
    std::atomic<int> inner{0};
    {
      const qs::ProgressScope scope(&progress);
      qs::detail::parallel_for_series(10, threads, [&](std::size_t) {
        qs::detail::parallel_for_series(3, threads, [&](std::size_t) { ++inner; });
      });
      CHECK(qs::detail::thread_progress() == &progress);  // still open after the loop
    }
    CHECK(qs::detail::thread_progress() == nullptr);  // closed with the scope
    CHECK(inner == 30);
    CHECK(progress.total() == 10);
    CHECK(progress.done() == 10);
  }
}

TEST_CASE("Progress totals add up over consecutive loops", "[core][progress]") {
  qs::Progress progress;
  const qs::ProgressScope scope(&progress);
  qs::detail::parallel_for_series(4, 2, [](std::size_t) {});
  qs::detail::parallel_for_series(6, 1, [](std::size_t) {});
  CHECK(progress.total() == 10);
  CHECK(progress.done() == 10);
}

TEST_CASE("A cancelled Progress stops the loop with quickstock::cancelled", "[core][progress]") {
  for (const int threads : {1, 2, 4}) {
    qs::Progress progress;
    const qs::ProgressScope scope(&progress);
    std::atomic<int> ran{0};
    CHECK_THROWS_AS(qs::detail::parallel_for_series(100, threads,
                                                    [&](std::size_t i) {
                                                      ++ran;
                                                      if (i == 0) progress.cancel();
                                                    }),
                    qs::cancelled);
    // Block 0 stops after its first item; the other blocks stop at their next item at the latest.
    CHECK(ran < 100);
  }
}

TEST_CASE("A fit under a ProgressScope reports every series and is unchanged by it",
          "[core][progress]") {
  const auto panel = qs_test::ragged_panel(23);
  const qs::Model spec = qs::AutoETS{};
  const qs::FittedModel plain(spec, panel, 2);
  qs::Progress progress;
  std::vector<double> with, without;
  const qs::FittedModel tracked = [&] {
    const qs::ProgressScope scope(&progress);
    return qs::FittedModel(spec, panel, 2);
  }();
  const auto a = tracked.forecast({7, {0.1, 0.9}, true}, 2);  // outside the scope: not counted
  with.assign(a.quantiles.begin(), a.quantiles.end());
  const auto b = plain.forecast({7, {0.1, 0.9}, true}, 2);
  without.assign(b.quantiles.begin(), b.quantiles.end());
  CHECK(progress.total() == 23);
  CHECK(progress.done() == 23);
  CHECK(with == without);
}
