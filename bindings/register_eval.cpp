#include "common.hpp"

namespace quickstock::bindings {

namespace {

using f64_array = py::array_t<double, py::array::c_style | py::array::forcecast>;
using i64_array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

/// Python's `_core.RaggedSeries`: owns (references) the numpy arrays behind a `RaggedSeries`
/// view, so the view stays valid while the GIL is released.
struct RaggedArrays {
  f64_array values;
  i64_array offsets;
  std::vector<std::string> ids;
  std::optional<i64_array> rows;
  std::string field;

  [[nodiscard]] std::size_t n_series() const {
    return static_cast<std::size_t>(offsets.size()) - 1;
  }
  [[nodiscard]] RaggedSeries view() const {
    return RaggedSeries{values.data(),
                        offsets.data(),
                        n_series(),
                        ids.empty() ? nullptr : ids.data(),
                        rows ? rows->data() : nullptr,
                        field};
  }
};

RaggedArrays make_ragged(f64_array values,
                         i64_array offsets,
                         std::vector<std::string> ids,
                         std::optional<i64_array> rows,
                         std::string field) {
  if (values.ndim() != 1 || offsets.ndim() != 1) {
    detail::raise_argument(field, "values and offsets must be 1-D arrays");
  }
  if (offsets.size() < 1) detail::raise_argument(field, "offsets need n_series + 1 entries");
  const std::int64_t* off = offsets.data();
  const auto n = static_cast<std::size_t>(offsets.size()) - 1;
  if (off[0] != 0 || off[n] != static_cast<std::int64_t>(values.size())) {
    detail::raise_argument(field, "offsets must start at 0 and end at the number of values");
  }
  if (!ids.empty() && ids.size() != n) {
    detail::raise_argument(field, "expected one id per series");
  }
  if (rows && (rows->ndim() != 1 || rows->size() != values.size())) {
    detail::raise_argument(field, "expected one row number per value");
  }
  // Monotone offsets and finite values are checked by the kernels.
  return RaggedArrays{std::move(values), std::move(offsets), std::move(ids), std::move(rows),
                      std::move(field)};
}

/// A forecast column aligned with `actual`'s values.
ForecastColumn column(const RaggedArrays& actual, const f64_array& values, std::string field) {
  if (values.ndim() != 1 || values.size() != actual.values.size()) {
    detail::raise_argument(field, "expected one forecast per actual value (" +
                                      std::to_string(actual.values.size()) + "), got " +
                                      std::to_string(values.size()));
  }
  return ForecastColumn{values.data(), std::move(field)};
}

/// Quantile forecasts as an `n_values × n_levels` matrix aligned with `actual`'s values.
QuantileForecast quantiles(const RaggedArrays& actual,
                           const f64_array& values,
                           std::vector<double> levels,
                           std::vector<std::string> fields) {
  if (values.ndim() != 2 || values.shape(0) != actual.values.size() ||
      static_cast<std::size_t>(values.shape(1)) != levels.size()) {
    detail::raise_argument("quantiles", "expected an n_values × n_levels matrix of quantiles");
  }
  return QuantileForecast{values.data(), std::move(levels), std::move(fields)};
}

py::array_t<double> to_array(const std::vector<double>& v) {
  py::array_t<double> out(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

/// Binds `name(actual, forecast, forecast_field, n_threads)` for an unscaled point metric.
template <class Fn>
void bind_point(py::module_& m, const char* name, Fn fn, const char* doc) {
  m.def(
      name,
      [fn](const RaggedArrays& actual, const f64_array& forecast, std::string forecast_field,
           int n_threads) {
        const ForecastColumn f = column(actual, forecast, std::move(forecast_field));
        const RaggedSeries a = actual.view();
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = fn(a, f, n_threads);
        }
        return to_array(out);
      },
      "actual"_a, "forecast"_a, "forecast_field"_a = "forecast", "n_threads"_a = 1, doc);
}

/// Binds `name(actual, forecast, scale, forecast_field, n_threads)` for a scaled point metric.
template <class Fn>
void bind_scaled(py::module_& m, const char* name, Fn fn, const char* doc) {
  m.def(
      name,
      [fn](const RaggedArrays& actual, const f64_array& forecast, std::vector<double> scale,
           std::string forecast_field, int n_threads) {
        const ForecastColumn f = column(actual, forecast, std::move(forecast_field));
        const RaggedSeries a = actual.view();
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = fn(a, f, scale, n_threads);
        }
        return to_array(out);
      },
      "actual"_a, "forecast"_a, "scale"_a, "forecast_field"_a = "forecast", "n_threads"_a = 1, doc);
}

/// Binds a scale function `name(train, seasonality, skip_leading_zeros, n_threads)`.
template <class Fn>
void bind_scale(py::module_& m, const char* name, Fn fn, const char* doc) {
  m.def(
      name,
      [fn](const RaggedArrays& train, std::int64_t seasonality, bool skip_leading_zeros,
           int n_threads) {
        const RaggedSeries t = train.view();
        const ScaleOptions options{seasonality, skip_leading_zeros};
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = fn(t, options, n_threads);
        }
        return to_array(out);
      },
      "train"_a, "seasonality"_a = 1, "skip_leading_zeros"_a = false, "n_threads"_a = 1, doc);
}

}  // namespace

