// CountRegression: R parity (glm / MASS::glm.nb), closed forms, recovery of known parameters
// on simulated Poisson / NB / zero-inflated / censored data, quantiles against Boost, the
// Shapley contributions, degenerate series, pooling and the model contract.

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/poisson.hpp>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"
#include "model_contract.hpp"

namespace qs = quickstock;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

const std::string kId = "S1";

qs::CountRegressionFitted fit_one(const qs::CountRegression& spec,
                                  const Eigen::VectorXd& y,
                                  const qs::RowMatrixXd& x,
                                  std::int64_t start = 0) {
  const qs::SeriesView s{Eigen::Map<const Eigen::VectorXd>(y.data(), y.size()),
                         Eigen::Map<const qs::RowMatrixXd>(x.data(), x.rows(), x.cols()), start,
                         kId};
  return spec.fit(s);
}

qs::CountRegression plain(qs::CountFamily family) {
  qs::CountRegression spec;
  spec.family = family;
  spec.season_length = 1;
  spec.ridge = 0.0;
  return spec;
}

// Coefficient of raw covariate column j (−1: the intercept) from the standardised fit.
double raw_coef(const qs::CountRegressionFitted& f, std::int64_t j) {
  if (j < 0) {
    double a = f.intercept;
    for (std::size_t c = 0; c < f.columns.size(); ++c) {
      const auto cc = static_cast<Eigen::Index>(c);
      a -= f.beta[cc] * f.center[cc] / f.scale[cc];
    }
    return a;
  }
  for (std::size_t c = 0; c < f.columns.size(); ++c) {
    const auto cc = static_cast<Eigen::Index>(c);
    if (f.columns[c] == j) return f.beta[cc] / f.scale[cc];
  }
  return 0.0;
}

// Simulated design: x0 ~ N(0, 1), x1 a 0/1 flag with probability 0.3.
struct Sim {
  Eigen::VectorXd y;
  qs::RowMatrixXd x;
  Eigen::VectorXd mu;
};

Sim simulate(
    std::int64_t n, double b0, double b1, double b2, double theta, double pi, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> norm(0.0, 1.0);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  Sim s;
  s.y.resize(n);
  s.x.resize(n, 2);
  s.mu.resize(n);
  for (std::int64_t t = 0; t < n; ++t) {
    s.x(t, 0) = norm(rng);
    s.x(t, 1) = unif(rng) < 0.3 ? 1.0 : 0.0;
    double mu = std::exp(b0 + b1 * s.x(t, 0) + b2 * s.x(t, 1));
    s.mu[t] = mu;
    if (std::isfinite(theta)) {
      mu = std::gamma_distribution<double>(theta, mu / theta)(rng);
    }
    double y = static_cast<double>(std::poisson_distribution<long long>(mu)(rng));
    if (pi > 0.0 && unif(rng) < pi) y = 0.0;
    s.y[t] = y;
  }
  return s;
}

}  // namespace

