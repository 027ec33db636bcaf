#include <cmath>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <quickstock/core/parallel.hpp>
#include <quickstock/error.hpp>
#include <quickstock/eval/metrics.hpp>

namespace quickstock {
namespace {

std::string show(double v) {
  std::ostringstream os;
  os.precision(12);
  os << v;
  return os.str();
}

std::string series_name(const RaggedSeries& s, std::size_t i) {
  return s.ids != nullptr ? s.ids[i] : "#" + std::to_string(i);
}

std::int64_t row_of(const RaggedSeries& s, std::int64_t k) {
  return s.rows != nullptr ? s.rows[k] : k;
}

std::size_t at(std::int64_t k) { return static_cast<std::size_t>(k); }

/// The CSR layout itself: offsets present, starting at >= 0 and non-decreasing.
void check_layout(const RaggedSeries& s, const std::string& arg) {
  if (s.n_series == 0) return;
  if (s.offsets == nullptr) detail::raise_argument(arg, "offsets are missing");
  if (s.offsets[0] < 0) detail::raise_argument(arg, "offsets must start at >= 0");
  for (std::size_t i = 0; i < s.n_series; ++i) {
    if (s.offsets[i + 1] < s.offsets[i]) {
      detail::raise_argument(arg, "offsets must be non-decreasing (series " + series_name(s, i) +
                                      " has offsets " + std::to_string(s.offsets[i]) + " > " +
                                      std::to_string(s.offsets[i + 1]) + ")");
    }
  }
  if (s.n_values() > 0 && s.values == nullptr) detail::raise_argument(arg, "values are missing");
}

void check_column(const RaggedSeries& actual, const double* values, const std::string& field) {
  if (actual.n_values() > 0 && values == nullptr) {
    detail::raise_argument(field, "the forecast values are missing");
  }
}

void check_sizes(const RaggedSeries& actual,
                 const std::vector<double>& v,
                 const std::string& field) {
  if (v.size() != actual.n_series) {
    detail::raise_argument(field, "expected one " + field + " per series (" +
                                      std::to_string(actual.n_series) + "), got " +
                                      std::to_string(v.size()));
  }
}

void check_level(double level, const std::string& field) {
  if (!(level > 0.0 && level < 1.0)) {
    detail::raise_argument(
        field, "quantile level must be strictly between 0 and 1 (got " + show(level) + ")");
  }
}

void check_levels(const QuantileForecast& q, const RaggedSeries& actual) {
  if (q.levels.empty()) detail::raise_argument("levels", "at least one quantile level is needed");
  for (std::size_t j = 0; j < q.levels.size(); ++j) {
    check_level(q.levels[j], "levels");
    if (j > 0 && !(q.levels[j] > q.levels[j - 1])) {
      detail::raise_argument("levels", "quantile levels must be strictly increasing (got " +
                                           show(q.levels[j - 1]) + " then " + show(q.levels[j]) +
                                           ")");
    }
  }
  if (!q.fields.empty() && q.fields.size() != q.levels.size()) {
    detail::raise_argument("fields", "expected one field name per quantile level");
  }
  check_column(actual, q.values, "quantiles");
}

std::string level_field(const QuantileForecast& q, std::size_t j) {
  return q.fields.empty() ? "q" + show(q.levels[j]) : q.fields[j];
}

[[noreturn]] void raise_value(const RaggedSeries& s,
                              std::size_t i,
                              std::int64_t k,
                              const std::string& field,
                              const std::string& rule,
                              double v) {
  detail::raise_invalid(rule + " (got " + show(v) + ")", series_name(s, i), row_of(s, k), field);
}

/// Value k of the actuals, checked finite.
double actual_at(const RaggedSeries& a, std::size_t i, std::int64_t k) {
  const double y = a.values[k];
  if (!std::isfinite(y)) raise_value(a, i, k, a.field, "actual value must be finite", y);
  return y;
}

/// Forecast k, checked finite (rows and series named as in the actuals).
double forecast_at(const RaggedSeries& a,
                   const double* values,
                   const std::string& field,
                   std::size_t i,
                   std::int64_t k) {
  const double f = values[k];
  if (!std::isfinite(f)) raise_value(a, i, k, field, "forecast must be finite", f);
  return f;
}

double scale_at(const RaggedSeries& a,
                const std::vector<double>& scale,
                std::size_t i,
                const char* metric) {
  const double s = scale[i];
  if (!(std::isfinite(s) && s > 0.0)) {
    detail::raise_invalid(std::string(metric) + " divides by the in-sample scale, which must be " +
                              "finite and > 0 (got " + show(s) +
                              "); a training series without change at the scale's lag has none",
                          series_name(a, i), std::nullopt, "scale");
  }
  return s;
}

double pinball_loss(double y, double q, double tau) {
  const double u = y - q;
  return u >= 0.0 ? tau * u : (tau - 1.0) * u;
}

/// Runs `fn(i, lo, hi)` for every series (values `[lo, hi)`, at least one) and collects results.
template <class Fn>
std::vector<double> per_series(const RaggedSeries& a, int n_threads, Fn&& fn) {
  check_layout(a, a.field);
  std::vector<double> out(a.n_series);
  detail::parallel_for_series(a.n_series, n_threads, [&](std::size_t i) {
    const std::int64_t lo = a.offsets[i];
    const std::int64_t hi = a.offsets[i + 1];
    if (hi <= lo) {
      detail::raise_invalid("no values to evaluate (the series has 0 rows)", series_name(a, i),
                            std::nullopt, a.field);
    }
    out[i] = fn(i, lo, hi);
  });
  return out;
}

enum class ScaleKind { mean_absolute, root_mean_squared };

std::vector<double> difference_scale(const RaggedSeries& train,
                                     const ScaleOptions& options,
                                     int n_threads,
                                     ScaleKind kind) {
  if (options.seasonality < 1) {
    detail::raise_argument("seasonality", "seasonality must be >= 1 (got " +
                                              std::to_string(options.seasonality) + ")");
  }
  check_layout(train, train.field);
  const std::int64_t m = options.seasonality;
  std::vector<double> out(train.n_series);
  detail::parallel_for_series(train.n_series, n_threads, [&](std::size_t i) {
    const std::int64_t lo = train.offsets[i];
    const std::int64_t hi = train.offsets[i + 1];
    std::int64_t start = lo;
    for (std::int64_t k = lo; k < hi; ++k) {
      const double y = train.values[k];
      if (!std::isfinite(y))
        raise_value(train, i, k, train.field, "training value must be finite", y);
    }
    if (options.skip_leading_zeros) {
      while (start < hi && train.values[start] == 0.0) ++start;
      if (start == hi) {
        detail::raise_invalid(
            "has no non-zero training value, so its scale (which starts at the first non-zero "
            "value) is undefined",
            series_name(train, i), std::nullopt, train.field);
      }
    }
    const std::int64_t n = hi - start;
    if (n < m + 1) {
      std::string rule = "needs at least m + 1 = " + std::to_string(m + 1) +
                         " training values for a lag-" + std::to_string(m) + " scale (got " +
                         std::to_string(n);
      if (start > lo) rule += " after " + std::to_string(start - lo) + " leading zeros";
      detail::raise_invalid(rule + ")", series_name(train, i), std::nullopt, train.field);
    }
    double sum = 0.0;
    for (std::int64_t k = start + m; k < hi; ++k) {
      const double d = train.values[k] - train.values[k - m];
      sum += kind == ScaleKind::mean_absolute ? std::abs(d) : d * d;
    }
    const double mean = sum / static_cast<double>(n - m);
    out[i] = kind == ScaleKind::mean_absolute ? mean : std::sqrt(mean);
  });
  return out;
}

double checked_weighted_sum(const RaggedSeries& a,
                            const std::vector<double>& values,
                            const std::vector<double>& weights) {
  double total = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double w = weights[i];
    if (!(std::isfinite(w) && w >= 0.0)) {
      detail::raise_invalid("weight must be finite and >= 0 (got " + show(w) + ")",
                            series_name(a, i), std::nullopt, "weight");
    }
    total += w * values[i];
  }
  return total;
}

/// Mean over levels of the (scaled) pinball loss of each series.
std::vector<double> mean_pinball(const RaggedSeries& actual,
                                 const QuantileForecast& forecast,
                                 const std::vector<double>* scale,
                                 int n_threads) {
  check_levels(forecast, actual);
  if (scale != nullptr) check_sizes(actual, *scale, "scale");
  const std::size_t nq = forecast.levels.size();
  return per_series(actual, n_threads, [&](std::size_t i, std::int64_t lo, std::int64_t hi) {
    const double s =
        scale != nullptr ? scale_at(actual, *scale, i, "the scaled pinball loss") : 1.0;
    double total = 0.0;
    for (std::size_t j = 0; j < nq; ++j) {
      double sum = 0.0;
      for (std::int64_t k = lo; k < hi; ++k) {
        const double y = actual_at(actual, i, k);
        const double q = forecast.values[at(k) * nq + j];
        if (!std::isfinite(q)) {
          raise_value(actual, i, k, level_field(forecast, j), "forecast must be finite", q);
        }
        sum += pinball_loss(y, q, forecast.levels[j]);
      }
      total += sum / static_cast<double>(hi - lo) / s;
    }
    return total / static_cast<double>(nq);
  });
}

}  // namespace

