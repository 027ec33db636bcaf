#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include <quickstock/detail/math.hpp>
#include <quickstock/error.hpp>
#include <quickstock/models/intermittent.hpp>

namespace quickstock {
namespace {

void require_alpha(double a, const char* name) {
  if (!std::isfinite(a) || a <= 0.0 || a > 1.0) {
    detail::raise_argument(
        name, std::string(name) + " must be in (0, 1] (got " + std::to_string(a) + ")");
  }
}

void require_censor(std::int64_t column) {
  if (column < -1) {
    detail::raise_argument(
        "censor_column",
        "censor_column must be -1 (none) or a column index (got " + std::to_string(column) + ")");
  }
}

void require_nonempty(const SeriesView& s) {
  if (s.y.size() == 0) {
    detail::raise_invalid("series has no observations", s.id, std::nullopt, "y");
  }
}

// Everything the five models need from one pass over the series.
struct Scan {
  std::int64_t n = 0;
  std::int64_t n_demands = 0;
  bool count = true;          // every value is an integer
  double z = 0.0;             // SES of the non-zero sizes (alpha_z), started at the first
  double x = 0.0;             // SES of the intervals between demands (alpha_x)
  double p = 0.0;             // SES of the demand indicator over every step (alpha_p; TSB)
  double size_mean = 0.0;     // mean of the non-zero sizes
  double size_var = 0.0;      // their sample variance (0 with fewer than two)
  double interval_sum = 0.0;  // sum of the intervals (first counted from the start)
};

// Two passes: a branch-free pass over every step records the positions of the demands (and,
// for TSB, runs the demand-probability recursion, a dependency chain through every step, so
// only when asked: `WithProbability`); a second pass over the demands alone runs the size and
// interval smoothing. Intermittent series make a per-step branch unpredictable; this way the
// cost per step is one load, one compare and one store. The size moments are sums shifted by
// the first size (exact for counts, stable for other data) rather than Welford's divisions.
template <bool WithProbability>
Scan scan(const Eigen::Ref<const Eigen::VectorXd>& y,
          double alpha_z,
          double alpha_x,
          double alpha_p) {
  Scan s;
  s.n = y.size();
  const double* v = y.data();
  thread_local std::vector<std::int64_t> pos;  // reused across series: no allocation per fit
  if (pos.size() < static_cast<std::size_t>(s.n)) pos.resize(static_cast<std::size_t>(s.n));
  std::int64_t* where = pos.data();
  std::int64_t k = 0;
  for (std::int64_t i = 0; i < s.n; ++i) {
    where[k] = i;
    k += v[i] > 0.0 ? 1 : 0;
  }
  double p = v[0] > 0.0 ? 1.0 : 0.0;
  if constexpr (WithProbability) {
    // p ← (1 − α) p + α d, unrolled by blocks of 8 steps so that the chain through p has one
    // step per block: p ← (1 − α)⁸ p + Σⱼ α (1 − α)^(7 − j) d_j.
    const double beta = 1.0 - alpha_p;
    double w[8];
    w[7] = alpha_p;
    for (int j = 6; j >= 0; --j) w[j] = w[j + 1] * beta;
    double beta8 = 1.0;
    for (int j = 0; j < 8; ++j) beta8 *= beta;
    std::int64_t i = 0;
    for (; i + 8 <= s.n; i += 8) {
      double acc = 0.0;
      for (int j = 0; j < 8; ++j) acc += v[i + j] > 0.0 ? w[j] : 0.0;
      p = beta8 * p + acc;
    }
    for (; i < s.n; ++i) p = beta * p + (v[i] > 0.0 ? alpha_p : 0.0);
  }
  s.p = p;
  s.n_demands = k;
  if (k == 0) return s;
  std::int64_t last = 0;  // 1-based position of the previous demand, 0 before any
  const double shift = v[where[0]];
  double s1 = 0.0;
  double s2 = 0.0;
  bool count = true;
  for (std::int64_t j = 0; j < k; ++j) {
    const double yi = v[where[j]];
    count = count && yi == std::floor(yi);
    const auto tt = static_cast<double>(where[j] + 1 - last);
    last = where[j] + 1;
    if (j == 0) {
      s.z = yi;
      s.x = tt;
    } else {
      s.z += alpha_z * (yi - s.z);
      s.x += alpha_x * (tt - s.x);
    }
    s.interval_sum += tt;
    const double d = yi - shift;
    s1 += d;
    s2 += d * d;
  }
  s.count = count;
  const auto kd = static_cast<double>(k);
  s.size_mean = shift + s1 / kd;
  if (k >= 2) s.size_var = std::max(0.0, (s2 - s1 * s1 / kd) / (kd - 1.0));
  return s;
}

// Censored demand (`censor_column` >= 0). A day flagged as a stockout says demand >= sales:
// with sales 0 it carries no information and is skipped (the occurrence clock counts
// informative days only); with sales c > 0 demand occurred and its size S is >= c. The size
// distribution is the Kaplan–Meier estimate from the exact sizes and the sizes censored as
// S >= c (a censored size is at risk at every exact value below c, not at c itself, so that
// P(S >= c) is what it contributes); mass left beyond the largest exact size is put on the
// censored sizes above it, in equal shares (Efron's redistribution, a lower bound). A
// censored size enters the smoothing as E[S | S >= c] under that estimate, the self-consistent
// value (Efron 1967), and the estimate's mean and variance set the size moments.
struct Demand {
  double value;        // exact size, or the lower bound c of a censored one
  std::int64_t clock;  // 1-based informative-day index of the demand
  bool censored;
};

// True when the series has at least one day flagged in `column`.
bool any_censored(const SeriesView& s, std::int64_t column) {
  for (Eigen::Index t = 0; t < s.y.size(); ++t) {
    if (s.x(t, column) != 0.0) return true;
  }
  return false;
}

void require_censor_column(const SeriesView& s, std::int64_t column) {
  if (column >= s.x.cols()) {
    detail::raise_argument("censor_column", "censor column " + std::to_string(column) +
                                                " is not a covariate column of the panel (it has " +
                                                std::to_string(s.x.cols()) + ")");
  }
}

// The scan of a series with censored days (see above): the same fields as `scan`, with sizes
// of censored demands replaced by their Kaplan–Meier conditional mean; `n_censored` counts them.
Scan scan_censored(const SeriesView& sv,
                   std::int64_t column,
                   double alpha_z,
                   double alpha_x,
                   double alpha_p,
                   bool with_probability,
                   std::int64_t& n_censored) {
  Scan s;
  s.n = sv.y.size();
  thread_local std::vector<Demand> demands;
  demands.clear();
  std::int64_t clock = 0;
  double p = 0.0;
  for (std::int64_t t = 0; t < s.n; ++t) {
    const double v = sv.y[t];
    const bool cens = sv.x(t, column) != 0.0;
    if (cens && !(v > 0.0)) continue;  // stockout with no sale: no information
    ++clock;
    const double d = v > 0.0 ? 1.0 : 0.0;
    if (with_probability) p = clock == 1 ? d : p + alpha_p * (d - p);
    if (v > 0.0) demands.push_back(Demand{v, clock, cens});
  }
  s.p = p;
  const auto k = static_cast<std::int64_t>(demands.size());
  s.n_demands = k;
  n_censored = 0;
  if (k == 0) return s;

  // Kaplan–Meier: exact sizes and censored lower bounds, each sorted.
  thread_local std::vector<double> exact;
  thread_local std::vector<double> lower;
  thread_local std::vector<double> support;
  thread_local std::vector<double> mass;
  exact.clear();
  lower.clear();
  support.clear();
  mass.clear();
  bool count = true;
  for (const Demand& d : demands) {
    (d.censored ? lower : exact).push_back(d.value);
    count = count && d.value == std::floor(d.value);
  }
  s.count = count;
  n_censored = static_cast<std::int64_t>(lower.size());
  std::sort(exact.begin(), exact.end());
  std::sort(lower.begin(), lower.end());
  double surv = 1.0;
  std::size_t c = 0;  // censored lower bounds <= the current value (out of the risk set)
  for (std::size_t i = 0; i < exact.size();) {
    const double v = exact[i];
    std::size_t j = i;
    while (j < exact.size() && exact[j] == v) ++j;
    while (c < lower.size() && lower[c] <= v) ++c;
    const auto events = static_cast<double>(j - i);
    const auto at_risk = static_cast<double>((exact.size() - i) + (lower.size() - c));
    support.push_back(v);
    mass.push_back(surv * events / at_risk);
    surv *= 1.0 - events / at_risk;
    i = j;
  }
  // Mass beyond the largest exact size, on the censored bounds above it in equal shares.
  const std::size_t tail = lower.size() - c;
  for (std::size_t i = c; i < lower.size(); ++i) {
    const double share = surv / static_cast<double>(tail);
    if (!support.empty() && support.back() == lower[i]) {
      mass.back() += share;
    } else {
      support.push_back(lower[i]);
      mass.push_back(share);
    }
  }
  // Suffix sums for E[S | S >= c]; moments shifted by the smallest support value.
  const std::size_t m = support.size();
  thread_local std::vector<double> tail_mass;
  thread_local std::vector<double> tail_first;
  tail_mass.assign(m + 1, 0.0);
  tail_first.assign(m + 1, 0.0);
  const double shift = support[0];
  double m1 = 0.0;
  double m2 = 0.0;
  double total = 0.0;
  for (std::size_t i = m; i-- > 0;) {
    const double dv = support[i] - shift;
    tail_mass[i] = tail_mass[i + 1] + mass[i];
    tail_first[i] = tail_first[i + 1] + mass[i] * dv;
    m1 += mass[i] * dv;
    m2 += mass[i] * dv * dv;
    total += mass[i];
  }
  m1 /= total;
  m2 /= total;
  s.size_mean = shift + m1;
  if (k >= 2) {
    const auto kd = static_cast<double>(k);
    s.size_var = std::max(0.0, (m2 - m1 * m1) * kd / (kd - 1.0));
  }

  // Smoothing over the demands in time order; intervals in informative days.
  std::int64_t last = 0;
  for (std::int64_t j = 0; j < k; ++j) {
    const Demand& d = demands[static_cast<std::size_t>(j)];
    double size = d.value;
    if (d.censored) {
      const auto at = static_cast<std::size_t>(
          std::lower_bound(support.begin(), support.end(), d.value) - support.begin());
      size = at < m && tail_mass[at] > 0.0 ? shift + tail_first[at] / tail_mass[at] : d.value;
      size = std::max(size, d.value);
    }
    const auto tt = static_cast<double>(d.clock - last);
    last = d.clock;
    if (j == 0) {
      s.z = size;
      s.x = tt;
    } else {
      s.z += alpha_z * (size - s.z);
      s.x += alpha_x * (tt - s.x);
    }
    s.interval_sum += tt;
  }
  return s;
}

// The all-zero fit: forecast 0, every quantile 0.
IntermittentFitted all_zero(const Scan& s, const std::optional<bool>& integer) {
  IntermittentFitted f;
  f.integer = integer.value_or(true);
  f.family = SizeFamily::degenerate;
  f.n_demands = 0;
  (void)s;
  f.fallback = "all zero: forecast 0";
  return f;
}

// Fills the size family and dispersion from the scan's size moments; `size_mean` and `p` are
// the model's. Returns the fallback note ("" when none).
std::string set_sizes(IntermittentFitted& f, const Scan& s) {
  const double var = s.size_var;
  if (s.count) {
    if (s.n_demands < 2) {
      f.family = SizeFamily::poisson;
      f.size_dispersion = 1.0;
      return "fewer than two demands: Poisson sizes";
    }
    if (!(var > 0.0)) {
      f.family = SizeFamily::degenerate;
      f.size_dispersion = 0.0;
      return "";
    }
    const double d = var / (s.size_mean - 1.0);  // size_mean > 1 when var > 0
    if (!(d > 1.0) || !std::isfinite(d)) {
      f.family = SizeFamily::poisson;
      f.size_dispersion = 1.0;
      return "";
    }
    f.family = SizeFamily::negative_binomial;
    f.size_dispersion = d;
    return "";
  }
  if (s.n_demands < 2 || !(var > 0.0)) {
    f.family = SizeFamily::degenerate;
    f.size_dispersion = 0.0;
    return s.n_demands < 2 ? "fewer than two demands: constant size" : "";
  }
  f.family = SizeFamily::gamma;
  f.size_dispersion = var / (s.size_mean * s.size_mean);
  return "";
}

void note(std::string& fallback, const std::string& what) {
  if (what.empty()) return;
  if (!fallback.empty()) fallback += "; ";
  fallback += what;
}

// Finishes a fit from the point forecast `mean` and the size mean `size_mean`: p = mean /
// size_mean capped at 1 (the size mean then raised to the forecast).
IntermittentFitted finish(const Scan& s,
                          double mean,
                          double size_mean,
                          const std::optional<bool>& integer) {
  IntermittentFitted f;
  f.mean = mean;
  f.n_demands = s.n_demands;
  f.integer = integer.value_or(s.count);
  if (s.count) size_mean = std::max(size_mean, 1.0);
  double p = size_mean > 0.0 ? mean / size_mean : 0.0;
  if (p > 1.0) {
    p = 1.0;
    size_mean = mean;
  }
  f.p = std::max(p, 0.0);
  f.size_mean = size_mean;
  note(f.fallback, set_sizes(f, s));
  return f;
}

// Final level of SES with `alpha` on b (level started at b[0]).
double ses_level(const std::vector<double>& b, double alpha) {
  double l = b[0];
  for (std::size_t i = 1; i < b.size(); ++i) l += alpha * (b[i] - l);
  return l;
}

// SES forecast of b with alpha minimising the in-sample squared one-step error over
// [0.1, 0.3]: each pass evaluates the error at 8 equally spaced interior points at once (eight
// independent recursions, so a pass costs about one SES run) and keeps the two intervals around
// the best, shrinking the bracket to 2/9; stops below 1e-6 and uses the bracket's middle.
double optimized_ses(const std::vector<double>& b) {
  if (b.size() == 1) return b[0];
  double lo = 0.1;
  double hi = 0.3;
  while (hi - lo > 1e-6) {
    constexpr int kPoints = 8;
    double a[kPoints];
    double l[kPoints];
    double sse[kPoints];
    for (int j = 0; j < kPoints; ++j) {
      a[j] = lo + (hi - lo) * (j + 1) / (kPoints + 1.0);
      l[j] = b[0];
      sse[j] = 0.0;
    }
    for (std::size_t i = 1; i < b.size(); ++i) {
      const double v = b[i];
      for (int j = 0; j < kPoints; ++j) {
        const double e = v - l[j];
        sse[j] += e * e;
        l[j] += a[j] * e;
      }
    }
    int best = 0;
    for (int j = 1; j < kPoints; ++j) {
      if (sse[j] < sse[best]) best = j;
    }
    const double new_lo = best == 0 ? lo : a[best - 1];
    const double new_hi = best == kPoints - 1 ? hi : a[best + 1];
    lo = new_lo;
    hi = new_hi;
  }
  return ses_level(b, 0.5 * (lo + hi));
}

// ADIDA's forecast per step at aggregation level k (buckets aligned to the series' end), from
// the prefix sums `cum` (cum[0] = 0, cum[t + 1] = y[0] + … + y[t]): O(n / k) per level.
double adida_at(const std::vector<double>& cum, std::int64_t k, std::vector<double>& buckets) {
  const auto n = static_cast<std::int64_t>(cum.size()) - 1;
  const std::int64_t nb = n / k;
  const std::int64_t first = n - nb * k;
  buckets.resize(static_cast<std::size_t>(nb));
  for (std::int64_t j = 0; j < nb; ++j) {
    const auto a = static_cast<std::size_t>(first + j * k);
    buckets[static_cast<std::size_t>(j)] = cum[a + static_cast<std::size_t>(k)] - cum[a];
  }
  return optimized_ses(buckets) / static_cast<double>(k);
}

std::vector<double> prefix_sums(const Eigen::Ref<const Eigen::VectorXd>& y) {
  std::vector<double> cum(static_cast<std::size_t>(y.size()) + 1);
  cum[0] = 0.0;
  for (Eigen::Index t = 0; t < y.size(); ++t) {
    cum[static_cast<std::size_t>(t) + 1] = cum[static_cast<std::size_t>(t)] + y[t];
  }
  return cum;
}

std::int64_t mean_interval_level(const Scan& s) {
  const double m = s.interval_sum / static_cast<double>(s.n_demands);
  return std::max<std::int64_t>(1, std::llround(m));
}

// Above this mean of S − 1 the count quantile uses the Normal approximation (the relative
// error of a count quantile is then below 1e-3 and Boost's series may not converge).
constexpr double kLargeCount = 1e6;

// Rounds up to an integer, ignoring floating-point noise just above one (5 + 2e-15 is 5).
double ceil_count(double v) { return std::ceil(v - 1e-9 * std::max(1.0, std::abs(v))); }

// 1 + the Normal approximation of the (S − 1) quantile, rounded up for integer output.
double large_count_quantile(double m, double var, double u, bool integer) {
  const double j = std::max(0.0, m + std::sqrt(var) * detail::normal_quantile(u));
  return 1.0 + (integer ? ceil_count(j) : j);
}

}  // namespace

double IntermittentFitted::quantile(double tau) const {
  if (!(p > 0.0) || !(size_mean > 0.0)) return 0.0;
  const double q0 = 1.0 - p;
  if (tau <= q0) return 0.0;
  // Level within the size distribution; kept below 1 so that the quantile is finite.
  const double u = std::min((tau - q0) / p, 1.0 - 1e-12);
  switch (family) {
    case SizeFamily::degenerate:
      return integer ? ceil_count(size_mean) : size_mean;
    case SizeFamily::gamma: {
      const double v =
          detail::gamma_quantile(1.0 / size_dispersion, size_mean * size_dispersion, u);
      return integer ? ceil_count(v) : v;
    }
    case SizeFamily::poisson:
    case SizeFamily::negative_binomial: {
      const double m = size_mean - 1.0;  // mean of S − 1
      if (!(m > 1e-12)) return 1.0;      // S = 1
      const bool pois = family == SizeFamily::poisson;
      const double var = pois ? m : m * size_dispersion;
      if (m > kLargeCount) return large_count_quantile(m, var, u, integer);
      const double r = pois ? 0.0 : m / (size_dispersion - 1.0);
      const double prob = pois ? 0.0 : 1.0 / size_dispersion;
      try {
        const double j =
            pois ? detail::poisson_quantile(m, u) : detail::negative_binomial_quantile(r, prob, u);
        if (integer) return 1.0 + j;
        // Continuous: interpolate the CDF of S − 1 linearly between j − 1 and j.
        const double hi =
            pois ? detail::poisson_cdf(m, j) : detail::negative_binomial_cdf(r, prob, j);
        const double lo = j < 0.5 ? 0.0
                                  : (pois ? detail::poisson_cdf(m, j - 1.0)
                                          : detail::negative_binomial_cdf(r, prob, j - 1.0));
        const double frac = hi > lo ? std::clamp((u - lo) / (hi - lo), 0.0, 1.0) : 1.0;
        return j + frac;  // D in (j, j + 1] on the continuous scale; D = 1 + j is the count
      } catch (const std::exception&) {
        return large_count_quantile(m, var, u, integer);  // Boost's series did not converge
      }
    }
  }
  return 0.0;
}

Eigen::MatrixXd IntermittentFitted::sample_paths(std::int64_t h,
                                                 std::int64_t n_paths,
                                                 detail::PathRng& rng) const {
  const auto n = static_cast<Eigen::Index>(n_paths);
  const auto hh = static_cast<Eigen::Index>(h);
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(n, hh);
  if (!(p > 0.0) || !(size_mean > 0.0)) return out;
  const bool counts = family == SizeFamily::poisson || family == SizeFamily::negative_binomial;
  if (family == SizeFamily::degenerate || family == SizeFamily::gamma) {
    const double shape = family == SizeFamily::gamma ? 1.0 / size_dispersion : 0.0;
    const double sc = size_mean * size_dispersion;
    for (Eigen::Index j = 0; j < hh; ++j) {
      for (Eigen::Index i = 0; i < n; ++i) {
        if (rng.uniform() > p) continue;
        double v = family == SizeFamily::gamma ? sc * rng.gamma(shape) : size_mean;
        if (integer) v = ceil_count(v);
        out(i, j) = v;
      }
    }
    return out;
  }
  // Counts: D = 0 with probability 1 − p, else 1 + (S − 1), drawn by inverting the CDF of D
  // tabulated once (P(D <= k), k = 0..K, K the quantile at 1 − 1e-12); always integers.
  IntermittentFitted whole = *this;
  whole.integer = true;
  const double m = size_mean - 1.0;
  std::vector<double> cdf;
  if (counts && m > 1e-12 && m <= kLargeCount) {
    const double top = whole.quantile(1.0 - 1e-12);
    if (top < 2e6) {
      const bool pois = family == SizeFamily::poisson;
      const double r = pois ? 0.0 : m / (size_dispersion - 1.0);
      const double prob = pois ? 0.0 : 1.0 / size_dispersion;
      try {
        cdf.reserve(static_cast<std::size_t>(top) + 1);
        cdf.push_back(1.0 - p);
        for (double k = 1.0; k <= top; k += 1.0) {
          const double c = pois ? detail::poisson_cdf(m, k - 1.0)
                                : detail::negative_binomial_cdf(r, prob, k - 1.0);
          cdf.push_back(1.0 - p + p * c);
        }
        cdf.back() = 1.0;
      } catch (const std::exception&) {
        cdf.clear();  // Boost's series did not converge: invert draw by draw below
      }
    }
  }
  for (Eigen::Index j = 0; j < hh; ++j) {
    for (Eigen::Index i = 0; i < n; ++i) {
      const double u = rng.uniform();
      if (!cdf.empty()) {
        out(i, j) = static_cast<double>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
      } else {
        out(i, j) = whole.quantile(u);
      }
    }
  }
  return out;
}

SeriesForecast IntermittentFitted::forecast(const ForecastOptions& options) const {
  const auto h = static_cast<Eigen::Index>(options.h);
  const auto nq = static_cast<Eigen::Index>(options.quantiles.size());
  SeriesForecast out;
  out.mean = Eigen::VectorXd::Constant(h, mean);
  out.quantiles.resize(h, nq);
  for (Eigen::Index q = 0; q < nq; ++q) {
    out.quantiles.col(q).setConstant(quantile(options.quantiles[static_cast<std::size_t>(q)]));
  }
  return out;
}

void validate(const Croston& spec) {
  require_alpha(spec.alpha, "alpha");
  require_censor(spec.censor_column);
}
void validate(const CrostonSBA& spec) {
  require_alpha(spec.alpha, "alpha");
  require_censor(spec.censor_column);
}
void validate(const TSB& spec) {
  require_alpha(spec.alpha_d, "alpha_d");
  require_alpha(spec.alpha_p, "alpha_p");
  require_censor(spec.censor_column);
}
void validate(const ADIDA&) {}
void validate(const IMAPA&) {}

// A censored fit of a series with at least one flagged day: the scan above, the all-zero
// fallback when no informative day has a demand, and `n_censored`.
template <class MeanOf>
IntermittentFitted fit_censored(const SeriesView& sv,
                                std::int64_t column,
                                double alpha_z,
                                double alpha_x,
                                double alpha_p,
                                bool with_probability,
                                const std::optional<bool>& integer,
                                MeanOf mean_of) {
  std::int64_t n_censored = 0;
  const Scan sc =
      scan_censored(sv, column, alpha_z, alpha_x, alpha_p, with_probability, n_censored);
  if (sc.n_demands == 0) {
    IntermittentFitted f = all_zero(sc, integer);
    return f;
  }
  IntermittentFitted f = finish(sc, mean_of(sc), sc.z, integer);
  f.n_censored = n_censored;
  if (n_censored == sc.n_demands) {
    note(f.fallback, "every demand size censored: sizes at their lower bounds");
  }
  return f;
}

IntermittentFitted Croston::fit(const SeriesView& s) const {
  require_nonempty(s);
  if (censor_column >= 0) {
    require_censor_column(s, censor_column);
    if (any_censored(s, censor_column)) {
      return fit_censored(s, censor_column, alpha, alpha, 0.0, false, integer,
                          [](const Scan& sc) { return sc.z / sc.x; });
    }
  }
  const Scan sc = scan<false>(s.y, alpha, alpha, 0.0);
  if (sc.n_demands == 0) return all_zero(sc, integer);
  return finish(sc, sc.z / sc.x, sc.z, integer);
}

IntermittentFitted CrostonSBA::fit(const SeriesView& s) const {
  require_nonempty(s);
  const double factor = 1.0 - alpha / 2.0;
  if (censor_column >= 0) {
    require_censor_column(s, censor_column);
    if (any_censored(s, censor_column)) {
      return fit_censored(s, censor_column, alpha, alpha, 0.0, false, integer,
                          [factor](const Scan& sc) { return factor * sc.z / sc.x; });
    }
  }
  const Scan sc = scan<false>(s.y, alpha, alpha, 0.0);
  if (sc.n_demands == 0) return all_zero(sc, integer);
  return finish(sc, factor * sc.z / sc.x, sc.z, integer);
}

IntermittentFitted TSB::fit(const SeriesView& s) const {
  require_nonempty(s);
  if (censor_column >= 0) {
    require_censor_column(s, censor_column);
    if (any_censored(s, censor_column)) {
      return fit_censored(s, censor_column, alpha_d, alpha_d, alpha_p, true, integer,
                          [](const Scan& sc) { return sc.p * sc.z; });
    }
  }
  const Scan sc = scan<true>(s.y, alpha_d, alpha_d, alpha_p);
  if (sc.n_demands == 0) return all_zero(sc, integer);
  IntermittentFitted f = finish(sc, sc.p * sc.z, sc.z, integer);
  return f;
}

IntermittentFitted ADIDA::fit(const SeriesView& s) const {
  require_nonempty(s);
  const Scan sc = scan<false>(s.y, 0.1, 0.1, 0.0);
  if (sc.n_demands == 0) return all_zero(sc, integer);
  const std::int64_t k = mean_interval_level(sc);
  std::vector<double> buckets;
  IntermittentFitted f = finish(sc, adida_at(prefix_sums(s.y), k, buckets), sc.z, integer);
  f.aggregation = k;
  return f;
}

IntermittentFitted IMAPA::fit(const SeriesView& s) const {
  require_nonempty(s);
  const Scan sc = scan<false>(s.y, 0.1, 0.1, 0.0);
  if (sc.n_demands == 0) return all_zero(sc, integer);
  const std::int64_t kmax = mean_interval_level(sc);
  const std::vector<double> cum = prefix_sums(s.y);
  std::vector<double> buckets;
  buckets.reserve(static_cast<std::size_t>(s.y.size()));
  double sum = 0.0;
  for (std::int64_t k = 1; k <= kmax; ++k) sum += adida_at(cum, k, buckets);
  IntermittentFitted f = finish(sc, sum / static_cast<double>(kmax), sc.z, integer);
  f.aggregation = kmax;
  return f;
}

}  // namespace quickstock
