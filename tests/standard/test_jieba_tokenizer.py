"""One jieba tokenizer (``jiqun.standard.tokenizer``) behind chain mapping and matchmaking."""

from __future__ import annotations

from pathlib import Path

from jiqun.chains import mapping
from jiqun.matching import text
from jiqun.standard.tokenizer import JiebaTokenizer

SRC = Path(__file__).resolve().parents[2] / "src" / "jiqun"


def test_only_one_module_loads_jieba() -> None:
    loaders = sorted(
        str(p.relative_to(SRC))
        for p in SRC.rglob("*.py")
        if "import jieba" in p.read_text(encoding="utf-8")
    )
    assert loaders == ["standard/tokenizer.py"]


def test_chains_and_matching_use_it_with_their_own_words() -> None:
    assert isinstance(mapping._SEGMENTER, JiebaTokenizer)
    assert isinstance(text._SEGMENTER, JiebaTokenizer)
    assert mapping._SEGMENTER is not text._SEGMENTER


def test_user_words_grow_and_stay_whole() -> None:
    tk = JiebaTokenizer()
    assert tk.add_words(["钽铌靶坯料", "钽铌靶坯料"]) == ["钽铌靶坯料"]
    assert tk.add_words(["钽铌靶坯料"]) == []
    assert "钽铌靶坯料" in tk.cut("钽铌靶坯料的生产")
    assert "钽铌靶坯料" in tk.cut_for_search("钽铌靶坯料的生产")
    assert "钽铌靶坯料" not in JiebaTokenizer().cut("钽铌靶坯料的生产")
