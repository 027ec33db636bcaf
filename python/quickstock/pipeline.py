"""A declared, reproducible feature transform: fit on history, apply to history and future.

``FeaturePipeline`` runs a list of *steps* (calendar, Fourier, events, weather, price,
promotion, lag and window features) over a long ``unique_id, ds, y`` panel::

    pipe = qs.FeaturePipeline([qs.CalendarFeatures(), qs.FourierTerms(365.25, 3),
                               qs.EventFeatures(festivals="IN-TG", window=(-3, 1)),
                               qs.LagFeatures([14, 21])], freq="D", fill_value=0.0)
    X = pipe.fit_transform(train_df)              # unique_id, ds, y, <features>
    X_future = pipe.transform_future(train_df, h=14, X_df=future_inputs)
    fc = qs.Forecaster([...], freq="D").fit(X)
    fc.predict(h=14, X_df=X_future)

``fit`` fixes everything the features depend on (the feature columns, the grid, each series'
training price level...), so ``transform`` and ``transform_future`` give the same columns in
the same order. ``transform_future`` builds the frame of the ``h`` periods after each series'
last row and refuses, naming the feature, any feature that is not known that far ahead (a lag
of ``y`` shorter than ``h``). Calendar, Fourier and event features are vectorised numpy over the
whole panel; lags and windows run in the C++ kernels of :mod:`quickstock.features`. There is no
per-series Python loop. See ``docs/features.md``.
"""

from __future__ import annotations

import numbers
import re
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import _core
from . import features as _wf
from ._errors import invalid
from ._frame import parse_freq, to_pandas

__all__ = [
    "FeaturePipeline",
    "FeatureStep",
    "CalendarFeatures",
    "FourierTerms",
    "EventFeatures",
    "WeatherFeatures",
    "PriceFeatures",
    "PromotionFeatures",
    "LagFeatures",
    "RollingFeatures",
    "SeasonalRollingFeatures",
    "ExpandingFeatures",
    "EWMFeatures",
    "IMD_RAIN_BANDS",
]

_NS_PER_DAY = 86_400_000_000_000
_NS_PER_HOUR = 3_600_000_000_000

#: IMD's categories of 24-hour rainfall (mm), as (lower bound, name); a day belongs to the last
#: category whose lower bound it reaches. Band 0 is "no rain" (< 0.1 mm).
IMD_RAIN_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "no_rain"),
    (0.1, "very_light"),
    (2.5, "light"),
    (15.6, "moderate"),
    (64.5, "heavy"),
    (115.6, "very_heavy"),
    (204.5, "extremely_heavy"),
)


# ---------------------------------------------------------------------------------------------
# argument helpers


def _int(value: Any, field: str, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        invalid(f"{field} must be an integer (got {value!r})", field=field)
    if minimum is not None and int(value) < minimum:
        invalid(f"{field} must be >= {minimum} (got {value})", field=field)
    return int(value)


def _real(value: Any, field: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(float(value))
    ):
        invalid(f"{field} must be a finite number (got {value!r})", field=field)
    return float(value)


def _int_list(values: Any, field: str, minimum: int | None = None) -> list[int]:
    if isinstance(values, (numbers.Integral, np.integer)) and not isinstance(
        values, bool
    ):
        values = [values]
    if isinstance(values, (str, bytes)) or not isinstance(
        values, (Sequence, np.ndarray)
    ):
        invalid(
            f"{field} must be an integer or a list of integers (got {values!r})",
            field=field,
        )
    out = [_int(v, field, minimum) for v in values]
    if len(set(out)) != len(out):
        invalid(f"{field} repeats a value: {out}", field=field)
    return out


def _str_list(values: Any, field: str) -> list[str]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, (Sequence, np.ndarray)) or not all(
        isinstance(v, str) for v in values
    ):
        invalid(f"{field} must be a list of names (got {values!r})", field=field)
    return list(values)


def _quantile_levels(stats: list[str], quantiles: Any) -> list[float]:
    """The checked quantile levels (errors name ``stats`` or ``quantiles``)."""
    todo = _wf._stats(stats, quantiles)
    return [q for stat, q, _ in todo if stat == "quantile"] or [0.5]


def _shortest(x: float) -> str:
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def slug(name: str) -> str:
    """Feature-name stem of an event name: text before `` (`` and `` / ``, lower case, runs of
    other characters as ``_`` (``"Diwali (Deepavali)"`` → ``diwali``, ``"Father's day"`` →
    ``fathers_day``)."""
    text = re.sub(r"\(.*?\)", "", str(name)).split(" / ")[0]
    text = text.replace("'", "").replace("\u2019", "").lower()
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def _window(value: Any, field: str) -> tuple[int, int]:
    if (
        isinstance(value, (str, bytes))
        or not isinstance(value, (Sequence, np.ndarray))
        or len(value) != 2
    ):
        invalid(
            f"{field} must be a pair (first, last) of day offsets (got {value!r})",
            field=field,
        )
    lo, hi = _int(value[0], field), _int(value[1], field)
    if lo > hi:
        invalid(f"{field} must have first <= last (got {lo} > {hi})", field=field)
    return lo, hi


def _offset_name(stem: str, offset: int) -> str:
    if offset == 0:
        return stem
    return f"{stem}_m{-offset}" if offset < 0 else f"{stem}_p{offset}"


def _dates(col: pd.Series, field: str, name: str = "table") -> np.ndarray:
    """A column of dates/timestamps as naive datetime64[ns] (errors name the row)."""
    values = col
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    if not pd.api.types.is_datetime64_dtype(values.dtype):
        if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(
            values.dtype
        ):
            invalid(
                f"{name} column {field!r} must hold dates (got dtype {values.dtype})",
                field=field,
            )
        parsed = pd.to_datetime(values, errors="coerce", format="mixed")
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            parsed = parsed.dt.tz_localize(None)
        bad = parsed.isna().to_numpy() & values.notna().to_numpy()
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            invalid(
                f"cannot read {values.iloc[r]!r} as a date in {name}",
                row=r,
                field=field,
            )
        values = parsed
    out = values.to_numpy().astype("datetime64[ns]")
    nat = np.isnat(out)
    if nat.any():
        invalid(
            f"{name} has a missing date", row=int(np.flatnonzero(nat)[0]), field=field
        )
    return out


def _numeric(col: pd.Series, field: str, name: str = "df") -> np.ndarray:
    if pd.api.types.is_bool_dtype(col.dtype):
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    if not pd.api.types.is_numeric_dtype(col.dtype):
        invalid(
            f"{name} column {field!r} must be numeric (got dtype {col.dtype})",
            field=field,
        )
    out = col.to_numpy(dtype=np.float64, na_value=np.nan)
    inf = np.isinf(out)
    if inf.any():
        invalid(
            f"{name} column {field!r} is infinite",
            row=int(np.flatnonzero(inf)[0]),
            field=field,
        )
    return out


# ---------------------------------------------------------------------------------------------
# the panel seen by the steps


class PanelFrame:
    """A long panel sorted by series then time, as the steps see it.

    Attributes:
        frame: the rows, sorted, index 0..n-1 (input columns; future rows hold NaN for ``y``).
        codes: series number of each row (0..n_series-1, in ``ids`` order).
        ids: the ``unique_id`` of each series.
        offsets: CSR offsets (``n_series + 1``) of the rows of each series.
        ds: naive wall-clock timestamps (``datetime64[ns]``), or ``None`` for an integer index.
        ordinal: grid ordinal of each row (consecutive periods differ by 1).
        day: whole days since 1970-01-01 of each row (``None`` for an integer index).
        known: columns whose values are known at every row (all rows are history, or the
            column came from ``X_df``); the target is never known in the future.
        h: the horizon when the frame holds future rows (``0`` for history only).
        n_future: number of future rows of each series at the end of the frame.
        n_jobs: threads for the C++ kernels.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        codes: np.ndarray,
        ids: np.ndarray,
        ds: np.ndarray | None,
        ordinal: np.ndarray,
        known: set[str],
        h: int,
        n_future: int,
        n_jobs: int,
    ) -> None:
        self.frame = frame
        self.codes = codes
        self.ids = ids
        counts = np.bincount(codes, minlength=len(ids))
        self.offsets = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.offsets[1:])
        self.ds = ds
        self.ordinal = ordinal
        self.day = None if ds is None else ds.view(np.int64) // _NS_PER_DAY
        self.known = known
        self.h = h
        self.n_future = n_future
        self.n_jobs = n_jobs
        self.subdaily = False
        self.is_future = np.zeros(len(frame), dtype=bool)

    def __len__(self) -> int:
        return len(self.frame)

    def subset(self, rows: np.ndarray) -> "PanelFrame":
        """The panel restricted to ``rows`` (for steps that read each row alone; its
        ``offsets`` are those of the subset, so no window may run on it)."""
        sub = PanelFrame(
            self.frame.iloc[rows].reset_index(drop=True),
            self.codes[rows],
            self.ids,
            None if self.ds is None else self.ds[rows],
            self.ordinal[rows],
            self.known,
            self.h,
            self.n_future,
            self.n_jobs,
        )
        sub.subdaily = self.subdaily
        sub.is_future = self.is_future[rows]
        return sub

    def unique_times(self) -> tuple[np.ndarray, np.ndarray]:
        """Rows holding each distinct ordinal once, and each row's index into them: features
        of the time alone are computed once per timestamp and gathered."""
        if not hasattr(self, "_uniq"):
            _, first, inverse = np.unique(
                self.ordinal, return_index=True, return_inverse=True
            )
            self._uniq = (first, inverse.reshape(-1))
        return self._uniq

    def column(self, name: str, step: str) -> np.ndarray:
        if name not in self.frame.columns:
            invalid(
                f"{step} needs column {name!r}, which the frame does not have",
                field=name,
            )
        return np.ascontiguousarray(_numeric(self.frame[name], name))

    def need_datetimes(self, step: str) -> np.ndarray:
        if self.ds is None:
            invalid(f"{step} needs timestamps in ds, not an integer index", field="ds")
        return self.ds


# ---------------------------------------------------------------------------------------------
# steps


class FeatureStep:
    """Base of the pipeline steps. A step declares its input columns, learns what it needs in
    ``fit`` (at least ``feature_names_``) and computes its columns in ``transform``."""

    #: whether each row's features depend on that row alone (its time, key and inputs), so a
    #: future frame can compute them on the future rows only
    pointwise = False

    def inputs(self) -> list[str]:
        """Input columns read from the panel (besides ``unique_id`` and ``ds``)."""
        return []

    def fit(self, panel: PanelFrame) -> dict[str, np.ndarray]:
        """Learn the step's state from the training panel; returns its columns there."""
        cols = self._compute(panel)
        self.feature_names_ = list(cols.keys())
        return cols

    def transform(self, panel: PanelFrame) -> dict[str, np.ndarray]:
        out = self._compute(panel)
        return {k: out[k] for k in self.feature_names_}

    def check_future(self, panel: PanelFrame) -> None:
        """Raise if a feature of this step is not known ``panel.h`` steps ahead."""

    def max_lead(self) -> int:
        """How many periods past a row the step reads (leads), for the future frame."""
        return 0

    def _compute(self, panel: PanelFrame) -> dict[str, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._spec().items())
        return f"{type(self).__name__}({args})"

    def _spec(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in vars(self).items()
            if not k.endswith("_") and not k.startswith("_")
        }


