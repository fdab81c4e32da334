"""jieba segmentation and BM25 against a hand computation, and the matching doctests."""

from __future__ import annotations

import doctest
import importlib
import math

import numpy as np
import pytest

from jiqun.matching.text import BM25Index, add_user_words, tokenize


def test_tokenize_drops_stock_phrases_and_keeps_product_words() -> None:
    toks = tokenize("齿轮减速器的研发、生产和销售；技术服务、技术开发；（依法须经批准的项目）")
    assert "减速器" in toks and "齿轮" in toks
    for w in ("研发", "生产", "销售", "技术", "服务", "依法", "批准", "的"):
        assert w not in toks
    assert tokenize(None) == [] and tokenize("") == []
    assert "plc" in tokenize("PLC可编程控制器")


def test_user_words_stay_whole_and_refresh_the_cache() -> None:
    before = tokenize("钽铌靶坯料的生产")
    add_user_words(["钽铌靶坯料"])
    after = tokenize("钽铌靶坯料的生产")
    assert "钽铌靶坯料" not in before and "钽铌靶坯料" in after


def test_bm25_matches_the_formula() -> None:
    docs = ["齿轮 齿轮 减速器", "齿轮", "涂料 油墨 颜料", ""]
    ix = BM25Index.fit(docs)
    n = 4
    dl = [len(tokenize(d)) for d in docs]  # 减速器 also yields 减速 (search mode)
    assert dl[0] == 4 and dl[1] == 1
    avgdl = sum(dl) / n
    k1, b = 1.2, 0.75

    def idf(df: int) -> float:
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def part(tf: int, d: int) -> float:
        return tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl[d] / avgdl))

    s = ix.scores({"齿轮": 1.0, "减速器": 0.5})
    expect = [
        idf(2) * part(2, 0) + 0.5 * idf(1) * part(1, 0),
        idf(2) * part(1, 1),
        0.0,
        0.0,
    ]
    assert np.allclose(s, expect)
    assert ix.avgdl == pytest.approx(avgdl)
    assert ix.scores({"不存在": 1.0}).tolist() == [0.0] * 4
    assert ix.matched_terms(0, ["齿轮", "涂料"]) == ["齿轮"]


@pytest.mark.parametrize(
    "name",
    [
        "jiqun.matching.text",
        "jiqun.matching.index",
        "jiqun.matching.score",
        "jiqun.matching.board",
        "jiqun.matching.evaluate",
    ],
)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    res = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} of {res.attempted} examples failed in {name}"
