"""ASGI entry point for Uvicorn/Gunicorn: ``uvicorn jiqun.web.main:app``.

Run it with :func:`uvicorn_options` (``jiqun serve`` does): Uvicorn's own proxy-header handling
is switched off because by default it believes ``X-Forwarded-For`` from 127.0.0.1, so anyone on
the host could choose their client address; :func:`jiqun.web.deps.client` believes the header
only from ``JIQUN_TRUSTED_PROXIES``.
"""

from __future__ import annotations

import os
from typing import Any

from jiqun.web.app import create_app


def uvicorn_options() -> dict[str, Any]:
    """Uvicorn settings for the platform (forwarding headers left to the application).

    Returns
    -------
    dict
        Keyword arguments for ``uvicorn.run`` / ``uvicorn.Config``.

    Example
    -------
    >>> uvicorn_options()["proxy_headers"]  # doctest: +SKIP
    False
    """
    return {"proxy_headers": False, "server_header": False, "log_level": "warning"}


def __getattr__(name: str) -> Any:
    # the app is built on first use, so that importing uvicorn_options needs no database
    if name == "app":
        application = create_app(secure_cookies=os.environ.get("JIQUN_SECURE_COOKIES") == "1")
        globals()["app"] = application
        if os.environ.get("JIQUN_PRELOAD", "1") != "0":
            # before the server takes a request: the first visitor is served like the second
            from jiqun.web.warmup import preload

            preload()
        from jiqun.web.warmup import settle_memory

        settle_memory()
        from jiqun.config import worker_enabled

        if worker_enabled():
            # the server process runs the queued jobs (result refreshes after imports)
            from jiqun.services.jobs import start_worker
            from jiqun.services.refresh import ensure_current
            from jiqun.store.db import get_engine

            ensure_current(get_engine())  # results of an older release or reference: recompute
            start_worker()
        return application
    raise AttributeError(name)
