from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_panel

import quickstock as qs

dd = pytest.importorskip("dask.dataframe", reason="dask is not installed (pip install 'dask[dataframe]')")
import dask  # noqa: E402


@pytest.fixture(autouse=True)
def keep_pandas_strings():
    # Dask turns text columns into its own string dtype on from_pandas; keep pandas' so the
    # comparison with the pandas result is exact, dtypes included.
    with dask.config.set({"dataframe.convert-string": False}):
        yield


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(["unique_id", "ds", "model"], kind="stable").reset_index(drop=True)


@pytest.mark.parametrize("npartitions", [1, 3, 7])
def test_dask_forecast_equals_pandas(rng, npartitions):
    df = make_panel(rng, n_series=9, attributes=True, covariates=True)
    fc = qs.Forecaster([qs.SeasonalNaive(season_length=7), qs.Naive(alias="last")], freq="D")
    want = fc.forecast(df, h=5, quantiles=[0.1, 0.5, 0.9])
    ddf = dd.from_pandas(df.sample(frac=1.0, random_state=1), npartitions=npartitions)
    got = qs.Forecaster(fc.models, freq="D").forecast(ddf, h=5, quantiles=[0.1, 0.5, 0.9])
    assert type(got).__module__.startswith("dask")
    pd.testing.assert_frame_equal(_sorted(got.compute()), _sorted(want), check_exact=True)


def test_dask_errors_name_the_series(rng):
    df = make_panel(rng, n_series=4)
    df.loc[5, "y"] = -1.0
    bad_id = df.loc[5, "unique_id"]
    ddf = dd.from_pandas(df, npartitions=2)
    with pytest.raises(qs.QuickstockError, match=f'series "{bad_id}" row'):
        qs.Forecaster([qs.Naive()], freq="D").forecast(ddf, h=2).compute()
    with pytest.raises(qs.QuickstockError, match="X_df"):
        qs.Forecaster([qs.Naive()], freq="D").forecast(ddf, h=2, X_df=df)
