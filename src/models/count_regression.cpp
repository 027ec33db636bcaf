#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <boost/math/tools/minima.hpp>

#include <quickstock/core/parallel.hpp>
#include <quickstock/detail/math.hpp>
#include <quickstock/error.hpp>
#include <quickstock/models/count_regression.hpp>

namespace quickstock {
namespace {

constexpr double kThetaMin = 1e-4;
constexpr double kThetaMax = 1e8;
constexpr double kEtaMax = 50.0;  // exp(50) ~ 5e21: keeps μ² finite inside the fit
constexpr double kLogTiny = -745.0;
constexpr int kMaxOuter = 300;

// lgamma(y + θ) − lgamma(θ): a short sum for small integer y (exact for θ up to 1e8, where the
// difference of two lgammas would lose digits), lgamma otherwise.
inline double lgamma_ratio(double y, double theta) {
  if (y == 0.0) return 0.0;
  if (y < 64.0 && y == std::floor(y)) {
    double s = 0.0;
    for (double k = 0.0; k < y; k += 1.0) s += std::log(theta + k);
    return s;
  }
  return std::lgamma(y + theta) - std::lgamma(theta);
}

// P(Y >= c) of the count part, c > 0 (Y > ceil(c) − 1). `shape_shift` adds 1 to θ (the size-biased
// NB used for E[Y 1{Y >= c}]).
inline double survival(double c, double mu, double theta, bool nb, double shape_shift) {
  if (c <= 0.0) return 1.0;
  const double k = std::ceil(c) - 1.0;  // P(Y > k)
  if (!nb) return boost::math::gamma_p(k + 1.0, mu, detail::math_policy());
  const double t = theta + shape_shift;
  return boost::math::ibeta(k + 1.0, t, mu / (theta + mu), detail::math_policy());
}

// One observation's log-likelihood and, when asked, its score and Fisher information for the
// linear predictor η and the posterior probability `r` of a structural zero.
struct ObsTerms {
  double ll = 0.0;
  double score = 0.0;
  double info = 0.0;
  double r = 0.0;
  bool informative = true;  // carries information about π (false: censored at 0)
};

struct Family {
  bool nb = true;
  bool zi = false;
};

template <bool WithScore>
inline ObsTerms observe(
    double y, double lgy1, bool censored, double eta, double theta, double pi, Family fam) {
  ObsTerms o;
  eta = std::min(eta, kEtaMax);
  const double mu = std::exp(eta);
  const double shrink = fam.nb ? theta / (theta + mu) : 1.0;  // dξ/dη
  const double info = mu * shrink;
  const double log1m_pi = fam.zi ? std::log1p(-pi) : 0.0;
  if (censored) {
    if (y <= 0.0) {  // demand >= 0: no information
      o.informative = false;
      o.r = pi;
      if constexpr (WithScore) o.info = info;
      return o;
    }
    const double s = survival(y, mu, theta, fam.nb, 0.0);
    o.ll = (s > 0.0 ? std::log(s) : kLogTiny) + log1m_pi;
    if constexpr (WithScore) {
      double ytilde = y;  // E[Y | Y >= y] → y when μ << y
      if (s > 0.0) {
        const double s1 = survival(y - 1.0, mu, theta, fam.nb, 1.0);
        ytilde = std::max(y, mu * s1 / s);
      }
      o.score = (ytilde - mu) * shrink;
      o.info = info;
    }
    return o;
  }
  double logf = 0.0;
  if (fam.nb) {
    logf = lgamma_ratio(y, theta) - lgy1 - theta * std::log1p(mu / theta) +
           y * (eta - std::log(theta + mu));
  } else {
    logf = y * eta - mu - lgy1;
  }
  if (fam.zi && y == 0.0) {
    const double f0 = std::exp(logf);
    const double mix = pi + (1.0 - pi) * f0;
    o.ll = std::log(mix);
    o.r = mix > 0.0 ? pi / mix : 1.0;
  } else {
    o.ll = logf + log1m_pi;
  }
  if constexpr (WithScore) {
    const double w = 1.0 - o.r;
    o.score = w * (y - mu) * shrink;
    o.info = w * info;
  }
  return o;
}

// The observations of one series in the fit: its standardised design, demand and censoring.
struct Block {
  RowMatrixXd X;
  Eigen::VectorXd y;
  Eigen::VectorXd lgy1;  // lgamma(y + 1)
  std::vector<unsigned char> censored;
};

// Per-block sums of one scoring step.
struct BlockSums {
  double ll = 0.0;
  double d = 0.0;      // Σ W
  double g = 0.0;      // Σ s
  Eigen::VectorXd b;   // Σ W x
  Eigen::VectorXd gx;  // Σ s x
  Eigen::MatrixXd a;   // Σ W x x'
  double r_sum = 0.0;
  double n_inf = 0.0;
};

// Penalised maximum likelihood over blocks with per-block intercepts and shared slopes, θ, π.
class Problem {
 public:
  Problem(std::vector<Block>& blocks, Family fam, double ridge, int n_threads)
      : blocks_(blocks), fam_(fam), ridge_(ridge), n_threads_(n_threads) {
    p_ = blocks.empty() ? 0 : blocks.front().X.cols();
  }

