"""Lag and window features of a long panel, computed per series by the C++ core.

Every function takes a long frame (``unique_id, ds, <column>``; pandas, polars or pyarrow) and
returns a copy of it with the new columns added, rows in the caller's order. Series are ordered
by ``(id_col, time_col)`` internally (rows with equal keys keep their order); there is no
per-series Python loop. Alternatively pass a 1-D array of values with ``offsets`` (CSR: series
``i`` is ``values[offsets[i]:offsets[i+1]]``, oldest first) and get a frame of the new columns
only, aligned with ``values``.

Semantics are pandas' on each series (``docs/features.md``):

* ``lag(k)`` is ``groupby(id).shift(k)``;
* ``rolling`` is ``shift(lag).rolling(window, min_periods).<stat>()``, ``std`` with ddof 1 and
  ``quantile`` with linear interpolation;
* ``seasonal_rolling`` rolls over ``y[t], y[t-m], …`` (each series grouped by position mod m);
* ``expanding`` is ``shift(lag).expanding(min_periods).<stat>()``;
* ``ewm`` is ``shift(lag).ewm(alpha=alpha, adjust=False).mean()``.

NaN (and pandas' missing values) in the input are skipped: they occupy their slot in the window
but do not count towards ``min_periods``; a statistic of fewer valid values is NaN. ``lag``
shifts a feature so that it is known at forecast time: with ``lag=1`` the value at ``t`` uses
observations up to ``t - 1``.

Example:
    >>> import quickstock as qs
    >>> df = qs.datasets.load_hyderabad()[["unique_id", "ds", "y"]]
    >>> out = qs.features.rolling(df, window=7, stats=["mean", "std"], lag=1)
    >>> [c for c in out.columns if c.startswith("y_")]
    ['y_roll7_mean_lag1', 'y_roll7_std_lag1']
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._errors import invalid
from ._frame import quantile_column, to_pandas

__all__ = ["lag", "rolling", "seasonal_rolling", "expanding", "ewm"]

_STATS = ("mean", "std", "min", "max", "quantile")


@dataclass
class _Grouped:
    """One numeric column in CSR order, and how to put results back in the caller's order."""

    values: np.ndarray
    offsets: np.ndarray
    order: (
        np.ndarray | None
    )  # CSR position -> caller's row; None: already the caller's order
    frame: pd.DataFrame | None  # the caller's frame (None for array input)

    def scatter(self, out: np.ndarray) -> np.ndarray:
        if self.order is None:
            return out
        res = np.empty_like(out)
        res[self.order] = out
        return res


