"""Forecast accuracy metrics on long frames, computed by the C++ core.

Every function takes a frame of forecasts *with the actuals beside them* and returns one row per
series (and cutoff) and model. Two layouts are accepted:

* **quickstock's own** (long by model): ``unique_id, ds, [cutoff,] model, mean, p10, p50, p90,
  …, y`` — the output of ``Forecaster.cross_validation``, or of ``predict`` merged with the
  actuals (``qs.evaluate`` does the merge). ``models`` optionally selects aliases of the
  ``model`` column; point metrics read ``forecast_col`` (default ``mean``), quantile and interval
  metrics read the ``p…`` columns.
* **statsforecast's** (wide by model): ``unique_id, ds, [cutoff,] y, AutoETS, Naive, …`` with no
  ``model`` column; ``models`` then names the forecast columns. Point metrics only.

With a ``cutoff`` column (cross-validation) each ``(series, cutoff)`` is scored separately, and
scaled metrics take their in-sample data from the ``train_df`` rows of that series with
``ds <= cutoff``; without one, from its rows before the series' first evaluated ``ds``.

Formulas and conventions (``0/0`` in sMAPE and WAPE, leading zeros in M5 scales, the CRPS rule)
and the reproduced M4/M5 values: ``docs/metrics.md``.

Example:
    >>> import quickstock as qs
    >>> df = qs.datasets.load_hyderabad()[["unique_id", "ds", "y"]]
    >>> cv = qs.Forecaster([qs.SeasonalNaive(7)], freq="D").cross_validation(df, h=7)
    >>> qs.metrics.mase(cv, seasonality=7, train_df=df).columns.tolist()
    ['unique_id', 'cutoff', 'model', 'mase']
"""

from __future__ import annotations

import numbers
import os
from typing import Any, Callable, Literal, Mapping, Sequence, TypeVar

import numpy as np
import pandas as pd

from . import _core
from ._errors import invalid
from ._frame import quantile_column, quantile_columns, to_pandas

__all__ = [
    "mae",
    "rmse",
    "mase",
    "rmsse",
    "smape",
    "wape",
    "pinball",
    "scaled_pinball",
    "crps",
    "coverage",
    "msis",
    "wrmsse",
    "wspl",
]


# Argument descriptions shared by the metrics' docstrings (``@common`` etc. in the text).
_ARG_DOCS = {
    "@common": """\
        id_col: column of the series id.
        time_col: column of the timestamps (orders and selects the in-sample rows).
        target_col: column of the actual values (in ``df`` and in ``train_df``).
        model_col: column of the model alias (quickstock's long layout). Without it the frame is
            statsforecast's wide layout and ``models`` names its forecast columns.
        forecast_col: column of the point forecast in the long layout (``mean``; ``p50`` for
            the median).
        cutoff_col: column of the cutoff in cross-validation output; when present each
            (series, cutoff) is scored separately.
        n_jobs: threads of the C++ core; -1 for all cores.
""",
    "@scale": """\
        seasonality: lag m of the in-sample differences behind the scale.
        train_df: in-sample data (``unique_id, ds, y``, e.g. the frame the models were fitted
            on). Per series (and cutoff) its rows with ``ds <= cutoff`` are used, or, without a
            cutoff column, its rows before the series' first evaluated ``ds``.
        scale: instead of ``train_df``, the scale of each series: a mapping or Series from
            ``unique_id``, or a frame with ``unique_id`` and ``scale`` columns.
""",
    "@weights": """\
        weights: weight of each series: a mapping or Series from ``unique_id``, or a frame with
            ``unique_id`` and ``weight`` columns (e.g. M5's ``weights_evaluation`` rows of one
            level). Used as given (M5's sum to 1 within a level); weights of series that are not
            in the frame are ignored.
""",
}

_F = TypeVar("_F", bound=Callable[..., Any])


def _doc(fn: _F) -> _F:
    """Expands the ``@common``/``@scale``/``@weights`` lines of a metric's docstring."""
    if fn.__doc__:
        doc = fn.__doc__
        for marker, text in _ARG_DOCS.items():
            doc = doc.replace("        " + marker + "\n", text)
        fn.__doc__ = doc
    return fn


# -- input handling --------------------------------------------------------------------------------


