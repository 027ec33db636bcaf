"""AutoTheta in quickstock vs statsforecast on M4 Hourly (season 24), in one process.

Prints wall time, series/s and the ratio for each n_jobs, and sMAPE/MASE (M4 definitions) of
both on the M4 test set. statsforecast's numba warm-up is excluded. Run (statsforecast needs
pandas < 3, so it lives in its own venv; see benchmarks/README.md):

    PYTHONPATH=build/python /work/venv-sf/bin/python \\
        benchmarks/python/compare_theta.py --series 414 --n-jobs 1,2 --repeats 3

Times are medians of --repeats runs (quickstock and statsforecast alternate).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4_hourly import load, scores  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[3] / "shared" / "data" / "m4"))
    ap.add_argument("--series", type=int, default=414)
    ap.add_argument("--n-jobs", default="1,2")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--selection", default="holdout", help="quickstock AutoTheta selection: holdout or mse")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "Hourly-train.csv.gz").exists():
        print(f"M4 data not found in {data} (--data DIR)")
        return 2
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoTheta as SFAutoTheta
    except ImportError:
        print("statsforecast not installed: pip install statsforecast")
        return 0
    import quickstock as qs

    df, test = load(data, args.series)
    n = df.unique_id.nunique()
    StatsForecast(models=[SFAutoTheta(season_length=24)], freq="h").forecast(df=df[df.unique_id == df.unique_id.iloc[0]], h=48)
    print(f"AutoTheta(season_length=24) (quickstock selection={args.selection!r}), M4 Hourly, {n} series, h=48 (statsforecast warm-up excluded)")
    for nj in (int(x) for x in args.n_jobs.split(",")):
        tq_all, ts_all = [], []
        for _ in range(args.repeats):
            t = time.perf_counter()
            q = qs.Forecaster([qs.AutoTheta(season_length=24, selection=args.selection)], freq="h", n_jobs=nj).forecast(df, h=48, quantiles=[0.5])
            tq_all.append(time.perf_counter() - t)
            t = time.perf_counter()
            s = StatsForecast(models=[SFAutoTheta(season_length=24)], freq="h", n_jobs=nj).forecast(df=df, h=48)
            ts_all.append(time.perf_counter() - t)
        tq, ts = float(np.median(tq_all)), float(np.median(ts_all))
        print(f"  n_jobs={nj}: quickstock {tq:7.2f} s ({n / tq:6.1f} series/s)   statsforecast {ts:7.2f} s "
              f"({n / ts:6.1f} series/s)   ratio {ts / tq:5.2f}x   (median of {args.repeats})")
    s = s.reset_index() if "unique_id" not in s.columns else s
    print("  quickstock     sMAPE %.3f  MASE %.3f" % scores(df, q, "mean", test))
    print("  statsforecast  sMAPE %.3f  MASE %.3f" % scores(df, s, "AutoTheta", test))
    return 0


if __name__ == "__main__":
    sys.exit(main())
