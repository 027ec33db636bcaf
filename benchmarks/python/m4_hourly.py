"""M4 Hourly for the side-by-side benchmarks: loading the series and scoring forecasts.

Shared by compare_ets.py, compare_theta.py, compare_arima.py and compare_mstl.py.
"""

from __future__ import annotations

import resource
from pathlib import Path

import numpy as np
import pandas as pd


def subset_indices(n: int, seed: int = 0, total: int = 414) -> list[int]:
    """Rows of the documented random subset: the first ``n`` of the seed-``seed`` permutation."""
    return [int(i) for i in np.random.default_rng(seed).permutation(total)[:n]]


def load(
    data: Path, n: int = 414, indices: list[int] | None = None
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The first ``n`` series (or the rows ``indices``, in that order) and their test sets."""
    tr = pd.read_csv(data / "Hourly-train.csv.gz")
    te = pd.read_csv(data / "Hourly-test.csv.gz")
    rows, test = [], {}
    for i in indices if indices is not None else range(min(n, len(tr))):
        uid = tr.iloc[i, 0]
        y = tr.iloc[i, 1:].dropna().to_numpy(float)
        ds = pd.date_range("2000-01-01", periods=len(y), freq="h")
        rows.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": y}))
        test[uid] = te.iloc[i, 1:].to_numpy(float)
    return pd.concat(rows, ignore_index=True), test


def scores(df: pd.DataFrame, fc: pd.DataFrame, col: str, test: dict[str, np.ndarray]) -> tuple[float, float]:
    smape, mase = [], []
    for uid, g in fc.groupby("unique_id"):
        f, y = g[col].to_numpy(), test[uid]
        x = df.loc[df.unique_id == uid, "y"].to_numpy()
        smape.append(np.mean(200 * np.abs(y - f) / (np.abs(y) + np.abs(f))))
        mase.append(np.mean(np.abs(y - f)) / np.mean(np.abs(x[24:] - x[:-24])))
    return float(np.mean(smape)), float(np.mean(mase))


def pick(table: dict, models: str) -> list[str] | None:
    """The comma-separated model names ``models``, in order; None, after printing the choices,
    when one is not in ``table``."""
    wanted = models.split(",")
    unknown = sorted(set(wanted) - set(table))
    if unknown:
        print(f"unknown model(s) {unknown}; choose from {sorted(table)}")
        return None
    return wanted


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (statsforecast's n_jobs > 1
    workers): on a machine shared with other work, the CPU ratio is the stable figure."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
