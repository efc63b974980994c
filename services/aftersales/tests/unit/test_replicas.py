"""Aftersales' replicas through its handlers (no engine, no broker): a store's newest
approval wins; an order's facts merge in any order; a stale redelivery changes nothing and
writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from aftersales.domain.facts import OrderFacts, StoreFacts
from aftersales.service_layer.events import AftersalesEventHandlers
from shared.clock import FixedClock
from shared.contract import record_event
from shared.contract.events import Delivered, DeliveryWindow, Shipped, StoreApproved
from shared.contract.types import ContractModel
from shared.replica import Replicas
from shared.testing import InMemoryRepository

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class Wired:
    def __init__(self) -> None:
        clock = FixedClock(T0)
        self.orders, self.stores = InMemoryRepository(OrderFacts), InMemoryRepository(StoreFacts)
        replicas = (
            Replicas(self.orders, OrderFacts, clock),
            Replicas(self.stores, StoreFacts, clock),
        )
        self.handlers = AftersalesEventHandlers(*replicas, clock)

    async def deliver(self, event: ContractModel, at: datetime) -> None:
        envelope = record_event(event, producer="other", correlation_id="c", occurred_at=at)
        await self.handlers.table()[type(event)](envelope, event)


def approval(store_type: str, at: datetime) -> StoreApproved:
    return StoreApproved.model_validate({"store_id": "s-1", "merchant_id": "m-1",
                                         "store_type": store_type, "store_name": "Lantern",
                                         "approved_at": at})  # fmt: skip


async def test_a_stores_newest_approval_wins_and_a_stale_one_changes_nothing() -> None:
    wired = Wired()
    first, later = approval("semi_managed", T0), approval("full_managed", T0 + timedelta(days=3))
    for event in (later, first, later):  # the older arrives late; the newer one twice
        await wired.deliver(event, event.approved_at)
    store = await wired.stores.get("s-1")
    assert store is not None
    assert (store.store_type, store.approved_at) == ("full_managed", later.approved_at)
    assert store.version == 1  # neither the stale one nor the redelivery wrote


async def test_an_orders_facts_merge_in_any_order_and_a_redelivery_writes_nothing() -> None:
    wired = Wired()
    shipped = Shipped(order_id="o-1", shipment_id="sh-1", carrier="DHL", tracking_number="T1",
                      shipped_at=T0, estimated_delivery=DeliveryWindow(
                          earliest=date(2026, 12, 4), latest=date(2026, 12, 8)))  # fmt: skip
    delivered = Delivered(order_id="o-1", shipment_id="sh-1", delivered_at=T0 + timedelta(days=4))
    await wired.deliver(delivered, delivered.delivered_at)
    await wired.deliver(shipped, shipped.shipped_at)
    writes = await wired.orders.writes()
    await wired.deliver(shipped, shipped.shipped_at)
    assert await wired.orders.writes() == writes
    order = await wired.orders.get("o-1")
    assert order is not None
    assert (order.status, order.shipped_at) == ("delivered", T0)
    assert order.delivered_at == delivered.delivered_at
