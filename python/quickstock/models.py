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
    "Croston",
    "CrostonSBA",
    "TSB",
    "ADIDA",
    "IMAPA",
    "Theta",
    "OptimizedTheta",
    "DynamicTheta",
    "DynamicOptimizedTheta",
    "AutoTheta",
    "MSTL",
    "Ensemble",
    "Conformal",
    "ARIMA",
    "AutoARIMA",
    "CountRegression",
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

    #: True for a model that treats stockout-censored days as censored demand (see
    #: ``Forecaster(stockout_col=...)``).
    supports_censoring = False

    def _core_spec(self, freq: Any, censor_column: int | None = None) -> Any:
        """The C++ spec fitted on a panel of frequency ``freq`` (a core ``Frequency``);
        ``censor_column`` is the panel covariate column flagging censored days, if any."""
        return self._spec

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
        covariates: use the covariate columns of the training frame as a regression term.
            With additive error, ``y_t = (x_t - mean(x))'beta + u_t`` with ``u_t`` this ETS
            model (regression with ETS errors; multiplicative trend or season letters become
            additive, noted as a fallback). With multiplicative error (``"M.."``, strictly
            positive data), ``y_t = exp((x_t - mean(x))'beta) * w_t`` with ``w_t`` this ETS
            model: ``exp(beta)`` is the factor per unit of a covariate. beta is estimated
            jointly (see docs/ets.md; ``Forecaster.coefficients()`` lists it). Needs future
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
            (see ``ETS`` and docs/ets.md). With error ``Z`` or ``A`` the candidates are the
            additive ones (regression with ETS errors); with ``model="MZZ"`` (strictly
            positive data) they are the multiplicative-error ones with the covariates acting
            on the log scale. Needs future covariates in ``X_df`` at predict time. Without
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


def _alpha(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        invalid(f"{name} must be a number in (0, 1] (got {value!r})", field=name)
    return float(value)


def _integer(value: Any) -> bool | None:
    if value is not None and not isinstance(value, bool):
        invalid(f"integer must be None, True or False (got {value!r})", field="integer")
    return value


_INTERMITTENT_QUANTILES = """Quantiles come from a per-step predictive distribution D = B·S: demand occurs with
    probability p (B ~ Bernoulli(p), from the model's occurrence estimate) and its size S
    follows, for count data, 1 + negative binomial (1 + Poisson when the observed sizes are not
    over-dispersed; a constant when they are all equal) with the model's size estimate as mean
    and the variance-to-mean ratio of the observed non-zero sizes; for non-integer data a Gamma
    with the observed coefficient of variation. p·E[S] is the point forecast. Levels at or
    below 1 − p give 0. See docs/intermittent.md for the calibration evidence on M5."""


class Croston(Model):
    """Croston's method for intermittent demand, as R ``forecast::croston(y, alpha=0.1)``.

    Simple exponential smoothing with fixed ``alpha`` of the non-zero demand sizes z and of
    the intervals x between demands (the first counted from the start), each started at its
    first value; the point forecast is z / x at every step. Occurrence p = 1 / x, size mean z.

    {quantiles}

    Fallbacks: an all-zero series forecasts 0 (every quantile 0); fewer than two demands give
    Poisson sizes (count data) or a constant size.

    Censored demand: with ``Forecaster(stockout_col=...)`` (or ``available_col=``) a stockout
    day with no sale is skipped (it says nothing about demand) and one with sales c > 0 is a
    demand occurrence whose size is only known to be >= c; it enters the size smoothing as
    E[S | S >= c] under the Kaplan–Meier estimate of the size distribution (see
    docs/intermittent.md).

    Args:
        alpha: smoothing parameter of sizes and intervals, in (0, 1]; 0.1 as R.
        integer: ``None`` (default) gives integer quantiles when every observation is an
            integer (count data); ``True`` always (non-integer data: quantiles of ⌈D⌉);
            ``False`` never (count data: the CDF is interpolated linearly between integers).
        alias: name in outputs (default ``"Croston"``).

    Raises:
        QuickstockError: for ``alpha`` outside (0, 1] or a non-boolean ``integer``.

    References:
        Croston (1972), *Forecasting and stock control for intermittent demands*, Operational
        Research Quarterly 23(3); R ``forecast::croston``.
    """

    def __init__(
        self, alpha: float = 0.1, integer: bool | None = None, alias: str | None = None
    ) -> None:
        super().__init__(alias)
        self.alpha = _alpha(alpha, "alpha")
        self.integer = _integer(integer)
        self._spec = _core.Croston(alpha=self.alpha, integer=self.integer)

    supports_censoring = True

    def _core_spec(self, freq: Any, censor_column: int | None = None) -> Any:
        if censor_column is None:
            return self._spec
        return _core.Croston(alpha=self.alpha, integer=self.integer, censor_column=censor_column)

    def _params(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "integer": self.integer}


class CrostonSBA(Model):
    """Croston's method with the Syntetos–Boylan bias correction (SBA).

    The Croston forecast times (1 − alpha / 2) (0.95 for alpha = 0.1); occurrence
    p = (1 − alpha / 2) / x, size mean z. Censored demand as ``Croston``.

    {quantiles}

    Args:
        alpha: smoothing parameter of sizes and intervals, in (0, 1].
        integer: integer quantiles (see ``Croston``).
        alias: name in outputs (default ``"CrostonSBA"``).

    Raises:
        QuickstockError: for ``alpha`` outside (0, 1] or a non-boolean ``integer``.

    References:
        Syntetos & Boylan (2005), *The accuracy of intermittent demand estimates*, IJF 21(2).
    """

    def __init__(
        self, alpha: float = 0.1, integer: bool | None = None, alias: str | None = None
    ) -> None:
        super().__init__(alias)
        self.alpha = _alpha(alpha, "alpha")
        self.integer = _integer(integer)
        self._spec = _core.CrostonSBA(alpha=self.alpha, integer=self.integer)

    supports_censoring = True

    def _core_spec(self, freq: Any, censor_column: int | None = None) -> Any:
        if censor_column is None:
            return self._spec
        return _core.CrostonSBA(
            alpha=self.alpha, integer=self.integer, censor_column=censor_column
        )

    def _params(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "integer": self.integer}


class TSB(Model):
    """Teunter–Syntetos–Babai: smoothed demand probability times smoothed demand size.

    The demand probability p is smoothed every step with ``alpha_p`` (started at the first
    step's indicator), the size z only when demand occurs with ``alpha_d`` (started at the
    first non-zero size); the point forecast is p·z. Censored demand as ``Croston``: p is
    updated on informative days only (a stockout day with a sale is an occurrence, one without
    is skipped).

    {quantiles}

    Args:
        alpha_d: smoothing parameter of the demand size, in (0, 1].
        alpha_p: smoothing parameter of the demand probability, in (0, 1].
        integer: integer quantiles (see ``Croston``).
        alias: name in outputs (default ``"TSB"``).

    Raises:
        QuickstockError: for a smoothing parameter outside (0, 1] or a non-boolean ``integer``.

    References:
        Teunter, Syntetos & Babai (2011), *Intermittent demand: linking forecasting to inventory
        obsolescence*, EJOR 214(3).
    """

    def __init__(
        self,
        alpha_d: float,
        alpha_p: float,
        integer: bool | None = None,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias)
        self.alpha_d = _alpha(alpha_d, "alpha_d")
        self.alpha_p = _alpha(alpha_p, "alpha_p")
        self.integer = _integer(integer)
        self._spec = _core.TSB(alpha_d=self.alpha_d, alpha_p=self.alpha_p, integer=self.integer)

    supports_censoring = True

    def _core_spec(self, freq: Any, censor_column: int | None = None) -> Any:
        if censor_column is None:
            return self._spec
        return _core.TSB(
            alpha_d=self.alpha_d,
            alpha_p=self.alpha_p,
            integer=self.integer,
            censor_column=censor_column,
        )

    def _params(self) -> dict[str, Any]:
        return {"alpha_d": self.alpha_d, "alpha_p": self.alpha_p, "integer": self.integer}


class ADIDA(Model):
    """Aggregate–disaggregate intermittent demand approach.

    The series is summed over non-overlapping buckets of k steps, k the mean interval between
    demands rounded (at least 1), aligned to end at the last observation; simple exponential
    smoothing with alpha chosen in [0.1, 0.3] (least squares, bracketing search) forecasts
    the next bucket, divided by k per step. Occurrence and size as ``Croston`` (size mean from
    Croston's size smoothing, p = forecast / size mean, capped at 1).

    {quantiles}

    Args:
        integer: integer quantiles (see ``Croston``).
        alias: name in outputs (default ``"ADIDA"``).

    References:
        Nikolopoulos, Syntetos, Boylan, Petropoulos & Assimakopoulos (2011), *An
        aggregate–disaggregate intermittent demand approach (ADIDA) to forecasting*, JORS 62(3).
    """

    def __init__(self, integer: bool | None = None, alias: str | None = None) -> None:
        super().__init__(alias)
        self.integer = _integer(integer)
        self._spec = _core.ADIDA(integer=self.integer)

    def _params(self) -> dict[str, Any]:
        return {"integer": self.integer}


class IMAPA(Model):
    """Intermittent multiple aggregation prediction algorithm.

    The ADIDA forecast at every aggregation level 1 … K (K the rounded mean interval between
    demands), averaged with equal weights. Occurrence and size as ``ADIDA``.

    {quantiles}

    Args:
        integer: integer quantiles (see ``Croston``).
        alias: name in outputs (default ``"IMAPA"``).

    References:
        Petropoulos & Kourentzes (2015), *Forecast combinations for intermittent demand*, JORS
        66(6).
    """

    def __init__(self, integer: bool | None = None, alias: str | None = None) -> None:
        super().__init__(alias)
        self.integer = _integer(integer)
        self._spec = _core.IMAPA(integer=self.integer)

    def _params(self) -> dict[str, Any]:
        return {"integer": self.integer}


for _cls in (Croston, CrostonSBA, TSB, ADIDA, IMAPA):
    _cls.__doc__ = (_cls.__doc__ or "").replace("{quantiles}", _INTERMITTENT_QUANTILES)
del _cls




_THETA_SEASONALITY = """Seasonality, as R ``forecast::thetaf``: when ``season_length`` m > 1, the series has more
    than 2m points and its lag-m autocorrelation exceeds the 90% bound of R's ACF test, it is
    divided by (``"multiplicative"``) or reduced by (``"additive"``) the seasonal indices of a
    classical decomposition (R ``decompose``), forecast, and reseasonalised with the last
    season's indices. Multiplicative decomposition of data that are not strictly positive
    becomes additive."""

_THETA_FALLBACKS = """Fallbacks, never an error (the fitted model's ``fallback`` says which): a constant series
    (all zero included) gets a flat forecast of zero width; a series too short for the model
    gets the naive forecast (last value, random-walk variance); a seasonal spec on a series
    of at most 2m points is not deseasonalised."""


class _ThetaBase(Model):
    _core_cls: Any = None

    def __init__(
        self,
        season_length: int = 1,
        decomposition_type: str = "multiplicative",
        alias: str | None = None,
    ) -> None:
        super().__init__(alias)
        if decomposition_type not in ("multiplicative", "additive"):
            invalid(
                "decomposition_type must be 'multiplicative' or 'additive' "
                f"(got {decomposition_type!r})",
                field="decomposition_type",
            )
        self.season_length = _season_length(season_length)
        self.decomposition_type = decomposition_type
        self._spec = type(self)._core_cls(
            season_length=self.season_length, decomposition_type=decomposition_type
        )

    def _params(self) -> dict[str, Any]:
        return {"season_length": self.season_length, "decomposition_type": self.decomposition_type}


class Theta(_ThetaBase):
    """The standard Theta method, exactly as R ``forecast::thetaf(y, h)``.

    Simple exponential smoothing (R ``ses``: alpha and the initial level minimise the MSE)
    plus a drift of half the least-squares slope, ``b/2 · (j + (1 − (1 − α)^n)/α)`` at step
    j = 0, 1, …: the SES-with-drift form of Hyndman & Billah (2003). Quantiles are R's:
    Normal, mean ± z·σ·sqrt(1 + j·α²) with σ² the SES residual variance.

    {seasonality}

    {fallbacks}

    Args:
        season_length: m, observations per cycle (1 for no seasonality).
        decomposition_type: ``"multiplicative"`` (R thetaf) or ``"additive"``.
        alias: name in outputs (default ``"Theta"``).

    Raises:
        QuickstockError: for a bad ``season_length`` or ``decomposition_type``.

    References:
        Assimakopoulos & Nikolopoulos (2000), *The theta model: a decomposition approach to
        forecasting*, IJF 16(4); Hyndman & Billah (2003), *Unmasking the Theta method*, IJF
        19(2); R ``forecast::thetaf``.
    """

    _core_cls = _core.Theta


class OptimizedTheta(_ThetaBase):
    """Optimised Theta model (OTM) of Fiorucci et al. (2016).

    theta >= 1, alpha in [0.1, 0.99] and the initial level minimise the in-sample MSE of the
    one-step errors (the first three left out, as statsforecast). For a given alpha that MSE is
    quadratic in the initial level and 1 − 1/theta, solved exactly; alpha is found by a grid and
    Brent's method. Quantiles are Normal with the exact h-step variance of the state space
    model, σ²·(1 + (h − 1)·α²), reseasonalised with the mean.

    {seasonality}

    {fallbacks}

    Args:
        season_length: m, observations per cycle (1 for no seasonality).
        decomposition_type: ``"multiplicative"`` or ``"additive"``.
        alias: name in outputs (default ``"OptimizedTheta"``).

    Raises:
        QuickstockError: for a bad ``season_length`` or ``decomposition_type``.

    References:
        Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler (2016), *Models for optimising
        the theta method and their relationship to state space models*, IJF 32(4).
    """

    _core_cls = _core.OptimizedTheta


class DynamicTheta(_ThetaBase):
    """Dynamic standard Theta model (DSTM) of Fiorucci et al. (2016).

    theta = 2; the intercept and slope of the theta = 0 line are updated at every observation
    (and, in the forecast, by the model's own forecasts). alpha and the initial level minimise
    the in-sample MSE as ``OptimizedTheta``. Quantiles are Normal with the exact h-step
    variance of the (linear) state space model, the future errors' weights carried through
    the dynamic states.

    {seasonality}

    {fallbacks}

    Args:
        season_length: m, observations per cycle (1 for no seasonality).
        decomposition_type: ``"multiplicative"`` or ``"additive"``.
        alias: name in outputs (default ``"DynamicTheta"``).

    Raises:
        QuickstockError: for a bad ``season_length`` or ``decomposition_type``.

    References:
        Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler (2016), IJF 32(4).
    """

    _core_cls = _core.DynamicTheta


class DynamicOptimizedTheta(_ThetaBase):
    """Dynamic optimised Theta model (DOTM) of Fiorucci et al. (2016).

    Dynamic theta = 0 line as ``DynamicTheta``; theta, alpha and the initial level by MSE as
    ``OptimizedTheta``. Quantiles as ``DynamicTheta``.

    {seasonality}

    {fallbacks}

    Args:
        season_length: m, observations per cycle (1 for no seasonality).
        decomposition_type: ``"multiplicative"`` or ``"additive"``.
        alias: name in outputs (default ``"DynamicOptimizedTheta"``).

    Raises:
        QuickstockError: for a bad ``season_length`` or ``decomposition_type``.

    References:
        Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler (2016), IJF 32(4).
    """

    _core_cls = _core.DynamicOptimizedTheta


class AutoTheta(_ThetaBase):
    """Automatic Theta: the best of STM, OTM, DSTM and DOTM (Fiorucci et al. 2016).

    The four state space theta models are fitted to the (deseasonalised) series as
    ``OptimizedTheta`` does. ``selection="holdout"`` (default) fits each to all but the last
    season (10 points without season; at most a quarter of the series), keeps the one that
    forecasts those points best and refits it to the whole series. ``selection="mse"`` keeps
    the smallest in-sample MSE of the one-step errors, as Fiorucci et al. and statsforecast
    ``AutoTheta``: that criterion favours the static models (their theta = 0 line is fitted to
    the points it predicts) and, on M4 Hourly, gives MASE 2.54 against 2.39 for the holdout
    (docs/theta.md). Series too short for a holdout use the in-sample MSE.

    {seasonality}

    {fallbacks}

    Args:
        season_length: m, observations per cycle (24 for hourly data).
        decomposition_type: ``"multiplicative"`` or ``"additive"``.
        selection: ``"holdout"`` or ``"mse"``.
        alias: name in outputs (default ``"AutoTheta"``).

    Raises:
        QuickstockError: for a bad ``season_length``, ``decomposition_type`` or ``selection``.

    References:
        Fiorucci, Pellegrini, Louzada, Petropoulos & Koehler (2016), IJF 32(4); statsforecast
        ``AutoTheta``.
    """

    def __init__(
        self,
        season_length: int = 1,
        decomposition_type: str = "multiplicative",
        selection: str = "holdout",
        alias: str | None = None,
    ) -> None:
        Model.__init__(self, alias)
        if decomposition_type not in ("multiplicative", "additive"):
            invalid(
                "decomposition_type must be 'multiplicative' or 'additive' "
                f"(got {decomposition_type!r})",
                field="decomposition_type",
            )
        if selection not in ("holdout", "mse"):
            invalid(f"selection must be 'holdout' or 'mse' (got {selection!r})", field="selection")
        self.season_length = _season_length(season_length)
        self.decomposition_type = decomposition_type
        self.selection = selection
        self._spec = _core.AutoTheta(
            season_length=self.season_length,
            decomposition_type=decomposition_type,
            selection=selection,
        )

    def _params(self) -> dict[str, Any]:
        return {
            "season_length": self.season_length,
            "decomposition_type": self.decomposition_type,
            "selection": self.selection,
        }


def _season_lengths(value: Any) -> list[float | int]:
    iterable = hasattr(value, "__iter__") and not isinstance(value, (str, bytes))
    items = list(value) if iterable else [value]
    if not items:
        invalid("season_length must be a number or a non-empty list of numbers", field="season_length")
    out: list[float | int] = []
    for v in items:
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            invalid(f"season_length values must be numbers >= 1 (got {v!r})", field="season_length")
        f = float(v)
        out.append(int(f) if f.is_integer() else f)
    return out


class MSTL(Model):
    """Multiple seasonal-trend decomposition by loess, then forecasting by component.

    The series is decomposed as R ``forecast::mstl`` does (Bandara, Hyndman & Bergmeir 2021):
    periods sorted, those with fewer than two full cycles in the series dropped, then two passes
    of STL (Cleveland et al. 1990, R ``stats::stl`` with ``s.window = 7 + 4·i`` for the i-th
    period) over the periods. Each seasonal component is forecast by seasonal naive (its last
    ⌊period⌋ values repeated) and the seasonally adjusted series (trend + remainder) by
    ``trend_forecaster``. Quantiles are the trend forecaster's, shifted by the seasonal
    forecast (as R ``forecast(mstl(y))`` and statsforecast's ``MSTL``), then censored at 0.

    Fallbacks, never an error for finite data: a constant series (all zero included), or one
    with no period left, is forecast by the trend forecaster alone; ``fallbacks()`` says which.

    Args:
        season_length: the seasonal periods, e.g. ``[24, 168]`` for hourly data (a single number
            is one period); non-integer periods such as 365.25 are allowed: STL smooths with
            the integer part and the seasonal naive forecast repeats the last ⌊period⌋ values,
            as R does.
        trend_forecaster: a non-seasonal model of this library for the seasonally adjusted
            series; default ``AutoETS(model="ZZN")``.
        alias: name in outputs (default ``"MSTL"``).

    Raises:
        QuickstockError: for a bad ``season_length`` or a seasonal or invalid
            ``trend_forecaster`` (field ``trend_forecaster``).

    References:
        Bandara, Hyndman & Bergmeir (2021), *MSTL: A Seasonal-Trend Decomposition Algorithm for
        Time Series with Multiple Seasonal Patterns*, arXiv:2107.13462; Cleveland, Cleveland,
        McRae & Terpenning (1990), *STL: A Seasonal-Trend Decomposition Procedure Based on
        Loess*, J. Official Statistics 6(1); R ``forecast::mstl``.
    """

    def __init__(
        self,
        season_length: float | list[float],
        trend_forecaster: Model | None = None,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias)
        if trend_forecaster is None:
            trend_forecaster = AutoETS(model="ZZN")
        if not isinstance(trend_forecaster, Model):
            invalid(
                f"trend_forecaster must be a quickstock model (got {trend_forecaster!r})",
                field="trend_forecaster",
            )
        self.season_length = _season_lengths(season_length)
        self.trend_forecaster = trend_forecaster
        self._spec = _core.MSTL(
            season_length=[float(v) for v in self.season_length],
            trend_forecaster=trend_forecaster.spec,
        )

    def _params(self) -> dict[str, Any]:
        return {"season_length": list(self.season_length), "trend_forecaster": self.trend_forecaster}

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.season_length), self.trend_forecaster, self.alias))


