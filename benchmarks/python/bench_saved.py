"""Reading a saved forecaster: the C++ reader against Python's zipfile + numpy path.

CPU time of this process (``time.process_time``; everything here runs on one thread), so the
figures hold on a shared machine. Writes one ``.qs`` file (``--series`` daily series of ``--days`` observations, one
covariate, a Naive model) and times, as medians of ``--repeats`` runs:

- ``cpp_parse``: ``_core.parse_saved`` (C++ zip + CRC, JSON, .npy, panel, model specs);
- ``py_zip_npy``: Python's ``zipfile`` + ``json`` + ``np.load`` of the same entries (what the
  version-1 loader did before building its frame; no panel);
- ``load``: ``Forecaster.load`` (C++ checks + pandas frame + prepare + refit of Naive);
- ``cpp_load_forecast``: ``_core.load_saved_forecast`` (C++ read, panel, fit and forecast
  h=14), against ``load_predict``: ``Forecaster.load(path).predict(h=14)``.

    PYTHONPATH=build/python python3 benchmarks/python/bench_saved.py --series 2000 --days 730
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import tempfile
import time
import zipfile

import numpy as np
import pandas as pd

import quickstock as qs
from quickstock import _core


def median_time(fn, repeats: int) -> float:
    """Median CPU time of this process (the machine is shared: wall time is not the cost)."""
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=2000)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n, d = args.series, args.days
    df = pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{i:05d}" for i in range(n)], d),
            "ds": np.tile(pd.date_range("2023-01-01", periods=d, freq="D"), n),
            "y": rng.poisson(5.0, n * d).astype(float),
            "price": rng.normal(10, 1, n * d),
        }
    )
    path = os.path.join(tempfile.mkdtemp(), "bench.qs")
    qs.Forecaster([qs.Naive()], freq="D").fit(df).save(path)
    data = open(path, "rb").read()

    def py_zip_npy() -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            json.loads(zf.read("quickstock.json"))
            for name in ("lengths", "ds", "y", "covariates"):
                np.load(io.BytesIO(zf.read(name + ".npy")), allow_pickle=False)

    r = {
        "cpp_parse": median_time(lambda: _core.parse_saved(data, "bench.qs"), args.repeats),
        "py_zip_npy": median_time(py_zip_npy, args.repeats),
        "load": median_time(lambda: qs.Forecaster.load(path), args.repeats),
        "cpp_load_forecast": median_time(lambda: _core.load_saved_forecast(path, 14, [0.1, 0.5, 0.9]), args.repeats),
        "load_predict": median_time(lambda: qs.Forecaster.load(path).predict(h=14), args.repeats),
    }
    print(f"file: {len(data) / 1e6:.1f} MB, {n} series x {d} days, 1 covariate; CPU-time medians of {args.repeats}")
    for k, v in r.items():
        print(f"  {k:18s} {v * 1000:9.1f} ms")
    print(f"  load_predict / cpp_load_forecast = {r['load_predict'] / r['cpp_load_forecast']:.1f}x")


if __name__ == "__main__":
    main()
