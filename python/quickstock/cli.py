"""The ``quickstock`` command line: ``demo``, ``forecast``, ``report`` and ``sagemaker``."""

from __future__ import annotations

import argparse
import math
import os
import sys
import warnings
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import models as _models
from ._core import QuickstockError
from ._frame import default_season_length, parse_freq
from .forecaster import Forecaster
from .io import read_table, table_kind, write_table

__all__ = ["main", "build_models", "infer_freq"]

_BY_NAME = {
    "Naive": lambda m, k: _models.Naive(),
    "SeasonalNaive": lambda m, k: _models.SeasonalNaive(season_length=m),
    "HistoricAverage": lambda m, k: _models.HistoricAverage(),
    "WindowAverage": lambda m, k: _models.WindowAverage(window_size=k),
    "SeasonalWindowAverage": lambda m, k: _models.SeasonalWindowAverage(season_length=m, window_size=k),
    "RandomWalkWithDrift": lambda m, k: _models.RandomWalkWithDrift(),
    "AutoETS": lambda m, k: _models.AutoETS(season_length=m),
    "Croston": lambda m, k: _models.Croston(),
    "CrostonSBA": lambda m, k: _models.CrostonSBA(),
    "TSB": lambda m, k: _models.TSB(alpha_d=0.1, alpha_p=0.1),
    "ADIDA": lambda m, k: _models.ADIDA(),
    "IMAPA": lambda m, k: _models.IMAPA(),
    "Theta": lambda m, k: _models.Theta(season_length=m),
    "AutoTheta": lambda m, k: _models.AutoTheta(season_length=m),
    "MSTL": lambda m, k: _models.MSTL(season_length=m),
}


def build_models(names: str, season_length: int, window_size: int) -> list[_models.Model]:
    """Model specs from comma-separated class names (``"SeasonalNaive,Naive"``).

    Raises:
        QuickstockError: naming an unknown model.
    """
    out = []
    for name in (n.strip() for n in names.split(",") if n.strip()):
        if name not in _BY_NAME:
            from ._errors import invalid

            invalid(f"unknown model {name!r}; available: {', '.join(_BY_NAME)}", field="models")
        out.append(_BY_NAME[name](season_length, window_size))
    return out


def infer_freq(df: pd.DataFrame, id_col: str = "unique_id", time_col: str = "ds") -> str:
    """Infer a pandas frequency alias from the longest series of ``df``.

    Raises:
        QuickstockError: when no regular frequency can be inferred (pass ``--freq``).
    """
    from ._errors import invalid

    if id_col not in df.columns or time_col not in df.columns:
        invalid(f"the input needs columns {id_col!r} and {time_col!r}", field=time_col)
    longest = df[id_col].value_counts().index[0]
    ds = pd.to_datetime(df.loc[df[id_col] == longest, time_col], errors="coerce").dropna()
    ds = pd.DatetimeIndex(ds.sort_values().unique())
    freq = None
    if len(ds) >= 3:
        with warnings.catch_warnings():  # pandas 3 warns that infer_freq will return an offset
            warnings.simplefilter("ignore")
            freq = pd.infer_freq(ds)
        freq = getattr(freq, "freqstr", freq)
    if freq is None:
        invalid(
            f"cannot infer the frequency from series {longest!r}; pass --freq (e.g. D, h, W-SUN, MS)",
            field="freq",
        )
    return str(freq)


def _parse_quantiles(text: str) -> list[float]:
    from ._errors import invalid

    try:
        levels = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        invalid(f"--quantiles must be comma-separated numbers (got {text!r})", field="quantiles")
    if not levels:
        invalid("--quantiles needs at least one level, e.g. 0.1,0.5,0.9", field="quantiles")
    return levels


def _read_and_models(args: argparse.Namespace) -> tuple[pd.DataFrame, str, int, list[Any]]:
    """The input table, its frequency, the season length and the models of ``forecast`` and
    ``report`` (``--models`` or the season-length default)."""
    if args.season_length is not None and args.season_length < 1:
        from ._errors import invalid

        invalid(f"--season-length must be >= 1 (got {args.season_length})", field="season_length")
    df = read_table(args.input)
    freq = args.freq or infer_freq(df, args.id_col, args.time_col)
    m = args.season_length if args.season_length is not None else default_season_length(parse_freq(freq))
    names = args.models or ("SeasonalNaive" if m > 1 else "Naive")
    return df, freq, m, build_models(names, m, args.window_size)


