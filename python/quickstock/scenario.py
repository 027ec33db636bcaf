"""What-if scenarios: change future covariates and forecast again without refitting.

``qs.what_if(forecaster, X_df, changes)`` applies each ``qs.Change`` to the future covariates
(multiply, add to or replace a column, for the series picked by ``where`` and the periods
between ``start`` and ``end``), forecasts the scenario with the already fitted models (the C++
core, no refit) and returns scenario, baseline and delta columns per statistic.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ._errors import invalid
from ._frame import quantile_column, to_pandas

__all__ = ["Change", "what_if", "OPS"]

#: The operations a ``Change`` may apply.
OPS = ("multiply", "add", "replace")


@dataclass(frozen=True)
class Change:
    """One change to a future covariate.

    Args:
        column: the covariate column of ``X_df`` to change (e.g. ``"rain_mm"``).
        op: ``"multiply"``, ``"add"`` or ``"replace"``.
        value: the factor, the amount added, or the new value.
        where: which series: a mapping of series attribute (or ``unique_id``) to a value or a
            list of values, all conditions AND-ed (``{"pincode": "500032"}``,
            ``{"category": ["dairy", "bakery"]}``); or a list of ``unique_id``; ``None`` for all.
        start, end: the first and last period changed (inclusive); ``None`` for open ends.

    Example:
        >>> qs.Change("rain_mm", "multiply", 3.0, where={"pincode": "500032"},
        ...           start="2026-07-04", end="2026-07-04")  # doctest: +SKIP
    """

    column: str
    op: str
    value: float
    where: Any = None
    start: Any = None
    end: Any = None

    @classmethod
    def coerce(cls, change: Any, k: int) -> "Change":
        """A ``Change`` from a ``Change`` or a dict with its keys (``changes[k]`` in errors)."""
        if isinstance(change, Change):
            c = change
        elif isinstance(change, Mapping):
            unknown = sorted(set(change) - {"column", "op", "value", "where", "start", "end"})
            if unknown:
                invalid(f"changes[{k}] has unknown keys {unknown}", field="changes")
            missing = [key for key in ("column", "op", "value") if key not in change]
            if missing:
                invalid(f"changes[{k}] is missing {missing}", field="changes")
            c = cls(**dict(change))
        else:
            invalid(f"changes[{k}] must be a qs.Change or a dict (got {change!r})", field="changes")
        if c.op not in OPS:
            invalid(f"changes[{k}]: op must be one of {list(OPS)} (got {c.op!r})", field="op")
        if isinstance(c.value, bool) or not isinstance(c.value, numbers.Real) or not np.isfinite(c.value):
            invalid(f"changes[{k}]: value must be a finite number (got {c.value!r})", field="value")
        return c


def _series_mask(where: Any, prepared: Any, k: int) -> np.ndarray:
    """Boolean mask over the forecaster's series (panel order) picked by ``where``."""
    ids = prepared.ids
    n = len(ids)
    if where is None:
        return np.ones(n, dtype=bool)
    if isinstance(where, Mapping):
        mask = np.ones(n, dtype=bool)
        attrs = prepared.attributes
        for key, want in where.items():
            if key == prepared.id_col:
                col = pd.Series(ids)
            elif key in attrs.columns:
                col = attrs[key].reset_index(drop=True)
            else:
                invalid(
                    f"changes[{k}]: where names {key!r}, which is not a series attribute; "
                    f"attributes: {list(attrs.columns)}",
                    field="where",
                )
            values = list(want) if isinstance(want, (list, tuple, set, np.ndarray, pd.Index)) else [want]
            hit = col.isin(values).to_numpy()
            if not hit.any():
                # Attributes read as numbers may be compared with text (pincode 500032 vs "500032").
                hit = col.astype(str).isin([str(v) for v in values]).to_numpy()
            mask &= hit
        return mask
    if isinstance(where, (list, tuple, set, np.ndarray, pd.Index)):
        wanted = list(where)
        known = set(map(str, ids))
        unknown = [w for w in wanted if str(w) not in known]
        if unknown:
            invalid(f"changes[{k}]: where names unknown series {unknown[:5]}", field="where")
        return pd.Series(ids).astype(str).isin([str(w) for w in wanted]).to_numpy()
    invalid(f"changes[{k}]: where must be a dict of attributes, a list of ids or None", field="where")


