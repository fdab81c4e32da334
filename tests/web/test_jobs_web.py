"""Background jobs and the results banner in the web UI and the REST API."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from jiqun.services import cache, jobs, results

pytestmark = pytest.mark.db


def test_api_results_status_and_jobs_access(world) -> None:  # type: ignore[no-untyped-def]
    c = world.client()
    pub = c.get("/api/v1/results/status")
    assert pub.status_code == 200
    assert "error" not in pub.json() and "version" not in pub.json()  # details: admin only
    admin = c.get("/api/v1/results/status", headers=world.auth("admin")).json()
    assert "version" in admin and "violations" in admin
    assert c.get("/api/v1/jobs").status_code == 401
    assert c.get("/api/v1/jobs", headers=world.auth("gov")).status_code == 403
    assert c.post("/api/v1/jobs/refresh", headers=world.auth("cluster")).status_code == 403
    r = c.post("/api/v1/jobs/refresh", headers=world.auth("admin"))
    assert r.status_code == 202
    job = r.json()["job"]
    listed = c.get("/api/v1/jobs", headers=world.auth("admin")).json()
    assert listed["items"][0]["id"] == job and listed["items"][0]["status"] == "queued"
    one = c.get(f"/api/v1/jobs/{job}", headers=world.auth("admin")).json()
    assert one["kind"] == "refresh"
    assert c.get("/api/v1/jobs/99999", headers=world.auth("admin")).status_code == 404
    assert world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'queue_refresh'") >= 1
    # a queued job cannot be retried; a failed one can
    assert c.post(f"/api/v1/jobs/{job}/retry", headers=world.auth("admin")).status_code == 400
    with world.engine.begin() as conn:
        conn.execute(text("UPDATE jobs SET status = 'failed' WHERE id = :i"), {"i": job})
    again = c.post(f"/api/v1/jobs/{job}/retry", headers=world.auth("admin"))
    assert again.status_code == 202 and again.json()["job"] != job
    with world.engine.begin() as conn:
        conn.execute(text("DELETE FROM jobs"))


def test_banner_while_refreshing_and_admin_jobs_section(world) -> None:  # type: ignore[no-untyped-def]
    eng = world.engine
    v1 = cache.version_text(eng)
    results.begin_version(eng, v1, None)
    results.end_version(eng, v1, ok=True)
    c = world.client()
    assert 'id="results-banner"' not in c.get("/").text  # current: no banner
    cache.bump(eng)
    job = jobs.enqueue("refresh", engine=eng)
    try:
        page = c.get("/").text
        assert 'id="results-banner"' in page and "正在后台重新计算" in page
        login = c.post(
            "/login",
            data={"username": "admin", "password": world.password},
            follow_redirects=False,
        )
        assert login.status_code in (302, 303)
        admin = c.get("/admin").text
        assert 'id="jobs-table"' in admin and "结果刷新" in admin and "排队中" in admin
    finally:
        with eng.begin() as conn:
            conn.execute(text("DELETE FROM jobs WHERE id = :i"), {"i": job})
