"""Reading and writing tables by file extension: CSV (optionally gzipped), Parquet and Excel."""

from __future__ import annotations

import datetime
import os
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._errors import invalid

__all__ = ["read_table", "read_csv", "write_table", "table_kind"]

_CSV = (".csv", ".csv.gz", ".txt", ".tsv")
_PARQUET = (".parquet", ".pq")
_EXCEL = (".xlsx", ".xlsm", ".xls")


def table_kind(path: str) -> str:
    """The table format of ``path`` by extension: ``"csv"``, ``"parquet"`` or ``"excel"``.

    Raises:
        QuickstockError: for an extension quickstock cannot read or write.
    """
    p = path.lower()
    if p.endswith(_CSV):
        return "csv"
    if p.endswith(_PARQUET):
        return "parquet"
    if p.endswith(_EXCEL):
        return "excel"
    invalid(
        f"cannot tell the format of {path!r}: use .csv, .csv.gz, .parquet or .xlsx", field="path"
    )


def read_table(path: str, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV, Parquet or Excel file into a DataFrame.

    CSV is read as UTF-8 (a byte-order mark is accepted); ``ds`` stays text and is parsed later,
    so errors name the row.

    Raises:
        QuickstockError: for a missing file, an unknown extension, bytes that are not UTF-8 or a
            malformed row, naming the file and where.
    """
    if not os.path.exists(path):
        invalid(f"no such file: {path!r}", field="path")
    kind = table_kind(path)
    try:
        if kind == "csv":
            sep = "\t" if path.lower().endswith(".tsv") else ","
            return pd.read_csv(path, sep=sep, encoding="utf-8-sig", dtype={"unique_id": str}, **kwargs)
        if kind == "parquet":
            return pd.read_parquet(path, **kwargs)
        return pd.read_excel(path, dtype={"unique_id": str}, **kwargs)
    except UnicodeDecodeError as exc:
        invalid(
            f"{path!r} is not UTF-8 text: byte {exc.object[exc.start:exc.start + 1]!r} at offset "
            f"{exc.start}; re-save it as UTF-8",
            field="path",
        )
    except pd.errors.EmptyDataError:
        invalid(f"{path!r} is empty", field="path")
    except pd.errors.ParserError as exc:
        invalid(f"{path!r} is not a well-formed table: {exc}".strip(), field="path")
    except ImportError as exc:
        invalid(f"reading {path!r} needs an optional package: {exc}", field="path")
    except (ValueError, OSError) as exc:
        invalid(f"cannot read {path!r}: {exc}", field="path")


def _text_column(levels: list[str], codes: np.ndarray) -> pd.Series:
    """Text values from distinct ``levels`` and a code per row (-1: missing), typed as
    ``pandas.read_csv`` types text (``str`` on pandas 3, ``object`` before)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return pd.Series(pd.array(levels, dtype=str).take(codes, allow_fill=True))
    values = np.asarray(levels + [np.nan], dtype=object)
    return pd.Series(values[codes])  # code -1 picks the trailing NaN


def read_csv(
    path: str,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    sep: str | None = None,
    allow_negative: bool = False,
) -> pd.DataFrame:
    """Read a long-format CSV file with quickstock's C++ reader: one validated pass.

    Every row is checked as it is read (field count, UTF-8, a non-empty id, an ISO 8601 ``ds``,
    finite non-negative ``y``) and so are duplicate ``(unique_id, ds)`` pairs, so a file that
    reads cleanly fits cleanly unless it breaks a rule of the frequency (grid, gaps). The result
    is the frame ``read_table`` gives once ``ds`` is parsed, and ``Forecaster`` forecasts it
    identically: ``unique_id`` as text, ``ds`` as ``datetime64[ns]`` (time-zone aware with a
    fixed offset when every timestamp carries the same ``Z``/``±HH:MM``), ``y`` as float64, other
    columns typed as pandas types them (integer, float with NaN for missing, or text).

    Accepted timestamps: ``YYYY-MM-DD``, optionally followed by ``T`` or a space and
    ``HH:MM``, ``HH:MM:SS`` or ``HH:MM:SS.fffffffff``, optionally followed by ``Z``, ``±HH``,
    ``±HHMM`` or ``±HH:MM`` (one offset for the whole file). See ``docs/reliability.md``.

    Args:
        path: a ``.csv``/``.txt`` (comma) or ``.tsv`` (tab) file, UTF-8, a byte-order mark allowed.
        id_col: name of the series id column.
        time_col: name of the timestamp column.
        target_col: name of the demand column.
        sep: field separator; by default a tab for ``.tsv`` files, else a comma.
        allow_negative: accept negative ``y`` (off for demand).

    Returns:
        The long DataFrame, columns in file order.

    Raises:
        QuickstockError: naming the file, line, row (0-based data row, as in the returned frame),
            series and column at fault.
    """
    if sep is None:
        sep = "\t" if str(path).lower().endswith(".tsv") else ","
    raw = _core.read_csv(str(path), id_col, time_col, target_col, sep, allow_negative)
    columns: dict[str, Any] = {}
    columns[id_col] = _text_column(raw["ids"], raw["codes"])
    ds = pd.Series(raw["ds"].view("datetime64[ns]"))
    offset = raw["utc_offset_minutes"]
    if offset is not None:
        ds = ds.dt.tz_localize(datetime.timezone(datetime.timedelta(minutes=offset)))
    columns[time_col] = ds
    columns[target_col] = pd.Series(raw["y"])
    for col in raw["extra"]:
        if col["kind"] == "integer":
            columns[col["name"]] = pd.Series(col["values"].astype(np.int64))
        elif col["kind"] == "real":
            columns[col["name"]] = pd.Series(col["values"])
        else:
            columns[col["name"]] = _text_column(col["levels"], col["codes"])
    return pd.DataFrame({name: columns[name] for name in raw["header"]})


def write_table(df: pd.DataFrame, path: str) -> None:
    """Write a DataFrame as CSV, Parquet or Excel, by the extension of ``path``.

    Raises:
        QuickstockError: for an unknown extension or a missing optional package.
    """
    kind = table_kind(path)
    try:
        if kind == "csv":
            df.to_csv(path, index=False)
        elif kind == "parquet":
            df.to_parquet(path, index=False)
        else:
            out = df.copy()
            for c in out.columns:  # Excel has no time zones
                if isinstance(out[c].dtype, pd.DatetimeTZDtype):
                    out[c] = out[c].dt.tz_localize(None)
            out.to_excel(path, index=False)
    except ImportError as exc:
        invalid(f"writing {path!r} needs an optional package: {exc}", field="path")
    except OSError as exc:
        invalid(f"cannot write {path!r}: {exc}", field="path")
