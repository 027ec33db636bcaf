"""Forecasts P10/P50/P90 demand for a few store×SKU series with two baseline models.

Python twin of examples/cpp/forecast_store_panel.cpp: run `python examples/python/forecast_store_panel.py`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import quickstock as qs


def main() -> None:
    ds = pd.date_range("2025-06-02", periods=28, freq="D")
    t = np.arange(28)
    weekend = t % 7 >= 5
    df = pd.concat(
        [
            pd.DataFrame({"unique_id": "HYD-500032/milk-500ml", "ds": ds, "y": np.where(weekend, 48.0, 36.0) + t % 3}),
            pd.DataFrame({"unique_id": "HYD-500032/umbrella", "ds": ds, "y": np.where(t % 4 == 0, 2.0, 0.0)}),
        ]
    )
    fc = qs.Forecaster([qs.SeasonalNaive(season_length=7), qs.WindowAverage(window_size=14)], freq="D", n_jobs=2)
    out = fc.fit(df).predict(h=7, quantiles=[0.1, 0.5, 0.9])
    print(out.groupby(["model", "unique_id"]).head(3).round(1).to_string(index=False))


if __name__ == "__main__":
    main()
