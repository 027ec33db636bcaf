#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include <Eigen/Dense>
#include <Eigen/SparseCholesky>

#include <quickstock/core/parallel.hpp>
#include <quickstock/detail/random.hpp>
#include <quickstock/reconcile/reconcile.hpp>

namespace quickstock {

namespace {

using Index = std::int64_t;
using Dense = Eigen::MatrixXd;
using Vector = Eigen::VectorXd;
using Sparse = Eigen::SparseMatrix<double, Eigen::ColMajor, int>;
using ConstRef = Eigen::Ref<const Dense>;  ///< a dense matrix or column block, never copied

[[noreturn]] void raise(const std::string& field, const std::string& message) {
  detail::raise_argument(field, message);
}

/// W = diag(d) + U Uᵀ (U may have no columns).
struct Covariance {
  Vector d;
  Dense U;
  double shrinkage = 0.0;
  std::string fallback;
};

/// Schäfer–Strimmer shrinkage of the sample covariance of `res` (n × T, complete), returned as
/// diag(d) + U Uᵀ without forming n × n: the intensity's sums over pairs i ≠ j come from the
/// T × T Gram matrix of the standardised residuals.
Covariance shrink_covariance(const Dense& res, double ridge) {
  const Index n = res.rows();
  const Index T = res.cols();
  if (T < 2) raise("residuals", "mint_shrink needs at least 2 residual rows per series");
  constexpr double eps = 2e-8;
  const Vector mean = res.rowwise().mean();
  Dense X = res.colwise() - mean;  // centred, n × T
  const Vector ss = X.rowwise().squaredNorm();
  const Vector inv_sd = ((ss / static_cast<double>(T)).cwiseSqrt().array() + eps).inverse();
  double all_sq = 0.0, diag_sq = 0.0, all_cov2 = 0.0, diag_cov2 = 0.0;
  {                                           // Z and Z² live only in this block (each n × T)
    const Dense Z = inv_sd.asDiagonal() * X;  // standardised, n × T
    // Σ_{i≠j} s_i² s_j² Σ_k x_ik² x_jk² = Σ_k (Σ_i z_ik²)² − Σ_ik z_ik⁴
    {
      const Dense Z2 = Z.cwiseAbs2();
      all_sq = Z2.colwise().sum().squaredNorm();
      diag_sq = Z2.cwiseAbs2().sum();
      diag_cov2 = Z2.rowwise().sum().squaredNorm();
    }
    // Σ_{i≠j} (s_i s_j Σ_k x_ik x_jk)² = ‖Z Zᵀ‖²_F − Σ_i (Σ_k z_ik²)² = ‖Zᵀ Z‖²_F − ...
    Dense G = Dense::Zero(T, T);
    G.selfadjointView<Eigen::Lower>().rankUpdate(Z.transpose());
    G.triangularView<Eigen::StrictlyUpper>() = G.transpose();
    all_cov2 = G.squaredNorm();
  }
  const double sum_cov_sq = 0.5 * (all_sq - diag_sq);    // Σ_{i<j} Σ_k (z_ik z_jk)²
  const double sum_cov2 = 0.5 * (all_cov2 - diag_cov2);  // Σ_{i<j} (Σ_k z_ik z_jk)²
  const auto Td = static_cast<double>(T);
  const double sum_var = sum_cov_sq - sum_cov2 / Td;  // Σ var_w
  const double sum_sq = sum_cov2 / (Td * Td);         // Σ w_mean²
  const double factor = 1.0 / (Td * (Td - 1.0));
  const double lambda = std::clamp(factor * sum_var / (sum_sq + eps), 0.0, 1.0);
  Covariance w;
  w.shrinkage = lambda;
  const double keep = 1.0 - lambda;
  const Vector var = ss / (Td - 1.0);
  w.d.resize(n);
  for (Index i = 0; i < n; ++i) {
    const double wii = std::max(var(i), ridge);
    // A floor keeps C D Cᵀ invertible when λ is (almost) 0.
    w.d(i) = std::max(wii - keep * var(i), 1e-10 * wii);
  }
  if (keep > 0.0) {
    X *= std::sqrt(keep / (Td - 1.0));  // the same products as scalar * X, without a copy
    w.U = std::move(X);
  }
  return w;
}

Covariance covariance(const Hierarchy& h, const ReconcileOptions& o, const Dense* residuals) {
  const Index n = h.n_series();
  Covariance w;
  switch (o.method) {
    case ReconcileMethod::ols:
      w.d = Vector::Ones(n);
      break;
    case ReconcileMethod::wls_struct: {
      w.d.resize(n);
      for (Index i = 0; i < n; ++i) {
        w.d(i) = static_cast<double>(h.S.outerIndexPtr()[i + 1] - h.S.outerIndexPtr()[i]);
      }
      break;
    }
    case ReconcileMethod::wls_var:
    case ReconcileMethod::mint_shrink: {
      if (residuals == nullptr || residuals->cols() == 0) {
        raise("residuals", to_string(o.method) +
                               " needs residuals (cross-validation or in-sample) of every series");
      }
      if (residuals->rows() != n) {
        raise("residuals", "expected one residual row per series (" + std::to_string(n) +
                               "), got " + std::to_string(residuals->rows()));
      }
      if (!residuals->allFinite()) raise("residuals", "residuals must be finite");
      if (o.method == ReconcileMethod::wls_var) {
        w.d = residuals->rowwise().squaredNorm() / static_cast<double>(residuals->cols());
        w.d.array() += 2e-8;
      } else {
        w = shrink_covariance(*residuals, o.shrink_ridge);
      }
      break;
    }
    default:
      break;
  }
  return w;
}

/// MinT in constraint form: C W Cᵀ is n_a × n_a and sparse; U enters through Woodbury.
class MinTSolver {
 public:
  MinTSolver(const Hierarchy& h, const Covariance& w) : w_(w) {
    na_ = h.n_aggregated();
    nb_ = h.n_bottom();
    if (na_ == 0) return;
    A_ = Sparse(h.S.topRows(na_).cast<double>());
    const Vector db = w.d.tail(nb_);
    Sparse M = A_ * db.asDiagonal() * Sparse(A_.transpose());
    Sparse Da(na_, na_);
    Da.setIdentity();
    Da = Da * w.d.head(na_).asDiagonal();
    M = M + Da;
    M.makeCompressed();
    llt_.compute(M);
    if (llt_.info() != Eigen::Success) {
      raise("method", "the MinT system is singular (zero or negative variances)");
    }
    if (w.U.cols() > 0) {
      V_ = w.U.topRows(na_) - A_ * w.U.bottomRows(nb_);
      MinvV_ = llt_.solve(V_);
      Dense cap = V_.transpose() * MinvV_;
      cap.diagonal().array() += 1.0;
      cap_.compute(cap);
    }
  }

