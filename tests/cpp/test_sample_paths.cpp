// Sample paths (FittedModel::sample_paths): per-step agreement with each model's own analytic
// quantiles, the closed-form variance of sums, count support, determinism and bad arguments.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"

namespace qs = quickstock;
using qs_test::day;
using qs_test::t2024;

namespace {

constexpr std::int64_t kPaths = 20000;

qs::Panel one_series(const std::vector<double>& y, const std::string& id = "s") {
  std::vector<std::string> ids(y.size(), id);
  std::vector<std::int64_t> ds(y.size());
  for (std::size_t t = 0; t < y.size(); ++t) ds[t] = t2024 + static_cast<std::int64_t>(t) * day;
  return qs::Panel::from_long(ids, ds, y, qs::Frequency::parse("D"));
}

/// Deterministic standard normals (Box–Muller on an LCG) for building test series.
struct TestNormals {
  std::uint64_t state;
  double uniform() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (static_cast<double>(state >> 11U) + 0.5) * 0x1.0p-53;
  }
  double normal() {
    const double u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

/// Largest |P̂(Y_j <= q_τ) − τ| over steps and levels, in units of the binomial standard error
/// sqrt(τ(1 − τ)/n), for continuous forecasts. `slack` is added to the error before dividing
/// (for models whose analytic quantiles are themselves an approximation).
double worst_z(const qs::Model& spec,
               const qs::Panel& panel,
               std::int64_t h,
               double slack = 0.0,
               bool nonnegative = false) {
  const std::vector<double> levels{0.05, 0.25, 0.5, 0.75, 0.95};
  const qs::FittedModel fitted(spec, panel, 1);
  const auto fc = fitted.forecast({h, levels, nonnegative}, 1);
  qs::PathRequest req;
  req.h = h;
  req.n_paths = kPaths;
  req.seed = 7;
  req.nonnegative = nonnegative;
  const auto paths = fitted.sample_paths(req, 1);
  REQUIRE(paths.simulation == "native");
  const Eigen::MatrixXd& p = paths.paths[0];
  REQUIRE(p.rows() == kPaths);
  REQUIRE(p.cols() == h);
  double worst = 0.0;
  for (std::int64_t j = 0; j < h; ++j) {
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const double q = fc.quantiles(0, static_cast<std::size_t>(j), l);
      const double hit = (p.col(j).array() <= q).cast<double>().mean();
      const double tau = levels[l];
      const double se = std::sqrt(tau * (1.0 - tau) / static_cast<double>(kPaths));
      // A quantile censored at 0 only says P(Y <= 0) >= τ.
      const double err = nonnegative && q <= 0.0 ? std::max(tau - hit, 0.0) : std::abs(hit - tau);
      worst = std::max(worst, std::max(err - slack, 0.0) / se);
    }
  }
  return worst;
}

/// For integer forecasts: every path value is a non-negative integer, and for every analytic
/// quantile q_τ (the smallest k with F(k) >= τ), P̂(Y <= q_τ) >= τ and P̂(Y <= q_τ − 1) < τ
/// within `z` binomial standard errors.
void check_counts(const qs::Model& spec, const qs::Panel& panel, std::int64_t h, double z = 4.5) {
  const std::vector<double> levels{0.1, 0.3, 0.5, 0.7, 0.9, 0.97};
  const qs::FittedModel fitted(spec, panel, 1);
  const auto fc = fitted.forecast({h, levels, true}, 1);
  qs::PathRequest req;
  req.h = h;
  req.n_paths = kPaths;
  req.seed = 11;
  const auto paths = fitted.sample_paths(req, 1);
  REQUIRE(paths.simulation == "native");
  const Eigen::MatrixXd& p = paths.paths[0];
  CHECK((p.array() >= 0.0).all());
  CHECK((p.array() == p.array().round()).all());
  for (std::int64_t j = 0; j < h; ++j) {
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const double q = fc.quantiles(0, static_cast<std::size_t>(j), l);
      const double tau = levels[l];
      const double se = std::sqrt(tau * (1.0 - tau) / static_cast<double>(kPaths));
      const double at = (p.col(j).array() <= q).cast<double>().mean();
      const double below = (p.col(j).array() <= q - 1.0).cast<double>().mean();
      INFO("step " << j << " level " << tau << " q " << q << " P(<=q) " << at << " P(<=q-1) "
                   << below);
      CHECK(at >= tau - z * se);
      CHECK(below <= tau + z * se);
    }
  }
}

