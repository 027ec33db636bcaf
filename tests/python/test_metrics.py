"""qs.metrics and qs.evaluate: closed forms, layouts, bad input, and published M4/M5 scores.

The real-data tests read ../shared/data (skipped with the reason when absent) and compare with
the competitions' published tables, and per series with tests/reference/metrics (made by
make_metrics.py there, an independent numpy implementation).
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest
from conftest import REFERENCE, make_panel, shared

import quickstock as qs

# Two series, two models, integer time. Series "a": y 3 5 4; "b": y 0 2.
#   model M1: a -> 2 6 2 (errors 1 -1 2), b -> 0 0 (errors 0 2)
#   model M2: a -> 3 5 4 (perfect),       b -> 1 1 (errors -1 1)
_ROWS = [
    # unique_id, ds, model, mean, p10, p90, y
    ("a", 1, "M1", 2.0, 1.0, 4.0, 3.0),
    ("a", 1, "M2", 3.0, 2.0, 4.0, 3.0),
    ("a", 2, "M1", 6.0, 5.0, 7.0, 5.0),
    ("a", 2, "M2", 5.0, 4.0, 6.0, 5.0),
    ("a", 3, "M1", 2.0, 1.0, 3.0, 4.0),
    ("a", 3, "M2", 4.0, 3.0, 5.0, 4.0),
    ("b", 1, "M1", 0.0, 0.0, 1.0, 0.0),
    ("b", 1, "M2", 1.0, 0.5, 1.5, 0.0),
    ("b", 2, "M1", 0.0, 0.0, 1.0, 2.0),
    ("b", 2, "M2", 1.0, 0.5, 3.0, 2.0),
]
# In-sample data: a -> 1 2 3 5 4 (|diff| 1 1 2 1), b -> 0 0 2 4 1 (|diff| 0 2 2 3), at ds -4..0.
# The rows at ds >= 1 are the evaluated period and must not enter the scales.
_TRAIN = pd.DataFrame(
    {
        "unique_id": ["a"] * 8 + ["b"] * 7,
        "ds": [-4, -3, -2, -1, 0, 1, 2, 3, -4, -3, -2, -1, 0, 1, 2],
        "y": [1.0, 2, 3, 5, 4, 3, 5, 4, 0, 0, 2, 4, 1, 0, 2],
    }
)


@pytest.fixture
def fcst() -> pd.DataFrame:
    cols = ["unique_id", "ds", "model", "mean", "p10", "p90", "y"]
    df = pd.DataFrame(_ROWS, columns=cols)
    return df.sample(frac=1.0, random_state=3).reset_index(
        drop=True
    )  # row order is irrelevant


def _value(out: pd.DataFrame, uid: str, model: str, col: str) -> float:
    row = out[(out.unique_id == uid) & (out.model == model)]
    assert len(row) == 1
    return float(row[col].iloc[0])


# -- closed forms --------------------------------------------------------------------------------


def test_point_metrics_closed_forms(fcst):
    mae = qs.metrics.mae(fcst)
    assert mae.columns.tolist() == ["unique_id", "model", "mae"]
    assert mae.unique_id.tolist() == ["a", "a", "b", "b"]
    assert _value(mae, "a", "M1", "mae") == pytest.approx(4 / 3, rel=1e-15)
    assert _value(mae, "a", "M2", "mae") == 0.0
    assert _value(mae, "b", "M1", "mae") == pytest.approx(1.0, rel=1e-15)
    rmse = qs.metrics.rmse(fcst, models=["M1"])
    assert rmse.model.tolist() == ["M1", "M1"]
    assert _value(rmse, "a", "M1", "rmse") == pytest.approx(np.sqrt(2.0), rel=1e-15)
    smape = qs.metrics.smape(fcst)
    expected = (200 / 5 + 200 / 11 + 400 / 6) / 3
    assert _value(smape, "a", "M1", "smape") == pytest.approx(expected, rel=1e-14)
    assert _value(smape, "b", "M1", "smape") == pytest.approx(
        100.0, rel=1e-15
    )  # 0/0 counts 0
    wape = qs.metrics.wape(fcst)
    assert _value(wape, "a", "M1", "wape") == pytest.approx(4 / 12, rel=1e-15)
    assert _value(wape, "b", "M2", "wape") == pytest.approx(1.0, rel=1e-15)


def test_median_column_as_point_forecast(fcst):
    fcst = fcst.assign(p50=fcst["mean"] + 1.0)
    out = qs.metrics.mae(fcst, forecast_col="p50")
    assert _value(out, "a", "M2", "mae") == pytest.approx(1.0, rel=1e-15)


def test_scaled_metrics_use_in_sample_rows_before_the_evaluated_period(fcst):
    mase = qs.metrics.mase(fcst, train_df=_TRAIN)
    assert _value(mase, "a", "M1", "mase") == pytest.approx(
        (4 / 3) / (5 / 4), rel=1e-15
    )
    assert _value(mase, "b", "M1", "mase") == pytest.approx(1.0 / (7 / 4), rel=1e-15)
    mase2 = qs.metrics.mase(fcst, train_df=_TRAIN, seasonality=2)
    assert _value(mase2, "a", "M1", "mase") == pytest.approx((4 / 3) / 2.0, rel=1e-15)
    # RMSSE (M5): the scale starts at the first non-zero value: b -> 2 4 1.
    rmsse = qs.metrics.rmsse(fcst, train_df=_TRAIN)
    assert _value(rmsse, "b", "M1", "rmsse") == pytest.approx(
        np.sqrt(2.0) / np.sqrt((4 + 9) / 2), rel=1e-15
    )
    plain = qs.metrics.rmsse(fcst, train_df=_TRAIN, skip_leading_zeros=False)
    assert _value(plain, "b", "M1", "rmsse") == pytest.approx(
        np.sqrt(2.0) / np.sqrt((0 + 4 + 4 + 9) / 4), rel=1e-15
    )
    # Given scales instead of training data: mapping, Series or frame.
    for scale in (
        {"a": 2.0, "b": 4.0},
        pd.Series({"a": 2.0, "b": 4.0}),
        pd.DataFrame({"unique_id": ["b", "a"], "scale": [4.0, 2.0]}),
    ):
        out = qs.metrics.mase(fcst, scale=scale)
        assert _value(out, "a", "M1", "mase") == pytest.approx(2 / 3, rel=1e-15)
        assert _value(out, "b", "M1", "mase") == pytest.approx(0.25, rel=1e-15)


def test_quantile_and_interval_metrics_closed_forms(fcst):
    pin = qs.metrics.pinball(fcst)
    assert pin.columns.tolist() == ["unique_id", "model", "pinball_p10", "pinball_p90"]
    # a/M1: y 3 5 4 vs p10 1 5 1 -> u = 2 0 3 (all >= 0): 0.1 * 5 / 3
    assert _value(pin, "a", "M1", "pinball_p10") == pytest.approx(
        0.1 * 5 / 3, rel=1e-15
    )
    # a/M1: y 3 5 4 vs p90 4 7 3 -> u = -1 -2 1: (0.1 + 0.2 + 0.9) / 3
    assert _value(pin, "a", "M1", "pinball_p90") == pytest.approx(1.2 / 3, rel=1e-14)
    crps = qs.metrics.crps(fcst)
    assert _value(crps, "a", "M1", "crps") == pytest.approx(
        0.1 * 5 / 3 + 1.2 / 3, rel=1e-14
    )
    cov = qs.metrics.coverage(fcst)
    assert cov.columns.tolist() == ["unique_id", "model", "coverage_80"]
    assert _value(cov, "a", "M1", "coverage_80") == pytest.approx(
        2 / 3, rel=1e-15
    )  # not 4
    assert _value(cov, "b", "M2", "coverage_80") == pytest.approx(0.5, rel=1e-15)
    msis = qs.metrics.msis(fcst, train_df=_TRAIN)
    # a/M1 80%: widths 3 2 2, penalties 2/0.2 * (4 - 3) at t = 3; scale 5/4
    assert _value(msis, "a", "M1", "msis_80") == pytest.approx(
        (7 + 10) / 3 / 1.25, rel=1e-14
    )
    spl = qs.metrics.scaled_pinball(fcst, quantiles=[0.9], train_df=_TRAIN)
    assert _value(spl, "a", "M1", "scaled_pinball_p90") == pytest.approx(
        1.2 / 3 / 1.25, rel=1e-14
    )


def test_crps_of_the_median_alone_is_the_mae(fcst):
    fcst = fcst.assign(p50=fcst["mean"])
    crps = qs.metrics.crps(fcst, quantiles=[0.5])
    mae = qs.metrics.mae(fcst)
    np.testing.assert_allclose(crps.crps, mae.mae, rtol=1e-15)


def test_weighted_aggregates(fcst):
    weights = {"a": 0.25, "b": 0.75}
    out = qs.metrics.wrmsse(
        fcst, ["M1", "M2"], weights=weights, scale={"a": 2.0, "b": 1.0}
    )
    assert out.columns.tolist() == ["model", "wrmsse"]
    assert out.model.tolist() == ["M1", "M2"]  # in the order given
    m1 = 0.25 * np.sqrt(2.0) / 2.0 + 0.75 * np.sqrt(2.0) / 1.0
    m2 = 0.25 * 0.0 + 0.75 * 1.0
    np.testing.assert_allclose(out.wrmsse, [m1, m2], rtol=1e-15)
    per = qs.metrics.scaled_pinball(fcst, scale={"a": 2.0, "b": 1.0})
    wspl = qs.metrics.wspl(
        fcst,
        weights=pd.DataFrame({"unique_id": ["a", "b"], "weight": [0.25, 0.75]}),
        scale={"a": 2.0, "b": 1.0},
    )
    for model in ("M1", "M2"):
        p = per[per.model == model].set_index("unique_id")
        mean_spl = p[["scaled_pinball_p10", "scaled_pinball_p90"]].mean(axis=1)
        expected = 0.25 * mean_spl["a"] + 0.75 * mean_spl["b"]
        assert float(wspl[wspl.model == model].wspl.iloc[0]) == pytest.approx(
            expected, rel=1e-14
        )


def test_statsforecast_wide_layout_matches_the_long_one(fcst):
    wide = fcst.pivot_table(
        index=["unique_id", "ds", "y"], columns="model", values="mean"
    )
    wide = wide.reset_index()
    wide.columns.name = None
    out = qs.metrics.mase(wide, models=["M1", "M2"], train_df=_TRAIN)
    long = qs.metrics.mase(fcst, train_df=_TRAIN)
    out, long = out.sort_values(["unique_id", "model"]), long.sort_values(
        ["unique_id", "model"]
    )
    np.testing.assert_allclose(out.mase, long.mase, rtol=1e-15)
    assert out.model.tolist() == long.model.tolist()
    with pytest.raises(qs.QuickstockError, match="long layout"):
        qs.metrics.pinball(wide, models=["M1"])
    with pytest.raises(qs.QuickstockError, match="models="):
        qs.metrics.mae(wide)


def test_results_do_not_depend_on_threads(rng):
    df = make_panel(rng, n_series=40, min_len=30, max_len=60)
    fc = qs.Forecaster([qs.Naive(), qs.SeasonalNaive(7)], freq="D")
    cv = fc.cross_validation(df, h=7, n_windows=2, quantiles=[0.1, 0.5, 0.9])
    one = qs.evaluate(cv, metrics=["mase", "crps", "wape"], train_df=df, seasonality=7)
    four = qs.evaluate(
        cv, metrics=["mase", "crps", "wape"], train_df=df, seasonality=7, n_jobs=4
    )
    pd.testing.assert_frame_equal(one, four)


# -- quickstock's outputs ------------------------------------------------------------------------


def _split(df: pd.DataFrame, h: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    back = df.groupby("unique_id").cumcount(ascending=False)
    return df[back >= h].reset_index(drop=True), df[back < h].reset_index(drop=True)


def test_evaluate_predict_with_actuals(rng):
    df = make_panel(rng, n_series=4, min_len=30, max_len=45)
    train, test = _split(df, 7)
    fc = qs.Forecaster([qs.Naive(), qs.SeasonalNaive(7)], freq="D").fit(train)
    fcst = fc.predict(h=7, quantiles=[0.05, 0.5, 0.95])
    out = qs.evaluate(fcst, test, ["mae", "mase", "coverage"], train, seasonality=7)
    assert out.columns.tolist() == ["unique_id", "model", "metric", "value"]
    assert set(out.metric) == {"mae", "mase", "coverage_90"}
    merged = fcst.merge(test, on=["unique_id", "ds"])
    for (uid, model), g in merged.groupby(["unique_id", "model"]):
        x = train[train.unique_id == uid].y.to_numpy()
        mae = np.mean(np.abs(g.y - g["mean"]))
        got = (
            out[(out.unique_id == uid) & (out.model == model)].set_index("metric").value
        )
        assert got["mae"] == pytest.approx(mae, rel=1e-14)
        assert got["mase"] == pytest.approx(
            mae / np.mean(np.abs(x[7:] - x[:-7])), rel=1e-14
        )
    agg = qs.evaluate(fcst, test, ["mae"], aggregate=True)
    assert agg.columns.tolist() == ["model", "metric", "value"]
    assert agg.value.tolist() == pytest.approx(
        out[out.metric == "mae"].groupby("model", sort=False).value.mean().tolist(),
        rel=1e-15,
    )


def test_evaluate_cross_validation_scales_each_window_by_its_own_history(rng):
    df = make_panel(rng, n_series=3, min_len=30, max_len=40)
    cv = qs.Forecaster([qs.Naive()], freq="D").cross_validation(df, h=5, n_windows=3)
    out = qs.evaluate(cv, metrics=["mase"], train_df=df, seasonality=7)
    assert out.columns.tolist() == ["unique_id", "cutoff", "model", "metric", "value"]
    assert len(out) == 3 * 3
    for (uid, cutoff), g in cv.groupby(["unique_id", "cutoff"]):
        x = df[(df.unique_id == uid) & (df.ds <= cutoff)].y.to_numpy()
        expected = np.mean(np.abs(g.y - g["mean"])) / np.mean(np.abs(x[7:] - x[:-7]))
        got = out[(out.unique_id == uid) & (out.cutoff == cutoff)].value
        assert float(got.iloc[0]) == pytest.approx(expected, rel=1e-14)


def test_evaluate_takes_callables_and_weighted_metrics(fcst):
    half = functools.partial(qs.metrics.coverage, level=80)

    def bias(df, models=None, model_col="model"):
        g = df.assign(e=df["mean"] - df["y"]).groupby(
            ["unique_id", model_col], as_index=False
        )
        return g.e.mean().rename(columns={"e": "bias"})

    out = qs.evaluate(
        fcst,
        metrics=["mae", half, bias, "wrmsse"],
        weights={"a": 0.5, "b": 0.5},
        scale={"a": 1.0, "b": 1.0},
    )
    assert set(out.metric) == {"mae", "coverage_80", "bias", "wrmsse"}
    w = out[out.metric == "wrmsse"]
    assert w.unique_id.isna().all() and sorted(w.model) == ["M1", "M2"]
    bias_a1 = out[
        (out.metric == "bias") & (out.unique_id == "a") & (out.model == "M1")
    ].value
    assert float(bias_a1.iloc[0]) == pytest.approx(-2 / 3, rel=1e-15)


# -- bad input -----------------------------------------------------------------------------------


def test_nan_actual_names_the_series_row_and_column(fcst):
    fcst.loc[4, "y"] = np.nan
    with pytest.raises(qs.QuickstockError) as err:
        qs.metrics.mae(fcst)
    e = err.value
    assert isinstance(e, qs.InvalidInputError)
    assert (e.series_id, e.row, e.field) == (str(fcst.unique_id[4]), 4, "y")
    assert "must be finite" in str(e)


def test_nan_forecast_and_quantile_are_named(fcst):
    fcst.loc[2, "p90"] = np.nan
    with pytest.raises(qs.InvalidInputError, match=r'row 2 field "p90"'):
        qs.metrics.coverage(fcst)
    fcst.loc[3, "mean"] = np.inf
    with pytest.raises(qs.InvalidInputError, match=r'row 3 field "mean"'):
        qs.metrics.rmse(fcst)


def test_zero_scale_names_the_series(fcst):
    train = _TRAIN.copy()
    train.loc[train.unique_id == "b", "y"] = 5.0  # constant history: no scale
    with pytest.raises(qs.InvalidInputError) as err:
        qs.metrics.mase(fcst, train_df=train)
    assert err.value.series_id == "b" and err.value.field == "scale"
    with pytest.raises(qs.InvalidInputError, match='series "a" field "scale"'):
        qs.metrics.rmsse(fcst, scale={"a": 0.0, "b": 1.0})


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda f: qs.metrics.mae(f.drop(columns=["y"])), "missing column 'y'"),
        (lambda f: qs.metrics.mae(f, models=["M3"]), "model 'M3' is not in"),
        (lambda f: qs.metrics.mase(f), "train_df="),
        (lambda f: qs.metrics.mase(f, train_df=_TRAIN, scale={"a": 1.0}), "not both"),
        (lambda f: qs.metrics.mase(f, scale={"a": 1.0}), 'series "b".*no scale'),
        (lambda f: qs.metrics.mase(f, train_df=_TRAIN, seasonality=0), "seasonality"),
        (
            lambda f: qs.metrics.mase(f, train_df=_TRAIN, seasonality=5),
            'series "a".*at least',
        ),
        (lambda f: qs.metrics.pinball(f, quantiles=[0.5]), "no column 'p50'"),
        (lambda f: qs.metrics.coverage(f, level=95), "no column 'p2.5'"),
        (lambda f: qs.metrics.coverage(f, level=120), "percentage"),
        (lambda f: qs.metrics.wrmsse(f, scale={"a": 1.0, "b": 1.0}), "weights="),
        (
            lambda f: qs.metrics.wrmsse(
                f, scale={"a": 1, "b": 1}, weights={"a": 1, "b": -1}
            ),
            'series "b" field "weight"',
        ),
        (lambda f: qs.evaluate(f, metrics=["mape"]), "unknown metric 'mape'"),
        (lambda f: qs.evaluate(f, metrics=["mae", "mae"]), "computed twice"),
        (lambda f: qs.evaluate(f, metrics=[lambda df: 1.0]), "not a DataFrame"),
        (lambda f: qs.evaluate(f, actuals=f), "already have an actuals column"),
        (
            lambda f: qs.metrics.mae(
                f.assign(y=f.y.astype(object).where(f.index != 1, "x"))
            ),
            r'row 1 field "y": must be a number',
        ),
        (lambda f: qs.metrics.mae(f, n_jobs=0), "n_jobs"),
    ],
    ids=[
        "missing-y",
        "unknown-model",
        "no-train",
        "train-and-scale",
        "scale-missing-series",
        "seasonality-0",
        "history-too-short",
        "quantile-column-missing",
        "interval-missing",
        "level-out-of-range",
        "no-weights",
        "negative-weight",
        "unknown-metric",
        "duplicate-metric",
        "callable-returns-number",
        "actuals-twice",
        "text-actual",
        "n_jobs-0",
    ],
)
def test_bad_input_raises_quickstock_error(fcst, call, match):
    with pytest.raises(qs.QuickstockError, match=match):
        call(fcst)


def test_missing_actual_row_is_named(rng):
    df = make_panel(rng, n_series=2, min_len=20, max_len=20)
    train, test = _split(df, 3)
    fcst = qs.Forecaster([qs.Naive()], freq="D").fit(train).predict(h=3)
    with pytest.raises(qs.InvalidInputError) as err:
        qs.evaluate(fcst, test.iloc[1:], ["mae"])
    assert err.value.series_id == str(test.unique_id.iloc[0]) and "no value" in str(
        err.value
    )
    nan_test = test.assign(y=np.where(test.index == 4, np.nan, test.y))
    with pytest.raises(qs.InvalidInputError, match="must be finite"):
        qs.evaluate(fcst, nan_test, ["mae"])


# -- published values: M4 Hourly -----------------------------------------------------------------


def _m4_hourly() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(train, test, benchmark forecasts) as long frames with integer ds."""
    base = shared("m4")
    wide = pd.read_csv(base / "Hourly-train.csv.gz")
    train = wide.melt(id_vars="V1", var_name="col", value_name="y").dropna()
    train["ds"] = train["col"].str[1:].astype(np.int64) - 1
    train = train.rename(columns={"V1": "unique_id"})[["unique_id", "ds", "y"]]
    n = train.groupby("unique_id").ds.max().rename("last")
    test = pd.read_csv(base / "Hourly-test.csv.gz").melt(
        id_vars="V1", var_name="col", value_name="y"
    )
    test = test.rename(columns={"V1": "unique_id"})
    test["ds"] = (
        test["col"].str[1:].astype(np.int64) - 1 + test.unique_id.map(n).to_numpy()
    )
    bench = pd.read_csv(base / "benchmark_point_forecasts_HDW.csv.gz")
    bench = bench[bench["id"].str.startswith("H")]
    fcst = bench.melt(id_vars=["method", "id"], var_name="col", value_name="mean")
    fcst = fcst.rename(columns={"id": "unique_id", "method": "model"})
    fcst["ds"] = fcst["col"].str[1:].astype(np.int64) + fcst.unique_id.map(n).to_numpy()
    fcst = fcst[["unique_id", "ds", "model", "mean"]].dropna()
    return train, test[["unique_id", "ds", "y"]], fcst


