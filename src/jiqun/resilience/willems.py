"""Reader for the 38 real multi-echelon supply chains of Willems (2008).

Two file formats are read (``../shared/datasets/willems_2008``):

``invnet_full/NN.csv`` (InvNet export, MIT)
    Row 1 is ``/chain``; row 2 holds XPath-like headers (``/arcs/arc/@from``, ``/arcs/arc/@to``,
    ``/stages/stage/@stageName``, ``@stageClassification``, ``@stageCost``, ``@stageTime``,
    ``@avgDemand``, ``@stDevDemand``, ``@serviceLevel``, …); then one row per arc (``@from``
    and ``@to`` filled) or per stage (``@stageName`` filled). Header order differs between files,
    so columns are found by name.
``snc_simplified/willems_NN.csv`` (Apache-2.0)
    ``stage_id, lead_time, max_s_time, cost_rate, risk_pool, ext_demand_mean, ext_demand_std,
    ext_demand_thres, up_stages``; ``up_stages`` continues over the remaining cells as
    ``supplier, units`` pairs.

Stage classes are kept as written (Part, Manuf, Dist, Trans, Retail; chain 19 writes "Parts").

References
----------
- Willems, S. P. (2008). Real-world multiechelon supply chains used for inventory optimization.
  *Manufacturing & Service Operations Management* 10(1), 19–23.
- InvNet-GSM (durianh96, MIT) for the ``invnet_full`` export; stochasticnetworkcontrol/snc
  (Apache-2.0) for ``snc_simplified``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from jiqun.standard.problems import JiqunError

__all__ = ["read_willems"]

_STAGE_COLS = ["id", "stage_class", "cost", "time", "demand"]

# InvNet header → output column
_INVNET = {
    "/stages/stage/@stageName": "id",
    "/stages/stage/@stageClassification": "stage_class",
    "/stages/stage/@stageCost": "cost",
    "/stages/stage/@stageTime": "time",
    "/stages/stage/@avgDemand": "demand",
    "/stages/stage/@stDevDemand": "demand_sd",
    "/stages/stage/@stDevStageTime": "time_sd",
    "/stages/stage/@serviceLevel": "service_level",
    "/stages/stage/@maxServiceTime": "max_service_time",
    "/stages/stage/@relDepth": "depth",
}
_FROM, _TO = "/arcs/arc/@from", "/arcs/arc/@to"


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.replace("", np.nan), errors="coerce").astype(float)


def _read_invnet(rows: list[list[str]], path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    header = rows[1]
    if _FROM not in header or _TO not in header or "/stages/stage/@stageName" not in header:
        raise JiqunError(
            f"{path} 不是 InvNet 供应链文件（第 2 行缺少 arcs/stages 表头）",
            f"{path} is not an InvNet chain file (row 2 lacks the arcs/stages headers)",
        )
    width = len(header)
    body = [r + [""] * (width - len(r)) for r in rows[2:] if any(c.strip() for c in r)]
    df = pd.DataFrame([r[:width] for r in body], columns=header, dtype=str)
    is_arc = df[_FROM].str.strip() != ""
    is_stage = df["/stages/stage/@stageName"].str.strip() != ""
    arcs = pd.DataFrame(
        {"supplier": df.loc[is_arc, _FROM].str.strip(), "buyer": df.loc[is_arc, _TO].str.strip()}
    ).reset_index(drop=True)
    st = df.loc[is_stage, [c for c in _INVNET if c in df.columns]].rename(columns=_INVNET)
    st["id"] = st["id"].str.strip()
    for c in st.columns:
        if c not in ("id", "stage_class"):
            st[c] = _num(st[c])
    st["demand"] = st["demand"].fillna(0.0)
    return st.reset_index(drop=True), arcs


def _read_snc(rows: list[list[str]], path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    header = rows[0]
    need = ["stage_id", "lead_time", "cost_rate", "ext_demand_mean", "up_stages"]
    if any(h not in header for h in need):
        raise JiqunError(
            f"{path} 不是 snc 简化供应链文件", f"{path} is not an snc_simplified chain file"
        )
    k_up = header.index("up_stages")
    ids, cls, cost, time, dem, dsd = [], [], [], [], [], []
    sup, buy, units = [], [], []
    col = {h: i for i, h in enumerate(header)}
    for r in rows[1:]:
        if not r or not r[0].strip():
            continue
        r = r + [""] * (len(header) - len(r))
        sid = r[0].strip()
        ids.append(sid)
        cls.append(sid.split("_")[0])
        cost.append(r[col["cost_rate"]])
        time.append(r[col["lead_time"]])
        dem.append(r[col["ext_demand_mean"]])
        dsd.append(r[col["ext_demand_std"]] if "ext_demand_std" in col else "")
        rest = [c.strip() for c in r[k_up:]]
        for a in range(0, len(rest) - 1, 2):
            if rest[a]:
                sup.append(rest[a])
                buy.append(sid)
                units.append(rest[a + 1])
    stages = pd.DataFrame(
        {"id": ids, "stage_class": cls, "cost": cost, "time": time, "demand": dem, "demand_sd": dsd}
    )
    for c in ("cost", "time", "demand", "demand_sd"):
        stages[c] = _num(stages[c])
    stages["demand"] = stages["demand"].fillna(0.0)
    arcs = pd.DataFrame({"supplier": sup, "buyer": buy, "units": _num(pd.Series(units))})
    return stages, arcs


def _read_one(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise JiqunError(f"{path} 是空文件", f"{path} is empty")
    first = rows[0][0].strip() if rows[0] else ""
    if first == "/chain":
        stages, arcs = _read_invnet(rows, path)
    elif first == "stage_id":
        stages, arcs = _read_snc(rows, path)
    else:
        raise JiqunError(
            f"无法识别 {path} 的格式（第一格应为 /chain 或 stage_id）",
            f"unknown format of {path} (first cell should be /chain or stage_id)",
        )
    dup = stages["id"][stages["id"].duplicated()]
    if len(dup):
        raise JiqunError(
            f"{path} 中环节名称重复：{list(dup.unique()[:5])}",
            f"{path} repeats stage names: {list(dup.unique()[:5])}",
        )
    known = set(stages["id"])
    bad = sorted((set(arcs["supplier"]) | set(arcs["buyer"])) - known)
    if bad:
        raise JiqunError(
            f"{path} 的连线引用了不存在的环节：{bad[:5]}",
            f"arcs of {path} name unknown stages: {bad[:5]}",
        )
    return stages, arcs


def read_willems(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one Willems (2008) supply chain, or every chain of a folder.

    Each stage becomes a node and each arc a supplier → buyer link (material flows from
    ``@from`` to ``@to``). ``demand`` is the mean external demand per period (0 where the stage
    has none), ``cost`` the stage cost added, ``time`` the stage (processing/lead) time.

    Source: the InvNet and snc exports of Willems (2008), see the module docstring.

    Parameters
    ----------
    path:
        A chain file (``invnet_full/NN.csv`` or ``snc_simplified/willems_NN.csv``; detected from
        its first cell) or a folder of such files (read in name order).

    Returns
    -------
    (stages, arcs)
        ``stages``: ``id``, ``stage_class``, ``cost``, ``time``, ``demand`` (+ ``chain`` and, where
        the file has them, ``demand_sd``, ``time_sd``, ``service_level``, ``max_service_time``,
        ``depth``). ``arcs``: ``supplier``, ``buyer`` (+ ``chain``; ``units`` in the snc format).
        For one file the ids are the stage names; for a folder they are ``"<chain>/<name>"`` so
        that they stay unique across chains.

    References
    ----------
    Willems, S. P. (2008). *M&SOM* 10(1), 19–23.

    Example
    -------
    >>> stages, arcs = read_willems("../shared/datasets/willems_2008/invnet_full/01.csv")  # doctest: +SKIP
    >>> len(stages), len(arcs)  # doctest: +SKIP
    (8, 10)
    """
    p = Path(path)
    if not p.exists():
        raise JiqunError(f"找不到 {p}", f"{p} does not exist")
    if p.is_file():
        st, ar = _read_one(p)
        chain = p.stem.removeprefix("willems_")
        st.insert(1, "chain", chain)
        ar.insert(0, "chain", chain)
        return st, ar
    files = sorted(f for f in p.iterdir() if f.suffix.lower() == ".csv" and f.stem[-2:].isdigit())
    if not files:
        raise JiqunError(f"{p} 中没有供应链 CSV 文件", f"no chain CSV files in {p}")
    sts, ars = [], []
    for f in files:
        st, ar = _read_one(f)
        chain = f.stem.removeprefix("willems_")
        st["id"] = chain + "/" + st["id"]
        ar["supplier"] = chain + "/" + ar["supplier"]
        ar["buyer"] = chain + "/" + ar["buyer"]
        st.insert(1, "chain", chain)
        ar.insert(0, "chain", chain)
        sts.append(st)
        ars.append(ar)
    return pd.concat(sts, ignore_index=True), pd.concat(ars, ignore_index=True)
