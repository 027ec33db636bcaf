#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include <quickstock/models/model.hpp>

#include "stl_kernel.hpp"

namespace quickstock {
namespace detail {

/// False for every type: a static_assert in the last `if constexpr` branch of a visitor.
template <class>
inline constexpr bool always_false = false;

/// An ARIMA order as Python prints the tuple: "(p, d, q)".
inline std::string order_text(const ARIMAOrder& o) {
  return "(" + std::to_string(o.p) + ", " + std::to_string(o.d) + ", " + std::to_string(o.q) + ")";
}

void check_future_covariates(const Eigen::Ref<const RowMatrixXd>& x_future,
                             std::size_t n_series,
                             std::int64_t h,
                             const std::vector<std::string>& names,
                             bool required,
                             const std::string& model) {
  const auto k = static_cast<Eigen::Index>(names.size());
  if (x_future.rows() == 0 && x_future.cols() == 0) {
    if (!required) return;
    std::string list;
    for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
    raise_argument("X_df", model + " uses the covariates " + list +
                               ": pass their future values (X_df) to forecast");
  }
  const auto rows = static_cast<Eigen::Index>(n_series) * static_cast<Eigen::Index>(h);
  if (x_future.rows() != rows || x_future.cols() != k) {
    raise_argument("X_df", "future covariates must be (series x h) = " + std::to_string(rows) +
                               " rows by " + std::to_string(k) + " columns (got " +
                               std::to_string(x_future.rows()) + " x " +
                               std::to_string(x_future.cols()) + ")");
  }
  if (!x_future.allFinite()) {
    for (Eigen::Index r = 0; r < rows; ++r) {
      for (Eigen::Index c = 0; c < k; ++c) {
        if (!std::isfinite(x_future(r, c))) {
          raise_invalid("future covariate must be finite (got " + std::to_string(x_future(r, c)) +
                            ") at forecast step " + std::to_string(r % h + 1),
                        {}, std::nullopt, names[static_cast<std::size_t>(c)]);
        }
      }
    }
  }
}

/// A number as Python prints it (shortest round-trip text, e.g. `0.1`).
std::string number_text(double v) {
  char buf[32];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

/// `None`, `True` or `False`.
std::string optional_bool_text(const std::optional<bool>& b) {
  return b.has_value() ? (*b ? "True" : "False") : "None";
}

}  // namespace detail

void validate(const ForecastOptions& options) {
  if (options.h < 1) {
    detail::raise_argument("h",
                           "the horizon h must be >= 1 (got " + std::to_string(options.h) + ")");
  }
  std::set<double> seen;
  for (const double q : options.quantiles) {
    if (!std::isfinite(q) || q <= 0.0 || q >= 1.0) {
      detail::raise_argument(
          "quantiles",
          "every quantile level must be strictly between 0 and 1 (got " + std::to_string(q) + ")");
    }
    if (!seen.insert(q).second) {
      detail::raise_argument("quantiles", "quantile level " + std::to_string(q) + " is repeated");
    }
  }
}

std::string model_name(const Model& spec) {
  return std::visit(
      [](const auto& s) -> std::string {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, Naive>)
          return "Naive";
        else if constexpr (std::is_same_v<T, SeasonalNaive>)
          return "SeasonalNaive";
        else if constexpr (std::is_same_v<T, HistoricAverage>)
          return "HistoricAverage";
        else if constexpr (std::is_same_v<T, WindowAverage>)
          return "WindowAverage";
        else if constexpr (std::is_same_v<T, SeasonalWindowAverage>)
          return "SeasonalWindowAverage";
        else if constexpr (std::is_same_v<T, RandomWalkWithDrift>)
          return "RandomWalkWithDrift";
        else if constexpr (std::is_same_v<T, ETS>)
          return "ETS";
        else if constexpr (std::is_same_v<T, AutoETS>)
          return "AutoETS";
        else if constexpr (std::is_same_v<T, Croston>)
          return "Croston";
        else if constexpr (std::is_same_v<T, CrostonSBA>)
          return "CrostonSBA";
        else if constexpr (std::is_same_v<T, TSB>)
          return "TSB";
        else if constexpr (std::is_same_v<T, ADIDA>)
          return "ADIDA";
        else if constexpr (std::is_same_v<T, IMAPA>)
          return "IMAPA";
        else if constexpr (std::is_same_v<T, Theta>)
          return "Theta";
        else if constexpr (std::is_same_v<T, OptimizedTheta>)
          return "OptimizedTheta";
        else if constexpr (std::is_same_v<T, DynamicTheta>)
          return "DynamicTheta";
        else if constexpr (std::is_same_v<T, DynamicOptimizedTheta>)
          return "DynamicOptimizedTheta";
        else if constexpr (std::is_same_v<T, AutoTheta>)
          return "AutoTheta";
        else if constexpr (std::is_same_v<T, MSTL>)
          return "MSTL";
        else if constexpr (std::is_same_v<T, ETSX>)
          return "ETSX";
        else if constexpr (std::is_same_v<T, ARIMA>)
          return "ARIMA";
        else if constexpr (std::is_same_v<T, AutoARIMA>)
          return "AutoARIMA";
        else if constexpr (std::is_same_v<T, Ensemble>)
          return "Ensemble";
        else if constexpr (std::is_same_v<T, Conformal>)
          return "Conformal";
        else if constexpr (std::is_same_v<T, CountRegression>)
          return "CountRegression";
        else
          static_assert(detail::always_false<T>, "model_name: unhandled model");
      },
      spec);
}

std::string to_string(const Model& spec) {
  const std::string name = model_name(spec);
  return std::visit(
      [&](const auto& s) -> std::string {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, SeasonalNaive>) {
          return name + "(season_length=" + std::to_string(s.season_length) + ")";
        } else if constexpr (std::is_same_v<T, WindowAverage>) {
          return name + "(window_size=" + std::to_string(s.window_size) + ")";
        } else if constexpr (std::is_same_v<T, SeasonalWindowAverage>) {
          return name + "(season_length=" + std::to_string(s.season_length) +
                 ", window_size=" + std::to_string(s.window_size) + ")";
        } else if constexpr (std::is_same_v<T, ETS>) {
          std::string code = model_code(s);
          if (s.damped) code.erase(2, 1);  // "AAdN" -> "AAN"; damping is its own argument
          return name + "(model='" + code + "', season_length=" + std::to_string(s.season_length) +
                 ", damped=" + (s.damped ? "True" : "False") + ")";
        } else if constexpr (std::is_same_v<T, AutoETS>) {
          return name + "(season_length=" + std::to_string(s.season_length) + ", model='" +
                 s.model +
                 "', damped=" + (s.damped.has_value() ? (*s.damped ? "True" : "False") : "None") +
                 ")";
        } else if constexpr (std::is_same_v<T, Croston> || std::is_same_v<T, CrostonSBA>) {
          return name + "(alpha=" + detail::number_text(s.alpha) +
                 ", integer=" + detail::optional_bool_text(s.integer) +
                 (s.censor_column >= 0 ? ", censor_column=" + std::to_string(s.censor_column)
                                       : std::string()) +
                 ")";
        } else if constexpr (std::is_same_v<T, TSB>) {
          return name + "(alpha_d=" + detail::number_text(s.alpha_d) +
                 ", alpha_p=" + detail::number_text(s.alpha_p) +
                 ", integer=" + detail::optional_bool_text(s.integer) +
                 (s.censor_column >= 0 ? ", censor_column=" + std::to_string(s.censor_column)
                                       : std::string()) +
                 ")";
        } else if constexpr (std::is_same_v<T, ADIDA> || std::is_same_v<T, IMAPA>) {
          return name + "(integer=" + detail::optional_bool_text(s.integer) + ")";
        } else if constexpr (std::is_same_v<T, AutoTheta>) {
          return name + "(season_length=" + std::to_string(s.season_length) +
                 ", decomposition_type='" + to_string(s.decomposition_type) + "', selection='" +
                 to_string(s.selection) + "')";
        } else if constexpr (std::is_same_v<T, Theta> || std::is_same_v<T, OptimizedTheta> ||
                             std::is_same_v<T, DynamicTheta> ||
                             std::is_same_v<T, DynamicOptimizedTheta>) {
          return name + "(season_length=" + std::to_string(s.season_length) +
                 ", decomposition_type='" + to_string(s.decomposition_type) + "')";
        } else if constexpr (std::is_same_v<T, MSTL>) {
          return name + "(season_length=" + detail::format_periods(s.season_length) +
                 ", trend_forecaster=" + to_string(trend_forecaster(s)) + ")";
        } else if constexpr (std::is_same_v<T, ETSX>) {
          return name + "(season_length=" + std::to_string(s.season_length) + ", model='" +
                 s.model +
                 "', damped=" + (s.damped.has_value() ? (*s.damped ? "True" : "False") : "None") +
                 ", automatic=" + (s.automatic ? "True" : "False") +
                 ", parameter_uncertainty=" + (s.parameter_uncertainty ? "True" : "False") + ")";
        } else if constexpr (std::is_same_v<T, ARIMA>) {
          return name + "(order=" + detail::order_text(s.order) +
                 ", seasonal_order=" + detail::order_text(s.seasonal_order) +
                 ", season_length=" + std::to_string(s.season_length) +
                 ", include_mean=" + (s.include_mean ? "True" : "False") +
                 ", include_drift=" + (s.include_drift ? "True" : "False") + ", method='" +
                 to_string(s.method) + "')";
        } else if constexpr (std::is_same_v<T, AutoARIMA>) {
          return name + "(season_length=" + std::to_string(s.season_length) +
                 ", stepwise=" + (s.stepwise ? "True" : "False") + ", ic='" + to_string(s.ic) +
                 "')";
        } else if constexpr (std::is_same_v<T, Ensemble>) {
          std::string members;
          for (const Model& m : ensemble_members(s))
            members += (members.empty() ? "" : ", ") + to_string(m);
          std::string weights = "'" + to_string(s.weighting) + "'";
          if (s.weighting == EnsembleWeighting::given) {
            weights.clear();
            for (const double w : s.weights)
              weights += (weights.empty() ? "" : ", ") + detail::number_text(w);
            weights = "[" + weights + "]";
          }
          return name + "(models=[" + members + "], weights=" + weights +
                 ", n_windows=" + std::to_string(s.n_windows) + ", h=" + std::to_string(s.h) + ")";
        } else if constexpr (std::is_same_v<T, Conformal>) {
          return name + "(model=" + to_string(conformal_model(s)) +
                 ", n_windows=" + std::to_string(s.n_windows) + ", h=" + std::to_string(s.h) +
                 ", step_size=" + std::to_string(s.step_size) + ", method='" + to_string(s.method) +
                 "'" + (s.refit ? "" : ", refit=False") + ")";
        } else if constexpr (std::is_same_v<T, CountRegression>) {
          return name + "(family='" + to_string(s.family) +
                 "', zero_inflated=" + (s.zero_inflated ? "True" : "False") +
                 ", season_length=" + std::to_string(s.season_length) +
                 ", trend=" + (s.trend ? "True" : "False") +
                 ", pooled=" + (s.pooled ? "True" : "False") +
                 ", window=" + (s.window > 0 ? std::to_string(s.window) : "None") +
                 ", ridge=" + detail::number_text(s.ridge) +
                 (s.pool_groups.empty()
                      ? std::string()
                      : ", pool_groups=<" + std::to_string(s.pool_groups.size()) + " series>") +
                 ")";
        } else {
          return name + "()";
        }
      },
      spec);
}

