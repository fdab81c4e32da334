"""A small hand-solvable chain, its firms and supply links, shared by the chain tests.

Chain ``toy``: raw (upstream, 3091) → part (midstream, 3062) → final (downstream, 3744) and
tool (upstream, 3321) → final. Regions R1–R4 (arbitrary codes); x1 in R1 is outside the chain.
"""

from __future__ import annotations

import pandas as pd
import pytest

from jiqun.chains import ChainTemplate, template_from_dict


def _toy_doc() -> dict:
    def seg(sid: str, pos: str, code: str, conf: str, supplies: list[str], kw: list[str]) -> dict:
        return {
            "id": sid,
            "name_zh": sid + "环节",
            "name_en": sid,
            "position": pos,
            "gbt4754": [{"code": code, "confidence": conf, "source": "test"}],
            "keywords": kw,
            "hs": [],
            "supplies": supplies,
        }

    return {
        "id": "toy",
        "name_zh": "示例链",
        "name_en": "toy chain",
        "field": "new_materials",
        "version": 1,
        "sources": ["hand-made for tests"],
        "segments": [
            seg("raw", "upstream", "3091", "high", ["part"], ["碳纤维"]),
            seg("part", "midstream", "3062", "med", ["final"], ["复合材料制品"]),
            seg("tool", "upstream", "3321", "high", ["final"], ["数控刀片"]),
            seg("final", "downstream", "3744", "high", [], ["飞机结构件"]),
        ],
    }


@pytest.fixture
def toy_doc() -> dict:
    """The toy template as plain data (a fresh copy per test)."""
    return _toy_doc()


@pytest.fixture
def toy() -> ChainTemplate:
    return template_from_dict(_toy_doc(), "toy.yaml")


@pytest.fixture
def toy_firms() -> pd.DataFrame:
    rows = [
        # uscc, region, industry, output, revenue, rd, tags, lon, lat
        ("p1", "R1", "3062", 100.0, 100.0, 10.0, "", 116.40, 39.90),
        ("f1", "R1", "3744", 300.0, 300.0, 5.0, "little_giant;srdi", 116.40, 39.90),
        ("f2", "R1", "3744", 100.0, 100.0, 1.0, "single_champion", 116.40, 39.90),
        ("x1", "R1", "1311", 500.0, 500.0, 0.0, "", 116.40, 39.90),
        ("r2", "R2", "3091", 50.0, 50.0, 0.0, "", 117.20, 39.13),
        ("t2", "R2", "3321", 80.0, 80.0, 0.0, "", 117.20, 39.13),
        ("p2", "R2", "3062", 40.0, 40.0, 0.0, "", 117.20, 39.13),
        ("r3", "R3", "3091", 60.0, 60.0, 0.0, "", 121.47, 31.23),
        ("f3", "R3", "3744", 200.0, 200.0, 0.0, "", 121.47, 31.23),
        ("t4", "R4", "3321", 30.0, 30.0, 0.0, "", 113.26, 23.13),
        ("p4", "R4", "3062", 20.0, 20.0, 0.0, "", 113.26, 23.13),
        ("f4", "R4", "3744", 10.0, 10.0, 0.0, "", 113.26, 23.13),
    ]
    cols = ["uscc", "region_code", "industry_code", "output", "revenue", "rd_expense", "tags"]
    df = pd.DataFrame(rows, columns=[*cols, "lon", "lat"])
    df["name"] = df["uscc"] + "公司"
    df["employees"] = 10
    return df


@pytest.fixture
def toy_links() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("p1", "f1", 60.0),  # local, part → final
            ("p2", "f1", 40.0),  # from R2
            ("t2", "f2", 50.0),  # from R2, tool → final
            ("r2", "p1", 30.0),  # from R2, raw → part
            ("x1", "f1", 100.0),  # local but outside the chain
            ("p4", "f4", 10.0),
            ("t4", "f4", 10.0),
            ("p2", "f3", 20.0),
            ("r2", "p2", 5.0),
            ("r3", "p4", 5.0),
        ],
        columns=["supplier", "buyer", "value"],
    )


@pytest.fixture
def toy_mapping(toy: ChainTemplate, toy_firms: pd.DataFrame) -> pd.DataFrame:
    from jiqun.chains import map_firms

    return map_firms(toy_firms, toy)
