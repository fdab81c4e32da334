"""Authorisation matrix: every role × every endpoint × own scope / other scope.

Each row of :data:`MATRIX` names an endpoint, the scope variant and the expected status for each
role, in the order of :data:`ROLES`. ``{own}``/``{other}`` are an enterprise inside / outside the
role's own scope (:data:`SCOPE`); ``{grant_own}``/``{grant_other}`` are fresh grants on those
firms; ``{upload}`` is a fresh staged upload of the ``gov`` account. A coverage test checks that
every API route appears in the table, so a new endpoint cannot skip it.
"""

from __future__ import annotations

import io
import itertools
from typing import Any

import pytest
from sqlalchemy import text

from jiqun.services import access, accounts, uploads

ROLES = ("public", "admin", "gov", "gov_other", "cluster", "firm", "firm_other")
#: role -> (a firm in its own scope, a firm outside it), by the names of conftest.World.firms
SCOPE = {
    "public": ("A", "B"),
    "admin": ("A", "B"),
    "gov": ("A", "B"),
    "gov_other": ("B", "A"),
    "cluster": ("D", "B"),
    "firm": ("A", "B"),
    "firm_other": ("B", "A"),
}
#: role -> a region inside its scope (for imports)
REGION = {"admin": "320211", "gov": "320211", "gov_other": "440305"}

ALL_200 = "200 200 200 200 200 200 200"
LOGGED_IN = "401 200 200 200 200 200 200"
ADMIN_ONLY = "401 200 403 403 403 403 403"