std::vector<double> mean_absolute_scale(const RaggedSeries& train,
                                        const ScaleOptions& options,
                                        int n_threads) {
  return difference_scale(train, options, n_threads, ScaleKind::mean_absolute);
}

std::vector<double> root_mean_squared_scale(const RaggedSeries& train,
                                            const ScaleOptions& options,
                                            int n_threads) {
  return difference_scale(train, options, n_threads, ScaleKind::root_mean_squared);
}

std::vector<double> mae(const RaggedSeries& actual, const ForecastColumn& forecast, int n_threads) {
  check_column(actual, forecast.values, forecast.field);
  return per_series(actual, n_threads, [&](std::size_t i, std::int64_t lo, std::int64_t hi) {
    double sum = 0.0;
    for (std::int64_t k = lo; k < hi; ++k) {
      sum += std::abs(actual_at(actual, i, k) -
                      forecast_at(actual, forecast.values, forecast.field, i, k));
    }
    return sum / static_cast<double>(hi - lo);
  });
}

std::vector<double> rmse(const RaggedSeries& actual,
                         const ForecastColumn& forecast,
                         int n_threads) {
  check_column(actual, forecast.values, forecast.field);
  return per_series(actual, n_threads, [&](std::size_t i, std::int64_t lo, std::int64_t hi) {
    double sum = 0.0;
    for (std::int64_t k = lo; k < hi; ++k) {
      const double e =
          actual_at(actual, i, k) - forecast_at(actual, forecast.values, forecast.field, i, k);
      sum += e * e;
    }
    return std::sqrt(sum / static_cast<double>(hi - lo));
  });
}