  /// Reconciled bottom forecasts for base forecasts `y` (n × K).
  [[nodiscard]] Dense bottom(const ConstRef& y) const {
    if (na_ == 0) return y;
    const Dense r = y.topRows(na_) - A_ * y.bottomRows(nb_);
    Dense x = llt_.solve(r);
    Dense b = y.bottomRows(nb_);
    if (V_.cols() > 0) {
      x -= MinvV_ * cap_.solve(V_.transpose() * x);
      const Dense Vx = V_.transpose() * x;
      b.noalias() -= w_.U.bottomRows(nb_) * Vx;
    }
    const Dense Atx = Sparse(A_.transpose()) * x;
    b += w_.d.tail(nb_).asDiagonal() * Atx;
    return b;
  }

  /// Factorises what `w_inverse` needs (only for a low-rank `W`); call once before `w_inverse`
  /// is used, and before threads share the solver.
  void prepare_w_inverse() {
    if (w_.U.cols() == 0 || winv_ready_) return;
    DinvU_ = w_.d.cwiseInverse().asDiagonal() * w_.U;
    Dense cap = w_.U.transpose() * DinvU_;
    cap.diagonal().array() += 1.0;
    wcap_.compute(cap);
    winv_ready_ = true;
  }

  /// W⁻¹ z for z (n × K): diag(d)⁻¹ z − D⁻¹U (I + UᵀD⁻¹U)⁻¹ UᵀD⁻¹ z (after
  /// `prepare_w_inverse`; reads the solver only, so threads may call it concurrently).
  [[nodiscard]] Dense w_inverse(const Dense& z) const {
    Dense out = w_.d.cwiseInverse().asDiagonal() * z;
    if (w_.U.cols() > 0) {
      if (!winv_ready_) raise("method", "internal: w_inverse before prepare_w_inverse");
      out.noalias() -= DinvU_ * wcap_.solve(w_.U.transpose() * out);
    }
    return out;
  }

