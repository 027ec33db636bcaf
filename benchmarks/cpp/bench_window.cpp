// Lag and window features over a whole ragged panel (`quickstock/features/window.hpp`).
//
//   BM_window_<kernel>/series:S/length:L/threads:T   one call over all S series
//
// Kernels: lag (k = 7), rolling mean/std/min/max/quantile (window 28, min_periods 1, lag 1),
// expanding mean/std (lag 1), seasonal rolling mean/std (m = 7, window 4, lag 7), ewm mean
// (alpha 0.1, lag 1). The panel (series lengths in [3/4·L, L], about 5 % NaN) is generated
// deterministically outside the timed loop; the output buffer is allocated once.

#include <cstdint>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <quickstock/core/parallel.hpp>
#include <quickstock/features/window.hpp>

#include "bench_common.hpp"

namespace {

using quickstock::RaggedColumn;
using quickstock::WindowOptions;
using quickstock::WindowStat;
using quickstock_bench::SplitMix64;

struct Data {
  std::vector<double> values;
  std::vector<std::int64_t> offsets{0};
  [[nodiscard]] RaggedColumn view() const {
    return {values.data(), offsets.data(), offsets.size() - 1};
  }
};

const Data& data_for(std::int64_t n_series, std::int64_t length) {
  static std::map<std::pair<std::int64_t, std::int64_t>, Data> cache;
  auto it = cache.find({n_series, length});
  if (it != cache.end()) return it->second;
  SplitMix64 rng(0x5EED'F00D'0000'0007ULL ^ static_cast<std::uint64_t>(n_series * 31 + length));
  Data d;
  for (std::int64_t i = 0; i < n_series; ++i) {
    const auto slack = static_cast<std::uint64_t>(length / 4 + 1);
    const std::int64_t n = length - static_cast<std::int64_t>(rng.next() % slack);
    const double level = 1.0 + 20.0 * rng.uniform();
    for (std::int64_t t = 0; t < n; ++t) {
      const double u = rng.uniform();
      d.values.push_back(u < 0.05 ? std::numeric_limits<double>::quiet_NaN()
                                  : static_cast<double>(static_cast<int>(level * 2.0 * u)));
    }
    d.offsets.push_back(static_cast<std::int64_t>(d.values.size()));
  }
  return cache.emplace(std::make_pair(n_series, length), std::move(d)).first->second;
}

WindowOptions options(WindowStat stat, std::int64_t lag) {
  WindowOptions o;
  o.stat = stat;
  o.min_periods = 1;
  o.lag = lag;
  o.q = 0.5;
  return o;
}

template <class Fn>
void run(benchmark::State& state, Fn&& fn) {
  const std::int64_t n_series = state.range(0);
  const Data& d = data_for(n_series, state.range(1));
  const int n_threads = static_cast<int>(state.range(2));
  std::vector<double> out(d.values.size());
  for (auto _ : state) {
    fn(d.view(), out.data(), n_threads);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * n_series);
  state.counters["values"] = static_cast<double>(d.values.size());
}

void BM_window_lag(benchmark::State& state) {
  run(state, [](const RaggedColumn& c, double* o, int t) { quickstock::lag_into(c, 7, o, t); });
}

template <WindowStat Stat>
void BM_window_rolling(benchmark::State& state) {
  run(state, [](const RaggedColumn& c, double* o, int t) {
    quickstock::rolling_into(c, 28, options(Stat, 1), o, t);
  });
}

template <WindowStat Stat>
void BM_window_expanding(benchmark::State& state) {
  run(state, [](const RaggedColumn& c, double* o, int t) {
    quickstock::expanding_into(c, options(Stat, 1), o, t);
  });
}

template <WindowStat Stat>
void BM_window_seasonal_rolling(benchmark::State& state) {
  run(state, [](const RaggedColumn& c, double* o, int t) {
    quickstock::seasonal_rolling_into(c, 7, 4, options(Stat, 7), o, t);
  });
}

void BM_window_ewm_mean(benchmark::State& state) {
  run(state, [](const RaggedColumn& c, double* o, int t) {
    quickstock::ewm_mean_into(c, 0.1, 1, 1, o, t);
  });
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"series", "length", "threads"});
  for (const auto& shape : {std::pair<int, int>{1000, 700}, std::pair<int, int>{10000, 365}}) {
    for (const int t : {1, 2}) b->Args({shape.first, shape.second, t});
  }
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK(BM_window_lag)->Apply(shapes);
BENCHMARK_TEMPLATE(BM_window_rolling, WindowStat::mean)
    ->Name("BM_window_rolling_mean")
    ->Apply(shapes);
BENCHMARK_TEMPLATE(BM_window_rolling, WindowStat::std)
    ->Name("BM_window_rolling_std")
    ->Apply(shapes);
BENCHMARK_TEMPLATE(BM_window_rolling, WindowStat::min)
    ->Name("BM_window_rolling_min")
    ->Apply(shapes);
BENCHMARK_TEMPLATE(BM_window_rolling, WindowStat::max)
    ->Name("BM_window_rolling_max")
    ->Apply(shapes);
BENCHMARK_TEMPLATE(BM_window_rolling, WindowStat::quantile)
    ->Name("BM_window_rolling_quantile")
    ->Apply(shapes);
BENCHMARK_TEMPLATE(BM_window_expanding, WindowStat::mean)
    ->Name("BM_window_expanding_mean")
    ->Apply(shapes);
BENCHMARK_TEMPLATE(BM_window_expanding, WindowStat::std)
    ->Name("BM_window_expanding_std")
    ->Apply(shapes);
BENCHMARK_TEMPLATE(BM_window_seasonal_rolling, WindowStat::mean)
    ->Name("BM_window_seasonal_rolling_mean")
    ->Apply(shapes);
BENCHMARK_TEMPLATE(BM_window_seasonal_rolling, WindowStat::std)
    ->Name("BM_window_seasonal_rolling_std")
    ->Apply(shapes);
BENCHMARK(BM_window_ewm_mean)->Apply(shapes);
