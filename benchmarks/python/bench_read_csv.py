"""Reading a large long-format CSV: quickstock's C++ reader against pandas.read_csv + validation.

Generates ``--series`` × ``--days`` rows (``unique_id, ds, y, city, store_id, price``: two series
attributes and one covariate) and times, as the median of ``--repeats`` runs:

* ``pandas``: ``quickstock.io.read_table`` (``pandas.read_csv``) then ``_frame.prepare`` (the
  pandas path's full validation, down to the core panel);
* ``qs.read_csv + prepare``: the C++ reader's frame through the same ``prepare``;
* ``read_csv_panel``: the C++ reader straight into a panel (``quickstock::io::read_csv``);
* the readers alone: ``pandas.read_csv`` vs ``qs.read_csv`` (no panel).

    PYTHONPATH=build/python python3 benchmarks/python/bench_read_csv.py --series 2000 --days 365
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import numpy as np
import pandas as pd

import quickstock as qs
from quickstock import _core
from quickstock._frame import prepare
from quickstock.io import read_table


def make_file(path: str, n_series: int, n_days: int, seed: int = 7) -> int:
    rng = np.random.default_rng(seed)
    ids = np.repeat([f"HYD-{500000 + s // 50}/SKU-{s:05d}" for s in range(n_series)], n_days)
    ds = np.tile(pd.date_range("2023-01-01", periods=n_days, freq="D").strftime("%Y-%m-%d"), n_series)
    df = pd.DataFrame(
        {
            "unique_id": ids,
            "ds": ds,
            "y": rng.poisson(3.0, size=len(ids)).astype(float),
            "city": "Hyderabad",
            "store_id": np.repeat([f"HYD-{500000 + s // 50}" for s in range(n_series)], n_days),
            "price": np.round(rng.uniform(10, 50, size=len(ids)), 2),
        }
    )
    df.to_csv(path, index=False)
    return len(df)


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--series", type=int, default=2000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "panel.csv")
        n = make_file(path, args.series, args.days)
        size_mb = os.path.getsize(path) / 1e6
        freq = _core.Frequency.parse("D")
        # Same panel either way (the check the tests make, on this file too).
        assert prepare(read_table(path), "D").panel == _core.read_csv_panel(path, freq)
        rows = {
            "pandas: read_table + prepare": lambda: prepare(read_table(path), "D"),
            "C++: qs.read_csv + prepare": lambda: prepare(qs.read_csv(path), "D"),
            "C++: read_csv_panel": lambda: _core.read_csv_panel(path, freq),
            "pandas.read_csv alone": lambda: pd.read_csv(path, dtype={"unique_id": str}),
            "qs.read_csv alone": lambda: qs.read_csv(path),
        }
        results = {k: median_time(f, args.repeats) for k, f in rows.items()}
    base = results["pandas: read_table + prepare"]
    print(f"{n:,} rows, {size_mb:.1f} MB, median of {args.repeats}")
    print(f"{'path':34s} {'seconds':>9s} {'rows/s':>12s} {'vs pandas path':>15s}")
    for k, v in results.items():
        print(f"{k:34s} {v:9.3f} {n / v:12,.0f} {base / v:14.2f}x")
    print(
        f"readers alone: qs.read_csv is "
        f"{results['pandas.read_csv alone'] / results['qs.read_csv alone']:.2f}x pandas.read_csv"
    )


if __name__ == "__main__":
    main()
