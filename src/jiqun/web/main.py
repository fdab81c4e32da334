"""ASGI entry point for Uvicorn/Gunicorn: ``uvicorn jiqun.web.main:app``."""

from __future__ import annotations

import os

from jiqun.web.app import create_app

app = create_app(secure_cookies=os.environ.get("JIQUN_SECURE_COOKIES") == "1")
