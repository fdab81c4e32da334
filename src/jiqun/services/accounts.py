"""Accounts: organisations, users, passwords (argon2), API tokens and login rate limiting.

Roles (GLOSSARY): ``admin`` 平台管理员, ``government`` 政府分析人员 (scope: a province, city or
county code), ``cluster`` 集群促进机构 (scope: a cluster id), ``enterprise`` 企业 (scope: its
unified social credit code). Anyone not logged in is ``public`` (published aggregates only).

Login failures are counted per username and per client over :data:`WINDOW`; after
:data:`MAX_FAILURES` the login is refused for the rest of the window with the same message whether
or not the account exists (no account enumeration), and a wrong password and an unknown user get
the same answer after the same work (a dummy hash is verified for unknown users).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from jiqun import config, reference
from jiqun.errors import AuthError, JiqunError
from jiqun.standard.codes import check_uscc
from jiqun.store.db import get_engine, session_scope
from jiqun.store.models import Cluster, ClusterMember, Enterprise, LoginAttempt, Organisation, User

ROLES: dict[str, tuple[str, str]] = {
    "admin": ("平台管理员", "platform administrator"),
    "government": ("政府分析人员", "government analyst"),
    "cluster": ("集群促进机构", "cluster organisation"),
    "enterprise": ("企业", "enterprise"),
    "public": ("公众", "public"),
}
WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES = 5
TOKEN_MAX_AGE = 12 * 3600  # seconds
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("jiqun-dummy-password")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,80}$")


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
        At least 10 characters.
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
    if len(password or "") < 10:
        raise JiqunError("密码至少 10 个字符", "a password needs at least 10 characters")
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


def set_active(username: str, active: bool, engine: Engine | None = None) -> None:
    """Enable or disable an account; disabling also invalidates its tokens."""
    with session_scope(engine or get_engine()) as s:
        u = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if u is None:
            raise JiqunError(f"找不到用户 {username}", f"no user {username}")
        u.active = active
        u.token_version = (u.token_version or 0) + 1


def _principal(u: User) -> Principal:
    return Principal(u.username, u.role, u.scope, u.organisation_id)


def authenticate(
    username: str, password: str, client: str = "-", engine: Engine | None = None
) -> Principal:
    """Check a password; rate-limited; the same answer for unknown users and wrong passwords."""
    engine = engine or get_engine()
    now = _now()
    keys = [f"user:{(username or '').lower()[:80]}", f"client:{client[:64]}"]
    with session_scope(engine) as s:
        s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - WINDOW))
        recent = s.execute(
            select(LoginAttempt.key, func.count())
            .where(LoginAttempt.key.in_(keys), LoginAttempt.at >= now - WINDOW)
            .group_by(LoginAttempt.key)
        ).all()
    if any(n >= MAX_FAILURES for _k, n in recent):
        raise AuthError(
            "登录尝试过多，请 15 分钟后再试",
            "too many login attempts; try again in 15 minutes",
            status=429,
        )
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
        with session_scope(engine) as s:
            for k in keys:
                s.add(LoginAttempt(key=k, at=now))
        raise AuthError("用户名或密码错误", "wrong username or password")
    return _principal(user)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(config.secret_key(), salt="jiqun-api-token")


def issue_token(principal: Principal, engine: Engine | None = None) -> str:
    """A signed bearer token for ``principal`` (valid :data:`TOKEN_MAX_AGE` seconds)."""
    with (engine or get_engine()).connect() as c:
        version = c.execute(
            select(User.token_version).where(User.username == principal.username)
        ).scalar()
    return _serializer().dumps({"u": principal.username, "v": int(version or 0)})


def principal_from_token(token: str, engine: Engine | None = None) -> Principal:
    """The principal a bearer token stands for; expired, forged or revoked tokens are refused."""
    try:
        data = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except SignatureExpired as e:
        raise AuthError("令牌已过期，请重新登录", "the token has expired; log in again") from e
    except BadSignature as e:
        raise AuthError("令牌无效", "invalid token") from e
    return principal_for_username(data.get("u"), data.get("v"), engine)


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


def list_organisations(engine: Engine | None = None) -> list[dict[str, object]]:
    with Session(engine or get_engine()) as s:
        rows = s.execute(select(Organisation).order_by(Organisation.id)).scalars().all()
    return [
        {"id": o.id, "name": o.name, "kind": o.kind, "scope": o.scope, "created_at": o.created_at}
        for o in rows
    ]


def set_password(username: str, password: str, engine: Engine | None = None) -> None:
    """Replace a password (and invalidate the account's tokens and sessions)."""
    if len(password or "") < 10:
        raise JiqunError("密码至少 10 个字符", "a password needs at least 10 characters")
    with session_scope(engine or get_engine()) as s:
        u = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if u is None:
            raise JiqunError(f"找不到用户 {username}", f"no user {username}")
        u.password_hash = _hasher.hash(password)
        u.token_version = (u.token_version or 0) + 1


def ensure_demo_accounts(engine: Engine | None = None) -> list[dict[str, str]]:
    """Create (or reset) one demo account per role with fresh random passwords.

    ``demo_admin`` (admin), ``demo_gov`` (government of 北京市 110000), ``demo_cluster`` (the
    京津冀生命健康集群 NC2022-04 organisation) and ``demo_firm`` (one synthetic member firm of that
    cluster). The passwords are returned for printing and never stored in clear.
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
                s.execute(delete(User).where(User.username == username))
        add_user(username, role, pw, scope, engine)
        out.append({"username": username, "role": role, "scope": scope or "", "password": pw})
    return out
