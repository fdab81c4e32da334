"""UI language: zh-CN by default, English alongside; one dictionary of UI strings."""

from __future__ import annotations

from fastapi import Request

LANGS = ("zh", "en")

#: key -> (中文, English)
STRINGS: dict[str, tuple[str, str]] = {
    "app": (
        "Jiqun 集群 · 先进制造业集群信息共享平台",
        "Jiqun · advanced manufacturing cluster platform",
    ),
    "overview": ("全国概览", "National overview"),
    "clusters": ("集群", "Clusters"),
    "regions": ("地区", "Regions"),
    "enterprises": ("企业", "Enterprises"),
    "scenarios": ("情景分析", "Scenarios"),
    "imports": ("数据导入", "Import"),
    "admin": ("管理", "Admin"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "public": ("公众访客", "public visitor"),
    "synthetic": (
        "含模拟数据，仅供演示，不是真实统计",
        "contains synthetic demo data, not real statistics",
    ),
    "basis": ("口径", "Basis"),
    "language": ("English", "中文"),
    "suppressed": ("已抑制（保密）", "suppressed (confidential)"),
}


def lang(request: Request) -> str:
    """``?lang=`` wins and is remembered in the session; default zh."""
    q = request.query_params.get("lang")
    if q in LANGS:
        if "session" in request.scope:
            request.session["lang"] = q
        return q
    if "session" in request.scope and request.session.get("lang") in LANGS:
        return str(request.session["lang"])
    return "zh"


def translator(code: str):  # type: ignore[no-untyped-def]
    """``t(key)`` in the chosen language; ``t(zh, en)`` picks one of two literal strings."""

    def t(key: str, en: str | None = None) -> str:
        if en is not None:
            return key if code == "zh" else en
        zh_s, en_s = STRINGS.get(key, (key, key))
        return zh_s if code == "zh" else en_s

    return t
