"""Read messy government spreadsheets into a :class:`RawTable`, reporting every layout decision.

The reader finds the header row (title and 填报单位 rows above it are skipped), maps each header to
a canonical field of the :class:`~jiqun.standard.schema.Kind`, reads the cells *without parsing
them* and drops only rows that are provably not records (blank rows, 注/说明/数据来源 footers,
合计/小计 total rows, repeated header rows) — each drop is reported as a :class:`Problem` with its row
number. Normalising the cells (codes, dates, amounts) is the job of the normalisers downstream.

Supported formats: ``.csv``, ``.txt``, ``.tsv`` (UTF-8 with or without BOM, GB18030/GBK/GB2312,
UTF-16 with BOM; comma, tab, semicolon or ``|`` delimiter), ``.xlsx``/``.xlsm`` (read with
python-calamine, cached formula values only, nothing is evaluated or executed) and ``.parquet``.

Row numbers (:attr:`RawTable.rows`, :attr:`Problem.row`) are 1-based and are what the user sees
in Excel/WPS or a text editor: title and header rows count, and in text files a quoted value that
spans several lines counts every physical line.

The package is split along its seams: :mod:`~jiqun.standard.reader.result` (:class:`RawTable`
and the problems it raises), :mod:`~jiqun.standard.reader.cells` (blank cells, header text),
:mod:`~jiqun.standard.reader.headers` (header row, title rows, two-row and merged headers, units
rows), :mod:`~jiqun.standard.reader.columns` (headers mapped to fields, units),
:mod:`~jiqun.standard.reader.body` (blank, footer, total and repeated-header rows),
:mod:`~jiqun.standard.reader.encoding`, :mod:`~jiqun.standard.reader.delimited` (CSV/TSV/TXT),
:mod:`~jiqun.standard.reader.xlsx` (workbooks, DTD refusal), :mod:`~jiqun.standard.reader.parquet`
and :mod:`~jiqun.standard.reader.table` (:func:`read_table`). Import the public API from here.

Example
-------
>>> from jiqun.standard.reader import read_table
>>> t = read_table("企业名录.xlsx", "enterprises")  # doctest: +SKIP
>>> t.rows[:2], t.units  # doctest: +SKIP
(array([6, 7]), {'revenue': '万元'})
"""

from __future__ import annotations

from jiqun.standard.reader.headers import HEADER_SCAN_ROWS
from jiqun.standard.reader.result import RawTable
from jiqun.standard.reader.table import SUPPORTED_EXTENSIONS, read_table
from jiqun.standard.reader.xlsx import xlsx_dtd_part

__all__ = [
    "HEADER_SCAN_ROWS",
    "SUPPORTED_EXTENSIONS",
    "RawTable",
    "read_table",
    "xlsx_dtd_part",
]
