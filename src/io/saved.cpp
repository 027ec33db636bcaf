#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <system_error>

#include <quickstock/error.hpp>
#include <quickstock/io/saved.hpp>

namespace quickstock::io {
namespace {

[[noreturn]] void fail(const std::string& where, const std::string& message) {
  detail::raise_invalid(where + ": " + message, {}, std::nullopt, "path");
}

// ---------------------------------------------------------------------------------------------
// CRC-32 (ISO 3309 / zip, reflected polynomial 0xEDB88320), slicing-by-8: eight tables built
// at compile time, eight bytes per step (about 5x the byte-at-a-time loop).

using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr CrcTables crc_tables() {
  CrcTables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t i = 0; i < 256; ++i) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFFu];
  }
  return t;
}
constexpr CrcTables kCrc = crc_tables();

std::uint32_t crc32(std::string_view bytes) {
  std::uint32_t c = 0xFFFFFFFFu;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  for (; n >= 8; n -= 8, p += 8) {
    const std::uint32_t lo =
        c ^ (static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
             (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24));
    c = kCrc[7][lo & 0xFFu] ^ kCrc[6][(lo >> 8) & 0xFFu] ^ kCrc[5][(lo >> 16) & 0xFFu] ^
        kCrc[4][lo >> 24] ^ kCrc[3][p[4]] ^ kCrc[2][p[5]] ^ kCrc[1][p[6]] ^ kCrc[0][p[7]];
  }
  for (; n > 0; --n, ++p) c = kCrc[0][(c ^ *p) & 0xFFu] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::uint32_t le16(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8);
}
std::uint32_t le32(std::string_view b, std::size_t at) {
  return le16(b, at) | (le16(b, at + 2) << 16);
}
std::uint64_t le64(std::string_view b, std::size_t at) {
  return static_cast<std::uint64_t>(le32(b, at)) |
         (static_cast<std::uint64_t>(le32(b, at + 4)) << 32);
}

/// Length of the valid UTF-8 sequence at `s[i]` (shortest form, no surrogates), 0 if invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  unsigned cp = 0;
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    cp = b0 & 0x1Fu;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    cp = b0 & 0x0Fu;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    cp = b0 & 0x07u;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  const unsigned min = n == 2 ? 0x80u : n == 3 ? 0x800u : 0x10000u;
  if (cp < min || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu)) return 0;
  return n;
}

/// `s` in quotes for a message: valid UTF-8 kept, control and invalid bytes as `\xNN`, at most
/// about 80 characters (so that every message is valid UTF-8 for Python).
std::string quoted(std::string_view s) {
  std::string out = "'";
  for (std::size_t i = 0; i < s.size() && out.size() < 80;) {
    const auto u = static_cast<unsigned char>(s[i]);
    const std::size_t n = utf8_length(s, i);
    if (n == 0 || u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
      ++i;
    } else {
      out.append(s.data() + i, n);
      i += n;
    }
  }
  if (out.size() >= 80) out += "...";
  return out + "'";
}

// ---------------------------------------------------------------------------------------------
// JSON

class JsonParser {
 public:
  JsonParser(std::string_view text, const std::string& where, const SavedLimits& limits)
      : s_(text), where_(where), limits_(limits) {}

  Json document() {
    if (s_.size() > limits_.max_json_bytes) {
      fail(where_, "is " + std::to_string(s_.size()) + " bytes, over the limit of " +
                       std::to_string(limits_.max_json_bytes));
    }
    skip_ws();
    Json v = value(0);
    skip_ws();
    if (pos_ != s_.size()) error("unexpected text after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void error(const std::string& what) const {
    fail(where_, "invalid JSON at byte " + std::to_string(pos_) + ": " + what);
  }

  void skip_ws() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Json value(std::size_t depth) {
    if (pos_ >= s_.size()) error("unexpected end of the text");
    Json v;
    const char c = s_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= limits_.max_json_depth) {
        error("nesting deeper than " + std::to_string(limits_.max_json_depth));
      }
      ++pos_;
      skip_ws();
      const char close = c == '{' ? '}' : ']';
      v.kind = c == '{' ? Json::Kind::object : Json::Kind::array;
      if (pos_ < s_.size() && s_[pos_] == close) {
        ++pos_;
        return v;
      }
      for (;;) {
        if (c == '{') {
          if (pos_ >= s_.size() || s_[pos_] != '"') error("expected a string key");
          std::string key = string();
          skip_ws();
          if (pos_ >= s_.size() || s_[pos_] != ':') error("expected ':'");
          ++pos_;
          skip_ws();
          v.members.emplace_back(std::move(key), value(depth + 1));
        } else {
          v.items.push_back(value(depth + 1));
        }
        skip_ws();
        if (pos_ >= s_.size()) error("unexpected end of the text");
        if (s_[pos_] == ',') {
          ++pos_;
          skip_ws();
          continue;
        }
        if (s_[pos_] == close) {
          ++pos_;
          break;
        }
        error(std::string("expected ',' or '") + close + "'");
      }
      if (c == '{') check_unique_keys(v);
      return v;
    }
    if (c == '"') {
      v.kind = Json::Kind::string;
      v.string = string();
      return v;
    }
    if (literal("true")) {
      v.kind = Json::Kind::boolean;
      v.boolean = true;
      return v;
    }
    if (literal("false")) {
      v.kind = Json::Kind::boolean;
      return v;
    }
    if (literal("null")) return v;
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    error("unexpected character " + quoted(s_.substr(pos_, 1)));
  }

  void check_unique_keys(const Json& v) {
    std::vector<std::string_view> keys;
    keys.reserve(v.members.size());
    for (const auto& m : v.members) keys.emplace_back(m.first);
    std::sort(keys.begin(), keys.end());
    const auto dup = std::adjacent_find(keys.begin(), keys.end());
    if (dup != keys.end()) error("duplicate key " + quoted(*dup));
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  Json number() {
    const std::size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size() || !digit(s_[pos_])) error("a number needs digits");
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < s_.size() && digit(s_[pos_])) ++pos_;
    }
    bool integral = true;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (pos_ >= s_.size() || !digit(s_[pos_])) error("a fraction needs digits");
      while (pos_ < s_.size() && digit(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (pos_ >= s_.size() || !digit(s_[pos_])) error("an exponent needs digits");
      while (pos_ < s_.size() && digit(s_[pos_])) ++pos_;
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + pos_;
    Json v;
    if (integral) {
      v.kind = Json::Kind::integer;
      const auto r = std::from_chars(first, last, v.integer);
      if (r.ec != std::errc() || r.ptr != last) {
        pos_ = start;
        error("integer " + std::string(first, last) + " is outside the 64-bit range");
      }
    } else {
      v.kind = Json::Kind::real;
      const auto r = std::from_chars(first, last, v.real);
      if (r.ec != std::errc() || r.ptr != last || !std::isfinite(v.real)) {
        pos_ = start;
        error("number " + std::string(first, last) + " is out of range");
      }
    }
    return v;
  }

  unsigned hex4() {
    if (pos_ + 4 > s_.size()) error("truncated \\u escape");
    unsigned u = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = s_[pos_++];
      u <<= 4;
      if (c >= '0' && c <= '9')
        u |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        u |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        u |= static_cast<unsigned>(c - 'A' + 10);
      else
        error("bad \\u escape");
    }
    return u;
  }

  static void put_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // One UTF-8 sequence starting at pos_ (validated: shortest form, no surrogates, <= U+10FFFF).
  void utf8(std::string& out) {
    const std::size_t n = utf8_length(s_, pos_);
    if (n == 0) error("invalid UTF-8");
    out.append(s_.data() + pos_, n);
    pos_ += n;
  }

  std::string string() {
    ++pos_;  // opening quote
    std::string out;
    for (;;) {
      if (pos_ >= s_.size()) error("unterminated string");
      const char c = s_[pos_];
      const auto u = static_cast<unsigned char>(c);
      if (c == '"') {
        ++pos_;
        return out;
      }
      if (u < 0x20) error("control character in a string");
      if (u >= 0x80) {
        utf8(out);
        continue;
      }
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) error("unterminated string");
      const char e = s_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) error("lone low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u') {
              error("lone high surrogate");
            }
            pos_ += 2;
            const unsigned lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) error("lone high surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          put_utf8(out, cp);
          break;
        }
        default:
          --pos_;
          error("bad escape");
      }
    }
  }

  std::string_view s_;
  const std::string& where_;
  const SavedLimits& limits_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// npy header: a Python dict literal as numpy writes it.

