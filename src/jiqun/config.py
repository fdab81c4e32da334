"""Settings read from the environment (12-factor style), in one place.

``JIQUN_DATABASE_URL``
    SQLAlchemy URL of the system of record. Default: a SQLite file ``jiqun.sqlite3`` in the
    per-user data directory (see :func:`data_dir`). PostgreSQL:
    ``postgresql+psycopg://user:password@host:5432/jiqun``.
``JIQUN_DATA_DIR``
    Overrides the per-user data directory. Default from :mod:`platformdirs`:
    ``~/.local/share/jiqun`` on Linux, ``~/Library/Application Support/jiqun`` on macOS,
    ``%LOCALAPPDATA%\\jiqun\\jiqun`` on Windows.
``JIQUN_TOKEN_TTL_HOURS``
    Lifetime of a bearer token (default 8 hours).
``JIQUN_SESSION_IDLE_MINUTES`` / ``JIQUN_SESSION_MAX_HOURS``
    A browser session ends after this long without a request (default 30 minutes) and this long
    after login whatever happens (default 8 hours).
``JIQUN_TRUSTED_PROXIES``
    Comma-separated addresses of reverse proxies whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` headers are believed (default: none, the headers are ignored).
``JIQUN_HTTPS``
    ``1`` when the platform is served over HTTPS (HSTS header and ``Secure`` cookies even when
    the TLS terminator does not say so).
``JIQUN_IO_TABLE``
    Path of a national input–output table (NBS 42-sector layout, CSV or XLSX) used by the
    input–output section of the cluster page and ``/api/v1/clusters/{id}/io-linkages``
    (default: none — Jiqun ships no table; see ``docs/inputoutput.md``).
``JIQUN_WORKER``
    ``0`` stops the web server from running background jobs itself (default ``1``; then run
    ``jiqun jobs run`` elsewhere).
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    """The directory where Jiqun keeps its default database and caches (created on demand)."""
    d = os.environ.get("JIQUN_DATA_DIR")
    path = Path(d).expanduser() if d else Path(platformdirs.user_data_dir("jiqun", "jiqun"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url() -> str:
    """The SQLAlchemy URL of the database: ``JIQUN_DATABASE_URL`` or the default SQLite file."""
    url = os.environ.get("JIQUN_DATABASE_URL", "").strip()
    if url:
        if url.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return f"sqlite:///{data_dir() / 'jiqun.sqlite3'}"


def _positive_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    # a zero or negative lifetime would lock everyone out: fall back rather than fail at login
    return value if value > 0 else default


def token_ttl_hours() -> float:
    """Bearer-token lifetime in hours: ``JIQUN_TOKEN_TTL_HOURS`` (default 8)."""
    return _positive_float("JIQUN_TOKEN_TTL_HOURS", 8.0)


def session_idle_minutes() -> float:
    """Idle timeout of a browser session in minutes: ``JIQUN_SESSION_IDLE_MINUTES`` (default 30)."""
    return _positive_float("JIQUN_SESSION_IDLE_MINUTES", 30.0)


def session_max_hours() -> float:
    """Absolute lifetime of a browser session in hours: ``JIQUN_SESSION_MAX_HOURS`` (default 8)."""
    return _positive_float("JIQUN_SESSION_MAX_HOURS", 8.0)


def trusted_proxies() -> frozenset[str]:
    """Peers whose forwarding headers are believed: ``JIQUN_TRUSTED_PROXIES`` (default none)."""
    raw = os.environ.get("JIQUN_TRUSTED_PROXIES", "")
    return frozenset(p.strip() for p in raw.split(",") if p.strip())


def https() -> bool:
    """``JIQUN_HTTPS=1``: the platform is reached over HTTPS (HSTS, ``Secure`` cookies)."""
    return os.environ.get("JIQUN_HTTPS", "").strip() == "1"


def worker_enabled() -> bool:
    """``JIQUN_WORKER`` (default ``1``): the web server runs the background-job worker in its
    own process; ``0`` when a separate ``jiqun jobs run`` process does (and in the tests)."""
    return os.environ.get("JIQUN_WORKER", "1").strip() != "0"


def io_table_path() -> Path | None:
    """``JIQUN_IO_TABLE``: the configured input–output table file, or ``None`` (the default)."""
    raw = os.environ.get("JIQUN_IO_TABLE", "").strip()
    return Path(raw).expanduser() if raw else None
