"""Warm-up before the server takes its first request (imports and templates).

The pages import their service modules on first use, and those pull in heavy libraries
(SciPy, openpyxl, HiGHS, rustworkx …): measured on the full demo, the first request after a
server start spent about 3–5 s importing some 380 modules, and Jinja compiles each template on
its first render; the code lists build their look-up indexes on first use. :func:`preload`
does all of it once, in the server process, before Uvicorn
accepts connections (``jiqun.web.main``), so that the first visitor is served like the
second. It reads no stored data: the stored results are read by the pages
as before.
"""

from __future__ import annotations

import gc
import importlib
import logging
import pkgutil
import time

__all__ = ["preload", "settle_memory"]

#: the packages whose modules the pages import lazily
PACKAGES = ("jiqun.services", "jiqun.web")


def preload() -> dict[str, float]:
    """Import every module of the services and the web layer and compile every page template.

    Returns
    -------
    dict
        ``modules`` and ``templates`` (how many) and ``seconds`` (wall time).

    References
    ----------
    ``docs/architecture.md`` ("Computed once per data version").

    Example
    -------
    >>> preload()["modules"] > 50  # doctest: +SKIP
    True
    """
    t0 = time.perf_counter()
    n = 0
    for name in PACKAGES:
        pkg = importlib.import_module(name)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{name}."):
            if info.name.endswith((".main", ".warmup")):
                continue  # the entry point itself (it would build a second app)
            importlib.import_module(info.name)
            n += 1
    from jiqun.web.ui import templates

    env = templates.env
    names = [t for t in env.list_templates() if t.endswith(".html")]
    for t in names:
        env.get_template(t)
    from jiqun import reference

    # the code lists' look-up indexes (built on first use; every page names regions, industries)
    reference.region_name("110000")
    reference.industry_name("3670")
    # the chain templates and both jieba dictionaries (chain mapping, matching), ~1 s each on
    # the first firm page or search: one made-up firm, no stored data read
    import pandas as pd

    from jiqun.chains.mapping import map_firms
    from jiqun.chains.templates import load_templates
    from jiqun.matching.text import tokenize

    probe = pd.DataFrame(
        {"uscc": ["warm-up"], "industry_code": ["3670"], "business_scope": ["汽车零部件制造"]}
    )
    for template in load_templates().values():
        map_firms(probe, template)
    tokenize("汽车零部件制造")
    return {"modules": n, "templates": len(names), "seconds": time.perf_counter() - t0}


log = logging.getLogger(__name__)
#: collection thresholds of the server (Python's default is 700, 10, 10): a cold dashboard
#: allocates hundreds of thousands of containers, and with the default a full collection
#: (0.3–0.5 s on the full demo under load, the server paused) ran every few seconds while imports
#: committed; young collections stay cheap at 50,000 objects, and cycles die young
GC_THRESHOLDS = (50_000, 50, 100)
#: a full collection longer than this is logged (the server answers nothing meanwhile)
SLOW_GC_SECONDS = 0.2
_GC_STARTED: dict[int, float] = {}


def _gc_watch(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _GC_STARTED[info["generation"]] = time.perf_counter()
        return
    took = time.perf_counter() - _GC_STARTED.pop(info["generation"], time.perf_counter())
    if took >= SLOW_GC_SECONDS:
        log.warning(
            "garbage collection of generation %d took %.2f s (%d objects collected)",
            info["generation"],
            took,
            info.get("collected", 0),
        )


def settle_memory() -> dict[str, int]:
    """Move everything the server holds after start-up out of the garbage collector's way.

    A full collection walks every tracked object: after the warm-up that is ~280,000 (modules,
    templates, code tables), and the results the pages keep add more, so one full pass took
    0.65 s on the full demo after 1,500 requests — a pause in which the server answers nothing
    (and, on a blocked event loop, idle keep-alive connections time out together).
    ``gc.freeze()`` puts the start-up objects in a permanent generation that collections skip
    (0.25 s for the same pass), and :data:`GC_THRESHOLDS` makes full passes rare; slow
    collections that remain are logged (:data:`SLOW_GC_SECONDS`).

    Returns
    -------
    dict
        ``frozen``: the objects moved out of the collector's way.

    References
    ----------
    Python documentation, ``gc.freeze``.

    Example
    -------
    >>> settle_memory()["frozen"] > 0  # doctest: +SKIP
    True
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    if _gc_watch not in gc.callbacks:
        gc.callbacks.append(_gc_watch)
    return {"frozen": gc.get_freeze_count()}