TEST_CASE("CountRegression matches R glm(poisson) and MASS::glm.nb", "[models][countreg][r]") {
  const std::string dir = QUICKSTOCK_REFERENCE_DIR "/r_forecast/";
  const auto series = qs_test::read_csv(dir + "count_regression_series.csv");
  const auto ref = qs_test::read_csv(dir + "count_regression.csv");
  int checked = 0;
  for (const std::string case_name : {"pois", "nb", "sparse"}) {
    std::vector<double> yv, x1, x2;
    for (std::size_t r = 0; r < series.at("case").size(); ++r) {
      if (series.at("case")[r] != case_name) continue;
      yv.push_back(std::stod(series.at("y")[r]));
      x1.push_back(std::stod(series.at("x1")[r]));
      x2.push_back(std::stod(series.at("x2")[r]));
    }
    const auto n = static_cast<Eigen::Index>(yv.size());
    const Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(yv.data(), n);
    qs::RowMatrixXd x(n, 2);
    for (Eigen::Index t = 0; t < n; ++t) {
      x(t, 0) = x1[static_cast<std::size_t>(t)];
      x(t, 1) = x2[static_cast<std::size_t>(t)];
    }
    for (const std::string model : {"poisson", "negbin", "poisson_int", "negbin_int"}) {
      INFO(case_name << " " << model);
      const bool nb = model.rfind("negbin", 0) == 0;
      const bool intercept_only = model.find("_int") != std::string::npos;
      const auto spec = plain(nb ? qs::CountFamily::negbin : qs::CountFamily::poisson);
      const auto f = fit_one(spec, y, intercept_only ? qs::RowMatrixXd(n, 0) : x);
      CHECK(f.fallback.empty());
      for (std::size_t r = 0; r < ref.at("case").size(); ++r) {
        if (ref.at("case")[r] != case_name || ref.at("model")[r] != model) continue;
        const std::string term = ref.at("term")[r];
        const double value = std::stod(ref.at("value")[r]);
        INFO(term << " R " << value);
        // Both optimisers converge to 1e-10 relative in the log-likelihood; coefficients agree
        // to ~1e-6, theta (flat likelihood) to 1e-4 relative.
        if (term == "(Intercept)") {
          CHECK_THAT(raw_coef(f, -1), WithinAbs(value, 2e-6));
        } else if (term == "x1") {
          CHECK_THAT(raw_coef(f, 0), WithinAbs(value, 2e-6));
        } else if (term == "x2") {
          CHECK_THAT(raw_coef(f, 1), WithinAbs(value, 2e-6));
        } else if (term == "theta") {
          CHECK_THAT(f.theta, WithinRel(value, 1e-4));
        } else if (term == "loglik") {
          CHECK_THAT(f.loglik, WithinAbs(value, 1e-6));
        }
        ++checked;
      }
    }
  }
  CHECK(checked == 3 * (4 + 5 + 2 + 3));
}

TEST_CASE("CountRegression closed forms", "[models][countreg]") {
  const Eigen::VectorXd y = (Eigen::VectorXd(10) << 0, 3, 1, 0, 2, 5, 1, 0, 0, 4).finished();
  SECTION("intercept-only Poisson: exp(intercept) = sample mean, loglik in closed form") {
    const auto f = fit_one(plain(qs::CountFamily::poisson), y, qs::RowMatrixXd(10, 0));
    CHECK_THAT(std::exp(f.intercept), WithinRel(y.mean(), 1e-12));
    const double m = y.mean();
    double ll = 0.0;
    for (Eigen::Index t = 0; t < 10; ++t) ll += y[t] * std::log(m) - m - std::lgamma(y[t] + 1.0);
    CHECK_THAT(f.loglik, WithinAbs(ll, 1e-9));
    const auto fc = f.forecast({3, {0.5, 0.9}, true});
    CHECK_THAT(fc.mean[0], WithinRel(m, 1e-12));
  }
  SECTION("intercept-only NB: mean = sample mean and theta solves the score equation") {
    const auto f = fit_one(plain(qs::CountFamily::negbin), y, qs::RowMatrixXd(10, 0));
    CHECK_THAT(std::exp(f.intercept), WithinRel(y.mean(), 1e-8));
    // d loglik / d theta = Σ ψ(y+θ) − ψ(θ) + log(θ/(θ+μ)) + (μ − y)/(θ+μ) = 0 at the MLE.
    const double th = f.theta, m = y.mean();
    double score = 0.0;
    for (Eigen::Index t = 0; t < 10; ++t) {
      score += boost::math::digamma(y[t] + th) - boost::math::digamma(th) +
               std::log(th / (th + m)) + (m - y[t]) / (th + m);
    }
    CHECK_THAT(score, WithinAbs(0.0, 1e-5));
  }
}

