// quickstock::detect_anomalies from C++: each detector on a hand-built series, and errors.

#include <cstdint>
#include <limits>
#include <vector>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"

namespace qs = quickstock;

TEST_CASE("breaches, zero runs and level shifts", "[anomalies]") {
  // Series 0: a breach above, then a zero run of 3. Series 1: a shift up of 7 days.
  const std::vector<double> y{5, 12, 5, 0, 0, 0, 5, 6, 7, 6, 8, 7, 6, 7};
  const std::vector<std::int64_t> offsets{0, 7, 14};
  const std::vector<double> lower(y.size(), 2.0), median(y.size(), 5.0), upper(y.size(), 9.0);
  for (const int threads : {1, 2}) {
    const auto a = qs::detect_anomalies(offsets.data(), 2, y.data(), lower.data(), median.data(),
                                        upper.data(), {3, 7}, threads);
    REQUIRE(a.size() == 3);
    CHECK(a[0] == qs::Alert{0, 1, qs::AlertKind::above_interval, 0.75, 1});
    CHECK(a[1] == qs::Alert{0, 5, qs::AlertKind::zero_run, 1.0, 3});
    CHECK(a[2] == qs::Alert{1, 6, qs::AlertKind::level_shift_up, 1.0, 7});
  }
}

TEST_CASE("bad options and values name the field", "[anomalies]") {
  const std::vector<double> y{1, std::numeric_limits<double>::quiet_NaN()};
  const std::vector<std::int64_t> offsets{0, 2};
  const std::vector<double> q(2, 1.0);
  try {
    (void)qs::detect_anomalies(offsets.data(), 1, y.data(), q.data(), q.data(), q.data());
    FAIL("NaN accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "y");
    CHECK(e.row() == 1);
  }
  try {
    (void)qs::detect_anomalies(offsets.data(), 1, q.data(), q.data(), q.data(), q.data(), {0, 7});
    FAIL("min_zero_run 0 accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "min_zero_run");
  }
}
