"""Jiqun's English of the MIIT questionnaire's questions (data/*_en.yaml): complete and marked."""

from __future__ import annotations

import re
from importlib import resources

import yaml

from jiqun.digital.frameworks import load_framework


def test_every_question_has_an_english_rendering_marked_not_official() -> None:
    fw = load_framework("miit2024")
    for item in fw.items:
        assert item.question_en, item.id
        assert not re.search(r"[\u3400-\u9fff]", item.question_en), item.id
    text = resources.files("jiqun.digital").joinpath("data/miit_sme_digital_2024_mfg_en.yaml")
    doc = yaml.safe_load(text.read_text(encoding="utf-8"))
    assert doc["translation"] == "Jiqun translation (not official)"
    # every translated question belongs to an item (no stale keys after an edition change)
    assert set(doc["questions"]) == {item.name_zh for item in fw.items}