class NpyHeader {
 public:
  NpyHeader(std::string_view text, const std::string& where) : s_(text), where_(where) {}

  void parse(NpyArray& out) {
    bool descr = false;
    bool order = false;
    bool shape = false;
    ws();
    expect('{');
    ws();
    while (peek() != '}') {
      const std::string key = pystring();
      ws();
      expect(':');
      ws();
      if (key == "descr" && !descr) {
        const std::string d = pystring();
        if (d == "<i8") {
          out.dtype = NpyArray::Dtype::int64;
        } else if (d == "<f8") {
          out.dtype = NpyArray::Dtype::float64;
        } else {
          fail(where_, "array dtype " + quoted(d) + " is not '<i8' or '<f8'");
        }
        descr = true;
      } else if (key == "fortran_order" && !order) {
        if (s_.substr(pos_, 5) != "False") fail(where_, "array is not in C order");
        pos_ += 5;
        order = true;
      } else if (key == "shape" && !shape) {
        tuple(out.shape);
        shape = true;
      } else {
        fail(where_, "unexpected or repeated key " + quoted(key) + " in the array header");
      }
      ws();
      if (peek() == ',') {
        ++pos_;
        ws();
      } else if (peek() != '}') {
        bad();
      }
    }
    ++pos_;
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
    if (pos_ + 1 != s_.size() || s_[pos_] != '\n') bad();
    if (!descr || !order || !shape)
      fail(where_, "array header lacks descr, fortran_order or shape");
  }

 private:
  [[noreturn]] void bad() const { fail(where_, "malformed array header"); }
  char peek() const {
    if (pos_ >= s_.size()) bad();
    return s_[pos_];
  }
  void expect(char c) {
    if (peek() != c) bad();
    ++pos_;
  }
  void ws() {
    while (pos_ < s_.size() && s_[pos_] == ' ') ++pos_;
  }
  std::string pystring() {
    const char q = peek();
    if (q != '\'' && q != '"') bad();
    ++pos_;
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != q) {
      const auto u = static_cast<unsigned char>(s_[pos_]);
      if (s_[pos_] == '\\' || u < 0x20 || u >= 0x7F) bad();
      ++pos_;
    }
    if (pos_ >= s_.size()) bad();
    return std::string(s_.substr(start, pos_++ - start));
  }
  void tuple(std::vector<std::int64_t>& dims) {
    expect('(');
    ws();
    bool comma = false;
    while (peek() != ')') {
      const std::size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      std::int64_t d = 0;
      const auto r = std::from_chars(s_.data() + start, s_.data() + pos_, d);
      if (pos_ == start || r.ec != std::errc() || r.ptr != s_.data() + pos_) bad();
      if (dims.size() >= 8) fail(where_, "array has more than 8 dimensions");
      dims.push_back(d);
      ws();
      comma = false;
      if (peek() == ',') {
        ++pos_;
        ws();
        comma = true;
      } else if (peek() != ')') {
        bad();
      }
    }
    if (dims.size() == 1 && !comma) bad();  // "(3)" is not a tuple
    ++pos_;
  }

  std::string_view s_;
  const std::string& where_;
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Model specs: one reader per class, listing the JSON names of `Model._params` (Python) and the
// spec members they set. Defaults are the Python constructors' defaults.

const char* kind_name(const Json& v) {
  switch (v.kind) {
    case Json::Kind::null:
      return "null";
    case Json::Kind::boolean:
      return "a boolean";
    case Json::Kind::integer:
      return "an integer";
    case Json::Kind::real:
      return "a real number";
    case Json::Kind::string:
      return "a string";
    case Json::Kind::array:
      return "an array";
    case Json::Kind::object:
      return "an object";
  }
  return "?";
}

std::string render(const Json& v) {
  switch (v.kind) {
    case Json::Kind::null:
      return "null";
    case Json::Kind::boolean:
      return v.boolean ? "true" : "false";
    case Json::Kind::integer:
      return std::to_string(v.integer);
    case Json::Kind::real: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", v.real);
      return buf;
    }
    case Json::Kind::string:
      return quoted(v.string);
    default:
      return kind_name(v);
  }
}

/// The parameters of one saved model: each reader takes its fields by name; `finish` refuses
/// names no reader took (Python's constructor would raise TypeError for them).
class Params {
 public:
  Params(const Json& params, std::string where) : p_(params), where_(std::move(where)) {
    if (p_.kind != Json::Kind::object) fail(where_, "params must be an object");
    used_.assign(p_.members.size(), false);
  }

  const Json* take(std::string_view name) {
    for (std::size_t i = 0; i < p_.members.size(); ++i) {
      if (p_.members[i].first == name) {
        used_[i] = true;
        return &p_.members[i].second;
      }
    }
    return nullptr;
  }

  [[noreturn]] void bad(std::string_view name, const std::string& want, const Json& v) const {
    fail(where_ + "." + std::string(name),
         "must be " + want + " (got " + std::string(kind_name(v)) + " " + render(v) + ")");
  }

  const Json& required(std::string_view name) {
    const Json* v = take(name);
    if (v == nullptr) fail(where_, "lacks the parameter " + quoted(name));
    return *v;
  }

  std::int64_t integer(std::string_view name, std::optional<std::int64_t> def) {
    const Json* v = def ? take(name) : &required(name);
    if (v == nullptr) return *def;
    if (v->kind != Json::Kind::integer) bad(name, "an integer", *v);
    return v->integer;
  }
  std::optional<std::int64_t> optional_integer(std::string_view name) {
    const Json* v = take(name);
    if (v == nullptr || v->kind == Json::Kind::null) return std::nullopt;
    if (v->kind != Json::Kind::integer) bad(name, "null or an integer", *v);
    return v->integer;
  }
  double real(std::string_view name, std::optional<double> def) {
    const Json* v = def ? take(name) : &required(name);
    if (v == nullptr) return *def;
    if (!v->is_number()) bad(name, "a number", *v);
    return v->number();
  }
  bool flag(std::string_view name, bool def) {
    const Json* v = take(name);
    if (v == nullptr) return def;
    if (v->kind != Json::Kind::boolean) bad(name, "true or false", *v);
    return v->boolean;
  }
  std::optional<bool> optional_flag(std::string_view name) {
    const Json* v = take(name);
    if (v == nullptr || v->kind == Json::Kind::null) return std::nullopt;
    if (v->kind != Json::Kind::boolean) bad(name, "null, true or false", *v);
    return v->boolean;
  }
  std::string text(std::string_view name, const std::string& def) {
    const Json* v = take(name);
    if (v == nullptr) return def;
    if (v->kind != Json::Kind::string) bad(name, "a string", *v);
    return v->string;
  }
  std::string choice(std::string_view name,
                     const std::string& def,
                     std::initializer_list<const char*> allowed) {
    std::string s = text(name, def);
    for (const char* a : allowed)
      if (s == a) return s;
    std::string list;
    for (const char* a : allowed) list += (list.empty() ? "" : ", ") + quoted(a);
    fail(where_ + "." + std::string(name), "must be one of " + list + " (got " + quoted(s) + ")");
  }
  std::array<std::int64_t, 3> order(std::string_view name) {
    const Json* v = take(name);
    if (v == nullptr) return {0, 0, 0};
    if (v->kind != Json::Kind::array || v->items.size() != 3) {
      bad(name, "three integers (p, d, q)", *v);
    }
    std::array<std::int64_t, 3> o{};
    for (std::size_t k = 0; k < 3; ++k) {
      if (v->items[k].kind != Json::Kind::integer) bad(name, "three integers (p, d, q)", *v);
      o[k] = v->items[k].integer;
    }
    return o;
  }