# (id, method, route, url, body kind, expected statuses in ROLES order)
MATRIX: list[tuple[str, str, str, str, str | None, str]] = [
    ("token", "POST", "/auth/token", "/auth/token", "login", ALL_200),
    ("results-status", "GET", "/results/status", "/results/status", None, ALL_200),
    ("jobs", "GET", "/jobs", "/jobs", None, ADMIN_ONLY),
    ("job", "GET", "/jobs/{job_id}", "/jobs/999999", None, "401 404 403 403 403 403 403"),
    ("jobs-refresh", "POST", "/jobs/refresh", "/jobs/refresh", None, "401 202 403 403 403 403 403"),
    (
        "job-retry",
        "POST",
        "/jobs/{job_id}/retry",
        "/jobs/999999/retry",
        None,
        "401 404 403 403 403 403 403",
    ),
    ("csrf", "GET", "/auth/csrf", "/auth/csrf", None, ALL_200),
    ("me", "GET", "/me", "/me", None, ALL_200),
    ("regions", "GET", "/regions", "/regions?limit=5", None, ALL_200),
    ("industries", "GET", "/industries", "/industries?limit=5", None, ALL_200),
    ("search", "GET", "/search", "/search?q=wuxi", None, ALL_200),
    ("suggest", "GET", "/suggest", "/suggest?kind=firm&q=9", None, ALL_200),
    ("region", "GET", "/regions/{code}", "/regions/320200", None, ALL_200),
    ("portfolio", "GET", "/regions/{code}/portfolio", "/regions/320200/portfolio", None, ALL_200),
    (
        "positioning",
        "GET",
        "/regions/{code}/positioning",
        "/regions/320200/positioning?year=2022",
        None,
        ALL_200,
    ),
    (
        "compare",
        "GET",
        "/regions/compare",
        "/regions/compare?codes=320200,440300&year=2022",
        None,
        ALL_200,
    ),
    ("clusters", "GET", "/clusters", "/clusters?format=csv", None, ALL_200),
    ("cluster", "GET", "/clusters/{cluster_id}", "/clusters/{cluster}", None, ALL_200),
    (
        "plan-division",
        "GET",
        "/plans/division",
        "/plans/division?regions=320200,440300&chain=integrated_circuits",
        None,
        "400 200 400 400 400 400 400",
    ),
    (
        "cluster-io-linkages",
        "GET",
        "/clusters/{cluster_id}/io-linkages",
        "/clusters/{cluster}/io-linkages",
        None,
        ALL_200,
    ),
    (
        "diagnosis",
        "GET",
        "/clusters/{cluster_id}/diagnosis",
        "/clusters/{cluster}/diagnosis?year=2022",
        None,
        LOGGED_IN,
    ),
    # the public gets the public version of a report (no diagnosis, no hot spots)
    (
        "cluster report",
        "GET",
        "/clusters/{cluster_id}/report.docx",
        "/clusters/{cluster}/report.docx",
        None,
        ALL_200,
    ),
    (
        "region report",
        "GET",
        "/regions/{code}/report.docx",
        "/regions/320200/report.docx",
        None,
        ALL_200,
    ),
    ("overview", "GET", "/overview", "/overview", None, ALL_200),
    ("region-stats", "GET", "/region-stats", "/region-stats?format=xlsx", None, ALL_200),
    (
        "location-quotient",
        "GET",
        "/metrics/location-quotient",
        "/metrics/location-quotient",
        None,
        ALL_200,
    ),
    ("published", "GET", "/published", "/published?by=region_industry", None, ALL_200),
    ("chains", "GET", "/chains", "/chains", None, ALL_200),
    ("chain", "GET", "/chains/{chain_id}", "/chains/integrated_circuits", None, ALL_200),
    (
        "chain analysis of the cluster",
        "GET",
        "/chains/{chain_id}/analysis",
        "/chains/integrated_circuits/analysis?cluster={cluster}",
        None,
        "401 200 200 403 200 403 403",
    ),
    (
        "chain analysis of 无锡",
        "GET",
        "/chains/{chain_id}/analysis",
        "/chains/integrated_circuits/analysis?region=320200",
        None,
        "401 200 200 403 403 403 403",
    ),
    (
        "scenario: own firm fails",
        "POST",
        "/resilience/scenarios",
        "/resilience/scenarios",
        "scenario_own",
        LOGGED_IN,
    ),
    (
        "scenario: other firm fails",
        "POST",
        "/resilience/scenarios",
        "/resilience/scenarios",
        "scenario_other",
        "401 200 404 404 404 404 404",
    ),
    (
        "scenario: region lockdown",
        "POST",
        "/resilience/scenarios",
        "/resilience/scenarios",
        "scenario_region",
        LOGGED_IN,
    ),
    ("whatif: profile", "POST", "/plans/whatif", "/plans/whatif", "whatif_profile", LOGGED_IN),
    (
        "whatif GET: profile",
        "GET",
        "/plans/whatif",
        "/plans/whatif?cluster={cluster}&chain=integrated_circuits&industry=3973",
        None,
        ALL_200,
    ),
    (
        "whatif GET: other firm",
        "GET",
        "/plans/whatif",
        "/plans/whatif?cluster={cluster}&chain=nev_power_batteries&firm={other}",
        None,
        "401 200 404 404 404 404 404",
    ),
    (
        "whatif: other firm",
        "POST",
        "/plans/whatif",
        "/plans/whatif",
        "whatif_other",
        "401 200 404 404 404 404 404",
    ),
    ("enterprises", "GET", "/enterprises", "/enterprises", None, LOGGED_IN),
    ("enterprise own", "GET", "/enterprises/{uscc}", "/enterprises/{own}", None, LOGGED_IN),
    (
        "enterprise other",
        "GET",
        "/enterprises/{uscc}",
        "/enterprises/{other}",
        None,
        "401 200 404 404 404 404 404",
    ),
    ("grants", "GET", "/grants", "/grants", None, LOGGED_IN),
    ("grant own", "POST", "/grants", "/grants", "grant_own", "401 201 403 403 403 201 201"),
    ("grant other", "POST", "/grants", "/grants", "grant_other", "401 201 403 403 403 403 403"),
    (
        "revoke own",
        "DELETE",
        "/grants/{grant_id}",
        "/grants/{grant_own}",
        None,
        "401 200 403 403 403 200 200",
    ),
    (
        "revoke other",
        "DELETE",
        "/grants/{grant_id}",
        "/grants/{grant_other}",
        None,
        "401 200 403 403 403 404 404",
    ),
    ("organisations", "GET", "/organisations", "/organisations", None, LOGGED_IN),
    (
        "logout",
        "POST",
        "/auth/logout",
        "/auth/logout",
        "fresh_token",
        # anonymous: an unauthenticated write is refused (401) before its body is read
        "401 204 204 204 204 204 204",
    ),
    ("password", "POST", "/auth/password", "/auth/password", "same_password", LOGGED_IN),
    ("users", "GET", "/users", "/users", None, ADMIN_ONLY),
    ("disable", "POST", "/users/{username}/disable", "/users/{victim}/disable", None, ADMIN_ONLY),
    ("enable", "POST", "/users/{username}/enable", "/users/{victim}/enable", None, ADMIN_ONLY),
    (
        "reset password",
        "POST",
        "/users/{username}/password",
        "/users/{victim}/password",
        "new_password",
        ADMIN_ONLY,
    ),
    ("user create", "POST", "/users", "/users", "user", "401 201 403 403 403 403 403"),
    ("audit", "GET", "/audit", "/audit", None, LOGGED_IN),
    (
        "readers of a firm",
        "GET",
        "/audit/readers",
        "/audit/readers?uscc={own}",
        None,
        "401 200 403 403 403 200 200",
    ),
    ("memberships", "GET", "/memberships", "/memberships", None, "401 200 403 403 200 200 200"),
    ("assessments", "GET", "/digital/assessments", "/digital/assessments", None, LOGGED_IN),
    (
        "hot spots",
        "GET",
        "/clusters/{cluster_id}/hot-spots",
        "/clusters/{cluster}/hot-spots",
        None,
        LOGGED_IN,
    ),
    (
        "membership decision (none such, or another firm's)",
        "POST",
        "/memberships/{cluster_id}/{uscc}/{decision}",
        "/memberships/{cluster}/{other}/approve",
        None,
        "401 404 403 403 403 404 404",
    ),
    # services: digital assessments, policies, evaluation, innovation
    (
        "questionnaire",
        "GET",
        "/digital/frameworks/{framework}",
        "/digital/frameworks/miit2024",
        None,
        ALL_200,
    ),
    (
        "assess own",
        "POST",
        "/digital/assessments",
        "/digital/assessments",
        "assess_own",
        "401 201 403 403 403 201 201",
    ),
    (
        "assess other",
        "POST",
        "/digital/assessments",
        "/digital/assessments",
        "assess_other",
        "401 201 403 403 403 403 403",
    ),
    (
        "assessment own",
        "GET",
        "/digital/assessments/{assessment_id}",
        "/digital/assessments/{assess_own}",
        None,
        LOGGED_IN,
    ),
    (
        "assessment other",
        "GET",
        "/digital/assessments/{assessment_id}",
        "/digital/assessments/{assess_other}",
        None,
        "401 200 404 404 404 404 404",
    ),
    (
        "resume own",
        "PUT",
        "/digital/assessments/{assessment_id}",
        "/digital/assessments/{assess_own}",
        "assess_update",
        "401 200 403 403 403 200 200",
    ),
    (
        "resume other",
        "PUT",
        "/digital/assessments/{assessment_id}",
        "/digital/assessments/{assess_other}",
        "assess_update",
        "401 200 404 404 404 404 404",
    ),
    (
        "gap own",
        "GET",
        "/digital/assessments/{assessment_id}/gap",
        "/digital/assessments/{assess_own}/gap",
        None,
        LOGGED_IN,
    ),
    (
        "gap other",
        "GET",
        "/digital/assessments/{assessment_id}/gap",
        "/digital/assessments/{assess_other}/gap",
        None,
        "401 200 404 404 404 404 404",
    ),
    (
        "digital index",
        "GET",
        "/digital/clusters/{cluster_id}/index",
        "/digital/clusters/{cluster}/index",
        None,
        LOGGED_IN,
    ),
    ("policies", "GET", "/policies", "/policies?format=csv", None, ALL_200),
    (
        "policy firms",
        "GET",
        "/policies/{policy_id}/firms",
        "/policies/{policy}/firms",
        None,
        "401 200 200 200 200 403 403",
    ),
    (
        "policies of own firm",
        "GET",
        "/enterprises/{uscc}/policies",
        "/enterprises/{own}/policies",
        None,
        LOGGED_IN,
    ),
    (
        "policies of other firm",
        "GET",
        "/enterprises/{uscc}/policies",
        "/enterprises/{other}/policies",
        None,
        "401 200 404 404 404 404 404",
    ),
    ("evaluation", "GET", "/evaluation/clusters", "/evaluation/clusters", None, LOGGED_IN),
    (
        "allocation",
        "POST",
        "/evaluation/allocation",
        "/evaluation/allocation",
        "allocation",
        "401 200 200 200 403 403 403",
    ),
    ("innovation", "GET", "/innovation", "/innovation", None, ALL_200),
    ("imports", "GET", "/imports", "/imports", None, LOGGED_IN),
    (
        "upload enterprises",
        "POST",
        "/imports",
        "/imports",
        "upload_enterprises",
        "401 201 201 201 403 403 403",
    ),
    (
        "upload own cluster members",
        "POST",
        "/imports",
        "/imports",
        "upload_members",
        "401 201 403 403 201 403 403",
    ),
    (
        "template",
        "GET",
        "/imports/templates/{kind}",
        "/imports/templates/supply-links",
        None,
        ALL_200,
    ),
    (
        "upload status (gov's)",
        "GET",
        "/imports/{staged_id}",
        "/imports/{upload}",
        None,
        "401 200 200 404 404 404 404",
    ),
    (
        "upload report (gov's)",
        "GET",
        "/imports/{staged_id}/report",
        "/imports/{upload}/report?format=csv",
        None,
        "401 200 200 404 404 404 404",
    ),
    (
        "commit (gov's)",
        "POST",
        "/imports/{staged_id}/commit",
        "/imports/{upload}/commit",
        None,
        "401 200 200 404 404 404 404",
    ),
    ("needs", "GET", "/matching/needs", "/matching/needs?format=csv", None, LOGGED_IN),
    (
        "need own",
        "POST",
        "/matching/needs",
        "/matching/needs",
        "need_own",
        "401 201 403 403 403 201 201",
    ),
    (
        "need other",
        "POST",
        "/matching/needs",
        "/matching/needs",
        "need_other",
        "401 201 403 403 403 403 403",
    ),
    (
        "close own need",
        "POST",
        "/matching/needs/{need_id}/close",
        "/matching/needs/{need_own}/close",
        None,
        "401 200 403 403 403 200 200",
    ),
    (
        "close other need",
        "POST",
        "/matching/needs/{need_id}/close",
        "/matching/needs/{need_other}/close",
        None,
        "401 200 403 403 403 403 403",
    ),
    (
        "suppliers for a need",
        "GET",
        "/matching/needs/{need_id}/suppliers",
        "/matching/needs/{need_other}/suppliers?top=3&cross_region=true",
        None,
        LOGGED_IN,
    ),
    ("capabilities", "GET", "/matching/capabilities", "/matching/capabilities", None, LOGGED_IN),
    (
        "capability own",
        "POST",
        "/matching/capabilities",
        "/matching/capabilities",
        "capability_own",
        "401 201 403 403 403 201 201",
    ),
    (
        "close own capability",
        "POST",
        "/matching/capabilities/{capability_id}/close",
        "/matching/capabilities/{capability_own}/close",
        None,
        "401 200 403 403 403 200 200",
    ),
    (
        "supplier lists",
        "GET",
        "/matching/supplier-lists",
        "/matching/supplier-lists",
        None,
        LOGGED_IN,
    ),
    (
        "supplier list of own chain leader",
        "POST",
        "/matching/supplier-lists",
        "/matching/supplier-lists",
        "supplier_list_own",
        "401 201 403 403 403 201 201",
    ),
    (
        "supplier search",
        "POST",
        "/matching/suppliers",
        "/matching/suppliers",
        "supplier_search",
        LOGGED_IN,
    ),
    (
        "partner search",
        "GET",
        "/matching/partners",
        "/matching/partners?keywords=集成电路&home_region=320200",
        None,
        LOGGED_IN,
    ),
]

