#pragma once

/// @file
/// Any model of the library as one value type, and fitting it to a whole panel in parallel.

#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <quickstock/config.hpp>
#include <quickstock/core/parallel.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/error.hpp>
#include <quickstock/models/arima.hpp>
#include <quickstock/models/baselines.hpp>
#include <quickstock/models/count_regression.hpp>
#include <quickstock/models/ensemble.hpp>
#include <quickstock/models/ets.hpp>
#include <quickstock/models/forecast.hpp>
#include <quickstock/models/intermittent.hpp>
#include <quickstock/models/mstl.hpp>
#include <quickstock/models/theta.hpp>

namespace quickstock {

/// Every model spec of the library.
using Model = std::variant<Naive,
                           SeasonalNaive,
                           HistoricAverage,
                           WindowAverage,
                           SeasonalWindowAverage,
                           RandomWalkWithDrift,
                           ETS,
                           AutoETS,
                           Croston,
                           CrostonSBA,
                           TSB,
                           ADIDA,
                           IMAPA,
                           Theta,
                           OptimizedTheta,
                           DynamicTheta,
                           DynamicOptimizedTheta,
                           AutoTheta,
                           MSTL,
                           ETSX,
                           ARIMA,
                           AutoARIMA,
                           Ensemble,
                           Conformal,
                           CountRegression>;

/// A `Model` held by `MSTL` as its trend forecaster (see `make_mstl`), by `Ensemble` as a member
/// or by `Conformal` as its wrapped model.
struct ModelBox {
  Model model;
};

/// An MSTL spec with the given periods and trend forecaster (a non-seasonal model).
/// @throws invalid_input (field "season_length" or "trend_forecaster") for a bad spec.
QUICKSTOCK_API MSTL make_mstl(std::vector<double> season_length,
                              Model trend_forecaster = AutoETS{1, "ZZN", std::nullopt});

/// The trend forecaster of an MSTL spec (`AutoETS(model="ZZN")` when unset).
QUICKSTOCK_API const Model& trend_forecaster(const MSTL& spec);

/// An Ensemble spec of `models` (see `Ensemble`); `weights` only with `EnsembleWeighting::given`.
/// @throws invalid_input (field "models", "weights", "n_windows" or "h") for a bad spec.
QUICKSTOCK_API Ensemble make_ensemble(std::vector<Model> models,
                                      EnsembleWeighting weighting = EnsembleWeighting::cv,
                                      std::vector<double> weights = {},
                                      std::int64_t n_windows = 2,
                                      std::int64_t h = 14);

/// The members of an Ensemble spec, in order.
QUICKSTOCK_API std::vector<Model> ensemble_members(const Ensemble& spec);

/// A Conformal spec wrapping `model` (see `Conformal`).
/// @throws invalid_input (field "model", "n_windows", "h" or "step_size") for a bad spec.
QUICKSTOCK_API Conformal make_conformal(Model model,
                                        std::int64_t n_windows = 20,
                                        std::int64_t h = 14,
                                        std::int64_t step_size = 1,
                                        ConformalMethod method = ConformalMethod::signed_residual,
                                        bool refit = true);

/// The model wrapped by a Conformal spec (`Naive()` when unset).
QUICKSTOCK_API const Model& conformal_model(const Conformal& spec);

/// The class name of a spec (`"SeasonalNaive"`), the default alias in outputs.
QUICKSTOCK_API std::string model_name(const Model& spec);

/// A spec as text, e.g. `SeasonalNaive(season_length=7)`.
QUICKSTOCK_API std::string to_string(const Model& spec);

/// True for a spec whose model uses covariates: it declares
/// `static constexpr bool uses_covariates = true;`, its `fit` reads the history covariates from
/// `SeriesView::x`, and its fitted type provides
/// `SeriesForecast forecast(const ForecastOptions&, const Eigen::Ref<const RowMatrixXd>& x_future)
/// const` where `x_future` holds the `h` future rows of the panel's covariates (0 columns when
/// the panel has none).
template <class Spec, class = void>
struct uses_covariates : std::false_type {};
template <class Spec>
struct uses_covariates<Spec, std::void_t<decltype(Spec::uses_covariates)>>
    : std::bool_constant<Spec::uses_covariates> {};
template <class Spec>
inline constexpr bool uses_covariates_v = uses_covariates<Spec>::value;

namespace detail {

/// True for a spec that fits a whole panel itself (`std::vector<Fitted> fit_panel(const Panel&,
/// int n_threads) const`, e.g. a model pooled across series); `fit_panel` then calls it instead
/// of fitting series one by one. It must be bit-identical for any `n_threads`.
template <class Spec, class = void>
struct has_fit_panel : std::false_type {};
template <class Spec>
struct has_fit_panel<
    Spec,
    std::void_t<decltype(std::declval<const Spec&>().fit_panel(std::declval<const Panel&>(), 1))>>
    : std::true_type {};
template <class Spec>
inline constexpr bool has_fit_panel_v = has_fit_panel<Spec>::value;

/// Raises `invalid_input` (field "X_df") unless `x_future` fits a forecast of `h` steps of
/// `n_series` series with `names` covariates: `(n_series · h) × names.size()`, or empty when the
/// model does not need it.
QUICKSTOCK_API void check_future_covariates(const Eigen::Ref<const RowMatrixXd>& x_future,
                                            std::size_t n_series,
                                            std::int64_t h,
                                            const std::vector<std::string>& names,
                                            bool required,
                                            const std::string& model);

}  // namespace detail

namespace detail {
/// True for a spec whose fits can be carried to other data with their estimates kept:
/// `std::optional<Fitted> forward(const Fitted&, const SeriesView&) const` (ETS, AutoETS, ETSX,
/// ARIMA, AutoARIMA, MSTL, Ensemble, Conformal).
template <class Spec, class = void>
struct has_forward : std::false_type {};
template <class Spec>
struct has_forward<
    Spec,
    std::void_t<decltype(std::declval<const Spec&>().forward(
        std::declval<const typename Spec::Fitted&>(), std::declval<const SeriesView&>()))>>
    : std::true_type {};
template <class Spec>
inline constexpr bool has_forward_v = has_forward<Spec>::value;
}  // namespace detail

/// `fitted` (a fit of `spec`) carried to the series `s` — normally the same series with more
/// observations — without estimating again: the spec's `forward` keeps every estimate (model
/// form, parameters, initial states, coefficients) and runs the model's filter over `s`, as
/// R's `ets(y, model = fit, use.initial.values = TRUE)` and `Arima(y, model = fit)`. A spec
/// without `forward`, or a fit whose estimates do not apply to `s` (its `forward` returns
/// nullopt), is fitted to `s` anew. Models without estimated parameters (the baselines, the
/// intermittent models with fixed smoothing) give the same result either way.
/// docs/cross-validation.md.
template <class Spec>
[[nodiscard]] typename Spec::Fitted forward_or_refit(const Spec& spec,
                                                     const typename Spec::Fitted& fitted,
                                                     const SeriesView& s) {
  if constexpr (detail::has_forward_v<Spec>) {
    if (std::optional<typename Spec::Fitted> f = spec.forward(fitted, s)) return std::move(*f);
  }
  return spec.fit(s);
}

/// `forward_or_refit` for a type-erased fit of `spec` (a member of an Ensemble, MSTL's trend
/// forecaster, Conformal's model): refits when `fitted` does not hold a fit of `spec`'s type.
QUICKSTOCK_API SeriesFitted forward_or_refit(const Model& spec,
                                             const SeriesFitted& fitted,
                                             const SeriesView& s);

namespace detail {
/// True when `Fitted` names its simulation itself (`std::string path_method() const`, MSTL).
template <class Fitted, class = void>
struct has_path_method : std::false_type {};
template <class Fitted>
struct has_path_method<Fitted, std::void_t<decltype(std::declval<const Fitted&>().path_method())>>
    : std::true_type {};
template <class Fitted>
inline constexpr bool has_path_method_v = has_path_method<Fitted>::value;
}  // namespace detail

/// A spec fitted to every series of a panel, one fitted value per series.
template <class Spec>
class FittedPanel {
 public:
  using Fitted = typename Spec::Fitted;

