"""Public resources: regions, industries, clusters, overview, region statistics, metrics."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from jiqun.services.overview import SYNTHETIC_NOTE_ZH


@pytest.fixture(scope="module")
def pub(world: Any) -> Any:
    return world.client()


def test_regions_filters_paging_and_sort(pub: Any) -> None:
    r = pub.get("/api/v1/regions", params={"parent": "320000", "limit": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["meta"]["total"] > 5 and body["meta"]["limit"] == 5
    assert len(body["items"]) == 5
    assert all(i["parent_code"] == "320000" for i in body["items"])
    codes = [i["code"] for i in body["items"]]
    assert codes == sorted(codes)
    r2 = pub.get("/api/v1/regions", params={"parent": "320000", "limit": 5, "offset": 5})
    assert r2.json()["items"][0]["code"] > codes[-1]
    desc = pub.get("/api/v1/regions", params={"level": "province", "sort": "-code"}).json()
    assert desc["items"][0]["code"] == "650000" and desc["meta"]["total"] == 31
    q = pub.get("/api/v1/regions", params={"q": "无锡"}).json()
    assert "320200" in [i["code"] for i in q["items"]]


def test_industries(pub: Any) -> None:
    body = pub.get("/api/v1/industries", params={"level": 2, "q": "39"}).json()
    assert [i["code"] for i in body["items"]] == ["39"]
    assert body["meta"]["source"] == "GB/T 4754-2017"


def test_formats_csv_and_xlsx(pub: Any) -> None:
    r = pub.get("/api/v1/regions", params={"level": "province", "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())  # BOM: Excel opens Chinese text correctly
    text = r.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("code,") and len(text.splitlines()) == 32
    r = pub.get("/api/v1/clusters", params={"format": "xlsx", "tier": "national"})
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["data", "说明 notes"]
    assert wb["data"].max_row > 40


def test_clusters_list_filters_and_detail(pub: Any, world: Any, error_body: Any) -> None:
    body = pub.get("/api/v1/clusters", params={"region": "320200", "limit": 100}).json()
    ids = [i["cluster_id"] for i in body["items"]]
    assert world.cluster in ids
    assert all(any(r.startswith("3202") for r in i["member_regions"]) for i in body["items"])
    body = pub.get("/api/v1/clusters", params={"industry": "3973", "q": "无锡"}).json()
    assert world.cluster in [i["cluster_id"] for i in body["items"]]
    one = pub.get(f"/api/v1/clusters/{world.cluster}").json()
    assert one["name"] == "无锡市物联网集群"
    assert {"code": "320200", "name": "无锡市"} in one["member_regions"]
    assert "3973" in [i["code"] for i in one["leading_industries"]]
    err = error_body(pub.get("/api/v1/clusters/NOPE"), 404, "not_found")
    assert "NOPE" in err["message_en"] and "NOPE" in err["message_zh"]
    error_body(pub.get("/api/v1/clusters", params={"sort": "nonsense"}), 400, "invalid")


def test_cluster_filters_agree_with_the_directory_pages(pub: Any, world: Any) -> None:
    """The API list and the pages' list filter tier, field and member region alike."""
    from jiqun.services.directory import cluster_frame, cluster_list

    one = cluster_frame(world.engine).set_index("cluster_id").loc[world.cluster]
    cases: list[dict[str, str]] = [
        {"region": "320200"},
        {"region": "320000", "tier": str(one["tier"])},
        {"tier": str(one["tier"]), "field": str(one["field"])},
    ]
    for params in cases:
        items = pub.get("/api/v1/clusters", params={**params, "limit": 1000}).json()["items"]
        api = {i["cluster_id"] for i in items}
        assert world.cluster in api
        assert api == set(cluster_list(world.engine, **params)["cluster_id"])


def test_errors_are_bilingual(pub: Any, error_body: Any) -> None:
    err = error_body(pub.get("/api/v1/regions", params={"limit": 0}), 422, "invalid_request")
    assert err["details"][0]["field"].endswith("limit")
    error_body(pub.get("/api/v1/regions", params={"format": "pdf"}), 422)
    error_body(pub.get("/api/v1/no-such-thing"), 404)
    error_body(pub.delete("/api/v1/regions"), 405)


def test_overview(pub: Any) -> None:
    body = pub.get("/api/v1/overview").json()
    assert body["totals"]["clusters"] >= 45
    assert body["basis"]


