"""Logistics' write use cases through `bootstrap` on fake ports: `ship` (R-LOG-1, R-LOG-4,
R-LOG-5), `deliver` and `report_exception`, with the events each publishes and what each
refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from logistics.domain.model import Shipment
from logistics.domain.parties import InvalidTransition
from logistics.domain.shipment_parts import Handover, ReportedExceptionKind
from logistics.service_layer.commands import ShipShipment
from logistics.service_layer.events import shipment_id_of
from shared.auth import Principal
from shared.contract.events import Delivered, ShipmentException, Shipped
from shared.errors import Forbidden, NotFound
from testkit.factories import AN_OPERATOR, ANOTHER_MERCHANT, ORDER, THE_BUYER, THE_MERCHANT
from testkit.logistics_unit import (
    SEMI_ORDER,
    SEMI_SHIP_BY,
    UNROUTABLE_ORDER,
    WiredLogistics,
    the_shipment,
    with_three_shipments,
)

FULL, SEMI, UNROUTABLE = ORDER, SEMI_ORDER, UNROUTABLE_ORDER
PICKUP = ShipShipment("SF Express", "SF123456789", "pickup")


async def logistics() -> WiredLogistics:
    """Three shipments confirmed at T0: full-managed (FULL), semi-managed (SEMI) and one
    no route accepts (UNROUTABLE), all of MERCHANT's store and BUYER's."""
    app = await with_three_shipments()
    app.ports.published.clear()  # ShipmentCreated twice, the unroutable's ShipmentCancelled
    return app


async def ship(
    app: WiredLogistics, order_id: str, by: Principal, command: ShipShipment = PICKUP
) -> Shipment:
    return await app.services.commands.ship(shipment_id_of(order_id), by, command)


async def deliver(app: WiredLogistics, order_id: str, by: Principal) -> Shipment:
    return await app.services.commands.deliver(shipment_id_of(order_id), by)


async def report(
    app: WiredLogistics, order_id: str, by: Principal, kind: ReportedExceptionKind, note: str
) -> Shipment:
    return await app.services.commands.report_exception(shipment_id_of(order_id), by, kind, note)


@pytest.mark.parametrize(("order_id", "shipper"), [(FULL, AN_OPERATOR), (SEMI, THE_MERCHANT)])
async def test_shipping_publishes_shipped_with_tracking_and_the_delivery_window(
    order_id: str, shipper: Principal
) -> None:
    """R-LOG-1: an operator ships a full-managed order; R-LOG-4: the merchant its own
    semi-managed one. Both in time: not late."""
    app = await logistics()
    app.clock.set(SEMI_SHIP_BY - timedelta(hours=2))
    shipped = await ship(app, order_id, shipper)
    assert (shipped.status, shipped.carrier, shipped.tracking_number, shipped.handover) == (
        "shipped",
        "SF Express",
        "SF123456789",
        "pickup",
    )
    assert (shipped.shipped_at, shipped.late) == (app.clock.now(), False)
    assert shipped.estimated_delivery is not None
    assert app.ports.published_of(Shipped) == [
        Shipped(
            order_id=order_id,
            shipment_id=shipment_id_of(order_id),
            carrier="SF Express",
            tracking_number="SF123456789",
            shipped_at=app.clock.now(),
            estimated_delivery=shipped.estimated_delivery,
        )
    ]
    assert app.ports.published[0].correlation_id == order_id
    assert (await the_shipment(app, order_id)).status == "shipped"


@pytest.mark.parametrize(("handover", "late_by"), [("pickup", 6 * 3600), ("self_drop", None)])
async def test_a_handover_after_ship_by_is_late_unless_dropped_off_within_48_hours(
    handover: Handover, late_by: int | None
) -> None:
    """R-LOG-5: a pickup counts by `ship_by`; a self-drop by 48 hours after confirmation."""
    app = await logistics()
    app.clock.set(SEMI_SHIP_BY + timedelta(hours=6))
    shipped = await ship(app, SEMI, THE_MERCHANT, ShipShipment("UPS", "1Z999", handover))
    assert (shipped.late, shipped.late_by_seconds) == (late_by is not None, late_by)
    assert len(app.ports.published_of(Shipped)) == 1


@pytest.mark.parametrize(
    ("order_id", "shipper"),
    [
        pytest.param(FULL, THE_MERCHANT, id="R-LOG-1 full-managed by its merchant"),
        pytest.param(FULL, THE_BUYER, id="full-managed by its buyer"),
        pytest.param(SEMI, AN_OPERATOR, id="R-LOG-4 semi-managed by an operator"),
        pytest.param(SEMI, THE_BUYER, id="semi-managed by its buyer"),
    ],
)
async def test_shipping_by_the_wrong_party_is_forbidden(order_id: str, shipper: Principal) -> None:
    app = await logistics()
    with pytest.raises(Forbidden):
        await ship(app, order_id, shipper)
    assert (await the_shipment(app, order_id)).status == "awaiting_shipment"
    assert app.ports.published == []


@pytest.mark.parametrize("order_id", [FULL, SEMI])
async def test_another_merchants_shipment_cannot_be_shipped(order_id: str) -> None:
    app = await logistics()
    with pytest.raises(NotFound):
        await ship(app, order_id, ANOTHER_MERCHANT)
    assert app.ports.published == []


async def test_a_shipment_is_shipped_once() -> None:
    app = await logistics()
    await ship(app, FULL, AN_OPERATOR)
    with pytest.raises(InvalidTransition, match="cannot be shipped"):
        await ship(app, FULL, AN_OPERATOR, ShipShipment("DHL", "JD0002", "pickup"))
    assert [event.carrier for event in app.ports.published_of(Shipped)] == ["SF Express"]


async def test_a_shipment_cancelled_for_no_route_cannot_be_shipped() -> None:  # R-LOG-6
    app = await logistics()
    with pytest.raises(InvalidTransition, match=r"is cancelled \(no_route\)"):
        await ship(app, UNROUTABLE, AN_OPERATOR)
    assert app.ports.published == []


async def test_delivering_a_shipped_parcel_publishes_delivered() -> None:
    app = await logistics()
    await ship(app, FULL, AN_OPERATOR)
    app.clock.advance(timedelta(days=6))
    delivered = await deliver(app, FULL, AN_OPERATOR)
    assert (delivered.status, delivered.delivered_at) == ("delivered", app.clock.now())
    assert [step.status for step in delivered.history] == [
        "awaiting_shipment",
        "shipped",
        "delivered",
    ]
    assert app.ports.published_of(Delivered) == [
        Delivered(order_id=FULL, shipment_id=shipment_id_of(FULL), delivered_at=app.clock.now())
    ]


async def test_only_a_shipped_parcel_can_be_delivered() -> None:
    app = await logistics()
    with pytest.raises(InvalidTransition, match="only a shipped parcel"):
        await deliver(app, FULL, AN_OPERATOR)
    await ship(app, FULL, AN_OPERATOR)
    await deliver(app, FULL, AN_OPERATOR)
    with pytest.raises(InvalidTransition, match="is delivered"):
        await deliver(app, FULL, AN_OPERATOR)
    assert len(app.ports.published_of(Delivered)) == 1


async def test_another_partys_shipment_cannot_be_delivered_or_reported() -> None:
    app = await logistics()
    await ship(app, SEMI, THE_MERCHANT)
    with pytest.raises(NotFound):
        await deliver(app, SEMI, ANOTHER_MERCHANT)
    with pytest.raises(NotFound):
        await report(app, SEMI, ANOTHER_MERCHANT, "lost", "gone")
    assert (await the_shipment(app, SEMI)).status == "shipped"
    assert len(app.ports.published) == 1  # the Shipped alone


@pytest.mark.parametrize(
    ("shipped", "kind"), [(False, "lost"), (True, "damaged")], ids=["awaiting", "shipped"]
)
async def test_reporting_an_exception_publishes_it(
    shipped: bool, kind: ReportedExceptionKind
) -> None:
    app = await logistics()
    if shipped:
        await ship(app, FULL, AN_OPERATOR)
    app.clock.advance(timedelta(days=1))
    reported = await report(app, FULL, AN_OPERATOR, kind, "at the hub")
    assert (reported.status, reported.exception_kind) == ("exception", kind)
    assert reported.exception_note == "at the hub"
    assert app.ports.published_of(ShipmentException) == [
        ShipmentException(
            order_id=FULL,
            shipment_id=shipment_id_of(FULL),
            kind=kind,
            note="at the hub",
            reported_at=app.clock.now(),
        )
    ]


async def test_no_exception_after_delivery_nor_a_second_one() -> None:
    """A delivered parcel's damage is after-sales; a shipment in exception stays so."""
    app = await logistics()
    await ship(app, FULL, AN_OPERATOR)
    await deliver(app, FULL, AN_OPERATOR)
    with pytest.raises(InvalidTransition, match="is delivered"):
        await report(app, FULL, AN_OPERATOR, "damaged", "dent")
    await report(app, SEMI, AN_OPERATOR, "lost", "gone")
    with pytest.raises(InvalidTransition, match="is exception"):
        await report(app, SEMI, AN_OPERATOR, "damaged", "dent")
    assert [event.kind for event in app.ports.published_of(ShipmentException)] == ["lost"]
