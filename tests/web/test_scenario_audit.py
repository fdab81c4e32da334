"""The REST scenario's audit entry, written by :func:`jiqun.services.resilience.scenario_page`:
one ``scenario`` entry naming exactly the firms of the page returned, with the query."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text


def test_one_entry_names_the_page_and_keeps_the_query(world: Any) -> None:
    a = world.firms["A"]
    with world.engine.connect() as c:
        since = c.execute(text("SELECT COALESCE(MAX(id), 0) FROM audit_log")).scalar_one()
    r = world.client().post(
        "/api/v1/resilience/scenarios?limit=1&offset=0",
        json={"kind": "firm", "target": a, "alternatives": 0},
        headers=world.auth("gov"),
    )
    assert r.status_code == 200, r.text[:300]
    rows = r.json()["tables"]["firms"]["rows"]
    assert len(rows) == 1
    with world.engine.connect() as c:
        entries = c.execute(
            text(
                "SELECT id, resource, detail FROM audit_log WHERE id > :i AND action = 'scenario'"
            ),
            {"i": since},
        ).all()
        assert len(entries) == 1
        e = entries[0]
        subjects = c.execute(
            text("SELECT uscc FROM audit_subjects WHERE audit_id = :i"), {"i": e.id}
        ).scalars()
        assert set(subjects) == {rows[0]["id"]}
    assert e.resource == f"scenario:firm:{a}"
    assert json.loads(e.detail)["params"] == {
        "kind": "firm",
        "target": a,
        "limit": 1,
        "offset": 0,
        "format": "json",
    }
