"""The REST API's enterprise list and profile are the directory service's (one behaviour).

Before, ``web/api.py`` re-implemented both with its own SQL: ``q`` searched names only, rows
had no region or industry names, and a profile asked for with a lower-case credit code was not
found. Now the API calls :mod:`jiqun.services.directory` like the pages do (docs/api.md).
"""

from __future__ import annotations

from typing import Any

from jiqun.services.accounts import Principal
from jiqun.services.directory import enterprise_list


def _items(resp: Any) -> list[dict[str, Any]]:
    assert resp.status_code == 200, resp.text[:300]
    return list(resp.json()["items"])


def test_list_searches_credit_codes_and_names(world: Any) -> None:
    c, f = world.client(), world.firms
    got = _items(
        c.get("/api/v1/enterprises", params={"q": f["A"][-8:]}, headers=world.auth("admin"))
    )
    assert [i["uscc"] for i in got] == [f["A"]]
    assert got[0]["region_name"] and got[0]["industry_name"]
    by_name = _items(
        c.get("/api/v1/enterprises", params={"q": "锂电"}, headers=world.auth("admin"))
    )
    assert [i["uscc"] for i in by_name] == [f["B"]]


def test_list_is_the_service_list(world: Any) -> None:
    c = world.client()
    gov = Principal("gov", "government", "320200", world.orgs["gov"])
    for sort in ("uscc", "-revenue", "name"):
        df, total = enterprise_list(gov, world.engine, sort=sort, limit=100)
        api = c.get("/api/v1/enterprises", params={"sort": sort}, headers=world.auth("gov"))
        assert [i["uscc"] for i in _items(api)] == df["uscc"].tolist()
        assert api.json()["meta"]["total"] == total == 3


def test_profile_is_the_service_profile(world: Any) -> None:
    c, f = world.client(), world.firms
    r = c.get(f"/api/v1/enterprises/{f['A'].lower()}", headers=world.auth("gov"))
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert body["uscc"] == f["A"]
    assert "segments" in body and "tag_labels" in body
    assert body["customers"][0]["buyer_uscc"] == f["B"]
    assert "buyer_name" in body["customers"][0]
    assert isinstance(body["customers"][0]["synthetic"], bool)
