"""Golden test of policy eligibility on the engine: every demo policy, and rules using every field
and operator, select the same firms (and the same count of firms left out for missing data) on
the lake through the engine (DuckDB, Spark local) as the SQL compiled for the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from jiqun.services import cache, lake
from jiqun.services.policy import firms_for_policy, load_demo_policies, rule_firms

pytestmark = pytest.mark.engine

ON = dt.date(2026, 6, 1)

#: every field and operator of jiqun.policy.rules, beyond what the demo policies use
RULES: list[list[dict[str, Any]]] = [
    [{"field": "region", "op": "in", "value": ["320000", "4403"]}],
    [
        {"field": "region", "op": "in", "value": ["3205"]},
        {"field": "employees", "op": ">", "value": 20},
    ],
    [{"field": "industry", "op": "in", "value": ["39", "2611"]}],
    [{"field": "tags", "op": "all", "value": ["srdi", "little_giant"]}],
    [{"field": "tags", "op": "any", "value": ["high_tech", "single_champion"]}],
    [
        {"field": "revenue", "op": "<=", "value": 800},
        {"field": "rd_expense", "op": ">", "value": 10},
    ],
    [{"field": "employees", "op": "==", "value": 50}],
    [{"field": "rd_intensity", "op": "<", "value": 0.01}],
    [{"field": "firm_age", "op": "<", "value": 5.5}],
    [{"field": "firm_age", "op": ">", "value": 12}, {"field": "revenue", "op": ">", "value": 0}],
    [{"field": "digital_level", "op": ">=", "value": 3}],
    [
        {"field": "cluster", "op": "in", "value": ["NC2022-04", "NC2021-03", "NO-SUCH"]},
        {
            "any_of": [
                {"field": "firm_age", "op": ">=", "value": 8},
                {"field": "tags", "op": "has", "value": "srdi"},
                {"field": "digital_level", "op": "<=", "value": 2},
            ]
        },
    ],
]


def _member_outside_area(engine: Engine) -> str:
    """Approve a membership of NC2022-04 for a firm outside its area (the member path)."""
    with engine.begin() as c:
        uscc = c.execute(
            text(
                "SELECT uscc FROM enterprises WHERE uscc NOT IN (SELECT uscc FROM cluster_members) "
                "AND region_code LIKE '11%' ORDER BY uscc"
            )
        ).scalar()
        c.execute(
            text(
                "INSERT INTO cluster_members (cluster_id, uscc, status, synthetic) "
                "VALUES ('NC2022-04', :u, 'approved', true)"
            ),
            {"u": uscc},
        )
    return str(uscc)


def test_rules_on_the_engine_select_the_store_firm_sets(
    demo_engine: Engine, lake_env: str, sync_lake: Callable[[Engine], None]
) -> None:
    ids = load_demo_policies(demo_engine)
    member = _member_outside_area(demo_engine)
    store = {pid: firms_for_policy(pid, demo_engine, on=ON) for pid in ids}
    store_rules = [rule_firms(r, demo_engine, ON) for r in RULES]
    assert all(w == demo_engine.dialect.name for _, _, w in store_rules)
    # the cases are not vacuous: each selects some firms and leaves some out
    for firms, _, _ in store_rules:
        assert 0 < len(firms) < 5000
    assert member in set(store_rules[-1][0]["uscc"])

    sync_lake(demo_engine)
    for pid, (old, old_info) in store.items():
        new, info = firms_for_policy(pid, demo_engine, on=ON)
        assert info["evaluated_in"] == lake_env
        assert len(old) > 0, pid
        pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12)
        same = ("qualifying", "unknown_missing_data", "synthetic")
        assert {k: info[k] for k in same} == {k: old_info[k] for k in same}, pid
    for rule, (old, old_unknown, _) in zip(RULES, store_rules, strict=True):
        new, unknown, where = rule_firms(rule, demo_engine, ON)
        assert where == lake_env
        assert new["uscc"].tolist() == old["uscc"].tolist(), rule
        pd.testing.assert_frame_equal(new, old, check_exact=False, rtol=1e-12)
        assert unknown == old_unknown, rule


def test_a_lake_behind_the_store_is_not_read(demo_engine: Engine, lake_env: str) -> None:
    rule = [{"field": "revenue", "op": ">=", "value": 5000}]
    lake.sync(demo_engine, refresh=False)
    assert rule_firms(rule, demo_engine, ON)[2] == lake_env
    cache.bump(demo_engine)  # a write outside the lake: the store answers until the next sync
    assert rule_firms(rule, demo_engine, ON)[2] == demo_engine.dialect.name
