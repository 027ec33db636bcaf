"""Peak memory of one qs.aggregate or qs.reconcile call (first call included) on the
compare_reconcile.py cases: the case is built, the heap trimmed, VmHWM reset, then one call.

    PYTHONPATH=build/python /work/venv-sf/bin/python benchmarks/python/reconcile_memory.py \\
        --case 100000 --step ols

Steps: aggregate, bottom_up, ols, wls_struct, wls_var, mint_shrink. Run it on an older commit's
build to compare builds (the figures in benchmarks/README.md compare 94debb0 with this pass).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import compare_reconcile as cr  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="100000", help="m5 or a number of bottom series")
    ap.add_argument("--step", default="ols")
    args = ap.parse_args()
    import quickstock as qs

    case = cr.m5_case() if args.case == "m5" else cr.sim_case(int(args.case))
    H = qs.aggregate(case["bottom"], case["spec"])[1]
    base = case["base"][["unique_id", "ds", "model", "mean"]]

    def call():
        if args.step == "aggregate":
            return qs.aggregate(case["bottom"], case["spec"])
        return qs.reconcile(base, H, method=args.step, nonnegative=False, residuals=case["residuals"])

    out, seconds, peak = cr.measured(call)
    del out
    print(f"case={args.case} step={args.step} seconds={seconds:.3f} peak_mb={peak:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
