#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <numeric>
#include <unordered_map>

#include <quickstock/error.hpp>
#include <quickstock/io/csv.hpp>

namespace quickstock::io {
namespace {

constexpr std::size_t npos = std::string_view::npos;

/// Offset of the first byte that breaks UTF-8 in `s`, or npos.
std::size_t utf8_error(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned lo = 0x80;
    unsigned hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return i;
    }
    if (i + len >= n) return i;  // truncated sequence
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k <= len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xbf) return i;
    }
    i += len + 1;
  }
  return npos;
}

/// A cell as text for messages: quoted, at most 40 bytes (cut at a character boundary),
/// control bytes and bytes that are not valid UTF-8 escaped, so the message is always UTF-8.
std::string show(std::string_view s) {
  std::size_t n = std::min<std::size_t>(s.size(), 40);
  while (n < s.size() && n > 0 && (static_cast<unsigned char>(s[n]) & 0xc0) == 0x80) --n;
  const bool valid = utf8_error(s.substr(0, n)) == npos;
  std::string out = "'";
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f || (c >= 0x80 && !valid)) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > n) out += "...";
  return out + "'";
}

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

/// pandas' default missing-value markers (`read_csv(na_values=...)` defaults).
bool is_na_token(std::string_view s) noexcept {
  static constexpr std::string_view tokens[] = {
      "",     "NA",   "N/A", "NaN", "nan",      "-NaN",   "-nan",    "null",    "NULL",    "#N/A",
      "None", "<NA>", "n/a", "#NA", "#N/A N/A", "1.#IND", "-1.#IND", "1.#QNAN", "-1.#QNAN"};
  for (const auto t : tokens) {
    if (s == t) return true;
  }
  return false;
}

/// Parses a whole cell as a double (leading '+' and surrounding blanks accepted).
bool parse_double(std::string_view s, double& out) noexcept {
  s = trim(s);
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) return false;
  }
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

/// Parses a whole cell as an int64 written with digits only (optional sign).
bool parse_int(std::string_view s, std::int64_t& out) noexcept {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

struct Timestamp {
  std::int64_t ns = 0;
  bool has_offset = false;
  std::int32_t offset_minutes = 0;
};

bool digits(std::string_view s, std::size_t pos, std::size_t count, int& out) noexcept {
  if (pos + count > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    const char c = s[i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::string offset_text(std::optional<std::int32_t> m) {
  if (!m) return "no UTC offset";
  const std::int32_t a = *m < 0 ? -*m : *m;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", *m < 0 ? '-' : '+', a / 60, a % 60);
  return std::string("UTC offset ") + buf;
}

/// Parses an ISO 8601 date or date-time (see the header); returns an empty string on success,
/// else what is wrong.
std::string parse_timestamp(std::string_view s, Timestamp& out) {
  s = trim(s);
  int year = 0;
  int month = 0;
  int day = 0;
  if (!(digits(s, 0, 4, year) && s.size() >= 10 && s[4] == '-' && digits(s, 5, 2, month) &&
        s[7] == '-' && digits(s, 8, 2, day))) {
    return "is not an ISO 8601 date (YYYY-MM-DD, optionally followed by a time)";
  }
  if (month < 1 || month > 12) return "has month " + std::to_string(month);
  static constexpr int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int dim = mdays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > dim) return "has day " + std::to_string(day) + " (not in that month)";
  if (year < 1678 || year > 2261) {
    return "has year " + std::to_string(year) + ", outside 1678..2261 (nanosecond timestamps)";
  }
  std::int64_t ns =
      detail::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
      nanoseconds_per_day;
  std::size_t pos = 10;
  out.has_offset = false;
  out.offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != ' ') return "has unexpected text after the date";
    int hh = 0;
    int mm = 0;
    int ss = 0;
    if (!(digits(s, pos + 1, 2, hh) && pos + 3 < s.size() && s[pos + 3] == ':' &&
          digits(s, pos + 4, 2, mm))) {
      return "has a time that is not HH:MM[:SS[.fff]]";
    }
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, ss)) return "has a time that is not HH:MM[:SS[.fff]]";
      pos += 3;
    }
    if (hh > 23 || mm > 59 || ss > 59) return "has a time of day out of range";
    std::int64_t frac = 0;
    if (pos < s.size() && s[pos] == '.') {
      std::size_t k = pos + 1;
      std::int64_t scale = 100'000'000;
      while (k < s.size() && s[k] >= '0' && s[k] <= '9') {
        if (scale == 0) return "has more than 9 fractional digits";
        frac += (s[k] - '0') * scale;
        scale /= 10;
        ++k;
      }
      if (k == pos + 1) return "has a '.' without fractional digits";
      pos = k;
    }
    ns += ((hh * 60LL + mm) * 60LL + ss) * 1'000'000'000LL + frac;
    if (pos < s.size()) {
      if (s[pos] == 'Z' && pos + 1 == s.size()) {
        out.has_offset = true;
      } else if (s[pos] == '+' || s[pos] == '-') {
        const int sign = s[pos] == '-' ? -1 : 1;
        int oh = 0;
        int om = 0;
        std::size_t k = pos + 1;
        if (!digits(s, k, 2, oh)) return "has a UTC offset that is not ±HH:MM";
        k += 2;
        if (k < s.size() && s[k] == ':') ++k;
        if (k < s.size()) {
          if (!digits(s, k, 2, om)) return "has a UTC offset that is not ±HH:MM";
          k += 2;
        }
        if (k != s.size() || oh > 23 || om > 59) return "has a UTC offset that is not ±HH:MM";
        out.has_offset = true;
        out.offset_minutes = sign * (oh * 60 + om);
      } else {
        return "has unexpected text after the time";
      }
    }
  }
  out.ns = ns;
  return {};
}

