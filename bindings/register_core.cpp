#include "common.hpp"

namespace quickstock::bindings {

void register_core(py::module_& m) {
  static py::exception<error> base(m, "QuickstockError", PyExc_ValueError);
  py::register_exception<invalid_input>(m, "InvalidInputError", base.ptr());
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const invalid_input& e) {
      // Carry the structured fields to Python on the exception object.
      py::object cls = py::module_::import("quickstock._core").attr("InvalidInputError");
      py::object exc = cls(e.what());
      exc.attr("series_id") = e.series_id();
      exc.attr("row") = e.row() ? py::cast(*e.row()) : py::none();
      exc.attr("field") = e.field();
      exc.attr("reason") = e.reason();
      PyErr_SetObject(cls.ptr(), exc.ptr());
    } catch (const error& e) {
      PyErr_SetString(base.ptr(), e.what());
    }
  });

  py::class_<Frequency>(m, "Frequency")
      .def_static("parse", &Frequency::parse, "alias"_a)
      .def_static("integer", &Frequency::integer, "step"_a)
      .def("anchored_at", &Frequency::anchored_at, "t"_a)
      .def_property_readonly("alias", &Frequency::alias)
      .def_property_readonly("step", &Frequency::step)
      .def_property_readonly("phase", &Frequency::phase)
      .def_property_readonly(
          "is_integer", [](const Frequency& f) { return f.unit() == Frequency::Unit::integer; })
      .def(
          "timestamps",
          [](const Frequency& f,
             py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> k) {
            const auto n = k.size();
            py::array_t<std::int64_t> out(n);
            const std::int64_t* in = k.data();
            std::int64_t* o = out.mutable_data();
            for (py::ssize_t i = 0; i < n; ++i) o[i] = f.timestamp(in[i]);
            return out;
          },
          "ordinals"_a, "Timestamps (ns, or integers) of grid ordinals.")
      .def(
          "ordinals",
          [](const Frequency& f,
             py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> t,
             const std::vector<std::string>& ids,
             py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> codes,
             py::array_t<std::int64_t, py::array::c_style | py::array::forcecast> rows) {
            py::array_t<std::int64_t> out(t.size());
            const std::int64_t* in = t.data();
            const std::int64_t* c = codes.data();
            const std::int64_t* r = rows.data();
            std::int64_t* o = out.mutable_data();
            for (py::ssize_t i = 0; i < t.size(); ++i) {
              o[i] = f.ordinal(in[i], ids.at(static_cast<std::size_t>(c[i])), r[i]);
            }
            return out;
          },
          "timestamps"_a, "ids"_a, "codes"_a, "rows"_a,
          "Grid ordinals of timestamps; errors name ids[codes[i]] and rows[i].")
      .def("__eq__", [](const Frequency& a, const Frequency& b) { return a == b; })
      .def("__repr__", [](const Frequency& f) { return "Frequency('" + f.alias() + "')"; });
  m.def("format_timestamp", &format_timestamp, "t"_a);
}

}  // namespace quickstock::bindings
