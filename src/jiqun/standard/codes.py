"""Code systems: unified social credit codes (GB 32100-2015), industry codes (GB/T 4754-2017) and
administrative division codes (GB/T 2260).

Everything here is pure syntax: whether a region or industry code *exists* is checked against the
shipped reference data elsewhere. Inputs are expected to be normalised already (see
:mod:`jiqun.standard.normalize`): upper-case ASCII, no spaces.

Unified social credit code (统一社会信用代码), GB 32100-2015
------------------------------------------------------------
18 characters from ``0123456789ABCDEFGHJKLMNPQRTUWXY`` (I, O, Z, S, V are never used):

========  ==========================================================================
position  meaning
========  ==========================================================================
1         registration management department (登记管理部门代码), :data:`USCC_AUTHORITIES`
2         organisation category (机构类别代码), valid values depend on position 1,
          :data:`USCC_CATEGORIES`
3–8       GB/T 2260 code of the registering authority's area (登记管理机关行政区划码);
          ``100000`` is used for national-level registrations
9–17      subject identifier = the organisation code of GB 11714 (主体标识码/组织机构代码):
          8 body characters and its own check character (weights 3 7 9 10 5 8 4 2, mod 11)
18        check character: weights 3^(i-1) mod 31 over positions 1–17
========  ==========================================================================

A mismatching position-18 check character is only a *warning*: some early pilot codes fail it and the
code printed on the business licence is the legal identifier, so it is never rejected and never
"corrected". A wrong GB 11714 check character in positions 9–17, an unknown department/category
or a non-numeric region part are *errors*: ``123456789012345678`` passes the mod-31 checksum and is
caught only by these format rules (its embedded organisation code ``90123456-7`` should end in 8).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jiqun.standard.problems import Problem, Severity

__all__ = [
    "GBT4754_SECTION_DIVISIONS",
    "USCC_AUTHORITIES",
    "USCC_CATEGORIES",
    "USCC_CHARSET",
    "USCC_WEIGHTS",
    "CodeFinding",
    "check_uscc",
    "industry_code_level",
    "industry_section_for_division",
    "organisation_code_check_char",
    "region_code_level",
    "uscc_check_char",
    "uscc_checksum_ok",
    "uscc_format_ok",
]

USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a unified social credit code may use, in value order (value = index)."""

USCC_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))
"""Weights of positions 1–17: 3^(i−1) mod 31 = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24,
10, 30, 28)."""

_USCC_VALUE: Final = {c: i for i, c in enumerate(USCC_CHARSET)}

# GB 11714-1997: the organisation code body uses digits and all 26 letters (A=10 … Z=35); the USCC
# charset is a subset, so every USCC position 9–16 has a GB 11714 value.
_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_CHARSET: Final = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_VALUE: Final = {c: i for i, c in enumerate(_ORG_CHARSET)}

USCC_AUTHORITIES: Final[dict[str, tuple[str, str]]] = {
    "1": ("机构编制", "institutional establishment (bianzhi) authorities"),
    "2": ("外交", "foreign affairs"),
    "3": ("司法行政", "justice administration"),
    "4": ("文化", "culture"),
    "5": ("民政", "civil affairs"),
    "6": ("旅游", "tourism"),
    "7": ("宗教", "religious affairs"),
    "8": ("工会", "trade unions"),
    "9": ("工商", "industry and commerce / market regulation"),
    "A": ("中央军委改革和编制办公室", "CMC reform and establishment office"),
    "N": ("农业", "agriculture"),
    "Y": ("其他", "other"),
}
"""Position 1, registration management department (登记管理部门代码).

Source: GB 32100-2015 Appendix A as reproduced in public tables (recalled, not copied from the
standard's text; 1/5/9/Y are certain, which of the others were added after 2015 is not). Re-check
against the current edition before relying on a rejection."""

#: The category most registration departments end their list with.
_OTHER: Final = ("其他", "other")