  // Log-likelihood (without penalty) summed in block order.
  double loglik(const Eigen::VectorXd& alpha,
                const Eigen::VectorXd& beta,
                double theta,
                double pi) const {
    std::vector<double> parts(blocks_.size());
    detail::parallel_for_series(blocks_.size(), n_threads_, [&](std::size_t b) {
      const Block& blk = blocks_[b];
      const auto n = blk.y.size();
      double s = 0.0;
      for (Eigen::Index t = 0; t < n; ++t) {
        const double eta =
            alpha[static_cast<Eigen::Index>(b)] + (p_ ? blk.X.row(t).dot(beta) : 0.0);
        s += observe<false>(blk.y[t], blk.lgy1[t], blk.censored[static_cast<std::size_t>(t)] != 0,
                            eta, theta, pi, fam_)
                 .ll;
      }
      parts[b] = s;
    });
    double total = 0.0;
    for (const double v : parts) total += v;
    return total;
  }

  double penalty(const Eigen::VectorXd& beta) const { return 0.5 * ridge_ * beta.squaredNorm(); }

  void sums(const Eigen::VectorXd& alpha,
            const Eigen::VectorXd& beta,
            double theta,
            double pi,
            std::vector<BlockSums>& out) const {
    out.resize(blocks_.size());
    detail::parallel_for_series(blocks_.size(), n_threads_, [&](std::size_t b) {
      const Block& blk = blocks_[b];
      BlockSums& s = out[b];
      s = BlockSums{};
      s.b = Eigen::VectorXd::Zero(p_);
      s.gx = Eigen::VectorXd::Zero(p_);
      s.a = Eigen::MatrixXd::Zero(p_, p_);
      const auto n = blk.y.size();
      for (Eigen::Index t = 0; t < n; ++t) {
        const auto x = blk.X.row(t);
        const double eta = alpha[static_cast<Eigen::Index>(b)] + (p_ ? x.dot(beta) : 0.0);
        const ObsTerms o =
            observe<true>(blk.y[t], blk.lgy1[t], blk.censored[static_cast<std::size_t>(t)] != 0,
                          eta, theta, pi, fam_);
        s.ll += o.ll;
        s.d += o.info;
        s.g += o.score;
        if (p_) {
          s.b.noalias() += o.info * x.transpose();
          s.gx.noalias() += o.score * x.transpose();
          s.a.selfadjointView<Eigen::Lower>().rankUpdate(x.transpose(), o.info);
        }
        if (o.informative) {
          s.r_sum += o.r;
          s.n_inf += 1.0;
        }
      }
      s.a = s.a.selfadjointView<Eigen::Lower>();
    });
  }

  // One Fisher-scoring direction for (α, β) via the Schur complement of the intercept block.
  void direction(const std::vector<BlockSums>& s,
                 const Eigen::VectorXd& beta,
                 Eigen::VectorXd& d_alpha,
                 Eigen::VectorXd& d_beta) const {
    const auto nb = static_cast<Eigen::Index>(s.size());
    d_alpha.resize(nb);
    d_beta = Eigen::VectorXd::Zero(p_);
    if (p_) {
      Eigen::MatrixXd a = ridge_ * Eigen::MatrixXd::Identity(p_, p_);
      Eigen::VectorXd g = -ridge_ * beta;
      for (const auto& bs : s) {
        const double d = std::max(bs.d, 1e-300);
        a += bs.a - bs.b * bs.b.transpose() / d;
        g += bs.gx - bs.b * (bs.g / d);
      }
      a.diagonal().array() += 1e-10 * (1.0 + a.diagonal().cwiseAbs().maxCoeff());
      d_beta = a.ldlt().solve(g);
      if (!d_beta.allFinite()) d_beta.setZero();
    }
    for (Eigen::Index b = 0; b < nb; ++b) {
      const auto& bs = s[static_cast<std::size_t>(b)];
      const double d = std::max(bs.d, 1e-300);
      d_alpha[b] = (bs.g - (p_ ? bs.b.dot(d_beta) : 0.0)) / d;
    }
  }

  Eigen::Index p() const { return p_; }

