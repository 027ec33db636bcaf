// Intermittent models: Croston against R's forecast::croston (tests/reference/r_forecast/
// make_croston.R wrote the values: R 4.2.2, forecast 8.20; tolerance 1e-12 relative, since R
// prints 17 digits and both sides run the same recursions in double precision), SBA as R's
// Croston times 1 - alpha/2, closed-form TSB/ADIDA/IMAPA cases, the compound quantiles against
// a brute-force sum of the probability mass function, and the degenerate-series fallbacks.

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"
#include "model_contract.hpp"

namespace qs = quickstock;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

// Fits `spec` to one series given as values.
template <class Spec>
qs::IntermittentFitted fit_one(const Spec& spec, const std::vector<double>& y) {
  const Eigen::Map<const Eigen::VectorXd> v(y.data(), static_cast<Eigen::Index>(y.size()));
  const Eigen::Map<const qs::RowMatrixXd> x(nullptr, static_cast<Eigen::Index>(y.size()), 0);
  static const std::string id = "s";
  return spec.fit(qs::SeriesView{v, x, 0, id});
}

// P(D <= k) of the compound by summing the pmf of the shifted negative binomial directly.
double compound_cdf_nb(double p, double size_mean, double dispersion, int k) {
  if (k < 0) return 0.0;
  const double m = size_mean - 1.0;
  const double r = m / (dispersion - 1.0);
  const double prob = 1.0 / dispersion;
  double pmf = std::pow(prob, r);  // P(S - 1 = 0)
  double cdf = 0.0;
  for (int j = 0; j <= k - 1; ++j) {  // S - 1 = j  <=>  D = j + 1 <= k
    cdf += pmf;
    pmf *= (j + r) / (j + 1.0) * (1.0 - prob);
  }
  return 1.0 - p + p * cdf;
}

}  // namespace

TEST_CASE("Croston equals R forecast::croston; SBA is R's value times 1 - alpha/2",
          "[models][intermittent][reference]") {
  const std::string dir = std::string(QUICKSTOCK_REFERENCE_DIR) + "/r_forecast/";
  const auto series = qs_test::read_csv(dir + "croston_series.csv");
  const auto ref = qs_test::read_csv(dir + "croston.csv");
  std::map<std::string, std::vector<double>> values;
  for (std::size_t r = 0; r < series.at("series").size(); ++r) {
    values[series.at("series")[r]].push_back(std::stod(series.at("y")[r]));
  }
  REQUIRE(ref.at("series").size() == 24);
  for (std::size_t r = 0; r < ref.at("series").size(); ++r) {
    const std::string name = ref.at("series")[r];
    const double alpha = std::stod(ref.at("alpha")[r]);
    const double want = std::stod(ref.at("mean")[r]);
    INFO(name << " alpha " << alpha);
    const auto c = fit_one(qs::Croston{alpha, {}}, values.at(name));
    CHECK_THAT(c.mean, WithinRel(want, 1e-12));
    const auto sba = fit_one(qs::CrostonSBA{alpha, {}}, values.at(name));
    CHECK_THAT(sba.mean, WithinRel(want * (1.0 - alpha / 2.0), 1e-12));
    // The compound's mean is the point forecast.
    CHECK_THAT(c.p * c.size_mean, WithinRel(c.mean, 1e-12));
    CHECK_THAT(sba.p * sba.size_mean, WithinRel(sba.mean, 1e-12));
  }
}

