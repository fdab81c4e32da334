"""Accounts: organisations, users, passwords (argon2), sessions, API tokens, login throttling.

Roles (docs/api.md): ``admin`` 平台管理员, ``government`` 政府分析人员 (scope: a province, city or
county code), ``cluster`` 集群促进机构 (scope: a cluster id), ``enterprise`` 企业 (scope: its
unified social credit code). Anyone not logged in is ``public`` (published aggregates only).

**Sessions and tokens are server-side** (table ``auth_sessions``): a browser cookie or a bearer
token carries only a random identifier, of which the database keeps the SHA-256. Deleting the row
ends it: logout, token revocation, a password change (the other sessions) and disabling an
account (all of them). Browser sessions end after :func:`session_idle` without a request and
:func:`session_max_age` after login; tokens after :func:`token_ttl` (``JIQUN_TOKEN_TTL_HOURS``).

**Login throttling slows down rather than locks out** (docs/api.md, "Security"). Every attempt is
counted *before* the password is checked, in one transaction per attempt (``UPDATE ...
RETURNING`` on one counter row per key), so concurrent attempts cannot overtake the limit:

- per (username, client): at most :data:`MAX_FAILURES` attempts per :data:`WINDOW`; further
  attempts from that client for that name answer 429 until the window ends (a success resets it);
- per username (all clients) beyond :data:`ACCOUNT_FREE` attempts, and per client (all names)
  beyond :data:`CLIENT_FREE`, each further attempt must wait ``2**(n - free)`` seconds after the
  previous one, at most :data:`MAX_DELAY` — a stranger elsewhere can slow an account or a shared
  address down to one try a minute but never shut it out for the window.

The answers are the same whether or not the account exists (no account enumeration), and a wrong
password and an unknown user get the same answer after the same work (a dummy hash is verified
for unknown users).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, case, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from jiqun import config, reference
from jiqun.errors import AuthError, JiqunError
from jiqun.services.labels import label_table
from jiqun.standard.codes import check_uscc
from jiqun.store.db import get_engine, session_scope
from jiqun.store.models import (
    AuthSession,
    Cluster,
    ClusterMember,
    Enterprise,
    LoginThrottle,
    Organisation,
    User,
    table_of,
)

#: account role -> (中文, English), from ``data/labels.yaml``
ROLES: dict[str, tuple[str, str]] = {k: (zh, en) for k, (zh, en) in label_table("roles").items()}
WINDOW = dt.timedelta(minutes=15)
#: Attempts per (username, client) and :data:`WINDOW` before that pair is refused (429).
MAX_FAILURES = 5
#: Attempts on one username (from all clients) per window before progressive delays start.
ACCOUNT_FREE = 10
#: Attempts from one client (for all usernames) per window before progressive delays start.
CLIENT_FREE = 20
#: The longest progressive delay between two attempts, in seconds.
MAX_DELAY = 60
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("jiqun-dummy-password")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,80}$")


class NoSuchUser(JiqunError):
    """No account with that username (HTTP 404)."""

    status = 404


@dataclass(frozen=True)
class Principal:
    """Who is asking: username, role, scope and organisation (``public`` when anonymous)."""

    username: str | None
    role: str
    scope: str | None = None
    organisation_id: int | None = None

    @property
    def is_public(self) -> bool:
        return self.role == "public"


PUBLIC = Principal(None, "public")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _check_scope(role: str, scope: str | None, engine: Engine) -> tuple[str | None, str]:
    """Validate the scope for the role; return (scope, organisation name)."""
    if role not in ROLES or role == "public":
        raise JiqunError(
            f"未知角色 {role!r}，可选：admin, government, cluster, enterprise",
            f"unknown role {role!r}; choose admin, government, cluster or enterprise",
        )
    if role == "admin":
        if scope:
            raise JiqunError("管理员不设范围", "an admin has no scope")
        return None, "平台运营方 / platform operator"
    if not scope:
        raise JiqunError(f"角色 {role} 需要 --scope", f"role {role} needs --scope")
    scope = scope.strip()
    if role == "government":
        level = reference.region_level(scope)
        if level is None:
            raise JiqunError(
                f"范围 {scope!r} 不是 GB/T 2260 行政区划代码",
                f"scope {scope!r} is not a GB/T 2260 region code",
            )
        return scope, f"{reference.region_name(scope, full=True) or scope} 工业和信息化主管部门"
    if role == "cluster":
        with engine.connect() as c:
            name = c.execute(select(Cluster.name).where(Cluster.cluster_id == scope)).scalar()
        if name is None:
            raise JiqunError(f"找不到集群 {scope!r}", f"no cluster with id {scope!r}")
        return scope, f"{name} 发展促进机构"
    problems = check_uscc(scope)
    if any(p.severity == "error" for p in problems):
        raise JiqunError(
            f"范围 {scope!r} 不是有效的统一社会信用代码",
            f"scope {scope!r} is not a valid unified social credit code",
        )
    with engine.connect() as c:
        name = c.execute(select(Enterprise.name).where(Enterprise.uscc == scope)).scalar()
    return scope, name or scope


def organisation_for(role: str, scope: str | None, engine: Engine | None = None) -> int:
    """The id of the organisation for (role, scope), created when missing."""
    engine = engine or get_engine()
    scope, name = _check_scope(role, scope, engine)
    with session_scope(engine) as s:
        org = s.execute(
            select(Organisation).where(Organisation.kind == role, Organisation.scope.is_(scope))
            if scope is None
            else select(Organisation).where(Organisation.kind == role, Organisation.scope == scope)
        ).scalar_one_or_none()
        if org is None:
            org = Organisation(name=name, kind=role, scope=scope, created_at=_now())
            s.add(org)
            s.flush()
        return int(org.id)


def add_user(
    username: str,
    role: str,
    password: str,
    scope: str | None = None,
    engine: Engine | None = None,
) -> Principal:
    """Create an account (and its organisation when new).

    Parameters
    ----------
    username:
        3–80 characters of letters, digits, ``_ . @ -``.
    role:
        ``admin``, ``government``, ``cluster`` or ``enterprise``.
    password:
        A password that passes :func:`check_password`.
    scope:
        Region code (government), cluster id (cluster) or credit code (enterprise).
    engine:
        Database (default: the configured one).

    Returns
    -------
    Principal

    Example
    -------
    >>> add_user("wuxi_analyst", "government", "a-long-password", scope="320200")  # doctest: +SKIP
    """
    engine = engine or get_engine()
    if not USERNAME_RE.match(username or ""):
        raise JiqunError(
            "用户名须为 3–80 个字母、数字或 _ . @ -",
            "a username is 3–80 letters, digits or _ . @ -",
        )
    check_password(password, username)
    org_id = organisation_for(role, scope, engine)
    scope = scope.strip() if scope else None
    with session_scope(engine) as s:
        if s.execute(select(User.id).where(User.username == username)).scalar() is not None:
            raise JiqunError(f"用户名 {username} 已存在", f"username {username} already exists")
        s.add(
            User(
                username=username,
                password_hash=_hasher.hash(password),
                organisation_id=org_id,
                role=role,
                scope=scope,
                active=True,
                created_at=_now(),
                token_version=0,
            )
        )
    return Principal(username, role, scope, org_id)


def set_active(username: str, active: bool, engine: Engine | None = None) -> int:
    """Enable or disable an account (not audited: see :func:`disable_user`).

    Disabling ends every session and token of the account at once; returns how many ended.
    """
    engine = engine or get_engine()
    with session_scope(engine) as s:
        u = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if u is None:
            raise NoSuchUser(f"找不到用户 {username}", f"no user {username}")
        u.active = active
        u.token_version = (u.token_version or 0) + 1
        ended = 0
        if not active:
            ended = _end_sessions(s.connection(), username)
    return ended


def _principal(u: User) -> Principal:
    return Principal(u.username, u.role, u.scope, u.organisation_id)


# --------------------------------------------------------------------------------------------
# password rule
# --------------------------------------------------------------------------------------------

#: Runs that a password must not merely be a piece of (digits, the alphabet, keyboard rows),
#: forwards or backwards, repeated so that long runs such as ``12345678901234`` are caught.
_SEQUENCES = tuple(
    run * 4
    for base in ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")
    for run in (base, base[::-1])
)
#: Well-known password stems (checked after trailing digits and symbols are removed).
COMMON_PASSWORDS = frozenset(
    {
        "password", "passw0rd", "p@ssw0rd", "admin", "administrator", "qwerty", "qwertyuiop",
        "iloveyou", "welcome", "letmein", "monkey", "dragon", "football", "baseball", "sunshine",
        "princess", "woaini", "woaini1314", "1qaz2wsx", "1qaz2wsx3edc", "1q2w3e4r", "1q2w3e4r5t",
        "abc", "abcd", "qwe", "asd", "zxc", "jiqun", "changeme", "secret", "test", "root",
    }
)  # fmt: skip
MIN_PASSWORD = 10
MAX_PASSWORD = 200


def check_password(password: str | None, username: str | None = None) -> None:
    """Refuse a weak password with a bilingual message.

    The rule (also in docs/api.md): 10–200 characters; at least 4 different characters (so not
    ``aaaaaaaaaa`` nor ``abababababab``); not a run of digits, letters or a keyboard row, forwards
    or backwards (``1234567890``, ``0987654321``, ``abcdefghij``, ``qwertyuiop``); not a
    well-known password with digits or symbols appended (``password123``, ``admin@2024``); and
    not containing the username.

    Parameters
    ----------
    password:
        The proposed password.
    username:
        The account it is for (a password containing it is refused).

    Returns
    -------
    None; raises :class:`jiqun.standard.problems.JiqunError` when weak.

    References
    ----------
    NIST SP 800-63B §5.1.1.2 (length over composition rules; block sequential, repetitive and
    commonly used passwords).

    Example
    -------
    >>> check_password("correct-horse-battery")
    >>> check_password("1234567890")
    Traceback (most recent call last):
    ...
    jiqun.standard.problems.JiqunError: 密码过于简单... / the password is too easy to guess...
    """
    pw = password or ""
    if len(pw) < MIN_PASSWORD:
        raise JiqunError(
            f"密码至少 {MIN_PASSWORD} 个字符",
            f"a password needs at least {MIN_PASSWORD} characters",
        )
    if len(pw) > MAX_PASSWORD:
        raise JiqunError(
            f"密码最多 {MAX_PASSWORD} 个字符", f"a password has at most {MAX_PASSWORD} characters"
        )
    low = pw.lower()
    stem = low.rstrip("0123456789!@#$%^&*()_-+=.~?")
    weak = (
        len(set(low)) < 4
        or any(low in run for run in _SEQUENCES)
        or low in COMMON_PASSWORDS
        or stem in COMMON_PASSWORDS
        or (bool(username) and len(username or "") >= 3 and (username or "").lower() in low)
    )
    if weak:
        raise JiqunError(
            "密码过于简单（重复字符、连续数字或字母、常见密码或包含用户名），请换一个更长、更难猜的密码",
            "the password is too easy to guess (repeated characters, a run of digits or letters, "
            "a common password or the username); choose a longer, less predictable one",
        )


# --------------------------------------------------------------------------------------------
# login throttling
# --------------------------------------------------------------------------------------------

_last_prune = 0.0


def _upsert_counter(conn: Connection, key: str, now: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Count one attempt for ``key`` in the current transaction; return (attempts, not_before).

    ``INSERT ... ON CONFLICT DO NOTHING`` makes sure the row exists, then one ``UPDATE ...
    RETURNING`` increments it (starting a new window when the old one is over). The UPDATE locks
    the row until the transaction ends (PostgreSQL row lock, SQLite write lock), so two concurrent
    attempts can never both see the same count.
    """
    t = table_of(LoginThrottle)
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(
        dialect_insert(t)
        .values(key=key, window_start=now, attempts=0, not_before=None)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    stale = t.c.window_start < now - WINDOW
    row = conn.execute(
        update(t)
        .where(t.c.key == key)
        .values(
            attempts=case((stale, 1), else_=t.c.attempts + 1),
            window_start=case((stale, now), else_=t.c.window_start),
            not_before=case((stale, None), else_=t.c.not_before),
        )
        .returning(t.c.attempts, t.c.not_before)
    ).one()
    return int(row[0]), row[1]


def _delay(attempts: int, free: int) -> int:
    """Seconds the next attempt must wait: 0 up to ``free`` attempts, then doubling to MAX_DELAY."""
    if attempts <= free:
        return 0
    return min(2 ** (attempts - free), MAX_DELAY)


def _throttle_keys(username: str, client: str) -> tuple[str, str, str]:
    name = (username or "").lower()[:80]
    peer = (client or "-")[:64]
    return f"pair:{name}|{peer}", f"user:{name}", f"client:{peer}"


def _reserve_attempt(engine: Engine, username: str, client: str, now: dt.datetime) -> None:
    """Count this attempt before the password is checked, or refuse it (429) atomically."""
    global _last_prune
    if time.monotonic() - _last_prune > 60:
        _last_prune = time.monotonic()
        with engine.begin() as conn:
            conn.execute(delete(LoginThrottle).where(LoginThrottle.window_start < now - WINDOW))
    pair, user, peer = _throttle_keys(username, client)
    t = table_of(LoginThrottle)
    conn = engine.connect()
    try:
        with conn.begin() as txn:
            n_pair, _ = _upsert_counter(conn, pair, now)
            n_user, user_nb = _upsert_counter(conn, user, now)
            n_peer, peer_nb = _upsert_counter(conn, peer, now)
            if n_pair > MAX_FAILURES:
                txn.rollback()  # refused attempts are not counted: the owner's delay stays short
                raise AuthError(
                    "登录尝试过多，请 15 分钟后再试",
                    "too many login attempts; try again in 15 minutes",
                    status=429,
                )
            waits = [nb for nb in (user_nb, peer_nb) if nb is not None and nb > now]
            if waits:
                txn.rollback()
                seconds = max(1, int((max(waits) - now).total_seconds() + 0.999))
                raise AuthError(
                    f"登录尝试过多，请 {seconds} 秒后再试",
                    f"too many login attempts; try again in {seconds} seconds",
                    status=429,
                )
            for key, n, free in ((user, n_user, ACCOUNT_FREE), (peer, n_peer, CLIENT_FREE)):
                wait = _delay(n, free)
                if wait:
                    conn.execute(
                        update(t)
                        .where(t.c.key == key)
                        .values(not_before=now + dt.timedelta(seconds=wait))
                    )
    finally:
        conn.close()


def _release_attempt(engine: Engine, username: str, client: str) -> None:
    """After a successful login: the pair starts afresh, the other counters forget this attempt."""
    pair, user, peer = _throttle_keys(username, client)
    t = table_of(LoginThrottle)
    with engine.begin() as conn:
        conn.execute(delete(t).where(t.c.key == pair))
        conn.execute(
            update(t)
            .where(t.c.key == user)
            .values(attempts=case((t.c.attempts > 0, t.c.attempts - 1), else_=0), not_before=None)
        )
        conn.execute(
            update(t)
            .where(t.c.key == peer)
            .values(attempts=case((t.c.attempts > 0, t.c.attempts - 1), else_=0))
        )


def authenticate(
    username: str, password: str, client: str = "-", engine: Engine | None = None
) -> Principal:
    """Check a password; throttled; the same answer for unknown users and wrong passwords.

    Parameters
    ----------
    username, password:
        What the person typed.
    client:
        The client address (as :func:`jiqun.web.deps.client` resolves it) for throttling.
    engine:
        Database (default: the configured one).

    Returns
    -------
    Principal
        The account's principal; :class:`AuthError` 401 (wrong, unknown or disabled) or 429
        (throttled, see the module docstring).

    Example
    -------
    >>> authenticate("wuxi_analyst", "a-long-password", "10.0.0.1")  # doctest: +SKIP
    """
    engine = engine or get_engine()
    now = _now()
    _reserve_attempt(engine, username, client, now)
    with Session(engine) as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is not None:
            s.expunge(user)
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password or "")
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or not user.active:
        raise AuthError("用户名或密码错误", "wrong username or password")
    _release_attempt(engine, username, client)
    return _principal(user)


