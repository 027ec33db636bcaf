"""The four agent actions — ``forecast``, ``what_if``, ``explain``, ``recommend_orders`` — shared
by the Bedrock Agents handler (``quickstock.bedrock``) and the MCP server (``quickstock.mcp``).

Each action is a thin shell over a library function: ``Forecaster.predict``, ``qs.what_if``,
``qs.explain`` (with ``qs.explain_text``) and ``qs.inventory.recommend``. An action whose
library function is not in the installed quickstock answers :class:`ActionError` of kind
``"unavailable"`` saying so; it is looked up at call time, so it works as soon as the function
exists.

Where the model comes from: ``$QUICKSTOCK_MODEL_DIR`` — a model directory written by
``quickstock sagemaker train`` (``quickstock.qs`` + ``quickstock-serving.json``, e.g. the
extracted ``model.tar.gz``) or a ``.qs`` file saved with ``Forecaster.save``. When it is unset,
the bundled SYNTHETIC Hyderabad sample is fitted with ``SeasonalNaive(7)`` on first use, and every
answer says so in ``model_source``. The loaded model is cached across invocations (per path and
modification time). ``$QUICKSTOCK_FUTURE_PATH`` may name a CSV/Parquet file of future covariates
(``unique_id, ds`` and the covariate columns) for ``what_if`` and ``explain``; without it each
covariate keeps its last observed value over the horizon.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pandas as pd

from ._core import QuickstockError

__all__ = [
    "Param",
    "Action",
    "ACTIONS",
    "ActionError",
    "run",
    "available",
    "load_model",
    "openapi_schema",
    "function_definitions",
]


@dataclass(frozen=True)
class Param:
    """One action parameter: its name, JSON type (``string``, ``number``, ``integer``,
    ``array``), whether it is required, and what it means."""

    name: str
    type: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class Action:
    """One action: name, description, parameters, and the library function it calls."""

    name: str
    description: str
    params: tuple[Param, ...]
    library: str
    extra: tuple[Param, ...] = field(default=())

    def all_params(self) -> tuple[Param, ...]:
        """Every parameter, the shared ones first."""
        return self.params + self.extra


_COMMON = (
    Param("unique_id", "string", "Series id, e.g. 'HYD-500032/curd-400g'; several ids separated by commas.",
          required=True),
    Param("horizon", "integer", "Periods ahead to forecast, >= 1 (default: the trained horizon, else 7)."),
    Param("quantiles", "array", "Quantile levels in (0, 1), e.g. [0.1, 0.5, 0.9] or '0.1,0.5,0.9' "
          "(default: the trained quantiles, else 0.1, 0.5, 0.9)."),
)

ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action(
            "forecast",
            "Probabilistic demand forecast of one or more series: mean and quantiles (P10/P50/P90 by "
            "default) for each of the next `horizon` periods.",
            _COMMON,
            "Forecaster.predict",
        ),
        Action(
            "what_if",
            "Scenario forecast: change a covariate (e.g. price or rain) over a window and report the "
            "forecast under the change, the baseline and the difference.",
            _COMMON,
            "what_if",
            (
                Param("column", "string", "Covariate column to change, e.g. 'price' or 'rain_mm'.", required=True),
                Param("op", "string", "How to change it: 'multiply', 'add' or 'replace'.", required=True),
                Param("value", "number", "The factor, amount or new value.", required=True),
                Param("start", "string", "First date the change applies (YYYY-MM-DD; default: the start of "
                      "the horizon)."),
                Param("end", "string", "Last date the change applies (YYYY-MM-DD; default: the end of the "
                      "horizon)."),
            ),
        ),
        Action(
            "explain",
            "Explain a forecast: how much each component (level, trend, season, each covariate) "
            "contributes to the forecast mean, per period (table) and in total, with a short "
            "plain-language summary comparing the forecast with the last `horizon` periods.",
            _COMMON,
            "explain",
        ),
        Action(
            "recommend_orders",
            "Order quantity per series from the forecast distribution (newsvendor with shelf life and "
            "lead time): order_qty, expected_sales, expected_waste, stockout_prob, fill_rate.",
            _COMMON,
            "inventory.recommend",
            (
                Param("price", "number", "Selling price per unit.", required=True),
                Param("cost", "number", "Purchase cost per unit.", required=True),
                Param("salvage", "number", "Value of an unsold unit at expiry (default 0)."),
                Param("shelf_life", "integer", "Periods a unit can be sold (default 1)."),
                Param("lead_time", "integer", "Periods from order to delivery (default 0)."),
                Param("review_period", "integer", "Periods between orders (default 1)."),
                Param("on_hand", "number", "Units in stock now (default 0)."),
            ),
        ),
    )
}

#: Quantile grid given to ``inventory.recommend`` when the caller names none.
ORDER_QUANTILES = [round(0.05 * k, 2) for k in range(1, 20)]
MAX_SERIES = 50


class ActionError(Exception):
    """Why an action did not run.

    ``kind`` is ``"invalid"`` (a bad or missing parameter, named by ``param``), ``"unavailable"``
    (the library function is not in this quickstock), ``"unknown"`` (no such action) or
    ``"failure"`` (the model could not be loaded or the engine failed).
    """

    def __init__(self, kind: str, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.kind, self.message, self.param = kind, message, param

    def to_dict(self) -> dict[str, Any]:
        """The error as a JSON object."""
        out: dict[str, Any] = {"error": self.kind, "message": self.message}
        if self.param:
            out["parameter"] = self.param
        return out


# -- availability ---------------------------------------------------------------------------
def _library(action: Action) -> Callable[..., Any] | None:
    import quickstock as qs

    if action.library == "Forecaster.predict":
        return qs.Forecaster.predict
    obj: Any = qs
    parts = action.library.split(".")
    for i, part in enumerate(parts):
        nxt = getattr(obj, part, None)
        if nxt is None and i < len(parts) - 1:  # a submodule not imported by __init__
            name = "quickstock." + ".".join(parts[: i + 1])
            if importlib.util.find_spec(name) is not None:
                nxt = importlib.import_module(name)
        if nxt is None:
            return None
        obj = nxt
    return obj if callable(obj) else None


def available(name: str) -> bool:
    """Whether the action ``name`` can run with the installed quickstock."""
    return name in ACTIONS and _library(ACTIONS[name]) is not None


# -- the model ------------------------------------------------------------------------------
_MODEL_LOCK = threading.Lock()
_MODEL: dict[str, Any] = {}


def load_model() -> tuple[Any, dict[str, Any], str]:
    """The forecaster, its serving defaults and a description of where it came from.

    Raises:
        ActionError: kind ``failure`` when ``$QUICKSTOCK_MODEL_DIR`` names no loadable model.
    """
    from .serving import load_model_dir

    path = os.environ.get("QUICKSTOCK_MODEL_DIR", "").strip()
    if path:
        try:
            mtime = max(
                [os.path.getmtime(path)]
                + ([os.path.getmtime(os.path.join(path, f)) for f in os.listdir(path)] if os.path.isdir(path) else [])
            )
        except OSError:
            raise ActionError("failure", f"QUICKSTOCK_MODEL_DIR={path!r} does not exist") from None
        key = f"{path}@{mtime}"
    else:
        key = "bundled"
    with _MODEL_LOCK:
        if _MODEL.get("key") == key:
            return _MODEL["fc"], _MODEL["config"], _MODEL["source"]
        if path:
            try:
                fc, config = load_model_dir(path)
            except QuickstockError as exc:
                raise ActionError("failure", f"cannot load the model in QUICKSTOCK_MODEL_DIR: {exc}") from None
            source = f"model in {path}"
        else:
            from .datasets import load_hyderabad
            from .forecaster import Forecaster
            from .models import SeasonalNaive

            fc = Forecaster([SeasonalNaive(season_length=7)], freq="D", n_jobs=-1).fit(load_hyderabad())
            config = {"horizon": 7, "quantiles": [0.1, 0.5, 0.9], "freq": "D", "season_length": 7}
            source = ("bundled SYNTHETIC Hyderabad sample with SeasonalNaive(7) "
                      "(QUICKSTOCK_MODEL_DIR is not set)")
        _MODEL.update(key=key, fc=fc, config=config, source=source)
        return fc, config, source


# -- argument coercion (values may arrive as strings) ---------------------------------------
def _number(p: Param, v: Any) -> float:
    if isinstance(v, bool):
        raise ActionError("invalid", f"{p.name} must be a number (got {v!r})", p.name)
    try:
        x = float(v.strip()) if isinstance(v, str) else float(v)
    except (TypeError, ValueError):
        raise ActionError("invalid", f"{p.name} must be a number (got {v!r})", p.name) from None
    if not math.isfinite(x):
        raise ActionError("invalid", f"{p.name} must be a finite number (got {v!r})", p.name)
    return x


def _integer(p: Param, v: Any) -> int:
    x = _number(p, v)
    if x != int(x):
        raise ActionError("invalid", f"{p.name} must be a whole number (got {v!r})", p.name)
    return int(x)


def _array(p: Param, v: Any) -> list[float]:
    if isinstance(v, str):
        text = v.strip()
        if text.startswith("["):
            try:
                v = json.loads(text)
            except ValueError:
                raise ActionError("invalid", f"{p.name} must be a list of numbers (got {v!r})", p.name) from None
        else:
            v = [s for s in text.split(",") if s.strip()]
    if not isinstance(v, (list, tuple)):
        raise ActionError("invalid", f"{p.name} must be a list of numbers (got {v!r})", p.name)
    return [_number(p, x) for x in v]


def coerce(action: Action, args: dict[str, Any]) -> dict[str, Any]:
    """Typed arguments for ``action`` from ``args`` (values may be strings, as Bedrock sends).

    Raises:
        ActionError: kind ``invalid`` naming an unknown, missing or malformed parameter.
    """
    params = {p.name: p for p in action.all_params()}
    out: dict[str, Any] = {}
    for name, v in args.items():
        p = params.get(name)
        if p is None:
            raise ActionError("invalid", f"{action.name} has no parameter {name!r}; it takes "
                              f"{', '.join(params)}", name)
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if p.type == "number":
            out[name] = _number(p, v)
        elif p.type == "integer":
            out[name] = _integer(p, v)
        elif p.type == "array":
            out[name] = _array(p, v)
        else:
            out[name] = str(v).strip()
    for p in action.all_params():
        if p.required and p.name not in out:
            raise ActionError("invalid", f"{action.name} needs the parameter {p.name!r}: {p.description}", p.name)
    return out


# -- running ----------------------------------------------------------------------------------
def _ids(fc: Any, text: str) -> list[Any]:
    wanted = [s.strip() for s in text.split(",") if s.strip()]
    if not wanted:
        raise ActionError("invalid", "unique_id names no series", "unique_id")
    if len(wanted) > MAX_SERIES:
        raise ActionError("invalid", f"at most {MAX_SERIES} series per call (got {len(wanted)})", "unique_id")
    known = {str(i): i for i in fc.prepared_.ids}
    missing = [w for w in wanted if w not in known]
    if missing:
        close = sorted(k for k in known if missing[0].lower() in k.lower())[:5]
        hint = f"; similar ids: {', '.join(close)}" if close else f"; e.g. {', '.join(list(known)[:3])}"
        raise ActionError("invalid", f"unknown unique_id {missing[0]!r}{hint}", "unique_id")
    return [known[w] for w in wanted]


def _horizon(args: dict[str, Any], config: dict[str, Any]) -> int:
    h = args.get("horizon", config.get("horizon", 7))
    if h < 1 or h > 366 * 24:
        raise ActionError("invalid", f"horizon must be between 1 and {366 * 24} (got {h})", "horizon")
    return int(h)


def _quantiles(args: dict[str, Any], config: dict[str, Any], default: list[float] | None = None) -> list[float]:
    q = args.get("quantiles", default or config.get("quantiles", [0.1, 0.5, 0.9]))
    if not q or any(not 0.0 < x < 1.0 for x in q):
        raise ActionError("invalid", f"quantiles must be levels strictly between 0 and 1 (got {q})", "quantiles")
    return sorted(set(float(x) for x in q))


def _round(x: Any) -> Any:
    if isinstance(x, (float, np.floating)):
        return None if not math.isfinite(float(x)) else round(float(x), 3)
    if isinstance(x, np.integer):
        return int(x)
    return x


def _by_series(frame: pd.DataFrame, id_col: str, time_col: str, value_cols: list[str]) -> list[dict[str, Any]]:
    """Compact per-(series, model) records: ``{"unique_id", "model", "ds": [...], col: [...]}``."""
    out = []
    keys = [id_col, "model"] if "model" in frame.columns else [id_col]
    for key, g in frame.groupby(keys, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        rec: dict[str, Any] = {"unique_id": str(key[0])}
        if len(key) > 1:
            rec["model"] = key[1]
        ds = g[time_col]
        if pd.api.types.is_datetime64_any_dtype(ds.dtype):
            rec["ds"] = ds.astype(str).tolist()  # dates alone when every time is midnight
        else:
            rec["ds"] = [_round(t) for t in ds]
        for c in value_cols:
            rec[c] = [_round(v) for v in g[c]]
        out.append(rec)
    return out


def _future_frame(fc: Any, h: int) -> pd.DataFrame | None:
    """Future covariates for ``h`` periods: ``$QUICKSTOCK_FUTURE_PATH``, else the last observed
    values carried forward; ``None`` when the model has no covariates."""
    from .io import read_table

    p = fc.prepared_
    if not p.covariates:
        return None
    path = os.environ.get("QUICKSTOCK_FUTURE_PATH", "").strip()
    if path:
        try:
            return read_table(path)
        except QuickstockError as exc:
            raise ActionError("failure", f"cannot read QUICKSTOCK_FUTURE_PATH: {exc}") from None
    panel = p.panel
    n = len(p.ids)
    first = panel.ends + 1
    ordinals = (first[:, None] + np.arange(h)[None, :]).reshape(-1)
    ds = p.codec.decode(panel.frequency.timestamps(ordinals))
    k = len(p.covariates)
    last = panel.covariates.reshape(-1, k)[panel.offsets[1:] - 1]  # n × k
    frame = pd.DataFrame({p.id_col: np.repeat(p.ids, h), p.time_col: ds})
    for j, c in enumerate(p.covariates):
        frame[c] = np.repeat(last[:, j], h)
    return frame


def _select(frame: pd.DataFrame, id_col: str, ids: list[Any]) -> pd.DataFrame:
    rank = {str(i): k for k, i in enumerate(ids)}  # in the order asked for
    key = frame[id_col].astype(str).map(rank)
    out = frame[key.notna().to_numpy()]
    return out.iloc[np.argsort(key.dropna().to_numpy(), kind="stable")]


def _run_forecast(fc: Any, a: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    ids = _ids(fc, a["unique_id"])
    h, q = _horizon(a, config), _quantiles(a, config)
    X_df = _future_frame(fc, h) if any(getattr(f, "uses_covariates", False) for f in fc.fitted_) else None
    fcst = _select(fc.predict(h=h, quantiles=q, X_df=X_df), fc.id_col, ids)
    from ._frame import quantile_column

    cols = ["mean"] + [quantile_column(x) for x in q]
    return {"horizon": h, "quantiles": q, "forecasts": _by_series(fcst, fc.id_col, fc.time_col, cols)}


def _run_what_if(fc: Any, a: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    import quickstock as qs

    ids = _ids(fc, a["unique_id"])
    h, q = _horizon(a, config), _quantiles(a, config)
    op = a["op"].lower()
    if op not in ("multiply", "add", "replace"):
        raise ActionError("invalid", f"op must be 'multiply', 'add' or 'replace' (got {a['op']!r})", "op")
    if a["column"] not in fc.prepared_.covariates:
        raise ActionError("invalid", f"column {a['column']!r} is not a covariate of the model; its covariates: "
                          f"{', '.join(fc.prepared_.covariates) or 'none'}", "column")
    X_df = _future_frame(fc, h)
    change = {"column": a["column"], "op": op, "value": a["value"], "start": a.get("start"), "end": a.get("end")}
    change_cls = getattr(qs, "Change", None)
    changes = [change_cls(**change) if change_cls is not None else change]
    out = _select(qs.what_if(fc, X_df, changes=changes, quantiles=q), fc.id_col, ids)
    from ._frame import quantile_column

    stats = ["mean"] + [quantile_column(x) for x in q]
    cols = [c for s in stats for c in (s, f"{s}_baseline", f"{s}_delta") if c in out.columns]
    return {"horizon": h, "quantiles": q, "change": change, "scenarios": _by_series(out, fc.id_col, fc.time_col, cols)}


def _run_explain(fc: Any, a: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    import quickstock as qs

    ids = _ids(fc, a["unique_id"])
    h = _horizon(a, config)
    X_df = _future_frame(fc, h) if any(getattr(f, "uses_covariates", False) for f in fc.fitted_) else None
    exp = qs.explain(fc, X_df=X_df, h=None if X_df is not None else h)
    exp = _select(exp, fc.id_col, ids)
    # the first h periods of each series
    exp = exp[(exp.groupby(fc.id_col)[fc.time_col].rank(method="dense") <= h).to_numpy()]
    out = []
    text_fn = getattr(qs, "explain_text", None)
    for uid, g in exp.groupby(fc.id_col, sort=False):
        totals = g.groupby(["model", "component"], sort=False)["contribution"].sum()
        rec: dict[str, Any] = {
            "unique_id": str(uid),
            "contributions": [
                {"model": m, "component": c, "total": _round(v)} for (m, c), v in totals.items()
            ],
        }
        # The table: per model, the periods and each component's contribution per period.
        table = []
        for model, gm in g.groupby("model", sort=False):
            # rows are sorted by period, then component, with the same components each period
            comps = list(pd.unique(gm["component"]))
            ds = pd.Series(pd.unique(gm[fc.time_col]))
            wide = gm["contribution"].to_numpy().reshape(len(ds), len(comps))
            entry: dict[str, Any] = {
                "model": model,
                "ds": ds.astype(str).tolist() if pd.api.types.is_datetime64_any_dtype(ds.dtype)
                else [_round(t) for t in ds],
                "mean": [_round(v) for v in wide.sum(axis=1)],
                "components": {str(c): [_round(v) for v in wide[:, k]] for k, c in enumerate(comps)},
            }
            table.append(entry)
        rec["table"] = table
        if "recent_mean" in g.columns:
            rec["recent_mean"] = _round(float(g["recent_mean"].iloc[0]))
        if text_fn is not None:
            rec["summary"] = str(text_fn(g, uid))
        out.append(rec)
    return {"horizon": h, "explanations": out}


def _run_recommend(fc: Any, a: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    ids = _ids(fc, a["unique_id"])
    h, q = _horizon(a, config), _quantiles(a, config, default=ORDER_QUANTILES)
    recommend = _library(ACTIONS["recommend_orders"])
    X_df = _future_frame(fc, h) if any(getattr(f, "uses_covariates", False) for f in fc.fitted_) else None
    fcst = _select(fc.predict(h=h, quantiles=q, X_df=X_df), fc.id_col, ids)
    kwargs = {k: a[k] for k in ("price", "cost", "salvage", "shelf_life", "lead_time", "review_period", "on_hand")
              if k in a}
    assert recommend is not None
    orders = recommend(fcst, **kwargs)
    cols = list(orders.columns)
    return {"horizon": h, "orders": [{c: _round(v) for c, v in zip(cols, row)} for row in orders.itertuples(index=False)]}


_RUNNERS = {
    "forecast": _run_forecast,
    "what_if": _run_what_if,
    "explain": _run_explain,
    "recommend_orders": _run_recommend,
}


def run(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Run action ``name`` with ``args`` (typed or string values) and return a JSON-ready dict.

    Raises:
        ActionError: ``unknown`` action, ``invalid`` parameter (named), ``unavailable`` library
            function, or ``failure`` of the model or engine.
    """
    import quickstock as qs

    action = ACTIONS.get(name)
    if action is None:
        raise ActionError("unknown", f"no action {name!r}; actions: {', '.join(ACTIONS)}")
    if _library(action) is None:
        raise ActionError(
            "unavailable",
            f"the action {name!r} is not available in this version of quickstock ({qs.__version__}): "
            f"it needs qs.{action.library}, which this installation does not have",
        )
    typed = coerce(action, args)
    fc, config, source = load_model()
    try:
        result = _RUNNERS[name](fc, typed, config)
    except ActionError:
        raise
    except QuickstockError as exc:
        field = getattr(exc, "field", "") or None
        mapped = {"h": "horizon"}.get(field or "", field)
        params = {p.name for p in action.all_params()}
        if mapped in params:
            raise ActionError("invalid", str(exc), mapped) from None
        raise ActionError("failure", f"{name} failed: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - an engine failure is reported, never raised
        raise ActionError("failure", f"{name} failed: {type(exc).__name__}: {exc}") from None
    return {"action": name, "model_source": source, **result}


def fit_to_size(result: dict[str, Any], limit: int) -> str:
    """``result`` as JSON of at most ``limit`` bytes: list entries are dropped from the end
    (and long lists cut) until it fits, and ``truncated`` says what was left out."""
    text = json.dumps(result, separators=(",", ":"))
    if len(text.encode()) <= limit:
        return text
    key = next((k for k in ("forecasts", "scenarios", "explanations", "orders") if k in result), None)
    if key is None:
        return json.dumps({"error": "failure", "message": f"the answer exceeds {limit} bytes"})
    items = list(result[key])
    total = len(items)
    while items:
        items.pop()
        trial = {**result, key: items, "truncated": {"shown": len(items), "total": total,
                                                      "note": "ask for fewer series or a shorter horizon"}}
        text = json.dumps(trial, separators=(",", ":"))
        if len(text.encode()) <= limit:
            return text
    return json.dumps({**{k: v for k, v in result.items() if k != key}, key: [],
                       "truncated": {"shown": 0, "total": total,
                                     "note": "one series does not fit: ask for a shorter horizon or fewer quantiles"}},
                      separators=(",", ":"))


# -- schemas --------------------------------------------------------------------------------
def _json_schema(p: Param) -> dict[str, Any]:
    if p.type == "array":
        return {"type": "array", "items": {"type": "number"}, "description": p.description}
    return {"type": p.type, "description": p.description}


def openapi_schema() -> dict[str, Any]:
    """The OpenAPI 3.0 schema of the actions, as a Bedrock Agents action group takes it
    (POST ``/<action>`` with a JSON request body; no ``enum``, which Bedrock does not support)."""
    import quickstock as qs

    paths = {}
    for a in ACTIONS.values():
        params = a.all_params()
        paths[f"/{a.name}"] = {
            "post": {
                "operationId": a.name,
                "summary": a.name.replace("_", " "),
                "description": a.description,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {p.name: _json_schema(p) for p in params},
                                "required": [p.name for p in params if p.required],
                            }
                        }
                    },
                },
                "responses": {
                    "200": {"description": "The result as JSON.",
                            "content": {"application/json": {"schema": {"type": "object"}}}},
                    "400": {"description": "A bad or missing parameter, named in the body.",
                            "content": {"application/json": {"schema": {"type": "object"}}}},
                },
            }
        }
    return {
        "openapi": "3.0.0",
        "info": {"title": "quickstock demand forecasting actions", "version": qs.__version__,
                 "description": "Forecasts, what-if scenarios, explanations and order recommendations "
                 "for SKU x store demand series."},
        "paths": paths,
    }


def function_definitions() -> list[dict[str, Any]]:
    """The actions as Bedrock Agents function details (``functionSchema.functions``)."""
    return [
        {
            "name": a.name,
            "description": a.description,
            "parameters": {
                p.name: {"description": p.description, "required": p.required, "type": p.type}
                for p in a.all_params()
            },
            "requireConfirmation": "DISABLED",
        }
        for a in ACTIONS.values()
    ]


def input_schema(action: Action) -> dict[str, Any]:
    """JSON Schema of an action's arguments (MCP ``inputSchema``)."""
    params = action.all_params()
    return {
        "type": "object",
        "properties": {p.name: _json_schema(p) for p in params},
        "required": [p.name for p in params if p.required],
        "additionalProperties": False,
    }
