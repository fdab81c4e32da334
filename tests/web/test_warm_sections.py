"""The warm path of pages and sections: what a request does not need to do again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from jiqun.web.ui import records_or_empty


def _frames() -> list[pd.DataFrame]:
    n = 5
    base = pd.DataFrame(
        {
            "code": ["320200", "320500", None, "110108", "x"],
            "name": pd.Series(["无锡", "苏州", "北京", None, "y"], dtype="object"),
            "n": np.arange(n, dtype="int64"),
            "v": [1.5, np.nan, 3.0, np.inf, -0.0],
            "f32": np.arange(n, dtype="float32") / 3,
            "flag": [True, False, True, True, False],
            "nullable": pd.array([1, None, 3, 4, None], dtype="Int64"),
            "nbool": pd.array([True, None, False, True, None], dtype="boolean"),
            "when": pd.to_datetime(["2024-01-01", None, "2025-06-30", "2023-02-01", "2022-01-01"]),
            "cat": pd.Categorical(["a", "b", "a", None, "b"]),
            "obj": [1, "two", 3.0, None, {"k": 1}],
            "date": [dt.date(2024, 1, 1)] * n,
            "np_obj": pd.Series([np.int64(3), np.float64(2.5), None, "s", np.bool_(True)]),
        }
    )
    return [
        base,
        base.set_index("code"),
        base.iloc[[3, 1]],
        base[["v"]],
        pd.DataFrame({"only": pd.Series([], dtype="int64")}),
    ]


@pytest.mark.parametrize("i", range(5))
def test_records_are_exactly_to_dict_records(i: int) -> None:
    df = _frames()[i]
    want = [] if df.empty else df.to_dict("records")
    got = records_or_empty(df)
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert list(a) == list(b)
        for col in a:
            x, y = a[col], b[col]
            assert type(x) is type(y), (col, type(x), type(y))
            assert x is y or x == y or (x != x and y != y), (col, x, y)


def test_records_of_repeated_column_names_as_to_dict() -> None:
    df = pd.DataFrame([[1, 2, 3]], columns=["a", "b", "a"])
    with pytest.warns(UserWarning):
        want = df.to_dict("records")
    with pytest.warns(UserWarning):
        assert records_or_empty(df) == want


def test_a_section_fragment_does_not_read_the_results_state(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jiqun.services import refresh

    calls: list[Any] = []
    real = refresh.results_state

    def counting(principal: Any, engine: Any) -> dict[str, Any]:
        calls.append(principal)
        return real(principal, engine)

    monkeypatch.setattr(refresh, "results_state", counting)
    assert client.get("/").status_code == 200
    assert len(calls) == 1  # the layout draws the banner
    calls.clear()
    r = client.get("/regions/320200/published", headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    assert calls == []  # a fragment swapped into a page has no banner
    # opened on its own, the fragment comes in the layout, banner included
    r = client.get("/regions/320200/published")
    assert r.status_code == 200 and "<html" in r.text
    assert len(calls) == 1


def test_chain_view_reads_who_may_read_once_and_keeps_each_scope_apart(world: Any) -> None:
    from sqlalchemy import event

    from jiqun.services.accounts import Principal
    from jiqun.services.chains import chain_analysis

    firm = Principal("firm_other", "enterprise", world.firms["B"], world.orgs["firm_other"])
    cluster = Principal("cluster", "cluster", world.cluster, world.orgs["cluster"])
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "FROM enterprises e WHERE" in statement:
            seen.append(statement)

    def view(who: Principal) -> Any:
        return chain_analysis(
            who, "integrated_circuits", cluster=world.cluster, engine=world.engine, cache=True
        )

    view(cluster)  # the report computed (or read) once for this data version
    event.listen(world.engine, "before_cursor_execute", count)
    try:
        for _ in range(2):  # the disclosed tables are kept per set of readable firms
            denied = view(firm)
            allowed = view(cluster)
            segs = denied.tables["segments"].set_index("segment")
            one = segs[segs["firms"] == 1]
            assert len(one) and one["suppressed"].all() and one["output"].isna().all()
            assert denied.summary["lsr"] is None and denied.tables["mapping"] is None
            raw = allowed.tables["segments"].set_index("segment")
            assert not raw["suppressed"].any() and raw.loc[one.index, "output"].notna().all()
    finally:
        event.remove(world.engine, "before_cursor_execute", count)
    # one read of the own scope per analysis (each of the four firm tables read it again)
    assert len(seen) == 4, seen
