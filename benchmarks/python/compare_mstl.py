"""MSTL(season_length=[24, 168]) with an AutoETS(model="ZZN") trend in quickstock vs statsforecast
on M4 Hourly, in one process.

Prints the median wall time over --repeats runs, series/s and the ratio for each n_jobs, and
sMAPE/MASE (M4 definitions, seasonal period 24) of both on the M4 test set, plus the largest
difference between the two point forecasts. statsforecast's numba warm-up is excluded. Run
(statsforecast needs pandas < 3, so it lives in its own venv; see benchmarks/README.md):

    PYTHONPATH=build/python /work/venv-sf/bin/python benchmarks/python/compare_mstl.py \\
        --series 414 --n-jobs 1,2 --repeats 3 --sf-repeats 1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4_hourly import load, scores  # noqa: E402


def timed(fn, repeats: int):
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[3] / "shared" / "data" / "m4"))
    ap.add_argument("--series", type=int, default=414)
    ap.add_argument("--n-jobs", default="1,2")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sf-repeats", type=int, default=None,
                    help="repeats for statsforecast (default --repeats; it is slow)")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "Hourly-train.csv.gz").exists():
        print(f"M4 data not found in {data} (--data DIR)")
        return 2
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import MSTL as SFMSTL
        from statsforecast.models import AutoETS as SFAutoETS
    except ImportError:
        print("statsforecast not installed: pip install statsforecast")
        return 0
    import quickstock as qs

    df, test = load(data, args.series)
    n = df.unique_id.nunique()

    def sf_model():
        return SFMSTL(season_length=[24, 168], trend_forecaster=SFAutoETS(model="ZZN"))

    def qs_model():
        return qs.MSTL(season_length=[24, 168], trend_forecaster=qs.AutoETS(model="ZZN"))

    StatsForecast(models=[sf_model()], freq="h").forecast(
        df=df[df.unique_id == df.unique_id.iloc[0]], h=48, level=[80])
    print(f"MSTL(season_length=[24, 168], AutoETS(model='ZZN') trend), M4 Hourly, {n} series, h=48, "
          f"median of {args.repeats} runs ({args.sf_repeats or args.repeats} for statsforecast; "
          "its warm-up excluded)")
    q = s = None
    for nj in (int(x) for x in args.n_jobs.split(",")):
        tq, q = timed(lambda: qs.Forecaster([qs_model()], freq="h", n_jobs=nj).forecast(
            df, h=48, quantiles=[0.1, 0.5, 0.9]), args.repeats)
        ts, s = timed(lambda: StatsForecast(models=[sf_model()], freq="h", n_jobs=nj).forecast(
            df=df, h=48, level=[80]), args.sf_repeats or args.repeats)
        print(f"  n_jobs={nj}: quickstock {tq:7.2f} s ({n / tq:6.1f} series/s)   statsforecast {ts:7.2f} s "
              f"({n / ts:6.1f} series/s)   ratio {ts / tq:5.2f}x")
    s = s.reset_index() if "unique_id" not in s.columns else s
    print("  quickstock     sMAPE %.3f  MASE %.3f" % scores(df, q, "mean", test))
    print("  statsforecast  sMAPE %.3f  MASE %.3f" % scores(df, s, "MSTL", test))
    merged = q.merge(s, on=["unique_id", "ds"])
    rel = np.abs(merged["mean"] - merged["MSTL"]) / np.maximum(np.abs(merged["MSTL"]), 1e-9)
    print(f"  point forecasts: median relative difference {np.median(rel):.2e}, "
          f"share within 1e-3: {np.mean(rel < 1e-3):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
