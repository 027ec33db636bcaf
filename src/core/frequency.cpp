#include <array>
#include <cctype>
#include <cstdio>

#include <quickstock/core/frequency.hpp>
#include <quickstock/error.hpp>

namespace quickstock {
namespace detail {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = floor_div(y, 400);
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) noexcept {
  z += 719468;
  const std::int64_t era = floor_div(z, 146097);
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {m <= 2 ? y + 1 : y, m, d};
}

}  // namespace detail

namespace {

constexpr std::int64_t ns_second = 1'000'000'000LL;
constexpr std::int64_t ns_minute = 60 * ns_second;
constexpr std::int64_t ns_hour = 60 * ns_minute;
constexpr std::int64_t ns_week = 7 * nanoseconds_per_day;
// 1970-01-01 was a Thursday; index 0 = Monday.
constexpr std::array<const char*, 7> weekday_names{"MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"};
constexpr std::array<const char*, 12> month_names{"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                  "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

int weekday_of_day(std::int64_t day) noexcept {  // 0 = Monday
  return static_cast<int>(detail::floor_mod(day + 3, 7));
}

int index_of(const std::array<const char*, 7>& names, std::string_view s) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (s == names[i]) return static_cast<int>(i);
  }
  return -1;
}
int index_of(const std::array<const char*, 12>& names, std::string_view s) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (s == names[i]) return static_cast<int>(i);
  }
  return -1;
}

unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr std::array<unsigned, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29U : days[m - 1];
}

[[noreturn]] void bad_alias(std::string_view alias, const std::string& why) {
  detail::raise_argument("freq", "unsupported frequency '" + std::string(alias) + "': " + why +
                                     "; supported: s, min, h, D, W-MON..W-SUN, MS, ME, QS[-MON], "
                                     "QE[-MON], YS, YE, each with an optional multiple (e.g. "
                                     "'15min'), or an integer step for integer time indexes");
}

}  // namespace

std::string format_timestamp(std::int64_t t) {
  const std::int64_t day = detail::floor_div(t, nanoseconds_per_day);
  const std::int64_t rem = t - day * nanoseconds_per_day;
  const auto c = detail::civil_from_days(day);
  std::array<char, 64> buf{};
  if (rem == 0) {
    std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02u", static_cast<long long>(c.year),
                  c.month, c.day);
  } else {
    const std::int64_t secs = rem / ns_second;
    const std::int64_t frac = rem % ns_second;
    const int n = std::snprintf(
        buf.data(), buf.size(), "%04lld-%02u-%02u %02lld:%02lld:%02lld",
        static_cast<long long>(c.year), c.month, c.day, static_cast<long long>(secs / 3600),
        static_cast<long long>((secs / 60) % 60), static_cast<long long>(secs % 60));
    if (frac != 0 && n > 0) {
      std::snprintf(buf.data() + n, buf.size() - static_cast<std::size_t>(n), ".%09lld",
                    static_cast<long long>(frac));
    }
  }
  return buf.data();
}

Frequency Frequency::integer(std::int64_t step) {
  if (step <= 0) {
    detail::raise_argument("freq",
                           "an integer frequency must be >= 1 (got " + std::to_string(step) + ")");
  }
  Frequency f;
  f.unit_ = Unit::integer;
  f.step_ = step;
  f.alias_ = std::to_string(step);
  return f;
}

Frequency Frequency::parse(std::string_view alias) {
  std::size_t pos = 0;
  while (pos < alias.size() && std::isdigit(static_cast<unsigned char>(alias[pos])) != 0) ++pos;
  std::int64_t mult = 1;
  if (pos > 0) {
    if (pos > 9) bad_alias(alias, "multiple too large");
    mult = std::stoll(std::string(alias.substr(0, pos)));
    if (mult < 1) bad_alias(alias, "the multiple must be >= 1");
  }
  const std::string_view base = alias.substr(pos);
  std::string_view head = base;
  std::string_view anchor;
  if (const auto dash = base.find('-'); dash != std::string_view::npos) {
    head = base.substr(0, dash);
    anchor = base.substr(dash + 1);
  }
  const std::string prefix = pos > 0 ? std::string(alias.substr(0, pos)) : std::string();
  Frequency f;
  auto fixed = [&](std::int64_t ns, const char* canonical) {
    if (!anchor.empty()) bad_alias(alias, "this unit takes no anchor");
    f.unit_ = Unit::fixed;
    f.step_ = ns * mult;
    f.alias_ = prefix + canonical;
  };
  auto monthly = [&](std::int64_t months, bool end, int default_anchor, const char* canonical) {
    f.unit_ = Unit::month;
    f.step_ = months * mult;
    f.period_end_ = end;
    int a = default_anchor;
    if (!anchor.empty()) {
      if (months == 1) bad_alias(alias, "monthly frequencies take no anchor");
      a = index_of(month_names, anchor);
      if (a < 0) bad_alias(alias, "unknown month '" + std::string(anchor) + "'");
    }
    f.alias_ = prefix + canonical;
    if (a >= 0) {
      f.fixed_phase_ = true;
      f.phase_ = detail::floor_mod(a, f.step_);
      f.alias_ += std::string("-") + month_names[static_cast<std::size_t>(a)];
    }
  };
  if (head == "s" || head == "S") {
    fixed(ns_second, "s");
  } else if (head == "min" || head == "T") {
    fixed(ns_minute, "min");
  } else if (head == "h" || head == "H") {
    fixed(ns_hour, "h");
  } else if (head == "D") {
    fixed(nanoseconds_per_day, "D");
  } else if (head == "W") {
    const int wd = anchor.empty() ? 6 : index_of(weekday_names, anchor);
    if (wd < 0) bad_alias(alias, "unknown weekday '" + std::string(anchor) + "'");
    f.unit_ = Unit::fixed;
    f.step_ = ns_week * mult;
    // Day 0 (1970-01-01) is a Thursday (index 3): the first anchored day is (wd - 3) mod 7.
    f.phase_ = detail::floor_mod(wd - 3, 7) * nanoseconds_per_day;
    f.fixed_phase_ = mult == 1;
    f.alias_ = prefix + "W-" + weekday_names[static_cast<std::size_t>(wd)];
  } else if (head == "MS") {
    monthly(1, false, -1, "MS");
  } else if (head == "M" || head == "ME") {
    monthly(1, true, -1, "ME");
  } else if (head == "QS") {
    monthly(3, false, 0, "QS");
  } else if (head == "Q" || head == "QE") {
    monthly(3, true, 11, "QE");
  } else if (head == "YS" || head == "AS") {
    monthly(12, false, 0, "YS");
  } else if (head == "Y" || head == "A" || head == "YE") {
    monthly(12, true, 11, "YE");
  } else if (head.empty()) {
    bad_alias(alias, "no unit given");
  } else {
    bad_alias(alias, "unknown unit '" + std::string(head) + "'");
  }
  return f;
}

