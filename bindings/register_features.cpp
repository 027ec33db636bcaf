#include "common.hpp"

namespace quickstock::bindings {

namespace {

using f64_in = py::array_t<double, py::array::c_style | py::array::forcecast>;
using i64_in = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

/// Checks the CSR arrays with the GIL held and views them.
RaggedColumn column(const f64_in& values, const i64_in& offsets) {
  if (values.ndim() != 1) detail::raise_argument("values", "values must be 1-dimensional");
  if (offsets.ndim() != 1 || offsets.size() < 1) {
    detail::raise_argument("offsets", "offsets must be a 1-dimensional array of n_series + 1");
  }
  const std::int64_t* off = offsets.data();
  const auto n_series = static_cast<std::size_t>(offsets.size() - 1);
  if (off[n_series] != static_cast<std::int64_t>(values.size())) {
    detail::raise_argument(
        "offsets", "offsets must end at len(values) = " + std::to_string(values.size()) + " (got " +
                       std::to_string(off[n_series]) + ")");
  }
  return RaggedColumn{values.data(), off, n_series};
}

/// Runs `fn(column, out)` without the GIL into a fresh array.
template <class Fn>
py::array_t<double> run(const f64_in& values, const i64_in& offsets, Fn&& fn) {
  const RaggedColumn col = column(values, offsets);
  py::array_t<double> out(values.size());
  double* o = out.mutable_data();
  {
    py::gil_scoped_release release;
    fn(col, o);
  }
  return out;
}

WindowOptions options(const std::string& stat,
                      std::int64_t min_periods,
                      std::int64_t lag,
                      double q) {
  WindowOptions o;
  o.stat = parse_window_stat(stat, "stat");
  o.min_periods = min_periods;
  o.lag = lag;
  o.q = q;
  return o;
}

}  // namespace

void register_features(py::module_& m) {
  m.def(
      "window_lag",
      [](const f64_in& values, const i64_in& offsets, std::int64_t k, int n_threads) {
        return run(values, offsets,
                   [&](const RaggedColumn& c, double* o) { lag_into(c, k, o, n_threads); });
      },
      "values"_a.noconvert(), "offsets"_a.noconvert(), "k"_a, "n_threads"_a = 1,
      "Each series shifted by k (pandas shift), CSR values + offsets.");
  m.def(
      "window_rolling",
      [](const f64_in& values, const i64_in& offsets, const std::string& stat, std::int64_t window,
         std::int64_t min_periods, std::int64_t lag, double q, int n_threads) {
        const WindowOptions o = options(stat, min_periods, lag, q);
        return run(values, offsets, [&](const RaggedColumn& c, double* out) {
          rolling_into(c, window, o, out, n_threads);
        });
      },
      "values"_a.noconvert(), "offsets"_a.noconvert(), "stat"_a, "window"_a, "min_periods"_a,
      "lag"_a = 0, "q"_a = 0.5, "n_threads"_a = 1,
      "Rolling statistic of each series (NaNs skipped), shifted by lag.");
  m.def(
      "window_seasonal_rolling",
      [](const f64_in& values, const i64_in& offsets, const std::string& stat,
         std::int64_t season_length, std::int64_t window, std::int64_t min_periods,
         std::int64_t lag, double q, int n_threads) {
        const WindowOptions o = options(stat, min_periods, lag, q);
        return run(values, offsets, [&](const RaggedColumn& c, double* out) {
          seasonal_rolling_into(c, season_length, window, o, out, n_threads);
        });
      },
      "values"_a.noconvert(), "offsets"_a.noconvert(), "stat"_a, "season_length"_a, "window"_a,
      "min_periods"_a, "lag"_a = 0, "q"_a = 0.5, "n_threads"_a = 1,
      "Rolling statistic of y[t], y[t-m], ... of each series, shifted by lag.");
  m.def(
      "window_expanding",
      [](const f64_in& values, const i64_in& offsets, const std::string& stat,
         std::int64_t min_periods, std::int64_t lag, double q, int n_threads) {
        const WindowOptions o = options(stat, min_periods, lag, q);
        return run(values, offsets, [&](const RaggedColumn& c, double* out) {
          expanding_into(c, o, out, n_threads);
        });
      },
      "values"_a.noconvert(), "offsets"_a.noconvert(), "stat"_a, "min_periods"_a, "lag"_a = 0,
      "q"_a = 0.5, "n_threads"_a = 1, "Expanding statistic of each series, shifted by lag.");
  m.def(
      "window_ewm_mean",
      [](const f64_in& values, const i64_in& offsets, double alpha, std::int64_t min_periods,
         std::int64_t lag, int n_threads) {
        return run(values, offsets, [&](const RaggedColumn& c, double* out) {
          ewm_mean_into(c, alpha, min_periods, lag, out, n_threads);
        });
      },
      "values"_a.noconvert(), "offsets"_a.noconvert(), "alpha"_a, "min_periods"_a = 1, "lag"_a = 0,
      "n_threads"_a = 1,
      "Exponentially weighted mean (adjust=False) of each series, shifted by lag.");
}

}  // namespace quickstock::bindings
