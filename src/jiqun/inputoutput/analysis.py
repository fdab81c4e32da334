"""Demand- and supply-side input–output analysis: coefficients, inverses, multipliers, linkages.

Pure functions on labelled :class:`pandas.DataFrame` / :class:`pandas.Series`: sector labels go
in and come out unchanged. Conventions follow Miller & Blair (2009) and agree with **pymrio**
(``pymrio.calc_A``, ``calc_B``, ``calc_L``, ``calc_G``): ``Z`` is intermediate use with the
*selling* sector in rows and the *buying* sector in columns; ``x`` is gross output.

References
----------
- Miller, R. E. & Blair, P. D. (2009). *Input–Output Analysis: Foundations and Extensions*,
  2nd ed., Cambridge University Press: ch. 2 (A, L), ch. 6 (multipliers), ch. 12 (Ghosh, §12.1;
  linkages and key sectors, §12.2; hypothetical extraction, §12.2.5).
- Rasmussen, P. N. (1956). *Studies in Inter-Sectoral Relations*. North-Holland.
- Hirschman, A. O. (1958). *The Strategy of Economic Development*. Yale University Press.
- Dietzenbacher, E., van der Linden, J. A. & Steenge, A. E. (1993). The regional extraction
  method: EC input–output comparisons. *Economic Systems Research* 5(2), 185–206.
- Stadler, K. (2021). Pymrio – a Python based multi-regional input-output analysis toolbox.
  *Journal of Open Research Software* 9(1), 8.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from jiqun.errors import JiqunError
from jiqun.standard.datafiles import section

__all__ = [
    "KEY_SECTOR_CLASSES",
    "allocation_coefficients",
    "coefficients",
    "ghosh_inverse",
    "hypothetical_extraction",
    "key_sectors",
    "leontief_inverse",
    "linkages",
    "output_multipliers",
]

#: Key-sector classes (Miller & Blair 2009, §12.2.4, Table 12.2): code → (zh, en).
KEY_SECTOR_CLASSES: dict[str, tuple[str, str]] = section(
    "labels.yaml", "key_sector_classes", "jiqun.inputoutput"
)


def _square(m: pd.DataFrame, what: str) -> None:
    if m.shape[0] != m.shape[1]:
        raise JiqunError(f"{what} 必须是方阵", f"{what} must be square, got {m.shape}")


def _safe_recip(v: np.ndarray) -> np.ndarray:
    # zero output (a sector absent from a region) gives zero coefficients, as in pymrio
    out = np.zeros_like(v, dtype="float64")
    nz = v != 0
    out[nz] = 1.0 / v[nz]
    return out


def coefficients(Z: pd.DataFrame, x: pd.Series) -> pd.DataFrame:
    """Technical (input) coefficients ``A = Z·diag(x)⁻¹``, ``a_ij = z_ij / x_j``.

    ``a_ij`` is the value of inputs from sector ``i`` per unit of output of sector ``j``.
    Sectors with zero output get zero coefficients (pymrio ``calc_A`` does the same).

    Parameters
    ----------
    Z:
        Intermediate flows, seller rows × buyer columns.
    x:
        Gross output, indexed like ``Z``'s columns.

    Returns
    -------
    pandas.DataFrame
        ``A`` with ``Z``'s labels.

    References
    ----------
    Miller & Blair (2009), §2.2, eq. (2.4); pymrio ``calc_A``.

    Example
    -------
    >>> Z = pd.DataFrame([[150, 500], [200, 100]], index=["1", "2"], columns=["1", "2"])
    >>> x = pd.Series([1000, 2000], index=["1", "2"])
    >>> coefficients(Z, x).round(3).values.tolist()
    [[0.15, 0.25], [0.2, 0.05]]
    """
    _square(Z, "Z")
    xv = x.reindex(Z.columns).to_numpy(dtype="float64")
    return pd.DataFrame(
        Z.to_numpy(dtype="float64") * _safe_recip(xv)[None, :], index=Z.index, columns=Z.columns
    )


def allocation_coefficients(Z: pd.DataFrame, x: pd.Series) -> pd.DataFrame:
    """Allocation (output) coefficients ``B = diag(x)⁻¹·Z``, ``b_ij = z_ij / x_i``.

    ``b_ij`` is the share of sector ``i``'s output sold to sector ``j`` as an intermediate input
    (the supply-side model of Ghosh).

    Parameters
    ----------
    Z:
        Intermediate flows, seller rows × buyer columns.
    x:
        Gross output, indexed like ``Z``'s rows.

    Returns
    -------
    pandas.DataFrame
        ``B`` with ``Z``'s labels.

    References
    ----------
    Miller & Blair (2009), §12.1.1, eq. (12.1); pymrio ``calc_B``.

    Example
    -------
    >>> Z = pd.DataFrame([[150, 500], [200, 100]], index=["1", "2"], columns=["1", "2"])
    >>> x = pd.Series([1000, 2000], index=["1", "2"])
    >>> allocation_coefficients(Z, x).round(3).values.tolist()
    [[0.15, 0.5], [0.1, 0.05]]
    """
    _square(Z, "Z")
    xv = x.reindex(Z.index).to_numpy(dtype="float64")
    return pd.DataFrame(
        Z.to_numpy(dtype="float64") * _safe_recip(xv)[:, None], index=Z.index, columns=Z.columns
    )


def _inverse(M: pd.DataFrame, what: str) -> pd.DataFrame:
    _square(M, what)
    eye = np.eye(M.shape[0])
    try:
        inv = np.linalg.inv(eye - M.to_numpy(dtype="float64"))
    except np.linalg.LinAlgError as e:
        raise JiqunError(
            f"I − {what} 不可逆（系数矩阵不满足生产性条件）",
            f"I − {what} is singular (the coefficient matrix is not productive)",
        ) from e
    return pd.DataFrame(inv, index=M.index, columns=M.columns)


def leontief_inverse(A: pd.DataFrame) -> pd.DataFrame:
    """Leontief inverse ``L = (I − A)⁻¹`` (total requirements matrix).

    ``l_ij`` is the output of sector ``i`` needed, directly and indirectly, per unit of final
    demand for sector ``j``; ``x = L·f``.

    Parameters
    ----------
    A:
        Technical coefficients (:func:`coefficients`).

    Returns
    -------
    pandas.DataFrame
        ``L`` with ``A``'s labels.

    Raises
    ------
    JiqunError
        When ``I − A`` is singular.

    References
    ----------
    Miller & Blair (2009), §2.3, eq. (2.11); pymrio ``calc_L``.

    Example
    -------
    >>> A = pd.DataFrame([[0.15, 0.25], [0.2, 0.05]], index=["1", "2"], columns=["1", "2"])
    >>> leontief_inverse(A).round(4).values.tolist()
    [[1.2541, 0.33], [0.264, 1.1221]]
    """
    return _inverse(A, "A")


def ghosh_inverse(B: pd.DataFrame) -> pd.DataFrame:
    """Ghosh inverse ``G = (I − B)⁻¹`` (supply-side total requirements).

    ``g_ij`` is the output of sector ``j`` that depends, directly and indirectly, on one unit of
    primary input (value added) in sector ``i``; ``x' = v'·G``. Equivalently
    ``G = diag(x)⁻¹·L·diag(x)``.

    Parameters
    ----------
    B:
        Allocation coefficients (:func:`allocation_coefficients`).

    Returns
    -------
    pandas.DataFrame
        ``G`` with ``B``'s labels.

    References
    ----------
    Miller & Blair (2009), §12.1.2, eq. (12.7); pymrio ``calc_G``.

    Example
    -------
    >>> B = pd.DataFrame([[0.15, 0.5], [0.1, 0.05]], index=["1", "2"], columns=["1", "2"])
    >>> ghosh_inverse(B).round(4).values.tolist()
    [[1.2541, 0.6601], [0.132, 1.1221]]
    """
    return _inverse(B, "B")


def output_multipliers(L: pd.DataFrame) -> pd.Series:
    """Simple output multipliers: column sums of the Leontief inverse, ``m_j = Σ_i l_ij``.

    The total output of all sectors generated by one unit of final demand for sector ``j``
    (type I, households exogenous).

    Parameters
    ----------
    L:
        Leontief inverse (:func:`leontief_inverse`).

    Returns
    -------
    pandas.Series
        Indexed by ``L``'s columns, named ``output_multiplier``.

    References
    ----------
    Miller & Blair (2009), §6.2.1, eq. (6.4); pymrio: ``L.sum(axis=0)`` (pymrio computes
    multipliers of satellite accounts, ``calc_M``, not this simple sum).

    Example
    -------
    >>> L = pd.DataFrame([[1.254, 0.33], [0.264, 1.1221]], index=["1", "2"], columns=["1", "2"])
    >>> output_multipliers(L).round(3).tolist()
    [1.518, 1.452]
    """
    _square(L, "L")
    return L.sum(axis=0).rename("output_multiplier")


def linkages(L: pd.DataFrame, G: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rasmussen–Hirschman backward and forward linkage indices, normalised to mean 1.

    *Backward* (power of dispersion, 影响力系数): ``BL_j = (Σ_i l_ij) / ((1/n) Σ_ij l_ij)``.
    *Forward* (sensitivity of dispersion, 感应度系数):

    - when ``G`` is given (recommended, Miller & Blair 2009 §12.2.2): row sums of the
      **Ghosh** inverse, ``FL_i = (Σ_j g_ij) / ((1/n) Σ_ij g_ij)``;
    - else the traditional Rasmussen index from row sums of the **Leontief** inverse,
      ``FL_i = (Σ_j l_ij) / ((1/n) Σ_ij l_ij)`` (as in most Chinese textbooks' 感应度系数).

    The column ``forward_basis`` says which was used. A value above 1 means the sector's
    linkage is above the economy's average.

    Parameters
    ----------
    L:
        Leontief inverse.
    G:
        Ghosh inverse, optional.

    Returns
    -------
    pandas.DataFrame
        Indexed by sector: ``backward``, ``forward``, ``backward_raw`` (column sums of ``L``),
        ``forward_raw`` (row sums of ``G`` or ``L``), ``forward_basis`` (``ghosh``|``leontief``).

    References
    ----------
    Rasmussen (1956); Hirschman (1958); Miller & Blair (2009), §12.2.1–12.2.3. pymrio has no
    linkage function; these are computed from its ``L`` and ``G`` in the tests.

    Example
    -------
    >>> L = pd.DataFrame([[1.254, 0.33], [0.264, 1.1221]], index=["1", "2"], columns=["1", "2"])
    >>> linkages(L)[["backward", "forward"]].round(3).values.tolist()
    [[1.022, 1.067], [0.978, 0.933]]
    """
    _square(L, "L")
    n = L.shape[0]
    col = L.sum(axis=0)
    back = col / (col.sum() / n)
    if G is not None:
        _square(G, "G")
        row = G.sum(axis=1).reindex(L.index)
        basis = "ghosh"
    else:
        row = L.sum(axis=1)
        basis = "leontief"
    fwd = row / (row.sum() / n)
    return pd.DataFrame(
        {
            "backward": back.reindex(L.index),
            "forward": fwd,
            "backward_raw": col.reindex(L.index),
            "forward_raw": row,
            "forward_basis": basis,
        },
        index=L.index,
    )


