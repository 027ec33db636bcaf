// Forecast explanations (FittedPanel::contributions, docs/explain.md): every model's components
// add up to its forecast mean on seasonal, trending, multiplicative, intermittent and covariate
// series; closed-form splits of ETS (additive states, damped trend, the Shapley split of
// multiplicative forms), the baselines and ETSX; zero_floor; the same output for any thread
// count; and the fallback component of a fitted type without a split.

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"

namespace qs = quickstock;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

// Six daily series with two covariates (promo flag, price): additive weekly season, growing
// with a multiplicative season, intermittent, falling towards zero, short, constant.
qs::Panel mixed_panel() {
  std::vector<std::int64_t> codes;
  std::vector<std::int64_t> ds;
  std::vector<double> y;
  std::vector<double> x;
  std::uint64_t state = 987654321;
  const auto draw = [&state]() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>((state >> 33U) % 1000U) / 1000.0;  // [0, 1)
  };
  const std::vector<std::int64_t> lengths = {120, 150, 90, 60, 10, 40};
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    for (std::int64_t t = 0; t < lengths[i]; ++t) {
      const double promo = draw() < 0.2 ? 1.0 : 0.0;
      const double price = 10.0 + draw();
      const double dow = static_cast<double>(t % 7);
      double v = 0.0;
      switch (i) {
        case 0:
          v = 50.0 + 8.0 * std::sin(0.8975979 * dow) + 4.0 * draw() + 12.0 * promo - 3.0 * price;
          break;
        case 1:
          v = (20.0 + 0.4 * static_cast<double>(t)) * (1.0 + 0.3 * std::cos(0.8975979 * dow)) *
              (0.9 + 0.2 * draw());
          break;
        case 2:
          v = draw() < 0.7 ? 0.0 : std::floor(1.0 + 5.0 * draw());
          break;
        case 3:
          v = std::max(0.0, 60.0 - 1.0 * static_cast<double>(t) + 3.0 * draw());
          break;
        case 4:
          v = 5.0 + std::floor(3.0 * draw());
          break;
        default:
          v = 7.0;
      }
      codes.push_back(static_cast<std::int64_t>(i));
      ds.push_back(qs_test::t2024 + t * qs_test::day);
      y.push_back(v);
      x.push_back(promo);
      x.push_back(price);
    }
  }
  qs::LongInput in;
  in.codes = codes.data();
  in.ds = ds.data();
  in.y = y.data();
  in.n_rows = y.size();
  in.ids = {"additive", "growing", "intermittent", "falling", "short", "constant"};
  in.covariates = x.data();
  in.covariate_names = {"promo", "price"};
  return qs::Panel::from_long(in, qs::Frequency::parse("D"));
}

qs::RowMatrixXd future_x(std::size_t n_series, std::int64_t h) {
  qs::RowMatrixXd x(static_cast<Eigen::Index>(n_series) * h, 2);
  for (Eigen::Index r = 0; r < x.rows(); ++r) {
    x(r, 0) = r % 5 == 0 ? 1.0 : 0.0;
    x(r, 1) = 10.0 + 0.1 * static_cast<double>(r % 7);
  }
  return x;
}

qs::AutoARIMA auto_arima(std::int64_t m) {
  qs::AutoARIMA a;
  a.season_length = m;
  return a;
}

std::vector<qs::Model> every_model() {
  return {qs::Naive{},
          qs::SeasonalNaive{7},
          qs::HistoricAverage{},
          qs::WindowAverage{5},
          qs::SeasonalWindowAverage{7, 2},
          qs::RandomWalkWithDrift{},
          qs::make_ets("AAA", 7, true),
          qs::make_ets("MAM", 7, false),
          qs::make_ets("MMN", 1, true),
          qs::make_ets("MNM", 7, false),
          qs::make_ets("ANM", 7, false),
          qs::AutoETS{7, "ZZZ", std::nullopt},
          qs::Croston{},
          qs::CrostonSBA{},
          qs::TSB{},
          qs::ADIDA{},
          qs::IMAPA{},
          qs::Theta{7},
          qs::OptimizedTheta{7, qs::DecompositionType::additive},
          qs::DynamicTheta{7},
          qs::DynamicOptimizedTheta{7},
          qs::AutoTheta{7},
          qs::make_mstl({7.0}),
          qs::make_mstl({7.0, 14.0}, qs::Theta{1}),
          qs::ETSX{7, "ZZZ", std::nullopt},
          qs::ETSX{1, "AAN", true, false},
          qs::ARIMA{{1, 0, 0}, {0, 0, 0}, 1, true, false},
          qs::ARIMA{{0, 1, 1}, {0, 0, 0}, 1, true, true},
          auto_arima(7)};
}

