#pragma once

// One include for Catch2 v2 (Debian 12) and v3: the tests use only what both provide.
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