def _published(name: str, row: str, col: str) -> float:
    table = pd.read_csv(shared("m4", "results", name)).set_index("User ID")
    return float(table.loc[row, col])


def test_m4_hourly_smape_and_mase_of_the_official_benchmarks():
    train, test, fcst = _m4_hourly()
    assert train.unique_id.nunique() == 414
    out = qs.evaluate(
        fcst, test, ["smape", "mase"], train, seasonality=24, aggregate=True
    )
    got = out.set_index(["model", "metric"]).value
    for method in ["Naive", "sNaive", "Naive2", "SES"]:
        for metric, col in [("smape", "sMAPE_Hourly"), ("mase", "MASE_Hourly")]:
            published = _published("point_forecasts_by_frequency.csv", method, col)
            # The table has 3 decimals: ours must round to it.
            assert abs(got[(method, metric)] - published) <= 0.0005 + 1e-12, (
                method,
                metric,
            )
    # Per series, against the independent numpy computation in tests/reference/metrics.
    ref = pd.read_csv(REFERENCE / "metrics" / "m4_hourly_benchmarks.csv")
    per = qs.evaluate(fcst, test, ["smape", "mase"], train, seasonality=24)
    per = per.pivot_table(
        index=["unique_id", "model"], columns="metric", values="value"
    )
    ref = ref.set_index(["id", "method"]).loc[per.index]
    np.testing.assert_allclose(per["smape"], ref["smape"], rtol=1e-12)
    np.testing.assert_allclose(per["mase"], ref["mase"], rtol=1e-12)


