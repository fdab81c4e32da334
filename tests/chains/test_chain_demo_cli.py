"""Every shipped template on the demo database, through the service and the CLI.

A copy of the session's demo database (5,000 synthetic firms, seed 7) per test; for each chain a national cluster of
the chain's field is analysed. At 5,000 firms a 2024 cluster may hold no firm of a chain (e.g.
NC2024-14 宝汉天 for machine tools), so the clusters below are 2021/2022 ones whose leading
industries overlap the chain.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun.chains import BASIS_LABELS, load_templates
from jiqun.cli.app import app
from jiqun.services.chains import chain_map, chain_report
from jiqun.standard.problems import JiqunError
from jiqun.standard.schema import FIELDS_OF_CLUSTERS

#: chain → national cluster of the same field whose leading industries overlap the chain
CLUSTER_FOR_CHAIN = {
    "integrated_circuits": "NC2021-03",  # 上海市集成电路集群
    "nev_power_batteries": "NC2022-17",  # 上海市新能源汽车集群
    # 沈阳 (NC2022-10) has ~27 firms in the 5,000-firm demo, none in a robot class: the robot
    # chain is read on the Guangdong intelligent-equipment cluster, which has them
    "industrial_robots": "NC2021-17",  # 广深佛莞智能装备集群
    "biomedicine": "NC2021-23",  # 上海市张江生物医药集群
    "photovoltaics": "NC2022-09",  # 保定市电力及新能源高端装备集群
    "rare_earth_magnets": "NC2022-12",  # 赣州市稀土新材料及应用集群
    "smart_home_appliances": "NC2021-25",  # 青岛市智能家电集群
    "cnc_machine_tools": "NC2021-17",  # 广深佛莞智能装备集群
    "carbon_fibre": "NC2021-13",  # 常州市新型碳材料集群
}


@pytest.fixture
def demo(demo_engine: Engine) -> Engine:
    return demo_engine


def _cluster_fields(engine: Engine) -> dict[str, tuple[str, str]]:
    with engine.connect() as c:
        rows = c.execute(text("SELECT cluster_id, field, tier FROM clusters")).all()
    return {r[0]: (r[1], r[2]) for r in rows}


@pytest.mark.slow
def test_every_template_on_the_demo_data(demo: Engine) -> None:
    templates = load_templates()
    fields = _cluster_fields(demo)
    assert set(CLUSTER_FOR_CHAIN) == set(templates)
    covered = set()
    for chain, tmpl in templates.items():
        cluster = CLUSTER_FOR_CHAIN[chain]
        assert fields[cluster] == (tmpl.field, "national"), chain
        covered.add(tmpl.field)
        r = chain_report(chain, cluster=cluster, engine=demo)
        a = r.analysis
        # completeness table: one row per segment, at least one present
        assert list(a.completeness.table["segment"]) == list(tmpl.topological_order())
        assert 0 < a.completeness.completeness <= 1, chain
        # local supporting rate with its basis, overall and per row
        assert a.lsr.chain_basis in ("value", "count")
        assert a.lsr.basis in BASIS_LABELS
        assert set(a.lsr.segments["basis"]) <= {"value", "count"}
        assert r.basis["value_or_count"] == a.lsr.basis
        assert r.basis["synthetic"] is True and r.synthetic
        assert r.basis["unit"] == "万元" and r.basis["year"] is not None
        # weak-link list (may be empty for a complete chain) with candidates for each segment
        w = a.weak.table
        assert {"segment", "reason", "lsr", "basis", "peer_median"} <= set(w.columns)
        assert set(w["reason"]) <= {"missing", "below_peer_median"}
        if len(w):
            assert set(a.weak.candidates["segment"]) <= set(w["segment"])
        assert a.leaders["needs_confirmation"].all() if len(a.leaders) else True
        assert any("模拟数据" in n for n in r.notes)
    assert covered == set(FIELDS_OF_CLUSTERS)


@pytest.mark.slow
def test_service_map_and_errors(demo: Engine) -> None:
    m = chain_map("integrated_circuits", cluster="NC2021-03", engine=demo)
    assert len(m.mapping) and m.mapping["region_code"].str.startswith("31").all()
    assert int(m.summary["firms"].sum()) >= m.mapping["uscc"].nunique()
    assert m.synthetic
    whole = chain_map("integrated_circuits", engine=demo)
    assert len(whole.mapping) > len(m.mapping)
    with pytest.raises(JiqunError, match="either"):
        chain_report("integrated_circuits", engine=demo)
    with pytest.raises(JiqunError, match="unknown region"):
        chain_report("integrated_circuits", region="999999", engine=demo)
    # 浙东 names no city and is recorded by its province: without any region it is refused
    with demo.begin() as c:
        c.execute(text("DELETE FROM cluster_regions WHERE cluster_id = 'NC2024-05'"))
    with pytest.raises(JiqunError, match="no member regions"):
        chain_report("cnc_machine_tools", cluster="NC2024-05", engine=demo)
    # a prefecture includes its counties
    r = chain_report("photovoltaics", region="130600", engine=demo)
    assert "130602" in r.region.codes and r.region.level == "prefecture"


def test_cli_templates_without_database(tmp_path: Path) -> None:
    cli = CliRunner()
    r = cli.invoke(app, ["chain", "list"])
    assert r.exit_code == 0, r.output
    assert "integrated_circuits" in r.output and "集成电路" in r.output
    r = cli.invoke(app, ["chain", "show", "photovoltaics"])
    assert r.exit_code == 0, r.output
    assert "3825" in r.output and "光伏组件" in r.output
    good = tmp_path / "good.yaml"
    good.write_text(
        yaml.safe_dump(load_templates()["carbon_fibre"].to_dict(), allow_unicode=True),
        encoding="utf-8",
    )
    r = cli.invoke(app, ["chain", "validate", str(good)])
    assert r.exit_code == 0 and "carbon_fibre" in r.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(good.read_text(encoding="utf-8").replace("'3091'", "'9999'"), encoding="utf-8")
    r = cli.invoke(app, ["chain", "validate", str(bad)])
    assert r.exit_code == 1 and isinstance(r.exception, JiqunError)
    assert any(p.value == "9999" for p in r.exception.problems)
    r = cli.invoke(app, ["chain", "show", "nope"])
    assert r.exit_code == 1 and isinstance(r.exception, JiqunError)


@pytest.mark.slow
def test_cli_map_and_analyse(demo: Engine, tmp_path: Path) -> None:
    cli = CliRunner()
    out_csv = tmp_path / "map.csv"
    r = cli.invoke(
        app,
        ["chain", "map", "integrated_circuits", "--cluster", "NC2021-03", "--out", str(out_csv)],
    )
    assert r.exit_code == 0, r.output
    assert "模拟数据 SYNTHETIC" in r.output and "口径 basis" in r.output
    df = pd.read_csv(out_csv, dtype=str)
    assert {"uscc", "segment", "method", "confidence", "matched"} <= set(df.columns)

    ov = tmp_path / "ov.csv"
    ov.write_text(f"uscc,segment\n{df['uscc'].iloc[0]},chip_design\n", encoding="utf-8")
    out_json = tmp_path / "report.json"
    r = cli.invoke(
        app,
        ["chain", "analyse", "integrated_circuits", "--cluster", "NC2021-03",
         "--overrides", str(ov), "--out", str(out_json)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    for word in ("产业链完整度", "本地配套率", "补链", "链主候选", "SYNTHETIC", "value_or_count"):
        assert word in r.output, word
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    assert doc["basis"]["synthetic"] is True and doc["basis"]["unit"] == "万元"
    assert doc["summary"]["lsr_basis"] in ("value", "count")
    assert {"completeness", "lsr_segments", "weak_links", "candidates"} <= set(doc["tables"])
    manual = [m for m in doc["tables"]["mapping"] if m["method"] == "manual"]
    assert manual and manual[0]["segment"] == "chip_design"

    out_xlsx = tmp_path / "report.xlsx"
    r = cli.invoke(
        app, ["chain", "analyse", "photovoltaics", "--region", "130600", "--out", str(out_xlsx)]
    )
    assert r.exit_code == 0, r.output
    wb = openpyxl.load_workbook(out_xlsx, read_only=True)
    assert {"summary", "basis", "notes", "completeness", "weak_links"} <= set(wb.sheetnames)

    r = cli.invoke(app, ["chain", "analyse", "photovoltaics"])
    assert r.exit_code == 1 and isinstance(r.exception, JiqunError)