std::vector<double> random_walk(std::size_t n, double sigma, std::uint64_t seed) {
  TestNormals g{seed};
  std::vector<double> y(n);
  double v = 500.0;
  for (auto& x : y) {
    v += sigma * g.normal();
    x = v;
  }
  return y;
}

std::vector<double> intermittent_counts(std::size_t n, std::uint64_t seed) {
  TestNormals g{seed};
  std::vector<double> y(n);
  for (auto& x : y) {
    const double u = g.uniform();
    x = u < 0.7 ? 0.0 : std::floor(1.0 + 6.0 * g.uniform());
  }
  return y;
}

}  // namespace

TEST_CASE("random walk: the sum over h steps has variance h(h+1)(2h+1)/6 sigma^2", "[paths]") {
  const auto y = random_walk(400, 3.0, 1);
  const auto panel = one_series(y);
  const qs::FittedModel fitted(qs::Naive{}, panel, 1);
  // Naive's sigma² is the mean squared one-step change.
  double sigma2 = 0.0;
  for (std::size_t t = 1; t < y.size(); ++t) sigma2 += (y[t] - y[t - 1]) * (y[t] - y[t - 1]);
  sigma2 /= static_cast<double>(y.size() - 1);
  const std::int64_t h = 10;
  qs::PathRequest req;
  req.h = h;
  req.n_paths = 40000;
  req.seed = 3;
  req.nonnegative = false;
  const Eigen::MatrixXd p = fitted.sample_paths(req, 1).paths[0];
  const Eigen::VectorXd sums = p.rowwise().sum();
  const double mean = sums.mean();
  const double var = (sums.array() - mean).square().sum() / static_cast<double>(sums.size() - 1);
  // Sum_j Y_j = h·y_n + Σ_i (h − i + 1)·e_i: variance σ²·Σ k² = σ²·h(h+1)(2h+1)/6 (385 σ² at
  // h = 10). Days drawn independently with the right marginals (variance j·σ²) would give
  // σ²·h(h+1)/2 (55 σ²), and independent draws of constant variance σ²·h.
  const double expected = static_cast<double>(h * (h + 1) * (2 * h + 1) / 6) * sigma2;
  const double independent = static_cast<double>(h * (h + 1) / 2) * sigma2;
  // The sample variance of n Normal draws has relative standard error sqrt(2 / (n − 1)).
  const double rel_se = std::sqrt(2.0 / static_cast<double>(sums.size() - 1));
  INFO("var " << var << " expected " << expected << " independent days " << independent);
  CHECK(std::abs(var / expected - 1.0) < 5.0 * rel_se);
  CHECK(std::abs(mean - static_cast<double>(h) * y.back()) <
        5.0 * std::sqrt(expected / static_cast<double>(sums.size())));
  CHECK(var > 5.0 * independent);
  // Step j alone has variance (j + 1)·σ² and Cov(step 0, step j) = σ².
  const double v0 = (p.col(0).array() - p.col(0).mean()).square().mean();
  const double v9 = (p.col(9).array() - p.col(9).mean()).square().mean();
  CHECK(std::abs(v0 / sigma2 - 1.0) < 0.05);
  CHECK(std::abs(v9 / (10.0 * sigma2) - 1.0) < 0.05);
}