TEST_CASE("CountRegression recovers known coefficients on simulated data", "[models][countreg]") {
  // n = 20000 gives standard errors ~0.01 on the slopes: tolerance 0.04 (4 SE).
  SECTION("Poisson") {
    const Sim s = simulate(20000, 0.5, 0.4, 0.8, INFINITY, 0.0, 11);
    const auto f = fit_one(plain(qs::CountFamily::poisson), s.y, s.x);
    CHECK_THAT(raw_coef(f, -1), WithinAbs(0.5, 0.04));
    CHECK_THAT(raw_coef(f, 0), WithinAbs(0.4, 0.04));
    CHECK_THAT(raw_coef(f, 1), WithinAbs(0.8, 0.04));
  }
  SECTION("negative binomial, theta = 2") {
    const Sim s = simulate(20000, 0.5, 0.4, 0.8, 2.0, 0.0, 12);
    const auto f = fit_one(plain(qs::CountFamily::negbin), s.y, s.x);
    CHECK_THAT(raw_coef(f, -1), WithinAbs(0.5, 0.04));
    CHECK_THAT(raw_coef(f, 0), WithinAbs(0.4, 0.04));
    CHECK_THAT(raw_coef(f, 1), WithinAbs(0.8, 0.04));
    CHECK_THAT(f.theta, WithinRel(2.0, 0.1));
  }
  SECTION("zero-inflated Poisson, pi = 0.3") {
    const Sim s = simulate(20000, 1.0, 0.4, 0.8, INFINITY, 0.3, 13);
    auto spec = plain(qs::CountFamily::poisson);
    spec.zero_inflated = true;
    const auto f = fit_one(spec, s.y, s.x);
    CHECK_THAT(f.pi, WithinAbs(0.3, 0.02));
    CHECK_THAT(raw_coef(f, -1), WithinAbs(1.0, 0.04));
    CHECK_THAT(raw_coef(f, 0), WithinAbs(0.4, 0.04));
    // Without inflation the same data give a biased intercept.
    const auto g = fit_one(plain(qs::CountFamily::poisson), s.y, s.x);
    CHECK(std::abs(raw_coef(g, -1) - 1.0) > 0.2);
  }
  SECTION("zero-inflated NB, pi = 0.25, theta = 3") {
    const Sim s = simulate(30000, 1.0, 0.4, 0.8, 3.0, 0.25, 14);
    auto spec = plain(qs::CountFamily::negbin);
    spec.zero_inflated = true;
    const auto f = fit_one(spec, s.y, s.x);
    CHECK_THAT(f.pi, WithinAbs(0.25, 0.04));
    CHECK_THAT(f.theta, WithinRel(3.0, 0.25));
    CHECK_THAT(raw_coef(f, 0), WithinAbs(0.4, 0.04));
  }
}

TEST_CASE("CountRegression with censored days recovers demand that naive fits miss",
          "[models][countreg][censor]") {
  // NB demand with known parameters; on 40% of days stock is short and sales are capped at a
  // random stock level below the mean. The censored fit must recover the intercept; treating the
  // capped sales as exact demand (or the stockout days as zeros) is biased low.
  const Sim s = simulate(8000, 1.5, 0.3, 0.5, 4.0, 0.0, 21);
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  const Eigen::Index n = s.y.size();
  Eigen::VectorXd sales = s.y, zeroed = s.y;
  qs::RowMatrixXd x(n, 3);
  x.leftCols(2) = s.x;
  for (Eigen::Index t = 0; t < n; ++t) {
    double flag = 0.0;
    if (unif(rng) < 0.4) {
      const double stock = std::floor(unif(rng) * s.mu[t]);
      if (s.y[t] >= stock) {  // sales capped: demand >= sales
        sales[t] = stock;
        zeroed[t] = 0.0;
        flag = 1.0;
      }
    }
    x(t, 2) = flag;
  }
  auto censored = plain(qs::CountFamily::negbin);
  censored.censor_column = 2;
  const auto f = fit_one(censored, sales, x);
  CHECK(f.n_censored > n / 5);
  CHECK_THAT(raw_coef(f, -1), WithinAbs(1.5, 0.05));
  CHECK_THAT(raw_coef(f, 0), WithinAbs(0.3, 0.05));
  CHECK_THAT(raw_coef(f, 1), WithinAbs(0.5, 0.05));
  CHECK_THAT(f.theta, WithinRel(4.0, 0.2));
  CHECK(raw_coef(f, 2) == 0.0);  // the censor column is not a covariate
  // As exact: the same sales without the flag (the flag column kept out of the design).
  auto exact = plain(qs::CountFamily::negbin);
  const qs::RowMatrixXd x2 = x.leftCols(2);
  const auto g = fit_one(exact, sales, x2);
  const auto z = fit_one(exact, zeroed, x2);
  const double err_cens = std::abs(raw_coef(f, -1) - 1.5);
  CHECK(std::abs(raw_coef(g, -1) - 1.5) > 5 * err_cens + 0.1);
  CHECK(std::abs(raw_coef(z, -1) - 1.5) > 5 * err_cens + 0.2);
  // Poisson with censoring as well.
  const Sim p = simulate(8000, 1.2, 0.3, 0.5, INFINITY, 0.0, 22);
  Eigen::VectorXd psales = p.y;
  qs::RowMatrixXd px(n, 3);
  px.leftCols(2) = p.x;
  for (Eigen::Index t = 0; t < n; ++t) {
    px(t, 2) = 0.0;
    if (unif(rng) < 0.4) {
      const double stock = std::floor(unif(rng) * p.mu[t]);
      if (p.y[t] >= stock) {
        psales[t] = stock;
        px(t, 2) = 1.0;
      }
    }
  }
  auto pc = plain(qs::CountFamily::poisson);
  pc.censor_column = 2;
  CHECK_THAT(raw_coef(fit_one(pc, psales, px), -1), WithinAbs(1.2, 0.05));
}

