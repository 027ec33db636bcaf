// ARIMA and AutoARIMA against R's forecast 8.20 (tests/reference/r_forecast/make_arima.R wrote
// the reference values) and against closed forms.
//
// Tolerances, and why (details in tests/python/test_arima.py and docs/arima.md):
// - Chandrasekhar recursions vs the dense Kalman filter (same likelihood, rewritten): 1e-10.
// - Stationary covariance: Q = T Q T' + R R' to 1e-10.
// - Fits without differencing follow R's likelihood and BFGS path: forecasts within 1e-4 of the
//   95% width (observed 1e-11 for fixed orders, 2e-5 for one AutoARIMA fit).
// - With differencing R approximates the diffuse prior with variance 1e6 where we difference
//   exactly: forecasts and quantiles within 3% of the 95% interval width; orders identical.

#include <cmath>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <quickstock/quickstock.hpp>

#include "catch.hpp"
#include "helpers.hpp"
#include "model_contract.hpp"

namespace qs = quickstock;

namespace {

// CSV with quoted fields that may hold commas (R's write.csv).
std::map<std::string, std::vector<std::string>> read_quoted_csv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  auto split = [](const std::string& line) {
    std::vector<std::string> out;
    std::string cell;
    bool quoted = false;
    for (const char ch : line) {
      if (ch == '"') {
        quoted = !quoted;
      } else if (ch == ',' && !quoted) {
        out.push_back(cell);
        cell.clear();
      } else if (ch != '\r') {
        cell += ch;
      }
    }
    out.push_back(cell);
    return out;
  };
  std::string line;
  std::getline(in, line);
  const auto header = split(line);
  std::map<std::string, std::vector<std::string>> cols;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto cells = split(line);
    for (std::size_t c = 0; c < header.size() && c < cells.size(); ++c) {
      cols[header[c]].push_back(cells[c]);
    }
  }
  return cols;
}

Eigen::VectorXd seasonal_poly(std::initializer_list<double> ns,
                              std::initializer_list<double> s,
                              int m,
                              double sign) {
  const int p = static_cast<int>(ns.size()), P = static_cast<int>(s.size());
  Eigen::VectorXd out = Eigen::VectorXd::Zero(p + P * m);
  int i = 0;
  for (double v : ns) out[i++] = v;
  int j = 0;
  for (double v : s) {
    out[(j + 1) * m - 1] += v;
    int k = 0;
    for (double a : ns) out[(j + 1) * m + k++] += sign * a * v;
    ++j;
  }
  return out;
}

}  // namespace

