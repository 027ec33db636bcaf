#pragma once

// Included first by every bindings file (boost-histogram's common.hpp).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <quickstock/quickstock.hpp>

namespace py = pybind11;
using namespace pybind11::literals;

namespace quickstock::bindings {

/// A numpy array that owns `value` (moved to the heap) and views its memory.
template <class Container>
py::array_t<double> to_numpy(Container&& value) {
  using C = std::decay_t<Container>;
  auto* owned = new C(std::forward<Container>(value));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<C*>(p); });
  std::vector<py::ssize_t> shape(owned->shape().begin(), owned->shape().end());
  return py::array_t<double>(shape, owned->data(), free_when_done);
}

/// A numpy int64 array copied from a std::vector.
inline py::array_t<std::int64_t> to_numpy_i64(const std::vector<std::int64_t>& v) {
  py::array_t<std::int64_t> out(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

void register_core(py::module_& m);
void register_data(py::module_& m);
void register_features(py::module_& m);
void register_models(py::module_& m);
void register_eval(py::module_& m);
void register_decisions(py::module_& m);
void register_reconcile(py::module_& m);
void register_saved(py::module_& m);

}  // namespace quickstock::bindings
