"""Region totals (industry ``_T``, as NBS tables publish them) never enter a region × industry sum.

A wide NBS table imports "all industries" rows with industry code ``_T``. Every service that
builds a region × industry matrix reads ``region_stats`` with ``predicates.INDUSTRY_ROWS``; without
it, a total beside the industry rows counts the region twice (at division level ``_T`` even
becomes an industry column of its own).
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from jiqun.services import cache, stats

pytestmark = pytest.mark.db


def _add_total(engine: Engine, region: str, year: int) -> float:
    with engine.begin() as c:
        total = float(
            c.execute(
                text(
                    "SELECT SUM(value) FROM region_stats WHERE region_code = :r AND year = :y "
                    "AND measure = 'employment'"
                ),
                {"r": region, "y": year},
            ).scalar_one()
        )
        row = c.execute(
            text(
                "SELECT unit, source, synthetic FROM region_stats WHERE region_code = :r "
                "AND year = :y AND measure = 'employment' LIMIT 1"
            ),
            {"r": region, "y": year},
        ).one()
        c.execute(
            text(
                "INSERT INTO region_stats (region_code, industry_code, year, measure, value, "
                "unit, source, synthetic) VALUES (:r, '_T', :y, 'employment', :v, :u, :s, :syn)"
            ),
            {
                "r": region,
                "y": year,
                "v": total,
                "u": row.unit,
                "s": row.source,
                "syn": row.synthetic,
            },
        )
        cache.bump(c)
    return total


def test_a_region_total_changes_no_location_quotient(demo_engine: Engine) -> None:
    with demo_engine.connect() as c:
        year = int(c.execute(text("SELECT MAX(year) FROM region_stats")).scalar_one())
    before = stats.location_quotients(
        demo_engine, year=year, measure="employment", industry_level=2
    ).table
    assert _add_total(demo_engine, "320200", year) > 0
    after = stats.location_quotients(
        demo_engine, year=year, measure="employment", industry_level=2
    ).table
    assert "_T" not in set(after["industry_code"].astype(str))
    pd.testing.assert_frame_equal(
        before.reset_index(drop=True), after.reset_index(drop=True), check_exact=False, rtol=1e-12
    )
