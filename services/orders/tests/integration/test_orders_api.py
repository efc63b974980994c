"""Orders against the real engine and broker, in-process (R-ORD-1..3, R-CAT-1)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from devkit.wait import eventually
from orders.app import create
from orders.settings import OrdersSettings
from shared.contract import record_event
from shared.contract.events import ProductApproved
from shared.contract.types import Money
from testkit.asgi import serve_in_process
from testkit.bus import publish
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

ADDRESS = {
    "recipient": "Ana",
    "phone": "+34 600 000 000",
    "country": "ES",
    "city": "Madrid",
    "line1": "Calle 1",
    "postal_code": "28001",
}


@pytest.fixture
async def orders(mongo_url: str, amqp_url: str, db_prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = OrdersSettings(
        mongo_url=mongo_url,
        amqp_url=amqp_url,
        mongo_database_prefix=db_prefix,
        outbox_poll_seconds=0.1,
        deadline_poll_seconds=0.2,
    )
    async with serve_in_process(create(settings)) as client:
        yield client


async def approve_product(amqp_url: str, *, merchant_id: str, price_minor: int = 1250) -> str:
    product_id = f"p-{uuid.uuid4().hex[:8]}"
    event = ProductApproved(
        product_id=product_id,
        store_id=f"s-{merchant_id}",
        merchant_id=merchant_id,
        store_type="full_managed",
        title="Tea set",
        description="Porcelain",
        category="home",
        images=["https://img.example/tea.png"],
        price=Money(amount_minor=price_minor, currency="USD"),
        weight_grams=800,
        approved_at=datetime.now(UTC),
    )
    await publish(
        amqp_url,
        record_event(
            event, producer="review", correlation_id=product_id, occurred_at=datetime.now(UTC)
        ),
    )
    return product_id


async def test_order_is_priced_from_the_catalogue(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-ORD-1
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    product_id = await approve_product(amqp_url, merchant_id=merchant)

    async def on_sale() -> bool:
        return (await orders.get(f"/catalogue/{product_id}")).status_code == 200

    await eventually(on_sale, what="the approved product in the catalogue")
    response = await orders.post(
        "/orders",
        headers=bearer("buyer", "b-1"),
        json={"items": [{"product_id": product_id, "quantity": 2}], "shipping_address": ADDRESS},
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
    product_id = await approve_product(amqp_url, merchant_id=f"m-{uuid.uuid4().hex[:6]}")

    async def on_sale() -> bool:
        return (await orders.get(f"/catalogue/{product_id}")).status_code == 200

    await eventually(on_sale, what="the approved product in the catalogue")
    body = {"items": [{"product_id": product_id, "quantity": 1}], "shipping_address": ADDRESS}
    headers = {**bearer("buyer", "b-idem"), "Idempotency-Key": "key-1"}
    first = await orders.post("/orders", headers=headers, json=body)
    again = await orders.post("/orders", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["order_id"] == again.json()["order_id"]
    listed = (await orders.get("/orders", headers=bearer("buyer", "b-idem"))).json()
    assert [o["order_id"] for o in listed["items"]] == [first.json()["order_id"]]
    other = await orders.post(
        "/orders",
        headers=headers,
        json={**body, "items": [{"product_id": product_id, "quantity": 2}]},
    )
    assert other.status_code == 409


async def test_pages_are_newest_first_and_lose_nothing_within_a_second(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:
    product_id = await approve_product(amqp_url, merchant_id=f"m-{uuid.uuid4().hex[:6]}")

    async def on_sale() -> bool:
        return (await orders.get(f"/catalogue/{product_id}")).status_code == 200

    await eventually(on_sale, what="the approved product in the catalogue")
    buyer = bearer("buyer", f"b-{uuid.uuid4().hex[:6]}")
    body = {"items": [{"product_id": product_id, "quantity": 1}], "shipping_address": ADDRESS}
    placed = [(await orders.post("/orders", headers=buyer, json=body)).json()["order_id"]
              for _ in range(5)]  # fmt: skip
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = (await orders.get("/orders", headers=buyer,
                                 params={"limit": 2, **({"cursor": cursor} if cursor else {})})
                ).json()  # fmt: skip
        seen += [order["order_id"] for order in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(placed))
    bad = await orders.get("/orders", headers=buyer, params={"cursor": "%%%"})
    assert bad.status_code == 422
