"""What logistics' busiest handler costs the database: a confirmed order's
shipment is created in one write, with no read before it (its id comes from the order's);
the same event again is refused by that id and creates nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from logistics.bootstrap import bootstrap
from logistics.domain.model import Shipment
from logistics.service_layer.events import LogisticsEventHandlers
from shared.repository import AggregateRepository
from testkit import clock as run_clock
from testkit.factories import a_line, a_us_address, an_order_confirmed
from testkit.round_trips import RoundTrips, counted_service, delivered

pytestmark = pytest.mark.integration


@dataclass
class Counted:
    events: LogisticsEventHandlers
    shipments: AggregateRepository[Shipment]
    recorder: RoundTrips


@pytest.fixture
async def wired(mongo_url: str, db_prefix: str) -> AsyncIterator[Counted]:
    async with counted_service(mongo_url, db_prefix, "logistics", bootstrap) as counting:
        services, recorder = counting
        yield Counted(services.events, services.events.shipments, recorder)


async def test_a_confirmed_order_costs_one_write_and_a_duplicate_nothing(wired: Counted) -> None:
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    event = an_order_confirmed(
        order_id=order_id,
        shipping_address=a_us_address(),
        lines=[a_line(weight_grams=800)],
        at=run_clock.now(),
    )
    delivery = delivered(event, producer="orders")

    await wired.events.order_confirmed(*delivery)
    assert wired.recorder.take() == [("insert", "shipments")]

    await wired.events.order_confirmed(*delivery)
    assert wired.recorder.take() == [("insert", "shipments")]  # refused as a duplicate
    assert await wired.shipments.collection.count_documents({"order_id": order_id}) == 1
