# Type stub for quickstock._core, the private pybind11 module (kept by hand; a test checks that
# every public name of the module is here).
from typing import Any, Callable, Optional, Sequence, Union

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
def read_csv(
    path: str,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    sep: str = ",",
    allow_negative: bool = False,
) -> dict[str, Any]: ...
def read_csv_panel(
    path: str,
    freq: Frequency,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    sep: str = ",",
    allow_negative: bool = False,
) -> Panel: ...

def parse_saved(data: bytes, name: str) -> dict[str, Any]: ...
def load_saved_forecast(
    path: str,
    h: int,
    quantiles: Sequence[float],
    n_threads: int = 1,
    x_future: npt.NDArray[np.float64] | None = None,
) -> list[tuple[str, npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]]: ...

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

class Croston:
    alpha: float
    integer: bool | None
    censor_column: int
    def __init__(
        self, alpha: float = 0.1, integer: bool | None = None, censor_column: int = -1
    ) -> None: ...

class CrostonSBA:
    alpha: float
    integer: bool | None
    censor_column: int
    def __init__(
        self, alpha: float = 0.1, integer: bool | None = None, censor_column: int = -1
    ) -> None: ...

class TSB:
    alpha_d: float
    alpha_p: float
    integer: bool | None
    censor_column: int
    def __init__(
        self,
        alpha_d: float,
        alpha_p: float,
        integer: bool | None = None,
        censor_column: int = -1,
    ) -> None: ...

class ADIDA:
    integer: bool | None
    def __init__(self, integer: bool | None = None) -> None: ...

class IMAPA:
    integer: bool | None
    def __init__(self, integer: bool | None = None) -> None: ...

class Theta:
    season_length: int
    decomposition_type: str
    def __init__(self, season_length: int = 1, decomposition_type: str = "multiplicative") -> None: ...

class OptimizedTheta:
    season_length: int
    decomposition_type: str
    def __init__(self, season_length: int = 1, decomposition_type: str = "multiplicative") -> None: ...

class DynamicTheta:
    season_length: int
    decomposition_type: str
    def __init__(self, season_length: int = 1, decomposition_type: str = "multiplicative") -> None: ...

class DynamicOptimizedTheta:
    season_length: int
    decomposition_type: str
    def __init__(self, season_length: int = 1, decomposition_type: str = "multiplicative") -> None: ...

class AutoTheta:
    season_length: int
    decomposition_type: str
    selection: str
    def __init__(
        self,
        season_length: int = 1,
        decomposition_type: str = "multiplicative",
        selection: str = "holdout",
    ) -> None: ...

class MSTL:
    season_length: list[float]
    trend_forecaster: Any
    def __init__(self, season_length: Sequence[float], trend_forecaster: Any) -> None: ...

class Ensemble:
    models: list[Any]
    weighting: str
    weights: list[float]
    n_windows: int
    h: int
    def __init__(
        self,
        models: Sequence[Any],
        weighting: str = "cv",
        weights: Sequence[float] = ...,
        n_windows: int = 2,
        h: int = 14,
    ) -> None: ...

class Conformal:
    model: Any
    n_windows: int
    h: int
    step_size: int
    method: str
    refit: bool
    def __init__(
        self,
        model: Any,
        n_windows: int = 20,
        h: int = 14,
        step_size: int = 1,
        method: str = "signed",
        refit: bool = True,
    ) -> None: ...

def stl(
    y: npt.ArrayLike,
    period: float,
    s_window: Optional[int] = None,
    s_degree: int = 0,
    t_window: Optional[int] = None,
    t_degree: int = 1,
    l_window: Optional[int] = None,
    l_degree: Optional[int] = None,
    s_jump: Optional[int] = None,
    t_jump: Optional[int] = None,
    l_jump: Optional[int] = None,
    robust: bool = False,
    inner: Optional[int] = None,
    outer: Optional[int] = None,
) -> tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]
]: ...
def mstl(
    y: npt.ArrayLike,
    periods: Sequence[float],
    iterate: int = 2,
    s_window: Sequence[int] = ...,
    robust: bool = False,
) -> tuple[list[float], npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...

class ETSX:
    season_length: int
    model: str
    damped: bool | None
    automatic: bool
    parameter_uncertainty: bool
    def __init__(
        self,
        season_length: int = 1,
        model: str = "ZZZ",
        damped: bool | None = None,
        automatic: bool = True,
        parameter_uncertainty: bool = True,
    ) -> None: ...

class ARIMA:
    season_length: int
    include_mean: bool
    include_drift: bool
    @property
    def order(self) -> tuple[int, int, int]: ...
    @property
    def seasonal_order(self) -> tuple[int, int, int]: ...
    @property
    def method(self) -> str: ...
    def __init__(
        self,
        order: tuple[int, int, int],
        seasonal_order: tuple[int, int, int],
        season_length: int = 1,
        include_mean: bool = True,
        include_drift: bool = False,
        method: str = "CSS-ML",
    ) -> None: ...

class AutoARIMA:
    season_length: int
    stepwise: bool
    @property
    def ic(self) -> str: ...
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
    ) -> None: ...
    def _state(self) -> tuple[Any, ...]: ...

