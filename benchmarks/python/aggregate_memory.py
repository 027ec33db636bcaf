"""qs.aggregate vs hierarchicalforecast's aggregate: wall time and peak memory of one call.

Every call runs in a fresh subprocess: the simulated bottom frame is built (compare_reconcile.py's
store hierarchy, Total -> 10 regions -> 100 cities -> 1,000 zones -> stores, 28 days), the
library imported, gc and malloc_trim run, the peak resident size (VmHWM) reset, then one
aggregate call (first call included, its output kept until the peak is read). Figures are
medians over --repeats subprocesses; the ratio is hierarchicalforecast / quickstock.

    PYTHONPATH=build/python /work/venv-sf/bin/python benchmarks/python/aggregate_memory.py \\
        --stores 100000 --repeats 3

quickstock runs with the defaults (categorical=True, attributes=True: the frame also holds the five
spec columns); --bare passes attributes=False, the frame hierarchicalforecast returns
(unique_id, ds, y); --plain passes categorical=False. hierarchicalforecast runs
aggregate(df, spec, sparse_s=True) (its dense S_df at 100,000 stores is 75 GB).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parent))

import compare_reconcile as cr  # noqa: E402


def worker(lib: str, stores: int, plain: bool, bare: bool) -> None:
    train, _, spec, *_ = cr.sim_bottom(stores)
    if lib == "qs":
        import quickstock as qs

        def call():
            return qs.aggregate(train, spec, categorical=not plain, attributes=not bare)
    else:
        import warnings

        from hierarchicalforecast.utils import aggregate

        def call():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return aggregate(train, spec, sparse_s=True)
    out, seconds, peak = cr.measured(call)
    frame = out[0]
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "rows": len(frame),
                      "frame_mb": float(frame.memory_usage(deep=True).sum()) / 2**20}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stores", type=int, default=100000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--libs", default="qs,hf")
    ap.add_argument("--plain", action="store_true", help="quickstock with categorical=False")
    ap.add_argument("--bare", action="store_true", help="quickstock with attributes=False")
    ap.add_argument("--worker", default="")
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.stores, args.plain, args.bare)
        return 0
    results = {}
    for lib in args.libs.split(","):
        runs = []
        for _ in range(args.repeats):
            cmd = [sys.executable, str(HERE), "--worker", lib, "--stores", str(args.stores)]
            cmd += (["--plain"] if args.plain else []) + (["--bare"] if args.bare else [])
            r = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
            if r.returncode != 0:
                print(r.stderr[-2000:])
                return 1
            runs.append(json.loads(r.stdout.strip().splitlines()[-1]))
            print(lib, runs[-1], f"load {os.getloadavg()[0]:.1f}", flush=True)
        med = {k: sorted(x[k] for x in runs)[len(runs) // 2] for k in ("seconds", "peak_mb", "frame_mb")}
        med["rows"] = runs[0]["rows"]
        results[lib] = med
    print("\n| library | rows | seconds (median) | peak MB (median) | output frame MB |\n|---|---|---|---|---|")
    for lib, m in results.items():
        print(f"| {lib} | {m['rows']:,} | {m['seconds']:.3f} | {m['peak_mb']:.1f} | {m['frame_mb']:.1f} |")
    if "qs" in results and "hf" in results:
        q, h = results["qs"], results["hf"]
        print(f"\nhierarchicalforecast / quickstock: time {h['seconds'] / q['seconds']:.1f}x, "
              f"peak memory {h['peak_mb'] / q['peak_mb']:.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