 private:
  std::vector<Block>& blocks_;
  Family fam_;
  double ridge_;
  int n_threads_;
  Eigen::Index p_ = 0;
};

struct Estimate {
  Eigen::VectorXd alpha;
  Eigen::VectorXd beta;
  double theta = std::numeric_limits<double>::infinity();
  double pi = 0.0;
  double loglik = 0.0;
  std::int64_t iterations = 0;
};

// Maximises the penalised log-likelihood of `blocks`.
Estimate estimate(std::vector<Block>& blocks, Family fam, double ridge, int n_threads) {
  Problem prob(blocks, fam, ridge, n_threads);
  Estimate e;
  const auto nb = static_cast<Eigen::Index>(blocks.size());
  e.alpha.resize(nb);
  double sum_y = 0.0, sum_y2 = 0.0, n_all = 0.0, zeros = 0.0;
  for (Eigen::Index b = 0; b < nb; ++b) {
    const auto& y = blocks[static_cast<std::size_t>(b)].y;
    const double m = y.mean();
    e.alpha[b] = std::log(std::max(m, 1e-3));
    sum_y += y.sum();
    sum_y2 += y.squaredNorm();
    n_all += static_cast<double>(y.size());
    zeros += static_cast<double>((y.array() == 0.0).count());
  }
  e.beta = Eigen::VectorXd::Zero(prob.p());
  if (fam.nb) {
    const double m = sum_y / n_all;
    const double v = sum_y2 / n_all - m * m;
    e.theta = v > m * 1.01 ? std::clamp(m * m / (v - m), 0.01, 1e4) : 1e4;
  }
  if (fam.zi) e.pi = std::clamp(0.5 * zeros / n_all, 0.01, 0.9);
  double f = prob.loglik(e.alpha, e.beta, e.theta, e.pi) - prob.penalty(e.beta);
  std::vector<BlockSums> sums;
  Eigen::VectorXd da, db;
  for (int it = 0; it < kMaxOuter; ++it) {
    e.iterations = it + 1;
    const double f_start = f;
    // (α, β): one scoring step with step halving.
    prob.sums(e.alpha, e.beta, e.theta, e.pi, sums);
    prob.direction(sums, e.beta, da, db);
    double step = 1.0, max_change = 0.0;
    for (int half = 0; half < 40; ++half, step *= 0.5) {
      const Eigen::VectorXd a1 = e.alpha + step * da;
      const Eigen::VectorXd b1 = e.beta + step * db;
      const double f1 = prob.loglik(a1, b1, e.theta, e.pi) - prob.penalty(b1);
      if (std::isfinite(f1) && f1 >= f - 1e-12 * std::abs(f)) {
        max_change = std::max(step * da.cwiseAbs().maxCoeff(),
                              db.size() ? step * db.cwiseAbs().maxCoeff() : 0.0);
        e.alpha = a1;
        e.beta = b1;
        f = f1;
        break;
      }
    }
    // π: a Brent search on logit π along the ridge of equal means (α moves with π so that
    // (1 − π)·exp(α) stays fixed): π and α are strongly correlated and a search in π alone (or
    // EM) zigzags for hundreds of rounds.
    if (fam.zi) {
      const double a0 = std::log1p(-e.pi);
      auto shifted = [&](double u, double& p1) {
        p1 = 1.0 / (1.0 + std::exp(-u));
        return Eigen::VectorXd(e.alpha.array() + (a0 - std::log1p(-p1)));
      };
      auto neg = [&](double u) {
        double p1 = 0.0;
        const Eigen::VectorXd a1 = shifted(u, p1);
        return -prob.loglik(a1, e.beta, e.theta, p1);
      };
      std::uintmax_t max_iter = 60;
      const auto best = boost::math::tools::brent_find_minima(neg, -15.0, 15.0, 30, max_iter);
      const double f1 = -best.second - prob.penalty(e.beta);
      if (std::isfinite(f1) && f1 > f) {
        double p1 = 0.0;
        const Eigen::VectorXd a1 = shifted(best.first, p1);
        max_change = std::max(max_change, std::abs(p1 - e.pi));
        e.alpha = a1;
        e.pi = p1;
        f = f1;
      }
    }
    // θ: Brent search on log θ (the whole range first, then around the current value).
    if (fam.nb) {
      const double u0 = std::log(e.theta);
      const double lo = it == 0 ? std::log(kThetaMin) : std::max(std::log(kThetaMin), u0 - 1.5);
      const double hi = it == 0 ? std::log(kThetaMax) : std::min(std::log(kThetaMax), u0 + 1.5);
      auto neg = [&](double u) { return -prob.loglik(e.alpha, e.beta, std::exp(u), e.pi); };
      std::uintmax_t max_iter = 60;
      const auto best = boost::math::tools::brent_find_minima(neg, lo, hi, 30, max_iter);
      const double f1 = -best.second - prob.penalty(e.beta);
      if (std::isfinite(f1) && f1 >= f) {
        max_change = std::max(max_change, std::abs(best.first - u0) * 1e-2);
        e.theta = std::exp(best.first);
        f = f1;
      }
    }
    // Converged when the objective and the parameters settle, or when a round gains less than
    // 1e-12 relatively (a flat ridge, e.g. between θ and π, where parameters creep but the
    // likelihood does not move).
    const double gain = std::abs(f - f_start);
    if ((gain <= 1e-10 * (1.0 + std::abs(f)) && max_change < 1e-6) ||
        gain <= 1e-12 * (1.0 + std::abs(f))) {
      break;
    }
  }
  e.loglik = prob.loglik(e.alpha, e.beta, e.theta, e.pi);
  return e;
}

inline std::int64_t positive_mod(std::int64_t a, std::int64_t m) {
  const std::int64_t r = a % m;
  return r < 0 ? r + m : r;
}

// The raw (unstandardised) value of design column `code` at grid ordinal `k` with covariate row
// `x` (a pointer to the row, may be null when the column is not a covariate).
inline double raw_value(std::int64_t code,
                        std::int64_t k,
                        const double* x,
                        std::int64_t season_length,
                        double trend_origin) {
  if (code >= 0) return x[code];
  if (code == CountRegressionFitted::trend_column) return static_cast<double>(k) - trend_origin;
  const std::int64_t phase = -1 - code;
  return positive_mod(k, season_length) == phase ? 1.0 : 0.0;
}

// Candidate design columns of a spec for a series with `k` covariate columns.
std::vector<std::int64_t> candidate_columns(const CountRegression& spec, std::int64_t k) {
  std::vector<std::int64_t> cols;
  for (std::int64_t j = 0; j < k; ++j) {
    if (j != spec.censor_column) cols.push_back(j);
  }
  for (std::int64_t ph = 1; ph < spec.season_length; ++ph) {
    cols.push_back(CountRegressionFitted::season_column(ph));
  }
  if (spec.trend) cols.push_back(CountRegressionFitted::trend_column);
  return cols;
}

// What one series contributes: its window, raw design, demand and censoring flags.
struct SeriesData {
  std::int64_t first = 0;  // index of the first observation in the window
  std::int64_t n = 0;
  Eigen::MatrixXd raw;  // n × candidate columns
  bool all_zero = true;
  double y_max = 0.0;
  std::int64_t n_censored = 0;
};

SeriesData series_data(const CountRegression& spec,
                       const SeriesView& s,
                       const std::vector<std::int64_t>& cols) {
  SeriesData d;
  const std::int64_t len = s.y.size();
  if (len == 0) detail::raise_invalid("series has no observations", s.id, std::nullopt, "y");
  if (spec.censor_column >= s.x.cols()) {
    detail::raise_argument("censor_column", "censor column " + std::to_string(spec.censor_column) +
                                                " is not a covariate column of the panel (it has " +
                                                std::to_string(s.x.cols()) + ")");
  }
  d.first = spec.window > 0 ? std::max<std::int64_t>(0, len - spec.window) : 0;
  d.n = len - d.first;
  const double origin = static_cast<double>(s.start + d.first);
  d.raw.resize(d.n, static_cast<Eigen::Index>(cols.size()));
  for (std::int64_t t = 0; t < d.n; ++t) {
    const std::int64_t i = d.first + t;
    const double* x = s.x.cols() ? s.x.row(i).data() : nullptr;
    for (std::size_t c = 0; c < cols.size(); ++c) {
      d.raw(t, static_cast<Eigen::Index>(c)) =
          raw_value(cols[c], s.start + i, x, spec.season_length, origin);
    }
    const double y = s.y[i];
    if (!std::isfinite(y) || y < 0.0) {
      detail::raise_invalid("demand must be finite and >= 0 (got " + std::to_string(y) + ")", s.id,
                            i, "y");
    }
    const bool cens = spec.censor_column >= 0 && x[spec.censor_column] != 0.0;
    d.n_censored += cens ? 1 : 0;
    if (y > 0.0) d.all_zero = false;
    d.y_max = std::max(d.y_max, y);
  }
  return d;
}

Block make_block(const SeriesView& s,
                 const CountRegression& spec,
                 const SeriesData& d,
                 const std::vector<Eigen::Index>& keep,
                 const Eigen::VectorXd& center,
                 const Eigen::VectorXd& scale) {
  Block b;
  const auto p = static_cast<Eigen::Index>(keep.size());
  b.X.resize(d.n, p);
  for (Eigen::Index c = 0; c < p; ++c) {
    b.X.col(c) = (d.raw.col(keep[static_cast<std::size_t>(c)]).array() - center[c]) / scale[c];
  }
  b.y = s.y.segment(d.first, d.n);
  b.lgy1.resize(d.n);
  b.censored.assign(static_cast<std::size_t>(d.n), 0);
  for (std::int64_t t = 0; t < d.n; ++t) {
    b.lgy1[t] = std::lgamma(b.y[t] + 1.0);
    if (spec.censor_column >= 0) {
      b.censored[static_cast<std::size_t>(t)] = s.x(d.first + t, spec.censor_column) != 0.0;
    }
  }
  return b;
}

CountRegressionFitted base_fitted(const CountRegression& spec,
                                  const SeriesView& s,
                                  const SeriesData& d) {
  CountRegressionFitted f;
  f.family = spec.family;
  f.zero_inflated = spec.zero_inflated;
  f.season_length = spec.season_length;
  f.next = s.start + s.y.size();
  f.n_covariates = s.x.cols();
  f.censor_column = spec.censor_column;
  f.trend_origin = static_cast<double>(s.start + d.first);
  f.log_mean_cap = std::log(100.0 * (d.y_max + 1.0));
  f.n_obs = d.n;
  f.n_censored = d.n_censored;
  if (spec.family == CountFamily::poisson) f.theta = std::numeric_limits<double>::infinity();
  return f;
}

bool is_constant(const Eigen::Ref<const Eigen::VectorXd>& v) {
  return v.size() == 0 || (v.array() == v[0]).all();
}

}  // namespace

std::string to_string(CountFamily family) {
  return family == CountFamily::poisson ? "poisson" : "negbin";
}

CountFamily parse_count_family(const std::string& text) {
  if (text == "poisson") return CountFamily::poisson;
  if (text == "negbin") return CountFamily::negbin;
  detail::raise_argument("family", "family must be 'poisson' or 'negbin' (got '" + text + "')");
}

void validate(const CountRegression& spec) {
  if (spec.season_length < 1 || spec.season_length > 366) {
    detail::raise_argument("season_length", "season_length must be in [1, 366] (got " +
                                                std::to_string(spec.season_length) + ")");
  }
  if (spec.window < 0) {
    detail::raise_argument("window", "window must be 0 (all history) or >= 1 (got " +
                                         std::to_string(spec.window) + ")");
  }
  if (!std::isfinite(spec.ridge) || spec.ridge < 0.0) {
    detail::raise_argument(
        "ridge", "ridge must be finite and >= 0 (got " + std::to_string(spec.ridge) + ")");
  }
  if (spec.censor_column < -1) {
    detail::raise_argument("censor_column", "censor_column must be -1 (none) or a column index");
  }
}

CountRegressionFitted CountRegression::fit(const SeriesView& s) const {
  validate(*this);
  const auto cols = candidate_columns(*this, s.x.cols());
  const SeriesData d = series_data(*this, s, cols);
  CountRegressionFitted f = base_fitted(*this, s, d);
  if (d.all_zero) {
    f.fallback = "all zero: no positive sale in the fitted window, forecast 0";
    f.intercept = -std::numeric_limits<double>::infinity();
    return f;
  }
  std::vector<Eigen::Index> keep;
  std::vector<double> center, scale;
  for (Eigen::Index c = 0; c < d.raw.cols(); ++c) {
    const auto col = d.raw.col(c);
    if (is_constant(col)) continue;
    const double m = col.mean();
    const double sd = std::sqrt((col.array() - m).square().mean());
    if (!(sd > 0.0)) continue;
    keep.push_back(c);
    center.push_back(m);
    scale.push_back(sd);
  }
  const auto p = static_cast<Eigen::Index>(keep.size());
  f.center = Eigen::Map<const Eigen::VectorXd>(center.data(), p);
  f.scale = Eigen::Map<const Eigen::VectorXd>(scale.data(), p);
  for (const auto c : keep) f.columns.push_back(cols[static_cast<std::size_t>(c)]);
  std::vector<Block> blocks;
  blocks.push_back(make_block(s, *this, d, keep, f.center, f.scale));
  const Estimate e =
      estimate(blocks, Family{family == CountFamily::negbin, zero_inflated}, ridge, 1);
  f.intercept = e.alpha[0];
  f.beta = e.beta;
  f.theta = family == CountFamily::negbin ? e.theta : std::numeric_limits<double>::infinity();
  f.pi = e.pi;
  f.loglik = e.loglik;
  f.iterations = e.iterations;
  return f;
}

namespace {

// One pooled fit over the series `group` of the panel (see `fit_panel`): columns centred per
// series on their own means and scaled by the group's pooled standard deviation, one intercept
// per series and shared slopes, θ and π. Writes the group's entries of `out`.
void fit_pool(const CountRegression& spec,
              const Panel& panel,
              const std::vector<SeriesData>& data,
              const std::vector<std::int64_t>& cols,
              const std::vector<std::size_t>& group,
              int n_threads,
              std::vector<CountRegressionFitted>& out) {
  const std::size_t n = panel.n_series();
  // Columns centred per series on their own means, scaled by the pooled standard deviation of
  // the centred values (sums in series order: the same for any thread count).
  const auto k = static_cast<Eigen::Index>(cols.size());
  Eigen::VectorXd ss = Eigen::VectorXd::Zero(k);
  double count = 0.0;
  std::vector<Eigen::VectorXd> means(n);  // indexed by series; only the group's are set
  for (const std::size_t i : group) {
    if (data[i].all_zero) continue;
    means[i] = data[i].raw.colwise().mean().transpose();
    ss += (data[i].raw.rowwise() - means[i].transpose()).colwise().squaredNorm().transpose();
    count += static_cast<double>(data[i].n);
  }
  std::vector<Eigen::Index> keep;
  std::vector<double> scale;
  for (Eigen::Index c = 0; c < k; ++c) {
    const double sd = count > 0.0 ? std::sqrt(ss[c] / count) : 0.0;
    if (sd > 0.0) {
      keep.push_back(c);
      scale.push_back(sd);
    }
  }
  const auto p = static_cast<Eigen::Index>(keep.size());
  const Eigen::VectorXd scale_v = Eigen::Map<const Eigen::VectorXd>(scale.data(), p);
  std::vector<std::size_t> members;
  for (const std::size_t i : group) {
    if (!data[i].all_zero) members.push_back(i);
  }
  std::vector<Block> blocks(members.size());
  std::vector<Eigen::VectorXd> centers(n);
  detail::parallel_for_series(members.size(), n_threads, [&](std::size_t b) {
    const std::size_t i = members[b];
    Eigen::VectorXd c(p);
    for (Eigen::Index j = 0; j < p; ++j) c[j] = means[i][keep[static_cast<std::size_t>(j)]];
    centers[i] = c;
    blocks[b] = make_block(panel.series(i), spec, data[i], keep, c, scale_v);
  });
  Estimate e;
  if (!blocks.empty()) {
    e = estimate(blocks, Family{spec.family == CountFamily::negbin, spec.zero_inflated}, spec.ridge,
                 n_threads);
  }
  std::vector<std::int64_t> design;
  for (const auto c : keep) design.push_back(cols[static_cast<std::size_t>(c)]);
  std::vector<std::size_t> slot(n, n);  // series -> block
  for (std::size_t b = 0; b < members.size(); ++b) slot[members[b]] = b;
  const Family fam{spec.family == CountFamily::negbin, spec.zero_inflated};
  detail::parallel_for_series(group.size(), n_threads, [&](std::size_t g) {
    const std::size_t i = group[g];
    const SeriesView s = panel.series(i);
    CountRegressionFitted f = base_fitted(spec, s, data[i]);
    if (data[i].all_zero) {
      f.fallback = "all zero: no positive sale in the fitted window, forecast 0";
      f.intercept = -std::numeric_limits<double>::infinity();
      out[i] = std::move(f);
      return;
    }
    const std::size_t b = slot[i];
    f.columns = design;
    f.center = centers[i];
    f.scale = scale_v;
    f.intercept = e.alpha[static_cast<Eigen::Index>(b)];
    f.beta = e.beta;
    f.theta = fam.nb ? e.theta : std::numeric_limits<double>::infinity();
    f.pi = e.pi;
    f.iterations = e.iterations;
    const Block& blk = blocks[b];
    double ll = 0.0;
    for (Eigen::Index t = 0; t < blk.y.size(); ++t) {
      const double eta = f.intercept + (p ? blk.X.row(t).dot(f.beta) : 0.0);
      ll += observe<false>(blk.y[t], blk.lgy1[t], blk.censored[static_cast<std::size_t>(t)] != 0,
                           eta, f.theta, f.pi, fam)
                .ll;
    }
    f.loglik = ll;
    out[i] = std::move(f);
  });
}

}  // namespace

std::vector<CountRegressionFitted> CountRegression::fit_panel(const Panel& panel,
                                                              int n_threads) const {
  validate(*this);
  const std::size_t n = panel.n_series();
  std::vector<CountRegressionFitted> out(n);
  if (!pooled) {
    detail::parallel_for_series(n, n_threads,
                                [&](std::size_t i) { out[i] = fit(panel.series(i)); });
    return out;
  }
  const auto cols = candidate_columns(*this, static_cast<std::int64_t>(panel.n_covariates()));
  std::vector<SeriesData> data(n);
  detail::parallel_for_series(
      n, n_threads, [&](std::size_t i) { data[i] = series_data(*this, panel.series(i), cols); });
  if (pool_groups.empty()) {
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = i;
    fit_pool(*this, panel, data, cols, all, n_threads, out);
    return out;
  }
  if (pool_groups.size() != n) {
    detail::raise_argument("pool_groups", "pool_groups has " + std::to_string(pool_groups.size()) +
                                              " codes for a panel of " + std::to_string(n) +
                                              " series");
  }
  // Pools in ascending code order, members in panel order: the same for any thread count.
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return pool_groups[a] < pool_groups[b]; });
  std::vector<std::size_t> group;
  for (std::size_t j = 0; j < n;) {
    group.clear();
    std::size_t k = j;
    while (k < n && pool_groups[order[k]] == pool_groups[order[j]]) group.push_back(order[k++]);
    fit_pool(*this, panel, data, cols, group, n_threads, out);
    j = k;
  }
  return out;
}

