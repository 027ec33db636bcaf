#include <pybind11/eigen.h>

#include "common.hpp"

namespace quickstock::bindings {

namespace {

using f64_array = py::array_t<double, py::array::c_style | py::array::forcecast>;
using i64_array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using i32_array = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;

template <class T>
py::array_t<T> copy_out(const std::vector<T>& v) {
  py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

/// A numpy array that owns `v`'s buffer (moved, not copied).
template <class T>
py::array_t<T> move_out(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(static_cast<py::ssize_t>(owned->size()), owned->data(), free_when_done);
}

}  // namespace

void register_reconcile(py::module_& m) {
  py::class_<Hierarchy>(m, "Hierarchy", "A hierarchy of series and its summing matrix")
      .def(py::init([](std::vector<std::string> names, std::vector<std::vector<std::string>> ids,
                       std::vector<i64_array> node_of) {
             if (names.size() != ids.size() || names.size() != node_of.size()) {
               detail::raise_argument("spec", "names, ids and node_of differ in length");
             }
             std::vector<HierarchyLevel> levels(names.size());
             for (std::size_t l = 0; l < names.size(); ++l) {
               levels[l].name = std::move(names[l]);
               levels[l].ids = std::move(ids[l]);
               const std::int64_t* p = node_of[l].data();
               levels[l].node_of.assign(p, p + node_of[l].size());
             }
             py::gil_scoped_release release;
             return Hierarchy::from_levels(std::move(levels));
           }),
           "names"_a, "ids"_a, "node_of"_a)
      .def_property_readonly("n_series", &Hierarchy::n_series)
      .def_property_readonly("n_bottom", &Hierarchy::n_bottom)
      .def_property_readonly("ids", [](const Hierarchy& h) { return h.ids; })
      .def_property_readonly("level_names", [](const Hierarchy& h) { return h.level_names; })
      .def_property_readonly("level_offsets",
                             [](const Hierarchy& h) { return copy_out(h.level_offsets); })
      .def("csr",
           [](const Hierarchy& h) {
             const auto nnz = static_cast<std::size_t>(h.S.nonZeros());
             const auto rows = static_cast<std::size_t>(h.S.rows());
             std::vector<std::int64_t> indptr(h.S.outerIndexPtr(), h.S.outerIndexPtr() + rows + 1);
             std::vector<std::int64_t> indices(h.S.innerIndexPtr(), h.S.innerIndexPtr() + nnz);
             return py::make_tuple(copy_out(indptr), copy_out(indices));
           })
      .def("node_rows",
           [](const Hierarchy& h) {
             py::array_t<std::int64_t> out(std::vector<py::ssize_t>{
                 static_cast<py::ssize_t>(h.n_levels()), static_cast<py::ssize_t>(h.n_bottom())});
             std::copy(h.node_of_bottom.begin(), h.node_of_bottom.end(), out.mutable_data());
             return out;
           })
      .def("level_index", &Hierarchy::level_index, "name"_a)
      .def("is_nested_below", &Hierarchy::is_nested_below, "level"_a);

  m.def(
      "aggregate_hierarchy",
      [](const Hierarchy& h, const i64_array& bottom, const i64_array& time, const f64_array& y,
         std::int64_t n_times) {
        if (bottom.size() != time.size() || bottom.size() != y.size()) {
          detail::raise_argument("df", "bottom, time and y differ in length");
        }
        AggregatedPanel out;
        {
          py::gil_scoped_release release;
          out = aggregate(h, bottom.data(), time.data(), y.data(),
                          static_cast<std::size_t>(y.size()), n_times);
        }
        return py::make_tuple(move_out(std::move(out.series)), move_out(std::move(out.time)),
                              move_out(std::move(out.y)));
      },
      "hierarchy"_a, "bottom"_a, "time"_a, "y"_a, "n_times"_a,
      "Sum bottom rows into every series: (series row, time code, y) sorted by row then time");

  m.def(
      "aggregate_series",
      [](const Hierarchy& h, const i32_array& bottom, const i32_array& time, const f64_array& y,
         std::int32_t n_times) {
        if (bottom.size() != time.size() || bottom.size() != y.size()) {
          detail::raise_argument("df", "bottom, time and y differ in length");
        }
        AggregatedSeries out;
        {
          py::gil_scoped_release release;
          out = aggregate_series(h, bottom.data(), time.data(), y.data(),
                                 static_cast<std::size_t>(y.size()), n_times);
        }
        return py::make_tuple(move_out(std::move(out.offsets)), move_out(std::move(out.time)),
                              move_out(std::move(out.y)));
      },
      "hierarchy"_a, "bottom"_a, "time"_a, "y"_a, "n_times"_a,
      "Sum bottom rows into every series, compact: (offsets by series row, int32 time code, y), "
      "values sorted by row then time (the arrays own the C++ buffers: no copy)");

  m.def(
      "reconcile",
      [](const Hierarchy& h, const Eigen::Ref<const Eigen::MatrixXd>& base,  // F-order: no copy
         const std::string& method, const std::string& top_down_method, std::int64_t level,
         bool nonnegative, double tolerance, std::int64_t max_iterations,
         const std::optional<Eigen::MatrixXd>& residuals,
         const std::optional<Eigen::MatrixXd>& history, int n_threads) {
        ReconcileOptions o;
        o.method = parse_reconcile_method(method);
        o.top_down = parse_top_down_method(top_down_method);
        o.level = level;
        o.nonnegative = nonnegative;
        o.tolerance = tolerance;
        o.max_iterations = max_iterations;
        ReconcileResult r;
        {
          py::gil_scoped_release release;
          r = reconcile(h, base, o, residuals ? &*residuals : nullptr,
                        history ? &*history : nullptr, n_threads);
        }
        py::dict out;
        out["values"] = py::cast(std::move(r.values));  // moved: no copy of n_series x K
        out["bottom"] = py::cast(std::move(r.bottom));
        out["kkt_residual"] = r.kkt_residual;
        out["iterations"] = r.iterations;
        out["shrinkage"] = r.shrinkage;
        out["fallback"] = r.fallback;
        return out;
      },
      "hierarchy"_a, "base"_a, "method"_a, "top_down_method"_a = "forecast_proportions",
      "level"_a = 0, "nonnegative"_a = false, "tolerance"_a = 1e-9, "max_iterations"_a = 20000,
      "residuals"_a = py::none(), "history"_a = py::none(), "n_threads"_a = 1,
      "Reconcile base forecasts (n_series x K); returns a dict with values, bottom, "
      "kkt_residual, iterations, shrinkage, fallback");

  m.def(
      "reconcile_quantiles",
      [](const Hierarchy& h, const f64_array& bottom_quantiles,
         const Eigen::MatrixXd& reconciled_bottom, const std::optional<Eigen::MatrixXd>& residuals,
         std::vector<double> levels, std::int64_t n_samples, bool nonnegative, std::uint64_t seed,
         int n_threads) {
        std::vector<double> q(bottom_quantiles.data(),
                              bottom_quantiles.data() + bottom_quantiles.size());
        QuantileReconcileOptions o;
        o.levels = std::move(levels);
        o.n_samples = n_samples;
        o.nonnegative = nonnegative;
        o.seed = seed;
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = reconcile_quantiles(h, q, reconciled_bottom, residuals ? &*residuals : nullptr, o,
                                    n_threads);
        }
        return move_out(std::move(out));
      },
      "hierarchy"_a, "bottom_quantiles"_a, "reconciled_bottom"_a, "residuals"_a, "levels"_a,
      "n_samples"_a = 1000, "nonnegative"_a = false, "seed"_a = 0, "n_threads"_a = 1,
      "Coherent quantiles (K x n_series x Q, flat) from bottom quantiles and reconciled means");
}

}  // namespace quickstock::bindings
