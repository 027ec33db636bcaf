"""Intermittent and count-regression models on M5 tiny_m5: scaled pinball loss and per-quantile calibration.

280 real Walmart item×store daily series (M5, history d_1 … d_1913). The truth of d_1914 …
d_1941 is not public in ../shared/data/m5, so every model forecasts h = 56 days from d_1913 and
the last 28 steps are scored against d_1942 … d_1969 (`sales_test_evaluation`).

Scores, per model (mean over series and the nine M5 quantile levels):
* scaled pinball loss (M5 uncertainty: pinball / mean |y_t − y_{t−1}| over the history from the
  first sale; `qs.metrics.scaled_pinball`), and its ratio to the baseline;
* per level τ: the share of actuals strictly below q_τ and at or below q_τ (calibrated counts
  have share_below ≤ τ ≤ share_at_or_below; the target allows ±0.02).

Baseline: seasonal naive (period 7) with quantiles = point forecast + empirical quantiles of its
in-sample one-week-ahead errors y_t − y_{t−7} over the last 365 days, floored at 0.

Run from the repository root:

    PYTHONPATH=build/python python3 benchmarks/python/tiny_m5_intermittent.py

A second, independent evaluation period (the only other M5 bottom-level data here are these 280
series: ../shared/data/m5/README.md): ``--origin 1857`` fits on d_1 … d_1857 and scores the last
28 of the 56 forecast days against d_1886 … d_1913 (any origin <= 1857 works the same way).
``--models`` picks a comma-separated subset of ``default_models()`` and ``extra_models()`` by
alias. The frame carries the series attributes ``item_id``, ``dept_id``, ``cat_id``,
``store_id``, ``state_id`` (for ``CountRegression(pool_by=...)``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import quickstock as qs

LEVELS = [0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995]
H = 56
SCORED = 28
DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "m5"


ATTRIBUTES = ["item_id", "dept_id", "cat_id", "store_id", "state_id"]


def load(data: Path = DATA, origin: int = 1913) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, truth) long frames ``unique_id, ds, y`` + the series attributes for the 280 tiny_m5
    series. ``origin`` = 1913: history d_1 … d_1913 and truth d_1942 … d_1969 (the M5
    evaluation days); an earlier origin o: history d_1 … d_o, truth d_(o+29) … d_(o+56)."""
    wide = pd.read_csv(data / "tiny_m5_sales_d1_d1913.csv.gz")
    if not SCORED + 1 <= origin <= 1913 - H and origin != 1913:
        raise ValueError(f"origin must be 1913 or in [{SCORED + 1}, {1913 - H}] (got {origin})")
    all_days = [c for c in wide.columns if c.startswith("d_")]
    days = all_days[:origin]
    start = pd.Timestamp("2011-01-29")  # d_1
    uid = (wide["item_id"] + "_" + wide["store_id"]).to_numpy()
    y = wide[days].to_numpy(float)
    train = pd.DataFrame(
        {
            "unique_id": np.repeat(uid, len(days)),
            "ds": np.tile(pd.date_range(start, periods=len(days), freq="D"), len(uid)),
            "y": y.ravel(),
        }
    )
    for a in ATTRIBUTES:
        train[a] = np.repeat(wide[a].to_numpy(), len(days))
    first = origin + H - SCORED + 1  # first scored day, d_<first>
    if origin == 1913:
        test = pd.read_csv(data / "sales_test_evaluation.csv.gz")
        test["unique_id"] = test["item_id"] + "_" + test["store_id"]
        test = test.set_index("unique_id").loc[uid]
    else:
        test = wide.set_index(pd.Index(uid, name="unique_id"))
    tdays = [f"d_{d}" for d in range(first, first + SCORED)]
    truth = pd.DataFrame(
        {
            "unique_id": np.repeat(uid, len(tdays)),
            "ds": np.tile(pd.date_range(start + pd.Timedelta(days=first - 1), periods=SCORED, freq="D"), len(uid)),
            "y": test[tdays].to_numpy(float).ravel(),
        }
    )
    return train, truth


def qcol(q: float) -> str:
    return "p" + f"{100 * q:.10g}"


