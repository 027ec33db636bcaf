// Carrying fitted models to more data without estimating again (`forward`, the step behind
// cross_validation(refit=False)): against R's forecast 8.20, whose `ets(y, model = fit,
// use.initial.values = TRUE)` and `Arima(y, model = fit)` do the same
// (tests/reference/r_forecast/make_forward.R wrote the reference values), and by properties.
//
// Tolerances:
// - ETS is rebuilt from R's own estimates, so only the recursion and the forecast are compared:
//   1e-9 of the series' scale.
// - ARIMA forwards our own fit of the first n − k observations, which follows R's to 1e-4 of
//   the 95% width (tests/cpp/test_arima.cpp); with differencing R's diffuse prior (variance
//   1e6) differs from exact differencing, hence 3% of the 95% width as in test_arima.cpp.
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"

namespace qs = quickstock;

namespace {

struct Reference {
  std::map<std::string, std::vector<std::string>> series, fits, forecasts;
  Reference() {
    const std::string dir = std::string(QUICKSTOCK_REFERENCE_DIR) + "/r_forecast/";
    series = qs_test::read_csv(dir + "forward_series.csv");
    fits = qs_test::read_csv(dir + "forward_fits.csv");
    forecasts = qs_test::read_csv(dir + "forward_forecasts.csv");
  }
  [[nodiscard]] Eigen::VectorXd y(const std::string& name, std::int64_t& m) const {
    std::vector<double> v;
    for (std::size_t r = 0; r < series.at("series").size(); ++r) {
      if (series.at("series")[r] != name) continue;
      v.push_back(std::stod(series.at("y")[r]));
      m = std::stoll(series.at("m")[r]);
    }
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
  }
  // R's forecast of one case: columns mean, lo95, hi95.
  [[nodiscard]] Eigen::MatrixXd forecast(const std::string& name, const std::string& spec) const {
    std::vector<double> v;
    for (std::size_t r = 0; r < forecasts.at("series").size(); ++r) {
      if (forecasts.at("series")[r] != name || forecasts.at("spec")[r] != spec) continue;
      for (const char* c : {"mean", "lo95", "hi95"}) v.push_back(std::stod(forecasts.at(c)[r]));
    }
    const auto h = static_cast<Eigen::Index>(v.size() / 3);
    return Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor>>(v.data(), h,
                                                                                       3);
  }
};

qs::AutoETS auto_ets(std::int64_t m) {
  qs::AutoETS s;
  s.season_length = m;
  return s;
}

qs::AutoARIMA auto_arima(std::int64_t m) {
  qs::AutoARIMA s;
  s.season_length = m;
  return s;
}

qs::SeriesView view(const Eigen::VectorXd& y, const std::string& id) {
  return qs::SeriesView{Eigen::Map<const Eigen::VectorXd>(y.data(), y.size()),
                        Eigen::Map<const qs::RowMatrixXd>(nullptr, y.size(), 0), 0, id};
}

qs::ETSFitted from_r(const std::string& method, std::int64_t m, const std::vector<double>& base) {
  qs::ETSFitted f;
  f.error = method[0] == 'A' ? qs::ErrorType::additive : qs::ErrorType::multiplicative;
  f.damped = method.find('d') != std::string::npos;
  const char t = method[1];
  const char s = method.back();
  f.trend = t == 'N' ? qs::TrendType::none
                     : (t == 'A' ? qs::TrendType::additive : qs::TrendType::multiplicative);
  f.season = s == 'N' ? qs::SeasonType::none
                      : (s == 'A' ? qs::SeasonType::additive : qs::SeasonType::multiplicative);
  f.season_length = f.season != qs::SeasonType::none ? m : 1;
  f.params.alpha = base[0];
  f.params.beta = std::isnan(base[1]) ? 0.0 : base[1];
  f.params.gamma = std::isnan(base[2]) ? 0.0 : base[2];
  f.params.phi = std::isnan(base[3]) ? 1.0 : base[3];
  f.initial_state = Eigen::Map<const Eigen::VectorXd>(base.data() + 4,
                                                      static_cast<Eigen::Index>(base.size() - 4));
  f.loglik = 0.0;  // estimated (not the fixed-alpha fallback)
  return f;
}

}  // namespace

