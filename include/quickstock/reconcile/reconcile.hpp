#pragma once

/// @file
/// Forecast reconciliation over a `Hierarchy`: bottom-up, top-down (three proportion rules),
/// middle-out and MinT (ols, wls_struct, wls_var, mint_shrink), optionally non-negative, plus
/// coherent quantiles from reconciled sample paths.
///
/// Every method returns coherent forecasts `S b` for bottom forecasts `b`. MinT (Wickramasuriya,
/// Athanasopoulos & Hyndman 2019, JASA 114:804) is computed in its constraint form
/// `ỹ = ŷ − W C' (C W C')⁻¹ C ŷ` with `C = [I, −A]` (A: the aggregated rows of `S`), so the only
/// system solved is `n_aggregated × n_aggregated` and sparse (sparse LDLᵀ, AMD ordering); the
/// shrinkage covariance `W = D + U Uᵀ` of `mint_shrink` (Schäfer & Strimmer 2005) enters through
/// Woodbury identities with `U` of rank `k` = number of residual rows: no `n × n` matrix is ever
/// formed. Conventions (covariance, ridge, proportions) follow hierarchicalforecast 1.5.3 so
/// results agree with it; see `docs/reconciliation.md`.
///
/// **Example** (OLS reconciliation of one forecast column)
/// ```cpp
/// Eigen::MatrixXd base(6, 1);
/// base << 10, 4, 5, 2, 2, 3;  // Total, North, West, three pincodes
/// quickstock::ReconcileOptions opt;
/// opt.method = quickstock::ReconcileMethod::ols;
/// const auto r = quickstock::reconcile(h, base, opt);  // r.values: coherent 6 × 1
/// ```

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/error.hpp>
#include <quickstock/reconcile/hierarchy.hpp>

