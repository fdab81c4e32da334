"""The public's what-if: ``GET /api/v1/plans/whatif`` and ``/planning/whatif`` on the small demo.

``POST /api/v1/plans/whatif`` takes a JSON body, which the web layer refuses from an anonymous
caller; the GET form carries the candidates in the query so that the public can place a profile
(src/jiqun/web/api_whatif.py, src/jiqun/web/ui_planning.py).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from jiqun.chains.templates import load_templates
from jiqun.errors import JiqunError
from jiqun.formatting import fmt_pct
from jiqun.services import accounts
from jiqun.services.chains import chain_analysis
from jiqun.web.api_whatif import parse_candidate

CLUSTER, CHAIN = "NC2021-03", "integrated_circuits"
API = "/api/v1/plans/whatif"
#: what the service withholds from the public (value-basis local supporting rate)
LSR = ("lsr_before", "lsr_after", "lsr_change")


def _present_and_missing(eng: Engine) -> tuple[str, str, str]:
    """(a class of a present segment, that segment, a missing segment) of the stored analysis."""
    rep = chain_analysis(None, CHAIN, cluster=CLUSTER, engine=eng, cache=True).report
    missing = list(rep.analysis.completeness.missing)
    present = [s for s in rep.template.segment_ids if s not in missing]
    assert missing and present
    code = rep.template.code_table()
    cls = str(code.loc[code["segment"] == present[0], "code"].iloc[0])
    return cls, present[0], missing[0]


def _firm_elsewhere(eng: Engine) -> str:
    """A firm outside the cluster whose class is one of the chain's."""
    rep = chain_analysis(None, CHAIN, cluster=CLUSTER, engine=eng, cache=True).report
    classes = set(rep.template.code_table()["code"].astype(str))
    with eng.connect() as c:
        firms = pd.read_sql(text("SELECT uscc, region_code, industry_code FROM enterprises"), c)
    firms = firms[
        ~firms["region_code"].isin(rep.region.codes) & firms["industry_code"].isin(classes)
    ]
    assert len(firms)
    return str(sorted(firms["uscc"])[0])


def _public_view(doc: dict[str, Any]) -> dict[str, Any]:
    """The admin's document as the public sees it when the rate is on the value basis."""
    out = {**doc, "candidates": [{**r, **dict.fromkeys(LSR)} for r in doc["candidates"]]}
    return out


def test_anonymous_get_equals_the_post_on_the_public_basis(admin_world: Any) -> None:
    with admin_world("whatif_get", "whatif_get_admin", "Pw-whatif-get-2026!") as w:
        cls, _present, missing = _present_and_missing(w.engine)
        anon = TestClient(w.client.app)
        q = {"cluster": CLUSTER, "chain": CHAIN, "industry": cls, "size": 5000}
        body = {"cluster": CLUSTER, "chain": CHAIN, "candidates": [{"industry": cls, "size": 5000}]}
        # the POST stays closed to an anonymous caller; the GET is open
        assert anon.post(API, json=body).status_code == 401
        r = anon.get(API, params=q)
        assert r.status_code == 200, r.text
        pub = r.json()
        adm = w.client.post(API, json=body, headers=w.headers).json()
        # the admin's GET is the admin's POST, exactly
        assert w.client.get(API, params=q, headers=w.headers).json() == adm
        row = adm["candidates"][0]
        assert row["completeness_change"] == 0  # a segment already present
        # the what-if's "single point" is a segment resting on one firm, named apart from the
        # resilience analysis's dominators
        assert "single-firm segment" in pub["basis"]["single_firm_segment"]
        assert "not the supply-network dominator" in pub["basis"]["single_firm_segment"]
        assert "single_point_of_failure" not in pub["basis"]
        if row["lsr_basis"] == "value":
            # the public's basis differs: the rate from firms' supply links is withheld, and
            # the answer says so
            note = [n for n in pub["notes"] if "not shown to the public" in n]
            assert len(note) == 1
            assert set(pub["notes"]) == set(adm["notes"]) | set(note)
            assert all(pub["candidates"][0][k] is None for k in LSR)
            assert {**_public_view(adm), "notes": None} == {**pub, "notes": None}
        else:
            assert pub == adm
        # several profiles: candidate=INDUSTRY[:SIZE[:SEGMENT]], ranked as the POST ranks them
        q2 = [("cluster", CLUSTER), ("chain", CHAIN), ("industry", cls), ("size", "5000")]
        q2.append(("candidate", f"::{missing}"))
        body2 = {**body, "candidates": [*body["candidates"], {"segment": missing}]}
        pub2 = anon.get(API, params=q2).json()
        adm2 = w.client.post(API, json=body2, headers=w.headers).json()
        view = _public_view(adm2) if row["lsr_basis"] == "value" else adm2
        assert pub2["candidates"] == view["candidates"]
        first = pub2["candidates"][0]
        assert first["segments"] == missing and first["rank"] == 1
        n = len(load_templates()[CHAIN].segments)
        assert first["completeness_change"] == pytest.approx(1 / n)


