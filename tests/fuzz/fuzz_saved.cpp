// libFuzzer target: the reader of saved forecasters (quickstock::io::parse_saved: stored zip,
// JSON, .npy, panel and model specs) and, for small panels, fitting and forecasting what it
// read.
//
// The input is the file's bytes. A damaged file must raise quickstock::error; anything else (a
// crash, a sanitizer report, a loaded file whose panel disagrees with its ids, a forecast that
// is not finite or has a negative quantile) is a finding. Seed corpus: tests/data/saved/*.qs.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <quickstock/error.hpp>
#include <quickstock/io/saved.hpp>

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace qs = quickstock;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto s = qs::io::parse_saved(bytes, "'fuzz.qs'");
    check(s.panel.n_series() == s.id_values.size());
    check(!s.models.empty());
    if (s.panel.n_obs() > 400 || s.panel.n_covariates() > 0) return 0;  // keep runs fast
    const auto fitted = s.fit(1);
    const auto fc = s.forecast(fitted, 3, {0.1, 0.9});
    for (const auto& f : fc) {
      for (const double v : f.mean) check(std::isfinite(v));
      for (const double v : f.quantiles) check(std::isfinite(v) && v >= 0.0);
    }
  } catch (const qs::error&) {
  }
  return 0;
}
