"""Cluster strength: US Cluster Mapping Project flags and European Cluster Observatory stars.

Both take **region × cluster** matrices (:class:`pandas.DataFrame`, regions as rows, clusters as
columns) and return a long table indexed by ``(region, cluster)``.

References
----------
- Delgado, M., Porter, M. E. & Stern, S. (2016). Defining clusters of related industries.
  *Journal of Economic Geography* 16(1), 1–38.
- U.S. Cluster Mapping Project (Harvard Business School, Institute for Strategy and
  Competitiveness), https://clustermapping.us — methodology of "strong clusters" and the
  2016 data used to validate this module (``../shared/datasets/us_cluster_mapping_2016``).
- European Cluster Observatory (2007–2014), star rating methodology (Ketels, C. & Protsiv, S.,
  *Methodology and Findings Report for a Cluster Mapping of Related Sectors*, 2014);
  European Observatory for Clusters and Industrial Change (EOCIC, 2019–2021) for the
  productivity criterion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jiqun.analytics.rca import (
    PRESENCE_RTOL,
    check_matrix,
    fmt_labels,
    lq_from_totals,
    reference_totals,
    warn_dropped,
    warn_labels,
)
from jiqun.analytics.specialisation import totals_by_region
from jiqun.standard.problems import JiqunError

__all__ = ["cluster_stars", "cluster_strength", "region_cluster_strength"]


def _same_labels(A: pd.DataFrame, B: pd.DataFrame, name_b: str) -> pd.DataFrame:
    """Align ``B`` to ``A``'s labels; raise when the label sets differ."""
    if set(A.index) != set(B.index) or set(A.columns) != set(B.columns):
        raise JiqunError(
            f"{name_b} 的地区和集群必须与 employment 完全相同",
            f"{name_b} must have exactly the regions and clusters of employment",
        )
    return B.reindex(index=A.index, columns=A.columns)


def _long(frame: dict[str, np.ndarray], index: pd.Index, columns: pd.Index) -> pd.DataFrame:
    """Region-major long table indexed by (region, cluster) from same-shape arrays."""
    mi = pd.MultiIndex.from_product(
        [index, columns],
        names=[index.name or "region", columns.name or "cluster"],
    )
    return pd.DataFrame({k: v.reshape(-1) for k, v in frame.items()}, index=mi)