TEST_CASE("per-step path quantiles agree with the analytic quantiles", "[paths]") {
  TestNormals g{5};
  // Level series with noise (ETS(A,N,N) and the baselines).
  std::vector<double> level(120);
  double l = 100.0;
  for (auto& x : level) {
    l += 1.5 * g.normal();
    x = l + 4.0 * g.normal();
  }
  // Trending quarterly-seasonal positive series with small multiplicative noise (M,A,M).
  std::vector<double> seasonal(96);
  const double idx[4] = {0.8, 1.1, 1.3, 0.8};
  for (std::size_t t = 0; t < seasonal.size(); ++t) {
    seasonal[t] = (200.0 + 1.5 * static_cast<double>(t)) * idx[t % 4] * (1.0 + 0.03 * g.normal());
  }
  // ARIMA(1,1,1): (1 − 0.6B)(1 − B) y = (1 + 0.3B) e.
  std::vector<double> arima(300);
  double w_prev = 0.0;
  double e_prev = 0.0;
  double yv = 300.0;
  for (auto& x : arima) {
    const double e = 2.0 * g.normal();
    const double w = 0.6 * w_prev + e + 0.3 * e_prev;
    yv += w;
    x = yv;
    w_prev = w;
    e_prev = e;
  }
  const auto p_level = one_series(level);
  const auto p_season = one_series(seasonal);
  const auto p_arima = one_series(arima);
  SECTION("ETS(A,N,N)") { CHECK(worst_z(qs::make_ets("ANN", 1, false), p_level, 12) < 4.5); }
  SECTION("ETS(A,Ad,N) and AutoETS") {
    CHECK(worst_z(qs::make_ets("AAN", 1, true), p_level, 12) < 4.5);
    CHECK(worst_z(qs::AutoETS{4, "ZZZ", std::nullopt}, p_season, 8, 0.01) < 4.5);
  }
  SECTION("ETS(M,A,M): simulated recursion vs the exact-moment Normal quantiles") {
    // The analytic quantiles are Normal with the exact mean and variance; the simulated
    // distribution is slightly skewed, hence a slack of 1.5 points of probability.
    CHECK(worst_z(qs::make_ets("MAM", 4, false), p_season, 8, 0.015) < 4.5);
  }
  SECTION("ARIMA(1,1,1) and AutoARIMA") {
    qs::ARIMA spec;
    spec.order = {1, 1, 1};
    CHECK(worst_z(spec, p_arima, 15) < 4.5);
    CHECK(worst_z(qs::AutoARIMA{}, p_arima, 15) < 4.5);
  }
  SECTION("baselines (Student t for HistoricAverage)") {
    CHECK(worst_z(qs::Naive{}, p_level, 10) < 4.5);
    CHECK(worst_z(qs::RandomWalkWithDrift{}, p_arima, 10) < 4.5);
    CHECK(worst_z(qs::SeasonalNaive{7}, p_level, 16) < 4.5);
    CHECK(worst_z(qs::HistoricAverage{}, one_series({3, 5, 4, 8, 6, 7, 9, 5}), 5) < 4.5);
    CHECK(worst_z(qs::WindowAverage{5}, p_level, 6) < 4.5);
    CHECK(worst_z(qs::SeasonalWindowAverage{7, 3}, p_level, 9) < 4.5);
  }
  SECTION("Theta family") {
    CHECK(worst_z(qs::Theta{1}, p_level, 10) < 4.5);
    CHECK(worst_z(qs::OptimizedTheta{1}, p_level, 10) < 4.5);
    CHECK(worst_z(qs::DynamicOptimizedTheta{1}, p_level, 10) < 4.5);
    CHECK(worst_z(qs::Theta{4}, p_season, 8) < 4.5);
    CHECK(worst_z(qs::DynamicTheta{4}, p_season, 8) < 4.5);
  }
  SECTION("MSTL: trend paths plus the seasonal naive components") {
    CHECK(worst_z(qs::make_mstl({4.0}), p_season, 8) < 4.5);
    CHECK(worst_z(qs::make_mstl({4.0}, qs::ARIMA{{0, 1, 1}, {}, 1}), p_season, 8) < 4.5);
  }
  SECTION("censoring at 0 matches forecast's censored quantiles") {
    std::vector<double> low(60);
    for (auto& x : low) x = std::max(0.0, 1.0 + 2.0 * g.normal());
    CHECK(worst_z(qs::Naive{}, one_series(low), 6, 0.0, true) < 4.5);
  }
}

