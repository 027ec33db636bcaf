// quickstock::recommend_orders: the newsvendor closed form and parameter errors, from C++.

#include <cmath>
#include <string>
#include <vector>

#include <quickstock/detail/math.hpp>
#include <quickstock/quickstock.hpp>

#include "catch.hpp"

namespace qs = quickstock;
using Catch::Matchers::WithinRel;

namespace {

/// One series, `h` steps, each Normal(mu, sigma) at levels 0.01 … 0.99.
xt::xtensor<double, 3> normal_quantiles(std::size_t h,
                                        double mu,
                                        double sigma,
                                        std::vector<double>& levels) {
  levels.clear();
  for (int k = 1; k < 100; ++k) levels.push_back(static_cast<double>(k) / 100.0);
  xt::xtensor<double, 3> q = xt::xtensor<double, 3>::from_shape({1, h, levels.size()});
  for (std::size_t j = 0; j < h; ++j) {
    for (std::size_t k = 0; k < levels.size(); ++k) {
      q(0, j, k) = mu + sigma * qs::detail::normal_quantile(levels[k]);
    }
  }
  return q;
}

}  // namespace

TEST_CASE("one day with nothing on hand orders the critical-ratio quantile", "[inventory]") {
  std::vector<double> levels;
  const auto q = normal_quantiles(1, 100.0, 20.0, levels);
  qs::InventoryParams p;
  p.price = 10.0;
  p.cost = 1.0;  // critical ratio 0.9, a quantile column of the forecast
  const auto d = qs::recommend_orders(levels, q, {p}, {"a"});
  REQUIRE(d.size() == 1);
  CHECK_THAT(d[0].critical_ratio, WithinRel(0.9, 1e-12));
  CHECK_THAT(d[0].order_qty, WithinRel(q(0, 0, 89), 1e-12));
  CHECK(d[0].stockout_prob > 0.09);
  CHECK(d[0].stockout_prob < 0.11);
  CHECK(d[0].fill_rate > 0.95);
}

TEST_CASE("two independent days: the order covers the sum, less than summed quantiles",
          "[inventory]") {
  std::vector<double> levels;
  const auto q = normal_quantiles(2, 50.0, 10.0, levels);
  qs::InventoryParams p;
  p.price = 10.0;
  p.cost = 1.0;
  p.shelf_life = 2;
  p.review_period = 2;
  qs::PathOptions o;
  o.n_paths = 40000;
  const auto d1 = qs::recommend_orders(levels, q, {p}, {"a"}, o, 1);
  const auto d2 = qs::recommend_orders(levels, q, {p}, {"a"}, o, 2);
  CHECK(d1[0] == d2[0]);
  const double want = 100.0 + qs::detail::normal_quantile(0.9) * 10.0 * std::sqrt(2.0);
  CHECK_THAT(d1[0].order_qty, WithinRel(want, 0.01));
}

TEST_CASE("bad parameters name the field and series", "[inventory]") {
  std::vector<double> levels;
  const auto q = normal_quantiles(1, 10.0, 2.0, levels);
  qs::InventoryParams p;
  p.price = 5.0;
  p.cost = 6.0;
  try {
    (void)qs::recommend_orders(levels, q, {p}, {"HYD-500081/curd"});
    FAIL("cost above price accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "cost");
    CHECK(e.series_id() == "HYD-500081/curd");
  }
  p.cost = 1.0;
  p.lead_time = 3;
  try {
    (void)qs::recommend_orders(levels, q, {p}, {"a"});
    FAIL("forecast shorter than the lead time accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "h");
  }
}