  void finish() const {
    for (std::size_t i = 0; i < used_.size(); ++i) {
      if (!used_[i]) fail(where_, "has an unknown parameter " + quoted(p_.members[i].first));
    }
  }
  [[nodiscard]] const std::string& where() const { return where_; }

 private:
  const Json& p_;
  std::string where_;
  std::vector<bool> used_;
};

/// Runs `make` (a constructor or `validate`), re-raising its `invalid_input` with the location.
template <class F>
auto checked(const std::string& where, F&& make) -> decltype(make()) {
  try {
    return make();
  } catch (const invalid_input& e) {
    fail(where + (e.field().empty() ? "" : "." + e.field()), e.reason());
  }
}

/// Python's `default_season_length(freq)` (python/quickstock/_frame.py).
std::int64_t default_season_length(const Frequency& freq) {
  const std::string& alias = freq.alias();
  std::size_t digits = 0;
  while (digits < alias.size() && alias[digits] >= '0' && alias[digits] <= '9') ++digits;
  const std::string multiple = alias.substr(0, digits);
  if (!(multiple.empty() || multiple == "1")) return 1;
  std::string base = alias.substr(digits);
  base = base.substr(0, base.find('-'));
  if (base == "h") return 24;
  if (base == "D") return 7;
  if (base == "W") return 52;
  if (base == "MS" || base == "ME") return 12;
  if (base == "QS" || base == "QE") return 4;
  return 1;
}

struct ModelContext {
  const Frequency* freq = nullptr;  // null: a nested model (Python's `.spec`, no frequency)
  std::int64_t censor_column = -1;
  const SavedAttributes* attributes = nullptr;  // for CountRegression(pool_by=...)
};

// Python's `pd.factorize(values, sort=True, use_na_sentinel=False)` of one attribute column:
// a code per series, distinct values numbered in sorted order (numbers by value, strings by
// code point, booleans false first), missing (null or NaN) last.
std::vector<std::int64_t> pool_codes(const SavedAttributes* attributes,
                                     const std::string& column,
                                     const std::string& where) {
  const auto& cols = attributes == nullptr ? std::vector<std::string>{} : attributes->columns;
  const auto it = std::find(cols.begin(), cols.end(), column);
  if (it == cols.end()) {
    std::string have;
    for (const auto& c : cols) have += (have.empty() ? "" : ", ") + quoted(c);
    fail(where + ".pool_by", "names " + quoted(column) +
                                 ", not a series attribute of the saved frame (attributes: [" +
                                 have + "])");
  }
  const auto j = static_cast<std::size_t>(it - cols.begin());
  const auto missing = [](const Json& v) {
    return v.kind == Json::Kind::null || (v.kind == Json::Kind::real && std::isnan(v.real));
  };
  const auto less = [&](const Json* a, const Json* b) {
    if (missing(*a) || missing(*b)) return !missing(*a) && missing(*b);
    if (a->is_number() && b->is_number()) return a->number() < b->number();
    if (a->kind != b->kind) return a->kind < b->kind;
    if (a->kind == Json::Kind::boolean) return !a->boolean && b->boolean;
    return a->string < b->string;
  };
  std::vector<const Json*> distinct;
  for (const auto& row : attributes->rows) distinct.push_back(&row[j]);
  std::sort(distinct.begin(), distinct.end(), less);
  distinct.erase(
      std::unique(distinct.begin(), distinct.end(),
                  [&](const Json* a, const Json* b) { return !less(a, b) && !less(b, a); }),
      distinct.end());
  std::vector<std::int64_t> codes;
  codes.reserve(attributes->rows.size());
  for (const auto& row : attributes->rows) {
    const auto pos = std::lower_bound(distinct.begin(), distinct.end(), &row[j], less);
    codes.push_back(static_cast<std::int64_t>(pos - distinct.begin()));
  }
  return codes;
}

Model read_model(const Json& entry, const ModelContext& ctx, std::string& alias, std::string where);

Model nested_model(const Json& v, const std::string& where) {
  if (v.kind != Json::Kind::object || v.find("class") == nullptr) {
    fail(where, std::string("must be a saved quickstock model (got ") + kind_name(v) + ")");
  }
  std::string alias;
  return read_model(v, ModelContext{}, alias, where);
}

template <class Spec>
Model validated(const std::string& where, Spec s) {
  checked(where, [&] {
    validate(s);
    return 0;
  });
  return Model{std::move(s)};
}

