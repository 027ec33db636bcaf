#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <vector>

#include <quickstock/error.hpp>
#include <quickstock/features/window.hpp>

#include "catch.hpp"

using Catch::Matchers::WithinRel;
using quickstock::RaggedColumn;
using quickstock::WindowOptions;
using quickstock::WindowStat;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

/// Owns the arrays behind a RaggedColumn built from nested vectors.
struct Column {
  std::vector<double> values;
  std::vector<std::int64_t> offsets{0};

  explicit Column(const std::vector<std::vector<double>>& series) {
    for (const auto& s : series) {
      values.insert(values.end(), s.begin(), s.end());
      offsets.push_back(static_cast<std::int64_t>(values.size()));
    }
  }
  [[nodiscard]] RaggedColumn view() const {
    return {values.data(), offsets.data(), offsets.size() - 1};
  }
};

/// Equal values, NaN where expected is NaN, relative tolerance 1e-12 elsewhere.
void check_equal(const std::vector<double>& got, const std::vector<double>& expected) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("position " << i << ": got " << got[i] << ", expected " << expected[i]);
    if (std::isnan(expected[i])) {
      REQUIRE(std::isnan(got[i]));
    } else if (expected[i] == 0.0) {
      REQUIRE(std::abs(got[i]) < 1e-12);
    } else {
      REQUIRE_THAT(got[i], WithinRel(expected[i], 1e-12));
    }
  }
}

WindowOptions opts(WindowStat stat, std::int64_t min_periods, std::int64_t lag, double q = 0.5) {
  WindowOptions o;
  o.stat = stat;
  o.min_periods = min_periods;
  o.lag = lag;
  o.q = q;
  return o;
}

/// Bitwise equality (NaN equal to NaN).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

}  // namespace

TEST_CASE("lag shifts each series on its own", "[features][window]") {
  const Column c({{1, 2, 3, 4}, {10, 20}, {}});
  check_equal(quickstock::lag(c.view(), 1), {NaN, 1, 2, 3, NaN, 10});
  check_equal(quickstock::lag(c.view(), 2), {NaN, NaN, 1, 2, NaN, NaN});
  check_equal(quickstock::lag(c.view(), -1), {2, 3, 4, NaN, 20, NaN});
  check_equal(quickstock::lag(c.view(), 0), {1, 2, 3, 4, 10, 20});
}

TEST_CASE("rolling statistics: closed forms", "[features][window]") {
  const Column c({{1, 2, 3, 4, 10}, {5, 7}});
  SECTION("mean") {
    check_equal(quickstock::rolling(c.view(), 3, opts(WindowStat::mean, 1, 0)),
                {1, 1.5, 2, 3, 17.0 / 3, 5, 6});
    check_equal(quickstock::rolling(c.view(), 3, opts(WindowStat::mean, 3, 0)),
                {NaN, NaN, 2, 3, 17.0 / 3, NaN, NaN});
  }
  SECTION("mean shifted by one: the previous three values") {
    check_equal(quickstock::rolling(c.view(), 3, opts(WindowStat::mean, 1, 1)),
                {NaN, 1, 1.5, 2, 3, NaN, 5});
  }
  SECTION("std with ddof = 1") {
    check_equal(quickstock::rolling(c.view(), 2, opts(WindowStat::std, 1, 0)),
                {NaN, std::sqrt(0.5), std::sqrt(0.5), std::sqrt(0.5), std::sqrt(18.0), NaN,
                 std::sqrt(2.0)});
  }
  SECTION("min and max") {
    check_equal(quickstock::rolling(c.view(), 2, opts(WindowStat::min, 1, 0)),
                {1, 1, 2, 3, 4, 5, 5});
    check_equal(quickstock::rolling(c.view(), 2, opts(WindowStat::max, 2, 0)),
                {NaN, 2, 3, 4, 10, NaN, 7});
  }
  SECTION("quantile, linear interpolation") {
    // windows {1, 2, 3}, {2, 3, 4}, {3, 4, 10} at q = 0.25: 1.5, 2.5, 3.5
    check_equal(quickstock::rolling(c.view(), 3, opts(WindowStat::quantile, 3, 0, 0.25)),
                {NaN, NaN, 1.5, 2.5, 3.5, NaN, NaN});
    check_equal(quickstock::rolling(c.view(), 3, opts(WindowStat::quantile, 1, 0, 1.0)),
                {1, 2, 3, 4, 10, 5, 7});
  }
}

