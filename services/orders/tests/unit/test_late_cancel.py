"""The buyer's late cancel (R-ORD-5 `buyer_cancelled_late`), the refusal's problem and the
order's public schema, through orders' own bootstrap on fake ports.

A confirmed order is the buyer's to cancel once it is past its `ship_by` (told by
logistics' `ShipmentCreated`) and still not shipped; before that, or while `ship_by` is
unknown, the buyer is told until when to wait; once shipped, never. The cancel before
confirmation (R-ORD-2) is in `test_confirm_and_cancel.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from orders.domain.errors import OrderConflict
from orders.entrypoints.problems import order_conflict
from orders.entrypoints.schemas import OrderPublic
from shared.auth import Principal
from shared.contract.events import OrderCancelled
from shared.contract.types import ContractModel, rfc3339
from shared.errors import NotFound
from testkit.factories import (
    AN_OPERATOR,
    ANOTHER_BUYER,
    HOUR,
    T0,
    THE_BUYER,
    THE_MERCHANT,
    a_delivered,
    a_shipped,
)
from testkit.orders_unit import (
    SHIP_WITHIN,
    WiredOrders,
    a_shipment_created,
    orders_selling_the_product,
    placed,
    stored,
    the_order_cancelled,
)

SHIP_BY = T0 + SHIP_WITHIN


async def a_planned_order() -> tuple[WiredOrders, str]:
    """The buyer's order, confirmed at T0, its shipment to be handed over by `SHIP_BY`."""
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await wired.deliver(a_shipment_created(order_id=order.id))
    return wired, order.id


async def refused(wired: WiredOrders, order_id: str) -> OrderConflict:
    """The buyer's cancel of `order_id`, refused: the refusal."""
    with pytest.raises(OrderConflict) as refusal:
        await wired.services.commands.cancel(order_id, THE_BUYER)
    return refusal.value


@pytest.mark.parametrize("after", [timedelta(0), HOUR, 5 * 24 * HOUR])
async def test_the_buyer_cancels_a_confirmed_order_past_its_ship_by(
    after: timedelta,
) -> None:  # R-ORD-5
    wired, order_id = await a_planned_order()
    wired.clock.set(SHIP_BY + after)
    cancelled = await wired.services.commands.cancel(order_id, THE_BUYER)
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_at) == (
        "cancelled",
        "buyer_cancelled_late",
        SHIP_BY + after,
    )
    assert await stored(wired, order_id) == cancelled
    assert cancelled.timeline[-1].event == "OrderCancelled"
    assert wired.ports.published_of(OrderCancelled) == [
        the_order_cancelled(order_id=order_id, reason="buyer_cancelled_late", at=SHIP_BY + after)
    ]


async def test_before_ship_by_the_buyer_is_told_until_when_to_wait() -> None:  # R-ORD-5
    wired, order_id = await a_planned_order()
    wired.clock.set(SHIP_BY - timedelta(milliseconds=1))
    refusal = await refused(wired, order_id)
    assert (refusal.code, refusal.extra) == ("not_yet_late", {"ship_by": rfc3339(SHIP_BY)})
    assert rfc3339(SHIP_BY) in str(refusal)
    assert (await stored(wired, order_id)).status == "confirmed"
    assert wired.ports.published_of(OrderCancelled) == []


async def test_before_logistics_tells_ship_by_the_buyer_waits() -> None:  # R-ORD-5
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    wired.clock.set(T0 + 30 * 24 * HOUR)
    refusal = await refused(wired, order.id)
    assert (refusal.code, refusal.extra) == ("not_yet_late", {"ship_by": None})
    assert "not known yet" in str(refusal)
    assert (await stored(wired, order.id)).status == "confirmed"
    assert wired.ports.published_of(OrderCancelled) == []


@pytest.mark.parametrize("handed_over", [[a_shipped], [a_shipped, a_delivered], [a_delivered]])
async def test_a_shipped_order_is_never_the_buyers_to_cancel(
    handed_over: list[Callable[..., ContractModel]],
) -> None:  # R-ORD-5: only while not shipped
    wired, order_id = await a_planned_order()
    for fact in handed_over:
        await wired.deliver(fact(order_id=order_id, at=SHIP_BY + HOUR))
    wired.clock.set(SHIP_BY + 2 * HOUR)
    refusal = await refused(wired, order_id)
    assert refusal.code == "already_shipped"
    assert (await stored(wired, order_id)).cancel_reason is None
    assert wired.ports.published_of(OrderCancelled) == []


async def test_a_late_cancel_is_done_once() -> None:  # R-ORD-5
    wired, order_id = await a_planned_order()
    wired.clock.set(SHIP_BY + HOUR)
    await wired.services.commands.cancel(order_id, THE_BUYER)
    assert (await refused(wired, order_id)).code == "cancelled"
    assert len(wired.ports.published_of(OrderCancelled)) == 1


async def test_a_shipped_after_the_late_cancel_never_uncancels() -> None:  # R-ORD-5
    # The merchant handed the parcel over while the buyer cancelled: the refund stands.
    wired, order_id = await a_planned_order()
    wired.clock.set(SHIP_BY + HOUR)
    await wired.services.commands.cancel(order_id, THE_BUYER)
    await wired.deliver(a_shipped(order_id=order_id, at=SHIP_BY + 2 * HOUR))
    order = await stored(wired, order_id)
    assert (order.status, order.cancel_reason) == ("cancelled", "buyer_cancelled_late")
    assert order.timeline[-1].event == "Shipped"


@pytest.mark.parametrize("principal", [ANOTHER_BUYER, THE_MERCHANT, AN_OPERATOR])
async def test_only_the_buyer_cancels_late(principal: Principal) -> None:  # R-ORD-5
    wired, order_id = await a_planned_order()
    wired.clock.set(SHIP_BY + HOUR)
    with pytest.raises(NotFound):
        await wired.services.commands.cancel(order_id, principal)
    assert (await stored(wired, order_id)).status == "confirmed"
    assert wired.ports.published_of(OrderCancelled) == []


def test_the_refusal_is_a_409_problem_with_its_code_and_ship_by() -> None:  # R-ORD-5
    refusal = OrderConflict("Wait.", "not_yet_late", ship_by=rfc3339(SHIP_BY))
    problem = order_conflict(refusal)
    assert (problem.status, problem.detail) == (409, "Wait.")
    assert problem.extra == {"code": "not_yet_late", "ship_by": rfc3339(SHIP_BY)}


async def test_the_public_order_shows_its_ship_by_and_why_it_was_cancelled() -> None:
    # R-ORD-5: GET /orders/{id} (CONTRACT.md), extended.
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    unplanned = OrderPublic.of(order, wired.services.processes.of(order))
    assert (unplanned.ship_by, unplanned.cancel_reason) == (None, None)
    await wired.deliver(a_shipment_created(order_id=order.id))
    wired.clock.set(SHIP_BY + HOUR)
    cancelled = await wired.services.commands.cancel(order.id, THE_BUYER)
    public = OrderPublic.of(cancelled, wired.services.processes.of(cancelled))
    shown = public.model_dump(mode="json")
    assert (shown["ship_by"], shown["cancel_reason"], shown["status"]) == (
        rfc3339(SHIP_BY),
        "buyer_cancelled_late",
        "cancelled",
    )
    assert [entry["event"] for entry in shown["timeline"]][-2:] == [
        "ShipmentCreated",
        "OrderCancelled",
    ]