Model read_params(const std::string& cls, Params& p, const ModelContext& ctx) {
  const std::string& w = p.where();
  if (cls == "Naive") return Naive{};
  if (cls == "HistoricAverage") return HistoricAverage{};
  if (cls == "RandomWalkWithDrift") return RandomWalkWithDrift{};
  if (cls == "SeasonalNaive") return validated(w, SeasonalNaive{p.integer("season_length", {})});
  if (cls == "WindowAverage") return validated(w, WindowAverage{p.integer("window_size", {})});
  if (cls == "SeasonalWindowAverage") {
    const auto m = p.integer("season_length", {});
    return validated(w, SeasonalWindowAverage{m, p.integer("window_size", {})});
  }
  if (cls == "ETS" || cls == "AutoETS") {
    const bool fixed = cls == "ETS";
    const auto model = p.text("model", fixed ? "ANN" : "ZZZ");
    const auto m = p.integer("season_length", 1);
    std::optional<bool> damped;
    if (fixed) {
      damped = p.flag("damped", false);
    } else {
      damped = p.optional_flag("damped");
    }
    const bool covariates = p.flag("covariates", false);
    if (covariates) {
      // Python's ETS builds the plain spec first (so its letters are checked), then ETSX.
      if (fixed) (void)checked(w, [&] { return make_ets(model, m, *damped); });
      ETSX s{m, model, damped, !fixed, true};
      return validated(w, s);
    }
    if (fixed) return checked(w, [&] { return Model{make_ets(model, m, *damped)}; });
    return validated(w, AutoETS{m, model, damped});
  }
  // Croston, CrostonSBA and TSB read the censoring column as Python's `_core_spec` does.
  const std::int64_t censor = ctx.freq == nullptr ? -1 : ctx.censor_column;
  if (cls == "Croston" || cls == "CrostonSBA") {
    const double alpha = p.real("alpha", 0.1);
    const auto integer = p.optional_flag("integer");
    if (cls == "Croston") return validated(w, Croston{alpha, integer, censor});
    return validated(w, CrostonSBA{alpha, integer, censor});
  }
  if (cls == "TSB") {
    const double ad = p.real("alpha_d", {});
    const double ap = p.real("alpha_p", {});
    return validated(w, TSB{ad, ap, p.optional_flag("integer"), censor});
  }
  if (cls == "ADIDA") return validated(w, ADIDA{p.optional_flag("integer")});
  if (cls == "IMAPA") return validated(w, IMAPA{p.optional_flag("integer")});
  if (cls == "Theta" || cls == "OptimizedTheta" || cls == "DynamicTheta" ||
      cls == "DynamicOptimizedTheta" || cls == "AutoTheta") {
    const auto m = p.integer("season_length", 1);
    const auto dt = parse_decomposition_type(
        p.choice("decomposition_type", "multiplicative", {"multiplicative", "additive"}));
    if (cls == "Theta") return validated(w, Theta{m, dt});
    if (cls == "OptimizedTheta") return validated(w, OptimizedTheta{m, dt});
    if (cls == "DynamicTheta") return validated(w, DynamicTheta{m, dt});
    if (cls == "DynamicOptimizedTheta") return validated(w, DynamicOptimizedTheta{m, dt});
    const auto sel = parse_theta_selection(p.choice("selection", "holdout", {"holdout", "mse"}));
    return validated(w, AutoTheta{m, dt, sel});
  }
  if (cls == "MSTL") {
    const Json& sl = p.required("season_length");
    std::vector<double> periods;
    if (sl.kind == Json::Kind::array) {
      for (const Json& v : sl.items) {
        if (!v.is_number()) p.bad("season_length", "numbers", v);
        periods.push_back(v.number());
      }
      if (periods.empty()) fail(w + ".season_length", "must not be empty");
    } else if (sl.is_number()) {
      periods.push_back(sl.number());
    } else {
      p.bad("season_length", "a number or a list of numbers", sl);
    }
    Model trend = AutoETS{1, "ZZN", std::nullopt};
    if (const Json* t = p.take("trend_forecaster"); t != nullptr && t->kind != Json::Kind::null) {
      trend = nested_model(*t, w + ".trend_forecaster");
    }
    return checked(w, [&] { return Model{make_mstl(periods, trend)}; });
  }
  if (cls == "Ensemble") {
    const Json& ms = p.required("models");
    if (ms.kind != Json::Kind::array) p.bad("models", "a list of saved models", ms);
    std::vector<Model> members;
    for (std::size_t i = 0; i < ms.items.size(); ++i) {
      members.push_back(nested_model(ms.items[i], w + ".models[" + std::to_string(i) + "]"));
    }
    EnsembleWeighting weighting = EnsembleWeighting::cv;
    std::vector<double> weights;
    if (const Json* wv = p.take("weights"); wv != nullptr) {
      if (wv->kind == Json::Kind::string) {
        if (wv->string != "cv" && wv->string != "equal") {
          p.bad("weights", "'cv', 'equal' or a list of numbers", *wv);
        }
        weighting = parse_ensemble_weighting(wv->string);
      } else if (wv->kind == Json::Kind::array || wv->is_number()) {
        weighting = EnsembleWeighting::given;
        if (wv->is_number()) {
          weights.push_back(wv->number());
        } else {
          for (const Json& x : wv->items) {
            if (!x.is_number()) p.bad("weights", "'cv', 'equal' or a list of numbers", *wv);
            weights.push_back(x.number());
          }
        }
      } else {
        p.bad("weights", "'cv', 'equal' or a list of numbers", *wv);
      }
    }
    const auto nw = p.integer("n_windows", 2);
    const auto h = p.integer("h", 14);
    if (nw < 1) fail(w + ".n_windows", "must be an integer >= 1 (got " + std::to_string(nw) + ")");
    if (h < 1) fail(w + ".h", "must be an integer >= 1 (got " + std::to_string(h) + ")");
    return checked(w, [&] { return Model{make_ensemble(members, weighting, weights, nw, h)}; });
  }
  if (cls == "Conformal") {
    const Model model = nested_model(p.required("model"), w + ".model");
    const auto nw = p.integer("n_windows", 20);
    const auto h = p.integer("h", 14);
    const auto step = p.integer("step_size", 1);
    for (const auto& [name, v] :
         {std::pair<const char*, std::int64_t>{"n_windows", nw}, {"h", h}, {"step_size", step}}) {
      if (v < 1) fail(w + "." + name, "must be an integer >= 1 (got " + std::to_string(v) + ")");
    }
    const std::string method = p.text("method", "signed");
    const bool refit = p.flag("refit", true);
    return checked(w, [&] {
      return Model{make_conformal(model, nw, h, step, parse_conformal_method(method), refit)};
    });
  }
  if (cls == "ARIMA") {
    const auto o = p.order("order");
    const auto so = p.order("seasonal_order");
    ARIMA s;
    s.order = {o[0], o[1], o[2]};
    s.seasonal_order = {so[0], so[1], so[2]};
    s.season_length = p.integer("season_length", 1);
    s.include_mean = p.flag("include_mean", true);
    s.include_drift = p.flag("include_drift", false);
    const std::string method = p.text("method", "CSS-ML");
    s.method = checked(w, [&] { return parse_arima_method(method); });
    return validated(w, s);
  }
  if (cls == "AutoARIMA") {
    AutoARIMA s;
    s.season_length = p.integer("season_length", 1);
    s.d = p.optional_integer("d");
    s.D = p.optional_integer("D");
    s.max_p = p.integer("max_p", 5);
    s.max_q = p.integer("max_q", 5);
    s.max_P = p.integer("max_P", 2);
    s.max_Q = p.integer("max_Q", 2);
    s.max_order = p.integer("max_order", 5);
    s.max_d = p.integer("max_d", 2);
    s.max_D = p.integer("max_D", 1);
    s.start_p = p.integer("start_p", 2);
    s.start_q = p.integer("start_q", 2);
    s.start_P = p.integer("start_P", 1);
    s.start_Q = p.integer("start_Q", 1);
    s.stationary = p.flag("stationary", false);
    s.seasonal = p.flag("seasonal", true);
    const std::string ic = p.text("ic", "aicc");
    s.ic = checked(w, [&] { return parse_information_criterion(ic); });
    s.stepwise = p.flag("stepwise", true);
    s.nmodels = p.integer("nmodels", 94);
    s.approximation = p.optional_flag("approximation");
    s.seasonal_test = p.text("seasonal_test", "seas");
    s.allow_drift = p.flag("allow_drift", true);
    s.allow_mean = p.flag("allow_mean", true);
    return validated(w, s);
  }
  if (cls == "CountRegression") {
    CountRegression s;
    s.family = parse_count_family(p.choice("family", "negbin", {"negbin", "poisson"}));
    s.zero_inflated = p.flag("zero_inflated", false);
    const auto m = p.optional_integer("season_length");
    s.trend = p.flag("trend", false);
    s.pooled = p.flag("pooled", false);
    const std::string pool_by = p.text("pool_by", "");
    const auto window = p.optional_integer("window");
    if (window && *window < 1) {
      fail(w + ".window", "must be null or an integer >= 1 (got " + std::to_string(*window) + ")");
    }
    s.ridge = p.real("ridge", 1.0);
    if (!(s.ridge >= 0.0)) fail(w + ".ridge", "must be a number >= 0");
    if (ctx.freq == nullptr) {  // Python's `.spec`: the frequency is not known
      s.season_length = m.value_or(7);
      s.window = window.value_or(0);
    } else {  // Python's `_core_spec(freq, censor_column)`
      const std::int64_t d = default_season_length(*ctx.freq);
      s.season_length = m ? *m : (d == 7 || d == 24 ? d : 1);
      s.window = window ? *window : (d == 7 ? 365 : d == 24 ? 24 * 56 : 0);
      s.censor_column = ctx.censor_column;
      if (!pool_by.empty()) s.pool_groups = pool_codes(ctx.attributes, pool_by, w);
    }
    if (!pool_by.empty()) s.pooled = true;  // Python: pool_by implies pooled
    return validated(w, s);
  }
  fail(w, "names an unknown model class " + quoted(cls));
}