/// One record's cells, views into the (unescaped in place) buffer.
struct Tokenizer {
  char* p;
  char* end;
  char delim;
  std::int64_t line = 1;  // line of the next byte
  bool high = false;      // the last record had a byte >= 0x80

  /// Reads the next record into `cells`; false at the end of the text. `start_line` is the line
  /// it began on; on an unclosed quote or junk after a closing quote sets `error`.
  bool next(std::vector<std::string_view>& cells, std::int64_t& start_line, std::string& error) {
    cells.clear();
    high = false;
    if (p >= end) return false;
    start_line = line;
    for (;;) {
      // One field.
      if (p < end && *p == '"') {
        const std::int64_t quote_line = line;
        ++p;
        char* w = p;
        const char* begin = p;
        for (;;) {
          if (p >= end) {
            error =
                "a quoted field opened on line " + std::to_string(quote_line) + " is never closed";
            return true;
          }
          const char c = *p;
          if (c == '"') {
            if (p + 1 < end && p[1] == '"') {
              *w++ = '"';
              p += 2;
              continue;
            }
            ++p;
            break;
          }
          if (c == '\n') ++line;
          if (static_cast<unsigned char>(c) >= 0x80) high = true;
          *w++ = c;
          ++p;
        }
        cells.emplace_back(begin, static_cast<std::size_t>(w - begin));
        if (p < end && *p != delim && *p != '\n' && *p != '\r') {
          error = "unexpected " + show(std::string_view(p, 1)) + " after a closing quote";
          return true;
        }
      } else {
        const char* begin = p;
        while (p < end) {
          const char c = *p;
          if (c == delim || c == '\n' || c == '\r') break;
          if (static_cast<unsigned char>(c) >= 0x80) high = true;
          ++p;
        }
        cells.emplace_back(begin, static_cast<std::size_t>(p - begin));
      }
      if (p >= end) return true;
      if (*p == delim) {
        ++p;
        if (p >= end) {  // a trailing delimiter at the very end: one more empty field
          cells.emplace_back(p, 0);
          return true;
        }
        continue;
      }
      // End of record: \n, \r\n or a lone \r.
      if (*p == '\r') ++p;
      if (p < end && *p == '\n') ++p;
      ++line;
      return true;
    }
  }
};

struct Reader {
  const std::string& name;
  const CsvOptions& opt;

  [[noreturn]] void fail(std::int64_t line,
                         std::optional<std::int64_t> row,
                         const std::string& series,
                         const std::string& field,
                         const std::string& what) const {
    detail::raise_invalid("\"" + name + "\" line " + std::to_string(line) + ": " + what, series,
                          row, field);
  }
};