Frequency Frequency::anchored_at(std::int64_t t) const {
  Frequency f = *this;
  f.anchor_ = t;
  switch (unit_) {
    case Unit::integer:
      f.phase_ = detail::floor_mod(t, step_);
      break;
    case Unit::fixed: {
      if (alias_.find("W-") != std::string::npos) {
        const std::int64_t day = detail::floor_div(t, nanoseconds_per_day);
        const auto want =
            static_cast<std::size_t>(index_of(weekday_names, alias_.substr(alias_.size() - 3)));
        const auto got = static_cast<std::size_t>(weekday_of_day(day));
        if (got != want) {
          detail::raise_argument("freq", "freq '" + alias_ + "' expects weeks on " +
                                             weekday_names[want] + " but ds " +
                                             format_timestamp(t) + " is a " + weekday_names[got] +
                                             " (use freq='W-" + weekday_names[got] + "')");
        }
      }
      f.phase_ = detail::floor_mod(t, step_);
      break;
    }
    case Unit::month: {
      const std::int64_t day = detail::floor_div(t, nanoseconds_per_day);
      const auto c = detail::civil_from_days(day);
      const std::int64_t m = (c.year - 1970) * 12 + static_cast<std::int64_t>(c.month) - 1;
      if (!fixed_phase_) f.phase_ = detail::floor_mod(m, step_);
      break;
    }
  }
  return f;
}

bool Frequency::on_grid(std::int64_t t) const noexcept {
  if (unit_ != Unit::month) return detail::floor_mod(t - phase_, step_) == 0;
  if (detail::floor_mod(t, nanoseconds_per_day) != 0) return false;
  const auto c = detail::civil_from_days(detail::floor_div(t, nanoseconds_per_day));
  const unsigned want_day = period_end_ ? days_in_month(c.year, c.month) : 1U;
  if (c.day != want_day) return false;
  const std::int64_t m = (c.year - 1970) * 12 + static_cast<std::int64_t>(c.month) - 1;
  return detail::floor_mod(m - phase_, step_) == 0;
}

std::int64_t Frequency::ordinal(std::int64_t t,
                                const std::string& series_id,
                                std::int64_t row) const {
  if (!on_grid(t)) {
    std::string what = unit_ == Unit::integer ? std::to_string(t) : format_timestamp(t);
    std::string expect;
    if (unit_ == Unit::month) {
      expect =
          period_end_ ? "the last day of a period at 00:00" : "the first day of a period at 00:00";
    } else if (unit_ == Unit::integer) {
      expect = "steps of " + std::to_string(step_) + " from " + std::to_string(anchor_);
    } else {
      expect = "the grid through " + format_timestamp(anchor_) + ", the earliest ds";
    }
    detail::raise_invalid("ds " + what + " is not on the '" + alias_ + "' grid (expected " +
                              expect + "); check freq= or resample the data",
                          series_id, row, "ds");
  }
  if (unit_ != Unit::month) return detail::floor_div(t - phase_, step_);
  const auto c = detail::civil_from_days(detail::floor_div(t, nanoseconds_per_day));
  const std::int64_t m = (c.year - 1970) * 12 + static_cast<std::int64_t>(c.month) - 1;
  return detail::floor_div(m - phase_, step_);
}

std::int64_t Frequency::timestamp(std::int64_t k) const noexcept {
  if (unit_ != Unit::month) return k * step_ + phase_;
  const std::int64_t m = k * step_ + phase_;
  const std::int64_t y = 1970 + detail::floor_div(m, 12);
  const auto mo = static_cast<unsigned>(detail::floor_mod(m, 12) + 1);
  const unsigned d = period_end_ ? days_in_month(y, mo) : 1U;
  return detail::days_from_civil(y, mo, d) * nanoseconds_per_day;
}

}  // namespace quickstock
