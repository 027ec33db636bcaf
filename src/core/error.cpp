#include <utility>

#include <quickstock/error.hpp>

namespace quickstock {
namespace {

std::string compose(const std::string& message,
                    const std::string& series_id,
                    std::optional<std::int64_t> row,
                    const std::string& field) {
  std::string out = "invalid_input:";
  if (!series_id.empty()) {
    out += " series \"" + series_id + "\"";
  }
  if (row) {
    out += " row " + std::to_string(*row);
  }
  if (!field.empty()) {
    out += " field \"" + field + "\"";
  }
  out += ": " + message;
  return out;
}

}  // namespace

invalid_input::invalid_input(const std::string& message,
                             std::string series_id,
                             std::optional<std::int64_t> row,
                             std::string field)
    : error(compose(message, series_id, row, field)),
      series_id_(std::move(series_id)),
      row_(row),
      field_(std::move(field)),
      reason_(message) {}

namespace detail {

void raise_invalid(const std::string& message,
                   const std::string& series_id,
                   std::optional<std::int64_t> row,
                   const std::string& field) {
  throw invalid_input(message, series_id, row, field);
}

void raise_argument(const std::string& field, const std::string& message) {
  throw invalid_input(message, {}, std::nullopt, field);
}

}  // namespace detail
}  // namespace quickstock
