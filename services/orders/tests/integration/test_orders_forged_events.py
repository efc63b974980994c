"""Forged events through the real broker and engine: orders' handlers refuse what cannot
be true, the consumer parks it in the dead-letter queue with why (`x-error`), at once if
it can never become true (`Implausible`), after its attempts if what it needs may still
come (`NotYetKnown`); and nothing the event said is taken."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest

from orders.app import create
from orders.settings import OrdersSettings
from testkit import clock as run_clock
from testkit.asgi import served
from testkit.bodies import an_order_request
from testkit.bus import emit, parked, put_on_sale
from testkit.factories import a_product_approved, a_refund_issued, usd
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

OPERATOR = bearer("operator", "op-1")
ATTEMPTS = 2


orders = served(
    "orders", create, OrdersSettings, outbox_poll_seconds=0.1, max_delivery_attempts=ATTEMPTS
)


async def test_a_forged_refund_above_the_total_is_parked_at_once_and_changes_nothing(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    product_id = await put_on_sale(orders, amqp_url, merchant_id=merchant)
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
    product_id = await put_on_sale(orders, amqp_url, merchant_id=merchant)
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
