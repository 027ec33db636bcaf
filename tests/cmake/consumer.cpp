// Links quickstock as an outside project does and forecasts a tiny panel.
#include <iostream>

#include <quickstock/quickstock.hpp>

int main() {
  const auto day = quickstock::nanoseconds_per_day;
  const auto panel = quickstock::Panel::from_long({"a", "a", "a"}, {0, day, 2 * day}, {1, 2, 3},
                                                  quickstock::Frequency::parse("D"));
  const auto fc = quickstock::FittedModel(quickstock::Naive{}, panel).forecast({2, {0.5}});
  std::cout << "quickstock " << QUICKSTOCK_VERSION_STRING << " p50 " << fc.quantiles(0, 0, 0)
            << "\n";
  return fc.quantiles(0, 0, 0) == 3.0 ? 0 : 1;
}
