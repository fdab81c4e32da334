"""The one way Jiqun builds a jieba tokenizer (chain mapping and product matching each hold one).

Each user keeps a *private* tokenizer so that the words it teaches (chain keywords, product
words) never leak into another's segmentation, nor into the process-wide ``jieba`` default.

References
----------
jieba (MIT), https://github.com/fxsjy/jieba.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

__all__ = ["new_jieba_tokenizer"]


def new_jieba_tokenizer() -> Any:
    """A new, initialised private jieba tokenizer; loading its dictionary takes about a second.

    Parameters
    ----------
    None.

    Returns
    -------
    jieba.Tokenizer
        Independent of the global ``jieba`` tokenizer (``jieba`` has no type stubs: ``Any``).

    References
    ----------
    jieba 0.42 ``Tokenizer``.

    Example
    -------
    >>> tk = new_jieba_tokenizer()
    >>> tk.add_word("谐波减速器")
    >>> "谐波减速器" in tk.lcut("谐波减速器的生产")
    True
    """
    with warnings.catch_warnings():
        # jieba 0.42 has invalid escape sequences in its regexes (DeprecationWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        import jieba

    # jieba logs its dictionary loading on stderr; keep the CLI output clean.
    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    return tk
