#include <pybind11/eigen.h>

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

// Binds a Theta-family spec: (season_length, decomposition_type), picklable.
template <class Spec>
void bind_theta(py::module_& m, const char* name) {
  bind_spec<Spec>(m, name)
      .def(py::init([](std::int64_t season_length, const std::string& decomposition_type) {
             Spec s{season_length, parse_decomposition_type(decomposition_type)};
             validate(s);
             return s;
           }),
           "season_length"_a = 1, "decomposition_type"_a = "multiplicative")
      .def_readonly("season_length", &Spec::season_length)
      .def_property_readonly("decomposition_type",
                             [](const Spec& s) { return to_string(s.decomposition_type); })
      .def(py::pickle(
          [](const Spec& s) {
            return py::make_tuple(s.season_length, to_string(s.decomposition_type));
          },
          [](const py::tuple& t) {
            Spec s{t[0].cast<std::int64_t>(), parse_decomposition_type(t[1].cast<std::string>())};
            validate(s);
            return s;
          }));
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

  bind_spec<Croston>(m, "Croston")
      .def(py::init([](double alpha, std::optional<bool> integer) {
             Croston s{alpha, integer};
             validate(s);
             return s;
           }),
           "alpha"_a = 0.1, "integer"_a = py::none())
      .def_readonly("alpha", &Croston::alpha)
      .def_readonly("integer", &Croston::integer)
      .def(py::pickle([](const Croston& s) { return py::make_tuple(s.alpha, s.integer); },
                      [](const py::tuple& t) {
                        Croston s{t[0].cast<double>(), t[1].cast<std::optional<bool>>()};
                        validate(s);
                        return s;
                      }));
  bind_spec<CrostonSBA>(m, "CrostonSBA")
      .def(py::init([](double alpha, std::optional<bool> integer) {
             CrostonSBA s{alpha, integer};
             validate(s);
             return s;
           }),
           "alpha"_a = 0.1, "integer"_a = py::none())
      .def_readonly("alpha", &CrostonSBA::alpha)
      .def_readonly("integer", &CrostonSBA::integer)
      .def(py::pickle([](const CrostonSBA& s) { return py::make_tuple(s.alpha, s.integer); },
                      [](const py::tuple& t) {
                        CrostonSBA s{t[0].cast<double>(), t[1].cast<std::optional<bool>>()};
                        validate(s);
                        return s;
                      }));
  bind_spec<TSB>(m, "TSB")
      .def(py::init([](double alpha_d, double alpha_p, std::optional<bool> integer) {
             TSB s{alpha_d, alpha_p, integer};
             validate(s);
             return s;
           }),
           "alpha_d"_a, "alpha_p"_a, "integer"_a = py::none())
      .def_readonly("alpha_d", &TSB::alpha_d)
      .def_readonly("alpha_p", &TSB::alpha_p)
      .def_readonly("integer", &TSB::integer)
      .def(py::pickle(
          [](const TSB& s) { return py::make_tuple(s.alpha_d, s.alpha_p, s.integer); },
          [](const py::tuple& t) {
            TSB s{t[0].cast<double>(), t[1].cast<double>(), t[2].cast<std::optional<bool>>()};
            validate(s);
            return s;
          }));
  bind_spec<ADIDA>(m, "ADIDA")
      .def(py::init([](std::optional<bool> integer) { return ADIDA{integer}; }),
           "integer"_a = py::none())
      .def_readonly("integer", &ADIDA::integer)
      .def(py::pickle([](const ADIDA& s) { return py::make_tuple(s.integer); },
                      [](const py::tuple& t) { return ADIDA{t[0].cast<std::optional<bool>>()}; }));
  bind_spec<IMAPA>(m, "IMAPA")
      .def(py::init([](std::optional<bool> integer) { return IMAPA{integer}; }),
           "integer"_a = py::none())
      .def_readonly("integer", &IMAPA::integer)
      .def(py::pickle([](const IMAPA& s) { return py::make_tuple(s.integer); },
                      [](const py::tuple& t) { return IMAPA{t[0].cast<std::optional<bool>>()}; }));

  bind_theta<Theta>(m, "Theta");
  bind_theta<OptimizedTheta>(m, "OptimizedTheta");
  bind_theta<DynamicTheta>(m, "DynamicTheta");
  bind_theta<DynamicOptimizedTheta>(m, "DynamicOptimizedTheta");
  bind_spec<AutoTheta>(m, "AutoTheta")
      .def(py::init([](std::int64_t season_length, const std::string& decomposition_type,
                       const std::string& selection) {
             AutoTheta s{season_length, parse_decomposition_type(decomposition_type),
                         parse_theta_selection(selection)};
             validate(s);
             return s;
           }),
           "season_length"_a = 1, "decomposition_type"_a = "multiplicative",
           "selection"_a = "holdout")
      .def_readonly("season_length", &AutoTheta::season_length)
      .def_property_readonly("decomposition_type",
                             [](const AutoTheta& s) { return to_string(s.decomposition_type); })
      .def_property_readonly("selection", [](const AutoTheta& s) { return to_string(s.selection); })
      .def(py::pickle(
          [](const AutoTheta& s) {
            return py::make_tuple(s.season_length, to_string(s.decomposition_type),
                                  to_string(s.selection));
          },
          [](const py::tuple& t) {
            AutoTheta s{t[0].cast<std::int64_t>(),
                        parse_decomposition_type(t[1].cast<std::string>()),
                        parse_theta_selection(t[2].cast<std::string>())};
            validate(s);
            return s;
          }));

  bind_spec<MSTL>(m, "MSTL")
      .def(py::init([](std::vector<double> season_length, const Model& trend_forecaster) {
             return make_mstl(std::move(season_length), trend_forecaster);
           }),
           "season_length"_a, "trend_forecaster"_a)
      .def_readonly("season_length", &MSTL::season_length)
      .def_property_readonly("trend_forecaster", [](const MSTL& s) { return trend_forecaster(s); })
      .def(py::pickle(
          [](const MSTL& s) { return py::make_tuple(s.season_length, trend_forecaster(s)); },
          [](const py::tuple& t) {
            return make_mstl(t[0].cast<std::vector<double>>(), t[1].cast<Model>());
          }));

  m.def(
      "stl",
      [](const Eigen::Ref<const Eigen::VectorXd>& y, double period,
         std::optional<std::int64_t> s_window, int s_degree, std::optional<std::int64_t> t_window,
         int t_degree, std::optional<std::int64_t> l_window, std::optional<int> l_degree,
         std::optional<std::int64_t> s_jump, std::optional<std::int64_t> t_jump,
         std::optional<std::int64_t> l_jump, bool robust, std::optional<int> inner,
         std::optional<int> outer) {
        STLOptions o;
        o.period = period;
        o.s_window = s_window;
        o.s_degree = s_degree;
        o.t_window = t_window;
        o.t_degree = t_degree;
        o.l_window = l_window;
        o.l_degree = l_degree;
        o.s_jump = s_jump;
        o.t_jump = t_jump;
        o.l_jump = l_jump;
        o.robust = robust;
        o.inner = inner;
        o.outer = outer;
        STLDecomposition d;
        {
          py::gil_scoped_release release;
          d = stl(y, o);
        }
        return py::make_tuple(d.trend, d.seasonal, d.remainder, d.weights);
      },
      "y"_a, "period"_a, "s_window"_a = py::none(), "s_degree"_a = 0, "t_window"_a = py::none(),
      "t_degree"_a = 1, "l_window"_a = py::none(), "l_degree"_a = py::none(),
      "s_jump"_a = py::none(), "t_jump"_a = py::none(), "l_jump"_a = py::none(), "robust"_a = false,
      "inner"_a = py::none(), "outer"_a = py::none(),
      "STL as R's stl(); s_window None is \"periodic\". Returns (trend, seasonal, remainder, "
      "weights).");
  m.def(
      "mstl",
      [](const Eigen::Ref<const Eigen::VectorXd>& y, std::vector<double> periods, int iterate,
         std::vector<std::int64_t> s_window, bool robust) {
        MSTLOptions o;
        o.periods = std::move(periods);
        o.iterate = iterate;
        o.s_window = std::move(s_window);
        o.robust = robust;
        MSTLDecomposition d;
        {
          py::gil_scoped_release release;
          d = mstl(y, o);
        }
        return py::make_tuple(d.periods, d.trend, d.seasonal, d.remainder);
      },
      "y"_a, "periods"_a, "iterate"_a = 2, "s_window"_a = std::vector<std::int64_t>{},
      "robust"_a = false,
      "MSTL as R's forecast::mstl(). Returns (periods kept, trend, seasonal [n x k], remainder).");

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
