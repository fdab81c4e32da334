"""Scoring against hand-scored questionnaires, level boundaries, validation, GB/T 39116 rule."""

from __future__ import annotations

import csv
import doctest
import importlib
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from digital_fixtures import SCENES, all_max, all_min

from jiqun.digital import (
    load_framework,
    missing_answers,
    score_gbt39116,
    score_miit,
    validate_answers,
)
from jiqun.standard.problems import JiqunError

MIIT = load_framework("miit2024")
GBT = load_framework("gbt39116")


# ---------------------------------------------------------------------------------------------
# framework data
# ---------------------------------------------------------------------------------------------


def test_framework_matches_the_reference_csv() -> None:
    rows = list(
        csv.DictReader(
            resources.files("jiqun.reference")
            .joinpath("data", "miit_sme_digital_2024_mfg_scored_items.csv")
            .read_text("utf-8-sig")
            .splitlines()
        )
    )
    assert [i.name_zh for i in MIIT.items] == [r["level3"] for r in rows]
    for it, r in zip(MIIT.items, rows, strict=True):
        assert it.max_points == Decimal(r["level3_points"]), it.id
    assert [(d.name_zh, d.points) for d in MIIT.dimensions] == [
        ("数字化基础", 50),
        ("数字化管理", 30),
        ("数字化成效", 20),
    ]
    assert MIIT.total_points == 100 and len(MIIT.scenes) == 16
    assert [lv.min for lv in MIIT.levels] == [20, 40, 60, 80]
    assert not MIIT.official_rule_in_sources and "2022" in MIIT.basis_zh
    assert len(GBT.subdomains) == 20 and [lv.name_zh for lv in GBT.levels] == [
        "规划级",
        "规范级",
        "集成级",
        "优化级",
        "引领级",
    ]


def test_a_new_edition_is_a_data_change(tmp_path: Path) -> None:
    """A user YAML (here: the shipped one with a changed threshold) loads without code."""
    src = resources.files("jiqun.digital").joinpath("data", "miit_sme_digital_2024_mfg.yaml")
    doc = yaml.safe_load(src.read_text("utf-8"))
    doc["edition"] = "2099"
    doc["level_rule"]["levels"][1]["min"] = 45
    p = tmp_path / "miit2099.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    fw = load_framework(path=p)
    assert fw.edition == "2099" and fw.level_of(44) == 1 and fw.level_of(45) == 2
    # a transcription error is refused: option points no longer add up to the CSV's 8 points
    doc["items"][0]["options"][0]["points"] = "3"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    with pytest.raises(JiqunError) as e:
        load_framework(path=p)
    assert any("network" in pr.column and "8" in pr.message_en for pr in e.value.problems)


# ---------------------------------------------------------------------------------------------
# hand-scored questionnaires (totals worked out in digital_fixtures.py)
# ---------------------------------------------------------------------------------------------


def _dims(r: Any) -> list[float]:
    return [d["points"] for d in r.dimensions]


def test_all_minimum(answers_min: dict[str, Any]) -> None:
    r = score_miit(MIIT, answers_min)
    # 2.5 (信息系统 单个环节) + 1.5 (规划实施 lowest grade): no option of these is worth 0
    assert r.complete and r.total == 4.0 and _dims(r) == [2.5, 1.5, 0.0]
    assert r.level == 0 and r.level_name_zh == "未达一级"
    assert r.scene_levels == {0: 0, 1: 16, 2: 0, 3: 0, 4: 0}


def test_mixed(answers_mixed: dict[str, Any]) -> None:
    r = score_miit(MIIT, answers_mixed)
    assert r.complete
    assert _dims(r) == [20.0, 14.625, 12.0]
    assert r.total == 46.625 and r.level == 2 and r.level_name_zh == "二级"
    pts = {i["id"]: i["points"] for i in r.items}
    assert pts["equipment_digitisation"] == 3.0  # 40 % is in (20,40]
    assert pts["equipment_networking"] == 0.0  # 10 % is in [0,10]
    assert pts["data_collection"] == 3.0  # 3 × 0.7 + 0.9
    assert pts["funding"] == 1.875
    level2 = {(x["dimension_zh"], x["level2_zh"]): x["points"] for x in r.level2}
    assert level2[("数字化基础", "设备系统")] == 7.0 and level2[("数字化基础", "信息安全")] == 5.0
    assert r.answers["data_collection"] == ["A", "F", "G", "N"]
    assert r.scene_levels == {0: 0, 1: 4, 2: 4, 3: 4, 4: 4}


