#!/usr/bin/env python3
"""Compare quickstock's baselines with statsforecast's on M4 Hourly, in one process.

Runs the same six baselines -- Naive, SeasonalNaive(24), HistoricAverage, WindowAverage(24),
SeasonalWindowAverage(24, 4), RandomWalkWithDrift -- on all 414 M4 Hourly series (h = 48) with
both libraries and prints:

* timing: median wall time of fit + predict over ``--repeats`` runs per library, for each
  ``--n-jobs`` value, and the ratio statsforecast / quickstock. Each library is warmed up once
  per n_jobs first (numba JIT compilation for statsforecast); warm-up runs are not timed.
* agreement: max |difference| of the point forecasts per model and ``np.allclose(rtol=1e-6)``;
  the same for the 80 % and 95 % intervals where statsforecast gives them natively
  (statsforecast ``lo-80``/``hi-80``/``lo-95``/``hi-95`` against quickstock quantiles
  0.1/0.9/0.025/0.975). Where intervals differ, the script tests the known differences in the
  interval formulas and says whether they explain the gap exactly.
* accuracy on the M4 Hourly test set: sMAPE and MASE (M4 definitions, m = 24) for both
  libraries, and for models with intervals MSIS (alpha = 0.05) and 80 %/95 % coverage; the
  official M4 figures of the Naive and sNaive benchmarks are printed next to them as a check.

quickstock censors every forecast at 0 (demand cannot be negative) and the Python API has no
switch for it, so statsforecast's values are censored at 0 before comparing; the number of
values that censoring touched is reported.

Usage (see benchmarks/README.md)::

    PYTHONPATH=build-bench/python python benchmarks/python/compare_baselines.py \\
        --repeats 5 --n-jobs 1,2 --json compare.json

Exit status: 0 on success and when statsforecast is not installed (a message says so);
2 when the M4 data or quickstock cannot be found.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "m4"
H = 48  # M4 Hourly horizon
M = 24  # M4 Hourly seasonal period (MASE scale)
LEVELS = (80, 95)  # statsforecast interval levels
# quickstock quantile of the lower / upper end of each statsforecast level.
LEVEL_QUANTILES = {80: (0.1, 0.9), 95: (0.025, 0.975)}
QS_QUANTILES = [0.025, 0.1, 0.5, 0.9, 0.975]
START = np.datetime64("2000-01-01T00:00:00", "ns")
HOUR = np.timedelta64(1, "h").astype("timedelta64[ns]")

# name, quickstock factory, statsforecast factory, statsforecast has native intervals
MODELS: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any], bool]] = [
    ("Naive", lambda q: q.Naive(), lambda s: s.Naive(), True),
    ("SeasonalNaive", lambda q: q.SeasonalNaive(season_length=M),
     lambda s: s.SeasonalNaive(season_length=M), True),
    ("HistoricAverage", lambda q: q.HistoricAverage(), lambda s: s.HistoricAverage(), True),
    ("WindowAverage", lambda q: q.WindowAverage(window_size=24),
     lambda s: s.WindowAverage(window_size=24), False),
    ("SeasonalWindowAverage", lambda q: q.SeasonalWindowAverage(season_length=M, window_size=4),
     lambda s: s.SeasonalWindowAverage(season_length=M, window_size=4,
                                       alias="SeasonalWindowAverage"), False),
    ("RandomWalkWithDrift", lambda q: q.RandomWalkWithDrift(),
     lambda s: s.RandomWalkWithDrift(alias="RandomWalkWithDrift"), True),
]
MODEL_NAMES = [m[0] for m in MODELS]


def qcol(q: float) -> str:
    """quickstock's column name of quantile q: "p" + 100·q written shortest (p2.5, p10)."""
    v = round(100.0 * q, 10)
    return "p" + (str(int(v)) if v == int(v) else repr(v))


# --- data ----------------------------------------------------------------------------------------


def read_wide(path: Path) -> tuple[np.ndarray, list[np.ndarray]]:
    """ids and per-series values of an M4 wide file (V1 = id, V2... values, NA-padded)."""
    wide = pd.read_csv(path)
    ids = wide.iloc[:, 0].astype(str).to_numpy()
    values = wide.iloc[:, 1:].to_numpy(dtype=float)
    series = []
    for i, row in enumerate(values):
        n = int(np.count_nonzero(~np.isnan(row)))
        if np.isnan(row[:n]).any():
            raise SystemExit(f"{path.name}: series {ids[i]} has missing values inside its history")
        series.append(row[:n])
    return ids, series