TEST_CASE("ARIMA: Chandrasekhar recursions equal the dense Kalman filter", "[arima]") {
  Eigen::VectorXd w(200);
  for (int t = 0; t < 200; ++t) w[t] = std::sin(0.3 * t) + 0.1 * ((t * 7919) % 13 - 6);
  struct Case {
    Eigen::VectorXd phi, theta;
  };
  std::vector<Case> cases;
  cases.push_back({seasonal_poly({0.5, -0.2}, {}, 1, -1.0), Eigen::VectorXd(0)});
  cases.push_back({Eigen::VectorXd(0), seasonal_poly({0.4, 0.0, -0.3}, {}, 1, 1.0)});
  cases.push_back({seasonal_poly({0.3}, {0.5}, 12, -1.0), seasonal_poly({-0.4}, {-0.6}, 12, 1.0)});
  cases.push_back({seasonal_poly({0.9}, {}, 1, -1.0), seasonal_poly({-0.95}, {}, 1, 1.0)});
  cases.push_back({seasonal_poly({0.2, 0.1}, {0.3, 0.2}, 24, -1.0),
                   seasonal_poly({0.3}, {-0.7, 0.1}, 24, 1.0)});
  for (const auto& c : cases) {
    double s1 = 0, l1 = 0, s2 = 0, l2 = 0;
    REQUIRE(qs::detail::arma_likelihood(w, c.phi, c.theta, true, s1, l1));
    REQUIRE(qs::detail::arma_likelihood(w, c.phi, c.theta, false, s2, l2));
    CHECK_THAT(s1, Catch::Matchers::WithinRel(s2, 1e-10));
    CHECK_THAT(l1, Catch::Matchers::WithinAbs(l2, 1e-9));
    // Q = T Q T' + R R'
    const Eigen::MatrixXd Q = qs::detail::arma_state_covariance(c.phi, c.theta);
    const Eigen::Index r = Q.rows();
    Eigen::MatrixXd T = Eigen::MatrixXd::Zero(r, r);
    Eigen::VectorXd R = Eigen::VectorXd::Zero(r);
    for (Eigen::Index i = 0; i < r; ++i) {
      if (i < c.phi.size()) T(i, 0) = c.phi[i];
      if (i + 1 < r) T(i, i + 1) = 1.0;
      R[i] = i == 0 ? 1.0 : (i <= c.theta.size() ? c.theta[i - 1] : 0.0);
    }
    const Eigen::MatrixXd lhs = T * Q * T.transpose() + R * R.transpose();
    CHECK((lhs - Q).cwiseAbs().maxCoeff() < 1e-10 * (1.0 + Q.cwiseAbs().maxCoeff()));
  }
  // A non-stationary AR part is refused.
  double s = 0, l = 0;
  CHECK_FALSE(qs::detail::arma_likelihood(w, seasonal_poly({1.01}, {}, 1, -1.0), Eigen::VectorXd(0),
                                          true, s, l));
}

TEST_CASE("ARIMA and AutoARIMA match R forecast::Arima / auto.arima", "[arima]") {
  const std::string dir = std::string(QUICKSTOCK_REFERENCE_DIR) + "/r_forecast/";
  const auto series = qs_test::read_csv(dir + "arima_series.csv");
  const auto fits = read_quoted_csv(dir + "arima_fits.csv");
  const auto fcs = qs_test::read_csv(dir + "arima_forecasts.csv");
  std::map<std::string, std::vector<double>> values;
  std::map<std::string, std::int64_t> period;
  for (std::size_t r = 0; r < series.at("series").size(); ++r) {
    values[series.at("series")[r]].push_back(std::stod(series.at("y")[r]));
    period[series.at("series")[r]] = std::stoll(series.at("m")[r]);
  }
  double worst_plain = 0.0, worst_diff = 0.0;
  int n_checked = 0;
  for (std::size_t r = 0; r < fits.at("series").size(); ++r) {
    const std::string name = fits.at("series")[r], spec = fits.at("spec")[r];
    if (spec.find("xreg") != std::string::npos) continue;  // covered in Python
    const auto m = period[name];
    const Eigen::Map<const Eigen::VectorXd> y(values[name].data(),
                                              static_cast<Eigen::Index>(values[name].size()));
    qs::ARIMAFitted f;
    const qs::RowMatrixXd none(y.size(), 0);
    if (spec == "auto" || spec == "auto_seas") {
      qs::AutoARIMA a;
      a.season_length = m;
      // make_arima.R: "auto" is auto.arima(y, seasonal.test = "ocsb"), "auto_seas" auto.arima(y)
      // with R's default seasonal-strength test, which is AutoARIMA's default too
      if (spec == "auto") a.seasonal_test = "ocsb";
      f = qs::fit_auto_arima(y, none, a);
    } else if (spec == "ar2") {
      f = qs::fit_arima(y, none, qs::ARIMA{{2, 0, 0}, {0, 0, 0}, m});
    } else if (spec == "arima111d") {
      f = qs::fit_arima(y, none, qs::ARIMA{{1, 1, 1}, {0, 0, 0}, m, true, true});
    } else if (spec == "airline") {
      f = qs::fit_arima(y, none, qs::ARIMA{{0, 1, 1}, {0, 1, 1}, m});
    } else if (spec == "css201") {
      f = qs::fit_arima(y, none,
                        qs::ARIMA{{2, 0, 1}, {0, 0, 0}, m, true, false, qs::ARIMAMethod::css});
    } else {
      continue;
    }
    INFO(name << " " << spec);
    CHECK(f.order.p == std::stoll(fits.at("p")[r]));
    CHECK(f.order.d == std::stoll(fits.at("d")[r]));
    CHECK(f.order.q == std::stoll(fits.at("q")[r]));
    if (std::stoll(fits.at("m")[r]) > 1) {
      CHECK(f.seasonal_order.p == std::stoll(fits.at("P")[r]));
      CHECK(f.seasonal_order.d == std::stoll(fits.at("D")[r]));
      CHECK(f.seasonal_order.q == std::stoll(fits.at("Q")[r]));
    }
    CHECK(f.method() == fits.at("name")[r]);
    std::vector<double> mean, lo, hi;
    for (std::size_t k = 0; k < fcs.at("series").size(); ++k) {
      if (fcs.at("series")[k] != name || fcs.at("spec")[k] != spec) continue;
      mean.push_back(std::stod(fcs.at("mean")[k]));
      lo.push_back(std::stod(fcs.at("lo95")[k]));
      hi.push_back(std::stod(fcs.at("hi95")[k]));
    }
    const auto h = static_cast<std::int64_t>(mean.size());
    const auto fc = f.forecast({h, {0.025, 0.975}, false});
    double worst = 0.0;
    for (std::size_t j = 0; j < mean.size(); ++j) {
      const auto jj = static_cast<Eigen::Index>(j);
      const double width = hi[j] - lo[j];
      worst = std::max(worst, std::abs(fc.mean[jj] - mean[j]) / width);
      worst = std::max(worst, std::abs(fc.quantiles(jj, 0) - lo[j]) / width);
      worst = std::max(worst, std::abs(fc.quantiles(jj, 1) - hi[j]) / width);
    }
    const bool differenced = f.order.d + f.seasonal_order.d > 0;
    (differenced ? worst_diff : worst_plain) =
        std::max(differenced ? worst_diff : worst_plain, worst);
    CHECK(worst <= (differenced ? 0.03 : 1e-4));
    ++n_checked;
  }
  CHECK(n_checked >= 40);
  WARN("ARIMA parity: max |ours - R| / 95% width: " << worst_plain << " (no differencing), "
                                                    << worst_diff << " (differenced)");
}

