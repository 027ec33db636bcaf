from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import make_panel

import quickstock as qs
from quickstock.cli import main


def test_load_hyderabad_is_the_documented_sample():
    d = qs.datasets.load_hyderabad()
    need = ["unique_id", "ds", "y", "city", "zone", "pincode", "store_id", "category", "sku",
            "rain_mm", "temp_max_c", "price", "promo", "stockout"]
    assert list(d.columns) == need
    assert d.attrs["synthetic"] is True
    assert set(d.pincode) == {"500032", "500081", "500034", "500072"}
    assert d.groupby("unique_id").ds.count().min() >= 730
    assert (d.y >= 0).all() and d.y.eq(d.y.round()).all()
    assert set(d.stockout.unique()) <= {0, 1} and d.stockout.sum() > 0
    # the whole sample forecasts end to end
    f = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D", n_jobs=2).fit(d).predict(h=7)
    assert len(f) == d.unique_id.nunique() * 7
    assert {"store_id", "category", "sku"} <= set(f.columns)


@pytest.mark.parametrize("ext", ["csv", "csv.gz", "parquet", "xlsx"])
def test_cli_forecast_round_trip(tmp_path, rng, ext, capsys):
    if ext == "parquet":
        pytest.importorskip("pyarrow")
    if ext == "xlsx":
        pytest.importorskip("openpyxl")
    df = make_panel(rng, n_series=3)
    src = tmp_path / f"in.{ext}"
    qs.io.write_table(df, str(src)) if ext != "csv.gz" else df.to_csv(src, index=False)
    out = tmp_path / f"out.{ext if ext != 'csv.gz' else 'csv'}"
    rc = main(["forecast", "--input", str(src), "--horizon", "4", "--quantiles", "0.1,0.5,0.9",
               "--output", str(out)])
    assert rc == 0, capsys.readouterr().err
    got = qs.io.read_table(str(out))
    want = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D").fit(df).predict(h=4)
    assert list(got.columns) == list(want.columns)
    np.testing.assert_allclose(got[["mean", "p10", "p50", "p90"]], want[["mean", "p10", "p50", "p90"]], rtol=1e-12)
    assert "3 series × 4 periods" in capsys.readouterr().out


def test_cli_infers_freq_and_models(tmp_path, capsys):
    df = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=30, freq="h"), "y": np.arange(30.0)})
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    df.to_csv(src, index=False)
    assert main(["forecast", "--input", str(src), "--horizon", "2", "--output", str(out),
                 "--models", "Naive,RandomWalkWithDrift"]) == 0
    got = pd.read_csv(out)
    assert set(got.model) == {"Naive", "RandomWalkWithDrift"}
    assert "freq h" in capsys.readouterr().out


def test_cli_errors_exit_2_with_message(tmp_path, capsys):
    src = tmp_path / "in.csv"
    pd.DataFrame({"unique_id": ["a", "a"], "ds": ["2024-01-01", "2024-01-02"], "y": [1, -4]}).to_csv(src, index=False)
    rc = main(["forecast", "--input", str(src), "--horizon", "2", "--output", str(tmp_path / "o.csv"), "--freq", "D"])
    err = capsys.readouterr().err
    assert rc == 2
    assert 'series "a" row 1 field "y": demand must be >= 0 (got -4)' in err


@pytest.mark.parametrize("args", [["--help"], ["demo", "--help"], ["forecast", "--help"]], ids=" ".join)
def test_help_everywhere(args):
    r = subprocess.run([sys.executable, "-m", "quickstock", *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "usage: quickstock" in r.stdout


def test_demo_prints_quantiles_and_orders(capsys):
    assert main(["demo", "--store", "500034", "--n-jobs", "2"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out and "HYD-500034" in out
    assert "P10" in out and "P50" in out and "P90" in out and "order" in out
    assert "HYD-500032" not in out.split("suggested orders")[1]
