"""Saved forecasters read from C++ (quickstock::io::load_saved) and from Python agree.

For every model class of the model matrix: Python ``save`` → the C++ reader fits and forecasts
(``_core.load_saved_forecast``) → equal, bit for bit, to ``Forecaster.load(path).predict``.
Then a damaged-file corpus (truncations, flipped bytes, foreign and bomb zips, wrong JSON
types): every file either loads in both readers with equal forecasts or raises
``QuickstockError`` in both — never a crash.
"""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import quickstock as qs
from quickstock import _core

from test_model_matrix import FACTORIES

H = 6
LEVELS = [0.05, 0.5, 0.9]


def panel(covariate: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    frames = []
    for i, n in enumerate([70, 45, 90]):
        t = np.arange(n)
        y = np.maximum(0.0, 12 + 3 * i + 4 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 1.5, n)).round(1)
        if i == 1:
            y = rng.poisson(0.4, n).astype(float)  # intermittent
        f = pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range("2024-01-01", periods=n, freq="D"), "y": y})
        if covariate:
            f["x"] = np.sin(t / 3.0) + i
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def future(df: pd.DataFrame, h: int) -> pd.DataFrame:
    rows = []
    for uid, g in df.groupby("unique_id", sort=True):
        n, i = len(g), int(uid[1:])
        rows.append(pd.DataFrame({"unique_id": uid, "ds": pd.date_range(g["ds"].max() + pd.Timedelta(days=1), periods=h, freq="D"), "x": np.sin(np.arange(n, n + h) / 3.0) + i}))
    return pd.concat(rows, ignore_index=True)


def x_matrix(x_df: pd.DataFrame | None) -> np.ndarray | None:
    if x_df is None:
        return None
    return np.ascontiguousarray(x_df.sort_values(["unique_id", "ds"])[["x"]].to_numpy(dtype=float))


def python_forecast(path: str, h: int, x_df: pd.DataFrame | None) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    fc = qs.Forecaster.load(path)
    out = fc.predict(h=h, quantiles=LEVELS, X_df=x_df)
    n = len(fc.prepared_.ids)
    res = {}
    for m in fc.models:
        part = out[out["model"] == m.alias]
        mean = part["mean"].to_numpy().reshape(n, h)
        q = part[[c for c in out.columns if c.startswith("p") and c[1:2].isdigit()]].to_numpy().reshape(n, h, len(LEVELS))
        res[m.alias] = (mean, q)
    return res


def cpp_forecast(path: str, h: int, x_df: pd.DataFrame | None, n_threads: int = 1) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    out = _core.load_saved_forecast(path, h, LEVELS, n_threads, x_matrix(x_df))
    return {alias: (mean, q) for alias, _first, mean, q in out}


