"""quickstock: probabilistic demand forecasting for quick-commerce dark stores.

A C++ core with a pandas front end::

    import quickstock as qs
    fc = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D", n_jobs=-1).fit(df)
    fcst = fc.predict(h=14, quantiles=[0.1, 0.5, 0.9])
"""

from __future__ import annotations

try:
    from . import _core
except ImportError as _exc:  # pragma: no cover - depends on the installation
    raise ImportError(
        "quickstock's compiled core (quickstock._core) is missing. Install the package with "
        "`pip install .` from the source tree, or build it with CMake "
        "(-DQUICKSTOCK_BUILD_PYTHON=ON) and put build/python on PYTHONPATH."
    ) from _exc

from . import datasets, decompose, features, inventory, io, metrics, plotting
from ._core import InvalidInputError, QuickstockError
from .alerts import anomalies, webhook_payload
from .calendar import festivals
from .pipeline import (
    CalendarFeatures,
    EventFeatures,
    EWMFeatures,
    ExpandingFeatures,
    FeaturePipeline,
    FeatureStep,
    FourierTerms,
    LagFeatures,
    PriceFeatures,
    PromotionFeatures,
    RollingFeatures,
    SeasonalRollingFeatures,
    WeatherFeatures,
)
from .evaluation import evaluate
from .reporting import report
from .forecaster import DEFAULT_QUANTILES, Forecaster
from .io import read_csv
from .scenario import Change, what_if
from .explain import explain, explain_text
from .hierarchy import Hierarchy, aggregate, reconcile
from .models import (
    ADIDA,
    ETS,
    IMAPA,
    TSB,
    MSTL,
    Ensemble,
    Conformal,
    AutoETS,
    Croston,
    CrostonSBA,
    AutoTheta,
    DynamicOptimizedTheta,
    DynamicTheta,
    ARIMA,
    AutoARIMA,
    CountRegression,
    HistoricAverage,
    Model,
    Naive,
    OptimizedTheta,
    RandomWalkWithDrift,
    SeasonalNaive,
    SeasonalWindowAverage,
    Theta,
    WindowAverage,
)

__version__: str = _core.__version__

__all__ = [
    "__version__",
    "QuickstockError",
    "InvalidInputError",
    "Forecaster",
    "read_csv",
    "DEFAULT_QUANTILES",
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
    "decompose",
    "ARIMA",
    "AutoARIMA",
    "CountRegression",
    "datasets",
    "io",
    "features",
    "metrics",
    "evaluate",
    "report",
    "plotting",
    "festivals",
    "inventory",
    "anomalies",
    "webhook_payload",
    "what_if",
    "Change",
    "explain",
    "explain_text",
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
    "Hierarchy",
    "aggregate",
    "reconcile",
]