# --------------------------------------------------------------------------------------------
# server-side sessions and tokens
# --------------------------------------------------------------------------------------------


def token_ttl() -> dt.timedelta:
    """Lifetime of a bearer token (``JIQUN_TOKEN_TTL_HOURS``, default 8 hours)."""
    return dt.timedelta(hours=config.token_ttl_hours())


def session_idle() -> dt.timedelta:
    """A browser session without a request for this long is over (default 30 minutes)."""
    return dt.timedelta(minutes=config.session_idle_minutes())


def session_max_age() -> dt.timedelta:
    """A browser session is over this long after it began, active or not (default 8 hours)."""
    return dt.timedelta(hours=config.session_max_hours())


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


_last_session_prune = 0.0


def _prune_sessions(conn: Connection, now: dt.datetime) -> None:
    """Delete expired sessions and tokens, at most once a minute per process."""
    global _last_session_prune
    if time.monotonic() - _last_session_prune < 60:
        return
    _last_session_prune = time.monotonic()
    a = table_of(AuthSession)
    conn.execute(
        delete(a).where(
            ((a.c.kind == "web") & (a.c.last_seen_at < now - session_idle()))
            | ((a.c.kind == "web") & (a.c.created_at < now - session_max_age()))
            | ((a.c.kind == "api") & (a.c.created_at < now - token_ttl()))
        )
    )