Eigen::VectorXd CountRegressionFitted::log_mean(
    const Eigen::Ref<const RowMatrixXd>& x_future) const {
  const Eigen::Index h = x_future.rows();
  Eigen::VectorXd eta(h);
  for (Eigen::Index j = 0; j < h; ++j) {
    const double* x = x_future.cols() ? x_future.row(j).data() : nullptr;
    double v = intercept;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto cc = static_cast<Eigen::Index>(c);
      const double raw = raw_value(columns[c], next + j, x, season_length, trend_origin);
      v += beta[cc] * (raw - center[cc]) / scale[cc];
    }
    eta[j] = std::min(v, log_mean_cap);
  }
  return eta;
}

double CountRegressionFitted::quantile(double mu, double tau) const {
  if (!(mu > 1e-300) || tau <= pi) return 0.0;
  const double t = std::min((tau - pi) / (1.0 - pi), 1.0 - 1e-15);
  const bool nb = family == CountFamily::negbin && theta < kThetaMax * 0.999;
  const double prob = nb ? theta / (theta + mu) : 1.0;
  // Very large means (beyond Boost's series limits, e.g. 1e12 units): the Normal approximation
  // with the same mean and variance and a continuity correction (relative error ~1/sqrt(μ)).
  auto normal = [&] {
    const double sd = std::sqrt(mu + (nb ? mu * mu / theta : 0.0));
    return std::max(0.0, std::ceil(mu + detail::normal_quantile(t) * sd - 0.5));
  };
  if (mu > 1e7) return normal();
  try {
    auto cdf = [&](double k) {
      return nb ? detail::negative_binomial_cdf(theta, prob, k) : detail::poisson_cdf(mu, k);
    };
    double k =
        nb ? detail::negative_binomial_quantile(theta, prob, t) : detail::poisson_quantile(mu, t);
    k = std::max(0.0, std::round(k));
    // Make it exactly the smallest k with F(k) >= τ on the full (zero-inflated) distribution.
    auto full = [&](double kk) { return pi + (1.0 - pi) * cdf(kk); };
    for (int i = 0; i < 64 && k > 0.0 && full(k - 1.0) >= tau; ++i) k -= 1.0;
    for (int i = 0; i < 64 && full(k) < tau; ++i) k += 1.0;
    return k;
  } catch (const std::exception&) {
    return normal();
  }
}

