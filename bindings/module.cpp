#include "common.hpp"

#define QUICKSTOCK_STRINGIFY(x) #x
#define QUICKSTOCK_TO_STRING(x) QUICKSTOCK_STRINGIFY(x)

#if PYBIND11_VERSION_HEX >= 0x02130000
PYBIND11_MODULE(_core, m, py::mod_gil_not_used()) {
#else
PYBIND11_MODULE(_core, m) {
#endif
  m.doc() = "quickstock's C++ core (private: use the quickstock package)";
  m.attr("__version__") = QUICKSTOCK_TO_STRING(QUICKSTOCK_VERSION_INFO);
  quickstock::bindings::register_core(m);
  quickstock::bindings::register_data(m);
  quickstock::bindings::register_features(m);
  quickstock::bindings::register_models(m);
  quickstock::bindings::register_eval(m);
  quickstock::bindings::register_decisions(m);
  quickstock::bindings::register_reconcile(m);
  quickstock::bindings::register_saved(m);
}