void check_sums(const qs::PanelContributions& c, const qs::PanelForecast& f) {
  REQUIRE(c.series.size() == f.ids.size());
  CHECK(c.ids == f.ids);
  CHECK(c.first == f.first);
  for (std::size_t i = 0; i < c.series.size(); ++i) {
    INFO("series " << c.ids[i]);
    const qs::Contributions& s = c.series[i];
    REQUIRE(s.values.rows() == static_cast<Eigen::Index>(f.mean.shape()[1]));
    REQUIRE(s.values.cols() == static_cast<Eigen::Index>(s.components.size()));
    for (Eigen::Index j = 0; j < s.values.rows(); ++j) {
      const double sum = s.values.row(j).sum();
      const double mean = f.mean(i, static_cast<std::size_t>(j));
      const double tol = 1e-9 * std::max(1.0, s.values.row(j).cwiseAbs().sum());
      CHECK_THAT(sum, WithinAbs(mean, tol));
    }
  }
}

}  // namespace

TEST_CASE("every model's contributions add up to its forecast mean", "[explain]") {
  const qs::Panel panel = mixed_panel();
  const std::int64_t h = 10;
  const qs::RowMatrixXd x = future_x(panel.n_series(), h);
  for (const qs::Model& spec : every_model()) {
    INFO(qs::to_string(spec));
    const qs::FittedModel fitted(spec, panel, 2);
    for (const bool nonneg : {true, false}) {
      const qs::ForecastOptions opts{h, {0.5}, nonneg};
      const qs::PanelForecast f = fitted.forecast(opts, x, 1);
      const qs::PanelContributions c1 = fitted.contributions(opts, x, 1);
      check_sums(c1, f);
      // Deterministic: bit-identical for 1, 2 and 4 threads.
      const qs::PanelContributions c2 = fitted.contributions(opts, x, 2);
      const qs::PanelContributions c4 = fitted.contributions(opts, x, 4);
      CHECK(c1.series == c2.series);
      CHECK(c1.series == c4.series);
      for (const auto& s : c1.series) {
        REQUIRE_FALSE(s.components.empty());
        if (!nonneg) CHECK(s.components.back() != "zero_floor");
      }
    }
  }
}

TEST_CASE("models without covariates need no x_future to explain", "[explain]") {
  const qs::Panel panel = qs_test::ragged_panel(7);
  const qs::FittedModel fitted(qs::AutoETS{7, "ZZZ", std::nullopt}, panel, 1);
  const qs::ForecastOptions opts{5, {}, true};
  check_sums(fitted.contributions(opts), fitted.forecast(opts));
  // A model with covariates on a panel that has them needs x_future, as forecast does.
  const qs::FittedModel etsx(qs::ETSX{7, "ZZZ", std::nullopt}, mixed_panel(), 1);
  CHECK_THROWS_AS(etsx.contributions(opts), qs::invalid_input);
  CHECK_THROWS_AS(fitted.contributions(qs::ForecastOptions{0, {}, true}), qs::invalid_input);
}

