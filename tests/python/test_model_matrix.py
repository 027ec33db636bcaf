"""Every model × every degenerate series, and bit-identical output for n_jobs 1, 2 and 8.

The registry below names how to build each model class of ``quickstock.models``; a model class
without an entry fails ``test_every_model_is_in_the_matrix``, so a new model cannot skip the
matrix. Models that use covariates get a covariate column and its future values.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest

import quickstock as qs
import quickstock.models as qs_models

# Class name → factory of a representative instance (daily data, weekly season where it applies).
FACTORIES: dict[str, Callable[[], Any]] = {
    "Naive": lambda: qs.Naive(),
    "SeasonalNaive": lambda: qs.SeasonalNaive(season_length=7),
    "HistoricAverage": lambda: qs.HistoricAverage(),
    "WindowAverage": lambda: qs.WindowAverage(window_size=7),
    "SeasonalWindowAverage": lambda: qs.SeasonalWindowAverage(season_length=7, window_size=2),
    "RandomWalkWithDrift": lambda: qs.RandomWalkWithDrift(),
    "ETS": lambda: qs.ETS("AAA", season_length=7),
    "AutoETS": lambda: qs.AutoETS(season_length=7),
    "Theta": lambda: qs.Theta(season_length=7),
    "OptimizedTheta": lambda: qs.OptimizedTheta(season_length=7),
    "DynamicTheta": lambda: qs.DynamicTheta(season_length=7),
    "DynamicOptimizedTheta": lambda: qs.DynamicOptimizedTheta(season_length=7),
    "AutoTheta": lambda: qs.AutoTheta(season_length=7),
    "MSTL": lambda: qs.MSTL(season_length=[7, 28]),
    "Ensemble": lambda: qs.Ensemble([qs.Naive(), qs.SeasonalNaive(season_length=7), qs.AutoETS()], h=7),
    "Conformal": lambda: qs.Conformal(qs.SeasonalNaive(season_length=7), n_windows=10, h=7),
    "ARIMA": lambda: qs.ARIMA(order=(1, 0, 1), seasonal_order=(0, 1, 1), season_length=7),
    "AutoARIMA": lambda: qs.AutoARIMA(season_length=7),
    "Croston": lambda: qs.Croston(),
    "CrostonSBA": lambda: qs.CrostonSBA(),
    "TSB": lambda: qs.TSB(alpha_d=0.2, alpha_p=0.2),
    "ADIDA": lambda: qs.ADIDA(),
    "IMAPA": lambda: qs.IMAPA(),
    "CountRegression": lambda: qs.CountRegression(family="negbin"),
}

#: Model classes that are building blocks, not forecasting models of their own.
NOT_MODELS = {"Model"}


def model_classes() -> list[str]:
    return [
        name
        for name in getattr(qs_models, "__all__", [])
        if name not in NOT_MODELS and isinstance(getattr(qs_models, name, None), type)
    ]


def test_every_model_is_in_the_matrix() -> None:
    missing = [name for name in model_classes() if name not in FACTORIES]
    assert not missing, f"add these models to FACTORIES in {__file__}: {missing}"


def available() -> list[str]:
    return [name for name in model_classes() if name in FACTORIES]


def degenerate_frames() -> dict[str, pd.DataFrame]:
    """Series every model must survive, each a one-series daily frame."""
    rng = np.random.default_rng(20261129)
    start = pd.Timestamp("2024-01-01")

    def frame(y: np.ndarray) -> pd.DataFrame:
        y = np.asarray(y, dtype=float)
        return pd.DataFrame(
            {"unique_id": "s", "ds": pd.date_range(start, periods=len(y), freq="D"), "y": y}
        )

    spike = np.zeros(90)
    spike[45] = 1e6
    intermittent = rng.poisson(0.15, 120).astype(float)
    intermittent[-1] = 0.0
    one_sale = np.zeros(60)
    one_sale[10] = 3.0
    return {
        "all_zero": frame(np.zeros(60)),
        "constant": frame(np.full(60, 5.0)),
        "one_point": frame([4.0]),
        "two_points": frame([4.0, 0.0]),
        "shorter_than_season": frame([3.0, 1.0, 4.0, 1.0, 5.0]),
        "huge_spike": frame(spike),
        "intermittent": frame(intermittent),
        "one_sale": frame(one_sale),
        "huge_values": frame(1e12 + rng.poisson(5.0, 50)),
        "trend_to_zero": frame(np.maximum(0.0, 50.0 - np.arange(60.0))),
    }


DEGENERATE = degenerate_frames()
LEVELS = [0.005, 0.1, 0.5, 0.9, 0.995]


def add_covariate(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["x"] = np.sin(np.arange(len(out)) / 3.0)
    return out


def future_of(df: pd.DataFrame, h: int) -> pd.DataFrame:
    rows = []
    for uid, g in df.groupby("unique_id", sort=False):
        n = len(g)
        ds = pd.date_range(g["ds"].max() + pd.Timedelta(days=1), periods=h, freq="D")
        rows.append(pd.DataFrame({"unique_id": uid, "ds": ds, "x": np.sin(np.arange(n, n + h) / 3.0)}))
    return pd.concat(rows, ignore_index=True)


def run(model: Any, df: pd.DataFrame, h: int, n_jobs: int = 1) -> pd.DataFrame:
    fc = qs.Forecaster([model], freq="D", n_jobs=n_jobs)
    probe = fc.fit(df)
    if any(f.uses_covariates for f in probe.fitted_) and "x" not in df.columns:
        df = add_covariate(df)
        fc.fit(df)
    X_df = future_of(df, h) if "x" in df.columns else None
    return fc.predict(h=h, quantiles=LEVELS, X_df=X_df)


@pytest.mark.parametrize("case", sorted(DEGENERATE))
@pytest.mark.parametrize("name", available())
def test_degenerate_series_give_finite_ordered_nonnegative_quantiles(name: str, case: str) -> None:
    df = DEGENERATE[case]
    f = run(FACTORIES[name](), df, h=14)
    cols = ["p0.5", "p10", "p50", "p90", "p99.5"]
    q = f[cols].to_numpy()
    assert len(f) == 14
    assert np.isfinite(q).all(), f"{name} on {case}: non-finite quantiles"
    assert np.isfinite(f["mean"]).all(), f"{name} on {case}: non-finite mean"
    assert (q >= 0).all() and (f["mean"].to_numpy() >= 0).all(), f"{name} on {case}: negative"
    assert (np.diff(q, axis=1) >= 0).all(), f"{name} on {case}: quantiles out of order"
    if case in ("all_zero",):
        # Nothing was ever sold: no model may forecast sales.
        assert np.allclose(f["p50"], 0.0), f"{name} forecasts sales for an all-zero series"
    if case == "constant":
        assert np.allclose(f["p50"], 5.0, rtol=0.05), f"{name} drifts off a constant series"


def sample_panel() -> pd.DataFrame:
    df = qs.datasets.load_hyderabad()
    ids = sorted(df["unique_id"].unique())[:: max(1, df["unique_id"].nunique() // 11)][:11]
    sub = df[df["unique_id"].isin(ids)][["unique_id", "ds", "y"]].copy()
    # Ragged: drop a different number of leading days per series.
    keep = []
    for k, (uid, g) in enumerate(sub.groupby("unique_id", sort=True)):
        keep.append(g.iloc[37 * k :])
    return pd.concat(keep, ignore_index=True)


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return sample_panel()


@pytest.mark.parametrize("name", available())
def test_same_output_for_n_jobs_1_2_8(name: str, panel: pd.DataFrame) -> None:
    outs = [run(FACTORIES[name](), panel, h=10, n_jobs=n) for n in (1, 2, 8)]
    for other in outs[1:]:
        pd.testing.assert_frame_equal(outs[0], other, check_exact=True)
    # and again, repeated in the same process
    pd.testing.assert_frame_equal(outs[0], run(FACTORIES[name](), panel, h=10, n_jobs=2), check_exact=True)


def transition_frames() -> dict[str, pd.DataFrame]:
    """Series whose later windows differ in kind from the first: what a fit carried forward by
    ``cross_validation(refit=False)`` must survive (or hand over to a refit)."""
    rng = np.random.default_rng(20261130)

    def frame(y: np.ndarray) -> pd.DataFrame:
        y = np.asarray(y, dtype=float)
        return pd.DataFrame({"unique_id": "s", "ds": pd.date_range("2024-01-01", periods=len(y), freq="D"), "y": y})

    spike = rng.poisson(6.0, 70).astype(float)
    spike[58] = 1e6
    return {
        "zeros_then_sales": frame(np.r_[np.zeros(50), rng.poisson(5.0, 20) + 1.0]),
        "constant_then_varying": frame(np.r_[np.full(40, 5.0), rng.poisson(5.0, 30) + 1.0]),
        "positive_then_zeros": frame(np.r_[rng.poisson(20.0, 45) + 1.0, np.zeros(25)]),
        "short_then_long": frame(rng.poisson(4.0, 33).astype(float)),
        "spike_after_the_fit": frame(spike),
    }


TRANSITIONS = transition_frames()


@pytest.mark.parametrize("case", sorted(TRANSITIONS))
@pytest.mark.parametrize("name", available())
def test_fits_carried_forward_across_transitions(name: str, case: str) -> None:
    df = TRANSITIONS[case]
    model = FACTORIES[name]()
    if qs.Forecaster([model], freq="D").fit(df).fitted_[0].uses_covariates:
        df = add_covariate(df)
    cv = qs.Forecaster([model], freq="D").cross_validation(df, h=7, n_windows=3, step_size=7,
                                                           quantiles=LEVELS, refit=False)
    assert len(cv) == 21
    q = cv[["p0.5", "p10", "p50", "p90", "p99.5"]].to_numpy()
    assert np.isfinite(q).all() and np.isfinite(cv["mean"]).all(), f"{name} on {case}: non-finite"
    assert (q >= 0).all() and (cv["mean"].to_numpy() >= 0).all(), f"{name} on {case}: negative"
    assert (np.diff(q, axis=1) >= 0).all(), f"{name} on {case}: quantiles out of order"
    if case == "zeros_then_sales":
        first = cv[cv.cutoff == cv.cutoff.min()]
        assert np.allclose(first["p50"], 0.0), f"{name} forecasts sales after only zeros"