def test_a_named_firm_by_get_is_for_readers_only(admin_world: Any) -> None:
    with admin_world("whatif_get_firm", "whatif_get_admin2", "Pw-whatif-get-2026!") as w:
        uscc = _firm_elsewhere(w.engine)
        anon = TestClient(w.client.app)
        q = {"cluster": CLUSTER, "chain": CHAIN, "firm": uscc}
        r = anon.get(API, params=q)
        assert r.status_code == 401, r.text
        assert "profiles only" in r.text
        # the refusal does not depend on whether the firm exists
        r0 = anon.get(API, params={**q, "firm": "91000000000000000X"})
        assert r0.status_code == 401 and r0.text == r.text
        # a government of another region: 404, the same answer as for an unknown credit code
        p = accounts.add_user(
            "whatif_get_gov", "government", "Pw-whatif-get-2026!", "650100", w.engine
        )
        gov = {"Authorization": f"Bearer {accounts.issue_token(p, w.engine)}"}
        r_out = w.client.get(API, params=q, headers=gov)
        r_none = w.client.get(API, params={**q, "firm": "91000000000000000X"}, headers=gov)
        assert r_out.status_code == 404 and r_none.status_code == 404
        assert r_out.text.replace(uscc, "X") == r_none.text.replace("91000000000000000X", "X")
        # a reader (the admin) gets what the POST gives
        got = w.client.get(API, params=q, headers=w.headers)
        assert got.status_code == 200, got.text
        body = {"cluster": CLUSTER, "chain": CHAIN, "candidates": [{"firm": uscc}]}
        assert got.json() == w.client.post(API, json=body, headers=w.headers).json()


def test_openapi_documents_the_get(admin_world: Any) -> None:
    with admin_world("whatif_get_doc", "whatif_get_admin3", "Pw-whatif-get-2026!") as w:
        spec = TestClient(w.client.app).get("/api/v1/openapi.json").json()
        ops = spec["paths"]["/api/v1/plans/whatif"]
        assert {"get", "post"} <= set(ops)
        params = {p["name"] for p in ops["get"]["parameters"]}
        assert params >= {"cluster", "chain", "industry", "size", "segment", "candidate", "firm"}
        assert "public" in ops["get"]["description"]


def test_candidate_values() -> None:
    assert parse_candidate("3973") == {"industry": "3973", "size": None, "segment": None}
    assert parse_candidate("3973:20000") == {"industry": "3973", "size": 20000.0, "segment": None}
    for bad in ("", ":", "39731", "3973:x", "3973:1:a b", ":5000"):
        with pytest.raises(JiqunError) as e:
            parse_candidate(bad)
        assert "INDUSTRY[:SIZE[:SEGMENT]]" in e.value.message_en


def _visible(html: str) -> str:
    body = html.split("<main", 1)[-1]
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_the_planning_page_offers_the_public_a_profile_form(admin_world: Any) -> None:
    with admin_world("whatif_page", "whatif_page_admin", "Pw-whatif-get-2026!") as w:
        cls, _present, missing = _present_and_missing(w.engine)
        anon = TestClient(w.client.app)
        page = anon.get("/planning")
        assert page.status_code == 200
        assert 'id="whatif-form"' in page.text and 'action="/planning/whatif"' in page.text
        assert 'name="firm"' not in page.text  # a named firm needs a sign-in, and says so
        assert "按信用代码测算其他地区的现有企业需" in _visible(page.text)
        en = anon.get("/planning?lang=en")
        assert "To place an existing firm of another region by its credit code" in en.text
        r = anon.get(
            "/planning/whatif",
            params={
                "cluster": CLUSTER,
                "chain": CHAIN,
                "segment": missing,
                "size": "8000",
                "lang": "zh",  # the English page above set the language
            },
        )
        assert r.status_code == 200, r.text[-2000:]
        assert 'id="whatif-table"' in r.text
        seg = next(s for s in load_templates()[CHAIN].segments if s.id == missing)
        text_ = _visible(r.text)
        assert seg.name_zh in text_ and "单一企业环节" in text_
        assert "不是韧性分析中供应网络的支配点" in text_
        for bad in ("None", "nan", "spof", " / "):
            assert bad not in text_, bad
        # the segment is chosen and shown by its name, never by its internal id
        assert missing not in text_
        assert (
            '<select name="segment">' in r.text and f'<option value="{missing}" selected>' in r.text
        )
        # the page's figures are the API's
        api = anon.get(API, params={"cluster": CLUSTER, "chain": CHAIN, "segment": missing})
        want = api.json()["candidates"][0]["completeness_after"]
        assert fmt_pct(want) in text_
        # the English page: no Chinese outside the names marked zh-CN
        r_en = anon.get(
            "/planning/whatif",
            params={"cluster": CLUSTER, "chain": CHAIN, "segment": missing, "lang": "en"},
        )
        assert r_en.status_code == 200 and 'id="whatif-table"' in r_en.text
        assert seg.name_en in r_en.text and "Single-firm segment" in r_en.text
        en_only = re.sub(r'<([a-z]+)[^>]*lang="zh[^"]*"[^>]*>.*?</\1>', " ", r_en.text, flags=re.S)
        han = re.findall(r".{20}[\u4e00-\u9fff]+.{20}", _visible(en_only))
        assert not han, han[:5]
        anon.get("/planning", params={"lang": "zh"})
        # a bad size is refused in the form's own section
        bad = anon.get(
            "/planning/whatif",
            params={"cluster": CLUSTER, "chain": CHAIN, "industry": cls, "size": "many"},
        )
        assert bad.status_code == 400 and 'id="whatif-error"' in bad.text
        # signed in: the firm field is offered
        assert 'name="firm"' in w.client.get("/planning").text
