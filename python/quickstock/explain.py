"""Forecast explanations: the forecast mean split into additive components.

``qs.explain(forecaster, X_df)`` asks every fitted model of a forecaster for the exact additive
split of its forecast mean (the C++ core's ``contributions``: level, trend, season, one
component per covariate, …; see docs/explain.md for each model's formulas) and returns it as a
long frame; ``qs.explain_text(explanation, unique_id)`` turns one series' rows into a short
plain-language summary a chat assistant can return.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd

from ._errors import invalid
from ._frame import check_horizon, to_pandas

__all__ = ["explain", "explain_text", "DEFAULT_HORIZON"]

#: Horizon of ``explain`` when neither ``X_df`` nor ``h`` gives one (a week of daily data).
DEFAULT_HORIZON = 7

_COLUMNS = ("model", "component", "contribution")


def _recent_means(prepared: Any, h: int) -> tuple[np.ndarray, np.ndarray]:
    """Per series, the mean of its last ``h`` actuals (fewer when shorter) and how many."""
    panel = prepared.panel
    values = np.asarray(panel.values, dtype=float)
    offsets = np.asarray(panel.offsets, dtype=np.int64)
    n = len(offsets) - 1
    counts = np.minimum(offsets[1:] - offsets[:-1], h)
    means = np.empty(n)
    for i in range(n):
        means[i] = values[offsets[i + 1] - counts[i] : offsets[i + 1]].mean()
    return means, counts


def explain(forecaster: Any, X_df: Any = None, h: int | None = None) -> pd.DataFrame:
    """Split each model's forecast mean into additive components.

    For every series, forecast period and model, one row per component; the contributions of a
    (series, period, model) add up to the ``mean`` that ``forecaster.predict`` returns for it
    (exactly, up to rounding). Components per model (docs/explain.md): ``level``, ``trend``,
    ``season`` (``season_<period>`` for MSTL), ``arima``/``mean``/``drift`` for ARIMA, one per
    covariate (named as the column) for models with covariates, ``uncertainty`` for
    multiplicative-error-and-season ETS, whose mean exceeds the point forecast, and
    ``zero_floor`` where the mean is censored at 0 (demand cannot be negative). Multiplicative
    forms are split by exact Shapley values against a documented baseline.

    Args:
        forecaster: a fitted ``qs.Forecaster``.
        X_df: future covariates (``unique_id``, ``ds`` and the covariate columns for every
            series and period), required when a model uses covariates; its periods per series
            give the horizon.
        h: horizon when ``X_df`` is not given (default ``DEFAULT_HORIZON``, 7); when both are
            given they must agree.

    Returns:
        Long frame ``unique_id, ds, model, component, contribution, recent_mean`` sorted by
        series, period, model (in the forecaster's order) and component (in the model's order).
        ``recent_mean`` is the series' mean actual over its last ``h`` periods (the same span
        as the horizon, fewer for a shorter series): the "vs last week" reference of
        ``explain_text``. ``attrs["horizon"]`` is ``h``.

    Raises:
        QuickstockError: an unfitted forecaster, a bad ``h``, a missing or malformed ``X_df``
        for a model with covariates (field ``X_df``).

    Example:
        >>> exp = qs.explain(fc, X_df=future)  # doctest: +SKIP
        >>> print(qs.explain_text(exp, "HYD-500032/curd-400g"))  # doctest: +SKIP
    """
    from .forecaster import Forecaster

    if not isinstance(forecaster, Forecaster):
        invalid("forecaster must be a fitted qs.Forecaster", field="forecaster")
    forecaster._check_fitted()
    prepared = forecaster.prepared_
    fitted = forecaster.fitted_
    panel = prepared.panel
    first = np.asarray(panel.ends, dtype=np.int64) + 1
    n = len(prepared.ids)

    fx = None
    if X_df is not None:
        fx = to_pandas(X_df, "X_df").reset_index(drop=True)
        for col in (prepared.id_col, prepared.time_col):
            if col not in fx.columns:
                invalid(f"X_df is missing column {col!r}", field=col)
        counts = fx.groupby(prepared.id_col, sort=False)[prepared.time_col].nunique()
        if counts.empty:
            invalid("X_df is empty", field="X_df")
        h_x = int(counts.max())
        if h is not None and check_horizon(h) != h_x:
            invalid(f"h={h} does not match X_df, which has {h_x} periods per series", field="h")
        h = h_x
    h = check_horizon(DEFAULT_HORIZON if h is None else h)

    # The same future matrix predict uses (the censoring flag, if any, is not needed in X_df).
    x_future = forecaster._future_x(prepared, fitted, h, fx)
    if x_future is not None:
        x_future = np.ascontiguousarray(x_future, dtype=np.float64)

    # Rows keyed (series, step, model, component) and sorted so.
    key_series, key_step, key_model, key_comp = [], [], [], []
    names: list[np.ndarray] = []
    values: list[np.ndarray] = []
    aliases = [m.alias for m in forecaster.models]
    steps = np.arange(h)
    for mi, f in enumerate(fitted):
        _, per_series = f.contributions(h, True, forecaster._threads, x_future)
        for i, (components, vals) in enumerate(per_series):
            k = len(components)
            vals = np.asarray(vals, dtype=float).reshape(h, k)
            key_series.append(np.full(h * k, i))
            key_step.append(np.repeat(steps, k))
            key_model.append(np.full(h * k, mi))
            key_comp.append(np.tile(np.arange(k), h))
            names.append(np.tile(np.array(components, dtype=object), h))
            values.append(vals.reshape(-1))
    series = np.concatenate(key_series)
    step = np.concatenate(key_step)
    model = np.concatenate(key_model)
    comp = np.concatenate(key_comp)
    order = np.lexsort((comp, model, step, series))
    series, step, model = series[order], step[order], model[order]
    component = np.concatenate(names)[order]
    contribution = np.concatenate(values)[order]

    ds = prepared.codec.decode(panel.frequency.timestamps(first[series] + step))
    recent, _ = _recent_means(prepared, h)
    out = pd.DataFrame(
        {
            prepared.id_col: prepared.ids[series],
            prepared.time_col: ds,
            "model": np.array(aliases, dtype=object)[model],
            "component": component,
            "contribution": contribution,
            "recent_mean": recent[series],
        }
    )
    out.attrs["horizon"] = h
    return out


def _fmt(x: float) -> str:
    """A number for a sentence: 3 significant digits, thousands separated."""
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 1:
        return f"{x:.2f}"
    if ax == 0:
        return "0"
    return f"{x:.2g}"


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "−") + _fmt(abs(x))


def explain_text(explanation: Any, unique_id: Any, model: str | None = None, top: int = 4) -> str:
    """A short plain-language summary of one series' explanation.

    Says the average forecast per period over the horizon, how it compares with the series'
    recent actuals (``recent_mean``: the mean of the last ``h`` actuals, so with daily data and
    ``h = 7`` "vs the last 7 periods" is "vs last week"), and the biggest drivers: the ``top``
    components by mean absolute size per period, each as its average per period with sign and
    its share of the sum of the components' absolute averages (so that shares stay meaningful
    when the mean is 0 or components cancel); a component whose average is less than half its
    mean absolute size (a season over a whole cycle) is written ``±size (varies by period)``. E.g. ``"HYD-1/curd, AutoETS: forecast mean 124 per
    period over the next 7 periods (2026-07-01 to 2026-07-07), up 38% vs the last 7 periods
    (89.9). Drivers: level +100 (72%), festival +30.0 (+22%), rain_mm +6.00 (+4%)."``

    Args:
        explanation: the frame ``qs.explain`` returned (or rows of it).
        unique_id: the series to summarise.
        model: which model's explanation (default: the first one of that series).
        top: how many components to name (the rest are summed as "other").

    Returns:
        One or two sentences.

    Raises:
        QuickstockError: a frame without the explanation columns, an unknown ``unique_id`` or
        ``model``, or a bad ``top``.
    """
    frame = to_pandas(explanation, "explanation")
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing or len(frame.columns) < 2:
        invalid(f"explanation must be the frame qs.explain returns (missing {missing})", field="explanation")
    id_col, time_col = frame.columns[0], frame.columns[1]
    if isinstance(top, bool) or not isinstance(top, numbers.Integral) or top < 1:
        invalid(f"top must be an integer >= 1 (got {top!r})", field="top")
    ids = frame[id_col]
    rows = frame[(ids == unique_id).to_numpy()] if len(frame) else frame
    if rows.empty:
        rows = frame[(ids.astype(str) == str(unique_id)).to_numpy()]
    if rows.empty:
        some = ", ".join(map(str, pd.unique(ids)[:3]))
        invalid(f"unknown unique_id {unique_id!r}; the explanation covers e.g. {some}",
                series=unique_id, field="unique_id")
    models = list(pd.unique(rows["model"]))
    if model is None:
        model = models[0]
    elif model not in models:
        invalid(f"no explanation of model {model!r} for this series (models: {models})",
                series=unique_id, field="model")
    rows = rows[(rows["model"] == model).to_numpy()]
    periods = pd.unique(rows[time_col])
    n = len(periods)
    totals = rows.groupby("component", sort=False)["contribution"].sum() / n
    mean = float(totals.sum())
    start, end = periods[0], periods[-1]
    span = f"{pd.Timestamp(start).date()} to {pd.Timestamp(end).date()}" if isinstance(
        start, (pd.Timestamp, np.datetime64)) else f"{start} to {end}"
    head = (f"{unique_id}, {model}: forecast mean {_fmt(mean)} per period over the next {n} "
            f"period{'s' if n != 1 else ''} ({span})")
    if "recent_mean" in rows.columns:
        recent = float(rows["recent_mean"].iloc[0])
        if math.isfinite(recent):
            if recent > 0:
                change = (mean - recent) / recent
                word = "up" if change > 0 else ("down" if change < 0 else "unchanged")
                pct = f" {abs(change):.0%}" if change != 0 else ""
                head += f", {word}{pct} vs the last {n} periods ({_fmt(recent)})"
            elif mean > 0:
                head += f", up from 0 in the last {n} periods"
            else:
                head += f", as in the last {n} periods (0)"
    absolute = float(totals.abs().sum())
    swing = rows["contribution"].abs().groupby(rows["component"], sort=False).sum() / n
    if absolute == 0.0 and float(swing.sum()) == 0.0:
        return head + ". Every component is 0: the forecast is 0 throughout."
    # Ranked by mean absolute size per period, so that a season that cancels over the horizon
    # but moves single periods is still named (as "±size, varies by period").
    ranked = swing.sort_values(ascending=False, kind="stable").index
    parts = []
    for name in ranked[:top]:
        v = float(totals[name])
        if abs(v) < 0.5 * float(swing[name]):
            parts.append(f"{name} ±{_fmt(float(swing[name]))} (varies by period)")
        else:
            share = abs(v) / absolute if absolute > 0 else 0.0
            parts.append(f"{name} {_signed(v)} ({'' if v >= 0 else '−'}{share:.0%})")
    rest = [name for name in ranked[top:]]
    if rest:
        v = float(totals[rest].sum())
        share = abs(v) / absolute if absolute > 0 else 0.0
        parts.append(f"other {_signed(v)} ({'' if v >= 0 else '−'}{share:.0%})")
    return head + ". Drivers (per period): " + ", ".join(parts) + "."
