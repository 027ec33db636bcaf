// MSTL forecasting: decomposition (stl.cpp), seasonal naive of each seasonal component, the
// trend forecaster on the seasonally adjusted series.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <quickstock/error.hpp>
#include <quickstock/models/model.hpp>
#include <quickstock/models/mstl.hpp>

#include "stl_kernel.hpp"

namespace quickstock {

namespace detail {

std::string format_periods(const std::vector<double>& periods) {
  std::string out = "[";
  for (std::size_t i = 0; i < periods.size(); ++i) {
    if (i > 0) out += ", ";
    const double p = periods[i];
    char buf[40];
    if (std::isfinite(p) && p == std::floor(p) && std::abs(p) < 1e15) {
      std::snprintf(buf, sizeof buf, "%.0f", p);
    } else {
      for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, p);
        if (std::strtod(buf, nullptr) == p) break;
      }
    }
    out += buf;
  }
  return out + "]";
}

namespace {

const Model& default_trend_forecaster() {
  static const Model model = AutoETS{1, "ZZN", std::nullopt};
  return model;
}

template <class T, class = void>
struct has_scalar_season_length : std::false_type {};
template <class T>
struct has_scalar_season_length<T,
                                std::void_t<decltype(std::declval<const T&>().season_length > 1)>>
    : std::is_arithmetic<decltype(std::declval<const T&>().season_length)> {};

// Whether a spec has no seasonal component (so that it may forecast the adjusted series). Any
// spec with a numeric `season_length` above 1 counts as seasonal (models added later included),
// except the ETS forms whose season is explicitly none.
bool non_seasonal(const Model& m) {
  return std::visit(
      [](const auto& s) {
        using T = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<T, ETS>) {
          return s.season == SeasonType::none;
        } else if constexpr (std::is_same_v<T, AutoETS>) {
          return s.season_length == 1 || (s.model.size() == 3 && s.model[2] == 'N');
        } else if constexpr (std::is_same_v<T, MSTL>) {
          return false;
        } else if constexpr (std::is_same_v<T, Ensemble>) {
          const auto members = ensemble_members(s);
          return std::all_of(members.begin(), members.end(),
                             [](const Model& x) { return non_seasonal(x); });
        } else if constexpr (std::is_same_v<T, Conformal>) {
          return non_seasonal(conformal_model(s));
        } else if constexpr (has_scalar_season_length<T>::value) {
          return s.season_length <= 1;
        } else {
          return true;
        }
      },
      m);
}

}  // namespace
}  // namespace detail

const Model& trend_forecaster(const MSTL& spec) {
  return spec.trend_forecaster ? spec.trend_forecaster->model : detail::default_trend_forecaster();
}

MSTL make_mstl(std::vector<double> season_length, Model trend_forecaster) {
  MSTL spec;
  spec.season_length = std::move(season_length);
  spec.trend_forecaster = std::make_shared<const ModelBox>(ModelBox{std::move(trend_forecaster)});
  validate(spec);
  return spec;
}

bool operator==(const MSTL& a, const MSTL& b) noexcept {
  if (a.season_length != b.season_length) return false;
  const Model& ta = trend_forecaster(a);
  const Model& tb = trend_forecaster(b);
  if (ta.index() != tb.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return x == std::get<T>(tb);
      },
      ta);
}

void validate(const MSTL& spec) {
  if (spec.season_length.empty()) {
    detail::raise_argument("season_length", "MSTL needs at least one season length");
  }
  for (const double p : spec.season_length) {
    if (!std::isfinite(p) || p < 1.0) {
      detail::raise_argument(
          "season_length",
          "every season length must be a finite number >= 1 (got " + std::to_string(p) + ")");
    }
  }
  const Model& trend = trend_forecaster(spec);
  if (!detail::non_seasonal(trend)) {
    detail::raise_argument("trend_forecaster",
                           "the trend forecaster of MSTL must be a non-seasonal model (got " +
                               to_string(trend) +
                               "): the seasonal components are forecast by MSTL itself");
  }
  std::visit([](const auto& s) { validate(s); }, trend);
}