def seasonal_naive_baseline(train: pd.DataFrame) -> pd.DataFrame:
    """The issue's baseline: seasonal naive (7) + empirical quantiles of one-week-ahead errors
    over the last 365 days, floored at 0; long frame like ``Forecaster.predict``."""
    rows = []
    for uid, g in train[["unique_id", "ds", "y"]].groupby("unique_id", sort=False):
        y = g["y"].to_numpy()
        err = (y[7:] - y[:-7])[-365:]
        eq = np.quantile(err, LEVELS)
        point = np.array([y[len(y) - 7 + (j % 7)] for j in range(H)])
        ds = pd.date_range(g["ds"].iloc[-1] + pd.Timedelta(days=1), periods=H, freq="D")
        out = {"unique_id": uid, "ds": ds, "model": "SeasonalNaiveEmp", "mean": point}
        for q, e in zip(LEVELS, eq):
            out[qcol(q)] = np.maximum(point + e, 0.0)
        rows.append(pd.DataFrame(out))
    return pd.concat(rows, ignore_index=True)


def forecast(train: pd.DataFrame, models: list, n_jobs: int = 1) -> pd.DataFrame:
    fc = qs.Forecaster(models=models, freq="D", n_jobs=n_jobs)
    return fc.fit(train).predict(h=H, quantiles=LEVELS)


def score(fcst: pd.DataFrame, truth: pd.DataFrame, train: pd.DataFrame) -> pd.DataFrame:
    """One row per model: scaled pinball (mean over series and levels) and, per level, the
    shares of actuals strictly below and at or below the quantile."""
    df = fcst.merge(truth, on=["unique_id", "ds"], how="inner")
    assert len(df) == truth.shape[0] * fcst["model"].nunique(), "scored rows missing"
    sp = qs.metrics.scaled_pinball(df, quantiles=LEVELS, train_df=train)
    cols = [c for c in sp.columns if c.startswith("scaled_pinball_")]
    out = sp.groupby("model")[cols].mean().mean(axis=1).rename("spl").to_frame()
    for q in LEVELS:
        c = qcol(q)
        g = df.assign(below=df["y"] < df[c], at=df["y"] <= df[c]).groupby("model")
        out[f"lt_{c}"] = g["below"].mean()
        out[f"le_{c}"] = g["at"].mean()
    return out


# M5's twelve aggregation levels, as the attribute columns that key each level's series.
M5_LEVELS = {
    "1 total": [],
    "2 state": ["state_id"],
    "3 store": ["store_id"],
    "4 category": ["cat_id"],
    "5 department": ["dept_id"],
    "6 state x category": ["state_id", "cat_id"],
    "7 state x department": ["state_id", "dept_id"],
    "8 store x category": ["store_id", "cat_id"],
    "9 store x department": ["store_id", "dept_id"],
    "10 item": ["item_id"],
    "11 item x state": ["item_id", "state_id"],
    "12 item x store": ["item_id", "store_id"],
}


def dollar_weights(train: pd.DataFrame, data: Path) -> pd.Series:
    """Each bottom series' dollar sales over its last 28 history days (M5's weights, which use
    d_1914 … d_1941; those days are not in the data, so the 28 days before the origin)."""
    cal = pd.read_csv(data / "calendar.csv.gz", usecols=["date", "wm_yr_wk"], parse_dates=["date"])
    prices = pd.read_csv(data / "tiny_m5_sell_prices.csv.gz")
    last = train[train["ds"] > train["ds"].max() - pd.Timedelta(days=SCORED)]
    last = last.merge(cal, left_on="ds", right_on="date").merge(
        prices, on=["store_id", "item_id", "wm_yr_wk"], how="left"
    )
    return (last["y"] * last["sell_price"].fillna(0.0)).groupby(last["unique_id"]).sum()


def level_wrmsse(
    fcst: pd.DataFrame, truth: pd.DataFrame, train: pd.DataFrame, weights: pd.Series
) -> pd.DataFrame:
    """WRMSSE of each model at each M5 level of the tiny_m5 hierarchy (model × level, plus their
    mean): the bottom means summed to each level's series (bottom-up, so coherent), scored with
    ``qs.metrics.wrmsse`` against the summed truth, scaled by the summed history, weighted by
    the summed dollar sales (each level's weights sum to 1)."""
    attrs = train.groupby("unique_id")[ATTRIBUTES].first()
    scored = fcst.merge(truth, on=["unique_id", "ds"], how="inner")
    out = {}
    for name, keys in M5_LEVELS.items():
        key = attrs[keys].astype(str).agg("/".join, axis=1) if keys else pd.Series("total", attrs.index)
        agg_train = train.assign(unique_id=train["unique_id"].map(key)).groupby(
            ["unique_id", "ds"], as_index=False
        )["y"].sum()
        agg = scored.assign(unique_id=scored["unique_id"].map(key)).groupby(
            ["unique_id", "ds", "model"], as_index=False
        )[["y", "mean"]].sum()
        w = weights.groupby(key).sum()
        res = qs.metrics.wrmsse(agg, weights=w / w.sum(), train_df=agg_train)
        out[name] = res.set_index("model")["wrmsse"]
    table = pd.DataFrame(out)
    table["mean (M5 WRMSSE)"] = table.mean(axis=1)
    return table