SeriesForecast CountRegressionFitted::forecast(const ForecastOptions& options) const {
  if (n_covariates > 0) {
    detail::raise_argument("X_df",
                           "the model was fitted with covariates: pass their future values");
  }
  return forecast(options, RowMatrixXd(options.h, 0));
}

SeriesForecast CountRegressionFitted::forecast(
    const ForecastOptions& options, const Eigen::Ref<const RowMatrixXd>& x_future) const {
  const auto h = static_cast<Eigen::Index>(options.h);
  if (x_future.rows() != h || x_future.cols() != n_covariates) {
    detail::raise_argument("X_df", "future covariates must be " + std::to_string(h) + " x " +
                                       std::to_string(n_covariates) + " (got " +
                                       std::to_string(x_future.rows()) + " x " +
                                       std::to_string(x_future.cols()) + ")");
  }
  const auto nq = static_cast<Eigen::Index>(options.quantiles.size());
  SeriesForecast out;
  out.mean = Eigen::VectorXd::Zero(h);
  out.quantiles = Eigen::MatrixXd::Zero(h, nq);
  if (!fallback.empty()) return out;
  const Eigen::VectorXd eta = log_mean(x_future);
  for (Eigen::Index j = 0; j < h; ++j) {
    const double mu = std::exp(eta[j]);
    out.mean[j] = (1.0 - pi) * mu;
    for (Eigen::Index q = 0; q < nq; ++q) {
      out.quantiles(j, q) = quantile(mu, options.quantiles[static_cast<std::size_t>(q)]);
    }
  }
  return out;
}

