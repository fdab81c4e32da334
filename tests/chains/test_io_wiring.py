"""The input–output weight of 补链 candidates through the chain service and CLI (demo database).

With a table (``--io-table``, ``io_table=`` or ``JIQUN_IO_TABLE``) the candidates carry the
``io_weight``/``io_score`` of the pure analysis (:func:`jiqun.chains.analyse_chain` with
``io_coefficients``) and the basis names the table; without one nothing changes. The real
NBS 42-sector table is read from the shared datasets (skipped when absent).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from jiqun.chains import analyse_chain, get_template
from jiqun.cli.app import app
from jiqun.inputoutput import coefficients, read_io_table
from jiqun.services.chains import (
    chain_analysis,
    chain_report,
    load_chain_inputs,
    resolve_region,
)
from jiqun.standard.problems import JiqunError

CHAIN, CLUSTER = "integrated_circuits", "NC2021-03"


@pytest.fixture
def io_table(shared_datasets_dir: Path, tmp_path: Path) -> Path:
    src = shared_datasets_dir / "real_cn" / "io_tables_nbs" / "china_2020_42.csv"
    if not src.is_file():
        pytest.skip(f"no NBS 42-sector table at {src}")
    # a copy of our own: the test changes its mtime
    dst = tmp_path / src.name
    dst.write_bytes(src.read_bytes())
    return dst


def _pure(engine: Engine, path: Path) -> pd.DataFrame:
    """The candidates of the pure analysis with the table's domestic technical coefficients."""
    t = read_io_table(path)
    zd, _fd = t.domestic_flows()
    A = coefficients(zd, t.x)
    tmpl = get_template(CHAIN)
    ci = load_chain_inputs(engine, tmpl)
    spec = resolve_region(engine, cluster=CLUSTER)
    a = analyse_chain(
        ci.mapping,
        ci.firms,
        tmpl,
        spec.codes,
        ci.links if len(ci.links) else None,
        origin=spec.origin,
        top_n=5,
        io_coefficients=A,
    )
    return a.weak.candidates


@pytest.mark.slow
def test_service_and_cli_carry_the_pure_io_weight(
    demo_engine: Engine, io_table: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIQUN_IO_TABLE", raising=False)
    pure = _pure(demo_engine, io_table)
    assert len(pure) and pure["io_weight"].notna().any()

    rep = chain_report(CHAIN, cluster=CLUSTER, engine=demo_engine, top_n=5, io_table=io_table)
    c = rep.analysis.weak.candidates
    assert list(c["uscc"]) == list(pure["uscc"])
    np.testing.assert_allclose(c["io_weight"], pure["io_weight"], equal_nan=True)
    np.testing.assert_allclose(c["io_score"], pure["io_score"], equal_nan=True)
    np.testing.assert_allclose(c["io_score"], c["score"] * c["io_weight"], equal_nan=True)
    assert {"io_dependence", "io_weight"} <= set(rep.analysis.weak.table.columns)
    assert "china_2020_42.csv" in rep.basis["io_table"]
    assert "io_score = score × io_weight" in rep.basis["io_score"]
    assert rep.basis["io_table_file"] == str(io_table.resolve())

    out = tmp_path / "r.json"
    r = CliRunner().invoke(
        app,
        ["chain", "analyse", CHAIN, "--cluster", CLUSTER, "--top", "5",
         "--io-table", str(io_table), "--out", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "投入产出权重 IO weight" in r.output and "io_score" in r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    got = pd.DataFrame(doc["tables"]["candidates"])
    assert list(got["uscc"]) == list(pure["uscc"])
    np.testing.assert_allclose(
        got["io_score"].astype(float), pure["io_score"].astype(float), equal_nan=True
    )
    assert "china_2020_42.csv" in doc["basis"]["io_table"]

    # without a table: unchanged output, no IO columns, no IO basis
    out2 = tmp_path / "plain.json"
    r = CliRunner().invoke(
        app, ["chain", "analyse", CHAIN, "--cluster", CLUSTER, "--top", "5", "--out", str(out2)]
    )
    assert r.exit_code == 0, r.output
    assert "投入产出权重" not in r.output
    plain = json.loads(out2.read_text(encoding="utf-8"))
    assert not {"io_weight", "io_score"} & set(plain["tables"]["candidates"][0])
    assert "io_table" not in plain["basis"] and "io_score" not in plain["basis"]
    cols = [k for k in plain["tables"]["candidates"][0]]
    assert pd.DataFrame(plain["tables"]["candidates"])[cols].equals(got[cols])


@pytest.mark.slow
def test_configured_table_keys_the_cached_report(
    demo_engine: Engine, io_table: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JIQUN_IO_TABLE", raising=False)
    v = chain_analysis(None, CHAIN, cluster=CLUSTER, engine=demo_engine, cache=True, top_n=5)
    assert "io_score" not in v.tables["candidates"].columns
    # configuring a table must not serve the cached unweighted report
    monkeypatch.setenv("JIQUN_IO_TABLE", str(io_table))
    w = chain_analysis(None, CHAIN, cluster=CLUSTER, engine=demo_engine, cache=True, top_n=5)
    assert "io_score" in w.tables["candidates"].columns
    assert w.report.basis["io_table_mtime"]
    # a replaced table (new mtime) is a new key: recomputed, not the stored report
    st = io_table.stat()
    os.utime(io_table, (st.st_atime, st.st_mtime + 100))
    x = chain_analysis(None, CHAIN, cluster=CLUSTER, engine=demo_engine, cache=True, top_n=5)
    assert x.report is not w.report
    assert x.report.basis["io_table_mtime"] != w.report.basis["io_table_mtime"]


def test_missing_table_is_a_clear_error(
    demo_engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(JiqunError, match="no input-output table file"):
        chain_report(CHAIN, cluster=CLUSTER, engine=demo_engine, io_table=missing)
    monkeypatch.setenv("JIQUN_IO_TABLE", str(missing))
    r = CliRunner().invoke(app, ["chain", "analyse", CHAIN, "--cluster", CLUSTER])
    assert r.exit_code == 1 and isinstance(r.exception, JiqunError)
    assert "nope.csv" in str(r.exception)
