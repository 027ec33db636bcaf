#pragma once

/// @file
/// Forecast combination weighted by a rolling-origin backtest on each series' own tail
/// (`Ensemble`), and split-conformal recalibration of any model's quantiles from backtest
/// residuals per horizon step (`Conformal`). See docs/ensemble.md and docs/conformal.md.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/models/forecast.hpp>
#include <quickstock/models/mstl.hpp>

namespace quickstock {

/// How an `Ensemble` weights its members.
enum class EnsembleWeighting {
  cv,     ///< inverse backtest mean squared error over the forecast steps (Bates & Granger 1969)
  equal,  ///< 1 / number of members
  given   ///< the spec's `weights`, normalised to sum 1
};

/// One series fitted by `Ensemble`.
struct EnsembleFitted {
  std::vector<SeriesFitted> members;  ///< every member refitted on the full series, spec order
  /// Members × backtest steps: the mean over the backtest windows of the squared forecast error
  /// at step `j + 1`, in units of the series' largest |y| (scale-free weights, no overflow);
  /// +inf for a member that failed on a window. 0 columns when there was no backtest.
  Eigen::MatrixXd backtest_mse;
  /// Weights not taken from the backtest (`equal`, `given`, or the equal-weight fallback),
  /// normalised; empty when the weights come from `backtest_mse`.
  Eigen::VectorXd fixed_weights;
  std::string fallback;  ///< non-empty when a documented fallback rule was used (says which)

  /// The member weights of a forecast of `h` steps (sum 1, each >= 0): `fixed_weights` when set;
  /// else proportional to 1 / MSE_k with MSE_k the mean of `backtest_mse` row k over the first
  /// min(h, backtest steps) steps; members with MSE 0 share the weight equally when there are
  /// any; equal weights when every member failed.
  [[nodiscard]] Eigen::VectorXd weights(std::int64_t h) const;
  /// The weighted mean of the members' means, and at each quantile level the weighted mean of
  /// the members' quantiles (quantile averaging, "Vincentization"): ordered across levels and
  /// non-negative whenever every member's are. Members of weight 0 are not evaluated.
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const;
  friend bool operator==(const EnsembleFitted& a, const EnsembleFitted& b) noexcept {
    return a.members == b.members && a.backtest_mse.rows() == b.backtest_mse.rows() &&
           a.backtest_mse.cols() == b.backtest_mse.cols() && a.backtest_mse == b.backtest_mse &&
           a.fixed_weights.size() == b.fixed_weights.size() && a.fixed_weights == b.fixed_weights &&
           a.fallback == b.fallback;
  }
};

/// A combination of models of the library (statsforecast and R have none built in; the method is
/// Bates & Granger's (1969) inverse-MSE combination with Vincentized quantiles, Lichtendahl,
/// Grushka-Cockayne & Winkler 2013).
///
/// Per series, with `weighting == cv`: a rolling-origin backtest on the series' own tail —
/// window `w` (w = 1..W) fits every member on all but the last `w·h` observations and forecasts
/// the next `h` (non-overlapping windows, step `h`); the squared errors per step are kept, and
/// at forecast time a member's weight is proportional to 1 / (its MSE over the first
/// min(forecast h, h) backtest steps). Then every member is refitted on the full series. The
/// mean is the weighted mean of the members' means and each quantile the weighted mean of the
/// members' quantiles at that level (see `EnsembleFitted::forecast`).
///
/// Fallbacks (`fallback` says which; never an error for a valid spec and finite data): a series
/// shorter than (n_windows + 1)·h gets as many windows as leave at least `h` observations to
/// train on; shorter than 2·h, one window of ⌊n/2⌋ steps; one observation, equal weights. A
/// member that fails on a backtest window gets weight 0; if all fail, equal weights. Members'
/// own fallbacks on the full series are reported as `member i (Name): note`.
///
/// Members must not use covariates (refused by `validate`, field "models").
///
/// **Example**
/// ```cpp
/// auto spec = quickstock::make_ensemble({quickstock::AutoETS{24}, quickstock::AutoTheta{24}},
///                                       quickstock::EnsembleWeighting::cv, {}, 2, 48);
/// auto fitted = quickstock::fit_panel(spec, panel, 4);
/// ```
struct Ensemble {
  using Fitted = EnsembleFitted;
  std::vector<std::shared_ptr<const ModelBox>> models;  ///< the members (see `make_ensemble`)
  EnsembleWeighting weighting = EnsembleWeighting::cv;  ///< how members are weighted
  std::vector<double> weights;                          ///< `given` only: one per member, >= 0
  std::int64_t n_windows = 2;                           ///< backtest windows (cv), >= 1
  std::int64_t h = 14;                                  ///< backtest horizon (cv), >= 1
  /// Backtests (cv) and fits every member (see above). @throws invalid_input naming the series
  /// when a member cannot be fitted to the full series (empty or non-finite data).
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  /// `fitted` carried to `s`: the weights (backtest errors) are kept and every member is
  /// carried by `forward_or_refit`. @throws invalid_input as `fit`.
  [[nodiscard]] std::optional<Fitted> forward(const Fitted& fitted, const SeriesView& s) const;

