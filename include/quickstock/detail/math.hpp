#pragma once

/// @file
/// The one Boost.Math policy of quickstock and the distribution helpers built on it.

#include <cmath>
#include <limits>

#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/policies/policy.hpp>

namespace quickstock::detail {

/// Errors throw (translated to `quickstock::error` by callers); no promotion of double to long
/// double, so results match the double-precision references.
using math_policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

/// The same policy for count distributions, whose quantiles are the smallest integer k with
/// CDF(k) >= p (the generalised inverse), not Boost's default outward rounding.
using count_policy = boost::math::policies::policy<
    boost::math::policies::promote_double<false>,
    boost::math::policies::discrete_quantile<boost::math::policies::integer_round_up>>;

/// Standard normal quantile Φ⁻¹(p), p in (0, 1).
inline double normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double, math_policy>(0.0, 1.0), p);
}

/// Student t quantile with `df` degrees of freedom; `df` = +inf gives the normal quantile.
inline double student_t_quantile(double p, double df) {
  if (!std::isfinite(df)) return normal_quantile(p);
  return boost::math::quantile(boost::math::students_t_distribution<double, math_policy>(df), p);
}

/// Poisson(mean) quantile: smallest k with CDF(k) >= p; mean > 0, p in (0, 1).
inline double poisson_quantile(double mean, double p) {
  return boost::math::quantile(boost::math::poisson_distribution<double, count_policy>(mean), p);
}

/// Poisson(mean) CDF at integer k >= 0.
inline double poisson_cdf(double mean, double k) {
  return boost::math::cdf(boost::math::poisson_distribution<double, count_policy>(mean), k);
}

/// Negative binomial quantile (failures before `r` successes of probability `prob`): smallest
/// k with CDF(k) >= p; r > 0, prob in (0, 1], p in (0, 1).
inline double negative_binomial_quantile(double r, double prob, double p) {
  return boost::math::quantile(
      boost::math::negative_binomial_distribution<double, count_policy>(r, prob), p);
}

/// Negative binomial CDF at integer k >= 0.
inline double negative_binomial_cdf(double r, double prob, double k) {
  return boost::math::cdf(
      boost::math::negative_binomial_distribution<double, count_policy>(r, prob), k);
}

/// Gamma(shape, scale) quantile, p in (0, 1).
inline double gamma_quantile(double shape, double scale, double p) {
  return boost::math::quantile(boost::math::gamma_distribution<double, math_policy>(shape, scale),
                               p);
}

}  // namespace quickstock::detail
