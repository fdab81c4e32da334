"""Every read of firm-level records writes ONE audit entry naming the firms read and the query,
whatever the path (web page, REST API, CLI); the firm's own view lists who read its records.

Read paths: enterprise list, enterprise profile, export, policy qualifying list, digital
assessment list, hot-spot table. The CLI is audited as the OS user with the role admin-local.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

POLICY = "AUDIT-P01"


@pytest.fixture(scope="module")
def prepared(world: Any) -> Any:
    """A policy every 无锡 firm qualifies for, and a stored digital assessment of A."""
    from jiqun.services import digital, policy

    policy.add_policy(
        {
            "policy_id": POLICY,
            "title": "无锡测试政策",
            "issuer": "测试",
            "rules": [{"field": "region", "op": "in", "value": ["320200"]}],
            "start_date": "2024-01-01",
            "end_date": "2099-12-31",
        },
        world.engine,
    )
    digital.save_assessment(world.firms["A"], {"network": ["A"]}, engine=world.engine)
    return world


def _max_id(world: Any) -> int:
    return world.count("SELECT COALESCE(MAX(id), 0) FROM audit_log")


def _reads(world: Any, since: int, action: str) -> list[dict[str, Any]]:
    """The audit entries of ``action`` after ``since``, each with its subjects."""
    with world.engine.connect() as c:
        rows = c.execute(
            text(
                "SELECT id, username, role, resource, detail FROM audit_log "
                "WHERE id > :i AND action = :a ORDER BY id"
            ),
            {"i": since, "a": action},
        ).all()
        out = []
        for r in rows:
            subjects = sorted(
                c.execute(
                    text("SELECT uscc FROM audit_subjects WHERE audit_id = :i"), {"i": r.id}
                ).scalars()
            )
            out.append(
                {
                    "username": r.username,
                    "role": r.role,
                    "resource": r.resource,
                    "detail": json.loads(r.detail),
                    "subjects": subjects,
                }
            )
    return out


def _one(world: Any, since: int, action: str) -> dict[str, Any]:
    entries = _reads(world, since, action)
    assert len(entries) == 1, entries
    e = entries[0]
    # the firms read are named: in audit_subjects, and inline in the detail for short lists
    assert e["detail"]["n_firms"] == len(e["subjects"])
    if len(e["subjects"]) <= 20:
        assert sorted(e["detail"]["firms"]) == e["subjects"]
    return e


def _cli(*args: str) -> Any:
    from jiqun.cli.app import app as cli

    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code == 0, (res.output, res.exception)
    return res


def _cli_principal() -> str:
    import getpass

    return f"os:{getpass.getuser()}"


# --------------------------------------------------------------------------------------------
# enterprise list
# --------------------------------------------------------------------------------------------

D_AND_E = "91320214MA1N"  # part of the credit codes of D and E (both in 无锡)


@pytest.mark.parametrize("path", ["web", "api", "cli"])
def test_list_names_firms_and_query(prepared: Any, path: str) -> None:
    w = prepared
    f = w.firms
    since = _max_id(w)
    if path == "web":
        r = w.client().get("/enterprises", params={"q": D_AND_E}, headers=w.auth("gov"))
        assert r.status_code == 200 and f["D"] in r.text
    elif path == "api":
        r = w.client().get("/api/v1/enterprises", params={"q": D_AND_E}, headers=w.auth("gov"))
        assert r.status_code == 200
        assert {x["uscc"] for x in r.json()["items"]} == {f["D"], f["E"]}
    else:
        assert f["D"] in _cli("firm", "list", "--q", D_AND_E).output
    e = _one(w, since, "list_enterprises")
    assert e["subjects"] == sorted([f["D"], f["E"]])
    assert e["detail"]["params"]["q"] == D_AND_E
    who = {"web": ("gov", "government"), "api": ("gov", "government")}
    assert (e["username"], e["role"]) == who.get(path, (_cli_principal(), "admin-local"))


def test_a_grantees_list_names_the_granted_firm(prepared: Any) -> None:
    """observer (北京) sees nothing of its own; with a grant on C, its list read names C."""
    w = prepared
    c = w.client()
    g = c.post(
        "/api/v1/grants",
        json={"uscc": w.firms["C"], "grantee_organisation_id": w.orgs["observer"]},
        headers=w.auth("admin"),
    )
    assert g.status_code == 201
    since = _max_id(w)
    r = c.get("/api/v1/enterprises", params={"q": "示例"}, headers=w.auth("observer"))
    assert [x["uscc"] for x in r.json()["items"]] == [w.firms["C"]]
    e = _one(w, since, "list_enterprises")
    assert e["subjects"] == [w.firms["C"]] and e["detail"]["params"]["q"] == "示例"
    c.delete(f"/api/v1/grants/{g.json()['id']}", headers=w.auth("admin"))


# --------------------------------------------------------------------------------------------
# enterprise profile
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["web", "api", "cli"])
def test_profile_read_is_one_entry(prepared: Any, path: str) -> None:
    w = prepared
    a = w.firms["A"]
    since = _max_id(w)
    if path == "web":
        assert w.client().get(f"/enterprises/{a}", headers=w.auth("gov")).status_code == 200
    elif path == "api":
        r = w.client().get(f"/api/v1/enterprises/{a}", headers=w.auth("gov"))
        assert r.status_code == 200 and r.json()["uscc"] == a
    else:
        assert a in _cli("firm", "show", a).output
    e = _one(w, since, "read_enterprise")
    assert e["subjects"] == [a] and e["resource"] == f"enterprise:{a}"
    assert e["detail"]["via"] == "own"
    assert _reads(w, since, "read_granted") == []  # one entry per read, not two


# --------------------------------------------------------------------------------------------
# exports
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_api_export_names_every_firm_and_the_filters(prepared: Any, fmt: str) -> None:
    w = prepared
    f = w.firms
    since = _max_id(w)
    r = w.client().get(
        "/api/v1/enterprises",
        params={"format": fmt, "region": "320214"},
        headers=w.auth("gov"),
    )
    assert r.status_code == 200
    e = _one(w, since, "export_enterprises")
    assert e["subjects"] == sorted([f["A"], f["E"]])  # D is registered in 320200 itself
    assert e["detail"]["params"]["region"] == "320214"
    assert _reads(w, since, "list_enterprises") == []


def test_web_export_link_is_audited(prepared: Any) -> None:
    """The page's download goes through the same service (cookie session, as a browser)."""
    w = prepared
    c = w.client()
    login = c.post("/login", data={"username": "gov", "password": w.password})
    assert login.status_code in (200, 303)
    page = c.get("/enterprises", params={"q": D_AND_E})
    i = page.text.find(">CSV<")
    assert f"q={D_AND_E}" in page.text[i - 200 : i], page.text[i - 300 : i]
    since = _max_id(w)
    r = c.get(
        "/api/v1/enterprises",
        params={"format": "csv", "region": "", "industry": "", "tag": "", "q": D_AND_E},
    )
    assert r.status_code == 200
    e = _one(w, since, "export_enterprises")
    assert e["username"] == "gov" and e["subjects"] == sorted([w.firms["D"], w.firms["E"]])


