#include "common.hpp"

namespace quickstock::bindings {

namespace {
using i64_array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using f64_array = py::array_t<double, py::array::c_style | py::array::forcecast>;
}  // namespace

void register_data(py::module_& m) {
  py::class_<Panel>(m, "Panel")
      .def_static(
          "from_long",
          [](const i64_array& codes, std::vector<std::string> ids, const i64_array& ds,
             const f64_array& y, const std::optional<f64_array>& covariates,
             std::vector<std::string> covariate_names, const Frequency& freq, bool allow_negative) {
            const auto n = static_cast<std::size_t>(y.size());
            if (static_cast<std::size_t>(codes.size()) != n ||
                static_cast<std::size_t>(ds.size()) != n) {
              detail::raise_argument("df", "codes, ds and y must have the same length");
            }
            LongInput in;
            in.codes = codes.data();
            in.ds = ds.data();
            in.y = y.data();
            in.n_rows = n;
            in.ids = std::move(ids);
            in.covariate_names = std::move(covariate_names);
            if (covariates) {
              const auto& x = *covariates;
              if (x.ndim() != 2 || static_cast<std::size_t>(x.shape(0)) != n ||
                  static_cast<std::size_t>(x.shape(1)) != in.covariate_names.size()) {
                detail::raise_argument("covariates",
                                       "covariates must be an n_rows × n_names matrix");
              }
              in.covariates = x.data();
            } else if (!in.covariate_names.empty()) {
              detail::raise_argument("covariates", "covariate names given without values");
            }
            PanelOptions options;
            options.allow_negative = allow_negative;
            py::gil_scoped_release release;
            return Panel::from_long(in, freq, options);
          },
          "codes"_a, "ids"_a, "ds"_a, "y"_a, "covariates"_a, "covariate_names"_a, "freq"_a,
          "allow_negative"_a = false,
          "Builds and validates a panel from long rows (codes index ids).")
      .def_property_readonly("n_series", &Panel::n_series)
      .def_property_readonly("n_obs", &Panel::n_obs)
      .def_property_readonly("ids", &Panel::ids)
      .def_property_readonly("covariate_names", &Panel::covariate_names)
      .def_property_readonly("frequency", &Panel::frequency)
      .def_property_readonly("offsets", [](const Panel& p) { return to_numpy_i64(p.offsets()); })
      .def_property_readonly("starts", [](const Panel& p) { return to_numpy_i64(p.starts()); })
      .def_property_readonly("source_rows",
                             [](const Panel& p) { return to_numpy_i64(p.source_rows()); })
      .def_property_readonly("ends",
                             [](const Panel& p) {
                               std::vector<std::int64_t> e(p.n_series());
                               for (std::size_t i = 0; i < e.size(); ++i) e[i] = p.end(i);
                               return to_numpy_i64(e);
                             })
      .def_property_readonly("values",
                             [](const Panel& p) {
                               py::array_t<double> out(static_cast<py::ssize_t>(p.n_obs()));
                               std::copy(p.values().begin(), p.values().end(), out.mutable_data());
                               return out;
                             })
      .def_property_readonly(
          "covariates",
          [](const Panel& p) {
            py::array_t<double> out(
                {static_cast<py::ssize_t>(p.n_obs()), static_cast<py::ssize_t>(p.n_covariates())});
            std::copy(p.covariates().begin(), p.covariates().end(), out.mutable_data());
            return out;
          })
      .def(
          "drop_last",
          [](const Panel& p, const std::vector<std::int64_t>& k, std::int64_t min_keep) {
            py::gil_scoped_release release;
            return p.drop_last(k, min_keep);
          },
          "k"_a, "min_keep"_a = 1)
      .def("__eq__", [](const Panel& a, const Panel& b) { return a == b; })
      .def("__repr__", [](const Panel& p) {
        return "Panel(n_series=" + std::to_string(p.n_series()) +
               ", n_obs=" + std::to_string(p.n_obs()) + ", freq='" + p.frequency().alias() + "')";
      });
}

}  // namespace quickstock::bindings
