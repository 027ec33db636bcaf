// Ensemble (backtest-weighted combination) and Conformal (split-conformal quantiles from
// backtest residuals): both run a rolling-origin backtest of nested models on one series' tail.

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <quickstock/error.hpp>
#include <quickstock/models/ensemble.hpp>
#include <quickstock/models/model.hpp>

namespace quickstock {

namespace detail {
namespace {

SeriesFitted fit_member(const Model& model, const SeriesView& s) {
  return std::visit([&](const auto& spec) { return SeriesFitted(spec.fit(s)); }, model);
}

// The first `n` observations of `s` as a view (same id, covariate rows cut alike).
SeriesView head(const SeriesView& s, Eigen::Index n) {
  return SeriesView{Eigen::Map<const Eigen::VectorXd>(s.y.data(), n),
                    Eigen::Map<const RowMatrixXd>(s.x.data(), n, s.x.cols()), s.start, s.id};
}

// Rolling-origin backtest of `model` on `s`: window w (0-based) trains on the first
// n − h − w·step observations and forecasts h steps; row w gets y − mean per step. Returns
// false in `ok[w]` (row of NaN) for a window where the model raised a quickstock error or
// forecast a non-finite mean. Every origin must keep >= 1 training observation. With `refit`
// false the oldest window is fitted and the others carry that fit forward
// (`forward_or_refit`); when the oldest fit fails, every window is fitted.
Eigen::MatrixXd backtest(const Model& model,
                         const SeriesView& s,
                         Eigen::Index windows,
                         Eigen::Index h,
                         Eigen::Index step,
                         std::vector<bool>& ok,
                         bool refit = true) {
  const Eigen::Index n = s.y.size();
  Eigen::MatrixXd err(windows, h);
  ok.assign(static_cast<std::size_t>(windows), false);
  const ForecastOptions options{h, {}, true};
  std::optional<SeriesFitted> oldest;
  if (!refit) {
    try {
      oldest = fit_member(model, head(s, n - h - (windows - 1) * step));
    } catch (const error&) {
      oldest.reset();
    }
  }
  for (Eigen::Index w = 0; w < windows; ++w) {
    const Eigen::Index origin = n - h - w * step;
    try {
      const SeriesFitted f = oldest ? forward_or_refit(model, *oldest, head(s, origin))
                                    : fit_member(model, head(s, origin));
      const SeriesForecast fc = f.forecast(options);
      if (!fc.mean.allFinite()) throw invalid_input("non-finite backtest forecast", s.id, {}, "y");
      err.row(w) = (s.y.segment(origin, h) - fc.mean).transpose();
      ok[static_cast<std::size_t>(w)] = true;
    } catch (const error&) {
      err.row(w).setConstant(std::numeric_limits<double>::quiet_NaN());
    }
  }
  return err;
}

void check_finite(const SeriesView& s, const char* model) {
  const Eigen::Index n = s.y.size();
  if (n == 0) raise_invalid("series has no observations", s.id, std::nullopt, "y");
  for (Eigen::Index t = 0; t < n; ++t) {
    if (!std::isfinite(s.y[t])) {
      raise_invalid(std::string(model) + " needs finite observations (got " +
                        std::to_string(s.y[t]) + " at position " + std::to_string(t) + ")",
                    s.id, std::nullopt, "y");
    }
  }
}

void check_member(const Model& m, const std::string& field, const std::string& owner) {
  const bool covariates =
      std::visit([](const auto& s) { return uses_covariates_v<std::decay_t<decltype(s)>>; }, m);
  if (covariates) {
    raise_argument(field, owner + " cannot wrap " + to_string(m) + ": it uses covariates, which " +
                              owner + " does not pass to its backtest (use the model alone)");
  }
  std::visit([](const auto& s) { validate(s); }, m);
}

// The part of a fit's note written before its inner models' notes: up to the first `marker`
// at the start or after "; " (the inner notes are rebuilt by `forward`).
std::string own_note(const std::string& note, const std::string& marker) {
  if (note.compare(0, marker.size(), marker) == 0) return {};
  const std::size_t at = note.find("; " + marker);
  return at == std::string::npos ? note : note.substr(0, at);
}

const Model& default_conformal_model() {
  static const Model model = Naive{};
  return model;
}

bool equal_models(const Model& a, const Model& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        return x == std::get<T>(b);
      },
      a);
}

}  // namespace
}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Ensemble

