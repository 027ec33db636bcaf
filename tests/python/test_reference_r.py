"""Baselines through the Python API against R forecast 8.20 (tests/reference/r_forecast)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE

import quickstock as qs

SERIES = pd.read_csv(REFERENCE / "r_forecast" / "series.csv")
REF = pd.read_csv(REFERENCE / "r_forecast" / "baselines.csv")
LEVELS = {"lo95": 0.025, "lo80": 0.1, "hi80": 0.9, "hi95": 0.975}


def _model(method: str, m: int) -> qs.Model:
    return {
        "naive": qs.Naive(),
        "snaive": qs.SeasonalNaive(season_length=m),
        "rwf_drift": qs.RandomWalkWithDrift(),
        "meanf": qs.HistoricAverage(),
    }[method]


@pytest.mark.parametrize(
    "name,method", sorted(REF.groupby(["series", "method"]).groups), ids=lambda v: str(v)
)
def test_matches_r_forecast(name, method):
    s = SERIES[SERIES.series == name]
    m = int(s.m.iloc[0])
    ref = REF[(REF.series == name) & (REF.method == method)].sort_values("step")
    h = len(ref)
    df = pd.DataFrame({"unique_id": name, "ds": s.t.to_numpy(), "y": s.y.to_numpy(dtype=float)})
    fc = qs.Forecaster([_model(method, m)], freq=1)
    # R's intervals are not censored at zero: compare the raw Gaussian quantiles through the core.
    fitted = fc.fit(df).fitted_[0]
    _, mean, quant = fitted.forecast(h, list(LEVELS.values()), False, 1)
    np.testing.assert_allclose(mean[0], ref["mean"], rtol=1e-9)
    for j, col in enumerate(LEVELS):
        np.testing.assert_allclose(quant[0, :, j], ref[col], rtol=1e-9, err_msg=col)
    # The public frame agrees wherever R's quantiles are non-negative.
    f = fc.predict(h=h, quantiles=list(LEVELS.values()))
    for col, q in LEVELS.items():
        want = np.maximum(ref[col].to_numpy(), 0.0)
        np.testing.assert_allclose(f[qs.forecaster.quantile_column(q)], want, rtol=1e-9, atol=1e-9)
