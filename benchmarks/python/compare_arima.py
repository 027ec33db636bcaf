"""AutoARIMA in quickstock vs statsforecast on M4 Hourly (season 24, h = 48).

statsforecast's AutoARIMA takes about a minute per M4 Hourly series, so it runs on a fixed,
documented random subset -- the first ``--subset N`` series of the seed-0 permutation of the 414
(``m4_hourly.subset_indices``) -- and its forecasts and per-series fit times (n_jobs = 1, wall
and CPU seconds, numba warm-up excluded) are cached in
``benchmarks/results/sf_autoarima_m4_hourly.csv`` by ``sf_arima_cache.py``; missing series are
fitted here first (or pass ``--no-fill`` to use only the cached ones). quickstock is timed live on
the same series at each ``--n-jobs``. The table reports MASE and sMAPE (M4 definitions) of both on
the subset, series/s and the ratio; statsforecast's 2-thread throughput is taken as ideal scaling
of its 1-thread time (an upper bound for it, so the ratio shown is a lower bound). ``--all``
also scores quickstock alone on all 414 series.

    PYTHONPATH=build/python /work/venv-sf/bin/python benchmarks/python/compare_arima.py --subset 60
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from m4_hourly import load, scores, subset_indices  # noqa: E402
from sf_arima_cache import CACHE  # noqa: E402


def _quickstock(df: pd.DataFrame, n_jobs: int, seasonal_test: str) -> tuple[pd.DataFrame, float, float]:
    import quickstock as qs

    model = qs.AutoARIMA(season_length=24, seasonal_test=seasonal_test)
    t, c = time.perf_counter(), time.process_time()
    fc = qs.Forecaster([model], freq="h", n_jobs=n_jobs).forecast(df, h=48, quantiles=[0.5])
    return fc, time.perf_counter() - t, time.process_time() - c


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(HERE.parents[2] / "shared" / "data" / "m4"))
    ap.add_argument("--subset", type=int, default=60, help="first N series of the seed-0 permutation")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n-jobs", default="1,2")
    ap.add_argument("--seasonal-test", default="seas", help="quickstock's seasonal_test")
    ap.add_argument("--cache", default=str(CACHE))
    ap.add_argument("--no-fill", action="store_true", help="use only the cached statsforecast series")
    ap.add_argument("--all", action="store_true", help="also score quickstock on all 414 series")
    args = ap.parse_args()
    data, cache = Path(args.data), Path(args.cache)
    if not (data / "Hourly-train.csv.gz").exists():
        print(f"M4 data not found in {data} (--data DIR)")
        return 2
    if not args.no_fill:
        subprocess.run([sys.executable, str(HERE / "sf_arima_cache.py"), "--subset", str(args.subset),
                        "--seed", str(args.seed), "--cache", str(cache), "--data", str(data)], check=True)
    if not cache.exists():
        print(f"no statsforecast cache at {cache}: run sf_arima_cache.py")
        return 2
    sf = pd.read_csv(cache)
    idx = subset_indices(args.subset, args.seed)
    df, test = load(data, indices=idx)
    ids = [u for u in df.unique_id.unique() if u in set(sf.unique_id)]
    if len(ids) < len(idx):
        print(f"note: statsforecast cache holds {len(ids)} of the {len(idx)} subset series; using those")
    df = df[df.unique_id.isin(ids)]
    sf = sf[sf.unique_id.isin(ids)]
    n = len(ids)
    per = sf.groupby("unique_id").first()
    sf_wall, sf_cpu = float(per.wall_s.sum()), float(per.cpu_s.sum())
    print(f"AutoARIMA(season_length=24), M4 Hourly, h=48: {n} series "
          f"(first {n} of the seed-{args.seed} permutation), quickstock seasonal_test={args.seasonal_test!r}")
    print("| n_jobs | quickstock s | series/s | statsforecast s | series/s | ratio | CPU ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    q = None
    for nj in (int(x) for x in args.n_jobs.split(",")):
        q, tq, cq = _quickstock(df, nj, args.seasonal_test)
        ts = sf_wall / nj  # ideal scaling of statsforecast's 1-thread time (upper bound for it)
        cpu = f"{sf_cpu / cq:.0f}x" if nj == 1 else "-"
        print(f"| {nj} | {tq:.2f} | {n / tq:.2f} | {ts:.1f}{'' if nj == 1 else ' (ideal)'} | "
              f"{n / ts:.4f} | {ts / tq:.0f}x | {cpu} |", flush=True)
    s = sf.rename(columns={"AutoARIMA": "fc"})
    q_smape, q_mase = scores(df, q, "mean", test)
    s_smape, s_mase = scores(df, s, "fc", test)
    print(f"\n| library | MASE | sMAPE |\n| --- | --- | --- |")
    print(f"| quickstock | {q_mase:.4f} | {q_smape:.3f} |")
    print(f"| statsforecast | {s_mase:.4f} | {s_smape:.3f} |")
    print(f"MASE ratio quickstock / statsforecast: {q_mase / s_mase:.4f} ({100 * (q_mase / s_mase - 1):+.2f}%)")
    if args.all:
        dfa, testa = load(data, 414)
        qa, ta, _ = _quickstock(dfa, max(int(x) for x in args.n_jobs.split(",")), args.seasonal_test)
        a_smape, a_mase = scores(dfa, qa, "mean", testa)
        print(f"quickstock on all 414: {ta:.1f} s ({414 / ta:.2f} series/s), MASE {a_mase:.4f}, sMAPE {a_smape:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
