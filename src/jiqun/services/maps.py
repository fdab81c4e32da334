"""Maps an official recognises: a tile-grid map of China, or approved boundary choropleths.

Two modes, chosen by the deployment:

- **tiles** (default, nothing configured): every provincial-level unit as an equal square on a
  fixed grid that reads like China (``reference/data/tile_grid.csv``: 黑龙江 top right, 新疆 and
  西藏 left, 海南 bottom, 台湾 east of 福建), coloured by a measure; 台湾省, 香港 and 澳门 are
  drawn and marked "无数据 / no data". Beside it, the cities of the selected province as bubbles
  at their seats' coordinates.
- **geojson**: where ``JIQUN_MAP_GEOJSON`` names an approved boundary file (a GeoJSON
  FeatureCollection whose features carry a GB/T 2260 code in ``code`` or ``adcode``), real
  choropleths at province, prefecture and county level. A published map of China needs an
  approval number (审图号), so ``JIQUN_MAP_APPROVAL`` is required with it and is drawn on the
  map. Jiqun ships no boundary data.

Every value on a map is a stored, published figure: the number of registered national clusters
with a member region in the unit (the public cluster registry), and manufacturing employment and
output as cells of the protected release (:mod:`jiqun.services.release`) seen through the same
disclosure view as :func:`jiqun.services.published.published_table` — no new sum is made, a
suppressed cell stays empty.

References
----------
docs/maps.md; docs/disclosure.md.
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from jiqun import reference
from jiqun.analytics.release import INDUSTRY_ROOT
from jiqun.services.access import disclosure_scope
from jiqun.services.accounts import Principal
from jiqun.services.cache import cached
from jiqun.services.choices import require_choice
from jiqun.services.published import NO_RELEASE, SYNTHETIC_NOTE, Ask, release_view
from jiqun.services.release import current_release, release_cells
from jiqun.standard.problems import JiqunError
from jiqun.store.db import get_engine
from jiqun.store.models import Cluster, ClusterRegion, table_of

__all__ = [
    "MAP_MEASURES",
    "Boundary",
    "MapData",
    "boundary_features",
    "configured_boundary",
    "load_boundary",
    "map_data",
    "save_boundary",
    "tile_grid",
]

#: measure -> (zh, en, unit zh, unit en, divisor from the stored unit)
MAP_MEASURES: dict[str, tuple[str, str, str, str, float]] = {
    "clusters": ("国家级集群数", "national clusters", "个", "clusters", 1.0),
    "employees": ("制造业从业人员", "manufacturing employment", "人", "persons", 1.0),
    "output": ("制造业工业总产值", "manufacturing output", "亿元", "100m yuan", 1e4),
}
#: GB/T 2260 provincial-level codes outside the statistics bureau's division file (no data here)
NO_DATA_UNITS = frozenset({"710000", "810000", "820000"})
#: the GB/T 4754-2017 section of manufacturing (制造业)
MANUFACTURING = "C"
ENV_GEOJSON = "JIQUN_MAP_GEOJSON"
ENV_APPROVAL = "JIQUN_MAP_APPROVAL"
LEVELS = ("province", "prefecture", "county")


@functools.lru_cache(maxsize=1)
def tile_grid() -> pd.DataFrame:
    """The tile-grid layout: one row per provincial-level unit (34).

    Returns
    -------
    pandas.DataFrame
        ``code, short_zh, abbr, name_en, row, col`` (``row``/``col`` integers, 0 at top left).

    References
    ----------
    src/jiqun/reference/data/SOURCES.md (``tile_grid.csv``).

    Example
    -------
    >>> g = tile_grid()
    >>> len(g), g.set_index("code").loc["230000", ["row", "col"]].tolist()
    (34, [0, 8])
    """
    df = reference._read_csv("tile_grid.csv")
    df["row"] = df["row"].astype(int)
    df["col"] = df["col"].astype(int)
    return df


# --------------------------------------------------------------------------------------------
# boundaries (optional, configured by the deployment)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Boundary:
    """An approved boundary file: its features by level and its approval number (审图号)."""

    path: str
    approval: str
    features: dict[str, list[dict[str, Any]]]

    def levels(self) -> list[str]:
        """The levels with at least one feature."""
        return [lv for lv in LEVELS if self.features.get(lv)]


def _code_of(props: dict[str, Any]) -> str | None:
    for key in ("code", "adcode", "gb_code", "GB"):
        v = props.get(key)
        if v is None or v == "":
            continue
        s = str(int(v)) if isinstance(v, int | float) else str(v).strip()
        return s[:6] if len(s) >= 6 else s
    return None


def _level_of(code: str) -> str | None:
    if code in NO_DATA_UNITS:
        return "province"
    return reference.region_level(code)


def load_boundary(path: str | Path, approval: str | None) -> Boundary:
    """Read and check a boundary GeoJSON file.

    Rule: the file is a FeatureCollection of Polygon or MultiPolygon features; each feature's
    ``code`` (or ``adcode``) is a GB/T 2260 code of the reference regions (or 710000, 810000,
    820000); the approval number is required because a published map of China must show it.

    Parameters
    ----------
    path:
        The GeoJSON file.
    approval:
        Its approval number (审图号), e.g. ``GS(2024)0650号``.

    Returns
    -------
    :class:`Boundary` with features grouped by level, ``properties.code`` normalised and
    ``properties.name`` set to the reference name.

    Raises
    ------
    jiqun.standard.problems.JiqunError
        Missing approval number, unreadable file, a feature without a code, or codes that are
        not GB/T 2260 codes.

    Example
    -------
    >>> load_boundary("boundary.geojson", "GS(2024)0650号").levels()  # doctest: +SKIP
    ['province']
    """
    if not approval or not str(approval).strip():
        raise JiqunError(
            f"配置了边界文件但缺少审图号：请设置 {ENV_APPROVAL}（公开地图须标注审图号）",
            f"a boundary file is configured without its approval number: set {ENV_APPROVAL} "
            "(a published map of China must show its 审图号)",
        )
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise JiqunError(
            f"无法读取边界文件 {p.name}：{e}", f"cannot read the boundary file {p.name}: {e}"
        ) from e
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise JiqunError(
            "边界文件须为 GeoJSON FeatureCollection",
            "the boundary file must be a FeatureCollection",
        )
    by_level: dict[str, list[dict[str, Any]]] = {lv: [] for lv in LEVELS}
    bad: list[str] = []
    for i, f in enumerate(doc.get("features") or []):
        props = dict((f or {}).get("properties") or {})
        geom = (f or {}).get("geometry") or {}
        code = _code_of(props)
        level = _level_of(code) if code else None
        if code is None or level is None or geom.get("type") not in ("Polygon", "MultiPolygon"):
            bad.append(code or f"#{i}")
            continue
        props["code"] = code
        props["name"] = (
            reference.region_display_name(code)
            if code not in NO_DATA_UNITS
            else (str(tile_grid().set_index("code").loc[code, "short_zh"]))
        )
        by_level[level].append({"type": "Feature", "properties": props, "geometry": geom})
    if bad:
        shown = "、".join(bad[:5]) + (" …" if len(bad) > 5 else "")
        raise JiqunError(
            f"边界文件有 {len(bad)} 个要素的代码不是 GB/T 2260 行政区划代码或不是面：{shown}",
            f"{len(bad)} features of the boundary file have no GB/T 2260 code or are not "
            f"polygons: {shown}",
        )
    if not any(by_level.values()):
        raise JiqunError("边界文件没有要素", "the boundary file has no features")
    return Boundary(str(p), str(approval).strip(), by_level)


def _upload_dir(env: dict[str, str] | None) -> Path | None:
    """Where an admin's uploaded boundary file is kept (``<data dir>/maps``)."""
    if env is None:
        from jiqun.config import data_dir

        return data_dir() / "maps"
    d = (env.get("JIQUN_DATA_DIR") or "").strip()
    return Path(d).expanduser() / "maps" if d else None


