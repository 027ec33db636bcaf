"""``qs.read_csv`` (the C++ CSV reader): parity with the pandas path, and a corpus of malformed
files and model arguments, each asserting the message names the file line, row, series and
field at fault (the ``Fault`` rules of ``test_bad_input.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest

import quickstock as qs
from quickstock import _core
from quickstock.io import read_table

from conftest import make_panel
from test_bad_input import S1, S2, Fault, base, check_fault, csv_text, with_value

FUZZ_REGRESSIONS = Path(__file__).resolve().parents[1] / "fuzz" / "regressions"


def write(tmp_path: Path, data: bytes | str, name: str = "in.csv") -> str:
    p = tmp_path / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(p)


def base_csv() -> str:
    return csv_text(base())


def lines() -> list[str]:
    return base_csv().splitlines()


def replace_line(k: int, text: str) -> str:
    """The base CSV with file line ``k`` (1-based; the header is line 1) replaced."""
    out = lines()
    out[k - 1] = text
    return "\n".join(out) + "\n"


def read_fit(path: str, freq: str = "D") -> None:
    qs.Forecaster([qs.Naive()], freq=freq).fit(qs.read_csv(path))


# -- parity with the pandas path -----------------------------------------------------------------
def _pandas_path(path: str) -> pd.DataFrame:
    df = read_table(path)
    df["ds"] = pd.to_datetime(df["ds"], format="mixed")
    df["y"] = df["y"].astype(float)
    return df


def test_read_csv_equals_pandas_path_and_forecasts_identically(
    tmp_path: Path, rng: np.random.Generator
) -> None:
    panel = make_panel(rng, attributes=True, covariates=True)
    path = tmp_path / "panel.csv"
    panel.to_csv(path, index=False)
    got = qs.read_csv(str(path))
    expected = _pandas_path(str(path))
    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False, check_exact=True)
    for col in got.columns:
        assert got[col].dtype.kind == expected[col].dtype.kind or col == "y", col
    models = [qs.SeasonalNaive(season_length=7), qs.AutoETS(season_length=7), qs.CrostonSBA()]
    a = qs.Forecaster(models, freq="D").forecast(got, h=7, quantiles=[0.1, 0.5, 0.9])
    b = qs.Forecaster(models, freq="D").forecast(expected, h=7, quantiles=[0.1, 0.5, 0.9])
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_quotes_crlf_bom_blank_lines_and_missing_cells(tmp_path: Path) -> None:
    text = (
        "\ufeffunique_id,ds,y,store,price\r\n"
        '"A, the first",2024-01-01,1,"say ""hi""",1.5\r\n'
        "\r\n"
        '"A, the first",2024-01-02T00:00:00,2.5,"say ""hi""",\r\n'
        "B,2024-01-01 00:00,0,\"two\nlines\",2\r\n"
    )
    path = write(tmp_path, text.encode("utf-8"))
    got = qs.read_csv(path)
    assert list(got.columns) == ["unique_id", "ds", "y", "store", "price"]
    assert list(got["unique_id"]) == ["A, the first", "A, the first", "B"]
    assert list(got["store"]) == ['say "hi"', 'say "hi"', "two\nlines"]
    np.testing.assert_array_equal(got["y"], [1.0, 2.5, 0.0])
    assert np.isnan(got["price"].iloc[1]) and got["price"].iloc[2] == 2.0
    assert (got["ds"] == pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01"])).all()
    expected = _pandas_path(path)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_one_utc_offset_gives_aware_timestamps_equal_to_pandas(tmp_path: Path) -> None:
    text = "unique_id,ds,y\nA,2024-01-01T00:00:00+05:30,1\nA,2024-01-02T00:00:00+05:30,2\n"
    got = qs.read_csv(write(tmp_path, text))
    expected = pd.to_datetime(pd.Series(["2024-01-01T00:00:00+05:30", "2024-01-02T00:00:00+05:30"]))
    assert (got["ds"] == expected).all()
    assert str(got["ds"].dt.tz) == "UTC+05:30"
    out = qs.Forecaster([qs.Naive()], freq="D").forecast(got, h=2)
    assert (out["ds"].dt.strftime("%Y-%m-%d %H:%M%z") == ["2024-01-03 00:00+0530", "2024-01-04 00:00+0530"]).all()


def test_tsv_and_integer_attribute_columns(tmp_path: Path) -> None:
    text = "unique_id\tds\ty\tpincode\nA\t2024-01-01\t1\t500081\nA\t2024-01-02\t2\t500081\n"
    got = qs.read_csv(write(tmp_path, text, "in.tsv"))
    assert got["pincode"].dtype == np.int64 and (got["pincode"] == 500081).all()
    pd.testing.assert_frame_equal(got, _pandas_path(str(tmp_path / "in.tsv")), check_dtype=False)


def test_read_csv_panel_matches_python_panel(tmp_path: Path, rng: np.random.Generator) -> None:
    from quickstock._frame import prepare

    panel = make_panel(rng, attributes=True, covariates=True)
    path = tmp_path / "panel.csv"
    panel.to_csv(path, index=False)
    freq = _core.Frequency.parse("D")
    direct = _core.read_csv_panel(str(path), freq)
    via_pandas = prepare(_pandas_path(str(path)), "D").panel
    assert direct == via_pandas
    assert direct.covariate_names == via_pandas.covariate_names


def test_allow_negative_and_custom_column_names(tmp_path: Path) -> None:
    text = "sku,date,qty\nA,2024-01-01,-1\n"
    with pytest.raises(qs.QuickstockError) as info:
        qs.read_csv(write(tmp_path, text), id_col="sku", time_col="date", target_col="qty")
    check_fault(info.value, Fault("qty", "A", 0, (">= 0", "line 2")))
    got = qs.read_csv(str(tmp_path / "in.csv"), id_col="sku", time_col="date", target_col="qty",
                      allow_negative=True)
    assert got["qty"].iloc[0] == -1.0


# -- the malformed-file corpus --------------------------------------------------------------------
def _dup(tmp_path: Path) -> None:
    qs.read_csv(write(tmp_path, base_csv() + f"{S2},2024-01-04,9\n"))


def _dup_unsorted(tmp_path: Path) -> None:
    ls = lines()
    text = "\n".join([ls[0], *reversed(ls[1:]), ls[3]]) + "\n"  # base row 2 again at the end
    qs.read_csv(write(tmp_path, text))


CSV_CASES = [
    pytest.param(lambda p: qs.read_csv(write(p, b"")), Fault("path", None, None, ("is empty",)),
                 id="csv-empty-file"),
    pytest.param(lambda p: qs.read_csv(write(p, b"\xef\xbb\xbf")),
                 Fault("path", None, None, ("is empty",)), id="csv-bom-only"),
    pytest.param(lambda p: qs.read_csv(write(p, b"\n\r\n\n")),
                 Fault("path", None, None, ("only blank lines",)), id="csv-blank-lines-only"),
    pytest.param(lambda p: qs.read_csv(write(p, b"unique_id,ds,y\n")),
                 Fault("path", None, None, ("no data rows",)), id="csv-header-only"),
    pytest.param(lambda p: qs.read_csv(str(p / "nowhere.csv")),
                 Fault("path", None, None, ("cannot open", "nowhere.csv")), id="csv-missing-file"),
    pytest.param(lambda p: qs.read_csv(write(p, "unique_id,ds\nA,2024-01-01\n")),
                 Fault("y", None, None, ("missing column 'y'", "line 1")), id="csv-header-lacks-y"),
    pytest.param(lambda p: qs.read_csv(write(p, "id,ds,y\nA,2024-01-01,1\n")),
                 Fault("unique_id", None, None, ("missing column 'unique_id'", "'id'")),
                 id="csv-header-lacks-unique_id"),
    pytest.param(lambda p: qs.read_csv(write(p, "unique_id,ds,y,y\nA,2024-01-01,1,2\n")),
                 Fault("y", None, None, ("appears more than once",)), id="csv-duplicate-header"),
    pytest.param(lambda p: qs.read_csv(write(p, b"unique_id,d\xe9s,y\nA,2024-01-01,1\n")),
                 Fault(None, None, None, ("header field 2", "not UTF-8", "line 1")),
                 id="csv-non-utf8-header"),
    pytest.param(lambda p: qs.read_csv(write(p, base_csv().replace("2024-01-05", "2024-01-05,7", 1))),
                 Fault(None, None, 4, ("line 6", "expected 3 fields", "got 4")),
                 id="csv-ragged-row-too-many"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(14, f"{S2},2024-01-03"))),
                 Fault(None, None, 12, ("line 14", "expected 3 fields", "got 2")),
                 id="csv-ragged-row-too-few"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(5, "Caf\xe9,2024-01-04,3").encode("latin-1"))),
                 Fault("unique_id", None, 3, ("line 5", "not UTF-8", "0xe9")),
                 id="csv-latin1-id"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(5, f"{S1},2024-01-04,3\xa0").encode("latin-1"))),
                 Fault("y", None, 3, ("line 5", "not UTF-8")), id="csv-latin1-nbsp-in-y"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(5, f"{S1},2024-01-04,3\x80").encode("latin-1"))),
                 Fault("y", None, 3, ("not UTF-8", "0x80")), id="csv-stray-continuation-byte"),
    pytest.param(lambda p: qs.read_csv(write(p, base_csv() + f'"{S1},2024-01-11,3\n')),
                 Fault(None, None, 20, ("line 22", "never closed")), id="csv-unclosed-quote"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f'"{S1}"x,2024-01-03,3'))),
                 Fault(None, None, 2, ("line 4", "after a closing quote")),
                 id="csv-junk-after-closing-quote"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, ",2024-01-03,3"))),
                 Fault("unique_id", None, 2, ("line 4", "unique_id is missing")),
                 id="csv-empty-id"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},,3"))),
                 Fault("ds", S1, 2, ("line 4", "ds is missing")), id="csv-empty-ds"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},03/01/2024,3"))),
                 Fault("ds", S1, 2, ("line 4", "'03/01/2024'", "ISO 8601")), id="csv-non-iso-date"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-02-30,3"))),
                 Fault("ds", S1, 2, ("day 30",)), id="csv-february-30"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-13-01,3"))),
                 Fault("ds", S1, 2, ("month 13",)), id="csv-month-13"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-01-03T25:00,3"))),
                 Fault("ds", S1, 2, ("time of day out of range",)), id="csv-hour-25"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-01-03T10,3"))),
                 Fault("ds", S1, 2, ("HH:MM",)), id="csv-time-without-minutes"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-01-03 junk,3"))),
                 Fault("ds", S1, 2, ("'2024-01-03 junk'",)), id="csv-junk-after-date"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},1600-01-03,3"))),
                 Fault("ds", S1, 2, ("outside 1678..2261",)), id="csv-year-out-of-range"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-01-03T00:00:00.1234567890,3"))),
                 Fault("ds", S1, 2, ("more than 9 fractional digits",)), id="csv-ten-fraction-digits"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-01-03T00:00+5:30,3"))),
                 Fault("ds", S1, 2, ("UTC offset that is not",)), id="csv-bad-offset"),
    pytest.param(
        lambda p: qs.read_csv(write(p, "unique_id,ds,y\nA,2024-01-01T00:00+05:30,1\n"
                                       "A,2024-01-02T00:00+00:00,1\n")),
        Fault("ds", "A", 1, ("line 3", "+00:00", "+05:30", "mixed time zones")),
        id="csv-mixed-time-zones"),
    pytest.param(
        lambda p: qs.read_csv(write(p, "unique_id,ds,y\nA,2024-01-01,1\nA,2024-01-02T00:00Z,1\n")),
        Fault("ds", "A", 1, ("no UTC offset", "+00:00", "mixed time zones")),
        id="csv-naive-then-utc"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-01-03,ten"))),
                 Fault("y", S1, 2, ("line 4", "must be a number", "'ten'")), id="csv-text-y"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f'{S1},2024-01-03,"3,5"'))),
                 Fault("y", S1, 2, ("must be a number", "'3,5'")), id="csv-decimal-comma-y"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-01-03,"))),
                 Fault("y", S1, 2, ("demand is missing",)), id="csv-empty-y"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-01-03,NA"))),
                 Fault("y", S1, 2, ("demand is missing", "'NA'")), id="csv-NA-y"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-01-03,nan"))),
                 Fault("y", S1, 2, ("finite",)), id="csv-nan-y"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-01-03,inf"))),
                 Fault("y", S1, 2, ("finite", "'inf'")), id="csv-inf-y"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(4, f"{S1},2024-01-03,1e999"))),
                 Fault("y", S1, 2, ("must be a number", "1e999")), id="csv-overflowing-y"),
    pytest.param(lambda p: qs.read_csv(write(p, replace_line(15, f"{S2},2024-01-04,-3"))),
                 Fault("y", S2, 13, ("line 15", ">= 0", "-3")), id="csv-negative-y"),
    pytest.param(lambda p: qs.read_csv(write(p, b"\xef\xbb\xbf" + replace_line(15, f"{S2},2024-01-04,-3").encode())),
                 Fault("y", S2, 13, ("line 15", ">= 0")), id="csv-bom-and-negative-y"),
    pytest.param(_dup, Fault("ds", S2, 20, ("duplicate", "2024-01-04", "row 13", "line 15")),
                 id="csv-duplicate-id-ds"),
    pytest.param(_dup_unsorted, Fault("ds", S1, 20, ("duplicate", "2024-01-03", "row 17")),
                 id="csv-duplicate-in-reversed-file"),
    pytest.param(lambda p: read_fit(write(p, replace_line(5, f"{S1},2024-01-04T12:00,3"))),
                 Fault("ds", S1, 3, ("not on the 'D' grid", "12:00")), id="csv-fit-off-grid"),
    pytest.param(lambda p: qs.Forecaster([qs.Naive()], freq="D").fit(qs.read_csv(write(p, "\n".join(lines()[:4] + lines()[5:]) + "\n"))),
                 Fault("ds", S1, 3, ("irregular spacing",)), id="csv-fit-missing-day"),
    pytest.param(lambda p: _core.read_csv_panel(write(p, "\n".join(lines()[:4] + lines()[5:]) + "\n"), _core.Frequency.parse("D")),
                 Fault("ds", S1, 3, ("line 5", "irregular spacing")), id="csv-panel-missing-day-names-line"),
    pytest.param(lambda p: _core.read_csv_panel(write(p, "unique_id,ds,y,promo\nA,2024-01-01,1,yes\nA,2024-01-02,1,no\n"), _core.Frequency.parse("D")),
                 Fault("promo", "A", 1, ("line 3", "neither a series attribute", "'yes'", "'no'")),
                 id="csv-panel-varying-text-column"),
    pytest.param(lambda p: _core.read_csv_panel(write(p, "unique_id,ds,y,rain\nA,2024-01-01,1,0.5\nA,2024-01-02,1,inf\n"), _core.Frequency.parse("D")),
                 Fault("rain", "A", 1, ("line 3", "finite")), id="csv-panel-inf-covariate"),
    pytest.param(lambda p: qs.read_csv(write(p, base_csv()), sep=";;"),
                 Fault("sep", None, None, ("one character",)), id="csv-bad-separator-argument"),
    pytest.param(lambda p: qs.read_csv(write(p, base_csv().replace(",", ";"))),
                 Fault("unique_id", None, None, ("missing column", "unique_id;ds;y")),
                 id="csv-semicolon-file-read-as-comma"),
]


