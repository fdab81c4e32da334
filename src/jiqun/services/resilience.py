"""Supply-chain resilience from the stored data (供应链韧性服务).

Reads enterprises (``uscc, name, region_code, industry_code, revenue, lon, lat``) and supply
links (``supplier_uscc, buyer_uscc, year, input_category, value``) from the system of record and
runs the analytics of :mod:`jiqun.resilience` for a region (a GB/T 2260 code with the units
below it), a cluster (its member regions, :func:`jiqun.services.chains.resolve_region`) or the
whole database:

- :func:`resilience_metrics` — supplier concentration, single sourcing, geographic concentration
  of each input's supply, single points of failure and the ESRI of the largest suppliers;
- :func:`scenario` — a firm failure, a regional lockdown or an import stop, propagated with the
  generalized-Leontief cascade (or the threshold cascade), with alternative suppliers;
- :func:`cluster_hot_spots`, :func:`scenario_loss` — the same, shaped for the web UI;
- :func:`scenario_for` — a scenario as one caller may see it (the decision the web pages and
  the REST API share): the firm scenario only for a firm the caller may read, firm rows only
  for firms it may read, and the aggregate tables (by province, by industry division) and their
  totals under disclosure control (:func:`jiqun.analytics.viewer_disclosure.protect_rows`);
  :func:`scenario_page` pages it and audits the firms returned once (the REST API's answer).

**Scope.** The network of a region or cluster holds every link with a buyer *or* a supplier
inside it, i.e. the local firms plus their first-tier partners elsewhere (``in_scope`` tells
which is which); losses are reported for the firms inside. Links naming a firm missing from the
enterprises table are left out (with a note). When any link lacks a value the whole network
uses the count basis (each link = 1), and the basis says so. Every result carries a ``basis``
dict (year, measure, unit 万元, value or count, region, essentiality, synthetic) and notes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from jiqun.analytics.viewer_disclosure import protect_rows
from jiqun.basis import WithBasis
from jiqun.resilience import (
    alternative_suppliers,
    default_essentiality,
    esri,
    firm_failure,
    geographic_concentration,
    gl_model,
    import_stop,
    load_essentiality,
    regional_lockdown,
    run_scenario,
    single_points_of_failure,
    single_sourced_share,
    supplier_concentration,
)
from jiqun.resilience.scenarios import ScenarioResult, group_keys
from jiqun.services import access, registry
from jiqun.services.accounts import Principal
from jiqun.services.cache import cached, materialised
from jiqun.services.chains import RegionSpec, resolve_region
from jiqun.services.jsonready import json_value
from jiqun.services.overview import SYNTHETIC_NOTE_EN, SYNTHETIC_NOTE_ZH
from jiqun.standard.problems import JiqunError
from jiqun.standard.writer import write_table
from jiqun.store.db import get_engine

__all__ = [
    "MetricsReport",
    "NetworkData",
    "ScenarioPage",
    "ScenarioReport",
    "cluster_hot_spots",
    "disclose_scenario",
    "hot_spots_for",
    "load_network",
    "metrics_for",
    "resilience_metrics",
    "scenario",
    "scenario_for",
    "scenario_loss",
    "scenario_page",
    "write_output",
]


@dataclass
class NetworkData(WithBasis):
    """Firms and links of the analysed scope, with the basis of every figure."""

    firms: pd.DataFrame  # id, name, region, industry, revenue, lon, lat, synthetic, in_scope
    links: pd.DataFrame  # supplier, buyer, value, input_category, synthetic
    spec: RegionSpec | None
    year: int | None
    basis: dict[str, Any]
    notes: list[str] = field(default_factory=list)


#: the register's columns a network's firms need, and their names in the network
_FIRM_COLUMNS = {
    "uscc": "id",
    "name": "name",
    "region_code": "region",
    "industry_code": "industry",
    "revenue": "revenue",
    "lon": "lon",
    "lat": "lat",
    "synthetic": "synthetic",
}


def _read_firms(engine: Engine) -> pd.DataFrame:
    # every cluster's hot spots and every scenario start from the whole network
    f = registry.enterprise_frame(engine, "network-firms", _FIRM_COLUMNS)
    f["synthetic"] = f["synthetic"].astype(bool)
    return f


def _read_links(engine: Engine, year: int | None) -> tuple[pd.DataFrame, int | None]:
    lk, y = cached(
        engine, ("network-links", year), lambda: _query_links(engine, year), persist=False
    )
    return lk.copy(), y


def _query_links(engine: Engine, year: int | None) -> tuple[pd.DataFrame, int]:
    with engine.connect() as c:
        if year is None:
            year = c.execute(text("SELECT MAX(year) FROM supply_links")).scalar()
        if year is None:
            raise JiqunError(
                "数据库中没有供应关系（supply_links），请先导入",
                "no supply links stored; import them first",
            )
        lk = pd.read_sql(
            text(
                "SELECT supplier_uscc AS supplier, buyer_uscc AS buyer, input_category, value, "
                "synthetic FROM supply_links WHERE year = :y "
                # one order on every database and in the lake (the network's node order)
                "ORDER BY supplier_uscc, buyer_uscc, input_category"
            ),
            c,
            params={"y": int(year)},
        )
    if not len(lk):
        raise JiqunError(f"{year} 年没有供应关系", f"no supply links for year {year}")
    lk["synthetic"] = lk["synthetic"].astype(bool)
    return lk, int(year)


def _network_in_store(
    engine: Engine, spec: RegionSpec | None, lead: tuple[str, ...], year: int | None
) -> tuple[pd.DataFrame, pd.DataFrame, set[str], int, int | None]:
    """The scope's firms and links read from the store (every firm and link of the year, then
    filtered in pandas): ``(firms, links, in-scope ids, links left out, year)``."""
    firms = _read_firms(engine)
    links, year = _read_links(engine, year)
    known = pd.Index(firms["id"])
    ok = links["supplier"].isin(known) & links["buyer"].isin(known)
    n_bad = int((~ok).sum())
    if n_bad:
        links = links.loc[ok]
    inside = pd.Series(True, index=firms.index)
    if spec is not None:
        inside = firms["region"].isin(spec.codes)
        if lead:
            inside &= firms["industry"].astype(str).str.startswith(lead)
        scope_ids = set(firms.loc[inside, "id"])
        keep = links["supplier"].isin(scope_ids) | links["buyer"].isin(scope_ids)
        links = links.loc[keep]
    ids = pd.unique(np.concatenate([links["supplier"].to_numpy(), links["buyer"].to_numpy()]))
    f = firms.set_index("id").loc[ids].reset_index()
    return f, links.reset_index(drop=True), set(firms.loc[inside, "id"]), n_bad, year


def _network_on_lake(
    engine: Engine, spec: RegionSpec | None, lead: tuple[str, ...], year: int | None
) -> tuple[pd.DataFrame, pd.DataFrame, set[str], int, int | None] | None:
    """The same from the lake, the scope filtered in the analytical engine (only the scope's
    links and the firms they name reach pandas); ``None`` when the lake is not current."""
    from jiqun.engine.links import scoped_links, year_or_latest
    from jiqun.services import lake

    with lake.reading(engine) as eng:
        if eng is None:
            return None
        year = year_or_latest(eng, year)
        if year is None:
            raise JiqunError(
                "数据库中没有供应关系（supply_links），请先导入",
                "no supply links stored; import them first",
            )
        got = scoped_links(
            eng,
            year,
            regions=None if spec is None else sorted(spec.codes),
            industries=lead,
        )
    if not got["total"]:
        raise JiqunError(f"{year} 年没有供应关系", f"no supply links for year {year}")
    links = got["links"]
    links["synthetic"] = links["synthetic"].astype(bool)
    firms = got["firms"]
    firms["synthetic"] = firms["synthetic"].astype(bool)
    ids = pd.unique(np.concatenate([links["supplier"].to_numpy(), links["buyer"].to_numpy()]))
    f = firms.set_index("id").loc[ids].reset_index()
    return f, links.reset_index(drop=True), got["in_scope"], int(got["unknown"]), int(year)


def load_network(
    engine: Engine | None = None,
    *,
    region: str | None = None,
    cluster: str | None = None,
    year: int | None = None,
) -> NetworkData:
    """Read the supply network of a region, a cluster or the whole database.

    The firms *in scope* are those registered in the region, or for a cluster those of its
    member regions in its leading industries (the membership rule); the network holds every link
    with an in-scope buyer or supplier.

    Parameters
    ----------
    engine:
        Database (default: the configured one).
    region, cluster:
        Scope (at most one); neither = every stored link.
    year:
        Supply-link year (default: the latest).

    Returns
    -------
    NetworkData

    Example
    -------
    >>> net = load_network(region="440300")  # doctest: +SKIP
    >>> net.basis["unit"]  # doctest: +SKIP
    '万元'
    """
    engine = engine or get_engine()
    spec = resolve_region(engine, region=region, cluster=cluster) if region or cluster else None
    lead: tuple[str, ...] = ()
    if cluster:
        # a cluster's firms are those of its member regions in its leading industries (the
        # membership rule): a member city's coking plant is not an IoT cluster's hot spot
        with engine.connect() as c:
            lead = tuple(
                str(r[0])
                for r in c.execute(
                    text("SELECT industry_code FROM cluster_industries WHERE cluster_id = :c"),
                    {"c": cluster},
                )
            )
    got = _network_on_lake(engine, spec, lead, year)
    if got is None:
        got = _network_in_store(engine, spec, lead, year)
    f, links, inside, n_bad, year = got
    notes: list[str] = []
    if n_bad:
        notes.append(
            f"{n_bad} 条供应关系的企业不在企业库中，已忽略 / {n_bad} links name firms missing "
            "from the enterprises table and were left out"
        )
    if spec is not None and not len(links):
        raise JiqunError(f"{spec.label} 没有供应关系数据", f"no supply links touch {spec.label}")
    f["in_scope"] = f["id"].isin(inside) if spec is not None else True
    links = links.reset_index(drop=True)
    value_basis = "value"
    if links["value"].isna().any():
        n_na = int(links["value"].isna().sum())
        notes.append(
            f"{n_na} 条供应关系缺少金额，整个网络按关系数计算 / {n_na} links have no value: the "
            "whole network uses the count basis (each link = 1)"
        )
        links = links.drop(columns="value")
        value_basis = "count"
    synthetic = bool(f["synthetic"].any() or links["synthetic"].any())
    if synthetic:
        notes.append(f"{SYNTHETIC_NOTE_ZH} / {SYNTHETIC_NOTE_EN}")
    basis: dict[str, Any] = {
        "year": year,
        "measure": "supply-link value 供应关系采购额" if value_basis == "value" else "links 关系数",
        "unit": "万元" if value_basis == "value" else "links 条",
        "value_or_count": value_basis,
        "region": spec.label if spec else "全部数据 all stored data",
        "scope": (
            "links with a buyer or supplier inside the scope (first-tier partners included)"
            + ("; a cluster's scope is its member regions × leading industries" if cluster else "")
        )
        if spec
        else "every stored link",
        "firms": len(f),
        "firms_in_scope": int(f["in_scope"].sum()),
        "links": len(links),
        "code_level": "GB/T 4754-2017 class (4-digit); GB/T 2260 region codes",
        "synthetic": synthetic,
    }
    return NetworkData(f, links, spec, year, basis, notes)


# --------------------------------------------------------------------------------------------
# metrics
# --------------------------------------------------------------------------------------------


@dataclass
class MetricsReport(WithBasis):
    """Resilience metrics of one scope (tables ready to print or export)."""

    TABLES = ("inputs", "geographic", "spof", "esri")

    summary: dict[str, Any]
    inputs: pd.DataFrame  # per input category: buyers, single-sourced share, mean HHI, …
    geographic: pd.DataFrame  # per input category: geographic HHI of supply, top region, …
    spof: pd.DataFrame  # firms that are single points of failure, most dominated first
    esri: pd.DataFrame  # the largest suppliers' ESRI, highest first
    basis: dict[str, Any]
    notes: list[str]


#: ``essentiality=IO_ESSENTIALITY``: the stated input–output alternative to the rule-built matrix
IO_ESSENTIALITY = "io"


def _essentiality(path: str | Path | None, io_table: str | Path | None = None) -> pd.DataFrame:
    """The essentiality matrix: a user file, ``"io"`` (from the input–output table, explicit or
    ``JIQUN_IO_TABLE``; refused when none is configured) or, by default, the rule-built one."""
    if isinstance(path, str) and path.strip().lower() == IO_ESSENTIALITY:
        from jiqun.resilience.essentiality import io_essentiality
        from jiqun.services.chains import io_table_coefficients

        io = io_table_coefficients(io_table)
        if io is None:
            raise _no_io_table()
        A, basis = io
        return io_essentiality(A, source=basis["io_table"])
    return load_essentiality(path) if path else default_essentiality()


def _no_io_table() -> JiqunError:
    """The refusal of ``essentiality="io"`` when no input–output table is given or configured
    (the same words for the CLI, the REST API and the web form)."""
    return JiqunError(
        "按投入产出表计算必要性（essentiality io）需要投入产出表：请设置 JIQUN_IO_TABLE 或用 "
        "--io-table 指定文件（本系统不附带该表）",
        "essentiality io needs an input-output table: set JIQUN_IO_TABLE or give --io-table FILE "
        "(Jiqun ships none)",
    )


#: ``essentiality=RULES_ESSENTIALITY``: the rule-built matrix, named (same as no option)
RULES_ESSENTIALITY = "rules"


def essentiality_option(value: str | None) -> str | None:
    """An interface's ``essentiality`` choice (``rules`` | ``io``) as :func:`scenario` takes it.

    Only these two names: a REST or web caller never names a file on the server.

    Parameters
    ----------
    value:
        ``None``/``""``/``"rules"`` (the rule-built matrix) or ``"io"``.

    Returns
    -------
    str or None
        ``None`` for the rule-built matrix, ``"io"`` for the input–output one.

    Raises
    ------
    JiqunError
        Any other value.

    Example
    -------
    >>> essentiality_option("rules") is None, essentiality_option("io")
    (True, 'io')
    """
    v = (value or RULES_ESSENTIALITY).strip().lower()
    if v == RULES_ESSENTIALITY:
        return None
    if v == IO_ESSENTIALITY:
        return IO_ESSENTIALITY
    raise JiqunError(
        f"未知的必要性矩阵 {value!r}（rules 规则矩阵、io 投入产出表）",
        f"unknown essentiality matrix {value!r} (rules, io)",
    )


def _io_audit(essentiality: str | None) -> dict[str, str]:
    # the audit names the input-output table a non-default answer used (by its file name, a
    # proper name on every page); the rule-built default is implied and not written
    if essentiality != "io":
        return {}
    from jiqun.config import io_table_path

    path = io_table_path()
    return {"io_table": Path(path).name if path else ""}


def io_table_configured() -> bool:
    """Whether an input–output table is configured (``JIQUN_IO_TABLE``): the web form offers
    the IO essentiality only then.

    Returns
    -------
    bool

    Example
    -------
    >>> io_table_configured()  # doctest: +SKIP
    False
    """
    from jiqun.config import io_table_path

    return io_table_path() is not None


def resilience_metrics(
    engine: Engine | None = None,
    *,
    region: str | None = None,
    cluster: str | None = None,
    year: int | None = None,
    top: int = 20,
    esri_candidates: int = 100,
    essentiality: str | Path | None = None,
    replaceability: bool = True,
    io_table: str | Path | None = None,
) -> MetricsReport:
    """Concentration, single sourcing, chokepoints and systemic risk of a scope's supply network.

    Concentration and single sourcing are computed for the purchases of the firms *inside* the
    scope (per buyer and input category); geographic concentration for the supply of each input
    category bought by them (regions at province level, foreign suppliers separate); single
    points of failure from the supply-side dominator tree of the whole loaded network; ESRI
    (Diem et al. 2022) for the ``esri_candidates`` largest in-scope suppliers, with suppliers
    replaceable within their GB/T 4754 class when ``replaceability``.

    Parameters
    ----------
    engine:
        Database (default: the configured one).
    region, cluster, year:
        Scope and supply-link year.
    top:
        Rows kept in the SPOF and ESRI tables.
    esri_candidates:
        Number of largest suppliers (by sales in the network) whose ESRI is computed.
    essentiality:
        Optional essentiality matrix file (default: Jiqun's rule-based GB/T 4754 matrix), or
        ``"io"``: the stated alternative built from the input–output table
        (:func:`jiqun.resilience.io_essentiality`).
    replaceability:
        Suppliers are replaceable within their industry class (Diem et al. market option).
    io_table:
        Input–output table for ``essentiality="io"`` (default ``JIQUN_IO_TABLE``).

    Returns
    -------
    MetricsReport

    Example
    -------
    >>> rep = resilience_metrics(cluster="NC2021-03")  # doctest: +SKIP
    >>> rep.summary["single_sourced_count_share"]  # doctest: +SKIP
    0.81
    """
    data = load_network(engine, region=region, cluster=cluster, year=year)
    f, lk = data.firms, data.links
    scope_ids = set(f.loc[f["in_scope"], "id"])
    lk_in = lk[lk["buyer"].isin(scope_ids)]
    value = "value" if "value" in lk.columns else None
    conc = supplier_concentration(lk_in, "input_category", value=value)
    ss = single_sourced_share(lk_in, "input_category", value=value)
    inputs = (
        conc.groupby("category")
        .agg(
            buyers=("buyer", "size"),
            value=("value", "sum"),
            single_sourced_share=("single_sourced", "mean"),
            mean_hhi=("hhi", "mean"),
            mean_effective_suppliers=("effective_suppliers", "mean"),
        )
        .reset_index()
        .rename(columns={"category": "input_category"})
        .sort_values("value", ascending=False)
    )
    geo = geographic_concentration(lk_in, f, "input_category", level="province", value=value)
    geo = geo.rename(columns={"segment": "input_category"}).sort_values("value", ascending=False)

    spof = single_points_of_failure(f, lk, demand=None)
    spof = spof[spof["spof"]].sort_values("dominated", ascending=False)
    n_spof = len(spof)
    info = f.set_index("id")[["name", "region", "industry", "in_scope"]]
    spof = spof.join(info).head(top).reset_index()

    E = _essentiality(essentiality, io_table)
    market = f.set_index("id")["industry"] if replaceability else None
    model = gl_model(f, lk, E, market, value=value)
    net = model.net
    sales = pd.Series(net.s_out, index=net.index)
    cand = sales[sales.index.isin(scope_ids) & (sales > 0)].nlargest(esri_candidates)
    es = esri(None, None, None, shocks=list(cand.index), model=model) if len(cand) else None
    if es is not None:
        es = es.join(info).assign(sales=cand).sort_values("esri", ascending=False)
        es = es.head(top).reset_index().rename(columns={"shock": "id"})
    else:
        es = pd.DataFrame(columns=["id", "esri", "esri_down", "esri_up"])
    summary = {
        "firms": len(f),
        "firms_in_scope": len(scope_ids),
        "links": len(lk),
        "buyer_input_pairs": int(ss["pairs"]),
        "single_sourced_count_share": float(ss["count_share"]),
        "single_sourced_value_share": float(ss["value_share"]),
        "mean_supplier_hhi": float(conc["hhi"].mean()) if len(conc) else float("nan"),
        "inputs_flagged_dependent": int(geo["dependency"].sum()),
        "single_points_of_failure": n_spof,
        "esri_max": float(es["esri"].max()) if len(es) else float("nan"),
    }
    basis = {
        **data.basis,
        "essentiality": model.essentiality_basis,
        "replaceability": "within GB/T 4754 class" if replaceability else "none",
        "esri_candidates": len(cand),
        "geographic_level": "province (foreign suppliers by their own code)",
    }
    notes = list(data.notes)
    return MetricsReport(summary, inputs, geo, spof, es, basis, notes)


# --------------------------------------------------------------------------------------------
# scenarios
# --------------------------------------------------------------------------------------------


@dataclass
class ScenarioReport:
    """A scenario's outcome for the firms of the scope, with alternative suppliers."""

    result: ScenarioResult
    firms: pd.DataFrame  # in-scope firms, largest loss first
    by_region: pd.DataFrame
    by_industry: pd.DataFrame
    alternatives: pd.DataFrame
    summary: dict[str, Any]
    basis: dict[str, Any]
    notes: list[str]
    #: rows left out of each table for the caller (:func:`disclose_scenario`)
    hidden: dict[str, int] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        """Aggregated losses by province (what the web page shows)."""
        return self.by_region.reset_index()

    def tables(self) -> dict[str, pd.DataFrame]:
        return {
            "firms": self.firms,
            "by_region": self.by_region.reset_index(),
            "by_industry": self.by_industry.reset_index(),
            "alternatives": self.alternatives,
        }


def scenario(
    engine: Engine | None = None,
    *,
    firm: str | None = None,
    lockdown: str | None = None,
    import_stop_industry: str | None = None,
    outside: str | None = None,
    region: str | None = None,
    cluster: str | None = None,
    year: int | None = None,
    model: Literal["gl", "threshold"] = "gl",
    theta: float = 0.5,
    essentiality: str | Path | None = None,
    replaceability: bool = True,
    alternatives: int = 5,
    io_table: str | Path | None = None,
) -> ScenarioReport:
    """Run a named scenario on the stored supply network.

    Exactly one of ``firm`` (a credit code fails), ``lockdown`` (every firm of a region stops)
    or ``import_stop_industry`` (the supply of an industry from outside the country — or from
    outside region ``outside`` — stops). Losses come from :func:`jiqun.resilience.run_scenario`;
    alternative suppliers (same class, other prefectures, ranked by revenue and distance) are
    listed for the failed firm, or for the five largest suppliers stopped by a lockdown.

    Parameters
    ----------
    engine:
        Database (default: the configured one).
    firm, lockdown, import_stop_industry, outside:
        The scenario.
    region, cluster, year:
        Scope of the network (default: all stored links) and supply-link year.
    model, theta:
        ``"gl"`` (generalized Leontief, default) or ``"threshold"`` with ``theta``.
    essentiality:
        Optional essentiality matrix file (GL model), or ``"io"``: the stated alternative built
        from the input–output table (:func:`jiqun.resilience.io_essentiality`); default the
        rule-built matrix.
    replaceability:
        Suppliers replaceable within their industry class (GL model).
    alternatives:
        Alternative suppliers listed per failed firm.
    io_table:
        Input–output table for ``essentiality="io"`` (default ``JIQUN_IO_TABLE``).

    Returns
    -------
    ScenarioReport

    Example
    -------
    >>> rep = scenario(lockdown="440300")  # doctest: +SKIP
    >>> rep.summary["loss_share"]  # doctest: +SKIP
    """
    given = [x for x in (firm, lockdown, import_stop_industry) if x]
    if len(given) != 1:
        raise JiqunError(
            "请指定一个情景：--firm 信用代码、--region 地区代码 或 --import-stop 行业代码",
            "give exactly one scenario: --firm USCC, --region CODE or --import-stop INDUSTRY",
        )
    engine = engine or get_engine()
    data = load_network(engine, region=region, cluster=cluster, year=year)
    f, lk = data.firms, data.links
    value = "value" if "value" in lk.columns else None
    if firm:
        if firm not in set(f["id"]):
            raise JiqunError(
                f"企业 {firm} 不在所选范围的供应网络中", f"firm {firm} is not in the supply network"
            )
        sc = firm_failure(f, firm)
    elif lockdown:
        sc = regional_lockdown(f, lockdown)
    else:
        sc = import_stop(f, lk, str(import_stop_industry), outside, value=value)
    E = _essentiality(essentiality, io_table) if model == "gl" else None
    market = "industry" if replaceability and model == "gl" else None
    res = run_scenario(f, lk, sc, E, model, theta=theta, market=market)
    info = f.set_index("id")[["name", "in_scope"]]
    table = res.firms.join(info)
    inside = table[table["in_scope"].fillna(False).astype(bool)]
    inside = inside.sort_values(["output_loss", "loss"], ascending=False).reset_index()

    # alternatives: the failed firm, or the largest suppliers a lockdown stops
    all_firms = _read_firms(engine)
    alt = pd.DataFrame()
    if alternatives > 0 and sc.kind in ("firm", "region"):
        shocked = res.firms.loc[res.firms["shocked"] > 0]
        failed = list(shocked.sort_values("sales", ascending=False).head(5).index)
        known = set(all_firms["id"])
        failed = [x for x in failed if x in known]
        if failed:
            alt = alternative_suppliers(
                all_firms, failed, k=alternatives, exclude=list(sc.psi.index)
            )
            names = all_firms.set_index("id")["name"]
            alt.insert(3, "name", alt["candidate"].map(names))
    summary = {**res.summary, "scenario": sc.name}
    basis = {
        **data.basis,
        **{k: v for k, v in res.basis.items() if k not in ("value_basis",)},
        "scenario": f"{sc.description_zh} / {sc.description_en}",
        "loss_measure": "share of B2B sales lost, 1 − min(h_down, h_up) (Diem et al. 2022)"
        if model == "gl"
        else f"failed firms (threshold θ = {theta})",
    }
    notes = list(data.notes)
    if model == "gl" and essentiality is None:
        notes.append(
            "投入必要性矩阵为 Jiqun 按规则生成的默认矩阵，非调查数据 / the essentiality matrix is "
            "Jiqun's rule-based default, not survey data"
        )
    return ScenarioReport(res, inside, res.by_region, res.by_industry, alt, summary, basis, notes)


# --------------------------------------------------------------------------------------------
# what a caller may see of a scenario
# --------------------------------------------------------------------------------------------

#: figures of an aggregate row (withheld when the row is suppressed)
_AGG_FIGURES = ("firms", "affected", "sales", "output_loss", "loss_share")
#: summary figures that add up the firms' sales and losses (withheld with a suppressed total)
_SUMMARY_MAGNITUDES = ("output_loss", "loss_share", "revenue_at_risk", "stopped_value")


def disclose_scenario(
    rep: ScenarioReport,
    principal: Principal | None,
    engine: Engine | None = None,
    client: str | None = None,
) -> ScenarioReport:
    """A scenario report as ``principal`` may see it.

    - ``firms``: the rows of firms the caller may read (:func:`access.visible_rows`; reads
      through a grant are audited); ``alternatives``: candidates and failed firms it may read.
    - ``by_region`` / ``by_industry``: a row whose firms the caller may all read is shown as
      is; the others pass the primary rule (fewer than 3 firms, or one firm above 85 % of the
      row's sales or loss) and complementary suppression against the published total
      (:func:`jiqun.analytics.viewer_disclosure.protect_rows`). A suppressed row keeps its key
      and has ``firms``, ``affected``, ``sales``, ``output_loss`` and ``loss_share`` null,
      ``suppressed`` True and ``disclosure`` "保密 / suppressed".
    - ``summary``: when a table's total is needed for the protection, the summed figures
      (``output_loss``, ``loss_share``, ``revenue_at_risk``, ``stopped_value``) are null.

    Parameters
    ----------
    rep:
        The full report (:func:`scenario`).
    principal:
        The caller; ``None`` (the local operator, CLI) or an admin see everything.
    engine:
        Database.
    client:
        The caller's address for the audit log.

    Returns
    -------
    ScenarioReport
        A copy; ``hidden`` counts the rows left out of ``firms`` and ``alternatives``.

    References
    ----------
    ``docs/disclosure.md`` (primary and complementary rules).

    Example
    -------
    >>> disclose_scenario(scenario(lockdown="440300"), user).by_region  # doctest: +SKIP
    """
    if principal is None or principal.role == "admin":
        out = ScenarioReport(**{**rep.__dict__})
        for name in ("by_region", "by_industry"):
            t = getattr(out, name).copy()
            t["suppressed"] = False
            t["disclosure"] = None
            setattr(out, name, t)
        return out
    engine = engine or get_engine()
    hidden: dict[str, int] = {}
    firms, hidden["firms"] = access.visible_rows(principal, rep.firms, "id", engine, client)
    alt = rep.alternatives
    if len(alt):
        n0 = len(alt)
        alt, _h = access.visible_rows(principal, alt, "candidate", engine, client)
        failed = alt[["failed"]].rename(columns={"failed": "uscc"})
        failed_ok, _n = access.visible_rows(principal, failed, "uscc", engine, client)
        alt = alt[alt["failed"].isin(set(failed_ok["uscc"]))]
        hidden["alternatives"] = n0 - len(alt)
    net = rep.result.firms
    members = net.reset_index().rename(columns={net.index.name or "index": "uscc"})
    members = members[["uscc", "region", "industry", "sales", "output_loss"]].copy()
    prov, div = group_keys(members)
    members["province"], members["division"] = prov.to_numpy(), div.to_numpy()
    seen, _n = access.visible_rows(principal, members[["uscc"]], "uscc", engine)
    known = set(seen["uscc"].astype(str))
    summary = dict(rep.summary)
    tables: dict[str, pd.DataFrame] = {}
    n_suppressed = 0
    for name, key in (("by_region", "province"), ("by_industry", "division")):
        t = getattr(rep, name).reset_index()
        p = protect_rows(
            t,
            members,
            key=key,
            shown=_AGG_FIGURES,
            known=known,
            values=("sales", "output_loss"),
        )
        tables[name] = p.table.set_index(key)
        n_suppressed += p.n_suppressed
        if p.total_suppressed:
            for k in _SUMMARY_MAGNITUDES:
                if k in summary:
                    summary[k] = None
    notes = list(rep.notes)
    if n_suppressed:
        notes.append(
            f"{n_suppressed} 行汇总数据按披露控制规则保密（少于 3 家企业、一家占比超过 85%，或为防止"
            f"由合计反推）/ {n_suppressed} aggregate row(s) suppressed by disclosure control "
            "(fewer than 3 firms, one firm above 85 %, or to protect those against the totals)"
        )
    return ScenarioReport(
        rep.result,
        firms,
        tables["by_region"],
        tables["by_industry"],
        alt,
        summary,
        rep.basis,
        notes,
        hidden,
    )


def scenario_for(
    principal: Principal | None,
    kind: str,
    target: str,
    engine: Engine | None = None,
    client: str | None = None,
    **options: Any,
) -> ScenarioReport:
    """Run a scenario for a caller: the one decision of the web pages and the REST API.

    ``kind`` is ``firm`` (a credit code fails), ``region`` (a lockdown) or ``import_stop``
    (also ``import``). A firm scenario needs a firm the caller may read (404 otherwise:
    :func:`access.require_scenario`); the result is :func:`disclose_scenario`.

    Parameters
    ----------
    principal:
        The caller (``None``: the local operator).
    kind, target:
        The scenario.
    engine:
        Database.
    client:
        The caller's address for the audit log.
    **options:
        Further arguments of :func:`scenario` (``outside``, ``region``, ``cluster``, ``year``,
        ``model``, ``theta``, ``alternatives`` …).

    Returns
    -------
    ScenarioReport

    Raises
    ------
    jiqun.services.access.AccessDenied
        401 for the public; :class:`jiqun.services.access.NotFound` for a firm it may not read.
    JiqunError
        An unknown kind, or the errors of :func:`scenario`.

    Example
    -------
    >>> scenario_for(user, "region", "440300").by_region  # doctest: +SKIP
    """
    k = kind.strip().lower()
    k = {"import": "import_stop", "import-stop": "import_stop"}.get(k, k)
    if k not in ("firm", "region", "import_stop"):
        raise JiqunError(
            f"未知的情景类型 {kind!r}（firm、region、import）",
            f"unknown scenario kind {kind!r} (firm, region, import)",
        )
    engine = engine or get_engine()
    if principal is not None:
        access.require_scenario(principal, k, target, engine, client)
    rep = scenario(
        engine,
        firm=target if k == "firm" else None,
        lockdown=target if k == "region" else None,
        import_stop_industry=target if k == "import_stop" else None,
        **options,
    )
    return disclose_scenario(rep, principal, engine, client)


@dataclass
class ScenarioPage:
    """A scenario as answered to one caller: every table with its size before paging and the
    rows left out for the caller, and the notes (with one on the rows left out)."""

    summary: dict[str, Any]
    basis: dict[str, Any]
    notes: list[str]
    #: name → (rows returned, rows before paging, rows left out for the caller)
    tables: dict[str, tuple[pd.DataFrame, int, int]]


def scenario_page(
    principal: Principal,
    kind: str,
    target: str,
    engine: Engine | None = None,
    client: str | None = None,
    *,
    limit: int = 100,
    offset: int = 0,
    fmt: str = "json",
    **options: Any,
) -> ScenarioPage:
    """Run a scenario for a caller (:func:`scenario_for`), page its ``firms`` table and write
    ONE audit entry (``scenario``) naming the firms whose rows are returned: the firms of the
    page, the failed firms and the candidates of the alternatives.

    Parameters
    ----------
    principal:
        The caller (the CLI's is :func:`jiqun.services.access.local_principal`).
    kind, target:
        The scenario (see :func:`scenario_for`).
    engine:
        Database.
    client:
        The caller's address for the audit log.
    limit, offset:
        The page of the ``firms`` table (largest loss first) for a JSON answer.
    fmt:
        The answer's format: ``json`` is paged; a download (``xlsx``) holds every row. Recorded
        in the audit entry with the scope and the page.
    **options:
        Further arguments of :func:`scenario` (``outside``, ``region``, ``cluster``, ``year``,
        ``model``, ``theta``, ``alternatives`` …).

    Returns
    -------
    ScenarioPage

    Raises
    ------
    jiqun.services.access.AccessDenied, jiqun.services.access.NotFound, JiqunError
        As :func:`scenario_for`.

    Example
    -------
    >>> scenario_page(user, "region", "440300", limit=20).tables["firms"][1]  # doctest: +SKIP
    """
    engine = engine or get_engine()
    rep = scenario_for(principal, kind, target, engine, client, **options)
    tables: dict[str, tuple[pd.DataFrame, int, int]] = {}
    for name, df in rep.tables().items():
        total = len(df)
        if name == "firms" and fmt == "json":
            df = df.iloc[offset : offset + limit]
        tables[name] = (df, total, rep.hidden.get(name, 0))
    named = [
        u
        for name, cols in (("firms", ("id",)), ("alternatives", ("failed", "candidate")))
        if name in tables
        for c in cols
        if c in tables[name][0]
        for u in tables[name][0][c].dropna().astype(str)
    ]
    access.audit_read(
        principal,
        "scenario",
        named,
        resource=f"scenario:{kind}:{target}",
        params={
            "kind": kind,
            "target": target,
            "scope_region": options.get("region"),
            "scope_cluster": options.get("cluster"),
            "limit": limit,
            "offset": offset,
            "format": fmt,
        },
        client=client,
        engine=engine,
    )
    notes = list(rep.notes)
    n_hidden = sum(h for _df, _t, h in tables.values())
    if n_hidden:
        notes.append(
            f"{n_hidden} 行涉及您无权查看的企业，未显示 / {n_hidden} rows about enterprises you "
            "may not read are not shown"
        )
    return ScenarioPage(rep.summary, rep.basis, notes, tables)


# --------------------------------------------------------------------------------------------
# web helpers
# --------------------------------------------------------------------------------------------


@dataclass
class WebResult:
    """One table with its basis and notes (the shape ``_resilience.html`` renders)."""

    table: pd.DataFrame
    basis: dict[str, Any]
    notes: list[str]


#: basis line naming the rule-built essentiality matrix of a hot-spot table
RULES_MATRIX_BASIS = (
    "必要性矩阵：规则矩阵（按 GB/T 4754 规则生成，非调查数据）/ essentiality matrix: the "
    "rule-built one (GB/T 4754 rules, not survey data)"
)


def cluster_hot_spots(
    cluster_id: str,
    engine: Engine | None = None,
    top: int = 10,
    essentiality: str | None = None,
    io_table: str | Path | None = None,
) -> WebResult:
    """The cluster's supply-chain hot spots: its most systemic suppliers (ESRI) and chokepoints.

    Stored per data version (the refresh job computes the default, rule-built one). With
    ``essentiality="io"`` the input–output alternative is computed and stored under the
    table's identity (resolved path and mtime), so a replaced table is not served from the
    old one.

    Parameters
    ----------
    cluster_id:
        Cluster id.
    engine:
        Database.
    top:
        Rows.
    essentiality:
        ``None``/``"rules"`` (default: the rule-built matrix) or ``"io"``
        (:func:`jiqun.resilience.io_essentiality` from the input–output table).
    io_table:
        Input–output table for ``"io"`` (default ``JIQUN_IO_TABLE``).

    Returns
    -------
    WebResult
        ``table``: name, region, industry, ESRI (down/up), sales, nodes dominated;
        ``basis["essentiality_matrix"]`` says which matrix was used.

    Raises
    ------
    JiqunError
        ``"io"`` with no table given or configured, or an unknown ``essentiality``.

    References
    ----------
    ``docs/resilience.md``.

    Example
    -------
    >>> cluster_hot_spots("NC2021-03").table.head()  # doctest: +SKIP
    """
    from jiqun.services.chains import io_table_identity

    if essentiality_option(essentiality) is None:
        return _hot_spots(cluster_id, engine=engine, top=top)
    ident = io_table_identity(io_table)
    if ident is None:
        raise _no_io_table()
    return _hot_spots(cluster_id, engine=engine, top=top, io_identity=ident)


@materialised("hot-spots")
def _hot_spots(
    cluster_id: str,
    engine: Engine | None = None,
    top: int = 10,
    io_identity: tuple[str, float] | None = None,
) -> WebResult:
    # ``io_identity`` (path, mtime) is part of the stored-result key: the table is read from
    # the file system, not the store, so the data version alone does not key it
    io = io_identity is not None
    rep = resilience_metrics(
        engine,
        cluster=cluster_id,
        top=top,
        esri_candidates=max(50, top),
        essentiality=IO_ESSENTIALITY if io else None,
        io_table=io_identity[0] if io_identity is not None else None,
    )
    t = rep.esri.copy()
    dom = rep.spof.set_index("id")["dominated"] if len(rep.spof) else pd.Series(dtype=int)
    t["dominated"] = t["id"].map(dom).fillna(0).astype(int)
    cols = ["id", "name", "region", "industry", "esri", "esri_down", "esri_up", "sales"]
    cols.append("dominated")
    notes = [
        *rep.notes,
        f"单一来源占比 single-sourced (buyer, input) pairs: "
        f"{rep.summary['single_sourced_count_share']:.1%} (count), "
        f"{rep.summary['single_sourced_value_share']:.1%} (value)",
    ]
    matrix = (
        f"必要性矩阵：投入产出表 {Path(io_identity[0]).name} / essentiality matrix: from the "
        f"input-output table {Path(io_identity[0]).name}"
        if io_identity is not None
        else RULES_MATRIX_BASIS
    )
    basis = {**rep.basis, "essentiality_matrix": matrix}
    return WebResult(t[[c for c in cols if c in t.columns]], basis, notes)


def hot_spots_for(
    principal: Any,
    cluster_id: str,
    engine: Engine | None = None,
    top: int = 10,
    client: str | None = None,
    essentiality: str | None = None,
) -> WebResult:
    """The hot-spot table of a cluster for one reader (web page, REST API, CLI); audited.

    :func:`cluster_hot_spots` computed once per data version, then: firm-level sales only for
    an admin (they stay with the records' owners), and ONE audit entry (``read_hot_spots``)
    naming the firms in the table (column ``id``, their credit codes) and the query.

    Parameters
    ----------
    principal: a logged-in reader (401 for the public); the CLI passes
        :func:`jiqun.services.access.local_principal`.
    cluster_id: the cluster.
    engine: the database.
    top: rows (1 … 100).
    client: the client address for the audit entry.
    essentiality: ``None``/``"rules"`` (default) or ``"io"`` (the configured input–output
        table, :func:`cluster_hot_spots`).

    Returns
    -------
    WebResult

    Example
    -------
    >>> hot_spots_for(access.local_principal(), "NC2021-03").table.head()  # doctest: +SKIP
    """
    from jiqun.services import access

    access.require_role(principal, "admin", "government", "cluster", "enterprise")
    engine = engine or get_engine()
    top = max(1, min(int(top), 100))
    res = cluster_hot_spots(cluster_id, engine=engine, top=top, essentiality=essentiality)
    table = res.table.copy()
    if principal.role != "admin":
        table = table.drop(columns=[c for c in ("sales",) if c in table.columns])
    access.audit_read(
        principal,
        "read_hot_spots",
        table["id"].dropna().astype(str).tolist() if "id" in table else [],
        resource=f"cluster:{cluster_id}",
        params={"cluster": cluster_id, "top": top, **_io_audit(essentiality)},
        client=client,
        engine=engine,
    )
    return WebResult(table, res.basis, list(res.notes))


def metrics_for(principal: Any, client: str | None = None, **kwargs: Any) -> MetricsReport:
    """:func:`resilience_metrics` for one reader; ONE audit entry (``read_resilience_metrics``)
    naming the firms of its firm-level tables (ESRI, single points of failure) and the query.

    Parameters
    ----------
    principal: the reader (the CLI passes :func:`jiqun.services.access.local_principal`); an
        admin, since the tables carry firm sales.
    client: the client address for the audit entry.
    kwargs: the arguments of :func:`resilience_metrics`.

    Returns
    -------
    MetricsReport

    Example
    -------
    >>> metrics_for(access.local_principal(), cluster="NC2021-03", top=10)  # doctest: +SKIP
    """
    from jiqun.services import access

    access.require_role(principal, "admin")
    rep = resilience_metrics(**kwargs)
    firms = [str(u) for t in (rep.esri, rep.spof) if "id" in t.columns for u in t["id"].dropna()]
    params = {k: v for k, v in kwargs.items() if k != "engine" and isinstance(v, str | int | float)}
    access.audit_read(
        principal,
        "read_resilience_metrics",
        firms,
        resource="resilience",
        params=params,
        client=client,
        engine=kwargs.get("engine"),
    )
    return rep


def audit_operator_scenario(rep: ScenarioReport, rows: int | None, params: dict[str, Any]) -> None:
    """ONE audit entry (``scenario``, as the local operator) for a scenario run from the
    command line, naming the firms of the tables printed (``rows`` first rows of the firm
    table; ``None``: all of them, as when the tables are written to a file).

    Example
    -------
    >>> audit_operator_scenario(rep, 20, {"firm": "91…"})  # doctest: +SKIP
    """
    firms = rep.firms if rows is None else rep.firms.head(rows)
    shown = firms["id"].dropna().astype(str).tolist() if "id" in firms.columns else []
    access.audit_read(
        access.local_principal(), "scenario", shown, resource="scenario:cli", params=params
    )


def scenario_loss(
    principal: Principal | None,
    kind: str,
    target: str,
    engine: Engine | None = None,
    client: str | None = None,
    essentiality: str | None = None,
) -> WebResult:
    """Web scenario: ``kind`` = ``firm`` / ``region`` / ``import``; losses by province only.

    Firm-level results are not returned (aggregates by province, with firm counts); the rows
    are those the user may see (:func:`scenario_for`: a firm scenario only for a firm it may
    read, rows of firms it may not read under disclosure control). A run is audited
    (``scenario_run``).

    Parameters
    ----------
    principal:
        The signed-in user (``None``: the local operator, who sees every row).
    kind, target:
        Scenario kind and its target (credit code, region code, industry code).
    engine:
        Database.
    client:
        The caller's address for the audit log.
    essentiality:
        ``None``/``"rules"`` (the rule-built matrix) or ``"io"`` (the configured input–output
        table; refused when none is configured): :func:`essentiality_option`.

    Returns
    -------
    WebResult

    Example
    -------
    >>> scenario_loss(user, "region", "440300").table  # doctest: +SKIP
    """
    ess = essentiality_option(essentiality)
    rep = scenario_for(principal, kind, target, engine, client, essentiality=ess)
    if principal is not None:
        access.audit(
            principal,
            "scenario_run",
            f"scenario:{kind}",
            detail={"target": target, **_io_audit(ess)},
            client=client,
            engine=engine,
        )
    s = rep.summary
    share = "保密 / suppressed" if s.get("loss_share") is None else f"{s['loss_share']:.2%}"
    notes = [
        *rep.notes,
        f"受冲击企业 shocked {s['shocked']:,}; 受影响企业 affected {s['affected']:,}; "
        f"损失占比 loss share {share}",
    ]
    return WebResult(rep.table, rep.basis, notes)


# --------------------------------------------------------------------------------------------
# output files
# --------------------------------------------------------------------------------------------


def write_output(report: MetricsReport | ScenarioReport, path: str | Path) -> Path:
    """Write a report to ``.xlsx`` (one sheet per table + summary, basis, notes), ``.json`` or
    ``.csv`` (the main table: per-firm losses, or the ESRI table).

    Parameters
    ----------
    report:
        :class:`MetricsReport` or :class:`ScenarioReport`.
    path:
        Output file.

    Returns
    -------
    pathlib.Path

    Example
    -------
    >>> write_output(resilience_metrics(), "metrics.xlsx")  # doctest: +SKIP
    """
    p = Path(path)
    ext = p.suffix.lower()
    tables = report.tables()
    p.parent.mkdir(parents=True, exist_ok=True)
    if ext == ".csv":
        write_table(p, report.firms if isinstance(report, ScenarioReport) else report.esri)
    elif ext == ".json":
        doc = {
            "summary": json_value(report.summary),
            "basis": json_value(report.basis),
            "notes": report.notes,
            "tables": {
                k: json.loads(v.to_json(orient="records", force_ascii=False))
                for k, v in tables.items()
            },
        }
        p.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    elif ext == ".xlsx":
        summary = {"key": list(report.summary), "value": [str(v) for v in report.summary.values()]}
        basis = {"key": list(report.basis), "value": [str(v) for v in report.basis.values()]}
        head = {"summary": summary, "basis": basis, "notes": {"note": report.notes}}
        write_table(p, {k: pd.DataFrame(v) for k, v in head.items()} | tables)
    else:
        raise JiqunError(
            f"输出文件须为 .xlsx、.json 或 .csv：{p}",
            f"the output file must be .xlsx, .json or .csv: {p}",
        )
    return p
