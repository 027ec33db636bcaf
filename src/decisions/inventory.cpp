#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include <quickstock/core/parallel.hpp>
#include <quickstock/decisions/inventory.hpp>
#include <quickstock/detail/math.hpp>
#include <quickstock/detail/random.hpp>
#include <quickstock/error.hpp>

namespace quickstock {
namespace {

/// Uniform and normal draws on `detail::splitmix64`.
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() noexcept { return detail::splitmix64(state); }
  /// Uniform in the open interval (0, 1).
  double uniform() noexcept { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }
  /// Standard normal (Box–Muller, one of the pair).
  double normal() noexcept {
    const double u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
};

double normal_cdf(double z) noexcept { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

void check_finite(double v, const char* field, const std::string& id) {
  if (!std::isfinite(v)) {
    detail::raise_invalid(std::string(field) + " must be finite (got " + std::to_string(v) + ")",
                          id, std::nullopt, field);
  }
}

/// Index of the empirical `p`-quantile of `n` sorted samples (inverse of the empirical CDF).
std::size_t empirical_index(double p, std::size_t n) noexcept {
  const double k = std::ceil(p * static_cast<double>(n) - 1e-9);
  return static_cast<std::size_t>(std::clamp(k, 1.0, static_cast<double>(n))) - 1;
}

}  // namespace

double quantile_at(const std::vector<double>& levels, const double* values, double u) {
  const std::size_t k = levels.size();
  if (k == 0) return 0.0;
  // Repair crossing quantiles: the sorted values are a valid quantile function.
  double v_small[16];
  std::vector<double> v_big;
  double* v = v_small;
  if (k > 16) {
    v_big.assign(values, values + k);
    v = v_big.data();
  } else {
    std::copy(values, values + k, v);
  }
  std::sort(v, v + k);
  double out;
  if (k == 1) {
    out = v[0];
  } else if (u <= levels[0] || u >= levels[k - 1]) {
    const bool low = u <= levels[0];
    const std::size_t a = low ? 0 : k - 2;
    const std::size_t b = low ? 1 : k - 1;
    const double za = detail::normal_quantile(levels[a]);
    const double zb = detail::normal_quantile(levels[b]);
    const double sigma = (v[b] - v[a]) / (zb - za);
    const double z = detail::normal_quantile(std::clamp(u, 1e-12, 1.0 - 1e-12));
    out = low ? v[0] + sigma * (z - za) : v[k - 1] + sigma * (z - zb);
  } else {
    const auto it = std::upper_bound(levels.begin(), levels.end(), u);
    const auto j = static_cast<std::size_t>(it - levels.begin());  // levels[j-1] <= u < levels[j]
    const double w = (u - levels[j - 1]) / (levels[j] - levels[j - 1]);
    out = v[j - 1] + w * (v[j] - v[j - 1]);
  }
  return std::max(0.0, out);
}

Eigen::MatrixXd sample_paths(const std::vector<double>& levels,
                             const double* quantiles,
                             std::int64_t h,
                             const PathOptions& options,
                             std::uint64_t stream) {
  const auto n = static_cast<Eigen::Index>(options.n_paths);
  const auto k = levels.size();
  Eigen::MatrixXd paths(n, h);
  SplitMix64 rng{options.seed * 0x2545F4914F6CDD1DULL ^ (stream + 1) * 0x9E3779B97F4A7C15ULL};
  const double rho = options.correlation;
  const double innov = std::sqrt(1.0 - rho * rho);
  for (Eigen::Index p = 0; p < n; ++p) {
    double z = 0.0;
    for (std::int64_t j = 0; j < h; ++j) {
      double u;
      if (rho == 0.0) {
        u = rng.uniform();
      } else {
        z = j == 0 ? rng.normal() : rho * z + innov * rng.normal();
        u = std::clamp(normal_cdf(z), 1e-12, 1.0 - 1e-12);
      }
      paths(p, static_cast<Eigen::Index>(j)) =
          quantile_at(levels, quantiles + static_cast<std::size_t>(j) * k, u);
    }
  }
  return paths;
}

void validate(const InventoryParams& p, const std::string& id) {
  check_finite(p.price, "price", id);
  check_finite(p.cost, "cost", id);
  check_finite(p.salvage, "salvage", id);
  check_finite(p.on_hand, "on_hand", id);
  check_finite(p.order_multiple, "order_multiple", id);
  check_finite(p.min_order, "min_order", id);
  if (!(p.price > p.salvage)) {
    detail::raise_invalid("price must exceed salvage (got price " + std::to_string(p.price) +
                              ", salvage " + std::to_string(p.salvage) + ")",
                          id, std::nullopt, "price");
  }
  if (p.cost < p.salvage || p.cost > p.price) {
    detail::raise_invalid(
        "cost must be between salvage and price (got " + std::to_string(p.cost) + ")", id,
        std::nullopt, "cost");
  }
  if (p.shelf_life < 1) {
    detail::raise_invalid("shelf_life must be >= 1 day (got " + std::to_string(p.shelf_life) + ")",
                          id, std::nullopt, "shelf_life");
  }
  if (p.lead_time < 0) {
    detail::raise_invalid("lead_time must be >= 0 (got " + std::to_string(p.lead_time) + ")", id,
                          std::nullopt, "lead_time");
  }
  if (p.review_period < 1) {
    detail::raise_invalid(
        "review_period must be >= 1 (got " + std::to_string(p.review_period) + ")", id,
        std::nullopt, "review_period");
  }
  if (p.on_hand < 0) {
    detail::raise_invalid("on_hand must be >= 0 (got " + std::to_string(p.on_hand) + ")", id,
                          std::nullopt, "on_hand");
  }
  if (p.order_multiple < 0) {
    detail::raise_invalid(
        "order_multiple must be >= 0 (got " + std::to_string(p.order_multiple) + ")", id,
        std::nullopt, "order_multiple");
  }
  if (p.min_order < 0) {
    detail::raise_invalid("min_order must be >= 0 (got " + std::to_string(p.min_order) + ")", id,
                          std::nullopt, "min_order");
  }
}

namespace {

void validate(const PathOptions& o) {
  if (o.n_paths < 100 || o.n_paths > 1000000) {
    detail::raise_argument(
        "n_paths", "n_paths must be in [100, 1000000] (got " + std::to_string(o.n_paths) + ")");
  }
  if (!(o.correlation >= 0.0 && o.correlation < 1.0)) {
    detail::raise_argument(
        "correlation", "correlation must be in [0, 1) (got " + std::to_string(o.correlation) + ")");
  }
}

/// Rounds an order up to the multiple (none when the multiple is 0).
double round_up(double q, double multiple) noexcept {
  if (multiple <= 0.0 || q <= 0.0) return std::max(0.0, q);
  return std::ceil(q / multiple - 1e-9) * multiple;
}

InventoryDecision decide(const std::vector<double>& levels,
                         const double* quantiles,
                         std::int64_t h,
                         const InventoryParams& p,
                         const PathOptions& options,
                         std::uint64_t stream) {
  const std::int64_t lead = p.lead_time;
  const std::int64_t window = std::min(p.review_period, p.shelf_life);
  const std::int64_t life = std::min(p.shelf_life, h - lead);
  InventoryDecision d;
  d.critical_ratio = (p.price - p.cost) / (p.price - p.salvage);
  const auto n = static_cast<std::size_t>(options.n_paths);
  // Net demand in the window (x_w) and over the order's shelf life (x_s), total window demand
  // (dw) and stock left at arrival (left), per path.
  std::vector<double> x_w(n), x_s(n), dw(n), left(n);
  const bool single_day = lead == 0 && window == 1 && life == 1;
  if (single_day) {
    // One day: a deterministic midpoint grid over the quantile function (exact as n grows).
    for (std::size_t i = 0; i < n; ++i) {
      const double u = (static_cast<double>(i) + 0.5) / static_cast<double>(n);
      const double dem = quantile_at(levels, quantiles, u);
      left[i] = p.on_hand;
      dw[i] = dem;
      x_w[i] = x_s[i] = dem - p.on_hand;
    }
  } else {
    const Eigen::MatrixXd paths =
        sample_paths(levels, quantiles, lead + std::max(window, life), options, stream);
    for (std::size_t i = 0; i < n; ++i) {
      const auto r = static_cast<Eigen::Index>(i);
      const double dl = paths.row(r).head(lead).sum();
      left[i] = std::max(0.0, p.on_hand - dl);
      dw[i] = paths.row(r).segment(lead, window).sum();
      x_w[i] = dw[i] - left[i];
      x_s[i] = paths.row(r).segment(lead, life).sum() - left[i];
    }
  }
  // Order-up-to: the critical-ratio quantile of the window's net demand.
  double q;
  if (single_day) {
    q = quantile_at(levels, quantiles, std::clamp(d.critical_ratio, 1e-12, 1.0 - 1e-12)) -
        p.on_hand;
  } else {
    std::vector<double> sorted = x_w;
    const std::size_t idx = empirical_index(d.critical_ratio, n);
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(idx),
                     sorted.end());
    q = sorted[idx];
  }
  q = round_up(std::max(0.0, q), p.order_multiple);
  auto window_profit = [&](double qq) {
    double total = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double sold = std::min(qq, std::max(0.0, x_w[i]));
      total += p.price * sold + p.salvage * (qq - sold) - p.cost * qq;
    }
    return total / static_cast<double>(n);
  };
  if (q > 0.0 && q < p.min_order) {
    const double m = round_up(p.min_order, p.order_multiple);
    q = window_profit(m) > window_profit(0.0) ? m : 0.0;
  }
  d.order_qty = q;
  double sales = 0.0, demand = 0.0, waste = 0.0, short_paths = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double stock = left[i] + q;
    sales += std::min(dw[i], stock);
    demand += dw[i];
    waste += q - std::min(q, std::max(0.0, x_s[i]));
    if (dw[i] > stock) short_paths += 1.0;
  }
  const auto nn = static_cast<double>(n);
  d.expected_sales = sales / nn;
  d.expected_demand = demand / nn;
  d.expected_waste = waste / nn;
  d.stockout_prob = short_paths / nn;
  d.fill_rate = demand > 0.0 ? sales / demand : 1.0;
  return d;
}

}  // namespace