TEST_CASE("Croston / TSB / ADIDA / CountRegression paths are counts from the predictive law",
          "[paths]") {
  const auto panel = one_series(intermittent_counts(200, 9));
  check_counts(qs::Croston{}, panel, 6);
  check_counts(qs::CrostonSBA{}, panel, 6);
  check_counts(qs::TSB{}, panel, 6);
  check_counts(qs::ADIDA{}, panel, 6);
  check_counts(qs::IMAPA{}, panel, 6);
  qs::CountRegression poisson;
  poisson.family = qs::CountFamily::poisson;
  poisson.season_length = 7;
  check_counts(poisson, panel, 14);
  qs::CountRegression negbin;
  negbin.zero_inflated = true;
  check_counts(negbin, panel, 5);
  // An all-zero series gives all-zero paths.
  const auto zeros = one_series(std::vector<double>(30, 0.0));
  const qs::FittedModel f(qs::Croston{}, zeros, 1);
  qs::PathRequest req;
  req.h = 4;
  req.n_paths = 100;
  CHECK((f.sample_paths(req, 1).paths[0].array() == 0.0).all());
}

TEST_CASE("paths are bit-identical for 1, 2 and 4 threads and depend on the seed", "[paths]") {
  const auto panel = qs_test::ragged_panel(13);
  const std::vector<qs::Model> specs{qs::Naive{},
                                     qs::RandomWalkWithDrift{},
                                     qs::AutoETS{7, "ZZZ", std::nullopt},
                                     qs::AutoARIMA{},
                                     qs::Theta{7},
                                     qs::Croston{},
                                     qs::CountRegression{},
                                     qs::make_mstl({7.0}),
                                     qs::make_ensemble({qs::Naive{}, qs::HistoricAverage{}}),
                                     qs::make_conformal(qs::Naive{}, 3, 5)};
  qs::PathRequest req;
  req.h = 9;
  req.n_paths = 300;
  req.seed = 42;
  for (const auto& spec : specs) {
    INFO(qs::to_string(spec));
    const qs::FittedModel f(spec, panel, 2);
    const auto a = f.sample_paths(req, 1);
    const auto b = f.sample_paths(req, 2);
    const auto c = f.sample_paths(req, 4);
    REQUIRE(a.paths.size() == 13);
    CHECK(a.ids == panel.ids());
    for (std::size_t i = 0; i < a.paths.size(); ++i) {
      CHECK(a.paths[i] == b.paths[i]);
      CHECK(a.paths[i] == c.paths[i]);
      CHECK(a.paths[i].allFinite());
      CHECK((a.paths[i].array() >= 0.0).all());
    }
    qs::PathRequest other = req;
    other.seed = 43;
    CHECK(f.sample_paths(other, 1).paths[3] != a.paths[3]);
  }
  const qs::FittedModel ens(qs::make_ensemble({qs::Naive{}, qs::HistoricAverage{}}), panel, 1);
  CHECK(ens.sample_paths(req, 1).simulation == "quantile_copula");
  const qs::FittedModel mstl_ens(
      qs::make_mstl({7.0}, qs::make_ensemble({qs::Naive{}, qs::HistoricAverage{}})), panel, 1);
  CHECK(mstl_ens.sample_paths(req, 1).simulation == "native (season) + quantile_copula (trend)");
}

