#include <algorithm>
#include <cmath>
#include <string>

#include <quickstock/core/parallel.hpp>
#include <quickstock/decisions/anomalies.hpp>
#include <quickstock/error.hpp>

namespace quickstock {
namespace {

/// Alerts of one series (rows `lo .. hi` of the arrays).
void detect_one(std::size_t series,
                std::int64_t lo,
                std::int64_t hi,
                const double* y,
                const double* lower,
                const double* median,
                const double* upper,
                const AnomalyOptions& o,
                std::vector<Alert>& out) {
  const std::int64_t n = hi - lo;
  std::vector<char> in_zero_run(static_cast<std::size_t>(n), 0);
  // Runs of zeros the forecast did not expect (lowest quantile above zero on every day).
  std::int64_t run = 0;
  for (std::int64_t t = 0; t <= n; ++t) {
    const bool zero = t < n && y[lo + t] == 0.0 && lower[lo + t] > 0.0;
    if (zero) {
      ++run;
      continue;
    }
    if (run >= o.min_zero_run) {
      for (std::int64_t k = t - run; k < t; ++k) in_zero_run[static_cast<std::size_t>(k)] = 1;
      out.push_back(Alert{series, t - 1, AlertKind::zero_run,
                          static_cast<double>(run) / static_cast<double>(o.min_zero_run), run});
    }
    run = 0;
  }
  // Values outside the forecast interval.
  for (std::int64_t t = 0; t < n; ++t) {
    if (in_zero_run[static_cast<std::size_t>(t)]) continue;
    const double v = y[lo + t];
    const double m = median[lo + t];
    if (v > upper[lo + t]) {
      const double width = std::max(upper[lo + t] - m, 1e-9 * std::max(1.0, std::abs(m)));
      out.push_back(Alert{series, t, AlertKind::above_interval, (v - upper[lo + t]) / width, 1});
    } else if (v < lower[lo + t]) {
      const double width = std::max(m - lower[lo + t], 1e-9 * std::max(1.0, std::abs(m)));
      out.push_back(Alert{series, t, AlertKind::below_interval, (lower[lo + t] - v) / width, 1});
    }
  }
  // Level shifts: runs of actuals strictly on one side of the median (ties end a run).
  int side = 0;
  run = 0;
  for (std::int64_t t = 0; t <= n; ++t) {
    int s = 0;
    if (t < n) s = y[lo + t] > median[lo + t] ? 1 : (y[lo + t] < median[lo + t] ? -1 : 0);
    if (s != 0 && s == side) {
      ++run;
      continue;
    }
    if (side != 0 && run >= o.shift_run) {
      out.push_back(Alert{series, t - 1,
                          side > 0 ? AlertKind::level_shift_up : AlertKind::level_shift_down,
                          static_cast<double>(run) / static_cast<double>(o.shift_run), run});
    }
    side = s;
    run = s != 0 ? 1 : 0;
  }
  std::sort(out.begin(), out.end(), [](const Alert& a, const Alert& b) {
    return a.index != b.index ? a.index < b.index : a.kind < b.kind;
  });
}

}  // namespace

std::vector<Alert> detect_anomalies(const std::int64_t* offsets,
                                    std::size_t n_series,
                                    const double* actual,
                                    const double* lower,
                                    const double* median,
                                    const double* upper,
                                    const AnomalyOptions& options,
                                    int n_threads) {
  if (options.min_zero_run < 1) {
    detail::raise_argument("min_zero_run", "min_zero_run must be >= 1 (got " +
                                               std::to_string(options.min_zero_run) + ")");
  }
  if (options.shift_run < 2) {
    detail::raise_argument(
        "shift_run", "shift_run must be >= 2 (got " + std::to_string(options.shift_run) + ")");
  }
  if (offsets == nullptr || offsets[0] != 0) {
    detail::raise_argument("offsets", "offsets must start at 0");
  }
  for (std::size_t i = 0; i < n_series; ++i) {
    if (offsets[i + 1] < offsets[i]) detail::raise_argument("offsets", "offsets must not decrease");
  }
  const std::int64_t rows = offsets[n_series];
  for (std::int64_t r = 0; r < rows; ++r) {
    const double* cols[] = {actual, lower, median, upper};
    const char* names[] = {"y", "lower", "median", "upper"};
    for (int c = 0; c < 4; ++c) {
      if (!std::isfinite(cols[c][r])) {
        detail::raise_invalid(std::string(names[c]) + " must be finite", {}, r, names[c]);
      }
    }
  }
  std::vector<std::vector<Alert>> per(n_series);
  detail::parallel_for_series(n_series, n_threads, [&](std::size_t i) {
    detect_one(i, offsets[i], offsets[i + 1], actual, lower, median, upper, options, per[i]);
  });
  std::vector<Alert> out;
  for (auto& v : per) out.insert(out.end(), v.begin(), v.end());
  return out;
}

}  // namespace quickstock
