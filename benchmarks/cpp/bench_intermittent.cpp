// Fit and forecast throughput of the intermittent models (Croston, CrostonSBA, TSB, ADIDA,
// IMAPA) on a simulated M5-like daily panel, against one pass over the same memory.
//
// The panel: `n_series` series of `length` days; per series a demand probability p from
// Beta(0.6, 1.2)-like draws (the product of two uniforms' powers) and sizes 1 + geometric, so
// that most series are intermittent and some are dense, as at M5's bottom level. Built once
// per shape outside the timed loop. BM_Intermittent_memory_pass sums every value of the panel
// (the floor for any model that reads each observation once); BM_<model>_fit times one
// `fit_panel`, BM_<model>_forecast one `FittedPanel::forecast` with h = 28 and 9 quantiles.

#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <quickstock/quickstock.hpp>

#include "bench_common.hpp"

namespace {

using quickstock_bench::SplitMix64;
using quickstock_bench::t0;

constexpr std::int64_t ns_per_day = 86'400'000'000'000LL;

quickstock::Panel make_intermittent_panel(std::int64_t n_series, std::int64_t length) {
  SplitMix64 rng(0x1A7E'2A11'7E57'0006ULL ^ static_cast<std::uint64_t>(n_series * 31 + length));
  std::vector<std::int64_t> codes;
  std::vector<std::int64_t> ds;
  std::vector<double> y;
  const auto cap = static_cast<std::size_t>(n_series * length);
  codes.reserve(cap);
  ds.reserve(cap);
  y.reserve(cap);
  std::vector<std::string> ids;
  ids.reserve(static_cast<std::size_t>(n_series));
  for (std::int64_t i = 0; i < n_series; ++i) {
    ids.push_back("item" + std::to_string(i));
    const double p = std::pow(rng.uniform(), 1.6);  // mostly small, some near 1
    const double q = 0.3 + 0.6 * rng.uniform();     // geometric size parameter
    for (std::int64_t t = 0; t < length; ++t) {
      double v = 0.0;
      if (rng.uniform() < p) {
        v = 1.0 + std::floor(std::log(1.0 - rng.uniform()) / std::log(1.0 - q));
      }
      codes.push_back(i);
      ds.push_back(t0 + t * ns_per_day);
      y.push_back(v);
    }
  }
  quickstock::LongInput in;
  in.codes = codes.data();
  in.ds = ds.data();
  in.y = y.data();
  in.n_rows = y.size();
  in.ids = std::move(ids);
  return quickstock::Panel::from_long(in, quickstock::Frequency::parse("D"));
}

const quickstock::Panel& panel(std::int64_t n_series, std::int64_t length) {
  static std::map<std::pair<std::int64_t, std::int64_t>, std::unique_ptr<quickstock::Panel>> cache;
  auto& slot = cache[{n_series, length}];
  if (!slot) slot = std::make_unique<quickstock::Panel>(make_intermittent_panel(n_series, length));
  return *slot;
}

void BM_Intermittent_memory_pass(benchmark::State& state) {
  const auto& p = panel(state.range(0), state.range(1));
  for (auto _ : state) {
    double sum = 0.0;
    for (const double v : p.values()) sum += v;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(p.n_obs() * 8));
}

template <class Spec>
void BM_fit(benchmark::State& state, Spec spec) {
  const auto& p = panel(state.range(0), state.range(1));
  const int threads = static_cast<int>(state.range(2));
  for (auto _ : state) {
    auto fitted = quickstock::fit_panel(spec, p, threads);
    benchmark::DoNotOptimize(fitted);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(p.n_obs() * 8));
}

template <class Spec>
void BM_forecast(benchmark::State& state, Spec spec) {
  const auto& p = panel(state.range(0), state.range(1));
  const int threads = static_cast<int>(state.range(2));
  const auto fitted = quickstock::fit_panel(spec, p, threads);
  const quickstock::ForecastOptions opts{
      28, {0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995}, true};
  for (auto _ : state) {
    auto fc = fitted.forecast(opts, threads);
    benchmark::DoNotOptimize(fc);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"series", "days", "threads"});
  for (const std::int64_t threads : {1, 2}) b->Args({3049, 1941, threads});
  b->Unit(benchmark::kMillisecond)->UseRealTime();
}

}  // namespace

BENCHMARK(BM_Intermittent_memory_pass)->Args({3049, 1941, 1})->Unit(benchmark::kMillisecond);

#define QUICKSTOCK_INTERMITTENT_BENCHMARKS(Name, spec)  \
  BENCHMARK_CAPTURE(BM_fit, Name, spec)->Apply(shapes); \
  BENCHMARK_CAPTURE(BM_forecast, Name, spec)->Apply(shapes);

QUICKSTOCK_INTERMITTENT_BENCHMARKS(Croston, quickstock::Croston{})
QUICKSTOCK_INTERMITTENT_BENCHMARKS(CrostonSBA, quickstock::CrostonSBA{})
QUICKSTOCK_INTERMITTENT_BENCHMARKS(TSB, (quickstock::TSB{0.1, 0.1, {}}))
QUICKSTOCK_INTERMITTENT_BENCHMARKS(ADIDA, quickstock::ADIDA{})
QUICKSTOCK_INTERMITTENT_BENCHMARKS(IMAPA, quickstock::IMAPA{})