std::vector<std::int64_t> order_by_code(const std::vector<std::int64_t>& codes, std::size_t n_ids) {
  std::vector<std::int64_t> start(n_ids + 1, 0);
  for (const auto c : codes) ++start[static_cast<std::size_t>(c) + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::int64_t> order(codes.size());
  for (std::size_t r = 0; r < codes.size(); ++r) {
    order[static_cast<std::size_t>(start[static_cast<std::size_t>(codes[r])]++)] =
        static_cast<std::int64_t>(r);
  }
  return order;
}

CsvTable parse_owned(char* data, std::size_t size, const std::string& name, const CsvOptions& opt) {
  const Reader rd{name, opt};
  CsvTable t;
  if (size >= 3 && static_cast<unsigned char>(data[0]) == 0xef &&
      static_cast<unsigned char>(data[1]) == 0xbb && static_cast<unsigned char>(data[2]) == 0xbf) {
    data += 3;
    size -= 3;
  }
  if (size == 0) detail::raise_argument("path", "\"" + name + "\" is empty");
  Tokenizer tok{data, data + size, opt.delimiter};
  std::vector<std::string_view> cells;
  std::int64_t line = 1;
  std::string error;
  // Header: the first non-blank record.
  bool got = false;
  while ((got = tok.next(cells, line, error))) {
    if (!error.empty()) rd.fail(line, std::nullopt, {}, {}, error);
    if (!(cells.size() == 1 && cells[0].empty())) break;
  }
  if (!got) detail::raise_argument("path", "\"" + name + "\" has only blank lines");
  const std::size_t n_cols = cells.size();
  for (std::size_t j = 0; j < n_cols; ++j) {
    const auto bad = utf8_error(cells[j]);
    if (bad != npos) {
      rd.fail(line, std::nullopt, {}, {},
              "header field " + std::to_string(j + 1) + " is not UTF-8 (byte " +
                  std::to_string(bad) + "); re-save the file as UTF-8");
    }
    std::string col(cells[j]);
    if (col.empty()) col = "Unnamed: " + std::to_string(j);  // as pandas names it
    if (std::find(t.header.begin(), t.header.end(), col) != t.header.end()) {
      rd.fail(line, std::nullopt, {}, col, "column " + show(col) + " appears more than once");
    }
    t.header.push_back(std::move(col));
  }
  auto find_col = [&](const std::string& col) {
    const auto it = std::find(t.header.begin(), t.header.end(), col);
    if (it == t.header.end()) {
      std::string have;
      for (const auto& h : t.header) have += (have.empty() ? "" : ", ") + show(h);
      rd.fail(line, std::nullopt, {}, col,
              "missing column " + show(col) + "; the header has [" + have + "]");
    }
    return static_cast<std::size_t>(it - t.header.begin());
  };
  t.id_index = find_col(opt.id_col);
  t.time_index = find_col(opt.time_col);
  t.target_index = find_col(opt.target_col);
  std::vector<std::size_t> extra_index;
  for (std::size_t j = 0; j < n_cols; ++j) {
    if (j != t.id_index && j != t.time_index && j != t.target_index) extra_index.push_back(j);
  }
  const std::size_t k = extra_index.size();

  // Rows: ids interned as views into the buffer, extra cells kept as views.
  std::unordered_map<std::string_view, std::int64_t> intern;
  std::vector<std::string_view> id_views;
  std::vector<std::string_view> extra_cells;
  std::string_view last_id;
  std::int64_t last_code = -1;
  bool first_ts = true;
  std::optional<std::int32_t> offset;
  // Rows are at most the line count: reserve once (counting newlines runs at memchr speed).
  const auto reserve = static_cast<std::size_t>(std::count(data, data + size, '\n')) + 1;
  t.codes.reserve(reserve);
  t.ds.reserve(reserve);
  t.y.reserve(reserve);
  t.lines.reserve(reserve);
  extra_cells.reserve(reserve * k);
  Timestamp ts;
  while (tok.next(cells, line, error)) {
    const auto row = static_cast<std::int64_t>(t.y.size());
    if (!error.empty()) rd.fail(line, row, {}, {}, error);
    if (cells.size() == 1 && cells[0].empty()) continue;  // blank line
    if (cells.size() != n_cols) {
      rd.fail(line, row, {}, {},
              "expected " + std::to_string(n_cols) + " fields (as in the header), got " +
                  std::to_string(cells.size()));
    }
    if (tok.high) {
      for (std::size_t j = 0; j < n_cols; ++j) {
        const auto bad = utf8_error(cells[j]);
        if (bad != npos) {
          rd.fail(
              line, row, {}, t.header[j],
              "byte " + std::to_string(bad + 1) + " of the cell is not UTF-8 (got 0x" +
                  [](unsigned c) {
                    static const char* hex = "0123456789abcdef";
                    return std::string{hex[c >> 4], hex[c & 15]};
                  }(static_cast<unsigned char>(cells[j][bad])) +
                  "); re-save the file as UTF-8");
        }
      }
    }
    // unique_id
    const std::string_view id = cells[t.id_index];
    if (id != last_id || last_code < 0) {
      if (id.empty()) rd.fail(line, row, {}, opt.id_col, opt.id_col + " is missing");
      const auto it = intern.find(id);
      if (it != intern.end()) {
        last_code = it->second;
      } else {
        last_code = static_cast<std::int64_t>(id_views.size());
        intern.emplace(id, last_code);
        id_views.push_back(id);
      }
      last_id = id;
    }
    t.codes.push_back(last_code);
    // ds
    const std::string_view dcell = cells[t.time_index];
    if (trim(dcell).empty()) rd.fail(line, row, std::string(id), opt.time_col, "ds is missing");
    const std::string why = parse_timestamp(dcell, ts);
    if (!why.empty()) {
      rd.fail(line, row, std::string(id), opt.time_col, "timestamp " + show(dcell) + " " + why);
    }
    const std::optional<std::int32_t> this_offset =
        ts.has_offset ? std::optional<std::int32_t>(ts.offset_minutes) : std::nullopt;
    if (first_ts) {
      offset = this_offset;
      first_ts = false;
    } else if (this_offset != offset) {
      rd.fail(line, row, std::string(id), opt.time_col,
              "timestamp " + show(dcell) + " has " + offset_text(this_offset) +
                  " but row 0 (line " + std::to_string(t.lines.front()) + ") has " +
                  offset_text(offset) + "; mixed time zones: convert every timestamp to one zone");
    }
    t.ds.push_back(ts.ns);
    // y
    const std::string_view ycell = cells[t.target_index];
    double v = 0.0;
    if (!parse_double(ycell, v)) {
      if (is_na_token(trim(ycell))) {
        rd.fail(line, row, std::string(id), opt.target_col,
                "demand is missing (got " + show(ycell) + ")");
      }
      rd.fail(line, row, std::string(id), opt.target_col,
              "demand must be a number (got " + show(ycell) + ")");
    }
    if (!std::isfinite(v)) {
      rd.fail(line, row, std::string(id), opt.target_col,
              "demand must be finite (got " + show(ycell) + ")");
    }
    if (v < 0.0 && !opt.allow_negative) {
      rd.fail(line, row, std::string(id), opt.target_col,
              "demand must be >= 0 (got " + show(ycell) + ")");
    }
    t.y.push_back(v);
    t.lines.push_back(line);
    for (const auto j : extra_index) extra_cells.push_back(cells[j]);
  }
  if (t.y.empty()) {
    detail::raise_argument("path", "\"" + name + "\" has a header but no data rows");
  }
  t.utc_offset_minutes = offset;
  const std::size_t n = t.y.size();

  // Ids in byte order.
  {
    std::vector<std::int64_t> by_id(id_views.size());
    std::iota(by_id.begin(), by_id.end(), 0);
    std::sort(by_id.begin(), by_id.end(), [&](std::int64_t a, std::int64_t b) {
      return id_views[static_cast<std::size_t>(a)] < id_views[static_cast<std::size_t>(b)];
    });
    std::vector<std::int64_t> remap(id_views.size());
    t.ids.reserve(id_views.size());
    for (std::size_t i = 0; i < by_id.size(); ++i) {
      remap[static_cast<std::size_t>(by_id[i])] = static_cast<std::int64_t>(i);
      t.ids.emplace_back(id_views[static_cast<std::size_t>(by_id[i])]);
    }
    for (auto& c : t.codes) c = remap[static_cast<std::size_t>(c)];
  }

  // Duplicate (id, ds): rows grouped by series (stable), each group sorted by time.
  {
    auto order = order_by_code(t.codes, t.ids.size());
    auto begin = order.begin();
    while (begin != order.end()) {
      const auto code = t.codes[static_cast<std::size_t>(*begin)];
      auto stop = begin;
      while (stop != order.end() && t.codes[static_cast<std::size_t>(*stop)] == code) ++stop;
      const auto by_time = [&](std::int64_t a, std::int64_t b) {
        return t.ds[static_cast<std::size_t>(a)] < t.ds[static_cast<std::size_t>(b)];
      };
      if (!std::is_sorted(begin, stop, by_time)) std::stable_sort(begin, stop, by_time);
      for (auto it = begin; it + 1 < stop; ++it) {
        const auto a = static_cast<std::size_t>(it[0]);
        const auto b = static_cast<std::size_t>(it[1]);
        if (t.ds[a] == t.ds[b]) {
          const auto later = std::max(a, b);
          const auto earlier = std::min(a, b);
          rd.fail(t.lines[later], static_cast<std::int64_t>(later),
                  t.ids[static_cast<std::size_t>(code)], opt.time_col,
                  "duplicate (unique_id, ds) " + format_timestamp(t.ds[a]) + ": also in row " +
                      std::to_string(earlier) + " (line " + std::to_string(t.lines[earlier]) + ")");
        }
      }
      begin = stop;
    }
  }

  // Extra columns, typed.
  t.extra.resize(k);
  for (std::size_t c = 0; c < k; ++c) {
    CsvColumn& col = t.extra[c];
    col.name = t.header[extra_index[c]];
    bool all_int = true;
    bool numeric = true;
    col.numbers.resize(n);
    for (std::size_t r = 0; r < n && numeric; ++r) {
      const std::string_view cell = extra_cells[r * k + c];
      std::int64_t iv = 0;
      // Integers are kept as doubles: only those a double holds exactly (|v| <= 2^53) keep the
      // column integer; beyond, it is read as real (pandas would keep an exact int64).
      constexpr std::int64_t exact = std::int64_t{1} << 53;
      if (all_int && parse_int(cell, iv) && iv <= exact && iv >= -exact) {
        col.numbers[r] = static_cast<double>(iv);
        continue;
      }
      all_int = false;
      double dv = 0.0;
      if (parse_double(cell, dv)) {
        col.numbers[r] = dv;
      } else if (is_na_token(trim(cell))) {
        col.numbers[r] = std::numeric_limits<double>::quiet_NaN();
      } else {
        numeric = false;
      }
    }
    if (numeric) {
      col.kind = all_int ? CsvColumn::Kind::integer : CsvColumn::Kind::real;
      continue;
    }
    col.kind = CsvColumn::Kind::text;
    col.numbers.clear();
    col.numbers.shrink_to_fit();
    std::unordered_map<std::string_view, std::int64_t> levels;
    std::vector<std::string_view> level_views;
    col.codes.resize(n);
    std::string_view last;
    std::int64_t last_level = -2;
    for (std::size_t r = 0; r < n; ++r) {
      const std::string_view cell = extra_cells[r * k + c];
      if (last_level != -2 && cell == last) {  // runs of one value (attributes) skip the hash
        col.codes[r] = last_level;
        continue;
      }
      last = cell;
      if (is_na_token(cell)) {
        last_level = col.codes[r] = -1;
        continue;
      }
      const auto it = levels.find(cell);
      if (it != levels.end()) {
        last_level = it->second;
      } else {
        last_level = static_cast<std::int64_t>(level_views.size());
        levels.emplace(cell, last_level);
        level_views.push_back(cell);
      }
      col.codes[r] = last_level;
    }
    std::vector<std::int64_t> by(level_views.size());
    std::iota(by.begin(), by.end(), 0);
    std::sort(by.begin(), by.end(), [&](std::int64_t a, std::int64_t b) {
      return level_views[static_cast<std::size_t>(a)] < level_views[static_cast<std::size_t>(b)];
    });
    std::vector<std::int64_t> remap(by.size());
    for (std::size_t i = 0; i < by.size(); ++i) {
      remap[static_cast<std::size_t>(by[i])] = static_cast<std::int64_t>(i);
      col.levels.emplace_back(level_views[static_cast<std::size_t>(by[i])]);
    }
    for (auto& code : col.codes) {
      if (code >= 0) code = remap[static_cast<std::size_t>(code)];
    }
  }
  return t;
}

bool same_cell(const CsvColumn& col, std::size_t a, std::size_t b) noexcept {
  if (col.kind == CsvColumn::Kind::text) return col.codes[a] == col.codes[b];
  const double x = col.numbers[a];
  const double y = col.numbers[b];
  return x == y || (std::isnan(x) && std::isnan(y));
}

}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& name, const CsvOptions& options) {
  std::string owned(text);
  return parse_owned(owned.data(), owned.size(), name, options);
}

