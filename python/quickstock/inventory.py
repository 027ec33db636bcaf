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
from ._frame import quantile_columns

__all__ = ["recommend", "simulate", "QuantilePolicy", "SafetyStockPolicy"]

_FLOAT_PARAMS = ("price", "cost", "salvage", "on_hand", "order_multiple", "min_order")
_INT_PARAMS = ("shelf_life", "lead_time", "review_period")


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
    found = quantile_columns(frame)
    levels, cols = list(found), list(found.values())
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


# -- replay simulator ------------------------------------------------------------------------------


class QuantilePolicy:
    """Order with ``recommend`` from rolling-origin quantile forecasts.

    At each review day the models are refitted on the history up to that day (the last
    ``fit_window`` periods), forecast ``lead_time + max(review_period, shelf_life)`` periods with
    ``quantiles``, and ``recommend`` orders with the current stock plus the orders on the way as
    ``on_hand``.

    Args:
        models: quickstock models for the ``Forecaster`` (their first model is used).
        price, cost, salvage: economics (numbers or mappings ``unique_id -> value``).
        quantiles: levels forecast for the decision (a dense grid gives sharper orders).
        correlation, n_paths: passed to ``recommend``.
        order_multiple: passed to ``recommend`` (1 for whole units).
        fit_window: periods of history the models see at each refit (None: all).
        n_jobs: threads.
        stockout_col: name of the boolean stockout column of the history the policy is shown
            (``simulate(..., observe="sales")`` calls it ``"stockout"``); the models are then
            fitted with ``Forecaster(stockout_col=...)``, so a model that supports it treats those
            days as censored demand. None: the column is dropped and sales are taken as demand.
    """

    def __init__(
        self,
        models: Any,
        price: Any,
        cost: Any,
        salvage: Any = 0.0,
        quantiles: Any = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98),
        correlation: float = 0.0,
        n_paths: int = 2000,
        order_multiple: Any = 1.0,
        fit_window: int | None = 365,
        n_jobs: int = 1,
        stockout_col: str | None = None,
    ) -> None:
        self.models = models
        self.stockout_col = stockout_col
        self.price, self.cost, self.salvage = price, cost, salvage
        self.quantiles = list(quantiles)
        self.correlation, self.n_paths = correlation, n_paths
        self.order_multiple = order_multiple
        self.fit_window, self.n_jobs = fit_window, n_jobs

    def orders(self, history: pd.DataFrame, position: pd.Series, timing: dict, freq: Any) -> pd.Series:
        from .forecaster import Forecaster

        h = timing["lead_time"] + max(timing["review_period"], timing["shelf_life"])
        keep = ["unique_id", "ds", "y"] + ([self.stockout_col] if self.stockout_col else [])
        missing = [c for c in keep if c not in history.columns]
        if missing:
            invalid(f"the history shown to the policy has no column {missing[0]!r}", field="stockout_col")
        hist = history[keep]
        if self.fit_window is not None:
            hist = hist.groupby("unique_id", sort=False).tail(int(self.fit_window))
        fc = Forecaster(self.models, freq=freq, n_jobs=self.n_jobs, stockout_col=self.stockout_col).fit(hist)
        f = fc.predict(h=h, quantiles=self.quantiles)
        first = fc.models[0].alias
        r = recommend(
            f, price=self.price, cost=self.cost, salvage=self.salvage, model=first,
            on_hand=position, correlation=self.correlation, n_paths=self.n_paths,
            order_multiple=self.order_multiple, n_jobs=self.n_jobs, **timing,
        )
        return pd.Series(r["order_qty"].to_numpy(), index=r["unique_id"].to_numpy())


class SafetyStockPolicy:
    """The textbook baseline: seasonal-naive forecast plus safety stock.

    Order up to ``sum of the seasonal-naive forecast over lead_time + review_period`` plus
    ``z · σ · √(lead_time + review_period)``, σ the standard deviation of the seasonal-naive
    one-season-ahead errors over the last ``error_window`` periods; the order is that level minus
    the stock and the orders on the way (never negative), rounded up to ``order_multiple``.
    Shelf life is ignored, as such policies do.
    """

    def __init__(self, season_length: int = 7, z: float = 1.645, error_window: int = 365,
                 order_multiple: float = 1.0) -> None:
        self.season_length, self.z = int(season_length), float(z)
        self.error_window, self.order_multiple = int(error_window), float(order_multiple)

    def orders(self, history: pd.DataFrame, position: pd.Series, timing: dict, freq: Any) -> pd.Series:
        m = self.season_length
        p = timing["lead_time"] + timing["review_period"]
        out = {}
        for uid, g in history.groupby("unique_id", sort=False):
            y = g["y"].to_numpy(dtype=float)
            if len(y) <= m:
                mu = float(np.mean(y)) * p if len(y) else 0.0
                sigma = float(np.std(y)) if len(y) > 1 else 0.0
            else:
                season = y[-m:]
                mu = float(sum(season[j % m] for j in range(p)))
                err = y[m:] - y[:-m]
                sigma = float(np.std(err[-self.error_window:]))
            level = mu + self.z * sigma * np.sqrt(p)
            q = max(0.0, level - float(position.get(uid, 0.0)))
            if self.order_multiple > 0:
                q = float(np.ceil(q / self.order_multiple - 1e-9) * self.order_multiple)
            out[uid] = q
        return pd.Series(out)


