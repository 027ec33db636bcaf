// libFuzzer target: the CSV reader (quickstock::io::parse_csv) and the panel built from it.
//
// Input layout: byte 0 picks options (bit 0: tab delimiter, bit 1: allow negative demand,
// bits 2-3: frequency "D", "h", "W-SUN" or "MS"); the rest is the file's bytes. Invalid input must
// raise quickstock::error; anything else (a crash, a sanitizer report, a table whose columns
// disagree in length, a non-finite or negative y that was accepted) is a finding.
//
// Built with -DQUICKSTOCK_FUZZ_CSV_ONLY it stops at the panel (no model code): a quick build
// from five sources for long runs by hand (see docs/reliability.md).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <quickstock/error.hpp>
#include <quickstock/io/csv.hpp>
#ifndef QUICKSTOCK_FUZZ_CSV_ONLY
#include <quickstock/models/baselines.hpp>
#include <quickstock/models/model.hpp>
#endif

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace qs = quickstock;
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  qs::io::CsvOptions opt;
  opt.delimiter = (flags & 1) != 0 ? '\t' : ',';
  opt.allow_negative = (flags & 2) != 0;
  static const char* const aliases[] = {"D", "h", "W-SUN", "MS"};
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    const auto t = qs::io::parse_csv(text, "fuzz.csv", opt);
    const std::size_t n = t.n_rows();
    check(n > 0 && t.codes.size() == n && t.ds.size() == n && t.lines.size() == n);
    check(t.header.size() == t.extra.size() + 3);
    for (std::size_t r = 0; r < n; ++r) {
      check(t.codes[r] >= 0 && static_cast<std::size_t>(t.codes[r]) < t.ids.size());
      check(std::isfinite(t.y[r]) && (opt.allow_negative || t.y[r] >= 0.0));
      check(t.lines[r] >= 2 && (r == 0 || t.lines[r] > t.lines[r - 1]));
    }
    for (const auto& c : t.extra) {
      if (c.kind == qs::io::CsvColumn::Kind::text) {
        check(c.codes.size() == n);
        for (const auto code : c.codes) {
          check(code >= -1 && code < static_cast<std::int64_t>(c.levels.size()));
        }
      } else {
        check(c.numbers.size() == n);
      }
    }
    const auto freq = qs::Frequency::parse(aliases[(flags >> 2) & 3]);
    const auto read = qs::io::to_panel(t, freq, "fuzz.csv", opt);
    check(read.panel.n_obs() == n && read.panel.n_series() == t.ids.size());
#ifndef QUICKSTOCK_FUZZ_CSV_ONLY
    const auto fc = qs::FittedModel(qs::Naive{}, read.panel, 1).forecast({2, {0.1, 0.9}, true}, 1);
    for (std::size_t i = 0; i < read.panel.n_series(); ++i) {
      for (std::size_t j = 0; j < 2; ++j) check(std::isfinite(fc.mean(i, j)));
    }
#endif
  } catch (const qs::error&) {
    // Invalid input is reported, never crashed on.
  }
  return 0;
}
