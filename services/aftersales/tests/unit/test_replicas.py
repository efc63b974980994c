"""Aftersales' replicas through its bootstrap (no engine, no broker): a store is approved
once, the same approval sent again writes nothing; an order's facts merge in any order
once what each needs is known; a stale redelivery changes nothing and writes nothing."""

from __future__ import annotations

from datetime import timedelta

from testkit.aftersales_unit import an_aftersales_service, the_order, the_store
from testkit.factories import T0, a_delivered, a_shipped, a_store_approved, an_order_confirmed


async def test_a_stores_approval_sent_again_or_stale_changes_nothing() -> None:
    wired = await an_aftersales_service()
    wired.clock.set(T0 + timedelta(days=3))
    approval = a_store_approved(at=T0 + timedelta(days=3), store_type="full_managed")
    older = a_store_approved(at=T0, store_type="semi_managed")
    # The approval twice (sent again, under a new envelope); an older one arrives late.
    for event in (approval, older, approval):
        await wired.deliver(event, at=event.approved_at)
    store = await the_store(wired)
    assert (store.store_type, store.approved_at) == ("full_managed", approval.approved_at)
    assert store.version == 1  # neither the stale one nor the one sent again wrote


async def test_an_orders_facts_merge_in_any_order_and_a_redelivery_writes_nothing() -> None:
    wired = await an_aftersales_service()
    await wired.deliver(an_order_confirmed(at=T0))
    shipped = a_shipped(at=T0 + timedelta(days=1))
    delivered = a_delivered(at=T0 + timedelta(days=4))
    envelope = await wired.deliver(shipped, at=shipped.shipped_at)
    await wired.deliver(delivered, at=delivered.delivered_at)
    written = await the_order(wired)
    # The same envelope again, then the same fact under a new envelope: no write.
    await wired.deliver(shipped, envelope=envelope)
    await wired.deliver(shipped, at=shipped.shipped_at)
    order = await the_order(wired)
    assert order.version == written.version == 3
    assert (order.status, order.shipped_at) == ("delivered", T0 + timedelta(days=1))
    assert order.delivered_at == delivered.delivered_at
