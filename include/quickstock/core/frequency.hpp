#pragma once

/// @file
/// Regular time grids: pandas-style frequency aliases, period ordinals and timestamps.

#include <cstdint>
#include <string>
#include <string_view>

#include <quickstock/config.hpp>

namespace quickstock {

/// Nanoseconds in one day.
inline constexpr std::int64_t nanoseconds_per_day = 86'400'000'000'000LL;

/// A regular time grid. Timestamps are nanoseconds since 1970-01-01 00:00 in wall-clock time
/// (time zones are handled by the caller); integer time indexes are plain integers.
///
/// A grid maps every timestamp on it to an integer *ordinal* (consecutive periods have
/// consecutive ordinals) and back. Fixed-length grids (`"h"`, `"15min"`, `"D"`, `"W-SUN"`) and
/// calendar grids (`"MS"`, `"ME"`, `"QS"`, `"QE-DEC"`, `"YS"`, `"YE"`) are supported, each with an
/// optional integer multiple (`"2h"`, `"3MS"`), as are integer indexes (`Frequency::integer(1)`).
///
/// **Example**
/// ```cpp
/// auto f = quickstock::Frequency::parse("D").anchored_at(t0);
/// std::int64_t k = f.ordinal(t0 + 3 * quickstock::nanoseconds_per_day, "2024-01-04", "");  // 3
/// ```
class QUICKSTOCK_API Frequency {
 public:
  /// What the grid counts.
  enum class Unit {
    fixed,    ///< a fixed number of nanoseconds (seconds … weeks)
    month,    ///< calendar months (months, quarters, years)
    integer,  ///< plain integers (an integer time index)
  };

  /// Parses a pandas offset alias: `s`/`S`, `min`/`T`, `h`/`H`, `D`, `W`/`W-MON`…`W-SUN`, `MS`,
  /// `M`/`ME`, `QS`/`QS-JAN`…, `Q`/`QE`/`QE-DEC`…, `YS`/`AS`, `Y`/`A`/`YE`, each with an optional
  /// positive multiple (`"15min"`).
  /// @throws invalid_input naming field "freq" for an unknown or unsupported alias.
  static Frequency parse(std::string_view alias);

  /// An integer time index whose consecutive values differ by `step` (> 0).
  static Frequency integer(std::int64_t step);

  /// The same grid with its phase taken from `t` (a timestamp on the grid) where the alias does
  /// not fix it: `"D"` data at 06:00 is on a grid of days starting at 06:00.
  /// @throws invalid_input when `t` breaks the alias' anchor (a Monday for `"W-SUN"`).
  [[nodiscard]] Frequency anchored_at(std::int64_t t) const;

  /// Ordinal of timestamp `t`. @param series_id, row_label name the fault in errors.
  /// @throws invalid_input (field "ds") when `t` is not on the grid.
  [[nodiscard]] std::int64_t ordinal(std::int64_t t,
                                     const std::string& series_id,
                                     std::int64_t row) const;

  /// Whether `t` lies on the grid.
  [[nodiscard]] bool on_grid(std::int64_t t) const noexcept;

  /// Timestamp of ordinal `k` (inverse of `ordinal`).
  [[nodiscard]] std::int64_t timestamp(std::int64_t k) const noexcept;

  /// The alias this grid was parsed from, canonical spelling (e.g. `"W-SUN"`, `"ME"`).
  [[nodiscard]] const std::string& alias() const noexcept { return alias_; }
  [[nodiscard]] Unit unit() const noexcept { return unit_; }
  /// Nanoseconds (fixed), months (month) or integer steps (integer) per period.
  [[nodiscard]] std::int64_t step() const noexcept { return step_; }
  /// Offset of the grid: nanoseconds, months or integers from 0 (in [0, step)).
  [[nodiscard]] std::int64_t phase() const noexcept { return phase_; }
  /// Whether a calendar grid sits on the last day of each period (`"ME"`, `"QE"`, `"YE"`).
  [[nodiscard]] bool period_end() const noexcept { return period_end_; }

  friend bool operator==(const Frequency& a, const Frequency& b) noexcept {
    return a.unit_ == b.unit_ && a.step_ == b.step_ && a.phase_ == b.phase_ &&
           a.period_end_ == b.period_end_ && a.fixed_phase_ == b.fixed_phase_;
  }
  friend bool operator!=(const Frequency& a, const Frequency& b) noexcept { return !(a == b); }

 private:
  Unit unit_{Unit::fixed};
  std::int64_t step_{nanoseconds_per_day};
  std::int64_t phase_{0};
  bool period_end_{false};
  bool fixed_phase_{false};  // the alias fixes the phase (W-SUN, QS-JAN, YE-DEC)
  std::int64_t anchor_{0};   // the timestamp anchored_at() was given (for messages)
  std::string alias_{"D"};
};

/// Formats a wall-clock timestamp (ns since 1970) as ISO 8601, `2024-01-31` or
/// `2024-01-31 06:00:00` when it has a time of day.
QUICKSTOCK_API std::string format_timestamp(std::int64_t t);

namespace detail {
/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
QUICKSTOCK_API std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept;
/// Year, month (1–12) and day of a day number since 1970-01-01.
struct CivilDate {
  std::int64_t year;
  unsigned month;
  unsigned day;
};
QUICKSTOCK_API CivilDate civil_from_days(std::int64_t z) noexcept;
/// Floor division and modulo for signed integers.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
constexpr std::int64_t floor_mod(std::int64_t a, std::int64_t b) noexcept {
  return a - floor_div(a, b) * b;
}
}  // namespace detail

}  // namespace quickstock
