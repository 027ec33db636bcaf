"""Stockout-censored demand on real M5 series with known truth.

Take the tiny_m5 series that sell at least 1 unit a day on average over the last year
(real Walmart item × store daily sales, ../shared/data/m5), treat their recorded sales as the true
demand, and simulate stockouts: on each day, with probability 0.3, the shelf holds a random stock
drawn uniformly from 0 … 1.5 × the series' mean; sales are capped at the stock and the day is
flagged `stockout` when the shelf ran empty (demand >= stock, so sales = stock), as a store's
record shows it — a day with no stock at all is a stockout whether or not anyone asked.
(``--strict`` flags only days when demand exceeded the stock, the convention of the first
version of this script; with it a zero-sale stockout day implies demand, which the models do
not assume.) Demand models are then fitted on the last 365 days of
*sales* in three ways and forecast the next 28 days, scored against the true (uncensored)
demand of those days:

* censored — ``Forecaster([model], stockout_col="stockout")``: for ``CountRegression`` stockout
  days enter the likelihood as P(demand >= sales); for ``Croston``, ``CrostonSBA`` and ``TSB`` a
  stockout day without a sale is skipped and one with a sale is an occurrence whose size enters
  as its Kaplan–Meier conditional mean E[S | S >= sales] (docs/intermittent.md);
* as zeros — stockout days recorded as zero sales (what many systems log), fitted as exact;
* as exact — the capped sales taken as demand;
* oracle — the same model on the true demand (no stockouts): the best any treatment can do.

Every model is run in the four ways (``--models`` picks a subset). Printed per model and
treatment: mean error of the forecast mean (bias, units/day), its ratio to the true
mean, and the mean pinball loss over P10…P90 on the true demand, with the ratio to the oracle.
The 28 scored days are true demand (no stockouts are simulated there).

Run from the repository root (one command, no arguments):

    PYTHONPATH=build/python python3 benchmarks/python/censored_demand.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import quickstock as qs

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "m5"
LEVELS = [0.1, 0.25, 0.5, 0.75, 0.9]
HISTORY = 365
H = 28
P_SHORT = 0.3


def load(data: Path = DATA) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(history, truth) for the series selling >= 1 unit/day over the last year of d_1..d_1913:
    history = the 365 days before the last 28, truth = the last 28 days."""
    wide = pd.read_csv(data / "tiny_m5_sales_d1_d1913.csv.gz")
    days = [c for c in wide.columns if c.startswith("d_")]
    y = wide[days].to_numpy(float)[:, -(HISTORY + H) :]
    keep = y[:, :HISTORY].mean(axis=1) >= 1.0
    y = y[keep]
    uid = (wide["item_id"] + "_" + wide["store_id"]).to_numpy()[keep]
    ds = pd.date_range(pd.Timestamp("2011-01-29") + pd.Timedelta(days=len(days) - HISTORY - H), periods=HISTORY + H, freq="D")
    long = pd.DataFrame(
        {"unique_id": np.repeat(uid, HISTORY + H), "ds": np.tile(ds, len(uid)), "y": y.ravel()}
    )
    step = np.tile(np.arange(HISTORY + H), len(uid))
    return long[step < HISTORY].reset_index(drop=True), long[step >= HISTORY].reset_index(drop=True)


def simulate_stockouts(history: pd.DataFrame, seed: int = 20261129, strict: bool = False) -> pd.DataFrame:
    """Sales capped at a random stock on ~30% of days (seeded); `stockout` flags the days the
    shelf ran empty (demand >= stock; ``strict``: demand > stock) and `demand` keeps the truth."""
    rng = np.random.default_rng(seed)
    mean = history.groupby("unique_id")["y"].transform("mean").to_numpy()
    demand = history["y"].to_numpy()
    short_day = rng.uniform(size=len(history)) < P_SHORT
    stock = np.floor(rng.uniform(0.0, 1.5, len(history)) * mean)
    capped = short_day & ((demand > stock) if strict else (demand >= stock))
    out = history.rename(columns={"y": "demand"}).copy()
    out["y"] = np.where(capped, stock, demand)
    out["stockout"] = capped
    return out


