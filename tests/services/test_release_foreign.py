"""Published statistics describe China's regions: a foreign supplier is never a published region.

The demo holds one or two foreign suppliers per country (JP, KR, US, DE, NL); before the release
read domestic firms only, ``by=region`` published ``NL00`` with one Dutch firm's revenue.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from jiqun.services.accounts import PUBLIC
from jiqun.services.published import published_table
from jiqun.services.release import build_release

pytestmark = pytest.mark.db


def test_no_foreign_supplier_is_published_as_a_region(demo_engine: Engine) -> None:
    with demo_engine.connect() as c:
        foreign = c.execute(
            text(
                "SELECT COUNT(*) FROM enterprises WHERE region_code NOT BETWEEN '100000' AND '999999'"
            )
        ).scalar_one()
    assert foreign > 0  # the demo has foreign suppliers: the test can fail
    build_release(demo_engine)
    for by in ("region", "region_industry"):
        t = published_table(PUBLIC, demo_engine, measure="revenue", by=by, industry_level=2)
        codes = {str(x) for x in t.table["region_code"]} | {
            str(x) for x in t.totals.get("region_code", []) if x is not None
        }
        assert codes and all(c[:1].isdigit() for c in codes if c != "None"), sorted(codes)[:5]
