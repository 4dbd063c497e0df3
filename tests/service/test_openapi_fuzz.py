"""Schemathesis against the OpenAPI description: no input makes the API answer 5xx.

One test per operation of the description (so a new route is fuzzed without being listed), on a
fresh world, with an ``admin`` key so that generated requests reach the routes' code rather than
stopping at 401. The run is bounded (``MAX_EXAMPLES`` per operation, derandomized) so that CI
stays well under its time budget.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from gardien.service import Scope
from tests.service.world import ROUTE_TABLE, World

MAX_EXAMPLES = 25
OPERATIONS = sorted(
    (r.method, r.path)
    for r in ROUTE_TABLE
    if r.path.startswith(("/api/", "/banner")) and r.method != "OPTIONS"
)


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_input_makes_a_server_error(world: World, method: str, path: str) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    operation = schema[path][method]
    admin = world.headers(Scope.ADMIN)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def fuzz(case: schemathesis.Case) -> None:
        response = case.call(headers=admin)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
        )
        if response.status_code >= 400 and response.headers.get("content-type", [""])[0].startswith(
            "application/json"
        ):
            assert set(response.json()["error"]) == {"code", "message", "details"}

    fuzz()
