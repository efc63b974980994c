"""The shipment aggregate's end when it will never ship (R-ORD-5), with no I/O: cancelled
when not handed over by `ship_by` + `SHIP_GRACE_HOURS` (`not_shipped`) or when its order
is cancelled (`order_cancelled`); a cancelled shipment is final. Its race with the handover
(one wins) is here as pure decisions, and through the versioned write in
test_cancellations.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from logistics.domain.model import Shipment
from logistics.domain.parties import InvalidTransition
from shared.contract.events import (
    CancelReason,
    OrderConfirmed,
    ShipmentCancelled,
    ShipmentException,
    Shipped,
)
from shared.policy import Policy
from testkit.factories import a_us_warehouse
from testkit.logistics_unit import CONFIRMED_AT, POLICY, a_shipment, mugs_to_new_york


def _order() -> OrderConfirmed:
    return mugs_to_new_york("semi_managed")


def _planned() -> Shipment:
    """A mug to New York from Newark, 1 handling day, its `ShipmentCreated` taken."""
    shipment = a_shipment(_order(), handling_days=1, warehouse=a_us_warehouse())
    shipment.pull_events()
    return shipment


def _cancel_at(shipment: Shipment, policy: Policy = POLICY) -> timedelta:
    """How long after the confirmation the shipment's `not_shipped` deadline is."""
    assert shipment.ship_by is not None
    return shipment.ship_by + timedelta(hours=policy.ship_grace_hours) - CONFIRMED_AT


def test_a_shipment_not_handed_over_past_its_grace_is_cancelled_once() -> None:
    """R-ORD-5 `not_shipped`: at `ship_by` + 72 h it is still in time; after it, cancelled,
    once."""
    shipment = _planned()
    assert shipment.ship_by is not None
    deadline = shipment.ship_by + timedelta(hours=72)
    assert not shipment.cancel_if_not_shipped(deadline, POLICY)
    assert shipment.cancel_if_not_shipped(deadline + timedelta(seconds=1), POLICY)
    assert not shipment.cancel_if_not_shipped(deadline + timedelta(hours=1), POLICY)
    assert (shipment.status, shipment.cancel_reason, shipment.cancelled_at) == (
        "cancelled",
        "not_shipped",
        deadline + timedelta(seconds=1),
    )
    note = f"not handed over by {deadline:%Y-%m-%d %H:%M} UTC, 72 h past its ship-by"
    assert shipment.cancel_note == note
    assert (shipment.history[-1].status, shipment.history[-1].at) == (
        "cancelled",
        deadline + timedelta(seconds=1),
    )
    assert shipment.pull_events() == [
        ShipmentCancelled(
            order_id=shipment.order_id,
            shipment_id=shipment.id,
            reason="not_shipped",
            note=note,
            cancelled_at=deadline + timedelta(seconds=1),
        )
    ]


def test_the_grace_comes_from_the_policy() -> None:  # R-ORD-5, R-POL-1
    shipment = _planned()
    policy = Policy(ship_grace_hours=1)
    assert shipment.ship_by is not None
    assert not shipment.cancel_if_not_shipped(shipment.ship_by + timedelta(hours=1), policy)
    assert shipment.cancel_if_not_shipped(shipment.ship_by + timedelta(hours=1, seconds=1), policy)


def test_a_parcel_lost_before_its_handover_is_cancelled_too() -> None:
    """R-ORD-5: reported lost in the warehouse, it will never be handed over."""
    shipment = _planned()
    shipment.report_exception("lost", "not found in the warehouse", CONFIRMED_AT)
    late = CONFIRMED_AT + _cancel_at(shipment) + timedelta(minutes=1)
    assert shipment.cancel_if_not_shipped(late, POLICY)
    assert (shipment.status, shipment.cancel_reason) == ("cancelled", "not_shipped")


@pytest.mark.parametrize("then", ["shipped", "lost in transit", "delivered"])
def test_a_parcel_handed_over_is_never_cancelled_as_not_shipped(then: str) -> None:
    shipment = _planned()
    assert shipment.ship_by is not None
    shipment.ship("UPS", "1Z999", "pickup", shipment.ship_by + timedelta(hours=70))
    if then == "lost in transit":
        shipment.report_exception("lost", "no scan", shipment.ship_by + timedelta(hours=71))
    if then == "delivered":
        shipment.deliver(shipment.ship_by + timedelta(hours=71))
    assert not shipment.cancel_if_not_shipped(shipment.ship_by + timedelta(days=30), POLICY)
    assert shipment.cancel_reason is None


