from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_panel

import quickstock as qs

BASELINES = [
    qs.Naive(),
    qs.SeasonalNaive(season_length=7),
    qs.HistoricAverage(),
    qs.WindowAverage(window_size=7),
    qs.SeasonalWindowAverage(season_length=7, window_size=2),
    qs.RandomWalkWithDrift(),
]


def test_predict_columns_rows_and_order(panel):
    fc = qs.Forecaster(models=[qs.Naive(), qs.SeasonalNaive(season_length=7)], freq="D", n_jobs=1)
    assert fc.fit(panel) is fc
    f = fc.predict(h=5, quantiles=[0.1, 0.5, 0.9])
    assert list(f.columns) == [
        "unique_id", "ds", "model", "mean", "p10", "p50", "p90", "store_id", "pincode", "category",
    ]
    n = panel.unique_id.nunique()
    assert len(f) == n * 5 * 2
    # series, then date, then model in the order given
    assert f.model.iloc[:4].tolist() == ["Naive", "SeasonalNaive", "Naive", "SeasonalNaive"]
    assert f.groupby("unique_id").ds.nunique().eq(5).all()
    last = panel.groupby("unique_id").ds.max()
    first_fc = f.groupby("unique_id").ds.min()
    assert (first_fc - last).eq(pd.Timedelta(days=1)).all()
    # attributes carried per series
    want = panel.groupby("unique_id").pincode.first()
    assert (f.set_index("unique_id").pincode.groupby(level=0).first() == want).all()


def test_default_quantiles_and_names():
    df = make_panel(np.random.default_rng(1), n_series=2)
    fc = qs.Forecaster([qs.Naive()], freq="D").fit(df)
    assert list(fc.predict(h=1).columns) == ["unique_id", "ds", "model", "mean", "p10", "p50", "p90"]
    g = fc.predict(h=2, quantiles=[0.025, 0.975, 0.005, 0.835])
    assert list(g.columns[4:]) == ["p2.5", "p97.5", "p0.5", "p83.5"]


@pytest.mark.parametrize("model", BASELINES, ids=lambda m: m.alias)
def test_quantiles_ordered_nonnegative_finite(model, rng):
    df = make_panel(rng, n_series=8, min_len=3, max_len=40)
    f = qs.Forecaster([model], freq="D").fit(df).predict(h=10, quantiles=[0.05, 0.1, 0.5, 0.9, 0.95])
    q = f[["p5", "p10", "p50", "p90", "p95"]].to_numpy()
    assert np.isfinite(q).all() and np.isfinite(f["mean"]).all()
    assert (q >= 0).all()
    assert (np.diff(q, axis=1) >= 0).all()


@pytest.mark.parametrize("model", BASELINES, ids=lambda m: m.alias)
def test_same_output_for_any_n_jobs_and_row_order(model, rng):
    df = make_panel(rng, n_series=37)
    a = qs.Forecaster([model], freq="D", n_jobs=1).fit(df).predict(h=9)
    b = qs.Forecaster([model], freq="D", n_jobs=4).fit(df).predict(h=9)
    c = qs.Forecaster([model], freq="D", n_jobs=-1).fit(df.sample(frac=1.0, random_state=3)).predict(h=9)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(a, c, check_exact=True)


def test_alias_names_the_model_column(panel):
    f = qs.Forecaster([qs.Naive(alias="last"), qs.Naive()], freq="D").fit(panel).predict(h=1)
    assert list(f.model.unique()) == ["last", "Naive"]
    assert repr(qs.SeasonalNaive(season_length=7, alias="sn")) == "SeasonalNaive(season_length=7, alias='sn')"


def test_naive_closed_form():
    df = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=5), "y": [1.0, 3, 2, 5, 4]})
    f = qs.Forecaster([qs.Naive()], freq="D").fit(df).predict(h=2, quantiles=[0.5, 0.975])
    sigma = np.sqrt(np.mean(np.diff(df.y) ** 2))
    np.testing.assert_allclose(f["mean"], [4, 4])
    np.testing.assert_allclose(f["p97.5"], 4 + 1.959963984540054 * sigma * np.sqrt([1, 2]), rtol=1e-12)


