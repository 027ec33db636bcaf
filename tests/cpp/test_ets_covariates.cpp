// ETS with covariates (ETSX, regression with ETS errors) on data where the effect is known:
// simulated ETS series plus β·x with known β. Checks recovery of β (within 4 of its own
// standard errors and 10% relative), the forecast gain over plain ETS when the future
// covariates are known, exact equality with plain AutoETS/ETS without covariates, the shape
// checks on future covariates and the interval formula (docs/ets.md, "ETS with covariates").

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"

namespace qs = quickstock;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

namespace {

// Deterministic standard normal draws (splitmix64 + Box–Muller).
class Normal {
 public:
  explicit Normal(std::uint64_t seed) : s_(seed) {}
  double operator()() {
    const double u1 = (static_cast<double>(next() >> 11U) + 0.5) * 0x1.0p-53;
    const double u2 = static_cast<double>(next() >> 11U) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double uniform() { return static_cast<double>(next() >> 11U) * 0x1.0p-53; }

 private:
  std::uint64_t next() {
    s_ += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = s_;
    z = (z ^ (z >> 30U)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27U)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31U);
  }
  std::uint64_t s_;
};

struct Sim {
  std::vector<double> y;  // n + h values
  qs::RowMatrixXd x;      // (n + h) × 2: promotion flag, price
};

// y_t = β'x_t + u_t, u_t ETS(A,N,N) (m = 1) or ETS(A,N,A) (m > 1) with σ = 1.
Sim simulate(std::uint64_t seed, Eigen::Index total, int m, double b_promo, double b_price) {
  Normal rng(seed);
  Sim s;
  s.y.resize(static_cast<std::size_t>(total));
  s.x.resize(total, 2);
  double level = 50.0;
  std::vector<double> season(static_cast<std::size_t>(std::max(m, 1)), 0.0);
  for (int j = 0; j < m; ++j)
    season[static_cast<std::size_t>(j)] = 4.0 * std::sin(6.2831853 * j / m);
  double price = 10.0;
  const double alpha = 0.2;
  const double gamma = 0.1;
  for (Eigen::Index t = 0; t < total; ++t) {
    const double promo = rng.uniform() < 0.15 ? 1.0 : 0.0;
    price = 10.0 + 0.7 * (price - 10.0) + 0.5 * rng();
    s.x(t, 0) = promo;
    s.x(t, 1) = price;
    const auto k = static_cast<std::size_t>(m > 1 ? t % m : 0);
    const double e = rng();
    const double u = level + (m > 1 ? season[k] : 0.0) + e;
    level += alpha * e;
    if (m > 1) season[k] += gamma * e;
    s.y[static_cast<std::size_t>(t)] = u + b_promo * promo + b_price * (price - 10.0);
  }
  return s;
}

qs::SeriesView view(const std::vector<double>& y,
                    const qs::RowMatrixXd& x,
                    Eigen::Index n,
                    const std::string& id) {
  return qs::SeriesView{Eigen::Map<const Eigen::VectorXd>(y.data(), n),
                        Eigen::Map<const qs::RowMatrixXd>(x.data(), n, x.cols()), 0, id};
}

double mae(const Eigen::VectorXd& f, const std::vector<double>& y, Eigen::Index from) {
  double s = 0.0;
  for (Eigen::Index j = 0; j < f.size(); ++j) {
    s += std::fabs(f[j] - y[static_cast<std::size_t>(from + j)]);
  }
  return s / static_cast<double>(f.size());
}

}  // namespace

