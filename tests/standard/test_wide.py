"""Wide statistical tables (NBS portal exports, yearbook tables, WPS .xls) read as region-stats.

The real files are read from ../shared/datasets/real_cn (or $JIQUN_SHARED_DATASETS) and never
copied into the repository; each test skips with its reason when its file is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jiqun.errors import JiqunError
from jiqun.standard.reader import read_table
from jiqun.standard.reader.wide import detect_wide, match_measure, match_region
from jiqun.standard.schema import NATION_CODE, TOTAL_INDUSTRY
from jiqun.standard.validate import validate_table


def _shared() -> Path:
    env = os.environ.get("JIQUN_SHARED_DATASETS")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "datasets"


NBS = _shared() / "real_cn" / "nbs_exports_gbk"


def _need(name: str) -> Path:
    path = NBS / name
    if not path.exists():
        pytest.skip(f"real NBS export not available: {path} (set JIQUN_SHARED_DATASETS)")
    return path


def _value(res, region: str, year: int, measure: str) -> float:
    r = res.records
    hit = r[(r.region_code == region) & (r.year == year) & (r.measure == measure)]
    assert len(hit) == 1, hit
    return float(hit.value.iloc[0])


# ---------------------------------------------------------------------------------------------
# real files
# ---------------------------------------------------------------------------------------------


def test_nbs_gdp_export_gbk() -> None:
    path = _need("分省年度数据_地区生产总值.csv")
    raw = read_table(path, "region-stats")
    assert raw.layout is not None
    assert raw.layout["measure"] == "gdp" and raw.layout["unit"] == "亿元"
    assert raw.layout["regions"] == "31" and raw.layout["years"].startswith("2006–2024")
    res = validate_table(raw)
    assert res.n_error_rows == 0
    # 新疆 2024: 20492.4 亿元 as published, stored in the canonical 万元.
    assert _value(res, "650000", 2024, "gdp") == pytest.approx(20492.4 * 1e4)
    assert set(res.records.industry_code) == {TOTAL_INDUSTRY}
    assert set(res.records.unit) == {"万元"}
    footer = [p for p in res.problems if p.rule == "wide.footer"]
    assert [p.row for p in footer] == [36, 37]
    assert [p.row for p in res.problems if p.rule == "wide.title"] == [1, 2, 3]
    assert set(res.records.source) == {"国家统计局"}


def test_nbs_employment_export_footer_and_people_unit() -> None:
    path = _need("分省年度数据_城镇单位就业人员.csv")
    res = validate_table(read_table(path, "region-stats"))
    assert res.n_error_rows == 0
    # 北京 2024: 763.6 万人 -> persons; 2025 and 2006/2007 are empty cells, not zeros.
    assert _value(res, "110000", 2024, "urban_unit_employment") == pytest.approx(7_636_000)
    assert not (res.records.year == 2025).any()
    # the 注： footer: three lines (two indented with U+3000) and the source line
    assert len([p for p in res.problems if p.rule == "wide.footer"]) == 4


def test_nbs_growth_rate_export_refused() -> None:
    path = _need("分省年度数据_固定资产投资到位资金增速.csv")
    with pytest.raises(JiqunError) as e:
        read_table(path, "region-stats")
    assert any(p.rule == "wide.rate" for p in e.value.problems)


def test_wps_xls_stacked_blocks() -> None:
    path = _need("一般公共预算等.xls")
    raw = read_table(path, "region-stats")
    res = validate_table(raw)
    rec = res.records
    ok = rec[~res.error_rows]
    assert set(ok.measure) == {"public_budget_expenditure"}
    assert ok.region_code.nunique() == 31
    # the trailing "i" artefact is reported once per block, not per row
    assert len([p for p in raw.problems if p.rule == "wide.artefact"]) == 2
    # 财政支出 is not a measure of the standard: its rows are refused, each naming the value
    refused = [p for p in res.problems if p.rule == "measure.choice"]
    assert refused and all(p.value == "财政支出" for p in refused)


def test_national_utf8_file_is_not_a_table_of_regions() -> None:
    path = _need("年度数据_全国_utf8无BOM.csv")
    assert not detect_wide(path)


# ---------------------------------------------------------------------------------------------
# hand-made yearbook shapes
# ---------------------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def test_yearbook_two_row_header_units_in_title(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "表3-9 各地区生产总值（单位：亿元）\n"
        "地区,地区生产总值,,第一产业\n"
        ",2022,2023,2023\n"
        "全国,1204724.0,1260582.1,89755.2\n"
        "内蒙古,23158.6,24627.0,2737.4\n"
        "广西,26300.9,27202.4,4468.2\n"
        "资料来源：中国统计年鉴2024\n",
    )
    raw = read_table(path, "region-stats")
    res = validate_table(raw)
    assert res.n_error_rows == 0
    assert _value(res, NATION_CODE, 2023, "gdp") == pytest.approx(1260582.1e4)
    assert _value(res, "150000", 2022, "gdp") == pytest.approx(23158.6e4)
    assert _value(res, "450000", 2023, "va_primary") == pytest.approx(4468.2e4)
    assert set(res.records.source) == {"中国统计年鉴2024"}
    short = [p for p in res.problems if p.rule == "region.name"]
    assert {p.value for p in short} == {"内蒙古", "广西"}


def test_yearbook_measures_across_year_in_title(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "2023年各地区生产总值构成\n"
        "地区,第一产业(亿元),第二产业(亿元),第三产业(亿元)\n"
        "北京市,105.5,6525.6,36722.6\n"
        "新疆维吾尔自治区,2742.6,7625.4,8870.3\n",
        encoding="gb18030",
    )
    res = validate_table(read_table(path, "region-stats"))
    assert res.n_error_rows == 0
    assert set(res.records.year) == {2023}
    assert _value(res, "650000", 2023, "va_secondary") == pytest.approx(7625.4e4)
    assert _value(res, "110000", 2023, "va_tertiary") == pytest.approx(36722.6e4)


def test_ambiguous_and_unknown_region_names_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "指标：地区生产总值(亿元)\n"
        "地区,2023年\n"
        "苏州,24653.4\n"
        "吉林,1700.0\n"
        "朝阳区,8000.0\n"
        "襄樊市,5842.9\n"
        "不存在市,1.0\n",
    )
    raw = read_table(path, "region-stats")
    errs = {p.row: p for p in raw.problems if p.is_error}
    assert errs[4].rule == "region.ambiguous" and "220000" in errs[4].message_zh
    assert "220200" in errs[4].message_en and errs[4].value == "吉林"
    assert errs[5].rule == "region.ambiguous" and errs[5].column == "region_code"
    assert errs[7].rule == "region.unknown"
    res = validate_table(raw)
    rec = res.records
    assert rec.loc[0, "region_code"] == "320500"  # 苏州 -> 苏州市
    assert rec.loc[3, "region_code"] == "420600"  # 襄樊市 renamed 襄阳市 in 2010
    assert res.error_rows.tolist() == [False, True, True, False, True]


def test_short_name_fitting_province_and_city_in_a_table_of_provinces(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "指标：城镇单位就业人员(万人)\n地区,2024年\n辽宁,443.6\n吉林,240.6\n黑龙江,292.2\n",
    )
    res = validate_table(read_table(path, "region-stats"))
    assert res.n_error_rows == 0
    assert list(res.records.region_code) == ["210000", "220000", "230000"]


def test_long_region_stats_file_still_read_as_long(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "地区代码,行业代码,年份,指标,数值,单位\n320500,C,2023,output,10,万元\n"
        "320500,_T,2023,gdp,2.4,亿元\n100000,合计,2023,gdp,1260582.1,亿元\n"
        "320500,_T,2023,urban_unit_employment,300.5,万人\n",
    )
    assert not detect_wide(path)
    res = validate_table(read_table(path, "region-stats"))
    assert res.n_error_rows == 0
    rec = res.records
    assert list(rec.industry_code) == ["C", TOTAL_INDUSTRY, TOTAL_INDUSTRY, TOTAL_INDUSTRY]
    assert list(rec.region_code) == ["320500", "320500", NATION_CODE, "320500"]
    assert rec.loc[3, "value"] == pytest.approx(3_005_000) and rec.loc[3, "unit"] == "人"


def test_total_and_nation_codes_only_in_region_stats(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "统一社会信用代码,企业名称,所在地区代码,行业代码\n91320214MA1MXXXX0X,示例公司,100000,_T\n",
    )
    res = validate_table(read_table(path, "enterprises", allow_unknown_columns=True))
    rules = {p.rule for p in res.problems if p.is_error}
    assert "region.exists" in rules or "region.format" in rules
    assert any(p.column in ("industry_code", "行业代码") for p in res.problems if p.is_error)


def test_cli_validate_says_what_it_understood(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from jiqun.cli.app import app

    monkeypatch.setenv("JIQUN_DATABASE_URL", f"sqlite:///{tmp_path / 'v.sqlite3'}")
    path = _write(
        tmp_path,
        "指标：地区生产总值(亿元)\n地区,2024年,2023年\n新疆,20492.4,19603.3\n宁夏,5520.2,\n",
        encoding="gb18030",
    )
    out = CliRunner().invoke(app, ["validate", "region-stats", str(path)])
    assert out.exit_code == 0, out.output
    said = " ".join(out.output.split())  # the console wraps long lines
    assert "measure gdp" in said and "2 regions" in said
    assert "2023–2024" in said and "3 values" in said


def test_match_helpers() -> None:
    assert match_region("新疆").code == "650000"
    assert match_region("内蒙古自治区").how == "official"
    assert match_region("全国").code == NATION_CODE
    assert match_region("吉林").code is None
    assert match_measure("地区生产总值(亿元)") == "gdp"
    assert match_measure("城镇单位就业人员(万人)") == "urban_unit_employment"
    assert match_measure("人口") is None


def test_measure_unit_year_from_flags_when_the_file_is_silent(tmp_path: Path) -> None:
    path = _write(tmp_path, "地区,第一产业\n河北省,4466.2\n宁夏,308.1\n")
    silent = validate_table(read_table(path, "region-stats"))
    assert silent.n_error_rows == 2  # no year, no unit: nothing is guessed
    res = validate_table(read_table(path, "region-stats", unit="亿元", year=2023))
    assert res.n_error_rows == 0
    assert _value(res, "640000", 2023, "va_primary") == pytest.approx(308.1e4)
    path2 = _write(tmp_path, "地区,2023年\n河北省,43944.1\n", name="t2.csv")
    res2 = validate_table(read_table(path2, "region-stats", measure="地区生产总值", unit="亿元"))
    assert res2.n_error_rows == 0
    assert _value(res2, "130000", 2023, "gdp") == pytest.approx(43944.1e4)


def test_yearbook_industries_across_by_name(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "2023年各地区规模以上工业营业收入（单位：亿元）\n"
        "地区,制造业,采矿业,电力、热力、燃气及水生产和供应业\n"
        "江苏省,150000.5,300.2,9000.1\n"
        "浙江省,100000.1,100.0,\n",
    )
    res = validate_table(read_table(path, "region-stats", measure="营业收入"))
    assert res.n_error_rows == 0
    rec = res.records
    assert list(rec.industry_code) == ["C", "B", "D", "C", "B"]
    assert set(rec.year) == {2023} and set(rec.measure) == {"revenue"}
    assert rec.loc[1, "value"] == pytest.approx(300.2e4)


def test_xlsx_wide_table_with_flags(tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "gdp.xlsx"
    pd.DataFrame({"地区": ["北京市", "西藏"], "2023年": [47353.7, 2532.9]}).to_excel(
        path, index=False
    )
    res = validate_table(read_table(path, "region-stats", measure="gdp", unit="亿元"))
    assert res.n_error_rows == 0
    assert _value(res, "540000", 2023, "gdp") == pytest.approx(2532.9e4)
