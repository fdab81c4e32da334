"""Aggregates shown to a user without rights to their firms pass disclosure control.

The world has supply links A → B and D → A. A scenario's ``by_region`` / ``by_industry`` rows
and the digital cluster index's groups are shown raw only to viewers who may read every firm of
the row; for others rows of one or two firms (or one dominant firm) are suppressed, with enough
complementary suppression that the published totals do not give them back.
"""

from __future__ import annotations

import math
from typing import Any

URL = "/api/v1/resilience/scenarios"


def _run(world: Any, who: str, kind: str, target: str) -> dict[str, Any]:
    r = world.client().post(URL, json={"kind": kind, "target": target}, headers=world.auth(who))
    assert r.status_code == 200, r.text[:500]
    return dict(r.json())


def _key(name: str) -> str:
    return "province" if name == "by_region" else "division"


def test_scenario_rows_of_one_firm_are_suppressed(world: Any) -> None:
    f = world.firms
    admin = _run(world, "admin", "region", "320200")
    raw = {
        n: {r[_key(n)]: r for r in admin["tables"][n]["rows"]} for n in ("by_region", "by_industry")
    }
    assert any(r["firms"] == 1 for t in raw.values() for r in t.values())  # the leak exists
    body = _run(world, "firm_other", "region", "320200")  # enterprise B
    own = {"440000", "38"}  # B's province and division: B may read its own row
    for name in ("by_region", "by_industry"):
        rows = body["tables"][name]["rows"]
        for r in rows:
            if r[_key(name)] in own:
                assert r["firms"] == 1 and not r["suppressed"], r
                continue
            assert r["firms"] is None and r["output_loss"] is None and r["sales"] is None, r
            assert r["suppressed"] and r["disclosure"] == "保密 / suppressed", r
        # the total minus the rows shown never gives a suppressed row exactly
        total = body["summary"].get("output_loss")
        shown = sum(r["output_loss"] for r in rows if not r["suppressed"])
        for r in rows:
            if r["suppressed"] and total is not None:
                true = raw[name][r[_key(name)]]["output_loss"]
                assert not math.isclose(total - shown, true, abs_tol=1e-9), (name, r)
    # the admin and a government that reads A and D see the rows raw
    assert not any(r.get("suppressed") for r in admin["tables"]["by_region"]["rows"])
    gov = _run(world, "gov", "firm", f["A"])
    rows = {r["province"]: r for r in gov["tables"]["by_region"]["rows"]}
    assert rows["320000"]["firms"] == 2 and not rows["320000"]["suppressed"]  # A and D
    assert rows["440000"]["firms"] is None  # B, out of its region


def test_scenario_page_shows_suppressed_rows(world: Any) -> None:
    import re

    c = world.client()
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text)
    assert tok
    c.post(
        "/login",
        data={"username": "firm_other", "password": world.password, "csrf": tok.group(1)},
        follow_redirects=False,
    )
    tok = re.search(r'name="csrf" value="([^"]+)"', c.get("/scenarios").text)
    assert tok
    r = c.post("/scenarios/run", data={"kind": "region", "target": "320200", "csrf": tok.group(1)})
    assert r.status_code == 200, r.text[:300]
    assert "保密 / suppressed" in r.text