def cluster_strength(
    employment: pd.DataFrame,
    establishments: pd.DataFrame,
    reference: pd.Series | None = None,
    traded_total: pd.Series | None = None,
) -> pd.DataFrame:
    """US Cluster Mapping Project cluster-strength flags (qualifying, significant, strong).

    ``employment`` and ``establishments`` are region × **traded** cluster matrices (one year, one
    region type, e.g. the 50 states × 51 traded clusters). Following the US Cluster Mapping Project
    (Delgado, Porter & Stern 2016; clustermapping.us):

    - ``LQ_rc = (e_rc / T_r) / (E_c / E)`` where the denominator is the region's **traded**
      employment ``T_r`` (row sum of ``employment`` unless ``traded_total`` is given), ``E_c`` the
      national employment in cluster c (``reference``, default column sums) and
      ``E = Σ_c E_c`` (national traded employment). Not rounded.
    - For each cluster, among the regions with ``e_rc > 0``, the quantiles ``p25, p50, p75, p90``
      of LQ, employment and establishments are taken by linear interpolation (R-7, numpy's
      default ``method="linear"``). With ``base = e_rc > p25(emp) ∧ est_rc > p25(est)``:

      - ``qualifying = LQ > p25(LQ) ∧ base``
      - ``significant = LQ > p50(LQ) ∧ base``
      - ``strong = LQ ≥ p75(LQ) ∧ LQ ≥ 1 ∧ base``
      - ``strong10 = LQ ≥ p90(LQ) ∧ LQ ≥ 1 ∧ base``

      (strict ``>`` for the 25th/50th percentiles, ``≥`` for the 75th/90th and for 1, exactly as
      written in ``docs/METHODS.md`` §4). Regions with ``e_rc = 0`` get ``LQ = 0`` and no flag.

    Validation: these rules reproduce every published ``lq_tf`` (to its 8 significant digits) and
    all 4 × 2,550 ``qualifying_b``, ``significant_b``, ``strong_b``, ``strong10_b`` flags of the
    2016 state data for traded clusters (``tests/analytics/test_strength.py``).

    Undefined cases: a region with ``T_r = 0`` has no LQ and is dropped with a ``JiqunWarning``;
    a cluster with national employment 0 (hence no regional employment) likewise.

    Parameters
    ----------
    employment:
        Region × traded-cluster employment (``≥ 0``).
    establishments:
        Region × traded-cluster establishment counts, same labels as ``employment``.
    reference:
        National employment per cluster (Series indexed by exactly the clusters); default the
        column sums of ``employment``. US CMP publishes it implicitly as
        ``emp_tl / cluster_emp_per_tf``.
    traded_total:
        Region traded employment (Series indexed by exactly the regions); default row sums.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(region, cluster)`` (region-major, in the input order), columns
        ``employment``, ``establishments``, ``lq`` (float) and ``qualifying``, ``significant``,
        ``strong``, ``strong10`` (bool).

    References
    ----------
    Delgado, Porter & Stern (2016); U.S. Cluster Mapping Project.

    Example
    -------
    >>> import pandas as pd
    >>> emp = pd.DataFrame({"c1": [10.0, 20.0, 30.0, 40.0, 0.0], "c2": [90.0, 80, 70, 60, 100]},
    ...                    index=list("ABCDE"))
    >>> res = cluster_strength(emp, emp / 10)  # establishments 1, 2, 3, 4, 0 for c1
    >>> row = res.loc[("D", "c1")]  # LQ = (40/100)/(100/500) = 2 ≥ p75(.5, 1, 1.5, 2) = 1.625
    >>> float(row["lq"]), bool(row["strong"])
    (2.0, True)
    """
    emp = check_matrix(employment, name="employment")
    est = _same_labels(emp, check_matrix(establishments, name="establishments"), "establishments")
    Ec, E = reference_totals(emp, reference)
    T = totals_by_region(emp, traded_total)
    arr, est_arr = emp.to_numpy(), est.to_numpy()
    bad_rows, bad_cols = T <= 0, Ec <= 0
    if arr[bad_rows].sum() > 0:
        names = list(emp.index[bad_rows & (arr.sum(axis=1) > 0)])
        raise JiqunError(
            f"traded_total 为 0 但有集群就业的地区：{fmt_labels(names)}",
            f"regions with traded_total 0 but positive cluster employment: {fmt_labels(names)}",
        )
    if bad_rows.any() or bad_cols.any():
        warn_dropped(
            list(emp.index[bad_rows]),
            list(emp.columns[bad_cols]),
            "贸易就业为 0",
            "with zero traded employment",
            stacklevel=3,
        )
        emp, est = emp.loc[~bad_rows, ~bad_cols], est.loc[~bad_rows, ~bad_cols]
        arr, est_arr, T, Ec = emp.to_numpy(), est.to_numpy(), T[~bad_rows], Ec[~bad_cols]
        if arr.size == 0:
            raise JiqunError("删除后矩阵为空", "nothing left after dropping")
    lq = lq_from_totals(arr, T[:, None], Ec[None, :], E)
    flags = {k: np.zeros(arr.shape, dtype=bool) for k in ("q", "s", "st", "st10")}
    for j in range(arr.shape[1]):
        pos = arr[:, j] > 0
        if not pos.any():
            continue
        e, n, lqj = arr[:, j], est_arr[:, j], lq[:, j]
        q_e = np.quantile(e[pos], 0.25)
        q_n = np.quantile(n[pos], 0.25)
        p25, p50, p75, p90 = np.quantile(lqj[pos], [0.25, 0.5, 0.75, 0.9])
        base = (e > q_e) & (n > q_n)
        flags["q"][:, j] = (lqj > p25) & base
        flags["s"][:, j] = (lqj > p50) & base
        flags["st"][:, j] = (lqj >= p75) & (lqj >= 1.0) & base
        flags["st10"][:, j] = (lqj >= p90) & (lqj >= 1.0) & base
    return _long(
        {
            "employment": arr,
            "establishments": est_arr,
            "lq": lq,
            "qualifying": flags["q"],
            "significant": flags["s"],
            "strong": flags["st"],
            "strong10": flags["st10"],
        },
        emp.index,
        emp.columns,
    )


