#pragma once

// Included first by every bindings file (boost-histogram's common.hpp).
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <quickstock/core/progress.hpp>
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

/// Runs `work()` with the GIL released. With a `progress` callable, `work` runs on its own
/// thread under a `ProgressScope` while this one calls `progress(done, total)` about every
/// 100 ms and at the end, and turns Ctrl-C (a pending signal) into cancelling the work and
/// raising `KeyboardInterrupt`. An exception from `work` or from `progress` propagates after
/// the work thread has stopped.
template <class Work>
auto run_with_progress(const py::object& progress, Work&& work) -> decltype(work()) {
  if (progress.is_none()) {
    py::gil_scoped_release release;
    return work();
  }
  using Result = decltype(work());
  Progress counter;
  std::optional<Result> result;
  std::exception_ptr failure;
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  std::thread worker([&] {
    {
      const ProgressScope scope(&counter);
      try {
        result.emplace(work());
      } catch (...) {
        failure = std::current_exception();
      }
    }
    const std::lock_guard<std::mutex> lock(mutex);
    finished = true;
    finished_cv.notify_all();
  });
  auto stop = [&] {
    counter.cancel();
    py::gil_scoped_release release;
    worker.join();
  };
  for (;;) {
    bool done;
    {
      py::gil_scoped_release release;
      std::unique_lock<std::mutex> lock(mutex);
      done = finished_cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return finished; });
    }
    if (done) break;
    if (PyErr_CheckSignals() != 0) {
      stop();
      throw py::error_already_set();
    }
    try {
      progress(counter.done(), counter.total());
    } catch (...) {
      stop();
      throw;
    }
  }
  {
    py::gil_scoped_release release;
    worker.join();
  }
  if (failure) std::rethrow_exception(failure);
  progress(counter.done(), counter.total());
  return std::move(*result);
}

/// Future covariates as they arrive from Python: None, or (series·h) × covariates doubles.
using FutureArray = std::optional<py::array_t<double, py::array::c_style | py::array::forcecast>>;
/// The same viewed by the core (row i·h + j = step j of series i).
using FutureMatrix = Eigen::Map<const RowMatrixXd>;

/// Calls `call(&x)` with `x_future` viewed as a matrix, or `call(nullptr)` without it, with the
/// GIL released. @throws invalid_input (field "X_df") when the array is not 2-d.
template <class Call>
auto with_future(const FutureArray& x_future, Call&& call) -> decltype(call(nullptr)) {
  if (x_future.has_value()) {
    const auto& a = *x_future;
    if (a.ndim() != 2) detail::raise_argument("X_df", "future covariates must be a 2-d array");
    const FutureMatrix x(a.data(), a.shape(0), a.shape(1));
    py::gil_scoped_release release;
    return call(&x);
  }
  py::gil_scoped_release release;
  return call(nullptr);
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
