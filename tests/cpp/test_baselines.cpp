#include <cmath>

#include <quickstock/detail/math.hpp>
#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"
#include "model_contract.hpp"

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;
using qs_test::day;
using qs_test::t2024;
using quickstock::Frequency;
using quickstock::Panel;

namespace {

Panel one_series(const std::vector<double>& y) {
  std::vector<std::string> ids(y.size(), "s");
  std::vector<std::int64_t> ds(y.size());
  for (std::size_t t = 0; t < y.size(); ++t) ds[t] = t2024 + static_cast<std::int64_t>(t) * day;
  return Panel::from_long(ids, ds, y, Frequency::parse("D"));
}

quickstock::SeriesForecast run(const quickstock::Model& spec,
                               const std::vector<double>& y,
                               std::int64_t h,
                               std::vector<double> q,
                               bool nonneg = false) {
  const auto p = one_series(y);
  const auto f = quickstock::FittedModel(spec, p, 1).forecast({h, q, nonneg}, 1);
  quickstock::SeriesForecast out{Eigen::VectorXd(h),
                                 Eigen::MatrixXd(h, static_cast<Eigen::Index>(q.size()))};
  for (std::int64_t j = 0; j < h; ++j) {
    const auto jj = static_cast<std::size_t>(j);
    out.mean[j] = f.mean(0, jj);
    for (std::size_t k = 0; k < q.size(); ++k) {
      out.quantiles(j, static_cast<Eigen::Index>(k)) = f.quantiles(0, jj, k);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every baseline passes the model contract", "[models][baselines][contract]") {
  const std::vector<quickstock::Model> specs{quickstock::Naive{},
                                             quickstock::SeasonalNaive{7},
                                             quickstock::HistoricAverage{},
                                             quickstock::WindowAverage{5},
                                             quickstock::SeasonalWindowAverage{7, 3},
                                             quickstock::RandomWalkWithDrift{}};
  for (const auto& s : specs) qs_test::check_model_contract(s);
}

TEST_CASE("closed forms", "[models][baselines]") {
  const std::vector<double> y{3, 5, 4, 8, 6, 7, 9, 5};
  SECTION("Naive: last value, sigma from one-step changes, sqrt(h) growth") {
    const auto f = run(quickstock::Naive{}, y, 4, {0.5, 0.975});
    double ss = 0;
    for (std::size_t t = 1; t < y.size(); ++t) ss += (y[t] - y[t - 1]) * (y[t] - y[t - 1]);
    const double sigma = std::sqrt(ss / 7.0);
    for (Eigen::Index j = 0; j < 4; ++j) {
      CHECK(f.mean[j] == 5.0);
      CHECK_THAT(f.quantiles(j, 0), WithinAbs(5.0, 1e-12));
      CHECK_THAT(f.quantiles(j, 1),
                 WithinRel(5.0 + 1.959963984540054 * sigma * std::sqrt(static_cast<double>(j + 1)),
                           1e-12));
    }
  }
  SECTION("HistoricAverage: mean and Student t interval") {
    const auto f = run(quickstock::HistoricAverage{}, y, 2, {0.9});
    const double mean = 47.0 / 8.0;
    double ss = 0;
    for (const double v : y) ss += (v - mean) * (v - mean);
    const double s = std::sqrt(ss / 7.0);
    const double t = quickstock::detail::student_t_quantile(0.9, 7.0);
    CHECK_THAT(f.mean[0], WithinRel(mean, 1e-14));
    CHECK_THAT(f.quantiles(1, 0), WithinRel(mean + t * s * std::sqrt(1.0 + 1.0 / 8.0), 1e-12));
    CHECK_THAT(t, WithinRel(1.414923927650509, 1e-12));  // R: print(qt(0.9, 7), digits = 16)
  }
  SECTION("WindowAverage: mean of the last k") {
    const auto f = run(quickstock::WindowAverage{3}, y, 3, {0.5});
    for (Eigen::Index j = 0; j < 3; ++j) CHECK_THAT(f.mean[j], WithinRel(7.0, 1e-14));
  }
  SECTION("SeasonalWindowAverage: per-position mean over the last k cycles") {
    // m = 2, k = 2: positions average (y[4], y[6]) = (6, 9) and (y[5], y[7]) = (7, 5).
    const auto f = run(quickstock::SeasonalWindowAverage{2, 2}, y, 4, {0.5});
    CHECK_THAT(f.mean[0], WithinRel(7.5, 1e-14));
    CHECK_THAT(f.mean[1], WithinRel(6.0, 1e-14));
    CHECK_THAT(f.mean[2], WithinRel(7.5, 1e-14));
  }
  SECTION("RandomWalkWithDrift: slope (y_n - y_1)/(n - 1)") {
    const auto f = run(quickstock::RandomWalkWithDrift{}, y, 3, {0.5});
    for (Eigen::Index j = 0; j < 3; ++j) {
      CHECK_THAT(f.mean[j], WithinRel(5.0 + static_cast<double>(j + 1) * 2.0 / 7.0, 1e-13));
    }
  }
  SECTION("RandomWalkWithDrift with zero drift still estimates one parameter") {
    // First and last values equal: drift exactly 0; sigma^2 = SSE / (n - 2) as R's lm.
    const std::vector<double> z{4, 6, 3, 7, 4};
    const auto f = run(quickstock::RandomWalkWithDrift{}, z, 1, {0.975});
    const double sse = 4 + 9 + 16 + 9;  // changes 2, -3, 4, -3 around mean 0
    const double sd = std::sqrt(sse / 3.0 + sse / 3.0 / 4.0);
    CHECK_THAT(f.quantiles(0, 0), WithinRel(4.0 + 1.959963984540054 * sd, 1e-12));
  }
  SECTION("window averages: interval from the in-sample errors of the same rule") {
    // Brute force: e_t = y_t - mean(y[t-j*m] for j = 1..min(k, t/m)), t >= m.
    for (const auto& [m, k] : std::vector<std::pair<int, int>>{{1, 3}, {2, 2}, {3, 1}}) {
      double sse = 0;
      int count = 0;
      for (int t = m; t < static_cast<int>(y.size()); ++t) {
        const int avail = std::min(k, t / m);
        double sum = 0;
        for (int j = 1; j <= avail; ++j) sum += y[static_cast<std::size_t>(t - j * m)];
        const double e = y[static_cast<std::size_t>(t)] - sum / avail;
        sse += e * e;
        ++count;
      }
      const quickstock::Model spec =
          m == 1 ? quickstock::Model{quickstock::WindowAverage{k}}
                 : quickstock::Model{quickstock::SeasonalWindowAverage{m, k}};
      const auto f = run(spec, y, 1, {0.5, 0.9});
      CHECK_THAT(f.quantiles(0, 1) - f.quantiles(0, 0),
                 WithinRel(1.2815515655446004 * std::sqrt(sse / count), 1e-12));
    }
  }
  SECTION("constant series: zero-width intervals") {
    const std::vector<double> c(10, 4.0);
    for (const quickstock::Model& m :
         {quickstock::Model{quickstock::Naive{}}, quickstock::Model{quickstock::SeasonalNaive{3}},
          quickstock::Model{quickstock::RandomWalkWithDrift{}}}) {
      const auto f = run(m, c, 5, {0.01, 0.99});
      CHECK(f.quantiles.minCoeff() == 4.0);
      CHECK(f.quantiles.maxCoeff() == 4.0);
    }
  }
}

TEST_CASE("non-negative demand: quantiles are censored at zero", "[models][baselines]") {
  const std::vector<double> y{0, 0, 9, 0, 0, 1, 0};
  const auto raw = run(quickstock::Naive{}, y, 3, {0.1, 0.5, 0.9}, false);
  const auto cut = run(quickstock::Naive{}, y, 3, {0.1, 0.5, 0.9}, true);
  CHECK(raw.quantiles(0, 0) < 0.0);
  CHECK(cut.quantiles(0, 0) == 0.0);
  CHECK(cut.quantiles(0, 2) == raw.quantiles(0, 2));
}

TEST_CASE("documented fallbacks for short series", "[models][baselines]") {
  const auto p = one_series({2, 3, 4});
  const quickstock::FittedModel snaive(quickstock::SeasonalNaive{7}, p, 1);
  CHECK(snaive.fallbacks()[0].rfind("Naive", 0) == 0);
  const auto f = snaive.forecast({2, {0.5}, true}, 1);
  CHECK(f.mean(0, 0) == 4.0);
  const quickstock::FittedModel swa(quickstock::SeasonalWindowAverage{7, 2}, p, 1);
  CHECK(swa.fallbacks()[0].rfind("WindowAverage", 0) == 0);
}

TEST_CASE("spec parameters are validated", "[models][baselines][errors]") {
  const auto p = one_series({1, 2, 3});
  try {
    (void)quickstock::FittedModel(quickstock::SeasonalNaive{0}, p, 1);
    FAIL("season_length 0 accepted");
  } catch (const quickstock::invalid_input& e) {
    CHECK(e.field() == "season_length");
  }
  CHECK_THROWS_AS(quickstock::FittedModel(quickstock::WindowAverage{-1}, p, 1),
                  quickstock::invalid_input);
  CHECK_THROWS_AS(quickstock::FittedModel(quickstock::SeasonalWindowAverage{7, 0}, p, 1),
                  quickstock::invalid_input);
}

TEST_CASE("model names and specs print", "[models]") {
  CHECK(quickstock::model_name(quickstock::SeasonalWindowAverage{7, 2}) == "SeasonalWindowAverage");
  CHECK(quickstock::to_string(quickstock::SeasonalNaive{24}) == "SeasonalNaive(season_length=24)");
}
