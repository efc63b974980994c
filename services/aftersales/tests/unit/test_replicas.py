"""Aftersales' replicas through its bootstrap (no engine, no broker): a store's newest
approval wins; an order's facts merge in any order; a stale redelivery changes nothing and
writes nothing."""

from __future__ import annotations

from datetime import timedelta

from testkit.aftersales_unit import an_aftersales_service, the_order, the_store
from testkit.factories import T0, a_delivered, a_shipped, a_store_approved


async def test_a_stores_newest_approval_wins_and_a_stale_one_changes_nothing() -> None:
    wired = await an_aftersales_service()
    first = a_store_approved(at=T0, store_type="semi_managed")
    later = a_store_approved(at=T0 + timedelta(days=3), store_type="full_managed")
    # The older arrives late; the newer one twice (sent again, under a new envelope).
    for event in (later, first, later):
        await wired.deliver(event, at=event.approved_at)
    store = await the_store(wired)
    assert (store.store_type, store.approved_at) == ("full_managed", later.approved_at)
    assert store.version == 1  # neither the stale one nor the one sent again wrote


async def test_an_orders_facts_merge_in_any_order_and_a_redelivery_writes_nothing() -> None:
    wired = await an_aftersales_service()
    shipped = a_shipped(at=T0)
    delivered = a_delivered(at=T0 + timedelta(days=4))
    await wired.deliver(delivered, at=delivered.delivered_at)
    envelope = await wired.deliver(shipped, at=shipped.shipped_at)
    written = await the_order(wired)
    # The same envelope again, then the same fact under a new envelope: no write.
    await wired.deliver(shipped, envelope=envelope)
    await wired.deliver(shipped, at=shipped.shipped_at)
    order = await the_order(wired)
    assert order.version == written.version == 2
    assert (order.status, order.shipped_at) == ("delivered", T0)
    assert order.delivered_at == delivered.delivered_at