def load_m4_hourly(data: Path) -> dict[str, Any]:
    train_ids, train = read_wide(data / "Hourly-train.csv.gz")
    test_ids, test = read_wide(data / "Hourly-test.csv.gz")
    if list(train_ids) != list(test_ids):
        raise SystemExit("Hourly-train and Hourly-test list different series")
    if any(len(t) != H for t in test):
        raise SystemExit(f"every Hourly test series should have {H} values")
    lengths = np.array([len(s) for s in train])
    # Hourly timestamps from the same start for every series (M4 gives no usable calendar).
    ds = np.concatenate([START + np.arange(n) * HOUR for n in lengths])
    df = pd.DataFrame({
        "unique_id": np.repeat(train_ids, lengths).astype(object),
        "ds": pd.DatetimeIndex(ds),
        "y": np.concatenate(train),
    })
    future_ds = np.concatenate([START + (n + np.arange(H)) * HOUR for n in lengths])
    future_index = pd.MultiIndex.from_arrays(
        [np.repeat(train_ids, H).astype(object), pd.DatetimeIndex(future_ds)],
        names=["unique_id", "ds"])
    return {"ids": train_ids, "train": train, "test": np.vstack(test), "lengths": lengths,
            "df": df, "future_index": future_index}


def as_matrix(frame: pd.DataFrame, column: str, future_index: pd.MultiIndex) -> np.ndarray:
    """Column of a long forecast frame as a series × h matrix in M4 order, checked complete."""
    f = frame[["unique_id", "ds", column]].copy()
    f["unique_id"] = f["unique_id"].astype(str).astype(object)
    f["ds"] = pd.DatetimeIndex(f["ds"]).astype("datetime64[ns]")
    v = f.set_index(["unique_id", "ds"])[column].reindex(future_index).to_numpy(dtype=float)
    if np.isnan(v).any():
        raise SystemExit(f"forecast column {column!r} is missing rows or is NaN at "
                         f"{int(np.isnan(v).sum())} (series, step) points")
    return v.reshape(-1, H)


# --- running the libraries -----------------------------------------------------------------------


def run_quickstock(qs: Any, df: pd.DataFrame, n_jobs: int) -> tuple[float, pd.DataFrame]:
    t0 = time.perf_counter()
    fc = qs.Forecaster(models=[m[1](qs) for m in MODELS], freq="h", n_jobs=n_jobs)
    out = fc.fit(df).predict(h=H, quantiles=QS_QUANTILES)
    return time.perf_counter() - t0, out


def run_statsforecast(sf_mod: Any, sf_models: Any, df: pd.DataFrame, n_jobs: int,
                      method: str) -> tuple[float, pd.DataFrame]:
    """statsforecast cannot give intervals for the window averages without conformal
    calibration, so it runs as two StatsForecast calls: the four models with native intervals
    (level=[80, 95]) and the two window averages (means only). Both calls are timed."""
    with_pi = [m[2](sf_models) for m in MODELS if m[3]]
    without_pi = [m[2](sf_models) for m in MODELS if not m[3]]
    t0 = time.perf_counter()
    outs = []
    for models, level in ((with_pi, list(LEVELS)), (without_pi, None)):
        sf = sf_mod.StatsForecast(models=models, freq="h", n_jobs=n_jobs)
        if method == "forecast":
            outs.append(sf.forecast(df=df, h=H, level=level))
        else:
            outs.append(sf.fit(df=df).predict(h=H, level=level))
    elapsed = time.perf_counter() - t0
    out = outs[0].merge(outs[1], on=["unique_id", "ds"], how="outer", validate="one_to_one")
    return elapsed, out


# --- accuracy ------------------------------------------------------------------------------------


def mase_scales(train: list[np.ndarray]) -> np.ndarray:
    return np.array([np.mean(np.abs(y[M:] - y[:-M])) for y in train])


def smape(y: np.ndarray, f: np.ndarray) -> float:
    den = np.abs(y) + np.abs(f)
    with np.errstate(invalid="ignore", divide="ignore"):
        terms = np.where(den == 0, 0.0, 200.0 * np.abs(y - f) / den)
    return float(terms.mean())


def mase(y: np.ndarray, f: np.ndarray, scale: np.ndarray) -> float:
    return float((np.abs(y - f).mean(axis=1) / scale).mean())


