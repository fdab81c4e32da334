"""``jiqun plan division`` on the small demo (src/jiqun/cli/plan_cmd.py)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from sqlalchemy import Engine
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.planning import PlanInfeasible


def test_plan_division_cluster_and_regions(demo_engine: Engine, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "plan.xlsx"
    r = runner.invoke(
        app, ["plan", "division", "--cluster", "NC2022-06", "--chain", "biomedicine",
              "--out", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "分工方案" in r.output and "结构相似系数" in r.output and "城市定位" in r.output
    wb = openpyxl.load_workbook(out)
    assert {"plan", "cities", "changes", "flows", "basis"} <= set(wb.sheetnames)
    r = runner.invoke(
        app, ["plan", "division", "--regions", "310000,320500,330100",
              "--chain", "integrated_circuits"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "上海" in r.output


def test_plan_division_infeasible_is_named(demo_engine: Engine) -> None:
    runner = CliRunner()
    # 8 segments, one per city of three cities: the limit cannot hold
    r = runner.invoke(
        app, ["plan", "division", "--cluster", "NC2022-06", "--chain", "biomedicine",
              "--max-segments", "1"],
    )  # fmt: skip
    assert isinstance(r.exception, PlanInfeasible)
    assert "max_segments=1" in r.exception.message_zh