 private:
  [[nodiscard]] std::string member_notes(std::string note,
                                         const std::vector<SeriesFitted>& fits) const;
};

/// Same weighting, weights, windows, horizon and equal members in the same order.
QUICKSTOCK_API bool operator==(const Ensemble& a, const Ensemble& b) noexcept;
/// Checks the members (non-empty, each valid, none using covariates: field "models"), the
/// weights (field "weights"), `n_windows` and `h`. @throws invalid_input naming the field.
QUICKSTOCK_API void validate(const Ensemble& spec);
/// The weighting as text: `"cv"`, `"equal"` or `"given"`.
QUICKSTOCK_API std::string to_string(EnsembleWeighting weighting);
/// Parses `"cv"`, `"equal"` or `"given"`. @throws invalid_input (field "weights") otherwise.
QUICKSTOCK_API EnsembleWeighting parse_ensemble_weighting(const std::string& text);

/// How `Conformal` turns backtest residuals into quantiles.
enum class ConformalMethod {
  signed_residual,   ///< level τ: the ⌈(n+1)τ⌉-th smallest signed residual (asymmetric)
  absolute_residual  ///< level τ: ± the ⌈(n+1)|2τ−1|⌉-th smallest |residual| (symmetric)
};

/// One series fitted by `Conformal`.
struct ConformalFitted {
  SeriesFitted model;  ///< the wrapped model refitted on the full series
  /// Per backtest step (column), the calibration residuals y − mean of every window (rows),
  /// each column sorted ascending (absolute values for `absolute_residual`). 0 columns when
  /// there was no backtest (the model's own quantiles are kept).
  Eigen::MatrixXd residuals;
  ConformalMethod method = ConformalMethod::signed_residual;
  std::string fallback;  ///< non-empty when a documented fallback rule was used (says which)

  /// The wrapped model's mean; quantiles mean + the conformal quantile of the residuals of the
  /// same step (the last backtest step beyond it), censored at 0 with `options.nonnegative`.
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const;
  friend bool operator==(const ConformalFitted& a, const ConformalFitted& b) noexcept {
    return a.model == b.model && a.residuals.rows() == b.residuals.rows() &&
           a.residuals.cols() == b.residuals.cols() && a.residuals == b.residuals &&
           a.method == b.method && a.fallback == b.fallback;
  }
};

/// Split-conformal quantiles for any model of the library (Vovk et al. 2005; per-step
/// calibration as Stankeviciute, Alaa & van der Schaar 2021 and statsforecast's
/// `ConformalIntervals`): rolling-origin windows `w = 0..n_windows−1`, window `w` trained on all
/// but the last `h + w·step_size` observations, give `n_windows` residuals y − mean per step
/// 1..h. The forecast keeps the model's mean; quantile level τ at step j is the mean plus the
/// k-th smallest residual of step j with the finite-sample correction k = ⌈(n+1)τ⌉ (signed; for
/// τ < 1/2 the ⌊(n+1)τ⌋-th) or ± the ⌈(n+1)|2τ−1|⌉-th smallest |residual| (absolute), n the
/// number of residuals. When k falls outside 1..n (too few windows for the level: τ or 1 − τ
/// below 1/(n+1)) the extreme residual is used and that level's guarantee does not hold (see
/// docs/conformal.md). Steps beyond `h`
/// reuse step h's residuals (documented under-coverage for growing uncertainty).
///
/// Fallbacks: a series too short for `n_windows` windows keeping 1 training observation gets
/// fewer; with fewer than 2 residuals the model's own quantiles are kept.
struct Conformal {
  using Fitted = ConformalFitted;
  std::shared_ptr<const ModelBox> model;  ///< the wrapped model (see `make_conformal`)
  std::int64_t n_windows = 20;            ///< calibration windows, >= 1
  std::int64_t h = 14;                    ///< calibrated steps, >= 1
  std::int64_t step_size = 1;             ///< origins apart, >= 1
  ConformalMethod method = ConformalMethod::signed_residual;
  /// true: every calibration window fits the model; false: the oldest window is fitted and the
  /// later ones carry that fit forward (`forward_or_refit`, docs/cross-validation.md), about
  /// `n_windows` times cheaper for models whose cost is estimation. The full-series fit is a
  /// fit either way.
  bool refit = true;
  /// Backtests and fits the model. @throws invalid_input naming the series when the model
  /// cannot be fitted to the full series.
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  /// `fitted` carried to `s`: the calibration residuals are kept and the model is carried by
  /// `forward_or_refit`. @throws invalid_input as `fit`.
  [[nodiscard]] std::optional<Fitted> forward(const Fitted& fitted, const SeriesView& s) const;

 private:
  static std::string with_model_note(std::string note, const SeriesFitted& fitted);
};

/// Same settings (`refit` included) and equal wrapped models.
QUICKSTOCK_API bool operator==(const Conformal& a, const Conformal& b) noexcept;
/// Checks the wrapped model (valid, no covariates: field "model"), `n_windows`, `h`,
/// `step_size`. @throws invalid_input naming the field.
QUICKSTOCK_API void validate(const Conformal& spec);
/// The method as text: `"signed"` or `"absolute"`.
QUICKSTOCK_API std::string to_string(ConformalMethod method);
/// Parses `"signed"` or `"absolute"`. @throws invalid_input (field "method") otherwise.
QUICKSTOCK_API ConformalMethod parse_conformal_method(const std::string& text);

}  // namespace quickstock
