"""A corpus of malformed inputs: each must raise a ``QuickstockError`` naming the fault.

Each error case states what the message must name: the series (``series "…"``), the
0-based row of the caller's frame (``row N``), the field or argument (``field "…"``) and
a key phrase of the rule that was broken. The structured attributes of
``InvalidInputError`` (``series_id``, ``row``, ``field``) are checked too. Some inputs
look wrong but are valid (unsorted rows, a one-point series, an all-zero series, a CSV
with a byte-order mark, a huge value): those must give finite forecasts.

Files are written to ``tmp_path`` by each test; no network, no timing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest

import quickstock as qs
from quickstock.cli import main as cli_main
from quickstock.io import read_table

from conftest import make_panel

S1 = "HYD-500081/SKU-1042"  # rows 0..9 of the base frame
S2 = "HYD-500032/SKU-0007"  # rows 10..19 of the base frame
N = 10
START = "2024-01-01"


# -- input builders ------------------------------------------------------------------------------
def base(n: int = N, covariates: bool = False) -> pd.DataFrame:
    """Two daily series of ``n`` rows each: S1 in rows 0..n-1, S2 in rows n..2n-1; y = 1..n."""
    frames = []
    for k, sid in enumerate((S1, S2)):
        f = pd.DataFrame(
            {
                "unique_id": sid,
                "ds": pd.date_range(START, periods=n, freq="D"),
                "y": np.arange(1.0, n + 1.0) + k,
            }
        )
        if covariates:
            f["store_id"] = sid.split("/")[0]  # a series attribute
            f["rain_mm"] = np.linspace(0.0, 3.0, n) + k  # a numeric covariate
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def with_value(df: pd.DataFrame, row: int, col: str, value: Any) -> pd.DataFrame:
    out = df.copy()
    if not isinstance(value, (int, float, np.floating)) or isinstance(value, bool):
        out[col] = out[col].astype(object)
    out.loc[row, col] = value
    return out


def text_ds(df: pd.DataFrame, fmt: str = "%Y-%m-%d") -> pd.DataFrame:
    out = df.copy()
    out["ds"] = out["ds"].dt.strftime(fmt).astype(object)
    return out


def fit(df: Any, freq: Any = "D", models: list[qs.Model] | None = None) -> qs.Forecaster:
    return qs.Forecaster(models or [qs.Naive()], freq=freq).fit(df)


def fitted() -> qs.Forecaster:
    return fit(base())


def fitted_with_covariates() -> tuple[qs.Forecaster, pd.DataFrame]:
    """A forecaster fitted on a frame with covariate ``rain_mm``, and a valid X_df for h=3."""
    fc = fit(base(covariates=True))
    future = pd.date_range(pd.Timestamp(START) + pd.Timedelta(days=N), periods=3, freq="D")
    x = pd.DataFrame(
        {
            "unique_id": np.repeat([S1, S2], 3),
            "ds": np.tile(future, 2),
            "rain_mm": [0.5, 1.0, 1.5, 2.0, 2.5, 3.0],
        }
    )
    fc.predict(h=3, X_df=x)  # the valid X_df is accepted
    return fc, x


def predict_with_x(mutate: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
    fc, x = fitted_with_covariates()
    fc.predict(h=3, X_df=mutate(x))


def write_bytes(tmp_path: Path, name: str, data: bytes) -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def csv_text(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, date_format="%Y-%m-%d")


def read_and_fit(path: str, freq: str = "D") -> None:
    fit(read_table(path), freq=freq)


def excel_file(tmp_path: Path, df: pd.DataFrame) -> str:
    pytest.importorskip("openpyxl")
    p = tmp_path / "input.xlsx"
    df.to_excel(p, index=False)
    return str(p)


def parquet_file(tmp_path: Path, df: pd.DataFrame) -> str:
    pytest.importorskip("pyarrow")
    p = tmp_path / "input.parquet"
    df.to_parquet(p, index=False)
    return str(p)


# -- expectations --------------------------------------------------------------------------------
@dataclass
class Fault:
    """What the error message must name."""

    field: str | None = None
    series: str | None = None
    row: int | None = None
    says: tuple[Any, ...] = ()  # substrings (case-insensitive); a tuple means "any of these"
    also_rows: tuple[int, ...] = ()  # other rows the message must name


def check_fault(exc: BaseException, fault: Fault) -> None:
    msg = str(exc)
    low = msg.lower()
    assert isinstance(exc, qs.QuickstockError) and isinstance(exc, ValueError)
    assert isinstance(exc, qs.InvalidInputError), f"{type(exc).__name__}: {msg}"
    assert msg.startswith("invalid_input:"), msg
    if fault.series is not None:
        assert f'series "{fault.series}"' in msg, msg
        assert exc.series_id == fault.series
    if fault.row is not None:
        assert f"row {fault.row}" in msg, msg
        assert exc.row == fault.row, msg
    for r in fault.also_rows:
        assert f"row {r}" in msg, msg
    if fault.field is not None:
        assert f'field "{fault.field}"' in msg, msg
        assert exc.field == fault.field
    for phrase in fault.says:
        options = phrase if isinstance(phrase, tuple) else (phrase,)
        assert any(o.lower() in low for o in options), f"none of {options} in: {msg}"


# -- error corpus: DataFrames, API arguments and files ----------------------------------------
def _dup_in_shuffled_frame(_: Path) -> None:
    # Reversed rows and index labels that are not positions: rows in messages are positions.
    df = base().iloc[::-1].reset_index(drop=True)  # rows 0..9: S2 newest to oldest
    df = pd.concat([df, df.iloc[[3]]], ignore_index=True)  # row 20 repeats row 3
    df.index = np.arange(1000, 1000 + len(df))[::-1]
    fit(df)


def _negative_in_relabelled_frame(_: Path) -> None:
    # Interleave the two series, newest first: positions 19, 9, 18, 8, ... of the base frame.
    perm = np.arange(2 * N).reshape(2, N).T.ravel()[::-1]
    df = base().iloc[perm].reset_index(drop=True)
    pos = int(np.flatnonzero(perm == 3)[0])  # base row 3: S1, 2024-01-04
    assert pos == 13
    df.loc[pos, "y"] = -3.0
    df.index = df.index * 10 + 5  # labels differ from positions
    fit(df)


def _weekly(freq: str, start: str, n: int = 8) -> pd.DataFrame:
    return pd.DataFrame(
        {"unique_id": S1, "ds": pd.date_range(start, periods=n, freq=freq), "y": 1.0}
    )


def _offset_ds(df: pd.DataFrame, row: int, delta: pd.Timedelta) -> pd.DataFrame:
    out = df.copy()
    out.loc[row, "ds"] = out.loc[row, "ds"] + delta
    return out


def _mixed_offsets(_: Path) -> None:
    df = text_ds(base(), "%Y-%m-%dT00:00:00+05:30")
    df.loc[12, "ds"] = str(df.loc[12, "ds"]).replace("+05:30", "+00:00")
    fit(df)


def _integer_among_date_strings(_: Path) -> None:
    df = text_ds(base())
    df.loc[12, "ds"] = 20240103  # a number among date strings (e.g. a spreadsheet serial)
    fit(df)


def _polars_negative(_: Path) -> None:
    pl = pytest.importorskip("polars")
    df = with_value(base(), 13, "y", -3.0)
    fit(pl.from_pandas(df))


def _arrow_nan(_: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    df = with_value(base(), 4, "y", np.nan)
    fit(pa.Table.from_pandas(df, preserve_index=False))


def _tz_train_naive_future(_: Path) -> None:
    df = base()
    df["ds"] = df["ds"].dt.tz_localize("Asia/Kolkata")
    fc = fit(df)
    x = pd.DataFrame(
        {"unique_id": [S1, S2], "ds": [pd.Timestamp("2024-01-11")] * 2}
    )
    fc.predict(h=1, X_df=x)


def _cv_short_series(_: Path) -> None:
    short = pd.DataFrame(
        {"unique_id": "HYD-500099/SKU-0001", "ds": pd.date_range(START, periods=3), "y": 1.0}
    )
    qs.Forecaster([qs.Naive()], freq="D").cross_validation(
        pd.concat([base(), short], ignore_index=True), h=5
    )


def _ragged_long_row(tmp_path: Path) -> None:
    text = csv_text(base()) + f"{S1},2024-01-11,3,99\n"  # 4 fields on line 22
    read_table(write_bytes(tmp_path, "ragged.csv", text.encode()))


def _ragged_short_row(tmp_path: Path) -> None:
    lines = csv_text(base()).splitlines()
    lines[1 + 4] = lines[1 + 4].rsplit(",", 1)[0]  # row 4 lost its y field
    read_and_fit(write_bytes(tmp_path, "short.csv", ("\n".join(lines) + "\n").encode()))


def _bom_with_bad_row(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + csv_text(with_value(base(), 13, "y", -3.0)).encode()
    read_and_fit(write_bytes(tmp_path, "bom.csv", data))


def _latin1_file(tmp_path: Path) -> None:
    text = "unique_id,ds,y\nCaf\u00e9-Store/SKU-1,2024-01-01,1\n"
    read_table(write_bytes(tmp_path, "latin1.csv", text.encode("latin-1")))


def _gz_negative(tmp_path: Path) -> None:
    p = tmp_path / "input.csv.gz"
    with_value(base(), 13, "y", -3.0).to_csv(p, index=False, date_format="%Y-%m-%d")
    read_and_fit(str(p))


def _excel_text_y(tmp_path: Path) -> None:
    read_and_fit(excel_file(tmp_path, with_value(base(), 13, "y", "ten")))


def _excel_blank_ds(tmp_path: Path) -> None:
    read_and_fit(excel_file(tmp_path, with_value(base(), 2, "ds", None)))


def _parquet_duplicate(tmp_path: Path) -> None:
    df = base()
    df = pd.concat([df, df.iloc[[13]]], ignore_index=True)
    read_and_fit(parquet_file(tmp_path, df))


def _parquet_integer_ds(tmp_path: Path) -> None:
    df = base()
    df["ds"] = np.tile(np.arange(N), 2)
    read_and_fit(parquet_file(tmp_path, df))


ERROR_CASES = [
    # -- DataFrame content ----------------------------------------------------------------------
    pytest.param(
        lambda _: fit(pd.concat([base(), base().iloc[[13]]], ignore_index=True)),
        Fault("ds", S2, 20, ("duplicate (unique_id, ds)", "2024-01-04"), also_rows=(13,)),
        id="df-duplicate-unique_id-ds-names-both-rows",
    ),
    pytest.param(
        _dup_in_shuffled_frame,
        Fault("ds", S2, 20, ("duplicate",), also_rows=(3,)),
        id="df-duplicate-in-reversed-relabelled-frame-names-positions",
    ),
    pytest.param(
        _negative_in_relabelled_frame,
        Fault("y", S1, 13, (">= 0", "-3")),
        id="df-negative-y-in-shuffled-frame-row-is-position-not-label",
    ),
    pytest.param(
        lambda _: fit(base().drop(index=3)),
        Fault("ds", S1, 3, ("irregular spacing", "1 period(s)", "row 2")),
        id="df-missing-day",
    ),
    pytest.param(
        lambda _: fit(base().drop(index=[13, 14, 15]).reset_index(drop=True)),
        Fault("ds", S2, 13, ("irregular spacing", "3 period(s)")),
        id="df-missing-three-days",
    ),
    pytest.param(
        lambda _: fit(_offset_ds(base(), 12, pd.Timedelta(hours=12))),
        Fault("ds", S2, 12, ("not on the 'D' grid", "12:00")),
        id="df-timestamp-off-daily-grid-at-noon",
    ),
    pytest.param(
        lambda _: fit(_weekly("W-SAT", "2024-01-06"), freq="W-SUN"),
        Fault("ds", S1, 0, ("expects weeks on SUN", "SAT", "W-SAT")),
        id="df-saturdays-with-freq-W-SUN",
    ),
    pytest.param(
        lambda _: fit(_offset_ds(_weekly("W-SUN", "2024-01-07"), 3, pd.Timedelta(days=1)),
                      freq="W-SUN"),
        Fault("ds", S1, 3, ("not on the 'W-SUN' grid", "2024-01-29")),
        id="df-one-monday-among-W-SUN-weeks",
    ),
    pytest.param(
        lambda _: fit(_weekly("MS", "2024-01-01").drop(index=4), freq="MS"),
        Fault("ds", S1, 4, ("irregular spacing", "'MS'")),
        id="df-monthly-MS-missing-month",
    ),
    pytest.param(
        lambda _: fit(_offset_ds(_weekly("MS", "2024-01-01"), 2, pd.Timedelta(days=14)),
                      freq="MS"),
        Fault("ds", S1, 2, ("not on the 'MS' grid", "first day")),
        id="df-mid-month-date-with-freq-MS",
    ),
    pytest.param(
        lambda _: fit(with_value(base(), 13, "y", np.nan)),
        Fault("y", S2, 13, ("must be finite", "nan")),
        id="df-nan-y",
    ),
    pytest.param(
        lambda _: fit(with_value(base(), 13, "y", np.inf)),
        Fault("y", S2, 13, ("must be finite", "inf")),
        id="df-inf-y",
    ),
    pytest.param(
        lambda _: fit(with_value(base(), 0, "y", -np.inf)),
        Fault("y", S1, 0, ("must be finite", "-inf")),
        id="df-minus-inf-y",
    ),
    pytest.param(
        lambda _: fit(with_value(base(), 13, "y", -3.0)),
        Fault("y", S2, 13, ("demand must be >= 0 (got -3)",)),
        id="df-negative-y",
    ),
    pytest.param(
        lambda _: fit(with_value(base(), 13, "y", "abc")),
        Fault("y", S2, 13, ("must be a number", "'abc'")),
        id="df-string-y",
    ),
    pytest.param(
        lambda _: fit(with_value(base().astype({"y": str}), 5, "y", "1,5")),
        Fault("y", S1, 5, ("must be a number", "'1,5'")),
        id="df-decimal-comma-y-text",
    ),
    pytest.param(
        lambda _: fit(with_value(base(), 4, "unique_id", np.nan)),
        Fault("unique_id", None, 4, ("missing",)),
        id="df-nan-unique_id",
    ),
    pytest.param(
        lambda _: fit(with_value(base(), 4, "ds", pd.NaT)),
        Fault("ds", S1, 4, ("missing (NaT)",)),
        id="df-nat-ds",
    ),
    pytest.param(
        lambda _: fit(with_value(text_ds(base()), 12, "ds", "not a date")),
        Fault("ds", S2, 12, ("cannot read 'not a date' as a timestamp",)),
        id="df-unparseable-ds-string",
    ),
    pytest.param(
        lambda _: fit(with_value(text_ds(base()), 7, "ds", "2024-02-30")),
        Fault("ds", S1, 7, ("'2024-02-30'", "timestamp")),
        id="df-impossible-calendar-date",
    ),
    pytest.param(
        _mixed_offsets,
        Fault("ds", None, None, (("time zone", "timezone", "time-zone"),)),
        id="df-mixed-time-zone-offsets-in-ds-strings",
    ),
    pytest.param(
        lambda _: fit(text_ds(base(), "%Y-%m-%dT00:00:00+05:30")),
        Fault("ds", None, None, ("time-zone offsets",)),
        id="df-ds-strings-with-utc-offset",
    ),
    pytest.param(
        lambda _: fit(base().assign(ds=np.tile(np.arange(N), 2))),
        Fault("ds", None, None, ("must be timestamps", "integer freq")),
        id="df-integer-ds-with-date-freq",
    ),
    pytest.param(
        lambda _: fit(base().assign(ds=np.tile(np.arange(N, dtype=float), 2))),
        Fault("ds", None, None, ("must be timestamps", "float64")),
        id="df-float-ds-with-date-freq",
    ),
    pytest.param(
        _integer_among_date_strings,
        Fault("ds", S2, 12, ("20240103",)),
        id="df-integer-among-date-strings-names-its-row",
    ),
    pytest.param(
        lambda _: fit(with_value(base().assign(channel="app"), 7, "channel", "web")),
        Fault("channel", S1, 7, ("column 'channel'", "nor numeric", "row 6")),
        id="df-varying-text-column",
    ),
    pytest.param(
        lambda _: fit(with_value(base(covariates=True), 7, "rain_mm", np.nan)),
        Fault("rain_mm", S1, 7, ("covariate must be finite", "nan")),
        id="df-nan-in-numeric-covariate",
    ),
    pytest.param(
        lambda _: fit(with_value(base(covariates=True), 15, "rain_mm", np.inf)),
        Fault("rain_mm", S2, 15, ("covariate must be finite", "inf")),
        id="df-inf-in-numeric-covariate",
    ),
    pytest.param(
        lambda _: fit(base().drop(columns="y")),
        Fault("y", None, None, ("missing column 'y'",)),
        id="df-missing-column-y",
    ),
    pytest.param(
        lambda _: fit(base().drop(columns="ds")),
        Fault("ds", None, None, ("missing column 'ds'",)),
        id="df-missing-column-ds",
    ),
    pytest.param(
        lambda _: fit(base().rename(columns={"unique_id": "sku"})),
        Fault("unique_id", None, None, ("missing column 'unique_id'", "'sku'")),
        id="df-missing-column-unique_id",
    ),
    pytest.param(
        lambda _: fit(base().set_axis(["unique_id", "ds", "ds"], axis=1)),
        Fault("ds", None, None, ("appears more than once",)),
        id="df-duplicated-column-names",
    ),
    pytest.param(
        lambda _: fit(base().iloc[:0]),
        Fault("df", None, None, ("empty",)),
        id="df-empty-frame",
    ),
    pytest.param(
        lambda _: fit([[S1, START, 1.0]]),
        Fault("df", None, None, ("pandas, polars or pyarrow", "list")),
        id="df-list-not-a-table",
    ),
    pytest.param(
        lambda _: fit(base().to_numpy()),
        Fault("df", None, None, ("pandas, polars or pyarrow", "ndarray")),
        id="df-numpy-array-not-a-table",
    ),
    pytest.param(
        _polars_negative,
        Fault("y", S2, 13, (">= 0",)),
        id="polars-negative-y",
    ),
    pytest.param(
        _arrow_nan,
        Fault("y", S1, 4, ("finite",)),
        id="pyarrow-nan-y",
    ),
    pytest.param(
        lambda _: fit(pd.DataFrame({"unique_id": S1, "ds": [0, 1, 2, 4, 5], "y": 1.0}), freq=1),
        Fault("ds", S1, 3, ("irregular spacing", "from 2 (row 2) to 4")),
        id="df-integer-ds-gap-with-integer-freq",
    ),
    # -- Forecaster / model arguments -----------------------------------------------------------
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq="XYZ"),
        Fault("freq", None, None, ("unsupported frequency 'XYZ'",)),
        id="arg-unknown-freq-alias",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq="W-FUNDAY"),
        Fault("freq", None, None, ("unsupported frequency 'W-FUNDAY'", "weekday")),
        id="arg-unknown-weekly-anchor",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq=None),
        Fault("freq", None, None, ("freq is required",)),
        id="arg-freq-none",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq=0),
        Fault("freq", None, None, (">= 1",)),
        id="arg-integer-freq-zero",
    ),
    pytest.param(
        lambda _: fit(base(), freq=1),
        Fault("ds", None, None, ("integer freq needs an integer ds",)),
        id="arg-integer-freq-with-datetime-ds",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq="D", n_jobs=0),
        Fault("n_jobs", None, None, ("-1 (all cores) or >= 1", "got 0")),
        id="arg-n_jobs-zero",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq="D", n_jobs=-2),
        Fault("n_jobs", None, None, ("got -2",)),
        id="arg-n_jobs-minus-two",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq="D", n_jobs=2.0),
        Fault("n_jobs", None, None, ("must be an integer",)),
        id="arg-n_jobs-float",
    ),
    pytest.param(
        lambda _: qs.Forecaster([], freq="D"),
        Fault("models", None, None, ("non-empty list",)),
        id="arg-models-empty",
    ),
    pytest.param(
        lambda _: qs.Forecaster("Naive", freq="D"),
        Fault("models", None, None, ("non-empty list",)),
        id="arg-models-a-string",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive(), "SeasonalNaive"], freq="D"),
        Fault("models", None, None, ("'SeasonalNaive' is not a quickstock model",)),
        id="arg-models-contains-non-model",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.WindowAverage(3), qs.WindowAverage(7)], freq="D"),
        Fault("models", None, None, ("aliases must be distinct", "WindowAverage")),
        id="arg-models-duplicate-aliases",
    ),
    pytest.param(
        lambda _: qs.SeasonalNaive(season_length=0),
        Fault("season_length", None, None, (">= 1", "got 0")),
        id="arg-season_length-zero",
    ),
    pytest.param(
        lambda _: qs.WindowAverage(window_size=-1),
        Fault("window_size", None, None, (">= 1", "got -1")),
        id="arg-window_size-negative",
    ),
    pytest.param(
        lambda _: qs.SeasonalNaive(season_length=2.5),
        Fault("season_length", None, None, ("integer", "2.5")),
        id="arg-season_length-float",
    ),
    pytest.param(
        lambda _: qs.SeasonalWindowAverage(season_length=7, window_size=0),
        Fault("window_size", None, None, (">= 1", "got 0")),
        id="arg-seasonal-window-size-zero",
    ),
    pytest.param(
        lambda _: qs.Naive(alias=""),
        Fault("alias", None, None, ("non-empty string",)),
        id="arg-empty-alias",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq="D").predict(h=3),
        Fault("Forecaster", None, None, ("fit(df) before predict",)),
        id="arg-predict-before-fit",
    ),
    pytest.param(
        lambda _: fitted().predict(h=0),
        Fault("h", None, None, ("h must be >= 1", "got 0")),
        id="arg-h-zero",
    ),
    pytest.param(
        lambda _: fitted().predict(h=-1),
        Fault("h", None, None, ("h must be >= 1", "got -1")),
        id="arg-h-minus-one",
    ),
    pytest.param(
        lambda _: fitted().predict(h=1.5),
        Fault("h", None, None, ("integer", "1.5")),
        id="arg-h-float",
    ),
    pytest.param(
        lambda _: fitted().predict(h=True),
        Fault("h", None, None, ("integer", "True")),
        id="arg-h-bool",
    ),
    pytest.param(
        lambda _: fitted().predict(h="7"),
        Fault("h", None, None, ("integer", "'7'")),
        id="arg-h-string",
    ),
    pytest.param(
        lambda _: fitted().predict(h=2**64),
        Fault("h", None, None, ()),
        id="arg-h-beyond-int64",
    ),
    pytest.param(
        lambda _: fitted().predict(h=3, quantiles=[0.1, 1.5]),
        Fault("quantiles", None, None, ("strictly between 0 and 1", "1.5")),
        id="arg-quantile-above-one",
    ),
    pytest.param(
        lambda _: fitted().predict(h=3, quantiles=[-0.1, 0.5]),
        Fault("quantiles", None, None, ("strictly between 0 and 1", "-0.1")),
        id="arg-quantile-negative",
    ),
    pytest.param(
        lambda _: fitted().predict(h=3, quantiles=[0, 0.5]),
        Fault("quantiles", None, None, ("strictly between 0 and 1", "got 0.0")),
        id="arg-quantile-zero",
    ),
    pytest.param(
        lambda _: fitted().predict(h=3, quantiles=[0.5, 1]),
        Fault("quantiles", None, None, ("strictly between 0 and 1", "got 1.0")),
        id="arg-quantile-one",
    ),
    pytest.param(
        lambda _: fitted().predict(h=3, quantiles=[float("nan")]),
        Fault("quantiles", None, None, ("strictly between 0 and 1", "nan")),
        id="arg-quantile-nan",
    ),
    pytest.param(
        lambda _: fitted().predict(h=3, quantiles=[0.1, "0.9"]),
        Fault("quantiles", None, None, ("'0.9' is not a number",)),
        id="arg-quantile-non-numeric",
    ),
    pytest.param(
        lambda _: fitted().predict(h=3, quantiles=[0.1, 0.5, 0.5]),
        Fault("quantiles", None, None, ("repeat",)),
        id="arg-quantiles-repeated",
    ),
    pytest.param(
        lambda _: fitted().predict(h=3, quantiles="0.1,0.5,0.9"),
        Fault("quantiles", None, None, ("list of levels", "'0.1,0.5,0.9'")),
        id="arg-quantiles-as-string",
    ),
    pytest.param(
        lambda _: fitted().predict(h=3, quantiles=0.5),
        Fault("quantiles", None, None, ("list of levels",)),
        id="arg-quantiles-as-scalar",
    ),
    # -- X_df -----------------------------------------------------------------------------------
    pytest.param(
        lambda _: predict_with_x(lambda x: with_value(x, 4, "unique_id", "HYD-999999/SKU-9")),
        Fault("unique_id", "HYD-999999/SKU-9", 4, ("not in the training frame",)),
        id="xdf-unknown-id",
    ),
    pytest.param(
        lambda _: predict_with_x(lambda x: x.drop(index=4)),
        Fault("ds", S2, None, ("no row for forecast step 2", "2024-01-12")),
        id="xdf-missing-a-forecast-day",
    ),
    pytest.param(
        lambda _: predict_with_x(lambda x: x.drop(columns="rain_mm")),
        Fault("rain_mm", None, None, ("X_df is missing column 'rain_mm'",)),
        id="xdf-missing-covariate-column",
    ),
    pytest.param(
        lambda _: predict_with_x(lambda x: with_value(x, 4, "rain_mm", np.nan)),
        Fault("rain_mm", S2, 4, ("must be finite", "nan")),
        id="xdf-nan-covariate",
    ),
    pytest.param(
        lambda _: predict_with_x(lambda x: pd.concat([x, x.iloc[[4]]], ignore_index=True)),
        Fault("ds", S2, 6, ("repeats",)),
        id="xdf-repeated-row",
    ),
    pytest.param(
        lambda _: predict_with_x(lambda x: _offset_ds(x, 1, pd.Timedelta(hours=6))),
        Fault("ds", S1, 1, ("not on the 'D' grid",)),
        id="xdf-timestamp-off-grid",
    ),
    pytest.param(
        lambda _: predict_with_x(lambda x: x.to_dict("list")),
        Fault("X_df", None, None, ("pandas, polars or pyarrow", "dict")),
        id="xdf-dict-not-a-table",
    ),
    pytest.param(
        _tz_train_naive_future,
        Fault("ds", None, None, ("naive here", "Asia/Kolkata")),
        id="xdf-naive-ds-after-tz-aware-training",
    ),
    # -- cross_validation -----------------------------------------------------------------------
    pytest.param(
        _cv_short_series,
        Fault("y", "HYD-500099/SKU-0001", None, ("series has 3 observations", "holding out 5")),
        id="cv-series-too-short",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq="D").cross_validation(base(), h=3, n_windows=4),
        Fault("y", S2, None, ("series has 10 observations", "holding out 12")),
        id="cv-windows-longer-than-history",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq="D").cross_validation(base(), h=2, n_windows=0),
        Fault("n_windows", None, None, (">= 1", "got 0")),
        id="cv-n_windows-zero",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq="D").cross_validation(base(), h=2, step_size=0),
        Fault("step_size", None, None, (">= 1", "got 0")),
        id="cv-step_size-zero",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq="D").cross_validation(base(), h=0),
        Fault("h", None, None, (">= 1",)),
        id="cv-h-zero",
    ),
    pytest.param(
        lambda _: qs.Forecaster([qs.Naive()], freq="D").forecast(
            with_value(base(), 13, "y", -3.0), h=3
        ),
        Fault("y", S2, 13, (">= 0",)),
        id="forecast-negative-y",
    ),
    # -- files through quickstock.io.read_table --------------------------------------------------
    pytest.param(
        _latin1_file,
        Fault("path", None, None, ("latin1.csv", "not UTF-8", "offset")),
        id="file-csv-non-utf8-bytes",
    ),
    pytest.param(
        _bom_with_bad_row,
        Fault("y", S2, 13, (">= 0",)),
        id="file-csv-with-bom-and-negative-y",
    ),
    pytest.param(
        _ragged_long_row,
        Fault("path", None, None, ("ragged.csv", "expected 3 fields", "line 22")),
        id="file-csv-ragged-row-too-many-fields",
    ),
    pytest.param(
        _ragged_short_row,
        Fault("y", S1, 4, ("finite",)),
        id="file-csv-ragged-row-too-few-fields",
    ),
    pytest.param(
        lambda p: read_table(write_bytes(p, "empty.csv", b"")),
        Fault("path", None, None, ("empty.csv", "is empty")),
        id="file-csv-empty",
    ),
    pytest.param(
        lambda p: read_and_fit(write_bytes(p, "header.csv", b"unique_id,ds,y\n")),
        Fault("df", None, None, ("empty",)),
        id="file-csv-header-only",
    ),
    pytest.param(
        lambda p: read_table(write_bytes(p, "quote.csv", b'unique_id,ds,y\nA,2024-01-01,"1\n')),
        Fault("path", None, None, ("quote.csv", "not a well-formed table")),
        id="file-csv-unclosed-quote",
    ),
    pytest.param(
        lambda p: read_and_fit(
            write_bytes(p, "semicolon.csv", csv_text(base()).replace(",", ";").encode())
        ),
        Fault("unique_id", None, None, ("missing column 'unique_id'", "unique_id;ds;y")),
        id="file-csv-semicolon-separated",
    ),
    pytest.param(
        _gz_negative,
        Fault("y", S2, 13, (">= 0",)),
        id="file-csv-gz-negative-y",
    ),
    pytest.param(
        lambda p: read_table(write_bytes(p, "input.json", b"{}")),
        Fault("path", None, None, ("cannot tell the format",)),
        id="file-unknown-extension",
    ),
    pytest.param(
        lambda p: read_table(str(p / "nowhere.csv")),
        Fault("path", None, None, ("no such file", "nowhere.csv")),
        id="file-missing",
    ),
    pytest.param(
        lambda p: read_and_fit(excel_file(p, with_value(base(), 6, "y", -2.0))),
        Fault("y", S1, 6, ("demand must be >= 0 (got -2)",)),
        id="file-xlsx-negative-y",
    ),
    pytest.param(
        _excel_text_y,
        Fault("y", S2, 13, ("must be a number", "'ten'")),
        id="file-xlsx-text-in-y",
    ),
    pytest.param(
        _excel_blank_ds,
        Fault("ds", S1, 2, ("missing (NaT)",)),
        id="file-xlsx-blank-ds-cell",
    ),
    pytest.param(
        lambda p: read_table(write_bytes(p, "broken.xlsx", b"this is not a zip archive")),
        Fault("path", None, None, ("broken.xlsx", "cannot read")),
        id="file-xlsx-corrupt",
    ),
    pytest.param(
        lambda p: read_and_fit(parquet_file(p, with_value(base(), 4, "y", np.nan))),
        Fault("y", S1, 4, ("finite", "nan")),
        id="file-parquet-nan-y",
    ),
    pytest.param(
        _parquet_duplicate,
        Fault("ds", S2, 20, ("duplicate",), also_rows=(13,)),
        id="file-parquet-duplicate-row",
    ),
    pytest.param(
        _parquet_integer_ds,
        Fault("ds", None, None, ("must be timestamps",)),
        id="file-parquet-integer-ds",
    ),
    pytest.param(
        lambda p: read_table(write_bytes(p, "broken.parquet", b"PAR1 but not really")),
        Fault("path", None, None, ("broken.parquet", "cannot read")),
        id="file-parquet-corrupt",
    ),
]


@pytest.mark.parametrize(("act", "fault"), ERROR_CASES)
def test_bad_input_raises_named_error(
    act: Callable[[Path], Any], fault: Fault, tmp_path: Path
) -> None:
    with pytest.raises(qs.QuickstockError) as info:
        act(tmp_path)
    check_fault(info.value, fault)


def test_empty_quantile_list_is_rejected_or_gives_mean_only() -> None:
    # quantiles=[] is either an error naming the argument or a forecast with no p-columns;
    # a numpy reshape error is neither.
    fc = fitted()
    try:
        out = fc.predict(h=3, quantiles=[])
    except qs.QuickstockError as exc:
        check_fault(exc, Fault("quantiles"))
    else:
        assert list(out.columns) == ["unique_id", "ds", "model", "mean"]
        assert np.isfinite(out["mean"]).all()


# -- the command line ----------------------------------------------------------------------------
@dataclass
class CliCase:
    df: pd.DataFrame | None  # written to input.csv; None: use ``raw``
    args: tuple[str, ...]
    says: tuple[str, ...]
    raw: bytes | None = None
    name: str = "input.csv"
    output: str = "out.csv"


CLI_CASES = [
    pytest.param(
        CliCase(with_value(base(), 13, "y", -3.0), ("--freq", "D", "--horizon", "3"),
                (f'series "{S2}"', "row 13", 'field "y"', ">= 0")),
        id="cli-negative-y",
    ),
    pytest.param(
        CliCase(with_value(base(), 13, "y", -3.0), ("--horizon", "3"),
                (f'series "{S2}"', "row 13", 'field "y"', ">= 0")),
        id="cli-negative-y-freq-inferred",
    ),
    pytest.param(
        CliCase(base().drop(index=3), ("--freq", "D", "--horizon", "3"),
                (f'series "{S1}"', "row 3", "irregular spacing")),
        id="cli-missing-day",
    ),
    pytest.param(
        CliCase(base().drop(index=[3, 13]), ("--horizon", "3"),
                ('field "freq"', "cannot infer the frequency", "--freq")),
        id="cli-gaps-freq-cannot-be-inferred",
    ),
    pytest.param(
        CliCase(with_value(base(), 4, "y", "five"), ("--freq", "D", "--horizon", "3"),
                (f'series "{S1}"', "row 4", "must be a number", "'five'")),
        id="cli-text-in-y",
    ),
    pytest.param(
        CliCase(base(), ("--freq", "D", "--horizon", "0"), ('field "h"', ">= 1")),
        id="cli-horizon-zero",
    ),
    pytest.param(
        CliCase(base(), ("--freq", "D", "--horizon", "3", "--quantiles", "0.1,abc"),
                ('field "quantiles"', "comma-separated numbers")),
        id="cli-quantiles-not-numbers",
    ),
    pytest.param(
        CliCase(base(), ("--freq", "D", "--horizon", "3", "--quantiles", "0.1,1"),
                ('field "quantiles"', "strictly between 0 and 1")),
        id="cli-quantile-one",
    ),
    pytest.param(
        CliCase(base(), ("--freq", "D", "--horizon", "3", "--quantiles", ""),
                ('field "quantiles"',)),
        id="cli-quantiles-empty-string",
    ),
    pytest.param(
        CliCase(base(), ("--freq", "XYZ", "--horizon", "3"),
                ('field "freq"', "unsupported frequency 'XYZ'")),
        id="cli-unknown-freq",
    ),
    pytest.param(
        CliCase(base(), ("--freq", "D", "--horizon", "3", "--models", "Naive,Prophet"),
                ('field "models"', "unknown model 'Prophet'")),
        id="cli-unknown-model",
    ),
    pytest.param(
        CliCase(base(), ("--freq", "D", "--horizon", "3", "--season-length", "0"),
                ('field "season_length"', ">= 1")),
        id="cli-season-length-zero",
    ),
    pytest.param(
        CliCase(base(), ("--freq", "D", "--horizon", "3", "--models", "WindowAverage",
                         "--window-size", "0"),
                ('field "window_size"', ">= 1")),
        id="cli-window-size-zero",
    ),
    pytest.param(
        CliCase(base(), ("--freq", "D", "--horizon", "3", "--n-jobs", "0"),
                ('field "n_jobs"', "got 0")),
        id="cli-n-jobs-zero",
    ),
    pytest.param(
        CliCase(base(), ("--freq", "D", "--horizon", "3", "--id-col", "sku"),
                ('field "sku"', "missing column 'sku'")),
        id="cli-id-col-absent",
    ),
    pytest.param(
        CliCase(None, ("--freq", "D", "--horizon", "3"), ('field "path"', "not UTF-8"),
                raw="unique_id,ds,y\nCaf\u00e9,2024-01-01,1\n".encode("latin-1")),
        id="cli-non-utf8-input",
    ),
    pytest.param(
        CliCase(None, ("--freq", "D", "--horizon", "3"), ('field "path"', "is empty"), raw=b""),
        id="cli-empty-input",
    ),
    pytest.param(
        CliCase(None, ("--freq", "D", "--horizon", "3"), ('field "path"', "no such file")),
        id="cli-missing-input",
    ),
    pytest.param(
        CliCase(base(), ("--freq", "D", "--horizon", "3"),
                ('field "path"', "cannot tell the format"), output="out.json"),
        id="cli-unknown-output-extension",
    ),
]


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_reports_bad_input(
    case: CliCase, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / case.name
    if case.df is not None:
        src.write_text(csv_text(case.df))
    elif case.raw is not None:
        src.write_bytes(case.raw)
    out = tmp_path / case.output
    status = cli_main(["forecast", "--input", str(src), "--output", str(out), *case.args])
    captured = capsys.readouterr()
    assert status == 2, (captured.out, captured.err)
    assert captured.err.startswith("quickstock: error: invalid_input:"), captured.err
    assert "Traceback" not in captured.err
    for phrase in case.says:
        assert phrase.lower() in captured.err.lower(), captured.err
    assert not out.exists()


# -- inputs that look wrong but are valid --------------------------------------------------------
ALL_MODELS = [
    qs.Naive(),
    qs.SeasonalNaive(season_length=7),
    qs.HistoricAverage(),
    qs.WindowAverage(window_size=3),
    qs.SeasonalWindowAverage(season_length=7, window_size=2),
    qs.RandomWalkWithDrift(),
]
LEVELS = [0.05, 0.1, 0.5, 0.9, 0.95]
QCOLS = ["p5", "p10", "p50", "p90", "p95"]


def assert_sane(out: pd.DataFrame) -> None:
    values = out[["mean", *QCOLS]].to_numpy(dtype=float)
    assert np.isfinite(values).all(), out[~np.isfinite(values).all(axis=1)]
    q = out[QCOLS].to_numpy(dtype=float)
    assert (np.diff(q, axis=1) >= 0).all()
    assert (q >= 0).all()


def test_unsorted_input_is_sorted_and_forecast_matches(rng: np.random.Generator) -> None:
    panel = make_panel(rng, attributes=True, covariates=True)
    shuffled = panel.iloc[rng.permutation(len(panel))]  # index labels shuffled too
    models = [qs.SeasonalNaive(season_length=7), qs.RandomWalkWithDrift()]
    expected = qs.Forecaster(models, freq="D").forecast(panel, h=7, quantiles=LEVELS)
    got = qs.Forecaster(models, freq="D").forecast(shuffled, h=7, quantiles=LEVELS)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    cv_expected = qs.Forecaster(models, freq="D").cross_validation(panel, h=3, n_windows=2)
    cv_got = qs.Forecaster(models, freq="D").cross_validation(shuffled, h=3, n_windows=2)
    pd.testing.assert_frame_equal(cv_got, cv_expected, check_exact=True)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.alias)
def test_one_point_series_gives_finite_forecast(model: qs.Model) -> None:
    one = pd.DataFrame({"unique_id": [S1], "ds": [pd.Timestamp(START)], "y": [4.0]})
    mixed = pd.concat([one, base().iloc[N:]], ignore_index=True)  # beside a longer series
    out = qs.Forecaster([model], freq="D").forecast(mixed, h=5, quantiles=LEVELS)
    assert_sane(out)
    mine = out[out.unique_id == S1]
    assert len(mine) == 5
    assert (mine.ds == pd.date_range("2024-01-02", periods=5)).all()
    np.testing.assert_allclose(mine["mean"], 4.0)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.alias)
def test_all_zero_series_gives_zero_quantiles(model: qs.Model) -> None:
    zeros = base().assign(y=0.0)
    out = qs.Forecaster([model], freq="D").forecast(zeros, h=4, quantiles=LEVELS)
    assert len(out) == 2 * 4
    np.testing.assert_array_equal(out[["mean", *QCOLS]].to_numpy(dtype=float), 0.0)


def _huge(values: dict[int, float]) -> pd.DataFrame:
    df = base()
    for row, v in values.items():
        df.loc[row, "y"] = v
    return df


@pytest.mark.parametrize(
    ("values", "model"),
    [pytest.param({3: 1e300}, m, id=f"1e300-{m.alias}") for m in ALL_MODELS]
    + [pytest.param({3: 1e308, 4: 1e308}, qs.HistoricAverage(), id="two-1e308-HistoricAverage")],
)
def test_huge_value_gives_finite_output_or_named_error(
    values: dict[int, float], model: qs.Model
) -> None:
    # Either a finite forecast, or a QuickstockError naming the value's series, row and field.
    try:
        out = qs.Forecaster([model], freq="D").forecast(_huge(values), h=3, quantiles=LEVELS)
    except qs.QuickstockError as exc:
        check_fault(exc, Fault("y", S1, min(values)))
    else:
        assert_sane(out)


def test_csv_with_bom_reads_like_plain_csv(tmp_path: Path) -> None:
    text = csv_text(base())
    plain = read_table(write_bytes(tmp_path, "plain.csv", text.encode()))
    bom = read_table(write_bytes(tmp_path, "bom.csv", b"\xef\xbb\xbf" + text.encode()))
    assert list(bom.columns) == ["unique_id", "ds", "y"]
    pd.testing.assert_frame_equal(bom, plain)
    fc = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D")
    pd.testing.assert_frame_equal(fc.forecast(bom, h=3), fc.forecast(plain, h=3))
