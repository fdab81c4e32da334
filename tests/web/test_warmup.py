"""The server's warm-up (src/jiqun/web/warmup.py): every services/web module imported and every
page template compiled before the first request, and only in the server entry point."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import pytest

from jiqun.web import warmup


def test_preload_imports_the_lazy_modules_and_compiles_every_template() -> None:
    from jiqun.web.ui import templates

    out = warmup.preload()
    pages = [t for t in templates.env.list_templates() if t.endswith(".html")]
    assert out["templates"] == len(pages) > 20
    # the modules the pages import lazily are loaded now (the ones the first request paid for)
    for name in (
        "jiqun.services.overview",
        "jiqun.services.chains",
        "jiqun.services.resilience",
        "jiqun.services.planning",
        "jiqun.web.ui_planning",
    ):
        assert name in sys.modules, name
    assert out["modules"] >= 60
    # compiled: Jinja keeps them in its cache, so no page compiles on first render
    cache = templates.env.cache
    assert cache is not None and len(cache) >= len(pages)


def _fresh_main(monkeypatch: pytest.MonkeyPatch) -> Any:
    import jiqun.web.main as main

    main = importlib.reload(main)
    monkeypatch.setattr("jiqun.web.main.create_app", lambda **k: object())
    monkeypatch.setenv("JIQUN_WORKER", "0")
    return main


@pytest.mark.parametrize(("flag", "calls"), [(None, 1), ("0", 0)])
def test_the_server_entry_point_preloads_unless_told_not_to(
    monkeypatch: pytest.MonkeyPatch, flag: str | None, calls: int
) -> None:
    seen: list[int] = []
    monkeypatch.setattr(warmup, "preload", lambda: seen.append(1) or {})
    if flag is None:
        monkeypatch.delenv("JIQUN_PRELOAD", raising=False)
    else:
        monkeypatch.setenv("JIQUN_PRELOAD", flag)
    main = _fresh_main(monkeypatch)
    assert main.app is not None
    assert len(seen) == calls
    importlib.reload(main)  # leave a module without a built app for the other tests
