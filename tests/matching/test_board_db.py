"""The supply–demand board in the database, matching through the service, and ``jiqun match``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from match_population import PLACES, make_uscc
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.matching import Need
from jiqun.services import matching as svc
from jiqun.services.matching import index_cache
from jiqun.standard.problems import JiqunError
from jiqun.store.models import Enterprise

BUYER = make_uscc("320505", "20000001")
LEADER = make_uscc("320505", "20000002")
S1 = make_uscc("320205", "20000003")  # 无锡, reducers
S2 = make_uscc("320506", "20000004")  # 苏州, reducers
S3 = make_uscc("330106", "20000005")  # 杭州, textiles
GHOST = make_uscc("320505", "29999999")  # valid code, not registered


@pytest.fixture
def board(engine: Engine) -> Engine:
    def row(u: str, region: str, code: str, scope: str, tags: str | None = None) -> dict:
        lon, lat = PLACES[region]
        return {
            "uscc": u,
            "name": f"测试{u[-4:]}有限公司",
            "region_code": region,
            "industry_code": code,
            "business_scope": scope,
            "tags": tags,
            "revenue": 5000.0,
            "rd_expense": 100.0,
            "lon": lon,
            "lat": lat,
            "synthetic": False,
        }

    rows = [
        row(BUYER, "320505", "3491", "工业机器人"),
        row(LEADER, "320505", "3491", "工业机器人", tags="chain_leader"),
        row(S1, "320205", "3453", "谐波减速器、齿轮箱"),
        row(S2, "320506", "3453", "齿轮箱"),
        row(S3, "330106", "1711", "棉纺纱"),
    ]
    with engine.begin() as c:
        c.execute(Enterprise.__table__.insert(), rows)
    return engine


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as c:
        return int(c.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


def test_post_list_close_need(board: Engine) -> None:
    nid = svc.post_need(
        {
            "uscc": BUYER,
            "text": "谐波减速器",
            "industry_code": "3453",
            "quantity": 100,
            "unit": "台",
            "deadline": "2099-01-01",
        },
        engine=board,
    )
    df = svc.list_needs(engine=board)
    assert df["id"].tolist() == [nid] and df["name"].iloc[0].startswith("测试")
    assert df["deadline"].iloc[0] in (dt.date(2099, 1, 1), "2099-01-01") or str(
        df["deadline"].iloc[0]
    ).startswith("2099-01-01")
    need = svc.get_need(nid, engine=board)
    assert need.industry_code == "3453" and need.quantity == 100.0 and need.uscc == BUYER
    svc.close_need(nid, reason="已找到供应商", engine=board)
    assert svc.list_needs(engine=board).empty
    closed = svc.list_needs(engine=board, status="closed")
    assert closed["close_reason"].tolist() == ["已找到供应商"]
    with pytest.raises(JiqunError, match="already closed"):
        svc.close_need(nid, engine=board)
    with pytest.raises(JiqunError, match="no need with id 999"):
        svc.close_need(999, engine=board)
    with pytest.raises(JiqunError, match="is closed"):
        svc.match_need(nid, engine=board)
    with pytest.raises(JiqunError, match="unknown status"):
        svc.list_needs(engine=board, status="gone")


def test_invalid_or_unregistered_need_stores_nothing(board: Engine) -> None:
    with pytest.raises(JiqunError) as e:
        svc.post_need({"uscc": GHOST, "text": "减速器"}, engine=board)
    assert [p.rule for p in e.value.problems] == ["board.not_registered"]
    assert GHOST in e.value.message_en
    with pytest.raises(JiqunError) as e:
        svc.post_need({"uscc": BUYER, "text": "", "quantity": 3}, engine=board)
    assert {p.column for p in e.value.problems} == {"text", "unit"}
    assert _count(board, "match_needs") == 0


def test_capabilities_and_matching_through_the_service(board: Engine) -> None:
    nid = svc.post_need(
        {"uscc": BUYER, "text": "谐波减速器", "industry_code": "3453"}, engine=board
    )
    first = svc.match_need(nid, engine=board)
    assert first.table["uscc"].tolist()[:2] == [S1, S2]
    assert BUYER not in set(first.table["uscc"])
    assert not first.synthetic and first.basis["synthetic"] is False
    # a capability posted by S2 with the product words puts it first (index rebuilt)
    cid = svc.post_capability(
        {
            "uscc": S2,
            "products": "谐波减速器、RV减速器",
            "industry_code": "3453",
            "capacity": 500,
            "unit": "台",
            "certifications": "ISO 9001",
        },
        engine=board,
    )
    second = svc.match_need(nid, engine=board)
    top = second.table.iloc[0]
    assert top["uscc"] == S2 and top["source"] == "capability" and top["capability_id"] == cid
    caps = svc.list_capabilities(engine=board)
    assert caps["id"].tolist() == [cid]
    svc.close_capability(cid, engine=board)
    third = svc.match_need(nid, engine=board)
    assert (third.table["source"] == "registry").all()
    # ad-hoc need with cross-region switch: 苏州 and 无锡 are in real clusters' member regions
    adhoc = svc.match_need(
        need=Need("齿轮箱", "3453", uscc=BUYER), prefer_cross_region=True, engine=board
    )
    assert "region_rule" in adhoc.basis
    with pytest.raises(JiqunError, match="one of them"):
        svc.match_need(engine=board)


def test_supplier_lists(board: Engine) -> None:
    with pytest.raises(JiqunError) as e:
        svc.publish_supplier_list(BUYER, "名录", [S1], engine=board)
    assert e.value.problems[0].rule == "board.not_chain_leader"
    with pytest.raises(JiqunError) as e:
        svc.publish_supplier_list(LEADER, "名录", [S1, GHOST, "123"], engine=board)
    probs = {(p.row, p.rule) for p in e.value.problems}
    assert (2, "board.not_registered") in probs and (3, "uscc.length") in probs
    with pytest.raises(JiqunError, match="no segment"):
        svc.publish_supplier_list(
            LEADER, "名录", [S1], chain="industrial_robots", segment="nope", engine=board
        )
    assert _count(board, "supplier_lists") == 0
    lid = svc.publish_supplier_list(
        LEADER,
        "2026 年减速器合格供应商",
        {S1: "RV 减速器", S2: None},
        chain="industrial_robots",
        segment="reducers",
        engine=board,
    )
    lists = svc.list_supplier_lists(engine=board)
    assert lists["suppliers"].tolist() == [2] and lists["segment"].tolist() == ["reducers"]
    entries = svc.supplier_list_entries(lid, engine=board)
    assert set(entries["uscc"]) == {S1, S2}
    res = svc.match_need(need=Need("减速器", "3453", uscc=BUYER), engine=board)
    listed = res.table.set_index("uscc")["listed_by"]
    assert "2026 年减速器合格供应商" in listed[S1] and listed.get(S3, "") == ""
    svc.close_supplier_list(lid, engine=board)
    assert svc.list_supplier_lists(engine=board).empty
    with pytest.raises(JiqunError, match="no supplier list"):
        svc.supplier_list_entries(42, engine=board)


def test_import_all_or_nothing_and_skip_invalid(board: Engine, tmp_path: Path) -> None:
    f = tmp_path / "needs.csv"
    pd.DataFrame(
        {
            "统一社会信用代码": [BUYER, GHOST, BUYER],
            "需求产品": ["谐波减速器", "伺服电机", ""],
            "行业代码": ["3453", "3813", "3453"],
        }
    ).to_csv(f, index=False, encoding="utf-8-sig")
    with pytest.raises(JiqunError) as e:
        svc.import_board(f, "needs", engine=board)
    rows = sorted((p.row, p.column) for p in e.value.problems)
    assert rows == [(3, "uscc"), (4, "text")]
    assert _count(board, "match_needs") == 0
    res = svc.import_board(f, "needs", engine=board, mode="skip_invalid")
    assert (res["rows_read"], res["rows_written"], res["rows_rejected"]) == (3, 1, 2)
    assert _count(board, "match_needs") == 1
    with pytest.raises(JiqunError, match="unknown import mode"):
        svc.import_board(f, "needs", engine=board, mode="some")


def test_write_outputs(board: Engine, tmp_path: Path) -> None:
    res = svc.match_need(need=Need("减速器", "3453", uscc=BUYER), engine=board)
    for ext in ("csv", "xlsx", "json"):
        svc.write_match_output(res, tmp_path / f"m.{ext}")
    assert (tmp_path / "m.basis.json").exists()
    back = pd.read_csv(tmp_path / "m.csv", dtype={"uscc": str})
    assert back["uscc"].tolist() == res.table["uscc"].tolist()
    with pytest.raises(JiqunError, match=r"\.csv, \.xlsx or \.json"):
        svc.write_match_output(res, tmp_path / "m.txt")


def test_cli(board: Engine, tmp_path: Path) -> None:
    run = CliRunner().invoke
    r = run(
        app,
        [
            "match",
            "need",
            "add",
            "--uscc",
            BUYER,
            "--text",
            "谐波减速器",
            "--industry",
            "3453",
            "--quantity",
            "50",
            "--unit",
            "台",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "#1" in r.output
    r = run(
        app,
        [
            "match",
            "capability",
            "add",
            "--uscc",
            S1,
            "--products",
            "RV减速器",
            "--capacity",
            "100",
            "--unit",
            "台",
            "--cert",
            "ISO 9001",
        ],
    )
    assert r.exit_code == 0, r.output
    r = run(app, ["match", "need", "list"])
    assert r.exit_code == 0 and "谐波减速器" in r.output
    out = tmp_path / "s.json"
    r = run(app, ["match", "suppliers", "1", "--top", "3", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "total" in r.output and "code" in r.output and S1 in r.output
    assert out.exists()
    r = run(
        app,
        [
            "match",
            "suppliers",
            "--text",
            "齿轮箱",
            "--industry",
            "3453",
            "--buyer",
            BUYER,
            "--cross-region",
            "--weights",
            "code=0.5,text=0.5",
        ],
    )
    assert r.exit_code == 0, r.output
    r = run(app, ["match", "partners", "--keywords", "减速器", "--home", "320505"])
    assert r.exit_code == 0, r.output
    assert "innovation" in r.output
    r = run(
        app,
        [
            "match",
            "supplier-list",
            "publish",
            "--leader",
            LEADER,
            "--name",
            "名录",
            "--supplier",
            S1,
            "--supplier",
            S2,
        ],
    )
    assert r.exit_code == 0, r.output
    r = run(app, ["match", "supplier-list", "show", "1"])
    assert r.exit_code == 0 and S2 in r.output
    r = run(app, ["match", "need", "close", "1"])
    assert r.exit_code == 0
    r = run(app, ["match", "suppliers", "--weights", "code=x", "--text", "a"])
    assert r.exit_code != 0


def test_migration_0004_down_and_up(board: Engine) -> None:
    from alembic import command

    from jiqun.store.db import alembic_config, current_revision, is_current

    cfg = alembic_config(board)
    with board.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    assert current_revision(board) == "0003"
    with board.connect() as c:
        names = (
            {r[0] for r in c.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
            if board.dialect.name == "sqlite"
            else None
        )
    if names is not None:
        assert "match_needs" not in names and "supplier_list_entries" not in names
    with board.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert is_current(board)
    assert _count(board, "match_needs") == 0


def test_index_disk_cache(board: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIQUN_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(index_cache, "DISK_CACHE_MIN_CANDIDATES", 1)
    index_cache._CACHE.clear()
    ix = svc.load_index(engine=board)
    files = list((tmp_path / "cache").glob("match-index-*.pkl"))
    assert len(files) == 1
    index_cache._CACHE.clear()
    again = svc.load_index(engine=board)  # from disk
    assert again is not ix and again.n == ix.n and list(again.uscc) == list(ix.uscc)
    # a new capability changes the fingerprint: rebuilt, and the old file replaced
    svc.post_capability({"uscc": S3, "products": "棉纱"}, engine=board)
    third = svc.load_index(engine=board)
    assert third.n == ix.n + 1
    files2 = list((tmp_path / "cache").glob("match-index-*.pkl"))
    assert len(files2) == 1 and files2 != files
    index_cache._CACHE.clear()
