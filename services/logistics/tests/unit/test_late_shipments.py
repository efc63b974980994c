"""Logistics' `late-shipments` job (`flag_late_shipments`), through `bootstrap` on fake
ports: a shipment still not handed over after its `ship_by` is flagged `ShipmentLate`
once (R-LOG-1 for full-managed, R-LOG-2 for semi-managed)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from logistics.bootstrap import LogisticsServices, bootstrap
from logistics.domain.model import Shipment
from logistics.service_layer.commands import ShipShipment
from logistics.service_layer.events import shipment_id_of
from logistics.settings import LogisticsSettings
from shared.app import Wiring
from shared.auth import Principal
from shared.clock import FixedClock
from shared.contract.events import ShipmentLate
from shared.testing import FakePorts
from testkit.factories import (
    MERCHANT,
    ORDER,
    T0,
    a_store_approved,
    a_warehouse,
    an_address,
    an_order_confirmed,
)

OPERATOR = Principal(sub="operator-1", role="operator")
OWNER = Principal(sub=MERCHANT, role="merchant")
MADRID = a_warehouse(country="ES", city="Madrid", timezone="Europe/Madrid")
#: R-LOG-1: a full-managed order confirmed at T0 is shipped within 3 days.
FULL_SHIP_BY = T0 + timedelta(days=3)
#: R-LOG-2, R-LOG-5: 1 handling day from Madrid, by 15:00 local time on 2 December.
SEMI_SHIP_BY = T0.replace(day=2, hour=14)
SEMI_ORDER = "order-semi"


@dataclass
class Logistics:
    """The service as `bootstrap` wires it on fake ports, at a clock the test moves."""

    ports: FakePorts
    wiring: Wiring
    clock: FixedClock

    @property
    def services(self) -> LogisticsServices:
        services: LogisticsServices = self.wiring.services
        return services

    async def flag_late_shipments(self) -> None:
        await dict(self.wiring.jobs)["late-shipments"]()

    async def shipment(self, order_id: str = ORDER) -> Shipment:
        return await self.services.commands.get_visible(shipment_id_of(order_id), OPERATOR)


async def logistics() -> Logistics:
    """A full-managed order (ORDER) and a semi-managed one (SEMI_ORDER), confirmed at T0."""
    clock = FixedClock(T0)
    ports = FakePorts("logistics", LogisticsSettings(), clock=clock)
    app = Logistics(ports, await bootstrap(ports), clock)
    store = a_store_approved(
        store_id="store-semi", store_type="semi_managed", warehouse=MADRID, handling_days=1
    )
    await ports.deliver(app.wiring, store, producer="review")
    semi = an_order_confirmed(order_id=SEMI_ORDER, store_id="store-semi", store_type="semi_managed")
    for order in (an_order_confirmed(), semi):
        await ports.deliver(app.wiring, order, producer="orders")
    return app


async def test_unshipped_shipments_past_ship_by_are_flagged_late() -> None:  # R-LOG-1, R-LOG-2
    app = await logistics()
    app.clock.set(FULL_SHIP_BY + timedelta(minutes=1))
    await app.flag_late_shipments()
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
    full = await app.shipment()
    assert (full.status, full.late, full.late_detected_at) == ("awaiting_shipment", True, now)
    assert (full.history[-1].status, full.history[-1].at) == ("late", now)
    assert (await app.shipment(SEMI_ORDER)).late


async def test_a_second_run_flags_no_shipment_twice() -> None:  # R-LOG-1, R-LOG-2
    app = await logistics()
    app.clock.set(FULL_SHIP_BY + timedelta(minutes=1))
    await app.flag_late_shipments()
    version = (await app.shipment()).version
    app.clock.advance(timedelta(hours=1))
    await app.flag_late_shipments()
    flagged = [event.order_id for event in app.ports.published_of(ShipmentLate)]
    assert sorted(flagged) == [ORDER, SEMI_ORDER]
    assert (await app.shipment()).version == version


async def test_a_shipment_not_yet_due_is_left_alone() -> None:
    """At its `ship_by` a shipment is still on time; only the semi-managed one, due a day
    earlier (R-LOG-2), is late."""
    app = await logistics()
    app.clock.set(FULL_SHIP_BY)
    await app.flag_late_shipments()
    assert [event.order_id for event in app.ports.published_of(ShipmentLate)] == [SEMI_ORDER]
    assert [event.ship_by for event in app.ports.published_of(ShipmentLate)] == [SEMI_SHIP_BY]
    full = await app.shipment()
    assert (full.late, full.late_detected_at) == (False, None)


async def test_nothing_is_late_before_the_first_ship_by() -> None:
    app = await logistics()
    app.clock.set(SEMI_SHIP_BY - timedelta(seconds=1))
    await app.flag_late_shipments()
    assert app.ports.published_of(ShipmentLate) == []


async def test_a_shipment_handed_over_in_time_is_never_flagged() -> None:  # R-LOG-1, R-LOG-4
    app = await logistics()
    commands = app.services.commands
    app.clock.set(SEMI_SHIP_BY - timedelta(hours=1))
    pickup = ShipShipment("UPS", "1Z999", "pickup")
    await commands.ship(shipment_id_of(ORDER), OPERATOR, pickup)
    await commands.ship(shipment_id_of(SEMI_ORDER), OWNER, pickup)
    app.clock.set(FULL_SHIP_BY + timedelta(days=1))
    await app.flag_late_shipments()
    assert app.ports.published_of(ShipmentLate) == []
    assert not (await app.shipment()).late


async def test_a_shipment_in_exception_is_never_flagged() -> None:
    """A lost parcel, or one no route accepts (R-LOG-6), has no handover to wait for."""
    app = await logistics()
    unroutable = an_order_confirmed(order_id="order-za", shipping_address=an_address(country="ZA"))
    await app.ports.deliver(app.wiring, unroutable, producer="orders")
    await app.services.commands.report_exception(
        shipment_id_of(ORDER), OPERATOR, "lost", "lost at the hub"
    )
    app.clock.set(FULL_SHIP_BY + timedelta(days=1))
    await app.flag_late_shipments()
    assert [event.order_id for event in app.ports.published_of(ShipmentLate)] == [SEMI_ORDER]


async def test_a_late_shipment_shipped_afterwards_records_how_late_it_was() -> None:  # R-LOG-5
    app = await logistics()
    app.clock.set(FULL_SHIP_BY + timedelta(hours=1))
    await app.flag_late_shipments()
    app.clock.set(FULL_SHIP_BY + timedelta(hours=3))
    pickup = ShipShipment("Cainiao", "CN123", "pickup")
    shipped = await app.services.commands.ship(shipment_id_of(ORDER), OPERATOR, pickup)
    assert (shipped.status, shipped.late, shipped.late_by_seconds) == ("shipped", True, 3 * 3600)