def _new_row(
    conn: Connection, kind: str, username: str | None, data: dict[str, Any], client: str | None
) -> str:
    raw = secrets.token_urlsafe(32)
    now = _now()
    _prune_sessions(conn, now)
    conn.execute(
        insert(AuthSession).values(
            sid_hash=_digest(raw),
            kind=kind,
            username=username,
            data=json.dumps(data, ensure_ascii=False),
            created_at=now,
            last_seen_at=now,
            client=(client or None) and client[:64],
        )
    )
    return raw


def create_session(
    data: dict[str, Any], client: str | None = None, engine: Engine | None = None
) -> str:
    """Store a new browser session; returns its random identifier (for the cookie only).

    ``data["user"]``, when present, is the logged-in username (so that the account's sessions
    can be ended together).
    """
    with (engine or get_engine()).begin() as conn:
        return _new_row(conn, "web", data.get("user"), data, client)


def load_session(sid: str | None, engine: Engine | None = None) -> dict[str, Any] | None:
    """The data of a live browser session, or ``None`` (unknown, ended, idle or too old)."""
    if not sid or len(sid) > 200:
        return None
    a = table_of(AuthSession)
    now = _now()
    engine = engine or get_engine()
    with engine.connect() as conn:
        row = conn.execute(
            select(a.c.id, a.c.data, a.c.created_at, a.c.last_seen_at).where(
                a.c.sid_hash == _digest(sid), a.c.kind == "web"
            )
        ).one_or_none()
    if row is None:
        return None
    if row.last_seen_at < now - session_idle() or row.created_at < now - session_max_age():
        with engine.begin() as conn:
            conn.execute(delete(a).where(a.c.id == row.id))
        return None
    if now - row.last_seen_at > dt.timedelta(minutes=1):  # one write a minute, not per request
        with engine.begin() as conn:
            conn.execute(update(a).where(a.c.id == row.id).values(last_seen_at=now))
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def save_session(sid: str, data: dict[str, Any], engine: Engine | None = None) -> bool:
    """Replace the data of a live session (same user); False when it no longer exists."""
    a = table_of(AuthSession)
    with (engine or get_engine()).begin() as conn:
        n = conn.execute(
            update(a)
            .where(a.c.sid_hash == _digest(sid), a.c.kind == "web")
            .values(data=json.dumps(data, ensure_ascii=False), last_seen_at=_now())
        ).rowcount
    return bool(n)