def test_all_maximum(answers_max: dict[str, Any]) -> None:
    r = score_miit(MIIT, answers_max)
    assert r.complete and r.total == 100.0 and _dims(r) == [50.0, 30.0, 20.0]
    assert r.level == 4 and r.level_name_zh == "四级"


def test_scenes_are_not_in_the_total(answers_mixed: dict[str, Any]) -> None:
    low = dict(answers_mixed) | {s: 0 for s in SCENES}
    assert score_miit(MIIT, low).total == score_miit(MIIT, answers_mixed).total


# ---------------------------------------------------------------------------------------------
# level boundaries: exactly 20 / 40 / 60 / 80 are the higher level
# ---------------------------------------------------------------------------------------------


def _ladder() -> list[tuple[dict[str, Any], float, int]]:
    b = all_min()  # 4.0
    # 信息系统 C 7.5 + 规划实施 A 1.5 + 网络 8 + 设备数字化 40 % → 3  = 20.0
    b.update(information_systems="C", network=list("ABCD"), equipment_digitisation=40)
    s20 = dict(b)
    # + 绿色低碳 降低 7 + 产品质量 增加 7 + 人才 4 × 1.5 = 6  → 40.0
    b.update(energy="降低", quality="增加", talent=list("ABCD"))
    s40 = dict(b)
    # + 设备联网 100 % 6 + 网络安全 5 + 数据安全 5 + 信息系统 C→D 2.5 + 市场 持平 1.5 → 60.0
    b.update(
        equipment_networking=100,
        network_security=list("ABCD"),
        data_security=list("ABCD"),
        information_systems="D",
        market="持平",
    )
    s60 = dict(b)
    # all maximum 100 − 网络 8 − 绿色低碳 增加 7 − 数据安全 5 = 80.0
    s80 = all_max() | {"network": [], "energy": "增加", "data_security": []}
    return [(s20, 20.0, 1), (s40, 40.0, 2), (s60, 60.0, 3), (s80, 80.0, 4)]


@pytest.mark.parametrize("k", range(4))
def test_level_boundaries_exact(k: int) -> None:
    answers, total, level = _ladder()[k]
    r = score_miit(MIIT, answers)
    assert r.total == total and r.level == level


@pytest.mark.parametrize("k", range(4))
def test_level_boundaries_just_below(k: int) -> None:
    answers, total, level = _ladder()[k]
    below = dict(answers)
    # one 0.7 data-collection link less would need one to remove; use a 1.5 step instead
    if level == 4:
        below["data_collection"] = list("ABCDEFGHIJKLM")  # −0.9 → 79.1
        expect = 79.1
    else:
        below["equipment_digitisation"] = 20 if k == 0 else below["equipment_digitisation"]
        if k == 0:
            expect = 18.5  # 40 % (3) → 20 % (1.5)
        else:
            below["talent"] = below["talent"][:-1]  # −1.5
            expect = total - 1.5
    r = score_miit(MIIT, below)
    assert r.total == pytest.approx(expect) and r.level == level - 1