def _shortest(x: float) -> str:
    """``x`` written shortest, without a trailing ``.0`` (``0.3``, ``1``)."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def _resolve_jobs(n_jobs: Any) -> int:
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        invalid(f"n_jobs must be an integer (got {n_jobs!r})", field="n_jobs")
    return 0 if int(n_jobs) < 0 else int(n_jobs)


def _int_arg(value: Any, field: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        invalid(f"{field} must be an integer (got {value!r})", field=field)
    if int(value) < minimum:
        invalid(f"{field} must be >= {minimum} (got {value})", field=field)
    return int(value)


def _numeric(col: pd.Series | np.ndarray, field: str) -> np.ndarray:
    dtype = col.dtype
    if pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
        invalid(f"column must be numeric (got dtype {dtype})", field=field)
    if isinstance(col, pd.Series):
        return np.ascontiguousarray(col.to_numpy(dtype=np.float64, na_value=np.nan))
    return np.ascontiguousarray(col, dtype=np.float64)


def _group(
    df: Any,
    column: str,
    id_col: str,
    time_col: str,
    offsets: Any,
) -> _Grouped:
    if offsets is not None:
        values = np.asarray(df)
        if values.ndim != 1:
            invalid(
                f"values must be 1-dimensional (got shape {values.shape})", field="df"
            )
        off = np.ascontiguousarray(offsets, dtype=np.int64)
        if off.ndim != 1 or off.size < 1 or off[0] != 0 or off[-1] != values.size:
            invalid(
                f"offsets must run from 0 to len(values) = {values.size}",
                field="offsets",
            )
        if np.any(np.diff(off) < 0):
            invalid("offsets must be non-decreasing", field="offsets")
        return _Grouped(_numeric(values, column), off, None, None)
    frame = to_pandas(df)
    for name, field in ((id_col, "id_col"), (time_col, "time_col"), (column, "column")):
        if not isinstance(name, str) or name not in frame.columns:
            invalid(f"column {name!r} is not in the frame", field=field)
    y = _numeric(frame[column], column)
    codes, uniques = pd.factorize(frame[id_col], sort=False, use_na_sentinel=False)
    ds = frame[time_col].to_numpy()
    counts = np.bincount(codes, minlength=len(uniques))
    off = np.zeros(len(uniques) + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    # Codes number the series by first appearance, so a frame already grouped by series and
    # sorted by time within each (the usual layout) needs no sort and no scatter back.
    if codes.size < 2 or bool(
        np.all(codes[1:] >= codes[:-1])
        and np.all((codes[1:] != codes[:-1]) | (ds[1:] >= ds[:-1]))
    ):
        return _Grouped(y, off, None, frame)
    order = np.lexsort((ds, codes))
    return _Grouped(np.ascontiguousarray(y[order]), off, order, frame)


def _finish(g: _Grouped, new: dict[str, np.ndarray]) -> pd.DataFrame:
    if g.frame is None:
        return pd.DataFrame(new)
    cols = {name: g.scatter(arr) for name, arr in new.items()}
    return g.frame.assign(**cols)


def _stats(stats: Any, quantiles: Any) -> list[tuple[str, float, str]]:
    """(stat, q, name suffix) for each requested statistic."""
    if isinstance(stats, str):
        stats = [stats]
    if not isinstance(stats, (Sequence, np.ndarray)) or len(stats) == 0:
        invalid(f"stats must be a non-empty list of {', '.join(_STATS)}", field="stats")
    out: list[tuple[str, float, str]] = []
    for s in stats:
        if s not in _STATS:
            invalid(
                f"unknown statistic {s!r} (expected one of {', '.join(_STATS)})",
                field="stats",
            )
        if s != "quantile":
            out.append((s, 0.5, s))
            continue
        qs = [quantiles] if isinstance(quantiles, numbers.Real) else quantiles
        if (
            isinstance(qs, str)
            or not isinstance(qs, (Sequence, np.ndarray))
            or len(qs) == 0
        ):
            invalid(
                f"quantiles must be a list of levels in [0, 1] (got {quantiles!r})",
                field="quantiles",
            )
        for q in qs:
            if (
                isinstance(q, bool)
                or not isinstance(q, numbers.Real)
                or not 0.0 <= float(q) <= 1.0
            ):
                invalid(
                    f"quantile levels must be in [0, 1] (got {q!r})", field="quantiles"
                )
            out.append(("quantile", float(q), quantile_column(float(q))))
    return out


def _window_args(
    window: Any, min_periods: Any, lag: Any, field: str = "window"
) -> tuple[int, int, int]:
    w = _int_arg(window, field, 1)
    mp = w if min_periods is None else _int_arg(min_periods, "min_periods", 0)
    if mp > w:
        invalid(f"min_periods must be <= {field} (got {mp} > {w})", field="min_periods")
    return w, mp, _int_arg(lag, "lag", 0)


def _lag_list(lags: Any) -> list[int]:
    if isinstance(lags, (numbers.Integral, np.integer)) and not isinstance(lags, bool):
        lags = [lags]
    if (
        isinstance(lags, str)
        or not isinstance(lags, (Sequence, np.ndarray))
        or len(lags) == 0
    ):
        invalid(
            f"lags must be an integer or a non-empty list of integers (got {lags!r})",
            field="lags",
        )
    out = []
    for k in lags:
        if isinstance(k, bool) or not isinstance(k, (numbers.Integral, np.integer)):
            invalid(f"lags must be integers (got {k!r})", field="lags")
        out.append(int(k))
    return out


def lag(
    df: Any,
    column: str = "y",
    lags: int | Sequence[int] = 1,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    offsets: Any = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Lagged copies of a column, per series (pandas ``groupby(id_col)[column].shift(k)``).

    Args:
        df: long frame with ``id_col``, ``time_col`` and ``column``; or a 1-D array of values
            when ``offsets`` is given.
        column: the numeric column to lag.
        lags: one shift or a list of them; negative values are leads.
        id_col: column of the series id.
        time_col: column of the timestamps (orders each series).
        offsets: CSR offsets of ``df`` given as an array (``n_series + 1`` values).
        n_jobs: threads of the C++ core; -1 for all cores. Results do not depend on it.

    Returns:
        ``df`` with one column ``{column}_lag{k}`` per lag (``{column}_lead{k}`` for negative
        ``k``), rows in the caller's order; for array input a frame of the new columns only.

    Raises:
        QuickstockError: for a missing or non-numeric column or bad arguments, naming the field.
    """
    ks = _lag_list(lags)
    threads = _resolve_jobs(n_jobs)
    g = _group(df, column, id_col, time_col, offsets)
    new = {}
    for k in ks:
        name = f"{column}_lag{k}" if k >= 0 else f"{column}_lead{-k}"
        new[name] = _core.window_lag(g.values, g.offsets, k, threads)
    return _finish(g, new)


