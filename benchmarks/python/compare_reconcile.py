"""Hierarchical reconciliation: quickstock vs hierarchicalforecast (time, peak memory, accuracy).

Cases: the M5 store/state/total hierarchy (real daily sales of 10 Walmart stores, 14 series,
../shared/data/m5) and simulated store hierarchies (Total → 10 regions → 100 cities → 1,000 zones →
stores) with 5,000 and 100,000 bottom series. Each (case, library, method) runs in its own
subprocess: wall time is the median of --repeats calls after one warm-up (every case,
100,000 included), peak memory is the
median over the timed calls of each call's rise of the peak resident size (VmHWM, reset through
/proc/self/clear_refs) over the resident size before it, measured after gc and malloc_trim, so
neither data loading nor heap pages the allocator kept from earlier calls count), and subprocesses of hierarchicalforecast get an address-space cap (--mem-gb) so a
dense n × n allocation fails fast with MemoryError instead of swapping the machine.

Accuracy: RMSE of the reconciled means against the held-out actuals over every series and
horizon (M5: the last 28 days of d_1 … d_1913; simulation: fresh Poisson draws), per method.

Run with the environment that has hierarchicalforecast (pandas < 3):

    PYTHONPATH=build/python /work/venv-sf/bin/python benchmarks/python/compare_reconcile.py
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve()
M5 = HERE.parents[3] / "shared" / "data" / "m5" / "store_state_total_sales_d1_d1913.csv.gz"
QS_METHODS = ["bottom_up", "ols", "wls_struct", "wls_var", "mint_shrink"]


def status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak() -> None:
    """Resets the process's peak resident size (VmHWM) to the current one (Linux >= 4.0)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


PEAKS: list[float] = []  # peak resident-size rise of every timed call, in kB


def start_call() -> int:
    """Collects garbage, hands free heap pages back to the OS and resets the peak: the next
    call's peak is then its own, not memory the allocator kept from earlier calls."""
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    reset_peak()
    return status_kb("VmRSS")


def end_call(before: int) -> None:
    PEAKS.append(status_kb("VmHWM") - before)


def measured(call):
    """``(call(), seconds, peak MB)``: the call timed, its peak resident-size rise measured from
    a clean start (``start_call``)."""
    import time

    before = start_call()
    t0 = time.perf_counter()
    out = call()
    seconds = time.perf_counter() - t0
    return out, seconds, (status_kb("VmHWM") - before) / 1024


# -- data ------------------------------------------------------------------------------------------


def m5_case(h: int = 28) -> dict:
    import quickstock as qs

    wide = pd.read_csv(M5, parse_dates=["date"])
    stores = [c for c in wide.columns if c.startswith("(")]
    rows = []
    for c in stores:
        state, store = [s.strip(" '") for s in c.strip("()").split(",")]
        rows.append(pd.DataFrame({"state": state, "store": store, "ds": wide["date"], "y": wide[c].astype(float)}))
    bottom = pd.concat(rows, ignore_index=True)
    cut = bottom.ds.max() - pd.Timedelta(days=h)
    train, test = bottom[bottom.ds <= cut], bottom[bottom.ds > cut]
    spec = [["total"], ["total", "state"], ["total", "state", "store"]]
    Y, H = qs.aggregate(train.assign(total="Total"), spec)
    Yt, _ = qs.aggregate(test.assign(total="Total"), spec)
    fc = qs.Forecaster(models=[qs.AutoETS(season_length=7)], freq="D", n_jobs=1)
    base = fc.fit(Y[["unique_id", "ds", "y"]]).predict(h=h)
    cv = fc.cross_validation(Y[["unique_id", "ds", "y"]], h=h, n_windows=1, step_size=h)
    # hierarchicalforecast takes one in-sample value per (series, day): both get the same
    # residuals, those of the last 28-day cross-validation window.
    return dict(name="M5 store/state/total", bottom=train.assign(total="Total"), spec=spec,
                base=base, residuals=cv, actual=Yt[["unique_id", "ds", "y"]])