def test_level_of_thresholds() -> None:
    assert [MIIT.level_of(x) for x in (0, 19.999, 20, 39.999, 40, 59.999, 60, 79.999, 80, 100)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


def test_band_boundaries() -> None:
    pts = {
        v: score_miit(MIIT, {"equipment_networking": v}).items[2]["points"]
        for v in (0, 10, 10.5, 20, 20.01, 40, 60, 60.01, 100)
    }
    assert pts == {0: 0, 10: 0, 10.5: 1.5, 20: 1.5, 20.01: 3, 40: 3, 60: 4.5, 60.01: 6, 100: 6}


# ---------------------------------------------------------------------------------------------
# validation: one problem per bad answer, naming the item, field and value
# ---------------------------------------------------------------------------------------------


def test_validation_errors_each_reported() -> None:
    bad = {
        "no_such_item": 1,  # unknown item
        "information_systems": "E",  # option the item lacks
        "equipment_networking": 120,  # out of range
        "equipment_digitisation": "abc",  # wrong type
        "planning": ["A"],  # list for a single choice
        "network": 5,  # number for a multi-select
        "data_collection": ["NONE", "A"],  # 无 with another option
        "scene_safety": 2.5,  # not a whole level
        "scene_finance": 5,  # level out of range
    }
    with pytest.raises(JiqunError) as e:
        validate_answers(MIIT, bad)
    got = {(p.column, p.rule) for p in e.value.problems}
    assert got == {
        ("no_such_item", "digital.answer.unknown_item"),
        ("information_systems", "digital.answer.option"),
        ("equipment_networking", "digital.answer.range"),
        ("equipment_digitisation", "digital.answer.type"),
        ("planning", "digital.answer.type"),
        ("network", "digital.answer.type"),
        ("data_collection", "digital.answer.exclusive"),
        ("scene_safety", "digital.answer.type"),
        ("scene_finance", "digital.answer.range"),
    }
    by = {p.column: p for p in e.value.problems}
    assert by["equipment_networking"].value == "120"
    assert "设备联网" in by["equipment_networking"].message_zh
    assert "equipment_networking" in by["equipment_networking"].message_en
    assert "'E'" in by["information_systems"].message_en
    assert all(p.severity == "error" for p in e.value.problems)


def test_duplicate_key_and_blank_answers() -> None:
    with pytest.raises(JiqunError) as e:
        validate_answers(MIIT, {"network": ["A"], "网络建设": ["B"]})
    assert [p.rule for p in e.value.problems] == ["digital.answer.duplicate"]
    # blanks are "not answered", not errors
    assert validate_answers(MIIT, {"network": None, "planning": "", "funding": float("nan")}) == {}
    assert validate_answers(MIIT, {"network": "无"}) == {"network": []}


def test_partial_questionnaire_has_no_level(answers_mixed: dict[str, Any]) -> None:
    part = dict(list(answers_mixed.items())[:5])
    r = score_miit(MIIT, part)
    assert not r.complete and r.level is None and r.score is None
    assert len(r.missing) == 31 - 5 and "scene_product_design" in r.missing
    assert r.provisional_level == MIIT.level_of(r.total)
    assert missing_answers(MIIT, answers_mixed) == []


# ---------------------------------------------------------------------------------------------
# GB/T 39116: all requirements of a level met
# ---------------------------------------------------------------------------------------------


def _gbt(v: Any) -> dict[str, Any]:
    return {s: v for s in GBT.subdomain_ids}


def test_gbt_all_met_to_level_3() -> None:
    r = score_gbt39116(GBT, _gbt(3))
    assert r.complete and r.level == 3 and r.level_name_zh == "3级 集成级"
    assert [s["share"] for s in r.level_shares] == [1.0, 1.0, 1.0, 0.0, 0.0]
    assert {e["name_zh"]: e["level"] for e in r.elements} == {
        "人员": 3,
        "技术": 3,
        "资源": 3,
        "制造": 3,
    }


def test_gbt_weakest_subdomain_decides() -> None:
    a = _gbt(4) | {"energy_management": 2}
    r = score_gbt39116(GBT, a)
    assert r.level == 2
    dom = {d["name_zh"]: d["level"] for d in r.domains}
    assert dom["生产"] == 2 and dom["设计"] == 4
    assert r.level_shares[2]["met"] == 19 and r.level_shares[2]["applicable"] == 20


def test_gbt_levels_are_cumulative_and_na_excluded() -> None:
    a = _gbt(5)
    a["sales"] = {"1": "是", "2": "否", "3": True, "4": True, "5": True}  # level 3+ without 2
    a["logistics"] = "不适用"
    r = score_gbt39116(GBT, a)
    assert r.complete and r.level == 1
    sales = next(s for s in r.subdomains if s["id"] == "sales")
    assert sales["highest_met"] == 1
    assert r.level_shares[0]["applicable"] == 19
    a["sales"] = 5
    assert score_gbt39116(GBT, a).level == 5


def test_gbt_zero_and_incomplete() -> None:
    assert score_gbt39116(GBT, _gbt(5) | {"data": 0}).level == 0
    part = _gbt(2)
    part.pop("network")
    part["sales"] = {"L1": True, "L2": True}  # not answered up to its first unmet level
    r = score_gbt39116(GBT, part)
    assert not r.complete and r.level is None and set(r.missing) == {"network", "sales"}
    assert r.provisional_level == 0  # unanswered counts as not met


def test_gbt_validation() -> None:
    with pytest.raises(JiqunError) as e:
        validate_answers(GBT, {"data": 7, "sales": {"6": True}, "network": {"1": "maybe"}, "x": 1})
    assert {(p.column, p.rule) for p in e.value.problems} == {
        ("data", "digital.answer.range"),
        ("sales", "digital.answer.level"),
        ("network", "digital.answer.type"),
        ("x", "digital.answer.unknown_item"),
    }
    with pytest.raises(JiqunError):
        score_gbt39116(GBT, _gbt("na"))


# ---------------------------------------------------------------------------------------------
# documented examples stay true
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "jiqun.digital.frameworks",
        "jiqun.digital.scoring",
        "jiqun.digital.gap",
        "jiqun.digital.index",
        "jiqun.digital.questionnaire",
    ],
)
def test_docstring_examples(name: str) -> None:
    res = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert res.failed == 0
