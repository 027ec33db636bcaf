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

// Binds a Croston-type spec: (alpha, integer, censor_column), picklable (a 2-tuple from before
// censoring unpickles with no censor column).
template <class Spec>
void bind_croston(py::module_& m, const char* name) {
  bind_spec<Spec>(m, name)
      .def(py::init([](double alpha, std::optional<bool> integer, std::int64_t censor_column) {
             Spec s{alpha, integer, censor_column};
             validate(s);
             return s;
           }),
           "alpha"_a = 0.1, "integer"_a = py::none(), "censor_column"_a = -1)
      .def_readonly("alpha", &Spec::alpha)
      .def_readonly("integer", &Spec::integer)
      .def_readonly("censor_column", &Spec::censor_column)
      .def(py::pickle(
          [](const Spec& s) { return py::make_tuple(s.alpha, s.integer, s.censor_column); },
          [](const py::tuple& t) {
            Spec s{t[0].cast<double>(), t[1].cast<std::optional<bool>>(),
                   t.size() > 2 ? t[2].cast<std::int64_t>() : std::int64_t{-1}};
            validate(s);
            return s;
          }));
}

// Binds an aggregation spec (ADIDA, IMAPA): (integer), picklable.
template <class Spec>
void bind_aggregation(py::module_& m, const char* name) {
  bind_spec<Spec>(m, name)
      .def(py::init([](std::optional<bool> integer) { return Spec{integer}; }),
           "integer"_a = py::none())
      .def_readonly("integer", &Spec::integer)
      .def(py::pickle([](const Spec& s) { return py::make_tuple(s.integer); },
                      [](const py::tuple& t) { return Spec{t[0].cast<std::optional<bool>>()}; }));
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

  bind_croston<Croston>(m, "Croston");
  bind_croston<CrostonSBA>(m, "CrostonSBA");
  bind_spec<TSB>(m, "TSB")
      .def(py::init([](double alpha_d, double alpha_p, std::optional<bool> integer,
                       std::int64_t censor_column) {
             TSB s{alpha_d, alpha_p, integer, censor_column};
             validate(s);
             return s;
           }),
           "alpha_d"_a, "alpha_p"_a, "integer"_a = py::none(), "censor_column"_a = -1)
      .def_readonly("alpha_d", &TSB::alpha_d)
      .def_readonly("alpha_p", &TSB::alpha_p)
      .def_readonly("integer", &TSB::integer)
      .def_readonly("censor_column", &TSB::censor_column)
      .def(py::pickle(
          [](const TSB& s) {
            return py::make_tuple(s.alpha_d, s.alpha_p, s.integer, s.censor_column);
          },
          [](const py::tuple& t) {
            TSB s{t[0].cast<double>(), t[1].cast<double>(), t[2].cast<std::optional<bool>>(),
                  t.size() > 3 ? t[3].cast<std::int64_t>() : std::int64_t{-1}};
            validate(s);
            return s;
          }));
  bind_aggregation<ADIDA>(m, "ADIDA");
  bind_aggregation<IMAPA>(m, "IMAPA");

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

  bind_spec<Ensemble>(m, "Ensemble")
      .def(py::init([](std::vector<Model> models, const std::string& weighting,
                       std::vector<double> weights, std::int64_t n_windows, std::int64_t h) {
             return make_ensemble(std::move(models), parse_ensemble_weighting(weighting),
                                  std::move(weights), n_windows, h);
           }),
           "models"_a, "weighting"_a = "cv", "weights"_a = std::vector<double>{}, "n_windows"_a = 2,
           "h"_a = 14)
      .def_property_readonly("models", [](const Ensemble& s) { return ensemble_members(s); })
      .def_property_readonly("weighting", [](const Ensemble& s) { return to_string(s.weighting); })
      .def_readonly("weights", &Ensemble::weights)
      .def_readonly("n_windows", &Ensemble::n_windows)
      .def_readonly("h", &Ensemble::h)
      .def(py::pickle(
          [](const Ensemble& s) {
            return py::make_tuple(ensemble_members(s), to_string(s.weighting), s.weights,
                                  s.n_windows, s.h);
          },
          [](const py::tuple& t) {
            return make_ensemble(t[0].cast<std::vector<Model>>(),
                                 parse_ensemble_weighting(t[1].cast<std::string>()),
                                 t[2].cast<std::vector<double>>(), t[3].cast<std::int64_t>(),
                                 t[4].cast<std::int64_t>());
          }));

  bind_spec<Conformal>(m, "Conformal")
      .def(py::init([](const Model& model, std::int64_t n_windows, std::int64_t h,
                       std::int64_t step_size, const std::string& method, bool refit) {
             return make_conformal(model, n_windows, h, step_size, parse_conformal_method(method),
                                   refit);
           }),
           "model"_a, "n_windows"_a = 20, "h"_a = 14, "step_size"_a = 1, "method"_a = "signed",
           "refit"_a = true)
      .def_property_readonly("model", [](const Conformal& s) { return conformal_model(s); })
      .def_readonly("n_windows", &Conformal::n_windows)
      .def_readonly("h", &Conformal::h)
      .def_readonly("step_size", &Conformal::step_size)
      .def_property_readonly("method", [](const Conformal& s) { return to_string(s.method); })
      .def_readonly("refit", &Conformal::refit)
      .def(py::pickle(
          [](const Conformal& s) {
            return py::make_tuple(conformal_model(s), s.n_windows, s.h, s.step_size,
                                  to_string(s.method), s.refit);
          },
          [](const py::tuple& t) {
            return make_conformal(t[0].cast<Model>(), t[1].cast<std::int64_t>(),
                                  t[2].cast<std::int64_t>(), t[3].cast<std::int64_t>(),
                                  parse_conformal_method(t[4].cast<std::string>()),
                                  t.size() > 5 ? t[5].cast<bool>() : true);
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

  bind_spec<ARIMA>(m, "ARIMA")
      .def(py::init([](std::array<std::int64_t, 3> order, std::array<std::int64_t, 3> seasonal,
                       std::int64_t season_length, bool include_mean, bool include_drift,
                       const std::string& method) {
             ARIMA s{{order[0], order[1], order[2]},
                     {seasonal[0], seasonal[1], seasonal[2]},
                     season_length,
                     include_mean,
                     include_drift,
                     parse_arima_method(method)};
             validate(s);
             return s;
           }),
           "order"_a, "seasonal_order"_a, "season_length"_a = 1, "include_mean"_a = true,
           "include_drift"_a = false, "method"_a = "CSS-ML")
      .def_property_readonly(
          "order", [](const ARIMA& s) { return py::make_tuple(s.order.p, s.order.d, s.order.q); })
      .def_property_readonly("seasonal_order",
                             [](const ARIMA& s) {
                               return py::make_tuple(s.seasonal_order.p, s.seasonal_order.d,
                                                     s.seasonal_order.q);
                             })
      .def_readonly("season_length", &ARIMA::season_length)
      .def_readonly("include_mean", &ARIMA::include_mean)
      .def_readonly("include_drift", &ARIMA::include_drift)
      .def_property_readonly("method", [](const ARIMA& s) { return to_string(s.method); })
      .def(py::pickle(
          [](const ARIMA& s) {
            return py::make_tuple(s.order.p, s.order.d, s.order.q, s.seasonal_order.p,
                                  s.seasonal_order.d, s.seasonal_order.q, s.season_length,
                                  s.include_mean, s.include_drift, to_string(s.method));
          },
          [](const py::tuple& t) {
            ARIMA s{
                {t[0].cast<std::int64_t>(), t[1].cast<std::int64_t>(), t[2].cast<std::int64_t>()},
                {t[3].cast<std::int64_t>(), t[4].cast<std::int64_t>(), t[5].cast<std::int64_t>()},
                t[6].cast<std::int64_t>(),
                t[7].cast<bool>(),
                t[8].cast<bool>(),
                parse_arima_method(t[9].cast<std::string>())};
            validate(s);
            return s;
          }));
  bind_spec<AutoARIMA>(m, "AutoARIMA")
      .def(py::init([](std::int64_t season_length, std::optional<std::int64_t> d,
                       std::optional<std::int64_t> D, std::int64_t max_p, std::int64_t max_q,
                       std::int64_t max_P, std::int64_t max_Q, std::int64_t max_order,
                       std::int64_t max_d, std::int64_t max_D, std::int64_t start_p,
                       std::int64_t start_q, std::int64_t start_P, std::int64_t start_Q,
                       bool stationary, bool seasonal, const std::string& ic, bool stepwise,
                       std::int64_t nmodels, std::optional<bool> approximation,
                       const std::string& seasonal_test, bool allow_drift, bool allow_mean) {
             AutoARIMA s;
             s.season_length = season_length;
             s.d = d;
             s.D = D;
             s.max_p = max_p;
             s.max_q = max_q;
             s.max_P = max_P;
             s.max_Q = max_Q;
             s.max_order = max_order;
             s.max_d = max_d;
             s.max_D = max_D;
             s.start_p = start_p;
             s.start_q = start_q;
             s.start_P = start_P;
             s.start_Q = start_Q;
             s.stationary = stationary;
             s.seasonal = seasonal;
             s.ic = parse_information_criterion(ic);
             s.stepwise = stepwise;
             s.nmodels = nmodels;
             s.approximation = approximation;
             s.seasonal_test = seasonal_test;
             s.allow_drift = allow_drift;
             s.allow_mean = allow_mean;
             validate(s);
             return s;
           }),
           "season_length"_a = 1, "d"_a = py::none(), "D"_a = py::none(), "max_p"_a = 5,
           "max_q"_a = 5, "max_P"_a = 2, "max_Q"_a = 2, "max_order"_a = 5, "max_d"_a = 2,
           "max_D"_a = 1, "start_p"_a = 2, "start_q"_a = 2, "start_P"_a = 1, "start_Q"_a = 1,
           "stationary"_a = false, "seasonal"_a = true, "ic"_a = "aicc", "stepwise"_a = true,
           "nmodels"_a = 94, "approximation"_a = py::none(), "seasonal_test"_a = "seas",
           "allow_drift"_a = true, "allow_mean"_a = true)
      .def_readonly("season_length", &AutoARIMA::season_length)
      .def_readonly("stepwise", &AutoARIMA::stepwise)
      .def_property_readonly("ic", [](const AutoARIMA& s) { return to_string(s.ic); })
      .def("_state",
           [](const AutoARIMA& s) {
             return py::make_tuple(s.season_length, s.d, s.D, s.max_p, s.max_q, s.max_P, s.max_Q,
                                   s.max_order, s.max_d, s.max_D, s.start_p, s.start_q, s.start_P,
                                   s.start_Q, s.stationary, s.seasonal, to_string(s.ic), s.stepwise,
                                   s.nmodels, s.approximation, s.seasonal_test, s.allow_drift,
                                   s.allow_mean);
           })
      .def(py::pickle(
          [](const AutoARIMA& s) {
            return py::make_tuple(s.season_length, s.d, s.D, s.max_p, s.max_q, s.max_P, s.max_Q,
                                  s.max_order, s.max_d, s.max_D, s.start_p, s.start_q, s.start_P,
                                  s.start_Q, s.stationary, s.seasonal, to_string(s.ic), s.stepwise,
                                  s.nmodels, s.approximation, s.seasonal_test, s.allow_drift,
                                  s.allow_mean);
          },
          [](const py::tuple& t) {
            AutoARIMA s;
            s.season_length = t[0].cast<std::int64_t>();
            s.d = t[1].cast<std::optional<std::int64_t>>();
            s.D = t[2].cast<std::optional<std::int64_t>>();
            s.max_p = t[3].cast<std::int64_t>();
            s.max_q = t[4].cast<std::int64_t>();
            s.max_P = t[5].cast<std::int64_t>();
            s.max_Q = t[6].cast<std::int64_t>();
            s.max_order = t[7].cast<std::int64_t>();
            s.max_d = t[8].cast<std::int64_t>();
            s.max_D = t[9].cast<std::int64_t>();
            s.start_p = t[10].cast<std::int64_t>();
            s.start_q = t[11].cast<std::int64_t>();
            s.start_P = t[12].cast<std::int64_t>();
            s.start_Q = t[13].cast<std::int64_t>();
            s.stationary = t[14].cast<bool>();
            s.seasonal = t[15].cast<bool>();
            s.ic = parse_information_criterion(t[16].cast<std::string>());
            s.stepwise = t[17].cast<bool>();
            s.nmodels = t[18].cast<std::int64_t>();
            s.approximation = t[19].cast<std::optional<bool>>();
            s.seasonal_test = t[20].cast<std::string>();
            s.allow_drift = t[21].cast<bool>();
            s.allow_mean = t[22].cast<bool>();
            validate(s);
            return s;
          }));
  // One series, explicit regressors: the fitted model's statistics and its forecast (tests,
  // R parity, embedding).
  m.def(
      "fit_arima_series",
      [](const py::object& spec, const Eigen::VectorXd& y, const RowMatrixXd& xreg, std::int64_t h,
         std::vector<double> quantiles, const RowMatrixXd& x_future, bool nonnegative) {
        ARIMAFitted f;
        {
          if (py::isinstance<ARIMA>(spec)) {
            const ARIMA s = spec.cast<ARIMA>();
            py::gil_scoped_release release;
            f = fit_arima(y, xreg, s);
          } else {
            const AutoARIMA s = spec.cast<AutoARIMA>();
            py::gil_scoped_release release;
            f = fit_auto_arima(y, xreg, s);
          }
        }
        const ForecastOptions opts{h, std::move(quantiles), nonnegative};
        validate(opts);
        const SeriesForecast fc = f.forecast(opts, x_future);
        py::dict out;
        out["order"] = py::make_tuple(f.order.p, f.order.d, f.order.q);
        out["seasonal_order"] =
            py::make_tuple(f.seasonal_order.p, f.seasonal_order.d, f.seasonal_order.q);
        out["season_length"] = f.season_length;
        out["name"] = f.method();
        out["coef"] = f.coef;
        out["sigma2"] = f.sigma2;
        out["loglik"] = f.loglik;
        out["aic"] = f.aic;
        out["aicc"] = f.aicc;
        out["bic"] = f.bic;
        out["intercept"] = f.intercept;
        out["drift"] = f.drift;
        out["fallback"] = f.fallback;
        out["mean"] = fc.mean;
        out["quantiles"] = fc.quantiles;
        return out;
      },
      "spec"_a, "y"_a, "xreg"_a, "h"_a, "quantiles"_a, "x_future"_a, "nonnegative"_a = false);
  m.def("kpss_statistic", &kpss_statistic, "x"_a, "lags"_a);
  m.def("ocsb_statistic", &ocsb_statistic, "x"_a, "m"_a);
  m.def("ndiffs", &ndiffs, "x"_a, "max_d"_a = 2);
  m.def("seasonal_strength", &seasonal_strength, "x"_a, "m"_a);
  m.def("nsdiffs", &nsdiffs, "x"_a, "m"_a, "max_D"_a = 1, "test"_a = "seas");

  bind_spec<CountRegression>(m, "CountRegression")
      .def(py::init([](const std::string& family, bool zero_inflated, std::int64_t season_length,
                       bool trend, bool pooled, std::int64_t window, double ridge,
                       std::int64_t censor_column, std::vector<std::int64_t> pool_groups) {
             CountRegression s{parse_count_family(family),
                               zero_inflated,
                               season_length,
                               trend,
                               pooled,
                               window,
                               ridge,
                               censor_column,
                               std::move(pool_groups)};
             validate(s);
             return s;
           }),
           "family"_a = "negbin", "zero_inflated"_a = false, "season_length"_a = 7,
           "trend"_a = false, "pooled"_a = false, "window"_a = 0, "ridge"_a = 1.0,
           "censor_column"_a = -1, "pool_groups"_a = std::vector<std::int64_t>{})
      .def_property_readonly("family", [](const CountRegression& s) { return to_string(s.family); })
      .def_readonly("zero_inflated", &CountRegression::zero_inflated)
      .def_readonly("season_length", &CountRegression::season_length)
      .def_readonly("trend", &CountRegression::trend)
      .def_readonly("pooled", &CountRegression::pooled)
      .def_readonly("window", &CountRegression::window)
      .def_readonly("ridge", &CountRegression::ridge)
      .def_readonly("censor_column", &CountRegression::censor_column)
      .def_readonly("pool_groups", &CountRegression::pool_groups)
      .def(py::pickle(
          [](const CountRegression& s) {
            return py::make_tuple(to_string(s.family), s.zero_inflated, s.season_length, s.trend,
                                  s.pooled, s.window, s.ridge, s.censor_column, s.pool_groups);
          },
          [](const py::tuple& t) {
            CountRegression s{parse_count_family(t[0].cast<std::string>()),
                              t[1].cast<bool>(),
                              t[2].cast<std::int64_t>(),
                              t[3].cast<bool>(),
                              t[4].cast<bool>(),
                              t[5].cast<std::int64_t>(),
                              t[6].cast<double>(),
                              t[7].cast<std::int64_t>(),
                              t.size() > 8 ? t[8].cast<std::vector<std::int64_t>>()
                                           : std::vector<std::int64_t>{}};
            validate(s);
            return s;
          }));
  // One series with explicit covariates: the fitted count regression's statistics, forecast
  // and Shapley contributions (tests, R parity, embedding).
  m.def(
      "fit_count_regression_series",
      [](const CountRegression& spec, const Eigen::VectorXd& y, const RowMatrixXd& x,
         std::int64_t start, std::int64_t h, std::vector<double> quantiles,
         const RowMatrixXd& x_future) {
        const std::string id = "series";
        CountRegressionFitted f;
        {
          py::gil_scoped_release release;
          const SeriesView view{Eigen::Map<const Eigen::VectorXd>(y.data(), y.size()),
                                Eigen::Map<const RowMatrixXd>(x.data(), x.rows(), x.cols()), start,
                                id};
          validate(spec);
          f = spec.fit(view);
        }
        const ForecastOptions opts{h, std::move(quantiles), true};
        validate(opts);
        const SeriesForecast fc = f.forecast(opts, x_future);
        const Contributions con = f.contributions(opts, x_future);
        py::dict out;
        out["intercept"] = f.intercept;
        out["beta"] = f.beta;
        out["columns"] = f.columns;
        out["center"] = f.center;
        out["scale"] = f.scale;
        out["theta"] = f.theta;
        out["pi"] = f.pi;
        out["loglik"] = f.loglik;
        out["n_obs"] = f.n_obs;
        out["n_censored"] = f.n_censored;
        out["iterations"] = f.iterations;
        out["fallback"] = f.fallback;
        out["mean"] = fc.mean;
        out["quantiles"] = fc.quantiles;
        out["components"] = con.components;
        out["contributions"] = con.values;
        return out;
      },
      "spec"_a, "y"_a, "x"_a, "start"_a, "h"_a, "quantiles"_a, "x_future"_a);

  m.def("model_name", &model_name, "spec"_a);

  py::class_<FittedModel>(m, "FittedModel")
      .def(py::init([](const Model& spec, const Panel& panel, int n_threads,
                       const py::object& progress) {
             return run_with_progress(progress,
                                      [&] { return FittedModel(spec, panel, n_threads); });
           }),
           "spec"_a, "panel"_a, "n_threads"_a = 1, "progress"_a = py::none(),
           "Fits `spec` to every series. progress: None, or a callable(done, total) called "
           "about every 100 ms with the series fitted so far (Ctrl-C cancels the fit).")
      .def(
          "forward",
          [](const FittedModel& f, const Panel& panel, int n_threads, const py::object& progress) {
            return run_with_progress(progress, [&] { return f.forward(panel, n_threads); });
          },
          "panel"_a, "n_threads"_a = 1, "progress"_a = py::none(),
          "These fits carried to `panel` (the same series, e.g. with more observations) without "
          "estimating again: estimates kept, filters run over the new data; models without "
          "`forward` are refitted (docs/cross-validation.md). progress as for the constructor.")
      .def(
          "forecast",
          [](const FittedModel& f, std::int64_t h, std::vector<double> quantiles, bool nonnegative,
             int n_threads, const FutureArray& x_future) {
            const ForecastOptions opts{h, std::move(quantiles), nonnegative};
            PanelForecast out = with_future(x_future, [&](const FutureMatrix* x) {
              return x ? f.forecast(opts, *x, n_threads) : f.forecast(opts, n_threads);
            });
            return py::make_tuple(to_numpy_i64(out.first), to_numpy(std::move(out.mean)),
                                  to_numpy(std::move(out.quantiles)));
          },
          "h"_a, "quantiles"_a, "nonnegative"_a = true, "n_threads"_a = 1,
          "x_future"_a = py::none(),
          "Returns (first ordinal per series, mean [series × h], quantiles [series × h × q]). "
          "x_future: (series·h) × covariates, row i·h + j = step j of series i.")
      .def(
          "contributions",
          [](const FittedModel& f, std::int64_t h, bool nonnegative, int n_threads,
             const FutureArray& x_future) {
            const ForecastOptions opts{h, {}, nonnegative};
            PanelContributions out = with_future(x_future, [&](const FutureMatrix* x) {
              return x ? f.contributions(opts, *x, n_threads) : f.contributions(opts, n_threads);
            });
            py::list series;
            for (auto& c : out.series) {
              series.append(py::make_tuple(c.components, std::move(c.values)));
            }
            return py::make_tuple(to_numpy_i64(out.first), series);
          },
          "h"_a, "nonnegative"_a = true, "n_threads"_a = 1, "x_future"_a = py::none(),
          "Returns (first ordinal per series, [(component names, values h × k)] per series): "
          "the forecast mean split into additive components (rows sum to the mean).")
      .def(
          "sample_paths",
          [](const FittedModel& f, std::int64_t h, std::int64_t n_paths, std::uint64_t seed,
             bool nonnegative, double correlation, int n_threads, const FutureArray& x_future) {
            PathRequest req;
            req.h = h;
            req.n_paths = n_paths;
            req.seed = seed;
            req.nonnegative = nonnegative;
            req.correlation = correlation;
            PanelPaths out = with_future(x_future, [&](const FutureMatrix* x) {
              return x ? f.sample_paths(req, *x, n_threads) : f.sample_paths(req, n_threads);
            });
            const auto n = static_cast<py::ssize_t>(out.paths.size());
            py::array_t<double> arr(
                {n, static_cast<py::ssize_t>(n_paths), static_cast<py::ssize_t>(h)});
            double* dst = arr.mutable_data();
            {
              py::gil_scoped_release release;
              for (std::size_t i = 0; i < out.paths.size(); ++i) {
                const Eigen::MatrixXd& p = out.paths[i];
                Eigen::Map<RowMatrixXd>(dst + static_cast<std::ptrdiff_t>(i) * p.size(), p.rows(),
                                        p.cols()) = p;
              }
            }
            return py::make_tuple(to_numpy_i64(out.first), arr, out.simulation);
          },
          "h"_a, "n_paths"_a, "seed"_a = 0, "nonnegative"_a = true, "correlation"_a = 0.0,
          "n_threads"_a = 1, "x_future"_a = py::none(),
          "Returns (first ordinal per series, paths [series × n_paths × h], simulation): joint "
          "sample paths, 'native' or 'quantile_copula' (docs/sample-paths.md).")
      .def_property_readonly("spec", &FittedModel::spec)
      .def_property_readonly("uses_covariates", &FittedModel::uses_covariates)
      .def("fallbacks", &FittedModel::fallbacks)
      .def(
          "coefficients",
          [](const FittedModel& f) {
            py::list out;
            for (const auto& c : f.coefficients()) {
              out.append(py::make_tuple(Eigen::VectorXd(c.coef), Eigen::VectorXd(c.std_error)));
            }
            return out;
          },
          "Per series, (coefficients, standard errors) of the covariate columns; an empty list "
          "when the model has no covariate coefficients.");
}

}  // namespace quickstock::bindings