std::vector<double> smape(const RaggedSeries& actual,
                          const ForecastColumn& forecast,
                          int n_threads) {
  check_column(actual, forecast.values, forecast.field);
  return per_series(actual, n_threads, [&](std::size_t i, std::int64_t lo, std::int64_t hi) {
    double sum = 0.0;
    for (std::int64_t k = lo; k < hi; ++k) {
      const double y = actual_at(actual, i, k);
      const double f = forecast_at(actual, forecast.values, forecast.field, i, k);
      const double denom = std::abs(y) + std::abs(f);
      if (denom > 0.0) sum += 200.0 * std::abs(y - f) / denom;  // 0/0 (y = f = 0) counts 0
    }
    return sum / static_cast<double>(hi - lo);
  });
}

std::vector<double> wape(const RaggedSeries& actual,
                         const ForecastColumn& forecast,
                         int n_threads) {
  check_column(actual, forecast.values, forecast.field);
  return per_series(actual, n_threads, [&](std::size_t i, std::int64_t lo, std::int64_t hi) {
    double err = 0.0;
    double level = 0.0;
    for (std::int64_t k = lo; k < hi; ++k) {
      const double y = actual_at(actual, i, k);
      err += std::abs(y - forecast_at(actual, forecast.values, forecast.field, i, k));
      level += std::abs(y);
    }
    if (level > 0.0) return err / level;
    if (err == 0.0) return 0.0;  // zero demand forecast as zero: no error
    detail::raise_invalid(
        "WAPE is undefined: every actual value is 0 but the forecast is not (sum |y - f| = " +
            show(err) + ")",
        series_name(actual, i), std::nullopt, actual.field);
  });
}

std::vector<double> mase(const RaggedSeries& actual,
                         const ForecastColumn& forecast,
                         const std::vector<double>& scale,
                         int n_threads) {
  check_sizes(actual, scale, "scale");
  auto out = mae(actual, forecast, n_threads);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] /= scale_at(actual, scale, i, "MASE");
  return out;
}

