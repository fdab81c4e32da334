"""The chain page and the chain API make the same access decision (jiqun.services.chains).

An enterprise account may not run a chain analysis of an area (API: 403); the cluster page's
chain section then shows the chain map without any firm and a "not permitted" note where the
chain-leader candidates would be.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jiqun.services import access
from jiqun.services.accounts import Principal

NAME_A = "山东示例集成电路有限公司"  # firm A, the only chain-leader candidate of the cluster
API = "/api/v1/chains/integrated_circuits/analysis"


def _login(world: Any, who: str) -> TestClient:
    c = world.client()
    m = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
    assert m
    r = c.post(
        "/login",
        data={"username": who, "password": world.password, "csrf": m.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    return c


def test_enterprise_page_shows_no_leader_candidates(world: Any, error_body: Any) -> None:
    page = _login(world, "firm_other").get(
        f"/clusters/{world.cluster}/chain?chain=integrated_circuits"
    )
    assert page.status_code == 200, page.text[:300]
    assert NAME_A not in page.text
    assert "无权查看" in page.text and 'id="leaders-denied"' in page.text
    assert 'data-chart="graph"' in page.text  # the chain map itself stays
    r = world.client().get(API, params={"cluster": world.cluster}, headers=world.auth("firm_other"))
    error_body(r, 403)


def test_english_note(world: Any) -> None:
    page = _login(world, "firm_other").get(
        f"/clusters/{world.cluster}/chain?chain=integrated_circuits&lang=en"
    )
    assert "Not permitted" in page.text and NAME_A not in page.text


def test_cluster_organisation_sees_its_candidates(world: Any) -> None:
    page = _login(world, "cluster").get(
        f"/clusters/{world.cluster}/chain?chain=integrated_circuits"
    )
    assert page.status_code == 200 and NAME_A in page.text
    assert 'id="leaders-denied"' not in page.text
    r = world.client().get(API, params={"cluster": world.cluster}, headers=world.auth("cluster"))
    rows = r.json()["tables"]["leader_candidates"]["rows"]
    assert [x["name"] for x in rows] == [NAME_A]


def test_the_service_decides(world: Any) -> None:
    from jiqun.services.chains import chain_analysis

    firm = Principal("firm_other", "enterprise", world.firms["B"], world.orgs["firm_other"])
    view = chain_analysis(firm, "integrated_circuits", cluster=world.cluster, engine=world.engine)
    assert not view.permitted
    assert view.tables["leader_candidates"] is None and view.tables["mapping"] is None
    with pytest.raises(access.AccessDenied) as exc:
        view.require()
    assert exc.value.status == 403
    cluster = Principal("cluster", "cluster", world.cluster, world.orgs["cluster"])
    view = chain_analysis(
        cluster, "integrated_circuits", cluster=world.cluster, engine=world.engine
    )
    assert view.permitted and list(view.tables["leader_candidates"]["name"]) == [NAME_A]


def test_segments_of_unreadable_firms_pass_disclosure_control(world: Any) -> None:
    from jiqun.services.chains import chain_analysis

    firm = Principal("firm_other", "enterprise", world.firms["B"], world.orgs["firm_other"])
    view = chain_analysis(firm, "integrated_circuits", cluster=world.cluster, engine=world.engine)
    segs = view.tables["segments"].set_index("segment")
    one = segs[segs["firms"] == 1]  # the segments of firm A alone
    assert len(one) and one["suppressed"].all() and one["output"].isna().all()
    assert set(view.suppressed_segments) == set(one.index)
    assert view.summary["lsr"] is None  # one local chain firm: its own supporting rate
    cluster = Principal("cluster", "cluster", world.cluster, world.orgs["cluster"])
    view = chain_analysis(
        cluster, "integrated_circuits", cluster=world.cluster, engine=world.engine
    )
    segs = view.tables["segments"].set_index("segment")
    assert not segs["suppressed"].any()  # it may read A: raw
    assert segs.loc[one.index, "output"].notna().all()
