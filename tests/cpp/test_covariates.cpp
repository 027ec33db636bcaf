// The future-covariate plumbing of FittedPanel: a model that uses covariates receives the h future
// rows of its own series, shapes are checked, and models without covariates ignore them.

#include <limits>
#include <string>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"

namespace qs = quickstock;

namespace {

// A test-only model: forecast = last y + (first future covariate − last history covariate).
struct CovariateShift {
  static constexpr bool uses_covariates = true;
  struct Fitted {
    double last_y = 0.0;
    double last_x = 0.0;
    std::string fallback;
    [[nodiscard]] qs::SeriesForecast forecast(const qs::ForecastOptions& o,
                                              const Eigen::Ref<const qs::RowMatrixXd>& x) const {
      qs::SeriesForecast f;
      const auto h = static_cast<Eigen::Index>(o.h);
      f.mean = Eigen::VectorXd::Constant(h, last_y);
      if (x.cols() > 0) f.mean += x.col(0) - Eigen::VectorXd::Constant(h, last_x);
      f.quantiles = f.mean.replicate(1, static_cast<Eigen::Index>(o.quantiles.size()));
      return f;
    }
  };
  [[nodiscard]] Fitted fit(const qs::SeriesView& s) const {
    Fitted f;
    f.last_y = s.y[s.y.size() - 1];
    if (s.x.cols() > 0) f.last_x = s.x(s.x.rows() - 1, 0);
    return f;
  }
};
void validate(const CovariateShift&) {}

qs::Panel covariate_panel() {
  std::vector<std::int64_t> codes{0, 0, 0, 1, 1};
  std::vector<std::int64_t> ds;
  for (const int t : {0, 1, 2, 0, 1}) ds.push_back(qs_test::t2024 + t * qs_test::day);
  std::vector<double> y{1, 2, 3, 10, 20};
  std::vector<double> x{5, 6, 7, 100, 200};  // one covariate column
  qs::LongInput in;
  in.codes = codes.data();
  in.ds = ds.data();
  in.y = y.data();
  in.n_rows = y.size();
  in.ids = {"a", "b"};
  in.covariates = x.data();
  in.covariate_names = {"price"};
  return qs::Panel::from_long(in, qs::Frequency::parse("D"));
}

}  // namespace

TEST_CASE("a covariate model gets the future rows of its own series", "[covariates]") {
  const auto panel = covariate_panel();
  const auto fitted = qs::fit_panel(CovariateShift{}, panel, 2);
  REQUIRE(fitted.covariate_names() == std::vector<std::string>{"price"});
  qs::RowMatrixXd future(4, 1);
  future << 8, 9, 150, 300;  // a: steps 1-2, b: steps 1-2
  for (const int threads : {1, 2}) {
    const auto fc = fitted.forecast({2, {0.5}, false}, future, threads);
    CHECK(fc.mean(0, 0) == 3 + (8 - 7));
    CHECK(fc.mean(0, 1) == 3 + (9 - 7));
    CHECK(fc.mean(1, 0) == 20 + (150 - 200));
    CHECK(fc.mean(1, 1) == 20 + (300 - 200));
  }
}

TEST_CASE("missing or misshapen future covariates name X_df", "[covariates]") {
  const auto panel = covariate_panel();
  const auto fitted = qs::fit_panel(CovariateShift{}, panel, 1);
  try {
    (void)fitted.forecast({2, {0.5}, false}, 1);
    FAIL("forecast without future covariates accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "X_df");
    CHECK(std::string(e.what()).find("price") != std::string::npos);
  }
  try {
    (void)fitted.forecast({2, {0.5}, false}, qs::RowMatrixXd::Zero(3, 1), 1);
    FAIL("wrong row count accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "X_df");
  }
  qs::RowMatrixXd bad(4, 1);
  bad << 1, std::numeric_limits<double>::quiet_NaN(), 3, 4;
  try {
    (void)fitted.forecast({2, {0.5}, false}, bad, 1);
    FAIL("NaN future covariate accepted");
  } catch (const qs::invalid_input& e) {
    CHECK(e.field() == "price");
  }
}

TEST_CASE("models without covariates ignore future covariates", "[covariates]") {
  const auto panel = covariate_panel();
  const qs::FittedModel naive(qs::Naive{}, panel, 1);
  CHECK_FALSE(naive.uses_covariates());
  qs::RowMatrixXd future(4, 1);
  future << 8, 9, 150, 300;
  const auto with = naive.forecast({2, {0.1, 0.9}, true}, future, 1);
  const auto without = naive.forecast({2, {0.1, 0.9}, true}, 1);
  CHECK(with.mean == without.mean);
  CHECK(with.quantiles == without.quantiles);
}
