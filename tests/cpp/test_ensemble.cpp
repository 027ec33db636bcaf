// Ensemble and Conformal: closed forms (inverse-MSE weights of a linear series, equal and given
// weights as weighted means of the members' forecasts, conformal quantiles as order statistics),
// the model contract, fallbacks on short series, bad specs named, and empirical coverage of
// conformal quantiles on simulated data where the wrapped model's own quantiles are wrong.

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"
#include "model_contract.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
namespace qs = quickstock;

namespace {

qs::SeriesView view(const std::string& name, const std::vector<double>& y) {
  static const qs::RowMatrixXd no_x(0, 0);
  return qs::SeriesView{
      Eigen::Map<const Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size())),
      Eigen::Map<const qs::RowMatrixXd>(no_x.data(), static_cast<Eigen::Index>(y.size()), 0), 0,
      name};
}

template <class F>
std::string field_of(F&& f) {
  try {
    f();
  } catch (const qs::invalid_input& e) {
    return e.field();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("Ensemble cv weights are inverse backtest MSE (closed form on a line)",
          "[models][ensemble]") {
  // y_t = t, t = 0..19. Backtest h = 2, two windows: origins 18 and 16 (training lengths).
  // Naive errors at step j: j. HistoricAverage errors: (o − 1)/2 + j. Scale: max |y| = 19.
  std::vector<double> y(20);
  for (int t = 0; t < 20; ++t) y[static_cast<std::size_t>(t)] = t;
  const std::string id = "line";
  const auto spec =
      qs::make_ensemble({qs::Naive{}, qs::HistoricAverage{}}, qs::EnsembleWeighting::cv, {}, 2, 2);
  const auto f = spec.fit(view(id, y));
  CHECK(f.fallback.empty());
  REQUIRE(f.backtest_mse.rows() == 2);
  REQUIRE(f.backtest_mse.cols() == 2);
  const double s2 = 19.0 * 19.0;
  CHECK_THAT(f.backtest_mse(0, 0), WithinRel(1.0 / s2, 1e-14));
  CHECK_THAT(f.backtest_mse(0, 1), WithinRel(4.0 / s2, 1e-14));
  CHECK_THAT(f.backtest_mse(1, 0), WithinRel((9.5 * 9.5 + 8.5 * 8.5) / 2 / s2, 1e-14));
  CHECK_THAT(f.backtest_mse(1, 1), WithinRel((10.5 * 10.5 + 9.5 * 9.5) / 2 / s2, 1e-14));

  // h = 1 uses step 1 only; h >= 2 both steps.
  const double n1 = 1.0, a1 = (9.5 * 9.5 + 8.5 * 8.5) / 2;
  const auto w1 = f.weights(1);
  CHECK_THAT(w1[0], WithinRel((1 / n1) / (1 / n1 + 1 / a1), 1e-12));
  const double n2 = (1.0 + 4.0) / 2, a2 = (a1 + (10.5 * 10.5 + 9.5 * 9.5) / 2) / 2;
  const auto w2 = f.weights(5);
  CHECK_THAT(w2[0], WithinRel((1 / n2) / (1 / n2 + 1 / a2), 1e-12));
  CHECK_THAT(w2.sum(), WithinRel(1.0, 1e-15));

  // Mean: weights × (Naive 19, HistoricAverage 9.5).
  const auto fc = f.forecast({5, {0.1, 0.5, 0.9}, true});
  for (Eigen::Index j = 0; j < 5; ++j) {
    CHECK_THAT(fc.mean[j], WithinRel(w2[0] * 19.0 + w2[1] * 9.5, 1e-12));
  }
}

TEST_CASE("Ensemble equal and given weights are weighted means of the members' forecasts",
          "[models][ensemble]") {
  const auto panel = qs_test::ragged_panel(9);
  const qs::ForecastOptions opts{10, {0.05, 0.5, 0.95}, true};
  const auto a = qs::FittedModel(qs::Naive{}, panel).forecast(opts);
  const auto b = qs::FittedModel(qs::SeasonalNaive{7}, panel).forecast(opts);
  const auto eq = qs::FittedModel(qs::make_ensemble({qs::Naive{}, qs::SeasonalNaive{7}},
                                                    qs::EnsembleWeighting::equal),
                                  panel)
                      .forecast(opts);
  const auto given = qs::FittedModel(qs::make_ensemble({qs::Naive{}, qs::SeasonalNaive{7}},
                                                       qs::EnsembleWeighting::given, {3.0, 1.0}),
                                     panel)
                         .forecast(opts);
  for (std::size_t i = 0; i < panel.n_series(); ++i) {
    for (std::size_t j = 0; j < 10; ++j) {
      CHECK_THAT(eq.mean(i, j), WithinAbs(0.5 * a.mean(i, j) + 0.5 * b.mean(i, j), 1e-12));
      CHECK_THAT(given.mean(i, j), WithinAbs(0.75 * a.mean(i, j) + 0.25 * b.mean(i, j), 1e-12));
      for (std::size_t q = 0; q < 3; ++q) {
        CHECK_THAT(eq.quantiles(i, j, q),
                   WithinAbs(0.5 * a.quantiles(i, j, q) + 0.5 * b.quantiles(i, j, q), 1e-12));
        CHECK_THAT(given.quantiles(i, j, q),
                   WithinAbs(0.75 * a.quantiles(i, j, q) + 0.25 * b.quantiles(i, j, q), 1e-12));
      }
    }
  }
}

TEST_CASE("Ensemble gives all weight to a member with zero backtest error", "[models][ensemble]") {
  // A purely weekly pattern: SeasonalNaive(7) is exact on every window, Naive is not.
  std::vector<double> y;
  for (int t = 0; t < 70; ++t) y.push_back(static_cast<double>((t % 7) * 3 + 1));
  const std::string id = "weekly";
  const auto spec = qs::make_ensemble({qs::Naive{}, qs::SeasonalNaive{7}, qs::HistoricAverage{}},
                                      qs::EnsembleWeighting::cv, {}, 3, 7);
  const auto f = spec.fit(view(id, y));
  const auto w = f.weights(7);
  CHECK(w[0] == 0.0);
  CHECK(w[1] == 1.0);
  CHECK(w[2] == 0.0);
  const auto fc = f.forecast({7, {0.5}, true});
  for (Eigen::Index j = 0; j < 7; ++j) CHECK(fc.mean[j] == y[static_cast<std::size_t>(63 + j)]);
}

TEST_CASE("Ensemble and Conformal pass the model contract", "[models][ensemble][conformal]") {
  qs_test::check_model_contract(
      qs::make_ensemble({qs::Naive{}, qs::SeasonalNaive{7}, qs::AutoETS{1, "ZZN", std::nullopt}},
                        qs::EnsembleWeighting::cv, {}, 2, 5));
  qs_test::check_model_contract(
      qs::make_ensemble({qs::Naive{}, qs::HistoricAverage{}}, qs::EnsembleWeighting::equal));
  qs_test::check_model_contract(qs::make_conformal(qs::SeasonalNaive{7}, 10, 4, 1));
  qs_test::check_model_contract(
      qs::make_conformal(qs::Naive{}, 5, 3, 2, qs::ConformalMethod::absolute_residual));
}

TEST_CASE("Ensemble and Conformal fall back on short series", "[models][ensemble][conformal]") {
  const std::string id = "short";
  const std::vector<double> five{3, 1, 4, 1, 5};
  const auto ens = qs::make_ensemble({qs::Naive{}, qs::HistoricAverage{}});  // 2 windows of 14
  const auto f5 = ens.fit(view(id, five));
  CHECK(f5.backtest_mse.cols() == 2);  // one window of ⌊5/2⌋ steps
  CHECK(f5.fallback.find("1 window(s) of 2 steps") != std::string::npos);
  const std::vector<double> one{4};
  const auto f1 = ens.fit(view(id, one));
  CHECK(f1.backtest_mse.cols() == 0);
  CHECK(f1.weights(3)[0] == 0.5);
  CHECK(f1.fallback.find("equal weights") != std::string::npos);
  const auto fc = f1.forecast({3, {0.1, 0.9}, true});
  CHECK(fc.mean[0] == 4.0);

  const auto conf = qs::make_conformal(qs::Naive{}, 20, 3, 1);
  const auto c5 = conf.fit(view(id, five));
  CHECK(c5.residuals.rows() == 2);  // origins 2 and 1 (each keeps >= 1 observation)
  CHECK(c5.fallback.find("2 window(s) of 3 steps") != std::string::npos);
  const auto c1 = conf.fit(view(id, one));
  CHECK(c1.residuals.cols() == 0);
  CHECK(c1.fallback.find("own quantiles") != std::string::npos);
  CHECK(c1.forecast({2, {0.1, 0.9}, true}).quantiles ==
        c1.model.forecast({2, {0.1, 0.9}, true}).quantiles);

  std::vector<double> bad{1, 2, std::nan(""), 4};
  CHECK(field_of([&] { (void)ens.fit(view(id, bad)); }) == "y");
  CHECK(field_of([&] { (void)conf.fit(view(id, bad)); }) == "y");
}

TEST_CASE("Bad Ensemble and Conformal specs name the field", "[models][ensemble][conformal]") {
  CHECK(field_of([] { (void)qs::make_ensemble({}); }) == "models");
  CHECK(field_of([] {
          (void)qs::make_ensemble({qs::Naive{}}, qs::EnsembleWeighting::given, {1.0, 2.0});
        }) == "weights");
  CHECK(field_of([] {
          (void)qs::make_ensemble({qs::Naive{}, qs::Naive{}}, qs::EnsembleWeighting::given,
                                  {-1.0, 2.0});
        }) == "weights");
  CHECK(field_of([] {
          (void)qs::make_ensemble({qs::Naive{}}, qs::EnsembleWeighting::given, {0.0});
        }) == "weights");
  CHECK(field_of([] {
          (void)qs::make_ensemble({qs::Naive{}}, qs::EnsembleWeighting::cv, {1.0});
        }) == "weights");
  CHECK(field_of([] {
          (void)qs::make_ensemble({qs::Naive{}}, qs::EnsembleWeighting::cv, {}, 0);
        }) == "n_windows");
  CHECK(field_of([] {
          (void)qs::make_ensemble({qs::Naive{}}, qs::EnsembleWeighting::cv, {}, 2, 0);
        }) == "h");
  CHECK(field_of([] { (void)qs::make_ensemble({qs::ETSX{}}); }) == "models");
  CHECK(field_of([] { (void)qs::make_ensemble({qs::SeasonalNaive{0}}); }) == "season_length");
  CHECK(field_of([] { (void)qs::parse_ensemble_weighting("best"); }) == "weights");
  CHECK(field_of([] { (void)qs::make_conformal(qs::ETSX{}); }) == "model");
  CHECK(field_of([] { (void)qs::make_conformal(qs::Naive{}, 0); }) == "n_windows");
  CHECK(field_of([] { (void)qs::make_conformal(qs::Naive{}, 5, 0); }) == "h");
  CHECK(field_of([] { (void)qs::make_conformal(qs::Naive{}, 5, 3, 0); }) == "step_size");
  CHECK(field_of([] { (void)qs::parse_conformal_method("median"); }) == "method");
  // An ensemble of seasonal models is not a valid MSTL trend forecaster.
  CHECK(field_of([] {
          (void)qs::make_mstl({7}, qs::make_ensemble({qs::Naive{}, qs::SeasonalNaive{7}}));
        }) == "trend_forecaster");
  CHECK_NOTHROW(qs::make_mstl({7}, qs::make_ensemble({qs::Naive{}, qs::HistoricAverage{}})));
  CHECK(qs::to_string(
            qs::Model{qs::make_ensemble({qs::Naive{}, qs::SeasonalNaive{7}},
                                        qs::EnsembleWeighting::given, {0.25, 0.75}, 3, 7)}) ==
        "Ensemble(models=[Naive(), SeasonalNaive(season_length=7)], weights=[0.25, 0.75], "
        "n_windows=3, h=7)");
  CHECK(qs::to_string(qs::Model{qs::make_conformal(qs::Naive{}, 10, 5)}) ==
        "Conformal(model=Naive(), n_windows=10, h=5, step_size=1, method='signed')");
}

TEST_CASE("Conformal quantiles are order statistics of the backtest residuals",
          "[models][conformal]") {
  // Naive on y = 0, 1, 0, 1, ...: residuals of step 1 from origins o (training length) are
  // y_o − y_{o−1} = ±1 alternating.
  std::vector<double> y;
  for (int t = 0; t < 40; ++t) y.push_back(10.0 + static_cast<double>(t % 2));
  const std::string id = "alt";
  const auto f = qs::make_conformal(qs::Naive{}, 9, 2, 1).fit(view(id, y));
  REQUIRE(f.residuals.rows() == 9);
  // Step 1, origins 38..30: y_o − y_{o−1} for o = 38 (even: 10 − 11 = −1), 37 (+1), ...
  // → five −1 and four +1. Step 2: y_{o+1} − y_{o−1} = 0.
  CHECK(f.residuals.col(0).sum() == -1.0);
  CHECK(f.residuals.col(1).cwiseAbs().sum() == 0.0);
  const auto fc = f.forecast({3, {0.1, 0.5, 0.9}, true});
  // n = 9: τ = 0.9 → ⌈9⌉ = 9th smallest (+1); τ = 0.1 → ⌊1⌋ = 1st (−1); τ = 0.5 → 5th (−1).
  const double last = y.back();  // 11
  CHECK(fc.mean[0] == last);
  CHECK(fc.quantiles(0, 2) == last + 1.0);
  CHECK(fc.quantiles(0, 0) == last - 1.0);
  CHECK(fc.quantiles(0, 1) == last - 1.0);
  CHECK(fc.quantiles(1, 0) == last);
  CHECK(fc.quantiles(2, 2) == last);  // step 3 reuses step 2
}

TEST_CASE("Conformal restores coverage where the model's own quantiles are wrong",
          "[models][conformal]") {
  // iid lognormal demand (heavy right tail) around a fixed level: Naive's Normal intervals are
  // symmetric and widen with √h, both wrong here. Hold out the last 4 points of each series.
  std::mt19937_64 rng(20261129);
  std::lognormal_distribution<double> draw(1.5, 0.9);
  const int n_series = 400, n = 120, h = 4;
  std::vector<std::string> ids;
  std::vector<std::int64_t> ds;
  std::vector<double> ys;
  std::vector<std::vector<double>> future(n_series);
  for (int i = 0; i < n_series; ++i) {
    for (int t = 0; t < n + h; ++t) {
      const double v = draw(rng);
      if (t < n) {
        ids.push_back("S" + std::to_string(i));
        ds.push_back(qs_test::t2024 + t * qs_test::day);
        ys.push_back(v);
      } else {
        future[static_cast<std::size_t>(i)].push_back(v);
      }
    }
  }
  const auto panel = qs::Panel::from_long(ids, ds, ys, qs::Frequency::parse("D"));
  const qs::ForecastOptions opts{h, {0.1, 0.9}, true};
  const auto own = qs::FittedModel(qs::Naive{}, panel, 2).forecast(opts, 2);
  const auto conf =
      qs::FittedModel(qs::make_conformal(qs::Naive{}, 60, h, 1), panel, 2).forecast(opts, 2);
  auto coverage = [&](const qs::PanelForecast& fc, std::size_t q, bool below) {
    double hits = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(n_series); ++i) {
      for (std::size_t j = 0; j < static_cast<std::size_t>(h); ++j) {
        const double v = future[i][j];
        hits += below ? (v <= fc.quantiles(i, j, q) ? 1 : 0) : (v >= fc.quantiles(i, j, q) ? 1 : 0);
      }
    }
    return hits / (n_series * h);
  };
  const double own_hi = coverage(own, 1, true);
  const double conf_hi = coverage(conf, 1, true);
  const double conf_lo = coverage(conf, 0, false);
  INFO("Naive p90 coverage " << own_hi << ", Conformal(Naive) p90 " << conf_hi << ", p10 "
                             << conf_lo);
  CHECK(std::abs(own_hi - 0.9) > 0.04);  // the model's own quantile is off
  // 1600 points: binomial standard error 0.0075; conformal is marginally valid (>= 0.9 minus
  // sampling error) and not far above it with 60 windows.
  CHECK(conf_hi > 0.87);
  CHECK(conf_hi < 0.95);
  CHECK(conf_lo > 0.87);
  CHECK(conf_lo < 0.95);
}
