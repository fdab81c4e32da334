"""Hanyu Pinyin keys for Chinese names (search by pinyin and by initials).

A user who types ``wuxi``, ``wx`` or ``无锡`` means the same city. The keys are built with
`pypinyin <https://pypi.org/project/pypinyin/>`_ (MIT), whose phrase dictionary reads the
polyphonic characters of place names the way they are said (重庆 chóng, 长沙 cháng, 厦门 xià,
蚌埠 bèng, 六安 lù).
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

__all__ = ["initials_key", "pinyin_key"]


@lru_cache(maxsize=65536)
def pinyin_key(text: str) -> str:
    """Return the toneless pinyin of ``text``, lower case, without spaces.

    Parameters
    ----------
    text
        A Chinese name; characters that are not Chinese pass through in lower case.

    Returns
    -------
    str
        The search key, e.g. ``"wuxishi"`` for 无锡市.

    References
    ----------
    GB/T 16159-2012 (Basic rules of the Chinese phonetic alphabet orthography) for the
    spelling; pypinyin's phrase dictionary for polyphonic characters.

    Example
    -------
    >>> pinyin_key("重庆市")
    'chongqingshi'
    """
    return "".join(lazy_pinyin(text)).replace(" ", "").lower()


@lru_cache(maxsize=65536)
def initials_key(text: str) -> str:
    """Return the first letter of each syllable of ``text``, lower case.

    Parameters
    ----------
    text
        A Chinese name.

    Returns
    -------
    str
        The initials, e.g. ``"js"`` for 江苏.

    References
    ----------
    As :func:`pinyin_key`.

    Example
    -------
    >>> initials_key("江苏省")
    'jss'
    """
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).replace(" ", "").lower()