  FittedPanel(Spec spec, const Panel& panel, std::vector<Fitted> fitted)
      : spec_(std::move(spec)),
        ids_(panel.ids()),
        next_(panel.n_series()),
        freq_(panel.frequency()),
        covariate_names_(panel.covariate_names()),
        fitted_(std::move(fitted)) {
    for (std::size_t i = 0; i < panel.n_series(); ++i) next_[i] = panel.end(i) + 1;
  }

  [[nodiscard]] const Spec& spec() const noexcept { return spec_; }
  [[nodiscard]] const std::vector<Fitted>& fitted() const noexcept { return fitted_; }
  [[nodiscard]] const std::vector<std::string>& ids() const noexcept { return ids_; }
  /// Names of the panel's covariates (the columns `forecast` expects in `x_future`).
  [[nodiscard]] const std::vector<std::string>& covariate_names() const noexcept {
    return covariate_names_;
  }

  /// Forecasts every series, in parallel over series (bit-identical for any `n_threads`).
  /// A model that uses covariates needs their future values when the panel has covariates.
  /// @throws invalid_input for a bad `h` or quantile level, or missing future covariates.
  [[nodiscard]] PanelForecast forecast(const ForecastOptions& options, int n_threads = 1) const {
    return forecast(options, RowMatrixXd(0, 0), n_threads);
  }

