"""Reference values for quickstock's metrics on real competition data, computed independently.

Produced with Python 3, numpy and pandas only (quickstock is NOT imported: every formula is
written out here again, from the M4 and M5 competitor's guides), by

    python3 tests/reference/metrics/make_metrics.py      (run from the repository root)

from the files in ../shared/data (see their README.md for sources and checksums). It writes,
beside this script:

m4_hourly_benchmarks.csv  id, method, smape, mase, msis95, coverage95
    For the 414 M4 Hourly series and the official point forecasts of the benchmarks Naive,
    sNaive, Naive2 and SES (benchmark_point_forecasts_HDW.csv.gz, horizon 48) against
    Hourly-test, with m = 24:
      smape = mean_h 200 |y - f| / (|y| + |f|)
      mase  = mean_h |y - f| / scale,   scale = mean_{t > 24} |x_t - x_{t-24}|  (Hourly-train x)
    For Naive only, the 95% interval of R's forecast::naive (the M4 interval benchmark):
      f ± qnorm(0.975) sigma sqrt(h),   sigma^2 = mean_t (x_t - x_{t-1})^2
      msis95 = mean_h [(u - l) + 40 (l - y) 1{y < l} + 40 (y - u) 1{y > u}] / scale
      coverage95 = mean_h 1{l <= y <= u}
    Averaged over the 414 series these give the published Hourly values of
    results/point_forecasts_by_frequency.csv (sMAPE, MASE) and
    results/prediction_intervals_by_frequency.csv (Naive MSIS 71.245, ACD 0.011).

m5_rank10_levels1to9.csv  level, series, weight, scale, rmsse
    The rank-10 M5 Accuracy submission (DenisKokosinskiy_STU, bottom level, d_1942..d_1969)
    summed to the 154 series of levels 1-9 (total; state; store; category; department;
    state x category; state x department; store x category; store x department), scored against
    levels1to9_test_truth_d1942_d1969.csv:
      rmsse = sqrt(mean_h (y - f)^2) / scale,  scale = levels1to9_rmsse_scale.csv
              (sqrt(mean (x_t - x_{t-1})^2) over d_1..d_1941, as published by the source)
      weight = weights_evaluation.csv.gz (Level1..Level9; key Agg_Level_1[_Agg_Level_2])
    Per level, sum(weight * rmsse) is that level's WRMSSE; the published values for this team
    are in results/accuracy_top50_al.csv (WRMSSE_L1 = 0.294043). Levels 10-12 need bottom-level
    history (d_1..d_1941 for all 30,490 series), which ../shared/data does not hold.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
DATA = Path(os.environ.get("QUICKSTOCK_SHARED_DATA", ROOT.parent / "shared" / "data"))
Z975 = 1.959963984540054  # qnorm(0.975)


def m4_hourly() -> pd.DataFrame:
    d = DATA / "m4"
    train = pd.read_csv(d / "Hourly-train.csv.gz")
    test = pd.read_csv(d / "Hourly-test.csv.gz").set_index("V1")
    bench = pd.read_csv(d / "benchmark_point_forecasts_HDW.csv.gz")
    bench = bench[bench["id"].str.startswith("H")]
    ids = train["V1"].to_numpy()
    history = {}
    for row in train.itertuples(index=False):
        x = np.asarray(row[1:], dtype=float)
        history[row[0]] = x[~np.isnan(x)]
    y = test.loc[ids].to_numpy(dtype=float)
    scale = np.array([np.mean(np.abs(history[i][24:] - history[i][:-24])) for i in ids])
    fcols = [f"F{j}" for j in range(1, 49)]
    out = []
    for method in ["Naive", "sNaive", "Naive2", "SES"]:
        f = (
            bench[bench["method"] == method]
            .set_index("id")
            .loc[ids, fcols]
            .to_numpy(dtype=float)
        )
        smape = np.mean(200.0 * np.abs(y - f) / (np.abs(y) + np.abs(f)), axis=1)
        mase = np.mean(np.abs(y - f), axis=1) / scale
        msis = np.full(len(ids), np.nan)
        cover = np.full(len(ids), np.nan)
        if method == "Naive":
            h = np.arange(1, 49)
            for k, i in enumerate(ids):
                x = history[i]
                sigma = np.sqrt(np.mean(np.diff(x) ** 2))
                lo = f[k] - Z975 * sigma * np.sqrt(h)
                hi = f[k] + Z975 * sigma * np.sqrt(h)
                yk = y[k]
                score = (
                    (hi - lo)
                    + 40.0 * (lo - yk) * (yk < lo)
                    + 40.0 * (yk - hi) * (yk > hi)
                )
                msis[k] = np.mean(score) / scale[k]
                cover[k] = np.mean((lo <= yk) & (yk <= hi))
        out.append(
            pd.DataFrame(
                {
                    "id": ids,
                    "method": method,
                    "smape": smape,
                    "mase": mase,
                    "msis95": msis,
                    "coverage95": cover,
                }
            )
        )
    return pd.concat(out, ignore_index=True)


LEVEL_KEYS = {
    1: lambda p: pd.Series("Total", index=p.index),
    2: lambda p: p.state,
    3: lambda p: p.store,
    4: lambda p: p.cat,
    5: lambda p: p.dept,
    6: lambda p: p.state + "_" + p.cat,
    7: lambda p: p.state + "_" + p.dept,
    8: lambda p: p.store + "_" + p.cat,
    9: lambda p: p.store + "_" + p.dept,
}


def m5_rank10() -> pd.DataFrame:
    d = DATA / "m5"
    sub = pd.read_csv(d / "submission_rank10_DenisKokosinskiy_STU_evaluation.csv.gz")
    parts = sub["id"].str.split(
        "_", expand=True
    )  # CAT_DEPT_ITEM_STATE_STORE_evaluation
    keys = pd.DataFrame(
        {
            "cat": parts[0],
            "dept": parts[0] + "_" + parts[1],
            "state": parts[3],
            "store": parts[3] + "_" + parts[4],
        }
    )
    fcols = [f"F{j}" for j in range(1, 29)]
    truth = pd.read_csv(d / "levels1to9_test_truth_d1942_d1969.csv")
    scales = pd.read_csv(d / "levels1to9_rmsse_scale.csv")
    weights = pd.read_csv(d / "weights_evaluation.csv.gz")
    weights["series"] = np.where(
        weights["Agg_Level_2"] == "X",
        weights["Agg_Level_1"],
        weights["Agg_Level_1"] + "_" + weights["Agg_Level_2"],
    )
    out = []
    for level, key in LEVEL_KEYS.items():
        f = sub[fcols].groupby(key(keys).to_numpy()).sum()
        t = truth[truth["level"] == level].set_index("series")
        y = t[[f"d_{1941 + j}" for j in range(1, 29)]].to_numpy(dtype=float)
        fc = f.loc[t.index].to_numpy(dtype=float)
        s = (
            scales[scales["level"] == level]
            .set_index("series")
            .loc[t.index, "scale_rms_naive1"]
        )
        w = (
            weights[weights["Level_id"] == f"Level{level}"]
            .set_index("series")
            .loc[t.index, "weight"]
        )
        rmsse = np.sqrt(np.mean((y - fc) ** 2, axis=1)) / s.to_numpy()
        out.append(
            pd.DataFrame(
                {
                    "level": level,
                    "series": t.index,
                    "weight": w.to_numpy(),
                    "scale": s.to_numpy(),
                    "rmsse": rmsse,
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def main() -> int:
    if not DATA.exists():
        print(f"shared data not found: {DATA}", file=sys.stderr)
        return 1
    m4 = m4_hourly()
    m4.to_csv(HERE / "m4_hourly_benchmarks.csv", index=False, float_format="%.15g")
    m5 = m5_rank10()
    m5.to_csv(HERE / "m5_rank10_levels1to9.csv", index=False, float_format="%.15g")
    print(
        m4.groupby("method", sort=False)[
            ["smape", "mase", "msis95", "coverage95"]
        ].mean()
    )
    print((m5.weight * m5.rmsse).groupby(m5.level).sum())
    return 0


if __name__ == "__main__":
    sys.exit(main())
