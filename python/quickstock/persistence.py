"""quickstock's own file format for fitted forecasters (never pickle).

A ``.qs`` file is a zip archive holding ``quickstock.json`` (format name and version, the
forecaster's settings, the model specs, the series ids and attributes) and the training panel
as ``.npy`` arrays (read with ``allow_pickle=False``). Loading rebuilds the panel through the
same validation as ``fit`` and refits the models, which is deterministic, so the loaded
forecaster predicts exactly what the saved one did.

Version 2 (``VERSION``, what ``save`` writes) stores every entry uncompressed so that the C++
reader ``quickstock::io::load_saved`` needs no inflate library; docs/persistence.md gives the
byte layout. ``load`` reads a version-2 file with that C++ reader (``_core.parse_saved``), so
Python and C++ accept exactly the same version-2 files. Version-1 files (deflated) are still
read here.
"""

from __future__ import annotations

import io as _io
import json
import os
import zipfile
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._errors import invalid

__all__ = ["FORMAT", "VERSION", "save", "load"]

FORMAT = "quickstock.Forecaster"
VERSION = 2


def _json_value(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


def _model_json(m: Any) -> dict[str, Any]:
    """A model spec as JSON: class, params (nested models as their own JSON) and alias."""
    from .models import Model

    def value(v: Any) -> Any:
        if isinstance(v, Model):
            return _model_json(v)
        if isinstance(v, list) and v and all(isinstance(x, Model) for x in v):
            return [_model_json(x) for x in v]  # Ensemble members
        return v

    params = {k: value(v) for k, v in m._params().items()}
    return {"class": type(m).__name__, "params": params, "alias": m.alias}


def _model_from_json(m: Any, path: str) -> Any:
    from . import models as _models

    cls = getattr(_models, m["class"], None)
    if not (isinstance(cls, type) and issubclass(cls, _models.Model)):
        invalid(f"{path!r} names an unknown model {m['class']!r}", field="path")
    def value(v: Any) -> Any:
        if isinstance(v, dict) and "class" in v:
            return _model_from_json(v, path)
        if isinstance(v, list) and v and all(isinstance(x, dict) and "class" in x for x in v):
            return [_model_from_json(x, path) for x in v]  # Ensemble members
        return v

    params = {k: value(v) for k, v in m["params"].items()}
    return cls(**params, alias=m["alias"])


def _array(zf: zipfile.ZipFile, name: str) -> np.ndarray:
    with zf.open(name + ".npy") as fh:
        data = fh.read()
    try:
        return np.load(_io.BytesIO(data), allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 -- numpy's header parser raises ValueError, SyntaxError,
        # tokenize.TokenError... on foreign bytes; every one of them means a damaged entry
        raise ValueError(f"entry {name + '.npy'!r} is not a valid array ({type(exc).__name__}: {exc})") from None


def save(forecaster: Any, path: str) -> None:
    """Write a fitted ``Forecaster`` to ``path``.

    Raises:
        QuickstockError: if the forecaster is not fitted or the file cannot be written.
    """
    forecaster._check_fitted()
    p = forecaster.prepared_
    panel = p.panel
    ids = [_json_value(v) for v in p.ids]
    if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in ids):
        invalid("only str, int and float unique_id values can be saved", field=p.id_col)
    if len({isinstance(v, str) for v in ids}) > 1:
        invalid("unique_id values mixing text and numbers cannot be saved; use one type", field=p.id_col)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "quickstock": _core.__version__,
        "freq": forecaster.freq if not isinstance(forecaster.freq, pd.DateOffset) else forecaster.freq.freqstr,
        "n_jobs": forecaster.n_jobs,
        "columns": [p.id_col, p.time_col, p.target_col],
        "models": [_model_json(m) for m in forecaster.models],
        "ids": ids,
        "covariates": list(p.covariates),
        "censor_col": forecaster.censor_col,
        "time": {"kind": p.codec.kind, "tz": None if p.codec.tz is None else str(p.codec.tz)},
        "attributes": json.loads(p.attributes.to_json(orient="split", index=False, date_format="iso")),
        "attribute_dtypes": {c: str(t) for c, t in p.attributes.dtypes.items()},
    }
    lengths = np.diff(panel.offsets)
    ordinals = np.repeat(panel.starts, lengths) + (
        np.arange(panel.n_obs) - np.repeat(panel.offsets[:-1], lengths)
    )
    arrays = {
        "lengths": lengths.astype(np.int64),
        "ds": panel.frequency.timestamps(ordinals).astype(np.int64),
        "y": panel.values,
        "covariates": panel.covariates,
    }
    try:
        text = json.dumps(meta, allow_nan=False)
    except ValueError as exc:
        invalid(f"cannot save: {exc}", field="path")
    try:
        # Stored, not deflated: the C++ reader needs no inflate library (format version 2).
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr("quickstock.json", text)
            for name, arr in arrays.items():
                buf = _io.BytesIO()
                np.save(buf, np.ascontiguousarray(arr), allow_pickle=False)
                zf.writestr(name + ".npy", buf.getvalue())
    except OSError as exc:
        invalid(f"cannot write {path!r}: {exc}", field="path")


def _legacy_version(data: bytes) -> Any:
    """The format version a zip archive claims, read leniently (None when unreadable)."""
    try:
        with zipfile.ZipFile(_io.BytesIO(data)) as zf:
            meta = json.loads(zf.read("quickstock.json"))
        return meta.get("version") if isinstance(meta, dict) and meta.get("format") == FORMAT else None
    except Exception:  # noqa: BLE001 -- any failure means "not a readable version-1 file"
        return None


