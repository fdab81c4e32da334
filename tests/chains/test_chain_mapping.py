"""Firm → segment mapping by code, by business-scope keyword (jieba) and by manual override."""

from __future__ import annotations

import pandas as pd
import pytest

from jiqun.analytics.rca import JiqunWarning
from jiqun.chains import (
    KEYWORD_CONFIDENCE,
    MANUAL_CONFIDENCE,
    ChainTemplate,
    get_template,
    map_firms,
    template_from_dict,
)
from jiqun.chains.mapping import MAPPING_COLUMNS
from jiqun.standard.problems import JiqunError


def _rows(m: pd.DataFrame) -> set[tuple[str, str, str]]:
    return set(zip(m["uscc"], m["segment"], m["method"], strict=True))


def test_by_code_with_template_confidence(toy: ChainTemplate, toy_firms: pd.DataFrame) -> None:
    m = map_firms(toy_firms[["uscc", "industry_code"]], toy)
    assert list(m.columns) == MAPPING_COLUMNS
    assert set(m["uscc"]) == set(toy_firms["uscc"]) - {"x1"}  # 1311 is not in the chain
    assert (m["method"] == "code").all()
    conf = m.set_index("uscc")["confidence"]
    assert conf["p1"] == 0.7 and conf["f1"] == 0.9  # med, high
    assert m.set_index("uscc").loc["t2", "matched"] == "3321"


def test_keywords_are_whole_jieba_words() -> None:
    t = template_from_dict(
        {
            "id": "kw",
            "name_zh": "关键词",
            "name_en": "kw",
            "field": "nev_icv",
            "version": 1,
            "sources": ["t"],
            "segments": [
                {"id": "cells", "name_zh": "电池", "name_en": "cells", "position": "upstream",
                 "gbt4754": [{"code": "3841", "confidence": "high", "source": "t"}],
                 "keywords": ["电池"], "supplies": ["pv"]},
                {"id": "pv", "name_zh": "光伏", "name_en": "pv", "position": "downstream",
                 "gbt4754": [{"code": "3825", "confidence": "high", "source": "t"}],
                 "keywords": ["太阳能电池片", "PLC"]},
            ],
        }
    )  # fmt: skip
    firms = pd.DataFrame(
        {
            "uscc": ["a", "b", "c", "d", "e"],
            "business_scope": [
                "太阳能电池片的研发、生产",  # the longer product word wins: pv only
                "锂电池、电池的销售",  # 电池 as a word
                "机械设备销售",  # nothing
                None,
                "plc控制柜",  # ASCII keywords match case-insensitively
            ],
        }
    )
    m = map_firms(firms, t)
    assert _rows(m) == {("a", "pv", "keyword"), ("b", "cells", "keyword"), ("e", "pv", "keyword")}
    assert (m["confidence"] == KEYWORD_CONFIDENCE).all()
    assert m.set_index("uscc").loc["a", "matched"] == "太阳能电池片"
    # substring matching (no segmentation) also finds 电池 inside 太阳能电池片
    loose = map_firms(firms, t, segment_words=False)
    assert ("a", "cells", "keyword") in _rows(loose)


def test_code_and_keyword_combine_and_disambiguate_shared_classes() -> None:
    ic = get_template("integrated_circuits")
    firms = pd.DataFrame(
        {
            "uscc": ["pkg", "fab", "plain"],
            "industry_code": ["3973", "3973", "3973"],
            "business_scope": ["集成电路芯片封装测试", "12英寸晶圆代工服务", "电子产品销售"],
        }
    )
    m = map_firms(firms, ic).set_index(["uscc", "segment"])
    # 3973 is shared by wafer_fab and packaging_testing; the keyword picks one
    assert set(m.loc["pkg"].index) == {"packaging_testing"}
    assert set(m.loc["fab"].index) == {"wafer_fab"}
    assert set(m.loc["plain"].index) == {"wafer_fab", "packaging_testing"}
    both = m.loc[("pkg", "packaging_testing")]
    assert both["method"] == "code"
    # overlapping keywords (芯片封装 / 封装测试): jieba keeps one of them, either is right
    assert both["matched"] in ("3973;封装测试", "3973;芯片封装")
    assert both["confidence"] == pytest.approx(1 - (1 - 0.7) * (1 - KEYWORD_CONFIDENCE))
    assert m.loc[("plain", "wafer_fab"), "confidence"] == 0.7
    # without disambiguation the code rows stay
    loose = map_firms(firms, ic, disambiguate=False)
    assert set(loose.loc[loose["uscc"] == "pkg", "segment"]) == {"wafer_fab", "packaging_testing"}


