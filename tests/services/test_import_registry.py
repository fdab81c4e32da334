"""Registry exports and exchange lists end to end: read, validate, write, re-import, and what
``jiqun validate`` shows before anything is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun.cli.app import app
from jiqun.services.imports import import_file, stored_counts

FILES = Path(__file__).resolve().parents[1] / "data" / "files"


def test_qichacha_export_imports_its_valid_rows(engine: Engine) -> None:
    path = FILES / "qichacha_batch_match.xlsx"
    # all-or-nothing: rows 5 and 7 have industry errors, so nothing is written
    before = stored_counts(engine)
    rejected = import_file(path, "enterprises", engine=engine)
    assert rejected.status == "rejected" and rejected.rejected == 2
    assert stored_counts(engine) == before

    res = import_file(path, "enterprises", engine=engine, skip_invalid=True)
    assert res.status == "committed"
    assert (res.inserted, res.updated, res.rejected) == (3, 0, 2)
    with engine.connect() as conn:
        df = pd.read_sql(
            text(
                "SELECT uscc, region_code, industry_code, status, registered_capital, "
                "registered_capital_currency, operating_term_start, operating_term_end, "
                "employees, employees_year, tags FROM enterprises WHERE uscc IN "
                "('91320505MA1MKC0198', '91320106MA1MKC027W', '91310115MA1MKC043F') "
                "ORDER BY uscc"
            ),
            conn,
        ).set_index("uscc")
    a = df.loc["91320505MA1MKC0198"]
    assert (a.region_code, a.industry_code, a.status) == ("320505", "3670", "active")
    assert (a.registered_capital, a.registered_capital_currency) == (50.0, "CNY")
    assert str(a.operating_term_start)[:10] == "2020-01-02" and pd.isna(a.operating_term_end)
    assert (int(a.employees), int(a.employees_year), a.tags) == (120, 2023, "little_giant")
    b = df.loc["91320106MA1MKC027W"]
    assert (b.registered_capital, b.registered_capital_currency) == (100.0, "USD")
    assert str(b.operating_term_end)[:10] == str(dt.date(2045, 6, 29))
    assert df.loc["91310115MA1MKC043F"].status == "revoked"

    again = import_file(path, "enterprises", engine=engine, skip_invalid=True)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_exchange_lists_import_as_listed_companies(
    engine: Engine, shared_datasets_dir: Path
) -> None:
    sse = shared_datasets_dir / "real_cn" / "listed_companies" / "sse_GPLIST.xls"
    szse = shared_datasets_dir / "real_cn" / "listed_companies" / "szse_A股列表.xlsx"
    if not (sse.exists() and szse.exists()):
        pytest.skip(f"real exchange lists not available in {sse.parent}")
    first = import_file(sse, "listed-companies", engine=engine)
    assert first.status == "committed" and first.inserted == 1696
    second = import_file(szse, "listed-companies", engine=engine)
    assert second.status == "committed" and second.inserted == 2875
    assert stored_counts(engine)["listed-companies"] == 1696 + 2875
    with engine.connect() as conn:
        rows: dict[str, str] = dict(
            conn.execute(
                text(
                    "SELECT stock_code, short_name FROM listed_companies "
                    "WHERE stock_code IN ('000001', '600000')"
                )
            ).all()
        )
    assert rows == {"000001": "平安银行", "600000": "浦发银行"}


def test_validate_shows_what_it_understood(engine: Engine) -> None:
    r = CliRunner().invoke(
        app,
        ["validate", "enterprises", str(FILES / "tianyancha_export.csv")],
        env={"COLUMNS": "250"},
    )
    assert r.exit_code == 1, r.output  # row 4: industry only to the group
    out = r.output.replace("\n", "")  # the console wraps long lines
    assert "理解为 understood" in out
    assert "天眼查" in out and "经营状态→status" in out and "三级行业分类→industry_code" in out
    assert "未导入的列" in out and "登记机关" in out
    assert "registry.industry_level" in out
