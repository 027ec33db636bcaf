"""ETS and AutoETS through the Python API: the model contract and R forecast 8.20 parity
(tests/reference/r_forecast/make_ets.R; tolerances justified in tests/cpp/test_ets.cpp)."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE

import quickstock as qs

SERIES = pd.read_csv(REFERENCE / "r_forecast" / "ets_series.csv")
FITS = pd.read_csv(REFERENCE / "r_forecast" / "ets_fits.csv", keep_default_na=False)
REF = pd.read_csv(REFERENCE / "r_forecast" / "ets_forecasts.csv")
LEVELS = {"lo95": 0.025, "lo80": 0.1, "hi80": 0.9, "hi95": 0.975}


def _model(spec: str, m: int) -> qs.Model:
    if spec == "ZZZ":
        return qs.AutoETS(season_length=m)
    damped = len(spec) == 4
    code = spec[:2] + spec[3] if damped else spec
    return qs.ETS(model=code, season_length=m if code[2] != "N" else 1, damped=damped)


def _frame(name: str) -> tuple[pd.DataFrame, int]:
    s = SERIES[SERIES.series == name]
    df = pd.DataFrame({"unique_id": name, "ds": s.t.to_numpy(), "y": s.y.to_numpy(dtype=float)})
    return df, int(s.m.iloc[0])


@pytest.mark.parametrize(
    "name,spec",
    [(r.series, r.spec) for r in FITS.itertuples() if r.spec in ("ZZZ", "AAdN", "MAM")],
    ids=lambda v: str(v),
)
def test_matches_r_forecast_ets(name, spec):
    df, m = _frame(name)
    ref = REF[(REF.series == name) & (REF.spec == spec)].sort_values("step")
    h = len(ref)
    fc = qs.Forecaster([_model(spec, m)], freq=1).fit(df)
    _, mean, quant = fc.fitted_[0].forecast(h, list(LEVELS.values()), False, 1)
    np.testing.assert_allclose(mean[0], ref["mean"], rtol=1e-6)
    # R's class1 quirk for ETS(A,N,A) (docs/ets.md): its variance differs at steps that are
    # multiples of m; compare the other steps.
    method = FITS[(FITS.series == name) & (FITS.spec == spec)].method.iloc[0]
    keep = np.ones(h, dtype=bool)
    if method in ("ANA", "MNA"):
        keep = (np.arange(1, h + 1) % m) != 0
    for j, col in enumerate(LEVELS):
        np.testing.assert_allclose(
            quant[0, keep, j], ref[col].to_numpy()[keep], rtol=1e-6, err_msg=col
        )


def test_auto_ets_through_forecaster(panel):
    fc = qs.Forecaster([qs.AutoETS(season_length=7), qs.ETS("AAN", damped=True, alias="Holt")],
                       freq="D")
    out = fc.fit(panel).predict(h=14, quantiles=[0.1, 0.5, 0.9])
    assert set(out["model"]) == {"AutoETS", "Holt"}
    assert len(out) == 2 * 14 * panel["unique_id"].nunique()
    q = out[["p10", "p50", "p90"]].to_numpy()
    assert np.isfinite(q).all() and (q >= 0).all()
    assert (np.diff(q, axis=1) >= 0).all()
    # Same result for any number of threads.
    again = qs.Forecaster([qs.AutoETS(season_length=7), qs.ETS("AAN", damped=True, alias="Holt")],
                          freq="D", n_jobs=2).fit(panel).predict(h=14, quantiles=[0.1, 0.5, 0.9])
    pd.testing.assert_frame_equal(out, again)


def test_specs_validate_repr_and_pickle():
    a = qs.AutoETS(season_length=12, model="ZZN", damped=True)
    assert repr(a) == "AutoETS(season_length=12, model='ZZN', damped=True)"
    assert repr(a.spec) == "AutoETS(season_length=12, model='ZZN', damped=True)"
    e = qs.ETS("MAM", season_length=12)
    assert repr(e.spec) == "ETS(model='MAM', season_length=12, damped=False)"
    for spec in (a.spec, e.spec):
        assert pickle.loads(pickle.dumps(spec)) == spec
    with pytest.raises(qs.QuickstockError, match="model"):
        qs.ETS("ZAN")
    with pytest.raises(qs.QuickstockError, match="season_length"):
        qs.ETS("AAA", season_length=1)
    with pytest.raises(qs.QuickstockError, match="damped"):
        qs.ETS("ANN", damped=True)
    with pytest.raises(qs.QuickstockError, match="model"):
        qs.AutoETS(season_length=7, model="ZZ")


def test_degenerate_series_never_fail():
    df = pd.DataFrame({
        "unique_id": ["one"] + ["zeros"] * 5 + ["flat"] * 9,
        "ds": [0] + list(range(5)) + list(range(9)),
        "y": [4.0] + [0.0] * 5 + [3.0] * 9,
    })
    out = qs.Forecaster([qs.AutoETS(season_length=7), qs.ETS("MAM", season_length=4)],
                        freq=1).fit(df).predict(h=5, quantiles=[0.05, 0.95])
    vals = out[["mean", "p5", "p95"]].to_numpy()
    assert np.isfinite(vals).all() and (vals >= 0).all()
    flat = out[out.unique_id == "flat"]
    np.testing.assert_allclose(flat[["mean", "p5", "p95"]].to_numpy(), 3.0)
