#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <quickstock/eval/metrics.hpp>

#include "catch.hpp"

using Catch::Matchers::WithinRel;
using quickstock::ForecastColumn;
using quickstock::QuantileForecast;
using quickstock::RaggedSeries;

namespace {

/// Owns the arrays behind a RaggedSeries built from nested vectors.
struct Ragged {
  std::vector<double> values;
  std::vector<std::int64_t> offsets{0};
  std::vector<std::string> ids;

  explicit Ragged(const std::vector<std::vector<double>>& series) {
    for (std::size_t i = 0; i < series.size(); ++i) {
      values.insert(values.end(), series[i].begin(), series[i].end());
      offsets.push_back(static_cast<std::int64_t>(values.size()));
      ids.push_back("S" + std::to_string(i + 1));
    }
  }
  [[nodiscard]] RaggedSeries view(std::string field = "y") const {
    return RaggedSeries{values.data(), offsets.data(), ids.size(),
                        ids.data(),    nullptr,        std::move(field)};
  }
};

std::vector<double> flat(const std::vector<std::vector<double>>& series) {
  std::vector<double> out;
  for (const auto& s : series) out.insert(out.end(), s.begin(), s.end());
  return out;
}

template <class Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const quickstock::invalid_input& e) {
    return e.what();
  }
  return "no error";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();

}  // namespace

TEST_CASE("point metrics: closed forms", "[eval][metrics]") {
  // S1: errors +1, -1, +2 (y - f); S2: y = f = 0 then y = 2, f = 0.
  const Ragged y({{3, 5, 4}, {0, 2}});
  const auto f = flat({{2, 6, 2}, {0, 0}});
  const ForecastColumn fc{f.data(), "mean"};

  const auto a = quickstock::mae(y.view(), fc);
  REQUIRE_THAT(a[0], WithinRel(4.0 / 3.0, 1e-15));
  REQUIRE_THAT(a[1], WithinRel(1.0, 1e-15));

  const auto r = quickstock::rmse(y.view(), fc);
  REQUIRE_THAT(r[0], WithinRel(std::sqrt(2.0), 1e-15));
  REQUIRE_THAT(r[1], WithinRel(std::sqrt(2.0), 1e-15));

  SECTION("sMAPE: 200|e|/(|y|+|f|), 0/0 counts 0") {
    const auto s = quickstock::smape(y.view(), fc);
    REQUIRE_THAT(s[0], WithinRel((200.0 / 5 + 200.0 / 11 + 400.0 / 6) / 3.0, 1e-14));
    REQUIRE_THAT(s[1], WithinRel((0.0 + 200.0) / 2.0, 1e-15));
  }
  SECTION("WAPE: sum|e| / sum|y|; 0/0 is 0; x/0 is an error") {
    const auto w = quickstock::wape(y.view(), fc);
    REQUIRE_THAT(w[0], WithinRel(4.0 / 12.0, 1e-15));
    REQUIRE_THAT(w[1], WithinRel(1.0, 1e-15));
    const Ragged zeros({{0, 0}});
    const std::vector<double> exact{0, 0};
    CHECK(quickstock::wape(zeros.view(), {exact.data()})[0] == 0.0);
    const std::vector<double> off{0, 1};
    const auto msg = error_of([&] { (void)quickstock::wape(zeros.view(), {off.data()}); });
    CHECK(contains(msg, "series \"S1\""));
    CHECK(contains(msg, "WAPE is undefined"));
  }
}

