"""Intermittent models (Croston, CrostonSBA, TSB, ADIDA, IMAPA) through the Python API: R
forecast 8.20 parity (tests/reference/r_forecast/make_croston.R), the quantile contract, the
integer flag, persistence, and the accuracy and calibration reached on M5 tiny_m5
(benchmarks/python/tiny_m5_intermittent.py; skipped without ../shared/data/m5)."""

from __future__ import annotations

import importlib.util
import pickle

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, ROOT, SHARED_DATA

import quickstock as qs

SERIES = pd.read_csv(REFERENCE / "r_forecast" / "croston_series.csv")
REF = pd.read_csv(REFERENCE / "r_forecast" / "croston.csv")
ALL = [
    qs.Croston(),
    qs.CrostonSBA(),
    qs.TSB(alpha_d=0.1, alpha_p=0.2),
    qs.ADIDA(),
    qs.IMAPA(),
]


def _frame(name: str) -> pd.DataFrame:
    s = SERIES[SERIES.series == name]
    return pd.DataFrame({"unique_id": name, "ds": s.t.to_numpy(), "y": s.y.to_numpy(dtype=float)})


@pytest.mark.parametrize("row", list(REF.itertuples()), ids=lambda r: f"{r.series}-{r.alpha}")
def test_croston_matches_r(row):
    df = _frame(row.series)
    fc = qs.Forecaster(
        [qs.Croston(alpha=row.alpha), qs.CrostonSBA(alpha=row.alpha)], freq=1
    ).fit(df).predict(h=3, quantiles=[0.5])
    got = fc.groupby("model")["mean"].first()
    np.testing.assert_allclose(got["Croston"], row.mean, rtol=1e-12)
    np.testing.assert_allclose(got["CrostonSBA"], row.mean * (1 - row.alpha / 2), rtol=1e-12)


def _intermittent_panel(rng: np.random.Generator, n: int = 12) -> pd.DataFrame:
    frames = []
    for i in range(n):
        length = int(rng.integers(30, 120))
        occur = rng.random(length) < rng.uniform(0.05, 0.9)
        y = occur * (1 + rng.negative_binomial(2, 0.4, length))
        frames.append(
            pd.DataFrame(
                {"unique_id": f"sku-{i}", "ds": pd.date_range("2024-01-01", periods=length), "y": y.astype(float)}
            )
        )
    return pd.concat(frames, ignore_index=True)


def test_quantiles_are_ordered_nonnegative_integers_and_thread_independent(rng):
    df = _intermittent_panel(rng)
    levels = [0.005, 0.1, 0.5, 0.9, 0.995]
    a = qs.Forecaster(ALL, freq="D", n_jobs=1).fit(df).predict(h=7, quantiles=levels)
    b = qs.Forecaster(ALL, freq="D", n_jobs=2).fit(df).predict(h=7, quantiles=levels)
    pd.testing.assert_frame_equal(a, b)
    q = a[["p0.5", "p10", "p50", "p90", "p99.5"]].to_numpy()
    assert np.isfinite(q).all() and (q >= 0).all()
    assert (np.diff(q, axis=1) >= 0).all()
    np.testing.assert_array_equal(q, np.round(q))
    assert np.isfinite(a["mean"]).all()


def test_integer_false_interpolates_and_non_count_data(rng):
    df = _intermittent_panel(rng, 4)
    levels = [0.6, 0.8, 0.95]
    cont = qs.Forecaster([qs.Croston(integer=False)], freq="D").fit(df).predict(h=1, quantiles=levels)
    ints = qs.Forecaster([qs.Croston()], freq="D").fit(df).predict(h=1, quantiles=levels)
    for c in ["p60", "p80", "p95"]:
        assert (cont[c] <= ints[c]).all() and (cont[c] > ints[c] - 1).all()
    kg = df.assign(y=df.y * 0.25)
    f = qs.Forecaster([qs.Croston(), qs.Croston(integer=True, alias="int")], freq="D")
    out = f.fit(kg).predict(h=1, quantiles=levels)
    plain, rounded = out[out.model == "Croston"], out[out.model == "int"]
    np.testing.assert_array_equal(rounded[["p60", "p80", "p95"]].to_numpy(), np.ceil(plain[["p60", "p80", "p95"]].to_numpy()))


