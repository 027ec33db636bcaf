"""AutoETS in quickstock vs statsforecast on M4 Hourly (season 24), in one process.

Prints wall time, series/s and the ratio for each n_jobs, and sMAPE/MASE (M4 definitions) of
both on the M4 test set. statsforecast's numba warm-up is excluded. Run (statsforecast needs
pandas < 3, so it lives in its own venv; see benchmarks/README.md):

    PYTHONPATH=build-bench/python build-bench/venv-statsforecast/bin/python \\
        benchmarks/python/compare_ets.py --series 414 --n-jobs 1,2
"""

from __future__ import annotations

import argparse
import resource
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
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "Hourly-train.csv.gz").exists():
        print(f"M4 data not found in {data} (--data DIR)")
        return 2
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS as SFAutoETS
    except ImportError:
        print("statsforecast not installed: pip install statsforecast")
        return 0
    import quickstock as qs

    df, test = load(data, args.series)
    n = df.unique_id.nunique()
    StatsForecast(models=[SFAutoETS(season_length=24)], freq="h").forecast(df=df[df.unique_id == df.unique_id.iloc[0]], h=48)
    print(f"AutoETS(season_length=24), M4 Hourly, {n} series, h=48 (statsforecast warm-up excluded)")
    def cpu() -> float:
        # CPU seconds of this process and its finished children (statsforecast's n_jobs > 1
        # workers): on a machine shared with other work, the CPU ratio is the stable figure.
        self_, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return self_.ru_utime + self_.ru_stime + kids.ru_utime + kids.ru_stime

    for nj in (int(x) for x in args.n_jobs.split(",")):
        t, c = time.perf_counter(), cpu()
        q = qs.Forecaster([qs.AutoETS(season_length=24)], freq="h", n_jobs=nj).forecast(df, h=48, quantiles=[0.5])
        tq, cq = time.perf_counter() - t, cpu() - c
        t, c = time.perf_counter(), cpu()
        s = StatsForecast(models=[SFAutoETS(season_length=24)], freq="h", n_jobs=nj).forecast(df=df, h=48)
        ts, cs = time.perf_counter() - t, cpu() - c
        print(f"  n_jobs={nj}: quickstock {tq:7.2f} s ({n / tq:6.1f} series/s)   statsforecast {ts:7.2f} s "
              f"({n / ts:6.1f} series/s)   ratio {ts / tq:5.2f}x   |   CPU s: quickstock {cq:7.2f}, "
              f"statsforecast {cs:7.2f}, ratio {cs / cq:5.2f}x")
    s = s.reset_index() if "unique_id" not in s.columns else s
    print("  quickstock     sMAPE %.3f  MASE %.3f" % scores(df, q, "mean", test))
    print("  statsforecast  sMAPE %.3f  MASE %.3f" % scores(df, s, "AutoETS", test))
    return 0


if __name__ == "__main__":
    sys.exit(main())