Model read_model(const Json& entry,
                 const ModelContext& ctx,
                 std::string& alias,
                 std::string where) {
  if (entry.kind != Json::Kind::object) {
    fail(where, std::string("must be an object (got ") + kind_name(entry) + ")");
  }
  const Json* cls = entry.find("class");
  if (cls == nullptr || cls->kind != Json::Kind::string) {
    fail(where + ".class", "must be the model's class name");
  }
  const Json* params = entry.find("params");
  if (params == nullptr) fail(where, "lacks 'params'");
  const Json* a = entry.find("alias");
  if (a == nullptr) fail(where, "lacks 'alias'");
  if (a->kind == Json::Kind::null) {
    alias = cls->string;
  } else if (a->kind == Json::Kind::string && !a->string.empty()) {
    alias = a->string;
  } else {
    fail(where + ".alias", "must be null or a non-empty string");
  }
  Params p(*params, where + "(" + cls->string + ").params");
  Model m = read_params(cls->string, p, ctx);
  p.finish();
  return m;
}

// ---------------------------------------------------------------------------------------------
// Saved forecaster metadata.

/// Python's `repr(float)`: the shortest round-trip digits, fixed notation for 1e-4 <= |v| <
/// 1e16 (with ".0" when integral), else exponent notation with at least two exponent digits.
std::string python_float(double v) {
  char buf[40];
  int prec = 1;
  for (; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  // buf = [-]d.ddde[+-]XX
  std::string s(buf);
  const bool neg = s[0] == '-';
  if (neg) s.erase(0, 1);
  const auto e = s.find('e');
  const int exp10 = std::atoi(s.c_str() + e + 1);
  std::string digits = s.substr(0, 1) + (e > 2 ? s.substr(2, e - 2) : "");
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int decpt = exp10 + 1;
  std::string out;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out = "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
    } else if (static_cast<std::size_t>(decpt) >= digits.size()) {
      out = digits + std::string(static_cast<std::size_t>(decpt) - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, static_cast<std::size_t>(decpt)) + "." +
            digits.substr(static_cast<std::size_t>(decpt));
    }
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char ex[16];
    std::snprintf(ex, sizeof ex, "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
    out += ex;
  }
  return neg ? "-" + out : out;
}

const Json& member(const Json& meta, std::string_view key, const std::string& where) {
  const Json* v = meta.find(key);
  if (v == nullptr) fail(where, "lacks the field " + quoted(key));
  return *v;
}

[[noreturn]] void bad_field(const std::string& where,
                            const std::string& field,
                            const std::string& want,
                            const Json& v) {
  fail(where + " field " + quoted(field),
       "must be " + want + " (got " + kind_name(v) + " " + render(v) + ")");
}

std::string string_field(const Json& v, const std::string& where, const std::string& field) {
  if (v.kind != Json::Kind::string) bad_field(where, field, "a string", v);
  return v.string;
}

}  // namespace

const Json* Json::find(std::string_view key) const noexcept {
  if (kind != Kind::object) return nullptr;
  for (const auto& m : members)
    if (m.first == key) return &m.second;
  return nullptr;
}

Json parse_json(std::string_view text, const std::string& where, const SavedLimits& limits) {
  return JsonParser(text, where, limits).document();
}

std::vector<ZipEntry> read_stored_zip(std::string_view b,
                                      const std::string& where,
                                      const SavedLimits& limits) {
  const std::size_t n = b.size();
  if (n > limits.max_file_bytes) fail(where, "is larger than the limit");
  if (n < 22) fail(where, "is truncated or not a zip archive (" + std::to_string(n) + " bytes)");
  // End of central directory: the last record whose comment ends the file.
  std::size_t eocd = std::string_view::npos;
  const std::size_t lowest = n >= 22 + 0xFFFF ? n - 22 - 0xFFFF : 0;
  for (std::size_t at = n - 22 + 1; at-- > lowest;) {
    if (le32(b, at) == 0x06054b50u && at + 22 + le16(b, at + 20) == n) {
      eocd = at;
      break;
    }
  }
  if (eocd == std::string_view::npos) {
    fail(where, "is truncated or not a zip archive (no end of central directory)");
  }
  const std::uint32_t disk = le16(b, eocd + 4);
  const std::uint32_t cd_disk = le16(b, eocd + 6);
  const std::uint32_t count_disk = le16(b, eocd + 8);
  const std::uint32_t count = le16(b, eocd + 10);
  const std::uint64_t cd_size = le32(b, eocd + 12);
  const std::uint64_t cd_offset = le32(b, eocd + 16);
  if (count == 0xFFFFu || cd_size == 0xFFFFFFFFu || cd_offset == 0xFFFFFFFFu) {
    fail(where, "is a ZIP64 archive (not written by quickstock)");
  }
  if (disk != 0 || cd_disk != 0 || count_disk != count) fail(where, "is a multi-disk zip archive");
  if (count > limits.max_entries) {
    fail(where, "has " + std::to_string(count) + " entries, over the limit of " +
                    std::to_string(limits.max_entries));
  }
  if (cd_offset + cd_size > eocd) fail(where, "is damaged: the central directory is out of bounds");
  std::vector<ZipEntry> out;
  out.reserve(count);
  struct Span {
    std::uint64_t begin, end;
  };
  std::vector<Span> spans;
  std::size_t at = static_cast<std::size_t>(cd_offset);
  const std::size_t cd_end = static_cast<std::size_t>(cd_offset + cd_size);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::string entry_where = where + " central directory entry " + std::to_string(i);
    if (at + 46 > cd_end || le32(b, at) != 0x02014b50u) {
      fail(entry_where, "is damaged (bad central directory record)");
    }
    const std::uint32_t flags = le16(b, at + 8);
    const std::uint32_t method = le16(b, at + 10);
    const std::uint32_t crc = le32(b, at + 16);
    const std::uint64_t csize = le32(b, at + 20);
    const std::uint64_t usize = le32(b, at + 24);
    const std::size_t name_len = le16(b, at + 28);
    const std::size_t extra_len = le16(b, at + 30);
    const std::size_t comment_len = le16(b, at + 32);
    const std::uint64_t local = le32(b, at + 42);
    if (at + 46 + name_len + extra_len + comment_len > cd_end) {
      fail(entry_where, "is damaged (record out of bounds)");
    }
    std::string name(b.substr(at + 46, name_len));
    const std::string ew = where + " entry " + quoted(name);
    if ((flags & ~0x0800u) != 0) {
      fail(ew, (flags & 1u) ? "is encrypted" : "uses unsupported zip flags");
    }
    if (method != 0) {
      fail(ew, "is compressed (method " + std::to_string(method) +
                   "); quickstock files store entries uncompressed");
    }
    if (csize != usize) fail(ew, "is damaged: stored sizes disagree");
    if (csize == 0xFFFFFFFFu || local == 0xFFFFFFFFu) fail(ew, "is a ZIP64 entry");
    // Local header: must agree with the central directory.
    if (local + 30 > cd_offset || le32(b, static_cast<std::size_t>(local)) != 0x04034b50u) {
      fail(ew, "is damaged (bad local header)");
    }
    const auto l = static_cast<std::size_t>(local);
    const std::size_t lname = le16(b, l + 26);
    const std::size_t lextra = le16(b, l + 28);
    if (le16(b, l + 6) != flags || le16(b, l + 8) != method || le32(b, l + 14) != crc ||
        le32(b, l + 18) != csize || le32(b, l + 22) != usize || lname != name_len) {
      fail(ew, "is damaged: its local header disagrees with the central directory");
    }
    const std::uint64_t data = local + 30 + lname + lextra;
    if (data > cd_offset || csize > cd_offset - data) {
      fail(ew, "is damaged: its data (" + std::to_string(csize) +
                   " bytes declared) runs past the end of the archive");
    }
    if (b.substr(l + 30, lname) != name) {
      fail(ew, "is damaged: its local header disagrees with the central directory");
    }
    for (const auto& e : out)
      if (e.name == name) fail(ew, "appears twice");
    spans.push_back({local, data + csize});
    std::string_view bytes =
        b.substr(static_cast<std::size_t>(data), static_cast<std::size_t>(csize));
    if (crc32(bytes) != crc) fail(ew, "is damaged: CRC-32 mismatch");
    out.push_back({std::move(name), std::string(bytes)});
    at += 46 + name_len + extra_len + comment_len;
  }
  if (at != cd_end) fail(where, "is damaged: central directory size disagrees with its records");
  std::sort(spans.begin(), spans.end(),
            [](const Span& x, const Span& y) { return x.begin < y.begin; });
  for (std::size_t i = 1; i < spans.size(); ++i) {
    if (spans[i].begin < spans[i - 1].end) fail(where, "is damaged: zip entries overlap");
  }
  return out;
}

