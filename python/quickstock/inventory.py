"""Order recommendations for perishable stock from quantile forecasts (``qs.inventory``).

``recommend`` turns a forecast frame (``Forecaster.predict`` output) into one order per series:
the newsvendor critical ratio ``(price − cost) / (price − salvage)`` applied to the demand over
the days one order must cover, computed in C++ on joint sample paths of daily demand — never by
adding daily quantiles. See ``docs/inventory.md`` for the policy and its assumptions.
"""

from __future__ import annotations

import numbers
from typing import Any, Mapping

import numpy as np
import pandas as pd

from . import _core
from ._errors import invalid

__all__ = ["recommend"]

_FLOAT_PARAMS = ("price", "cost", "salvage", "on_hand", "order_multiple", "min_order")
_INT_PARAMS = ("shelf_life", "lead_time", "review_period")


def _quantile_columns(fcst: pd.DataFrame) -> tuple[list[float], list[str]]:
    found = []
    for c in fcst.columns:
        if isinstance(c, str) and c.startswith("p") and c != "p":
            try:
                level = float(c[1:]) / 100.0
            except ValueError:
                continue
            if 0.0 < level < 1.0:
                found.append((level, c))
    found.sort()
    return [lv for lv, _ in found], [c for _, c in found]


def _per_series(
    name: str, value: Any, ids: np.ndarray, attrs: pd.DataFrame, integer: bool
) -> np.ndarray:
    """A parameter as one value or one per series (in ``ids`` order)."""
    dtype = np.int64 if integer else np.float64
    if isinstance(value, str):
        if value not in attrs.columns:
            invalid(
                f"{name}={value!r} names no column of the forecast frame; pass a number, a "
                f"mapping unique_id -> value, a Series indexed by unique_id, or a column name",
                field=name,
            )
        value = attrs[value]
    if isinstance(value, (pd.Series, Mapping)):
        series = value if isinstance(value, pd.Series) else pd.Series(dict(value))
        got = series.reindex(ids)
        missing = got.isna().to_numpy()
        if missing.any():
            invalid(f"{name} has no value for this series", series=ids[np.flatnonzero(missing)[0]], field=name)
        out = got.to_numpy()
    else:
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            invalid(f"{name} must be a number (got {value!r})", field=name)
        out = np.array([value])
    try:
        arr = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError):
        invalid(f"{name} must be numeric", field=name)
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        invalid(
            f"{name} must be finite (got {arr[bad]!r})",
            series=ids[bad] if len(arr) > 1 else None,
            field=name,
        )
    if integer:
        if (arr != np.round(arr)).any():
            bad = int(np.flatnonzero(arr != np.round(arr))[0])
            invalid(
                f"{name} must be a whole number of periods (got {arr[bad]!r})",
                series=ids[bad] if len(arr) > 1 else None,
                field=name,
            )
    return np.ascontiguousarray(arr.astype(dtype))


