"""Golden test of the one bulk path ported to the engine: the Ellison–Glaeser inputs of the
cluster diagnosis, summed per prefecture × industry on the engine over the lake, give the same
diagnosis as the firm rows read from the store (to 1e-9), and the store path is kept while the
lake is absent or behind the store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from jiqun.analytics.concentration import ellison_glaeser, ellison_glaeser_sums
from jiqun.engine import aggregates
from jiqun.services import cache, lake
from jiqun.services.diagnosis import diagnose_cluster

pytestmark = pytest.mark.engine

CASES = [("NC2022-04", "employment", "class"), ("NC2022-04", "output", "division")]


@pytest.fixture
def lake_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JIQUN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JIQUN_ENGINE", "duckdb")
    monkeypatch.delenv("JIQUN_LAKE_DIR", raising=False)
    return tmp_path / "data" / "lake"


def _calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = aggregates.firm_size_sums

    def spy(*a, **k):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(aggregates, "firm_size_sums", spy)
    return calls


def test_eg_from_sums_equals_eg_from_firm_rows() -> None:
    rng = np.random.default_rng(3)
    firms = pd.DataFrame(
        {
            "region": rng.choice(list("ABCDEFG"), 400),
            "industry": rng.choice(["i", "j", "k"], 400),
            "size": rng.pareto(1.5, 400) + 0.1,
        }
    )
    g = firms.groupby(["region", "industry"])["size"]
    cells = pd.DataFrame(
        {"size": g.sum(), "size_sq": g.apply(lambda s: float((s * s).sum())), "n": g.size()}
    ).reset_index()
    want = ellison_glaeser(firms)
    got = ellison_glaeser_sums(cells)
    pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12, check_dtype=False)


def test_diagnosis_on_the_lake_equals_the_store_path(
    demo_engine: Engine, lake_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _calls(monkeypatch)
    before = {
        c: diagnose_cluster(c[0], engine=demo_engine, measure=c[1], industry_level=c[2])
        for c in CASES
    }
    assert not calls  # no lake: the store path
    lake.sync(demo_engine, refresh=False)
    cache.clear(demo_engine)
    for case, old in before.items():
        new = diagnose_cluster(case[0], engine=demo_engine, measure=case[1], industry_level=case[2])
        assert new.notes == old.notes and new.basis == old.basis
        assert new.tables.keys() == old.tables.keys()
        for key in old.tables:
            pd.testing.assert_frame_equal(
                new.tables[key], old.tables[key], check_exact=False, rtol=1e-9, atol=1e-12
            )
        conc = new.tables["concentration"]
        assert conc["eg_gamma"].notna().any(), case  # the ported inputs were used
    assert len(calls) == len(CASES)

    # behind the store (data written outside the lake): the store path again
    cache.bump(demo_engine)
    assert not lake.is_fresh(demo_engine)
    diagnose_cluster(CASES[0][0], engine=demo_engine, measure=CASES[0][1])
    assert len(calls) == len(CASES)


def test_a_lake_folder_gone_from_disk_falls_back_to_the_store(
    demo_engine: Engine, lake_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    lake.sync(demo_engine, refresh=False)
    shutil.rmtree(lake_env / "v000001")
    calls = _calls(monkeypatch)
    d = diagnose_cluster(CASES[0][0], engine=demo_engine, measure=CASES[0][1])
    assert d.tables["concentration"]["eg_gamma"].notna().any() and not calls