TEST_CASE("ARIMA: KPSS and OCSB statistics", "[arima]") {
  // urca::ur.kpss(c(1..20) + alternating, type = "mu", use.lag = 1) by hand: S_t of demeaned data.
  Eigen::VectorXd x(8);
  x << 1, 3, 2, 5, 4, 6, 5, 8;
  const Eigen::VectorXd res = x.array() - x.mean();
  double cum = 0, num = 0;
  for (int t = 0; t < 8; ++t) {
    cum += res[t];
    num += cum * cum;
  }
  const double s2 = res.squaredNorm() / 8;
  const double cov1 = res.tail(7).dot(res.head(7));
  const double expected = (num / 64) / (s2 + 2.0 / 8 * 0.5 * cov1);
  CHECK_THAT(qs::kpss_statistic(x, 1), Catch::Matchers::WithinRel(expected, 1e-12));
  CHECK(qs::ndiffs(Eigen::VectorXd::Constant(10, 2.0)) == 0);
  CHECK(qs::nsdiffs(Eigen::VectorXd::Constant(40, 2.0), 4) == 0);
}

TEST_CASE("ARIMA: seasonal strength and nsdiffs match R's seas.heuristic / nsdiffs", "[arima]") {
  const std::string dir = std::string(QUICKSTOCK_REFERENCE_DIR) + "/r_forecast/";
  const auto series = qs_test::read_csv(dir + "arima_series.csv");
  const auto seas = qs_test::read_csv(dir + "arima_seas.csv");
  std::map<std::string, std::vector<double>> values;
  for (std::size_t r = 0; r < series.at("series").size(); ++r) {
    values[series.at("series")[r]].push_back(std::stod(series.at("y")[r]));
  }
  double worst = 0.0;
  for (std::size_t r = 0; r < seas.at("series").size(); ++r) {
    const std::string name = seas.at("series")[r];
    INFO(name);
    const auto m = std::stoll(seas.at("m")[r]);
    const Eigen::Map<const Eigen::VectorXd> y(values[name].data(),
                                              static_cast<Eigen::Index>(values[name].size()));
    const double ref = std::stod(seas.at("strength")[r]);
    const double got = qs::seasonal_strength(y, m);
    // Same STL (parity to ~1e-14 in test_stl), same variance ratio: rounding only.
    CHECK_THAT(got, Catch::Matchers::WithinAbs(ref, 1e-10));
    worst = std::max(worst, std::abs(got - ref));
    CHECK(qs::nsdiffs(y, m) == std::stoll(seas.at("D_seas")[r]));
    CHECK(qs::nsdiffs(y, m, 1, "ocsb") == std::stoll(seas.at("D_ocsb")[r]));
  }
  CHECK(seas.at("series").size() >= 8);
  WARN("seasonal strength: max |ours - R| = " << worst);
  // Closed cases: a pure cycle is all season (strength 1); a series of two periods has no STL
  // (R's stl stops; nsdiffs then keeps D = 0).
  Eigen::VectorXd cyc(96);
  for (int t = 0; t < 96; ++t) cyc[t] = 10.0 + std::sin(2.0 * 3.14159265358979 * t / 12.0);
  CHECK_THAT(qs::seasonal_strength(cyc, 12), Catch::Matchers::WithinAbs(1.0, 1e-6));
  CHECK(qs::nsdiffs(cyc, 12) == 1);
  CHECK(std::isnan(qs::seasonal_strength(cyc.head(24), 12)));
  CHECK(qs::nsdiffs(cyc.head(24), 12) == 0);
  CHECK(std::isnan(qs::seasonal_strength(cyc, 1)));
  CHECK_THROWS_AS(qs::nsdiffs(cyc, 12, 1, "hegy"), qs::invalid_input);
}

