#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include <quickstock/error.hpp>
#include <quickstock/io/csv.hpp>

#include "catch.hpp"

using quickstock::Frequency;
using quickstock::io::CsvColumn;
using quickstock::io::CsvOptions;
using quickstock::io::parse_csv;

namespace {
const Frequency daily = Frequency::parse("D");
constexpr std::int64_t day = quickstock::nanoseconds_per_day;
const std::int64_t jan1 = quickstock::detail::days_from_civil(2024, 1, 1) * day;

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

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("parse_csv reads keys, quotes, CRLF, a BOM and typed extra columns", "[csv]") {
  const std::string text =
      "\xef\xbb\xbfunique_id,ds,y,store,pincode,price\r\n"
      "\"B, two\",2024-01-01,3,\"say \"\"hi\"\"\",500032,\r\n"
      "\r\n"
      "A,2024-01-01T00:00:00,1.5,S1,500081,2.5\r\n"
      "A,2024-01-02 00:00,2,S1,500081,1\r\n";
  const auto t = parse_csv(text, "t.csv");
  REQUIRE(t.n_rows() == 3);
  CHECK(t.header == std::vector<std::string>{"unique_id", "ds", "y", "store", "pincode", "price"});
  CHECK(t.ids == std::vector<std::string>{"A", "B, two"});
  CHECK(t.codes == std::vector<std::int64_t>{1, 0, 0});
  CHECK(t.ds == std::vector<std::int64_t>{jan1, jan1, jan1 + day});
  CHECK(t.y == std::vector<double>{3.0, 1.5, 2.0});
  CHECK(t.lines == std::vector<std::int64_t>{2, 4, 5});
  CHECK_FALSE(t.utc_offset_minutes.has_value());
  REQUIRE(t.extra.size() == 3);
  CHECK(t.extra[0].kind == CsvColumn::Kind::text);
  CHECK(t.extra[0].levels == std::vector<std::string>{"S1", "say \"hi\""});
  CHECK(t.extra[0].codes == std::vector<std::int64_t>{1, 0, 0});
  CHECK(t.extra[1].kind == CsvColumn::Kind::integer);
  CHECK(t.extra[1].numbers == std::vector<double>{500032, 500081, 500081});
  CHECK(t.extra[2].kind == CsvColumn::Kind::real);
  CHECK(std::isnan(t.extra[2].numbers[0]));
  CHECK(t.extra[2].numbers[1] == 2.5);
}

TEST_CASE("parse_csv keeps one UTC offset and the wall clock as written", "[csv]") {
  const auto t = parse_csv(
      "unique_id,ds,y\nA,2024-01-01T06:30:00.25+05:30,1\nA,2024-01-01T07:30:00.25+0530,1\n",
      "t.csv");
  REQUIRE(t.utc_offset_minutes == 330);
  CHECK(t.ds[0] == jan1 + (6 * 60 + 30) * 60'000'000'000LL + 250'000'000LL);
  CHECK(t.ds[1] - t.ds[0] == 3'600'000'000'000LL);
}

TEST_CASE("parse_csv errors name the file line, row, series and column", "[csv]") {
  const std::string head = "unique_id,ds,y\nA,2024-01-01,1\n";
  SECTION("negative demand") {
    const auto e = expect_invalid([&] { (void)parse_csv(head + "A,2024-01-02,-3\n", "f.csv"); });
    CHECK(e.series_id() == "A");
    CHECK(e.row() == 1);
    CHECK(e.field() == "y");
    CHECK(has(e.what(), "\"f.csv\" line 3"));
    CHECK(has(e.what(), ">= 0"));
  }
  SECTION("negative demand allowed") {
    CsvOptions o;
    o.allow_negative = true;
    CHECK(parse_csv(head + "A,2024-01-02,-3\n", "f.csv", o).y[1] == -3.0);
  }
  SECTION("ragged row") {
    const auto e = expect_invalid([&] { (void)parse_csv(head + "A,2024-01-02,1,9\n", "f.csv"); });
    CHECK(e.row() == 1);
    CHECK(has(e.what(), "expected 3 fields (as in the header), got 4"));
  }
  SECTION("non-UTF-8 id") {
    const auto e =
        expect_invalid([&] { (void)parse_csv(head + "Caf\xe9,2024-01-02,1\n", "f.csv"); });
    CHECK(e.field() == "unique_id");
    CHECK(has(e.what(), "not UTF-8"));
  }
  SECTION("duplicate (id, ds) names both rows") {
    const auto e = expect_invalid([&] { (void)parse_csv(head + "A,2024-01-01,2\n", "f.csv"); });
    CHECK(e.row() == 1);
    CHECK(e.field() == "ds");
    CHECK(has(e.what(), "also in row 0 (line 2)"));
  }
  SECTION("mixed time zones") {
    const auto e =
        expect_invalid([&] { (void)parse_csv(head + "A,2024-01-02T00:00Z,1\n", "f.csv"); });
    CHECK(e.row() == 1);
    CHECK(has(e.what(), "mixed time zones"));
  }
  SECTION("bad timestamp") {
    const auto e = expect_invalid([&] { (void)parse_csv(head + "A,2024-02-30,1\n", "f.csv"); });
    CHECK(e.field() == "ds");
    CHECK(has(e.what(), "day 30"));
  }
  SECTION("missing header field") {
    const auto e =
        expect_invalid([&] { (void)parse_csv("unique_id,ds\nA,2024-01-01\n", "f.csv"); });
    CHECK(e.field() == "y");
  }
  SECTION("empty file") {
    const auto e = expect_invalid([&] { (void)parse_csv("", "f.csv"); });
    CHECK(e.field() == "path");
    CHECK(has(e.what(), "is empty"));
  }
  SECTION("unclosed quote") {
    const auto e = expect_invalid([&] { (void)parse_csv(head + "\"A,2024-01-02,1\n", "f.csv"); });
    CHECK(has(e.what(), "never closed"));
  }
}

TEST_CASE("read_csv builds the same panel as Panel::from_long, with attributes", "[csv]") {
  const std::string path = "quickstock_test_csv.csv";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    const std::string text =
        "unique_id,ds,y,store,rain\n"
        "b,2024-01-02,4,S2,0.5\nb,2024-01-01,3,S2,1\na,2024-01-01,1,S1,0\na,2024-01-02,2,S1,2\n";
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  const auto read = quickstock::io::read_csv(path, daily);
  std::remove(path.c_str());
  quickstock::LongInput in;
  const std::vector<std::int64_t> codes{1, 1, 0, 0};
  const std::vector<std::int64_t> ds{jan1 + day, jan1, jan1, jan1 + day};
  const std::vector<double> y{4, 3, 1, 2};
  const std::vector<double> x{0.5, 1, 0, 2};
  in.codes = codes.data();
  in.ds = ds.data();
  in.y = y.data();
  in.n_rows = 4;
  in.ids = {"a", "b"};
  in.covariates = x.data();
  in.covariate_names = {"rain"};
  CHECK(read.panel == quickstock::Panel::from_long(in, daily));
  REQUIRE(read.attributes.size() == 1);
  CHECK(read.attributes[0].name == "store");
  CHECK(read.attributes[0].levels == std::vector<std::string>{"S1", "S2"});
  CHECK(read.attributes[0].codes == std::vector<std::int64_t>{0, 1});
}

TEST_CASE("to_panel names the file line for grid errors", "[csv]") {
  const auto t = parse_csv("unique_id,ds,y\nA,2024-01-01,1\nA,2024-01-03,1\n", "g.csv");
  const auto e = expect_invalid([&] { (void)quickstock::io::to_panel(t, daily, "g.csv"); });
  CHECK(e.row() == 1);
  CHECK(has(e.what(), "\"g.csv\" line 3"));
  CHECK(has(e.what(), "irregular spacing"));
}
