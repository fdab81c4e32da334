"""Regional growth decomposition: shift-share analysis (Dunn; Esteban-Marquillas).

Notation (``docs/METHODS.md`` §4): ``e_ri1``, ``e_ri2`` = employment of industry i in region r at
the start and end; ``e_r1 = Σ_i e_ri1``; ``E_i1``, ``E_i2`` = national employment of industry i
(``reference_start`` / ``reference_end``, default the column sums of ``X_start`` / ``X_end``);
``E1 = Σ_i E_i1``, ``E2 = Σ_i E_i2``; national industry growth ``G_i = E_i2/E_i1 − 1``, regional
industry growth ``g_ri = e_ri2/e_ri1 − 1``.

References
----------
- Dunn, E. S. (1960). A statistical and analytical technique for regional analysis. *Papers and
  Proceedings of the Regional Science Association* 6, 97–112.
- Esteban-Marquillas, J. M. (1972). A reinterpretation of shift-share analysis. *Regional and
  Urban Economics* 2(3), 249–255.
- Farhauer, O. & Kröll, A. (2013). *Standorttheorien*. Springer Gabler.
- Peer: REAT 3.0.3 ``shift(e_ij1, e_ij2, e_i1, e_i2, shift.method = "Dunn")``.
"""

from __future__ import annotations

import warnings
from typing import Literal

import numpy as np
import pandas as pd

from jiqun.analytics.rca import (
    JiqunWarning,
    check_matrix,
    fmt_cells,
    fmt_labels,
    reference_totals,
    warn_labels,
)
from jiqun.standard.problems import JiqunError

__all__ = ["shift_share"]