CASES = [
    pytest.param(row, role, expected, id=f"{row[0]}-{role}")
    for row in MATRIX
    for role, expected in zip(ROLES, row[5].split(), strict=True)
]
_seq = itertools.count()


def _principal(world: Any, name: str) -> accounts.Principal:
    return accounts.principal_for_username(name, engine=world.engine)


def _fresh_grant(world: Any, firm: str) -> int:
    g = access.create_grant(
        _principal(world, "admin"),
        world.firms[firm],
        world.orgs["observer"],
        "matrix",
        engine=world.engine,
    )
    return int(g["id"])


def _fresh_upload(world: Any) -> str:
    gov = _principal(world, "gov")
    n = next(_seq)
    content = (
        "统一社会信用代码,企业名称,所在地区代码,行业代码\n"
        f"{world.firms['D']},无锡示例药业有限公司{n},320200,2720\n"
    ).encode()
    staged = uploads.stage_upload(io.BytesIO(content), "m.csv", "enterprises", gov)
    uploads.validate_upload(staged, gov, world.engine)
    return staged.id


def _fresh_user(world: Any) -> str:
    name = f"victim_{next(_seq)}"
    accounts.add_user(name, "government", world.password, "320200", world.engine)
    return name


def _fresh_need(world: Any, uscc: str) -> int:
    from jiqun.services import matching

    return matching.post_need({"uscc": uscc, "text": "集成电路芯片"}, engine=world.engine)


