#include <quickstock/quickstock.hpp>

#include "catch.hpp"

TEST_CASE("ARIMA placeholder", "[arima]") { CHECK(true); }
