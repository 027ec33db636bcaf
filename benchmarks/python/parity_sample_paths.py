"""Per-step agreement of native sample paths with each model's analytic quantiles.

For each model, fitted to a seasonal positive series and an ARIMA(1,1,1) series, prints the
largest |P̂(path_j <= q_τ) − τ| over steps j = 1..8 and levels τ in {0.05, 0.25, 0.5, 0.75,
0.95} with ``--paths`` paths, and that maximum in binomial standard errors (a quantile censored at
0 counts only when P̂ < τ). Gaussian linear models should sit at Monte Carlo noise (z of 2–3
over ~80 comparisons); ETS with multiplicative error is compared with R's Normal approximation.

    PYTHONPATH=build/python python3 benchmarks/python/parity_sample_paths.py --paths 20000
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

import quickstock as qs

LEVELS = [0.05, 0.25, 0.5, 0.75, 0.95]


def frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    t = np.arange(96)
    seasonal = (200 + 1.5 * t) * np.array([0.8, 1.1, 1.3, 0.8])[t % 4] * (1 + 0.03 * rng.standard_normal(96))
    w = np.zeros(300)
    e = 2.0 * rng.standard_normal(300)
    for i in range(1, 300):
        w[i] = 0.6 * w[i - 1] + e[i] + 0.3 * e[i - 1]
    parts = []
    for uid, y in {"season": seasonal, "arima": 300 + np.cumsum(w)}.items():
        ds = pd.date_range("2024-01-01", periods=len(y), freq="D")
        parts.append(pd.DataFrame({"unique_id": uid, "ds": ds, "y": y}))
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=20000)
    args = ap.parse_args()
    n, h = args.paths, 8
    df = frame()
    models = [
        qs.ETS(model="ANN"),
        qs.ETS(model="AAN", damped=True),
        qs.ETS(model="MNN"),
        qs.ETS(model="MAM", season_length=4),
        qs.AutoETS(season_length=4),
        qs.ARIMA((1, 1, 1)),
        qs.AutoARIMA(),
        qs.Naive(),
        qs.SeasonalNaive(4),
        qs.RandomWalkWithDrift(),
        qs.HistoricAverage(),
        qs.WindowAverage(7),
        qs.Theta(season_length=4),
        qs.OptimizedTheta(),
        qs.DynamicOptimizedTheta(),
        qs.MSTL(season_length=[4]),
    ]
    print(f"{n} paths, h = {h}, levels {LEVELS}; se(0.5) = {np.sqrt(0.25 / n):.4f}")
    print(f"{'model':<58} {'max |P-tau|':>11} {'max z':>6}")
    for k, m in enumerate(models):
        fc = qs.Forecaster([m], freq="D").fit(df)
        pred = fc.predict(h, quantiles=LEVELS)
        paths = fc.sample_paths(h, n_paths=n, seed=1 + k)  # independent noise per model
        worst = worst_z = 0.0
        for uid, sims in paths.groupby("unique_id", sort=False):
            v = sims[m.alias].to_numpy().reshape(n, h)
            p = pred[pred.unique_id == uid]
            for tau in LEVELS:
                q = p[f"p{round(tau * 100)}"].to_numpy()
                hit = (v <= q[None, :]).mean(axis=0)
                err = np.where(q <= 0, np.maximum(tau - hit, 0.0), np.abs(hit - tau))
                worst = max(worst, float(err.max()))
                worst_z = max(worst_z, float(err.max() / np.sqrt(tau * (1 - tau) / n)))
        print(f"{repr(m)[:58]:<58} {worst:>11.4f} {worst_z:>6.2f}")


if __name__ == "__main__":
    main()
