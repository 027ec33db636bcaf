"""qs.features against pandas groupby on random ragged panels with NaNs (rtol 1e-9)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import quickstock as qs

RTOL = 1e-9


def ragged_frame(
    rng: np.random.Generator, n_series: int = 12, nan_share: float = 0.1
) -> pd.DataFrame:
    """Shuffled long rows: series of length 1..80, Poisson (ties, zero runs) or lognormal values."""
    frames = []
    for i in range(n_series):
        n = 1 if i == 0 else int(rng.integers(2, 81))
        if i % 2:
            y = rng.poisson(rng.uniform(0.3, 8.0), n).astype(float)
        else:
            y = rng.lognormal(2.0, 0.7, n)
        y[rng.random(n) < nan_share] = np.nan
        ds = pd.date_range("2024-01-01", periods=n, freq="D")
        frames.append(pd.DataFrame({"unique_id": f"s{i:02d}", "ds": ds, "y": y}))
    df = pd.concat(frames, ignore_index=True)
    return df.sample(frac=1.0, random_state=int(rng.integers(1 << 31))).reset_index(
        drop=True
    )


def per_series(
    df: pd.DataFrame, fn: Callable[[pd.Series], pd.Series], lag: int = 0
) -> np.ndarray:
    """pandas reference: ``fn`` on each series (sorted by ds, shifted by lag), caller's order."""
    srt = df.sort_values(["unique_id", "ds"], kind="stable")
    shifted = srt.groupby("unique_id")["y"].shift(lag)
    ref = shifted.groupby(srt["unique_id"]).transform(fn)
    return ref.reindex(df.index).to_numpy(dtype=float)


def assert_same(ours: pd.Series, ref: np.ndarray) -> None:
    got = ours.to_numpy(dtype=float)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    np.testing.assert_allclose(got, ref, rtol=RTOL, atol=0.0, equal_nan=True)


@pytest.fixture
def frame(rng: np.random.Generator) -> pd.DataFrame:
    return ragged_frame(rng)


@pytest.mark.parametrize("k", [1, 2, 7, 0, -3], ids=lambda k: f"k={k}")
def test_lag_matches_pandas_shift(frame: pd.DataFrame, k: int) -> None:
    out = qs.features.lag(frame, column="y", lags=[k])
    name = f"y_lag{k}" if k >= 0 else f"y_lead{-k}"
    srt = frame.sort_values(["unique_id", "ds"])
    ref = srt.groupby("unique_id")["y"].shift(k).reindex(frame.index).to_numpy()
    assert_same(out[name], ref)


ROLLING_CASES = [
    ("mean", 7, 1, 1),
    ("mean", 3, 3, 0),
    ("mean", 28, 5, 2),
    ("std", 7, 2, 1),
    ("std", 2, 0, 0),
    ("std", 14, 7, 3),
    ("min", 7, 1, 1),
    ("min", 5, 0, 0),
    ("max", 7, 1, 1),
    ("max", 4, 4, 2),
    ("quantile", 7, 1, 1),
    ("quantile", 10, 3, 0),
]


@pytest.mark.parametrize(
    "stat,window,min_periods,lag",
    ROLLING_CASES,
    ids=[f"{s}-w{w}-mp{m}-lag{g}" for s, w, m, g in ROLLING_CASES],
)
def test_rolling_matches_pandas(
    frame: pd.DataFrame, stat: str, window: int, min_periods: int, lag: int
) -> None:
    quantiles = [0.0, 0.1, 0.5, 0.75, 1.0]
    out = qs.features.rolling(
        frame,
        column="y",
        window=window,
        stats=[stat],
        lag=lag,
        min_periods=min_periods,
        quantiles=quantiles,
    )
    if stat == "quantile":
        for q in quantiles:
            name = f"y_roll{window}_{qs.features.quantile_column(q)}_lag{lag}"
            ref = per_series(
                frame,
                lambda s, q=q: s.rolling(window, min_periods=min_periods).quantile(
                    q, interpolation="linear"
                ),
                lag,
            )
            assert_same(out[name], ref)
        return
    ref = per_series(
        frame,
        lambda s: getattr(s.rolling(window, min_periods=min_periods), stat)(),
        lag,
    )
    assert_same(out[f"y_roll{window}_{stat}_lag{lag}"], ref)


