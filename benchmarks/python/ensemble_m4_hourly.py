"""qs.Ensemble and qs.Conformal on M4 Hourly (414 series, h = 48) against their members.

Prints, per model: sMAPE, MASE, OWA (vs the published Naive2 sMAPE 18.383 / MASE 2.395 on
Hourly), MSIS at 95% and coverage of the 95% interval (M4's interval metrics), and fit+predict
wall and CPU time (CPU time is the robust figure on a shared machine; with n_jobs = 1 it is the
single-core cost). The published anchors (sNaive 0.627 OWA, Naive2 1.000, Theta 1.006, the winner 0.440) are
printed for reference.

    PYTHONPATH=build/python python3 benchmarks/python/ensemble_m4_hourly.py [--n 414] [--jobs 1] [--with-ets]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

import quickstock as qs
from m4_hourly import load

NAIVE2 = (18.383, 2.395)
ANCHORS = {"sNaive (M4)": 0.627, "Naive2 (M4)": 1.000, "Theta (M4)": 1.006, "Smyl, winner (M4)": 0.440}


def interval_scores(df: pd.DataFrame, fc: pd.DataFrame, test: dict[str, np.ndarray]) -> tuple[float, float]:
    msis, cover = [], []
    a = 0.05
    for uid, g in fc.groupby("unique_id"):
        lo, hi, y = g["p2.5"].to_numpy(), g["p97.5"].to_numpy(), test[uid]
        x = df.loc[df.unique_id == uid, "y"].to_numpy()
        scale = np.mean(np.abs(x[24:] - x[:-24]))
        pen = (hi - lo) + 2 / a * (lo - y) * (y < lo) + 2 / a * (y - hi) * (y > hi)
        msis.append(np.mean(pen) / scale)
        cover.append(np.mean((y >= lo) & (y <= hi)))
    return float(np.mean(msis)), float(np.mean(cover))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "data" / "m4")
    ap.add_argument("--n", type=int, default=414)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--only", nargs="*", help="run only these model names (as printed)")
    ap.add_argument("--with-ets", action="store_true", help="also AutoETS(24) and ensembles with it")
    args = ap.parse_args()
    df, test = load(args.data, args.n)

    ets = qs.AutoETS(season_length=24)
    theta = qs.AutoTheta(season_length=24)
    mstl = qs.MSTL(season_length=[24, 168])
    snaive = qs.SeasonalNaive(season_length=24)
    models = {
        "SeasonalNaive": snaive,
        "AutoTheta": theta,
        "MSTL": mstl,
        "Ensemble(Theta,MSTL) cv": qs.Ensemble([theta, mstl], weights="cv", n_windows=2, h=48),
        "Ensemble(Theta,MSTL) equal": qs.Ensemble([theta, mstl], weights="equal"),
        "Ensemble(SNaive,Theta,MSTL) cv": qs.Ensemble([snaive, theta, mstl], weights="cv", n_windows=2, h=48),
        "Conformal(MSTL)": qs.Conformal(mstl, n_windows=20, h=48, step_size=24),
    }
    if args.with_ets:  # AutoETS(24) costs ~10x MSTL per series
        models["AutoETS"] = ets
        models["Ensemble(ETS,Theta,MSTL) cv"] = qs.Ensemble([ets, theta, mstl], weights="cv", n_windows=2, h=48)
        models["Ensemble(ETS,Theta,MSTL) equal"] = qs.Ensemble([ets, theta, mstl], weights="equal")
    if args.only:
        models = {k: v for k, v in models.items() if k in args.only}
    q = [0.025, 0.975]
    rows = []
    for name, m in models.items():
        t0, c0 = time.perf_counter(), time.process_time()
        fc = qs.Forecaster([m], freq="h", n_jobs=args.jobs).fit(df).predict(h=48, quantiles=q)
        secs, cpu = time.perf_counter() - t0, time.process_time() - c0
        smape, mase = _scores(df, fc, test)
        msis, cover = interval_scores(df, fc, test)
        owa = 0.5 * (smape / NAIVE2[0] + mase / NAIVE2[1])
        rows.append((name, smape, mase, owa, msis, cover, secs, cpu))
        print(f"{name:34s} sMAPE {smape:7.3f}  MASE {mase:6.3f}  OWA {owa:6.3f}  MSIS {msis:7.3f}  "
              f"cov95 {cover:5.3f}  {secs:7.1f}s wall {cpu:7.1f}s cpu", flush=True)
    print()
    print(f"{'model':34s} {'sMAPE':>7s} {'MASE':>6s} {'OWA':>6s} {'MSIS':>7s} {'cov95':>6s} {'wall s':>7s} {'cpu s':>7s}")
    for name, smape, mase, owa, msis, cover, secs, cpu in rows:
        print(f"{name:34s} {smape:7.3f} {mase:6.3f} {owa:6.3f} {msis:7.3f} {cover:6.3f} {secs:7.1f} {cpu:7.1f}")
    for name, owa in ANCHORS.items():
        print(f"{name:34s} {'':7s} {'':6s} {owa:6.3f}")
    print(f"({args.n} series, h = 48, n_jobs = {args.jobs})")


def _scores(df: pd.DataFrame, fc: pd.DataFrame, test: dict[str, np.ndarray]) -> tuple[float, float]:
    from m4_hourly import scores

    return scores(df, fc, "mean", test)


if __name__ == "__main__":
    main()