std::string to_string(EnsembleWeighting weighting) {
  switch (weighting) {
    case EnsembleWeighting::cv:
      return "cv";
    case EnsembleWeighting::equal:
      return "equal";
    case EnsembleWeighting::given:
      return "given";
  }
  return "cv";
}

EnsembleWeighting parse_ensemble_weighting(const std::string& text) {
  if (text == "cv") return EnsembleWeighting::cv;
  if (text == "equal") return EnsembleWeighting::equal;
  if (text == "given") return EnsembleWeighting::given;
  detail::raise_argument("weights",
                         "weights must be 'cv', 'equal' or a list of numbers (got '" + text + "')");
}

Ensemble make_ensemble(std::vector<Model> models,
                       EnsembleWeighting weighting,
                       std::vector<double> weights,
                       std::int64_t n_windows,
                       std::int64_t h) {
  Ensemble spec;
  spec.models.reserve(models.size());
  for (auto& m : models)
    spec.models.push_back(std::make_shared<const ModelBox>(ModelBox{std::move(m)}));
  spec.weighting = weighting;
  spec.weights = std::move(weights);
  spec.n_windows = n_windows;
  spec.h = h;
  validate(spec);
  return spec;
}

std::vector<Model> ensemble_members(const Ensemble& spec) {
  std::vector<Model> out;
  out.reserve(spec.models.size());
  for (const auto& m : spec.models) out.push_back(m ? m->model : Model{Naive{}});
  return out;
}

bool operator==(const Ensemble& a, const Ensemble& b) noexcept {
  if (a.weighting != b.weighting || a.weights != b.weights || a.n_windows != b.n_windows ||
      a.h != b.h || a.models.size() != b.models.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.models.size(); ++i) {
    if (!a.models[i] || !b.models[i]) {
      if (a.models[i] != b.models[i]) return false;
      continue;
    }
    if (!detail::equal_models(a.models[i]->model, b.models[i]->model)) return false;
  }
  return true;
}

void validate(const Ensemble& spec) {
  if (spec.models.empty()) detail::raise_argument("models", "Ensemble needs at least one model");
  for (std::size_t i = 0; i < spec.models.size(); ++i) {
    if (!spec.models[i]) {
      detail::raise_argument("models", "Ensemble member " + std::to_string(i) + " is empty");
    }
    detail::check_member(spec.models[i]->model, "models", "Ensemble");
  }
  if (spec.weighting == EnsembleWeighting::given) {
    if (spec.weights.size() != spec.models.size()) {
      detail::raise_argument("weights", "Ensemble needs one weight per model (got " +
                                            std::to_string(spec.weights.size()) + " weights for " +
                                            std::to_string(spec.models.size()) + " models)");
    }
    double total = 0.0;
    for (const double w : spec.weights) {
      if (!std::isfinite(w) || w < 0.0) {
        detail::raise_argument(
            "weights",
            "every Ensemble weight must be a finite number >= 0 (got " + std::to_string(w) + ")");
      }
      total += w;
    }
    if (!(total > 0.0) || !std::isfinite(total)) {
      detail::raise_argument("weights", "the Ensemble weights must have a positive finite sum");
    }
  } else if (!spec.weights.empty()) {
    detail::raise_argument("weights", "explicit weights need weighting 'given' (got '" +
                                          to_string(spec.weighting) + "')");
  }
  if (spec.n_windows < 1) {
    detail::raise_argument("n_windows",
                           "n_windows must be >= 1 (got " + std::to_string(spec.n_windows) + ")");
  }
  if (spec.h < 1) {
    detail::raise_argument(
        "h", "the backtest horizon h must be >= 1 (got " + std::to_string(spec.h) + ")");
  }
}