FittedModel::FittedModel(const Model& spec, const Panel& panel, int n_threads) : spec_(spec) {
  impl_ = std::visit(
      [&](const auto& s) { return std::make_shared<const Impl>(fit_panel(s, panel, n_threads)); },
      spec);
}

FittedModel FittedModel::forward(const Panel& panel, int n_threads) const {
  return FittedModel(spec_, std::visit(
                                [&](const auto& f) {
                                  return std::make_shared<const Impl>(f.forward(panel, n_threads));
                                },
                                *impl_));
}

SeriesFitted forward_or_refit(const Model& spec, const SeriesFitted& fitted, const SeriesView& s) {
  return std::visit(
      [&](const auto& sp) {
        using Fitted = typename std::decay_t<decltype(sp)>::Fitted;
        const Fitted* f = fitted.get<Fitted>();
        return f != nullptr ? SeriesFitted(forward_or_refit(sp, *f, s)) : SeriesFitted(sp.fit(s));
      },
      spec);
}

PanelForecast FittedModel::forecast(const ForecastOptions& options, int n_threads) const {
  return std::visit([&](const auto& f) { return f.forecast(options, n_threads); }, *impl_);
}

PanelForecast FittedModel::forecast(const ForecastOptions& options,
                                    const Eigen::Ref<const RowMatrixXd>& x_future,
                                    int n_threads) const {
  return std::visit([&](const auto& f) { return f.forecast(options, x_future, n_threads); },
                    *impl_);
}

