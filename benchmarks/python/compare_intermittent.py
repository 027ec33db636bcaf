"""Intermittent models in quickstock vs statsforecast: point-forecast parity and speed.

1. Parity on the 280 real M5 tiny_m5 series (history d_1 … d_1913): the largest absolute and
   relative difference of the point forecasts of Croston, CrostonSBA, TSB(0.1, 0.1), ADIDA and
   IMAPA (statsforecast's CrostonClassic, CrostonSBA, TSB, ADIDA, IMAPA).
2. Speed on a simulated M5-sized panel (default 30,490 series × 1,941 days; per series a demand
   probability from Beta(0.6, 1.2) and sizes 1 + NB(2, 0.4); seeded): wall time of fit +
   predict (h = 28) from the long DataFrame, per model, median of `--repeats` runs, series/s and
   the ratio statsforecast / quickstock, end to end (frame in, frame out) and for quickstock's
   C++ core alone (fit + forecast on the already validated panel). quickstock also returns
   quantiles (P10/P50/P90 here); statsforecast returns the mean only. statsforecast's numba
   compilation is excluded (a warm-up run on 10 series first).

Run (statsforecast needs pandas < 3, so it lives in its own venv):

    PYTHONPATH=build/python /work/venv-sf/bin/python benchmarks/python/compare_intermittent.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import quickstock as qs

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "m5"


def sf_models():
    from statsforecast.models import ADIDA, IMAPA, TSB, CrostonClassic, CrostonSBA

    return {
        "Croston": CrostonClassic(),
        "CrostonSBA": CrostonSBA(),
        "TSB": TSB(alpha_d=0.1, alpha_p=0.1),
        "ADIDA": ADIDA(),
        "IMAPA": IMAPA(),
    }


def qs_models():
    return {
        "Croston": qs.Croston(),
        "CrostonSBA": qs.CrostonSBA(),
        "TSB": qs.TSB(alpha_d=0.1, alpha_p=0.1),
        "ADIDA": qs.ADIDA(),
        "IMAPA": qs.IMAPA(),
    }


def tiny_m5(data: Path) -> pd.DataFrame:
    wide = pd.read_csv(data / "tiny_m5_sales_d1_d1913.csv.gz")
    days = [c for c in wide.columns if c.startswith("d_")]
    y = wide[days].to_numpy(float)
    return pd.DataFrame(
        {
            "unique_id": np.repeat(wide["id"].to_numpy(), len(days)),
            "ds": np.tile(pd.date_range("2011-01-29", periods=len(days), freq="D"), len(wide)),
            "y": y.ravel(),
        }
    )


def simulated(n_series: int, length: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = rng.beta(0.6, 1.2, size=(n_series, 1))
    occur = rng.random((n_series, length)) < p
    y = occur * (1 + rng.negative_binomial(2, 0.4, size=(n_series, length)))
    return pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(n_series, dtype=np.int64), length),
            "ds": np.tile(pd.date_range("2011-01-29", periods=length, freq="D"), n_series),
            "y": y.astype(np.float64).ravel(),
        }
    )


def parity(df: pd.DataFrame) -> None:
    from statsforecast import StatsForecast

    sf = StatsForecast(models=list(sf_models().values()), freq="D", n_jobs=1)
    theirs = sf.forecast(df=df, h=1).set_index("unique_id")
    ours = qs.Forecaster(list(qs_models().values()), freq="D").fit(df).predict(h=1, quantiles=[0.5])
    ours = ours.pivot(index="unique_id", columns="model", values="mean")
    print(f"parity on {len(ours)} M5 tiny_m5 series (point forecast, h = 1):")
    print(f"  {'model':<12}{'max |diff|':>12}{'max rel':>12}{'series > 1e-9 rel':>20}")
    names = {"Croston": "CrostonClassic"}
    for m in qs_models():
        a = ours[m].to_numpy()
        b = theirs.loc[ours.index, names.get(m, m)].to_numpy()
        d = np.abs(a - b)
        rel = d / np.maximum(np.abs(b), 1e-300)
        print(f"  {m:<12}{d.max():>12.3g}{rel.max():>12.3g}{int((rel > 1e-9).sum()):>20}")


def timed(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def speed(df: pd.DataFrame, repeats: int, n_jobs: list[int], only: list[str]) -> None:
    from statsforecast import StatsForecast

    from quickstock import _core

    n = df["unique_id"].nunique()
    length = len(df) // n
    warm = df[df["unique_id"] < 10]
    StatsForecast(models=list(sf_models().values()), freq="D", n_jobs=1).forecast(df=warm, h=28)
    prep = qs.Forecaster([qs.Croston()], freq="D")._prepare
    t_prep = timed(lambda: prep(df), repeats)
    panel = prep(df).panel
    print(f"\nspeed: {n} series x {length} days, h = 28, median of {repeats}")
    print(f"  quickstock: validated panel from the frame (shared by all models): {t_prep:.2f} s")
    print("  e2e = fit + predict from the frame (quickstock with P10/P50/P90, statsforecast mean only);")
    print("  core = quickstock's C++ fit + forecast on the built panel (no frame in or out)")
    print(
        f"  {'model':<14}{'qs e2e s':>10}{'qs core s':>11}{'core ser/s':>12}{'sf e2e s':>10}"
        f"{'sf ser/s':>10}{'sf/qs e2e':>11}{'sf/qs core':>12}"
    )
    for name in [m for m in [*qs_models(), "all five"] if not only or m in only]:
        ours = list(qs_models().values()) if name == "all five" else [qs_models()[name]]
        theirs = list(sf_models().values()) if name == "all five" else [sf_models()[name]]
        for j in n_jobs:
            q = timed(
                lambda: qs.Forecaster(ours, freq="D", n_jobs=j)
                .fit(df)
                .predict(h=28, quantiles=[0.1, 0.5, 0.9]),
                repeats,
            )
            c = timed(
                lambda: [
                    _core.FittedModel(m.spec, panel, j).forecast(28, [0.1, 0.5, 0.9], True, j)
                    for m in ours
                ],
                repeats,
            )
            s = timed(
                lambda: StatsForecast(models=theirs, freq="D", n_jobs=j).forecast(df=df, h=28),
                repeats,
            )
            print(
                f"  {name + f' j={j}':<14}{q:>10.2f}{c:>11.3f}{n / c:>12.0f}{s:>10.2f}{n / s:>10.0f}"
                f"{s / q:>11.2f}{s / c:>12.1f}"
            )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--series", type=int, default=30490)
    ap.add_argument("--length", type=int, default=1941)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--n-jobs", default="1")
    ap.add_argument("--skip-parity", action="store_true")
    ap.add_argument("--models", default="", help='comma-separated subset, e.g. "Croston,all five"')
    args = ap.parse_args()
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        print("statsforecast not installed: run with /work/venv-sf/bin/python")
        return 0
    if not args.skip_parity:
        if (Path(args.data) / "tiny_m5_sales_d1_d1913.csv.gz").exists():
            parity(tiny_m5(Path(args.data)))
        else:
            print(f"M5 data not found in {args.data}: parity skipped")
    speed(simulated(args.series, args.length), args.repeats, [int(j) for j in args.n_jobs.split(",")],
          [m for m in args.models.split(",") if m])
    return 0


if __name__ == "__main__":
    sys.exit(main())
