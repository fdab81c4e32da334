"""jiqun.analytics.complexity against the peer ecomplexity 0.5.3 and against hand computations."""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd
import pytest

from jiqun.analytics.complexity import (
    ComplexityResult,
    _top_eigenpair,
    complexity,
    cooccurrence,
    density,
    method_of_reflections,
    proximity,
    relatedness,
)
from jiqun.analytics.rca import JiqunWarning, location_quotient
from jiqun.standard.problems import JiqunError

ecomplexity = pytest.importorskip("ecomplexity")

TOL = 1e-9
COLS = {"time": "time", "loc": "loc", "prod": "prod", "val": "val"}


# ----------------------------------------------------------------------------- helpers


def labelled(a: np.ndarray) -> pd.DataFrame:
    """Zero-padded labels, so that the peer's sorted order equals the matrix order."""
    r, i = a.shape
    return pd.DataFrame(
        a, index=[f"r{j:03d}" for j in range(r)], columns=[f"p{j:03d}" for j in range(i)]
    )


def to_long(X: pd.DataFrame) -> pd.DataFrame:
    long = X.stack().rename("val").reset_index()
    long.columns = ["loc", "prod", "val"]
    long["time"] = 2020
    return long


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def peer(X: pd.DataFrame, manual: bool = False) -> pd.DataFrame:
    out = quiet(
        ecomplexity.ecomplexity,
        to_long(X),
        COLS,
        presence_test="manual" if manual else "rca",
        check_logsupermodularity=False,
    )
    return out.set_index(["loc", "prod"]).sort_index()


def peer_wide(out: pd.DataFrame, col: str) -> pd.DataFrame:
    return out[col].unstack()


def peer_region(out: pd.DataFrame, col: str) -> pd.Series:
    """Region-level value; cells of dropped industries are NaN in the peer's long output."""
    return out[col].groupby(level="loc").first()


def peer_industry(out: pd.DataFrame, col: str) -> pd.Series:
    return out[col].groupby(level="prod").first()