namespace quickstock {

/// Reconciliation method (values equal the Python strings).
enum class ReconcileMethod {
  bottom_up,    ///< `S ŷ_bottom`
  top_down,     ///< split the top level's forecast by proportions
  middle_out,   ///< top-down below a middle level, bottom-up above it
  ols,          ///< MinT with W = I
  wls_struct,   ///< MinT with W = diag(S 1) (number of bottom series under each node)
  wls_var,      ///< MinT with W = diag of the mean squared residuals (+ 2e-8)
  mint_shrink,  ///< MinT with the Schäfer–Strimmer shrinkage covariance of the residuals
};

/// How top-down and middle-out split a forecast into bottom series.
enum class TopDownMethod {
  forecast_proportions,  ///< level by level, in proportion to the children's base forecasts
  average_proportions,   ///< p_b = mean_t (y_b,t / y_top,t) over the history
  proportion_averages,   ///< p_b = mean_t y_b,t / mean_t y_top,t over the history
};

/// Options of `reconcile`.
struct ReconcileOptions {
  ReconcileMethod method = ReconcileMethod::ols;                 ///< the method
  TopDownMethod top_down = TopDownMethod::forecast_proportions;  ///< top_down / middle_out rule
  std::int64_t level = 0;    ///< middle_out: index of the middle level (0 < level < bottom)
  bool nonnegative = false;  ///< reconciled values >= 0 (see `reconcile`)
  double tolerance = 1e-9;   ///< non-negative MinT: stop when the KKT residual is below
  std::int64_t max_iterations = 20000;  ///< non-negative MinT: iteration cap per column block
  double shrink_ridge = 2e-8;           ///< mint_shrink: floor of the covariance diagonal
  friend bool operator==(const ReconcileOptions& a, const ReconcileOptions& b) noexcept {
    return a.method == b.method && a.top_down == b.top_down && a.level == b.level &&
           a.nonnegative == b.nonnegative && a.tolerance == b.tolerance &&
           a.max_iterations == b.max_iterations && a.shrink_ridge == b.shrink_ridge;
  }
};

/// Coherent forecasts and how they were reached.
struct ReconcileResult {
  Eigen::MatrixXd values;       ///< `n_series × K` coherent forecasts (`S` times the bottom)
  Eigen::MatrixXd bottom;       ///< `n_bottom × K` reconciled bottom forecasts
  double kkt_residual = 0.0;    ///< non-negative MinT: largest relative KKT residual reached
  std::int64_t iterations = 0;  ///< non-negative MinT: largest iteration count of a block
  double shrinkage = 0.0;       ///< mint_shrink: the Schäfer–Strimmer intensity λ
  std::string fallback;         ///< "" or which documented fallback was used
};

/// Reconciles `base` (`n_series × K`, rows in hierarchy order, one column per forecast slice; a
/// matrix or a column block of one, read in place).
///
/// `residuals` (`n_series × T`, complete columns only) feed `wls_var` and `mint_shrink`;
/// `history` (`n_series × T'`, NaN where a series has no value) feeds the historical
/// top-down rules. With `nonnegative`, bottom-up, top-down and middle-out clip the base
/// forecasts at 0 before combining them; MinT methods solve `min (ŷ⁺ − S b)' W⁻¹ (ŷ⁺ − S b)`
/// over `b >= 0` (ŷ⁺: base clipped at 0, as hierarchicalforecast) by a diagonally scaled
/// accelerated projected gradient (FISTA with adaptive restart, Beck & Teboulle 2009) from the
/// clipped unconstrained solution; it stops when the relative fixed-point (KKT) residual is
/// below `tolerance` or after `max_iterations`, and always returns `S b` with `b >= 0`; the
/// residual reached is `kkt_residual`.
/// `n_threads` (<= 0: all cores) spreads the work over fixed blocks that do not depend on it: the
/// unconstrained MinT solve over blocks of 32 slices; the non-negative iteration over blocks of
/// 32 of the slices that need it (each block runs its own FISTA; `kkt_residual` and
/// `iterations` are the largest over blocks); top-down and middle-out over blocks of 32 slices
/// (forecast proportions) or over bottom series (historical rules). Every value is computed by one
/// thread alone, so the result is bit-identical for any `n_threads` (bottom-up is one thread).
/// @throws invalid_input (field `base`, `residuals`, `history`, `level` or `method`) for wrong
/// shapes, non-finite values, missing residuals or history, a middle level out of range, or
/// top-down on levels that are not nested.
[[nodiscard]] QUICKSTOCK_API ReconcileResult
reconcile(const Hierarchy& h,
          const Eigen::Ref<const Eigen::MatrixXd>& base,
          const ReconcileOptions& options,
          const Eigen::MatrixXd* residuals = nullptr,
          const Eigen::MatrixXd* history = nullptr,
          int n_threads = 1);

/// Options of `reconcile_quantiles`.
struct QuantileReconcileOptions {
  std::vector<double> levels;     ///< quantile levels of the input and output, increasing
  std::int64_t n_samples = 1000;  ///< sample paths drawn per forecast slice (rounded up to a
                                  ///< multiple of the number of residual rows)
  bool nonnegative = false;       ///< shift samples multiplicatively so they stay >= 0
  std::uint64_t seed = 0;         ///< seed of the independent copula (no residuals)
};

/// Coherent quantiles at every level from bottom quantiles and reconciled bottom means.
///
/// For each slice `k`: a marginal sample of every bottom series is read off its quantile
/// function (linear between the given levels, flat beyond them) at stratified probabilities;
/// the samples of different bottom series are joined by the empirical copula of the bottom
/// residuals (sample `m` of series `b` has the rank of residual row `m mod T` of `b`: Ben Taieb,
/// Taylor & Hyndman 2017, "Coherent probabilistic forecasts for hierarchical time series", ICML)
/// or, without residuals, by independent permutations seeded from `seed`; each bottom sample is
/// moved so its mean equals the reconciled bottom mean (added, or multiplied when `nonnegative`
/// and the sample mean is > 0); the paths are summed with `S` and every series' quantiles are
/// read from its coherent paths (type 7). Output quantiles are therefore ordered.
/// @param h the hierarchy
/// @param bottom_quantiles `K × n_bottom × Q` row-major base quantiles of the bottom series
/// @param reconciled_bottom `n_bottom × K` reconciled bottom means
/// @param residual_ranks `n_bottom × T` residuals of the bottom series (or nullptr)
/// @param options levels, samples, non-negativity, seed
/// @param n_threads threads (<= 0: all cores) over bottom series and aggregated rows of each
/// slice; every output value is computed by one thread alone, so the result does not depend on it
/// @return `K × n_series × Q` row-major quantiles
/// @throws invalid_input (field `quantiles`) for mismatched sizes or non-finite quantiles.
[[nodiscard]] QUICKSTOCK_API std::vector<double> reconcile_quantiles(
    const Hierarchy& h,
    const std::vector<double>& bottom_quantiles,
    const Eigen::MatrixXd& reconciled_bottom,
    const Eigen::MatrixXd* residual_ranks,
    const QuantileReconcileOptions& options,
    int n_threads = 1);

/// The method's name as the Python string (`"ols"`, `"mint_shrink"`, ...).
[[nodiscard]] QUICKSTOCK_API std::string to_string(ReconcileMethod method);
/// Parses a method name. @throws invalid_input (field `method`) naming the value.
[[nodiscard]] QUICKSTOCK_API ReconcileMethod parse_reconcile_method(const std::string& name);
/// Parses a top-down rule name. @throws invalid_input (field `top_down_method`).
[[nodiscard]] QUICKSTOCK_API TopDownMethod parse_top_down_method(const std::string& name);

}  // namespace quickstock
