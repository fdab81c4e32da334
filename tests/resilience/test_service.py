"""The resilience service and CLI on a small demo database (synthetic, 5,000 enterprises)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.services import resilience as svc
from jiqun.standard.problems import JiqunError


def test_service_and_cli_on_demo(demo_engine: Engine, tmp_path: Path) -> None:
    engine = demo_engine
    with engine.connect() as c:
        cluster = c.execute(
            text(
                "SELECT cr.cluster_id FROM cluster_regions cr JOIN enterprises e "
                "ON e.region_code LIKE substr(cr.region_code, 1, 4) || '%' "
                "GROUP BY cr.cluster_id ORDER BY COUNT(*) DESC LIMIT 1"
            )
        ).scalar()
    # whole database
    data = svc.load_network(engine)
    assert (
        data.synthetic and data.basis["unit"] == "万元" and data.basis["value_or_count"] == "value"
    )
    assert data.firms["in_scope"].all() and len(data.links) > 5000

    rep = svc.resilience_metrics(engine, cluster=cluster, top=5, esri_candidates=20)
    s = rep.summary
    assert 0 < s["firms_in_scope"] < s["firms"]
    assert 0.0 <= s["single_sourced_count_share"] <= 1.0
    assert 0.0 <= s["single_sourced_value_share"] <= 1.0
    assert rep.basis["synthetic"] and "not survey-based" in rep.basis["essentiality"]
    assert len(rep.esri) <= 5 and rep.esri["esri"].between(0, 1).all()
    assert rep.esri["esri"].is_monotonic_decreasing
    assert {"input_category", "single_sourced_share", "mean_hhi"} <= set(rep.inputs.columns)
    assert {"hhi", "foreign_share", "dependency"} <= set(rep.geographic.columns)
    assert any("synthetic" in n for n in rep.notes)

    # scenarios: the most systemic supplier fails; its prefecture locks down; imports stop
    top = rep.esri["id"].iloc[0]
    sc = svc.scenario(engine, firm=top, cluster=cluster)
    assert sc.summary["shocked"] == 1 and sc.summary["loss_share"] > 0
    assert sc.firms["in_scope"].all() and sc.firms["loss"].between(0, 1).all()
    assert len(sc.alternatives) and (sc.alternatives["failed"] == top).all()
    region = str(rep.esri["region"].iloc[0])[:4] + "00"
    lock = svc.scenario(engine, lockdown=region)
    assert lock.summary["shocked"] > 0 and lock.summary["affected"] >= lock.summary["shocked"]
    shocked = set(lock.result.firms.index[lock.result.firms["shocked"] > 0])
    assert not shocked & set(lock.alternatives["candidate"])
    thr = svc.scenario(engine, lockdown=region, model="threshold")
    assert "rounds" in thr.summary and thr.basis["model"] == "threshold"
    imp = svc.scenario(engine, import_stop_industry="39", outside=region)
    assert imp.summary["stopped_value"] > 0
    # the demo's foreign suppliers sell chips, equipment, instruments, drugs: not food
    assert svc.scenario(engine, import_stop_industry="39").summary["stopped_value"] > 0
    with pytest.raises(JiqunError, match="outside the country"):
        svc.scenario(engine, import_stop_industry="13")
    with pytest.raises(JiqunError, match="exactly one"):
        svc.scenario(engine, firm=top, lockdown=region)

    # outputs
    for ext in ("xlsx", "json", "csv"):
        p = svc.write_output(sc, tmp_path / f"s.{ext}")
        assert p.stat().st_size > 0
    wb = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert {"summary", "basis", "notes", "firms", "by_region", "alternatives"} <= set(wb.sheetnames)
    doc = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert doc["basis"]["synthetic"] is True and doc["tables"]["firms"]
    assert len(pd.read_csv(tmp_path / "s.csv")) == len(sc.firms)

    # web helpers
    hot = svc.cluster_hot_spots(cluster, engine)
    assert {"esri", "dominated"} <= set(hot.table.columns) and hot.basis["synthetic"]
    loss = svc.scenario_loss(None, "region", region, engine)
    assert "province" in loss.table.columns and loss.basis["year"] == data.year

    # CLI (the engine fixture points JIQUN_DATABASE_URL at this database)
    runner = CliRunner()
    r = runner.invoke(app, ["resilience", "metrics", "--cluster", cluster, "--top", "3",
                            "--esri-candidates", "10", "--out", str(tmp_path / "m.json")])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "模拟数据 SYNTHETIC" in r.output and "万元" in r.output and "ESRI" in r.output
    assert json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))["summary"]
    r = runner.invoke(app, ["resilience", "scenario", "--region", region, "--top", "3"])
    assert r.exit_code == 0, r.output
    assert "regional lockdown" in r.output and "口径 basis" in r.output
    r = runner.invoke(app, ["resilience", "scenario", "--firm", "NOPE"])
    assert r.exit_code != 0 and isinstance(r.exception, JiqunError)
