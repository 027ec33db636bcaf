#pragma once

// Internals shared by stl.cpp and mstl.cpp: STL's resolved integer parameters, a reusable
// workspace, and the kernels working on raw arrays.

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <quickstock/models/stl.hpp>

namespace quickstock::detail {

// R's stl() arguments after its defaults and its kernel's adjustments (odd windows >= 3).
struct StlParams {
  std::ptrdiff_t np = 2, ns = 3, nt = 3, nl = 3;
  int isdeg = 0, itdeg = 1, ildeg = 1;
  std::ptrdiff_t nsjump = 1, ntjump = 1, nljump = 1;
  int ni = 2, no = 0;
  bool periodic = false;
};

// Five columns of n + 2·np values and the robustness weights; grown, never shrunk, so one
// workspace serves every STL of an MSTL fit.
struct StlWorkspace {
  std::array<std::vector<double>, 5> work;
  std::vector<double> rw;
  void resize(std::ptrdiff_t n, std::ptrdiff_t np);
};

// Resolves R's defaults for a series of length n. Throws invalid_input for bad arguments.
StlParams resolve_stl(std::ptrdiff_t n, const STLOptions& options);

// STL of y[0..n): writes season and trend (n values each); weights stay in ws.rw.
void stl_kernel(const double* y,
                std::ptrdiff_t n,
                const StlParams& p,
                StlWorkspace& ws,
                double* season,
                double* trend);

// A power of two to divide y by so that sums of its values cannot overflow (1 unless
// max |y| > 1e100); dividing by it is exact.
double magnitude_scale(const Eigen::Ref<const Eigen::VectorXd>& y);

// Throws invalid_input (field "y") at the first non-finite value.
void require_finite(const Eigen::Ref<const Eigen::VectorXd>& y);

// The periods MSTL keeps for a series of length n (validated, >= 2, < n/2, ascending).
std::vector<double> mstl_periods(std::vector<double> periods, Eigen::Index n);

// MSTL of y[0..n) over the kept periods: seasonal is n × k column-major, deseas gets y minus
// every seasonal component; with no period the trend is y.
void mstl_kernel(const double* y,
                 std::ptrdiff_t n,
                 const std::vector<double>& periods,
                 const MSTLOptions& options,
                 StlWorkspace& ws,
                 double* seasonal,
                 double* trend,
                 double* deseas);

// Periods as Python writes a list of numbers: "[24, 168]", "[7, 365.25]" (shortest round trip).
std::string format_periods(const std::vector<double>& periods);

}  // namespace quickstock::detail
