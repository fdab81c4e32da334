"""The release service: build, current release, atomic failure, not published, CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun.services import release as release_service
from jiqun.services.accounts import PUBLIC, Principal
from jiqun.services.published import published_table
from jiqun.services.release import build_release, current_release
from jiqun.store.db import session_scope
from jiqun.store.models import Cluster, ClusterIndustry, ClusterRegion, Enterprise

ADMIN = Principal("root", "admin", None, 1)

#: every level of both hierarchies: these small registries are protected to full depth
FULL = {"region_levels": (0, 1, 2, 3), "industry_levels": (0, 1, 2, 3, 4)}


def _add(engine: Engine, rows: list[tuple[str, str, float]], start: int = 1) -> None:
    with session_scope(engine) as s:
        for i, (region, industry, revenue) in enumerate(rows, start=start):
            s.add(
                Enterprise(
                    uscc=f"{i:018d}",
                    name=f"企业{i}",
                    region_code=region,
                    industry_code=industry,
                    revenue=revenue,
                    synthetic=False,
                )
            )


ROWS = [("320211", "2611", 10.0 + k) for k in range(4)] + [
    ("320213", "2612", 20.0 + k) for k in range(4)
]
ROWS += [("320213", "2611", 99.0)]


def test_no_release_yet_says_so(engine: Engine) -> None:
    _add(engine, ROWS)
    assert current_release(engine) is None
    t = published_table(PUBLIC, engine, by="region")
    assert t.table.empty and any("no release built yet" in n for n in t.notes)


def test_build_and_read(engine: Engine) -> None:
    _add(engine, ROWS)
    rel = build_release(engine, **FULL)
    assert rel["status"] == "complete" and rel["stats"]["unsafe"] == 0
    cur = current_release(engine)
    assert cur is not None and cur["id"] == rel["id"] and cur["current"]
    t = published_table(PUBLIC, engine, by="industry", industry_level=4, region="320213")
    d = t.basis["disclosure"]
    assert d["release_id"] == rel["id"] and d["protection_level"] == 0.15
    hidden = t.table.set_index("industry_code")
    assert hidden.loc["2611", "suppressed"] and hidden.loc["2611", "value"] is None
    adm = published_table(ADMIN, engine, by="industry", industry_level=4, region="320213")
    a = adm.table.set_index("industry_code")
    assert a.loc["2611", "value"] == pytest.approx(99.0) and a.loc["2611", "confidential"]
    # the county filter answers with the county's own cells (a cube cell), not a new sum
    assert t.grand_total["value"] is None or t.grand_total["value"] == pytest.approx(
        99.0 + sum(20.0 + k for k in range(4))
    )


def test_failed_build_keeps_the_previous_release(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add(engine, ROWS)
    first = build_release(engine, **FULL)
    _add(engine, [("330106", "2611", 5.0)], start=100)

    def boom(*_a: object, **_k: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(release_service.bulk, "insert", boom)
    with pytest.raises(RuntimeError):
        build_release(engine, **FULL)
    cur = current_release(engine)
    assert cur is not None and cur["id"] == first["id"]
    with engine.connect() as c:
        n = c.execute(text("SELECT COUNT(*) FROM releases")).scalar_one()
    assert n == 1


def test_cluster_question_gets_cells_not_a_new_sum(engine: Engine) -> None:
    _add(engine, ROWS)
    with session_scope(engine) as s:
        s.add(Cluster(cluster_id="T-1", name="测试", tier="provincial", synthetic=False))
        s.flush()
        s.add(ClusterRegion(cluster_id="T-1", region_code="320211"))
        s.add(ClusterRegion(cluster_id="T-1", region_code="320213"))
        s.add(ClusterIndustry(cluster_id="T-1", industry_code="2611"))
    build_release(engine, **FULL)
    t = published_table(ADMIN, engine, by="region", cluster_id="T-1", industry_level=4)
    got = set(zip(t.table["region_code"], t.table["industry_code"], strict=True))
    assert got == {("320211", "2611"), ("320213", "2611")}
    assert t.totals.empty and any("not published" in n for n in t.notes)


def test_cli_release_build_and_status(engine: Engine) -> None:
    from jiqun.cli.app import app

    _add(engine, ROWS)
    runner = CliRunner()
    r = runner.invoke(app, ["release", "status"])
    assert r.exit_code == 1
    r = runner.invoke(app, ["release", "build"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["release", "status"])
    assert r.exit_code == 0 and "complete" in r.output
