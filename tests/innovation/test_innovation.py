"""Innovation resources: hand-solved concentration and gaps, and the stored demo."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from jiqun.innovation import concentration, counts, gaps, headline_table
from jiqun.services.innovation import innovation_resources
from jiqun.standard.problems import JiqunError


def test_counts_distinct_and_concentration_by_hand() -> None:
    a = pd.DataFrame(
        {
            "cluster_id": ["A", "A", "A", "B", "B", "C"],
            "resource": ["mic", "mic", "mic", "mic", "lg", "lg"],
            "item": [1, 2, 2, 3, 10, 10],  # item 2 twice in A; firm 10 inside B and C
        }
    )
    c = counts(a)
    assert c.loc["A", "mic"] == 2 and c.loc["B", "mic"] == 1 and c.loc["C", "lg"] == 1
    r = concentration(a, {"mic": 5, "lg": 4})
    assert r.loc["mic", "inside"] == 3 and r.loc["mic", "outside"] == 2
    assert r.loc["mic", "share_inside"] == pytest.approx(0.6)
    assert r.loc["mic", "hhi"] == pytest.approx((2 / 3) ** 2 + (1 / 3) ** 2)
    assert r.loc["mic", "effective_clusters"] == pytest.approx(1 / ((4 + 1) / 9))
    # firm 10 counts once nationally inside, but for each cluster holding it
    assert r.loc["lg", "inside"] == 1 and r.loc["lg", "clusters_with"] == 2
    assert r.loc["lg", "hhi"] == pytest.approx(0.5)
    with pytest.raises(JiqunError, match="below"):
        concentration(a, {"mic": 2})


def test_gaps_and_headline_wording() -> None:
    car = pd.DataFrame(
        {
            "cluster_id": ["A", "A", "B"],
            "industry_code": ["3973", "3976", "2710"],
            "level": ["national", "provincial", "national"],
        }
    )
    g = gaps({"A": ["3973", "3976"], "B": ["2710", "2720"]}, car)
    assert g.set_index(["cluster_id", "industry_code"])["gap"].to_dict() == {
        ("A", "3973"): False,
        ("A", "3976"): True,  # only a provincial carrier
        ("B", "2710"): False,
        ("B", "2720"): True,
    }
    h = headline_table({"mic_in_45": 18, "champions_in_45": 169, "mic_share": 0.65}).set_index(
        "figure"
    )
    assert h.loc["mic_in_45", "consistent"]
    assert not h.loc["champions_in_45", "consistent"]  # "170+" needs ≥ 170
    assert h.loc["mic_share", "consistent"]  # within 10% of 70%
    assert h.loc["little_giants_in_45", "consistent"] is None


def test_headline_figures_say_which_year_they_describe() -> None:
    h = headline_table({}).set_index("figure")
    # MIIT's November 2022 statement describes 2021; only the ¥20 trillion output is 2023
    for key in ("mic_in_45", "mic_share", "tech_carriers_in_45", "champions_in_45"):
        assert h.loc[key, "as_of"] == "2021", key
        assert "2022 年 11 月" in h.loc[key, "as_of_note"], key
    assert h.loc["little_giants_in_45", "as_of"] == "2021"
    assert h.loc["output_trillion_yuan", "as_of"] == "2023"
    assert h["as_of"].notna().all()


@pytest.mark.slow
def test_demo_headline_counts(demo_engine: Engine) -> None:
    r = innovation_resources(demo_engine, batches=(2021, 2022))
    h = r.headline.set_index("figure")
    assert h.loc["clusters_2021_2022", "from_data"] == 45
    assert h.loc["mic_in_45", "from_data"] == 18  # carriers are placed at full scale
    conc = r.concentration.set_index("resource")
    assert conc.loc["manufacturing_innovation_centre", "national"] == 26
    assert conc["share_inside"].min() >= 0 and conc["share_inside"].max() <= 1
    assert len(r.per_cluster) == 45 and r.basis["synthetic"] is True
    assert any("为 2021 年数据" in n and "2023" in n for n in r.notes)  # the figures' year
    assert r.gaps["gap"].dtype == bool
