"""Largest differences between quickstock and R (stats::stl, forecast::mstl, forecast.mstl) on the
stored references of tests/reference/r_forecast/make_mstl.R; prints one line per case. Run from the
repository root:

    PYTHONPATH=build/python python3 benchmarks/python/parity_mstl.py
"""

import numpy as np, pandas as pd, quickstock as qs
R="tests/reference/r_forecast/"
S=pd.read_csv(R+"mstl_series.csv"); C=pd.read_csv(R+"mstl_cases.csv",keep_default_na=False,dtype={"periods":str}); P=pd.read_csv(R+"mstl_components.csv"); F=pd.read_csv(R+"mstl_forecasts.csv")
for c in C.itertuples():
    y=S[S.series==c.series].sort_values("t").y.to_numpy(float)
    ref=P[P.case==c.case].sort_values("t"); rs=np.array([[float(v) for v in s.split(";")] for s in ref.seasonal])
    per=[float(p) for p in c.periods.split(";")]
    if c.method=="stl":
        o=qs.decompose.stl(y,per[0],s_window="periodic" if c.s_window=="periodic" else int(c.s_window),robust=str(c.robust).upper()=="TRUE"); se=o[["seasonal"]].to_numpy()
    else:
        o=qs.decompose.mstl(y,per); se=o.filter(like="seasonal").to_numpy()
    d=max(np.abs(o.trend.to_numpy()-ref.trend.to_numpy()).max(),np.abs(se-rs).max(),np.abs(o.remainder.to_numpy()-ref.remainder.to_numpy()).max())
    line=f"{c.case:28s} n={len(y):5d} max|diff|={d:.2e} rel={d/np.abs(y).max():.2e}"
    if c.h>0:
        df=pd.DataFrame({"unique_id":"a","ds":np.arange(len(y)),"y":y})
        fc=qs.Forecaster([qs.MSTL(per)],freq=1).fit(df)
        _,m,q=fc.fitted_[0].forecast(int(c.h),[0.025,0.1,0.9,0.975],False,1)
        r=F[F.case==c.case].sort_values("step")
        rel=max(np.abs(m[0]/r["mean"].to_numpy()-1).max(), *(np.abs(q[0,:,j]/r[col].to_numpy()-1).max() for j,col in enumerate(["lo95","lo80","hi80","hi95"])))
        line+=f"  forecast max rel={rel:.2e}"
    print(line)