def test_cli_exports_are_audited(prepared: Any, tmp_path: Path) -> None:
    w = prepared
    since = _max_id(w)
    _cli("export", "enterprises", "--out", str(tmp_path / "all.xlsx"))
    e = _one(w, since, "export_kind")
    assert e["role"] == "admin-local" and e["username"] == _cli_principal()
    assert e["subjects"] == sorted(w.firms.values())
    since = _max_id(w)
    _cli("firm", "list", "--q", D_AND_E, "--out", str(tmp_path / "some.csv"))
    e = _one(w, since, "export_enterprises")
    assert e["subjects"] == sorted([w.firms["D"], w.firms["E"]])
    assert (tmp_path / "some.csv").is_file()


# --------------------------------------------------------------------------------------------
# policy qualifying list
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["web", "api", "cli"])
def test_policy_list_is_audited(prepared: Any, path: str) -> None:
    w = prepared
    f = w.firms
    since = _max_id(w)
    if path == "web":
        r = w.client().get(f"/policies/{POLICY}", headers=w.auth("gov"))
        assert r.status_code == 200 and f["A"] in r.text
    elif path == "api":
        r = w.client().get(f"/api/v1/policies/{POLICY}/firms", headers=w.auth("gov"))
        assert r.status_code == 200
    else:
        _cli("policy", "qualify", POLICY)
    e = _one(w, since, "policy_firms")
    assert e["resource"] == f"policy:{POLICY}"
    assert e["detail"]["params"]["policy_id"] == POLICY
    assert e["subjects"] == sorted([f["A"], f["D"], f["E"]])


