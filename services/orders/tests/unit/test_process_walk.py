"""Every order ends (R-ORD-5): a walk of every state an order and its shipment
can be in, asserting that none is ever in a state with no deadline and no next step.

The table crosses, with named fields, each way the order went before its shipment
(`ORDER_PATHS`), each way its shipment can go, as logistics' events tell it
(`SHIPMENT_PATHS`), and each way its after-sales can go (`AFTERSALES_PATHS`), where the
combination can occur; each row is looked at just after its last fact and long after. A
waiting order has a next step (`waiting_for`) and its deadline (`until`); an ended one
says why; long after, an order has ended or is overdue (listed as stuck), never waiting
in time. The facts are taken as the handlers take them (`Order.take`, in order of arrival).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, get_args

import pytest

from orders.domain.facts import Fact
from orders.domain.model import Order
from orders.domain.order_parts import OrderStatus
from orders.domain.process import (
    AftersalesStep,
    LogisticsStep,
    Process,
    ProcessTerms,
    process_of,
)
from orders.domain.waits import EndReason, NextStep
from shared.contract.events import ShipmentCancelled
from shared.policy import Policy
from testkit.factories import (
    BUYER,
    MERCHANT,
    ORDER,
    STORE,
    T0,
    a_case_opened,
    a_delivered,
    a_line,
    a_refund_issued,
    a_shipment_exception,
    a_shipment_late,
    a_shipped,
    an_address,
    usd,
)
from testkit.orders_unit import SHIP_WITHIN, a_shipment_cancelled, a_shipment_created

TERMS = ProcessTerms(Policy(), timedelta(minutes=5))
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
CONFIRMED = T0 + HOUR
CREATED = T0 + 2 * HOUR
SHIP_BY = CREATED + SHIP_WITHIN
SHIPPED = SHIP_BY + 4 * HOUR
DELIVERED = SHIPPED + 6 * DAY
#: After the parcel's latest estimated date (a_shipped: 9 days): any case reason is open.
CASE = SHIPPED + 11 * DAY
LONG_AFTER = T0 + 400 * DAY

#: Something that happens to the order (a fact taken, or its own command); its time.
Act = Callable[[Order], datetime]


def told(event: Callable[..., Fact], at: datetime, **fields: object) -> Act:
    """Another service's event about the order at `at`, taken as its handler takes it."""

    def act(order: Order) -> datetime:
        fact = event(order_id=order.id, at=at, **fields)
        event_id = str(uuid.uuid4())
        if isinstance(fact, ShipmentCancelled):
            order.shipment_cancelled(event_id, fact, at)
        else:
            assert order.take(event_id, fact)
        return at

    return act


def by_order(command: Callable[[Order, datetime], object], at: datetime) -> Act:
    def act(order: Order) -> datetime:
        command(order, at)
        return at

    return act


def refund_of_the_cancellation(order: Order) -> datetime:
    """Aftersales' whole refund of a cancelled order (R-ORD-5), a minute after it."""
    assert order.cancelled_at is not None
    at = order.cancelled_at + MINUTE
    refund = a_refund_issued(
        order_id=order.id, case_id=None, reason=order.cancel_reason, amount=order.total, at=at
    )
    order.take(str(uuid.uuid4()), refund)
    return at


@dataclass(frozen=True)
class Path:
    """A named way one service's part went: its acts, and the step it leaves it at."""

    name: str
    acts: tuple[Act, ...]
    step: str
    #: Shipment paths: the order is cancelled and refunded in whole (R-ORD-5); handed
    #: over (after-sales cases may follow). After-sales paths: which orders they fit.
    compensated: bool = False
    handed_over: bool = False
    fits: Literal["any", "cancellation", "handed_over"] = "any"

    def __str__(self) -> str:
        return self.name


