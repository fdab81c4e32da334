"""The data files of the standard (``jiqun/standard/data/*.yaml``), read once.

Label tables (an id → its Chinese and English names) and lists of accepted spellings are data,
not code: they live in YAML files next to this module so that a new label is one line of data
and so that every table is read by the same loader. The files ship inside the wheel (the whole
``src/jiqun`` folder is the wheel's package, see ``pyproject.toml``) and are read through
:mod:`importlib.resources`, so they work from an installed package.

Example
-------
>>> labels("labels.yaml", "region_levels")["county"]
('县级', 'county')
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["aliases", "labels", "load_yaml", "words"]


@cache
def load_yaml(name: str) -> dict[str, Any]:
    """One file of ``jiqun/standard/data/`` as PyYAML loads it (mapping order kept).

    Parameters
    ----------
    name:
        File name, e.g. ``"labels.yaml"``.

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
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    doc = yaml.safe_load(text)
    if not isinstance(doc, dict):
        raise ValueError(f"jiqun/standard/data/{name}: expected a mapping")
    return doc


def labels(name: str, section: str) -> dict[str, tuple[str, str]]:
    """A label table of a data file: id → a pair, (中文, English) for labels, in file order.

    Parameters
    ----------
    name:
        File name in ``jiqun/standard/data/``.
    section:
        The table's key in the file (a mapping of id to a list of two items).

    Returns
    -------
    dict
        A new dict (safe to keep as a module constant).

    Raises
    ------
    ValueError
        When an entry is not a list of two items.

    Example
    -------
    >>> labels("labels.yaml", "tiers")["national"]
    ('国家级', 'national')
    """
    out: dict[str, tuple[str, str]] = {}
    for k, v in load_yaml(name)[section].items():
        if not isinstance(v, list) or len(v) != 2:
            raise ValueError(f"jiqun/standard/data/{name}: {section}.{k} is not a pair [a, b]")
        out[str(k)] = (str(v[0]), str(v[1]))
    return out


def aliases(name: str, section: str) -> dict[str, str]:
    """A table of further spellings of a data file: spelling → canonical id, in file order.

    Parameters
    ----------
    name:
        File name in ``jiqun/standard/data/``.
    section:
        The table's key in the file.

    Returns
    -------
    dict
        A new dict (safe to keep as a module constant).

    Example
    -------
    >>> aliases("labels.yaml", "tag_aliases")["小巨人"]
    'little_giant'
    """
    return {str(k): str(v) for k, v in load_yaml(name)[section].items()}


def words(name: str, section: str) -> tuple[str, ...]:
    """A list of spellings of a data file as a tuple, in file order.

    Parameters
    ----------
    name:
        File name in ``jiqun/standard/data/``.
    section:
        The list's key in the file.

    Returns
    -------
    tuple of str

    Example
    -------
    >>> words("wide.yaml", "nation_names")[0]
    '全国'
    """
    return tuple(str(w) for w in load_yaml(name)[section])
