"""Cluster diagnosis from matrices (pure): hand-solved cases and agreement with the metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.diagnosis import POSITION_CLASSES, diagnose
from jiqun.metrics import (
    cluster_strength,
    complexity,
    homogeneous_competition_table,
    location_quotient,
    shift_share,
)
from jiqun.standard.problems import JiqunError

# 4 regions × 3 manufacturing classes; hand totals: column 1311 = 12, grand total = 44.
X = pd.DataFrame(
    {"1311": [9.0, 1, 1, 1], "3911": [1.0, 9, 5, 1], "2710": [1.0, 1, 5, 9]},
    index=["a", "b", "c", "d"],
)


def test_leading_industry_lq_and_share_by_hand() -> None:
    t = diagnose(X, ["a"], ["1311"])["leading_industries"]
    row = t.iloc[0]
    assert row["region_code"] == "a" and row["industry_code"] == "1311"
    assert row["value"] == 9.0
    assert row["national_share"] == pytest.approx(9 / 12)
    assert row["lq"] == pytest.approx((9 / 11) / (12 / 44))
    assert bool(row["specialised"])
    assert "trend" not in t.columns  # no earlier year given


def test_trend_growth_and_lq_change_by_hand() -> None:
    prev = X.copy()
    prev.loc["a", "1311"] = 4.0  # a grew 4 -> 9 in 1311
    d = diagnose(X, ["a", "b"], ["1311", "3911"], X_prev=prev)
    t = d["leading_industries"].set_index(["region_code", "industry_code"])
    lq_prev = (4 / 6) / (7 / 39)
    assert t.loc[("a", "1311"), "lq_prev"] == pytest.approx(lq_prev)
    assert t.loc[("a", "1311"), "lq_change"] == pytest.approx((9 / 11) / (12 / 44) - lq_prev)
    assert t.loc[("a", "1311"), "growth_rate"] == pytest.approx(9 / 4 - 1)
    assert t.loc[("a", "1311"), "trend"] == "falling"  # 3.71 -> 3.0
    # b's LQ in 3911 rose: total grew, b unchanged -> shares shift
    b_prev = (9 / 11) / (16 / 39)
    b_now = (9 / 11) / (16 / 44)
    assert t.loc[("b", "3911"), "lq_change"] == pytest.approx(b_now - b_prev)
    assert t.loc[("b", "3911"), "trend"] == "rising"


def test_cluster_industries_aggregate_by_hand() -> None:
    t = diagnose(X, ["a", "c"], ["1311", "3911"])["cluster_industries"].set_index("industry_code")
    # members a + c: 1311 = 10, 3911 = 6, member total = 11 + 11 = 22
    assert t.loc["1311", "cluster_value"] == 10.0
    assert t.loc["1311", "national_share"] == pytest.approx(10 / 12)
    assert t.loc["3911", "cluster_lq"] == pytest.approx((6 / 22) / (16 / 44))


def test_shift_share_matches_metric_and_adds_up() -> None:
    rng = np.random.default_rng(3)
    prev = X * rng.uniform(0.7, 1.3, X.shape)
    d = diagnose(X, ["a", "c"], ["1311", "3911"], X_prev=prev)
    ss = d["shift_share"]
    allind = ss[ss["scope"] == "all_industries"].set_index("region_code")
    ref = shift_share(prev, X, method="esteban").loc[["a", "c"]]
    for col in ("growth", "national_share", "industry_mix", "regional_shift", "competitive"):
        np.testing.assert_allclose(allind[col], ref[col], rtol=1e-12)
    lead = ss[ss["scope"] == "leading_industries"].set_index("region_code")
    total = lead["national_share"] + lead["industry_mix"] + lead["regional_shift"]
    np.testing.assert_allclose(total, lead["growth"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        lead["growth"],
        X.loc[["a", "c"], ["1311", "3911"]].sum(axis=1)
        - prev.loc[["a", "c"], ["1311", "3911"]].sum(axis=1),
    )


def _big(seed: int = 1, n: int = 40) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols = [f"{d}{k:02d}" for d in (13, 26, 27, 34, 39) for k in range(1, 5)]
    M = rng.gamma(0.6, 100.0, (n, len(cols))) * (rng.random((n, len(cols))) > 0.25)
    return pd.DataFrame(M, index=[f"r{i:02d}" for i in range(n)], columns=cols)


def test_strength_equals_cluster_strength_on_category_matrix() -> None:
    Y = _big()
    est = np.ceil(Y / 20.0)
    leading = ["3901", "3902", "2601"]
    d = diagnose(Y, ["r00", "r01", "r02"], leading, establishments=est)
    t = d["strength"].set_index("region_code")
    # categories by hand: CLUSTER = the leading classes, others = their 2-digit division
    cat = {c: ("CLUSTER" if c in leading else c[:2]) for c in Y.columns}
    emp = Y.T.groupby(cat).sum().T
    E = est.T.groupby(cat).sum().T
    ref = cluster_strength(emp, E).xs("CLUSTER", level=1)
    for r in ("r00", "r01", "r02"):
        assert t.loc[r, "lq"] == pytest.approx(ref.loc[r, "lq"])
        for f in ("qualifying", "significant", "strong", "strong10"):
            assert bool(t.loc[r, f]) == bool(ref.loc[r, f]), (r, f)
    lq_cluster = (emp["CLUSTER"] / emp.sum(axis=1)) / (emp["CLUSTER"].sum() / emp.to_numpy().sum())
    assert t.loc["r01", "lq"] == pytest.approx(lq_cluster["r01"])
    assert (t["stars"] == t[["star_size", "star_specialisation", "star_focus"]].sum(axis=1)).all()


def test_positioning_rules_and_next_industries() -> None:
    Y = _big(5)
    members = ["r03", "r07"]
    d = diagnose(Y, members, ["3901"], top=5)
    pos = d["positioning"]
    cx = complexity(Y)
    assert set(pos["position"]) <= set(POSITION_CLASSES)
    for r in members:
        p = pos[pos["region_code"] == r].set_index("industry_code")
        np.testing.assert_allclose(p["rca"], location_quotient(Y).loc[r, p.index])
        np.testing.assert_allclose(p["density"], cx.density.loc[r, p.index], rtol=1e-12)
        assert ((p["position"] == "strength") == (p["rca"] >= 1 - 1e-9)).all()
        med = p.loc[~p["present"], "density"].median()
        eci = cx.eci[r]
        opp = p[p["position"] == "opportunity"]
        assert (opp["density"] >= med).all() and (opp["pci"] >= eci).all()
        lj = p[p["position"] == "long_jump"]
        assert (lj["density"] < med).all() and (lj["pci"] >= eci).all()
        lh = p[p["position"] == "low_hanging"]
        assert (lh["density"] >= med).all() and (lh["pci"] < eci).all()
        nxt = d["next_industries"]
        n = nxt[nxt["region_code"] == r]
        assert list(n["rank"]) == list(range(1, len(n) + 1)) and len(n) <= 5
        assert not n["present"].any()
        absent = p[~p["present"]].sort_values("density", ascending=False)
        assert n["density"].iloc[0] == pytest.approx(absent["density"].iloc[0])
        assert n["density"].is_monotonic_decreasing


def test_competition_tables() -> None:
    Y = _big(7)
    d = diagnose(
        Y,
        ["r00", "r01"],
        ["3901", "3902"],
        peers={"P1": (["r05", "r06"], ["3902", "3903"]), "P2": (["r09"], ["1301"])},
        cluster_id="ME",
        top=3,
    )
    reg = d["competition_regions"]
    ref = homogeneous_competition_table(Y, ["r00", "r01"], top=3)
    pd.testing.assert_frame_equal(reg.reset_index(drop=True), ref.reset_index(drop=True))
    cl = d["competition_clusters"].set_index("cluster_b")
    assert set(cl.index) == {"P1", "P2"}
    assert cl.loc["P1", "leading_overlap_jaccard"] == pytest.approx(1 / 3)
    assert cl.loc["P2", "leading_overlap_jaccard"] == 0.0
    me, p1 = Y.loc[["r00", "r01"]].sum(), Y.loc[["r05", "r06"]].sum()
    cos = float(me @ p1 / np.sqrt((me @ me) * (p1 @ p1)))
    assert cl.loc["P1", "structure_similarity"] == pytest.approx(cos)


def test_concentration_with_firms() -> None:
    firms = pd.DataFrame(
        {
            "region": ["a", "a", "b", "c", "d", "a"],
            "industry": ["1311", "1311", "1311", "3911", "2710", "3911"],
            "size": [5.0, 4.0, 1.0, 5.0, 9.0, 1.0],
        }
    )
    t = diagnose(X, ["a"], ["1311", "3911"], firms=firms)["concentration"]
    t = t.set_index("industry_code")
    assert t.loc["1311", "members_share"] == pytest.approx(9 / 12)
    assert t.loc["1311", "regions_specialised"] == 1
    assert t.loc["1311", "top5_share"] == pytest.approx(1.0)
    assert {"eg_gamma", "eg_G", "eg_H"} <= set(t.columns)
    # firm Herfindahl of 1311: sizes 5, 4, 1 of 10
    assert t.loc["1311", "eg_H"] == pytest.approx(0.25 + 0.16 + 0.01)


def test_scope_excludes_non_traded_unless_asked() -> None:
    Y = _big(2)
    Y["0111"] = np.linspace(1, 50, len(Y))  # agriculture
    d = diagnose(Y, ["r00"], ["3901"])
    assert "0111" not in set(d["positioning"]["industry_code"])
    assert d["members"].loc[0, "total_value"] == pytest.approx(Y.loc["r00"].sum())
    d_all = diagnose(Y, ["r00"], ["3901"], traded=())
    assert "0111" in set(d_all["positioning"]["industry_code"])


def test_missing_leading_industry_is_noted_and_zero() -> None:
    d = diagnose(X, ["a"], ["1311", "3973"])
    assert any("3973" in n for n in d.notes)
    row = d["leading_industries"].set_index("industry_code").loc["3973"]
    assert row["value"] == 0.0
    assert np.isnan(row["lq"])  # 0 / 0: undefined nationally, never reported as 0


@pytest.mark.parametrize(
    ("members", "leading", "word"),
    [([], ["1311"], "no member regions"), (["a"], [], "no leading"), (["zz"], ["1311"], "zz")],
)
def test_errors(members: list[str], leading: list[str], word: str) -> None:
    with pytest.raises(JiqunError) as e:
        diagnose(X, members, leading)
    assert word in str(e.value)


def test_negative_cell_is_rejected() -> None:
    bad = X.copy()
    bad.loc["b", "2710"] = -1.0
    with pytest.raises(JiqunError):
        diagnose(bad, ["a"], ["1311"])