def test_attributes_as_numbers_and_text_are_carried(rng):
    df = make_panel(rng, n_series=3)
    df["pincode"] = df.unique_id.str.slice(4, 10).astype(int)  # numeric attribute
    df["zone"] = np.where(df.unique_id.str.endswith("0"), "West", "North")
    f = qs.Forecaster([qs.Naive()], freq="D").fit(df).predict(h=2)
    assert list(f.columns[-2:]) == ["pincode", "zone"]
    assert f.pincode.dtype == df.pincode.dtype


def test_covariates_are_detected(panel):
    fc = qs.Forecaster([qs.Naive()], freq="D").fit(panel)
    assert fc.prepared_.covariates == ["rain_mm", "promo"]
    assert fc.prepared_.panel.covariate_names == ["rain_mm", "promo"]


def test_x_df_is_validated_when_given(panel):
    fc = qs.Forecaster([qs.Naive()], freq="D").fit(panel)
    h = 3
    last = panel.groupby("unique_id").ds.max()
    future = pd.concat(
        [pd.DataFrame({"unique_id": u, "ds": pd.date_range(t + pd.Timedelta(days=1), periods=h), "rain_mm": 1.0, "promo": 0})
         for u, t in last.items()]
    )
    pd.testing.assert_frame_equal(fc.predict(h=h, X_df=future), fc.predict(h=h))
    with pytest.raises(qs.QuickstockError, match="no row for forecast step 3"):
        fc.predict(h=h, X_df=future[future.ds < future.groupby("unique_id").ds.transform("max")])


def test_unique_id_dtype_is_kept(rng):
    df = make_panel(rng, n_series=3)
    df["unique_id"] = df.unique_id.factorize()[0] + 100
    f = qs.Forecaster([qs.Naive()], freq="D").fit(df).predict(h=1)
    assert f.unique_id.tolist() == [100, 101, 102]


def test_cross_validation(rng):
    df = make_panel(rng, n_series=4, min_len=40, max_len=50)
    cv = qs.Forecaster([qs.Naive(), qs.HistoricAverage()], freq="D").cross_validation(
        df, h=3, n_windows=2, step_size=2, quantiles=[0.5]
    )
    assert list(cv.columns) == ["unique_id", "ds", "cutoff", "y", "model", "mean", "p50"]
    assert len(cv) == 4 * 2 * 3 * 2 and cv.groupby("unique_id").cutoff.nunique().eq(2).all()
    # Each window equals a fit on the truncated frame, and y are the held-out actuals.
    for (uid, cutoff), g in cv.groupby(["unique_id", "cutoff"]):
        s = df[df.unique_id == uid].sort_values("ds")
        train = s[s.ds <= cutoff]
        f = qs.Forecaster([qs.Naive(), qs.HistoricAverage()], freq="D").fit(train).predict(h=3, quantiles=[0.5])
        np.testing.assert_array_equal(g["mean"].to_numpy(), f["mean"].to_numpy())
        actual = s.set_index("ds").y.reindex(g.ds).to_numpy()
        np.testing.assert_array_equal(g.y.to_numpy(), actual)
        assert (g.ds > cutoff).all()


def test_forecast_one_call_equals_fit_predict(panel):
    fc = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D")
    pd.testing.assert_frame_equal(fc.forecast(panel, h=4, quantiles=[0.5]), fc.fit(panel).predict(h=4, quantiles=[0.5]))


