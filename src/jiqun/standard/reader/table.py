"""The entry point :func:`read_table`: checks the path and the extension, then hands the file to
the reader of its format.
"""

from __future__ import annotations

from pathlib import Path

from jiqun.standard.reader.delimited import read_text
from jiqun.standard.reader.parquet import read_parquet
from jiqun.standard.reader.result import RawTable, fatal
from jiqun.standard.reader.xlsx import read_excel
from jiqun.standard.schema import Kind, get_kind

#: Extensions :func:`read_table` accepts.
SUPPORTED_EXTENSIONS: tuple[str, ...] = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet")

_TEXT_EXT = (".csv", ".txt", ".tsv")
_EXCEL_EXT = (".xlsx", ".xlsm")


def read_table(
    path: str | Path,
    kind: Kind | str,
    *,
    sheet: str | None = None,
    allow_unknown_columns: bool = False,
    measure: str | None = None,
    unit: str | None = None,
    year: int | None = None,
) -> RawTable:
    """Read ``path`` as records of ``kind``; raise :class:`JiqunError` for fatal file problems.

    Parameters
    ----------
    path: a ``.csv``, ``.txt``, ``.tsv``, ``.xlsx``, ``.xlsm`` or ``.parquet`` file.
    kind: a :class:`Kind` or its name (``"enterprises"``).
    sheet: worksheet to read (Excel only); by default the sheet with the best header.
    allow_unknown_columns: ignore columns that are not part of the standard (a warning each)
        instead of failing with an error each.
    measure, unit, year: for a wide ``region-stats`` table (regions down, years across) that does
        not say them itself (no ``指标：`` line, no year in the header or the title); ignored for
        long tables.
    """
    k = get_kind(kind) if isinstance(kind, str) else kind
    p = Path(path)
    source = p.name
    if not p.exists():
        fatal("file.missing", f"文件不存在：{p}", f"file not found: {p}", value=str(p))
    if not p.is_file():
        fatal("file.missing", f"不是文件：{p}", f"not a file: {p}", value=str(p))
    ext = p.suffix.lower()
    exts = ", ".join(SUPPORTED_EXTENSIONS)
    if k.name == "region-stats" and ext in (*_TEXT_EXT, *_EXCEL_EXT, ".xls"):
        from jiqun.standard.reader.wide import detect_wide, read_wide

        # Statistical tables as the NBS portal and yearbooks publish them: regions down, years
        # or measures across. Legacy .xls is read with python-calamine for this layout only.
        if p.stat().st_size and detect_wide(p, sheet):
            return read_wide(p, sheet=sheet, measure=measure, unit=unit, year=year)
    if k.name in ("enterprises", "listed-companies") and ext in (*_TEXT_EXT, *_EXCEL_EXT, ".xls"):
        from jiqun.standard.reader.registry import detect_registry, read_registry

        # Registry exports (企查查, 天眼查) and the exchanges' lists, recognised by their headers
        # in the first rows (cheap); legacy .xls is read with python-calamine for these only.
        if p.stat().st_size and detect_registry(p, sheet) is not None:
            raw = read_registry(p, k, sheet=sheet)
            if raw is not None:
                return raw
    if ext == ".xls":
        fatal(
            "file.extension",
            f"不支持旧版 Excel 97-2003 格式（.xls）：请在 Excel/WPS 中把「{source}」另存为 .xlsx；支持的格式：{exts}",
            f"old Excel 97-2003 files (.xls) are not supported: save '{source}' as .xlsx in "
            f"Excel/WPS; supported: {exts}",
            value=source,
        )
    if ext not in SUPPORTED_EXTENSIONS:
        fatal(
            "file.extension",
            f"不支持的文件类型「{ext or '（无扩展名）'}」；支持的格式：{exts}（.xls 请另存为 .xlsx）",
            f"unsupported file type '{ext or '(none)'}'; supported: {exts} (save .xls as .xlsx)",
            value=source,
        )
    if p.stat().st_size == 0:
        fatal(
            "file.empty",
            f"文件「{source}」为空（0字节）",
            f"file '{source}' is empty (0 bytes)",
            value=source,
        )
    if ext in _TEXT_EXT:
        return read_text(p, k, allow_unknown_columns, sheet)
    if ext in _EXCEL_EXT:
        return read_excel(p, k, allow_unknown_columns, sheet)
    return read_parquet(p, k, allow_unknown_columns, sheet)
