"""Golden check of the analytical engine on a full database: every ported path gives, through the
lake, the results the store path gives.

The engine-marked tests (tests/engine) compare the two paths on the small test demo; this script
does the same on a database too big for CI (the 200,000-firm demo). It copies the database (the
source is only read), syncs the lake (:func:`jiqun.services.lake.sync`) and computes every result
twice in one process: once with :func:`jiqun.services.lake.reading` answering ``None`` (what every
ported service does without a current lake: it reads the store) and once through the lake. Cached
results of the two passes are kept apart by a tag added to the cache's data version, so neither
pass serves the other's result.

Checks (one JSON line each, then a verdict line; exit status 1 on any mismatch):

``policy``
    every stored policy (:func:`jiqun.services.policy.firms_for_policy`) and the rules of
    tests/engine/test_eligibility.py (:func:`jiqun.services.policy.rule_firms`): same firms,
    same order, same columns, the same counts of firms left out for missing data.
``diagnosis-eg-inputs``, ``diagnosis``
    for every cluster, the Ellison–Glaeser inputs the diagnosis hands to
    :func:`jiqun.analytics.diagnose` (firm rows from the store summed per prefecture × industry
    here, against the engine's Σsize, Σsize², n), and every table of
    :func:`jiqun.services.diagnosis.diagnose_cluster` and its notes and basis.
``link-arrays``
    :func:`jiqun.engine.links.link_arrays` (CSR from Arrow batches) against
    :func:`jiqun.resilience.network.build_network` on the store's links of the year, both bases.
``network``, ``resilience-metrics``
    for every cluster, the network :func:`jiqun.services.resilience.load_network` loads (links and
    firms) and :func:`jiqun.services.resilience.resilience_metrics` on it.
``chain-links``, ``chain-report``
    the year's links of the chain analyses (:func:`jiqun.services.chains._links`) and
    :func:`jiqun.services.chains.chain_report` for the clusters asked (``--chain-clusters``).
``matching``
    supplier and partner searches: the same candidates, order and scores.
``cell-matrix``
    :func:`jiqun.engine.aggregates.cell_matrix` of the lake's enterprises (region × industry:
    Σrevenue, Σrevenue², Σemployees, n) against the pandas pivot of the store's firm rows.

Numbers agree when ``|a − b| ≤ tol · max(1, |b|)`` (``--tol``, default 1e-9); text, counts and
order must be equal.

Usage::

    nice -n 5 uv run --frozen python benchmarks/check_engine_golden.py \\
        --copy-from /path/to/jiqun.sqlite3 --data-dir /tmp/golden --json out.jsonl

References
----------
tests/engine/test_eligibility.py, test_links.py, test_matching.py, test_aggregates.py: the same
comparisons on the test demo.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ON = dt.date(2026, 6, 1)

#: the rules of tests/engine/test_eligibility.py: every field and operator of jiqun.policy.rules
RULES: list[list[dict[str, Any]]] = [
    [{"field": "region", "op": "in", "value": ["320000", "4403"]}],
    [
        {"field": "region", "op": "in", "value": ["3205"]},
        {"field": "employees", "op": ">", "value": 20},
    ],
    [{"field": "industry", "op": "in", "value": ["39", "2611"]}],
    [{"field": "tags", "op": "all", "value": ["srdi", "little_giant"]}],
    [{"field": "tags", "op": "any", "value": ["high_tech", "single_champion"]}],
    [
        {"field": "revenue", "op": "<=", "value": 800},
        {"field": "rd_expense", "op": ">", "value": 10},
    ],
    [{"field": "employees", "op": "==", "value": 50}],
    [{"field": "rd_intensity", "op": "<", "value": 0.01}],
    [{"field": "firm_age", "op": "<", "value": 5.5}],
    [{"field": "firm_age", "op": ">", "value": 12}, {"field": "revenue", "op": ">", "value": 0}],
    [{"field": "digital_level", "op": ">=", "value": 3}],
    [
        {"field": "cluster", "op": "in", "value": ["NC2022-04", "NC2021-03", "NO-SUCH"]},
        {
            "any_of": [
                {"field": "firm_age", "op": ">=", "value": 8},
                {"field": "tags", "op": "has", "value": "srdi"},
                {"field": "digital_level", "op": "<=", "value": 2},
            ]
        },
    ],
]


# ---------------------------------------------------------------------------------------------
# comparison
# ---------------------------------------------------------------------------------------------
class Tally:
    """The running comparison of one check: items, largest differences, mismatches."""

    def __init__(self, check: str, tol: float) -> None:
        self.check = check
        self.tol = tol
        self.items = 0
        self.values = 0
        self.max_abs = 0.0
        self.max_rel = 0.0
        self.mismatches: list[str] = []
        self.t0 = time.perf_counter()

    def bad(self, what: str) -> None:
        """Record a mismatch (the first few are printed)."""
        self.mismatches.append(what)

    def numbers(self, a: np.ndarray, b: np.ndarray, what: str) -> None:
        """Compare two float arrays of one shape (NaN equals NaN)."""
        a = np.asarray(a, dtype="float64").ravel()
        b = np.asarray(b, dtype="float64").ravel()
        if a.shape != b.shape:
            self.bad(f"{what}: shape {a.shape} != {b.shape}")
            return
        self.values += a.size
        na, nb = np.isnan(a), np.isnan(b)
        if (na != nb).any():
            self.bad(f"{what}: {int((na != nb).sum())} missing values differ")
        ok = ~(na | nb)
        inf = np.isinf(a) | np.isinf(b)
        if (a[ok & inf] != b[ok & inf]).any():
            self.bad(f"{what}: infinite values differ")
        ok &= ~inf
        if not ok.any():
            return
        x, y = a[ok], b[ok]
        d = np.abs(x - y)
        scale = np.maximum(np.abs(x), np.abs(y))
        rel = np.divide(d, scale, out=np.zeros_like(d), where=scale > 0)
        self.max_abs = max(self.max_abs, float(d.max()))
        self.max_rel = max(self.max_rel, float(rel.max()))
        over = d > self.tol * np.maximum(1.0, np.abs(y))
        if over.any():
            i = int(np.argmax(d - self.tol * np.maximum(1.0, np.abs(y))))
            self.bad(
                f"{what}: {int(over.sum())} values beyond tolerance (e.g. {x[i]!r} vs {y[i]!r})"
            )

    def equal(self, a: Any, b: Any, what: str) -> None:
        """Exact equality of two plain values (numbers within the tolerance)."""
        self.values += 1
        if isinstance(a, dict) and isinstance(b, dict):
            if set(a) != set(b):
                self.bad(f"{what}: keys {sorted(set(a) ^ set(b), key=str)} differ")
                return
            for k in a:
                self.equal(a[k], b[k], f"{what}.{k}")
            return
        if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
            if len(a) != len(b):
                self.bad(f"{what}: length {len(a)} != {len(b)}")
                return
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                self.equal(x, y, f"{what}[{i}]")
            return
        if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
            self.frame(a, b, what)
            return
        num = (int, float, np.integer, np.floating)
        if (
            isinstance(a, num)
            and isinstance(b, num)
            and not isinstance(a, bool)
            and not isinstance(b, bool)
        ):
            self.numbers(np.array([a]), np.array([b]), what)
            return
        try:
            same = bool(a == b) or (pd.isna(a) and pd.isna(b))
        except (TypeError, ValueError):
            same = repr(a) == repr(b)
        if not same:
            self.bad(f"{what}: {a!r} != {b!r}")

    def frame(self, a: pd.DataFrame, b: pd.DataFrame, what: str) -> None:
        """Compare two frames: columns, index and order exactly, numbers within the tolerance,
        other values equal (missing equals missing; dtypes are not compared)."""
        self.items += len(b)
        if list(a.columns) != list(b.columns):
            self.bad(f"{what}: columns {list(a.columns)} != {list(b.columns)}")
            return
        if len(a) != len(b):
            self.bad(f"{what}: {len(a)} rows != {len(b)}")
            return
        if not a.index.equals(b.index):
            self.bad(f"{what}: index differs")
        for col in b.columns:
            x, y = a[col], b[col]
            if isinstance(x, pd.DataFrame):  # duplicated column names
                x, y = x.iloc[:, 0], y.iloc[:, 0]
            numeric = all(
                pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
                for s in (x, y)
            )
            if numeric:
                self.numbers(
                    x.to_numpy(dtype="float64"), y.to_numpy(dtype="float64"), f"{what}.{col}"
                )
                continue
            self.values += len(y)
            xo, yo = x.astype(object).to_numpy(), y.astype(object).to_numpy()
            diff = 0
            for u, v in zip(xo, yo, strict=True):
                try:
                    same = bool(u == v)
                except (TypeError, ValueError):
                    same = repr(u) == repr(v)
                if not same and not (_missing(u) and _missing(v)):
                    diff += 1
            if diff:
                self.bad(f"{what}.{col}: {diff} values differ")

    def line(self, **extra: Any) -> dict[str, Any]:
        """The check's JSON record."""
        return {
            "check": self.check,
            "items": self.items,
            "values": self.values,
            "max_abs_diff": self.max_abs,
            "max_rel_diff": self.max_rel,
            "mismatches": len(self.mismatches),
            "first_mismatches": self.mismatches[:5],
            "seconds": round(time.perf_counter() - self.t0, 2),
            **extra,
        }