@pytest.mark.parametrize("stat", ["mean", "std", "min", "max", "quantile"])
@pytest.mark.parametrize(
    "lag,min_periods", [(0, 1), (1, 1), (3, 4), (0, 0)], ids=lambda v: str(v)
)
def test_expanding_matches_pandas(
    frame: pd.DataFrame, stat: str, lag: int, min_periods: int
) -> None:
    out = qs.features.expanding(
        frame, stats=[stat], lag=lag, min_periods=min_periods, quantiles=0.3
    )
    if stat == "quantile":
        ref = per_series(
            frame, lambda s: s.expanding(min_periods=min_periods).quantile(0.3), lag
        )
        assert_same(out[f"y_expanding_p30_lag{lag}"], ref)
        return
    ref = per_series(
        frame, lambda s: getattr(s.expanding(min_periods=min_periods), stat)(), lag
    )
    assert_same(out[f"y_expanding_{stat}_lag{lag}"], ref)


@pytest.mark.parametrize("stat", ["mean", "std", "min", "max", "quantile"])
@pytest.mark.parametrize(
    "m,window,min_periods,lag", [(7, 4, 1, 7), (3, 2, 2, 0), (5, 3, 1, 1)], ids=str
)
def test_seasonal_rolling_matches_pandas(
    frame: pd.DataFrame, stat: str, m: int, window: int, min_periods: int, lag: int
) -> None:
    out = qs.features.seasonal_rolling(
        frame,
        season_length=m,
        window=window,
        stats=[stat],
        lag=lag,
        min_periods=min_periods,
        quantiles=0.5,
    )
    srt = frame.sort_values(["unique_id", "ds"], kind="stable")
    shifted = srt.groupby("unique_id")["y"].shift(lag)
    phase = srt.groupby("unique_id").cumcount() % m
    roll = shifted.groupby([srt["unique_id"], phase])
    if stat == "quantile":
        ref = roll.transform(
            lambda s: s.rolling(window, min_periods=min_periods).quantile(0.5)
        )
        name = f"y_sroll{m}x{window}_p50_lag{lag}"
    else:
        ref = roll.transform(
            lambda s: getattr(s.rolling(window, min_periods=min_periods), stat)()
        )
        name = f"y_sroll{m}x{window}_{stat}_lag{lag}"
    assert_same(out[name], ref.reindex(frame.index).to_numpy(dtype=float))


# Not alpha = 0.5: pandas 3.0-3.1 special-cases com == 1 (alpha 0.5) after a NaN, a regression from
# the documented recursion that pandas 2.x and quickstock follow (pandas-dev/pandas#31178, #66521).
@pytest.mark.parametrize(
    "alpha,lag,min_periods",
    [(0.1, 0, 1), (0.3, 1, 1), (0.9, 2, 3), (1.0, 0, 0)],
    ids=str,
)
def test_ewm_matches_pandas(
    frame: pd.DataFrame, alpha: float, lag: int, min_periods: int
) -> None:
    out = qs.features.ewm(frame, alpha=alpha, lag=lag, min_periods=min_periods)
    ref = per_series(
        frame,
        lambda s: s.ewm(alpha=alpha, adjust=False, min_periods=min_periods).mean(),
        lag,
    )
    name = f"y_ewm{alpha:g}_lag{lag}"
    assert_same(out[name], ref)


def test_rows_keep_caller_order_and_columns(frame: pd.DataFrame) -> None:
    out = qs.features.rolling(
        frame, window=7, stats=["mean", "std"], lag=1, min_periods=1
    )
    pd.testing.assert_frame_equal(out[frame.columns], frame)
    assert out.columns.tolist()[-2:] == ["y_roll7_mean_lag1", "y_roll7_std_lag1"]


def test_threads_do_not_change_results(rng: np.random.Generator) -> None:
    df = ragged_frame(rng, n_series=40)
    for fn in (
        lambda n: qs.features.rolling(
            df, window=5, stats=["mean", "std", "min", "quantile"], lag=1, n_jobs=n
        ),
        lambda n: qs.features.seasonal_rolling(
            df, season_length=7, window=3, stats=["mean", "std"], n_jobs=n
        ),
        lambda n: qs.features.ewm(df, alpha=0.2, lag=1, n_jobs=n),
    ):
        a, b = fn(1), fn(4)
        for c in a.columns[3:]:
            np.testing.assert_array_equal(a[c].to_numpy(), b[c].to_numpy())


def test_array_input_with_offsets() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0, 10.0, 20.0])
    out = qs.features.rolling(values, window=2, lag=1, min_periods=1, offsets=[0, 4, 6])
    np.testing.assert_allclose(
        out["y_roll2_mean_lag1"], [np.nan, 1, 1.5, 2.5, np.nan, 10], equal_nan=True
    )