def delete_session(sid: str | None, engine: Engine | None = None) -> None:
    """End a browser session (logout): a replayed cookie no longer works."""
    if not sid:
        return
    a = table_of(AuthSession)
    with (engine or get_engine()).begin() as conn:
        conn.execute(delete(a).where(a.c.sid_hash == _digest(sid)))


def _end_sessions(conn: Connection, username: str, keep: str | None = None) -> int:
    """Delete every session and token of ``username`` except the one whose id is ``keep``."""
    a = table_of(AuthSession)
    cond = a.c.username == username
    if keep:
        cond = cond & (a.c.sid_hash != _digest(keep))
    return int(conn.execute(delete(a).where(cond)).rowcount or 0)


def issue_token(
    principal: Principal, engine: Engine | None = None, client: str | None = None
) -> str:
    """A new random bearer token for ``principal``, valid :func:`token_ttl` unless revoked."""
    with (engine or get_engine()).begin() as conn:
        return _new_row(conn, "api", principal.username, {}, client)


def principal_from_token(token: str, engine: Engine | None = None) -> Principal:
    """The principal a bearer token stands for; expired, unknown or revoked tokens are refused."""
    if not token or len(token) > 200:
        raise AuthError("令牌无效", "invalid token")
    engine = engine or get_engine()
    a = table_of(AuthSession)
    with engine.connect() as conn:
        row = conn.execute(
            select(a.c.id, a.c.username, a.c.created_at).where(
                a.c.sid_hash == _digest(token), a.c.kind == "api"
            )
        ).one_or_none()
    if row is None:
        raise AuthError("令牌无效", "invalid token")
    if row.created_at < _now() - token_ttl():
        with engine.begin() as conn:
            conn.execute(delete(a).where(a.c.id == row.id))
        raise AuthError("令牌已过期，请重新登录", "the token has expired; log in again")
    return principal_for_username(row.username, None, engine)