TEST_CASE("ETS forward equals R's ets(y, model = fit, use.initial.values = TRUE)",
          "[forward][reference]") {
  const Reference ref;
  int checked = 0;
  for (std::size_t r = 0; r < ref.fits.at("series").size(); ++r) {
    if (ref.fits.at("family")[r] != "ets") continue;
    const std::string name = ref.fits.at("series")[r];
    const std::string spec = ref.fits.at("spec")[r];
    INFO(name << " " << spec);
    std::int64_t m = 1;
    const Eigen::VectorXd y = ref.y(name, m);
    const qs::ETSFitted base =
        from_r(ref.fits.at("method")[r], m, qs_test::split_numbers(ref.fits.at("base")[r]));
    const auto fwd = auto_ets(m).forward(base, view(y, name));
    REQUIRE(fwd.has_value());
    CHECK(fwd->n_obs == y.size());
    CHECK_THAT(fwd->sigma2 * fwd->scale * fwd->scale,
               Catch::Matchers::WithinRel(std::stod(ref.fits.at("sigma2")[r]), 1e-9));
    CHECK_THAT(fwd->loglik, Catch::Matchers::WithinRel(std::stod(ref.fits.at("loglik")[r]), 1e-9));
    const Eigen::MatrixXd want = ref.forecast(name, spec);
    const qs::SeriesForecast fc = fwd->forecast({want.rows(), {0.025, 0.975}, false});
    const double tol = 1e-9 * y.cwiseAbs().maxCoeff();
    for (Eigen::Index j = 0; j < want.rows(); ++j) {
      INFO("step " << j + 1);
      CHECK_THAT(fc.mean[j], Catch::Matchers::WithinAbs(want(j, 0), tol));
      // R's class-1 variance of ETS(A,N,A) takes the seasonal term one step early at steps
      // that are multiples of m (documented in docs/ets.md and tests/cpp/test_ets.cpp); we
      // follow Hyndman et al. (2008, Table 6.1).
      if (fwd->trend == qs::TrendType::none && fwd->season == qs::SeasonType::additive &&
          (j + 1) % m == 0) {
        continue;
      }
      CHECK_THAT(fc.quantiles(j, 0), Catch::Matchers::WithinAbs(want(j, 1), tol));
      CHECK_THAT(fc.quantiles(j, 1), Catch::Matchers::WithinAbs(want(j, 2), tol));
    }
    ++checked;
  }
  CHECK(checked == 9);
}

TEST_CASE("ARIMA forward equals R's Arima(y, model = fit)", "[forward][reference]") {
  const Reference ref;
  int checked = 0;
  for (std::size_t r = 0; r < ref.fits.at("series").size(); ++r) {
    if (ref.fits.at("family")[r] != "arima") continue;
    const std::string name = ref.fits.at("series")[r];
    const std::string spec_name = ref.fits.at("spec")[r];
    INFO(name << " " << spec_name);
    std::int64_t m = 1;
    const Eigen::VectorXd y = ref.y(name, m);
    const auto k = static_cast<Eigen::Index>(std::stoll(ref.fits.at("k")[r]));
    const std::vector<double> o = qs_test::split_numbers(ref.fits.at("method")[r]);
    qs::ARIMA spec;
    spec.order = {static_cast<std::int64_t>(o[0]), static_cast<std::int64_t>(o[1]),
                  static_cast<std::int64_t>(o[2])};
    spec.seasonal_order = {static_cast<std::int64_t>(o[3]), static_cast<std::int64_t>(o[4]),
                           static_cast<std::int64_t>(o[5])};
    spec.season_length = m;
    spec.include_mean = o[6] != 0.0;
    spec.include_drift = o[7] != 0.0;
    const Eigen::VectorXd head = y.head(y.size() - k);
    const qs::ARIMAFitted base = spec.fit(view(head, name));
    REQUIRE(base.fallback.empty());
    const std::vector<double> coef = qs_test::split_numbers(ref.fits.at("base")[r]);
    REQUIRE(base.coef.size() == static_cast<Eigen::Index>(coef.size()));
    const bool differenced = spec.order.d + spec.seasonal_order.d > 0;
    for (std::size_t c = 0; c < coef.size(); ++c) {
      CHECK_THAT(base.coef[static_cast<Eigen::Index>(c)],
                 Catch::Matchers::WithinAbs(coef[c], differenced ? 2e-2 : 1e-4));
    }
    const auto fwd = spec.forward(base, view(y, name));
    REQUIRE(fwd.has_value());
    CHECK(fwd->n_obs == y.size());
    CHECK(fwd->sigma2 == base.sigma2);  // R keeps σ² of the estimation
    const Eigen::MatrixXd want = ref.forecast(name, spec_name);
    const qs::SeriesForecast fc = fwd->forecast({want.rows(), {0.025, 0.975}, false});
    for (Eigen::Index j = 0; j < want.rows(); ++j) {
      const double width = want(j, 2) - want(j, 1);
      const double tol = (differenced ? 3e-2 : 1e-4) * width;
      CHECK_THAT(fc.mean[j], Catch::Matchers::WithinAbs(want(j, 0), tol));
      CHECK_THAT(fc.quantiles(j, 0), Catch::Matchers::WithinAbs(want(j, 1), tol));
      CHECK_THAT(fc.quantiles(j, 1), Catch::Matchers::WithinAbs(want(j, 2), tol));
    }
    ++checked;
  }
  CHECK(checked == 7);
}

