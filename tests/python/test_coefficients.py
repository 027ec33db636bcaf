"""``Forecaster.coefficients()``: one tidy frame of fitted covariate coefficients for every
model that has them (ETS with covariates, ARIMA with regressors, CountRegression), checked
against known simulated effects and against each model's own fitted values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quickstock as qs


def _frame(seed: int, n: int = 240, effect: float = 6.0, log_effect: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    promo = (rng.random(n) < 0.2).astype(float)
    price = 10.0 + rng.normal(0, 0.5, n)
    level = 40.0 + np.cumsum(rng.normal(0, 0.3, n))
    y = (level + effect * promo + rng.normal(0, 1.0, n)) * np.exp(log_effect * promo)
    return pd.DataFrame(
        {
            "unique_id": f"s{seed}",
            "ds": pd.date_range("2024-01-01", periods=n, freq="D"),
            "y": y,
            "promo": promo,
            "price": price,
        }
    )


def test_frame_shape_and_models_without_coefficients():
    df = pd.concat([_frame(1), _frame(2)], ignore_index=True)
    fc = qs.Forecaster(
        [qs.Naive(), qs.AutoETS(covariates=True, alias="X"), qs.ARIMA(order=(1, 1, 0))], freq="D"
    ).fit(df)
    co = fc.coefficients()
    assert co.columns.tolist() == ["unique_id", "model", "covariate", "coef", "std_error"]
    # Naive has no coefficients; two series × two covariates for each of the other models.
    assert sorted(co.model.unique()) == ["ARIMA", "X"]
    assert len(co) == 2 * 2 * 2
    assert co.unique_id.tolist()[:4] == ["s1"] * 4
    assert set(co.covariate) == {"promo", "price"}
    x = co[co.model == "X"].set_index(["unique_id", "covariate"])
    # The known promotion effect of 6 (noise sd 1), within 4 standard errors.
    for uid in ("s1", "s2"):
        coef, se = x.loc[(uid, "promo"), ["coef", "std_error"]]
        assert 0 < se < 1.0
        assert abs(coef - 6.0) < 4 * se
        # price has no effect
        coef, se = x.loc[(uid, "price"), ["coef", "std_error"]]
        assert abs(coef) < 4 * se
    # ARIMA keeps no standard errors.
    assert co[co.model == "ARIMA"].std_error.isna().all()


def test_no_covariate_columns_gives_an_empty_frame():
    df = _frame(3)[["unique_id", "ds", "y"]]
    fc = qs.Forecaster([qs.AutoETS(covariates=True)], freq="D").fit(df)
    co = fc.coefficients()
    assert co.empty
    assert co.columns.tolist() == ["unique_id", "model", "covariate", "coef", "std_error"]


def test_before_fit_raises():
    with pytest.raises(qs.QuickstockError, match="fit"):
        qs.Forecaster([qs.Naive()], freq="D").coefficients()


def test_multiplicative_etsx_coefficient_is_the_log_effect():
    # y = level·exp(0.25·promo)·(1 + e): ETS("MNN", covariates=True) recovers 0.25 on the log
    # scale; the additive form does not apply (its coefficient is in units of y).
    frames = []
    for seed in range(3):
        rng = np.random.default_rng(100 + seed)
        n = 300
        promo = (rng.random(n) < 0.2).astype(float)
        level, y = 60.0, np.empty(n)
        for t in range(n):
            e = 0.05 * rng.normal()
            y[t] = level * np.exp(0.25 * promo[t]) * (1 + e)
            level *= 1 + 0.2 * e
        frames.append(
            pd.DataFrame(
                {"unique_id": f"m{seed}", "ds": pd.date_range("2024-01-01", periods=n),
                 "y": y, "promo": promo}
            )
        )
    df = pd.concat(frames, ignore_index=True)
    fc = qs.Forecaster(
        [qs.ETS("MNN", covariates=True, alias="mult"), qs.AutoETS(model="MZZ", covariates=True)],
        freq="D",
    ).fit(df)
    co = fc.coefficients()
    for _, row in co.iterrows():
        assert 0 < row.std_error < 0.05
        assert abs(row.coef - 0.25) < 4 * row.std_error
    # Forecasts scale with exp(beta·promo): a promotion day is exp(beta) times a normal day.
    future = pd.DataFrame(
        {"unique_id": "m0", "ds": pd.date_range("2024-10-27", periods=2), "promo": [0.0, 1.0]}
    )
    one = fc.fitted_[0]
    assert one.uses_covariates
    out = fc.predict(h=2, quantiles=[0.1, 0.9], X_df=pd.concat(
        [future.assign(unique_id=u) for u in ("m0", "m1", "m2")], ignore_index=True))
    row = out[(out.unique_id == "m0") & (out.model == "mult")]
    beta = co[(co.unique_id == "m0") & (co.model == "mult")].coef.iloc[0]
    # ETS(M,N,N) forecasts are flat: the ratio of the two steps is exp(beta) (the mean and
    # both quantiles; the quantiles of w widen with the horizon only slightly).
    assert row["mean"].iloc[1] / row["mean"].iloc[0] == pytest.approx(np.exp(beta), rel=1e-9)
    assert (row["p10"] < row["mean"]).all() and (row["p90"] > row["mean"]).all()


def test_count_regression_coefficients_are_per_unit_log_effects():
    rng = np.random.default_rng(5)
    n = 400
    x = rng.normal(3.0, 2.0, n)
    y = rng.poisson(np.exp(1.0 + 0.2 * (x - 3.0)))
    df = pd.DataFrame(
        {"unique_id": "c", "ds": pd.date_range("2024-01-01", periods=n), "y": y.astype(float),
         "x": x}
    )
    fc = qs.Forecaster([qs.CountRegression(family="poisson", ridge=0.0)], freq="D").fit(df)
    co = fc.coefficients()
    assert co.covariate.tolist() == ["x"]
    assert co.coef.iloc[0] == pytest.approx(0.2, abs=0.03)
    assert co.std_error.isna().all()


def _mult_frame(seed: int, n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    promo = (rng.random(n) < 0.2).astype(float)
    level, y = 30.0, np.empty(n)
    for t in range(n):
        e = 0.08 * rng.normal()
        y[t] = level * (1 + 0.3 * np.sin(2 * np.pi * t / 7)) * np.exp(0.2 * promo[t]) * (1 + e)
        level *= 1 + 0.1 * e
    return pd.DataFrame(
        {"unique_id": f"p{seed}", "ds": pd.date_range("2024-01-01", periods=n), "y": y,
         "promo": promo}
    )


def test_multiplicative_etsx_is_thread_independent_and_falls_back_on_zeros():
    df = pd.concat([_mult_frame(s) for s in range(5)], ignore_index=True)
    df.loc[df.unique_id == "p4", "y"] = df.loc[df.unique_id == "p4", "y"].where(
        df.loc[df.unique_id == "p4", "ds"] != pd.Timestamp("2024-02-01"), 0.0
    )
    future = pd.concat(
        [pd.DataFrame({"unique_id": f"p{s}", "ds": pd.date_range("2024-07-19", periods=7),
                       "promo": [0, 1, 0, 0, 1, 0, 0.0]}) for s in range(5)],
        ignore_index=True,
    )
    outs, coefs = [], []
    for jobs in (1, 2, 4):
        fc = qs.Forecaster(
            [qs.AutoETS(season_length=7, model="MZZ", covariates=True)], freq="D", n_jobs=jobs
        ).fit(df)
        outs.append(fc.predict(h=7, quantiles=[0.05, 0.5, 0.95], X_df=future))
        coefs.append(fc.coefficients())
    for other in outs[1:]:
        pd.testing.assert_frame_equal(outs[0], other, check_exact=True)
    for other in coefs[1:]:
        pd.testing.assert_frame_equal(coefs[0], other, check_exact=True)
    notes = dict(zip(fc.prepared_.ids, fc.fitted_[0].fallbacks()))
    # A zero in p4: multiplicative error is impossible, the additive form is used (noted).
    assert "not strictly positive" in notes["p4"]
    assert all(notes[f"p{s}"] == "" for s in range(4))
    out = outs[0]
    assert (out[["p5", "p50", "p95"]].to_numpy() >= 0).all()
    assert np.isfinite(out[["mean", "p5", "p50", "p95"]].to_numpy()).all()
    co = coefs[0].set_index("unique_id")
    for s in range(4):
        assert abs(co.loc[f"p{s}", "coef"] - 0.2) < 4 * co.loc[f"p{s}", "std_error"]
