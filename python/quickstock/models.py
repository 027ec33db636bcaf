"""Model specs: configuration only. ``Forecaster`` fits them to every series of a panel.

Each class mirrors the C++ spec of the same name (``quickstock::SeasonalNaive`` ↔
``qs.SeasonalNaive``). Every model takes ``alias=``, the name used in the ``model`` column of
outputs (by default the class name).
"""

from __future__ import annotations

import numbers
from typing import Any

from . import _core
from ._errors import invalid

__all__ = [
    "Model",
    "Naive",
    "SeasonalNaive",
    "HistoricAverage",
    "WindowAverage",
    "SeasonalWindowAverage",
    "RandomWalkWithDrift",
    "ETS",
    "AutoETS",
    "ARIMA",
    "AutoARIMA",
]


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        invalid(f"{name} must be an integer >= 1 (got {value!r})", field=name)
    return int(value)


class Model:
    """Base of every model spec.

    Args:
        alias: name of the model in outputs; defaults to the class name.
    """

    _spec: Any

    def __init__(self, alias: str | None = None) -> None:
        if alias is not None and (not isinstance(alias, str) or not alias):
            invalid(f"alias must be a non-empty string (got {alias!r})", field="alias")
        self.alias = alias or type(self).__name__

    @property
    def spec(self) -> Any:
        """The C++ spec this model fits (private ``quickstock._core`` object)."""
        return self._spec

    def _params(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        args = [f"{k}={v!r}" for k, v in self._params().items()]
        if self.alias != type(self).__name__:
            args.append(f"alias={self.alias!r}")
        return f"{type(self).__name__}({', '.join(args)})"

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and self._params() == other._params()  # type: ignore[attr-defined]
            and self.alias == other.alias  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self._params().items()), self.alias))


class Naive(Model):
    """Last value carried forward.

    Quantiles are Normal with variance σ²·h, σ² the mean squared one-step change: the
    analytic intervals of R ``forecast::naive``. One observation gives zero width.

    Args:
        alias: name in outputs (default ``"Naive"``).

    References:
        Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §5.2 and §5.5.
    """

    def __init__(self, alias: str | None = None) -> None:
        super().__init__(alias)
        self._spec = _core.Naive()


class SeasonalNaive(Model):
    """Value of the same season one cycle back.

    Quantiles are Normal with variance σ²·⌈h/m⌉, σ² the mean squared seasonal difference: R
    ``forecast::snaive``. Series shorter than one season fall back to ``Naive``.

    Args:
        season_length: m, observations per cycle (7 for daily data with a weekly pattern).
        alias: name in outputs (default ``"SeasonalNaive"``).
    """

    def __init__(self, season_length: int, alias: str | None = None) -> None:
        super().__init__(alias)
        self.season_length = _positive_int(season_length, "season_length")
        self._spec = _core.SeasonalNaive(season_length=self.season_length)

    def _params(self) -> dict[str, Any]:
        return {"season_length": self.season_length}


class HistoricAverage(Model):
    """Mean of the whole history.

    Quantiles are Student t with n − 1 degrees of freedom and scale s·√(1 + 1/n): R
    ``forecast::meanf``. One observation gives zero width.

    Args:
        alias: name in outputs (default ``"HistoricAverage"``).
    """

    def __init__(self, alias: str | None = None) -> None:
        super().__init__(alias)
        self._spec = _core.HistoricAverage()


class WindowAverage(Model):
    """Mean of the last ``window_size`` observations.

    Quantiles are Normal with constant width, σ² the mean squared in-sample one-step error of
    the same rule (with the window shortened where history is shorter). R has no equivalent.

    Args:
        window_size: k, how many recent observations to average.
        alias: name in outputs (default ``"WindowAverage"``).
    """

    def __init__(self, window_size: int, alias: str | None = None) -> None:
        super().__init__(alias)
        self.window_size = _positive_int(window_size, "window_size")
        self._spec = _core.WindowAverage(window_size=self.window_size)

    def _params(self) -> dict[str, Any]:
        return {"window_size": self.window_size}


