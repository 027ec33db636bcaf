#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <quickstock/decisions/inventory.hpp>
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
  const auto h = forecast.quantiles.rows();
  const std::vector<double>& levels = copula_levels();
  const auto k = static_cast<Eigen::Index>(levels.size());
  // Row-major h × levels, as quickstock::sample_paths reads it.
  std::vector<double> q(static_cast<std::size_t>(h * k));
  for (Eigen::Index j = 0; j < h; ++j) {
    for (Eigen::Index l = 0; l < k; ++l)
      q[static_cast<std::size_t>(j * k + l)] = forecast.quantiles(j, l);
  }
  PathOptions opts;
  opts.n_paths = n_paths;
  opts.correlation = correlation;
  opts.seed = rng.next();
  // quantile_at censors at 0: the fallback paths are never negative (docs/sample-paths.md).
  return sample_paths(levels, q.data(), h, opts, 0);
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
