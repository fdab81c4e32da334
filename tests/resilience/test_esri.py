"""The generalized-Leontief cascade and ESRI (Diem et al. 2022): hand-solved cases, a plain
reference implementation on random networks, batching, and the essentiality matrices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jiqun.resilience import (
    DEFAULT_BASIS,
    cascade,
    check_essentiality,
    default_essentiality,
    esri,
    gl_model,
    load_essentiality,
)
from jiqun.resilience.esri import _Block
from jiqun.standard.problems import JiqunError

from ._reference_gl import reference_cascade


def firms(**ind: str) -> pd.DataFrame:
    return pd.DataFrame({"id": list(ind), "industry": list(ind.values())})


def links(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["supplier", "buyer", "value"])


def ess(labels: list[str], fill: int, **cells: int) -> pd.DataFrame:
    """Matrix with ``fill`` everywhere and ``k__l=v`` overrides (supplier k, user l)."""
    E = pd.DataFrame(fill, index=labels, columns=labels)
    for key, v in cells.items():
        k, u = key.split("__")
        E.loc[k, u] = v
    return E


# --------------------------------------------------------------------------------------------
# hand-solved cases
# --------------------------------------------------------------------------------------------


def test_leontief_chain() -> None:
    # A → B → C, every input essential: A's failure stops B, then C.
    f = firms(A="a", B="b", C="c")
    lk = links(("A", "B", 10.0), ("B", "C", 10.0))
    E = ess(["a", "b", "c"], 2)
    c = cascade(f, lk, E, {"A": 1.0})
    assert c["h_down"].tolist() == [0.0, 0.0, 0.0]
    assert c["h_up"].tolist() == [0.0, 1.0, 1.0]
    assert c.attrs["iterations"] == 3  # B at t=1, C at t=2, no change at t=3
    r = esri(f, lk, E).loc["A"]
    # s_out: A 10, B 10, C 0 → both sellers lose everything
    assert (r.esri, r.esri_down, r.esri_up) == (1.0, 1.0, 0.5)


def test_linear_split() -> None:
    # B buys 30 from A1 and 70 from A2 (non-essential), sells 50 to C
    f = firms(A1="a", A2="a", B="b", C="c")
    lk = links(("A1", "B", 30.0), ("A2", "B", 70.0), ("B", "C", 50.0))
    E = ess(["a", "b", "c"], 1)
    c = cascade(f, lk, E, {"A1": 1.0})
    assert c.loc["B", "h_down"] == pytest.approx(0.7)
    assert c.loc["C", "h_down"] == pytest.approx(0.7)
    r = esri(f, lk, E, shocks=["A1"]).loc["A1"]
    assert r.esri == pytest.approx((30 + 50 * 0.3) / 150)
    assert r.esri_up == pytest.approx(30 / 150)
    # a partial shock passes on proportionally
    assert cascade(f, lk, E, {"A2": 0.5}).loc["B", "h_down"] == pytest.approx(1 - 0.35)


def test_essential_vs_non_essential_vs_irrelevant() -> None:
    f = firms(A1="chip", A2="paper", A3="chip", B="asm")
    lk = links(("A1", "B", 20.0), ("A2", "B", 80.0), ("A3", "B", 60.0))
    E = ess(["chip", "paper", "asm"], 1, chip__asm=2)
    s_in = 160.0
    # the chip slot Π = 80: losing A1 (20) leaves 75 % of chips → Leontief 0.75
    assert cascade(f, lk, E, {"A1": 1.0}).loc["B", "h_down"] == pytest.approx(0.75)
    # losing both chip suppliers stops B however much paper it has
    assert cascade(f, lk, E, {"A1": 1.0, "A3": 1.0}).loc["B", "h_down"] == 0.0
    # paper is non-essential: a linear loss of its share of all inputs
    assert cascade(f, lk, E, {"A2": 1.0}).loc["B", "h_down"] == pytest.approx(1 - 80 / s_in)
    # irrelevant paper: no loss at all, but it still counts in s_in
    E0 = ess(["chip", "paper", "asm"], 1, chip__asm=2, paper__asm=0)
    assert cascade(f, lk, E0, {"A2": 1.0}).loc["B", "h_down"] == 1.0


def test_upstream_halving() -> None:
    # R sells 100 to S; S sells 50 to B1 and 50 to B2. B1 fails: S and R lose half their sales.
    f = firms(R="r", S="s", B1="b", B2="b")
    lk = links(("R", "S", 100.0), ("S", "B1", 50.0), ("S", "B2", 50.0))
    E = ess(["r", "s", "b"], 1)
    c = cascade(f, lk, E, {"B1": 1.0})
    assert c.loc["S", "h_up"] == pytest.approx(0.5) and c.loc["R", "h_up"] == pytest.approx(0.5)
    assert (c["h_down"] == 1.0).sum() == 3  # B1 buys nothing from anyone downstream of it
    r = esri(f, lk, E, shocks=["B1"]).loc["B1"]
    assert r.esri == pytest.approx(0.5) and r.esri_down == 0.0 and r.esri_up == pytest.approx(0.5)


def test_replaceability_within_market() -> None:
    # A1 and A2 both make chips; B needs chips and buys them from A1 only.
    f = firms(A1="chip", A2="chip", B="asm", D="asm")
    lk = links(("A1", "B", 20.0), ("A2", "D", 60.0))
    E = ess(["chip", "asm"], 2)
    assert cascade(f, lk, E, {"A1": 1.0}).loc["B", "h_down"] == 0.0
    # A1's output is 20 of the 60 its market still makes: σ = 1/3 of the shortage reaches B
    mk = {"A1": "chips", "A2": "chips"}
    c = cascade(f, lk, E, {"A1": 1.0}, market=mk)
    assert c.loc["B", "h_down"] == pytest.approx(2 / 3)
    assert c.attrs["iterations"] == 2
    # a monopolist (alone in its market) cannot be replaced
    c = cascade(f, lk, E, {"A1": 1.0}, market={"A1": "m1", "A2": "m2"})
    assert c.loc["B", "h_down"] == 0.0
    # firms without a market label keep σ = 1
    assert cascade(f, lk, E, {"A1": 1.0}, market={"A2": "chips"}).loc["B", "h_down"] == 0.0
    # the replaceable market shrinks when A2 is hit too: σ = min(1, 20 / (0.5·60)) = 2/3
    c = cascade(f, lk, E, {"A1": 1.0, "A2": 0.5}, market=mk)
    assert c.loc["B", "h_down"] == pytest.approx(1 - 2 / 3)


def test_default_shocks_every_firm_and_own_share_counted() -> None:
    f = firms(A="a", B="b", C="c")
    lk = links(("A", "B", 30.0), ("C", "B", 70.0))
    E = ess(["a", "b", "c"], 1)
    r = esri(f, lk, E)
    assert list(r.index) == ["A", "B", "C"]
    assert r.loc["A", "esri"] == pytest.approx(0.3) and r.loc["C", "esri"] == pytest.approx(0.7)
    assert r.loc["B", "esri"] == 1.0  # the only customer: both suppliers lose all sales
    assert r.attrs["basis"] == "value"


def test_scenario_shocks_and_errors() -> None:
    f = firms(A="a", B="b")
    lk = links(("A", "B", 1.0))
    E = ess(["a", "b"], 1)
    r = esri(f, lk, E, shocks={"half": {"A": 0.5}, "both": {"A": 1.0, "B": 1.0}})
    assert list(r.index) == ["half", "both"]
    assert r.loc["half", "esri"] == pytest.approx(0.5) and r.loc["both", "esri"] == 1.0
    with pytest.raises(JiqunError, match=r"\[0, 1\]"):
        cascade(f, lk, E, {"A": 1.5})
    with pytest.raises(JiqunError, match="not nodes"):
        cascade(f, lk, E, {"Z": 1.0})
    with pytest.raises(JiqunError, match="not found among"):
        cascade(firms(A="a", B="zz"), lk, E, {"A": 1.0})
    with pytest.raises(JiqunError, match="0, 1 or 2"):
        cascade(f, lk, ess(["a", "b"], 3), {"A": 1.0})
    with pytest.raises(JiqunError, match="eps"):
        cascade(f, lk, E, {"A": 1.0}, eps=0)
    with pytest.raises(JiqunError, match="missing"):
        cascade(firms(A="a", B=None), lk, E, {"A": 1.0})  # type: ignore[arg-type]


def test_prefix_lookup_groups_classes_into_one_input() -> None:
    # Two 4-digit classes of division 39 under a division-level matrix form one input slot.
    f = firms(S1="3973", S2="3974", B="3670")
    lk = links(("S1", "B", 25.0), ("S2", "B", 75.0))
    E = ess(["39", "36"], 1, **{"39__36": 2})
    assert cascade(f, lk, E, {"S1": 1.0}).loc["B", "h_down"] == pytest.approx(0.75)
    # with a class-level matrix they are two essential inputs: Leontief in each
    E4 = ess(["3973", "3974", "3670"], 2)
    assert cascade(f, lk, E4, {"S1": 1.0}).loc["B", "h_down"] == 0.0


# --------------------------------------------------------------------------------------------
# the production code against the plain reference, batching and precision
# --------------------------------------------------------------------------------------------


def _random_case(rng: np.random.Generator, n: int, K: int):  # type: ignore[no-untyped-def]
    W = np.where(rng.random((n, n)) < 0.2, rng.lognormal(0, 1, (n, n)), 0.0)
    np.fill_diagonal(W, 0)
    p = rng.integers(0, K, n)
    E = rng.integers(0, 3, (K, K))
    ids = [f"f{i}" for i in range(n)]
    fr = pd.DataFrame({"id": ids, "industry": [f"k{x}" for x in p]})
    j, i = np.nonzero(W)
    lk = pd.DataFrame({"supplier": np.array(ids)[j], "buyer": np.array(ids)[i], "value": W[j, i]})
    Edf = pd.DataFrame(E, index=[f"k{x}" for x in range(K)], columns=[f"k{x}" for x in range(K)])
    return W, p, E, ids, fr, lk, Edf


@pytest.mark.parametrize("dense_share", [0.0, 0.25, 2.0])
def test_matches_plain_reference_on_random_networks(
    dense_share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 0.0 forces whole-matrix updates, 2.0 forces row tracking everywhere
    monkeypatch.setattr(_Block, "DENSE_SHARE", dense_share)
    rng = np.random.default_rng(3)
    for trial in range(8):
        n, K = int(rng.integers(5, 20)), int(rng.integers(1, 4))
        W, p, E, ids, fr, lk, Edf = _random_case(rng, n, K)
        mk = rng.integers(-1, 3, n) if trial % 2 else None
        market = None if mk is None else pd.Series(mk, index=ids)[mk >= 0].astype(str)
        res = esri(fr, lk, Edf, market=market, batch_size=int(rng.integers(1, 6)))
        s_out = W.sum(axis=1)
        for a in range(n):
            psi = np.zeros(n)
            psi[a] = 1.0
            hd, hu, t = reference_cascade(W, p, E, psi, mk)
            expect = (s_out * (1 - np.minimum(hd, hu))).sum() / s_out.sum()
            assert res["esri"].iloc[a] == pytest.approx(expect, abs=1e-12)
            assert res["iterations"].iloc[a] == t
        psi = np.zeros(n)
        psi[:3] = [1.0, 0.5, 0.2]
        c = cascade(fr, lk, Edf, dict(zip(ids[:3], psi[:3], strict=True)), market=market)
        hd, hu, _ = reference_cascade(W, p, E, psi, mk)
        np.testing.assert_allclose(c["h_down"], hd, atol=1e-12)
        np.testing.assert_allclose(c["h_up"], hu, atol=1e-12)


def test_batching_and_single_precision_agree() -> None:
    rng = np.random.default_rng(11)
    _, _, _, ids, fr, lk, Edf = _random_case(rng, 60, 3)
    model = gl_model(fr, lk, Edf, pd.Series("m", index=ids))
    one = esri(None, None, None, model=model, batch_size=1)  # type: ignore[arg-type]
    many = esri(None, None, None, model=model, batch_size=17)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(one, many)
    single = esri(None, None, None, model=model, precision="single")  # type: ignore[arg-type]
    np.testing.assert_allclose(single["esri"], one["esri"], atol=1e-5)
    c = cascade(None, None, None, {ids[4]: 1.0}, model=model)  # type: ignore[arg-type]
    assert c.attrs["esri"] == pytest.approx(one.loc[ids[4], "esri"], abs=1e-12)


# --------------------------------------------------------------------------------------------
# essentiality matrices
# --------------------------------------------------------------------------------------------


def test_default_matrix_rules() -> None:
    E = default_essentiality()
    assert E.shape == (97, 97) and set(np.unique(E.to_numpy())) <= {0, 1, 2}
    assert E.attrs["basis"] == DEFAULT_BASIS and "not survey-based" in DEFAULT_BASIS
    assert E.loc["39", "36"] == 2  # rule 1: electronics are core components of vehicles
    assert E.loc["31", "34"] == 2  # steel → general equipment
    assert E.loc["44", "13"] == 2 and E.loc["44", "07"] == 2  # rule 2: power, B/C/D users
    assert E.loc["25", "56"] == 2  # fuel for air transport
    assert E.loc["83", "36"] == 0 and E.loc["70", "26"] == 0  # rule 3: services irrelevant
    assert E.loc["35", "13"] == 0 and E.loc["35", "36"] == 0  # capital goods (not core)
    assert E.loc["34", "35"] == 2  # … unless core
    assert E.loc["51", "36"] == 1 and E.loc["22", "36"] == 1  # rule 4
    codes = default_essentiality(["3670", "C3841", "4411"])
    assert list(codes.index) == ["3670", "C3841", "4411"]
    assert codes.loc["C3841", "3670"] == 2 and codes.loc["4411", "3670"] == 2
    with pytest.raises(JiqunError, match="division"):
        default_essentiality(["X1"])
    with pytest.raises(JiqunError, match="no such"):
        default_essentiality(["9999"])


def test_user_matrix_checks_and_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    E = check_essentiality(pd.DataFrame([[2, 1], [0, 2]], index=[1, 2], columns=["1", "2"]))
    assert list(E.index) == ["1", "2"] and E.dtypes.iloc[0] == np.int8
    with pytest.raises(JiqunError, match="duplicate"):
        check_essentiality(pd.DataFrame([[1, 1]], index=["a"], columns=["b", "b"]))
    with pytest.raises(JiqunError, match="invalid"):
        check_essentiality(pd.DataFrame([[np.nan]], index=["a"], columns=["a"]))
    p = tmp_path / "e.csv"
    pd.DataFrame([[2, 0], [1, 1]], index=["01", "02"], columns=["01", "02"]).to_csv(p)
    got = load_essentiality(p)
    assert list(got.columns) == ["01", "02"] and got.loc["01", "02"] == 0
    assert "e.csv" in got.attrs["basis"]
    (tmp_path / "x.txt").write_text("a")
    with pytest.raises(JiqunError, match="unsupported"):
        load_essentiality(tmp_path / "x.txt")