NpyArray read_npy(std::string_view b, const std::string& where, const SavedLimits& limits) {
  static constexpr std::string_view magic = "\x93NUMPY";
  if (b.size() < 10 || b.substr(0, 6) != magic) fail(where, "is not an .npy array");
  const auto major = static_cast<unsigned char>(b[6]);
  const auto minor = static_cast<unsigned char>(b[7]);
  if (major < 1 || major > 3 || minor != 0) {
    fail(where, "has .npy version " + std::to_string(major) + "." + std::to_string(minor) +
                    " (1.0 to 3.0 are read)");
  }
  std::size_t header_len = 0;
  std::size_t start = 0;
  if (major == 1) {
    header_len = le16(b, 8);
    start = 10;
  } else {
    if (b.size() < 12) fail(where, "is truncated");
    header_len = le32(b, 8);
    start = 12;
  }
  if (header_len > limits.max_npy_header) fail(where, "has an oversized array header");
  if (start + header_len > b.size()) fail(where, "is truncated (array header)");
  NpyArray out;
  NpyHeader(b.substr(start, header_len), where).parse(out);
  std::uint64_t count = 1;
  for (const std::int64_t d : out.shape) {
    if (d < 0 || (d > 0 && count > (std::numeric_limits<std::uint64_t>::max() / 8) /
                                       static_cast<std::uint64_t>(d))) {
      fail(where, "declares an impossible array shape");
    }
    count *= static_cast<std::uint64_t>(d);
  }
  const std::size_t data = start + header_len;
  if (count * 8 != b.size() - data) {
    fail(where, "holds " + std::to_string(b.size() - data) + " data bytes; its shape needs " +
                    std::to_string(count * 8));
  }
  const auto n = static_cast<std::size_t>(count);
  if (out.dtype == NpyArray::Dtype::int64) {
    out.int64.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      out.int64[i] = static_cast<std::int64_t>(le64(b, data + 8 * i));
  } else {
    out.float64.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t bits = le64(b, data + 8 * i);
      std::memcpy(&out.float64[i], &bits, sizeof bits);
    }
  }
  return out;
}

Model model_from_json(const Json& entry,
                      const Frequency& freq,
                      std::int64_t censor_column,
                      std::string& alias,
                      const std::string& where,
                      const SavedAttributes* attributes) {
  return read_model(entry, ModelContext{&freq, censor_column, attributes}, alias, where);
}