TEST_CASE("NaN inputs are skipped and not counted", "[features][window]") {
  const Column c({{1, NaN, 3, NaN, NaN, 6}});
  check_equal(quickstock::rolling(c.view(), 3, opts(WindowStat::mean, 1, 0)), {1, 1, 2, 3, 3, 6});
  check_equal(quickstock::rolling(c.view(), 3, opts(WindowStat::mean, 2, 0)),
              {NaN, NaN, 2, NaN, NaN, NaN});
  check_equal(quickstock::rolling(c.view(), 3, opts(WindowStat::max, 1, 0)), {1, 1, 3, 3, 3, 6});
  check_equal(quickstock::rolling(c.view(), 3, opts(WindowStat::std, 1, 0)),
              {NaN, NaN, std::sqrt(2.0), NaN, NaN, NaN});
  check_equal(quickstock::expanding(c.view(), opts(WindowStat::mean, 1, 0)),
              {1, 1, 2, 2, 2, 10.0 / 3});
}

TEST_CASE("constant windows give exact results", "[features][window]") {
  const Column c({{0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1}});
  const auto m = quickstock::rolling(c.view(), 3, opts(WindowStat::mean, 1, 0));
  const auto s = quickstock::rolling(c.view(), 3, opts(WindowStat::std, 2, 0));
  for (std::size_t i = 0; i < m.size(); ++i) REQUIRE(m[i] == 0.1);
  for (std::size_t i = 1; i < s.size(); ++i) REQUIRE(s[i] == 0.0);
}

TEST_CASE("expanding statistics", "[features][window]") {
  const Column c({{4, 1, 3, 2}, {7}});
  check_equal(quickstock::expanding(c.view(), opts(WindowStat::mean, 1, 0)),
              {4, 2.5, 8.0 / 3, 2.5, 7});
  check_equal(quickstock::expanding(c.view(), opts(WindowStat::min, 1, 1)), {NaN, 4, 1, 1, NaN});
  check_equal(quickstock::expanding(c.view(), opts(WindowStat::max, 2, 0)), {NaN, 4, 4, 4, NaN});
  check_equal(quickstock::expanding(c.view(), opts(WindowStat::std, 1, 0)),
              {NaN, std::sqrt(4.5), std::sqrt(7.0 / 3), std::sqrt(5.0 / 3), NaN});
  check_equal(quickstock::expanding(c.view(), opts(WindowStat::quantile, 1, 0, 0.5)),
              {4, 2.5, 3, 2.5, 7});
}

TEST_CASE("seasonal rolling uses y[t], y[t-m], ...", "[features][window]") {
  // m = 2: phases {1, 3, 5, 7} and {2, 4, 6}
  const Column c({{1, 2, 3, 4, 5, 6, 7}});
  check_equal(quickstock::seasonal_rolling(c.view(), 2, 2, opts(WindowStat::mean, 1, 0)),
              {1, 2, 2, 3, 4, 5, 6});
  // shifted by m: the mean of the two previous same-phase values
  check_equal(quickstock::seasonal_rolling(c.view(), 2, 2, opts(WindowStat::mean, 2, 2)),
              {NaN, NaN, NaN, NaN, 2, 3, 4});
  check_equal(quickstock::seasonal_rolling(c.view(), 3, 3, opts(WindowStat::max, 1, 0)),
              {1, 2, 3, 4, 5, 6, 7});
  check_equal(quickstock::seasonal_rolling(c.view(), 2, 3, opts(WindowStat::std, 3, 0)),
              {NaN, NaN, NaN, NaN, 2, 2, 2});
}

TEST_CASE("ewm mean with adjust=False", "[features][window]") {
  const Column c({{1, 2, NaN, 4}, {NaN, 3}});
  const double a = 0.5;
  const double m1 = 0.5 * 1 + 0.5 * 2;  // 1.5
  // after one NaN, the old weight is (1 - a)^2 against a for the new value
  const double m3 = (0.25 * m1 + 0.5 * 4) / (0.25 + 0.5);
  check_equal(quickstock::ewm_mean(c.view(), a), {1, m1, m1, m3, NaN, 3});
  check_equal(quickstock::ewm_mean(c.view(), a, 1, 1), {NaN, 1, m1, m1, NaN, NaN});
  check_equal(quickstock::ewm_mean(c.view(), a, 3), {NaN, NaN, NaN, m3, NaN, NaN});
}

TEST_CASE("lags longer than a series give NaN", "[features][window]") {
  const Column c({{1, 2}, {3}});
  check_equal(quickstock::rolling(c.view(), 2, opts(WindowStat::mean, 1, 5)), {NaN, NaN, NaN});
  check_equal(quickstock::expanding(c.view(), opts(WindowStat::max, 1, 2)), {NaN, NaN, NaN});
  check_equal(quickstock::ewm_mean(c.view(), 0.3, 1, 3), {NaN, NaN, NaN});
}

