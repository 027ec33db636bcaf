"""Fill (or extend) the cache of statsforecast AutoARIMA forecasts on an M4 Hourly subset.

statsforecast's AutoARIMA takes about a minute per M4 Hourly series, so compare_arima.py reads
its forecasts from a cache instead of refitting. This script fits the series of the documented
subset one at a time -- the seed-0 random permutation of the 414 series, in that order, so any
prefix of the cache is itself "the first k of the seed-0 permutation" -- and appends each
series' 48 forecasts and its fit time (wall and process CPU seconds, n_jobs = 1) to the cache
as soon as it is done. Series already cached are skipped, so the run can be stopped and resumed.

    PYTHONPATH=build/python /work/venv-sf/bin/python benchmarks/python/sf_arima_cache.py --subset 60
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4_hourly import load, subset_indices  # noqa: E402

CACHE = Path(__file__).resolve().parents[1] / "results" / "sf_autoarima_m4_hourly.csv"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[3] / "shared" / "data" / "m4"))
    ap.add_argument("--subset", type=int, default=60, help="first N series of the seed-0 permutation")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", default=str(CACHE))
    args = ap.parse_args()
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA

    cache = Path(args.cache)
    done = set(pd.read_csv(cache).unique_id) if cache.exists() else set()
    idx = subset_indices(args.subset, args.seed)
    df, _ = load(Path(args.data), indices=idx)
    first = df[df.unique_id == df.unique_id.iloc[0]].tail(300)
    StatsForecast(models=[AutoARIMA(season_length=24)], freq="h").forecast(df=first, h=48)  # numba warm-up
    for uid, g in df.groupby("unique_id", sort=False):
        if uid in done:
            continue
        t, c = time.perf_counter(), time.process_time()
        fc = StatsForecast(models=[AutoARIMA(season_length=24)], freq="h", n_jobs=1).forecast(df=g, h=48)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        fc = fc.reset_index() if "unique_id" not in fc.columns else fc
        out = pd.DataFrame({"unique_id": uid, "step": range(1, 49), "AutoARIMA": fc["AutoARIMA"].to_numpy(),
                            "wall_s": wall, "cpu_s": cpu})
        out.to_csv(cache, mode="a", header=not cache.exists(), index=False)
        print(f"{uid}: {wall:.1f} s wall, {cpu:.1f} s cpu", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
