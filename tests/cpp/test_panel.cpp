#include <cmath>
#include <limits>
#include <string>

#include <quickstock/data/panel.hpp>
#include <quickstock/error.hpp>

#include "catch.hpp"
#include "helpers.hpp"

using qs_test::day;
using qs_test::t2024;
using quickstock::Frequency;
using quickstock::Panel;

namespace {
const Frequency daily = Frequency::parse("D");

// Runs `fn`, which must throw invalid_input, and returns the exception.
template <class Fn>
quickstock::invalid_input expect_invalid(Fn&& fn) {
  try {
    fn();
  } catch (const quickstock::invalid_input& e) {
    return e;
  }
  FAIL("no invalid_input thrown");
  throw std::logic_error("unreachable");
}
}  // namespace

TEST_CASE("unsorted rows are sorted by series then time", "[data][panel]") {
  const auto p = Panel::from_long({"b", "a", "b", "a", "a"},
                                  {t2024 + day, t2024 + 2 * day, t2024, t2024, t2024 + day},
                                  {20, 3, 10, 1, 2}, daily);
  REQUIRE(p.n_series() == 2);
  CHECK(p.ids() == std::vector<std::string>{"a", "b"});
  CHECK(p.offsets() == std::vector<std::int64_t>{0, 3, 5});
  CHECK(p.values() == std::vector<double>{1, 2, 3, 10, 20});
  CHECK(p.source_rows() == std::vector<std::int64_t>{3, 4, 1, 2, 0});
  CHECK(p.starts()[0] == p.starts()[1]);
  CHECK(p.end(0) == p.starts()[0] + 2);
  CHECK(p.timestamp(p.end(1)) == t2024 + day);
  const auto s = p.series(1);
  CHECK(s.y.size() == 2);
  CHECK(s.id == "b");
}

TEST_CASE("series of different lengths and starts share one grid", "[data][panel]") {
  const auto p =
      Panel::from_long({"a", "a", "b"}, {t2024, t2024 + day, t2024 + 5 * day}, {1, 2, 3}, daily);
  CHECK(p.starts()[1] - p.starts()[0] == 5);
  CHECK(p.length(0) == 2);
  CHECK(p.length(1) == 1);
}

TEST_CASE("validation names the series, the row and the field", "[data][panel][errors]") {
  SECTION("duplicate (unique_id, ds)") {
    const auto e = expect_invalid([] {
      (void)Panel::from_long({"a", "x", "x"}, {t2024, t2024, t2024}, {1, 2, 3}, daily);
    });
    CHECK(e.series_id() == "x");
    CHECK(e.row() == 2);
    CHECK(e.field() == "ds");
    CHECK(std::string(e.what()).find("duplicate") != std::string::npos);
    CHECK(std::string(e.what()).find("row 1") != std::string::npos);
  }
  SECTION("missing periods") {
    const auto e = expect_invalid([] {
      (void)Panel::from_long({"a", "a", "a"}, {t2024, t2024 + day, t2024 + 4 * day}, {1, 2, 3},
                             daily);
    });
    CHECK(e.series_id() == "a");
    CHECK(e.row() == 2);
    CHECK(std::string(e.what()).find("2 period(s)") != std::string::npos);
    CHECK(std::string(e.what()).find("2024-01-02") != std::string::npos);
  }
  SECTION("NaN and infinite demand") {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto e = expect_invalid([&] {
      (void)Panel::from_long({"a", "a"}, {t2024, t2024 + day}, {1, nan}, daily);
    });
    CHECK(e.row() == 1);
    CHECK(e.field() == "y");
    CHECK(std::string(e.what()).find("nan") != std::string::npos);
    e = expect_invalid([&] {
      (void)Panel::from_long({"a"}, {t2024}, {std::numeric_limits<double>::infinity()}, daily);
    });
    CHECK(e.field() == "y");
  }
  SECTION("negative demand, unless allowed") {
    const auto e = expect_invalid([] {
      (void)Panel::from_long({"z", "z"}, {t2024, t2024 + day}, {1, -3}, daily);
    });
    CHECK(std::string(e.what()) ==
          "invalid_input: series \"z\" row 1 field \"y\": demand must be >= 0 (got -3)");
    quickstock::PanelOptions allow;
    allow.allow_negative = true;
    CHECK(Panel::from_long({"z", "z"}, {t2024, t2024 + day}, {1, -3}, daily, allow).n_obs() == 2);
  }
  SECTION("empty frame") {
    const auto e = expect_invalid([] { (void)Panel::from_long({}, {}, {}, daily); });
    CHECK(e.field() == "df");
  }
  SECTION("off the grid") {
    const auto e = expect_invalid([] {
      (void)Panel::from_long({"a", "a"}, {t2024, t2024 + day + 1}, {1, 2}, daily);
    });
    CHECK(e.field() == "ds");
    CHECK(e.row() == 1);
  }
  SECTION("non-finite covariates") {
    std::vector<std::int64_t> codes{0, 0};
    std::vector<std::int64_t> ds{t2024, t2024 + day};
    std::vector<double> y{1, 2};
    std::vector<double> x{0.5, 1.0, std::numeric_limits<double>::quiet_NaN(), 2.0};
    quickstock::LongInput in;
    in.codes = codes.data();
    in.ds = ds.data();
    in.y = y.data();
    in.n_rows = 2;
    in.ids = {"s"};
    in.covariates = x.data();
    in.covariate_names = {"rain_mm", "price"};
    const auto e = expect_invalid([&] { (void)Panel::from_long(in, daily); });
    CHECK(e.field() == "rain_mm");
    CHECK(e.row() == 1);
  }
}

TEST_CASE("covariates travel with their rows", "[data][panel]") {
  std::vector<std::int64_t> codes{0, 0, 0};
  std::vector<std::int64_t> ds{t2024 + 2 * day, t2024, t2024 + day};
  std::vector<double> y{3, 1, 2};
  std::vector<double> x{30, 300, 10, 100, 20, 200};
  quickstock::LongInput in;
  in.codes = codes.data();
  in.ds = ds.data();
  in.y = y.data();
  in.n_rows = 3;
  in.ids = {"s"};
  in.covariates = x.data();
  in.covariate_names = {"a", "b"};
  const auto p = Panel::from_long(in, daily);
  CHECK(p.covariates() == std::vector<double>{10, 100, 20, 200, 30, 300});
  const auto s = p.series(0);
  CHECK(s.x.rows() == 3);
  CHECK(s.x(2, 1) == 300);
}

TEST_CASE("drop_last holds out the tail of each series", "[data][panel]") {
  const auto p = qs_test::ragged_panel(4);
  const auto q = p.drop_last({1, 2, 3, 4});
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(q.length(i) == p.length(i) - static_cast<std::int64_t>(i) - 1);
    CHECK(q.series(i).y == p.series(i).y.head(q.length(i)));
  }
  const auto e = expect_invalid([&] { (void)p.drop_last({1, 1, 1, 1000}); });
  CHECK(e.series_id() == p.ids()[3]);
}
