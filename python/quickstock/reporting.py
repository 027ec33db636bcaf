"""One self-contained HTML report: forecasts, drill-down, alerts and orders (``qs.report``).

``report(df, path)`` fits the models to every series of a long frame *and* to every aggregate
of its hierarchy columns (city → zone → pincode → store, crossed with category → SKU, through
``qs.aggregate``), backtests them on a holdout of the last periods, and writes one HTML file
that needs nothing but a browser: CSS and JavaScript are inline, the charts are SVG drawn by
that script from data embedded in the page, and nothing is fetched from the network. The page
holds fan charts (history, P50 and the quantile bands) for the selected node of the hierarchy,
a breakdown of its children, the forecast and suggested order of every series under it
(``qs.inventory.recommend``) and the alerts raised on the holdout (``qs.anomalies``). See
``docs/report.md``.
"""

from __future__ import annotations

import html
import json
import math
import numbers
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import models as _models
from ._errors import invalid
from ._frame import check_quantiles, default_season_length, parse_freq, quantile_column, to_pandas
from ._progress import Bar

__all__ = ["report", "GEOGRAPHY", "PRODUCT", "ECONOMICS", "build_report"]

#: Geographic hierarchy columns used when present, coarse to fine.
GEOGRAPHY = ("city", "zone", "pincode", "store_id")
#: Product hierarchy columns used when present, coarse to fine.
PRODUCT = ("category", "sku")
#: Economics of the suggested orders: parameter → (column read when present, default).
#: ``cost`` defaults to 70% of the price (a 30% gross margin) and ``price`` to 1, so the default
#: critical ratio is (price − cost) / (price − salvage) = 0.3: a perishable with no salvage value.
ECONOMICS = {
    "price": ("price", 1.0),
    "cost": ("cost", None),  # None: COST_SHARE × price
    "salvage": ("salvage", 0.0),
    "shelf_life": ("shelf_life", 1),
    "lead_time": ("lead_time", 0),
    "review_period": ("review_period", 1),
    "on_hand": ("on_hand", 0.0),
}
COST_SHARE = 0.7
#: Quantile levels forecast (in addition to the requested ones) for the order computation.
_ORDER_GRID = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)
_SERIES_COL = "__qs_series__"


def _default_models(m: int) -> list[_models.Model]:
    return [_models.SeasonalNaive(season_length=m)] if m > 1 else [_models.Naive()]


def _round(values: np.ndarray, digits: int = 3) -> list[float]:
    """Floats for JSON: rounded to ``digits`` decimals, finite (non-finite → 0)."""
    arr = np.asarray(values, dtype=float)
    arr = np.where(np.isfinite(arr), arr, 0.0)
    return [float(v) for v in np.round(arr, digits)]


