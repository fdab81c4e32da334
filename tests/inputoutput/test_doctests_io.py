"""The docstring examples of jiqun.inputoutput stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize(
    "name", ["jiqun.inputoutput.analysis", "jiqun.inputoutput.table", "jiqun.inputoutput.sectors"]
)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    res = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0
    assert res.failed == 0, f"{res.failed} of {res.attempted} examples failed in {name}"
