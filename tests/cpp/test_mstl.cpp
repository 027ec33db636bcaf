// STL, MSTL and MSTL forecasting against R: tests/reference/r_forecast/make_mstl.R wrote the
// reference values (R 4.2.2 stats::stl, forecast 8.20 mstl and forecast.mstl) for 7 real series.
//
// Tolerances, and why:
// - Components (trend, each seasonal, remainder): 1e-6 relative to the series' scale
//   (max |y|). Both sides run the same loess arithmetic in double precision; only summation
//   order and the moving-average running sums differ in the last bits (observed: < 1e-11).
// - MSTL forecasts with ets(model = "ZZN") on the adjusted series: mean and 80/95% bounds within
//   1e-6 relative; our AutoETS is itself within 1e-6 of R's ets (test_ets.cpp), and the same
//   model must be selected.
// - Closed forms: a sinusoid plus a line is split back into its parts within 1e-3 of the
//   amplitude (loess end effects only), and a purely periodic series is forecast exactly by
//   MSTL with a Naive trend.

#include <cmath>
#include <map>
#include <sstream>
#include <string>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"
#include "model_contract.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
namespace qs = quickstock;

namespace {

struct MstlRef {
  std::map<std::string, std::vector<double>> series;
  std::map<std::string, std::vector<std::string>> cases;
  std::map<std::string, std::vector<std::string>> comps;
  std::map<std::string, std::vector<std::string>> fcs;
};

const MstlRef& ref() {
  static const MstlRef data = [] {
    const std::string dir = std::string(QUICKSTOCK_REFERENCE_DIR) + "/r_forecast/";
    MstlRef d;
    const auto s = qs_test::read_csv(dir + "mstl_series.csv");
    for (std::size_t r = 0; r < s.at("series").size(); ++r) {
      d.series[s.at("series")[r]].push_back(std::stod(s.at("y")[r]));
    }
    d.cases = qs_test::read_csv(dir + "mstl_cases.csv");
    d.comps = qs_test::read_csv(dir + "mstl_components.csv");
    d.fcs = qs_test::read_csv(dir + "mstl_forecasts.csv");
    return d;
  }();
  return data;
}

Eigen::Map<const Eigen::VectorXd> vec(const std::vector<double>& v) {
  return {v.data(), static_cast<Eigen::Index>(v.size())};
}

qs::SeriesView view(const std::string& name, const std::vector<double>& y) {
  static const qs::RowMatrixXd no_x(0, 0);
  return qs::SeriesView{
      vec(y),
      Eigen::Map<const qs::RowMatrixXd>(no_x.data(), static_cast<Eigen::Index>(y.size()), 0), 0,
      name};
}

}  // namespace

TEST_CASE("STL and MSTL components agree with R", "[models][mstl][stl][reference]") {
  const auto& d = ref();
  const auto& c = d.cases;
  std::size_t checked = 0;
  for (std::size_t r = 0; r < c.at("case").size(); ++r) {
    const std::string name = c.at("case")[r];
    const auto& y = d.series.at(c.at("series")[r]);
    const std::vector<double> periods = qs_test::split_numbers(c.at("periods")[r]);
    Eigen::VectorXd trend;
    Eigen::MatrixXd seasonal;
    Eigen::VectorXd remainder;
    if (c.at("method")[r] == "stl") {
      qs::STLOptions o;
      o.period = periods[0];
      if (c.at("s_window")[r] != "periodic") o.s_window = std::stoll(c.at("s_window")[r]);
      o.robust = c.at("robust")[r] == "TRUE";
      const auto dec = qs::stl(vec(y), o);
      trend = dec.trend;
      seasonal = dec.seasonal;
      remainder = dec.remainder;
      // The parts add up to the data.
      CHECK(((dec.trend + dec.seasonal + dec.remainder) - vec(y)).cwiseAbs().maxCoeff() < 1e-9);
    } else {
      qs::MSTLOptions o;
      o.periods = periods;
      const auto dec = qs::mstl(vec(y), o);
      CHECK(dec.periods == periods);
      trend = dec.trend;
      seasonal = dec.seasonal;
      remainder = dec.remainder;
    }
    const double scale = vec(y).cwiseAbs().maxCoeff();
    double worst = 0.0;
    std::size_t row = 0;
    for (std::size_t i = 0; i < d.comps.at("case").size(); ++i) {
      if (d.comps.at("case")[i] != name) continue;
      const auto t = static_cast<Eigen::Index>(row);
      worst = std::max(worst, std::abs(trend[t] - std::stod(d.comps.at("trend")[i])));
      worst = std::max(worst, std::abs(remainder[t] - std::stod(d.comps.at("remainder")[i])));
      const auto s = qs_test::split_numbers(d.comps.at("seasonal")[i]);
      REQUIRE(static_cast<Eigen::Index>(s.size()) == seasonal.cols());
      for (std::size_t k = 0; k < s.size(); ++k) {
        worst = std::max(worst, std::abs(seasonal(t, static_cast<Eigen::Index>(k)) - s[k]));
      }
      ++row;
    }
    REQUIRE(row == y.size());
    INFO(name << ": max |ours - R| / max|y| = " << worst / scale);
    CHECK(worst / scale < 1e-6);
    ++checked;
  }
  CHECK(checked == 12);
}