TEST_CASE("TSB, ADIDA and IMAPA closed forms", "[models][intermittent]") {
  SECTION("TSB with alpha_p = alpha_d = 1 is the last indicator times the last size") {
    const auto f = fit_one(qs::TSB{1.0, 1.0, {}}, {0, 3, 0, 5, 2});
    CHECK(f.mean == 2.0);
    CHECK(f.p == 1.0);
    const auto g = fit_one(qs::TSB{1.0, 1.0, {}}, {0, 3, 0, 5, 0});
    CHECK(g.mean == 0.0);
  }
  SECTION("TSB by hand: p starts at y[0] > 0, z at the first size") {
    // p: 1 -> 1 + 0.5(0 - 1) = 0.5 -> 0.5 + 0.5(1 - 0.5) = 0.75; z: 4 -> 4 + 0.2(6 - 4) = 4.4.
    const auto f = fit_one(qs::TSB{0.2, 0.5, {}}, {4, 0, 6});
    CHECK_THAT(f.p, WithinRel(0.75, 1e-15));
    CHECK_THAT(f.size_mean, WithinRel(4.4, 1e-15));
    CHECK_THAT(f.mean, WithinRel(0.75 * 4.4, 1e-15));
  }
  SECTION("ADIDA at a regular interval sees a constant aggregate") {
    // Demand 6 every third day: k = 3, every bucket (aligned to the end) sums to 6.
    std::vector<double> y;
    for (int i = 0; i < 30; ++i) y.push_back(i % 3 == 2 ? 6.0 : 0.0);
    const auto f = fit_one(qs::ADIDA{}, y);
    CHECK(f.aggregation == 3);
    CHECK_THAT(f.mean, WithinRel(2.0, 1e-14));
    CHECK_THAT(f.p, WithinRel(1.0 / 3.0, 1e-14));
    // IMAPA averages levels 1..3; on a constant series every level gives the constant.
    const auto g = fit_one(qs::IMAPA{}, std::vector<double>(40, 3.0));
    CHECK(g.aggregation == 1);
    CHECK(g.mean == 3.0);
  }
  SECTION("ADIDA buckets end at the last observation; older leftovers are dropped") {
    // Intervals 1, 1, 2, 3 -> k = round(1.75) = 2; n = 7: buckets (y1+y2, y3+y4, y5+y6) =
    // (1, 5, 5), y0 dropped. SES errors 4 and 4(1 - alpha): least squares at the bound 0.3,
    // final level 1 + 4a + a(4 - 4a) = 3.04, per step 1.52.
    const auto f = fit_one(qs::ADIDA{}, {9, 1, 0, 5, 0, 0, 5});
    CHECK(f.aggregation == 2);
    CHECK_THAT(f.mean, WithinRel(1.52, 1e-5));
  }
}

TEST_CASE("Intermittent quantiles are the compound distribution's", "[models][intermittent]") {
  qs::IntermittentFitted f;
  f.p = 0.3;
  f.size_mean = 4.0;
  f.mean = 1.2;
  f.family = qs::SizeFamily::negative_binomial;
  f.size_dispersion = 2.5;
  f.integer = true;
  // Integer quantile: the smallest k with P(D <= k) >= tau.
  for (const double tau : {0.05, 0.5, 0.7, 0.71, 0.75, 0.9, 0.975, 0.995}) {
    INFO("tau " << tau);
    const double q = f.quantile(tau);
    CHECK(q == std::floor(q));
    const int k = static_cast<int>(q);
    CHECK(compound_cdf_nb(f.p, f.size_mean, f.size_dispersion, k) >= tau - 1e-12);
    CHECK(compound_cdf_nb(f.p, f.size_mean, f.size_dispersion, k - 1) < tau);
  }
  CHECK(f.quantile(0.7) == 0.0);  // P(D = 0) = 0.7
  // Continuous output lies in (k - 1, k] of the integer one and is increasing.
  qs::IntermittentFitted c = f;
  c.integer = false;
  double prev = 0.0;
  for (const double tau : {0.71, 0.75, 0.8, 0.9, 0.95, 0.99}) {
    const double qi = f.quantile(tau);
    const double qc = c.quantile(tau);
    CHECK(qc > qi - 1.0);
    CHECK(qc <= qi);
    CHECK(qc > prev);
    prev = qc;
  }
  // Poisson sizes: P(D <= 1) = 1 - p + p e^{-m}.
  qs::IntermittentFitted po = f;
  po.family = qs::SizeFamily::poisson;
  po.size_dispersion = 1.0;
  const double cdf1 = 1.0 - po.p + po.p * std::exp(-(po.size_mean - 1.0));
  CHECK(po.quantile(cdf1 - 1e-9) == 1.0);
  CHECK(po.quantile(cdf1 + 1e-9) == 2.0);
}

