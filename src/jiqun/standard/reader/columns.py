"""Header columns mapped to the fields of a kind: units from the header or the units row,
non-data (序号/备注) and unknown columns (with a suggestion), duplicate and missing columns.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass

from jiqun.standard.problems import Problem
from jiqun.standard.reader.cells import clean_header
from jiqun.standard.reader.headers import Header
from jiqun.standard.reader.result import p
from jiqun.standard.schema import Kind, header_key, header_unit

_NUMERIC_TYPES = ("amount", "int", "float")

#: Headers of columns that are known not to hold data (compared with :func:`header_key`).
_IGNORED_HEADERS = frozenset(
    header_key(h)
    for h in ("序号", "编号", "行号", "备注", "备注说明", "No.", "No", "Remarks", "Remark", "操作")
)


@dataclass
class Mapping:
    columns: dict[int, str]  # source column -> canonical field
    headers: dict[str, str]
    units: dict[str, str]
    unnamed: list[int]  # columns without a header (checked for data later)
    problems: list[Problem]


def _suggest(kind: Kind, header: str) -> str | None:
    names: dict[str, str] = {}
    for f in kind.fields:
        for a in (f.name, f.zh, f.en, *f.aliases):
            names.setdefault(header_key(a), f.name)
    m = difflib.get_close_matches(header_key(clean_header(header)), list(names), n=1, cutoff=0.6)
    return names[m[0]] if m else None


def map_columns(
    kind: Kind, hdr: Header, allow_unknown: bool, col_name: Callable[[int], str]
) -> Mapping:
    probs: list[Problem] = []
    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    units: dict[str, str] = {}
    unnamed: list[int] = []
    first_col: dict[str, int] = {}
    for j, (w, f) in enumerate(zip(hdr.written, hdr.fields, strict=True)):
        if w is None:
            unnamed.append(j)
            continue
        if f is None:
            if header_key(clean_header(w)) in _IGNORED_HEADERS:
                probs.append(
                    p(
                        "column.ignored",
                        "normalised",
                        f"第{col_name(j)}列「{w}」是非数据列（序号/备注等），已忽略",
                        f"column {col_name(j)} '{w}' is a non-data column (row number/remarks); ignored",
                        column=w,
                        value=w,
                    )
                )
                continue
            sug = _suggest(kind, w)
            if sug:
                sf = kind.get_field(sug)
                hint_zh = f"，是否应为「{sf.zh}」（{sf.name}）？"
                hint_en = f"; did you mean '{sf.zh}' ({sf.name})?"
            else:
                hint_zh, hint_en = "", ""
            if allow_unknown:
                probs.append(
                    p(
                        "column.unknown",
                        "warning",
                        f"第{col_name(j)}列「{w}」不属于「{kind.zh}」数据标准，已忽略{hint_zh}",
                        f"column {col_name(j)} '{w}' is not part of the '{kind.name}' standard; ignored{hint_en}",
                        column=w,
                        value=w,
                    )
                )
            else:
                probs.append(
                    p(
                        "column.unknown",
                        "error",
                        f"第{col_name(j)}列「{w}」不属于「{kind.zh}」数据标准{hint_zh}"
                        "（如需忽略未知列，请使用 allow_unknown_columns / --allow-unknown-columns）",
                        f"column {col_name(j)} '{w}' is not part of the '{kind.name}' standard{hint_en} "
                        "(use allow_unknown_columns / --allow-unknown-columns to ignore unknown columns)",
                        column=w,
                        value=w,
                    )
                )
            continue
        if f in first_col:
            j0 = first_col[f]
            fd = kind.get_field(f)
            probs.append(
                p(
                    "header.duplicate",
                    "error",
                    f"第{col_name(j0)}列「{headers[f]}」与第{col_name(j)}列「{w}」都对应字段「{fd.zh}」（{f}），请删除或改名其一",
                    f"columns {col_name(j0)} '{headers[f]}' and {col_name(j)} '{w}' both map to field "
                    f"'{f}' ({fd.zh}); remove or rename one",
                    column=w,
                    value=w,
                )
            )
            continue
        first_col[f] = j
        columns[j] = f
        headers[f] = w
        fd = kind.get_field(f)
        if fd.type in _NUMERIC_TYPES:
            u = header_unit(clean_header(w))
            ru = hdr.row_units.get(j)
            if u and ru and u != ru:
                probs.append(
                    p(
                        "header.unit_conflict",
                        "warning",
                        f"第{col_name(j)}列表头单位「{u}」与单位行「{ru}」不一致，采用表头中的「{u}」",
                        f"column {col_name(j)}: header unit '{u}' differs from the units row '{ru}'; using '{u}'",
                        column=w,
                        value=ru,
                    )
                )
            unit = u or ru
            if unit:
                units[f] = unit
    for fld in kind.fields:
        if fld.required and fld.name not in headers:
            probs.append(
                p(
                    "column.missing",
                    "error",
                    f"缺少必填列「{fld.zh}」（{fld.name}）",
                    f"required column '{fld.name}' ({fld.en}; Chinese header 「{fld.zh}」) is missing",
                    column=fld.zh,
                )
            )
    return Mapping(columns, headers, units, unnamed, probs)