UPLOAD_FILE = "boundary.geojson"
UPLOAD_APPROVAL = "approval.txt"


def save_boundary(
    principal: Principal,
    content: bytes,
    approval: str,
    engine: Engine | None = None,
    client: str | None = None,
    env: dict[str, str] | None = None,
) -> Boundary:
    """Keep an admin's boundary file (checked as :func:`load_boundary`) for the maps.

    Rule: admin only; the file and its approval number are checked before anything replaces
    the boundary in use; the upload is audited (``map_boundary_upload``). ``JIQUN_MAP_GEOJSON``,
    where set, still wins over an upload.

    Parameters
    ----------
    principal:
        The admin.
    content:
        The GeoJSON bytes.
    approval:
        The file's approval number (审图号).
    engine:
        Database for the audit log (default: the configured one).
    client:
        Client address for the audit log.
    env:
        Environment (default: the process environment) naming the data directory.

    Returns
    -------
    :class:`Boundary` now in use by the maps (unless ``JIQUN_MAP_GEOJSON`` is set).

    Raises
    ------
    jiqun.standard.problems.JiqunError
        As :func:`load_boundary`; :class:`jiqun.services.access.Forbidden` for a non-admin.

    Example
    -------
    >>> save_boundary(admin, open("b.geojson", "rb").read(), "GS(2024)0650号")  # doctest: +SKIP
    """
    from jiqun.services.access import audit, require_role

    require_role(principal, "admin")
    folder = _upload_dir(env)
    if folder is None:
        raise JiqunError("未设置数据目录", "no data directory is set (JIQUN_DATA_DIR)")
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (UPLOAD_FILE + ".part")
    tmp.write_bytes(content)
    try:
        b = load_boundary(tmp, approval)
    except JiqunError as e:
        tmp.unlink(missing_ok=True)
        audit(principal, "map_boundary_upload", None, "refused", e.message_en, client, engine)
        raise
    (folder / UPLOAD_APPROVAL).write_text(b.approval, encoding="utf-8")
    tmp.replace(folder / UPLOAD_FILE)
    detail = {"approval": b.approval, "levels": b.levels(), "bytes": len(content)}
    audit(principal, "map_boundary_upload", UPLOAD_FILE, "ok", detail, client, engine)
    return Boundary(str(folder / UPLOAD_FILE), b.approval, b.features)


