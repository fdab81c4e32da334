"""Pages a person can read: search by name, pinyin, initials or code; pickers that complete
within the viewer's rights; section fragments opened on their own; the enterprise list's
region path.

Uses ``world`` (tests/web/conftest.py): firms A, E in 无锡新吴区 320214, D in 无锡 320200, B in
深圳 440300, C in 上海 310115; ``gov`` is the government of 无锡 320200.
"""

from __future__ import annotations

from typing import Any

import pytest

from jiqun.services import directory

pytestmark = pytest.mark.db


def _search(world: Any, q: str) -> dict[str, Any]:
    r = world.client().get("/api/v1/search", params={"q": q})
    assert r.status_code == 200, r.text[:300]
    return r.json()


def test_search_jiangsu_finds_the_province_and_its_clusters(world: Any) -> None:
    res = _search(world, "江苏")
    assert res["regions"][0]["code"] == "320000"
    ids = {c["cluster_id"]: c for c in res["clusters"]}
    # 无锡市物联网集群 has its member region 无锡 320200 in Jiangsu
    assert world.cluster in ids
    assert ids[world.cluster]["via"] in ("name", "320000")
    # every cluster it lists is named for Jiangsu or has a member region there
    frame = directory.cluster_frame(world.engine).set_index("cluster_id")
    for cid, c in ids.items():
        members = frame.loc[cid, "member_regions"]
        assert "江苏" in c["name"] or any(m.startswith("32") for m in members), cid


@pytest.mark.parametrize("q", ["wuxi", "wx", "WX", "320200", "无锡", " Wu Xi "])
def test_search_wuxi_by_pinyin_initials_code_and_name(world: Any, q: str) -> None:
    res = _search(world, q)
    assert res["regions"], q
    top = res["regions"][0]
    assert (top["code"], top["name"], top["full_name"]) == ("320200", "无锡市", "江苏省 无锡市")


def test_search_by_pinyin_finds_a_cluster(world: Any) -> None:
    ids = [c["cluster_id"] for c in _search(world, "wuxishi")["clusters"]]
    assert world.cluster in ids


def test_search_page_and_the_search_box_in_the_top_bar(world: Any) -> None:
    c = world.client()
    home = c.get("/").text
    assert 'action="/search"' in home and 'id="nav-search"' in home
    page = c.get("/search", params={"q": "江苏"})
    assert page.status_code == 200
    assert 'href="/regions/320000"' in page.text
    assert f'href="/clusters/{world.cluster}"' in page.text
    wx = c.get("/search", params={"q": "wx"}).text
    assert 'href="/regions/320200"' in wx and "无锡市" in wx
    en = c.get("/search", params={"q": "wx", "lang": "en"}).text
    assert "Regions" in en


def _suggest(world: Any, who: str | None, kind: str, q: str) -> list[dict[str, str]]:
    r = world.client().get(
        "/api/v1/suggest", params={"kind": kind, "q": q}, headers=world.auth(who)
    )
    assert r.status_code == 200, r.text[:300]
    return r.json()["items"]


def test_firm_suggestions_stay_inside_the_viewers_rights(world: Any) -> None:
    f = world.firms
    # every credit code of the world starts with 9: the widest query
    gov = {i["value"] for i in _suggest(world, "gov", "firm", "9")}
    assert gov and gov <= {f["A"], f["D"], f["E"]}
    assert f["B"] not in gov and f["C"] not in gov
    # by the name of a firm outside the region: nothing
    assert _suggest(world, "gov", "firm", "北京示例锂电") == []
    other = {i["value"] for i in _suggest(world, "gov_other", "firm", "示例")}
    assert other == {f["B"]}
    # the label says where the firm is
    a = [i for i in _suggest(world, "gov", "firm", f["A"])]
    assert a and a[0]["label"].endswith("江苏省 无锡市 新吴区")


def test_anonymous_users_get_no_firm_suggestions(world: Any) -> None:
    assert _suggest(world, None, "firm", "9") == []
    assert _suggest(world, None, "firm", "无锡示例") == []


def test_firm_suggestions_are_audited(world: Any) -> None:
    before = world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'list_enterprises'")
    assert _suggest(world, "gov", "firm", "无锡示例")
    after = world.count("SELECT COUNT(*) FROM audit_log WHERE action = 'list_enterprises'")
    assert after == before + 1


