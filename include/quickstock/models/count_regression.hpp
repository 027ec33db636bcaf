#pragma once

/// @file
/// Count regression: a log-link generalised linear model for demand counts with a Poisson or
/// negative binomial (NB2) response, optionally zero-inflated, fitted by maximum likelihood
/// (penalised Fisher scoring with a line search; the NB size by a one-dimensional search, as
/// R `MASS::glm.nb` alternates them; the zero-inflation probability by EM as in Lambert 1992),
/// per series or pooled over a panel with per-series intercepts. Observations marked as
/// censored (sales capped by stock: demand >= sales) enter through P(Y >= sales). Quantiles are
/// those of the fitted predictive count distribution. See docs/count-regression.md.

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/models/forecast.hpp>

namespace quickstock {

/// Response family of `CountRegression`.
enum class CountFamily {
  poisson,  ///< Var(Y) = μ
  negbin    ///< negative binomial NB2: Var(Y) = μ + μ²/θ, θ estimated
};

/// `"poisson"` or `"negbin"`.
QUICKSTOCK_API std::string to_string(CountFamily family);
/// Parses `"poisson"` / `"negbin"`. @throws invalid_input (field "family") otherwise.
QUICKSTOCK_API CountFamily parse_count_family(const std::string& text);

/// One fitted count regression of one series. The count part has mean
/// μ_t = exp(α + Σ_c β_c (x_{t,c} − center_c) / scale_c) over the design columns `columns`;
/// the predictive distribution at a step is Y = 0 with probability `pi` (zero inflation), else
/// Poisson(μ_t) or NB(θ, μ_t). The forecast mean is (1 − π)·μ_t.
struct CountRegressionFitted {
  /// Design column codes: a covariate's column index in the panel (>= 0), `trend_column`,
  /// or `season_column(phase)` for the dummy of one phase of the season.
  static constexpr std::int64_t trend_column = -1;
  /// The code of the dummy of season phase `phase` (>= 1; phase 0 is the reference level).
  [[nodiscard]] static constexpr std::int64_t season_column(std::int64_t phase) noexcept {
    return -1 - phase;
  }

  CountFamily family = CountFamily::negbin;
  bool zero_inflated = false;
  std::int64_t season_length = 1;     ///< period of the season dummies (1: none)
  std::int64_t next = 0;              ///< grid ordinal of the first forecast step
  std::int64_t n_covariates = 0;      ///< covariate columns of the training panel
  std::int64_t censor_column = -1;    ///< the panel column marking censored days (-1: none)
  double intercept = 0.0;             ///< α: log of the count mean at the training means
  Eigen::VectorXd beta;               ///< coefficients of the standardised design columns
  std::vector<std::int64_t> columns;  ///< code of each design column (see above)
  Eigen::VectorXd center;             ///< training mean of each design column
  Eigen::VectorXd scale;              ///< training standard deviation of each design column
  double trend_origin = 0.0;  ///< ordinal of the first fitted observation (trend is t − origin)
  double theta = std::numeric_limits<double>::infinity();  ///< NB size θ (+inf: Poisson)
  double pi = 0.0;              ///< zero-inflation probability (0 unless `zero_inflated`)
  double log_mean_cap = 0.0;    ///< forecast log-means are capped here (log(100·(max y + 1)))
  double loglik = 0.0;          ///< log-likelihood at the estimate (censored days as P(Y >= y))
  std::int64_t n_obs = 0;       ///< observations used (the window)
  std::int64_t n_censored = 0;  ///< censored observations among them
  std::int64_t iterations = 0;  ///< outer iterations of the fit
  std::string fallback;         ///< non-empty when a documented fallback rule was used

  /// Forecast without future covariates: valid only when the training panel had none (else
  /// @throws invalid_input, field "X_df").
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const;
  /// Forecast `options.h` steps: mean (1 − π)·μ_j and, per level τ, the smallest integer k with
  /// P(Y_j <= k) >= τ under the zero-inflated Poisson / NB predictive distribution (plug-in
  /// parameters). Integer and never negative. `x_future` holds the `h` future rows of the
  /// panel's covariates (0 columns when it had none); the censor column is ignored.
  /// @throws invalid_input (field "X_df") for a wrong shape.
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options,
                                        const Eigen::Ref<const RowMatrixXd>& x_future) const;
  /// `n_paths × h` sample paths of non-negative integers: step j an independent draw from its
  /// zero-inflated Poisson / NB predictive distribution with mean μ_j (the model's steps are
  /// independent given the covariates), the distribution whose quantiles `forecast` reports.
  /// @throws invalid_input (field "X_df") for a wrong shape. docs/sample-paths.md.
  [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng,
                                             const Eigen::Ref<const RowMatrixXd>& x_future) const;
  /// As above without covariates. @throws invalid_input (field "X_df") when fitted with some.
  [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng) const;
  /// The exact Shapley split of the forecast mean over the factor groups of the log link:
  /// `level` (the mean with every term at its training mean: (1 − π)·exp(α)), `trend`,
  /// `season` (the season dummies as one group) and one component per covariate named
  /// `x<j>` (j = its column in the panel; the caller maps it to the covariate's name). The
  /// game is v(S) = level·Π_{g∈S} exp(a_g), a_g the group's centred linear term; rows sum to the
  /// forecast mean. Groups absent from the design are omitted.
  /// @throws invalid_input (field "X_df") for a wrong shape.
  [[nodiscard]] Contributions contributions(const ForecastOptions& options,
                                            const Eigen::Ref<const RowMatrixXd>& x_future) const;
  /// The log of the count mean μ at each of the `x_future.rows()` future steps.
  [[nodiscard]] Eigen::VectorXd log_mean(const Eigen::Ref<const RowMatrixXd>& x_future) const;
  /// Quantile of level `tau` of the predictive distribution with count mean `mu`.
  [[nodiscard]] double quantile(double mu, double tau) const;
  /// The covariate coefficients on the log mean per unit of each panel covariate column
  /// (β_j / scale_j of the standardised design column); 0 for a column not in the design
  /// (constant over the window, or `censor_column`). Standard errors are not computed (NaN).
  [[nodiscard]] CovariateCoefficients coefficients() const;
  friend bool operator==(const CountRegressionFitted& a, const CountRegressionFitted& b) noexcept;
};

