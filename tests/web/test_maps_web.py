"""The map block on the overview, region and cluster pages, and the boundary route."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

APPROVAL = "GS(2099)0001号"
PASSWORD = "maps-test-password-1"


@pytest.fixture(scope="module")
def client(demo_copy: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The app on a copy of the demo database with its release built."""
    from jiqun.services import accounts
    from jiqun.services.release import build_release
    from jiqun.store.db import engine_for, make_engine
    from jiqun.web.app import create_app

    url = demo_copy.copy(name="maps-db")
    mp = pytest.MonkeyPatch()
    mp.setenv("JIQUN_DATABASE_URL", url)
    mp.delenv("JIQUN_MAP_GEOJSON", raising=False)
    mp.delenv("JIQUN_MAP_APPROVAL", raising=False)
    mp.setenv("JIQUN_DATA_DIR", str(tmp_path_factory.mktemp("maps-data")))
    engine_for.cache_clear()
    eng = make_engine(url)
    build_release(eng)
    accounts.add_user("map_admin", "admin", PASSWORD, None, eng)
    accounts.add_user("map_gov", "government", PASSWORD, "320000", eng)
    try:
        yield TestClient(create_app(eng), follow_redirects=False)
    finally:
        eng.dispose()
        engine_for.cache_clear()
        mp.undo()
        demo_copy.drop(url)


def map_of(page: str) -> dict[str, Any]:
    m = re.search(r"data-tilemap='([^']+)'", page)
    assert m, "no map block in the page"
    return dict(json.loads(html.unescape(m.group(1))))


def test_overview_has_the_tile_grid_with_every_unit(client: TestClient) -> None:
    page = client.get("/").text
    m = map_of(page)
    assert m["mode"] == "tiles" and len(m["tiles"]) == 34
    assert [x["key"] for x in m["measures"]] == ["clusters", "employees", "output"]
    tw = next(t for t in m["tiles"] if t["code"] == "710000")
    assert tw["no_data"] and tw["short"] == "台"
    assert sum(t["values"]["clusters"] or 0 for t in m["tiles"]) > 0
    assert m["points"] and m["selected"]
    assert 'src="/static/tilemap.js"' in page and "示意图" in page
    assert 'id="chart-map"' not in page  # the lon/lat scatter is gone
    assert client.get("/static/tilemap.js").status_code == 200


def test_region_and_cluster_pages_select_and_highlight(client: TestClient) -> None:
    m = map_of(client.get("/regions/320200").text)
    assert m["selected"] == "320000" and m["highlight"] == ["320200"]
    m = map_of(client.get("/regions/320000").text)
    assert m["selected"] == "320000" and m["highlight"] == []
    m = map_of(client.get("/clusters/NC2021-02").text)
    assert "320200" in m["highlight"] and m["selected"] == "320000"


def test_english_map_labels(client: TestClient) -> None:
    m = map_of(client.get("/?lang=en").text)
    assert m["measures"][1]["label"] == "manufacturing employment"
    assert next(t for t in m["tiles"] if t["code"] == "820000")["name"] == "Macao"
    assert "unit: persons" in m["basis"]["employees"]
    client.get("/?lang=zh")