def _fmt(v: float) -> str:
    """A number as the page's script writes it (3 significant-ish digits, halves rounded up)."""
    from decimal import ROUND_HALF_UP, Decimal

    if v is None or not np.isfinite(v):
        return "–"
    a = abs(v)
    places = 0 if a >= 100 else (1 if a >= 10 else 2)
    d = Decimal(repr(float(v))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{d:,}" if a >= 1000 else f"{d}"


def _economics(
    values: dict[str, Any], df: pd.DataFrame, id_col: str, ids: np.ndarray
) -> dict[str, Any]:
    """Each economic parameter as a number or a Series by ``unique_id`` (last value per series)."""
    out: dict[str, Any] = {}
    last = None

    def column(name: str, col: str) -> pd.Series:
        nonlocal last
        if last is None:
            last = df.groupby(id_col, sort=False).last()
        s = pd.to_numeric(last[col], errors="coerce")
        bad = s.isna() | ~np.isfinite(s.to_numpy(dtype=float, na_value=np.nan))
        if bad.any():
            invalid(f"the last value of column {col!r} must be a finite number", series=s.index[bad][0],
                    field=name)
        return s.reindex(ids)

    for name, (default_col, default) in ECONOMICS.items():
        v = values.get(name)
        if isinstance(v, str):
            try:
                v = float(v)
            except ValueError:
                if v not in df.columns:
                    invalid(f"{name}={v!r} is neither a number nor a column of the input "
                            f"(columns: {list(df.columns)})", field=name)
                v = column(name, v)
        elif v is None:
            if default_col in df.columns:
                v = column(name, default_col)
            elif default is not None:
                v = default
        elif isinstance(v, bool) or not isinstance(v, numbers.Real):
            invalid(f"{name} must be a number or a column name (got {v!r})", field=name)
        out[name] = v
    if out["cost"] is None:
        out["cost"] = out["price"] * COST_SHARE
    return out


def _hierarchy_columns(df: pd.DataFrame, geography: Any, product: Any) -> tuple[list[str], list[str]]:
    def pick(arg: Any, default: Sequence[str], name: str) -> list[str]:
        if arg is None:
            return [c for c in default if c in df.columns]
        if isinstance(arg, str):
            arg = [c.strip() for c in arg.split(",") if c.strip()]
        cols = [str(c) for c in arg]
        for c in cols:
            if c not in df.columns:
                invalid(f"hierarchy column {c!r} is not in the input (columns: {list(df.columns)})",
                        field=name)
        return cols

    geo = pick(geography, GEOGRAPHY, "geography")
    prod = pick(product, PRODUCT, "product")
    both = set(geo) & set(prod)
    if both:
        invalid(f"columns {sorted(both)} are in both the geography and the product hierarchy",
                field="product")
    return geo, prod


def _nodes(
    df: pd.DataFrame, geo: list[str], prod: list[str], id_col: str, time_col: str, target_col: str
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Every node of the hierarchy as a series: ``(frame, keys, level names)``.

    ``frame`` is long ``unique_id, ds, y`` over all nodes (the input's series keep their ids);
    ``keys`` has one row per node: ``unique_id``, ``level`` (index into the level names),
    ``bottom`` (an input series) and one column per hierarchy column (None where the node does
    not fix it).
    """
    from .hierarchy import aggregate, cross_spec

    cols = geo + prod
    base = df[[id_col, time_col, target_col] + cols].copy()
    for c in cols:  # attribute values as text (pincode may have been read as a number)
        missing = base[c].isna().to_numpy()
        if missing.any():
            r = int(np.flatnonzero(missing)[0])
            invalid(f"hierarchy column {c!r} is missing", series=base[id_col].iloc[r], row=r, field=c)
        base[c] = base[c].astype(str)
    # A hierarchy column must be constant within each series.
    for c in cols:
        n = base.groupby(id_col, sort=False)[c].nunique()
        if (n > 1).any():
            invalid(f"hierarchy column {c!r} changes within the series", series=n.index[n > 1][0], field=c)
    base[_SERIES_COL] = base[id_col].astype(str)
    spec = cross_spec([geo[: i + 1] for i in range(len(geo))], [prod[: i + 1] for i in range(len(prod))])
    if cols:
        # The finest cross level duplicates the input series when it is one series per key.
        per_key = base.groupby(cols, sort=False)[_SERIES_COL].nunique()
        if (per_key == 1).all():
            spec = spec[:-1]
    spec = spec + [cols + [_SERIES_COL]]
    frame, h = aggregate(base.drop(columns=[id_col]), spec, id_col="unique_id", time_col=time_col,
                         target_col=target_col)
    names = list(h.levels)
    bottom_ids = set(h.levels[names[-1]])
    # Input series keep their own ids; aggregates keep aggregate's ids (prefixed on a clash).
    first = frame.groupby("unique_id", sort=False).first()
    level_of = {uid: k for k, name in enumerate(names) for uid in h.levels[name]}
    originals = set(base[_SERIES_COL])
    rename = {}
    for uid in first.index:
        if uid in bottom_ids:
            rename[uid] = first.loc[uid, _SERIES_COL]
        elif uid in originals:
            rename[uid] = "Σ " + uid
    keys = pd.DataFrame({
        "unique_id": [rename.get(u, u) for u in first.index],
        "level": [level_of[u] for u in first.index],
        "bottom": [u in bottom_ids for u in first.index],
    })
    for c in cols:
        keys[c] = [None if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v)
                   for v in first[c].to_numpy(dtype=object)]
    frame = frame[["unique_id", time_col, target_col]].copy()
    codes, uniques = pd.factorize(frame["unique_id"])
    frame["unique_id"] = np.asarray([rename.get(u, u) for u in uniques], dtype=object)[codes]
    level_names = []
    for g in spec:
        g = [c for c in g if c != _SERIES_COL]
        level_names.append(" × ".join(g) if g else "total")
    level_names[-1] = "series"
    return frame, keys, level_names


def _holdout_scores(cv: pd.DataFrame, levels: list[float], model_col: str = "model") -> pd.DataFrame:
    rows = []
    lo, hi = quantile_column(levels[0]), quantile_column(levels[-1])
    for name, g in cv.groupby(model_col, sort=False):
        y = g["y"].to_numpy(dtype=float)
        centre = g["p50"].to_numpy(dtype=float) if "p50" in g.columns else g["mean"].to_numpy(dtype=float)
        wape = float(np.abs(y - centre).sum() / max(np.abs(y).sum(), 1e-12))
        losses = []
        for q in levels:
            d = y - g[quantile_column(q)].to_numpy(dtype=float)
            losses.append(np.mean(np.maximum(q * d, (q - 1.0) * d)))
        cover = float(np.mean((y >= g[lo].to_numpy()) & (y <= g[hi].to_numpy()))) if len(levels) > 1 else float("nan")
        rows.append({"model": name, "wape": wape, "pinball": float(np.mean(losses)), "coverage": cover})
    return pd.DataFrame(rows)


def build_report(
    df: Any,
    h: int = 14,
    quantiles: Sequence[float] | None = None,
    models: Sequence[_models.Model] | None = None,
    freq: Any = None,
    season_length: int | None = None,
    holdout: int | None = None,
    geography: Any = None,
    product: Any = None,
    price: Any = None,
    cost: Any = None,
    salvage: Any = None,
    shelf_life: Any = None,
    lead_time: Any = None,
    review_period: Any = None,
    on_hand: Any = None,
    history: int = 56,
    max_charts: int = 1000,
    n_jobs: int = -1,
    title: str | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    verbose: bool | None = False,
) -> dict[str, Any]:
    """Everything the report shows, as plain data (see :func:`report` for the arguments).

    Returns:
        A dict with ``data`` (the JSON embedded in the page), ``forecast`` (all nodes, all
        models), ``holdout`` (cross-validation frame), ``scores``, ``alerts``, ``orders`` and
        ``keys`` (the hierarchy nodes).
    """
    from .cli import infer_freq
    from .forecaster import Forecaster

    frame = to_pandas(df, "df")
    for col in (id_col, time_col, target_col):
        if col not in frame.columns:
            invalid(f"the input needs a column {col!r} (it has {list(frame.columns)})", field=col)
    if len(frame) == 0:
        invalid("the input has no rows", field=target_col)
    for name, value, low in (("history", history, 1), ("max_charts", max_charts, 0)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            invalid(f"{name} must be an integer >= {low} (got {value!r})", field=name)
    if isinstance(h, bool) or not isinstance(h, numbers.Integral) or h < 1:
        invalid(f"h must be an integer >= 1 (got {h!r})", field="h")
    levels = check_quantiles([0.1, 0.5, 0.9] if quantiles is None else quantiles)
    if holdout is None:
        holdout = int(min(h, 28))
    if isinstance(holdout, bool) or not isinstance(holdout, numbers.Integral) or holdout < 0:
        invalid(f"holdout must be an integer >= 0 (got {holdout!r})", field="holdout")
    frame = frame.copy()
    frame[id_col] = frame[id_col].astype(str)
    if pd.api.types.is_numeric_dtype(frame[time_col]) and not pd.api.types.is_bool_dtype(frame[time_col]):
        invalid(f"the report needs timestamps in {time_col!r} (got numbers); use qs.Forecaster for an "
                "integer time index", field=time_col)
    if not pd.api.types.is_datetime64_any_dtype(frame[time_col]):
        parsed = pd.to_datetime(frame[time_col], errors="coerce")
        bad = parsed.isna().to_numpy()
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            invalid(f"cannot read {frame[time_col].iloc[r]!r} as a timestamp", series=frame[id_col].iloc[r],
                    row=r, field=time_col)
        frame[time_col] = parsed
    y = pd.to_numeric(frame[target_col], errors="coerce")
    bad = y.isna().to_numpy()
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        invalid(f"demand must be a number (got {frame[target_col].iloc[r]!r})", series=frame[id_col].iloc[r],
                row=r, field=target_col)
    frame[target_col] = y.astype(float)
    if freq is None:
        freq = infer_freq(frame, id_col, time_col)
    core_freq = parse_freq(freq)
    if season_length is not None and (isinstance(season_length, bool) or not isinstance(season_length, numbers.Integral)
                                      or season_length < 1):
        invalid(f"season_length must be an integer >= 1 (got {season_length!r})", field="season_length")
    m = int(season_length) if season_length is not None else default_season_length(core_freq)
    model_list = list(models) if models is not None else _default_models(m)
    geo, prod = _hierarchy_columns(frame, geography, product)
    cols = geo + prod

    # Validate the input series as given (errors name the input's own rows) before aggregating.
    Forecaster(model_list, freq=freq, n_jobs=n_jobs)._prepare(frame[[id_col, time_col, target_col]])
    progress = Bar(verbose, 5, "quickstock report", "step")
    try:
        return _build(frame, progress, int(h), levels, model_list, freq, m, int(holdout), geo, prod,
                      dict(price=price, cost=cost, salvage=salvage, shelf_life=shelf_life,
                           lead_time=lead_time, review_period=review_period, on_hand=on_hand),
                      history, max_charts, n_jobs, title, id_col, time_col, target_col)
    finally:
        progress.close()


def _build(
    frame: pd.DataFrame, progress: Bar, h: int, levels: list[float], model_list: list[Any],
    freq: Any, m: int, holdout: int, geo: list[str], prod: list[str], economics: dict[str, Any],
    history: int, max_charts: int, n_jobs: int, title: str | None, id_col: str, time_col: str,
    target_col: str,
) -> dict[str, Any]:
    from .alerts import anomalies
    from .forecaster import Forecaster
    from .inventory import recommend

    nodes, keys, level_names = _nodes(frame, geo, prod, id_col, time_col, target_col)
    progress.step("aggregated")
    nodes = nodes.rename(columns={time_col: "ds", target_col: "y"})
    fc = Forecaster(model_list, freq=freq, n_jobs=n_jobs)
    order_levels = sorted(set(levels) | set(_ORDER_GRID))
    fcst = fc.forecast(nodes, h=int(h), quantiles=order_levels)
    progress.step("forecast")
    aliases = [mm.alias for mm in model_list]

    # Holdout: the last `holdout` periods of every node long enough for it.
    lengths = nodes.groupby("unique_id", sort=False).size()
    cv = pd.DataFrame()
    scores = pd.DataFrame(columns=["model", "wape", "pinball", "coverage"])
    skipped = 0
    if holdout > 0:
        long_enough = lengths.index[lengths >= holdout + max(2, m)]
        skipped = int(len(lengths) - len(long_enough))
        if len(long_enough):
            sub = nodes[nodes["unique_id"].isin(set(long_enough))]
            cv = Forecaster(model_list, freq=freq, n_jobs=n_jobs).cross_validation(
                sub, h=int(holdout), n_windows=1, quantiles=levels)
            bottom = set(keys.loc[keys["bottom"], "unique_id"])
            scores = _holdout_scores(cv[cv["unique_id"].isin(bottom)], levels)
    progress.step("holdout")
    primary = aliases[0]
    if len(scores) and len(aliases) > 1:
        primary = str(scores.sort_values("pinball", kind="stable")["model"].iloc[0])

    alerts = pd.DataFrame(columns=["unique_id", "ds", "y", "expected", "severity", "reason", "kind"])
    if len(cv) and len(levels) >= 2:
        pc = cv[(cv["model"] == primary) & cv["unique_id"].isin(set(keys.loc[keys["bottom"], "unique_id"]))]
        if len(pc):
            alerts = anomalies(pc[["unique_id", "ds", "y"]], pc.drop(columns=["y", "cutoff"]), model=primary,
                               n_jobs=n_jobs)

    bottom_ids = keys.loc[keys["bottom"], "unique_id"].to_numpy()
    bottom_fcst = fcst[(fcst["model"] == primary) & fcst["unique_id"].isin(set(bottom_ids))]
    econ = _economics(economics, frame, id_col, np.sort(bottom_ids))
    orders = recommend(bottom_fcst, model=primary, order_multiple=1.0, n_jobs=n_jobs, **econ)
    progress.step("alerts and orders")

    data = _page_data(nodes, fcst, keys, level_names, geo, prod, levels, aliases, primary, alerts,
                      orders, scores, history, max_charts, int(h), int(holdout), skipped, freq, m)
    data["title"] = title or "quickstock forecast report"
    data["synthetic"] = bool(frame.attrs.get("synthetic", False))
    data["source"] = str(frame.attrs.get("source", ""))
    data["economics"] = {
        k: (float(v) if isinstance(v, numbers.Real) else "per series") for k, v in econ.items()
    }
    progress.step("page")
    return dict(data=data, forecast=fcst, holdout=cv, scores=scores, alerts=alerts, orders=orders,
                keys=keys)


def _page_data(
    nodes: pd.DataFrame, fcst: pd.DataFrame, keys: pd.DataFrame, level_names: list[str],
    geo: list[str], prod: list[str], levels: list[float], aliases: list[str], primary: str,
    alerts: pd.DataFrame, orders: pd.DataFrame, scores: pd.DataFrame, history: int,
    max_charts: int, h: int, holdout: int, skipped: int, freq: Any, m: int,
) -> dict[str, Any]:
    cols = geo + prod
    qcols = [quantile_column(q) for q in levels]
    ids = keys["unique_id"].to_numpy()
    index = {u: i for i, u in enumerate(ids)}
    nodes = nodes.sort_values(["unique_id", "ds"], kind="stable")
    hist_tail = nodes.groupby("unique_id", sort=False).tail(history)
    f = fcst.sort_values(["unique_id", "model", "ds"], kind="stable")
    # The global date axis: every timestamp drawn, sorted.
    axis = pd.DatetimeIndex(sorted(set(hist_tail["ds"]) | set(f["ds"])))
    recent = nodes.groupby("unique_id", sort=False).tail(max(h, 1)).groupby("unique_id")["y"].sum()
    expected = f[f["model"] == primary].groupby("unique_id")["mean"].sum()
    centre = "p50" if "p50" in qcols else "mean"
    # Charts: coarse levels first, then by volume; at most max_charts.
    rank = keys.assign(volume=keys["unique_id"].map(recent).fillna(0.0).to_numpy())
    rank = rank.sort_values(["level", "volume"], ascending=[True, False], kind="stable")
    charted = set(rank["unique_id"].iloc[:max_charts])
    # Plain arrays and row ranges per series (and per series × model): no pandas per node.
    h_uid = hist_tail["unique_id"].to_numpy()
    h_t = axis.get_indexer(pd.DatetimeIndex(hist_tail["ds"]))
    h_y = hist_tail["y"].to_numpy(dtype=float)
    f_uid, f_model = f["unique_id"].to_numpy(), f["model"].to_numpy()
    f_t = axis.get_indexer(pd.DatetimeIndex(f["ds"]))
    f_q = f[qcols].to_numpy(dtype=float)
    f_mean = f["mean"].to_numpy(dtype=float)
    f_centre = f[centre].to_numpy(dtype=float)

    def ranges(*arrays: np.ndarray) -> dict[Any, tuple[int, int]]:
        n = len(arrays[0])
        if n == 0:
            return {}
        change = np.zeros(n, dtype=bool)
        change[0] = True
        for a in arrays:
            change[1:] |= a[1:] != a[:-1]
        starts = np.flatnonzero(change)
        ends = np.append(starts[1:], n)
        keys_ = zip(*(a[starts] for a in arrays)) if len(arrays) > 1 else arrays[0][starts]
        return {k: (int(b), int(e)) for k, b, e in zip(keys_, starts, ends)}

    hist_rows = ranges(h_uid)
    f_rows = ranges(f_uid, f_model)
    alert_count = alerts.groupby("unique_id").size() if len(alerts) else pd.Series(dtype=int)
    key_values = [[None if pd.isna(v) else str(v) for v in row] for row in
                  (keys[cols].to_numpy(dtype=object).tolist() if cols else [[] for _ in range(len(keys))])]
    series = []
    for i, row in enumerate(keys.itertuples(index=False)):
        uid = row.unique_id
        node: dict[str, Any] = {
            "id": uid,
            "k": key_values[i],
            "lv": int(row.level),
            "b": bool(row.bottom),
            "e": float(np.round(expected[uid], 3)) if uid in expected.index else None,
            "r": float(np.round(recent.get(uid, 0.0), 3)),
            "a": int(alert_count.get(uid, 0)),
        }
        p = f_rows.get((uid, primary))
        if p is not None:
            node["d1"] = _round(f_q[p[0]])
        if uid in charted:
            chart: dict[str, Any] = {}
            hr = hist_rows.get(uid)
            if hr is not None:
                chart["ht"] = h_t[hr[0]:hr[1]].tolist()
                chart["hy"] = _round(h_y[hr[0]:hr[1]])
            if p is not None:
                chart["ft"] = f_t[p[0]:p[1]].tolist()
                chart["q"] = {c: _round(f_q[p[0]:p[1], j]) for j, c in enumerate(qcols)}
                chart["m"] = _round(f_mean[p[0]:p[1]])
                chart["o"] = {}
                for a in aliases:
                    g = f_rows.get((uid, a))
                    if a != primary and g is not None:
                        chart["o"][a] = _round(f_centre[g[0]:g[1]])
            node["c"] = chart
        series.append(node)
    for s in series:  # contiguous index ranges compress to [start, count]
        c = s.get("c")
        if c:
            for key in ("ht", "ft"):
                t = c.get(key)
                if t and t == list(range(t[0], t[0] + len(t))):
                    c[key] = [t[0], len(t)]
                    c[key + "c"] = 1
    return {
        "columns": cols,
        "geo": geo,
        "product": prod,
        "levels": level_names,
        "quantiles": qcols,
        "centre": centre,
        "models": aliases,
        "primary": primary,
        "h": h,
        "holdout": holdout,
        "holdout_skipped": skipped,
        "freq": str(freq),
        "season_length": m,
        "history": history,
        "max_charts": max_charts,
        "n_charted": len(charted),
        "axis": [t.strftime("%Y-%m-%d %H:%M") if (t.hour or t.minute) else t.strftime("%Y-%m-%d") for t in axis],
        "series": series,
        "index": {u: i for u, i in index.items()},
    }


# -- HTML ----------------------------------------------------------------------------------------

def _asset(name: str) -> str:
    """The text of a file of ``report_assets`` (the page's CSS and script, inlined)."""
    from importlib import resources

    return resources.files(__package__).joinpath("report_assets", name).read_text(encoding="utf-8")




def _td(v: Any, numeric: bool = False, sort_value: Any = None) -> str:
    attrs = ' class="n"' if numeric else ""
    if sort_value is not None:
        attrs += f' data-v="{html.escape(str(sort_value))}"'
    return f"<td{attrs}>{html.escape(str(v))}</td>"


def _render(result: dict[str, Any]) -> str:
    data = result["data"]
    cols = data["columns"]
    series = data["series"]
    index = data["index"]
    esc = html.escape
    orders = result["orders"].set_index("unique_id")
    alerts = result["alerts"]
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{esc(data['title'])}</title>", f"<style>{_asset('report.css')}</style>", "</head>", "<body>"]
    n_bottom = sum(1 for s in series if s["b"])
    axis = data["axis"]
    synthetic = " · SYNTHETIC data" if data.get("synthetic") else ""
    out.append(
        f"<header><h1>{esc(data['title'])}</h1><p>{n_bottom} series, {len(series) - n_bottom} aggregates · "
        f"frequency {esc(data['freq'])} (season {data['season_length']}) · {data['h']} periods ahead · "
        f"model {esc(data['primary'])}{esc(synthetic)}</p></header>"
    )
    out.append("<main>")
    # Drill-down controls.
    out.append('<section id="drill"><h2>Drill down</h2><div class="controls">')
    for c in cols:
        out.append(f'<label>{esc(c)}<select id="sel-{esc(c)}" data-column="{esc(c)}"></select></label>')
    out.append('<label>series<select id="sel-__series"></select></label><button id="reset" type="button">All</button></div>')
    out.append('<div id="crumbs"></div></section>')
    # Chart and breakdown.
    out.append('<div class="grid"><section><h2 id="chart-title">Forecast</h2><div id="chart"></div>'
               '<p id="summary" class="note"></p></section>')
    out.append('<section><h2>Breakdown</h2><div id="breakdown" class="scroll"></div>'
               '<p class="note">Each aggregate is forecast from its own summed history (not reconciled; see '
               'qs.reconcile for coherent forecasts). Click a row to drill down.</p></section></div>')
    # Series, forecasts and orders.
    econ = data["economics"]
    cr_text = ", ".join(
        f"{k} {v if isinstance(v, str) else (f'{v:g}')}" for k, v in econ.items()
    )
    qcols = data["quantiles"]
    out.append(f'<section><h2>Forecasts and suggested orders <span id="series-count" class="muted"></span></h2>'
               f'<p class="note">Orders from qs.inventory.recommend on the {esc(data["primary"])} forecast '
               f"(newsvendor critical ratio (price − cost)/(price − salvage); {esc(cr_text)}). "
               f"Columns: expected demand over {data['h']} periods (sum of means), first-period quantiles, "
               "order quantity and its expected outcome.</p>")
    out.append('<div class="scroll"><table id="series-table" class="sortable"><thead><tr><th>series</th>')
    for c in cols:
        out.append(f"<th>{esc(c)}</th>")
    out.append(f'<th class="n">expected next {data["h"]}</th>')
    for q in qcols:
        out.append(f'<th class="n">{esc(q.upper())} day 1</th>')
    out.append('<th class="n">order</th><th class="n">critical ratio</th><th class="n">stockout prob</th>'
               '<th class="n">fill rate</th><th class="n">expected waste</th><th class="n">alerts</th></tr></thead><tbody>')
    bottom = sorted((s for s in series if s["b"]), key=lambda s: -(s["e"] or 0.0))
    for s in bottom:
        i = index[s["id"]]
        cells = [_td(s["id"])] + [_td(v if v is not None else "") for v in s["k"]]
        cells.append(_td(_fmt(s["e"] if s["e"] is not None else float("nan")), True, s["e"]))
        for v in s.get("d1", [float("nan")] * len(qcols)):
            cells.append(_td(_fmt(v), True, v))
        if s["id"] in orders.index:
            o = orders.loc[s["id"]]
            for name in ("order_qty", "critical_ratio", "stockout_prob", "fill_rate", "expected_waste"):
                cells.append(_td(_fmt(float(o[name])), True, float(o[name])))
        else:
            cells.extend([_td("–", True)] * 5)
        cells.append(_td(s["a"], True, s["a"]))
        out.append(f'<tr class="click" data-n="{i}">' + "".join(cells) + "</tr>")
    out.append("</tbody></table></div></section>")
    # Alerts.
    hold = data["holdout"]
    out.append(f"<section><h2>Alerts ({len(alerts)})</h2>")
    if hold > 0:
        skipped = data["holdout_skipped"]
        out.append(f'<p class="note">qs.anomalies on a holdout of the last {hold} periods: the models were refitted '
                   f"without them and the actuals compared with the {esc(qcols[0].upper())}–{esc(qcols[-1].upper())} "
                   "forecast (outside the interval, zero-sales runs, level shifts)"
                   + (f"; {skipped} series too short for the holdout were skipped" if skipped else "") + ".</p>")
    else:
        out.append('<p class="note">No holdout (holdout=0): no alerts computed.</p>')
    if len(alerts):
        out.append('<div class="scroll"><table id="alerts-table" class="sortable"><thead><tr><th>severity</th>'
                   '<th>series</th><th>date</th><th class="n">actual</th><th class="n">expected</th><th>kind</th>'
                   "<th>reason</th></tr></thead><tbody>")
        rank = {"high": 0, "medium": 1, "low": 2}
        a = alerts.assign(_r=alerts["severity"].map(rank)).sort_values(["_r", "unique_id", "ds"], kind="stable")
        for r in a.itertuples(index=False):
            i = index[r.unique_id]
            out.append(
                f'<tr class="click" data-n="{i}"><td class="sev-{esc(r.severity)}" data-v="{rank[r.severity]}">'
                f"{esc(r.severity)}</td>{_td(r.unique_id)}{_td(pd.Timestamp(r.ds).strftime('%Y-%m-%d'))}"
                f"{_td(_fmt(r.y), True, r.y)}{_td(_fmt(r.expected), True, r.expected)}{_td(r.kind)}{_td(r.reason)}</tr>"
            )
        out.append("</tbody></table></div>")
    else:
        out.append('<table id="alerts-table"><tbody></tbody></table><p class="muted">No alerts.</p>')
    out.append("</section>")
    # Holdout accuracy.
    scores = result["scores"]
    out.append("<section><h2>Holdout accuracy</h2>")
    if len(scores):
        lo, hi = qcols[0].upper(), qcols[-1].upper()
        out.append(f'<table id="scores-table"><thead><tr><th>model</th><th class="n">WAPE ({esc(data["centre"])})</th>'
                   f'<th class="n">mean pinball</th><th class="n">{esc(lo)}–{esc(hi)} coverage</th></tr></thead><tbody>')
        for r in scores.itertuples(index=False):
            mark = " ★" if r.model == data["primary"] else ""
            out.append(f"<tr>{_td(str(r.model) + mark)}{_td(f'{r.wape:.3f}', True)}{_td(f'{r.pinball:.3f}', True)}"
                       f"{_td('–' if not np.isfinite(r.coverage) else f'{r.coverage:.1%}', True)}</tr>")
        out.append("</tbody></table>")
        out.append(f'<p class="note">Input series only, last {hold} periods. ★ = the model charted and used for '
                   "alerts and orders (lowest mean pinball loss when several are given).</p>")
    else:
        out.append('<p class="muted">No holdout.</p>')
    out.append("</section>")
    if data["n_charted"] < len(series):
        out.append(f'<p class="note">{data["n_charted"]} of {len(series)} series have a chart embedded '
                   f"(max_charts={data['max_charts']}); every series is in the tables.</p>")
    src = f" Data: {data['source']}." if data.get("source") else ""
    out.append(f'<p class="note">Written by quickstock.{esc(src)} This file is self-contained: it loads '
               "nothing from the network.</p>")
    out.append("</main>")
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    out.append(f'<script type="application/json" id="qs-data">{payload}</script>')
    out.append(f"<script>{_asset('report.js')}</script>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def report(
    df: Any,
    path: str,
    h: int = 14,
    quantiles: Sequence[float] | None = None,
    models: Sequence[_models.Model] | None = None,
    freq: Any = None,
    season_length: int | None = None,
    holdout: int | None = None,
    geography: Any = None,
    product: Any = None,
    price: Any = None,
    cost: Any = None,
    salvage: Any = None,
    shelf_life: Any = None,
    lead_time: Any = None,
    review_period: Any = None,
    on_hand: Any = None,
    history: int = 56,
    max_charts: int = 1000,
    n_jobs: int = -1,
    title: str | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    verbose: bool | None = None,
) -> dict[str, Any]:
    """Write one self-contained HTML report of forecasts, drill-down, alerts and orders.

    Fits ``models`` to every input series and to every aggregate of the hierarchy columns
    present (``geography`` × ``product``, via ``qs.aggregate``), forecasts ``h`` periods, refits
    without the last ``holdout`` periods to score the models and raise alerts
    (``qs.anomalies``), and suggests an order per input series (``qs.inventory.recommend``).
    The file has inline CSS, JavaScript and SVG charts and fetches nothing from the network.

    Args:
        df: long frame ``unique_id, ds, y`` with optional hierarchy columns (pandas, polars or
            pyarrow). Other columns are ignored except the economics columns below.
        path: the HTML file to write.
        h: periods to forecast.
        quantiles: levels charted and tabulated; default ``[0.1, 0.5, 0.9]``.
        models: quickstock models; default ``SeasonalNaive(season_length)`` (``Naive`` when the
            frequency has no season). With several, the one with the lowest mean pinball loss
            on the holdout is charted and used for alerts and orders.
        freq: pandas alias; inferred from the longest series when None.
        season_length: default from the frequency (D → 7, h → 24, W → 52, MS → 12).
        holdout: periods held out for alerts and scores; default ``min(h, 28)``; 0 disables.
        geography: hierarchy columns, coarse to fine; default those of ``city, zone,
            pincode, store_id`` present. A comma-separated string or a list.
        product: product hierarchy columns; default those of ``category, sku`` present.
        price, cost, salvage, shelf_life, lead_time, review_period, on_hand: order economics,
            each a number or the name of an input column (its last value per series is used).
            When None, the column of the same name is used if present, else price 1, cost 0.7 ×
            price, salvage 0, shelf life 1, lead time 0, review period 1, nothing on hand.
        history: periods of history drawn before the forecast.
        max_charts: at most this many series carry chart data (aggregates first, then by
            recent demand); every series is in the tables.
        n_jobs: threads (-1: all cores).
        title: page title.
        id_col, time_col, target_col: column names.
        verbose: a tqdm progress bar of the stages on stderr; None (default): only in a
            terminal or a Jupyter notebook; False: silent. The file does not depend on it.

    Returns:
        The report's contents as data (see :func:`build_report`): ``forecast``, ``holdout``,
        ``scores``, ``alerts``, ``orders``, ``keys`` and the embedded ``data``.

    Raises:
        QuickstockError: naming the field (column, argument, series or row) at fault.
    """
    if not isinstance(path, str) or not path:
        invalid("path must be a file name, e.g. report.html", field="path")
    result = build_report(
        df, h=h, quantiles=quantiles, models=models, freq=freq, season_length=season_length,
        holdout=holdout, geography=geography, product=product, price=price, cost=cost,
        salvage=salvage, shelf_life=shelf_life, lead_time=lead_time, review_period=review_period,
        on_hand=on_hand, history=history, max_charts=max_charts, n_jobs=n_jobs, title=title,
        id_col=id_col, time_col=time_col, target_col=target_col, verbose=verbose,
    )
    text = _render(result)
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        invalid(f"cannot write {path!r}: {exc}", field="path")
    return result
