"""The one jieba tokenizer of Jiqun (Chinese word segmentation for product texts).

Chain mapping (:mod:`jiqun.chains.mapping`) and matchmaking (:mod:`jiqun.matching.text`) segment
business scopes and product texts with jieba. :class:`JiebaTokenizer` is the one place that loads
jieba: quietly (no dictionary log on stderr, no DeprecationWarning from jieba 0.42's regexes),
lazily (the dictionary costs about a second, paid on first use), as a *private*
``jieba.Tokenizer`` (the global ``jieba`` module stays untouched) and thread-safe. Its user words
only grow: a product word once added stays whole in every later segmentation.

Each user of the tokenizer holds its own :class:`JiebaTokenizer`, so one user's words never change
another's segmentation (matching adds every template keyword; chain mapping the keywords of the
chains it maps).

References
----------
jieba 0.42 (MIT), https://github.com/fxsjy/jieba — ``Tokenizer``, ``add_word``, ``lcut``,
``cut_for_search``.

Example
-------
>>> tk = JiebaTokenizer()
>>> tk.add_words(["谐波减速器"])
['谐波减速器']
>>> "谐波减速器" in tk.cut("谐波减速器的生产")
True
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Iterable
from typing import Any

__all__ = ["JiebaTokenizer"]


class JiebaTokenizer:
    """A lazily loaded private jieba tokenizer with its own, growing set of user words.

    Example
    -------
    >>> JiebaTokenizer().cut("工业机器人的研发")[:2]
    ['工业', '机器人']
    """

    def __init__(self) -> None:
        self._tokenizer: Any = None
        self._words: set[str] = set()
        self._lock = threading.Lock()

    def _load(self) -> Any:
        # called with the lock held
        if self._tokenizer is None:
            with warnings.catch_warnings():
                # jieba 0.42 has invalid escape sequences in its regexes (DeprecationWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                import jieba

            # jieba logs its dictionary loading on stderr; keep the CLI output clean.
            jieba.setLogLevel(logging.WARNING)
            tk = jieba.Tokenizer()
            tk.initialize()
            self._tokenizer = tk
        return self._tokenizer

    def tokenizer(self) -> Any:
        """The underlying ``jieba.Tokenizer`` (loaded on first use).

        Returns
        -------
        jieba.Tokenizer
        """
        with self._lock:
            return self._load()

    def add_words(self, words: Iterable[str]) -> list[str]:
        """Add user words (kept whole by later segmentations); known words are skipped.

        Parameters
        ----------
        words:
            The words, as given (callers strip them where they need to).

        Returns
        -------
        list[str]
            The words that were new, in the (sorted) order they were added.
        """
        with self._lock:
            tk = self._load()
            new = sorted(set(words) - self._words)
            for w in new:
                tk.add_word(w)
                self._words.add(w)
            return new

    def cut(self, text: str) -> list[str]:
        """Accurate-mode segmentation without HMM (only dictionary and user words).

        Parameters
        ----------
        text:
            The text.

        Returns
        -------
        list[str]
            The words in text order.
        """
        return list(self.tokenizer().lcut(text, HMM=False))

    def cut_for_search(self, text: str) -> list[str]:
        """As :meth:`cut`, in search mode: a long word is followed by the shorter dictionary
        words inside it (``减速器`` → ``减速``, ``减速器``)."""
        return list(self.tokenizer().cut_for_search(text, HMM=False))