  /// Forecasts every series with future covariates `x_future`: row `i · h + j` holds step `j` of
  /// series `i` (panel order), one column per panel covariate (`covariate_names()`). Models that
  /// do not use covariates ignore it.
  /// @throws invalid_input for a bad `h` or quantile level, or an `x_future` of the wrong shape
  /// (field "X_df").
  [[nodiscard]] PanelForecast forecast(const ForecastOptions& options,
                                       const Eigen::Ref<const RowMatrixXd>& x_future,
                                       int n_threads = 1) const {
    validate(options);
    const std::size_t n = fitted_.size();
    const auto h = static_cast<std::size_t>(options.h);
    const std::size_t nq = options.quantiles.size();
    PanelForecast out;
    out.ids = ids_;
    out.first = next_;
    out.freq = freq_;
    out.levels = options.quantiles;
    out.mean = xt::xtensor<double, 2>::from_shape({n, h});
    out.quantiles = xt::xtensor<double, 3>::from_shape({n, h, nq});
    if constexpr (uses_covariates_v<Spec>) {
      detail::check_future_covariates(x_future, n, options.h, covariate_names_,
                                      !covariate_names_.empty(), model_label());
    }
    detail::parallel_for_series(n, n_threads, [&](std::size_t i) {
      const SeriesForecast f = forecast_one(i, options, x_future);
      if (!f.mean.allFinite() || !f.quantiles.allFinite()) {
        detail::raise_invalid("the forecast is not finite: the values are too large", ids_[i],
                              std::nullopt, "y");
      }
      for (std::size_t j = 0; j < h; ++j) {
        const auto jj = static_cast<Eigen::Index>(j);
        out.mean(i, j) = f.mean[jj];
        for (std::size_t q = 0; q < nq; ++q) {
          out.quantiles(i, j, q) = f.quantiles(jj, static_cast<Eigen::Index>(q));
        }
      }
    });
    return out;
  }

  /// These fits carried to `panel` (`forward_or_refit`, in parallel over series,
  /// bit-identical for any `n_threads`): estimates are kept and the filters run over the new
  /// data; a spec that fits a whole panel at once (pooled) and has no `forward` is refitted.
  /// @throws invalid_input (field "unique_id") unless `panel` holds the same series in the
  /// same order, (field "X_df") unless it has the same covariate columns; as `fit_panel` for
  /// bad data of a refitted series.
  [[nodiscard]] FittedPanel forward(const Panel& panel, int n_threads = 1) const {
    const std::size_t n = fitted_.size();
    if (panel.n_series() != n || panel.ids() != ids_) {
      detail::raise_argument("unique_id", "forward needs the " + std::to_string(n) +
                                              " series the model was fitted to, in the same "
                                              "order (got " +
                                              std::to_string(panel.n_series()) + " series)");
    }
    if (panel.covariate_names() != covariate_names_) {
      detail::raise_argument("X_df",
                             "forward needs the covariate columns the model was fitted with");
    }
    if constexpr (detail::has_fit_panel_v<Spec> && !detail::has_forward_v<Spec>) {
      return FittedPanel(spec_, panel, spec_.fit_panel(panel, n_threads));
    } else {
      std::vector<Fitted> out(n);
      detail::parallel_for_series(n, n_threads, [&](std::size_t i) {
        out[i] = forward_or_refit(spec_, fitted_[i], panel.series(i));
      });
      return FittedPanel(spec_, panel, std::move(out));
    }
  }

