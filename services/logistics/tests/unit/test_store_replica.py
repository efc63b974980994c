"""Logistics' store replica through its `StoreApproved` handler, as `bootstrap` wires it on
fake ports (no engine, no broker): the newest approval wins, a stale redelivery changes
nothing (R-LOG-2)."""

from __future__ import annotations

from datetime import timedelta

from logistics.bootstrap import LogisticsServices, bootstrap
from logistics.domain.stores import StoreFacts
from logistics.service_layer.events import shipment_id_of
from logistics.settings import LogisticsSettings
from shared.app import Wiring
from shared.auth import Principal
from shared.clock import FixedClock
from shared.contract.events import StoreApproved
from shared.testing import FakePorts
from testkit.factories import (
    MERCHANT,
    ORDER,
    STORE,
    T0,
    a_store_approved,
    a_warehouse,
    an_order_confirmed,
)

MADRID = a_warehouse(country="ES", city="Madrid", timezone="Europe/Madrid")


async def logistics() -> tuple[FakePorts, Wiring]:
    ports = FakePorts("logistics", LogisticsSettings(), clock=FixedClock(T0))
    return ports, await bootstrap(ports)


def approval(handling_days: int, at: timedelta = timedelta(0)) -> StoreApproved:
    return a_store_approved(
        store_type="semi_managed", warehouse=MADRID, handling_days=handling_days, at=T0 + at
    )


async def facts(wiring: Wiring) -> StoreFacts:
    services: LogisticsServices = wiring.services
    found = await services.events.stores.get(STORE)
    assert found is not None
    return found


async def deliver(ports: FakePorts, wiring: Wiring, event: StoreApproved) -> None:
    """As review publishes it: the envelope occurs when the store was approved."""
    await ports.deliver(wiring, event, producer="review", at=event.approved_at)


async def test_the_approval_keeps_what_a_shipment_needs() -> None:  # R-LOG-2
    ports, wiring = await logistics()
    await deliver(ports, wiring, approval(2))
    stored = await facts(wiring)
    assert (stored.merchant_id, stored.store_type) == (MERCHANT, "semi_managed")
    assert (stored.handling_days, stored.warehouse, stored.approved_at) == (2, MADRID, T0)
    assert ports.published == []  # a replica publishes nothing


async def test_a_stale_approval_redelivered_changes_nothing() -> None:
    ports, wiring = await logistics()
    older, newer = approval(1), approval(2, at=timedelta(days=1))
    for event in (older, newer, older):
        await deliver(ports, wiring, event)
    stored = await facts(wiring)
    assert (stored.handling_days, stored.approved_at, stored.version) == (2, newer.approved_at, 2)


async def test_the_same_envelope_delivered_twice_is_taken_once() -> None:
    ports, wiring = await logistics()
    envelope = await ports.deliver(wiring, approval(1), producer="review", at=T0)
    await ports.deliver(wiring, approval(1), producer="review", envelope=envelope)
    assert (await facts(wiring)).version == 1


async def test_the_newest_approval_wins_whatever_the_arrival_order() -> None:
    ports, wiring = await logistics()
    await deliver(ports, wiring, approval(2, at=timedelta(days=1)))
    await deliver(ports, wiring, approval(1))
    stored = await facts(wiring)
    assert (stored.handling_days, stored.approved_at, stored.version) == (
        2,
        T0 + timedelta(days=1),
        1,
    )


async def test_a_later_order_is_planned_with_the_newest_handling_days() -> None:
    """R-LOG-2: confirmed on Wednesday 2 December, 09:00 in Madrid, with the newest 2
    handling days, not the stale 1: picked up by 15:00 on Friday 4 December, not Thursday."""
    ports, wiring = await logistics()
    for event in (approval(1), approval(2, at=timedelta(days=1)), approval(1)):
        await deliver(ports, wiring, event)
    order = an_order_confirmed(store_type="semi_managed", at=T0 + timedelta(days=1))
    await ports.deliver(wiring, order, producer="orders")
    services: LogisticsServices = wiring.services
    operator = Principal(sub="operator-1", role="operator")
    shipment = await services.commands.get_visible(shipment_id_of(ORDER), operator)
    assert shipment.ship_by == T0.replace(day=4, hour=14)