PanelContributions FittedModel::contributions(const ForecastOptions& options, int n_threads) const {
  return contributions(options, RowMatrixXd(0, 0), n_threads);
}

PanelContributions FittedModel::contributions(const ForecastOptions& options,
                                              const Eigen::Ref<const RowMatrixXd>& x_future,
                                              int n_threads) const {
  return std::visit([&](const auto& f) { return f.contributions(options, x_future, n_threads); },
                    *impl_);
}

PanelPaths FittedModel::sample_paths(const PathRequest& request, int n_threads) const {
  return sample_paths(request, RowMatrixXd(0, 0), n_threads);
}

PanelPaths FittedModel::sample_paths(const PathRequest& request,
                                     const Eigen::Ref<const RowMatrixXd>& x_future,
                                     int n_threads) const {
  return std::visit([&](const auto& f) { return f.sample_paths(request, x_future, n_threads); },
                    *impl_);
}

bool FittedModel::uses_covariates() const noexcept {
  return std::visit([](const auto& s) { return uses_covariates_v<std::decay_t<decltype(s)>>; },
                    spec_);
}

bool FittedModel::has_coefficients() const noexcept {
  return std::visit(
      [](const auto& f) {
        using Fitted = typename std::decay_t<decltype(f.fitted())>::value_type;
        return has_coefficients_v<Fitted>;
      },
      *impl_);
}

std::vector<CovariateCoefficients> FittedModel::coefficients() const {
  return std::visit(
      [](const auto& f) {
        using Fitted = typename std::decay_t<decltype(f.fitted())>::value_type;
        std::vector<CovariateCoefficients> out;
        if constexpr (has_coefficients_v<Fitted>) {
          out.reserve(f.fitted().size());
          for (const auto& x : f.fitted()) out.push_back(x.coefficients());
        }
        return out;
      },
      *impl_);
}

std::vector<std::string> FittedModel::fallbacks() const {
  return std::visit(
      [](const auto& f) {
        std::vector<std::string> out;
        out.reserve(f.fitted().size());
        for (const auto& x : f.fitted()) out.push_back(x.fallback);
        return out;
      },
      *impl_);
}

}  // namespace quickstock
