"""Every page reads as Chinese: a visible-text scan of each role's pages in chromium.

Each role (public visitor, government, enterprise, administrator) walks its pages in zh; the
lazily loaded sections (HTMX) are awaited and folded ``<details>`` are opened, then
``document.body.innerText`` is scanned for what a Chinese reader should never see: internal
keys (snake_case), lower-case English words, English sentences, ``nan``/``None``/``null``,
raw JSON. A short allow-list holds real codes and proper nouns (ECI, LQ, GB/T, CSV …).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

Server = Any  # tests/browser/conftest.py: url, firm, screenshots, password, cluster

CLUSTER = "NC2022-04"

#: pages every role walks (the detail pages of a list are found by following its first link)
COMMON = [
    "/",
    "/clusters",
    f"/clusters/{CLUSTER}",
    "/regions",
    "/regions/110000",
    "/regions/320200",
    "/regions/compare?codes=110000,120000,320200",
    "/statistics",
    "/statistics?by=region_industry&measure=revenue&industry_level=2",
    "/policies",
    "/innovation",
]
SIGNED_IN = [
    "/enterprises",
    "/scenarios",
    "/imports",
    "/matching",
    "/digital",
    "/evaluation",
    "/account",
]
PAGES: dict[str, list[str]] = {
    "public": [*COMMON, "/login"],
    "b_gov": [*COMMON, *SIGNED_IN],
    "b_firm": [*COMMON, *SIGNED_IN, "/memberships", "/my-readers", "/enterprises/{firm}"],
    "b_admin": [*COMMON, *SIGNED_IN, "/memberships", "/admin"],
}
#: pages whose result appears after pressing a button: (path, button, result element)
RUNS = [("/scenarios?kind=region&target=320200", "#scenario-run", "#scenario-result table")]

#: list pages whose first detail link is walked too (href prefix)
FOLLOW = {"/enterprises": "/enterprises/9", "/policies": "/policies/"}

#: words and codes a Chinese page may show in Latin letters (codes, units, proper nouns)
ALLOWED = {
    "jiqun", "rest", "api", "csv", "xlsx", "json", "eci", "pci", "cog", "lq", "hhi", "rca",
    "esri", "lsr", "gb", "gb/t", "srdi", "ic", "it", "ai", "iot", "km", "kg", "ok", "id",
    "uscc", "english", "excel", "ecomplexity", "kp", "lapack", "mics", "demo", "diem", "min", "max", "log", "sqlite", "postgresql", "pdf", "docx", "esg", "r&d", "cr", "gdp", "eg", "pct", "geojson",
}  # fmt: skip

REPEATED = re.compile(r"(口径|单位|指标)[:：]\s*\1[:：]")  # "口径: 口径:" says it once
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
MISSING = re.compile(r"(?<![\w-])(nan|NaN|None|null|undefined|NaT|inf|-inf)(?![\w-])")
JSON = re.compile(r"[{\[]\s*\"[^\"\n]{1,40}\"\s*:")
WORD = re.compile(r"(?<![A-Za-z0-9_/.@-])[A-Za-z][A-Za-z&]*(?![A-Za-z0-9_@])")
SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'’-]+[A-Za-z]{2,}){2,}")

WAIT_LAZY = """() => document.querySelectorAll('.placeholder').length === 0
  && document.querySelectorAll('.htmx-request').length === 0"""
#: rows of a table's foot whose cells (with their colspans) do not fill the header's columns
MISALIGNED = """() => [...document.querySelectorAll('table')].flatMap(t => {
  const head = t.querySelector('thead tr');
  if (!head) return [];
  const width = r => [...r.cells].reduce((n, c) => n + (c.colSpan || 1), 0);
  const n = width(head);
  return [...t.querySelectorAll('tfoot tr')].filter(r => width(r) !== n)
    .map(r => `${t.id || t.className}: ${width(r)} cells under ${n} columns: ${r.innerText}`);
})"""
OPEN_DETAILS = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


def leaks(text: str) -> list[str]:
    """The tokens of ``text`` a Chinese page must not show.

    Parameters
    ----------
    text : the visible text of a page (``innerText``).

    Returns
    -------
    list[str]: one entry per offending token, with its kind.

    Example
    -------
    >>> leaks("状态: verified, 值 nan")
    ['word: verified', 'missing: nan']
    """
    found: list[str] = []
    found += [f"snake: {m}" for m in SNAKE.findall(text)]
    found += [f"json: {m.group(0)}" for m in JSON.finditer(text)]
    for m in SENTENCE.finditer(text):
        words = re.findall(r"[A-Za-z]+", m.group(0))
        if sum(w.lower() not in ALLOWED for w in words) >= 3:
            found.append(f"sentence: {m.group(0)}")
    for m in WORD.finditer(text):
        w = m.group(0)
        if w.lower() in ALLOWED or w in {"nan", "null", "undefined", "inf"}:
            continue
        # real codes and proper nouns are upper case (ECI, LQ, GB/T, 91… credit codes)
        if w.isupper() and len(w) <= 6:
            continue
        if len(w) >= 2 and not SNAKE.fullmatch(w):
            found.append(f"word: {w}")
    found += [f"missing: {m}" for m in MISSING.findall(text)]
    found += [f"repeated: {m.group(0)}" for m in REPEATED.finditer(text)]
    return found


def test_leaks_finds_the_known_kinds() -> None:
    """The scanner itself: each kind of leak is caught, the allow-list passes."""
    assert leaks("状态 verified") == ["word: verified"]
    assert leaks("packaging_testing;wafer_fab") == [
        "snake: packaging_testing",
        "snake: wafer_fab",
    ]
    assert leaks('{"key": 1}') == ['json: {"key":', "word: key"]
    assert any(k.startswith("sentence") for k in leaks("Basis: measure is employment here"))
    assert leaks("营业收入 nan 万元") == ["missing: nan"]
    assert leaks("口径: 口径: 从业人员") == ["repeated: 口径: 口径:"]
    assert leaks("值 None") == ["word: None", "missing: None"]
    assert leaks("ECI 0.5 · LQ 1.2 · GB/T 4754-2017 · 91110108551385082Q · CSV") == []


def wait_quiet(page: Any, timeout: float = 60.0) -> None:
    """Wait until the page's lazy sections have loaded (no placeholder, no HTMX request)."""
    deadline = time.monotonic() + timeout
    page.wait_for_load_state("networkidle")
    while not page.evaluate(WAIT_LAZY):
        if time.monotonic() > deadline:
            raise AssertionError(f"{page.url}: lazy sections did not load in {timeout} s")
        page.wait_for_timeout(250)
    page.wait_for_load_state("networkidle")


