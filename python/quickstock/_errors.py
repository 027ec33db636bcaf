"""Raising quickstock's errors from Python with the same message shape as the C++ core."""

from __future__ import annotations

from typing import NoReturn

from ._core import InvalidInputError, QuickstockError

__all__ = ["QuickstockError", "InvalidInputError", "invalid"]


def invalid(
    message: str,
    *,
    series: object | None = None,
    row: int | None = None,
    field: str | None = None,
) -> NoReturn:
    """Raise ``InvalidInputError`` whose message names the series, row and field at fault.

    Args:
        message: the rule that was broken and the offending value.
        series: the ``unique_id`` at fault, if one series is.
        row: the 0-based position of the row at fault in the caller's frame.
        field: the column or argument at fault.

    Raises:
        InvalidInputError: always (a ``QuickstockError``, hence a ``ValueError``).
    """
    parts = ["invalid_input:"]
    if series is not None:
        parts.append(f'series "{series}"')
    if row is not None:
        parts.append(f"row {row}")
    if field is not None:
        parts.append(f'field "{field}"')
    exc = InvalidInputError(" ".join(parts) + ": " + message)
    exc.series_id = "" if series is None else str(series)
    exc.row = row
    exc.field = field or ""
    exc.reason = message
    raise exc