def test_polars_and_nullable_input(rng: np.random.Generator) -> None:
    pl = pytest.importorskip("polars")
    df = ragged_frame(rng, n_series=4, nan_share=0.0)
    df["y"] = df["y"].round().astype("Int64")
    df.loc[df.index[:3], "y"] = pd.NA
    out = qs.features.lag(df, lags=1)
    ref = (
        df.sort_values(["unique_id", "ds"])
        .groupby("unique_id")["y"]
        .shift(1)
        .reindex(df.index)
    )
    assert_same(out["y_lag1"], ref.to_numpy(dtype=float, na_value=np.nan))
    out_pl = qs.features.lag(pl.from_pandas(df), lags=1)
    np.testing.assert_array_equal(out_pl["y_lag1"].to_numpy(), out["y_lag1"].to_numpy())


@pytest.mark.parametrize(
    "call,field",
    [
        (lambda df: qs.features.rolling(df, window=0), "window"),
        (lambda df: qs.features.rolling(df, window=3, min_periods=4), "min_periods"),
        (lambda df: qs.features.rolling(df, window=3, lag=-1), "lag"),
        (lambda df: qs.features.rolling(df, column="sales"), "column"),
        (lambda df: qs.features.rolling(df, column="unique_id"), "unique_id"),
        (lambda df: qs.features.rolling(df, stats=["median"]), "stats"),
        (
            lambda df: qs.features.rolling(df, stats=["quantile"], quantiles=[1.5]),
            "quantiles",
        ),
        (
            lambda df: qs.features.expanding(df, stats="quantile", quantiles=-0.1),
            "quantiles",
        ),
        (lambda df: qs.features.seasonal_rolling(df, season_length=0), "season_length"),
        (lambda df: qs.features.ewm(df, alpha=0.0), "alpha"),
        (lambda df: qs.features.lag(df, lags=[1.5]), "lags"),
        (lambda df: qs.features.lag(df, id_col="store"), "id_col"),
        (lambda df: qs.features.lag(np.zeros(3), offsets=[0, 2]), "offsets"),
    ],
    ids=[
        "window",
        "min_periods",
        "lag",
        "missing",
        "non-numeric",
        "stat",
        "quantile",
        "quantile-expanding",
        "season",
        "alpha",
        "lags",
        "id_col",
        "offsets",
    ],
)
def test_bad_arguments_name_the_field(
    frame: pd.DataFrame, call: Callable[[pd.DataFrame], object], field: str
) -> None:
    with pytest.raises(qs.QuickstockError) as info:
        call(frame)
    assert info.value.field == field  # type: ignore[attr-defined]
    assert f'field "{field}"' in str(info.value)


@settings(deadline=None, max_examples=60)
@given(
    values=st.lists(
        st.one_of(
            st.none(),
            st.integers(0, 30).map(float),
            st.floats(0.0, 1e3, allow_nan=False),
        ),
        min_size=1,
        max_size=60,
    ),
    window=st.integers(1, 12),
    lag=st.integers(0, 3),
    data=st.data(),
)
def test_rolling_property_vs_pandas(
    values: list, window: int, lag: int, data: st.DataObject
) -> None:
    min_periods = data.draw(st.integers(0, window))
    y = np.array([np.nan if v is None else v for v in values], dtype=float)
    s = pd.Series(y).shift(lag).rolling(window, min_periods=min_periods)
    out = qs.features.rolling(
        y,
        window=window,
        stats=["mean", "std", "min", "max"],
        lag=lag,
        min_periods=min_periods,
        offsets=[0, len(y)],
    )
    for stat in ("mean", "std", "min", "max"):
        ref = getattr(s, stat)().to_numpy()
        got = out[f"y_roll{window}_{stat}_lag{lag}"].to_numpy()
        np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
        np.testing.assert_allclose(
            got, ref, rtol=RTOL, atol=1e-9 * max(1.0, np.nanmax(np.abs(y), initial=0.0))
        )


def test_sorted_and_shuffled_frames_agree(frame: pd.DataFrame) -> None:
    """The no-sort fast path (frame grouped by series, time-sorted) equals the sorting path."""
    srt = frame.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    kw = dict(window=5, stats=["mean", "max", "quantile"], lag=1, min_periods=1)
    a = qs.features.rolling(srt, **kw)
    b = qs.features.rolling(frame, **kw).sort_values(["unique_id", "ds"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
