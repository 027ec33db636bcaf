"""Speed table: quickstock vs statsforecast on the same models and data, in one process.

    PYTHONPATH=build/python /work/venv-sf/bin/python benchmarks/python/speed_suite.py
    PYTHONPATH=build/python /work/venv-sf/bin/python benchmarks/python/speed_suite.py \\
        --models AutoETS,MSTL --n-jobs 1,2 --repeats 3

For each model and thread count, fits and forecasts M4 Hourly (``../shared/data/m4``, season 24,
h = 48; AutoARIMA on the first ``--arima-series`` series only, because statsforecast's takes about
a minute per series here) with both libraries and prints wall time, series/s, the ratio, the
CPU-time ratio (stable on a shared machine), and the peak memory each run added (VmHWM − VmRSS of
a forked child that does only that run). Each figure is the median of ``--repeats`` runs.
statsforecast's numba compilation is done once, before any timing. statsforecast needs
pandas < 3, so run it from its own venv (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4_hourly import cpu_seconds, load, pick  # noqa: E402

H, SEASON = 48, 24


def pairs():
    import quickstock as qs
    from statsforecast import models as sf

    return {
        "SeasonalNaive": (lambda: qs.SeasonalNaive(season_length=SEASON), lambda: sf.SeasonalNaive(season_length=SEASON)),
        "AutoETS": (lambda: qs.AutoETS(season_length=SEASON), lambda: sf.AutoETS(season_length=SEASON)),
        "AutoTheta": (lambda: qs.AutoTheta(season_length=SEASON), lambda: sf.AutoTheta(season_length=SEASON)),
        "MSTL": (lambda: qs.MSTL(season_length=[SEASON, 7 * SEASON]), lambda: sf.MSTL(season_length=[SEASON, 7 * SEASON])),
        "AutoARIMA": (lambda: qs.AutoARIMA(season_length=SEASON), lambda: sf.AutoARIMA(season_length=SEASON)),
        "CrostonSBA": (lambda: qs.CrostonSBA(), lambda: sf.CrostonSBA()),
    }


def _status(key: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    return 0


def _run(lib: str, make, df, n_jobs: int) -> None:
    if lib == "quickstock":
        import quickstock as qs

        qs.Forecaster([make()], freq="h", n_jobs=n_jobs).forecast(df, h=H, quantiles=[0.1, 0.9])
    else:
        from statsforecast import StatsForecast

        model = make()
        # statsforecast's Croston family has no intervals: it gets the easier point-only job.
        level = None if type(model).__name__.startswith("Croston") else [80]
        StatsForecast(models=[model], freq="h", n_jobs=n_jobs).forecast(df=df, h=H, level=level)


def measure(lib: str, make, df, n_jobs: int) -> tuple[float, float, float]:
    """(wall s, CPU s, peak bytes added) of one run, in a forked child."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: one run, report, exit without running the parent's atexit hooks
        os.close(r)
        try:
            base = _status("VmRSS:")
            t, c = time.perf_counter(), cpu_seconds()
            _run(lib, make, df, n_jobs)
            msg = f"{time.perf_counter() - t} {cpu_seconds() - c} {_status('VmHWM:') - base}"
        except Exception as e:  # noqa: BLE001 - reported to the parent
            msg = f"error {type(e).__name__}: {e}"
        os.write(w, msg.encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as fh:
        msg = fh.read()
    os.waitpid(pid, 0)
    if msg.startswith("error"):
        raise RuntimeError(f"{lib}: {msg}")
    wall, cpu, peak = (float(x) for x in msg.split())
    return wall, cpu, peak


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[3] / "shared" / "data" / "m4"))
    ap.add_argument("--series", type=int, default=414)
    ap.add_argument("--arima-series", type=int, default=8)
    ap.add_argument("--models", default="SeasonalNaive,AutoETS,AutoTheta,MSTL,AutoARIMA,CrostonSBA")
    ap.add_argument("--n-jobs", default="1,2")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "Hourly-train.csv.gz").exists():
        print(f"M4 data not found in {data} (--data DIR)")
        return 2
    try:
        from statsforecast import StatsForecast
    except ImportError:
        print("statsforecast not installed: run this from a venv with statsforecast (benchmarks/README.md)")
        return 0
    table = pairs()
    wanted = pick(table, args.models)
    if wanted is None:
        return 2
    full, _ = load(data, args.series)
    print(f"M4 Hourly, h={H}, median of {args.repeats} runs; peak = memory added by the run")
    print(f"{'model':14s} {'jobs':>4s} {'series':>6s} | {'qs s':>8s} {'sf s':>8s} {'ratio':>7s} "
          f"{'CPU ratio':>9s} | {'qs MiB':>7s} {'sf MiB':>7s}")
    for name in wanted:
        qs_make, sf_make = table[name]
        n = args.arima_series if name == "AutoARIMA" else args.series
        df = full[full.unique_id.isin(full.unique_id.unique()[:n])].reset_index(drop=True)
        one = df[df.unique_id == df.unique_id.iloc[0]]
        _run("statsforecast", sf_make, one, 1)  # numba compilation, outside the timings
        for nj in (int(x) for x in args.n_jobs.split(",")):
            q = [measure("quickstock", qs_make, df, nj) for _ in range(args.repeats)]
            s = [measure("statsforecast", sf_make, df, nj) for _ in range(args.repeats)]
            med = [statistics.median(x[k] for x in runs) for runs in (q, s) for k in range(3)]
            qw, qc, qm, sw, sc, sm = med
            print(f"{name:14s} {nj:4d} {n:6d} | {qw:8.2f} {sw:8.2f} {sw / qw:6.1f}x {sc / qc:8.1f}x | "
                  f"{qm / 2**20:7.1f} {sm / 2**20:7.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
