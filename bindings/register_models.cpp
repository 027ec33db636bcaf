#include "common.hpp"

namespace quickstock::bindings {

namespace {

// Binds a spec class: constructor validates, equality, repr; picklable for Spark/Dask transport.
template <class Spec, class... Extra>
py::class_<Spec> bind_spec(py::module_& m, const char* name) {
  py::class_<Spec> cls(m, name);
  cls.def("__eq__", [](const Spec& a, const Spec& b) { return a == b; })
      .def("__repr__", [](const Spec& s) { return to_string(Model{s}); });
  return cls;
}

}  // namespace

void register_models(py::module_& m) {
  bind_spec<Naive>(m, "Naive")
      .def(py::init([] { return Naive{}; }))
      .def(py::pickle([](const Naive&) { return py::tuple(); },
                      [](const py::tuple&) { return Naive{}; }));
  bind_spec<HistoricAverage>(m, "HistoricAverage")
      .def(py::init([] { return HistoricAverage{}; }))
      .def(py::pickle([](const HistoricAverage&) { return py::tuple(); },
                      [](const py::tuple&) { return HistoricAverage{}; }));
  bind_spec<RandomWalkWithDrift>(m, "RandomWalkWithDrift")
      .def(py::init([] { return RandomWalkWithDrift{}; }))
      .def(py::pickle([](const RandomWalkWithDrift&) { return py::tuple(); },
                      [](const py::tuple&) { return RandomWalkWithDrift{}; }));
  bind_spec<SeasonalNaive>(m, "SeasonalNaive")
      .def(py::init([](std::int64_t season_length) {
             SeasonalNaive s{season_length};
             validate(s);
             return s;
           }),
           "season_length"_a)
      .def_readonly("season_length", &SeasonalNaive::season_length)
      .def(py::pickle([](const SeasonalNaive& s) { return py::make_tuple(s.season_length); },
                      [](const py::tuple& t) { return SeasonalNaive{t[0].cast<std::int64_t>()}; }));
  bind_spec<WindowAverage>(m, "WindowAverage")
      .def(py::init([](std::int64_t window_size) {
             WindowAverage s{window_size};
             validate(s);
             return s;
           }),
           "window_size"_a)
      .def_readonly("window_size", &WindowAverage::window_size)
      .def(py::pickle([](const WindowAverage& s) { return py::make_tuple(s.window_size); },
                      [](const py::tuple& t) { return WindowAverage{t[0].cast<std::int64_t>()}; }));
  bind_spec<SeasonalWindowAverage>(m, "SeasonalWindowAverage")
      .def(py::init([](std::int64_t season_length, std::int64_t window_size) {
             SeasonalWindowAverage s{season_length, window_size};
             validate(s);
             return s;
           }),
           "season_length"_a, "window_size"_a)
      .def_readonly("season_length", &SeasonalWindowAverage::season_length)
      .def_readonly("window_size", &SeasonalWindowAverage::window_size)
      .def(py::pickle(
          [](const SeasonalWindowAverage& s) {
            return py::make_tuple(s.season_length, s.window_size);
          },
          [](const py::tuple& t) {
            return SeasonalWindowAverage{t[0].cast<std::int64_t>(), t[1].cast<std::int64_t>()};
          }));

  bind_spec<ETS>(m, "ETS")
      .def(py::init([](const std::string& model, std::int64_t season_length, bool damped) {
             return make_ets(model, season_length, damped);
           }),
           "model"_a, "season_length"_a = 1, "damped"_a = false)
      .def_property_readonly("model",
                             [](const ETS& s) {
                               std::string code = model_code(s);
                               if (s.damped) code.erase(2, 1);
                               return code;
                             })
      .def_readonly("season_length", &ETS::season_length)
      .def_readonly("damped", &ETS::damped)
      .def(py::pickle(
          [](const ETS& s) {
            std::string code = model_code(s);
            if (s.damped) code.erase(2, 1);
            return py::make_tuple(code, s.season_length, s.damped);
          },
          [](const py::tuple& t) {
            return make_ets(t[0].cast<std::string>(), t[1].cast<std::int64_t>(), t[2].cast<bool>());
          }));
  bind_spec<AutoETS>(m, "AutoETS")
      .def(py::init([](std::int64_t season_length, const std::string& model,
                       std::optional<bool> damped) {
             AutoETS s{season_length, model, damped};
             validate(s);
             return s;
           }),
           "season_length"_a = 1, "model"_a = "ZZZ", "damped"_a = py::none())
      .def_readonly("season_length", &AutoETS::season_length)
      .def_readonly("model", &AutoETS::model)
      .def_readonly("damped", &AutoETS::damped)
      .def(py::pickle(
          [](const AutoETS& s) { return py::make_tuple(s.season_length, s.model, s.damped); },
          [](const py::tuple& t) {
            AutoETS s{t[0].cast<std::int64_t>(), t[1].cast<std::string>(),
                      t[2].cast<std::optional<bool>>()};
            validate(s);
            return s;
          }));

  bind_spec<ETSX>(m, "ETSX")
      .def(py::init([](std::int64_t season_length, const std::string& model,
                       std::optional<bool> damped, bool automatic, bool parameter_uncertainty) {
             ETSX s{season_length, model, damped, automatic, parameter_uncertainty};
             validate(s);
             return s;
           }),
           "season_length"_a = 1, "model"_a = "ZZZ", "damped"_a = py::none(), "automatic"_a = true,
           "parameter_uncertainty"_a = true)
      .def_readonly("season_length", &ETSX::season_length)
      .def_readonly("model", &ETSX::model)
      .def_readonly("damped", &ETSX::damped)
      .def_readonly("automatic", &ETSX::automatic)
      .def_readonly("parameter_uncertainty", &ETSX::parameter_uncertainty)
      .def(py::pickle(
          [](const ETSX& s) {
            return py::make_tuple(s.season_length, s.model, s.damped, s.automatic,
                                  s.parameter_uncertainty);
          },
          [](const py::tuple& t) {
            ETSX s{t[0].cast<std::int64_t>(), t[1].cast<std::string>(),
                   t[2].cast<std::optional<bool>>(), t[3].cast<bool>(), t[4].cast<bool>()};
            validate(s);
            return s;
          }));

  m.def("model_name", &model_name, "spec"_a);

  py::class_<FittedModel>(m, "FittedModel")
      .def(py::init([](const Model& spec, const Panel& panel, int n_threads) {
             py::gil_scoped_release release;
             return FittedModel(spec, panel, n_threads);
           }),
           "spec"_a, "panel"_a, "n_threads"_a = 1)
      .def(
          "forecast",
          [](const FittedModel& f, std::int64_t h, std::vector<double> quantiles, bool nonnegative,
             int n_threads,
             std::optional<py::array_t<double, py::array::c_style | py::array::forcecast>>
                 x_future) {
            ForecastOptions opts{h, std::move(quantiles), nonnegative};
            PanelForecast out;
            if (x_future.has_value()) {
              const auto& a = *x_future;
              if (a.ndim() != 2) {
                detail::raise_argument("X_df", "future covariates must be a 2-d array");
              }
              const Eigen::Map<const RowMatrixXd> x(a.data(), a.shape(0), a.shape(1));
              py::gil_scoped_release release;
              out = f.forecast(opts, x, n_threads);
            } else {
              py::gil_scoped_release release;
              out = f.forecast(opts, n_threads);
            }
            return py::make_tuple(to_numpy_i64(out.first), to_numpy(std::move(out.mean)),
                                  to_numpy(std::move(out.quantiles)));
          },
          "h"_a, "quantiles"_a, "nonnegative"_a = true, "n_threads"_a = 1,
          "x_future"_a = py::none(),
          "Returns (first ordinal per series, mean [series × h], quantiles [series × h × q]). "
          "x_future: (series·h) × covariates, row i·h + j = step j of series i.")
      .def_property_readonly("spec", &FittedModel::spec)
      .def_property_readonly("uses_covariates", &FittedModel::uses_covariates)
      .def("fallbacks", &FittedModel::fallbacks);
}

}  // namespace quickstock::bindings
