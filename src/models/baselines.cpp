#include <algorithm>
#include <cmath>

#include <quickstock/detail/math.hpp>
#include <quickstock/error.hpp>
#include <quickstock/models/baselines.hpp>

namespace quickstock {
namespace {

void require_positive(std::int64_t v, const char* name) {
  if (v < 1) {
    detail::raise_argument(name,
                           std::string(name) + " must be >= 1 (got " + std::to_string(v) + ")");
  }
}

void require_nonempty(const SeriesView& s) {
  if (s.y.size() == 0) {
    detail::raise_invalid("series has no observations", s.id, std::nullopt, "y");
  }
}

// Mean squared lag-`lag` change of y (R lagwalk without drift); 0 when there is none.
double mean_squared_change(const Eigen::Ref<const Eigen::VectorXd>& y, Eigen::Index lag) {
  const Eigen::Index n = y.size();
  if (n <= lag) return 0.0;
  const auto d = y.tail(n - lag) - y.head(n - lag);
  return d.squaredNorm() / static_cast<double>(n - lag);
}

// Mean squared error of predicting y[t] by the mean of up to k earlier values spaced `lag` apart
// (y[t - lag], y[t - 2·lag], …); t runs over every index with at least one such value. O(n): the
// window sums are updated as the window slides.
double window_rule_mse(const Eigen::Ref<const Eigen::VectorXd>& y,
                       Eigen::Index lag,
                       Eigen::Index k) {
  const Eigen::Index n = y.size();
  if (n <= lag) return 0.0;
  // sums[t] = y[t - lag] + … + y[t - avail·lag], avail = min(k, t / lag).
  Eigen::VectorXd sums = Eigen::VectorXd::Zero(n);
  double sse = 0.0;
  for (Eigen::Index t = lag; t < n; ++t) {
    double s = sums[t - lag] + y[t - lag];
    const Eigen::Index drop = t - (k + 1) * lag;
    if (drop >= 0) s -= y[drop];
    sums[t] = s;
    const Eigen::Index avail = std::min<Eigen::Index>(k, t / lag);
    const double e = y[t] - s / static_cast<double>(avail);
    sse += e * e;
  }
  return sse / static_cast<double>(n - lag);
}

// A power of two near max|y| (1 when y is all zero): fitting on y / scale is exact in binary
// floating point, so results equal the unscaled ones bit for bit, yet squares of huge values
// (1e300) stay finite.
double pow2_scale(const Eigen::Ref<const Eigen::VectorXd>& y) {
  const double m = y.cwiseAbs().maxCoeff();
  if (!(m > 0.0) || !std::isfinite(m)) return 1.0;
  return std::ldexp(1.0, std::ilogb(m));
}

// Fits `fn` on the scaled series and rescales the location parts of the result.
template <class Fn>
BaselineFitted on_scaled(const SeriesView& s, Fn&& fn) {
  const double sc = pow2_scale(s.y);
  const Eigen::VectorXd z = s.y / sc;
  BaselineFitted f = fn(z);
  f.cycle *= sc;
  f.drift *= sc;
  f.scale = sc;
  return f;
}

BaselineFitted fit_drift(const Eigen::VectorXd& z);

}  // namespace

SeriesForecast BaselineFitted::forecast(const ForecastOptions& options) const {
  const std::int64_t h = options.h;
  const auto nq = static_cast<Eigen::Index>(options.quantiles.size());
  SeriesForecast out{Eigen::VectorXd(h), Eigen::MatrixXd(h, nq)};
  std::vector<double> z(options.quantiles.size());
  for (std::size_t q = 0; q < z.size(); ++q) {
    z[q] = detail::student_t_quantile(options.quantiles[q], df);
  }
  const Eigen::Index m = cycle.size();
  for (Eigen::Index j = 0; j < h; ++j) {
    const auto steps_ahead = static_cast<double>(j + 1);
    const double mu = cycle[j % m] + drift * steps_ahead;
    double var = var_const + drift_var * steps_ahead * steps_ahead;
    if (step_period > 0) var += var_step * static_cast<double>(j / step_period + 1);
    const double sd = scale * std::sqrt(std::max(var, 0.0));
    out.mean[j] = options.nonnegative ? std::max(mu, 0.0) : mu;
    for (Eigen::Index q = 0; q < nq; ++q) {
      const double v = mu + sd * z[static_cast<std::size_t>(q)];
      out.quantiles(j, q) = options.nonnegative ? std::max(v, 0.0) : v;
    }
  }
  return out;
}

Eigen::MatrixXd BaselineFitted::sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng) const {
  const auto hh = static_cast<Eigen::Index>(h);
  const Eigen::Index m = cycle.size();
  Eigen::VectorXd mean(hh);
  for (Eigen::Index j = 0; j < hh; ++j) mean[j] = cycle[j % m] + drift * static_cast<double>(j + 1);
  // Loadings of the future errors (data units): one innovation per step that accumulates over
  // the steps of its phase (random walk: step_period 1; seasonal naive: period m), one iid
  // error per step (var_const), one error common to all steps (the drift estimate; the mean
  // estimate of HistoricAverage).
  const bool walk = step_period > 0 && var_step > 0.0;
  const bool student = std::isfinite(df);
  // HistoricAverage: var_const = s²(1 + 1/n) with df = n − 1: s²/n is the shared mean error.
  const double common_const = student ? var_const / (df + 2.0) : 0.0;
  const double iid = std::max(var_const - common_const, 0.0);
  const bool has_iid = iid > 0.0;
  const bool has_common = drift_var > 0.0 || common_const > 0.0;
  const Eigen::Index k = (walk ? hh : 0) + (has_iid ? hh : 0) + (has_common ? 1 : 0);
  Eigen::MatrixXd L = Eigen::MatrixXd::Zero(hh, k);
  Eigen::Index c = 0;
  if (walk) {
    const double sd = scale * std::sqrt(var_step);
    for (Eigen::Index j = 0; j < hh; ++j) {
      for (Eigen::Index i = j % step_period; i <= j; i += step_period) L(j, c + i) = sd;
    }
    c += hh;
  }
  if (has_iid) {
    const double sd = scale * std::sqrt(iid);
    for (Eigen::Index j = 0; j < hh; ++j) L(j, c + j) = sd;
    c += hh;
  }
  if (has_common) {
    for (Eigen::Index j = 0; j < hh; ++j) {
      const auto a = static_cast<double>(j + 1);
      // Var = drift_var·(j+1)² + common_const: the two shared errors folded into one column is
      // only exact when one of them is 0, which holds for every baseline (RWD has no var_const).
      L(j, c) = scale * std::sqrt(drift_var * a * a + common_const);
    }
  }
  return detail::gaussian_paths(mean, L, n_paths, rng, df);
}