SavedForecaster parse_saved(std::string_view bytes,
                            const std::string& file,
                            const SavedLimits& limits) {
  // A fault in the container (zip, JSON syntax, .npy) reads "damaged or not a quickstock file".
  auto container = [&](auto&& read) -> decltype(read()) {
    try {
      return read();
    } catch (const invalid_input& e) {
      std::string reason = e.reason();
      if (reason.rfind(file, 0) == 0) reason.erase(0, file.size());
      while (!reason.empty() && (reason[0] == ':' || reason[0] == ' ')) reason.erase(0, 1);
      fail(file, "is damaged or not a quickstock file (" + reason + ")");
    }
  };
  const std::vector<ZipEntry> entries =
      container([&] { return read_stored_zip(bytes, file, limits); });
  auto entry = [&](const std::string& name) -> const std::string& {
    for (const auto& e : entries)
      if (e.name == name) return e.data;
    fail(file, "is damaged or not a quickstock file (no entry " + quoted(name) + ")");
  };
  const std::string jw = file + " entry 'quickstock.json'";
  const std::string& json_text = entry("quickstock.json");
  const Json meta = container([&] { return parse_json(json_text, jw, limits); });
  if (meta.kind != Json::Kind::object) fail(jw, "is not a JSON object");
  const Json* format = meta.find("format");
  if (format == nullptr || format->kind != Json::Kind::string ||
      format->string != saved_format_name) {
    fail(jw, "is not a saved quickstock forecaster (format field)");
  }
  SavedForecaster s;
  const Json& version = member(meta, "version", jw);
  if (version.kind != Json::Kind::integer) bad_field(jw, "version", "an integer", version);
  if (version.integer > saved_format_version) {
    fail(jw, "has format version " + std::to_string(version.integer) +
                 "; this quickstock reads up to " + std::to_string(saved_format_version) +
                 ": upgrade quickstock");
  }
  if (version.integer < 2) {
    fail(jw, "has format version " + std::to_string(version.integer) +
                 "; the C++ reader needs version 2 (load it in Python and save it again)");
  }
  s.version = version.integer;
  s.metadata = json_text;
  if (const Json* q = meta.find("quickstock"); q != nullptr && q->kind == Json::Kind::string) {
    s.written_by = q->string;
  }
  // Frequency.
  const Json& freq = member(meta, "freq", jw);
  Frequency grid;
  if (freq.kind == Json::Kind::integer) {
    s.freq = std::to_string(freq.integer);
    grid = checked(jw + " field 'freq'", [&] { return Frequency::integer(freq.integer); });
  } else if (freq.kind == Json::Kind::string) {
    s.freq = freq.string;
    grid = checked(jw + " field 'freq'", [&] { return Frequency::parse(freq.string); });
  } else {
    bad_field(jw, "freq", "a frequency alias or an integer step", freq);
  }
  const Json& jobs = member(meta, "n_jobs", jw);
  if (jobs.kind != Json::Kind::integer || jobs.integer == 0 || jobs.integer < -1) {
    bad_field(jw, "n_jobs", "-1 or an integer >= 1", jobs);
  }
  s.n_jobs = jobs.integer;
  // Column names.
  const Json& columns = member(meta, "columns", jw);
  if (columns.kind != Json::Kind::array || columns.items.size() != 3) {
    bad_field(jw, "columns", "three column names", columns);
  }
  s.id_col = string_field(columns.items[0], jw, "columns");
  s.time_col = string_field(columns.items[1], jw, "columns");
  s.target_col = string_field(columns.items[2], jw, "columns");
  std::set<std::string> names{s.id_col, s.time_col, s.target_col};
  if (names.size() != 3) fail(jw + " field 'columns'", "repeats a column name");
  // Covariates and the censoring column.
  const Json& cov = member(meta, "covariates", jw);
  if (cov.kind != Json::Kind::array) bad_field(jw, "covariates", "a list of column names", cov);
  for (const Json& c : cov.items) {
    s.covariates.push_back(string_field(c, jw, "covariates"));
    if (!names.insert(s.covariates.back()).second) {
      fail(jw + " field 'covariates'", "repeats the column name " + quoted(s.covariates.back()));
    }
  }
  std::size_t censor_source = s.covariates.size();
  if (const Json* c = meta.find("censor_col"); c != nullptr && c->kind != Json::Kind::null) {
    s.censor_col = string_field(*c, jw, "censor_col");
    censor_source = static_cast<std::size_t>(
        std::find(s.covariates.begin(), s.covariates.end(), s.censor_col) - s.covariates.begin());
    if (censor_source == s.covariates.size()) {
      fail(jw + " field 'censor_col'", "names " + quoted(s.censor_col) + ", not a covariate");
    }
    // As Python's `prepare(covariate_last=...)`: the censoring flag is the last covariate.
    s.covariates.erase(s.covariates.begin() + static_cast<std::ptrdiff_t>(censor_source));
    s.covariates.push_back(s.censor_col);
  }
  // Time encoding.
  const Json& time = member(meta, "time", jw);
  if (time.kind != Json::Kind::object) bad_field(jw, "time", "an object", time);
  s.time_kind = string_field(member(time, "kind", jw + " field 'time'"), jw, "time.kind");
  if (s.time_kind != "integer" && s.time_kind != "datetime") {
    fail(jw + " field 'time.kind'",
         "must be 'integer' or 'datetime' (got " + quoted(s.time_kind) + ")");
  }
  if ((s.time_kind == "integer") != (grid.unit() == Frequency::Unit::integer)) {
    fail(jw + " field 'time.kind'", "'" + s.time_kind + "' does not match freq " + quoted(s.freq));
  }
  const Json& tz = member(time, "tz", jw + " field 'time'");
  if (tz.kind != Json::Kind::null) s.time_zone = string_field(tz, jw, "time.tz");
  // Series ids: all strings or all numbers, strictly increasing (the panel order Python's
  // factorize(sort=True) rebuilds), distinct as text.
  const Json& ids = member(meta, "ids", jw);
  if (ids.kind != Json::Kind::array || ids.items.empty()) {
    bad_field(jw, "ids", "a non-empty list of series ids", ids);
  }
  const bool text_ids = ids.items.front().kind == Json::Kind::string;
  for (std::size_t i = 0; i < ids.items.size(); ++i) {
    const Json& v = ids.items[i];
    const std::string f = "ids[" + std::to_string(i) + "]";
    if (text_ids ? v.kind != Json::Kind::string : !v.is_number()) {
      bad_field(jw, f, text_ids ? "a string like ids[0]" : "a number like ids[0]", v);
    }
    if (i > 0) {
      const Json& p = ids.items[i - 1];
      const bool increasing = text_ids ? p.string < v.string
                              : (p.kind == Json::Kind::integer && v.kind == Json::Kind::integer)
                                  ? p.integer < v.integer
                                  : p.number() < v.number();
      if (!increasing) fail(jw + " field '" + f + "'", "series ids must be sorted and distinct");
    }
    s.id_values.push_back(v.kind == Json::Kind::string    ? v.string
                          : v.kind == Json::Kind::integer ? std::to_string(v.integer)
                                                          : python_float(v.real));
    s.ids.push_back(v);
  }
  {
    std::vector<std::string> sorted = s.id_values;
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      fail(jw + " field 'ids'", "two ids print the same");
    }
  }
  const std::size_t n_series = s.ids.size();
  // Attributes (orient="split" of pandas) and their dtypes.
  const Json& att = member(meta, "attributes", jw);
  if (att.kind != Json::Kind::object) bad_field(jw, "attributes", "an object", att);
  const Json& acols = member(att, "columns", jw + " field 'attributes'");
  const Json& adata = member(att, "data", jw + " field 'attributes'");
  if (acols.kind != Json::Kind::array) bad_field(jw, "attributes.columns", "a list", acols);
  if (adata.kind != Json::Kind::array) bad_field(jw, "attributes.data", "a list", adata);
  std::set<std::string> anames;
  for (const Json& c : acols.items) {
    s.attributes.columns.push_back(string_field(c, jw, "attributes.columns"));
    if (!anames.insert(c.string).second) {
      fail(jw + " field 'attributes.columns'", "repeats " + quoted(c.string));
    }
  }
  const std::size_t k_att = s.attributes.columns.size();
  if (k_att > 0 && adata.items.size() != n_series) {
    fail(jw + " field 'attributes.data'", "is damaged: " + std::to_string(adata.items.size()) +
                                              " rows for " + std::to_string(n_series) + " series");
  }
  for (std::size_t i = 0; i < adata.items.size(); ++i) {
    const Json& row = adata.items[i];
    const std::string f = "attributes.data[" + std::to_string(i) + "]";
    if (row.kind != Json::Kind::array || row.items.size() != k_att) {
      bad_field(jw, f, "a list of " + std::to_string(k_att) + " values", row);
    }
    for (const Json& cell : row.items) {
      if (cell.kind == Json::Kind::array || cell.kind == Json::Kind::object) {
        bad_field(jw, f, "scalar values", cell);
      }
    }
    if (k_att > 0) s.attributes.rows.push_back(row.items);
  }
  s.attributes.dtypes.assign(k_att, "");
  const Json& adt = member(meta, "attribute_dtypes", jw);
  if (adt.kind != Json::Kind::object) bad_field(jw, "attribute_dtypes", "an object", adt);
  for (const auto& [name, dtype] : adt.members) {
    const auto it = std::find(s.attributes.columns.begin(), s.attributes.columns.end(), name);
    if (it == s.attributes.columns.end()) {
      fail(jw + " field 'attribute_dtypes'", "names " + quoted(name) + ", not an attribute");
    }
    s.attributes.dtypes[static_cast<std::size_t>(it - s.attributes.columns.begin())] =
        string_field(dtype, jw, "attribute_dtypes");
  }
  // Arrays.
  auto array = [&](const std::string& name, NpyArray::Dtype dtype, std::size_t ndim) {
    const std::string aw = file + " entry " + quoted(name + ".npy");
    const std::string& raw = entry(name + ".npy");
    NpyArray a = container([&] { return read_npy(raw, aw, limits); });
    if (a.dtype != dtype || a.shape.size() != ndim) {
      fail(aw, std::string("must be a ") + std::to_string(ndim) + "-d " +
                   (dtype == NpyArray::Dtype::int64 ? "'<i8'" : "'<f8'") + " array");
    }
    return a;
  };
  const NpyArray lengths = array("lengths", NpyArray::Dtype::int64, 1);
  const NpyArray ds = array("ds", NpyArray::Dtype::int64, 1);
  NpyArray y = array("y", NpyArray::Dtype::float64, 1);
  NpyArray x = array("covariates", NpyArray::Dtype::float64, 2);
  if (lengths.int64.size() != n_series) {
    fail(file + " entry 'lengths.npy'", "is damaged: " + std::to_string(lengths.int64.size()) +
                                            " series lengths for " + std::to_string(n_series) +
                                            " ids");
  }
  std::uint64_t n_obs = 0;
  for (std::size_t i = 0; i < n_series; ++i) {
    const std::int64_t len = lengths.int64[i];
    if (len < 1 || static_cast<std::uint64_t>(len) > y.float64.size()) {
      fail(file + " entry 'lengths.npy'",
           "series " + quoted(s.id_values[i]) + " has length " + std::to_string(len));
    }
    n_obs += static_cast<std::uint64_t>(len);
  }
  if (n_obs != y.float64.size() || ds.int64.size() != y.float64.size()) {
    fail(file, "is damaged: array lengths disagree (lengths sum " + std::to_string(n_obs) +
                   ", ds " + std::to_string(ds.int64.size()) + ", y " +
                   std::to_string(y.float64.size()) + ")");
  }
  const std::size_t k = s.covariates.size();
  if (x.shape[0] != static_cast<std::int64_t>(n_obs) ||
      x.shape[1] != static_cast<std::int64_t>(k)) {
    fail(file + " entry 'covariates.npy'",
         "has shape (" + std::to_string(x.shape[0]) + ", " + std::to_string(x.shape[1]) +
             "); expected (" + std::to_string(n_obs) + ", " + std::to_string(k) + ")");
  }
  std::vector<std::int64_t> codes(static_cast<std::size_t>(n_obs));
  {
    std::size_t r = 0;
    for (std::size_t i = 0; i < n_series; ++i) {
      for (std::int64_t j = 0; j < lengths.int64[i]; ++j) codes[r++] = static_cast<std::int64_t>(i);
    }
  }
  if (k > 0) {
    // Columns in the saved order → panel order (the censoring flag moved last, as 0/1).
    std::vector<double> cols(x.float64.size());
    std::vector<std::size_t> src;
    for (std::size_t j = 0; j < k; ++j) {
      if (s.censor_col.empty() || j != censor_source) src.push_back(j);
    }
    if (!s.censor_col.empty()) src.push_back(censor_source);
    const std::size_t n = static_cast<std::size_t>(n_obs);
    for (std::size_t r = 0; r < n; ++r) {
      for (std::size_t j = 0; j < k; ++j) cols[r * k + j] = x.float64[r * k + src[j]];
    }
    if (!s.censor_col.empty()) {
      for (std::size_t r = 0; r < n; ++r) {
        double& v = cols[r * k + k - 1];
        if (!std::isfinite(v)) {
          detail::raise_invalid(file + ": the censoring column must be boolean and not missing",
                                s.id_values[static_cast<std::size_t>(codes[r])],
                                static_cast<std::int64_t>(r), s.censor_col);
        }
        v = v != 0.0 ? 1.0 : 0.0;
      }
    }
    // A covariate constant within every series would be a series attribute for Python's
    // `prepare`; `save` cannot write one, so it marks a damaged file.
    for (std::size_t j = 0; j + (s.censor_col.empty() ? 0 : 1) < k; ++j) {
      bool varies = false;
      for (std::size_t r = 1; r < n && !varies; ++r) {
        if (codes[r] != codes[r - 1]) continue;
        const double a = cols[(r - 1) * k + j];
        const double c = cols[r * k + j];
        varies = !(a == c || (std::isnan(a) && std::isnan(c)));
      }
      if (!varies) {
        fail(file + " entry 'covariates.npy'",
             "covariate " + quoted(s.covariates[j]) +
                 " is constant within every series (a series attribute, not a covariate)");
      }
    }
    x.float64 = std::move(cols);
  }
  LongInput in;
  in.codes = codes.data();
  in.ds = ds.int64.data();
  in.y = y.float64.data();
  in.n_rows = static_cast<std::size_t>(n_obs);
  in.ids = s.id_values;
  in.covariates = k > 0 ? x.float64.data() : nullptr;
  in.covariate_names = s.covariates;
  try {
    s.panel = Panel::from_long(in, grid);
  } catch (const invalid_input& e) {
    detail::raise_invalid(file + ": the saved panel is invalid: " + e.reason(), e.series_id(),
                          e.row(), e.field());
  }
  // Models (Python's `_specs`: only the censoring models may use a censoring column).
  const Json& models = member(meta, "models", jw);
  if (models.kind != Json::Kind::array || models.items.empty()) {
    bad_field(jw, "models", "a non-empty list of models", models);
  }
  const std::int64_t censor = s.censor_col.empty() ? -1 : static_cast<std::int64_t>(k - 1);
  std::set<std::string> aliases;
  for (std::size_t i = 0; i < models.items.size(); ++i) {
    SavedModel m;
    const std::string mw = jw + " field 'models[" + std::to_string(i) + "]'";
    m.spec = model_from_json(models.items[i], grid, censor, m.alias, mw, &s.attributes);
    if (!aliases.insert(m.alias).second) {
      fail(mw, "repeats the model alias " + quoted(m.alias));
    }
    const bool censoring = std::holds_alternative<CountRegression>(m.spec) ||
                           std::holds_alternative<Croston>(m.spec) ||
                           std::holds_alternative<CrostonSBA>(m.spec) ||
                           std::holds_alternative<TSB>(m.spec);
    if (censor >= 0 && !censoring) {
      fail(mw, "model " + quoted(m.alias) + " cannot use censored demand from column " +
                   quoted(s.censor_col) +
                   "; only CountRegression, Croston, CrostonSBA and TSB can");
    }
    s.models.push_back(std::move(m));
  }
  return s;
}

