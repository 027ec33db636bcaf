#pragma once

/// @file
/// MSTL forecasting (Bandara, Hyndman & Bergmeir 2021; R `forecast(mstl(x))`, statsforecast
/// `MSTL`): decompose by MSTL, forecast each seasonal component by seasonal naive and the
/// seasonally adjusted series by a non-seasonal model of the library. See docs/mstl.md.

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include <quickstock/config.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/models/forecast.hpp>
#include <quickstock/models/stl.hpp>

namespace quickstock {

/// One `Model` behind a pointer, so that a spec can hold another spec (MSTL's trend
/// forecaster) although `Model` is a variant that contains it. Defined in
/// `quickstock/models/model.hpp`.
struct ModelBox;

/// One series fitted by any model (the `Fitted` of any spec), type-erased: a value type with
/// shared immutable state, forecast by one indirect call per series (never per observation).
class SeriesFitted {
 public:
  /// An empty value; `forecast` on it throws `std::logic_error`.
  SeriesFitted() = default;
  /// Wraps a model's fitted value (e.g. an `ETSFitted`).
  template <class Fitted,
            class = std::enable_if_t<!std::is_same_v<std::decay_t<Fitted>, SeriesFitted>>>
  explicit SeriesFitted(Fitted fitted)
      : impl_(std::make_shared<const Holder<std::decay_t<Fitted>>>(std::move(fitted))) {}

  /// The wrapped model's forecast.
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const {
    if (!impl_) throw std::logic_error("SeriesFitted: empty");
    return impl_->forecast(options);
  }
  /// The wrapped model's `contributions` (called with `options.nonnegative` false); a model
  /// without them gives its uncensored mean as one component named `name`.
  [[nodiscard]] Contributions contributions(const ForecastOptions& options,
                                            const std::string& name) const {
    if (!impl_) throw std::logic_error("SeriesFitted: empty");
    return impl_->contributions(options, name);
  }
  /// `n_paths × h` uncensored sample paths of the wrapped model: its own simulation when it
  /// has one (`has_sample_paths_v`), else the quantile copula of its forecast
  /// (`detail::copula_paths`, AR(1) correlation `correlation`).
  [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng,
                                             double correlation = 0.0) const {
    if (!impl_) throw std::logic_error("SeriesFitted: empty");
    return impl_->sample_paths(h, n_paths, rng, correlation);
  }
  /// True when the wrapped model simulates natively (false when empty).
  [[nodiscard]] bool native_paths() const { return impl_ && impl_->native_paths(); }
  /// The wrapped model's fallback note ("" when none, or when empty).
  [[nodiscard]] std::string fallback() const { return impl_ ? impl_->fallback() : std::string(); }
  /// The wrapped value if it is a `Fitted`, else nullptr.
  template <class Fitted>
  [[nodiscard]] const Fitted* get() const noexcept {
    const auto* h = dynamic_cast<const Holder<Fitted>*>(impl_.get());
    return h != nullptr ? &h->value : nullptr;
  }
  /// Same wrapped type and equal values (two empty values are equal).
  friend bool operator==(const SeriesFitted& a, const SeriesFitted& b) noexcept {
    if (!a.impl_ || !b.impl_) return !a.impl_ && !b.impl_;
    return a.impl_->equals(*b.impl_);
  }

 private:
  struct Concept {
    Concept() = default;
    Concept(const Concept&) = delete;
    Concept& operator=(const Concept&) = delete;
    Concept(Concept&&) = delete;
    Concept& operator=(Concept&&) = delete;
    virtual ~Concept() = default;
    [[nodiscard]] virtual SeriesForecast forecast(const ForecastOptions& options) const = 0;
    [[nodiscard]] virtual Contributions contributions(const ForecastOptions& options,
                                                      const std::string& name) const = 0;
    [[nodiscard]] virtual Eigen::MatrixXd sample_paths(std::int64_t h,
                                                       std::int64_t n_paths,
                                                       detail::PathRng& rng,
                                                       double correlation) const = 0;
    [[nodiscard]] virtual bool native_paths() const noexcept = 0;
    [[nodiscard]] virtual std::string fallback() const = 0;
    [[nodiscard]] virtual bool equals(const Concept& other) const noexcept = 0;
  };
  template <class Fitted>
  struct Holder final : Concept {
    explicit Holder(Fitted v) : value(std::move(v)) {}
    [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const override {
      return value.forecast(options);
    }
    [[nodiscard]] Contributions contributions(const ForecastOptions& options,
                                              const std::string& name) const override {
      ForecastOptions raw = options;
      raw.nonnegative = false;
      if constexpr (has_contributions_v<Fitted>) {
        return value.contributions(raw);
      } else {
        raw.quantiles.clear();
        return Contributions{{name}, value.forecast(raw).mean};
      }
    }
    [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                               std::int64_t n_paths,
                                               detail::PathRng& rng,
                                               double correlation) const override {
      if constexpr (has_sample_paths_v<Fitted>) {
        (void)correlation;
        return value.sample_paths(h, n_paths, rng);
      } else {
        const ForecastOptions grid{h, detail::copula_levels(), false};
        return detail::copula_paths(value.forecast(grid), n_paths, correlation, rng);
      }
    }
    [[nodiscard]] bool native_paths() const noexcept override { return has_sample_paths_v<Fitted>; }
    [[nodiscard]] std::string fallback() const override { return value.fallback; }
    [[nodiscard]] bool equals(const Concept& other) const noexcept override {
      const auto* o = dynamic_cast<const Holder*>(&other);
      return o != nullptr && o->value == value;
    }
    Fitted value;
  };
  std::shared_ptr<const Concept> impl_;
};

/// One series fitted by `MSTL`.
struct MSTLFitted {
  std::vector<double> periods;  ///< seasonal periods kept (ascending); empty: none
  /// Per kept period, the last ⌊period⌋ values of its seasonal component (oldest first): its
  /// seasonal naive forecast repeats them.
  std::vector<Eigen::VectorXd> last_seasons;
  SeriesFitted trend;    ///< the trend forecaster fitted to the seasonally adjusted series
  std::string fallback;  ///< non-empty when a documented fallback rule was used

