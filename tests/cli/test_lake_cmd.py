"""``jiqun lake sync`` and ``jiqun lake status`` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.services.imports import import_file

pytestmark = pytest.mark.engine
FILES = Path(__file__).resolve().parents[1] / "data" / "files"


def test_lake_sync_and_status(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIQUN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JIQUN_ENGINE", "duckdb")
    monkeypatch.delenv("JIQUN_LAKE_DIR", raising=False)
    runner = CliRunner()

    out = runner.invoke(app, ["lake", "status"])
    assert out.exit_code == 0, out.output
    assert "no lake yet" in out.output

    import_file(FILES / "enterprises_clean.csv", "enterprises", engine=engine)
    out = runner.invoke(app, ["lake", "sync"])
    assert out.exit_code == 0, out.output
    assert "published" in out.output and "enterprises" in out.output
    assert (tmp_path / "data" / "lake" / "v000001" / "_manifest.json").exists()

    out = runner.invoke(app, ["lake", "sync"])
    assert out.exit_code == 0 and "up to date" in out.output

    out = runner.invoke(app, ["lake", "status", "--json"])
    assert out.exit_code == 0, out.output
    st = json.loads(out.stdout)
    assert st["current"]["version"] == 1 and st["fresh"] is True
    assert st["current"]["tables"]["supply_links"] == 0  # no links imported: an empty table
    assert st["current"]["tables"]["enterprises"] > 0

    out = runner.invoke(app, ["lake", "status"])
    assert "current version 1" in out.output and "matches the store" in out.output