_CALENDAR = (
    "dayofweek",
    "hour",
    "month",
    "dayofmonth",
    "dayofyear",
    "weekofyear",
    "weekend",
    "month_start",
    "payday",
    "month_end",
)
_ONE_HOT = {"dayofweek": range(7), "hour": range(24), "month": range(1, 13)}


class CalendarFeatures(FeatureStep):
    """Calendar features of each row's timestamp (wall-clock time; vectorised numpy).

    Columns (in the order of ``features``): ``dayofweek`` (0 = Monday … 6 = Sunday), ``hour``
    (0–23), ``month`` (1–12), ``dayofmonth`` (1–31), ``dayofyear`` (1–366), ``weekofyear``
    (ISO 8601 week, 1–53), ``weekend`` (1 on ``weekend_days``), ``month_start`` (1 on days 1 to
    ``month_start_days`` of the month: the first-week pay period), ``payday`` (1 on the days of
    ``paydays``; ``"last"`` is the month's last day and a day past the month's end, such as 31 in
    April, falls on its last day) and ``month_end`` (1 on the last ``month_end_days`` days).

    Args:
        features: which columns to make; default day of week, month, day of month, weekend and
            month start (add ``"hour"`` for hourly data).
        one_hot: for ``dayofweek``, ``hour`` and ``month``, 0/1 columns ``dayofweek_1`` …
            instead of one integer column; the first level (Monday, hour 0, January) is left
            out so the columns are not collinear with a model's intercept.
        weekend_days: days of week counted as weekend (0 = Monday); default Saturday and Sunday.
        month_start_days: days at the start of the month flagged by ``month_start`` (1–28).
        month_end_days: days at the end of the month flagged by ``month_end`` (1–28).
        paydays: days of the month (1–31, or ``"last"``) flagged by ``payday``.

    Raises:
        QuickstockError: for an unknown feature or a bad day, naming the argument; at transform
            time when ``ds`` is an integer index.
    """

    pointwise = True

    def __init__(
        self,
        features: Sequence[str] = (
            "dayofweek",
            "month",
            "dayofmonth",
            "weekend",
            "month_start",
        ),
        *,
        one_hot: bool = False,
        weekend_days: Sequence[int] = (5, 6),
        month_start_days: int = 7,
        month_end_days: int = 3,
        paydays: Sequence[int | str] = (1,),
    ) -> None:
        feats = _str_list(features, "features")
        for f in feats:
            if f not in _CALENDAR:
                invalid(
                    f"unknown calendar feature {f!r} (expected one of {list(_CALENDAR)})",
                    field="features",
                )
        if not feats or len(set(feats)) != len(feats):
            invalid(
                f"features must be a non-empty list without repeats (got {feats})",
                field="features",
            )
        self.features = feats
        self.one_hot = bool(one_hot)
        self.weekend_days = _int_list(weekend_days, "weekend_days", 0)
        if any(d > 6 for d in self.weekend_days):
            invalid(
                f"weekend_days must be in 0..6 (got {self.weekend_days})",
                field="weekend_days",
            )
        self.month_start_days = _int(month_start_days, "month_start_days", 1)
        self.month_end_days = _int(month_end_days, "month_end_days", 1)
        for name, v in (
            ("month_start_days", self.month_start_days),
            ("month_end_days", self.month_end_days),
        ):
            if v > 28:
                invalid(f"{name} must be in 1..28 (got {v})", field=name)
        days = (
            [paydays] if isinstance(paydays, (str, numbers.Integral)) else list(paydays)
        )
        checked: list[int | str] = []
        for d in days:
            if d == "last":
                checked.append("last")
            elif (
                isinstance(d, (numbers.Integral, np.integer))
                and not isinstance(d, bool)
                and 1 <= int(d) <= 31
            ):
                checked.append(int(d))
            else:
                invalid(
                    f"paydays must be days 1..31 or 'last' (got {d!r})", field="paydays"
                )
        if not checked:
            invalid("paydays must name at least one day", field="paydays")
        self.paydays = checked

    def _compute(self, panel: PanelFrame) -> dict[str, np.ndarray]:
        ds = panel.need_datetimes("CalendarFeatures")
        first, inverse = panel.unique_times()
        return {k: v[inverse] for k, v in calendar_columns(ds[first], self).items()}


def calendar_columns(ds: np.ndarray, spec: CalendarFeatures) -> dict[str, np.ndarray]:
    """The columns of ``spec`` for naive ``datetime64[ns]`` timestamps ``ds``."""
    ns = ds.view(np.int64)
    day = ns // _NS_PER_DAY
    month_start = ds.astype("datetime64[M]")
    dom = (ds.astype("datetime64[D]") - month_start.astype("datetime64[D]")).astype(
        np.int64
    ) + 1
    month_len = (
        (month_start + 1).astype("datetime64[D]") - month_start.astype("datetime64[D]")
    ).astype(np.int64)
    values: dict[str, np.ndarray] = {}
    for f in spec.features:
        v: np.ndarray
        if f == "dayofweek":
            v = (day + 3) % 7  # 1970-01-01 was a Thursday
        elif f == "hour":
            v = (ns - day * _NS_PER_DAY) // _NS_PER_HOUR
        elif f == "month":
            v = month_start.astype(np.int64) % 12 + 1
        elif f == "dayofmonth":
            v = dom
        elif f == "dayofyear":
            v = (
                ds.astype("datetime64[D]")
                - ds.astype("datetime64[Y]").astype("datetime64[D]")
            ).astype(np.int64) + 1
        elif f == "weekofyear":
            v = pd.DatetimeIndex(ds).isocalendar()["week"].to_numpy(dtype=np.int64)
        elif f == "weekend":
            v = np.isin((day + 3) % 7, spec.weekend_days)
        elif f == "month_start":
            v = dom <= spec.month_start_days
        elif f == "month_end":
            v = dom > month_len - spec.month_end_days
        else:  # payday
            v = np.zeros(len(ds), dtype=bool)
            for d in spec.paydays:
                target = month_len if d == "last" else np.minimum(int(d), month_len)
                v |= dom == target
        if spec.one_hot and f in _ONE_HOT:
            for level in list(_ONE_HOT[f])[1:]:
                values[f"{f}_{level}"] = (v == level).astype(np.float64)
        else:
            values[f] = v.astype(np.float64)
    return values


class FourierTerms(FeatureStep):
    """Fourier terms of one period: ``sin(2πk·t/P)`` and ``cos(2πk·t/P)`` for ``k = 1..K``.

    ``t`` is the grid ordinal of the row (periods since 1970-01-01 00:00 on the data's grid:
    days for ``"D"``, hours for ``"h"``, the integer itself for an integer index), the same for
    every series and for history and future, so the terms line up across series and
    continue past the training data. Use ``7`` and ``365.25`` for daily data, ``24`` and
    ``168`` for hourly data.

    Args:
        period: ``P`` in periods of the grid (> 1; need not be an integer).
        K: number of harmonics, ``1 <= K <= P/2`` (higher harmonics alias lower ones).

    Columns: ``fourier{P}_sin{k}``, ``fourier{P}_cos{k}`` (``P`` written shortest, e.g.
    ``fourier365.25_sin1``), sine then cosine for each ``k``; for ``K = P/2`` the last sine is
    identically 0 and is left out.

    Raises:
        QuickstockError: for ``period <= 1`` or ``K`` out of range, naming the argument.
    """

    pointwise = True

    def __init__(self, period: float, K: int = 1) -> None:
        self.period = _real(period, "period")
        if self.period <= 1.0:
            invalid(f"period must be > 1 (got {period})", field="period")
        self.K = _int(K, "K", 1)
        if 2 * self.K > self.period:
            invalid(
                f"K must be <= period / 2 = {self.period / 2:g} (got {self.K})",
                field="K",
            )

    def _compute(self, panel: PanelFrame) -> dict[str, np.ndarray]:
        first, inverse = panel.unique_times()
        return {
            k: v[inverse]
            for k, v in fourier_columns(
                panel.ordinal[first], self.period, self.K
            ).items()
        }


def fourier_columns(t: np.ndarray, period: float, K: int) -> dict[str, np.ndarray]:
    """Fourier terms of integer times ``t`` (reduced modulo the period first for accuracy)."""
    name = f"fourier{_shortest(period)}"
    out: dict[str, np.ndarray] = {}
    if float(period).is_integer():
        phase = np.mod(t, int(period)).astype(np.float64) / period
    else:
        phase = np.mod(t.astype(np.float64), period) / period
    for k in range(1, K + 1):
        angle = 2.0 * np.pi * np.mod(k * phase, 1.0)
        if not (2 * k == period):
            out[f"{name}_sin{k}"] = np.sin(angle)
        out[f"{name}_cos{k}"] = np.cos(angle)
    return out


