"""Property-based API tests with schemathesis against the served OpenAPI document.

For the public role and with an admin bearer token, every operation of
``/api/v1/openapi.json`` gets a few generated requests (derandomised; valid and invalid
inputs): no answer may be a server error, and every answer must match the documented status
codes, content types and response schemas. The tests run on this module's own copy of the
database, so the operations that change data (grants, users, imports) may run too.

Schemathesis' pytest integration (``schemathesis.pytest.from_fixture``) does not work with the
pytest of this project, so each operation's Hypothesis strategy is driven directly.
"""

from __future__ import annotations

import os
import time
import traceback
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: examples per operation and mode; JIQUN_SCHEMATHESIS_SCALE=10 for a deeper local run
_SCALE = int(os.environ.get("JIQUN_SCHEMATHESIS_SCALE", "1"))
EXAMPLES = {GenerationMode.POSITIVE: 5 * _SCALE, GenerationMode.NEGATIVE: 3 * _SCALE}


def _run_all(world: Any, headers: dict[str, str]) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.app)
    failures: list[str] = []
    timings: dict[str, float] = {}
    n_ops = 0
    for result in schema.get_all_operations():
        op = result.ok()
        n_ops += 1
        for mode, n in EXAMPLES.items():

            @settings(
                max_examples=n,
                derandomize=True,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=op.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                case.call_and_validate(headers=headers, checks=CHECKS)

            t0 = time.perf_counter()
            try:
                run()
            except Unsatisfiable:
                pass  # no invalid request exists for this operation (e.g. no parameters)
            except Exception as e:
                detail = "".join(traceback.format_exception_only(type(e), e))[:3000]
                failures.append(f"{op.label} [{mode.value}]: {detail}")
            timings[f"{op.label} [{mode.value}]"] = time.perf_counter() - t0
    assert n_ops >= 20
    slow = sorted(timings.items(), key=lambda kv: -kv[1])[:8]
    print("slowest:", ", ".join(f"{k} {v:.1f}s" for k, v in slow))
    return failures


@pytest.mark.slow
def test_public(world: Any) -> None:
    failures = _run_all(world, {})
    assert not failures, "\n\n".join(failures)


@pytest.mark.slow
def test_admin(world: Any) -> None:
    failures = _run_all(world, world.auth("admin"))
    assert not failures, "\n\n".join(failures)
