"""Schemathesis against each service's OpenAPI, with a valid token of each role:
no request, however odd, gets a 5xx, and every 4xx is an RFC 9457 problem."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from devkit.journey import Actor, cast
from devkit.platform import DEFAULT_PORTS, UNLIMITED_WRITES
from review.adapters.documents import BUCKET as DOCUMENT_BYTES
from shared.mongo import connect
from shared.ratelimit import COLLECTION as RATE_LIMITS
from testkit.platforms import StartPlatform

pytestmark = pytest.mark.e2e

#: Examples per operation and role: a few in `make test`, many in `make fuzz`.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
#: Schema-violating requests per mutating operation and role.
NEGATIVE_EXAMPLES = max(EXAMPLES // 2, 3)


def _check(operation: Any, base_url: str, headers: dict[str, str], seen: list[str]) -> None:
    @settings(
        max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
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
    running = start_platform(**UNLIMITED_WRITES)
    seen: list[str] = []
    async with httpx.AsyncClient(timeout=10) as client:
        for url, operation, actors in _operations(running.urls, client):
            for actor in actors:
                _check(operation, url, actor.headers, seen)
    assert len(seen) > 100


def _operations(
    urls: dict[str, str], client: httpx.AsyncClient
) -> Iterator[tuple[str, Any, tuple[Actor, ...]]]:
    """Every operation of every service's OpenAPI, with its base URL and every actor."""
    actors = cast(urls, client)
    for url in urls.values():
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        for result in schema.get_all_operations():
            yield url, result.ok(), actors  # type: ignore[union-attr]  # our schemas all load


async def _fingerprint(mongo: Any, prefix: str) -> dict[str, list[tuple[str, Any]]]:
    """Every document of the services' databases, by id and version (but the write limits'
    counters, which count every write a client tries, refused or not, and uploaded
    documents' bytes, which the engine's GridFS tables do not give to a plain query)."""
    state: dict[str, list[tuple[str, Any]]] = {}
    for service in DEFAULT_PORTS:
        database = mongo[f"{prefix}{service}"]
        for name in sorted(set(await database.list_collection_names()) - {RATE_LIMITS}):
            if name.startswith(DOCUMENT_BYTES):
                continue  # uploaded bytes (GridFS): their facts are in `documents`
            documents = await database[name].find({}, {"version": 1}).to_list()
            state[f"{service}.{name}"] = sorted(
                (str(d["_id"]), d.get("version")) for d in documents
            )
    return state


@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
async def test_a_refused_request_changes_nothing(start_platform: StartPlatform) -> None:
    running = start_platform(**UNLIMITED_WRITES)
    mongo = connect(running.mongo_url, app_name="fuzz")
    refused = 0
    async with httpx.AsyncClient(timeout=10) as client:
        for url, operation, actors in _operations(running.urls, client):
            if operation.method.upper() not in ("POST", "PUT"):
                continue
            strategy = operation.as_strategy(GenerationMode.NEGATIVE)
            for actor in actors:
                for _ in range(NEGATIVE_EXAMPLES):
                    try:
                        case = strategy.example()
                    except Unsatisfiable:
                        break  # nothing in this operation can violate its schema
                    before = await _fingerprint(mongo, running.db_prefix)
                    response = await asyncio.to_thread(
                        case.call, base_url=url, headers=actor.headers, timeout=10
                    )
                    if 400 <= response.status_code < 500:
                        refused += 1
                        after = await _fingerprint(mongo, running.db_prefix)
                        where = f"{case.method} {case.formatted_path}"
                        assert after == before, f"{where} was refused and changed data"
    await mongo.close()
    assert refused > 50