class SeasonalWindowAverage(Model):
    """For each season position, the mean of the last ``window_size`` cycles at that position.

    Quantiles are Normal with constant width from the in-sample errors of the same rule. Series
    shorter than one season fall back to ``WindowAverage(window_size)``.

    Args:
        season_length: m, observations per cycle.
        window_size: k, how many cycles to average.
        alias: name in outputs (default ``"SeasonalWindowAverage"``).
    """

    def __init__(self, season_length: int, window_size: int, alias: str | None = None) -> None:
        super().__init__(alias)
        self.season_length = _positive_int(season_length, "season_length")
        self.window_size = _positive_int(window_size, "window_size")
        self._spec = _core.SeasonalWindowAverage(
            season_length=self.season_length, window_size=self.window_size
        )

    def _params(self) -> dict[str, Any]:
        return {"season_length": self.season_length, "window_size": self.window_size}


class RandomWalkWithDrift(Model):
    """Last value plus h times the average one-step change.

    Quantiles are Normal with variance σ²·h + h²·se(drift)²: R ``forecast::rwf(drift = TRUE)``.
    Fewer than three observations: no drift uncertainty; one observation: no drift, zero width.

    Args:
        alias: name in outputs (default ``"RandomWalkWithDrift"``).
    """

    def __init__(self, alias: str | None = None) -> None:
        super().__init__(alias)
        self._spec = _core.RandomWalkWithDrift()


def _season_length(value: Any) -> int:
    return _positive_int(value, "season_length")


class ETS(Model):
    """A fixed exponential smoothing state space model, ETS(error, trend, season).

    Smoothing parameters (alpha, beta, gamma, phi) and initial states are estimated by
    maximum likelihood as R ``forecast::ets(y, model=..., damped=...)`` does: R's
    parameterisation and bounds, heuristic initial states, a Nelder–Mead search, the same
    objective. Quantiles are Normal with the analytic variance of Hyndman et al. (2008) for
    every model R treats analytically (additive or multiplicative error, no/additive trend,
    no/additive season, and multiplicative error with multiplicative season), else empirical
    quantiles of 5000 simulated sample paths with a seed taken from the data (deterministic).

    Fallbacks, never an error: a constant series gets ETS(A,N,N) with alpha = 0.99999 (a flat
    forecast of zero width); multiplicative components on data that are not strictly positive
    become additive; a series too short for the model gets ETS(A,A,N) or ETS(A,N,N), or for
    fewer than 7 points ETS(A,N,N) with alpha = 0.99999 and the first value as level.

    Args:
        model: three letters, error (``A``/``M``), trend (``N``/``A``/``M``) and season
            (``N``/``A``/``M``), e.g. ``"MAM"``.
        season_length: m, observations per cycle; 2 to 24 for a seasonal model.
        damped: damp the trend (ETS(A,Ad,N) is ``ETS("AAN", damped=True)``).
        alias: name in outputs (default ``"ETS"``).

    Raises:
        QuickstockError: for an unknown letter, a bad season length or damping without trend.

    References:
        Hyndman, Koehler, Ord & Snyder, *Forecasting with Exponential Smoothing: the State
        Space Approach*, Springer 2008; R ``forecast::ets``.
    """

    def __init__(
        self,
        model: str = "ANN",
        season_length: int = 1,
        damped: bool = False,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias)
        if not isinstance(model, str):
            invalid(f"model must be a string of three letters (got {model!r})", field="model")
        if not isinstance(damped, bool):
            invalid(f"damped must be True or False (got {damped!r})", field="damped")
        self.model = model
        self.season_length = _season_length(season_length)
        self.damped = damped
        self._spec = _core.ETS(model=model, season_length=self.season_length, damped=damped)

    def _params(self) -> dict[str, Any]:
        return {"model": self.model, "season_length": self.season_length, "damped": self.damped}


class AutoETS(Model):
    """Exponential smoothing with automatic model selection by AICc, as R ``forecast::ets(y)``.

    Every allowed candidate ETS(error, trend, season) is fitted (see ``ETS``) and the smallest
    AICc wins. Candidates follow R: multiplicative error only for strictly positive data; no
    season when ``season_length`` is 1 or above 24 or the series is not longer than one
    season; unstable combinations excluded (additive error with multiplicative season or
    trend, ETS(M,M,A)); ``Z`` trend means none or additive. Same quantiles and fallbacks as
    ``ETS``.

    Args:
        season_length: m, observations per cycle (7 for daily data with a weekly pattern).
        model: three letters error/trend/season, each fixed (``A``, ``M``, ``N``) or ``Z`` to
            select; default ``"ZZZ"``.
        damped: ``None`` tries damped and undamped trends; ``True``/``False`` fixes it.
        alias: name in outputs (default ``"AutoETS"``).

    Raises:
        QuickstockError: for a bad ``model`` string or ``season_length``.

    References:
        Hyndman, Koehler, Snyder & Grose (2002), *A state space framework for automatic
        forecasting using exponential smoothing methods*, IJF 18(3); R ``forecast::ets``.
    """

    def __init__(
        self,
        season_length: int = 1,
        model: str = "ZZZ",
        damped: bool | None = None,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias)
        if not isinstance(model, str):
            invalid(f"model must be a string of three letters (got {model!r})", field="model")
        if damped is not None and not isinstance(damped, bool):
            invalid(f"damped must be None, True or False (got {damped!r})", field="damped")
        self.season_length = _season_length(season_length)
        self.model = model
        self.damped = damped
        self._spec = _core.AutoETS(
            season_length=self.season_length, model=model, damped=damped
        )

    def _params(self) -> dict[str, Any]:
        return {"season_length": self.season_length, "model": self.model, "damped": self.damped}


