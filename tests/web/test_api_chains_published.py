"""Chain templates and chain maps, and published tables with disclosure control."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pandas as pd

from jiqun.services import access, accounts


def test_chain_templates(world: Any, error_body: Any) -> None:
    c = world.client()
    body = c.get("/api/v1/chains").json()
    ids = [x["id"] for x in body["items"]]
    assert "integrated_circuits" in ids and body["meta"]["total"] == len(ids) >= 9
    one = c.get("/api/v1/chains/integrated_circuits").json()
    assert one["name_zh"] and one["segments"] and one["segments"][0]["gbt4754"]
    error_body(c.get("/api/v1/chains/nope"), 404, "not_found")
    csv = c.get("/api/v1/chains", params={"format": "csv", "q": "集成电路"})
    assert "integrated_circuits" in csv.content.decode("utf-8-sig")


def test_chain_analysis(world: Any, error_body: Any) -> None:
    c = world.client()
    url = "/api/v1/chains/integrated_circuits/analysis"
    r = c.get(url, params={"cluster": world.cluster}, headers=world.auth("cluster"))
    assert r.status_code == 200, r.text[:500]
    body = r.json()
    assert body["summary"]["chain"] == "integrated_circuits"
    assert body["basis"]["unit"] == "万元" and "synthetic" in body["basis"]
    assert {"segments", "completeness", "candidates", "leader_candidates"} <= set(body["tables"])
    mapped = {row["uscc"] for row in body["tables"]["mapping"]["rows"]}
    assert mapped <= {world.firms["A"], world.firms["D"]}  # only firms the cluster may read
    xlsx = c.get(url, params={"region": "320200", "format": "xlsx"}, headers=world.auth("gov"))
    assert xlsx.status_code == 200
    assert "segments" in openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames
    csv = c.get(
        url,
        params={"region": "320200", "format": "csv", "table": "completeness"},
        headers=world.auth("gov"),
    )
    assert csv.content.decode("utf-8-sig").startswith("segment,")
    error_body(c.get(url, params={"region": "440300"}, headers=world.auth("gov")), 403)
    error_body(c.get(url, headers=world.auth("admin")), 400)  # neither cluster nor region
    error_body(
        c.get(
            url, params={"region": "320200", "cluster": world.cluster}, headers=world.auth("admin")
        ),
        400,
    )
    error_body(c.get(url, params={"region": "320200"}), 401)
    error_body(c.get(url, params={"region": "320200"}, headers=world.auth("firm")), 403)
    assert world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'chain_analysis'") >= 2


def test_visible_rows_drops_firms_outside_rights_and_audits_grants(world: Any) -> None:
    f = world.firms
    gov = accounts.principal_for_username("gov_other", engine=world.engine)  # 深圳
    df = pd.DataFrame({"uscc": [f["A"], f["B"], f["C"]], "x": [1, 2, 3]})
    kept, hidden = access.visible_rows(gov, df, engine=world.engine)
    assert kept["uscc"].tolist() == [f["B"]] and hidden == 2
    firm_c = accounts.add_user("firm_c", "enterprise", world.password, f["C"], world.engine)
    g = access.create_grant(firm_c, f["C"], gov.organisation_id, engine=world.engine)
    before = world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'read_granted'")
    kept, hidden = access.visible_rows(gov, df, engine=world.engine)
    assert kept["uscc"].tolist() == [f["B"], f["C"]] and hidden == 1
    assert world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'read_granted'") == before + 1
    access.revoke_grant(firm_c, g["id"], engine=world.engine)
    admin = accounts.principal_for_username("admin", engine=world.engine)
    assert access.visible_rows(admin, df, engine=world.engine)[1] == 0


def test_published_tables_suppress_small_cells_for_the_public(world: Any, error_body: Any) -> None:
    from jiqun.services.refresh import refresh
    from jiqun.services.release import current_release

    if current_release(world.engine) is None:  # the background refresh after the imports
        refresh(world.engine, {"only": ["公开数据版本"]}, lambda *_: None)
    c = world.client()
    pub = c.get("/api/v1/published", params={"by": "region", "measure": "revenue"}).json()
    assert pub["items"] and pub["meta"]["basis"] and "totals" in pub
    # every region cell here has fewer than 3 enterprises: suppressed for the public
    assert all(i["suppressed"] and i["value"] is None for i in pub["items"])
    adm = c.get(
        "/api/v1/published",
        params={"by": "region", "measure": "revenue"},
        headers=world.auth("admin"),
    ).json()
    assert all(i["value"] is not None for i in adm["items"])
    wx = c.get(
        "/api/v1/published",
        params={"by": "region", "measure": "revenue"},
        headers=world.auth("gov"),
    ).json()
    shown = {i["region_code"]: i["value"] for i in wx["items"]}
    assert shown["320200"] is not None  # its own region
    assert shown.get("440300") is None
    csv = c.get("/api/v1/published", params={"format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert "row_kind" in text.splitlines()[0] and "grand_total" in text
    error_body(c.get("/api/v1/published", params={"measure": "bogus"}), 422)
    error_body(c.get("/api/v1/published", params={"cluster": "NOPE"}), 404)
    error_body(c.get("/api/v1/published", params={"region": "999999"}), 400)


def test_resilience_scenarios(world: Any, error_body: Any) -> None:
    c, f = world.client(), world.firms
    url = "/api/v1/resilience/scenarios"
    r = c.post(url, json={"kind": "firm", "target": f["A"]}, headers=world.auth("admin"))
    assert r.status_code == 200, r.text[:500]
    body = r.json()
    assert body["summary"]["scenario"] and body["basis"]
    assert set(body["tables"]) == {"firms", "by_region", "by_industry", "alternatives"}
    firms = {row["id"] for row in body["tables"]["firms"]["rows"]}
    assert f["B"] in firms  # A supplies B: B loses
    # the government of 无锡 may run A's failure but sees only its own firms in the result
    r = c.post(url, json={"kind": "firm", "target": f["A"]}, headers=world.auth("gov"))
    assert r.status_code == 200
    t = r.json()["tables"]["firms"]
    assert {row["id"] for row in t["rows"]} <= {f["A"], f["D"], f["E"]} and t["hidden_rows"] >= 1
    # another region's government may not name A (404: existence does not leak)
    error_body(
        c.post(url, json={"kind": "firm", "target": f["A"]}, headers=world.auth("gov_other")), 404
    )
    r = c.post(url, json={"kind": "region", "target": "320200"}, headers=world.auth("firm_other"))
    assert r.status_code == 200
    assert {row["id"] for row in r.json()["tables"]["firms"]["rows"]} <= {f["B"]}
    x = c.post(
        url,
        params={"format": "xlsx"},
        json={"kind": "region", "target": "320200"},
        headers=world.auth("admin"),
    )
    assert "by_region" in openpyxl.load_workbook(io.BytesIO(x.content)).sheetnames
    error_body(c.post(url, json={"kind": "region", "target": "320200"}), 401)
    error_body(
        c.post(url, json={"kind": "region", "target": "abc"}, headers=world.auth("gov")), 422
    )
    error_body(
        c.post(url, json={"kind": "import_stop", "target": "3973"}, headers=world.auth("gov")), 400
    )
    assert world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'scenario'") >= 3
