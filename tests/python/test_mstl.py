"""STL, MSTL and qs.MSTL through the Python API: R parity of the components and forecasts
(tests/reference/r_forecast/make_mstl.R; tolerances justified in tests/cpp/test_mstl.cpp), the
model contract, nesting, pickling and save/load."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE

import quickstock as qs

R = REFERENCE / "r_forecast"
SERIES = pd.read_csv(R / "mstl_series.csv")
CASES = pd.read_csv(R / "mstl_cases.csv", keep_default_na=False, dtype={"periods": str})
COMPS = pd.read_csv(R / "mstl_components.csv")
FCS = pd.read_csv(R / "mstl_forecasts.csv")
LEVELS = {"lo95": 0.025, "lo80": 0.1, "hi80": 0.9, "hi95": 0.975}


def _y(name: str) -> np.ndarray:
    return SERIES[SERIES.series == name].sort_values("t").y.to_numpy(dtype=float)


def _periods(text: str) -> list[float]:
    return [float(p) for p in text.split(";")]


@pytest.mark.parametrize("case", list(CASES.itertuples()), ids=lambda c: c.case)
def test_components_match_r(case):
    y = _y(case.series)
    ref = COMPS[COMPS.case == case.case].sort_values("t")
    ref_seas = np.array([[float(v) for v in s.split(";")] for s in ref.seasonal])
    if case.method == "stl":
        sw = "periodic" if case.s_window == "periodic" else int(case.s_window)
        ours = qs.decompose.stl(y, _periods(case.periods)[0], s_window=sw,
                                robust=str(case.robust).upper() == "TRUE")
        seas = ours[["seasonal"]].to_numpy()
    else:
        ours = qs.decompose.mstl(y, _periods(case.periods))
        seas = ours.filter(like="seasonal").to_numpy()
    scale = np.abs(y).max()
    np.testing.assert_allclose(ours.trend / scale, ref.trend / scale, rtol=0, atol=1e-6)
    np.testing.assert_allclose(seas / scale, ref_seas / scale, rtol=0, atol=1e-6)
    np.testing.assert_allclose(ours.remainder / scale, ref.remainder / scale, rtol=0, atol=1e-6)


@pytest.mark.parametrize("case", [c for c in CASES.itertuples() if c.h > 0], ids=lambda c: c.case)
def test_forecasts_match_r(case):
    y = _y(case.series)
    ref = FCS[FCS.case == case.case].sort_values("step")
    df = pd.DataFrame({"unique_id": case.series, "ds": np.arange(len(y)), "y": y})
    fc = qs.Forecaster([qs.MSTL(season_length=_periods(case.periods))], freq=1).fit(df)
    assert fc.fitted_[0].fallbacks() == [""]
    _, mean, quant = fc.fitted_[0].forecast(int(case.h), list(LEVELS.values()), False, 1)
    np.testing.assert_allclose(mean[0], ref["mean"], rtol=1e-6)
    for j, col in enumerate(LEVELS):
        np.testing.assert_allclose(quant[0, :, j], ref[col], rtol=1e-6, err_msg=col)


def test_mstl_column_names_and_non_integer_period():
    y = _y("favorita44")
    parts = qs.decompose.mstl(y, [365.25, 7])
    assert list(parts.columns) == ["trend", "seasonal7", "seasonal365.25", "remainder"]
    np.testing.assert_allclose(parts.sum(axis=1), y, rtol=1e-12)


def test_spec_repr_equality_hash_and_pickle():
    m = qs.MSTL(season_length=[24, 168])
    assert repr(m) == (
        "MSTL(season_length=[24, 168], trend_forecaster=AutoETS(season_length=1, model='ZZN', "
        "damped=None))"
    )
    assert repr(m.spec) == repr(m)
    assert m == qs.MSTL([24, 168], trend_forecaster=qs.AutoETS(model="ZZN"))
    assert m != qs.MSTL([24, 168], trend_forecaster=qs.Naive())
    assert hash(m) == hash(qs.MSTL([24.0, 168.0]))
    n = qs.MSTL(7, trend_forecaster=qs.RandomWalkWithDrift(), alias="mstl_rwd")
    assert repr(n) == "MSTL(season_length=[7], trend_forecaster=RandomWalkWithDrift(), alias='mstl_rwd')"
    for obj in (m, n, m.spec, n.spec):
        assert pickle.loads(pickle.dumps(obj)) == obj
    assert pickle.loads(pickle.dumps(n.spec)).trend_forecaster == qs.RandomWalkWithDrift().spec
    assert qs.MSTL([7, 365.25]).spec.season_length == [7.0, 365.25]


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"season_length": [24], "trend_forecaster": qs.SeasonalNaive(24)}, "trend_forecaster"),
        ({"season_length": [24], "trend_forecaster": qs.AutoETS(season_length=24)},
         "trend_forecaster"),
        ({"season_length": [24], "trend_forecaster": qs.MSTL(7)}, "trend_forecaster"),
        ({"season_length": [24], "trend_forecaster": "AutoETS"}, "trend_forecaster"),
        ({"season_length": []}, "season_length"),
        ({"season_length": [0.5]}, "season_length"),
        ({"season_length": ["24"]}, "season_length"),
    ],
    ids=["snaive", "seasonal-ets", "nested-mstl", "string", "empty", "below-1", "text"],
)
def test_bad_specs_name_the_field(kwargs, field):
    with pytest.raises(qs.QuickstockError) as exc:
        qs.MSTL(**kwargs)
    assert exc.value.field == field


def _hourly(rng: np.random.Generator, n_series: int = 6) -> pd.DataFrame:
    frames = []
    for i in range(n_series):
        n = 300 + 53 * i
        t = np.arange(n)
        y = (20 + 5 * np.sin(2 * np.pi * t / 24) + 3 * np.cos(2 * np.pi * t / 168)
             + rng.normal(0, 1, n)).clip(0)
        frames.append(pd.DataFrame({
            "unique_id": f"s{i}", "ds": pd.date_range("2024-01-01", periods=n, freq="h"), "y": y,
        }))
    return pd.concat(frames, ignore_index=True)


def test_forecaster_threads_quantiles_and_save_load(tmp_path, rng):
    df = _hourly(rng)
    models = [qs.MSTL([24, 168]), qs.MSTL(24, trend_forecaster=qs.Naive(), alias="mstl_naive")]
    one = qs.Forecaster(models, freq="h").fit(df)
    out = one.predict(h=48, quantiles=[0.1, 0.5, 0.9])
    assert set(out.model) == {"MSTL", "mstl_naive"}
    q = out[["p10", "p50", "p90"]].to_numpy()
    assert np.isfinite(q).all() and (q >= 0).all() and (np.diff(q, axis=1) >= 0).all()
    two = qs.Forecaster(models, freq="h", n_jobs=2).fit(df).predict(h=48, quantiles=[0.1, 0.5, 0.9])
    pd.testing.assert_frame_equal(out, two)
    path = str(tmp_path / "mstl.qs")
    one.save(path)
    back = qs.Forecaster.load(path)
    assert back.models == models
    assert back.models[1].trend_forecaster == qs.Naive()
    pd.testing.assert_frame_equal(out, back.predict(h=48, quantiles=[0.1, 0.5, 0.9]))


def test_degenerate_series_fall_back():
    df = pd.DataFrame({
        "unique_id": ["one"] + ["zeros"] * 50 + ["flat"] * 400 + ["short"] * 30,
        "ds": [0] + list(range(50)) + list(range(400)) + list(range(30)),
        "y": [4.0] + [0.0] * 50 + [3.0] * 400 + list(np.arange(30) % 5 + 1.0),
    })
    fc = qs.Forecaster([qs.MSTL([24, 168])], freq=1).fit(df)
    notes = dict(zip(fc.prepared_.ids, fc.fitted_[0].fallbacks()))
    assert all(notes.values()), notes
    assert "trend forecaster alone" in notes["short"]
    out = fc.predict(h=30, quantiles=[0.05, 0.95])
    vals = out[["mean", "p5", "p95"]].to_numpy()
    assert np.isfinite(vals).all() and (vals >= 0).all()
    flat = out[out.unique_id == "flat"]
    np.testing.assert_allclose(flat[["mean", "p5", "p95"]].to_numpy(), 3.0)


def test_nan_names_the_series():
    y = np.ones(400)
    y[10] = np.nan
    with pytest.raises(qs.QuickstockError, match="decomposition needs finite"):
        qs.decompose.mstl(y, [24])


def test_numpy_periods_and_cli_name():
    assert qs.MSTL(np.array([24, 168])) == qs.MSTL([24, 168])
    assert qs.MSTL(np.float64(365.25)).season_length == [365.25]
    from quickstock.cli import build_models

    assert build_models("MSTL", 24, 1) == [qs.MSTL(24)]