def region_cluster_strength(
    result: pd.DataFrame, traded_total: pd.Series | None = None, flag: str = "strong"
) -> pd.Series:
    """Region cluster strength: the share of a region's traded employment in strong clusters.

    ``strength_r = Σ_{c : strong_rc} e_rc / T_r`` (US Cluster Mapping Project), with ``T_r`` the
    region's traded employment (``traded_total``, default the sum of ``employment`` over the
    clusters in ``result``). ``flag`` may name another flag column (e.g. ``"strong10"``).

    Parameters
    ----------
    result:
        Output of :func:`cluster_strength`.
    traded_total:
        Optional region traded employment (Series indexed by region).
    flag:
        Flag column defining the clusters counted (default ``"strong"``).

    Returns
    -------
    pandas.Series
        Share (0..1) per region, named ``"cluster_strength"``.

    References
    ----------
    Delgado, Porter & Stern (2016); U.S. Cluster Mapping Project.

    Example
    -------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_tuples([("A", "c1"), ("A", "c2")], names=["region", "cluster"])
    >>> res = pd.DataFrame({"employment": [30.0, 70.0], "strong": [True, False]}, index=idx)
    >>> region_cluster_strength(res).to_dict()
    {'A': 0.3}
    """
    if not isinstance(result, pd.DataFrame) or result.index.nlevels != 2:
        raise JiqunError(
            "result 必须是 cluster_strength 的输出（以 (地区, 集群) 为索引）",
            "result must be the output of cluster_strength (indexed by (region, cluster))",
        )
    for c in ("employment", flag):
        if c not in result.columns:
            raise JiqunError(f"result 缺少列 {c!r}", f"result lacks column {c!r}")
    level = result.index.names[0] if result.index.names[0] is not None else 0
    emp = result["employment"].astype(np.float64)
    in_flag = emp.where(result[flag].astype(bool), 0.0)
    num = in_flag.groupby(level=level, sort=False).sum()
    if traded_total is None:
        den = emp.groupby(level=level, sort=False).sum()
    else:
        den = pd.to_numeric(traded_total, errors="coerce").reindex(num.index)
        if den.isna().any():
            raise JiqunError(
                f"traded_total 缺少地区：{fmt_labels(list(num.index[den.isna()]))}",
                f"traded_total lacks regions: {fmt_labels(list(num.index[den.isna()]))}",
            )
    with np.errstate(divide="ignore", invalid="ignore"):
        share = num / den
    return share.rename("cluster_strength")


def _top_decile(values: np.ndarray, population: np.ndarray) -> np.ndarray:
    """``values ≥ p90(population)`` (R-7) and ``values > 0``; all False if population is empty."""
    if population.size == 0:
        return np.zeros(values.shape, dtype=bool)
    thr = np.quantile(population, 0.9)
    return (values >= thr) & (values > 0)


