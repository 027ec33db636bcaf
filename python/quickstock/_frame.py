"""From user tables to validated arrays for the C++ core, and back.

Everything here is vectorised (numpy/pandas); the per-row rules — sorting, grid, duplicates,
gaps, finite non-negative demand, finite covariates — are checked in C++ by ``Panel.from_long``.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._errors import invalid

__all__ = ["PreparedFrame", "to_pandas", "parse_freq", "prepare", "quantile_column"]

#: Default season length for a frequency alias (the dominant cycle of demand data).
SEASON_LENGTHS = {"h": 24, "D": 7, "W": 52, "MS": 12, "ME": 12, "QS": 4, "QE": 4}


def to_pandas(df: Any, name: str = "df") -> pd.DataFrame:
    """Return ``df`` as a pandas DataFrame (pandas, polars and pyarrow tables are accepted).

    Raises:
        QuickstockError: for anything else, naming the argument.
    """
    if isinstance(df, pd.DataFrame):
        return df
    module = type(df).__module__.split(".")[0]
    if module in ("polars", "pyarrow") and hasattr(df, "to_pandas"):
        return df.to_pandas()
    invalid(
        f"expected a pandas, polars or pyarrow table, got {type(df).__name__}", field=name
    )


def parse_freq(freq: Any) -> Any:
    """Parse ``freq`` (a pandas alias such as ``"D"``, ``"h"``, ``"W-SUN"``, ``"MS"``, a pandas
    offset, or an integer step for integer time indexes) into a core ``Frequency``."""
    if freq is None:
        invalid("freq is required, e.g. freq='D' for daily data", field="freq")
    if isinstance(freq, numbers.Integral) and not isinstance(freq, bool):
        return _core.Frequency.integer(int(freq))
    if isinstance(freq, pd.DateOffset):
        freq = freq.freqstr
    if not isinstance(freq, str):
        invalid(f"freq must be a string alias or an integer (got {freq!r})", field="freq")
    return _core.Frequency.parse(freq)


def default_season_length(freq: Any) -> int:
    """Observations per dominant cycle for a core ``Frequency`` (1 when there is none)."""
    alias = freq.alias
    base = alias.lstrip("0123456789").split("-")[0]
    if alias[: len(alias) - len(alias.lstrip("0123456789"))] not in ("", "1"):
        return 1
    return SEASON_LENGTHS.get(base, 1)


def quantile_column(q: float) -> str:
    """Column name of quantile ``q``: ``"p"`` + 100·q written shortest (``p2.5``, ``p50``)."""
    value = round(100.0 * float(q), 10)
    text = repr(value)
    if text.endswith(".0"):
        text = text[:-2]
    return "p" + text


_QUANTILE_COLUMN = re.compile(r"^p(\d+(?:\.\d+)?)$")


def quantile_columns(frame: pd.DataFrame) -> dict[float, str]:
    """The frame's quantile columns (``p10``, ``p2.5``…) by level, in increasing order; only
    names written as ``quantile_column`` writes them count."""
    found: dict[float, str] = {}
    for col in frame.columns:
        match = _QUANTILE_COLUMN.match(str(col))
        if match:
            q = float(match.group(1)) / 100.0
            if 0.0 < q < 1.0 and quantile_column(q) == col:
                found[q] = str(col)
    return dict(sorted(found.items()))


def check_quantiles(quantiles: Any) -> list[float]:
    """Validate a quantile list: numbers strictly inside (0, 1), no repeats."""
    if isinstance(quantiles, (str, bytes)) or not isinstance(quantiles, (Sequence, np.ndarray)):
        invalid(
            f"quantiles must be a list of levels in (0, 1) (got {quantiles!r})", field="quantiles"
        )
    out: list[float] = []
    for q in quantiles:
        if isinstance(q, bool) or not isinstance(q, numbers.Real):
            invalid(f"quantile {q!r} is not a number", field="quantiles")
        qf = float(q)
        if not (0.0 < qf < 1.0):
            invalid(
                f"every quantile level must be strictly between 0 and 1 (got {qf!r})",
                field="quantiles",
            )
        out.append(qf)
    names = [quantile_column(q) for q in out]
    if len(set(names)) != len(names):
        invalid(f"quantile levels repeat: {out}", field="quantiles")
    return out


#: Largest horizon accepted (a million periods: over a century of hours).
MAX_HORIZON = 1_000_000


def check_horizon(h: Any) -> int:
    """Validate a horizon: an integer in [1, MAX_HORIZON]."""
    if isinstance(h, bool) or not isinstance(h, numbers.Integral):
        invalid(f"the horizon h must be an integer >= 1 (got {h!r})", field="h")
    if int(h) < 1:
        invalid(f"the horizon h must be >= 1 (got {int(h)})", field="h")
    if int(h) > MAX_HORIZON:
        invalid(f"the horizon h must be <= {MAX_HORIZON:,} (got {int(h)})", field="h")
    return int(h)


@dataclass
class TimeCodec:
    """How ``ds`` values map to int64 for the core, and back."""

    kind: str  # "datetime" or "integer"
    tz: Any = None
    unit: str = "ns"

    def encode(self, ds: pd.Series, ids: np.ndarray, codes: np.ndarray, field: str) -> np.ndarray:
        return _encode_time(ds, self, ids, codes, field)

    def decode(self, values: np.ndarray) -> Any:
        if self.kind == "integer":
            return values.astype(np.int64)
        out = pd.DatetimeIndex(values.astype("datetime64[ns]"))
        if self.tz is not None:
            out = out.tz_localize(self.tz, ambiguous="NaT", nonexistent="shift_forward")
        return out


def _first_bad_row(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _time_codec(ds: pd.Series, freq: Any, field: str) -> TimeCodec:
    if freq.is_integer:
        if not pd.api.types.is_integer_dtype(ds.dtype):
            invalid(
                f"an integer freq needs an integer {field} column (got dtype {ds.dtype})",
                field=field,
            )
        return TimeCodec("integer")
    if isinstance(ds.dtype, pd.DatetimeTZDtype):
        return TimeCodec("datetime", tz=ds.dtype.tz)
    return TimeCodec("datetime")


def _encode_time(
    ds: pd.Series, codec: TimeCodec, ids: np.ndarray, codes: np.ndarray, field: str
) -> np.ndarray:
    def where(row: int) -> dict[str, Any]:
        return {"series": ids[codes[row]], "row": row, "field": field}

    if codec.kind == "integer":
        if not pd.api.types.is_integer_dtype(ds.dtype):
            invalid(f"{field} must be integers like the training frame (got {ds.dtype})", field=field)
        return ds.to_numpy(dtype=np.int64)
    values = ds
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        if codec.tz is None:
            invalid("ds is time-zone aware here but was naive in the training frame", field=field)
        values = values.dt.tz_convert(codec.tz).dt.tz_localize(None)
    elif codec.tz is not None:
        invalid(f"ds is naive here but was in time zone {codec.tz} in the training frame", field=field)
    if not pd.api.types.is_datetime64_dtype(values.dtype):
        if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
            invalid(
                f"ds must be timestamps (got numbers of dtype {values.dtype}); for an integer "
                "time index pass an integer freq, e.g. freq=1",
                field=field,
            )
        raw = values.astype(object)
        is_number = raw.map(lambda v: isinstance(v, (numbers.Number, np.number)) and not isinstance(v, bool))
        is_number = is_number.to_numpy(dtype=bool) & raw.notna().to_numpy()
        if is_number.any():
            r = _first_bad_row(is_number)
            invalid(f"ds value {raw.iloc[r]!r} is a number, not a timestamp", **where(r))
        try:
            parsed = pd.to_datetime(raw, errors="coerce", format="mixed")
        except (TypeError, ValueError) as exc:  # mixed time zones and the like
            invalid(f"ds values could not be read as timestamps ({exc})", field=field)
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            invalid(
                "ds strings carry time-zone offsets; convert them to one time zone first "
                "(e.g. pd.to_datetime(df.ds, utc=True).dt.tz_convert('Asia/Kolkata'))",
                field=field,
            )
        bad = parsed.isna().to_numpy() & raw.notna().to_numpy()
        if bad.any():
            r = _first_bad_row(bad)
            invalid(f"cannot read {raw.iloc[r]!r} as a timestamp", **where(r))
        values = parsed
    values = values.astype("datetime64[ns]")
    out = values.to_numpy().view(np.int64).copy()
    nat = np.isnat(values.to_numpy())
    if nat.any():
        r = _first_bad_row(nat)
        invalid("ds is missing (NaT)", **where(r))
    return out


@dataclass
class PreparedFrame:
    """A validated long frame: the core panel plus what is needed to rebuild tables."""

    panel: Any  # _core.Panel
    ids: np.ndarray  # unique_id value of each series, in panel order (original dtype)
    attributes: pd.DataFrame  # one row per series (panel order): the series attribute columns
    covariates: list[str]
    codec: TimeCodec
    id_col: str
    time_col: str
    target_col: str


def _factorize_ids(col: pd.Series, id_col: str) -> tuple[np.ndarray, np.ndarray]:
    missing = col.isna().to_numpy()
    if missing.any():
        invalid(f"{id_col} is missing", row=_first_bad_row(missing), field=id_col)
    # Long frames come grouped by series: factorize the first value of each run of equal ids
    # and repeat its code, instead of hashing every row (same codes, ~2x faster on millions of
    # rows; an id in several runs still gets one code).
    heads = np.flatnonzero(col.ne(col.shift()).to_numpy(dtype=bool, na_value=True))
    lengths = np.diff(np.append(heads, len(col)))
    try:
        codes, uniques = pd.factorize(col.iloc[heads], sort=True)
    except TypeError:  # values of mixed types that cannot be ordered
        codes, uniques = pd.factorize(col.iloc[heads], sort=False)
    codes = np.repeat(codes, lengths)
    uniques = np.asarray(uniques, dtype=object)
    text = pd.Series([str(v) for v in uniques])
    clash = text.duplicated(keep=False).to_numpy()
    if clash.any():
        same = [repr(v) for v in uniques[clash][:2]]
        invalid(f"{' and '.join(same)} are different ids that print the same; use one type", field=id_col)
    return codes.astype(np.int64), uniques


def _numeric_target(col: pd.Series, ids: np.ndarray, codes: np.ndarray, target_col: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(col.dtype):
        invalid(f"demand must be a number, not a boolean column ({col.dtype})", field=target_col)
    if not pd.api.types.is_numeric_dtype(col.dtype):
        converted = pd.to_numeric(col.astype(object).where(col.notna(), np.nan), errors="coerce")
        bad = converted.isna().to_numpy() & col.notna().to_numpy()
        if bad.any():
            r = _first_bad_row(bad)
            invalid(
                f"demand must be a number (got {col.iloc[r]!r})",
                series=ids[codes[r]],
                row=r,
                field=target_col,
            )
        col = converted
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def _series_order(codes: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """(the stable order grouping rows by series, or None when the frame is already grouped in
    code order, as most are; the first row of each series)."""
    grouped = len(codes) < 2 or bool(np.all(codes[1:] >= codes[:-1]))
    order = None if grouped else np.argsort(codes, kind="stable")
    sorted_codes = codes if order is None else codes[order]
    starts = np.append(0, np.flatnonzero(sorted_codes[1:] != sorted_codes[:-1]) + 1)
    return order, (starts if order is None else order[starts])


def _classify_extra(
    df: pd.DataFrame,
    extra: list[str],
    codes: np.ndarray,
    ids: np.ndarray,
    order: np.ndarray | None,
) -> tuple[list[str], list[str]]:
    """Split extra columns into series attributes (constant within every series) and numeric
    covariates; a varying non-numeric column is an error naming it. ``order`` groups the rows
    by series (None: they already are)."""
    attributes: list[str] = []
    covariates: list[str] = []
    if not extra:
        return attributes, covariates
    if order is None:
        order = np.arange(len(codes))
    sorted_codes = codes[order]
    same_series = sorted_codes[1:] == sorted_codes[:-1]
    for name in extra:
        col = df[name]
        values = col.to_numpy()[order]
        isna = pd.isna(values)
        both_na = isna[1:] & isna[:-1]
        try:
            equal = (values[1:] == values[:-1]) | both_na
        except (TypeError, ValueError):
            equal = np.array([a == b for a, b in zip(values[1:], values[:-1])]) | both_na
        varies = same_series & ~np.asarray(equal, dtype=bool)
        if not varies.any():
            attributes.append(name)
            continue
        numeric = pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(col.dtype)
        if not numeric:
            k = int(np.flatnonzero(varies)[0])
            r1, r2 = int(order[k]), int(order[k + 1])
            invalid(
                f"column {name!r} is neither a series attribute (constant within each series) "
                f"nor numeric: it takes {col.iloc[r1]!r} in row {r1} and {col.iloc[r2]!r} in "
                f"row {r2}; make it numeric or drop it",
                series=ids[sorted_codes[k]],
                row=r2,
                field=name,
            )
        covariates.append(name)
    return attributes, covariates


def prepare(
    df: Any,
    freq: Any,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    allow_negative: bool = False,
    covariate_last: str | None = None,
) -> PreparedFrame:
    """Validate a long ``unique_id, ds, y`` frame and build the core panel.

    Extra columns constant within each series are series attributes; other extra columns must be
    numeric and are covariates. ``covariate_last`` names a numeric column that is always a
    covariate, placed last (the censoring flag of ``Forecaster(stockout_col=...)``).

    Raises:
        QuickstockError: naming the series, row and field at fault.
    """
    frame = to_pandas(df)
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        invalid(f"column {dup!r} appears more than once", field=str(dup))
    for col in (id_col, time_col, target_col):
        if col not in frame.columns:
            invalid(
                f"missing column {col!r}; the frame has {list(map(str, frame.columns))}", field=col
            )
    if len(frame) == 0:
        invalid("the frame is empty: it needs at least one row of unique_id, ds, y", field="df")
    core_freq = parse_freq(freq)
    codes, ids = _factorize_ids(frame[id_col], id_col)
    ids_str = [str(v) for v in ids]
    codec = _time_codec(frame[time_col], core_freq, time_col)
    ds = codec.encode(frame[time_col], ids, codes, time_col)
    y = _numeric_target(frame[target_col], ids, codes, target_col)
    extra = [c for c in frame.columns if c not in (id_col, time_col, target_col, covariate_last)]
    order, first_rows = _series_order(codes)
    attributes, covariates = _classify_extra(frame, extra, codes, ids, order)
    if covariate_last is not None:
        covariates.append(covariate_last)
    x = None
    if covariates:
        x = np.ascontiguousarray(frame[covariates].to_numpy(dtype=np.float64, na_value=np.nan))
    panel = _core.Panel.from_long(
        codes, ids_str, ds, y, x, [str(c) for c in covariates], core_freq, allow_negative
    )
    attrs = frame[attributes].iloc[first_rows].reset_index(drop=True)
    return PreparedFrame(panel, ids, attrs, covariates, codec, id_col, time_col, target_col)


def future_covariates(
    X_df: Any, prepared: PreparedFrame, h: int, first: np.ndarray, required: Sequence[str]
) -> np.ndarray:
    """Validate ``X_df`` for a forecast of ``h`` steps and return covariates as series × h × k.

    Every series needs one row per forecast timestamp; ids must be known; the ``required``
    covariate columns must be present and finite.

    Raises:
        QuickstockError: naming the series, timestamp, row or column at fault.
    """
    fx = to_pandas(X_df, "X_df")
    id_col, time_col = prepared.id_col, prepared.time_col
    for col in (id_col, time_col, *required):
        if col not in fx.columns:
            invalid(f"X_df is missing column {col!r}", field=col)
    n = len(prepared.ids)
    lookup = pd.Index(prepared.ids)
    pos = lookup.get_indexer(fx[id_col])
    unknown = pos < 0
    if unknown.any():
        r = _first_bad_row(unknown)
        names = pd.unique(fx[id_col][unknown])[:5]
        invalid(
            f"X_df has series not in the training frame: {list(map(str, names))}",
            series=fx[id_col].iloc[r],
            row=r,
            field=id_col,
        )
    pos = pos.astype(np.int64)
    t = prepared.codec.encode(fx[time_col], prepared.ids, pos, time_col)
    freq = prepared.panel.frequency
    k = freq.ordinals(t, [str(v) for v in prepared.ids], pos, np.arange(len(fx), dtype=np.int64))
    step = k - first[pos]
    inside = (step >= 0) & (step < h)
    out = np.full((n, h, len(required)), np.nan)
    seen = np.zeros((n, h), dtype=bool)
    rows_in = np.flatnonzero(inside)
    cell = pos[rows_in] * h + step[rows_in]
    uniq, counts = np.unique(cell, return_counts=True)
    if (counts > 1).any():
        c = int(uniq[counts > 1][0])
        r = int(rows_in[np.flatnonzero(cell == c)[1]])
        invalid("X_df repeats this (unique_id, ds)", series=fx[id_col].iloc[r], row=r, field=time_col)
    seen.ravel()[cell] = True
    if not seen.all():
        i, j = map(int, np.argwhere(~seen)[0])
        when = prepared.codec.decode(freq.timestamps(np.array([first[i] + j], dtype=np.int64)))[0]
        invalid(
            f"X_df has no row for forecast step {j + 1} (ds {when}); it needs every series for "
            f"all {h} future periods",
            series=prepared.ids[i],
            field=time_col,
        )
    if required:
        vals = fx[list(required)].to_numpy(dtype=np.float64, na_value=np.nan)
        finite = np.isfinite(vals[rows_in])
        if not finite.all():
            a, b = map(int, np.argwhere(~finite)[0])
            r = int(rows_in[a])
            invalid(
                f"future covariate must be finite (got {vals[r, b]!r})",
                series=fx[id_col].iloc[r],
                row=r,
                field=str(required[b]),
            )
        out.reshape(n * h, len(required))[cell] = vals[rows_in]
    return out