# --------------------------------------------------------------------------------------------
# digital assessment list (scores and levels of named firms)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["web", "api", "cli"])
def test_digital_list_is_audited(prepared: Any, path: str) -> None:
    w = prepared
    a = w.firms["A"]
    since = _max_id(w)
    if path == "web":
        assert w.client().get("/digital", headers=w.auth("firm")).status_code == 200
    elif path == "api":
        r = w.client().get("/api/v1/digital/assessments", headers=w.auth("gov"))
        assert r.status_code == 200 and [x["uscc"] for x in r.json()["items"]] == [a]
    else:
        assert a in _cli("assess", "list").output
    e = _one(w, since, "list_assessments")
    assert e["subjects"] == [a]


def test_digital_list_is_limited_to_what_the_caller_may_read(prepared: Any) -> None:
    w = prepared
    r = w.client().get("/api/v1/digital/assessments", headers=w.auth("gov_other"))
    assert r.status_code == 200 and r.json()["items"] == []
    r = w.client().get("/api/v1/digital/assessments", headers=w.auth("firm_other"))
    assert r.json()["items"] == []


# --------------------------------------------------------------------------------------------
# hot spots
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["web", "api", "cli"])
def test_hot_spots_are_audited(prepared: Any, path: str) -> None:
    w = prepared
    cid = w.cluster
    since = _max_id(w)
    if path == "web":
        r = w.client().get(f"/clusters/{cid}/resilience", headers=w.auth("gov"))
        assert r.status_code == 200
    elif path == "api":
        r = w.client().get(f"/api/v1/clusters/{cid}/hot-spots", headers=w.auth("gov"))
        assert r.status_code == 200
        items = r.json()["items"]
        assert items and "sales" not in items[0]  # firm sales stay with the records' owners
    else:
        _cli("resilience", "hot-spots", cid)
    e = _one(w, since, "read_hot_spots")
    assert e["subjects"], e  # the suppliers in the table are named
    assert set(e["subjects"]) <= set(w.firms.values())
    assert e["detail"]["params"]["cluster"] == cid


# --------------------------------------------------------------------------------------------
# the firm's own view: who read my records
# --------------------------------------------------------------------------------------------


def test_the_firm_sees_who_read_its_records(prepared: Any) -> None:
    w = prepared
    c = w.client()
    a = w.firms["A"]
    w.add_account("reader_gov", "government", "320200")
    assert c.get(f"/api/v1/enterprises/{a}", headers=w.auth("reader_gov")).status_code == 200
    rows = c.get("/api/v1/audit/readers", headers=w.auth("firm")).json()["items"]
    mine = [r for r in rows if r["username"] == "reader_gov"]
    assert [r["action"] for r in mine] == ["read_enterprise"]
    assert mine[0]["role"] == "government" and mine[0]["organisation"]
    page = c.get("/my-readers", headers=w.auth("firm"))
    assert page.status_code == 200 and "reader_gov" in page.text
    # in Chinese: labels, not internal keys or raw JSON
    table = page.text[page.text.index('id="readers-table"') :]
    assert "企业详情" in table and "政府分析人员" in table
    assert "read_enterprise" not in table and '{"' not in table
    # another firm's account does not see these reads, nor may it ask for A's
    other = c.get("/api/v1/audit/readers", headers=w.auth("firm_other")).json()["items"]
    assert all(r["username"] != "reader_gov" for r in other)
    assert (
        c.get("/api/v1/audit/readers", params={"uscc": a}, headers=w.auth("firm_other"))
    ).status_code == 404
    assert c.get("/my-readers", headers=w.auth("gov")).status_code == 403
    # the CLI shows the same
    assert "reader_gov" in _cli("firm", "readers", a).output