ORDER_PATHS = [
    Path("awaiting_confirmation", (), "awaiting_confirmation"),
    Path("buyer_cancelled", (by_order(Order.cancel_by_buyer, T0 + MINUTE),), "cancelled"),
    Path("confirmation_timeout", (by_order(Order.expire, T0 + DAY),), "cancelled"),
    Path("confirmed", (by_order(Order.confirm, CONFIRMED),), "confirmed"),
]
PLANNED = told(a_shipment_created, CREATED)
LATE = told(a_shipment_late, SHIP_BY + HOUR, ship_by=SHIP_BY)
HANDED_OVER = told(a_shipped, SHIPPED)
NOT_SHIPPED = told(a_shipment_cancelled, SHIP_BY + 72 * HOUR + MINUTE, reason="not_shipped")
LATE_CANCEL = by_order(Order.cancel_by_buyer, SHIP_BY + 3 * HOUR)
SHIPMENT_PATHS = [
    Path("not_planned", (), "not_planned"),
    Path(
        "no_route",
        (told(a_shipment_cancelled, CONFIRMED + MINUTE, reason="no_route"),),
        "cancelled",
        compensated=True,
    ),
    Path("planned", (PLANNED,), "planned"),
    Path("late", (PLANNED, LATE), "late"),
    Path("lost_before_handover", (PLANNED, told(a_shipment_exception, SHIP_BY)), "exception"),
    Path(
        "late_damaged_before_handover",
        (PLANNED, LATE, told(a_shipment_exception, SHIP_BY + 2 * HOUR, kind="damaged")),
        "exception",
    ),
    Path("late_not_shipped", (PLANNED, LATE, NOT_SHIPPED), "cancelled", compensated=True),
    Path(
        "lost_not_shipped",
        (PLANNED, told(a_shipment_exception, SHIP_BY), NOT_SHIPPED),
        "cancelled",
        compensated=True,
    ),
    Path("late_buyer_cancelled", (PLANNED, LATE, LATE_CANCEL), "late", compensated=True),
    Path(
        "late_buyer_cancelled_shipment_cancelled",
        (
            PLANNED,
            LATE,
            LATE_CANCEL,
            told(a_shipment_cancelled, SHIP_BY + 3 * HOUR, reason="order_cancelled"),
        ),
        "cancelled",
        compensated=True,
    ),
    Path(  # the merchant's handover raced the buyer's late cancel: the refund stands
        "late_buyer_cancelled_handed_over",
        (PLANNED, LATE, LATE_CANCEL, HANDED_OVER),
        "shipped",
        compensated=True,
    ),
    Path("shipped", (PLANNED, HANDED_OVER), "shipped", handed_over=True),
    Path("late_shipped", (PLANNED, LATE, HANDED_OVER), "shipped", handed_over=True),
    Path(
        "shipped_lost",
        (PLANNED, HANDED_OVER, told(a_shipment_exception, SHIPPED + 2 * DAY)),
        "exception",
        handed_over=True,
    ),
    Path(
        "shipped_damaged",
        (PLANNED, HANDED_OVER, told(a_shipment_exception, SHIPPED + DAY, kind="damaged")),
        "exception",
        handed_over=True,
    ),
    Path(
        "delivered",
        (PLANNED, HANDED_OVER, told(a_delivered, DELIVERED)),
        "delivered",
        handed_over=True,
    ),
    Path(
        "late_delivered_late",
        (PLANNED, LATE, HANDED_OVER, told(a_delivered, DELIVERED, late=True, days_late=2)),
        "delivered",
        handed_over=True,
    ),
    Path(  # logistics' events in another order of arrival
        "delivered_before_shipped_arrived",
        (told(a_delivered, DELIVERED), HANDED_OVER, PLANNED),
        "delivered",
        handed_over=True,
    ),
]
OPENED = told(a_case_opened, CASE)
AFTERSALES_PATHS = [
    Path("none", (), "none"),
    Path("cancellation_refunded", (refund_of_the_cancellation,), "refunded", fits="cancellation"),
    Path("case_open", (OPENED,), "case_open", fits="handed_over"),
    Path(
        "case_refunded_in_part",
        (OPENED, told(a_refund_issued, CASE + DAY, amount=usd(1000))),
        "partially_refunded",
        fits="handed_over",
    ),
    Path(
        "case_refunded_in_whole",
        (OPENED, told(a_refund_issued, CASE + DAY)),
        "refunded",
        fits="handed_over",
    ),
    Path(
        "second_case_open_after_a_part_refund",
        (
            OPENED,
            told(a_refund_issued, CASE + DAY, amount=usd(1000)),
            told(a_case_opened, CASE + 2 * DAY, case_id="case-2", reason="not_as_described"),
        ),
        "case_open",
        fits="handed_over",
    ),
    Path(  # aftersales' events in another order of arrival: the refund first
        "case_refund_before_its_opening_arrived",
        (told(a_refund_issued, CASE + DAY, amount=usd(1000)), OPENED),
        "partially_refunded",
        fits="handed_over",
    ),
]


