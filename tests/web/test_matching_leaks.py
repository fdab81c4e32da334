"""Matching does not give back confidential values of firms the caller may not read.

The recovery attacks: revenue from ``capacity_pts`` (a need in 万元 with a huge quantity),
R&D intensity from ``innovation_pts``, and another firm's location as the origin of
``distance_km``. Each is tried as an enterprise account through the API and through the
service; an admin and a government whose region holds the firm still see the raw components.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from sqlalchemy import text

from jiqun.matching.score import Need
from jiqun.services import access
from jiqun.services import matching as svc
from jiqun.services.accounts import Principal
from jiqun.standard.problems import JiqunError

URL = "/api/v1/matching"
REVENUE_A = 125000.5  # 万元, tests/data/files/enterprises_clean.csv
RD_A = 2500.0  # 万元: R&D intensity 2 %


@pytest.fixture(scope="module")
def rd(world: Any) -> Any:
    """Firm A gets an R&D expense, and A, B, D coordinates (before any index of this module's
    database is built)."""
    places = {"A": (120.35, 31.49), "B": (114.06, 22.54), "D": (120.30, 31.57)}
    with world.engine.begin() as c:
        c.execute(
            text("UPDATE enterprises SET rd_expense = :r WHERE uscc = :u"),
            {"r": RD_A, "u": world.firms["A"]},
        )
        for k, (lon, lat) in places.items():
            c.execute(
                text("UPDATE enterprises SET lon = :x, lat = :y WHERE uscc = :u"),
                {"x": lon, "y": lat, "u": world.firms[k]},
            )
    return world


def _principal(world: Any, who: str) -> Principal:
    roles = {"firm_other": ("enterprise", world.firms["B"]), "gov": ("government", "320200")}
    role, scope = roles[who]
    return Principal(who, role, scope, world.orgs[who])


def _row(items: list[dict[str, Any]], uscc: str) -> dict[str, Any]:
    return next(i for i in items if i["uscc"] == uscc)


def _search(world: Any, who: str, **kw: Any) -> Any:
    body = {"text": "集成电路", "industry_code": "3973", **kw}
    return world.client().post(f"{URL}/suppliers", json=body, headers=world.auth(who))


def test_revenue_not_recoverable_from_capacity_through_the_api(rd: Any, error_body: Any) -> None:
    world = rd
    # the attack of the report: a need in 万元 with quantity 1e12 → revenue = pts × 20 × q
    error_body(_search(world, "firm_other", quantity=1e12, unit="万元"), 422)
    q = 1e6  # inside the accepted range: still no capacity figure for A
    r = _search(world, "firm_other", quantity=q, unit="万元")
    assert r.status_code == 200, r.text
    a = _row(r.json()["items"], world.firms["A"])
    assert a["capacity"] is None and a["capacity_pts"] is None and a["revenue"] is None
    assert "capacity" in a["withheld"]
    shown = sum(a[f"{k}_pts"] or 0.0 for k in r.json()["meta"]["components"])
    assert abs(a["total"] - shown) < 1e-9  # the total holds nothing that is not shown
    for v in a.values():  # no number in the row equals a multiple of revenue / q
        if isinstance(v, float) and v > 0:
            for w in (1.0, 0.05):
                assert not math.isclose(v, w * REVENUE_A / q, rel_tol=1e-6), a
    # a government whose region holds A, and the admin, still see the raw component
    for who in ("gov", "admin"):
        r = _search(world, who, quantity=q, unit="万元", uscc=world.firms["D"])
        w = r.json()["meta"]["weights"]["capacity"]
        a = _row(r.json()["items"], world.firms["A"])
        assert math.isclose(a["capacity_pts"], w * REVENUE_A / q, rel_tol=1e-6), (who, a)
        assert math.isclose(a["capacity"], round(REVENUE_A / q, 4), rel_tol=1e-6), (who, a)
        assert a["revenue"] == REVENUE_A and a["withheld"] == ""


def test_rd_intensity_not_recoverable_from_innovation(rd: Any) -> None:
    world = rd
    c = world.client()
    r = c.get(f"{URL}/partners?region=320000", headers=world.auth("firm_other"))
    assert r.status_code == 200, r.text
    a = _row(r.json()["items"], world.firms["A"])
    assert a["innovation"] is None and a["innovation_pts"] is None
    assert a["innovation_band"] in ("高 / high", "中 / medium", "低 / low")
    assert "innovation" in a["withheld"]
    r = c.get(f"{URL}/partners?region=320000", headers=world.auth("gov"))
    a = _row(r.json()["items"], world.firms["A"])
    # ½·min(1, 2 % ÷ 5 %) + ½·[high_tech]: the government of A's region sees it raw
    assert math.isclose(a["innovation"], 0.5 * 0.4 + 0.5, abs_tol=1e-4), a


def test_another_firms_origin_is_404(rd: Any, error_body: Any) -> None:
    world = rd
    r = _search(world, "firm_other", uscc=world.firms["A"])
    error_body(r, 404, "not_found")
    assert _search(world, "firm_other", uscc=world.firms["B"]).status_code == 200  # its own
    assert _search(world, "gov", uscc=world.firms["A"]).status_code == 200  # in its region


def test_distance_to_unreadable_firms_is_banded(rd: Any) -> None:
    world = rd
    r = _search(world, "firm_other")  # from its own firm B (深圳) to A (无锡)
    a = _row(r.json()["items"], world.firms["A"])
    assert a["distance_km"] is None and a["distance"] is None and a["distance_pts"] is None
    assert a["distance_band"] and "km" in a["distance_band"]
    admin = _search(world, "admin", uscc=world.firms["B"]).json()["items"]
    assert _row(admin, world.firms["A"])["distance_km"] > 500


def test_the_service_makes_the_same_decisions(rd: Any) -> None:
    world = rd
    firm = _principal(world, "firm_other")
    need = Need("集成电路", "3973", quantity=1e12, unit="万元")
    with pytest.raises(JiqunError):
        svc.match_need(need=need, engine=world.engine, principal=firm)
    with pytest.raises(access.NotFound):
        svc.match_need(
            need=Need("集成电路", "3973", uscc=world.firms["A"]),
            engine=world.engine,
            principal=firm,
        )
    res = svc.match_need(
        need=Need("集成电路", "3973", quantity=1e5, unit="万元", uscc=world.firms["B"]),
        engine=world.engine,
        principal=firm,
    )
    a = res.table.set_index("uscc").loc[world.firms["A"]]
    for col in ("capacity", "capacity_pts", "distance", "distance_pts", "distance_km"):
        assert a[col] is None or math.isnan(a[col]), (col, a[col])
    assert not bool(a["records_visible"])
    res = svc.find_partners(region="320000", engine=world.engine, principal=firm)
    a = res.table.set_index("uscc").loc[world.firms["A"]]
    assert math.isnan(a["innovation"]) and math.isnan(a["innovation_pts"])
    # no principal: the local operator of the database (CLI) sees everything
    res = svc.find_partners(region="320000", engine=world.engine)
    a = res.table.set_index("uscc").loc[world.firms["A"]]
    assert math.isclose(a["innovation"], 0.7, abs_tol=1e-4)


def test_a_posted_need_of_an_unreadable_buyer_hides_every_distance(rd: Any) -> None:
    world = rd
    need_id = svc.post_need(
        {"uscc": world.firms["B"], "text": "集成电路", "industry_code": "3973"},
        engine=world.engine,
    )
    r = world.client().get(f"{URL}/needs/{need_id}/suppliers", headers=world.auth("firm"))
    assert r.status_code == 200, r.text
    for it in r.json()["items"]:  # firm A may read itself, but not where buyer B is
        assert it["distance_km"] is None and it["distance_pts"] is None, it


def test_the_page_shows_bands_not_values(rd: Any) -> None:
    import re

    world = rd
    c = world.client()
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
    assert tok
    r = c.post(
        "/login",
        data={"username": "firm_other", "password": world.password, "csrf": tok.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/matching").text)
    assert tok
    r = c.post(
        "/matching/suppliers",
        data={"text": "集成电路", "industry_code": "3973", "csrf": tok.group(1)},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200, r.text[:300]
    assert "≥ 500 km" in r.text and "不予显示" in r.text  # B → A (无锡) as a band
    assert "nan" not in r.text