class EventFeatures(FeatureStep):
    """Indicators of events (festivals, holidays, matches, promotions) with lead/lag windows.

    Events come from ``qs.festivals(...)`` (``festivals="IN-TG"`` or ``"IN"``) and/or a user
    table with columns ``date, name`` and optionally ``kind`` and the ``key`` column. Each event
    *group* — one per event name (``by="name"``, names turned into stems by ``slug``, so
    ``"Diwali (Deepavali)"`` is ``diwali``; names with the same stem are one group) or per kind
    (``by="kind"``) — gets one 0/1 column per
    day offset of its window: with ``window=(-3, 1)`` the columns ``diwali_m3, diwali_m2,
    diwali_m1, diwali, diwali_p1``; ``diwali_m3`` is 1 on the day three days before Diwali.
    On an hourly grid an event's date covers its 24 hours. Optionally ``{stem}_days_to`` (days
    until the next event of the group, 0 on the day) and ``{stem}_days_since``, capped at
    ``max_days``.

    ``fit`` keeps only the columns that are 1 somewhere in the training rows (an event that
    never falls in the history cannot be learned); ``feature_names_`` lists them.

    Args:
        table: user events, a frame with ``date``, ``name`` (and ``kind``, ``key``).
        festivals: ``"IN-TG"`` or ``"IN"`` to add ``qs.festivals`` rows (2015–2030); ``None``
            for none.
        names: keep only these events (names or stems); default all.
        kinds: keep only these kinds; default all.
        by: ``"name"`` or ``"kind"``.
        window: default ``(first, last)`` day offsets relative to the event day.
        windows: per-group windows, keyed by event name, stem or kind
            (``{"Diwali (Deepavali)": (-7, 2), "national_holiday": (0, 0)}``); a name or stem
            wins over a kind.
        days_to, days_since: add the distance columns.
        max_days: cap of the distance columns (>= 1).
        key: a column in both the table and the panel (e.g. ``state_id``): an event then applies
            only to series whose ``key`` equals the event's (M5's SNAP days per state).
        prefix: prepended to every column name (``"ev_"``).

    Raises:
        QuickstockError: naming the argument, column or row of a bad table, window or name.
    """

    pointwise = True

    def __init__(
        self,
        table: Any = None,
        *,
        festivals: str | None = None,
        names: Sequence[str] | None = None,
        kinds: Sequence[str] | None = None,
        by: str = "name",
        window: tuple[int, int] = (0, 0),
        windows: dict[str, tuple[int, int]] | None = None,
        days_to: bool = False,
        days_since: bool = False,
        max_days: int = 30,
        key: str | None = None,
        prefix: str = "",
    ) -> None:
        if by not in ("name", "kind"):
            invalid(f"by must be 'name' or 'kind' (got {by!r})", field="by")
        if table is None and festivals is None:
            invalid("give a table of events, festivals='IN-TG', or both", field="table")
        if not isinstance(prefix, str):
            invalid(f"prefix must be a string (got {prefix!r})", field="prefix")
        self.by = by
        self.window = _window(window, "window")
        self.windows = {
            str(k): _window(v, f"windows[{k!r}]") for k, v in (windows or {}).items()
        }
        self.days_to = bool(days_to)
        self.days_since = bool(days_since)
        self.max_days = _int(max_days, "max_days", 1)
        self.key = key
        self.prefix = prefix
        self.festivals = festivals
        self.names = None if names is None else _str_list(names, "names")
        self.kinds = None if kinds is None else _str_list(kinds, "kinds")
        self._events = self._read(table, festivals)

    def _spec(self) -> dict[str, Any]:
        spec = super()._spec()
        spec["table"] = f"<{len(self._events)} events>"
        return spec

    def _read(self, table: Any, festivals: str | None) -> pd.DataFrame:
        parts = []
        if festivals is not None:
            from .calendar import FIRST_DATE, LAST_DATE, festivals as _fest

            fest = _fest(FIRST_DATE, LAST_DATE, region=festivals)
            if self.key is not None:
                invalid(
                    "festivals apply to every series; use key only with a table",
                    field="key",
                )
            parts.append(
                pd.DataFrame(
                    {
                        "date": fest["date"].to_numpy(),
                        "name": fest["name"],
                        "kind": fest["kind"],
                    }
                )
            )
        if table is not None:
            t = to_pandas(table, "table")
            for col in ("date", "name"):
                if col not in t.columns:
                    invalid(
                        f"the events table needs columns date, name[, kind] (missing {col!r})",
                        field=col,
                    )
            names = t["name"]
            missing = names.isna().to_numpy()
            if missing.any():
                invalid(
                    "event name is missing",
                    row=int(np.flatnonzero(missing)[0]),
                    field="name",
                )
            user = pd.DataFrame(
                {
                    "date": _dates(t["date"], "date", "the events table"),
                    "name": names.astype(str).to_numpy(),
                    "kind": (
                        t["kind"].astype(str).to_numpy()
                        if "kind" in t.columns
                        else "event"
                    ),
                }
            )
            if self.key is not None:
                if self.key not in t.columns:
                    invalid(
                        f"the events table has no key column {self.key!r}",
                        field=self.key,
                    )
                user["key"] = t[self.key].astype(str).to_numpy()
            parts.append(user)
        ev = pd.concat(parts, ignore_index=True)
        ev["date"] = ev["date"].astype("datetime64[ns]")
        ev["stem"] = [slug(n) for n in ev["name"]]
        empty = (ev["stem"] == "").to_numpy()
        if empty.any():
            invalid(
                f"event name {ev['name'].iloc[int(np.flatnonzero(empty)[0])]!r} has no letters "
                "or digits",
                field="name",
            )
        if self.names is not None:
            wanted = set(self.names) | {slug(n) for n in self.names}
            ev = ev[ev["name"].isin(wanted) | ev["stem"].isin(wanted)]
            unknown = [
                n
                for n in self.names
                if n not in set(ev["name"]) and slug(n) not in set(ev["stem"])
            ]
            if unknown:
                invalid(f"no events named {unknown}", field="names")
        if self.kinds is not None:
            ev = ev[ev["kind"].isin(self.kinds)]
            if ev.empty:
                invalid(f"no events of kinds {self.kinds}", field="kinds")
        ev["group"] = ev["stem"] if self.by == "name" else [slug(k) for k in ev["kind"]]
        return ev.reset_index(drop=True)

    def inputs(self) -> list[str]:
        return [self.key] if self.key else []

    def _group_window(self, group: str) -> tuple[int, int]:
        ev = self._events[self._events["group"] == group]
        for label in list(ev["name"].unique()) + list(ev["stem"].unique()) + [group]:
            if label in self.windows:
                return self.windows[label]
        for kind in ev["kind"].unique():
            if kind in self.windows:
                return self.windows[kind]
        return self.window

    def _compute(self, panel: PanelFrame) -> dict[str, np.ndarray]:
        panel.need_datetimes("EventFeatures")
        day = panel.day
        assert day is not None
        ev = self._events
        ev_day = ev["date"].to_numpy().view(np.int64) // _NS_PER_DAY
        # Rows and events are matched on (key, day): one int64 per pair.
        if self.key is not None:
            if self.key not in panel.frame.columns:
                invalid(
                    f"EventFeatures needs the key column {self.key!r} in the frame",
                    field=self.key,
                )
            row_codes, row_uniq = pd.factorize(
                panel.frame[self.key], use_na_sentinel=False
            )
            cats = pd.Index(
                pd.unique(
                    np.concatenate(
                        [np.asarray(row_uniq).astype(str), ev["key"].to_numpy()]
                    )
                )
            )
            rk = cats.get_indexer(np.asarray(row_uniq).astype(str)).astype(np.int64)[
                row_codes
            ]
            ek = cats.get_indexer(ev["key"].to_numpy()).astype(np.int64)
        else:
            rk = np.zeros(len(day), dtype=np.int64)
            ek = np.zeros(len(ev), dtype=np.int64)
        span = np.int64(1 << 32)  # days fit easily: 2^32 days are 11 million years
        base = np.int64(1 << 31)  # days before 1970 stay non-negative inside a code
        # each distinct (key, day) is computed once and gathered to the rows
        row_code_all = rk * span + (day + base)
        row_code, inverse = np.unique(row_code_all, return_inverse=True)
        inverse = inverse.reshape(-1)
        rk = row_code // span
        out: dict[str, np.ndarray] = {}
        for group in pd.unique(ev["group"]):
            sel = (ev["group"] == group).to_numpy()
            codes = np.unique(ek[sel] * span + (ev_day[sel] + base))
            stem = self.prefix + group
            lo, hi = self._group_window(group)
            for offset in range(lo, hi + 1):
                # offset o: the row's day is o days after an event day (before it when o < 0)
                out[_offset_name(stem, offset)] = np.isin(
                    row_code - offset, codes
                ).astype(np.float64)
            if self.days_to or self.days_since:
                pos = np.searchsorted(codes, row_code, side="left")
                if self.days_to:
                    nxt = codes[np.minimum(pos, len(codes) - 1)]
                    dist = np.where(
                        (pos < len(codes)) & (nxt // span == rk),
                        nxt - row_code,
                        self.max_days,
                    )
                    out[f"{stem}_days_to"] = np.minimum(dist, self.max_days).astype(
                        np.float64
                    )
                if self.days_since:
                    pos_r = np.searchsorted(codes, row_code, side="right") - 1
                    prv = codes[np.maximum(pos_r, 0)]
                    dist = np.where(
                        (pos_r >= 0) & (prv // span == rk),
                        row_code - prv,
                        self.max_days,
                    )
                    out[f"{stem}_days_since"] = np.minimum(dist, self.max_days).astype(
                        np.float64
                    )
        return {k: v[inverse] for k, v in out.items()}

    def fit(self, panel: PanelFrame) -> dict[str, np.ndarray]:
        cols = self._compute(panel)
        seen = [
            n
            for n, v in cols.items()
            if n.endswith(("_days_to", "_days_since")) or v.any()
        ]
        if not seen:
            invalid(
                "no event of the table falls in the training rows (with its window)",
                field="table",
            )
        self.feature_names_ = seen
        return {k: cols[k] for k in seen}


class WeatherFeatures(FeatureStep):
    """Weather features joined to the panel by date (and by ``key`` if given).

    The weather table is daily (one row per date) or hourly; its features are computed on its
    own grid (per ``key``) and then joined: a daily table to daily rows by date and to hourly
    rows by the row's date; an hourly table to hourly rows by timestamp, and to daily rows after
    summing rain and taking the maximum temperature over each complete day (24 rows). So
    future rows need weather for their dates (a forecast): rows the table does not cover get
    NaN, which ``transform_future`` refuses naming the feature.

    Columns (``p`` = ``prefix``): ``{p}rain`` (mm per row of the table's grid), ``{p}rain_band``
    (IMD category of the day's total: 0 no rain, 1 very light ≥ 0.1 mm, 2 light ≥ 2.5, 3
    moderate ≥ 15.6, 4 heavy ≥ 64.5, 5 very heavy ≥ 115.6, 6 extremely heavy ≥ 204.5), with
    ``band_flags`` one 0/1 column ``{p}rain_{name}`` per band from very light up, ``{p}rainy_day``
    (day total ≥ 2.5 mm, IMD's rainy day), ``{p}rain_lag{k}``, ``{p}rain_sum{w}`` (the last ``w``
    periods including the current one, NaN unless all ``w`` are present), ``{p}monsoon``,
    ``{p}temp``, ``{p}heat`` (temperature > ``heat_threshold``) and ``{p}heat_excess``
    (degrees above it, else 0).

    Args:
        table: the weather frame (e.g. Open-Meteo's export: ``date``, ``precipitation``,
            ``temp_max``).
        date_col, rain_col, temp_col: its columns; ``temp_col=None`` drops the heat features.
        key: a column in both the table and the panel (a store's location), or ``None``.
        rain_lags: lags in periods of the table's grid.
        rain_sums: trailing windows in periods of the table's grid.
        band_flags: add one 0/1 column per IMD band.
        monsoon: ``"months"`` (flag ``monsoon_months``, default June–September, IMD's
            south-west monsoon season), ``"data"`` (per year, from the first day in June–July
            that starts 7 days with ≥ ``onset_mm`` of rain on ≥ 4 rainy days (≥ 2.5 mm) to the
            last day in September–October that ends such 7 days; the months rule for years whose
            June–October the table does not cover or where no such spell is found) or ``None``.
        monsoon_months: first and last month of the season.
        onset_mm: 7-day rain that marks the season in ``"data"`` mode (default 25 mm).
        heat_threshold: °C above which a day counts as hot.
        prefix: prepended to every column name.

    Raises:
        QuickstockError: for a missing or non-numeric column, a repeated or off-grid date (naming
            the row), or bad arguments.
    """

    pointwise = True

    def __init__(
        self,
        table: Any,
        *,
        date_col: str = "date",
        rain_col: str = "precipitation",
        temp_col: str | None = "temp_max",
        key: str | None = None,
        rain_lags: Sequence[int] = (1,),
        rain_sums: Sequence[int] = (3, 7),
        band_flags: bool = False,
        monsoon: str | None = "months",
        monsoon_months: tuple[int, int] = (6, 9),
        onset_mm: float = 25.0,
        heat_threshold: float = 35.0,
        prefix: str = "",
    ) -> None:
        t = to_pandas(table, "table")
        self.date_col, self.rain_col, self.temp_col, self.key = (
            date_col,
            rain_col,
            temp_col,
            key,
        )
        for col in (
            [date_col, rain_col]
            + ([temp_col] if temp_col else [])
            + ([key] if key else [])
        ):
            if col not in t.columns:
                invalid(f"the weather table has no column {col!r}", field=col)
        self.rain_lags = (
            _int_list(rain_lags, "rain_lags", 1)
            if len(np.atleast_1d(rain_lags))
            else []
        )
        self.rain_sums = (
            _int_list(rain_sums, "rain_sums", 1)
            if len(np.atleast_1d(rain_sums))
            else []
        )
        self.band_flags = bool(band_flags)
        if monsoon not in ("months", "data", None):
            invalid(
                f"monsoon must be 'months', 'data' or None (got {monsoon!r})",
                field="monsoon",
            )
        self.monsoon = monsoon
        lo, hi = _window(monsoon_months, "monsoon_months")
        if not 1 <= lo <= 12 or not 1 <= hi <= 12:
            invalid(
                f"monsoon_months must be months 1..12 (got {monsoon_months})",
                field="monsoon_months",
            )
        self.monsoon_months = (lo, hi)
        self.onset_mm = _real(onset_mm, "onset_mm")
        self.heat_threshold = _real(heat_threshold, "heat_threshold")
        self.prefix = prefix
        self._table = self._prepare(t)

    def _spec(self) -> dict[str, Any]:
        spec = super()._spec()
        spec["table"] = f"<{len(self._table)} rows, {self._resolution}>"
        return spec

    def _prepare(self, t: pd.DataFrame) -> pd.DataFrame:
        when = _dates(t[self.date_col], self.date_col, "the weather table")
        rain = _numeric(t[self.rain_col], self.rain_col, "the weather table")
        neg = rain < 0
        if neg.any():
            r = int(np.flatnonzero(neg)[0])
            invalid(f"rain must be >= 0 (got {rain[r]})", row=r, field=self.rain_col)
        temp = (
            _numeric(t[self.temp_col], self.temp_col, "the weather table")
            if self.temp_col
            else None
        )
        keys = (
            t[self.key].astype(str).to_numpy()
            if self.key
            else np.zeros(len(t), dtype=object)
        )
        codes, uniq = pd.factorize(keys, sort=True)
        order = np.lexsort((when, codes))
        ns = when.view(np.int64)[order]
        c = codes[order]
        same = c[1:] == c[:-1]
        step = np.diff(ns)[same]
        midnight = bool(np.all(ns % _NS_PER_DAY == 0))
        pos_step = step[step > 0]
        grid = (
            _NS_PER_DAY
            if midnight and (pos_step.size == 0 or pos_step.min() >= _NS_PER_DAY)
            else _NS_PER_HOUR
        )
        self._resolution = "daily" if grid == _NS_PER_DAY else "hourly"
        if np.any(ns % grid):
            r = int(order[np.flatnonzero(ns % grid)[0]])
            invalid(
                f"weather timestamps must be whole {'days' if grid == _NS_PER_DAY else 'hours'}",
                row=r,
                field=self.date_col,
            )
        bad = np.flatnonzero(same & (np.diff(ns) != grid))
        if bad.size:
            k = int(bad[0])
            r = int(order[k + 1])
            gap = (ns[k + 1] - ns[k]) / grid
            what = (
                "repeats a date"
                if gap == 0
                else f"skips {int(gap) - 1} period(s) after {pd.Timestamp(ns[k])}"
            )
            invalid(
                f"the weather table {what}; it must be a regular {self._resolution} grid",
                row=r,
                field=self.date_col,
            )
        return pd.DataFrame(
            {
                "key": uniq[c] if self.key else "",
                "t": ns,
                "rain": rain[order],
                "temp": temp[order] if temp is not None else np.nan,
            }
        )

    def inputs(self) -> list[str]:
        return [self.key] if self.key else []

    @staticmethod
    def _csr(keys: np.ndarray) -> np.ndarray:
        change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        return np.concatenate([[0], change, [len(keys)]]).astype(np.int64)

    def _daily(self, tab: pd.DataFrame) -> pd.DataFrame:
        """The table on a daily grid (hourly tables summed/maxed over complete days)."""
        if self._resolution == "daily":
            return tab
        day = tab["t"].to_numpy() // _NS_PER_DAY
        g = pd.DataFrame(
            {
                "key": tab["key"].to_numpy(),
                "day": day,
                "rain": tab["rain"].to_numpy(),
                "temp": tab["temp"].to_numpy(),
            }
        )
        agg = (
            g.groupby(["key", "day"], sort=True)
            .agg(rain=("rain", "sum"), n=("rain", "count"), temp=("temp", "max"))
            .reset_index()
        )
        agg.loc[agg["n"] < 24, "rain"] = np.nan
        out = pd.DataFrame(
            {
                "key": agg["key"].to_numpy(),
                "t": agg["day"].to_numpy() * _NS_PER_DAY,
                "rain": agg["rain"].to_numpy(),
                "temp": agg["temp"].to_numpy(),
            }
        )
        # complete the daily grid of each key, so window positions are days
        full = []
        for k, part in out.groupby("key", sort=True):
            days = np.arange(part["t"].min(), part["t"].max() + 1, _NS_PER_DAY)
            full.append(
                part.set_index("t")
                .reindex(days)
                .assign(key=k)
                .rename_axis("t")
                .reset_index()
            )
        return pd.concat(full, ignore_index=True)[["key", "t", "rain", "temp"]]

    def _features(
        self, tab: pd.DataFrame, daily: pd.DataFrame, panel_daily: bool, jobs: int
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Features on the table's own grid (``tab``) and on days (``daily``)."""
        p = self.prefix
        grid = daily if (panel_daily or self._resolution == "daily") else tab
        off = self._csr(grid["key"].to_numpy())
        rain = np.ascontiguousarray(grid["rain"].to_numpy(dtype=np.float64))
        feats: dict[str, np.ndarray] = {f"{p}rain": rain}
        for k in self.rain_lags:
            feats[f"{p}rain_lag{k}"] = _core.window_lag(rain, off, k, jobs)
        for w in self.rain_sums:
            feats[f"{p}rain_sum{w}"] = (
                _core.window_rolling(rain, off, "mean", w, w, 0, 0.5, jobs) * w
            )
        if self.temp_col:
            temp = grid["temp"].to_numpy(dtype=np.float64)
            feats[f"{p}temp"] = temp
        on_grid = pd.DataFrame(feats)
        on_grid.insert(0, "t", grid["t"].to_numpy())
        on_grid.insert(0, "key", grid["key"].to_numpy())
        # day-level features
        dr = daily["rain"].to_numpy(dtype=np.float64)
        band = np.searchsorted(
            np.array([b for b, _ in IMD_RAIN_BANDS[1:]]), dr, side="right"
        ).astype(np.float64)
        band[np.isnan(dr)] = np.nan
        dfeat: dict[str, np.ndarray] = {f"{p}rain_band": band}
        if self.band_flags:
            for i, (_, name) in enumerate(IMD_RAIN_BANDS[1:], start=1):
                dfeat[f"{p}rain_{name}"] = np.where(
                    np.isnan(band), np.nan, (band == i).astype(np.float64)
                )
        dfeat[f"{p}rainy_day"] = np.where(
            np.isnan(dr), np.nan, (dr >= 2.5).astype(np.float64)
        )
        dday = daily["t"].to_numpy() // _NS_PER_DAY
        if self.monsoon:
            dfeat[f"{p}monsoon"] = self._monsoon(
                daily["key"].to_numpy(), dday, dr, jobs
            )
        if self.temp_col:
            dt = daily["temp"].to_numpy(dtype=np.float64)
            dfeat[f"{p}heat"] = np.where(
                np.isnan(dt), np.nan, (dt > self.heat_threshold).astype(np.float64)
            )
            dfeat[f"{p}heat_excess"] = np.maximum(dt - self.heat_threshold, 0.0)
        on_day = pd.DataFrame(dfeat)
        on_day.insert(0, "day", dday)
        on_day.insert(0, "key", daily["key"].to_numpy())
        return on_grid, on_day

    def _monsoon(
        self, keys: np.ndarray, day: np.ndarray, rain: np.ndarray, jobs: int
    ) -> np.ndarray:
        dates = (day * _NS_PER_DAY).astype("datetime64[ns]")
        month = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
        lo, hi = self.monsoon_months
        by_months = (
            ((month >= lo) & (month <= hi))
            if lo <= hi
            else ((month >= lo) | (month <= hi))
        )
        flag = by_months.astype(np.float64)
        if self.monsoon == "months":
            return flag
        # 7-day totals (and rainy days, >= 2.5 mm) ending at each day and starting at each day
        off = self._csr(keys)
        r = np.ascontiguousarray(rain)
        wet = np.where(np.isnan(r), np.nan, (r >= 2.5).astype(np.float64))
        back = _core.window_rolling(r, off, "mean", 7, 7, 0, 0.5, jobs) * 7
        back_wet = _core.window_rolling(wet, off, "mean", 7, 7, 0, 0.5, jobs) * 7
        fwd = _core.window_lag(back, off, -6, jobs)
        fwd_wet = _core.window_lag(back_wet, off, -6, jobs)
        year = dates.astype("datetime64[Y]").astype(np.int64) + 1970
        onset = (month >= 6) & (month <= 7) & (fwd >= self.onset_mm) & (fwd_wet >= 4)
        end = (month >= 9) & (month <= 10) & (back >= self.onset_mm) & (back_wet >= 4)
        frame = pd.DataFrame({"key": keys, "year": year, "day": day})
        by = [frame["key"], frame["year"]]
        start = frame["day"].where(onset).groupby(by).transform("min")
        stop = frame["day"].where(end).groupby(by).transform("max")
        # a year is decided by the data when the table covers June..October of it (153 days)
        n_cov = (
            pd.Series(((month >= 6) & (month <= 10) & ~np.isnan(r)).astype(np.int64))
            .groupby(by)
            .transform("sum")
        )
        decided = (n_cov >= 153) & start.notna() & stop.notna()
        in_season = (frame["day"] >= start) & (frame["day"] <= stop)
        return np.where(decided.to_numpy(), in_season.to_numpy(dtype=np.float64), flag)

    def _compute(self, panel: PanelFrame) -> dict[str, np.ndarray]:
        ds = panel.need_datetimes("WeatherFeatures")
        if self.key and self.key not in panel.frame.columns:
            invalid(
                f"WeatherFeatures needs the key column {self.key!r} in the frame",
                field=self.key,
            )
        row_key = (
            panel.frame[self.key].astype(str).to_numpy()
            if self.key
            else np.full(len(ds), "", dtype=object)
        )
        ns = ds.view(np.int64)
        panel_daily = not panel.subdaily
        tab = self._table
        daily = self._daily(tab)
        on_grid, on_day = self._features(tab, daily, panel_daily, panel.n_jobs)
        # join: grid features by timestamp (hourly on hourly) or by day; day features by day
        if self._resolution == "hourly" and not panel_daily:
            left = pd.DataFrame({"key": row_key, "t": ns})
        else:
            left = pd.DataFrame(
                {"key": row_key, "t": (ns // _NS_PER_DAY) * _NS_PER_DAY}
            )
        g = left.merge(on_grid, on=["key", "t"], how="left", indicator=True)
        missing = panel.is_future & (g["_merge"] == "left_only").to_numpy()
        if missing.any():
            r = int(np.flatnonzero(missing)[0])
            where = f" for {self.key} {row_key[r]!r}" if self.key else ""
            invalid(
                f"the weather table has no row{where} at {pd.Timestamp(int(ns[r]))} (it ends "
                f"{pd.Timestamp(int(on_grid['t'].max()))}); future rows need a weather forecast",
                series=panel.ids[panel.codes[r]],
                field=self.date_col,
            )
        d = pd.DataFrame({"key": row_key, "day": ns // _NS_PER_DAY}).merge(
            on_day, on=["key", "day"], how="left"
        )
        out = {
            c: g[c].to_numpy(dtype=np.float64)
            for c in on_grid.columns
            if c not in ("key", "t")
        }
        out.update(
            {
                c: d[c].to_numpy(dtype=np.float64)
                for c in on_day.columns
                if c not in ("key", "day")
            }
        )
        return out


class _ColumnStep(FeatureStep):
    """A step reading one numeric column; lags are positions of the series."""

    column: str

    def inputs(self) -> list[str]:
        return [self.column]

    def _lags_needed(self) -> list[tuple[str, int]]:
        """(feature, lag) pairs: the feature at ``t`` reads the column at ``t - lag`` and later."""
        return []

    def check_future(self, panel: PanelFrame) -> None:
        if self.column in panel.known:
            return
        for feature, lag in self._lags_needed():
            if feature in self.feature_names_ and lag < panel.h:
                what = f"lag {lag}" if lag >= 0 else f"lead {-lag}"
                invalid(
                    f"feature {feature!r} reads {self.column!r} at {what}, which is not known "
                    f"{panel.h} steps ahead; use a lag >= {panel.h} (the horizon) or give "
                    f"{self.column!r} in X_df",
                    field=feature,
                )


class PriceFeatures(_ColumnStep):
    """Price features of a numeric price column (known in the future: give it in ``X_df``).

    Columns (``c`` = ``column``): ``{c}_rel{w}`` = price / the series' rolling ``reference``
    (``"max"`` or ``"mean"``) of the last ``w`` prices including the current one;
    ``{c}_discount{w}`` = max(0, 1 − price / rolling max of ``w``) (the depth of a cut below the
    recent regular price); ``{c}_change{k}`` = price / price ``k`` periods earlier − 1;
    ``{c}_rel_train`` = price / the series' mean training price (learned by ``fit``, so history
    and future share one reference); with ``regular_col``, ``{c}_discount`` = max(0, 1 − price /
    regular price). Missing prices (an item not on sale) stay NaN.

    Args:
        column: the price column.
        windows: rolling windows in periods (>= 1).
        reference: ``"max"`` or ``"mean"`` for ``{c}_rel{w}``.
        changes: periods for ``{c}_change{k}`` (>= 1).
        discount: add ``{c}_discount{w}``.
        relative_to_train: add ``{c}_rel_train``.
        regular_col: a column holding the regular (list) price, or ``None``.

    Raises:
        QuickstockError: for a missing, non-numeric or non-positive price (naming the row), or bad
            arguments.
    """

    def __init__(
        self,
        column: str = "price",
        *,
        windows: Sequence[int] = (28,),
        reference: str = "max",
        changes: Sequence[int] = (1,),
        discount: bool = True,
        relative_to_train: bool = True,
        regular_col: str | None = None,
    ) -> None:
        self.column = column
        self.windows = (
            _int_list(windows, "windows", 1) if len(np.atleast_1d(windows)) else []
        )
        if reference not in ("max", "mean"):
            invalid(
                f"reference must be 'max' or 'mean' (got {reference!r})",
                field="reference",
            )
        self.reference = reference
        self.changes = (
            _int_list(changes, "changes", 1) if len(np.atleast_1d(changes)) else []
        )
        self.discount = bool(discount)
        self.relative_to_train = bool(relative_to_train)
        self.regular_col = regular_col

    def inputs(self) -> list[str]:
        return [self.column] + ([self.regular_col] if self.regular_col else [])

    def _price(self, panel: PanelFrame, col: str) -> np.ndarray:
        p = panel.column(col, "PriceFeatures")
        bad = p <= 0
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            invalid(
                f"price must be > 0 (got {p[r]})",
                series=panel.ids[panel.codes[r]],
                field=col,
            )
        return p

    def fit(self, panel: PanelFrame) -> dict[str, np.ndarray]:
        p = self._price(panel, self.column)
        valid = ~np.isnan(p)
        total = np.bincount(
            panel.codes[valid], weights=p[valid], minlength=len(panel.ids)
        )
        count = np.bincount(panel.codes[valid], minlength=len(panel.ids))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = total / count
        self.train_mean_ = pd.Series(mean, index=pd.Index(panel.ids, dtype=object))
        return super().fit(panel)

    def _compute(self, panel: PanelFrame) -> dict[str, np.ndarray]:
        p = self._price(panel, self.column)
        c, off, jobs = self.column, panel.offsets, panel.n_jobs
        out: dict[str, np.ndarray] = {}
        for w in self.windows:
            ref = _core.window_rolling(p, off, self.reference, w, 1, 0, 0.5, jobs)
            out[f"{c}_rel{w}"] = p / ref
            if self.discount:
                top = (
                    ref
                    if self.reference == "max"
                    else _core.window_rolling(p, off, "max", w, 1, 0, 0.5, jobs)
                )
                out[f"{c}_discount{w}"] = np.maximum(1.0 - p / top, 0.0)
        for k in self.changes:
            out[f"{c}_change{k}"] = p / _core.window_lag(p, off, k, jobs) - 1.0
        if self.relative_to_train:
            if hasattr(self, "train_mean_"):
                ref = self.train_mean_.reindex(
                    pd.Index(panel.ids, dtype=object)
                ).to_numpy(dtype=np.float64)
            else:
                ref = np.full(len(panel.ids), np.nan)
            out[f"{c}_rel_train"] = p / ref[panel.codes]
        if self.regular_col:
            reg = self._price(panel, self.regular_col)
            out[f"{c}_discount"] = np.maximum(1.0 - p / reg, 0.0)
        return out


class PromotionFeatures(_ColumnStep):
    """Promotion flags of a numeric column and their lags and leads.

    ``{c}_flag`` is 1 where the column is above ``threshold`` (a promotion runs), 0 where it is not,
    NaN where it is missing; ``{c}_lag{k}`` is the flag ``k`` periods earlier (the after-promotion
    dip) and ``{c}_lead{k}`` the flag ``k`` periods later (customers waiting for a promotion
    they know of). Leads in the future frame need ``X_df`` to cover ``max(leads)`` periods past
    the horizon.

    Args:
        column: the promotion column (a 0/1 flag, a discount depth, a count of promoted SKUs…).
        lags, leads: periods (>= 1).
        threshold: values above it count as a promotion.

    Raises:
        QuickstockError: for a missing or non-numeric column, or bad arguments.
    """

    def __init__(
        self,
        column: str = "promo",
        *,
        lags: Sequence[int] = (1,),
        leads: Sequence[int] = (1,),
        threshold: float = 0.0,
    ) -> None:
        self.column = column
        self.lags = _int_list(lags, "lags", 1) if len(np.atleast_1d(lags)) else []
        self.leads = _int_list(leads, "leads", 1) if len(np.atleast_1d(leads)) else []
        self.threshold = _real(threshold, "threshold")

    def max_lead(self) -> int:
        return max(self.leads, default=0)

    def _lags_needed(self) -> list[tuple[str, int]]:
        c = self.column
        return (
            [(f"{c}_flag", 0)]
            + [(f"{c}_lag{k}", k) for k in self.lags]
            + [(f"{c}_lead{k}", -k) for k in self.leads]
        )

    def _compute(self, panel: PanelFrame) -> dict[str, np.ndarray]:
        x = panel.column(self.column, "PromotionFeatures")
        flag = np.where(np.isnan(x), np.nan, (x > self.threshold).astype(np.float64))
        c, off, jobs = self.column, panel.offsets, panel.n_jobs
        out = {f"{c}_flag": flag}
        for k in self.lags:
            out[f"{c}_lag{k}"] = _core.window_lag(flag, off, k, jobs)
        for k in self.leads:
            out[f"{c}_lead{k}"] = _core.window_lag(flag, off, -k, jobs)
        return out


class _WindowStep(_ColumnStep):
    """Lag/window features of :mod:`quickstock.features` as a pipeline step.

    Every feature of a window step is shifted by its ``lag`` (``LagFeatures`` overrides this).
    """

    lag: int

    def _lags_needed(self) -> list[tuple[str, int]]:
        return [(n, self.lag) for n in getattr(self, "feature_names_", [])]

    def _call(
        self, values: np.ndarray, offsets: np.ndarray, jobs: int
    ) -> pd.DataFrame:  # pragma: no cover
        raise NotImplementedError

    def _compute(self, panel: PanelFrame) -> dict[str, np.ndarray]:
        x = panel.column(self.column, type(self).__name__)
        res = self._call(x, panel.offsets, panel.n_jobs)
        return {c: res[c].to_numpy() for c in res.columns}


class LagFeatures(_WindowStep):
    """Lags of a column (``{column}_lag{k}``), per series: ``qs.features.lag``.

    A lag of the target shorter than the horizon is refused by ``transform_future``.

    Args:
        lags: positive shifts (periods).
        column: the column; default the target ``y``.
    """

    def __init__(self, lags: int | Sequence[int], column: str = "y") -> None:
        self.lags = _int_list(lags, "lags", 1)
        self.column = column

    def _lags_needed(self) -> list[tuple[str, int]]:
        return [(f"{self.column}_lag{k}", k) for k in self.lags]

    def _call(self, values: np.ndarray, offsets: np.ndarray, jobs: int) -> pd.DataFrame:
        return _wf.lag(values, self.column, self.lags, offsets=offsets, n_jobs=jobs)


class RollingFeatures(_WindowStep):
    """Rolling statistics of a column, shifted by ``lag`` (``qs.features.rolling``): columns
    ``{column}_roll{window}_{stat}_lag{lag}``. Known ``lag`` periods ahead.

    Args:
        window: positions per window.
        stats: ``mean``, ``std``, ``min``, ``max``, ``quantile``.
        lag: shift (>= 0); for the target it must reach the horizon at predict time.
        min_periods: valid values needed; default 1 (so short histories give values).
        quantiles: levels for ``quantile``.
        column: the column; default ``y``.
    """

    def __init__(
        self,
        window: int,
        stats: str | Sequence[str] = ("mean",),
        *,
        lag: int = 1,
        min_periods: int | None = 1,
        quantiles: Sequence[float] = (0.5,),
        column: str = "y",
    ) -> None:
        self.window = _int(window, "window", 1)
        self.stats = [stats] if isinstance(stats, str) else list(stats)
        self.lag = _int(lag, "lag", 0)
        self.min_periods = min_periods
        self.quantiles = _quantile_levels(self.stats, quantiles)
        self.column = column
        _wf._window_args(self.window, min_periods, lag)

    def _call(self, values: np.ndarray, offsets: np.ndarray, jobs: int) -> pd.DataFrame:
        return _wf.rolling(
            values,
            self.column,
            self.window,
            self.stats,
            lag=self.lag,
            min_periods=self.min_periods,
            quantiles=self.quantiles,
            offsets=offsets,
            n_jobs=jobs,
        )


class SeasonalRollingFeatures(_WindowStep):
    """Seasonal rolling statistics (``qs.features.seasonal_rolling``): the statistic of
    ``y[t], y[t-m], …`` shifted by ``lag``; columns ``{column}_sroll{m}x{window}_{stat}_lag{lag}``.

    Args:
        season_length: ``m``.
        window: values per window, ``m`` apart.
        stats: as for ``RollingFeatures``.
        lag: shift (>= 0); default ``season_length``.
        min_periods: valid values needed; default 1.
        quantiles: levels for ``quantile``.
        column: the column; default ``y``.
    """

    def __init__(
        self,
        season_length: int,
        window: int,
        stats: str | Sequence[str] = ("mean",),
        *,
        lag: int | None = None,
        min_periods: int | None = 1,
        quantiles: Sequence[float] = (0.5,),
        column: str = "y",
    ) -> None:
        self.season_length = _int(season_length, "season_length", 1)
        self.window = _int(window, "window", 1)
        self.stats = [stats] if isinstance(stats, str) else list(stats)
        self.lag = self.season_length if lag is None else _int(lag, "lag", 0)
        self.min_periods = min_periods
        self.quantiles = _quantile_levels(self.stats, quantiles)
        self.column = column
        _wf._window_args(self.window, min_periods, self.lag)

    def _call(self, values: np.ndarray, offsets: np.ndarray, jobs: int) -> pd.DataFrame:
        return _wf.seasonal_rolling(
            values,
            self.column,
            self.season_length,
            self.window,
            self.stats,
            lag=self.lag,
            min_periods=self.min_periods,
            quantiles=self.quantiles,
            offsets=offsets,
            n_jobs=jobs,
        )


class ExpandingFeatures(_WindowStep):
    """Expanding statistics shifted by ``lag`` (``qs.features.expanding``): columns
    ``{column}_expanding_{stat}_lag{lag}``.

    Args:
        stats: as for ``RollingFeatures``.
        lag: shift (>= 0).
        min_periods: valid values needed (default 1).
        quantiles: levels for ``quantile``.
        column: the column; default ``y``.
    """

    def __init__(
        self,
        stats: str | Sequence[str] = ("mean",),
        *,
        lag: int = 1,
        min_periods: int = 1,
        quantiles: Sequence[float] = (0.5,),
        column: str = "y",
    ) -> None:
        self.stats = [stats] if isinstance(stats, str) else list(stats)
        self.lag = _int(lag, "lag", 0)
        self.min_periods = _int(min_periods, "min_periods", 0)
        self.quantiles = _quantile_levels(self.stats, quantiles)
        self.column = column

    def _call(self, values: np.ndarray, offsets: np.ndarray, jobs: int) -> pd.DataFrame:
        return _wf.expanding(
            values,
            self.column,
            self.stats,
            lag=self.lag,
            min_periods=self.min_periods,
            quantiles=self.quantiles,
            offsets=offsets,
            n_jobs=jobs,
        )


class EWMFeatures(_WindowStep):
    """Exponentially weighted means shifted by ``lag`` (``qs.features.ewm``): columns
    ``{column}_ewm{alpha}_lag{lag}``.

    Args:
        alpha: smoothing in (0, 1], or a list.
        lag: shift (>= 0).
        min_periods: valid values seen before a result (default 1).
        column: the column; default ``y``.
    """

    def __init__(
        self,
        alpha: float | Sequence[float],
        *,
        lag: int = 1,
        min_periods: int = 1,
        column: str = "y",
    ) -> None:
        self.alpha = (
            [float(alpha)]
            if isinstance(alpha, numbers.Real) and not isinstance(alpha, bool)
            else (
                list(alpha)
                if isinstance(alpha, (Sequence, np.ndarray))
                and not isinstance(alpha, str)
                else [alpha]
            )  # type: ignore[list-item]
        )
        self.lag = _int(lag, "lag", 0)
        self.min_periods = _int(min_periods, "min_periods", 0)
        self.column = column
        for a in self.alpha:
            if (
                isinstance(a, bool)
                or not isinstance(a, numbers.Real)
                or not 0.0 < float(a) <= 1.0
            ):
                invalid(f"alpha must be in (0, 1] (got {a!r})", field="alpha")

    def _call(self, values: np.ndarray, offsets: np.ndarray, jobs: int) -> pd.DataFrame:
        return _wf.ewm(
            values,
            self.column,
            self.alpha,
            lag=self.lag,
            min_periods=self.min_periods,
            offsets=offsets,
            n_jobs=jobs,
        )


# ---------------------------------------------------------------------------------------------
# the pipeline


class FeaturePipeline:
    """A declared list of feature steps: fit on training data, then build the same feature
    columns for history (``transform``) and for the ``h`` periods after it
    (``transform_future``), ready for ``Forecaster.fit`` and ``Forecaster.predict(X_df=...)``.

    Args:
        steps: the steps, e.g. ``[qs.CalendarFeatures(), qs.FourierTerms(7, 2),
            qs.LagFeatures([7, 14])]``. Their column names must not clash.
        freq: the data's frequency (``"D"``, ``"h"``, ``"W-SUN"``…, or an integer step); rows
            must lie on it without gaps or repeats within each series.
        fill_value: replaces NaN features (the first rows of a lag, a missing price) when given;
            ``None`` keeps NaN in ``transform`` and makes ``transform_future`` refuse NaN.
        drop_leading_na: drop each series' first rows until every feature is present (before
            ``fill_value`` applies), so early rows without lags are not filled with a constant.
        passthrough: input columns copied to the output (e.g. ``["price", "promo"]`` or series
            attributes); in ``transform_future`` they come from ``X_df``, or, for a column
            constant within each series, from the history.
        id_col, time_col, target_col: column names.
        n_jobs: threads of the C++ kernels (-1: all cores); results do not depend on it.

    Attributes:
        feature_names_: the feature columns, in output order (after ``fit``).

    Example:
        >>> import quickstock as qs
        >>> df = qs.datasets.load_hyderabad()[["unique_id", "ds", "y", "price", "promo"]]
        >>> pipe = qs.FeaturePipeline([qs.CalendarFeatures(), qs.LagFeatures([14])], freq="D",
        ...                           fill_value=0.0)
        >>> X = pipe.fit_transform(df)
        >>> Xf = pipe.transform_future(df, h=14)
        >>> list(Xf.columns) == ["unique_id", "ds"] + pipe.feature_names_
        True
    """

    def __init__(
        self,
        steps: Sequence[FeatureStep],
        freq: Any,
        *,
        fill_value: float | None = None,
        drop_leading_na: bool = False,
        passthrough: Sequence[str] = (),
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        n_jobs: int = 1,
    ) -> None:
        if isinstance(steps, FeatureStep):
            steps = [steps]
        if (
            isinstance(steps, (str, bytes))
            or not isinstance(steps, Sequence)
            or not steps
        ):
            invalid("steps must be a non-empty list of feature steps", field="steps")
        for s in steps:
            if not isinstance(s, FeatureStep):
                invalid(
                    f"{s!r} is not a feature step (e.g. qs.CalendarFeatures())",
                    field="steps",
                )
        self.steps = list(steps)
        self.freq = freq
        self._freq = parse_freq(freq)
        self.fill_value = (
            None if fill_value is None else _real(fill_value, "fill_value")
        )
        self.drop_leading_na = bool(drop_leading_na)
        self.passthrough = _str_list(list(passthrough), "passthrough")
        self.id_col, self.time_col, self.target_col = id_col, time_col, target_col
        self.n_jobs = n_jobs
        self._threads = _wf._resolve_jobs(n_jobs)

    def __repr__(self) -> str:
        return f"FeaturePipeline(steps={self.steps!r}, freq={self.freq!r}, fill_value={self.fill_value!r})"

    # -- reading the panel ---------------------------------------------------------------
    def _read(
        self, df: Any, name: str = "df", need_target: bool = True
    ) -> tuple[pd.DataFrame, np.ndarray | None, np.ndarray]:
        frame = to_pandas(df, name)
        cols = [self.id_col, self.time_col] + ([self.target_col] if need_target else [])
        for col in cols:
            if col not in frame.columns:
                invalid(f"{name} is missing column {col!r}", field=col)
        if len(frame) == 0:
            invalid(f"{name} is empty", field=name)
        ids = frame[self.id_col]
        if ids.isna().any():
            invalid(
                f"{self.id_col} is missing",
                row=int(np.flatnonzero(ids.isna().to_numpy())[0]),
                field=self.id_col,
            )
        if self._freq.is_integer:
            if not pd.api.types.is_integer_dtype(frame[self.time_col].dtype):
                invalid(
                    f"an integer freq needs integer {self.time_col} (got {frame[self.time_col].dtype})",
                    field=self.time_col,
                )
            return frame, None, frame[self.time_col].to_numpy(dtype=np.int64)
        ds = _dates(frame[self.time_col], self.time_col, name)
        return frame, ds, ds.view(np.int64)

    def _panel(
        self, frame: pd.DataFrame, ds: np.ndarray | None, t: np.ndarray, name: str
    ) -> tuple[PanelFrame, np.ndarray]:
        codes, uniq = pd.factorize(frame[self.id_col], sort=True)
        codes = codes.astype(np.int64)
        ids = np.asarray(uniq, dtype=object)
        order = np.lexsort((t, codes))
        anchor = (
            self._freq
            if self._freq.is_integer
            else self._freq.anchored_at(int(t[order[0]]))
        )
        self._anchor = anchor
        ordinal = anchor.ordinals(
            t[order], [str(i) for i in ids], codes[order], order.astype(np.int64)
        )
        c = codes[order]
        same = c[1:] == c[:-1]
        step = np.diff(ordinal)
        bad = np.flatnonzero(same & (step != 1))
        if bad.size:
            k = int(bad[0])
            r = int(order[k + 1])
            if step[k] == 0:
                invalid(
                    f"{name} repeats this (unique_id, ds) (also row {int(order[k])})",
                    series=ids[c[k]],
                    row=r,
                    field=self.time_col,
                )
            invalid(
                f"{name} has a gap of {int(step[k]) - 1} period(s) before this row; feature "
                "windows count periods, so fill the gap first",
                series=ids[c[k]],
                row=r,
                field=self.time_col,
            )
        sorted_frame = frame.iloc[order].reset_index(drop=True)
        if ds is not None:
            sorted_frame[self.time_col] = ds[order]
        panel = PanelFrame(
            sorted_frame,
            c,
            ids,
            None if ds is None else ds[order],
            ordinal,
            set(frame.columns),
            0,
            0,
            self._threads,
        )
        panel.subdaily = self._subdaily()
        return panel, order

    def _subdaily(self) -> bool:
        alias = self._freq.alias
        base = alias.lstrip("0123456789").split("-")[0]
        return not self._freq.is_integer and base in ("h", "H", "min", "T", "s", "S")

    def _run(
        self, panel: PanelFrame, rows: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Every feature, at all rows or (given ``rows``) at those rows only: steps of the
        row's own time/key (calendar, Fourier, events, weather) are then computed on those
        rows alone, window steps on the whole panel and taken at ``rows``."""
        out: dict[str, np.ndarray] = {}
        sub = None if rows is None else panel.subset(rows)
        for s in self.steps:
            if sub is not None and s.pointwise:
                cols = s.transform(sub)
            else:
                cols = s.transform(panel)
                if rows is not None:
                    cols = {k: np.asarray(v)[rows] for k, v in cols.items()}
            for k, v in cols.items():
                out[k] = np.asarray(v, dtype=np.float64)
        return out

    # -- public API ----------------------------------------------------------------------
    def fit(self, df: Any) -> "FeaturePipeline":
        """Learn the steps' state from the training frame ``df`` (``unique_id, ds, y`` and the
        steps' input columns).

        Returns:
            self, with ``feature_names_`` set.

        Raises:
            QuickstockError: for missing columns, repeated or off-grid timestamps, gaps, or a step's
                bad input, naming the series, row and column.
        """
        self._fit(df)
        del self._fitted_columns
        return self

    def _fit(self, df: Any) -> PanelFrame:
        frame, ds, t = self._read(df)
        dtype = frame[self.time_col].dtype
        self._tz = dtype.tz if isinstance(dtype, pd.DatetimeTZDtype) else None
        for col in self.passthrough:
            if col not in frame.columns:
                invalid(f"passthrough column {col!r} is not in the frame", field=col)
        panel, _ = self._panel(frame, ds, t, "df")
        names: list[str] = []
        self._fitted_columns = {}
        for s in self.steps:
            cols = s.fit(panel)
            self._fitted_columns.update(
                {k: np.asarray(v, dtype=np.float64) for k, v in cols.items()}
            )
            for n in s.feature_names_:
                if n in names or n in (
                    self.id_col,
                    self.time_col,
                    self.target_col,
                    *self.passthrough,
                ):
                    invalid(
                        f"two steps make the column {n!r}; set a prefix or change one",
                        field=n,
                    )
                names.append(n)
        self.feature_names_ = names
        return panel

    def _check_fitted(self) -> None:
        if not hasattr(self, "feature_names_"):
            invalid("call fit(df) first", field="FeaturePipeline")

    def _output(
        self,
        panel: PanelFrame,
        feats: dict[str, np.ndarray],
        rows: np.ndarray,
        with_target: bool,
        feats_at_rows: bool = False,
    ) -> pd.DataFrame:
        names = [self.id_col, self.time_col]
        names += [self.target_col] if with_target else []
        names += self.passthrough
        # pandas take keeps each column's dtype (arrow strings stay arrow: no object round trip)
        head = panel.frame[names].take(rows).reset_index(drop=True)
        if getattr(self, "_tz", None) is not None and not self._freq.is_integer:
            head[self.time_col] = pd.DatetimeIndex(head[self.time_col]).tz_localize(
                self._tz
            )
        block = np.empty(
            (len(rows), len(self.feature_names_)), dtype=np.float64, order="F"
        )
        every = feats_at_rows or len(rows) == len(panel)  # rows is then 0..n-1
        for j, n in enumerate(self.feature_names_):
            dst = block[:, j]
            dst[...] = feats[n] if every else feats[n][rows]
            if self.fill_value is not None:
                np.putmask(dst, np.isnan(dst), self.fill_value)
        return pd.concat(
            [head, pd.DataFrame(block, columns=self.feature_names_, copy=False)], axis=1
        )

    def transform(self, df: Any) -> pd.DataFrame:
        """Features of the history ``df`` with the fitted state.

        Returns:
            ``unique_id, ds, y``, the ``passthrough`` columns and ``feature_names_``, sorted by
            series then time (rows dropped by ``drop_leading_na``; NaN replaced by
            ``fill_value`` when set).

        Raises:
            QuickstockError: as ``fit``.
        """
        self._check_fitted()
        frame, ds, t = self._read(df)
        panel, _ = self._panel(frame, ds, t, "df")
        return self._history(panel, self._run(panel))

    def _history(self, panel: PanelFrame, feats: dict[str, np.ndarray]) -> pd.DataFrame:
        keep = np.ones(len(panel), dtype=bool)
        if self.drop_leading_na and self.feature_names_:
            ok = np.ones(len(panel), dtype=bool)
            for n in self.feature_names_:
                ok &= ~np.isnan(feats[n])
            # first complete row of each series; rows before it go
            pos = np.arange(len(panel))
            first_ok = np.full(len(panel.ids), np.iinfo(np.int64).max)
            np.minimum.at(first_ok, panel.codes[ok], pos[ok])
            keep = pos >= first_ok[panel.codes]
        return self._output(panel, feats, np.flatnonzero(keep), True)

    def fit_transform(self, df: Any) -> pd.DataFrame:
        """``fit(df)`` then ``transform(df)``, computing each feature once."""
        panel = self._fit(df)
        feats = self._fitted_columns
        del self._fitted_columns
        return self._history(panel, feats)

    def transform_future(self, df: Any, h: int, X_df: Any = None) -> pd.DataFrame:
        """The feature frame of the ``h`` periods after each series' last row of ``df``.

        Args:
            df: the history (normally the training frame), for lags and windows.
            h: horizon (>= 1).
            X_df: future values of input columns (``unique_id, ds`` and e.g. ``price``,
                ``promo``) for at least the ``h`` periods; rows past the horizon feed leads.

        Returns:
            ``unique_id, ds``, the ``passthrough`` columns and ``feature_names_`` (the columns of
            ``transform`` without ``y``), ``h`` rows per series, sorted: the ``X_df`` for
            ``Forecaster.predict``.

        Raises:
            QuickstockError: naming the feature when it is not known ``h`` periods ahead (a lag of
                ``y`` shorter than ``h``), or naming the series, ``ds`` and column when a future
                input is missing or a feature comes out NaN without ``fill_value``.
        """
        self._check_fitted()
        from ._frame import check_horizon

        h = check_horizon(h)
        frame, ds, t = self._read(df)
        panel, _ = self._panel(frame, ds, t, "df")
        n = len(panel.ids)
        known = {self.id_col, self.time_col}
        fx = None
        if X_df is not None:
            fx, _, _ = self._read(X_df, "X_df", need_target=False)
            known |= set(fx.columns) - {self.target_col}
        panel.known = known
        panel.h = h
        for s in self.steps:
            s.check_future(panel)
        horizon = h + max((s.max_lead() for s in self.steps), default=0)
        last = panel.ordinal[panel.offsets[1:] - 1]
        fut_ord = (last[:, None] + np.arange(1, horizon + 1)[None, :]).reshape(-1)
        fut_codes = np.repeat(np.arange(n, dtype=np.int64), horizon)
        fut_t = self._anchor.timestamps(fut_ord)
        fut = pd.DataFrame(
            {
                self.id_col: panel.ids[fut_codes],
                self.time_col: (
                    fut_t if self._freq.is_integer else fut_t.astype("datetime64[ns]")
                ),
            }
        )
        needed = sorted(
            {c for s in self.steps for c in s.inputs()} | set(self.passthrough)
        )
        for c in needed:
            if c == self.target_col:
                continue
            if fx is not None and c in fx.columns:
                continue
            # columns constant within every series (attributes) carry over
            col = panel.frame[c]
            first = col.iloc[panel.offsets[:-1]].to_numpy()
            same = (col.to_numpy() == first[panel.codes]) | (
                pd.isna(col.to_numpy()) & pd.isna(first[panel.codes])
            )
            if not np.all(same):
                invalid(
                    f"column {c!r} changes over time, so its future values must be given in X_df",
                    field=c,
                )
            fut[c] = first[fut_codes]
        if fx is not None:
            fut = self._merge_future(
                fut, fx, panel, fut_codes, fut_ord, h, horizon, needed
            )
        fut[self.target_col] = np.nan
        both = pd.concat(
            [panel.frame[[c for c in fut.columns]], fut], ignore_index=True
        )
        # rebuild the panel on history + future, sorted by series then time
        codes_all = np.concatenate([panel.codes, fut_codes])
        ord_all = np.concatenate([panel.ordinal, fut_ord])
        order = np.lexsort((ord_all, codes_all))
        both = both.iloc[order].reset_index(drop=True)
        ds_all = (
            None
            if panel.ds is None
            else np.concatenate([panel.ds, fut_t.astype("datetime64[ns]")])[order]
        )
        full = PanelFrame(
            both,
            codes_all[order],
            panel.ids,
            ds_all,
            ord_all[order],
            known,
            h,
            horizon,
            self._threads,
        )
        full.subdaily = panel.subdaily
        full.is_future = np.concatenate(
            [np.zeros(len(panel), dtype=bool), np.ones(len(fut), dtype=bool)]
        )[order]
        lengths = np.diff(panel.offsets)
        start = full.offsets[:-1] + lengths  # first future row of each series
        rows = (start[:, None] + np.arange(h)[None, :]).reshape(-1)
        feats = self._run(full, rows)
        out = self._output(full, feats, rows, False, feats_at_rows=True)
        if self.fill_value is not None:
            out[self.feature_names_] = out[self.feature_names_].fillna(self.fill_value)
        else:
            vals = out[self.feature_names_].to_numpy(dtype=np.float64)
            bad = np.isnan(vals)
            if bad.any():
                r, j = (int(v) for v in np.argwhere(bad)[0])
                name = self.feature_names_[j]
                invalid(
                    f"feature {name!r} is not known at {out[self.time_col].iloc[r]} "
                    "(NaN: a missing future input, weather the table does not cover, or a window "
                    "with no history); give the input or set fill_value",
                    series=out[self.id_col].iloc[r],
                    field=name,
                )
        return out

    def _merge_future(
        self,
        fut: pd.DataFrame,
        fx: pd.DataFrame,
        panel: PanelFrame,
        fut_codes: np.ndarray,
        fut_ord: np.ndarray,
        h: int,
        horizon: int,
        needed: list[str],
    ) -> pd.DataFrame:
        lookup = pd.Index(panel.ids)
        pos = lookup.get_indexer(fx[self.id_col])
        if (pos < 0).any():
            r = int(np.flatnonzero(pos < 0)[0])
            invalid(
                "X_df has a series not in df",
                series=fx[self.id_col].iloc[r],
                row=r,
                field=self.id_col,
            )
        if self._freq.is_integer:
            tx = fx[self.time_col].to_numpy(dtype=np.int64)
        else:
            tx = _dates(fx[self.time_col], self.time_col, "X_df").view(np.int64)
        ordx = self._anchor.ordinals(
            tx,
            [str(i) for i in panel.ids],
            pos.astype(np.int64),
            np.arange(len(fx), dtype=np.int64),
        )
        last = panel.ordinal[panel.offsets[1:] - 1]
        step = ordx - last[pos]
        inside = (step >= 1) & (step <= horizon)
        cell = pos[inside].astype(np.int64) * horizon + (step[inside] - 1)
        u, cnt = np.unique(cell, return_counts=True)
        if (cnt > 1).any():
            r = int(np.flatnonzero(inside)[np.flatnonzero(cell == u[cnt > 1][0])[1]])
            invalid(
                "X_df repeats this (unique_id, ds)",
                series=fx[self.id_col].iloc[r],
                row=r,
                field=self.time_col,
            )
        have = np.zeros(len(panel.ids) * horizon, dtype=bool)
        have[cell] = True
        cols = [c for c in needed if c in fx.columns and c != self.target_col]
        need_h = have.reshape(len(panel.ids), horizon)[:, :h]
        if cols and not need_h.all():
            i, j = map(int, np.argwhere(~need_h)[0])
            when = self._anchor.timestamps(np.array([last[i] + j + 1], dtype=np.int64))
            stamp = when[0] if self._freq.is_integer else pd.Timestamp(int(when[0]))
            invalid(
                f"X_df has no row for forecast step {j + 1} (ds {stamp}); it needs every series "
                f"for all {h} periods",
                series=panel.ids[i],
                field=self.time_col,
            )
        src = np.flatnonzero(inside)
        for c in cols:
            col = fx[c].iloc[src]
            if pd.api.types.is_numeric_dtype(col.dtype) or pd.api.types.is_bool_dtype(
                col.dtype
            ):
                vals = np.full(len(panel.ids) * horizon, np.nan)
                vals[cell] = _numeric(col, c, "X_df")
            else:  # a key or attribute column (e.g. state_id)
                vals = np.full(len(panel.ids) * horizon, None, dtype=object)
                vals[cell] = col.to_numpy(dtype=object)
            fut[c] = vals
        return fut