def test_degenerate_series_fall_back_without_nan():
    ds = pd.date_range("2024-01-01", periods=6)
    df = pd.concat(
        [
            pd.DataFrame({"unique_id": "zero", "ds": ds, "y": 0.0}),
            pd.DataFrame({"unique_id": "one-point", "ds": ds[:1], "y": [4.0]}),
            pd.DataFrame({"unique_id": "one-demand", "ds": ds, "y": [0, 0, 3, 0, 0, 0.0]}),
            pd.DataFrame({"unique_id": "constant", "ds": ds, "y": 5.0}),
        ]
    )
    fc = qs.Forecaster(ALL, freq="D").fit(df)
    out = fc.predict(h=3, quantiles=[0.1, 0.5, 0.9])
    assert np.isfinite(out[["mean", "p10", "p50", "p90"]].to_numpy()).all()
    zero = out[out.unique_id == "zero"]
    assert (zero[["mean", "p10", "p50", "p90"]].to_numpy() == 0).all()
    const = out[out.unique_id == "constant"]
    assert (const[["p10", "p50", "p90"]].to_numpy() == 5).all()
    croston = out[(out.model == "Croston") & (out.unique_id == "one-demand")]
    assert croston["mean"].iloc[0] == pytest.approx(1.0)  # R: size / position


def test_specs_validate_pickle_and_persist(tmp_path, rng):
    with pytest.raises(qs.QuickstockError, match="alpha"):
        qs.Croston(alpha=0)
    with pytest.raises(qs.QuickstockError, match="alpha_p"):
        qs.TSB(alpha_d=0.1, alpha_p=1.5)
    with pytest.raises(qs.QuickstockError, match="integer"):
        qs.ADIDA(integer="yes")  # type: ignore[arg-type]
    assert repr(qs.TSB(0.1, 0.2, integer=True)) == "TSB(alpha_d=0.1, alpha_p=0.2, integer=True)"
    for m in ALL:
        assert pickle.loads(pickle.dumps(m.spec)) == m.spec
    df = _intermittent_panel(rng, 3)
    fc = qs.Forecaster(ALL, freq="D").fit(df)
    path = str(tmp_path / "fc.qs")
    fc.save(path)
    again = qs.Forecaster.load(path)
    pd.testing.assert_frame_equal(
        fc.predict(h=4, quantiles=[0.5, 0.9]), again.predict(h=4, quantiles=[0.5, 0.9])
    )


# Reached on tiny_m5 by benchmarks/python/tiny_m5_intermittent.py (scaled pinball vs the
# seasonal-naive baseline with empirical error quantiles): Croston -21.1%, CrostonSBA -22.4%,
# ADIDA -18.2%, IMAPA -17.4%, TSB(0.1, 0.1) -16.2%. The run is deterministic; the bounds leave
# one point for the platform's floating-point differences.
M5_RATIO_BOUND = {"Croston": -0.20, "CrostonSBA": -0.21, "ADIDA": -0.17, "IMAPA": -0.16, "TSB": -0.15}


