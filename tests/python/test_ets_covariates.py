"""ETS with covariates (``covariates=True``: regression with ETS errors, docs/ets.md) through
the Python API: a simulated series with a known promotion effect, plain-ETS equality without
covariates, X_df handling, and the bundled sample's real weather/price/promotion columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quickstock as qs


def _simulated(seed: int, n: int = 260, h: int = 14, beta: float = 6.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    promo = (rng.random(n + h) < 0.2).astype(float)
    level, u = 40.0, np.empty(n + h)
    season = 3.0 * np.sin(2 * np.pi * np.arange(7) / 7)
    for t in range(n + h):
        e = rng.normal()
        u[t] = level + season[t % 7] + e
        level += 0.2 * e
    y = u + beta * promo
    return pd.DataFrame(
        {"unique_id": f"s{seed}", "ds": pd.date_range("2024-01-01", periods=n + h, freq="D"),
         "y": y, "promo": promo}
    )


def test_known_promotion_effect_improves_the_forecast():
    frames = [_simulated(s) for s in range(4)]
    df = pd.concat(frames, ignore_index=True)
    train = df.groupby("unique_id").head(260)
    future = df.groupby("unique_id").tail(14)
    fc = qs.Forecaster(
        [qs.AutoETS(season_length=7), qs.AutoETS(season_length=7, covariates=True, alias="X")],
        freq="D",
    ).fit(train)
    out = fc.predict(h=14, quantiles=[0.1, 0.5, 0.9], X_df=future[["unique_id", "ds", "promo"]])
    out = out.merge(future[["unique_id", "ds", "y", "promo"]], on=["unique_id", "ds"])
    mae = (out["mean"] - out["y"]).abs().groupby(out["model"]).mean()
    assert mae["X"] < 0.5 * mae["AutoETS"]
    x = out[out.model == "X"]
    plain = out[out.model == "AutoETS"]
    # The promotion effect (6) is in the forecast: no bias on promotion days, where plain ETS
    # misses it.
    assert abs((x.y - x["mean"])[x.promo == 1].mean()) < 2.0
    assert (plain.y - plain["mean"])[plain.promo == 1].mean() > 3.0
    assert np.allclose(x["p50"], x["mean"])
    assert (x["p10"] < x["mean"]).all() and (x["p90"] > x["mean"]).all()


def test_needs_future_covariates_and_equals_plain_ets_without_them():
    df = _simulated(9)
    train = df.head(260)
    with pytest.raises(qs.QuickstockError, match="X_df"):
        qs.Forecaster([qs.AutoETS(season_length=7, covariates=True)], freq="D").fit(train).predict(
            h=14
        )
    plain = train[["unique_id", "ds", "y"]]
    a = qs.Forecaster([qs.AutoETS(season_length=7, covariates=True)], freq="D").forecast(
        plain, h=14, quantiles=[0.1, 0.9]
    )
    b = qs.Forecaster([qs.AutoETS(season_length=7)], freq="D").forecast(
        plain, h=14, quantiles=[0.1, 0.9]
    )
    pd.testing.assert_frame_equal(a, b)
    c = qs.Forecaster([qs.ETS("AAN", damped=True, covariates=True)], freq="D").forecast(plain, h=5)
    d = qs.Forecaster([qs.ETS("AAN", damped=True)], freq="D").forecast(plain, h=5)
    pd.testing.assert_frame_equal(c.drop(columns="model"), d.drop(columns="model"))


def test_repr_params_and_bad_argument():
    m = qs.AutoETS(season_length=7, covariates=True)
    assert m._params()["covariates"] is True
    assert "covariates" not in qs.AutoETS(season_length=7)._params()
    with pytest.raises(qs.QuickstockError, match="covariates"):
        qs.ETS("ANN", covariates="yes")


def test_bundled_sample_weather_price_promo_columns():
    """Real weather (Open-Meteo Hyderabad) and the sample's prices and promotions: the
    covariate model backtests about as well as plain AutoETS on the higher-volume series (the
    sample's effects are multiplicative and small; docs/ets.md has the figures), never a
    negative quantile, and the same result for 1 and 2 threads."""
    df = qs.datasets.load_hyderabad()
    vol = df.groupby("unique_id").y.mean()
    ids = vol.sort_values().index[-8:]
    cols = ["rain_mm", "temp_max_c", "price", "promo"]
    d = df[df.unique_id.isin(ids)][["unique_id", "ds", "y", *cols]]
    models = [qs.AutoETS(season_length=7), qs.AutoETS(season_length=7, covariates=True, alias="X")]
    cv1 = qs.Forecaster(models, freq="D", n_jobs=1).cross_validation(
        d, h=14, n_windows=2, step_size=14, quantiles=[0.1, 0.9]
    )
    cv2 = qs.Forecaster(models, freq="D", n_jobs=2).cross_validation(
        d, h=14, n_windows=2, step_size=14, quantiles=[0.1, 0.9]
    )
    pd.testing.assert_frame_equal(cv1, cv2)
    mae = (cv1["mean"] - cv1["y"]).abs().groupby(cv1["model"]).mean()
    assert mae["X"] < 1.02 * mae["AutoETS"]
    assert (cv1[["p10", "mean", "p90"]] >= 0).all().all()
