#pragma once

/// @file
/// Seasonal-trend decomposition by loess: STL (Cleveland, Cleveland, McRae & Terpenning 1990,
/// *STL: A Seasonal-Trend Decomposition Procedure Based on Loess*, J. Official Statistics 6(1))
/// with the arguments and defaults of R's `stats::stl`, and its multi-seasonal extension MSTL
/// (Bandara, Hyndman & Bergmeir 2021, *MSTL: A Seasonal-Trend Decomposition Algorithm for Time
/// Series with Multiple Seasonal Patterns*, arXiv:2107.13462) as R's `forecast::mstl`.
/// See docs/mstl.md.

#include <cstdint>
#include <optional>
#include <vector>

#include <Eigen/Core>

#include <quickstock/config.hpp>

namespace quickstock {

/// The arguments of R's `stl(x, s.window, s.degree, t.window, t.degree, l.window, l.degree,
/// s.jump, t.jump, l.jump, robust, inner, outer)`; an unset optional takes R's default.
struct STLOptions {
  /// Frequency of the series (R's `frequency(x)`), >= 2; may be non-integer (365.25): the
  /// cycle-subseries use its integer part, as R passes `as.integer(period)` to its kernel, while
  /// the default `t.window` and `l.window` use the value itself, as R does.
  double period = 2.0;
  /// Seasonal loess window (odd; an even value is raised by one, as R's kernel does);
  /// nullopt is R's `s.window = "periodic"`: window 10·n + 1, degree 0, and the seasonal
  /// component replaced by its mean at each position of the cycle.
  std::optional<std::int64_t> s_window;
  int s_degree = 0;  ///< 0 or 1 (forced to 0 when periodic, as R)
  /// Trend window; default `nextodd(ceiling(1.5·period / (1 − 1.5/s.window)))`.
  std::optional<std::int64_t> t_window;
  int t_degree = 1;  ///< 0 or 1
  /// Low-pass window; default `nextodd(period)` (R rounds the period half to even).
  std::optional<std::int64_t> l_window;
  std::optional<int> l_degree;         ///< default `t_degree`
  std::optional<std::int64_t> s_jump;  ///< default `ceiling(s.window / 10)`
  std::optional<std::int64_t> t_jump;  ///< default `ceiling(t.window / 10)`
  std::optional<std::int64_t> l_jump;  ///< default `ceiling(l.window / 10)`
  bool robust = false;                 ///< bisquare robustness weights (R's `robust`)
  std::optional<int> inner;            ///< default 1 if robust, else 2
  std::optional<int> outer;            ///< default 15 if robust, else 0
};

/// An STL decomposition: `y = trend + seasonal + remainder` (each of length n).
struct STLDecomposition {
  Eigen::VectorXd trend;
  Eigen::VectorXd seasonal;
  Eigen::VectorXd remainder;
  Eigen::VectorXd weights;  ///< final robustness weights (all 1 without outer iterations)
};

/// STL of a regular series, as R's `stl()`: the inner loop (detrend, smooth each
/// cycle-subseries by loess extended one cycle at each end, low-pass filter by moving averages
/// of lengths p, p, 3 and loess, deseasonalise, smooth the trend by loess) run `inner` times
/// per outer pass, robustness weights `B(|r| / (6·median|r|))` (bisquare) between outer
/// passes. Loess fits are evaluated every `jump` points and linearly interpolated between, as
/// R's kernel; workspaces are allocated once per call, nothing per point.
///
/// **Example**
/// ```cpp
/// quickstock::STLOptions o;
/// o.period = 12;               // monthly, s.window = "periodic"
/// auto d = quickstock::stl(y, o);
/// ```
/// @param y the series, finite, length > 2·period
/// @param options R's arguments
/// @return trend, seasonal and remainder
/// @throws invalid_input (field "y", "period", "s_window", ...) for non-finite values, a
///         period < 2, a series not longer than two periods, or a bad window/degree/jump
[[nodiscard]] QUICKSTOCK_API STLDecomposition stl(const Eigen::Ref<const Eigen::VectorXd>& y,
                                                  const STLOptions& options);

/// The arguments of R's `forecast::mstl(x, iterate, s.window)` (no Box-Cox `lambda`).
struct MSTLOptions {
  /// Seasonal periods (R's `msts` periods), each >= 1 and finite, any order; non-integer ones
  /// allowed (see `STLOptions::period`). Periods below 2 are ignored (no season), as are periods
  /// with fewer than two full cycles in the series (`period >= n / 2`, as R drops them).
  std::vector<double> periods;
  /// Passes over the periods; R's default 2. With a single period one pass is made: a second
  /// decomposes the same series again (R's `mstl` of a plain `ts` sets `iterate = 1`).
  int iterate = 2;
  /// Seasonal windows by sorted period; empty means R's default `7 + 4·i` (11, 15, 19, …) for
  /// the i-th kept period; a single value applies to every period; 0 means "periodic".
  std::vector<std::int64_t> s_window;
  bool robust = false;  ///< passed to every `stl` call (R's `...`)
};

/// An MSTL decomposition: `y = trend + Σ seasonal.col(k) + remainder`.
struct MSTLDecomposition {
  std::vector<double> periods;  ///< the periods kept, ascending (one column of `seasonal` each)
  Eigen::VectorXd trend;
  Eigen::MatrixXd seasonal;  ///< n × periods.size()
  Eigen::VectorXd remainder;
};

/// MSTL as R's `forecast::mstl`: periods sorted ascending, those with fewer than two cycles
/// dropped; then `iterate` times, for each period, add its seasonal component back to the
/// deseasonalised series, decompose that by `stl(s.window = 7 + 4·i)` with the period as
/// frequency, and subtract the new seasonal component. The trend is the last STL's trend.
/// With no period left, the trend is the series itself and the remainder 0 (R smooths it by
/// `supsmu` instead; MSTL forecasting does not depend on that split).
///
/// **Example**
/// ```cpp
/// quickstock::MSTLOptions o;
/// o.periods = {24, 168};  // hourly: daily and weekly cycles
/// auto d = quickstock::mstl(y, o);
/// ```
/// @throws invalid_input (field "y", "season_length", "s_window") for non-finite values, a
///         bad period or window
[[nodiscard]] QUICKSTOCK_API MSTLDecomposition mstl(const Eigen::Ref<const Eigen::VectorXd>& y,
                                                    const MSTLOptions& options);

}  // namespace quickstock