 private:
  const Covariance& w_;
  Index na_ = 0;
  Index nb_ = 0;
  Sparse A_;
  Eigen::SimplicialLDLT<Sparse> llt_;
  Dense V_;
  Dense MinvV_;
  Eigen::LDLT<Dense> cap_;
  bool winv_ready_ = false;
  Dense DinvU_;
  Eigen::LDLT<Dense> wcap_;
};

/// Forecast slices per block of the unconstrained MinT solve. Blocks are fixed (not derived from
/// the thread count) so the dense products inside a block, and therefore the bits of the result,
/// do not depend on `n_threads`.
constexpr Index kMinTBlock = 32;

/// `solver.bottom(y)` over column blocks of `kMinTBlock` slices, the blocks spread over threads.
Dense mint_bottom(const MinTSolver& solver, const ConstRef& y, Index nb, int n_threads) {
  const Index K = y.cols();
  if (K <= kMinTBlock) return solver.bottom(y);
  Dense b(nb, K);
  const auto n_blocks = static_cast<std::size_t>((K + kMinTBlock - 1) / kMinTBlock);
  detail::parallel_for_series(n_blocks, n_threads, [&](std::size_t j) {
    const Index lo = static_cast<Index>(j) * kMinTBlock;
    const Index w = std::min(kMinTBlock, K - lo);
    b.middleCols(lo, w) = solver.bottom(y.middleCols(lo, w));
  });
  return b;
}

/// How one block of non-negative MinT columns ended.
struct NonnegativeBlock {
  double kkt_residual = 0.0;
  Index iterations = 0;
};

/// Non-negative MinT for the columns `Y` (base, clipped) starting from `X` (the clipped
/// unconstrained bottom forecasts), in place: min ½ bᵀQb − cᵀb, b ≥ 0, Q = SᵀW⁻¹S, c = SᵀW⁻¹ŷ⁺,
/// by FISTA in the metric P = diag(Sᵀ D⁻¹ S 1) ⪰ Q (diagonally dominant with non-negative
/// entries), with gradient restart (O'Donoghue & Candès 2015).
NonnegativeBlock fista_block(const Hierarchy& h,
                             const MinTSolver& solver,
                             const Vector& Pinv,
                             const Dense& Y,
                             Dense& X,
                             const ReconcileOptions& o) {
  const auto& S = h.S;
  const Index K = Y.cols();
  const Dense C = S.transpose() * solver.w_inverse(Y);
  auto Q = [&](const Dense& Z) -> Dense { return S.transpose() * solver.w_inverse(S * Z); };
  Vector scale(K);
  for (Index j = 0; j < K; ++j) {
    scale(j) = std::max({Y.col(j).cwiseAbs().maxCoeff(), X.col(j).cwiseAbs().maxCoeff(), 1e-300});
  }
  auto kkt = [&](const Dense& Z, const Dense& G) {
    double worst = 0.0;
    for (Index j = 0; j < K; ++j) {
      const Vector step = (Z.col(j) - Pinv.cwiseProduct(G.col(j))).cwiseMax(0.0);
      worst = std::max(worst, (Z.col(j) - step).cwiseAbs().maxCoeff() / scale(j));
    }
    return worst;
  };
  Dense G = Q(X) - C;
  double res = kkt(X, G);
  Index it = 0;
  Dense Yk = X;
  double t = 1.0;
  while (res > o.tolerance && it < o.max_iterations) {
    ++it;
    const Dense Gy = (it == 1) ? G : Dense(Q(Yk) - C);
    Dense Xn = (Yk - Pinv.asDiagonal() * Gy).cwiseMax(0.0);
    // Restart the momentum when it points uphill.
    if (((Yk - Xn).cwiseProduct(Xn - X)).sum() > 0.0) {
      t = 1.0;
    }
    const double tn = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t * t));
    Yk = Xn + ((t - 1.0) / tn) * (Xn - X);
    X = std::move(Xn);
    t = tn;
    if (it % 10 == 0 || it == o.max_iterations) {
      G = Q(X) - C;
      res = kkt(X, G);
    }
  }
  return {res, it};
}

