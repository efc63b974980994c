"""Logistics' `late-shipments` job (`flag_late_shipments`), through `bootstrap` on fake
ports: a shipment still not handed over after its `ship_by` is flagged `ShipmentLate`
once (R-LOG-1 for full-managed, R-LOG-2 for semi-managed)."""

from __future__ import annotations

from datetime import timedelta

from logistics.service_layer.commands import ShipShipment
from logistics.service_layer.events import shipment_id_of
from shared.contract.events import ShipmentLate
from testkit.factories import AN_OPERATOR, ORDER, THE_MERCHANT
from testkit.logistics_unit import (
    FULL_SHIP_BY,
    SEMI_ORDER,
    SEMI_SHIP_BY,
    WiredLogistics,
    the_shipment,
    with_three_shipments,
    with_two_shipments,
)


async def flag_late_shipments(app: WiredLogistics) -> None:
    await app.run("late-shipments")


async def test_unshipped_shipments_past_ship_by_are_flagged_late() -> None:  # R-LOG-1, R-LOG-2
    app = await with_two_shipments()
    app.clock.set(FULL_SHIP_BY + timedelta(minutes=1))
    await flag_late_shipments(app)
    now = app.clock.now()
    flagged = sorted(app.ports.published_of(ShipmentLate), key=lambda event: event.order_id)
    assert flagged == [
        ShipmentLate(
            order_id=order_id,
            shipment_id=shipment_id_of(order_id),
            ship_by=ship_by,
            detected_at=now,
        )
        for order_id, ship_by in ((ORDER, FULL_SHIP_BY), (SEMI_ORDER, SEMI_SHIP_BY))
    ]
    full = await the_shipment(app)
    assert (full.status, full.late, full.late_detected_at) == ("awaiting_shipment", True, now)
    assert (full.history[-1].status, full.history[-1].at) == ("late", now)
    assert (await the_shipment(app, SEMI_ORDER)).late


async def test_a_second_run_flags_no_shipment_twice() -> None:  # R-LOG-1, R-LOG-2
    app = await with_two_shipments()
    app.clock.set(FULL_SHIP_BY + timedelta(minutes=1))
    await flag_late_shipments(app)
    version = (await the_shipment(app)).version
    app.clock.advance(timedelta(hours=1))
    await flag_late_shipments(app)
    flagged = [event.order_id for event in app.ports.published_of(ShipmentLate)]
    assert sorted(flagged) == [ORDER, SEMI_ORDER]
    assert (await the_shipment(app)).version == version


async def test_a_shipment_not_yet_due_is_left_alone() -> None:
    """At its `ship_by` a shipment is still on time; only the semi-managed one, due a day
    earlier (R-LOG-2), is late."""
    app = await with_two_shipments()
    app.clock.set(FULL_SHIP_BY)
    await flag_late_shipments(app)
    assert [event.order_id for event in app.ports.published_of(ShipmentLate)] == [SEMI_ORDER]
    assert [event.ship_by for event in app.ports.published_of(ShipmentLate)] == [SEMI_SHIP_BY]
    full = await the_shipment(app)
    assert (full.late, full.late_detected_at) == (False, None)


async def test_nothing_is_late_before_the_first_ship_by() -> None:
    app = await with_two_shipments()
    app.clock.set(SEMI_SHIP_BY - timedelta(seconds=1))
    await flag_late_shipments(app)
    assert app.ports.published_of(ShipmentLate) == []


async def test_a_shipment_handed_over_in_time_is_never_flagged() -> None:  # R-LOG-1, R-LOG-4
    app = await with_two_shipments()
    commands = app.services.commands
    app.clock.set(SEMI_SHIP_BY - timedelta(hours=1))
    pickup = ShipShipment("UPS", "1Z999", "pickup")
    await commands.ship(shipment_id_of(ORDER), AN_OPERATOR, pickup)
    await commands.ship(shipment_id_of(SEMI_ORDER), THE_MERCHANT, pickup)
    app.clock.set(FULL_SHIP_BY + timedelta(days=1))
    await flag_late_shipments(app)
    assert app.ports.published_of(ShipmentLate) == []
    assert not (await the_shipment(app)).late


async def test_a_shipment_in_exception_is_never_flagged() -> None:
    """A lost parcel has no handover to wait for; one no route accepts (R-LOG-6) is
    cancelled (R-ORD-5)."""
    app = await with_three_shipments()
    await app.services.commands.report_exception(
        shipment_id_of(ORDER), AN_OPERATOR, "lost", "lost at the hub"
    )
    app.clock.set(FULL_SHIP_BY + timedelta(days=1))
    await flag_late_shipments(app)
    assert [event.order_id for event in app.ports.published_of(ShipmentLate)] == [SEMI_ORDER]


async def test_a_late_shipment_shipped_afterwards_records_how_late_it_was() -> None:  # R-LOG-5
    app = await with_two_shipments()
    app.clock.set(FULL_SHIP_BY + timedelta(hours=1))
    await flag_late_shipments(app)
    app.clock.set(FULL_SHIP_BY + timedelta(hours=3))
    pickup = ShipShipment("Cainiao", "CN123", "pickup")
    shipped = await app.services.commands.ship(shipment_id_of(ORDER), AN_OPERATOR, pickup)
    assert (shipped.status, shipped.late, shipped.late_by_seconds) == ("shipped", True, 3 * 3600)