EnsembleFitted Ensemble::fit(const SeriesView& s) const {
  detail::check_finite(s, "Ensemble");
  const auto k = static_cast<Eigen::Index>(models.size());
  const Eigen::Index n = s.y.size();
  EnsembleFitted f;
  std::string note;
  if (weighting == EnsembleWeighting::given) {
    f.fixed_weights = Eigen::Map<const Eigen::VectorXd>(weights.data(), k);
    f.fixed_weights /= f.fixed_weights.sum();
  } else if (weighting == EnsembleWeighting::equal) {
    f.fixed_weights = Eigen::VectorXd::Constant(k, 1.0 / static_cast<double>(k));
  } else {
    // Windows of `hb` steps, each keeping >= hb training observations.
    Eigen::Index hb = h;
    Eigen::Index windows = std::min<Eigen::Index>(n_windows, n / hb - 1);
    if (windows < 1) {
      hb = n / 2;
      windows = 1;
    }
    if (hb < 1) {
      f.fixed_weights = Eigen::VectorXd::Constant(k, 1.0 / static_cast<double>(k));
      note = "one observation: no backtest, equal weights";
    } else {
      if (windows < n_windows || hb < h) {
        note = "series too short for " + std::to_string(n_windows) + " backtest windows of " +
               std::to_string(h) + " steps: " + std::to_string(windows) + " window(s) of " +
               std::to_string(hb) + " steps";
      }
      const double scale = std::max(s.y.cwiseAbs().maxCoeff(), 1e-300);
      f.backtest_mse.resize(k, hb);
      std::vector<bool> ok;
      for (Eigen::Index m = 0; m < k; ++m) {
        const Eigen::MatrixXd err =
            detail::backtest(models[static_cast<std::size_t>(m)]->model, s, windows, hb, hb, ok);
        if (std::find(ok.begin(), ok.end(), false) != ok.end()) {
          f.backtest_mse.row(m).setConstant(std::numeric_limits<double>::infinity());
        } else {
          f.backtest_mse.row(m) = (err / scale).array().square().colwise().mean();
        }
      }
      bool any_finite = false;
      for (Eigen::Index m = 0; m < k; ++m)
        any_finite = any_finite || f.backtest_mse.row(m).allFinite();
      if (!any_finite) {
        note += std::string(note.empty() ? "" : "; ") +
                "every member failed on a backtest window: equal weights";
      }
    }
  }
  f.members.reserve(models.size());
  for (const auto& m : models) f.members.push_back(detail::fit_member(m->model, s));
  f.fallback = member_notes(std::move(note), f.members);
  return f;
}

std::string Ensemble::member_notes(std::string note, const std::vector<SeriesFitted>& fits) const {
  for (std::size_t m = 0; m < models.size() && m < fits.size(); ++m) {
    const std::string inner = fits[m].fallback();
    if (!inner.empty()) {
      note += std::string(note.empty() ? "" : "; ") + "member " + std::to_string(m) + " (" +
              model_name(models[m]->model) + "): " + inner;
    }
  }
  return note;
}

std::optional<EnsembleFitted> Ensemble::forward(const EnsembleFitted& fitted,
                                                const SeriesView& s) const {
  detail::check_finite(s, "Ensemble");
  if (fitted.members.size() != models.size()) return std::nullopt;
  EnsembleFitted f = fitted;
  for (std::size_t m = 0; m < models.size(); ++m) {
    f.members[m] = forward_or_refit(models[m]->model, fitted.members[m], s);
  }
  f.fallback = member_notes(detail::own_note(fitted.fallback, "member "), f.members);
  return f;
}

Eigen::VectorXd EnsembleFitted::weights(std::int64_t h) const {
  const auto k = static_cast<Eigen::Index>(members.size());
  if (fixed_weights.size() == k) return fixed_weights;
  const Eigen::VectorXd equal = Eigen::VectorXd::Constant(k, 1.0 / static_cast<double>(k));
  if (backtest_mse.cols() == 0 || backtest_mse.rows() != k) return equal;
  const Eigen::Index steps = std::min<Eigen::Index>(h, backtest_mse.cols());
  const Eigen::VectorXd mse = backtest_mse.leftCols(steps).rowwise().mean();
  Eigen::VectorXd w = Eigen::VectorXd::Zero(k);
  Eigen::Index perfect = 0;
  for (Eigen::Index m = 0; m < k; ++m) perfect += mse[m] == 0.0 ? 1 : 0;
  if (perfect > 0) {
    for (Eigen::Index m = 0; m < k; ++m) w[m] = mse[m] == 0.0 ? 1.0 : 0.0;
  } else {
    for (Eigen::Index m = 0; m < k; ++m) w[m] = std::isfinite(mse[m]) ? 1.0 / mse[m] : 0.0;
  }
  const double total = w.sum();
  if (!(total > 0.0) || !std::isfinite(total)) return equal;
  return w / total;
}

