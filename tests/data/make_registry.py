"""Generate the registry-export test files in ``tests/data/files/`` (deterministic; run from the
repo root).

    uv run python tests/data/make_registry.py

No real 企查查 or 天眼查 export is available, so these imitate the column layouts and conventions
documented in docs/data-standard.md (section "Registry exports and exchange lists"): ``-`` for
empty, ``未匹配到相关企业`` rows, 注册资本 ``50万元`` / ``100万美元``, 营业期限 ``… 至 无固定期限``,
国标行业 names, 所属省份/城市/区县 names, honour columns. The firms are invented (模拟数据); the
credit codes carry valid check characters; the industry and region names are the official ones
except where a row is meant to fail (noted in ``EXPECTED`` of tests/standard/test_registry.py).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import uscc

OUT = Path(__file__).resolve().parent / "files"

QCC_HEADER = [
    "原文件导入名称",
    "系统匹配企业名称",
    "登记状态",
    "统一社会信用代码",
    "法定代表人",
    "企业规模",
    "注册资本",
    "实缴资本",
    "成立日期",
    "营业期限",
    "企业地址",
    "所属省份",
    "所属城市",
    "所属区县",
    "电话",
    "更多电话",
    "邮箱",
    "更多邮箱",
    "国标行业门类",
    "国标行业大类",
    "国标行业中类",
    "国标行业小类",
    "企查查行业门类",
    "企查查行业大类",
    "曾用名",
    "参保人数",
    "参保人数所属年报",
    "最新年报年份",
    "通信地址",
    "专精特新“小巨人”企业",
    "专精特新中小企业",
]


def _qcc(
    asked: str,
    name: str,
    status: str,
    code: str,
    capital: str,
    founded: str,
    term: str,
    where: tuple[str, str, str],
    industry: tuple[str, str, str, str],
    insured: str,
    insured_year: str,
    giant: str,
    srdi: str,
) -> list[str]:
    return [
        asked,
        name,
        status,
        code,
        "张三",
        "S(小型)",
        capital,
        "-",
        founded,
        term,
        f"{''.join(where)}模拟路1号",
        *where,
        "0512-12345678",
        "0512-12345679;0512-12345670",
        "-",
        "-",
        *industry,
        "制造业",
        "-",
        "苏州某旧名有限公司,\n苏州另一旧名有限公司",
        insured,
        insured_year,
        "2023",
        "-",
        giant,
        srdi,
    ]


QCC_ROWS = [
    # row 2: 存续 with its bracketed synonyms, 50万元, open-ended term, full industry path, honours
    _qcc(
        "苏州模拟汽车部件有限公司",
        "苏州模拟汽车部件有限公司",
        "存续（在营、开业、在册）",
        uscc("91320505", "MA1MKC01"),
        "50万元",
        "2020-01-02",
        "2020-01-02 至 无固定期限",
        ("江苏省", "苏州市", "虎丘区"),
        ("制造业", "汽车制造业", "汽车零部件及配件制造", "汽车零部件及配件制造"),
        "120",
        "2023年报",
        "是",
        "否",
    ),
    # row 3: 在业, 100万美元, 鼓楼区 (four in China) inside 南京市
    _qcc(
        "南京模拟电路有限公司",
        "南京模拟电路有限公司",
        "在业",
        uscc("91320106", "MA1MKC02"),
        "100万美元",
        "2015-06-30",
        "2015-06-30 至 2045-06-29",
        ("江苏省", "南京市", "鼓楼区"),
        (
            "制造业",
            "计算机、通信和其他电子设备制造业",
            "电子元件及电子专用材料制造",
            "电子电路制造",
        ),
        "-",
        "-",
        "-",
        "-",
    ),
    # row 4: a name the service could not match
    ["苏州查无此企业有限公司", "未匹配到相关企业", *(["-"] * (len(QCC_HEADER) - 2))],
    # row 5: 国标行业小类 not an exact GB/T 4754-2017 name (锂离子电池制造 is): refused, not guessed
    _qcc(
        "深圳模拟电池有限公司",
        "深圳模拟电池有限公司",
        "注销",
        uscc("91440305", "MA5MKC03"),
        "1000万元人民币",
        "2012-03-15",
        "2012-03-15 至 2032-03-14",
        ("广东省", "深圳市", "南山区"),
        ("制造业", "电气机械和器材制造业", "电池制造", "锂电池制造"),
        "35",
        "2022年报",
        "否",
        "否",
    ),
    # row 6: 上海市 as province and city, 吊销, software, 专精特新中小企业
    _qcc(
        "上海模拟软件有限公司",
        "上海模拟软件有限公司",
        "吊销",
        uscc("91310115", "MA1MKC04"),
        "500万元",
        "2010-09-09",
        "2010-09-09 至 2030-09-08",
        ("上海市", "上海市", "浦东新区"),
        ("信息传输、软件和信息技术服务业", "软件和信息技术服务业", "软件开发", "应用软件开发"),
        "8",
        "2023年报",
        "否",
        "是",
    ),
    # row 7: the class is not inside the division
    _qcc(
        "南通模拟混合有限公司",
        "南通模拟混合有限公司",
        "存续",
        uscc("91320612", "MA1MKC05"),
        "200万元",
        "2019-05-05",
        "2019-05-05 至 无固定期限",
        ("江苏省", "南通市", "通州区"),
        ("制造业", "汽车制造业", "汽车零部件及配件制造", "电子电路制造"),
        "15",
        "2023年报",
        "否",
        "否",
    ),
]

TYC_HEADER = [
    "企业名称",
    "英文名称",
    "统一社会信用代码",
    "企业类型",
    "经营状态",
    "成立日期",
    "核准日期",
    "法定代表人",
    "注册资本",
    "实缴资本",
    "参保人数",
    "公司规模",
    "经营范围",
    "注册地址",
    "营业期限",
    "纳税人识别号",
    "工商注册号",
    "组织机构代码",
    "纳税人资质",
    "曾用名",
    "所属省份",
    "所属城市",
    "所属区县",
    "网站链接",
    "所属行业",
    "一级行业分类",
    "二级行业分类",
    "三级行业分类",
    "登记机关",
]


def _tyc(
    name: str,
    code: str,
    status: str,
    capital: str,
    term: str,
    where: tuple[str, str, str],
    industry: tuple[str, str, str],
    insured: str,
) -> list[str]:
    return [
        name,
        "-",
        code,
        "有限责任公司",
        status,
        term[:10],
        "2024-01-01",
        "李四",
        capital,
        "-",
        insured,
        "小型",
        "汽车零部件研发、制造；货物进出口",
        f"{''.join(w for w in where if w != '-')}模拟大道8号",
        term,
        code,
        "-",
        code[8:17],
        "一般纳税人",
        "-",
        *where,
        "-",
        industry[1],
        *industry,
        "模拟市市场监督管理局",
    ]


TYC_ROWS = [
    # row 2: 东莞市 has no districts; 三级 367 has one class (3670)
    _tyc(
        "东莞模拟精密部件有限公司",
        uscc("91441900", "MA4MKC06"),
        "在业",
        "300万人民币",
        "2018-03-01至无固定期限",
        ("广东省", "东莞市", "-"),
        ("制造业", "汽车制造业", "汽车零部件及配件制造"),
        "60",
    ),
    # row 3: 通州区 (Beijing and 南通) inside 南通市; 三级 272 has one class (2720); 港元
    _tyc(
        "南通模拟制药有限公司",
        uscc("91320612", "MA1MKC07"),
        "存续",
        "2000万港元",
        "2016-08-08至2046-08-07",
        ("江苏", "南通市", "通州区"),
        ("制造业", "医药制造业", "化学药品制剂制造"),
        "210",
    ),
    # row 4: 三级 电池制造 has nine classes: the class cannot be known, the row is refused
    _tyc(
        "南京模拟储能有限公司",
        uscc("91320106", "MA1MKC08"),
        "在业",
        "800万元",
        "2021-11-11至无固定期限",
        ("江苏省", "南京市", "鼓楼区"),
        ("制造业", "电气机械和器材制造业", "电池制造"),
        "-",
    ),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "企业列表"
    ws.append(QCC_HEADER)
    for r in QCC_ROWS:
        ws.append(r)
    wb.save(OUT / "qichacha_batch_match.xlsx")
    with open(OUT / "qichacha_batch_match.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(QCC_HEADER)
        w.writerows(QCC_ROWS)
    with open(OUT / "tianyancha_export.csv", "w", encoding="gb18030", newline="") as f:
        w = csv.writer(f)
        w.writerow(TYC_HEADER)
        w.writerows(TYC_ROWS)


if __name__ == "__main__":
    main()