namespace {

// MSTL's decomposition of `s`, with the seasonally adjusted series (or `s` itself, see
// `MSTL`) given to `fit_trend`.
template <class FitTrend>
MSTLFitted decompose_and_fit(const MSTL& spec, const SeriesView& s, FitTrend&& fit_trend) {
  const std::vector<double>& season_length = spec.season_length;
  const Eigen::Index n = s.y.size();
  if (n == 0) detail::raise_invalid("series has no observations", s.id, std::nullopt, "y");
  for (Eigen::Index t = 0; t < n; ++t) {
    if (!std::isfinite(s.y[t])) {
      detail::raise_invalid("MSTL needs finite observations (got " + std::to_string(s.y[t]) +
                                " at position " + std::to_string(t) + ")",
                            s.id, std::nullopt, "y");
    }
  }
  MSTLFitted f;
  std::string note;
  const bool constant = (s.y.array() == s.y[0]).all();
  std::vector<double> periods;
  if (constant) {
    note = "constant series: no seasonal component, trend forecaster alone";
  } else {
    periods = detail::mstl_periods(season_length, n);
    if (periods.size() < season_length.size()) {
      std::vector<double> dropped;
      for (const double p : season_length) {
        if (std::find(periods.begin(), periods.end(), p) == periods.end()) dropped.push_back(p);
      }
      note = periods.empty() ? "no season length with two full cycles in the series " +
                                   detail::format_periods(dropped) + ": trend forecaster alone"
                             : "season lengths dropped (below 2, or without two full cycles) " +
                                   detail::format_periods(dropped);
    }
  }
  if (periods.empty()) {
    f.trend = fit_trend(s);
  } else {
    const auto k = static_cast<Eigen::Index>(periods.size());
    Eigen::MatrixXd seasonal(n, k);
    Eigen::VectorXd trend_part(n);
    Eigen::VectorXd adjusted(n);
    const double scale = detail::magnitude_scale(s.y);  // power of two, 1 for usual data
    const Eigen::VectorXd y = s.y / scale;
    detail::StlWorkspace ws;
    MSTLOptions options;
    detail::mstl_kernel(y.data(), n, periods, options, ws, seasonal.data(), trend_part.data(),
                        adjusted.data());
    seasonal *= scale;
    adjusted *= scale;
    f.periods = periods;
    for (Eigen::Index i = 0; i < k; ++i) {
      const auto m = static_cast<Eigen::Index>(std::floor(periods[static_cast<std::size_t>(i)]));
      f.last_seasons.emplace_back(seasonal.col(i).tail(m));
    }
    const SeriesView adj{Eigen::Map<const Eigen::VectorXd>(adjusted.data(), n), s.x, s.start, s.id};
    f.trend = fit_trend(adj);
  }
  const std::string inner = f.trend.fallback();
  if (!inner.empty()) note += (note.empty() ? "" : "; ") + ("trend forecaster: " + inner);
  f.fallback = std::move(note);
  return f;
}

}  // namespace

MSTLFitted MSTL::fit(const SeriesView& s) const {
  const Model& trend = quickstock::trend_forecaster(*this);
  return decompose_and_fit(*this, s, [&](const SeriesView& v) {
    return std::visit([&](const auto& spec) { return SeriesFitted(spec.fit(v)); }, trend);
  });
}

std::optional<MSTLFitted> MSTL::forward(const MSTLFitted& fitted, const SeriesView& s) const {
  const Model& trend = quickstock::trend_forecaster(*this);
  MSTLFitted f = decompose_and_fit(
      *this, s, [&](const SeriesView& v) { return forward_or_refit(trend, fitted.trend, v); });
  // Other periods kept (or the constant-series rule) change what the trend forecaster models.
  if (f.periods != fitted.periods) return std::nullopt;
  return f;
}

SeriesForecast MSTLFitted::forecast(const ForecastOptions& options) const {
  ForecastOptions raw = options;
  raw.nonnegative = false;
  SeriesForecast out = trend.forecast(raw);
  const auto h = static_cast<Eigen::Index>(options.h);
  for (std::size_t i = 0; i < last_seasons.size(); ++i) {
    const Eigen::VectorXd& last = last_seasons[i];
    const Eigen::Index m = last.size();
    for (Eigen::Index j = 0; j < h; ++j) {
      const double v = last[j % m];
      out.mean[j] += v;
      out.quantiles.row(j).array() += v;
    }
  }
  if (options.nonnegative) {
    out.mean = out.mean.cwiseMax(0.0);
    out.quantiles = out.quantiles.cwiseMax(0.0);
  }
  return out;
}

Eigen::MatrixXd MSTLFitted::sample_paths(std::int64_t h,
                                         std::int64_t n_paths,
                                         detail::PathRng& rng) const {
  Eigen::MatrixXd out = trend.sample_paths(h, n_paths, rng);
  const auto hh = static_cast<Eigen::Index>(h);
  for (std::size_t i = 0; i < last_seasons.size(); ++i) {
    const Eigen::VectorXd& last = last_seasons[i];
    const Eigen::Index m = last.size();
    for (Eigen::Index j = 0; j < hh; ++j) out.col(j).array() += last[j % m];
  }
  return out;
}

std::string MSTLFitted::path_method() const {
  return trend.native_paths() ? "native" : "native (season) + quantile_copula (trend)";
}

Contributions MSTLFitted::contributions(const ForecastOptions& options) const {
  Contributions t = trend.contributions(options, "trend");
  const auto h = static_cast<Eigen::Index>(options.h);
  const Eigen::Index nt = t.values.cols();
  const auto ns = static_cast<Eigen::Index>(last_seasons.size());
  Contributions out;
  out.components = std::move(t.components);
  out.values.resize(h, nt + ns);
  out.values.leftCols(nt) = t.values;
  for (std::size_t i = 0; i < last_seasons.size(); ++i) {
    const std::string text = detail::format_periods({periods[i]});  // "[7]"
    out.components.push_back("season_" + text.substr(1, text.size() - 2));
    const Eigen::VectorXd& last = last_seasons[i];
    const Eigen::Index m = last.size();
    const auto col = nt + static_cast<Eigen::Index>(i);
    for (Eigen::Index j = 0; j < h; ++j) out.values(j, col) = last[j % m];
  }
  return out;
}

}  // namespace quickstock
