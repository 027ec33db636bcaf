"""FeaturePipeline and its steps: hand-checked values, pandas equivalence, the fit/transform
round trip and error cases."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import quickstock as qs

WEATHER = os.path.join(
    os.path.dirname(__file__),
    "..",
    "..",
    "..",
    "shared",
    "data",
    "hyderabad_weather",
    "openmeteo_daily_2015_2025.csv.gz",
)
if not os.path.exists(WEATHER):
    WEATHER = "/work/wt/shared/data/hyderabad_weather/openmeteo_daily_2015_2025.csv.gz"


@pytest.fixture(scope="module")
def weather() -> pd.DataFrame:
    if not os.path.exists(WEATHER):
        pytest.skip("../shared/data/hyderabad_weather is not present")
    return pd.read_csv(WEATHER)


def panel(
    start: str, periods: int, freq: str = "D", ids=("a", "b"), seed: int = 0
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    parts = []
    for i, uid in enumerate(ids):
        n = periods - 3 * i  # ragged
        ds = pd.date_range(start, periods=n, freq=freq)
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": ds,
                    "y": rng.poisson(5, n).astype(float),
                    "price": np.round(rng.choice([9.0, 10.0, 10.0, 10.0, 8.0], n), 2),
                    "promo": rng.integers(0, 2, n).astype(float),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def run(steps, df, freq="D", **kw):
    return qs.FeaturePipeline(steps, freq=freq, **kw).fit_transform(df)


# -- calendar -------------------------------------------------------------------------------


def test_calendar_equals_pandas():
    rng = np.random.default_rng(1)
    ds = pd.to_datetime("2015-01-01") + pd.to_timedelta(
        rng.integers(0, 16 * 365 * 24, 3000), unit="h"
    )
    ds = pd.DatetimeIndex(np.unique(ds.values))
    df = pd.DataFrame({"unique_id": "s", "ds": ds, "y": 1.0})
    feats = [
        "dayofweek",
        "hour",
        "month",
        "dayofmonth",
        "dayofyear",
        "weekofyear",
        "weekend",
        "month_start",
        "month_end",
        "payday",
    ]
    spec = qs.CalendarFeatures(features=feats, paydays=[1, 15, 31, "last"])
    out = qs.pipeline.calendar_columns(ds.values.astype("datetime64[ns]"), spec)
    np.testing.assert_array_equal(out["dayofweek"], ds.day_of_week)
    np.testing.assert_array_equal(out["hour"], ds.hour)
    np.testing.assert_array_equal(out["month"], ds.month)
    np.testing.assert_array_equal(out["dayofmonth"], ds.day)
    np.testing.assert_array_equal(out["dayofyear"], ds.day_of_year)
    np.testing.assert_array_equal(out["weekofyear"], ds.isocalendar().week.to_numpy())
    np.testing.assert_array_equal(out["weekend"], ds.day_of_week >= 5)
    np.testing.assert_array_equal(out["month_start"], ds.day <= 7)
    np.testing.assert_array_equal(out["month_end"], ds.day > ds.days_in_month - 3)
    pay = (
        (ds.day == 1)
        | (ds.day == 15)
        | (ds.day == np.minimum(31, ds.days_in_month))
        | ds.is_month_end
    )
    np.testing.assert_array_equal(out["payday"], pay)


def test_calendar_hand_checked_and_one_hot():
    df = pd.DataFrame(
        {"unique_id": "s", "ds": pd.date_range("2024-02-26", "2024-03-03"), "y": 1.0}
    )
    X = run(
        [
            qs.CalendarFeatures(
                ["dayofweek", "payday", "month_start"], paydays=[30], one_hot=True
            )
        ],
        df,
    )
    # 2024-02-26 is a Monday; February 2024 has 29 days so payday 30 falls on the 29th
    assert list(X.columns[3:9]) == [f"dayofweek_{d}" for d in range(1, 7)]
    assert X.loc[0, ["dayofweek_1", "dayofweek_2"]].sum() == 0  # Monday is the baseline
    assert X.loc[6, "dayofweek_6"] == 1.0  # Sunday 2024-03-03
    assert X["payday"].tolist() == [0, 0, 0, 1, 0, 0, 0]
    assert X["month_start"].tolist() == [0, 0, 0, 0, 1, 1, 1]


# -- Fourier ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "freq,period,K",
    [("D", 7, 3), ("D", 365.25, 4), ("h", 24, 12), ("h", 168, 3)],
    ids=["D-7", "D-365.25", "h-24", "h-168"],
)
def test_fourier_closed_form(freq, period, K):
    df = panel("2023-12-25", 500, freq)
    X = run([qs.FourierTerms(period, K)], df, freq=freq)
    unit = pd.Timedelta(1, unit="D" if freq == "D" else "h")
    t = ((X["ds"] - pd.Timestamp("1970-01-01")) / unit).to_numpy()
    name = f"fourier{period}"
    for k in range(1, K + 1):
        if 2 * k != period:
            np.testing.assert_allclose(
                X[f"{name}_sin{k}"], np.sin(2 * np.pi * k * t / period), atol=1e-9
            )
        np.testing.assert_allclose(
            X[f"{name}_cos{k}"], np.cos(2 * np.pi * k * t / period), atol=1e-9
        )
    if freq == "h" and period == 24:
        assert f"{name}_sin12" not in X  # sin(pi t) == 0 on integers
        six = X["ds"].dt.hour == 6
        np.testing.assert_allclose(X.loc[six, f"{name}_sin1"], 1.0, atol=1e-12)


def test_fourier_bad_arguments():
    with pytest.raises(qs.QuickstockError, match='field "K"'):
        qs.FourierTerms(7, 4)
    with pytest.raises(qs.QuickstockError, match='field "period"'):
        qs.FourierTerms(1)


# -- events -----------------------------------------------------------------------------------


def test_diwali_2024_window_hand_checked():
    df = pd.DataFrame(
        {"unique_id": "s", "ds": pd.date_range("2024-10-20", "2024-11-10"), "y": 1.0}
    )
    step = qs.EventFeatures(
        festivals="IN-TG",
        names=["Diwali (Deepavali)"],
        window=(-3, 1),
        days_to=True,
        days_since=True,
    )
    X = run([step], df).set_index("ds")
    assert step.feature_names_ == [
        "diwali_m3",
        "diwali_m2",
        "diwali_m1",
        "diwali",
        "diwali_p1",
        "diwali_days_to",
        "diwali_days_since",
    ]
    # Diwali 2024 was on Thursday 31 October (Telangana GAD list)
    for col, day in [
        ("diwali_m3", "2024-10-28"),
        ("diwali_m2", "2024-10-29"),
        ("diwali_m1", "2024-10-30"),
        ("diwali", "2024-10-31"),
        ("diwali_p1", "2024-11-01"),
    ]:
        assert X[col].sum() == 1.0 and X.loc[day, col] == 1.0, col
    assert X.loc["2024-10-25", "diwali_days_to"] == 6
    assert X.loc["2024-10-31", "diwali_days_to"] == 0
    assert X.loc["2024-11-03", "diwali_days_since"] == 3
    assert (
        X.loc["2024-10-20", "diwali_days_since"] == 30
    )  # capped (Diwali 2023 was 12 November)


def test_events_hourly_grid_covers_24_hours_and_user_table():
    df = pd.DataFrame(
        {
            "unique_id": "s",
            "ds": pd.date_range("2024-10-26", "2024-11-02 23:00", freq="h"),
            "y": 1.0,
        }
    )
    matches = pd.DataFrame(
        {
            "date": ["2024-10-30"],
            "name": ["IND vs AUS (Hyderabad)"],
            "kind": ["cricket"],
        }
    )
    X = run([qs.EventFeatures(matches, windows={"cricket": (-1, 0)})], df, freq="h")
    assert list(X.columns[3:]) == ["ind_vs_aus_m1", "ind_vs_aus"]
    on = X.loc[X["ind_vs_aus"] == 1, "ds"]
    assert (
        len(on) == 24
        and on.min() == pd.Timestamp("2024-10-30")
        and on.max() == pd.Timestamp("2024-10-30 23:00")
    )
    assert X.loc[X["ind_vs_aus_m1"] == 1, "ds"].dt.day.unique().tolist() == [29]


def test_events_by_kind_key_and_windows_per_name():
    df = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": u,
                    "state_id": s,
                    "ds": pd.date_range("2016-01-01", periods=10),
                    "y": 1.0,
                }
            )
            for u, s in [("x_CA", "CA"), ("x_TX", "TX")]
        ],
        ignore_index=True,
    )
    snap = pd.DataFrame(
        {
            "date": ["2016-01-03", "2016-01-04", "2016-01-05"],
            "name": "SNAP",
            "kind": "snap",
            "state_id": ["CA", "CA", "TX"],
        }
    )
    X = run([qs.EventFeatures(snap, key="state_id", prefix="ev_")], df)
    ca = X[X.unique_id == "x_CA"].set_index("ds")["ev_snap"]
    tx = X[X.unique_id == "x_TX"].set_index("ds")["ev_snap"]
    assert ca[ca == 1].index.day.tolist() == [3, 4] and tx[
        tx == 1
    ].index.day.tolist() == [5]
    fest = qs.EventFeatures(
        festivals="IN-TG",
        kinds=["national_holiday"],
        by="kind",
        window=(-1, 0),
        windows={"Republic Day": (0, 2)},
    )
    d2 = pd.DataFrame(
        {"unique_id": "s", "ds": pd.date_range("2024-01-20", "2024-01-31"), "y": 1.0}
    )
    X2 = run([fest], d2).set_index("ds")
    # the group is the kind; a window given for one of its names applies to the group
    assert fest.feature_names_ == [
        "national_holiday",
        "national_holiday_p1",
        "national_holiday_p2",
    ]
    assert (
        X2.loc["2024-01-26":"2024-01-28", "national_holiday":"national_holiday_p2"]
        .to_numpy()
        .trace()
        == 3
    )


def test_events_fit_drops_events_outside_training():
    df = pd.DataFrame(
        {"unique_id": "s", "ds": pd.date_range("2024-10-01", "2024-10-31"), "y": 1.0}
    )
    step = qs.EventFeatures(festivals="IN-TG", names=["Diwali (Deepavali)", "Holi"])
    run([step], df)
    assert step.feature_names_ == ["diwali"]


# -- weather ----------------------------------------------------------------------------------


def test_imd_bands_on_real_hyderabad_rows(weather):
    days = [
        "2024-01-01",
        "2024-01-10",
        "2024-03-17",
        "2024-05-10",
        "2024-06-02",
        "2024-09-01",
        "2020-10-13",
    ]
    df = pd.DataFrame({"unique_id": "s", "ds": pd.to_datetime(days), "y": 1.0})
    df = pd.concat(
        [df.iloc[[i]].assign(unique_id=f"s{i}") for i in range(len(df))],
        ignore_index=True,
    )
    X = (
        run([qs.WeatherFeatures(weather, rain_lags=[], rain_sums=[])], df)
        .set_index("ds")
        .loc[pd.to_datetime(days)]
    )
    # precipitation 0.0, 0.5, 5.7, 22.9, 25.2, 72.0, 80.5 mm -> IMD: none, very light, light,
    # moderate, moderate, heavy, heavy
    np.testing.assert_array_equal(X["rain"], [0.0, 0.5, 5.7, 22.9, 25.2, 72.0, 80.5])
    np.testing.assert_array_equal(X["rain_band"], [0, 1, 2, 3, 3, 4, 4])
    np.testing.assert_array_equal(X["rainy_day"], [0, 0, 1, 1, 1, 1, 1])
    np.testing.assert_array_equal(X["monsoon"], [0, 0, 0, 0, 1, 1, 0])  # June-September
    # 2024-06-02: 37.2 degrees
    assert X.loc["2024-06-02", "heat"] == 1.0 and X.loc[
        "2024-06-02", "heat_excess"
    ] == pytest.approx(2.2)


def test_imd_band_boundaries():
    mm = [0.0, 0.1, 2.4, 2.5, 15.5, 15.6, 64.4, 64.5, 115.5, 115.6, 204.4, 204.5, 300.0]
    tab = pd.DataFrame(
        {"date": pd.date_range("2024-01-01", periods=len(mm)), "precipitation": mm}
    )
    df = pd.DataFrame({"unique_id": "s", "ds": tab["date"], "y": 1.0})
    X = run(
        [
            qs.WeatherFeatures(
                tab,
                temp_col=None,
                rain_lags=[],
                rain_sums=[],
                band_flags=True,
                monsoon=None,
            )
        ],
        df,
    )
    assert X["rain_band"].tolist() == [0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6]
    assert X["rain_heavy"].tolist() == [0] * 7 + [1, 1] + [0] * 4


def test_weather_lags_and_sums_equal_pandas(weather):
    df = panel("2019-01-01", 400)
    X = run([qs.WeatherFeatures(weather, rain_lags=[1, 3], rain_sums=[3, 7])], df)
    w = weather.assign(date=pd.to_datetime(weather["date"])).set_index("date")[
        "precipitation"
    ]
    ref = pd.DataFrame(
        {
            "rain_lag1": w.shift(1),
            "rain_lag3": w.shift(3),
            "rain_sum3": w.rolling(3).sum(),
            "rain_sum7": w.rolling(7).sum(),
        }
    )
    got = X.set_index("ds")[ref.columns]
    np.testing.assert_allclose(
        got.to_numpy(), ref.loc[got.index].to_numpy(), rtol=1e-12, atol=1e-12
    )


def test_monsoon_from_data(weather):
    df = pd.DataFrame(
        {"unique_id": "s", "ds": pd.date_range("2015-01-01", "2025-12-31"), "y": 1.0}
    )
    X = run(
        [qs.WeatherFeatures(weather, monsoon="data", rain_lags=[], rain_sums=[])], df
    ).set_index("ds")
    w = weather.assign(date=pd.to_datetime(weather["date"])).set_index("date")[
        "precipitation"
    ]
    wet = (w >= 2.5).astype(float)
    back, back_wet = w.rolling(7).sum(), wet.rolling(7).sum()
    fwd, fwd_wet = back.shift(-6), back_wet.shift(-6)  # the day and the 6 after it
    for year in (2019, 2023, 2024):
        yr = w.index.year == year
        onset = w.index[
            yr & w.index.month.isin([6, 7]) & (fwd >= 25) & (fwd_wet >= 4)
        ].min()
        end = w.index[
            yr & w.index.month.isin([9, 10]) & (back >= 25) & (back_wet >= 4)
        ].max()
        got = X.loc[str(year), "monsoon"]
        expect = ((got.index >= onset) & (got.index <= end)).astype(float)
        np.testing.assert_array_equal(got.to_numpy(), expect)
        assert onset.month == 6 and end.month in (9, 10)
    # the 2019 season found in the data: 17 June .. 31 October
    assert X.loc["2019-06-16", "monsoon"] == 0 and X.loc["2019-06-17", "monsoon"] == 1
    assert X.loc["2019-10-31", "monsoon"] == 1 and X.loc["2019-11-01", "monsoon"] == 0
    # a year the table does not cover falls back to June-September
    short = pd.DataFrame(
        {"unique_id": "s", "ds": pd.date_range("2026-05-30", "2026-06-02"), "y": 1.0}
    )
    tab = pd.DataFrame({"date": short["ds"], "precipitation": 50.0})
    Xs = run(
        [
            qs.WeatherFeatures(
                tab, temp_col=None, monsoon="data", rain_lags=[], rain_sums=[]
            )
        ],
        short,
    )
    assert Xs["monsoon"].tolist() == [0, 0, 1, 1]


def test_weather_hourly_table_and_daily_aggregation():
    hours = pd.date_range("2024-07-01", "2024-07-03 23:00", freq="h")
    tab = pd.DataFrame(
        {
            "date": hours,
            "precipitation": np.where(hours.day == 2, 1.0, 0.0),
            "temp_max": 30.0,
        }
    )
    hourly = pd.DataFrame({"unique_id": "s", "ds": hours, "y": 1.0})
    Xh = run(
        [qs.WeatherFeatures(tab, rain_lags=[1], rain_sums=[3])], hourly, freq="h"
    ).set_index("ds")
    assert (
        Xh.loc["2024-07-02 00:00", "rain_lag1"] == 0
        and Xh.loc["2024-07-02 02:00", "rain_sum3"] == 3
    )
    assert Xh.loc["2024-07-02 05:00", "rain_band"] == 3  # the day's 24 mm: moderate
    daily = pd.DataFrame(
        {"unique_id": "s", "ds": pd.date_range("2024-07-01", periods=3), "y": 1.0}
    )
    Xd = run([qs.WeatherFeatures(tab, rain_lags=[1], rain_sums=[])], daily).set_index(
        "ds"
    )
    assert Xd["rain"].tolist() == [0, 24, 0] and Xd["rain_lag1"].tolist()[1:] == [0, 24]


# -- price and promotion ----------------------------------------------------------------------


def test_price_and_promo_equal_pandas():
    df = panel("2024-01-01", 120, ids=("a", "b", "c"))
    step = qs.PriceFeatures("price", windows=[7], changes=[1, 7])
    X = run(
        [step, qs.PromotionFeatures("promo", lags=[1, 2], leads=[1])],
        df,
        passthrough=["price", "promo"],
    )
    g = X.groupby("unique_id")
    ref_max = g["price"].transform(lambda s: s.rolling(7, min_periods=1).max())
    np.testing.assert_allclose(X["price_rel7"], X["price"] / ref_max, rtol=1e-15)
    np.testing.assert_allclose(
        X["price_discount7"], 1 - X["price"] / ref_max, rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(
        X["price_change7"], X["price"] / g["price"].shift(7) - 1, rtol=1e-15
    )
    np.testing.assert_allclose(
        X["price_rel_train"], X["price"] / g["price"].transform("mean"), rtol=1e-12
    )
    np.testing.assert_array_equal(X["promo_lag2"], g["promo"].shift(2))
    np.testing.assert_array_equal(X["promo_lead1"], g["promo"].shift(-1))
    assert (X["price_discount7"] >= 0).all()


def test_price_must_be_positive():
    df = panel("2024-01-01", 20)
    df.loc[5, "price"] = 0.0
    with pytest.raises(qs.QuickstockError, match='series "a".*field "price"'):
        run([qs.PriceFeatures()], df)


# -- the pipeline -------------------------------------------------------------------------------


def _steps(weather):
    return [
        qs.CalendarFeatures(["dayofweek", "month", "weekend", "payday"]),
        qs.FourierTerms(7, 2),
        qs.FourierTerms(365.25, 2),
        qs.EventFeatures(
            festivals="IN-TG",
            names=["Diwali (Deepavali)", "Dussehra (Vijayadashami)"],
            window=(-3, 1),
            days_to=True,
        ),
        qs.WeatherFeatures(weather, rain_lags=[1], rain_sums=[7]),
        qs.PriceFeatures("price", windows=[28]),
        qs.PromotionFeatures("promo", lags=[1], leads=[1]),
        qs.LagFeatures([14, 21]),
        qs.RollingFeatures(28, ["mean", "std", "max"], lag=14),
        qs.SeasonalRollingFeatures(7, 4, lag=14),
        qs.ExpandingFeatures("mean", lag=14),
        qs.EWMFeatures([0.1, 0.3], lag=14),
    ]


def test_round_trip_future_equals_transform_of_full_history(weather):
    """The future frame built from the history and X_df equals what transform gives on the
    full frame for those rows (every feature is known h periods ahead)."""
    full = panel("2024-06-01", 200, ids=("a", "b", "c"))
    h = 14
    last = full.groupby("unique_id")["ds"].transform("max")
    train = full[full["ds"] <= last - pd.Timedelta(days=h + 1)]
    future = full[full["ds"] > last - pd.Timedelta(days=h + 1)][
        ["unique_id", "ds", "price", "promo"]
    ]
    pipe = qs.FeaturePipeline(_steps(weather), freq="D", passthrough=["price", "promo"])
    X = pipe.fit_transform(train)
    assert (
        list(X.columns)
        == ["unique_id", "ds", "y", "price", "promo"] + pipe.feature_names_
    )
    Xf = pipe.transform_future(train, h, X_df=future.sample(frac=1.0, random_state=0))
    assert (
        list(Xf.columns) == ["unique_id", "ds", "price", "promo"] + pipe.feature_names_
    )
    assert len(Xf) == 3 * h
    ref = pipe.transform(full).merge(Xf[["unique_id", "ds"]], on=["unique_id", "ds"])
    pd.testing.assert_frame_equal(
        Xf.reset_index(drop=True),
        ref[Xf.columns].reset_index(drop=True),
        check_exact=False,
        rtol=1e-12,
    )
    # the refit pipeline reproduces the same training features
    again = qs.FeaturePipeline(
        _steps(weather), freq="D", passthrough=["price", "promo"]
    ).fit_transform(train)
    pd.testing.assert_frame_equal(X, again)


def test_forecaster_accepts_the_future_frame():
    df = qs.datasets.load_hyderabad()
    df = df[df["unique_id"].isin(df["unique_id"].unique()[:5])][
        ["unique_id", "ds", "y", "price", "promo"]
    ]
    pipe = qs.FeaturePipeline(
        [
            qs.CalendarFeatures(),
            qs.FourierTerms(365.25, 2),
            qs.LagFeatures([7]),
            qs.RollingFeatures(7, lag=7),
        ],
        freq="D",
        drop_leading_na=True,
        fill_value=0.0,
    )
    X = pipe.fit_transform(df[["unique_id", "ds", "y"]])
    assert not X[pipe.feature_names_].isna().any().any()
    assert (
        X.groupby("unique_id")["ds"].min().eq(pd.Timestamp("2024-01-08")).all()
    )  # 7 leading rows dropped
    Xf = pipe.transform_future(df[["unique_id", "ds", "y"]], h=7)
    fc = qs.Forecaster([qs.Naive()], freq="D").fit(X)
    assert set(pipe.feature_names_) <= set(fc.prepared_.covariates) | set(
        fc.prepared_.attributes.columns
    )
    out = fc.predict(h=7, X_df=Xf)
    assert len(out) == 5 * 7
    with pytest.raises(qs.QuickstockError, match="X_df is missing column"):
        fc.predict(h=7, X_df=Xf.drop(columns=[c for c in fc.prepared_.covariates][:1]))


def test_threads_give_identical_features(weather):
    df = panel("2024-01-01", 300, ids=tuple("abcdefgh"))
    a = qs.FeaturePipeline(_steps(weather), freq="D", n_jobs=1).fit_transform(df)
    b = qs.FeaturePipeline(_steps(weather), freq="D", n_jobs=4).fit_transform(df)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    shuffled = qs.FeaturePipeline(_steps(weather), freq="D").fit_transform(
        df.sample(frac=1.0, random_state=1)
    )
    pd.testing.assert_frame_equal(a, shuffled, check_exact=True)


# -- errors -----------------------------------------------------------------------------------


def test_lag_shorter_than_horizon_is_refused():
    df = panel("2024-01-01", 60)
    pipe = qs.FeaturePipeline([qs.LagFeatures([7, 14])], freq="D").fit(df)
    with pytest.raises(
        qs.QuickstockError, match=r'field "y_lag7".*not known 14 steps ahead'
    ) as e:
        pipe.transform_future(df, 14)
    assert e.value.field == "y_lag7"
    pipe = qs.FeaturePipeline([qs.RollingFeatures(7, lag=3)], freq="D").fit(df)
    with pytest.raises(qs.QuickstockError, match="y_roll7_mean_lag3"):
        pipe.transform_future(df, 4)
    assert len(pipe.transform_future(df, 3)) == 6


def test_future_inputs_errors(weather):
    df = panel("2024-01-01", 60)
    with pytest.raises(
        qs.QuickstockError, match="'price' changes over time.*X_df"
    ) as e:
        qs.FeaturePipeline([qs.PriceFeatures()], freq="D").fit(df).transform_future(
            df, 7
        )
    assert e.value.field == "price"
    pipe = qs.FeaturePipeline(
        [qs.PriceFeatures(), qs.PromotionFeatures(leads=[2])], freq="D"
    ).fit(df)
    with pytest.raises(
        qs.QuickstockError, match="'promo_flag' reads 'promo' at lag 0.*X_df"
    ) as e:
        pipe.transform_future(df, 7)
    last = df.groupby("unique_id")["ds"].max()
    fx = pd.concat(
        [
            pd.DataFrame(
                {
                    "unique_id": u,
                    "ds": pd.date_range(d + pd.Timedelta(days=1), periods=7),
                    "price": 10.0,
                    "promo": 0.0,
                }
            )
            for u, d in last.items()
        ],
        ignore_index=True,
    )
    # leads of 2 need two periods past the horizon
    with pytest.raises(qs.QuickstockError, match="'promo_lead2' is not known") as e:
        pipe.transform_future(df, 7, X_df=fx)
    assert e.value.series_id == "a"
    assert len(pipe.transform_future(df, 5, X_df=fx)) == 10
    with pytest.raises(
        qs.QuickstockError, match='series "b".*no row for forecast step 3'
    ):
        pipe.transform_future(df, 5, X_df=fx.drop(index=9))
    with pytest.raises(qs.QuickstockError, match="repeats"):
        pipe.transform_future(df, 5, X_df=pd.concat([fx, fx.iloc[[0]]]))
    with pytest.raises(qs.QuickstockError, match='series "zz".*not in df'):
        pipe.transform_future(df, 5, X_df=fx.assign(unique_id="zz"))
    wpipe = qs.FeaturePipeline([qs.WeatherFeatures(weather)], freq="D")
    late = pd.DataFrame(
        {"unique_id": "s", "ds": pd.date_range("2025-12-01", "2025-12-31"), "y": 1.0}
    )
    wpipe.fit(late)
    with pytest.raises(
        qs.QuickstockError, match="no row at 2026-01-01.*weather forecast"
    ):
        wpipe.transform_future(late, 1)


def test_bad_frames_name_series_and_row():
    df = panel("2024-01-01", 30)
    with pytest.raises(qs.QuickstockError, match='series "a" row 5 field "ds".*gap'):
        run([qs.CalendarFeatures()], df.drop(index=5))
    with pytest.raises(qs.QuickstockError, match='series "a".*field "ds".*repeats'):
        run([qs.CalendarFeatures()], pd.concat([df, df.iloc[[3]]], ignore_index=True))
    with pytest.raises(qs.QuickstockError, match='field "y"'):
        run([qs.CalendarFeatures()], df.drop(columns="y"))
    with pytest.raises(qs.QuickstockError, match='row 2 field "ds"'):
        run(
            [qs.CalendarFeatures()],
            df.assign(ds=df["ds"].astype(str).where(df.index != 2, "not a date")),
        )
    with pytest.raises(qs.QuickstockError, match='field "ds".*integer index'):
        run(
            [qs.CalendarFeatures()],
            df.assign(ds=df.groupby("unique_id").cumcount()),
            freq=1,
        )
    with pytest.raises(qs.QuickstockError, match='field "price".*numeric'):
        run([qs.PriceFeatures()], df.assign(price="x"))
    with pytest.raises(qs.QuickstockError, match='field "y_lag1".*two steps'):
        run([qs.LagFeatures(1), qs.LagFeatures([1, 2])], df)
    with pytest.raises(qs.QuickstockError, match="call fit"):
        qs.FeaturePipeline([qs.LagFeatures(1)], freq="D").transform(df)


def test_bad_tables_and_arguments(weather):
    with pytest.raises(qs.QuickstockError, match='field "name"'):
        qs.EventFeatures(pd.DataFrame({"date": ["2024-01-01"]}))
    with pytest.raises(qs.QuickstockError, match='row 1 field "date"'):
        qs.EventFeatures(
            pd.DataFrame({"date": ["2024-01-01", "2024-13-01"], "name": ["a", "b"]})
        )
    with pytest.raises(qs.QuickstockError, match='field "names"'):
        qs.EventFeatures(festivals="IN-TG", names=["Diwaly"])
    with pytest.raises(qs.QuickstockError, match='field "window"'):
        qs.EventFeatures(festivals="IN-TG", window=(2, -1))
    dup = pd.concat([weather.iloc[:10], weather.iloc[[4]]], ignore_index=True)
    with pytest.raises(qs.QuickstockError, match='row 10 field "date".*repeats'):
        qs.WeatherFeatures(dup)
    with pytest.raises(qs.QuickstockError, match='row 2 field "date".*skips 1'):
        qs.WeatherFeatures(weather.drop(index=2))
    neg = weather.iloc[:10].copy()
    neg.loc[7, "precipitation"] = -1.0
    with pytest.raises(qs.QuickstockError, match='row 7 field "precipitation"'):
        qs.WeatherFeatures(neg)
    with pytest.raises(qs.QuickstockError, match='field "rain_mm"'):
        qs.WeatherFeatures(weather, rain_col="rain_mm")
    with pytest.raises(qs.QuickstockError, match='field "features"'):
        qs.CalendarFeatures(["weekday"])
    with pytest.raises(qs.QuickstockError, match='field "paydays"'):
        qs.CalendarFeatures(paydays=[32])
    with pytest.raises(qs.QuickstockError, match='field "lags"'):
        qs.LagFeatures([0])
    with pytest.raises(qs.QuickstockError, match='field "window"'):
        qs.RollingFeatures(0)
    with pytest.raises(qs.QuickstockError, match='field "quantiles"'):
        qs.RollingFeatures(7, "quantile", quantiles=[1.5])
    with pytest.raises(qs.QuickstockError, match='field "stats"'):
        qs.ExpandingFeatures("median")
    for bad in (None, "0.3", 0.0):
        with pytest.raises(qs.QuickstockError, match='field "alpha"'):
            qs.EWMFeatures(bad)
    with pytest.raises(qs.QuickstockError, match='field "monsoon"'):
        qs.WeatherFeatures(weather, monsoon="kerala")
    with pytest.raises(qs.QuickstockError, match='field "reference"'):
        qs.PriceFeatures(reference="median")
    with pytest.raises(qs.QuickstockError, match='field "by"'):
        qs.EventFeatures(festivals="IN-TG", by="region")
    with pytest.raises(qs.QuickstockError, match='field "steps"'):
        qs.FeaturePipeline([qs.Naive()], freq="D")
    with pytest.raises(qs.QuickstockError, match='field "freq"'):
        qs.FeaturePipeline([qs.LagFeatures(1)], freq="fortnightly")


def test_weather_joined_by_location_key():
    days = pd.date_range("2024-07-01", periods=5)
    tab = pd.concat(
        [
            pd.DataFrame(
                {"date": days, "city": c, "precipitation": r, "temp_max": 30.0}
            )
            for c, r in (("HYD", 1.0), ("BLR", 20.0))
        ],
        ignore_index=True,
    )
    df = pd.concat(
        [
            pd.DataFrame({"unique_id": u, "city": c, "ds": days, "y": 1.0})
            for u, c in (("h1", "HYD"), ("b1", "BLR"), ("h2", "HYD"))
        ],
        ignore_index=True,
    )
    X = run([qs.WeatherFeatures(tab, key="city", rain_lags=[1], rain_sums=[2])], df)
    by = X.groupby("unique_id")
    assert by["rain"].max().to_dict() == {"b1": 20.0, "h1": 1.0, "h2": 1.0}
    assert X.loc[X.unique_id == "b1", "rain_sum2"].tolist()[1:] == [40.0] * 4
    assert X.loc[X.unique_id == "b1", "rain_band"].unique().tolist() == [3]
    with pytest.raises(qs.QuickstockError, match='field "city"'):
        run([qs.WeatherFeatures(tab, key="city")], df.drop(columns="city"))


def test_integer_index_and_time_zones():
    df = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 30),
            "ds": np.tile(np.arange(30), 2),
            "y": np.arange(60, dtype=float),
        }
    )
    pipe = qs.FeaturePipeline([qs.FourierTerms(12, 1), qs.LagFeatures([5])], freq=1)
    X = pipe.fit_transform(df)
    np.testing.assert_allclose(
        X["fourier12_cos1"][:30], np.cos(2 * np.pi * np.arange(30) / 12), atol=1e-12
    )
    Xf = pipe.transform_future(df, 5)
    assert Xf["ds"].tolist() == list(range(30, 35)) * 2 and Xf["y_lag5"].tolist()[
        :5
    ] == [25, 26, 27, 28, 29]
    tz = pd.DataFrame(
        {
            "unique_id": "s",
            "ds": pd.date_range("2024-03-01", periods=48, freq="h", tz="Asia/Kolkata"),
            "y": 1.0,
        }
    )
    pipe = qs.FeaturePipeline([qs.CalendarFeatures(["hour"])], freq="h")
    X = pipe.fit_transform(tz)
    assert X["ds"].dt.tz is not None and X["hour"].tolist()[:3] == [
        0,
        1,
        2,
    ]  # wall-clock hours
    Xf = pipe.transform_future(tz, 3)
    assert Xf["ds"].tolist() == list(
        pd.date_range("2024-03-03", periods=3, freq="h", tz="Asia/Kolkata")
    )


def test_events_equal_a_brute_force_loop():
    """Random keyed events with random windows against a plain per-row loop."""
    rng = np.random.default_rng(7)
    days = pd.date_range("1969-12-20", periods=60)  # crosses 1970-01-01
    df = pd.concat(
        [
            pd.DataFrame(
                {"unique_id": f"s{i}", "store": f"k{i % 3}", "ds": days, "y": 1.0}
            )
            for i in range(5)
        ],
        ignore_index=True,
    )
    table = pd.DataFrame(
        {
            "date": days[rng.integers(0, 60, 25)],
            "name": rng.choice(["Match", "Sale"], 25),
            "kind": "x",
            "store": rng.choice(["k0", "k1", "k2", "k9"], 25),
        }
    )
    step = qs.EventFeatures(
        table,
        key="store",
        window=(-2, 3),
        windows={"Sale": (0, 1)},
        days_to=True,
        days_since=True,
        max_days=9,
    )
    X = run([step], df, passthrough=["store"])
    for stem, (lo, hi) in (("match", (-2, 3)), ("sale", (0, 1))):
        ev = table[table["name"].str.lower() == stem]
        for r in X.itertuples():
            mine = ev.loc[ev["store"] == r.store, "date"]
            offsets = {(r.ds - d).days for d in mine}
            for o in range(lo, hi + 1):
                name = stem if o == 0 else f"{stem}_m{-o}" if o < 0 else f"{stem}_p{o}"
                if name in X:
                    assert getattr(r, name) == float(o in offsets), (r, name)
            ahead = [-o for o in offsets if o <= 0]
            since = [o for o in offsets if o >= 0]
            assert getattr(r, f"{stem}_days_to") == min(min(ahead, default=9), 9)
            assert getattr(r, f"{stem}_days_since") == min(min(since, default=9), 9)


def test_hourly_round_trip():
    full = panel("2024-10-25", 24 * 12, freq="h", ids=("a", "b"))
    hours = pd.date_range("2024-10-20", "2024-11-30", freq="h")
    rng = np.random.default_rng(3)
    tab = pd.DataFrame(
        {
            "date": hours,
            "precipitation": rng.exponential(0.3, len(hours)),
            "temp_max": 25 + 10 * rng.random(len(hours)),
        }
    )
    steps = [
        qs.CalendarFeatures(["hour", "dayofweek", "weekend"]),
        qs.FourierTerms(24, 3),
        qs.FourierTerms(168, 2),
        qs.EventFeatures(
            festivals="IN-TG",
            names=["Diwali (Deepavali)"],
            window=(-1, 1),
            days_to=True,
        ),
        qs.WeatherFeatures(tab, rain_lags=[1, 24], rain_sums=[3, 24]),
        qs.LagFeatures([24, 48]),
        qs.RollingFeatures(24, ["mean", "max"], lag=24),
        qs.SeasonalRollingFeatures(24, 3, lag=24),
    ]
    h = 24
    last = full.groupby("unique_id")["ds"].transform("max")
    train = full[full["ds"] <= last - pd.Timedelta(hours=h)]
    pipe = qs.FeaturePipeline(steps, freq="h")
    pipe.fit(train)
    Xf = pipe.transform_future(train, h)
    ref = pipe.transform(full).merge(Xf[["unique_id", "ds"]], on=["unique_id", "ds"])
    pd.testing.assert_frame_equal(Xf, ref[Xf.columns], check_exact=False, rtol=1e-12)
    assert Xf["hour"].tolist()[:3] == [ts.hour for ts in Xf["ds"][:3]]