def _missing(v: Any) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


# ---------------------------------------------------------------------------------------------
# the two paths
# ---------------------------------------------------------------------------------------------
class Paths:
    """Switch the services between the store path and the engine path (see the module text)."""

    def __init__(self) -> None:
        from jiqun.services import cache, lake

        self.lake = lake
        self.real_reading = lake.reading
        self.tag = "engine"
        self.reads = 0
        real_version = cache.data_version

        def tagged(engine: Any) -> tuple[Any, ...]:
            return (*real_version(engine), f"golden:{self.tag}")

        # cached() looks the version up in its module: the two passes never share a result
        cache.data_version = tagged

        @contextlib.contextmanager
        def counting(engine: Any = None) -> Iterator[Any]:
            with self.real_reading(engine) as eng:
                if eng is not None:
                    self.reads += 1
                yield eng

        @contextlib.contextmanager
        def nothing(engine: Any = None) -> Iterator[None]:
            yield None

        self.counting = counting
        self.nothing = nothing

    @contextlib.contextmanager
    def use(self, kind: str) -> Iterator[None]:
        """``store``: every ported service reads the store; ``engine``: the current lake."""
        self.tag = kind
        self.lake.reading = self.nothing if kind == "store" else self.counting
        try:
            yield
        finally:
            self.lake.reading = self.real_reading
            self.tag = "engine"

    def both(self, fn: Callable[[], Any]) -> tuple[Any, Any, int]:
        """``fn()`` on the store path, then on the engine path, and the lake reads it made."""
        with self.use("store"):
            old = fn()
        before = self.reads
        with self.use("engine"):
            new = fn()
        return old, new, self.reads - before


