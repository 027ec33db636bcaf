"""``qs.evaluate``: many metrics of many models in one tidy frame."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Sequence, Union

import numpy as np
import pandas as pd

from . import metrics as _metrics
from ._errors import invalid
from ._frame import to_pandas

__all__ = ["evaluate", "METRICS"]

#: Metric names accepted by ``evaluate`` and the functions behind them.
METRICS: dict[str, Callable[..., pd.DataFrame]] = {
    "mae": _metrics.mae,
    "rmse": _metrics.rmse,
    "mase": _metrics.mase,
    "rmsse": _metrics.rmsse,
    "smape": _metrics.smape,
    "wape": _metrics.wape,
    "pinball": _metrics.pinball,
    "scaled_pinball": _metrics.scaled_pinball,
    "crps": _metrics.crps,
    "coverage": _metrics.coverage,
    "msis": _metrics.msis,
    "wrmsse": _metrics.wrmsse,
    "wspl": _metrics.wspl,
}

MetricSpec = Union[str, Callable[..., pd.DataFrame]]


def _merge_actuals(
    frame: pd.DataFrame, actuals: Any, id_col: str, time_col: str, target_col: str
) -> pd.DataFrame:
    """``frame`` with the ``target_col`` of ``actuals`` matched on ``(id_col, time_col)``."""
    act = to_pandas(actuals, "actuals")
    if target_col in frame.columns:
        invalid(
            f"the forecasts already have an actuals column {target_col!r}: pass actuals=None "
            "to use it, or drop it",
            field=target_col,
        )
    for col in (id_col, time_col):
        if col not in frame.columns:
            invalid(f"the forecasts are missing column {col!r}", field=col)
    for col in (id_col, time_col, target_col):
        if col not in act.columns:
            invalid(f"actuals is missing column {col!r}", field=col)
    act = act[[id_col, time_col, target_col]]
    dup = act.duplicated([id_col, time_col]).to_numpy()
    if dup.any():
        r = int(np.flatnonzero(dup)[0])
        invalid(
            "actuals repeats this (unique_id, ds)",
            series=act[id_col].iloc[r],
            row=r,
            field=time_col,
        )
    found = "__quickstock_found__"
    act = act.assign(**{found: True})
    try:
        merged = frame.merge(act, on=[id_col, time_col], how="left", sort=False)
    except (TypeError, ValueError) as exc:  # e.g. timestamps merged with strings
        invalid(
            f"cannot match forecasts with actuals on ({id_col}, {time_col}): {exc}",
            field=time_col,
        )
    missing = merged[found].isna().to_numpy()
    if missing.any():
        r = int(np.flatnonzero(missing)[0])
        invalid(
            f"actuals has no value for this forecast's {time_col} ({merged[time_col].iloc[r]})",
            series=merged[id_col].iloc[r],
            row=r,
            field=target_col,
        )
    return merged.drop(columns=[found])


def _call(fn: Callable[..., Any], df: pd.DataFrame, options: dict[str, Any]) -> Any:
    """Calls a metric with the options its signature accepts.

    Options left at None are not passed (the metric's own default applies), nor are keywords
    already bound by a ``functools.partial``."""
    bound = getattr(fn, "keywords", None) or {}
    given = {k: v for k, v in options.items() if v is not None and k not in bound}
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # no signature to inspect: pass everything
        return fn(df, **given)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(df, **given)
    return fn(df, **{k: v for k, v in given.items() if k in params})


def evaluate(
    df: Any,
    actuals: Any = None,
    metrics: Sequence[MetricSpec] | MetricSpec | None = None,
    train_df: Any = None,
    seasonality: int = 1,
    *,
    models: Sequence[str] | str | None = None,
    quantiles: Sequence[float] | None = None,
    level: float | Sequence[float] | None = None,
    scale: Any = None,
    weights: Any = None,
    aggregate: bool = False,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Scores forecasts with several metrics and returns one tidy frame.

    Works on ``Forecaster.cross_validation`` output as is, and on ``predict`` output together
    with the actuals of the forecast periods.

    Args:
        df: forecasts, long by model (``unique_id, ds, [cutoff,] model, mean, p10, …``); with the
            actuals column ``y`` (cross-validation) or without it (then pass ``actuals``).
            statsforecast's wide layout works for point metrics with ``models=`` naming columns.
        actuals: ``unique_id, ds, y`` rows for every forecast ``(unique_id, ds)``, merged into
            ``df``; leave None when ``df`` has ``y`` already.
        metrics: names from ``METRICS`` (``"mae"``, ``"rmse"``, ``"mase"``, ``"rmsse"``,
            ``"smape"``, ``"wape"``, ``"pinball"``, ``"scaled_pinball"``, ``"crps"``,
            ``"coverage"``, ``"msis"``, ``"wrmsse"``, ``"wspl"``) or callables with the signature
            of the ``qs.metrics`` functions (``fn(df, **options)`` returning the key columns and
            one column per metric; e.g. ``functools.partial(qs.metrics.coverage, level=50)``).
            Each receives those of the options below that its signature names. Default
            ``["mae", "rmse", "smape"]``.
        train_df: in-sample data for the scaled metrics (``mase``, ``rmsse``, ``msis``,
            ``scaled_pinball``, ``wrmsse``, ``wspl``); see ``qs.metrics.mase``.
        seasonality: lag m of the scales' differences (MASE/MSIS: the season length).
        models: aliases to score (default all), or statsforecast-style forecast columns.
        quantiles: levels for ``pinball``, ``scaled_pinball``, ``crps`` and ``wspl``; default
            every ``p`` column.
        level: interval level(s) in percent for ``coverage`` and ``msis``; default every
            symmetric pair of ``p`` columns.
        scale: per-series scales used instead of ``train_df`` by every scaled metric that is
            asked for (so ask for one kind of scale at a time).
        weights: per-series weights for ``wrmsse`` and ``wspl``.
        aggregate: False for one row per series (and cutoff), model and metric; True for the
            mean over series and cutoffs: one row per model and metric.
        id_col, time_col, target_col, model_col, forecast_col, cutoff_col: column names, as in
            ``qs.metrics``.
        n_jobs: threads of the C++ core; -1 for all cores.

    Returns:
        ``unique_id, [cutoff,] model, metric, value``, or ``model, metric, value`` when
        ``aggregate``. Metric names are the metric's columns: ``mae``, ``pinball_p10``,
        ``coverage_80``, ``msis_95``… The weighted metrics ``wrmsse`` and ``wspl`` cover all
        series at once; their rows have no ``unique_id`` (missing).

    Raises:
        QuickstockError: for an unknown metric, missing columns or actuals, non-finite values,
            zero scales and the like, naming the series, row and column at fault.

    Example:
        >>> import quickstock as qs
        >>> df = qs.datasets.load_hyderabad()[["unique_id", "ds", "y"]]
        >>> fc = qs.Forecaster([qs.Naive(), qs.SeasonalNaive(7)], freq="D")
        >>> cv = fc.cross_validation(df, h=7, n_windows=2, quantiles=[0.1, 0.5, 0.9])
        >>> ev = qs.evaluate(cv, metrics=["mase", "crps", "coverage"], train_df=df,
        ...                  seasonality=7, aggregate=True)
        >>> ev.columns.tolist()
        ['model', 'metric', 'value']
    """
    frame = to_pandas(df)
    if actuals is not None:
        frame = _merge_actuals(frame, actuals, id_col, time_col, target_col)
    if metrics is None:
        metrics = ["mae", "rmse", "smape"]
    elif isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    if not isinstance(aggregate, (bool, np.bool_)):
        invalid(
            f"aggregate must be True or False (got {aggregate!r})", field="aggregate"
        )
    specs = list(metrics)
    if not specs:
        invalid("metrics must name at least one metric", field="metrics")
    options: dict[str, Any] = dict(
        models=models,
        train_df=train_df,
        seasonality=seasonality,
        quantiles=quantiles,
        level=level,
        scale=scale,
        weights=weights,
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
        model_col=model_col,
        forecast_col=forecast_col,
        cutoff_col=cutoff_col,
        n_jobs=n_jobs,
    )
    keys = [id_col, cutoff_col, model_col]
    per_series: list[pd.DataFrame] = []
    overall: list[pd.DataFrame] = []
    seen: dict[str, str] = {}
    for spec in specs:
        if isinstance(spec, str):
            if spec not in METRICS:
                invalid(
                    f"unknown metric {spec!r}; known metrics: {sorted(METRICS)}",
                    field="metrics",
                )
            fn, label = METRICS[spec], spec
        elif callable(spec):
            fn, label = spec, getattr(spec, "__name__", repr(spec))
        else:
            invalid(
                f"a metric must be a name or a callable (got {spec!r})", field="metrics"
            )
        result = _call(fn, frame, options)
        if not isinstance(result, pd.DataFrame):
            invalid(
                f"metric {label} returned {type(result).__name__}, not a DataFrame with the key "
                "columns and one column per metric",
                field="metrics",
            )
        present = [k for k in keys if k in result.columns]
        if model_col not in present:
            invalid(f"metric {label} returned no {model_col!r} column", field="metrics")
        values = [c for c in result.columns if c not in present]
        if not values:
            invalid(f"metric {label} returned no metric column", field="metrics")
        for name in values:
            if name in seen:
                invalid(
                    f"metric {name!r} is computed twice (by {seen[name]} and {label})",
                    field="metrics",
                )
            seen[name] = label
        long = result.melt(
            id_vars=present, value_vars=values, var_name="metric", value_name="value"
        )
        (per_series if id_col in present else overall).append(long)
    if aggregate:
        frames = [
            f.drop(columns=[c for c in (id_col, cutoff_col) if c in f.columns])
            for f in per_series + overall
        ]
        stacked = pd.concat(frames, ignore_index=True)
        out = stacked.groupby([model_col, "metric"], sort=False, observed=True)[
            "value"
        ].mean()
        return out.reset_index()
    if overall:
        # Weighted metrics cover all series: their unique_id is missing.
        for f in per_series:
            f[id_col] = f[id_col].astype(object)
        for f in overall:
            f.insert(0, id_col, pd.Series([None] * len(f), dtype=object))
    out = pd.concat(per_series + overall, ignore_index=True)
    order = [k for k in keys if k in out.columns] + ["metric", "value"]
    return out[order]
