"""What aftersales' busiest handler costs the database: an order's first event,
`OrderCreated`, is stored in one write with no read before it; the same event again reads
the order and changes nothing; an `OrderConfirmed` that came first is kept."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from aftersales.domain.facts import OrderFacts, StoreFacts
from aftersales.service_layer.events import AftersalesEventHandlers
from shared.clock import SystemClock
from shared.contract.events import OrderConfirmed, OrderCreated, OrderLine
from shared.contract.types import Money, ShippingAddress
from shared.replica import Replicas
from shared.repository import AggregateRepository
from testkit import clock as run_clock
from testkit.round_trips import RoundTrips, client, delivered

pytestmark = pytest.mark.integration

PRICE = Money(amount_minor=1_000, currency="USD")
LINE = OrderLine(product_id="p-1", title="Tea set", category="home", quantity=1,
                 unit_price=PRICE, weight_grams=800)  # fmt: skip
ADDRESS = ShippingAddress(recipient="Ana", phone="+34 600 000 000", country="ES",
                          city="Madrid", line1="Calle 1", postal_code="28001")  # fmt: skip


def created(order_id: str) -> OrderCreated:
    return OrderCreated(order_id=order_id, buyer_id="b-1", store_id="s-1", merchant_id="m-1",
                        store_type="full_managed", items=[LINE], total=PRICE,
                        shipping_address=ADDRESS, created_at=run_clock.now(),
                        confirm_by=run_clock.now())  # fmt: skip


def confirmed(order_id: str) -> OrderConfirmed:
    return OrderConfirmed(order_id=order_id, buyer_id="b-1", store_id="s-1", merchant_id="m-1",
                          store_type="full_managed", confirmed_at=run_clock.now(),
                          total=PRICE, shipping_address=ADDRESS, items=[LINE])  # fmt: skip


@dataclass
class Wired:
    events: AftersalesEventHandlers
    orders: AggregateRepository[OrderFacts]
    recorder: RoundTrips


@pytest.fixture
async def wired(mongo_url: str, db_prefix: str) -> AsyncIterator[Wired]:
    recorder = RoundTrips()
    mongo = client(mongo_url, recorder)
    database = mongo[f"{db_prefix}aftersales"]
    orders = AggregateRepository(database["orders"], OrderFacts, producer="aftersales")
    stores = AggregateRepository(database["stores"], StoreFacts, producer="aftersales")
    clock = SystemClock()
    events = AftersalesEventHandlers(
        Replicas(orders, OrderFacts, clock), Replicas(stores, StoreFacts, clock), clock
    )
    yield Wired(events, orders, recorder)
    await mongo.close()


async def test_an_order_created_costs_one_write_and_a_duplicate_no_change(wired: Wired) -> None:
    events, orders, recorder = wired.events, wired.orders, wired.recorder
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    envelope, payload = delivered(created(order_id), producer="orders")

    await events.order_created(envelope, payload)
    assert recorder.take() == [("insert", "orders")]

    stored = await orders.get(order_id)
    recorder.take()
    await events.order_created(envelope, payload)  # the same event again
    assert recorder.take() == [("insert", "orders"), ("find", "orders")]  # refused, then read
    again = await orders.get(order_id)
    assert stored is not None
    assert again is not None
    assert again.version == stored.version  # nothing written the second time


async def test_an_order_created_after_its_confirmation_is_applied_to_it(wired: Wired) -> None:
    events, orders = wired.events, wired.orders
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    await events.order_confirmed(*delivered(confirmed(order_id), producer="orders"))
    await events.order_created(*delivered(created(order_id), producer="orders"))
    facts = await orders.get(order_id)
    assert facts is not None
    assert facts.confirmed_at is not None  # the late OrderCreated kept the confirmation
    assert facts.buyer_id == "b-1"
