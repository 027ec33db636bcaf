// Forecasts P10/P50/P90 demand for a few store×SKU series with two baseline models.
// Mirrored in Python by examples/python/forecast_store_panel.py.
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <quickstock/quickstock.hpp>

int main() {
  namespace qs = quickstock;
  // Four weeks of daily sales for two SKUs of one dark store (a weekly pattern on weekends).
  std::vector<std::string> ids;
  std::vector<std::int64_t> ds;
  std::vector<double> y;
  const std::int64_t start = qs::detail::days_from_civil(2025, 6, 2) * qs::nanoseconds_per_day;
  for (const std::string sku : {"HYD-500032/milk-500ml", "HYD-500032/umbrella"}) {
    for (std::int64_t t = 0; t < 28; ++t) {
      const bool weekend = t % 7 >= 5;
      ids.push_back(sku);
      ds.push_back(start + t * qs::nanoseconds_per_day);
      y.push_back(sku.find("milk") != std::string::npos ? (weekend ? 48.0 : 36.0) + t % 3
                                                        : (t % 4 == 0 ? 2.0 : 0.0));
    }
  }
  try {
    const auto panel = qs::Panel::from_long(ids, ds, y, qs::Frequency::parse("D"));
    const qs::ForecastOptions request{7, {0.1, 0.5, 0.9}};
    for (const qs::Model& spec :
         {qs::Model{qs::SeasonalNaive{7}}, qs::Model{qs::WindowAverage{14}}}) {
      const qs::FittedModel fitted(spec, panel, /*n_threads=*/2);
      const auto fc = fitted.forecast(request, 2);
      std::cout << qs::to_string(spec) << "\n";
      for (std::size_t i = 0; i < fc.ids.size(); ++i) {
        for (std::size_t j = 0; j < 3; ++j) {
          std::cout << "  " << fc.ids[i] << "  "
                    << qs::format_timestamp(
                           fc.freq.timestamp(fc.first[i] + static_cast<std::int64_t>(j)))
                    << std::fixed << std::setprecision(1) << "  P10 " << fc.quantiles(i, j, 0)
                    << "  P50 " << fc.quantiles(i, j, 1) << "  P90 " << fc.quantiles(i, j, 2)
                    << "\n";
        }
      }
    }
  } catch (const qs::error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