SavedForecaster load_saved(const std::string& path, const SavedLimits& limits) {
  const std::string where = quoted(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(where, "no such file or it cannot be read");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) fail(where, "cannot be read");
  if (static_cast<std::uint64_t>(size) > limits.max_file_bytes)
    fail(where, "is larger than the limit");
  in.seekg(0, std::ios::beg);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (size > 0 && !in.read(bytes.data(), size)) fail(where, "cannot be read");
  return parse_saved(bytes, where, limits);
}

std::vector<FittedModel> SavedForecaster::fit(int n_threads) const {
  std::vector<FittedModel> out;
  out.reserve(models.size());
  for (const auto& m : models) out.emplace_back(m.spec, panel, n_threads);
  return out;
}

std::vector<PanelForecast> SavedForecaster::forecast(const std::vector<FittedModel>& fitted,
                                                     std::int64_t h,
                                                     const std::vector<double>& levels,
                                                     const RowMatrixXd& x_future,
                                                     int n_threads) const {
  const ForecastOptions options{h, levels, true};
  validate(options);
  const bool censored = !censor_col.empty();
  const auto rows = static_cast<Eigen::Index>(panel.n_series()) * static_cast<Eigen::Index>(h);
  const auto k = static_cast<Eigen::Index>(covariates.size());
  RowMatrixXd x;
  if (x_future.size() > 0 || x_future.rows() > 0) {
    const Eigen::Index real = censored ? k - 1 : k;
    if (x_future.rows() != rows || x_future.cols() != real) {
      detail::raise_argument(
          "X_df", "future covariates must be (series x h) = " + std::to_string(rows) + " rows by " +
                      std::to_string(real) + " columns (got " + std::to_string(x_future.rows()) +
                      " x " + std::to_string(x_future.cols()) + ")");
    }
    x = RowMatrixXd::Zero(rows, k);
    x.leftCols(real) = x_future;
  } else if (censored) {
    x = RowMatrixXd::Zero(rows, k);
  }
  std::vector<PanelForecast> out;
  out.reserve(fitted.size());
  for (const auto& f : fitted) {
    out.push_back(x.size() > 0 || x.rows() > 0 ? f.forecast(options, x, n_threads)
                                               : f.forecast(options, n_threads));
  }
  return out;
}

}  // namespace quickstock::io