TEST_CASE("ETSX recovers known covariate effects and forecasts better than ETS",
          "[models][ets][etsx]") {
  const std::string id = "sim";
  struct Case {
    int m;
    std::string model;
  };
  for (const Case& cs : {Case{1, "ANN"}, Case{7, "ANA"}, Case{7, "ZZZ"}}) {
    double gain_sum = 0.0;
    int inside = 0;
    const int reps = 6;
    for (int rep = 0; rep < reps; ++rep) {
      const Eigen::Index n = 300;
      const Eigen::Index h = 28;
      const Sim s =
          simulate(1000 + static_cast<std::uint64_t>(rep * 7 + cs.m), n + h, cs.m, 8.0, -3.0);
      const auto sv = view(s.y, s.x, n, id);
      qs::ETSX spec;
      spec.season_length = cs.m;
      spec.model = cs.model;
      if (cs.model != "ZZZ") {
        spec.automatic = false;
        spec.damped = false;
      }
      const qs::ETSXFitted fit = spec.fit(sv);
      INFO(cs.model << " m=" << cs.m << " rep " << rep << " " << fit.method() << " beta "
                    << fit.beta.transpose());
      REQUIRE(fit.beta.size() == 2);
      CHECK(fit.ets.fallback.empty());
      CHECK(fit.ets.error == qs::ErrorType::additive);
      // Within 10% of the truth and within 4 standard errors.
      CHECK_THAT(fit.beta[0], WithinRel(8.0, 0.1));
      CHECK_THAT(fit.beta[1], WithinRel(-3.0, 0.1));
      const double z0 = std::fabs(fit.beta[0] - 8.0) / std::sqrt(fit.beta_cov(0, 0));
      const double z1 = std::fabs(fit.beta[1] + 3.0) / std::sqrt(fit.beta_cov(1, 1));
      CHECK(z0 < 4.0);
      CHECK(z1 < 4.0);
      if (z0 < 1.96) ++inside;
      // Forecast with the known future covariates vs plain ETS of the same letters.
      const qs::RowMatrixXd xf = s.x.bottomRows(h);
      const auto fx = fit.forecast({h, {0.1, 0.5, 0.9}, false}, xf);
      const qs::ETSFitted plain = cs.model == "ZZZ" ? qs::AutoETS{cs.m, "ZZZ", std::nullopt}.fit(sv)
                                                    : qs::make_ets(cs.model, cs.m, false).fit(sv);
      const auto fp = plain.forecast({h, {}, false});
      gain_sum += mae(fp.mean, s.y, n) - mae(fx.mean, s.y, n);
      // Normal quantiles: symmetric around the mean; P50 = mean.
      for (Eigen::Index j = 0; j < h; ++j) {
        CHECK_THAT(fx.quantiles(j, 1), WithinAbs(fx.mean[j], 1e-9));
        CHECK_THAT(fx.quantiles(j, 2) - fx.mean[j],
                   WithinRel(fx.mean[j] - fx.quantiles(j, 0), 1e-9));
      }
    }
    INFO(cs.model << ": mean MAE gain " << gain_sum / reps << ", promo inside 95% CI " << inside);
    // The promotion effect (8σ at 15% of the steps) is invisible to plain ETS.
    CHECK(gain_sum / reps > 1.0);
    CHECK(inside >= reps - 2);
  }
}

TEST_CASE("ETSX without covariates is plain AutoETS / ETS", "[models][ets][etsx]") {
  const Sim s = simulate(7, 200, 7, 8.0, -3.0);
  const qs::RowMatrixXd none(200, 0);
  const auto sv = view(s.y, none, 200, "a");
  const qs::ETSXFitted auto_fit = qs::ETSX{7, "ZZZ", std::nullopt}.fit(sv);
  CHECK(auto_fit.ets == qs::AutoETS{7, "ZZZ", std::nullopt}.fit(sv));
  CHECK(auto_fit.beta.size() == 0);
  qs::ETSX fixed{7, "MAM", true, false};
  const qs::ETSXFitted fixed_fit = fixed.fit(sv);
  CHECK(fixed_fit.ets == qs::make_ets("MAM", 7, true).fit(sv));
  const auto a = auto_fit.forecast({14, {0.1, 0.9}, true});
  const auto b = qs::AutoETS{7, "ZZZ", std::nullopt}.fit(sv).forecast({14, {0.1, 0.9}, true});
  CHECK(a.mean == b.mean);
  CHECK(a.quantiles == b.quantiles);
  const qs::RowMatrixXd xf(14, 0);
  CHECK(auto_fit.forecast({14, {0.5}, true}, xf).mean == b.mean);

  // A covariate constant over the history is not identifiable: β = 0, plain ETS, noted.
  qs::RowMatrixXd flat = qs::RowMatrixXd::Constant(200, 1, 3.0);
  const qs::ETSXFitted flat_fit = qs::ETSX{7, "ZZZ", std::nullopt}.fit(view(s.y, flat, 200, "a"));
  CHECK(flat_fit.beta.size() == 1);
  CHECK(flat_fit.beta[0] == 0.0);
  CHECK(flat_fit.ets.fallback.find("no covariate varies") != std::string::npos);
  const qs::RowMatrixXd xf1 = qs::RowMatrixXd::Constant(14, 1, 99.0);
  CHECK(flat_fit.forecast({14, {0.5}, true}, xf1).mean == b.mean);
}

