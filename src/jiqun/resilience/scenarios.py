"""Named disruption scenarios and alternative-supplier search.

Scenarios a user can name (``docs/METHODS.md`` §6; ``docs/resilience.md``):

- :func:`firm_failure` — one or more firms stop (``ψ = 1``, or a given fraction);
- :func:`regional_lockdown` — every firm of a region stops (lockdown, disaster): a province
  (``xx0000``), prefecture (``xxxx00``) or county code, matched on the firms' region codes;
- :func:`import_stop` — an industry's (segment's) supply from outside the country — or from
  outside a given region — stops. Only the affected **links** stop, not the suppliers' other
  sales: each outside supplier's links of that input are moved to a virtual node
  ``"<supplier>#stop"`` that fails (``ψ = 1``).

:func:`run_scenario` propagates a scenario with the generalized-Leontief cascade
(:func:`jiqun.resilience.cascade`, default) or the threshold cascade and summarises the loss.
:func:`alternative_suppliers` ranks replacement suppliers for failed firms.

References
----------
- Diem, C. et al. (2022). *Scientific Reports* 12, 7719 (cascade, ESRI).
- Watts, D. J. (2002). *PNAS* 99(9), 5766–5771 (threshold cascade).
- Inoue, H. & Todo, Y. (2019). Firm-level propagation of shocks through supply-chain networks.
  *Nature Sustainability* 2, 841–847 (regional disaster scenarios on firm networks).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from jiqun import reference
from jiqun.reference.geo import haversine_km
from jiqun.resilience.concentration import is_foreign, region_at_level
from jiqun.resilience.esri import cascade
from jiqun.resilience.essentiality import default_essentiality
from jiqun.resilience.network import (
    build_network,
    fmt_number,
    numeric_column,
    require_columns,
    threshold_cascade,
)
from jiqun.standard.problems import JiqunError

__all__ = [
    "Scenario",
    "ScenarioResult",
    "alternative_suppliers",
    "firm_failure",
    "group_keys",
    "import_stop",
    "region_prefix",
    "regional_lockdown",
    "run_scenario",
]

VIRTUAL_SUFFIX = "#stop"


@dataclass
class Scenario:
    """A named shock: ``psi`` maps firm id → fraction of production lost.

    ``firms`` / ``links`` are set when the scenario rewires the network (:func:`import_stop`);
    :func:`run_scenario` then uses them instead of the caller's tables.
    """

    name: str
    kind: Literal["firm", "region", "import_stop", "custom"]
    psi: pd.Series
    description_zh: str
    description_en: str
    firms: pd.DataFrame | None = None
    links: pd.DataFrame | None = None
    stopped_value: float = float("nan")
    details: dict[str, Any] = field(default_factory=dict)


def _check_fraction(fraction: float) -> float:
    f = float(fraction)
    if not 0 < f <= 1:
        raise JiqunError("fraction 必须在 (0, 1] 之间", "fraction must lie in (0, 1]")
    return f


def firm_failure(
    firms: pd.DataFrame,
    ids: Hashable | Iterable[Hashable],
    fraction: float = 1.0,
    *,
    id: str = "id",
) -> Scenario:
    """Scenario: the given firms lose ``fraction`` of their production (default all of it).

    ``ψ_i = fraction`` for the named firms, 0 elsewhere.

    Source: single-firm shock of Diem et al. (2022) (``ψ_i = 1``).

    Parameters
    ----------
    firms:
        Firm table with ``id``.
    ids:
        One id or several.
    fraction:
        Share of production lost, in ``(0, 1]``.
    id:
        Id column.

    Returns
    -------
    Scenario

    References
    ----------
    Diem et al. (2022).

    Example
    -------
    >>> import pandas as pd
    >>> firm_failure(pd.DataFrame({"id": ["A", "B"]}), "A").psi.to_dict()
    {'A': 1.0}
    """
    require_columns(firms, "firms", [id])
    f = _check_fraction(fraction)
    lst = [ids] if isinstance(ids, str) or not isinstance(ids, Iterable) else list(ids)
    known = pd.Index(firms[id])
    bad = [x for x in lst if x not in known]
    if bad or not lst:
        raise JiqunError(
            f"企业不在数据中：{fmt_number(bad)}" if bad else "没有指定企业",
            f"firm(s) not in the data: {fmt_number(bad)}" if bad else "no firm given",
        )
    psi = pd.Series(f, index=pd.Index(lst).unique(), dtype=float)
    names = fmt_number(lst, 3)
    return Scenario(
        name=f"firm:{names}",
        kind="firm",
        psi=psi,
        description_zh=f"企业停产：{names}（损失 {f:.0%} 产能）",
        description_en=f"firm failure: {names} ({f:.0%} of production lost)",
    )


def region_prefix(code: str) -> str:
    """The prefix of a region code that selects its firms: ``440000`` → ``44``, ``440300`` → ``4403``.

    Two- and four-digit prefixes are accepted as they are; county codes match exactly.

    Source: GB/T 2260 code structure.

    Parameters
    ----------
    code:
        A province, prefecture or county code (or a 2-/4-digit prefix).

    Returns
    -------
    str

    References
    ----------
    GB/T 2260.

    Example
    -------
    >>> region_prefix("440000"), region_prefix("440300"), region_prefix("440305")
    ('44', '4403', '440305')
    """
    c = str(code).strip()
    if not c.isdigit() or len(c) not in (2, 4, 6):
        raise JiqunError(
            f"地区代码 {code!r} 无效（应为 2、4 或 6 位数字）",
            f"invalid region code {code!r} (2, 4 or 6 digits expected)",
        )
    return reference.region_prefix(c)


def regional_lockdown(
    firms: pd.DataFrame,
    region: str,
    fraction: float = 1.0,
    *,
    id: str = "id",
    region_col: str = "region",
) -> Scenario:
    """Scenario: every firm located in ``region`` loses ``fraction`` of its production.

    ``ψ_i = fraction`` for firms whose region code starts with :func:`region_prefix` of
    ``region`` (a province includes its prefectures and counties).

    Source: regional lockdown / disaster scenario (Inoue & Todo 2019; ``docs/METHODS.md`` §6).

    Parameters
    ----------
    firms:
        ``id`` and the region column (GB/T 2260 codes).
    region:
        Province, prefecture or county code.
    fraction:
        Share of production lost, in ``(0, 1]``.
    id, region_col:
        Column names.

    Returns
    -------
    Scenario

    References
    ----------
    Inoue & Todo (2019).

    Example
    -------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"id": ["A", "B", "C"], "region": ["440305", "440106", "310101"]})
    >>> sorted(regional_lockdown(f, "440300").psi.index)
    ['A']
    """
    require_columns(firms, "firms", [id, region_col])
    f = _check_fraction(fraction)
    pre = region_prefix(region)
    hit = firms[region_col].astype(str).str.startswith(pre).fillna(False).to_numpy(dtype=bool)
    if not hit.any():
        raise JiqunError(f"地区 {region} 内没有企业", f"no firm is located in region {region}")
    ids = pd.Index(firms.loc[hit, id]).unique()
    return Scenario(
        name=f"region:{region}",
        kind="region",
        psi=pd.Series(f, index=ids, dtype=float),
        description_zh=f"地区停工：{region} 内 {len(ids)} 家企业（损失 {f:.0%} 产能）",
        description_en=f"regional lockdown: {len(ids)} firms in {region} ({f:.0%} of production lost)",
        details={"region": region, "firms": len(ids)},
    )


def import_stop(
    firms: pd.DataFrame,
    links: pd.DataFrame,
    industry: str,
    outside: str | None = None,
    *,
    category: str | None = "input_category",
    id: str = "id",
    industry_col: str = "industry",
    region_col: str = "region",
    foreign_col: str = "foreign",
    supplier: str = "supplier",
    value: str | None = "value",
) -> Scenario:
    """Scenario: the supply of ``industry`` from outside the country (or a region) stops.

    A link is hit when its input category (``category`` column; without it the supplier's
    industry) starts with ``industry`` and its supplier is *outside*: foreign
    (:func:`jiqun.resilience.is_foreign` on the region code, or the ``foreign`` flag) when
    ``outside`` is ``None``, else located outside region ``outside``. Hit links are moved to a
    virtual supplier ``"<supplier>#stop"`` (same industry and region) with ``ψ = 1``, so the
    supplier's other sales continue.

    Source: ``docs/METHODS.md`` §6 scenarios (a segment's supply from outside the country stops).

    Parameters
    ----------
    firms:
        ``id``, ``industry``, ``region`` (+ optional boolean ``foreign``).
    links:
        ``supplier``, ``buyer``, ``value`` (+ ``input_category``).
    industry:
        GB/T 4754 code (any level) of the input whose outside supply stops.
    outside:
        ``None`` (outside the country) or a region code (outside that region).
    category, id, industry_col, region_col, foreign_col, supplier, value:
        Column names.

    Returns
    -------
    Scenario
        With rewired ``firms`` / ``links`` and ``stopped_value`` (value of the stopped links).

    References
    ----------
    ``docs/METHODS.md`` §6.

    Example
    -------
    >>> import pandas as pd
    >>> firms = pd.DataFrame({"id": ["J", "D", "B"], "industry": ["3973", "3973", "3670"],
    ...                       "region": ["JP", "440300", "440300"]})
    >>> links = pd.DataFrame({"supplier": ["J", "D"], "buyer": ["B", "B"],
    ...                       "input_category": ["3973", "3973"], "value": [60.0, 40.0]})
    >>> s = import_stop(firms, links, "3973")
    >>> s.psi.to_dict(), s.stopped_value
    ({'J#stop': 1.0}, 60.0)
    """
    require_columns(firms, "firms", [id, industry_col, region_col])
    require_columns(links, "links", [supplier])
    code = str(industry).strip()
    f = firms.drop_duplicates(subset=[id]).set_index(id)
    sup = links[supplier]
    if category and category in links.columns:
        cat = links[category].astype(str)
    else:
        cat = f[industry_col].reindex(sup.to_numpy()).astype(str).set_axis(links.index)
    match = cat.str.startswith(code).fillna(False).to_numpy(dtype=bool)
    reg = f[region_col].reindex(sup.to_numpy())
    if outside is None:
        flag = f[foreign_col].reindex(sup.to_numpy()).to_numpy() if foreign_col in f else None
        out_mask = is_foreign(reg.to_numpy(), flag)
        where_zh, where_en = "境外", "outside the country"
    else:
        pre = region_prefix(outside)
        out_mask = reg.notna().to_numpy() & ~reg.astype(str).str.startswith(pre).fillna(
            False
        ).to_numpy(dtype=bool)
        where_zh, where_en = f"{outside} 以外", f"outside {outside}"
    hit = match & out_mask
    if not hit.any():
        raise JiqunError(
            f"数据中没有来自{where_zh}的 {code} 供应（无可停止的供应关系）",
            f"no supply of {code} from {where_en} in the data (nothing to stop)",
        )
    w = numeric_column(links, "links", value) if value and value in links.columns else None
    new_links = links.copy()
    vid = sup[hit].astype(str) + VIRTUAL_SUFFIX
    new_links[supplier] = new_links[supplier].astype(object)
    new_links.loc[hit, supplier] = vid.to_numpy()
    vfirms = f.loc[sup[hit].unique()].copy()
    vfirms.index = vfirms.index.astype(str) + VIRTUAL_SUFFIX
    vfirms["virtual"] = True
    base = firms.drop_duplicates(subset=[id]).copy()
    base["virtual"] = False
    new_firms = pd.concat([base, vfirms.reset_index(names=id)], ignore_index=True)
    psi = pd.Series(1.0, index=pd.Index(vid.unique()), dtype=float)
    stopped = float(w[hit].sum()) if w is not None else float(hit.sum())
    return Scenario(
        name=f"import-stop:{code}" + (f":{outside}" if outside else ""),
        kind="import_stop",
        psi=psi,
        description_zh=f"来自{where_zh}的 {code} 供应中断：{int(hit.sum())} 条供应关系，"
        f"{len(psi)} 家供应方",
        description_en=f"supply of {code} from {where_en} stops: {int(hit.sum())} links from "
        f"{len(psi)} suppliers",
        firms=new_firms,
        links=new_links,
        stopped_value=stopped,
        details={"industry": code, "outside": outside, "links": int(hit.sum())},
    )


@dataclass
class ScenarioResult:
    """Outcome of :func:`run_scenario`.

    Attributes
    ----------
    scenario:
        The scenario run.
    firms:
        Indexed by firm id (virtual import nodes excluded): ``shocked`` (ψ), ``h_down``,
        ``h_up``, ``h`` (GL model) or ``failed``/``round`` (threshold model), ``loss`` (share of
        production lost), ``sales`` (``s^out``), ``output_loss`` = ``sales × loss`` and, where firms
        carry revenue, ``revenue_at_risk = revenue × loss``; plus ``industry`` and ``region``.
    summary:
        Totals: firms shocked, firms affected (loss ≥ 1 %), ``loss_share`` (ESRI of the scenario:
        ``Σ sales·loss / Σ sales``), value lost, revenue at risk, iterations or rounds.
    by_region, by_industry:
        Losses grouped by province and by GB/T 4754 division.
    basis:
        Model, value basis, essentiality basis.
    """

    scenario: Scenario
    firms: pd.DataFrame
    summary: dict[str, Any]
    by_region: pd.DataFrame
    by_industry: pd.DataFrame
    basis: dict[str, Any]


def run_scenario(
    firms: pd.DataFrame,
    links: pd.DataFrame,
    scenario: Scenario,
    essentiality: pd.DataFrame | None = None,
    model: Literal["gl", "threshold"] = "gl",
    *,
    theta: float = 0.5,
    market: Mapping[Hashable, Hashable] | pd.Series | Literal["industry"] | None = None,
    eps: float = 1e-2,
    affected_at: float = 0.01,
    id: str = "id",
    industry_col: str = "industry",
    region_col: str = "region",
    revenue_col: str = "revenue",
) -> ScenarioResult:
    """Propagate a scenario and summarise who loses what.

    ``model="gl"``: :func:`jiqun.resilience.cascade` (Diem et al. 2022) with ``ψ`` of the
    scenario; ``loss_i = 1 − min(h^d_i, h^u_i)``. ``model="threshold"``:
    :func:`jiqun.resilience.threshold_cascade` with every shocked firm failed at the start
    (binary) and ``θ``; ``loss_i = 1`` for failed firms. Summary ``loss_share = Σ s_i^out loss_i /
    Σ s_i^out`` (the scenario's ESRI; virtual import nodes are excluded from both sums).

    Source: ``docs/METHODS.md`` §6 (cascades and scenarios).

    Parameters
    ----------
    firms:
        ``id``, ``industry``, ``region`` (+ ``revenue``, optional).
    links:
        ``supplier``, ``buyer``, ``value``.
    scenario:
        From :func:`firm_failure`, :func:`regional_lockdown`, :func:`import_stop` or hand-made.
    essentiality:
        Matrix for the GL model (default: :func:`jiqun.resilience.default_essentiality` at
        division level, so that suppliers of one division form one input; rule-based — the
        basis says so).
    model:
        ``"gl"`` or ``"threshold"``.
    theta:
        Threshold of the threshold model.
    market:
        Replaceability markets (firm id → label), or ``"industry"`` to use the industry codes.
    eps:
        GL convergence tolerance.
    affected_at:
        A firm counts as affected when its loss is at least this share.
    id, industry_col, region_col, revenue_col:
        Column names.

    Returns
    -------
    ScenarioResult

    References
    ----------
    Diem et al. (2022); Watts (2002).

    Example
    -------
    >>> import pandas as pd
    >>> firms = pd.DataFrame({"id": ["A", "B"], "industry": ["3973", "3670"],
    ...                       "region": ["440300", "310000"]})
    >>> links = pd.DataFrame({"supplier": ["A"], "buyer": ["B"], "value": [10.0]})
    >>> r = run_scenario(firms, links, firm_failure(firms, "A"))
    >>> r.firms["loss"].to_dict()
    {'A': 1.0, 'B': 1.0}
    """
    fdf = scenario.firms if scenario.firms is not None else firms
    ldf = scenario.links if scenario.links is not None else links
    require_columns(fdf, "firms", [id, industry_col, region_col])
    fdf = fdf.drop_duplicates(subset=[id])
    basis: dict[str, Any] = {"model": model, "scenario": scenario.name}
    if model == "gl":
        # Division-level default: suppliers of one GB/T 4754 division form one input.
        E = essentiality if essentiality is not None else default_essentiality()
        mk = fdf.set_index(id)[industry_col] if isinstance(market, str) else market
        ff = fdf.rename(columns={id: "id", industry_col: "industry"})[["id", "industry"]]
        res = cascade(ff, ldf, E, scenario.psi, market=mk, eps=eps)
        net_index = res.index
        loss = 1.0 - res["h"].to_numpy()
        table = res.copy()
        basis.update(
            value_basis=res.attrs["basis"],
            essentiality=res.attrs["essentiality_basis"],
            eps=eps,
            replaceability=market is not None,
        )
        extra = {"iterations": res.attrs["iterations"]}
    elif model == "threshold":
        net = build_network(ldf, fdf, id=id)
        seeds = scenario.psi.index[scenario.psi > 0]
        tr = threshold_cascade(net, seeds, theta=theta)
        net_index = tr.firms.index
        loss = tr.firms["failed"].to_numpy(dtype=float)
        table = tr.firms.copy()
        basis.update(value_basis=tr.basis, theta=theta)
        extra = {"rounds": tr.rounds}
    else:
        raise JiqunError(
            f"model 应为 'gl' 或 'threshold'（得到 {model!r}）",
            f"model must be 'gl' or 'threshold' (got {model!r})",
        )
    net = build_network(ldf, fdf, id=id)
    sales = (
        net.s_out
        if net.index.equals(net_index)
        else pd.Series(net.s_out, index=net.index).reindex(net_index).to_numpy()
    )
    table["shocked"] = scenario.psi.reindex(net_index).fillna(0.0).to_numpy()
    table["loss"] = loss
    table["sales"] = sales
    table["output_loss"] = sales * loss
    finfo = fdf.set_index(id)
    table["industry"] = finfo[industry_col].reindex(net_index).to_numpy()
    table["region"] = finfo[region_col].reindex(net_index).to_numpy()
    if revenue_col in finfo:
        rev = pd.to_numeric(finfo[revenue_col], errors="coerce").reindex(net_index).to_numpy()
        table["revenue_at_risk"] = rev * loss
    virtual = (
        finfo["virtual"].reindex(net_index).fillna(False).to_numpy(dtype=bool)
        if "virtual" in finfo
        else np.zeros(len(net_index), dtype=bool)
    )
    table = table.loc[~virtual]
    tot_sales = float(table["sales"].sum())
    summary: dict[str, Any] = {
        "firms": len(table),
        "shocked": int((table["shocked"] > 0).sum()),
        "affected": int((table["loss"] >= affected_at).sum()),
        "loss_share": float(table["output_loss"].sum() / tot_sales) if tot_sales > 0 else np.nan,
        "output_loss": float(table["output_loss"].sum()),
        "stopped_value": scenario.stopped_value,
        **extra,
    }
    if "revenue_at_risk" in table:
        summary["revenue_at_risk"] = float(np.nansum(table["revenue_at_risk"]))
    prov, div = group_keys(table)

    def group(key: pd.Series) -> pd.DataFrame:
        g = table.assign(key=key.to_numpy(), hit=table["loss"] >= affected_at).groupby("key")
        out = g.agg(
            firms=("loss", "size"),
            affected=("hit", "sum"),
            sales=("sales", "sum"),
            output_loss=("output_loss", "sum"),
        )
        out["loss_share"] = out["output_loss"] / out["sales"].where(out["sales"] > 0)
        return out.sort_values("output_loss", ascending=False)

    return ScenarioResult(
        scenario=scenario,
        firms=table,
        summary=summary,
        by_region=group(prov).rename_axis("province"),
        by_industry=group(div).rename_axis("division"),
        basis=basis,
    )


def group_keys(firms: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The keys of a scenario's aggregate tables for each firm: (province, industry division).

    Province: the GB/T 2260 province code of ``region`` (``"unknown"`` when missing); division:
    the two digits of the GB/T 4754-2017 ``industry`` code (a section letter is dropped). These
    are the rows of :attr:`ScenarioResult.by_region` and :attr:`ScenarioResult.by_industry`.

    Parameters
    ----------
    firms:
        A table with ``region`` and ``industry`` columns (e.g. :attr:`ScenarioResult.firms`).

    Returns
    -------
    tuple[pandas.Series, pandas.Series]
        Province and division, aligned with ``firms``.

    Example
    -------
    >>> p, d = group_keys(pd.DataFrame({"region": ["320214", None], "industry": ["C3973", "2720"]}))
    >>> p.tolist(), d.tolist()
    (['320000', 'unknown'], ['39', '27'])
    """
    prov = region_at_level(firms["region"], "province").astype(object).fillna("unknown")
    div = firms["industry"].astype(str).str.lstrip("ABCDEFGHIJKLMNOPQRST").str[:2]
    return prov, div


def alternative_suppliers(
    firms: pd.DataFrame,
    failed: Hashable | Iterable[Hashable],
    k: int = 10,
    *,
    exclude: Iterable[Hashable] = (),
    same_region_ok: bool = False,
    region_level: Literal["province", "prefecture", "county"] = "prefecture",
    id: str = "id",
    industry_col: str = "industry",
    region_col: str = "region",
    size_col: str = "revenue",
    lon_col: str = "lon",
    lat_col: str = "lat",
) -> pd.DataFrame:
    """Rank replacement suppliers for failed firms: same industry, other regions, size and distance.

    Candidates of failed firm ``f`` are firms of the same GB/T 4754 class (``match = "class"``);
    when fewer than ``k`` exist the search widens to the same group (3 digits) and then
    division (2 digits). Firms in ``f``'s region (at ``region_level``), failed firms and
    ``exclude`` are left out. Within a match level candidates are ranked by
    ``score = ½·rank_pct(size) + ½·(1 − rank_pct(distance))`` — bigger and nearer first; a
    missing size or distance ranks last on that half.

    Source: ``docs/resilience.md`` (alternative-supplier search for a failed node: same segment, other regions,
    ranked by size and distance); great-circle distance (haversine, R = 6,371 km).

    Parameters
    ----------
    firms:
        ``id``, ``industry``, ``region`` (+ ``revenue``, ``lon``, ``lat`` where known).
    failed:
        Failed firm id(s).
    k:
        Candidates per failed firm.
    exclude:
        Further firms that cannot supply (e.g. all firms of a locked-down region).
    same_region_ok:
        Allow candidates in the failed firm's own region.
    region_level:
        Level at which "other region" is judged.
    id, industry_col, region_col, size_col, lon_col, lat_col:
        Column names.

    Returns
    -------
    pandas.DataFrame
        ``failed``, ``rank``, ``candidate``, ``match``, ``industry``, ``region``, ``size``,
        ``distance_km``, ``score``.

    References
    ----------
    Sinnott, R. W. (1984). Virtues of the haversine. *Sky and Telescope* 68(2), 159.

    Example
    -------
    >>> import pandas as pd
    >>> firms = pd.DataFrame({"id": ["F", "A", "B", "C"], "industry": ["3973"] * 4,
    ...     "region": ["440300", "440300", "310000", "320500"], "revenue": [9, 5, 50, 10],
    ...     "lon": [114.0, 114.1, 121.5, 120.6], "lat": [22.5, 22.6, 31.2, 31.3]})
    >>> alternative_suppliers(firms, "F", k=2)["candidate"].tolist()
    ['B', 'C']
    """
    require_columns(firms, "firms", [id, industry_col, region_col])
    if k < 1:
        raise JiqunError("k 必须至少为 1", "k must be at least 1")
    f = firms.drop_duplicates(subset=[id]).reset_index(drop=True)
    ids = pd.Index(f[id])
    lst = [failed] if isinstance(failed, str) or not isinstance(failed, Iterable) else list(failed)
    bad = [x for x in lst if x not in ids]
    if bad:
        raise JiqunError(
            f"企业不在数据中：{fmt_number(bad)}", f"firm(s) not in the data: {fmt_number(bad)}"
        )
    ind = f[industry_col].astype(str).str.strip().str.lstrip("ABCDEFGHIJKLMNOPQRST")
    prefix = {w: ind.str[:w].to_numpy() for w in (2, 3, 4)}
    keep = {"province": 2, "prefecture": 4, "county": 6}[region_level]
    reg = f[region_col].astype(str).str[:keep].to_numpy()
    size = pd.to_numeric(f[size_col], errors="coerce").to_numpy() if size_col in f else None
    lon = pd.to_numeric(f[lon_col], errors="coerce").to_numpy() if lon_col in f else None
    lat = pd.to_numeric(f[lat_col], errors="coerce").to_numpy() if lat_col in f else None
    blocked = np.zeros(len(f), dtype=bool)
    blocked[ids.get_indexer(lst)] = True
    ex = ids.get_indexer(list(exclude))
    blocked[ex[ex >= 0]] = True
    rows = []
    for fid in lst:
        i = ids.get_loc(fid)
        ok = ~blocked
        if not same_region_ok:
            ok &= reg != reg[i]
        taken = np.zeros(len(f), dtype=bool)
        found = 0
        for match, width in (("class", 4), ("group", 3), ("division", 2)):
            code = ind.iat[i]
            if found >= k or len(code) < width:
                continue
            cand = np.flatnonzero(ok & ~taken & (prefix[width] == code[:width]))
            if cand.size == 0:
                continue
            taken[cand] = True
            if lon is not None and lat is not None:
                dist = haversine_km(lon[i], lat[i], lon[cand], lat[cand])
            else:
                dist = np.full(cand.size, np.nan)
            sz = size[cand] if size is not None else np.full(cand.size, np.nan)
            # rank_pct of NaN is NaN → 0 on that half of the score (ranks last)
            size_pct = pd.Series(sz).rank(pct=True).fillna(0.0).to_numpy()
            near_pct = (1.0 - pd.Series(dist).rank(pct=True)).fillna(0.0).to_numpy()
            score = 0.5 * size_pct + 0.5 * near_pct
            order = np.lexsort((-np.nan_to_num(sz, nan=-np.inf), -score))[: k - found]
            for o in order:
                j = cand[o]
                rows.append(
                    (
                        fid,
                        match,
                        f.at[j, id],
                        f.at[j, industry_col],
                        f.at[j, region_col],
                        sz[o],
                        dist[o],
                        score[o],
                    )
                )
            found += order.size
    out = pd.DataFrame(
        rows,
        columns=[
            "failed",
            "match",
            "candidate",
            "industry",
            "region",
            "size",
            "distance_km",
            "score",
        ],
    )
    out.insert(1, "rank", out.groupby("failed", sort=False).cumcount() + 1)
    return out
