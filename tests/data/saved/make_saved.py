"""Regenerates the saved forecasters under tests/data/saved/ and Python's forecasts of them.

Run from the repository root after building the Python module:

    PYTHONPATH=build/python python3 tests/data/saved/make_saved.py

Each ``<name>.qs`` is written by ``Forecaster.save`` (format version 2) and ``<name>.csv``
holds ``Forecaster.load(<name>.qs).predict(h=H, quantiles=LEVELS)`` (with the future
covariates of ``<name>.future.csv`` when there is one) as ``series,step,model,mean,q...`` with
17 significant digits; tests/cpp/test_saved.cpp loads the file with the C++ reader and checks
its forecasts against these bit for bit.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

import quickstock as qs

HERE = os.path.dirname(os.path.abspath(__file__))
H = 5
LEVELS = [0.1, 0.5, 0.9]


def daily(n_series: int = 3, n: int = 60, covariate: bool = False, attribute: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(12)
    frames = []
    for i in range(n_series):
        t = np.arange(n - 7 * i)
        y = np.maximum(0.0, 20 + 5 * i + 6 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 2, len(t))).round()
        f = pd.DataFrame({"unique_id": f"store{i}/sku{i}", "ds": pd.date_range("2024-03-01", periods=len(t), freq="D"), "y": y})
        if covariate:
            f["price"] = 10 + np.cos(t / 5.0) + 0.1 * i
        if attribute:
            f["region"] = ["north", "south", "east"][i % 3]
            f["size"] = 1.5 * (i + 1)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def future(df: pd.DataFrame, h: int) -> pd.DataFrame:
    rows = []
    for uid, g in df.groupby("unique_id", sort=True):
        n = len(g)
        i = int(uid[-1])
        t = np.arange(n, n + h)
        rows.append(pd.DataFrame({"unique_id": uid, "ds": pd.date_range(g["ds"].max() + pd.Timedelta(days=1), periods=h, freq="D"), "price": 10 + np.cos(t / 5.0) + 0.1 * i}))
    return pd.concat(rows, ignore_index=True)


def write(name: str, fc: qs.Forecaster, x_df: pd.DataFrame | None = None) -> None:
    path = os.path.join(HERE, name + ".qs")
    fc.save(path)
    back = qs.Forecaster.load(path)
    out = back.predict(h=H, quantiles=LEVELS, X_df=x_df)
    n = len(out) // (H * len(fc.models))
    out.insert(0, "step", np.tile(np.repeat(np.arange(H), len(fc.models)), n))
    out.insert(0, "series", np.repeat(np.arange(n), H * len(fc.models)))
    cols = ["series", "step", "model", "mean"] + [c for c in out.columns if c.startswith("p")]
    out[cols].to_csv(os.path.join(HERE, name + ".csv"), index=False, float_format="%.17g")
    if x_df is not None:
        x_df.to_csv(os.path.join(HERE, name + ".future.csv"), index=False, float_format="%.17g")


def main() -> None:
    models = [
        qs.Naive(),
        qs.SeasonalNaive(season_length=7),
        qs.AutoETS(season_length=7, alias="ets"),
        qs.Croston(alpha=0.2, integer=True),
        qs.AutoTheta(season_length=7, selection="mse"),
        qs.MSTL(season_length=[7], trend_forecaster=qs.Theta()),
        qs.Ensemble([qs.Naive(), qs.HistoricAverage()], weights=[0.25, 0.75]),
        qs.Conformal(qs.SeasonalNaive(season_length=7), n_windows=5, h=5, method="absolute"),
        qs.ARIMA(order=(1, 0, 0), season_length=7),
    ]
    write("daily_models", qs.Forecaster(models, freq="D").fit(daily(attribute=True)))
    df = daily(covariate=True)
    write(
        "daily_covariates",
        qs.Forecaster([qs.AutoARIMA(season_length=7), qs.CountRegression(family="poisson"), qs.ETS("AAN", covariates=True)], freq="D").fit(df),
        future(df, H),
    )
    cens = daily()
    cens["stockout"] = (cens["y"] < 18).astype(int)
    write("censored", qs.Forecaster([qs.CountRegression(window=40)], freq="D", stockout_col="stockout").fit(cens))
    ints = pd.DataFrame({"unique_id": np.repeat([7, 11], 30), "ds": np.tile(np.arange(0, 60, 2), 2), "y": np.arange(60.0) % 9})
    write("integer_time", qs.Forecaster([qs.RandomWalkWithDrift(), qs.WindowAverage(window_size=4)], freq=2).fit(ints))


if __name__ == "__main__":
    main()