def test_ship_first_then_the_cancel_decides_nothing() -> None:
    """The race, the handover first: the cancel, deciding on the shipped shipment, does
    nothing (the versioned write makes the loser decide on the winner's state)."""
    shipment = _planned()
    late = CONFIRMED_AT + _cancel_at(shipment) + timedelta(seconds=1)
    shipment.ship("UPS", "1Z999", "self_drop", late)
    assert not shipment.cancel_if_not_shipped(late, POLICY)
    assert shipment.status == "shipped"
    assert [type(event) for event in shipment.pull_events()] == [Shipped]


def test_cancel_first_then_the_handover_is_refused() -> None:
    """The race, the cancel first: shipping a cancelled shipment is an invalid transition
    (409), and records nothing."""
    shipment = _planned()
    late = CONFIRMED_AT + _cancel_at(shipment) + timedelta(seconds=1)
    assert shipment.cancel_if_not_shipped(late, POLICY)
    with pytest.raises(InvalidTransition, match=r"is cancelled \(not_shipped\), it cannot be"):
        shipment.ship("UPS", "1Z999", "pickup", late)
    with pytest.raises(InvalidTransition, match=r"is cancelled \(not_shipped\), no exception"):
        shipment.report_exception("damaged", "crushed", late)
    with pytest.raises(InvalidTransition, match="is cancelled"):
        shipment.deliver(late)
    assert [type(event) for event in shipment.pull_events()] == [ShipmentCancelled]


@pytest.mark.parametrize("reason", ["no_route", "not_shipped", "buyer_cancelled_late"])
def test_its_order_cancelled_cancels_a_shipment_not_handed_over(reason: CancelReason) -> None:
    shipment = _planned()
    now = CONFIRMED_AT + timedelta(days=3)
    assert shipment.cancel_for_order(reason, now) == "cancelled"
    assert (shipment.status, shipment.cancel_reason, shipment.cancel_note) == (
        "cancelled",
        "order_cancelled",
        f"order cancelled ({reason})",
    )
    assert shipment.cancel_for_order(reason, now) == "already_cancelled"
    [event] = shipment.pull_events()
    assert isinstance(event, ShipmentCancelled)
    assert (event.reason, event.cancelled_at) == ("order_cancelled", now)


def test_its_order_cancelled_after_the_handover_is_only_noted() -> None:
    """R-ORD-5 against a handover at the same time: the parcel travels on, the history
    says the order was cancelled (the buyer's refund stands)."""
    shipment = _planned()
    shipment.ship("UPS", "1Z999", "pickup", CONFIRMED_AT + timedelta(hours=2))
    shipment.pull_events()
    now = CONFIRMED_AT + timedelta(hours=3)
    assert shipment.cancel_for_order("buyer_cancelled_late", now) == "handed_over"
    assert (shipment.status, shipment.cancel_reason) == ("shipped", None)
    last = shipment.history[-1]
    assert (last.status, last.at, last.note) == (
        "order_cancelled",
        now,
        "order cancelled (buyer_cancelled_late) after the handover: the parcel travels on",
    )
    assert shipment.pull_events() == []


def test_an_exception_reported_before_its_handover_is_cancelled_with_its_order() -> None:
    shipment = _planned()
    shipment.report_exception("damaged", "crushed in the warehouse", CONFIRMED_AT)
    assert [type(event) for event in shipment.pull_events()] == [ShipmentException]
    assert shipment.cancel_for_order("not_shipped", CONFIRMED_AT) == "cancelled"
    assert shipment.status == "cancelled"


def test_a_cancelled_shipment_round_trips_through_a_document() -> None:
    shipment = _planned()
    shipment.cancel_for_order("buyer_cancelled_late", CONFIRMED_AT)
    shipment.pull_events()
    assert Shipment.from_document(shipment.to_document()) == shipment
