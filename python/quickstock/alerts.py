"""Anomaly alerts: actuals against their forecasts (``qs.anomalies``, ``qs.webhook_payload``).

The detectors run in C++ (``quickstock::detect_anomalies``): actuals outside the forecast
interval, runs of zero sales the forecast did not expect (a possible stockout or data fault),
and level shifts (a long run of actuals on one side of the forecast median). See
``docs/anomalies.md``.
"""

from __future__ import annotations

import json
import numbers
from typing import Any

import numpy as np
import pandas as pd

from . import _core
from ._errors import invalid
from ._frame import quantile_columns, to_pandas

__all__ = ["anomalies", "webhook_payload", "ALERT_COLUMNS", "WEBHOOK_SCHEMA"]

#: Columns of the ``anomalies`` frame, in order.
ALERT_COLUMNS = [
    "unique_id", "ds", "y", "expected", "severity", "reason", "kind", "score", "run_length", "model",
]
#: The ``schema`` field of ``webhook_payload``.
WEBHOOK_SCHEMA = "quickstock.alerts/v1"

_KINDS = ["above_interval", "below_interval", "zero_run", "level_shift_up", "level_shift_down"]


def _severity(kind: str, score: float) -> str:
    if kind in ("above_interval", "below_interval"):
        return "high" if score >= 1.5 else ("medium" if score >= 0.5 else "low")
    return "high" if score >= 2.0 else "medium"


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def anomalies(
    actuals: Any,
    fcst: pd.DataFrame,
    model: str | None = None,
    min_zero_run: int = 3,
    shift_run: int = 7,
    n_jobs: int = 1,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
) -> pd.DataFrame:
    """Alerts where actuals disagree with their forecast.

    Compares each actual with the forecast of the same ``(unique_id, ds)`` (actual rows with no
    forecast row are not compared; if none match, it is an error). Three detectors:

    * ``above_interval`` / ``below_interval``: the actual is above the highest (below the
      lowest) forecast quantile; ``score`` is the distance beyond it in units of the interval's
      half-width on that side (severity high ≥ 1.5, medium ≥ 0.5, else low);
    * ``zero_run``: ``min_zero_run`` or more zero actuals in a row on days whose lowest
      forecast quantile was positive — a possible stockout or data fault (reported once, on the
      run's last day; severity high from twice the threshold);
    * ``level_shift_up`` / ``level_shift_down``: ``shift_run`` or more actuals in a row
      strictly above (below) the forecast median — about a 0.8% chance for 7 days if the
      forecast is calibrated (severity high from twice the threshold).

    Args:
        actuals: long frame ``unique_id, ds, y`` (pandas, polars or pyarrow).
        fcst: ``predict`` or ``cross_validation`` output with at least two quantile columns.
        model: which model to compare with when ``fcst`` holds several.
        min_zero_run, shift_run: run lengths of the run detectors.
        n_jobs: threads.

    Returns:
        ``unique_id, ds, y, expected, severity, reason, kind, score, run_length, model`` sorted by
        series and time; ``expected`` is the forecast mean.

    Raises:
        QuickstockError: naming the column or argument at fault.
    """
    act = to_pandas(actuals, "actuals")
    for col in (id_col, time_col, target_col):
        if col not in act.columns:
            invalid(f"actuals is missing column {col!r}", field=col)
    if not isinstance(fcst, pd.DataFrame):
        invalid("fcst must be a pandas DataFrame from Forecaster.predict", field="fcst")
    for col in (id_col, time_col, "mean"):
        if col not in fcst.columns:
            invalid(f"fcst is missing column {col!r}", field=col)
    for name, value, low in (("min_zero_run", min_zero_run, 1), ("shift_run", shift_run, 2)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            invalid(f"{name} must be an integer >= {low} (got {value!r})", field=name)
    f = fcst
    model_name = None
    if "model" in f.columns:
        models = list(pd.unique(f["model"]))
        if model is not None:
            if model not in models:
                invalid(f"model {model!r} is not in the forecast (it has {models})", field="model")
            f = f[f["model"] == model]
        elif len(models) > 1:
            invalid(f"the forecast holds several models {models}: choose one with model=", field="model")
        model_name = model if model is not None else (models[0] if models else None)
    levels = list(quantile_columns(f).items())
    if len(levels) < 2:
        invalid("the forecast needs at least two quantile columns (e.g. p5 and p95)", field="quantiles")
    lo_level, lo_col = levels[0]
    hi_level, hi_col = levels[-1]
    med_col = "p50" if "p50" in f.columns else "mean"
    keep = [id_col, time_col, "mean", lo_col, med_col, hi_col]
    f = f[list(dict.fromkeys(keep))]
    if f.duplicated([id_col, time_col]).any():
        invalid("fcst repeats a (unique_id, ds): pass one model and one cutoff", field=time_col)
    a = act[[id_col, time_col, target_col]].copy()
    y = pd.to_numeric(a[target_col], errors="coerce")
    bad = y.isna() | ~np.isfinite(y.to_numpy(dtype=float, na_value=np.nan))
    if bad.any():
        r = int(np.flatnonzero(bad.to_numpy())[0])
        invalid(f"actual must be a finite number (got {a[target_col].iloc[r]!r})",
                series=a[id_col].iloc[r], row=r, field=target_col)
    a[target_col] = y.astype(float)
    try:
        m = a.merge(f, on=[id_col, time_col], how="inner", validate="many_to_one")
    except (ValueError, TypeError) as exc:
        invalid(f"cannot match actuals to the forecast on ({id_col}, {time_col}): {exc}", field=time_col)
    if m.empty:
        invalid("no actual row matches a forecast row on (unique_id, ds)", field=time_col)
    if m.duplicated([id_col, time_col]).any():
        invalid("actuals repeat a (unique_id, ds)", field=time_col)
    m = m.sort_values([id_col, time_col], kind="stable").reset_index(drop=True)
    codes, uniques = pd.factorize(m[id_col], sort=False)
    offsets = np.zeros(len(uniques) + 1, dtype=np.int64)
    np.cumsum(np.bincount(codes, minlength=len(uniques)), out=offsets[1:])
    from .forecaster import _resolve_jobs

    series, index, kind, score, run = _core.detect_anomalies(
        offsets,
        np.ascontiguousarray(m[target_col].to_numpy(dtype=float)),
        np.ascontiguousarray(m[lo_col].to_numpy(dtype=float)),
        np.ascontiguousarray(m[med_col].to_numpy(dtype=float)),
        np.ascontiguousarray(m[hi_col].to_numpy(dtype=float)),
        int(min_zero_run),
        int(shift_run),
        _resolve_jobs(n_jobs),
    )
    rows = offsets[series] + index
    out = m.iloc[rows].reset_index(drop=True)
    kinds = [_KINDS[k] for k in kind]
    reasons = []
    for i, k in enumerate(kinds):
        r = out.iloc[i]
        yv, lo, hi, med = r[target_col], r[lo_col], r[hi_col], r[med_col]
        n = int(run[i])
        if k == "above_interval":
            reasons.append(f"{_fmt(yv)} sold, above the P{hi_level * 100:g} forecast of {_fmt(hi)} "
                           f"(expected {_fmt(r['mean'])})")
        elif k == "below_interval":
            reasons.append(f"{_fmt(yv)} sold, below the P{lo_level * 100:g} forecast of {_fmt(lo)} "
                           f"(expected {_fmt(r['mean'])})")
        elif k == "zero_run":
            reasons.append(f"{n} periods in a row with zero sales where the P{lo_level * 100:g} "
                           f"forecast was above zero: possible stockout or data fault")
        else:
            side = "above" if k == "level_shift_up" else "below"
            reasons.append(f"{n} periods in a row {side} the forecast median: the demand level "
                           f"has shifted {'up' if side == 'above' else 'down'}")
    result = pd.DataFrame({
        "unique_id": out[id_col].to_numpy(),
        "ds": out[time_col].to_numpy(),
        "y": out[target_col].to_numpy(dtype=float),
        "expected": out["mean"].to_numpy(dtype=float),
        "severity": [_severity(k, float(s)) for k, s in zip(kinds, score)],
        "reason": reasons,
        "kind": kinds,
        "score": np.asarray(score, dtype=float),
        "run_length": np.asarray(run, dtype=np.int64),
        "model": model_name,
    })
    if id_col != "unique_id" or time_col != "ds":
        result = result.rename(columns={"unique_id": id_col, "ds": time_col})
    return result


def _json_scalar(v: Any) -> Any:
    if isinstance(v, (pd.Timestamp, np.datetime64)):
        return pd.Timestamp(v).isoformat()
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


def webhook_payload(alerts: pd.DataFrame, source: str = "quickstock") -> str:
    """The JSON body to POST to a webhook for ``alerts`` (from ``anomalies``).

    Schema ``quickstock.alerts/v1``::

        {"schema": "quickstock.alerts/v1", "source": "<source>", "count": N,
         "counts": {"high": n, "medium": n, "low": n},
         "alerts": [{"unique_id": ..., "ds": "ISO-8601", "y": float, "expected": float,
                     "severity": "high|medium|low", "kind": "...", "reason": "...",
                     "score": float, "run_length": int, "model": str|null}, ...]}

    Alerts are ordered high severity first, then by series and time. Deterministic: the same
    alerts give the same bytes.

    Raises:
        QuickstockError: if ``alerts`` lacks a column of the schema.
    """
    if not isinstance(alerts, pd.DataFrame):
        invalid("alerts must be the DataFrame returned by qs.anomalies", field="alerts")
    missing = [c for c in ALERT_COLUMNS if c not in alerts.columns]
    if missing:
        invalid(f"alerts is missing columns {missing}", field="alerts")
    rank = {"high": 0, "medium": 1, "low": 2}
    order = sorted(
        range(len(alerts)),
        key=lambda i: (rank.get(alerts["severity"].iloc[i], 3), str(alerts["unique_id"].iloc[i]),
                       str(alerts["ds"].iloc[i])),
    )
    items = []
    for i in order:
        row = alerts.iloc[i]
        items.append({c: _json_scalar(row[c]) for c in
                      ["unique_id", "ds", "y", "expected", "severity", "kind", "reason", "score",
                       "run_length", "model"]})
    counts = {s: int((alerts["severity"] == s).sum()) for s in ("high", "medium", "low")}
    body = {"schema": WEBHOOK_SCHEMA, "source": source, "count": len(items), "counts": counts,
            "alerts": items}
    return json.dumps(body, allow_nan=False, ensure_ascii=False, sort_keys=False)
