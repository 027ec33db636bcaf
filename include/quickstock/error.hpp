#pragma once

/// @file
/// quickstock's exception hierarchy, rooted in `quickstock::error`.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <quickstock/config.hpp>

namespace quickstock {

/// Root of every exception quickstock throws (Python: `QuickstockError`, a `ValueError`).
class QUICKSTOCK_API error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Input that breaks a documented rule. The message names the series, row and field at fault
/// and states the rule and the value, e.g.
/// `invalid_input: series "HYD-500081/SKU-1042" row 17 field "y": demand must be >= 0 (got -3)`.
class QUICKSTOCK_API invalid_input : public error {
 public:
  /// @param message what rule was broken and by which value
  /// @param series_id the series at fault, empty when the fault is not in one series
  /// @param row the 0-based row of the caller's input, when one row is at fault
  /// @param field the column or argument at fault, empty when none
  invalid_input(const std::string& message,
                std::string series_id = {},
                std::optional<std::int64_t> row = std::nullopt,
                std::string field = {});

  /// The series at fault ("" when the fault is not in one series).
  [[nodiscard]] const std::string& series_id() const noexcept { return series_id_; }
  /// The 0-based input row at fault, if one row is.
  [[nodiscard]] std::optional<std::int64_t> row() const noexcept { return row_; }
  /// The column or argument at fault ("" when none).
  [[nodiscard]] const std::string& field() const noexcept { return field_; }
  /// The rule and value alone, without the series/row/field prefix.
  [[nodiscard]] const std::string& reason() const noexcept { return reason_; }

 private:
  std::string series_id_;
  std::optional<std::int64_t> row_;
  std::string field_;
  std::string reason_;
};

namespace detail {

/// Throws `invalid_input`; out of line and cold so hot loops stay small.
[[noreturn]] QUICKSTOCK_API void raise_invalid(const std::string& message,
                                               const std::string& series_id = {},
                                               std::optional<std::int64_t> row = std::nullopt,
                                               const std::string& field = {});

/// Throws `invalid_input` for a bad argument of a call (no series, no row).
[[noreturn]] QUICKSTOCK_API void raise_argument(const std::string& field,
                                                const std::string& message);

}  // namespace detail
}  // namespace quickstock
