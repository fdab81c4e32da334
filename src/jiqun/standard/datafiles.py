"""Data files of Jiqun's packages (``jiqun/<package>/data/*.yaml``), read once.

Label tables (an id → its Chinese and English names) and lists of accepted spellings are data,
not code: they live in YAML files in a ``data`` folder of the package that uses them, so that a
new label is one line of data and every table is read by the same loader. The files ship inside
the wheel (the whole ``src/jiqun`` folder is the wheel's package, see ``pyproject.toml``) and are
read through :mod:`importlib.resources`, so they work from an installed package.

Example
-------
>>> section("labels.yaml", "region_levels")["county"]
('县级', 'county')
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["load_yaml", "section"]


@cache
def load_yaml(name: str, package: str = "jiqun.standard") -> dict[str, Any]:
    """One file of ``<package>/data/`` as PyYAML loads it (mapping order kept).

    Parameters
    ----------
    name:
        File name, e.g. ``"labels.yaml"``.
    package:
        The package whose ``data`` folder holds the file.

    Returns
    -------
    dict
        The file's top-level mapping (cached: do not modify it).

    Raises
    ------
    ValueError
        When the file is not a mapping at the top level.

    Example
    -------
    >>> sorted(load_yaml("labels.yaml"))[:2]
    ['carrier_levels', 'carrier_types']
    """
    text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise ValueError(f"{package}/data/{name}: expected a mapping")
    return doc


def section(name: str, key: str, package: str = "jiqun.standard") -> Any:
    """One section of a data file as a module constant, in file order: a list becomes a tuple,
    a mapping a new dict whose list values become tuples (``id: [中文, English]`` → a pair).

    Parameters
    ----------
    name:
        File name in ``<package>/data/``.
    key:
        The section's key in the file.
    package:
        The package whose ``data`` folder holds the file.

    Returns
    -------
    tuple or dict
        A new object (safe to keep as a module constant; the caller annotates its type).

    Example
    -------
    >>> section("labels.yaml", "tiers")["national"]
    ('国家级', 'national')
    >>> section("wide.yaml", "nation_names")[0]
    '全国'
    """
    value = load_yaml(name, package)[key]
    if isinstance(value, list):
        return tuple(value)
    return {k: tuple(v) if isinstance(v, list) else v for k, v in value.items()}
