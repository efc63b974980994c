"""Schemathesis against each service's OpenAPI, with a valid token of each role (issue #8):
no request, however odd, gets a 5xx, and every 4xx is an RFC 9457 problem."""

from __future__ import annotations

import os
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devkit.journey import cast
from testkit.platforms import StartPlatform

pytestmark = pytest.mark.e2e

#: Examples per operation and role: a few in `make test`, many in `make fuzz`.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))


def _check(operation: Any, base_url: str, headers: dict[str, str], seen: list[str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        response = case.call(base_url=base_url, headers=headers, timeout=10)
        where = f"{case.method} {case.formatted_path} → {response.status_code}"
        assert response.status_code < 500, where
        if response.status_code >= 400:
            kinds = response.headers.get("content-type") or [""]
            assert str(kinds[0]).startswith("application/problem+json"), where
        seen.append(where)

    run()


async def test_no_input_gets_a_server_error(start_platform: StartPlatform) -> None:
    running = start_platform()
    seen: list[str] = []
    async with httpx.AsyncClient(timeout=10) as client:
        actors = cast(running.urls, client)
        for url in running.urls.values():
            schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
            for result in schema.get_all_operations():
                operation = result.ok()  # type: ignore[union-attr]  # our schemas all load
                for actor in actors:
                    _check(operation, url, actor.headers, seen)
    assert len(seen) > 100
