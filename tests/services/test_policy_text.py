"""Policies loaded from a file follow the text rule: no control characters, bounded lengths."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from jiqun.services.policy import add_policy, load_policy_file
from jiqun.standard.problems import JiqunError

RULES = [{"field": "employees", "op": ">=", "value": 10}]


def _spec(**kw: object) -> dict[str, object]:
    return {
        "policy_id": "P-TXT-1",
        "title": "示例政策",
        "issuer": "无锡市工信局",
        "rules": RULES,
        **kw,
    }


def test_control_character_in_a_policy_is_refused(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(JiqunError) as e:
        add_policy(_spec(title="示例\x00政策"), engine)
    assert "P-TXT-1.title" in e.value.message_en and "\\x00" in e.value.message_en
    assert "U+0000" in e.value.message_zh
    # a YAML escape is how a NUL gets into a policy file; nothing of the file is written
    f = tmp_path / "p.yaml"
    f.write_text(
        '- {policy_id: P-TXT-2, title: ok, issuer: x, rules: [{field: employees, op: ">=", '
        'value: 1}]}\n- {policy_id: P-TXT-3, title: "bad\\u001b", issuer: x, rules: []}\n',
        encoding="utf-8",
    )
    with pytest.raises(JiqunError):
        load_policy_file(f, engine)
    with engine.connect() as c:
        n = c.execute(text("SELECT COUNT(*) FROM policies WHERE policy_id LIKE 'P-TXT-%'"))
        assert n.scalar() == 0


def test_policy_lengths_and_multi_line_benefits(engine: Engine) -> None:
    with pytest.raises(JiqunError) as e:
        add_policy(_spec(title="长" * 201), engine)
    assert "at most 200" in e.value.message_en
    assert add_policy(_spec(benefits="一、补贴\n二、奖励"), engine) == "P-TXT-1"
