"""Relatedness and economic complexity: proximity, relatedness, density, ECI/PCI, COI/COG, reflections.

Conventions follow ``docs/METHODS.md`` §3: the product-space quantities (proximity, density, ECI,
PCI, COI, COG) follow **ecomplexity 0.5.3** (Harvard Growth Lab, MIT licence); the co-occurrence
normalisations (:func:`relatedness`) and the method of reflections follow **EconGeo 2.0**
(Balland; GPL — re-implemented from the formulas, no code copied).

Everything is vectorised: the presence matrix ``M`` is a dense float64 0/1 array and every sum
over regions or industries is a BLAS matrix product; the eigenvector for ECI/PCI comes from a
symmetric (similarity-transformed) industry × industry matrix by Lanczos iteration.

References
----------
- Hidalgo, C. A., Klinger, B., Barabási, A.-L. & Hausmann, R. (2007). The product space conditions
  the development of nations. *Science* 317(5837), 482–487.
- Hidalgo, C. A. & Hausmann, R. (2009). The building blocks of economic complexity. *PNAS*
  106(26), 10570–10575.
- Hausmann, R., Hidalgo, C. A., Bustos, S., Coscia, M., Simoes, A. & Yildirim, M. A. (2014).
  *The Atlas of Economic Complexity*. MIT Press.
- ecomplexity 0.5.3 (https://github.com/cid-harvard/py-ecomplexity): ``calc_eci_pci``,
  ``calc_discrete_proximity``, ``calc_density``, ``calc_coi_cog``.
- EconGeo 2.0 (Balland, https://github.com/PABalland/EconGeo): ``relatedness``, ``morc``, ``mort``.
- van Eck, N. J. & Waltman, L. (2009). How to normalize cooccurrence data? *JASIST* 60(8),
  1635–1651.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse
from scipy.sparse.csgraph import connected_components

from jiqun.analytics.rca import (
    JiqunWarning,
    as_presence,
    fmt_labels,
    lq_array,
    presence_cut,
    validated_array,
    warn_dropped,
)
from jiqun.standard.problems import JiqunError

__all__ = [
    "ComplexityResult",
    "complexity",
    "cooccurrence",
    "density",
    "method_of_reflections",
    "proximity",
    "relatedness",
]

#: Industry count above which the eigenvector comes from Lanczos instead of a dense decomposition.
_LANCZOS_MIN = 150

RelatednessMethod = Literal["prob", "association", "cosine", "jaccard"]


# --------------------------------------------------------------------------------------------
# array kernels (no pandas)
# --------------------------------------------------------------------------------------------


def _gram(M: np.ndarray) -> np.ndarray:
    """``MᵀM`` for a 0/1 (or boolean) matrix, as float64 (BLAS ``syrk``: numpy uses it for
    ``A.T @ A``).

    The entries are integer counts ≤ number of rows, so single precision is exact below 2²⁴ rows
    (and twice as fast); above that, double precision."""
    dtype = np.float32 if M.shape[0] < 2**24 else np.float64
    Mf: np.ndarray = M.astype(dtype)
    return (Mf.T @ Mf).astype(np.float64)


def _proximity_array(C: np.ndarray, u: np.ndarray) -> np.ndarray:
    """φ_ij = C_ij / max(u_i, u_j), diagonal 1; pairs with max(u_i, u_j) = 0 get 0."""
    den = np.maximum(u[:, np.newaxis], u[np.newaxis, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = C / den
    phi[den == 0] = 0.0
    np.fill_diagonal(phi, 1.0)
    return phi


def _density_array(M: np.ndarray, phi: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """d_ri = Σ_j M_rj φ_ij / Σ_j φ_ij (ecomplexity ``calc_density``)."""
    den = phi.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        W = phi.T / den[np.newaxis, :]
    return np.matmul(M, W, out=out)


def _touched(shape: tuple[int, int], fill: float | np.ndarray = 0.0) -> np.ndarray:
    """A new C-ordered float64 array, written once from this thread.

    Writing the pages before a multi-threaded BLAS call moves the page faults out of it: on
    virtual machines faults taken concurrently by BLAS threads can cost more.
    """
    a = np.empty(shape)
    a[...] = fill
    return a


def _masked_rowdot(D: np.ndarray, mask: np.ndarray, x: np.ndarray, block: int = 512) -> np.ndarray:
    """``(D ⊙ (1 − mask)) @ x`` in row blocks (a small reusable buffer, no full-size temporary)."""
    n = D.shape[0]
    out = np.empty(n)
    tmp = np.empty((min(block, n), D.shape[1]))
    for s in range(0, n, block):
        e = min(s + block, n)
        t = tmp[: e - s]
        np.copyto(t, D[s:e])
        np.copyto(t, 0.0, where=mask[s:e])
        np.matmul(t, x, out=out[s:e])
    return out


def _zscore(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


@dataclass(frozen=True)
class _Eig:
    kc: np.ndarray  # raw region vector s·kc
    kp: np.ndarray  # raw industry vector s·kp
    eigenvalue: float
    sign_rule: str


def _top_eigenpair(S: np.ndarray, tol: float = 1e-14) -> tuple[float, np.ndarray]:
    """Largest eigenpair of a symmetric matrix whose spectrum lies in [−1, 1].

    Lanczos with full re-orthogonalisation (numpy BLAS only), stopped when the residual bound
    ``|β_j y_j| ≤ tol`` holds, i.e. ``‖S v − λ v‖ ≤ 1e-14``; at ``j = n`` it is exact. About a
    hundred 600 × 600 mat-vecs instead of an O(n³) decomposition. Small matrices use LAPACK. The
    start vector is fixed, so results are reproducible.

    (ARPACK would be as fast, but it runs on SciPy's own OpenBLAS, whose spinning worker threads
    then halve the speed of the next NumPy matrix products on a 2-core machine.)
    """
    n = S.shape[0]
    if n <= _LANCZOS_MIN:
        vals, vecs = np.linalg.eigh(S)
        return float(vals[-1]), vecs[:, -1]
    Q = np.empty((n, n))
    alpha = np.empty(n)
    beta = np.empty(n)
    # a shape tuple, not n: NumPy's stubs match an untyped n to the scalar (size=None) overload
    q = np.random.default_rng(20090630).standard_normal((n,))
    q /= np.linalg.norm(q)
    b = 0.0
    for j in range(n):
        Q[j] = q
        z = S @ q
        alpha[j] = a = q @ z
        z -= a * q
        if j:
            z -= b * Q[j - 1]
        Qj = Q[: j + 1]
        z -= Qj.T @ (Qj @ z)  # full re-orthogonalisation, twice ("twice is enough")
        z -= Qj.T @ (Qj @ z)
        beta[j] = b = float(np.linalg.norm(z))
        if (j + 1) % 5 == 0 or b < 1e-12 or j == n - 1:
            lam, y = scipy.linalg.eigh_tridiagonal(
                alpha[: j + 1], beta[:j], select="i", select_range=(j, j)
            )
            if abs(b * y[-1, 0]) <= tol or b < 1e-12 or j == n - 1:
                v = Qj.T @ y[:, 0]
                return float(lam[0]), v / np.linalg.norm(v)
        q = z / b
    raise AssertionError("unreachable")  # pragma: no cover


def _eci_pci_raw(
    Mv: np.ndarray, k: np.ndarray, u: np.ndarray, buf: np.ndarray | None = None
) -> _Eig:
    """Second eigenvector of Mpp = (M/k_p)ᵀ(M/k_c) and its region image, sign-fixed.

    Mpp = D_u⁻¹ Mᵀ D_k⁻¹ M is similar to the symmetric S = D_u^{-1/2} Mᵀ D_k⁻¹ M D_u^{-1/2}
    (Mpp = D_u^{-1/2} S D_u^{1/2}); S has the trivial eigenvector √u with eigenvalue 1, which is
    deflated, so the top eigenvector v of S − ŵŵᵀ is the second eigenvector of S, and
    kp = D_u^{-1/2} v is the second eigenvector of Mpp (up to scale, which every output is
    invariant to). kc = (M/k_c)·kp.
    """
    A = np.multiply(Mv, (1.0 / np.sqrt(k))[:, np.newaxis], out=buf)
    S = A.T @ A  # syrk
    ru = 1.0 / np.sqrt(u)
    S *= ru[:, np.newaxis]
    S *= ru[np.newaxis, :]
    w = np.sqrt(u)
    w /= np.linalg.norm(w)
    S -= np.outer(w, w)
    val, vec = _top_eigenpair(S)
    kp = vec / np.sqrt(u)
    kc = (Mv @ kp) / k
    sign_rule = "corr(diversity, kc)"
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.corrcoef(k, kc)[0, 1] if k.std() > 0 and kc.std() > 0 else np.nan
        s = np.sign(c)
        if not np.isfinite(s) or s == 0:
            # diversity constant: ecomplexity returns NaN everywhere; Jiqun falls back to ubiquity
            c2 = np.corrcoef(u, kp)[0, 1] if u.std() > 0 and kp.std() > 0 else np.nan
            s = -np.sign(c2) if abs(c2) > 1e-9 else np.nan
            sign_rule = "−corr(ubiquity, kp) (diversity constant)"
            if not np.isfinite(s) or s == 0:
                s = 1.0
                sign_rule = "arbitrary (neither diversity nor ubiquity orients it)"
    return _Eig(kc=s * kc, kp=s * kp, eigenvalue=val, sign_rule=sign_rule)


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------


def _presence_float(
    X_or_M: pd.DataFrame, threshold: float, is_presence: bool | None
) -> tuple[pd.DataFrame, np.ndarray]:
    Mdf = as_presence(X_or_M, threshold, is_presence)
    return Mdf, np.ascontiguousarray(Mdf.to_numpy(dtype=np.float64))


def cooccurrence(
    X_or_M: pd.DataFrame, threshold: float = 1.0, is_presence: bool | None = None
) -> pd.DataFrame:
    """Industry co-occurrence counts ``C = MᵀM``: ``C_ij`` = regions specialised in both i and j.

    The diagonal is the ubiquity ``C_ii = u_i`` (EconGeo ``co_occurrence(t(M), diagonal=TRUE)``).
    ``X_or_M`` is a raw matrix or a presence matrix, with the rule of
    :func:`jiqun.analytics.rca.diversity`.

    References: Hidalgo et al. (2007) Science 317; Hidalgo & Hausmann (2009) PNAS 106(26);
    ecomplexity 0.5.3; EconGeo 2.0 ``co_occurrence``.

    Parameters
    ----------
    X_or_M:
        Region × industry matrix ``X`` or presence matrix ``M``.
    threshold:
        LQ cut-off when ``X`` is given.
    is_presence:
        ``None`` = detect, ``True`` = ``M`` given, ``False`` = ``X`` given.

    Returns
    -------
    pandas.DataFrame
        Industry × industry counts (float64).

    Example
    -------
    >>> import pandas as pd
    >>> M = pd.DataFrame({"a": [1, 1, 0], "b": [1, 1, 1]}, index=["r1", "r2", "r3"])
    >>> cooccurrence(M).to_numpy().tolist()
    [[2.0, 2.0], [2.0, 3.0]]
    """
    Mdf, M = _presence_float(X_or_M, threshold, is_presence)
    return pd.DataFrame(_gram(M), index=Mdf.columns, columns=Mdf.columns.copy())


def proximity(
    X: pd.DataFrame, threshold: float = 1.0, is_presence: bool | None = None
) -> pd.DataFrame:
    """Product-space proximity ``φ_ij = C_ij / max(u_i, u_j)``, with ``C = MᵀM`` and diagonal 1.

    ``φ_ij`` is the minimum of the two conditional probabilities P(i | j) and P(j | i) that a region
    specialised in one industry is specialised in the other. ``X`` may also be a presence matrix
    (rule of :func:`jiqun.analytics.rca.diversity`).

    Matches ecomplexity 0.5.3 ``calc_discrete_proximity`` (symmetric) bit for bit, except for
    industries with zero ubiquity: ecomplexity gives NaN (0/0) there, Jiqun 0 off the diagonal and
    1 on it, so that density stays defined.

    References: Hidalgo et al. (2007) Science 317; Hidalgo & Hausmann (2009) PNAS 106(26);
    Hausmann et al., *Atlas of Economic Complexity* (2014); ecomplexity 0.5.3.

    Parameters
    ----------
    X:
        Region × industry matrix ``X`` or presence matrix ``M``.
    threshold, is_presence:
        How ``X`` is read, as in :func:`cooccurrence`.

    Returns
    -------
    pandas.DataFrame
        Symmetric industry × industry proximity in [0, 1].

    Example
    -------
    >>> import pandas as pd
    >>> M = pd.DataFrame({"a": [1, 1, 0], "b": [1, 1, 1]}, index=["r1", "r2", "r3"])
    >>> proximity(M).round(4).to_numpy().tolist()
    [[1.0, 0.6667], [0.6667, 1.0]]
    """
    Mdf, M = _presence_float(X, threshold, is_presence)
    phi = _proximity_array(_gram(M), M.sum(axis=0))
    return pd.DataFrame(phi, index=Mdf.columns, columns=Mdf.columns.copy())


def relatedness(
    X: pd.DataFrame,
    method: RelatednessMethod = "prob",
    threshold: float = 1.0,
    is_presence: bool | None = None,
) -> pd.DataFrame:
    """Relatedness from normalised co-occurrences (EconGeo ``relatedness`` conventions).

    ``C = MᵀM`` with its **diagonal set to 0**; ``S_i = Σ_j C_ij``; ``T = Σ_ij C_ij``. Then

    - ``"prob"`` (probability index, Steijn 2017):
      ``C_ij / {[(S_i/T)·(S_j/(T−S_i)) + (S_j/T)·(S_i/(T−S_j))]·T/2}``
    - ``"association"`` (association strength): ``(C_ij/T) / ((S_i/T)·(S_j/T))``
    - ``"cosine"``: ``C_ij / √(S_i·S_j)``
    - ``"jaccard"``: ``C_ij / (S_i + S_j − C_ij)``

    Undefined cells (0/0, industries that co-occur with nothing) are 0 and every diagonal is 0, as
    in EconGeo (which maps NaN to 0). ``X`` may be a raw matrix or a presence matrix (rule of
    :func:`jiqun.analytics.rca.diversity`); EconGeo's input is the co-occurrence matrix itself,
    i.e. ``relatedness(co_occurrence(t(M)))`` there equals ``relatedness(M)`` here.

    References: van Eck & Waltman (2009) JASIST 60(8); Hidalgo et al. (2007) Science 317;
    Balland (2016); Steijn (2017); EconGeo 2.0 ``relatedness``.

    Parameters
    ----------
    X:
        Region × industry matrix ``X`` or presence matrix ``M``.
    method:
        ``"prob"`` (default, as EconGeo), ``"association"``, ``"cosine"`` or ``"jaccard"``.
    threshold, is_presence:
        How ``X`` is read, as in :func:`cooccurrence`.

    Returns
    -------
    pandas.DataFrame
        Symmetric industry × industry relatedness, diagonal 0.

    Example
    -------
    >>> import pandas as pd
    >>> M = pd.DataFrame({"a": [1, 1, 0], "b": [1, 1, 1], "c": [0, 1, 1]},
    ...                  index=["r1", "r2", "r3"])
    >>> relatedness(M, "jaccard").to_numpy().tolist()
    [[0.0, 0.4, 0.2], [0.4, 0.0, 0.4], [0.2, 0.4, 0.0]]
    """
    m = str(method).lower()
    if m not in ("prob", "association", "cosine", "jaccard"):
        raise JiqunError(
            f"未知的关联度方法 {method!r}；可选 prob、association、cosine、jaccard",
            f"unknown relatedness method {method!r}; use prob, association, cosine or jaccard",
        )
    Mdf, M = _presence_float(X, threshold, is_presence)
    C = _gram(M)
    np.fill_diagonal(C, 0.0)
    S = C.sum(axis=0)
    T = C.sum()
    Si = S[:, np.newaxis]
    Sj = S[np.newaxis, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        if m == "prob":
            R = C / (((Si / T) * (Sj / (T - Si)) + (Sj / T) * (Si / (T - Sj))) * (T / 2))
        elif m == "association":
            R = (C / T) / ((Si / T) * (Sj / T))
        elif m == "cosine":
            R = C / np.sqrt(Si * Sj)
        else:
            R = C / (Si + Sj - C)
    R[~np.isfinite(R)] = 0.0
    np.fill_diagonal(R, 0.0)
    return pd.DataFrame(R, index=Mdf.columns, columns=Mdf.columns.copy())


def density(
    X: pd.DataFrame,
    proximity: pd.DataFrame | None = None,
    threshold: float = 1.0,
    is_presence: bool | None = None,
) -> pd.DataFrame:
    """Density ``d_ri = Σ_j M_rj φ_ij / Σ_j φ_ij`` (φ's diagonal included).

    The share of industry i's proximity mass that falls on industries region r is already
    specialised in: how "close" i is to r's current capabilities (feasibility). ``X`` may be a raw
    matrix or a presence matrix (rule of :func:`jiqun.analytics.rca.diversity`).

    Matches ecomplexity 0.5.3 ``calc_density`` (``knn=None``). EconGeo
    ``relatedness_density`` reports the same quantity × 100 (and with its own relatedness matrix).

    References: Hidalgo et al. (2007) Science 317; Hausmann et al., *Atlas of Economic Complexity*
    (2014); ecomplexity 0.5.3; EconGeo 2.0.

    Parameters
    ----------
    X:
        Region × industry matrix ``X`` or presence matrix ``M``.
    proximity:
        Industry × industry proximity; default :func:`proximity` of ``X``. Must cover exactly the
        industries of ``X`` (any order), finite and ``≥ 0``.
    threshold, is_presence:
        How ``X`` is read, as in :func:`cooccurrence`.

    Returns
    -------
    pandas.DataFrame
        Region × industry density in [0, 1].

    Example
    -------
    >>> import pandas as pd
    >>> M = pd.DataFrame({"a": [1, 1, 0], "b": [1, 1, 1], "c": [0, 1, 1]},
    ...                  index=["r1", "r2", "r3"])
    >>> round(float(density(M).loc["r1", "c"]), 6)  # (1/2 + 2/3) / (1/2 + 2/3 + 1) = 7/13
    0.538462
    """
    Mdf, M = _presence_float(X, threshold, is_presence)
    if proximity is None:
        phi = _proximity_array(_gram(M), M.sum(axis=0))
    else:
        phi = _aligned_proximity(proximity, Mdf.columns)
    return pd.DataFrame(_density_array(M, phi), index=Mdf.index, columns=Mdf.columns.copy())


def _aligned_proximity(P: pd.DataFrame, industries: pd.Index) -> np.ndarray:
    if not isinstance(P, pd.DataFrame):
        raise JiqunError(
            "proximity 必须是产业 × 产业的 pandas.DataFrame",
            "proximity must be an industry × industry pandas.DataFrame",
        )
    for lab_zh, lab_en, labels in (("行", "rows", P.index), ("列", "columns", P.columns)):
        missing = industries.difference(labels, sort=False)
        extra = pd.Index(labels).difference(industries, sort=False)
        if len(missing) or len(extra):
            raise JiqunError(
                f"proximity 的{lab_zh}必须与 X 的产业一致：缺少 {fmt_labels(list(missing))}；"
                f"多出 {fmt_labels(list(extra))}",
                f"proximity {lab_en} must match the industries of X: missing "
                f"{fmt_labels(list(missing))}; extra {fmt_labels(list(extra))}",
            )
    phi = validated_array(P.loc[industries, industries], "proximity")
    if (phi.sum(axis=1) == 0).any():
        raise JiqunError(
            "proximity 存在行和为 0 的产业，密度无定义",
            "proximity has industries whose row sums to 0; density is undefined",
        )
    return phi


# --------------------------------------------------------------------------------------------
# ECI / PCI / COI / COG
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ComplexityResult:
    """Output of :func:`complexity`. All frames keep the labels of the input ``X``.

    Attributes
    ----------
    eci:
        Economic Complexity Index per region (z-score, ddof 0).
    pci:
        Product (industry) Complexity Index, standardised with ECI's raw mean and sd.
    coi:
        Complexity Outlook Index per region (z-score, ddof 0).
    cog:
        Complexity Outlook Gain, region × industry (0 where ``M = 1``).
    density:
        Density, region × industry.
    proximity:
        Proximity, industry × industry.
    rca:
        Location quotient (Balassa RCA), region × industry.
    M:
        Presence matrix (0.0/1.0, float64 so that dropped labels can hold NaN).
    diversity, ubiquity:
        ``k_r`` and ``u_i`` (float64).
    threshold:
        The RCA threshold used.
    eigenvalue:
        The eigenvalue of Mpp whose eigenvector gave ECI/PCI (second largest).
    n_components:
        Connected components of the bipartite region–industry network (1 = connected).
    dropped_regions, dropped_industries:
        Labels left out of the calculation (all-zero in ``X``) or out of ECI/PCI/COI/COG (zero
        diversity / ubiquity); their values are NaN.
    basis:
        One-line statement of the convention followed.
    notes:
        Warnings and decisions taken on this input (same text as the warnings emitted).
    """

    eci: pd.Series
    pci: pd.Series
    coi: pd.Series
    cog: pd.DataFrame
    density: pd.DataFrame
    proximity: pd.DataFrame
    rca: pd.DataFrame
    M: pd.DataFrame
    diversity: pd.Series
    ubiquity: pd.Series
    threshold: float
    eigenvalue: float
    n_components: int
    dropped_regions: tuple[object, ...] = ()
    dropped_industries: tuple[object, ...] = ()
    basis: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """Long table region × industry with the columns of ``ecomplexity.ecomplexity``.

        Columns: ``region, industry, rca, mcp, diversity, ubiquity, eci, pci, density, coi, cog``.
        """
        reg = self.rca.index
        ind = self.rca.columns
        nr, ni = len(reg), len(ind)
        return pd.DataFrame(
            {
                "region": np.repeat(reg.to_numpy(), ni),
                "industry": np.tile(ind.to_numpy(), nr),
                "rca": self.rca.to_numpy().ravel(),
                "mcp": self.M.to_numpy().ravel(),
                "diversity": np.repeat(self.diversity.to_numpy(), ni),
                "ubiquity": np.tile(self.ubiquity.to_numpy(), nr),
                "eci": np.repeat(self.eci.to_numpy(), ni),
                "pci": np.tile(self.pci.to_numpy(), nr),
                "density": self.density.to_numpy().ravel(),
                "coi": np.repeat(self.coi.to_numpy(), ni),
                "cog": self.cog.to_numpy().ravel(),
            }
        )


BASIS = (
    "ecomplexity 0.5.3 conventions (Hidalgo & Hausmann 2009; Atlas of Economic Complexity): "
    "M = [RCA ≥ threshold·(1−1e-9)]; second eigenvector of Mpp = (M/k_p)ᵀ(M/k_c); "
    "ECI z-score (ddof 0); PCI standardised with ECI's raw mean and sd; COI z-score; "
    "COG / sd(raw ECI)."
)


def _warn(notes: list[str], zh: str, en: str) -> None:
    msg = f"{zh} / {en}"
    notes.append(msg)
    warnings.warn(JiqunWarning(msg), stacklevel=3)


def complexity(X: pd.DataFrame, threshold: float = 1.0) -> ComplexityResult:
    """Economic complexity of regions and industries: ECI, PCI, COI, COG, density, proximity.

    Steps (ecomplexity 0.5.3, ``docs/METHODS.md`` §3):

    1. Regions and industries whose total in ``X`` is 0 are left out (ecomplexity does the same,
       silently); they come back as NaN in every output. A :class:`JiqunWarning` names them.
    2. ``RCA_ri = (X_ri/E_r)/(E_i/E)``; ``M_ri = 1`` if ``RCA_ri ≥ threshold`` within 1e-9 relative
       (see :func:`jiqun.analytics.rca.presence`; the peer compares exactly).
    3. ``k_r = Σ_i M_ri`` (diversity), ``u_i = Σ_r M_ri`` (ubiquity); proximity
       ``φ_ij = (MᵀM)_ij / max(u_i, u_j)`` with diagonal 1; density
       ``d_ri = Σ_j M_rj φ_ij / Σ_j φ_ij``.
    4. Regions with ``k_r = 0`` and industries with ``u_i = 0`` are excluded from ECI/PCI/COI/COG
       (NaN there, warning). ecomplexity instead returns NaN for *every* region and industry in
       that case; on inputs without such rows both agree.
    5. ``Mpp = (M/k_p)ᵀ·(M/k_c)`` (``M/k_c``: rows divided by diversity; ``M/k_p``: columns divided
       by ubiquity); ``kp`` = eigenvector of its second-largest eigenvalue; ``kc = (M/k_c)·kp``;
       ``s = sign(corr(k, kc))``. ``ECI = (s·kc − mean)/sd`` (ddof 0);
       ``PCI = (s·kp − mean(s·kc)) / sd(s·kc)``, so that ECI is the mean PCI of a region's
       industries.
    6. ``COI_r`` = z-score of ``Σ_i d_ri (1 − M_ri) s·kp_i``;
       ``COG_ri = (1 − M_ri) Σ_j (1 − M_rj) φ_ji s·kp_j / Σ_k φ_jk``, divided by ``sd(s·kc)``.

    When the bipartite region–industry network has ``c > 1`` connected components the
    eigenvalue 1 of Mpp has multiplicity ``c`` and its eigenspace is spanned by the component
    indicators, so the "second eigenvector" only labels components: a warning says so
    (``n_components`` in the result). Jiqun deflates the trivial eigenvector, so ``kp`` always
    satisfies ``Σ_i u_i kp_i = 0`` (the property every second eigenvector of Mpp has on a
    connected network, where it is the left eigenvector ``u`` of eigenvalue 1); with two
    components this makes it unique, with more it is the first Lanczos/LAPACK vector of the
    remaining ``c − 1`` dimensions. ecomplexity takes ``np.linalg.eig``'s vector, which is
    non-zero on **one component only** (which one depends on the rounding of the tied
    eigenvalues). ECI/PCI are invariant to shifting ``kp`` and agree with two components; COI
    and COG are not (COG uses the raw ``kp`` without subtracting a mean), so they differ: the
    peer's COG is 0 in every column outside its chosen component (e.g. an isolated industry's
    column), Jiqun's is not; with two components A (the peer's) and B it is ``(U_A + U_B)/U_B``
    times Jiqun's in A's columns (``U`` = number of ``M = 1`` cells). This divergence is kept on purpose: the peer's values are an
    artefact of eigenvalue ties, ours continue the connected-network convention; neither
    measures complexity there (``docs/METHODS.md`` §3).

    The eigenvector is computed from the symmetric matrix ``D_u^{-1/2} Mᵀ D_k⁻¹ M D_u^{-1/2}``
    (similar to Mpp) by Lanczos iteration to a residual of 1e-14; outputs are invariant to the eigenvector's scale, so
    they equal ecomplexity's to rounding (≈1e-12).

    References: Hidalgo & Hausmann (2009) PNAS 106(26); Hidalgo et al. (2007) Science 317;
    Hausmann et al., *Atlas of Economic Complexity* (2014); ecomplexity 0.5.3
    ``ecomplexity``; EconGeo 2.0 ``kci``/``tci`` (same eigenvector, other scaling).

    Parameters
    ----------
    X:
        Region × industry matrix, values ``≥ 0`` (validated with
        :func:`jiqun.analytics.rca.check_matrix`).
    threshold:
        RCA threshold for presence (default 1).

    Returns
    -------
    ComplexityResult
        ECI, PCI, COI, COG, density, proximity, RCA, M, diversity, ubiquity and metadata.

    Example
    -------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> X = pd.DataFrame(rng.lognormal(size=(30, 20)))
    >>> res = complexity(X)
    >>> abs(float(res.eci.mean())) < 1e-12, round(float(res.eci.std(ddof=0)), 12)
    (True, 1.0)
    """
    notes: list[str] = []
    threshold = float(threshold)
    arr_full = validated_array(X, "X")
    regions, industries = X.index, X.columns

    # 1. all-zero rows / columns (as ecomplexity create_full_df)
    row_tot = arr_full.sum(axis=1)
    col_tot = arr_full.sum(axis=0)
    rk = row_tot > 0
    ck = col_tot > 0
    dropped_r: list[object] = list(regions[~rk])
    dropped_i: list[object] = list(industries[~ck])
    if dropped_r or dropped_i:
        warn_dropped(dropped_r, dropped_i, "全为 0（结果为 NaN）", "all-zero (results NaN)", 3)
        notes.append(f"dropped all-zero: {len(dropped_r)} regions, {len(dropped_i)} industries")
        if not rk.any():
            raise JiqunError("矩阵 X 全为 0", "matrix X is all zero")
        arr = np.ascontiguousarray(arr_full[np.ix_(rk, ck)])
        row_tot = arr.sum(axis=1)  # re-summed: same rounding as ecomplexity on the reduced data
        col_tot = arr.sum(axis=0)
    else:
        arr = arr_full
    del arr_full

    # 2. RCA and presence (E = Σ_i E_i, as ecomplexity)
    rca = lq_array(arr, col_tot, float(col_tot.sum()), row_total=row_tot, inplace=True)
    del arr
    with np.errstate(invalid="ignore"):
        Mb = rca >= presence_cut(threshold)
    M = Mb.astype(np.float64)
    k = M.sum(axis=1)
    u = M.sum(axis=0)

    # 3. proximity and density
    C = _gram(Mb)
    phi = _proximity_array(C, u)
    phi_rowsum = phi.sum(axis=1)

    # 4. valid sub-network
    kr_reg = regions[rk]
    kr_ind = industries[ck]
    vr = k > 0
    vi = u > 0
    if not vr.all() or not vi.all():
        zr, zi = list(kr_reg[~vr]), list(kr_ind[~vi])
        parts_zh = []
        parts_en = []
        if zr:
            parts_zh.append(f"{len(zr)} 个地区多样性为 0：{fmt_labels(zr)}")
            parts_en.append(f"{len(zr)} region(s) with diversity 0: {fmt_labels(zr)}")
        if zi:
            parts_zh.append(f"{len(zi)} 个产业普遍性为 0：{fmt_labels(zi)}")
            parts_en.append(f"{len(zi)} industr(y/ies) with ubiquity 0: {fmt_labels(zi)}")
        _warn(
            notes,
            "ECI/PCI/COI/COG 不含" + "；".join(parts_zh) + "（结果为 NaN）",
            "ECI/PCI/COI/COG exclude " + "; ".join(parts_en) + " (results NaN)",
        )
        dropped_r += zr
        dropped_i += zi
    all_valid = bool(vr.all() and vi.all())
    Mv = M if all_valid else M[np.ix_(vr, vi)]
    Mbv = Mb if all_valid else Mb[np.ix_(vr, vi)]
    kv, uv = k[vr], u[vi]
    n_r, n_i = Mv.shape

    eci_v = np.full(n_r, np.nan)
    pci_v = np.full(n_i, np.nan)
    coi_v = np.full(n_r, np.nan)
    cog_v = None
    eigenvalue = np.nan
    n_comp = 0
    B = None
    if n_r >= 2 and n_i >= 2:
        Cv = C if vi.all() else C[np.ix_(vi, vi)]
        n_comp = int(
            connected_components(
                scipy.sparse.csr_array(Cv > 0), directed=False, return_labels=False
            )
        )
        if n_comp > 1:
            _warn(
                notes,
                f"地区–产业二部网络不连通（{n_comp} 个连通分量）：第二特征向量只标记分量，"
                "ECI/PCI 不反映复杂度；COI/COG 取决于特征值 1 的简并特征空间中选哪个向量，"
                "本系统取满足 Σ 普遍性·kp = 0 的向量，与 ecomplexity 不同（后者取 LAPACK "
                "给出的只在一个分量上非零的向量，其余分量的列 COG 为 0）",
                f"the bipartite region–industry network is disconnected ({n_comp} components): "
                "the second eigenvector only labels a component; ECI/PCI do not measure "
                "complexity; COI/COG depend on which vector of the degenerate eigenvalue-1 "
                "eigenspace is used: Jiqun uses the one with Σ ubiquity·kp = 0, ecomplexity "
                "LAPACK's, which is non-zero on one component only (COG 0 in every other "
                "component's columns), so they differ",
            )
        buf = np.empty_like(Mv)  # holds M/√k for the eigenproblem, then the density
        eig = _eci_pci_raw(Mv, kv, uv, buf)
        eigenvalue = eig.eigenvalue
        mu, sd = eig.kc.mean(), eig.kc.std()
        if np.isfinite(sd) and sd > 1e-12 * max(1.0, float(np.abs(eig.kc).max())):
            if eig.sign_rule != "corr(diversity, kc)":
                _warn(
                    notes,
                    f"多样性为常数，ECI 方向按 {eig.sign_rule} 确定（ecomplexity 此时全部为 NaN）",
                    f"diversity is constant; ECI sign fixed by {eig.sign_rule} (ecomplexity "
                    "gives NaN everywhere here)",
                )
            eci_v = (eig.kc - mu) / sd
            pci_v = (eig.kp - mu) / sd
            phi_v = phi if vi.all() else phi[np.ix_(vi, vi)]
            # COG kernel B_ji = φ_ji · s·kp_j / Σ_k φ_jk, pre-divided by sd(s·kc)
            B = phi_v * (eig.kp / (phi_rowsum[vi] * sd))[:, np.newaxis]
        else:
            _warn(
                notes,
                "ECI 的特征向量在各地区上为常数（例如所有地区结构相同），ECI/PCI/COI/COG 无定义",
                "the ECI eigenvector is constant across regions (e.g. every region has the same "
                "structure): ECI/PCI/COI/COG undefined",
            )
    else:
        _warn(
            notes,
            "有效地区或产业少于 2 个，无法计算 ECI/PCI",
            "fewer than 2 valid regions or industries: ECI/PCI undefined",
        )

    dens = buf if (B is not None and all_valid) else _touched(M.shape)
    _density_array(M, phi, out=dens)
    if B is not None:
        dv = dens if all_valid else dens[np.ix_(vr, vi)]
        with np.errstate(divide="ignore", invalid="ignore"):
            coi_v = _zscore(_masked_rowdot(dv, Mbv, eig.kp))
        # COG = (1 − M) ⊙ ((1 − M) @ B), with (1 − M) @ B = colsum(B) − M @ B
        cog_v = np.matmul(Mv, B, out=_touched(Mv.shape))
        np.subtract(B.sum(axis=0)[np.newaxis, :], cog_v, out=cog_v)
        np.copyto(cog_v, 0.0, where=Mbv)

    # assemble, reindexing to the input labels (NaN for everything dropped)
    def kept_frame(
        a: np.ndarray, rows: pd.Index, cols: pd.Index, rmask: np.ndarray, cmask: np.ndarray
    ) -> pd.DataFrame:
        if rmask.all() and cmask.all():
            return pd.DataFrame(a, index=rows, columns=cols.copy(), copy=False)
        out = np.full((len(rows), len(cols)), np.nan)
        out[np.ix_(np.flatnonzero(rmask), np.flatnonzero(cmask))] = a
        return pd.DataFrame(out, index=rows, columns=cols.copy(), copy=False)

    rk_v = rk.copy()
    rk_v[np.flatnonzero(rk)[~vr]] = False
    ck_v = ck.copy()
    ck_v[np.flatnonzero(ck)[~vi]] = False

    def kept_vec(v: np.ndarray, labels: pd.Index, mask: np.ndarray, name: str) -> pd.Series:
        if mask.all():
            return pd.Series(v, index=labels, name=name)
        out = np.full(len(labels), np.nan)
        out[mask] = v
        return pd.Series(out, index=labels, name=name)

    return ComplexityResult(
        eci=kept_vec(eci_v, regions, rk_v, "eci"),
        pci=kept_vec(pci_v, industries, ck_v, "pci"),
        coi=kept_vec(coi_v, regions, rk_v, "coi"),
        cog=kept_frame(
            np.full((n_r, n_i), np.nan) if cog_v is None else cog_v,
            regions,
            industries,
            rk_v,
            ck_v,
        ),
        density=kept_frame(dens, regions, industries, rk, ck),
        proximity=kept_frame(phi, industries, industries, ck, ck),
        rca=kept_frame(rca, regions, industries, rk, ck),
        M=kept_frame(M, regions, industries, rk, ck),
        diversity=kept_vec(k, regions, rk, "diversity"),
        ubiquity=kept_vec(u, industries, ck, "ubiquity"),
        threshold=threshold,
        eigenvalue=eigenvalue,
        n_components=n_comp,
        dropped_regions=tuple(dropped_r),
        dropped_industries=tuple(dropped_i),
        basis=BASIS,
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------------------------
# method of reflections
# --------------------------------------------------------------------------------------------


def method_of_reflections(
    X: pd.DataFrame,
    steps: int = 20,
    threshold: float = 1.0,
    is_presence: bool | None = None,
) -> tuple[pd.Series, pd.Series]:
    """Method of reflections (Hidalgo & Hausmann 2009), EconGeo ``morc``/``mort`` conventions.

    ``k_{r,0} = Σ_i M_ri`` (diversity), ``k_{i,0} = Σ_r M_ri`` (ubiquity) and for ``N ≥ 1``

    ``k_{r,N} = (1/k_{r,0}) Σ_i M_ri k_{i,N−1}``,   ``k_{i,N} = (1/k_{i,0}) Σ_r M_ri k_{r,N−1}``

    i.e. the mean over a region's industries (an industry's regions) of the previous step.
    Steps 1 and 2 are reported raw; **from step 3 on every step is min–max rescaled to 0–100**
    (``100·(x − min)/(max − min)``) before it feeds the next step — exactly as EconGeo 2.0
    ``morc``/``mort``. Even steps of the region vector (odd of the industry vector) are the
    "generalised diversity"; EconGeo's defaults are ``morc(steps = 20)``, ``mort(steps = 19)``.

    ``X`` may be a raw matrix (presence computed with ``threshold``, as EconGeo ``rca = TRUE``)
    or a presence matrix (rule of :func:`jiqun.analytics.rca.diversity`). Regions with zero
    diversity and industries with zero ubiquity are left out with a warning and returned as NaN
    (EconGeo drops all-zero rows and columns from its output). A step whose values are all equal
    cannot be rescaled and gives NaN (as EconGeo), with a warning.

    References: Hidalgo & Hausmann (2009) PNAS 106(26); Balland & Rigby (2017) Economic Geography
    93(1); EconGeo 2.0 ``morc``, ``mort``.

    Parameters
    ----------
    X:
        Region × industry matrix ``X`` or presence matrix ``M``.
    steps:
        Number of reflections N ≥ 0 (default 20).
    threshold, is_presence:
        How ``X`` is read, as in :func:`cooccurrence`.

    Returns
    -------
    tuple[pandas.Series, pandas.Series]
        ``(k_{r,N}, k_{i,N})``: regions and industries at step N (float64).

    Example
    -------
    >>> import pandas as pd
    >>> M = pd.DataFrame([[1, 1, 1, 1], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 1]],
    ...                  index=["C1", "C2", "C3", "C4"], columns=["P1", "P2", "P3", "P4"])
    >>> kc, kp = method_of_reflections(M, steps=1)
    >>> kc.tolist(), kp.round(4).tolist()
    ([2.0, 2.0, 2.5, 3.0], [4.0, 2.5, 3.0, 2.3333])
    """
    steps = int(steps)
    if steps < 0:
        raise JiqunError(f"steps 必须 ≥ 0，收到 {steps}", f"steps must be ≥ 0, got {steps}")
    Mdf, M = _presence_float(X, threshold, is_presence)
    k = M.sum(axis=1)
    u = M.sum(axis=0)
    vr, vi = k > 0, u > 0
    if not vr.all() or not vi.all():
        warn_dropped(
            list(Mdf.index[~vr]),
            list(Mdf.columns[~vi]),
            "多样性或普遍性为 0（结果为 NaN）",
            "zero diversity or ubiquity (results NaN)",
            3,
        )
    Mv = M[vr][:, vi]
    kv, uv = k[vr], u[vi]
    kc, kp = kv.copy(), uv.copy()

    def rescale(x: np.ndarray) -> np.ndarray:
        lo, hi = np.nanmin(x), np.nanmax(x)
        if not hi > lo:
            warnings.warn(
                JiqunWarning(
                    "反射法某一步的值全部相同，无法缩放到 0–100（结果为 NaN） / all values of a "
                    "reflection step are equal; cannot rescale to 0–100 (results NaN)"
                ),
                stacklevel=4,
            )
            return np.full_like(x, np.nan)
        return (x - lo) / (hi - lo) * 100.0

    if Mv.size:
        for n in range(1, steps + 1):
            kc_new = (Mv @ kp) / kv
            kp_new = (Mv.T @ kc) / uv
            if n >= 3:
                kc_new, kp_new = rescale(kc_new), rescale(kp_new)
            kc, kp = kc_new, kp_new
    out_r = np.full(len(Mdf.index), np.nan)
    out_r[vr] = kc
    out_i = np.full(len(Mdf.columns), np.nan)
    out_i[vi] = kp
    return (
        pd.Series(out_r, index=Mdf.index, name=f"mor_region_{steps}"),
        pd.Series(out_i, index=Mdf.columns, name=f"mor_industry_{steps}"),
    )
