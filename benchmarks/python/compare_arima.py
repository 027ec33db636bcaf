"""AutoARIMA in quickstock vs statsforecast on M4 Hourly (season 24), in one process.

Prints wall time, series/s and the ratio for each n_jobs, and sMAPE/MASE (M4 definitions) of
both on the M4 test set (h = 48). statsforecast's numba warm-up is excluded. statsforecast needs
pandas < 3, so run it from its venv with quickstock's build on the path:

    PYTHONPATH=build/python /work/venv-sf/bin/python benchmarks/python/compare_arima.py \\
        --series 414 --n-jobs 1,2

``--series N`` takes the first N series of the file (a documented subset when statsforecast is too
slow for all 414); ``--skip-sf-jobs 2`` runs statsforecast only at the listed n_jobs.
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
    ap.add_argument("--sf-jobs", default=None, help="n_jobs values at which statsforecast runs (default: all)")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "Hourly-train.csv.gz").exists():
        print(f"M4 data not found in {data} (--data DIR)")
        return 2
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoARIMA as SFAutoARIMA
    except ImportError:
        print("statsforecast not installed: pip install statsforecast")
        return 0
    import quickstock as qs

    df, test = load(data, args.series)
    n = df.unique_id.nunique()
    first = df[df.unique_id == df.unique_id.iloc[0]]
    StatsForecast(models=[SFAutoARIMA(season_length=24)], freq="h").forecast(df=first, h=48)
    sf_jobs = None if args.sf_jobs is None else {int(x) for x in args.sf_jobs.split(",")}
    print(f"AutoARIMA(season_length=24), M4 Hourly, {n} series, h=48 (statsforecast warm-up excluded)")
    q = s = None
    for nj in (int(x) for x in args.n_jobs.split(",")):
        t = time.perf_counter()
        q = qs.Forecaster([qs.AutoARIMA(season_length=24)], freq="h", n_jobs=nj).forecast(df, h=48, quantiles=[0.5])
        tq = time.perf_counter() - t
        line = f"  n_jobs={nj}: quickstock {tq:8.2f} s ({n / tq:7.2f} series/s)"
        if sf_jobs is None or nj in sf_jobs:
            t = time.perf_counter()
            s = StatsForecast(models=[SFAutoARIMA(season_length=24)], freq="h", n_jobs=nj).forecast(df=df, h=48)
            ts = time.perf_counter() - t
            line += f"   statsforecast {ts:8.2f} s ({n / ts:7.2f} series/s)   ratio {ts / tq:6.2f}x"
        print(line, flush=True)
    print("  quickstock     sMAPE %.3f  MASE %.3f" % scores(df, q, "mean", test))
    if s is not None:
        s = s.reset_index() if "unique_id" not in s.columns else s
        print("  statsforecast  sMAPE %.3f  MASE %.3f" % scores(df, s, "AutoARIMA", test))
    return 0


if __name__ == "__main__":
    sys.exit(main())
