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