def configured_boundary(env: dict[str, str] | None = None) -> Boundary | None:
    """The deployment's boundary file (``JIQUN_MAP_GEOJSON`` + ``JIQUN_MAP_APPROVAL``, else an
    admin's upload kept by :func:`save_boundary`), if any.

    Parameters
    ----------
    env:
        Environment to read (default: the process environment).

    Returns
    -------
    :class:`Boundary`, or ``None`` when no file is configured (the tile grid is used).

    Raises
    ------
    jiqun.standard.problems.JiqunError
        As :func:`load_boundary` for a configured file that fails its checks.

    Example
    -------
    >>> configured_boundary({}) is None
    True
    """
    folder = _upload_dir(env)
    env = dict(os.environ) if env is None else env
    path = (env.get(ENV_GEOJSON) or "").strip()
    if path:
        return _load_cached(path, env.get(ENV_APPROVAL), file_mtime(path))
    if folder is not None and (folder / UPLOAD_FILE).is_file():
        up = folder / UPLOAD_FILE
        approval = (folder / UPLOAD_APPROVAL).read_text(encoding="utf-8").strip()
        return _load_cached(str(up), approval, file_mtime(str(up)))
    return None


def file_mtime(path: str) -> float:
    """The modification time of ``path`` (``-1.0`` when it cannot be read): part of the key of
    anything derived from a boundary file, so a replaced file is seen at once."""
    try:
        return Path(path).stat().st_mtime
    except OSError:
        return -1.0


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, approval: str | None, mtime: float) -> Boundary:
    # keyed by modification time: a replaced file is read again, an unchanged one once
    return load_boundary(path, approval)


