"""Generate the reader test corpus in ``tests/data/files/`` (deterministic; run from the repo root).

    uv run python tests/data/make_corpus.py

Every file imitates a spreadsheet a government office would send: title rows, 填报单位 rows,
merged two-row headers, 注/数据来源 footers, GBK encoding, full-width characters, totals.
The data is illustrative (模拟数据): the firm names are invented, the credit codes carry a valid
GB 32100 check character, the region codes (GB/T 2260) and industry classes (GB/T 4754-2017)
are real. Each file stays well below 20 KB.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font

OUT = Path(__file__).resolve().parent / "files"

_CS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(prefix8: str, org8: str) -> str:
    """A credit code from its first 8 characters (authority, category, region) and the
    8-character organisation code body: adds the GB 11714 check character of the organisation
    code (position 17) and the GB 32100-2015 check character (position 18)."""
    v = [int(c) if c.isdigit() else ord(c) - 55 for c in org8]
    r = 11 - sum(a * w for a, w in zip(v, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    body = prefix8 + org8 + {10: "X", 11: "0"}.get(r, str(r))
    assert len(body) == 17 and all(c in _CS for c in body), body
    s = sum(_CS.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + _CS[(31 - s % 31) % 31]


# (uscc, 企业名称, region, industry, founded, employees, revenue 万元, tags)
assert uscc("91370000", "72861193") == "91370000728611939A"

FIRMS = [
    (
        "91370000728611939A",
        "山东示例集成电路有限公司",
        "320214",
        "3973",
        "2001-05-18",
        "860",
        "125000.5",
        "高新技术企业",
    ),
    (
        "91110108551385082Q",
        "北京示例锂电科技有限公司",
        "440300",
        "3841",
        "2010-03-02",
        "420",
        "38000",
        "专精特新;高新技术企业",
    ),
    (
        "912201011239989159",
        "长春示例机器人股份有限公司",
        "310115",
        "3491",
        "1998-11-30",
        "1250",
        "210000",
        "专精特新“小巨人”",
    ),
    (
        uscc("91320214", "MA1NA001"),
        "无锡示例药业有限公司",
        "320200",
        "2720",
        "2015-07-01",
        "95",
        "6800.25",
        "",
    ),
    (
        uscc("91320214", "MA1NB002"),
        "无锡示例林木种苗有限公司",
        "320214",
        "0211",
        "2018-01-15",
        "12",
        "350",
        "",
    ),
]

EN_HEADER = [
    "uscc",
    "name",
    "region_code",
    "industry_code",
    "founded",
    "employees",
    "revenue",
    "tags",
]
ZH_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "所在地区代码",
    "行业代码",
    "成立日期",
    "从业人员",
    "营业收入（万元）",
    "企业标签",
]


def _csv_text(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerows(rows)
    return buf.getvalue()


def _write(name: str, text: str, encoding: str = "utf-8") -> None:
    (OUT / name).write_bytes(text.encode(encoding))


_FIXED = dt.datetime(2024, 1, 1)


def _save_xlsx(
    wb: openpyxl.Workbook, name: str, patch: list[tuple[str, str, str]] | None = None
) -> None:
    """Save with fixed timestamps (reproducible bytes); ``patch``: (member, regex, replacement)."""
    wb.properties.creator = "jiqun test corpus"
    wb.properties.created = _FIXED
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-01-01T00:00:00Z", data)
            for member, pat, rep in patch or []:
                if member == info.filename:
                    data, k = re.subn(pat.encode(), rep.encode(), data)
                    assert k, (name, member, pat)
            zi = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    (OUT / name).write_bytes(out.getvalue())


def make_csvs() -> None:
    # 1. clean UTF-8 (no BOM) with the canonical English headers
    _write("enterprises_clean.csv", _csv_text([EN_HEADER, *[list(f) for f in FIRMS]]))

    # 2. UTF-8 with BOM (Excel "CSV UTF-8"), Chinese headers, CRLF line ends
    _write(
        "enterprises_bom_zh.csv",
        _csv_text([ZH_HEADER, *[list(f) for f in FIRMS]], newline="\r\n"),
        "utf-8-sig",
    )

    # 3. GBK (Excel "CSV" on a Chinese Windows), Chinese headers, a title row
    rows = [["2023年规上工业企业名录"], ZH_HEADER, *[list(f) for f in FIRMS]]
    _write("enterprises_gbk.csv", _csv_text(rows, newline="\r\n"), "gbk")

    # 4. GB18030 with characters outside GBK (𠀀 U+20000 is 4 bytes in GB18030; 䶮 U+4DAE)
    rows = [ZH_HEADER, list(FIRMS[0])]
    f = list(FIRMS[3])
    f[1] = "无锡𠀀䶮示例生物科技有限公司"
    rows.append(f)
    _write("enterprises_gb18030_rare.csv", _csv_text(rows), "gb18030")

    # 5. full-width letters/digits and NBSP in headers and cells
    header = ["ＵＳＣＣ", "企业\u00a0名称", " 所在地区代码\u3000", "行业代码＊", "营业收入（万元）"]
    rows = [header]
    for f in FIRMS[:3]:
        rows.append(
            [
                f[0].translate(
                    str.maketrans(
                        "0123456789ABCDEFGHJKLMNPQRTUWXY",
                        "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ",
                    )
                ),
                f[1] + "\u00a0",
                "\u00a0" + f[2],
                "３９７３",
                f[6],
            ]
        )
    _write("enterprises_fullwidth.csv", _csv_text(rows))

    # 6. thousands separators, unit 万元 in the header
    rows = [
        [
            "统一社会信用代码",
            "企业名称",
            "所在地区代码",
            "行业代码",
            "营业收入（万元）",
            "从业人员（人）",
        ]
    ]
    for f, rev in zip(FIRMS, ["125,000.50", "38,000", "210,000", "6,800.25", "350"], strict=True):
        rows.append([f[0], f[1], f[2], f[3], rev, f[5]])
    _write("enterprises_thousands_wanyuan.csv", _csv_text(rows))

    # 7. unit 亿元 in the header
    rows = [["统一社会信用代码", "企业名称", "所在地区代码", "行业代码", "营业收入(亿元)"]]
    for f, rev in zip(FIRMS, ["12.50", "3.8", "21", "0.68", "0.035"], strict=True):
        rows.append([f[0], f[1], f[2], f[3], rev])
    _write("enterprises_yiyuan.csv", _csv_text(rows))

    # 8. empty file (0 bytes) and a header-only file
    _write("empty.csv", "")
    _write("header_only.csv", _csv_text([ZH_HEADER]))

    # 9. an unknown column 联系人电话, and a file missing the required 统一社会信用代码
    rows = [["统一社会信用代码", "企业名称", "所在地区代码", "行业代码", "联系人电话"]]
    rows += [[f[0], f[1], f[2], f[3], "0510-8123456" + str(i)] for i, f in enumerate(FIRMS[:3])]
    _write("unknown_column.csv", _csv_text(rows))
    rows = [["企业名称", "所在地区代码", "行业代码", "营业收入（万元）"]]
    rows += [[f[1], f[2], f[3], f[6]] for f in FIRMS[:3]]
    _write("missing_uscc.csv", _csv_text(rows))

    # 10. a 合计 row at the end (and NA/空 literals that must stay text)
    rows = [
        [
            "序号",
            "统一社会信用代码",
            "企业名称",
            "所在地区代码",
            "行业代码",
            "营业收入（万元）",
            "企业标签",
            "备注",
        ]
    ]
    rows += [
        [str(i + 1), f[0], f[1], f[2], f[3], f[6], ["NA", "", "N/A"][i], "见附件"]
        for i, f in enumerate(FIRMS[:3])
    ]
    rows.append(["合计", "", "", "", "", "373000.5", "", ""])
    _write("total_row.csv", _csv_text(rows))

    # 11. tab-separated
    _write("enterprises.tsv", _csv_text([ZH_HEADER, *[list(f) for f in FIRMS]], delimiter="\t"))

    # 12. quoted values spanning lines, blank rows in the middle and at the end
    rows = [["统一社会信用代码", "企业名称", "所在地区代码", "行业代码", "注册地址"]]
    rows.append([FIRMS[0][0], FIRMS[0][1], FIRMS[0][2], FIRMS[0][3], "无锡市新吴区\n长江路1号"])
    rows.append([])
    rows.append([FIRMS[1][0], FIRMS[1][1], FIRMS[1][2], FIRMS[1][3], "深圳市南山区"])
    rows.append(
        [FIRMS[2][0], FIRMS[2][1], FIRMS[2][2], FIRMS[2][3], "上海市浦东新区\n张江路2号\n3幢"]
    )
    rows.append([FIRMS[3][0], FIRMS[3][1], FIRMS[3][2], FIRMS[3][3], "无锡市"])
    text = _csv_text(rows) + "\n\n"
    _write("quoted_newlines.csv", text)

    # 13. semicolon-separated with full-width commas inside the cells
    rows = [["统一社会信用代码", "企业名称", "所在地区代码", "行业代码", "经营范围"]]
    rows += [[f[0], f[1], f[2], f[3], "集成电路设计，制造，销售"] for f in FIRMS[:2]]
    _write("semicolon.csv", _csv_text(rows, delimiter=";"))

    # 14. duplicated headers mapping to the same field
    rows = [["统一社会信用代码", "企业名称", "所在地区代码", "行业代码", "信用代码"]]
    rows += [[f[0], f[1], f[2], f[3], f[0]] for f in FIRMS[:2]]
    _write("duplicate_header.csv", _csv_text(rows))

    # 15. region-stats, long format, Chinese headers, a title and a 数据来源 footer
    rows = [
        ["2022年无锡市分行业主要经济指标"],
        ["地区代码", "行业代码", "年份", "指标", "数值", "单位", "数据来源"],
        ["320200", "3973", "2022", "营业收入", "12345.6", "亿元", "无锡统计年鉴2023"],
        ["320200", "3973", "2022", "从业人员", "86000", "人", "无锡统计年鉴2023"],
        ["320214", "3841", "2022", "工业总产值", "456.7", "亿元", "无锡统计年鉴2023"],
        ["320214", "C", "2022", "企业数", "1234", "家", "无锡统计年鉴2023"],
        ["数据来源：无锡市统计局"],
    ]
    _write("region_stats_long.csv", _csv_text(rows))

    # 16. supply-links
    rows = [["供应商信用代码", "采购方信用代码", "年份", "采购金额（万元）", "投入品类别", "产品"]]
    rows.append([FIRMS[0][0], FIRMS[1][0], "2023", "1,200", "3973", "电池管理芯片"])
    rows.append([FIRMS[1][0], FIRMS[2][0], "2023", "560", "3841", "锂离子电池模组"])
    rows.append([FIRMS[3][0], FIRMS[2][0], "2022", "75.5", "2720", ""])
    _write("supply_links.csv", _csv_text(rows))

    # 17. UTF-16 tab-separated text (Excel "Unicode text" export)
    _write(
        "enterprises_utf16.txt",
        "\ufeff" + _csv_text([ZH_HEADER, *[list(f) for f in FIRMS[:2]]], "\t", "\r\n"),
        "utf-16-le",
    )


def make_xlsx() -> None:
    # 1. title, 填报单位, blank row, merged two-row header, data, blank, 注： and 数据来源 footers
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = "2023年规上工业企业名录"
    ws.merge_cells("A1:I1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws["A2"] = "填报单位：无锡市新吴区工业和信息化局"
    ws["G2"] = "单位：万元、人"
    # row 3 blank; header in rows 4-5
    upper = [
        "序号",
        "统一社会信用代码*",
        "企业\n名称",
        "所在地区代码",
        "行业代码",
        "经营指标",
        None,
        None,
        "备注",
    ]
    lower = [None, None, None, None, None, "营业收入（万元）", "从业人员", "研发费用（万元）", None]
    for j, v in enumerate(upper, start=1):
        ws.cell(4, j, v)
    for j, v in enumerate(lower, start=1):
        if v is not None:
            ws.cell(5, j, v)
    for col in "ABCDEI":
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("F4:H4")
    data = [
        (1, FIRMS[0][0], FIRMS[0][1], "320214", "3973", 125000.5, 860, 9800, ""),
        (2, FIRMS[1][0], FIRMS[1][1], "440300", "3841", 38000, 420, 2100, "省级专精特新"),
        (3, FIRMS[2][0], FIRMS[2][1], "310115", "3491", 210000, 1250, 15000, None),
        (4, FIRMS[3][0], FIRMS[3][1], "320200", "2720", 6800.25, 95, None, None),
    ]
    for i, row in enumerate(data, start=6):
        for j, v in enumerate(row, start=1):
            ws.cell(i, j, v)
    # row 10 blank
    ws["A11"] = "注：1. 规上工业企业指年主营业务收入2000万元及以上的工业法人单位。"
    ws.merge_cells("A11:I11")
    ws["A12"] = "数据来源：无锡市统计局"
    _save_xlsx(wb, "enterprises_messy.xlsx")

    # 2. two sheets: instructions first, data on the second ("企业名录")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填报说明"
    ws["A1"] = "填报说明"
    ws["A2"] = "1. 统一社会信用代码填写18位代码。"
    ws["A3"] = "2. 金额单位：万元。"
    ws2 = wb.create_sheet("企业名录")
    ws2.append(ZH_HEADER)
    for f in FIRMS[:3]:
        ws2.append(list(f))
    _save_xlsx(wb, "enterprises_two_sheets.xlsx")

    # 3. numeric codes, an Excel date and an Excel serial-number date
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "企业"
    ws.append(
        ["统一社会信用代码", "企业名称", "所在地区代码", "行业代码", "成立日期", "营业收入（万元）"]
    )
    ws.append([FIRMS[4][0], FIRMS[4][1], 320214.0, 211, dt.datetime(2018, 1, 15), 350])
    ws.append([FIRMS[0][0], FIRMS[0][1], 320214, 3973, 37029, 125000.5])  # 37029 = 2001-05-18
    ws.append([FIRMS[1][0], FIRMS[1][1], "440300", "3841", "2010-03-02", "38,000"])
    ws["E2"].number_format = "yyyy-mm-dd"
    ws["E3"].number_format = "General"
    ws["G1"] = "工业总产值"
    ws["G2"] = "=F2*2"  # a formula with a cached value (700), as Excel saves it
    ws["G3"] = "=F3/0"  # a formula whose cached value is an Excel error
    sheet = "xl/worksheets/sheet1.xml"
    # store 320214.0 as written by a tool that keeps the decimal point, and the formula's cache
    patch = [
        (sheet, r'(<c r="C2"[^>]*><v>)320214(</v>)', r"\g<1>320214.0\g<2>"),
        (sheet, r"(<f>F2\*2</f>)<v ?/>", r"\g<1><v>700</v>"),
        (sheet, r'<c r="G3"><f>F3/0</f><v ?/>', r'<c r="G3" t="e"><f>F3/0</f><v>#DIV/0!</v>'),
    ]
    _save_xlsx(wb, "enterprises_numeric_codes.xlsx", patch)


def make_parquet() -> None:
    df = pd.DataFrame([list(f) for f in FIRMS], columns=ZH_HEADER)
    df["从业人员"] = df["从业人员"].astype("int64")
    df.to_parquet(OUT / "enterprises.parquet", index=False, compression="zstd")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    make_csvs()
    make_xlsx()
    make_parquet()
    for p in sorted(OUT.iterdir()):
        assert p.stat().st_size < 20_000, p
        print(f"{p.stat().st_size:7d}  {p.name}")


if __name__ == "__main__":
    main()