TEST_CASE("CountRegression quantiles equal Boost's and are integer", "[models][countreg]") {
  const Sim s = simulate(3000, 1.0, 0.3, 0.6, 1.5, 0.0, 31);
  auto spec = plain(qs::CountFamily::negbin);
  const auto f = fit_one(spec, s.y, s.x);
  qs::RowMatrixXd xf(4, 2);
  xf << -1.0, 0.0, 0.0, 1.0, 1.5, 1.0, 3.0, 0.0;
  const std::vector<double> levels{0.005, 0.1, 0.25, 0.5, 0.75, 0.9, 0.995};
  const auto fc = f.forecast({4, levels, true}, xf);
  const Eigen::VectorXd eta = f.log_mean(xf);
  for (Eigen::Index j = 0; j < 4; ++j) {
    const double mu = std::exp(eta[j]);
    CHECK_THAT(fc.mean[j], WithinRel(mu, 1e-14));
    const boost::math::negative_binomial d(f.theta, f.theta / (f.theta + mu));
    for (std::size_t q = 0; q < levels.size(); ++q) {
      const double k = fc.quantiles(j, static_cast<Eigen::Index>(q));
      CHECK(k == std::floor(k));
      CHECK(boost::math::cdf(d, k) >= levels[q]);
      if (k > 0) CHECK(boost::math::cdf(d, k - 1) < levels[q]);
    }
  }
  SECTION("zero-inflated Poisson: levels at or below pi give 0") {
    const Sim z = simulate(3000, 1.5, 0.3, 0.6, INFINITY, 0.4, 32);
    auto zspec = plain(qs::CountFamily::poisson);
    zspec.zero_inflated = true;
    const auto g = fit_one(zspec, z.y, z.x);
    const auto zc = g.forecast({4, levels, true}, xf);
    const Eigen::VectorXd ze = g.log_mean(xf);
    for (Eigen::Index j = 0; j < 4; ++j) {
      const double mu = std::exp(ze[j]);
      CHECK_THAT(zc.mean[j], WithinRel((1.0 - g.pi) * mu, 1e-14));
      const boost::math::poisson d(mu);
      for (std::size_t q = 0; q < levels.size(); ++q) {
        const double k = zc.quantiles(j, static_cast<Eigen::Index>(q));
        const double tau = levels[q];
        CHECK(g.pi + (1 - g.pi) * boost::math::cdf(d, k) >= tau);
        if (k > 0) CHECK(g.pi + (1 - g.pi) * boost::math::cdf(d, k - 1) < tau);
        if (tau <= g.pi) CHECK(k == 0.0);
      }
    }
  }
}

