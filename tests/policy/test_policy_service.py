"""Policy registry, matching, evaluation and allocation on a small stored demo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.services.policy import (
    add_policy,
    allocate_support,
    evaluate_stored_clusters,
    firms_for_policy,
    list_policies,
    load_demo_policies,
    policies_for_firm,
)
from jiqun.standard.problems import JiqunError

ON = dt.date(2026, 6, 1)


@pytest.mark.slow
def test_policy_matching_evaluation_allocation(demo_engine: Engine, tmp_path: Path) -> None:
    engine = demo_engine
    ids = load_demo_policies(engine)
    assert len(ids) == 4 and list_policies(engine, ON)["synthetic"].all()
    for pid in ids:
        firms, info = firms_for_policy(pid, engine, on=ON)
        assert info["qualifying"] == len(firms) and info["evaluated_in"] == engine.dialect.name
        # the database population and the per-firm reasons agree on a sample
        for uscc in list(firms["uscc"].head(5)):
            r = policies_for_firm(uscc, engine, on=ON)
            assert pid in {p["policy_id"] for p in r["qualified"]}
    # DEMO-P02 needs a digital level: firms never assessed are "unknown", never listed
    firms, info = firms_for_policy("DEMO-P02", engine, on=ON)
    with engine.connect() as c:
        assessed = set(
            c.execute(
                text(
                    "SELECT DISTINCT uscc FROM digital_assessments "
                    "WHERE framework = 'miit2024' AND status = 'submitted'"
                )
            ).scalars()
        )
    assert len(firms) > 0 and set(firms["uscc"]) <= assessed
    assert info["unknown_missing_data"] >= 5000 - len(assessed)

    res, basis, notes = evaluate_stored_clusters(engine, tier="national")
    assert basis["years"] == [2022, 2023] and basis["synthetic"] is True
    latest = res[res["year"] == 2023]
    scored = latest["score"].notna()
    assert latest["rank"].min() == 1 and latest.loc[scored, "score"].between(0, 100).all()
    # a cluster without enough data: no score, no rank, never a policy advice
    assert (latest.loc[~scored, "advice"] == "insufficient_data").all()
    assert latest.loc[~scored, "rank"].isna().all()
    # 浙东 names no city: recorded by its province, evaluated on it, and said so
    zd = latest.set_index("cluster_id").loc["NC2024-05"]
    assert zd["scale"] > 0 and zd["rank"] >= 1
    assert any("NC2024-05" in n and "province" in n for n in notes)
    # no firm and no carrier in the area: innovation is not counted as 0
    none = latest[latest["scale"].isna() & latest["specialisation"].isna()]
    assert none["innovation"].isna().all() or (none["innovation"] > 0).all()
    assert latest["digital"].notna().any()  # the demo's synthetic assessments feed it
    assert any("resilience" in n for n in notes)
    alloc, b = allocate_support(10000, engine, min_amount=50, max_amount=500)
    assert alloc.allocation["amount"].sum() == pytest.approx(10000)
    assert (alloc.allocation["amount"] >= 50 - 1e-6).all()
    assert b["unit"] == "万元"

    r = CliRunner().invoke(app, ["evaluate", "allocate", "--budget", "10000", "--max", "500"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(app, ["policy", "qualify", "DEMO-P01", "--out", str(tmp_path / "q.csv")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "q.csv").exists()


def test_add_policy_validation(engine: Engine) -> None:
    with pytest.raises(JiqunError, match="lacks fields: title"):
        add_policy(
            {
                "policy_id": "X",
                "issuer": "i",
                "rules": [{"field": "revenue", "op": ">", "value": 1}],
            },
            engine,
        )
    with pytest.raises(JiqunError, match="not a date"):
        add_policy(
            {
                "policy_id": "X",
                "title": "t",
                "issuer": "i",
                "rules": [{"field": "revenue", "op": ">", "value": 1}],
                "start_date": "2024-13-01",
            },
            engine,
        )
    with pytest.raises(JiqunError, match="ends before it starts"):
        add_policy(
            {
                "policy_id": "X",
                "title": "t",
                "issuer": "i",
                "rules": [{"field": "revenue", "op": ">", "value": 1}],
                "start_date": "2025-01-01",
                "end_date": "2024-01-01",
            },
            engine,
        )
    assert list_policies(engine).empty
