"""What logistics' busiest handler costs the database: a confirmed order's
shipment is created in one write, after one read, of its store (a shipment is planned only
for an order of a store logistics knows approved), and no read of shipments (its id comes
from the order's); the same event again is refused by that id and creates nothing."""

from __future__ import annotations

import uuid

import pytest

from logistics.bootstrap import bootstrap
from testkit import clock as run_clock
from testkit.factories import a_line, a_store_approved, a_us_address, an_order_confirmed
from testkit.round_trips import counted_events, delivered

pytestmark = pytest.mark.integration


async def test_a_confirmed_order_costs_one_write_and_a_duplicate_nothing(
    mongo_url: str, db_prefix: str
) -> None:
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    event = an_order_confirmed(
        order_id=order_id,
        shipping_address=a_us_address(),
        lines=[a_line(weight_grams=800)],
        at=run_clock.now(),
    )
    delivery = delivered(event, producer="orders")
    store = a_store_approved(store_id=event.store_id, at=run_clock.now())
    async with counted_events(mongo_url, db_prefix, "logistics", bootstrap) as wired:
        await wired.events.store_approved(*delivered(store, producer="review"))
        wired.recorder.take()
        await wired.events.order_confirmed(*delivery)
        assert wired.recorder.take() == [("find", "stores"), ("insert", "shipments")]

        await wired.events.order_confirmed(*delivery)
        # Refused as a duplicate.
        assert wired.recorder.take() == [("find", "stores"), ("insert", "shipments")]
        assert await wired.events.shipments.collection.count_documents({"order_id": order_id}) == 1
