"""The service boundary, enforced on the source (docs/architecture.md, "The boundary").

Interfaces (``src/jiqun/web``, ``src/jiqun/cli``) parse, call a service and render: they hold no
SQL and make no access decision. This test reads every module with :mod:`ast` (nothing is
imported or run) and fails on

* an import of :mod:`sqlalchemy` in an interface module, except the ``Engine`` type (handlers
  receive the engine and pass it on);
* an import of :mod:`jiqun.store.models` in an interface module;
* a call of ``text(...)``, ``select(...)``, ``<anything>.execute(...)`` or ``read_sql...(...)`` in
  an interface module;
* anywhere in ``src/``: an import of another module's private name (``from x import _y``);
* an import of :mod:`ibis` outside :mod:`jiqun.engine` (services call the engine, never Ibis);
* an import of :mod:`jiqun.engine` in the pure analytics (the analytics layer of
  docs/architecture.md: analytics, metrics, chains, resilience, digital, matching, policy,
  innovation, demo), which take pandas/NumPy whatever engine produced them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "jiqun"
INTERFACES = [SRC / "web", SRC / "cli"]
SQL_CALLS = {"text", "select", "execute", "read_sql", "read_sql_query", "read_sql_table"}
ALLOWED_SQLALCHEMY = {"Engine"}
#: the analytics layer (docs/architecture.md): pure pandas/NumPy/SciPy, no engine, no store
PURE = [
    SRC / name
    for name in (
        "analytics",
        "metrics",
        "chains",
        "resilience",
        "digital",
        "matching",
        "policy",
        "innovation",
        "demo",
        "planning",
    )
]


def _modules(*roots: Path) -> list[Path]:
    return sorted(p for r in roots for p in r.rglob("*.py"))


def interface_violations(path: Path, root: Path = SRC.parent) -> list[str]:
    """Where the interface module at ``path`` reaches past the service boundary.

    Parameters
    ----------
    path
        A Python source file.
    root
        The folder the reported file names are relative to.

    Returns
    -------
    list[str]
        One ``"file:line: what"`` string per violation (empty when the module is clean).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(root)
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "sqlalchemy" or a.name.startswith("sqlalchemy."):
                    out.append(f"{where}:{node.lineno}: import {a.name}")
                if a.name == "jiqun.store.models":
                    out.append(f"{where}:{node.lineno}: import {a.name}")
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if mod == "sqlalchemy" or mod.startswith("sqlalchemy."):
                bad = [a.name for a in node.names if a.name not in ALLOWED_SQLALCHEMY]
                if bad or mod != "sqlalchemy":
                    out.append(f"{where}:{node.lineno}: from {mod} import {', '.join(bad)}")
            if mod == "jiqun.store.models" or (
                mod == "jiqun.store" and any(a.name == "models" for a in node.names)
            ):
                out.append(f"{where}:{node.lineno}: from {mod} import ...")
        elif isinstance(node, ast.Call):
            f = node.func
            name = (
                f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            )
            if name in SQL_CALLS:
                out.append(f"{where}:{node.lineno}: {name}(...)")
    return out


