"""Run the docstring examples of the pure modules, so that documented results stay true."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import jiqun.analytics
import jiqun.standard

MODULES = sorted(
    {
        m.name
        for pkg in (jiqun.analytics, jiqun.standard)
        for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + ".")
    }
    | {
        "jiqun.metrics",
        "jiqun.reference",
        "jiqun.reference.geo",
        "jiqun.demo",
        "jiqun.demo.tables",
        "jiqun.errors",
    }
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    res = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0, f"{res.failed} of {res.attempted} examples failed in {name}"
