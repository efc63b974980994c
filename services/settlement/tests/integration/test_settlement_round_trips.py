"""What settlement's handlers cost the database: an order's first event, `OrderCreated`,
is stored with no read before it; a delivery writes the order, its earning (R-SET-1) and
its release's plan (R-SET-2) once each; the same event again writes no order and no entry
(an event is taken once, by its id; an entry posted once, R-SET-5): the ledger is checked
again and the release's plan written as it was."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from settlement.bootstrap import bootstrap
from settlement.service_layer.events import SettlementEventHandlers as Handlers
from testkit import clock as run_clock
from testkit.factories import a_delivered, a_shipped, an_order_confirmed, an_order_created
from testkit.round_trips import CountedEvents, counted_events, delivered

pytestmark = pytest.mark.integration

#: Settling an order again after its state was read: the order, then its entries.
#: Bringing the ledger up to date: the order's entries (the order is the one just stored).
SETTLE = [("find", "entries")]


@pytest.fixture
async def wired(mongo_url: str, db_prefix: str) -> AsyncIterator[CountedEvents[Handlers]]:
    """Settlement's handlers as its bootstrap wires them, on the engine, and their costs."""
    counting = counted_events(mongo_url, db_prefix, "settlement", bootstrap)
    async with counting as found:
        yield found


async def test_an_order_created_is_stored_with_no_read_first_and_once(
    wired: CountedEvents[Handlers],
) -> None:
    events, recorder = wired.events, wired.recorder
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    created = delivered(an_order_created(order_id=order_id, at=run_clock.now()), producer="orders")

    await events.order_created(*created)
    # No money before the confirmation (R-ORD-2): no entry to read, no release to clear.
    assert recorder.take() == [("insert", "orders")]
    await events.order_created(*created)  # the same event again: refused, then read
    assert recorder.take() == [("insert", "orders"), ("find", "orders")]


async def test_a_delivery_posts_its_earning_and_plans_its_release_once(
    wired: CountedEvents[Handlers],
) -> None:
    events, recorder = wired.events, wired.recorder
    order_id = f"o-{uuid.uuid4().hex[:8]}"
    now = run_clock.now()
    await events.order_created(
        *delivered(an_order_created(order_id=order_id, at=now), producer="orders")
    )
    for fact, producer in (
        (an_order_confirmed(order_id=order_id, at=now), "orders"),
        (a_shipped(order_id=order_id, at=now), "logistics"),
    ):
        await events.order_fact(*delivered(fact, producer=producer))
    recorder.take()

    arrived = delivered(a_delivered(order_id=order_id, at=now), producer="logistics")
    await events.order_fact(*arrived)
    taken = [("find", "orders"), ("update", "orders")]
    assert recorder.take() == [*taken, *SETTLE, ("insert", "entries"), ("update", "releases")]
    await events.order_fact(*arrived)  # the same event again: no order, no entry written
    assert recorder.take() == [("find", "orders"), *SETTLE, ("update", "releases")]
    order = await events.orders.get(order_id)
    assert order is not None
    assert order.delivered_at is not None
    assert len(await events.ledger.entries.of_order(order_id)) == 2  # collection, earning