def _bench_module():
    path = ROOT / "benchmarks" / "python" / "tiny_m5_intermittent.py"
    spec = importlib.util.spec_from_file_location("tiny_m5_intermittent", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_tiny_m5_accuracy_and_calibration():
    data = SHARED_DATA / "m5"
    if not (data / "tiny_m5_sales_d1_d1913.csv.gz").exists():
        pytest.skip(f"M5 data not found in {data} (set QUICKSTOCK_SHARED_DATA)")
    bench = _bench_module()
    train, truth = bench.load(data)
    models = bench.default_models()
    fc = pd.concat(
        [bench.forecast(train, models, 2), bench.seasonal_naive_baseline(train)], ignore_index=True
    )
    res = bench.score(fc, truth, train)
    base = res.loc["SeasonalNaiveEmp", "spl"]
    for model, bound in M5_RATIO_BOUND.items():
        assert res.loc[model, "spl"] / base - 1 <= bound, model
        # Every M5 level is calibrated as counts are (share < q <= tau + 0.02, share <= q >=
        # tau - 0.02), and so are P10/P50/P90 (checked below on their own forecast).
        for q in bench.LEVELS:
            assert bench.calibrated(res.loc[model], q), (model, q)
    p = qs.Forecaster(models, freq="D", n_jobs=2).fit(train).predict(h=bench.H, quantiles=[0.1, 0.5, 0.9])
    p = p.merge(truth, on=["unique_id", "ds"])
    assert len(p) == len(truth) * len(models)
    for model, g in p.groupby("model"):
        for q in (0.1, 0.5, 0.9):
            c = bench.qcol(q)
            assert (g.y < g[c]).mean() <= q + 0.02, (model, q)
            assert (g.y <= g[c]).mean() >= q - 0.02, (model, q)


def _stockout_panel(rng: np.random.Generator, n_series: int = 5, n: int = 3000) -> pd.DataFrame:
    """Demand occurs with probability 0.3, size 1 + Poisson(3) (mean 1.2/day); on 40% of days
    the shelf holds floor(U * 6) units and sales are capped there (flagged when the shelf ran
    empty, demand >= stock, as a store records it)."""
    frames = []
    ds = pd.date_range("2018-01-01", periods=n, freq="D")
    for i in range(n_series):
        demand = np.where(rng.uniform(size=n) < 0.3, 1.0 + rng.poisson(3.0, n), 0.0)
        stock = np.floor(rng.uniform(0.0, 6.0, n))
        short = (rng.uniform(size=n) < 0.4) & (demand >= stock)
        sales = np.where(short, stock, demand)
        frames.append(
            pd.DataFrame({"unique_id": f"S{i}", "ds": ds, "y": sales, "stockout": short, "demand": demand})
        )
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize(
    "model",
    [qs.Croston(alpha=0.02), qs.CrostonSBA(alpha=0.02), qs.TSB(alpha_d=0.02, alpha_p=0.005)],
    ids=lambda m: m.alias,
)
def test_censored_intermittent_recovers_demand(model):
    df = _stockout_panel(np.random.default_rng(11))
    train = df[["unique_id", "ds", "y", "stockout"]]
    cens = qs.Forecaster([model], freq="D", stockout_col="stockout").fit(train).predict(h=2, quantiles=[0.5, 0.9])
    zeros = train.assign(y=np.where(train["stockout"], 0.0, train["y"])).drop(columns="stockout")
    naive = qs.Forecaster([model], freq="D").fit(zeros).predict(h=2)
    truth = df[["unique_id", "ds"]].assign(y=df["demand"])
    oracle = qs.Forecaster([model], freq="D").fit(truth).predict(h=2)
    # Per series the censored fit is the oracle's (the same model on the true demand) up to a
    # few percent; on average both are near the true mean 1.2 (SBA: times 0.99).
    err = np.abs(cens["mean"].to_numpy() - oracle["mean"].to_numpy())
    assert err.max() < 0.06 * 1.2
    assert abs(cens["mean"].mean() - 1.2 * (0.99 if model.alias == "CrostonSBA" else 1.0)) < 0.1 * 1.2
    naive_err = np.abs(naive["mean"].to_numpy() - oracle["mean"].to_numpy())
    assert naive_err.min() > max(5 * err.max(), 0.2)
    # Quantiles stay integers, non-negative, ordered.
    assert (cens["p50"] == np.round(cens["p50"])).all() and (cens["p90"] >= cens["p50"]).all()
    # Bit-identical for any thread count; the available-quantity form gives the same fit.
    for n_jobs in (2, 4):
        again = qs.Forecaster([model], freq="D", stockout_col="stockout", n_jobs=n_jobs)
        pd.testing.assert_frame_equal(again.fit(train).predict(h=2, quantiles=[0.5, 0.9]), cens)
    avail = train.assign(available=np.where(train["stockout"], train["y"], train["y"] + 3.0))
    a = qs.Forecaster([model], freq="D", available_col="available").fit(avail.drop(columns="stockout"))
    pd.testing.assert_frame_equal(a.predict(h=2, quantiles=[0.5, 0.9]), cens)


def test_censored_intermittent_spec_pickle_save_and_refusal(tmp_path):
    df = _stockout_panel(np.random.default_rng(12), n_series=2, n=300)[["unique_id", "ds", "y", "stockout"]]
    fc = qs.Forecaster([qs.Croston(), qs.TSB(alpha_d=0.1, alpha_p=0.1)], freq="D", stockout_col="stockout")
    fc.fit(df)
    spec = qs.Croston()._core_spec(None, 0)
    assert spec.censor_column == 0 and pickle.loads(pickle.dumps(spec)) == spec
    assert repr(spec) == "Croston(alpha=0.1, integer=None, censor_column=0)"
    before = fc.predict(h=3, quantiles=[0.1, 0.9])
    fc.save(tmp_path / "fc")
    after = qs.Forecaster.load(tmp_path / "fc").predict(h=3, quantiles=[0.1, 0.9])
    pd.testing.assert_frame_equal(before, after)
    # Without a stockout day the censored fit is the plain one.
    plain = df.assign(stockout=False)
    a = qs.Forecaster([qs.Croston()], freq="D", stockout_col="stockout").fit(plain).predict(h=2)
    b = qs.Forecaster([qs.Croston()], freq="D").fit(plain.drop(columns="stockout")).predict(h=2)
    pd.testing.assert_frame_equal(a, b)
    for refused in (qs.ADIDA(), qs.IMAPA()):
        with pytest.raises(qs.QuickstockError, match=f"{refused.alias}.*stockout"):
            qs.Forecaster([refused], freq="D", stockout_col="stockout").fit(df)
