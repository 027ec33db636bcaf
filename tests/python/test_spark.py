from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import make_panel

import quickstock as qs

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pyspark)")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (apt-get install default-jre-headless)", allow_module_level=True)

pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning",
    "ignore::DeprecationWarning",
    "ignore::ResourceWarning",
)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("quickstock-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["unique_id", "ds", "model"], kind="stable").reset_index(drop=True)


def test_spark_forecast_equals_pandas(spark, rng):
    df = make_panel(rng, n_series=7, attributes=True)
    models = [qs.SeasonalNaive(season_length=7), qs.HistoricAverage()]
    want = qs.Forecaster(models, freq="D").forecast(df, h=4, quantiles=[0.1, 0.5, 0.9])
    got = qs.Forecaster(models, freq="D").forecast(spark.createDataFrame(df), h=4, quantiles=[0.1, 0.5, 0.9])
    assert type(got).__module__.startswith("pyspark.sql")
    out = _sorted(got.toPandas())
    out["ds"] = out["ds"].astype(want["ds"].dtype)  # Spark returns microsecond timestamps
    pd.testing.assert_frame_equal(out, _sorted(want), check_dtype=False, check_exact=True)


def test_spark_rejects_x_df(spark, rng):
    df = make_panel(rng, n_series=2)
    with pytest.raises(qs.QuickstockError, match="X_df"):
        qs.Forecaster([qs.Naive()], freq="D").forecast(spark.createDataFrame(df), h=2, X_df=df)
