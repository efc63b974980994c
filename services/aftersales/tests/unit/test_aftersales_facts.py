"""The aftersales replica of orders and stores: idempotent, out-of-order tolerant, and
refusing what cannot be so: a parcel of an order not seen confirmed, or delivered before
it was seen shipped, waits (`NotYetKnown`); a total its lines do not add up to, a store's
second approval saying otherwise, or one dated otherwise than its event, is `Implausible`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from aftersales.domain.errors import Conflict, Invalid
from aftersales.domain.facts import OrderFact, OrderFacts, StoreFacts
from shared.contract.events import Delivered, OrderConfirmed, OrderCreated, Shipped, StoreApproved
from shared.contract.types import Money
from shared.errors import Implausible, NotYetKnown
from shared.replica import CLOCK_SKEW
from testkit.factories import (
    BUYER,
    MERCHANT,
    STORE,
    T0,
    a_day,
    a_delivered,
    a_line,
    a_shipment_exception,
    a_shipped,
    a_store_approved,
    a_window,
    an_order_cancelled,
    an_order_confirmed,
    an_order_created,
    usd,
)

#: Two categories in three lines: 10.00 + 5.00 + 2.00 = 17.00 USD.
LINES = [
    a_line(category="clothing", unit_price=usd(1000)),
    a_line(category="food", unit_price=usd(500)),
    a_line(category="clothing", unit_price=usd(200)),
]


def created(order_id: str) -> OrderCreated:
    return an_order_created(order_id=order_id, lines=LINES, at=T0)


def confirmed(order_id: str) -> OrderConfirmed:
    return an_order_confirmed(order_id=order_id, lines=LINES, at=T0 + timedelta(hours=2))


def shipped(order_id: str, latest: date = a_day(7)) -> Shipped:
    window = a_window(a_day(3), latest)
    return a_shipped(order_id=order_id, at=T0 + timedelta(days=1), estimated_delivery=window)


def delivered(order_id: str) -> Delivered:
    return a_delivered(order_id=order_id, at=T0 + timedelta(days=4))


def apply(order: OrderFacts, *facts: Callable[[str], OrderFact]) -> None:
    """Each fact about the order, in turn."""
    for fact in facts:
        order.apply(fact(order.id))


def test_order_created_learns_parties_categories_and_total() -> None:
    order = OrderFacts(id=str(uuid4()))
    order.apply(created(order.id))
    assert (order.order_id, order.buyer_id, order.merchant_id) == (order.id, BUYER, MERCHANT)
    assert order.categories == ["clothing", "food"]
    assert order.total == usd(1700)
    assert order.status == "awaiting_confirmation"
    assert order.known


def test_confirmed_alone_is_enough_to_know_the_order() -> None:
    order = OrderFacts(id=str(uuid4()))
    order.apply(confirmed(order.id))
    assert order.known
    assert order.status == "confirmed"
    assert order.store_type == "full_managed"


@pytest.mark.parametrize(
    ("told", "first", "missing"),
    [
        (delivered, [confirmed], "not seen shipped"),
        (delivered, [], "not seen shipped"),
        (shipped, [created], "not seen confirmed"),
        (shipped, [], "not seen confirmed"),
        (lambda order_id: a_shipment_exception(order_id=order_id), [], "not seen confirmed"),
    ],
)
def test_a_parcel_waits_for_its_order_seen_confirmed_and_its_delivery_for_its_shipment(
    told: Callable[[str], OrderFact], first: list[Callable[[str], OrderFact]], missing: str
) -> None:  # R-ORD-4, R-AS-1
    order = OrderFacts(id=str(uuid4()))
    apply(order, *first)
    before = order.model_dump()
    with pytest.raises(NotYetKnown, match=missing):
        order.apply(told(order.id))
    assert order.model_dump() == before


def test_delivered_then_a_late_shipped_never_moves_backwards() -> None:
    order = OrderFacts(id=str(uuid4()))
    apply(order, confirmed, shipped, delivered, shipped, created)
    assert order.status == "delivered"
    assert order.shipped_at == T0 + timedelta(days=1)
    assert order.delivered_at == T0 + timedelta(days=4)
    assert order.estimated_delivery is not None
    assert order.created_at == T0


def test_repeated_events_change_nothing() -> None:
    order = OrderFacts(id=str(uuid4()))
    apply(order, created, confirmed, shipped, delivered)
    before = order.model_dump()
    apply(order, shipped, delivered, confirmed, created)
    assert order.model_dump() == before


def test_a_later_shipment_keeps_the_latest_promise() -> None:
    order = OrderFacts(id=str(uuid4()))
    apply(order, confirmed)
    order.apply(shipped(order.id, latest=a_day(10)))
    order.apply(shipped(order.id, latest=a_day(7)))
    assert order.estimated_delivery is not None
    assert order.estimated_delivery.latest == a_day(10)


def test_late_order_created_does_not_undo_cancellation() -> None:
    order = OrderFacts(id=str(uuid4()))
    order.apply(
        an_order_cancelled(order_id=order.id, reason="buyer_cancelled", at=T0 + timedelta(hours=1))
    )
    order.apply(created(order.id))
    assert order.status == "cancelled"


def test_a_cancellation_after_confirmation_ends_the_order_whatever_follows_r_ord_5() -> None:
    """A late cancellation raced by the parcel's handover: the order stays cancelled."""
    order = OrderFacts(id=str(uuid4()))
    apply(order, confirmed)
    at = T0 + timedelta(days=4)
    order.apply(an_order_cancelled(order_id=order.id, reason="buyer_cancelled_late", at=at))
    apply(order, shipped, delivered, created)
    assert (order.status, order.cancel_reason, order.cancelled_at) == (
        "cancelled",
        "buyer_cancelled_late",
        at,
    )
    assert order.shipped_at is not None  # the facts are kept; the end is not undone


