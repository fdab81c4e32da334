"""Number formats shared by the dashboard pages and the Word reports, so a figure reads the same.

Missing values read ``—``; booleans ``✓``/``·``; a solver's ``-0.0`` never shows its sign.
Pure functions with no web or store import (used by :mod:`jiqun.web.ui` and
:mod:`jiqun.services.report_docx`).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

__all__ = [
    "fmt_cell",
    "fmt_flag",
    "fmt_num",
    "fmt_pct",
    "fmt_stars",
    "fmt_year",
    "missing",
    "output_not_applicable",
]


def missing(v: Any) -> bool:
    """``True`` for ``None``, NaN, NaT and ``pd.NA``.

    Example
    -------
    >>> missing(None), missing(float("nan")), missing(0)
    (True, True, False)
    """
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def fmt_num(v: Any, digits: int = 0) -> str:
    """Thousands separators and ``digits`` decimals; ``—`` for missing, ``∞`` for infinity.

    Example
    -------
    >>> fmt_num(1234567.891, 1), fmt_num(-1e-12, 1), fmt_num(None)
    ('1,234,567.9', '0.0', '—')
    """
    if missing(v):
        return "—"
    if isinstance(v, bool):
        return "✓" if v else "·"
    try:
        x = float(v)
    except (TypeError, ValueError):
        return str(v)
    if math.isinf(x):
        return "∞"
    # a solver's −1e-12 (or −0.0) would read "-0.0"; rounding first then + 0.0 drops the sign
    return f"{round(x, digits) + 0.0:,.{digits}f}"


def fmt_pct(v: Any, digits: int = 1) -> str:
    """A share as a percentage.

    Example
    -------
    >>> fmt_pct(0.1234), fmt_pct(0.5, 0)
    ('12.3%', '50%')
    """
    if missing(v):
        return "—"
    return f"{round(float(v) * 100, digits) + 0.0:.{digits}f}%"


def fmt_stars(v: Any) -> str:
    """A star rating out of three (cluster-mapping convention).

    Example
    -------
    >>> fmt_stars(2)
    '★★☆'
    """
    if missing(v):
        return "—"
    n = int(v)
    return "★" * n + "☆" * max(0, 3 - n)


def fmt_flag(v: Any) -> str:
    """A yes/no mark.

    Example
    -------
    >>> fmt_flag(True), fmt_flag(False)
    ('✓', '·')
    """
    if missing(v):
        return "—"
    return "✓" if bool(v) else "·"


def fmt_cell(v: Any) -> str:
    """A generic table cell: numbers rounded to what a reader needs, booleans as marks.

    Example
    -------
    >>> fmt_cell(1.23456), fmt_cell(12345.67), fmt_cell(None), fmt_cell(True)
    ('1.235', '12,345.7', '—', '✓')
    """
    if missing(v):
        return "—"
    if isinstance(v, bool):
        return "✓" if v else "·"
    if hasattr(v, "item"):  # NumPy scalars read as Python numbers
        v = v.item()
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        if math.isinf(v):
            return "∞"
        if v.is_integer():
            return f"{v + 0.0:,.0f}"
        return f"{v:,.3f}" if abs(v) < 1000 else f"{v:,.1f}"
    return str(v)


def fmt_year(v: Any) -> str:
    """A year or an id without thousands separators.

    Example
    -------
    >>> fmt_year(2023.0)
    '2023'
    """
    if missing(v):
        return "—"
    try:
        return str(int(v))
    except (TypeError, ValueError):
        return str(v)


def output_not_applicable(output: Any, revenue: Any) -> bool:
    """``True`` where gross industrial output does not apply: none reported but revenue is.

    Gross industrial output (工业总产值) exists only for industrial firms; a cluster whose leading
    industries are services (software, information services) reports revenue (营业收入) and no
    output. Its output column reads 不适用 / n/a on every interface, never ``0.0``.

    Parameters
    ----------
    output : gross industrial output (any unit; missing counts as none).
    revenue : revenue in the same basis.

    Returns
    -------
    bool: whether the output figure should read "not applicable".

    Example
    -------
    >>> output_not_applicable(0.0, 725.7), output_not_applicable(0.0, 0.0), output_not_applicable(5, 9)
    (True, False, False)
    """
    has_output = not missing(output) and float(output) > 0
    has_revenue = not missing(revenue) and float(revenue) > 0
    return not has_output and has_revenue
