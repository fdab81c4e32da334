"""Firm → segment mapping (企业—产业链环节映射): by industry code, product keywords, or by hand.

Three methods, each recorded with a confidence in 0..1:

``code``
    The firm's GB/T 4754-2017 class is one of the segment's classes; the confidence is the
    template's for that class (high 0.9, med 0.7, low 0.4).
``keyword``
    A segment keyword appears as a whole word in the firm's business scope (经营范围). The scope
    is segmented with jieba, with every template keyword loaded as a user word so that
    multi-character product words stay whole ("太阳能电池片" is not "电池"); confidence 0.6.
``manual``
    A user override; it replaces every automatic mapping of that firm in that chain
    (confidence 1.0 unless the override gives one).

A firm may map to several segments. Each (firm, segment) pair appears once: when the code and a
keyword agree, the evidence is combined as ``1 − (1 − c_code)(1 − c_keyword)``, ``method`` stays
``code`` and ``matched`` lists both. When a class is shared by several segments of a chain (e.g.
3973 for wafer fabrication and for packaging), a keyword that points to one of them removes the
code-only mappings of that class to the others (``disambiguate=True``).

Speed: for 200,000 firms only the scopes that contain a keyword as a substring (one regular
expression pass) are segmented with jieba, which then confirms whole words.

References
----------
METHODS.md §5 ("Firm → segment mapping"); jieba (MIT), https://github.com/fxsjy/jieba.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from jiqun.analytics.rca import JiqunWarning
from jiqun.chains.templates import ChainTemplate
from jiqun.standard.problems import JiqunError
from jiqun.standard.tokenizer import JiebaTokenizer

__all__ = ["KEYWORD_CONFIDENCE", "MANUAL_CONFIDENCE", "MAPPING_COLUMNS", "map_firms"]

#: confidence of a business-scope keyword match
KEYWORD_CONFIDENCE = 0.6
#: confidence of a manual override without its own confidence
MANUAL_CONFIDENCE = 1.0
#: columns of the mapping table, in order
MAPPING_COLUMNS = ["uscc", "chain", "segment", "method", "confidence", "matched"]

_EXCLUDE = {"", "-", "none", "无", "排除", "exclude"}
# clause separators of a business scope (Chinese and ASCII punctuation, whitespace)
_CLAUSE = re.compile(r"[；;、，,。：:（）()【】\[\]\s]+")


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "uscc": pd.Series(dtype="str"),
            "chain": pd.Series(dtype="str"),
            "segment": pd.Series(dtype="str"),
            "method": pd.Series(dtype="str"),
            "confidence": pd.Series(dtype="float64"),
            "matched": pd.Series(dtype="str"),
        }
    )


#: The chain mapping's segmenter (jiqun.standard.tokenizer), shared by all chains; it only grows:
#: loading jieba's dictionary costs about a second, adding a word microseconds, and more whole
#: product words only make the segmentation of every chain more precise.
_SEGMENTER = JiebaTokenizer()


def _tokenizer(words: Iterable[str]) -> Any:
    """The chain mapping's jieba tokenizer, holding ``words`` (and earlier chains' keywords)."""
    _SEGMENTER.add_words(words)
    return _SEGMENTER.tokenizer()


def _code_rows(firms: pd.DataFrame, template: ChainTemplate) -> pd.DataFrame:
    ct = template.code_table()[["segment", "code", "score"]]
    f = firms[["uscc", "industry_code"]].dropna()
    f = f.assign(industry_code=f["industry_code"].astype("str").str.strip())
    m = f.merge(ct, left_on="industry_code", right_on="code", how="inner")
    return pd.DataFrame(
        {
            "uscc": m["uscc"].astype("str"),
            "segment": m["segment"].astype("str"),
            "code_conf": m["score"].astype("float64"),
            "code": m["code"].astype("str"),
        }
    )


def _keyword_rows(
    firms: pd.DataFrame, template: ChainTemplate, segment_words: bool
) -> pd.DataFrame:
    kw_segments: dict[str, list[str]] = defaultdict(list)
    for s in template.segments:
        for k in s.keywords:
            kw_segments[k.lower()].append(s.id)
    cols = {"uscc": [], "segment": [], "keywords": []}  # type: dict[str, list[str]]
    if not kw_segments or "business_scope" not in firms:
        return pd.DataFrame(cols, dtype="str")
    scope = firms["business_scope"].astype("str").fillna("")
    scope = scope.where(firms["business_scope"].notna(), "")
    # One regex pass picks the few scopes worth segmenting; longest keywords first so the
    # alternation prefers whole product words.
    kws = sorted({k for s in template.segments for k in s.keywords}, key=len, reverse=True)
    pattern = "|".join(re.escape(k) for k in kws)
    # inline (?i) rather than flags=: pandas then hands the search to Arrow's RE2 engine
    hit = scope.str.contains("(?i)" + pattern, regex=True, na=False)
    idx = np.flatnonzero(hit.to_numpy())
    if len(idx) == 0:
        return pd.DataFrame(cols, dtype="str")
    usccs = firms["uscc"].astype("str").to_numpy()
    texts = scope.to_numpy()
    rx = re.compile(pattern, flags=re.IGNORECASE)
    tk = _tokenizer(kws) if segment_words else None
    seen: dict[str, frozenset[str]] = {}
    for i in idx:
        text = texts[i]
        if tk is not None:
            # segment only the clauses that contain a hit: scopes are long lists of
            # stock phrases and jieba's cost grows with the text
            found: set[str] = set()
            for clause in _CLAUSE.split(text):
                hits = seen.get(clause)
                if hits is None:
                    # scopes repeat stock clauses: each distinct clause is segmented once
                    hits = (
                        frozenset(t.lower() for t in tk.lcut(clause, HMM=False))
                        & kw_segments.keys()
                        if rx.search(clause)
                        else frozenset()
                    )
                    seen[clause] = hits
                found |= hits
        else:
            low = text.lower()
            found = {k for k in kw_segments if k in low}
        per_seg: dict[str, list[str]] = defaultdict(list)
        for k in sorted(found):
            for sid in kw_segments[k]:
                per_seg[sid].append(k)
        for sid, ks in per_seg.items():
            cols["uscc"].append(usccs[i])
            cols["segment"].append(sid)
            cols["keywords"].append(";".join(ks))
    return pd.DataFrame(cols, dtype="str")


def _overrides(
    overrides: pd.DataFrame, template: ChainTemplate, known: set[str]
) -> tuple[set[str], pd.DataFrame]:
    """(firms whose automatic rows are replaced, manual rows)."""
    missing = {"uscc", "segment"} - set(overrides.columns)
    if missing:
        raise JiqunError(
            f"人工指定表缺少列：{', '.join(sorted(missing))}（需要 uscc, segment[, chain]）",
            f"the override table lacks column(s) {', '.join(sorted(missing))} "
            "(needs uscc, segment[, chain])",
        )
    o = overrides.copy()
    if "chain" in o:
        ch = o["chain"].astype("str").str.strip()
        o = o[o["chain"].isna() | (ch == "") | (ch == template.id)]
    o = o.assign(
        uscc=o["uscc"].astype("str").str.strip(),
        segment=o["segment"].astype("str").str.strip().where(o["segment"].notna(), ""),
    )
    excl = o["segment"].str.lower().isin(_EXCLUDE)
    bad = sorted(set(o.loc[~excl, "segment"]) - set(template.segment_ids))
    if bad:
        raise JiqunError(
            f"人工指定的环节在产业链 {template.id} 中不存在：{', '.join(bad)}；"
            f"可用：{', '.join(template.segment_ids)}",
            f"override segment(s) not in chain {template.id}: {', '.join(bad)}; "
            f"segments: {', '.join(template.segment_ids)}",
        )
    unknown = sorted(set(o["uscc"]) - known)
    if unknown:
        warnings.warn(
            f"{len(unknown)} 条人工指定的企业不在企业表中，已忽略（如 {unknown[0]}） / "
            f"{len(unknown)} override firm(s) are not in the firm table and were ignored "
            f"(e.g. {unknown[0]})",
            JiqunWarning,
            stacklevel=3,
        )
        o = o[o["uscc"].isin(known)]
    conf = (
        pd.to_numeric(o["confidence"], errors="coerce").fillna(MANUAL_CONFIDENCE).clip(0.0, 1.0)
        if "confidence" in o
        else pd.Series(MANUAL_CONFIDENCE, index=o.index)
    )
    keep = ~o["segment"].str.lower().isin(_EXCLUDE)
    rows = pd.DataFrame(
        {
            "uscc": o.loc[keep, "uscc"],
            "chain": template.id,
            "segment": o.loc[keep, "segment"],
            "method": "manual",
            "confidence": conf[keep].astype("float64"),
            "matched": "manual",
        }
    ).drop_duplicates(subset=["uscc", "segment"], keep="last")
    return set(o["uscc"]), rows


def map_firms(
    firms: pd.DataFrame,
    template: ChainTemplate,
    overrides: pd.DataFrame | None = None,
    *,
    use_codes: bool = True,
    use_keywords: bool = True,
    segment_words: bool = True,
    disambiguate: bool = True,
) -> pd.DataFrame:
    """Map firms onto the segments of one chain template.

    Parameters
    ----------
    firms:
        ``uscc`` plus ``industry_code`` (4-digit GB/T 4754-2017 class) and/or
        ``business_scope`` (经营范围 text). Other columns are ignored.
    template:
        The chain (:func:`jiqun.chains.get_template`).
    overrides:
        Manual mappings: ``uscc``, ``segment`` and optionally ``chain`` (rows of other chains
        are skipped) and ``confidence``. They win: a firm with override rows keeps only those.
        A blank segment (or ``-``) removes the firm from the chain.
    use_codes, use_keywords:
        Switch the automatic methods on or off.
    segment_words:
        Confirm keyword hits as whole jieba words (default). ``False`` accepts any substring
        (faster, less precise).
    disambiguate:
        Let a keyword choose between segments that share the firm's class.

    Returns
    -------
    pandas.DataFrame
        ``uscc``, ``chain``, ``segment``, ``method`` (``code`` | ``keyword`` | ``manual``),
        ``confidence`` (0..1) and ``matched`` (the class, the keywords, both joined with
        ``;``, or ``manual``), sorted by firm and template segment order.

    Raises
    ------
    JiqunError
        When the overrides lack ``uscc``/``segment`` or name segments the chain lacks.

    References
    ----------
    METHODS.md §5 ("Firm → segment mapping"); confidences: :data:`CONFIDENCE_LEVELS`,
    :data:`KEYWORD_CONFIDENCE`, :data:`MANUAL_CONFIDENCE`.

    Example
    -------
    >>> from jiqun.chains import get_template
    >>> firms = pd.DataFrame({"uscc": ["A", "B"], "industry_code": ["3973", "2651"],
    ...                       "business_scope": ["集成电路封装测试", "光刻胶的生产"]})
    >>> m = map_firms(firms, get_template("integrated_circuits"))
    >>> m[["uscc", "segment", "method"]].values.tolist()
    [['A', 'packaging_testing', 'code'], ['B', 'process_chemicals', 'keyword']]
    """
    if "uscc" not in firms:
        raise JiqunError("企业表缺少 uscc 列", "the firm table lacks the uscc column")
    parts: list[pd.DataFrame] = []
    code = (
        _code_rows(firms, template)
        if use_codes and "industry_code" in firms
        else pd.DataFrame(
            {
                "uscc": pd.Series(dtype="str"),
                "segment": pd.Series(dtype="str"),
                "code_conf": pd.Series(dtype="float64"),
                "code": pd.Series(dtype="str"),
            }
        )
    )
    kw = (
        _keyword_rows(firms, template, segment_words)
        if use_keywords
        else pd.DataFrame({"uscc": [], "segment": [], "keywords": []}, dtype="str")
    )
    both = code.merge(kw, on=["uscc", "segment"], how="outer")
    if len(both):
        if disambiguate and len(kw):
            # A class shared by several segments: where a keyword confirms one of them, the
            # code-only rows of that class for the firm's other segments go.
            has_kw = both["keywords"].notna()
            confirmed = both.loc[has_kw & both["code"].notna(), ["uscc", "code"]]
            key = both["uscc"] + "|" + both["code"].fillna("")
            drop = key.isin(set(confirmed["uscc"] + "|" + confirmed["code"])) & ~has_kw
            both = both[~drop]
        c = both["code_conf"]
        k = pd.Series(np.where(both["keywords"].notna(), KEYWORD_CONFIDENCE, np.nan), both.index)
        conf = np.where(
            c.notna() & k.notna(), 1.0 - (1.0 - c.fillna(0)) * (1.0 - k.fillna(0)), c.fillna(k)
        )
        method = np.where(c.notna(), "code", "keyword")
        matched = np.where(
            c.notna() & k.notna(),
            both["code"].fillna("") + ";" + both["keywords"].fillna(""),
            both["code"].fillna(both["keywords"]),
        )
        parts.append(
            pd.DataFrame(
                {
                    "uscc": both["uscc"].astype("str"),
                    "chain": template.id,
                    "segment": both["segment"].astype("str"),
                    "method": method,
                    "confidence": np.round(conf.astype("float64"), 4),
                    "matched": matched,
                }
            )
        )
    out = pd.concat(parts, ignore_index=True) if parts else _empty()
    if overrides is not None and len(overrides):
        replaced, manual = _overrides(overrides, template, set(firms["uscc"].astype("str")))
        out = pd.concat([out[~out["uscc"].isin(replaced)], manual], ignore_index=True)
    if not len(out):
        return _empty()
    order = {s: i for i, s in enumerate(template.segment_ids)}
    out = out.assign(_o=out["segment"].map(order)).sort_values(["uscc", "_o"], kind="stable")
    out = out.drop(columns="_o").reset_index(drop=True)
    for col in ("uscc", "chain", "segment", "method", "matched"):
        out[col] = out[col].astype("str")
    out["confidence"] = out["confidence"].astype("float64")
    return out[MAPPING_COLUMNS]