  /// Simulates `request.n_paths` joint future paths of `request.h` steps for every series, in
  /// parallel over series: series `i` draws from the stream `(request.seed, i)`, so the result
  /// is bit-identical for any `n_threads`. The fitted type's own simulation when it has one
  /// (`has_sample_paths_v`, `has_covariate_sample_paths_v`), else the quantile copula of
  /// `detail::copula_paths`; `simulation` says which. With `request.nonnegative` every path
  /// is censored at 0, as `forecast` censors its quantiles. `x_future` as for `forecast`.
  /// @throws invalid_input for a bad request (field "h", "n_paths", "correlation") or missing
  /// future covariates.
  [[nodiscard]] PanelPaths sample_paths(const PathRequest& request,
                                        const Eigen::Ref<const RowMatrixXd>& x_future,
                                        int n_threads = 1) const {
    const std::size_t n = fitted_.size();
    validate(request, n);
    if constexpr (uses_covariates_v<Spec>) {
      detail::check_future_covariates(x_future, n, request.h, covariate_names_,
                                      !covariate_names_.empty(), model_label());
    }
    PanelPaths out;
    out.ids = ids_;
    out.first = next_;
    out.freq = freq_;
    out.paths.resize(n);
    out.simulation = simulation_label();
    detail::parallel_for_series(n, n_threads, [&](std::size_t i) {
      detail::PathRng rng(request.seed, i);
      Eigen::MatrixXd p = paths_one(i, request, x_future, rng);
      if (!p.allFinite()) {
        detail::raise_invalid("the sample paths are not finite: the values are too large", ids_[i],
                              std::nullopt, "y");
      }
      if (request.nonnegative) p = p.cwiseMax(0.0);
      out.paths[i] = std::move(p);
    });
    return out;
  }

  /// Splits every series' forecast mean into additive components (`Contributions`), in
  /// parallel over series (bit-identical for any `n_threads`): the fitted type's
  /// `contributions` member when it has one (`has_contributions_v`,
  /// `has_covariate_contributions_v`), else the mean as one component named after the model.
  /// Covariate components `x<c>` are renamed to the covariate's name; with
  /// `options.nonnegative`, a step whose uncensored mean is negative gets a `zero_floor`
  /// component (−mean there, 0 elsewhere) so that every row sums to the forecast mean.
  /// `x_future` as for `forecast`.
  /// @throws invalid_input as `forecast`.
  [[nodiscard]] PanelContributions contributions(const ForecastOptions& options,
                                                 const Eigen::Ref<const RowMatrixXd>& x_future,
                                                 int n_threads = 1) const {
    validate(options);
    const std::size_t n = fitted_.size();
    if constexpr (uses_covariates_v<Spec>) {
      detail::check_future_covariates(x_future, n, options.h, covariate_names_,
                                      !covariate_names_.empty(), model_label());
    }
    PanelContributions out;
    out.ids = ids_;
    out.first = next_;
    out.freq = freq_;
    out.series.resize(n);
    ForecastOptions raw{options.h, {}, false};
    detail::parallel_for_series(n, n_threads, [&](std::size_t i) {
      Contributions c = contributions_one(i, raw, x_future);
      if (!c.values.allFinite()) {
        detail::raise_invalid("the forecast is not finite: the values are too large", ids_[i],
                              std::nullopt, "y");
      }
      for (auto& name : c.components) {
        if (name.size() < 2 || name[0] != 'x') continue;
        std::size_t k = 0;
        bool digits = true;
        for (std::size_t p = 1; p < name.size(); ++p) {
          if (name[p] < '0' || name[p] > '9') {
            digits = false;
            break;
          }
          k = k * 10 + static_cast<std::size_t>(name[p] - '0');
        }
        if (digits && k < covariate_names_.size()) name = covariate_names_[k];
      }
      if (options.nonnegative) {
        const Eigen::VectorXd sum = c.values.rowwise().sum();
        if ((sum.array() < 0.0).any()) {
          const Eigen::Index k = c.values.cols();
          c.values.conservativeResize(Eigen::NoChange, k + 1);
          c.values.col(k) = (-sum).cwiseMax(0.0);
          c.components.emplace_back("zero_floor");
        }
      }
      out.series[i] = std::move(c);
    });
    return out;
  }

