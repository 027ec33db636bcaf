// Fit and forecast throughput of every baseline model on synthetic ragged panels.
//
// Every model gets the same set from one template (`register_model_benchmarks`, called through
// QUICKSTOCK_BASELINE_BENCHMARKS): BM_<model>_fit and BM_<model>_forecast for each panel shape
// {n_series, length, h} and n_threads in {1, 2}. The panel (and, for forecast, the fitted
// panel) is built in setup, outside the timed loop; the loop times exactly one
// `quickstock::fit_panel` or one `FittedPanel::forecast` call.

#include <algorithm>
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

// --- deterministic synthetic data --------------------------------------------------------------

using quickstock_bench::ns_per_hour;
using quickstock_bench::SplitMix64;
using quickstock_bench::t0;

/// A ragged hourly demand panel: series i has between ~3/4·length and length observations and
/// all series end at the same hour (shops that opened at different times). Demand is a daily
/// cycle around a per-series level with noise, rounded and censored at 0 (so some series are
/// intermittent). Built through `Panel::from_long`, i.e. validated like user data.
quickstock::Panel make_panel(std::int64_t n_series, std::int64_t length) {
  SplitMix64 rng(0x5157'0C4B'2024'0001ULL ^ static_cast<std::uint64_t>(n_series * 7919 + length));
  std::vector<std::int64_t> codes;
  std::vector<std::int64_t> ds;
  std::vector<double> y;
  const auto cap = static_cast<std::size_t>(n_series * length);
  codes.reserve(cap);
  ds.reserve(cap);
  y.reserve(cap);
  std::vector<std::string> ids;
  ids.reserve(static_cast<std::size_t>(n_series));
  const double two_pi = 2.0 * std::acos(-1.0);
  for (std::int64_t i = 0; i < n_series; ++i) {
    ids.push_back("store" + std::to_string(i % 97) + "_sku" + std::to_string(i));
    const auto slack = static_cast<std::uint64_t>(length / 4 + 1);
    const std::int64_t n = length - static_cast<std::int64_t>(rng.next() % slack);
    const std::int64_t start = length - n;
    const double level = 0.2 + 40.0 * rng.uniform() * rng.uniform();
    const double amplitude = 0.8 * rng.uniform();
    const double phase = 24.0 * rng.uniform();
    for (std::int64_t t = 0; t < n; ++t) {
      const auto hour = static_cast<double>(start + t);
      const double noise = rng.uniform() + rng.uniform() + rng.uniform() - 1.5;  // ~N(0, 1/4)
      const double mu = level * (1.0 + amplitude * std::sin(two_pi * (hour + phase) / 24.0));
      codes.push_back(i);
      ds.push_back(t0 + (start + t) * ns_per_hour);
      y.push_back(std::max(0.0, std::round(mu + 2.0 * std::sqrt(level) * noise)));
    }
  }
  quickstock::LongInput in;
  in.codes = codes.data();
  in.ds = ds.data();
  in.y = y.data();
  in.n_rows = y.size();
  in.ids = std::move(ids);
  return quickstock::Panel::from_long(in, quickstock::Frequency::parse("h"));
}

/// One panel per shape, built on first use and kept for the whole run (benchmark functions
/// are called several times per registration; the panel must not be rebuilt each time).
const quickstock::Panel& synthetic_panel(std::int64_t n_series, std::int64_t length) {
  static std::map<std::pair<std::int64_t, std::int64_t>, std::unique_ptr<quickstock::Panel>> cache;
  auto& slot = cache[{n_series, length}];
  if (!slot) slot = std::make_unique<quickstock::Panel>(make_panel(n_series, length));
  return *slot;
}

// --- the benchmark set of one model ------------------------------------------------------------

struct Shape {
  std::int64_t n_series;
  std::int64_t length;
  std::int64_t h;
};

/// Panel shapes: {n_series, max length, h}.
const std::vector<Shape>& shapes() {
  static const std::vector<Shape> s{{1000, 700, 48}, {10000, 365, 14}};
  return s;
}

constexpr int thread_counts[] = {1, 2};

struct Args {
  std::int64_t n_series;
  std::int64_t length;
  std::int64_t h;
  int n_threads;
  explicit Args(const benchmark::State& state)
      : n_series(state.range(0)),
        length(state.range(1)),
        h(state.range(2)),
        n_threads(static_cast<int>(state.range(3))) {}
};

template <class Spec>
void bench_fit(benchmark::State& state, const Spec& spec) {
  const Args a(state);
  const quickstock::Panel& panel = synthetic_panel(a.n_series, a.length);
  for (auto _ : state) {
    auto fitted = quickstock::fit_panel(spec, panel, a.n_threads);
    benchmark::DoNotOptimize(fitted);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * a.n_series);
}

template <class Spec>
void bench_forecast(benchmark::State& state, const Spec& spec) {
  const Args a(state);
  const quickstock::Panel& panel = synthetic_panel(a.n_series, a.length);
  const auto fitted = quickstock::fit_panel(spec, panel, a.n_threads);
  const quickstock::ForecastOptions options{a.h, {0.1, 0.5, 0.9}, true};
  for (auto _ : state) {
    auto fc = fitted.forecast(options, a.n_threads);
    benchmark::DoNotOptimize(fc);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * a.n_series);
}

/// Registers BM_<model>_fit and BM_<model>_forecast for every shape and thread count.
/// Threaded runs use wall-clock time (`UseRealTime`): CPU time of the calling thread alone
/// would hide the work done by the worker.
template <class Spec>
bool register_model_benchmarks(const std::string& model, const Spec& spec) {
  const std::string names[] = {"BM_" + model + "_fit", "BM_" + model + "_forecast"};
  for (int op = 0; op < 2; ++op) {
    for (const int n_threads : thread_counts) {
      benchmark::internal::Benchmark* b =
          op == 0 ? benchmark::RegisterBenchmark(
                        names[0].c_str(), [spec](benchmark::State& st) { bench_fit(st, spec); })
                  : benchmark::RegisterBenchmark(names[1].c_str(), [spec](benchmark::State& st) {
                      bench_forecast(st, spec);
                    });
      b->ArgNames({"series", "length", "h", "threads"});
      for (const Shape& s : shapes()) b->Args({s.n_series, s.length, s.h, n_threads});
      b->Unit(benchmark::kMillisecond);
      if (n_threads > 1) b->UseRealTime();
    }
  }
  return true;
}

#define QUICKSTOCK_BASELINE_BENCHMARKS(NAME, ...)          \
  [[maybe_unused]] const bool qs_bench_registered_##NAME = \
      register_model_benchmarks(#NAME, __VA_ARGS__)

// Hourly synthetic data, so the seasonal models use a daily cycle (m = 24), as in the Python
// comparison on M4 Hourly (benchmarks/python/compare_baselines.py).
QUICKSTOCK_BASELINE_BENCHMARKS(Naive, quickstock::Naive{});
QUICKSTOCK_BASELINE_BENCHMARKS(SeasonalNaive, quickstock::SeasonalNaive{24});
QUICKSTOCK_BASELINE_BENCHMARKS(HistoricAverage, quickstock::HistoricAverage{});
QUICKSTOCK_BASELINE_BENCHMARKS(WindowAverage, quickstock::WindowAverage{24});
QUICKSTOCK_BASELINE_BENCHMARKS(SeasonalWindowAverage, quickstock::SeasonalWindowAverage{24, 4});
QUICKSTOCK_BASELINE_BENCHMARKS(RandomWalkWithDrift, quickstock::RandomWalkWithDrift{});

}  // namespace
