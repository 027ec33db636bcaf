"""Hierarchies of series and forecast reconciliation (``qs.aggregate``, ``qs.reconcile``).

The numeric work (aggregation, the sparse MinT solves, non-negative projection, coherent
quantiles) runs in the C++ core; this module turns pandas frames into the core's arrays with
vectorised pandas/numpy operations and back. Method, conventions and parity evidence:
``docs/reconciliation.md``.
"""

from __future__ import annotations

import re
import zlib
from typing import Any, Sequence

import numpy as np
import pandas as pd

from . import _core
from ._errors import invalid
from ._frame import to_pandas

__all__ = ["Hierarchy", "aggregate", "reconcile", "cross_spec", "METHODS", "TOP_DOWN_METHODS"]

#: Reconciliation methods accepted by :func:`reconcile`.
METHODS = ("bottom_up", "top_down", "middle_out", "ols", "wls_struct", "wls_var", "mint_shrink")
#: Proportion rules of ``top_down`` and ``middle_out``.
TOP_DOWN_METHODS = ("forecast_proportions", "average_proportions", "proportion_averages")
#: Id and level name of the grand total (an empty column group in a spec).
TOTAL = "Total"

_QUANTILE = re.compile(r"^p(\d+(?:\.\d+)?)$")


class Hierarchy:
    """A hierarchy of series: summing matrix, row and column ids, and levels.

    Built by :func:`aggregate` (or from levels directly). Rows of ``S`` are every series, top
    level first, bottom level last; columns are the bottom series; ``S[i, b] == 1`` when bottom
    series ``b`` is summed into series ``i``. Like hierarchicalforecast's ``S_df`` and ``tags``.

    Args:
        names: level names, top first; the last level is the bottom level.
        ids: node ids of each level (ids must be unique across the hierarchy).
        node_of: for each level, the node (index into that level's ``ids``) of every bottom
            series, bottom series in the order of the last level's ``node_of``.

    Attributes:
        S: ``scipy.sparse.csr_matrix`` of shape ``(len(ids), len(bottom_ids))``.
        ids: every series' ``unique_id`` (rows of ``S``), top level first.
        bottom_ids: the bottom series' ids (columns of ``S``).
        levels: level name → ids of that level (in row order).

    Raises:
        QuickstockError: a node without bottom series, an id used twice, or sizes that disagree.
    """

    def __init__(self, names: Sequence[str], ids: Sequence[Sequence[str]], node_of: Sequence[Any]):
        self._names = [str(n) for n in names]
        self._level_ids = [[str(i) for i in level] for level in ids]
        self._core = _core.Hierarchy(
            self._names, self._level_ids, [np.ascontiguousarray(n, dtype=np.int64) for n in node_of]
        )
        # The same string objects as _level_ids (the core has checked them), not a second copy.
        self.ids = np.empty(sum(len(level) for level in self._level_ids), dtype=object)
        self.ids[:] = [i for level in self._level_ids for i in level]
        offsets = self._core.level_offsets
        self.levels = {
            name: self.ids[offsets[i] : offsets[i + 1]] for i, name in enumerate(self._names)
        }
        self.bottom_ids = self.ids[offsets[-2] : offsets[-1]]
        self._S: Any = None
        self._index: pd.Index | None = None  # ids as a hash index, built on first use

    @property
    def S(self) -> Any:
        """The summing matrix as ``scipy.sparse.csr_matrix`` (float64 ones)."""
        if self._S is None:
            from scipy import sparse

            indptr, indices = self._core.csr()
            data = np.ones(len(indices), dtype=np.float64)
            self._S = sparse.csr_matrix(
                (data, indices, indptr), shape=(len(self.ids), len(self.bottom_ids))
            )
        return self._S

    @property
    def tags(self) -> dict[str, np.ndarray]:
        """``levels`` under hierarchicalforecast's name."""
        return self.levels

    def S_df(self, id_col: str = "unique_id") -> pd.DataFrame:
        """The summing matrix as hierarchicalforecast's dense ``S_df`` (small hierarchies only)."""
        frame = pd.DataFrame(self.S.toarray(), columns=list(self.bottom_ids))
        frame.insert(0, id_col, self.ids)
        return frame

    def __reduce__(self) -> Any:
        # The core keeps the node rows of every bottom series (columns of S); node indices in
        # column order rebuild the same hierarchy, so no copy of the input's node_of is kept.
        rows = self._core.node_rows()
        offsets = self._core.level_offsets
        node_of = [rows[lvl] - offsets[lvl] for lvl in range(len(self._names))]
        return (Hierarchy, (self._names, self._level_ids, node_of))

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}: {len(v)}" for k, v in self.levels.items())
        return f"Hierarchy({len(self.ids)} series, {len(self.bottom_ids)} bottom; {sizes})"


