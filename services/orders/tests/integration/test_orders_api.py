"""Orders against the real engine and broker, in-process (R-ORD-1..3, R-CAT-1)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from orders.app import create
from orders.settings import OrdersSettings
from testkit.asgi import served
from testkit.bodies import an_address_json, an_order_request
from testkit.bus import put_on_sale
from testkit.tokens import bearer

pytestmark = pytest.mark.integration


orders = served(
    "orders", create, OrdersSettings, outbox_poll_seconds=0.1, deadline_poll_seconds=0.2
)


def a_merchant() -> str:
    return f"m-{uuid.uuid4().hex[:6]}"


async def test_order_is_priced_from_the_catalogue(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-ORD-1
    merchant = a_merchant()
    product_id = await put_on_sale(orders, amqp_url, merchant_id=merchant, price_minor=1250)
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
    product_id = await put_on_sale(orders, amqp_url, merchant_id=a_merchant())
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


async def test_idempotency_keys_are_each_buyers_own(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-ORD-1
    """Buyer `V` with key `a:b` and buyer `V:a` with key `b` once named the same order:
    the second buyer was answered the first one's, with its address and phone."""
    product_id = await put_on_sale(orders, amqp_url, merchant_id=a_merchant())
    buyer = f"b-{uuid.uuid4().hex[:6]}"
    mine = await orders.post(
        "/orders",
        headers={**bearer("buyer", buyer), "Idempotency-Key": "a:b"},
        json=an_order_request(product_id),
    )
    address = {**an_address_json(), "recipient": "Someone else", "phone": "+1 555 0100"}
    theirs = await orders.post(
        "/orders",
        headers={**bearer("buyer", f"{buyer}:a"), "Idempotency-Key": "b"},
        json=an_order_request(product_id, shipping_address=address),
    )
    assert (mine.status_code, theirs.status_code) == (201, 201), theirs.text
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["order_id"] != mine.json()["order_id"]
    assert (theirs.json()["buyer_id"], theirs.json()["shipping_address"]) == (
        f"{buyer}:a",
        address,
    )


async def test_a_product_on_two_lines_is_refused_naming_it(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-ORD-1
    """100 lines of one product at the 1000-unit cap of a line: refused, not 100,000 units."""
    product_id = await put_on_sale(orders, amqp_url, merchant_id=a_merchant())
    buyer = bearer("buyer", f"b-{uuid.uuid4().hex[:6]}")
    line = {"product_id": product_id, "quantity": 1000}
    response = await orders.post(
        "/orders", headers=buyer, json=an_order_request(product_id, items=[line] * 100)
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert f"Product {product_id} is on more than one line" in response.json()["detail"]
    assert (await orders.get("/orders", headers=buyer)).json()["items"] == []


async def test_pages_are_newest_first_and_lose_nothing_within_a_second(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:
    product_id = await put_on_sale(orders, amqp_url, merchant_id=a_merchant())
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
