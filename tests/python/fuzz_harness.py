"""atheris harness for quickstock's Python entry points.

The only acceptable outcomes for any input are a result or ``qs.QuickstockError``; a result must
be sane (finite, non-negative, ordered quantiles). Anything else — another exception, a crash, a
hang — is a finding, kept as a regression input under ``tests/fuzz/regressions`` (replayed by
``tests/python/test_read_csv.py``).

Byte 0 picks the entry point, the rest is its input:

* 0 — ``qs.read_csv`` on the bytes as a file, then ``Forecaster.fit`` on the frame;
* 1 — ``Forecaster.fit/predict`` on a frame built from the bytes (ids, step offsets, raw
  doubles, a covariate), with a fuzzed model, horizon and quantiles;
* 2 — ``Forecaster.load`` on a saved forecaster whose ``quickstock.json`` is the bytes;
* 3 — ``Forecaster.load`` on a saved forecaster with one array file replaced by the bytes;
* 4 — ``Forecaster.load`` on the raw bytes as the file.

Run it (bounded), from the repository root::

    PYTHONPATH=build/python python3 tests/python/fuzz_harness.py -max_total_time=60 \\
        -print_final_stats=1 tests/fuzz/corpus_py
"""

from __future__ import annotations

import io
import json
import os
import struct
import sys
import tempfile
import warnings
import zipfile
from typing import Any

import numpy as np
import pandas as pd

if __name__ == "__main__":  # fuzzing: coverage feedback from quickstock's own Python code
    import atheris

    with atheris.instrument_imports(include=["quickstock"]):
        import quickstock as qs
        from quickstock._frame import quantile_columns
else:  # replayed by tests/python/test_read_csv.py, atheris not needed
    import quickstock as qs
    from quickstock._frame import quantile_columns

_TMP = tempfile.mkdtemp(prefix="qs-atheris-")
_MODELS = [
    lambda: qs.Naive(),
    lambda: qs.SeasonalNaive(season_length=3),
    lambda: qs.HistoricAverage(),
    lambda: qs.WindowAverage(window_size=2),
    lambda: qs.RandomWalkWithDrift(),
    lambda: qs.AutoETS(season_length=3),
    lambda: qs.CrostonSBA(),
    lambda: qs.TSB(alpha_d=0.2, alpha_p=0.3),
    lambda: qs.ADIDA(),
    lambda: qs.Theta(season_length=1),
    lambda: qs.ARIMA(order=(1, 0, 0)),
]
_SAVED: dict[str, bytes] | None = None


def _check_forecast(out: pd.DataFrame) -> None:
    qcols = list(quantile_columns(out).values())  # not "price", an attribute
    values = out[["mean", *qcols]].to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise AssertionError(f"non-finite forecast:\n{out}")
    if (values < 0).any():
        raise AssertionError(f"negative demand forecast:\n{out}")
    if qcols and (np.diff(out[qcols].to_numpy(dtype=float), axis=1) < -1e-9).any():
        raise AssertionError(f"quantiles out of order:\n{out}")


def _path(name: str, data: bytes) -> str:
    p = os.path.join(_TMP, name)
    with open(p, "wb") as fh:
        fh.write(data)
    return p


def _read_csv(data: bytes) -> None:
    frame = qs.read_csv(_path("fuzz.csv", data))
    if len(frame) == 0:
        raise AssertionError("read_csv returned an empty frame")
    fc = qs.Forecaster([qs.Naive()], freq="D").fit(frame)
    _check_forecast(fc.predict(h=2, quantiles=[0.1, 0.9]))


def _frame_from_bytes(data: bytes) -> tuple[pd.DataFrame, Any, int, list[float]]:
    if len(data) < 4:
        raise qs.QuickstockError("too short")  # nothing to build; counts as a refusal
    model = _MODELS[data[0] % len(_MODELS)]()
    h = 1 + data[1] % 8
    quantiles = sorted({round((1 + b % 99) / 100.0, 2) for b in data[2:4]})
    ids, ds, y, x = [], [], [], []
    body = data[4:]
    for k in range(0, len(body) - 10 + 1, 10):
        chunk = body[k : k + 10]
        ids.append(f"s{chunk[0] % 3}")
        ds.append(pd.Timestamp("2024-01-01") + pd.Timedelta(days=chunk[1] % 40))
        (v,) = struct.unpack("<d", chunk[2:10])
        y.append(v)
        x.append(float(chunk[1] % 7))
    df = pd.DataFrame({"unique_id": ids, "ds": ds, "y": y, "price": x})
    if not data[1] & 0x80:
        df = df.drop(columns="price")
    return df, model, h, quantiles


def _fit_predict(data: bytes) -> None:
    df, model, h, quantiles = _frame_from_bytes(data)
    fc = qs.Forecaster([model], freq="D").fit(df)
    # With the covariate column, predict may ask for X_df: a QuickstockError, which is allowed.
    _check_forecast(fc.predict(h=h, quantiles=quantiles))


def _saved() -> dict[str, bytes]:
    global _SAVED
    if _SAVED is None:
        df = pd.DataFrame(
            {
                "unique_id": np.repeat(["a", "b"], 6),
                "ds": np.tile(pd.date_range("2024-01-01", periods=6), 2),
                "y": np.arange(12.0),
            }
        )
        p = os.path.join(_TMP, "ok.qs")
        qs.Forecaster([qs.Naive(), qs.AutoETS(season_length=1)], freq="D").fit(df).save(p)
        with zipfile.ZipFile(p) as zf:
            _SAVED = {n: zf.read(n) for n in zf.namelist()}
    return _SAVED


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _load(data: bytes, mode: int) -> None:
    files = dict(_saved())
    if mode == 2:
        files["quickstock.json"] = data
        blob = _zip(files)
    elif mode == 3:
        arrays = sorted(n for n in files if n.endswith(".npy"))
        if not data:
            return
        files[arrays[data[0] % len(arrays)]] = data[1:]
        blob = _zip(files)
    else:
        blob = data
    fc = qs.Forecaster.load(_path("fuzz.qs", blob))
    _check_forecast(fc.predict(h=2, quantiles=[0.25, 0.75]))


def run_one(data: bytes) -> None:
    """Run one input; raise on anything but a result or ``QuickstockError``."""
    if not data:
        return
    mode, body = data[0] % 5, data[1:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if mode == 0:
                _read_csv(body)
            elif mode == 1:
                _fit_predict(body)
            else:
                _load(body, mode)
        except qs.QuickstockError:
            pass


def seed_json() -> bytes:
    """The saved forecaster's JSON (a seed for mode 2)."""
    return json.dumps(json.loads(_saved()["quickstock.json"])).encode()


def main() -> None:
    atheris.Setup(sys.argv, lambda data: run_one(bytes(data)))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
