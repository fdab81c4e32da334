"""Bilingual label tables of the services, kept as data in ``services/data/labels.yaml``.

Tables that only name things in Chinese and English (account roles, the diagnosis report's
tables, columns and basis fields) live in one YAML file, read once per process, instead of as
long literals in the modules that use them; the modules keep their public names
(:data:`jiqun.services.accounts.ROLES`, :data:`jiqun.services.reports.COLUMN_LABELS`, …).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

__all__ = ["label_table"]


@functools.cache
def _labels() -> dict[str, Any]:
    raw = resources.files("jiqun.services").joinpath("data", "labels.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(raw)
    return data


def label_table(section: str) -> dict[str, Any]:
    """One table of the labels file, in the file's order (the file is read once).

    Parameters
    ----------
    section:
        The table's name in ``services/data/labels.yaml``: ``roles`` and ``report_columns``
        (key → ``[中文, English]``), ``report_tables`` (key → ``zh``, ``en``, ``about``),
        ``report_basis`` (key → ``"中文 English"``).

    Returns
    -------
    dict[str, Any]
        A new dictionary of the entries as the file holds them (lists, mappings or text);
        the caller turns them into its own types.

    Raises
    ------
    KeyError
        For a table the file does not have.

    References
    ----------
    ``src/jiqun/services/data/labels.yaml``.

    Example
    -------
    >>> label_table("roles")["public"]
    ['公众', 'public']
    """
    return {str(k): v for k, v in _labels()[section].items()}
