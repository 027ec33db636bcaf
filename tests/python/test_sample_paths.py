"""Forecaster.sample_paths: joint future paths drawn by each model (docs/sample-paths.md).

The statistical checks use 20 000 paths and tolerances of a few binomial standard errors
(sqrt(τ(1 − τ)/n) ≈ 0.0021 at τ = 0.5), so that a wrong joint law fails while Monte Carlo noise
does not; see tests/cpp/test_sample_paths.cpp for the per-family C++ checks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quickstock as qs

N_PATHS = 20_000
LEVELS = [0.05, 0.25, 0.5, 0.75, 0.95]


def _frame(values: dict[str, np.ndarray], freq: str = "D") -> pd.DataFrame:
    parts = []
    for uid, y in values.items():
        ds = pd.date_range("2024-01-01", periods=len(y), freq=freq)
        parts.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.asarray(y, float)}))
    return pd.concat(parts, ignore_index=True)


def _walk(n: int, sigma: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 500.0 + np.cumsum(sigma * rng.standard_normal(n))


def _worst_z(model: qs.Model, df: pd.DataFrame, h: int, slack: float = 0.0) -> float:
    """Largest |P̂(Y_j <= q_τ) − τ| over series, steps and levels, in binomial standard errors."""
    fc = qs.Forecaster([model], freq="D").fit(df)
    pred = fc.predict(h, quantiles=LEVELS)
    paths = fc.sample_paths(h, n_paths=N_PATHS, seed=1)
    alias = model.alias
    assert paths.attrs["simulation"][alias] == "native"
    worst = 0.0
    for uid, sims in paths.groupby("unique_id", sort=False):
        values = sims[alias].to_numpy().reshape(N_PATHS, h)
        p = pred[pred.unique_id == uid]
        for tau in LEVELS:
            q = p[f"p{round(tau * 100)}"].to_numpy()
            hit = (values <= q[None, :]).mean(axis=0)
            se = np.sqrt(tau * (1 - tau) / N_PATHS)
            # a quantile censored at 0 only says P(Y <= 0) >= τ
            err = np.where(q <= 0, np.maximum(tau - hit, 0.0), np.abs(hit - tau))
            worst = max(worst, float(np.max(np.maximum(err - slack, 0.0) / se)))
    return worst


def test_random_walk_sum_has_the_closed_form_variance() -> None:
    y = _walk(400, 3.0, 0)
    fc = qs.Forecaster([qs.Naive()], freq="D").fit(_frame({"a": y}))
    h = 12
    paths = fc.sample_paths(h, n_paths=40_000, seed=5)
    assert list(paths.columns) == ["unique_id", "ds", "path", "Naive"]
    assert len(paths) == 40_000 * h
    sums = paths.groupby("path")["Naive"].sum().to_numpy()
    sigma2 = np.mean(np.diff(y) ** 2)
    # sum_j Y_j = h·y_n + Σ_i (h − i + 1)·e_i: variance σ²·h(h+1)(2h+1)/6; days drawn
    # independently with the right marginals (variance j·σ²) would give σ²·h(h+1)/2.
    expected = h * (h + 1) * (2 * h + 1) / 6 * sigma2
    rel_se = np.sqrt(2 / (len(sums) - 1))
    assert abs(sums.var(ddof=1) / expected - 1) < 5 * rel_se
    assert sums.var(ddof=1) > 5 * h * (h + 1) / 2 * sigma2


def test_layout_and_timestamps_follow_predict() -> None:
    df = _frame({"a": _walk(50, 1.0, 1), "b": _walk(60, 1.0, 2)})
    fc = qs.Forecaster([qs.Naive(), qs.HistoricAverage(alias="mean_model")], freq="D").fit(df)
    paths = fc.sample_paths(3, n_paths=4, seed=0)
    pred = fc.predict(3)
    assert list(paths.columns) == ["unique_id", "ds", "path", "Naive", "mean_model"]
    assert len(paths) == 2 * 4 * 3
    first = paths[(paths.unique_id == "b") & (paths.path == 2)]
    np.testing.assert_array_equal(first.ds.to_numpy(), pred[pred.unique_id == "b"].ds.unique())
    assert paths.path.tolist()[:6] == [0, 0, 0, 1, 1, 1]


@pytest.mark.parametrize(
    "model,slack",
    [
        (qs.ETS(model="ANN"), 0.0),
        (qs.ETS(model="MAM", season_length=4), 0.015),
        (qs.ARIMA((1, 1, 1)), 0.0),
        (qs.AutoARIMA(), 0.0),
        (qs.RandomWalkWithDrift(), 0.0),
        (qs.Theta(), 0.0),
        (qs.OptimizedTheta(), 0.0),
    ],
    ids=lambda v: repr(v) if not isinstance(v, float) else "",
)
def test_per_step_quantiles_match_the_analytic_ones(model: qs.Model, slack: float) -> None:
    rng = np.random.default_rng(3)
    t = np.arange(96)
    seasonal = (200 + 1.5 * t) * np.array([0.8, 1.1, 1.3, 0.8])[t % 4] * (1 + 0.03 * rng.standard_normal(96))
    w = np.zeros(300)
    e = 2.0 * rng.standard_normal(300)
    for i in range(1, 300):
        w[i] = 0.6 * w[i - 1] + e[i] + 0.3 * e[i - 1]
    df = _frame({"season": seasonal, "arima": 300 + np.cumsum(w)})
    assert _worst_z(model, df, 8, slack) < 4.5


@pytest.mark.parametrize(
    "model", [qs.Croston(), qs.TSB(alpha_d=0.2, alpha_p=0.1), qs.CountRegression(family="poisson")], ids=repr
)
def test_count_models_draw_integers_from_their_predictive_law(model: qs.Model) -> None:
    rng = np.random.default_rng(4)
    y = np.where(rng.random(200) < 0.7, 0.0, rng.integers(1, 7, 200).astype(float))
    fc = qs.Forecaster([model], freq="D").fit(_frame({"a": y}))
    h = 5
    levels = [0.1, 0.5, 0.9, 0.97]
    pred = fc.predict(h, quantiles=levels)
    sims = fc.sample_paths(h, n_paths=N_PATHS, seed=2)[model.alias].to_numpy().reshape(N_PATHS, h)
    assert (sims >= 0).all() and (sims == np.round(sims)).all()
    for tau in levels:
        q = pred[f"p{round(tau * 100)}"].to_numpy()
        se = np.sqrt(tau * (1 - tau) / N_PATHS)
        assert ((sims <= q).mean(axis=0) >= tau - 4.5 * se).all()
        assert ((sims <= q - 1).mean(axis=0) <= tau + 4.5 * se).all()


def test_same_paths_for_any_n_jobs_and_seed_matters() -> None:
    rng = np.random.default_rng(6)
    df = _frame({f"s{i}": 50 + np.cumsum(rng.standard_normal(40 + i)) for i in range(9)})
    models = [qs.AutoETS(), qs.Naive(), qs.Croston(), qs.Ensemble([qs.Naive(), qs.HistoricAverage()])]
    out = [
        qs.Forecaster(models, freq="D", n_jobs=n).fit(df).sample_paths(6, n_paths=200, seed=9)
        for n in (1, 2, 4)
    ]
    pd.testing.assert_frame_equal(out[0], out[1])
    pd.testing.assert_frame_equal(out[0], out[2])
    assert out[0].attrs["simulation"]["Ensemble"] == "quantile_copula"
    other = qs.Forecaster(models, freq="D").fit(df).sample_paths(6, n_paths=200, seed=10)
    assert not np.array_equal(other["AutoETS"].to_numpy(), out[0]["AutoETS"].to_numpy())


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"h": 0}, "h"),
        ({"h": 3, "n_paths": 0}, "n_paths"),
        ({"h": 3, "n_paths": -5}, "n_paths"),
        ({"h": 3, "n_paths": 2.5}, "n_paths"),
        ({"h": 3, "n_paths": 10**8}, "n_paths"),
        ({"h": 3, "seed": -1}, "seed"),
        ({"h": 3, "correlation": 1.0}, "correlation"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs: dict, field: str) -> None:
    fc = qs.Forecaster([qs.Naive()], freq="D").fit(_frame({"a": _walk(30, 1.0, 7)}))
    with pytest.raises(qs.QuickstockError) as err:
        fc.sample_paths(**kwargs)
    assert err.value.field == field


def test_unfitted_and_missing_covariates_raise() -> None:
    with pytest.raises(qs.QuickstockError):
        qs.Forecaster([qs.Naive()], freq="D").sample_paths(3)
    df = _frame({"a": _walk(60, 1.0, 8)})
    df["x"] = np.arange(60.0) % 7
    fc = qs.Forecaster([qs.ARIMA((1, 0, 0))], freq="D").fit(df)
    with pytest.raises(qs.QuickstockError, match="X_df"):
        fc.sample_paths(3)
    future = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range(df.ds.iloc[-1], periods=4, freq="D")[1:], "x": [1.0, 2.0, 3.0]}
    )
    paths = fc.sample_paths(3, n_paths=5000, X_df=future)
    pred = fc.predict(3, X_df=future, quantiles=[0.5])
    means = paths.groupby("ds")["ARIMA"].mean().to_numpy()
    np.testing.assert_allclose(means, pred["mean"].to_numpy(), rtol=0.02)


@pytest.mark.parametrize(
    "model",
    [
        qs.AutoETS(covariates=True, alias="ETSX"),
        qs.ETS("MNN", covariates=True, alias="ETSX_M"),  # y = exp((x - mean)'b) w
        qs.ARIMA((1, 0, 1), alias="ARIMAX"),
    ],
    ids=repr,
)
def test_covariate_models_follow_their_quantiles(model: qs.Model) -> None:
    """ETSX (β̃ drawn per path) and ARIMA with xreg: per-step quantiles agree with predict."""
    rng = np.random.default_rng(12)
    n, h = 200, 6
    x = rng.normal(size=n + h)
    y = 100 + np.cumsum(0.5 * rng.standard_normal(n)) + 8 * x[:n] + rng.standard_normal(n)
    df = _frame({"a": y})
    df["x"] = x[:n]
    future = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range(df.ds.iloc[-1], periods=h + 1, freq="D")[1:], "x": x[n:]}
    )
    fc = qs.Forecaster([model], freq="D").fit(df)
    pred = fc.predict(h, quantiles=LEVELS, X_df=future)
    sims = fc.sample_paths(h, n_paths=N_PATHS, seed=4, X_df=future)[model.alias].to_numpy().reshape(N_PATHS, h)
    for tau in LEVELS:
        q = pred[f"p{round(tau * 100)}"].to_numpy()
        se = np.sqrt(tau * (1 - tau) / N_PATHS)
        assert np.max(np.abs((sims <= q).mean(axis=0) - tau)) < 4.5 * se
