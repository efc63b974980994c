"""R-LOG-8: the delivery window of R-LOG-3 is a commitment. A semi-managed parcel
delivered after its window's latest date, counted in the destination's local date (the
zone the window is dated in), is late, with its days late on the shipment and on
`Delivered`; a full-managed one is never late by this rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from logistics.domain.deadlines import days_late
from logistics.entrypoints.schemas import ShipmentPublic
from logistics.service_layer.events import shipment_id_of
from shared.contract.events import Delivered, DeliveryWindow
from testkit.factories import AN_OPERATOR, ORDER
from testkit.logistics_unit import (
    SEMI_ORDER,
    SEMI_SHIP_BY,
    WiredLogistics,
    ship_it,
    with_two_shipments,
)

#: SEMI_ORDER's window in Madrid (R-LOG-3): 2-5 working days after its ship-by.
SEMI_WINDOW = DeliveryWindow(earliest=date(2026, 12, 4), latest=date(2026, 12, 10))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC time in December 2026."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("country", "delivered_at", "late_by"),
    [
        pytest.param("ES", at(10, 22, 59), 0, id="23:59 in Madrid on the latest date"),
        pytest.param("ES", at(10, 23, 0), 1, id="midnight in Madrid, still the 10th in UTC"),
        pytest.param("ES", at(13, 12), 3, id="three days after"),
        pytest.param("US", at(11, 4, 59), 0, id="23:59 in New York, the 11th in UTC"),
        pytest.param("US", at(11, 5, 0), 1, id="midnight in New York"),
        pytest.param("ES", at(5, 9), 0, id="within the window"),
    ],
)
def test_days_late_count_in_the_destinations_local_date(
    country: str, delivered_at: datetime, late_by: int
) -> None:  # R-LOG-8, R-LOG-3
    assert days_late(delivered_at, date(2026, 12, 10), country) == late_by


async def shipped(app: WiredLogistics, order_id: str) -> None:
    app.clock.set(SEMI_SHIP_BY - timedelta(hours=1))
    await ship_it(app, order_id)


async def deliver(app: WiredLogistics, order_id: str, when: datetime) -> ShipmentPublic:
    app.clock.set(when)
    shipment_id = shipment_id_of(order_id)
    delivered = await app.services.commands.deliver(shipment_id, AN_OPERATOR)
    return ShipmentPublic.of(delivered, app.clock.now())


@pytest.mark.parametrize(
    ("delivered_at", "late_by"),
    [
        pytest.param(at(10, 22, 59), 0, id="on the latest date, Madrid time"),
        pytest.param(at(10, 23, 0), 1, id="the day after, Madrid time"),
        pytest.param(at(14, 10), 4, id="four days after"),
    ],
)
async def test_a_semi_managed_delivery_after_its_window_is_late_by_its_days(
    delivered_at: datetime, late_by: int
) -> None:  # R-LOG-8
    app = await with_two_shipments()
    await shipped(app, SEMI_ORDER)
    delivered = await deliver(app, SEMI_ORDER, delivered_at)
    assert delivered.estimated_delivery == SEMI_WINDOW
    assert (delivered.status, delivered.late_delivery, delivered.days_late) == (
        "delivered",
        late_by > 0,
        late_by,
    )
    assert app.ports.published_of(Delivered) == [
        Delivered(
            order_id=SEMI_ORDER,
            shipment_id=shipment_id_of(SEMI_ORDER),
            delivered_at=delivered_at,
            late=late_by > 0,
            days_late=late_by,
        )
    ]
    note = delivered.history[-1].note
    assert note == (f"{late_by} day(s) after its window's latest date" if late_by else None)


async def test_a_full_managed_delivery_is_never_late_by_this_rule() -> None:  # R-LOG-8
    app = await with_two_shipments()
    await shipped(app, ORDER)
    delivered = await deliver(app, ORDER, at(30, 12))  # two weeks after its window
    assert delivered.estimated_delivery is not None
    assert delivered.estimated_delivery.latest < date(2026, 12, 30)
    assert (delivered.late_delivery, delivered.days_late) == (False, 0)
    [event] = app.ports.published_of(Delivered)
    assert (event.late, event.days_late) == (False, 0)


async def test_a_shipment_not_yet_delivered_shows_no_late_delivery() -> None:
    app = await with_two_shipments()
    await shipped(app, SEMI_ORDER)
    shipment = await app.services.commands.get_visible(shipment_id_of(SEMI_ORDER), AN_OPERATOR)
    shown = ShipmentPublic.of(shipment, app.clock.now())
    assert (shown.late_delivery, shown.seconds_left, shipment.days_late) == (False, None, 0)
