"""Reading and writing tables by file extension: CSV (optionally gzipped), Parquet and Excel."""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from ._errors import invalid

__all__ = ["read_table", "write_table", "table_kind"]

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
