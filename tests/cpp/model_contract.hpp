#pragma once

// The contract every model must pass (STYLE.md §5): output shape, ordered and non-negative
// quantiles, bit-identical output for any thread count and for shuffled series, and
// invalid_input naming the series on bad input.

#include <algorithm>
#include <cmath>
#include <random>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"

namespace qs_test {

inline void check_model_contract(const quickstock::Model& spec) {
  INFO(quickstock::to_string(spec));
  const auto panel = ragged_panel(23);
  const quickstock::ForecastOptions opts{9, {0.05, 0.1, 0.5, 0.9, 0.95}, true};

  const quickstock::FittedModel f1(spec, panel, 1);
  const auto a = f1.forecast(opts, 1);
  // Shape: series × h × quantiles.
  REQUIRE(a.mean.shape()[0] == panel.n_series());
  REQUIRE(a.mean.shape()[1] == 9);
  REQUIRE(a.quantiles.shape()[2] == 5);
  // Finite, non-negative, ordered quantiles.
  for (std::size_t i = 0; i < panel.n_series(); ++i) {
    CHECK(a.first[i] == panel.end(i) + 1);
    for (std::size_t j = 0; j < 9; ++j) {
      CHECK(std::isfinite(a.mean(i, j)));
      CHECK(a.mean(i, j) >= 0.0);
      for (std::size_t q = 0; q < 5; ++q) {
        CHECK(std::isfinite(a.quantiles(i, j, q)));
        CHECK(a.quantiles(i, j, q) >= 0.0);
        if (q > 0) CHECK(a.quantiles(i, j, q) >= a.quantiles(i, j, q - 1));
      }
    }
  }
  // Bit-identical for 1 vs 4 threads, fitting and forecasting.
  const quickstock::FittedModel f4(spec, panel, 4);
  const auto b = f4.forecast(opts, 4);
  CHECK(a.mean == b.mean);
  CHECK(a.quantiles == b.quantiles);

  // Shuffling the input rows gives the same forecast.
  std::vector<std::string> ids;
  std::vector<std::int64_t> ds;
  std::vector<double> y;
  for (std::size_t i = 0; i < panel.n_series(); ++i) {
    const auto s = panel.series(i);
    for (Eigen::Index t = 0; t < s.y.size(); ++t) {
      ids.push_back(s.id);
      ds.push_back(panel.timestamp(s.start + t));
      y.push_back(s.y[t]);
    }
  }
  std::vector<std::size_t> perm(y.size());
  for (std::size_t r = 0; r < perm.size(); ++r) perm[r] = r;
  std::shuffle(perm.begin(), perm.end(), std::mt19937(7));
  std::vector<std::string> ids2;
  std::vector<std::int64_t> ds2;
  std::vector<double> y2;
  for (const auto r : perm) {
    ids2.push_back(ids[r]);
    ds2.push_back(ds[r]);
    y2.push_back(y[r]);
  }
  const auto shuffled = quickstock::Panel::from_long(ids2, ds2, y2, panel.frequency());
  const auto c = quickstock::FittedModel(spec, shuffled, 2).forecast(opts, 3);
  CHECK(a.mean == c.mean);
  CHECK(a.quantiles == c.quantiles);

  // Bad requests name the field.
  try {
    (void)f1.forecast({0, {0.5}, true}, 1);
    FAIL("h = 0 accepted");
  } catch (const quickstock::invalid_input& e) {
    CHECK(e.field() == "h");
  }
  try {
    (void)f1.forecast({3, {0.5, 1.0}, true}, 1);
    FAIL("quantile 1.0 accepted");
  } catch (const quickstock::invalid_input& e) {
    CHECK(e.field() == "quantiles");
  }
  // One-point series: finite output, never NaN.
  const auto one = quickstock::Panel::from_long({"solo"}, {t2024}, {4.0}, panel.frequency());
  const auto o = quickstock::FittedModel(spec, one, 1).forecast(opts, 1);
  for (const double v : o.quantiles) CHECK(std::isfinite(v));
}

}  // namespace qs_test