def test_a_cancellation_teaches_who_and_which_store_if_nothing_else_did_never_the_total() -> None:
    order = OrderFacts(id=str(uuid4()))
    order.apply(
        an_order_cancelled(
            order_id=order.id,
            reason="no_route",
            store_id="store-2",
            store_type="semi_managed",
            total=usd(900),
        )
    )
    assert (order.buyer_id, order.merchant_id, order.store_id, order.store_type) == (
        BUYER,
        MERCHANT,
        "store-2",
        "semi_managed",
    )
    assert (order.total, order.known) == (None, False)  # only the order's own events tell it
    assert order.categories == []  # a cancellation says nothing of the goods
    apply(order, created)  # the order's own events fill in the rest
    assert (order.total, order.categories) == (usd(1700), ["clothing", "food"])


def test_the_first_cancellation_gives_the_reason() -> None:
    order = OrderFacts(id=str(uuid4()))
    for reason, hours in (("buyer_cancelled_late", 5), ("not_shipped", 2)):
        at = T0 + timedelta(hours=hours)
        order.apply(an_order_cancelled(order_id=order.id, reason=reason, at=at))
    assert (order.cancel_reason, order.cancelled_at) == ("not_shipped", T0 + timedelta(hours=2))


def test_the_rest_of_the_total_is_held_once_for_a_cancellation() -> None:
    order = OrderFacts(id=str(uuid4()))
    order.apply(created(order.id))
    order.reserve_refund("c-1", usd(200), T0)
    assert order.reserve_the_rest("cancellation:o", T0) == (usd(1500), True)
    assert order.reserve_the_rest("cancellation:o", T0) == (usd(1500), False)  # a retry
    assert order.refundable_left() == usd(0)
    order.release_refund("cancellation:o")
    order.reserve_refund("c-2", usd(1500), T0)
    # Nothing left: decided now (to be stored), and kept: not decided anew after.
    assert order.reserve_the_rest("cancellation:o", T0) == (None, True)
    order.release_refund("c-2")
    assert order.reserve_the_rest("cancellation:o", T0) == (None, False)


def test_only_a_lost_exception_counts_as_reported_lost() -> None:
    order = OrderFacts(id=str(uuid4()))
    apply(order, confirmed)
    for kind, at in (
        ("damaged", T0),
        ("lost", T0 + timedelta(days=3)),
        ("lost", T0 + timedelta(days=5)),
    ):
        order.apply(a_shipment_exception(order_id=order.id, kind=kind, at=at))
    assert order.lost_reported_at == T0 + timedelta(days=3)


