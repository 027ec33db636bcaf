#include "common.hpp"

namespace quickstock::bindings {

namespace {

using f64_array = py::array_t<double, py::array::c_style | py::array::forcecast>;
using i64_array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

/// Value `i` of a parameter given once (length 1) or per series (length n).
template <class T, class Array>
T pick(const Array& a, std::size_t i) {
  return a.size() == 1 ? a.data()[0] : a.data()[i];
}

}  // namespace

void register_decisions(py::module_& m) {
  m.def(
      "recommend_orders",
      [](const std::vector<double>& levels, const f64_array& quantiles,
         const std::vector<std::string>& ids, const f64_array& price, const f64_array& cost,
         const f64_array& salvage, const i64_array& shelf_life, const i64_array& lead_time,
         const i64_array& review_period, const f64_array& on_hand, const f64_array& order_multiple,
         const f64_array& min_order, std::int64_t n_paths, double correlation, std::uint64_t seed,
         int n_threads) {
        if (quantiles.ndim() != 3) {
          detail::raise_argument("quantiles", "quantiles must be series x h x levels");
        }
        const auto n = static_cast<std::size_t>(quantiles.shape(0));
        std::vector<std::size_t> shape{n, static_cast<std::size_t>(quantiles.shape(1)),
                                       static_cast<std::size_t>(quantiles.shape(2))};
        xt::xtensor<double, 3> q =
            xt::adapt(quantiles.data(), static_cast<std::size_t>(quantiles.size()),
                      xt::no_ownership(), shape);
        std::size_t n_params = 1;
        for (const py::ssize_t s :
             {price.size(), cost.size(), salvage.size(), shelf_life.size(), lead_time.size(),
              review_period.size(), on_hand.size(), order_multiple.size(), min_order.size()}) {
          if (s != 1 && static_cast<std::size_t>(s) != n) {
            detail::raise_argument("params", "each parameter needs one value or one per series");
          }
          if (s != 1) n_params = n;
        }
        std::vector<InventoryParams> params(n_params);
        for (std::size_t i = 0; i < n_params; ++i) {
          params[i] = InventoryParams{
              pick<double>(price, i),           pick<double>(cost, i),
              pick<double>(salvage, i),         pick<std::int64_t>(shelf_life, i),
              pick<std::int64_t>(lead_time, i), pick<std::int64_t>(review_period, i),
              pick<double>(on_hand, i),         pick<double>(order_multiple, i),
              pick<double>(min_order, i)};
        }
        std::vector<InventoryDecision> out;
        {
          py::gil_scoped_release release;
          out = recommend_orders(levels, q, params, ids, PathOptions{n_paths, correlation, seed},
                                 n_threads);
        }
        auto column = [&](double InventoryDecision::*field) {
          py::array_t<double> a(static_cast<py::ssize_t>(out.size()));
          double* d = a.mutable_data();
          for (std::size_t i = 0; i < out.size(); ++i) d[i] = out[i].*field;
          return a;
        };
        py::dict result;
        result["order_qty"] = column(&InventoryDecision::order_qty);
        result["critical_ratio"] = column(&InventoryDecision::critical_ratio);
        result["expected_sales"] = column(&InventoryDecision::expected_sales);
        result["expected_waste"] = column(&InventoryDecision::expected_waste);
        result["stockout_prob"] = column(&InventoryDecision::stockout_prob);
        result["fill_rate"] = column(&InventoryDecision::fill_rate);
        result["expected_demand"] = column(&InventoryDecision::expected_demand);
        return result;
      },
      "levels"_a, "quantiles"_a, "ids"_a, "price"_a, "cost"_a, "salvage"_a, "shelf_life"_a,
      "lead_time"_a, "review_period"_a, "on_hand"_a, "order_multiple"_a, "min_order"_a,
      "n_paths"_a = 4000, "correlation"_a = 0.0, "seed"_a = 0, "n_threads"_a = 1,
      "Order recommendations per series from a series x h x levels quantile forecast.");
}

}  // namespace quickstock::bindings
