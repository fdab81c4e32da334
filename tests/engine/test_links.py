"""Golden tests of the supply links on the engine: the CSR link arrays built from Arrow batches
equal the arrays :func:`build_network` builds from the store's links, and the networks the
resilience and chain services load through the lake equal those they read from the store."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from jiqun.engine.links import link_arrays
from jiqun.resilience.network import build_network
from jiqun.services import cache, chains, lake
from jiqun.services.resilience import load_network, resilience_metrics

pytestmark = pytest.mark.engine

SCOPES = [{}, {"region": "440300"}, {"region": "320000"}, {"cluster": "NC2022-04"}]


def _same_network(a, b) -> None:  # type: ignore[no-untyped-def]
    for name in ("indptr", "indices", "data", "t_indptr", "t_indices", "t_data"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == y.shape, name
        assert (
            np.array_equal(x, y)
            if name != "data" and name != "t_data"
            else np.allclose(x, y, rtol=1e-12, atol=0)
        ), name
    assert a.basis == b.basis and a.dropped_self_links == b.dropped_self_links
    assert list(a.index) == list(b.index)


def test_link_arrays_equal_the_store_network(demo_engine: Engine, lake_env: str) -> None:
    with demo_engine.begin() as c:
        year = c.execute(text("SELECT MAX(year) FROM supply_links")).scalar()
        # a self-link and a link to a firm outside the registry: left out / a node of its own
        c.execute(
            text(
                "INSERT INTO supply_links (supplier_uscc, buyer_uscc, year, input_category, "
                "value, synthetic) SELECT uscc, uscc, :y, '3911', 5.0, true FROM enterprises "
                "ORDER BY uscc LIMIT 1"
            ),
            {"y": year},
        )
        c.execute(
            text(
                "INSERT INTO supply_links (supplier_uscc, buyer_uscc, year, input_category, "
                "value, synthetic) SELECT 'ZZFOREIGN00000001', uscc, :y, '3911', 7.5, true "
                "FROM enterprises ORDER BY uscc LIMIT 2"
            ),
            {"y": year},
        )
        links = pd.read_sql(
            text(
                "SELECT supplier_uscc AS supplier, buyer_uscc AS buyer, value FROM supply_links "
                "WHERE year = :y"
            ),
            c,
            params={"y": year},
        )
    lake.sync(demo_engine, refresh=False)
    with lake.reading(demo_engine) as eng:
        assert eng is not None
        ids = eng.to_pandas(eng.table("firm_ids").order_by("firm_id"))
        assert ids["firm_id"].tolist() == list(range(len(ids)))  # dense: node k is firm id k
        nodes = pd.DataFrame({"id": ids["uscc"]})
        for basis, value in (("value", "value"), ("count", None)):
            with pytest.warns(Warning, match="self-link"):
                want = build_network(links, nodes, value=value)
            got = link_arrays(eng, basis=basis, labels=True, chunk_size=997)
            assert got.indices.dtype == np.int32
            _same_network(got, want)
            by_id = link_arrays(eng, year, basis=basis)
            assert list(by_id.index) == list(range(len(ids)))
            assert np.array_equal(by_id.indptr, want.indptr)
        assert link_arrays(eng).basis == "value" and want.n_links > 1000


def test_networks_through_the_lake_equal_the_store(
    demo_engine: Engine, sync_lake: Callable[[Engine], None]
) -> None:
    before = {i: load_network(demo_engine, **s) for i, s in enumerate(SCOPES)}
    metrics = resilience_metrics(demo_engine, cluster="NC2022-04", esri_candidates=10)
    chain_links = chains._links(demo_engine, None)
    sync_lake(demo_engine)
    with lake.reading(demo_engine) as eng:
        assert eng is not None
    for i, old in before.items():
        new = load_network(demo_engine, **SCOPES[i])
        assert new.basis == old.basis and new.notes == old.notes and new.year == old.year
        assert len(old.links) > 0 and old.basis["firms_in_scope"] > 0
        pd.testing.assert_frame_equal(new.links, old.links, check_dtype=False)
        pd.testing.assert_frame_equal(new.firms, old.firms, check_dtype=False)
    again = resilience_metrics(demo_engine, cluster="NC2022-04", esri_candidates=10)
    assert again.summary == metrics.summary
    for name in again.TABLES:
        pd.testing.assert_frame_equal(
            getattr(again, name), getattr(metrics, name), check_exact=False, rtol=1e-9
        )
    lk, year = chains._links(demo_engine, None)
    assert year == chain_links[1]
    old_lk = chain_links[0].assign(synthetic=chain_links[0]["synthetic"].astype(bool))
    pd.testing.assert_frame_equal(lk, old_lk, check_dtype=False)


def test_load_network_reads_the_lake_only_while_current(
    demo_engine: Engine, sync_lake: Callable[[Engine], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiqun.engine import links as engine_links

    calls: list[int] = []
    real = engine_links.scoped_links

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(engine_links, "scoped_links", spy)
    load_network(demo_engine, region="440300")
    assert not calls  # no lake
    sync_lake(demo_engine)
    load_network(demo_engine, region="440300")
    assert calls == [1]
    cache.bump(demo_engine)
    load_network(demo_engine, region="440300")
    assert calls == [1]  # behind the store: the store path
