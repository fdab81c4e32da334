"""NBS input–output sectors ↔ GB/T 4754-2017 industries (the shipped mappings).

Two shipped files:

``reference/data/nbs_io42_to_gbt4754.csv``
    For each of the 42 sectors of the NBS input–output tables (2017, 2018, 2020) the GB/T
    4754-2017 divisions it covers. Every division except 97 国际组织 is in exactly one sector,
    so a firm's industry code (class, group or division, with or without the section letter)
    finds its sector by its first two digits.
``reference/data/nbs_io_detailed_to_gbt4754.csv``
    For each sector of the detailed tables — classification ``2017_149`` (the 2017 table) and
    ``2018_153`` (the 2018 and 2020 tables share one list) — its parent among the 42, and the
    divisions, groups or classes its name covers; within one classification every class of
    divisions 01–96 lies under exactly one detailed sector. Built by
    ``scripts/build_nbs_io_detailed_mapping.py``.

Verification (``reference/data/SOURCES.md``): the detailed sectors' gross output, intermediate
use and value added, summed by parent, equal the 42-sector table of the same year (2017, 2018,
2020; relative difference below 1e-13), which confirms which detailed sectors make up each 42
sector (42 rows: ``checked-against-tables``). Which GB/T 4754 codes a sector covers rests on the
sector names (per detailed row: ``name``, ``name-stated`` or ``judgement`` with a note); the
official correspondence (附件2 of the NBS compilation method) was not available to check it.

References
----------
- 国家统计局国民经济核算司《2017年中国投入产出表编制方法》, 中国统计出版社: 附件1
  「2017年投入产出产品部门分类名称及代码」, 附件2「2017年投入产出部门分类解释」.
- GB/T 4754-2017《国民经济行业分类》.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable
from importlib import resources

import pandas as pd

from jiqun.errors import JiqunError

__all__ = [
    "IO42_SECTORS",
    "IO42_VERIFICATION",
    "IO_CLASSIFICATIONS",
    "io42_coefficients",
    "io42_mapping",
    "io42_sector_of",
    "io42_sectors_of",
    "io_coefficients",
    "io_detailed_mapping",
    "io_sector_weights",
]

#: Verification status of the shipped mappings (shown with every output that uses them).
IO42_VERIFICATION = (
    "NBS IO sectors → GB/T 4754-2017: divisions recalled from the sector names, not checked "
    "against the NBS correspondence table; the 149/153 detailed sectors' totals checked to nest "
    "in the 42 sectors (2017/2018/2020 tables) / 投入产出部门与国民经济行业对照：按部门名称整理，"
    "未经官方对照表核对；149/153 部门合计已与同年 42 部门表核对一致"
)


#: The sector codes of the NBS 42-sector table, ``"01"`` … ``"42"``, in table order.
IO42_SECTORS: list[str] = [f"{i:02d}" for i in range(1, 43)]


def _detailed_codes(n: int) -> list[str]:
    return [f"{i:03d}" for i in range(1, n + 1)]


#: The sector codes of each classification the mappings know, in table order: ``nbs42``
#: (``"01"``…``"42"``), ``2017_149`` and ``2018_153`` (``"001"``…, the 2018 and 2020 tables).
IO_CLASSIFICATIONS: dict[str, list[str]] = {
    "nbs42": IO42_SECTORS,
    "2017_149": _detailed_codes(149),
    "2018_153": _detailed_codes(153),
}


def io42_coefficients(A: pd.DataFrame, what: tuple[str, str]) -> pd.DataFrame:
    """A user's technical coefficients checked to be an NBS 42-sector table, in sector order.

    Labels are read as two-digit sector codes (``1`` and ``" 01"`` are ``"01"``), so a table
    read from a spreadsheet with numeric labels is accepted.

    Parameters
    ----------
    A:
        Technical (direct input) coefficients, seller rows × buyer columns.
    what:
        What needs the table, (中文, English), for the error message, e.g.
        ``("投入产出权重", "the IO weight")``.

    Returns
    -------
    pandas.DataFrame
        A float copy with rows and columns :data:`IO42_SECTORS`.

    Raises
    ------
    JiqunError
        When the rows or columns are not exactly the 42 sectors (:func:`io_coefficients`
        accepts the 149/153-sector tables too).

    Example
    -------
    >>> A = pd.DataFrame(0.0, index=range(1, 43), columns=range(1, 43))
    >>> io42_coefficients(A, ("示例", "example")).index[:2].tolist()
    ['01', '02']
    """
    a = A.copy()
    a.index = [str(i).strip().zfill(2) for i in a.index]
    a.columns = [str(c).strip().zfill(2) for c in a.columns]
    if sorted(a.index) != IO42_SECTORS or sorted(a.columns) != IO42_SECTORS:
        raise JiqunError(
            f"{what[0]}需要 NBS 42 部门投入产出表的直接消耗系数（部门代码 01–42）",
            f"{what[1]} needs the technical coefficients of an NBS 42-sector input-output table "
            "(sector codes 01–42)",
        )
    return a.loc[IO42_SECTORS, IO42_SECTORS].astype("float64")


@functools.lru_cache(maxsize=1)
def _mapping() -> pd.DataFrame:
    raw = resources.files("jiqun.reference").joinpath("data", "nbs_io42_to_gbt4754.csv")
    return pd.read_csv(io.BytesIO(raw.read_bytes()), dtype=str, keep_default_na=False)


@functools.lru_cache(maxsize=1)
def _division_index() -> dict[str, str]:
    out: dict[str, str] = {}
    for r in _mapping().itertuples(index=False):
        for d in str(r.gbt4754_divisions).split():
            out[d] = str(r.io_sector)
    return out


def io42_mapping() -> pd.DataFrame:
    """The shipped mapping: one row per IO sector.

    Returns
    -------
    pandas.DataFrame
        ``io_sector`` (``"01"``–``"42"``), ``io_name_zh``, ``io_name_en``,
        ``gbt4754_divisions`` (space-separated 2-digit codes), ``division_names``,
        ``verification``, ``note``. A new copy on every call.

    Example
    -------
    >>> m = io42_mapping()
    >>> m.loc[m["io_sector"] == "18", "gbt4754_divisions"].item()
    '36 37'
    """
    return _mapping().copy()


def io42_sector_of(code: str) -> str | None:
    """The NBS 42-sector IO sector of a GB/T 4754-2017 code (any level), or ``None``.

    Parameters
    ----------
    code:
        Division, group or class code, optionally with its section letter (``"C3670"``).

    Returns
    -------
    str or None
        ``"01"``–``"42"``; ``None`` for a section letter alone, 97 or an unknown division.

    Example
    -------
    >>> io42_sector_of("3670"), io42_sector_of("C3891"), io42_sector_of("97")
    ('18', '19', None)
    """
    c = str(code).strip().upper()
    if c[:1].isalpha():
        c = c[1:]
    if len(c) < 2 or not c[:2].isdigit():
        return None
    return _division_index().get(c[:2])


def io42_sectors_of(codes: Iterable[str]) -> pd.Series:
    """:func:`io42_sector_of` for many codes, indexed by the codes.

    Example
    -------
    >>> io42_sectors_of(["3670", "3841"]).tolist()
    ['18', '19']
    """
    cs = [str(c) for c in codes]
    return pd.Series([io42_sector_of(c) for c in cs], index=cs, dtype="object")


@functools.lru_cache(maxsize=1)
def _detailed() -> pd.DataFrame:
    raw = resources.files("jiqun.reference").joinpath("data", "nbs_io_detailed_to_gbt4754.csv")
    return pd.read_csv(io.BytesIO(raw.read_bytes()), dtype=str, keep_default_na=False)


def _unknown_classification(classification: str) -> JiqunError:
    known = "、".join(IO_CLASSIFICATIONS)
    return JiqunError(
        f"未知的投入产出部门分类：{classification}（可用：{known}）",
        f"unknown input-output classification: {classification} (known: {known})",
    )


def io_detailed_mapping(classification: str | None = None) -> pd.DataFrame:
    """The shipped detailed mapping: one row per sector of the 149/153-sector tables.

    Parameters
    ----------
    classification:
        ``"2017_149"`` or ``"2018_153"`` (the list of the 2018 and 2020 tables); ``None`` for
        both.

    Returns
    -------
    pandas.DataFrame
        ``classification``, ``io_code`` (``"001"``…), ``io_name_zh``, ``io_name_en``,
        ``io42_sector`` (its parent among the 42), ``gbt4754_codes`` (space-separated
        divisions, groups or classes), ``gbt4754_names``, ``verification`` (``name`` /
        ``name-stated`` / ``judgement``), ``note``. A new copy on every call.

    Raises
    ------
    JiqunError
        For an unknown classification.

    Example
    -------
    >>> m = io_detailed_mapping("2018_153")
    >>> m.loc[m["io_code"] == "087", ["io_name_zh", "io42_sector", "gbt4754_codes"]].values.tolist()
    [['电池', '19', '384']]
    """
    m = _detailed()
    if classification is None:
        return m.copy()
    if classification not in IO_CLASSIFICATIONS or classification == "nbs42":
        raise _unknown_classification(classification)
    return m[m["classification"] == classification].reset_index(drop=True)


@functools.lru_cache(maxsize=4)
def _prefixes(classification: str) -> tuple[tuple[str, str], ...]:
    m = io_detailed_mapping(classification)
    return tuple((str(r.io_code), p) for r in m.itertuples() for p in str(r.gbt4754_codes).split())


def io_sector_weights(code: str, classification: str = "nbs42") -> dict[str, float]:
    """The IO sector(s) of a GB/T 4754-2017 code, with weights summing to 1 (empty: none).

    A code at or below the level a detailed sector is defined at (e.g. class ``3841`` under
    电池 ``384``) has that one sector. A coarser code that several detailed sectors share (e.g.
    division ``36`` = 汽车整车 + 汽车零部件及配件) is spread **equally** over them: the mapping
    carries no output shares, and an equal split is the stated assumption. With ``nbs42`` the
    answer is :func:`io42_sector_of` with weight 1.

    Parameters
    ----------
    code:
        Division, group or class code, optionally with its section letter (``"C3841"``).
    classification:
        ``"nbs42"``, ``"2017_149"`` or ``"2018_153"`` (:data:`IO_CLASSIFICATIONS`).

    Returns
    -------
    dict
        Sector code → weight; ``{}`` for a section letter alone, 97 or an unknown code.

    Raises
    ------
    JiqunError
        For an unknown classification.

    Example
    -------
    >>> io_sector_weights("C3841", "2018_153"), io_sector_weights("36", "2018_153")
    ({'087': 1.0}, {'079': 0.5, '080': 0.5})
    """
    if classification not in IO_CLASSIFICATIONS:
        raise _unknown_classification(classification)
    if classification == "nbs42":
        sec = io42_sector_of(code)
        return {sec: 1.0} if sec is not None else {}
    c = str(code).strip().upper()
    if c[:1].isalpha():
        c = c[1:]
    if len(c) < 2 or not c.isdigit():
        return {}
    pref = _prefixes(classification)
    # the detailed sector containing the code (the mapping is a partition of the classes) …
    inside = list(dict.fromkeys(s for s, p in pref if c.startswith(p)))
    if inside:
        return {s: 1.0 / len(inside) for s in inside}
    # … or the sectors the code is split over
    over = list(dict.fromkeys(s for s, p in pref if p.startswith(c)))
    return {s: 1.0 / len(over) for s in over}


def io_coefficients(A: pd.DataFrame, what: tuple[str, str]) -> tuple[pd.DataFrame, str]:
    """A user's technical coefficients checked to be an NBS 42-, 149- or 153-sector table.

    The classification is told by the number of sectors: 42 → ``nbs42`` (labels read as
    two-digit codes), 149 → ``2017_149``, 153 → ``2018_153`` (labels read as three-digit
    codes; ``1`` and ``"001"`` are the same sector).

    Parameters
    ----------
    A:
        Technical (direct input) coefficients, seller rows × buyer columns.
    what:
        What needs the table, (中文, English), for the error message.

    Returns
    -------
    tuple
        A float copy in sector order (:data:`IO_CLASSIFICATIONS`) and the classification name.

    Raises
    ------
    JiqunError
        When the labels are not exactly the sectors of one of the three classifications.

    Example
    -------
    >>> A = pd.DataFrame(0.0, index=range(1, 154), columns=range(1, 154))
    >>> a, cls = io_coefficients(A, ("示例", "example"))
    >>> cls, a.index[:2].tolist()
    ('2018_153', ['001', '002'])
    """
    n = len(A.index)
    if n == 42:
        return io42_coefficients(A, what), "nbs42"
    cls = {149: "2017_149", 153: "2018_153"}.get(n)
    a = A.copy()
    a.index = [str(i).strip().zfill(3) for i in a.index]
    a.columns = [str(c).strip().zfill(3) for c in a.columns]
    want = IO_CLASSIFICATIONS[cls] if cls else []
    if cls is None or sorted(a.index) != want or sorted(a.columns) != want:
        raise JiqunError(
            f"{what[0]}需要 NBS 投入产出表的直接消耗系数：42 部门（代码 01–42）或 149/153 部门"
            f"（代码 001–149/153）；得到 {n} 行",
            f"{what[1]} needs the technical coefficients of an NBS input-output table: 42 "
            f"sectors (codes 01–42) or 149/153 sectors (codes 001–149/153); got {n} rows",
        )
    return a.loc[want, want].astype("float64"), cls
