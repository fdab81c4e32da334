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
    monkeypatch.setattr(warmup, "settle_memory", lambda: {"frozen": 0})
    if flag is None:
        monkeypatch.delenv("JIQUN_PRELOAD", raising=False)
    else:
        monkeypatch.setenv("JIQUN_PRELOAD", flag)
    main = _fresh_main(monkeypatch)
    assert main.app is not None
    assert len(seen) == calls
    importlib.reload(main)  # leave a module without a built app for the other tests


def test_settle_memory_freezes_the_start_up_objects_and_logs_slow_collections(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import gc
    import logging

    before = gc.get_threshold()
    try:
        out = warmup.settle_memory()
        assert gc.get_threshold() == warmup.GC_THRESHOLDS
        assert out["frozen"] == gc.get_freeze_count() > 1000
        assert gc.callbacks.count(warmup._gc_watch) == 1
        warmup.settle_memory()  # a second call registers no second callback
        assert gc.callbacks.count(warmup._gc_watch) == 1
        monkeypatch.setattr(warmup, "SLOW_GC_SECONDS", 0.0)
        with caplog.at_level(logging.WARNING, logger="jiqun.web.warmup"):
            gc.collect()
        assert any("garbage collection of generation 2" in r.message for r in caplog.records)
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
        while warmup._gc_watch in gc.callbacks:
            gc.callbacks.remove(warmup._gc_watch)