SeriesForecast EnsembleFitted::forecast(const ForecastOptions& options) const {
  const Eigen::VectorXd w = weights(options.h);
  const auto h = static_cast<Eigen::Index>(options.h);
  const auto nq = static_cast<Eigen::Index>(options.quantiles.size());
  SeriesForecast out{Eigen::VectorXd::Zero(h), Eigen::MatrixXd::Zero(h, nq)};
  for (std::size_t m = 0; m < members.size(); ++m) {
    const double wm = w[static_cast<Eigen::Index>(m)];
    if (wm == 0.0) continue;
    const SeriesForecast f = members[m].forecast(options);
    out.mean += wm * f.mean;
    out.quantiles += wm * f.quantiles;
  }
  if (options.nonnegative) {
    out.mean = out.mean.cwiseMax(0.0);
    out.quantiles = out.quantiles.cwiseMax(0.0);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Conformal

std::string to_string(ConformalMethod method) {
  return method == ConformalMethod::absolute_residual ? "absolute" : "signed";
}

ConformalMethod parse_conformal_method(const std::string& text) {
  if (text == "signed") return ConformalMethod::signed_residual;
  if (text == "absolute") return ConformalMethod::absolute_residual;
  detail::raise_argument("method", "method must be 'signed' or 'absolute' (got '" + text + "')");
}

const Model& conformal_model(const Conformal& spec) {
  return spec.model ? spec.model->model : detail::default_conformal_model();
}

Conformal make_conformal(Model model,
                         std::int64_t n_windows,
                         std::int64_t h,
                         std::int64_t step_size,
                         ConformalMethod method,
                         bool refit) {
  Conformal spec;
  spec.model = std::make_shared<const ModelBox>(ModelBox{std::move(model)});
  spec.n_windows = n_windows;
  spec.h = h;
  spec.step_size = step_size;
  spec.method = method;
  spec.refit = refit;
  validate(spec);
  return spec;
}

bool operator==(const Conformal& a, const Conformal& b) noexcept {
  return a.n_windows == b.n_windows && a.h == b.h && a.step_size == b.step_size &&
         a.method == b.method && a.refit == b.refit &&
         detail::equal_models(conformal_model(a), conformal_model(b));
}

void validate(const Conformal& spec) {
  detail::check_member(conformal_model(spec), "model", "Conformal");
  if (spec.n_windows < 1) {
    detail::raise_argument("n_windows",
                           "n_windows must be >= 1 (got " + std::to_string(spec.n_windows) + ")");
  }
  if (spec.h < 1) {
    detail::raise_argument(
        "h", "the calibrated horizon h must be >= 1 (got " + std::to_string(spec.h) + ")");
  }
  if (spec.step_size < 1) {
    detail::raise_argument("step_size",
                           "step_size must be >= 1 (got " + std::to_string(spec.step_size) + ")");
  }
}

ConformalFitted Conformal::fit(const SeriesView& s) const {
  detail::check_finite(s, "Conformal");
  const Eigen::Index n = s.y.size();
  const Model& inner = conformal_model(*this);
  ConformalFitted f;
  f.method = method;
  std::string note;
  // Origins n − hb − w·step must keep >= 1 observation: shorten the horizon, then the windows.
  const Eigen::Index hb = std::min<Eigen::Index>(h, n - 1);
  Eigen::Index windows = 0;
  if (hb >= 1) windows = std::min<Eigen::Index>(n_windows, (n - 1 - hb) / step_size + 1);
  if (windows < n_windows || hb < h) {
    note = "series too short for " + std::to_string(n_windows) + " calibration windows of " +
           std::to_string(h) + " steps: " + std::to_string(windows) + " window(s) of " +
           std::to_string(std::max<Eigen::Index>(hb, 0)) + " steps";
  }
  if (windows >= 1) {
    std::vector<bool> ok;
    const Eigen::MatrixXd err = detail::backtest(inner, s, windows, hb, step_size, ok, refit);
    const auto good = static_cast<Eigen::Index>(std::count(ok.begin(), ok.end(), true));
    if (good >= 2) {
      f.residuals.resize(good, hb);
      Eigen::Index r = 0;
      for (Eigen::Index w = 0; w < windows; ++w) {
        if (ok[static_cast<std::size_t>(w)]) f.residuals.row(r++) = err.row(w);
      }
      if (method == ConformalMethod::absolute_residual) f.residuals = f.residuals.cwiseAbs();
      for (Eigen::Index j = 0; j < hb; ++j) {
        std::sort(f.residuals.col(j).data(), f.residuals.col(j).data() + good);
      }
      if (good < windows) {
        note += std::string(note.empty() ? "" : "; ") + std::to_string(windows - good) +
                " window(s) where the model failed left out";
      }
    }
  }
  if (f.residuals.cols() == 0) {
    note += std::string(note.empty() ? "" : "; ") +
            "fewer than 2 calibration residuals: the model's own quantiles";
  }
  f.model = detail::fit_member(inner, s);
  f.fallback = with_model_note(std::move(note), f.model);
  return f;
}

std::string Conformal::with_model_note(std::string note, const SeriesFitted& fitted) {
  const std::string inner = fitted.fallback();
  if (!inner.empty()) note += std::string(note.empty() ? "" : "; ") + "model: " + inner;
  return note;
}

std::optional<ConformalFitted> Conformal::forward(const ConformalFitted& fitted,
                                                  const SeriesView& s) const {
  detail::check_finite(s, "Conformal");
  ConformalFitted f = fitted;
  f.model = forward_or_refit(conformal_model(*this), fitted.model, s);
  f.fallback = with_model_note(detail::own_note(fitted.fallback, "model: "), f.model);
  return f;
}

SeriesForecast ConformalFitted::forecast(const ForecastOptions& options) const {
  if (residuals.cols() == 0) return model.forecast(options);
  ForecastOptions point = options;  // the model's own mean, as the residuals were measured
  point.quantiles.clear();
  SeriesForecast out = model.forecast(point);
  const auto h = static_cast<Eigen::Index>(options.h);
  const auto nq = static_cast<Eigen::Index>(options.quantiles.size());
  const Eigen::Index n = residuals.rows();
  const double n1 = static_cast<double>(n + 1);
  out.quantiles.resize(h, nq);
  for (Eigen::Index q = 0; q < nq; ++q) {
    const double tau = options.quantiles[static_cast<std::size_t>(q)];
    for (Eigen::Index j = 0; j < h; ++j) {
      const Eigen::Index c = std::min<Eigen::Index>(j, residuals.cols() - 1);
      double offset = 0.0;
      if (method == ConformalMethod::signed_residual) {
        // Upper levels: the ⌈(n+1)τ⌉-th smallest; lower levels: the ⌊(n+1)τ⌋-th (1-based).
        const double pos = tau >= 0.5 ? std::ceil(n1 * tau - 1e-9) : std::floor(n1 * tau + 1e-9);
        const auto kk = std::clamp<Eigen::Index>(static_cast<Eigen::Index>(pos), 1, n);
        offset = residuals(kk - 1, c);
      } else if (tau != 0.5) {
        const double pos = std::ceil(n1 * std::abs(2.0 * tau - 1.0) - 1e-9);
        const auto kk = std::clamp<Eigen::Index>(static_cast<Eigen::Index>(pos), 1, n);
        offset = tau > 0.5 ? residuals(kk - 1, c) : -residuals(kk - 1, c);
      }
      out.quantiles(j, q) = out.mean[j] + offset;
    }
  }
  if (options.nonnegative) out.quantiles = out.quantiles.cwiseMax(0.0);
  return out;
}

}  // namespace quickstock