# --------------------------------------------------------------------------------------------
# one firm's assessment, gap and policy evaluation
# --------------------------------------------------------------------------------------------


def _assessment_of(world: Any, uscc: str) -> int:
    return world.count("SELECT MAX(id) FROM digital_assessments WHERE uscc = :u", u=uscc)


@pytest.mark.parametrize("path", ["web", "api"])
def test_assessment_read_is_one_entry(prepared: Any, path: str) -> None:
    w = prepared
    a = w.firms["A"]
    aid = _assessment_of(w, a)
    since = _max_id(w)
    if path == "web":
        r = w.client().get("/digital", params={"id": aid}, headers=w.auth("gov"))
    else:
        r = w.client().get(f"/api/v1/digital/assessments/{aid}", headers=w.auth("gov"))
    assert r.status_code == 200, r.text[:300]
    e = _one(w, since, "read_assessment")
    assert e["subjects"] == [a] and e["detail"]["via"] == "own"
    assert e["resource"] == f"assessment:{aid}"
    # a reader outside the firm's scope gets 404 and no read is recorded
    since = _max_id(w)
    r = w.client().get(f"/api/v1/digital/assessments/{aid}", headers=w.auth("gov_other"))
    assert r.status_code == 404 and _reads(w, since, "read_assessment") == []


@pytest.mark.parametrize("path", ["api", "cli"])
def test_assessment_gap_is_audited(prepared: Any, path: str) -> None:
    w = prepared
    a = w.firms["A"]
    aid = _assessment_of(w, a)
    since = _max_id(w)
    if path == "api":
        r = w.client().get(f"/api/v1/digital/assessments/{aid}/gap", headers=w.auth("firm"))
        assert r.status_code == 200, r.text[:300]
    else:
        _cli("assess", "gap", str(aid))
    e = _one(w, since, "read_assessment_gap")
    assert a in e["subjects"]


@pytest.mark.parametrize("path", ["web", "api", "cli"])
def test_firm_policy_evaluation_is_audited(prepared: Any, path: str) -> None:
    w = prepared
    a = w.firms["A"]
    since = _max_id(w)
    if path == "web":
        assert w.client().get("/policies", headers=w.auth("firm")).status_code == 200
    elif path == "api":
        r = w.client().get(f"/api/v1/enterprises/{a}/policies", headers=w.auth("gov"))
        assert r.status_code == 200
    else:
        _cli("policy", "firm", a)
    e = _one(w, since, "read_firm_policies")
    assert e["subjects"] == [a]


def test_a_read_through_a_grant_is_one_read_granted_entry(prepared: Any) -> None:
    w = prepared
    c = w.client()
    b = w.firms["B"]
    g = c.post(
        "/api/v1/grants",
        json={"uscc": b, "grantee_organisation_id": w.orgs["gov"]},
        headers=w.auth("firm_other"),
    )
    assert g.status_code == 201
    since = _max_id(w)
    assert c.get(f"/api/v1/enterprises/{b}", headers=w.auth("gov")).status_code == 200
    e = _one(w, since, "read_granted")
    assert e["subjects"] == [b] and e["detail"]["grant_id"] == g.json()["id"]
    assert e["detail"]["read"] == "read_enterprise"
    assert _reads(w, since, "read_enterprise") == []
    c.delete(f"/api/v1/grants/{g.json()['id']}", headers=w.auth("firm_other"))


