#pragma once

/// @file
/// Fast, validated reading of long-format CSV (`unique_id, ds, y` plus extra columns) with
/// row-level error reports, straight into a `Panel`.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <quickstock/config.hpp>
#include <quickstock/core/frequency.hpp>
#include <quickstock/data/panel.hpp>

namespace quickstock::io {

/// How to read a long-format CSV file.
struct CsvOptions {
  std::string id_col = "unique_id";  ///< column holding the series id (text)
  std::string time_col = "ds";       ///< column holding ISO 8601 dates or date-times
  std::string target_col = "y";      ///< column holding demand (a finite number)
  char delimiter = ',';              ///< field separator (`'\t'` for TSV)
  bool allow_negative = false;       ///< accept y < 0 (off for demand, as `PanelOptions`)
};

/// One extra (non-key) column of a CSV file, typed the way pandas would type it: `integer` when
/// every cell is an integer of at most 2^53 in magnitude (none missing; larger integers make the
/// column `real`, where pandas would keep an exact int64), `real` when every cell is a number or
/// missing (missing = NaN), otherwise `text` (distinct values in `levels`, a code per row, -1
/// missing).
struct CsvColumn {
  /// The inferred type of the column.
  enum class Kind { integer, real, text };
  std::string name;                 ///< header name
  Kind kind = Kind::real;           ///< inferred type
  std::vector<double> numbers;      ///< integer/real: one value per row (NaN when missing)
  std::vector<std::string> levels;  ///< text: distinct values in byte order
  std::vector<std::int64_t> codes;  ///< text: index into `levels` per row, -1 when missing
};

/// A parsed and row-validated CSV file: the key columns as arrays, the extra columns typed.
///
/// Row `r` is the `r`-th data record (0-based, as the DataFrame row); `lines[r]` is the 1-based
/// line of the file where it starts (the header is line 1, so without quoted line breaks this is
/// the row number a spreadsheet shows).
struct CsvTable {
  std::vector<std::string> header;  ///< every column name, in file order
  std::size_t id_index = 0;         ///< position of the id column in `header`
  std::size_t time_index = 0;       ///< position of the time column in `header`
  std::size_t target_index = 0;     ///< position of the target column in `header`
  std::vector<std::string> ids;     ///< distinct series ids, in byte order
  std::vector<std::int64_t> codes;  ///< series code per row (index into `ids`)
  std::vector<std::int64_t>
      ds;                 ///< wall-clock nanoseconds since 1970 as written (offset not applied)
  std::vector<double> y;  ///< demand per row (finite; >= 0 unless allowed)
  std::optional<std::int32_t>
      utc_offset_minutes;           ///< the one UTC offset every `ds` carried, if any
  std::vector<CsvColumn> extra;     ///< the other columns, in file order
  std::vector<std::int64_t> lines;  ///< 1-based file line where each row starts

  /// Number of data rows.
  [[nodiscard]] std::size_t n_rows() const noexcept { return y.size(); }
};

/// A panel read from CSV with its series attributes.
struct CsvPanel {
  Panel panel;  ///< validated panel (numeric varying extra columns are covariates)
  std::vector<CsvColumn>
      attributes;  ///< columns constant within each series: one entry per series (panel order)
};

/// Parses CSV text (RFC 4180 quoting, `\n` or `\r\n` line ends, an optional UTF-8 byte-order mark,
/// blank lines skipped) and checks every row: field count as in the header, UTF-8 text, a
/// non-empty id, an ISO 8601 `ds` (`YYYY-MM-DD`, optionally `T` or space then `HH:MM[:SS[.f]]`,
/// optionally `Z` or `±HH[:MM]` — one offset for the whole file), a finite, non-negative number
/// for `y`, and no duplicate `(id, ds)`.
/// @param text the file's bytes
/// @param name the file name used in messages
/// @throws invalid_input naming the file, line, row, series and column at fault.
[[nodiscard]] QUICKSTOCK_API CsvTable parse_csv(std::string_view text,
                                                const std::string& name,
                                                const CsvOptions& options = {});

/// Reads and parses a CSV file (see `parse_csv`).
/// @throws invalid_input for a missing or unreadable file (field "path") or any row-level fault.
[[nodiscard]] QUICKSTOCK_API CsvTable read_csv_table(const std::string& path,
                                                     const CsvOptions& options = {});

/// Builds a validated panel from a parsed table: extra columns constant within every series
/// are attributes, other numeric columns are covariates, a varying text column is an error.
/// Panel-rule errors (grid, gaps) name the file line as well as the row.
/// @throws invalid_input naming the series, row, line and column at fault.
[[nodiscard]] QUICKSTOCK_API CsvPanel to_panel(const CsvTable& table,
                                               const Frequency& freq,
                                               const std::string& name = {},
                                               const CsvOptions& options = {});

/// Reads a CSV file straight into a validated `Panel` (`read_csv_table` then `to_panel`).
///
/// **Example**
/// ```cpp
/// auto read = quickstock::io::read_csv("sales.csv", quickstock::Frequency::parse("D"));
/// auto fitted = quickstock::FittedModel(quickstock::Naive{}, read.panel);
/// ```
[[nodiscard]] QUICKSTOCK_API CsvPanel read_csv(const std::string& path,
                                               const Frequency& freq,
                                               const CsvOptions& options = {});

}  // namespace quickstock::io
