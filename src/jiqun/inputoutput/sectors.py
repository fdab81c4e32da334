"""NBS 42 input–output sectors ↔ GB/T 4754-2017 divisions (the shipped mapping).

The mapping ``reference/data/nbs_io42_to_gbt4754.csv`` gives, for each of the 42 sectors of
the NBS input–output tables (2017, 2018, 2020), the GB/T 4754-2017 divisions it covers. Every
division except 97 国际组织 is in exactly one sector, so a firm's industry code (class, group or
division, with or without the section letter) finds its sector by its first two digits.
Verification: ``recalled`` (see ``reference/data/SOURCES.md``).

References
----------
- 国家统计局《2017年全国投入产出表编制方法》附件：投入产出产品部门分类名称及代码.
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
    "io42_coefficients",
    "io42_mapping",
    "io42_sector_of",
    "io42_sectors_of",
]

#: Verification status of the shipped mapping (shown with every output that uses it).
IO42_VERIFICATION = (
    "NBS 42 IO sectors → GB/T 4754-2017 divisions: recalled, not checked against the NBS "
    "correspondence table / 投入产出42部门与国民经济行业大类对照：据记忆整理，未经官方对照表核对"
)


#: The sector codes of the NBS 42-sector table, ``"01"`` … ``"42"``, in table order.
IO42_SECTORS: list[str] = [f"{i:02d}" for i in range(1, 43)]


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
        When the rows or columns are not exactly the 42 sectors (149/153-sector tables included:
        there is no shipped industry mapping for them).

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
            f"{what[0]}需要 NBS 42 部门投入产出表的直接消耗系数（部门代码 01–42）；"
            "149/153 部门表暂无行业对照",
            f"{what[1]} needs the technical coefficients of an NBS 42-sector input-output table "
            "(sector codes 01–42); 149/153-sector tables have no shipped industry mapping yet",
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
