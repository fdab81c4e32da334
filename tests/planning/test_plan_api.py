"""``GET /api/v1/plans/division`` on the small demo (src/jiqun/web/api_planning.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from jiqun.services import accounts


def test_division_api_boundary(demo_engine: Engine) -> None:
    from jiqun.services.release import build_release
    from jiqun.web.app import create_app

    c = TestClient(create_app(demo_engine))
    url = "/api/v1/plans/division?cluster=NC2022-06&chain=biomedicine"
    # the public: no release yet → refused with the reason, in both languages
    r = c.get(url)
    assert r.status_code == 400, r.text
    assert "release" in r.text
    build_release(demo_engine)
    r = c.get(url)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source"] == "published"
    assert {x["code"] for x in body["cities"]} == {"320200", "320700", "321200"}
    led = {seg for segs in body["assignment"].values() for seg in segs}
    assert led == {x["id"] for x in body["segments"]}
    # the government of 江苏 gets the registry plan, audited
    p = accounts.add_user("js_gov", "government", "correct-horse-battery", "320000", demo_engine)
    tok = accounts.issue_token(p, demo_engine)
    r = c.get(url, headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["source"] == "registry"
    s = body["changes"]["summary"]
    assert s["similarity_after"] < s["similarity_before"]
    led = {seg for segs in body["assignment"].values() for seg in segs}
    assert led == {x["id"] for x in body["segments"]}
    with demo_engine.connect() as conn:
        n = conn.execute(text("SELECT COUNT(*) FROM audit_log WHERE action='division_plan'"))
        assert n.scalar() == 1
    # infeasible: 422 naming the limit
    r = c.get(url + "&max_segments=1", headers={"Authorization": f"Bearer {tok}"})
    assert r.status_code == 422, r.text
    assert "max_segments=1" in r.text
    # CSV of the plan
    r = c.get(
        "/api/v1/plans/division?regions=310000,320500,330100&chain=integrated_circuits&format=csv",
        headers={"Authorization": f"Bearer {tok}"},
    )
    assert r.status_code == 200 and "segment" in r.text.splitlines()[0]