TEST_CASE("Intermittent degenerate series use documented fallbacks", "[models][intermittent]") {
  const qs::ForecastOptions opts{4, {0.005, 0.1, 0.5, 0.9, 0.995}, true};
  const auto check_finite = [&](const qs::IntermittentFitted& f) {
    const auto fc = f.forecast(opts);
    CHECK(fc.mean.allFinite());
    CHECK(fc.quantiles.allFinite());
    CHECK(fc.quantiles.minCoeff() >= 0.0);
  };
  const std::vector<std::vector<double>> cases{
      {0, 0, 0, 0}, {0}, {7}, {0, 0, 3, 0}, {5, 5, 5, 5, 5}, {0, 0, 0, 1e12}, {0.5, 0, 0.25}};
  for (const auto& y : cases) {
    INFO("series of length " << y.size() << " starting " << y[0]);
    check_finite(fit_one(qs::Croston{}, y));
    check_finite(fit_one(qs::CrostonSBA{}, y));
    check_finite(fit_one(qs::TSB{0.1, 0.1, {}}, y));
    check_finite(fit_one(qs::ADIDA{}, y));
    check_finite(fit_one(qs::IMAPA{}, y));
  }
  const auto zero = fit_one(qs::Croston{}, {0, 0, 0});
  CHECK(zero.fallback == "all zero: forecast 0");
  CHECK(zero.forecast(opts).quantiles.maxCoeff() == 0.0);
  const auto one = fit_one(qs::Croston{}, {0, 0, 3, 0});
  CHECK(one.mean == 1.0);  // R: the size over its position
  CHECK(one.fallback == "fewer than two demands: Poisson sizes");
  const auto constant = fit_one(qs::Croston{}, {5, 5, 5, 5, 5});
  CHECK(constant.family == qs::SizeFamily::degenerate);
  const auto cq = constant.forecast(opts).quantiles;
  CHECK(cq.minCoeff() == 5.0);
  CHECK(cq.maxCoeff() == 5.0);
}

TEST_CASE("Intermittent integer flag", "[models][intermittent]") {
  const std::vector<double> kg{0, 1.5, 0, 0, 2.25, 0.75, 0, 3.5, 0, 1.0, 0, 2.0};
  const auto cont = fit_one(qs::Croston{}, kg);
  CHECK(cont.family == qs::SizeFamily::gamma);
  CHECK_FALSE(cont.integer);
  const auto ints = fit_one(qs::Croston{0.1, true}, kg);
  CHECK(ints.integer);
  for (const double tau : {0.6, 0.8, 0.95}) {
    const double q = ints.quantile(tau);
    CHECK(q == std::floor(q));
    CHECK(q == std::ceil(cont.quantile(tau)));
  }
  const std::vector<double> counts{0, 2, 0, 0, 5, 1, 0, 3, 0, 1, 0, 2};
  const auto a = fit_one(qs::Croston{}, counts);
  CHECK(a.integer);
  const auto b = fit_one(qs::Croston{0.1, false}, counts);
  CHECK_FALSE(b.integer);
  CHECK(b.quantile(0.9) != std::floor(b.quantile(0.9)));
}

