"""What logistics and aftersales tell about an order, and the confirmation deadline job,
through orders' own bootstrap on fake ports (R-ORD-3, R-ORD-4 onwards).

Facts come at least once and in any order: each is taken once by its event id, goes on
the timeline in time order and only moves the order forward. The catalogue's handlers:
`test_catalogue_replica.py`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.contract import events
from shared.contract.events import OrderCancelled, OrderConfirmed, OrderCreated
from shared.contract.types import ContractModel
from shared.errors import NotYetKnown
from testkit.factories import (
    HOUR,
    T0,
    a_case_answered,
    a_case_opened,
    a_delivered,
    a_refund_issued,
    a_shipment_exception,
    a_shipment_late,
    a_shipped,
    usd,
)
from testkit.orders_unit import (
    CREATED_TO_DELIVERED,
    a_shipment_cancelled,
    a_shipment_created,
    orders_selling_the_product,
    placed,
    stored,
    the_order_cancelled,
)

WINDOW = 24 * HOUR


async def test_the_table_handles_every_event_orders_consumes() -> None:
    wired = await orders_selling_the_product()
    assert set(wired.wiring.handlers) == {
        events.StoreApproved,
        events.StoreRejected,
        events.ProductApproved,
        events.ProductRejected,
        events.StoreUpdated,  # R-REV-12
        events.ProductDelisted,  # R-REV-15
        events.ShipmentCreated,
        events.ShipmentCancelled,
        events.Shipped,
        events.Delivered,
        events.ShipmentLate,
        events.ShipmentException,
        events.AfterSalesCaseOpened,
        events.AfterSalesCaseAnswered,
        events.AfterSalesCaseRejected,
        events.RefundIssued,
    }


async def test_shipped_then_delivered_move_the_order() -> None:  # R-ORD-4
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    shipped = a_shipped(order_id=order.id, at=T0 + 2 * HOUR)
    await wired.deliver(shipped)
    assert (await stored(wired, order.id)).status == "shipped"
    await wired.deliver(a_delivered(order_id=order.id, at=T0 + 99 * HOUR))
    delivered = await stored(wired, order.id)
    assert delivered.status == "delivered"
    assert [(entry.event, entry.at) for entry in delivered.timeline[-2:]] == [
        ("Shipped", T0 + 2 * HOUR),
        ("Delivered", T0 + 99 * HOUR),
    ]
    assert delivered.timeline[-2].detail["tracking_number"] == shipped.tracking_number


@pytest.mark.parametrize(
    ("fact", "entry", "detail"),
    [
        (a_shipment_created, "ShipmentCreated", "ship_by"),
        (a_shipment_late, "ShipmentLate", "ship_by"),
        (a_shipment_exception, "ShipmentException", "kind"),
        (a_case_opened, "AfterSalesCaseOpened", "case_id"),
    ],
)
async def test_a_late_shipment_an_exception_or_a_case_goes_on_the_timeline_only(
    fact: Callable[..., ContractModel], entry: str, detail: str
) -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await wired.deliver(fact(order_id=order.id, at=T0 + 5 * HOUR))
    told = await stored(wired, order.id)
    assert told.status == "confirmed"
    assert (told.timeline[-1].event, told.timeline[-1].at) == (entry, T0 + 5 * HOUR)
    assert detail in told.timeline[-1].detail


async def test_refunds_add_up_to_a_whole_refund() -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)  # 49.90 USD
    await wired.deliver(a_refund_issued(order_id=order.id, amount=usd(990)))
    partly = await stored(wired, order.id)
    assert (partly.status, partly.refunded) == ("partially_refunded", usd(990))
    await wired.deliver(a_refund_issued(order_id=order.id, amount=usd(4000), case_id="case-2"))
    whole = await stored(wired, order.id)
    assert (whole.status, whole.refunded) == ("refunded", usd(4990))


FACTS: list[Callable[..., ContractModel]] = [
    a_shipment_created,
    a_shipped,
    a_delivered,
    a_shipment_late,
    a_shipment_exception,
    a_case_opened,
    a_refund_issued,
]


@pytest.mark.parametrize("fact", FACTS)
async def test_a_fact_redelivered_changes_nothing(fact: Callable[..., ContractModel]) -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    event = fact(order_id=order.id, at=T0 + 3 * HOUR)
    envelope = await wired.deliver(event)
    once = await stored(wired, order.id)
    await wired.deliver(event, envelope=envelope)
    assert await stored(wired, order.id) == once  # the same version: not written again
    assert len(once.timeline) == len(order.timeline) + 1


async def test_delivered_before_shipped_never_moves_the_order_back() -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await wired.deliver(a_delivered(order_id=order.id, at=T0 + 90 * HOUR))
    await wired.deliver(a_shipped(order_id=order.id, at=T0 + 2 * HOUR))
    late = await stored(wired, order.id)
    assert late.status == "delivered"
    assert [entry.event for entry in late.timeline] == CREATED_TO_DELIVERED


async def test_a_fact_never_moves_an_order_out_of_cancelled() -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await wired.deliver(a_shipment_cancelled(order_id=order.id, at=T0 + HOUR))
    # The parcel handed over in a race with its shipment's cancellation (R-ORD-5).
    await wired.deliver(a_shipped(order_id=order.id, at=T0 + 2 * HOUR))
    cancelled = await stored(wired, order.id)
    assert (cancelled.status, cancelled.timeline[-1].event) == ("cancelled", "Shipped")


async def test_facts_publish_nothing() -> None:
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    published = len(wired.ports.published)
    for fact in FACTS:
        await wired.deliver(fact(order_id=order.id, at=T0 + HOUR))
    assert len(wired.ports.published) == published


async def test_a_fact_about_an_unknown_order_fails_to_be_retried() -> None:
    wired = await orders_selling_the_product()
    with pytest.raises(NotYetKnown, match="order-404"):
        await wired.deliver(a_shipped(order_id="order-404"))


async def test_the_job_cancels_orders_past_confirm_by_and_leaves_the_others() -> None:  # R-ORD-3
    wired = await orders_selling_the_product()
    due = await placed(wired)
    wired.clock.advance(HOUR)
    not_yet, confirmed = await placed(wired), await placed(wired, confirmed=True)
    wired.clock.set(T0 + WINDOW)
    await wired.run("confirmation-deadlines")
    timed_out = await stored(wired, due.id)
    assert (timed_out.status, timed_out.cancel_reason, timed_out.confirmation_outcome) == (
        "cancelled",
        "confirmation_timeout",
        "timed_out",
    )
    assert (await stored(wired, not_yet.id)).status == "awaiting_confirmation"
    assert (await stored(wired, confirmed.id)).status == "confirmed"
    assert wired.ports.published_of(OrderCancelled) == [
        the_order_cancelled(order_id=due.id, at=T0 + WINDOW)
    ]


async def test_the_job_run_again_cancels_nothing_twice() -> None:  # R-ORD-3
    wired = await orders_selling_the_product()
    first = await placed(wired)
    wired.clock.advance(HOUR)
    second = await placed(wired)
    wired.clock.set(T0 + WINDOW + 2 * HOUR)  # the job was not running: both are due now
    for _ in range(2):
        await wired.run("confirmation-deadlines")
    cancelled = [event.order_id for event in wired.ports.published_of(OrderCancelled)]
    assert sorted(cancelled) == sorted([first.id, second.id])
    created = [event.order_id for event in wired.ports.published_of(OrderCreated)]
    assert created == [first.id, second.id]
    assert wired.ports.published_of(OrderConfirmed) == []


async def test_a_late_delivery_and_the_merchants_first_answer_are_kept() -> None:  # R-SC-1
    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await wired.deliver(a_delivered(order_id=order.id, late=True, days_late=2))
    answered = a_case_answered(order_id=order.id, at=T0 + HOUR)
    await wired.deliver(answered)
    await wired.deliver(a_case_answered(order_id=order.id, at=T0 + 2 * HOUR))
    facts = (await stored(wired, order.id)).facts
    assert (facts.delivered_late, facts.days_late) == (True, 2)
    assert facts.cases_answered == {answered.case_id: T0 + HOUR}
