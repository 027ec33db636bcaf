"""Lag/window features: quickstock vs pandas groupby (and coreforecast, if installed).

Runs every kernel with each library on the same synthetic ragged panel in one process and
prints the median wall time of ``--repeats`` runs, the ratios, and the largest difference
between the libraries' values (NaN positions must agree).

Three quickstock timings per kernel:

* ``qs_df``: the public API, ``qs.features.<fn>(df, ...)`` on the caller's (sorted) frame,
  including factorizing ids, sorting by (id, ds), and scattering the results back;
* ``qs_core``: the C++ kernel alone on CSR arrays (``_core.window_*``), 1 thread;
* ``qs_core2``: the same with 2 threads.

pandas is timed on a frame already sorted by (id, ds) with its vectorised groupby API:
``groupby(id).shift(lag)`` then ``.groupby(id).rolling(w, min_periods).<stat>()`` (or
``.expanding()``, ``.ewm(alpha, adjust=False)``; seasonal: grouped by (id, position % m)).
coreforecast (``coreforecast.lag_transforms`` on a ``GroupedArray``, ``skipna=True`` so NaNs are
skipped as in pandas and quickstock) is timed on the same CSR arrays as ``qs_core``, 1 thread.

Usage::

    PYTHONPATH=build-feat/python build-feat/venv-coreforecast/bin/python \\
        benchmarks/python/compare_window.py --series 1000 --length 700 --repeats 5
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from typing import Any, Callable

import numpy as np
import pandas as pd

try:
    import quickstock as qs
    from quickstock import _core
except ImportError as exc:  # pragma: no cover - depends on the environment
    print(
        f"quickstock not importable ({exc}): put build/python on PYTHONPATH",
        file=sys.stderr,
    )
    sys.exit(2)

try:
    from coreforecast import lag_transforms as cf_lt
    from coreforecast.grouped_array import GroupedArray
except ImportError:  # pragma: no cover - optional
    cf_lt = None
    GroupedArray = None


def make_panel(n_series: int, length: int, seed: int = 0) -> pd.DataFrame:
    """Ragged daily demand: lengths in [3/4·length, length], common end, ~5 % NaN."""
    rng = np.random.default_rng(seed)
    lengths = length - rng.integers(0, length // 4 + 1, n_series)
    ids = np.repeat([f"sku{i:06d}" for i in range(n_series)], lengths)
    end = pd.Timestamp("2026-01-01")
    ds = np.concatenate(
        [pd.date_range(end=end, periods=n, freq="D").to_numpy() for n in lengths]
    )
    level = np.repeat(rng.uniform(0.5, 20.0, n_series), lengths)
    y = rng.poisson(level).astype(float)
    y[rng.random(y.size) < 0.05] = np.nan
    return pd.DataFrame({"unique_id": ids, "ds": ds, "y": y})


def kernels(df: pd.DataFrame) -> list[dict[str, Any]]:
    """(name, quickstock API call, quickstock core call, pandas call, coreforecast transform)."""
    ids = df["unique_id"]

    # Every pandas call groups afresh (as every quickstock call factorizes the ids afresh).
    def shifted(k: int) -> pd.Series:
        return df.groupby("unique_id", sort=False)["y"].shift(k)

    def pd_roll(stat: str, *args: Any) -> Callable[[], np.ndarray]:
        def run() -> np.ndarray:
            r = shifted(1).groupby(ids, sort=False).rolling(28, min_periods=1)
            return getattr(r, stat)(*args).to_numpy()

        return run

    def pd_expanding(stat: str) -> Callable[[], np.ndarray]:
        def run() -> np.ndarray:
            return getattr(
                shifted(1).groupby(ids, sort=False).expanding(1), stat
            )().to_numpy()

        return run

    def pd_seasonal(stat: str) -> Callable[[], np.ndarray]:
        def run() -> np.ndarray:
            s = shifted(7)
            phase = df.groupby("unique_id", sort=False).cumcount() % 7
            r = s.groupby([ids, phase], sort=False).rolling(4, min_periods=1)
            out = getattr(r, stat)()
            return out.reset_index(level=[0, 1], drop=True).reindex(df.index).to_numpy()

        return run

    def cf(name: str, **kw: Any) -> Any:
        return None if cf_lt is None else getattr(cf_lt, name)(skipna=True, **kw)

    ks: list[dict[str, Any]] = [
        dict(
            name="lag7",
            api=lambda: qs.features.lag(df, lags=7),
            core=lambda v, o, t: _core.window_lag(v, o, 7, t),
            pandas=lambda: shifted(7).to_numpy(),
            cf=None if cf_lt is None else cf_lt.Lag(7),
        )
    ]
    for stat in ("mean", "std", "min", "max", "quantile"):
        ks.append(
            dict(
                name=f"rolling_{stat} (w=28, lag 1)",
                api=lambda stat=stat: qs.features.rolling(
                    df, window=28, stats=[stat], lag=1, min_periods=1, quantiles=[0.5]
                ),
                core=lambda v, o, t, stat=stat: _core.window_rolling(
                    v, o, stat, 28, 1, 1, 0.5, t
                ),
                pandas=pd_roll(stat, 0.5) if stat == "quantile" else pd_roll(stat),
                cf=(
                    cf("RollingQuantile", lag=1, p=0.5, window_size=28, min_samples=1)
                    if stat == "quantile"
                    else cf(
                        f"Rolling{stat.capitalize()}",
                        lag=1,
                        window_size=28,
                        min_samples=1,
                    )
                ),
            )
        )
    for stat in ("mean", "std"):
        ks.append(
            dict(
                name=f"seasonal_rolling_{stat} (m=7, w=4, lag 7)",
                api=lambda stat=stat: qs.features.seasonal_rolling(
                    df, season_length=7, window=4, stats=[stat], lag=7, min_periods=1
                ),
                core=lambda v, o, t, stat=stat: _core.window_seasonal_rolling(
                    v, o, stat, 7, 4, 1, 7, 0.5, t
                ),
                pandas=pd_seasonal(stat),
                cf=cf(
                    f"SeasonalRolling{stat.capitalize()}",
                    lag=7,
                    season_length=7,
                    window_size=4,
                    min_samples=1,
                ),
            )
        )
    for stat in ("mean", "std"):
        ks.append(
            dict(
                name=f"expanding_{stat} (lag 1)",
                api=lambda stat=stat: qs.features.expanding(df, stats=[stat], lag=1),
                core=lambda v, o, t, stat=stat: _core.window_expanding(
                    v, o, stat, 1, 1, 0.5, t
                ),
                pandas=pd_expanding(stat),
                cf=cf(f"Expanding{stat.capitalize()}", lag=1),
            )
        )
    ks.append(
        dict(
            name="ewm_mean (alpha=0.1, lag 1)",
            api=lambda: qs.features.ewm(df, alpha=0.1, lag=1),
            core=lambda v, o, t: _core.window_ewm_mean(v, o, 0.1, 1, 1, t),
            pandas=lambda: shifted(1)
            .groupby(ids, sort=False)
            .ewm(alpha=0.1, adjust=False)
            .mean()
            .to_numpy(),
            cf=cf("ExponentiallyWeightedMean", lag=1, alpha=0.1),
        )
    )
    return ks


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def max_rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return float("inf")
    m = ~np.isnan(a)
    if not m.any():
        return 0.0
    return float(np.max(np.abs(a[m] - b[m]) / np.maximum(np.abs(b[m]), 1e-12)))


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--series", type=int, default=1000)
    p.add_argument("--length", type=int, default=700)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--json", help="write every figure to this file")
    args = p.parse_args()

    df = make_panel(args.series, args.length)
    df = df.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    codes, uniques = pd.factorize(df["unique_id"])
    values = np.ascontiguousarray(df["y"].to_numpy(dtype=np.float64))
    offsets = np.zeros(len(uniques) + 1, dtype=np.int64)
    np.cumsum(np.bincount(codes), out=offsets[1:])
    ga = (
        None
        if GroupedArray is None
        else GroupedArray(values, offsets.astype(np.int32), num_threads=1)
    )
    lo, hi = args.length * 3 // 4, args.length
    print(
        f"panel: {args.series} series, {values.size} rows (lengths {lo}..{hi}), "
        f"{np.isnan(values).mean():.1%} NaN; median of {args.repeats} runs, seconds"
    )
    cf_state = "not installed" if cf_lt is None else "installed"
    print(
        f"quickstock {qs.__version__}, pandas {pd.__version__}, numpy {np.__version__}, "
        f"coreforecast {cf_state}, Python {platform.python_version()}"
    )
    cols = ("qs_df", "qs_core", "qs_core2", "pandas", "cf")
    ratios = ("pd/qs_df", "pd/core", "cf/core")
    header = (
        f"{'kernel':40s} "
        + " ".join(f"{c:>9s}" for c in cols)
        + "  "
        + " ".join(f"{r:>8s}" for r in ratios)
        + "  agreement"
    )
    print(header)
    results = []
    for k in kernels(df):
        runs: dict[str, list[float]] = {
            n: [] for n in ("qs_df", "qs_core", "qs_core2", "pandas", "cf")
        }
        outs: dict[str, Any] = {}
        calls: dict[str, Callable[[], Any]] = {
            "qs_df": k["api"],
            "qs_core": lambda k=k: k["core"](values, offsets, 1),
            "qs_core2": lambda k=k: k["core"](values, offsets, 2),
            "pandas": k["pandas"],
        }
        if k["cf"] is not None:
            calls["cf"] = lambda k=k: k["cf"].transform(ga)
        for name, fn in calls.items():  # warm-up, not timed
            outs[name] = fn()
        for _ in range(args.repeats):
            for name, fn in calls.items():  # alternate so machine noise hits all alike
                dt, _out = timed(fn)
                runs[name].append(dt)
        med = {n: statistics.median(v) if v else float("nan") for n, v in runs.items()}
        api_col = outs["qs_df"].columns[-1]
        agree = {
            "qs_df vs pandas": max_rel_diff(
                outs["qs_df"][api_col].to_numpy(), outs["pandas"]
            ),
            "qs_core vs pandas": max_rel_diff(outs["qs_core"], outs["pandas"]),
            "qs_core 1 vs 2 threads identical": bool(
                np.array_equal(outs["qs_core"], outs["qs_core2"], equal_nan=True)
            ),
        }
        if "cf" in outs:
            agree["coreforecast vs pandas"] = max_rel_diff(outs["cf"], outs["pandas"])
        print(
            f"{k['name']:40s} {med['qs_df']:9.4f} {med['qs_core']:9.4f} {med['qs_core2']:9.4f} "
            f"{med['pandas']:9.4f} {med['cf']:9.4f}  {med['pandas'] / med['qs_df']:8.1f} "
            f"{med['pandas'] / med['qs_core']:8.1f} {med['cf'] / med['qs_core']:8.2f}  "
            + ", ".join(
                f"{n}: {v:.1e}" if isinstance(v, float) else f"{n}: {v}"
                for n, v in agree.items()
            )
        )
        results.append(
            {"kernel": k["name"], "runs": runs, "median": med, "agreement": agree}
        )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {
                    "series": args.series,
                    "length": args.length,
                    "rows": int(values.size),
                    "versions": {
                        "quickstock": qs.__version__,
                        "pandas": pd.__version__,
                        "numpy": np.__version__,
                        "python": platform.python_version(),
                    },
                    "results": results,
                },
                fh,
                indent=2,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
