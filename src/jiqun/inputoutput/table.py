"""Reading national input–output tables (NBS layouts) into a typed, labelled object.

Two layouts of the National Bureau of Statistics (NBS, 国家统计局) tables are read, in the
machine-readable form with sector **codes** as row and column labels (CSV, or XLSX with the same
columns on the first sheet):

``nbs42_noncompetitive``
    The 42-sector table in the **non-competitive-import** layout (非竞争型进口): rows
    ``Domestic`` 01–42 (domestic products), ``Imports`` 01–42 (imported products), then
    ``TII`` (total intermediate input), ``VA001``–``VA004`` (compensation of employees, net
    taxes on production, depreciation, operating surplus), ``TVA`` and ``TI`` (total input);
    columns ``Code``, ``Description``, ``DescriptionInChinese``, ``Origin``, 01–42, ``TIU``,
    ``TC``, ``FU201``, ``FU202``, ``EX``, ``TFU``, ``GO`` (91 × 53).
``nbs_competitive``
    The detailed 149/153-sector tables in the **competitive-import** layout (竞争型进口):
    rows 001–149 (or 153), ``TII``, ``VA001``–``VA004``, ``TVA``, ``TI``; columns ``Code``,
    ``Description``, ``DescriptionInChinese``, the sector codes, ``TIU``, ``FU101``–``FU103``
    (rural and urban household, government consumption), ``THC``, ``TC``, ``FU201``/``FU202``
    (fixed capital formation, changes in inventories), ``GCF``, ``EX``, ``TFU``, ``IM``, ``GO``.
    Here ``GO = TIU + TFU − IM``.

Values are in 万元 (10,000 yuan) as published. The tables themselves are not shipped with
Jiqun (the user supplies a file); see ``docs/inputoutput.md``.

References
----------
- 国家统计局国民经济核算司《中国投入产出表》2017, 2018, 2020.
- Miller, R. E. & Blair, P. D. (2009). *Input–Output Analysis: Foundations and Extensions*,
  2nd ed., Cambridge University Press, ch. 2 (the transactions table) and ch. 8.3 (competitive
  and non-competitive imports).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from jiqun.errors import JiqunError

__all__ = ["LAYOUTS", "IOTable", "read_io_table"]

#: The layouts :func:`read_io_table` understands.
LAYOUTS = ("nbs42_noncompetitive", "nbs_competitive")

_VA_ROWS = ("VA001", "VA002", "VA003", "VA004")
_VA_NAMES = {
    "VA001": ("劳动者报酬", "Compensation of employees"),
    "VA002": ("生产税净额", "Net taxes on production"),
    "VA003": ("固定资产折旧", "Depreciation of fixed assets"),
    "VA004": ("营业盈余", "Operating surplus"),
}
# final-use components (not their subtotals TC/THC/GCF/TFU, which would count twice)
_FU_42 = ("TC", "FU201", "FU202", "EX")
_FU_DETAILED = ("FU101", "FU102", "FU103", "FU201", "FU202", "EX")


@dataclass(frozen=True)
class IOTable:
    """A national input–output table, labelled by sector code.

    Attributes
    ----------
    Z:
        Intermediate use, sector × sector, **total** (domestic plus imported products): what
        each column sector buys from each row sector. Technical coefficients are ``Z / x``.
    Z_domestic, Z_imports:
        The domestic and imported parts of ``Z`` (non-competitive layout only; ``None`` else).
    Y:
        Final use by component (columns ``TC``/``FU201``/``FU202``/``EX`` or the detailed
        ``FU101``…``EX``), total as for ``Z``.
    Y_domestic:
        Final use of domestic products (non-competitive layout; ``None`` else).
    x:
        Gross output ``GO`` by sector (equals total input ``TI``).
    VA:
        Value added, components ``VA001``–``VA004`` (rows) × sector.
    imports:
        Imports by product (the ``Imports`` rows' total in the non-competitive layout, the
        ``IM`` column in the competitive layout).
    total_input:
        The ``TI`` row as published (checked against ``x`` by :meth:`balance`).
    sectors:
        ``code``, ``name_zh``, ``name_en`` for each sector, in table order.
    year:
        Table year (from the argument or the file name), or ``None``.
    unit:
        ``"万元"``.
    layout:
        One of :data:`LAYOUTS`.
    """

    Z: pd.DataFrame
    Z_domestic: pd.DataFrame | None
    Z_imports: pd.DataFrame | None
    Y: pd.DataFrame
    Y_domestic: pd.DataFrame | None
    x: pd.Series
    VA: pd.DataFrame
    imports: pd.Series
    total_input: pd.Series
    sectors: pd.DataFrame
    year: int | None
    unit: str
    layout: str

    @property
    def codes(self) -> list[str]:
        """Sector codes in table order."""
        return list(self.sectors["code"])

    def names(self, lang: str = "zh") -> pd.Series:
        """Sector names (``lang`` ``"zh"`` or ``"en"``) indexed by code."""
        return self.sectors.set_index("code")[f"name_{lang}"]

    def domestic_flows(self) -> tuple[pd.DataFrame, pd.Series]:
        """``(Z_d, f_d)``: domestic intermediate flows and the final demand they balance with.

        In the non-competitive layout these are the ``Domestic`` rows, and
        ``x = Z_d·i + f_d`` exactly. In the competitive layout imports are not separated by
        user, so ``Z`` is returned with final demand net of imports (``f − m``), the usual
        convention for competitive tables (Miller & Blair 2009, §8.3): ``x = Z·i + f − m``.

        Returns
        -------
        tuple[pandas.DataFrame, pandas.Series]
            Flows (sector × sector) and final demand (by sector), labelled by code.

        References
        ----------
        Miller & Blair (2009), §8.3.

        Example
        -------
        >>> # t = read_io_table("china_2020_42.csv"); Z, f = t.domestic_flows()
        >>> # (L @ f) then reproduces t.x
        """
        if self.Z_domestic is not None and self.Y_domestic is not None:
            return self.Z_domestic, self.Y_domestic.sum(axis=1)
        return self.Z, self.Y.sum(axis=1) - self.imports

    def balance(self) -> pd.DataFrame:
        """Per-sector check ``GO`` vs ``TI`` and ``GO`` vs row sums (relative differences).

        Returns
        -------
        pandas.DataFrame
            ``GO``, ``TI``, ``rel_diff_TI`` = ``|GO − TI| / GO`` and ``rel_diff_rows`` =
            ``|GO − (Z_d·i + f_d)| / GO`` (see :meth:`domestic_flows`) by sector.

        References
        ----------
        Miller & Blair (2009), §2.1 (row and column identities of the transactions table).

        Example
        -------
        >>> # read_io_table("china_2020_42.csv").balance()["rel_diff_TI"].max() < 1e-9
        """
        zd, fd = self.domestic_flows()
        rows = zd.sum(axis=1) + fd
        return pd.DataFrame(
            {
                "GO": self.x,
                "TI": self.total_input,
                "rel_diff_TI": (self.x - self.total_input).abs() / self.x.abs(),
                "rel_diff_rows": (self.x - rows).abs() / self.x.abs(),
            }
        )


def _year_from(path: Path) -> int | None:
    m = re.search(r"(19|20)\d{2}", path.stem)
    return int(m.group(0)) if m else None


def _read_raw(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype={"Code": str}, engine="openpyxl")
    if suffix in (".csv", ".txt"):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(path, dtype={"Code": str}, encoding=enc)
            except UnicodeDecodeError:
                continue
    raise JiqunError(
        f"无法读取投入产出表 {path.name}：仅支持 CSV 或 XLSX",
        f"cannot read input-output table {path.name}: only CSV or XLSX are supported",
    )


def _numeric(df: pd.DataFrame) -> pd.DataFrame:
    return df.apply(pd.to_numeric, errors="coerce").fillna(0.0).astype("float64")


def read_io_table(
    path: str | Path, *, year: int | None = None, layout: str | None = None
) -> IOTable:
    """Read an NBS input–output table (42-sector non-competitive or 149/153-sector competitive).

    The layout is recognised from the columns (an ``Origin`` column with ``Domestic`` and
    ``Imports`` rows → non-competitive; an ``IM`` column → competitive) unless ``layout`` is
    given. Missing cells are zero (the NBS tables leave structurally empty cells blank).

    Parameters
    ----------
    path:
        CSV (UTF-8 or GB18030) or XLSX file in one of the layouts of :mod:`jiqun.inputoutput.table`.
    year:
        Table year; default from the first 4-digit year in the file name.
    layout:
        Force ``"nbs42_noncompetitive"`` or ``"nbs_competitive"``.

    Returns
    -------
    IOTable
        Labelled by sector code; unit 万元.

    Raises
    ------
    JiqunError
        When the file is not in a known layout (message says which columns are missing).

    References
    ----------
    Miller & Blair (2009), ch. 2 and §8.3; 国家统计局《中国投入产出表》.

    Example
    -------
    >>> import tempfile, os
    >>> cols = ["Code", "Description", "DescriptionInChinese", "Origin", "1", "2",
    ...         "TIU", "TC", "FU201", "FU202", "EX", "TFU", "GO"]
    >>> rows = [["1", "a", "甲", "Domestic", 1, 2, 3, 3, 0, 0, 0, 3, 6],
    ...         ["2", "b", "乙", "Domestic", 2, 1, 3, 3, 0, 0, 0, 3, 6],
    ...         ["1", "a", "甲", "Imports"] + [0] * 9, ["2", "b", "乙", "Imports"] + [0] * 9]
    >>> rows += [[c, "", "", "TOT", 3, 3] + [None] * 7 for c in ("VA001", "VA002", "VA003",
    ...          "VA004")] + [["TI", "", "", "TOT", 6, 6] + [None] * 7]
    >>> p = os.path.join(tempfile.mkdtemp(), "t_2020.csv")
    >>> pd.DataFrame(rows, columns=cols).to_csv(p, index=False)
    >>> t = read_io_table(p)
    >>> (t.layout, t.year, t.x.tolist(), float(t.Z.loc["1", "2"]))
    ('nbs42_noncompetitive', 2020, [6.0, 6.0], 2.0)
    """
    path = Path(path)
    raw = _read_raw(path)
    raw.columns = [str(c).strip() for c in raw.columns]
    if "Code" not in raw.columns:
        raise JiqunError(
            f"投入产出表 {path.name} 缺少 Code 列（部门代码）",
            f"input-output table {path.name} has no Code column (sector codes)",
        )
    raw["Code"] = raw["Code"].astype(str).str.strip()
    if layout is None:
        if "Origin" in raw.columns and raw["Origin"].astype(str).eq("Imports").any():
            layout = "nbs42_noncompetitive"
        elif "IM" in raw.columns:
            layout = "nbs_competitive"
        else:
            raise JiqunError(
                f"无法识别投入产出表 {path.name} 的格式：需要 Origin 列（非竞争型）或 IM 列（竞争型）",
                f"unknown layout of input-output table {path.name}: expected an Origin column "
                "(non-competitive imports) or an IM column (competitive imports)",
            )
    if layout not in LAYOUTS:
        raise JiqunError(f"未知的投入产出表格式 {layout}", f"unknown layout {layout}")
    year = year if year is not None else _year_from(path)
    codes = [c for c in raw.columns if c.isdigit()]
    needed = {"TI", "VA001", "VA002", "VA003", "VA004"} - set(raw["Code"])
    fu = _FU_42 if layout == "nbs42_noncompetitive" else _FU_DETAILED
    missing_cols = [c for c in (*fu, "GO") if c not in raw.columns]
    if not codes or needed or missing_cols:
        raise JiqunError(
            f"投入产出表 {path.name} 缺少：{sorted(needed) + missing_cols or '部门列'}",
            f"input-output table {path.name} lacks: {sorted(needed) + missing_cols or 'sector columns'}",
        )
    by_code = raw.drop_duplicates("Code").set_index("Code")
    if layout == "nbs42_noncompetitive":
        dom = raw[raw["Origin"].astype(str) == "Domestic"].set_index("Code")
        imp = raw[raw["Origin"].astype(str) == "Imports"].set_index("Code")
        dom = dom.reindex(codes)
        imp = imp.reindex(codes)
        z_dom = _numeric(dom[codes])
        z_imp = _numeric(imp[codes])
        y_dom = _numeric(dom[list(fu)])
        y_imp = _numeric(imp[list(fu)])
        z = z_dom + z_imp
        y = y_dom + y_imp
        x = _numeric(dom[["GO"]])["GO"]
        imports = _numeric(imp[["GO"]])["GO"]
        names = dom
        z_d_out: pd.DataFrame | None = z_dom
        z_i_out: pd.DataFrame | None = z_imp
        y_d_out: pd.DataFrame | None = y_dom
    else:
        rows = raw[raw["Code"].isin(codes)].drop_duplicates("Code").set_index("Code")
        rows = rows.reindex(codes)
        z = _numeric(rows[codes])
        y = _numeric(rows[list(fu)])
        x = _numeric(rows[["GO"]])["GO"]
        imports = _numeric(rows[["IM"]])["IM"]
        names = rows
        z_d_out = z_i_out = y_d_out = None
    va = _numeric(by_code.loc[list(_VA_ROWS), codes])
    ti = _numeric(by_code.loc[["TI"], codes]).loc["TI"]
    for frame in (z, y, va):
        frame.index.name = None
        frame.columns.name = None
    sectors = pd.DataFrame(
        {
            "code": codes,
            "name_zh": names.get("DescriptionInChinese", pd.Series(codes, index=codes))
            .astype(str)
            .to_numpy(),
            "name_en": names.get("Description", pd.Series(codes, index=codes))
            .astype(str)
            .to_numpy(),
        }
    )
    x.index.name = None
    x.name = "GO"
    ti.name = "TI"
    imports.index.name = None
    imports.name = "imports"
    if not np.all(np.isfinite(x.to_numpy())) or (x < 0).any():
        raise JiqunError(
            f"投入产出表 {path.name} 的总产出 GO 含负值或非数值",
            f"input-output table {path.name}: gross output GO has negative or non-numeric values",
        )
    return IOTable(
        Z=z,
        Z_domestic=z_d_out,
        Z_imports=z_i_out,
        Y=y,
        Y_domestic=y_d_out,
        x=x,
        VA=va,
        imports=imports,
        total_input=ti,
        sectors=sectors,
        year=year,
        unit="万元",
        layout=layout,
    )