# ---------------------------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------------------------
def check_policy(engine: Any, paths: Paths, tol: float, kind: str) -> dict[str, Any]:
    from jiqun.services.policy import firms_for_policy, list_policies, rule_firms

    t = Tally("policy", tol)
    ids = [str(p) for p in list_policies(engine)["policy_id"]]
    same = ("qualifying", "unknown_missing_data", "synthetic")
    for pid in ids:
        (old, oi), (new, ni), _ = paths.both(lambda pid=pid: firms_for_policy(pid, engine, on=ON))
        t.equal(oi["evaluated_in"], engine.dialect.name, f"{pid} store path")
        t.equal(ni["evaluated_in"], kind, f"{pid} engine path")
        t.frame(new, old, pid)
        t.equal({k: ni[k] for k in same}, {k: oi[k] for k in same}, f"{pid} info")
    firms = 0
    for i, rule in enumerate(RULES):
        old, new, _ = paths.both(lambda rule=rule: rule_firms(rule, engine, ON))
        t.equal(old[2], engine.dialect.name, f"rule {i} store path")
        t.equal(new[2], kind, f"rule {i} engine path")
        t.frame(new[0], old[0], f"rule {i}")
        t.equal(new[1], old[1], f"rule {i} unknown")
        firms += len(old[0])
    return t.line(policies=len(ids), rules=len(RULES), rule_firms=firms)


def _eg_cells(firms: pd.DataFrame) -> pd.DataFrame:
    """Firm rows (region, industry, size) summed as the engine sums them."""
    f = firms.assign(size=firms["size"].astype("float64"))
    g = (
        f.assign(size_sq=f["size"] * f["size"])
        .groupby(["region", "industry"], sort=True)
        .agg(size=("size", "sum"), size_sq=("size_sq", "sum"), n=("size", "size"))
        .reset_index()
    )
    return g


