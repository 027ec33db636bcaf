"""cross_validation's refit argument: fitting every window, or carrying the fits of one window
forward to the later cutoffs without estimating again (FittedModel.forward).

The closed-form checks need no reference library: with ``step_size=1`` the windows' cutoffs are
one observation apart, so a model whose estimates are kept must move its forecast by exactly its
own recursion with the *same* parameters. The R parity of the forward step itself (ETS and ARIMA
against R's ``model =`` argument) is in tests/cpp/test_forward.cpp.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_panel

import quickstock as qs


def _series(n: int = 150, seed: int = 3, n_series: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        t = np.arange(n)
        y = 40 + 8 * np.sin(2 * np.pi * t / 7) + 0.05 * t + rng.normal(0, 3, n)
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range("2024-01-01", periods=n, freq="D"),
                                    "y": np.maximum(y, 0.0)}))
    return pd.concat(frames, ignore_index=True)


def _by_window(cv: pd.DataFrame, model: str) -> dict:
    part = cv[cv.model == model]
    return {c: g.sort_values(["unique_id", "ds"]).reset_index(drop=True) for c, g in part.groupby("cutoff")}


def test_refit_default_is_true_and_one_equals_true():
    df = _series()
    fc = qs.Forecaster([qs.AutoETS(season_length=7)], freq="D")
    a = fc.cross_validation(df, h=7, n_windows=3)
    b = fc.cross_validation(df, h=7, n_windows=3, refit=True)
    c = fc.cross_validation(df, h=7, n_windows=3, refit=1)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


def test_refit_false_fits_the_oldest_window_and_carries_it_forward():
    df = _series()
    models = [qs.AutoETS(season_length=7), qs.AutoARIMA(season_length=7), qs.MSTL(season_length=[7])]
    fc = qs.Forecaster(models, freq="D")
    full = fc.cross_validation(df, h=7, n_windows=4, refit=True)
    carried = fc.cross_validation(df, h=7, n_windows=4, refit=False)
    every2 = fc.cross_validation(df, h=7, n_windows=4, refit=2)
    assert list(carried.columns) == list(full.columns)
    assert len(carried) == len(full)
    pd.testing.assert_series_equal(carried["y"], full["y"])  # same windows, same actuals
    for m in ["AutoETS", "AutoARIMA", "MSTL"]:
        a, b, c = _by_window(full, m), _by_window(carried, m), _by_window(every2, m)
        cutoffs = sorted(a)
        # window 0 is fitted in every mode; refit=2 fits windows 0 and 2 as refit=True does
        for w in (0,):
            pd.testing.assert_frame_equal(a[cutoffs[w]], b[cutoffs[w]])
        for w in (0, 2):
            pd.testing.assert_frame_equal(a[cutoffs[w]], c[cutoffs[w]])
        # later windows keep the old estimates: not the refitted forecasts
        assert any(not np.allclose(a[k]["mean"], b[k]["mean"]) for k in cutoffs[1:]), m
        for k in cutoffs:
            assert np.isfinite(b[k][["mean", "p10", "p50", "p90"]].to_numpy()).all()
            assert (np.diff(b[k][["p10", "p50", "p90"]].to_numpy(), axis=1) >= 0).all()


@pytest.mark.parametrize("model", [qs.Naive(), qs.SeasonalNaive(season_length=7), qs.HistoricAverage(),
                                   qs.WindowAverage(window_size=7), qs.Croston(), qs.ADIDA(), qs.TSB(0.1, 0.1)],
                         ids=lambda m: m.alias)
def test_models_without_estimates_forecast_the_same_either_way(model, rng):
    df = make_panel(rng, n_series=9, min_len=30, max_len=60)
    fc = qs.Forecaster([model], freq="D")
    a = fc.cross_validation(df, h=5, n_windows=3, step_size=2, refit=True)
    b = fc.cross_validation(df, h=5, n_windows=3, step_size=2, refit=False)
    pd.testing.assert_frame_equal(a, b)


def test_ses_forward_moves_the_level_by_the_kept_alpha():
    # ETS(A,N,N): the forecast is the level l_n, and l_{n+1} = l_n + α (y_{n+1} − l_n). Windows
    # one observation apart give α from windows 0 → 1; the kept α must then predict window 2.
    df = _series(n=120, n_series=3)
    fc = qs.Forecaster([qs.ETS(model="ANN")], freq="D")
    cv = fc.cross_validation(df, h=1, n_windows=3, step_size=1, refit=False)
    refit = fc.cross_validation(df, h=1, n_windows=3, step_size=1, refit=True)
    moved = 0
    for uid, g in cv.groupby("unique_id"):
        g = g.sort_values("cutoff")
        levels = g["mean"].to_numpy()
        y = df[df.unique_id == uid].sort_values("ds").y.to_numpy()
        y_next = y[-3:-1]  # the observations each later window adds
        alpha = (levels[1] - levels[0]) / (y_next[0] - levels[0])
        assert 0 < alpha < 1
        assert levels[2] == pytest.approx(levels[1] + alpha * (y_next[1] - levels[1]), rel=1e-9)
        r = refit[refit.unique_id == uid].sort_values("cutoff")["mean"].to_numpy()
        moved += not np.isclose(r[2], levels[1] + alpha * (y_next[1] - levels[1]), rtol=1e-9)
    assert moved > 0  # refitting re-estimates α, so the closed form does not hold there


def test_ar1_forward_keeps_phi_and_mean():
    # ARIMA(1,0,0) with mean μ: the one-step forecast is μ + φ (y_n − μ). Windows 0 and 1 give
    # φ and μ; the kept estimates must give window 2's forecast.
    rng = np.random.default_rng(11)
    n = 200
    frames = []
    for i in range(3):
        e = rng.normal(0, 1, n)
        y = np.empty(n)
        y[0] = 30
        for t in range(1, n):
            y[t] = 30 + 0.6 * (y[t - 1] - 30) + e[t]
        frames.append(pd.DataFrame({"unique_id": f"a{i}", "ds": pd.date_range("2024-01-01", periods=n, freq="D"), "y": y}))
    df = pd.concat(frames, ignore_index=True)
    fc = qs.Forecaster([qs.ARIMA(order=(1, 0, 0))], freq="D")
    cv = fc.cross_validation(df, h=1, n_windows=3, step_size=1, refit=False)
    for uid, g in cv.groupby("unique_id"):
        f = g.sort_values("cutoff")["mean"].to_numpy()
        y = df[df.unique_id == uid].y.to_numpy()
        y_last = y[-4:-1]  # the last observation before each cutoff
        # f_w = μ(1 − φ) + φ y_last[w]
        phi = (f[1] - f[0]) / (y_last[1] - y_last[0])
        c = f[0] - phi * y_last[0]
        assert 0 < phi < 1
        assert f[2] == pytest.approx(c + phi * y_last[2], rel=1e-9)


def test_covariate_models_carry_forward_with_the_held_out_covariates(rng):
    df = make_panel(rng, n_series=6, min_len=80, max_len=100, covariates=True)
    fc = qs.Forecaster([qs.ETS(model="ANN", covariates=True), qs.ARIMA(order=(1, 0, 0))], freq="D")
    a = fc.cross_validation(df, h=7, n_windows=3, refit=True)
    b = fc.cross_validation(df, h=7, n_windows=3, refit=False)
    assert len(a) == len(b)
    assert np.isfinite(b[["mean", "p10", "p90"]].to_numpy()).all()
    first = a.cutoff.min()
    pd.testing.assert_frame_equal(a[a.cutoff == first].reset_index(drop=True),
                                  b[b.cutoff == first].reset_index(drop=True))


def test_refit_false_is_the_same_for_any_n_jobs():
    df = _series(n_series=7)
    models = [qs.AutoETS(season_length=7), qs.AutoARIMA(season_length=7),
              qs.Ensemble([qs.SeasonalNaive(season_length=7), qs.AutoETS()], h=7),
              qs.Conformal(qs.AutoETS(season_length=7), n_windows=5, h=7)]
    out = [qs.Forecaster(models, freq="D", n_jobs=j).cross_validation(df, h=7, n_windows=3, refit=False)
           for j in (1, 2, 8)]
    pd.testing.assert_frame_equal(out[0], out[1])
    pd.testing.assert_frame_equal(out[0], out[2])


@pytest.mark.parametrize("bad", [0, -1, 1.5, "yes", None, np.float64(2.0)])
def test_bad_refit_is_refused(bad):
    df = _series(n_series=1)
    with pytest.raises(qs.QuickstockError) as e:
        qs.Forecaster([qs.Naive()], freq="D").cross_validation(df, h=3, n_windows=2, refit=bad)
    assert e.value.field == "refit"