def pinball(truth: np.ndarray, q: np.ndarray, tau: float) -> np.ndarray:
    d = truth - q
    return np.maximum(tau * d, (tau - 1.0) * d)


MODELS = {
    "CountRegression": lambda: qs.CountRegression(family="negbin"),
    "Croston": lambda: qs.Croston(),
    "CrostonSBA": lambda: qs.CrostonSBA(),
    "TSB": lambda: qs.TSB(alpha_d=0.1, alpha_p=0.1),
}


def run(
    train: pd.DataFrame, truth: pd.DataFrame, censor: bool, name: str = "CountRegression"
) -> tuple[pd.DataFrame, float]:
    model = MODELS[name]()
    fc = qs.Forecaster([model], freq="D", n_jobs=2, stockout_col="stockout" if censor else None)
    t0 = time.perf_counter()
    f = fc.fit(train).predict(h=H, quantiles=LEVELS)
    secs = time.perf_counter() - t0
    return f.merge(truth, on=["unique_id", "ds"]), secs


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated subset of " + ", ".join(MODELS))
    ap.add_argument("--strict", action="store_true", help="flag only days when demand exceeded the stock")
    args = ap.parse_args()
    names = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in names if m not in MODELS]
    if unknown:
        print(f"unknown models {unknown}; choose from {list(MODELS)}")
        return 2
    if not (DATA / "tiny_m5_sales_d1_d1913.csv.gz").exists():
        print(f"M5 data not found in {DATA}")
        return 2
    history, truth = load()
    sim = simulate_stockouts(history, strict=args.strict)
    share = sim["stockout"].mean()
    lost = 1.0 - sim["y"].sum() / sim["demand"].sum()
    base = sim[["unique_id", "ds"]]
    variants = {
        "censored": (base.assign(y=sim["y"], stockout=sim["stockout"]), True),
        "as zeros": (base.assign(y=np.where(sim["stockout"], 0.0, sim["y"])), False),
        "as exact": (base.assign(y=sim["y"]), False),
        "oracle": (base.assign(y=sim["demand"]), False),
    }
    print(
        f"{history.unique_id.nunique()} M5 series (>= 1 unit/day), {HISTORY} days of history, "
        f"stockouts on {share:.1%} of days ({lost:.1%} of demand lost), scored on the next {H} "
        f"days of true demand (mean {truth['y'].mean():.3f}/day)"
    )
    for model in names:
        rows = {}
        for name, (train, censor) in variants.items():
            f, secs = run(train, truth, censor, model)
            bias = (f["mean"] - f["y"]).mean()
            y = f["y"].to_numpy()
            pl = np.mean([pinball(y, f["p" + f"{100 * q:.10g}"].to_numpy(), q).mean() for q in LEVELS])
            rows[name] = (bias, bias / f["y"].mean(), pl, secs)
        oracle_pl = rows["oracle"][2]
        print(f"\n{model}")
        print(f"{'treatment':<10}{'mean error':>12}{'rel. bias':>11}{'pinball':>10}{'vs oracle':>11}{'fit+predict s':>15}")
        for name, (bias, rel, pl, secs) in rows.items():
            print(f"{name:<10}{bias:>+12.4f}{rel:>+11.1%}{pl:>10.4f}{pl / oracle_pl - 1:>+11.1%}{secs:>15.2f}")
        c, z, e = rows["censored"][2], rows["as zeros"][2], rows["as exact"][2]
        print(
            f"{model}: censored_pinball={c:.4f} zeros_pinball={z:.4f} exact_pinball={e:.4f} "
            f"gain_vs_zeros={1 - c / z:.3f} gain_vs_exact={1 - c / e:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
