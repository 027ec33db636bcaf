"""The Theta family through the Python API: R forecast 8.20 ``thetaf`` parity
(tests/reference/r_forecast/make_theta.R), statsforecast 2.1.1 agreement for the Fiorucci et al.
models (tests/reference/statsforecast/make_theta.py), the contract and the fallbacks.
Tolerances are justified in tests/cpp/test_theta.cpp."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE

import quickstock as qs

SERIES = pd.read_csv(REFERENCE / "r_forecast" / "theta_series.csv")
FITS = pd.read_csv(REFERENCE / "r_forecast" / "theta_fits.csv")
REF = pd.read_csv(REFERENCE / "r_forecast" / "theta_forecasts.csv")
SF = pd.read_csv(REFERENCE / "statsforecast" / "theta_statsforecast.csv")
LEVELS = {"lo95": 0.025, "lo80": 0.1, "hi80": 0.9, "hi95": 0.975}
THETAS = [qs.Theta, qs.OptimizedTheta, qs.DynamicTheta, qs.DynamicOptimizedTheta, qs.AutoTheta]


def _frame(name: str) -> tuple[pd.DataFrame, int]:
    s = SERIES[SERIES.series == name]
    df = pd.DataFrame({"unique_id": name, "ds": s.t.to_numpy(), "y": s.y.to_numpy(dtype=float)})
    return df, int(s.m.iloc[0])


@pytest.mark.parametrize("name", list(FITS.series), ids=str)
def test_theta_matches_r_thetaf(name):
    df, m = _frame(name)
    ref = REF[REF.series == name].sort_values("step")
    fc = qs.Forecaster([qs.Theta(season_length=m)], freq=1).fit(df)
    _, mean, quant = fc.fitted_[0].forecast(len(ref), list(LEVELS.values()), False, 1)
    np.testing.assert_allclose(mean[0], ref["mean"], rtol=1e-6)
    for j, col in enumerate(LEVELS):
        np.testing.assert_allclose(quant[0, :, j], ref[col], rtol=1e-6, err_msg=col)


@pytest.mark.parametrize(
    "name,model", sorted(set(zip(SF.series, SF.model))), ids=lambda v: str(v)
)
def test_fiorucci_models_agree_with_statsforecast(name, model):
    ref = SF[(SF.series == name) & (SF.model == model)].sort_values("step")
    df, m = _frame(name)
    cls = getattr(qs, model)
    spec = cls(season_length=m, selection="mse") if model == "AutoTheta" else cls(season_length=m)
    fc = qs.Forecaster([spec], freq=1).fit(df)
    _, mean, quant = fc.fitted_[0].forecast(len(ref), [0.1, 0.9], False, 1)
    scale = np.abs(ref["mean"]).mean()
    if model == "Theta":
        # statsforecast's Theta is Fiorucci's STM (alpha and l0 by the theta model's MSE), ours
        # is R thetaf (alpha by SES): the same model family, different estimates.
        assert np.abs(mean[0] - ref["mean"]).max() <= 0.01 * scale
        return
    # statsforecast stops its Nelder-Mead at a looser tolerance; where both reach the same
    # optimum the forecasts agree closely (see tests/cpp/test_theta.cpp for the measured
    # differences).
    assert np.abs(mean[0] - ref["mean"]).max() <= 5e-3 * scale
    width = quant[0, :, 1] - quant[0, :, 0]
    ref_width = ref["hi80"] - ref["lo80"]
    # statsforecast's bounds are quantiles of 200 simulated paths: agreement in width to 10%.
    np.testing.assert_allclose(width.mean(), ref_width.mean(), rtol=0.1)


@pytest.mark.parametrize("cls", THETAS, ids=lambda c: c.__name__)
def test_contract_through_forecaster(cls, panel):
    models = [cls(season_length=7)]
    out = qs.Forecaster(models, freq="D").fit(panel).predict(h=14, quantiles=[0.1, 0.5, 0.9])
    q = out[["p10", "p50", "p90"]].to_numpy()
    assert np.isfinite(q).all() and (q >= 0).all()
    assert (np.diff(q, axis=1) >= 0).all()
    again = qs.Forecaster(models, freq="D", n_jobs=2).fit(panel).predict(
        h=14, quantiles=[0.1, 0.5, 0.9]
    )
    pd.testing.assert_frame_equal(out, again)


def test_specs_validate_repr_and_pickle():
    a = qs.AutoTheta(season_length=24)
    assert repr(a) == (
        "AutoTheta(season_length=24, decomposition_type='multiplicative', selection='holdout')"
    )
    assert repr(a.spec) == repr(a)
    b = qs.AutoTheta(season_length=12, selection="mse")
    assert b.spec.selection == "mse"
    assert pickle.loads(pickle.dumps(b.spec)) == b.spec
    assert b != a
    with pytest.raises(qs.QuickstockError, match="selection"):
        qs.AutoTheta(selection="aic")
    for cls in THETAS:
        spec = cls(season_length=12, decomposition_type="additive").spec
        assert spec.decomposition_type == "additive"
        assert pickle.loads(pickle.dumps(spec)) == spec
    with pytest.raises(qs.QuickstockError, match="decomposition_type"):
        qs.Theta(decomposition_type="mult")
    with pytest.raises(qs.QuickstockError, match="season_length"):
        qs.OptimizedTheta(season_length=0)


def test_degenerate_series_never_fail():
    spike = [5.0] * 30 + [1e250] + [5.0] * 30
    df = pd.DataFrame({
        "unique_id": ["one"] + ["zeros"] * 5 + ["flat"] * 9 + ["three"] * 3 + ["spike"] * 61,
        "ds": [0] + list(range(5)) + list(range(9)) + list(range(3)) + list(range(61)),
        "y": [4.0] + [0.0] * 5 + [3.0] * 9 + [1.0, 5.0, 2.0] + spike,
    })
    fc = qs.Forecaster([c(season_length=7) for c in THETAS], freq=1).fit(df)
    out = fc.predict(h=5, quantiles=[0.05, 0.95])
    vals = out[["mean", "p5", "p95"]].to_numpy()
    assert np.isfinite(vals).all() and (vals >= 0).all()
    flat = out[out.unique_id == "flat"]
    np.testing.assert_allclose(flat[["mean", "p5", "p95"]].to_numpy(), 3.0)
    zeros = out[out.unique_id == "zeros"]
    np.testing.assert_allclose(zeros[["mean", "p5", "p95"]].to_numpy(), 0.0)
    for f in fc.fitted_:
        notes = dict(zip(fc.prepared_.panel.ids, f.fallbacks()))
        assert all(notes[k] for k in ("one", "zeros", "flat", "three")), notes


def test_save_load_round_trip(tmp_path, panel):
    models = [qs.AutoTheta(season_length=7, selection="mse"), qs.Theta(season_length=7,
              decomposition_type="additive")]
    fc = qs.Forecaster(models, freq="D").fit(panel)
    path = str(tmp_path / "theta.qs")
    fc.save(path)
    again = qs.Forecaster.load(path)
    assert again.models == models
    pd.testing.assert_frame_equal(fc.predict(h=7), again.predict(h=7))