/// Non-negative MinT over the slices whose unconstrained `b` has a negative entry: those columns
/// are cut into fixed blocks of `kMinTBlock` (in slice order, independent of `n_threads`), each
/// block iterated by `fista_block` on one thread, so the result is bit-identical for any count.
void nonnegative_mint(const Hierarchy& h,
                      MinTSolver& solver,
                      const Covariance& w,
                      const ConstRef& y,
                      Dense& b,
                      const ReconcileOptions& o,
                      ReconcileResult& result,
                      int n_threads) {
  std::vector<Index> cols;
  for (Index k = 0; k < b.cols(); ++k) {
    if ((b.col(k).array() < 0.0).any()) cols.push_back(k);
  }
  if (cols.empty()) return;
  solver.prepare_w_inverse();
  const auto K = static_cast<Index>(cols.size());
  const Vector s1 = h.S * Vector::Ones(h.n_bottom());
  const Vector P = h.S.transpose() * (w.d.cwiseInverse().cwiseProduct(s1));
  const Vector Pinv = P.cwiseInverse();
  const auto n_blocks = static_cast<std::size_t>((K + kMinTBlock - 1) / kMinTBlock);
  std::vector<NonnegativeBlock> ended(n_blocks);
  detail::parallel_for_series(n_blocks, n_threads, [&](std::size_t blk) {
    const Index lo = static_cast<Index>(blk) * kMinTBlock;
    const Index width = std::min(kMinTBlock, K - lo);
    Dense Y(y.rows(), width), X(b.rows(), width);
    for (Index j = 0; j < width; ++j) {
      const Index k = cols[static_cast<std::size_t>(lo + j)];
      Y.col(j) = y.col(k);
      X.col(j) = b.col(k).cwiseMax(0.0);
    }
    ended[blk] = fista_block(h, solver, Pinv, Y, X, o);
    for (Index j = 0; j < width; ++j) b.col(cols[static_cast<std::size_t>(lo + j)]) = X.col(j);
  });
  for (const NonnegativeBlock& e : ended) {
    result.kkt_residual = std::max(result.kkt_residual, e.kkt_residual);
    result.iterations = std::max(result.iterations, e.iterations);
  }
  if (result.kkt_residual > o.tolerance) {
    result.fallback =
        "nonnegative: iteration cap reached, KKT residual " + std::to_string(result.kkt_residual);
  }
}

/// Parent row of every row of level l + 1 (requires nesting).
std::vector<Index> parents(const Hierarchy& h, Index l) {
  const Index lo = h.level_offsets[static_cast<std::size_t>(l + 1)];
  const Index hi = h.level_offsets[static_cast<std::size_t>(l + 2)];
  std::vector<Index> p(static_cast<std::size_t>(hi - lo), -1);
  for (Index b = 0; b < h.n_bottom(); ++b)
    p[static_cast<std::size_t>(h.node(l + 1, b) - lo)] = h.node(l, b);
  return p;
}

/// Forecast proportions for the slices `y` (a column block): level by level from `from`, each
/// child gets `ŷ_child / Σ ŷ_siblings` of its parent's value (equal split when the siblings sum
/// to ~0). `par[l - from]` and `count[l - from]` are the parents of level `l + 1` and each
/// parent's number of children. Every column is computed alone, so blocks give the same bits.
Dense forecast_proportions(const Hierarchy& h,
                           const ConstRef& y,
                           Index from,
                           const std::vector<std::vector<Index>>& par,
                           const std::vector<std::vector<Index>>& count) {
  const Index L = h.n_levels();
  const Index K = y.cols();
  Dense val = y;  // rows below `from` are overwritten level by level
  for (Index l = from; l + 1 < L; ++l) {
    const std::vector<Index>& pl = par[static_cast<std::size_t>(l - from)];
    const std::vector<Index>& cl = count[static_cast<std::size_t>(l - from)];
    const Index lo = h.level_offsets[static_cast<std::size_t>(l + 1)];
    const Index plo = h.level_offsets[static_cast<std::size_t>(l)];
    Dense sums = Dense::Zero(lo - plo, K);
    for (std::size_t c = 0; c < pl.size(); ++c) {
      sums.row(pl[c] - plo) += y.row(lo + static_cast<Index>(c));
    }
    for (std::size_t c = 0; c < pl.size(); ++c) {
      const Index row = lo + static_cast<Index>(c);
      const Index p = pl[c];
      for (Index k = 0; k < K; ++k) {
        const double sum = sums(p - plo, k);
        val(row, k) = std::abs(sum) < 1e-8
                          ? val(p, k) / static_cast<double>(cl[static_cast<std::size_t>(p - plo)])
                          : y(row, k) * val(p, k) / sum;
      }
    }
  }
  return val.bottomRows(h.n_bottom());
}