def _order(value: Any, name: str) -> tuple[int, int, int]:
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 3
        or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) for v in value)
    ):
        invalid(f"{name} must be three integers (p, d, q) (got {value!r})", field=name)
    return (int(value[0]), int(value[1]), int(value[2]))


def _optional_int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        invalid(f"{name} must be None or an integer (got {value!r})", field=name)
    return int(value)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        invalid(f"{name} must be True or False (got {value!r})", field=name)
    return value


class ARIMA(Model):
    """Seasonal ARIMA(p,d,q)(P,D,Q)[m] with regression on covariates, as R ``forecast::Arima``.

    Estimated as R's ``stats::arima``: conditional sum of squares starting values then the exact
    Gaussian likelihood (``method="CSS-ML"``, R's default), ``"ML"`` or ``"CSS"``; AR parameters
    kept stationary by R's transformation; optim's BFGS. The exact likelihood runs a Kalman filter
    (Chandrasekhar recursions) on the differenced series. Covariate columns of the panel are
    regressors with ARIMA errors (R's ``xreg``): their future values must be passed to
    ``predict`` (``X_df``). Quantiles are Normal with the exact forecast variance.

    Fallbacks, never an error: a series too short for the differencing, or one the model
    cannot be estimated on, gets ARIMA(0,1,0) (a random walk), or the last value with zero
    width for a single observation. ``Forecaster.fallbacks`` names them.

    Args:
        order: (p, d, q).
        seasonal_order: (P, D, Q); ignored when ``season_length`` is 1.
        season_length: m, observations per cycle.
        include_mean: estimate a mean when there is no differencing.
        include_drift: estimate a drift (linear trend) when d + D <= 1.
        method: ``"CSS-ML"``, ``"ML"`` or ``"CSS"``.
        alias: name in outputs (default ``"ARIMA"``).

    Raises:
        QuickstockError: for bad orders, season length or method.

    References:
        Box, Jenkins & Reinsel, *Time Series Analysis*; Gardner, Harvey & Phillips (1980),
        Applied Statistics 29; R ``stats::arima`` and ``forecast::Arima``.
    """

    def __init__(
        self,
        order: tuple[int, int, int] = (0, 0, 0),
        seasonal_order: tuple[int, int, int] = (0, 0, 0),
        season_length: int = 1,
        include_mean: bool = True,
        include_drift: bool = False,
        method: str = "CSS-ML",
        alias: str | None = None,
    ) -> None:
        super().__init__(alias)
        self.order = _order(order, "order")
        self.seasonal_order = _order(seasonal_order, "seasonal_order")
        self.season_length = _season_length(season_length)
        self.include_mean = _flag(include_mean, "include_mean")
        self.include_drift = _flag(include_drift, "include_drift")
        if not isinstance(method, str):
            invalid(f"method must be a string (got {method!r})", field="method")
        self.method = method
        self._spec = _core.ARIMA(
            order=self.order,
            seasonal_order=self.seasonal_order,
            season_length=self.season_length,
            include_mean=self.include_mean,
            include_drift=self.include_drift,
            method=method,
        )

    def _params(self) -> dict[str, Any]:
        return {
            "order": self.order,
            "seasonal_order": self.seasonal_order,
            "season_length": self.season_length,
            "include_mean": self.include_mean,
            "include_drift": self.include_drift,
            "method": self.method,
        }