def cluster_stars(
    employment: pd.DataFrame,
    wages: pd.DataFrame | None = None,
    europe_reference: pd.DataFrame | None = None,
    region_totals: pd.Series | None = None,
) -> pd.DataFrame:
    """European Cluster Observatory star rating of each region × cluster (0–3, or 0–4).

    One star per criterion met (European Cluster Observatory; Ketels & Protsiv 2014):

    - **size**: the region's cluster employment is in the top 10% of regions — ``e_rc ≥ p90`` of
      ``e_·c`` over all regions of the reference area (and ``e_rc > 0``);
    - **specialisation**: ``LQ_rc ≥ 2``, with ``LQ_rc = (e_rc / E_r) / (E_c / E)``, ``E_r`` the
      region's total employment, ``E_c`` and ``E`` the cluster and total employment of the
      reference area. As in :func:`jiqun.analytics.rca.presence`, an LQ within ``1e-9``
      (relative) of 2 counts as ``≥ 2``;
    - **focus**: the cluster's share of the region's employment ``e_rc / E_r`` is in the top 10%
      of regions (``≥ p90`` over the reference area, and ``> 0``);
    - **productivity** (optional, the later EOCIC scoring): with ``wages`` (the total wage bill of
      each region × cluster), the wage per employee ``wages_rc / e_rc`` is in the top 10% of the
      regions with ``e_rc > 0`` in ``employment``.

    "Top 10%" is read as "at or above the 90th percentile" with numpy's linear interpolation
    (R-7), the quantile rule the US Cluster Mapping Project uses; the Observatory's documents do
    not state an interpolation rule. ``stars`` is the number of criteria met (0–3; 0–4 with
    ``wages``).

    The reference area: ``europe_reference`` (a region × cluster employment matrix of all regions
    of Europe, which may or may not include the regions of ``employment``) supplies the size and
    focus percentiles and ``E_c``, ``E``; its region totals are its row sums. Without it,
    ``employment`` itself is the reference area. ``E_r`` of the rated regions are the row sums of
    ``employment`` unless ``region_totals`` (total employment, including activity outside the
    clusters) is given. The productivity percentile always uses the rated regions.

    Zero rows: a region with ``E_r = 0`` has no LQ or focus and is dropped with a
    ``JiqunWarning``.

    Parameters
    ----------
    employment:
        Region × cluster employment of the regions to rate.
    wages:
        Optional total wages, same labels as ``employment``.
    europe_reference:
        Optional region × cluster employment of the whole reference area (same clusters).
    region_totals:
        Optional total employment of the rated regions (Series indexed by region).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(region, cluster)``: ``employment``, ``lq``, ``focus_share``, ``size``,
        ``specialisation``, ``focus`` (bool), [``wage_per_employee``, ``productivity``],
        ``stars`` (int).

    References
    ----------
    European Cluster Observatory; Ketels & Protsiv (2014); EOCIC (2019–2021).

    Example
    -------
    >>> import pandas as pd
    >>> emp = pd.DataFrame({"c1": [100.0] + [1.0] * 9, "c2": [100.0] + [99.0] * 9},
    ...                    index=[f"r{k}" for k in range(10)])
    >>> int(cluster_stars(emp).loc[("r0", "c1"), "stars"])  # size, LQ = .5/(109/1100) ≈ 5.05, focus
    3
    """
    emp = check_matrix(employment, name="employment")
    if europe_reference is None:
        ref = emp
    else:
        ref = check_matrix(europe_reference, name="europe_reference")
        if set(ref.columns) != set(emp.columns):
            raise JiqunError(
                "europe_reference 的集群必须与 employment 相同",
                "europe_reference must have the same clusters as employment",
            )
        ref = ref.reindex(columns=emp.columns)
    Er = totals_by_region(emp, region_totals)
    zero = Er <= 0
    if zero.any():
        if emp.to_numpy()[zero].sum() > 0:
            raise JiqunError(
                "region_totals 为 0 但有集群就业的地区",
                "regions with region_totals 0 but positive cluster employment",
            )
        warn_dropped(list(emp.index[zero]), [], "就业为 0", "with zero employment", stacklevel=3)
        emp, Er = emp.loc[~zero], Er[~zero]
        if wages is not None:
            wages = wages.loc[[r for r in wages.index if r in set(emp.index)]]
        if emp.shape[0] == 0:
            raise JiqunError("删除后没有地区", "no region left after dropping")
    arr = emp.to_numpy()
    ref_arr = ref.to_numpy()
    ref_Er = ref_arr.sum(axis=1)
    Ec, E = ref_arr.sum(axis=0), ref_arr.sum()
    if E <= 0:
        raise JiqunError("参照区域总就业为 0", "the reference area has total employment 0")
    lq = lq_from_totals(arr, Er[:, None], Ec[None, :], E)
    if (Ec <= 0).any():
        warn_labels(
            "参照区域中就业为 0 的集群，区位商无定义（NaN）",
            "clusters with zero employment in the reference area have an undefined LQ (NaN)",
            list(emp.columns[Ec <= 0]),
        )
    focus_share = arr / Er[:, None]
    ref_focus = np.divide(
        ref_arr, ref_Er[:, None], out=np.zeros_like(ref_arr), where=ref_Er[:, None] > 0
    )
    size = np.zeros(arr.shape, dtype=bool)
    focus = np.zeros(arr.shape, dtype=bool)
    for j in range(arr.shape[1]):
        size[:, j] = _top_decile(arr[:, j], ref_arr[:, j])
        focus[:, j] = _top_decile(focus_share[:, j], ref_focus[ref_Er > 0, j])
    spec = lq >= 2.0 * (1.0 - PRESENCE_RTOL)
    cols: dict[str, np.ndarray] = {
        "employment": arr,
        "lq": lq,
        "focus_share": focus_share,
        "size": size,
        "specialisation": spec,
        "focus": focus,
    }
    stars = size.astype(np.int64) + spec + focus
    if wages is not None:
        W = _same_labels(emp, check_matrix(wages, name="wages"), "wages").to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            wpe = np.where(arr > 0, W / np.where(arr > 0, arr, 1.0), np.nan)
        prod = np.zeros(arr.shape, dtype=bool)
        for j in range(arr.shape[1]):
            pos = arr[:, j] > 0
            prod[pos, j] = _top_decile(wpe[pos, j], wpe[pos, j])
        cols["wage_per_employee"] = wpe
        cols["productivity"] = prod
        stars = stars + prod
    cols["stars"] = stars.astype(np.int64)
    return _long(cols, emp.index, emp.columns)
