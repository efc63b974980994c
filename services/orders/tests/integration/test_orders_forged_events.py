"""Forged events through the real broker and engine: orders' handlers refuse what cannot
be true, the consumer parks it in the dead-letter queue with why (`x-error`), at once if
it can never become true (`Implausible`), after its attempts if what it needs may still
come (`NotYetKnown`); and nothing the event said is taken."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from devkit.wait import eventually
from orders.app import create
from orders.settings import OrdersSettings
from testkit import clock as run_clock
from testkit.asgi import serve_in_process
from testkit.bodies import an_order_request
from testkit.bus import emit, emit_product_on_sale, parked
from testkit.factories import a_product_approved, a_refund_issued, usd
from testkit.settings import isolated
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

OPERATOR = bearer("operator", "op-1")
ATTEMPTS = 2


@pytest.fixture
async def orders(mongo_url: str, amqp_url: str, db_prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    tuned = {"outbox_poll_seconds": 0.1, "max_delivery_attempts": ATTEMPTS}
    settings = isolated(OrdersSettings, mongo_url, amqp_url, db_prefix, **tuned)
    async with serve_in_process(create(settings)) as client:
        yield client


async def on_sale(orders: httpx.AsyncClient, amqp_url: str, merchant: str) -> str:
    """A product of `merchant`'s store at 12.50 USD, approved by review, once on sale."""
    product_id = f"p-{uuid.uuid4().hex[:8]}"
    approved = a_product_approved(
        product_id=product_id,
        store_id=f"s-{merchant}",
        merchant_id=merchant,
        price=usd(1250),
        at=run_clock.now(),
    )
    await emit_product_on_sale(amqp_url, approved)

    async def shown() -> bool:
        return (await orders.get(f"/catalogue/{product_id}")).status_code == 200

    await eventually(shown, what="the approved product in the catalogue")
    return product_id


async def test_a_forged_refund_above_the_total_is_parked_at_once_and_changes_nothing(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    product_id = await on_sale(orders, amqp_url, merchant)
    buyer = bearer("buyer", f"b-{uuid.uuid4().hex[:6]}")
    placed = await orders.post("/orders", headers=buyer, json=an_order_request(product_id))
    order_id = placed.json()["order_id"]
    confirm = await orders.post(f"/orders/{order_id}/confirm", headers=bearer("merchant", merchant))
    assert confirm.status_code == 200, confirm.text
    before = (await orders.get(f"/orders/{order_id}", headers=OPERATOR)).json()

    forged = a_refund_issued(order_id=order_id, amount=usd(10**12), at=run_clock.now())
    envelope = await emit(amqp_url, forged, producer="aftersales", correlation_id=order_id)

    headers = await parked(amqp_url, "orders", envelope)
    assert (headers["x-error-type"], headers["x-attempts"]) == ("Implausible", 1)
    assert "above what is left refundable: 1250 of its total 1250 USD" in headers["x-error"]
    after = (await orders.get(f"/orders/{order_id}", headers=OPERATOR)).json()
    del before["process"], after["process"]  # what it waits for now moves with the clock
    assert after == before
    assert (after["status"], after["refunded"]) == ("confirmed", None)


async def test_a_forged_repricing_dated_ahead_is_parked_at_once_and_the_price_stays(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    product_id = await on_sale(orders, amqp_url, merchant)
    ahead = run_clock.now() + timedelta(days=365)
    forged = a_product_approved(
        product_id=product_id,
        store_id=f"s-{merchant}",
        merchant_id=merchant,
        price=usd(1),
        at=ahead,
    )
    envelope = await emit(
        amqp_url, forged, producer="review", correlation_id=product_id, occurred_at=ahead
    )

    headers = await parked(amqp_url, "orders", envelope)
    assert (headers["x-error-type"], headers["x-attempts"]) == ("Implausible", 1)
    assert "dated ahead of this service's clock" in headers["x-error"]
    shown = (await orders.get(f"/catalogue/{product_id}")).json()
    assert shown["price"] == {"amount_minor": 1250, "currency": "USD"}


async def test_a_product_of_a_store_never_approved_is_parked_after_its_attempts(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-REV-8
    product_id = f"p-{uuid.uuid4().hex[:8]}"
    forged = a_product_approved(product_id=product_id, store_id="s-nobody", at=run_clock.now())
    envelope = await emit(amqp_url, forged, producer="review", correlation_id=product_id)

    headers = await parked(amqp_url, "orders", envelope)
    assert (headers["x-error-type"], headers["x-attempts"]) == ("NotYetKnown", ATTEMPTS)
    assert "s-nobody, which orders has not seen approved" in headers["x-error"]
    assert (await orders.get(f"/catalogue/{product_id}")).status_code == 404
