"""Supply links on the engine: a year's links for a scope, and the CSR link arrays.

The lake's ``supply_links`` carry the int32 ``supplier_id`` / ``buyer_id`` of
:mod:`jiqun.engine.lake` beside the credit codes. Two reads are offered:

- :func:`scoped_links` — the links of a year with a buyer or a supplier inside a scope (regions,
  leading industries), both ends in the registry, and the firms they name: the filter runs in
  the engine and only the scope's rows reach pandas (what
  :func:`jiqun.services.resilience.load_network` and :func:`jiqun.services.chains` need);
- :func:`link_arrays` — the whole network of a year as the CSR arrays of
  :class:`jiqun.resilience.network.SupplyNetwork`, node ``k`` being firm id ``k``. The engine
  sums the rows of a (supplier, buyer) pair and sorts by supplier; the arrays are filled batch
  by batch from Arrow (``indices`` int32, ``data`` float64, per-supplier counts from the run
  lengths of each sorted batch), so no coordinate-form (row, column) copy of the links is ever
  made. The buyer-major arrays are SciPy's CSR → CSC conversion of those.

Memory: ``4 m + 8 m`` bytes for ``indices`` and ``data`` plus ``8 (n + 1)`` for ``indptr``,
twice (supplier- and buyer-major): ≈ 2.4 GB for 10⁸ links, beside one Arrow batch.

References
----------
docs/resilience.md (the CSR storage of the network); docs/scale.md (the engine).

Example
-------
>>> net = link_arrays(engine, 2023)  # doctest: +SKIP
>>> net.n_links, net.basis  # doctest: +SKIP
(412093, 'value')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy import sparse

from jiqun.engine import DEFAULT_MAX_ROWS, Engine
from jiqun.errors import JiqunError
from jiqun.resilience.network import SupplyNetwork

__all__ = [
    "MAX_LINKS",
    "latest_year",
    "link_arrays",
    "links_of_year",
    "scoped_links",
    "year_or_latest",
]

#: the most links of a scope pulled into pandas (a region's network, not the nation's)
MAX_LINKS = 20_000_000

#: the link columns the services read, as the store names them
LINK_COLUMNS = ("supplier", "buyer", "input_category", "value", "synthetic")
#: the firm columns of a network, as the store names them
FIRM_COLUMNS = ("id", "name", "region", "industry", "revenue", "lon", "lat", "synthetic")


def latest_year(engine: Engine, version: int | None = None) -> int | None:
    """The newest year of the lake's supply links, or ``None`` without links."""
    t = engine.table("supply_links", version)
    year = engine.scalar(t.year.max())
    return None if year is None or pd.isna(year) else int(year)


def year_or_latest(engine: Engine, year: int | None, version: int | None = None) -> int | None:
    """``year`` as asked, or the lake's newest supply-link year when none is asked for.

    Parameters
    ----------
    engine:
        The analytical engine.
    year:
        The year asked for, or ``None``.
    version:
        The lake version read (default: the current one).

    Returns
    -------
    int | None
        ``None`` only when no year is asked for and the lake holds no links.

    References
    ----------
    :func:`latest_year`.

    Example
    -------
    >>> year_or_latest(connect(), None)  # doctest: +SKIP
    2024
    """
    return latest_year(engine, version) if year is None else int(year)


def links_of_year(engine: Engine, year: int, version: int | None = None) -> ir.Table:
    """The lake's supply links of ``year`` (the partition is pruned: only its files are read)."""
    t = engine.table("supply_links", version)
    return t.filter(t.year == int(year))


def _ordered_links(t: ir.Table) -> ir.Table:
    # the store's order (services read ORDER BY supplier_uscc, buyer_uscc, input_category, unique
    # within a year): the node order of a network built from the rows is then the same
    return t.select(
        supplier=t.supplier_uscc,
        buyer=t.buyer_uscc,
        input_category=t.input_category,
        value=t.value,
        synthetic=t.synthetic,
    ).order_by(["supplier", "buyer", "input_category"])


def year_links(
    engine: Engine, year: int, *, max_rows: int = MAX_LINKS, version: int | None = None
) -> pd.DataFrame:
    """Every link of ``year``: ``supplier``, ``buyer`` (credit codes), ``input_category``,
    ``value``, ``synthetic``, in the store's order (supplier, buyer, input category).

    Raises
    ------
    jiqun.engine.TooManyRows
        More than ``max_rows`` links (use :func:`link_arrays`).
    """
    return engine.to_pandas(_ordered_links(links_of_year(engine, year, version)), max_rows)


