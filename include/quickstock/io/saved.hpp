#pragma once

/// @file
/// Reading forecasters saved by Python's `Forecaster.save` (format `quickstock.Forecaster`,
/// version 2, docs/persistence.md) from C++: a strict reader of stored (uncompressed) zip
/// archives, a small strict JSON parser, an `.npy` reader, and the model specs of the file as
/// `quickstock::Model` values, fitted on the saved panel exactly as Python's `load` fits them.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <quickstock/config.hpp>
#include <quickstock/core/frequency.hpp>
#include <quickstock/data/panel.hpp>
#include <quickstock/models/model.hpp>

namespace quickstock::io {

/// The newest format version this library reads (Python's `persistence.VERSION`).
inline constexpr std::int64_t saved_format_version = 2;

/// The format name written in `quickstock.json` (Python's `persistence.FORMAT`).
inline constexpr std::string_view saved_format_name = "quickstock.Forecaster";

/// Limits of the readers (a file over a limit is refused with `invalid_input`, never read).
struct SavedLimits {
  std::size_t max_entries = 64;               ///< zip entries
  std::size_t max_json_bytes = 64u << 20;     ///< size of `quickstock.json`
  std::size_t max_json_depth = 64;            ///< nesting of JSON arrays/objects
  std::size_t max_npy_header = 1u << 16;      ///< size of an `.npy` header
  std::uint64_t max_file_bytes = 1ull << 34;  ///< 16 GiB; no ZIP64
};

/// A JSON value as read by `parse_json` (RFC 8259, strict: no NaN/Infinity, no trailing
/// commas, no duplicate object keys, no lone surrogates, integers within int64). Integers
/// (no fraction or exponent) are kept apart from reals so that `7` and `7.0` stay distinct,
/// as in Python.
struct QUICKSTOCK_API Json {
  /// What a value is.
  enum class Kind { null, boolean, integer, real, string, array, object };
  Kind kind = Kind::null;                             ///< which of the members below is set
  bool boolean = false;                               ///< `boolean`
  std::int64_t integer = 0;                           ///< `integer`
  double real = 0.0;                                  ///< `real` (finite)
  std::string string;                                 ///< `string` (UTF-8)
  std::vector<Json> items;                            ///< `array`
  std::vector<std::pair<std::string, Json>> members;  ///< `object`, in file order

