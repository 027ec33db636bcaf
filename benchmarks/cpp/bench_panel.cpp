// Building and validating a Panel from long rows (`Panel::from_long`): the cost paid once per
// fit before any model runs. Single-threaded (from_long is).
//
//   BM_Panel_from_long_codes           LongInput with integer series codes, rows already sorted
//                                      by series then time (the layout a sorted frame gives)
//   BM_Panel_from_long_codes_shuffled  the same rows in a random order (from_long sorts them)
//   BM_Panel_from_long_ids             the convenience overload with one string id per row
//                                      (sorts and deduplicates the ids itself)
//
// Rows are generated deterministically in setup, outside the timed loop; the loop times one
// from_long call, including every validation (grid, duplicates, gaps, finite non-negative y).

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

using quickstock_bench::ns_per_hour;
using quickstock_bench::SplitMix64;
using quickstock_bench::t0;

/// Long rows of a ragged hourly panel (series lengths in ~[3/4·length, length], common end).
struct LongRows {
  std::vector<std::string> ids;       // one per series, sorted (code i <-> ids[i])
  std::vector<std::int64_t> codes;    // per row
  std::vector<std::string> row_ids;   // per row, for the string overload
  std::vector<std::int64_t> ds;       // per row, ns
  std::vector<double> y;              // per row
  std::vector<std::int64_t> s_codes;  // shuffled copies
  std::vector<std::int64_t> s_ds;
  std::vector<double> s_y;
};

LongRows make_rows(std::int64_t n_series, std::int64_t length) {
  SplitMix64 rng(0xB0A7'9A4E'2024'0002ULL ^ static_cast<std::uint64_t>(n_series * 7919 + length));
  LongRows r;
  for (std::int64_t i = 0; i < n_series; ++i) {
    // Zero-padded so that sorted string order equals code order.
    std::string id = std::to_string(i);
    r.ids.push_back("sku" + std::string(8 - id.size(), '0') + id);
  }
  for (std::int64_t i = 0; i < n_series; ++i) {
    const auto slack = static_cast<std::uint64_t>(length / 4 + 1);
    const std::int64_t n = length - static_cast<std::int64_t>(rng.next() % slack);
    const std::int64_t start = length - n;
    for (std::int64_t t = 0; t < n; ++t) {
      r.codes.push_back(i);
      r.row_ids.push_back(r.ids[static_cast<std::size_t>(i)]);
      r.ds.push_back(t0 + (start + t) * ns_per_hour);
      r.y.push_back(static_cast<double>(rng.next() % 20U));
    }
  }
  // Fisher-Yates on a row permutation.
  std::vector<std::size_t> perm(r.y.size());
  for (std::size_t k = 0; k < perm.size(); ++k) perm[k] = k;
  for (std::size_t k = perm.size(); k > 1; --k) {
    std::swap(perm[k - 1], perm[static_cast<std::size_t>(rng.next() % k)]);
  }
  r.s_codes.reserve(perm.size());
  r.s_ds.reserve(perm.size());
  r.s_y.reserve(perm.size());
  for (const std::size_t k : perm) {
    r.s_codes.push_back(r.codes[k]);
    r.s_ds.push_back(r.ds[k]);
    r.s_y.push_back(r.y[k]);
  }
  return r;
}

const LongRows& rows_for(std::int64_t n_series, std::int64_t length) {
  static std::map<std::pair<std::int64_t, std::int64_t>, std::unique_ptr<LongRows>> cache;
  auto& slot = cache[{n_series, length}];
  if (!slot) slot = std::make_unique<LongRows>(make_rows(n_series, length));
  return *slot;
}

void set_counters(benchmark::State& state, std::int64_t n_series, std::size_t n_rows) {
  state.SetItemsProcessed(state.iterations() * n_series);
  state.counters["rows"] = static_cast<double>(n_rows);
  state.counters["rows_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(n_rows),
                         benchmark::Counter::kIsRate);
}

quickstock::LongInput long_input(const LongRows& r, bool shuffled) {
  quickstock::LongInput in;
  in.codes = shuffled ? r.s_codes.data() : r.codes.data();
  in.ds = shuffled ? r.s_ds.data() : r.ds.data();
  in.y = shuffled ? r.s_y.data() : r.y.data();
  in.n_rows = r.y.size();
  in.ids = r.ids;
  return in;
}

void from_long_codes(benchmark::State& state, bool shuffled) {
  const std::int64_t n_series = state.range(0);
  const LongRows& r = rows_for(n_series, state.range(1));
  const quickstock::Frequency freq = quickstock::Frequency::parse("h");
  const quickstock::LongInput in = long_input(r, shuffled);
  for (auto _ : state) {
    auto panel = quickstock::Panel::from_long(in, freq);
    benchmark::DoNotOptimize(panel);
    benchmark::ClobberMemory();
  }
  set_counters(state, n_series, r.y.size());
}

void BM_Panel_from_long_codes(benchmark::State& state) { from_long_codes(state, false); }
void BM_Panel_from_long_codes_shuffled(benchmark::State& state) { from_long_codes(state, true); }

void BM_Panel_from_long_ids(benchmark::State& state) {
  const std::int64_t n_series = state.range(0);
  const LongRows& r = rows_for(n_series, state.range(1));
  const quickstock::Frequency freq = quickstock::Frequency::parse("h");
  for (auto _ : state) {
    auto panel = quickstock::Panel::from_long(r.row_ids, r.ds, r.y, freq);
    benchmark::DoNotOptimize(panel);
    benchmark::ClobberMemory();
  }
  set_counters(state, n_series, r.y.size());
}

// Same shapes as bench_baselines.cpp ({n_series, max length}; h plays no part here).
void panel_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"series", "length"});
  b->Args({1000, 700});
  b->Args({10000, 365});
  b->Unit(benchmark::kMillisecond);
}

BENCHMARK(BM_Panel_from_long_codes)->Apply(panel_shapes);
BENCHMARK(BM_Panel_from_long_codes_shuffled)->Apply(panel_shapes);
BENCHMARK(BM_Panel_from_long_ids)->Apply(panel_shapes);

}  // namespace