def sim_bottom(n_bottom: int, T: int = 28, h: int = 7, seed: int = 0) -> tuple:
    """The simulated bottom frames (train, test), spec, store means, dates and the generator."""
    rng = np.random.default_rng(seed)
    per_zone = max(1, n_bottom // 1000)
    n_zone = n_bottom // per_zone
    b = np.arange(n_bottom)
    zone = b // per_zone
    city = zone * 100 // n_zone
    region = city // 10
    attrs = pd.DataFrame({"total": "Total", "region": "R" + (region).astype(str), "city": "C" + city.astype(str),
                          "zone": "Z" + zone.astype(str), "store": "S" + b.astype(str)})
    lam = rng.gamma(2.0, 2.0, n_bottom)
    ds = pd.date_range("2024-01-01", periods=T + h, freq="D")
    y = rng.poisson(lam[:, None], (n_bottom, T + h)).astype(float)
    spec = [["total"], ["total", "region"], ["total", "region", "city"], ["total", "region", "city", "zone"],
            ["total", "region", "city", "zone", "store"]]
    long = attrs.loc[np.repeat(b, T + h)].reset_index(drop=True)
    long["ds"] = np.tile(ds, n_bottom)
    long["y"] = y.ravel()
    train = long[long.ds < ds[T]].reset_index(drop=True)
    test = long[long.ds >= ds[T]].reset_index(drop=True)
    return train, test, spec, lam, ds, rng


def sim_case(n_bottom: int, T: int = 28, h: int = 7, seed: int = 0) -> dict:
    train, test, spec, lam, ds, rng = sim_bottom(n_bottom, T, h, seed)
    import quickstock as qs

    Y, H = qs.aggregate(train, spec)
    Yt, _ = qs.aggregate(test, spec)
    # Base forecasts: the true mean of every node times an independent 15% error (incoherent);
    # in-sample "fitted" values are the true means, so residuals are the Poisson noise.
    S = H.S
    lam_all = S @ lam
    err = 1.0 + 0.15 * rng.standard_normal((len(H.ids), h))
    base = pd.DataFrame({"unique_id": np.repeat(H.ids, h), "ds": np.tile(ds[T:], len(H.ids)), "model": "Sim",
                         "mean": (lam_all[:, None] * err).ravel()})
    fitted = pd.Series(lam_all, index=H.ids)
    res = Y.assign(model="Sim", mean=fitted.loc[Y.unique_id].to_numpy())[["unique_id", "ds", "model", "y", "mean"]]
    return dict(name=f"simulated, {n_bottom:,} bottom series", bottom=train, spec=spec, base=base,
                residuals=res, actual=Yt[["unique_id", "ds", "y"]])


# -- workers ---------------------------------------------------------------------------------------


def run_qs(case: dict, method: str, repeats: int) -> tuple[list[float], pd.DataFrame]:
    import quickstock as qs

    H = case["qs_hierarchy"]  # built before the memory baseline (hierarchicalforecast's S too)
    base = case["base"][["unique_id", "ds", "model", "mean"]]
    times, out = [], None
    for i in range(repeats + 1):
        b0 = start_call()
        t0 = time.perf_counter()
        out = qs.reconcile(base, H, method=method, nonnegative=False, residuals=case["residuals"])
        if i:
            times.append(time.perf_counter() - t0)
            end_call(b0)
    return times, out[["unique_id", "ds", "mean"]]


def run_qs_quantiles(case: dict, repeats: int, n_jobs: int) -> tuple[list[float], pd.DataFrame]:
    """wls_struct means plus coherent p10/p50/p90 (sample paths) with n_jobs threads."""
    import quickstock as qs
    from scipy.stats import norm

    H = case["qs_hierarchy"]
    base = case["base"][["unique_id", "ds", "model", "mean"]]
    m = base["mean"].to_numpy()
    sd = np.sqrt(np.maximum(m, 1.0))  # Poisson-like spread around the base mean
    base = base.assign(**{f"p{q}": np.maximum(m + norm.ppf(q / 100) * sd, 0.0) for q in (10, 50, 90)})
    times, out = [], None
    for i in range(repeats + 1):
        b0 = start_call()
        t0 = time.perf_counter()
        out = qs.reconcile(base, H, method="wls_struct", nonnegative=True, residuals=case["residuals"],
                           n_samples=200, n_jobs=n_jobs)
        if i:
            times.append(time.perf_counter() - t0)
            end_call(b0)
    q = out[["p10", "p50", "p90"]].to_numpy()
    assert (q >= 0).all() and (np.diff(q, axis=1) >= 0).all()
    return times, out[["unique_id", "ds", "mean"]]


def run_qs_aggregate(case: dict, repeats: int) -> tuple[list[float], pd.DataFrame]:
    import quickstock as qs

    times = []
    for _ in range(repeats):  # no warm-up: nothing is compiled on first use
        b0 = start_call()
        t0 = time.perf_counter()
        qs.aggregate(case["bottom"], case["spec"])
        times.append(time.perf_counter() - t0)
        end_call(b0)
    return times, pd.DataFrame()


def run_hf_aggregate(case: dict, repeats: int) -> tuple[list[float], pd.DataFrame]:
    from hierarchicalforecast.utils import aggregate

    times = []
    for _ in range(repeats):  # no warm-up: nothing is compiled on first use
        b0 = start_call()
        t0 = time.perf_counter()
        aggregate(case["bottom"], case["spec"], sparse_s=True)
        times.append(time.perf_counter() - t0)
        end_call(b0)
    return times, pd.DataFrame()


def hf_structures(case: dict, dense_limit_gb: float = 2.0) -> None:
    """hierarchicalforecast's S and tags, computed once in the parent (its aggregate is timed
    separately): sparse always, dense only while the n × n_bottom frame fits the limit."""
    from hierarchicalforecast.utils import aggregate

    _, S_sparse, tags = aggregate(case["bottom"], case["spec"], sparse_s=True)
    case["hf_sparse"] = (S_sparse, tags)
    n_series = case["base"].unique_id.nunique()
    n_bottom = case["bottom"].groupby(case["spec"][-1]).ngroups
    if n_series * n_bottom * 8 / 2**30 <= dense_limit_gb:
        _, S_df, tags_d = aggregate(case["bottom"], case["spec"])
        case["hf_dense"] = (S_df, tags_d)
    else:
        case["hf_dense"] = f"dense S_df needs {n_series * n_bottom * 8 / 2**30:.0f} GB"


def run_hf(case: dict, method: str, repeats: int, sparse: bool) -> tuple[list[float], pd.DataFrame]:
    from hierarchicalforecast.core import HierarchicalReconciliation
    from hierarchicalforecast.methods import BottomUp, BottomUpSparse, MinTrace, MinTraceSparse

    structures = case["hf_sparse" if sparse else "hf_dense"]
    if isinstance(structures, str):
        raise MemoryError(structures)
    S_df, tags = structures
    model = case["base"]["model"].iloc[0]
    y_hat = case["base"][["unique_id", "ds", "mean"]].rename(columns={"mean": model})
    res = case["residuals"]
    if "cutoff" in res.columns:  # hierarchicalforecast takes one in-sample value per (id, ds)
        res = res[res.cutoff == res.cutoff.max()]
    Y_df = res[["unique_id", "ds", "y", "mean"]].rename(columns={"mean": model})
    rec = {"bottom_up": BottomUpSparse() if sparse else BottomUp()}.get(method)
    if rec is None:
        rec = MinTraceSparse(method=method) if sparse else MinTrace(method=method)
    hrec = HierarchicalReconciliation(reconcilers=[rec])
    times, out = [], None
    for i in range(repeats + 1):
        b0 = start_call()
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = hrec.reconcile(Y_hat_df=y_hat, Y_df=Y_df, S_df=S_df, tags=tags)
        if i:
            times.append(time.perf_counter() - t0)
            end_call(b0)
    col = [c for c in out.columns if c.startswith(model + "/")][0]
    return times, out[["unique_id", "ds", col]].rename(columns={col: "mean"})


def worker(args: argparse.Namespace) -> None:
    with open(args.case_file, "rb") as f:
        case = pickle.load(f)
    if args.mem_gb:
        cap = int(args.mem_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    if args.lib == "qs":
        import quickstock  # noqa: F401  (imports before the baseline)
    else:
        import hierarchicalforecast.core  # noqa: F401
    import gc

    if args.lib == "qs" and args.method != "aggregate":
        import quickstock as qs

        case["qs_hierarchy"] = qs.aggregate(case["bottom"], case["spec"])[1]
    gc.collect()
    try:  # hand freed heap pages back to the OS so the baseline is live memory only
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    reset_peak()  # the peak of loading the case is not the call's
    before = status_kb("VmRSS")
    try:
        if args.method == "aggregate":
            fn = run_qs_aggregate if args.lib == "qs" else run_hf_aggregate
            times, out = fn(case, args.repeats)
        elif args.lib == "qs" and args.method.startswith("quantiles"):
            times, out = run_qs_quantiles(case, args.repeats, int(args.method.split(":")[1]))
        elif args.lib == "qs":
            times, out = run_qs(case, args.method, args.repeats)
        else:
            times, out = run_hf(case, args.method, args.repeats, args.lib == "hf_sparse")
    except MemoryError as e:
        print(json.dumps({"error": f"MemoryError ({str(e)[:60] or f'address space capped at {args.mem_gb} GB'})"}))
        return
    except Exception as e:  # reported, not hidden
        print(json.dumps({"error": f"{type(e).__name__}: {str(e)[:120]}"}))
        return
    peak = float(np.median(PEAKS)) if PEAKS else status_kb("VmHWM") - before
    rmse = None
    if len(out) and args.method.startswith("quantiles"):
        out = pd.DataFrame()  # timing only
    if len(out):
        m = out.merge(case["actual"], on=["unique_id", "ds"])
        rmse = float(np.sqrt(np.mean((m["mean"] - m["y"]) ** 2)))
        m2 = out.merge(case["base"][["unique_id", "ds", "mean"]], on=["unique_id", "ds"], suffixes=("", "_b"))
        assert len(m) == len(out) == len(m2)
    print(json.dumps({"time": float(np.median(times)), "peak_mb": max(peak, 0) / 1024, "rmse": rmse}))


def measure(case_file: str, lib: str, method: str, repeats: int, mem_gb: float) -> dict:
    cmd = [sys.executable, str(HERE), "--worker", "--case-file", case_file, "--lib", lib, "--method", method,
           "--repeats", str(repeats), "--mem-gb", str(mem_gb if lib != "qs" else 0)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    try:
        return json.loads(r.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": (r.stderr.strip().splitlines() or ["no output"])[-1][:120]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--case-file")
    ap.add_argument("--lib")
    ap.add_argument("--method")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--mem-gb", type=float, default=8.0)
    ap.add_argument("--cases", default="m5,5000,100000")
    ap.add_argument("--libs", default="qs,hf,hf_sparse", help="subset to run (others print '-')")
    ap.add_argument("--quantile-jobs", default="", help="e.g. 1,2: also time coherent quantiles")
    args = ap.parse_args()
    if args.worker:
        worker(args)
        return 0
    tmp = tempfile.mkdtemp(prefix="qs-reconcile-bench-")
    for name in args.cases.split(","):
        if name == "m5":
            if not M5.exists():
                print(f"M5 data not found at {M5}; skipping")
                continue
            case = m5_case()
        else:
            case = sim_case(int(name))
        if args.libs != "qs":
            hf_structures(case)
        path = os.path.join(tmp, f"{name}.pkl")
        with open(path, "wb") as f:
            pickle.dump(case, f)
        n_series = case["base"].unique_id.nunique()
        print(f"\n## {case['name']} ({n_series:,} series, horizon {case['base'].ds.nunique()})\n")
        print("| method | quickstock s | hf s | hf (sparse) s | time ratio | qs MB | hf MB | memory ratio | qs RMSE | hf RMSE |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        reps = args.repeats
        for method in ["aggregate"] + QS_METHODS:
            libs = args.libs.split(",")
            q = measure(path, "qs", method, reps, 0) if "qs" in libs else {"error": "-"}
            d = measure(path, "hf", method, reps, args.mem_gb) if method != "aggregate" and "hf" in libs else {"error": "-"}
            s = (measure(path, "hf_sparse", method, reps, args.mem_gb) if "hf_sparse" in libs else {"error": "-"})
            s = (s
                 if method in ("aggregate", "bottom_up", "ols", "wls_struct", "wls_var") else {"error": "n/a"})
            best = min([r for r in (d, s) if "time" in r], key=lambda r: r["time"], default=None)

            def fmt(r, key, spec="{:.4g}"):
                return spec.format(r[key]) if key in r and r[key] is not None else r.get("error", "-")

            ratio = f"{best['time'] / q['time']:.1f}x" if best and "time" in q else "-"
            mem = f"{best['peak_mb'] / max(q['peak_mb'], 0.1):.1f}x" if best and "peak_mb" in q else "-"
            print(f"| {method} | {fmt(q, 'time')} | {fmt(d, 'time')} | {fmt(s, 'time')} | {ratio} | "
                  f"{fmt(q, 'peak_mb', '{:.1f}')} | {fmt(best or {}, 'peak_mb', '{:.1f}')} | {mem} | "
                  f"{fmt(q, 'rmse', '{:.6g}')} | {fmt(best or {}, 'rmse', '{:.6g}')} |", flush=True)
        if args.quantile_jobs and "qs" in args.libs.split(","):
            print(f"\ncoherent p10/p50/p90 (wls_struct, n_samples=200), quickstock only:\n")
            print("| n_jobs | seconds | peak MB |\n|---|---|---|")
            for j in args.quantile_jobs.split(","):
                r = measure(path, "qs", f"quantiles:{j}", reps, 0)
                print(f"| {j} | {r.get('time', r.get('error'))} | {r.get('peak_mb', '-')} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
