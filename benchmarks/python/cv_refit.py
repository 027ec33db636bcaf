"""Rolling-origin cross-validation: refitting every window vs carrying the fits forward.

    PYTHONPATH=build/python python3 benchmarks/python/cv_refit.py
    PYTHONPATH=build/python /work/venv-sf/bin/python benchmarks/python/cv_refit.py --sf

On M4 Hourly (the first ``--series`` series of the training set; AutoARIMA on the first
``--arima-series``), ``cross_validation(h=24, n_windows=--windows, step_size=24)``: a day-ahead
forecast re-issued every day. For each model, ``refit=True`` (every window estimated anew) and
``refit=False`` (the oldest window estimated, its estimates carried forward to the later cutoffs:
``FittedModel.forward``). Printed per model and mode: CPU seconds, series-windows per CPU second,
the speed-up of ``refit=False``, and MASE and sMAPE over every window and series (MASE scaled
by each series' in-sample seasonal naive error, season 24, over its whole training part), so the
accuracy given up by not re-estimating is visible next to the time saved.

With ``--sf``, statsforecast's ``cross_validation`` runs the same models, windows and refit
settings in the same process (its numba compilation is done first, outside the timings) on the
first ``--sf-series`` series ("on"); both libraries' MASE on those series, statsforecast's CPU
seconds and the CPU ratio (ours pro rata for those series) are printed beside ours. statsforecast needs pandas < 3, so run that
from its own venv (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4_hourly import cpu_seconds, load, pick  # noqa: E402

H, STEP, SEASON = 24, 24, 24


def pairs():
    import quickstock as qs

    out = {
        "AutoETS": (lambda: qs.AutoETS(season_length=SEASON), "AutoETS"),
        "MSTL": (lambda: qs.MSTL(season_length=[SEASON, 7 * SEASON]), "MSTL"),
        "AutoARIMA": (lambda: qs.AutoARIMA(season_length=SEASON), "AutoARIMA"),
        "AutoTheta": (lambda: qs.AutoTheta(season_length=SEASON), "AutoTheta"),
    }
    return out


def sf_model(name: str):
    from statsforecast import models as sf

    return {
        "AutoETS": lambda: sf.AutoETS(season_length=SEASON),
        "MSTL": lambda: sf.MSTL(season_length=[SEASON, 7 * SEASON]),
        "AutoARIMA": lambda: sf.AutoARIMA(season_length=SEASON),
        "AutoTheta": lambda: sf.AutoTheta(season_length=SEASON),
    }[name]()


def score(cv: pd.DataFrame, col: str, scale: dict[str, float]) -> tuple[float, float]:
    """Mean sMAPE and MASE over every (series, window) of a cross-validation frame."""
    y, f = cv["y"].to_numpy(float), cv[col].to_numpy(float)
    s = cv["unique_id"].map(scale).to_numpy(float)
    key = cv["unique_id"].astype(str) + "|" + cv["cutoff"].astype(str)
    per = pd.DataFrame({"k": key, "smape": 200 * np.abs(y - f) / (np.abs(y) + np.abs(f)), "ase": np.abs(y - f) / s})
    g = per.groupby("k")[["smape", "ase"]].mean()
    return float(g["smape"].mean()), float(g["ase"].mean())


def run_qs(make, df, windows: int, refit: bool, n_jobs: int) -> tuple[float, pd.DataFrame]:
    import quickstock as qs

    fc = qs.Forecaster([make()], freq="h", n_jobs=n_jobs, verbose=False)
    c = cpu_seconds()
    cv = fc.cross_validation(df, h=H, n_windows=windows, step_size=STEP, quantiles=[0.1, 0.9], refit=refit)
    cpu = cpu_seconds() - c
    return cpu, cv[cv.model == cv.model.iloc[0]].rename(columns={"mean": "forecast"})


def run_sf(name: str, df, windows: int, refit: bool, n_jobs: int) -> tuple[float, pd.DataFrame]:
    from statsforecast import StatsForecast

    model = sf_model(name)
    c = cpu_seconds()
    cv = StatsForecast(models=[model], freq="h", n_jobs=n_jobs).cross_validation(
        df=df, h=H, n_windows=windows, step_size=STEP, refit=refit)
    cpu = cpu_seconds() - c
    cv = cv.reset_index() if "unique_id" not in cv.columns else cv
    return cpu, cv.rename(columns={repr(model) if repr(model) in cv.columns else str(model): "forecast"})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[3] / "shared" / "data" / "m4"))
    ap.add_argument("--series", type=int, default=414)
    ap.add_argument("--arima-series", type=int, default=60)
    ap.add_argument("--windows", type=int, default=7)
    ap.add_argument("--models", default="AutoETS,MSTL,AutoARIMA")
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--sf", action="store_true", help="also run statsforecast (its own venv)")
    ap.add_argument("--sf-series", type=int, default=None, help="series for statsforecast (default: as ours)")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "Hourly-train.csv.gz").exists():
        print(f"M4 data not found in {data} (--data DIR): nothing to run")
        return 0
    table = pairs()
    wanted = pick(table, args.models)
    if wanted is None:
        return 2
    full, _ = load(data, args.series)
    scale = {uid: float(np.mean(np.abs(g.y.to_numpy()[SEASON:] - g.y.to_numpy()[:-SEASON])))
             for uid, g in full.groupby("unique_id")}
    print(f"M4 Hourly cross-validation: h={H}, {args.windows} windows {STEP} apart, n_jobs={args.n_jobs}; "
          "CPU seconds; rate = series-windows per CPU second")
    head = f"{'model':10s} {'series':>6s} {'refit':>5s} | {'qs CPU s':>9s} {'rate':>7s} {'MASE':>7s} {'sMAPE':>7s}"
    if args.sf:
        head += f" | {'on':>4s} {'qs MASE':>7s} {'sf MASE':>7s} {'sf CPU s':>9s} {'CPU ratio':>9s}"
    print(head)
    for name in wanted:
        make, _ = table[name]
        n = min(args.arima_series, args.series) if name == "AutoARIMA" else args.series
        ids = full.unique_id.unique()[:n]
        df = full[full.unique_id.isin(ids)].reset_index(drop=True)
        n_sf = min(n, args.sf_series) if args.sf_series else n
        df_sf = df[df.unique_id.isin(ids[:n_sf])].reset_index(drop=True)
        if args.sf:
            one = df[df.unique_id == ids[0]].reset_index(drop=True)
            run_sf(name, one, 2, False, 1)  # numba compilation, outside the timings
        cpu_true = None
        for refit in (True, False):
            cpu, cv = run_qs(make, df, args.windows, refit, args.n_jobs)
            smape, mase = score(cv, "forecast", scale)
            rate = n * args.windows / cpu
            line = f"{name:10s} {n:6d} {str(refit):>5s} | {cpu:9.2f} {rate:7.1f} {mase:7.4f} {smape:7.3f}"
            if not refit and cpu_true:
                line += f"  ({cpu_true / cpu:.1f}x faster)"
            cpu_true = cpu if refit else cpu_true
            if args.sf:
                scpu, scv = run_sf(name, df_sf, args.windows, refit, args.n_jobs)
                ssmape, smase = score(scv, "forecast", scale)
                # ours on statsforecast's series, pro rata for the time when it ran on fewer
                _, qmase = score(cv[cv.unique_id.isin(ids[:n_sf])], "forecast", scale)
                qcpu = cpu * n_sf / n
                line += f" | {n_sf:4d} {qmase:7.4f} {smase:7.4f} {scpu:9.2f} {scpu / qcpu:8.1f}x"
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
