"""``Forecaster``: fit many models to every series of a long frame and forecast quantiles."""

from __future__ import annotations

import numbers
import os
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._errors import invalid
from ._frame import (
    PreparedFrame,
    check_horizon,
    check_quantiles,
    future_covariates,
    prepare,
    quantile_column,
    to_pandas,
)
from ._progress import Bar
from .models import Model

__all__ = ["Forecaster", "DEFAULT_QUANTILES"]

#: Quantiles returned when ``quantiles`` is not given: P10, P50, P90.
DEFAULT_QUANTILES = (0.1, 0.5, 0.9)


def _resolve_jobs(n_jobs: Any) -> int:
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        invalid(f"n_jobs must be an integer (got {n_jobs!r})", field="n_jobs")
    n = int(n_jobs)
    if n == 0 or n < -1:
        invalid(f"n_jobs must be -1 (all cores) or >= 1 (got {n})", field="n_jobs")
    return n if n > 0 else (os.cpu_count() or 1)


class Forecaster:
    """Fits models to every series of a panel and forecasts their quantiles.

    The input is a long table with ``unique_id``, ``ds`` and ``y`` (demand, >= 0); extra columns
    constant within each series are *series attributes* (carried to every output row), other
    extra columns must be numeric and are *covariates*. The C++ core validates the panel, fits
    each model in parallel over series with the GIL released, and gives the same output for any
    ``n_jobs``.

    Args:
        models: model specs, e.g. ``[qs.SeasonalNaive(season_length=7), qs.Naive()]``; their
            aliases must be distinct.
        freq: the data's frequency: a pandas alias (``"D"``, ``"h"``, ``"W-SUN"``, ``"MS"``…) or
            an integer step for an integer time index. It is checked against the data.
        n_jobs: threads; ``-1`` for all cores.
        id_col, time_col, target_col: column names of the series id, timestamp and demand.
        stockout_col: opt in to stockout-censored demand: a boolean (or 0/1) column that is
            true on days when sales were capped by stock, so demand >= sales that day. Models
            that support censoring (``CountRegression``, ``Croston``, ``CrostonSBA``, ``TSB``)
            treat those days as censored (demand >= sales, see their docs);
            any other model raises ``QuickstockError`` naming it and the column. The column is
            never a covariate. ``None`` (default): no censoring, the column (if present) is an
            ordinary extra column.
        available_col: the same opt-in from the quantity available for sale each day: a day
            is censored when sales >= available. At most one of the two may be given.
        verbose: a progress bar (tqdm, on stderr) of the series fitted by ``fit``,
            ``forecast`` and ``cross_validation``, shown once a call has run for a second.
            ``None`` (default): only in a terminal or a Jupyter notebook; ``False``: never.
            Ctrl-C during a fit stops it promptly (``KeyboardInterrupt``) with or without
            the bar.

    Example:
        >>> import quickstock as qs
        >>> df = qs.datasets.load_hyderabad()
        >>> fc = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D").fit(df)
        >>> fc.predict(h=7, quantiles=[0.1, 0.5, 0.9]).columns[:7].tolist()
        ['unique_id', 'ds', 'model', 'mean', 'p10', 'p50', 'p90']
    """

    def __init__(
        self,
        models: Sequence[Model],
        freq: Any,
        n_jobs: int = 1,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        stockout_col: str | None = None,
        available_col: str | None = None,
        verbose: bool | None = None,
    ) -> None:
        for name, value in (("stockout_col", stockout_col), ("available_col", available_col)):
            if value is not None and (not isinstance(value, str) or not value):
                invalid(f"{name} must be a column name or None (got {value!r})", field=name)
        if stockout_col is not None and available_col is not None:
            invalid("give at most one of stockout_col and available_col", field="stockout_col")
        self.stockout_col, self.available_col = stockout_col, available_col
        if isinstance(models, Model):
            models = [models]
        if isinstance(models, (str, bytes)) or not isinstance(models, Sequence) or not models:
            invalid("models must be a non-empty list of quickstock models", field="models")
        for m in models:
            if not isinstance(m, Model):
                invalid(f"{m!r} is not a quickstock model", field="models")
        aliases = [m.alias for m in models]
        dup = sorted({a for a in aliases if aliases.count(a) > 1})
        if dup:
            invalid(f"model aliases must be distinct; repeated: {dup} (set alias=)", field="models")
        self.models = list(models)
        self.freq = freq
        self.n_jobs = n_jobs
        if verbose is not None and not isinstance(verbose, bool):
            invalid(f"verbose must be True, False or None (got {verbose!r})", field="verbose")
        self.verbose = verbose
        self._threads = _resolve_jobs(n_jobs)
        self.id_col, self.time_col, self.target_col = id_col, time_col, target_col
        from ._frame import parse_freq

        parse_freq(freq)  # fail early on a bad alias

    def __repr__(self) -> str:
        return f"Forecaster(models={self.models!r}, freq={self.freq!r}, n_jobs={self.n_jobs!r})"

    # -- fitting ---------------------------------------------------------------------------
    @property
    def censor_col(self) -> str | None:
        """The column marking censored (stockout) days, or ``None`` without censoring."""
        return self.stockout_col or self.available_col

    def _prepare(self, df: Any) -> PreparedFrame:
        name = self.censor_col
        if name is None:
            return prepare(df, self.freq, self.id_col, self.time_col, self.target_col)
        frame = to_pandas(df)
        if name not in frame.columns:
            invalid(
                f"missing column {name!r} (the censoring column); the frame has "
                f"{list(map(str, frame.columns))}",
                field=name,
            )
        col = frame[name]
        if pd.api.types.is_bool_dtype(col.dtype):
            values = col.to_numpy(dtype=float, na_value=np.nan)
        else:
            values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(values)
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            invalid(
                f"the censoring column must be {'boolean' if self.stockout_col else 'numeric'} "
                f"and not missing (got {col.iloc[r]!r})",
                series=frame[self.id_col].iloc[r] if self.id_col in frame.columns else None,
                row=r,
                field=name,
            )
        if self.stockout_col is not None:
            flags = values != 0.0
        else:
            y = pd.to_numeric(frame[self.target_col], errors="coerce").to_numpy(dtype=float)
            flags = y >= values
        frame = frame.copy()
        frame[name] = flags.astype(np.float64)
        return prepare(
            frame, self.freq, self.id_col, self.time_col, self.target_col, covariate_last=name
        )

    def _censor_index(self, prepared: PreparedFrame) -> int | None:
        name = self.censor_col
        return None if name is None else prepared.covariates.index(name)

    def _specs(self, prepared: PreparedFrame) -> list[Any]:
        censor = self._censor_index(prepared)
        if censor is not None:
            refused = [m.alias for m in self.models if not m.supports_censoring]
            if refused:
                invalid(
                    f"models {refused} cannot use censored demand from column "
                    f"{self.censor_col!r}; only CountRegression, Croston, CrostonSBA and TSB "
                    "treat stockout days as censored. Fit those models with a Forecaster "
                    "without stockout_col/available_col",
                    field=str(self.censor_col),
                )
        freq = prepared.panel.frequency
        # A model pooled by a series attribute (CountRegression(pool_by=...)) needs the series
        # attributes to form its groups.
        return [
            m._core_spec(freq, censor)
            if getattr(m, "pool_by", None) is None
            else m._core_spec(freq, censor, prepared.attributes)
            for m in self.models
        ]

    def _fit_prepared(
        self, prepared: PreparedFrame, panel: Any = None, bar: Bar | None = None
    ) -> list[Any]:
        """Fits every model to ``panel`` (default: the prepared one), advancing ``bar`` (a fit
        bar of its own when None) by the series of each model as it goes."""
        specs = self._specs(prepared)
        panel = prepared.panel if panel is None else panel
        n = int(panel.n_series)
        own = bar is None
        if bar is None:
            bar = Bar(self.verbose, n * len(specs), "quickstock fit", "series", delayed=True)
        try:
            fitted = []
            for model, spec in zip(self.models, specs):
                bar.label(model.alias)
                fitted.append(_core.FittedModel(spec, panel, self._threads, bar.tracker(n)))
                bar.step(n=n)
            return fitted
        finally:
            if own:
                bar.close()

    def fit(self, df: Any) -> "Forecaster":
        """Validate ``df`` and fit every model to every series.

        Args:
            df: long frame (pandas, polars or pyarrow) with ``unique_id``, ``ds``, ``y``.

        Returns:
            self, fitted (``prepared_``, ``fitted_`` set).

        Raises:
            QuickstockError: naming the series, row and field of invalid input.
        """
        prepared = self._prepare(df)
        self.fitted_ = self._fit_prepared(prepared)
        self.prepared_ = prepared
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "fitted_"):
            invalid("call fit(df) before predict()", field="Forecaster")

    def coefficients(self) -> pd.DataFrame:
        """The fitted covariate coefficients of every model that has them, as a tidy frame.

        Models with covariate coefficients: ``ETS``/``AutoETS`` with ``covariates=True``
        (β̂ of the regression with ETS errors, standard errors from the GLS covariance),
        ``ARIMA``/``AutoARIMA`` (the ``xreg`` coefficients; standard errors not kept: NaN)
        and ``CountRegression`` (per unit of the covariate on the log mean; NaN standard
        errors). Other models contribute no rows. A covariate a fit did not use (constant over
        the history) has coefficient 0 and standard error NaN; the censoring column is not a
        covariate and is left out.

        Returns:
            DataFrame with columns ``unique_id`` (the frame's id column), ``model`` (alias),
            ``covariate``, ``coef`` and ``std_error``: one row per series, model and covariate,
            in series, model, covariate order.

        Raises:
            QuickstockError: when called before ``fit``.

        Example:
            >>> import pandas as pd, numpy as np, quickstock as qs
            >>> rng = np.random.default_rng(0)
            >>> promo = (rng.random(200) < 0.2).astype(float)
            >>> df = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=200),
            ...                    "y": 20 + 5 * promo + rng.normal(0, 1, 200), "promo": promo})
            >>> fc = qs.Forecaster([qs.AutoETS(covariates=True)], freq="D").fit(df)
            >>> fc.coefficients().columns.tolist()
            ['unique_id', 'model', 'covariate', 'coef', 'std_error']
        """
        self._check_fitted()
        prepared = self.prepared_
        names = list(prepared.covariates)
        keep = [j for j, c in enumerate(names) if c != self.censor_col]
        ids, models, covs, coefs, ses = [], [], [], [], []
        per_model = [(m.alias, f.coefficients()) for m, f in zip(self.models, self.fitted_)]
        for i, uid in enumerate(prepared.ids):
            for alias, rows in per_model:
                if not rows:
                    continue
                coef, se = rows[i]
                for j in keep:
                    ids.append(uid)
                    models.append(alias)
                    covs.append(names[j])
                    coefs.append(float(coef[j]) if j < len(coef) else 0.0)
                    ses.append(float(se[j]) if j < len(se) else float("nan"))
        return pd.DataFrame(
            {
                prepared.id_col: pd.Series(ids, dtype=object),
                "model": pd.Series(models, dtype=object),
                "covariate": pd.Series(covs, dtype=object),
                "coef": np.asarray(coefs, dtype=np.float64),
                "std_error": np.asarray(ses, dtype=np.float64),
            }
        )

    # -- forecasting -----------------------------------------------------------------------
    def predict(
        self,
        h: int,
        quantiles: Sequence[float] | None = None,
        X_df: Any = None,
    ) -> pd.DataFrame:
        """Forecast ``h`` periods past the end of each series.

        Args:
            h: horizon, >= 1.
            quantiles: levels in (0, 1); default ``[0.1, 0.5, 0.9]``. Each becomes a column named
                ``p`` + 100·q (``p10``, ``p2.5``).
            X_df: future covariates: ``unique_id``, ``ds`` and the covariate columns for every
                series and each of the ``h`` periods. Checked when given.

        Returns:
            Long frame ``unique_id, ds, model, mean, p…`` followed by the series attributes,
            sorted by series, then timestamp, then model (in the order given).

        Raises:
            QuickstockError: for a bad ``h``, quantile, or ``X_df``, naming the fault.
        """
        self._check_fitted()
        return self._predict(self.prepared_, self.fitted_, h, quantiles, X_df)

    def _predict(
        self,
        prepared: PreparedFrame,
        fitted: list[Any],
        h: Any,
        quantiles: Sequence[float] | None,
        X_df: Any,
    ) -> pd.DataFrame:
        h = check_horizon(h)
        levels = check_quantiles(DEFAULT_QUANTILES if quantiles is None else quantiles)
        first = prepared.panel.ends + 1
        x_future = self._future_x(prepared, fitted, h, X_df)
        blocks = self._forecast_blocks(fitted, h, levels, x_future)
        return self._assemble(prepared, first, h, levels, blocks)

    def _future_x(self, prepared: PreparedFrame, fitted: list[Any], h: int, X_df: Any) -> np.ndarray | None:
        """The ``(series · h) × covariates`` matrix the core forecasts with, from ``X_df`` (None
        when no model needs one); raises when a model uses covariates and ``X_df`` is missing."""
        first = prepared.panel.ends + 1
        x_future = None
        # The censoring flag (last covariate, if any) is not a covariate: X_df need not have it.
        censor = self._censor_index(prepared)
        real = [c for c in prepared.covariates if c != self.censor_col or censor is None]
        n_rows, k = len(prepared.ids) * h, len(prepared.covariates)
        if X_df is not None:
            x_future = future_covariates(X_df, prepared, h, first, real)
            x_future = x_future.reshape(n_rows, len(real))
            if censor is not None:
                x_future = np.ascontiguousarray(np.insert(x_future, censor, 0.0, axis=1))
        elif real:
            users = [m.alias for m, f in zip(self.models, fitted) if f.uses_covariates]
            if users:
                invalid(
                    f"models {users} use the covariates {real}: pass their "
                    f"future values as X_df (unique_id, ds and those columns for all {h} periods)",
                    field="X_df",
                )
        elif censor is not None:
            x_future = np.zeros((n_rows, k))
        return x_future

    def _forecast_blocks(
        self, fitted: list[Any], h: int, levels: list[float], x_future: np.ndarray | None
    ) -> list[tuple[str, np.ndarray, np.ndarray]]:
        blocks = []
        for model, f in zip(self.models, fitted):
            _, mean, quant = f.forecast(h, levels, True, self._threads, x_future)
            blocks.append((model.alias, mean, quant))
        return blocks

    def _assemble(
        self,
        prepared: PreparedFrame,
        first: np.ndarray,
        h: int,
        levels: list[float],
        blocks: list[tuple[str, np.ndarray, np.ndarray]],
        extra: dict[str, np.ndarray] | None = None,
    ) -> pd.DataFrame:
        n = len(prepared.ids)
        n_models = len(blocks)
        # Row order: series, then step, then model.
        series = np.repeat(np.arange(n), h * n_models)
        step = np.tile(np.repeat(np.arange(h), n_models), n)
        ordinals = first[series] + step
        ds = prepared.codec.decode(prepared.panel.frequency.timestamps(ordinals))
        model_col = np.tile(np.array([b[0] for b in blocks], dtype=object), n * h)
        mean = np.stack([b[1] for b in blocks], axis=2).reshape(-1)  # n × h × models
        # n × h × models × q, explicit shape so that an empty quantile list works too
        quant = np.stack([b[2] for b in blocks], axis=2).reshape(n * h * n_models, len(levels))
        cols: dict[str, Any] = {
            prepared.id_col: prepared.ids[series],
            prepared.time_col: ds,
        }
        if extra:
            cols.update({k: v for k, v in extra.items()})
        cols["model"] = model_col
        cols["mean"] = mean
        for j, q in enumerate(levels):
            cols[quantile_column(q)] = quant[:, j]
        out = pd.DataFrame(cols)
        if len(prepared.attributes.columns):
            attrs = prepared.attributes.iloc[series].reset_index(drop=True)
            out = pd.concat([out, attrs], axis=1)
        return out

    def sample_paths(
        self,
        h: int,
        n_paths: int = 1000,
        seed: int = 0,
        X_df: Any = None,
        correlation: float = 0.0,
    ) -> pd.DataFrame:
        """Simulate joint future paths of every series from every fitted model.

        Each model draws its own future (docs/sample-paths.md): ETS runs its state space
        recursion, ARIMA its fitted process, the baselines and Theta their Gaussian random
        walks, the intermittent models and ``CountRegression`` integer counts; ``Ensemble`` and
        ``Conformal`` fall back to a Gaussian-copula draw from their forecast quantiles. Sums of
        a path over days (or, joined on ``path``, over series) therefore have the right
        spread, which adding quantiles never gives. Paths are censored at 0 as ``predict``
        censors its quantiles. The same ``seed`` gives the same paths for any ``n_jobs``.

        Args:
            h: horizon, >= 1.
            n_paths: paths per series, >= 1; series × ``n_paths`` × ``h`` must not exceed
                2e8 values.
            seed: non-negative integer; series ``i`` draws from the stream ``(seed, i)``.
            X_df: future covariates, as for ``predict``.
            correlation: day-to-day correlation of the copula fallback, in [0, 1); native
                simulations ignore it.

        Returns:
            Long frame ``unique_id, ds, path`` and one column of simulated demand per model
            alias (the column names of ``predict``'s ``model`` values), sorted by series, then
            path (0 … n_paths − 1), then timestamp. ``out.attrs["simulation"]`` maps each alias
            to ``"native"`` or ``"quantile_copula"``.

        Raises:
            QuickstockError: for a bad ``h``, ``n_paths``, ``seed``, ``correlation`` or
                ``X_df``, naming the argument.
        """
        self._check_fitted()
        h = check_horizon(h)
        if isinstance(n_paths, bool) or not isinstance(n_paths, numbers.Integral) or int(n_paths) < 1:
            invalid(f"n_paths must be an integer >= 1 (got {n_paths!r})", field="n_paths")
        n_paths = int(n_paths)
        if (
            isinstance(seed, bool)
            or not isinstance(seed, numbers.Integral)
            or not 0 <= int(seed) < 2**64
        ):
            invalid(f"seed must be an integer in [0, 2**64) (got {seed!r})", field="seed")
        if isinstance(correlation, bool) or not isinstance(correlation, numbers.Real):
            invalid(f"correlation must be a number in [0, 1) (got {correlation!r})", field="correlation")
        prepared = self.prepared_
        n = len(prepared.ids)
        if n * n_paths * h > 2e8:
            invalid(
                f"series x n_paths x h = {n * n_paths * h:,} values is above the cap of 2e8: "
                "ask for fewer paths, a shorter horizon or fewer series at a time",
                field="n_paths",
            )
        x_future = self._future_x(prepared, self.fitted_, h, X_df)
        first = prepared.panel.ends + 1
        series = np.repeat(np.arange(n), n_paths * h)
        step = np.tile(np.arange(h), n * n_paths)
        ds = prepared.codec.decode(prepared.panel.frequency.timestamps(first[series] + step))
        cols: dict[str, Any] = {
            prepared.id_col: prepared.ids[series],
            prepared.time_col: ds,
            "path": np.tile(np.repeat(np.arange(n_paths, dtype=np.int64), h), n),
        }
        clash = [m.alias for m in self.models if m.alias in cols]
        if clash:
            invalid(f"model aliases {clash} clash with the columns of the paths frame", field="models")
        simulation: dict[str, str] = {}
        for model, f in zip(self.models, self.fitted_):
            _, paths, how = f.sample_paths(
                h, n_paths, int(seed), True, float(correlation), self._threads, x_future
            )
            cols[model.alias] = paths.reshape(-1)
            simulation[model.alias] = how
        out = pd.DataFrame(cols)
        out.attrs["simulation"] = simulation
        return out

    def forecast(
        self,
        df: Any,
        h: int,
        quantiles: Sequence[float] | None = None,
        X_df: Any = None,
    ) -> pd.DataFrame:
        """Fit to ``df`` and forecast ``h`` periods in one call (see ``fit`` and ``predict``).

        ``df`` may also be a Dask or Spark DataFrame: it is partitioned by series, each partition
        is forecast by the same code, and a frame of the same kind is returned whose rows equal
        the pandas result (see ``quickstock.distributed``). ``self`` stays unfitted then.
        """
        from .distributed import forecast_dask, forecast_spark, is_dask, is_spark

        if is_dask(df):
            return forecast_dask(self, df, check_horizon(h), quantiles, X_df)
        if is_spark(df):
            return forecast_spark(self, df, check_horizon(h), quantiles, X_df)
        return self.fit(df).predict(h=h, quantiles=quantiles, X_df=X_df)

    def plot(self, fcst: pd.DataFrame, df: Any = None, **kwargs: Any) -> Any:
        """Fan chart of ``fcst`` (from ``predict``) with the history ``df``; see
        ``quickstock.plotting.plot_forecast`` for the options. Returns the matplotlib Figure."""
        from .plotting import plot_forecast

        return plot_forecast(
            fcst, df, id_col=self.id_col, time_col=self.time_col, target_col=self.target_col, **kwargs
        )

    # -- persistence -----------------------------------------------------------------------
    def save(self, path: str) -> None:
        """Save the fitted forecaster to ``path`` in quickstock's versioned format (a zip of
        JSON and ``.npy`` arrays; never pickle). See ``quickstock.persistence``.

        Raises:
            QuickstockError: if not fitted, or the file cannot be written.
        """
        from .persistence import save

        save(self, path)

    @classmethod
    def load(cls, path: str) -> "Forecaster":
        """Load a forecaster saved by ``save``; it predicts exactly what the saved one did.

        Raises:
            QuickstockError: for a missing, damaged, foreign or newer-version file.
        """
        from .persistence import load

        return load(path)

    # -- backtesting -----------------------------------------------------------------------
    def cross_validation(
        self,
        df: Any,
        h: int,
        n_windows: int = 1,
        step_size: int | None = None,
        quantiles: Sequence[float] | None = None,
        refit: bool | int = True,
    ) -> pd.DataFrame:
        """Rolling-origin backtest: fit at ``n_windows`` cutoffs and forecast ``h`` periods.

        Window ``w`` (0 = oldest) holds out the last ``h + (n_windows - 1 - w) · step_size``
        observations of every series, fits on the rest and forecasts ``h`` periods, which are
        compared with the held-out actuals.

        With ``refit=False`` only the oldest window is fitted; each later window carries the
        previous window's fits forward to its longer history without estimating again (model
        form, parameters, initial states and coefficients kept, the filters run over the new
        observations; R's ``model =`` argument, statsforecast's ``refit=False``). An integer
        ``k`` fits windows 0, k, 2k, … and carries forward in between. Every forecast still
        uses only data before its cutoff. Models without estimated parameters forecast the same
        either way; models without a forward step (Theta, intermittent, CountRegression) are
        refitted. See docs/cross-validation.md.

        Args:
            df: long frame, as for ``fit``.
            h: horizon of each window, >= 1.
            n_windows: number of cutoffs, >= 1.
            step_size: periods between cutoffs; default ``h``.
            quantiles: as for ``predict``.
            refit: True (fit every window), False (fit the oldest only) or an integer >= 1
                (fit every ``refit``-th window; 1 is True).

        Returns:
            ``unique_id, ds, cutoff, y, model, mean, p…`` and the series attributes.

        Raises:
            QuickstockError: for bad arguments, or a series too short for the windows (named).
        """
        h = check_horizon(h)
        if isinstance(n_windows, bool) or not isinstance(n_windows, numbers.Integral) or n_windows < 1:
            invalid(f"n_windows must be an integer >= 1 (got {n_windows!r})", field="n_windows")
        if step_size is None:
            step_size = h
        if isinstance(step_size, bool) or not isinstance(step_size, numbers.Integral) or step_size < 1:
            invalid(f"step_size must be an integer >= 1 (got {step_size!r})", field="step_size")
        if isinstance(refit, bool):
            every = 1 if refit else 0
        elif isinstance(refit, numbers.Integral) and refit >= 1:
            every = int(refit)
        else:
            invalid(f"refit must be True, False or an integer >= 1 (got {refit!r})", field="refit")
        levels = check_quantiles(DEFAULT_QUANTILES if quantiles is None else quantiles)
        prepared = self._prepare(df)
        panel = prepared.panel
        n = panel.n_series
        k = len(prepared.covariates)
        covariates = panel.covariates.reshape(-1, k) if k else None
        frames = []
        bar = Bar(self.verbose, int(n_windows) * len(self.models) * n, "quickstock cross_validation",
                  "series", delayed=True)
        fitted: list[Any] = []
        try:
            for w in range(int(n_windows)):
                hold = h + (int(n_windows) - 1 - w) * int(step_size)
                train = panel.drop_last([hold] * n, 1)
                if w == 0 or (every and w % every == 0):
                    fitted = self._fit_prepared(prepared, train, bar)
                else:
                    fitted = self._forward(fitted, train, bar)
                frames.append(
                    self._cv_window(prepared, fitted, train, hold, h, levels, covariates)
                )
        finally:
            bar.close()
        out = pd.concat(frames, ignore_index=True)
        return out.sort_values(
            [prepared.id_col, "cutoff", prepared.time_col], kind="stable"
        ).reset_index(drop=True)

    def _forward(self, fitted: list[Any], panel: Any, bar: Bar) -> list[Any]:
        """Carries every model's fits to ``panel`` (``FittedModel.forward``), advancing ``bar``."""
        n = int(panel.n_series)
        out = []
        for model, f in zip(self.models, fitted):
            bar.label(model.alias)
            out.append(f.forward(panel, self._threads, bar.tracker(n)))
            bar.step(n=n)
        return out

    def _cv_window(
        self,
        prepared: PreparedFrame,
        fitted: list[Any],
        train: Any,
        hold: int,
        h: int,
        levels: list[float],
        covariates: np.ndarray | None,
    ) -> pd.DataFrame:
        """One cross-validation window's frame: the forecasts of ``fitted`` (fit on ``train``,
        the panel without its last ``hold`` periods) with the held-out actuals."""
        panel = prepared.panel
        n = panel.n_series
        offsets = panel.offsets
        values = panel.values
        first = train.ends + 1
        # Actuals and the known covariates of the held-out periods: position of step j of
        # series i in the full panel's values.
        lengths = np.diff(offsets)
        idx = offsets[:-1, None] + (lengths - hold)[:, None] + np.arange(h)[None, :]
        y = values[idx]  # n × h
        x_future = None
        if covariates is not None:
            x_future = np.ascontiguousarray(covariates[idx.reshape(-1)])
        blocks = self._forecast_blocks(fitted, h, levels, x_future)
        cutoff = prepared.codec.decode(panel.frequency.timestamps(first - 1))
        n_models = len(blocks)
        extra = {
            "cutoff": np.asarray(cutoff)[np.repeat(np.arange(n), h * n_models)],
            prepared.target_col: np.repeat(y.reshape(-1), n_models),
        }
        return self._assemble(prepared, first, h, levels, blocks, extra)
