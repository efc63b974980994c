"""Aftersales' replicas through its bootstrap (no engine, no broker): a store's newest
approval wins; an order's facts merge in any order; a stale redelivery changes nothing and
writes nothing."""

from __future__ import annotations

from datetime import timedelta

from aftersales.bootstrap import AftersalesServices, bootstrap
from shared.app import Wiring
from shared.clock import FixedClock
from shared.testing import FakePorts
from testkit.factories import ORDER, STORE, T0, a_delivered, a_shipped, a_store_approved


async def aftersales() -> tuple[FakePorts, Wiring, AftersalesServices]:
    ports = FakePorts("aftersales", clock=FixedClock(T0))
    wiring = await bootstrap(ports)
    services: AftersalesServices = wiring.services
    return ports, wiring, services


async def test_a_stores_newest_approval_wins_and_a_stale_one_changes_nothing() -> None:
    ports, wiring, services = await aftersales()
    first = a_store_approved(at=T0, store_type="semi_managed")
    later = a_store_approved(at=T0 + timedelta(days=3), store_type="full_managed")
    # The older arrives late; the newer one twice (sent again, under a new envelope).
    for event in (later, first, later):
        await ports.deliver(wiring, event, producer="review", at=event.approved_at)
    store = await services.events.stores.get(STORE)
    assert store is not None
    assert (store.store_type, store.approved_at) == ("full_managed", later.approved_at)
    assert store.version == 1  # neither the stale one nor the one sent again wrote


async def test_an_orders_facts_merge_in_any_order_and_a_redelivery_writes_nothing() -> None:
    ports, wiring, services = await aftersales()
    shipped = a_shipped(at=T0)
    delivered = a_delivered(at=T0 + timedelta(days=4))
    await ports.deliver(wiring, delivered, producer="logistics", at=delivered.delivered_at)
    envelope = await ports.deliver(wiring, shipped, producer="logistics", at=shipped.shipped_at)
    written = await services.events.orders.get(ORDER)
    assert written is not None
    # The same envelope again, then the same fact under a new envelope: no write.
    await ports.deliver(wiring, shipped, producer="logistics", envelope=envelope)
    await ports.deliver(wiring, shipped, producer="logistics", at=shipped.shipped_at)
    order = await services.events.orders.get(ORDER)
    assert order is not None
    assert order.version == written.version == 2
    assert (order.status, order.shipped_at) == ("delivered", T0)
    assert order.delivered_at == delivered.delivered_at