Eigen::MatrixXd CountRegressionFitted::sample_paths(
    std::int64_t h,
    std::int64_t n_paths,
    detail::PathRng& rng,
    const Eigen::Ref<const RowMatrixXd>& x_future) const {
  const auto hh = static_cast<Eigen::Index>(h);
  if (x_future.rows() != hh || x_future.cols() != n_covariates) {
    detail::raise_argument("X_df", "future covariates must be " + std::to_string(h) + " x " +
                                       std::to_string(n_covariates) + " (got " +
                                       std::to_string(x_future.rows()) + " x " +
                                       std::to_string(x_future.cols()) + ")");
  }
  const auto n = static_cast<Eigen::Index>(n_paths);
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(n, hh);
  if (!fallback.empty()) return out;
  const Eigen::VectorXd eta = log_mean(x_future);
  const bool nb = family == CountFamily::negbin && theta < kThetaMax * 0.999;
  // Steps are independent given the covariates: each draws from its predictive distribution
  // by inverting its CDF, tabulated once per distinct mean (P(Y <= k), k = 0..K, K the
  // quantile at 1 − 1e-12); means beyond the table invert draw by draw (`quantile`).
  std::vector<double> means;
  std::vector<std::vector<double>> tables;
  for (Eigen::Index j = 0; j < hh; ++j) {
    const double mu = std::exp(eta[j]);
    std::size_t t = 0;
    while (t < means.size() && means[t] != mu) ++t;
    if (t == means.size()) {
      means.push_back(mu);
      tables.emplace_back();
      std::vector<double>& cdf = tables.back();
      const double top = quantile(mu, 1.0 - 1e-12);
      if (mu > 1e-300 && mu <= 1e7 && top < 2e6) {
        const double prob = nb ? theta / (theta + mu) : 1.0;
        try {
          cdf.reserve(static_cast<std::size_t>(top) + 1);
          for (double k = 0.0; k <= top; k += 1.0) {
            const double c =
                nb ? detail::negative_binomial_cdf(theta, prob, k) : detail::poisson_cdf(mu, k);
            cdf.push_back(pi + (1.0 - pi) * c);
          }
          cdf.back() = 1.0;
        } catch (const std::exception&) {
          cdf.clear();
        }
      }
    }
    const std::vector<double>& cdf = tables[t];
    for (Eigen::Index i = 0; i < n; ++i) {
      const double u = rng.uniform();
      out(i, j) =
          !cdf.empty()
              ? static_cast<double>(std::lower_bound(cdf.begin(), cdf.end(), u) - cdf.begin())
              : quantile(mu, u);
    }
  }
  return out;
}