TEST_CASE("MSTL forecasts agree with R's forecast(mstl(y), method = \"ets\")",
          "[models][mstl][reference]") {
  const auto& d = ref();
  const auto& c = d.cases;
  const std::vector<double> levels{0.1, 0.9, 0.025, 0.975};
  const std::vector<std::string> cols{"lo80", "hi80", "lo95", "hi95"};
  std::size_t checked = 0;
  double worst = 0.0;
  for (std::size_t r = 0; r < c.at("case").size(); ++r) {
    const auto h = std::stoll(c.at("h")[r]);
    if (h == 0) continue;
    const std::string name = c.at("case")[r];
    const auto& y = d.series.at(c.at("series")[r]);
    const qs::MSTL spec = qs::make_mstl(qs_test::split_numbers(c.at("periods")[r]));
    const auto fitted = spec.fit(view(name, y));
    CHECK(fitted.fallback.empty());
    const auto f = fitted.forecast({h, levels, false});
    std::size_t step = 0;
    for (std::size_t i = 0; i < d.fcs.at("case").size(); ++i) {
      if (d.fcs.at("case")[i] != name) continue;
      const auto j = static_cast<Eigen::Index>(step);
      INFO(name << " step " << step + 1);
      const double ref_mean = std::stod(d.fcs.at("mean")[i]);
      CHECK_THAT(f.mean[j], WithinRel(ref_mean, 1e-6));
      worst = std::max(worst, std::abs(f.mean[j] / ref_mean - 1.0));
      for (std::size_t q = 0; q < cols.size(); ++q) {
        const double v = std::stod(d.fcs.at(cols[q])[i]);
        CHECK_THAT(f.quantiles(j, static_cast<Eigen::Index>(q)), WithinRel(v, 1e-6));
        worst = std::max(worst, std::abs(f.quantiles(j, static_cast<Eigen::Index>(q)) / v - 1.0));
      }
      ++step;
    }
    CHECK(step == static_cast<std::size_t>(h));
    ++checked;
  }
  INFO("worst relative difference " << worst);
  CHECK(checked == 5);
}