CsvTable read_csv_table(const std::string& path, const CsvOptions& options) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f)
    detail::raise_argument("path", "cannot open \"" + path + "\" (no such file, or no access)");
  std::string buf;
  if (std::fseek(f.get(), 0, SEEK_END) == 0) {
    const long size = std::ftell(f.get());
    if (size > 0) buf.reserve(static_cast<std::size_t>(size));
    std::rewind(f.get());
  }
  char chunk[1 << 16];
  for (;;) {
    const std::size_t got = std::fread(chunk, 1, sizeof chunk, f.get());
    buf.append(chunk, got);
    if (got < sizeof chunk) break;
  }
  if (std::ferror(f.get()) != 0) detail::raise_argument("path", "cannot read \"" + path + "\"");
  return parse_owned(buf.data(), buf.size(), path, options);
}

CsvPanel to_panel(const CsvTable& t,
                  const Frequency& freq,
                  const std::string& name,
                  const CsvOptions& options) {
  const std::size_t n = t.n_rows();
  const auto order = order_by_code(t.codes, t.ids.size());
  CsvPanel out;
  std::vector<const CsvColumn*> covariates;
  for (const auto& col : t.extra) {
    // Constant within every series?
    std::size_t varies_at = n;
    for (std::size_t i = 1; i < n; ++i) {
      const auto a = static_cast<std::size_t>(order[i - 1]);
      const auto b = static_cast<std::size_t>(order[i]);
      if (t.codes[a] == t.codes[b] && !same_cell(col, a, b)) {
        varies_at = i;
        break;
      }
    }
    if (varies_at == n) {
      CsvColumn attr;
      attr.name = col.name;
      attr.kind = col.kind;
      attr.levels = col.levels;
      std::vector<bool> seen(t.ids.size(), false);
      if (col.kind == CsvColumn::Kind::text) {
        attr.codes.assign(t.ids.size(), -1);
      } else {
        attr.numbers.assign(t.ids.size(), 0.0);
      }
      for (std::size_t r = 0; r < n; ++r) {
        const auto s = static_cast<std::size_t>(t.codes[r]);
        if (seen[s]) continue;
        seen[s] = true;
        if (col.kind == CsvColumn::Kind::text) {
          attr.codes[s] = col.codes[r];
        } else {
          attr.numbers[s] = col.numbers[r];
        }
      }
      out.attributes.push_back(std::move(attr));
      continue;
    }
    if (col.kind == CsvColumn::Kind::text) {
      const auto a = static_cast<std::size_t>(order[varies_at - 1]);
      const auto b = static_cast<std::size_t>(order[varies_at]);
      const auto text = [&](std::size_t r) {
        return col.codes[r] < 0 ? std::string("missing")
                                : show(col.levels[static_cast<std::size_t>(col.codes[r])]);
      };
      detail::raise_invalid(
          "\"" + name + "\" line " + std::to_string(t.lines[b]) + ": column " + show(col.name) +
              " is neither a series attribute (constant within each series) nor numeric: it "
              "takes " +
              text(a) + " in row " + std::to_string(a) + " and " + text(b) + " in row " +
              std::to_string(b) + "; make it numeric or drop it",
          t.ids[static_cast<std::size_t>(t.codes[b])], static_cast<std::int64_t>(b), col.name);
    }
    covariates.push_back(&col);
  }
  LongInput in;
  in.codes = t.codes.data();
  in.ds = t.ds.data();
  in.y = t.y.data();
  in.n_rows = n;
  in.ids = t.ids;
  std::vector<double> x(n * covariates.size());
  for (std::size_t j = 0; j < covariates.size(); ++j) {
    in.covariate_names.push_back(covariates[j]->name);
    const auto& v = covariates[j]->numbers;
    for (std::size_t r = 0; r < n; ++r) x[r * covariates.size() + j] = v[r];
  }
  in.covariates = covariates.empty() ? nullptr : x.data();
  PanelOptions po;
  po.allow_negative = options.allow_negative;
  try {
    out.panel = Panel::from_long(in, freq, po);
  } catch (const invalid_input& e) {
    if (!e.row() || *e.row() < 0 || static_cast<std::size_t>(*e.row()) >= n) throw;
    detail::raise_invalid("\"" + name + "\" line " +
                              std::to_string(t.lines[static_cast<std::size_t>(*e.row())]) + ": " +
                              e.reason(),
                          e.series_id(), e.row(), e.field());
  }
  return out;
}

CsvPanel read_csv(const std::string& path, const Frequency& freq, const CsvOptions& options) {
  return to_panel(read_csv_table(path, options), freq, path, options);
}

}  // namespace quickstock::io