def test_refunds_add_up_to_the_total_and_no_further() -> None:
    order = OrderFacts(id=str(uuid4()))
    order.apply(created(order.id))
    order.reserve_refund("c-1", usd(1000), T0)
    order.reserve_refund("c-2", usd(700), T0)
    assert order.refunded == usd(1700)
    assert order.refundable_left() == usd(0)
    with pytest.raises(Conflict, match="0 USD"):
        order.reserve_refund("c-3", usd(1), T0)
    with pytest.raises(Invalid, match="EUR"):
        order.reserve_refund("c-4", Money(amount_minor=1, currency="EUR"), T0)


def test_refund_of_an_unknown_order_is_a_conflict() -> None:
    with pytest.raises(Conflict, match="not known"):
        OrderFacts(id=str(uuid4())).reserve_refund("c-1", usd(1), T0)


def test_facts_survive_a_round_trip_through_the_database_document() -> None:
    order = OrderFacts(id=str(uuid4()))
    apply(order, created, confirmed)
    order.apply(shipped(order.id))
    assert OrderFacts.from_document(order.to_document()) == order


def test_a_reservation_is_keyed_by_its_case() -> None:
    order = OrderFacts(id=str(uuid4()))
    order.apply(created(order.id))
    assert order.reserve_refund("c-1", usd(1000), T0) is True
    assert order.reserve_refund("c-1", usd(1000), T0) is False  # a retry holds nothing more
    with pytest.raises(Conflict, match="already holds a refund of 1000 USD"):
        order.reserve_refund("c-1", usd(900), T0)
    assert order.refundable_left() == usd(700)
    assert order.refundable_left(excluding_case="c-1") == usd(1700)
    assert order.release_refund("c-1") is True
    assert order.release_refund("c-1") is False
    assert order.refunded is None


@pytest.mark.parametrize("told", [created, confirmed])
@pytest.mark.parametrize(
    "total",
    [usd(10**12), usd(1699), Money(amount_minor=1700, currency="EUR")],
    ids=["a trillion", "a cent short", "another currency"],
)
def test_a_total_its_lines_do_not_add_up_to_is_refused(
    told: Callable[[str], OrderCreated | OrderConfirmed], total: Money
) -> None:
    """The total bounds every refund of the order (R-AS-2, R-ORD-5): it is its lines'."""
    order = OrderFacts(id=str(uuid4()))
    forged = told(order.id).model_copy(update={"total": total})
    before = order.model_dump()
    with pytest.raises(Implausible, match="not what its lines add up to, 1700 USD"):
        order.apply(forged)
    assert order.model_dump() == before


def approval(at: datetime = T0, **changes: Any) -> StoreApproved:
    return a_store_approved(at=at, **changes)


def test_a_stores_approval_is_taken_once_and_the_same_again_changes_nothing() -> None:
    store = StoreFacts.first(STORE, approval())
    assert store.approved_at == T0
    assert store.apply(approval()) is False


@pytest.mark.parametrize(
    "changes",
    [
        {"at": datetime(2000, 1, 1, tzinfo=UTC)},  # its exemption period long over
        {"at": T0 + timedelta(days=100)},  # a new exemption period
        {"merchant_id": "merchant-2"},
        {"store_type": "semi_managed"},
    ],
    ids=["earlier", "later", "another merchant", "another type"],
)
def test_a_second_approval_saying_otherwise_is_refused(changes: dict[str, Any]) -> None:
    """R-REV-6: a store is approved once; R-AS-2 counts its exemption from that date."""
    store = StoreFacts.first(STORE, approval())
    before = store.model_dump()
    with pytest.raises(Implausible, match="a store is approved once"):
        store.apply(approval(**changes))
    assert store.model_dump() == before


@pytest.mark.parametrize("apart", [timedelta(days=-1), CLOCK_SKEW + timedelta(milliseconds=1)])
def test_an_approval_dated_otherwise_than_its_event_is_refused(apart: timedelta) -> None:
    """R-AS-2: review records the approval as it approves; 2000-01-01 told today is not."""
    with pytest.raises(Implausible, match="an approval is told as it is made"):
        StoreFacts.refuse_backdated(approval(at=T0 + apart), T0)
    StoreFacts.refuse_backdated(approval(at=T0 - CLOCK_SKEW), T0)  # within the clocks' skew
