"""Build the feature pipeline on real data: M5's tiny_m5 (280 Walmart series, with the M5
calendar's events, SNAP days per state and weekly prices) and the bundled Hyderabad sample
(festivals, Open-Meteo weather, prices and promotions).

For each data set the script fits the pipeline on all but the last ``h`` days, builds the
future frame for those ``h`` days from the history and the known future inputs (prices, promotions,
weather), checks that it equals the features ``transform`` gives on the full frame for those
rows, checks that ``Forecaster.predict(X_df=...)`` accepts it, and prints row counts, the
columns and timings (median of ``--repeats`` runs).

Run from the repository root::

    PYTHONPATH=build/python python3 benchmarks/python/features_tiny_m5.py --repeats 3

The data come from ``../shared/data`` (``--data`` to change). What the features add to a
covariate model's scaled pinball loss is measured only when a model that takes covariates is
available (``--model``); see ``docs/features.md``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import pandas as pd

import quickstock as qs


def timed(fn, repeats):
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


# -- tiny_m5 ----------------------------------------------------------------------------------


def load_tiny_m5(data):
    m5 = os.path.join(data, "m5")
    cal = pd.read_csv(os.path.join(m5, "calendar.csv.gz"), parse_dates=["date"])
    wide = pd.read_csv(os.path.join(m5, "tiny_m5_sales_d1_d1913.csv.gz"))
    days = [c for c in wide.columns if c.startswith("d_")]
    long = wide.melt(
        id_vars=["id", "item_id", "store_id", "state_id"],
        value_vars=days,
        var_name="d",
        value_name="y",
    )
    long = long.merge(cal[["d", "date", "wm_yr_wk"]], on="d")
    prices = pd.read_csv(os.path.join(m5, "tiny_m5_sell_prices.csv.gz"))
    long = long.merge(prices, on=["store_id", "item_id", "wm_yr_wk"], how="left")
    long = long.rename(columns={"id": "unique_id", "date": "ds", "sell_price": "price"})
    long = long.sort_values(["unique_id", "ds"]).reset_index(drop=True)
    # An item enters a store in the week of its first price: rows before it are not history.
    on_sale = long["price"].notna().groupby(long["unique_id"]).cummax()
    long = long[on_sale].copy()
    long["price"] = long.groupby("unique_id")["price"].ffill()
    long["y"] = long["y"].astype(float)
    # events: both event columns of the calendar; SNAP days per state, keyed by state_id
    ev = pd.concat(
        [
            cal[["date", f"event_name_{i}", f"event_type_{i}"]]
            .dropna()
            .set_axis(["date", "name", "kind"], axis=1)
            for i in (1, 2)
        ],
        ignore_index=True,
    )
    snap = pd.concat(
        [
            pd.DataFrame(
                {
                    "date": cal.loc[cal[f"snap_{s}"] == 1, "date"],
                    "name": "snap",
                    "kind": "snap",
                    "state_id": s,
                }
            )
            for s in ("CA", "TX", "WI")
        ],
        ignore_index=True,
    )
    return long[["unique_id", "ds", "y", "state_id", "price"]], ev, snap


def m5_pipeline(events, snap):
    return qs.FeaturePipeline(
        [
            qs.CalendarFeatures(
                ["dayofweek", "month", "dayofmonth", "weekend", "month_start"],
                one_hot=True,
            ),
            qs.FourierTerms(7, 3),
            qs.FourierTerms(365.25, 4),
            qs.EventFeatures(events, by="kind", window=(-2, 1), prefix="ev_"),
            qs.EventFeatures(
                events,
                names=["Christmas", "Thanksgiving", "SuperBowl", "Easter"],
                window=(-3, 1),
                days_to=True,
                max_days=14,
            ),
            qs.EventFeatures(snap, key="state_id"),
            qs.PriceFeatures("price", windows=[56], changes=[7]),
            qs.LagFeatures([28, 35, 364]),
            qs.RollingFeatures(28, ["mean", "std"], lag=28),
            qs.RollingFeatures(7, ["mean"], lag=28),
            qs.SeasonalRollingFeatures(7, 4, lag=28),
            qs.EWMFeatures([0.05, 0.2], lag=28),
        ],
        freq="D",
        fill_value=0.0,
        passthrough=["state_id"],
    )


# -- Hyderabad sample -----------------------------------------------------------------------------


def hyderabad_pipeline(weather):
    return qs.FeaturePipeline(
        [
            qs.CalendarFeatures(
                ["dayofweek", "month", "weekend", "month_start", "payday"],
                paydays=[1, "last"],
            ),
            qs.FourierTerms(7, 3),
            qs.FourierTerms(365.25, 3),
            qs.EventFeatures(
                festivals="IN-TG", by="kind", window=(-1, 0), prefix="fest_"
            ),
            qs.EventFeatures(
                festivals="IN-TG",
                names=[
                    "Diwali (Deepavali)",
                    "Dussehra (Vijayadashami)",
                    "Sankranti / Pongal",
                    "Eid-ul-Fitr (Ramzan)",
                    "Ganesh Chaturthi (Vinayaka Chavithi)",
                ],
                window=(-3, 1),
                days_to=True,
                max_days=21,
            ),
            qs.WeatherFeatures(
                weather, rain_lags=[1, 2], rain_sums=[3, 7], monsoon="data"
            ),
            qs.PriceFeatures("price", windows=[28]),
            qs.PromotionFeatures("promo", lags=[1], leads=[1]),
            qs.LagFeatures([14, 21, 28]),
            qs.RollingFeatures(28, ["mean", "std", "max"], lag=14),
            qs.SeasonalRollingFeatures(7, 4, lag=14),
            qs.EWMFeatures([0.1, 0.3], lag=14),
        ],
        freq="D",
        fill_value=0.0,
        passthrough=["store_id"],
    )


def show(name, pipe, df, h, repeats, inputs, beyond=0):
    """Fit on all but the last ``h + beyond`` days; those days' ``inputs`` are the known future
    (``beyond`` extra days feed leads)."""
    last = df.groupby("unique_id")["ds"].transform("max")
    cut = last - pd.Timedelta(days=h + beyond)
    train = df[df["ds"] <= cut]
    future_inputs = df[df["ds"] > cut][["unique_id", "ds", *inputs]]
    X, t_fit = timed(lambda: pipe.fit_transform(train), repeats)
    Xf, t_fut = timed(
        lambda: pipe.transform_future(train, h, X_df=future_inputs), repeats
    )
    full = pipe.transform(df).merge(Xf[["unique_id", "ds"]], on=["unique_id", "ds"])
    diff = np.nanmax(
        np.abs(
            full[pipe.feature_names_].to_numpy() - Xf[pipe.feature_names_].to_numpy()
        )
    )
    fc = qs.Forecaster([qs.SeasonalNaive(season_length=7)], freq="D").fit(X)
    fc.predict(h=h, X_df=Xf)
    print(
        f"\n== {name}: {df['unique_id'].nunique()} series, {len(train):,} training rows, h = {h}"
    )
    print(f"features: {len(pipe.feature_names_)} columns")
    for s in pipe.steps:
        print(
            f"  {type(s).__name__:24s} {len(s.feature_names_):3d}  {', '.join(s.feature_names_[:6])}"
            + (" ..." if len(s.feature_names_) > 6 else "")
        )
    print(
        f"fit_transform      {t_fit * 1e3:8.1f} ms  ({len(X):,} rows x {X.shape[1]} cols, "
        f"{len(X) / t_fit / 1e6:.2f} M rows/s)"
    )
    print(
        f"transform_future   {t_fut * 1e3:8.1f} ms  ({len(Xf):,} rows; columns = fit columns without y: "
        f"{list(Xf.columns) == [c for c in X.columns if c != 'y']})"
    )
    print(f"future frame vs transform(full) on the same rows: max |diff| = {diff:.3g}")
    print(
        f"Forecaster covariates from the pipeline: {len(fc.prepared_.covariates)}; "
        f"predict(X_df=future frame) accepted"
    )
    return X, Xf


def m5_covariate_pipeline(events, snap):
    """A small, non-collinear set for a regression-type covariate model: no lags of y and no
    day-of-week columns (the model's own dynamics and weekly season carry those)."""
    return qs.FeaturePipeline(
        [
            qs.FourierTerms(365.25, 2),
            qs.EventFeatures(events, by="kind", window=(0, 0), prefix="ev_"),
            qs.EventFeatures(snap, key="state_id"),
            qs.PriceFeatures(
                "price",
                windows=[56],
                changes=[],
                discount=False,
                relative_to_train=True,
            ),
        ],
        freq="D",
        fill_value=0.0,
        passthrough=["state_id"],
    )


M5_LEVELS = [0.005, 0.025, 0.165, 0.25, 0.5, 0.75, 0.835, 0.975, 0.995]


def measure(model_expr, df, events, snap, h, history, n_jobs):
    """Scaled pinball loss (M5 levels) of one covariate model with and without the features on
    tiny_m5's last ``h`` days, fitted on the ``history`` days before them; the model is a Python
    expression such as ``"qs.AutoETS(season_length=7, covariates=True)"``."""
    last = df.groupby("unique_id")["ds"].transform("max")
    cut = last - pd.Timedelta(days=h)
    if history:
        keep = df["ds"] > cut - pd.Timedelta(days=history)
        df, cut = df[keep], cut[keep]
    train, test = df[df["ds"] <= cut], df[df["ds"] > cut]
    print(
        f"tiny_m5: {train['unique_id'].nunique()} series, {len(train):,} training rows "
        f"(up to {history or 'all'} days each), h = {h}, model {model_expr}"
    )
    pipe = m5_covariate_pipeline(events, snap)
    X = pipe.fit_transform(train)
    Xf = pipe.transform_future(
        train, h, X_df=test[["unique_id", "ds", "state_id", "price"]]
    )
    scores = {}
    for label, fit_df, x_df in (
        ("without features", train[["unique_id", "ds", "y"]], None),
        ("with features", X.drop(columns=["state_id"]), Xf.drop(columns=["state_id"])),
    ):
        model = eval(model_expr, {"qs": qs})
        t0 = time.perf_counter()
        fc = qs.Forecaster([model], freq="D", n_jobs=n_jobs).fit(fit_df)
        fcst = fc.predict(h=h, quantiles=M5_LEVELS, X_df=x_df)
        seconds = time.perf_counter() - t0
        ev = fcst.merge(test[["unique_id", "ds", "y"]], on=["unique_id", "ds"])
        sp = qs.metrics.scaled_pinball(ev, train_df=train[["unique_id", "ds", "y"]])
        cols = [c for c in sp.columns if c.startswith("scaled_pinball_")]
        scores[label] = float(sp[cols].to_numpy().mean())
        print(
            f"{label:18s} mean scaled pinball over {len(cols)} levels, {sp.shape[0]} series: "
            f"{scores[label]:.4f}  ({seconds:.1f} s; {len(fc.prepared_.covariates)} covariates)"
        )
    base, feat = scores["without features"], scores["with features"]
    print(f"change with features: {100 * (feat - base) / base:+.2f}%")


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument(
        "--data",
        default=os.path.normpath(
            os.path.join(here, "..", "..", "..", "shared", "data")
        ),
    )
    ap.add_argument("--h", type=int, default=28)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument(
        "--model",
        help="a covariate model as a Python expression, e.g. 'qs.AutoARIMA(season_length=7)': "
        "measure its scaled pinball loss on tiny_m5 with and without the features",
    )
    ap.add_argument(
        "--history",
        type=int,
        default=730,
        help="days of history before the test window for --model (0: all)",
    )
    ap.add_argument("--n-jobs", type=int, default=-1, help="threads for --model")
    args = ap.parse_args()
    if args.model:
        df, events, snap = load_tiny_m5(args.data)
        measure(args.model, df, events, snap, args.h, args.history, args.n_jobs)
        return

    df, events, snap = load_tiny_m5(args.data)
    show(
        "tiny_m5 (M5 calendar events, SNAP by state, weekly prices)",
        m5_pipeline(events, snap),
        df,
        args.h,
        args.repeats,
        ["state_id", "price"],
    )

    weather = pd.read_csv(
        os.path.join(args.data, "hyderabad_weather", "openmeteo_daily_2015_2025.csv.gz")
    )
    hyd = qs.datasets.load_hyderabad()[
        ["unique_id", "ds", "y", "store_id", "price", "promo"]
    ]
    # promotion leads need the day after the horizon: one more day of known future inputs
    show(
        "bundled Hyderabad sample (SYNTHETIC demand; real weather and festivals)",
        hyderabad_pipeline(weather),
        hyd,
        14,
        args.repeats,
        ["price", "promo"],
        beyond=1,
    )


if __name__ == "__main__":
    main()