def msis(y: np.ndarray, lo: np.ndarray, hi: np.ndarray, scale: np.ndarray,
         alpha: float = 0.05) -> float:
    penalty = (hi - lo) + (2.0 / alpha) * ((lo - y) * (y < lo) + (y - hi) * (y > hi))
    return float((penalty.mean(axis=1) / scale).mean())


def coverage(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    return float(((y >= lo) & (y <= hi)).mean())


def official_m4(data: Path) -> dict[str, dict[str, float]]:
    """The official M4 Hourly figures of the Naive / sNaive benchmarks, when present."""
    out: dict[str, dict[str, float]] = {}
    pf = data / "results" / "point_forecasts_by_frequency.csv"
    pi = data / "results" / "prediction_intervals_by_frequency.csv"
    if pf.exists():
        t = pd.read_csv(pf).drop_duplicates("User ID").set_index("User ID")
        for name in ("Naive", "sNaive"):
            if name in t.index:
                out[name] = {"sMAPE": float(t.loc[name, "sMAPE_Hourly"]),
                             "MASE": float(t.loc[name, "MASE_Hourly"])}
    if pi.exists():
        t = pd.read_csv(pi).drop_duplicates("User ID").set_index("User ID")
        if "Naive" in t.index:
            out.setdefault("Naive", {}).update({
                "MSIS": float(t.loc["Naive", "MSIS_Hourly"]),
                "ACD": float(t.loc["Naive", "ACD_Hourly"])})
    return out


def official_point_forecasts(data: Path, ids: np.ndarray) -> dict[str, np.ndarray]:
    path = data / "benchmark_point_forecasts_HDW.csv.gz"
    if not path.exists():
        return {}
    t = pd.read_csv(path)
    out = {}
    for method in ("Naive", "sNaive"):
        sub = t[t["method"] == method].set_index("id").reindex(ids)
        cols = [f"F{j}" for j in range(1, H + 1)]
        if not sub[cols].isna().any().any():
            out[method] = sub[cols].to_numpy(dtype=float)
    return out


# --- interval formula differences ----------------------------------------------------------------


def width_factors(
    model: str, level: int, train: list[np.ndarray]
) -> tuple[list[np.ndarray], str] | None:
    """Candidate factors (series x h) by which quickstock's interval half-width should exceed
    statsforecast's if the only difference is the known one in the formulas; a series is
    explained when one candidate fits all its steps. None when no difference is known."""
    try:
        from scipy import stats
    except ImportError:  # pragma: no cover
        return None
    p = 0.5 + level / 200.0
    n = np.array([len(y) for y in train], dtype=float)
    if model == "HistoricAverage":
        f = np.repeat((stats.t.ppf(p, n - 1) / stats.norm.ppf(p))[:, None], H, axis=1)
        return ([f], "quickstock quantiles are Student t with n-1 df (R forecast::meanf), "
                     "statsforecast's Normal")
    if model == "RandomWalkWithDrift":
        # quickstock (R forecast.lagwalk):
        #   var_h = SSE/(n_res - [b != 0]) * h + SSE/(n_res - 1)/n_res * h^2
        # statsforecast:
        #   var_h = SSE/n_res * (h + h^2/n_res)
        # Whether quickstock's b is exactly 0 for a series with y[n] == y[1] depends on rounding
        # in its sum of differences, so both variants are candidates.
        n_res = (n - 1.0)[:, None]
        h = np.arange(1, H + 1, dtype=float)[None, :]
        sf_var = (h + h**2 / n_res) / n_res
        drift_term = h**2 / ((n_res - 1.0) * n_res)
        f_nonzero = np.sqrt((h / (n_res - 1.0) + drift_term) / sf_var)
        f_zero = np.sqrt((h / n_res + drift_term) / sf_var)
        return ([f_nonzero, f_zero],
                "sigma^2 = SSE/(n-2) as R forecast::rwf (SSE/(n-1) when quickstock's drift is "
                "exactly 0), statsforecast's SSE/(n-1)")
    return None


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA,
                    help=f"folder with the M4 files (default {DEFAULT_DATA})")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per library (default 5)")
    ap.add_argument("--n-jobs", default="1,2", help="comma-separated n_jobs values (default 1,2)")
    ap.add_argument("--sf-method", choices=("forecast", "fit_predict"), default="forecast",
                    help="statsforecast call timed: StatsForecast.forecast (its one-shot "
                         "fit+predict, the default) or .fit().predict()")
    ap.add_argument("--json", type=Path, help="write every figure to this JSON file")
    args = ap.parse_args(argv)
    try:
        args.n_jobs = [int(x) for x in args.n_jobs.split(",") if x.strip()]
    except ValueError:
        ap.error(f"--n-jobs must be comma-separated integers (got {args.n_jobs!r})")
    if args.repeats < 1 or not args.n_jobs:
        ap.error("--repeats must be >= 1 and --n-jobs non-empty")
    return args


