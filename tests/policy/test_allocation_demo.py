"""The README's allocation (``jiqun evaluate allocate --budget 50000``) on the small demo: spread
by score and need (no cluster above 25% of the budget), no "-0.0", and one answer in the CLI's
JSON, the REST API and the web page, each audited once by the service.

One copy of the session's small demo (tests/conftest.py), an admin account, the CLI through
Typer's CliRunner on the same database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from jiqun.cli.app import app as cli
from jiqun.web.ui import fmt_num

pytestmark = pytest.mark.db

PASSWORD = "allocation-password-1"
#: the largest share of the budget one cluster may get on the demo (a linear objective gave 100%)
MAX_SHARE = 0.25


World = Any  # tests/conftest.py AdminWorld: engine, client, headers


@pytest.fixture(scope="module")
def world(admin_world: Any) -> Iterator[World]:
    with admin_world("allocation", "al_admin", PASSWORD) as w:
        yield w


def _audits(w: World) -> int:
    with w.engine.connect() as c:
        return int(
            c.execute(text("SELECT COUNT(*) FROM audit_log WHERE action = 'allocation'")).scalar()
            or 0
        )


def test_readme_example_spreads_support_and_prints_no_negative_zero(
    world: World, tmp_path: Path
) -> None:
    before = _audits(world)
    out = tmp_path / "allocation.csv"
    r = CliRunner().invoke(cli, ["evaluate", "allocate", "--budget", "50000", "--out", str(out)])
    assert r.exit_code == 0, r.output[-2000:]
    assert "-0.0" not in r.output and "影子价格" in r.output
    written = out.read_text(encoding="utf-8-sig")
    assert "amount" in written and "120%" in written and "-0.0" not in written
    assert _audits(world) == before + 1  # the service audits the CLI's decision too
    doc = json.loads(
        CliRunner().invoke(cli, ["evaluate", "allocate", "--budget", "50000", "--json"]).stdout
    )
    rows = doc["allocation"]
    amounts = sorted((a["amount"] for a in rows), reverse=True)
    assert sum(amounts) == pytest.approx(50000)
    assert amounts[0] <= MAX_SHARE * 50000, amounts[:3]
    funded = [a for a in amounts if a > 0]
    assert len(funded) >= len(rows) // 2  # spread, not one or two winners
    # every cluster between floor and cap got the closed form s·(w/λ − 1): more for a higher
    # score, more for a larger need
    lam = doc["shadow_price"]
    between = [a for a in rows if a["at"] == "between"]
    assert len(between) >= len(rows) // 2
    for a in between:
        # (s + x) = s·w/λ to the approximation's tolerance (src/jiqun/policy/allocation.py)
        assert a["need"] + a["amount"] == pytest.approx(a["need"] * a["weight"] / lam, rel=0.01)
    assert all(a["tier"] == "national" for a in rows)
    assert "-0.0" not in json.dumps(doc)
    assert doc["basis"]["tier_rule"] and doc["basis"]["need_rule"]


def test_allocation_is_one_answer(world: World) -> None:
    shares = {"national": 0.7, "sme_characteristic": 0.3}
    args = {"budget": 20000, "min": 50, "max": 2000, "tier": "all", "tier_shares": shares}
    cli_doc = json.loads(
        CliRunner()
        .invoke(
            cli,
            [
                "evaluate",
                "allocate",
                "--budget",
                "20000",
                "--min",
                "50",
                "--max",
                "2000",
                "--tier",
                "all",
                "--tier-shares",
                "national=0.7,sme_characteristic=0.3",
                "--json",
            ],
        )
        .stdout
    )
    api = world.client.post("/api/v1/evaluation/allocation", json=args, headers=world.headers)
    assert api.status_code == 200, api.text
    doc = api.json()
    for k in (
        "allocation",
        "sensitivity",
        "shadow_price",
        "shadow_prices",
        "pool_budgets",
        "notes",
        "basis",
    ):
        assert cli_doc[k] == doc[k], k
    assert set(doc["shadow_prices"]) == {"national", "sme_characteristic"}
    pools = doc["pool_budgets"]
    assert pools == pytest.approx({"national": 14000, "sme_characteristic": 6000})
    for tier, pool in pools.items():
        spent = sum(a["amount"] for a in doc["allocation"] if a["tier"] == tier)
        assert spent == pytest.approx(pool)
    # the web page: the same amounts for the same clusters
    page = world.client.get("/evaluation")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    form = {"csrf": csrf.group(1), "budget": "20000", "min_amount": "50", "max_amount": "2000"}
    tiers = {"tier": "all", "tier_shares": "national=0.7,sme_characteristic=0.3"}
    r = world.client.post("/evaluation", data={**form, **tiers})
    assert r.status_code == 200, r.text[:500]
    cells = re.findall(
        r"<tr><td>([^<]*)</td><td>[^<]*</td><td class=\"n\">[^<]*</td><td class=\"n\">[^<]*</td>"
        r"<td class=\"n\">([^<]*)</td>",
        r.text.split('id="allocation-table"')[1],
    )
    shown = sorted(cells)
    expected = sorted(
        (a["name"] or a["cluster_id"], fmt_num(a["amount"], 1)) for a in doc["allocation"]
    )
    assert shown == expected
    assert "-0.0" not in r.text
    assert fmt_num(doc["shadow_price"], 4) in r.text