USCC_CATEGORIES: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "1": {
        "1": ("机关", "government organ"),
        "2": ("事业单位", "public institution"),
        "3": (
            "中央编办直接管理机构编制的群众团体",
            "mass organisation under the central bianzhi office",
        ),
        "9": _OTHER,
    },
    "2": {"1": ("外国常驻新闻机构", "resident foreign news agency"), "9": _OTHER},
    "3": {
        "1": ("律师执业机构", "law firm"),
        "2": ("公证处", "notary office"),
        "3": ("基层法律服务所", "grassroots legal service office"),
        "4": ("司法鉴定机构", "forensic examination institution"),
        "5": ("仲裁委员会", "arbitration commission"),
        "9": _OTHER,
    },
    "4": {"1": ("外国在华文化中心", "foreign cultural centre in China"), "9": _OTHER},
    "5": {
        "1": ("社会团体", "social organisation"),
        "2": ("民办非企业单位", "private non-enterprise unit"),
        "3": ("基金会", "foundation"),
        "9": _OTHER,
    },
    "6": {
        "1": ("外国旅游部门常驻代表机构", "representative office of a foreign tourism authority"),
        "2": (
            "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "representative office of a Hong Kong/Macao/Taiwan tourism authority",
        ),
        "9": _OTHER,
    },
    "7": {
        "1": ("宗教活动场所", "venue for religious activities"),
        "2": ("宗教院校", "religious school"),
        "9": _OTHER,
    },
    "8": {"1": ("基层工会", "grassroots trade union"), "9": _OTHER},
    "9": {
        "1": ("企业", "enterprise"),
        "2": ("个体工商户", "individual business"),
        "3": ("农民专业合作社", "farmers' specialised cooperative"),
    },
    "A": {"1": ("军队事业单位", "military public institution"), "9": _OTHER},
    "N": {
        "1": ("组级集体经济组织", "group-level collective economic organisation"),
        "2": ("村级集体经济组织", "village-level collective economic organisation"),
        "3": ("乡镇级集体经济组织", "township-level collective economic organisation"),
        "9": _OTHER,
    },
    "Y": {"1": ("其他（不再细分）", "other (not subdivided)")},
}
"""Position 2, organisation category (机构类别代码), per registration department; same source and
caveat as :data:`USCC_AUTHORITIES`. ``9`` (市场监管) has no "other" category: 91 enterprise,
92 individual business, 93 farmers' cooperative."""

GBT4754_SECTION_DIVISIONS: Final[dict[str, tuple[int, int]]] = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}
"""GB/T 4754-2017 sections (门类) and their inclusive division (大类) ranges."""

_DIVISION_SECTION: Final = {
    f"{d:02d}": s for s, (lo, hi) in GBT4754_SECTION_DIVISIONS.items() for d in range(lo, hi + 1)
}

_DIGITS_6: Final = re.compile(r"[0-9]{6}")
_DIGITS_2_4: Final = re.compile(r"[0-9]{2,4}")


@dataclass(frozen=True, slots=True)
class CodeFinding:
    """One finding of a code check, before it is tied to a row and column.

    Parameters
    ----------
    rule:
        Stable rule identifier, e.g. ``uscc.checksum``.
    severity:
        ``error`` or ``warning``.
    message_zh, message_en:
        The reason, in Chinese and in English.
    """

    rule: str
    severity: Severity
    message_zh: str
    message_en: str

    def to_problem(self, row: int | None, column: str | None, value: str) -> Problem:
        """Attach the finding to a cell.

        Parameters
        ----------
        row, column, value:
            As in :class:`~jiqun.standard.problems.Problem`.

        Returns
        -------
        Problem

        Example
        -------
        >>> check_uscc("91370000728611930A")[0].to_problem(5, "统一社会信用代码", "x").row
        5
        """
        return Problem(
            row, column, value, self.rule, self.severity, self.message_zh, self.message_en
        )


