"""``jiqun plan whatif`` and ``POST /api/v1/plans/whatif`` on the small demo (5,000 firms).

The candidates are found from the stored analysis itself: a firm of another region whose only
qualified segment is missing in the cluster (it must close that weak link and raise completeness
by exactly one segment's share) and a profile in a segment already present (no change).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from jiqun.chains.mapping import map_firms
from jiqun.cli.app import app
from jiqun.services import accounts
from jiqun.services.access import AccessDenied
from jiqun.services.accounts import PUBLIC
from jiqun.services.chains import chain_analysis
from jiqun.services.planning_whatif import whatif_candidates
from jiqun.standard.problems import JiqunError

CLUSTER, CHAIN = "NC2021-03", "integrated_circuits"


def _candidates(eng: Engine) -> tuple[str, str, str, str, int]:
    """(firm elsewhere, its missing segment, a present segment, its class, segments)."""
    rep = chain_analysis(None, CHAIN, cluster=CLUSTER, engine=eng, cache=True).report
    t = rep.template
    missing = [s for s in rep.analysis.completeness.missing]
    present = [s for s in t.segment_ids if s not in missing]
    assert missing and present, "the demo cluster should lack some IC segments and hold others"
    with eng.connect() as c:
        firms = pd.read_sql(
            text("SELECT uscc, region_code, industry_code, business_scope FROM enterprises"), c
        )
    firms = firms[~firms["region_code"].isin(rep.region.codes)]
    m = map_firms(firms, t)
    m = m[m["confidence"] >= float(rep.basis["min_confidence"])]
    per = m.groupby("uscc")["segment"].agg(set)
    only = per[per.map(lambda s: len(s) == 1 and next(iter(s)) in missing)]
    assert len(only), "some firm elsewhere serves exactly one missing segment"
    uscc = str(sorted(only.index)[0])
    seg = next(iter(only[uscc]))
    code = t.code_table()
    cls = str(code.loc[code["segment"] == present[0], "code"].iloc[0])
    return uscc, seg, present[0], cls, len(t.segment_ids)


def _by(rows: list[dict[str, Any]], key: str, value: Any) -> dict[str, Any]:
    return next(r for r in rows if r[key] == value)


def test_cli_and_api_agree_and_the_effects_are_known(admin_world: Any) -> None:
    with admin_world("whatif", "whatif_admin", "Pw-whatif-2026!") as w:
        uscc, missing, present, cls, n = _candidates(w.engine)
        args = ["plan", "whatif", "--cluster", CLUSTER, "--chain", CHAIN, "--firm", uscc]
        args += ["--industry", cls, "--segment", present, "--size", "5000", "--json"]
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 0, res.output
        cli = json.loads(res.stdout)
        body = {
            "cluster": CLUSTER,
            "chain": CHAIN,
            "candidates": [
                {"firm": uscc},
                {"industry": cls, "segment": present, "size": 5000},
            ],
        }
        r = w.client.post("/api/v1/plans/whatif", json=body, headers=w.headers)
        assert r.status_code == 200, r.text
        api = r.json()
        assert api["candidates"] == cli["candidates"]

        rows = api["candidates"]
        assert [x["rank"] for x in rows] == [1, 2]
        firm = _by(rows, "uscc", uscc)
        assert firm["rank"] == 1
        assert firm["segments"] == missing
        assert firm["completeness_change"] == pytest.approx(1 / n)
        assert missing in firm["weak_closed"].split(";")
        assert missing in firm["spof_added"].split(";")
        prof = _by(rows, "kind", "profile")
        assert prof["completeness_change"] == 0
        # no recorded sales: the rate is unchanged exactly, on either basis
        assert prof["lsr_change"] == 0 and prof["lsr_after"] == prof["lsr_before"]
        assert prof["weak_links_closed"] == 0 or present in prof["weak_closed"]
        # the firm read is audited, naming the firm
        with w.engine.connect() as c:
            hits = c.execute(
                text(
                    "SELECT COUNT(*) FROM audit_log a JOIN audit_subjects s ON s.audit_id = a.id "
                    "WHERE a.action = 'plan_whatif' AND s.uscc = :u"
                ),
                {"u": uscc},
            ).scalar()
        assert hits == 2  # CLI and API


def test_out_of_scope_firm_is_refused_and_the_public_uses_profiles(admin_world: Any) -> None:
    with admin_world("whatif_scope", "whatif_admin2", "Pw-whatif-2026!") as w:
        uscc, _missing, present, cls, _n = _candidates(w.engine)
        with w.engine.connect() as c:
            region = c.execute(
                text("SELECT region_code FROM enterprises WHERE uscc = :u"), {"u": uscc}
            ).scalar()
        other = "650100" if not str(region).startswith("65") else "540100"
        p = accounts.add_user("whatif_gov", "government", "Pw-whatif-2026!", other, w.engine)
        gov = {"Authorization": f"Bearer {accounts.issue_token(p, w.engine)}"}
        firm_body = {"cluster": CLUSTER, "chain": CHAIN, "candidates": [{"firm": uscc}]}
        nobody = {
            "cluster": CLUSTER,
            "chain": CHAIN,
            "candidates": [{"firm": "91000000000000000X"}],
        }
        client = w.client
        r_out = client.post("/api/v1/plans/whatif", json=firm_body, headers=gov)
        r_none = client.post("/api/v1/plans/whatif", json=nobody, headers=gov)
        assert r_out.status_code == 404, r_out.text
        # the refusal says the same as for a credit code that does not exist
        assert r_none.status_code == 404
        assert r_out.text.replace(uscc, "X") == r_none.text.replace("91000000000000000X", "X")
        from fastapi.testclient import TestClient

        # the web layer takes no request body without a login; the service itself lets the
        # public use profiles only
        anon = TestClient(client.app)
        assert anon.post("/api/v1/plans/whatif", json=firm_body).status_code == 401
        with pytest.raises(AccessDenied) as exc:
            whatif_candidates(PUBLIC, CLUSTER, CHAIN, [{"firm": uscc}], engine=w.engine)
        assert exc.value.status == 401
        rep = whatif_candidates(
            PUBLIC, CLUSTER, CHAIN, [{"industry": cls, "segment": present}], engine=w.engine
        )
        row = rep.to_dict()["candidates"][0]
        assert row["completeness_change"] == 0
        if row["lsr_basis"] == "value":
            assert row["lsr_before"] is None and row["lsr_after"] is None


def test_a_supplier_of_local_firms_agrees_with_a_full_recomputation(demo_engine: Engine) -> None:
    """A firm elsewhere that sells to the cluster's chain firms, placed in the cluster: the
    what-if (stored analysis, the firm's own links) equals rebuilding the analysis with the firm
    moved into a member region — value-basis local supporting rate and completeness."""
    from jiqun.services.chains import load_chain_inputs, report_for

    eng = demo_engine
    rep = chain_analysis(None, CHAIN, cluster=CLUSTER, engine=eng, cache=True).report
    assert rep.analysis.lsr.chain_basis == "value"
    local = set(rep.qualified_mapping()["uscc"].astype(str))
    with eng.connect() as c:
        lk = pd.read_sql(
            text(
                "SELECT l.supplier_uscc AS supplier, l.buyer_uscc AS buyer, l.value, e.region_code "
                "FROM supply_links l JOIN enterprises e ON e.uscc = l.supplier_uscc "
                "WHERE l.year = :y"
            ),
            c,
            params={"y": int(rep.basis["year"])},
        )
    lk = lk[lk["buyer"].isin(local) & ~lk["region_code"].isin(rep.region.codes)]
    order = lk.groupby("supplier")["value"].sum().sort_values(ascending=False).index
    found = None
    for uscc in list(order)[:40]:
        try:
            res = whatif_candidates(None, CLUSTER, CHAIN, [{"firm": uscc}], engine=eng)
        except JiqunError:  # maps to no segment of the chain
            continue
        row = res.to_dict()["candidates"][0]
        if row["lsr_change"]:
            found = (uscc, row)
            break
    assert found, "some supplier of the cluster's chain firms moves the rate"
    uscc, row = found
    ci = load_chain_inputs(eng, rep.template)
    moved = ci.firms.copy()
    hit = moved["uscc"] == uscc
    moved.loc[hit, "region_code"] = rep.region.members[0]
    moved.loc[hit, "unit"] = rep.region.members[0]
    ci.firms = moved
    full = report_for(ci, rep.region)
    assert row["lsr_after"] == pytest.approx(full.analysis.lsr.chain)
    assert row["completeness_after"] == pytest.approx(full.analysis.completeness.completeness)
