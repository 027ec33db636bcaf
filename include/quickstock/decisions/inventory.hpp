#pragma once

/// @file
/// Order quantities for perishable stock from quantile forecasts: the newsvendor critical ratio
/// applied to the demand over the days one order must cover, computed on joint sample paths
/// (never by adding quantiles), with shelf life, lead time, review period, stock on hand, order
/// multiples and minimums. See docs/inventory.md.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/detail/xtensor.hpp>

namespace quickstock {

/// The economics and timing of one series' replenishment decision.
struct InventoryParams {
  double price = 1.0;              ///< revenue per unit sold, > salvage
  double cost = 0.5;               ///< purchase cost per unit ordered, in [salvage, price]
  double salvage = 0.0;            ///< value recovered per expired unit (may be 0)
  std::int64_t shelf_life = 1;     ///< days a unit can be sold after it arrives, >= 1
  std::int64_t lead_time = 0;      ///< days from ordering to arrival, >= 0
  std::int64_t review_period = 1;  ///< days until the next order arrives, >= 1
  double on_hand = 0.0;            ///< units in stock now (sold first), >= 0
  double order_multiple = 0.0;     ///< orders are multiples of this (0: any quantity)
  double min_order = 0.0;          ///< a non-zero order is at least this
  friend bool operator==(const InventoryParams& a, const InventoryParams& b) noexcept {
    return a.price == b.price && a.cost == b.cost && a.salvage == b.salvage &&
           a.shelf_life == b.shelf_life && a.lead_time == b.lead_time &&
           a.review_period == b.review_period && a.on_hand == b.on_hand &&
           a.order_multiple == b.order_multiple && a.min_order == b.min_order;
  }
};

/// How demand paths are drawn from the per-day quantile forecasts.
struct PathOptions {
  std::int64_t n_paths = 4000;  ///< sample paths per series, >= 100
  double correlation = 0.0;     ///< day-to-day correlation of the Gaussian copula, in [0, 1)
  std::uint64_t seed = 0;       ///< paths of series i use the stream (seed, i): any thread count
  friend bool operator==(const PathOptions& a, const PathOptions& b) noexcept {
    return a.n_paths == b.n_paths && a.correlation == b.correlation && a.seed == b.seed;
  }
};

/// One series' recommendation.
struct InventoryDecision {
  double order_qty = 0.0;        ///< units to order now
  double critical_ratio = 0.0;   ///< (price − cost) / (price − salvage)
  double expected_sales = 0.0;   ///< expected units sold in the coverage window (on hand + order)
  double expected_waste = 0.0;   ///< expected units of this order that expire unsold
  double stockout_prob = 0.0;    ///< probability that demand in the window exceeds the stock
  double fill_rate = 1.0;        ///< expected sales / expected demand in the window (1 if none)
  double expected_demand = 0.0;  ///< expected demand in the coverage window
  friend bool operator==(const InventoryDecision& a, const InventoryDecision& b) noexcept {
    return a.order_qty == b.order_qty && a.critical_ratio == b.critical_ratio &&
           a.expected_sales == b.expected_sales && a.expected_waste == b.expected_waste &&
           a.stockout_prob == b.stockout_prob && a.fill_rate == b.fill_rate &&
           a.expected_demand == b.expected_demand;
  }
};

/// The quantile function of one day's demand, from forecast quantiles at `levels`: linear
/// between the given levels; beyond the outermost ones, the Normal tail through the two
/// outermost points on that side (a single level: a point mass); censored at 0.
/// @param levels increasing quantile levels in (0, 1)
/// @param values the forecast quantiles at those levels (sorted first, so crossing quantiles
/// are repaired)
/// @param u a probability in (0, 1)
QUICKSTOCK_API double quantile_at(const std::vector<double>& levels,
                                  const double* values,
                                  double u);

/// Joint demand paths of one series: `n_paths × h`, day `j` of every path distributed as the
/// forecast quantile function of step `j`, consecutive days joined by a Gaussian AR(1) copula
/// with `options.correlation`. Deterministic for given `(options.seed, stream)`.
/// @param quantiles `h × levels.size()` row-major forecast quantiles of the series
QUICKSTOCK_API Eigen::MatrixXd sample_paths(const std::vector<double>& levels,
                                            const double* quantiles,
                                            std::int64_t h,
                                            const PathOptions& options,
                                            std::uint64_t stream);

/// Checks one series' parameters. @throws invalid_input naming the parameter (and `series_id`).
QUICKSTOCK_API void validate(const InventoryParams& params, const std::string& series_id = {});

/// Order recommendations for every series of a quantile forecast.
///
/// The order arrives after `lead_time` days, during which demand is served from `on_hand`
/// (sold first). It must cover the window W = min(review_period, shelf_life) days after
/// arrival: the order-up-to quantity is the `critical_ratio` quantile of the window's demand
/// net of the stock left at arrival (the newsvendor solution, exact for lead time 0, review
/// period 1, shelf life 1 and nothing on hand), rounded up to `order_multiple` and raised to
/// `min_order` when that pays. Units of the order expire `shelf_life` days after arrival; they
/// are sold first-in first-out, so `expected_waste` counts the order's units unsold after
/// `shelf_life` days (or by the end of the forecast, if that comes first). All expectations are
/// means over the joint sample paths.
///
/// @param levels quantile levels of the forecast, increasing, in (0, 1), at least one
/// @param quantiles series × h × levels forecast quantiles
/// @param params one entry per series (or one for all)
/// @param ids series ids, for error messages
/// @throws invalid_input naming the parameter and series, or `h` when the forecast is shorter
/// than lead time + window
///
/// **Example**
/// ```cpp
/// quickstock::InventoryParams p{/*price=*/40, /*cost=*/25, /*salvage=*/5};
/// auto orders = quickstock::recommend_orders(fc.levels, fc.quantiles, {p}, fc.ids, {}, 2);
/// ```
[[nodiscard]] QUICKSTOCK_API std::vector<InventoryDecision> recommend_orders(
    const std::vector<double>& levels,
    const xt::xtensor<double, 3>& quantiles,
    const std::vector<InventoryParams>& params,
    const std::vector<std::string>& ids,
    const PathOptions& options = {},
    int n_threads = 1);

}  // namespace quickstock
