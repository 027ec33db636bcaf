# Type stub for quickstock._core, the private pybind11 module (kept by hand; a test checks that
# every public name of the module is here).
from typing import Any, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: str

class QuickstockError(ValueError): ...

class InvalidInputError(QuickstockError):
    series_id: str
    row: Optional[int]
    field: str
    reason: str

class Frequency:
    @staticmethod
    def parse(alias: str) -> Frequency: ...
    @staticmethod
    def integer(step: int) -> Frequency: ...
    def anchored_at(self, t: int) -> Frequency: ...
    @property
    def alias(self) -> str: ...
    @property
    def step(self) -> int: ...
    @property
    def phase(self) -> int: ...
    @property
    def is_integer(self) -> bool: ...
    def timestamps(self, ordinals: npt.ArrayLike) -> npt.NDArray[np.int64]: ...
    def ordinals(
        self,
        timestamps: npt.ArrayLike,
        ids: Sequence[str],
        codes: npt.ArrayLike,
        rows: npt.ArrayLike,
    ) -> npt.NDArray[np.int64]: ...
    def __eq__(self, other: object) -> bool: ...

def format_timestamp(t: int) -> str: ...

class Panel:
    @staticmethod
    def from_long(
        codes: npt.ArrayLike,
        ids: Sequence[str],
        ds: npt.ArrayLike,
        y: npt.ArrayLike,
        covariates: Optional[npt.ArrayLike],
        covariate_names: Sequence[str],
        freq: Frequency,
        allow_negative: bool = False,
    ) -> Panel: ...
    @property
    def n_series(self) -> int: ...
    @property
    def n_obs(self) -> int: ...
    @property
    def ids(self) -> list[str]: ...
    @property
    def covariate_names(self) -> list[str]: ...
    @property
    def frequency(self) -> Frequency: ...
    @property
    def offsets(self) -> npt.NDArray[np.int64]: ...
    @property
    def starts(self) -> npt.NDArray[np.int64]: ...
    @property
    def ends(self) -> npt.NDArray[np.int64]: ...
    @property
    def source_rows(self) -> npt.NDArray[np.int64]: ...
    @property
    def values(self) -> npt.NDArray[np.float64]: ...
    @property
    def covariates(self) -> npt.NDArray[np.float64]: ...
    def drop_last(self, k: Sequence[int], min_keep: int = 1) -> Panel: ...
    def __eq__(self, other: object) -> bool: ...