def what_if(
    forecaster: Any,
    X_df: Any,
    changes: Sequence[Any],
    quantiles: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Forecast a scenario: the fitted models, future covariates changed as ``changes`` say.

    The baseline is ``forecaster.predict(h, quantiles, X_df)``; the scenario applies every
    change in order to a copy of ``X_df`` and forecasts again with the same fitted models (no
    refit). Series outside a change's ``where`` and periods before its ``start`` keep their
    baseline forecast exactly (``delta == 0``) for every model of the library; periods after
    ``end`` may still move through lagged or autoregressive effects.

    Args:
        forecaster: a fitted ``qs.Forecaster`` with at least one model that uses covariates.
        X_df: future covariates (``unique_id``, ``ds`` and the covariate columns) for every
            series and each forecast period; ``h`` is the number of periods per series.
        changes: ``qs.Change`` objects or dicts with the same keys.
        quantiles: levels; default ``[0.1, 0.5, 0.9]``.

    Returns:
        ``unique_id, ds, model`` then, for ``s`` in ``mean`` and each quantile column, ``s``
        (scenario), ``s_baseline`` and ``s_delta`` (scenario − baseline), then the series
        attributes.

    Raises:
        QuickstockError: no model uses covariates; an unknown column or one the models do not
        use; a ``where`` that matches no series; a window with no forecast period; a bad op or
        value — each naming the change (``changes[k]``) and field.
    """
    from .forecaster import DEFAULT_QUANTILES, Forecaster

    if not isinstance(forecaster, Forecaster):
        invalid("forecaster must be a fitted qs.Forecaster", field="forecaster")
    forecaster._check_fitted()
    prepared = forecaster.prepared_
    users = [m.alias for m, f in zip(forecaster.models, forecaster.fitted_) if f.uses_covariates]
    if not users:
        invalid(
            "no model of this forecaster uses covariates, so no change can move its forecast; "
            "use a model with covariates (see docs/scenarios.md)",
            field="forecaster",
        )
    if isinstance(changes, (Change, Mapping)):
        changes = [changes]
    if isinstance(changes, (str, bytes)) or not isinstance(changes, Sequence) or len(changes) == 0:
        invalid("changes must be a non-empty list of qs.Change", field="changes")
    parsed = [Change.coerce(c, k) for k, c in enumerate(changes)]
    fx = to_pandas(X_df, "X_df").reset_index(drop=True)
    id_col, time_col = prepared.id_col, prepared.time_col
    for col in (id_col, time_col):
        if col not in fx.columns:
            invalid(f"X_df is missing column {col!r}", field=col)
    counts = fx.groupby(id_col, sort=False)[time_col].nunique()
    if counts.empty:
        invalid("X_df is empty", field="X_df")
    h = int(counts.max())
    levels = list(DEFAULT_QUANTILES if quantiles is None else quantiles)
    baseline = forecaster.predict(h=h, quantiles=levels, X_df=fx)

    scenario_x = fx.copy()
    ds = pd.to_datetime(fx[time_col]) if not pd.api.types.is_integer_dtype(fx[time_col]) else fx[time_col]
    row_series = pd.Index(prepared.ids).get_indexer(fx[id_col])
    for k, c in enumerate(parsed):
        if c.column not in fx.columns:
            invalid(f"changes[{k}]: X_df has no column {c.column!r}", field="column")
        if c.column == getattr(forecaster, "censor_col", None):
            invalid(
                f"changes[{k}]: {c.column!r} marks censored (stockout) history days; it is not a "
                "covariate and cannot be changed",
                field="column",
            )
        if c.column not in prepared.covariates:
            invalid(
                f"changes[{k}]: {c.column!r} is not a covariate the models were fitted with "
                f"({list(prepared.covariates)})",
                field="column",
            )
        series_mask = _series_mask(c.where, prepared, k)
        if not series_mask.any():
            invalid(f"changes[{k}]: where={c.where!r} matches no series", field="where")
        rows = np.zeros(len(fx), dtype=bool)
        ok = row_series >= 0
        rows[ok] = series_mask[row_series[ok]]
        try:
            if c.start is not None:
                rows &= (ds >= (pd.Timestamp(c.start) if not isinstance(c.start, numbers.Integral) else c.start)).to_numpy()
            if c.end is not None:
                rows &= (ds <= (pd.Timestamp(c.end) if not isinstance(c.end, numbers.Integral) else c.end)).to_numpy()
        except (TypeError, ValueError) as exc:
            invalid(f"changes[{k}]: bad start/end ({exc})", field="start")
        if not rows.any():
            invalid(
                f"changes[{k}]: the window start={c.start!r} end={c.end!r} holds no forecast period "
                f"of the selected series ({ds.min()} to {ds.max()})",
                field="start",
            )
        col = pd.to_numeric(scenario_x[c.column], errors="coerce").to_numpy(dtype=float, copy=True)
        if c.op == "multiply":
            col[rows] = col[rows] * c.value
        elif c.op == "add":
            col[rows] = col[rows] + c.value
        else:
            col[rows] = float(c.value)
        scenario_x[c.column] = col
    scenario = forecaster.predict(h=h, quantiles=levels, X_df=scenario_x)

    keys = [id_col, time_col, "model"]
    stats = ["mean"] + [quantile_column(q) for q in levels]
    out = scenario[keys].copy()
    for s in stats:
        out[s] = scenario[s].to_numpy()
        out[f"{s}_baseline"] = baseline[s].to_numpy()
        out[f"{s}_delta"] = scenario[s].to_numpy() - baseline[s].to_numpy()
    attrs = [c for c in scenario.columns if c not in keys and c not in stats]
    for a in attrs:
        out[a] = scenario[a].to_numpy()
    return out