TEST_CASE("the copula fallback follows the forecast quantiles", "[paths]") {
  const auto panel = one_series(random_walk(200, 2.0, 4));
  const qs::FittedModel f(qs::make_ensemble({qs::Naive{}, qs::HistoricAverage{}}), panel, 1);
  const std::vector<double> levels{0.1, 0.5, 0.9};
  const auto fc = f.forecast({5, levels, true}, 1);
  qs::PathRequest req;
  req.h = 5;
  req.n_paths = kPaths;
  const Eigen::MatrixXd p = f.sample_paths(req, 1).paths[0];
  for (Eigen::Index j = 0; j < 5; ++j) {
    for (std::size_t l = 0; l < levels.size(); ++l) {
      const double q = fc.quantiles(0, static_cast<std::size_t>(j), l);
      const double hit = (p.col(j).array() <= q).cast<double>().mean();
      // The copula's quantile function interpolates between the 199 grid levels.
      CHECK(std::abs(hit - levels[l]) < 0.02);
    }
  }
}

TEST_CASE("bad path requests name the argument", "[paths]") {
  const auto panel = qs_test::ragged_panel(3);
  const qs::FittedModel f(qs::Naive{}, panel, 1);
  auto field_of = [&](const qs::PathRequest& r) -> std::string {
    try {
      (void)f.sample_paths(r, 1);
    } catch (const qs::invalid_input& e) {
      return e.field();
    }
    return "accepted";
  };
  qs::PathRequest r;
  r.h = 5;
  r.n_paths = 0;
  CHECK(field_of(r) == "n_paths");
  r.n_paths = -3;
  CHECK(field_of(r) == "n_paths");
  r.n_paths = 10;
  r.h = 0;
  CHECK(field_of(r) == "h");
  r.h = 5;
  r.correlation = 1.0;
  CHECK(field_of(r) == "correlation");
  r.correlation = 0.0;
  r.n_paths = 100000000;  // 3 series × 1e8 × 5 values: above the 2e8 cap
  CHECK(field_of(r) == "n_paths");
}

TEST_CASE("degenerate series give finite, non-negative paths for every model", "[paths]") {
  const std::vector<qs::Model> specs{qs::Naive{},
                                     qs::SeasonalNaive{7},
                                     qs::HistoricAverage{},
                                     qs::WindowAverage{3},
                                     qs::SeasonalWindowAverage{7, 2},
                                     qs::RandomWalkWithDrift{},
                                     qs::make_ets("ANN", 1, false),
                                     qs::make_ets("MAM", 7, false),
                                     qs::AutoETS{7, "ZZZ", std::nullopt},
                                     qs::Croston{},
                                     qs::TSB{},
                                     qs::ADIDA{},
                                     qs::IMAPA{},
                                     qs::Theta{7},
                                     qs::DynamicOptimizedTheta{7},
                                     qs::AutoTheta{},
                                     qs::make_mstl({7.0}),
                                     qs::ARIMA{{1, 1, 1}, {}, 1},
                                     qs::AutoARIMA{},
                                     qs::CountRegression{},
                                     qs::make_ensemble({qs::Naive{}, qs::HistoricAverage{}}),
                                     qs::make_conformal(qs::Naive{}, 3, 5)};
  std::vector<double> spike(40, 2.0);
  spike[20] = 1e6;
  const std::vector<std::pair<std::string, std::vector<double>>> cases{
      {"one point", {5.0}},
      {"constant", std::vector<double>(30, 4.0)},
      {"all zero", std::vector<double>(30, 0.0)},
      {"shorter than the season", {1, 3, 2, 4}},
      {"huge spike", spike}};
  qs::PathRequest req;
  req.h = 10;
  req.n_paths = 200;
  for (const auto& spec : specs) {
    for (const auto& [name, y] : cases) {
      INFO(qs::to_string(spec) << " on " << name);
      const qs::FittedModel f(spec, one_series(y), 1);
      const auto out = f.sample_paths(req, 1);
      REQUIRE(out.paths.size() == 1);
      CHECK(out.paths[0].rows() == 200);
      CHECK(out.paths[0].allFinite());
      CHECK((out.paths[0].array() >= 0.0).all());
    }
  }
}
