"""qs.explain vs Forecaster.predict on 300 synthetic daily series (AutoETS(7), h = 14): median
wall time of 5 runs each and the ratio. Run: PYTHONPATH=build/python python3 benchmarks/python/explain_speed.py"""

import time

import numpy as np
import pandas as pd

import quickstock as qs

rng = np.random.default_rng(0)
n, T = 300, 200
t = np.arange(T)
frames = [pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range("2024-01-01", periods=T, freq="D"),
                        "y": np.maximum(0, 20 + 5*np.sin(2*np.pi*t/7) + rng.normal(0, 2, T))}) for i in range(n)]
df = pd.concat(frames, ignore_index=True)
fc = qs.Forecaster([qs.AutoETS(season_length=7)], freq="D", n_jobs=1).fit(df)
def med(f, k=5):
    ts = []
    for _ in range(k):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter() - t0)
    return float(np.median(ts))
p = med(lambda: fc.predict(h=14, quantiles=[0.5]))
e = med(lambda: qs.explain(fc, h=14))
print(f"series={n} h=14 AutoETS(7): predict median {p*1e3:.1f} ms, explain median {e*1e3:.1f} ms, ratio {e/p:.2f}")
