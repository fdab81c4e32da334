"""The demo database (small) and the national overview built from it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from jiqun.services.demo import build_demo
from jiqun.services.imports import import_file, stored_counts
from jiqun.services.overview import national_overview

FILES = Path(__file__).resolve().parents[1] / "data" / "files"
DEMO_TABLES = (
    "enterprises",
    "region_stats",
    "cluster_members",
    "innovation_carriers",
    "supply_links",
)


@pytest.fixture
def demo(demo_engine: Engine) -> Engine:
    # the session's demo (seed 7, 5,000 firms) plus user-imported enterprises that a rebuild
    # must not touch
    imported = import_file(FILES / "enterprises_clean.csv", "enterprises", engine=demo_engine)
    assert imported.inserted == 5
    return demo_engine


def _counts(engine: Engine) -> dict[str, tuple[int, int]]:
    out = {}
    with engine.connect() as conn:
        for t in DEMO_TABLES:
            syn = conn.execute(text(f"SELECT COUNT(*) FROM {t} WHERE synthetic = :s"), {"s": True})
            usr = conn.execute(text(f"SELECT COUNT(*) FROM {t} WHERE synthetic = :s"), {"s": False})
            out[t] = (int(syn.scalar_one()), int(usr.scalar_one()))
    return out


@pytest.mark.slow
def test_demo_build_rebuild_and_overview(demo: Engine) -> None:
    engine = demo
    first = _counts(engine)
    for t, (syn, _usr) in first.items():
        assert syn > 0, t
    assert first["enterprises"] == (5000, 5)
    assert stored_counts(engine)["clusters"] > 0

    summary = build_demo(engine, seed=7, n_enterprises=5000)
    assert _counts(engine) == first  # replaced, not duplicated
    assert summary.counts["enterprises"] == 5000
    with engine.connect() as conn:
        dup = conn.execute(
            text(
                "SELECT COUNT(*) FROM (SELECT uscc FROM enterprises GROUP BY uscc HAVING COUNT(*) > 1) d"
            )
        ).scalar_one()
        user = conn.execute(
            text("SELECT synthetic FROM enterprises WHERE uscc = '91370000728611939A'")
        ).scalar_one()
    assert dup == 0
    assert not user  # the user's record survived, still not synthetic

    ov = national_overview(engine)
    # 45 (2021–2022) + 27 of 2024 (20 listed + 7 added by the 2026-12 check)
    assert ov.totals["clusters"] == 72
    assert ov.totals["clusters_2021_2022"] == 45
    assert len(ov.clusters) == 72
    for k in ("year", "unit", "measure"):
        assert k in ov.basis
    assert ov.basis["synthetic"] is True and ov.synthetic
    assert any("模拟数据" in n for n in ov.notes)
    for k, v in ov.totals.items():
        assert v >= 0, k
    for col in ("clusters", "output_wan_yuan", "revenue_wan_yuan"):
        assert ov.by_field[col].sum() == pytest.approx(ov.totals[col])
    assert ov.by_field["little_giants"].sum() == ov.clusters["little_giants"].sum()
    assert ov.totals["output_wan_yuan"] > 0


def test_overview_without_demo_is_not_synthetic(engine: Engine) -> None:
    ov = national_overview(engine)
    assert ov.totals["clusters"] == 72  # national clusters: 45 + 27 of 2024
    assert ov.basis["synthetic"] is False
    assert ov.totals["output_wan_yuan"] == 0
