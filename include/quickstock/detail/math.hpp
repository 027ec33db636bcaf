#pragma once

/// @file
/// The one Boost.Math policy of quickstock and the distribution helpers built on it.

#include <cmath>
#include <limits>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/policies/policy.hpp>

namespace quickstock::detail {

/// Errors throw (translated to `quickstock::error` by callers); no promotion of double to long
/// double, so results match the double-precision references.
using math_policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

/// Standard normal quantile Φ⁻¹(p), p in (0, 1).
inline double normal_quantile(double p) {
  return boost::math::quantile(boost::math::normal_distribution<double, math_policy>(0.0, 1.0), p);
}

/// Student t quantile with `df` degrees of freedom; `df` = +inf gives the normal quantile.
inline double student_t_quantile(double p, double df) {
  if (!std::isfinite(df)) return normal_quantile(p);
  return boost::math::quantile(boost::math::students_t_distribution<double, math_policy>(df), p);
}

}  // namespace quickstock::detail