TEST_CASE("CountRegression contributions add up to the mean", "[models][countreg][explain]") {
  // Daily data with a day-of-week effect, a trend and two covariates.
  const Sim s = simulate(700, 1.0, 0.3, 0.6, 5.0, 0.0, 41);
  qs::CountRegression spec;
  spec.trend = true;
  for (const bool zi : {false, true}) {
    spec.zero_inflated = zi;
    const auto f = fit_one(spec, s.y, s.x, 19723);
    qs::RowMatrixXd xf(10, 2);
    for (Eigen::Index j = 0; j < 10; ++j) {
      xf(j, 0) = 0.5 * static_cast<double>(j) - 2.0;
      xf(j, 1) = j % 3 == 0 ? 1.0 : 0.0;
    }
    const qs::ForecastOptions opts{10, {0.5}, true};
    const auto fc = f.forecast(opts, xf);
    const auto c = f.contributions(opts, xf);
    REQUIRE(c.components == std::vector<std::string>{"level", "trend", "season", "x0", "x1"});
    REQUIRE(c.values.rows() == 10);
    for (Eigen::Index j = 0; j < 10; ++j) {
      CHECK_THAT(c.values.row(j).sum(), WithinRel(fc.mean[j], 1e-12));
    }
    // The level is the mean with every term at its training mean.
    CHECK_THAT(c.values(0, 0), WithinRel((1 - f.pi) * std::exp(f.intercept), 1e-9));
    // Two groups only: Shapley is the average of the two orders, checked by hand.
    qs::CountRegression two = plain(qs::CountFamily::poisson);
    const qs::RowMatrixXd x1 = s.x.leftCols(1);
    const auto g = fit_one(two, s.y, x1);
    const qs::RowMatrixXd xf1 = xf.leftCols(1);
    const auto cg = g.contributions({10, {}, true}, xf1);
    REQUIRE(cg.components == std::vector<std::string>{"level", "x0"});
    const double level = std::exp(g.intercept);
    const double e = std::exp(g.beta[0] * (xf1(3, 0) - g.center[0]) / g.scale[0]);
    CHECK_THAT(cg.values(3, 1), WithinRel(level * (e - 1.0), 1e-12));
  }
}

TEST_CASE("CountRegression degenerate series and fallbacks", "[models][countreg]") {
  qs::CountRegression spec;
  SECTION("all zero: forecast 0, fallback named") {
    const Eigen::VectorXd y = Eigen::VectorXd::Zero(40);
    const auto f = fit_one(spec, y, qs::RowMatrixXd(40, 0));
    CHECK(f.fallback.find("all zero") != std::string::npos);
    const auto fc = f.forecast({5, {0.1, 0.5, 0.99}, true});
    CHECK(fc.mean.isZero());
    CHECK(fc.quantiles.isZero());
    const auto c = f.contributions({5, {}, true}, qs::RowMatrixXd(5, 0));
    CHECK(c.values.isZero());
  }
  SECTION("one observation, constant, shorter than the season, a huge spike") {
    const std::vector<Eigen::VectorXd> cases{
        Eigen::VectorXd::Constant(1, 3.0), Eigen::VectorXd::Constant(30, 2.0),
        Eigen::VectorXd::LinSpaced(4, 0.0, 3.0),
        (Eigen::VectorXd(20) << Eigen::VectorXd::Zero(19), 1e6).finished(),
        Eigen::VectorXd::Constant(30, 1e12)};
    for (const auto& y : cases) {
      for (const auto fam : {qs::CountFamily::poisson, qs::CountFamily::negbin}) {
        for (const bool zi : {false, true}) {
          spec.family = fam;
          spec.zero_inflated = zi;
          const auto f = fit_one(spec, y, qs::RowMatrixXd(y.size(), 0));
          const auto fc = f.forecast({7, {0.05, 0.5, 0.95}, true});
          CHECK(fc.mean.allFinite());
          CHECK(fc.quantiles.allFinite());
          CHECK((fc.quantiles.array() >= 0).all());
          CHECK((fc.mean.array() >= 0).all());
        }
      }
    }
    spec.family = qs::CountFamily::negbin;
    spec.zero_inflated = false;
    const auto f = fit_one(spec, Eigen::VectorXd::Constant(30, 2.0), qs::RowMatrixXd(30, 0));
    CHECK_THAT(f.forecast({1, {}, true}).mean[0], WithinRel(2.0, 1e-6));
  }
  SECTION("a constant covariate is dropped; separation stays finite with the ridge") {
    Eigen::VectorXd y(30);
    qs::RowMatrixXd x(30, 2);
    for (Eigen::Index t = 0; t < 30; ++t) {
      y[t] = t < 15 ? 0.0 : 3.0 + static_cast<double>(t % 3);
      x(t, 0) = 5.0;
      x(t, 1) = t < 15 ? 0.0 : 1.0;  // perfectly separates the zeros
    }
    const auto f = fit_one(spec, y, x);
    for (const auto c : f.columns) CHECK(c != 0);
    CHECK(f.beta.allFinite());
    qs::RowMatrixXd xf(2, 2);
    xf << 5.0, 0.0, 5.0, 1.0;
    const auto fc = f.forecast({2, {0.5}, true}, xf);
    CHECK(fc.mean[0] < 0.5);
    CHECK(fc.mean[1] > 2.5);
  }
}

