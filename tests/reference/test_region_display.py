"""One region prefix and one display name (``jiqun.reference``), used by every former copy."""

from __future__ import annotations

import pandas as pd
import pytest

from jiqun import reference
from jiqun.policy import rules
from jiqun.resilience.scenarios import region_prefix as scenario_prefix
from jiqun.services import access, stats

CASES = {
    "110100": "北京市",  # 市辖区 → the municipality
    "500200": "重庆市县",  # placeholder 县 → province + name
    "320200": "无锡市",
    "320214": "新吴区",
}


def test_display_name_rule() -> None:
    for code, name in CASES.items():
        assert reference.region_display_name(code) == name
    assert reference.region_display_name("999999") == "999999"
    s = reference.region_display_names([*CASES, "110100"])
    assert s.to_dict() == CASES


def test_stats_tables_use_the_display_name() -> None:
    df = pd.DataFrame({"region_code": list(CASES), "industry_code": ["3973"] * len(CASES)})
    named = stats._names(df)
    assert named["region_name"].tolist() == list(CASES.values())


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("320000", "32"), ("320200", "3202"), ("320214", "320214"), (" 440300 ", "4403")],
)
def test_prefix_is_the_same_everywhere(code: str, prefix: str) -> None:
    assert reference.region_prefix(code) == prefix
    assert access.region_prefix(code) == prefix
    assert scenario_prefix(code) == prefix
    assert rules.region_prefix(code) == prefix


def test_prefix_keeps_short_prefixes() -> None:
    assert reference.region_prefix("44") == "44" and reference.region_prefix("4400") == "4400"
