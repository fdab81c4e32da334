"""The invariant checks (:mod:`jiqun.services.invariants`) on the small demo: every cluster ×
fitting chain template and every region, no violation; and each check catches what it guards."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from jiqun.services.invariants import (
    COLUMNS,
    INVARIANTS,
    check_all,
    check_chain_report,
    check_evaluation,
)


@pytest.fixture(scope="module")
def demo(demo_copy) -> Engine:  # type: ignore[no-untyped-def]
    from jiqun.store.db import make_engine

    url = demo_copy.copy(name="invariants")
    eng = make_engine(url)
    yield eng
    eng.dispose()
    demo_copy.drop(url)


@pytest.mark.slow
def test_no_violation_on_the_small_demo(demo: Engine) -> None:
    seen: list[str] = []
    v = check_all(demo, progress=lambda stage, frac: seen.append(stage))
    assert list(v.columns) == COLUMNS
    assert set(v["invariant"]) <= set(INVARIANTS)
    bad = v[v["severity"] == "violation"]
    assert bad.empty, bad.to_string()
    checked = v.attrs["checked"]
    assert checked["clusters"] >= 80 and checked["regions"] >= 50
    assert checked["chain_reports"] >= 60
    # a data gap is only ever a missing figure, never a broken rule
    assert set(v["invariant"]) <= {"cluster.figures"}
    assert seen[-1].startswith("完成")


def test_chain_check_catches_a_segment_called_missing_with_firms(demo: Engine) -> None:
    from jiqun.services.chains import chain_report

    rep = chain_report("integrated_circuits", cluster="NC2021-03", engine=demo)
    assert check_chain_report(rep, "cluster", "NC2021-03") == []
    seg = rep.analysis.segments
    present = seg.loc[seg["firms"] > 0, "segment"].iloc[0]
    row = {c: None for c in rep.analysis.weak.table.columns}
    row.update(segment=present, reason="missing")
    rep.analysis.weak.table = pd.concat(
        [rep.analysis.weak.table, pd.DataFrame([row])], ignore_index=True
    )
    rep.analysis.completeness.completeness = 1.0 + 1e-3
    got = {r["invariant"] for r in check_chain_report(rep, "cluster", "NC2021-03")}
    assert got == {"chain.missing_with_firms", "chain.completeness"}


def test_evaluation_check_catches_zero_scores_and_unsigned_rank_change(demo: Engine) -> None:
    from jiqun.services.policy import evaluate_stored_clusters

    res = evaluate_stored_clusters(demo)[0]
    assert check_evaluation(res) == []
    broken = res.copy()
    short = broken.index[broken["score"].isna()][0]
    broken.loc[short, ["score", "advice"]] = [0.0, "maintain"]  # the old way: 0 and 保持
    scored = broken.index[broken["score"].notna()][0]
    broken.loc[scored, "score"] += 1.0  # no longer the sum of its parts
    moved = broken.index[broken["rank_change"].fillna(0) != 0][0]
    broken.loc[moved, "rank_change"] = -broken.loc[moved, "rank_change"]  # the other sign
    got = {r["invariant"] for r in check_evaluation(broken, groups=False)}
    assert got == {
        "evaluation.insufficient_data",
        "evaluation.score_parts",
        "evaluation.rank_change",
    }


def test_diagnosis_check_catches_totals_that_are_not_the_sum_of_their_rows() -> None:
    from types import SimpleNamespace

    from jiqun.services.invariants import check_diagnosis

    lead = pd.DataFrame(
        {
            "region_code": ["320200", "320200", "320500"],
            "industry_code": ["3841", "3842", "3841"],
            "value": [1.0, 2.0, 4.0],
        }
    )
    members = pd.DataFrame({"region_code": ["320200", "320500"], "leading_value": [3.0, 5.0]})
    cluster = pd.DataFrame({"industry_code": ["3841", "3842"], "cluster_value": [6.0, 2.0]})
    d = SimpleNamespace(
        tables={"members": members, "leading_industries": lead, "cluster_industries": cluster}
    )
    rows = check_diagnosis(d, "NC-T")
    assert [(r["kind"], r["id"], r["invariant"]) for r in rows] == [
        ("cluster", "NC-T", "diagnosis.totals")
    ] * 2
    assert rows[0]["message_zh"] == "成员 320500 主导产业合计 5.00 ≠ 分行业之和 4.00"
    assert rows[0]["message_en"] == "member 320500: leading value 5.00 ≠ rows 4.00"
    assert rows[1]["message_zh"] == "行业 3841 集群合计 6.00 ≠ 成员之和 5.00"
    assert rows[1]["message_en"] == "industry 3841: cluster value 6.00 ≠ members' 5.00"
    members.loc[1, "leading_value"] = 4.0
    cluster.loc[0, "cluster_value"] = 5.0 + 1e-12
    assert check_diagnosis(d, "NC-T") == []
