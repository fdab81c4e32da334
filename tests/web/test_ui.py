"""Web UI pages with FastAPI's TestClient: every page for the right roles, redirects and 404s
for the others, the language switch, CSRF on forms, imports in the page, no inline scripts.

One copy per module of the session's small demo database (seed 7, 5,000 firms, see
tests/conftest.py) with one account of every role. Marked ``db``: the PostgreSQL pass of scripts/test runs it again.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from jiqun.services import accounts

pytestmark = pytest.mark.db

PASSWORD = "ui-test-password-1"
CLUSTER = "NC2022-04"  # 京津冀生命健康集群: 北京 110100, 天津 120100


@dataclass
class Site:
    engine: Engine
    app: Any
    firm: str  # a member firm of CLUSTER registered in Beijing
    outside: str  # a firm outside Beijing and outside CLUSTER

    def client(self, who: str | None = None) -> TestClient:
        c = TestClient(self.app, follow_redirects=False)
        if who:
            login(c, who)
        return c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the page"
    return m.group(1)


def login(c: TestClient, username: str, password: str = PASSWORD, nxt: str = "/") -> Any:
    tok = csrf_of(c.get("/login").text)
    r = c.post(
        "/login", data={"username": username, "password": password, "csrf": tok, "next": nxt}
    )
    assert r.status_code == 303, r.text[:500]
    return r


@pytest.fixture(scope="module")
def site(demo_copy: Any) -> Iterator[Site]:
    """A copy of the demo database (``demo_copy``: tests/conftest.py) and four accounts."""
    from jiqun.store.db import engine_for, make_engine
    from jiqun.web.app import create_app

    url = demo_copy.copy(name="ui-db")
    mp = pytest.MonkeyPatch()
    mp.setenv("JIQUN_DATABASE_URL", url)
    engine_for.cache_clear()
    eng = make_engine(url)
    try:
        with eng.connect() as c:
            firm = c.execute(
                text(
                    "SELECT e.uscc FROM enterprises e JOIN cluster_members m ON m.uscc = e.uscc "
                    "WHERE m.cluster_id = :c AND e.region_code LIKE '11%' ORDER BY e.uscc LIMIT 1"
                ),
                {"c": CLUSTER},
            ).scalar_one()
            outside = c.execute(
                text(
                    "SELECT uscc FROM enterprises WHERE region_code LIKE '44%' AND uscc NOT IN "
                    "(SELECT uscc FROM cluster_members WHERE cluster_id = :c) ORDER BY uscc LIMIT 1"
                ),
                {"c": CLUSTER},
            ).scalar_one()
        for name, role, scope in (
            ("ui_admin", "admin", None),
            ("ui_gov", "government", "110000"),
            ("ui_cluster", "cluster", CLUSTER),
            ("ui_firm", "enterprise", firm),
        ):
            accounts.add_user(name, role, PASSWORD, scope, eng)
        yield Site(eng, create_app(eng), firm, outside)
    finally:
        eng.dispose()
        engine_for.cache_clear()
        mp.undo()
        demo_copy.drop(url)


ROLES = ("ui_admin", "ui_gov", "ui_cluster", "ui_firm")
PUBLIC_PAGES = [
    "/",
    "/login",
    "/clusters",
    "/clusters?tier=national&field=biomedicine",
    "/clusters?region=320000&q=无锡",
    f"/clusters/{CLUSTER}",
    f"/clusters/{CLUSTER}/published",
    "/regions",
    "/regions?q=无锡",
    "/regions/320200",
    "/regions/320211",
    "/regions/320200/published",
    "/statistics",
]
LOGGED_IN_PAGES = [
    "/enterprises",
    "/enterprises?tag=srdi&page=1",
    "/imports",
    "/scenarios",
    f"/clusters/{CLUSTER}/diagnosis",
    f"/clusters/{CLUSTER}/diagnosis?measure=output&level=division",
    f"/clusters/{CLUSTER}/chain",
    f"/clusters/{CLUSTER}/resilience",
    "/regions/320200/next",
    "/regions/320000/next",
    "/regions/compare?codes=320200,320500,310100,320000",
]


# --------------------------------------------------------------------------------------------
# pages by role
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_render(site: Site, path: str) -> None:
    r = site.client().get(path)
    assert r.status_code == 200, r.text[:800]
    assert r.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("path", [*LOGGED_IN_PAGES, "/admin"])
def test_public_visitor_is_sent_to_login(site: Site, path: str) -> None:
    r = site.client().get(path)
    assert r.status_code == 303
    loc = r.headers["location"]
    assert loc.startswith("/login?next=")
    # after logging in the visitor comes back to the page asked for
    c = site.client()
    back = login(c, "ui_admin", nxt=path)
    assert back.headers["location"] == path


def test_htmx_fragment_for_public_redirects_client_side(site: Site) -> None:
    r = site.client().get(f"/clusters/{CLUSTER}/diagnosis", headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.headers["HX-Redirect"] == "/login"


@pytest.mark.parametrize("who", ROLES)
def test_logged_in_pages_render_for_every_role(site: Site, who: str) -> None:
    c = site.client(who)
    for path in PUBLIC_PAGES + LOGGED_IN_PAGES:
        r = c.get(path)
        assert r.status_code == 200, (who, path, r.text[:800])


def test_admin_page_only_for_admins(site: Site) -> None:
    r = site.client("ui_admin").get("/admin")
    assert r.status_code == 200
    for marker in ('id="users-table"', 'id="orgs-table"', 'id="grants-table"', "audit-table"):
        assert marker in r.text
    # users and the audit log, whose actions are named in Chinese (the key "login" is 登录)
    assert "ui_gov" in r.text and "<td>登录</td>" in r.text
    for who in ("ui_gov", "ui_cluster", "ui_firm"):
        r = site.client(who).get("/admin")
        assert r.status_code == 403 and "text/html" in r.headers["content-type"]
        assert 'data-status="403"' in r.text


def test_unknown_records_answer_the_404_page(site: Site) -> None:
    c = site.client("ui_admin")
    for path in ("/clusters/NOPE-1", "/regions/999999", "/enterprises/91000000000000000X"):
        r = c.get(path)
        assert r.status_code == 404, path
        assert 'data-status="404"' in r.text and "<html" in r.text


def test_dashboard_shows_basis_synthetic_marker_and_chart_data(site: Site) -> None:
    c = site.client("ui_gov")
    page = c.get(f"/clusters/{CLUSTER}").text
    assert "京津冀生命健康集群" in page and "北京市" in page and "天津市" in page
    for part in ("diagnosis", "chain", "resilience", "published"):
        assert f'hx-get="/clusters/{CLUSTER}/{part}"' in page
    d = c.get(f"/clusters/{CLUSTER}/diagnosis").text
    assert "含模拟数据，仅供演示" in d and "口径" in d
    for chart in ("chart-lq", "chart-trend"):
        m = re.search(rf'id="{chart}"[^>]*data-chart="bar" data-chart-data=\'([^\']+)\'', d)
        assert m, chart
        data = json.loads(html.unescape(m.group(1)))
        assert [s["name"] for s in data["series"]] == ["北京市", "天津市"]
        assert len(data["categories"]) == 8 and len(data["series"][0]["data"]) == 8
    for table in ("members-table", "strength-table", "competition-regions", "competition-clusters"):
        assert f'id="{table}"' in d
    assert "★" in d  # stars
    ch = c.get(f"/clusters/{CLUSTER}/chain").text
    assert 'data-chart="graph"' in ch and "产业链完整度" in ch


def test_public_dashboard_hides_the_diagnosis(site: Site) -> None:
    page = site.client().get(f"/clusters/{CLUSTER}").text
    assert "登录后可见" in page
    assert f'hx-get="/clusters/{CLUSTER}/diagnosis"' not in page
    assert 'id="carriers-table"' in page  # innovation resources are public


def test_overview_charts_and_map(site: Site) -> None:
    page = site.client().get("/").text
    for chart, kind in (
        ("chart-fields", "bar"),
        ("chart-output", "bar"),
        ("chart-innovation", "bar"),
    ):
        assert re.search(rf'id="{chart}"[^>]*data-chart="{kind}"', page), chart
    assert 'id="map-tiles"' in page and "data-tilemap=" in page  # the tile-grid map
    assert "含模拟数据" in page


def test_region_dashboard_next_and_comparison(site: Site) -> None:
    c = site.client("ui_cluster")
    page = c.get("/regions/320200").text
    assert 'id="portfolio-table"' in page and "无锡市物联网集群" in page
    nxt = c.get("/regions/320200/next").text
    assert 'data-chart="scatter"' in nxt and 'id="next-top"' in nxt
    cmp = c.get("/regions/compare?codes=320200,320500,310100").text
    assert 'id="compare-table"' in cmp and 'data-chart="heatmap"' in cmp
    too_many = ",".join(["320200"] * 1 + [f"3205{i:02d}" for i in range(0, 11)])
    r = c.get(f"/regions/compare?codes={too_many}")
    assert r.status_code == 400 and "10" in r.text


# --------------------------------------------------------------------------------------------
# enterprises within the viewer's rights
# --------------------------------------------------------------------------------------------


def test_enterprise_profile_within_rights(site: Site) -> None:
    gov, firm, admin = site.client("ui_gov"), site.client("ui_firm"), site.client("ui_admin")
    r = gov.get(f"/enterprises/{site.firm}")  # a Beijing firm: inside the government's scope
    assert r.status_code == 200
    for marker in ("enterprise-tags", "suppliers-table", "customers-table", CLUSTER):
        assert marker in r.text
    assert gov.get(f"/enterprises/{site.outside}").status_code == 404
    assert firm.get(f"/enterprises/{site.firm}").status_code == 200
    assert firm.get(f"/enterprises/{site.outside}").status_code == 404
    assert admin.get(f"/enterprises/{site.outside}").status_code == 200
    lst = firm.get("/enterprises").text
    assert site.firm in lst and site.outside not in lst


def test_grant_from_the_profile_page_opens_and_closes_access(site: Site) -> None:
    from jiqun.services.access import list_grants
    from jiqun.services.accounts import Principal

    gov, admin = site.client("ui_gov"), site.client("ui_admin")
    assert gov.get(f"/enterprises/{site.outside}").status_code == 404
    page = admin.get(f"/enterprises/{site.outside}").text
    assert 'id="grants"' in page
    org = re.search(r'<option value="(\d+)">北京市', page)
    assert org, "the government organisation is offered as a grantee"
    r = admin.post(
        f"/enterprises/{site.outside}/grants",
        data={"organisation_id": org.group(1), "purpose": "ui test", "csrf": csrf_of(page)},
    )
    assert r.status_code == 303
    assert gov.get(f"/enterprises/{site.outside}").status_code == 200
    g = next(
        x
        for x in list_grants(Principal("ui_admin", "admin"), site.engine)
        if x["uscc"] == site.outside and x["active"]
    )
    r = admin.post(f"/grants/{g['id']}/revoke", data={"csrf": csrf_of(page)})
    assert r.status_code == 303
    assert gov.get(f"/enterprises/{site.outside}").status_code == 404
    with site.engine.connect() as c:
        n = c.execute(
            text("SELECT COUNT(*) FROM audit_log WHERE action = 'read_granted' AND resource = :r"),
            {"r": f"enterprise:{site.outside}"},
        ).scalar()
    assert n and n >= 1


# --------------------------------------------------------------------------------------------
# language, login, CSRF, headers
# --------------------------------------------------------------------------------------------


def test_language_switch_is_remembered(site: Site) -> None:
    c = site.client()
    zh = c.get("/clusters").text
    assert '<html lang="zh-CN">' in zh and "全国概览" in zh
    en = c.get("/clusters?lang=en&tier=national").text
    assert '<html lang="en">' in en and "National overview" in en
    # the switch link keeps the other parameters
    assert 'href="/clusters?tier=national&amp;lang=zh"' in en
    again = c.get("/regions").text
    assert '<html lang="en">' in again and "Regions" in again
    assert '<html lang="zh-CN">' in c.get("/?lang=zh").text


def test_language_survives_login(site: Site) -> None:
    c = site.client()
    c.get("/?lang=en")
    login(c, "ui_gov")
    assert '<html lang="en">' in c.get("/").text


def test_wrong_password_shows_the_error_without_enumeration(site: Site) -> None:
    c = site.client()
    tok = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": "ui_gov", "password": "wrong-one!", "csrf": tok})
    assert r.status_code == 401 and "用户名或密码错误" in r.text


def test_login_next_is_local_only(site: Site) -> None:
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        r = login(site.client(), "ui_gov", nxt=evil)
        assert r.headers["location"] == "/", evil


def test_csrf_required_on_forms(site: Site) -> None:
    c = site.client("ui_admin")
    form = {"username": "ui_new1", "role": "government", "scope": "120000", "password": PASSWORD}
    r = c.post("/admin/users", data=form)
    assert r.status_code == 403  # no token
    r = c.post("/admin/users", data={**form, "csrf": "forged"})
    assert r.status_code == 403
    assert "ui_new1" not in c.get("/admin").text
    tok = csrf_of(c.get("/admin").text)
    r = c.post("/admin/users", data={**form, "csrf": tok})
    assert r.status_code == 303
    page = c.get("/admin").text
    assert "ui_new1" in page and "创建用户" in page  # the audit log names the action
    # a bad scope comes back as a message, nothing is created
    r = c.post(
        "/admin/users",
        data={**form, "username": "ui_new2", "scope": "999999", "csrf": tok},
    )
    assert r.status_code == 303
    page = c.get("/admin").text
    assert "GB/T 2260" in page and "ui_new2" not in page
    # logout is a form too
    assert c.post("/logout").status_code == 403
    assert c.post("/logout", data={"csrf": tok}).status_code == 303


def test_admin_form_refused_to_other_roles(site: Site) -> None:
    c = site.client("ui_gov")
    tok = csrf_of(c.get("/").text)
    form = {"username": "ui_x", "role": "admin", "password": PASSWORD, "csrf": tok}
    r = c.post("/admin/users", data=form)
    assert r.status_code == 403


INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("path", ["/", "/clusters", f"/clusters/{CLUSTER}", "/regions/320200"])
def test_pages_have_no_inline_script_and_send_csp(site: Site, path: str) -> None:
    c = site.client("ui_admin")
    for p in (path, f"/clusters/{CLUSTER}/diagnosis", f"/clusters/{CLUSTER}/chain"):
        r = c.get(p)
        assert "script-src 'self'" in r.headers["content-security-policy"]
        for tag in re.findall(r"<script\b[^>]*>", r.text):
            assert "src=" in tag, tag
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", r.text), "inline script body"
        assert not INLINE_HANDLER.search(r.text), INLINE_HANDLER.search(r.text)


# --------------------------------------------------------------------------------------------
# imports in the page
# --------------------------------------------------------------------------------------------

BAD_CSV = (
    "统一社会信用代码,企业名称,所在地区代码,行业代码,营业收入（万元）\n"
    "91110108551385082Q,北京好企业有限公司,110108,3841,100\n"
    "123,,999999,ABCD,abc\n"
    "91110108551385082Q,重复企业有限公司,110108,3841,5\n"
).encode()


def test_import_shows_row_errors_and_report(site: Site) -> None:
    c = site.client("ui_admin")
    page = c.get("/imports").text
    assert 'id="import-form"' in page
    tok = csrf_of(page)
    r = c.post(
        "/imports",
        files={"file": ("bad.csv", BAD_CSV, "text/csv")},
        data={"kind": "enterprises", "csrf": tok},
    )
    assert r.status_code == 200, r.text[:800]
    html = r.text
    assert 'id="problems-table"' in html and 'data-error-rows="' in html
    assert int(re.search(r'data-error-rows="(\d+)"', html).group(1)) >= 1
    assert re.search(r'<td class="n">3</td>', html), "row 3 is named"
    sid = re.search(r"/imports/([0-9a-f]{32})/report\.xlsx", html).group(1)
    x = c.get(f"/imports/{sid}/report.xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    v = c.get(f"/imports/{sid}/report.csv")
    assert v.status_code == 200 and "行号" in v.content.decode("utf-8-sig")
    # another user cannot use the upload; the public is sent to log in
    assert site.client("ui_gov").get(f"/imports/{sid}/report.csv").status_code == 404
    assert site.client().get(f"/imports/{sid}/report.csv").status_code == 303
    # all-or-nothing commit of a file with errors writes nothing and says so in the page
    before = site.engine.connect().execute(text("SELECT COUNT(*) FROM enterprises")).scalar()
    r = c.post(f"/imports/{sid}/commit", data={"mode": "all_or_nothing", "csrf": tok})
    assert r.status_code in (200, 422) and "未导入任何数据" in r.text
    with site.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM enterprises")).scalar() == before
    # the list of uploads names the kind and the status in Chinese, not by their keys
    listing = c.get("/imports").text
    row = re.search(r"<td>bad\.csv</td>(.*?)</tr>", listing, re.S)
    assert row, listing[-2000:]
    assert "enterprises" not in row.group(1) and "企业" in row.group(1)
    assert not re.search(r"<td>(staged|validated|committed|rejected|pending)</td>", row.group(1))


def test_import_without_csrf_is_refused(site: Site) -> None:
    c = site.client("ui_admin")
    r = c.post(
        "/imports", files={"file": ("bad.csv", BAD_CSV, "text/csv")}, data={"kind": "enterprises"}
    )
    assert r.status_code == 403


def test_enterprise_role_cannot_import(site: Site) -> None:
    c = site.client("ui_firm")
    page = c.get("/imports").text
    assert 'id="import-form"' not in page
    r = c.post(
        "/imports",
        files={"file": ("bad.csv", BAD_CSV, "text/csv")},
        data={"kind": "enterprises", "csrf": csrf_of(page)},
    )
    assert r.status_code == 403


# --------------------------------------------------------------------------------------------
# published statistics (disclosure control)
# --------------------------------------------------------------------------------------------


def test_public_sees_suppressed_cells_and_admin_does_not(site: Site) -> None:
    path = "/statistics?by=region&measure=revenue&industry_level=2"
    try:  # every public number is read from the protected release (built after imports)
        from jiqun.services.release import build_release, current_release
    except ImportError:
        pass
    else:
        if current_release(site.engine) is None:
            build_release(site.engine)
    r = site.client().get(path)
    assert r.status_code == 200
    try:
        import jiqun.services.published  # noqa: F401
    except ImportError:
        assert "not available yet" in r.text
        return
    assert 'class="pub-table"' in r.text
    assert '<td class="suppressed">已抑制</td>' in r.text
    assert "小样本" in r.text or "85%" in r.text  # the rule is stated
    en = site.client().get(path + "&lang=en").text
    assert '<td class="suppressed">suppressed</td>' in en
    admin = site.client("ui_admin").get(path).text
    assert 'class="pub-table"' in admin and 'class="suppressed"' not in admin
    # the cluster and region dashboards embed the same published view
    part = site.client().get(f"/clusters/{CLUSTER}/published").text
    assert 'class="pub-table"' in part
    part = site.client().get("/regions/320200/published").text
    assert 'class="pub-table"' in part


# --------------------------------------------------------------------------------------------
# resilience: hot spots and scenarios
# --------------------------------------------------------------------------------------------


def _has_resilience() -> bool:
    try:
        from jiqun.services import resilience
    except ImportError:
        return False
    return hasattr(resilience, "scenario_loss") and hasattr(resilience, "cluster_hot_spots")


def test_resilience_hot_spots_and_scenario(site: Site) -> None:
    c = site.client("ui_gov")
    part = c.get(f"/clusters/{CLUSTER}/resilience").text
    page = c.get("/scenarios?kind=region&target=120100").text
    if not _has_resilience():
        assert "not available yet" in part and "not available yet" in page
        return
    assert 'data-chart="bar"' in part and 'id="chart-hotspots-table"' in part
    assert "销售额" not in part  # firm-level sales only for the administrator
    assert "销售额" in site.client("ui_admin").get(f"/clusters/{CLUSTER}/resilience").text
    assert 'value="120100"' in page and 'value="region" checked' in page
    r = c.post("/scenarios/run", data={"kind": "region", "target": "120100", "csrf": csrf_of(page)})
    assert r.status_code == 200
    assert 'id="chart-scenario"' in r.text and "天津市" in r.text and "含模拟数据" in r.text
    # losses in 亿元 in the table, the chart's axis and its series, never 万元 with 8 digits
    assert "产出损失（亿元）" in r.text and "产出损失（万元）" not in r.text
    data = json.loads(html.unescape(re.search(r"data-chart-data='([^']*)'", r.text).group(1)))
    assert data["yName"] == "亿元" and "亿元" in data["series"][0]["name"]
    # an unknown kind is a readable error in the page, and CSRF is required
    bad = c.post("/scenarios/run", data={"kind": "meteor", "target": "1", "csrf": csrf_of(page)})
    assert bad.status_code == 400 and "未知的情景类型" in bad.text
    assert c.post("/scenarios/run", data={"kind": "region", "target": "120100"}).status_code == 403
    # the public is sent to log in
    assert site.client().post("/scenarios/run", data={"kind": "region"}).status_code in (303, 422)


def test_overview_tiles_and_basis_share_one_unit(site: Site) -> None:
    """The output tile and chart are in 亿元, so the basis line under them says 亿元 too."""
    page = site.client().get("/?lang=zh").text
    assert "主导产业产值（亿元）" in page
    unit = re.search(r'<span class="bk">单位: ([^<]*)</span>', page)
    assert unit and "亿元" in unit.group(1) and "万元" not in unit.group(1), unit
    assert "口径: 口径" not in page and "口径:</b>" in page.replace(" ", "").replace("\n", "")


def test_overview_shows_no_zero_output_for_non_industrial_clusters(site: Site) -> None:
    """A software cluster has revenue but no gross industrial output: the overview says 不适用
    and shows its revenue, never "0.0" output."""
    page = site.client().get("/?lang=zh").text
    table = page[page.index('id="overview-clusters"') :]
    table = table[: table.index("</table>")]
    assert "主导产业营业收入（亿元）" in table
    for row in re.findall(r"<tr><td><a href=\"/clusters/[^\"]+\">.*?</tr>", table, flags=re.S):
        cells = re.findall(r'<td class="n">(.*?)</td>', row, flags=re.S)
        output, revenue = cells[0], cells[1]
        if revenue.strip() not in ("0.0", "—"):
            assert output.strip() != "0.0", row[:200]
