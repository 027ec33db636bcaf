"""CountRegression from Python: the contract call, covariates and what-if, R parity of one fit,
stockout censoring at the Forecaster, persistence, and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import quickstock as qs
from quickstock import _core

REF = Path(__file__).resolve().parents[1] / "reference" / "r_forecast"


def panel(rng: np.random.Generator, n_series: int = 3, n: int = 120, rain_effect: float = 0.08) -> pd.DataFrame:
    """Daily panel whose demand rises with rain (log-linear) and has a weekend bump."""
    ds = pd.date_range("2024-01-01", periods=n, freq="D")
    frames = []
    for i in range(n_series):
        rain = rng.gamma(0.5, 4.0, n)
        mu = np.exp(1.0 + 0.2 * i + rain_effect * rain + 0.3 * (ds.day_of_week >= 5))
        frames.append(
            pd.DataFrame(
                {
                    "unique_id": f"S{i}",
                    "ds": ds,
                    "y": rng.negative_binomial(4.0, 4.0 / (4.0 + mu)).astype(float),
                    "pincode": ["500032", "500081", "500072"][i % 3],
                    "rain_mm": rain,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def split(df: pd.DataFrame, h: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    last = df["ds"].max() - pd.Timedelta(days=h)
    return df[df["ds"] <= last], df[df["ds"] > last].drop(columns="y")


def test_contract_call_with_and_without_covariates() -> None:
    rng = np.random.default_rng(0)
    train, future = split(panel(rng))
    fc = qs.Forecaster(models=[qs.CountRegression(family="negbin")], freq="D").fit(train)
    f = fc.predict(h=3, quantiles=[0.1, 0.9], X_df=future[future["ds"] <= future["ds"].min() + pd.Timedelta(days=2)])
    assert list(f.columns[:6]) == ["unique_id", "ds", "model", "mean", "p10", "p90"]
    q = f[["p10", "p90"]].to_numpy()
    assert np.isfinite(q).all() and (q >= 0).all() and (q == np.round(q)).all()
    assert (f["p10"] <= f["p90"]).all() and (f["model"] == "CountRegression").all()
    plain = qs.Forecaster([qs.CountRegression()], freq="D").fit(train[["unique_id", "ds", "y"]])
    g = plain.predict(h=3, quantiles=[0.1, 0.9])
    assert np.isfinite(g["mean"]).all()
    with pytest.raises(qs.QuickstockError, match="X_df"):
        fc.predict(h=3)


def test_what_if_rain_moves_only_the_selected_series() -> None:
    rng = np.random.default_rng(1)
    train, future = split(panel(rng, n=200))
    fc = qs.Forecaster(models=[qs.CountRegression(family="negbin")], freq="D").fit(train)
    w = qs.what_if(
        fc, future, changes=[qs.Change("rain_mm", "multiply", 3.0, where={"pincode": "500032"})], quantiles=[0.5]
    )
    hit = w["unique_id"] == "S0"
    assert (w.loc[~hit, "mean_delta"] == 0.0).all()
    assert (w.loc[hit, "mean_delta"] >= 0.0).all() and w.loc[hit, "mean_delta"].sum() > 0


def test_fitted_effects_match_the_simulation_and_contributions_sum() -> None:
    rng = np.random.default_rng(2)
    n = 3000
    x = rng.normal(size=(n, 1))
    y = rng.poisson(np.exp(0.8 + 0.5 * x[:, 0])).astype(float)
    spec = _core.CountRegression(family="poisson", season_length=7, ridge=0.0)
    xf = np.array([[-1.0], [0.0], [2.0]])
    out = _core.fit_count_regression_series(spec, y, x, 19723, 3, [0.1, 0.5, 0.9], xf)
    beta = dict(zip(out["columns"], out["beta"] / out["scale"]))
    assert beta[0] == pytest.approx(0.5, abs=0.04)
    assert out["components"] == ["level", "season", "x0"]
    np.testing.assert_allclose(out["contributions"].sum(axis=1), out["mean"], rtol=1e-12)
    assert out["contributions"][2, 2] > 0 > out["contributions"][0, 2]


def test_r_parity_negbin_from_python() -> None:
    series = pd.read_csv(REF / "count_regression_series.csv")
    ref = pd.read_csv(REF / "count_regression.csv")
    d = series[series["case"] == "nb"]
    spec = _core.CountRegression(family="negbin", season_length=1, ridge=0.0)
    x = d[["x1", "x2"]].to_numpy()
    out = _core.fit_count_regression_series(spec, d["y"].to_numpy(float), x, 0, 1, [0.5], np.zeros((1, 2)))
    r = ref[(ref["case"] == "nb") & (ref["model"] == "negbin")].set_index("term")["value"]
    slopes = out["beta"] / out["scale"]
    np.testing.assert_allclose(slopes, [r["x1"], r["x2"]], atol=2e-6)
    assert out["theta"] == pytest.approx(r["theta"], rel=1e-4)
    assert out["loglik"] == pytest.approx(r["loglik"], abs=1e-6)


def censored_panel(rng: np.random.Generator, n_series: int = 6, n: int = 400) -> tuple[pd.DataFrame, float]:
    """Poisson demand with mean 6; on ~35% of days stock runs out below demand."""
    frames = []
    ds = pd.date_range("2023-01-01", periods=n, freq="D")
    for i in range(n_series):
        demand = rng.poisson(6.0, n).astype(float)
        stock = np.floor(rng.uniform(0, 6.0, n))
        short = (rng.uniform(size=n) < 0.35) & (demand >= stock)
        sales = np.where(short, stock, demand)
        frames.append(pd.DataFrame({"unique_id": f"S{i}", "ds": ds, "y": sales, "stockout": short}))
    return pd.concat(frames, ignore_index=True), 6.0


def test_censoring_recovers_demand_and_other_models_refuse() -> None:
    rng = np.random.default_rng(3)
    df, truth = censored_panel(rng)
    model = qs.CountRegression(family="poisson", season_length=1)
    cens = qs.Forecaster([model], freq="D", stockout_col="stockout").fit(df).predict(h=2)
    exact = qs.Forecaster([model], freq="D").fit(df.drop(columns="stockout")).predict(h=2)
    assert abs(cens["mean"].mean() - truth) < 0.25
    assert exact["mean"].mean() < truth - 1.0
    # The censoring flag is not a covariate: no X_df is needed and what_if cannot change it.
    fc = qs.Forecaster([model], freq="D", stockout_col="stockout").fit(df)
    assert fc.prepared_.covariates == ["stockout"]
    # available quantity: censored when sales >= available.
    avail = df.assign(available=np.where(df["stockout"], df["y"], df["y"] + 5.0)).drop(columns="stockout")
    a = qs.Forecaster([model], freq="D", available_col="available").fit(avail).predict(h=2)
    np.testing.assert_allclose(a["mean"], cens["mean"], rtol=1e-12)
    with pytest.raises(qs.QuickstockError, match="SeasonalNaive.*stockout"):
        qs.Forecaster([qs.SeasonalNaive(7), model], freq="D", stockout_col="stockout").fit(df)
    with pytest.raises(qs.QuickstockError, match="missing column 'nope'"):
        qs.Forecaster([model], freq="D", stockout_col="nope").fit(df)
    bad = df.copy()
    bad["stockout"] = bad["stockout"].astype(object)
    bad.loc[5, "stockout"] = None
    with pytest.raises(qs.QuickstockError, match="stockout"):
        qs.Forecaster([model], freq="D", stockout_col="stockout").fit(bad)


def test_censoring_with_covariates_and_persistence(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    df = panel(rng, n=150)
    df["stockout"] = rng.uniform(size=len(df)) < 0.1
    train, future = split(df)
    future = future.drop(columns="stockout")
    fc = qs.Forecaster([qs.CountRegression(zero_inflated=True)], freq="D", stockout_col="stockout").fit(train)
    f = fc.predict(h=7, quantiles=[0.5], X_df=future)
    with pytest.raises(qs.QuickstockError, match="censored"):
        qs.what_if(fc, future.assign(stockout=0.0), changes=[qs.Change("stockout", "replace", 1.0)])
    path = str(tmp_path / "cr.qs")
    fc.save(path)
    g = qs.Forecaster.load(path).predict(h=7, quantiles=[0.5], X_df=future)
    pd.testing.assert_frame_equal(f, g)
    cv = fc.cross_validation(train, h=7, n_windows=2, quantiles=[0.5])
    assert np.isfinite(cv["mean"]).all()


def test_pooled_and_thread_determinism() -> None:
    rng = np.random.default_rng(5)
    train, future = split(panel(rng, n_series=9, n=150))
    outs = [
        qs.Forecaster([qs.CountRegression(pooled=True)], freq="D", n_jobs=j)
        .fit(train)
        .predict(h=7, quantiles=[0.1, 0.5, 0.9], X_df=future)
        for j in (1, 2, 4)
    ]
    for o in outs[1:]:
        pd.testing.assert_frame_equal(outs[0], o)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"family": "binomial"}, "family"),
        ({"zero_inflated": 1}, "zero_inflated"),
        ({"season_length": 0}, "season_length"),
        ({"window": 0}, "window"),
        ({"ridge": -1.0}, "ridge"),
        ({"trend": "yes"}, "trend"),
    ],
    ids=["family", "zero_inflated", "season_length", "window", "ridge", "trend"],
)
def test_bad_arguments_are_named(kwargs: dict, field: str) -> None:
    with pytest.raises(qs.QuickstockError, match=field):
        qs.CountRegression(**kwargs)


def test_repr_and_equality() -> None:
    a = qs.CountRegression(family="poisson", window=90)
    assert repr(a) == (
        "CountRegression(family='poisson', zero_inflated=False, season_length=None, trend=False, "
        "pooled=False, window=90, ridge=1.0)"
    )
    assert a == qs.CountRegression(family="poisson", window=90)
    assert a != qs.CountRegression(family="negbin", window=90)


def test_pool_by_attribute_fits_one_pool_per_group(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    train, future = split(panel(rng, n_series=9, n=150))  # pincode: 3 groups of 3 series
    model = qs.CountRegression(pool_by="pincode")
    assert model.pooled and "pool_by='pincode'" in repr(model)
    outs = [
        qs.Forecaster([model], freq="D", n_jobs=j).fit(train).predict(h=7, quantiles=[0.1, 0.5, 0.9], X_df=future)
        for j in (1, 2, 4)
    ]
    for o in outs[1:]:
        pd.testing.assert_frame_equal(outs[0], o)
    # Each group's forecast is the whole-panel pooled fit of that group's frame alone.
    for pin, g in train.groupby("pincode"):
        alone = qs.Forecaster([qs.CountRegression(pooled=True, alias="CountRegression")], freq="D")
        got = alone.fit(g).predict(h=7, quantiles=[0.1, 0.5, 0.9], X_df=future[future.unique_id.isin(g.unique_id)])
        want = outs[0][outs[0]["pincode"] == pin].reset_index(drop=True)
        pd.testing.assert_frame_equal(got.reset_index(drop=True), want)
    whole = qs.Forecaster([qs.CountRegression(pooled=True)], freq="D").fit(train).predict(h=7, X_df=future)
    assert not np.allclose(whole["mean"], outs[0]["mean"])
    # Saved and loaded with its grouping.
    fc = qs.Forecaster([model], freq="D").fit(train)
    fc.save(str(tmp_path / "pool.qs"))
    again = qs.Forecaster.load(str(tmp_path / "pool.qs")).predict(h=7, quantiles=[0.1, 0.5, 0.9], X_df=future)
    pd.testing.assert_frame_equal(again, outs[0])
    with pytest.raises(qs.QuickstockError, match="pool_by='store'.*attributes are \\['pincode'\\]"):
        qs.Forecaster([qs.CountRegression(pool_by="store")], freq="D").fit(train)
    with pytest.raises(qs.QuickstockError, match="pool_by"):
        qs.CountRegression(pool_by="")