def rolling(
    df: Any,
    column: str = "y",
    window: int = 7,
    stats: str | Sequence[str] = ("mean",),
    *,
    lag: int = 0,
    min_periods: int | None = None,
    quantiles: float | Sequence[float] = (0.5,),
    id_col: str = "unique_id",
    time_col: str = "ds",
    offsets: Any = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Rolling-window statistics per series, shifted by ``lag``.

    The value at ``t`` is the statistic of the valid values among ``y[t-lag-window+1 .. t-lag]``
    (pandas ``groupby(id).shift(lag)`` then ``.rolling(window, min_periods).<stat>()``).

    Args:
        df: long frame (or values with ``offsets``), as in :func:`lag`.
        column: the numeric column.
        window: positions per window (>= 1).
        stats: any of ``"mean"``, ``"std"`` (ddof 1), ``"min"``, ``"max"``, ``"quantile"``.
        lag: shift of the feature (>= 0); 1 makes it known one step ahead.
        min_periods: valid values needed for a result, in ``[0, window]``; default ``window``
            (as pandas). Fewer gives NaN.
        quantiles: levels in ``[0, 1]`` for ``"quantile"`` (linear interpolation).
        id_col: column of the series id.
        time_col: column of the timestamps.
        offsets: CSR offsets for array input.
        n_jobs: threads of the C++ core; -1 for all cores.

    Returns:
        ``df`` with columns ``{column}_roll{window}_{stat}_lag{lag}`` (``stat`` is ``p50``,
        ``p90``… for quantiles), rows in the caller's order.

    Raises:
        QuickstockError: for a missing or non-numeric column, ``window < 1``, ``min_periods``
            outside ``[0, window]``, ``lag < 0``, an unknown statistic or a quantile outside
            ``[0, 1]``, naming the field.
    """
    w, mp, lg = _window_args(window, min_periods, lag)
    todo = _stats(stats, quantiles)
    threads = _resolve_jobs(n_jobs)
    g = _group(df, column, id_col, time_col, offsets)
    new = {
        f"{column}_roll{w}_{suffix}_lag{lg}": _core.window_rolling(
            g.values, g.offsets, stat, w, mp, lg, q, threads
        )
        for stat, q, suffix in todo
    }
    return _finish(g, new)


def seasonal_rolling(
    df: Any,
    column: str = "y",
    season_length: int = 7,
    window: int = 4,
    stats: str | Sequence[str] = ("mean",),
    *,
    lag: int = 0,
    min_periods: int | None = None,
    quantiles: float | Sequence[float] = (0.5,),
    id_col: str = "unique_id",
    time_col: str = "ds",
    offsets: Any = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Seasonal rolling statistics per series: over ``y[t], y[t-m], …, y[t-(window-1)·m]``.

    With ``m = season_length``, each series is split by position modulo ``m`` (positions counted
    from the series' first row) and each part is rolled with ``window`` values; the result is
    then shifted by ``lag`` positions of the series. ``lag=season_length`` gives e.g. "the mean
    of the same weekday in the last 4 weeks", known a week ahead.

    Args:
        df: long frame (or values with ``offsets``), as in :func:`lag`.
        column: the numeric column.
        season_length: the season ``m`` (>= 1).
        window: values per window (>= 1), spaced ``m`` apart.
        stats: any of ``"mean"``, ``"std"``, ``"min"``, ``"max"``, ``"quantile"``.
        lag: shift of the feature in positions (>= 0).
        min_periods: valid values needed, in ``[0, window]``; default ``window``.
        quantiles: levels in ``[0, 1]`` for ``"quantile"``.
        id_col: column of the series id.
        time_col: column of the timestamps.
        offsets: CSR offsets for array input.
        n_jobs: threads of the C++ core; -1 for all cores.

    Returns:
        ``df`` with columns ``{column}_sroll{m}x{window}_{stat}_lag{lag}``.

    Raises:
        QuickstockError: for bad arguments or columns, naming the field.
    """
    m = _int_arg(season_length, "season_length", 1)
    w, mp, lg = _window_args(window, min_periods, lag)
    todo = _stats(stats, quantiles)
    threads = _resolve_jobs(n_jobs)
    g = _group(df, column, id_col, time_col, offsets)
    new = {
        f"{column}_sroll{m}x{w}_{suffix}_lag{lg}": _core.window_seasonal_rolling(
            g.values, g.offsets, stat, m, w, mp, lg, q, threads
        )
        for stat, q, suffix in todo
    }
    return _finish(g, new)


def expanding(
    df: Any,
    column: str = "y",
    stats: str | Sequence[str] = ("mean",),
    *,
    lag: int = 0,
    min_periods: int = 1,
    quantiles: float | Sequence[float] = (0.5,),
    id_col: str = "unique_id",
    time_col: str = "ds",
    offsets: Any = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Expanding statistics per series: over every valid value up to ``t - lag``.

    pandas ``groupby(id).shift(lag)`` then ``.expanding(min_periods).<stat>()``.

    Args:
        df: long frame (or values with ``offsets``), as in :func:`lag`.
        column: the numeric column.
        stats: any of ``"mean"``, ``"std"``, ``"min"``, ``"max"``, ``"quantile"`` (quantiles
            cost O(n) per step).
        lag: shift of the feature (>= 0).
        min_periods: valid values needed (>= 0; default 1, as pandas).
        quantiles: levels in ``[0, 1]`` for ``"quantile"``.
        id_col: column of the series id.
        time_col: column of the timestamps.
        offsets: CSR offsets for array input.
        n_jobs: threads of the C++ core; -1 for all cores.

    Returns:
        ``df`` with columns ``{column}_expanding_{stat}_lag{lag}``.

    Raises:
        QuickstockError: for bad arguments or columns, naming the field.
    """
    mp = _int_arg(min_periods, "min_periods", 0)
    lg = _int_arg(lag, "lag", 0)
    todo = _stats(stats, quantiles)
    threads = _resolve_jobs(n_jobs)
    g = _group(df, column, id_col, time_col, offsets)
    new = {
        f"{column}_expanding_{suffix}_lag{lg}": _core.window_expanding(
            g.values, g.offsets, stat, mp, lg, q, threads
        )
        for stat, q, suffix in todo
    }
    return _finish(g, new)


def ewm(
    df: Any,
    column: str = "y",
    alpha: float | Sequence[float] = 0.5,
    *,
    lag: int = 0,
    min_periods: int = 1,
    id_col: str = "unique_id",
    time_col: str = "ds",
    offsets: Any = None,
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Exponentially weighted mean per series (pandas ``ewm(alpha=alpha, adjust=False).mean()``).

    ``m[t] = (1 - alpha)·m[t-1] + alpha·y[t]``, started at the first valid value. Across NaN
    inputs the last mean is carried and the old weight keeps decaying (pandas' default
    ``ignore_na=False``). The result is shifted by ``lag``.

    Args:
        df: long frame (or values with ``offsets``), as in :func:`lag`.
        column: the numeric column.
        alpha: smoothing in ``(0, 1]``, or a list of them.
        lag: shift of the feature (>= 0).
        min_periods: valid values seen before a result is given (>= 0; 0 acts as 1).
        id_col: column of the series id.
        time_col: column of the timestamps.
        offsets: CSR offsets for array input.
        n_jobs: threads of the C++ core; -1 for all cores.

    Returns:
        ``df`` with columns ``{column}_ewm{alpha}_lag{lag}`` (alpha written shortest, e.g.
        ``y_ewm0.3_lag1``).

    Raises:
        QuickstockError: for ``alpha`` outside ``(0, 1]`` or other bad arguments, naming the field.
    """
    alphas = [alpha] if isinstance(alpha, numbers.Real) else alpha
    if (
        isinstance(alphas, str)
        or not isinstance(alphas, (Sequence, np.ndarray))
        or len(alphas) == 0
    ):
        invalid(
            f"alpha must be a number in (0, 1] or a list of them (got {alpha!r})",
            field="alpha",
        )
    checked = []
    for a in alphas:
        if (
            isinstance(a, bool)
            or not isinstance(a, numbers.Real)
            or not 0.0 < float(a) <= 1.0
        ):
            invalid(f"alpha must be in (0, 1] (got {a!r})", field="alpha")
        checked.append(float(a))
    mp = _int_arg(min_periods, "min_periods", 0)
    lg = _int_arg(lag, "lag", 0)
    threads = _resolve_jobs(n_jobs)
    g = _group(df, column, id_col, time_col, offsets)
    new = {
        f"{column}_ewm{_shortest(a)}_lag{lg}": _core.window_ewm_mean(
            g.values, g.offsets, a, mp, lg, threads
        )
        for a in checked
    }
    return _finish(g, new)
