"""AutoETS in quickstock vs statsforecast on M4 Hourly (season 24), in one process.

Prints wall time, series/s and the ratio for each n_jobs, and sMAPE/MASE (M4 definitions) of
both on the M4 test set. statsforecast's numba warm-up is excluded. With ``--repeat K`` each
timing is repeated K times (the libraries alternating) and the medians are printed, as on a
shared machine single runs are noisy; ``--worst K`` lists the K series where quickstock's MASE
exceeds statsforecast's the most. Run (statsforecast needs pandas < 3, so it lives in its own
venv; see benchmarks/README.md):

    PYTHONPATH=build/python /work/venv-sf/bin/python \\
        benchmarks/python/compare_ets.py --series 414 --n-jobs 1,2 --repeat 3
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4_hourly import cpu_seconds, load, scores  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[3] / "shared" / "data" / "m4"))
    ap.add_argument("--series", type=int, default=414)
    ap.add_argument("--n-jobs", default="1,2")
    ap.add_argument("--repeat", type=int, default=1, help="timings per library and n_jobs (median)")
    ap.add_argument("--worst", type=int, default=0, help="list the K series with the largest MASE gap")
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
    cpu = cpu_seconds

    def timed(fn):
        t, c = time.perf_counter(), cpu()
        out = fn()
        return out, time.perf_counter() - t, cpu() - c

    for nj in (int(x) for x in args.n_jobs.split(",")):
        runs_q, runs_s = [], []
        for _ in range(max(1, args.repeat)):
            q, tq, cq = timed(lambda: qs.Forecaster([qs.AutoETS(season_length=24)], freq="h", n_jobs=nj)
                              .forecast(df, h=48, quantiles=[0.5]))
            runs_q.append((tq, cq))
            s, ts, cs = timed(lambda: StatsForecast(models=[SFAutoETS(season_length=24)], freq="h", n_jobs=nj)
                              .forecast(df=df, h=48))
            runs_s.append((ts, cs))
        tq, cq = (float(np.median([r[i] for r in runs_q])) for i in (0, 1))
        ts, cs = (float(np.median([r[i] for r in runs_s])) for i in (0, 1))
        label = f"median of {len(runs_q)}" if len(runs_q) > 1 else "one run"
        print(f"  n_jobs={nj} ({label}): quickstock {tq:7.2f} s ({n / tq:6.1f} series/s)   statsforecast {ts:7.2f} s "
              f"({n / ts:6.1f} series/s)   ratio {ts / tq:5.2f}x   |   CPU s: quickstock {cq:7.2f}, "
              f"statsforecast {cs:7.2f}, ratio {cs / cq:5.2f}x")
        if len(runs_q) > 1:
            print("    runs (wall s, CPU s): quickstock " + ", ".join(f"({a:.2f}, {b:.2f})" for a, b in runs_q)
                  + "; statsforecast " + ", ".join(f"({a:.2f}, {b:.2f})" for a, b in runs_s))
    s = s.reset_index() if "unique_id" not in s.columns else s
    print("  quickstock     sMAPE %.3f  MASE %.3f" % scores(df, q, "mean", test))
    print("  statsforecast  sMAPE %.3f  MASE %.3f" % scores(df, s, "AutoETS", test))
    if args.worst > 0:
        gaps = []
        for uid in q.unique_id.unique():
            _, mq = scores(df, q[q.unique_id == uid], "mean", test)
            _, ms = scores(df, s[s.unique_id == uid], "AutoETS", test)
            gaps.append((mq - ms, uid, mq, ms))
        gaps.sort(reverse=True)
        print(f"  largest MASE gaps (quickstock − statsforecast), of {len(gaps)} series:")
        for g, uid, mq, ms in gaps[: args.worst]:
            print(f"    {uid}: quickstock {mq:7.3f}  statsforecast {ms:7.3f}  gap {g:+7.3f}")
        rest = gaps[args.worst:]
        print(f"  mean MASE without those {args.worst}: quickstock {np.mean([x[2] for x in rest]):.3f}, "
              f"statsforecast {np.mean([x[3] for x in rest]):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
