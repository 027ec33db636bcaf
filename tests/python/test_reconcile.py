"""qs.aggregate and qs.reconcile: hierarchicalforecast 1.5.3 parity (stored CSV), a dense numpy
MinT reference, coherence of every method, degenerate hierarchies and errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import quickstock as qs
from quickstock.hierarchy import cross_spec

from conftest import REFERENCE

REF = REFERENCE / "hierarchical"
SPEC = [["country"], ["country", "state"], ["country", "state", "region"]]
METHOD_LABELS = sorted(pd.read_csv(REF / "reconciled.csv")["method"].unique())


@pytest.fixture(scope="module")
def reference():
    bottom = pd.read_csv(REF / "bottom.csv", parse_dates=["ds"])
    base = pd.read_csv(REF / "base.csv", parse_dates=["ds"])
    insample = pd.read_csv(REF / "insample.csv", parse_dates=["ds"])
    expected = pd.read_csv(REF / "reconciled.csv", parse_dates=["ds"])
    Y, H = qs.aggregate(bottom, SPEC)
    return bottom, base, insample, expected, Y, H


def test_aggregate_equals_hierarchicalforecast(reference):
    bottom, _, insample, _, Y, H = reference
    hf = pd.read_csv(REF / "hierarchy.csv")
    assert sorted(H.ids) == sorted(hf.unique_id)
    for name, ids in H.levels.items():
        assert sorted(ids) == sorted(hf.unique_id[hf.level == name]), name
    assert list(H.bottom_ids) == list(H.levels["country/state/region"])
    assert list(H.ids[: len(H.levels["country"])]) == ["AU"]  # top level first
    hist = insample[insample.model == "Model"][["unique_id", "ds", "y"]]
    merged = Y.merge(hist, on=["unique_id", "ds"], suffixes=("", "_hf"))
    assert len(merged) == len(Y) == len(hist)
    np.testing.assert_allclose(merged.y, merged.y_hf, rtol=1e-12)
    # S times the bottom series gives every series.
    wide = Y.pivot(index="unique_id", columns="ds", values="y")
    np.testing.assert_allclose(H.S @ wide.loc[H.bottom_ids].to_numpy(), wide.loc[H.ids].to_numpy(), rtol=1e-12)
    # Attributes of the level are kept, coarser rows have none.
    row = Y[Y.unique_id == "AU/NSW"].iloc[0]
    assert row.state == "NSW" and row.country == "AU" and pd.isna(row.region)


def _call(label, base, insample, Y, H, **kw):
    method, _, option = label.partition(":")
    kwargs = dict(nonnegative=option == "nonnegative", residuals=insample)
    if method in ("top_down", "middle_out"):
        kwargs.update(top_down_method=option, Y_df=Y, nonnegative=False)
    if method == "middle_out":
        kwargs["level"] = "country/state"
    kwargs.update(kw)
    return qs.reconcile(base, H, method=method, **kwargs)


@pytest.mark.parametrize("label", METHOD_LABELS)
def test_parity_with_hierarchicalforecast(reference, label):
    _, base, insample, expected, Y, H = reference
    out = _call(label, base, insample, Y, H)
    assert list(out.columns) == list(base.columns) and len(out) == len(base)
    exp = expected[expected.method == label]
    merged = out.merge(exp, on=["unique_id", "ds", "model"])
    assert len(merged) == len(out)
    # hierarchicalforecast rounds non-negative MinT through float32 and solves it with clarabel
    # (tolerance ~1e-8); every other method is the same arithmetic in another order.
    rtol = 2e-6 if label.endswith("nonnegative") else 1e-9
    np.testing.assert_allclose(merged["mean"], merged["value"], rtol=rtol, atol=1e-6 * rtol)


def _coherent(out, H, col="mean"):
    for (model, ds), g in out.groupby(["model", "ds"]):
        v = g.set_index("unique_id")[col].loc[H.ids].to_numpy()
        b = v[-len(H.bottom_ids):]
        np.testing.assert_allclose(H.S @ b, v, rtol=1e-9, atol=1e-9 * max(1.0, np.abs(v).max()))


@pytest.mark.parametrize("label", METHOD_LABELS)
def test_every_method_is_coherent_and_nonnegative(reference, label):
    _, base, insample, _, Y, H = reference
    out = _call(label, base, insample, Y, H, nonnegative=True)
    _coherent(out, H)
    assert (out["mean"] >= 0).all()


def test_ols_closed_form_dense(reference):
    _, base, _, _, _, H = reference
    out = qs.reconcile(base, H, method="ols", nonnegative=False)
    S = H.S.toarray()
    P = S @ np.linalg.solve(S.T @ S, S.T)
    for (model, ds), g in base.groupby(["model", "ds"]):
        y = g.set_index("unique_id")["mean"].loc[H.ids].to_numpy()
        got = out[(out.model == model) & (out.ds == ds)].set_index("unique_id")["mean"].loc[H.ids]
        np.testing.assert_allclose(got.to_numpy(), P @ y, rtol=1e-10)


def _sample(rng, n_geo=(2, 3, 2), n_prod=(2, 3), T=30):
    rows = []
    for c in range(n_geo[0]):
        for z in range(n_geo[1]):
            for p in range(n_geo[2]):
                for cat in range(n_prod[0]):
                    for s in range(n_prod[1]):
                        rows.append(dict(city=f"C{c}", zone=f"Z{c}{z}", pincode=50000 + 100 * c + 10 * z + p,
                                         category=f"cat{cat}", sku=f"sku{cat}{s}"))
    attrs = pd.DataFrame(rows)
    ds = pd.date_range("2024-01-01", periods=T, freq="D")
    df = attrs.loc[attrs.index.repeat(T)].reset_index(drop=True)
    df["ds"] = np.tile(ds, len(attrs))
    df["y"] = rng.poisson(3, len(df)).astype(float)
    df["unique_id"] = df.pincode.astype(str) + "/" + df.sku
    return df


def test_cross_product_hierarchy_and_quantiles(rng):
    df = _sample(rng)
    spec = cross_spec([["city"], ["city", "zone"], ["city", "zone", "pincode"]], [["category"], ["category", "sku"]])
    assert spec[0] == [] and spec[-1] == ["city", "zone", "pincode", "category", "sku"]
    Y, H = qs.aggregate(df, spec)
    assert H.levels["Total"].tolist() == ["Total"] and len(H.bottom_ids) == df.unique_id.nunique()
    assert "C0/cat1" in set(H.ids)
    fc = qs.Forecaster(models=[qs.Naive(), qs.HistoricAverage()], freq="D")
    cv = fc.cross_validation(Y[["unique_id", "ds", "y"]], h=3, n_windows=3, step_size=3, quantiles=[0.1, 0.5, 0.9])
    f = fc.fit(Y[["unique_id", "ds", "y"]]).predict(h=3, quantiles=[0.1, 0.5, 0.9])
    for method in ("bottom_up", "ols", "wls_struct", "wls_var", "mint_shrink"):
        r = qs.reconcile(f, H, method=method, residuals=cv)
        assert list(r.columns) == list(f.columns) and len(r) == len(f)
        _coherent(r, H)
        q = r[["p10", "p50", "p90"]].to_numpy()
        assert (q >= 0).all() and (np.diff(q, axis=1) >= 0).all()
        assert (r["mean"] >= 0).all()
    # cross-validation frames reconcile per cutoff
    rc = qs.reconcile(cv, H, method="ols")
    assert list(rc.columns) == list(cv.columns)
    for _, g in rc.groupby("cutoff"):
        _coherent(g, H)
    # deterministic quantiles
    a = qs.reconcile(f, H, method="mint_shrink", residuals=cv)
    b = qs.reconcile(f, H, method="mint_shrink", residuals=cv)
    pd.testing.assert_frame_equal(a, b)


def test_copula_keeps_comonotone_dependence():
    # Two bottom series with perfectly correlated residuals: the total's quantiles are the sums
    # of the bottom quantiles (comonotone), not the narrower independent sum.
    df = pd.DataFrame({"g": ["a"] * 2, "s": ["x", "y"]})
    H = qs.aggregate(pd.DataFrame({"g": ["a", "a"], "s": ["x", "y"], "ds": [1, 1], "y": [1.0, 1.0]}), [["g"], ["g", "s"]])[1]
    f = pd.DataFrame({"unique_id": ["a", "a/x", "a/y"], "ds": 1, "model": "M", "mean": [20.0, 10.0, 10.0],
                      "p10": [0.0, 5.0, 5.0], "p90": [0.0, 15.0, 15.0]})
    t = np.arange(40.0)
    res = pd.DataFrame({"unique_id": np.repeat(["a", "a/x", "a/y"], 40), "ds": np.tile(t, 3), "model": "M",
                        "y": np.concatenate([2 * np.sin(t), np.sin(t), np.sin(t)]), "mean": 0.0})
    r = qs.reconcile(f, H, method="bottom_up", residuals=res, nonnegative=False, n_samples=4000).set_index("unique_id")
    np.testing.assert_allclose(r.loc["a", ["p10", "p90"]].to_numpy(float), [10.0, 30.0], rtol=1e-2)
    ri = qs.reconcile(f, H, method="bottom_up", nonnegative=False, n_samples=4000).set_index("unique_id")
    assert ri.loc["a", "p90"] - ri.loc["a", "p10"] < 0.8 * 20.0  # independent: narrower
    del df


def test_degenerate_hierarchies(rng):
    # all-zero series, a single-child node, a level with one node
    ds = pd.date_range("2024-01-01", periods=20, freq="D")
    parts = []
    for city, zone, pin in [("H", "W", "1"), ("H", "W", "2"), ("H", "N", "3")]:
        y = np.zeros(20) if pin == "2" else rng.poisson(5, 20).astype(float)
        parts.append(pd.DataFrame({"city": city, "zone": zone, "pincode": pin, "ds": ds, "y": y}))
    df = pd.concat(parts, ignore_index=True)
    Y, H = qs.aggregate(df, [["city"], ["city", "zone"], ["city", "zone", "pincode"]])
    assert list(H.levels["city"]) == ["H"]
    fc = qs.Forecaster(models=[qs.Naive()], freq="D")
    cv = fc.cross_validation(Y[["unique_id", "ds", "y"]], h=2, n_windows=4, step_size=2)
    f = fc.fit(Y[["unique_id", "ds", "y"]]).predict(h=2, quantiles=[0.1, 0.9])
    for method in ("bottom_up", "top_down", "ols", "wls_struct", "wls_var", "mint_shrink"):
        r = qs.reconcile(f, H, method=method, residuals=cv)
        _coherent(r, H)
        assert np.isfinite(r[["mean", "p10", "p90"]].to_numpy()).all()
        assert (r.loc[r.unique_id == "H/W/2", ["mean", "p10", "p90"]].to_numpy() >= 0).all()
    r = qs.reconcile(f, H, method="middle_out", level="city/zone")
    _coherent(r, H)


def test_missing_series_and_bad_arguments(reference):
    _, base, insample, _, Y, H = reference
    with pytest.raises(qs.QuickstockError, match="AU/VIC/Geelong"):
        qs.reconcile(base[base.unique_id != "AU/VIC/Geelong"], H, method="ols")
    with pytest.raises(qs.QuickstockError, match="method"):
        qs.reconcile(base, H, method="mint_sample")
    with pytest.raises(qs.QuickstockError, match="residuals"):
        qs.reconcile(base, H, method="mint_shrink")
    with pytest.raises(qs.QuickstockError, match="Y_df|history"):
        qs.reconcile(base, H, method="top_down", top_down_method="average_proportions")
    with pytest.raises(qs.QuickstockError, match="level"):
        qs.reconcile(base, H, method="middle_out", level="nope")
    with pytest.raises(qs.QuickstockError, match="pincode"):
        qs.aggregate(pd.DataFrame({"city": ["a"], "ds": [1], "y": [1.0]}), [["city"], ["city", "pincode"]])
    dup = pd.DataFrame({"unique_id": ["s", "s"], "city": ["a", "a"], "ds": [1, 1], "y": [1.0, 2.0]})
    with pytest.raises(qs.QuickstockError, match="same series and time"):
        qs.aggregate(dup, [["city"]])


def test_hierarchy_pickles_and_nonnegative_tolerance(reference):
    import pickle

    _, base, insample, _, _, H = reference
    H2 = pickle.loads(pickle.dumps(H))
    assert list(H2.ids) == list(H.ids) and (H2.S != H.S).nnz == 0
    r = qs.reconcile(base, H, method="ols", nonnegative=True)
    info = r.attrs["reconcile"]["models"]["Neg"]
    assert info["kkt_residual"] <= 1e-9 and info["fallback"] == ""
    assert (r["mean"] >= 0).all()


def test_n_jobs_bit_identical(rng):
    # 12 cutoffs x 3 steps = 36 slices per model, so MinT runs in two blocks of <= 32 slices;
    # means and coherent quantiles must not change with the thread count.
    df = _sample(rng, T=40)
    spec = cross_spec([["city"], ["city", "zone"], ["city", "zone", "pincode"]], [["category"], ["category", "sku"]])
    Y, H = qs.aggregate(df, spec)
    fc = qs.Forecaster(models=[qs.Naive(), qs.HistoricAverage()], freq="D")
    cv = fc.cross_validation(Y[["unique_id", "ds", "y"]], h=3, n_windows=12, step_size=1, quantiles=[0.1, 0.5, 0.9])
    assert cv.groupby("model")[["cutoff", "ds"]].apply(lambda g: len(g.drop_duplicates())).min() > 32
    for method in ("bottom_up", "ols", "wls_struct", "wls_var", "mint_shrink"):
        outs = [qs.reconcile(cv, H, method=method, residuals=cv, n_samples=60, n_jobs=j) for j in (1, 2, 8)]
        for o in outs[1:]:
            pd.testing.assert_frame_equal(o, outs[0], check_exact=True)
        _coherent(outs[0].rename(columns={"ds": "_ds"}).assign(ds=lambda f: f["cutoff"].astype(str) + f["_ds"].astype(str)), H)
    for rule in ("average_proportions", "proportion_averages"):  # over bottom series
        outs = [qs.reconcile(cv, H, method="top_down", top_down_method=rule, Y_df=Y, n_samples=60, n_jobs=j)
                for j in (1, 2, 8)]
        for o in outs[1:]:
            pd.testing.assert_frame_equal(o, outs[0], check_exact=True)
    with pytest.raises(qs.QuickstockError, match="n_jobs"):
        qs.reconcile(cv, H, method="ols", n_jobs=0)


def test_slice_codes_equal_groupby_codes(rng):
    from quickstock.hierarchy import _slices

    frame = pd.DataFrame({
        "model": rng.choice(["b", "a", "c"], 500),
        "cutoff": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 5, 500), "D"),
        "ds": rng.choice([3.0, 1.0, np.nan, 2.0], 500),
    })
    k, slices = _slices(frame, ["model", "cutoff", "ds"])
    expected = frame.groupby(["model", "cutoff", "ds"], sort=True, dropna=False).ngroup().to_numpy()
    np.testing.assert_array_equal(k, expected)
    assert len(slices) == k.max() + 1
    pd.testing.assert_frame_equal(slices, frame.iloc[[np.flatnonzero(k == i)[0] for i in range(k.max() + 1)]].reset_index(drop=True))


def test_categorical_aggregate_equals_plain_columns(rng, tmp_path):
    # categorical=True (default) and categorical=False hold the same values; the categorical
    # frame goes through forecasting, reconciliation (Y_df, residuals) and a CSV round trip.
    df = _sample(rng, T=30)
    df["pincode"] = df["pincode"].astype(np.int64)  # a numeric spec column too
    spec = [["city"], ["city", "zone"], ["city", "zone", "pincode"]]
    Y, H = qs.aggregate(df.drop(columns=["unique_id"]), spec)
    P, H2 = qs.aggregate(df.drop(columns=["unique_id"]), spec, categorical=False)
    assert list(H.ids) == list(H2.ids)
    assert isinstance(Y["unique_id"].dtype, pd.CategoricalDtype)
    assert list(Y["unique_id"].cat.categories) == list(H.ids)
    assert Y["unique_id"].cat.codes.dtype == np.int8  # 11 series here: 1-byte codes
    for c in ("city", "zone", "pincode"):
        assert isinstance(Y[c].dtype, pd.CategoricalDtype)
    assert list(Y.columns) == list(P.columns)
    bare, _ = qs.aggregate(df.drop(columns=["unique_id"]), spec, attributes=False)
    assert list(bare.columns) == ["unique_id", "ds", "y"]
    pd.testing.assert_frame_equal(bare, Y[["unique_id", "ds", "y"]])
    shuffled, _ = qs.aggregate(df.drop(columns=["unique_id"]).sample(frac=1.0, random_state=1), spec)
    pd.testing.assert_frame_equal(shuffled, Y)  # rows scattered, not grouped: same frame
    np.testing.assert_array_equal(Y["unique_id"].astype(str).to_numpy(), P["unique_id"].astype(str).to_numpy())
    np.testing.assert_array_equal(Y["y"].to_numpy(), P["y"].to_numpy())
    np.testing.assert_array_equal(Y["ds"].to_numpy(), P["ds"].to_numpy())
    for c in ("city", "zone", "pincode"):
        a = Y[c].astype(object).where(Y[c].notna(), None).to_numpy()
        b = P[c].astype(object).where(P[c].notna(), None).to_numpy()
        assert list(a) == list(b), c
    assert Y.loc[Y.unique_id == H.levels["city"][0], "zone"].isna().all()
    # groupby on the categorical id (observed=True) equals the plain one
    g1 = Y.groupby("unique_id", observed=True)["y"].sum()
    g2 = P.groupby("unique_id")["y"].sum()
    np.testing.assert_array_equal(g1.loc[H.ids].to_numpy(), g2.loc[H.ids].to_numpy())
    # downstream: forecast, cross-validate, reconcile with the categorical Y_df and residuals
    fc = qs.Forecaster(models=[qs.Naive()], freq="D")
    cv = fc.cross_validation(Y[["unique_id", "ds", "y"]], h=2, n_windows=3, step_size=2)
    cv_p = fc.cross_validation(P[["unique_id", "ds", "y"]], h=2, n_windows=3, step_size=2)
    f = fc.fit(Y[["unique_id", "ds", "y"]]).predict(h=2)
    for method, kw in [("mint_shrink", {}), ("top_down", {"top_down_method": "average_proportions"})]:
        r1 = qs.reconcile(f, H, method=method, residuals=cv, Y_df=Y, **kw)
        r2 = qs.reconcile(f, H, method=method, residuals=cv_p, Y_df=P, **kw)
        pd.testing.assert_frame_equal(r1, r2)
        _coherent(r1, H)
    cat_f = f.assign(unique_id=pd.Categorical(f["unique_id"]))
    pd.testing.assert_series_equal(qs.reconcile(cat_f, H, method="ols")["mean"],
                                   qs.reconcile(f, H, method="ols")["mean"])
    with pytest.raises(qs.QuickstockError, match="nope"):
        qs.reconcile(cat_f.assign(unique_id=cat_f["unique_id"].cat.rename_categories(
            {H.ids[0]: "nope"})), H, method="ols")
    m = qs.evaluate(cv, metrics=["mase"], train_df=Y[["unique_id", "ds", "y"]])
    mp = qs.evaluate(cv_p, metrics=["mase"], train_df=P[["unique_id", "ds", "y"]])
    np.testing.assert_allclose(m.select_dtypes("number").to_numpy(), mp.select_dtypes("number").to_numpy())
    path = tmp_path / "Y.csv"
    Y.to_csv(path, index=False)
    back = pd.read_csv(path, parse_dates=["ds"])
    np.testing.assert_array_equal(back["unique_id"].astype(str), P["unique_id"].astype(str))
    np.testing.assert_array_equal(back["y"], P["y"])