/// Top-down from level `from`. Forecast proportions run over fixed blocks of `kMinTBlock`
/// slices, the historical rules over bottom series, spread over `n_threads`; every value is
/// computed by one thread alone, so the result does not depend on the count.
Dense top_down(const Hierarchy& h,
               const ConstRef& y,
               Index from,
               const ReconcileOptions& o,
               const Dense* history,
               std::string& fallback,
               int n_threads) {
  const Index nb = h.n_bottom();
  const Index L = h.n_levels();
  const Index K = y.cols();
  Dense b(nb, K);
  if (o.top_down == TopDownMethod::forecast_proportions) {
    if (!h.is_nested_below(from)) {
      raise("method", "forecast_proportions needs levels nested from \"" +
                          h.level_names[static_cast<std::size_t>(from)] + "\" down to the bottom");
    }
    std::vector<std::vector<Index>> par, count;
    for (Index l = from; l + 1 < L; ++l) {
      par.push_back(parents(h, l));
      const Index plo = h.level_offsets[static_cast<std::size_t>(l)];
      std::vector<Index> cnt(
          static_cast<std::size_t>(h.level_offsets[static_cast<std::size_t>(l + 1)] - plo), 0);
      for (const Index p : par.back()) ++cnt[static_cast<std::size_t>(p - plo)];
      count.push_back(std::move(cnt));
    }
    const auto n_blocks = static_cast<std::size_t>((K + kMinTBlock - 1) / kMinTBlock);
    detail::parallel_for_series(n_blocks, n_threads, [&](std::size_t blk) {
      const Index lo = static_cast<Index>(blk) * kMinTBlock;
      const Index width = std::min(kMinTBlock, K - lo);
      b.middleCols(lo, width) = forecast_proportions(h, y.middleCols(lo, width), from, par, count);
    });
    return b;
  }
  if (history == nullptr || history->cols() == 0) {
    raise("history",
          "top-down with historical proportions needs the history (Y_df) of every "
          "series");
  }
  if (history->rows() != h.n_series()) {
    raise("history", "expected one history row per series");
  }
  const Index T = history->cols();
  std::vector<Index> under(static_cast<std::size_t>(h.n_series()), 0);
  for (Index b2 = 0; b2 < nb; ++b2) ++under[static_cast<std::size_t>(h.node(from, b2))];
  std::vector<char> equal_split(static_cast<std::size_t>(nb), 0);
  detail::parallel_for_series(static_cast<std::size_t>(nb), n_threads, [&](std::size_t bu) {
    const auto bb = static_cast<Index>(bu);
    const Index top = h.node(from, bb);
    const Index row = h.n_aggregated() + bb;
    double p = std::numeric_limits<double>::quiet_NaN();
    if (o.top_down == TopDownMethod::average_proportions) {
      double s = 0.0;
      Index m = 0;
      for (Index t = 0; t < T; ++t) {
        const double yb = (*history)(row, t), yt = (*history)(top, t);
        if (std::isfinite(yb) && std::isfinite(yt) && yt != 0.0) {
          s += yb / yt;
          ++m;
        }
      }
      if (m > 0) p = s / static_cast<double>(m);
    } else {
      double sb = 0.0, st = 0.0;
      Index mb = 0, mt = 0;
      for (Index t = 0; t < T; ++t) {
        const double yb = (*history)(row, t), yt = (*history)(top, t);
        if (std::isfinite(yb)) sb += yb, ++mb;
        if (std::isfinite(yt)) st += yt, ++mt;
      }
      if (mb > 0 && mt > 0 && st != 0.0)
        p = (sb / static_cast<double>(mb)) / (st / static_cast<double>(mt));
    }
    if (!std::isfinite(p)) {
      p = 1.0 / static_cast<double>(under[static_cast<std::size_t>(top)]);
      equal_split[bu] = 1;
    }
    b.row(bb) = p * y.row(top);
  });
  if (std::find(equal_split.begin(), equal_split.end(), 1) != equal_split.end()) {
    fallback = "top_down: equal split under nodes with no history";
  }
  return b;
}

}  // namespace

