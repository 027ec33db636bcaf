"""Fingerprint of AutoETS / ETSX / Theta results on M4 Hourly, to compare two builds bit for bit.

Prints the last forecast step of every series with 17 digits and a SHA-1 of all forecasts
(mean, P10, P90, 48 steps) per model family; the AutoETS CPU time goes to stderr. Run with each
build and diff the outputs:

    PYTHONPATH=build/python python3 benchmarks/python/ets_fingerprint.py 8 > new.txt
    PYTHONPATH=<other build>/python python3 benchmarks/python/ets_fingerprint.py 8 > old.txt

Arguments: STRIDE (every STRIDE-th of the 414 series, default 8) and WHAT (all, ets, theta,
etsx; default all).
"""

import hashlib
import resource
import sys
from pathlib import Path
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from m4_hourly import load  # noqa: E402

import quickstock as qs  # noqa: E402

stride = int(sys.argv[1]) if len(sys.argv) > 1 else 8
what = sys.argv[2] if len(sys.argv) > 2 else "all"
df, _ = load(Path(__file__).resolve().parents[3] / "shared" / "data" / "m4", indices=list(range(0, 414, stride)))
out = []


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime



if what in ("all", "ets"):
    c = cpu()
    fc = qs.Forecaster([qs.AutoETS(season_length=24)], freq="h").fit(df)
    p = fc.predict(h=48, quantiles=[0.1, 0.9])
    print(f"# AutoETS cpu {cpu()-c:.3f}", file=sys.stderr)
    for r in p.groupby("unique_id").tail(1).itertuples():
        out.append(f"ets {r.unique_id} {r.mean:.17g} {r.p10:.17g} {r.p90:.17g}")
    out.append("etsall " + hashlib.sha1(p[["mean", "p10", "p90"]].to_numpy().tobytes()).hexdigest())
if what in ("all", "theta"):
    c = cpu()
    fc = qs.Forecaster([qs.AutoTheta(season_length=24), qs.Theta(season_length=24)], freq="h").fit(df)
    p = fc.predict(h=48, quantiles=[0.1, 0.9])
    print(f"# AutoTheta cpu {cpu()-c:.3f}", file=sys.stderr)
    out.append("thetaall " + hashlib.sha1(p[["mean", "p10", "p90"]].to_numpy().tobytes()).hexdigest())
if what in ("all", "etsx"):
    rng = np.random.default_rng(0)
    d = df.copy()
    d["x1"] = rng.normal(size=len(d))
    d["x2"] = (rng.random(len(d)) < 0.2).astype(float)
    small = d[d.unique_id.isin(d.unique_id.unique()[:12])].groupby("unique_id").tail(300)
    c = cpu()
    fc = qs.Forecaster([qs.AutoETS(season_length=24, covariates=True)], freq="h").fit(small)
    last = small.groupby("unique_id").ds.max()
    X = pd.concat([pd.DataFrame({"unique_id": u, "ds": pd.date_range(t + pd.Timedelta(hours=1), periods=48, freq="h"),
                                 "x1": 0.5, "x2": 1.0}) for u, t in last.items()])
    p = fc.predict(h=48, quantiles=[0.1, 0.9], X_df=X)
    print(f"# ETSX cpu {cpu()-c:.3f}", file=sys.stderr)
    out.append("etsxall " + hashlib.sha1(p[["mean", "p10", "p90"]].to_numpy().tobytes()).hexdigest())
    for r in p.groupby("unique_id").tail(1).itertuples():
        out.append(f"etsx {r.unique_id} {r.mean:.17g} {r.p10:.17g} {r.p90:.17g}")
print("\n".join(out))
