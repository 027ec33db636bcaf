"""From forecasts to decisions on the bundled Hyderabad sample: what-if, explanations, orders,
alerts. The output of this script is reproduced in docs/decisions.md.

    PYTHONPATH=build/python python3 examples/decisions_on_the_sample.py
"""

import pandas as pd

import quickstock as qs

pd.set_option("display.width", 120)
df = qs.datasets.load_hyderabad()  # synthetic, clearly labelled sample: 119 store x SKU series
h = 7
cut = df.ds.max() - pd.Timedelta(days=h)
cols = ["unique_id", "ds", "y", "city", "zone", "pincode", "store_id", "category", "sku",
        "rain_mm", "price", "promo", "stockout"]
train = df[df.ds <= cut][cols]
future = df[df.ds > cut][cols].drop(columns="y")  # next week's known rain, price and promotions
actuals = df[df.ds > cut][["unique_id", "ds", "y"]]

# Counts with covariates; stockout days enter as censored demand (demand >= sales).
fc = qs.Forecaster([qs.CountRegression(family="negbin")], freq="D", stockout_col="stockout").fit(train)
fcst = fc.predict(h=h, quantiles=[0.1, 0.5, 0.9], X_df=future.drop(columns="stockout"))
print("== forecast (first rows)")
print(fcst[["unique_id", "ds", "mean", "p10", "p50", "p90"]].head(3).to_string(index=False))

# What if 20 mm of rain fall in pincode 500032 next Saturday (December: it is dry)?
saturday = future.ds[future.ds.dt.day_of_week == 5].min()
w = qs.what_if(fc, future.drop(columns="stockout"),
               changes=[qs.Change("rain_mm", "add", 20.0, where={"pincode": "500032"},
                                  start=saturday, end=saturday)],
               quantiles=[0.5])
hit = w[(w.ds == saturday) & (w.mean_delta != 0)]
print(f"\n== what-if: +20 mm rain in 500032 on {saturday.date()}: {len(hit)} series change that day, "
      f"{(w.mean_delta != 0).sum() - len(hit)} rows elsewhere change")
print(hit.sort_values("mean_delta")[["unique_id", "mean_baseline", "mean", "mean_delta"]]
      .head(3).to_string(index=False))

# Why? The exact additive split of the forecast mean.
e = qs.explain(fc, future.drop(columns="stockout"))
uid = hit.sort_values("mean_delta").unique_id.iloc[0]
print(f"\n== explain {uid}")
print(e[e.unique_id == uid].groupby("component").contribution.sum().round(3).to_string())
print(qs.explain_text(e, uid))

# Orders for perishables: newsvendor over lead time 1, shelf life 2, 1 unit on hand, whole units.
r = qs.inventory.recommend(fcst, price=df.groupby("unique_id").price.last(), cost=0.6 * df.groupby("unique_id").price.last(),
                           salvage=0.0, shelf_life=2, lead_time=1, review_period=1, on_hand=1,
                           order_multiple=1)
print("\n== orders (first rows)")
print(r.head(3).to_string(index=False))

# Alerts: last week's actuals against the forecast.
a = qs.anomalies(actuals, fcst)
print(f"\n== alerts: {len(a)}")
print(a.head(3).to_string(index=False))