TEST_CASE(
    "ETSX: multiplicative letters with additive error become additive, shapes are "
    "checked, fits are stable",
    "[models][ets][etsx]") {
  const Sim s = simulate(11, 228, 7, 8.0, -3.0);
  const auto sv = view(s.y, s.x, 200, "b");
  const qs::ETSXFitted f = qs::ETSX{7, "AAM", false, false}.fit(sv);
  CHECK(f.method() == "Regression with ETS(A,A,A) errors");
  CHECK_FALSE(f.multiplicative);
  CHECK(f.ets.fallback.find("additive components") != std::string::npos);
  CHECK(f == qs::ETSX{7, "AAM", false, false}.fit(sv));  // deterministic
  // Multiplicative error on data that are not strictly positive: the additive form, noted.
  std::vector<double> shifted = s.y;
  shifted[5] = -1.0;
  const qs::ETSXFitted g0 = qs::ETSX{7, "MAM", false, false}.fit(view(shifted, s.x, 200, "b"));
  CHECK_FALSE(g0.multiplicative);
  CHECK(g0.method() == "Regression with ETS(A,A,A) errors");
  CHECK(g0.ets.fallback.find("not strictly positive") != std::string::npos);

  const qs::RowMatrixXd wrong_cols(28, 1);
  CHECK_THROWS_AS(f.forecast({28, {0.5}, true}, wrong_cols), qs::invalid_input);
  const qs::RowMatrixXd wrong_rows = s.x.bottomRows(10);
  CHECK_THROWS_AS(f.forecast({28, {0.5}, true}, wrong_rows), qs::invalid_input);
  CHECK_THROWS_AS(f.forecast({28, {0.5}, true}), qs::invalid_input);
  CHECK_THROWS_AS(qs::validate(qs::ETSX{7, "ANA", std::nullopt, false}), qs::invalid_input);
  CHECK_THROWS_AS(qs::validate(qs::ETSX{7, "QQQ", std::nullopt}), qs::invalid_input);

  // Intervals: Var = Var_u(j) + x'Cov(β̂)x; without parameter uncertainty only Var_u(j).
  const qs::RowMatrixXd xf = s.x.bottomRows(28);
  qs::ETSXFitted g = f;
  g.parameter_uncertainty = false;
  const auto with = f.forecast({28, {0.975}, false}, xf);
  const auto without = g.forecast({28, {0.975}, false}, xf);
  for (Eigen::Index j = 0; j < 28; ++j) {
    const Eigen::VectorXd xc = xf.row(j).transpose() - f.x_mean;
    const double sd_with = (with.quantiles(j, 0) - with.mean[j]) / 1.959963984540054;
    const double sd_without = (without.quantiles(j, 0) - without.mean[j]) / 1.959963984540054;
    CHECK_THAT(sd_with * sd_with - sd_without * sd_without,
               WithinRel(xc.dot(f.beta_cov * xc), 1e-8));
  }

  // Too short for the covariates: plain ETS with a note, never an error.
  const auto tiny = view(s.y, s.x, 6, "c");
  const qs::ETSXFitted t = qs::ETSX{7, "ZZZ", std::nullopt}.fit(tiny);
  CHECK((t.beta.array() == 0.0).all());
  CHECK_FALSE(t.ets.fallback.empty());
}