def test_manual_overrides_win(toy: ChainTemplate, toy_firms: pd.DataFrame) -> None:
    ov = pd.DataFrame(
        {
            "uscc": ["x1", "x1", "p1", "f3", "r2"],
            "segment": ["tool", "final", "raw", "", "part"],
            "chain": ["toy", "toy", None, "toy", "other_chain"],
        }
    )
    m = map_firms(toy_firms, toy, ov)
    rows = _rows(m)
    assert {("x1", "tool", "manual"), ("x1", "final", "manual")} <= rows
    assert ("p1", "raw", "manual") in rows and ("p1", "part", "code") not in rows  # replaced
    assert not (m["uscc"] == "f3").any()  # blank segment removes the firm from the chain
    assert ("r2", "raw", "code") in rows  # override of another chain ignored
    assert (m.loc[m["method"] == "manual", "confidence"] == MANUAL_CONFIDENCE).all()
    assert (m.loc[m["method"] == "manual", "matched"] == "manual").all()
    with pytest.raises(JiqunError, match="ghost"):
        map_firms(toy_firms, toy, pd.DataFrame({"uscc": ["p1"], "segment": ["ghost"]}))
    with pytest.raises(JiqunError, match="segment"):
        map_firms(toy_firms, toy, pd.DataFrame({"uscc": ["p1"]}))
    with pytest.warns(JiqunWarning, match="not in the firm table"):
        m2 = map_firms(toy_firms, toy, pd.DataFrame({"uscc": ["zz"], "segment": ["raw"]}))
    assert "zz" not in set(m2["uscc"])
    custom = map_firms(
        toy_firms, toy, pd.DataFrame({"uscc": ["x1"], "segment": ["raw"], "confidence": ["0.8"]})
    )
    assert custom.set_index("uscc").loc["x1", "confidence"] == 0.8


def test_a_firm_may_map_to_several_segments_and_output_is_empty_when_nothing_matches(
    toy: ChainTemplate,
) -> None:
    firms = pd.DataFrame(
        {"uscc": ["a", "b"], "industry_code": ["3091", "0111"],
         "business_scope": ["数控刀片、复合材料制品", "水稻种植"]}
    )  # fmt: skip
    m = map_firms(firms, toy)
    assert _rows(m) == {
        ("a", "raw", "code"),
        ("a", "part", "keyword"),
        ("a", "tool", "keyword"),
    }
    assert list(m.loc[m["uscc"] == "a", "segment"]) == ["raw", "part", "tool"]  # template order
    none = map_firms(firms.iloc[1:], toy)
    assert none.empty and list(none.columns) == MAPPING_COLUMNS


def test_mapping_many_firms_is_fast() -> None:
    """200,000 firms (20,000 distinct scopes repeated) map in a few seconds."""
    import time

    ic = get_template("integrated_circuits")
    base = [
        "集成电路芯片封装测试；技术服务",
        "机械设备销售；普通货物仓储服务",
        "光刻胶、电子特气的研发、生产和销售",
        "软件开发；信息系统集成服务",
    ]
    n = 200_000
    firms = pd.DataFrame(
        {
            "uscc": [f"F{i:07d}" for i in range(n)],
            "industry_code": ["3973", "5179", "2661", "6513"] * (n // 4),
            "business_scope": [f"{base[i % 4]}；第{i % 5000}号" for i in range(n)],
        }
    )
    map_firms(firms.head(10), ic)  # warm jieba
    t0 = time.perf_counter()
    m = map_firms(firms, ic)
    dt = time.perf_counter() - t0
    assert dt < 20, dt  # about 2-4 s on a laptop; generous for shared CI machines
    assert m["uscc"].nunique() == n // 2  # 3973 firms and the 光刻胶 firms