def _cmd_forecast(args: argparse.Namespace) -> int:
    table_kind(args.output)  # an unusable output name fails before any work
    df, freq, _, models = _read_and_models(args)
    fc = Forecaster(
        models,
        freq=freq,
        n_jobs=args.n_jobs,
        id_col=args.id_col,
        time_col=args.time_col,
        target_col=args.target_col,
    )
    out = fc.forecast(df, h=args.horizon, quantiles=_parse_quantiles(args.quantiles))
    write_table(out, args.output)
    print(
        f"quickstock: {out[args.id_col].nunique()} series × {args.horizon} periods "
        f"(freq {freq}) × {len(fc.models)} model(s) → {args.output} ({len(out)} rows)"
    )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from ._errors import invalid
    from .reporting import report

    if not args.output.lower().endswith((".html", ".htm")):
        invalid(f"--output must name an .html file (got {args.output!r})", field="output")
    df, freq, m, models = _read_and_models(args)
    result = report(
        df,
        args.output,
        h=args.horizon,
        quantiles=_parse_quantiles(args.quantiles),
        models=models,
        freq=freq,
        season_length=m,
        holdout=args.holdout,
        geography=args.geography,
        product=args.product,
        price=args.price,
        cost=args.cost,
        salvage=args.salvage,
        shelf_life=args.shelf_life,
        lead_time=args.lead_time,
        review_period=args.review_period,
        on_hand=args.on_hand,
        history=args.history,
        max_charts=args.max_charts,
        n_jobs=args.n_jobs,
        title=args.title,
        id_col=args.id_col,
        time_col=args.time_col,
        target_col=args.target_col,
        verbose=False if args.quiet else None,
    )
    data = result["data"]
    n_bottom = sum(1 for s in data["series"] if s["b"])
    print(
        f"quickstock: report of {n_bottom} series and {len(data['series']) - n_bottom} aggregates × "
        f"{args.horizon} periods (freq {freq}, model {data['primary']}), {len(result['alerts'])} alerts "
        f"→ {args.output}"
    )
    return 0


def _pinball(y: np.ndarray, q: np.ndarray, level: float) -> float:
    d = y - q
    return float(np.mean(np.maximum(level * d, (level - 1.0) * d)))


