"""Seasonal decompositions: STL and MSTL as R's ``stats::stl`` and ``forecast::mstl``.

The same C++ kernels ``qs.MSTL`` forecasts with (see docs/mstl.md)::

    import quickstock as qs
    parts = qs.decompose.mstl(y, season_length=[24, 168])   # columns trend, seasonal24, ...
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._errors import invalid
from .models import _season_lengths

__all__ = ["stl", "mstl"]


def _series(y: Any) -> np.ndarray:
    arr = np.ascontiguousarray(np.asarray(y, dtype=np.float64))
    if arr.ndim != 1:
        invalid(f"y must be one-dimensional (got shape {arr.shape})", field="y")
    return arr


def _label(p: float) -> str:
    return f"seasonal{int(p)}" if float(p).is_integer() else f"seasonal{p:g}"


def stl(
    y: Any,
    period: float,
    s_window: int | str = "periodic",
    s_degree: int = 0,
    t_window: int | None = None,
    t_degree: int = 1,
    l_window: int | None = None,
    l_degree: int | None = None,
    s_jump: int | None = None,
    t_jump: int | None = None,
    l_jump: int | None = None,
    robust: bool = False,
    inner: int | None = None,
    outer: int | None = None,
) -> pd.DataFrame:
    """STL decomposition of one series, as R ``stl(ts(y, frequency = period), ...)``.

    Args:
        y: the observations (finite), more than two periods of them.
        period: the frequency, >= 2 (non-integer allowed: the cycle-subseries use its integer
            part, as R).
        s_window: ``"periodic"`` or the seasonal loess window (odd).
        s_degree, t_window, t_degree, l_window, l_degree, s_jump, t_jump, l_jump, robust,
            inner, outer: R's arguments of the same names; ``None`` takes R's default.

    Returns:
        A frame with columns ``trend``, ``seasonal``, ``remainder`` and ``weights`` (robustness
        weights), one row per observation.

    Raises:
        QuickstockError: for non-finite data, a short series or a bad argument.
    """
    if isinstance(s_window, str):
        if s_window != "periodic":
            invalid(f"s_window must be 'periodic' or an integer (got {s_window!r})", field="s_window")
        sw = None
    else:
        sw = int(s_window)
    trend, seasonal, remainder, weights = _core.stl(
        _series(y), float(period), s_window=sw, s_degree=s_degree, t_window=t_window,
        t_degree=t_degree, l_window=l_window, l_degree=l_degree, s_jump=s_jump, t_jump=t_jump,
        l_jump=l_jump, robust=robust, inner=inner, outer=outer,
    )
    return pd.DataFrame(
        {"trend": trend, "seasonal": seasonal, "remainder": remainder, "weights": weights}
    )


def mstl(
    y: Any,
    season_length: float | list[float],
    iterate: int = 2,
    s_window: int | list[int] | None = None,
    robust: bool = False,
) -> pd.DataFrame:
    """MSTL decomposition of one series, as R ``mstl(msts(y, seasonal.periods))``.

    Args:
        y: the observations (finite).
        season_length: the seasonal periods; those with fewer than two full cycles are dropped.
        iterate: passes over the periods (R's default 2).
        s_window: seasonal windows by ascending period (one value for all); ``None`` is R's
            ``7 + 4·i``; 0 means periodic.
        robust: robust STL fits.

    Returns:
        A frame with columns ``trend``, ``seasonal<p>`` for each kept period (``seasonal24``,
        ``seasonal365.25``) and ``remainder``.

    Raises:
        QuickstockError: for non-finite data or a bad argument.
    """
    periods = [float(p) for p in _season_lengths(season_length)]
    if s_window is None:
        windows: list[int] = []
    elif isinstance(s_window, (list, tuple)):
        windows = [int(w) for w in s_window]
    else:
        windows = [int(s_window)]
    kept, trend, seasonal, remainder = _core.mstl(
        _series(y), periods, iterate=iterate, s_window=windows, robust=robust
    )
    out = {"trend": trend}
    for k, p in enumerate(kept):
        out[_label(p)] = seasonal[:, k]
    out["remainder"] = remainder
    return pd.DataFrame(out)