@dataclass(frozen=True)
class Walk:
    order: Path
    shipment: Path
    aftersales: Path
    at: Literal["just_after", "long_after"]

    @property
    def id(self) -> str:
        return f"{self.order}-{self.shipment}-{self.aftersales}-{self.at}"


def walks() -> Iterator[Walk]:
    """Every combination that can occur: a shipment only for a confirmed order; a refund
    of the cancellation only for one cancelled after confirmation; cases only for a
    parcel handed over, of an order not cancelled."""
    for order in ORDER_PATHS:
        for shipment in SHIPMENT_PATHS:
            for aftersales in AFTERSALES_PATHS:
                if order.name != "confirmed" and (shipment.acts or aftersales.acts):
                    continue
                fits = {
                    "any": True,
                    "cancellation": shipment.compensated,
                    "handed_over": shipment.handed_over,
                }
                if fits[aftersales.fits]:
                    yield Walk(order, shipment, aftersales, "just_after")
                    yield Walk(order, shipment, aftersales, "long_after")


WALKS = list(walks())


def walked(walk: Walk) -> tuple[Order, Process, datetime]:
    """The order placed at T0, then each act of the row's paths; its process then."""
    order = Order.place(
        order_id=ORDER,
        buyer_id=BUYER,
        store_id=STORE,
        merchant_id=MERCHANT,
        store_type="full_managed",
        items=[a_line()],
        address=an_address(),
        now=T0,
        policy=TERMS.policy,
    )
    times = [T0]
    for act in (*walk.order.acts, *walk.shipment.acts, *walk.aftersales.acts):
        times.append(act(order))
    now = max(times) if walk.at == "just_after" else LONG_AFTER
    return order, process_of(order, TERMS, now), now


@pytest.mark.parametrize("walk", WALKS, ids=[walk.id for walk in WALKS])
def test_no_order_is_ever_without_a_deadline_and_a_next_step(walk: Walk) -> None:
    # R-ORD-5
    order, process, now = walked(walk)
    orders_step = "cancelled" if walk.shipment.compensated else walk.order.step
    assert (process.steps.orders, process.steps.logistics, process.steps.aftersales) == (
        orders_step,
        walk.shipment.step,
        walk.aftersales.step,
    )
    if process.ended:
        assert process.ended_because is not None, "an ended order says why"
        assert (process.waiting_for, process.until, process.overdue) == (None, None, False)
        return
    assert process.waiting_for is not None, f"{order.status}: waiting for nothing"
    assert process.until is not None, f"{order.status}: waiting with no deadline"
    assert process.ended_because is None
    assert process.overdue == (now > process.until)
    if process.waiting_for.kind == "window":
        assert now < process.until, "a window past its close has ended the order"
    if walk.at == "long_after":
        assert process.overdue, "long after, an order has ended or is overdue"


def test_the_walk_reaches_every_status_step_next_step_and_end() -> None:  # R-ORD-5
    statuses: set[str] = set()
    shipments: set[str] = set()
    aftersales: set[str] = set()
    waits: set[str] = set()
    ends: set[str] = set()
    for walk in WALKS:
        order, process, _ = walked(walk)
        statuses.add(order.status)
        shipments.add(process.steps.logistics)
        aftersales.add(process.steps.aftersales)
        if process.waiting_for is not None:
            waits.add(process.waiting_for.step)
        if process.ended_because is not None:
            ends.add(process.ended_because)
    assert statuses == set(get_args(OrderStatus))
    assert shipments == set(get_args(LogisticsStep))
    assert aftersales == set(get_args(AftersalesStep))
    # `order_cancel` cannot occur: orders cancels the order as it learns of the shipment's
    # cancellation (test_process_view.py shows it all the same).
    assert waits == set(get_args(NextStep)) - {"order_cancel"}
    assert ends == set(get_args(EndReason))
