#include <string>

#include <quickstock/core/frequency.hpp>
#include <quickstock/error.hpp>

#include "catch.hpp"
#include "helpers.hpp"

using qs_test::day;
using qs_test::t2024;
using quickstock::Frequency;

namespace {
std::int64_t ts(std::int64_t y, unsigned m, unsigned d, std::int64_t hour = 0) {
  return quickstock::detail::days_from_civil(y, m, d) * day + hour * 3'600'000'000'000LL;
}
}  // namespace

TEST_CASE("civil date conversion round-trips", "[core][frequency]") {
  CHECK(quickstock::detail::days_from_civil(1970, 1, 1) == 0);
  CHECK(quickstock::detail::days_from_civil(2024, 1, 1) == 19723);
  for (std::int64_t z = -800000; z <= 800000; z += 997) {
    const auto c = quickstock::detail::civil_from_days(z);
    CHECK(quickstock::detail::days_from_civil(c.year, c.month, c.day) == z);
  }
  CHECK(quickstock::format_timestamp(ts(2024, 2, 29)) == "2024-02-29");
  CHECK(quickstock::format_timestamp(ts(2024, 2, 29, 6)) == "2024-02-29 06:00:00");
}

TEST_CASE("fixed grids map timestamps to consecutive ordinals", "[core][frequency]") {
  const auto d = Frequency::parse("D").anchored_at(t2024);
  CHECK(d.ordinal(t2024 + 3 * day, "s", 0) - d.ordinal(t2024, "s", 0) == 3);
  CHECK(d.timestamp(d.ordinal(t2024 + 5 * day, "s", 0)) == t2024 + 5 * day);

  const auto h = Frequency::parse("H").anchored_at(t2024);
  CHECK(h.alias() == "h");
  CHECK(h.ordinal(t2024 + 2 * day, "s", 0) - h.ordinal(t2024, "s", 0) == 48);

  const auto q = Frequency::parse("15min").anchored_at(t2024);
  CHECK(q.step() == 15LL * 60 * 1'000'000'000LL);
  CHECK_FALSE(q.on_grid(t2024 + 60'000'000'000LL));

  // Daily data stamped at 06:00 is a grid of days at 06:00.
  const auto d6 = Frequency::parse("D").anchored_at(ts(2024, 1, 1, 6));
  CHECK(d6.on_grid(ts(2024, 3, 1, 6)));
  CHECK_FALSE(d6.on_grid(ts(2024, 3, 1, 0)));
}

TEST_CASE("weekly grids check the anchor weekday", "[core][frequency]") {
  const auto w = Frequency::parse("W");
  CHECK(w.alias() == "W-SUN");
  const std::int64_t sunday = ts(2024, 1, 7);
  const auto ws = w.anchored_at(sunday);
  CHECK(ws.ordinal(sunday + 14 * day, "s", 0) - ws.ordinal(sunday, "s", 0) == 2);
  try {
    (void)w.anchored_at(t2024);  // a Monday
    FAIL("no error for a Monday on W-SUN");
  } catch (const quickstock::invalid_input& e) {
    CHECK(e.field() == "freq");
    CHECK(std::string(e.what()).find("W-MON") != std::string::npos);
  }
  CHECK(Frequency::parse("W-MON").anchored_at(t2024).on_grid(t2024 + 7 * day));
}

TEST_CASE("calendar grids: month, quarter and year starts and ends", "[core][frequency]") {
  const auto ms = Frequency::parse("MS").anchored_at(ts(2023, 11, 1));
  CHECK(ms.ordinal(ts(2024, 2, 1), "s", 0) - ms.ordinal(ts(2023, 11, 1), "s", 0) == 3);
  CHECK(ms.timestamp(ms.ordinal(ts(2024, 2, 1), "s", 0) + 1) == ts(2024, 3, 1));
  CHECK_FALSE(ms.on_grid(ts(2024, 2, 2)));

  const auto me = Frequency::parse("M").anchored_at(ts(2024, 1, 31));
  CHECK(me.alias() == "ME");
  CHECK(me.on_grid(ts(2024, 2, 29)));
  CHECK_FALSE(me.on_grid(ts(2023, 2, 29 - 1 + 1)));  // 2023-03-01 is not a month end
  CHECK(me.timestamp(me.ordinal(ts(2024, 1, 31), "s", 0) + 1) == ts(2024, 2, 29));

  const auto qs = Frequency::parse("QS").anchored_at(ts(2024, 4, 1));
  CHECK(qs.on_grid(ts(2024, 7, 1)));
  CHECK_FALSE(qs.on_grid(ts(2024, 8, 1)));
  const auto qe = Frequency::parse("QE-DEC").anchored_at(ts(2024, 3, 31));
  CHECK(qe.on_grid(ts(2024, 6, 30)));
  CHECK(qe.timestamp(qe.ordinal(ts(2024, 12, 31), "s", 0) + 1) == ts(2025, 3, 31));

  const auto ye = Frequency::parse("YE").anchored_at(ts(2020, 12, 31));
  CHECK(ye.ordinal(ts(2024, 12, 31), "s", 0) - ye.ordinal(ts(2020, 12, 31), "s", 0) == 4);
  const auto ys = Frequency::parse("YS").anchored_at(ts(2020, 1, 1));
  CHECK_FALSE(ys.on_grid(ts(2020, 2, 1)));
}

TEST_CASE("integer grids", "[core][frequency]") {
  const auto f = Frequency::integer(2).anchored_at(1);
  CHECK(f.ordinal(7, "s", 0) - f.ordinal(1, "s", 0) == 3);
  CHECK_FALSE(f.on_grid(4));
  CHECK_THROWS_AS(Frequency::integer(0), quickstock::invalid_input);
}

TEST_CASE("bad aliases and off-grid timestamps raise invalid_input", "[core][frequency][errors]") {
  for (const char* bad : {"", "B", "X", "W-FOO", "QS-FOO", "MS-JAN", "0D", "1234567890D"}) {
    INFO(bad);
    CHECK_THROWS_AS(Frequency::parse(bad), quickstock::invalid_input);
  }
  const auto d = Frequency::parse("D").anchored_at(t2024);
  try {
    (void)d.ordinal(t2024 + day / 2, "HYD-500032/milk", 17);
    FAIL("no error off the grid");
  } catch (const quickstock::invalid_input& e) {
    const std::string msg = e.what();
    CHECK(e.series_id() == "HYD-500032/milk");
    CHECK(e.row() == 17);
    CHECK(e.field() == "ds");
    CHECK(msg.find("2024-01-01 12:00:00") != std::string::npos);
  }
}