def calibrated(row: pd.Series, q: float, tol: float = 0.02) -> bool:
    c = qcol(q)
    return bool(row[f"lt_{c}"] <= q + tol and row[f"le_{c}"] >= q - tol)


def default_models() -> list:
    return [
        qs.Croston(),
        qs.CrostonSBA(),
        qs.TSB(alpha_d=0.1, alpha_p=0.1),
        qs.ADIDA(),
        qs.IMAPA(),
        # Count regression (docs/count-regression.md): NB with day-of-week dummies on the last
        # year (the default window for daily data), plain and zero-inflated.
        qs.CountRegression(family="negbin"),
        qs.CountRegression(family="negbin", zero_inflated=True, alias="CountRegressionZI"),
    ]


def extra_models() -> list:
    """Variants compared in docs/count-regression.md (not in the default run)."""
    return [
        qs.CountRegression(pool_by="store_id", alias="CR_pool_store"),
        qs.CountRegression(pool_by="dept_id", alias="CR_pool_dept"),
        qs.CountRegression(pool_by="item_id", alias="CR_pool_item"),
        qs.CountRegression(zero_inflated=True, pool_by="store_id", alias="CRZI_pool_store"),
        qs.CountRegression(zero_inflated=True, pool_by="item_id", alias="CRZI_pool_item"),
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--n-jobs", type=int, default=2)
    ap.add_argument("--origin", type=int, default=1913, help="last history day (1913, or <= 1857)")
    ap.add_argument("--models", default="", help="comma-separated aliases (default: default_models())")
    args = ap.parse_args()
    data = Path(args.data)
    if not (data / "tiny_m5_sales_d1_d1913.csv.gz").exists():
        print(f"M5 data not found in {data} (--data DIR)")
        return 2
    train, truth = load(data, args.origin)
    models = default_models()
    if args.models:
        pick = [a.strip() for a in args.models.split(",") if a.strip()]
        by_alias = {m.alias: m for m in default_models() + extra_models()}
        missing = [a for a in pick if a not in by_alias]
        if missing:
            print(f"unknown models {missing}; choose from {list(by_alias)}")
            return 2
        models = [by_alias[a] for a in pick]
    fc = pd.concat(
        [forecast(train, models, args.n_jobs), seasonal_naive_baseline(train)],
        ignore_index=True,
    )
    res = score(fc, truth, train)
    base = res.loc["SeasonalNaiveEmp", "spl"]
    first = truth["ds"].min()
    print(
        f"tiny_m5: {train.unique_id.nunique()} series, history d_1..d_{args.origin}, h={H}, "
        f"scored {first.date()}..{truth['ds'].max().date()}\n"
    )
    head = f"{'model':<18}{'SPL':>8}{'vs base':>9}  " + "  ".join(
        f"{qcol(q):>11}" for q in LEVELS
    )
    print(head)
    print(" " * 37 + "  ".join(f"{'<q / <=q':>11}" for _ in LEVELS))
    for model, r in res.sort_values("spl").iterrows():
        cells = "  ".join(
            f"{r[f'lt_{qcol(q)}']:.3f}/{r[f'le_{qcol(q)}']:.3f}"[:11].rjust(11) for q in LEVELS
        )
        print(f"{model:<18}{r['spl']:>8.4f}{r['spl'] / base - 1:>+9.1%}  {cells}")
    print("\nWRMSSE per M5 level (point forecasts summed bottom-up; weights: dollar sales of the")
    print("last 28 history days):")
    table = level_wrmsse(fc, truth, train, dollar_weights(train, data))
    print(table.T.to_string(float_format=lambda v: f"{v:.3f}"))
    print("\nP10/P50/P90 (share < q / share <= q; ok = calibrated as counts: share < q <= tau+0.02")
    print("and share <= q >= tau-0.02):")
    extra = [0.1, 0.5, 0.9]
    fc3 = qs.Forecaster(models=models, freq="D", n_jobs=args.n_jobs).fit(train)
    fc3 = fc3.predict(h=H, quantiles=extra).merge(truth, on=["unique_id", "ds"])
    for model, g in fc3.groupby("model"):
        parts = []
        for q in extra:
            c = qcol(q)
            lt, le = (g["y"] < g[c]).mean(), (g["y"] <= g[c]).mean()
            ok = lt <= q + 0.02 and le >= q - 0.02
            parts.append(f"{c}: {lt:.3f}/{le:.3f} {'ok' if ok else 'NO'}")
        print(f"  {model:<12} " + "   ".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