 private:
  [[nodiscard]] Contributions contributions_one(
      std::size_t i,
      const ForecastOptions& raw,
      const Eigen::Ref<const RowMatrixXd>& x_future) const {
    const auto h = static_cast<Eigen::Index>(raw.h);
    const Fitted& f = fitted_[i];
    if constexpr (uses_covariates_v<Spec> && has_covariate_contributions_v<Fitted>) {
      if (x_future.rows() == 0) return f.contributions(raw, RowMatrixXd(h, 0));
      return f.contributions(raw, x_future.middleRows(static_cast<Eigen::Index>(i) * h, h));
    } else if constexpr (has_contributions_v<Fitted>) {
      return f.contributions(raw);
    } else {
      return Contributions{{component_label()}, forecast_one(i, raw, x_future).mean};
    }
  }
  [[nodiscard]] Eigen::MatrixXd paths_one(std::size_t i,
                                          const PathRequest& request,
                                          const Eigen::Ref<const RowMatrixXd>& x_future,
                                          detail::PathRng& rng) const {
    const auto h = static_cast<Eigen::Index>(request.h);
    const Fitted& f = fitted_[i];
    if constexpr (uses_covariates_v<Spec> && has_covariate_sample_paths_v<Fitted>) {
      if (x_future.rows() == 0)
        return f.sample_paths(request.h, request.n_paths, rng, RowMatrixXd(h, 0));
      return f.sample_paths(request.h, request.n_paths, rng,
                            x_future.middleRows(static_cast<Eigen::Index>(i) * h, h));
    } else if constexpr (has_sample_paths_v<Fitted>) {
      return f.sample_paths(request.h, request.n_paths, rng);
    } else {
      const ForecastOptions grid{request.h, detail::copula_levels(), false};
      return detail::copula_paths(forecast_one(i, grid, x_future), request.n_paths,
                                  request.correlation, rng);
    }
  }
  [[nodiscard]] std::string simulation_label() const {
    if constexpr (detail::has_path_method_v<Fitted>) {
      return fitted_.empty() ? std::string("native") : fitted_.front().path_method();
    } else if constexpr (has_sample_paths_v<Fitted> || has_covariate_sample_paths_v<Fitted>) {
      return "native";
    } else {
      return "quantile_copula";
    }
  }
  [[nodiscard]] std::string component_label() const;
  [[nodiscard]] SeriesForecast forecast_one(std::size_t i,
                                            const ForecastOptions& options,
                                            const Eigen::Ref<const RowMatrixXd>& x_future) const {
    if constexpr (uses_covariates_v<Spec>) {
      const auto h = static_cast<Eigen::Index>(options.h);
      if (x_future.rows() == 0) {
        return fitted_[i].forecast(options, RowMatrixXd(h, 0));
      }
      return fitted_[i].forecast(options, x_future.middleRows(static_cast<Eigen::Index>(i) * h, h));
    } else {
      return fitted_[i].forecast(options);
    }
  }
  [[nodiscard]] std::string model_label() const;

  Spec spec_;
  std::vector<std::string> ids_;
  std::vector<std::int64_t> next_;
  Frequency freq_;
  std::vector<std::string> covariate_names_;
  std::vector<Fitted> fitted_;
};

/// Fits `spec` to every series of `panel`, in parallel over series. A series that cannot be fitted
/// raises `invalid_input` naming it (the lowest such series, for any thread count).
///
/// **Example**
/// ```cpp
/// auto fitted = quickstock::fit_panel(quickstock::SeasonalNaive{7}, panel, 4);
/// auto fc = fitted.forecast({14, {0.1, 0.5, 0.9}});
/// ```
template <class Spec>
[[nodiscard]] FittedPanel<Spec> fit_panel(const Spec& spec, const Panel& panel, int n_threads = 1) {
  validate(spec);
  if constexpr (detail::has_fit_panel_v<Spec>) {
    return FittedPanel<Spec>(spec, panel, spec.fit_panel(panel, n_threads));
  } else {
    std::vector<typename Spec::Fitted> fitted(panel.n_series());
    detail::parallel_for_series(panel.n_series(), n_threads,
                                [&](std::size_t i) { fitted[i] = spec.fit(panel.series(i)); });
    return FittedPanel<Spec>(spec, panel, std::move(fitted));
  }
}

/// Any spec fitted to a panel: the type-erased `FittedPanel` the Python layer holds.
class QUICKSTOCK_API FittedModel {
 public:
  /// Fits `spec` to `panel` (see `fit_panel`).
  FittedModel(const Model& spec, const Panel& panel, int n_threads = 1);

