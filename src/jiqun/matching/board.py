"""Supply–demand board (供需对接平台): the fields of needs and capabilities, and their validation.

A **need** (采购需求) is what a firm buys; a **capability** (供给能力) is what a firm offers.
Both are validated field by field: each defect gives one bilingual
:class:`~jiqun.standard.problems.Problem` naming the row, the field and the offending value, and
nothing is stored while an error remains. Files (CSV, XLSX, Parquet) are read with
:func:`jiqun.standard.reader.read_table` (encoding detection, Chinese or English headers,
spreadsheet row numbers) against the :data:`NEED_KIND` and :data:`CAPABILITY_KIND` layouts.

Rules
-----
* ``uscc``: GB 32100-2015 (length, charset, organisation-code check character: errors; the
  final check character: a warning), as :func:`jiqun.standard.codes.check_uscc`.
* ``text`` / ``products``: required, at most 1,000 characters.
* ``industry_code``: optional; a 4-digit GB/T 4754-2017 class (``C3453`` is accepted as
  ``3453``; a division or group is refused).
* ``quantity`` / ``capacity``: optional, a number in (0, 1e9]; when given, ``unit`` is required.
* ``certifications``: optional ``;``-separated names, each at most 60 characters.
* ``region_preference`` (need) / ``region_code`` (capability): GB/T 2260 codes that exist.
* ``deadline`` (need): a date, not before today.

References
----------
GB 32100-2015; GB/T 4754-2017; GB/T 2260; ``docs/matching.md`` (the supply–demand board).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from jiqun.matching.index import split_list
from jiqun.reference import industry_codes, region_exists
from jiqun.standard.codes import check_uscc
from jiqun.standard.problems import JiqunError, Problem, Severity
from jiqun.standard.schema import Field, Kind

__all__ = [
    "CAPABILITY_FIELDS",
    "CAPABILITY_KIND",
    "NEED_FIELDS",
    "NEED_KIND",
    "read_board_file",
    "validate_capability",
    "validate_need",
]

MAX_TEXT = 1000
MAX_CERT = 60
MAX_UNIT = 20
#: largest quantity or capacity (any unit): larger values are typing errors, and a need
#: quantity far above any firm only scales the capacity component (see matching/score.py)
MAX_AMOUNT = 1e9


def _party(role: str, role_zh: str) -> Field:
    """The credit code of the firm that posts a need (``buyer``) or a capability (``supplier``)."""
    return Field(
        "uscc",
        "统一社会信用代码",
        f"{role} credit code",
        "uscc",
        True,
        aliases=(role_zh, role, "信用代码", "credit code"),
    )


# Needs and capabilities describe the goods the same way.
_INDUSTRY = Field(
    "industry_code", "行业代码", "industry code", "industry_code", aliases=("行业小类",)
)
_UNIT = Field("unit", "单位", "unit", "text", aliases=("计量单位",))
NEED_FIELDS: tuple[Field, ...] = (
    _party("buyer", "采购方"),
    Field(
        "text",
        "需求产品",
        "product needed",
        "text",
        True,
        aliases=("需求描述", "采购产品", "产品", "product", "need", "description"),
    ),
    _INDUSTRY,
    Field("quantity", "数量", "quantity", "float", aliases=("需求量", "采购量")),
    _UNIT,
    Field(
        "certifications",
        "资质要求",
        "certifications",
        "text",
        aliases=("认证要求", "资质认证", "certification"),
    ),
    Field(
        "region_preference",
        "地区偏好",
        "region preference",
        "region_codes",
        aliases=("优先地区", "preferred regions"),
    ),
    Field("deadline", "截止日期", "deadline", "date", aliases=("截止时间", "需求截止")),
)
CAPABILITY_FIELDS: tuple[Field, ...] = (
    _party("supplier", "供应方"),
    Field(
        "products",
        "供给产品",
        "products offered",
        "text",
        True,
        aliases=("产品", "主营产品", "能力描述", "products", "capability", "description"),
    ),
    _INDUSTRY,
    Field("capacity", "产能", "capacity", "float", aliases=("年产能", "供给能力")),
    _UNIT,
    Field(
        "certifications",
        "资质认证",
        "certifications",
        "text",
        aliases=("认证", "资质", "certification"),
    ),
    Field("region_code", "供货地区", "supply region", "region_code", aliases=("地区代码",)),
)
#: layout of a needs file for :func:`jiqun.standard.reader.read_table` (not an import kind)
NEED_KIND = Kind("match-needs", "采购需求", "needs", "match_needs", NEED_FIELDS, ())
#: layout of a capabilities file
CAPABILITY_KIND = Kind(
    "match-capabilities", "供给能力", "capabilities", "match_capabilities", CAPABILITY_FIELDS, ()
)

_ZH = {f.name: f.zh for f in (*NEED_FIELDS, *CAPABILITY_FIELDS)}


def _blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        if pd.isna(v):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(v, str) and not v.strip()


class _Checker:
    def __init__(self, row: int | None) -> None:
        self.row = row
        self.problems: list[Problem] = []

    def add(
        self, fld: str, value: object, rule: str, zh: str, en: str, severity: Severity = "error"
    ) -> None:
        shown = "" if value is None else str(value)
        where_zh = (
            f"第 {self.row} 行，" if self.row is not None else ""
        ) + f"字段 {fld}（{_ZH.get(fld, fld)}）"
        where_en = (f"row {self.row}, " if self.row is not None else "") + f"field {fld}"
        self.problems.append(
            Problem(
                self.row,
                fld,
                shown,
                rule,
                severity,
                f"{where_zh}，值 {shown!r}：{zh}",
                f"{where_en}, value {shown!r}: {en}",
            )
        )

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    def uscc(self, v: object) -> str | None:
        if _blank(v):
            self.add("uscc", v, "board.required", "必填", "is required")
            return None
        code = str(v).strip().upper()
        for f in check_uscc(code):
            self.add("uscc", v, f.rule, f.message_zh, f.message_en, f.severity)
        return code

    def text(self, fld: str, v: object, required: bool) -> str | None:
        if _blank(v):
            if required:
                self.add(
                    fld, v, "board.required", "必填，请写明产品", "is required: name the products"
                )
            return None
        s = " ".join(str(v).split())
        if len(s) > MAX_TEXT:
            self.add(
                fld,
                s[:40] + "…",
                "board.too_long",
                f"不能超过 {MAX_TEXT} 字（实际 {len(s)} 字）",
                f"must be at most {MAX_TEXT} characters (has {len(s)})",
            )
        return s

    def industry(self, v: object) -> str | None:
        if _blank(v):
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)  # a spreadsheet number cell
        s = str(v).strip().upper()
        if len(s) == 5 and s[0].isalpha() and s[1:].isdigit():
            s = s[1:]
        if s in industry_codes(4):
            return s
        numeric = isinstance(v, int | float) and not isinstance(v, bool)
        if numeric and s.isdigit() and len(s) == 3 and ("0" + s) in industry_codes(4):
            self.add(
                "industry_code",
                v,
                "board.industry_leading_zero",
                f"前导零丢失？请写成文本 0{s}",
                f"leading zero lost? write it as text: 0{s}",
            )
        elif s in industry_codes():
            self.add(
                "industry_code",
                v,
                "board.industry_level",
                "须为 4 位行业小类代码，不能是门类、大类或中类",
                "must be a 4-digit class, not a section, division or group",
            )
        else:
            self.add(
                "industry_code",
                v,
                "board.industry_unknown",
                "不是 GB/T 4754-2017 行业小类代码",
                "is not a GB/T 4754-2017 class",
            )
        return None

    def amount(self, fld: str, v: Any) -> float | None:
        if _blank(v):
            return None
        try:
            # float() of any other cell: what it cannot convert is reported below
            x = float(str(v).replace(",", "").strip()) if isinstance(v, str) else float(v)
        except (TypeError, ValueError):
            self.add(fld, v, "board.number", "须为数字", "must be a number")
            return None
        if not math.isfinite(x) or x <= 0:
            self.add(fld, v, "board.positive", "须为大于 0 的数", "must be a number greater than 0")
            return None
        if x > MAX_AMOUNT:
            self.add(
                fld,
                v,
                "board.too_large",
                f"不能超过 {MAX_AMOUNT:g}",
                f"must be at most {MAX_AMOUNT:g}",
            )
            return None
        return x

    def unit(self, v: object, amount: float | None, amount_field: str) -> str | None:
        if _blank(v):
            if amount is not None:
                self.add(
                    "unit",
                    v,
                    "board.unit_required",
                    f"填写了 {amount_field} 时必须给出单位（如 件、吨、万元）",
                    f"a unit is required when {amount_field} is given (e.g. 件, 吨, 万元)",
                )
            return None
        s = str(v).strip()
        if len(s) > MAX_UNIT:
            self.add(
                "unit",
                v,
                "board.too_long",
                f"不能超过 {MAX_UNIT} 字",
                f"at most {MAX_UNIT} characters",
            )
        return s

    def certs(self, v: object) -> str | None:
        items = split_list(v)
        for c in items:
            if len(c) > MAX_CERT:
                self.add(
                    "certifications",
                    c,
                    "board.too_long",
                    f"每项认证不能超过 {MAX_CERT} 字",
                    f"each certification must be at most {MAX_CERT} characters",
                )
        return ";".join(items) or None

    def regions(self, fld: str, v: object, single: bool) -> str | None:
        items = [str(x).strip() for x in split_list(v)]
        if single and len(items) > 1:
            self.add(
                fld, v, "board.single_region", "只能填一个地区代码", "give one region code only"
            )
        good = []
        for c in items:
            if c.isdigit() and len(c) == 6 and region_exists(c):
                good.append(c)
            else:
                self.add(
                    fld,
                    c,
                    "board.region_unknown",
                    "不是有效的 GB/T 2260 行政区划代码",
                    "is not a valid GB/T 2260 region code",
                )
        return ";".join(good) or None

    def posting(
        self,
        record: Mapping[str, Any],
        text_field: str,
        amount_field: str,
        region_field: str,
        *,
        single_region: bool,
    ) -> dict[str, Any]:
        # a need and a capability describe the goods the same way (see NEED_FIELDS and
        # CAPABILITY_FIELDS): one sequence of checks, in the order of the columns, for both
        clean: dict[str, Any] = {
            "uscc": self.uscc(record.get("uscc")),
            text_field: self.text(text_field, record.get(text_field), True),
            "industry_code": self.industry(record.get("industry_code")),
            amount_field: self.amount(amount_field, record.get(amount_field)),
        }
        clean["unit"] = self.unit(record.get("unit"), clean[amount_field], amount_field)
        clean["certifications"] = self.certs(record.get("certifications"))
        clean[region_field] = self.regions(region_field, record.get(region_field), single_region)
        return clean

    def date(self, v: object, today: dt.date) -> dt.date | None:
        if _blank(v):
            return None
        d: dt.date | None
        if isinstance(v, dt.datetime):
            d = v.date()
        elif isinstance(v, dt.date):
            d = v
        else:
            s = str(v).strip().replace("/", "-").replace(".", "-")
            s = s.replace("年", "-").replace("月", "-").replace("日", "")
            try:
                d = dt.date.fromisoformat("-".join(p.zfill(2) for p in s.split("-")))
            except ValueError:
                self.add(
                    "deadline",
                    v,
                    "board.date",
                    "不是有效日期（请写成 2026-12-31）",
                    "is not a valid date (write 2026-12-31)",
                )
                return None
        if d < today:
            self.add(
                "deadline",
                v,
                "board.deadline_past",
                f"截止日期早于今天（{today.isoformat()}）",
                f"the deadline is before today ({today.isoformat()})",
            )
        return d


def validate_need(
    record: Mapping[str, Any], *, row: int | None = None, today: dt.date | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """Validate one need and return its clean values.

    Parameters
    ----------
    record:
        ``uscc``, ``text`` and optionally ``industry_code``, ``quantity``, ``unit``,
        ``certifications`` (text or list), ``region_preference`` (text or list), ``deadline``.
    row:
        Source row number for the messages (``None`` for a single posting).
    today:
        Reference date of the deadline rule (default: today).

    Returns
    -------
    tuple[dict, list[Problem]]
        The clean record (lists joined with ``;``) and every problem found (errors and
        warnings); the record may be stored only if no problem is an error.

    References
    ----------
    Module docstring (rules); GB 32100-2015, GB/T 4754-2017, GB/T 2260.

    Example
    -------
    >>> rec, probs = validate_need({"uscc": "91370000728611939A", "text": "精密减速器",
    ...     "industry_code": "C3453", "quantity": "200", "unit": "台"})
    >>> rec["industry_code"], rec["quantity"], probs
    ('3453', 200.0, [])
    >>> _, probs = validate_need({"uscc": "91370000728611939A", "text": "", "quantity": -1})
    >>> [p.rule for p in probs]
    ['board.required', 'board.positive']
    """
    c = _Checker(row)
    clean = c.posting(record, "text", "quantity", "region_preference", single_region=False)
    clean["deadline"] = c.date(record.get("deadline"), today or dt.date.today())
    return clean, c.problems


def validate_capability(
    record: Mapping[str, Any], *, row: int | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """Validate one capability and return its clean values.

    Parameters
    ----------
    record:
        ``uscc``, ``products`` and optionally ``industry_code``, ``capacity``, ``unit``,
        ``certifications``, ``region_code``.
    row:
        Source row number for the messages.

    Returns
    -------
    tuple[dict, list[Problem]]
        The clean record and every problem found.

    References
    ----------
    Module docstring (rules).

    Example
    -------
    >>> rec, probs = validate_capability({"uscc": "91370000728611939A",
    ...     "products": "谐波减速器", "capacity": 5000, "unit": "台",
    ...     "certifications": "ISO 9001；IATF 16949"})
    >>> rec["certifications"], probs
    ('ISO 9001;IATF 16949', [])
    """
    c = _Checker(row)
    clean = c.posting(record, "products", "capacity", "region_code", single_region=True)
    return clean, c.problems


def read_board_file(
    path: str | Path, what: str, *, today: dt.date | None = None, sheet: str | None = None
) -> tuple[list[dict[str, Any]], list[Problem], int]:
    """Read and validate a file of needs or capabilities (CSV, XLSX, Parquet).

    Parameters
    ----------
    path:
        The file; headers in Chinese or English (see :data:`NEED_FIELDS`,
        :data:`CAPABILITY_FIELDS`), e.g. ``统一社会信用代码, 需求产品, 行业代码, 数量, 单位``.
    what:
        ``needs`` or ``capabilities``.
    today:
        Reference date of the deadline rule.
    sheet:
        Worksheet (Excel).

    Returns
    -------
    tuple[list[dict], list[Problem], int]
        The clean records of the rows without errors (each with its source row in ``_row``),
        every problem (file-level ones from the reader, then one per row, field and value),
        and the number of data rows read.

    Raises
    ------
    JiqunError
        For an unreadable file, or an unknown ``what``.

    Example
    -------
    >>> recs, probs, n = read_board_file("needs.xlsx", "needs")  # doctest: +SKIP
    """
    from jiqun.standard.reader import read_table

    if what not in ("needs", "capabilities"):
        raise JiqunError(
            f"未知的类别「{what}」，可选：needs, capabilities",
            f"unknown kind '{what}'; valid: needs, capabilities",
        )
    kind = NEED_KIND if what == "needs" else CAPABILITY_KIND
    raw = read_table(path, kind, sheet=sheet, allow_unknown_columns=True)
    problems = [p for p in raw.problems if p.severity != "normalised"]
    if any(p.is_error for p in problems):
        return [], problems, len(raw.data)
    records: list[dict[str, Any]] = []
    data = raw.data
    for i in range(len(data)):
        rec = {k: data[k].iloc[i] for k in data.columns}
        row = int(raw.rows[i])
        if what == "needs":
            clean, probs = validate_need(rec, row=row, today=today)
        else:
            clean, probs = validate_capability(rec, row=row)
        problems += probs
        if not any(p.is_error for p in probs):
            clean["_row"] = row
            records.append(clean)
    return records, problems, len(data)