def revoke_token(
    token: str,
    principal: Principal | None = None,
    client: str | None = None,
    engine: Engine | None = None,
) -> bool:
    """Revoke one bearer token (``POST /api/v1/auth/logout``); audited; False when unknown."""
    from jiqun.services.access import audit

    engine = engine or get_engine()
    a = table_of(AuthSession)
    with engine.begin() as conn:
        n = conn.execute(
            delete(a).where(a.c.sid_hash == _digest(token or ""), a.c.kind == "api")
        ).rowcount
    if n:
        audit(principal, "token_revoke", "api", client=client, engine=engine)
    return bool(n)


def principal_for_username(
    username: str | None, version: int | None = None, engine: Engine | None = None
) -> Principal:
    """The current principal of an active account (for sessions and tokens)."""
    with Session(engine or get_engine()) as s:
        user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if user is not None:
            s.expunge(user)
    if user is None or not user.active or (version is not None and version != user.token_version):
        raise AuthError("会话已失效，请重新登录", "the session is no longer valid; log in again")
    return _principal(user)


# --------------------------------------------------------------------------------------------
# account lifecycle (decided and audited here; the interfaces only call these)
# --------------------------------------------------------------------------------------------


def _require_admin(actor: Principal) -> None:
    from jiqun.services.access import AccessDenied

    if actor.role != "admin":
        raise AccessDenied("只有平台管理员可以管理账户", "only an admin can manage accounts")