def scoped_links(
    engine: Engine,
    year: int,
    *,
    regions: Sequence[str] | None = None,
    industries: Sequence[str] = (),
    max_rows: int = MAX_LINKS,
    version: int | None = None,
) -> dict[str, Any]:
    """The links of ``year`` touching a scope, and the firms they name, filtered in the engine.

    Parameters
    ----------
    engine:
        The analytical engine.
    year:
        The supply-link year.
    regions:
        Region codes whose firms are in scope (exact codes, as
        :class:`jiqun.services.chains.RegionSpec` lists them); ``None``: every firm.
    industries:
        With ``regions``: in scope only firms whose class starts with one of these (a
        cluster's leading industries); empty: any industry.
    max_rows:
        The most links pulled.
    version:
        Lake version.

    Returns
    -------
    dict: ``links`` (:data:`LINK_COLUMNS`, both ends in the registry, store order), ``firms``
    (:data:`FIRM_COLUMNS` of every firm the links name, one row each, any order), ``in_scope``
    (credit codes of those firms inside the scope), ``unknown`` (links of the year naming a firm
    missing from the registry, left out), ``total`` (links of the year).

    Example
    -------
    >>> scoped_links(engine, 2023, regions=["440300"])["links"].shape  # doctest: +SKIP
    (1822, 5)
    """
    ent = engine.table("enterprises", version)
    lk = links_of_year(engine, year, version)
    known = ent.select(k_uscc=ent.uscc)
    ok = lk.semi_join(known, lk.supplier_uscc == known.k_uscc)
    # a self-join: each use of a table on both sides is a view of its own (Ibis)
    known2 = known.view()
    ok = ok.semi_join(known2, ok.buyer_uscc == known2.k_uscc)
    total, kept = int(engine.scalar(lk.count())), int(engine.scalar(ok.count()))
    codes = None if regions is None else list(dict.fromkeys(str(r) for r in regions))
    lead = [str(x) for x in industries]

    def scope_of() -> ir.Table:
        t = ent.view()
        return t if codes is None else t.filter(_inside(t, codes, lead))

    if codes is not None:
        s = scope_of()
        s = s.select(s_uscc=s.uscc)
        s2 = s.view()
        by_sup = ok.semi_join(s, ok.supplier_uscc == s.s_uscc)
        by_buy = ok.semi_join(s2, ok.buyer_uscc == s2.s_uscc)
        ok = by_sup.union(by_buy, distinct=True)
    links = engine.to_pandas(_ordered_links(ok), max_rows)
    ends = ok.select(n_uscc=ok.supplier_uscc).union(ok.select(n_uscc=ok.buyer_uscc))
    named = ent.view()
    named = named.semi_join(ends, named.uscc == ends.n_uscc)
    firms = engine.to_pandas(
        named.select(
            id=named.uscc,
            name=named.name,
            region=named.region_code,
            industry=named.industry_code,
            revenue=named.revenue,
            lon=named.lon,
            lat=named.lat,
            synthetic=named.synthetic,
        ),
        max_rows,
    )
    if codes is None:
        in_scope = set(firms["id"])
    else:
        sc = scope_of()
        ends2 = ends.view()
        inside_ids = engine.to_pandas(
            sc.semi_join(ends2, sc.uscc == ends2.n_uscc).select("uscc"), max_rows
        )
        in_scope = set(inside_ids["uscc"])
    return {
        "links": links,
        "firms": firms,
        "in_scope": in_scope,
        "unknown": total - kept,
        "total": total,
    }


def _inside(t: ir.Table, codes: Sequence[str], lead: Sequence[str]) -> ir.BooleanValue:
    """Registered in one of ``codes`` and, with ``lead``, classed under one of those industries."""
    inside = t.region_code.isin(list(codes)) if codes else ibis.literal(False)
    if lead:
        cond = t.industry_code.startswith(lead[0])
        for x in lead[1:]:
            cond = cond | t.industry_code.startswith(x)
        inside = inside & cond
    return inside