# Lag and window features (bindings/register_features.cpp): CSR values + offsets in, one
# float64 array aligned with values out.
def window_lag(
    values: npt.NDArray[np.float64], offsets: npt.NDArray[np.int64], k: int, n_threads: int = 1
) -> npt.NDArray[np.float64]: ...
def window_rolling(
    values: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    stat: str,
    window: int,
    min_periods: int,
    lag: int = 0,
    q: float = 0.5,
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...
def window_seasonal_rolling(
    values: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    stat: str,
    season_length: int,
    window: int,
    min_periods: int,
    lag: int = 0,
    q: float = 0.5,
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...
def window_expanding(
    values: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    stat: str,
    min_periods: int,
    lag: int = 0,
    q: float = 0.5,
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...
def window_ewm_mean(
    values: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    alpha: float,
    min_periods: int = 1,
    lag: int = 0,
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...

class Naive:
    def __init__(self) -> None: ...

class HistoricAverage:
    def __init__(self) -> None: ...

class RandomWalkWithDrift:
    def __init__(self) -> None: ...

class SeasonalNaive:
    season_length: int
    def __init__(self, season_length: int) -> None: ...

class WindowAverage:
    window_size: int
    def __init__(self, window_size: int) -> None: ...

class SeasonalWindowAverage:
    season_length: int
    window_size: int
    def __init__(self, season_length: int, window_size: int) -> None: ...

class ETS:
    model: str
    season_length: int
    damped: bool
    def __init__(self, model: str, season_length: int = 1, damped: bool = False) -> None: ...

class AutoETS:
    season_length: int
    model: str
    damped: bool | None
    def __init__(
        self, season_length: int = 1, model: str = "ZZZ", damped: bool | None = None
    ) -> None: ...

_Spec = Union[
    Naive,
    SeasonalNaive,
    HistoricAverage,
    WindowAverage,
    SeasonalWindowAverage,
    RandomWalkWithDrift,
    ETS,
    AutoETS,
]

def model_name(spec: _Spec) -> str: ...

class FittedModel:
    def __init__(self, spec: _Spec, panel: Panel, n_threads: int = 1) -> None: ...
    def forecast(
        self,
        h: int,
        quantiles: Sequence[float],
        nonnegative: bool = True,
        n_threads: int = 1,
        x_future: npt.NDArray[np.float64] | None = None,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
    @property
    def spec(self) -> Any: ...
    @property
    def uses_covariates(self) -> bool: ...
    def fallbacks(self) -> list[str]: ...

# -- eval (metrics) --------------------------------------------------------------------------------

class RaggedSeries:
    def __init__(
        self,
        values: npt.ArrayLike,
        offsets: npt.ArrayLike,
        ids: Sequence[str] = ...,
        rows: Optional[npt.ArrayLike] = None,
        field: str = "y",
    ) -> None: ...
    @property
    def n_series(self) -> int: ...
    @property
    def field(self) -> str: ...

def mean_absolute_scale(
    train: RaggedSeries, seasonality: int = 1, skip_leading_zeros: bool = False, n_threads: int = 1
) -> npt.NDArray[np.float64]: ...
def root_mean_squared_scale(
    train: RaggedSeries, seasonality: int = 1, skip_leading_zeros: bool = False, n_threads: int = 1
) -> npt.NDArray[np.float64]: ...
def mae(
    actual: RaggedSeries, forecast: npt.ArrayLike, forecast_field: str = "forecast", n_threads: int = 1
) -> npt.NDArray[np.float64]: ...
def rmse(
    actual: RaggedSeries, forecast: npt.ArrayLike, forecast_field: str = "forecast", n_threads: int = 1
) -> npt.NDArray[np.float64]: ...
def smape(
    actual: RaggedSeries, forecast: npt.ArrayLike, forecast_field: str = "forecast", n_threads: int = 1
) -> npt.NDArray[np.float64]: ...
def wape(
    actual: RaggedSeries, forecast: npt.ArrayLike, forecast_field: str = "forecast", n_threads: int = 1
) -> npt.NDArray[np.float64]: ...
def mase(
    actual: RaggedSeries,
    forecast: npt.ArrayLike,
    scale: Sequence[float],
    forecast_field: str = "forecast",
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...
def rmsse(
    actual: RaggedSeries,
    forecast: npt.ArrayLike,
    scale: Sequence[float],
    forecast_field: str = "forecast",
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...
def pinball(
    actual: RaggedSeries,
    forecast: npt.ArrayLike,
    level: float,
    forecast_field: str = "forecast",
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...
def scaled_pinball(
    actual: RaggedSeries,
    forecast: npt.ArrayLike,
    level: float,
    scale: Sequence[float],
    forecast_field: str = "forecast",
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...
def crps(
    actual: RaggedSeries,
    quantiles: npt.ArrayLike,
    levels: Sequence[float],
    fields: Sequence[str] = ...,
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...
def coverage(
    actual: RaggedSeries,
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    lower_field: str = "lower",
    upper_field: str = "upper",
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...
def msis(
    actual: RaggedSeries,
    lower: npt.ArrayLike,
    upper: npt.ArrayLike,
    alpha: float,
    scale: Sequence[float],
    lower_field: str = "lower",
    upper_field: str = "upper",
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...
def wrmsse(
    actual: RaggedSeries,
    forecast: npt.ArrayLike,
    scale: Sequence[float],
    weights: Sequence[float],
    forecast_field: str = "forecast",
    n_threads: int = 1,
) -> float: ...
def wspl(
    actual: RaggedSeries,
    quantiles: npt.ArrayLike,
    levels: Sequence[float],
    scale: Sequence[float],
    weights: Sequence[float],
    fields: Sequence[str] = ...,
    n_threads: int = 1,
) -> float: ...

# -- reconcile --------------------------------------------------------------------------------

class Hierarchy:
    def __init__(
        self, names: list[str], ids: list[list[str]], node_of: list[npt.ArrayLike]
    ) -> None: ...
    @property
    def n_series(self) -> int: ...
    @property
    def n_bottom(self) -> int: ...
    @property
    def ids(self) -> list[str]: ...
    @property
    def level_names(self) -> list[str]: ...
    @property
    def level_offsets(self) -> npt.NDArray[np.int64]: ...
    def csr(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
    def level_index(self, name: str) -> int: ...
    def is_nested_below(self, level: int) -> bool: ...

def aggregate_hierarchy(
    hierarchy: Hierarchy,
    bottom: npt.ArrayLike,
    time: npt.ArrayLike,
    y: npt.ArrayLike,
    n_times: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...
def reconcile(
    hierarchy: Hierarchy,
    base: npt.ArrayLike,
    method: str,
    top_down_method: str = "forecast_proportions",
    level: int = 0,
    nonnegative: bool = False,
    tolerance: float = 1e-9,
    max_iterations: int = 20000,
    residuals: npt.ArrayLike | None = None,
    history: npt.ArrayLike | None = None,
) -> dict[str, Any]: ...
def reconcile_quantiles(
    hierarchy: Hierarchy,
    bottom_quantiles: npt.ArrayLike,
    reconciled_bottom: npt.ArrayLike,
    residuals: npt.ArrayLike | None,
    levels: list[float],
    n_samples: int = 1000,
    nonnegative: bool = False,
    seed: int = 0,
) -> npt.NDArray[np.float64]: ...
