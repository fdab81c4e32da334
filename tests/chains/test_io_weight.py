"""The optional input–output weight of 补链 candidates (jiqun.chains.io_weight), by hand.

Toy chain: raw 3091 and part 3062 (division 30 → IO sector 13), tool 3321 (33 → 15), final
3744 (37 → 18). R1 has part (revenue 100) and final (300 + 100), so the local chain is 20 %
sector 13 and 80 % sector 18; raw and tool are missing.
"""

from __future__ import annotations

import pandas as pd
import pytest

from jiqun.chains import ChainTemplate
from jiqun.chains.analysis import analyse_chain
from jiqun.chains.io_weight import segment_io_dependence, segment_sector_shares
from jiqun.chains.links import weak_links
from jiqun.errors import JiqunError

IX = [f"{i:02d}" for i in range(1, 43)]


@pytest.fixture
def A() -> pd.DataFrame:
    a = pd.DataFrame(0.001, index=IX, columns=IX)
    a.loc["13", "13"], a.loc["13", "18"] = 0.1, 0.05
    a.loc["15", "13"], a.loc["15", "18"] = 0.0, 0.2
    return a


def test_sector_shares(toy: ChainTemplate) -> None:
    u = segment_sector_shares(toy)
    assert u.loc["raw", "13"] == 1.0 and u.loc["tool", "15"] == 1.0 and u.loc["final", "18"] == 1
    assert u.sum(axis=1).tolist() == [1.0, 1.0, 1.0, 1.0]


def test_weak_link_io_weight_by_hand(
    toy: ChainTemplate, toy_firms: pd.DataFrame, toy_mapping: pd.DataFrame, A: pd.DataFrame
) -> None:
    plain = weak_links(toy_mapping, toy_firms, toy, "R1")
    w = weak_links(toy_mapping, toy_firms, toy, "R1", io_coefficients=A)
    t = w.table.set_index("segment")
    assert set(t.index) == {"raw", "tool"}
    # raw: 0.2·a(13,13) + 0.8·a(13,18) = 0.06; tool: 0.2·0 + 0.8·0.2 = 0.16
    assert t.loc["raw", "io_dependence"] == pytest.approx(0.06)
    assert t.loc["tool", "io_dependence"] == pytest.approx(0.16)
    assert t.loc["tool", "io_weight"] == pytest.approx(1.0)
    assert t.loc["raw", "io_weight"] == pytest.approx(0.06 / 0.16)
    c = w.candidates
    assert c["io_score"].to_numpy() == pytest.approx((c["score"] * c["io_weight"]).to_numpy())
    # ranks within a segment and the plain columns are those of the run without a table
    pd.testing.assert_frame_equal(c[plain.candidates.columns], plain.candidates)
    pd.testing.assert_frame_equal(w.table[plain.table.columns], plain.table)
    assert any("IO weight" in n for n in w.notes)
    assert not any("IO weight" in n for n in plain.notes)
    assert "io_score" not in plain.candidates and "io_weight" not in plain.table


def test_analyse_chain_passes_the_table(
    toy: ChainTemplate, toy_firms: pd.DataFrame, toy_mapping: pd.DataFrame, A: pd.DataFrame
) -> None:
    a = analyse_chain(toy_mapping, toy_firms, toy, "R1", io_coefficients=A)
    assert "io_weight" in a.weak.table and "io_score" in a.weak.candidates
    b = analyse_chain(toy_mapping, toy_firms, toy, "R1")
    assert "io_weight" not in b.weak.table


def test_io_weight_needs_42_sectors(toy: ChainTemplate, A: pd.DataFrame) -> None:
    with pytest.raises(JiqunError, match="42"):
        segment_io_dependence(A.iloc[:40, :40], toy, pd.Series({"final": 1.0}))
    # no present segment: no weight, no fabricated number
    d = segment_io_dependence(A, toy, pd.Series(dtype="float64"))
    assert d["io_weight"].isna().all()