def _threads(n_jobs: Any) -> int:
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        invalid(f"n_jobs must be an integer (got {n_jobs!r})", field="n_jobs")
    n = int(n_jobs)
    if n == 0 or n < -1:
        invalid(f"n_jobs must be -1 (all cores) or >= 1 (got {n})", field="n_jobs")
    return n if n > 0 else (os.cpu_count() or 1)


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _numeric(
    values: pd.Series, name: str, ids: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """A column as float64; missing values become NaN (the core reports them with their row).

    ``values`` has a fresh 0..n-1 index; ``ids[i]`` and ``rows[i]`` name its element ``i``.
    """
    if pd.api.types.is_bool_dtype(values.dtype) or not pd.api.types.is_numeric_dtype(
        values.dtype
    ):
        converted = pd.to_numeric(
            values.astype(object).where(values.notna(), np.nan), errors="coerce"
        )
        bad = converted.isna().to_numpy() & values.notna().to_numpy()
        if pd.api.types.is_bool_dtype(values.dtype):
            bad = values.notna().to_numpy()
        if bad.any():
            r = _first(bad)
            invalid(
                f"must be a number (got {values.iloc[r]!r})",
                series=ids[r],
                row=int(rows[r]),
                field=name,
            )
        values = converted
    return np.ascontiguousarray(values.to_numpy(dtype=np.float64, na_value=np.nan))


def _time_int64(
    values: pd.Series, name: str, ids: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, str]:
    """Timestamps as int64 ns (kind ``"datetime"``) or integers (kind ``"integer"``)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        raw = values.to_numpy().astype("datetime64[ns]")
        nat = np.isnat(raw)
        if nat.any():
            r = _first(nat)
            invalid(
                "the timestamp is missing (NaT)",
                series=ids[r],
                row=int(rows[r]),
                field=name,
            )
        return raw.view(np.int64), "datetime"
    if pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
        values.dtype
    ):
        missing = values.isna().to_numpy()
        if missing.any():
            r = _first(missing)
            invalid(
                "the time index is missing", series=ids[r], row=int(rows[r]), field=name
            )
        return values.to_numpy(dtype=np.int64), "integer"
    invalid(
        f"must hold timestamps (datetime64) or integers to order the in-sample data "
        f"(got dtype {values.dtype})",
        field=name,
    )


def _codes(
    values: pd.Series, name: str, rows: np.ndarray, sort: bool
) -> tuple[np.ndarray, Any]:
    """Factorize a key column; a missing key is an error naming its row."""
    try:
        codes, uniques = pd.factorize(values, sort=sort)
    except TypeError:  # mixed types that do not sort
        codes, uniques = pd.factorize(values, sort=False)
    if (codes < 0).any():
        invalid(f"{name} is missing", row=int(rows[_first(codes < 0)]), field=name)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def _by_series(values: Any, ids: np.ndarray, name: str, id_col: str) -> np.ndarray:
    """Per-series numbers (``scale=`` or ``weights=``) looked up for each id in ``ids``.

    ``values`` is a mapping or a pandas Series indexed by ``unique_id``, or a frame with
    ``id_col`` and a column called ``name``."""
    if isinstance(values, pd.DataFrame):
        for col in (id_col, name):
            if col not in values.columns:
                invalid(
                    f"the {name} frame needs columns {id_col!r} and {name!r}",
                    field=name,
                )
        values = pd.Series(
            values[name].to_numpy(), index=pd.Index(values[id_col].to_numpy())
        )
    elif isinstance(values, Mapping):
        values = pd.Series(
            list(values.values()), index=pd.Index(list(values.keys())), dtype=object
        )
    elif not isinstance(values, pd.Series):
        invalid(
            f"{name} must be a mapping or Series from {id_col} to a number, or a frame with "
            f"columns {id_col!r} and {name!r} (got {type(values).__name__})",
            field=name,
        )
    if values.index.has_duplicates:
        dup = values.index[values.index.duplicated()][0]
        invalid(f"the {name} of this series is given twice", series=dup, field=name)
    pos = values.index.get_indexer(pd.Index(ids))
    if (pos < 0).any():
        invalid(
            f"no {name} is given for this series",
            series=ids[_first(pos < 0)],
            field=name,
        )
    raw = pd.Series(values.to_numpy()[pos], dtype=object)
    out = pd.to_numeric(raw, errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    bad = np.isnan(out) & raw.notna().to_numpy()
    if bad.any():
        r = _first(bad)
        invalid(
            f"{name} must be a number (got {raw.iloc[r]!r})", series=ids[r], field=name
        )
    return np.ascontiguousarray(out)


def _level_name(level: float) -> str:
    text = repr(round(float(level), 10))
    return text[:-2] if text.endswith(".0") else text


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


class _Evaluation:
    """A forecast frame grouped by (series, [cutoff,] model) in the core's ragged layout.

    Groups are ordered by series, cutoff, then model, or with ``series_last`` by cutoff, model,
    then series (so that each (cutoff, model) is one contiguous block of groups). Models keep the
    order of ``models`` or of their first appearance."""

    def __init__(
        self,
        df: Any,
        models: Sequence[str] | str | None,
        *,
        id_col: str,
        time_col: str,
        target_col: str,
        model_col: str,
        forecast_col: str,
        cutoff_col: str,
        n_jobs: Any,
        needs_quantiles: bool = False,
        series_last: bool = False,
    ) -> None:
        frame = to_pandas(df)
        if frame.columns.duplicated().any():
            dup = frame.columns[frame.columns.duplicated()][0]
            invalid(f"column {dup!r} appears more than once", field=str(dup))
        self.threads = _threads(n_jobs)
        self.id_col, self.time_col, self.target_col = id_col, time_col, target_col
        self.model_col, self.forecast_col, self.cutoff_col = (
            model_col,
            forecast_col,
            cutoff_col,
        )
        for col in (id_col, target_col):
            if col not in frame.columns:
                invalid(
                    f"missing column {col!r}; the frame has {list(map(str, frame.columns))}",
                    field=col,
                )
        if isinstance(models, str):
            models = [models]
        if models is not None:
            models = list(models)
            if not models:
                invalid("models must name at least one model", field="models")
        n = len(frame)
        self.frame = frame
        self.wide = model_col not in frame.columns
        self.has_cutoff = cutoff_col in frame.columns
        if self.wide:
            rows, model_values = self._wide(models, needs_quantiles)
        else:
            mcol = frame[model_col]
            if models is not None:
                present = set(pd.unique(mcol.dropna()))
                for m in models:
                    if m not in present:
                        invalid(
                            f"model {m!r} is not in the {model_col!r} column (it holds "
                            f"{sorted(map(str, present))})",
                            field=model_col,
                        )
                rows = np.flatnonzero(mcol.isin(models).to_numpy()).astype(np.int64)
            else:
                rows = np.arange(n, dtype=np.int64)
            model_values = mcol.iloc[rows].reset_index(drop=True)
        if len(rows) == 0:
            invalid("there are no forecast rows to evaluate", field="df")
        self.rows = rows  # the caller's row of each long row
        ids = frame[id_col].iloc[rows].reset_index(drop=True)
        id_codes, self.unique_ids = _codes(ids, id_col, rows, sort=True)
        if self.has_cutoff:
            cuts = frame[cutoff_col].iloc[rows].reset_index(drop=True)
            cut_codes, cut_uniques = _codes(cuts, cutoff_col, rows, sort=True)
        else:
            cut_codes, cut_uniques = np.zeros(len(rows), dtype=np.int64), np.array(
                [None]
            )
        mod_codes, mod_uniques = _codes(model_values, model_col, rows, sort=False)
        if models is not None:  # the order given
            rank = {m: i for i, m in enumerate(models)}
            mod_codes = np.array([rank[m] for m in mod_uniques], dtype=np.int64)[
                mod_codes
            ]
            mod_uniques = np.array(models, dtype=object)
        n_id, n_cut, n_mod = len(self.unique_ids), len(cut_uniques), len(mod_uniques)
        if series_last:
            combined = (cut_codes * n_mod + mod_codes) * n_id + id_codes
        else:
            combined = (id_codes * n_cut + cut_codes) * n_mod + mod_codes
        _, first, inverse, counts = np.unique(
            combined, return_index=True, return_inverse=True, return_counts=True
        )
        self.group_of = inverse.reshape(-1)  # group of each long row
        self.order = np.argsort(
            self.group_of, kind="stable"
        )  # long rows in group order
        self.offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        self.n_groups = len(counts)
        self.group_id = id_codes[first]
        self.group_cut = cut_codes[first]
        self.group_mod = mod_codes[first]
        keys: dict[str, Any] = {
            id_col: frame[id_col].iloc[rows[first]].reset_index(drop=True)
        }
        if self.has_cutoff:
            keys[cutoff_col] = (
                frame[cutoff_col].iloc[rows[first]].reset_index(drop=True)
            )
        if self.wide:
            keys[model_col] = pd.Series(mod_uniques[self.group_mod], dtype=object)
        else:
            keys[model_col] = frame[model_col].iloc[rows[first]].reset_index(drop=True)
        self.keys = pd.DataFrame(keys)
        self.long_ids = ids.to_numpy()
        self.group_names = [str(v) for v in self.unique_ids[self.group_id]]
        target = frame[target_col].iloc[rows].reset_index(drop=True)
        y = _numeric(target, target_col, self.long_ids, rows)
        self.y = np.ascontiguousarray(y[self.order])
        self.sorted_rows = np.ascontiguousarray(rows[self.order])
        self.actual = self.ragged(0, self.n_groups)

    def _wide(
        self, models: list[str] | None, needs_quantiles: bool
    ) -> tuple[np.ndarray, Any]:
        """statsforecast's layout: stack the model columns into one long forecast column."""
        frame, model_col, n = self.frame, self.model_col, len(self.frame)
        if models is None:
            invalid(
                f"the frame has no {model_col!r} column: pass models=[...] naming its forecast "
                f"columns (statsforecast's wide layout), or a long frame with a {model_col!r} "
                "column (quickstock's layout)",
                field=model_col,
            )
        if needs_quantiles:
            invalid(
                f"quantile and interval metrics need quickstock's long layout: a {model_col!r} "
                "column and quantile columns such as 'p10' and 'p90'",
                field=model_col,
            )
        ids = frame[self.id_col].to_numpy()
        positions = np.arange(n, dtype=np.int64)
        blocks = []
        for m in models:
            if m not in frame.columns:
                invalid(f"no forecast column {m!r} in the frame", field=str(m))
            values = _numeric(frame[m].reset_index(drop=True), str(m), ids, positions)
            bad = ~np.isfinite(values)
            if bad.any():
                r = _first(bad)
                invalid(
                    f"forecast must be finite (got {values[r]!r})",
                    series=ids[r],
                    row=r,
                    field=str(m),
                )
            blocks.append(values)
        self._wide_forecast = np.concatenate(blocks)
        rows = np.tile(positions, len(models))
        return rows, pd.Series(np.repeat(np.array(models, dtype=object), n))

    # -- arrays in group order ---------------------------------------------------------------
    def ragged(self, g0: int, g1: int) -> Any:
        """The actuals of groups ``[g0, g1)`` as a core ``RaggedSeries``."""
        lo, hi = int(self.offsets[g0]), int(self.offsets[g1])
        return _core.RaggedSeries(
            self.y[lo:hi],
            self.offsets[g0 : g1 + 1] - lo,
            self.group_names[g0:g1],
            self.sorted_rows[lo:hi],
            self.target_col,
        )

    def column(self, name: str) -> np.ndarray:
        """A forecast column in group order, as float64 (the point forecast in the wide layout)."""
        if self.wide:
            return np.ascontiguousarray(self._wide_forecast[self.order])
        if name not in self.frame.columns:
            invalid(
                f"missing forecast column {name!r}; the frame has "
                f"{list(map(str, self.frame.columns))}",
                field=name,
            )
        col = self.frame[name].iloc[self.rows].reset_index(drop=True)
        return np.ascontiguousarray(
            _numeric(col, name, self.long_ids, self.rows)[self.order]
        )

    @property
    def point_field(self) -> str:
        """Name of the point forecast in error messages."""
        return "forecast" if self.wide else self.forecast_col

    def quantiles(self, quantiles: Sequence[float] | float | None) -> dict[float, str]:
        """Levels -> quantile columns: the given levels (each column must exist) or all of them."""
        if quantiles is None:
            available = quantile_columns(self.frame)
            if not available:
                invalid(
                    "the frame has no quantile columns (p10, p50, …): forecast with "
                    "quantiles=[…] or pass quantiles=",
                    field="quantiles",
                )
            return available
        if _is_number(quantiles):
            quantiles = [float(quantiles)]  # type: ignore[arg-type]
        if isinstance(quantiles, str) or not isinstance(
            quantiles, (Sequence, np.ndarray)
        ):
            invalid(
                f"quantiles must be a list of levels in (0, 1) (got {quantiles!r})",
                field="quantiles",
            )
        out: dict[float, str] = {}
        for q in quantiles:
            if not _is_number(q) or not 0.0 < float(q) < 1.0:
                invalid(
                    f"a quantile level must be a number in (0, 1) (got {q!r})",
                    field="quantiles",
                )
            col = quantile_column(float(q))
            if col not in self.frame.columns:
                invalid(
                    f"no column {col!r} for quantile {float(q)!r} in the frame",
                    field=col,
                )
            out[float(q)] = col
        if not out:
            invalid("quantiles must name at least one level", field="quantiles")
        return dict(sorted(out.items()))

    def intervals(self, level: Any) -> list[tuple[str, str, str, float]]:
        """``(name, lower column, upper column, alpha)`` of each interval level (percent)."""
        if level is None:
            available = quantile_columns(self.frame)
            names = set(available.values())
            levels: list[Any] = sorted(
                round(100.0 * (1.0 - 2.0 * q), 10)
                for q in available
                if q < 0.5 and quantile_column(1.0 - q) in names
            )
            if not levels:
                invalid(
                    "the frame has no symmetric pair of quantile columns (such as p10 and p90) "
                    "to form an interval: forecast with such quantiles or pass level=",
                    field="level",
                )
        elif _is_number(level):
            levels = [float(level)]
        elif isinstance(level, str) or not isinstance(level, (Sequence, np.ndarray)):
            invalid(
                f"level must be a percentage or a list of them (got {level!r})",
                field="level",
            )
        else:
            levels = list(level)
        out = []
        for lv in levels:
            if not _is_number(lv) or not 0.0 < float(lv) < 100.0:
                invalid(
                    f"an interval level must be a percentage in (0, 100) (got {lv!r})",
                    field="level",
                )
            alpha = 1.0 - float(lv) / 100.0
            lo, hi = quantile_column(alpha / 2.0), quantile_column(1.0 - alpha / 2.0)
            for col in (lo, hi):
                if col not in self.frame.columns:
                    invalid(
                        f"no column {col!r} for the {_level_name(lv)}% interval in the frame",
                        field=col,
                    )
            out.append((_level_name(lv), lo, hi, alpha))
        return out

    # -- scales and weights ------------------------------------------------------------------
    def scales(
        self,
        kind: str,
        train_df: Any,
        scale: Any,
        seasonality: Any,
        skip_leading_zeros: bool,
        metric: str,
    ) -> np.ndarray:
        """One in-sample scale per group, from ``train_df`` or given per series as ``scale``."""
        if scale is not None and train_df is not None:
            invalid(f"{metric} takes either train_df or scale, not both", field="scale")
        if scale is not None:
            return _by_series(
                scale, self.unique_ids[self.group_id], "scale", self.id_col
            )
        if train_df is None:
            invalid(
                f"{metric} is scaled by in-sample data: pass train_df= (e.g. the frame the "
                "models were fitted on) or scale= (one number per series)",
                field="train_df",
            )
        if isinstance(seasonality, bool) or not isinstance(
            seasonality, numbers.Integral
        ):
            invalid(
                f"seasonality must be an integer >= 1 (got {seasonality!r})",
                field="seasonality",
            )
        if int(seasonality) < 1:
            invalid(
                f"seasonality must be an integer >= 1 (got {seasonality!r})",
                field="seasonality",
            )
        train = to_pandas(train_df, "train_df")
        for col in (self.id_col, self.time_col, self.target_col):
            if col not in train.columns:
                invalid(f"train_df is missing column {col!r}", field=col)
        # Training rows of the evaluated series, sorted by (series, time).
        code = pd.Index(self.unique_ids).get_indexer(train[self.id_col])
        keep = np.flatnonzero(code >= 0).astype(np.int64)
        train_ids = train[self.id_col].to_numpy()[keep]
        t, t_kind = _time_int64(
            train[self.time_col].iloc[keep].reset_index(drop=True),
            self.time_col,
            train_ids,
            keep,
        )
        y = _numeric(
            train[self.target_col].iloc[keep].reset_index(drop=True),
            self.target_col,
            train_ids,
            keep,
        )
        order = np.lexsort((t, code[keep]))
        code, t, y, rows = code[keep][order], t[order], y[order], keep[order]
        if len(code) > 1:
            dup = (code[1:] == code[:-1]) & (t[1:] == t[:-1])
            if dup.any():
                k = _first(dup) + 1
                invalid(
                    "train_df repeats this (unique_id, ds)",
                    series=self.unique_ids[code[k]],
                    row=int(rows[k]),
                    field=self.time_col,
                )
        start_of = np.searchsorted(
            code, np.arange(len(self.unique_ids) + 1), side="left"
        )
        # One training window per (series, cutoff): its rows up to the cutoff or, without a
        # cutoff column, before the series' first evaluated timestamp.
        pair_key = self.group_id * (int(self.group_cut.max()) + 1) + self.group_cut
        _, pair_first, pair_of_group = np.unique(
            pair_key, return_index=True, return_inverse=True
        )
        pair_of_group = pair_of_group.reshape(-1)
        pair_series = self.group_id[pair_first]
        if self.has_cutoff:
            cut_rows = self.rows[self.order[self.offsets[:-1][pair_first]]]
            bound, b_kind = _time_int64(
                self.frame[self.cutoff_col].iloc[cut_rows].reset_index(drop=True),
                self.cutoff_col,
                self.unique_ids[pair_series],
                cut_rows,
            )
            side: Literal["left", "right"] = "right"  # ds <= cutoff
        else:
            if self.time_col not in self.frame.columns:
                invalid(
                    f"missing column {self.time_col!r} (needed with train_df)",
                    field=self.time_col,
                )
            ev_t, b_kind = _time_int64(
                self.frame[self.time_col].iloc[self.rows].reset_index(drop=True),
                self.time_col,
                self.long_ids,
                self.rows,
            )
            bound = np.full(len(pair_first), np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(bound, pair_of_group[self.group_of], ev_t)
            side = "left"  # ds < first evaluated ds
        if b_kind != t_kind:
            invalid(
                f"train_df's {self.time_col!r} holds {t_kind} values but the forecasts hold "
                f"{b_kind} values",
                field=self.time_col,
            )
        # Rows of each pair's series up to its bound: one searchsorted on (series, time rank).
        _, rank = np.unique(np.concatenate([t, bound]), return_inverse=True)
        rank = rank.reshape(-1).astype(np.int64)
        n_rank = int(rank.max()) + 1
        train_key = code.astype(np.int64) * n_rank + rank[: len(t)]
        query_key = pair_series.astype(np.int64) * n_rank + rank[len(t) :]
        begin = start_of[pair_series]
        counts = np.searchsorted(train_key, query_key, side=side) - begin
        offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        idx = np.repeat(begin - offsets[:-1], counts) + np.arange(int(offsets[-1]))
        ragged = _core.RaggedSeries(
            np.ascontiguousarray(y[idx]),
            offsets,
            [str(v) for v in self.unique_ids[pair_series]],
            np.ascontiguousarray(rows[idx]),
            f"train_df.{self.target_col}",
        )
        fn = (
            _core.mean_absolute_scale
            if kind == "mean_absolute"
            else _core.root_mean_squared_scale
        )
        per_pair = fn(ragged, int(seasonality), bool(skip_leading_zeros), self.threads)
        return np.ascontiguousarray(per_pair[pair_of_group])

    def weights(self, weights: Any, metric: str) -> np.ndarray:
        """One weight per group, looked up by series."""
        if weights is None:
            invalid(f"{metric} needs weights= (one weight per series)", field="weights")
        return _by_series(
            weights, self.unique_ids[self.group_id], "weight", self.id_col
        )

    def blocks(self) -> list[tuple[int, int]]:
        """The group range of each (cutoff, model) (with ``series_last``)."""
        key = self.group_cut * (int(self.group_mod.max()) + 1) + self.group_mod
        starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
        ends = np.concatenate([starts[1:], [self.n_groups]])
        return [(int(a), int(b)) for a, b in zip(starts, ends)]

    def result(self, values: dict[str, np.ndarray]) -> pd.DataFrame:
        """The group keys with one column per metric."""
        out = self.keys.copy()
        for name, v in values.items():
            out[name] = v
        return out


def _prepare(df: Any, models: Any, kw: dict[str, Any], **extra: Any) -> _Evaluation:
    return _Evaluation(df, models, **kw, **extra)


def _common(
    id_col: str,
    time_col: str,
    target_col: str,
    model_col: str,
    forecast_col: str,
    cutoff_col: str,
    n_jobs: Any,
) -> dict[str, Any]:
    return dict(
        id_col=id_col,
        time_col=time_col,
        target_col=target_col,
        model_col=model_col,
        forecast_col=forecast_col,
        cutoff_col=cutoff_col,
        n_jobs=n_jobs,
    )


def _point(
    fn: Callable[..., np.ndarray], name: str, df: Any, models: Any, kw: dict[str, Any]
) -> pd.DataFrame:
    ev = _prepare(df, models, kw)
    return ev.result(
        {name: fn(ev.actual, ev.column(ev.forecast_col), ev.point_field, ev.threads)}
    )


# -- point metrics ---------------------------------------------------------------------------------


@_doc
def mae(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Mean absolute error per series and model: ``mean |y - f|``.

    Args:
        df: forecasts with actuals (``cross_validation`` output, or ``predict`` merged with the
            actuals), long by model; or statsforecast's wide layout.
        models: aliases to score (default: every model in the frame); in the wide layout, the
            forecast columns.
        @common

    Returns:
        ``unique_id, [cutoff,] model, mae``: one row per series (and cutoff) and model.

    Raises:
        QuickstockError: for a missing column, unknown model, or a non-finite actual or forecast
            (naming the series, row and column).
    """
    return _point(
        _core.mae,
        "mae",
        df,
        models,
        _common(
            id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
        ),
    )


@_doc
def rmse(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Root mean squared error per series and model: ``sqrt(mean (y - f)^2)``.

    Args:
        df: forecasts with actuals, as for ``mae``.
        models: aliases (or wide-layout columns) to score; default all.
        @common

    Returns:
        ``unique_id, [cutoff,] model, rmse``.

    Raises:
        QuickstockError: as ``mae``.
    """
    return _point(
        _core.rmse,
        "rmse",
        df,
        models,
        _common(
            id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
        ),
    )


@_doc
def smape(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Symmetric MAPE per series and model, in percent (M4): ``mean 200 |y - f| / (|y| + |f|)``.

    A period with ``y = f = 0`` counts 0 (a perfect forecast), so the value is always in
    [0, 200].

    Args:
        df: forecasts with actuals, as for ``mae``.
        models: aliases (or wide-layout columns) to score; default all.
        @common

    Returns:
        ``unique_id, [cutoff,] model, smape``.

    Raises:
        QuickstockError: as ``mae``.

    References:
        Makridakis, Spiliotis, Assimakopoulos (2020), The M4 Competition: 100,000 time series and
        61 forecasting methods, IJF 36(1).
    """
    return _point(
        _core.smape,
        "smape",
        df,
        models,
        _common(
            id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
        ),
    )


@_doc
def wape(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Weighted absolute percentage error per series and model, as a fraction:
    ``sum |y - f| / sum |y|``.

    A series whose actuals and forecasts are all 0 scores 0; all-zero actuals with a non-zero
    forecast have no WAPE and raise.

    Args:
        df: forecasts with actuals, as for ``mae``.
        models: aliases (or wide-layout columns) to score; default all.
        @common

    Returns:
        ``unique_id, [cutoff,] model, wape``.

    Raises:
        QuickstockError: as ``mae``, and naming a series whose actuals are all 0 but whose
            forecast is not.
    """
    return _point(
        _core.wape,
        "wape",
        df,
        models,
        _common(
            id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
        ),
    )


def _scaled(
    core_fn: Callable[..., np.ndarray],
    name: str,
    kind: str,
    df: Any,
    models: Any,
    train_df: Any,
    scale: Any,
    seasonality: Any,
    skip_leading_zeros: bool,
    kw: dict[str, Any],
) -> pd.DataFrame:
    ev = _prepare(df, models, kw)
    f = ev.column(ev.forecast_col)
    s = ev.scales(kind, train_df, scale, seasonality, skip_leading_zeros, name.upper())
    field = ev.point_field
    return ev.result({name: core_fn(ev.actual, f, list(s), field, ev.threads)})


@_doc
def mase(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    seasonality: int = 1,
    train_df: Any = None,
    scale: Any = None,
    skip_leading_zeros: bool = False,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Mean absolute scaled error per series and model (M4): ``MAE / scale`` with
    ``scale = mean_{t > m} |y_t - y_{t-m}|`` over the in-sample data.

    Args:
        df: forecasts with actuals, as for ``mae``.
        models: aliases (or wide-layout columns) to score; default all.
        @scale
        skip_leading_zeros: compute the scale from the first non-zero in-sample value (M5's rule;
            off for M4's MASE).
        @common

    Returns:
        ``unique_id, [cutoff,] model, mase``.

    Raises:
        QuickstockError: as ``mae``, and naming the series whose scale is 0 (a constant history at
            lag m) or whose history has fewer than m + 1 values.

    References:
        Hyndman and Koehler (2006), Another look at measures of forecast accuracy, IJF 22(4);
        the M4 Competitor's Guide.
    """
    kw = _common(
        id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
    )
    return _scaled(
        _core.mase,
        "mase",
        "mean_absolute",
        df,
        models,
        train_df,
        scale,
        seasonality,
        skip_leading_zeros,
        kw,
    )


@_doc
def rmsse(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    seasonality: int = 1,
    train_df: Any = None,
    scale: Any = None,
    skip_leading_zeros: bool = True,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Root mean squared scaled error per series and model (M5): ``RMSE / scale`` with
    ``scale = sqrt(mean (y_t - y_{t-m})^2)`` over the in-sample data from its first non-zero
    value, i.e. ``sqrt(mean (y - f)^2 / mean (y_t - y_{t-m})^2)``.

    Args:
        df: forecasts with actuals, as for ``mae``.
        models: aliases (or wide-layout columns) to score; default all.
        @scale
            A given scale is the root-mean-square difference itself (M5's published scales).
        skip_leading_zeros: start the in-sample data at its first non-zero value (M5).
        @common

    Returns:
        ``unique_id, [cutoff,] model, rmsse``.

    Raises:
        QuickstockError: as ``mase``.

    References:
        M5 Competitors' Guide (2020), section "Point forecasts".
    """
    kw = _common(
        id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
    )
    return _scaled(
        _core.rmsse,
        "rmsse",
        "root_mean_squared",
        df,
        models,
        train_df,
        scale,
        seasonality,
        skip_leading_zeros,
        kw,
    )


# -- quantile and interval metrics -----------------------------------------------------------------


@_doc
def pinball(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    quantiles: Sequence[float] | float | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Mean pinball (quantile) loss per series, model and quantile level:
    ``mean max(tau (y - q), (tau - 1)(y - q))``.

    Args:
        df: forecasts with actuals and quantile columns (``p10``, ``p50``, ``p97.5``…), long by
            model.
        models: aliases to score; default all.
        quantiles: levels to score (each needs its ``p`` column); default every quantile column.
        @common

    Returns:
        ``unique_id, [cutoff,] model, pinball_p10, pinball_p50, …``: one column per level.

    Raises:
        QuickstockError: as ``mae``, and for a level without its column.
    """
    kw = _common(
        id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
    )
    ev = _prepare(df, models, kw, needs_quantiles=True)
    out = {}
    for q, col in ev.quantiles(quantiles).items():
        out[f"pinball_{col}"] = _core.pinball(
            ev.actual, ev.column(col), q, col, ev.threads
        )
    return ev.result(out)


@_doc
def scaled_pinball(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    quantiles: Sequence[float] | float | None = None,
    seasonality: int = 1,
    train_df: Any = None,
    scale: Any = None,
    skip_leading_zeros: bool = True,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Scaled pinball loss per series, model and level (M5 uncertainty): ``pinball / scale`` with
    ``scale = mean |y_t - y_{t-1}|`` over the in-sample data from its first non-zero value.

    Args:
        df: forecasts with actuals and quantile columns, long by model.
        models: aliases to score; default all.
        quantiles: levels to score; default every quantile column.
        @scale
        skip_leading_zeros: start the in-sample data at its first non-zero value (M5).
        @common

    Returns:
        ``unique_id, [cutoff,] model, scaled_pinball_p10, …``: one column per level.

    Raises:
        QuickstockError: as ``pinball`` and ``mase``.

    References:
        M5 Competitors' Guide (2020), section "Probabilistic forecasts".
    """
    kw = _common(
        id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
    )
    ev = _prepare(df, models, kw, needs_quantiles=True)
    levels = ev.quantiles(quantiles)
    s = list(
        ev.scales(
            "mean_absolute",
            train_df,
            scale,
            seasonality,
            skip_leading_zeros,
            "the scaled pinball loss",
        )
    )
    out = {}
    for q, col in levels.items():
        out[f"scaled_pinball_{col}"] = _core.scaled_pinball(
            ev.actual, ev.column(col), q, s, col, ev.threads
        )
    return ev.result(out)


def _quantile_matrix(ev: _Evaluation, levels: dict[float, str]) -> np.ndarray:
    return np.ascontiguousarray(
        np.column_stack([ev.column(c) for c in levels.values()])
    )


@_doc
def crps(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    quantiles: Sequence[float] | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """CRPS per series and model, approximated from the quantile columns: twice the mean pinball
    loss over the levels, ``2 / J sum_j pinball(tau_j)``.

    ``CRPS = 2 ∫ pinball(tau) dtau`` over (0, 1); the mean over the available levels weighs each
    level equally, which is accurate for many evenly spaced levels and coarse for three
    (p10/p50/p90 score the central 80% of the distribution only). With the single level 0.5 it
    equals the MAE of the median.

    Args:
        df: forecasts with actuals and quantile columns, long by model.
        models: aliases to score; default all.
        quantiles: levels to use; default every quantile column.
        @common

    Returns:
        ``unique_id, [cutoff,] model, crps``.

    Raises:
        QuickstockError: as ``pinball``.

    References:
        Gneiting and Raftery (2007), Strictly proper scoring rules, prediction, and estimation,
        JASA 102(477).
    """
    kw = _common(
        id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
    )
    ev = _prepare(df, models, kw, needs_quantiles=True)
    levels = ev.quantiles(quantiles)
    values = _core.crps(
        ev.actual,
        _quantile_matrix(ev, levels),
        list(levels),
        list(levels.values()),
        ev.threads,
    )
    return ev.result({"crps": values})


@_doc
def coverage(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    level: float | Sequence[float] | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Interval coverage per series and model: the fraction of periods with
    ``lower <= y <= upper``.

    The ``L``% interval runs from quantile ``(1 - L/100)/2`` to ``(1 + L/100)/2``: level 80 uses
    ``p10``/``p90``, level 95 ``p2.5``/``p97.5``.

    Args:
        df: forecasts with actuals and quantile columns, long by model.
        models: aliases to score; default all.
        level: interval level(s) in percent; default every symmetric pair of quantile columns.
        @common

    Returns:
        ``unique_id, [cutoff,] model, coverage_80, …``: one column per level.

    Raises:
        QuickstockError: as ``mae``, for a level without its columns, and naming the series and
            row where the lower bound is above the upper one.
    """
    kw = _common(
        id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
    )
    ev = _prepare(df, models, kw, needs_quantiles=True)
    out = {}
    for name, lo, hi, _ in ev.intervals(level):
        out[f"coverage_{name}"] = _core.coverage(
            ev.actual, ev.column(lo), ev.column(hi), lo, hi, ev.threads
        )
    return ev.result(out)


@_doc
def msis(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    level: float | Sequence[float] | None = None,
    seasonality: int = 1,
    train_df: Any = None,
    scale: Any = None,
    skip_leading_zeros: bool = False,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Mean scaled interval score per series and model (M4) of the ``L``% interval
    (``alpha = 1 - L/100``):
    ``mean [(u - l) + 2/alpha (l - y) 1{y < l} + 2/alpha (y - u) 1{y > u}] / scale``,
    with MASE's scale ``mean_{t > m} |y_t - y_{t-m}|``.

    Args:
        df: forecasts with actuals and quantile columns, long by model.
        models: aliases to score; default all.
        level: interval level(s) in percent (M4: 95, i.e. ``p2.5``/``p97.5``); default every
            symmetric pair of quantile columns.
        @scale
        skip_leading_zeros: start the in-sample data at its first non-zero value (off in M4).
        @common

    Returns:
        ``unique_id, [cutoff,] model, msis_95, …``: one column per level.

    Raises:
        QuickstockError: as ``coverage`` and ``mase``.

    References:
        Gneiting and Raftery (2007); the M4 Competitor's Guide.
    """
    kw = _common(
        id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
    )
    ev = _prepare(df, models, kw, needs_quantiles=True)
    intervals = ev.intervals(level)
    s = list(
        ev.scales(
            "mean_absolute", train_df, scale, seasonality, skip_leading_zeros, "MSIS"
        )
    )
    out = {}
    for name, lo, hi, alpha in intervals:
        out[f"msis_{name}"] = _core.msis(
            ev.actual, ev.column(lo), ev.column(hi), alpha, s, lo, hi, ev.threads
        )
    return ev.result(out)


# -- weighted aggregates (M5) ----------------------------------------------------------------------


def _aggregate_result(
    ev: _Evaluation, name: str, values: list[float], blocks: list[tuple[int, int]]
) -> pd.DataFrame:
    first = [a for a, _ in blocks]
    out = ev.keys.iloc[first].drop(columns=[ev.id_col]).reset_index(drop=True)
    out[name] = np.asarray(values, dtype=np.float64)
    return out


@_doc
def wrmsse(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    weights: Any = None,
    seasonality: int = 1,
    train_df: Any = None,
    scale: Any = None,
    skip_leading_zeros: bool = True,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Weighted RMSSE (M5 accuracy) per model (and cutoff): ``sum_i w_i RMSSE_i`` over the series.

    Args:
        df: forecasts with actuals, as for ``mae``.
        models: aliases (or wide-layout columns) to score; default all.
        @weights
        @scale
            A given scale is the root-mean-square difference itself.
        skip_leading_zeros: start the in-sample data at its first non-zero value (M5).
        @common

    Returns:
        ``[cutoff,] model, wrmsse``: one row per model (and cutoff).

    Raises:
        QuickstockError: as ``rmsse``, and naming a series without a weight or with a negative
            one.

    References:
        M5 Competitors' Guide (2020): WRMSSE of one aggregation level.
    """
    kw = _common(
        id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
    )
    ev = _prepare(df, models, kw, series_last=True)
    f = ev.column(ev.forecast_col)
    s = ev.scales(
        "root_mean_squared", train_df, scale, seasonality, skip_leading_zeros, "WRMSSE"
    )
    w = ev.weights(weights, "WRMSSE")
    field = ev.point_field
    blocks = ev.blocks()
    values = []
    for a, b in blocks:
        lo, hi = int(ev.offsets[a]), int(ev.offsets[b])
        values.append(
            _core.wrmsse(
                ev.ragged(a, b), f[lo:hi], list(s[a:b]), list(w[a:b]), field, ev.threads
            )
        )
    return _aggregate_result(ev, "wrmsse", values, blocks)


@_doc
def wspl(
    df: Any,
    models: Sequence[str] | str | None = None,
    *,
    weights: Any = None,
    quantiles: Sequence[float] | None = None,
    seasonality: int = 1,
    train_df: Any = None,
    scale: Any = None,
    skip_leading_zeros: bool = True,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    model_col: str = "model",
    forecast_col: str = "mean",
    cutoff_col: str = "cutoff",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Weighted scaled pinball loss (M5 uncertainty) per model (and cutoff):
    ``sum_i w_i mean_j SPL_i(tau_j)``, the mean over the quantile levels (M5: the nine levels
    0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995).

    Args:
        df: forecasts with actuals and quantile columns, long by model.
        models: aliases to score; default all.
        @weights
        quantiles: levels to use; default every quantile column.
        @scale
        skip_leading_zeros: start the in-sample data at its first non-zero value (M5).
        @common

    Returns:
        ``[cutoff,] model, wspl``: one row per model (and cutoff).

    Raises:
        QuickstockError: as ``scaled_pinball`` and ``wrmsse``.

    References:
        M5 Competitors' Guide (2020): WSPL of one aggregation level.
    """
    kw = _common(
        id_col, time_col, target_col, model_col, forecast_col, cutoff_col, n_jobs
    )
    ev = _prepare(df, models, kw, needs_quantiles=True, series_last=True)
    levels = ev.quantiles(quantiles)
    qm = _quantile_matrix(ev, levels)
    s = ev.scales(
        "mean_absolute", train_df, scale, seasonality, skip_leading_zeros, "WSPL"
    )
    w = ev.weights(weights, "WSPL")
    blocks = ev.blocks()
    values = []
    for a, b in blocks:
        lo, hi = int(ev.offsets[a]), int(ev.offsets[b])
        values.append(
            _core.wspl(
                ev.ragged(a, b),
                np.ascontiguousarray(qm[lo:hi]),
                list(levels),
                list(s[a:b]),
                list(w[a:b]),
                list(levels.values()),
                ev.threads,
            )
        )
    return _aggregate_result(ev, "wspl", values, blocks)
