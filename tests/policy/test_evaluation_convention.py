"""One convention for the cluster evaluation: population, rank change, insufficient data.

Each test fails on the evaluation that ranked national and SME clusters together, gave the rank
change as ``current − previous`` and scored a cluster without data 0 and advised it "保持".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiqun.policy import evaluate_clusters
from jiqun.policy.evaluation import INSUFFICIENT_LABEL

W = {"scale": 1.0, "specialisation": 1.0}


def _two_tiers() -> pd.DataFrame:
    # national N1..N3 and SME S1, S2 in 2022 and 2023
    return pd.DataFrame(
        {
            "cluster_id": ["N1", "N2", "N3", "S1", "S2"] * 2,
            "year": [2022] * 5 + [2023] * 5,
            "tier": ["national"] * 3
            + ["sme_characteristic"] * 2
            + ["national"] * 3
            + ["sme_characteristic"] * 2,
            "scale": [np.e, np.e**2, np.e**3, np.e**9, np.e**8] * 2,
            # both indicators are scored on their logs: e^k scales like k
            "specialisation": list(np.exp([1.0, 2.0, 3.0, 9.0, 8.0, 3.0, 2.0, 1.0, 9.0, 8.0])),
        }
    )


def test_national_and_sme_clusters_are_ranked_among_themselves() -> None:
    r = evaluate_clusters(_two_tiers(), weights=W)
    y = r[r["year"] == 2022].set_index("cluster_id")
    # SME clusters with far larger values do not push national ones down
    assert y.loc[["N3", "N2", "N1"], "rank"].tolist() == [1, 2, 3]
    assert y.loc[["S1", "S2"], "rank"].tolist() == [1, 2]
    assert set(y["population"]) == {"national", "sme_characteristic"}
    assert y.loc["N1", "group_size"] == 3 and y.loc["S1", "group_size"] == 2
    # scores are scaled within the population: N3 is the best national cluster (100)
    assert y.loc["N3", "score"] == pytest.approx(100.0)


def test_rank_change_is_previous_minus_current_positive_up() -> None:
    r = evaluate_clusters(_two_tiers(), weights=W).set_index(["cluster_id", "year"])
    # 2022 N1 rank 3, 2023 N1: scale 0, spec 100 → 50; N3: 100, 0 → 50; N2 50 → all 50?
    # N1 2023: scale scaled 0, spec scaled 100 → 50; N2: 50, 50 → 50; N3: 100, 0 → 50 (tie 1)
    assert r.loc[("N1", 2023), "rank"] == 1
    assert r.loc[("N1", 2023), "rank_change"] == 2  # from 3 to 1: moved up two places
    assert r.loc[("N3", 2023), "rank_change"] == 0
    assert pd.isna(r.loc[("N1", 2022), "rank_change"])  # no previous year


def test_rank_fall_gives_decline_warning() -> None:
    ind = pd.DataFrame(
        {
            "cluster_id": ["A", "B", "C", "D", "E"] * 2,
            "year": [2022] * 5 + [2023] * 5,
            "tier": ["national"] * 10,
            "scale": [5.0, 4.0, 3.0, 2.0, 1.0, 1.0, 4.0, 3.0, 2.0, 5.0],
        }
    )
    r = evaluate_clusters(ind, weights={"scale": 1.0}).set_index(["cluster_id", "year"])
    assert r.loc[("A", 2023), "rank_change"] == -4  # 1 → 5: moved down
    assert r.loc[("A", 2023), "advice"] == "decline_warning"
    assert r.loc[("E", 2023), "rank_change"] == 4
    assert r.loc[("E", 2023), "advice"] != "decline_warning"


def test_cluster_without_data_has_no_score_rank_or_advice() -> None:
    ind = pd.DataFrame(
        {
            "cluster_id": ["A", "B", "C", "Z"],
            "year": [2023] * 4,
            "tier": ["national"] * 4,
            "scale": [np.e, np.e**2, np.e**3, np.nan],
            "specialisation": [1.0, 2.0, 3.0, np.nan],
            "innovation": [1.0, 2.0, 3.0, np.nan],
        }
    )
    r = evaluate_clusters(ind, weights={**W, "innovation": 1.0}).set_index("cluster_id")
    assert pd.isna(r.loc["Z", "score"]) and pd.isna(r.loc["Z", "rank"])
    assert r.loc["Z", "advice"] == "insufficient_data"
    assert r.loc["Z", "advice_label"] == INSUFFICIENT_LABEL == "数据不足 / insufficient data"
    assert r.loc["Z", "missing"] == "scale;specialisation;innovation"
    assert pd.isna(r.loc["Z", "scale_scaled"]) and pd.isna(r.loc["Z", "scale_contribution"])
    # the others rank 1..3 without Z, in a group of 3
    assert sorted(r.loc[["A", "B", "C"], "rank"].tolist()) == [1, 2, 3]
    assert (r.loc[["A", "B", "C"], "group_size"] == 3).all()


def test_without_core_statistics_is_insufficient() -> None:
    ind = pd.DataFrame(
        {
            "cluster_id": ["A", "B", "S"],
            "year": [2023] * 3,
            "tier": ["national"] * 3,
            "scale": [np.e, np.e**2, np.nan],
            "specialisation": [1.0, 2.0, np.nan],
            "digital": [0.5, 0.2, 0.9],
        }
    )
    r = evaluate_clusters(ind, weights={"scale": 0.4, "specialisation": 0.4, "digital": 0.2})
    s = r.set_index("cluster_id").loc["S"]
    assert s["coverage"] == pytest.approx(0.2)
    assert pd.isna(s["score"]) and s["advice"] == "insufficient_data"


def test_score_is_the_sum_of_its_contributions() -> None:
    r = evaluate_clusters(_two_tiers(), weights=W)
    parts = r[["scale_contribution", "specialisation_contribution"]].sum(axis=1, min_count=1)
    assert np.allclose(parts, r["score"])