TEST_CASE("ETS splits: additive states exactly, damped trend, Shapley for products",
          "[explain][ets]") {
  qs::ETSFitted f;
  f.error = qs::ErrorType::additive;
  f.trend = qs::TrendType::additive;
  f.season = qs::SeasonType::additive;
  f.damped = true;
  f.season_length = 4;
  f.params = {0.3, 0.1, 0.1, 0.9};
  // l, b, s1..s4 with s1 the most recent season: step j uses s_{m - (j mod m)}.
  f.last_state.resize(6);
  f.last_state << 100.0, 2.0, -1.0, 3.0, -4.0, 2.0;
  f.scale = 2.0;  // states are in units of scale
  const qs::Contributions c = f.contributions({6, {}, false});
  REQUIRE(c.components == std::vector<std::string>{"level", "trend", "season"});
  double phistar = 0.0;
  for (Eigen::Index j = 0; j < 6; ++j) {
    phistar += std::pow(0.9, static_cast<double>(j + 1));
    CHECK(c.values(j, 0) == 200.0);
    CHECK_THAT(c.values(j, 1), WithinRel(2.0 * phistar * 2.0, 1e-14));
    CHECK(c.values(j, 2) == 2.0 * f.last_state[2 + 3 - (j % 4)]);
  }
  const qs::SeriesForecast fc = f.forecast({6, {}, false});
  for (Eigen::Index j = 0; j < 6; ++j) {
    CHECK_THAT(c.values.row(j).sum(), WithinRel(fc.mean[j], 1e-14));
  }

  // ETS(M,N,M): ŷ = l·s; Shapley against level 0, season factor 1:
  // level = (l + l·s)/2, season = l·(s − 1)/2.
  qs::ETSFitted g;
  g.error = qs::ErrorType::multiplicative;
  g.season = qs::SeasonType::multiplicative;
  g.season_length = 2;
  g.params = {0.2, 0.0, 0.1, 1.0};
  g.last_state.resize(3);
  g.last_state << 10.0, 1.2, 0.8;
  const qs::Contributions cg = g.contributions({2, {}, false});
  REQUIRE(cg.components == std::vector<std::string>{"level", "season", "uncertainty"});
  // Step 1 uses s2 = 0.8, step 2 uses s1 = 1.2.
  CHECK_THAT(cg.values(0, 0), WithinRel(0.5 * (10.0 + 8.0), 1e-14));
  CHECK_THAT(cg.values(0, 1), WithinRel(0.5 * 10.0 * (0.8 - 1.0), 1e-14));
  CHECK_THAT(cg.values(1, 0), WithinRel(0.5 * (10.0 + 12.0), 1e-14));
  CHECK_THAT(cg.values(1, 1), WithinRel(0.5 * 10.0 * (1.2 - 1.0), 1e-14));
  const qs::SeriesForecast fg = g.forecast({2, {}, false});
  for (Eigen::Index j = 0; j < 2; ++j) {
    CHECK_THAT(cg.values.row(j).sum(), WithinRel(fg.mean[j], 1e-13));
  }
  // The first step's moment mean is the point forecast: no uncertainty part yet.
  CHECK_THAT(cg.values(0, 2), WithinAbs(0.0, 1e-12));

  // ETS(A,A,M): ŷ = (l + b)·s, three players with baselines 0, 0, 1. By hand:
  // v(L)=l, v(B)=b, v(S)=0, v(LB)=l+b, v(LS)=l·s, v(BS)=b·s, v(LBS)=(l+b)·s.
  qs::ETSFitted k;
  k.trend = qs::TrendType::additive;
  k.season = qs::SeasonType::multiplicative;
  k.season_length = 2;
  k.params = {0.2, 0.1, 0.1, 1.0};
  k.last_state.resize(4);
  k.last_state << 40.0, 5.0, 1.5, 0.5;  // step 1 uses 0.5
  const qs::Contributions ck = k.contributions({1, {}, false});
  const double l = 40.0, b = 5.0, s = 0.5;
  // Direct formula: φ_L = 1/3·[v(L)−0] + 1/6·[v(LB)−v(B)] + 1/6·[v(LS)−v(S)] + 1/3·[v(LBS)−v(BS)].
  const double want_l = l / 3.0 + (l + b - b) / 6.0 + (l * s) / 6.0 + ((l + b) * s - b * s) / 3.0;
  const double want_b = b / 3.0 + (l + b - l) / 6.0 + (b * s) / 6.0 + ((l + b) * s - l * s) / 3.0;
  const double want_s =
      0.0 / 3.0 + (l * s - l) / 6.0 + (b * s - b) / 6.0 + ((l + b) * s - (l + b)) / 3.0;
  CHECK_THAT(ck.values(0, 0), WithinRel(want_l, 1e-14));
  CHECK_THAT(ck.values(0, 1), WithinRel(want_b, 1e-14));
  CHECK_THAT(ck.values(0, 2), WithinRel(want_s, 1e-14));
  CHECK_THAT(ck.values.row(0).sum(), WithinRel((l + b) * s, 1e-14));
}

