"""Specialisation is scored on the log of the LQ (a ratio), so one extreme LQ cannot flatten the rest."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from jiqun.policy.evaluation import evaluate_clusters


def test_one_extreme_lq_does_not_flatten_the_others() -> None:
    ind = pd.DataFrame(
        {
            "cluster_id": ["narrow", "a", "b", "parity"],
            "year": [2023] * 4,
            "tier": ["national"] * 4,
            "scale": [100.0, 100.0, 100.0, 100.0],
            "specialisation": [100.0, 4.0, 2.0, 1.0],
        }
    )
    r = evaluate_clusters(ind, weights={"specialisation": 1.0}).set_index("cluster_id")
    # hand-solved: (ln LQ − ln 1) / (ln 100 − ln 1) · 100
    assert r.loc["a", "score"] == pytest.approx(100 * math.log(4) / math.log(100))
    assert r.loc["b", "score"] == pytest.approx(100 * math.log(2) / math.log(100))
    assert r.loc["parity", "score"] == pytest.approx(0.0)
    # on a linear scale "a" would read 3.0: the other clusters would all look alike
    assert r.loc["a", "score"] > 25