def load(path: Any) -> Any:
    """Read a forecaster written by ``save``.

    A version-2 file is checked by the C++ reader first (zip structure and CRCs, JSON, arrays,
    panel and model specs), so exactly the files ``quickstock::io::load_saved`` accepts load
    here; version-1 files are read as before.

    Raises:
        QuickstockError: for a missing, damaged, foreign or newer-version file.
    """
    try:
        if hasattr(path, "read"):
            data = path.read()
            name = str(getattr(path, "name", "<file>"))
        else:
            name = str(os.fspath(path))
            with open(name, "rb") as fh:
                data = fh.read()
    except FileNotFoundError:
        invalid(f"no such file: {path!r}", field="path")
    except (OSError, TypeError) as exc:
        invalid(f"cannot read {path!r}: {exc}", field="path")
    if not isinstance(data, bytes):
        invalid(f"{path!r} did not give bytes", field="path")
    try:
        raw = _core.parse_saved(data, name)
    except _core.QuickstockError:
        version = _legacy_version(data)
        if type(version) is not int or version != 1:  # noqa: E721 -- True is not version 1
            raise
        meta, arrays = _read_v1(_io.BytesIO(data), name)
    else:
        # Version 2: everything comes from the C++ reader (no second zip/npy parser here).
        meta = json.loads(raw["json"])
        meta["covariates"] = list(raw["covariates"])  # the censoring flag last, as prepare puts it
        arrays = {k: raw[k] for k in ("lengths", "ds", "y")}
        arrays["covariates"] = raw["covariates_values"]
    return _build(meta, arrays, name)


def _read_v1(source: Any, path: str) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    try:
        with zipfile.ZipFile(source) as zf:
            meta = json.loads(zf.read("quickstock.json"))
            if not isinstance(meta, dict):
                invalid(f"{path!r} is damaged: quickstock.json is not a JSON object", field="path")
            if meta.get("format") != FORMAT:
                invalid(f"{path!r} is not a saved quickstock forecaster", field="path")
            if not isinstance(meta.get("version"), int) or meta["version"] > VERSION:
                invalid(
                    f"{path!r} has format version {meta.get('version')!r}; this quickstock reads "
                    f"up to {VERSION}: upgrade quickstock",
                    field="path",
                )
            arrays = {n: _array(zf, n) for n in ("lengths", "ds", "y", "covariates")}
    except FileNotFoundError:
        invalid(f"no such file: {path!r}", field="path")
    except (zipfile.BadZipFile, KeyError, ValueError, EOFError, OSError, UnicodeDecodeError, NotImplementedError) as exc:
        if isinstance(exc, _core.QuickstockError):
            raise
        invalid(f"{path!r} is damaged or not a quickstock file ({type(exc).__name__}: {exc})", field="path")
    return meta, arrays


def _build(meta: dict[str, Any], arrays: dict[str, np.ndarray], path: str) -> Any:
    from ._frame import prepare
    from .forecaster import Forecaster

    try:
        specs = []
        for m in meta["models"]:
            specs.append(_model_from_json(m, path))
        id_col, time_col, target_col = meta["columns"]
        ids = np.asarray(meta["ids"], dtype=object)
        lengths = arrays["lengths"]
        if lengths.sum() != len(arrays["y"]) or len(lengths) != len(ids):
            invalid(f"{path!r} is damaged: array lengths disagree", field="path")
        frame = pd.DataFrame({id_col: np.repeat(ids, lengths)})
        ds = arrays["ds"]
        if meta["time"]["kind"] == "integer":
            frame[time_col] = ds
        else:
            t = pd.to_datetime(ds.astype("datetime64[ns]"))
            if meta["time"]["tz"] is not None:
                t = t.tz_localize(meta["time"]["tz"], ambiguous="NaT", nonexistent="shift_forward")
            frame[time_col] = t
        frame[target_col] = arrays["y"]
        cov = arrays["covariates"].reshape(len(frame), len(meta["covariates"]))
        for j, name in enumerate(meta["covariates"]):
            frame[name] = cov[:, j]
        # The censoring flag is saved as 0/1 under the censoring column's name (for an
        # available_col too), so it is reloaded as a stockout column.
        censor = meta.get("censor_col")
        fc = Forecaster(specs, freq=meta["freq"], n_jobs=meta["n_jobs"], id_col=id_col, time_col=time_col, target_col=target_col, stockout_col=censor)
        prepared = fc._prepare(frame) if censor else prepare(frame, fc.freq, id_col, time_col, target_col)
        att = meta["attributes"]
        attrs = pd.DataFrame(att["data"], columns=att["columns"])
        for c, dtype in meta["attribute_dtypes"].items():
            attrs[c] = attrs[c].astype(dtype)
        if len(attrs.columns) and len(attrs) != len(ids):
            invalid(f"{path!r} is damaged: attribute rows disagree with the series", field="path")
        prepared.attributes = attrs if len(attrs.columns) else prepared.attributes
        prepared.ids = ids
        fc.fitted_ = fc._fit_prepared(prepared)
        fc.prepared_ = prepared
        return fc
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError) as exc:
        if isinstance(exc, _core.QuickstockError):
            raise
        invalid(f"{path!r} is damaged ({type(exc).__name__}: {exc})", field="path")
