"""Speed of native sample paths (``FittedModel.sample_paths``, docs/sample-paths.md).

Fits each model to ``--series`` daily count-like series of 365 days and times, as the median of
``--repeats`` runs on one thread, ``sample_paths(h, n_paths)`` (the native simulation, through
the core binding: no DataFrame) against ``forecast(h, 9 quantiles)``; it reports million path
values per second and the cost of the paths relative to the forecast.

    PYTHONPATH=build/python python3 benchmarks/python/bench_sample_paths.py --series 200
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd

import quickstock as qs


def median_time(fn, repeats: int) -> float:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=200)
    ap.add_argument("--paths", type=int, default=1000)
    ap.add_argument("--h", type=int, default=14)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    n, days = args.series, 365
    t = np.arange(days)
    level = rng.uniform(2, 30, n)[:, None] * (1 + 0.3 * np.sin(2 * np.pi * t / 7))[None, :]
    y = rng.poisson(level).astype(float)
    df = pd.DataFrame(
        {
            "unique_id": np.repeat([f"s{i:05d}" for i in range(n)], days),
            "ds": np.tile(pd.date_range("2024-01-01", periods=days, freq="D"), n),
            "y": y.reshape(-1),
        }
    )
    models = [
        qs.Naive(),
        qs.SeasonalNaive(7),
        qs.AutoETS(season_length=7),
        qs.ARIMA((1, 1, 1)),
        qs.Theta(season_length=7),
        qs.Croston(),
        qs.CountRegression(season_length=7),
        qs.Ensemble([qs.Naive(), qs.HistoricAverage()]),
    ]
    fc = qs.Forecaster(models, freq="D").fit(df)
    levels = [0.05, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.95]
    values = n * args.paths * args.h
    print(f"{n} series x {args.paths} paths x h={args.h} = {values:,} values, 1 thread, median of {args.repeats}")
    print(f"{'model':<16} {'simulation':<16} {'paths s':>9} {'Mvalues/s':>10} {'forecast s':>11} {'ratio':>7}")
    for model, f in zip(models, fc.fitted_):
        tp = median_time(lambda: f.sample_paths(args.h, args.paths, 0, True, 0.0, 1, None), args.repeats)
        how = f.sample_paths(1, 1, 0, True, 0.0, 1, None)[2]
        tf = median_time(lambda: f.forecast(args.h, levels, True, 1, None), args.repeats)
        print(
            f"{model.alias:<16} {how:<16} {tp:>9.3f} {values / tp / 1e6:>10.1f} {tf:>11.4f} {tp / tf:>7.1f}"
        )


if __name__ == "__main__":
    main()
