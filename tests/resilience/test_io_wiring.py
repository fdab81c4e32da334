"""``essentiality="io"``: the input–output alternative to the rule-built matrix, through the
resilience service and ``jiqun resilience scenario --essentiality io`` (demo database; the real
NBS 42-sector table from the shared datasets, skipped when absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.services import resilience as svc
from jiqun.standard.problems import JiqunError


@pytest.fixture
def io_table(shared_datasets_dir: Path) -> Path:
    p = shared_datasets_dir / "real_cn" / "io_tables_nbs" / "china_2020_42.csv"
    if not p.is_file():
        pytest.skip(f"no NBS 42-sector table at {p}")
    return p


def _region(engine: Engine) -> str:
    with engine.connect() as c:
        code = c.execute(
            text(
                "SELECT substr(region_code, 1, 4) FROM enterprises GROUP BY 1 "
                "ORDER BY COUNT(*) DESC LIMIT 1"
            )
        ).scalar()
    return f"{code}00"


@pytest.mark.slow
def test_io_essentiality_differs_and_names_the_table(
    demo_engine: Engine, io_table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIQUN_IO_TABLE", raising=False)
    region = _region(demo_engine)
    rule = svc.scenario(demo_engine, lockdown=region)
    io = svc.scenario(demo_engine, lockdown=region, essentiality="io", io_table=io_table)
    assert "not survey-based" in rule.basis["essentiality"]
    assert "IO-based essentiality" in io.basis["essentiality"]
    assert "china_2020_42.csv" in io.basis["essentiality"]
    a = rule.result.firms["loss"].sort_index()
    b = io.result.firms["loss"].reindex(a.index)
    assert not a.equals(b) and (a - b).abs().max() > 1e-9
    # the rule-built default is still the default
    assert svc.scenario(demo_engine, lockdown=region).basis == rule.basis

    # CLI: the configured table (JIQUN_IO_TABLE) and --essentiality io
    monkeypatch.setenv("JIQUN_IO_TABLE", str(io_table))
    out = tmp_path / "s.json"
    r = CliRunner().invoke(
        app,
        ["resilience", "scenario", "--region", region, "--essentiality", "io", "--top", "3",
         "--out", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert "IO-based essentiality" in doc["basis"]["essentiality"]
    assert "china_2020_42.csv" in doc["basis"]["essentiality"]
    assert doc["summary"]["loss_share"] == pytest.approx(io.summary["loss_share"])
    assert doc["summary"]["loss_share"] != pytest.approx(rule.summary["loss_share"])


def test_io_essentiality_without_a_table_is_refused(
    demo_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIQUN_IO_TABLE", raising=False)
    region = _region(demo_engine)
    with pytest.raises(JiqunError) as exc:
        svc.scenario(demo_engine, lockdown=region, essentiality="io")
    assert "JIQUN_IO_TABLE" in exc.value.message_en and "投入产出表" in exc.value.message_zh
    r = CliRunner().invoke(
        app, ["resilience", "scenario", "--region", region, "--essentiality", "io"]
    )
    assert r.exit_code == 1 and isinstance(r.exception, JiqunError)
    assert "--io-table" in str(r.exception)
    with pytest.raises(JiqunError, match="no input-output table file"):
        svc.scenario(
            demo_engine, lockdown=region, essentiality="io", io_table=tmp_path / "nope.csv"
        )


def test_rule_matrix_unchanged_without_option(demo_engine: Engine) -> None:
    rep = svc.scenario(demo_engine, lockdown=_region(demo_engine))
    assert isinstance(rep.firms, pd.DataFrame)
    assert any("rule-based default" in n for n in rep.notes)


@pytest.mark.slow
def test_hot_spots_rules_by_default_io_keyed_by_the_table(
    demo_engine: Engine, io_table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import shutil

    monkeypatch.delenv("JIQUN_IO_TABLE", raising=False)
    cid = "NC2021-02"
    rule = svc.cluster_hot_spots(cid, engine=demo_engine, top=5)
    assert rule.basis["essentiality_matrix"] == svc.RULES_MATRIX_BASIS
    assert "规则矩阵" in rule.basis["essentiality_matrix"]
    assert "not survey-based" in rule.basis["essentiality"]
    # the refresh job's call (cluster, engine) is the same stored result as the named default
    assert svc.cluster_hot_spots(cid, demo_engine, top=5, essentiality="rules") is rule

    with pytest.raises(JiqunError) as exc:
        svc.cluster_hot_spots(cid, engine=demo_engine, top=5, essentiality="io")
    assert "JIQUN_IO_TABLE" in exc.value.message_en and "投入产出表" in exc.value.message_zh

    table = tmp_path / "china_2020_42.csv"
    shutil.copy(io_table, table)
    monkeypatch.setenv("JIQUN_IO_TABLE", str(table))
    calls: list[object] = []
    real = svc.resilience_metrics

    def counting(*a: object, **k: object) -> svc.MetricsReport:
        calls.append(k.get("essentiality"))
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(svc, "resilience_metrics", counting)
    io = svc.cluster_hot_spots(cid, engine=demo_engine, top=5, essentiality="io")
    assert calls == ["io"]
    assert "投入产出表 china_2020_42.csv" in io.basis["essentiality_matrix"]
    assert "IO-based essentiality" in io.basis["essentiality"]
    assert (
        not io.table["esri"]
        .reset_index(drop=True)
        .equals(rule.table["esri"].reset_index(drop=True))
    )
    # the same table: the stored result; a replaced table (new mtime): computed again
    svc.cluster_hot_spots(cid, engine=demo_engine, top=5, essentiality="io")
    assert calls == ["io"]
    st = table.stat()
    os.utime(table, (st.st_atime, st.st_mtime + 100))
    svc.cluster_hot_spots(cid, engine=demo_engine, top=5, essentiality="io")
    assert calls == ["io", "io"]
    # the default stays the rule-built one with a table configured
    again = svc.cluster_hot_spots(cid, engine=demo_engine, top=5)
    assert again.basis == rule.basis and calls == ["io", "io"]


def test_audit_names_the_io_table_and_writes_nothing_for_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The audit detail of a scenario or hot-spot read names the input–output table by its file
    name when the answer used it, and adds nothing for the rule-built default (the zh audit page
    showed the internal value ``rules``)."""
    from jiqun.services.resilience import _io_audit

    monkeypatch.setenv("JIQUN_IO_TABLE", "/data/tables/china_2020_42.csv")
    assert _io_audit(None) == {} and _io_audit("rules") == {}
    assert _io_audit("io") == {"io_table": "china_2020_42.csv"}