def boundary_features(boundary: Boundary, level: str, within: str | None = None) -> dict[str, Any]:
    """The features of one level (optionally inside one region) as a FeatureCollection.

    Parameters
    ----------
    boundary:
        From :func:`configured_boundary`.
    level:
        ``province``, ``prefecture`` or ``county``.
    within:
        A GB/T 2260 code: keep the features whose code starts with its prefix.

    Returns
    -------
    dict
        A GeoJSON FeatureCollection.

    Example
    -------
    >>> boundary_features(b, "province")["type"]  # doctest: +SKIP
    'FeatureCollection'
    """
    require_choice(level, LEVELS, "未知层级", "unknown level")
    feats = boundary.features.get(level, [])
    if within:
        pre = reference.region_prefix(within)
        feats = [f for f in feats if f["properties"]["code"].startswith(pre)]
    return {"type": "FeatureCollection", "features": feats}


# --------------------------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------------------------


def _cluster_counts(engine: Engine, tier: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Clusters of ``tier`` per member region and per province (distinct clusters)."""
    cr, cl = table_of(ClusterRegion).c, table_of(Cluster).c
    q = (
        select(cr.region_code, cl.cluster_id, cl.name)
        .join_from(table_of(ClusterRegion), table_of(Cluster), cr.cluster_id == cl.cluster_id)
        .where(cl.tier == tier)
    )
    with engine.connect() as c:
        df = pd.read_sql(q, c)
    df["province"] = df["region_code"].str[:2] + "0000"
    by_region = (
        df.groupby("region_code")
        .agg(clusters=("cluster_id", "nunique"), cluster_names=("name", "、".join))
        .reset_index()
    )
    by_prov = df.groupby("province")["cluster_id"].nunique().rename("clusters").reset_index()
    return by_region, by_prov


def _published(
    principal: Principal, engine: Engine, measure: str, level: int, prefix: str = ""
) -> tuple[dict[str, float | None], dict[str, Any], list[str]]:
    """Release cells of manufacturing at one region level, as ``principal`` may see them.

    Returns ``({region_code: value or None if suppressed}, basis, notes)``. Uses the release's
    own cells (section C; all industries where the release holds no sections): no new sum.

    The whole level is viewed once per data version and disclosure scope
    (:func:`jiqun.services.access.disclosure_scope`: a cell's view depends on nothing else) and
    kept in the process; ``prefix`` then keeps the regions under it. Every cluster and region
    page of one viewer scope shares the same national layer, so only the first one pays for it.
    """
    values, basis, notes = cached(
        engine,
        ("map-published", disclosure_scope(principal), measure, level),
        lambda: _published_level(principal, engine, measure, level),
        persist=False,
        stale_ok=True,
    )
    if prefix:
        values = {k: v for k, v in values.items() if k.startswith(prefix)}
    return values, basis, notes


def _published_level(
    principal: Principal, engine: Engine, measure: str, level: int
) -> tuple[dict[str, float | None], dict[str, Any], list[str]]:
    """:func:`_published` of every region at ``level`` (not kept)."""
    rel = current_release(engine)
    if rel is None:
        return {}, {}, [NO_RELEASE]
    stats = rel.get("stats") or {}
    if level not in set(stats.get("region_levels", (0, 1, 2, 3))):
        return {}, {}, []
    cells = release_cells(engine, rel["id"], measure)
    counts = cells if measure == "firms" else release_cells(engine, rel["id"], "firms")
    sections = 1 in set(stats.get("industry_levels", (0, 1, 2, 3, 4)))
    industry = MANUFACTURING if sections else INDUSTRY_ROOT
    rows = cells[(cells["region_level"] == level) & (cells["industry_code"] == industry)]
    rows = rows[~rows["region_code"].str.endswith("*")]
    ask = Ask(
        ["region_code"],
        "region",
        measure,
        None,
        None,
        "province" if level == 1 else "prefecture",
        2,
        None,
    )
    view = release_view(principal, rel, rows, rows.iloc[0:0], [], counts, ask)
    values = {
        str(r.region_code): (None if r.suppressed or pd.isna(r.value) else float(r.value))
        for r in view.table.itertuples(index=False)
    }
    basis = dict(view.basis)
    basis["industry"] = (
        "GB/T 4754-2017 门类 C 制造业 / section C manufacturing"
        if sections
        else "全部行业（公开数据未按门类发布）/ all industries (the release has no sections)"
    )
    # the release's per-table notes (suppressed-cell counts of four small tables) would mislead
    # under one map; only the release's age is said
    notes = [n for n in view.notes if n != SYNTHETIC_NOTE and "较早的数据版本" in n]
    return values, basis, notes


# --------------------------------------------------------------------------------------------
# the map's data
# --------------------------------------------------------------------------------------------


@dataclass
class MapData:
    """Everything a page needs to draw its map (JSON-ready through :meth:`to_dict`).

    Attributes
    ----------
    mode:
        ``tiles`` or ``geojson``.
    tiles:
        One per provincial-level unit: code, names, row, col, ``values`` by measure (``None``:
        suppressed or not published), ``no_data`` (台湾省, 香港, 澳门).
    points:
        Cities (prefecture-level units, and county-level cluster members) with lon/lat, province,
        ``values`` by measure and cluster names; on a city's page also its counties
        (``detail`` true).
    measures:
        ``key, label, unit`` in the page's language.
    selected:
        The province shown beside the grid first.
    highlight:
        Region codes to mark (the page's city, a cluster's member regions).
    approval, levels:
        The boundary file's 审图号 and levels (geojson mode).
    detail:
        The prefecture whose counties are in ``points`` (a city's page), else ``None``.
    basis, notes:
        The basis line of each measure and notes.
    """

    mode: str
    tiles: list[dict[str, Any]]
    points: list[dict[str, Any]]
    measures: list[dict[str, str]]
    selected: str | None
    highlight: list[str]
    basis: dict[str, str]
    synthetic: bool
    approval: str | None = None
    levels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, the ``data-tilemap`` attribute of the page: every field by name."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _tr(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _scaled(m: str, v: float | None) -> float | None:
    """A published value in the map's unit (:data:`MAP_MEASURES`), ``None`` kept."""
    if v is None:
        return None
    div = MAP_MEASURES[m][4]
    return round(v / div, 1) if div != 1 else round(v, 0)


def _national_layer(principal: Principal, engine: Engine, lang: str, tier: str) -> dict[str, Any]:
    """What every map of one viewer scope shares: the province tiles, the city points (and
    county members of clusters), their published values and cluster counts, the basis of the
    published measures and the release notes — everything but the page's own place.

    Kept once per data version, disclosure scope, language and tier by :func:`map_data` (the
    first cluster or region page of a scope builds it; the others only add their place).
    """
    grid = tile_grid()
    by_region, by_prov = _cluster_counts(engine, tier)
    prov_clusters = {
        str(k): int(v) for k, v in zip(by_prov["province"], by_prov["clusters"], strict=True)
    }
    members = {
        str(code): (int(n), str(names))
        for code, n, names in zip(
            by_region["region_code"], by_region["clusters"], by_region["cluster_names"], strict=True
        )
    }
    pub: dict[str, dict[int, dict[str, float | None]]] = {}
    pub_basis: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    for m in ("employees", "output"):
        pub[m] = {}
        for level in (1, 2):
            vals, b, said = _published(principal, engine, m, level)
            pub[m][level] = vals
            if b and m not in pub_basis:
                pub_basis[m] = b
            # release notes are "中文 / English": the page's language only
            said = [x.split(" / ")[0 if lang == "zh" else -1] for x in said]
            notes.extend(x for x in said if x not in notes)
    tiles = []
    for r in grid.itertuples(index=False):
        nd = r.code in NO_DATA_UNITS
        tiles.append(
            {
                "code": r.code,
                "short": r.short_zh if lang == "zh" else r.abbr,
                "name": (reference.region_display_name(r.code) if not nd else str(r.short_zh))
                if lang == "zh"
                else r.name_en,
                "row": int(r.row),
                "col": int(r.col),
                "no_data": nd,
                "values": {
                    "clusters": None if nd else int(prov_clusters.get(r.code, 0)),
                    "employees": None
                    if nd
                    else _scaled("employees", pub["employees"][1].get(r.code)),
                    "output": None if nd else _scaled("output", pub["output"][1].get(r.code)),
                },
            }
        )
    regs = reference.regions()
    cities = regs[regs["level"] == "prefecture"]
    extra = regs[regs["code"].isin(list(members)) & (regs["level"] == "county")]
    pts_df = pd.concat([cities, extra]).dropna(subset=["lon", "lat"])
    pts_df = pts_df[pts_df["lon"].astype(str) != ""]
    points = []
    for r in pts_df.itertuples(index=False):
        code = str(r.code)
        pref = code if r.level == "prefecture" else None
        n, names = members.get(code, (0, ""))
        points.append(
            {
                "code": code,
                "name": reference.region_display_name(code),
                "province": code[:2] + "0000",
                "lon": round(float(r.lon), 3),
                "lat": round(float(r.lat), 3),
                "values": {
                    "clusters": n,
                    "employees": _scaled("employees", pub["employees"][2].get(pref))
                    if pref
                    else None,
                    "output": _scaled("output", pub["output"][2].get(pref)) if pref else None,
                },
                "clusters": names,
                "detail": False,
            }
        )
    synthetic = any(bool(b.get("synthetic")) for b in pub_basis.values())
    return {
        "tiles": tiles,
        "points": points,
        "prov_clusters": prov_clusters,
        "members": members,
        "pub_basis": pub_basis,
        "notes": notes,
        "synthetic": synthetic,
    }


def map_data(
    principal: Principal,
    engine: Engine | None = None,
    *,
    focus: str | None = None,
    cluster_id: str | None = None,
    lang: str = "zh",
    tier: str = "national",
    env: dict[str, str] | None = None,
) -> MapData:
    """The map of the overview, a region's dashboard or a cluster page.

    Parameters
    ----------
    principal:
        The viewer (published cells are seen through its disclosure view).
    engine:
        Database (default: the configured one).
    focus:
        A region code (province, prefecture or county): its province is selected and, below
        province level, the region is highlighted.
    cluster_id:
        A cluster: its member regions are highlighted and the province with most of them is
        selected.
    lang:
        ``zh`` or ``en`` (labels, units, basis lines).
    tier:
        Cluster tier counted by the ``clusters`` measure.
    env:
        Environment holding the boundary configuration (default: the process environment).

    Returns
    -------
    :class:`MapData`.

    References
    ----------
    docs/maps.md.

    Example
    -------
    >>> from jiqun.services.accounts import PUBLIC
    >>> m = map_data(PUBLIC, focus="320200")  # doctest: +SKIP
    >>> m.selected, len(m.tiles)  # doctest: +SKIP
    ('320000', 34)
    """
    engine = engine or get_engine()
    focus_level = reference.region_level(focus) if focus else None
    if focus and focus_level is None:
        raise JiqunError(
            f"{focus!r} 不是 GB/T 2260 行政区划代码", f"{focus!r} is not a GB/T 2260 code"
        )
    # a city's page also carries its counties (a county choropleth where boundaries exist)
    detail = focus[:4] + "00" if focus and focus_level in ("prefecture", "county") else None
    layer = cached(
        engine,
        ("map-layer", disclosure_scope(principal), lang, tier),
        lambda: _national_layer(principal, engine, lang, tier),
        persist=False,
        stale_ok=True,
    )
    tiles, prov_clusters = layer["tiles"], layer["prov_clusters"]
    pub_basis, synthetic = layer["pub_basis"], layer["synthetic"]
    notes = list(layer["notes"])
    points = layer["points"]
    if detail:
        regs = reference.regions()
        members = layer["members"]
        county = {
            m: _published(principal, engine, m, 3, detail[:4])[0] for m in ("employees", "output")
        }
        points = list(points)
        for r in regs[
            (regs["level"] == "county") & regs["code"].str.startswith(detail[:4])
        ].itertuples(index=False):
            code = str(r.code)
            has_xy = str(r.lon) not in ("", "nan")
            n, names = members.get(code, (0, ""))
            points.append(
                {
                    "code": code,
                    "name": reference.region_display_name(code),
                    "province": code[:2] + "0000",
                    "lon": round(float(r.lon), 3) if has_xy else None,
                    "lat": round(float(r.lat), 3) if has_xy else None,
                    "values": {
                        "clusters": n,
                        "employees": _scaled("employees", county["employees"].get(code)),
                        "output": _scaled("output", county["output"].get(code)),
                    },
                    "clusters": names,
                    "detail": True,
                }
            )

    highlight: list[str] = []
    selected: str | None = None
    if focus:
        selected = focus[:2] + "0000"
        if focus_level != "province":
            highlight = [focus]
    if cluster_id:
        with engine.connect() as c:
            cr = table_of(ClusterRegion).c
            mem = sorted(
                str(x)
                for x in c.execute(
                    select(cr.region_code).where(cr.cluster_id == cluster_id)
                ).scalars()
            )
        highlight = mem
        if mem:
            provs = pd.Series([m[:2] + "0000" for m in mem]).value_counts()
            selected = str(provs.index[0])
    if selected is None and prov_clusters:
        selected = max(prov_clusters, key=lambda k: (prov_clusters[k], k))

    measures = [
        {
            "key": k,
            "label": _tr(lang, zh, en),
            "unit": _tr(lang, uzh, uen),
        }
        for k, (zh, en, uzh, uen, _d) in MAP_MEASURES.items()
    ]
    release_line = _tr(
        lang,
        "公开数据版本的单元格（登记企业快照，小样本单元已抑制，不另行加总）",
        "cells of the protected release (registry snapshot; small cells suppressed; no new sums)",
    )
    industry = (
        pub_basis.get("employees", {}).get("industry")
        or "GB/T 4754-2017 门类 C 制造业 / section C manufacturing"
    )
    ind_line = industry.split(" / ")[0 if lang == "zh" else -1]
    basis = {
        "clusters": _tr(
            lang,
            "集群名录：成员地区在该地区的国家级先进制造业集群个数（GB/T 2260 地区代码）",
            "cluster registry: national advanced manufacturing clusters with a member region "
            "there (GB/T 2260 codes)",
        ),
        "employees": f"{release_line}；{ind_line}；{_tr(lang, '单位：人', 'unit: persons')}"
        if lang == "zh"
        else f"{release_line}; {ind_line}; unit: persons",
        "output": f"{release_line}；{ind_line}；{_tr(lang, '单位：亿元', 'unit: 100m yuan')}"
        if lang == "zh"
        else f"{release_line}; {ind_line}; unit: 100m yuan",
    }
    labels = {
        "no_data": _tr(lang, "无数据", "no data"),
        "suppressed": _tr(lang, "未公开", "not published"),
        "cities": _tr(lang, "的城市", ": cities"),
        "counties": _tr(lang, "的区县", ": counties"),
        "clusters": _tr(lang, "所在集群", "clusters"),
        "approval": _tr(lang, "审图号", "Map approval No."),
        "hint": _tr(lang, "点击省份查看其城市", "click a province to see its cities"),
        "measure": _tr(lang, "指标", "Measure"),
    }
    try:
        boundary = configured_boundary(env)
    except JiqunError as e:
        # a broken configuration must not take the pages down: the tile grid is drawn and the
        # map says why the boundaries are not
        boundary = None
        notes.append(_tr(lang, e.message_zh, e.message_en))
    rel = current_release(engine) if detail and boundary and "county" in boundary.levels() else None
    if rel is not None and 3 not in set((rel.get("stats") or {}).get("region_levels", (3,))):
        # the county choropleth is drawn, but only its cluster counts are published
        notes.append(
            _tr(
                lang,
                "区县的从业人员与产值不在公开数据中（公开数据只发布到地级市），区县只显示集群数",
                "county employment and output are not in the release (it goes down to "
                "prefecture level); counties show cluster counts only",
            )
        )
    return MapData(
        mode="geojson" if boundary else "tiles",
        tiles=tiles,
        points=points,
        measures=measures,
        selected=selected,
        highlight=highlight,
        basis=basis,
        synthetic=synthetic,
        approval=boundary.approval if boundary else None,
        levels=boundary.levels() if boundary else [],
        notes=notes,
        labels=labels,
        detail=detail,
    )
