"""Hand-scored questionnaires and helpers for the digital-transformation tests."""

from __future__ import annotations

from typing import Any

from jiqun.standard.codes import organisation_code_check_char as org_check_char
from jiqun.standard.codes import uscc_check_char

SCENES = [
    "scene_product_design",
    "scene_process_design",
    "scene_marketing",
    "scene_after_sales",
    "scene_planning_scheduling",
    "scene_production_control",
    "scene_quality_management",
    "scene_equipment_management",
    "scene_safety",
    "scene_energy_management",
    "scene_procurement",
    "scene_warehousing_logistics",
    "scene_finance",
    "scene_human_resources",
    "scene_collaborative_office",
    "scene_decision_support",
]


def make_uscc(region: str, k: int) -> str:
    """A valid GB 32100 code: legal person (91), region, organisation code k."""
    body = f"{k:08d}"
    code17 = "91" + region + body + org_check_char(body)
    return code17 + uscc_check_char(code17)


def all_min() -> dict[str, Any]:
    """Every item at its lowest option. Hand score:
    数字化基础 = 0 (网络) + 0 (设备数字化 0%) + 0 (设备联网 5%) + 0 (数据采集 无) + 2.5 (信息系统
    单个环节, the lowest published option) + 0 + 0 (安全) = 2.5;
    数字化管理 = 1.5 (规划实施 lowest grade) + 0 + 0 + 0 (资金 0%) = 1.5;
    数字化成效 = 0 + 0 + 0 + 0 = 0.  Total 4.0 → below level 1 (< 20)."""
    a: dict[str, Any] = {
        "network": [],
        "equipment_digitisation": 0,
        "equipment_networking": 5,
        "data_collection": ["NONE"],
        "information_systems": "A",
        "network_security": [],
        "data_security": [],
        "planning": "A",
        "management_mechanism": [],
        "talent": [],
        "funding": 0,
        "energy": "增加",
        "quality": "降低",
        "market": "降低",
        "value": "增加",
    }
    a |= {s: 1 for s in SCENES}
    return a


def mixed() -> dict[str, Any]:
    """A mixed questionnaire, by Chinese names and labels. Hand score:
    网络建设 工控网络+应用系统网络 = 2 + 2 = 4
    设备数字化 40 % → band (20,40] = 3          (upper end inclusive)
    设备联网 10 % → band [0,10] = 0             (upper end inclusive)
    数据采集 产品设计, 生产管控, 质量管理 (3 × 0.7) + 人力资源 0.9 = 3.0
    信息系统 多个(≥2) = 5
    网络安全 3 × 1.25 = 3.75;  数据安全 1 × 1.25 = 1.25
      → 数字化基础 4 + 3 + 0 + 3 + 5 + 3.75 + 1.25 = 20.0
    规划实施 C = 4.5;  管理机制 2 × 1.875 = 3.75;  人才建设 3 × 1.5 = 4.5;
    资金保障 15 % → (10,20] = 1.875
      → 数字化管理 4.5 + 3.75 + 4.5 + 1.875 = 14.625
    绿色低碳 持平 3.5;  产品质量 增加 7;  市场表现 降低 0;  价值效益 持平 1.5
      → 数字化成效 12.0
    Total 20 + 14.625 + 12 = 46.625 → 二级 (40 ≤ S < 60)."""
    a: dict[str, Any] = {
        "网络建设": ["工控网络", "应用系统网络"],
        "设备数字化": 40,
        "设备联网": "10%",
        "数据采集": "产品设计;生产管控、质量管理,人力资源",
        "信息系统": "多个(≥2)",
        "网络安全": ["A", "B", "C"],
        "数据安全": "A",
        "规划实施": "C",
        "管理机制": ["A", "B"],
        "人才建设": "A;B;C",
        "资金保障": 15,
        "绿色低碳": "持平",
        "产品质量": "增加",
        "市场表现": "降低",
        "价值效益": "持平",
    }
    a |= {s: lv for s, lv in zip(SCENES, [1, 2, 3, 4] * 4, strict=True)}
    return a


def all_max() -> dict[str, Any]:
    """Every item at its best option. Hand score:
    数字化基础 8 + 6 (100 %) + 6 (61 % → (60,100]) + 10 (13 × 0.7 + 0.9) + 10 + 5 + 5 = 50
    数字化管理 7.5 + 4 × 1.875 + 5 × 1.5 + 7.5 (60.5 % → (60,100]) = 30
    数字化成效 7 + 7 + 3 + 3 = 20.  Total 100 → 四级."""
    a: dict[str, Any] = {
        "network": ["A", "B", "C", "D"],
        "equipment_digitisation": 100,
        "equipment_networking": 61,
        "data_collection": list("ABCDEFGHIJKLMN"),
        "information_systems": "D",
        "network_security": list("ABCD"),
        "data_security": list("ABCD"),
        "planning": "E",
        "management_mechanism": list("ABCD"),
        "talent": list("ABCDE"),
        "funding": 60.5,
        "energy": "降低",
        "quality": "增加",
        "market": "增加",
        "value": "降低",
    }
    a |= {s: 4 for s in SCENES}
    return a