Contributions BaselineFitted::contributions(const ForecastOptions& options) const {
  const Eigen::Index h = options.h;
  const Eigen::Index m = cycle.size();
  const bool has_trend = drift != 0.0;
  const bool has_season = m > 1;
  Contributions out;
  out.components.emplace_back("level");
  if (has_trend) out.components.emplace_back("trend");
  if (has_season) out.components.emplace_back("season");
  out.values.resize(h, static_cast<Eigen::Index>(out.components.size()));
  const double level = m > 1 ? cycle.mean() : cycle[0];
  for (Eigen::Index j = 0; j < h; ++j) {
    Eigen::Index c = 0;
    out.values(j, c++) = level;
    if (has_trend) out.values(j, c++) = drift * static_cast<double>(j + 1);
    if (has_season) out.values(j, c++) = cycle[j % m] - level;
  }
  return out;
}

bool operator==(const BaselineFitted& a, const BaselineFitted& b) noexcept {
  return a.cycle == b.cycle && a.drift == b.drift && a.var_step == b.var_step &&
         a.step_period == b.step_period && a.drift_var == b.drift_var &&
         a.var_const == b.var_const && a.df == b.df && a.scale == b.scale &&
         a.fallback == b.fallback;
}

void validate(const Naive& /*spec*/) {}
void validate(const HistoricAverage& /*spec*/) {}
void validate(const RandomWalkWithDrift& /*spec*/) {}
void validate(const SeasonalNaive& spec) { require_positive(spec.season_length, "season_length"); }
void validate(const WindowAverage& spec) { require_positive(spec.window_size, "window_size"); }
void validate(const SeasonalWindowAverage& spec) {
  require_positive(spec.season_length, "season_length");
  require_positive(spec.window_size, "window_size");
}

