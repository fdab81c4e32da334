"""Cell suppression (jiqun.analytics.disclosure): hand cases, an independent linear-algebra oracle
and property tests."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st

from jiqun.analytics.disclosure import (
    COMPLEMENTARY,
    PRIMARY,
    apply,
    is_sensitive,
    suppress,
    suppress_table,
)
from jiqun.standard.problems import JiqunError

# --------------------------------------------------------------------------------------------
# oracle: which suppressed cells do the published equations determine exactly?
# --------------------------------------------------------------------------------------------


def _all_cells(res, row: str, col: str | None) -> pd.DataFrame:
    """Interior cells and totals in one frame with their line indices."""
    cells = res.cells.assign(kind="cell")
    tot = res.totals
    frame = pd.concat([cells, tot], ignore_index=True)
    rows = sorted(res.cells[row].unique())
    rix = {r: i for i, r in enumerate(rows)}
    frame["ri"] = frame[row].map(lambda r: rix.get(r, len(rows)) if r is not None else len(rows))
    if col is None:
        frame["ci"] = np.where(frame["kind"] == "cell", 0, 1)
    else:
        cols = sorted(res.cells[col].unique())
        cix = {c: i for i, c in enumerate(cols)}
        frame["ci"] = frame[col].map(
            lambda c: cix.get(c, len(cols)) if c is not None else len(cols)
        )
    return frame


def _equations(frame: pd.DataFrame, two_d: bool) -> np.ndarray:
    ri, ci = frame["ri"].to_numpy(), frame["ci"].to_numpy()
    R, C = ri.max(), ci.max()  # the total row / column index
    eqs = []
    if not two_d:
        eqs.append(np.where(frame["kind"] == "cell", 1.0, -1.0))
    else:
        for r in range(R + 1):
            eqs.append(np.where(ri == r, np.where(ci == C, -1.0, 1.0), 0.0))
        for c in range(C + 1):
            eqs.append(np.where(ci == c, np.where(ri == R, -1.0, 1.0), 0.0))
    return np.array(eqs)


def determined(res, row: str, col: str | None, known: np.ndarray | None = None) -> list[int]:
    """Indices (in the concatenated frame) of suppressed cells fixed by the equations."""
    frame = _all_cells(res, row, col)
    if res.totals.empty:
        return []
    unknown = frame["suppressed"].to_numpy(bool).copy()
    if known is not None:
        unknown = unknown & ~known
    idx = np.flatnonzero(unknown)
    if not len(idx):
        return []
    A = _equations(frame, col is not None)[:, idx]
    ns = scipy.linalg.null_space(A)
    norms = np.linalg.norm(ns, axis=1) if ns.size else np.zeros(len(idx))
    return [int(i) for i, nrm in zip(idx, norms, strict=True) if nrm < 1e-9]


def _single_known(frame: pd.DataFrame, i: int) -> np.ndarray:
    """What the only enterprise of interior cell ``i`` knows: its cell and every total that
    has no other contributor."""
    known = np.zeros(len(frame), dtype=bool)
    known[i] = True
    r, c = frame["region"].iloc[i], frame["industry"].iloc[i]
    kind = frame["kind"]
    mine = (
        ((kind == "row_total") & (frame["region"] == r))
        | ((kind == "column_total") & (frame["industry"] == c))
        | (kind == "grand_total")
    )
    return known | (mine & (frame["n_enterprises"] == 1)).to_numpy()


def line_counts_ok(res, row: str, col: str | None) -> bool:
    frame = _all_cells(res, row, col)
    s = frame["suppressed"].to_numpy(bool)
    if res.totals.empty:
        return True
    return all(int((s & (eq != 0)).sum()) != 1 for eq in _equations(frame, col is not None))


def _t1(values, counts, shares, labels=None) -> pd.DataFrame:
    labels = labels or [chr(ord("A") + i) for i in range(len(values))]
    return pd.DataFrame(
        {"region": labels, "value": values, "n_enterprises": counts, "top_share": shares}
    )


def _t2(spec: dict[tuple[str, str], tuple[float, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"region": r, "industry": i, "value": v, "n_enterprises": n, "top_share": s}
            for (r, i), (v, n, s) in spec.items()
        ]
    )


# --------------------------------------------------------------------------------------------
# hand cases
# --------------------------------------------------------------------------------------------


def test_primary_rule_threshold_dominance_and_empty_cells() -> None:
    got = is_sensitive(
        [10.0, 10.0, 10.0, 10.0, 0.0, 5.0],
        [1, 2, 3, 10, 0, 4],
        [1.0, 0.6, 0.85, 0.86, float("nan"), float("nan")],
    )
    # n=1, n=2 threshold; exactly 85% is allowed; 86% dominant; empty cell safe; unknown share
    assert got.tolist() == [True, True, False, True, False, True]
    assert is_sensitive([5.0], [2], None, min_count=2).tolist() == [False]


def test_all_safe_means_no_suppression() -> None:
    t = _t1([50.0, 40.0, 30.0], [5, 4, 3], [0.5, 0.4, 0.5])
    r = suppress_table(t)
    assert not r.cells["suppressed"].any()
    assert r.cells["suppression"].isna().all()
    assert r.totals["suppressed"].tolist() == [False]
    assert r.totals["value"].tolist() == [120.0]
    assert r.residual.empty


def test_single_small_cell_forces_one_complement() -> None:
    # D (n=2) is primary; the grand total would give it away: the smallest other cell C goes too
    t = _t1([100.0, 80.0, 7.0, 5.0], [10, 9, 4, 2], [0.2, 0.3, 0.5, 0.7])
    out = suppress(t)
    assert out["suppression"].tolist() == [None, None, COMPLEMENTARY, PRIMARY]
    assert out["suppressed"].tolist() == [False, False, True, True]
    assert list(t.columns) == list(out.columns[:4])  # a copy with two more columns
    assert "suppressed" not in t.columns


def test_dominance_makes_a_large_cell_primary() -> None:
    t = _t1([1000.0, 80.0, 70.0, 60.0], [40, 9, 8, 7], [0.9, 0.3, 0.3, 0.3])
    out = suppress(t)
    assert out.loc[0, "suppression"] == PRIMARY
    assert out.loc[3, "suppression"] == COMPLEMENTARY  # the smallest other cell
    assert out["suppressed"].sum() == 2


def test_ties_are_broken_by_label() -> None:
    t = _t1([5.0, 9.0, 9.0], [1, 4, 4], [1.0, 0.3, 0.3], labels=["Z", "B", "A"])
    out = suppress(t, singletons=False)
    assert out.set_index("region")["suppression"].to_dict() == {
        "Z": PRIMARY,
        "B": None,
        "A": COMPLEMENTARY,
    }


def test_single_contributor_knows_its_own_cell() -> None:
    # A has one enterprise: it knows A, so one complement (D) would let it compute D exactly
    t = _t1([5.0, 40.0, 30.0, 20.0], [1, 9, 7, 6], [1.0, 0.2, 0.3, 0.25])
    out = suppress(t)
    assert out["suppression"].tolist() == [PRIMARY, None, COMPLEMENTARY, COMPLEMENTARY]
    assert suppress(t, singletons=False)["suppressed"].sum() == 2


def test_totals_false_means_primary_only() -> None:
    t = _t1([5.0, 40.0, 30.0], [2, 9, 7], [0.6, 0.2, 0.3])
    r = suppress_table(t, totals=False)
    assert r.cells["suppression"].tolist() == [PRIMARY, None, None]
    assert r.totals.empty


def test_sensitive_grand_total_is_suppressed_with_a_complement() -> None:
    # only two enterprises in the whole list: the total is primary, and publishing both cells
    # would reveal it, so the smaller cell goes too
    t = _t1([5.0, 7.0], [1, 1], [1.0, 1.0])
    r = suppress_table(t)
    assert r.cells["suppressed"].all()
    assert r.totals["suppression"].tolist() == [PRIMARY]


def test_2d_crossing_chain_needs_iteration() -> None:
    spec = {
        ("A", "26"): (3.0, 2, 0.7),  # primary
        ("A", "27"): (50.0, 9, 0.2),
        ("A", "28"): (12.0, 5, 0.4),
        ("B", "26"): (60.0, 9, 0.2),
        ("B", "27"): (55.0, 8, 0.2),
        ("B", "28"): (10.0, 4, 0.4),
        ("C", "26"): (20.0, 6, 0.3),
        ("C", "27"): (8.0, 3, 0.5),
        ("C", "28"): (90.0, 9, 0.2),
    }
    t = _t2(spec)
    r = suppress_table(t, col="industry")
    got = r.cells.set_index(["region", "industry"])["suppression"].to_dict()
    # round 1: row A → A28 (12, its smallest), column 26 → C26 (20);
    # round 2: row C → C27 (8), column 28 → B28 (10); round 3: row B → B27 (55 < 60).
    # The six cells form one cycle A–26–C–27–B–28–A: nothing follows from the totals.
    assert got[("A", "26")] == PRIMARY
    comp = {k for k, v in got.items() if v == COMPLEMENTARY}
    assert comp == {("A", "28"), ("B", "28"), ("B", "27"), ("C", "26"), ("C", "27")}
    assert line_counts_ok(r, "region", "industry")
    assert determined(r, "region", "industry") == []
    assert not r.totals["suppressed"].any()  # interior complements preferred to totals


def test_2d_row_with_one_cell_suppresses_its_total() -> None:
    spec = {
        ("A", "26"): (3.0, 2, 0.7),  # A's only cell: the row total equals it
        ("B", "26"): (60.0, 9, 0.2),
        ("B", "27"): (55.0, 8, 0.2),
        ("C", "26"): (20.0, 6, 0.3),
        ("C", "27"): (8.0, 4, 0.5),
    }
    r = suppress_table(_t2(spec), col="industry")
    tot = r.totals.set_index(["kind", "region", "industry"], drop=False)
    row_a = r.totals[(r.totals["kind"] == "row_total") & (r.totals["region"] == "A")]
    assert row_a["suppressed"].tolist() == [True]
    assert row_a["suppression"].tolist() == [PRIMARY]  # n = 2 there too
    assert len(tot) == 3 + 2 + 1
    assert line_counts_ok(r, "region", "industry")
    assert determined(r, "region", "industry") == []


def test_2d_bridge_between_two_closed_cycles_is_closed() -> None:
    # A1 A2 B1 B2 and C3 C4 D3 D4 are closed 2×2 cycles; B3 joins them: every line has two or
    # more suppressed cells, yet B3 follows from row B and column 3 combined (a bridge).
    dom = (100.0, 5, 0.9)
    ok = (100.0, 9, 0.2)
    spec = {}
    for r in "ABCD":
        for c in "1234":
            spec[(r, c)] = ok
    for k in [("A", "1"), ("A", "2"), ("B", "1"), ("B", "2")]:
        spec[k] = dom
    for k in [("C", "3"), ("C", "4"), ("D", "3"), ("D", "4")]:
        spec[k] = dom
    spec[("B", "3")] = (40.0, 5, 0.9)
    spec[("A", "4")] = (30.0, 9, 0.2)  # the cheapest cell joining the two sides
    r = suppress_table(_t2(spec), col="industry")
    got = r.cells.set_index(["region", "industry"])["suppression"].to_dict()
    assert [k for k, v in got.items() if v == COMPLEMENTARY] == [("A", "4")]
    assert determined(r, "region", "industry") == []
    assert r.residual.empty
    # the line rule alone leaves B3 derivable: the primary pattern has no singleton line
    primary_only = r.cells["suppression"] == PRIMARY
    r.cells["suppressed"] = primary_only
    assert line_counts_ok(r, "region", "industry")
    assert len(determined(r, "region", "industry")) == 1


def test_block_knower_cannot_isolate_a_cell_of_another_block() -> None:
    t = _t1(
        [4.0, 50.0, 6.0, 70.0, 90.0],
        [2, 9, 5, 9, 9],
        [0.6, 0.2, 0.3, 0.2, 0.2],
        labels=["320200", "320500", "330100", "330200", "340100"],
    )
    t["province"] = t["region"].str[:2]
    plain = suppress(t)
    assert plain["suppressed"].tolist() == [True, False, True, False, False]
    # the 33 government knows 330100 exactly: with it, the total would reveal 320200, so
    # 320500 goes too; then the 32 government (knowing both of its cells) could compute 330100,
    # so 330200 goes as well (smaller than 340100)
    robust = suppress(t, blocks=("province",))
    assert robust["suppression"].tolist() == [
        PRIMARY,
        COMPLEMENTARY,
        COMPLEMENTARY,
        COMPLEMENTARY,
        None,
    ]


def test_apply_blanks_values_of_suppressed_cells() -> None:
    t = _t1([100.0, 80.0, 7.0, 5.0], [10, 9, 4, 2], [0.2, 0.3, 0.5, 0.7])
    out = apply(suppress(t))
    assert out["value"].tolist() == [100.0, 80.0, None, None]
    assert out["n_enterprises"].tolist() == [10, 9, None, None]
    assert out["top_share"].tolist()[2:] == [None, None]
    assert out["region"].tolist() == ["A", "B", "C", "D"]


def test_bad_input_is_refused() -> None:
    t = _t1([1.0, 2.0], [3, 3], [0.5, 0.5])
    with pytest.raises(JiqunError, match="no column"):
        suppress(t, value="revenue")
    with pytest.raises(JiqunError, match="duplicate"):
        suppress(pd.concat([t, t]))
    with pytest.raises(JiqunError, match="non-negative"):
        suppress(t.assign(value=[-1.0, 2.0]))
    with pytest.raises(JiqunError, match="dominance"):
        suppress(t, dominance=1.5)
    with pytest.raises(JiqunError, match="no column"):
        apply(t)


# --------------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------------


@st.composite
def tables(draw: st.DrawFn, two_d: bool = True) -> pd.DataFrame:
    n_rows = draw(st.integers(1, 5))
    n_cols = draw(st.integers(1, 5)) if two_d else 1
    out = []
    for r in range(n_rows):
        for c in range(n_cols):
            if draw(st.floats(0, 1)) < 0.25 and out:
                continue  # a missing (structurally empty) cell
            n = draw(st.integers(0, 8))
            if n == 0:
                v, s = 0.0, float("nan")
            else:
                v = draw(st.floats(1, 1000, allow_nan=False))
                s = 1.0 if n == 1 else draw(st.floats(1 / n, 1.0))
            out.append(
                {
                    "region": f"{11 + r % 3}{r:02d}00",
                    "industry": f"{26 + c}",
                    "value": v,
                    "n_enterprises": n,
                    "top_share": s,
                }
            )
    df = pd.DataFrame(out)
    df["province"] = df["region"].str[:2]
    return df


@settings(max_examples=200)
@given(tables(two_d=True), st.booleans())
def test_property_2d(t: pd.DataFrame, singletons: bool) -> None:
    r = suppress_table(t, col="industry", singletons=singletons)
    primary = is_sensitive(t["value"], t["n_enterprises"], t["top_share"])
    assert r.cells["suppressed"].to_numpy()[primary].all()  # primary cells always suppressed
    assert (r.cells["suppression"] == PRIMARY).to_numpy().tolist() == primary.tolist()
    sens_tot = is_sensitive(r.totals["value"], r.totals["n_enterprises"], r.totals["top_share"])
    assert r.totals["suppressed"].to_numpy()[sens_tot].all()
    assert line_counts_ok(r, "region", "industry")  # no published line with one suppressed cell
    assert determined(r, "region", "industry") == []  # nothing exactly derivable
    assert r.residual.empty
    if singletons:  # nor for an enterprise that is alone in its cell (and knows it)
        frame = _all_cells(r, "region", "industry")
        for i in np.flatnonzero(r.cells["n_enterprises"].to_numpy() == 1):
            assert determined(r, "region", "industry", _single_known(frame, i)) == []


@settings(max_examples=200)
@given(tables(two_d=False))
def test_property_1d(t: pd.DataFrame) -> None:
    t = t.drop(columns="industry").drop_duplicates("region")
    r = suppress_table(t)
    primary = is_sensitive(t["value"], t["n_enterprises"], t["top_share"])
    assert r.cells["suppressed"].to_numpy()[primary].all()
    assert line_counts_ok(r, "region", None)
    assert determined(r, "region", None) == []
    # a single-contributor enterprise cannot isolate another suppressed cell either
    frame = _all_cells(r, "region", None)
    for i in np.flatnonzero(r.cells["n_enterprises"].to_numpy() == 1):
        known = np.zeros(len(frame), dtype=bool)
        known[i] = True
        if frame["n_enterprises"].iloc[-1] == 1:
            known[-1] = True  # the total is that enterprise alone
        assert determined(r, "region", None, known) == [], r.cells


def _province_known(r, frame: pd.DataFrame, t: pd.DataFrame, p: str) -> np.ndarray:
    prov = frame["region"].map(lambda x: x[:2] if isinstance(x, str) else None)
    known = (prov == p).to_numpy().copy()
    busy = t[t["n_enterprises"] > 0]
    cols_all_p = busy.groupby("industry")["province"].agg(lambda s: set(s) == {p})
    known |= (
        frame["kind"].eq("column_total") & frame["industry"].map(cols_all_p).eq(True)
    ).to_numpy()
    if set(busy["province"]) == {p}:
        known |= (frame["kind"] == "grand_total").to_numpy()
    return known


@settings(max_examples=100)
@given(tables(two_d=True))
def test_property_blocks(t: pd.DataFrame) -> None:
    """No provincial government can derive a suppressed cell outside its province."""
    r = suppress_table(t, col="industry", blocks=("province",))
    assert r.residual.empty
    frame = _all_cells(r, "region", "industry")
    for p in t["province"].unique():
        assert determined(r, "region", "industry", _province_known(r, frame, t, p)) == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_medium_tables_against_the_oracle(seed: int) -> None:
    """12 × 10 tables with many single-contributor cells exercise the cut-label fast path."""
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(12):
        for c in range(10):
            if rng.random() < 0.15:
                continue
            n = int(rng.choice([1, 1, 2, 3, 4, 6, 9, 15]))
            v = float(rng.lognormal(3, 1.5))
            s = 1.0 if n == 1 else float(rng.uniform(1 / n, 0.95))
            region = f"{31 + r % 4}{r:02d}00"
            rows.append(
                {"region": region, "industry": f"{13 + c}", "value": v, "n_enterprises": n}
                | {"top_share": s, "province": region[:2]}
            )
    t = pd.DataFrame(rows)
    r = suppress_table(t, col="industry", blocks=("province",))
    assert r.residual.empty
    assert determined(r, "region", "industry") == []
    frame = _all_cells(r, "region", "industry")
    for i in np.flatnonzero(r.cells["n_enterprises"].to_numpy() == 1):
        assert determined(r, "region", "industry", _single_known(frame, i)) == []
    for p in t["province"].unique():
        assert determined(r, "region", "industry", _province_known(r, frame, t, p)) == []