def test_m4_hourly_msis_of_the_naive_benchmark():
    """MSIS and ACD of Naive's 95% intervals (R forecast::naive, which quickstock's Naive
    reproduces) around the official Naive point forecasts: published 71.245 and 0.011.
    """
    train, test, fcst = _m4_hourly()
    fitted = qs.Forecaster([qs.Naive()], freq=1).fit(train)
    # The M4 intervals are not censored at zero: raw Gaussian quantiles through the core.
    _, mean, quant = fitted.fitted_[0].forecast(48, [0.025, 0.975], False, 1)
    ids = fitted.prepared_.ids
    last = train.groupby("unique_id").ds.max().loc[ids].to_numpy()
    ours = pd.DataFrame(
        {
            "unique_id": np.repeat(ids, 48),
            "ds": (last[:, None] + np.arange(1, 49)[None, :]).reshape(-1),
            "model": "Naive",
            "mean": mean.reshape(-1),
            "p2.5": quant[:, :, 0].reshape(-1),
            "p97.5": quant[:, :, 1].reshape(-1),
        }
    )
    official = fcst[fcst.model == "Naive"].merge(ours, on=["unique_id", "ds", "model"])
    np.testing.assert_allclose(
        official.mean_x, official.mean_y, rtol=1e-12
    )  # same point forecast
    out = qs.evaluate(
        ours, test, ["msis", "coverage"], train, seasonality=24, aggregate=True
    )
    got = out.set_index("metric").value
    msis = _published("prediction_intervals_by_frequency.csv", "Naive", "MSIS_Hourly")
    acd = _published("prediction_intervals_by_frequency.csv", "Naive", "ACD_Hourly")
    assert abs(got["msis_95"] - msis) <= 0.0005 + 1e-12
    assert abs(abs(got["coverage_95"] - 0.95) - acd) <= 0.0005 + 1e-12
    ref = pd.read_csv(REFERENCE / "metrics" / "m4_hourly_benchmarks.csv")
    ref = ref[ref.method == "Naive"]
    assert got["msis_95"] == pytest.approx(ref.msis95.mean(), rel=1e-9)
    assert got["coverage_95"] == pytest.approx(ref.coverage95.mean(), rel=1e-12)