# --------------------------------------------------------------------------------------------
# chain analysis (firm tables: candidates, leader candidates, mapping)
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["api", "cli"])
def test_chain_analysis_is_one_entry_naming_the_firms(prepared: Any, path: str) -> None:
    w = prepared
    since = _max_id(w)
    if path == "api":
        r = w.client().get(
            "/api/v1/chains/integrated_circuits/analysis",
            params={"cluster": w.cluster},
            headers=w.auth("cluster"),
        )
        assert r.status_code == 200, r.text[:300]
        tables = r.json()["tables"]
        shown = {
            row["uscc"]
            for t in ("mapping", "candidates", "leader_candidates", "lsr_firms")
            for row in tables[t]["rows"]
            if row.get("uscc")
        }
        assert shown  # the tables do name firms
    else:
        _cli("chain", "analyse", "integrated_circuits", "--cluster", w.cluster)
        shown = None
    e = _one(w, since, "chain_analysis")
    assert e["subjects"] and w.firms["A"] in e["subjects"]
    if shown is not None:
        assert shown <= set(e["subjects"])
    assert e["detail"]["params"]["cluster"] == w.cluster
    assert _reads(w, since, "read_granted") == []


# --------------------------------------------------------------------------------------------
# matching: ranked (scored) lists of firms
# --------------------------------------------------------------------------------------------


SEARCH = {"text": "集成电路", "industry_code": "3973", "region": "440300"}


@pytest.mark.parametrize("path", ["web", "api", "cli"])
def test_supplier_ranking_names_the_ranked_firms(prepared: Any, path: str) -> None:
    w = prepared
    since = _max_id(w)
    ranked = None
    if path == "web":
        r = w.client().post("/matching/suppliers", data=SEARCH, headers=w.auth("gov"))
        assert r.status_code == 200
    elif path == "api":
        r = w.client().post("/api/v1/matching/suppliers", json=SEARCH, headers=w.auth("gov"))
        assert r.status_code == 200
        ranked = sorted(i["uscc"] for i in r.json()["items"])
    else:
        _cli("match", "suppliers", "--text", "集成电路", "--industry", "3973")
    e = _one(w, since, "match_suppliers")
    assert e["subjects"] and w.firms["A"] in e["subjects"], e
    if ranked is not None:
        assert e["subjects"] == ranked


# --------------------------------------------------------------------------------------------
# disruption scenario: the firms table
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["api", "cli"])
def test_scenario_names_the_firms_returned(prepared: Any, path: str) -> None:
    w = prepared
    a = w.firms["A"]
    since = _max_id(w)
    if path == "api":
        r = w.client().post(
            "/api/v1/resilience/scenarios",
            json={"kind": "firm", "target": a, "alternatives": 0},
            headers=w.auth("gov"),
        )
        assert r.status_code == 200, r.text[:300]
        rows = {x["id"] for x in r.json()["tables"]["firms"]["rows"]}
    else:
        _cli("resilience", "scenario", "--firm", a)
        rows = None
    e = _one(w, since, "scenario")
    assert a in e["subjects"]
    if rows is not None:
        assert rows == set(e["subjects"])


def test_cli_chain_map_is_audited(prepared: Any) -> None:
    w = prepared
    since = _max_id(w)
    _cli("chain", "map", "integrated_circuits", "--cluster", w.cluster)
    e = _one(w, since, "chain_map")
    assert w.firms["A"] in e["subjects"] and e["role"] == "admin-local"


def test_a_page_names_only_the_firms_on_it(prepared: Any) -> None:
    w = prepared
    f = w.firms
    c = w.client()
    since = _max_id(w)
    r = c.get(
        f"/api/v1/policies/{POLICY}/firms",
        params={"limit": 1, "offset": 1, "sort": "-uscc"},
        headers=w.auth("gov"),
    )
    body = r.json()
    assert body["meta"]["total"] == 3 and len(body["items"]) == 1
    second = sorted([f["A"], f["D"], f["E"]], reverse=True)[1]
    assert body["items"][0]["uscc"] == second
    assert _one(w, since, "policy_firms")["subjects"] == [second]
    since = _max_id(w)
    r = c.get(
        "/api/v1/digital/assessments", params={"limit": 1, "offset": 5}, headers=w.auth("gov")
    )
    assert r.json()["meta"]["total"] == 1 and r.json()["items"] == []
    assert _one(w, since, "list_assessments")["subjects"] == []
