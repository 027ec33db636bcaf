"""qs.report / ``quickstock report``: the HTML file itself, without a browser.

The browser-driven checks (console errors, drill-down, network) are in test_report_browser.py.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from conftest import make_panel

import quickstock as qs
from quickstock.cli import main

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Checker(HTMLParser):
    """Records tags, checks nesting, and collects every src/href/url reference."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.counts: dict[str, int] = {}
        self.refs: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.counts[tag] = self.counts.get(tag, 0) + 1
        for k, v in attrs:
            if k in ("src", "href", "action", "data", "poster", "srcset") and v is not None:
                self.refs.append(v)
            if k == "id":
                self.ids.append(v)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()


def _check(text: str) -> _Checker:
    c = _Checker()
    c.feed(text)
    c.close()
    return c


def _data(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="qs-data">(.*?)</script>', text, re.S)
    assert m, "the page embeds its data as JSON"
    return json.loads(m.group(1))


@pytest.fixture(scope="module")
def sample():
    return qs.datasets.load_hyderabad()


@pytest.fixture(scope="module")
def sample_report(sample, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    result = qs.report(sample, str(path), h=7, n_jobs=2)
    return path, result


def test_sample_report_is_self_contained_and_well_formed(sample_report):
    path, _ = sample_report
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    c = _check(text)
    assert c.errors == [] and c.stack == []
    for tag in ("html", "head", "body", "title", "main"):
        assert c.counts.get(tag) == 1, tag
    assert c.counts.get("script") == 2 and c.counts.get("style") == 1
    # Nothing loaded from anywhere: no src/href at all except in-page anchors, no CSS imports.
    assert all(r.startswith("#") for r in c.refs), c.refs
    assert not re.search(r"<(link|iframe|img|object|embed)\b", text, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text, re.I)
    assert not re.search(r"\b(fetch|XMLHttpRequest|WebSocket|importScripts|sendBeacon)\b", text)
    assert len(set(c.ids)) == len(c.ids), "element ids are unique"
    for needed in ("sel-city", "sel-zone", "sel-pincode", "sel-store_id", "sel-category", "sel-sku",
                   "sel-__series", "chart", "series-table", "alerts-table", "scores-table", "breakdown"):
        assert needed in c.ids


def test_embedded_numbers_match_the_library(sample, sample_report):
    _, result = sample_report
    data = result["data"]
    series = {s["id"]: s for s in data["series"]}
    bottom = [s for s in data["series"] if s["b"]]
    assert sorted(s["id"] for s in bottom) == sorted(sample.unique_id.unique())
    # The total node: the summed history, forecast by the same model on its own.
    total = sample.groupby("ds", as_index=False)["y"].sum().assign(unique_id="T")
    ref = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D").forecast(total, h=7)
    node = series["Total"]
    assert node["k"] == [None] * 6
    assert node["e"] == pytest.approx(ref["mean"].sum(), abs=1e-2)
    assert node["d1"] == pytest.approx(ref[["p10", "p50", "p90"]].iloc[0].to_numpy(), abs=1e-3)
    hist = total.tail(data["history"])["y"].to_numpy()
    assert node["c"]["hy"] == pytest.approx(hist)
    # A zone node sums its stores; a bottom series keeps its own id and attributes.
    west = sample[sample.zone == "West"].groupby("ds")["y"].sum().tail(data["history"]).to_numpy()
    zone = [s for s in data["series"] if s["k"] == ["Hyderabad", "West", None, None, None, None]]
    assert len(zone) == 1 and zone[0]["c"]["hy"] == pytest.approx(west)
    one = series["HYD-500032/milk-500ml"]
    assert one["k"] == ["Hyderabad", "West", "500032", "HYD-500032", "dairy", "milk-500ml"]
    mine = sample[sample.unique_id == "HYD-500032/milk-500ml"]
    own = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D").forecast(mine[["unique_id", "ds", "y"]], h=7)
    assert one["c"]["q"]["p50"] == pytest.approx(own["p50"].to_numpy(), abs=1e-3)
    # Each chart's dates are the series' last `history` days then the 7 forecast days.
    axis = data["axis"]
    start = one["c"]["ht"][0]
    assert axis[start] == "2025-11-06" and one["c"]["ht"][1] == 56
    assert axis[one["c"]["ft"][0]] == "2026-01-01" and one["c"]["ft"][1] == 7


def test_orders_are_the_newsvendor_quantile_with_the_default_economics(sample, sample_report):
    _, result = sample_report
    orders = result["orders"].set_index("unique_id")
    # Defaults: price from the price column, cost 0.7 × price, no salvage -> critical ratio 0.3.
    assert orders["critical_ratio"].to_numpy() == pytest.approx(0.3)
    f = result["forecast"]
    f = f[f.unique_id.isin(orders.index)]
    ref = qs.inventory.recommend(f, price=1.0, cost=0.7, order_multiple=1.0)
    assert ref.set_index("unique_id")["order_qty"].to_dict() == orders["order_qty"].to_dict()
    # One period, nothing on hand: the order is the 30% quantile of day 1, rounded up.
    day1 = f.sort_values("ds").groupby("unique_id").first()
    assert (orders["order_qty"] >= np.ceil(day1["p30"] - 1e-9) - 1).all()
    assert (orders["order_qty"] <= np.ceil(day1["p30"] + 1e-9) + 1).all()


def test_alerts_come_from_the_holdout(sample, sample_report):
    _, result = sample_report
    alerts = result["alerts"]
    assert len(alerts) > 0
    last = sample.ds.max()
    assert alerts["ds"].min() > last - pd.Timedelta(days=7)
    # The holdout forecast used for alerts never saw the held-out days.
    cv = result["holdout"]
    assert (cv["cutoff"] == last - pd.Timedelta(days=7)).all()
    assert set(alerts["unique_id"]) <= set(sample.unique_id)


def test_report_is_deterministic_for_any_thread_count(tmp_path, rng):
    df = make_panel(rng, n_series=6, attributes=True)
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    qs.report(df, str(a), h=5, n_jobs=1)
    qs.report(df, str(b), h=5, n_jobs=3)
    assert a.read_bytes() == b.read_bytes()


def test_without_hierarchy_columns_there_is_a_total_and_the_series(tmp_path, rng):
    df = make_panel(rng, n_series=4)
    r = qs.report(df, str(tmp_path / "r.html"), h=3)
    data = r["data"]
    assert data["columns"] == []
    ids = sorted(s["id"] for s in data["series"])
    assert ids == sorted(["Total"] + list(df.unique_id.unique()))
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert _check(text).errors == []


def test_product_only_and_several_models(tmp_path, rng):
    df = make_panel(rng, n_series=6, min_len=40, attributes=True).drop(columns=["store_id", "pincode"])
    models = [qs.Naive(), qs.SeasonalNaive(season_length=7), qs.HistoricAverage()]
    r = qs.report(df, str(tmp_path / "r.html"), h=7, models=models, quantiles=[0.05, 0.25, 0.5, 0.75, 0.95])
    data = r["data"]
    assert data["geo"] == [] and data["product"] == ["category"]
    assert {tuple(s["k"]) for s in data["series"] if not s["b"]} == {(None,), ("dairy",), ("snacks",)}
    scores = r["scores"].set_index("model")
    assert list(scores.index) == ["Naive", "SeasonalNaive", "HistoricAverage"]
    assert data["primary"] == scores["pinball"].idxmin()
    assert set(data["series"][0]["c"]["o"]) == set(scores.index) - {data["primary"]}
    assert data["quantiles"] == ["p5", "p25", "p50", "p75", "p95"]


def test_chart_cap_keeps_aggregates_first_and_everything_in_the_tables(tmp_path, rng):
    df = make_panel(rng, n_series=40, attributes=True)
    df["zone"] = np.where(df["store_id"].str[-1].astype(int) % 2 == 0, "East", "West")
    path = tmp_path / "r.html"
    r = qs.report(df, str(path), h=4, max_charts=5, geography=["zone", "store_id"])
    data = r["data"]
    charted = [s for s in data["series"] if "c" in s]
    assert len(charted) == 5 and data["n_charted"] == 5
    assert [s["lv"] for s in charted] == sorted(s["lv"] for s in charted)
    assert charted[0]["id"] == "Total"
    text = path.read_text(encoding="utf-8")
    assert text.count('<tr class="click" data-n=') >= 40  # every series has a table row
    assert "5 of" in text


def test_bad_input_names_the_field(tmp_path, rng):
    df = make_panel(rng, n_series=3, attributes=True)
    out = str(tmp_path / "r.html")
    with pytest.raises(qs.QuickstockError, match='field "y"'):
        qs.report(df.drop(columns="y"), out)
    with pytest.raises(qs.QuickstockError, match='field "geography"'):
        qs.report(df, out, geography=["region"])
    with pytest.raises(qs.QuickstockError, match='field "price"'):
        qs.report(df, out, price="list_price")
    bad = df.astype({"ds": object})
    bad.loc[4, "ds"] = "not a date"
    with pytest.raises(qs.QuickstockError, match=r'row 4 field "ds"'):
        qs.report(bad, out)
    neg = df.copy()
    neg.loc[2, "y"] = -1.0
    with pytest.raises(qs.QuickstockError, match='field "y"'):
        qs.report(neg, out)
    mixed = df.copy()
    mixed.loc[1, "category"] = "other"
    with pytest.raises(qs.QuickstockError, match='field "category"'):
        qs.report(mixed, out)
    with pytest.raises(qs.QuickstockError, match='field "h"'):
        qs.report(df, out, h=0)
    with pytest.raises(qs.QuickstockError, match='field "h"'):
        qs.report(df, out, h=2, lead_time=2)  # the order window does not fit in the horizon
    with pytest.raises(qs.QuickstockError, match='field "ds"'):
        qs.report(df.assign(ds=range(len(df))), out)
    with pytest.raises(qs.QuickstockError, match='field "max_charts"'):
        qs.report(df, out, max_charts=-1)


def test_cli_report(tmp_path, rng, capsys):
    df = make_panel(rng, n_series=3, attributes=True)
    df["price"] = 20.0
    src = tmp_path / "in.csv"
    df.to_csv(src, index=False)
    out = tmp_path / "r.html"
    code = main(["report", "--input", str(src), "--output", str(out), "--horizon", "5", "--cost", "15",
                 "--models", "SeasonalNaive,Naive", "--quantiles", "0.2,0.5,0.8"])
    assert code == 0
    assert "report of 3 series" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    data = _data(text)
    assert data["h"] == 5 and data["quantiles"] == ["p20", "p50", "p80"] and data["models"] == ["SeasonalNaive", "Naive"]
    assert data["economics"]["cost"] == 15.0 and data["economics"]["price"] == "per series"
    # critical ratio (20 - 15) / 20 in the table
    assert "0.25" in text
    assert main(["report", "--input", str(src), "--output", str(tmp_path / "r.txt")]) == 2
    assert 'field "output"' in capsys.readouterr().err
    assert main(["report", "--input", str(src), "--output", str(out), "--models", "Prophet"]) == 2
    assert 'field "models"' in capsys.readouterr().err
    assert main(["report", "--input", str(src), "--output", str(out), "--shelf-life", "shelf"]) == 2
    assert 'field "shelf_life"' in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["report", "--help"])
    assert exc.value.code == 0
    assert "--max-charts" in capsys.readouterr().out


def test_one_quantile_gives_no_bands_and_no_alerts(tmp_path, rng):
    df = make_panel(rng, n_series=3, attributes=True)
    r = qs.report(df, str(tmp_path / "r.html"), h=5, quantiles=[0.5])
    assert r["data"]["quantiles"] == ["p50"] and len(r["alerts"]) == 0
    assert len(r["orders"]) == 3 and np.isnan(r["scores"]["coverage"]).all()
    assert "No alerts." in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_progress_goes_to_stderr_and_does_not_change_the_file(tmp_path, rng, capsys):
    pytest.importorskip("tqdm", reason="tqdm is not installed (scripts/setup.sh installs it)")
    df = make_panel(rng, n_series=3, attributes=True)
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    qs.report(df, str(a), h=4, verbose=True)
    err = capsys.readouterr().err
    assert "quickstock report" in err and "5/5" in err
    qs.report(df, str(b), h=4, verbose=False)
    assert capsys.readouterr().err == ""
    assert a.read_bytes() == b.read_bytes()