void register_eval(py::module_& m) {
  py::class_<RaggedArrays>(m, "RaggedSeries")
      .def(py::init(&make_ragged), "values"_a, "offsets"_a, "ids"_a = std::vector<std::string>{},
           "rows"_a = py::none(), "field"_a = "y",
           "Series i holds values[offsets[i]:offsets[i+1]]; ids and rows name faults in errors.")
      .def_property_readonly("n_series", &RaggedArrays::n_series)
      .def_property_readonly("field", [](const RaggedArrays& r) { return r.field; });

  bind_scale(
      m, "mean_absolute_scale",
      [](const RaggedSeries& t, const ScaleOptions& o, int n) {
        return mean_absolute_scale(t, o, n);
      },
      "Mean |y[t] - y[t-m]| of each training series (MASE, MSIS, SPL scale).");
  bind_scale(
      m, "root_mean_squared_scale",
      [](const RaggedSeries& t, const ScaleOptions& o, int n) {
        return root_mean_squared_scale(t, o, n);
      },
      "sqrt(mean (y[t] - y[t-m])^2) of each training series (RMSSE scale).");

  using PointFn = std::vector<double> (*)(const RaggedSeries&, const ForecastColumn&, int);
  bind_point(m, "mae", static_cast<PointFn>(&mae), "Mean absolute error per series.");
  bind_point(m, "rmse", static_cast<PointFn>(&rmse), "Root mean squared error per series.");
  bind_point(m, "smape", static_cast<PointFn>(&smape), "sMAPE (percent, M4) per series.");
  bind_point(m, "wape", static_cast<PointFn>(&wape), "sum|y - f| / sum|y| per series.");

  using ScaledFn = std::vector<double> (*)(const RaggedSeries&, const ForecastColumn&,
                                           const std::vector<double>&, int);
  bind_scaled(m, "mase", static_cast<ScaledFn>(&mase), "MAE / scale per series.");
  bind_scaled(m, "rmsse", static_cast<ScaledFn>(&rmsse), "RMSE / scale per series.");

  m.def(
      "pinball",
      [](const RaggedArrays& actual, const f64_array& forecast, double level,
         std::string forecast_field, int n_threads) {
        const ForecastColumn f = column(actual, forecast, std::move(forecast_field));
        const RaggedSeries a = actual.view();
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = pinball(a, f, level, n_threads);
        }
        return to_array(out);
      },
      "actual"_a, "forecast"_a, "level"_a, "forecast_field"_a = "forecast", "n_threads"_a = 1,
      "Mean pinball loss at one quantile level per series.");
  m.def(
      "scaled_pinball",
      [](const RaggedArrays& actual, const f64_array& forecast, double level,
         std::vector<double> scale, std::string forecast_field, int n_threads) {
        const ForecastColumn f = column(actual, forecast, std::move(forecast_field));
        const RaggedSeries a = actual.view();
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = scaled_pinball(a, f, level, scale, n_threads);
        }
        return to_array(out);
      },
      "actual"_a, "forecast"_a, "level"_a, "scale"_a, "forecast_field"_a = "forecast",
      "n_threads"_a = 1, "Pinball loss / scale per series (M5 SPL).");
  m.def(
      "crps",
      [](const RaggedArrays& actual, const f64_array& values, std::vector<double> levels,
         std::vector<std::string> fields, int n_threads) {
        const QuantileForecast q = quantiles(actual, values, std::move(levels), std::move(fields));
        const RaggedSeries a = actual.view();
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = crps(a, q, n_threads);
        }
        return to_array(out);
      },
      "actual"_a, "quantiles"_a, "levels"_a, "fields"_a = std::vector<std::string>{},
      "n_threads"_a = 1, "CRPS per series: 2 x mean pinball loss over the levels.");
  m.def(
      "coverage",
      [](const RaggedArrays& actual, const f64_array& lower, const f64_array& upper,
         std::string lower_field, std::string upper_field, int n_threads) {
        const ForecastColumn l = column(actual, lower, std::move(lower_field));
        const ForecastColumn u = column(actual, upper, std::move(upper_field));
        const RaggedSeries a = actual.view();
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = coverage(a, l, u, n_threads);
        }
        return to_array(out);
      },
      "actual"_a, "lower"_a, "upper"_a, "lower_field"_a = "lower", "upper_field"_a = "upper",
      "n_threads"_a = 1, "Fraction of lower <= y <= upper per series.");
  m.def(
      "msis",
      [](const RaggedArrays& actual, const f64_array& lower, const f64_array& upper, double alpha,
         std::vector<double> scale, std::string lower_field, std::string upper_field,
         int n_threads) {
        const ForecastColumn l = column(actual, lower, std::move(lower_field));
        const ForecastColumn u = column(actual, upper, std::move(upper_field));
        const RaggedSeries a = actual.view();
        std::vector<double> out;
        {
          py::gil_scoped_release release;
          out = msis(a, l, u, alpha, scale, n_threads);
        }
        return to_array(out);
      },
      "actual"_a, "lower"_a, "upper"_a, "alpha"_a, "scale"_a, "lower_field"_a = "lower",
      "upper_field"_a = "upper", "n_threads"_a = 1, "Mean scaled interval score (M4) per series.");
  m.def(
      "wrmsse",
      [](const RaggedArrays& actual, const f64_array& forecast, std::vector<double> scale,
         std::vector<double> weights, std::string forecast_field, int n_threads) {
        const ForecastColumn f = column(actual, forecast, std::move(forecast_field));
        const RaggedSeries a = actual.view();
        py::gil_scoped_release release;
        return wrmsse(a, f, scale, weights, n_threads);
      },
      "actual"_a, "forecast"_a, "scale"_a, "weights"_a, "forecast_field"_a = "forecast",
      "n_threads"_a = 1, "sum of weight x RMSSE over series (M5).");
  m.def(
      "wspl",
      [](const RaggedArrays& actual, const f64_array& values, std::vector<double> levels,
         std::vector<double> scale, std::vector<double> weights, std::vector<std::string> fields,
         int n_threads) {
        const QuantileForecast q = quantiles(actual, values, std::move(levels), std::move(fields));
        const RaggedSeries a = actual.view();
        py::gil_scoped_release release;
        return wspl(a, q, scale, weights, n_threads);
      },
      "actual"_a, "quantiles"_a, "levels"_a, "scale"_a, "weights"_a,
      "fields"_a = std::vector<std::string>{}, "n_threads"_a = 1,
      "sum of weight x mean scaled pinball loss over levels (M5 WSPL).");
}

}  // namespace quickstock::bindings
