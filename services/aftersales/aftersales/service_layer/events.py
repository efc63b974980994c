"""What aftersales does with the events it receives: each updates a replica
(`shared.replica`), created by whichever event arrives first, each event taken once; an
order cancelled because it cannot or does not ship also refunds its buyer, once (R-ORD-5,
`compensation.py`). What cannot be so is refused before anything changes
(`domain/facts.py`: `Implausible` is parked, `NotYetKnown` retried, then parked)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from aftersales.domain.facts import OrderFacts, StoreFacts
from aftersales.service_layer.compensation import CancellationRefunds
from shared.aggregate import Aggregate
from shared.clock import Clock
from shared.contract import Envelope
from shared.contract.events import (
    Delivered,
    OrderCancelled,
    OrderConfirmed,
    OrderCreated,
    ShipmentException,
    Shipped,
    StoreApproved,
    StoreUpdated,
)
from shared.messaging.handlers import HandlerTable, on
from shared.replica import Replicas

A = TypeVar("A", bound=Aggregate)


@dataclass
class AftersalesEventHandlers:
    orders: Replicas[OrderFacts]
    stores: Replicas[StoreFacts]
    cancellations: CancellationRefunds
    clock: Clock

    def table(self) -> HandlerTable:
        return dict(
            [
                on(StoreApproved, self.store_approved),
                on(StoreUpdated, self.store_updated),
                on(OrderCreated, self.order_created),
                on(OrderConfirmed, self.order_confirmed),
                on(OrderCancelled, self.order_cancelled),
                on(Shipped, self.shipped),
                on(Delivered, self.delivered),
                on(ShipmentException, self.shipment_exception),
            ]
        )

    async def store_approved(self, envelope: Envelope, event: StoreApproved) -> None:
        # R-AS-2: the approval date starts the full-managed exemption period: taken only
        # as told when made, and once (`StoreFacts`); refused otherwise, nothing changed.
        StoreFacts.refuse_backdated(event, envelope.occurred_at)
        await self.stores.apply(event.store_id, envelope, event)

    async def store_updated(self, envelope: Envelope, event: StoreUpdated) -> None:
        # R-REV-12: the store's newest name; its approval date stays (R-AS-2). Of a store
        # not seen approved: retried, then parked; naming another merchant or type: refused.
        await self.stores.apply(event.store_id, envelope, event)

    async def order_created(self, envelope: Envelope, event: OrderCreated) -> None:
        # Almost always the order's first event here: stored without reading first.
        await self.orders.apply(event.order_id, envelope, event, likely_new=True)

    async def order_confirmed(self, envelope: Envelope, event: OrderConfirmed) -> None:
        await self.orders.apply(event.order_id, envelope, event)

    async def order_cancelled(self, envelope: Envelope, event: OrderCancelled) -> None:
        # R-AS-1: a cancelled order gets no case. R-ORD-5: one that could not or did not
        # ship refunds its buyer the whole order; on a redelivery too (the replica already
        # took the event), as the refund's two steps are each idempotent.
        await self.orders.apply(event.order_id, envelope, event)
        await self.cancellations.refund(envelope, event)

    async def shipped(self, envelope: Envelope, event: Shipped) -> None:
        # R-AS-1: shipping and its estimate open the window of lost / not received goods.
        await self.orders.apply(event.order_id, envelope, event)

    async def delivered(self, envelope: Envelope, event: Delivered) -> None:
        # R-AS-1: delivery opens the window of damaged / not as described goods.
        await self.orders.apply(event.order_id, envelope, event)

    async def shipment_exception(self, envelope: Envelope, event: ShipmentException) -> None:
        await self.orders.apply(event.order_id, envelope, event)
