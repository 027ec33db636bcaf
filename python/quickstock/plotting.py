"""Fan charts of quantile forecasts with their history (matplotlib, optional dependency)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ._errors import invalid
from ._frame import quantile_column, to_pandas

__all__ = ["plot_forecast"]


def _bands(columns: Sequence[str]) -> list[tuple[str, str, float]]:
    """Symmetric quantile pairs present in the columns, widest first: (lower, upper, level %)."""
    levels = []
    for c in columns:
        if c.startswith("p"):
            try:
                levels.append(float(c[1:]) / 100.0)
            except ValueError:
                pass
    out = []
    for q in sorted(levels):
        if q < 0.5 and quantile_column(1.0 - q) in columns:
            out.append((quantile_column(q), quantile_column(1.0 - q), round(100 * (1 - 2 * q), 6)))
    return out


def plot_forecast(
    fcst: Any,
    df: Any = None,
    unique_ids: Sequence[Any] | None = None,
    models: Sequence[str] | None = None,
    max_series: int = 4,
    history: int | None = 56,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    ax: Any = None,
) -> Any:
    """Fan chart: the history, the median (or mean) and shaded quantile bands per series.

    Args:
        fcst: output of ``Forecaster.predict`` (or ``cross_validation``).
        df: the history (``unique_id, ds, y``) to draw before the forecast; optional.
        unique_ids: series to draw; default the first ``max_series``.
        models: model aliases to draw; default all.
        max_series: how many series at most when ``unique_ids`` is not given.
        history: how many last periods of history to draw (None: all).
        ax: a matplotlib Axes, or a sequence of them (one per series); created when None.

    Returns:
        The matplotlib Figure.

    Raises:
        QuickstockError: for a missing column or unknown ids/models; ImportError names
            matplotlib when it is not installed.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib: pip install matplotlib") from exc
    f = to_pandas(fcst, "fcst")
    for col in (id_col, time_col, "model"):
        if col not in f.columns:
            invalid(f"fcst is missing column {col!r}", field=col)
    ids = list(pd.unique(f[id_col]))
    if unique_ids is None:
        unique_ids = ids[:max_series]
    unknown = [u for u in unique_ids if u not in set(ids)]
    if unknown:
        invalid(f"unknown series {unknown[:5]}", field="unique_ids")
    names = list(pd.unique(f["model"])) if models is None else list(models)
    missing = sorted(set(names) - set(f["model"]))
    if missing:
        invalid(f"unknown models {missing}", field="models")
    hist = None
    if df is not None:
        hist = to_pandas(df)
        for col in (id_col, time_col, target_col):
            if col not in hist.columns:
                invalid(f"df is missing column {col!r}", field=col)
    bands = _bands([c for c in f.columns if isinstance(c, str)])
    centre = "p50" if "p50" in f.columns else "mean"
    if ax is None:
        fig, axes = plt.subplots(len(unique_ids), 1, figsize=(9, 2.6 * len(unique_ids)), squeeze=False)
        axes = list(axes[:, 0])
    else:
        axes = list(np.atleast_1d(ax))
        fig = axes[0].figure
    colours = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0", "C1", "C2", "C3"])
    for a, uid in zip(axes, unique_ids):
        if hist is not None:
            h = hist[hist[id_col] == uid].sort_values(time_col)
            if history is not None:
                h = h.tail(history)
            a.plot(h[time_col], h[target_col], color="black", lw=1.0, label="history")
        g = f[f[id_col] == uid]
        for k, name in enumerate(names):
            m = g[g["model"] == name].sort_values(time_col)
            colour = colours[k % len(colours)]
            for j, (lo, hi, level) in enumerate(bands):
                a.fill_between(m[time_col], m[lo], m[hi], color=colour, alpha=0.15 + 0.1 * j, lw=0,
                               label=f"{name} {level:g}%")
            a.plot(m[time_col], m[centre], color=colour, lw=1.5, label=f"{name} {centre.upper()}")
        a.set_title(str(uid), fontsize=10)
        a.legend(fontsize=7, loc="upper left", ncol=2)
    fig.tight_layout()
    return fig
