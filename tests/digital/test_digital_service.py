"""Stored assessments (save / resume / submit), gap against chain leaders, cluster index, demo
set and the ``jiqun assess`` CLI, on a small hand-made population."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from digital_fixtures import all_max, all_min, make_uscc, mixed
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.services import digital as svc
from jiqun.standard.problems import JiqunError

L1 = make_uscc("440305", 1)  # chain leader by tag, Shenzhen county, IC manufacturing
L2 = make_uscc("440300", 2)  # chain leader by member role
S1 = make_uscc("440306", 3)  # SME, listed member
S2 = make_uscc("440307", 4)  # SME, in a member region and a leading industry (not listed)
X = make_uscc("540102", 5)  # outside every cluster (拉萨)
Y = make_uscc("440304", 6)  # in the region, industry 1311 (not leading): only in TEST-01
CID = "NC2021-01"  # 深圳市新一代信息通信集群: 440300; 3921 3922 3911 3973 3976 3982 6520


def _firms(engine: Engine, synthetic: bool = False) -> None:
    rows = [
        (L1, "领航芯片", "440305", "3973", 5000, "chain_leader;high_tech"),
        (L2, "链主通信", "440300", "3921", 3000, None),
        (S1, "小微电子", "440306", "3982", 120, "srdi"),
        (S2, "元件二厂", "440307", "3976", 40, None),
        (X, "高原芯片", "540102", "3973", 80, None),
        (Y, "粮食加工", "440304", "1311", 15, None),
    ]
    with engine.begin() as c:
        for u, name, reg, ind, emp, tags in rows:
            c.execute(
                text(
                    "INSERT INTO enterprises (uscc, name, region_code, industry_code, employees, "
                    "tags, synthetic) VALUES (:u, :n, :r, :i, :e, :t, :s)"
                ),
                {"u": u, "n": name, "r": reg, "i": ind, "e": emp, "t": tags, "s": synthetic},
            )
        for u, role in ((L2, "chain_leader"), (S1, "member")):
            c.execute(
                text(
                    "INSERT INTO cluster_members (cluster_id, uscc, role, synthetic) "
                    "VALUES (:c, :u, :r, :s)"
                ),
                {"c": CID, "u": u, "r": role, "s": synthetic},
            )
        c.execute(
            text(
                "INSERT INTO clusters (cluster_id, name, tier, synthetic) "
                "VALUES ('TEST-01', '测试粮食集群', 'provincial', false)"
            )
        )
        c.execute(text("INSERT INTO cluster_regions VALUES ('TEST-01', '440300')"))
        c.execute(text("INSERT INTO cluster_industries VALUES ('TEST-01', '1311')"))


def test_save_resume_submit(engine: Engine) -> None:
    _firms(engine)
    full = mixed()
    first = dict(list(full.items())[:10])
    s = svc.save_assessment(S1, first, engine=engine)
    assert s.status == "draft" and s.result.level is None and s.firm_name == "小微电子"
    with engine.connect() as c:
        row = c.execute(text("SELECT * FROM digital_assessments WHERE id = :i"), {"i": s.id})
        r = row.mappings().one()
    assert r["status"] == "draft" and r["score"] is None and r["level"] is None
    assert json.loads(r["answers"])["network"] == ["A", "B"]  # normalised ids are stored

    back = svc.load_assessment(s.id, engine)
    assert len(back.result.missing) == 21 and back.result.total == s.result.total

    # an invalid answer while resuming changes nothing
    with pytest.raises(JiqunError) as e:
        svc.update_assessment(s.id, {"设备联网": 101}, engine=engine)
    assert e.value.problems[0].column == "equipment_networking"
    assert svc.load_assessment(s.id, engine).result.answers == back.result.answers

    # submitting while incomplete lists every missing item
    with pytest.raises(JiqunError) as e:
        svc.update_assessment(s.id, {"资金保障": 15}, submit=True, engine=engine)
    assert len(e.value.problems) == 20 and all(
        p.rule == "digital.answer.missing" for p in e.value.problems
    )

    rest = dict(list(full.items())[10:])
    done = svc.update_assessment(s.id, rest, engine=engine)
    assert done.status == "submitted" and done.result.total == 46.625 and done.result.level == 2
    with engine.connect() as c:
        sc, lv = c.execute(
            text("SELECT score, level FROM digital_assessments WHERE id = :i"), {"i": s.id}
        ).one()
    assert (sc, lv) == (46.625, 2)
    with pytest.raises(JiqunError, match="submitted"):
        svc.update_assessment(s.id, {"network": []}, engine=engine)
    with pytest.raises(JiqunError):
        svc.save_assessment("123", full, engine=engine)
    with pytest.raises(JiqunError):
        svc.load_assessment(9999, engine)
    lst = svc.list_assessments(uscc=S1, engine=engine)
    assert lst["status"].tolist() == ["submitted"]


def test_gap_against_chain_leaders(engine: Engine) -> None:
    _firms(engine)
    assert svc.firm_clusters(S2, engine) == [CID]  # region + leading-industry rule
    assert svc.firm_clusters(X, engine) == []
    old = svc.save_assessment(L1, all_min(), engine=engine)
    svc.save_assessment(L1, all_max(), engine=engine)  # the latest submission counts
    svc.save_assessment(L2, all_min(), engine=engine)
    svc.save_assessment(L2, dict(list(all_max().items())[:3]), engine=engine)  # draft: ignored
    me = svc.save_assessment(S1, mixed(), engine=engine)
    assert old.id < me.id
    g = svc.assessment_gap(me.id, engine=engine)
    assert g.clusters == [CID] and g.leader_usccs == sorted([L1, L2])
    assert g.leaders is not None and g.leaders.n_peers == 2
    assert g.leaders.peer_mean_total == 52.0  # (100 + 4) / 2
    assert g.leaders.actions.iloc[0]["item_id"] == "equipment_networking"
    assert g.next_level.next_level == 3 and g.next_level.deficit == 13.375
    assert "chain_leader" in g.leader_basis_en and not g.synthetic

    out = svc.assessment_gap(svc.save_assessment(X, mixed(), engine=engine).id, engine=engine)
    assert out.leaders is None and any("no cluster" in n for n in out.notes)


def test_gap_when_leaders_have_no_assessment(engine: Engine) -> None:
    _firms(engine)
    me = svc.save_assessment(S1, mixed(), engine=engine)
    g = svc.assessment_gap(me.id, engine=engine)
    assert g.leaders is not None and g.leaders.n_peers == 0 and g.leaders.actions.empty
    assert any("none of the 2 chain leaders" in n for n in g.leaders.notes)


def test_cluster_index_db(engine: Engine) -> None:
    _firms(engine)
    svc.save_assessment(L1, all_max(), engine=engine)
    svc.save_assessment(L2, all_min(), engine=engine)
    svc.save_assessment(S1, mixed(), engine=engine)
    ix = svc.cluster_index(CID, engine=engine)
    s = ix.summary
    # members L1, L2, S1, S2 (X outside, Y not in a leading industry); S2 not assessed
    assert (s["firms"], s["assessed"]) == (4, 3)
    assert s["mean_score"] == pytest.approx(50.21) and s["share_level3_plus"] == pytest.approx(
        1 / 3, abs=1e-4
    )
    grp = ix.by_group.set_index("group")
    assert grp.loc["chain_leader", "firms"] == 2 and grp.loc["sme", "firms"] == 2
    assert grp.loc["sme", "assessed"] == 1 and grp.loc["sme", "mean_score"] == 46.62
    assert ix.by_size.set_index("size").loc["large", "firms"] == 2
    assert ix.basis["segment_basis_en"]  # either a chain template or the division fallback
    assert not ix.synthetic

    fb = svc.cluster_index("TEST-01", engine=engine)  # 1311 is in no chain template
    assert fb.summary["firms"] == 1 and "division" in fb.basis["segment_basis_en"]
    assert fb.by_segment["segment"].tolist() == ["13"]
    assert any("no submitted" in n for n in fb.notes) and any(
        "no chain leaders" in n for n in fb.notes
    )
    with pytest.raises(JiqunError):
        svc.cluster_index("NOPE", engine=engine)


def test_demo_assessments_seeded_and_marked(engine: Engine) -> None:
    _firms(engine, synthetic=True)
    user = svc.save_assessment(S1, mixed(), engine=engine)  # a user row survives rebuilds

    def snapshot() -> list[Any]:
        with engine.connect() as c:
            return c.execute(
                text(
                    "SELECT uscc, framework, status, answers, score, level, synthetic "
                    "FROM digital_assessments WHERE synthetic = :t ORDER BY uscc, framework"
                ),
                {"t": True},
            ).all()

    n = svc.generate_demo_assessments(engine, seed=7, n=5, gbt_share=0.4)
    first = snapshot()
    assert n == len(first) == 5 + 2  # 5 MIIT + ceil(5 × 0.4) GB/T
    assert svc.generate_demo_assessments(engine, seed=7, n=5, gbt_share=0.4) == n
    assert snapshot() == first  # same seed, same rows; old synthetic rows replaced
    assert all(r.synthetic for r in first)
    assert {L1, L2} <= {r.uscc for r in first}  # chain leaders always answer
    gbt = [r for r in first if r.framework == "gbt39116"]
    assert {r.uscc for r in gbt} == {L1, L2}  # leaders first
    assert svc.load_assessment(user.id, engine).status == "submitted"
    ix = svc.cluster_index(CID, engine=engine)
    assert ix.synthetic and any("synthetic" in n for n in ix.notes)


def _fill_xlsx(path: Path, answers: dict[str, Any], uscc: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    i_id, i_ans = head.index("编号 id"), head.index("答案 answer")
    for row in ws.iter_rows(min_row=2):
        v = answers.get(row[i_id].value)
        if v is not None:
            row[i_ans].value = ";".join(v) if isinstance(v, list) else (v if v != [] else "无")
    rd = wb["说明 README"]
    for row in rd.iter_rows():
        if row[0].value == "uscc":
            row[1].value = uscc
    wb.save(path)


def test_cli_assess(engine: Engine, tmp_path: Path) -> None:
    _firms(engine)
    run = CliRunner().invoke
    r = run(app, ["assess", "questionnaire"])
    assert r.exit_code == 0 and "设备联网" in r.output and "2022" in r.output
    for ext in ("xlsx", "json", "csv"):
        r = run(app, ["assess", "questionnaire", "--out", str(tmp_path / f"q.{ext}")])
        assert r.exit_code == 0, r.output
    r = run(app, ["assess", "questionnaire", "-f", "gbt39116", "--out", str(tmp_path / "g.xlsx")])
    assert r.exit_code == 0

    # an SME fills the spreadsheet template (ids with Chinese labels as answers)
    ans = {k: v for k, v in all_max().items()}
    ans["network"] = ["工控网络", "B"]  # 100 − 4 = 96
    _fill_xlsx(tmp_path / "q.xlsx", ans, S1)
    r = run(app, ["assess", "score", str(tmp_path / "q.xlsx")])
    assert r.exit_code == 0, r.output
    assert "96" in r.output and "四级" in r.output and "依据 basis" in r.output

    # a partial JSON saved as a draft, resumed from a CSV, then the gap
    part = {"framework": "miit2024", "uscc": S1, "answers": dict(list(mixed().items())[:8])}
    (tmp_path / "part.json").write_text(json.dumps(part, ensure_ascii=False), "utf-8")
    r = run(app, ["assess", "score", str(tmp_path / "part.json"), "--save"])
    assert r.exit_code == 0, r.output
    assert "draft" in r.output
    aid = int(svc.list_assessments(uscc=S1, engine=engine)["id"].iloc[0])
    rest = list(mixed().items())[8:]
    lines = ["编号 id,答案 answer"] + [
        f"{k},{';'.join(v) if isinstance(v, list) else v}" for k, v in rest
    ]
    (tmp_path / "rest.csv").write_text("\n".join(lines), "utf-8")
    r = run(app, ["assess", "resume", str(aid), "--answers", str(tmp_path / "rest.csv")])
    assert r.exit_code == 0, r.output
    assert "submitted" in r.output and "46.625" in r.output
    r = run(app, ["assess", "gap", str(aid), "--out", str(tmp_path / "gap.xlsx")])
    assert r.exit_code == 0, r.output
    assert "提升路线" in r.output
    assert (tmp_path / "gap.xlsx").exists()
    r = run(app, ["assess", "cluster", CID, "--out", str(tmp_path / "ix.json")])
    assert r.exit_code == 0, r.output
    doc = json.loads((tmp_path / "ix.json").read_text("utf-8"))
    assert doc["summary"]["assessed"] == 1 and "by_size" in doc["tables"]
    r = run(app, ["assess", "list"])
    assert r.exit_code == 0 and S1 in r.output

    bad = {"answers": {"设备联网": 150, "nope": 1}}
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), "utf-8")
    r = run(app, ["assess", "score", str(tmp_path / "bad.json")])
    assert isinstance(r.exception, JiqunError) and len(r.exception.problems) == 2


def test_migration_matches_model(engine: Engine) -> None:
    """Migration 0003 creates digital_assessments exactly as the model declares it."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from jiqun.store.models import Base

    with engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    assert not [d for d in diff if "digital_assessments" in str(d)]