def _fresh_capability(world: Any, uscc: str) -> int:
    from jiqun.services import matching

    return matching.post_capability({"uscc": uscc, "products": "芯片封装"}, engine=world.engine)


def _tag_chain_leader(world: Any, uscc: str) -> None:
    with world.engine.begin() as c:
        c.execute(
            text(
                "UPDATE enterprises SET tags = COALESCE(tags || ';', '') || 'chain_leader' "
                "WHERE uscc = :u AND (tags IS NULL OR tags NOT LIKE '%chain_leader%')"
            ),
            {"u": uscc},
        )


def _fresh_assessment(world: Any, uscc: str) -> int:
    from jiqun.services import digital

    return digital.save_assessment(uscc, {"network": ["A"]}, engine=world.engine).id


def _demo_policy(world: Any) -> str:
    from jiqun.services import policy

    return policy.load_demo_policies(world.engine)[-1]


def _request(world: Any, row: tuple[Any, ...], role: str) -> Any:
    _id, method, _route, url, body, _exp = row
    own, other = SCOPE[role]
    values = {
        "cluster": world.cluster,
        "own": world.firms[own],
        "other": world.firms[other],
    }
    if "{grant_own}" in url:
        values["grant_own"] = str(_fresh_grant(world, own))
    if "{grant_other}" in url:
        values["grant_other"] = str(_fresh_grant(world, other))
    if "{upload}" in url:
        values["upload"] = _fresh_upload(world)
    for key, firm in (("need_own", own), ("need_other", other)):
        if f"{{{key}}}" in url:
            values[key] = str(_fresh_need(world, world.firms[firm]))
    if "{capability_own}" in url:
        values["capability_own"] = str(_fresh_capability(world, world.firms[own]))
    for key, firm in (("assess_own", own), ("assess_other", other)):
        if f"{{{key}}}" in url:
            values[key] = str(_fresh_assessment(world, world.firms[firm]))
    if "{policy}" in url:
        values["policy"] = _demo_policy(world)
    if "{victim}" in url:
        values["victim"] = _fresh_user(world)
    url = "/api/v1" + url.format(**values)
    kw: dict[str, Any] = {"headers": world.auth(role)}
    n = next(_seq)
    if body == "login":
        name = role if role != "public" else "admin"
        kw["data"] = {"username": name, "password": world.password}
    elif body in ("grant_own", "grant_other"):
        firm = values["own"] if body == "grant_own" else values["other"]
        kw["json"] = {"uscc": firm, "grantee_organisation_id": world.orgs["observer"]}
    elif body in ("scenario_own", "scenario_other"):
        firm = values["own"] if body == "scenario_own" else values["other"]
        kw["json"] = {"kind": "firm", "target": firm, "alternatives": 0}
    elif body == "whatif_profile":
        cand = {"industry": "3973"}
        kw["json"] = {
            "cluster": world.cluster,
            "chain": "integrated_circuits",
            "candidates": [cand],
        }
    elif body == "whatif_other":
        # admin's "other" firm is B, a battery maker outside the cluster
        cand = {"firm": values["other"]}
        kw["json"] = {
            "cluster": world.cluster,
            "chain": "nev_power_batteries",
            "candidates": [cand],
        }
    elif body == "scenario_region":
        kw["json"] = {"kind": "region", "target": "440300", "alternatives": 0}
    elif body == "user":
        kw["json"] = {
            "username": f"matrix_{role}_{n}",
            "password": "a-long-password",
            "role": "government",
            "scope": "320200",
        }
    elif body == "fresh_token" and role != "public":
        # a token of its own: revoking the shared one would break the other rows
        kw["headers"] = {
            "Authorization": "Bearer " + accounts.issue_token(_principal(world, role), world.engine)
        }
    elif body == "same_password":
        kw["json"] = {"old_password": world.password, "new_password": world.password}
    elif body == "new_password":
        kw["json"] = {"password": "a-long-password"}
    elif body in ("need_own", "need_other"):
        firm = values["own"] if body == "need_own" else values["other"]
        kw["json"] = {"uscc": firm, "text": "集成电路芯片", "industry_code": "3973"}
    elif body == "capability_own":
        kw["json"] = {"uscc": values["own"], "products": "芯片封装测试", "industry_code": "3973"}
    elif body == "supplier_list_own":
        _tag_chain_leader(world, values["own"])
        kw["json"] = {
            "leader_uscc": values["own"],
            "name": f"名录{n}",
            "suppliers": [world.firms["E"]],
        }
    elif body == "supplier_search":
        kw["json"] = {"text": "集成电路", "region": "440300", "cross_region": True, "top": 3}
    elif body in ("assess_own", "assess_other"):
        firm = values["own"] if body == "assess_own" else values["other"]
        kw["json"] = {"uscc": firm, "framework": "miit2024", "answers": {"network": ["A"]}}
    elif body == "assess_update":
        kw["json"] = {"answers": {"network": ["A", "B"]}, "submit": False}
    elif body == "allocation":
        kw["json"] = {"budget": 1000, "max": 400}
    elif body == "upload_enterprises":
        region = REGION.get(role, "320211")
        csv = (
            "统一社会信用代码,企业名称,所在地区代码,行业代码\n"
            f"{world.firms[own]},示例{n},{region},3973\n"
        )
        kw["files"] = {"file": ("e.csv", csv.encode(), "text/csv")}
        kw["data"] = {"kind": "enterprises"}
    elif body == "upload_members":
        csv = f"集群编号,统一社会信用代码\n{world.cluster},{world.firms['E']}\n"
        kw["files"] = {"file": ("m.csv", csv.encode(), "text/csv")}
        kw["data"] = {"kind": "cluster-members"}
    # every role logs in from its own address: the rate limit never mixes them
    resp = world.client(f"10.9.{ROLES.index(role)}.1").request(method, url, **kw)
    if body == "same_password" and resp.status_code == 200:
        # a password change ends the account's tokens: give the role a new one
        world.tokens[role] = accounts.issue_token(_principal(world, role), world.engine)
    return resp


