#pragma once

/// @file
/// What a forecast request asks for and what a forecast returns.

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/core/frequency.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/detail/xtensor.hpp>

namespace quickstock {

/// A forecast request: horizon and quantile levels.
struct ForecastOptions {
  std::int64_t h = 1;             ///< steps ahead, >= 1
  std::vector<double> quantiles;  ///< levels in (0, 1), distinct, any order
  bool nonnegative = true;        ///< censor the predictive distribution at 0 (demand)
  friend bool operator==(const ForecastOptions& a, const ForecastOptions& b) noexcept {
    return a.h == b.h && a.quantiles == b.quantiles && a.nonnegative == b.nonnegative;
  }
};

/// Checks `h >= 1` and every quantile finite, in (0, 1) and distinct.
/// @throws invalid_input naming field "h" or "quantiles".
QUICKSTOCK_API void validate(const ForecastOptions& options);

/// One series' forecast: the mean path and the quantile paths.
struct SeriesForecast {
  Eigen::VectorXd mean;       ///< length h
  Eigen::MatrixXd quantiles;  ///< h × number of quantile levels, columns in request order
};

/// An exact additive split of one series' forecast mean into named components: `level`,
/// `trend`, `season` (or `season_<period>`), one per covariate, and so on (see `qs.explain`).
/// A fitted type that can explain itself provides `Contributions contributions(const
/// ForecastOptions&) const` (or, for a model that uses covariates, `Contributions
/// contributions(const ForecastOptions&, const Eigen::Ref<const RowMatrixXd>& x_future) const`).
///
/// The member is called with `options.nonnegative == false` and its rows sum to the
/// uncensored mean; `FittedPanel::contributions` adds the censoring at zero as its own
/// component (`zero_floor`). A covariate's component is named `x<c>` (`c` its 0-based column)
/// and renamed to the panel's covariate name by `FittedPanel::contributions`.
struct Contributions {
  std::vector<std::string> components;  ///< component names, in a stable order
  Eigen::MatrixXd values;               ///< h × components; row `j` sums to the mean at step `j`
  friend bool operator==(const Contributions& a, const Contributions& b) noexcept {
    return a.components == b.components && a.values.rows() == b.values.rows() &&
           a.values.cols() == b.values.cols() && a.values == b.values;
  }
};

/// True when `Fitted` provides `Contributions contributions(const ForecastOptions&) const`.
template <class Fitted, class = void>
struct has_contributions : std::false_type {};
template <class Fitted>
struct has_contributions<Fitted,
                         std::void_t<decltype(std::declval<const Fitted&>().contributions(
                             std::declval<const ForecastOptions&>()))>>
    : std::is_same<decltype(std::declval<const Fitted&>().contributions(
                       std::declval<const ForecastOptions&>())),
                   Contributions> {};
/// See `has_contributions`.
template <class Fitted>
inline constexpr bool has_contributions_v = has_contributions<Fitted>::value;

/// True when `Fitted` provides `Contributions contributions(const ForecastOptions&, const
/// Eigen::Ref<const RowMatrixXd>& x_future) const` (a model that uses covariates).
template <class Fitted, class = void>
struct has_covariate_contributions : std::false_type {};
template <class Fitted>
struct has_covariate_contributions<Fitted,
                                   std::void_t<decltype(std::declval<const Fitted&>().contributions(
                                       std::declval<const ForecastOptions&>(),
                                       std::declval<const Eigen::Ref<const RowMatrixXd>&>()))>>
    : std::is_same<decltype(std::declval<const Fitted&>().contributions(
                       std::declval<const ForecastOptions&>(),
                       std::declval<const Eigen::Ref<const RowMatrixXd>&>())),
                   Contributions> {};
/// See `has_covariate_contributions`.
template <class Fitted>
inline constexpr bool has_covariate_contributions_v = has_covariate_contributions<Fitted>::value;

/// One series' fitted covariate coefficients (`FittedModel::coefficients`): entry `c` belongs
/// to covariate column `c` of the panel (`SeriesView::x`) and is the change of the model's
/// linear predictor per unit of that covariate, in data units (the mean for ETSX and ARIMA,
/// the log mean for CountRegression). A column the model did not use (constant over the
/// history, or the censoring indicator) has coefficient 0 and standard error NaN.
struct CovariateCoefficients {
  Eigen::VectorXd coef;       ///< one coefficient per covariate column
  Eigen::VectorXd std_error;  ///< its standard error; NaN where the model does not compute one
};

/// True when `Fitted` provides `CovariateCoefficients coefficients() const` (a model with
/// covariate coefficients: ETSX, ARIMA, CountRegression).
template <class Fitted, class = void>
struct has_coefficients : std::false_type {};
template <class Fitted>
struct has_coefficients<Fitted, std::void_t<decltype(std::declval<const Fitted&>().coefficients())>>
    : std::is_same<decltype(std::declval<const Fitted&>().coefficients()), CovariateCoefficients> {
};
/// See `has_coefficients`.
template <class Fitted>
inline constexpr bool has_coefficients_v = has_coefficients<Fitted>::value;

/// A panel's forecast means split into components (`FittedPanel::contributions`). Step `j` of
/// series `i` is at grid ordinal `first[i] + j`.
struct PanelContributions {
  std::vector<std::string> ids;       ///< series, in panel order
  std::vector<std::int64_t> first;    ///< ordinal of the first forecast step of each series
  Frequency freq;                     ///< the panel's grid
  std::vector<Contributions> series;  ///< one split per series; rows sum to the forecast mean
};

/// A panel's forecast from one model. Step `j` (0-based) of series `i` is at grid ordinal
/// `first[i] + j`, i.e. at timestamp `freq.timestamp(first[i] + j)`.
struct PanelForecast {
  std::vector<std::string> ids;      ///< series, in panel order
  std::vector<std::int64_t> first;   ///< ordinal of the first forecast step of each series
  Frequency freq;                    ///< the panel's grid
  std::vector<double> levels;        ///< quantile levels, as requested
  xt::xtensor<double, 2> mean;       ///< series × h
  xt::xtensor<double, 3> quantiles;  ///< series × h × levels
};

}  // namespace quickstock