namespace {

// y_t = exp(b_promo·promo_t + b_price·(price_t − 10))·w_t, w_t ETS(M,N,N) (m = 1) or
// ETS(M,N,M) (m > 1) with relative error sd `sigma`.
Sim simulate_mult(
    std::uint64_t seed, Eigen::Index total, int m, double b_promo, double b_price, double sigma) {
  Normal rng(seed);
  Sim s;
  s.y.resize(static_cast<std::size_t>(total));
  s.x.resize(total, 2);
  double level = 50.0;
  std::vector<double> season(static_cast<std::size_t>(std::max(m, 1)), 1.0);
  for (int j = 0; j < m; ++j)
    season[static_cast<std::size_t>(j)] = 1.0 + 0.2 * std::sin(6.2831853 * j / m);
  double price = 10.0;
  for (Eigen::Index t = 0; t < total; ++t) {
    const double promo = rng.uniform() < 0.15 ? 1.0 : 0.0;
    price = 10.0 + 0.7 * (price - 10.0) + 0.5 * rng();
    s.x(t, 0) = promo;
    s.x(t, 1) = price;
    const auto k = static_cast<std::size_t>(m > 1 ? t % m : 0);
    const double e = sigma * rng();
    const double w = level * (m > 1 ? season[k] : 1.0) * (1.0 + e);
    level *= 1.0 + 0.2 * e;
    if (m > 1) season[k] *= 1.0 + 0.1 * e;
    s.y[static_cast<std::size_t>(t)] = std::exp(b_promo * promo + b_price * (price - 10.0)) * w;
  }
  return s;
}

}  // namespace

TEST_CASE("Multiplicative ETSX recovers known log-scale effects", "[models][ets][etsx]") {
  struct Case {
    int m;
    std::string model;
    std::string method;
  };
  const double b_promo = 0.3;
  const double b_price = -0.08;
  for (const Case& cs :
       {Case{1, "MNN", "Log-linear regression with ETS(M,N,N) errors"},
        Case{7, "MNM", "Log-linear regression with ETS(M,N,M) errors"}, Case{7, "MZZ", ""}}) {
    double chi2 = 0.0;
    double gain_sum = 0.0;
    const int reps = 6;
    for (int rep = 0; rep < reps; ++rep) {
      const Eigen::Index n = 300;
      const Eigen::Index h = 28;
      const Sim s = simulate_mult(2000 + static_cast<std::uint64_t>(rep * 7 + cs.m), n + h, cs.m,
                                  b_promo, b_price, 0.05);
      const auto sv = view(s.y, s.x, n, "sim");
      qs::ETSX spec;
      spec.season_length = cs.m;
      spec.model = cs.model;
      if (cs.model != "MZZ") {
        spec.automatic = false;
        spec.damped = false;
      }
      const qs::ETSXFitted fit = spec.fit(sv);
      INFO(cs.model << " rep " << rep << " " << fit.method() << " beta " << fit.beta.transpose()
                    << " se " << fit.coefficients().std_error.transpose());
      REQUIRE(fit.beta.size() == 2);
      CHECK(fit.multiplicative);
      CHECK(fit.fallback.empty());
      CHECK(fit.ets.error == qs::ErrorType::multiplicative);
      if (!cs.method.empty()) CHECK(fit.method() == cs.method);
      const qs::CovariateCoefficients cc = fit.coefficients();
      REQUIRE(cc.std_error.allFinite());
      // The standard errors are informative (far below the effects) ...
      CHECK(cc.std_error[0] < 0.1 * b_promo);
      CHECK(cc.std_error[1] < 0.25 * std::fabs(b_price));
      // ... and the estimates within 4 of them from the truth.
      const double z0 = (fit.beta[0] - b_promo) / cc.std_error[0];
      const double z1 = (fit.beta[1] - b_price) / cc.std_error[1];
      CHECK(std::fabs(z0) < 4.0);
      CHECK(std::fabs(z1) < 4.0);
      chi2 += z0 * z0 + z1 * z1;
      CHECK(fit == spec.fit(sv));  // deterministic

      // Forecast: the ETS forecast of w times exp((x − x̄)'β), quantiles included.
      const qs::RowMatrixXd xf = s.x.bottomRows(h);
      const qs::ForecastOptions opt{h, {0.1, 0.5, 0.9}, false};
      const auto fx = fit.forecast(opt, xf);
      const auto fw = fit.ets.forecast(opt);
      for (Eigen::Index j = 0; j < h; ++j) {
        const Eigen::VectorXd xc = xf.row(j).transpose() - fit.x_mean;
        const double factor = std::exp(xc.dot(fit.beta));
        CHECK_THAT(fx.mean[j], WithinRel(fw.mean[j] * factor, 1e-12));
        for (Eigen::Index q = 0; q < 3; ++q) {
          CHECK_THAT(fx.quantiles(j, q), WithinRel(fw.quantiles(j, q) * factor, 1e-12));
        }
        CHECK(fx.quantiles(j, 0) < fx.quantiles(j, 2));
      }
      // Contributions: ETS parts of w plus an exact split of the covariate factor.
      const qs::Contributions con = fit.contributions(opt, xf);
      REQUIRE(con.components.size() >= 3);
      CHECK(con.components[con.components.size() - 2] == "x0");
      for (Eigen::Index j = 0; j < h; ++j) {
        CHECK_THAT(con.values.row(j).sum(), WithinRel(fx.mean[j], 1e-9));
      }
      const qs::ETSFitted plain = cs.model == "MZZ" ? qs::AutoETS{cs.m, "MZZ", std::nullopt}.fit(sv)
                                                    : qs::make_ets(cs.model, cs.m, false).fit(sv);
      gain_sum += mae(plain.forecast({h, {}, false}).mean, s.y, n) - mae(fx.mean, s.y, n);
    }
    INFO(cs.model << ": mean z^2 " << chi2 / (2 * reps) << ", mean MAE gain " << gain_sum / reps);
    // Calibrated standard errors: mean z² of 12 roughly independent estimates (chi²₁₂/12 is
    // within [0.2, 2.5] with probability 0.99).
    CHECK(chi2 / (2 * reps) > 0.2);
    CHECK(chi2 / (2 * reps) < 2.5);
    CHECK(gain_sum / reps > 1.0);
  }
}