def assert_same(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for k in a:
        np.testing.assert_array_equal(a[k][0], b[k][0], err_msg=k)
        np.testing.assert_array_equal(a[k][1], b[k][1], err_msg=k)


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_every_model_cpp_equals_python(name: str, tmp_path: Path) -> None:
    model = FACTORIES[name]()
    path = str(tmp_path / f"{name}.qs")
    fc = qs.Forecaster([model], freq="D").fit(panel())
    fc.save(path)
    assert_same(cpp_forecast(path, H, None), python_forecast(path, H, None))
    # Same with a covariate column: models that use covariates get it (and X_df).
    df = panel(covariate=True)
    fc = qs.Forecaster([FACTORIES[name]()], freq="D").fit(df)
    fc.save(path)
    x_df = future(df, H) if fc.fitted_[0].uses_covariates else None
    want = python_forecast(path, H, x_df)
    assert_same(cpp_forecast(path, H, x_df), want)
    assert_same(cpp_forecast(path, H, x_df, n_threads=3), want)


def test_many_models_nested_attributes_and_aliases(tmp_path: Path) -> None:
    df = panel()
    df["region"] = df["unique_id"].map({"s0": "north", "s1": "south", "s2": "north"})
    models = [
        qs.Ensemble([qs.Naive(), qs.Ensemble([qs.HistoricAverage(), qs.SeasonalNaive(season_length=7)])], weights="equal", alias="nested"),
        qs.Conformal(qs.MSTL(season_length=[7], trend_forecaster=qs.Theta()), n_windows=4, h=3, step_size=2),
        qs.Conformal(qs.AutoETS(season_length=7), n_windows=5, h=3, refit=False, alias="conformal_fwd"),
        qs.AutoARIMA(season_length=7, stepwise=False, max_order=3, approximation=False, alias="arima"),
        qs.ETS("MAN", damped=True),
        qs.TSB(alpha_d=0.3, alpha_p=0.05, integer=False),
    ]
    path = str(tmp_path / "many.qs")
    qs.Forecaster(models, freq="D").fit(df).save(path)
    assert_same(cpp_forecast(path, H, None), python_forecast(path, H, None))


def test_censored_integer_time_and_numeric_ids(tmp_path: Path) -> None:
    df = panel()
    df["stockout"] = (df["y"] < 1).astype(bool)
    path = str(tmp_path / "cens.qs")
    qs.Forecaster([qs.CountRegression(window=30)], freq="D", stockout_col="stockout").fit(df).save(path)
    assert_same(cpp_forecast(path, H, None), python_forecast(path, H, None))
    ints = pd.DataFrame({"unique_id": np.repeat([3, 10, 200], 20), "ds": np.tile(np.arange(5, 105, 5), 3), "y": np.arange(60.0) % 7})
    path = str(tmp_path / "ints.qs")
    qs.Forecaster([qs.CountRegression(), qs.SeasonalWindowAverage(season_length=4, window_size=2)], freq=5).fit(ints).save(path)
    assert_same(cpp_forecast(path, H, None), python_forecast(path, H, None))


def test_censored_intermittent_models_and_pooling_by_attribute(tmp_path: Path) -> None:
    """Croston, CrostonSBA and TSB read the censoring column, CountRegression(pool_by=) forms
    its groups from the saved attribute, in C++ as in Python."""
    df = panel()
    df["stockout"] = (df["y"] < 1).astype(bool)
    df["store"] = df["unique_id"].map({"s0": "b", "s1": "a", "s2": "b"})
    models = [qs.Croston(), qs.CrostonSBA(), qs.TSB(alpha_d=0.2, alpha_p=0.1),
              qs.CountRegression(window=30, pool_by="store")]
    path = str(tmp_path / "cens_pool.qs")
    qs.Forecaster(models, freq="D", stockout_col="stockout").fit(df).save(path)
    assert_same(cpp_forecast(path, H, None), python_forecast(path, H, None))
    df = df.drop(columns="stockout")
    df["store"] = df["unique_id"].map({"s0": 2.5, "s1": np.nan, "s2": 2.5})  # numbers, missing
    qs.Forecaster([qs.CountRegression(pool_by="store")], freq="D").fit(df).save(path)
    assert_same(cpp_forecast(path, H, None), python_forecast(path, H, None))
    qs.Forecaster([qs.CountRegression(pool_by="region")], freq="D").fit(df.assign(region="x")).save(path)
    assert_same(cpp_forecast(path, H, None), python_forecast(path, H, None))


def test_format_is_v2_stored() -> None:
    assert qs.persistence.VERSION == 2


def test_written_entries_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "m.qs"
    qs.Forecaster([qs.Naive()], freq="D").fit(panel()).save(str(path))
    with zipfile.ZipFile(path) as zf:
        assert all(i.compress_type == zipfile.ZIP_STORED for i in zf.infolist())
        assert json.loads(zf.read("quickstock.json"))["version"] == 2


def test_version_1_deflated_files_still_load_in_python(tmp_path: Path) -> None:
    path = tmp_path / "m.qs"
    fc = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D").fit(panel())
    fc.save(str(path))
    old = tmp_path / "v1.qs"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(old, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = src.read(name)
            if name == "quickstock.json":
                meta = json.loads(data)
                meta["version"] = 1
                data = json.dumps(meta).encode()
            dst.writestr(name, data)
    pd.testing.assert_frame_equal(qs.Forecaster.load(str(old)).predict(h=3), fc.predict(h=3))
    with pytest.raises(qs.QuickstockError, match="compressed"):
        _core.load_saved_forecast(str(old), 3, [0.5])


# --- damaged files -------------------------------------------------------------------------


def outcome(path: Path) -> Any:
    """("error", None) or ("ok", forecasts) for each reader."""
    try:
        py = ("ok", python_forecast(str(path), 2, None))
    except qs.QuickstockError:
        py = ("error", None)
    try:
        cpp = ("ok", cpp_forecast(str(path), 2, None))
    except qs.QuickstockError:
        cpp = ("error", None)
    return py, cpp


def assert_agree(path: Path) -> str:
    py, cpp = outcome(path)
    assert py[0] == cpp[0], f"{path.name}: Python {py[0]}, C++ {cpp[0]}"
    if py[0] == "ok":
        assert_same(py[1], cpp[1])
    return py[0]


@pytest.fixture(scope="module")
def saved_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("saved") / "base.qs"
    df = panel(covariate=False)
    df["region"] = df["unique_id"].map({"s0": "n", "s1": "s", "s2": "n"})
    qs.Forecaster([qs.Naive(), qs.Ensemble([qs.HistoricAverage(), qs.Naive()], h=3)], freq="D").fit(df).save(str(path))
    return path.read_bytes()


def test_truncated_at_every_97th_byte(saved_bytes: bytes, tmp_path: Path) -> None:
    p = tmp_path / "cut.qs"
    for cut in range(0, len(saved_bytes), 97):
        p.write_bytes(saved_bytes[:cut])
        assert assert_agree(p) == "error", cut


def test_flipped_bytes_agree(saved_bytes: bytes, tmp_path: Path) -> None:
    rng = np.random.default_rng(97)
    p = tmp_path / "flip.qs"
    results = []
    for pos in rng.choice(len(saved_bytes), size=150, replace=False):
        data = bytearray(saved_bytes)
        data[pos] ^= 1 << int(rng.integers(8))
        p.write_bytes(bytes(data))
        results.append(assert_agree(p))
    assert "error" in results  # the CRC catches flips in entry data


def zip_of(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_foreign_zip_and_bomb(saved_bytes: bytes, tmp_path: Path) -> None:
    p = tmp_path / "x.qs"
    p.write_bytes(zip_of({"readme.txt": b"hello"}))
    assert assert_agree(p) == "error"
    # A declared size far past the file: the central directory promises 4 GiB - 2 of data.
    data = bytearray(saved_bytes)
    cd = data.rfind(b"PK\x01\x02")
    struct.pack_into("<II", data, cd + 20, 0xFFFFFFFE, 0xFFFFFFFE)
    p.write_bytes(bytes(data))
    with pytest.raises(qs.QuickstockError, match="damaged"):
        _core.load_saved_forecast(str(p), 2, [0.5])
    assert assert_agree(p) == "error"
    # A deflate bomb: a small compressed entry of a huge size is refused unread.
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries(saved_bytes).items():
            zf.writestr(name, content if name != "y.npy" else b"\0" * (50 << 20))
    p.write_bytes(bomb.getvalue())
    assert len(bomb.getvalue()) < 1 << 20
    with pytest.raises(qs.QuickstockError, match="compressed"):
        _core.load_saved_forecast(str(p), 2, [0.5])


JSON_CHANGES = {
    "version_text": lambda m: m.update(version="2"),
    "version_bool": lambda m: m.update(version=True),
    "version_new": lambda m: m.update(version=3),
    "format": lambda m: m.update(format="other"),
    "freq_list": lambda m: m.update(freq=["D"]),
    "freq_bad": lambda m: m.update(freq="fortnight"),
    "n_jobs_zero": lambda m: m.update(n_jobs=0),
    "columns_two": lambda m: m.update(columns=["unique_id", "ds"]),
    "columns_same": lambda m: m.update(columns=["a", "a", "y"]),
    "models_empty": lambda m: m.update(models=[]),
    "models_dict": lambda m: m.update(models={"a": 1}),
    "class_unknown": lambda m: m["models"][0].update({"class": "os"}),
    "class_base": lambda m: m["models"][0].update({"class": "Model"}),
    "class_number": lambda m: m["models"][0].update({"class": 3}),
    "alias_dup": lambda m: m["models"][1].update(alias="Naive"),
    "alias_empty": lambda m: m["models"][0].update(alias=""),
    "params_extra": lambda m: m["models"][0]["params"].update(bogus=1),
    "n_windows_text": lambda m: m["models"][1]["params"].update(n_windows="2"),
    "n_windows_real": lambda m: m["models"][1]["params"].update(n_windows=2.0),
    "n_windows_zero": lambda m: m["models"][1]["params"].update(n_windows=0),
    "weights_bad": lambda m: m["models"][1]["params"].update(weights="best"),
    "weights_given": lambda m: m["models"][1]["params"].update(weights=[1, 2.5]),
    "weights_scalar": lambda m: m["models"][1]["params"].update(weights=1),
    "weights_count": lambda m: m["models"][1]["params"].update(weights=[1, 2, 3]),
    "members_empty": lambda m: m["models"][1]["params"].update(models=[]),
    "member_text": lambda m: m["models"][1]["params"].update(models=["Naive"]),
    "member_unknown": lambda m: m["models"][1]["params"]["models"][0].update({"class": "Nope"}),
    "ids_short": lambda m: m.update(ids=m["ids"][:1]),
    "ids_unsorted": lambda m: m.update(ids=m["ids"][::-1]),
    "ids_mixed": lambda m: m.update(ids=[m["ids"][0], 1, 2]),
    "ids_null": lambda m: m.update(ids=[None, "b", "c"]),
    "ids_numbers": lambda m: m.update(ids=[1, 2.5, 3]),
    "time_kind": lambda m: m["time"].update(kind="calendar"),
    "time_integer": lambda m: m["time"].update(kind="integer"),
    "censor_missing": lambda m: m.update(censor_col="stock"),
    "covariates_extra": lambda m: m.update(covariates=["x"]),
    "attributes_rows": lambda m: m["attributes"].update(data=m["attributes"]["data"][:1]),
    "attributes_nested": lambda m: m["attributes"]["data"][0].__setitem__(0, [1]),
    "attribute_dtypes_unknown": lambda m: m["attribute_dtypes"].update(other="object"),
    "no_models_key": lambda m: m.pop("models"),
    "no_time_key": lambda m: m.pop("time"),
}


@pytest.mark.parametrize("change", sorted(JSON_CHANGES))
def test_json_with_wrong_types_agree(change: str, saved_bytes: bytes, tmp_path: Path) -> None:
    files = entries(saved_bytes)
    meta = json.loads(files["quickstock.json"])
    JSON_CHANGES[change](meta)
    files["quickstock.json"] = json.dumps(meta).encode()
    p = tmp_path / f"{change}.qs"
    p.write_bytes(zip_of(files))
    assert_agree(p)


@pytest.mark.parametrize(
    "text",
    [b"", b"{", b'{"a":1,}', b"[1 2]", b'{"a":NaN}', b'{"a":1e999}', b'{"a":1,"a":2}', b'"\\ud800"',
     b"\xef\xbb\xbf{}", b"[" * 100 + b"]" * 100, b'{"a":"\xff"}', b"123456789012345678901234567890"],
)
def test_malformed_json_is_refused_by_both(text: bytes, saved_bytes: bytes, tmp_path: Path) -> None:
    files = entries(saved_bytes)
    files["quickstock.json"] = text
    p = tmp_path / "bad.qs"
    p.write_bytes(zip_of(files))
    assert assert_agree(p) == "error"


@pytest.mark.parametrize("name", ["lengths.npy", "ds.npy", "y.npy", "covariates.npy"])
def test_wrong_arrays_are_refused_by_both(name: str, saved_bytes: bytes, tmp_path: Path) -> None:
    files = entries(saved_bytes)
    arr = np.load(io.BytesIO(files[name]), allow_pickle=False)
    for bad in (arr.astype(np.float32), arr.astype(">f8"), arr[:-1], arr.reshape(-1, 1) if arr.ndim == 1 else arr.reshape(-1)):
        buf = io.BytesIO()
        np.save(buf, bad, allow_pickle=False)
        files2 = dict(files, **{name: buf.getvalue()})
        p = tmp_path / "arr.qs"
        p.write_bytes(zip_of(files2))
        assert assert_agree(p) == "error"
    files2 = dict(files)
    del files2[name]
    p.write_bytes(zip_of(files2))
    assert assert_agree(p) == "error"


def test_duplicate_entries_and_extra_entries(saved_bytes: bytes, tmp_path: Path) -> None:
    files = entries(saved_bytes)
    buf = io.BytesIO()
    with pytest.warns(UserWarning), zipfile.ZipFile(buf, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
        zf.writestr("y.npy", files["y.npy"])  # a second entry of the same name
    p = tmp_path / "dup.qs"
    p.write_bytes(buf.getvalue())
    with pytest.raises(qs.QuickstockError, match="appears twice"):
        _core.load_saved_forecast(str(p), 2, [0.5])
    assert assert_agree(p) == "error"
    # An extra entry is ignored by both readers.
    p.write_bytes(zip_of(dict(files, **{"notes.txt": b"hello"})))
    assert assert_agree(p) == "ok"


def test_load_from_an_open_file_and_mixed_ids_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.qs"
    fc = qs.Forecaster([qs.Naive()], freq="D").fit(panel())
    fc.save(str(path))
    with open(path, "rb") as fh:
        pd.testing.assert_frame_equal(qs.Forecaster.load(fh).predict(h=2), fc.predict(h=2))
    pd.testing.assert_frame_equal(qs.Forecaster.load(path).predict(h=2), fc.predict(h=2))
    df = panel()
    df["unique_id"] = df["unique_id"].map({"s0": "a", "s1": 1, "s2": "b"}).astype(object)
    mixed = qs.Forecaster([qs.Naive()], freq="D").fit(df)
    with pytest.raises(qs.QuickstockError, match="mixing text and numbers"):
        mixed.save(str(tmp_path / "mixed.qs"))