BaselineFitted Naive::fit(const SeriesView& s) const {
  require_nonempty(s);
  return on_scaled(s, [](const Eigen::VectorXd& z) {
    BaselineFitted f;
    f.cycle = z.tail(1);
    f.var_step = mean_squared_change(z, 1);
    f.step_period = 1;
    return f;
  });
}

BaselineFitted SeasonalNaive::fit(const SeriesView& s) const {
  validate(*this);
  require_nonempty(s);
  if (s.y.size() < season_length) {
    BaselineFitted f = Naive{}.fit(s);
    f.fallback = "Naive: series shorter than season_length " + std::to_string(season_length);
    return f;
  }
  return on_scaled(s, [this](const Eigen::VectorXd& z) {
    BaselineFitted f;
    f.cycle = z.tail(season_length);
    f.var_step = mean_squared_change(z, season_length);
    f.step_period = season_length;
    return f;
  });
}

BaselineFitted HistoricAverage::fit(const SeriesView& s) const {
  require_nonempty(s);
  return on_scaled(s, [](const Eigen::VectorXd& z) {
    const Eigen::Index n = z.size();
    const double mean = z.mean();
    BaselineFitted f;
    f.cycle = Eigen::VectorXd::Constant(1, mean);
    if (n >= 2) {
      const double var = (z.array() - mean).square().sum() / static_cast<double>(n - 1);
      f.var_const = var * (1.0 + 1.0 / static_cast<double>(n));
      f.df = static_cast<double>(n - 1);
    }
    return f;
  });
}

BaselineFitted WindowAverage::fit(const SeriesView& s) const {
  validate(*this);
  require_nonempty(s);
  return on_scaled(s, [this](const Eigen::VectorXd& z) {
    const Eigen::Index k = std::min<Eigen::Index>(window_size, z.size());
    BaselineFitted f;
    f.cycle = Eigen::VectorXd::Constant(1, z.tail(k).mean());
    f.var_const = window_rule_mse(z, 1, window_size);
    return f;
  });
}

BaselineFitted SeasonalWindowAverage::fit(const SeriesView& s) const {
  validate(*this);
  require_nonempty(s);
  const Eigen::Index n = s.y.size();
  const Eigen::Index m = season_length;
  if (n < m) {
    BaselineFitted f = WindowAverage{window_size}.fit(s);
    f.fallback = "WindowAverage: series shorter than season_length " + std::to_string(m);
    return f;
  }
  return on_scaled(s, [&](const Eigen::VectorXd& z) {
    const Eigen::Index k = std::min<Eigen::Index>(window_size, n / m);
    BaselineFitted f;
    f.cycle = Eigen::VectorXd::Zero(m);
    // Position p of the next cycle averages z[n - m + p - j·m] for j = 0..k-1.
    for (Eigen::Index p = 0; p < m; ++p) {
      double sum = 0.0;
      for (Eigen::Index j = 0; j < k; ++j) sum += z[n - m + p - j * m];
      f.cycle[p] = sum / static_cast<double>(k);
    }
    f.var_const = window_rule_mse(z, m, window_size);
    return f;
  });
}

BaselineFitted RandomWalkWithDrift::fit(const SeriesView& s) const {
  require_nonempty(s);
  return on_scaled(s, [](const Eigen::VectorXd& z) { return fit_drift(z); });
}

namespace {

BaselineFitted fit_drift(const Eigen::VectorXd& z) {
  const Eigen::Index n = z.size();
  BaselineFitted f;
  f.cycle = z.tail(1);
  f.step_period = 1;
  if (n < 2) return f;
  const auto d = (z.tail(n - 1) - z.head(n - 1)).eval();
  const double b = d.mean();
  const double sse = (d.array() - b).square().sum();
  const auto n_res = static_cast<double>(n - 1);
  f.drift = b;
  // R forecast.lagwalk: mse = SSE / (n_res - 1) as one drift parameter is estimated (R tests
  // `drift != 0`, which its lm estimate practically always is; ours can be exactly 0 when the
  // first and last values are equal, so the parameter count is used instead); se(b) from lm's
  // sigma with n - 2 degrees of freedom.
  f.var_step = n >= 3 ? sse / (n_res - 1.0) : 0.0;
  if (n >= 3) f.drift_var = sse / (n_res - 1.0) / n_res;
  return f;
}

}  // namespace

}  // namespace quickstock
