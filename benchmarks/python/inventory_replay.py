"""Replay ordering policies on real M5 history: quickstock's quantile policy vs safety stock.

    python benchmarks/python/inventory_replay.py            # no arguments needed

Data: ../shared/data/m5 tiny_m5 (280 real Walmart item x store daily series, d_1 .. d_1913) and
its sell prices. The last ``--days`` days of the history are replayed (stock starts empty; the
first ``lead_time + 1`` days are warm-up for every policy). Items are treated as perishable with
``--shelf-life`` days, ordered daily with a ``--lead-time`` of 1 day, in whole units. Price is
the item's last sell price, cost ``--cost-share`` of it, no salvage, so the critical ratio is
``1 - cost_share``.

Policies:
* quickstock: ``qs.inventory.QuantilePolicy`` — the model(s) named by ``--model`` refitted every
  day on the last 365 days, quantile forecasts, ``qs.inventory.recommend`` on sample paths with
  shelf life, lead time and the stock position.
* baseline: ``SafetyStockPolicy`` — seasonal naive (period 7) over lead time + review period plus
  z·σ·√(L+R) safety stock (σ from the last 365 one-week-ahead seasonal-naive errors). Its z is
  set by bisection to the highest value whose fill rate does not exceed quickstock's (equal
  or better service for quickstock), and waste is
  compared at that service level. The baseline at the textbook z = 1.645 is printed too.

The last line is exactly ``waste_reduction=<fraction> fill_rate=<ours> baseline_fill_rate=<theirs>``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import quickstock as qs

ROOT = Path(__file__).resolve().parents[2]


def load_tiny_m5(data: Path) -> tuple[pd.DataFrame, pd.Series]:
    wide = pd.read_csv(data / "tiny_m5_sales_d1_d1913.csv.gz")
    cal = pd.read_csv(data / "calendar.csv.gz", usecols=["date", "d", "wm_yr_wk"])
    day_cols = [c for c in wide.columns if c.startswith("d_")]
    wide = wide.assign(unique_id=wide["item_id"] + "_" + wide["store_id"]).copy()
    long = wide.melt(id_vars=["unique_id"], value_vars=day_cols, var_name="d", value_name="y")
    long = long.merge(cal[["d", "date"]], on="d").rename(columns={"date": "ds"})
    long["ds"] = pd.to_datetime(long["ds"])
    long = long[["unique_id", "ds", "y"]].sort_values(["unique_id", "ds"]).reset_index(drop=True)
    # M5 series start with zeros before the item launched: keep each from its first sale.
    first = long[long.y > 0].groupby("unique_id").ds.min()
    long = long[long.ds >= long.unique_id.map(first)].reset_index(drop=True)
    prices = pd.read_csv(data / "tiny_m5_sell_prices.csv.gz")
    prices["unique_id"] = prices["item_id"] + "_" + prices["store_id"]
    last_price = prices.sort_values("wm_yr_wk").groupby("unique_id").sell_price.last()
    return long, last_price


MODELS = {
    "AutoETS": lambda: [qs.AutoETS(season_length=7)],
    "SeasonalWindowAverage": lambda: [qs.SeasonalWindowAverage(season_length=7, window_size=8)],
}


def replay_arguments(description: str) -> argparse.ArgumentParser:
    """The replay settings shared with inventory_replay_censored.py."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "m5")
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--shelf-life", type=int, default=3)
    ap.add_argument("--lead-time", type=int, default=1)
    ap.add_argument("--cost-share", type=float, default=0.5)
    ap.add_argument("--series", type=int, default=None, help="first N series only (quick runs)")
    ap.add_argument("--n-jobs", type=int, default=-1)
    return ap


def main() -> int:
    ap = replay_arguments(__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help=f"one of {sorted(MODELS)} (default: best available)")
    args = ap.parse_args()
    if not (args.data / "tiny_m5_sales_d1_d1913.csv.gz").exists():
        print(f"inventory_replay: tiny_m5 not found under {args.data} (--data DIR)", file=sys.stderr)
        return 2
    for name in ("CrostonSBA", "Croston", "IMAPA", "TSB"):
        if hasattr(qs, name) and name not in MODELS:
            MODELS[name] = (lambda n=name: [getattr(qs, n)()])
    model = args.model or next((m for m in ("CrostonSBA", "AutoETS") if m in MODELS), "AutoETS")
    if model not in MODELS:
        print(f"inventory_replay: unknown --model {model}; choose from {sorted(MODELS)}", file=sys.stderr)
        return 2

    df, price = load_tiny_m5(args.data)
    if args.series:
        keep = sorted(df.unique_id.unique())[: args.series]
        df = df[df.unique_id.isin(keep)]
    price = price.reindex(pd.unique(df.unique_id)).fillna(price.median())
    cost = price * args.cost_share
    start = df.ds.max() - pd.Timedelta(days=args.days - 1)
    timing = dict(shelf_life=args.shelf_life, lead_time=args.lead_time, review_period=1)
    print(f"tiny_m5: {df.unique_id.nunique()} series, replay {args.days} days from {start.date()}, "
          f"shelf life {args.shelf_life} d, lead time {args.lead_time} d, daily review, "
          f"critical ratio {1 - args.cost_share:.2f}, model {model}")

    t0 = time.perf_counter()
    ours = qs.inventory.QuantilePolicy(MODELS[model](), price=price, cost=cost, order_multiple=1.0,
                                       n_jobs=args.n_jobs)
    s_ours, _ = qs.inventory.simulate(ours, df, start, price=price, cost=cost, **timing)
    t_ours = time.perf_counter() - t0
    tot = s_ours.set_index("unique_id").loc["TOTAL"]

    def baseline(z: float) -> pd.Series:
        s, _ = qs.inventory.simulate(qs.inventory.SafetyStockPolicy(z=z), df, start, price=price,
                                     cost=cost, **timing)
        return s.set_index("unique_id").loc["TOTAL"]

    textbook = baseline(1.645)
    lo, hi = -3.0, 4.0
    b_lo, b_hi = baseline(lo), baseline(hi)
    if not (b_lo.fill_rate <= tot.fill_rate <= b_hi.fill_rate):
        matched = b_lo if tot.fill_rate < b_lo.fill_rate else b_hi
        z = lo if tot.fill_rate < b_lo.fill_rate else hi
    else:
        for _ in range(30):
            mid = 0.5 * (lo + hi)
            b = baseline(mid)
            if b.fill_rate < tot.fill_rate:
                lo = mid
            else:
                hi = mid
            if hi - lo < 1e-3:
                break
        z = lo  # the highest z whose fill rate stays at or below ours: equal or better service
        matched = baseline(z)

    def row(name: str, s: pd.Series) -> str:
        margin = f"{s.margin:12.0f}" if "margin" in s else ""
        return (f"{name:<34}{s.demand:10.0f}{s.sales:10.0f}{s.lost_sales:10.0f}{s.waste:10.0f}"
                f"{s.fill_rate:10.4f}{margin}")

    print(f"{'policy':<34}{'demand':>10}{'sales':>10}{'lost':>10}{'waste':>10}{'fill':>10}{'margin':>12}")
    print(row(f"quickstock {model}", tot))
    print(row(f"safety stock z={z:.3f} (equal fill)", matched))
    print(row("safety stock z=1.645 (textbook)", textbook))
    print(f"quickstock replay took {t_ours:.1f} s")
    reduction = 1.0 - tot.waste / matched.waste if matched.waste > 0 else 0.0
    print(f"waste_reduction={reduction:.4f} fill_rate={tot.fill_rate:.4f} "
          f"baseline_fill_rate={matched.fill_rate:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
