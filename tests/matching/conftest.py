"""Fixtures of the matching tests: the toy chain template and an index builder."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest
from match_population import BUYER, CLUSTER_REGIONS, firm, toy_doc

from jiqun.chains import ChainTemplate, template_from_dict
from jiqun.matching import MatchIndex, build_index


@pytest.fixture
def toy_template() -> ChainTemplate:
    return template_from_dict(toy_doc(), "toy_robots.yaml")


@pytest.fixture
def make_index(toy_template: ChainTemplate) -> Callable[..., MatchIndex]:
    """Build an index from firm dicts (templates: none unless ``with_template``)."""

    def _make(
        rows: list[dict[str, Any]],
        capabilities: list[dict[str, Any]] | None = None,
        *,
        with_template: bool = False,
    ) -> MatchIndex:
        buyer = firm(BUYER, "320505", "3491", "工业机器人的生产")
        return build_index(
            pd.DataFrame([buyer, *rows]),
            pd.DataFrame(capabilities) if capabilities else None,
            cluster_regions=CLUSTER_REGIONS,
            templates={toy_template.id: toy_template} if with_template else {},
        )

    return _make