std::vector<double> rmsse(const RaggedSeries& actual,
                          const ForecastColumn& forecast,
                          const std::vector<double>& scale,
                          int n_threads) {
  check_sizes(actual, scale, "scale");
  auto out = rmse(actual, forecast, n_threads);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] /= scale_at(actual, scale, i, "RMSSE");
  return out;
}

std::vector<double> pinball(const RaggedSeries& actual,
                            const ForecastColumn& forecast,
                            double level,
                            int n_threads) {
  check_level(level, "level");
  const QuantileForecast q{forecast.values, {level}, {forecast.field}};
  return mean_pinball(actual, q, nullptr, n_threads);
}

std::vector<double> scaled_pinball(const RaggedSeries& actual,
                                   const ForecastColumn& forecast,
                                   double level,
                                   const std::vector<double>& scale,
                                   int n_threads) {
  check_level(level, "level");
  const QuantileForecast q{forecast.values, {level}, {forecast.field}};
  return mean_pinball(actual, q, &scale, n_threads);
}

std::vector<double> crps(const RaggedSeries& actual,
                         const QuantileForecast& forecast,
                         int n_threads) {
  auto out = mean_pinball(actual, forecast, nullptr, n_threads);
  for (double& v : out) v *= 2.0;
  return out;
}

namespace {

/// Sum over a series of `fn(y, l, u)` with the interval checked (finite, l <= u).
template <class Fn>
std::vector<double> interval_mean(const RaggedSeries& actual,
                                  const ForecastColumn& lower,
                                  const ForecastColumn& upper,
                                  int n_threads,
                                  Fn&& fn) {
  check_column(actual, lower.values, lower.field);
  check_column(actual, upper.values, upper.field);
  return per_series(actual, n_threads, [&](std::size_t i, std::int64_t lo, std::int64_t hi) {
    double sum = 0.0;
    for (std::int64_t k = lo; k < hi; ++k) {
      const double y = actual_at(actual, i, k);
      const double l = forecast_at(actual, lower.values, lower.field, i, k);
      const double u = forecast_at(actual, upper.values, upper.field, i, k);
      if (l > u) {
        raise_value(actual, i, k, lower.field,
                    "interval lower bound is above the upper bound " + show(u), l);
      }
      sum += fn(y, l, u);
    }
    return sum / static_cast<double>(hi - lo);
  });
}

}  // namespace

std::vector<double> coverage(const RaggedSeries& actual,
                             const ForecastColumn& lower,
                             const ForecastColumn& upper,
                             int n_threads) {
  return interval_mean(actual, lower, upper, n_threads,
                       [](double y, double l, double u) { return l <= y && y <= u ? 1.0 : 0.0; });
}

std::vector<double> msis(const RaggedSeries& actual,
                         const ForecastColumn& lower,
                         const ForecastColumn& upper,
                         double alpha,
                         const std::vector<double>& scale,
                         int n_threads) {
  if (!(alpha > 0.0 && alpha < 1.0)) {
    detail::raise_argument("alpha",
                           "alpha must be strictly between 0 and 1 (got " + show(alpha) + ")");
  }
  check_sizes(actual, scale, "scale");
  const double penalty = 2.0 / alpha;
  auto out =
      interval_mean(actual, lower, upper, n_threads, [penalty](double y, double l, double u) {
        double score = u - l;
        if (y < l) score += penalty * (l - y);
        if (y > u) score += penalty * (y - u);
        return score;
      });
  for (std::size_t i = 0; i < out.size(); ++i) out[i] /= scale_at(actual, scale, i, "MSIS");
  return out;
}

double wrmsse(const RaggedSeries& actual,
              const ForecastColumn& forecast,
              const std::vector<double>& scale,
              const std::vector<double>& weights,
              int n_threads) {
  check_sizes(actual, weights, "weight");
  const auto per = rmsse(actual, forecast, scale, n_threads);
  return checked_weighted_sum(actual, per, weights);
}

double wspl(const RaggedSeries& actual,
            const QuantileForecast& forecast,
            const std::vector<double>& scale,
            const std::vector<double>& weights,
            int n_threads) {
  check_sizes(actual, weights, "weight");
  const auto per = mean_pinball(actual, forecast, &scale, n_threads);
  return checked_weighted_sum(actual, per, weights);
}

}  // namespace quickstock
