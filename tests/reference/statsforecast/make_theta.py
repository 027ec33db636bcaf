"""Reference values for quickstock's Fiorucci et al. theta models, taken from statsforecast.

Produced with: statsforecast 2.1.1 (numpy 2, pandas < 3; /work/venv-sf), by
    /work/venv-sf/bin/python tests/reference/statsforecast/make_theta.py   (from the repo root)
It reads the real series of tests/reference/r_forecast/theta_series.csv (R datasets and M4
Hourly H1/H107) and writes, beside this script, theta_statsforecast.csv:
    series, model, m, h, alpha, theta, initial_level, mse, step, mean, lo80, hi80, lo95, hi95
with these exact calls for each series y of frequency m (h = 2m, 10 if m = 1, 48 if m = 24):
    fit = <Model>(season_length=m).fit(y)                     # fit.model_ gives par and mse
    fc = <Model>(season_length=m).forecast(y, h, level=[80, 95])
for <Model> in OptimizedTheta, DynamicTheta, DynamicOptimizedTheta, AutoTheta and Theta (its
STM). `mse` is statsforecast's objective (Σ e_t², t >= 3, divided by mean|y|) on the
deseasonalised series, and `sse` = mse × mean|y| that sum itself (the deseasonalised y
recomputed with statsmodels' seasonal_decompose when statsforecast decomposed);
statsforecast's intervals are quantiles of 200 simulated paths.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from statsmodels.tsa.seasonal import seasonal_decompose
from statsforecast.models import (
    AutoTheta,
    DynamicOptimizedTheta,
    DynamicTheta,
    OptimizedTheta,
    Theta,
)

HERE = Path(__file__).resolve().parent
SERIES = ["AirPassengers", "USAccDeaths", "WWWusage", "Nile", "lynx", "co2", "M4_H1", "M4_H107"]
MODELS = {
    "OptimizedTheta": OptimizedTheta,
    "DynamicTheta": DynamicTheta,
    "DynamicOptimizedTheta": DynamicOptimizedTheta,
    "AutoTheta": AutoTheta,
    "Theta": Theta,
}


def main() -> None:
    data = pd.read_csv(HERE.parent / "r_forecast" / "theta_series.csv")
    rows = []
    for name in SERIES:
        g = data[data.series == name]
        y = g.y.to_numpy(float)
        m = int(g.m.iloc[0])
        h = 48 if m >= 24 else (2 * m if m > 1 else 10)
        for label, cls in MODELS.items():
            fit = cls(season_length=m).fit(y)
            par = fit.model_["par"]
            fc = cls(season_length=m).forecast(y, h, level=[80, 95])
            y_ds = y
            if fit.model_.get("decompose", False):
                kind = fit.model_["decomposition_type"]
                seas = seasonal_decompose(y, model=kind, period=m).seasonal
                y_ds = y / seas if kind == "multiplicative" else y - seas
            sse = float(fit.model_["mse"]) * float(np.mean(np.abs(y_ds)))
            for j in range(h):
                rows.append(
                    dict(
                        series=name,
                        model=label,
                        method=fit.model_["modeltype"],
                        m=m,
                        h=h,
                        alpha=repr(float(par["alpha"])),
                        theta=repr(float(par["theta"])),
                        initial_level=repr(float(par["initial_smoothed"])),
                        mse=repr(float(fit.model_["mse"])),
                        sse=repr(sse),
                        seasonal=int(bool(fit.model_.get("decompose", False))),
                        step=j + 1,
                        mean=repr(float(fc["mean"][j])),
                        lo80=repr(float(fc["lo-80"][j])),
                        hi80=repr(float(fc["hi-80"][j])),
                        lo95=repr(float(fc["lo-95"][j])),
                        hi95=repr(float(fc["hi-95"][j])),
                    )
                )
    pd.DataFrame(rows).to_csv(HERE / "theta_statsforecast.csv", index=False)


if __name__ == "__main__":
    main()