def cross_spec(*specs: Sequence[Sequence[str]], total: bool = True) -> list[list[str]]:
    """The levels of the cross product of several hierarchies (e.g. geography × product).

    ``cross_spec([["city"], ["city", "zone"]], [["category"], ["category", "sku"]])`` gives
    ``[[], ["category"], ["category", "sku"], ["city"], ["city", "category"], ...,
    ["city", "zone", "category", "sku"]]``: every combination of one level of each hierarchy
    (each hierarchy also contributing its total), ordered from coarse to fine, the grand total
    first when ``total``. Pass the result to :func:`aggregate`.

    Args:
        *specs: one spec (list of column groups, coarse to fine) per hierarchy.
        total: include the grand total (the empty group).

    Returns:
        A spec for :func:`aggregate` whose last group is the bottom level.
    """
    combos: list[list[str]] = [[]]
    for spec in specs:
        groups = [[]] + [list(g) for g in spec]
        combos = [a + [c for c in g if c not in a] for a in combos for g in groups]
    seen: set[tuple[str, ...]] = set()
    out: list[list[str]] = []
    for g in sorted(combos, key=len):
        key = tuple(sorted(g))
        if key in seen or (not g and not total):
            continue
        seen.add(key)
        out.append(g)
    return out


def _check_spec(df: pd.DataFrame, spec: Any) -> list[list[str]]:
    if isinstance(spec, (str, bytes)) or not isinstance(spec, Sequence) or len(spec) == 0:
        invalid("spec must be a non-empty list of column groups, e.g. [['city'], ['city', 'zone']]",
                field="spec")
    groups: list[list[str]] = []
    for g in spec:
        if isinstance(g, str):
            g = [g]
        groups.append([str(c) for c in g])
    bottom = groups[-1]
    if not bottom:
        invalid("the last group (the bottom level) must name at least one column", field="spec")
    for g in groups:
        for c in g:
            if c not in df.columns:
                invalid(f"column {c!r} of the spec is not in the frame", field="spec")
            if c not in bottom:
                invalid(f"column {c!r} is not in the bottom group {bottom}: every level must be "
                        "a coarser grouping of the bottom level", field="spec")
    keys = [tuple(sorted(g)) for g in groups]
    if len(set(keys)) != len(keys):
        invalid("two groups of the spec name the same columns", field="spec")
    return groups


def _join_ids(table: pd.DataFrame, cols: list[str], sep: str) -> list[str]:
    if not cols:
        return [TOTAL] * len(table)
    # One join per id: no intermediate string per column (they fragment Python's heap).
    parts = [[str(v) for v in table[c].to_numpy(dtype=object)] for c in cols]
    return parts[0] if len(parts) == 1 else [sep.join(p) for p in zip(*parts)]


#: Rows per chunk when a column is turned into codes: pandas sizes its hash tables by the
#: length of what it hashes (~16 bytes a row), so whole-column hashing of 10⁶–10⁷ rows costs
#: tens of MB; chunks bound that, and the int64 temporaries, to a few MB.
_CHUNK = 1 << 18


def _release() -> None:
    """Hands the C heap's free pages back to the OS (glibc ``malloc_trim``; a no-op elsewhere).

    Once a large block has been freed, glibc serves blocks of that size from its heap and keeps
    them when freed, so the resident size of a long pipeline of 10–30 MB temporaries grows with
    every step; trimming between steps keeps it at the live data.
    """
    global _TRIM
    if _TRIM is None:
        try:
            import ctypes

            _TRIM = ctypes.CDLL("libc.so.6").malloc_trim
        except (OSError, AttributeError):
            _TRIM = False
    if _TRIM:
        _TRIM(0)


_TRIM: Any = None


def _distinct(values: Any) -> Any:
    """``pd.unique(values)`` (first-appearance order), hashing one chunk at a time."""
    if len(values) <= _CHUNK:
        return pd.unique(values)
    take = values.iloc if isinstance(values, pd.Series) else values
    parts = [pd.unique(take[lo : lo + _CHUNK]) for lo in range(0, len(values), _CHUNK)]
    if isinstance(parts[0], np.ndarray):
        return pd.unique(np.concatenate(parts))
    return pd.unique(type(parts[0])._concat_same_type(parts))