def close(a, b, tol: float = TOL) -> None:
    """Equal to 1e-9: absolute for |x| ≤ 1, relative above; NaN in the same places."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    assert a.shape == b.shape
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol, equal_nan=True)


def run(X: pd.DataFrame, **kw) -> ComplexityResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", JiqunWarning)
        return complexity(X, **kw)


def assert_matches_peer(X: pd.DataFrame, res: ComplexityResult, out: pd.DataFrame) -> None:
    regions, industries = res.rca.index, res.rca.columns
    for name, col in (("rca", "rca"), ("M", "mcp"), ("density", "density"), ("cog", "cog")):
        mine = getattr(res, name)
        theirs = peer_wide(out, col).reindex(index=regions, columns=industries)
        close(mine, theirs)
    for name in ("diversity", "eci", "coi"):
        close(getattr(res, name), peer_region(out, name).reindex(regions))
    for name in ("ubiquity", "pci"):
        close(getattr(res, name), peer_industry(out, name).reindex(industries))


def heavy(seed: int, r: int, i: int, zeros: float = 0.3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.lognormal(0, 2, (r, i)) * rng.pareto(1.5, (r, 1)) * rng.pareto(1.5, (1, i))
    a[rng.random((r, i)) < zeros] = 0.0
    return labelled(a)


# ----------------------------------------------------------------------------- random matrices


@pytest.mark.parametrize(
    ("seed", "shape", "zeros"),
    [
        (1, (30, 20), 0.2),
        (2, (80, 50), 0.3),
        (3, (60, 40), 0.5),
        (4, (25, 70), 0.1),
        (5, (400, 220), 0.3),  # > 150 industries: the Lanczos eigensolver path
    ],
)
def test_random_matrices_match_ecomplexity(seed: int, shape: tuple[int, int], zeros: float) -> None:
    X = heavy(seed, *shape, zeros=zeros)
    res = run(X)
    assert res.n_components == 1 and not res.dropped_regions and not res.dropped_industries
    assert_matches_peer(X, res, peer(X))
    # RCA and M are bit-identical (same operation order)
    out = peer(X)
    np.testing.assert_array_equal(res.rca.to_numpy(), peer_wide(out, "rca").to_numpy())
    np.testing.assert_array_equal(res.M.to_numpy(), peer_wide(out, "mcp").to_numpy())


@pytest.mark.parametrize("n", [40, 400])
def test_top_eigenpair_small_gap(n: int) -> None:
    # symmetric matrix with spectrum in [0, 0.02] and a relative gap of 1e-3 at the top
    rng = np.random.default_rng(n)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    ev = np.sort(rng.uniform(0, 0.0199, n))
    ev[-1] = 0.02
    S = (Q * ev) @ Q.T
    lam, v = _top_eigenpair(S)
    assert lam == pytest.approx(0.02, abs=1e-14)
    assert min(np.abs(v - Q[:, -1]).max(), np.abs(v + Q[:, -1]).max()) < 1e-9
    assert np.linalg.norm(S @ v - lam * v) < 1e-13


def test_proximity_matches_ecomplexity_proximity() -> None:
    X = heavy(7, 80, 50)
    theirs = quiet(ecomplexity.proximity, to_long(X), COLS)
    theirs = theirs.pivot(index="prod_1", columns="prod_2", values="proximity")
    mine = proximity(X)
    np.testing.assert_array_equal(mine.to_numpy(), theirs.to_numpy())  # bit-identical
    close(run(X).proximity, theirs)


def test_standalone_functions_agree_with_pipeline() -> None:
    X = heavy(8, 40, 30)
    res = run(X)
    close(density(X), res.density)
    close(density(X, proximity=res.proximity.iloc[::-1, ::-1]), res.density)  # label-aligned
    close(proximity(res.M.astype(int)), res.proximity)
    close(cooccurrence(X).to_numpy().diagonal(), res.ubiquity)


def test_eci_is_mean_pci_of_region_industries() -> None:
    # the property behind ecomplexity's PCI normalisation
    res = run(heavy(9, 50, 30))
    M = res.M.to_numpy()
    close(res.eci, (M @ res.pci.to_numpy()) / M.sum(axis=1))
    assert abs(res.eci.mean()) < 1e-12 and res.eci.std(ddof=0) == pytest.approx(1.0)
    assert res.coi.std(ddof=0) == pytest.approx(1.0)
    assert (res.cog.to_numpy()[M == 1] == 0).all()


def test_threshold_other_than_one_matches() -> None:
    X = heavy(10, 60, 25, zeros=0.1)
    res = run(X, threshold=0.8)
    out = (
        quiet(
            ecomplexity.ecomplexity,
            to_long(X),
            COLS,
            rca_mcp_threshold=0.8,
            check_logsupermodularity=False,
        )
        .set_index(["loc", "prod"])
        .sort_index()
    )
    assert_matches_peer(X, res, out)


# ----------------------------------------------------------------------------- edge cases


def exact_one_matrix() -> tuple[pd.DataFrame, float]:
    """A matrix whose cell (0, 0) has LQ exactly 1 in exact arithmetic, but 0.9999999999999999 in
    floating point (the peer's operation order). Integer tenths: X = Xi / 10 with
    Xi[0,0]·ΣXi = (row total)·(column total), i.e. x·o = a·b for x = Xi[0,0], a = rest of row 0,
    b = rest of column 0 and o = the other cells (choose a = x·m, o = m·b)."""
    nr, ni = 12, 8

    def part(rng: np.random.Generator, total: int, n: int) -> np.ndarray:
        cuts = np.sort(rng.choice(np.arange(1, total), n - 1, replace=False))
        return np.diff(np.concatenate([[0], cuts, [total]])).astype(float)

    for seed in range(200):
        rng = np.random.default_rng(seed)
        x, m, b = int(rng.integers(2, 200)), int(rng.integers(2, 200)), int(rng.integers(40, 2000))
        Xi = np.zeros((nr, ni))
        Xi[0, 0] = x
        Xi[0, 1:] = part(rng, x * m, ni - 1)
        Xi[1:, 0] = part(rng, b, nr - 1)
        Xi[1:, 1:] = part(rng, m * b, (nr - 1) * (ni - 1)).reshape(nr - 1, ni - 1)
        assert Xi[0, 0] * Xi.sum() == Xi[0].sum() * Xi[:, 0].sum()  # exact LQ = 1 (integers)
        X = labelled(Xi / 10.0)
        lq = float(location_quotient(X).iloc[0, 0])
        if lq < 1.0:
            return X, lq
    raise AssertionError("no example found")  # pragma: no cover


def test_rca_exactly_one_is_the_only_difference() -> None:
    X, lq = exact_one_matrix()
    assert lq == 0.9999999999999999
    out = peer(X)
    res = run(X)
    # same float RCA ...
    np.testing.assert_array_equal(res.rca.to_numpy(), peer_wide(out, "rca").to_numpy())
    # ... but Jiqun counts the cell within 1e-9 of the threshold as present, the peer does not
    diff = res.M.to_numpy() != peer_wide(out, "mcp").to_numpy()
    assert diff.sum() == 1 and diff[0, 0]
    assert res.M.iloc[0, 0] == 1 and peer_wide(out, "mcp").iloc[0, 0] == 0
    # given the same M, everything downstream equals the peer (presence_test="manual")
    out_manual = peer(res.M.astype(int), manual=True)
    for name, col in (("M", "mcp"), ("density", "density"), ("cog", "cog")):
        close(getattr(res, name), peer_wide(out_manual, col))
    for name in ("diversity", "eci", "coi"):
        close(getattr(res, name), peer_region(out_manual, name))
    for name in ("ubiquity", "pci"):
        close(getattr(res, name), peer_industry(out_manual, name))


def test_zero_rows_and_columns_come_back_nan_like_the_peer() -> None:
    X = heavy(11, 40, 25, zeros=0.2)
    X.iloc[[3, 17], :] = 0.0
    X.iloc[:, 5] = 0.0
    with pytest.warns(JiqunWarning, match="'r003', 'r017'.*'p005'"):
        res = complexity(X)
    assert res.dropped_regions == ("r003", "r017") and res.dropped_industries == ("p005",)
    out = peer(X)
    assert_matches_peer(X, res, out)
    for frame in (res.rca, res.M, res.density, res.cog):
        assert frame.loc[["r003", "r017"]].isna().all().all()
        assert frame["p005"].isna().all()
    assert res.eci[["r003", "r017"]].isna().all() and np.isnan(res.pci["p005"])
    assert res.proximity["p005"].isna().all()
    assert res.eci.drop(["r003", "r017"]).notna().all()


def test_zero_diversity_region_is_excluded_not_everything() -> None:
    # threshold 3: region r000 has no LQ ≥ 3. The peer then returns NaN for every ECI/PCI;
    # Jiqun excludes r000 (NaN) and computes the rest, equal to the peer on the reduced matrix.
    X = heavy(12, 30, 20, zeros=0.2)
    X.iloc[0] = X.to_numpy().sum(axis=0) / 30  # average structure: every LQ = 1
    with pytest.warns(JiqunWarning, match="diversity 0: 'r000'"):
        res = complexity(X, threshold=1.5)
    assert np.isnan(res.eci["r000"]) and np.isnan(res.coi["r000"])
    assert res.cog.loc["r000"].isna().all()
    assert res.diversity["r000"] == 0 and (res.density.loc["r000"] == 0).all()
    assert quiet(lambda: peer_region(peer_thr(X, 1.5), "eci")).isna().all()  # peer: all NaN
    M = res.M.drop("r000").astype(int)
    out = peer(M, manual=True)
    close(res.eci.drop("r000"), peer_region(out, "eci"))
    close(res.pci, peer_industry(out, "pci"))
    close(res.coi.drop("r000"), peer_region(out, "coi"))
    close(res.cog.drop("r000"), peer_wide(out, "cog"))


def peer_thr(X: pd.DataFrame, thr: float) -> pd.DataFrame:
    return (
        quiet(
            ecomplexity.ecomplexity,
            to_long(X),
            COLS,
            rca_mcp_threshold=thr,
            check_logsupermodularity=False,
        )
        .set_index(["loc", "prod"])
        .sort_index()
    )


def test_disconnected_network_two_blocks() -> None:
    rng = np.random.default_rng(13)
    a = np.zeros((45, 25))
    a[:20, :10] = rng.lognormal(0, 1, (20, 10))
    a[20:, 10:] = rng.lognormal(0, 1, (25, 15))
    X = labelled(a)
    with pytest.warns(JiqunWarning, match="disconnected \\(2 components\\)"):
        res = complexity(X)
    assert res.n_components == 2
    assert res.eigenvalue == pytest.approx(1.0)
    out = peer(X)
    # ECI/PCI only label the component; they are unique and equal the peer's
    for name, col in (("rca", "rca"), ("M", "mcp"), ("density", "density")):
        close(getattr(res, name), peer_wide(out, col))
    close(res.eci, peer_region(out, "eci"))
    close(res.pci, peer_industry(out, "pci"))
    assert np.ptp(res.eci.iloc[:20]) < 1e-12 and np.ptp(res.eci.iloc[20:]) < 1e-12
    # COI/COG depend on the eigenvector's shift inside the degenerate eigenspace, which the peer
    # leaves to LAPACK. Jiqun's documented choice: the deflated vector, Σ_i u_i kp_i = 0.
    u = res.ubiquity.to_numpy()
    pci = res.pci.to_numpy()
    kp = pci - (u @ pci) / u.sum()  # ∝ raw kp (scale is irrelevant below)
    M = res.M.to_numpy()
    phi = res.proximity.to_numpy()
    d = res.density.to_numpy()
    coi = (d * (1 - M)) @ kp
    close(res.coi, (coi - coi.mean()) / coi.std())
    cog = (1 - M) * ((1 - M) @ (phi * (kp / phi.sum(axis=1))[:, None]))
    close(res.cog, cog)
    # the peer's vector lives on one component A: its COG is 0 in the other's (B) columns and
    # (U_A + U_B)/U_B times Jiqun's in A's columns (docs/METHODS.md §3)
    theirs = peer_wide(out, "cog").to_numpy()
    blocks = [slice(0, 10), slice(10, 25)]
    on = [bool(np.abs(theirs[:, b]).max() > 1e-9) for b in blocks]
    assert sum(on) == 1
    A, B = (blocks[0], blocks[1]) if on[0] else (blocks[1], blocks[0])
    assert np.abs(theirs[:, B]).max() < 1e-12 < np.abs(res.cog.to_numpy()[:, B]).max()
    mine = res.cog.to_numpy()[:, A]
    close(theirs[:, A], mine * (u.sum() / u[B].sum()))
    assert np.abs(mine).max() > 0.1


def test_disconnected_cog_keeps_jiqun_convention_not_the_peers() -> None:
    # two blocks plus one industry made only by one region: three components. The peer's eigenvector
    # (np.linalg.eig, eigenvalue 1 three times) is non-zero on one block only, so its COG is 0 in
    # the isolated industry's column and in the other block; Jiqun keeps Σ_i u_i kp_i = 0.
    rng = np.random.default_rng(2)
    a = np.zeros((10, 8))
    a[:4, :3] = rng.lognormal(0, 1, (4, 3))
    a[4:9, 3:7] = rng.lognormal(0, 1, (5, 4))
    a[9, 7] = 5.0
    X = labelled(a)
    with pytest.warns(JiqunWarning, match="3 components.*COI/COG depend.*ecomplexity"):
        res = complexity(X)
    assert res.n_components == 3
    assert any("Σ 普遍性·kp = 0" in n and "COG" in n for n in res.notes)
    M = res.M.to_numpy()
    u = res.ubiquity.to_numpy()
    pci = res.pci.to_numpy()
    kp = pci - (u @ pci) / u.sum()  # raw kp / sd(raw kc) when Σ u kp = 0
    phi = res.proximity.to_numpy()
    cog = (1 - M) * ((1 - M) @ (phi * (kp / phi.sum(axis=1))[:, None]))
    close(res.cog, cog)
    # the divergence, pinned: the peer's COG lives on one component only, ours on all three
    theirs = peer_wide(peer(X), "cog").to_numpy()
    blocks = [slice(0, 3), slice(3, 7), slice(7, 8)]
    assert sum(bool(np.abs(theirs[:, b]).max() > 1e-9) for b in blocks) == 1
    assert np.abs(theirs[:9, 7]).max() < 1e-12  # the peer: 0 in the isolated industry's column
    assert np.abs(res.cog.to_numpy()[:9, 7]).min() > 0.1  # Jiqun: not 0 there
    assert all(np.abs(res.cog.to_numpy()[:, b]).max() > 1e-3 for b in blocks)
    # on a connected network the same code still matches the peer
    Xc = heavy(15, 12, 8, zeros=0.1)
    rc = run(Xc)
    assert rc.n_components == 1
    assert_matches_peer(Xc, rc, peer(Xc))


def test_result_to_frame_columns() -> None:
    res = run(heavy(14, 10, 6, zeros=0.0))
    f = res.to_frame()
    assert list(f.columns) == [
        "region", "industry", "rca", "mcp", "diversity", "ubiquity", "eci", "pci", "density",
        "coi", "cog",
    ]  # fmt: skip
    assert len(f) == 60 and "ecomplexity" in res.basis


def test_complexity_input_validation() -> None:
    X = heavy(15, 10, 6)
    X.iloc[2, 3] = -1.0
    with pytest.raises(JiqunError, match=r"'r002', 'p003', -1\.0"):
        complexity(X)
    with pytest.raises(JiqunError, match="all zero"), warnings.catch_warnings():
        warnings.simplefilter("ignore", JiqunWarning)
        complexity(labelled(np.zeros((3, 3))))


def test_constant_diversity_sign_fallback() -> None:
    # every region has diversity 2: corr(diversity, kc) is undefined. The peer returns NaN for
    # every ECI/PCI; Jiqun orients by −corr(ubiquity, kp) and says so.
    M = np.array(
        [
            [1, 0, 1, 0, 0],
            [1, 0, 0, 1, 0],
            [0, 0, 1, 1, 0],
            [0, 1, 1, 0, 0],
            [0, 0, 0, 1, 1],
            [1, 0, 0, 1, 0],
            [1, 0, 1, 0, 0],
            [1, 0, 0, 1, 0],
        ]
    )
    X = labelled(M * 10.0 + 1.0)
    with pytest.warns(JiqunWarning, match="diversity is constant"):
        res = complexity(X)
    np.testing.assert_array_equal(res.M.to_numpy(), M)
    assert res.eci.notna().all() and res.pci.notna().all()
    assert np.corrcoef(res.ubiquity, res.pci)[0, 1] < 0  # the documented orientation
    assert peer_region(peer(X), "eci").isna().all()


def test_identical_regions_give_undefined_eci_with_warning() -> None:
    X = labelled(np.tile([1.0, 2.0, 3.0], (4, 1)))  # every LQ = 1: M all ones
    with pytest.warns(JiqunWarning, match="undefined"):
        res = complexity(X)
    assert res.eci.isna().all() and res.pci.isna().all() and res.cog.isna().all().all()
    assert (res.density == 1).all().all() and (res.M == 1).all().all()


# ----------------------------------------------------------------------------- hand computations

# M (regions r1..r3 × industries a, b, c):
#   r1: 1 1 0      diversity k = (2, 3, 2), ubiquity u = (2, 3, 2)
#   r2: 1 1 1      C = MᵀM = [[2, 2, 1], [2, 3, 2], [1, 2, 2]]
#   r3: 0 1 1
M3 = pd.DataFrame(
    [[1, 1, 0], [1, 1, 1], [0, 1, 1]], index=["r1", "r2", "r3"], columns=["a", "b", "c"]
)


def test_proximity_by_hand() -> None:
    # φ_ab = 2/max(2,3) = 2/3, φ_ac = 1/max(2,2) = 1/2, φ_bc = 2/3, diagonal 1
    expected = [[1, 2 / 3, 1 / 2], [2 / 3, 1, 2 / 3], [1 / 2, 2 / 3, 1]]
    close(proximity(M3), expected, 1e-15)


def test_density_by_hand() -> None:
    # row sums of φ: a 1 + 2/3 + 1/2 = 13/6, b 2/3 + 1 + 2/3 = 7/3, c 13/6
    # r1 (M = 1 1 0): a (1 + 2/3)/(13/6) = 10/13, b (2/3 + 1)/(7/3) = 5/7, c (1/2 + 2/3)/(13/6) = 7/13
    # r2 (M = 1 1 1): 1 everywhere; r3 mirrors r1
    expected = [[10 / 13, 5 / 7, 7 / 13], [1, 1, 1], [7 / 13, 5 / 7, 10 / 13]]
    close(density(M3), expected, 1e-15)


@pytest.mark.parametrize(
    ("method", "ab", "ac"),
    [
        # C with zero diagonal: [[0, 2, 1], [2, 0, 2], [1, 2, 0]]; S = (3, 4, 3); T = 10
        # cosine: C_ij/√(S_i S_j): ab = 2/√12, ac = 1/3
        ("cosine", 2 / np.sqrt(12), 1 / 3),
        # jaccard: C_ij/(S_i + S_j − C_ij): ab = 2/5, ac = 1/5
        ("jaccard", 2 / 5, 1 / 5),
        # association: (C/T)/((S_i/T)(S_j/T)) = C·T/(S_i S_j): ab = 20/12 = 5/3, ac = 10/9
        ("association", 5 / 3, 10 / 9),
        # prob: ab = 2 / {[(3/10)(4/7) + (4/10)(3/6)]·10/2} = 2 / (6/7 + 1) = 14/13
        #       ac = 1 / {[(3/10)(3/7) + (3/10)(3/7)]·10/2} = 1 / (9/7) = 7/9
        ("prob", 14 / 13, 7 / 9),
    ],
)
def test_relatedness_by_hand(method: str, ab: float, ac: float) -> None:
    R = relatedness(M3, method)  # type: ignore[arg-type]
    expected = [[0, ab, ac], [ab, 0, ab], [ac, ab, 0]]
    close(R, expected, 1e-14)


def test_relatedness_isolated_industry_is_zero_and_bad_method() -> None:
    M = M3.copy()
    M["d"] = [0, 0, 1]  # co-occurs with b and c only through r3
    M["e"] = [0, 0, 0]  # co-occurs with nothing: 0/0 → 0 (EconGeo maps NaN to 0)
    for method in ("prob", "association", "cosine", "jaccard"):
        R = relatedness(M, method)  # type: ignore[arg-type]
        assert (R["e"] == 0).all() and (np.diag(R) == 0).all()
        assert np.isfinite(R.to_numpy()).all()
        close(R, R.T)
    with pytest.raises(JiqunError, match="unknown relatedness method"):
        relatedness(M3, "pmi")  # type: ignore[arg-type]


# Hidalgo & Hausmann (2009) SI Fig. S4 network (also EconGeo's morc/mort example):
#   C1: P1 P2 P3 P4;  C2: P2;  C3: P3 P4;  C4: P4
#   step 0: k_c = (4, 1, 2, 1), k_p = (1, 2, 2, 3)
#   step 1: k_c = mean k_p over own products = (8/4, 2, 5/2, 3) = (2, 2, 2.5, 3)
#           k_p = mean k_c over own countries = (4, 5/2, 3, 7/3)
#   step 2: k_c = (71/24, 5/2, 8/3, 7/3);  k_p = (2, 2, 9/4, 5/2)
#   step 3 (raw → rescaled 0–100):
#           k_c raw = (2.1875, 2, 2.375, 2.5) → (37.5, 0, 75, 100)
#           k_p raw = (71/24, 131/48, 135/48, 191/72) → (100, 25, 52.2727…, 0)
#   step 4: k_c raw = mean of rescaled k_p,3 = (44.318…, 25, 26.136…, 0) → (100, 56.41…, 58.97…, 0)
#           k_p raw = mean of rescaled k_c,3 = (37.5, 18.75, 56.25, 70.833…) → (36, 0, 72, 100)
S4 = pd.DataFrame(
    [[1, 1, 1, 1], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]],
    index=["C1", "C2", "C3", "C4"],
    columns=["P1", "P2", "P3", "P4"],
)


@pytest.mark.parametrize(
    ("steps", "kc", "kp"),
    [
        (0, [4, 1, 2, 1], [1, 2, 2, 3]),
        (1, [2, 2, 2.5, 3], [4, 2.5, 3, 7 / 3]),
        (2, [71 / 24, 2.5, 8 / 3, 7 / 3], [2, 2, 2.25, 2.5]),
        (3, [37.5, 0, 75, 100], [100, 25, 2300 / 44, 0]),
        (
            4,
            [100, 25 / (177.2727272727 / 4) * 100, (2300 / 88) / (177.2727272727 / 4) * 100, 0],
            [36, 0, 72, 100],
        ),
    ],
)
def test_method_of_reflections_by_hand(steps: int, kc: list[float], kp: list[float]) -> None:
    rc, rp = method_of_reflections(S4, steps=steps)
    close(rc, kc, 1e-9)
    close(rp, kp, 1e-9)
    assert list(rc.index) == list(S4.index) and list(rp.index) == list(S4.columns)


def test_method_of_reflections_from_X_and_zero_rows() -> None:
    X = heavy(16, 30, 12, zeros=0.2)
    M = run(X).M.astype(int)
    for steps in (0, 2, 5, 20):
        a = method_of_reflections(X, steps=steps)
        b = method_of_reflections(M, steps=steps)
        close(a[0], b[0])
        close(a[1], b[1])
    M.loc["rz"] = 0
    with pytest.warns(JiqunWarning, match="'rz'"):
        rc, _ = method_of_reflections(M, steps=3)
    assert np.isnan(rc["rz"]) and rc.drop("rz").between(0, 100).all()
    with pytest.raises(JiqunError):
        method_of_reflections(M, steps=-1)
