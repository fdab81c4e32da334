"""The matching shards: every firm's documents (term counts, segment mapping) computed once per
lake version, filed by GB/T 4754 division under the data directory's cache, and read by a search
for its candidates' divisions only (no candidate is segmented again)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from jiqun.config import data_dir
from jiqun.engine import matching as engine_matching
from jiqun.matching import Need, rank_suppliers
from jiqun.matching import text as matching_text
from jiqun.matching.index import build_index, firm_documents
from jiqun.services import cache, lake
from jiqun.services import matching as svc
from jiqun.services.matching import index_cache

pytestmark = pytest.mark.engine


def _shard_dirs() -> list[Path]:
    return sorted(p for p in (data_dir() / "cache").glob("match-shards-*") if p.is_dir())


def test_documents_in_batches_give_the_index_of_the_whole(demo_engine: Engine) -> None:
    with demo_engine.connect() as c:
        firms = pd.read_sql(
            text(
                "SELECT uscc, name, region_code, industry_code, revenue, rd_expense, tags, "
                "business_scope, lon, lat, synthetic FROM enterprises ORDER BY uscc"
            ),
            c,
        ).head(900)
        caps = pd.read_sql(text("SELECT * FROM match_capabilities ORDER BY id"), c)
    caps = pd.concat(
        [
            caps.head(20),
            pd.DataFrame(
                {"id": [-5], "uscc": [firms["uscc"].iloc[3]], "products": ["谐波减速器 精密齿轮"]}
            ),
        ],
        ignore_index=True,
    )
    caps["synthetic"] = caps["synthetic"].astype(bool)
    whole = build_index(firms, caps)
    # three batches, filed and gathered back as the shards do (firm rows in a new term order)
    parts = [firm_documents(firms.iloc[i : i + 300]) for i in (0, 300, 600)]
    docs = parts[2].concat(parts[0]).concat(parts[1])
    order = np.r_[np.arange(600, 900), np.arange(0, 600)]
    back = np.argsort(order)
    docs.tf, docs.segments = docs.tf[back], docs.segments[back]
    part = build_index(firms.drop(columns="business_scope"), caps, documents=docs)

    assert part.n == whole.n and part.segment_labels == whole.segment_labels
    assert (part.segments != whole.segments).nnz == 0
    assert set(part.text.vocab) == set(whole.text.vocab)
    cols = [part.text.vocab[t] for t in whole.text.vocab]
    np.testing.assert_array_equal(part.text.idf[cols], whole.text.idf)
    assert (part.text.weights[:, cols] != whole.text.weights).nnz == 0
    for need in (Need("减速器", "3453"), Need("谐波减速器", None), Need("锂电池", "3841")):
        a, b = rank_suppliers(part, need, top=30), rank_suppliers(whole, need, top=30)
        pd.testing.assert_frame_equal(a.table, b.table, check_exact=False, rtol=0, atol=1e-9)


def test_shards_are_built_once_per_lake_version_and_read_by_division(
    demo_engine: Engine,
    lake_env: str,
    buyer_in: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    buyer = buyer_in("3205")
    needs = [Need("减速器", "3453", uscc=buyer), Need("锂电池", "3841", uscc=buyer)]
    store = [svc.match_need(need=n, engine=demo_engine, top=25) for n in needs]
    lake.sync(demo_engine, refresh=False)
    cache.clear(demo_engine)

    built: list[int] = []
    real_docs = engine_matching.document_batches

    def docs(*a, **k):  # type: ignore[no-untyped-def]
        built.append(1)
        return real_docs(*a, **k)

    monkeypatch.setattr(engine_matching, "document_batches", docs)
    reads: list[tuple[list[str], set[str]]] = []
    real_read = index_cache.FirmShards.documents

    def read(self, uscc, codes):  # type: ignore[no-untyped-def]
        out = real_read(self, uscc, codes)
        reads.append((list(self.loaded), {index_cache.shard_key(c) for c in codes}))
        return out

    monkeypatch.setattr(index_cache.FirmShards, "documents", read)
    first = svc.match_need(need=needs[0], engine=demo_engine, top=25)
    assert built == [1]
    (where,) = _shard_dirs()
    (shards,) = index_cache._SHARDS.values()
    assert shards.path == where
    with demo_engine.connect() as c:
        n_firms = int(c.execute(text("SELECT COUNT(*) FROM enterprises")).scalar())
        divisions = {
            index_cache.shard_key(r[0])
            for r in c.execute(text("SELECT DISTINCT industry_code FROM enterprises"))
        }
    assert sum(shards.rows.values()) == n_firms == shards.stats.n_docs
    assert set(shards.rows) == divisions
    assert {p.stem for p in where.glob("*.parquet")} == divisions | {"_terms"}
    # a search reads the shards of its candidates' divisions, and only those
    loaded, wanted = reads[-1]
    assert set(loaded) == wanted and len(loaded) < len(shards.rows) // 2

    # later searches: no build, and no firm is segmented again (only the board's texts)
    segmented: list[str] = []
    real_tok = matching_text.tokenize

    def tok(t):  # type: ignore[no-untyped-def]
        segmented.append(t)
        return real_tok(t)

    monkeypatch.setattr(matching_text, "tokenize", tok)
    pulled: list[int] = []
    real_cand = engine_matching.candidate_firms

    def cand(*a, **k):  # type: ignore[no-untyped-def]
        out = real_cand(*a, **k)
        pulled.append(len(out))
        return out

    monkeypatch.setattr(engine_matching, "candidate_firms", cand)
    second = svc.match_need(need=needs[1], engine=demo_engine, top=25)
    with demo_engine.connect() as c:
        n_caps = int(
            c.execute(
                text("SELECT COUNT(*) FROM match_capabilities WHERE status = 'open'")
            ).scalar()
        )
    assert built == [1] and pulled[-1] > 2 * n_caps + 10
    assert len(segmented) <= 2 * n_caps + 10
    for new, old in zip((first, second), store, strict=True):
        pd.testing.assert_frame_equal(new.table, old.table, check_exact=False, rtol=0, atol=1e-9)
    # a new process reads them from disk
    index_cache._SHARDS.clear()
    again = svc.match_need(need=needs[0], engine=demo_engine, top=25)
    assert built == [1]
    pd.testing.assert_frame_equal(again.table, first.table)

    # a damaged shard is built again, with the same result
    (where / f"{loaded[0]}.parquet").write_bytes(b"PAR1 truncated")
    index_cache._SHARDS.clear()
    assert svc.match_need(need=needs[0], engine=demo_engine, top=25).table.equals(first.table)
    assert built == [1, 1]

    # a new lake version gets its own shards; the old version's are removed
    lake.sync(demo_engine, force=True, refresh=False)
    cache.clear(demo_engine)
    svc.match_need(need=needs[0], engine=demo_engine, top=25)
    assert built == [1, 1, 1]
    (now,) = _shard_dirs()
    assert now != where and not where.exists()


def test_the_refresh_builds_the_shards_so_no_search_pays_for_them(
    demo_engine: Engine,
    lake_env: str,
    buyer_in: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from jiqun.services import refresh

    lake.sync(demo_engine, refresh=False)
    cache.clear(demo_engine)
    index_cache._SHARDS.clear()
    out = refresh.refresh(demo_engine, {"only": ["匹配分片"]}, lambda s, f: None)
    assert out["failed"] == {}
    (where,) = _shard_dirs()
    with demo_engine.connect() as c:
        n_firms = int(c.execute(text("SELECT COUNT(*) FROM enterprises")).scalar())
    assert refresh._matching_shards(demo_engine) == n_firms

    built: list[int] = []
    real_docs = engine_matching.document_batches

    def docs(*a, **k):  # type: ignore[no-untyped-def]
        built.append(1)
        return real_docs(*a, **k)

    monkeypatch.setattr(engine_matching, "document_batches", docs)
    index_cache._SHARDS.clear()  # a new process: the shards come from disk, not from the build
    buyer = buyer_in("3205")
    svc.match_need(need=Need("减速器", "3453", uscc=buyer), engine=demo_engine, top=5)
    assert built == [] and _shard_dirs() == [where]


def test_without_a_lake_the_refresh_builds_no_shards(demo_engine: Engine) -> None:
    from jiqun.services import refresh

    assert refresh._matching_shards(demo_engine) is None