TEST_CASE("CountRegression pooled fit shares slopes across series", "[models][countreg][pooled]") {
  // 12 series with different levels and a common rain effect (+0.5 per unit).
  std::vector<std::int64_t> codes, ds;
  std::vector<double> y, x;
  std::vector<std::string> ids;
  std::mt19937_64 rng(5);
  std::normal_distribution<double> norm(0.0, 1.0);
  for (int i = 0; i < 12; ++i) {
    ids.push_back("S" + std::to_string(10 + i));
    const double level = 0.2 * i - 0.5;
    for (int t = 0; t < 300; ++t) {
      const double rain = std::max(0.0, norm(rng));
      codes.push_back(i);
      ds.push_back(qs_test::t2024 + t * qs_test::day);
      x.push_back(rain);
      y.push_back(static_cast<double>(
          std::poisson_distribution<long long>(std::exp(level + 0.5 * rain))(rng)));
    }
  }
  // One all-zero series: the fallback, left out of the pooled fit.
  ids.push_back("Z");
  for (int t = 0; t < 50; ++t) {
    codes.push_back(12);
    ds.push_back(qs_test::t2024 + t * qs_test::day);
    x.push_back(1.0);
    y.push_back(0.0);
  }
  qs::LongInput in;
  in.codes = codes.data();
  in.ds = ds.data();
  in.y = y.data();
  in.n_rows = y.size();
  in.ids = ids;
  in.covariates = x.data();
  in.covariate_names = {"rain_mm"};
  const auto panel = qs::Panel::from_long(in, qs::Frequency::parse("D"));
  qs::CountRegression spec;
  spec.family = qs::CountFamily::poisson;
  spec.season_length = 1;
  spec.pooled = true;
  spec.ridge = 0.0;
  const auto f1 = qs::fit_panel(spec, panel, 1);
  const auto f3 = qs::fit_panel(spec, panel, 3);
  CHECK(f1.fitted() == f3.fitted());
  const auto& a = f1.fitted()[0];
  REQUIRE(a.columns == std::vector<std::int64_t>{0});
  const double slope = a.beta[0] / a.scale[0];
  CHECK_THAT(slope, WithinAbs(0.5, 0.05));
  for (std::size_t i = 0; i < 12; ++i) {
    CHECK(f1.fitted()[i].beta == a.beta);
    CHECK_THAT(raw_coef(f1.fitted()[i], -1), WithinAbs(0.2 * static_cast<double>(i) - 0.5, 0.15));
  }
  CHECK(!f1.fitted()[12].fallback.empty());
  qs::RowMatrixXd xf = qs::RowMatrixXd::Constant(13 * 3, 1, 1.0);
  const auto fa = f1.forecast({3, {0.1, 0.9}, true}, xf, 1);
  const auto fb = f3.forecast({3, {0.1, 0.9}, true}, xf, 4);
  CHECK(fa.mean == fb.mean);
  CHECK(fa.quantiles == fb.quantiles);
  CHECK(fa.mean(12, 0) == 0.0);
}

namespace {

// Poisson series with level 0.1·i and a rain slope `slope(i)`, daily from 2024-01-01.
template <class Slope>
qs::Panel rain_panel(const std::vector<int>& members, Slope slope, std::uint64_t seed) {
  std::vector<std::int64_t> codes, ds;
  std::vector<double> y, x;
  std::vector<std::string> ids;
  for (std::size_t k = 0; k < members.size(); ++k) {
    const int i = members[k];
    std::mt19937_64 rng(seed + static_cast<std::uint64_t>(i));  // per series: any subset agrees
    std::normal_distribution<double> norm(0.0, 1.0);
    ids.push_back("S" + std::to_string(10 + i));
    for (int t = 0; t < 400; ++t) {
      const double rain = std::max(0.0, norm(rng));
      codes.push_back(static_cast<std::int64_t>(k));
      ds.push_back(qs_test::t2024 + t * qs_test::day);
      x.push_back(rain);
      y.push_back(static_cast<double>(
          std::poisson_distribution<long long>(std::exp(0.1 * i + slope(i) * rain))(rng)));
    }
  }
  qs::LongInput in;
  in.codes = codes.data();
  in.ds = ds.data();
  in.y = y.data();
  in.n_rows = y.size();
  in.ids = ids;
  in.covariates = x.data();
  in.covariate_names = {"rain_mm"};
  return qs::Panel::from_long(in, qs::Frequency::parse("D"));
}

}  // namespace

