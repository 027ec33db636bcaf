// Reconciliation: summing matrix, aggregation, every method's coherence, MinT against dense
// closed forms on a small tree, non-negative MinT against an exhaustive active-set search,
// coherent quantiles, and errors.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Dense>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"

using Catch::Matchers::WithinAbs;
using quickstock::Hierarchy;
using quickstock::HierarchyLevel;
using quickstock::ReconcileMethod;
using quickstock::ReconcileOptions;

namespace {

/// Total → North (one pincode: a single-child node), West (two pincodes).
/// Bottom input order: 500032 (West), 500081 (West), 500072 (North).
Hierarchy small_tree() {
  std::vector<HierarchyLevel> levels{{"Total", {"Total"}, {0, 0, 0}},
                                     {"zone", {"North", "West"}, {1, 1, 0}},
                                     {"pincode", {"500072", "500032", "500081"}, {1, 2, 0}}};
  return Hierarchy::from_levels(std::move(levels));
}

Eigen::MatrixXd dense_S(const Hierarchy& h) { return Eigen::MatrixXd(h.S.cast<double>()); }

Eigen::MatrixXd base_forecasts() {
  Eigen::MatrixXd y(6, 3);
  y << 13, 20, 1,  //
      3, 9, 0.5,   //
      9, 12, 2,    //
      2.5, 8, 3,   //
      4, 5, -2,    //
      6, 6, 1;
  return y;
}

Eigen::MatrixXd residuals(std::int64_t n, std::int64_t T) {
  Eigen::MatrixXd r(n, T);
  for (std::int64_t i = 0; i < n; ++i) {
    for (std::int64_t t = 0; t < T; ++t) {
      r(i, t) = std::sin(0.7 * static_cast<double>(t + 1) * static_cast<double>(i + 2)) +
                0.3 * std::cos(1.3 * static_cast<double>(t) + static_cast<double>(i));
    }
  }
  return r;
}

/// Dense MinT: S (Sᵀ W⁻¹ S)⁻¹ Sᵀ W⁻¹ y.
Eigen::MatrixXd dense_mint(const Eigen::MatrixXd& S,
                           const Eigen::MatrixXd& W,
                           const Eigen::MatrixXd& y) {
  const Eigen::MatrixXd Wi = W.inverse();
  return S * (S.transpose() * Wi * S).ldlt().solve(S.transpose() * Wi * y);
}

/// The Schäfer–Strimmer shrinkage covariance written out pair by pair (hierarchicalforecast's
/// definition), for comparison with the low-rank computation.
Eigen::MatrixXd dense_shrink(const Eigen::MatrixXd& r, double ridge) {
  const auto n = r.rows();
  const auto T = static_cast<double>(r.cols());
  const Eigen::MatrixXd X = r.colwise() - r.rowwise().mean();
  Eigen::VectorXd inv_sd(n);
  for (Eigen::Index i = 0; i < n; ++i)
    inv_sd(i) = 1.0 / (std::sqrt(X.row(i).squaredNorm() / T) + 2e-8);
  Eigen::MatrixXd W = X * X.transpose() / (T - 1.0);
  double sv = 0.0, ss = 0.0;
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < i; ++j) {
      double cov = 0.0, cov_sq = 0.0;
      for (Eigen::Index k = 0; k < r.cols(); ++k) {
        const double c = X(i, k) * X(j, k);
        cov += c;
        cov_sq += c * c;
      }
      const double s = inv_sd(i) * inv_sd(j);
      sv += s * s * (cov_sq - cov * cov / T);
      ss += (s * cov / T) * (s * cov / T);
    }
  }
  const double lambda = std::clamp(sv / (T * (T - 1.0)) / (ss + 2e-8), 0.0, 1.0);
  Eigen::MatrixXd out = (1.0 - lambda) * W;
  for (Eigen::Index i = 0; i < n; ++i) out(i, i) = std::max(W(i, i), ridge);
  return out;
}

void require_coherent(const Hierarchy& h, const Eigen::MatrixXd& values) {
  const Eigen::MatrixXd bottom = values.bottomRows(h.n_bottom());
  const Eigen::MatrixXd summed = dense_S(h) * bottom;
  for (Eigen::Index i = 0; i < values.rows(); ++i) {
    for (Eigen::Index k = 0; k < values.cols(); ++k) {
      REQUIRE(std::abs(summed(i, k) - values(i, k)) <=
              1e-9 * std::max(1.0, std::abs(values(i, k))));
    }
  }
}

}  // namespace

