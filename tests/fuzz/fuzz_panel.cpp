// libFuzzer target: frequency aliases, panel validation and every baseline model.
//
// Input layout: byte 0 = length L of a frequency alias, then L alias bytes, then rows of
// 17 bytes (1 byte series code, 8 bytes ds as a small signed step count, 8 bytes raw double y),
// then (if left over) 1 byte horizon. Invalid input must raise quickstock::error; anything else
// (a crash, a sanitizer report, an unordered or non-finite quantile) is a finding.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <quickstock/quickstock.hpp>

namespace {

template <class T>
T take(const std::uint8_t*& p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  p += sizeof(T);
  return v;
}

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace qs = quickstock;
  if (size < 1) return 0;
  const std::size_t alias_len = std::min<std::size_t>(data[0] % 8, size - 1);
  const std::string alias(reinterpret_cast<const char*>(data + 1), alias_len);
  const std::uint8_t* p = data + 1 + alias_len;
  const std::uint8_t* end = data + size;
  std::vector<std::string> ids;
  std::vector<std::int64_t> ds;
  std::vector<double> y;
  while (end - p >= 17) {
    ids.push_back("s" + std::to_string(take<std::uint8_t>(p) % 4));
    // Small step counts so that rows land on (or near) a common grid.
    const auto k = static_cast<std::int64_t>(take<std::int64_t>(p) % 64);
    ds.push_back(qs::detail::days_from_civil(2024, 1, 1) * qs::nanoseconds_per_day +
                 k * (qs::nanoseconds_per_day / (alias_len % 2 == 0 ? 1 : 24)));
    y.push_back(take<double>(p));
  }
  const std::int64_t h = p < end ? 1 + *p % 12 : 3;
  try {
    const auto freq = qs::Frequency::parse(alias);
    const auto panel = qs::Panel::from_long(ids, ds, y, freq);
    const qs::ForecastOptions opts{h, {0.05, 0.5, 0.95}, true};
    const std::vector<qs::Model> models{qs::Naive{},
                                        qs::SeasonalNaive{7},
                                        qs::HistoricAverage{},
                                        qs::WindowAverage{3},
                                        qs::SeasonalWindowAverage{2, 2},
                                        qs::RandomWalkWithDrift{}};
    for (const auto& spec : models) {
      try {
        const auto fc = qs::FittedModel(spec, panel, 2).forecast(opts, 2);
        for (std::size_t i = 0; i < panel.n_series(); ++i) {
          for (std::size_t j = 0; j < static_cast<std::size_t>(h); ++j) {
            check(std::isfinite(fc.mean(i, j)) && fc.mean(i, j) >= 0.0);
            for (std::size_t q = 0; q < 3; ++q) {
              check(std::isfinite(fc.quantiles(i, j, q)) && fc.quantiles(i, j, q) >= 0.0);
              if (q > 0) check(fc.quantiles(i, j, q) >= fc.quantiles(i, j, q - 1));
            }
          }
        }
      } catch (const qs::error&) {
        // Documented refusals (e.g. a forecast too large to be finite).
      }
    }
  } catch (const qs::error&) {
    // Invalid input is reported, never crashed on.
  }
  return 0;
}
