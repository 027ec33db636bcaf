#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <quickstock/detail/math.hpp>
#include <quickstock/error.hpp>
#include <quickstock/models/forecast.hpp>

namespace quickstock {

void validate(const PathRequest& request, std::size_t n_series) {
  if (request.h < 1) {
    detail::raise_argument("h",
                           "the horizon h must be >= 1 (got " + std::to_string(request.h) + ")");
  }
  if (request.n_paths < 1) {
    detail::raise_argument("n_paths",
                           "n_paths must be >= 1 (got " + std::to_string(request.n_paths) + ")");
  }
  if (!(request.correlation >= 0.0 && request.correlation < 1.0)) {
    detail::raise_argument("correlation", "correlation must be in [0, 1) (got " +
                                              std::to_string(request.correlation) + ")");
  }
  const double values = static_cast<double>(std::max<std::size_t>(n_series, 1)) *
                        static_cast<double>(request.n_paths) * static_cast<double>(request.h);
  if (values > kMaxPathValues) {
    detail::raise_argument("n_paths",
                           "series x n_paths x h = " + std::to_string(values) +
                               " values is above the cap of 2e8 (1.6 GB): ask for fewer paths, a "
                               "shorter horizon or fewer series at a time");
  }
}

namespace detail {

const std::vector<double>& copula_levels() {
  static const std::vector<double> levels = [] {
    std::vector<double> v;
    for (int i = 1; i < 200; ++i) v.push_back(static_cast<double>(i) / 200.0);
    return v;
  }();
  return levels;
}

Eigen::MatrixXd copula_paths(const SeriesForecast& forecast,
                             std::int64_t n_paths,
                             double correlation,
                             PathRng& rng) {
  const Eigen::Index h = forecast.quantiles.rows();
  const std::vector<double>& levels = copula_levels();
  const auto k = static_cast<Eigen::Index>(levels.size());
  // The quantile function of `quickstock::quantile_at` on the grid levels i/200: each step's
  // values sorted once (crossing quantiles repaired), linear between levels, Normal tails
  // through the two outermost points, censored at 0. The grid is uniform, so a draw finds its
  // interval by one division instead of a search.
  Eigen::MatrixXd v(k, h);
  Eigen::VectorXd lo_sigma(h), hi_sigma(h);
  const double z0 = normal_quantile(levels[0]);
  const double z1 = normal_quantile(levels[1]);
  for (Eigen::Index j = 0; j < h; ++j) {
    for (Eigen::Index l = 0; l < k; ++l) v(l, j) = forecast.quantiles(j, l);
    std::sort(v.col(j).data(), v.col(j).data() + k);
    lo_sigma[j] = (v(1, j) - v(0, j)) / (z1 - z0);
    hi_sigma[j] = (v(k - 1, j) - v(k - 2, j)) / (z1 - z0);  // symmetric grid: same z gap
  }
  const auto n = static_cast<Eigen::Index>(n_paths);
  Eigen::MatrixXd out(n, h);
  const double rho = correlation;
  const double innov = std::sqrt(1.0 - rho * rho);
  const double step = 1.0 / static_cast<double>(k + 1);  // grid spacing (levels i / (k + 1))
  for (Eigen::Index p = 0; p < n; ++p) {
    double z = 0.0;
    for (Eigen::Index j = 0; j < h; ++j) {
      double u;
      if (rho == 0.0) {
        u = rng.uniform();
      } else {
        z = j == 0 ? rng.normal() : rho * z + innov * rng.normal();
        u = std::clamp(0.5 * std::erfc(-z / std::sqrt(2.0)), 1e-12, 1.0 - 1e-12);
      }
      double value;
      if (u <= levels[0]) {
        value = v(0, j) + lo_sigma[j] * (normal_quantile(u) - z0);
      } else if (u >= levels[static_cast<std::size_t>(k - 1)]) {
        value = v(k - 1, j) + hi_sigma[j] * (normal_quantile(u) + z0);
      } else {
        const double pos = u / step - 1.0;  // fractional index into the grid
        const auto i = std::min(static_cast<Eigen::Index>(pos), k - 2);
        const double w = pos - static_cast<double>(i);
        value = v(i, j) + w * (v(i + 1, j) - v(i, j));
      }
      out(p, j) = std::max(0.0, value);
    }
  }
  return out;
}

Eigen::MatrixXd gaussian_paths(const Eigen::Ref<const Eigen::VectorXd>& mean,
                               const Eigen::Ref<const Eigen::MatrixXd>& loadings,
                               std::int64_t n_paths,
                               PathRng& rng,
                               double df) {
  const Eigen::Index k = loadings.cols();
  const auto n = static_cast<Eigen::Index>(n_paths);
  // Draws in path order (path p: its k normals, then its χ² scale), then one product.
  Eigen::MatrixXd z(n, k);
  Eigen::VectorXd s = Eigen::VectorXd::Ones(n);
  const bool student = std::isfinite(df) && df > 0.0;
  for (Eigen::Index p = 0; p < n; ++p) {
    for (Eigen::Index i = 0; i < k; ++i) z(p, i) = rng.normal();
    if (student) s[p] = std::sqrt(df / (2.0 * rng.gamma(df / 2.0)));
  }
  Eigen::MatrixXd out = z * loadings.transpose();
  if (student) out = s.asDiagonal() * out;
  out.rowwise() += mean.transpose();
  return out;
}

}  // namespace detail
}  // namespace quickstock