TEST_CASE("summing matrix of a small tree", "[reconcile]") {
  const Hierarchy h = small_tree();
  REQUIRE(h.n_series() == 6);
  REQUIRE(h.n_bottom() == 3);
  REQUIRE(h.ids ==
          std::vector<std::string>{"Total", "North", "West", "500072", "500032", "500081"});
  Eigen::MatrixXd expected(6, 3);
  expected << 1, 1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1;
  REQUIRE(dense_S(h) == expected);
  REQUIRE(h.is_nested_below(0));
  REQUIRE(h.level_index("zone") == 1);
  REQUIRE_THROWS_AS(static_cast<void>(h.level_index("city")), quickstock::invalid_input);
}

TEST_CASE("aggregate sums bottom rows into every node", "[reconcile]") {
  const Hierarchy h = small_tree();
  // Bottom input index (column): 0 = 500072, 1 = 500032, 2 = 500081; times 0..2.
  const std::vector<std::int64_t> bottom{1, 1, 2, 0, 0, 2};
  const std::vector<std::int64_t> time{1, 0, 0, 0, 2, 1};
  const std::vector<double> y{2, 1, 10, 100, 300, 20};
  const auto out = quickstock::aggregate(h, bottom.data(), time.data(), y.data(), y.size(), 3);
  // Total: t0 = 1+10+100, t1 = 2+20, t2 = 300.
  REQUIRE(out.series == std::vector<std::int64_t>{0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  REQUIRE(out.time == std::vector<std::int64_t>{0, 1, 2, 0, 2, 0, 1, 0, 2, 0, 1, 0, 1});
  REQUIRE(out.y == std::vector<double>{111, 22, 300, 100, 300, 11, 22, 100, 300, 1, 2, 10, 20});
  const std::vector<std::int64_t> dup_time{0, 0, 0, 0, 2, 1};  // 500032 twice at t0: summed
  const auto dup = quickstock::aggregate(h, bottom.data(), dup_time.data(), y.data(), y.size(), 3);
  REQUIRE(dup.y[0] == 113.0);
  // The compact 32-bit layout: the same values; rows grouped by series (read in place) and
  // scattered (counting sort) give the same result.
  const std::vector<std::int32_t> b32(bottom.begin(), bottom.end()), t32(time.begin(), time.end());
  const auto compact =
      quickstock::aggregate_series(h, b32.data(), t32.data(), y.data(), y.size(), 3);
  REQUIRE(compact.offsets == std::vector<std::int64_t>{0, 3, 5, 7, 9, 11, 13});
  REQUIRE(compact.time == std::vector<std::int32_t>{0, 1, 2, 0, 2, 0, 1, 0, 2, 0, 1, 0, 1});
  REQUIRE(compact.y == out.y);
  const std::vector<std::int32_t> gb{2, 2, 0, 0, 1, 1}, gt{1, 0, 2, 0, 1, 0};  // grouped rows
  const std::vector<double> gy{20, 10, 300, 100, 2, 1};
  const auto grouped = quickstock::aggregate_series(h, gb.data(), gt.data(), gy.data(), 6, 3);
  REQUIRE(grouped == compact);
  const std::vector<std::int32_t> bad_t{0, 0, 3, 0, 0, 0};
  REQUIRE_THROWS_AS(quickstock::aggregate_series(h, gb.data(), bad_t.data(), gy.data(), 6, 3),
                    quickstock::invalid_input);
}

TEST_CASE("MinT ols, wls_struct, wls_var and mint_shrink equal dense closed forms", "[reconcile]") {
  const Hierarchy h = small_tree();
  const Eigen::MatrixXd S = dense_S(h);
  const Eigen::MatrixXd y = base_forecasts();
  const Eigen::MatrixXd res = residuals(6, 12);
  Eigen::MatrixXd W;
  ReconcileOptions o;
  SECTION("ols") {
    o.method = ReconcileMethod::ols;
    W = Eigen::MatrixXd::Identity(6, 6);
  }
  SECTION("wls_struct") {
    o.method = ReconcileMethod::wls_struct;
    W = Eigen::MatrixXd(S.rowwise().sum().asDiagonal());
  }
  SECTION("wls_var") {
    o.method = ReconcileMethod::wls_var;
    Eigen::VectorXd d = res.rowwise().squaredNorm() / 12.0;
    d.array() += 2e-8;
    W = Eigen::MatrixXd(d.asDiagonal());
  }
  SECTION("mint_shrink") {
    o.method = ReconcileMethod::mint_shrink;
    W = dense_shrink(res, 2e-8);
  }
  const auto r = quickstock::reconcile(h, y, o, &res);
  const Eigen::MatrixXd ref = dense_mint(S, W, y);
  require_coherent(h, r.values);
  for (Eigen::Index i = 0; i < 6; ++i) {
    for (Eigen::Index k = 0; k < 3; ++k) REQUIRE_THAT(r.values(i, k), WithinAbs(ref(i, k), 1e-10));
  }
}

TEST_CASE("bottom_up, top_down and middle_out", "[reconcile]") {
  const Hierarchy h = small_tree();
  const Eigen::MatrixXd y = base_forecasts();
  ReconcileOptions o;
  o.method = ReconcileMethod::bottom_up;
  auto r = quickstock::reconcile(h, y, o);
  REQUIRE(r.bottom == y.bottomRows(3));
  require_coherent(h, r.values);

  o.method = ReconcileMethod::top_down;  // forecast proportions
  r = quickstock::reconcile(h, y, o);
  require_coherent(h, r.values);
  // Column 0: Total 13 → North 3/(3+9)·13 = 3.25, West 9.75; West's children 4 and 6.
  REQUIRE_THAT(r.values(1, 0), WithinAbs(3.25, 1e-12));
  REQUIRE_THAT(r.values(3, 0), WithinAbs(3.25, 1e-12));  // single child takes it all
  REQUIRE_THAT(r.values(4, 0), WithinAbs(9.75 * 0.4, 1e-12));
  REQUIRE_THAT(r.values(5, 0), WithinAbs(9.75 * 0.6, 1e-12));

  Eigen::MatrixXd history(6, 2);
  history << 10, 20, 2, 5, 8, 15, 2, 5, 3, 5, 5, 10;
  o.top_down = quickstock::TopDownMethod::average_proportions;
  r = quickstock::reconcile(h, y, o, nullptr, &history);
  REQUIRE_THAT(r.values(3, 0), WithinAbs(13 * 0.5 * (0.2 + 0.25), 1e-12));
  o.top_down = quickstock::TopDownMethod::proportion_averages;
  r = quickstock::reconcile(h, y, o, nullptr, &history);
  REQUIRE_THAT(r.values(4, 0), WithinAbs(13 * 4.0 / 15.0, 1e-12));
  REQUIRE_THROWS_AS(quickstock::reconcile(h, y, o), quickstock::invalid_input);

  o.method = ReconcileMethod::middle_out;
  o.level = 1;
  o.top_down = quickstock::TopDownMethod::forecast_proportions;
  r = quickstock::reconcile(h, y, o);
  require_coherent(h, r.values);
  REQUIRE_THAT(r.values(2, 0), WithinAbs(9.0, 1e-12));  // the middle level keeps its forecast
  REQUIRE_THAT(r.values(0, 0), WithinAbs(12.0, 1e-12));
  o.level = 2;
  REQUIRE_THROWS_AS(quickstock::reconcile(h, y, o), quickstock::invalid_input);
}

TEST_CASE("non-negative MinT equals the exhaustive active-set optimum", "[reconcile]") {
  const Hierarchy h = small_tree();
  const Eigen::MatrixXd S = dense_S(h);
  Eigen::MatrixXd y(6, 1);
  y << 1, 6, -4, 5, -3, 0.5;
  ReconcileOptions o;
  o.method =
      GENERATE(ReconcileMethod::ols, ReconcileMethod::wls_struct, ReconcileMethod::mint_shrink);
  o.nonnegative = true;
  const Eigen::MatrixXd res = residuals(6, 12);
  const auto r = quickstock::reconcile(h, y, o, &res);
  REQUIRE(r.kkt_residual <= o.tolerance);
  REQUIRE((r.values.array() >= 0.0).all());
  require_coherent(h, r.values);
  // Exhaustive search over which bottom series are zero.
  Eigen::MatrixXd W = Eigen::MatrixXd::Identity(6, 6);
  if (o.method == ReconcileMethod::wls_struct) W = Eigen::MatrixXd(S.rowwise().sum().asDiagonal());
  if (o.method == ReconcileMethod::mint_shrink) W = dense_shrink(res, 2e-8);
  const Eigen::MatrixXd Wi = W.inverse();
  const Eigen::VectorXd yp = y.col(0).cwiseMax(0.0);
  double best = std::numeric_limits<double>::infinity();
  Eigen::VectorXd best_b;
  for (int mask = 0; mask < 8; ++mask) {
    std::vector<int> free;
    for (int j = 0; j < 3; ++j) {
      if ((mask >> j) & 1) free.push_back(j);
    }
    Eigen::VectorXd b = Eigen::VectorXd::Zero(3);
    if (!free.empty()) {
      Eigen::MatrixXd Sf(6, static_cast<Eigen::Index>(free.size()));
      for (std::size_t j = 0; j < free.size(); ++j)
        Sf.col(static_cast<Eigen::Index>(j)) = S.col(free[j]);
      const Eigen::VectorXd bf = (Sf.transpose() * Wi * Sf).ldlt().solve(Sf.transpose() * Wi * yp);
      if ((bf.array() < 0.0).any()) continue;
      for (std::size_t j = 0; j < free.size(); ++j) b(free[j]) = bf(static_cast<Eigen::Index>(j));
    }
    const Eigen::VectorXd e = yp - S * b;
    const double f = e.dot(Wi * e);
    if (f < best) best = f, best_b = b;
  }
  for (Eigen::Index j = 0; j < 3; ++j) REQUIRE_THAT(r.bottom(j, 0), WithinAbs(best_b(j), 1e-7));
}

TEST_CASE("coherent quantiles: ordered, non-negative, bottom means kept", "[reconcile]") {
  const Hierarchy h = small_tree();
  quickstock::QuantileReconcileOptions o;
  o.levels = {0.1, 0.5, 0.9};
  o.nonnegative = true;
  std::vector<double> q{0, 1, 3, 2, 4, 8, 0, 0, 1};  // one slice, 3 bottom × 3 levels
  Eigen::MatrixXd means(3, 1);
  means << 1.0, 4.5, 0.4;
  const Eigen::MatrixXd res = residuals(3, 20);
  const auto out = quickstock::reconcile_quantiles(h, q, means, &res, o);
  REQUIRE(out.size() == 18);
  for (std::size_t i = 0; i < 6; ++i) {
    REQUIRE(out[i * 3] >= 0.0);
    REQUIRE(out[i * 3] <= out[i * 3 + 1]);
    REQUIRE(out[i * 3 + 1] <= out[i * 3 + 2]);
  }
  // Independent copula: deterministic for a seed.
  const auto a = quickstock::reconcile_quantiles(h, q, means, nullptr, o);
  const auto b = quickstock::reconcile_quantiles(h, q, means, nullptr, o);
  REQUIRE(a == b);
  // The total's median lies between the sum of the bottom 10% and 90% quantiles.
  REQUIRE(out[1] >= out[9] + out[12] + out[15]);
  REQUIRE(out[1] <= out[11] + out[14] + out[17]);
}

TEST_CASE("hierarchy errors name the node or id", "[reconcile]") {
  std::vector<HierarchyLevel> empty_node{{"zone", {"North", "West", "East"}, {1, 1, 0}},
                                         {"pincode", {"a", "b", "c"}, {1, 2, 0}}};
  REQUIRE_THROWS_WITH(Hierarchy::from_levels(empty_node), Catch::Matchers::Contains("East"));
  std::vector<HierarchyLevel> dup{{"zone", {"a", "West"}, {1, 1, 0}},
                                  {"pincode", {"a", "b", "c"}, {1, 2, 0}}};
  REQUIRE_THROWS_WITH(Hierarchy::from_levels(dup), Catch::Matchers::Contains("\"a\""));
  const Hierarchy h = small_tree();
  Eigen::MatrixXd y = base_forecasts();
  y(4, 1) = std::numeric_limits<double>::quiet_NaN();
  ReconcileOptions o;
  REQUIRE_THROWS_WITH(quickstock::reconcile(h, y, o), Catch::Matchers::Contains("500032"));
  o.method = ReconcileMethod::mint_shrink;
  REQUIRE_THROWS_AS(quickstock::reconcile(h, base_forecasts(), o), quickstock::invalid_input);
}

namespace {

/// Total → 4 regions → 12 cities → 60 stores, and a product split of the stores into 3
/// categories (a grouped structure: the category level does not nest in the regions).
Hierarchy grouped_hierarchy() {
  const std::int64_t nb = 60;
  std::vector<HierarchyLevel> levels(4);
  levels[0].name = "Total";
  levels[0].ids = {"Total"};
  levels[1].name = "region";
  levels[2].name = "category";
  levels[3].name = "store";
  for (int r = 0; r < 4; ++r) levels[1].ids.push_back("R" + std::to_string(r));
  for (int c = 0; c < 3; ++c) levels[2].ids.push_back("C" + std::to_string(c));
  for (std::int64_t b = 0; b < nb; ++b) {
    levels[0].node_of.push_back(0);
    levels[1].node_of.push_back(b / 15);
    levels[2].node_of.push_back(b % 3);
    levels[3].ids.push_back("S" + std::to_string(b));
    levels[3].node_of.push_back(b);
  }
  return Hierarchy::from_levels(std::move(levels));
}

/// Total → 4 regions → 12 cities → 48 stores (a tree, for top-down and middle-out).
Hierarchy tree_hierarchy() {
  const std::int64_t nb = 48;
  std::vector<HierarchyLevel> levels(4);
  levels[0] = {"Total", {"Total"}, {}};
  levels[1].name = "region";
  levels[2].name = "city";
  levels[3].name = "store";
  for (int r = 0; r < 4; ++r) levels[1].ids.push_back("R" + std::to_string(r));
  for (int c = 0; c < 12; ++c) levels[2].ids.push_back("C" + std::to_string(c));
  for (std::int64_t b = 0; b < nb; ++b) {
    levels[0].node_of.push_back(0);
    levels[1].node_of.push_back(b / 12);
    levels[2].node_of.push_back(b / 4);
    levels[3].ids.push_back("S" + std::to_string(b));
    levels[3].node_of.push_back(b);
  }
  return Hierarchy::from_levels(std::move(levels));
}

/// Incoherent base forecasts with some negative entries, `n × K`.
Eigen::MatrixXd wide_base(const Hierarchy& h, std::int64_t K) {
  Eigen::MatrixXd y(h.n_series(), K);
  for (std::int64_t i = 0; i < y.rows(); ++i) {
    for (std::int64_t k = 0; k < K; ++k) {
      const double size = static_cast<double>(h.S.outerIndexPtr()[i + 1] - h.S.outerIndexPtr()[i]);
      y(i, k) = size * (2.0 + std::sin(0.37 * static_cast<double>(i * K + k))) +
                1.5 * std::cos(1.1 * static_cast<double>(k + 3 * i)) - 0.4;
    }
  }
  return y;
}

/// The documented path construction written out directly (no path-ordered buffer, every row
/// summed and sorted): sample m = s·T + t of bottom series b has rank rank_b(t)·reps + s.
std::vector<double> reference_quantiles(const Hierarchy& h,
                                        const std::vector<double>& q,
                                        const Eigen::MatrixXd& means,
                                        const Eigen::MatrixXd& res,
                                        const std::vector<double>& levels,
                                        std::int64_t n_samples) {
  const std::int64_t nb = h.n_bottom(), n = h.n_series(), K = means.cols();
  const auto Q = static_cast<std::int64_t>(levels.size());
  const std::int64_t T = res.cols(), reps = (n_samples + T - 1) / T, M = T * reps;
  auto qf = [&](const double* v, double u) {
    if (u <= levels.front()) return v[0];
    if (u >= levels.back()) return v[Q - 1];
    std::int64_t j = 1;
    while (levels[static_cast<std::size_t>(j)] <= u) ++j;
    const double w =
        (u - levels[static_cast<std::size_t>(j - 1)]) /
        (levels[static_cast<std::size_t>(j)] - levels[static_cast<std::size_t>(j - 1)]);
    return v[j - 1] + w * (v[j] - v[j - 1]);
  };
  auto type7 = [](const std::vector<double>& s, double p) {
    const double pos = p * static_cast<double>(s.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, s.size() - 1);
    return s[lo] + (pos - static_cast<double>(lo)) * (s[hi] - s[lo]);
  };
  std::vector<double> out(static_cast<std::size_t>(K * n * Q));
  for (std::int64_t k = 0; k < K; ++k) {
    std::vector<std::vector<double>> path(static_cast<std::size_t>(nb));
    for (std::int64_t b = 0; b < nb; ++b) {
      std::vector<double> g(static_cast<std::size_t>(M));
      const double* v = q.data() + (k * nb + b) * Q;
      double mean = 0.0;
      for (std::int64_t i = 0; i < M; ++i) {
        g[static_cast<std::size_t>(i)] =
            qf(v, (static_cast<double>(i) + 0.5) / static_cast<double>(M));
        mean += g[static_cast<std::size_t>(i)];
      }
      mean /= static_cast<double>(M);
      for (double& x : g) x += means(b, k) - mean;
      std::vector<std::int64_t> order(static_cast<std::size_t>(T));
      for (std::int64_t t = 0; t < T; ++t) order[static_cast<std::size_t>(t)] = t;
      std::stable_sort(order.begin(), order.end(),
                       [&](std::int64_t a, std::int64_t c) { return res(b, a) < res(b, c); });
      std::vector<std::int64_t> rank(static_cast<std::size_t>(T));
      for (std::int64_t r = 0; r < T; ++r)
        rank[static_cast<std::size_t>(order[static_cast<std::size_t>(r)])] = r;
      auto& p = path[static_cast<std::size_t>(b)];
      p.resize(static_cast<std::size_t>(M));
      for (std::int64_t m = 0; m < M; ++m) {
        p[static_cast<std::size_t>(m)] =
            g[static_cast<std::size_t>(rank[static_cast<std::size_t>(m % T)] * reps + m / T)];
      }
    }
    for (std::int64_t i = 0; i < n; ++i) {
      std::vector<double> acc(static_cast<std::size_t>(M), 0.0);
      for (Hierarchy::SparseMatrix::InnerIterator it(h.S, i); it; ++it) {
        for (std::int64_t m = 0; m < M; ++m) {
          acc[static_cast<std::size_t>(m)] +=
              path[static_cast<std::size_t>(it.col())][static_cast<std::size_t>(m)];
        }
      }
      std::sort(acc.begin(), acc.end());
      for (std::int64_t j = 0; j < Q; ++j) {
        out[static_cast<std::size_t>((k * n + i) * Q + j)] =
            type7(acc, levels[static_cast<std::size_t>(j)]);
      }
    }
  }
  return out;
}

}  // namespace

TEST_CASE("reconcile is bit-identical for 1, 2 and 8 threads", "[reconcile][threads]") {
  const Hierarchy h = grouped_hierarchy();
  const Eigen::MatrixXd y = wide_base(h, 70);  // 70 slices: three MinT blocks of <= 32
  const Eigen::MatrixXd res = residuals(h.n_series(), 24);
  for (const auto m :
       {ReconcileMethod::bottom_up, ReconcileMethod::ols, ReconcileMethod::wls_struct,
        ReconcileMethod::wls_var, ReconcileMethod::mint_shrink}) {
    for (const bool nonneg : {false, true}) {
      ReconcileOptions o;
      o.method = m;
      o.nonnegative = nonneg;
      const auto one = quickstock::reconcile(h, y, o, &res, nullptr, 1);
      require_coherent(h, one.values);
      if (nonneg && m != ReconcileMethod::bottom_up) {
        // More than one block of 32 slices goes through the non-negative iteration, so the
        // blocks really are spread over threads.
        o.nonnegative = false;
        const auto free = quickstock::reconcile(h, y, o, &res, nullptr, 1);
        o.nonnegative = true;
        std::int64_t negative = 0;
        for (Eigen::Index k = 0; k < y.cols(); ++k)
          negative += (free.bottom.col(k).array() < 0.0).any() ? 1 : 0;
        REQUIRE(negative > 32);
        REQUIRE(one.kkt_residual <= o.tolerance);
        REQUIRE((one.bottom.array() >= 0.0).all());
      }
      for (const int t : {2, 8}) {
        const auto many = quickstock::reconcile(h, y, o, &res, nullptr, t);
        REQUIRE(many.values == one.values);
        REQUIRE(many.bottom == one.bottom);
      }
      if (m == ReconcileMethod::ols && !nonneg) {
        // The blocked solve is the dense closed form.
        const Eigen::MatrixXd S = dense_S(h);
        const Eigen::MatrixXd W = Eigen::MatrixXd::Identity(h.n_series(), h.n_series());
        const Eigen::MatrixXd dense = dense_mint(S, W, y);
        REQUIRE((one.values - dense).cwiseAbs().maxCoeff() <= 1e-10 * dense.cwiseAbs().maxCoeff());
      }
    }
  }
  // Top-down and middle-out with every proportion rule (forecast proportions over blocks of 32
  // slices, historical rules over bottom series), on a tree with a history that has gaps.
  const Hierarchy tree = tree_hierarchy();
  const Eigen::MatrixXd yt = wide_base(tree, 70).cwiseAbs();
  Eigen::MatrixXd history = wide_base(tree, 30).cwiseAbs();
  history(tree.n_series() - 1, 3) = std::numeric_limits<double>::quiet_NaN();
  history.row(tree.n_series() - 2).setConstant(std::numeric_limits<double>::quiet_NaN());
  for (const auto m : {ReconcileMethod::top_down, ReconcileMethod::middle_out}) {
    for (const auto rule : {quickstock::TopDownMethod::forecast_proportions,
                            quickstock::TopDownMethod::average_proportions,
                            quickstock::TopDownMethod::proportion_averages}) {
      ReconcileOptions o;
      o.method = m;
      o.top_down = rule;
      o.level = 2;
      o.nonnegative = true;
      const auto one = quickstock::reconcile(tree, yt, o, nullptr, &history, 1);
      require_coherent(tree, one.values);
      if (rule != quickstock::TopDownMethod::forecast_proportions) {
        REQUIRE(one.fallback.find("equal split") != std::string::npos);  // the all-NaN store
      }
      for (const int t : {2, 8}) {
        const auto many = quickstock::reconcile(tree, yt, o, nullptr, &history, t);
        REQUIRE(many.values == one.values);
        REQUIRE(many.bottom == one.bottom);
        REQUIRE(many.fallback == one.fallback);
      }
    }
  }
}

TEST_CASE("coherent quantiles: bit-identical for 1, 2 and 8 threads and equal to the direct paths",
          "[reconcile][threads]") {
  const Hierarchy h = grouped_hierarchy();
  const std::int64_t nb = h.n_bottom(), K = 5;
  quickstock::QuantileReconcileOptions o;
  o.levels = {0.05, 0.25, 0.5, 0.75, 0.95};
  o.n_samples = 100;
  std::vector<double> q;
  for (std::int64_t k = 0; k < K; ++k) {
    for (std::int64_t b = 0; b < nb; ++b) {
      const double c = 3.0 + std::sin(static_cast<double>(b + 7 * k));
      for (const double l : o.levels)
        q.push_back(c + 2.0 * (l - 0.5) * (1.0 + 0.1 * static_cast<double>(b % 4)));
    }
  }
  Eigen::MatrixXd means(nb, K);
  for (std::int64_t b = 0; b < nb; ++b)
    for (std::int64_t k = 0; k < K; ++k)
      means(b, k) = 3.0 + 0.5 * std::cos(static_cast<double>(b * K + k));
  const Eigen::MatrixXd res = residuals(nb, 23);  // 100 samples -> 5 replicas of 23 rows
  const auto one = quickstock::reconcile_quantiles(h, q, means, &res, o, 1);
  REQUIRE(one == reference_quantiles(h, q, means, res, o.levels, o.n_samples));
  for (const int t : {2, 8})
    REQUIRE(quickstock::reconcile_quantiles(h, q, means, &res, o, t) == one);
  o.nonnegative = true;
  o.seed = 12345;
  const auto indep = quickstock::reconcile_quantiles(h, q, means, nullptr, o, 1);
  for (const int t : {2, 8})
    REQUIRE(quickstock::reconcile_quantiles(h, q, means, nullptr, o, t) == indep);
  for (std::size_t r = 0; r < indep.size(); r += o.levels.size()) {
    REQUIRE(indep[r] >= 0.0);
    for (std::size_t j = 1; j < o.levels.size(); ++j) REQUIRE(indep[r + j - 1] <= indep[r + j]);
  }
}