TEST_CASE("CountRegression pooled by group: one pool per group code",
          "[models][countreg][pooled]") {
  // Series 0..11; even series (group 7) react to rain with +0.5, odd ones (group 2) with -0.3.
  auto slope = [](int i) { return i % 2 == 0 ? 0.5 : -0.3; };
  std::vector<int> all, even, odd;
  std::vector<std::int64_t> groups;
  for (int i = 0; i < 12; ++i) {
    all.push_back(i);
    (i % 2 == 0 ? even : odd).push_back(i);
    groups.push_back(i % 2 == 0 ? 7 : 2);
  }
  const auto panel = rain_panel(all, slope, 40);
  qs::CountRegression spec;
  spec.family = qs::CountFamily::poisson;
  spec.season_length = 1;
  spec.pooled = true;
  spec.ridge = 0.0;
  const auto whole = qs::fit_panel(spec, panel, 1);
  spec.pool_groups = groups;
  const auto f1 = qs::fit_panel(spec, panel, 1);
  const auto f4 = qs::fit_panel(spec, panel, 4);
  CHECK(f1.fitted() == f4.fitted());
  auto raw_slope = [](const qs::CountRegressionFitted& f) { return f.beta[0] / f.scale[0]; };
  for (std::size_t i = 0; i < 12; ++i) {
    CHECK_THAT(raw_slope(f1.fitted()[i]), WithinAbs(slope(static_cast<int>(i)), 0.05));
  }
  // The whole-panel pool mixes the two effects.
  CHECK(std::abs(raw_slope(whole.fitted()[0]) - 0.5) > 0.15);
  // Each group's fit is the pooled fit of that group alone, bit for bit.
  qs::CountRegression alone = spec;
  alone.pool_groups.clear();
  const auto ge = qs::fit_panel(alone, rain_panel(even, slope, 40), 2);
  const auto go = qs::fit_panel(alone, rain_panel(odd, slope, 40), 2);
  for (std::size_t k = 0; k < even.size(); ++k) {
    CHECK(ge.fitted()[k] == f1.fitted()[static_cast<std::size_t>(even[k])]);
    CHECK(go.fitted()[k] == f1.fitted()[static_cast<std::size_t>(odd[k])]);
  }
  // One code per series, else the field is named.
  spec.pool_groups = {1, 2};
  try {
    (void)qs::fit_panel(spec, panel, 1);
    FAIL("2 codes for 12 series accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "pool_groups");
  }
}

TEST_CASE("CountRegression passes the model contract", "[models][countreg][contract]") {
  qs::CountRegression spec;
  qs_test::check_model_contract(spec);
  spec.family = qs::CountFamily::poisson;
  spec.zero_inflated = true;
  spec.trend = true;
  qs_test::check_model_contract(spec);
  spec.pooled = true;
  qs_test::check_model_contract(spec);
}

TEST_CASE("CountRegression rejects bad input, naming it", "[models][countreg]") {
  qs::CountRegression spec;
  spec.ridge = -1.0;
  CHECK_THROWS_AS(qs::validate(spec), qs::invalid_input);
  spec = {};
  spec.season_length = 0;
  CHECK_THROWS_AS(qs::validate(spec), qs::invalid_input);
  spec = {};
  spec.window = -3;
  CHECK_THROWS_AS(qs::validate(spec), qs::invalid_input);
  CHECK_THROWS_AS(qs::parse_count_family("binomial"), qs::invalid_input);
  spec = {};
  try {
    (void)fit_one(spec, Eigen::VectorXd(0), qs::RowMatrixXd(0, 0));
    FAIL("empty series accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.series_id() == kId);
  }
  spec.censor_column = 3;
  try {
    (void)fit_one(spec, Eigen::VectorXd::Ones(5), qs::RowMatrixXd::Zero(5, 1));
    FAIL("censor column out of range accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "censor_column");
  }
  spec = {};
  const auto f = fit_one(spec, Eigen::VectorXd::Ones(20), qs::RowMatrixXd::Zero(20, 1));
  try {
    (void)f.forecast({3, {0.5}, true}, qs::RowMatrixXd(2, 1));
    FAIL("wrong X_df shape accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "X_df");
  }
}
