"""Registry exports (企查查, 天眼查) read as ``enterprises`` and the exchanges' lists read as
``listed-companies`` (:mod:`jiqun.standard.reader.registry`).

The registry files are written by tests/data/make_registry.py in the documented layouts (no real
export is available). The exchange lists are real and read from ../shared/datasets/real_cn (or
$JIQUN_SHARED_DATASETS), never copied into the repository; those tests skip when they are absent.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from jiqun.standard.problems import JiqunError
from jiqun.standard.reader import read_table
from jiqun.standard.reader.registry import honour_tag, parse_capital, parse_term
from jiqun.standard.validate import validate_table

FILES = Path(__file__).resolve().parents[1] / "data" / "files"
QCC_HEADER = (
    "原文件导入名称,系统匹配企业名称,登记状态,统一社会信用代码,注册资本,成立日期,营业期限,"
    "所属省份,所属城市,所属区县,国标行业门类,国标行业大类,国标行业中类,国标行业小类,"
    "参保人数,参保人数所属年报,专精特新“小巨人”企业"
)
# a valid credit code of 苏州市虎丘区 (tests/data/make_registry.py)
USCC = "91320505MA1MKC0198"
ROW = (
    f"甲,甲公司,存续,{USCC},50万元,2020-01-02,2020-01-02 至 无固定期限,江苏省,苏州市,虎丘区,"
    "制造业,汽车制造业,汽车零部件及配件制造,汽车零部件及配件制造,120,2023年报,是"
)


def _write(tmp_path: Path, *lines: str, name: str = "qcc.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def _errors(res) -> list[tuple[int | None, str]]:
    return [(p.row, p.rule) for p in res.problems if p.severity == "error"]


# ---------------------------------------------------------------------------------------------
# cells
# ---------------------------------------------------------------------------------------------


def test_parse_capital_keeps_the_currency() -> None:
    assert parse_capital("50万元") == (50.0, "CNY")
    assert parse_capital("100万美元") == (100.0, "USD")
    assert parse_capital("1000万元人民币") == (1000.0, "CNY")
    assert parse_capital("2,000万港元") == (2000.0, "HKD")
    assert parse_capital("1.5亿元") == (15000.0, "CNY")
    assert parse_capital("500000元") == (50.0, "CNY")
    assert parse_capital("100万(美元)") == (100.0, "USD")
    assert parse_capital("100万卢布") is None  # a currency not in the list: refused, not guessed
    assert parse_capital("若干") is None


def test_parse_term() -> None:
    assert parse_term("2020-01-02 至 无固定期限") == ("2020-01-02", None, True)
    assert parse_term("2015-06-30至2045-06-29") == ("2015-06-30", "2045-06-29", False)
    assert parse_term("2015-06-30") is None


def test_honour_columns_are_tags() -> None:
    assert honour_tag("专精特新“小巨人”企业") == "little_giant"
    assert honour_tag('专精特新"小巨人"企业') == "little_giant"
    assert honour_tag("专精特新中小企业") == "srdi"
    assert honour_tag("高新技术企业") == "high_tech"
    assert honour_tag("法定代表人") is None


# ---------------------------------------------------------------------------------------------
# 企查查 and 天眼查 layouts
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["qichacha_batch_match.xlsx", "qichacha_batch_match.csv"])
def test_qichacha_export(name: str) -> None:
    raw = read_table(FILES / name, "enterprises")
    assert raw.layout is not None
    assert raw.layout["layout"] == "qichacha"
    assert raw.layout["skipped"] == "1"
    assert "曾用名" in raw.layout["ignored"] and "法定代表人" in raw.layout["ignored"]
    assert raw.layout["unmatched_industries"] == "锂电池制造"
    res = validate_table(raw)
    # row 4 (未匹配到相关企业) is skipped and reported with its row number
    assert list(res.rows) == [2, 3, 5, 6, 7]
    skipped = [p for p in res.problems if p.rule == "registry.unmatched"]
    assert [(p.row, p.severity, p.value) for p in skipped] == [
        (4, "warning", "苏州查无此企业有限公司")
    ]
    # row 5: an inexact class name is refused; row 7: the class is not in the division
    assert (5, "registry.industry_name") in _errors(res)
    assert (7, "registry.industry_conflict") in _errors(res)
    assert list(res.error_rows) == [False, False, True, False, True]
    r = res.records.set_index(res.rows)
    assert r.at[2, "industry_code"] == "3670" and r.at[3, "industry_code"] == "3982"
    assert r.at[6, "industry_code"] == "6513"
    # regions: 鼓楼区 looked up inside 南京市 (four 鼓楼区 in China); 上海市 as province and city
    assert r.at[2, "region_code"] == "320505"
    assert r.at[3, "region_code"] == "320106"
    assert r.at[6, "region_code"] == "310115"
    assert r.at[2, "status"] == "active" and r.at[3, "status"] == "active"
    assert r.at[5, "status"] == "cancelled" and r.at[6, "status"] == "revoked"
    assert (r.at[2, "registered_capital"], r.at[2, "registered_capital_currency"]) == (50, "CNY")
    assert (r.at[3, "registered_capital"], r.at[3, "registered_capital_currency"]) == (100, "USD")
    assert r.at[2, "operating_term_start"] == dt.date(2020, 1, 2)
    assert r.at[2, "operating_term_end"] is None  # 无固定期限
    assert r.at[3, "operating_term_end"] == dt.date(2045, 6, 29)  # the future is fine here
    assert r.at[2, "employees"] == 120 and r.at[2, "employees_year"] == 2023
    assert r.at[2, "tags"] == ["little_giant"] and r.at[6, "tags"] == ["srdi"]
    assert r.at[3, "tags"] is None  # `-`: empty, not an error
    assert any(p.rule == "registry.term_open" and p.row == 2 for p in res.problems)


def test_layout_message_names_the_same_clauses_in_both_languages() -> None:
    raw = read_table(FILES / "qichacha_batch_match.xlsx", "enterprises")
    (lay,) = [p for p in raw.problems if p.rule == "registry.layout"]
    assert (
        "；跳过未匹配行 1 行" in lay.message_zh and "; 1 unmatched rows skipped" in lay.message_en
    )
    assert "；未匹配的行业名称 锂电池制造" in lay.message_zh
    assert "; unmatched industry names 锂电池制造" in lay.message_en
    assert "；未导入的列 " in lay.message_zh and "; not imported: " in lay.message_en
    # no region name was left unmatched: that clause is absent in both
    assert "未匹配的地区名称" not in lay.message_zh
    assert "unmatched region names" not in lay.message_en


def test_tianyancha_export_gb18030() -> None:
    raw = read_table(FILES / "tianyancha_export.csv", "enterprises")
    assert raw.layout is not None and raw.layout["layout"] == "tianyancha"
    res = validate_table(raw)
    r = res.records.set_index(res.rows)
    # 东莞市 has no districts: the prefecture; 367 has one class, so the class is exact
    assert r.at[2, "region_code"] == "441900" and r.at[2, "industry_code"] == "3670"
    # 通州区 inside 南通市 (not Beijing's), 江苏 a short name (reported)
    assert r.at[3, "region_code"] == "320612" and r.at[3, "industry_code"] == "2720"
    assert any(p.rule == "region.name" and p.row == 3 for p in res.problems)
    assert r.at[3, "registered_capital_currency"] == "HKD"
    assert r.at[2, "status"] == "active" and r.at[3, "status"] == "active"
    # 电池制造 has several classes: the row is refused with a reason, nothing is guessed
    assert (4, "registry.industry_level") in _errors(res)
    assert list(res.error_rows) == [False, False, True]


def test_region_names_are_looked_up_inside_their_parent(tmp_path: Path) -> None:
    row = ROW.replace("虎丘区", "鼓楼区")  # no 鼓楼区 in 苏州市
    res = validate_table(read_table(_write(tmp_path, QCC_HEADER, row), "enterprises"))
    assert (2, "region.unknown") in _errors(res)
    assert res.records.at[0, "region_code"] is None
    assert "鼓楼区" in res.problems[-1].message_zh or any(
        "鼓楼区" in p.message_zh for p in res.problems if p.rule == "region.unknown"
    )


def test_industry_name_at_the_wrong_level_says_so(tmp_path: Path) -> None:
    # 汽车制造业 is a division name, written in the class column
    row = ROW.replace(
        ",汽车零部件及配件制造,汽车零部件及配件制造,", ",汽车零部件及配件制造,汽车制造业,"
    )
    res = validate_table(read_table(_write(tmp_path, QCC_HEADER, row), "enterprises"))
    bad = [p for p in res.problems if p.rule == "registry.industry_name"]
    assert len(bad) == 1 and "大类" in bad[0].message_zh and "division" in bad[0].message_en
    assert res.n_error_rows == 1


def test_honour_value_that_is_not_yes_or_no_is_an_error(tmp_path: Path) -> None:
    res = validate_table(
        read_table(_write(tmp_path, QCC_HEADER, ROW[: -len("是")] + "待定"), "enterprises")
    )
    assert (2, "registry.honour") in _errors(res)
    assert res.n_error_rows == 1


def test_reader_errors_reject_their_row(tmp_path: Path) -> None:
    # An honour cell the reader cannot read leaves every field valid: the row must still be
    # rejected (the validator once kept rows whose only error came from the reader).
    other = ROW.replace(USCC, "91320106MA1MKC027W")[: -len("是")] + "待定"
    res = validate_table(read_table(_write(tmp_path, QCC_HEADER, ROW, other), "enterprises"))
    assert [p.rule for p in res.problems if p.severity == "error"] == ["registry.honour"]
    assert list(res.error_rows) == [False, True]


def test_explicit_industry_code_column_wins(tmp_path: Path) -> None:
    header = QCC_HEADER + ",行业代码"
    row = ROW.replace(",汽车零部件及配件制造,汽车零部件及配件制造,", ",-,-,") + ",3670"
    res = validate_table(read_table(_write(tmp_path, header, row), "enterprises"))
    assert res.n_error_rows == 0
    assert res.records.at[0, "industry_code"] == "3670"


def test_capital_without_currency_is_an_error(tmp_path: Path) -> None:
    res = validate_table(
        read_table(_write(tmp_path, QCC_HEADER, ROW.replace("50万元", "50万卢布")), "enterprises")
    )
    assert (2, "registry.capital") in _errors(res)


def test_plain_enterprise_file_is_not_a_registry_export() -> None:
    raw = read_table(FILES / "enterprises_clean.csv", "enterprises")
    assert raw.layout is None
    assert validate_table(raw).n_error_rows == 0


def test_status_labels_in_a_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        f"统一社会信用代码,企业名称,所在地区代码,行业代码,登记状态\n{USCC},甲,320505,3670,在业\n",
        encoding="utf-8",
    )
    res = validate_table(read_table(path, "enterprises"))
    assert res.n_error_rows == 0 and res.records.at[0, "status"] == "active"


# ---------------------------------------------------------------------------------------------
# exchange lists
# ---------------------------------------------------------------------------------------------


def _listed(shared: Path, name: str) -> Path:
    path = shared / "real_cn" / "listed_companies" / name
    if not path.exists():
        pytest.skip(f"real exchange list not available: {path} (set JIQUN_SHARED_DATASETS)")
    return path


def test_sse_list_legacy_xls(shared_datasets_dir: Path) -> None:
    path = _listed(shared_datasets_dir, "sse_GPLIST.xls")
    raw = read_table(path, "listed-companies")
    assert raw.layout is not None and raw.layout["layout"] == "sse"
    res = validate_table(raw)
    assert res.n_rows == 1696 and res.n_error_rows == 0
    r = res.records.set_index("stock_code")
    assert r.at["600000", "short_name"] == "浦发银行"
    assert r.at["600000", "listed"] == dt.date(1999, 11, 10)
    assert r.at["600004", "short_name"] == "白云机场"
    assert r.at["605599", "short_name"] == "菜百股份"
    assert set(res.records.exchange) == {"sse"}
    assert set(res.records.board) == {"main"}  # the list holds the main board only
    # `-` is empty; the firms with B shares keep their B code
    assert res.records.b_stock_code.notna().sum() == 38
    assert r.at["600054", "b_stock_code"] == "900942" and r.at["600000", "b_stock_code"] is None
    assert res.records.stock_code.str.fullmatch(r"6\d{5}").all()


def test_szse_a_share_list(shared_datasets_dir: Path) -> None:
    path = _listed(shared_datasets_dir, "szse_A股列表.xlsx")
    raw = read_table(path, "listed-companies")
    assert raw.layout is not None and raw.layout["layout"] == "szse"
    assert "地      区" in raw.layout["ignored"]  # a header padded with spaces, recognised
    res = validate_table(raw)
    assert res.n_rows == 2875 and res.n_error_rows == 0
    r = res.records.set_index("stock_code")
    assert res.records.stock_code.str.fullmatch(r"\d{6}").all()
    assert r.at["000001", "short_name"] == "平安银行"
    assert r.at["000001", "region_code"] == "440300"  # 广东 + 深圳市
    assert r.at["000001", "total_shares"] == 19_405_918_198  # "19,405,918,198"
    assert r.at["000001", "csrc_industry"] == "J 金融业"
    assert r.at["000002", "short_name"] == "万 科A"  # full-width Ａ and padding normalised
    assert (r.at["300750", "short_name"], r.at["300750", "board"]) == ("宁德时代", "chinext")
    assert r.at["300750", "region_code"] == "350900"  # 宁德市
    assert r.at["002594", "short_name"] == "比亚迪"
    assert dict(res.records.board.value_counts()) == {"main": 1486, "chinext": 1389}
    assert (res.records.csrc_industry == "C 制造业").sum() == 2008
    # 湖北省直辖县级行政区划 and the like: the province's directly administered counties
    assert (res.records.region_code.str[2:] == "9000").sum() == 6


def test_exchange_list_is_not_an_enterprise_file(shared_datasets_dir: Path) -> None:
    path = _listed(shared_datasets_dir, "sse_GPLIST.xls")
    with pytest.raises(JiqunError) as e:
        read_table(path, "enterprises")
    assert e.value.problems[-1].rule == "registry.kind"
    assert "listed-companies" in e.value.message_en


def test_listed_companies_unknown_city_rejects_the_row(tmp_path: Path) -> None:
    path = tmp_path / "szse.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["板块", "公司全称", "A股代码", "A股简称", "省    份", "城     市"])
        w.writerow(["主板", "甲股份有限公司", "1", "甲", "广东", "深圳市"])
        w.writerow(["主板", "乙股份有限公司", "2", "乙", "广东", "不存在市"])
    res = validate_table(read_table(path, "listed-companies"))
    assert list(res.records.stock_code) == ["000001", "000002"]
    assert list(res.error_rows) == [False, True]
    assert (3, "region.unknown") in _errors(res)


def test_own_firm_list_that_looks_like_an_export_loses_no_column(tmp_path: Path) -> None:
    # 企业名称 + 统一社会信用代码 + 经营状态 + 营业期限 is the 天眼查 signature; the standard's own
    # columns of such a list (codes, revenue with its unit, tags) are still read.
    path = _write(
        tmp_path,
        "企业名称,统一社会信用代码,经营状态,营业期限,所在地区代码,行业代码,营业收入（亿元）,企业标签",
        f"甲公司,{USCC},在业,2020-01-02至无固定期限,320505,3670,1.5,高新技术企业",
    )
    raw = read_table(path, "enterprises")
    assert raw.layout is not None and raw.layout["ignored"] == ""
    res = validate_table(raw)
    assert res.n_error_rows == 0
    rec = res.records.iloc[0]
    assert (rec.region_code, rec.industry_code, rec.status) == ("320505", "3670", "active")
    assert rec.revenue == 15000.0  # 1.5 亿元 in 万元
    assert rec.tags == ["high_tech"]


def test_industry_name_of_two_codes_is_refused(tmp_path: Path, monkeypatch) -> None:
    # No name repeats within a level of GB/T 4754-2017; should a code list ever repeat one, the
    # row is refused naming both codes instead of taking either.
    from jiqun.standard.reader import registry

    real = registry._industry_by_level()
    twice = {lv: dict(d) for lv, d in real.items()}
    twice[4]["汽车零部件及配件制造"] = ("3670", "3679")
    monkeypatch.setattr(registry, "_industry_by_level", lambda: twice)
    res = validate_table(read_table(_write(tmp_path, QCC_HEADER, ROW), "enterprises"))
    bad = [p for p in res.problems if p.rule == "registry.industry_ambiguous"]
    assert len(bad) == 1 and "3670" in bad[0].message_zh and "3679" in bad[0].message_en
    assert res.n_error_rows == 1


def test_listed_companies_plain_file_stock_codes(tmp_path: Path) -> None:
    path = tmp_path / "listed.csv"
    path.write_text(
        "证券代码,交易所,证券简称\n600000,sse,浦发银行\n1,szse,平安银行\n60000X,sse,坏代码\n",
        encoding="utf-8",
    )
    res = validate_table(read_table(path, "listed-companies"))
    assert list(res.records.stock_code) == ["600000", "000001", None]
    assert (4, "stock_code.format") in _errors(res)
    assert any(p.rule == "stock_code.padded" and p.row == 3 for p in res.problems)
    assert list(res.error_rows) == [False, False, True]