std::string to_string(ReconcileMethod method) {
  switch (method) {
    case ReconcileMethod::bottom_up:
      return "bottom_up";
    case ReconcileMethod::top_down:
      return "top_down";
    case ReconcileMethod::middle_out:
      return "middle_out";
    case ReconcileMethod::ols:
      return "ols";
    case ReconcileMethod::wls_struct:
      return "wls_struct";
    case ReconcileMethod::wls_var:
      return "wls_var";
    case ReconcileMethod::mint_shrink:
      return "mint_shrink";
  }
  return "?";
}

ReconcileMethod parse_reconcile_method(const std::string& name) {
  for (const auto m :
       {ReconcileMethod::bottom_up, ReconcileMethod::top_down, ReconcileMethod::middle_out,
        ReconcileMethod::ols, ReconcileMethod::wls_struct, ReconcileMethod::wls_var,
        ReconcileMethod::mint_shrink}) {
    if (to_string(m) == name) return m;
  }
  raise("method", "unknown reconciliation method \"" + name +
                      "\" (bottom_up, top_down, middle_out, ols, wls_struct, wls_var, "
                      "mint_shrink)");
}

TopDownMethod parse_top_down_method(const std::string& name) {
  if (name == "forecast_proportions") return TopDownMethod::forecast_proportions;
  if (name == "average_proportions") return TopDownMethod::average_proportions;
  if (name == "proportion_averages") return TopDownMethod::proportion_averages;
  raise("top_down_method", "unknown top-down rule \"" + name +
                               "\" (forecast_proportions, average_proportions, "
                               "proportion_averages)");
}

ReconcileResult reconcile(const Hierarchy& h,
                          const ConstRef& base,
                          const ReconcileOptions& o,
                          const Dense* residuals,
                          const Dense* history,
                          int n_threads) {
  const Index n = h.n_series();
  const Index nb = h.n_bottom();
  if (base.rows() != n) {
    raise("base", "expected one row per series of the hierarchy (" + std::to_string(n) + "), got " +
                      std::to_string(base.rows()));
  }
  for (Index i = 0; i < n; ++i) {
    if (!base.row(i).allFinite()) {
      detail::raise_invalid("base forecasts must be finite", h.ids[static_cast<std::size_t>(i)],
                            std::nullopt, "mean");
    }
  }
  if (o.tolerance <= 0.0 || o.max_iterations < 1) {
    raise("tolerance", "tolerance must be > 0 and max_iterations >= 1");
  }
  // The base forecasts themselves unless they need clipping: no copy of n_series × K otherwise.
  Dense clipped;
  if (o.nonnegative && (base.array() < 0.0).any()) clipped = base.cwiseMax(0.0);
  const ConstRef y = clipped.size() > 0 ? ConstRef(clipped) : base;
  ReconcileResult result;
  Dense b;
  switch (o.method) {
    case ReconcileMethod::bottom_up:
      b = y.bottomRows(nb);
      break;
    case ReconcileMethod::top_down:
      b = top_down(h, y, 0, o, history, result.fallback, n_threads);
      break;
    case ReconcileMethod::middle_out: {
      if (o.level <= 0 || o.level >= h.n_levels() - 1) {
        raise("level",
              "middle_out needs a level strictly between the top and the bottom "
              "(index 1 .. " +
                  std::to_string(h.n_levels() - 2) + "), got " + std::to_string(o.level));
      }
      b = top_down(h, y, o.level, o, history, result.fallback, n_threads);
      break;
    }
    default: {
      const Covariance w = covariance(h, o, residuals);
      result.shrinkage = w.shrinkage;
      MinTSolver solver(h, w);
      b = mint_bottom(solver, y, nb, n_threads);
      if (o.nonnegative) nonnegative_mint(h, solver, w, y, b, o, result, n_threads);
      break;
    }
  }
  if (o.nonnegative) b = b.cwiseMax(0.0);
  result.values = h.S * b;
  result.bottom = std::move(b);
  return result;
}