Eigen::MatrixXd CountRegressionFitted::sample_paths(std::int64_t h,
                                                    std::int64_t n_paths,
                                                    detail::PathRng& rng) const {
  if (n_covariates > 0) {
    detail::raise_argument("X_df",
                           "the model was fitted with covariates: pass their future values");
  }
  return sample_paths(h, n_paths, rng, RowMatrixXd(h, 0));
}

Contributions CountRegressionFitted::contributions(
    const ForecastOptions& options, const Eigen::Ref<const RowMatrixXd>& x_future) const {
  const SeriesForecast fc = forecast(ForecastOptions{options.h, {}, options.nonnegative}, x_future);
  const auto h = static_cast<Eigen::Index>(options.h);
  Contributions out;
  out.components.emplace_back("level");
  // Factor groups: trend, season, then each covariate in column order.
  std::vector<std::vector<Eigen::Index>> groups;
  bool has_trend = false, has_season = false;
  std::vector<std::int64_t> covs;
  for (const auto code : columns) {
    if (code == trend_column) has_trend = true;
    if (code < trend_column) has_season = true;
    if (code >= 0) covs.push_back(code);
  }
  std::sort(covs.begin(), covs.end());
  auto members = [&](auto pred) {
    std::vector<Eigen::Index> m;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (pred(columns[c])) m.push_back(static_cast<Eigen::Index>(c));
    }
    return m;
  };
  if (has_trend) {
    out.components.emplace_back("trend");
    groups.push_back(members([](std::int64_t c) { return c == trend_column; }));
  }
  if (has_season) {
    out.components.emplace_back("season");
    groups.push_back(members([](std::int64_t c) { return c < trend_column; }));
  }
  for (const auto j : covs) {
    out.components.push_back("x" + std::to_string(j));
    groups.push_back(members([j](std::int64_t c) { return c == j; }));
  }
  const auto g = static_cast<Eigen::Index>(groups.size());
  out.values = Eigen::MatrixXd::Zero(h, g + 1);
  if (!fallback.empty()) return out;
  // Shapley weights w(s) = s!(G−1−s)!/G! for coalitions of size s of the other groups.
  std::vector<double> w(static_cast<std::size_t>(g) + 1, 0.0);
  for (Eigen::Index s = 0; s < g; ++s) {
    w[static_cast<std::size_t>(s)] = std::exp(std::lgamma(static_cast<double>(s) + 1.0) +
                                              std::lgamma(static_cast<double>(g - s)) -
                                              std::lgamma(static_cast<double>(g) + 1.0));
  }
  const double level = (1.0 - pi) * std::exp(intercept);
  Eigen::VectorXd e(g);
  std::vector<double> esym(static_cast<std::size_t>(g) + 1);
  for (Eigen::Index j = 0; j < h; ++j) {
    const double* x = x_future.cols() ? x_future.row(j).data() : nullptr;
    double prod = 1.0;
    for (Eigen::Index k = 0; k < g; ++k) {
      double a = 0.0;
      for (const auto c : groups[static_cast<std::size_t>(k)]) {
        const double raw = raw_value(columns[static_cast<std::size_t>(c)], next + j, x,
                                     season_length, trend_origin);
        a += beta[c] * (raw - center[c]) / scale[c];
      }
      e[k] = std::exp(a);
      prod *= e[k];
    }
    // The forecast mean may be capped: scale the game so that the row sums to it exactly.
    const double total = level * prod;
    const double factor = total > 0.0 ? fc.mean[j] / total : 0.0;
    out.values(j, 0) = level * factor;
    for (Eigen::Index k = 0; k < g; ++k) {
      // Elementary symmetric polynomials of the other groups' factors.
      std::fill(esym.begin(), esym.end(), 0.0);
      esym[0] = 1.0;
      std::size_t deg = 0;
      for (Eigen::Index o = 0; o < g; ++o) {
        if (o == k) continue;
        ++deg;
        for (std::size_t s = deg; s > 0; --s) esym[s] += esym[s - 1] * e[o];
      }
      double sum = 0.0;
      for (std::size_t s = 0; s <= deg; ++s) sum += w[s] * esym[s];
      out.values(j, k + 1) = level * factor * (e[k] - 1.0) * sum;
    }
    // Round-off: put the residual of the row into the level so the row sums to the mean.
    out.values(j, 0) += fc.mean[j] - out.values.row(j).sum();
  }
  return out;
}

