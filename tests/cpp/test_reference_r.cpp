// Baselines against R's forecast package: tests/reference/r_forecast/make_baselines.R wrote the
// reference values (R 4.2.2, forecast 8.20). Tolerance 1e-9 relative: R prints 15 significant
// digits, and both sides evaluate the same closed forms in double precision.

#include <cmath>
#include <map>
#include <string>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"

using Catch::Matchers::WithinRel;

TEST_CASE("baselines equal R forecast's naive, snaive, rwf(drift) and meanf",
          "[models][reference]") {
  const std::string dir = std::string(QUICKSTOCK_REFERENCE_DIR) + "/r_forecast/";
  const auto series = qs_test::read_csv(dir + "series.csv");
  const auto ref = qs_test::read_csv(dir + "baselines.csv");

  std::map<std::string, std::vector<double>> values;
  std::map<std::string, std::int64_t> period;
  for (std::size_t r = 0; r < series.at("series").size(); ++r) {
    values[series.at("series")[r]].push_back(std::stod(series.at("y")[r]));
    period[series.at("series")[r]] = std::stoll(series.at("m")[r]);
  }
  // z for the 80% and 95% levels, in the file's column order lo95, lo80, hi80, hi95.
  const std::vector<double> levels{0.025, 0.1, 0.9, 0.975};
  const std::vector<std::string> cols{"lo95", "lo80", "hi80", "hi95"};

  std::size_t checked = 0;
  for (const auto& [name, y] : values) {
    const std::int64_t m = period[name];
    std::vector<std::string> ids(y.size(), name);
    std::vector<std::int64_t> ds(y.size());
    for (std::size_t t = 0; t < y.size(); ++t) ds[t] = static_cast<std::int64_t>(t);
    const auto panel = quickstock::Panel::from_long(ids, ds, y, quickstock::Frequency::integer(1));
    const std::map<std::string, quickstock::Model> methods{
        {"naive", quickstock::Naive{}},
        {"snaive", quickstock::SeasonalNaive{m}},
        {"rwf_drift", quickstock::RandomWalkWithDrift{}},
        {"meanf", quickstock::HistoricAverage{}}};
    for (const auto& [method, spec] : methods) {
      std::vector<std::size_t> rows;
      for (std::size_t r = 0; r < ref.at("series").size(); ++r) {
        if (ref.at("series")[r] == name && ref.at("method")[r] == method) rows.push_back(r);
      }
      if (rows.empty()) continue;
      INFO(name << " " << method);
      const auto h = static_cast<std::int64_t>(rows.size());
      const auto f = quickstock::FittedModel(spec, panel, 1).forecast({h, levels, false}, 1);
      for (std::size_t j = 0; j < rows.size(); ++j) {
        const std::size_t r = rows[j];
        CHECK(std::stoll(ref.at("step")[r]) == static_cast<long long>(j + 1));
        CHECK_THAT(f.mean(0, j), WithinRel(std::stod(ref.at("mean")[r]), 1e-9));
        for (std::size_t q = 0; q < levels.size(); ++q) {
          CHECK_THAT(f.quantiles(0, j, q), WithinRel(std::stod(ref.at(cols[q])[r]), 1e-9));
        }
        ++checked;
      }
    }
  }
  CHECK(checked == ref.at("series").size());
}
