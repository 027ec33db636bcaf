"""Running a ``Forecaster`` past one machine on an existing engine (Dask or Spark).

The frame is partitioned by series (every row of a series lands in one partition), each
partition is forecast by the same pandas/C++ code as on one machine, and the results are
concatenated. Each series' forecast depends only on its own rows, so the result equals the
pandas result row for row (up to row order).
"""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from ._errors import invalid

__all__ = ["is_dask", "forecast_dask", "is_spark", "forecast_spark"]


def _runner(forecaster: Any, columns: Any, engine: str, X_df: Any, h: int, quantiles: Any) -> Any:
    """Checks common to every engine; returns run(part) that forecasts one pandas part."""
    from .forecaster import Forecaster

    if X_df is not None:
        invalid(f"X_df is not supported with a {engine} DataFrame yet; use pandas", field="X_df")
    if forecaster.id_col not in columns:
        invalid(f"missing column {forecaster.id_col!r}", field=forecaster.id_col)
    settings = dict(
        models=forecaster.models,
        freq=forecaster.freq,
        n_jobs=forecaster.n_jobs,
        id_col=forecaster.id_col,
        time_col=forecaster.time_col,
        target_col=forecaster.target_col,
        stockout_col=forecaster.stockout_col,
        available_col=forecaster.available_col,
    )

    def run(part: pd.DataFrame) -> pd.DataFrame:
        return Forecaster(**settings).forecast(part, h=h, quantiles=quantiles)

    return run


def is_dask(df: Any) -> bool:
    """Whether ``df`` is a Dask DataFrame."""
    return type(df).__module__.split(".")[0] == "dask" and hasattr(df, "map_partitions")


def forecast_dask(
    forecaster: Any, ddf: Any, h: int, quantiles: Sequence[float] | None, X_df: Any
) -> Any:
    """Forecast a Dask DataFrame series by series; returns a Dask DataFrame.

    Raises:
        QuickstockError: for ``X_df`` (not supported on Dask yet), a missing id column, or
            the first invalid series (raised when the result is computed).
    """
    id_col = forecaster.id_col
    run = _runner(forecaster, ddf.columns, "Dask", X_df, h, quantiles)

    # The output schema, from one whole series (validated like any other).
    head = ddf[[id_col]].head(1, npartitions=-1)
    if len(head) == 0:
        invalid("the frame is empty: it needs at least one row of unique_id, ds, y", field="df")
    first_id = head[id_col].iloc[0]
    meta = run(ddf[ddf[id_col] == first_id].compute()).iloc[:0]

    def run_partition(part: pd.DataFrame) -> pd.DataFrame:
        if len(part) == 0:
            return meta
        return run(part)[list(meta.columns)].astype(meta.dtypes.to_dict())

    return ddf.shuffle(on=id_col).map_partitions(run_partition, meta=meta)


def is_spark(df: Any) -> bool:
    """Whether ``df`` is a Spark (pyspark.sql) DataFrame."""
    return type(df).__module__.startswith("pyspark.sql") and hasattr(df, "groupBy")


def _spark_type(name: str, dtype: Any, given: dict[str, Any]) -> Any:
    from pyspark.sql import types as T

    if name in given:  # id, ds and attribute columns keep the input's Spark type
        return given[name]
    if pd.api.types.is_bool_dtype(dtype):
        return T.BooleanType()
    if pd.api.types.is_integer_dtype(dtype):
        return T.LongType()
    if pd.api.types.is_float_dtype(dtype):
        return T.DoubleType()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return T.TimestampType()
    return T.StringType()


def forecast_spark(
    forecaster: Any,
    sdf: Any,
    h: int,
    quantiles: Sequence[float] | None,
    X_df: Any,
    n_partitions: int | None = None,
) -> Any:
    """Forecast a Spark DataFrame: series are hashed into ``n_partitions`` groups (default:
    4 × the default parallelism), each group is forecast with ``applyInPandas`` by the same
    pandas/C++ code, and a Spark DataFrame is returned.

    Raises:
        QuickstockError: for ``X_df`` (not supported on Spark yet), a missing id column or an
            empty frame; invalid series fail the Spark job with the same message.
    """
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    id_col = forecaster.id_col
    run = _runner(forecaster, sdf.columns, "Spark", X_df, h, quantiles)

    first = sdf.select(id_col).limit(1).collect()
    if not first:
        invalid("the frame is empty: it needs at least one row of unique_id, ds, y", field="df")
    meta = run(sdf.filter(F.col(id_col) == first[0][0]).toPandas()).iloc[:0]
    given = {f.name: f.dataType for f in sdf.schema.fields}
    schema = T.StructType(
        [T.StructField(str(c), _spark_type(str(c), t, given), True) for c, t in meta.dtypes.items()]
    )
    columns = list(meta.columns)
    parts = n_partitions or 4 * sdf.sparkSession.sparkContext.defaultParallelism
    bucket = "__quickstock_bucket"

    def run_group(part: pd.DataFrame) -> pd.DataFrame:
        return run(part.drop(columns=[bucket]))[columns]

    return (
        sdf.withColumn(bucket, F.pmod(F.hash(F.col(id_col)), F.lit(parts)))
        .groupBy(bucket)
        .applyInPandas(run_group, schema=schema)
    )
