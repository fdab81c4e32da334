"""The MIIT questionnaire asks what a firm can answer: no placeholder options, a stated note.

The 2024 indicators' scored-items CSV gives only counts and points for 网络安全, 数据安全,
规划实施, 管理机制 and 人才建设; their options are worded by Jiqun (``options_wording: jiqun`` in
``miit_sme_digital_2024_mfg.yaml``), scored exactly as the item, and the note says so.
"""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest

from jiqun.digital import load_framework, score_miit
from jiqun.digital.questionnaire import questionnaire_rows
from jiqun.standard.problems import JiqunError

MIIT = load_framework("miit2024")

#: the placeholders the questionnaire used to show (zh and en)
PLACEHOLDER = re.compile(r"举措[A-Z]|制度[A-Z]|第\d档|measure [A-Z]|rule [A-Z]|grade \d")
OWN = ("network_security", "data_security", "planning", "management_mechanism", "talent")


def test_no_option_label_is_a_placeholder() -> None:
    for it in MIIT.items:
        for o in it.options:
            for text in (o.zh, o.en, o.action_zh or "", o.action_en or ""):
                assert not PLACEHOLDER.search(text), (it.id, o.id, text)
        for text in (it.action_zh, it.action_en, it.options_note_zh, it.options_note_en):
            assert not PLACEHOLDER.search(text), (it.id, text)


def test_the_placeholder_pattern_catches_the_old_labels() -> None:
    for old in ("举措A", "制度D", "第3档", "measure E", "rule B", "grade 5"):
        assert PLACEHOLDER.search(old)


@pytest.mark.parametrize(
    ("item_id", "each", "top"),
    [
        ("network_security", "1.25", "5"),
        ("data_security", "1.25", "5"),
        ("management_mechanism", "1.875", "7.5"),
        ("talent", "1.5", "7.5"),
    ],
)
def test_own_wording_note_states_the_official_scoring(item_id: str, each: str, top: str) -> None:
    it = MIIT.item(item_id)
    assert it.options_note_zh == (
        f"选项为本平台表述，非评测指标原文；计分与原指标相同：每项 {each} 分，满分 {top} 分"
    )
    assert it.options_note_en == (
        "options in Jiqun's own words, not the indicators' original text; scored as the "
        f"official item: {each} points each, {top} points at most"
    )
    # the option ids stay A, B, … so stored answers keep their points
    assert [o.id for o in it.options] == list("ABCDE"[: len(it.options)])
    assert {o.points for o in it.options} == {Decimal(each)}


def test_planning_note_lists_the_points_in_order() -> None:
    it = MIIT.item("planning")
    assert [(o.id, o.points) for o in it.options] == [
        ("A", Decimal("1.5")),
        ("B", Decimal("3")),
        ("C", Decimal("4.5")),
        ("D", Decimal("6")),
        ("E", Decimal("7.5")),
    ]
    assert it.options_note_zh == (
        "选项为本平台表述，非评测指标原文；计分与原指标相同：单选已达到的最高一档，"
        "依次 1.5/3/4.5/6/7.5 分，满分 7.5 分"
    )
    assert "1.5/3/4.5/6/7.5 points in order, 7.5 points at most" in it.options_note_en


def test_each_own_label_can_be_typed_as_an_answer() -> None:
    """A firm may answer by the label it reads (zh or en); a multi-select label must hold no
    separator, or the answer would be split into unknown options."""
    for item_id in OWN:
        it = MIIT.item(item_id)
        for o in it.options:
            for label in (o.zh, o.en):
                r = score_miit(MIIT, {item_id: label})
                assert r.items[MIIT.item_ids.index(item_id)]["points"] == float(o.points)


def test_only_jiqun_worded_items_carry_the_note() -> None:
    noted = {it.id for it in MIIT.items if it.options_note_zh}
    assert noted == set(OWN)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # 网络安全: 等保 + 边界防护 = 2 × 1.25
        ({"network_security": ["A", "B"]}, {"network_security": 2.5}),
        # 数据安全: all four = 4 × 1.25
        ({"data_security": list("ABCD")}, {"data_security": 5.0}),
        # 数据安全 by its Chinese label (the label a firm reads on the page)
        ({"数据安全": "重要数据定期备份并每年至少做一次恢复测试"}, {"data_security": 1.25}),
        # 管理机制: 3 × 1.875
        ({"management_mechanism": ["A", "C", "D"]}, {"management_mechanism": 5.625}),
        # 人才建设: 2 × 1.5
        ({"talent": ["B", "E"]}, {"talent": 3.0}),
        # 规划实施: the stage reached, D = 6
        ({"planning": "D"}, {"planning": 6.0}),
        ({"planning": "A"}, {"planning": 1.5}),
        # nothing chosen in a multi-select is 0
        ({"network_security": []}, {"network_security": 0.0}),
    ],
)
def test_hand_scored_own_wording_items(answers: dict, expected: dict[str, float]) -> None:
    r = score_miit(MIIT, answers)
    got = {i["id"]: i["points"] for i in r.items if i["id"] in expected}
    assert got == expected
    assert r.total == sum(expected.values())


def test_questionnaire_template_carries_the_note_and_the_wording() -> None:
    rows = {r["编号 id"]: r for r in questionnaire_rows(MIIT)}
    opts = rows["network_security"]["选项 options"]
    assert "A=完成网络安全等级保护备案或测评(1.25分)" in opts
    assert "【选项为本平台表述，非评测指标原文；计分与原指标相同：每项 1.25 分，满分 5 分】" in opts
    assert not PLACEHOLDER.search(" ".join(str(r["选项 options"]) for r in rows.values()))


def test_english_labels_are_whole_sentences() -> None:
    # an unquoted comma in the YAML's flow mapping once cut these labels at "(goals"
    plan = MIIT.item("planning")
    assert (
        plan.option("B").en
        == "a written digital plan or annual programme (goals, budget and owner)"
    )
    assert plan.option("A").en.endswith("no written plan yet")
    for it in MIIT.items:
        for o in it.options:
            assert o.en.count("(") == o.en.count(")"), (it.id, o.id, o.en)
            assert o.zh.count("（") == o.zh.count("）"), (it.id, o.id, o.zh)


def test_a_label_cut_by_an_unquoted_comma_is_refused(tmp_path: Path) -> None:
    shipped = resources.files("jiqun.digital").joinpath("data", "miit_sme_digital_2024_mfg.yaml")
    text = shipped.read_text("utf-8")
    quoted = '"a written digital plan or annual programme (goals, budget and owner)"'
    assert quoted in text
    bad = tmp_path / "edition.yaml"
    bad.write_text(text.replace(quoted, quoted.strip('"')), "utf-8")
    with pytest.raises(JiqunError) as e:
        load_framework(path=bad)
    assert [p.rule for p in e.value.problems] == ["digital.framework.option_keys"]


def test_docs_list_the_shipped_labels() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "digital.md").read_text("utf-8")
    for item_id in OWN:
        for o in MIIT.item(item_id).options:
            assert f"{o.id} {o.zh}" in doc, (item_id, o.id)
