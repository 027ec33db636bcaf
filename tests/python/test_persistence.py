from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from conftest import make_panel

import quickstock as qs


def _fitted(df, **kw):
    return qs.Forecaster(
        [qs.SeasonalNaive(season_length=7, alias="sn"), qs.HistoricAverage()], freq="D", **kw
    ).fit(df)


def test_round_trip_predicts_identically(tmp_path, panel):
    fc = _fitted(panel, n_jobs=2)
    path = str(tmp_path / "model.qs")
    fc.save(path)
    back = qs.Forecaster.load(path)
    pd.testing.assert_frame_equal(fc.predict(h=5, quantiles=[0.05, 0.5]), back.predict(h=5, quantiles=[0.05, 0.5]))
    assert back.models == fc.models and back.n_jobs == 2 and back.freq == "D"
    assert back.prepared_.covariates == ["rain_mm", "promo"]


@pytest.mark.parametrize("kind", ["int_ids", "tz", "integer_time", "hourly"])
def test_round_trip_variants(tmp_path, rng, kind):
    df = make_panel(rng, n_series=3)
    freq = "D"
    if kind == "int_ids":
        df["unique_id"] = df.unique_id.factorize()[0] + 7
    elif kind == "tz":
        df["ds"] = df.ds.dt.tz_localize("Asia/Kolkata")
    elif kind == "integer_time":
        df["ds"] = df.groupby("unique_id").cumcount() + 100
        freq = 1
    else:
        df["ds"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df.groupby("unique_id").cumcount(), unit="h")
        freq = "h"
    fc = qs.Forecaster([qs.Naive()], freq=freq).fit(df)
    path = str(tmp_path / "m.qs")
    fc.save(path)
    pd.testing.assert_frame_equal(fc.predict(h=3), qs.Forecaster.load(path).predict(h=3))


def test_unfitted_cannot_be_saved(tmp_path):
    with pytest.raises(qs.QuickstockError, match="fit"):
        qs.Forecaster([qs.Naive()], freq="D").save(str(tmp_path / "x.qs"))


def test_damaged_foreign_and_newer_files_raise(tmp_path, panel):
    path = tmp_path / "m.qs"
    _fitted(panel).save(str(path))
    data = path.read_bytes()
    (tmp_path / "cut.qs").write_bytes(data[: len(data) // 2])
    with pytest.raises(qs.QuickstockError, match="damaged"):
        qs.Forecaster.load(str(tmp_path / "cut.qs"))
    (tmp_path / "text.qs").write_text("hello")
    with pytest.raises(qs.QuickstockError, match="damaged or not a quickstock file"):
        qs.Forecaster.load(str(tmp_path / "text.qs"))
    with pytest.raises(qs.QuickstockError, match="no such file"):
        qs.Forecaster.load(str(tmp_path / "absent.qs"))

    def rewrite(name, change):
        src = zipfile.ZipFile(path)
        meta = json.loads(src.read("quickstock.json"))
        change(meta)
        with zipfile.ZipFile(tmp_path / name, "w") as out:
            for item in src.namelist():
                out.writestr(item, json.dumps(meta) if item == "quickstock.json" else src.read(item))
        return str(tmp_path / name)

    with pytest.raises(qs.QuickstockError, match="upgrade quickstock"):
        qs.Forecaster.load(rewrite("new.qs", lambda m: m.update(version=99)))
    with pytest.raises(qs.QuickstockError, match="not a saved quickstock forecaster"):
        qs.Forecaster.load(rewrite("foreign.qs", lambda m: m.update(format="other")))
    with pytest.raises(qs.QuickstockError, match="unknown model"):
        qs.Forecaster.load(rewrite("model.qs", lambda m: m["models"][0].update({"class": "os"})))
    with pytest.raises(qs.QuickstockError, match="damaged"):
        qs.Forecaster.load(rewrite("ids.qs", lambda m: m.update(ids=m["ids"][:1])))


def test_file_holds_no_pickle(tmp_path, panel):
    path = tmp_path / "m.qs"
    _fitted(panel).save(str(path))
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["covariates.npy", "ds.npy", "lengths.npy", "quickstock.json", "y.npy"]
        for name in zf.namelist():
            if name.endswith(".npy"):
                import io

                np.load(io.BytesIO(zf.read(name)), allow_pickle=False)
