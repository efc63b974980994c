"""Orders against the real engine and broker, in-process (R-ORD-1..3, R-CAT-1)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from devkit.wait import eventually
from orders.app import create
from orders.settings import OrdersSettings
from testkit import clock as run_clock
from testkit.asgi import serve_in_process
from testkit.bodies import an_order_request
from testkit.bus import emit
from testkit.factories import a_product_approved, usd
from testkit.settings import isolated
from testkit.tokens import bearer

pytestmark = pytest.mark.integration


@pytest.fixture
async def orders(mongo_url: str, amqp_url: str, db_prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    polls = {"outbox_poll_seconds": 0.1, "deadline_poll_seconds": 0.2}
    settings = isolated(OrdersSettings, mongo_url, amqp_url, db_prefix, **polls)
    async with serve_in_process(create(settings)) as client:
        yield client


async def on_sale(
    orders: httpx.AsyncClient, amqp_url: str, *, merchant_id: str, price_minor: int = 1250
) -> str:
    """A product of `merchant_id` approved by review, once orders' catalogue shows it."""
    product_id = f"p-{uuid.uuid4().hex[:8]}"
    approved = a_product_approved(
        product_id=product_id,
        store_id=f"s-{merchant_id}",
        merchant_id=merchant_id,
        price=usd(price_minor),
        weight_grams=800,
        at=run_clock.now(),
    )
    await emit(amqp_url, approved, producer="review", correlation_id=product_id)

    async def shown() -> bool:
        return (await orders.get(f"/catalogue/{product_id}")).status_code == 200

    await eventually(shown, what="the approved product in the catalogue")
    return product_id


def a_merchant() -> str:
    return f"m-{uuid.uuid4().hex[:6]}"


async def test_order_is_priced_from_the_catalogue(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-ORD-1
    merchant = a_merchant()
    product_id = await on_sale(orders, amqp_url, merchant_id=merchant, price_minor=1250)
    response = await orders.post(
        "/orders", headers=bearer("buyer", "b-1"), json=an_order_request(product_id, quantity=2)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "awaiting_confirmation"
    assert body["total"] == {"amount_minor": 2500, "currency": "USD"}
    assert body["merchant_id"] == merchant


async def test_health_and_metrics(orders: httpx.AsyncClient) -> None:
    assert (await orders.get("/health/live")).json() == {"status": "live"}
    assert (await orders.get("/health/ready")).json() == {"status": "ready"}
    await orders.get("/catalogue")
    metrics = (await orders.get("/metrics")).text
    assert 'http_requests_total{method="GET",route="/catalogue",service="orders"' in metrics
    assert "outbox_backlog" in metrics


async def test_idempotency_key_gives_the_same_order(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-ORD-1
    product_id = await on_sale(orders, amqp_url, merchant_id=a_merchant())
    body = an_order_request(product_id, quantity=1)
    headers = {**bearer("buyer", "b-idem"), "Idempotency-Key": "key-1"}
    first = await orders.post("/orders", headers=headers, json=body)
    again = await orders.post("/orders", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["order_id"] == again.json()["order_id"]
    listed = (await orders.get("/orders", headers=bearer("buyer", "b-idem"))).json()
    assert [o["order_id"] for o in listed["items"]] == [first.json()["order_id"]]
    other = await orders.post("/orders", headers=headers, json=an_order_request(product_id, 2))
    assert other.status_code == 409


async def test_pages_are_newest_first_and_lose_nothing_within_a_second(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:
    product_id = await on_sale(orders, amqp_url, merchant_id=a_merchant())
    buyer = bearer("buyer", f"b-{uuid.uuid4().hex[:6]}")
    body = an_order_request(product_id)
    placed = [
        (await orders.post("/orders", headers=buyer, json=body)).json()["order_id"]
        for _ in range(5)
    ]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await orders.get("/orders", headers=buyer, params=params)).json()
        seen += [order["order_id"] for order in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(placed))
    bad = await orders.get("/orders", headers=buyer, params={"cursor": "%%%"})
    assert bad.status_code == 422