def private_imports(path: Path, root: Path = SRC.parent) -> list[str]:
    """Imports of another module's private names (``from x import _y``) in ``path``.

    Parameters
    ----------
    path
        A Python source file.
    root
        The folder the reported file names are relative to.

    Returns
    -------
    list[str]
        One ``"file:line: from x import _y"`` string per private name imported.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(root)
    return [
        f"{where}:{node.lineno}: from {node.module} import {a.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for a in node.names
        if a.name.startswith("_") and not a.name.startswith("__")
    ]


def test_interfaces_hold_no_sql() -> None:
    bad = [v for p in _modules(*INTERFACES) for v in interface_violations(p)]
    assert not bad, "SQL or store models in web/ or cli/:\n" + "\n".join(bad)


def test_no_private_imports_in_src() -> None:
    bad = [v for p in _modules(SRC) for v in private_imports(p)]
    assert not bad, "imports of another module's private names:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from sqlalchemy import Engine\n", False),
        ("from sqlalchemy import Engine, text\n", True),
        ("import sqlalchemy as sa\n", True),
        ("from sqlalchemy.orm import Session\n", True),
        ("from jiqun.store.models import Enterprise\n", True),
        ("from jiqun.store import models\n", True),
        ("def f(c):\n    return c.execute(q)\n", True),
        ("import pandas as pd\n\ndef f(c):\n    return pd.read_sql(q, c)\n", True),
        ("def f():\n    return select(1)\n", True),
        ("from jiqun.services import directory\n\ndef f(e):\n    return directory.x(e)\n", False),
    ],
)
def test_checker_sees_violations(tmp_path: Path, source: str, found: bool) -> None:
    # The checker must be able to fail: each pattern it should catch, and two it should not.
    f = tmp_path / "probe.py"
    f.write_text(source, encoding="utf-8")
    assert bool(interface_violations(f, tmp_path)) is found


def test_private_import_checker(tmp_path: Path) -> None:
    f = tmp_path / "m.py"
    f.write_text("from a.b import public, _private\nfrom c import __version__\n", encoding="utf-8")
    assert private_imports(f, tmp_path) == ["m.py:1: from a.b import _private"]


def imports_of(path: Path, prefix: str, root: Path = SRC.parent) -> list[str]:
    """Where ``path`` imports ``prefix`` or one of its submodules.

    Parameters
    ----------
    path
        A Python source file.
    prefix
        A dotted module name (``ibis``, ``jiqun.engine``).
    root
        The folder the reported file names are relative to.

    Returns
    -------
    list[str]
        One ``"file:line: import x"`` string per import found.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    where = path.relative_to(root)

    def hit(name: str) -> bool:
        return name == prefix or name.startswith(prefix + ".")

    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend(f"{where}:{node.lineno}: import {a.name}" for a in node.names if hit(a.name))
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{a.name}" for a in node.names]
            if hit(node.module) or any(hit(n) for n in names):
                out.append(f"{where}:{node.lineno}: from {node.module} import ...")
    return out


def test_only_the_engine_imports_ibis() -> None:
    engine = SRC / "engine"
    bad = [v for p in _modules(SRC) if engine not in p.parents for v in imports_of(p, "ibis")]
    assert not bad, "ibis imported outside jiqun.engine:\n" + "\n".join(bad)


def test_pure_analytics_never_import_the_engine() -> None:
    bad = [v for p in _modules(*PURE) for v in imports_of(p, "jiqun.engine")]
    assert not bad, "the pure analytics import the engine:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    ("source", "prefix", "found"),
    [
        ("import ibis\n", "ibis", True),
        ("import ibis.expr.types as ir\n", "ibis", True),
        ("from ibis import _\n", "ibis", True),
        ("import ibisx\n", "ibis", False),
        ("from jiqun import engine\n", "jiqun.engine", True),
        ("from jiqun.engine.lake import build\n", "jiqun.engine", True),
        ("from jiqun.engines import x\n", "jiqun.engine", False),
    ],
)
def test_import_checker(tmp_path: Path, source: str, prefix: str, found: bool) -> None:
    f = tmp_path / "m.py"
    f.write_text(source, encoding="utf-8")
    assert bool(imports_of(f, prefix, tmp_path)) is found


def _read_audits(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.relative_to(SRC.parent)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == "audit_read")
            or (isinstance(node.func, ast.Attribute) and node.func.attr == "audit_read")
        )
    ]


def test_web_handlers_write_no_read_audit() -> None:
    # the service that reads firm records for a user names them in the audit log, not the
    # handler (the CLI audits its operator's reads itself: access.local_principal)
    bad = [v for p in _modules(SRC / "web") for v in _read_audits(p)]
    assert not bad, "audit_read called in web/:\n" + "\n".join(bad)