def fmt(x: float, digits: int = 3) -> str:
    return "n/a" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        import statsforecast as sf_mod
        from statsforecast import models as sf_models
    except ImportError:
        print("statsforecast not installed: pip install statsforecast")
        print("(it needs pandas < 3; see benchmarks/README.md for a separate virtual environment)")
        return 0
    needed = ("Hourly-train.csv.gz", "Hourly-test.csv.gz")
    if not all((args.data / f).exists() for f in needed):
        print(f"M4 Hourly data not found in {args.data} (need Hourly-train.csv.gz and "
              f"Hourly-test.csv.gz); pass --data DIR", file=sys.stderr)
        return 2
    try:
        import quickstock as qs
    except ImportError as exc:
        print(f"quickstock cannot be imported ({exc}). Build it with -DQUICKSTOCK_BUILD_PYTHON=ON "
              "and run with PYTHONPATH=<build>/python", file=sys.stderr)
        return 2

    d = load_m4_hourly(args.data)
    df, fi, test = d["df"], d["future_index"], d["test"]
    n_series = len(d["ids"])
    env = {
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(), "platform": platform.platform(),
        "cpu_count": os.cpu_count(), "quickstock": qs.__version__,
        "statsforecast": sf_mod.__version__, "pandas": pd.__version__, "numpy": np.__version__,
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
    print(f"M4 Hourly: {n_series} series, {len(df)} training rows "
          f"(lengths {d['lengths'].min()}-{d['lengths'].max()}), h = {H}, freq 'h'")
    print("quickstock {quickstock}, statsforecast {statsforecast}, pandas {pandas}, numpy {numpy}, "
          "Python {python}, {cpu_count} CPUs, OPENBLAS_CORETYPE={OPENBLAS_CORETYPE}".format(**env))
    print(f"models: {', '.join(MODEL_NAMES)}; quickstock quantiles {QS_QUANTILES}, "
          f"statsforecast level={list(LEVELS)} (intervals only where native)")

    # --- timing ---
    timing: dict[str, Any] = {}
    qs_out: dict[int, pd.DataFrame] = {}
    sf_out: pd.DataFrame | None = None
    for n_jobs in args.n_jobs:
        # Warm-up (not timed): statsforecast compiles its numba kernels on first use.
        run_quickstock(qs, df, n_jobs)
        _, sf_warm = run_statsforecast(sf_mod, sf_models, df, n_jobs, args.sf_method)
        if sf_out is None:
            sf_out = sf_warm
        t_qs, t_sf = [], []
        for _ in range(args.repeats):  # interleaved, so machine noise hits both alike
            t, qs_out[n_jobs] = run_quickstock(qs, df, n_jobs)
            t_qs.append(t)
            t, _ = run_statsforecast(sf_mod, sf_models, df, n_jobs, args.sf_method)
            t_sf.append(t)
        med_qs, med_sf = statistics.median(t_qs), statistics.median(t_sf)
        timing[str(n_jobs)] = {"quickstock_s": t_qs, "statsforecast_s": t_sf,
                               "quickstock_median_s": med_qs, "statsforecast_median_s": med_sf,
                               "ratio_sf_over_qs": med_sf / med_qs}
    assert sf_out is not None

    print(f"\nTiming: fit + predict of all 6 models, wall time, median of {args.repeats} "
          f"(one warm-up run per library and n_jobs excluded; statsforecast "
          f"{'StatsForecast.forecast' if args.sf_method == 'forecast' else 'fit().predict()'}, "
          "two calls)")
    print(f"{'n_jobs':>6}  {'quickstock [s]':>14}  {'statsforecast [s]':>17}  {'sf/qs':>7}")
    for n_jobs in args.n_jobs:
        t = timing[str(n_jobs)]
        print(f"{n_jobs:>6}  {t['quickstock_median_s']:>14.4f}  "
              f"{t['statsforecast_median_s']:>17.4f}  {t['ratio_sf_over_qs']:>6.1f}x")

    # quickstock promises the same output for any n_jobs.
    base = qs_out[args.n_jobs[0]]
    same_threads = {str(j): bool(qs_out[j].equals(base)) for j in args.n_jobs}

    # --- agreement ---
    agreement: dict[str, Any] = {}
    accuracy: dict[str, Any] = {}
    scale = mase_scales(d["train"])
    print("\nAgreement with statsforecast (statsforecast censored at 0 like quickstock; "
          "np.allclose(rtol=1e-6))")
    print(f"{'model':<22} {'what':<7} {'max|diff|':>11} {'result':<7} {'censored':>8}  note")
    for name, _, _, has_pi in MODELS:
        q = base[base["model"] == name]
        qmean = as_matrix(q, "mean", fi)
        smean_raw = as_matrix(sf_out, name, fi)
        smean = np.maximum(smean_raw, 0.0)
        diff = float(np.max(np.abs(qmean - smean)))
        ok = bool(np.allclose(qmean, smean, rtol=1e-6))
        rec: dict[str, Any] = {"mean": {"max_abs_diff": diff, "agree": ok,
                                        "censored": int((smean_raw < 0).sum())}}
        print(f"{name:<22} {'mean':<7} {diff:>11.3g} {'agree' if ok else 'DIFFER':<7} "
              f"{rec['mean']['censored']:>8}")
        qs_int: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        sf_int: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for level in LEVELS:
            ql, qh = LEVEL_QUANTILES[level]
            qs_int[level] = (as_matrix(q, qcol(ql), fi), as_matrix(q, qcol(qh), fi))
            if not has_pi:
                continue
            lo_raw = as_matrix(sf_out, f"{name}-lo-{level}", fi)
            hi_raw = as_matrix(sf_out, f"{name}-hi-{level}", fi)
            sf_int[level] = (lo_raw, hi_raw)  # as statsforecast gives them, for the accuracy table
            qlo, qhi = qs_int[level]
            slo, shi = np.maximum(lo_raw, 0.0), np.maximum(hi_raw, 0.0)
            d_int = float(max(np.max(np.abs(qlo - slo)), np.max(np.abs(qhi - shi))))
            ok_int = bool(np.allclose(qlo, slo, rtol=1e-6) and np.allclose(qhi, shi, rtol=1e-6))
            censored = int((lo_raw < 0).sum() + (hi_raw < 0).sum())
            r: dict[str, Any] = {"max_abs_diff": d_int, "agree": ok_int, "censored": censored}
            note = ""
            if not ok_int:
                # Compare upper half-widths (never censored here) around the common mean.
                ratio = (qhi - qmean) / np.where(shi - smean == 0, np.nan, shi - smean)
                r["half_width_ratio_qs_over_sf"] = {
                    "median": float(np.nanmedian(ratio)), "min": float(np.nanmin(ratio)),
                    "max": float(np.nanmax(ratio))}
                note = (f"qs/sf half-width {np.nanmin(ratio):.5f}..{np.nanmax(ratio):.5f}")
                expl = width_factors(name, level, d["train"])
                if expl is not None:
                    factors, why = expl
                    fits = []
                    for f in factors:
                        s_hi_adj = np.maximum(smean_raw + f * (hi_raw - smean_raw), 0.0)
                        s_lo_adj = np.maximum(smean_raw - f * (smean_raw - lo_raw), 0.0)
                        fits.append(np.isclose(qhi, s_hi_adj, rtol=1e-6).all(axis=1)
                                    & np.isclose(qlo, s_lo_adj, rtol=1e-6).all(axis=1))
                    explained_series = np.logical_or.reduce(fits)
                    explained = bool(explained_series.all())
                    r["explanation"] = why
                    r["explained_exactly"] = explained
                    if len(fits) > 1:
                        r["series_fitting_each_variant"] = [
                            [str(x) for x in d["ids"][f_ & ~np.logical_or.reduce(fits[:k])]]
                            if k else int(f_.sum()) for k, f_ in enumerate(fits)]
                    if not explained:
                        r["unexplained_series"] = [str(x) for x in d["ids"][~explained_series]]
                    note += f"; {'explained' if explained else 'NOT explained'} by: {why}"
            rec[f"interval_{level}"] = r
            verdict = "agree" if ok_int else "DIFFER"
            print(f"{'':<22} {f'PI {level}':<7} {d_int:>11.3g} {verdict:<7} "
                  f"{censored:>8}  {note}")
        if not has_pi:
            rec["intervals"] = "statsforecast has no native intervals for this model"
            print(f"{'':<22} {'PI':<7} {'-':>11} {'n/a':<7} {'':>8}  statsforecast: no native "
                  "intervals (needs conformal prediction_intervals)")
        agreement[name] = rec

        # --- accuracy ---
        acc: dict[str, Any] = {}
        runs = (("quickstock", qmean, qs_int), ("statsforecast", smean_raw, sf_int))
        for lib, mean, ints in runs:
            a = {"sMAPE": smape(test, mean), "MASE": mase(test, mean, scale)}
            if 95 in ints:
                lo, hi = ints[95]
                a["MSIS"] = msis(test, lo, hi, scale)
                a["coverage95"] = coverage(test, lo, hi)
            if 80 in ints:
                a["coverage80"] = coverage(test, *ints[80])
            acc[lib] = a
        accuracy[name] = acc

    print(f"\nquickstock output identical for n_jobs {args.n_jobs}: "
          f"{'yes' if all(same_threads.values()) else 'NO ' + str(same_threads)}")

    print("\nAccuracy on the M4 Hourly test set (M4 definitions; MASE and MSIS scaled by the "
          f"in-sample mean absolute seasonal difference, m = {M}; MSIS alpha = 0.05; each "
          "library's own output: quickstock's censored at 0, statsforecast's not)")
    print(f"{'model':<22} {'lib':<13} {'sMAPE':>8} {'MASE':>8} {'MSIS':>9} "
          f"{'cov80':>6} {'cov95':>6}")
    for name in MODEL_NAMES:
        for lib in ("quickstock", "statsforecast"):
            a = accuracy[name][lib]
            print(f"{name if lib == 'quickstock' else '':<22} {lib:<13} {a['sMAPE']:>8.3f} "
                  f"{a['MASE']:>8.3f} {fmt(a.get('MSIS', float('nan'))):>9} "
                  f"{fmt(a.get('coverage80', float('nan'))):>6} "
                  f"{fmt(a.get('coverage95', float('nan'))):>6}")

    official = official_m4(args.data)
    official_fc = official_point_forecasts(args.data, d["ids"])
    if official:
        print("\nOfficial M4 Hourly figures of the benchmarks (for checking the metric code):")
        pairs = (("Naive", "Naive"), ("sNaive", "SeasonalNaive"))
        for off, ours in pairs:
            if off in official:
                o, a = official[off], accuracy[ours]["quickstock"]
                line = (f"  M4 {off:<7} sMAPE {o['sMAPE']:.3f}  MASE {o['MASE']:.3f}"
                        f"   | quickstock {ours}: sMAPE {a['sMAPE']:.3f}  MASE {a['MASE']:.3f}")
                if "MSIS" in o:
                    acd = abs(a["coverage95"] - 0.95)
                    s = accuracy[ours]["statsforecast"]
                    line += (f"\n  M4 {off:<7} MSIS {o['MSIS']:.3f}  ACD {o['ACD']:.3f}"
                             f"   | quickstock {ours}: MSIS {a['MSIS']:.3f}  ACD {acd:.3f}"
                             f"   | statsforecast {ours}: MSIS {s['MSIS']:.3f}  "
                             f"ACD {abs(s['coverage95'] - 0.95):.3f}"
                             "\n  (quickstock censors interval ends at 0, the official benchmark "
                             "and statsforecast do not: that lowers quickstock's MSIS)")
                print(line)
        for off, ours in pairs:
            if off in official_fc:
                qm = as_matrix(base[base["model"] == ours], "mean", fi)
                diff = float(np.max(np.abs(qm - official_fc[off])))
                official.setdefault(off, {})["max_abs_diff_point_forecasts_vs_quickstock"] = diff
                print(f"  M4 official {off} point forecasts vs quickstock {ours}: "
                      f"max |diff| {diff:.3g}")

    if args.json:
        report = {"environment": env, "n_series": n_series, "h": H, "repeats": args.repeats,
                  "sf_method": args.sf_method, "warm_up_excluded": True, "timing": timing,
                  "quickstock_identical_across_n_jobs": same_threads,
                  "agreement": agreement, "accuracy": accuracy, "official_m4": official}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2))
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
