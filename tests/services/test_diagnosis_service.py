"""``jiqun diagnose`` and the diagnosis service on a small stored demo (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.metrics import location_quotient
from jiqun.services.diagnosis import diagnose_cluster
from jiqun.services.reports import TABLE_TITLES, write_report
from jiqun.standard.problems import JiqunError

CLUSTER = "NC2022-04"  # 京津冀生命健康集群: 北京 + 天津, biomedicine


@pytest.fixture
def demo(demo_engine: Engine) -> Engine:
    return demo_engine


def _stats_matrix(engine: Engine, year: int, measure: str) -> pd.DataFrame:
    """Independent prefecture × class matrix straight from SQL (county rows → prefecture)."""
    q = text(
        "SELECT CASE WHEN r.level = 'county' THEN r.parent_code ELSE r.code END AS pref, "
        "s.industry_code, SUM(s.value) AS v FROM region_stats s JOIN regions r "
        "ON r.code = s.region_code WHERE s.year = :y AND s.measure = :m AND r.level <> 'province' "
        "GROUP BY 1, 2"
    )
    with engine.connect() as c:
        df = pd.read_sql(q, c, params={"y": year, "m": measure})
    return df.pivot_table(index="pref", columns="industry_code", values="v", fill_value=0.0)


@pytest.mark.slow
def test_diagnose_demo_cluster_and_reports(demo: Engine, tmp_path: Path) -> None:
    d = diagnose_cluster(CLUSTER, engine=demo, measure="employment")
    assert d.synthetic and any("模拟数据" in n for n in d.notes)
    assert d.basis["year"] == 2023 and d.basis["previous_year"] == 2022
    assert d.basis["unit"] == "人" and "prefecture" in d.basis["region_level"]
    assert [m["code"] for m in d.cluster["member_regions"]] == ["110100", "120100"]
    for key in TABLE_TITLES:
        assert key in d.tables, key

    # LQs agree with an independent SQL pivot of the same stored rows (manufacturing scope)
    X = _stats_matrix(demo, 2023, "employment")
    X = X[[c for c in X.columns if "13" <= c[:2] <= "43" or c == "7340"]]
    lq = location_quotient(X)
    lead = d.tables["leading_industries"]
    for r in lead.itertuples():
        assert r.lq == pytest.approx(lq.loc[r.region_code, r.industry_code], rel=1e-12)
    assert set(lead["region_name"]) == {"北京市", "天津市"}
    assert lead["industry_name"].str.len().gt(0).all()

    st = d.tables["strength"]
    assert set(st.columns) >= {"qualifying", "significant", "strong", "strong10", "stars"}
    assert st["lq_rank"].ge(1).all()
    comp = d.tables["competition_regions"]
    assert comp.groupby("region_a").size().max() <= 10
    assert not (comp["region_a"] == comp["region_b"]).any()
    cc = d.tables["competition_clusters"]
    assert len(cc) and (cc["cluster_b"] != CLUSTER).all()
    nxt = d.tables["next_industries"]
    assert not nxt["present"].any() and nxt["pci"].notna().all()

    for suffix in ("json", "xlsx", "html"):
        write_report(d, tmp_path / f"r.{suffix}")
    js = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert js["basis"]["synthetic"] is True and js["cluster"]["cluster_id"] == CLUSTER
    assert len(js["tables"]["leading_industries"]["rows"]) == len(lead)
    wb = load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert wb.sheetnames[0] == "说明 README" and "主导产业专业化与趋势" in wb.sheetnames
    readme = [r[1] for r in wb["说明 README"].iter_rows(values_only=True) if r and len(r) > 1]
    assert any("模拟数据" in str(v) for v in readme)
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "含模拟数据" in html and "京津冀生命健康集群" in html and "<script" not in html

    # output measure and division level
    d2 = diagnose_cluster(CLUSTER, engine=demo, measure="output", industry_level="division")
    assert d2.basis["unit"] == "万元" and d2.basis["value_or_count"] == "value"
    assert set(d2.tables["leading_industries"]["industry_code"]) == {"27", "35", "73"}

    # the CLI writes the same report
    r = CliRunner().invoke(
        app, ["diagnose", CLUSTER, "--measure", "firms", "--out", str(tmp_path / "c.json")]
    )
    assert r.exit_code == 0, r.output
    assert "京津冀生命健康集群" in r.output and "SYNTHETIC" in r.output
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))["basis"]["unit"] == "家"


def test_diagnose_errors(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(JiqunError, match="region statistics"):
        diagnose_cluster("NC2021-01", engine=engine)
    with pytest.raises(JiqunError, match="no cluster"):
        diagnose_cluster("NOPE", engine=engine)
    with pytest.raises(JiqunError, match="unsupported measure"):
        diagnose_cluster("NC2021-01", engine=engine, measure="wages")
    with pytest.raises(JiqunError, match="industry level"):
        diagnose_cluster("NC2021-01", engine=engine, industry_level="group")


@pytest.mark.slow
def test_diagnose_cluster_without_members_and_bad_year(demo: Engine, tmp_path: Path) -> None:
    # every shipped cluster has member regions (a cluster whose cities are not named is
    # recorded by its provinces): take them away from one to see the refusal
    cid = "NC2024-05"
    with demo.begin() as c:
        c.execute(text("DELETE FROM cluster_regions WHERE cluster_id = :c"), {"c": cid})
    with pytest.raises(JiqunError, match="no member regions"):
        diagnose_cluster(cid, engine=demo)
    with pytest.raises(JiqunError, match="stored years: 2022, 2023"):
        diagnose_cluster(CLUSTER, engine=demo, year=1999)
    d = diagnose_cluster(CLUSTER, engine=demo, year=2022)
    assert d.basis["previous_year"] is None and "shift_share" not in d.tables
    with pytest.raises(JiqunError, match="unsupported report format"):
        write_report(d, tmp_path / "r.pdf")
