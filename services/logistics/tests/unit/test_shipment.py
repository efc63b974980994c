"""The shipment aggregate: creation from a confirmed order and its transitions. Its
cancellations (R-ORD-5) and late deliveries (R-LOG-8) are in test_shipment_cancellation.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from logistics.domain.model import Shipment
from logistics.domain.parties import InvalidTransition, may_ship
from shared.contract.events import (
    Delivered,
    OrderConfirmed,
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentException,
    ShipmentLate,
    Shipped,
)
from shared.contract.types import StoreType
from testkit.factories import a_us_warehouse
from testkit.logistics_unit import CONFIRMED_AT, POLICY, a_shipment, mugs_to_new_york

NOW = CONFIRMED_AT + timedelta(seconds=1)


def _order(store_type: StoreType, weight_grams: int = 400) -> OrderConfirmed:
    """Two mugs of `weight_grams` each, to New York."""
    return mugs_to_new_york(store_type, quantity=2, weight_grams=weight_grams)


def _shipment(order: OrderConfirmed, shipment_id: str = "shp-1") -> Shipment:
    """Planned at NOW, without a warehouse."""
    return a_shipment(order, shipment_id=shipment_id, now=NOW)


def _planned() -> Shipment:
    """A semi-managed order's shipment: from Newark, 2 handling days."""
    order = _order("semi_managed")
    return a_shipment(
        order,
        handling_days=2,
        warehouse=a_us_warehouse(),
        shipment_id=f"shp-{uuid.uuid4()}",
        now=NOW,
    )


def _semi() -> Shipment:
    """`_planned`, its `ShipmentCreated` taken (as the repository takes it when storing it)."""
    shipment = _planned()
    shipment.pull_events()
    return shipment


def test_semi_managed_shipment_gets_route_deadline_and_window() -> None:
    # R-ORD-4, R-LOG-2, R-LOG-3, R-LOG-5
    shipment = _planned()
    assert shipment.status == "awaiting_shipment"
    assert shipment.route == "semi-na-ground"
    assert shipment.weight_grams == 800
    assert shipment.ship_by == datetime(2026, 3, 11, 19, 0, tzinfo=UTC)
    assert shipment.self_drop_by == CONFIRMED_AT + timedelta(hours=POLICY.self_drop_hours)
    assert shipment.estimated_delivery is not None
    assert shipment.estimated_delivery.earliest == CONFIRMED_AT.date() + timedelta(days=4)
    assert shipment.estimated_delivery.latest == CONFIRMED_AT.date() + timedelta(days=9)
    assert [(step.status, step.at) for step in shipment.history] == [("awaiting_shipment", NOW)]
    assert shipment.pull_events() == [
        ShipmentCreated(
            order_id=shipment.order_id,
            shipment_id=shipment.id,
            store_id=shipment.store_id,
            merchant_id=shipment.merchant_id,
            store_type="semi_managed",
            route="semi-na-ground",
            ship_by=shipment.ship_by,
            estimated_delivery=shipment.estimated_delivery,
            created_at=NOW,
        )
    ]


def test_full_managed_shipment_ships_from_china() -> None:
    # R-LOG-1
    shipment = _shipment(_order("full_managed"))
    assert shipment.route == "full-cn-express"
    assert shipment.ship_by == CONFIRMED_AT + timedelta(days=POLICY.full_managed_ship_days_max)
    assert shipment.self_drop_by is None


def test_no_route_creates_the_shipment_cancelled() -> None:
    # R-LOG-6: no line accepts 60 kg; R-ORD-5: the shipment is cancelled (`no_route`).
    order = _order("full_managed", weight_grams=30_000)
    shipment = _shipment(order, "shp-2")
    assert (shipment.status, shipment.cancel_reason, shipment.cancelled_at) == (
        "cancelled",
        "no_route",
        NOW,
    )
    assert (shipment.exception_kind, shipment.ship_by, shipment.route) == (None, None, None)
    assert [(step.status, step.at) for step in shipment.history] == [("cancelled", NOW)]
    assert shipment.pull_events() == [
        ShipmentCancelled(
            order_id=order.order_id,
            shipment_id="shp-2",
            reason="no_route",
            note="no route accepts 60000 g to US",
            cancelled_at=NOW,
        )
    ]