class AutoARIMA(Model):
    """Automatic ARIMA as R ``forecast::auto.arima`` (Hyndman & Khandakar 2008).

    Seasonal differences by the OCSB test (``seasonal_test="ocsb"``; R's default "seas" test is
    not implemented, so R references use ``seasonal.test = "ocsb"``), differences by KPSS tests at
    5%, then the stepwise search over (p, q, P, Q, constant) minimising the information
    criterion, or all models up to ``max_order`` with ``stepwise=False``. For long or highly
    seasonal series (n > 150 or m > 12, R's rule) the search uses CSS fits and refits the best
    by maximum likelihood. Covariates are regressors (R's ``xreg``). Same quantiles as ``ARIMA``.

    Fallbacks: a constant series gets its mean; a series constant after differencing gets R's
    polynomial models; when nothing can be fitted, ARIMA(0,1,0).

    Args:
        season_length: m, observations per cycle (24 for hourly data).
        d: fixed number of differences (``None``: KPSS tests).
        D: fixed number of seasonal differences (``None``: OCSB test).
        max_p: largest p. max_q: largest q. max_P: largest P. max_Q: largest Q.
        max_order: largest p + q + P + Q of the exhaustive search.
        max_d: largest d. max_D: largest D.
        start_p: p of the first model. start_q, start_P, start_Q: likewise.
        stationary: only stationary models (d = D = 0).
        seasonal: ``False`` ignores the season.
        ic: ``"aicc"``, ``"aic"`` or ``"bic"``.
        stepwise: the stepwise search (``False``: exhaustive).
        nmodels: model budget of the stepwise search.
        approximation: CSS during the search (``None``: R's rule n > 150 or m > 12).
        seasonal_test: ``"ocsb"``.
        allow_drift: allow a drift when d + D == 1.
        allow_mean: allow a mean when d + D == 0.
        alias: name in outputs (default ``"AutoARIMA"``).

    Raises:
        QuickstockError: for a bad argument.

    References:
        Hyndman & Khandakar (2008), *Automatic time series forecasting: the forecast package for
        R*, JSS 27(3); Osborn, Chui, Smith & Birchenhall (1988); Kwiatkowski et al. (1992).
    """

    def __init__(
        self,
        season_length: int = 1,
        d: int | None = None,
        D: int | None = None,
        max_p: int = 5,
        max_q: int = 5,
        max_P: int = 2,
        max_Q: int = 2,
        max_order: int = 5,
        max_d: int = 2,
        max_D: int = 1,
        start_p: int = 2,
        start_q: int = 2,
        start_P: int = 1,
        start_Q: int = 1,
        stationary: bool = False,
        seasonal: bool = True,
        ic: str = "aicc",
        stepwise: bool = True,
        nmodels: int = 94,
        approximation: bool | None = None,
        seasonal_test: str = "ocsb",
        allow_drift: bool = True,
        allow_mean: bool = True,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias)
        ints = {
            "max_p": max_p, "max_q": max_q, "max_P": max_P, "max_Q": max_Q,
            "max_order": max_order, "max_d": max_d, "max_D": max_D, "start_p": start_p,
            "start_q": start_q, "start_P": start_P, "start_Q": start_Q, "nmodels": nmodels,
        }  # fmt: skip
        for name, value in ints.items():
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                invalid(f"{name} must be an integer (got {value!r})", field=name)
        if approximation is not None and not isinstance(approximation, bool):
            invalid(f"approximation must be None, True or False (got {approximation!r})",
                    field="approximation")
        for name, value in (("ic", ic), ("seasonal_test", seasonal_test)):
            if not isinstance(value, str):
                invalid(f"{name} must be a string (got {value!r})", field=name)
        self._kw: dict[str, Any] = {
            "season_length": _season_length(season_length),
            "d": _optional_int(d, "d"),
            "D": _optional_int(D, "D"),
            **{k: int(v) for k, v in ints.items()},
            "stationary": _flag(stationary, "stationary"),
            "seasonal": _flag(seasonal, "seasonal"),
            "ic": ic,
            "stepwise": _flag(stepwise, "stepwise"),
            "approximation": approximation,
            "seasonal_test": seasonal_test,
            "allow_drift": _flag(allow_drift, "allow_drift"),
            "allow_mean": _flag(allow_mean, "allow_mean"),
        }
        self.season_length = self._kw["season_length"]
        self.stepwise = self._kw["stepwise"]
        self.ic = ic
        self._spec = _core.AutoARIMA(**self._kw)

    def _params(self) -> dict[str, Any]:
        return dict(self._kw)
