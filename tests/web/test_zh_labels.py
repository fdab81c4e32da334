"""The Chinese UI's labels and tables without a browser: ``loc`` (i18n.py) and the published
tables' total rows (ui_statistics.pub_view)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from jiqun.services.accounts import PUBLIC
from jiqun.web.i18n import localizer, split_pair
from jiqun.web.ui_statistics import pub_view


def test_total_rows_align_under_the_table_columns() -> None:
    """Each total row has one cell per column; its label sits in the first empty label cell."""
    table = pd.DataFrame(
        {
            "region_code": ["320200", "320200"],
            "region_name": ["无锡市", "无锡市"],
            "industry_code": ["39", "38"],
            "industry_name": ["计算机", "电气"],
            "value": [10.0, None],
            "n_enterprises": [5, None],
            "suppression": [None, "primary"],
            "suppressed": [False, True],
        }
    )
    totals = pd.DataFrame(
        {
            "kind": ["row_total", "grand_total"],
            "region_code": ["320200", None],
            "region_name": ["无锡市", None],
            "industry_code": [None, None],
            "industry_name": [None, None],
            "value": [25.0, 25.0],
            "n_enterprises": [9, 9],
            "suppression": [None, None],
            "suppressed": [False, False],
        }
    )
    res = SimpleNamespace(table=table, totals=totals, basis={}, notes=[])
    view = pub_view(res, PUBLIC)
    n = len(view["columns"])
    assert [len(r["cells"]) for r in view["totals"]] == [n, n]
    row, grand = view["totals"]
    assert row["cells"][0] == ("region_code", "320200")
    assert row["cells"][2] == ("kind", "row_total")  # under 行业代码, not one column right
    assert grand["cells"][0] == ("kind", "grand_total")
    value_at = view["columns"].index("value")
    assert grand["cells"][value_at] == ("value", 25.0)


def test_loc_picks_the_language_half_and_labels_codes() -> None:
    zh, en = localizer("zh"), localizer("en")
    assert split_pair("保密 / suppressed") == ("保密", "suppressed")
    assert split_pair("GB/T 4754-2017 小类") is None
    assert zh("近邻机会 / related, less complex") == "近邻机会"
    assert en("近邻机会 / related, less complex") == "related, less complex"
    assert zh("rule-based, not survey-based / 默认矩阵") == "默认矩阵"
    assert zh("recalled") == "待核实（据记录整理）"
    assert zh("new_generation_it") == "新一代信息技术"
    assert zh("manufacturing_innovation_centre") == "制造业创新中心"
    assert zh("prefecture") == "地级"
    assert zh("受冲击企业 shocked 182; 受影响企业 affected 4,317; 损失占比 loss share 4.2%") == (
        "受冲击企业 182；受影响企业 4,317；损失占比 4.2%"
    )
    assert zh("packaging_testing;wafer_fab") == "封装测试、晶圆制造"
    assert zh("chain:biomedicine") == "产业链 生物医药及高端医疗器械"
    assert zh(float("nan")) == "—" and zh(None) == "—" and zh("nan") == "—"
    text = zh({"params": {"limit": 50}, "n_firms": 3})
    assert "{" not in text and '"' not in text and "50" in text and "3" in text
    assert en("revenue") == "revenue"  # English pages keep the service's English


def test_published_money_is_shown_in_yi_yuan() -> None:
    """Money cells of 万元 run to eight digits; the view shows 亿元 and its basis says so."""
    table = pd.DataFrame({"region_code": ["320200"], "value": [45_425_460.4], "n_enterprises": [9]})
    totals = pd.DataFrame({"kind": ["grand_total"], "region_code": [None], "value": [45_425_460.4]})
    res = SimpleNamespace(table=table, totals=totals, basis={"unit": "万元"}, notes=[])
    view = pub_view(res, PUBLIC)
    at = view["columns"].index("value")
    assert view["rows"][0]["cells"][at] == ("value", 4542.55)
    assert view["totals"][0]["cells"][at] == ("value", 4542.55)
    assert view["basis"]["unit"] == "亿元"
    people = SimpleNamespace(table=table, totals=None, basis={"unit": "人"}, notes=[])
    assert pub_view(people, PUBLIC)["rows"][0]["cells"][at] == ("value", 45_425_460.4)
