"""qs.anomalies and qs.webhook_payload on hand-built cases and the bundled sample."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import quickstock as qs


def frames(y: list[float], lo: float = 2.0, med: float = 5.0, hi: float = 9.0, uid: str = "a"):
    ds = pd.date_range("2026-01-01", periods=len(y), freq="D")
    actuals = pd.DataFrame({"unique_id": uid, "ds": ds, "y": np.asarray(y, dtype=float)})
    fcst = pd.DataFrame({"unique_id": uid, "ds": ds, "model": "M", "mean": med,
                         "p5": lo, "p50": med, "p95": hi})
    return actuals, fcst


def test_interval_breaches_with_scores_and_reasons():
    act, f = frames([5, 12, 5, 1, 5, 5])
    a = qs.anomalies(act, f)
    assert a.columns.tolist() == qs.alerts.ALERT_COLUMNS
    assert a.kind.tolist() == ["above_interval", "below_interval"]
    assert a.ds.tolist() == [pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-04")]
    assert a.score.tolist() == pytest.approx([(12 - 9) / (9 - 5), (2 - 1) / (5 - 2)])
    assert a.severity.tolist() == ["medium", "low"]
    assert "above the P95 forecast of 9" in a.reason.iloc[0]
    assert a.model.unique().tolist() == ["M"]


def test_zero_run_is_one_alert_and_hides_its_breaches():
    act, f = frames([5, 0, 0, 0, 0, 5, 0, 5])
    a = qs.anomalies(act, f, min_zero_run=3)
    zero = a[a.kind == "zero_run"]
    assert len(zero) == 1 and zero.run_length.iloc[0] == 4
    assert zero.ds.iloc[0] == pd.Timestamp("2026-01-05")
    assert "possible stockout" in zero.reason.iloc[0]
    # The lone zero on day 7 is a breach; the zeros inside the run are not repeated.
    below = a[a.kind == "below_interval"]
    assert below.ds.tolist() == [pd.Timestamp("2026-01-07")]


def test_zero_run_needs_a_positive_lower_quantile():
    act, f = frames([0, 0, 0, 0, 0], lo=0.0, med=1.0, hi=3.0)
    assert qs.anomalies(act, f).empty  # zeros were within the forecast


def test_level_shift_up_and_down():
    act, f = frames([6, 7, 6, 8, 7, 6, 7, 5, 4, 3, 4, 4, 3, 4, 3, 4])
    a = qs.anomalies(act, f, shift_run=7)
    shifts = a[a.kind.str.startswith("level_shift")]
    assert shifts.kind.tolist() == ["level_shift_up", "level_shift_down"]
    assert shifts.run_length.tolist() == [7, 8]
    # A tie with the median ends a run.
    act2, f2 = frames([6, 7, 6, 5, 8, 7, 6, 7])
    assert qs.anomalies(act2, f2, shift_run=5).empty


def test_clean_series_gives_no_alert_and_many_series_keep_order():
    a1, f1 = frames([5, 4, 6, 5, 3, 6], uid="b")
    a2, f2 = frames([5, 30, 5, 5, 5, 5], uid="a")
    a = qs.anomalies(pd.concat([a1, a2]), pd.concat([f1, f2]), n_jobs=2)
    assert a.unique_id.tolist() == ["a"] and a.kind.tolist() == ["above_interval"]
    assert a.severity.iloc[0] == "high"


def test_on_the_bundled_sample_with_a_simulated_stockout():
    df = qs.datasets.load_hyderabad()
    uid = df.groupby("unique_id").y.mean().idxmax()  # a fast mover
    s = df[df.unique_id == uid][["unique_id", "ds", "y"]].reset_index(drop=True)
    train, test = s.iloc[:-14], s.iloc[-14:].copy()
    f = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D").fit(train).predict(
        h=14, quantiles=[0.05, 0.5, 0.95])
    test.iloc[5:9, test.columns.get_loc("y")] = 0.0  # four days out of stock
    a = qs.anomalies(test, f)
    z = a[a.kind == "zero_run"]
    assert len(z) == 1 and z.run_length.iloc[0] == 4
    assert z.ds.iloc[0] == test.ds.iloc[8]


def test_webhook_payload_schema_and_order():
    act, f = frames([5, 30, 5, 0, 0, 0, 5, 6])
    a = qs.anomalies(act, f)
    body = qs.webhook_payload(a)
    doc = json.loads(body)
    assert doc["schema"] == "quickstock.alerts/v1" and doc["count"] == len(a)
    assert set(doc["counts"]) == {"high", "medium", "low"}
    assert sum(doc["counts"].values()) == len(a)
    ranks = [{"high": 0, "medium": 1, "low": 2}[x["severity"]] for x in doc["alerts"]]
    assert ranks == sorted(ranks)
    first = doc["alerts"][0]
    assert set(first) == {"unique_id", "ds", "y", "expected", "severity", "kind", "reason", "score",
                          "run_length", "model"}
    pd.Timestamp(first["ds"])  # ISO-8601
    assert qs.webhook_payload(a) == body  # deterministic
    empty = json.loads(qs.webhook_payload(a.iloc[:0]))
    assert empty["count"] == 0 and empty["alerts"] == []


@pytest.mark.parametrize(
    "mutate, field, text",
    [
        (lambda a, f: (a.drop(columns="y"), f), "y", "missing column"),
        (lambda a, f: (a, f[["unique_id", "ds", "model", "mean", "p50"]]), "quantiles", "two quantile"),
        (lambda a, f: (a.assign(y=["x"] + [1.0] * (len(a) - 1)), f), "y", "finite number"),
        (lambda a, f: (a.assign(ds=a.ds + pd.Timedelta(days=100)), f), "ds", "no actual row"),
        (lambda a, f: (a, pd.concat([f, f.assign(model="N")])), "model", "model="),
        (lambda a, f: (pd.concat([a, a]), f), "ds", "repeat"),
    ],
)
def test_bad_inputs_name_the_field(mutate, field, text):
    act, f = frames([5, 6, 7])
    a2, f2 = mutate(act, f)
    with pytest.raises(qs.QuickstockError) as err:
        qs.anomalies(a2, f2)
    assert text in str(err.value)
    assert err.value.field == field


def test_bad_run_lengths():
    act, f = frames([5, 6, 7])
    with pytest.raises(qs.QuickstockError, match="min_zero_run"):
        qs.anomalies(act, f, min_zero_run=0)
    with pytest.raises(qs.QuickstockError, match="shift_run"):
        qs.anomalies(act, f, shift_run=1)
    with pytest.raises(qs.QuickstockError, match="missing columns"):
        qs.webhook_payload(pd.DataFrame({"unique_id": ["a"]}))
