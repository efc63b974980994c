"""What logistics' busiest handler costs the database: a confirmed order's
shipment is created in one write, with no read before it (its id comes from the order's);
the same event again is refused by that id and creates nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from logistics.adapters.queries import ShipmentQueries
from logistics.domain.model import Shipment
from logistics.domain.routes import DEFAULT_ROUTES
from logistics.domain.stores import StoreFacts
from logistics.service_layer.events import LogisticsEventHandlers
from shared.calendar import Calendars
from shared.clock import SystemClock
from shared.contract.events import OrderConfirmed, OrderLine
from shared.contract.types import Money, ShippingAddress
from shared.policy import Policy
from shared.replica import Replicas
from shared.repository import AggregateRepository
from testkit import clock as run_clock
from testkit.round_trips import RoundTrips, client, delivered

pytestmark = pytest.mark.integration

PRICE = Money(amount_minor=1_000, currency="USD")


@dataclass
class Wired:
    events: LogisticsEventHandlers
    shipments: AggregateRepository[Shipment]
    recorder: RoundTrips


@pytest.fixture
async def wired(mongo_url: str, db_prefix: str) -> AsyncIterator[Wired]:
    recorder = RoundTrips()
    mongo = client(mongo_url, recorder)
    database = mongo[f"{db_prefix}logistics"]
    shipments = AggregateRepository(database["shipments"], Shipment, producer="logistics")
    stores = AggregateRepository(database["stores"], StoreFacts, producer="logistics")
    events = LogisticsEventHandlers(
        shipments,
        ShipmentQueries(database["shipments"]),
        Replicas(stores, StoreFacts, SystemClock()),
        SystemClock(),
        Policy(),
        DEFAULT_ROUTES,
        Calendars(),
    )
    yield Wired(events, shipments, recorder)
    await mongo.close()


async def test_a_confirmed_order_costs_one_write_and_a_duplicate_nothing(wired: Wired) -> None:
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    event = OrderConfirmed(
        order_id=order_id, buyer_id="b-1", store_id="s-1", merchant_id="m-1",
        store_type="full_managed", confirmed_at=run_clock.now(), total=PRICE,
        shipping_address=ShippingAddress(recipient="Ana", phone="+1 212 555 0100",
                                         country="US", city="New York", line1="1 Main St",
                                         postal_code="10001"),
        items=[OrderLine(product_id="p-1", title="Tea set", category="home", quantity=1,
                         unit_price=PRICE, weight_grams=800)],
    )  # fmt: skip
    delivery = delivered(event, producer="orders")

    await wired.events.order_confirmed(*delivery)
    assert wired.recorder.take() == [("insert", "shipments")]

    await wired.events.order_confirmed(*delivery)
    assert wired.recorder.take() == [("insert", "shipments")]  # refused as a duplicate
    assert await wired.shipments.collection.count_documents({"order_id": order_id}) == 1
