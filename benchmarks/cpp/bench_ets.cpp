// Fit and forecast throughput of AutoETS, fixed ETS models and ETSX (regression with ETS
// errors) on a synthetic hourly panel (season 24, like M4 Hourly). The panel and, for
// forecast, the fitted panel are built in setup, outside the timed loop; the loop times one
// `quickstock::fit_panel` or one `FittedPanel::forecast` call. Items processed = series.

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <quickstock/quickstock.hpp>

#include "bench_common.hpp"

namespace {

using quickstock_bench::ns_per_hour;
using quickstock_bench::SplitMix64;
using quickstock_bench::t0;

/// n_series strictly positive hourly series of `length` points: a level with a slow random
/// walk, a daily cycle and noise; with `covariates`, two columns (a 0/1 promotion and a
/// temperature-like wave) that add to y with known coefficients.
quickstock::Panel make_panel(std::int64_t n_series, std::int64_t length, bool covariates) {
  SplitMix64 rng(0xE75'0000ULL ^ static_cast<std::uint64_t>(n_series * 131 + length));
  const auto rows = static_cast<std::size_t>(n_series * length);
  std::vector<std::int64_t> codes(rows);
  std::vector<std::int64_t> ds(rows);
  std::vector<double> y(rows);
  std::vector<double> x(covariates ? 2 * rows : 0);
  std::vector<std::string> ids;
  const double two_pi = 2.0 * std::acos(-1.0);
  std::size_t r = 0;
  for (std::int64_t i = 0; i < n_series; ++i) {
    ids.push_back("H" + std::to_string(i));
    double level = 200.0 + 800.0 * rng.uniform();
    const double amplitude = 0.2 + 0.5 * rng.uniform();
    for (std::int64_t t = 0; t < length; ++t, ++r) {
      level = std::max(50.0, level + 2.0 * (rng.uniform() - 0.5));
      const double hour = static_cast<double>(t % 24);
      double v = level * (1.0 + amplitude * std::sin(two_pi * hour / 24.0)) +
                 20.0 * (rng.uniform() + rng.uniform() - 1.0);
      if (covariates) {
        const double promo = rng.uniform() < 0.1 ? 1.0 : 0.0;
        const double temp = std::sin(two_pi * static_cast<double>(t) / 500.0);
        x[2 * r] = promo;
        x[2 * r + 1] = temp;
        v += 80.0 * promo + 30.0 * temp;
      }
      codes[r] = i;
      ds[r] = t0 + t * ns_per_hour;
      y[r] = std::max(v, 1.0);
    }
  }
  quickstock::LongInput in;
  in.codes = codes.data();
  in.ds = ds.data();
  in.y = y.data();
  in.n_rows = rows;
  in.ids = ids;
  if (covariates) {
    in.covariates = x.data();
    in.covariate_names = {"promo", "temp"};
  }
  return quickstock::Panel::from_long(in, quickstock::Frequency::parse("h"));
}

template <class Spec>
void run_fit(benchmark::State& state, const Spec& spec, bool covariates) {
  const std::int64_t n_series = state.range(0);
  const auto n_threads = static_cast<int>(state.range(1));
  const quickstock::Panel panel = make_panel(n_series, 720, covariates);
  for (auto _ : state) {
    auto fitted = quickstock::fit_panel(spec, panel, n_threads);
    benchmark::DoNotOptimize(fitted);
  }
  state.SetItemsProcessed(state.iterations() * n_series);
}

void BM_AutoETS_fit(benchmark::State& state) {
  run_fit(state, quickstock::AutoETS{24, "ZZZ", std::nullopt}, false);
}
void BM_ETS_AAdA_fit(benchmark::State& state) {
  run_fit(state, quickstock::make_ets("AAA", 24, true), false);
}
void BM_ETS_MAM_fit(benchmark::State& state) {
  run_fit(state, quickstock::make_ets("MAM", 24, false), false);
}
void BM_ETSX_fit(benchmark::State& state) {
  run_fit(state, quickstock::ETSX{24, "ZZZ", std::nullopt}, true);
}

void BM_AutoETS_forecast(benchmark::State& state) {
  const std::int64_t n_series = state.range(0);
  const auto n_threads = static_cast<int>(state.range(1));
  const quickstock::Panel panel = make_panel(n_series, 720, false);
  const auto fitted = quickstock::fit_panel(quickstock::AutoETS{24, "ZZZ", std::nullopt}, panel, 2);
  const quickstock::ForecastOptions options{48, {0.1, 0.5, 0.9}, true};
  for (auto _ : state) {
    auto fc = fitted.forecast(options, n_threads);
    benchmark::DoNotOptimize(fc);
  }
  state.SetItemsProcessed(state.iterations() * n_series);
}

// Carrying AutoETS fits of the first 696 hours forward to all 720 (one day more) without
// estimating again: `FittedPanel::forward`, the step behind cross_validation(refit=False).
// Compare with BM_AutoETS_fit (a refit of the same panel). Items processed = series.
void BM_AutoETS_forward(benchmark::State& state) {
  const std::int64_t n_series = state.range(0);
  const auto n_threads = static_cast<int>(state.range(1));
  const quickstock::Panel panel = make_panel(n_series, 720, false);
  const quickstock::Panel head =
      panel.drop_last(std::vector<std::int64_t>(panel.n_series(), 24), 1);
  const auto fitted = quickstock::fit_panel(quickstock::AutoETS{24, "ZZZ", std::nullopt}, head, 2);
  for (auto _ : state) {
    auto carried = fitted.forward(panel, n_threads);
    benchmark::DoNotOptimize(carried);
  }
  state.SetItemsProcessed(state.iterations() * n_series);
}

// The likelihood recursion alone (what the Nelder–Mead search calls ~1,300 times per
// candidate model): `quickstock::ets_objective` on one strictly positive hourly series of 960
// points (M4 Hourly's longest), at typical parameters and initial states. Items processed =
// observations, so items/s is the recursion's throughput. `ets_objective` copies its inputs
// (one 960-double copy per call); the search itself evaluates in place.
void run_objective(benchmark::State& state, const std::string& code, bool damped) {
  const quickstock::Panel panel = make_panel(1, 960, false);
  const Eigen::VectorXd y = panel.series(0).y;
  const quickstock::ETS spec = quickstock::make_ets(code, 24, damped);
  quickstock::ETSParams p;
  p.alpha = 0.3;
  p.beta = spec.trend != quickstock::TrendType::none ? 0.05 : 0.0;
  p.gamma = spec.season != quickstock::SeasonType::none ? 0.1 : 0.0;
  p.phi = damped ? 0.95 : 1.0;
  const bool trend = spec.trend != quickstock::TrendType::none;
  const bool season = spec.season != quickstock::SeasonType::none;
  Eigen::VectorXd init((trend ? 2 : 1) + (season ? 24 : 0));
  init[0] = y.head(24).mean();
  if (trend) init[1] = spec.trend == quickstock::TrendType::multiplicative ? 1.0 : 0.0;
  if (season) {
    const double mean = y.head(24).mean();
    for (int j = 0; j < 24; ++j) {
      // R order: s1 is the most recent of the first cycle.
      const double v = y[23 - j];
      init[(trend ? 2 : 1) + j] =
          spec.season == quickstock::SeasonType::multiplicative ? v / mean : v - mean;
    }
  }
  for (auto _ : state) {
    const double v = quickstock::ets_objective(y, spec.error, spec.trend, spec.season, 24, p, init);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations() * y.size());
}

void BM_ETS_objective_ANN(benchmark::State& state) { run_objective(state, "ANN", false); }
void BM_ETS_objective_AAdA(benchmark::State& state) { run_objective(state, "AAA", true); }
void BM_ETS_objective_MNA(benchmark::State& state) { run_objective(state, "MNA", false); }
void BM_ETS_objective_MAdA(benchmark::State& state) { run_objective(state, "MAA", true); }
void BM_ETS_objective_MNM(benchmark::State& state) { run_objective(state, "MNM", false); }
void BM_ETS_objective_MAdM(benchmark::State& state) { run_objective(state, "MAM", true); }

}  // namespace

BENCHMARK(BM_ETS_objective_ANN);
BENCHMARK(BM_ETS_objective_AAdA);
BENCHMARK(BM_ETS_objective_MNA);
BENCHMARK(BM_ETS_objective_MAdA);
BENCHMARK(BM_ETS_objective_MNM);
BENCHMARK(BM_ETS_objective_MAdM);
BENCHMARK(BM_AutoETS_fit)->Args({8, 1})->Args({8, 2})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ETS_AAdA_fit)->Args({8, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ETS_MAM_fit)->Args({8, 1})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ETSX_fit)->Args({8, 1})->Args({8, 2})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AutoETS_forward)->Args({64, 1})->Args({64, 2})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AutoETS_forecast)->Args({64, 1})->Args({64, 2})->Unit(benchmark::kMillisecond);
