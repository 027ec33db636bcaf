#include <pybind11/eigen.h>

#include "common.hpp"

namespace quickstock::bindings {

void register_saved(py::module_& m) {
  m.def(
      "parse_saved",
      [](const py::bytes& data, const std::string& name) {
        const std::string bytes = data;
        io::SavedForecaster s;
        {
          py::gil_scoped_release release;
          s = io::parse_saved(bytes, "'" + name + "'");
        }
        const Panel& p = s.panel;
        const std::size_t n = p.n_series();
        const std::size_t n_obs = p.n_obs();
        const std::size_t k = p.n_covariates();
        py::array_t<std::int64_t> lengths(static_cast<py::ssize_t>(n));
        py::array_t<std::int64_t> ds(static_cast<py::ssize_t>(n_obs));
        py::array_t<double> y(static_cast<py::ssize_t>(n_obs));
        py::array_t<double> x({static_cast<py::ssize_t>(n_obs), static_cast<py::ssize_t>(k)});
        auto* lp = lengths.mutable_data();
        auto* dp = ds.mutable_data();
        for (std::size_t i = 0; i < n; ++i) {
          lp[i] = p.length(i);
          for (std::int64_t j = 0; j < p.length(i); ++j) {
            dp[static_cast<std::size_t>(p.offsets()[i] + j)] = p.timestamp(p.starts()[i] + j);
          }
        }
        std::copy(p.values().begin(), p.values().end(), y.mutable_data());
        std::copy(p.covariates().begin(), p.covariates().end(), x.mutable_data());
        py::dict d;
        d["json"] = py::bytes(s.metadata);
        d["covariates"] = s.covariates;
        d["lengths"] = lengths;
        d["ds"] = ds;
        d["y"] = y;
        d["covariates_values"] = x;
        return d;
      },
      "data"_a, "name"_a,
      "Reads and checks a saved forecaster held in memory with the C++ reader "
      "(quickstock::io::parse_saved: zip, JSON, arrays, panel, model specs). Returns a dict: "
      "json (quickstock.json bytes), covariates (names, censoring flag last) and the panel as "
      "arrays lengths, ds, y, covariates_values (n_obs x covariates). name labels the file in "
      "errors.");
  m.def(
      "load_saved_forecast",
      [](const std::string& path, std::int64_t h, std::vector<double> quantiles, int n_threads,
         std::optional<RowMatrixXd> x_future) {
        std::vector<PanelForecast> out;
        io::SavedForecaster s;
        {
          py::gil_scoped_release release;
          s = io::load_saved(path);
          const auto fitted = s.fit(n_threads);
          out = s.forecast(fitted, h, quantiles, x_future.value_or(RowMatrixXd()), n_threads);
        }
        py::list models;
        for (std::size_t i = 0; i < out.size(); ++i) {
          models.append(py::make_tuple(s.models[i].alias, to_numpy_i64(out[i].first),
                                       to_numpy(std::move(out[i].mean)),
                                       to_numpy(std::move(out[i].quantiles))));
        }
        return models;
      },
      "path"_a, "h"_a, "quantiles"_a, "n_threads"_a = 1, "x_future"_a = py::none(),
      "Loads a saved forecaster in C++, fits it and forecasts: [(alias, first ordinal per "
      "series, mean [series × h], quantiles [series × h × q])] per model.");
}

}  // namespace quickstock::bindings