def _sessions_ended(
    actor: Principal, action: str, username: str, ended: int, client: str | None, engine: Engine
) -> int:
    """Audit an account change that ended sessions (``action`` on ``user:<username>``, with how
    many ended) and return that number."""
    from jiqun.services.access import audit

    audit(
        actor,
        action,
        f"user:{username}",
        detail={"sessions_ended": ended},
        client=client,
        engine=engine,
    )
    return ended


def create_user(
    actor: Principal,
    username: str,
    role: str,
    password: str,
    scope: str | None = None,
    client: str | None = None,
    engine: Engine | None = None,
) -> Principal:
    """Create an account (:func:`add_user`'s checks and arguments) as the admin ``actor``;
    audited (``user_create`` with the role and scope; ``client``: the address for the log).

    Example: ``create_user(admin, "wuxi_analyst", "government", "a-long-passphrase", "320200")``.
    """
    from jiqun.services.access import audit

    _require_admin(actor)
    p = add_user(username, role, password, scope, engine)
    audit(
        actor,
        "user_create",
        f"user:{p.username}",
        detail={"role": p.role, "scope": p.scope},
        client=client,
        engine=engine,
    )
    return p


def disable_user(
    actor: Principal, username: str, client: str | None = None, engine: Engine | None = None
) -> int:
    """Disable an account and end all its sessions and tokens at once (admin; audited).

    Parameters
    ----------
    actor:
        Who does it (an admin; the CLI acts as a local admin).
    username:
        The account.
    client, engine:
        Client address for the audit log; database.

    Returns
    -------
    int
        How many sessions and tokens ended.

    Example
    -------
    >>> disable_user(admin, "wuxi_analyst")  # doctest: +SKIP
    2
    """
    engine = engine or get_engine()
    _require_admin(actor)
    if actor.username == username:
        raise JiqunError("不能停用自己的账户", "you cannot disable your own account")
    ended = set_active(username, False, engine)
    return _sessions_ended(actor, "user_disable", username, ended, client, engine)