  /// Forecast `options.h` steps: the trend forecaster's mean and quantiles (computed without
  /// censoring) plus the sum of the seasonal naive forecasts of the seasonal components (R's
  /// `forecast.mstl`, statsforecast's `MSTL`); with `options.nonnegative`, mean and quantiles are
  /// then censored at 0.
  [[nodiscard]] SeriesForecast forecast(const ForecastOptions& options) const;
  /// `n_paths × h` sample paths (uncensored): the trend forecaster's paths
  /// (`SeriesFitted::sample_paths`) plus the seasonal naive forecasts of the seasonal
  /// components, which are deterministic as in `forecast`. docs/sample-paths.md.
  [[nodiscard]] Eigen::MatrixXd sample_paths(std::int64_t h,
                                             std::int64_t n_paths,
                                             detail::PathRng& rng) const;
  /// `"native"`, or `"native (season) + quantile_copula (trend)"` when the trend forecaster
  /// does not simulate natively.
  [[nodiscard]] std::string path_method() const;
  /// The uncensored mean split into the trend forecaster's components (one `trend` component
  /// when it has no split) and one `season_<period>` per kept period (its seasonal naive
  /// forecast; the period as Python prints it, e.g. `season_7`, `season_30.5`).
  [[nodiscard]] Contributions contributions(const ForecastOptions& options) const;
  friend bool operator==(const MSTLFitted& a, const MSTLFitted& b) noexcept {
    return a.periods == b.periods && a.last_seasons == b.last_seasons && a.trend == b.trend &&
           a.fallback == b.fallback;
  }
};

/// MSTL forecasting, as R's `forecast(mstl(msts(y, seasonal.periods)), method = "ets")` and
/// statsforecast's `MSTL(season_length, trend_forecaster)`: the series is decomposed by `mstl`
/// (R's defaults: `iterate = 2`, `s.window = 7 + 4·i`), each seasonal component is forecast by
/// seasonal naive (its last ⌊period⌋ values repeated, as R), and the seasonally adjusted
/// series (trend + remainder) by `trend_forecaster`, any non-seasonal model of the library
/// (default `AutoETS(model="ZZN")`); quantiles are the trend forecaster's shifted by the
/// seasonal forecast.
///
/// Fallbacks (`fallback` says which; never an error for a valid spec and finite data): periods
/// with fewer than two full cycles in the series are dropped (as R); when none is left, or the
/// series is constant (all zero included), the trend forecaster is fitted to the series alone.
///
/// **Example**
/// ```cpp
/// auto spec = quickstock::make_mstl({24, 168}, quickstock::AutoETS{1, "ZZN", std::nullopt});
/// auto fitted = quickstock::fit_panel(spec, panel, 4);
/// ```
struct MSTL {
  using Fitted = MSTLFitted;
  std::vector<double> season_length;  ///< seasonal periods, each finite and >= 1, non-empty
  /// The trend forecaster (see `make_mstl`); nullptr means `AutoETS(model="ZZN")`.
  std::shared_ptr<const ModelBox> trend_forecaster;
  /// Decomposes and fits (see above). @throws invalid_input naming the series for an empty
  /// series or a non-finite value.
  [[nodiscard]] Fitted fit(const SeriesView& s) const;
  /// `fitted` carried to `s`: `s` is decomposed (a decomposition has nothing estimated) and the
  /// trend forecaster's fit is carried to the new seasonally adjusted series by
  /// `forward_or_refit`. nullopt when `s` keeps other periods than the fit did (refit then).
  /// @throws invalid_input as `fit`.
  [[nodiscard]] std::optional<Fitted> forward(const Fitted& fitted, const SeriesView& s) const;
};

/// Same periods and equal trend forecasters (an unset one equals `AutoETS(model="ZZN")`).
QUICKSTOCK_API bool operator==(const MSTL& a, const MSTL& b) noexcept;
/// Checks the periods (field "season_length") and that the trend forecaster is valid and
/// non-seasonal (field "trend_forecaster"). @throws invalid_input naming the field.
QUICKSTOCK_API void validate(const MSTL& spec);

}  // namespace quickstock
