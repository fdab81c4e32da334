"""Pages show times to the second, never with microseconds (the stored values carry them)."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from jiqun.services import access, jobs

FRACTION = re.compile(r"\d{2}:\d{2}:\d{2}\.\d")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
D = "91320214MA1NA0012A"


def _login(w: Any, who: str) -> TestClient:
    c = TestClient(w.app, follow_redirects=False)
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
    assert tok
    r = c.post("/login", data={"username": who, "password": w.password, "csrf": tok.group(1)})
    assert r.status_code == 303, r.text[:300]
    return c


def test_admin_and_firm_pages_show_times_to_the_second(world: Any) -> None:
    # a job and a grant: rows whose times the admin and firm pages list
    jobs.enqueue("refresh", {}, engine=world.engine, created_by="admin")
    firm = access.local_principal()
    org = world.orgs["gov"]
    access.create_grant(firm, D, int(org), purpose="对接", engine=world.engine)
    c = _login(world, "admin")
    for path in ("/admin", f"/enterprises/{D}", "/digital", "/imports"):
        page = c.get(path)
        assert page.status_code == 200, path
        assert not FRACTION.search(page.text), (path, FRACTION.search(page.text))
    assert SECOND.search(c.get("/admin").text)
