"""Policy rules (boundaries, missing data, SQL = Python) and evaluation (allocation: see
test_allocation.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine, text

from jiqun.policy import evaluate, evaluate_clusters, narrow_miss, to_sql, validate_rule
from jiqun.standard.problems import JiqunError
from jiqun.store import bulk
from jiqun.store.models import Enterprise

ON = dt.date(2026, 1, 1)
FIRM = {
    "uscc": "X",
    "region_code": "320214",
    "industry_code": "3973",
    "founded": dt.date(2020, 1, 1),
    "employees": 300,
    "revenue": 10000.0,
    "rd_expense": 500.0,
    "tags": "srdi;little_giant",
    "clusters": ["NC2021-02"],
}


@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        ({"field": "revenue", "op": ">=", "value": 10000}, True),  # exactly at the threshold
        ({"field": "revenue", "op": ">", "value": 10000}, False),
        ({"field": "employees", "op": "<", "value": 300}, False),
        ({"field": "employees", "op": "<=", "value": 300}, True),
        ({"field": "rd_intensity", "op": ">=", "value": 0.05}, True),  # 500 / 10000
        ({"field": "firm_age", "op": ">=", "value": 6}, True),  # 2020-01-01 → 2026-01-01
        ({"field": "firm_age", "op": ">=", "value": 6.01}, False),
        ({"field": "region", "op": "in", "value": ["320000"]}, True),  # province covers county
        ({"field": "region", "op": "in", "value": ["320100"]}, False),
        ({"field": "industry", "op": "in", "value": ["39"]}, True),  # division prefix
        ({"field": "tags", "op": "all", "value": ["srdi", "high_tech"]}, False),
        ({"field": "tags", "op": "any", "value": ["srdi", "high_tech"]}, True),
        ({"field": "cluster", "op": "in", "value": ["NC2021-02"]}, True),
    ],
)
def test_conditions_by_hand(cond: dict, expected: bool) -> None:
    ok, lines = evaluate(FIRM, [cond], on=ON)
    assert ok is expected and lines[0]["passed"] is expected


@pytest.mark.parametrize(
    "founded",
    ["2020-01-01", dt.datetime(2020, 1, 1, 9, 30), pd.Timestamp("2020-01-01")],
)
def test_firm_age_from_text_datetime_and_timestamp(founded: object) -> None:
    # Records read through pandas carry Timestamps, not dates; the age must still be computed.
    firm = {**FIRM, "founded": founded}
    ok, lines = evaluate(firm, [{"field": "firm_age", "op": ">=", "value": 6}], on=ON)
    assert ok is True and lines[0]["firm_value"] == pytest.approx(2192 / 365.25)


def test_missing_value_never_qualifies_and_is_reported() -> None:
    firm = {**FIRM, "revenue": None}
    ok, lines = evaluate(firm, [{"field": "revenue", "op": "<", "value": 1e9}], on=ON)
    assert ok is False and lines[0]["passed"] is None
    assert "缺少数据" in lines[0]["reason_zh"] and "missing" in lines[0]["reason_en"]
    ok, lines = evaluate(firm, [{"field": "rd_intensity", "op": ">=", "value": 0}], on=ON)
    assert ok is False and lines[0]["passed"] is None
    # an unknown condition is not a narrow miss
    assert not narrow_miss(lines)


def test_narrow_miss_and_any_of() -> None:
    rule = [
        {"field": "tags", "op": "has", "value": "little_giant"},
        {"field": "revenue", "op": ">=", "value": 11000},  # 10000 is 9.1% short
    ]
    ok, lines = evaluate(FIRM, rule, on=ON)
    assert not ok and narrow_miss(lines)
    assert lines[1]["shortfall"] == pytest.approx(1000 / 11000)
    ok, lines = evaluate(FIRM, [{"field": "revenue", "op": ">=", "value": 12000}], on=ON)
    assert not narrow_miss(lines)  # 16.7% short
    any_rule = [
        {
            "any_of": [
                {"field": "revenue", "op": ">=", "value": 1e6},
                {"field": "tags", "op": "has", "value": "srdi"},
            ]
        }
    ]
    assert evaluate(FIRM, any_rule, on=ON)[0] is True


def test_rule_validation_lists_every_problem() -> None:
    with pytest.raises(JiqunError) as e:
        validate_rule(
            [
                {"field": "revenue", "op": "~", "value": 1},
                {"field": "colour", "op": "in", "value": ["red"]},
                {"field": "tags", "op": "any", "value": "srdi"},
            ]
        )
    msg = str(e.value)
    assert "condition 1" in msg and "condition 2" in msg and "condition 3" in msg
    with pytest.raises(JiqunError):
        validate_rule([])


def test_sql_equals_python_on_a_population(engine: Engine) -> None:
    rng = np.random.default_rng(4)
    n = 300
    rows = []
    for k in range(n):
        rows.append(
            {
                "uscc": f"9132021400{k:07d}X"[:18],
                "name": f"f{k}",
                "region_code": str(rng.choice(["320214", "320100", "110101", "440300"])),
                "industry_code": str(rng.choice(["3973", "3976", "2720", "3841"])),
                "founded": None if k % 17 == 0 else dt.date(2000 + int(rng.integers(0, 25)), 6, 1),
                "employees": None if k % 13 == 0 else int(rng.integers(5, 3000)),
                "revenue": None if k % 11 == 0 else float(rng.gamma(1.0, 20000)),
                "output": None,
                "rd_expense": float(rng.gamma(1.0, 800)),
                "tags": str(rng.choice(["", "srdi", "srdi;little_giant", "high_tech"])) or None,
                "synthetic": False,
            }
        )
    with engine.begin() as c:
        bulk.insert(c, Enterprise.__table__, pd.DataFrame(rows))
    rules = [
        [
            {"field": "revenue", "op": ">=", "value": 20000},
            {"field": "employees", "op": "<", "value": 1000},
        ],
        [{"field": "rd_intensity", "op": ">", "value": 0.04}],
        [
            {"field": "firm_age", "op": ">=", "value": 10},
            {"field": "region", "op": "in", "value": ["320000"]},
        ],
        [
            {
                "any_of": [
                    {"field": "tags", "op": "has", "value": "little_giant"},
                    {"field": "industry", "op": "in", "value": ["38"]},
                ]
            }
        ],
        [{"field": "tags", "op": "all", "value": ["srdi", "little_giant"]}],
    ]
    for rule in rules:
        cond, params = to_sql(rule, on=ON)
        with engine.connect() as c:
            got = set(
                c.execute(text(f"SELECT e.uscc FROM enterprises e WHERE {cond}"), params).scalars()
            )
        want = {r["uscc"] for r in rows if evaluate({**r, "clusters": []}, rule, on=ON)[0]}
        assert got == want, rule


def test_evaluation_scores_and_advice_by_hand() -> None:
    ind = pd.DataFrame(
        {
            "cluster_id": ["A", "B", "C", "D", "A", "B", "C", "D"],
            "year": [2022] * 4 + [2023] * 4,
            "tier": ["national", "national", "national", "provincial"] * 2,
            # log → 1, 2, 3 (D: a provincial cluster, ranked among the provincial ones only);
            # specialisation is scored on its log too
            "scale": [np.e, np.e**2, np.e**3, np.e**9] * 2,
            "specialisation": list(np.exp([3.0, 1.0, 2.0, 9.0, 1.0, 1.0, 2.0, 9.0])),
        }
    )
    r = evaluate_clusters(ind, weights={"scale": 1.0, "specialisation": 1.0}).set_index(
        ["cluster_id", "year"]
    )
    # 2022: scale scaled 0, 50, 100; spec scaled 100, 0, 50 → scores 50, 25, 75
    assert r.loc[("A", 2022), "score"] == pytest.approx(50.0)
    assert r.loc[("B", 2022), "score"] == pytest.approx(25.0)
    assert r.loc[("C", 2022), "score"] == pytest.approx(75.0)
    # 2023: spec scaled 0, 0, 100 → A 0, B 25, C 100; A fell 50 points → warning
    assert r.loc[("A", 2023), "score"] == pytest.approx(0.0)
    assert r.loc[("A", 2023), "advice"] == "decline_warning"
    assert r.loc[("D", 2023), "advice"] == "national_candidate"  # provincial in the top 25%
    assert r.loc[("D", 2023), "score"] == pytest.approx(50.0)  # alone: constants scale to 50
    assert r.loc[("B", 2023), "rank"] == 2
    assert r.loc[("D", 2023), "rank"] == 1
    with pytest.raises(JiqunError, match="unknown indicators"):
        evaluate_clusters(ind, weights={"beauty": 1.0})


def test_missing_indicator_is_left_out_not_zero() -> None:
    ind = pd.DataFrame(
        {
            "cluster_id": ["A", "B"],
            "year": [2023, 2023],
            "tier": ["national"] * 2,
            "scale": [np.e, np.e**2],
            "digital": [np.nan, 0.5],
        }
    )
    r = evaluate_clusters(ind, weights={"scale": 1.0, "digital": 1.0}).set_index("cluster_id")
    assert r.loc["A", "score"] == pytest.approx(0.0)  # scale only
    assert r.loc["A", "missing"] == "digital"
    assert r.loc["B", "score"] == pytest.approx(75.0)  # (100 + 50) / 2: a constant scales to 50