def test_semi_managed_store_without_warehouse_is_cancelled_not_a_crash() -> None:
    # R-LOG-2: the origin is the store's overseas warehouse; R-ORD-5 `no_route`.
    shipment = _shipment(_order("semi_managed"), "shp-3")
    assert (shipment.status, shipment.cancel_reason) == ("cancelled", "no_route")
    assert shipment.cancel_note == "the store's warehouse or handling time is unknown"
    assert [type(event) for event in shipment.pull_events()] == [ShipmentCancelled]


def test_ship_records_shipped_with_the_window() -> None:
    # R-LOG-4, R-LOG-5
    shipment = _semi()
    shipment.ship("ups", "1Z999", "pickup", NOW + timedelta(hours=5))
    assert shipment.status == "shipped"
    assert (shipment.carrier, shipment.tracking_number, shipment.handover) == (
        "ups",
        "1Z999",
        "pickup",
    )
    [event] = shipment.pull_events()
    assert isinstance(event, Shipped)
    assert event.estimated_delivery == shipment.estimated_delivery
    assert event.shipped_at == NOW + timedelta(hours=5)


def test_shipping_twice_is_an_invalid_transition() -> None:
    shipment = _semi()
    shipment.ship("ups", "1Z999", "self_drop", NOW)
    with pytest.raises(InvalidTransition, match="shipped"):
        shipment.ship("ups", "1Z999", "self_drop", NOW)


def test_an_exception_shipment_cannot_be_shipped() -> None:
    shipment = _semi()
    shipment.report_exception("damaged", "box crushed in the warehouse", NOW)
    with pytest.raises(InvalidTransition):
        shipment.ship("ups", "1Z999", "pickup", NOW)


def test_deliver_only_after_shipping() -> None:
    shipment = _semi()
    with pytest.raises(InvalidTransition, match="only a shipped parcel"):
        shipment.deliver(NOW)
    shipment.ship("ups", "1Z999", "pickup", NOW)
    shipment.pull_events()
    shipment.deliver(NOW + timedelta(days=3))
    assert shipment.status == "delivered"
    [event] = shipment.pull_events()
    assert isinstance(event, Delivered)
    assert event.delivered_at == NOW + timedelta(days=3)


def test_lost_in_transit_is_reported() -> None:
    shipment = _semi()
    shipment.ship("ups", "1Z999", "pickup", NOW)
    shipment.pull_events()
    shipment.report_exception("lost", "no scan for 10 days", NOW + timedelta(days=10))
    assert (shipment.status, shipment.exception_kind) == ("exception", "lost")
    [event] = shipment.pull_events()
    assert isinstance(event, ShipmentException)
    assert event.note == "no scan for 10 days"


def test_no_exception_after_delivery() -> None:
    # R-AS-1: problems after delivery are after-sales cases.
    shipment = _semi()
    shipment.ship("ups", "1Z999", "pickup", NOW)
    shipment.deliver(NOW)
    with pytest.raises(InvalidTransition):
        shipment.report_exception("damaged", "arrived broken", NOW)


def test_late_shipment_is_detected_once() -> None:
    shipment = _semi()
    assert shipment.ship_by is not None
    assert not shipment.detect_late(shipment.ship_by)
    assert shipment.detect_late(shipment.ship_by + timedelta(minutes=1))
    assert not shipment.detect_late(shipment.ship_by + timedelta(hours=1))
    [event] = shipment.pull_events()
    assert isinstance(event, ShipmentLate)


def test_who_may_ship() -> None:
    # R-LOG-1: the platform ships full-managed; R-LOG-4: the owning merchant semi-managed.
    assert may_ship("full_managed", "operator", "op-1", "m-1")
    assert not may_ship("full_managed", "merchant", "m-1", "m-1")
    assert may_ship("semi_managed", "merchant", "m-1", "m-1")
    assert not may_ship("semi_managed", "merchant", "m-2", "m-1")
    assert not may_ship("semi_managed", "operator", "op-1", "m-1")
    assert not may_ship("semi_managed", "buyer", "m-1", "m-1")


def test_shipment_round_trips_through_a_document() -> None:
    shipment = _semi()
    assert Shipment.from_document(shipment.to_document()) == shipment
