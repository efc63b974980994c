"""Every order ends (R-ORD-5): what orders does with logistics' `ShipmentCreated` and
`ShipmentCancelled`, through orders' own bootstrap on fake ports.

A shipment cancelled because no route accepts it (`no_route`) or because it was not handed
over in time (`not_shipped`) cancels its confirmed order, which publishes `OrderCancelled`
with the store and total the refund needs (R-ORD-6); one cancelled because its order was
(`order_cancelled`) is only noted. Each event is taken once by its event id, in any order.
"""

from __future__ import annotations

from itertools import permutations
from typing import Literal

import pytest

from orders.domain.model import Order
from shared.contract.events import OrderCancelled
from shared.contract.types import ContractModel
from testkit.factories import HOUR, SHIPMENT, T0, THE_BUYER, a_delivered, a_shipment_late, a_shipped
from testkit.orders_unit import (
    SHIP_WITHIN,
    WiredOrders,
    a_shipment_cancelled,
    a_shipment_created,
    orders_selling_the_product,
    placed,
    stored,
    the_order_cancelled,
)

#: When logistics cancels a shipment not handed over: ship_by + SHIP_GRACE_HOURS (72 h).
GIVEN_UP = T0 + SHIP_WITHIN + 72 * HOUR

Cause = Literal["no_route", "not_shipped"]
CAUSES: list[Cause] = ["no_route", "not_shipped"]


async def a_confirmed_order() -> tuple[WiredOrders, str]:
    """Orders with the buyer's order, confirmed by its merchant at T0."""
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    return wired, order.id


async def test_shipment_created_tells_the_order_its_ship_by() -> None:  # R-ORD-4, R-ORD-5
    wired, order_id = await a_confirmed_order()
    created = a_shipment_created(order_id=order_id, at=T0 + HOUR)
    await wired.deliver(created)
    order = await stored(wired, order_id)
    assert (order.status, order.shipment_id, order.route) == (
        "confirmed",
        SHIPMENT,
        created.route,
    )
    assert (order.ship_by, order.estimated_delivery) == (
        T0 + HOUR + SHIP_WITHIN,
        created.estimated_delivery,
    )
    entry = order.timeline[-1]
    assert (entry.event, entry.at) == ("ShipmentCreated", T0 + HOUR)
    assert entry.detail == created.model_dump(
        mode="json", include={"route", "ship_by", "estimated_delivery"}
    )
    assert wired.ports.published_of(OrderCancelled) == []


@pytest.mark.parametrize("cause", CAUSES)
async def test_a_shipment_that_cannot_or_did_not_ship_cancels_its_order(
    cause: Cause,
) -> None:  # R-ORD-5, R-ORD-6
    wired, order_id = await a_confirmed_order()
    wired.clock.set(GIVEN_UP)
    await wired.deliver(a_shipment_cancelled(order_id=order_id, reason=cause, at=GIVEN_UP))
    order = await stored(wired, order_id)
    assert (order.status, order.cancel_reason, order.cancelled_at) == (
        "cancelled",
        cause,
        GIVEN_UP,
    )
    assert order.confirmation_outcome == "on_time"  # the merchant did confirm in time
    assert [(entry.event, entry.detail.get("reason")) for entry in order.timeline[-2:]] == [
        ("ShipmentCancelled", cause),
        ("OrderCancelled", cause),
    ]
    # With the store and total the refund and its liability need (R-ORD-6).
    assert wired.ports.published_of(OrderCancelled) == [
        the_order_cancelled(order_id=order_id, reason=cause, at=GIVEN_UP)
    ]


@pytest.mark.parametrize("cause", CAUSES)
async def test_a_redelivered_shipment_cancellation_cancels_once(cause: Cause) -> None:  # R-ORD-5
    wired, order_id = await a_confirmed_order()
    wired.clock.set(GIVEN_UP)
    event = a_shipment_cancelled(order_id=order_id, reason=cause, at=GIVEN_UP)
    envelope = await wired.deliver(event)
    once = await stored(wired, order_id)
    wired.clock.advance(HOUR)
    await wired.deliver(event, envelope=envelope)
    assert await stored(wired, order_id) == once  # the same version: not written again
    assert len(wired.ports.published_of(OrderCancelled)) == 1


async def test_a_shipment_cancelled_with_its_order_is_only_noted() -> None:  # R-ORD-5
    wired, order_id = await a_confirmed_order()
    await wired.deliver(a_shipment_cancelled(order_id=order_id, reason="order_cancelled"))
    order = await stored(wired, order_id)
    assert (order.status, order.cancel_reason) == ("confirmed", None)
    assert (order.timeline[-1].event, order.timeline[-1].detail["reason"]) == (
        "ShipmentCancelled",
        "order_cancelled",
    )
    assert wired.ports.published_of(OrderCancelled) == []


async def test_the_shipment_cancelled_after_the_buyers_late_cancel_changes_nothing() -> None:
    # R-ORD-5: the buyer cancels past ship_by; logistics cancels the shipment in turn.
    wired, order_id = await a_confirmed_order()
    await wired.deliver(a_shipment_created(order_id=order_id))
    wired.clock.set(T0 + SHIP_WITHIN + HOUR)
    await wired.services.commands.cancel(order_id, THE_BUYER)
    wired.clock.advance(HOUR)
    await wired.deliver(
        a_shipment_cancelled(order_id=order_id, reason="order_cancelled", at=wired.clock.now())
    )
    order = await stored(wired, order_id)
    assert (order.status, order.cancel_reason) == ("cancelled", "buyer_cancelled_late")
    assert [entry.event for entry in order.timeline[-2:]] == ["OrderCancelled", "ShipmentCancelled"]
    assert [e.reason for e in wired.ports.published_of(OrderCancelled)] == ["buyer_cancelled_late"]


