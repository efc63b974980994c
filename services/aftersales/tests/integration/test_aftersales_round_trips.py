"""What aftersales' busiest handler costs the database: an order's first event,
`OrderCreated`, is stored in one write with no read before it; the same event again reads
the order and changes nothing; an `OrderConfirmed` that came first is kept."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from aftersales.bootstrap import bootstrap
from aftersales.service_layer.events import AftersalesEventHandlers
from testkit import clock as run_clock
from testkit.factories import BUYER, an_order_confirmed, an_order_created
from testkit.round_trips import CountedEvents, counted_events, delivered

pytestmark = pytest.mark.integration

Counted = CountedEvents[AftersalesEventHandlers]


@pytest.fixture
async def wired(mongo_url: str, db_prefix: str) -> AsyncIterator[Counted]:
    async with counted_events(mongo_url, db_prefix, "aftersales", bootstrap) as counting:
        yield counting


async def test_an_order_created_costs_one_write_and_a_duplicate_no_change(wired: Counted) -> None:
    events, recorder = wired.events, wired.recorder
    orders = events.orders.repository
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    envelope, payload = delivered(
        an_order_created(order_id=order_id, at=run_clock.now()), producer="orders"
    )

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


async def test_an_order_created_after_its_confirmation_is_applied_to_it(wired: Counted) -> None:
    events = wired.events
    orders = events.orders.repository
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    confirmed = an_order_confirmed(order_id=order_id, at=run_clock.now())
    created = an_order_created(order_id=order_id, at=run_clock.now())
    await events.order_confirmed(*delivered(confirmed, producer="orders"))
    await events.order_created(*delivered(created, producer="orders"))
    facts = await orders.get(order_id)
    assert facts is not None
    assert facts.confirmed_at is not None  # the late OrderCreated kept the confirmation
    assert facts.buyer_id == BUYER
