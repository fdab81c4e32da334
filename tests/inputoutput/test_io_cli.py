"""``jiqun io linkages | multipliers | extract`` on a real NBS table (when present) and errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.errors import JiqunError
from jiqun.inputoutput import coefficients, leontief_inverse, output_multipliers, read_io_table

from .test_inputoutput import NBS, needs_nbs


@needs_nbs
def test_linkages_top(tmp_path: Path) -> None:
    out = tmp_path / "lk.csv"
    r = CliRunner().invoke(
        app, ["io", "linkages", str(NBS / "china_2020_42.csv"), "--top", "5", "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "Rasmussen" in r.output and "Ghosh" in r.output and "万元" in r.output
    df = pd.read_csv(out, dtype={"sector": str})
    assert len(df) == 5
    assert df["backward"].is_monotonic_decreasing
    assert set(df.columns) >= {"sector", "backward", "forward", "class", "class_zh"}


@needs_nbs
def test_multipliers_match_the_domestic_leontief(tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    p = NBS / "china_2018_42.csv"
    r = CliRunner().invoke(app, ["io", "multipliers", str(p), "--out", str(out)])
    assert r.exit_code == 0, r.output
    df = pd.read_csv(out, dtype={"sector": str}).set_index("sector")
    t = read_io_table(p)
    m = output_multipliers(leontief_inverse(coefficients(t.Z_domestic, t.x)))
    assert df["output_multiplier"].reindex(m.index).to_numpy() == pytest.approx(m.to_numpy())


@needs_nbs
def test_extract_by_code_and_name(tmp_path: Path) -> None:
    out = tmp_path / "e.csv"
    p = NBS / "china_2020_42.csv"
    r = CliRunner().invoke(
        app, ["io", "extract", str(p), "--sectors", "14,电气机械和器材", "--out", str(out)]
    )
    assert r.exit_code == 0, r.output
    assert "extracted=14, 19" in r.output.replace("\n", "")
    df = pd.read_csv(out, dtype={"sector": str}).set_index("sector")
    assert df.loc["14", "output_after"] == pytest.approx(0.0, abs=1e-3)
    assert len(df) == 42


def test_unknown_file_and_sector_are_user_errors(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["io", "linkages", str(tmp_path / "none.csv")])
    assert r.exit_code != 0 and isinstance(r.exception, JiqunError)
    assert "no input-output table file" in str(r.exception)


@needs_nbs
def test_unknown_sector_refused() -> None:
    r = CliRunner().invoke(
        app, ["io", "extract", str(NBS / "china_2020_42.csv"), "--sectors", "不存在"]
    )
    assert isinstance(r.exception, JiqunError)
    assert "no sector" in str(r.exception)
