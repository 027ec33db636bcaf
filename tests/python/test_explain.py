"""qs.explain and qs.explain_text (docs/explain.md): the contract columns, contributions adding
up to the forecast mean for every model class (FACTORIES of test_model_matrix, so a new model is
covered too), covariate components, degenerate series, the summary text, errors, and the
explain action of the Bedrock handler and MCP server."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import quickstock as qs
from quickstock import actions
from quickstock.bedrock import lambda_handler
from quickstock.serving import save_model_dir
from test_model_matrix import FACTORIES, available

H = 9
CONTRACT = ["unique_id", "ds", "model", "component", "contribution"]


def _panel(covariates: bool = True) -> pd.DataFrame:
    """Three daily series: weekly season + promotion effect, growing, intermittent."""
    rng = np.random.default_rng(11)
    frames = []
    n = 120
    t = np.arange(n)
    promo = (rng.random(n) < 0.2).astype(float)
    price = 10.0 + rng.random(n)
    ys = {
        "seasonal": 50 + 8 * np.sin(2 * np.pi * t / 7) + 4 * rng.random(n) + 12 * promo,
        "growing": (20 + 0.4 * t) * (1 + 0.3 * np.cos(2 * np.pi * t / 7)) * (0.9 + 0.2 * rng.random(n)),
        "intermittent": np.where(rng.random(n) < 0.7, 0.0, np.floor(1 + 5 * rng.random(n))),
    }
    for uid, y in ys.items():
        f = pd.DataFrame({"unique_id": uid, "ds": pd.date_range("2025-01-01", periods=n, freq="D"), "y": y})
        if covariates:
            f["promo"], f["price"] = promo, price
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def _future(df: pd.DataFrame, h: int) -> pd.DataFrame:
    rows = []
    for uid, g in df.groupby("unique_id", sort=False):
        ds = pd.date_range(g["ds"].max() + pd.Timedelta(days=1), periods=h, freq="D")
        rows.append(pd.DataFrame({"unique_id": uid, "ds": ds, "promo": (np.arange(h) % 3 == 0).astype(float),
                                  "price": 10.5}))
    return pd.concat(rows, ignore_index=True)


def _check_sums(exp: pd.DataFrame, fcst: pd.DataFrame) -> None:
    sums = exp.groupby(["unique_id", "ds", "model"], sort=False)["contribution"].sum()
    scale = exp.groupby(["unique_id", "ds", "model"], sort=False)["contribution"].apply(lambda s: s.abs().sum())
    mean = fcst.set_index(["unique_id", "ds", "model"])["mean"].reindex(sums.index)
    assert not mean.isna().any()
    np.testing.assert_array_less(np.abs(sums - mean).to_numpy(), 1e-9 * np.maximum(scale.to_numpy(), 1.0) + 1e-300)


@pytest.mark.parametrize("name", available())
def test_contributions_add_up_to_the_mean_for_every_model(name: str) -> None:
    df = _panel()
    fc = qs.Forecaster([FACTORIES[name]()], freq="D").fit(df)
    uses = fc.fitted_[0].uses_covariates
    X_df = _future(df, H)
    exp = qs.explain(fc, X_df=X_df)
    assert list(exp.columns[:5]) == CONTRACT
    assert exp.attrs["horizon"] == H
    fcst = fc.predict(h=H, quantiles=[0.5], X_df=X_df)
    _check_sums(exp, fcst)
    assert exp.groupby("unique_id")["ds"].nunique().eq(H).all()
    assert np.isfinite(exp["contribution"]).all()
    if uses and name != "CountRegression":
        assert {"promo", "price"} <= set(exp["component"])
    # Same explanation for any thread count.
    fc8 = qs.Forecaster([FACTORIES[name]()], freq="D", n_jobs=8).fit(df)
    pd.testing.assert_frame_equal(qs.explain(fc8, X_df=X_df), exp)


def test_components_of_familiar_models() -> None:
    df = _panel(covariates=False)
    fc = qs.Forecaster([qs.ETS("AAA", season_length=7, damped=True), qs.MSTL(season_length=[7, 14]),
                        qs.ARIMA(order=(1, 1, 0), include_drift=True), qs.Croston()], freq="D").fit(df)
    exp = qs.explain(fc, h=5)
    comps = exp[exp["unique_id"] == "seasonal"].groupby("model", sort=False)["component"].unique()
    assert list(comps["ETS"]) == ["level", "trend", "season"]
    assert list(comps["MSTL"])[-2:] == ["season_7", "season_14"]
    assert list(comps["ARIMA"]) == ["arima", "drift"]
    assert list(comps["Croston"]) == ["level"]
    _check_sums(exp, fc.predict(h=5, quantiles=[0.5]))
    # Rows are sorted by series, then period, then model in the forecaster's order.
    first = exp[(exp["unique_id"] == exp["unique_id"].iloc[0]) & (exp["ds"] == exp["ds"].iloc[0])]
    assert list(pd.unique(first["model"])) == ["ETS", "MSTL", "ARIMA", "Croston"]


def test_covariate_components_follow_the_future_values() -> None:
    df = _panel()
    fc = qs.Forecaster([qs.AutoETS(season_length=7, covariates=True)], freq="D").fit(df)
    X_df = _future(df, H)
    exp = qs.explain(fc, X_df=X_df)
    promo = exp[(exp["unique_id"] == "seasonal") & (exp["component"] == "promo")]["contribution"].to_numpy()
    on = X_df[X_df["unique_id"] == "seasonal"]["promo"].to_numpy() == 1.0
    # The promotion adds about 12 on its days; both kinds of days differ by beta exactly.
    lift = promo[on].mean() - promo[~on].mean()
    assert 8.0 < lift < 16.0
    assert np.ptp(promo[on]) < 1e-9 and np.ptp(promo[~on]) < 1e-9
    # Doubling the promotion days' value doubles their distance from the other days.
    X2 = X_df.copy()
    X2.loc[X2["promo"] == 1.0, "promo"] = 2.0
    exp2 = qs.explain(fc, X_df=X2)
    promo2 = exp2[(exp2["unique_id"] == "seasonal") & (exp2["component"] == "promo")]["contribution"].to_numpy()
    assert promo2[on].mean() - promo2[~on].mean() == pytest.approx(2 * lift, rel=1e-9)


def test_recent_mean_is_the_mean_of_the_last_h_actuals() -> None:
    df = _panel(covariates=False)
    fc = qs.Forecaster([qs.Naive()], freq="D").fit(df)
    exp = qs.explain(fc, h=7)
    want = df.groupby("unique_id")["y"].apply(lambda y: y.iloc[-7:].mean())
    got = exp.groupby("unique_id")["recent_mean"].first()
    pd.testing.assert_series_equal(got.sort_index(), want.sort_index(), check_names=False)


def test_zero_floor_and_zero_means() -> None:
    ds = pd.date_range("2025-01-01", periods=30, freq="D")
    df = pd.concat([
        pd.DataFrame({"unique_id": "falling", "ds": ds, "y": np.linspace(29, 0, 30)}),
        pd.DataFrame({"unique_id": "zeros", "ds": ds, "y": 0.0}),
    ])
    fc = qs.Forecaster([qs.RandomWalkWithDrift()], freq="D").fit(df)
    exp = qs.explain(fc, h=4)
    falling = exp[exp["unique_id"] == "falling"]
    assert "zero_floor" in set(falling["component"])
    assert falling.groupby("ds")["contribution"].sum().abs().max() < 1e-12
    text = qs.explain_text(exp, "zeros")
    assert "forecast mean 0 per period" in text and "Every component is 0" in text
    text = qs.explain_text(exp, "falling")
    assert "down 100%" in text and "zero_floor" in text and "trend −" in text


def test_explain_text_names_the_drivers_with_signs_and_shares() -> None:
    df = _panel()
    fc = qs.Forecaster([qs.AutoETS(season_length=7, covariates=True), qs.SeasonalNaive(season_length=7)], freq="D").fit(df)
    X_df = _future(df, 7)
    X_df["promo"] = 1.0  # a promotion every day of the week ahead
    exp = qs.explain(fc, X_df=X_df)
    text = qs.explain_text(exp, "seasonal")
    g = exp[(exp["unique_id"] == "seasonal") & (exp["model"] == "AutoETS")]
    mean = g["contribution"].sum() / 7
    recent = g["recent_mean"].iloc[0]
    change = (mean - recent) / recent
    assert text.startswith("seasonal, AutoETS: forecast mean ")
    assert f"{'up' if change > 0 else 'down'} {abs(change):.0%} vs the last 7 periods" in text
    assert "promo +" in text and "level +" in text
    # promo per period and its share of the absolute total, as written
    per = g.groupby("component", sort=False)["contribution"].sum() / 7
    share = per["promo"] / per.abs().sum()
    assert f"({share:.0%})" in text
    assert "Drivers (per period): level" in text  # the biggest first
    # The weekly season cancels over 7 days but moves single days: named with its swing.
    assert "season ±" in text and "(varies by period)" in text
    other = qs.explain_text(exp, "seasonal", model="SeasonalNaive")
    assert other.startswith("seasonal, SeasonalNaive:") and "season" in other
    assert "other" in qs.explain_text(exp, "seasonal", top=1)
    # The rows of one series alone (as the actions pass them) give the same text.
    assert qs.explain_text(exp[exp["unique_id"] == "seasonal"].reset_index(drop=True), "seasonal") == text


def test_errors() -> None:
    df = _panel()
    fc = qs.Forecaster([qs.AutoETS(season_length=7, covariates=True)], freq="D").fit(df)
    with pytest.raises(qs.QuickstockError, match="X_df"):
        qs.explain(fc)
    with pytest.raises(qs.QuickstockError, match="h=3 does not match X_df"):
        qs.explain(fc, X_df=_future(df, 5), h=3)
    with pytest.raises(qs.QuickstockError, match="forecaster"):
        qs.explain("not a forecaster")
    with pytest.raises(qs.QuickstockError, match="fit"):
        qs.explain(qs.Forecaster([qs.Naive()], freq="D"))
    plain = qs.Forecaster([qs.Naive()], freq="D").fit(df)
    with pytest.raises(qs.QuickstockError, match="h"):
        qs.explain(plain, h=0)
    exp = qs.explain(plain, h=3)  # covariates in the data, but no model uses them
    with pytest.raises(qs.QuickstockError, match="unknown unique_id 'nope'"):
        qs.explain_text(exp, "nope")
    with pytest.raises(qs.QuickstockError, match="model"):
        qs.explain_text(exp, "seasonal", model="ETS")
    with pytest.raises(qs.QuickstockError, match="explanation"):
        qs.explain_text(pd.DataFrame({"a": [1]}), "seasonal")
    with pytest.raises(qs.QuickstockError, match="top"):
        qs.explain_text(exp, "seasonal", top=0)


# -- the explain action (Bedrock and MCP) ------------------------------------------------------
@pytest.fixture
def model_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    df = _panel()
    fc = qs.Forecaster([qs.AutoETS(season_length=7, covariates=True), qs.SeasonalNaive(season_length=7)], freq="D").fit(df)
    save_model_dir(fc, str(tmp_path / "model"), {"horizon": 7, "quantiles": [0.5], "freq": "D",
                                                 "season_length": 7})
    monkeypatch.setenv("QUICKSTOCK_MODEL_DIR", str(tmp_path / "model"))
    monkeypatch.delenv("QUICKSTOCK_FUTURE_PATH", raising=False)
    return tmp_path / "model"


def test_explain_action_returns_text_and_table(model_dir: Path) -> None:
    assert actions.available("explain")
    out = actions.run("explain", {"unique_id": "seasonal,growing", "horizon": "5"})
    ex = out["explanations"]
    assert [e["unique_id"] for e in ex] == ["seasonal", "growing"]
    e = ex[0]
    assert e["summary"].startswith("seasonal, AutoETS: forecast mean ") and "over the next 5 periods" in e["summary"]
    table = {t["model"]: t for t in e["table"]}
    assert set(table) == {"AutoETS", "SeasonalNaive"}
    t = table["AutoETS"]
    assert len(t["ds"]) == 5 and {"level", "season", "promo", "price"} <= set(t["components"])
    for j in range(5):
        assert sum(v[j] for v in t["components"].values()) == pytest.approx(t["mean"][j], abs=0.01)
    # The table's means are the forecast action's means (covariates carried forward in both).
    fc_out = actions.run("forecast", {"unique_id": "seasonal", "horizon": "5", "quantiles": "0.5"})
    means = {f["model"]: f["mean"] for f in fc_out["forecasts"]}
    assert t["mean"] == pytest.approx(means["AutoETS"], abs=0.01)
    totals = {(c["model"], c["component"]): c["total"] for c in e["contributions"]}
    assert totals[("AutoETS", "level")] == pytest.approx(sum(t["components"]["level"]), abs=0.01)


def test_explain_through_the_bedrock_handler(model_dir: Path) -> None:
    ev = {"messageVersion": "1.0", "agent": {"name": "a", "id": "A", "alias": "T", "version": "DRAFT"},
          "inputText": "why?", "sessionId": "1", "actionGroup": "demand", "function": "explain",
          "parameters": [{"name": "unique_id", "type": "string", "value": "seasonal"},
                         {"name": "horizon", "type": "string", "value": "3"}],
          "sessionAttributes": {}, "promptSessionAttributes": {}}
    resp = lambda_handler(ev, None)
    fr = resp["response"]["functionResponse"]
    assert fr.get("responseState") is None
    body = json.loads(fr["responseBody"]["TEXT"]["body"])
    assert body["explanations"][0]["summary"].startswith("seasonal, AutoETS:")
    assert len(body["explanations"][0]["table"][0]["ds"]) == 3
    ev["parameters"][0]["value"] = "nope"
    fr = lambda_handler(ev, None)["response"]["functionResponse"]
    assert fr["responseState"] == "REPROMPT" and "unknown unique_id" in fr["responseBody"]["TEXT"]["body"]


def test_explain_through_the_mcp_server(model_dir: Path) -> None:
    from quickstock.mcp import Server

    server = Server()
    server.handle({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                   "params": {"protocolVersion": "2024-11-05", "capabilities": {},
                              "clientInfo": {"name": "t", "version": "0"}}})
    r = server.handle({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                       "params": {"name": "explain", "arguments": {"unique_id": "growing", "horizon": 4}}})
    assert r is not None
    result = r["result"]
    assert result["isError"] is False
    body = json.loads(result["content"][0]["text"])
    assert body["explanations"][0]["unique_id"] == "growing"
    assert "Drivers (per period)" in body["explanations"][0]["summary"]


def test_explain_with_censored_demand_needs_no_stockout_column_in_x_df():
    rng = np.random.default_rng(11)
    ds = pd.date_range("2025-01-01", periods=90, freq="D")
    frames = []
    for u in ("a", "b"):
        rain = rng.gamma(0.5, 4.0, len(ds))
        y = rng.poisson(np.exp(1.0 - 0.05 * rain)).astype(float)
        out = rng.random(len(ds)) < 0.1
        frames.append(pd.DataFrame({"unique_id": u, "ds": ds, "y": y, "rain_mm": rain, "stockout": out}))
    df = pd.concat(frames, ignore_index=True)
    train, future = df[df.ds < ds[-7]], df[df.ds >= ds[-7]].drop(columns=["y", "stockout"])
    fc = qs.Forecaster([qs.CountRegression(family="poisson")], freq="D", stockout_col="stockout").fit(train)
    f = fc.predict(h=7, X_df=future)
    e = qs.explain(fc, future)
    assert "stockout" not in set(e.component)
    total = e.groupby(["unique_id", "ds"]).contribution.sum()
    mean = f.set_index(["unique_id", "ds"])["mean"].loc[total.index]
    np.testing.assert_allclose(total.to_numpy(), mean.to_numpy(), rtol=1e-9, atol=1e-12)