TEST_CASE("Intermittent spec validation names the field", "[models][intermittent]") {
  try {
    qs::validate(qs::Croston{0.0, {}});
    FAIL("alpha 0 accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "alpha");
  }
  try {
    qs::validate(qs::TSB{0.1, 1.5, {}});
    FAIL("alpha_p 1.5 accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "alpha_p");
  }
  CHECK(qs::to_string(qs::Model{qs::TSB{0.1, 0.2, true}}) ==
        "TSB(alpha_d=0.1, alpha_p=0.2, integer=True)");
}

TEST_CASE("Intermittent models pass the model contract", "[models][intermittent][contract]") {
  qs_test::check_model_contract(qs::Croston{});
  qs_test::check_model_contract(qs::CrostonSBA{});
  qs_test::check_model_contract(qs::TSB{0.1, 0.2, {}});
  qs_test::check_model_contract(qs::ADIDA{});
  qs_test::check_model_contract(qs::IMAPA{false});
}

namespace {

// Fits `spec` to values `y` with stockout flags `flag` as covariate column 0.
template <class Spec>
qs::IntermittentFitted fit_flagged(const Spec& spec,
                                   const std::vector<double>& y,
                                   const std::vector<double>& flag) {
  const Eigen::Map<const Eigen::VectorXd> v(y.data(), static_cast<Eigen::Index>(y.size()));
  const Eigen::Map<const qs::RowMatrixXd> x(flag.data(), static_cast<Eigen::Index>(flag.size()), 1);
  static const std::string id = "s";
  return spec.fit(qs::SeriesView{v, x, 0, id});
}

}  // namespace

TEST_CASE("Censored intermittent fits: hand-computed Kaplan-Meier case",
          "[models][intermittent][censor]") {
  // Day 2 is a stockout with no sale (skipped); day 4 is a stockout with sale 3 (S >= 3).
  // Exact sizes 2, 4, 5 and one size censored at 3: Kaplan-Meier masses 1/4 at 2, 3/8 at 4 and
  // 3/8 at 5, so E[S | S >= 3] = 4.5. Informative clock: days 0 1 3 4 5 6 7 -> demands at
  // clocks 2, 3, 4, 7 with sizes 2, 4, 4.5, 5 and intervals 2, 1, 1, 3.
  const std::vector<double> y{0, 2, 0, 4, 3, 0, 0, 5};
  const std::vector<double> flag{0, 0, 1, 0, 1, 0, 0, 0};
  const double z = 2.0 + 0.1 * (4.0 - 2.0);
  const double z2 = z + 0.1 * (4.5 - z);
  const double z3 = z2 + 0.1 * (5.0 - z2);
  const double x = 2.0 + 0.1 * (1.0 - 2.0);
  const double x2 = x + 0.1 * (1.0 - x);
  const double x3 = x2 + 0.1 * (3.0 - x2);
  const auto c = fit_flagged(qs::Croston{0.1, {}, 0}, y, flag);
  CHECK_THAT(c.mean, WithinRel(z3 / x3, 1e-12));
  CHECK_THAT(c.p, WithinRel(1.0 / x3, 1e-12));
  CHECK_THAT(c.size_mean, WithinRel(z3, 1e-12));
  CHECK(c.n_demands == 4);
  CHECK(c.n_censored == 1);
  // Kaplan-Meier variance 1.359375 x 4/3 = 1.8125 over a mean of 3.875: d = 0.63 < 1.
  CHECK(c.family == qs::SizeFamily::poisson);
  const auto sba = fit_flagged(qs::CrostonSBA{0.1, {}, 0}, y, flag);
  CHECK_THAT(sba.mean, WithinRel(0.95 * z3 / x3, 1e-12));
  // TSB with alpha_p = 0.5: indicators 0 1 1 1 0 0 1 on the informative days.
  double p = 0.0;
  for (double d : {1.0, 1.0, 1.0, 0.0, 0.0, 1.0}) p += 0.5 * (d - p);
  const auto t = fit_flagged(qs::TSB{0.1, 0.5, {}, 0}, y, flag);
  CHECK_THAT(t.p, WithinRel(p, 1e-12));
  CHECK_THAT(t.mean, WithinRel(p * z3, 1e-12));
  // Treated as exact (no censor column), the stockout days change the fit.
  CHECK(fit_flagged(qs::Croston{}, y, flag).mean != c.mean);
}

TEST_CASE("Censored intermittent fits: unchanged without stockouts, fallbacks, validation",
          "[models][intermittent][censor]") {
  const std::vector<double> y{0, 0, 3, 0, 1, 0, 0, 4, 0, 2, 0, 0, 0, 5, 1};
  const std::vector<double> none(y.size(), 0.0);
  CHECK(fit_flagged(qs::Croston{0.1, {}, 0}, y, none) == fit_flagged(qs::Croston{}, y, none));
  CHECK(fit_flagged(qs::CrostonSBA{0.2, {}, 0}, y, none) ==
        fit_flagged(qs::CrostonSBA{0.2, {}}, y, none));
  CHECK(fit_flagged(qs::TSB{0.1, 0.3, {}, 0}, y, none) ==
        fit_flagged(qs::TSB{0.1, 0.3, {}}, y, none));
  // Every day a stockout without a sale: nothing is known, forecast 0.
  const std::vector<double> zeros(6, 0.0);
  const std::vector<double> all(6, 1.0);
  const auto z = fit_flagged(qs::Croston{0.1, {}, 0}, zeros, all);
  CHECK(z.mean == 0.0);
  CHECK(z.quantile(0.99) == 0.0);
  CHECK(z.fallback == "all zero: forecast 0");
  // Every demand censored: sizes at their lower bounds, noted.
  const std::vector<double> some{0, 2, 0, 3, 0, 0, 4};
  const std::vector<double> at_demands{0, 1, 0, 1, 0, 0, 1};
  const auto b = fit_flagged(qs::TSB{0.1, 0.1, {}, 0}, some, at_demands);
  CHECK(b.n_censored == 3);
  CHECK(b.fallback.find("every demand size censored") != std::string::npos);
  CHECK(std::isfinite(b.mean));
  CHECK(b.mean > 0.0);
  // A censor column that the panel does not have, and a bad code.
  try {
    (void)fit_flagged(qs::Croston{0.1, {}, 3}, y, none);
    FAIL("censor column 3 accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "censor_column");
  }
  try {
    qs::validate(qs::TSB{0.1, 0.1, {}, -2});
    FAIL("censor column -2 accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "censor_column");
  }
  CHECK(qs::to_string(qs::Model{qs::Croston{0.1, {}, 2}}) ==
        "Croston(alpha=0.1, integer=None, censor_column=2)");
}

TEST_CASE("Censored intermittent fits recover simulated demand that naive fits miss",
          "[models][intermittent][censor]") {
  // Demand: occurs with probability 0.3, size 1 + Poisson(3) (mean 4), so 1.2 a day. On 40% of
  // days the shelf holds floor(U * 6) units and sales are capped there; the day is flagged when
  // the shelf ran empty (demand >= stock: sales = stock), as a store records it.
  std::mt19937_64 rng(20261130);
  std::bernoulli_distribution occurs(0.3);
  std::poisson_distribution<int> extra(3.0);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  const std::size_t n = 20000;
  std::vector<double> demand(n);
  std::vector<double> sales(n);
  std::vector<double> zeroed(n);
  std::vector<double> flag(n, 0.0);
  for (std::size_t t = 0; t < n; ++t) {
    demand[t] = occurs(rng) ? 1.0 + extra(rng) : 0.0;
    sales[t] = demand[t];
    zeroed[t] = demand[t];
    if (unif(rng) < 0.4) {
      const double stock = std::floor(unif(rng) * 6.0);
      if (demand[t] >= stock) {
        sales[t] = stock;
        zeroed[t] = 0.0;
        flag[t] = 1.0;
      }
    }
  }
  const std::vector<double> none(n, 0.0);
  // Small smoothing constants so that the final smoothed values are close to the long-run
  // ones; the oracle is the same model on the true demand (the best any treatment can do).
  const auto cens = fit_flagged(qs::Croston{0.003, {}, 0}, sales, flag);
  const auto oracle = fit_flagged(qs::Croston{0.003, {}}, demand, none);
  const auto exact = fit_flagged(qs::Croston{0.003, {}}, sales, none);
  const auto zero = fit_flagged(qs::Croston{0.003, {}}, zeroed, none);
  CHECK(cens.n_censored > 1000);
  CHECK_THAT(cens.mean, WithinRel(oracle.mean, 0.05));
  CHECK_THAT(cens.mean, WithinRel(1.2, 0.1));
  CHECK_THAT(cens.size_mean, WithinRel(4.0, 0.06));
  CHECK_THAT(cens.p, WithinRel(oracle.p, 0.05));
  const double err = std::abs(cens.mean - oracle.mean);
  CHECK(err < 0.05 * oracle.mean);
  CHECK(exact.mean < oracle.mean - std::max(3.0 * err, 0.15));  // capped sales: biased low
  CHECK(zero.mean < oracle.mean - std::max(3.0 * err, 0.25));   // lost sales as zeros: lower
  const qs::TSB tsb_spec{0.003, 0.002, {}, 0};
  const auto tsb = fit_flagged(tsb_spec, sales, flag);
  const auto tsb_oracle = fit_flagged(qs::TSB{0.003, 0.002, {}}, demand, none);
  const auto tsb_zero = fit_flagged(qs::TSB{0.003, 0.002, {}}, zeroed, none);
  CHECK_THAT(tsb.mean, WithinRel(tsb_oracle.mean, 0.05));
  CHECK_THAT(tsb.p, WithinRel(0.3, 0.1));
  CHECK(std::abs(tsb_zero.mean - tsb_oracle.mean) >
        3.0 * std::abs(tsb.mean - tsb_oracle.mean) + 0.2);
  // The quantiles of the censored fit cover the true demand distribution's: P90 of the true
  // compound (0.7 at zero, then 1 + Poisson(3)) is 5.
  CHECK(cens.quantile(0.9) >= 4.0);
  CHECK(cens.quantile(0.9) <= 6.0);
}
