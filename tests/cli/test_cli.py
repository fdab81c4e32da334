"""The ``jiqun`` command line: exit codes and bilingual messages through the real entry point
(``main()``, run as a subprocess), plus the committed schemas/docs being up to date."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.services.imports import stored_counts
from jiqun.standard.docs import BEGIN, END, fields_markdown, json_schema_text
from jiqun.standard.schema import KINDS

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "tests" / "data" / "files"

BAD = (
    "统一社会信用代码,企业名称,所在地区代码,行业代码\n"
    "91370000728611939A,山东示例集成电路有限公司,320214,3973\n"
    "91110108551385082Q,北京示例锂电科技有限公司,999999,3841\n"
)


def jiqun(*args: str, url: str | None = None, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    """Run the real entry point (``jiqun.cli.app:main``) in a subprocess."""
    env = dict(os.environ)
    env.pop("JIQUN_TEST_KILL_AFTER_CHUNKS", None)
    if url:
        env["JIQUN_DATABASE_URL"] = url
    code = "import sys; from jiqun.cli.app import main; sys.argv[0] = 'jiqun'; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


# ---------------------------------------------------------------------------------------------
# look-ups (no database needed)
# ---------------------------------------------------------------------------------------------


def test_code_known() -> None:
    r = CliRunner().invoke(app, ["code", "3973"])
    assert r.exit_code == 0, r.output
    assert "集成电路制造" in r.output


def test_code_2011_and_unknown_exit_1() -> None:
    r = jiqun("code", "6510")
    assert r.returncode == 1
    assert "2011" in r.stderr and "6513" in r.stderr
    assert "错误" in r.stderr and "Error" in r.stderr
    r = jiqun("code", "9999")
    assert r.returncode == 1
    assert "9999" in r.stderr and "GB/T 4754-2017" in r.stderr


def test_region_lookup() -> None:
    r = CliRunner().invoke(app, ["region", "320214"])
    assert r.exit_code == 0, r.output
    assert "新吴区" in r.output
    bad = jiqun("region", "999999")
    assert bad.returncode == 1
    assert "999999" in bad.stderr and "GB/T 2260" in bad.stderr


def test_usage_error_exit_2() -> None:
    r = jiqun("import")
    assert r.returncode == 2


# ---------------------------------------------------------------------------------------------
# database commands
# ---------------------------------------------------------------------------------------------


def test_validate_import_export_template(engine: Engine, db_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    report = tmp_path / "r.xlsx"
    before = stored_counts(engine)

    cli = CliRunner()
    r = cli.invoke(app, ["validate", "enterprises", str(bad), "--report", str(report)])
    assert r.exit_code == 1, r.output
    assert report.exists()
    wb = openpyxl.load_workbook(report)
    rej = wb["被拒行 rejected rows"]
    assert [c.value for c in rej[2]][:2] == [3, "91110108551385082Q"]

    r = cli.invoke(app, ["import", "enterprises", str(bad)])
    assert r.exit_code == 1
    out = r.output
    assert "999999" in out
    assert ("错误" in out) and ("rror" in out)
    assert stored_counts(engine) == before

    r = cli.invoke(app, ["import", "enterprises", str(FILES / "enterprises_clean.csv")])
    assert r.exit_code == 0, r.output
    assert stored_counts(engine)["enterprises"] == before["enterprises"] + 5

    # a file the reader refuses: JiqunError → exit 1 with the Chinese and English message
    r = jiqun("import", "enterprises", str(FILES / "header_only.csv"), url=db_url)
    assert r.returncode == 1
    assert "错误" in r.stderr and "Error" in r.stderr

    out_csv = tmp_path / "x.csv"
    r = cli.invoke(app, ["export", "enterprises", "--out", str(out_csv)])
    assert r.exit_code == 0, r.output
    assert out_csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(out_csv.read_text(encoding="utf-8-sig").strip().splitlines()) == 1 + 5

    r = jiqun("export", "enterprises", "--out", str(tmp_path / "x.json"), url=db_url)
    assert r.returncode == 1

    t = tmp_path / "t.xlsx"
    r = cli.invoke(app, ["template", "enterprises", "--out", str(t)])
    assert r.exit_code == 0 and t.exists()


def test_db_upgrade(engine: Engine, db_url: str) -> None:
    r = jiqun("db", "upgrade", url=db_url)
    assert r.returncode == 0, r.stderr
    r2 = CliRunner().invoke(app, ["db", "current"])
    assert r2.exit_code == 0 and "revision" in r2.output


def test_schema_command_writes_one_file_per_kind(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["schema", "--out", str(tmp_path / "s")])
    assert r.exit_code == 0, r.output
    files = sorted((tmp_path / "s").glob("*.schema.json"))
    assert len(files) == 9 == len(KINDS)  # listed-companies is the ninth


# ---------------------------------------------------------------------------------------------
# committed documentation is generated from the code
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_committed_json_schemas_up_to_date(kind: str) -> None:
    committed = (ROOT / "docs" / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8")
    assert committed == json_schema_text(KINDS[kind]), (
        "run `jiqun schema` to regenerate docs/schemas"
    )


def test_data_standard_fields_block_up_to_date() -> None:
    text = (ROOT / "docs" / "data-standard.md").read_text(encoding="utf-8")
    block = text[text.index(BEGIN) + len(BEGIN) : text.index(END)]
    assert block == "\n" + fields_markdown() + "\n", (
        "run jiqun.standard.docs.update_data_standard() to regenerate docs/data-standard.md"
    )


# ---------------------------------------------------------------------------------------------
# user accounts
# ---------------------------------------------------------------------------------------------


def test_user_disable_enable_passwd_list(engine: Engine, db_url: str) -> None:
    from sqlalchemy import text

    from jiqun.services import accounts

    cli = CliRunner()
    r = cli.invoke(
        app,
        ["user", "add", "clerk", "--role", "admin", "--password-stdin"],
        input="correct-horse-battery\n",
    )
    assert r.exit_code == 0, r.output
    p = accounts.principal_for_username("clerk", engine=engine)
    token = accounts.issue_token(p, engine)
    sid = accounts.create_session({"user": "clerk"}, engine=engine)
    r = cli.invoke(app, ["user", "disable", "clerk"])
    assert r.exit_code == 0, r.output
    assert "2" in r.output  # one token and one session ended
    with pytest.raises(accounts.AuthError):
        accounts.principal_from_token(token, engine)
    assert accounts.load_session(sid, engine) is None
    listing = cli.invoke(app, ["user", "list"]).output
    assert "clerk" in listing and "DISABLED" in listing
    assert cli.invoke(app, ["user", "enable", "clerk"]).exit_code == 0
    assert "DISABLED" not in cli.invoke(app, ["user", "list"]).output
    weak = cli.invoke(app, ["user", "passwd", "clerk", "--password-stdin"], input="1234567890\n")
    assert weak.exit_code == 1
    assert cli.invoke(app, ["user", "passwd", "clerk"]).exit_code == 1  # never on the command line
    r = cli.invoke(
        app, ["user", "passwd", "clerk", "--password-stdin"], input="new-strong-passphrase\n"
    )
    assert r.exit_code == 0, r.output
    assert accounts.authenticate("clerk", "new-strong-passphrase", "cli-test", engine)
    assert cli.invoke(app, ["user", "disable", "nobody-at-all"]).exit_code == 1
    with engine.connect() as c:
        audited = c.execute(
            text("SELECT action, username FROM audit_log WHERE resource = 'user:clerk' ORDER BY id")
        ).all()
    assert [a for a, _ in audited][-3:] == ["user_disable", "user_enable", "password_reset"]
    assert all(u.startswith("os:") for a, u in audited if a != "user_create")


# ---------------------------------------------------------------------------------------------
# jiqun demo --port: a taken port stops the command before the build
# ---------------------------------------------------------------------------------------------


def test_demo_with_a_taken_port_fails_before_building(tmp_path: Path) -> None:
    import socket
    import time

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
        start = time.monotonic()
        r = jiqun("demo", "--port", str(port), "--enterprises", "2000", url=url)
        took = time.monotonic() - start
    assert r.returncode == 1, r.stdout + r.stderr
    assert f"127.0.0.1:{port}" in r.stderr and "--port" in r.stderr, r.stderr
    assert "已被占用" in r.stderr and "taken" in r.stderr
    assert "演示数据库已生成" not in r.stderr + r.stdout  # nothing was built
    assert not (tmp_path / "demo.sqlite3").exists()
    assert took < 60


def test_demo_and_serve_take_a_port_option() -> None:
    for cmd in ("demo", "serve"):
        r = CliRunner().invoke(app, [cmd, "--help"], env={"COLUMNS": "200"})
        assert r.exit_code == 0 and "--port" in r.output, cmd


def test_overview_says_not_applicable_for_non_industrial_output(demo_engine: Engine) -> None:
    """The CLI's overview reads 不适用 where the web page does: a software cluster with revenue
    and no gross industrial output never shows "0.0" output (one rule: formatting.output_not_applicable)."""
    from jiqun.formatting import output_not_applicable
    from jiqun.services.overview import national_overview

    ov = national_overview()
    soft = [
        r.cluster_id
        for r in ov.clusters.itertuples()
        if output_not_applicable(r.output_wan_yuan, r.revenue_wan_yuan)
    ]
    assert soft, "the demo has software clusters (NC2021-05 南京, NC2021-08 成都)"
    # the service says it too, so the API's JSON carries the same answer as the page and the CLI
    assert sorted(ov.clusters.loc[~ov.clusters["output_applicable"], "cluster_id"]) == sorted(soft)
    r = CliRunner().invoke(app, ["overview"], env={"COLUMNS": "250"})
    assert r.exit_code == 0, r.output
    for line in r.output.splitlines():
        if any(f" {cid} " in line for cid in soft):
            assert "不适用" in line and " 0.0 " not in line, line