def simulate(
    policy: Any,
    history: pd.DataFrame,
    start: Any,
    days: int | None = None,
    shelf_life: int = 1,
    lead_time: int = 0,
    review_period: int = 1,
    price: Any = None,
    cost: Any = None,
    freq: Any = "D",
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    observe: str = "demand",
    sales_col: str | None = None,
    stockout_col: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Replay an ordering policy on real history: waste, lost sales and fill rate.

    From ``start`` on, every period: orders due arrive (and keep ``shelf_life`` periods); that
    period's actual demand (``y``) is served first-in first-out, what cannot be served is lost;
    units reaching the end of their shelf life are wasted; on review days (every
    ``review_period`` periods from ``start``) the policy sees only the history before the next
    period and orders, arriving ``lead_time + 1`` periods later. Stock starts at zero, and the
    metrics count from the first arrival on (the warm-up is excluded for every policy alike).

    Args:
        policy: an object with ``orders(history, position, timing, freq) -> Series`` of order
            quantities by ``unique_id`` (``QuantilePolicy``, ``SafetyStockPolicy`` or your own);
            ``position`` is stock on hand plus orders on the way.
        history: long frame ``unique_id, ds, y`` with every period up to the end of the replay.
        start: first replayed period (a timestamp in ``ds``).
        days: periods to replay (default: to the end of the history).
        shelf_life, lead_time, review_period: in periods.
        price, cost: optional, for the money columns.
        observe: what the policy is shown. ``"demand"``: the history's ``y`` on every day (the
            demand the replay serves, lost or not). ``"sales"``: what a store really records —
            on replayed days the units the policy's own stock could sell, and on earlier days
            ``sales_col`` (default ``y``) — with a boolean column ``stockout`` marking the days
            whose sales were capped by stock (replayed days with lost sales, and earlier days
            flagged in ``stockout_col``). Use ``QuantilePolicy(stockout_col="stockout")`` to fit
            with those days censored, or leave it None to take sales as demand.
        sales_col, stockout_col: with ``observe="sales"``, the recorded sales and the stockout
            flag of the days before ``start`` (``y`` is then the true demand the replay serves,
            e.g. known in a simulation).

    Returns:
        ``(summary, daily)``: ``summary`` one row per series with ``demand, sales, lost_sales,
        waste, ordered, fill_rate`` (and ``revenue, purchase_cost, margin`` when price and cost
        are given), plus a ``"TOTAL"`` row; ``daily`` per series and period.

    Raises:
        QuickstockError: for a bad argument or a history without ``start``.
    """
    for name, v, low in (("shelf_life", shelf_life, 1), ("lead_time", lead_time, 0),
                         ("review_period", review_period, 1)):
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < low:
            invalid(f"{name} must be an integer >= {low} (got {v!r})", field=name)
    if not hasattr(policy, "orders"):
        invalid("policy must have an orders(history, position, timing, freq) method", field="policy")
    if observe not in ("demand", "sales"):
        invalid(f"observe must be 'demand' or 'sales' (got {observe!r})", field="observe")
    if observe == "demand" and (sales_col is not None or stockout_col is not None):
        invalid("sales_col and stockout_col need observe='sales'", field="observe")
    for name, col in (("sales_col", sales_col), ("stockout_col", stockout_col)):
        if col is not None and col not in history.columns:
            invalid(f"{name}={col!r} is not a column of the history", field=name)
    df = history[[id_col, time_col, target_col]].rename(
        columns={id_col: "unique_id", time_col: "ds", target_col: "y"})
    if observe == "sales":
        # What the policy sees: recorded sales and the stockout flag (replayed days are
        # overwritten as the replay goes).
        seen = history[sales_col] if sales_col is not None else history[target_col]
        df["seen"] = pd.to_numeric(seen, errors="coerce").to_numpy(dtype=float)
        flag = history[stockout_col] if stockout_col is not None else False
        df["stockout"] = pd.Series(flag, index=history.index).fillna(False).astype(bool).to_numpy()
    df = df.sort_values(["unique_id", "ds"], kind="stable").reset_index(drop=True)
    start = pd.Timestamp(start) if not isinstance(start, numbers.Integral) else start
    periods = np.sort(df["ds"].unique())
    periods = periods[periods >= np.asarray(start, dtype=periods.dtype)]
    if len(periods) == 0:
        invalid(f"the history has no period at or after start={start!r}", field="start")
    if days is not None:
        if isinstance(days, bool) or not isinstance(days, numbers.Integral) or days < 1:
            invalid(f"days must be an integer >= 1 (got {days!r})", field="days")
        periods = periods[: int(days)]
    ids = np.asarray(pd.unique(df["unique_id"]))
    n = len(ids)
    demand = df.pivot(index="unique_id", columns="ds", values="y").reindex(index=ids)
    timing = {"shelf_life": int(shelf_life), "lead_time": int(lead_time), "review_period": int(review_period)}
    stock = np.zeros((n, shelf_life))  # stock[:, a]: units with a more periods to sell after today
    pipeline = np.zeros((n, lead_time + 1))  # pipeline[:, k]: arrives in k + 1 periods
    rows = []
    first_arrival = lead_time + 1
    for t, day in enumerate(periods):
        arriving = pipeline[:, 0].copy()
        pipeline = np.roll(pipeline, -1, axis=1)
        pipeline[:, -1] = 0.0
        stock[:, shelf_life - 1] += arriving
        d = demand[day].to_numpy(dtype=float)
        d = np.nan_to_num(d, nan=0.0)
        left = d.copy()
        for a in range(shelf_life):  # first expiring first
            sold = np.minimum(stock[:, a], left)
            stock[:, a] -= sold
            left -= sold
        sales = d - left
        waste = stock[:, 0].copy()
        stock = np.roll(stock, -1, axis=1)
        stock[:, -1] = 0.0
        order = np.zeros(n)
        if observe == "sales":
            rows_today = np.flatnonzero((df["ds"] == day).to_numpy())
            where = pd.Index(ids).get_indexer(df["unique_id"].to_numpy()[rows_today])
            df.loc[rows_today, "seen"] = sales[where]
            df.loc[rows_today, "stockout"] = left[where] > 0
        if t % review_period == 0:
            past = df[df["ds"] <= day]
            if observe == "sales":
                past = past.drop(columns="y").rename(columns={"seen": "y"})
            position = pd.Series(stock.sum(axis=1) + pipeline.sum(axis=1), index=ids)
            got = policy.orders(past, position, dict(timing), freq)
            order = pd.Series(got).reindex(ids).fillna(0.0).to_numpy(dtype=float)
            if (order < 0).any() or not np.isfinite(order).all():
                invalid("the policy returned a negative or non-finite order", field="policy")
            pipeline[:, lead_time] += order
        rows.append(pd.DataFrame({
            "unique_id": ids, "ds": day, "demand": d, "sales": sales, "lost_sales": left,
            "waste": waste, "ordered": order, "arrived": arriving, "counted": t >= first_arrival,
        }))
    daily = pd.concat(rows, ignore_index=True)
    counted = daily[daily["counted"]]
    summary = counted.groupby("unique_id", sort=False)[["demand", "sales", "lost_sales", "waste", "ordered"]].sum()
    summary = summary.reindex(ids)
    total = summary.sum().to_frame("TOTAL").T
    summary = pd.concat([summary, total])
    summary["fill_rate"] = np.where(summary["demand"] > 0, summary["sales"] / summary["demand"].where(summary["demand"] > 0, 1), 1.0)
    if price is not None and cost is not None:
        pr = _per_series("price", price, ids, pd.DataFrame(index=ids), integer=False)
        co = _per_series("cost", cost, ids, pd.DataFrame(index=ids), integer=False)
        pr = np.broadcast_to(pr, (n,)) if pr.size == 1 else pr
        co = np.broadcast_to(co, (n,)) if co.size == 1 else co
        per = summary.iloc[:-1]
        revenue = per["sales"].to_numpy() * pr
        purchase = per["ordered"].to_numpy() * co
        summary["revenue"] = np.append(revenue, revenue.sum())
        summary["purchase_cost"] = np.append(purchase, purchase.sum())
        summary["margin"] = summary["revenue"] - summary["purchase_cost"]
    summary.index.name = "unique_id"
    return summary.reset_index(), daily.drop(columns="counted")