def log_in(page: Any, server: Server, username: str) -> None:
    page.goto(f"{server.url}/login?lang=zh&next={quote('/account', safe='')}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", server.password)
    page.click("#login-submit")
    page.wait_for_url(f"{server.url}/account")


#: the test accounts' user names (conftest.py) are data typed by a person, not UI text
USERNAMES = re.compile(r"\bb_(?:admin|gov|firm)\b|\bbad-firms\.xlsx\b|\bupload:[0-9a-f]{32}\b")


def scan(page: Any, url: str | None) -> list[str]:
    """The lines of a page's visible text that leak, each with what it leaks (``url=None``: the
    page as it is)."""
    if url is not None:
        page.goto(url)
    wait_quiet(page)
    page.evaluate(OPEN_DETAILS)
    assert page.get_attribute("html", "lang") == "zh-CN", url
    # commands and code samples (<code>) are Latin by nature; they are left out of the scan
    page.evaluate(
        "() => document.querySelectorAll('code, kbd').forEach(e => { e.textContent = ''; })"
    )
    text = USERNAMES.sub("", page.evaluate("() => document.body.innerText"))
    out = [f"total row not aligned: {m[:160]}" for m in page.evaluate(MISALIGNED)]
    for line in dict.fromkeys(text.splitlines()):
        found = leaks(line)
        if found:
            out.append(f"{line.strip()[:160]!r} <- {', '.join(sorted(set(found))[:4])}")
    return out


def walk_pages(
    server: Server, page: Any, role: str, lang: str, scanner: Callable[[Any, str | None], list[str]]
) -> dict[str, list[str]]:
    """Open every page of ``role`` in ``lang`` (the linked detail pages and the run actions too)
    and scan each with ``scanner``.

    Parameters
    ----------
    server : the running test server (tests/browser/conftest.py).
    page : a Playwright page; logged in here unless ``role`` is ``public``.
    role : a key of :data:`PAGES`.
    lang : ``zh`` or ``en``, passed as ``lang=`` on every URL.
    scanner : ``scanner(page, url)`` returns the leaking lines of the page (``url=None``: as it is).

    Returns
    -------
    dict[str, list[str]]: path (or ``path → button``) to its leaking lines; empty when clean.

    Example
    -------
    >>> walk_pages(server, desktop, "public", "zh", scan)  # doctest: +SKIP
    {}
    """
    if role != "public":
        log_in(page, server, role)
    problems: dict[str, list[str]] = {}
    for path in PAGES[role]:
        url = server.url + path.format(firm=server.firm)
        url += ("&" if "?" in url else "?") + f"lang={lang}"
        found = scanner(page, url)
        if found:
            problems[path] = found
        prefix = FOLLOW.get(path)
        if prefix:
            link = page.locator(f"main a[href^='{prefix}']").first
            if link.count():
                href = link.get_attribute("href")
                found = scanner(page, server.url + href)
                if found:
                    problems[href] = found
    if role != "public":
        for path, button, result in RUNS:
            page.goto(f"{server.url}{path}&lang={lang}")
            page.click(button)
            page.wait_for_selector(result, timeout=90_000)
            found = scanner(page, None)
            if found:
                problems[f"{path} → {button}"] = found
    return problems


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_reads_as_chinese(server: Server, desktop: Any, role: str) -> None:
    """Each role's pages in zh show no internal key, English, ``nan``/``None`` or raw JSON."""
    problems = walk_pages(server, desktop, role, "zh", scan)
    report = "\n".join(f"{p}:\n  " + "\n  ".join(v) for p, v in problems.items())
    assert not problems, f"English or internal keys on the {role} pages:\n{report}"