def test_region_stats(pub: Any, error_body: Any) -> None:
    body = pub.get(
        "/api/v1/region-stats", params={"region": "320200", "measure": "employment"}
    ).json()
    rows = body["items"]
    assert {(r["region_code"], r["industry_code"]) for r in rows} == {
        ("320200", "3973"),
        ("320214", "3973"),
        ("320200", "2720"),
    }
    assert body["meta"]["total"] == 3
    assert rows[0]["region_name"] == "无锡市" and rows[0]["industry_name"]
    assert body["meta"]["basis"]["synthetic"] is True
    assert any(SYNTHETIC_NOTE_ZH in n for n in body["meta"]["notes"])
    top = pub.get("/api/v1/region-stats", params={"sort": "-value", "limit": 1}).json()
    assert top["items"][0]["value"] == 81000.0 and top["meta"]["total"] == 9
    lvl = pub.get("/api/v1/region-stats", params={"level": "county"}).json()
    assert [r["region_code"] for r in lvl["items"]] == ["320214"]
    ind = pub.get("/api/v1/region-stats", params={"industry": "38", "year": 2023}).json()
    assert [(r["region_code"], r["measure"]) for r in ind["items"]] == [("440300", "revenue")]
    csv = pub.get("/api/v1/region-stats", params={"format": "csv", "limit": 1})
    assert len(csv.content.decode("utf-8-sig").strip().splitlines()) == 10  # CSV: every row
    error_body(pub.get("/api/v1/region-stats", params={"measure": "bogus"}), 422)
    error_body(pub.get("/api/v1/region-stats", params={"region": "32ab"}), 422)


def test_location_quotient(pub: Any, error_body: Any) -> None:
    body = pub.get(
        "/api/v1/metrics/location-quotient", params={"year": 2022, "measure": "employment"}
    ).json()
    cells = {(r["region_code"], r["industry_code"]): r for r in body["items"]}
    # prefecture units: Wuxi = 1000 + 200 (county 320214) in 3973 and 500 in 2720;
    # Shenzhen 2000 + 300; Shanghai 310100 800; the province row 320000 is ignored.
    total = 1200 + 500 + 2000 + 300 + 800
    wx = cells[("320200", "3973")]
    assert wx["value"] == 1200
    assert wx["lq"] == pytest.approx((1200 / 1700) / (1500 / total))
    assert ("320000", "3973") not in cells
    assert body["meta"]["basis"]["region_level"] == "prefecture"
    assert [r["lq"] for r in body["items"]] == sorted(
        (r["lq"] for r in body["items"]), reverse=True
    )
    only = pub.get(
        "/api/v1/metrics/location-quotient",
        params={"year": 2022, "region": "440300", "industry_level": 2},
    ).json()
    assert {r["industry_code"] for r in only["items"]} == {"38", "39"}
    err = error_body(
        pub.get("/api/v1/metrics/location-quotient", params={"year": 1990}), 400, "invalid"
    )
    assert "2022" in err["message_en"]
    error_body(pub.get("/api/v1/metrics/location-quotient", params={"industry_level": 3}), 422)


def test_region_dashboards(pub: Any, world: Any, error_body: Any) -> None:
    prof = pub.get("/api/v1/regions/320200").json()
    assert prof["name"] == "无锡市" and prof["path"][0]["code"] == "320000"
    assert "320214" in [c["code"] for c in prof["children"]]
    port = pub.get("/api/v1/regions/320200/portfolio").json()
    assert world.cluster in [r["cluster_id"] for r in port["items"]]
    pos = pub.get("/api/v1/regions/320200/positioning", params={"year": 2022}).json()
    assert {r["industry_code"] for r in pos["items"]} >= {"3973", "2720"}
    assert pos["meta"]["basis"]["year"] == 2022 and pos["meta"]["unit"] == "320200"
    cmp = pub.get("/api/v1/regions/compare", params={"codes": "320200,440300", "year": 2022}).json()
    assert [r["region_code"] for r in cmp["items"]] == ["320200", "440300"]
    assert cmp["meta"]["similarity"]["无锡市"]["无锡市"] == pytest.approx(1.0)  # keyed by name
    x = pub.get("/api/v1/regions/compare", params={"codes": "320200,440300", "format": "xlsx"})
    assert x.status_code == 200 and openpyxl.load_workbook(io.BytesIO(x.content))["data"]
    error_body(pub.get("/api/v1/regions/999999"), 404)
    error_body(pub.get("/api/v1/regions/999999/portfolio"), 404)
    error_body(pub.get("/api/v1/regions/32020"), 422)
    error_body(pub.get("/api/v1/regions/compare", params={"codes": "320200;440300"}), 422)