def _cmd_demo(args: argparse.Namespace) -> int:
    from .datasets import load_hyderabad

    df = load_hyderabad()
    sl = args.service_level
    levels = sorted({0.1, 0.5, 0.9, sl})
    candidates = [
        _models.SeasonalNaive(season_length=7),
        _models.SeasonalWindowAverage(season_length=7, window_size=4),
        _models.WindowAverage(window_size=28),
    ]
    fc = Forecaster(candidates, freq="D", n_jobs=args.n_jobs)
    print("quickstock demo — SYNTHETIC Hyderabad dark-store sample (weather: Open-Meteo.com)")
    print(
        f"{df.unique_id.nunique()} store×SKU series, {df.store_id.nunique()} dark stores, "
        f"{df.ds.min():%Y-%m-%d} … {df.ds.max():%Y-%m-%d}\n"
    )
    cv = fc.cross_validation(df, h=7, n_windows=4, step_size=7, quantiles=levels)
    print("Backtest: 4 weekly origins, 7 days ahead")
    rows = []
    for name, g in cv.groupby("model", sort=False):
        y = g["y"].to_numpy()
        wape = float(np.abs(y - g["p50"].to_numpy()).sum() / max(y.sum(), 1e-9))
        cover = float(np.mean((y >= g["p10"].to_numpy()) & (y <= g["p90"].to_numpy())))
        loss = np.mean([_pinball(y, g[f"p{round(q * 100):d}"].to_numpy(), q) for q in (0.1, 0.5, 0.9)])
        rows.append((name, wape, cover, loss))
    print(f"  {'model':<24}{'WAPE(P50)':>10}{'P10–P90 cover':>15}{'pinball':>10}")
    for name, wape, cover, loss in rows:
        print(f"  {name:<24}{wape:>10.3f}{cover:>15.1%}{loss:>10.3f}")
    best = min(rows, key=lambda r: r[3])[0]
    print(f"  → forecasting with {best} (lowest mean pinball loss)\n")

    model = next(m for m in candidates if m.alias == best)
    final = Forecaster([model], freq="D", n_jobs=args.n_jobs).fit(df)
    out = final.predict(h=args.horizon, quantiles=levels)
    first_day = out.ds.min()
    stores = sorted(out.store_id.unique())
    if args.store != "all":
        stores = [s for s in stores if args.store in (s, s.split("-")[-1])] or stores[:1]
    sl_col = f"p{sl * 100:g}"
    tomorrow = out[(out.ds == first_day) & out.store_id.isin(stores)]
    print(
        f"Forecast for {first_day:%a %d %b %Y} (of {args.horizon} days forecast) and suggested orders"
    )
    print(
        f"  order = the {sl:.0%} quantile of tomorrow's demand, rounded up: the newsvendor order "
        f"for a {sl:.0%} critical ratio,\n  with nothing on hand, same-day delivery and one-day "
        "shelf life; use qs.Forecaster + your own costs for real orders.\n"
    )
    for store, g in tomorrow.groupby("store_id", sort=True):
        zone = g.zone.iloc[0]
        print(f"  {store} (pincode {g.pincode.iloc[0]}, {zone})")
        print(f"    {'sku':<24}{'P10':>7}{'P50':>7}{'P90':>7}{'order':>7}")
        for _, r in g.sort_values("p50", ascending=False).iterrows():
            order = math.ceil(r[sl_col] - 1e-9)
            print(f"    {r.sku:<24}{r.p10:>7.1f}{r.p50:>7.1f}{r.p90:>7.1f}{order:>7d}")
        print()
    if args.output:
        write_table(out, args.output)
        print(f"full forecast written to {args.output}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``quickstock`` command."""
    p = argparse.ArgumentParser(
        prog="quickstock",
        description="Probabilistic demand forecasting for quick-commerce dark stores.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    d = sub.add_parser(
        "demo",
        help="forecast the bundled synthetic Hyderabad sample and print P10/P50/P90 and orders",
        description="Backtest baseline models on the bundled SYNTHETIC Hyderabad sample, forecast "
        "with the best, and print P10/P50/P90 for tomorrow with suggested orders.",
    )
    d.add_argument("--horizon", type=int, default=7, help="days to forecast (default 7)")
    d.add_argument(
        "--store",
        default="HYD-500032",
        help="store_id or pincode to print, or 'all' (default HYD-500032)",
    )
    d.add_argument(
        "--service-level",
        type=float,
        default=0.9,
        help="quantile ordered up to, i.e. the newsvendor critical ratio (default 0.9)",
    )
    d.add_argument("--output", help="also write the full forecast (.csv, .parquet, .xlsx)")
    d.add_argument("--n-jobs", type=int, default=-1, help="threads (-1: all cores)")
    d.set_defaults(func=_cmd_demo)

    f = sub.add_parser(
        "forecast",
        help="forecast a long unique_id, ds, y table from a file",
        description="Read a long table (CSV, Parquet or Excel) with unique_id, ds, y, forecast "
        "every series and write unique_id, ds, model, mean and one column per quantile.",
    )
    f.add_argument("--input", required=True, help="input file (.csv, .csv.gz, .parquet, .xlsx)")
    f.add_argument("--output", required=True, help="output file (.csv, .parquet, .xlsx)")
    f.add_argument("--horizon", type=int, required=True, help="periods to forecast")
    f.add_argument("--quantiles", default="0.1,0.5,0.9", help="levels (default 0.1,0.5,0.9)")
    f.add_argument("--freq", help="pandas alias (D, h, W-SUN, MS…); inferred when omitted")
    f.add_argument(
        "--models",
        help=f"comma-separated model names ({', '.join(_BY_NAME)}); default SeasonalNaive "
        "(Naive when the frequency has no season)",
    )
    f.add_argument("--season-length", type=int, help="season length (default from freq: D→7, h→24…)")
    f.add_argument("--window-size", type=int, default=4, help="window of the window averages")
    f.add_argument("--id-col", default="unique_id")
    f.add_argument("--time-col", default="ds")
    f.add_argument("--target-col", default="y")
    f.add_argument("--n-jobs", type=int, default=-1, help="threads (-1: all cores)")
    f.set_defaults(func=_cmd_forecast)

    r = sub.add_parser(
        "report",
        help="write one self-contained HTML report: fan charts, drill-down, alerts, orders",
        description="Read a long table (CSV, Parquet or Excel) with unique_id, ds, y and optional "
        "hierarchy columns (city, zone, pincode, store_id; category, sku), forecast every series and "
        "every aggregate, backtest on a holdout, and write one HTML file with fan charts, a drill-down "
        "by the hierarchy, alerts (qs.anomalies) and suggested orders (qs.inventory.recommend). The "
        "file loads nothing from the network. See docs/report.md.",
    )
    r.add_argument("--input", required=True, help="input file (.csv, .csv.gz, .parquet, .xlsx)")
    r.add_argument("--output", required=True, help="the HTML file to write (.html)")
    r.add_argument("--horizon", type=int, default=14, help="periods to forecast (default 14)")
    r.add_argument("--quantiles", default="0.1,0.5,0.9", help="levels (default 0.1,0.5,0.9)")
    r.add_argument("--freq", help="pandas alias (D, h, W-SUN, MS…); inferred when omitted")
    r.add_argument(
        "--models",
        help=f"comma-separated model names ({', '.join(_BY_NAME)}); default SeasonalNaive "
        "(Naive when the frequency has no season); with several, the best on the holdout is charted",
    )
    r.add_argument("--season-length", type=int, help="season length (default from freq: D→7, h→24…)")
    r.add_argument("--window-size", type=int, default=4, help="window of the window averages")
    r.add_argument("--holdout", type=int, help="periods held out for alerts and scores "
                   "(default min(horizon, 28); 0: none)")
    r.add_argument("--geography", help="geographic hierarchy columns, coarse to fine "
                   "(default those of city,zone,pincode,store_id present)")
    r.add_argument("--product", help="product hierarchy columns (default those of category,sku present)")
    for name, text in (
        ("price", "unit price (default: the price column, else 1)"),
        ("cost", "unit cost (default: the cost column, else 0.7 × price)"),
        ("salvage", "value of an unsold unit (default: the salvage column, else 0)"),
        ("shelf-life", "periods a unit can be sold (default: the shelf_life column, else 1)"),
        ("lead-time", "periods until an order arrives (default: the lead_time column, else 0)"),
        ("review-period", "periods between orders (default: the review_period column, else 1)"),
        ("on-hand", "units in stock now (default: the on_hand column, else 0)"),
    ):
        r.add_argument(f"--{name}", metavar="NUMBER|COLUMN", help=text + "; a column's last value per series")
    r.add_argument("--history", type=int, default=56, help="periods of history drawn (default 56)")
    r.add_argument("--max-charts", type=int, default=1000, help="series with a chart at most (default 1000)")
    r.add_argument("--title", help="page title")
    r.add_argument("--id-col", default="unique_id")
    r.add_argument("--time-col", default="ds")
    r.add_argument("--target-col", default="y")
    r.add_argument("--n-jobs", type=int, default=-1, help="threads (-1: all cores)")
    r.add_argument("--quiet", action="store_true", help="no progress bar (shown only in a terminal)")
    r.set_defaults(func=_cmd_report)

    sm = sub.add_parser(
        "sagemaker",
        help="Amazon SageMaker container entry points: train, serve",
        description="Entry points of a SageMaker bring-your-own container (see docs/sagemaker.md). "
        "Paths live under $SAGEMAKER_BASE_DIR (default /opt/ml).",
    )
    smsub = sm.add_subparsers(dest="sagemaker_command", metavar="COMMAND")
    smsub.required = True
    st = smsub.add_parser(
        "train",
        help="fit on input/data/training with input/config/hyperparameters.json, save to model/",
        description="SageMaker training: read the hyperparameters (strings: freq, season_length, "
        "horizon, quantiles, models, window_size) from input/config/hyperparameters.json and every "
        "CSV/Parquet file under input/data/training, fit, and save the model to model/. On failure "
        "the reason goes to output/failure and the exit status is non-zero.",
    )
    st.add_argument("--base-dir", help="instead of $SAGEMAKER_BASE_DIR (default /opt/ml)")
    st.set_defaults(func=_cmd_sagemaker_train)
    ss = smsub.add_parser(
        "serve",
        help="HTTP inference server: GET /ping, POST /invocations, GET /execution-parameters",
        description="SageMaker inference: serve the model in model/ over HTTP on "
        "$SAGEMAKER_BIND_TO_PORT (default 8080). Exits 0 on SIGTERM.",
    )
    ss.add_argument("--base-dir", help="instead of $SAGEMAKER_BASE_DIR (default /opt/ml)")
    ss.add_argument("--host", help="address to bind (default $QUICKSTOCK_BIND_HOST or 0.0.0.0)")
    ss.add_argument("--port", type=int, help="port (default $SAGEMAKER_BIND_TO_PORT or 8080)")
    ss.set_defaults(func=_cmd_sagemaker_serve)
    return p


def _cmd_sagemaker_train(args: argparse.Namespace) -> int:
    from .sagemaker.train import main as train_main

    return train_main(args.base_dir)


def _cmd_sagemaker_serve(args: argparse.Namespace) -> int:
    from .sagemaker.serve import main as serve_main

    return serve_main(host=args.host, port=args.port, base=args.base_dir)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``quickstock`` command; returns the exit status."""
    args = make_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except QuickstockError as exc:
        print(f"quickstock: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `quickstock demo | head`: the reader left, which is fine
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
