"""Hand-made population where the right supplier ranking is known (helpers of the matching tests).

Buyer ``BUYER`` sits in 苏州 (320505). Cluster ``T1`` has member regions 苏州 320500, 无锡
320200 and 上海 310100. Coordinates are real-ish county seats so that distances are plausible.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from jiqun.standard.codes import organisation_code_check_char, uscc_check_char

#: (lon, lat) of the places used
PLACES: dict[str, tuple[float, float]] = {
    "320505": (120.57, 31.30),  # 苏州 虎丘区 (buyer)
    "320506": (120.63, 31.27),  # 苏州 吴中区
    "320205": (120.36, 31.49),  # 无锡 锡山区
    "330106": (120.13, 30.27),  # 杭州 西湖区 (outside the cluster)
    "440305": (113.93, 22.53),  # 深圳 南山区 (far)
}

CLUSTER_REGIONS = pd.DataFrame(
    {"cluster_id": ["T1", "T1", "T1"], "region_code": ["320500", "320200", "310100"]}
)


def make_uscc(region: str, body: str) -> str:
    """A valid GB 32100 code for a region and an 8-character organisation body."""
    first17 = "91" + region + body + organisation_code_check_char(body)
    return first17 + uscc_check_char(first17)


BUYER = make_uscc("320505", "10000001")


def firm(
    uscc: str,
    region: str,
    code: str,
    scope: str,
    *,
    name: str | None = None,
    tags: str | None = None,
    revenue: float = 1000.0,
    rd: float = 0.0,
    place: tuple[float, float] | None = None,
) -> dict[str, Any]:
    lon, lat = place or PLACES[region]
    return {
        "uscc": uscc,
        "name": name or f"{uscc}公司",
        "region_code": region,
        "industry_code": code,
        "business_scope": scope,
        "tags": tags,
        "revenue": revenue,
        "rd_expense": rd,
        "lon": lon,
        "lat": lat,
        "synthetic": False,
    }


def toy_doc() -> dict[str, Any]:
    def seg(sid: str, pos: str, code: str, supplies: list[str], kw: list[str]) -> dict[str, Any]:
        return {
            "id": sid,
            "name_zh": sid + "环节",
            "name_en": sid,
            "position": pos,
            "gbt4754": [{"code": code, "confidence": "high", "source": "test"}],
            "keywords": kw,
            "hs": [],
            "supplies": supplies,
        }

    return {
        "id": "toy_robots",
        "name_zh": "示例机器人链",
        "name_en": "toy robots",
        "field": "high_end_equipment",
        "version": 1,
        "sources": ["hand-made for tests"],
        "segments": [
            seg(
                "reducers", "upstream", "3453", ["bodies"], ["谐波减速器", "精密减速器", "RV减速器"]
            ),
            seg("bodies", "midstream", "3491", [], ["工业机器人", "机械臂"]),
        ],
    }