def test_region_industry_and_cluster_suggestions(world: Any) -> None:
    assert _suggest(world, None, "region", "wx")[0] == {"value": "320200", "label": "江苏省 无锡市"}
    assert _suggest(world, None, "region", "3202")[0]["value"] == "320200"
    assert "3973" in [i["value"] for i in _suggest(world, None, "industry", "jichengdianlu")]
    assert _suggest(world, None, "industry", "3973")[0] == {
        "value": "3973",
        "label": "集成电路制造",
    }
    assert world.cluster in [i["value"] for i in _suggest(world, None, "cluster", "wuxi")]
    r = world.client().get("/api/v1/suggest", params={"kind": "secret", "q": "a"})
    assert r.status_code == 422


def test_forms_that_ask_for_a_code_have_pickers(world: Any) -> None:
    c = world.client()
    h = world.auth("admin")
    scen = c.get("/scenarios", headers=h).text
    assert 'id="scenario-target"' in scen and 'data-suggest="@kind"' in scen
    match = c.get("/matching", headers=h).text
    for kind in ("region", "industry", "firm"):
        assert f'data-suggest="{kind}"' in match, kind
    pol = c.get("/policies", headers=h).text
    assert 'id="policy-firm"' in pol and 'data-suggest="firm"' in pol


def test_policies_for_one_firm_only_within_rights(world: Any) -> None:
    c = world.client()
    f = world.firms
    ok = c.get("/policies", params={"uscc": f["A"]}, headers=world.auth("gov"))
    assert ok.status_code == 200 and 'id="my-policies"' in ok.text
    no = c.get("/policies", params={"uscc": f["B"]}, headers=world.auth("gov"))
    assert no.status_code == 404


@pytest.mark.parametrize(
    ("url", "back"),
    [
        ("/regions/320200/published", "/regions/320200#published"),
        ("/clusters/{cluster}/published", "/clusters/{cluster}#published"),
    ],
)
def test_a_fragment_opened_on_its_own_has_the_layout(world: Any, url: str, back: str) -> None:
    url, back = url.format(cluster=world.cluster), back.format(cluster=world.cluster)
    c = world.client()
    alone = c.get(url)
    assert alone.status_code == 200
    assert "<html" in alone.text and 'id="main-nav"' in alone.text
    assert f'href="{back}"' in alone.text and 'id="fragment-body"' in alone.text
    part = c.get(url, headers={"HX-Request": "true"})
    assert part.status_code == 200
    assert "<html" not in part.text and 'id="main-nav"' not in part.text


def test_a_logged_in_fragment_opened_on_its_own_has_the_layout(world: Any) -> None:
    c = world.client()
    r = c.get(f"/clusters/{world.cluster}/resilience", headers=world.auth("gov"))
    assert r.status_code == 200
    assert "<html" in r.text and f'href="/clusters/{world.cluster}#resilience"' in r.text


def test_enterprise_list_shows_province_city_and_district(world: Any) -> None:
    page = world.client().get("/enterprises", headers=world.auth("gov")).text
    assert "江苏省 无锡市 新吴区" in page  # A and E
    assert "<td>江苏省 无锡市</td>" in page  # D is registered at the city level
    assert "data-server-paged" in page  # paged by the server: the table script leaves it


def test_region_path_of_municipalities_and_unknown_codes() -> None:
    assert directory.region_path("310115") == "上海市 浦东新区"
    assert directory.region_path("440300") == "广东省 深圳市"
    assert directory.region_path("999999") == "999999"
    assert directory.region_path("") == ""


def test_cluster_list_filter_reads_pinyin_and_initials(world: Any) -> None:
    for q in ("wuxi", "wxswlwjq"):
        page = world.client().get("/clusters", params={"q": q}).text
        assert f'href="/clusters/{world.cluster}"' in page, q
    assert directory.cluster_list(world.engine, q="zzzzqx").empty


@pytest.mark.parametrize(
    "q", ["", " ", "%", "_", "'", "\u3000", "ｗｘ", "３２０２００", "😀", "a" * 50, "-", "9;", "江"]
)
def test_search_and_suggest_take_any_text(world: Any, q: str) -> None:
    c = world.client()
    r = c.get("/api/v1/search", params={"q": q})
    assert r.status_code == 200, r.text[:300]
    assert set(r.json()) == {"q", "regions", "clusters"}
    for kind in ("region", "industry", "cluster", "firm"):
        s = c.get("/api/v1/suggest", params={"kind": kind, "q": q}, headers=world.auth("gov"))
        assert s.status_code == 200, (kind, s.text[:300])
    # full-width input reads as half-width
    if q in ("ｗｘ", "３２０２００"):
        assert r.json()["regions"][0]["code"] == "320200"


def test_region_index_page_reads_pinyin(world: Any) -> None:
    page = world.client().get("/regions", params={"q": "wuxi"}).text
    assert 'href="/regions/320200"' in page
    assert 'href="/regions/440300"' not in page