TEST_CASE("forward to the data of the fit reproduces the fit's forecast", "[forward]") {
  const qs::Panel panel = qs_test::ragged_panel(12, 60);
  const qs::ForecastOptions opts{14, {0.1, 0.5, 0.9}, true};
  for (const qs::Model& spec :
       std::vector<qs::Model>{auto_ets(7), qs::make_ets("AAN", 1, true),
                              qs::ARIMA{{1, 0, 1}, {0, 1, 1}, 7}, auto_arima(7)}) {
    INFO(qs::to_string(spec));
    const qs::FittedModel fitted(spec, panel, 2);
    const qs::FittedModel again = fitted.forward(panel, 2);
    const qs::PanelForecast a = fitted.forecast(opts);
    const qs::PanelForecast b = again.forecast(opts);
    for (std::size_t i = 0; i < a.mean.shape(0); ++i) {
      for (std::size_t j = 0; j < a.mean.shape(1); ++j) {
        CHECK_THAT(b.mean(i, j),
                   Catch::Matchers::WithinAbs(a.mean(i, j), 1e-9 * (1.0 + std::abs(a.mean(i, j)))));
      }
    }
  }
}

TEST_CASE("forward keeps the estimates and moves the states to the new data", "[forward]") {
  const qs::Panel full = qs_test::ragged_panel(9, 80);
  const qs::Panel head = full.drop_last(std::vector<std::int64_t>(full.n_series(), 14), 1);
  const qs::AutoETS spec = auto_ets(7);
  const qs::FittedPanel<qs::AutoETS> fitted = qs::fit_panel(spec, head, 1);
  const qs::FittedPanel<qs::AutoETS> carried = fitted.forward(full, 1);
  const qs::FittedPanel<qs::AutoETS> refitted = qs::fit_panel(spec, full, 1);
  int differ = 0;
  for (std::size_t i = 0; i < full.n_series(); ++i) {
    const qs::ETSFitted& a = fitted.fitted()[i];
    const qs::ETSFitted& b = carried.fitted()[i];
    if (!a.fallback.empty()) continue;
    CHECK(b.method() == a.method());
    CHECK(b.params == a.params);
    CHECK(b.initial_state == a.initial_state);
    CHECK(b.n_obs == a.n_obs + 14);
    CHECK(b.last_state != a.last_state);
    differ += refitted.fitted()[i].params == b.params ? 0 : 1;
  }
  CHECK(differ > 0);  // a refit estimates anew: not what forward does
  // The forecasts start after the new data.
  const qs::PanelForecast fc = carried.forecast({3, {0.5}, true});
  for (std::size_t i = 0; i < full.n_series(); ++i) CHECK(fc.first[i] == full.end(i) + 1);
}

TEST_CASE("forward of models without estimates equals a refit; thread count does not matter",
          "[forward]") {
  const qs::Panel full = qs_test::ragged_panel(15, 50);
  const qs::Panel head = full.drop_last(std::vector<std::int64_t>(full.n_series(), 10), 1);
  const qs::ForecastOptions opts{7, {0.1, 0.9}, true};
  for (const qs::Model& spec :
       std::vector<qs::Model>{qs::Naive{}, qs::SeasonalNaive{7}, qs::Croston{}, qs::make_mstl({7}),
                              qs::make_ensemble({qs::SeasonalNaive{7}, auto_ets(1)},
                                                qs::EnsembleWeighting::cv, {}, 2, 7),
                              qs::make_conformal(auto_ets(7), 5, 7)}) {
    INFO(qs::to_string(spec));
    const qs::FittedModel fitted(spec, head, 1);
    const qs::PanelForecast one = fitted.forward(full, 1).forecast(opts);
    const qs::PanelForecast three = fitted.forward(full, 3).forecast(opts);
    CHECK(one.mean == three.mean);
    CHECK(one.quantiles == three.quantiles);
    if (std::holds_alternative<qs::Naive>(spec) ||
        std::holds_alternative<qs::SeasonalNaive>(spec) ||
        std::holds_alternative<qs::Croston>(spec)) {
      const qs::PanelForecast refit = qs::FittedModel(spec, full, 1).forecast(opts);
      CHECK(one.mean == refit.mean);
      CHECK(one.quantiles == refit.quantiles);
    }
  }
}