def squares(tmp_path: Path) -> Path:
    feats = []
    for i, code in enumerate(("320000", "320200")):
        ring = [[i, 0], [i + 1, 0], [i + 1, 1], [i, 1], [i, 0]]
        feats.append(
            {
                "type": "Feature",
                "properties": {"code": code},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    p = tmp_path / "two-squares.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}), "utf-8")
    return p


def test_configured_boundary_draws_choropleths_with_approval(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client.get("/maps/boundary/province.geojson").status_code == 404
    monkeypatch.setenv("JIQUN_MAP_GEOJSON", str(squares(tmp_path)))
    monkeypatch.setenv("JIQUN_MAP_APPROVAL", APPROVAL)
    page = client.get("/").text
    m = map_of(page)
    assert m["mode"] == "geojson" and m["approval"] == APPROVAL
    assert m["levels"] == ["province", "prefecture"]
    assert f"审图号：{APPROVAL}" in page
    prov = client.get("/maps/boundary/province.geojson").json()
    assert [f["properties"]["code"] for f in prov["features"]] == ["320000"]
    pref = client.get("/maps/boundary/prefecture.geojson?within=320000").json()
    assert [f["properties"]["code"] for f in pref["features"]] == ["320200"]
    assert not client.get("/maps/boundary/prefecture.geojson?within=330000").json()["features"]


def test_boundary_without_approval_falls_back_to_tiles_and_says_why(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIQUN_MAP_GEOJSON", str(squares(tmp_path)))
    monkeypatch.delenv("JIQUN_MAP_APPROVAL", raising=False)
    r = client.get("/")
    assert r.status_code == 200
    m = map_of(r.text)
    assert m["mode"] == "tiles" and any("审图号" in n for n in m["notes"])


def csrf_of(page: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m, "no CSRF field"
    return m.group(1)


def logged_in(app: Any, username: str) -> TestClient:
    c = TestClient(app, follow_redirects=False)
    tok = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": username, "password": PASSWORD, "csrf": tok})
    assert r.status_code == 303
    return c


def test_admin_uploads_a_boundary_file_from_the_map(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIQUN_MAP_GEOJSON", raising=False)
    body = squares(tmp_path).read_bytes()
    gov = logged_in(client.app, "map_gov")
    page = gov.get("/").text
    assert 'action="/maps/boundary"' not in page  # the form is the admin's
    r = gov.post(
        "/maps/boundary",
        data={"csrf": csrf_of(page), "approval": APPROVAL},
        files={"file": ("b.geojson", body, "application/geo+json")},
    )
    assert r.status_code == 403
    adm = logged_in(client.app, "map_admin")
    page = adm.get("/").text
    assert 'action="/maps/boundary"' in page
    r = adm.post(
        "/maps/boundary",
        data={"csrf": csrf_of(page), "approval": APPROVAL},
        files={"file": ("b.geojson", body, "application/geo+json")},
    )
    assert r.status_code == 303
    m = map_of(client.get("/").text)
    assert m["mode"] == "geojson" and m["approval"] == APPROVAL
    # a file whose codes are not GB/T 2260 is refused with the reason; the one in use stays
    bad = body.replace(b"320200", b"329900")
    r = adm.post(
        "/maps/boundary",
        data={"csrf": csrf_of(page), "approval": "GS(2099)0002号"},
        files={"file": ("b.geojson", bad, "application/geo+json")},
    )
    assert r.status_code == 303 and "329900" in adm.get("/").text
    assert map_of(client.get("/").text)["approval"] == APPROVAL


def test_the_kept_map_is_never_served_across_disclosure_scopes(client: TestClient) -> None:
    """The map block is kept per data version and disclosure scope (ui_overview.map_block): each
    viewer gets exactly the map computed for it, whoever asked first."""
    from jiqun.services import accounts
    from jiqun.services.accounts import PUBLIC, Principal
    from jiqun.services.maps import map_data

    eng = client.app.state.engine  # type: ignore[attr-defined]
    accounts.add_user("map_gov_gd", "government", PASSWORD, "440000", eng)
    viewers: list[tuple[TestClient, Principal]] = [
        (logged_in(client.app, "map_gov"), Principal("map_gov", "government", "320000", None)),
        (client, PUBLIC),
        (logged_in(client.app, "map_gov_gd"), Principal("g", "government", "440000", None)),
        (logged_in(client.app, "map_admin"), Principal("map_admin", "admin", None, None)),
    ]
    seen = []
    for path, where in (("/", {}), ("/regions/320200", {"focus": "320200"})):
        for c, who in viewers * 2:  # the second round is served from what the first kept
            got = map_of(c.get(path).text)
            want = json.loads(json.dumps(map_data(who, eng, **where).to_dict()))
            assert got == want, (path, who.role, who.scope)
            seen.append(json.dumps(got, sort_keys=True))
    # the scopes do see different maps (else this test could not fail): Jiangsu's government
    # sees its own suppressed cells, the public does not
    assert len(set(seen[:4])) == 4
