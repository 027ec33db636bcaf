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
        covariates: use the covariate columns of the training frame as a regression term,
            ``y_t = (x_t - mean(x))'beta + u_t`` with ``u_t`` this ETS model (regression with
            ETS errors; beta estimated jointly, see docs/ets.md). Needs additive components
            (multiplicative letters become additive, noted as a fallback) and future
            covariates in ``X_df`` at predict time. Without covariate columns the model is
            plain ETS.
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
        covariates: bool = False,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias)
        if not isinstance(model, str):
            invalid(f"model must be a string of three letters (got {model!r})", field="model")
        if not isinstance(damped, bool):
            invalid(f"damped must be True or False (got {damped!r})", field="damped")
        if not isinstance(covariates, bool):
            invalid(f"covariates must be True or False (got {covariates!r})", field="covariates")
        self.model = model
        self.season_length = _season_length(season_length)
        self.damped = damped
        self.covariates = covariates
        spec = _core.ETS(model=model, season_length=self.season_length, damped=damped)
        if covariates:
            spec = _core.ETSX(
                season_length=self.season_length, model=model, damped=damped, automatic=False
            )
        self._spec = spec

    def _params(self) -> dict[str, Any]:
        params = {"model": self.model, "season_length": self.season_length, "damped": self.damped}
        if self.covariates:
            params["covariates"] = True
        return params


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
        covariates: use the covariate columns of the training frame as a regression term
            (regression with ETS errors, see ``ETS`` and docs/ets.md); candidates are then the
            additive ones. Needs future covariates in ``X_df`` at predict time. Without
            covariate columns the model is plain AutoETS.
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
        covariates: bool = False,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias)
        if not isinstance(model, str):
            invalid(f"model must be a string of three letters (got {model!r})", field="model")
        if damped is not None and not isinstance(damped, bool):
            invalid(f"damped must be None, True or False (got {damped!r})", field="damped")
        if not isinstance(covariates, bool):
            invalid(f"covariates must be True or False (got {covariates!r})", field="covariates")
        self.season_length = _season_length(season_length)
        self.model = model
        self.damped = damped
        self.covariates = covariates
        if covariates:
            self._spec = _core.ETSX(season_length=self.season_length, model=model, damped=damped)
        else:
            self._spec = _core.AutoETS(
                season_length=self.season_length, model=model, damped=damped
            )

    def _params(self) -> dict[str, Any]:
        params = {"season_length": self.season_length, "model": self.model, "damped": self.damped}
        if self.covariates:
            params["covariates"] = True
        return params
