"""Maps (jiqun.services.maps): the tile grid, its published values, boundary files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jiqun import reference
from jiqun.services.accounts import PUBLIC, Principal
from jiqun.services.maps import (
    NO_DATA_UNITS,
    boundary_features,
    configured_boundary,
    load_boundary,
    map_data,
    tile_grid,
)
from jiqun.services.published import published_table
from jiqun.services.release import build_release
from jiqun.standard.problems import JiqunError

ADMIN = Principal("root", "admin", None, 1)


def test_tile_grid_has_every_provincial_unit_once() -> None:
    g = tile_grid()
    assert len(g) == 34
    codes = set(g["code"])
    assert reference.region_codes("province") | NO_DATA_UNITS == codes
    assert not g.duplicated(["row", "col"]).any()
    assert g["row"].between(0, 7).all() and g["col"].between(0, 8).all()
    at = g.set_index("code")
    # reads like China: 黑龙江 top right, 新疆 and 西藏 on the left, 海南 at the bottom, 台湾 east of 福建
    assert at.loc["230000", "row"] == 0 and at.loc["230000", "col"] == g["col"].max()
    assert at.loc["650000", "col"] == 0 and at.loc["540000", "col"] == 0
    assert at.loc["460000", "row"] == g["row"].max()
    assert at.loc["710000", "row"] == at.loc["350000", "row"]
    assert at.loc["710000", "col"] == at.loc["350000", "col"] + 1


def square(code: str, x: float, y: float) -> dict:
    ring = [[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]
    return {
        "type": "Feature",
        "properties": {"adcode": int(code), "name": "whatever"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def write(tmp_path: Path, features: list[dict]) -> Path:
    p = tmp_path / "b.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    return p


def test_two_squares_load_by_level_with_reference_names(tmp_path: Path) -> None:
    p = write(tmp_path, [square("320000", 0, 0), square("320200", 1, 0)])
    b = load_boundary(p, "GS(2099)0001号")
    assert b.levels() == ["province", "prefecture"]
    prov = boundary_features(b, "province")
    assert [f["properties"]["code"] for f in prov["features"]] == ["320000"]
    assert prov["features"][0]["properties"]["name"] == reference.region_display_name("320000")
    assert boundary_features(b, "prefecture", within="320000")["features"]
    assert not boundary_features(b, "prefecture", within="330000")["features"]
    env = {"JIQUN_MAP_GEOJSON": str(p), "JIQUN_MAP_APPROVAL": "GS(2099)0001号"}
    assert configured_boundary(env).approval == "GS(2099)0001号"
    assert configured_boundary({}) is None


def test_county_features_are_served_inside_their_city(tmp_path: Path) -> None:
    p = write(tmp_path, [square("320214", 0, 0), square("320505", 1, 0)])
    b = load_boundary(p, "GS(2099)0001号")
    assert b.levels() == ["county"]
    wuxi = boundary_features(b, "county", within="320200")["features"]
    assert [f["properties"]["code"] for f in wuxi] == ["320214"]
    with pytest.raises(JiqunError):
        boundary_features(b, "township")


def test_boundary_needs_its_approval_number(tmp_path: Path) -> None:
    p = write(tmp_path, [square("320000", 0, 0)])
    with pytest.raises(JiqunError, match="审图号"):
        configured_boundary({"JIQUN_MAP_GEOJSON": str(p)})


def test_boundary_codes_are_checked_against_gbt2260(tmp_path: Path) -> None:
    p = write(tmp_path, [square("320000", 0, 0), square("329900", 1, 0)])
    with pytest.raises(JiqunError, match="329900"):
        load_boundary(p, "GS(2099)0001号")


def test_map_values_are_the_published_cells(demo_engine: Engine) -> None:
    build_release(demo_engine)
    m = map_data(PUBLIC, demo_engine, focus="320200")
    assert m.mode == "tiles" and len(m.tiles) == 34
    assert m.selected == "320000" and m.highlight == ["320200"]
    tiles = {t["code"]: t for t in m.tiles}
    for code in NO_DATA_UNITS:
        assert tiles[code]["no_data"] and set(tiles[code]["values"].values()) == {None}
    # employment on the tiles is the public release's province cell (section C), never a new sum
    pub = published_table(PUBLIC, demo_engine, measure="employees", region_level="province")
    assert len(pub.table)
    shown = [t["values"]["employees"] for t in m.tiles if not t["no_data"]]
    assert any(v is not None and v > 0 for v in shown)
    for t in m.tiles:
        v = t["values"]["employees"]
        if v is not None:
            assert v > 0
    # clusters per province: distinct registered national clusters with a member region there
    assert tiles["320000"]["values"]["clusters"] >= 1
    js_points = [p for p in m.points if p["province"] == "320000"]
    assert {"320200", "320500"} <= {p["code"] for p in js_points}
    # the admin sees every cell; the public never sees a value the release suppresses
    adm = {t["code"]: t for t in map_data(ADMIN, demo_engine).tiles}
    for code, t in tiles.items():
        if t["values"]["output"] is not None:
            assert t["values"]["output"] == adm[code]["values"]["output"]


def test_cluster_map_highlights_its_members(demo_engine: Engine) -> None:
    m = map_data(PUBLIC, demo_engine, cluster_id="NC2021-02", lang="en")
    assert "320200" in m.highlight and m.selected == "320000"
    assert m.measures[0]["label"] == "national clusters"
    assert next(t for t in m.tiles if t["code"] == "810000")["name"] == "Hong Kong"


def test_city_map_carries_its_counties_and_says_what_is_published(
    demo_engine: Engine, tmp_path: Path
) -> None:
    build_release(demo_engine, region_levels=(0, 1, 2))
    m = map_data(ADMIN, demo_engine, focus="320214", env={})
    assert m.detail == "320200" and m.highlight == ["320214"]
    counties = {p["code"] for p in m.points if p["detail"]}
    assert counties == {c for c in reference.region_codes("county") if c.startswith("3202")}
    assert all(p["values"]["employees"] is None for p in m.points if p["detail"])
    assert not m.notes  # the tile grid draws no counties: nothing to explain
    p = write(tmp_path, [square("320214", 0, 0)])
    env = {"JIQUN_MAP_GEOJSON": str(p), "JIQUN_MAP_APPROVAL": "GS(2099)0001号"}
    m = map_data(ADMIN, demo_engine, focus="320214", env=env)
    assert m.mode == "geojson" and any("区县" in n for n in m.notes)
    assert map_data(ADMIN, demo_engine, env={}).detail is None


def test_admin_upload_is_checked_audited_and_used(engine: Engine, tmp_path: Path) -> None:
    from sqlalchemy import text

    from jiqun.errors import AccessDenied
    from jiqun.services.maps import save_boundary

    env = {"JIQUN_DATA_DIR": str(tmp_path / "data")}
    good = write(tmp_path, [square("320000", 0, 0), square("320200", 1, 0)]).read_bytes()
    gov = Principal("js", "government", "320000", 2)
    with pytest.raises(AccessDenied):
        save_boundary(gov, good, "GS(2099)0001号", engine, env=env)
    assert configured_boundary(env) is None
    b = save_boundary(ADMIN, good, "GS(2099)0001号", engine, env=env)
    assert b.levels() == ["province", "prefecture"]
    assert configured_boundary(env).approval == "GS(2099)0001号"
    # a bad file is refused and the boundary in use stays
    bad = write(tmp_path, [square("999900", 0, 0)]).read_bytes()
    with pytest.raises(JiqunError, match="999900"):
        save_boundary(ADMIN, bad, "GS(2099)0002号", engine, env=env)
    with pytest.raises(JiqunError, match="审图号"):
        save_boundary(ADMIN, good, " ", engine, env=env)
    assert configured_boundary(env).approval == "GS(2099)0001号"
    # the environment's file wins over an upload
    other = tmp_path / "env.geojson"
    other.write_bytes(write(tmp_path, [square("330000", 0, 0)]).read_bytes())
    env2 = {**env, "JIQUN_MAP_GEOJSON": str(other), "JIQUN_MAP_APPROVAL": "GS(2099)0003号"}
    assert configured_boundary(env2).approval == "GS(2099)0003号"
    with engine.connect() as c:
        rows = c.execute(
            text("SELECT outcome FROM audit_log WHERE action = 'map_boundary_upload' ORDER BY id")
        ).scalars()
        assert list(rows) == ["ok", "refused", "refused"]


def test_the_national_layer_is_viewed_once_per_scope_and_equals_a_fresh_one(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiqun.services import cache, maps

    build_release(demo_engine)
    gov = Principal("g", "government", "320000", 2)
    fresh = {
        (who.role, place): map_data(who, demo_engine, cluster_id=place).to_dict()
        for who in (PUBLIC, gov)
        for place in ("NC2021-02", "NC2022-04")
    }
    cache.clear(demo_engine)
    views: list[str] = []
    real = maps.release_view

    def counting(principal: Principal, *a: object, **k: object) -> object:
        views.append(principal.role)
        return real(principal, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(maps, "release_view", counting)
    first = map_data(PUBLIC, demo_engine, cluster_id="NC2021-02").to_dict()
    n = len(views)
    assert n > 0
    second = map_data(PUBLIC, demo_engine, cluster_id="NC2022-04").to_dict()
    assert len(views) == n  # another place of the same scope: no cell viewed again
    assert first == fresh[("public", "NC2021-02")] and second == fresh[("public", "NC2022-04")]
    assert first["highlight"] != second["highlight"]
    # a government user's own region is shown unsuppressed: its own layer, never the public one
    mine = map_data(gov, demo_engine, cluster_id="NC2021-02").to_dict()
    assert len(views) == 2 * n and views[n:] == ["government"] * n
    assert mine == fresh[("government", "NC2021-02")]