/// Count regression (`qs.CountRegression`): log E[Y_t] = α + x_t'β with a Poisson or negative
/// binomial (NB2) response, optionally zero-inflated, fitted by penalised maximum likelihood.
///
/// Design (each non-intercept column centred and scaled by its training mean and standard
/// deviation over the fitted window): every covariate column of the panel (`SeriesView::x`)
/// except `censor_column`; `season_length − 1` dummies of the season phase (grid ordinal mod
/// `season_length`: the day of the week for daily data with 7); a linear trend when `trend`.
/// A column constant over the window is dropped from that series' design (coefficient 0).
/// A ridge penalty `ridge`/2·‖β‖² on the standardised slopes (not the intercept) keeps short
/// series and separated data finite; `ridge = 0` gives the plain MLE (R `glm`, `MASS::glm.nb`).
///
/// Estimation: Fisher scoring for (α, β) with step halving on the penalised log-likelihood,
/// alternated with a Brent search for log θ (NB) and an EM update of the zero-inflation
/// probability π (intercept-only logit), until the log-likelihood changes by less than 1e-10
/// relatively. Censored days (`censor_column` non-zero: demand >= sales) contribute
/// log P(Y >= y); their score is the exact observed-data score (E[Y | Y >= y] replaces y).
///
/// Fallbacks (`fallback` says which): a series with no positive sale (and no censored day
/// above 0) in the window forecasts 0 with every quantile 0 ("all zero"); NB whose θ reaches
/// the upper bound 1e8 is Poisson in effect (not a fallback).
///
/// `pooled`: one fit over every series of the panel with per-series intercepts and shared
/// slopes, θ and π (`fit_panel`); all-zero series get the fallback and are left out.
/// `pool_groups` (pooled only): one group code per series of the panel (panel order); series
/// with the same code form one pool (its own slopes, θ and π), pools fitted in ascending code
/// order; empty: one pool over the whole panel. The Python layer fills it from a series
/// attribute (`CountRegression(pool_by="store_id")`).
///
/// **Example**
/// ```cpp
/// quickstock::CountRegression spec;  // NB, day-of-week dummies, every covariate
/// auto fitted = quickstock::fit_panel(spec, panel, 4);
/// auto fc = fitted.forecast({14, {0.1, 0.5, 0.9}}, x_future);
/// ```
struct CountRegression {
  using Fitted = CountRegressionFitted;
  static constexpr bool uses_covariates = true;
  CountFamily family = CountFamily::negbin;
  bool zero_inflated = false;       ///< add a structural-zero probability π
  std::int64_t season_length = 7;   ///< season dummies period (1: none)
  bool trend = false;               ///< add a linear trend in time
  bool pooled = false;              ///< one fit over all series (per-series intercepts)
  std::int64_t window = 0;          ///< fit on the last `window` observations (0: all)
  double ridge = 1.0;               ///< ridge penalty on the standardised slopes, >= 0
  std::int64_t censor_column = -1;  ///< panel covariate column flagging censored days (-1: none)
  /// Pool of each series of the panel (pooled fits; see above). Empty: one pool.
  std::vector<std::int64_t> pool_groups;

  /// Fits one series. @throws invalid_input naming the series for an empty series.
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  /// Fits every series of `panel` (per series in parallel, or one pooled fit), bit-identical
  /// for any `n_threads`. @throws invalid_input naming the first bad series.
  [[nodiscard]] std::vector<Fitted> fit_panel(const Panel& panel, int n_threads) const;
  friend bool operator==(const CountRegression& a, const CountRegression& b) noexcept {
    return a.family == b.family && a.zero_inflated == b.zero_inflated &&
           a.season_length == b.season_length && a.trend == b.trend && a.pooled == b.pooled &&
           a.window == b.window && a.ridge == b.ridge && a.censor_column == b.censor_column &&
           a.pool_groups == b.pool_groups;
  }
};

/// Checks a spec. @throws invalid_input naming the parameter.
QUICKSTOCK_API void validate(const CountRegression& spec);

}  // namespace quickstock