TEST_CASE("STL splits a sinusoid plus a line into its parts", "[models][mstl][stl]") {
  const Eigen::Index n = 240;
  const double pi = std::acos(-1.0);
  Eigen::VectorXd y(n);
  Eigen::VectorXd line(n);
  Eigen::VectorXd wave(n);
  for (Eigen::Index t = 0; t < n; ++t) {
    line[t] = 50.0 + 0.3 * static_cast<double>(t);
    wave[t] = 10.0 * std::sin(2.0 * pi * static_cast<double>(t) / 12.0);
    y[t] = line[t] + wave[t];
  }
  for (const bool periodic : {true, false}) {
    qs::STLOptions o;
    o.period = 12;
    if (!periodic) o.s_window = 13;
    o.inner = 10;
    const auto d = qs::stl(y, o);
    INFO("periodic " << periodic);
    CHECK((d.trend - line).cwiseAbs().maxCoeff() < 1e-2);
    CHECK((d.seasonal - wave).cwiseAbs().maxCoeff() < 1e-2);
    // Away from the ends loess of degree 1 reproduces the line exactly.
    CHECK((d.trend - line).segment(24, n - 48).cwiseAbs().maxCoeff() < 1e-3);
  }
  // Two sinusoids: MSTL recovers each.
  Eigen::VectorXd w2(n * 4);
  Eigen::VectorXd y2(n * 4);
  Eigen::VectorXd w1(n * 4);
  for (Eigen::Index t = 0; t < n * 4; ++t) {
    w1[t] = 5.0 * std::sin(2.0 * pi * static_cast<double>(t) / 24.0);
    w2[t] = 8.0 * std::cos(2.0 * pi * static_cast<double>(t) / 168.0);
    y2[t] = 100.0 + 0.01 * static_cast<double>(t) + w1[t] + w2[t];
  }
  qs::MSTLOptions mo;
  mo.periods = {168, 24};
  const auto m = qs::mstl(y2, mo);
  REQUIRE(m.periods == std::vector<double>{24, 168});
  const Eigen::Index mid0 = 168;
  const Eigen::Index len = n * 4 - 2 * 168;
  CHECK((m.seasonal.col(0) - w1).segment(mid0, len).cwiseAbs().maxCoeff() < 0.05);
  CHECK((m.seasonal.col(1) - w2).segment(mid0, len).cwiseAbs().maxCoeff() < 0.05);
  CHECK(m.remainder.segment(mid0, len).cwiseAbs().maxCoeff() < 0.05);
}

TEST_CASE("MSTL with a Naive trend forecasts a periodic series exactly", "[models][mstl]") {
  std::vector<double> y;
  const std::vector<double> cycle{3, 9, 4, 0, 1, 7, 12};
  for (int i = 0; i < 70; ++i) y.push_back(cycle[static_cast<std::size_t>(i % 7)]);
  const qs::MSTL spec = qs::make_mstl({7}, qs::Naive{});
  const auto f = spec.fit(view("p", y)).forecast({14, {0.1, 0.5, 0.9}, true});
  for (Eigen::Index j = 0; j < 14; ++j) {
    const double expected = cycle[static_cast<std::size_t>((70 + j) % 7)];
    CHECK_THAT(f.mean[j], WithinAbs(expected, 1e-9));
    CHECK_THAT(f.quantiles(j, 1), WithinAbs(expected, 1e-9));
  }
}

