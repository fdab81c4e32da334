"""The one table writer of Jiqun: every export (CLI, API, web pages, reports) writes through it.

A table — or several, as named sheets — goes to CSV (UTF-8 with BOM, so Excel opens Chinese text
correctly), XLSX or Parquet, to a file or to an in-memory buffer. **Formula neutralisation is
always on for CSV and XLSX**: a text cell that a spreadsheet would run as a formula — one starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — gets a leading apostrophe ``'``, so
``=HYPERLINK("http://evil", "点击")`` in a firm name arrives as text (OWASP "CSV injection").
Numbers are never touched. Parquet keeps values as they are: it is typed data that no spreadsheet
evaluates. CSV and Parquet hold one table: the first sheet.

References
----------
OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection).

Example
-------
>>> import io
>>> import pandas as pd
>>> buf = io.BytesIO()
>>> write_table(buf, pd.DataFrame({"name": ["=1+1", "无锡"], "n": [-1, 2]}), "csv")
>>> buf.getvalue().decode("utf-8-sig").splitlines()
['name,n', "'=1+1,-1", '无锡,2']
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import IO, TypeAlias

import pandas as pd

from jiqun.errors import JiqunError
from jiqun.standard.text import CONTROL_RE, escape_controls

__all__ = ["FORMULA_START", "TABLE_FORMATS", "neutralise_formulas", "table_bytes", "write_table"]

#: File formats of :func:`write_table`, as file extensions.
TABLE_FORMATS: tuple[str, ...] = (".csv", ".xlsx", ".parquet")

#: First characters that make a spreadsheet treat a text cell as a formula.
FORMULA_START: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

Sheets: TypeAlias = pd.DataFrame | Mapping[str, pd.DataFrame]


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` where text cells starting with = + - @ (or tab/CR) get a leading ``'``,
    and control characters other than tab and line breaks are written as ``\\xNN`` escapes.

    Such characters are refused wherever text enters (:mod:`jiqun.standard.text`); records
    stored before that rule existed may still hold one, and no .xlsx can (the writer fails).

    Parameters
    ----------
    df:
        Any table; only text (object or string) columns are looked at.

    Returns
    -------
    pandas.DataFrame
        A copy; numbers, dates and safe text are unchanged.

    References
    ----------
    OWASP, "CSV Injection".

    Example
    -------
    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "ok", "-x", "a\\x00b"]}))["a"].tolist()
    ["'=1+1", 'ok', "'-x", 'a\\\\x00b']
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if isinstance(s, pd.DataFrame):  # duplicate column labels: neutralise position-wise
            continue
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            text_s = s.astype("string")
            bad = text_s.str.contains(CONTROL_RE.pattern, regex=True).fillna(False).astype(bool)
            if bad.any():
                out[col] = s = s.astype(object)
                out.loc[bad, col] = [escape_controls(str(v)) for v in s[bad]]
                s = out[col]
                text_s = s.astype("string")
            mask = text_s.str.startswith(FORMULA_START).fillna(False).astype(bool)
            if mask.any():
                out[col] = s.astype(object)
                out.loc[mask, col] = "'" + s[mask].astype(str)
    return out


def _format(target: str | Path | IO[bytes], fmt: str | None) -> str:
    if fmt is None:
        if not isinstance(target, str | Path):
            raise JiqunError("写入缓冲区时须指明格式", "a format is needed to write to a buffer")
        fmt = Path(target).suffix
    ext = "." + fmt.lower().lstrip(".")
    if ext not in TABLE_FORMATS:
        raise JiqunError(
            f"不支持的表格格式「{fmt}」，请使用 .csv、.xlsx 或 .parquet",
            f"unsupported table format '{fmt}': use .csv, .xlsx or .parquet",
        )
    return ext


def write_table(
    target: str | Path | IO[bytes],
    sheets: Sheets,
    fmt: str | None = None,
    *,
    headerless: Collection[str] = (),
) -> None:
    """Write one table or named sheets to CSV, XLSX or Parquet, formulas neutralised.

    Parameters
    ----------
    target:
        A file path (its folder is created) or a binary buffer.
    sheets:
        A DataFrame, or sheet name → DataFrame in sheet order (XLSX keeps every sheet, names cut
        to Excel's 31 characters; CSV and Parquet write the first).
    fmt:
        ``"csv"``, ``"xlsx"`` or ``"parquet"`` (with or without the dot); default: the path's
        extension.
    headerless:
        Names of sheets written without their header row (XLSX; CSV for the first sheet).

    Returns
    -------
    None

    Raises
    ------
    jiqun.errors.JiqunError
        For an unknown format, or a buffer without ``fmt``.

    References
    ----------
    OWASP, "CSV Injection" (formula neutralisation).

    Example
    -------
    >>> import io
    >>> buf = io.BytesIO()
    >>> write_table(buf, {"data": pd.DataFrame({"a": ["@x"]}), "notes": pd.DataFrame()}, "xlsx")
    >>> len(buf.getvalue()) > 0
    True
    """
    ext = _format(target, fmt)
    named: dict[str, pd.DataFrame] = (
        {"data": sheets} if isinstance(sheets, pd.DataFrame) else dict(sheets)
    )
    if not named:
        named = {"data": pd.DataFrame()}
    if isinstance(target, str | Path):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    first_name, first = next(iter(named.items()))
    if ext == ".parquet":
        first.to_parquet(target, index=False)
    elif ext == ".csv":
        neutralise_formulas(first).to_csv(
            target, index=False, encoding="utf-8-sig", header=first_name not in headerless
        )
    else:
        with pd.ExcelWriter(target, engine="openpyxl") as xw:
            for name, df in named.items():
                neutralise_formulas(df).to_excel(
                    xw, sheet_name=str(name)[:31], index=False, header=name not in headerless
                )


def table_bytes(sheets: Sheets, fmt: str, *, headerless: Collection[str] = ()) -> bytes:
    """:func:`write_table` into memory, for a download response.

    Parameters
    ----------
    sheets:
        As for :func:`write_table`.
    fmt:
        ``"csv"``, ``"xlsx"`` or ``"parquet"``.
    headerless:
        As for :func:`write_table`.

    Returns
    -------
    bytes
        The file's content.

    Example
    -------
    >>> table_bytes(pd.DataFrame({"a": ["+1"]}), "csv").decode("utf-8-sig")
    "a\\n'+1\\n"
    """
    import io

    buf = io.BytesIO()
    write_table(buf, sheets, fmt, headerless=headerless)
    return buf.getvalue()