def check_diagnosis(
    engine: Any, paths: Paths, tol: float, clusters: list[str]
) -> list[dict[str, Any]]:
    from jiqun.services import diagnosis

    inputs = Tally("diagnosis-eg-inputs", tol)
    results = Tally("diagnosis", tol)
    real = diagnosis.diagnose
    seen: list[Any] = []

    def spy(*a: Any, **k: Any) -> Any:
        seen.append(k.get("firms"))
        return real(*a, **k)

    diagnosis.diagnose = spy  # type: ignore[assignment]
    refused = 0
    try:
        for cid in clusters:
            seen.clear()
            old, new, reads = paths.both(
                lambda cid=cid: _refusal(diagnosis.diagnose_cluster.compute, cid, engine)
            )
            if isinstance(old, str) or isinstance(new, str):
                refused += 1
                results.equal(new, old, f"{cid} refusal")
                continue
            if reads < 1:
                results.bad(f"{cid}: the engine path did not read the lake")
            of, nf = seen[0], seen[1]
            if of is None or nf is None:
                inputs.equal(nf is None, of is None, f"{cid} firms given")
            else:
                want = _eg_cells(of)
                got = nf[["region", "industry", "size", "size_sq", "n"]].reset_index(drop=True)
                inputs.frame(got, want, cid)
            results.equal(sorted(new.tables), sorted(old.tables), f"{cid} tables")
            for name in old.tables:
                if name in new.tables:
                    results.frame(new.tables[name], old.tables[name], f"{cid}.{name}")
            results.equal(new.notes, old.notes, f"{cid} notes")
            results.equal(new.basis, old.basis, f"{cid} basis")
            results.equal(new.cluster, old.cluster, f"{cid} cluster")
    finally:
        diagnosis.diagnose = real  # type: ignore[assignment]
    return [
        inputs.line(clusters=len(clusters) - refused),
        results.line(clusters=len(clusters), refused_both=refused),
    ]


def _refusal(fn: Callable[..., Any], *a: Any, **k: Any) -> Any:
    from jiqun.errors import JiqunError

    try:
        return fn(*a, **k)
    except JiqunError as exc:
        return f"refused: {exc}"


def check_link_arrays(engine: Any, tol: float) -> dict[str, Any]:
    from sqlalchemy import text

    from jiqun.engine.links import link_arrays
    from jiqun.resilience.network import build_network
    from jiqun.services import lake

    t = Tally("link-arrays", tol)
    with engine.connect() as c:
        year = c.execute(text("SELECT MAX(year) FROM supply_links")).scalar()
        links = pd.read_sql(
            text(
                "SELECT supplier_uscc AS supplier, buyer_uscc AS buyer, value FROM supply_links "
                "WHERE year = :y"
            ),
            c,
            params={"y": year},
        )
    with lake.reading(engine) as eng:
        if eng is None:
            t.bad("the lake is not current")
            return t.line()
        ids = eng.to_pandas(eng.table("firm_ids").order_by("firm_id"))
        t.equal(ids["firm_id"].tolist() == list(range(len(ids))), True, "dense firm ids")
        nodes = pd.DataFrame({"id": ids["uscc"]})
        for basis, value in (("value", "value"), ("count", None)):
            want = build_network(links, nodes, value=value)
            got = link_arrays(eng, year, basis=basis, labels=True)
            for name in ("indptr", "indices", "t_indptr", "t_indices"):
                x, y = getattr(got, name), getattr(want, name)
                t.items += len(y)
                if x.shape != y.shape or not np.array_equal(x, y):
                    t.bad(f"{basis}.{name} differs")
            for name in ("data", "t_data"):
                t.numbers(getattr(got, name), getattr(want, name), f"{basis}.{name}")
            t.equal(got.basis, want.basis, f"{basis}.basis")
            t.equal(got.dropped_self_links, want.dropped_self_links, f"{basis}.self links")
            t.equal(list(got.index) == list(want.index), True, f"{basis}.index")
            if got.indices.dtype != np.int32:
                t.bad(f"{basis}: indices are {got.indices.dtype}, not int32")
    return t.line(year=int(year), links=len(links), firms=len(ids))


