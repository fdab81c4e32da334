"""Sections of region pages answer for every level of region (no error block on a county)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.db


def test_county_published_section_says_not_published(world) -> None:  # type: ignore[no-untyped-def]
    from jiqun.services.release import FULL_INDUSTRY_LEVELS, build_release, current_release

    if current_release(world.engine) is None:
        build_release(world.engine, region_levels=(0, 1, 2), industry_levels=FULL_INDUSTRY_LEVELS)
    c = world.client()
    r = c.get("/regions/320214/published", headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert 'data-unavailable="not-published"' in r.text and "地级市" in r.text
    assert "error" not in r.text.split('data-unavailable="not-published"')[0][-200:]
    city = c.get("/regions/320200/published", headers={"HX-Request": "true"})
    assert city.status_code == 200 and "not-published" not in city.text
