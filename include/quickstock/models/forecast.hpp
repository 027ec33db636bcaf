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
#include <quickstock/detail/random.hpp>
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

/// A sample path request (`FittedModel::sample_paths`, docs/sample-paths.md).
struct PathRequest {
  std::int64_t h = 1;           ///< steps ahead, >= 1
  std::int64_t n_paths = 1000;  ///< paths per series, >= 1
  std::uint64_t seed = 0;       ///< series i draws from the stream (seed, i): any thread count
  bool nonnegative = true;      ///< censor every path at 0, as `forecast` censors (demand)
  /// Day-to-day correlation of the Gaussian copula of the fallback for models without native
  /// simulation (Ensemble, Conformal), in [0, 1); native simulations ignore it.
  double correlation = 0.0;
  friend bool operator==(const PathRequest& a, const PathRequest& b) noexcept {
    return a.h == b.h && a.n_paths == b.n_paths && a.seed == b.seed &&
           a.nonnegative == b.nonnegative && a.correlation == b.correlation;
  }
};

/// The most values (series × paths × h) one `sample_paths` call may return: 2·10⁸ doubles
/// (1.6 GB).
inline constexpr double kMaxPathValues = 2e8;

/// Checks `h >= 1`, `n_paths >= 1`, `correlation` in [0, 1) and `n_series · n_paths · h` at
/// most `kMaxPathValues`.
/// @throws invalid_input naming field "h", "n_paths" or "correlation".
QUICKSTOCK_API void validate(const PathRequest& request, std::size_t n_series = 1);

/// A panel's simulated futures from one model. Step `j` of series `i` is at grid ordinal
/// `first[i] + j`.
struct PanelPaths {
  std::vector<std::string> ids;        ///< series, in panel order
  std::vector<std::int64_t> first;     ///< ordinal of the first forecast step of each series
  Frequency freq;                      ///< the panel's grid
  std::vector<Eigen::MatrixXd> paths;  ///< per series, n_paths × h simulated demand
  /// How the paths were drawn: `"native"` (the model's own simulation) or `"quantile_copula"`
  /// (the fallback: the model's forecast quantiles joined by a Gaussian AR(1) copula); MSTL
  /// with a trend forecaster without native simulation says `"native (season) + quantile_copula
  /// (trend)"`.
  std::string simulation;
};

/// True when `Fitted` simulates its own future: `Eigen::MatrixXd sample_paths(std::int64_t h,
/// std::int64_t n_paths, detail::PathRng& rng) const` returns `n_paths × h` uncensored paths in
/// data units.
template <class Fitted, class = void>
struct has_sample_paths : std::false_type {};
template <class Fitted>
struct has_sample_paths<Fitted,
                        std::void_t<decltype(std::declval<const Fitted&>().sample_paths(
                            std::int64_t{}, std::int64_t{}, std::declval<detail::PathRng&>()))>>
    : std::true_type {};
/// See `has_sample_paths`.
template <class Fitted>
inline constexpr bool has_sample_paths_v = has_sample_paths<Fitted>::value;

/// True when `Fitted` (of a model that uses covariates) provides `Eigen::MatrixXd
/// sample_paths(std::int64_t h, std::int64_t n_paths, detail::PathRng& rng, const
/// Eigen::Ref<const RowMatrixXd>& x_future) const`.
template <class Fitted, class = void>
struct has_covariate_sample_paths : std::false_type {};
template <class Fitted>
struct has_covariate_sample_paths<Fitted,
                                  std::void_t<decltype(std::declval<const Fitted&>().sample_paths(
                                      std::int64_t{},
                                      std::int64_t{},
                                      std::declval<detail::PathRng&>(),
                                      std::declval<const Eigen::Ref<const RowMatrixXd>&>()))>>
    : std::true_type {};
/// See `has_covariate_sample_paths`.
template <class Fitted>
inline constexpr bool has_covariate_sample_paths_v = has_covariate_sample_paths<Fitted>::value;

namespace detail {

/// The quantile levels the copula fallback asks a model's forecast for: 0.005, 0.01, …, 0.995
/// (Normal tails beyond, see `quickstock::quantile_at`).
QUICKSTOCK_API const std::vector<double>& copula_levels();

/// The copula fallback: `n_paths × h` paths whose step `j` follows the quantile function of
/// `forecast` (computed at `copula_levels()`, uncensored) and whose steps are joined by a
/// Gaussian AR(1) copula with `correlation`; the stream is the next value of `rng`. The
/// paths are censored at 0 (as `quickstock::quantile_at`), whatever `nonnegative` asks.
QUICKSTOCK_API Eigen::MatrixXd copula_paths(const SeriesForecast& forecast,
                                            std::int64_t n_paths,
                                            double correlation,
                                            PathRng& rng);

/// Gaussian paths `mean + s · L z`, z iid N(0, 1) (one vector per path), `L` the `h × k`
/// loadings of the model's future errors and `s` 1, or, when `df` is finite,
/// sqrt(df / χ²_df) drawn once per path (so every step is Student t with `df` degrees of
/// freedom, as the baselines' intervals).
QUICKSTOCK_API Eigen::MatrixXd gaussian_paths(const Eigen::Ref<const Eigen::VectorXd>& mean,
                                              const Eigen::Ref<const Eigen::MatrixXd>& loadings,
                                              std::int64_t n_paths,
                                              PathRng& rng,
                                              double df);

}  // namespace detail

}  // namespace quickstock
