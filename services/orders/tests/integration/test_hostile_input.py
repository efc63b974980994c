"""Hostile input is refused cleanly: a 4xx problem, never a 500, nothing stored."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from orders.app import create
from orders.settings import OrdersSettings
from testkit.asgi import serve_in_process
from testkit.settings import isolated
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

BUYER = bearer("buyer", "b-hostile")
PROBLEM = "application/problem+json"


@pytest.fixture
async def orders(mongo_url: str, amqp_url: str, db_prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = isolated(OrdersSettings, mongo_url, amqp_url, db_prefix)
    async with serve_in_process(create(settings)) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "application/json", 400, id="very deep JSON"),
        pytest.param(b"[" * 5_000 + b"]" * 5_000, "application/json", 400, id="deep JSON"),
        pytest.param(
            b'{"items": [' + b'{"product_id": "p", "quantity": 1},' * 60_000 + b"]}",
            "application/json",
            413,
            id="oversized body",
        ),
        pytest.param(b'{"items": []}', "text/plain", 415, id="wrong content type"),
        pytest.param(b"\xff\xfe\x00", "application/json", 400, id="not UTF-8"),
    ],
)
async def test_hostile_bodies_are_refused_cleanly(
    orders: httpx.AsyncClient, body: bytes, content_type: str, status: int
) -> None:
    response = await orders.post(
        "/orders", headers={**BUYER, "content-type": content_type}, content=body
    )
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"]
    listed = (await orders.get("/orders", headers=BUYER)).json()
    assert listed["items"] == []


async def test_huge_pagination_limits_and_unknown_fields_are_refused(
    orders: httpx.AsyncClient,
) -> None:
    assert (await orders.get("/orders?limit=100000", headers=BUYER)).status_code == 422
    unknown = await orders.post(
        "/orders",
        headers=BUYER,
        json={"items": [{"product_id": "p", "quantity": 1}], "shipping_address": {}, "admin": True},
    )
    assert unknown.status_code == 422
    assert any(error["loc"][-1] == "admin" for error in unknown.json()["errors"])


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("from=2026-12-05&to=2026-12-01", "before"),
        ("from=2025-01-01&to=2026-12-31", "at most 366 days"),
        ("from=yesterday", "from"),
        ("to=2026-13-01", "to"),
    ],
)
async def test_a_scorecard_of_bad_dates_is_a_problem_saying_which(
    orders: httpx.AsyncClient, query: str, says: str
) -> None:  # R-SC-1
    merchant = bearer("merchant", "m-hostile")
    response = await orders.get(f"/merchants/m-hostile/scorecard?{query}", headers=merchant)
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM)
    assert says in response.text


async def test_nobody_reads_another_merchants_scorecard(orders: httpx.AsyncClient) -> None:
    for token in (bearer("merchant", "m-other"), BUYER):
        response = await orders.get("/merchants/m-hostile/scorecard", headers=token)
        assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM)
    operator = await orders.get("/merchants/m-hostile/scorecard", headers=bearer("operator", "o"))
    assert operator.json()["stores"] == []
