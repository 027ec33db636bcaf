"""M4 Hourly accuracy table: every quickstock model next to the published M4 anchors.

One command, no arguments needed::

    PYTHONPATH=build/python python3 benchmarks/python/m4_suite.py
    PYTHONPATH=build/python python3 benchmarks/python/m4_suite.py --models AutoETS,MSTL --n-jobs 2

Fits each model on the 414 Hourly training series (season 24, h = 48), forecasts the mean and the
95% interval (quantiles 0.025 and 0.975), and scores them on the official test set with
``qs.evaluate``: sMAPE, MASE (m = 24), OWA (relative to the published Naive2 sMAPE 18.383 and
MASE 2.395, as the M4 organisers define it), MSIS (95%) and the coverage of the 95% interval,
plus the wall-clock fit + predict time. Below them it prints the published M4 rows for the same
frequency (``../shared/data/m4/results``): the benchmarks Naive2, sNaive, Theta, and the
winner (submission 118) and runner-up (245). With ``--n N`` only the first ``N`` series are used,
and the anchors (computed on all 414) are no longer comparable.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

import quickstock as qs

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "m4"
H, SEASON = 48, 24
ANCHORS = {"Naive2": "Naive2", "sNaive": "sNaive", "Theta": "Theta", "118": "winner (118)", "245": "245"}


def load(data: Path, n: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, test) long frames with integer ``ds`` (M4 Hourly has no usable timestamps)."""
    wide = pd.read_csv(data / "Hourly-train.csv.gz")
    if n is not None:
        wide = wide.iloc[:n]
    train = wide.melt(id_vars="V1", var_name="col", value_name="y").dropna()
    train["ds"] = train["col"].str[1:].astype(np.int64) - 1
    train = train.rename(columns={"V1": "unique_id"})[["unique_id", "ds", "y"]]
    train = train.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    last = train.groupby("unique_id").ds.max()
    test = pd.read_csv(data / "Hourly-test.csv.gz")
    test = test[test.V1.isin(last.index)].melt(id_vars="V1", var_name="col", value_name="y")
    test = test.rename(columns={"V1": "unique_id"})
    test["ds"] = test["col"].str[1:].astype(np.int64) - 1 + test.unique_id.map(last).to_numpy()
    return train, test[["unique_id", "ds", "y"]]


def published() -> pd.DataFrame:
    point = pd.read_csv(DATA / "results" / "point_forecasts_by_frequency.csv").set_index("User ID")
    pi = pd.read_csv(DATA / "results" / "prediction_intervals_by_frequency.csv").set_index("User ID")
    rows = []
    for key, label in ANCHORS.items():
        rows.append(
            {
                "model": f"M4 {label}",
                "smape": point.loc[key, "sMAPE_Hourly"],
                "mase": point.loc[key, "MASE_Hourly"],
                "owa": point.loc[key, "OWA_Hourly"],
                "msis_95": pi.loc[key, "MSIS_Hourly"] if key in pi.index else np.nan,
                "coverage_95": 0.95 - pi.loc[key, "ACD_Hourly"] if key in pi.index else np.nan,
                "seconds": np.nan,
            }
        )
    return pd.DataFrame(rows)


def candidates() -> dict[str, object]:
    models = {
        "SeasonalNaive": qs.SeasonalNaive(season_length=SEASON),
        "AutoETS": qs.AutoETS(season_length=SEASON),
        "AutoTheta": qs.AutoTheta(season_length=SEASON),
        "MSTL": qs.MSTL(season_length=[SEASON, 7 * SEASON]),
        "AutoARIMA": qs.AutoARIMA(season_length=SEASON),
    }
    if hasattr(qs, "Ensemble"):
        # Three default models, each with its default settings; AutoETS is left out for its cost
        # (about 10x MSTL here), not its accuracy.
        members = [qs.SeasonalNaive(season_length=SEASON), qs.AutoTheta(season_length=SEASON),
                   qs.MSTL(season_length=[SEASON, 7 * SEASON])]
        models["Ensemble"] = qs.Ensemble(members, weights="cv")
    return models


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--n", type=int, default=None, help="first N series only (default: all 414)")
    ap.add_argument("--models", default=None, help="comma-separated subset of the model names")
    ap.add_argument("--n-jobs", type=int, default=2)
    args = ap.parse_args()
    if not (args.data / "Hourly-train.csv.gz").exists():
        raise SystemExit(f"M4 data not found under {args.data}: pass --data")
    train, test = load(args.data, args.n)
    point = pd.read_csv(args.data / "results" / "point_forecasts_by_frequency.csv").set_index("User ID")
    smape0, mase0 = point.loc["Naive2", "sMAPE_Hourly"], point.loc["Naive2", "MASE_Hourly"]
    models = candidates()
    if args.models:
        wanted = args.models.split(",")
        unknown = sorted(set(wanted) - set(models))
        if unknown:
            raise SystemExit(f"unknown model(s) {unknown}; choose from {sorted(models)}")
        models = {k: models[k] for k in wanted}
    rows = []
    for name, model in models.items():
        t0 = time.perf_counter()
        fc = qs.Forecaster([model], freq=1, n_jobs=args.n_jobs).fit(train)
        fcst = fc.predict(h=H, quantiles=[0.025, 0.975])
        seconds = time.perf_counter() - t0
        scores = qs.evaluate(fcst, test, ["smape", "mase", "msis", "coverage"], train,
                             seasonality=SEASON, level=95, aggregate=True)
        got = scores.set_index("metric").value
        rows.append(
            {
                "model": name,
                "smape": got["smape"],
                "mase": got["mase"],
                "owa": 0.5 * (got["smape"] / smape0 + got["mase"] / mase0),
                "msis_95": got["msis_95"],
                "coverage_95": got["coverage_95"],
                "seconds": seconds,
            }
        )
        print(f"{name}: done in {seconds:.1f} s", flush=True)
    table = pd.concat([pd.DataFrame(rows), published()], ignore_index=True)
    with pd.option_context("display.width", 120, "display.float_format", "{:.3f}".format):
        print(f"\nM4 Hourly, {train.unique_id.nunique()} series, h={H}, n_jobs={args.n_jobs}")
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