def enable_user(
    actor: Principal, username: str, client: str | None = None, engine: Engine | None = None
) -> None:
    """Enable a disabled account (admin; audited); its old sessions and tokens stay ended."""
    from jiqun.services.access import audit

    engine = engine or get_engine()
    _require_admin(actor)
    set_active(username, True, engine)
    audit(actor, "user_enable", f"user:{username}", client=client, engine=engine)


def reset_password(
    actor: Principal,
    username: str,
    password: str,
    client: str | None = None,
    engine: Engine | None = None,
) -> int:
    """Set a new password for someone (admin; audited); ends all that account's sessions.

    Returns how many sessions and tokens ended.
    """
    engine = engine or get_engine()
    _require_admin(actor)
    ended = set_password(username, password, engine)
    return _sessions_ended(actor, "password_reset", username, ended, client, engine)


def change_password(
    principal: Principal,
    old_password: str,
    new_password: str,
    keep_session: str | None = None,
    client: str | None = None,
    engine: Engine | None = None,
) -> int:
    """Change one's own password, proving the old one (throttled like a login; audited).

    Every other session and token of the account ends; ``keep_session`` (the browser session
    making the change) stays. Returns how many ended.
    """
    from jiqun.services.access import audit

    engine = engine or get_engine()
    if principal.is_public or not principal.username:
        raise AuthError("请先登录", "log in first")
    try:
        authenticate(principal.username, old_password, client or "-", engine)
    except AuthError:
        audit(
            principal,
            "password_change",
            f"user:{principal.username}",
            "denied",
            client=client,
            engine=engine,
        )
        raise
    ended = set_password(principal.username, new_password, engine, keep=keep_session)
    return _sessions_ended(principal, "password_change", principal.username, ended, client, engine)


def list_users(engine: Engine | None = None) -> list[dict[str, object]]:
    """All accounts (never the password hashes)."""
    with (engine or get_engine()).connect() as c:
        rows = c.execute(
            select(
                User.username,
                User.role,
                User.scope,
                User.active,
                User.organisation_id,
                User.created_at,
            ).order_by(User.username)
        ).all()
    return [dict(r._mapping) for r in rows]


