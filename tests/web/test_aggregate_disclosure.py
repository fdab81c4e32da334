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
    assert "<td>保密</td>" in r.text  # the service's "保密 / suppressed", its Chinese half


ALL_MIN: dict[str, Any] = {  # every item at its lowest option (tests/digital/digital_fixtures.py)
    "network": [],
    "equipment_digitisation": 0,
    "equipment_networking": 5,
    "data_collection": ["NONE"],
    "information_systems": "A",
    "network_security": [],
    "data_security": [],
    "planning": "A",
    "management_mechanism": [],
    "talent": [],
    "funding": 0,
    "energy": "增加",
    "quality": "降低",
    "market": "降低",
    "value": "增加",
} | {
    s: 1
    for s in [
        "scene_product_design",
        "scene_process_design",
        "scene_marketing",
        "scene_after_sales",
        "scene_planning_scheduling",
        "scene_production_control",
        "scene_quality_management",
        "scene_equipment_management",
        "scene_safety",
        "scene_energy_management",
        "scene_procurement",
        "scene_warehousing_logistics",
        "scene_finance",
        "scene_human_resources",
        "scene_collaborative_office",
        "scene_decision_support",
    ]
}


def test_digital_index_hides_a_one_firm_leader_group(world: Any, error_body: Any) -> None:
    from sqlalchemy import text

    from jiqun.services import digital

    a = world.firms["A"]
    with world.engine.begin() as c:
        c.execute(text("UPDATE enterprises SET tags = 'chain_leader' WHERE uscc = :u"), {"u": a})
    saved = digital.save_assessment(a, ALL_MIN, submit=True, engine=world.engine)
    url = f"/api/v1/digital/clusters/{world.cluster}/index"
    c = world.client()
    # 深圳's government gets 404 on A's assessment …
    error_body(
        c.get(f"/api/v1/digital/assessments/{saved.id}", headers=world.auth("gov_other")), 404
    )
    body = c.get(url, headers=world.auth("gov_other")).json()
    lead = next(r for r in body["tables"]["by_group"] if r["group"] == "chain_leader")
    # … so the chain-leader group of A alone shows no score, level or assessment count
    assert lead["mean_score"] is None and lead["assessed"] is None, lead
    assert lead["suppressed"] and lead["disclosure"] == "保密 / suppressed"
    for k, v in lead.items():
        if k not in ("group", "label", "firms", "suppressed", "disclosure"):
            assert v is None, (k, v)
    for name in ("by_size", "by_segment"):
        for r in body["tables"][name]:
            assert r["mean_score"] is None, (name, r)
    # the cluster total would give A's score back (A is the only assessed firm)
    assert body["summary"]["mean_score"] is None and body["summary"]["assessed"] is None
    assert all(r["firms"] is None for r in body["tables"]["by_level"])
    # the cluster organisation reads A's assessment: raw
    raw = c.get(url, headers=world.auth("cluster")).json()
    lead = next(r for r in raw["tables"]["by_group"] if r["group"] == "chain_leader")
    assert (
        lead["assessed"] == 1
        and lead["mean_score"] == saved.result.total
        and not lead["suppressed"]
    )
    assert raw["summary"]["mean_score"] == saved.result.total


def test_gap_to_fewer_than_three_leaders_is_withheld(world: Any) -> None:
    from jiqun.services import digital

    # runs after the index test: A is the cluster's only chain leader, with a submitted
    # assessment; D (a cluster member) compares itself with "the leaders' mean" = A's answers
    d = world.firms["D"]
    world.add_account("firm_d", "enterprise", d)
    mine = digital.save_assessment(d, {"network": ["A"]}, engine=world.engine)
    c = world.client()
    url = f"/api/v1/digital/assessments/{mine.id}/gap?cluster={world.cluster}"
    body = c.get(url, headers=world.auth("firm_d")).json()
    assert body["leaders"] is None, body["leaders"]
    assert any("披露控制" in n for n in body["notes"])
    # the cluster organisation may read A's assessment: it sees the comparison
    body = c.get(url, headers=world.auth("cluster")).json()
    assert body["leaders"] is not None and body["leaders"]["n_peers"] == 1


def test_cli_tables_mark_suppressed_rows() -> None:
    import pandas as pd

    from jiqun.cli import assess_cmd, resilience_cmd

    df = pd.DataFrame(
        {"province": ["320000", "440000"], "output_loss": [None, 12.5],
         "disclosure": ["保密 / suppressed", None]}
    )  # fmt: skip
    with resilience_cmd.console.capture() as cap:
        resilience_cmd._table("t", df, {"province": "p", "output_loss": "loss"})
    assert "保密 / suppressed" in cap.get() and "12.5" in cap.get()
    t = assess_cmd._table(
        df.rename(columns={"output_loss": "mean_score"}), "t", {"mean_score": "m"}
    )
    with assess_cmd.console.capture() as cap:
        assess_cmd.console.print(t)
    assert "保密 / suppressed" in cap.get()
