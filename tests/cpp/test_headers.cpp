#include <string>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"

TEST_CASE("the version macros come from CMake's project()", "[core]") {
  const std::string v = QUICKSTOCK_VERSION_STRING;
  CHECK(v == std::to_string(QUICKSTOCK_VERSION_MAJOR) + "." +
                 std::to_string(QUICKSTOCK_VERSION_MINOR) + "." +
                 std::to_string(QUICKSTOCK_VERSION_PATCH));
}

TEST_CASE("errors derive from quickstock::error and std::runtime_error", "[core][errors]") {
  const quickstock::invalid_input e("rule broken", "S1", 3, "y");
  const quickstock::error& base = e;
  CHECK(std::string(base.what()) == "invalid_input: series \"S1\" row 3 field \"y\": rule broken");
  CHECK(e.reason() == "rule broken");
  CHECK_THROWS_AS(quickstock::detail::raise_argument("h", "bad"), std::runtime_error);
}
