"""Validate a raw table against the unified data standard: one problem per cell, nothing silent.

:func:`validate_table` takes the :class:`~jiqun.standard.reader.RawTable` the reader produced and
returns the normalised records plus every problem, each naming the source row, the column as
written in the file, the value, the rule and the reason in Chinese and English.

Checks, per field type (see :mod:`jiqun.standard.schema`):

* cell normalisation (full-width → ASCII, stray and non-breaking spaces, codes a spreadsheet
  turned into numbers, dates in Chinese formats or Excel serials, amounts with separators and
  units) — every change is reported as ``normalised``; an ambiguous value is an ``error``;
* required cells present; numbers in range (no negative output or employment);
* GB 32100-2015 credit codes: format errors reject the row, a checksum mismatch on an otherwise
  well-formed code is a ``warning`` (some real early codes fail it); never corrected;
* GB/T 2260 region codes exist at an allowed level; GB/T 4754-2017 codes exist at an allowed
  level, and GB/T 4754-2011 codes are recognised as such;
* enumerations and tags (Chinese labels accepted);
* duplicate natural keys inside the file (every later occurrence names the first row).

Bulk speed: most cells of real files are already canonical, so each column is checked with one
vectorised regular expression and only the other cells go through the scalar normalisers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jiqun import reference
from jiqun.standard import codes as C
from jiqun.standard import normalize as N
from jiqun.standard.problems import JiqunError, Problem, Severity
from jiqun.standard.reader import RawTable
from jiqun.standard.schema import (
    MONEY_UNITS,
    NATION_CODE,
    PEOPLE_UNITS,
    TAG_ALIASES,
    TOTAL_INDUSTRY,
    TOTAL_INDUSTRY_ALIASES,
    Field,
    Kind,
)
from jiqun.standard.text import CONTROL_RE, control_reason, escape_controls, length_reason, shown


@dataclass
class ValidationResult:
    """Normalised records of one file plus every problem found.

    ``records`` has one row per data row of the file (same order as ``rows``); cells that failed
    validation are ``None``. ``error_rows`` marks rows with at least one error.
    """

    kind: Kind
    source: str
    records: pd.DataFrame
    rows: np.ndarray
    raw: pd.DataFrame
    headers: dict[str, str]
    problems: list[Problem] = field(default_factory=list)
    error_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        if len(self.error_rows) != len(self.records):
            self.error_rows = np.zeros(len(self.records), dtype=bool)

    @property
    def n_rows(self) -> int:
        return len(self.records)

    @property
    def n_error_rows(self) -> int:
        return int(self.error_rows.sum())

    @property
    def ok(self) -> bool:
        return self.n_error_rows == 0

    def add(
        self,
        i: int | np.integer[Any] | None,
        column: str | None,
        value: object,
        rule: str,
        severity: Severity,
        message_zh: str,
        message_en: str,
    ) -> None:
        """Record a problem for data row index ``i`` (``None`` = whole file)."""
        row = None if i is None else int(self.rows[i])
        col = self.headers.get(column, column) if column else column
        self.problems.append(
            Problem(
                row,
                col,
                "" if value is None else escape_controls(str(value)),
                rule,
                severity,
                escape_controls(message_zh),  # messages quote values
                escape_controls(message_en),
            )
        )
        if severity == "error" and i is not None:
            self.error_rows[i] = True

    def valid_records(self) -> pd.DataFrame:
        return self.records[~self.error_rows].reset_index(drop=True)

    def rejected_rows(self) -> pd.DataFrame:
        """Rejected rows with their original values and all their error reasons."""
        idx = np.flatnonzero(self.error_rows)
        # the original values as a report shows them: no .xlsx can hold a raw control character
        raw = (
            self.raw.iloc[idx]
            .astype(object)
            .map(lambda v: shown(v, CELL_SHOWN) if isinstance(v, str) else v)
        )
        raw.columns = [self.headers.get(c, c) for c in raw.columns]
        reasons: dict[int, list[str]] = {}
        for p in self.problems:
            if p.severity == "error" and p.row is not None:
                reasons.setdefault(p.row, []).append(
                    f"[{p.column}] {p.message_zh} / {p.message_en}"
                )
        rows = self.rows[idx]
        raw.insert(0, "行号 row", rows)
        raw["原因 reasons"] = ["；".join(reasons.get(int(r), [])) for r in rows]
        return raw.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


#: The longest original value a report shows (a spreadsheet cell holds 32,767 characters).
CELL_SHOWN = 32_000

_BLANK = " \t\r\n\u00a0\u3000\u200b\ufeff"


def _is_empty(s: pd.Series) -> np.ndarray:
    if isinstance(s.dtype, pd.StringDtype):  # what the reader gives: no per-cell Python
        null = s.isna().to_numpy(dtype=bool)
        arr = pa.array(s.array)
        blank = pc.equal(pc.utf8_length(pc.utf8_trim(arr, characters=_BLANK)), 0)
        return null | pc.fill_null(blank, False).to_numpy(zero_copy_only=False).astype(bool)
    st = s.astype(object)
    empty = st.isna().to_numpy()
    txt = st.map(lambda v: isinstance(v, str) and not v.strip(" \t\r\n\u00a0\u3000\u200b\ufeff"))
    return empty | txt.to_numpy(dtype=bool)


def _has_control_bytes(arr: pa.Array) -> bool:
    """Whether the UTF-8 data of a string array may hold a refused control character.

    Such a character is one byte in UTF-8 (never part of a multi-byte sequence), so one pass
    over the data buffer tells; bytes of values sliced away can only give a false alarm."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return True
    data = arr.buffers()[2]
    if data is None:
        return False
    b = np.frombuffer(data, dtype=np.uint8)
    low = b < 0x20
    if not low.any() and not (b == 0x7F).any():
        return False
    return bool((low & (b != 0x09) & (b != 0x0A) & (b != 0x0D)).any() or (b == 0x7F).any())