  /// The member named `key` of an object, or nullptr (also for a non-object).
  [[nodiscard]] const Json* find(std::string_view key) const noexcept;
  /// True for an integer or a real.
  [[nodiscard]] bool is_number() const noexcept {
    return kind == Kind::integer || kind == Kind::real;
  }
  /// The number as a double (an integer converted).
  [[nodiscard]] double number() const noexcept {
    return kind == Kind::integer ? static_cast<double>(integer) : real;
  }
};

/// Parses one JSON document (UTF-8, no byte order mark).
/// @param where names the source in errors (e.g. `"model.qs: quickstock.json"`).
/// @throws invalid_input (field `where`) naming the byte offset of a syntax error, a depth or
/// size over `limits`, invalid UTF-8, or a duplicate key.
QUICKSTOCK_API Json parse_json(std::string_view text,
                               const std::string& where,
                               const SavedLimits& limits = {});

/// One entry of a stored zip archive.
struct ZipEntry {
  std::string name;  ///< file name inside the archive
  std::string data;  ///< its bytes (CRC-32 checked)
};

/// Reads every entry of a zip archive whose entries are all *stored* (method 0, as Python's
/// `ZIP_STORED`). The central directory is the index; each local header must agree with it
/// (name, sizes, CRC), every size and offset lies inside the file, entries do not overlap,
/// names are unique, and each entry's CRC-32 is checked.
/// @param where names the file in errors.
/// @throws invalid_input (field "path") for a truncated or foreign file, a compressed,
/// encrypted or ZIP64 entry, a bad CRC, or a size over `limits`.
QUICKSTOCK_API std::vector<ZipEntry> read_stored_zip(std::string_view bytes,
                                                     const std::string& where,
                                                     const SavedLimits& limits = {});

/// A numeric `.npy` array (format 1.0, 2.0 or 3.0; C order).
struct NpyArray {
  /// Element type: `<i8` (int64) or `<f8` (float64), little-endian.
  enum class Dtype { int64, float64 };
  Dtype dtype = Dtype::float64;     ///< element type
  std::vector<std::int64_t> shape;  ///< dimensions (empty: a scalar)
  std::vector<std::int64_t> int64;  ///< elements when `dtype` is int64
  std::vector<double> float64;      ///< elements when `dtype` is float64
};

/// Reads an `.npy` file held in `bytes`: magic, version, a header dict with exactly `descr`
/// (`'<i8'` or `'<f8'`), `fortran_order` (False) and `shape`, padded as numpy pads it, then
/// exactly prod(shape) elements.
/// @throws invalid_input (field `where`) for anything else.
QUICKSTOCK_API NpyArray read_npy(std::string_view bytes,
                                 const std::string& where,
                                 const SavedLimits& limits = {});

/// Series attributes as saved: one row per series (panel order), cells as JSON scalars.
struct SavedAttributes {
  std::vector<std::string> columns;     ///< attribute column names
  std::vector<std::string> dtypes;      ///< pandas dtype name of each column, as saved
  std::vector<std::vector<Json>> rows;  ///< `rows[i][j]`: series i, column j
};

/// Builds the `Model` a saved model entry (`{"class": ..., "params": {...}, "alias": ...}`)
/// stands for, as Python's model classes build their C++ spec: the JSON names of every model
/// class are those of `Model._params` in python/quickstock/models.py (missing parameters take
/// the Python defaults; unknown ones are refused). Nested models (Ensemble members,
/// Conformal's model, MSTL's trend forecaster) are read recursively.
/// @param freq the panel's frequency (CountRegression's defaults depend on it).
/// @param censor_column the panel covariate flagging censored days, -1 for none.
/// @param alias set to the model's alias (its class name when the file has `null`).
/// @throws invalid_input (field `where`) naming the model, the parameter and the fault.
/// @param attributes the series attributes, for `CountRegression(pool_by=...)` (its groups
/// are the attribute's distinct values, numbered in sorted order with missing last, as
/// Python's `pd.factorize(sort=True)`); null when there are none.
QUICKSTOCK_API Model model_from_json(const Json& entry,
                                     const Frequency& freq,
                                     std::int64_t censor_column,
                                     std::string& alias,
                                     const std::string& where,
                                     const SavedAttributes* attributes = nullptr);

/// One model of a saved forecaster: its spec and its output name.
struct SavedModel {
  std::string alias;  ///< name in outputs (the `model` column of Python's `predict`)
  Model spec;         ///< the C++ spec Python fits (after CountRegression's frequency defaults)
};

/// A saved forecaster: the training panel, the frequency and the model specs.
struct QUICKSTOCK_API SavedForecaster {
  std::int64_t version = 0;             ///< format version of the file
  std::string metadata;                 ///< `quickstock.json` as saved (UTF-8 JSON text)
  std::string written_by;               ///< quickstock version that wrote it
  std::string id_col;                   ///< name of the series id column
  std::string time_col;                 ///< name of the time column
  std::string target_col;               ///< name of the demand column
  std::string time_kind;                ///< `"datetime"` (ns wall clock) or `"integer"`
  std::string time_zone;                ///< IANA zone of the timestamps ("" when naive)
  std::string freq;                     ///< the frequency as saved (an alias or an integer step)
  std::int64_t n_jobs = 1;              ///< Python's `n_jobs` (threads; -1 all cores)
  std::vector<std::string> id_values;   ///< ids as Python prints them (`str(id)`), panel order
  std::vector<Json> ids;                ///< ids as saved (strings or numbers)
  std::vector<std::string> covariates;  ///< covariate columns (the censoring flag last)
  std::string censor_col;               ///< the censoring column ("" for none)
  SavedAttributes attributes;           ///< series attributes
  Panel panel;                          ///< the training panel, validated as `Panel::from_long`
  std::vector<SavedModel> models;       ///< the model specs, in saved order

  /// Fits every model to the panel (as Python's `load` does), `n_threads` threads (results are
  /// the same for any count). @throws invalid_input as `fit_panel`.
  [[nodiscard]] std::vector<FittedModel> fit(int n_threads = 1) const;

  /// Fits and forecasts every model: `result[m]` is model m's forecast of `h` steps with the
  /// quantile `levels`, non-negative as Python's `predict` (`x_future`: the future covariates,
  /// `(n_series · h) × covariates.size()` without the censoring flag, or empty).
  /// @throws invalid_input as `FittedModel::forecast`.
  [[nodiscard]] std::vector<PanelForecast> forecast(const std::vector<FittedModel>& fitted,
                                                    std::int64_t h,
                                                    const std::vector<double>& levels,
                                                    const RowMatrixXd& x_future = {},
                                                    int n_threads = 1) const;
};

/// Parses a whole saved file held in memory (see `load_saved`).
QUICKSTOCK_API SavedForecaster parse_saved(std::string_view bytes,
                                           const std::string& where,
                                           const SavedLimits& limits = {});

/// Reads a forecaster saved by Python's `Forecaster.save` (format version 2).
///
/// **Example**
/// ```cpp
/// auto saved = quickstock::io::load_saved("model.qs");
/// auto fitted = saved.fit(4);
/// auto fc = saved.forecast(fitted, 14, {0.1, 0.5, 0.9});
/// ```
/// @throws invalid_input (field "path") naming the file and the entry or JSON field at fault:
/// missing or unreadable file, truncated or foreign zip, bad CRC, compressed entry, unknown
/// model class, wrong JSON type, a format version newer than `saved_format_version`, arrays
/// that disagree with the metadata, or a panel that fails `Panel::from_long`.
QUICKSTOCK_API SavedForecaster load_saved(const std::string& path, const SavedLimits& limits = {});

}  // namespace quickstock::io