TEST_CASE("composite models carry their parts forward", "[forward]") {
  const qs::Panel full = qs_test::ragged_panel(6, 70);
  const qs::Panel head = full.drop_last(std::vector<std::int64_t>(full.n_series(), 7), 1);
  const qs::Conformal conformal = qs::make_conformal(auto_ets(7), 6, 7);
  const auto fitted = qs::fit_panel(conformal, head, 1);
  const auto carried = fitted.forward(full, 1);
  for (std::size_t i = 0; i < full.n_series(); ++i) {
    const qs::ConformalFitted& a = fitted.fitted()[i];
    const qs::ConformalFitted& b = carried.fitted()[i];
    CHECK(b.residuals == a.residuals);  // calibration kept
    const qs::ETSFitted* inner_a = a.model.get<qs::ETSFitted>();
    const qs::ETSFitted* inner_b = b.model.get<qs::ETSFitted>();
    REQUIRE(inner_a != nullptr);
    REQUIRE(inner_b != nullptr);
    const auto direct = auto_ets(7).forward(*inner_a, full.series(i));
    if (direct) {
      CHECK(*inner_b == *direct);
    } else {
      CHECK(*inner_b == auto_ets(7).fit(full.series(i)));
    }
  }
  const qs::Ensemble ensemble =
      qs::make_ensemble({auto_ets(7), qs::Naive{}}, qs::EnsembleWeighting::cv, {}, 2, 7);
  const auto efit = qs::fit_panel(ensemble, head, 1);
  const auto ecarried = efit.forward(full, 1);
  for (std::size_t i = 0; i < full.n_series(); ++i) {
    CHECK(ecarried.fitted()[i].backtest_mse == efit.fitted()[i].backtest_mse);
    CHECK(ecarried.fitted()[i].weights(7) == efit.fitted()[i].weights(7));
  }
}

TEST_CASE("forward refuses another panel", "[forward]") {
  const qs::Panel panel = qs_test::ragged_panel(4, 30);
  const qs::Panel other = qs_test::ragged_panel(5, 30);
  const qs::FittedModel fitted(qs::Model{auto_ets(7)}, panel, 1);
  try {
    (void)fitted.forward(other, 1);
    FAIL("expected invalid_input");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "unique_id");
    CHECK(std::string(e.what()).find("4 series") != std::string::npos);
  }
}

TEST_CASE("Conformal(refit = false) calibrates on fits carried forward from the oldest origin",
          "[forward][conformal]") {
  const qs::Panel panel = qs_test::ragged_panel(5, 60);
  const std::int64_t windows = 6, h = 4, step = 2;
  const qs::Model inner = auto_ets(7);
  const qs::Conformal carried =
      qs::make_conformal(inner, windows, h, step, qs::ConformalMethod::signed_residual, false);
  const qs::Conformal fitted = qs::make_conformal(inner, windows, h, step);
  CHECK_FALSE(carried == fitted);
  CHECK(qs::to_string(qs::Model{carried}).find("refit=False") != std::string::npos);
  CHECK(qs::to_string(qs::Model{fitted}).find("refit") == std::string::npos);
  int differ = 0;
  for (std::size_t i = 0; i < panel.n_series(); ++i) {
    const qs::SeriesView s = panel.series(i);
    const qs::ConformalFitted f = carried.fit(s);
    REQUIRE(f.residuals.rows() == windows);
    // The same residuals by hand: fit at the oldest origin, carry to every origin.
    const Eigen::Index n = s.y.size();
    const auto head = [&](Eigen::Index k) {
      return qs::SeriesView{Eigen::Map<const Eigen::VectorXd>(s.y.data(), k),
                            Eigen::Map<const qs::RowMatrixXd>(s.x.data(), k, s.x.cols()), s.start,
                            s.id};
    };
    const qs::AutoETS spec = std::get<qs::AutoETS>(inner);
    const qs::ETSFitted oldest = spec.fit(head(n - h - (windows - 1) * step));
    Eigen::MatrixXd want(windows, h);
    for (Eigen::Index w = 0; w < windows; ++w) {
      const Eigen::Index origin = n - h - w * step;
      const qs::ETSFitted g = qs::forward_or_refit(spec, oldest, head(origin));
      const Eigen::VectorXd mean = g.forecast({h, {}, true}).mean;
      want.row(w) = (s.y.segment(origin, h) - mean).transpose();
    }
    for (Eigen::Index j = 0; j < h; ++j) {
      std::sort(want.col(j).data(), want.col(j).data() + windows);
    }
    CHECK(f.residuals == want);
    differ += f.residuals == fitted.fit(s).residuals ? 0 : 1;
    // The model on the full series is a fit either way.
    CHECK(*f.model.get<qs::ETSFitted>() == spec.fit(s));
  }
  CHECK(differ > 0);
  // Without estimates, carrying forward changes nothing.
  const qs::Conformal naive_carried = qs::make_conformal(
      qs::Naive{}, windows, h, step, qs::ConformalMethod::signed_residual, false);
  const qs::Conformal naive_fitted = qs::make_conformal(qs::Naive{}, windows, h, step);
  for (std::size_t i = 0; i < panel.n_series(); ++i) {
    CHECK(naive_carried.fit(panel.series(i)).residuals ==
          naive_fitted.fit(panel.series(i)).residuals);
  }
}