def recommend(
    fcst: pd.DataFrame,
    price: Any,
    cost: Any,
    salvage: Any = 0.0,
    shelf_life: Any = 1,
    lead_time: Any = 0,
    review_period: Any = 1,
    on_hand: Any = 0.0,
    order_multiple: Any = 0.0,
    min_order: Any = 0.0,
    model: str | None = None,
    correlation: float = 0.0,
    n_paths: int = 4000,
    seed: int = 0,
    n_jobs: int = 1,
    id_col: str = "unique_id",
    time_col: str = "ds",
) -> pd.DataFrame:
    """Order quantities per series from a quantile forecast.

    The order arrives after ``lead_time`` periods, during which demand is served from
    ``on_hand`` (sold first). It must cover the window W = min(``review_period``,
    ``shelf_life``) periods after arrival: the order is the critical-ratio quantile of the
    window's demand net of the stock left at arrival, rounded up to ``order_multiple`` and
    raised to ``min_order`` when that pays. With ``lead_time=0``, ``review_period=1``,
    ``shelf_life=1`` and nothing on hand it is exactly the forecast quantile at the critical
    ratio (the newsvendor solution). Units expire ``shelf_life`` periods after arrival and are
    sold first-in first-out.

    Daily demand is drawn as joint sample paths from each step's forecast quantiles (linear
    between the given levels, Normal tails beyond them, censored at 0), consecutive days joined
    by a Gaussian copula with ``correlation``; sums over days come from the paths, never from
    adding quantiles. Forecast more quantile levels (e.g. 0.05…0.95) for sharper results.

    Args:
        fcst: ``predict`` output: ``unique_id, ds, model, mean, p…`` (at least one quantile
            column) and any attribute columns.
        price, cost, salvage: per unit; ``price > salvage`` and ``salvage <= cost <= price``.
        shelf_life, lead_time, review_period: in forecast periods.
        on_hand: units in stock now.
        order_multiple: orders are multiples of this (0: any quantity, e.g. 1 for whole units).
        min_order: a non-zero order is at least this.
        model: which model's forecast to use when ``fcst`` holds several.
        correlation: day-to-day dependence of demand in [0, 1) (0: independent days).
        n_paths: sample paths per series; seed: random stream (results are deterministic).
        n_jobs: threads.

        Every economic and timing parameter may be a number, a mapping or Series
        ``unique_id -> value``, or the name of an attribute column of ``fcst``.

    Returns:
        One row per series: ``unique_id, order_qty, expected_sales, expected_waste,
        stockout_prob, fill_rate, critical_ratio, expected_demand``.

    Raises:
        QuickstockError: naming the parameter (and series) at fault, or ``h`` when the forecast
        is too short for ``lead_time + min(review_period, shelf_life)``.

    Example:
        >>> f = fc.predict(h=7, quantiles=[0.05, 0.25, 0.5, 0.75, 0.95])  # doctest: +SKIP
        >>> qs.inventory.recommend(f, price=40, cost=25, salvage=5, shelf_life=2)  # doctest: +SKIP
    """
    if not isinstance(fcst, pd.DataFrame):
        invalid("fcst must be a pandas DataFrame from Forecaster.predict", field="fcst")
    for col in (id_col, time_col):
        if col not in fcst.columns:
            invalid(f"fcst is missing column {col!r}", field=col)
    frame = fcst
    if "model" in frame.columns:
        models = pd.unique(frame["model"])
        if model is not None:
            if model not in set(models):
                invalid(f"model {model!r} is not in the forecast (it has {list(models)})", field="model")
            frame = frame[frame["model"] == model]
        elif len(models) > 1:
            invalid(f"the forecast holds several models {list(models)}: choose one with model=", field="model")
    levels, cols = _quantile_columns(frame)
    if not levels:
        invalid("the forecast has no quantile columns (p10, p50, …): predict with quantiles=", field="quantiles")
    frame = frame.sort_values([id_col, time_col], kind="stable")
    ids, counts = np.unique(frame[id_col].to_numpy(), return_counts=True)
    if len(ids) == 0:
        invalid("the forecast frame is empty", field="fcst")
    if (counts != counts[0]).any():
        bad = ids[np.flatnonzero(counts != counts[0])[0]]
        invalid("every series needs the same number of forecast steps", series=bad, field=time_col)
    h = int(counts[0])
    q = np.ascontiguousarray(frame[cols].to_numpy(dtype=np.float64).reshape(len(ids), h, len(cols)))
    attrs = frame.groupby(id_col, sort=True).first()
    values = dict(
        price=price, cost=cost, salvage=salvage, shelf_life=shelf_life, lead_time=lead_time,
        review_period=review_period, on_hand=on_hand, order_multiple=order_multiple,
        min_order=min_order,
    )
    arrays = {
        k: _per_series(k, v, ids, attrs, integer=k in _INT_PARAMS) for k, v in values.items()
    }
    if isinstance(n_paths, bool) or not isinstance(n_paths, numbers.Integral):
        invalid(f"n_paths must be an integer (got {n_paths!r})", field="n_paths")
    if isinstance(correlation, bool) or not isinstance(correlation, numbers.Real):
        invalid(f"correlation must be a number in [0, 1) (got {correlation!r})", field="correlation")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        invalid(f"seed must be a non-negative integer (got {seed!r})", field="seed")
    from .forecaster import _resolve_jobs

    out = _core.recommend_orders(
        levels, q, [str(v) for v in ids], n_paths=int(n_paths), correlation=float(correlation),
        seed=int(seed), n_threads=_resolve_jobs(n_jobs), **arrays,
    )
    result = pd.DataFrame({id_col: ids})
    for name in ("order_qty", "expected_sales", "expected_waste", "stockout_prob", "fill_rate",
                 "critical_ratio", "expected_demand"):
        result[name] = out[name]
    return result