def list_organisations(
    engine: Engine | None = None, principal: Principal | None = None
) -> list[dict[str, object]]:
    """Organisations ``principal`` may know of (all of them when ``principal`` is ``None``).

    An admin sees all; any other logged-in user sees the government and cluster organisations
    (the possible grantees) and its own, but no other enterprise's: which firms hold accounts is
    not for other firms or analysts to learn.
    """
    q = select(Organisation).order_by(Organisation.id)
    if principal is not None and principal.role != "admin":
        q = q.where(
            Organisation.kind.in_(("government", "cluster"))
            | (Organisation.id == (principal.organisation_id or -1))
        )
    with Session(engine or get_engine()) as s:
        rows = s.execute(q).scalars().all()
    return [
        {"id": o.id, "name": o.name, "kind": o.kind, "scope": o.scope, "created_at": o.created_at}
        for o in rows
    ]


def set_password(
    username: str, password: str, engine: Engine | None = None, keep: str | None = None
) -> int:
    """Replace a password (not audited: see :func:`reset_password`, :func:`change_password`).

    Ends the account's sessions and tokens except the session ``keep``; returns how many ended.
    """
    check_password(password, username)
    with session_scope(engine or get_engine()) as s:
        u = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if u is None:
            raise NoSuchUser(f"找不到用户 {username}", f"no user {username}")
        u.password_hash = _hasher.hash(password)
        u.token_version = (u.token_version or 0) + 1
        return _end_sessions(s.connection(), username, keep)


def ensure_demo_accounts(engine: Engine | None = None) -> list[dict[str, str]]:
    """Create (or reset) one demo account per role with fresh random passwords.

    ``demo_admin`` (admin), ``demo_gov`` (government of 北京市 110000), ``demo_gov_js``
    (government of 江苏省 320000, a province with many clusters: 无锡物联网, 苏州纳米新材料, 徐州工程
    机械 …), ``demo_cluster`` (the 京津冀生命健康集群 NC2022-04 organisation) and ``demo_firm``
    (one synthetic member firm of that cluster). The passwords are returned for printing and
    never stored in clear.

    Parameters
    ----------
    engine: the database (default: the configured one).

    Returns
    -------
    One mapping per account: ``username``, ``role``, ``scope``, ``password``.

    Example
    -------
    >>> [a["username"] for a in ensure_demo_accounts()]  # doctest: +SKIP
    ['demo_admin', 'demo_gov', 'demo_gov_js', 'demo_cluster', 'demo_firm']
    """
    import secrets

    engine = engine or get_engine()
    with engine.connect() as c:
        firm = c.execute(
            select(Enterprise.uscc)
            .where(
                Enterprise.synthetic.is_(True),
                Enterprise.uscc.in_(
                    select(ClusterMember.uscc).where(ClusterMember.cluster_id == "NC2022-04")
                ),
            )
            .order_by(Enterprise.revenue.desc())
            .limit(1)
        ).scalar()
    specs = [
        ("demo_admin", "admin", None),
        ("demo_gov", "government", "110000"),
        ("demo_gov_js", "government", "320000"),
        ("demo_cluster", "cluster", "NC2022-04"),
    ]
    if firm:
        specs.append(("demo_firm", "enterprise", firm))
    out = []
    for username, role, scope in specs:
        pw = secrets.token_urlsafe(12)
        with engine.connect() as c:
            exists = c.execute(select(User.id).where(User.username == username)).scalar()
        if exists is not None:
            with session_scope(engine) as s:
                # the old account's sessions and tokens must not pass to the new one
                _end_sessions(s.connection(), username)
                s.execute(delete(User).where(User.username == username))
        add_user(username, role, pw, scope, engine)
        out.append({"username": username, "role": role, "scope": scope or "", "password": pw})
    return out