std::vector<InventoryDecision> recommend_orders(const std::vector<double>& levels,
                                                const xt::xtensor<double, 3>& quantiles,
                                                const std::vector<InventoryParams>& params,
                                                const std::vector<std::string>& ids,
                                                const PathOptions& options,
                                                int n_threads) {
  validate(options);
  const std::size_t n = quantiles.shape()[0];
  const auto h = static_cast<std::int64_t>(quantiles.shape()[1]);
  const std::size_t k = quantiles.shape()[2];
  if (levels.empty() || levels.size() != k) {
    detail::raise_argument("quantiles", "the forecast needs quantile columns (got " +
                                            std::to_string(levels.size()) + " levels for " +
                                            std::to_string(k) + " columns)");
  }
  for (std::size_t j = 0; j < k; ++j) {
    if (!(levels[j] > 0.0 && levels[j] < 1.0) || (j > 0 && levels[j] <= levels[j - 1])) {
      detail::raise_argument("quantiles",
                             "quantile levels must be increasing and strictly between 0 and 1");
    }
  }
  if (params.size() != 1 && params.size() != n) {
    detail::raise_argument("params", "need one parameter set, or one per series (got " +
                                         std::to_string(params.size()) + " for " +
                                         std::to_string(n) + " series)");
  }
  auto id_of = [&](std::size_t i) { return i < ids.size() ? ids[i] : std::string(); };
  for (std::size_t i = 0; i < n; ++i) {
    const InventoryParams& p = params.size() == 1 ? params[0] : params[i];
    validate(p, id_of(i));
    const std::int64_t need = p.lead_time + std::min(p.review_period, p.shelf_life);
    if (h < need) {
      detail::raise_invalid("the forecast has " + std::to_string(h) +
                                " steps; lead_time + min(review_period, shelf_life) = " +
                                std::to_string(need) + " are needed",
                            id_of(i), std::nullopt, "h");
    }
    for (std::int64_t j = 0; j < h; ++j) {
      for (std::size_t q = 0; q < k; ++q) {
        if (!std::isfinite(quantiles(i, static_cast<std::size_t>(j), q))) {
          detail::raise_invalid("forecast quantile must be finite", id_of(i), std::nullopt,
                                "quantiles");
        }
      }
    }
  }
  std::vector<InventoryDecision> out(n);
  detail::parallel_for_series(n, n_threads, [&](std::size_t i) {
    const InventoryParams& p = params.size() == 1 ? params[0] : params[i];
    const double* base = quantiles.data() + i * static_cast<std::size_t>(h) * k;
    out[i] = decide(levels, base, h, p, options, i);
  });
  return out;
}

}  // namespace quickstock
