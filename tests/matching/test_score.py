"""Supplier ranking on hand-made populations where the right order is known."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from match_population import BUYER, PLACES, firm, make_uscc

from jiqun.matching import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    MatchIndex,
    Need,
    haversine_km,
    normalise_weights,
    rank_suppliers,
    search_partners,
)
from jiqun.standard.problems import JiqunError

MakeIndex = Callable[..., MatchIndex]
WUXI = "320205"


def _order(res) -> list[str]:  # type: ignore[no-untyped-def]
    return res.table["uscc"].tolist()


def test_code_match_beats_text(make_index: MakeIndex) -> None:
    a = make_uscc(WUXI, "20000001")  # same class, no text match
    b = make_uscc(WUXI, "20000002")  # other division, perfect text match
    ix = make_index([firm(a, WUXI, "3453", "齿轮箱"), firm(b, WUXI, "3811", "谐波减速器")])
    res = rank_suppliers(ix, Need("谐波减速器", "3453", uscc=BUYER))
    assert _order(res) == [a, b]
    t = res.table.set_index("uscc")
    assert t.loc[a, "code"] == 1.0 and t.loc[a, "text"] == 0.0
    assert t.loc[b, "code"] == 0.0 and t.loc[b, "text"] == 1.0
    assert t.loc[a, "total"] - t.loc[b, "total"] == pytest.approx(0.30 - 0.25)


def test_code_levels(make_index: MakeIndex) -> None:
    rows = [
        firm(make_uscc(WUXI, f"3000000{i}"), WUXI, code, "齿轮")
        for i, code in enumerate(["3453", "3459", "3411", "3811"], start=1)
    ]
    ix = make_index(rows)
    res = rank_suppliers(ix, Need("齿轮", "3453", uscc=BUYER))
    got = dict(zip(res.table["industry_code"], res.table["code"], strict=True))
    assert got == {"3453": 1.0, "3459": 0.6, "3411": 0.3, "3811": 0.0}


def test_text_breaks_ties(make_index: MakeIndex) -> None:
    c1 = make_uscc(WUXI, "40000001")
    c2 = make_uscc(WUXI, "40000002")
    # c2 first in the registry: only the text can put c1 ahead
    ix = make_index(
        [firm(c2, WUXI, "3453", "齿轮箱"), firm(c1, WUXI, "3453", "谐波减速器、齿轮箱")]
    )
    res = rank_suppliers(ix, Need("谐波减速器", "3453", uscc=BUYER))
    assert _order(res) == [c1, c2]
    assert res.table["code"].tolist() == [1.0, 1.0]
    assert res.table["text"].iloc[0] == 1.0 and res.table["text"].iloc[1] == 0.0
    assert "谐波" in res.table["matched_terms"].iloc[0]


def test_certifications_filter_and_capability_rows(make_index: MakeIndex) -> None:
    c1 = make_uscc(WUXI, "50000001")
    c2 = make_uscc(WUXI, "50000002")
    c3 = make_uscc(WUXI, "50000003")
    caps = [
        {
            "id": 7,
            "uscc": c2,
            "products": "谐波减速器",
            "certifications": "ISO 9001;IATF 16949",
            "capacity": 800,
            "unit": "台",
        },
    ]
    ix = make_index(
        [
            firm(c1, WUXI, "3453", "谐波减速器"),
            firm(c2, WUXI, "3453", "齿轮"),
            firm(c3, WUXI, "3453", "齿轮", tags="high_tech"),
        ],
        caps,
    )
    need = Need(
        "谐波减速器", "3453", quantity=1000, unit="台", certifications=("ISO9001",), uscc=BUYER
    )
    res = rank_suppliers(ix, need)
    # only the firm that posted ISO 9001 remains, through its capability row
    assert _order(res) == [c2]
    row = res.table.iloc[0]
    assert row["source"] == "capability" and row["capability_id"] == 7
    assert row["certification"] == 1.0 and row["capacity"] == pytest.approx(0.8)
    assert any("certification" in n for n in res.notes)
    # without the filter the others come back, scored lower on certification
    res2 = rank_suppliers(ix, need, require_certifications=False)
    t = res2.table.set_index("uscc")
    assert set(t.index) == {c1, c2, c3} and t.loc[c1, "certification"] == 0.0
    # a firm tag counts as a certificate (高新技术企业 = high_tech)
    res3 = rank_suppliers(ix, Need("齿轮", "3453", certifications=("高新技术企业",), uscc=BUYER))
    assert _order(res3) == [c3]
    # one row per firm: c2 appears once although it has a registry and a capability row
    res4 = rank_suppliers(ix, Need("谐波减速器", "3453", uscc=BUYER))
    assert res4.table["uscc"].is_unique and len(res4.table) == 3


def test_distance_decay(make_index: MakeIndex) -> None:
    near = make_uscc("320506", "60000001")
    far = make_uscc("440305", "60000002")
    ix = make_index([firm(far, "440305", "3453", "齿轮"), firm(near, "320506", "3453", "齿轮")])
    res = rank_suppliers(ix, Need("齿轮", "3453", uscc=BUYER))
    assert _order(res) == [near, far]
    t = res.table.set_index("uscc")
    d_near = haversine_km(
        *PLACES["320505"], np.array([PLACES["320506"][0]]), np.array([PLACES["320506"][1]])
    )[0]
    assert t.loc[near, "distance_km"] == pytest.approx(d_near, abs=0.05)
    assert t.loc[near, "distance"] == pytest.approx(math.exp(-d_near / 200), abs=1e-4)
    assert t.loc[far, "distance_km"] > 1000 and t.loc[far, "distance"] < 0.01
    # a longer decay scale narrows the gap
    wide = rank_suppliers(ix, Need("齿轮", "3453", uscc=BUYER), distance_scale_km=5000)
    assert wide.table.set_index("uscc").loc[far, "distance"] > 0.7


def test_cross_region_switch(make_index: MakeIndex) -> None:
    local = make_uscc("320506", "70000001")  # 苏州: the buyer's own member region
    cross = make_uscc(WUXI, "70000002")  # 无锡: another member region of T1
    out = make_uscc("330106", "70000003")  # 杭州: outside T1
    ix = make_index(
        [
            firm(out, "330106", "3453", "齿轮"),
            firm(cross, WUXI, "3453", "齿轮"),
            firm(local, "320506", "3453", "齿轮"),
        ]
    )
    need = Need("齿轮", "3453", uscc=BUYER)
    no_dist = {"distance": 0.0}
    default = rank_suppliers(ix, need, weights=no_dist)
    assert _order(default) == [local, cross, out]
    assert default.table["region"].tolist() == [1.0, 0.5, 0.0]
    switched = rank_suppliers(ix, need, weights=no_dist, prefer_cross_region=True)
    assert _order(switched) == [cross, local, out]
    assert switched.table["region"].tolist() == [1.0, 0.5, 0.0]
    assert switched.table["cross_region"].tolist() == [True, False, False]
    assert switched.basis["clusters"] == ["T1"]
    # an explicit cluster that does not exist
    with pytest.raises(JiqunError, match="unknown cluster"):
        rank_suppliers(ix, need, prefer_cross_region=True, cluster="NOPE")
    # a region preference keeps the component inside the preferred regions only
    pref = rank_suppliers(
        ix, Need("齿轮", "3453", uscc=BUYER, region_preference=("330100",)), weights=no_dist
    )
    assert pref.table.set_index("uscc")["region"].to_dict() == {out: 1.0, cross: 0.0, local: 0.0}


def test_components_sum_to_total(make_index: MakeIndex) -> None:
    rows = [
        firm(make_uscc(r, f"8000000{i}"), r, code, scope)
        for i, (r, code, scope) in enumerate(
            [
                ("320506", "3453", "谐波减速器"),
                (WUXI, "3459", "齿轮、减速器"),
                ("330106", "3491", "工业机器人、精密减速器"),
                ("440305", "3453", "齿轮箱"),
            ],
            start=1,
        )
    ]
    ix = make_index(rows, with_template=True)
    w = {
        "code": 2,
        "segment": 1,
        "text": 2,
        "capacity": 1,
        "certification": 1,
        "distance": 2,
        "region": 1,
    }
    res = rank_suppliers(ix, Need("谐波减速器", "3453", uscc=BUYER), weights=w)
    t = res.table
    assert len(t) == 4
    pts = t[[f"{k}_pts" for k in COMPONENTS]].sum(axis=1)
    assert np.allclose(pts, t["total"])
    for k in COMPONENTS:
        assert np.allclose(t[f"{k}_pts"], res.weights[k] * t[k], atol=1e-4)
        assert t[k].between(0, 1).all()
    assert sum(res.weights.values()) == pytest.approx(1.0)
    assert res.weights["code"] == pytest.approx(0.2)
    assert t["total"].is_monotonic_decreasing and t["rank"].tolist() == [1, 2, 3, 4]


def test_segment_and_synonyms_from_templates(make_index: MakeIndex) -> None:
    s = make_uscc(WUXI, "90000001")  # no class match, scope names a segment keyword
    ix = make_index([firm(s, WUXI, "3599", "RV减速器的生产")], with_template=True)
    # the need says only 精密减速器: the segment keyword RV减速器 comes in as a synonym
    res = rank_suppliers(ix, Need("精密减速器", uscc=BUYER))
    row = res.table.iloc[0]
    assert row["uscc"] == s and row["segment"] == pytest.approx(0.6)
    assert row["text"] > 0 and "rv减速器" in row["matched_terms"]
    assert res.basis["query_terms"]["rv减速器"] == 0.5
    assert "toy_robots.reducers" in res.basis["need_segments"][0]


def test_buyer_excluded_and_irrelevant_firms_left_out(make_index: MakeIndex) -> None:
    other = make_uscc(WUXI, "11000001")
    ix = make_index([firm(other, WUXI, "1711", "棉纺纱")])
    res = rank_suppliers(ix, Need("工业机器人", "3491", uscc=BUYER))
    assert res.table.empty and res.candidates == 0 and any("no relevant" in n for n in res.notes)


def test_need_and_weight_errors(make_index: MakeIndex) -> None:
    ix = make_index([])
    with pytest.raises(JiqunError, match="product text or an industry code"):
        rank_suppliers(ix, Need(""))
    with pytest.raises(JiqunError, match="unknown score component 'price'"):
        normalise_weights({"price": 1})
    with pytest.raises(JiqunError, match="non-negative"):
        normalise_weights({"code": -1})
    with pytest.raises(JiqunError, match="cannot all be 0"):
        normalise_weights(dict.fromkeys(DEFAULT_WEIGHTS, 0))
    assert sum(normalise_weights(None).values()) == pytest.approx(1.0)


def test_speed_one_need_over_200k_candidates() -> None:
    """Matching one need over 200,000 firms must stay well under a second."""
    import time

    from jiqun.matching import build_index

    rng = np.random.default_rng(0)
    n = 200_000
    codes = np.array(["3453", "3459", "3411", "3811", "3491", "1711", "2641", "3976"])
    scopes = np.array(["齿轮箱", "谐波减速器", "棉纺纱", "集成电路封装", "工业机器人", "涂料"])
    firms = pd.DataFrame(
        {
            "uscc": [f"F{i:07d}" for i in range(n)],
            "name": "x",
            "region_code": rng.choice(["320505", "320205", "330106", "440305"], n),
            "industry_code": rng.choice(codes, n),
            "business_scope": rng.choice(scopes, n),
            "lon": rng.uniform(110, 122, n),
            "lat": rng.uniform(22, 40, n),
        }
    )
    ix = build_index(firms, templates={})
    rank_suppliers(ix, Need("谐波减速器", "3453", region_code="320505", lon=120.5, lat=31.3))
    t0 = time.perf_counter()
    res = rank_suppliers(
        ix, Need("谐波减速器", "3453", region_code="320505", lon=120.5, lat=31.3), top=10
    )
    assert time.perf_counter() - t0 < 1.0
    assert len(res.table) == 10 and res.candidates > 50_000


def test_partner_search(make_index: MakeIndex) -> None:
    hi = make_uscc(WUXI, "12000001")
    lo = make_uscc("440305", "12000002")
    home = make_uscc("320506", "12000003")
    ix = make_index(
        [
            firm(hi, WUXI, "3491", "工业机器人、机器视觉", tags="high_tech", revenue=1000, rd=60),
            firm(lo, "440305", "3491", "工业机器人", revenue=1000, rd=0),
            firm(home, "320506", "3491", "工业机器人、机器视觉", tags="srdi", revenue=1000, rd=60),
            firm(make_uscc(WUXI, "12000004"), WUXI, "1711", "棉纺纱"),
        ],
        with_template=True,
    )
    res = search_partners(ix, "机器视觉 工业机器人", home_region="320505", exclude=(BUYER,))
    t = res.table.set_index("uscc")
    assert t.index[0] == hi
    assert t.loc[hi, "innovation"] == 1.0 and t.loc[lo, "innovation"] == 0.0
    assert (
        t.loc[hi, "region"] == 1.0 and t.loc[lo, "region"] == 0.5 and t.loc[home, "region"] == 0.0
    )
    assert np.allclose(
        res.table[[f"{k}_pts" for k in res.components]].sum(axis=1), res.table["total"]
    )
    # filters
    only_tag = search_partners(ix, "工业机器人", tags=("srdi",))
    assert only_tag.table["uscc"].tolist() == [home]
    only_region = search_partners(ix, "工业机器人", region="440300")
    assert only_region.table["uscc"].tolist() == [lo]
    field = search_partners(ix, field="high_end_equipment", exclude=(BUYER,))
    assert set(field.table["uscc"]) == {hi, lo, home}
    with pytest.raises(JiqunError, match="at least one"):
        search_partners(ix, "")
    with pytest.raises(JiqunError, match="unknown field"):
        search_partners(ix, "x", field="robots")
    with pytest.raises(JiqunError, match="unknown tag"):
        search_partners(ix, "x", tags=("famous",))


def test_weights_and_quantities_that_are_no_numbers_are_refused() -> None:
    from jiqun.matching.score import check_quantity, normalise_weights

    with pytest.raises(JiqunError) as e:
        normalise_weights({"text": "heavy"})
    assert e.value.message_en == "the weight of text must be a number: 'heavy'"
    assert e.value.message_zh == "得分项 text 的权重必须是数字：'heavy'"
    with pytest.raises(JiqunError) as e:
        check_quantity([5])
    assert e.value.message_en == "the quantity must be a number: [5]"
    assert check_quantity("2.5") == 2.5