TEST_CASE("scales from in-sample data", "[eval][metrics]") {
  const Ragged train({{1, 2, 3, 5, 4}, {0, 0, 2, 4, 1}});
  SECTION("mean absolute lag-m difference (M4 MASE scale)") {
    const auto s1 = quickstock::mean_absolute_scale(train.view("train"), {1, false});
    REQUIRE_THAT(s1[0], WithinRel((1.0 + 1 + 2 + 1) / 4.0, 1e-15));
    REQUIRE_THAT(s1[1], WithinRel((0.0 + 2 + 2 + 3) / 4.0, 1e-15));
    const auto s2 = quickstock::mean_absolute_scale(train.view("train"), {2, false});
    REQUIRE_THAT(s2[0], WithinRel((2.0 + 3 + 1) / 3.0, 1e-15));
  }
  SECTION("leading zeros skipped (M5): differences start at the first non-zero value") {
    const auto s = quickstock::mean_absolute_scale(train.view("train"), {1, true});
    REQUIRE_THAT(s[1], WithinRel((2.0 + 3) / 2.0, 1e-15));
    const auto r = quickstock::root_mean_squared_scale(train.view("train"), {1, true});
    REQUIRE_THAT(r[1], WithinRel(std::sqrt((4.0 + 9) / 2.0), 1e-15));
    REQUIRE_THAT(r[0], WithinRel(std::sqrt((1.0 + 1 + 4 + 1) / 4.0), 1e-15));
  }
  SECTION("too short, all zero, non-finite: errors name the series") {
    const Ragged short_train({{1, 2, 3}});
    auto msg = error_of([&] {
      (void)quickstock::mean_absolute_scale(short_train.view("train"), {3, false});
    });
    CHECK(contains(msg, "series \"S1\" field \"train\""));
    CHECK(contains(msg, "at least m + 1 = 4"));
    const Ragged zero_train({{1, 2}, {0, 0, 0}});
    msg = error_of([&] {
      (void)quickstock::root_mean_squared_scale(zero_train.view("train"), {1, true});
    });
    CHECK(contains(msg, "series \"S2\""));
    CHECK(contains(msg, "no non-zero"));
    const Ragged bad({{1, 2}, {3, not_a_number, 4}});
    msg = error_of([&] { (void)quickstock::mean_absolute_scale(bad.view("train"), {1, false}); });
    CHECK(contains(msg, "series \"S2\" row 3 field \"train\""));
    CHECK_THROWS_AS(quickstock::mean_absolute_scale(bad.view(), {0, false}),
                    quickstock::invalid_input);
  }
}

TEST_CASE("scaled metrics: MASE, RMSSE, and zero scales", "[eval][metrics]") {
  const Ragged y({{3, 5}, {4}});
  const auto f = flat({{4, 4}, {1}});
  const std::vector<double> scale{2.0, 1.5};
  const auto m = quickstock::mase(y.view(), {f.data()}, scale);
  REQUIRE_THAT(m[0], WithinRel(0.5, 1e-15));
  REQUIRE_THAT(m[1], WithinRel(2.0, 1e-15));
  const auto r = quickstock::rmsse(y.view(), {f.data()}, scale);
  REQUIRE_THAT(r[0], WithinRel(0.5, 1e-15));
  REQUIRE_THAT(r[1], WithinRel(2.0, 1e-15));

  const std::vector<double> zero{2.0, 0.0};
  const auto msg = error_of([&] { (void)quickstock::mase(y.view(), {f.data()}, zero); });
  CHECK(contains(msg, "series \"S2\" field \"scale\""));
  CHECK(contains(msg, "finite and > 0"));
  CHECK_THROWS_AS(quickstock::rmsse(y.view(), {f.data()}, {1.0}), quickstock::invalid_input);
}

