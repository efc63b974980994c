"""The order's rules with no I/O: time is passed in (R-ORD-1..3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from orders.domain.errors import OrderConflict
from orders.domain.model import Order
from shared.contract.events import OrderCancelled, OrderConfirmed, OrderCreated, RefundIssued
from shared.policy import Policy
from testkit.factories import (
    BUYER,
    MERCHANT,
    ORDER,
    STORE,
    a_delivered,
    a_line,
    a_refund_issued,
    a_shipped,
    an_address,
    usd,
)
from testkit.orders_unit import CREATED_TO_DELIVERED

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
POLICY = Policy()
WINDOW = timedelta(seconds=POLICY.order_confirm_window_seconds)


def place(now: datetime = NOW, policy: Policy = POLICY) -> Order:
    """Three of one product at 12.50 USD: 37.50 USD."""
    return Order.place(
        order_id=ORDER,
        buyer_id=BUYER,
        store_id=STORE,
        merchant_id=MERCHANT,
        store_type="full_managed",
        items=[a_line(quantity=3, unit_price=usd(1250))],
        address=an_address(),
        now=now,
        policy=policy,
    )


def test_an_order_is_created_at_once_with_its_deadline() -> None:  # R-ORD-1, R-ORD-2
    order = place()
    assert order.status == "awaiting_confirmation"
    assert order.confirm_by == NOW + WINDOW
    assert order.total == usd(3750)
    [event] = order.pull_events()
    assert isinstance(event, OrderCreated)
    assert event.confirm_by == order.confirm_by


def test_the_window_comes_from_policy() -> None:  # R-POL-1
    order = place(policy=Policy(order_confirm_window_seconds=5))
    assert order.confirm_by == NOW + timedelta(seconds=5)


def test_confirm_before_the_deadline() -> None:  # R-ORD-2
    order = place()
    order.pull_events()
    order.confirm(NOW + WINDOW - timedelta(milliseconds=1))
    assert order.status == "confirmed"
    assert order.confirmation_outcome == "on_time"
    [event] = order.pull_events()
    assert isinstance(event, OrderConfirmed)


def test_confirm_after_deadline_is_rejected() -> None:  # R-ORD-2
    order = place()
    with pytest.raises(OrderConflict, match="R-ORD-2"):
        order.confirm(NOW + WINDOW)


def test_unconfirmed_order_is_cancelled_by_itself_once() -> None:  # R-ORD-3
    order = place()
    order.pull_events()
    assert order.expire(NOW + WINDOW - timedelta(seconds=1)) is False
    assert order.expire(NOW + WINDOW) is True
    assert (order.status, order.cancel_reason) == ("cancelled", "confirmation_timeout")
    assert order.confirmation_outcome == "timed_out"
    assert order.expire(NOW + 2 * WINDOW) is False  # never twice
    [event] = order.pull_events()
    assert isinstance(event, OrderCancelled)
    assert event.reason == "confirmation_timeout"


def test_confirm_after_cancellation_is_rejected() -> None:  # R-ORD-3
    order = place()
    order.cancel_by_buyer(NOW + timedelta(minutes=5))
    assert order.cancel_reason == "buyer_cancelled"
    with pytest.raises(OrderConflict, match="cancelled"):
        order.confirm(NOW + timedelta(minutes=6))


def test_buyer_cannot_cancel_after_confirmation_before_ship_by() -> None:  # R-ORD-5
    order = place()
    order.confirm(NOW + timedelta(hours=1))
    with pytest.raises(OrderConflict, match="confirmed") as refused:
        order.cancel_by_buyer(NOW + timedelta(hours=2))
    assert (refused.value.code, refused.value.extra) == ("not_yet_late", {"ship_by": None})


def test_facts_move_forward_only_and_apply_once() -> None:  # R-ORD-4
    order = place()
    order.confirm(NOW + timedelta(hours=1))
    delivered = a_delivered(order_id=order.id, at=NOW + timedelta(days=3))
    shipped = a_shipped(order_id=order.id, at=NOW + timedelta(days=1))
    assert order.take("e-delivered", delivered)
    assert order.take("e-shipped", shipped)
    assert not order.take("e-shipped", shipped)
    assert order.status == "delivered"
    assert [entry.event for entry in order.timeline] == CREATED_TO_DELIVERED


def test_refunds_make_the_order_partially_then_wholly_refunded() -> None:
    order = place()
    order.confirm(NOW + timedelta(hours=1))

    def refund(minor: int, at: datetime) -> RefundIssued:
        return a_refund_issued(order_id=order.id, amount=usd(minor), at=at)

    order.take("r-1", refund(1000, NOW + timedelta(days=5)))
    after_first = order.status
    assert not order.take("r-1", refund(1000, NOW))
    order.take("r-2", refund(2750, NOW + timedelta(days=6)))
    assert (after_first, order.status) == ("partially_refunded", "refunded")
    assert order.refunded == usd(3750)


def test_the_desk_shows_the_seconds_left_until_confirm_by() -> None:  # R-ORD-2
    order = place()
    assert order.seconds_left(NOW) == WINDOW.total_seconds()
    assert order.seconds_left(NOW + WINDOW + timedelta(hours=1)) == 0.0
    order.confirm(NOW + timedelta(minutes=1))
    assert order.seconds_left(NOW + timedelta(minutes=2)) is None
    assert order.confirm_seconds == 60.0


@pytest.mark.parametrize(
    ("prepare", "code"),
    [
        pytest.param(lambda o: o.expire(NOW + WINDOW), "past_deadline", id="R-ORD-3 timed out"),
        pytest.param(lambda o: o.cancel_by_buyer(NOW), "cancelled", id="buyer cancelled"),
        pytest.param(lambda o: o.confirm(NOW), "already_confirmed", id="confirmed twice"),
    ],
)
def test_a_refused_confirmation_names_why(
    prepare: Callable[[Order], object], code: str
) -> None:  # R-ORD-2
    order = place()
    prepare(order)
    with pytest.raises(OrderConflict) as refused:
        order.confirm(NOW + WINDOW + timedelta(seconds=1))
    assert refused.value.code == code