def uscc_check_char(first17: str) -> str:
    """Compute the GB 32100 check character (position 18) of a unified social credit code.

    Parameters
    ----------
    first17:
        Positions 1–17, upper-case, every character from :data:`USCC_CHARSET`.

    Returns
    -------
    str
        The single check character.

    Raises
    ------
    ValueError
        If ``first17`` is not 17 characters from the charset.

    Example
    -------
    >>> uscc_check_char("91370000728611939")
    'A'
    """
    if len(first17) != 17 or any(c not in _USCC_VALUE for c in first17):
        raise ValueError(f"need 17 characters from {USCC_CHARSET}, got {first17!r}")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def organisation_code_check_char(body8: str) -> str:
    """Compute the GB 11714-1997 check character of an 8-character organisation code body.

    Positions 9–16 of a unified social credit code are such a body and position 17 is its check
    character.

    Parameters
    ----------
    body8:
        8 characters, digits or upper-case letters.

    Returns
    -------
    str
        ``0``–``9`` or ``X``.

    Raises
    ------
    ValueError
        If ``body8`` is not 8 digits/upper-case letters.

    Example
    -------
    >>> organisation_code_check_char("72861193")
    '9'
    """
    if len(body8) != 8 or any(c not in _ORG_VALUE for c in body8):
        raise ValueError(f"need 8 digits or upper-case letters, got {body8!r}")
    c = 11 - sum(_ORG_VALUE[ch] * w for ch, w in zip(body8, _ORG_WEIGHTS, strict=True)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def check_uscc(code: str) -> list[CodeFinding]:
    """Check one normalised unified social credit code against GB 32100-2015.

    Rules, in order: ``uscc.length`` (18 characters), ``uscc.charset`` (only
    :data:`USCC_CHARSET`), ``uscc.registration_authority`` (position 1),
    ``uscc.category`` (position 2 valid for position 1), ``uscc.region_prefix`` (positions 3–8 are
    digits), ``uscc.organisation_code`` (GB 11714 check character at position 17) — all errors —
    and ``uscc.checksum`` (position 18), a **warning** only. Positional rules run only on 18-character
    codes; check-character rules only when every character is in the charset.

    Parameters
    ----------
    code:
        The code, already normalised (stripped, upper-case ASCII; see
        :func:`jiqun.standard.normalize.norm_uscc`).

    Returns
    -------
    list[CodeFinding]
        Empty when the code is fully valid.

    Example
    -------
    >>> check_uscc("91370000728611939A")
    []
    >>> [f.rule for f in check_uscc("91370000728611939B")]
    ['uscc.checksum']
    >>> [f.rule for f in check_uscc("123456789012345678")]
    ['uscc.organisation_code']
    """
    findings: list[CodeFinding] = []
    if len(code) != 18:
        findings.append(
            CodeFinding(
                "uscc.length",
                "error",
                f"统一社会信用代码应为18位，实际为{len(code)}位",
                f"a unified social credit code has 18 characters, this one has {len(code)}",
            )
        )
    bad = [(i + 1, c) for i, c in enumerate(code) if c not in _USCC_VALUE]
    if bad:
        # a whole pasted paragraph should not produce a paragraph-long message
        shown, more = bad[:10], len(bad) > 10
        listed = "、".join(f"第{p}位「{c}」" for p, c in shown) + ("等" if more else "")
        listed_en = ", ".join(f"{c!r} at position {p}" for p, c in shown) + (", …" if more else "")
        findings.append(
            CodeFinding(
                "uscc.charset",
                "error",
                f"含有不允许的字符：{listed}（只允许数字和除 I、O、Z、S、V 以外的大写字母）",
                f"characters not allowed: {listed_en} (only digits and upper-case letters other "
                "than I, O, Z, S, V)",
            )
        )
    if len(code) != 18:
        return findings

    authority, category = code[0], code[1]
    if authority not in USCC_AUTHORITIES:
        findings.append(
            CodeFinding(
                "uscc.registration_authority",
                "error",
                f"第1位登记管理部门代码「{authority}」不存在（应为 "
                f"{'、'.join(USCC_AUTHORITIES)} 之一）",
                f"position 1 registration authority {authority!r} does not exist (expected one of "
                f"{', '.join(USCC_AUTHORITIES)})",
            )
        )
    elif category not in USCC_CATEGORIES[authority]:
        zh_auth, en_auth = USCC_AUTHORITIES[authority]
        allowed = "、".join(USCC_CATEGORIES[authority])
        findings.append(
            CodeFinding(
                "uscc.category",
                "error",
                f"第2位机构类别代码「{category}」对登记管理部门「{authority} {zh_auth}」无效"
                f"（应为 {allowed} 之一）",
                f"position 2 organisation category {category!r} is not valid for registration "
                f"authority {authority!r} ({en_auth}); expected one of "
                f"{', '.join(USCC_CATEGORIES[authority])}",
            )
        )
    region = code[2:8]
    if not _DIGITS_6.fullmatch(region):
        findings.append(
            CodeFinding(
                "uscc.region_prefix",
                "error",
                f"第3–8位登记管理机关行政区划码「{region}」应为6位数字",
                f"positions 3–8 (registering authority's region code) {region!r} must be 6 digits",
            )
        )
    if bad:
        return findings

    expected_org = organisation_code_check_char(code[8:16])
    if code[16] != expected_org:
        findings.append(
            CodeFinding(
                "uscc.organisation_code",
                "error",
                f"第9–17位组织机构代码「{code[8:16]}-{code[16]}」校验位错误："
                f"应为「{expected_org}」，实际为「{code[16]}」（GB 11714）",
                f"positions 9–17, organisation code {code[8:16]}-{code[16]}: check character "
                f"should be {expected_org!r}, found {code[16]!r} (GB 11714)",
            )
        )
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        findings.append(
            CodeFinding(
                "uscc.checksum",
                "warning",
                f"校验码不符：按 GB 32100 计算应为「{expected}」，实际为「{code[17]}」；"
                "代码按原样保存，请核对营业执照",
                f"check character mismatch: GB 32100 gives {expected!r}, found {code[17]!r}; "
                "the code is kept as written, please check it against the licence",
            )
        )
    return findings


# ---------------------------------------------------------------------------------------------
# Vectorised checks. A uint8 lookup table maps each ASCII byte to its value (255 = not allowed), so
# a whole column is checked with a handful of numpy operations on an (n, 18) byte matrix.

_BAD: Final = 255
_USCC_LUT: Final = np.full(256, _BAD, dtype=np.uint8)
for _i, _c in enumerate(USCC_CHARSET):
    _USCC_LUT[ord(_c)] = _i
_ORG_LUT: Final = np.full(256, _BAD, dtype=np.uint8)
for _i, _c in enumerate(_ORG_CHARSET):
    _ORG_LUT[ord(_c)] = _i
_AUTH_CAT_OK: Final = np.zeros((256, 256), dtype=bool)
for _a, _cats in USCC_CATEGORIES.items():
    for _k in _cats:
        _AUTH_CAT_OK[ord(_a), ord(_k)] = True
_W31: Final = np.array(USCC_WEIGHTS, dtype=np.int64)
_W11: Final = np.array(_ORG_WEIGHTS, dtype=np.int64)
# expected GB 11714 check byte for each value of (sum mod 11)
_ORG_CHECK_BYTE: Final = np.frombuffer(b"0X987654321", dtype=np.uint8)


def _to_arrow_strings(codes: pd.Series) -> pa.Array:
    """The column as an Arrow string array; cells that are not ``str`` become null."""
    if isinstance(codes.dtype, pd.StringDtype) or (
        isinstance(codes.dtype, pd.ArrowDtype) and pa.types.is_string(codes.dtype.pyarrow_dtype)
    ):
        arr = pa.array(codes.array)
    elif codes.dtype == object:
        values = codes.to_numpy(dtype=object)
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            # numbers are not codes: an Excel number has already lost leading zeros or precision
            values = np.array([v if isinstance(v, str) else None for v in values], dtype=object)
        arr = pa.array(values, type=pa.large_string(), from_pandas=True)
    else:
        arr = pa.nulls(len(codes), type=pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return arr.cast(pa.large_string())


def _fixed_width_matrix(codes: pd.Series, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Select the ASCII cells of exactly ``width`` characters and view them as a byte matrix.

    Returns ``(selected, matrix)``: a bool mask over the column and a ``(selected.sum(), width)``
    uint8 matrix of those cells, zero-copy on the Arrow data buffer.
    """
    arr = _to_arrow_strings(codes)
    selected = pc.fill_null(
        pc.and_(pc.equal(pc.binary_length(arr), width), pc.string_is_ascii(arr)), False
    )
    mask = selected.to_numpy(zero_copy_only=False).astype(bool, copy=False)
    sel = pc.filter(arr, selected)
    if isinstance(sel, pa.ChunkedArray):
        sel = sel.combine_chunks()
    if len(sel) == 0:
        return mask, np.empty((0, width), dtype=np.uint8)
    _, offsets_buf, data_buf = sel.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[sel.offset : sel.offset + len(sel) + 1]
    # every selected cell has exactly `width` bytes, so the cells are one contiguous block
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]]
    return mask, data.reshape(-1, width)


def uscc_checksum_ok(codes: pd.Series) -> np.ndarray:
    """Vectorised GB 32100 check-character test of a column of codes.

    Agrees with :func:`check_uscc`: ``True`` exactly where the cell is a ``str`` for which
    :func:`check_uscc` reports neither ``uscc.length`` nor ``uscc.charset`` nor ``uscc.checksum``.
    Missing and non-string cells are ``False``.

    Parameters
    ----------
    codes:
        Normalised codes (``str``, object or Arrow string dtype).

    Returns
    -------
    numpy.ndarray
        Boolean array, one entry per cell.

    Example
    -------
    >>> uscc_checksum_ok(pd.Series(["91370000728611939A", "91370000728611939B", None])).tolist()
    [True, False, False]
    """
    mask, mat = _fixed_width_matrix(codes, 18)
    vals = _USCC_LUT[mat]
    ok = (vals != _BAD).all(axis=1)
    total = vals[:, :17].astype(np.int64) @ _W31
    ok &= ((31 - total % 31) % 31) == vals[:, 17]
    out = np.zeros(len(codes), dtype=bool)
    out[mask] = ok
    return out


def uscc_format_ok(codes: pd.Series) -> np.ndarray:
    """Vectorised GB 32100 format test (every *error* rule of :func:`check_uscc`).

    ``True`` exactly where :func:`check_uscc` reports no error: 18 charset characters, a known
    registration department and a category valid for it, six digits in positions 3–8 and a correct
    GB 11714 check character at position 17. The position-18 checksum is not part of the format (see
    :func:`uscc_checksum_ok`). Missing and non-string cells are ``False``.

    Parameters
    ----------
    codes:
        Normalised codes (``str``, object or Arrow string dtype).

    Returns
    -------
    numpy.ndarray
        Boolean array, one entry per cell.

    Example
    -------
    >>> uscc_format_ok(pd.Series(["91370000728611939A", "123456789012345678", "9137"])).tolist()
    [True, False, False]
    """
    mask, mat = _fixed_width_matrix(codes, 18)
    ok = (_USCC_LUT[mat] != _BAD).all(axis=1)
    ok &= _AUTH_CAT_OK[mat[:, 0], mat[:, 1]]
    region = mat[:, 2:8]
    ok &= ((region >= ord("0")) & (region <= ord("9"))).all(axis=1)
    org_vals = _ORG_LUT[mat[:, 8:16]]
    # rows with a non-charset byte are already False; clamp so the sum stays meaningful
    org_sum = np.where(org_vals == _BAD, 0, org_vals).astype(np.int64) @ _W11
    ok &= _ORG_CHECK_BYTE[org_sum % 11] == mat[:, 16]
    out = np.zeros(len(codes), dtype=bool)
    out[mask] = ok
    return out


# ---------------------------------------------------------------------------------------------
# GB/T 4754-2017 and GB/T 2260 syntax


def industry_code_level(code: str) -> int | None:
    """Level of a GB/T 4754-2017 industry code, from its syntax alone.

    Parameters
    ----------
    code:
        A normalised code: a section letter ``A``–``T`` or 2, 3 or 4 ASCII digits.

    Returns
    -------
    int | None
        1 (section 门类), 2 (division 大类), 3 (group 中类), 4 (class 小类), or ``None`` when the
        string is none of these (existence is checked against reference data elsewhere).

    Example
    -------
    >>> [industry_code_level(c) for c in ["C", "39", "397", "3973", "C3973", "U", "39731"]]
    [1, 2, 3, 4, None, None, None]
    """
    if len(code) == 1 and code in GBT4754_SECTION_DIVISIONS:
        return 1
    if _DIGITS_2_4.fullmatch(code):
        return len(code)
    return None


def industry_section_for_division(division: str) -> str | None:
    """The GB/T 4754-2017 section letter a 2-digit division belongs to.

    Parameters
    ----------
    division:
        Two ASCII digits (the first two digits of any division, group or class code).

    Returns
    -------
    str | None
        The section letter, or ``None`` when no section covers the division (e.g. ``00``, ``98``).

    Example
    -------
    >>> industry_section_for_division("39"), industry_section_for_division("98")
    ('C', None)
    """
    return _DIVISION_SECTION.get(division)


def region_code_level(code: str) -> str | None:
    """Level of a GB/T 2260 administrative division code, from its syntax alone.

    Parameters
    ----------
    code:
        Six ASCII digits.

    Returns
    -------
    str | None
        ``"province"`` for ``XX0000``, ``"prefecture"`` for ``XXXX00``, ``"county"`` otherwise,
        ``None`` when the string is not six digits. Existence is checked against reference data
        elsewhere.

    Example
    -------
    >>> [region_code_level(c) for c in ["320000", "320200", "320214", "32021", "３２０２１４"]]
    ['province', 'prefecture', 'county', None, None]
    """
    if not _DIGITS_6.fullmatch(code):
        return None
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"
