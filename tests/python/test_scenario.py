"""qs.what_if: scenario, baseline and delta columns; exact zeros outside the change; errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quickstock as qs

H = 14


def promo_panel(beta: float = 6.0, n_series: int = 4, n: int = 240, seed: int = 3) -> pd.DataFrame:
    """Series with a known promotion effect: y = level_t + beta * promo_t + noise, level a random walk."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_series):
        promo = (rng.random(n + H) < 0.2).astype(float)
        level = 30 + np.cumsum(rng.normal(0, 0.3, n + H))
        y = np.maximum(0.0, level + beta * promo + rng.normal(0, 1.0, n + H))
        frames.append(pd.DataFrame({
            "unique_id": f"s{i}", "ds": pd.date_range("2025-01-01", periods=n + H, freq="D"),
            "y": y, "promo": promo, "zone": "West" if i % 2 else "East",
        }))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def fitted():
    df = promo_panel()
    last = df.ds.max() - pd.Timedelta(days=H)
    train, future = df[df.ds <= last], df[df.ds > last][["unique_id", "ds", "promo"]]
    fc = qs.Forecaster([qs.AutoETS(covariates=True)], freq="D").fit(train)
    return fc, future


def test_columns_and_exact_zeros_outside_the_change(fitted):
    fc, future = fitted
    start = future.ds.min() + pd.Timedelta(days=3)
    w = qs.what_if(fc, future, [qs.Change("promo", "replace", 1.0, where={"zone": "West"}, start=start)],
                   quantiles=[0.1, 0.5, 0.9])
    for s in ("mean", "p10", "p50", "p90"):
        assert {s, f"{s}_baseline", f"{s}_delta"} <= set(w.columns)
    assert list(w.columns[:3]) == ["unique_id", "ds", "model"]
    assert "zone" in w.columns
    outside = (w.zone != "West") | (w.ds < start)
    for s in ("mean", "p10", "p50", "p90"):
        assert (w.loc[outside, f"{s}_delta"] == 0.0).all()
    inside = ~outside
    assert (w.loc[inside, "mean_delta"] >= 0).all() and (w.loc[inside, "mean_delta"] > 0).any()
    # The baseline equals predict with the same X_df, bit for bit.
    base = fc.predict(h=H, quantiles=[0.1, 0.5, 0.9], X_df=future)
    np.testing.assert_array_equal(w["mean_baseline"].to_numpy(), base["mean"].to_numpy())


def test_the_known_promotion_effect_is_recovered(fitted):
    fc, future = fitted
    off = future.assign(promo=0.0)
    w = qs.what_if(fc, off, [{"column": "promo", "op": "add", "value": 1.0}], quantiles=[0.5])
    # Additive model, additive regression: one more promotion unit adds beta (6) to the mean.
    assert w["mean_delta"].mean() == pytest.approx(6.0, abs=0.6)


def test_changes_compose_in_order_and_where_takes_ids(fitted):
    fc, future = fitted
    w = qs.what_if(fc, future, [qs.Change("promo", "replace", 0.0, where=["s0"]),
                                qs.Change("promo", "add", 1.0, where=["s0"])], quantiles=[0.5])
    one = qs.what_if(fc, future, [qs.Change("promo", "replace", 1.0, where=["s0"])], quantiles=[0.5])
    np.testing.assert_array_equal(w["mean"].to_numpy(), one["mean"].to_numpy())
    assert (w.loc[w.unique_id != "s0", "mean_delta"] == 0.0).all()


@pytest.mark.parametrize(
    "change, field, text",
    [
        (qs.Change("rain_mm", "multiply", 2.0), "column", "no column"),
        (qs.Change("promo", "multiply", 2.0, where={"zone": "North"}), "where", "matches no series"),
        (qs.Change("promo", "multiply", 2.0, where={"city": "x"}), "where", "not a series attribute"),
        (qs.Change("promo", "multiply", 2.0, where=["nope"]), "where", "unknown series"),
        (qs.Change("promo", "multiply", 2.0, start="2030-01-01"), "start", "holds no forecast period"),
        ({"column": "promo", "op": "divide", "value": 2.0}, "op", "op must be one of"),
        ({"column": "promo", "op": "add", "value": float("nan")}, "value", "finite"),
        ({"column": "promo", "op": "add"}, "changes", "missing"),
    ],
)
def test_bad_changes_name_the_field(fitted, change, field, text):
    fc, future = fitted
    with pytest.raises(qs.QuickstockError) as err:
        qs.what_if(fc, future, [change])
    assert text in str(err.value)
    assert err.value.field == field


def test_a_column_the_models_do_not_use_and_models_without_covariates(fitted):
    fc, future = fitted
    with pytest.raises(qs.QuickstockError, match="not a covariate") as err:
        qs.what_if(fc, future.assign(extra=1.0), [qs.Change("extra", "add", 1.0)])
    assert err.value.field == "column"
    df = promo_panel()
    plain = qs.Forecaster([qs.Naive()], freq="D").fit(df[["unique_id", "ds", "y"]])
    with pytest.raises(qs.QuickstockError, match="no model of this forecaster uses covariates"):
        qs.what_if(plain, future, [qs.Change("promo", "add", 1.0)])
    with pytest.raises(qs.QuickstockError, match="non-empty"):
        qs.what_if(fc, future, [])