TEST_CASE("bad arguments name the field", "[features][window]") {
  const Column c({{1, 2, 3}});
  auto field_of = [](auto&& fn) {
    try {
      fn();
    } catch (const quickstock::invalid_input& e) {
      return e.field();
    }
    return std::string("<no error>");
  };
  REQUIRE(field_of([&] { (void)quickstock::rolling(c.view(), 0, opts(WindowStat::mean, 0, 0)); }) ==
          "window");
  REQUIRE(field_of([&] { (void)quickstock::rolling(c.view(), 2, opts(WindowStat::mean, 3, 0)); }) ==
          "min_periods");
  REQUIRE(field_of([&] {
            (void)quickstock::rolling(c.view(), 2, opts(WindowStat::mean, 1, -1));
          }) == "lag");
  REQUIRE(field_of([&] {
            (void)quickstock::rolling(c.view(), 2, opts(WindowStat::quantile, 1, 0, 1.5));
          }) == "q");
  REQUIRE(field_of([&] {
            (void)quickstock::seasonal_rolling(c.view(), 0, 2, opts(WindowStat::mean, 1, 0));
          }) == "season_length");
  REQUIRE(field_of([&] { (void)quickstock::ewm_mean(c.view(), 0.0); }) == "alpha");
  REQUIRE(field_of([&] { (void)quickstock::parse_window_stat("median"); }) == "stats");
  const std::vector<std::int64_t> bad{0, 2, 1};
  const RaggedColumn broken{c.values.data(), bad.data(), 2};
  REQUIRE(field_of([&] { (void)quickstock::lag(broken, 1); }) == "offsets");
}

TEST_CASE("check: bit-identical for 1 and 4 threads", "[features][window]") {
  std::mt19937_64 gen(42);
  std::uniform_int_distribution<int> len(0, 300);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::vector<double>> series(97);
  for (auto& s : series) {
    s.resize(static_cast<std::size_t>(len(gen)));
    for (auto& v : s) v = u(gen) < 0.1 ? NaN : std::floor(20.0 * u(gen));
  }
  const Column c(series);
  for (const auto stat : {WindowStat::mean, WindowStat::std, WindowStat::min, WindowStat::max,
                          WindowStat::quantile}) {
    INFO("stat " << quickstock::to_string(stat));
    const auto o = opts(stat, 2, 1, 0.3);
    REQUIRE(
        same_bits(quickstock::rolling(c.view(), 7, o, 1), quickstock::rolling(c.view(), 7, o, 4)));
    REQUIRE(
        same_bits(quickstock::expanding(c.view(), o, 1), quickstock::expanding(c.view(), o, 4)));
    REQUIRE(same_bits(quickstock::seasonal_rolling(c.view(), 7, 4, o, 1),
                      quickstock::seasonal_rolling(c.view(), 7, 4, o, 4)));
  }
  REQUIRE(same_bits(quickstock::lag(c.view(), 7, 1), quickstock::lag(c.view(), 7, 4)));
  REQUIRE(same_bits(quickstock::ewm_mean(c.view(), 0.2, 1, 1, 1),
                    quickstock::ewm_mean(c.view(), 0.2, 1, 1, 4)));
}

TEST_CASE("rolling std stays accurate on a large level", "[features][window]") {
  // Values 1e6 + small noise: the Welford removal cancels, the exact refresh must keep it right.
  std::vector<double> y(2000);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = 1e6 + static_cast<double>(i % 5) * 1e-3;
  const Column c({y});
  const auto s = quickstock::rolling(c.view(), 5, opts(WindowStat::std, 5, 0));
  // every full window holds {0, 1, 2, 3, 4}·1e-3 (+1e6): std = sqrt(2.5)·1e-3
  for (std::size_t i = 4; i < s.size(); ++i)
    REQUIRE_THAT(s[i], WithinRel(std::sqrt(2.5) * 1e-3, 1e-6));
}

TEST_CASE("window options compare and print", "[features][window]") {
  const auto a = opts(WindowStat::quantile, 2, 1, 0.9);
  REQUIRE(a == opts(WindowStat::quantile, 2, 1, 0.9));
  REQUIRE(a != opts(WindowStat::quantile, 2, 1, 0.5));
  std::ostringstream os;
  os << a;
  REQUIRE(os.str() == "WindowOptions(stat=quantile, min_periods=2, lag=1, q=0.9)");
}
