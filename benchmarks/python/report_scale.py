"""Time ``qs.report`` and measure the HTML size as the panel grows (docs/report.md).

    PYTHONPATH=build/python python3 benchmarks/python/report_scale.py [--stores 4 20] [--skus 30 50]

Panels are synthetic (Poisson demand with a weekly pattern, 365 days) with the sample's
hierarchy columns: city → zone → pincode → store_id and category → sku. Prints one row per
size: input series, aggregates, seconds (median of --repeat runs) and file size.
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


def panel(stores: int, skus: int, days: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2025-01-01", periods=days, freq="D")
    weekly = 1.0 + 0.3 * (ds.day_of_week >= 5)
    frames = []
    for s in range(stores):
        zone = ["West", "North", "Central", "East"][s % 4]
        for k in range(skus):
            lam = rng.gamma(2.0, 2.0) * weekly
            frames.append(pd.DataFrame({
                "unique_id": f"S{s:03d}/sku-{k:03d}", "ds": ds, "y": rng.poisson(lam).astype(float),
                "city": "Hyderabad", "zone": zone, "pincode": str(500000 + s), "store_id": f"S{s:03d}",
                "category": f"cat-{k % 8}", "sku": f"sku-{k:03d}",
            }))
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--stores", type=int, nargs="+", default=[4, 20])
    p.add_argument("--skus", type=int, nargs="+", default=[30, 50])
    p.add_argument("--days", type=int, default=365)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    print(f"{'series':>7} {'aggregates':>10} {'seconds':>8} {'MB':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "r.html")
        runs = [("sample", None)] + [(f"{s}x{k}", (s, k)) for s, k in zip(args.stores, args.skus)]
        for name, size in runs:
            df = qs.datasets.load_hyderabad() if size is None else panel(*size, args.days)
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                r = qs.report(df, out, h=14)
                times.append(time.perf_counter() - t)
            n_b = sum(1 for s in r["data"]["series"] if s["b"])
            print(f"{n_b:>7} {len(r['data']['series']) - n_b:>10} {statistics.median(times):>8.2f} "
                  f"{os.path.getsize(out) / 1e6:>6.2f}  ({name})")


if __name__ == "__main__":
    main()