TEST_CASE("ARIMA: degenerate series get documented fallbacks", "[arima]") {
  const qs::RowMatrixXd none1(1, 0);
  const Eigen::VectorXd one = Eigen::VectorXd::Constant(1, 4.0);
  auto f = qs::fit_arima(one, none1, qs::ARIMA{{1, 1, 1}, {0, 0, 0}, 1});
  CHECK_FALSE(f.fallback.empty());
  auto fc = f.forecast({5, {0.1, 0.9}, true});
  CHECK(fc.mean[4] == 4.0);
  CHECK(fc.quantiles(4, 0) == 4.0);
  const Eigen::VectorXd flat = Eigen::VectorXd::Constant(60, 7.0);
  const qs::RowMatrixXd none(60, 0);
  qs::AutoARIMA a24;
  a24.season_length = 24;
  f = qs::fit_auto_arima(flat, none, a24);
  CHECK(f.fallback.find("constant") != std::string::npos);
  fc = f.forecast({3, {0.5}, true});
  CHECK(fc.mean[0] == 7.0);
  f = qs::fit_arima(flat, none, qs::ARIMA{{2, 1, 2}, {1, 1, 1}, 24});
  fc = f.forecast({30, {0.05, 0.95}, true});
  CHECK(fc.mean.allFinite());
  CHECK(fc.quantiles.allFinite());
}

TEST_CASE("ARIMA: model contract", "[arima]") {
  qs_test::check_model_contract(qs::ARIMA{{1, 0, 1}, {0, 1, 1}, 7});
  qs_test::check_model_contract(qs::ARIMA{{0, 1, 1}, {0, 0, 0}, 1, true, true});
  qs::AutoARIMA a;
  a.season_length = 7;
  qs_test::check_model_contract(a);
}
