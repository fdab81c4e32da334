"""jiqun.inputoutput against pymrio, against Miller & Blair's two-sector example, and on the
real NBS tables (read from ../shared/datasets/real_cn/io_tables_nbs; never copied here)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pymrio
import pytest

from jiqun.errors import JiqunError
from jiqun.inputoutput import (
    allocation_coefficients,
    coefficients,
    ghosh_inverse,
    hypothetical_extraction,
    key_sectors,
    leontief_inverse,
    linkages,
    output_multipliers,
    read_io_table,
)

ROOT = Path(__file__).resolve().parents[2]


def _nbs_dir() -> Path:
    env = os.environ.get("JIQUN_SHARED_DATASETS")
    cands = [Path(env)] if env else []
    # the project checkout, or a worktree one level deeper
    cands += [ROOT.parent / "shared" / "datasets", ROOT.parent.parent / "shared" / "datasets"]
    for c in cands:
        if (c / "real_cn" / "io_tables_nbs").is_dir():
            return c / "real_cn" / "io_tables_nbs"
    return cands[0] / "real_cn" / "io_tables_nbs"


NBS = _nbs_dir()
needs_nbs = pytest.mark.skipif(
    not NBS.is_dir(), reason=f"real NBS IO tables not present at {NBS} (../shared/datasets)"
)

# Miller & Blair (2009), §2.3, Table 2.3: the two-sector example.
MB_Z = pd.DataFrame([[150.0, 500.0], [200.0, 100.0]], index=["1", "2"], columns=["1", "2"])
MB_F = pd.Series([350.0, 1700.0], index=["1", "2"])
MB_X = pd.Series([1000.0, 2000.0], index=["1", "2"])


# ---------------------------------------------------------------------------------------------
# hand case


def test_miller_blair_two_sector_by_hand() -> None:
    A = coefficients(MB_Z, MB_X)
    assert A.to_numpy() == pytest.approx(np.array([[0.15, 0.25], [0.20, 0.05]]))
    L = leontief_inverse(A)
    # (I − A)⁻¹ = [[.95, .25], [.20, .85]] / .7575 (Miller & Blair eq. 2.13)
    det = 0.85 * 0.95 - 0.25 * 0.20
    assert L.to_numpy() == pytest.approx(np.array([[0.95, 0.25], [0.20, 0.85]]) / det)
    assert L.round(4).to_numpy().tolist() == [[1.2541, 0.33], [0.264, 1.1221]]
    # x = L f reproduces gross output
    assert (L @ MB_F).to_numpy() == pytest.approx(MB_X.to_numpy())
    m = output_multipliers(L)
    assert m.to_numpy() == pytest.approx([(0.95 + 0.20) / det, (0.25 + 0.85) / det])
    assert list(m.index) == ["1", "2"]


def test_ghosh_is_similarity_transform_of_leontief() -> None:
    L = leontief_inverse(coefficients(MB_Z, MB_X))
    G = ghosh_inverse(allocation_coefficients(MB_Z, MB_X))
    xh = np.diag(MB_X.to_numpy())
    assert G.to_numpy() == pytest.approx(np.linalg.inv(xh) @ L.to_numpy() @ xh)
    # v' G = x' (supply-side identity)
    v = MB_X - MB_Z.sum(axis=0)
    assert (v @ G).to_numpy() == pytest.approx(MB_X.to_numpy())


def test_linkages_normalised_and_basis() -> None:
    L = leontief_inverse(coefficients(MB_Z, MB_X))
    G = ghosh_inverse(allocation_coefficients(MB_Z, MB_X))
    lk = linkages(L)
    assert lk["backward"].mean() == pytest.approx(1.0)
    assert lk["forward"].mean() == pytest.approx(1.0)
    assert set(lk["forward_basis"]) == {"leontief"}
    assert lk["forward_raw"].to_numpy() == pytest.approx(L.sum(axis=1).to_numpy())
    lg = linkages(L, G)
    assert set(lg["forward_basis"]) == {"ghosh"}
    assert lg["forward_raw"].to_numpy() == pytest.approx(G.sum(axis=1).to_numpy())
    # backward does not depend on G
    assert lg["backward"].to_numpy() == pytest.approx(lk["backward"].to_numpy())


def test_key_sector_classes() -> None:
    lt = pd.DataFrame(
        {"backward": [1.2, 1.1, 0.9, 0.8], "forward": [1.3, 0.7, 1.4, 0.6]},
        index=["a", "b", "c", "d"],
    )
    ks = key_sectors(linkage_table=lt)
    assert ks["class"].tolist() == ["key", "backward", "forward", "weak"]
    assert ks.loc["a", "class_zh"].startswith("关键部门")
    assert ks.loc["d", "class_en"].startswith("weakly linked")


def test_hypothetical_extraction_full_matches_reduced_leontief() -> None:
    he = hypothetical_extraction(MB_Z, MB_F, ["1"])
    # without sector 1: x2 = f2 / (1 − a22)
    assert he.loc["2", "output_after"] == pytest.approx(1700 / 0.95)
    assert he.loc["1", "output_after"] == pytest.approx(0.0)
    assert he.attrs["total_loss"] == pytest.approx(3000 - 1700 / 0.95)
    # backward extraction: sector 1 buys nothing, so sector 2 loses 200 of its sales directly
    # and the induced rounds; sector 1's own output is kept by its final demand.
    hb = hypothetical_extraction(MB_Z, MB_F, ["1"], mode="backward")
    A = coefficients(MB_Z, MB_X).to_numpy().copy()
    A[:, 0] = 0
    assert hb["output_after"].to_numpy() == pytest.approx(np.linalg.solve(np.eye(2) - A, MB_F))
    hf = hypothetical_extraction(MB_Z, MB_F, ["1"], mode="forward")
    assert hf.attrs["total_loss"] > 0
    with pytest.raises(JiqunError):
        hypothetical_extraction(MB_Z, MB_F, ["9"])
    with pytest.raises(JiqunError):
        hypothetical_extraction(MB_Z, MB_F, ["1"], mode="sideways")


def test_zero_output_sector_gets_zero_coefficients() -> None:
    Z = pd.DataFrame([[1.0, 0.0], [0.0, 0.0]], index=["a", "b"], columns=["a", "b"])
    x = pd.Series([10.0, 0.0], index=["a", "b"])
    A = coefficients(Z, x)
    assert np.isfinite(A.to_numpy()).all()
    assert A.to_numpy() == pytest.approx(pymrio.calc_A(Z, x.to_frame("indout")).to_numpy())


# ---------------------------------------------------------------------------------------------
# pymrio on the same tables


def _compare_with_pymrio(Z: pd.DataFrame, x: pd.Series) -> None:
    xf = x.to_frame("indout")
    A = coefficients(Z, x)
    pA = pymrio.calc_A(Z, xf)
    np.testing.assert_allclose(A.to_numpy(), pA.to_numpy(), rtol=1e-12, atol=1e-15)
    L = leontief_inverse(A)
    pL = pymrio.calc_L(pA)
    np.testing.assert_allclose(L.to_numpy(), pL.to_numpy(), rtol=1e-9, atol=1e-12)
    B = allocation_coefficients(Z, x)
    pB = pymrio.calc_B(Z, xf)
    np.testing.assert_allclose(B.to_numpy(), pB.to_numpy(), rtol=1e-12, atol=1e-15)
    G = ghosh_inverse(B)
    pG = pymrio.calc_G(pB)
    np.testing.assert_allclose(G.to_numpy(), pG.to_numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(
        output_multipliers(L).to_numpy(), pL.sum(axis=0).to_numpy(), rtol=1e-9
    )
    assert list(L.index) == list(Z.index) and list(L.columns) == list(Z.columns)


def test_pymrio_two_sector() -> None:
    _compare_with_pymrio(MB_Z, MB_X)


@needs_nbs
@pytest.mark.parametrize("name", ["china_2020_42", "china_2018_153"])
def test_pymrio_on_nbs_tables(name: str) -> None:
    t = read_io_table(NBS / f"{name}.csv")
    _compare_with_pymrio(t.Z, t.x)
    if t.Z_domestic is not None:
        _compare_with_pymrio(t.Z_domestic, t.x)


# ---------------------------------------------------------------------------------------------
# real NBS tables


@needs_nbs
@pytest.mark.parametrize(("year", "trillion"), [(2017, 225.8), (2018, 249.5), (2020, 269.9)])
def test_nbs42_totals_and_balance(year: int, trillion: float) -> None:
    t = read_io_table(NBS / f"china_{year}_42.csv")
    assert t.layout == "nbs42_noncompetitive"
    assert t.year == year and t.unit == "万元"
    assert t.Z.shape == (42, 42) and len(t.sectors) == 42
    assert t.sectors.loc[t.sectors["code"] == "14", "name_zh"].item() == "金属冶炼和压延加工品"
    # GO = TI for every sector; rows balance: x = Z_d i + f_d
    b = t.balance()
    assert b["rel_diff_TI"].max() < 1e-9
    assert b["rel_diff_rows"].max() < 1e-9
    # 万元 → trillion yuan: × 1e4 / 1e12
    assert round(t.x.sum() / 1e8, 1) == trillion
    # Z = domestic + imports
    assert t.Z_domestic is not None and t.Z_imports is not None
    np.testing.assert_allclose(t.Z.to_numpy(), (t.Z_domestic + t.Z_imports).to_numpy())


@needs_nbs
def test_nbs42_2020_coefficient_metals_to_electrical() -> None:
    t = read_io_table(NBS / "china_2020_42.csv")
    A = coefficients(t.Z, t.x)
    # 金属冶炼和压延加工品 (14) per unit of 电气机械和器材 (19), domestic + imported inputs
    assert round(float(A.loc["14", "19"]), 2) == 0.21
    # domestic-only coefficients are no larger
    Ad = coefficients(t.Z_domestic, t.x)
    assert (Ad.to_numpy() <= A.to_numpy() + 1e-15).all()


@needs_nbs
@pytest.mark.parametrize(("name", "n"), [("china_2017_149", 149), ("china_2020_153", 153)])
def test_nbs_competitive_layout(name: str, n: int) -> None:
    t = read_io_table(NBS / f"{name}.csv")
    assert t.layout == "nbs_competitive"
    assert t.Z.shape == (n, n)
    assert t.Z_domestic is None
    b = t.balance()
    assert b["rel_diff_TI"].max() < 1e-9
    # x = Z i + f − m
    assert b["rel_diff_rows"].max() < 1e-9
    assert (t.imports >= 0).all() and t.imports.sum() > 0


@needs_nbs
def test_nbs42_linkages_and_extraction() -> None:
    t = read_io_table(NBS / "china_2020_42.csv")
    zd, fd = t.domestic_flows()
    A = coefficients(zd, t.x)
    L = leontief_inverse(A)
    G = ghosh_inverse(allocation_coefficients(zd, t.x))
    ks = key_sectors(L, G)
    assert ks["backward"].mean() == pytest.approx(1.0)
    assert ks["forward"].mean() == pytest.approx(1.0)
    # x = L f_d on the domestic table
    np.testing.assert_allclose((L @ fd).to_numpy(), t.x.to_numpy(), rtol=1e-8)
    he = hypothetical_extraction(zd, fd, ["14"])
    # the loss is at least the extracted sector's own output, and below total output
    assert he.attrs["total_loss"] >= t.x["14"] * (1 - 1e-9)
    assert 0 < he.attrs["total_loss_share"] < 1
    # with the whole economy extracted nothing remains
    all_out = hypothetical_extraction(zd, fd, t.codes)
    assert all_out.attrs["total_loss_share"] == pytest.approx(1.0)


def test_read_unknown_layout_refused(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    pd.DataFrame({"Code": ["1"], "01": [1.0]}).to_csv(p, index=False)
    with pytest.raises(JiqunError, match="layout"):
        read_io_table(p)
    q = tmp_path / "x.txt.json"
    q.write_text("{}")
    with pytest.raises(JiqunError):
        read_io_table(q)


def test_read_xlsx_same_as_csv(tmp_path: Path) -> None:
    cols = ["Code", "Description", "DescriptionInChinese", "IM", "GO", "TIU"]
    cols += ["001", "002", "FU101", "FU102", "FU103", "FU201", "FU202", "EX"]
    rows = [
        ["001", "a", "甲", 1.0, 10.0, 5.0, 2.0, 3.0, 6.0, 0, 0, 0, 0, 0],
        ["002", "b", "乙", 0.0, 10.0, 4.0, 1.0, 3.0, 6.0, 0, 0, 0, 0, 0],
    ]
    rows += [[c, "", "", None, None, None, 2.0, 2.0] + [None] * 6 for c in
             ("VA001", "VA002", "VA003", "VA004")]  # fmt: skip
    rows += [["TI", "", "", None, None, None, 10.0, 10.0] + [None] * 6]
    df = pd.DataFrame(rows, columns=cols)
    df.to_csv(tmp_path / "t_2018.csv", index=False)
    df.to_excel(tmp_path / "t_2018.xlsx", index=False)
    a = read_io_table(tmp_path / "t_2018.csv")
    b = read_io_table(tmp_path / "t_2018.xlsx")
    assert a.layout == b.layout == "nbs_competitive"
    pd.testing.assert_frame_equal(a.Z, b.Z)
    assert a.codes == b.codes == ["001", "002"]
    assert a.imports.tolist() == [1.0, 0.0]


# ---------------------------------------------------------------------------------------------
# the shipped NBS 42 ↔ GB/T 4754 mapping


def test_io42_mapping_covers_every_division_once() -> None:
    from jiqun import reference as ref
    from jiqun.inputoutput.sectors import io42_mapping, io42_sector_of

    m = io42_mapping()
    assert m["io_sector"].tolist() == [f"{i:02d}" for i in range(1, 43)]
    divs = [d for s in m["gbt4754_divisions"] for d in s.split()]
    assert len(divs) == len(set(divs))
    all_divs = set(ref.industry_codes(level=2))
    assert set(divs) <= all_divs
    assert all_divs - set(divs) == {"97"}
    # names in the file are the division names of the standard
    for r in m.itertuples():
        assert r.division_names.split("；") == [
            ref.industry_name(d) for d in r.gbt4754_divisions.split()
        ]
    assert set(m["verification"]) == {"checked-against-tables"}
    assert io42_sector_of("C3670") == "18" and io42_sector_of("C") is None


@needs_nbs
def test_io42_mapping_names_match_the_nbs_tables() -> None:
    from jiqun.inputoutput.sectors import io42_mapping

    t = read_io_table(NBS / "china_2020_42.csv")
    m = io42_mapping().set_index("io_sector")
    assert m["io_name_zh"].to_dict() == t.names("zh").to_dict()
    assert m["io_name_en"].to_dict() == t.names("en").to_dict()


@needs_nbs
def test_io_essentiality_on_the_2020_table() -> None:
    from jiqun.resilience import default_essentiality, io_essentiality

    t = read_io_table(NBS / "china_2020_42.csv")
    E = io_essentiality(coefficients(t.Z, t.x), source="NBS 2020")
    # electricity into vehicles: a ≈ 0.009, non-essential by size, essential by the rules
    assert 0.005 <= coefficients(t.Z, t.x).loc["24", "18"] < 0.05
    assert int(E.loc["44", "36"]) == 1 and int(default_essentiality().loc["44", "36"]) == 2
    # metals into electrical machinery: a ≈ 0.21, essential
    assert int(E.loc["32", "38"]) == 2
    assert "NBS 2020" in E.attrs["basis"]