def _refused_text(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    """Cells of column ``s`` holding a control character (other than tab and line breaks, which
    the normalisers treat as whitespace) or longer than the field's limit: one error each (rule
    ``text.control`` or ``text.length``). Returns the mask of those cells."""
    limit = f.length_limit
    n = len(s)
    if isinstance(s.dtype, pd.StringDtype):  # what the reader gives: Arrow compute, no loop
        arr = pa.array(s.array)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        hit = pc.greater(pc.utf8_length(arr), limit)
        if _has_control_bytes(arr):  # rare: only then the (slower) regex, for the exact cells
            hit = pc.or_(hit, pc.match_substring_regex(arr, CONTROL_RE.pattern))
        mask = pc.fill_null(hit, False).to_numpy(zero_copy_only=False).astype(bool)
    else:
        mask = np.fromiter(
            (
                isinstance(v, str) and (len(v) > limit or CONTROL_RE.search(v) is not None)
                for v in s.astype(object)
            ),
            dtype=bool,
            count=n,
        )
    if not mask.any():
        return mask
    raws = s.iloc[np.flatnonzero(mask)].tolist()
    for i, v in zip(np.flatnonzero(mask).tolist(), raws, strict=True):
        why = control_reason(v, multiline=True)
        rule = "text.control" if why else "text.length"
        why = why or length_reason(v, limit)
        assert why is not None
        res.add(
            i,
            f.name,
            shown(v),
            rule,
            "error",
            f"「{f.zh}」的值「{shown(v)}」{why[0]}",
            f"'{f.name}' value '{shown(v)}' {why[1]}",
        )
    return mask


def _fast(res: ValidationResult, f: Field, s: pd.Series, kind: str, **opts: Any) -> np.ndarray:
    """Normalise column ``s`` with the vectorised path of :mod:`jiqun.standard.normalize`.

    Every rewritten cell is reported as ``normalised`` (one problem per change) and every refused
    cell as an ``error``; returns the values as an object array (``None`` for empty or refused).
    """
    r = N.fast_clean_series(s, kind, **opts)
    vals = r.values
    out = vals.astype(object).where(vals.notna(), None).to_numpy(copy=True)
    positions = np.flatnonzero(r.changed | r.error)
    raws = s.iloc[positions].tolist() if len(positions) else []
    for pos, raw in zip(positions.tolist(), raws, strict=True):
        nr = r.result_at(pos)
        if nr.error is not None:
            res.add(
                int(pos),
                f.name,
                raw,
                nr.error.rule,
                "error",
                nr.error.message_zh,
                nr.error.message_en,
            )
            out[pos] = None
            continue
        for ch in nr.changes:
            res.add(int(pos), f.name, raw, ch.rule, "normalised", ch.message_zh, ch.message_en)
    return out


# ---------------------------------------------------------------------------------------------
# per-type column validators
# ---------------------------------------------------------------------------------------------


def _col_text(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    return _fast(res, f, s, "text")


def _col_uscc(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    out = _fast(res, f, s, "uscc")
    present = pd.Series(out, dtype=object).notna().to_numpy()
    idx = np.flatnonzero(present)
    if not len(idx):
        return out
    codes = pd.Series(out[idx], dtype=object).astype(str)
    fmt = C.uscc_format_ok(codes)
    chk = C.uscc_checksum_ok(codes)
    for j in np.flatnonzero(~(fmt & chk)):
        i = int(idx[j])
        for finding in C.check_uscc(codes.iloc[j]):
            res.add(
                i,
                f.name,
                codes.iloc[j],
                finding.rule,
                finding.severity,
                finding.message_zh,
                finding.message_en,
            )
            if finding.severity == "error":
                out[i] = None
    # Positions 3-8 should be a GB/T 2260 code; codes issued before a division was abolished
    # keep the old one, so this is only a warning.
    pref = codes.str.slice(2, 8)
    unknown = ~pref.isin(reference.region_codes()).to_numpy() & fmt
    for j in np.flatnonzero(unknown):
        i = int(idx[j])
        if out[i] is None:
            continue
        res.add(
            i,
            f.name,
            codes.iloc[j],
            "uscc.region_prefix_known",
            "warning",
            f"第3–8位「{pref.iloc[j]}」不是现行（2023）行政区划代码（可能是已撤销的旧代码）",
            f"positions 3–8 '{pref.iloc[j]}' are not a current (2023) GB/T 2260 code (perhaps an abolished one)",
        )
    return out


_LEVEL_ZH = {"province": "省级", "prefecture": "地级", "county": "县级"}


def _refuse_codes(
    res: ValidationResult,
    f: Field,
    out: np.ndarray,
    allowed: frozenset[str],
    why: Callable[[str], tuple[str, str, str]],
) -> np.ndarray:
    """Report every normalised code of ``out`` outside ``allowed`` as an error and blank it.

    ``why(code)`` gives the rule and the Chinese and English messages for one refused code."""
    vals = pd.Series(out, dtype=object)
    bad = vals.notna().to_numpy() & ~vals.isin(allowed).to_numpy()
    for i in np.flatnonzero(bad):
        v = str(out[i])
        rule, zh, en = why(v)
        res.add(i, f.name, v, rule, "error", zh, en)
        out[i] = None
    return out


def _codes_with_total(
    res: ValidationResult,
    f: Field,
    s: pd.Series,
    kind: str,
    total: tuple[str, set[str], Callable[[str], str]],
    allowed: frozenset[str],
    why: Callable[[str], tuple[str, str, str]],
    **opts: Any,
) -> np.ndarray:
    """A code column in which some spellings stand for a total with a code of its own (全国 →
    :data:`NATION_CODE`, 合计 → :data:`TOTAL_INDUSTRY`).

    ``total`` is (the total's code, its spellings as ``key`` makes them, ``key``). Those cells
    skip the code normaliser and are recorded as the total's code, which is then allowed; the
    other cells are normalised (``_fast`` with ``opts``) and refused unless in ``allowed``
    (:func:`_refuse_codes`, with ``why``).
    """
    code, spellings, key = total
    mask = np.zeros(len(s), dtype=bool)
    if spellings:
        keys = s.astype(object).map(lambda v: None if v is None else key(str(v)))
        mask = keys.isin(spellings).to_numpy()
        s = s.where(~mask, None)
    out = _fast(res, f, s, kind, **opts)
    out[mask] = code
    if mask.any():
        allowed |= {code}
    return _refuse_codes(res, f, out, allowed, why)


def _col_region(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    levels = f.levels or ("province", "prefecture", "county")
    # 全国 has no GB/T 2260 code; region-stats records it as NATION_CODE (see schema).
    nation = {NATION_CODE, "全国"} if "nation" in levels else set()
    levels = tuple(lv for lv in levels if lv != "nation")
    allowed = frozenset().union(*(reference.region_codes(level=lv) for lv in levels))
    lv_zh = "、".join(_LEVEL_ZH[x] for x in levels)

    def why(v: str) -> tuple[str, str, str]:
        if reference.region_exists(v):
            return (
                "region.level",
                f"行政区划代码「{v}」（{reference.region_name(v)}，{_LEVEL_ZH.get(reference.region_level(v) or '', '')}）级别不符，此列应为{lv_zh}代码",
                f"region code '{v}' is a {reference.region_level(v)} code; this column needs {', '.join(levels)} codes",
            )
        return (
            "region.exists",
            f"行政区划代码「{v}」不在 GB/T 2260（2023）中",
            f"region code '{v}' does not exist in GB/T 2260 (2023)",
        )

    return _codes_with_total(res, f, s, "region", (NATION_CODE, nation, str.strip), allowed, why)


def _col_industry(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    levels = tuple(f.levels or (1, 2, 3, 4))
    expected = levels[0] if len(levels) == 1 else None
    # A region total (all industries) is a level of its own, recorded as TOTAL_INDUSTRY.
    totals = {_key(a) for a in TOTAL_INDUSTRY_ALIASES} if res.kind.name == "region-stats" else set()
    allowed = frozenset().union(*(reference.industry_codes(level=lv) for lv in levels))
    want = "/".join(map(str, levels))

    def why(v: str) -> tuple[str, str, str]:
        if reference.industry_exists(v):
            lvl = len(v) if v[0].isdigit() else 1
            return (
                "industry.level",
                f"行业代码「{v}」（{reference.industry_name(v)}）是第{lvl}级，此列需要第{want}级代码",
                f"industry code '{v}' is level {lvl}; this column needs level {want}",
            )
        if reference.industry_vintage(v) == "2011":
            info = reference.industry_2011_change(v) or {}
            return (
                "industry.vintage",
                f"{info.get('message_zh', v)}；请改用 2017 版代码",
                f"{info.get('message_en', v)}; use the 2017 code",
            )
        return (
            "industry.exists",
            f"行业代码「{v}」不在 GB/T 4754-2017 中",
            f"industry code '{v}' does not exist in GB/T 4754-2017",
        )

    total = (TOTAL_INDUSTRY, totals, _key)
    return _codes_with_total(res, f, s, "industry", total, allowed, why, expected_level=expected)


def _col_int(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    return _fast(res, f, s, "int", unit=f.unit)


def _col_year(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    out = _col_int(res, f, s)
    this = dt.date.today().year
    for i in np.flatnonzero(pd.Series(out, dtype=object).notna().to_numpy()):
        y = int(out[i])
        if not 1949 <= y <= this + 1:
            res.add(
                i,
                f.name,
                y,
                "year.range",
                "error",
                f"年份 {y} 不在 1949–{this + 1} 之间",
                f"year {y} is outside 1949–{this + 1}",
            )
            out[i] = None
    return out


def _col_float(res: ValidationResult, f: Field, s: pd.Series, unit: str | None) -> np.ndarray:
    if f.type == "amount":
        try:
            return _fast(res, f, s, "amount", unit_from_header=unit, target_unit=f.unit or "万元")
        except JiqunError as e:  # a header unit that is not money: one error for the column
            res.add(None, f.name, unit, "amount.header_unit", "error", e.message_zh, e.message_en)
            res.error_rows[:] = True
            return np.full(len(s), None, dtype=object)
    return _fast(res, f, s, "float", unit=unit)


def _col_date(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    # An operating term ends in the future: only dates that must have happened are checked.
    return _fast(res, f, s, "date", today=dt.date.max if f.future_ok else dt.date.today())


def _col_enum(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    choices = f.choices or {}
    lookup: dict[str, str] = {}
    for code, (zh, en) in choices.items():
        # A label listing several spellings ("存续/在业") accepts each of them.
        for a in (code, zh, en, code.replace("_", " "), code.replace("_", "-"), *zh.split("/")):
            lookup[_key(a)] = code
    out = np.empty(len(s), dtype=object)
    for i, v in enumerate(s.astype(object)):
        if v is None or (isinstance(v, float) and v != v):
            continue
        k = lookup.get(_key(str(v)))
        if k is None:
            allowed = "、".join(f"{a}（{zh}）" for a, (zh, _e) in choices.items())
            res.add(
                i,
                f.name,
                v,
                f"{f.name}.choice",
                "error",
                f"「{v}」不是允许的取值；可选：{allowed}",
                f"'{v}' is not an allowed value; allowed: {', '.join(choices)}",
            )
            continue
        out[i] = k
        if str(v) != k:
            res.add(
                i,
                f.name,
                v,
                f"{f.name}.label",
                "normalised",
                f"「{v}」记为 {k}",
                f"'{v}' recorded as {k}",
            )
    return out


def _key(s: str) -> str:
    import unicodedata

    return re.sub(r"[\s_\-\"“”'‘’]+", "", unicodedata.normalize("NFKC", s)).lower()


_TAG_LOOKUP: dict[str, str] = {}


def _tag_lookup() -> dict[str, str]:
    if not _TAG_LOOKUP:
        from jiqun.standard.schema import TAGS

        for k, (zh, en) in TAGS.items():
            for a in (k, zh, en):
                _TAG_LOOKUP[_key(a)] = k
        for a, k in TAG_ALIASES.items():
            _TAG_LOOKUP[_key(a)] = k
    return _TAG_LOOKUP


def _col_tags(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    lookup = _tag_lookup()
    out = np.empty(len(s), dtype=object)
    for i, v in enumerate(s.astype(object)):
        if v is None or (isinstance(v, float) and v != v) or not str(v).strip():
            continue
        parts = [p for p in re.split(r"[;；,，、|/\n]+", str(v)) if p.strip()]
        tags: list[str] = []
        for p in parts:
            k = lookup.get(_key(p))
            if k is None:
                res.add(
                    i,
                    f.name,
                    p,
                    "tags.choice",
                    "error",
                    f"未知的企业标签「{p.strip()}」；可选：专精特新、专精特新“小巨人”、制造业单项冠军、高新技术企业、链主企业",
                    f"unknown tag '{p.strip()}'; allowed: srdi, little_giant, single_champion, high_tech, chain_leader",
                )
                continue
            if k not in tags:
                tags.append(k)
        out[i] = tags
    return out


def _col_list(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    """``region_codes`` / ``industry_codes``: ;-separated lists, each element validated."""
    out = np.empty(len(s), dtype=object)
    for i, v in enumerate(s.astype(object)):
        if v is None or (isinstance(v, float) and v != v) or not str(v).strip():
            continue
        parts = [
            p.strip()
            for p in re.split(r"[;；,，、|\s]+", N.clean_text(str(v)).value or "")
            if p.strip()
        ]
        items: list[str] = []
        for p in parts:
            if f.type == "region_codes":
                rc = N.norm_region_code(p)
                code = rc.value if rc.error is None else None
                ok = code is not None and reference.region_exists(code)
            else:
                ic = N.norm_industry_code(p, expected_level=None)
                code = ic.value.code if ic.error is None and ic.value is not None else None
                ok = code is not None and reference.industry_exists(code)
            if not ok:
                what = "行政区划代码" if f.type == "region_codes" else "行业代码"
                res.add(
                    i,
                    f.name,
                    p,
                    f"{f.type}.exists",
                    "error",
                    f"列表中的{what}「{p}」不存在",
                    f"'{p}' in the list is not a valid {'GB/T 2260 region' if f.type == 'region_codes' else 'GB/T 4754-2017 industry'} code",
                )
                continue
            items.append(str(code))
        out[i] = items
    return out


def _col_cluster_id(res: ValidationResult, f: Field, s: pd.Series) -> np.ndarray:
    out = _col_text(res, f, s)
    for i, v in enumerate(out):
        if v is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}", str(v)):
            res.add(
                i,
                f.name,
                v,
                "cluster_id.format",
                "error",
                "集群编号只能包含字母、数字、下划线、点和连字符（最多40位）",
                "cluster ids use letters, digits, '_', '.', '-' (at most 40 characters)",
            )
            out[i] = None
    return out


# ---------------------------------------------------------------------------------------------


#: The validator of each field type; ``float`` and ``amount`` are validated by :func:`_col_float`,
#: which also takes the unit read from the header.
_COLUMN_VALIDATORS: dict[str, Callable[[ValidationResult, Field, pd.Series], np.ndarray]] = {
    "text": _col_text,
    "uscc": _col_uscc,
    "region_code": _col_region,
    "industry_code": _col_industry,
    "int": _col_int,
    "year": _col_year,
    "date": _col_date,
    "enum": _col_enum,
    "tags": _col_tags,
    "region_codes": _col_list,
    "industry_codes": _col_list,
    "cluster_id": _col_cluster_id,
}


def validate_table(raw: RawTable) -> ValidationResult:
    """Validate and normalise every cell of ``raw``.

    Parameters
    ----------
    raw: the table read by :func:`jiqun.standard.reader.read_table`.

    Returns
    -------
    :class:`ValidationResult` with normalised ``records`` (canonical columns, money in 万元,
    dates as :class:`datetime.date`, tags and code lists as Python lists) and ``problems``.

    Example
    -------
    >>> from jiqun.standard.reader import read_table  # doctest: +SKIP
    >>> res = validate_table(read_table("firms.csv", "enterprises"))  # doctest: +SKIP
    >>> res.n_error_rows  # doctest: +SKIP
    0
    """
    kind = raw.kind
    data = raw.data.reset_index(drop=True)
    res = ValidationResult(
        kind=kind,
        source=raw.source,
        records=pd.DataFrame(index=data.index),
        rows=np.asarray(raw.rows),
        raw=data,
        headers=dict(raw.headers),
        problems=list(raw.problems),
    )
    # An error the reader found in a record's row (a registry export's unknown industry name)
    # rejects that record like any cell error.
    bad_rows = {x.row for x in raw.problems if x.is_error and x.row is not None}
    if bad_rows and len(res.rows):
        res.error_rows |= np.isin(res.rows, list(bad_rows))
    cols: dict[str, Any] = {}
    for f in kind.fields:
        if f.name not in data.columns:
            continue
        s = data[f.name]
        if not isinstance(s.dtype, pd.StringDtype):  # text columns stay Arrow-backed
            s = s.astype(object)
        empty = _is_empty(s)
        s = s.where(~empty, None)
        refused = _refused_text(res, f, s)  # control characters, over-long cells: any type
        if refused.any():
            s = s.where(~refused, None)
        if f.type in ("float", "amount"):
            v = _col_float(res, f, s, raw.units.get(f.name))
        elif f.type in _COLUMN_VALIDATORS:
            v = _COLUMN_VALIDATORS[f.type](res, f, s)
        else:  # pragma: no cover - schema and validators are kept in step by tests
            raise NotImplementedError(f.type)
        v = np.array(v, dtype=object)  # a writable copy
        v[empty | refused] = None
        if f.required:
            for i in np.flatnonzero(empty):
                res.add(
                    i,
                    f.name,
                    "",
                    "required",
                    "error",
                    f"必填项「{f.zh}」为空",
                    f"required field '{f.name}' ({f.en}) is empty",
                )
        if f.minimum is not None:
            vals = pd.to_numeric(pd.Series(v, dtype=object), errors="coerce").to_numpy(dtype=float)
            for i in np.flatnonzero(vals < f.minimum):
                res.add(
                    i,
                    f.name,
                    v[i],
                    "range.minimum",
                    "error",
                    f"「{f.zh}」不能小于 {f.minimum:g}（值为 {v[i]}）",
                    f"'{f.name}' must be at least {f.minimum:g} (got {v[i]})",
                )
                v[i] = None
        cols[f.name] = v
    res.records = _typed_frame(kind, cols, len(data))
    _kind_rules(res)
    _duplicates(res)
    return res


def _typed_frame(kind: Kind, cols: dict[str, Any], n: int) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.RangeIndex(n))
    for f in kind.fields:
        if f.name not in cols:
            continue
        v = cols[f.name]
        if f.type in ("int", "year"):
            out[f.name] = pd.array([None if x is None else int(x) for x in v], dtype="Int64")
        elif f.type in ("float", "amount"):
            out[f.name] = pd.to_numeric(pd.Series(v, dtype=object), errors="coerce").astype(float)
        else:
            out[f.name] = pd.Series(v, dtype=object)
    return out


def _kind_rules(res: ValidationResult) -> None:
    """Rules that span several columns of one kind."""
    rec = res.records
    if res.kind.name == "region-stats" and {"measure", "unit", "value"} <= set(rec.columns):
        from jiqun.standard.schema import MEASURES

        for i, (m, u, v) in enumerate(zip(rec["measure"], rec["unit"], rec["value"], strict=True)):
            if m is None or u is None:
                continue
            canonical = MEASURES[m][2]
            u2 = str(u).strip()
            if canonical == "万元":
                factor = MONEY_UNITS.get(u2)
                if factor is None:
                    res.add(
                        i,
                        "unit",
                        u,
                        "unit.money",
                        "error",
                        f"指标 {m} 是金额，单位应为 元/千元/万元/百万元/亿元，而不是「{u}」",
                        f"measure {m} is money: unit must be 元/千元/万元/百万元/亿元, not '{u}'",
                    )
                    continue
                if factor != 1.0 and v == v:
                    rec.at[i, "value"] = float(v) * factor
                    rec.at[i, "unit"] = "万元"
                    res.add(
                        i,
                        "value",
                        v,
                        "amount.unit",
                        "normalised",
                        f"由 {u2} 换算为万元",
                        f"converted from {u2} to 万元",
                    )
            elif canonical == "人" and u2 in PEOPLE_UNITS and u2 != "人":
                if v == v:
                    rec.at[i, "value"] = float(v) * PEOPLE_UNITS[u2]
                    rec.at[i, "unit"] = "人"
                    res.add(
                        i,
                        "value",
                        v,
                        "unit.people",
                        "normalised",
                        f"由 {u2} 换算为人",
                        f"converted from {u2} to 人 (persons)",
                    )
            elif u2 != canonical and not (
                canonical in ("人", "家", "个") and u2 in ("人", "家", "个")
            ):
                res.add(
                    i,
                    "unit",
                    u,
                    "unit.measure",
                    "error",
                    f"指标 {m} 的单位应为「{canonical}」，而不是「{u}」",
                    f"measure {m} must be in '{canonical}', not '{u}'",
                )
    if res.kind.name == "listed-companies":
        for col in ("stock_code", "b_stock_code"):
            if col not in rec.columns:
                continue
            for i, v in enumerate(rec[col]):
                if v is None:
                    continue
                code = str(v)
                if code.isdigit() and len(code) < 6:
                    # a spreadsheet stored 000001 as the number 1
                    rec.at[i, col] = code.zfill(6)
                    res.add(
                        i,
                        col,
                        v,
                        "stock_code.padded",
                        "normalised",
                        f"证券代码「{code}」补足前导零为 {code.zfill(6)}",
                        f"stock code '{code}' padded to {code.zfill(6)}",
                    )
                elif not (code.isdigit() and len(code) == 6):
                    res.add(
                        i,
                        col,
                        v,
                        "stock_code.format",
                        "error",
                        f"证券代码「{code}」不是6位数字",
                        f"stock code '{code}' is not 6 digits",
                    )
                    rec.at[i, col] = None
    if res.kind.name == "supply-links" and {"supplier_uscc", "buyer_uscc"} <= set(rec.columns):
        same = (rec["supplier_uscc"] == rec["buyer_uscc"]) & rec["supplier_uscc"].notna()
        for same_i in np.flatnonzero(same.to_numpy()):
            res.add(
                same_i,
                "buyer_uscc",
                rec.at[same_i, "buyer_uscc"],
                "link.self",
                "error",
                "供应商与采购方是同一企业",
                "supplier and buyer are the same enterprise",
            )


def _duplicates(res: ValidationResult) -> None:
    """Every later occurrence of a natural key inside the file is an error naming the first row."""
    key = list(res.kind.key)
    rec = res.records
    if not set(key) <= set(rec.columns) or not len(rec):
        return
    k = rec[key].astype(object)
    complete = k.notna().all(axis=1).to_numpy()
    if not complete.any():
        return
    kk = (
        k[complete].astype(str).agg("\x1f".join, axis=1)
        if len(key) > 1
        else k[complete][key[0]].astype(str)
    )
    dup = kk.duplicated(keep="first").to_numpy()
    if not dup.any():
        return
    first_row: dict[str, int] = {}
    idx = np.flatnonzero(complete)
    for j, (val, d) in enumerate(zip(kk.to_numpy(), dup, strict=True)):
        if not d:
            first_row.setdefault(val, int(res.rows[idx[j]]))
    for dup_j in np.flatnonzero(dup):
        i = int(idx[dup_j])
        val = kk.iloc[dup_j]
        res.add(
            i,
            key[0],
            val.replace("\x1f", " | "),
            "duplicate.in_file",
            "error",
            f"唯一键（{' + '.join(key)}）与第 {first_row[val]} 行重复",
            f"duplicate key ({' + '.join(key)}): same as row {first_row[val]}",
        )