// -- probabilistic -------------------------------------------------------------------------------

namespace {

/// Piecewise-linear quantile function through (levels, q), flat beyond the ends.
double quantile_at(const std::vector<double>& levels, const double* q, double u) {
  const std::size_t Q = levels.size();
  if (u <= levels.front()) return q[0];
  if (u >= levels.back()) return q[Q - 1];
  const auto it = std::upper_bound(levels.begin(), levels.end(), u);
  const auto j = static_cast<std::size_t>(it - levels.begin());
  const double w = (u - levels[j - 1]) / (levels[j] - levels[j - 1]);
  return q[j - 1] + w * (q[j] - q[j - 1]);
}

/// Runs `fn(lo, hi)` on contiguous blocks of `[0, n)`, one block per thread (each block can keep
/// its own scratch buffers). Items are computed alone, so results do not depend on `n_threads`.
template <class Fn>
void parallel_blocks(std::size_t n, int n_threads, Fn&& fn) {
  const auto t = static_cast<std::size_t>(resolve_threads(n_threads, n));
  detail::parallel_for_series(t, static_cast<int>(t),
                              [&](std::size_t j) { fn(n * j / t, n * (j + 1) / t); });
}

/// Type-7 quantile of sorted values.
double type7(const std::vector<double>& sorted, double p) {
  const double pos = p * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

std::vector<double> reconcile_quantiles(const Hierarchy& h,
                                        const std::vector<double>& bottom_quantiles,
                                        const Dense& reconciled_bottom,
                                        const Dense* residual_ranks,
                                        const QuantileReconcileOptions& o,
                                        int n_threads) {
  const Index nb = h.n_bottom();
  const Index n = h.n_series();
  const auto Q = static_cast<Index>(o.levels.size());
  const Index K = reconciled_bottom.cols();
  if (Q == 0) raise("quantiles", "no quantile levels");
  for (Index j = 0; j < Q; ++j) {
    const double l = o.levels[static_cast<std::size_t>(j)];
    if (!(l > 0.0 && l < 1.0) || (j > 0 && l <= o.levels[static_cast<std::size_t>(j - 1)])) {
      raise("quantiles", "quantile levels must increase strictly inside (0, 1)");
    }
  }
  if (reconciled_bottom.rows() != nb || static_cast<Index>(bottom_quantiles.size()) != K * nb * Q) {
    raise("quantiles", "bottom quantiles and reconciled means disagree in size");
  }
  for (const double v : bottom_quantiles) {
    if (!std::isfinite(v)) raise("quantiles", "bottom quantiles must be finite");
  }
  if (o.n_samples < 1) raise("n_samples", "n_samples must be >= 1");
  // Sample index of every (bottom series, path): idx(b, m) in [0, M), a permutation per b.
  Index T = 0, reps = 1, M = o.n_samples;
  std::vector<std::int32_t> rank;  // nb × T or nb × M
  if (residual_ranks != nullptr && residual_ranks->cols() > 0) {
    if (residual_ranks->rows() != nb)
      raise("residuals", "expected one residual row per bottom series");
    T = residual_ranks->cols();
    reps = std::max<Index>(1, (o.n_samples + T - 1) / T);
    M = T * reps;
    rank.resize(static_cast<std::size_t>(nb * T));
    std::vector<Index> order(static_cast<std::size_t>(T));
    for (Index b = 0; b < nb; ++b) {
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](Index a, Index c) {
        return (*residual_ranks)(b, a) < (*residual_ranks)(b, c);
      });
      for (Index r = 0; r < T; ++r) {
        rank[static_cast<std::size_t>(b * T + order[static_cast<std::size_t>(r)])] =
            static_cast<std::int32_t>(r);
      }
    }
  } else {
    rank.resize(static_cast<std::size_t>(nb * M));
    for (Index b = 0; b < nb; ++b) {
      std::int32_t* p = rank.data() + b * M;
      std::iota(p, p + M, 0);
      std::uint64_t state = o.seed ^ (0xD1B54A32D192ED03ULL * static_cast<std::uint64_t>(b + 1));
      for (Index i = M - 1; i > 0; --i) {  // Fisher–Yates with splitmix64: portable
        const auto j =
            static_cast<Index>(detail::splitmix64(state) % static_cast<std::uint64_t>(i + 1));
        std::swap(p[i], p[j]);
      }
    }
  }
  auto grid_index = [&](Index b, Index m) -> Index {
    if (T > 0) {
      const Index s = m / T, t = m % T;
      return static_cast<Index>(rank[static_cast<std::size_t>(b * T + t)]) * reps + s;
    }
    return rank[static_cast<std::size_t>(b * M + m)];
  };
  std::vector<double> out(static_cast<std::size_t>(K * n * Q));
  // Row b of `paths` holds bottom series b's samples in path order: paths(b, m) is the sample of
  // rank grid_index(b, m). Each aggregated row then sums its bottom rows' paths contiguously
  // (over b in increasing column order, as S lists them), so the sums and the output do not
  // depend on the thread count: every row is computed by one thread alone.
  std::vector<double> paths(static_cast<std::size_t>(nb * M));
  const Index na = h.n_aggregated();
  const auto levels_at = [&](const std::vector<double>& sorted, double* dst) {
    for (Index j = 0; j < Q; ++j) dst[j] = type7(sorted, o.levels[static_cast<std::size_t>(j)]);
  };
  for (Index k = 0; k < K; ++k) {
    parallel_blocks(static_cast<std::size_t>(nb), n_threads, [&](std::size_t lo, std::size_t hi) {
      std::vector<double> qsorted(static_cast<std::size_t>(Q));
      std::vector<double> g(static_cast<std::size_t>(M));
      for (std::size_t bu = lo; bu < hi; ++bu) {
        const auto b = static_cast<Index>(bu);
        const double* q = bottom_quantiles.data() + (k * nb + b) * Q;
        std::copy(q, q + Q, qsorted.begin());
        std::sort(qsorted.begin(), qsorted.end());  // rearrangement if the input crosses
        double mean = 0.0;
        for (Index i = 0; i < M; ++i) {
          g[static_cast<std::size_t>(i)] = quantile_at(
              o.levels, qsorted.data(), (static_cast<double>(i) + 0.5) / static_cast<double>(M));
          mean += g[static_cast<std::size_t>(i)];
        }
        mean /= static_cast<double>(M);
        const double target = reconciled_bottom(b, k);
        if (o.nonnegative) {
          if (mean > 0.0) {
            const double f = std::max(target, 0.0) / mean;
            for (double& v : g) v = std::max(v, 0.0) * f;
          } else {
            std::fill(g.begin(), g.end(), std::max(target, 0.0));
          }
        } else {
          for (double& v : g) v += target - mean;
        }
        double* p = paths.data() + b * M;
        for (Index m = 0; m < M; ++m) p[m] = g[static_cast<std::size_t>(grid_index(b, m))];
        // A bottom row's paths are a permutation of its samples, which are sorted already (a
        // shifted or scaled quantile function, up to rounding at the knots); + 0.0 is what the
        // path sum does to -0.
        for (double& v : g) v = 0.0 + v;
        if (!std::is_sorted(g.begin(), g.end())) std::sort(g.begin(), g.end());  // rounding
        levels_at(g, out.data() + (k * n + na + b) * Q);
      }
    });
    parallel_blocks(static_cast<std::size_t>(na), n_threads, [&](std::size_t lo, std::size_t hi) {
      std::vector<double> acc(static_cast<std::size_t>(M));
      for (std::size_t iu = lo; iu < hi; ++iu) {
        const auto i = static_cast<Index>(iu);
        std::fill(acc.begin(), acc.end(), 0.0);
        for (Hierarchy::SparseMatrix::InnerIterator it(h.S, i); it; ++it) {
          const double* p = paths.data() + it.col() * M;
          for (Index m = 0; m < M; ++m) acc[static_cast<std::size_t>(m)] += p[m];
        }
        std::sort(acc.begin(), acc.end());
        levels_at(acc, out.data() + (k * n + i) * Q);
      }
    });
  }
  return out;
}

}  // namespace quickstock
