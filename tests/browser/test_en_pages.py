"""Every page reads as English with the English switch: a visible-text scan in chromium.

The same roles and pages as tests/browser/test_zh_pages.py (its lists and helpers are imported,
not copied) are walked with ``lang=en``. Proper names that have no English (a firm's name, a
cluster without ``name_en``, a policy's title) are shown in Chinese inside an element marked
``lang="zh-CN"``; those elements are left out of the scan, and what remains must hold no Han
character, no internal key (snake_case), no ``nan``/``None`` and no raw JSON.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_zh_pages import (
    JSON,
    MISSING,
    OPEN_DETAILS,
    PAGES,
    SNAKE,
    USERNAMES,
    wait_quiet,
    walk_pages,
)

pytestmark = pytest.mark.browser

Server = Any  # tests/browser/conftest.py

#: Han characters (CJK unified ideographs and extension A, compatibility ideographs) and the
#: full-width punctuation that only Chinese text uses
HAN = re.compile(
    r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3001\u3002\uff08\uff09\uff0c\uff1a\uff1b]+"
)

#: drop what is allowed to be Chinese (elements marked zh) and code samples, then read the text
VISIBLE = """() => {
  document.querySelectorAll('[lang^="zh"]:not(html), code, kbd')
    .forEach(e => { e.textContent = ''; });
  return document.body.innerText;
}"""


def leaks_en(text: str) -> list[str]:
    """The tokens of ``text`` an English page must not show.

    Parameters
    ----------
    text : the visible text of a page outside ``lang="zh-CN"`` elements (``innerText``).

    Returns
    -------
    list[str]: one entry per offending token, with its kind.

    Example
    -------
    >>> leaks_en("Status: 已核实, value nan")
    ['han: 已核实', 'missing: nan']
    """
    found = [f"han: {m}" for m in HAN.findall(text)]
    found += [f"snake: {m}" for m in SNAKE.findall(text)]
    found += [f"json: {m.group(0)}" for m in JSON.finditer(text)]
    found += [f"missing: {m}" for m in MISSING.findall(text)]
    return found


def test_leaks_en_finds_the_known_kinds() -> None:
    """The scanner itself: each kind of leak is caught, plain English passes."""
    assert leaks_en("Region: 无锡市") == ["han: 无锡市"]
    assert leaks_en("Basis（2023）") == ["han: （", "han: ）"]
    assert leaks_en("packaging_testing") == ["snake: packaging_testing"]
    assert leaks_en('{"key": 1}') == ['json: {"key":']
    assert leaks_en("Revenue None") == ["missing: None"]
    assert leaks_en("Wuxi · Xinwu District · LQ 1.2 · GB/T 4754-2017 · none") == []


def scan_en(page: Any, url: str | None) -> list[str]:
    """The lines of a page's visible English text that leak (``url=None``: the page as it is)."""
    if url is not None:
        page.goto(url)
    wait_quiet(page)
    page.evaluate(OPEN_DETAILS)
    assert page.get_attribute("html", "lang") == "en", url
    text = USERNAMES.sub("", page.evaluate(VISIBLE))
    out = []
    for line in dict.fromkeys(text.splitlines()):
        found = leaks_en(line)
        if found:
            out.append(f"{line.strip()[:160]!r} <- {', '.join(sorted(set(found))[:4])}")
    return out


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_reads_as_english(server: Server, desktop: Any, role: str) -> None:
    """Each role's pages in en show no Chinese outside proper names, no key, ``nan`` or JSON."""
    problems = walk_pages(server, desktop, role, "en", scan_en)
    count = sum(len(v) for v in problems.values())
    report = "\n".join(f"{p}:\n  " + "\n  ".join(v) for p, v in problems.items())
    assert not problems, f"{count} Chinese lines or internal keys on the {role} pages:\n{report}"