@pytest.mark.parametrize(
    "freq,start,step",
    [
        ("h", "2024-03-01 00:00", pd.Timedelta(hours=1)),
        ("15min", "2024-03-01 06:00", pd.Timedelta(minutes=15)),
        ("W-SUN", "2024-01-07", pd.Timedelta(weeks=1)),
        ("W-MON", "2024-01-01", pd.Timedelta(weeks=1)),
        ("MS", "2023-01-01", pd.offsets.MonthBegin()),
        ("ME", "2023-01-31", pd.offsets.MonthEnd()),
        ("QS", "2020-01-01", pd.offsets.QuarterBegin(startingMonth=1)),
        ("YS", "2010-01-01", pd.offsets.YearBegin()),
    ],
    ids=lambda v: str(v),
)
def test_frequencies_continue_the_grid(freq, start, step):
    ds = pd.date_range(start, periods=12, freq=freq)
    df = pd.DataFrame({"unique_id": "s", "ds": ds, "y": np.arange(12.0)})
    f = qs.Forecaster([qs.Naive()], freq=freq).fit(df).predict(h=3)
    want = pd.date_range(start, periods=15, freq=freq)[-3:]
    assert list(f.ds) == list(want)


def test_integer_time_index():
    df = pd.DataFrame({"unique_id": ["a"] * 4, "ds": [10, 11, 12, 13], "y": [1.0, 2, 3, 4]})
    f = qs.Forecaster([qs.Naive()], freq=1).fit(df).predict(h=2)
    assert f.ds.tolist() == [14, 15]


def test_time_zone_aware_timestamps_round_trip():
    ds = pd.date_range("2024-01-01", periods=10, freq="D", tz="Asia/Kolkata")
    df = pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.ones(10)})
    f = qs.Forecaster([qs.Naive()], freq="D").fit(df).predict(h=2)
    assert str(f.ds.dt.tz) == "Asia/Kolkata"
    assert f.ds.iloc[0] == pd.Timestamp("2024-01-11", tz="Asia/Kolkata")


def test_string_timestamps_are_parsed(rng):
    df = make_panel(rng, n_series=2)
    text = df.assign(ds=df.ds.dt.strftime("%Y-%m-%d"))
    a = qs.Forecaster([qs.Naive()], freq="D").fit(df).predict(h=2)
    b = qs.Forecaster([qs.Naive()], freq="D").fit(text).predict(h=2)
    pd.testing.assert_frame_equal(a, b)


def test_polars_and_pyarrow_input(rng):
    df = make_panel(rng, n_series=3)
    want = qs.Forecaster([qs.Naive()], freq="D").fit(df).predict(h=2)
    pa = pytest.importorskip("pyarrow")
    got = qs.Forecaster([qs.Naive()], freq="D").fit(pa.Table.from_pandas(df)).predict(h=2)
    pd.testing.assert_frame_equal(want, got)
    pl = pytest.importorskip("polars")
    got = qs.Forecaster([qs.Naive()], freq="D").fit(pl.from_pandas(df)).predict(h=2)
    pd.testing.assert_frame_equal(want, got, check_dtype=False)


def test_custom_column_names(rng):
    df = make_panel(rng, n_series=2).rename(columns={"unique_id": "item", "ds": "date", "y": "sales"})
    f = qs.Forecaster([qs.Naive()], freq="D", id_col="item", time_col="date", target_col="sales").fit(df).predict(h=1)
    assert list(f.columns[:3]) == ["item", "date", "model"]


def test_short_series_fallbacks_are_finite():
    df = pd.DataFrame({"unique_id": ["a", "a", "b"], "ds": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-05"]), "y": [1.0, 2, 7]})
    f = qs.Forecaster([qs.SeasonalNaive(season_length=7), qs.SeasonalWindowAverage(season_length=7, window_size=2)], freq="D").fit(df).predict(h=3)
    assert np.isfinite(f[["mean", "p10", "p50", "p90"]].to_numpy()).all()
    assert f[f.unique_id == "b"]["mean"].eq(7).all()


def test_repr_and_version():
    assert repr(qs.Forecaster([qs.Naive()], freq="D")) == "Forecaster(models=[Naive()], freq='D', n_jobs=1)"
    assert qs.__version__.count(".") == 2
    assert issubclass(qs.QuickstockError, ValueError)
    assert issubclass(qs.InvalidInputError, qs.QuickstockError)
