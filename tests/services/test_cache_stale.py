"""What a process keeps while a refresh runs (jiqun.services.cache): previous-version results
read once, display values served from an earlier data version, never to the refresh itself."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from jiqun.services import cache, jobs, results

pytestmark = pytest.mark.db


def _complete_version(engine: Engine, key: tuple, value: str) -> str:
    v = cache.version_text(engine)
    results.begin_version(engine, v, None)
    cache.cached(engine, key, lambda: value)
    results.end_version(engine, v, ok=True)
    return v


def test_previous_result_is_read_once_across_the_imports_of_one_refresh(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = _complete_version(engine, ("test-prev", 1), "v1 answer")
    jobs.enqueue("refresh", engine=engine)  # a refresh of the next version is pending ...
    cache.clear(engine)
    reads: list[str] = []
    real = results.load_previous

    def counting(eng: Engine, version: str, key: tuple) -> object:
        reads.append(version)
        return real(eng, version, key)

    monkeypatch.setattr(results, "load_previous", counting)

    def never() -> str:
        raise AssertionError("a page must not compute while a refresh runs")

    for _ in range(3):  # ... while three imports commit one after the other
        cache.bump(engine)
        assert cache.cached(engine, ("test-prev", 1), never) == "v1 answer"
        served = cache.last_served()
        assert served is not None and served[0] == v1
    # read (and unpickled) from the store once, not once per new data version
    assert len(reads) == 1


def test_a_newer_complete_version_replaces_the_kept_previous_result(engine: Engine) -> None:
    _complete_version(engine, ("test-prev", 2), "v1 answer")
    jobs.enqueue("refresh", engine=engine)
    cache.bump(engine)
    assert cache.cached(engine, ("test-prev", 2), lambda: "x") == "v1 answer"
    with cache.fresh_only():  # the refresh of v2 stores its answer and completes
        v2 = cache.version_text(engine)
        results.begin_version(engine, v2, None)
        assert cache.cached(engine, ("test-prev", 2), lambda: "v2 answer") == "v2 answer"
        results.end_version(engine, v2, ok=True)
    cache.bump(engine)  # the next import, its refresh still pending
    assert cache.cached(engine, ("test-prev", 2), lambda: "x") == "v2 answer"
    assert cache.last_served() is not None and cache.last_served()[0] == v2


def test_display_values_are_served_from_an_earlier_version_only_while_refreshing(
    engine: Engine,
) -> None:
    key = ("test-page", "scope-a")
    assert cache.cached(engine, key, lambda: "page v1", persist=False, stale_ok=True) == "page v1"
    cache.bump(engine)  # no refresh pending: the new version is computed
    assert cache.cached(engine, key, lambda: "page v2", persist=False, stale_ok=True) == "page v2"
    jobs.enqueue("refresh", engine=engine)
    cache.bump(engine)  # a refresh pending: the last value is shown, not recomputed

    def never() -> str:
        raise AssertionError("recomputed for every data version during a refresh")

    assert cache.cached(engine, key, never, persist=False, stale_ok=True) == "page v2"
    # another key (another disclosure scope) never gets it
    assert (
        cache.cached(engine, ("test-page", "scope-b"), lambda: "b", persist=False, stale_ok=True)
        == "b"
    )
    # the refresh itself, and values not marked stale_ok, always compute for the present version
    with cache.fresh_only():
        assert cache.cached(engine, key, lambda: "page v3", persist=False, stale_ok=True) == (
            "page v3"
        )
    raw = ("test-raw", 1)
    cache.bump(engine)
    assert cache.cached(engine, raw, lambda: "rows v4", persist=False) == "rows v4"
    cache.bump(engine)
    assert cache.cached(engine, raw, lambda: "rows v5", persist=False) == "rows v5"


def test_a_derived_value_belongs_to_its_source_object() -> None:
    calls: list[str] = []

    def make(tag: str) -> object:
        calls.append(tag)
        return object()

    old, new = ["previous version's report"], ["present version's report"]
    a = cache.derived(old, ("test-derived", "zh"), lambda: make("old"))
    assert cache.derived(old, ("test-derived", "zh"), lambda: make("again")) is a
    # the same key from another source object (the refresh stored the new result) is new
    b = cache.derived(new, ("test-derived", "zh"), lambda: make("new"))
    assert b is not a and calls == ["old", "new"]
    assert cache.derived(old, ("test-derived", "en"), lambda: make("en")) is not a