@pytest.mark.parametrize("cause", CAUSES)
async def test_a_shipment_cancelled_after_the_order_was_cancelled_cancels_nothing_more(
    cause: Cause,
) -> None:  # R-ORD-5: the buyer's late cancel and logistics' job raced; one cancellation
    wired, order_id = await a_confirmed_order()
    await wired.deliver(a_shipment_created(order_id=order_id))
    wired.clock.set(GIVEN_UP)
    await wired.services.commands.cancel(order_id, THE_BUYER)
    await wired.deliver(a_shipment_cancelled(order_id=order_id, reason=cause, at=GIVEN_UP))
    order = await stored(wired, order_id)
    assert (order.status, order.cancel_reason, order.timeline[-1].event) == (
        "cancelled",
        "buyer_cancelled_late",
        "ShipmentCancelled",
    )
    assert [e.reason for e in wired.ports.published_of(OrderCancelled)] == ["buyer_cancelled_late"]


async def test_a_shipment_cancellation_never_cancels_a_shipped_order() -> None:  # R-ORD-5
    wired, order_id = await a_confirmed_order()
    await wired.deliver(a_shipped(order_id=order_id, at=T0 + HOUR))
    await wired.deliver(a_shipment_cancelled(order_id=order_id, at=GIVEN_UP))
    order = await stored(wired, order_id)
    assert (order.status, order.timeline[-1].event) == ("shipped", "ShipmentCancelled")
    assert wired.ports.published_of(OrderCancelled) == []


async def test_a_shipment_cancellation_before_its_creation_cancels_the_order() -> None:
    # R-ORD-5: the events of one shipment overtake each other; the later creation only
    # tells the ship-by time.
    wired, order_id = await a_confirmed_order()
    wired.clock.set(GIVEN_UP)
    await wired.deliver(a_shipment_cancelled(order_id=order_id, at=GIVEN_UP))
    await wired.deliver(a_shipment_created(order_id=order_id, at=T0 + HOUR))
    _assert_given_up(await stored(wired, order_id), "ShipmentCreated", "ShipmentCancelled")
    assert len(wired.ports.published_of(OrderCancelled)) == 1


async def test_shipped_after_the_cancellation_never_uncancels() -> None:  # R-ORD-5
    wired, order_id = await a_confirmed_order()
    wired.clock.set(GIVEN_UP)
    await wired.deliver(a_shipment_cancelled(order_id=order_id, at=GIVEN_UP))
    for fact in (a_shipped, a_delivered):
        await wired.deliver(fact(order_id=order_id, at=GIVEN_UP + HOUR))
    order = await stored(wired, order_id)
    assert (order.status, order.cancel_reason) == ("cancelled", "not_shipped")
    assert [entry.event for entry in order.timeline[-2:]] == ["Shipped", "Delivered"]
    assert len(wired.ports.published_of(OrderCancelled)) == 1


def _a_late_shipment_story(order_id: str) -> list[ContractModel]:
    """A shipment planned at T0 + 1 h, late at its ship-by, given up 72 h later."""
    return [
        a_shipment_created(order_id=order_id, at=T0 + HOUR),
        a_shipment_late(order_id=order_id, at=T0 + HOUR + SHIP_WITHIN),
        a_shipment_cancelled(order_id=order_id, at=GIVEN_UP),
    ]


@pytest.mark.parametrize("arrival", list(permutations(range(3))))
async def test_the_shipments_story_in_any_order_and_twice_ends_the_order_once(
    arrival: tuple[int, ...],
) -> None:  # R-ORD-5
    wired, order_id = await a_confirmed_order()
    wired.clock.set(GIVEN_UP + HOUR)
    story = _a_late_shipment_story(order_id)
    envelopes = {index: await wired.deliver(story[index]) for index in arrival}
    for index in reversed(arrival):
        await wired.deliver(story[index], envelope=envelopes[index])
    order = await stored(wired, order_id)
    _assert_given_up(order, "ShipmentCreated", "ShipmentLate", "ShipmentCancelled")
    assert wired.ports.published_of(OrderCancelled) == [
        the_order_cancelled(order_id=order_id, reason="not_shipped", at=GIVEN_UP + HOUR)
    ]


async def test_a_shipment_cancellation_of_an_unknown_order_fails_to_be_retried() -> None:
    wired = await orders_selling_the_product()
    with pytest.raises(LookupError, match="order-404"):
        await wired.deliver(a_shipment_cancelled(order_id="order-404"))


def _assert_given_up(order: Order, *shipment_facts: str) -> None:
    """Cancelled `not_shipped`, its ship-by known, its timeline in time order."""
    assert (order.status, order.cancel_reason, order.ship_by) == (
        "cancelled",
        "not_shipped",
        T0 + HOUR + SHIP_WITHIN,
    )
    assert [entry.event for entry in order.timeline] == [
        "OrderCreated",
        "OrderConfirmed",
        *shipment_facts,
        "OrderCancelled",
    ]
