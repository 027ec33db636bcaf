#include "common.hpp"

namespace quickstock::bindings {

namespace {
using i64_array = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;
using f64_array = py::array_t<double, py::array::c_style | py::array::forcecast>;
py::array_t<double> to_numpy_f64(const std::vector<double>& v) {
  py::array_t<double> out(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

io::CsvOptions csv_options(std::string id_col,
                           std::string time_col,
                           std::string target_col,
                           const std::string& sep,
                           bool allow_negative) {
  if (sep.size() != 1)
    detail::raise_argument("sep", "sep must be one character (got '" + sep + "')");
  io::CsvOptions o;
  o.id_col = std::move(id_col);
  o.time_col = std::move(time_col);
  o.target_col = std::move(target_col);
  o.delimiter = sep[0];
  o.allow_negative = allow_negative;
  return o;
}

py::dict csv_column(const io::CsvColumn& c) {
  py::dict d;
  d["name"] = c.name;
  d["kind"] = c.kind == io::CsvColumn::Kind::integer ? "integer"
              : c.kind == io::CsvColumn::Kind::real  ? "real"
                                                     : "text";
  if (c.kind == io::CsvColumn::Kind::text) {
    d["levels"] = c.levels;
    d["codes"] = to_numpy_i64(c.codes);
  } else {
    d["values"] = to_numpy_f64(c.numbers);
  }
  return d;
}

void register_io(py::module_& m) {
  m.def(
      "read_csv",
      [](const std::string& path, std::string id_col, std::string time_col, std::string target_col,
         const std::string& sep, bool allow_negative) {
        const auto opt = csv_options(std::move(id_col), std::move(time_col), std::move(target_col),
                                     sep, allow_negative);
        io::CsvTable t;
        {
          py::gil_scoped_release release;
          t = io::read_csv_table(path, opt);
        }
        py::dict d;
        d["header"] = t.header;
        d["id_index"] = t.id_index;
        d["time_index"] = t.time_index;
        d["target_index"] = t.target_index;
        d["ids"] = t.ids;
        d["codes"] = to_numpy_i64(t.codes);
        d["ds"] = to_numpy_i64(t.ds);
        d["y"] = to_numpy_f64(t.y);
        d["utc_offset_minutes"] = t.utc_offset_minutes;
        py::list extra;
        for (const auto& c : t.extra) extra.append(csv_column(c));
        d["extra"] = extra;
        return d;
      },
      "path"_a, "id_col"_a = "unique_id", "time_col"_a = "ds", "target_col"_a = "y", "sep"_a = ",",
      "allow_negative"_a = false,
      "Reads and validates a long-format CSV file (quickstock::io::read_csv_table); returns the "
      "columns as arrays.");
  m.def(
      "read_csv_panel",
      [](const std::string& path, const Frequency& freq, std::string id_col, std::string time_col,
         std::string target_col, const std::string& sep, bool allow_negative) {
        const auto opt = csv_options(std::move(id_col), std::move(time_col), std::move(target_col),
                                     sep, allow_negative);
        py::gil_scoped_release release;
        return io::read_csv(path, freq, opt).panel;
      },
      "path"_a, "freq"_a, "id_col"_a = "unique_id", "time_col"_a = "ds", "target_col"_a = "y",
      "sep"_a = ",", "allow_negative"_a = false,
      "Reads a long-format CSV file straight into a validated Panel (quickstock::io::read_csv).");
}

}  // namespace

void register_data(py::module_& m) {
  register_io(m);
  py::class_<Panel>(m, "Panel")
      .def_static(
          "from_long",
          [](const i64_array& codes, std::vector<std::string> ids, const i64_array& ds,
             const f64_array& y, const std::optional<f64_array>& covariates,
             std::vector<std::string> covariate_names, const Frequency& freq, bool allow_negative) {
            const auto n = static_cast<std::size_t>(y.size());
            if (static_cast<std::size_t>(codes.size()) != n ||
                static_cast<std::size_t>(ds.size()) != n) {
              detail::raise_argument("df", "codes, ds and y must have the same length");
            }
            LongInput in;
            in.codes = codes.data();
            in.ds = ds.data();
            in.y = y.data();
            in.n_rows = n;
            in.ids = std::move(ids);
            in.covariate_names = std::move(covariate_names);
            if (covariates) {
              const auto& x = *covariates;
              if (x.ndim() != 2 || static_cast<std::size_t>(x.shape(0)) != n ||
                  static_cast<std::size_t>(x.shape(1)) != in.covariate_names.size()) {
                detail::raise_argument("covariates",
                                       "covariates must be an n_rows × n_names matrix");
              }
              in.covariates = x.data();
            } else if (!in.covariate_names.empty()) {
              detail::raise_argument("covariates", "covariate names given without values");
            }
            PanelOptions options;
            options.allow_negative = allow_negative;
            py::gil_scoped_release release;
            return Panel::from_long(in, freq, options);
          },
          "codes"_a, "ids"_a, "ds"_a, "y"_a, "covariates"_a, "covariate_names"_a, "freq"_a,
          "allow_negative"_a = false,
          "Builds and validates a panel from long rows (codes index ids).")
      .def_property_readonly("n_series", &Panel::n_series)
      .def_property_readonly("n_obs", &Panel::n_obs)
      .def_property_readonly("ids", &Panel::ids)
      .def_property_readonly("covariate_names", &Panel::covariate_names)
      .def_property_readonly("frequency", &Panel::frequency)
      .def_property_readonly("offsets", [](const Panel& p) { return to_numpy_i64(p.offsets()); })
      .def_property_readonly("starts", [](const Panel& p) { return to_numpy_i64(p.starts()); })
      .def_property_readonly("source_rows",
                             [](const Panel& p) { return to_numpy_i64(p.source_rows()); })
      .def_property_readonly("ends",
                             [](const Panel& p) {
                               std::vector<std::int64_t> e(p.n_series());
                               for (std::size_t i = 0; i < e.size(); ++i) e[i] = p.end(i);
                               return to_numpy_i64(e);
                             })
      .def_property_readonly("values",
                             [](const Panel& p) {
                               py::array_t<double> out(static_cast<py::ssize_t>(p.n_obs()));
                               std::copy(p.values().begin(), p.values().end(), out.mutable_data());
                               return out;
                             })
      .def_property_readonly(
          "covariates",
          [](const Panel& p) {
            py::array_t<double> out(
                {static_cast<py::ssize_t>(p.n_obs()), static_cast<py::ssize_t>(p.n_covariates())});
            std::copy(p.covariates().begin(), p.covariates().end(), out.mutable_data());
            return out;
          })
      .def(
          "drop_last",
          [](const Panel& p, const std::vector<std::int64_t>& k, std::int64_t min_keep) {
            py::gil_scoped_release release;
            return p.drop_last(k, min_keep);
          },
          "k"_a, "min_keep"_a = 1)
      .def("__eq__", [](const Panel& a, const Panel& b) { return a == b; })
      .def("__repr__", [](const Panel& p) {
        return "Panel(n_series=" + std::to_string(p.n_series()) +
               ", n_obs=" + std::to_string(p.n_obs()) + ", freq='" + p.frequency().alias() + "')";
      });
}

}  // namespace quickstock::bindings