TEST_CASE("baseline splits: level, season and drift", "[explain][baselines]") {
  const qs::Panel panel = mixed_panel();
  const qs::FittedPanel<qs::SeasonalNaive> sn = qs::fit_panel(qs::SeasonalNaive{7}, panel);
  const qs::ForecastOptions opts{9, {}, true};
  const auto c = sn.contributions(opts, qs::RowMatrixXd(0, 0));
  const auto s0 = panel.series(0);
  const double level = s0.y.tail(7).mean();
  REQUIRE(c.series[0].components == std::vector<std::string>{"level", "season"});
  for (Eigen::Index j = 0; j < 9; ++j) {
    CHECK(c.series[0].values(j, 0) == level);
    CHECK_THAT(c.series[0].values(j, 1), WithinAbs(s0.y[s0.y.size() - 7 + j % 7] - level, 1e-12));
  }
  // A series shorter than the season falls back to Naive: one level component.
  const auto sn12 = qs::fit_panel(qs::SeasonalNaive{12}, panel);
  CHECK(sn12.contributions(opts, qs::RowMatrixXd(0, 0)).series[4].components ==
        std::vector<std::string>{"level"});

  // Drift on the falling series: the trend goes negative and the censored mean stays 0.
  const auto rw = qs::fit_panel(qs::RandomWalkWithDrift{}, panel);
  const auto cr = rw.contributions({80, {}, true}, qs::RowMatrixXd(0, 0));
  const auto& falling = cr.series[3];
  REQUIRE(falling.components == std::vector<std::string>{"level", "trend", "zero_floor"});
  const auto fr = rw.forecast({80, {}, true});
  bool floored = false;
  for (Eigen::Index j = 0; j < 80; ++j) {
    CHECK(falling.values(j, 1) < 0.0);
    CHECK(falling.values(j, 2) >= 0.0);
    if (falling.values(j, 2) > 0.0) {
      floored = true;
      CHECK(fr.mean(3, static_cast<std::size_t>(j)) == 0.0);
      CHECK_THAT(falling.values.row(j).sum(), WithinAbs(0.0, 1e-12));
    }
  }
  CHECK(floored);
}

TEST_CASE("ETSX and ARIMA name their covariate components", "[explain][etsx][arima]") {
  const qs::Panel panel = mixed_panel();
  const std::int64_t h = 4;
  const qs::RowMatrixXd x = future_x(panel.n_series(), h);
  const auto fitted = qs::fit_panel(qs::ETSX{1, "ANN", false, false}, panel);
  const auto c = fitted.contributions({h, {}, false}, x);
  const auto& s0 = c.series[0];
  REQUIRE(s0.components == std::vector<std::string>{"level", "promo", "price"});
  const qs::ETSXFitted& f0 = fitted.fitted()[0];
  CHECK(f0.beta[0] > 5.0);  // the promotion lifts demand by 12
  for (Eigen::Index j = 0; j < h; ++j) {
    CHECK(s0.values(j, 1) == (x(j, 0) - f0.x_mean[0]) * f0.beta[0]);
    CHECK(s0.values(j, 2) == (x(j, 1) - f0.x_mean[1]) * f0.beta[1]);
  }
  const auto arima = qs::fit_panel(qs::ARIMA{{1, 0, 0}, {0, 0, 0}, 1, true, false}, panel);
  const auto ca = arima.contributions({h, {}, false}, x);
  CHECK(ca.series[0].components == std::vector<std::string>{"arima", "mean", "promo", "price"});
  const auto fa = arima.forecast({h, {}, false}, x);
  check_sums(ca, fa);
}

TEST_CASE("MSTL explains the trend forecaster and each period", "[explain][mstl]") {
  const qs::Panel panel = mixed_panel();
  const auto fitted =
      qs::fit_panel(qs::make_mstl({7.0, 14.0}, qs::make_ets("AAN", 1, false)), panel);
  const auto c = fitted.contributions({5, {}, false}, qs::RowMatrixXd(0, 0));
  CHECK(c.series[1].components ==
        std::vector<std::string>{"level", "trend", "season_7", "season_14"});
  check_sums(c, fitted.forecast({5, {}, false}));
}

namespace {

// A model whose fitted type has no split: explained as one component.
struct Flat {
  struct Fitted {
    double v = 0.0;
    std::string fallback;
    [[nodiscard]] qs::SeriesForecast forecast(const qs::ForecastOptions& o) const {
      return {Eigen::VectorXd::Constant(o.h, v),
              Eigen::MatrixXd::Constant(o.h, static_cast<Eigen::Index>(o.quantiles.size()), v)};
    }
  };
  [[nodiscard]] Fitted fit(const qs::SeriesView& s) const { return {s.y.mean(), ""}; }
};
void validate(const Flat& /*spec*/) {}

}  // namespace

TEST_CASE("a fitted type without contributions gives one component", "[explain]") {
  static_assert(!qs::has_contributions_v<Flat::Fitted>);
  static_assert(qs::has_contributions_v<qs::ETSFitted>);
  static_assert(qs::has_covariate_contributions_v<qs::ETSXFitted>);
  static_assert(qs::has_covariate_contributions_v<qs::ARIMAFitted>);
  const qs::Panel panel = qs_test::ragged_panel(3);
  const auto fitted = qs::fit_panel(Flat{}, panel);
  const auto c = fitted.contributions({3, {}, true}, qs::RowMatrixXd(0, 0));
  CHECK(c.series[0].components == std::vector<std::string>{"forecast"});
  check_sums(c, fitted.forecast({3, {}, true}));
}
