"""Fixtures of review's integration tests: the service in-process on the real engine and
broker, an ear on the bus, and request builders.

Tests receive the helpers as fixtures (test modules cannot import each other or this file).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from devkit.wait import eventually
from review.app import create
from review.settings import ReviewSettings
from shared.contract import Envelope
from testkit.asgi import serve_in_process
from testkit.bodies import a_store_application
from testkit.settings import isolated
from testkit.tap import event_tap
from testkit.tokens import bearer

Apply = Callable[..., Awaitable[httpx.Response]]
Published = Callable[..., Awaitable[Envelope]]
ExpectProblem = Callable[[httpx.Response, int], dict[str, Any]]


@pytest.fixture
def store_application() -> Callable[..., dict[str, Any]]:
    """`store_application(store_type, **changes)`: a complete application body (R-REV-2)."""
    return a_store_application


@pytest.fixture
def review_settings(mongo_url: str, amqp_url: str, db_prefix: str) -> ReviewSettings:
    return isolated(ReviewSettings, mongo_url, amqp_url, db_prefix, outbox_poll_seconds=0.1)


@pytest.fixture
def review_app(review_settings: ReviewSettings) -> FastAPI:
    return create(review_settings)


@pytest.fixture
async def review(review_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_in_process(review_app) as client:
        yield client


@pytest.fixture
def apply() -> Apply:
    """`await apply(client, merchant, store_type, **changes)`: POST /stores."""

    async def post(
        client: httpx.AsyncClient, merchant: str, store_type: str = "full_managed", **changes: Any
    ) -> httpx.Response:
        body = a_store_application(store_type, **changes)
        return await client.post("/stores", headers=bearer("merchant", merchant), json=body)

    return post


@pytest.fixture
async def published(amqp_url: str) -> AsyncIterator[Published]:
    """`await published(event_type, **payload)`: the event once on the bus, or a timeout.

    A temporary exclusive queue bound to every event of `marketplace.events`, opened before
    the test acts, polled with a deadline (never a fixed sleep)."""
    async with event_tap(amqp_url) as tap:

        async def wait_for(event_type: str, **payload: Any) -> Envelope:
            async def probe() -> Envelope | None:
                return next(
                    (e for e in tap.of_type(event_type) if payload.items() <= e.payload.items()),
                    None,
                )

            return await eventually(probe, what=f"{event_type} {payload} on the bus")

        yield wait_for


def _expect_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body


@pytest.fixture
def expect_problem() -> ExpectProblem:
    """`expect_problem(response, status)`: an RFC 9457 problem of that status; its body."""
    return _expect_problem
