"""Golden tests of the matching candidate pre-filter on the engine: with the lake current, supplier
and partner searches pull only their candidates from the engine and rank them exactly as the
store path (the full index) does; with the lake behind the store, the lake is not read."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from jiqun.engine import matching as engine_matching
from jiqun.matching import Need
from jiqun.matching.index import build_index
from jiqun.matching.score import MatchResult
from jiqun.matching.text import BM25Index, CorpusStats
from jiqun.services import cache
from jiqun.services import matching as svc
from jiqun.services.matching import index_cache, search

pytestmark = pytest.mark.engine


def _searches(buyer_in: Callable[[str], str]) -> list[tuple[str, dict]]:
    buyer = buyer_in("3205")
    return [
        ("s", {"need": Need("减速器", "3453", uscc=buyer)}),
        ("s", {"need": Need("减速器", "3453", uscc=buyer), "prefer_cross_region": True}),
        ("s", {"need": Need("伺服电机 控制器", None, uscc=buyer_in("4403"))}),
        ("s", {"need": Need("", "3982", region_code="320505", lon=120.6, lat=31.3)}),
        ("s", {"need": Need("锂电池", "3841", uscc=buyer, quantity=500.0, unit="万元")}),
        ("s", {"need": Need("碳纤维", None, uscc=buyer), "cluster": "NC2022-04"}),
        ("p", {"keywords": "碳纤维 复合材料", "home_region": "320500"}),
        ("p", {"keywords": "伺服电机", "field": "high_end_equipment", "home_region": "440300"}),
        ("p", {"keywords": "", "field": "new_materials", "region": "320000"}),
        ("p", {"keywords": "传感器", "tags": ("high_tech",), "region": "440300"}),
        ("p", {"keywords": "集成电路", "tags": ("srdi",), "home_region": "310000"}),
        # keywords without an index term (stop words only): the text does not filter
        ("p", {"keywords": "的", "region": "440300", "home_region": "320500"}),
    ]


def _run(engine: Engine, kind: str, kw: dict) -> MatchResult:
    if kind == "s":
        return svc.match_need(engine=engine, top=25, **kw)
    return svc.find_partners(engine=engine, top=25, **kw)


def _same(new: MatchResult, old: MatchResult) -> None:
    assert new.table["uscc"].tolist() == old.table["uscc"].tolist()
    assert new.table["source"].tolist() == old.table["source"].tolist()
    assert new.candidates == old.candidates
    assert new.notes == old.notes and new.basis == old.basis
    pd.testing.assert_frame_equal(new.table, old.table, check_exact=False, rtol=0, atol=1e-12)


def test_searches_through_the_lake_equal_the_store(
    demo_engine: Engine,
    sync_lake: Callable[[Engine], None],
    buyer_in: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    searches = _searches(buyer_in)
    before = [_run(demo_engine, k, kw) for k, kw in searches]
    assert sum(len(r.table) > 0 for r in before) >= len(searches) - 1
    full = index_cache.load_index(engine=demo_engine)
    sync_lake(demo_engine)

    pulled: list[int] = []
    real = engine_matching.candidate_firms

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        out = real(*a, **k)
        pulled.append(len(out))
        return out

    monkeypatch.setattr(engine_matching, "candidate_firms", spy)
    # the store's enterprises are not read for a search once the lake is current
    monkeypatch.setattr(search, "load_index", lambda **k: pytest.fail("store path used"))
    for (kind, kw), old in zip(searches, before, strict=True):
        _same(_run(demo_engine, kind, kw), old)
    assert len(pulled) == len(searches)
    # a pre-filter, not the registry: most searches pull a small part of the firms
    assert int(np.median(pulled)) < full.n_registry // 2


def test_matching_reads_the_lake_only_while_current(
    demo_engine: Engine,
    sync_lake: Callable[[Engine], None],
    buyer_in: Callable[[str], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    real = engine_matching.candidate_firms

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(engine_matching, "candidate_firms", spy)
    need = Need("减速器", "3453", uscc=buyer_in("3205"))
    svc.match_need(need=need, engine=demo_engine)
    assert not calls  # no lake
    counted: list[int] = []
    real_docs = engine_matching.document_batches

    def docs(*a, **k):  # type: ignore[no-untyped-def]
        counted.append(1)
        return real_docs(*a, **k)

    monkeypatch.setattr(engine_matching, "document_batches", docs)
    sync_lake(demo_engine)
    first = svc.match_need(need=need, engine=demo_engine)
    assert calls == [1] and counted == [1]
    # the shards (and the corpus statistics) are built once per lake version: in the process,
    # then on disk
    svc.match_need(need=need, engine=demo_engine)
    index_cache._SHARDS.clear()
    again = svc.match_need(need=need, engine=demo_engine)
    assert calls == [1, 1, 1] and counted == [1]
    pd.testing.assert_frame_equal(again.table, first.table)
    calls.clear()
    cache.bump(demo_engine)
    svc.match_need(need=need, engine=demo_engine)
    assert not calls  # the lake is behind the store: the store path


def test_corpus_stats_give_the_weights_of_the_full_index() -> None:
    texts = ["精密减速器的生产", "齿轮箱 减速器", None, "伺服电机", "减速器 减速器 齿轮"]
    full = BM25Index.fit(texts)
    part = BM25Index.fit([texts[1], texts[4]], stats=CorpusStats().add(texts))
    q = {"减速器": 1.0, "齿轮": 0.5}
    np.testing.assert_allclose(part.scores(q), full.scores(q)[[1, 4]], rtol=0, atol=1e-15)
    # without the corpus statistics, the candidates' own IDF differs
    own = BM25Index.fit([texts[1], texts[4]])
    assert not np.allclose(own.scores(q), full.scores(q)[[1, 4]])


def test_build_index_on_candidates_with_corpus() -> None:
    firms = pd.DataFrame(
        {
            "uscc": ["A", "B", "C"],
            "name": ["甲", "乙", "丙"],
            "region_code": ["320505", "440305", "320506"],
            "industry_code": ["3453", "3453", "3813"],
            "business_scope": ["精密减速器的生产", "齿轮箱", "伺服电机"],
        }
    )
    from jiqun.matching.index import corpus_stats

    st = corpus_stats([firms["business_scope"].tolist()])
    sub = build_index(firms.iloc[[0, 2]], corpus=st)
    whole = build_index(firms)
    q = {"减速器": 1.0, "伺服": 1.0, "电机": 1.0}
    np.testing.assert_allclose(sub.text.scores(q), whole.text.scores(q)[[0, 2]], atol=1e-15)
