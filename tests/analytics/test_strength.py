"""Cluster strength: US Cluster Mapping Project flags reproduced on the real 2016 state data,
hand-computed quantile cases, and European Cluster Observatory stars."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.rca import JiqunWarning
from jiqun.analytics.strength import cluster_stars, cluster_strength, region_cluster_strength
from jiqun.standard.problems import JiqunError


def _datasets() -> Path:
    env = os.environ.get("JIQUN_SHARED_DATASETS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"


CMP = _datasets() / "us_cluster_mapping_2016"
FLAGS = {
    "qualifying": "qualifying_b",
    "significant": "significant_b",
    "strong": "strong_b",
    "strong10": "strong10_b",
}


# ------------------------------------------------------------------------------------------
# hand-computed
# ------------------------------------------------------------------------------------------


def test_cluster_strength_hand() -> None:
    # every region has traded employment 100; E = 500; E_c1 = 100 → national share .2
    emp = pd.DataFrame(
        {"c1": [10.0, 20.0, 30.0, 40.0, 0.0], "c2": [90.0, 80.0, 70.0, 60.0, 100.0]},
        index=list("ABCDE"),
    )
    est = pd.DataFrame(
        {"c1": [1.0, 2.0, 3.0, 4.0, 0.0], "c2": [9.0, 8.0, 7.0, 6.0, 10.0]}, index=list("ABCDE")
    )
    res = cluster_strength(emp, est)
    c1 = res.xs("c1", level=1)
    # LQ_c1 = (.1, .2, .3, .4, 0)/.2 = (.5, 1, 1.5, 2, 0)
    assert c1["lq"].tolist() == pytest.approx([0.5, 1.0, 1.5, 2.0, 0.0])
    # among A–D (emp > 0), R-7: p25(LQ) = .5 + .75·.5 = .875, p50 = 1.25, p75 = 1.625,
    # p90 = 1.5 + .7·.5 = 1.85 ; p25(emp) = 17.5 ; p25(est) = 1.75
    # A: emp 10 ≤ 17.5 → nothing ; B: LQ 1 > .875 → qualifying only
    # C: 1.5 > 1.25 → significant, < 1.625 → not strong ; D: 2 ≥ 1.85 and ≥ 1 → all four
    assert c1["qualifying"].tolist() == [False, True, True, True, False]
    assert c1["significant"].tolist() == [False, False, True, True, False]
    assert c1["strong"].tolist() == [False, False, False, True, False]
    assert c1["strong10"].tolist() == [False, False, False, True, False]
    assert list(res.columns) == [
        "employment",
        "establishments",
        "lq",
        "qualifying",
        "significant",
        "strong",
        "strong10",
    ]
    assert res.index.names == ["region", "cluster"]
    # c2: LQ = (.9, .8, .7, .6, 1)/.8 = (1.125, 1, .875, .75, 1.25); p75 = 1.125,
    # p25(emp) = 70, p25(est) = 7 → A (1.125, 90, 9) and E (1.25, 100, 10) are strong in c2
    assert res.xs("c2", level=1)["strong"].tolist() == [True, False, False, False, True]
    # region strength = employment in strong clusters / traded employment (100 each)
    rs = region_cluster_strength(res)
    assert rs.to_dict() == pytest.approx({"A": 0.9, "B": 0.0, "C": 0.0, "D": 0.4, "E": 1.0})


def test_cluster_strength_ties_use_ge_for_p75() -> None:
    emp = pd.DataFrame(
        {"c1": [10.0, 10.0, 20.0, 20.0], "c2": [90.0, 90.0, 80.0, 80.0]}, index=list("ABCD")
    )
    est = pd.DataFrame({"c1": [1.0, 2.0, 3.0, 4.0], "c2": [1.0, 1.0, 1.0, 1.0]}, index=list("ABCD"))
    res = cluster_strength(emp, est).xs("c1", level=1)
    # LQ = (.1, .1, .2, .2)/(60/400) = (2/3, 2/3, 4/3, 4/3); p75 = 4/3 exactly → C, D strong (≥)
    assert res["strong"].tolist() == [False, False, True, True]
    # but p25(emp) = 10 and emp > 10 is strict: A and B fail the size test
    assert res["qualifying"].tolist() == [False, False, True, True]


def test_cluster_strength_reference_traded_total_and_errors() -> None:
    emp = pd.DataFrame({"c1": [10.0, 30.0], "c2": [90.0, 70.0]}, index=["A", "B"])
    est = emp / 10
    ref = pd.Series({"c1": 1000.0, "c2": 9000.0})  # national share of c1 = .1
    tt = pd.Series({"A": 200.0, "B": 100.0})  # traded employment beyond these clusters
    res = cluster_strength(emp, est, reference=ref, traded_total=tt)
    # A: (10/200)/.1 = .5 ; B: (30/100)/.1 = 3
    assert res.xs("c1", level=1)["lq"].tolist() == pytest.approx([0.5, 3.0])
    # c1 among A, B: p75(LQ) = .5 + .75·2.5 = 2.375, p25(emp) = 15, p25(est) = 1.5 → B strong;
    # c2: LQ = (.45, .7)/.9 < 1 → not strong. Strength: B 30/100, A 0/200
    assert bool(res.loc[("B", "c1"), "strong"]) and not res["strong"].drop(("B", "c1")).any()
    assert region_cluster_strength(res, traded_total=tt).to_dict() == pytest.approx(
        {"A": 0.0, "B": 0.3}
    )
    with pytest.raises(JiqunError):
        cluster_strength(emp, est.rename(columns={"c2": "c3"}))
    with pytest.raises(JiqunError):
        cluster_strength(emp, est, reference=pd.Series({"c1": 1.0}))
    zero = pd.concat([emp, pd.DataFrame({"c1": [0.0], "c2": [0.0]}, index=["Z"])])
    with pytest.warns(JiqunWarning, match="'Z'"):
        r2 = cluster_strength(zero, zero / 10)
    assert "Z" not in r2.index.get_level_values(0)


# ------------------------------------------------------------------------------------------
# US Cluster Mapping Project 2016, real data
# ------------------------------------------------------------------------------------------


def _cmp(name: str) -> pd.DataFrame:
    path = CMP / name
    if not path.exists():
        pytest.skip(f"shared dataset absent: {path} (set JIQUN_SHARED_DATASETS)")
    d = pd.read_csv(path, dtype={"region_code_t": str})
    return d[d["traded_b"].astype(bool)]


def _run(t: pd.DataFrame) -> pd.DataFrame:
    emp = t.pivot(index="region_code_t", columns="cluster_code_t", values="emp_tl")
    est = t.pivot(index="region_code_t", columns="cluster_code_t", values="est_tl")
    # national cluster employment, published implicitly: emp_tl / cluster_emp_per_tf
    # (the same value in every region up to float32 rounding of the share → median, rounded)
    national = (t["emp_tl"] / t["cluster_emp_per_tf"]).groupby(t["cluster_code_t"]).median().round()
    res = cluster_strength(emp, est, reference=national)
    pub = t.set_index(["region_code_t", "cluster_code_t"])
    return res.join(pub[["lq_tf", *FLAGS.values()]], how="inner")


def test_us_cluster_mapping_2016_states_lq_and_every_flag() -> None:
    t = _cmp("all_states_clusters.csv")
    assert t["region_code_t"].nunique() == 50 and t["cluster_code_t"].nunique() == 51
    j = _run(t)
    assert len(j) == 2550
    # lq_tf is published as float32 (≈ 8 significant digits): ours, rounded to float32, equal it
    ours32 = j["lq"].to_numpy().astype(np.float32)
    pub32 = j["lq_tf"].to_numpy().astype(np.float32)
    n_lq = int((ours32 == pub32).sum())
    assert n_lq == 2550, f"lq_tf reproduced {n_lq}/2550"
    mismatches = {}
    for ours, theirs in FLAGS.items():
        published = j[theirs].map({True: True, False: False, "TRUE": True, "FALSE": False})
        assert published.notna().all()
        mismatches[ours] = int((j[ours] != published.astype(bool)).sum())
    total = 4 * 2550
    assert sum(mismatches.values()) == 0, (
        f"flags reproduced {total - sum(mismatches.values())}/{total}: {mismatches}"
    )
    # the published data have strong clusters in every state
    strength = region_cluster_strength(j[["employment", "strong"]])
    assert strength.between(0, 1).all() and (strength > 0).all()


def test_us_cluster_mapping_2016_economic_areas_lq() -> None:
    # 5 BEA economic areas: quantiles need all 179 areas (absent), but the LQ needs only the
    # area's own traded employment and the national cluster totals
    t = _cmp("all_economic_area_clusters.csv")
    j = _run(t)
    assert len(j) == 5 * 51
    assert (j["lq"].to_numpy().astype(np.float32) == j["lq_tf"].to_numpy().astype(np.float32)).all()


# ------------------------------------------------------------------------------------------
# European Cluster Observatory stars
# ------------------------------------------------------------------------------------------


def _eco() -> pd.DataFrame:
    # 10 regions; r0 is big in c1; r1..r9 mostly c2
    return pd.DataFrame(
        {"c1": [100.0] + [1.0] * 9, "c2": [100.0] + [99.0] * 9},
        index=[f"r{k}" for k in range(10)],
    )


def test_cluster_stars_hand() -> None:
    s = cluster_stars(_eco())
    r0 = s.loc[("r0", "c1")]
    # size: p90 of (100, 1×9) = 1 + .1·99 = 10.9 → 100 ≥ 10.9
    # LQ = (100/200)/(109/1100) = 5.05 ≥ 2 ; focus: .5 ≥ p90(.5, .01×9) = .01 + .1·.49 = .059
    assert bool(r0["size"]) and bool(r0["specialisation"]) and bool(r0["focus"])
    assert r0["lq"] == pytest.approx(0.5 / (109 / 1100))
    assert r0["stars"] == 3
    r1 = s.loc[("r1", "c1")]
    # r1: 1 < 10.9 ; LQ = .01/.0991 = .1 ; focus .01 < .059 → 0 stars
    assert r1["stars"] == 0
    # c2: p90(100, 99×9) = 99 + .1·1 = 99.1 → only r0 has the size star; LQ_r0 = .5/(991/1100) < 2
    c2 = s.xs("c2", level=1)
    assert c2["size"].tolist() == [True] + [False] * 9
    assert not c2["specialisation"].any()


def test_cluster_stars_productivity_and_reference() -> None:
    emp = _eco()
    wages = emp * 50.0
    wages.loc["r3", "c2"] = 99 * 80.0  # r3 pays 80 per employee in c2, others 50
    s = cluster_stars(emp, wages=wages)
    c2 = s.xs("c2", level=1)
    # wage per employee (50 ×9, 80): p90 = 50 + .1·30 = 53 by R-7 → r3 alone
    assert c2["productivity"].tolist() == [k == 3 for k in range(10)]
    # focus in c2: shares (.5, .99 ×9), p90 = .99 → the nine tied regions all reach it (≥)
    assert c2["focus"].tolist() == [False] + [True] * 9
    # r0: size only ; r3: focus + productivity ; others: focus
    assert c2["stars"].tolist() == [1, 1, 1, 2, 1, 1, 1, 1, 1, 1]
    # a European reference where c1 is common: r0's LQ falls below 2
    europe = pd.DataFrame({"c1": [500.0] * 10, "c2": [500.0] * 10})
    s2 = cluster_stars(emp, europe_reference=europe)
    assert s2.loc[("r0", "c1"), "lq"] == pytest.approx(0.5 / 0.5)
    assert not s2.loc[("r0", "c1"), "specialisation"]
    # size threshold from Europe: p90 = 500 → nobody in emp reaches it
    assert not s2["size"].any()
    with pytest.raises(JiqunError):
        cluster_stars(emp, europe_reference=europe.rename(columns={"c2": "c9"}))