def key_sectors(
    L: pd.DataFrame | None = None,
    G: pd.DataFrame | None = None,
    *,
    linkage_table: pd.DataFrame | None = None,
    threshold: float = 1.0,
) -> pd.DataFrame:
    """Classify sectors by their normalised linkages (key sector = both above ``threshold``).

    =========================  ===========  ==========
    class                      backward     forward
    =========================  ===========  ==========
    ``key`` 关键部门           > 1          > 1
    ``backward`` 后向关联型     > 1          ≤ 1
    ``forward`` 前向关联型      ≤ 1          > 1
    ``weak`` 弱关联             ≤ 1          ≤ 1
    =========================  ===========  ==========

    Parameters
    ----------
    L, G:
        As in :func:`linkages` (forward from Ghosh when ``G`` is given).
    linkage_table:
        A result of :func:`linkages` instead of ``L``/``G``.
    threshold:
        Cut-off on both normalised indices (1 = economy average).

    Returns
    -------
    pandas.DataFrame
        The :func:`linkages` columns plus ``class``, ``class_zh``, ``class_en``.

    References
    ----------
    Miller & Blair (2009), §12.2.4 (Table 12.2); Hirschman (1958). pymrio has no key-sector
    classification.

    Example
    -------
    >>> L = pd.DataFrame([[1.254, 0.33], [0.264, 1.1221]], index=["1", "2"], columns=["1", "2"])
    >>> key_sectors(L)["class"].tolist()
    ['key', 'weak']
    """
    if linkage_table is None:
        if L is None:
            raise JiqunError("需要 L 或 linkage_table", "need L or linkage_table")
        linkage_table = linkages(L, G)
    out = linkage_table.copy()
    b = out["backward"] > threshold
    f = out["forward"] > threshold
    cls = np.select([b & f, b & ~f, ~b & f], ["key", "backward", "forward"], default="weak")
    out["class"] = cls
    out["class_zh"] = [KEY_SECTOR_CLASSES[c][0] for c in cls]
    out["class_en"] = [KEY_SECTOR_CLASSES[c][1] for c in cls]
    return out