# -- published values: M5 ------------------------------------------------------------------------

_M5_LEVELS = {
    1: lambda p: pd.Series("Total", index=p.index),
    2: lambda p: p.state,
    3: lambda p: p.store,
    4: lambda p: p.cat,
    5: lambda p: p.dept,
    6: lambda p: p.state + "_" + p.cat,
    7: lambda p: p.state + "_" + p.dept,
    8: lambda p: p.store + "_" + p.cat,
    9: lambda p: p.store + "_" + p.dept,
}


def test_m5_wrmsse_of_the_rank10_submission_levels_1_to_9():
    """Levels 1-9 from the bottom-level submission summed up; levels 10-12 need the bottom-level
    training history for their scales, which ../shared/data does not have."""
    base = shared("m5")
    sub = pd.read_csv(base / "submission_rank10_DenisKokosinskiy_STU_evaluation.csv.gz")
    parts = sub["id"].str.split(
        "_", expand=True
    )  # CAT_DEPT_ITEM_STATE_STORE_evaluation
    keys = pd.DataFrame(
        {
            "cat": parts[0],
            "dept": parts[0] + "_" + parts[1],
            "state": parts[3],
            "store": parts[3] + "_" + parts[4],
        }
    )
    fcols = [f"F{j}" for j in range(1, 29)]
    truth = pd.read_csv(base / "levels1to9_test_truth_d1942_d1969.csv")
    scales = pd.read_csv(base / "levels1to9_rmsse_scale.csv")
    weights = pd.read_csv(base / "weights_evaluation.csv.gz")
    weights["unique_id"] = np.where(
        weights.Agg_Level_2 == "X",
        weights.Agg_Level_1,
        weights.Agg_Level_1 + "_" + weights.Agg_Level_2,
    )
    published = pd.read_csv(base / "results" / "accuracy_top50_al.csv").set_index(
        "Team"
    )
    ref = pd.read_csv(REFERENCE / "metrics" / "m5_rank10_levels1to9.csv")
    for level, key in _M5_LEVELS.items():
        agg = sub[fcols].groupby(key(keys).to_numpy()).sum()
        fc = agg.reset_index(names="unique_id").melt(
            id_vars="unique_id", var_name="h", value_name="mean"
        )
        fc["ds"] = 1941 + fc.h.str[1:].astype(np.int64)
        t = truth[truth.level == level].rename(columns={"series": "unique_id"})
        actual = t.drop(columns=["level", "level_name"]).melt(
            id_vars="unique_id", var_name="d", value_name="y"
        )
        actual["ds"] = actual.d.str[2:].astype(np.int64)
        df = fc.merge(actual[["unique_id", "ds", "y"]], on=["unique_id", "ds"]).assign(
            model="rank10"
        )
        s = scales[scales.level == level].set_index("series").scale_rms_naive1
        w = weights[weights.Level_id == f"Level{level}"][["unique_id", "weight"]]
        out = qs.metrics.wrmsse(df, weights=w, scale=s)
        expected = float(published.loc["DenisKokosinskiy_STU", f"WRMSSE_L{level}"])
        assert float(out.wrmsse.iloc[0]) == pytest.approx(expected, rel=1e-9), level
        per = qs.metrics.rmsse(df, scale=s).set_index("unique_id").rmsse
        r = ref[ref.level == level].set_index("series").rmsse
        np.testing.assert_allclose(per.loc[r.index], r, rtol=1e-12)
    assert float(published.loc["DenisKokosinskiy_STU", "WRMSSE_L1"]) == pytest.approx(
        0.294043, abs=5e-7
    )