  /// These fits carried to `panel` without estimating again (see `FittedPanel::forward`).
  [[nodiscard]] FittedModel forward(const Panel& panel, int n_threads = 1) const;
  /// Forecasts every series (see `FittedPanel::forecast`).
  [[nodiscard]] PanelForecast forecast(const ForecastOptions& options, int n_threads = 1) const;
  /// Forecasts every series with future covariates (see `FittedPanel::forecast`).
  [[nodiscard]] PanelForecast forecast(const ForecastOptions& options,
                                       const Eigen::Ref<const RowMatrixXd>& x_future,
                                       int n_threads = 1) const;
  /// Splits every series' forecast mean into components (see `FittedPanel::contributions`).
  [[nodiscard]] PanelContributions contributions(const ForecastOptions& options,
                                                 int n_threads = 1) const;
  /// As above with future covariates (see `FittedPanel::contributions`).
  [[nodiscard]] PanelContributions contributions(const ForecastOptions& options,
                                                 const Eigen::Ref<const RowMatrixXd>& x_future,
                                                 int n_threads = 1) const;
  /// Simulated joint future paths of every series (see `FittedPanel::sample_paths` and
  /// docs/sample-paths.md).
  [[nodiscard]] PanelPaths sample_paths(const PathRequest& request, int n_threads = 1) const;
  /// As above with future covariates (see `FittedPanel::sample_paths`).
  [[nodiscard]] PanelPaths sample_paths(const PathRequest& request,
                                        const Eigen::Ref<const RowMatrixXd>& x_future,
                                        int n_threads = 1) const;
  /// True when the model uses covariates (and so needs their future values to forecast).
  [[nodiscard]] bool uses_covariates() const noexcept;
  /// The spec this was fitted from.
  [[nodiscard]] const Model& spec() const noexcept { return spec_; }
  /// Per series, the fallback rule used ("" when none).
  [[nodiscard]] std::vector<std::string> fallbacks() const;
  /// True when the model has covariate coefficients (`has_coefficients_v` of its fitted type:
  /// ETSX, ARIMA, AutoARIMA, CountRegression).
  [[nodiscard]] bool has_coefficients() const noexcept;
  /// Per series (panel order), the fitted covariate coefficients and their standard errors
  /// (see `CovariateCoefficients`); empty when `has_coefficients()` is false.
  [[nodiscard]] std::vector<CovariateCoefficients> coefficients() const;

 private:
  using Impl = std::variant<FittedPanel<Naive>,
                            FittedPanel<SeasonalNaive>,
                            FittedPanel<HistoricAverage>,
                            FittedPanel<WindowAverage>,
                            FittedPanel<SeasonalWindowAverage>,
                            FittedPanel<RandomWalkWithDrift>,
                            FittedPanel<ETS>,
                            FittedPanel<AutoETS>,
                            FittedPanel<Croston>,
                            FittedPanel<CrostonSBA>,
                            FittedPanel<TSB>,
                            FittedPanel<ADIDA>,
                            FittedPanel<IMAPA>,
                            FittedPanel<Theta>,
                            FittedPanel<OptimizedTheta>,
                            FittedPanel<DynamicTheta>,
                            FittedPanel<DynamicOptimizedTheta>,
                            FittedPanel<AutoTheta>,
                            FittedPanel<MSTL>,
                            FittedPanel<ETSX>,
                            FittedPanel<ARIMA>,
                            FittedPanel<AutoARIMA>,
                            FittedPanel<Ensemble>,
                            FittedPanel<Conformal>,
                            FittedPanel<CountRegression>>;
  FittedModel(Model spec, std::shared_ptr<const Impl> impl)
      : spec_(std::move(spec)), impl_(std::move(impl)) {}
  Model spec_;
  std::shared_ptr<const Impl> impl_;
};

template <class Spec>
std::string FittedPanel<Spec>::component_label() const {
  if constexpr (std::is_constructible_v<Model, Spec>) {
    return model_name(Model{spec_});
  } else {
    return "forecast";
  }
}

template <class Spec>
std::string FittedPanel<Spec>::model_label() const {
  if constexpr (std::is_constructible_v<Model, Spec>) {
    return to_string(Model{spec_});
  } else {
    return "the model";
  }
}

}  // namespace quickstock