def hypothetical_extraction(
    Z: pd.DataFrame,
    Y: pd.DataFrame | pd.Series,
    sectors: Iterable[str],
    *,
    x: pd.Series | None = None,
    mode: str = "full",
) -> pd.DataFrame:
    """Hypothetical extraction: the output the economy loses if ``sectors`` were removed.

    With ``A = Z·diag(x)⁻¹`` and final demand ``f = Y·i``:

    - ``mode="full"`` (Miller & Blair 2009, §12.2.5 — Strassert/Schultz): rows and columns of
      the extracted sectors are deleted from ``A`` and their final demand from ``f``;
      ``x̄ = (I − Ā)⁻¹ f̄``. The loss ``i'x − i'x̄`` includes the extracted sectors' own output.
    - ``mode="backward"`` (Dietzenbacher et al. 1993): the extracted sectors buy no
      intermediate inputs (their **columns** of ``A`` are zero), ``f`` kept; the loss is their
      backward linkage.
    - ``mode="forward"`` (Dietzenbacher et al. 1993, Ghosh): they sell no intermediate inputs
      (their **rows** of ``B`` are zero), value added ``v' = x' − i'Z`` kept; ``x̄' = v'(I − B̄)⁻¹``.

    Parameters
    ----------
    Z:
        Intermediate flows (seller rows × buyer columns).
    Y:
        Final demand (a column or several; they are summed). For a competitive-import table
        pass final demand net of imports so that ``x = Z·i + f`` (see
        :meth:`jiqun.inputoutput.IOTable.domestic_flows`).
    sectors:
        Labels of the sectors to extract (jointly).
    x:
        Gross output; default ``Z·i + f``.
    mode:
        ``"full"``, ``"backward"`` or ``"forward"``.

    Returns
    -------
    pandas.DataFrame
        Indexed by sector: ``output`` (``x``), ``output_after`` (``x̄``), ``loss``
        (``x − x̄``) and ``loss_share`` (``loss / x``). ``attrs["total_loss"]`` and
        ``attrs["total_loss_share"]`` hold the economy-wide loss.

    Raises
    ------
    JiqunError
        When a sector label is not in ``Z`` or ``mode`` is unknown.

    References
    ----------
    Miller & Blair (2009), §12.2.5; Dietzenbacher, van der Linden & Steenge (1993). pymrio has
    no extraction function; the tests compare with ``pymrio.calc_L`` on the reduced matrix.

    Example
    -------
    >>> Z = pd.DataFrame([[150, 500], [200, 100]], index=["1", "2"], columns=["1", "2"])
    >>> f = pd.Series([350, 1700], index=["1", "2"])
    >>> he = hypothetical_extraction(Z, f, ["1"])
    >>> round(he.attrs["total_loss"], 1), round(float(he.loc["2", "output_after"]), 1)
    (1210.5, 1789.5)
    """
    _square(Z, "Z")
    ext = [str(s) for s in sectors]
    unknown = [s for s in ext if s not in Z.index]
    if unknown:
        raise JiqunError(f"未知部门：{unknown}", f"unknown sectors: {unknown}")
    f = Y.sum(axis=1) if isinstance(Y, pd.DataFrame) else Y
    f = f.reindex(Z.index).astype("float64")
    xv = (Z.sum(axis=1) + f) if x is None else x.reindex(Z.index).astype("float64")
    mask = Z.index.isin(ext)
    zv = Z.to_numpy(dtype="float64")
    n = len(Z)
    if mode in ("full", "backward"):
        A = zv * _safe_recip(xv.to_numpy())[None, :]
        fb = f.to_numpy().copy()
        if mode == "full":
            A[mask, :] = 0.0
            A[:, mask] = 0.0
            fb[mask] = 0.0
        else:
            A[:, mask] = 0.0
        after = np.linalg.solve(np.eye(n) - A, fb)
    elif mode == "forward":
        B = zv * _safe_recip(xv.to_numpy())[:, None]
        v = xv.to_numpy() - zv.sum(axis=0)
        B[mask, :] = 0.0
        after = np.linalg.solve((np.eye(n) - B).T, v)
    else:
        raise JiqunError(f"未知的抽取方式 {mode}", f"unknown extraction mode {mode}")
    out = pd.DataFrame({"output": xv, "output_after": after}, index=Z.index)
    out["loss"] = out["output"] - out["output_after"]
    out["loss_share"] = out["loss"] / out["output"].where(out["output"] != 0)
    total = float(out["output"].sum())
    out.attrs["total_loss"] = float(out["loss"].sum())
    out.attrs["total_loss_share"] = out.attrs["total_loss"] / total if total else float("nan")
    out.attrs["mode"] = mode
    out.attrs["extracted"] = ext
    return out