def fit_arima_series(
    spec: ARIMA | AutoARIMA,
    y: npt.ArrayLike,
    xreg: npt.ArrayLike,
    h: int,
    quantiles: Sequence[float],
    x_future: npt.ArrayLike,
    nonnegative: bool = False,
) -> dict[str, Any]: ...
class CountRegression:
    zero_inflated: bool
    season_length: int
    trend: bool
    pooled: bool
    window: int
    ridge: float
    censor_column: int
    pool_groups: list[int]
    @property
    def family(self) -> str: ...
    def __init__(
        self,
        family: str = "negbin",
        zero_inflated: bool = False,
        season_length: int = 7,
        trend: bool = False,
        pooled: bool = False,
        window: int = 0,
        ridge: float = 1.0,
        censor_column: int = -1,
        pool_groups: Sequence[int] = ...,
    ) -> None: ...

def fit_count_regression_series(
    spec: CountRegression,
    y: npt.ArrayLike,
    x: npt.ArrayLike,
    start: int,
    h: int,
    quantiles: Sequence[float],
    x_future: npt.ArrayLike,
) -> dict[str, Any]: ...
def kpss_statistic(x: npt.ArrayLike, lags: int) -> float: ...
def ocsb_statistic(x: npt.ArrayLike, m: int) -> float: ...
def ndiffs(x: npt.ArrayLike, max_d: int = 2) -> int: ...
def seasonal_strength(x: npt.ArrayLike, m: int) -> float: ...
def nsdiffs(x: npt.ArrayLike, m: int, max_D: int = 1, test: str = "seas") -> int: ...

_Spec = Union[
    Naive,
    SeasonalNaive,
    HistoricAverage,
    WindowAverage,
    SeasonalWindowAverage,
    RandomWalkWithDrift,
    ETS,
    AutoETS,
    Croston,
    CrostonSBA,
    TSB,
    ADIDA,
    IMAPA,
    Theta,
    OptimizedTheta,
    DynamicTheta,
    DynamicOptimizedTheta,
    AutoTheta,
    MSTL,
    ETSX,
    ARIMA,
    AutoARIMA,
    Ensemble,
    Conformal,
    CountRegression,
]

def model_name(spec: _Spec) -> str: ...

class FittedModel:
    def __init__(
        self,
        spec: _Spec,
        panel: Panel,
        n_threads: int = 1,
        progress: Callable[[int, int], None] | None = None,
    ) -> None: ...
    def forward(
        self,
        panel: Panel,
        n_threads: int = 1,
        progress: Callable[[int, int], None] | None = None,
    ) -> FittedModel: ...
    def forecast(
        self,
        h: int,
        quantiles: Sequence[float],
        nonnegative: bool = True,
        n_threads: int = 1,
        x_future: npt.NDArray[np.float64] | None = None,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
    def contributions(
        self,
        h: int,
        nonnegative: bool = True,
        n_threads: int = 1,
        x_future: npt.NDArray[np.float64] | None = None,
    ) -> tuple[npt.NDArray[np.int64], list[tuple[list[str], npt.NDArray[np.float64]]]]: ...
    def sample_paths(
        self,
        h: int,
        n_paths: int,
        seed: int = 0,
        nonnegative: bool = True,
        correlation: float = 0.0,
        n_threads: int = 1,
        x_future: npt.NDArray[np.float64] | None = None,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], str]: ...
    @property
    def spec(self) -> Any: ...
    @property
    def uses_covariates(self) -> bool: ...
    def fallbacks(self) -> list[str]: ...
    def coefficients(
        self,
    ) -> list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]: ...

# -- decisions (inventory) -------------------------------------------------------------------------

def recommend_orders(
    levels: Sequence[float],
    quantiles: npt.ArrayLike,
    ids: Sequence[str],
    price: npt.ArrayLike,
    cost: npt.ArrayLike,
    salvage: npt.ArrayLike,
    shelf_life: npt.ArrayLike,
    lead_time: npt.ArrayLike,
    review_period: npt.ArrayLike,
    on_hand: npt.ArrayLike,
    order_multiple: npt.ArrayLike,
    min_order: npt.ArrayLike,
    n_paths: int = 4000,
    correlation: float = 0.0,
    seed: int = 0,
    n_threads: int = 1,
) -> dict[str, npt.NDArray[np.float64]]: ...

def detect_anomalies(
    offsets: npt.ArrayLike,
    actual: npt.ArrayLike,
    lower: npt.ArrayLike,
    median: npt.ArrayLike,
    upper: npt.ArrayLike,
    min_zero_run: int = 3,
    shift_run: int = 7,
    n_threads: int = 1,
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
]: ...

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
    def node_rows(self) -> npt.NDArray[np.int64]: ...
    def level_index(self, name: str) -> int: ...
    def is_nested_below(self, level: int) -> bool: ...

def aggregate_hierarchy(
    hierarchy: Hierarchy,
    bottom: npt.ArrayLike,
    time: npt.ArrayLike,
    y: npt.ArrayLike,
    n_times: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...
def aggregate_series(
    hierarchy: Hierarchy,
    bottom: npt.ArrayLike,
    time: npt.ArrayLike,
    y: npt.ArrayLike,
    n_times: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.float64]]: ...
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
    n_threads: int = 1,
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
    n_threads: int = 1,
) -> npt.NDArray[np.float64]: ...
