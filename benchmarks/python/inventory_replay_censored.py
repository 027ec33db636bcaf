"""Replay with stockouts in the record: censored demand vs stockout days taken as zero demand.

    PYTHONPATH=build/python python3 benchmarks/python/inventory_replay_censored.py   # no arguments

The same replay as ``inventory_replay.py`` (tiny_m5, 280 real item × store series from their
first sale, the last ``--days`` days replayed, shelf life 3 days, lead time 1 day, daily review,
whole units, price = last sell price, cost = half of it), but the policies see what a store
records, not the demand: ``simulate(..., observe="sales")``. Before the replay, stockouts are
simulated on the real history as in ``censored_demand.py`` (on ~30% of days the shelf holds a
random stock of 0 … 1.5 × the series' mean; demand above it is lost and the day is flagged);
during the replay, each policy's own stockouts cap what it records. The replay always serves the
true demand (the M5 sales).

Four policies, all ``QuantilePolicy`` with ``CountRegression(family="negbin")`` refitted daily on
the last 365 recorded days:

* censored — ``stockout_col="stockout"``: flagged days enter the likelihood as P(D >= sales);
* as zeros — flagged days before the replay recorded as zero sales (what many systems log) and
  every recorded day taken as demand;
* as exact — capped sales taken as demand;
* oracle — sees the true demand (``observe="demand"``): the best any treatment can do.

Prints demand, sales, lost sales, waste, fill rate and margin of each; the last line is
``censored_fill_rate=… zeros_fill_rate=… censored_waste=… zeros_waste=…``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from censored_demand import simulate_stockouts  # noqa: E402
from inventory_replay import load_tiny_m5, replay_arguments  # noqa: E402

import quickstock as qs  # noqa: E402


def main() -> int:
    args = replay_arguments(__doc__.split("\n\n")[0]).parse_args()
    if not (args.data / "tiny_m5_sales_d1_d1913.csv.gz").exists():
        print(f"inventory_replay_censored: tiny_m5 not found under {args.data} (--data DIR)", file=sys.stderr)
        return 2
    df, price = load_tiny_m5(args.data)
    if args.series:
        keep = sorted(df.unique_id.unique())[: args.series]
        df = df[df.unique_id.isin(keep)].reset_index(drop=True)
    price = price.reindex(df.unique_id.unique()).fillna(price.median())
    cost = price * args.cost_share
    start = df.ds.max() - np.timedelta64(args.days - 1, "D")
    sim = simulate_stockouts(df)  # demand = truth, y = capped sales, stockout = flag
    before = (sim.ds < start).to_numpy()
    history = df.assign(
        recorded=np.where(before, sim["y"], df["y"]),
        recorded_zeros=np.where(before & sim["stockout"], 0.0, np.where(before, sim["y"], df["y"])),
        out=before & sim["stockout"].to_numpy(),
    )
    share = history.out[before].mean()
    lost = 1.0 - history.recorded[before].sum() / history.y[before].sum()
    timing = dict(shelf_life=args.shelf_life, lead_time=args.lead_time, review_period=1)
    print(f"tiny_m5: {df.unique_id.nunique()} series, replay {args.days} days from {start.date()}; "
          f"stockouts on {share:.1%} of the recorded days before it ({lost:.1%} of demand lost)")

    def policy(stockout_col: str | None) -> qs.inventory.QuantilePolicy:
        return qs.inventory.QuantilePolicy([qs.CountRegression(family="negbin")], price=price, cost=cost,
                                           order_multiple=1.0, n_jobs=args.n_jobs, stockout_col=stockout_col)

    variants = {
        "censored": (policy("stockout"), dict(observe="sales", sales_col="recorded", stockout_col="out")),
        "as zeros": (policy(None), dict(observe="sales", sales_col="recorded_zeros", stockout_col="out")),
        "as exact": (policy(None), dict(observe="sales", sales_col="recorded", stockout_col="out")),
        "oracle": (policy(None), dict(observe="demand")),
    }
    print(f"{'policy':<12}{'demand':>10}{'sales':>10}{'lost':>10}{'waste':>10}{'fill':>10}{'margin':>12}{'s':>8}")
    totals = {}
    for name, (pol, kw) in variants.items():
        t0 = time.perf_counter()
        s, _ = qs.inventory.simulate(pol, history, start, price=price, cost=cost, **timing, **kw)
        t = s.set_index("unique_id").loc["TOTAL"]
        totals[name] = t
        print(f"{name:<12}{t.demand:10.0f}{t.sales:10.0f}{t.lost_sales:10.0f}{t.waste:10.0f}"
              f"{t.fill_rate:10.4f}{t.margin:12.0f}{time.perf_counter() - t0:8.1f}", flush=True)
    c, z = totals["censored"], totals["as zeros"]
    print(f"censored_fill_rate={c.fill_rate:.4f} zeros_fill_rate={z.fill_rate:.4f} "
          f"censored_waste={c.waste:.0f} zeros_waste={z.waste:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