@pytest.mark.parametrize(("act", "fault"), CSV_CASES)
def test_malformed_csv_raises_named_error(act: Callable[[Path], Any], fault: Fault, tmp_path: Path) -> None:
    with pytest.raises(qs.QuickstockError) as info:
        act(tmp_path)
    check_fault(info.value, fault)


# -- arguments of the newer models ----------------------------------------------------------------
MODEL_ARG_CASES = [
    pytest.param(lambda: qs.ARIMA(order=(-1, 0, 0)), Fault("order", None, None, ("(-1,0,0)",)), id="arg-arima-negative-p"),
    pytest.param(lambda: qs.ARIMA(order=(1, 0)), Fault("order", None, None, ("three integers",)), id="arg-arima-order-two-numbers"),
    pytest.param(lambda: qs.ARIMA(order=(1.5, 0, 0)), Fault("order", None, None, ("three integers",)), id="arg-arima-order-float"),
    pytest.param(lambda: qs.ARIMA(order=(1, 0, 0), seasonal_order=(0, 5, 0), season_length=7), Fault("seasonal_order", None, None, ()), id="arg-arima-seasonal-d-5"),
    pytest.param(lambda: qs.AutoARIMA(season_length=0), Fault("season_length", None, None, ("got 0",)), id="arg-autoarima-season-zero"),
    pytest.param(lambda: qs.AutoARIMA(max_p=-1), Fault("max_p", None, None, ("got -1",)), id="arg-autoarima-max_p-negative"),
    pytest.param(lambda: qs.MSTL(season_length=[]), Fault("season_length", None, None, ("non-empty",)), id="arg-mstl-no-periods"),
    pytest.param(lambda: qs.MSTL(season_length=[24, 0]), Fault("season_length", None, None, (">= 1",)), id="arg-mstl-zero-period"),
    pytest.param(lambda: qs.MSTL(season_length=[7], trend_forecaster="x"), Fault("trend_forecaster", None, None, ("quickstock model",)), id="arg-mstl-trend-not-a-model"),
    pytest.param(lambda: qs.TSB(alpha_d=0.0, alpha_p=0.1), Fault("alpha_d", None, None, ("(0, 1]",)), id="arg-tsb-alpha_d-zero"),
    pytest.param(lambda: qs.TSB(alpha_d=0.1, alpha_p=2.0), Fault("alpha_p", None, None, ("(0, 1]",)), id="arg-tsb-alpha_p-two"),
    pytest.param(lambda: qs.TSB(alpha_d=float("nan"), alpha_p=0.1), Fault("alpha_d", None, None, ("nan",)), id="arg-tsb-alpha_d-nan"),
    pytest.param(lambda: qs.Croston(alpha=1.5), Fault("alpha", None, None, ("(0, 1]",)), id="arg-croston-alpha-above-one"),
    pytest.param(lambda: qs.ADIDA(integer="yes"), Fault("integer", None, None, ("True or False",)), id="arg-adida-integer-text"),
    pytest.param(lambda: qs.AutoETS(season_length=7, model="QQQ"), Fault("model", None, None, ("QQQ",)), id="arg-autoets-model-letters"),
    pytest.param(lambda: qs.AutoETS(season_length=7, model="AN"), Fault("model", None, None, ("length 3",)), id="arg-autoets-model-two-letters"),
    pytest.param(lambda: qs.ETS(model="ANN", damped=True), Fault("damped", None, None, ("needs a trend",)), id="arg-ets-damped-without-trend"),
    pytest.param(lambda: qs.Theta(season_length=0), Fault("season_length", None, None, (">= 1",)), id="arg-theta-season-zero"),
    pytest.param(lambda: qs.Theta(season_length=7, decomposition_type="foo"), Fault("decomposition_type", None, None, ("'foo'",)), id="arg-theta-decomposition"),
]


@pytest.mark.parametrize(("act", "fault"), MODEL_ARG_CASES)
def test_bad_model_argument_raises_named_error(act: Callable[[], Any], fault: Fault) -> None:
    with pytest.raises(qs.QuickstockError) as info:
        act()
    check_fault(info.value, fault)


# -- crash inputs kept from fuzzing ---------------------------------------------------------------
@pytest.mark.parametrize(
    "path", sorted(FUZZ_REGRESSIONS.glob("*")) if FUZZ_REGRESSIONS.exists() else [], ids=lambda p: p.name
)
def test_fuzz_regression_inputs_give_a_result_or_quickstock_error(path: Path, tmp_path: Path) -> None:
    from fuzz_harness import run_one  # tests/python/fuzz_harness.py

    run_one(path.read_bytes())
