"""Fixtures for the digital-transformation tests (questionnaires in digital_fixtures.py)."""

from __future__ import annotations

from typing import Any

import pytest
from digital_fixtures import all_max, all_min, mixed


@pytest.fixture
def answers_min() -> dict[str, Any]:
    return all_min()


@pytest.fixture
def answers_mixed() -> dict[str, Any]:
    return mixed()


@pytest.fixture
def answers_max() -> dict[str, Any]:
    return all_max()