TEST_CASE("quantile metrics: pinball, scaled pinball, CRPS", "[eval][metrics]") {
  const Ragged y({{10, 0}});
  const auto q = flat({{8, 1}});  // under by 2, over by 1
  SECTION("pinball at tau: tau*u for u = y - q >= 0, (tau - 1)*u otherwise") {
    const auto p = quickstock::pinball(y.view(), {q.data()}, 0.9);
    REQUIRE_THAT(p[0], WithinRel((0.9 * 2 + 0.1 * 1) / 2.0, 1e-15));
    const auto p5 = quickstock::pinball(y.view(), {q.data()}, 0.5);
    REQUIRE_THAT(p5[0], WithinRel(0.5 * quickstock::mae(y.view(), {q.data()})[0], 1e-15));
    const auto s = quickstock::scaled_pinball(y.view(), {q.data()}, 0.9, {0.5});
    REQUIRE_THAT(s[0], WithinRel(p[0] / 0.5, 1e-15));
    CHECK_THROWS_AS(quickstock::pinball(y.view(), {q.data()}, 1.0), quickstock::invalid_input);
  }
  SECTION("CRPS from quantiles = 2 x mean pinball over the levels") {
    // Two levels; row-major n_values x 2.
    const std::vector<double> qs{8, 12, 1, 3};
    const QuantileForecast fq{qs.data(), {0.25, 0.75}, {"p25", "p75"}};
    const double pin25 = (0.25 * 2 + 0.75 * 1) / 2.0;
    const double pin75 = (0.25 * 2 + 0.25 * 3) / 2.0;
    const auto c = quickstock::crps(y.view(), fq);
    REQUIRE_THAT(c[0], WithinRel(pin25 + pin75, 1e-15));
    // A point forecast as a single median: CRPS = MAE.
    const QuantileForecast med{q.data(), {0.5}, {}};
    REQUIRE_THAT(quickstock::crps(y.view(), med)[0],
                 WithinRel(quickstock::mae(y.view(), {q.data()})[0], 1e-15));
    const QuantileForecast unsorted{qs.data(), {0.75, 0.25}, {}};
    CHECK_THROWS_AS(quickstock::crps(y.view(), unsorted), quickstock::invalid_input);
    const std::vector<double> bad{8, 12, 1, not_a_number};
    const auto msg = error_of([&] {
      (void)quickstock::crps(y.view(), QuantileForecast{bad.data(), {0.25, 0.75}, {"p25", "p75"}});
    });
    CHECK(contains(msg, "series \"S1\" row 1 field \"p75\""));
  }
  SECTION("CRPS of many evenly spaced quantiles of N(0, 1) tends to the closed form") {
    // For a standard normal forecast, CRPS(y = 0) = 2 phi(0) - 1/sqrt(pi) = (sqrt 2 - 1)/sqrt(pi).
    const Ragged zero(std::vector<std::vector<double>>{{0.0}});
    const int n = 1999;
    std::vector<double> levels(n);
    std::vector<double> values(n);
    for (int j = 0; j < n; ++j) {
      levels[static_cast<std::size_t>(j)] = (j + 1.0) / (n + 1.0);
      // Inverse normal by bisection on erfc (no Boost needed here).
      double lo = -10;
      double hi = 10;
      for (int it = 0; it < 200; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (0.5 * std::erfc(-mid / std::sqrt(2.0)) < levels[static_cast<std::size_t>(j)]) {
          lo = mid;
        } else {
          hi = mid;
        }
      }
      values[static_cast<std::size_t>(j)] = 0.5 * (lo + hi);
    }
    const QuantileForecast fq{values.data(), levels, {}};
    const double exact = (std::sqrt(2.0) - 1.0) / std::sqrt(std::acos(-1.0));
    REQUIRE_THAT(quickstock::crps(zero.view(), fq)[0], WithinRel(exact, 2e-3));
  }
  SECTION("WSPL = sum of weights x mean SPL over levels") {
    const std::vector<double> qs{8, 12, 1, 3};
    const QuantileForecast fq{qs.data(), {0.25, 0.75}, {}};
    const double pin25 = (0.25 * 2 + 0.75 * 1) / 2.0;
    const double pin75 = (0.25 * 2 + 0.25 * 3) / 2.0;
    const double w = quickstock::wspl(y.view(), fq, {2.0}, {0.5});
    REQUIRE_THAT(w, WithinRel(0.5 * (pin25 + pin75) / 2.0 / 2.0, 1e-15));
    CHECK_THROWS_AS(quickstock::wspl(y.view(), fq, {2.0}, {-1.0}), quickstock::invalid_input);
  }
}

TEST_CASE("interval metrics: coverage and MSIS (M4)", "[eval][metrics]") {
  const Ragged y({{5, 1, 12, 7}});
  const auto lo = flat({{4, 2, 4, 7}});
  const auto hi = flat({{6, 6, 10, 9}});
  const ForecastColumn l{lo.data(), "p2.5"};
  const ForecastColumn u{hi.data(), "p97.5"};
  const auto c = quickstock::coverage(y.view(), l, u);
  REQUIRE_THAT(c[0], WithinRel(0.5, 1e-15));  // 5 in, 1 below, 12 above, 7 on the bound
  const double alpha = 0.05;
  const double widths = 2 + 4 + 6 + 2;
  const double penalties = 2 / alpha * (2 - 1) + 2 / alpha * (12 - 10);
  const auto m = quickstock::msis(y.view(), l, u, alpha, {3.0});
  REQUIRE_THAT(m[0], WithinRel((widths + penalties) / 4.0 / 3.0, 1e-14));

  const auto swapped = error_of([&] { (void)quickstock::coverage(y.view(), u, l); });
  CHECK(contains(swapped, "series \"S1\" row 0 field \"p97.5\""));
  CHECK(contains(swapped, "above the upper bound"));
  CHECK_THROWS_AS(quickstock::msis(y.view(), l, u, 1.5, {3.0}), quickstock::invalid_input);
}

