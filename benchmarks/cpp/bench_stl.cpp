// STL and MSTL decomposition kernels on one synthetic hourly series (daily and weekly cycles plus
// noise): BM_STL_decompose/<n>/<period> (R's default s.window = "periodic" and s.window = 13),
// BM_MSTL_decompose/<n> (periods 24 and 168, R's defaults). Items = observations.

#include <cmath>
#include <cstdint>

#include <benchmark/benchmark.h>

#include <quickstock/models/stl.hpp>

#include "bench_common.hpp"

namespace {

Eigen::VectorXd hourly(std::int64_t n) {
  quickstock_bench::SplitMix64 rng(42);
  const double pi = std::acos(-1.0);
  Eigen::VectorXd y(n);
  for (Eigen::Index t = 0; t < n; ++t) {
    const auto x = static_cast<double>(t);
    y[t] = 50.0 + 0.01 * x + 10.0 * std::sin(2.0 * pi * x / 24.0) +
           5.0 * std::cos(2.0 * pi * x / 168.0) + 4.0 * rng.uniform();
  }
  return y;
}

void BM_STL_decompose(benchmark::State& state, bool periodic) {
  const Eigen::VectorXd y = hourly(state.range(0));
  quickstock::STLOptions o;
  o.period = static_cast<double>(state.range(1));
  if (!periodic) o.s_window = 13;
  for (auto _ : state) {
    auto d = quickstock::stl(y, o);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_MSTL_decompose(benchmark::State& state) {
  const Eigen::VectorXd y = hourly(state.range(0));
  quickstock::MSTLOptions o;
  o.periods = {24, 168};
  for (auto _ : state) {
    auto d = quickstock::mstl(y, o);
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK_CAPTURE(BM_STL_decompose, periodic, true)
    ->Args({700, 24})
    ->Args({4032, 24})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_STL_decompose, s_window_13, false)
    ->Args({700, 24})
    ->Args({4032, 24})
    ->Args({4032, 168})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MSTL_decompose)->Arg(700)->Arg(4032)->Unit(benchmark::kMicrosecond);
