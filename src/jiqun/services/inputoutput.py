"""Input–output analysis for the interfaces: read a user-supplied table, compute, state the basis.

The NBS tables are not shipped (``docs/inputoutput.md``): the CLI takes a file argument, the web
uses the table configured with ``JIQUN_IO_TABLE`` (:func:`jiqun.config.io_table_path`). Without
one, :func:`cluster_io_linkages` says so in Chinese and English and returns no numbers.

Conventions (also in every report's ``basis``): in the 42-sector **non-competitive** layout the
analysis uses the **domestic** flows (``Domestic`` rows), so multipliers and linkages measure
the pull on domestic production; in the **competitive** layout imports cannot be separated by
user and the total flows are used (with final demand net of imports). Forward linkages are from
the **Ghosh** inverse (Miller & Blair 2009, §12.2.2).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from jiqun import reference
from jiqun.config import io_table_path
from jiqun.errors import JiqunError
from jiqun.inputoutput import (
    IOTable,
    allocation_coefficients,
    coefficients,
    ghosh_inverse,
    hypothetical_extraction,
    key_sectors,
    leontief_inverse,
    output_multipliers,
    read_io_table,
)
from jiqun.inputoutput.sectors import IO42_VERIFICATION, io_sector_weights

__all__ = [
    "IOReport",
    "cluster_io_linkages",
    "extraction_report",
    "linkage_report",
    "load_io_table",
    "multiplier_report",
]


@dataclass
class IOReport:
    """A table with the basis it was computed on and notes for the reader."""

    table: pd.DataFrame
    basis: dict[str, str]
    notes: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> IOTable:
    return read_io_table(path)


def load_io_table(path: str | Path) -> IOTable:
    """Read (and cache while the file is unchanged) an input–output table.

    Parameters
    ----------
    path:
        The table file (:func:`jiqun.inputoutput.read_io_table`).

    Returns
    -------
    jiqun.inputoutput.IOTable

    Raises
    ------
    JiqunError
        When the file does not exist or is not in a known layout.

    References
    ----------
    ``docs/inputoutput.md`` ("Supplying a table").

    Example
    -------
    >>> load_io_table("china_2020_42.csv").layout  # doctest: +SKIP
    'nbs42_noncompetitive'
    """
    p = Path(path)
    if not p.is_file():
        raise JiqunError(f"找不到投入产出表文件：{p}", f"no input-output table file at {p}")
    return _read(str(p.resolve()), p.stat().st_mtime)


def _flows(t: IOTable) -> tuple[pd.DataFrame, pd.Series, str]:
    zd, fd = t.domestic_flows()
    if t.Z_domestic is not None:
        return zd, fd, "domestic flows (Domestic rows) / 国内产品流量（非竞争型进口表）"
    return (
        zd,
        fd,
        "total flows, final demand net of imports / 总流量，最终需求扣除进口（竞争型进口表）",
    )


def _basis(t: IOTable, path: str | Path, flows: str) -> dict[str, str]:
    return {
        "table": f"{Path(path).name} ({t.layout}, {t.year or '?'}, {len(t.codes)} sectors)",
        "unit": t.unit,
        "flows": flows,
        "forward": "Ghosh inverse row sums, Rasmussen-Hirschman normalised / 前向关联：Ghosh 逆矩阵",
        "source": "Miller & Blair (2009), ch. 2, 6, 12",
    }


def _analysis(t: IOTable) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
    zd, _fd, flows = _flows(t)
    L = leontief_inverse(coefficients(zd, t.x))
    G = ghosh_inverse(allocation_coefficients(zd, t.x))
    ks = key_sectors(L, G)
    return L, G, ks, flows


def linkage_report(path: str | Path, *, top: int | None = None) -> IOReport:
    """Backward/forward linkages and key-sector classes of every sector, strongest first.

    Parameters
    ----------
    path:
        The table file (:func:`jiqun.inputoutput.read_io_table`).
    top:
        Keep the ``top`` sectors by backward linkage (default all).

    Returns
    -------
    IOReport
        ``sector, name_zh, name_en, backward, forward, output_multiplier, class, class_zh,
        class_en``.

    References
    ----------
    Miller & Blair (2009), §12.2; :func:`jiqun.inputoutput.key_sectors`.

    Example
    -------
    >>> linkage_report("china_2020_42.csv", top=3).table["sector"].tolist()  # doctest: +SKIP
    ['08', '07', '19']
    """
    t = load_io_table(path)
    L, _G, ks, flows = _analysis(t)
    df = ks.assign(output_multiplier=output_multipliers(L))
    df = df.join(t.sectors.set_index("code")[["name_zh", "name_en"]])
    df = df.rename_axis("sector").reset_index()
    df = df.sort_values("backward", ascending=False, kind="stable")
    if top is not None:
        df = df.head(top)
    cols = ["sector", "name_zh", "name_en", "backward", "forward", "output_multiplier", "class"]
    cols += ["class_zh", "class_en"]
    return IOReport(df[cols].reset_index(drop=True), _basis(t, path, flows))


def multiplier_report(path: str | Path) -> IOReport:
    """Output multipliers (column sums of ``L``) of every sector, largest first.

    Parameters
    ----------
    path:
        The table file.

    Returns
    -------
    IOReport
        ``sector, name_zh, name_en, output_multiplier, output`` (gross output, 万元).

    References
    ----------
    Miller & Blair (2009), §6.2.1.

    Example
    -------
    >>> multiplier_report("china_2020_42.csv").table.iloc[0]["sector"]  # doctest: +SKIP
    '08'
    """
    t = load_io_table(path)
    L, _G, _ks, flows = _analysis(t)
    df = pd.DataFrame({"output_multiplier": output_multipliers(L), "output": t.x})
    df = df.join(t.sectors.set_index("code")[["name_zh", "name_en"]])
    df = df.rename_axis("sector").reset_index()
    df = df.sort_values("output_multiplier", ascending=False, kind="stable")
    cols = ["sector", "name_zh", "name_en", "output_multiplier", "output"]
    return IOReport(df[cols].reset_index(drop=True), _basis(t, path, flows))


def _resolve_sectors(t: IOTable, sectors: list[str]) -> list[str]:
    by_name = {n: c for c, n in zip(t.sectors["code"], t.sectors["name_zh"], strict=True)}
    out = []
    for s in sectors:
        s = s.strip()
        if s in t.codes:
            out.append(s)
        elif s.isdigit() and s.zfill(len(t.codes[0])) in t.codes:
            out.append(s.zfill(len(t.codes[0])))
        elif s in by_name:
            out.append(by_name[s])
        else:
            raise JiqunError(
                f"表中没有部门 {s}（请用部门代码或完整中文名称）",
                f"no sector {s} in the table (use a sector code or its full Chinese name)",
            )
    return list(dict.fromkeys(out))


def extraction_report(path: str | Path, sectors: list[str], *, mode: str = "full") -> IOReport:
    """Hypothetical extraction of ``sectors`` (jointly): output lost by every sector.

    Parameters
    ----------
    path:
        The table file.
    sectors:
        Sector codes (``"14"``) or full Chinese names (``"电气机械和器材"``).
    mode:
        ``full``, ``backward`` or ``forward`` (:func:`jiqun.inputoutput.hypothetical_extraction`).

    Returns
    -------
    IOReport
        ``sector, name_zh, name_en, output, output_after, loss, loss_share`` (万元), largest
        loss first; ``basis["total_loss"]`` and ``basis["total_loss_share"]``.

    References
    ----------
    Miller & Blair (2009), §12.2.5; Dietzenbacher et al. (1993).

    Example
    -------
    >>> extraction_report("china_2020_42.csv", ["14"]).basis["mode"]  # doctest: +SKIP
    'full'
    """
    t = load_io_table(path)
    codes = _resolve_sectors(t, sectors)
    zd, fd, flows = _flows(t)
    he = hypothetical_extraction(zd, fd, codes, mode=mode)
    df = he.join(t.sectors.set_index("code")[["name_zh", "name_en"]])
    df = df.rename_axis("sector").reset_index().sort_values("loss", ascending=False)
    basis = _basis(t, path, flows)
    basis["extracted"] = ", ".join(codes)
    basis["mode"] = mode
    basis["total_loss"] = f"{he.attrs['total_loss']:,.0f} {t.unit}"
    basis["total_loss_share"] = f"{he.attrs['total_loss_share']:.2%}"
    cols = ["sector", "name_zh", "name_en", "output", "output_after", "loss", "loss_share"]
    return IOReport(df[cols].reset_index(drop=True), basis)


NOT_CONFIGURED = (
    "未配置投入产出表：管理员可设置 JIQUN_IO_TABLE 为国家统计局 42 部门投入产出表文件（CSV/XLSX）。本系统不附带该表，故此处不显示任何数字。",
    "No input-output table is configured: an administrator can set JIQUN_IO_TABLE to an NBS "
    "42-sector input-output table (CSV/XLSX). Jiqun ships none, so no figures are shown here.",
)


def cluster_io_linkages(
    cluster_id: str, engine: Engine | None = None, path: str | Path | None = None
) -> dict[str, Any]:
    """Linkages of a cluster's leading industries in the configured (or given) NBS table.

    Each leading industry (GB/T 4754 code) is placed in its IO sector(s) of the table's
    classification (42, 149 or 153 sectors) through the shipped mappings
    (:func:`jiqun.inputoutput.sectors.io_sector_weights`: one sector, or a coarse code split
    equally over the detailed sectors it spans, one row each with ``io_sector_share``); the
    sector's backward and forward linkages, output multiplier and key-sector class are reported
    with the sector's rank among all sectors of the table.

    Parameters
    ----------
    cluster_id:
        The cluster.
    engine:
        Database (default: the configured one).
    path:
        Table file; default :func:`jiqun.config.io_table_path` (``JIQUN_IO_TABLE``).

    Returns
    -------
    dict
        ``configured`` (bool), ``message_zh``/``message_en`` (when not configured), ``rows``
        (``industry_code, industry_name, io_sector, io_sector_name, io_sector_share, backward,
        forward, output_multiplier, backward_rank, forward_rank, class, class_zh, class_en``),
        ``basis`` and ``notes``.

    Raises
    ------
    JiqunError
        When the cluster does not exist (404) or the table is not an NBS 42/149/153-sector table.

    References
    ----------
    ``docs/inputoutput.md``; Miller & Blair (2009), §12.2.

    Example
    -------
    >>> cluster_io_linkages("NC2021-02")["configured"]  # doctest: +SKIP
    False
    """
    from jiqun.services import directory

    directory.require_cluster(cluster_id, engine)
    cl = directory.cluster_frame(engine)
    leading = cl.loc[cl["cluster_id"] == cluster_id, "leading_industries"].iloc[0]
    path = path if path is not None else io_table_path()
    if path is None:
        zh, en = NOT_CONFIGURED
        return {
            "configured": False,
            "message_zh": zh,
            "message_en": en,
            "rows": [],
            "basis": {},
            "notes": [],
        }
    t = load_io_table(path)
    classification = {42: "nbs42", 149: "2017_149", 153: "2018_153"}.get(len(t.codes))
    if classification is None:
        raise JiqunError(
            "集群主导产业的投入产出关联需要国家统计局 42、149 或 153 部门表（已附行业对照）",
            "linkages of a cluster's leading industries need an NBS 42-, 149- or 153-sector "
            "table (the ones with a shipped industry mapping)",
        )
    L, _G, ks, flows = _analysis(t)
    ks = ks.assign(
        output_multiplier=output_multipliers(L),
        backward_rank=ks["backward"].rank(ascending=False, method="min").astype(int),
        forward_rank=ks["forward"].rank(ascending=False, method="min").astype(int),
    )
    names = t.names("zh")
    rows = []
    notes: list[str] = [IO42_VERIFICATION]
    for code in leading:
        weights = io_sector_weights(code, classification)
        if not weights:
            notes.append(f"{code}: 无对应投入产出部门 / no IO sector")
            weights = {"": 1.0}
        for sec, share in weights.items():
            row: dict[str, Any] = {
                "industry_code": code,
                "industry_name": reference.industry_name(code) or "",
                "io_sector": sec or None,
                "io_sector_name": names.get(sec, "") if sec else "",
                "io_sector_share": share,
            }
            if sec in ks.index:
                r = ks.loc[sec]
                for k in ("backward", "forward", "output_multiplier"):
                    row[k] = float(r[k])
                for k in ("backward_rank", "forward_rank"):
                    row[k] = int(r[k])
                for k in ("class", "class_zh", "class_en"):
                    row[k] = str(r[k])
            rows.append(row)
    if any(r["io_sector_share"] < 1.0 for r in rows):
        notes.append(
            "主导产业跨多个投入产出部门时逐部门列出，份额按等分假定（对照表无产出份额） / a leading "
            "industry spanning several IO sectors is listed once per sector, its share split "
            "equally (the mapping carries no output shares)"
        )
    if len({r["io_sector"] for r in rows}) < len({r["industry_code"] for r in rows}):
        notes.append(
            "多个主导产业属于同一投入产出部门，数值相同 / several leading industries share one IO "
            "sector and so share its figures"
        )
    return {
        "configured": True,
        "rows": rows,
        "basis": _basis(t, path, flows),
        "notes": notes,
    }