TEST_CASE("WRMSSE = sum of weights x RMSSE", "[eval][metrics]") {
  const Ragged y({{3, 5}, {4}});
  const auto f = flat({{4, 4}, {1}});
  const double w = quickstock::wrmsse(y.view(), {f.data()}, {2.0, 1.5}, {0.25, 0.75});
  REQUIRE_THAT(w, WithinRel(0.25 * 0.5 + 0.75 * 2.0, 1e-15));
  const auto msg = error_of([&] {
    (void)quickstock::wrmsse(y.view(), {f.data()}, {2.0, 1.5}, {0.25, not_a_number});
  });
  CHECK(contains(msg, "series \"S2\" field \"weight\""));
}

TEST_CASE("bad input names the series, row and field", "[eval][metrics]") {
  const Ragged y({{1, 2}, {3, not_a_number}});
  const auto f = flat({{1, 2}, {3, 4}});
  auto msg = error_of([&] { (void)quickstock::mae(y.view(), {f.data(), "mean"}); });
  CHECK(contains(msg, "series \"S2\" row 3 field \"y\": actual value must be finite (got nan)"));

  const Ragged ok({{1, 2}, {3, 4}});
  auto g = f;
  g[1] = std::numeric_limits<double>::infinity();
  msg = error_of([&] { (void)quickstock::smape(ok.view(), {g.data(), "mean"}); });
  CHECK(contains(msg, "series \"S1\" row 1 field \"mean\""));

  SECTION("caller rows are reported when given") {
    const std::vector<std::int64_t> rows{10, 11, 12, 13};
    auto v = ok.view();
    v.rows = rows.data();
    msg = error_of([&] { (void)quickstock::rmse(v, {g.data(), "mean"}); });
    CHECK(contains(msg, "row 11"));
  }
  SECTION("an empty series has nothing to evaluate") {
    const Ragged empty({{1.0}, {}});
    msg = error_of([&] { (void)quickstock::mae(empty.view(), {f.data()}); });
    CHECK(contains(msg, "series \"S2\""));
    CHECK(contains(msg, "no values to evaluate"));
  }
  SECTION("series without names are named by index") {
    auto v = y.view();
    v.ids = nullptr;
    msg = error_of([&] { (void)quickstock::mae(v, {f.data()}); });
    CHECK(contains(msg, "series \"#1\""));
  }
}

TEST_CASE("metrics are bit-identical for any thread count", "[eval][metrics]") {
  std::vector<std::vector<double>> ys;
  std::vector<std::vector<double>> fs;
  std::uint64_t state = 7;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>((state >> 33) % 1000) / 10.0;
  };
  for (int i = 0; i < 57; ++i) {
    std::vector<double> a;
    std::vector<double> b;
    for (int t = 0; t < 5 + i % 11; ++t) {
      a.push_back(next() + 1.0);
      b.push_back(next() + 1.0);
    }
    ys.push_back(a);
    fs.push_back(b);
  }
  const Ragged y(ys);
  const auto f = flat(fs);
  const auto scale1 = quickstock::root_mean_squared_scale(y.view(), {1, false}, 1);
  const auto scale4 = quickstock::root_mean_squared_scale(y.view(), {1, false}, 4);
  CHECK(scale1 == scale4);
  CHECK(quickstock::mae(y.view(), {f.data()}, 1) == quickstock::mae(y.view(), {f.data()}, 4));
  CHECK(quickstock::smape(y.view(), {f.data()}, 1) == quickstock::smape(y.view(), {f.data()}, 3));
  const std::vector<double> weights(ys.size(), 1.0 / static_cast<double>(ys.size()));
  CHECK(quickstock::wrmsse(y.view(), {f.data()}, scale1, weights, 1) ==
        quickstock::wrmsse(y.view(), {f.data()}, scale1, weights, 0));
  const std::vector<double> levels{0.1, 0.5, 0.9};
  std::vector<double> q;
  for (double v : f) q.insert(q.end(), {v - 1.0, v, v + 1.0});
  const QuantileForecast fq{q.data(), levels, {}};
  CHECK(quickstock::crps(y.view(), fq, 1) == quickstock::crps(y.view(), fq, 4));
}
