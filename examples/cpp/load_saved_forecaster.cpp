// Loads a forecaster saved from Python (`fc.save("model.qs")`) and prints its P10/P50/P90
// forecast: the C++ side of docs/persistence.md. Usage: quickstock_example_load_saved model.qs [h]
#include <cstdint>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <string>

#include <quickstock/quickstock.hpp>

int main(int argc, char** argv) {
  namespace qs = quickstock;
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " model.qs [h]\n";
    return 2;
  }
  const std::int64_t h = argc > 2 ? std::atoll(argv[2]) : 7;
  try {
    const qs::io::SavedForecaster saved = qs::io::load_saved(argv[1]);
    std::cout << "saved by quickstock " << saved.written_by << ": " << saved.panel.n_series()
              << " series, freq " << saved.freq << "\n";
    if (saved.panel.n_covariates() > 0 && saved.censor_col.empty()) {
      std::cerr << "this file has covariates: pass their future values to forecast()\n";
    }
    const auto fitted = saved.fit(/*n_threads=*/2);
    const auto forecasts = saved.forecast(fitted, h, {0.1, 0.5, 0.9}, {}, 2);
    for (std::size_t m = 0; m < forecasts.size(); ++m) {
      const auto& fc = forecasts[m];
      std::cout << saved.models[m].alias << " = " << qs::to_string(saved.models[m].spec) << "\n";
      for (std::size_t i = 0; i < fc.ids.size(); ++i) {
        for (std::size_t j = 0; j < static_cast<std::size_t>(h); ++j) {
          const std::int64_t k = fc.first[i] + static_cast<std::int64_t>(j);
          const std::string when = saved.time_kind == "integer"
                                       ? std::to_string(fc.freq.timestamp(k))
                                       : qs::format_timestamp(fc.freq.timestamp(k));
          std::cout << "  " << fc.ids[i] << "  " << when << std::fixed << std::setprecision(2)
                    << "  mean " << fc.mean(i, j) << "  P10 " << fc.quantiles(i, j, 0) << "  P50 "
                    << fc.quantiles(i, j, 1) << "  P90 " << fc.quantiles(i, j, 2) << "\n";
        }
      }
    }
  } catch (const qs::error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