def _codes_and_first(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(key, return_inverse=True, return_index=True)``'s inverse (int32 while it fits)
    and first indices, from the distinct keys (a hash pass), looked up chunk by chunk: no
    full-length int64 temporaries besides ``key`` itself."""
    distinct = np.sort(_distinct(key))
    n = len(key)
    codes = np.empty(n, dtype=np.int32 if len(distinct) < 2**31 else np.int64)
    first = np.full(len(distinct), -1, dtype=np.int64)
    for lo in range(0, n, _CHUNK):
        codes[lo : lo + _CHUNK] = np.searchsorted(distinct, key[lo : lo + _CHUNK])
    for hi in range(n, 0, -_CHUNK):  # last chunk first, rows in reverse: the first row wins
        lo = max(hi - _CHUNK, 0)
        first[codes[lo:hi][::-1]] = np.arange(hi - 1, lo - 1, -1, dtype=np.int64)
    return codes, first


def _factorize(col: pd.Series) -> tuple[np.ndarray, Any]:
    """``pd.factorize(col, sort=True)`` (unsorted for values that cannot be ordered) with codes of
    the smallest signed type (-1: missing), computed from the distinct values and a lookup
    chunk by chunk, so no full-length int64 codes are made."""
    distinct = _distinct(col)
    try:
        _, uniques = pd.factorize(distinct, sort=True)
    except TypeError:  # values of mixed types that cannot be ordered: first appearance
        _, uniques = pd.factorize(distinct, sort=False)
    lookup = pd.Index(uniques)
    codes = np.empty(len(col), dtype=_code_dtype(len(uniques)))
    for lo in range(0, len(col), _CHUNK):
        codes[lo : lo + _CHUNK] = lookup.get_indexer(col.iloc[lo : lo + _CHUNK])
    return codes, uniques


def _expand(values: Any, codes: np.ndarray, index: pd.Index, dtype: Any = None) -> pd.Series:
    """``values[codes]`` as a column: the dtype is what pandas infers from the (few) distinct
    ``values``, so the rows are never scanned for inference (it allocates ~40 bytes a row)."""
    small = pd.Series(values, copy=False)
    if dtype is not None:
        small = small.astype(dtype)
    if isinstance(small.dtype, np.dtype):  # numpy-backed: index the ndarray itself
        taken = np.asarray(small)[codes]
    else:
        taken = small.array.take(codes)
    return pd.Series(taken, dtype=small.dtype, index=index, copy=False)


def _code_dtype(n_categories: int) -> Any:
    """The integer type pandas gives the codes of a categorical with ``n_categories`` values."""
    for t in (np.int8, np.int16, np.int32):
        if n_categories < np.iinfo(t).max:
            return t
    return np.int64


def aggregate(
    df: Any,
    spec: Sequence[Sequence[str]],
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    sep: str = "/",
    categorical: bool = True,
    attributes: bool = True,
) -> tuple[pd.DataFrame, Hierarchy]:
    """Every level's series from the bottom series and their attribute columns.

    Each group of ``spec`` is one level: the series of that level are the distinct values of
    its columns, and each sums the bottom rows carrying those values, at every time any of
    them has a row. The last group is the bottom level; every other group must use only its
    columns, so geographic trees (``[["city"], ["city", "zone"], ["city", "zone",
    "pincode"]]``), product trees and their cross products (see :func:`cross_spec`) are all
    expressible; the empty group ``[]`` is the grand total (id ``"Total"``). Rows of the
    input that share a bottom key (e.g. several SKUs of one pincode when the bottom level is
    the pincode) are summed.

    Ids of aggregated series are the level's values joined by ``sep``: ``"Hyderabad"``,
    ``"Hyderabad/West"``, ``"Hyderabad/West/500032"``; level names are the columns joined by
    ``"/"`` (``"city/zone"``) or ``"Total"``.

    Only ``target_col`` is summed. The spec columns are kept as series attributes on the
    levels that define them (missing — ``None``/NaN — on coarser levels); other columns
    (covariates such as price or rain) are dropped, since their sum is rarely meaningful:
    aggregate them as you need and merge them on ``unique_id, ds``.

    With ``categorical`` (the default) the id column and the spec columns are pandas
    ``Categorical``: integer codes of 1–4 bytes a row and one copy of each distinct value,
    built straight from the C++ result, so the frame costs about 12 bytes a row plus the
    codes (hierarchicalforecast's object ids alone take 8 bytes a row plus a string object per
    row). Compare, filter, group (pass ``observed=True`` to ``groupby``), merge and write them
    like strings; ``Y[col].astype(str)`` gives plain strings. ``categorical=False`` gives the
    plain columns (object/str ids, the spec columns with ``None`` on coarser levels).

    Args:
        df: long frame with ``time_col``, ``target_col`` and the spec columns (pandas,
            polars or pyarrow).
        spec: levels as column groups, top first, bottom last.
        id_col: name of the id column of the output.
        time_col: time column.
        target_col: the demand column to sum.
        sep: separator of the parts of aggregated ids.
        categorical: ids and spec columns as pandas ``Categorical`` (compact); ``False`` for
            plain object/str columns.
        attributes: keep the spec columns in the frame; ``False`` gives ``id_col, time_col,
            target_col`` only (hierarchicalforecast's layout; the levels are in the hierarchy).

    Returns:
        ``(frame, hierarchy)``: ``frame`` has ``id_col, time_col, target_col`` and the spec
        columns, sorted by hierarchy row (top level first) then time; ``hierarchy`` is the
        :class:`Hierarchy` (``S``, ``ids``, ``bottom_ids``, ``levels``).

    Raises:
        QuickstockError: a bad spec, missing values in spec columns, non-finite demand, or two
            rows for the same bottom series and time (naming the series and row).
    """
    df = to_pandas(df)
    groups = _check_spec(df, spec)
    for col in (time_col, target_col):
        if col not in df.columns:
            invalid(f"column {col!r} is missing", field=col)
    bottom_cols = groups[-1]
    # Integer codes of every bottom column (sorted values), then mixed-radix keys: all
    # grouping below is numpy on integers.
    col_codes: dict[str, np.ndarray] = {}
    col_values: dict[str, Any] = {}
    for c in bottom_cols:
        cc, uniques = _factorize(df[c])  # 1–4 bytes a row
        if (cc < 0).any():
            invalid(f"hierarchy column {c!r} is missing", row=int(np.flatnonzero(cc < 0)[0]),
                    field=c)
        col_codes[c] = cc
        col_values[c] = uniques

    def keys(cols: list[str], rows: np.ndarray | None = None) -> np.ndarray:
        # Mixed-radix key, last column fastest, built in place (Horner): no temporary per column.
        key = np.zeros(len(df) if rows is None else len(rows), dtype=np.int64)
        radix = 1
        for c in cols:
            radix *= max(len(col_values[c]), 1)
            if radix >= 2**62:
                raise OverflowError
            key *= max(len(col_values[c]), 1)
            key += col_codes[c] if rows is None else col_codes[c][rows]
        return key

    if id_col in df.columns:
        dup = df.duplicated([id_col, time_col]).to_numpy()
        if dup.any():
            r = int(np.flatnonzero(dup)[0])
            invalid("two rows for the same series and time", series=df[id_col].iloc[r], row=r,
                    field=time_col)
    _release()
    target = df[target_col]
    if target.dtype == np.float64:  # numpy float64: read in place, no copy
        y = target.to_numpy()
    else:
        y = pd.to_numeric(target, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    del target
    try:
        codes, first = _codes_and_first(keys(bottom_cols))
    except OverflowError:  # too many combinations for one int64 key: let pandas group
        codes = df.groupby(bottom_cols, sort=True, observed=True).ngroup().to_numpy(np.int64)
        first = np.full(int(codes.max()) + 1, -1, dtype=np.int64)
        first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1, dtype=np.int64)
    _release()
    if len(first) >= 2**31:
        invalid("more than 2**31 - 1 bottom series", field="spec")
    codes = codes.reshape(-1).astype(np.int32, copy=False)  # 4 bytes a row for the C++ core
    first = first.astype(np.int64, copy=False)  # a row of each bottom series, in bottom order
    names, ids, node_of, tables, level_codes = [], [], [], [], []
    for g in groups:
        names.append("/".join(g) if g else TOTAL)
        if not g:
            node = np.zeros(len(first), dtype=np.int64)
            level_rows = first[:1]
        else:
            try:
                node, lfirst = _codes_and_first(keys(g, first))
            except OverflowError:
                tb = df.iloc[first][g]
                node = tb.groupby(g, sort=True, observed=True).ngroup().to_numpy(np.int64)
                lfirst = np.full(int(node.max()) + 1, -1, dtype=np.int64)
                lfirst[node[::-1]] = np.arange(len(node) - 1, -1, -1, dtype=np.int64)
            node = node.reshape(-1).astype(np.int64, copy=False)
            level_rows = first[lfirst]
        # Each node's code (index into col_values[c]) of every column of the level.
        node_codes = {c: col_codes[c][level_rows].astype(np.int64) for c in g}
        level_table = pd.DataFrame(
            {c: np.asarray(col_values[c], dtype=object)[node_codes[c]] for c in g},
            index=pd.RangeIndex(len(level_rows)),
        )
        ids.append(_join_ids(level_table, g, sep))
        node_of.append(node)
        tables.append(level_table)
        level_codes.append(node_codes)
    # The rows' column codes and the last level's loop values are no longer needed.
    del col_codes, first, level_rows, level_table, node_codes, node
    _release()
    hierarchy = Hierarchy(names, ids, node_of)
    del ids, node_of
    _release()
    time_codes, times = _factorize(df[time_col])
    if (time_codes < 0).any():
        invalid("time is missing", row=int(np.flatnonzero(time_codes < 0)[0]), field=time_col)
    if len(times) >= 2**31:
        invalid("more than 2**31 - 1 distinct times", field=time_col)
    time_codes = time_codes.astype(np.int32)
    _release()
    # The sums of every series in the C++ core, series by series (offsets), each in time order:
    # 12 bytes a value, the buffers handed to numpy without a copy.
    offsets_v, t, values = _core.aggregate_series(hierarchy._core, codes, time_codes, y, len(times))
    del codes, time_codes, y
    if categorical or not attributes:
        del tables  # per-level values are only needed for plain attribute columns
    _release()
    n = len(hierarchy.ids)
    index = pd.RangeIndex(len(values))
    columns: dict[str, Any] = {id_col: None, time_col: _expand(times, t, index), target_col: values}
    del t
    _release()
    # Hierarchy row of every output value (4 bytes): the codes of a categorical id column.
    series = np.repeat(np.arange(n, dtype=np.int32), np.diff(offsets_v))
    del offsets_v
    _release()
    all_cols = list(dict.fromkeys(c for g in groups for c in g)) if attributes else []
    offsets = hierarchy._core.level_offsets
    if categorical:
        columns[id_col] = pd.Series(
            pd.Categorical.from_codes(series, categories=pd.Index(hierarchy.ids),
                                      validate=False),
            index=index, copy=False)
    else:
        columns[id_col] = _expand(hierarchy.ids, series, index)
    for c in all_cols:
        if categorical:  # codes of the column's sorted values, -1 (missing) on coarser levels
            categories = col_values[c]
            if isinstance(categories.dtype, pd.CategoricalDtype):  # a categorical input column
                categories = np.asarray(categories)
            categories = pd.Index(categories)
            code_type = _code_dtype(len(categories))
            per_series = np.full(n, -1, dtype=code_type)
            for lvl, (g, nc) in enumerate(zip(groups, level_codes)):
                if c in g:
                    per_series[offsets[lvl] : offsets[lvl + 1]] = nc[c]
            columns[c] = pd.Series(
                pd.Categorical.from_codes(per_series[series], categories=categories,
                                          validate=False),
                index=index, copy=False)
            _release()
            continue
        per_series = np.full(n, None, dtype=object)
        for lvl, (g, tb) in enumerate(zip(groups, tables)):
            if c in g:
                per_series[offsets[lvl] : offsets[lvl + 1]] = tb[c].to_numpy(dtype=object)
        keep = all(c in g for g in groups) and not pd.api.types.is_string_dtype(df[c].dtype)
        columns[c] = _expand(per_series, series, index, df[c].dtype if keep else None)
    del series
    del level_codes, col_values
    _release()
    out = pd.DataFrame(columns, index=index, copy=False)
    return out, hierarchy


def _slices(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Code of each row's ``keys`` tuple (0, 1, … in sorted order) and the tuples, one per code.

    The codes are those of ``groupby(keys, sort=True, dropna=False).ngroup()``, computed from one
    ``factorize`` per column and a mixed-radix key (decoded back into the tuples), which needs a
    few integer arrays instead of the groupby's intermediates.
    """
    try:
        if len(keys) == 1:
            k, uniques = pd.factorize(frame[keys[0]], sort=True, use_na_sentinel=False)
            return k.astype(np.int64, copy=False), pd.DataFrame({keys[0]: uniques})
        code = np.zeros(len(frame), dtype=np.int64)
        radix, distinct = 1, []
        for c in keys:
            cc, uniques = pd.factorize(frame[c], sort=True, use_na_sentinel=False)
            radix *= max(len(uniques), 1)
            if radix >= 2**62:
                raise OverflowError
            code *= len(uniques)
            code += cc
            del cc
            distinct.append(uniques)
        k, combos = pd.factorize(code, sort=True)
        del code
        parts = {}
        for c, uniques in zip(reversed(keys), reversed(distinct)):
            parts[c] = uniques.take(combos % len(uniques))
            combos = combos // len(uniques)
        return k.astype(np.int64, copy=False), pd.DataFrame({c: parts[c] for c in keys})
    except (TypeError, OverflowError):  # unorderable values or too many combinations
        k = frame.groupby(keys, sort=True, observed=True, dropna=False).ngroup().to_numpy(np.int64)
        first = np.full(int(k.max()) + 1 if len(k) else 0, -1, dtype=np.int64)
        first[k[::-1]] = np.arange(len(k) - 1, -1, -1, dtype=np.int64)
        return k, frame.iloc[first][keys].reset_index(drop=True)


def _rows(hierarchy: Hierarchy, ids: pd.Series, field: str) -> np.ndarray:
    if hierarchy._index is None:
        hierarchy._index = pd.Index(hierarchy.ids.astype(str))
    index = hierarchy._index
    if isinstance(ids.dtype, pd.CategoricalDtype):  # e.g. from aggregate: map the categories once
        cat = ids.array
        where = index.get_indexer(pd.Index(cat.categories).astype(str)).astype(np.int64)
        codes = np.asarray(cat.codes)
        rows = np.where(codes >= 0, where[codes], -1)
        bad = rows < 0
        if bad.any():
            r = int(np.flatnonzero(bad)[0])
            invalid("series is not in the hierarchy", series=ids.iloc[r], row=r, field=field)
        return rows
    if not pd.api.types.is_string_dtype(ids):
        ids = ids.astype(str)
    # Forecast and residual frames hold each series' rows together: look up one id per run of
    # equal ids (an Index or a hash table over every row would cost 20–40 bytes a row).
    values = ids.array
    change = np.ones(len(values), dtype=bool)
    if len(values) > 1:
        change[1:] = np.asarray(values[1:] != values[:-1], dtype=bool)
    starts = np.flatnonzero(change)
    del change
    lengths = np.diff(np.append(starts, len(values)))
    rows = np.repeat(index.get_indexer(values[starts]).astype(np.int64, copy=False), lengths)
    bad = rows < 0
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        invalid("series is not in the hierarchy", series=ids.iloc[r], row=r, field=field)
    return rows


def _matrix(
    frame: pd.DataFrame,
    hierarchy: Hierarchy,
    value: Any,
    time_keys: list[str],
    id_col: str,
    what: str,
) -> np.ndarray:
    """Pivot ``value`` into a (n_series × n_times) matrix, NaN where a series has no value.

    Column-major, filled through one flat index (no pandas pivot, no row × column pairs).
    """
    n = len(hierarchy.ids)
    cols, _ = _slices(frame, time_keys)
    n_t = int(cols.max()) + 1 if len(cols) else 0
    flat = _rows(hierarchy, frame[id_col], what)
    flat += cols * n
    del cols
    out = np.full((n, n_t), np.nan, order="F")
    out.ravel(order="K")[flat] = value() if callable(value) else value  # made when needed
    return out


def _residual_matrix(
    residuals: pd.DataFrame, hierarchy: Hierarchy, model: Any, id_col: str
) -> np.ndarray:
    res = residuals
    if "model" in res.columns:
        mask = (res["model"] == model).to_numpy(dtype=bool, na_value=False)
        if not mask.any():
            invalid(f"no residuals for model {model!r}", field="residuals")
        if not mask.all():  # copy the needed columns of this model's rows only
            res = res.loc[mask, [c for c in res.columns if c in (id_col, "cutoff", "ds", "y", "mean")]]
        del mask
    for col in ("y", "mean"):
        if col not in res.columns:
            invalid(f"residuals need the columns {id_col}, ds, y and mean (cross_validation "
                    f"output); {col!r} is missing", field="residuals")
    keys = [c for c in ("cutoff", "ds") if c in res.columns]
    m = _matrix(res, hierarchy, lambda: res["y"].to_numpy(np.float64) - res["mean"].to_numpy(np.float64),
                keys, id_col, "residuals")
    have = np.isfinite(m).any(axis=1)
    if not have.all():
        i = int(np.flatnonzero(~have)[0])
        invalid("series has no residuals", series=hierarchy.ids[i], field="residuals")
    complete = np.isfinite(m).all(axis=0)
    if not complete.any():
        invalid("no time has a residual for every series (residuals are used on the times "
                "where all series have one)", field="residuals")
    return m if complete.all() else np.asfortranarray(m[:, complete])


def _check_slices(
    flat: np.ndarray, n: int, K: int, hierarchy: Hierarchy, slices: pd.DataFrame, id_col: str
) -> None:
    """Names the first duplicated, then the first missing, (series, slice) of a forecast frame."""
    count = np.bincount(flat, minlength=n * K).reshape(K, n).T  # n × K
    if (count > 1).any():
        i, k = map(int, np.argwhere(count > 1)[0])
        invalid(f"two rows for the slice {dict(slices.iloc[k])}", series=hierarchy.ids[i],
                field=id_col)
    if (count == 0).any():
        i, k = map(int, np.argwhere(count == 0)[0])
        invalid(f"series of the hierarchy is missing from the forecasts (slice "
                f"{dict(slices.iloc[k])})", series=hierarchy.ids[i], field=id_col)


def _contiguous(idx: np.ndarray) -> bool:
    return len(idx) > 0 and int(idx[-1]) - int(idx[0]) + 1 == len(idx) and bool(
        (np.diff(idx) == 1).all())


def _crc32(block: np.ndarray) -> int:
    """CRC32 of the C-order bytes of ``block`` (the data's seed), a few thousand rows at a time."""
    crc = 0
    for lo in range(0, block.shape[0], 4096):
        crc = zlib.crc32(np.ascontiguousarray(block[lo : lo + 4096]), crc)
    return crc


def reconcile(
    fcst: Any,
    hierarchy: Hierarchy,
    method: str = "mint_shrink",
    nonnegative: bool = True,
    residuals: Any = None,
    level: str | int | None = None,
    *,
    top_down_method: str = "forecast_proportions",
    Y_df: Any = None,
    n_samples: int = 1000,
    tolerance: float = 1e-9,
    max_iterations: int = 20000,
    id_col: str = "unique_id",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Coherent forecasts: children sum to their parents at every level.

    Takes a ``predict`` or ``cross_validation`` frame holding every series of ``hierarchy``
    (``unique_id, ds, model, mean, p…`` and optionally ``cutoff``, ``y``, attributes) and
    returns the same rows and columns with ``mean`` and the quantile columns reconciled. Each
    model (and each cutoff) is reconciled separately.

    Methods: ``bottom_up``; ``top_down`` (split the top level by ``top_down_method``:
    ``forecast_proportions``, or ``average_proportions`` / ``proportion_averages`` from the
    history ``Y_df``); ``middle_out`` (top-down below ``level``, bottom-up above); MinT
    ``ols``, ``wls_struct``, ``wls_var`` and ``mint_shrink`` (the last two need
    ``residuals``). All are sparse or low rank in C++ and run with 10⁵ bottom series.

    Quantiles (columns ``p…``) are made coherent by reconciling sample paths: the bottom
    series' quantiles give marginal samples, joined by the empirical copula of the bottom
    residuals (independent, seeded from the data, without residuals), shifted to the
    reconciled bottom means and summed up the hierarchy (Ben Taieb et al. 2017); each
    series' quantiles are read from its paths, so they are ordered and coherent paths back
    them. Aggregated series' base quantiles are not used.

    With ``nonnegative`` (demand), negative base forecasts are clipped at 0 and the
    reconciled means and quantiles are >= 0; for MinT this solves the non-negative MinT
    problem by an accelerated projected gradient that stops at a relative KKT residual of
    ``tolerance`` or after ``max_iterations`` (the residual reached is reported in
    ``result.attrs["reconcile"]``).

    Args:
        fcst: forecasts of every series of the hierarchy.
        hierarchy: from :func:`aggregate`.
        method: one of :data:`METHODS`.
        nonnegative: keep reconciled means and quantiles >= 0.
        residuals: ``cross_validation`` output (or an in-sample frame with ``unique_id, ds,
            y, mean`` and ``model``) of every series: residuals ``y - mean`` of the same
            model, on the times where every series has one.
        level: the middle level (name or index) of ``middle_out``.
        top_down_method: proportions of ``top_down``/``middle_out``.
        Y_df: history (``unique_id, ds, y`` of every series, e.g. the frame from
            :func:`aggregate`) for the historical proportions.
        n_samples: sample paths per forecast slice for quantiles (rounded up to a multiple of
            the number of residual times).
        tolerance: relative KKT tolerance of non-negative MinT.
        max_iterations: iteration cap of non-negative MinT.
        id_col: the id column.
        n_jobs: threads (-1: every core) for the coherent quantiles (over the bottom series
            and the aggregated series of each slice), MinT and non-negative MinT (over fixed
            blocks of 32 slices) and top-down/middle-out (over blocks of 32 slices, or over
            bottom series for the historical rules); results are bit-identical for any value.

    Returns:
        A frame like ``fcst`` with coherent ``mean`` and quantiles; ``attrs["reconcile"]``
        holds, per model, ``kkt_residual``, ``iterations``, ``shrinkage`` and ``fallback``.

    Raises:
        QuickstockError: a series of the hierarchy missing from ``fcst`` (naming it and the
            slice), unknown series, duplicates, a bad method or level, or missing residuals
            or history.

    References:
        Wickramasuriya, Athanasopoulos & Hyndman (2019), JASA 114:804–819 (MinT);
        Schäfer & Strimmer (2005), SAGMB 4:32 (shrinkage); Ben Taieb, Taylor & Hyndman
        (2017), ICML (coherent probabilistic forecasts); Wickramasuriya, Turlach & Hyndman
        (2020), Stat. Comput. 30:1167 (non-negative MinT); Gross & Sohl (1990) (top-down).
    """
    if not isinstance(hierarchy, Hierarchy):
        invalid(f"expected a qs.Hierarchy, got {type(hierarchy).__name__}", field="hierarchy")
    if method not in METHODS:
        invalid(f"unknown method {method!r} (one of {', '.join(METHODS)})", field="method")
    if top_down_method not in TOP_DOWN_METHODS:
        invalid(f"unknown top_down_method {top_down_method!r} (one of "
                f"{', '.join(TOP_DOWN_METHODS)})", field="top_down_method")
    from .forecaster import _resolve_jobs

    n_threads = _resolve_jobs(n_jobs)
    fcst = to_pandas(fcst, "fcst")
    for col in (id_col, "ds", "model", "mean"):
        if col not in fcst.columns:
            invalid(f"column {col!r} is missing (expected predict or cross_validation output)",
                    field=col)
    level_index = 0
    if method == "middle_out":
        if level is None:
            invalid("middle_out needs level= (a level name of the hierarchy)", field="level")
        level_index = level if isinstance(level, (int, np.integer)) else hierarchy._core.level_index(str(level))
    qcols = [c for c in fcst.columns if _QUANTILE.match(str(c))]
    qlevels = [float(_QUANTILE.match(c).group(1)) / 100.0 for c in qcols]  # type: ignore[union-attr]
    order = np.argsort(qlevels)
    qcols = [qcols[i] for i in order]
    qlevels = [qlevels[i] for i in order]
    res_frame = None if residuals is None else to_pandas(residuals, "residuals")
    history = None
    if Y_df is not None:
        hist = to_pandas(Y_df, "Y_df")
        history = _matrix(hist, hierarchy, hist["y"].to_numpy(np.float64), ["ds"], id_col, "Y_df")
    n, nb = len(hierarchy.ids), len(hierarchy.bottom_ids)
    na = n - nb
    keys = ["model"] + (["cutoff"] if "cutoff" in fcst.columns else []) + ["ds"]
    cols, slices = _slices(fcst, keys)
    K = len(slices)
    # Position of every row in the n × K matrix of slices, column-major (series fastest), so a
    # model's slices are one contiguous block of columns.
    flat = _rows(hierarchy, fcst[id_col], id_col)
    flat += cols * n
    del cols
    seen = np.zeros(n * K, dtype=bool)
    seen[flat] = True
    if len(fcst) != n * K or not seen.all():  # else every cell has exactly one row
        _check_slices(flat, n, K, hierarchy, slices, id_col)
    del seen
    if qcols:  # row of fcst of every cell, slice-major
        row_of = np.empty(n * K, dtype=np.int64)
        row_of[flat] = np.arange(len(fcst), dtype=np.int64)
    base = np.empty((n, K), order="F")  # base forecasts, then (in place) the reconciled ones
    base.ravel(order="K")[flat] = fcst["mean"].to_numpy(np.float64)
    q_in = fcst[qcols].to_numpy(np.float64) if qcols else None
    q_out = np.empty((len(fcst), len(qcols))) if qcols else None
    report: dict[Any, dict[str, Any]] = {}
    for model, idx in slices.groupby("model", sort=False, observed=True).indices.items():
        idx = np.asarray(idx, dtype=np.int64)
        block: Any = slice(int(idx[0]), int(idx[-1]) + 1) if _contiguous(idx) else idx
        res = None
        if res_frame is not None and (method in ("wls_var", "mint_shrink") or qcols):
            res = _residual_matrix(res_frame, hierarchy, model, id_col)
        seed = _crc32(base[:, block]) if qcols else 0
        r = _core.reconcile(
            hierarchy._core,
            base[:, block],
            method,
            top_down_method,
            int(level_index),
            bool(nonnegative),
            float(tolerance),
            int(max_iterations),
            res if method in ("wls_var", "mint_shrink") else None,
            history,
            n_threads,
        )
        base[:, block] = r.pop("values")
        bottom = r.pop("bottom")
        report[model] = {k: r[k] for k in ("kkt_residual", "iterations", "shrinkage", "fallback")}
        if qcols:
            rows_k = row_of.reshape(K, n)[block]  # k × n: rows of fcst, slice-major
            qb = q_in[rows_k[:, na:].ravel()]  # (k·nb) × Q, slice-major
            q = _core.reconcile_quantiles(
                hierarchy._core,
                qb,
                bottom,
                None if res is None else np.asfortranarray(res[na:]),
                qlevels,
                int(n_samples),
                bool(nonnegative),
                seed,
                n_threads,
            )
            del qb
            q_out[rows_k.ravel()] = q.reshape(-1, len(qcols))
            del q
        del bottom, res
    out = fcst.copy(deep=False)  # unchanged columns are shared, reconciled ones replaced
    out["mean"] = base.ravel(order="K")[flat]
    del base, flat
    for j, c in enumerate(qcols):
        out[c] = q_out[:, j]  # type: ignore[index]
    out.attrs["reconcile"] = {"method": method, "models": report}
    return out
