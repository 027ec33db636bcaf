"""Reference reconciliations from hierarchicalforecast 1.5.3 (Nixtla), for tests/python/test_reconcile.py.

Run with the environment that has hierarchicalforecast (it needs pandas < 3; CI does not install it):

    /work/venv-sf/bin/python tests/reference/hierarchical/make_reference.py

Writes, next to this script:
  bottom.csv      the bottom series (country, state, region, ds, y): the input of both aggregates
  hierarchy.csv   hierarchicalforecast.utils.aggregate's ids and level of every series
  base.csv        base forecasts (unique_id, ds, model, mean) of every series, two models:
                  "Model" (positive) and "Neg" (some negative bottom forecasts)
  insample.csv    in-sample fitted values (unique_id, ds, model, y, mean): lag-1 naive
  reconciled.csv  unique_id, ds, model, method, value for every method below

Calls: HierarchicalReconciliation([r]).reconcile(Y_hat_df=base, Y_df=insample, S_df=S_df, tags=tags)
one reconciler r at a time: BottomUp(); TopDown(m) for m in forecast_proportions,
average_proportions, proportion_averages; MiddleOut("country/state", m) for the same m;
MinTrace(m) and MinTrace(m, nonnegative=True) for m in ols, wls_struct, wls_var, mint_shrink.
The data are synthetic (numpy default_rng(20240601)): one country, three states (one with a single
region), seven regions, 40 months, horizon 4.
"""
from __future__ import annotations

from pathlib import Path

import hierarchicalforecast
import numpy as np
import pandas as pd
from hierarchicalforecast.core import HierarchicalReconciliation
from hierarchicalforecast.methods import BottomUp, MiddleOut, MinTrace, TopDown
from hierarchicalforecast.utils import aggregate

HERE = Path(__file__).resolve().parent
rng = np.random.default_rng(20240601)

regions = [("AU", "NSW", "Sydney"), ("AU", "NSW", "Hunter"), ("AU", "NSW", "Riverina"),
           ("AU", "VIC", "Melbourne"), ("AU", "VIC", "Geelong"), ("AU", "VIC", "Ballarat"),
           ("AU", "TAS", "Hobart")]
T, H = 40, 4
ds = pd.date_range("2020-01-01", periods=T, freq="MS")
rows = []
for i, (c, s, r) in enumerate(regions):
    level = 20 + 15 * i
    season = 5 * np.sin(2 * np.pi * np.arange(T) / 12 + i)
    y = np.maximum(0, level + season + rng.normal(0, 4 + i, T)).round(2)
    rows.append(pd.DataFrame({"country": c, "state": s, "region": r, "ds": ds, "y": y}))
bottom = pd.concat(rows, ignore_index=True)
spec = [["country"], ["country", "state"], ["country", "state", "region"]]
Y_df, S_df, tags = aggregate(bottom, spec)
Y_df = Y_df.sort_values(["unique_id", "ds"]).reset_index(drop=True)

# In-sample fitted values: lag-1 naive (the first month fitted by itself).
fitted = Y_df.groupby("unique_id")["y"].shift(1).fillna(Y_df["y"])
ins = Y_df.assign(Model=fitted.to_numpy(), Neg=(fitted * 0.95).to_numpy())

# Base forecasts: mean of the last 8 months times an incoherence factor; "Neg" pushes two
# regions below zero.
future = pd.date_range(ds[-1] + pd.offsets.MonthBegin(), periods=H, freq="MS")
last = Y_df.groupby("unique_id")["y"].apply(lambda v: v.iloc[-8:].mean())
base_rows = []
for uid, m in last.items():
    f = m * rng.uniform(0.85, 1.15, H)
    neg = f * rng.uniform(0.9, 1.1, H)
    if uid.endswith("Hunter") or uid.endswith("Ballarat"):
        neg = -np.abs(neg) * 0.3
    base_rows.append(pd.DataFrame({"unique_id": uid, "ds": future, "Model": f, "Neg": neg}))
Y_hat = pd.concat(base_rows, ignore_index=True)

reconcilers = [("bottom_up", {}, BottomUp())]
for m in ("forecast_proportions", "average_proportions", "proportion_averages"):
    reconcilers.append((f"top_down:{m}", {}, TopDown(method=m)))
    reconcilers.append((f"middle_out:{m}", {}, MiddleOut(middle_level="country/state", top_down_method=m)))
for m in ("ols", "wls_struct", "wls_var", "mint_shrink"):
    reconcilers.append((m, {}, MinTrace(method=m)))
    reconcilers.append((f"{m}:nonnegative", {}, MinTrace(method=m, nonnegative=True)))

out = []
for label, _, rec in reconcilers:
    hrec = HierarchicalReconciliation(reconcilers=[rec])
    res = hrec.reconcile(Y_hat_df=Y_hat, Y_df=ins, S_df=S_df, tags=tags)
    for model in ("Model", "Neg"):
        cols = [c for c in res.columns if c.startswith(model + "/")]
        assert len(cols) == 1, (label, cols)
        out.append(pd.DataFrame({"unique_id": res["unique_id"], "ds": res["ds"], "model": model,
                                 "method": label, "value": res[cols[0]].to_numpy()}))
reconciled = pd.concat(out, ignore_index=True)

level_of = {uid: name for name, ids in tags.items() for uid in ids}
pd.DataFrame({"unique_id": list(S_df["unique_id"]),
              "level": [level_of[u] for u in S_df["unique_id"]]}).to_csv(HERE / "hierarchy.csv", index=False)
bottom.to_csv(HERE / "bottom.csv", index=False)
Y_hat.melt(id_vars=["unique_id", "ds"], var_name="model", value_name="mean").to_csv(
    HERE / "base.csv", index=False, float_format="%.17g")
ins.melt(id_vars=["unique_id", "ds", "y"], var_name="model", value_name="mean").to_csv(
    HERE / "insample.csv", index=False, float_format="%.17g")
reconciled.to_csv(HERE / "reconciled.csv", index=False, float_format="%.17g")
print(f"hierarchicalforecast {hierarchicalforecast.__version__}, pandas {pd.__version__}: "
      f"{len(reconciled)} reconciled values written to {HERE}")