def _arrays_from_batches(
    engine: Engine, expr: ir.Table, n: int, m: int, chunk_size: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fill CSR arrays from the sorted (supplier_id, buyer_id, w) rows, batch by batch."""
    counts = np.zeros(n, dtype=np.int64)
    indices = np.empty(m, dtype=np.int32)
    data = np.empty(m, dtype=np.float64)
    at = 0
    last = -1
    for batch in engine.batches(expr, chunk_size=chunk_size):
        k = batch.num_rows
        if not k:
            continue
        if at + k > m:
            raise JiqunError(
                "供应关系在读取时发生变化", "the supply links changed while they were read"
            )
        sup = batch.column("supplier_id").to_numpy(zero_copy_only=False)
        if sup[0] < last or (k > 1 and (np.diff(sup) < 0).any()):
            raise JiqunError(
                "引擎未按供应方排序返回关系", "the engine did not return the links by supplier"
            )
        indices[at : at + k] = batch.column("buyer_id").to_numpy(zero_copy_only=False)
        data[at : at + k] = batch.column("w").to_numpy(zero_copy_only=False)
        # run lengths of the sorted supplier ids: one count per supplier of the batch
        starts = np.flatnonzero(np.r_[True, sup[1:] != sup[:-1]])
        counts[sup[starts]] += np.diff(np.r_[starts, k])
        last = int(sup[-1])
        at += k
    if at != m:
        raise JiqunError(
            "供应关系在读取时发生变化", "the supply links changed while they were read"
        )
    # int32 offsets while they fit: SciPy keeps one index type for indptr and indices
    indptr = np.zeros(n + 1, dtype=np.int32 if m < 2**31 else np.int64)
    indptr[1:] = np.cumsum(counts)
    return indptr, indices, data


def link_arrays(
    engine: Engine,
    year: int | None = None,
    *,
    basis: str | None = None,
    labels: bool = False,
    chunk_size: int = 1_000_000,
    version: int | None = None,
) -> SupplyNetwork:
    """The supply network of a year as CSR arrays, built on the engine from the lake.

    Node ``k`` is firm id ``k`` of the lake (every id, isolated firms included, so the arrays of
    two years or two versions align). ``W_ji`` sums the rows of supplier ``j`` and buyer ``i``
    (several input categories); self-links are left out and counted.

    Parameters
    ----------
    engine:
        The analytical engine.
    year:
        The supply-link year (default: the newest).
    basis:
        ``"value"`` (link weights are values) or ``"count"`` (each row weighs 1); default: value,
        unless a link of the year lacks one (the rule of
        :func:`jiqun.services.resilience.load_network`).
    labels:
        Label the nodes with credit codes (pulls the id table: 6 × 10⁷ codes ≈ 4 GB at national
        scale); default: the int32 firm ids.
    chunk_size:
        Rows per Arrow batch.
    version:
        Lake version.

    Returns
    -------
    SupplyNetwork (``indices`` int32; ``index`` the firm ids, or the credit codes).

    Raises
    ------
    JiqunError
        No links, or rows changing while read.

    References
    ----------
    :func:`jiqun.resilience.network.build_network` (the same arrays from a link table).

    Example
    -------
    >>> link_arrays(engine, 2023).matrix().shape  # doctest: +SKIP
    (5213, 5213)
    """
    year = year_or_latest(engine, year, version)
    if year is None:
        raise JiqunError("数据湖中没有供应关系", "the lake holds no supply links")
    lk = links_of_year(engine, year, version)
    head = engine.to_pandas(
        lk.aggregate(
            rows=lk.count(),
            no_value=lk.value.isnull().cast("int64").sum(),
            self_links=(lk.supplier_id == lk.buyer_id).cast("int64").sum(),
        ),
        max_rows=1,
    )
    if not len(head) or int(head["rows"].iloc[0]) == 0:
        raise JiqunError(f"{year} 年没有供应关系", f"no supply links for year {year}")
    no_value = head["no_value"].iloc[0]
    if basis is None:
        basis = "count" if (not pd.isna(no_value) and int(no_value) > 0) else "value"
    ids = engine.table("firm_ids", version)
    n = int(engine.scalar(ids.firm_id.max())) + 1
    lk = lk.filter(lk.supplier_id != lk.buyer_id)
    weight = lk.value.cast("float64").sum() if basis == "value" else lk.count().cast("float64")
    pairs = (
        lk.group_by(["supplier_id", "buyer_id"])
        .aggregate(w=weight)
        .order_by(["supplier_id", "buyer_id"])
    )
    m = int(engine.scalar(pairs.count()))
    indptr, indices, data = _arrays_from_batches(engine, pairs, n, m, chunk_size)
    W = sparse.csr_array((data, indices, indptr), shape=(n, n), copy=False)
    if labels:
        codes = engine.to_pandas(ids.order_by("firm_id"), max_rows=max(n, DEFAULT_MAX_ROWS))
        full = np.full(n, None, dtype=object)
        full[codes["firm_id"].to_numpy(dtype=np.int64)] = codes["uscc"].to_numpy(dtype=object)
        index = pd.Index(full)
    else:
        index = pd.RangeIndex(n)
    self_links = head["self_links"].iloc[0]
    # the buyer-side arrays are W's CSC arrays: still no coordinate-form copy
    return SupplyNetwork.from_csr(W, index, basis, 0 if pd.isna(self_links) else int(self_links))
