"""Parquet files: the column names are the header (row 1), data rows are numbered from 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from jiqun.standard.reader.body import finish
from jiqun.standard.reader.columns import map_columns
from jiqun.standard.reader.headers import find_header, no_header
from jiqun.standard.reader.result import RawTable, fail, fatal, p, sheet_ignored
from jiqun.standard.schema import Kind


def read_parquet(path: Path, kind: Kind, allow_unknown: bool, sheet: str | None) -> RawTable:
    source = path.name
    try:
        df = pd.read_parquet(path)
    except Exception as e:
        fatal(
            "file.unreadable",
            f"无法读取 Parquet 文件「{source}」：{e}",
            f"cannot read Parquet file '{source}': {e}",
            value=source,
        )
    if df.shape[1] == 0:
        fatal(
            "file.empty",
            f"文件「{source}」没有任何列",
            f"file '{source}' has no columns",
            value=source,
        )
    names = [str(c) for c in df.columns]
    hdr = find_header(kind, [names])
    if hdr is None:
        fail([no_header(kind, [names])])

    def col_name(j: int) -> str:
        return f"{j + 1}"

    problems = [] if sheet is None else [sheet_ignored(sheet)]
    problems += [
        p(
            "header.found",
            "normalised",
            "Parquet 列名作为表头（第1行），数据从第2行起编号",
            "Parquet column names used as the header (row 1); data rows are numbered from 2",
            row=1,
        )
    ]
    mapping = map_columns(kind, hdr, allow_unknown, col_name)
    problems += mapping.problems
    if any(p.is_error for p in problems):
        fail(problems)
    df = df.copy()
    df.columns = pd.RangeIndex(df.shape[1])
    df = df.reset_index(drop=True)
    rows = np.arange(2, 2 + len(df), dtype=np.int64)
    return finish(
        kind,
        df,
        rows,
        mapping,
        problems,
        source=source,
        encoding=None,
        sheet=None,
        header_row=1,
        col_name=col_name,
    )
