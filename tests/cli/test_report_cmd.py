"""``jiqun report cluster|region … --out 报告.docx`` on the small stored demo."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.services.report_docx import LOGIN_NOTE

runner = CliRunner()


@pytest.mark.db
def test_report_cluster_and_region(demo_engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "报告.docx"
    r = runner.invoke(app, ["report", "cluster", "NC2022-04", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "报告已写入" in r.output and "模拟数据" in r.output
    d = docx.Document(str(out))
    assert d.paragraphs[0].text == "京津冀生命健康集群 集群报告"
    assert len(d.inline_shapes) == 6 and LOGIN_NOTE not in [p.text for p in d.paragraphs]

    pub = tmp_path / "公开.docx"
    r = runner.invoke(app, ["report", "cluster", "NC2022-04", "--out", str(pub), "--public"])
    assert r.exit_code == 0, r.output
    assert LOGIN_NOTE in [p.text for p in docx.Document(str(pub)).paragraphs]

    reg = tmp_path / "无锡.docx"
    r = runner.invoke(app, ["report", "region", "320200", "--out", str(reg)])
    assert r.exit_code == 0, r.output
    assert docx.Document(str(reg)).paragraphs[0].text == "无锡市 产业集群报告"


@pytest.mark.db
def test_report_errors_are_bilingual(
    demo_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from jiqun.cli.app import main

    cases = (
        (["region", "320200", "--out", str(tmp_path / "r.pdf")], ".docx"),
        (["cluster", "NOPE", "--out", str(tmp_path / "r.docx")], "NOPE"),
    )
    for args, what in cases:
        monkeypatch.setattr("sys.argv", ["jiqun", "report", *args])
        with pytest.raises(SystemExit) as e:
            main()
        assert e.value.code == 1
        err = capsys.readouterr().err
        assert "错误" in err and "Error" in err and what in err
    assert not (tmp_path / "r.docx").exists()
