"""Every ``uv run jiqun …`` example of README.md runs on a demo database.

The examples are read from the README's ``bash`` blocks (both languages) and run in-process on a
copy of the small demo (seed 7, 5,000 firms), in a temporary folder. What cannot run here is left
out on purpose and listed in :data:`NOT_RUN`: the web server and building the full demo. Placeholders the README asks the reader to fill in from
the previous command's output (``<信用代码>`` / ``<USCC>``, ``<集群编号>`` / ``<CLUSTER>``) get a
firm (and cluster) of the demo that fits the example: a firm that qualifies for a policy, and a
pending membership for ``member approve``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun.cli.app import app

# the examples' run is marked ``db`` by its demo_engine fixture (tests/conftest.py); reading the
# README touches no database and need not run again on PostgreSQL
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "tests" / "data" / "files"

#: first words of examples that are not run here, and why
NOT_RUN = {
    "serve": "starts a web server that runs until stopped",
    "demo": "builds the full 200,000-firm demo",
}
#: the user's own files the import examples read (built from tests/data/files)
OWN_FILES = ("企业名录.xlsx", "firms.xlsx")
#: an exchange's list (the SZSE A-share layout, docs/data-standard.md), as the README names it
LISTED_FILES = ("深交所A股列表.xlsx", "szse_a_shares.xlsx")
#: an NBS 42-sector input-output table (synthetic, balanced), as the README names it
IO_FILES = ("投入产出表.csv", "io_table.csv")


def readme_examples() -> list[tuple[str, str | None]]:
    """``(command after 'jiqun', stdin)`` for every example in README.md, in order, once each
    (an example that differs only by its file names runs once)."""
    text_ = (ROOT / "README.md").read_text(encoding="utf-8")
    out: list[tuple[str, str | None]] = []
    for block in re.findall(r"```bash\n(.*?)```", text_, flags=re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#\s.*$", "", line).strip()
            for part in re.split(r"\s*;\s*(?=uv run |echo )", line):
                m = re.fullmatch(r"(?:echo '([^']*)' \| )?uv run jiqun (.+)", part.strip())
                if m and _shape(m.group(2)) not in {_shape(c) for c, _ in out}:
                    out.append((m.group(2), m.group(1)))
    return out


def _shape(cmd: str) -> str:
    """The example without its file names and placeholders' language: the English block
    repeats the Chinese examples with English file names, and they need not run twice."""
    cmd = re.sub(r"\S+\.(xlsx|csv|parquet|json|html)\b", r"FILE.\1", cmd)
    return cmd.replace("<USCC>", "<信用代码>").replace("<CLUSTER>", "<集群编号>")


def test_readme_has_examples_and_no_unknown_firm() -> None:
    ex = readme_examples()
    assert len(ex) >= 30
    # a literal credit code in an example must be a placeholder: demo firms are generated
    assert not [c for c, _ in ex if re.search(r"\b9[0-9A-Z]{17}\b", c)]


def _placeholders(engine: Engine, tmp: Path, runner: CliRunner) -> dict[str, str]:
    r = runner.invoke(app, ["policy", "qualify", "DEMO-P02", "--out", str(tmp / "q.csv")])
    assert r.exit_code == 0, r.output
    firm = str(pd.read_csv(tmp / "q.csv", dtype=str)["uscc"].iloc[0])
    with engine.begin() as c:
        cluster, member = c.execute(
            text("SELECT cluster_id, uscc FROM cluster_members ORDER BY cluster_id, uscc LIMIT 1")
        ).one()
        # a membership a cluster organisation listed itself waits for approval
        c.execute(
            text(
                "UPDATE cluster_members SET status = 'pending', requested_by = 'readme' "
                "WHERE cluster_id = :c AND uscc = :u"
            ),
            {"c": cluster, "u": member},
        )
    return {"policy": firm, "member": member, "cluster": cluster}


def _fill(cmd: str, ph: dict[str, str]) -> str:
    firm = ph["member"] if cmd.startswith("member approve") else ph["policy"]
    for token in ("<信用代码>", "<USCC>"):
        cmd = cmd.replace(token, firm)
    for token in ("<集群编号>", "<CLUSTER>"):
        cmd = cmd.replace(token, ph["cluster"])
    return cmd


def test_every_readme_example_runs_on_the_demo(
    demo_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    write_io42: Callable[..., None],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    firms = pd.read_csv(FILES / "enterprises_clean.csv", dtype=str)
    for name in OWN_FILES:
        firms.to_excel(tmp_path / name, index=False)
    listed = pd.DataFrame(
        {
            "板块": ["主板", "创业板"],
            "公司全称": ["平安银行股份有限公司", "宁德时代新能源科技股份有限公司"],
            "A股代码": ["000001", "300750"],
            "A股简称": ["平安银行", "宁德时代"],
            "省份": ["广东", "福建"],
            "城市": ["深圳市", "宁德市"],
        }
    )
    for name in LISTED_FILES:
        listed.to_excel(tmp_path / name, index=False)
    for name in IO_FILES:
        write_io42(tmp_path / name)
    runner = CliRunner()
    ph = _placeholders(demo_engine, tmp_path, runner)
    ran: list[str] = []
    failed: list[tuple[str, Any]] = []
    examples = readme_examples()
    # `jiqun demo` builds the public release with the data; this small demo does not, so the
    # README's `release build` runs before its `release status`
    examples.sort(key=lambda e: e[0] != "release build")
    for cmd, stdin in examples:
        if any(cmd == w or cmd.startswith(w + " ") for w in NOT_RUN):
            continue
        args = shlex.split(_fill(cmd, ph))
        r = runner.invoke(app, args, input=stdin)
        ran.append(cmd)
        if r.exit_code != 0:
            failed.append((cmd, r.exit_code, (r.output or "")[-600:], repr(r.exception)))
    assert not failed, failed
    assert len(ran) >= 28
    # the import examples wrote what they said: a report, the firms
    assert (tmp_path / "错误报告.xlsx").is_file() or (tmp_path / "errors.xlsx").is_file()
    with demo_engine.connect() as c:
        n = c.execute(
            text("SELECT COUNT(*) FROM enterprises WHERE uscc = :u"), {"u": firms["uscc"].iloc[0]}
        ).scalar()
        listed_n = c.execute(text("SELECT COUNT(*) FROM listed_companies")).scalar()
    assert n == 1
    # the exchange list went in, one record per stock code
    assert listed_n == len(listed)