TEST_CASE("MSTL degenerate series use the documented fallbacks", "[models][mstl]") {
  const qs::MSTL spec = qs::make_mstl({24, 168});
  const qs::ForecastOptions opts{48, {0.1, 0.5, 0.9}, true};
  auto finite = [](const qs::SeriesForecast& f) {
    return f.mean.allFinite() && f.quantiles.allFinite() && f.quantiles.minCoeff() >= 0.0;
  };
  SECTION("shorter than two weekly cycles: the weekly period is dropped") {
    std::vector<double> y;
    for (int t = 0; t < 200; ++t) y.push_back(10.0 + 5.0 * std::sin(t * 0.2618) + (t % 3));
    const auto f = spec.fit(view("short", y));
    CHECK(f.periods == std::vector<double>{24});
    CHECK(f.fallback.find("dropped") != std::string::npos);
    CHECK(finite(f.forecast(opts)));
  }
  SECTION("shorter than two daily cycles: trend forecaster alone") {
    std::vector<double> y{3, 5, 4, 6, 5, 7, 6, 8, 7, 9, 8, 10};
    const auto f = spec.fit(view("tiny", y));
    CHECK(f.periods.empty());
    CHECK(f.fallback.find("trend forecaster alone") != std::string::npos);
    const auto fc = f.forecast(opts);
    CHECK(finite(fc));
    const auto direct = qs::AutoETS{1, "ZZN", std::nullopt}.fit(view("tiny", y)).forecast(opts);
    CHECK(fc.mean == direct.mean);
  }
  SECTION("constant, all zero and one point") {
    for (const auto& y :
         {std::vector<double>(500, 4.0), std::vector<double>(500, 0.0), std::vector<double>{7.0}}) {
      const auto f = spec.fit(view("c", y));
      CHECK(f.periods.empty());
      CHECK_FALSE(f.fallback.empty());
      const auto fc = f.forecast(opts);
      CHECK(finite(fc));
      CHECK_THAT(fc.mean[0], WithinAbs(y.back(), 1e-9));
    }
  }
  SECTION("a huge spike stays finite") {
    std::vector<double> y;
    for (int t = 0; t < 700; ++t) y.push_back(5.0 + (t % 24 < 8 ? 3.0 : 0.0));
    y[400] = 1e12;
    CHECK(finite(spec.fit(view("spike", y)).forecast(opts)));
  }
  SECTION("values near the largest double stay finite") {
    std::vector<double> y;
    for (int t = 0; t < 700; ++t) y.push_back(1e306 * (2.0 + (t % 24 < 8 ? 1.0 : 0.0)));
    const auto f = qs::make_mstl({24, 168}, qs::Naive{}).fit(view("huge", y));
    CHECK(f.periods.size() == 2);
    const auto fc = f.forecast(opts);
    CHECK(finite(fc));
    CHECK_THAT(fc.mean[0], WithinRel(y[700 % 24], 1e-6));
  }
  SECTION("non-finite values name the series") {
    std::vector<double> y(400, 1.0);
    y[17] = std::nan("");
    try {
      (void)spec.fit(view("bad-series", y));
      FAIL("NaN accepted");
    } catch (const qs::invalid_input& e) {
      CHECK(e.series_id() == "bad-series");
      CHECK(e.field() == "y");
    }
  }
}

TEST_CASE("MSTL spec validation and nesting", "[models][mstl]") {
  auto field_of = [](auto&& make) {
    try {
      (void)make();
    } catch (const qs::invalid_input& e) {
      return e.field();
    }
    return std::string("<no error>");
  };
  CHECK(field_of([] { return qs::make_mstl({24}, qs::SeasonalNaive{24}); }) == "trend_forecaster");
  CHECK(field_of([] {
          return qs::make_mstl({24}, qs::AutoETS{24, "ZZZ", std::nullopt});
        }) == "trend_forecaster");
  CHECK(field_of([] { return qs::make_mstl({24}, qs::make_mstl({7})); }) == "trend_forecaster");
  CHECK(field_of([] { return qs::make_mstl({}); }) == "season_length");
  CHECK(field_of([] { return qs::make_mstl({0.5}); }) == "season_length");
  CHECK(field_of([] { return qs::make_mstl({std::nan("")}); }) == "season_length");
  CHECK(field_of([] { return qs::make_mstl({24}, qs::WindowAverage{0}); }) == "window_size");
  // Accepted: any non-seasonal model, non-integer periods.
  CHECK(field_of([] {
          return qs::make_mstl({7, 365.25}, qs::RandomWalkWithDrift{});
        }) == "<no error>");
  CHECK(field_of([] {
          return qs::make_mstl({24}, qs::AutoETS{24, "ZZN", std::nullopt});
        }) == "<no error>");
  // Equality: an unset trend forecaster is AutoETS(model="ZZN").
  qs::MSTL unset;
  unset.season_length = {24, 168};
  CHECK(unset == qs::make_mstl({24, 168}));
  CHECK_FALSE(unset == qs::make_mstl({24, 168}, qs::Naive{}));
  CHECK_FALSE(unset == qs::make_mstl({24}));
  CHECK(qs::to_string(qs::Model{qs::make_mstl({7, 365.25}, qs::Naive{})}) ==
        "MSTL(season_length=[7, 365.25], trend_forecaster=Naive())");
  CHECK(qs::model_name(qs::Model{unset}) == "MSTL");
}

TEST_CASE("MSTL passes the model contract", "[models][mstl][contract]") {
  qs_test::check_model_contract(qs::make_mstl({7, 14}));
  qs_test::check_model_contract(qs::make_mstl({7}, qs::RandomWalkWithDrift{}));
}