CovariateCoefficients CountRegressionFitted::coefficients() const {
  CovariateCoefficients out;
  out.coef = Eigen::VectorXd::Zero(n_covariates);
  out.std_error = Eigen::VectorXd::Constant(n_covariates, std::numeric_limits<double>::quiet_NaN());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    const std::int64_t col = columns[c];
    const auto cc = static_cast<Eigen::Index>(c);
    if (col >= 0 && col < n_covariates && cc < beta.size() && scale[cc] > 0.0) {
      out.coef[col] = beta[cc] / scale[cc];
    }
  }
  return out;
}

bool operator==(const CountRegressionFitted& a, const CountRegressionFitted& b) noexcept {
  return a.family == b.family && a.zero_inflated == b.zero_inflated &&
         a.season_length == b.season_length && a.next == b.next &&
         a.n_covariates == b.n_covariates && a.censor_column == b.censor_column &&
         a.intercept == b.intercept && a.beta == b.beta && a.columns == b.columns &&
         a.center == b.center && a.scale == b.scale && a.trend_origin == b.trend_origin &&
         a.theta == b.theta && a.pi == b.pi && a.log_mean_cap == b.log_mean_cap &&
         a.loglik == b.loglik && a.n_obs == b.n_obs && a.n_censored == b.n_censored &&
         a.iterations == b.iterations && a.fallback == b.fallback;
}

}  // namespace quickstock