def _aligned(X_start: pd.DataFrame, X_end: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    A = check_matrix(X_start, name="X_start")
    B = check_matrix(X_end, name="X_end")
    for what_zh, what_en, ia, ib in (
        ("地区（行）", "regions (rows)", A.index, B.index),
        ("产业（列）", "industries (columns)", A.columns, B.columns),
    ):
        if not ia.equals(ib):
            only_a = ia.difference(ib, sort=False)
            only_b = ib.difference(ia, sort=False)
            if len(only_a) or len(only_b):
                raise JiqunError(
                    f"X_start 与 X_end 的{what_zh}必须相同：仅在期初 {fmt_labels(list(only_a))}；"
                    f"仅在期末 {fmt_labels(list(only_b))}（请先补 0 对齐）",
                    f"X_start and X_end must have the same {what_en}: only at start "
                    f"{fmt_labels(list(only_a))}; only at end {fmt_labels(list(only_b))} "
                    "(reindex with 0 first)",
                )
    return A, B.reindex(index=A.index, columns=A.columns)


def shift_share(
    X_start: pd.DataFrame,
    X_end: pd.DataFrame,
    method: Literal["dunn", "esteban"] = "dunn",
    reference_start: pd.Series | None = None,
    reference_end: pd.Series | None = None,
) -> pd.DataFrame:
    """Shift-share decomposition of each region's employment change.

    **Dunn (1960)**, ``method="dunn"`` (one row per region):

    - ``growth = e_r2 − e_r1``
    - ``national_share = e_r1·(E2/E1) − e_r1`` (growth had the region grown like the nation);
    - ``industry_mix = Σ_i e_ri1·E_i2/E_i1 − e_r1·E2/E1`` (its industries grew faster/slower
      than the nation; 结构分量);
    - ``regional_shift = Σ_i e_ri1·(e_ri2/e_ri1 − E_i2/E_i1) = Σ_i (e_ri2 − e_ri1·E_i2/E_i1)``
      (its industries grew faster/slower here than nationally; 竞争力分量);
    - ``net_total_shift = industry_mix + regional_shift``;

    so that ``growth = national_share + industry_mix + regional_shift`` exactly (up to rounding).
    The Chinese textbook per-industry split (份额/结构/竞争力分量) sums to the same totals.

    **Esteban-Marquillas (1972)**, ``method="esteban"`` adds the split of ``regional_shift`` with the
    homothetic employment ``e*_ri = e_r1·E_i1/E1`` (what region r would employ in i with the
    national structure):

    - ``competitive = Σ_i e*_ri·(g_ri − G_i)`` (the pure competitive effect);
    - ``allocation = Σ_i (e_ri1 − e*_ri)·(g_ri − G_i)`` (specialisation in industries where the
      region is competitive);

    ``competitive + allocation = regional_shift``. A cell with ``e_ri1 = 0 < e_ri2`` (an industry
    new to the region) has an undefined ``g_ri``; its whole contribution ``e_ri2`` to the regional
    shift cannot be split and is reported in the extra column ``new_activity``, with a
    ``JiqunWarning`` naming the cells, so that ``competitive + allocation + new_activity =
    regional_shift`` always holds.

    Peer convention: REAT 3.0.3 ``shift(e_ij1, e_ij2, e_i1, e_i2, shift.method = "Dunn")``, whose
    rows "Growth", "National share", "Industrial mix", "Regional share", "Net total shift" are the
    columns here. REAT writes the regional shift as ``Σ e_ij1·(e_ij2/e_ij1 − e_i2/e_i1)``, which is
    NaN in R when some ``e_ij1 = 0``; Jiqun uses the algebraically equal form
    ``Σ (e_ij2 − e_ij1·E_i2/E_i1)``, defined everywhere.

    Undefined cases: an industry with ``E_i1 = 0`` (absent nationally at the start) has no
    national growth rate; it contributes 0 to ``industry_mix`` and its whole end employment goes
    to ``regional_shift`` — with a ``JiqunWarning`` naming it.

    Parameters
    ----------
    X_start, X_end:
        Region × industry employment at the start and the end, with the same regions and
        industries (any order; ``X_end`` is aligned to ``X_start``).
    method:
        ``"dunn"`` or ``"esteban"``.
    reference_start, reference_end:
        Optional national totals per industry (Series indexed by the industries); default the
        column sums of ``X_start`` / ``X_end``.

    Returns
    -------
    pandas.DataFrame
        One row per region: ``start``, ``end``, ``growth``, ``national_share``, ``industry_mix``,
        ``regional_shift``, ``net_total_shift`` (+ ``competitive``, ``allocation``,
        ``new_activity`` for ``"esteban"``).

    References
    ----------
    Dunn (1960); Esteban-Marquillas (1972); REAT 3.0.3 ``shift``.

    Example
    -------
    >>> import pandas as pd
    >>> X1 = pd.DataFrame({"a": [10.0, 10.0], "b": [10.0, 30.0]}, index=["r1", "r2"])
    >>> X2 = pd.DataFrame({"a": [20.0, 10.0], "b": [10.0, 30.0]}, index=["r1", "r2"])
    >>> ss = shift_share(X1, X2)  # E1 = 60, E2 = 70; E_a2/E_a1 = 1.5, E_b2/E_b1 = 1
    >>> ss.loc["r1", ["growth", "national_share", "industry_mix", "regional_shift"]].round(4).tolist()
    [10.0, 3.3333, 1.6667, 5.0]
    """
    if method not in ("dunn", "esteban"):
        raise JiqunError(
            f"method 必须是 'dunn' 或 'esteban'，收到 {method!r}",
            f"method must be 'dunn' or 'esteban', got {method!r}",
        )
    A, B = _aligned(X_start, X_end)
    Ei1, E1 = reference_totals(A, reference_start)
    Ei2, E2 = reference_totals(B, reference_end)
    if E1 <= 0:
        raise JiqunError("期初全国总量为 0", "national total at the start is 0")
    a, b = A.to_numpy(), B.to_numpy()
    er1, er2 = a.sum(axis=1), b.sum(axis=1)
    new_nat = Ei1 == 0
    if new_nat.any():
        warn_labels(
            "期初全国为 0 的产业没有全国增长率，其期末就业全部计入 regional_shift",
            "industries with national start total 0 have no national growth rate; their end "
            "employment goes entirely to regional_shift",
            list(A.columns[new_nat]),
        )
    ratio = np.where(new_nat, 0.0, Ei2 / np.where(new_nat, 1.0, Ei1))  # E_i2 / E_i1 (0 if new)
    expected = a * ratio  # e_ri1 · E_i2/E_i1
    national_share = er1 * (E2 / E1) - er1
    industry_mix = expected.sum(axis=1) - er1 * (E2 / E1)
    regional_shift = (b - expected).sum(axis=1)
    out = pd.DataFrame(
        {
            "start": er1,
            "end": er2,
            "growth": er2 - er1,
            "national_share": national_share,
            "industry_mix": industry_mix,
            "regional_shift": regional_shift,
            "net_total_shift": industry_mix + regional_shift,
        },
        index=A.index.copy(),
    )
    if method == "esteban":
        homothetic = er1[:, None] * (Ei1 / E1)[None, :]  # e*_ri = e_r1 · E_i1 / E1
        defined = a > 0
        with np.errstate(divide="ignore", invalid="ignore"):
            # g_ri − G_i = e_ri2/e_ri1 − E_i2/E_i1 on cells with e_ri1 > 0
            diff = np.where(defined, b / np.where(defined, a, 1.0) - ratio, 0.0)
        competitive = (homothetic * diff).sum(axis=1)
        allocation = ((a - homothetic) * diff).sum(axis=1)
        new_cells = ~defined & (b > 0)
        new_activity = np.where(new_cells, b, 0.0).sum(axis=1)
        if new_cells.any():
            warnings.warn(
                JiqunWarning(
                    f"期初为 0、期末为正的单元格无法拆分为竞争/配置效应，计入 new_activity："
                    f"{fmt_cells(B, new_cells)} / cells with start 0 and positive end cannot be "
                    f"split into competitive/allocation effects; reported as new_activity: "
                    f"{fmt_cells(B, new_cells)}"
                ),
                stacklevel=2,
            )
        out["competitive"] = competitive
        out["allocation"] = allocation
        out["new_activity"] = new_activity
    return out
