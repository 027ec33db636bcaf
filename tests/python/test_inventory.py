"""qs.inventory.recommend against closed-form newsvendor and Gaussian-sum cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import quickstock as qs

LEVELS = [round(0.01 * k, 2) for k in range(1, 100)]


def normal_forecast(mu: list[float], sigma: list[float], ids=("a",), model: str = "M") -> pd.DataFrame:
    """A predict-shaped frame whose quantiles are exactly Normal(mu_j, sigma_j) per step."""
    rows = []
    for uid in ids:
        for j, (m, s) in enumerate(zip(mu, sigma)):
            row = {"unique_id": uid, "ds": pd.Timestamp("2026-01-01") + pd.Timedelta(days=j),
                   "model": model, "mean": m}
            for lv in LEVELS:
                row[f"p{lv * 100:g}"] = m + s * stats.norm.ppf(lv)
            rows.append(row)
    return pd.DataFrame(rows)


def test_single_day_is_the_critical_ratio_quantile():
    f = normal_forecast([100.0], [20.0])
    for price, cost, salvage in [(10, 5, 0), (10, 1, 0), (10, 8, 2), (40, 25, 5)]:
        r = qs.inventory.recommend(f, price=price, cost=cost, salvage=salvage)
        cr = (price - cost) / (price - salvage)
        assert r.critical_ratio.iloc[0] == pytest.approx(cr)
        want = 100 + 20 * stats.norm.ppf(cr)
        assert r.order_qty.iloc[0] == pytest.approx(want, rel=2e-3)
        # Closed-form Normal newsvendor: E[min(D, Q)] = mu - sigma * L(z), L the loss function.
        z = (r.order_qty.iloc[0] - 100) / 20
        loss = stats.norm.pdf(z) - z * (1 - stats.norm.cdf(z))
        assert r.expected_sales.iloc[0] == pytest.approx(100 - 20 * loss, rel=2e-3)
        assert r.expected_waste.iloc[0] == pytest.approx(r.order_qty.iloc[0] - (100 - 20 * loss), abs=0.1)
        assert r.stockout_prob.iloc[0] == pytest.approx(1 - cr, abs=5e-3)
        assert r.fill_rate.iloc[0] == pytest.approx((100 - 20 * loss) / 100, rel=2e-3)


def test_exact_forecast_quantile_when_it_is_a_column():
    f = normal_forecast([7.0], [3.0])
    r = qs.inventory.recommend(f, price=10, cost=1, salvage=0)  # ratio 0.9: column p90
    assert r.order_qty.iloc[0] == pytest.approx(f["p90"].iloc[0], rel=1e-12)


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_multi_day_window_uses_joint_paths_not_summed_quantiles(rho):
    mu, sigma = 50.0, 10.0
    f = normal_forecast([mu] * 3, [sigma] * 3)
    r = qs.inventory.recommend(
        f, price=10, cost=1, salvage=0, shelf_life=3, review_period=3, correlation=rho,
        n_paths=40000,
    )
    # Sum of 3 Normals with AR(1) correlation rho between neighbours.
    var = sigma**2 * (3 + 2 * (2 * rho + rho**2))
    want = 3 * mu + stats.norm.ppf(0.9) * np.sqrt(var)
    assert r.order_qty.iloc[0] == pytest.approx(want, rel=0.01)
    summed_quantiles = 3 * (mu + sigma * stats.norm.ppf(0.9))
    assert r.order_qty.iloc[0] < summed_quantiles - 5  # adding quantiles over-orders
    assert r.expected_demand.iloc[0] == pytest.approx(3 * mu, rel=0.01)


def test_lead_time_and_on_hand_reduce_the_order():
    f = normal_forecast([20.0] * 3, [4.0] * 3)
    base = qs.inventory.recommend(f, price=10, cost=5, lead_time=1)
    stocked = qs.inventory.recommend(f, price=10, cost=5, lead_time=1, on_hand=30)
    # 30 on hand, about 20 sold during the lead day: about 10 left at arrival.
    assert base.order_qty.iloc[0] == pytest.approx(20.0, rel=0.02)
    assert stocked.order_qty.iloc[0] == pytest.approx(10.0, abs=1.5)
    covered = qs.inventory.recommend(f, price=10, cost=5, lead_time=0, on_hand=1000)
    assert covered.order_qty.iloc[0] == 0.0
    assert covered.stockout_prob.iloc[0] == 0.0 and covered.fill_rate.iloc[0] == 1.0


def test_shelf_life_caps_the_window_and_counts_waste():
    f = normal_forecast([10.0] * 4, [3.0] * 4)
    short = qs.inventory.recommend(f, price=10, cost=2, shelf_life=1, review_period=4)
    long = qs.inventory.recommend(f, price=10, cost=2, shelf_life=4, review_period=4)
    assert short.order_qty.iloc[0] < long.order_qty.iloc[0] / 3
    # A longer shelf life leaves units more days to sell: less waste per unit ordered.
    assert long.expected_waste.iloc[0] / long.order_qty.iloc[0] < short.expected_waste.iloc[0] / short.order_qty.iloc[0]


def test_order_multiple_and_minimum():
    f = normal_forecast([13.0], [2.0])
    r = qs.inventory.recommend(f, price=10, cost=5, order_multiple=6)
    assert r.order_qty.iloc[0] == 18.0
    r = qs.inventory.recommend(f, price=10, cost=5, order_multiple=1, min_order=12)
    assert r.order_qty.iloc[0] == 13.0
    tiny = normal_forecast([0.5], [0.2])
    r = qs.inventory.recommend(tiny, price=10, cost=5, order_multiple=1, min_order=50)
    assert r.order_qty.iloc[0] == 0.0  # 50 units for a demand of 0.5 never pays


def test_per_series_parameters_and_determinism():
    f = normal_forecast([10.0, 10.0], [2.0, 2.0], ids=("a", "b"))
    r = qs.inventory.recommend(f, price={"a": 10, "b": 10}, cost=pd.Series({"a": 1.0, "b": 9.0}),
                               shelf_life=2, review_period=2, n_jobs=1)
    assert r.unique_id.tolist() == ["a", "b"]
    assert r.order_qty.iloc[0] > r.order_qty.iloc[1]
    r2 = qs.inventory.recommend(f, price={"a": 10, "b": 10}, cost=pd.Series({"a": 1.0, "b": 9.0}),
                                shelf_life=2, review_period=2, n_jobs=2)
    pd.testing.assert_frame_equal(r, r2, check_exact=True)


def test_on_the_bundled_sample_and_attribute_columns():
    df = qs.datasets.load_hyderabad()
    ids = sorted(df.unique_id.unique())[:6]
    sub = df[df.unique_id.isin(ids)][["unique_id", "ds", "y", "category"]]
    f = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D").fit(sub).predict(
        h=7, quantiles=[0.05, 0.25, 0.5, 0.75, 0.95]
    )
    f["shelf"] = np.where(f["category"].str.contains("dairy|fruit|veg|bakery", regex=True), 2, 7)
    r = qs.inventory.recommend(f, price=50, cost=30, salvage=0, shelf_life="shelf", review_period=2)
    assert len(r) == 6 and (r.order_qty >= 0).all() and r.fill_rate.between(0, 1).all()
    assert np.isfinite(r.drop(columns="unique_id").to_numpy()).all()


@pytest.mark.parametrize(
    "kwargs, field, text",
    [
        (dict(price=5, cost=5, salvage=5), "price", "exceed salvage"),
        (dict(price=5, cost=6), "cost", "between salvage and price"),
        (dict(price=5, cost=1, shelf_life=0), "shelf_life", ">= 1"),
        (dict(price=5, cost=1, lead_time=-1), "lead_time", ">= 0"),
        (dict(price=5, cost=1, lead_time=1.5), "lead_time", "whole number"),
        (dict(price=5, cost=1, on_hand=float("nan")), "on_hand", "finite"),
        (dict(price=5, cost=1, lead_time=2, review_period=2, shelf_life=2), "h", "steps"),
        (dict(price={"zz": 5}, cost=1), "price", "no value"),
        (dict(price="nope", cost=1), "price", "names no column"),
        (dict(price=5, cost=1, correlation=1.0), "correlation", "[0, 1)"),
        (dict(price=5, cost=1, n_paths=10), "n_paths", "n_paths"),
    ],
)
def test_bad_arguments_name_the_field(kwargs, field, text):
    f = normal_forecast([10.0, 10.0], [2.0, 2.0])
    with pytest.raises(qs.QuickstockError) as err:
        qs.inventory.recommend(f, **kwargs)
    assert getattr(err.value, "field", field) == field
    assert text in str(err.value)


def test_several_models_need_a_choice_and_quantiles_are_required():
    f = pd.concat([normal_forecast([5.0], [1.0], model="A"), normal_forecast([9.0], [1.0], model="B")])
    with pytest.raises(qs.QuickstockError, match="model="):
        qs.inventory.recommend(f, price=5, cost=1)
    a = qs.inventory.recommend(f, price=5, cost=1, model="A")
    b = qs.inventory.recommend(f, price=5, cost=1, model="B")
    assert a.order_qty.iloc[0] < b.order_qty.iloc[0]
    with pytest.raises(qs.QuickstockError, match="quantile"):
        qs.inventory.recommend(f[["unique_id", "ds", "model", "mean"]], price=5, cost=1, model="A")


# -- replay simulator --------------------------------------------------------------------------


class FixedOrders:
    """A policy that orders a fixed quantity every review day."""

    def __init__(self, qty: float) -> None:
        self.qty = qty

    def orders(self, history, position, timing, freq):
        return pd.Series(self.qty, index=pd.unique(history["unique_id"]))


def constant_history(demand: float, days: int = 12) -> pd.DataFrame:
    ds = pd.date_range("2026-01-01", periods=days, freq="D")
    return pd.DataFrame({"unique_id": "a", "ds": ds, "y": demand})


def test_simulate_accounts_fifo_waste_and_lost_sales_exactly():
    h = constant_history(4.0)
    # Order 6 a day, lead time 0 (arrives next day), shelf life 1: sell 4, waste 2 a day.
    s, daily = qs.inventory.simulate(FixedOrders(6.0), h, start=h.ds.iloc[2], shelf_life=1)
    tot = s.set_index("unique_id").loc["TOTAL"]
    n = len(daily) - 1  # the first day is warm-up (nothing has arrived)
    assert tot.demand == 4.0 * n and tot.sales == 4.0 * n and tot.lost_sales == 0.0
    assert tot.waste == 2.0 * n and tot.fill_rate == 1.0
    # Shelf life 2: leftovers sell the next day first; stock settles, waste stops after the start.
    s2, _ = qs.inventory.simulate(FixedOrders(4.0), h, start=h.ds.iloc[2], shelf_life=2)
    assert s2.set_index("unique_id").loc["TOTAL"].waste == 0.0
    # Ordering 3 a day for a demand of 4 loses one unit a day.
    s3, _ = qs.inventory.simulate(FixedOrders(3.0), h, start=h.ds.iloc[2], shelf_life=1, lead_time=1)
    t3 = s3.set_index("unique_id").loc["TOTAL"]
    assert t3.lost_sales == t3.demand / 4 and t3.fill_rate == pytest.approx(0.75)


def test_quantile_policy_and_safety_stock_replay_on_the_sample():
    df = qs.datasets.load_hyderabad()
    ids = sorted(df.unique_id.unique())[:12]
    sub = df[df.unique_id.isin(ids)][["unique_id", "ds", "y"]]
    start = sub.ds.max() - pd.Timedelta(days=20)
    timing = dict(shelf_life=2, lead_time=1, review_period=1)
    ours = qs.inventory.QuantilePolicy([qs.SeasonalWindowAverage(7, 4)], price=10.0, cost=3.0)
    s, _ = qs.inventory.simulate(ours, sub, start, price=10.0, cost=3.0, **timing)
    t = s.set_index("unique_id").loc["TOTAL"]
    b, _ = qs.inventory.simulate(qs.inventory.SafetyStockPolicy(z=0.8), sub, start, **timing)
    tb = b.set_index("unique_id").loc["TOTAL"]
    assert 0.0 < t.fill_rate <= 1.0 and t.waste >= 0.0
    assert {"revenue", "purchase_cost", "margin"} <= set(s.columns)
    # The waste comparison at equal fill rate is benchmarks/python/inventory_replay.py.
    assert t.sales > 0.5 * t.demand
    assert np.isfinite([t.waste, tb.waste]).all()


def test_simulate_rejects_bad_arguments():
    h = constant_history(1.0)
    with pytest.raises(qs.QuickstockError, match="shelf_life"):
        qs.inventory.simulate(FixedOrders(1.0), h, start=h.ds.iloc[0], shelf_life=0)
    with pytest.raises(qs.QuickstockError, match="start"):
        qs.inventory.simulate(FixedOrders(1.0), h, start="2030-01-01")
    with pytest.raises(qs.QuickstockError, match="policy"):
        qs.inventory.simulate(object(), h, start=h.ds.iloc[0])
    with pytest.raises(qs.QuickstockError, match="negative"):
        qs.inventory.simulate(FixedOrders(-1.0), h, start=h.ds.iloc[0])


class Recorder(FixedOrders):
    """FixedOrders that keeps the last history it was shown."""

    def orders(self, history, position, timing, freq):
        self.seen = history.copy()
        return super().orders(history, position, timing, freq)


def test_simulate_observe_sales_shows_capped_sales_and_stockout_flags():
    h = constant_history(4.0, days=10)
    h["recorded"] = [4.0, 1.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0]
    h["out"] = [False, True] + [False] * 8
    rec = Recorder(3.0)  # 3 a day for a demand of 4: every replayed day loses one unit
    s, daily = qs.inventory.simulate(rec, h, start=h.ds.iloc[3], shelf_life=1, observe="sales",
                                     sales_col="recorded", stockout_col="out")
    seen = rec.seen.set_index("ds")
    # Before the start: the recorded sales and flags.
    assert seen.loc[h.ds.iloc[1], "y"] == 1.0 and bool(seen.loc[h.ds.iloc[1], "stockout"])
    assert seen.loc[h.ds.iloc[2], "y"] == 4.0 and not bool(seen.loc[h.ds.iloc[2], "stockout"])
    # Replayed days: what the policy's own stock sold, flagged when demand was lost.
    served = daily.set_index("ds")
    for day in h.ds.iloc[3:]:
        assert seen.loc[day, "y"] == served.loc[day, "sales"]
        assert bool(seen.loc[day, "stockout"]) == (served.loc[day, "lost_sales"] > 0)
    assert seen.loc[h.ds.iloc[5], "y"] == 3.0 and bool(seen.loc[h.ds.iloc[5], "stockout"])
    # The replay itself still serves the true demand y.
    assert s.set_index("unique_id").loc["TOTAL"].demand == 4.0 * (len(daily) - 1)
    # observe="demand" (the default) shows y and no flag.
    rec2 = Recorder(3.0)
    qs.inventory.simulate(rec2, h[["unique_id", "ds", "y"]], start=h.ds.iloc[3], shelf_life=1)
    assert list(rec2.seen.columns) == ["unique_id", "ds", "y"] and (rec2.seen.y == 4.0).all()


def test_quantile_policy_censors_stockouts_only_with_a_model_that_can():
    rng = np.random.default_rng(3)
    ds = pd.date_range("2025-01-01", periods=120, freq="D")
    h = pd.concat([pd.DataFrame({"unique_id": u, "ds": ds, "y": rng.poisson(3.0, len(ds)).astype(float)})
                   for u in ("a", "b")], ignore_index=True)
    out = rng.random(len(h)) < 0.2
    h["recorded"] = np.where(out, 0.0, h.y)
    h["out"] = out
    start = ds[-10]
    timing = dict(shelf_life=2, lead_time=1, review_period=1)
    censored = qs.inventory.QuantilePolicy([qs.CountRegression(family="poisson")], price=10.0,
                                           cost=4.0, stockout_col="stockout")
    zeros = qs.inventory.QuantilePolicy([qs.CountRegression(family="poisson")], price=10.0, cost=4.0)
    kw = dict(observe="sales", sales_col="recorded", stockout_col="out", **timing)
    s_c, d_c = qs.inventory.simulate(censored, h, start, **kw)
    s_z, d_z = qs.inventory.simulate(zeros, h, start, **kw)
    # Treating the stockout days as zero demand under-orders: censoring orders more.
    assert d_c.ordered.sum() > d_z.ordered.sum()
    assert s_c.set_index("unique_id").loc["TOTAL"].fill_rate >= s_z.set_index("unique_id").loc["TOTAL"].fill_rate
    # A model without censoring support refuses the flag, naming the column.
    naive = qs.inventory.QuantilePolicy([qs.Naive()], price=10.0, cost=4.0, stockout_col="stockout")
    with pytest.raises(qs.QuickstockError, match="stockout"):
        qs.inventory.simulate(naive, h, start, **kw)


def test_simulate_observe_arguments_are_checked():
    h = constant_history(1.0)
    with pytest.raises(qs.QuickstockError, match="observe"):
        qs.inventory.simulate(FixedOrders(1.0), h, start=h.ds.iloc[0], observe="orders")
    with pytest.raises(qs.QuickstockError, match="observe"):
        qs.inventory.simulate(FixedOrders(1.0), h, start=h.ds.iloc[0], stockout_col="y")
    with pytest.raises(qs.QuickstockError, match="sales_col"):
        qs.inventory.simulate(FixedOrders(1.0), h, start=h.ds.iloc[0], observe="sales", sales_col="nope")
    policy = qs.inventory.QuantilePolicy([qs.Naive()], price=10.0, cost=4.0, stockout_col="stockout")
    with pytest.raises(qs.QuickstockError, match="stockout"):
        qs.inventory.simulate(policy, h, start=h.ds.iloc[5])