def check_networks(
    engine: Any, paths: Paths, tol: float, clusters: list[str], esri: int
) -> list[dict[str, Any]]:
    from jiqun.services.resilience import load_network, resilience_metrics

    net = Tally("network", tol)
    met = Tally("resilience-metrics", tol)
    refused = 0
    for cid in clusters:
        t0 = time.perf_counter()
        old, new, reads = paths.both(lambda cid=cid: _refusal(load_network, engine, cluster=cid))
        net_s = time.perf_counter() - t0
        if isinstance(old, str) or isinstance(new, str):
            refused += 1
            net.equal(new, old, f"{cid} refusal")
            continue
        if reads < 1:
            net.bad(f"{cid}: the engine path did not read the lake")
        net.equal(new.basis, old.basis, f"{cid} basis")
        net.equal(new.notes, old.notes, f"{cid} notes")
        net.equal(new.year, old.year, f"{cid} year")
        net.frame(new.links, old.links, f"{cid}.links")
        net.frame(new.firms, old.firms, f"{cid}.firms")
        t1 = time.perf_counter()
        old, new, _ = paths.both(
            lambda cid=cid: _refusal(resilience_metrics, engine, cluster=cid, esri_candidates=esri)
        )
        if isinstance(old, str) or isinstance(new, str):
            met.equal(new, old, f"{cid} refusal")
            continue
        met.equal(new.summary, old.summary, f"{cid} summary")
        met.equal(new.notes, old.notes, f"{cid} notes")
        met.equal(new.basis, old.basis, f"{cid} basis")
        for name in old.TABLES:
            met.frame(getattr(new, name), getattr(old, name), f"{cid}.{name}")
        print(
            f"# {cid}: network {net_s:.1f} s, metrics {time.perf_counter() - t1:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    return [
        net.line(clusters=len(clusters), refused_both=refused),
        met.line(clusters=len(clusters) - refused, esri_candidates=esri),
    ]


