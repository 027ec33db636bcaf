#pragma once

#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <quickstock/quickstock.hpp>

namespace qs_test {

inline constexpr std::int64_t day = quickstock::nanoseconds_per_day;
/// 2024-01-01 00:00 in ns since 1970.
inline constexpr std::int64_t t2024 = 19723LL * day;

/// Reads a simple CSV (no quoted commas) into a header→column map of strings.
inline std::map<std::string, std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  auto unquote = [](std::string s) {
    if (!s.empty() && s.back() == '\r') s.pop_back();
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
  };
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  {
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) header.push_back(unquote(cell));
  }
  std::map<std::string, std::vector<std::string>> cols;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::stringstream ss(line);
    std::string cell;
    std::size_t c = 0;
    while (std::getline(ss, cell, ',') && c < header.size())
      cols[header[c++]].push_back(unquote(cell));
  }
  return cols;
}

/// The numbers of a ";"-separated cell (R's `paste(collapse = ";")`); an empty item is NaN.
inline std::vector<double> split_numbers(const std::string& text) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string cell;
  while (std::getline(ss, cell, ';')) out.push_back(cell.empty() ? std::nan("") : std::stod(cell));
  return out;
}

/// A panel of `n` series with lengths 5 + 3·i, values from a fixed integer recurrence.
inline quickstock::Panel ragged_panel(std::size_t n, std::int64_t base_len = 30) {
  std::vector<std::string> ids;
  std::vector<std::int64_t> ds;
  std::vector<double> y;
  std::uint64_t state = 12345;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t len = base_len + 3 * static_cast<std::int64_t>(i % 17);
    for (std::int64_t t = 0; t < len; ++t) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      ids.push_back("S" + std::to_string(1000 + i));
      ds.push_back(t2024 + t * day);
      y.push_back(static_cast<double>((state >> 33) % 20) + (t % 7 == 5 ? 10.0 : 0.0));
    }
  }
  return quickstock::Panel::from_long(ids, ds, y, quickstock::Frequency::parse("D"));
}

}  // namespace qs_test