def _int_at_least_1(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        invalid(f"{name} must be an integer >= 1 (got {value!r})", field=name)
    return int(value)


class Ensemble(Model):
    """A combination of models, weighted per series by a rolling-origin backtest.

    With ``weights="cv"`` each series is backtested on its own tail: window ``w`` (1..``n_windows``)
    fits every member on all but the last ``w·h`` observations and forecasts the next ``h``; a
    member's weight for a forecast of horizon H is proportional to 1 / its mean squared error over
    the first min(H, ``h``) backtest steps (Bates & Granger 1969). Every member is then refitted
    on the full series. The mean is the weighted mean of the members' means; each quantile is the
    weighted mean of the members' quantiles at the same level ("Vincentization", Lichtendahl,
    Grushka-Cockayne & Winkler 2013): ordered and non-negative like the members', but narrower
    than the mixture of the members' distributions when they disagree (see docs/ensemble.md).

    Fallbacks, never an error for finite data: a series shorter than (``n_windows`` + 1)·``h``
    gets fewer windows, shorter than 2·``h`` one window of ⌊n/2⌋ steps, one observation equal
    weights; a member that fails on a backtest window gets weight 0. ``fallbacks()`` says which.

    Args:
        models: the member models (a non-empty list of models of this library that do not use
            covariates; an ``Ensemble`` may nest).
        weights: ``"cv"`` (inverse backtest MSE), ``"equal"``, or a list of one non-negative
            weight per model (normalised to sum 1).
        n_windows: backtest windows for ``"cv"``.
        h: backtest horizon for ``"cv"``; set it to the forecast horizon you will ask for.
        alias: name in outputs (default ``"Ensemble"``).

    Raises:
        QuickstockError: for an empty or invalid member list, a member that uses covariates
            (field ``models``), bad ``weights``, ``n_windows`` or ``h``.

    References:
        Bates & Granger (1969), *The Combination of Forecasts*, Operational Research Quarterly
        20(4); Lichtendahl, Grushka-Cockayne & Winkler (2013), *Is It Better to Average
        Probabilities or Quantiles?*, Management Science 59(7).
    """

    def __init__(
        self,
        models: list[Model],
        weights: str | list[float] = "cv",
        n_windows: int = 2,
        h: int = 14,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias)
        if isinstance(models, Model) or not hasattr(models, "__iter__"):
            invalid(f"models must be a list of quickstock models (got {models!r})", field="models")
        members = list(models)
        for m in members:
            if not isinstance(m, Model):
                invalid(f"every Ensemble member must be a quickstock model (got {m!r})", field="models")
        if isinstance(weights, str):
            if weights not in ("cv", "equal"):
                invalid(f"weights must be 'cv', 'equal' or a list of numbers (got {weights!r})", field="weights")
            weighting, given = weights, []
        else:
            items = list(weights) if hasattr(weights, "__iter__") else [weights]
            for w in items:
                if isinstance(w, bool) or not isinstance(w, numbers.Real):
                    invalid(f"weights must be 'cv', 'equal' or a list of numbers (got {weights!r})", field="weights")
            weighting, given = "given", [float(w) for w in items]
        self.models = members
        self.weights: str | list[float] = weights if isinstance(weights, str) else given
        self.n_windows = _int_at_least_1(n_windows, "n_windows")
        self.h = _int_at_least_1(h, "h")
        self._spec = _core.Ensemble(
            models=[m.spec for m in members],
            weighting=weighting,
            weights=given,
            n_windows=self.n_windows,
            h=self.h,
        )

    def _params(self) -> dict[str, Any]:
        return {"models": list(self.models), "weights": self.weights, "n_windows": self.n_windows, "h": self.h}

    def __hash__(self) -> int:
        w = self.weights if isinstance(self.weights, str) else tuple(self.weights)
        return hash((type(self).__name__, tuple(self.models), w, self.n_windows, self.h, self.alias))


class Conformal(Model):
    """Any model with its quantiles recalibrated by split conformal prediction per horizon step.

    ``n_windows`` rolling origins (``step_size`` apart, the last one ``h`` steps before the end)
    each refit ``model`` and forecast ``h`` steps; the residuals y − mean per step calibrate the
    quantiles. The forecast keeps the model's mean; the quantile at level τ and step j is the
    mean plus the k-th smallest step-j residual, k = ⌈(n+1)τ⌉ (for τ < ½, ⌊(n+1)τ⌋) with n the
    number of residuals (``method="signed"``, asymmetric), or ± the ⌈(n+1)|2τ−1|⌉-th smallest
    absolute residual (``method="absolute"``, symmetric); quantiles are then censored at 0.
    If the residuals of future and calibration windows are exchangeable, P(y ≤ q_τ) ≥ τ for
    upper levels (≤ τ for lower ones), per step; levels finer than 1/(n+1) get the extreme
    residual without that guarantee. Steps beyond ``h`` reuse step ``h``'s residuals.

    Fallbacks: a series too short for ``n_windows`` windows gets fewer (each keeping at least one
    observation); with fewer than 2 residuals the model's own quantiles are kept.

    Args:
        model: the model to calibrate (any model of this library not using covariates).
        n_windows: calibration windows (more windows: finer, more reliable levels; the fit costs
            ``n_windows`` + 1 fits of ``model``).
        h: calibrated steps; set it to the forecast horizon you will ask for.
        step_size: steps between consecutive origins.
        method: ``"signed"`` or ``"absolute"``.
        refit: True fits ``model`` at every calibration origin; False fits it at the oldest
            origin and carries that fit forward to the others without estimating again (as
            ``cross_validation(refit=False)``; docs/cross-validation.md): about ``n_windows``
            times cheaper for models whose cost is estimation (AutoETS, AutoARIMA). The
            residuals then come from older estimates than the final fit's, which tends to widen
            the intervals (conservative). The fit on the full series is a fit either way.
        alias: name in outputs (default ``"Conformal"``).

    Raises:
        QuickstockError: for a model that uses covariates (field ``model``), or a bad
            ``n_windows``, ``h``, ``step_size`` or ``method``.

    References:
        Vovk, Gammerman & Shafer (2005), *Algorithmic Learning in a Random World*, Springer;
        Stankeviciute, Alaa & van der Schaar (2021), *Conformal Time-series Forecasting*,
        NeurIPS.
    """

    def __init__(
        self,
        model: Model,
        n_windows: int = 20,
        h: int = 14,
        step_size: int = 1,
        method: str = "signed",
        refit: bool = True,
        alias: str | None = None,
    ) -> None:
        super().__init__(alias)
        if not isinstance(model, Model):
            invalid(f"model must be a quickstock model (got {model!r})", field="model")
        if not isinstance(method, str):
            invalid(f"method must be 'signed' or 'absolute' (got {method!r})", field="method")
        if not isinstance(refit, bool):
            invalid(f"refit must be True or False (got {refit!r})", field="refit")
        self.model = model
        self.n_windows = _int_at_least_1(n_windows, "n_windows")
        self.h = _int_at_least_1(h, "h")
        self.step_size = _int_at_least_1(step_size, "step_size")
        self.method = method
        self.refit = bool(refit)
        self._spec = _core.Conformal(
            model=model.spec, n_windows=self.n_windows, h=self.h, step_size=self.step_size, method=method,
            refit=self.refit,
        )

    def _params(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "n_windows": self.n_windows,
            "h": self.h,
            "step_size": self.step_size,
            "method": self.method,
            "refit": self.refit,
        }


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

    Seasonal differences by R's default seasonal-strength rule (``seasonal_test="seas"``: one
    seasonal difference when the STL seasonal strength 1 - var(remainder) / var(seasonal +
    remainder) exceeds 0.64) or by the OCSB test (``seasonal_test="ocsb"``), differences by KPSS
    tests at 5%, then the stepwise search over (p, q, P, Q, constant) minimising the information
    criterion, or all models up to ``max_order`` with ``stepwise=False``. For long or highly
    seasonal series (n > 150 or m > 12, R's rule) the search uses CSS fits and refits the best
    by maximum likelihood. Covariates are regressors (R's ``xreg``). Same quantiles as ``ARIMA``.

    Fallbacks: a constant series gets its mean; a series constant after differencing gets R's
    polynomial models; when nothing can be fitted, ARIMA(0,1,0).

    Args:
        season_length: m, observations per cycle (24 for hourly data).
        d: fixed number of differences (``None``: KPSS tests).
        D: fixed number of seasonal differences (``None``: the seasonal test).
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
        seasonal_test: ``"seas"`` (STL seasonal strength > 0.64, R's default) or ``"ocsb"``.
        allow_drift: allow a drift when d + D == 1.
        allow_mean: allow a mean when d + D == 0.
        alias: name in outputs (default ``"AutoARIMA"``).

    Raises:
        QuickstockError: for a bad argument.

    References:
        Hyndman & Khandakar (2008), *Automatic time series forecasting: the forecast package for
        R*, JSS 27(3); Wang, Smith & Hyndman (2006), *Characteristic-based clustering for time
        series data*, DMKD 13(3); Osborn, Chui, Smith & Birchenhall (1988); Kwiatkowski et al.
        (1992).
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
        seasonal_test: str = "seas",
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


for _cls in (Theta, OptimizedTheta, DynamicTheta, DynamicOptimizedTheta, AutoTheta):
    _cls.__doc__ = (
        (_cls.__doc__ or "")
        .replace("{seasonality}", _THETA_SEASONALITY)
        .replace("{fallbacks}", _THETA_FALLBACKS)
    )
del _cls


_FAMILIES = ("negbin", "poisson")


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        invalid(f"{name} must be True or False (got {value!r})", field=name)
    return value


class CountRegression(Model):
    """Count regression: a log-link GLM for demand counts with covariates and real quantiles.

    ``log E[y_t] = α + x_t'β`` with a Poisson or negative binomial (NB2, ``Var = μ + μ²/θ``)
    response, optionally zero-inflated (a structural-zero probability π), fitted per series by
    penalised maximum likelihood in the C++ core: Fisher scoring with step halving, the NB size
    θ by a Brent search on log θ (alternated, as R ``MASS::glm.nb``), π by EM (Lambert 1992).

    Design: an intercept; every covariate column of the training frame (numeric non-key
    columns; pass their future values as ``X_df``); season-phase dummies (the day of the week
    for daily data); optionally a linear trend. Each column is standardised on the fitted window
    and one that is constant there is dropped for that series (coefficient 0). A small ridge
    penalty on the standardised slopes keeps short series and separated data finite.

    Quantiles are those of the fitted predictive distribution at each step (plug-in
    parameters): the smallest integer k with P(Y <= k) >= τ of the zero-inflated Poisson / NB,
    so they are non-negative integers; the mean is (1 − π)·μ. With
    ``Forecaster(stockout_col=...)`` days marked as stockouts are censored observations
    (demand >= sales) entering the likelihood through P(Y >= sales).

    Fallbacks: a series with no positive sale in the window forecasts 0 (every quantile 0);
    forecast means are capped at 100·(max y + 1) against runaway covariates.

    Args:
        family: ``"negbin"`` (default) or ``"poisson"``.
        zero_inflated: add a structural-zero probability (an intercept-only logit).
        season_length: period of the season dummies (``season_length - 1`` dummies of the grid
            position modulo it); ``None`` (default) takes 7 for daily data and 24 for hourly
            data, else 1; 1 switches them off.
        trend: add a linear trend in time (log scale: exponential growth; off by default).
        pooled: fit one model across all series of the panel with per-series intercepts and
            shared slopes, θ and π (series with no sale get the fallback and are left out).
        pool_by: name of a series attribute (a column constant within each series, e.g.
            ``"store_id"`` or ``"cat_id"``): pool within each of its groups instead of across
            the whole panel, one pooled fit per group (implies ``pooled``; a missing value is
            a group of its own). Deterministic for any ``n_jobs``.
        window: fit on the last ``window`` observations of each series; ``None`` (default) takes
            the last year for daily data (365) and the last 8 weeks for hourly data (1344),
            else all of it. Demand levels drift; on M5 the last year forecasts best.
        ridge: ridge penalty on the standardised slopes (not the intercept), >= 0; 0 gives the
            plain maximum likelihood estimate of R ``glm`` / ``MASS::glm.nb``.
        alias: name in outputs (default ``"CountRegression"``).

    Raises:
        QuickstockError: for an unknown family or a bad argument, naming it.

    References:
        Cameron & Trivedi, *Regression Analysis of Count Data*, 2nd ed., CUP 2013; Lambert
        (1992), *Zero-inflated Poisson regression*, Technometrics 34(1); Venables & Ripley,
        R ``MASS::glm.nb``.
    """

    supports_censoring = True

    def __init__(
        self,
        family: str = "negbin",
        zero_inflated: bool = False,
        season_length: int | None = None,
        trend: bool = False,
        pooled: bool = False,
        window: int | None = None,
        ridge: float = 1.0,
        alias: str | None = None,
        pool_by: str | None = None,
    ) -> None:
        super().__init__(alias)
        if family not in _FAMILIES:
            invalid(f"family must be 'negbin' or 'poisson' (got {family!r})", field="family")
        self.family = family
        self.zero_inflated = _bool(zero_inflated, "zero_inflated")
        self.season_length = None if season_length is None else _season_length(season_length)
        self.trend = _bool(trend, "trend")
        self.pooled = _bool(pooled, "pooled")
        if pool_by is not None and (not isinstance(pool_by, str) or not pool_by):
            invalid(f"pool_by must be None or a column name (got {pool_by!r})", field="pool_by")
        self.pool_by = pool_by
        if pool_by is not None:
            self.pooled = True
        self.window = None if window is None else _positive_int(window, "window")
        if self.window is not None and self.window < 1:
            invalid(f"window must be None or an integer >= 1 (got {window!r})", field="window")
        if isinstance(ridge, bool) or not isinstance(ridge, numbers.Real) or not ridge >= 0:
            invalid(f"ridge must be a number >= 0 (got {ridge!r})", field="ridge")
        self.ridge = float(ridge)
        self._spec = self._make(7 if season_length is None else self.season_length, -1, window or 0)

    def _make(
        self, season_length: int, censor_column: int, window: int, groups: list[int] | None = None
    ) -> Any:
        return _core.CountRegression(
            family=self.family,
            zero_inflated=self.zero_inflated,
            season_length=season_length,
            trend=self.trend,
            pooled=self.pooled,
            window=window,
            ridge=self.ridge,
            censor_column=censor_column,
            pool_groups=groups or [],
        )

    def _pool_groups(self, attributes: Any) -> list[int]:
        """Group code of each series (panel order) from the ``pool_by`` attribute."""
        if attributes is None or self.pool_by not in attributes.columns:
            have = [] if attributes is None else list(map(str, attributes.columns))
            invalid(
                f"pool_by={self.pool_by!r} is not a series attribute of the training frame "
                f"(a column constant within each series); the attributes are {have}",
                field="pool_by",
            )
        import pandas as pd

        codes, _ = pd.factorize(attributes[self.pool_by], sort=True, use_na_sentinel=False)
        return [int(c) for c in codes]

    def _core_spec(
        self, freq: Any, censor_column: int | None = None, attributes: Any = None
    ) -> Any:
        m = self.season_length
        if m is None:
            from ._frame import default_season_length

            m = default_season_length(freq)
            m = m if m in (7, 24) else 1
        window = self.window
        if window is None:
            from ._frame import default_season_length

            window = {7: 365, 24: 24 * 56}.get(default_season_length(freq), 0)
        groups = None if self.pool_by is None else self._pool_groups(attributes)
        return self._make(m, -1 if censor_column is None else censor_column, window, groups)

    def _params(self) -> dict[str, Any]:
        return {
            "family": self.family,
            "zero_inflated": self.zero_inflated,
            "season_length": self.season_length,
            "trend": self.trend,
            "pooled": self.pooled,
            "window": self.window,
            "ridge": self.ridge,
            # only when set, so that the repr of an unpooled or whole-panel model is unchanged
            **({} if self.pool_by is None else {"pool_by": self.pool_by}),
        }