def check_chains(
    engine: Any, paths: Paths, tol: float, clusters: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    from jiqun.services import chains

    lk = Tally("chain-links", tol)
    (old, oy), (new, ny), reads = paths.both(lambda: chains._links(engine, None))
    if reads < 1:
        lk.bad("the engine path did not read the lake")
    lk.equal(ny, oy, "year")
    old = old.assign(synthetic=old["synthetic"].astype(bool))
    lk.frame(new, old, "links")
    out = [lk.line(year=oy)]
    rep = Tally("chain-report", tol)
    for cid, template in clusters:
        old, new, _ = paths.both(
            lambda cid=cid, template=template: _refusal(
                chains.chain_report, template, cluster=cid, engine=engine
            )
        )
        if isinstance(old, str) or isinstance(new, str):
            rep.equal(new, old, f"{cid} refusal")
            continue
        rep.equal(new.summary(), old.summary(), f"{cid} {template} summary")
        rep.equal(new.notes, old.notes, f"{cid} notes")
        rep.equal(new.basis, old.basis, f"{cid} basis")
        nt, ot = new.tables(), old.tables()
        rep.equal(sorted(nt), sorted(ot), f"{cid} tables")
        for name in ot:
            if name in nt:
                rep.frame(nt[name], ot[name], f"{cid}.{name}")
    out.append(rep.line(clusters=len(clusters)))
    return out


def _buyer(engine: Any, region: str) -> str:
    from sqlalchemy import text

    with engine.connect() as c:
        return str(
            c.execute(
                text("SELECT MIN(uscc) FROM enterprises WHERE region_code LIKE :r"),
                {"r": region + "%"},
            ).scalar()
        )


def check_matching(engine: Any, paths: Paths, tol: float) -> dict[str, Any]:
    from jiqun.matching import Need
    from jiqun.services import matching as svc

    buyer = _buyer(engine, "3205")
    # the searches of tests/engine/test_matching.py
    searches: list[tuple[str, dict[str, Any]]] = [
        ("s", {"need": Need("减速器", "3453", uscc=buyer)}),
        ("s", {"need": Need("减速器", "3453", uscc=buyer), "prefer_cross_region": True}),
        ("s", {"need": Need("伺服电机 控制器", None, uscc=_buyer(engine, "4403"))}),
        ("s", {"need": Need("", "3982", region_code="320505", lon=120.6, lat=31.3)}),
        ("s", {"need": Need("锂电池", "3841", uscc=buyer, quantity=500.0, unit="万元")}),
        ("s", {"need": Need("碳纤维", None, uscc=buyer), "cluster": "NC2022-04"}),
        ("p", {"keywords": "碳纤维 复合材料", "home_region": "320500"}),
        ("p", {"keywords": "伺服电机", "field": "high_end_equipment", "home_region": "440300"}),
        ("p", {"keywords": "", "field": "new_materials", "region": "320000"}),
        ("p", {"keywords": "传感器", "tags": ("high_tech",), "region": "440300"}),
        ("p", {"keywords": "集成电路", "tags": ("srdi",), "home_region": "310000"}),
        ("p", {"keywords": "的", "region": "440300", "home_region": "320500"}),
    ]
    t = Tally("matching", tol)
    rows = 0
    lake_reads = 0
    for i, (kind, kw) in enumerate(searches):
        fn = svc.match_need if kind == "s" else svc.find_partners
        old, new, reads = paths.both(lambda fn=fn, kw=kw: _refusal(fn, engine=engine, top=25, **kw))
        lake_reads += reads
        if isinstance(old, str) or isinstance(new, str):
            t.equal(new, old, f"search {i} refusal")
            continue
        t.equal(new.table["uscc"].tolist(), old.table["uscc"].tolist(), f"search {i} order")
        t.equal(new.candidates, old.candidates, f"search {i} candidates")
        t.equal(new.notes, old.notes, f"search {i} notes")
        t.equal(new.basis, old.basis, f"search {i} basis")
        t.frame(new.table, old.table, f"search {i}")
        rows += len(old.table)
    return t.line(searches=len(searches), rows=rows, lake_reads=lake_reads)


def check_cell_matrix(engine: Any, tol: float) -> dict[str, Any]:
    from sqlalchemy import text

    from jiqun.engine.aggregates import cell_matrix
    from jiqun.services import lake

    t = Tally("cell-matrix", tol)
    with lake.reading(engine) as eng:
        if eng is None:
            t.bad("the lake is not current")
            return t.line()
        e = eng.table("enterprises")
        e = e.mutate(revenue2=e.revenue * e.revenue)
        t0 = time.perf_counter()
        m = cell_matrix(
            eng,
            e,
            row="region_code",
            col="industry_code",
            sums=["revenue", "revenue2", "employees"],
        )
        engine_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    with engine.connect() as c:
        df = pd.read_sql(
            text("SELECT region_code, industry_code, revenue, employees FROM enterprises"), c
        )
    kept = df.dropna(subset=["region_code", "industry_code"])
    kept = kept.assign(revenue2=kept["revenue"] * kept["revenue"])
    g = kept.groupby(["region_code", "industry_code"]).agg(
        revenue=("revenue", "sum"),
        revenue2=("revenue2", "sum"),
        employees=("employees", "sum"),
        n=("revenue", "size"),
    )
    pandas_s = time.perf_counter() - t1
    t.equal(m.cells, len(g), "cells")
    t.equal(m.rows, sorted(kept["region_code"].unique()), "rows")
    t.equal(m.cols, sorted(kept["industry_code"].unique()), "cols")
    for name in ("revenue", "revenue2", "employees", "n"):
        want = g[name].unstack(fill_value=0).reindex(index=m.rows, columns=m.cols, fill_value=0)
        t.numbers(m.values[name], want.to_numpy(dtype=float), name)
    t.items = len(kept)
    return t.line(
        firms=len(df),
        cells=int(m.cells),
        shape=list(m.values["n"].shape),
        engine_seconds=round(engine_s, 2),
        pandas_seconds=round(pandas_s, 2),
    )


# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------
CHECKS = ("policy", "diagnosis", "links", "networks", "chains", "matching", "cell-matrix")


def _copy(src: Path, data: Path) -> Path:
    """Copy the database file (and a non-empty WAL) into ``data``; the source is only read."""
    data.mkdir(parents=True, exist_ok=True)
    db = data / "jiqun.sqlite3"
    if db.resolve() == src.resolve():
        raise SystemExit("--data-dir must not hold the source database")
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.unlink(missing_ok=True)
    for d in ("lake", "cache"):
        shutil.rmtree(data / d, ignore_errors=True)
    shutil.copyfile(src, db)
    wal = Path(f"{src}-wal")
    if wal.exists() and wal.stat().st_size:
        shutil.copyfile(wal, f"{db}-wal")
    return db


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copy-from", required=True, type=Path, help="the database to copy")
    ap.add_argument("--data-dir", required=True, type=Path, help="where the copy and lake go")
    ap.add_argument("--json", type=Path, help="also append the JSON lines to this file")
    ap.add_argument("--engine", default="duckdb", choices=("duckdb", "spark-local"))
    ap.add_argument("--tol", type=float, default=1e-9)
    ap.add_argument("--only", nargs="*", choices=CHECKS, help="run only these checks")
    ap.add_argument(
        "--tier",
        default="national",
        help="the clusters of this tier (national, sme_characteristic) or 'all'",
    )
    ap.add_argument("--clusters", type=int, help="only the first N clusters (a trial run)")
    ap.add_argument("--esri-candidates", type=int, default=10)
    ap.add_argument(
        "--chain-clusters",
        type=int,
        default=None,
        help="chain reports for the first N clusters (default: every cluster)",
    )
    ap.add_argument(
        "--chain-skip", type=int, default=0, help="no chain report for the first N clusters"
    )
    args = ap.parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    out = args.json.open("a", encoding="utf-8") if args.json else None

    def emit(rec: dict[str, Any]) -> None:
        line = json.dumps(rec, ensure_ascii=False, default=str)
        print(line, flush=True)
        if out is not None:
            out.write(line + "\n")
            out.flush()

    data = args.data_dir.resolve()
    t0 = time.perf_counter()
    db = _copy(args.copy_from.resolve(), data)
    os.environ["JIQUN_DATA_DIR"] = str(data)
    os.environ["JIQUN_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["JIQUN_ENGINE"] = args.engine
    os.environ.pop("JIQUN_LAKE_DIR", None)
    copy_s = time.perf_counter() - t0

    from sqlalchemy import text

    from jiqun.services import lake
    from jiqun.store.db import get_engine

    engine = get_engine()
    t1 = time.perf_counter()
    synced = lake.sync(engine, refresh=False)
    emit(
        {
            "check": "setup",
            "engine": args.engine,
            "source": str(args.copy_from),
            "copy_seconds": round(copy_s, 2),
            "sync_seconds": round(time.perf_counter() - t1, 2),
            "lake_version": synced["version"],
            "tables": synced["tables"],
            "fresh": lake.is_fresh(engine),
            "started": started.isoformat(timespec="seconds"),
            "load": os.getloadavg(),
        }
    )
    paths = Paths()
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT cluster_id, tier, field FROM clusters ORDER BY cluster_id")
        ).all()
    order = {"national": 0}
    rows = sorted(rows, key=lambda r: (order.get(str(r[1]), 1), str(r[0])))
    rows = [r for r in rows if args.tier == "all" or str(r[1]) == args.tier]
    clusters = [str(r[0]) for r in rows][: args.clusters]
    fields = {str(r[0]): r[2] for r in rows}
    wanted = set(args.only or CHECKS)
    records: list[dict[str, Any]] = []

    def run(name: str, fn: Callable[[], Any]) -> None:
        if name not in wanted:
            return
        got = fn()
        for rec in got if isinstance(got, list) else [got]:
            rec["engine"] = args.engine
            rec["load"] = [round(x, 2) for x in os.getloadavg()]
            records.append(rec)
            emit(rec)

    kind = args.engine
    run("policy", lambda: check_policy(engine, paths, args.tol, kind))
    run("cell-matrix", lambda: check_cell_matrix(engine, args.tol))
    run("links", lambda: check_link_arrays(engine, args.tol))
    run("matching", lambda: check_matching(engine, paths, args.tol))
    run("networks", lambda: check_networks(engine, paths, args.tol, clusters, args.esri_candidates))
    run("diagnosis", lambda: check_diagnosis(engine, paths, args.tol, clusters))

    def chain_pairs() -> list[tuple[str, str]]:
        from jiqun.services.refresh import _templates_for

        n = len(clusters) if args.chain_clusters is None else args.chain_clusters
        return [(cid, _templates_for(fields[cid])[0]) for cid in clusters[args.chain_skip : n]]

    run("chains", lambda: check_chains(engine, paths, args.tol, chain_pairs()))
    bad = sum(r["mismatches"] for r in records)
    emit(
        {
            "check": "verdict",
            "engine": args.engine,
            "checks": len(records),
            "mismatches": bad,
            "verdict": "equal" if bad == 0 else "MISMATCH",
            "seconds": round(time.perf_counter() - t0, 1),
            "started": started.isoformat(timespec="seconds"),
            "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    )
    if out is not None:
        out.close()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