TEST_CASE("Multiplicative ETSX: no effect gives coefficients near 0", "[models][ets][etsx]") {
  int within = 0;
  const int reps = 6;
  for (int rep = 0; rep < reps; ++rep) {
    const Sim s = simulate_mult(3000 + static_cast<std::uint64_t>(rep), 300, 7, 0.0, 0.0, 0.05);
    const qs::ETSXFitted fit = qs::ETSX{7, "MNM", false, false}.fit(view(s.y, s.x, 300, "null"));
    INFO("rep " << rep << " beta " << fit.beta.transpose());
    REQUIRE(fit.multiplicative);
    const qs::CovariateCoefficients cc = fit.coefficients();
    for (Eigen::Index j = 0; j < 2; ++j) {
      CHECK(std::fabs(fit.beta[j]) < 4.0 * cc.std_error[j]);
      CHECK(std::fabs(fit.beta[j]) < 0.03);
      if (std::fabs(fit.beta[j]) < 1.96 * cc.std_error[j]) ++within;
    }
  }
  CHECK(within >= 2 * reps - 3);
}

TEST_CASE("ETSX coefficients(): standard errors from Cov(beta), NaN where not estimated",
          "[models][ets][etsx]") {
  const Sim s = simulate(21, 200, 7, 8.0, -3.0);
  qs::RowMatrixXd x3(200, 3);
  x3.leftCols(2) = s.x.topRows(200);
  x3.col(2).setConstant(4.0);  // constant: not identifiable
  const qs::ETSXFitted f = qs::ETSX{7, "ANA", false, false}.fit(view(s.y, x3, 200, "c"));
  const qs::CovariateCoefficients cc = f.coefficients();
  REQUIRE(cc.coef.size() == 3);
  CHECK(cc.coef == f.beta);
  CHECK_THAT(cc.std_error[0], WithinRel(std::sqrt(f.beta_cov(0, 0)), 1e-15));
  CHECK_THAT(cc.std_error[1], WithinRel(std::sqrt(f.beta_cov(1, 1)), 1e-15));
  CHECK(cc.coef[2] == 0.0);
  CHECK(std::isnan(cc.std_error[2]));
}