@pytest.mark.parametrize(("row", "role", "expected"), CASES)
def test_matrix(world: Any, row: tuple[Any, ...], role: str, expected: str) -> None:
    resp = _request(world, row, role)
    assert resp.status_code == int(expected), (row[0], role, resp.status_code, resp.text[:300])
    if resp.status_code >= 400:
        err = resp.json()["error"]
        assert err["code"] and err["message_zh"] and err["message_en"]


def test_matrix_covers_every_api_route(world: Any) -> None:
    paths = world.client().get("/api/v1/openapi.json").json()["paths"]
    routes = {(m.upper(), path.removeprefix("/api/v1")) for path, ops in paths.items() for m in ops}
    covered = {(m, route) for _id, m, route, *_rest in MATRIX}
    assert routes - covered == set(), "add these routes to MATRIX"
    assert covered - routes == set(), "MATRIX names routes that do not exist"


def test_reading_through_a_grant_is_audited_and_ends_with_revocation(world: Any) -> None:
    """gov_other (深圳) reads A (无锡) only while A's grant to it is active; each read audited."""
    c, a = world.client(), world.firms["A"]
    url, h = f"/api/v1/enterprises/{a}", world.auth("gov_other")
    assert c.get(url, headers=h).status_code == 404
    g = c.post(
        "/api/v1/grants",
        json={"uscc": a, "grantee_organisation_id": world.orgs["gov_other"]},
        headers=world.auth("firm"),
    ).json()
    q = (
        "SELECT COUNT(*) FROM audit_log WHERE action = 'read_granted' AND username = 'gov_other' "
        "AND resource = :r"
    )
    assert c.get(url, headers=h).status_code == 200
    assert world.count(q, r=f"enterprise:{a}") == 1
    assert (
        world.count(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'grant_create' AND username = 'firm'"
        )
        >= 1
    )
    assert c.delete(f"/api/v1/grants/{g['id']}", headers=world.auth("firm")).status_code == 200
    assert c.get(url, headers=h).status_code == 404
    assert world.count(q, r=f"enterprise:{a}") == 1
    # the enterprise, and the admin, see the read in the audit log; the other firm does not
    for who, sees in (("firm", True), ("admin", True), ("firm_other", False), ("gov", False)):
        items = c.get(
            "/api/v1/audit",
            params={"action": "read_granted", "limit": 1000},
            headers=world.auth(who),
        ).json()["items"]
        assert any(e["resource"] == f"enterprise:{a}" for e in items) is sees, who
