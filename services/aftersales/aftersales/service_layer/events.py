"""What aftersales does with the events it receives: one handler each, all idempotent.

Every handler loads the replica document it changes (creating it on whichever event
arrives first, since delivery order is not guaranteed), skips an event id it has already
applied, and otherwise applies the fact and marks the id in the same versioned save.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from aftersales.domain.facts import OrderFacts, StoreFacts
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
)
from shared.messaging.consumer import Handler
from shared.repository import (
    AggregateRepository,
    AlreadyExists,
    ConcurrencyConflict,
    retry_on_conflict,
)

A = TypeVar("A", bound=Aggregate)


@dataclass
class AftersalesEventHandlers:
    orders: AggregateRepository[OrderFacts]
    stores: AggregateRepository[StoreFacts]
    clock: Clock

    def table(self) -> dict[str, Handler]:
        return {
            "StoreApproved": self.store_approved,
            "OrderCreated": self.order_created,
            "OrderConfirmed": self.order_confirmed,
            "OrderCancelled": self.order_cancelled,
            "Shipped": self.shipped,
            "Delivered": self.delivered,
            "ShipmentException": self.shipment_exception,
        }

    async def store_approved(self, envelope: Envelope, event: StoreApproved) -> None:
        # R-AS-2: the approval date starts the full-managed exemption period.
        def learn(store: StoreFacts) -> None:
            store.apply_store_approved(event)

        await self._apply(self.stores, StoreFacts, event.store_id, envelope, learn)

    async def order_created(self, envelope: Envelope, event: OrderCreated) -> None:
        # Almost always the order's first event here: stored without reading first.
        await self._apply(self.orders, OrderFacts, event.order_id, envelope,
                          lambda o: o.apply_order_created(event), creates=True)  # fmt: skip

    async def order_confirmed(self, envelope: Envelope, event: OrderConfirmed) -> None:
        await self._order(event.order_id, envelope, lambda o: o.apply_order_confirmed(event))

    async def order_cancelled(self, envelope: Envelope, event: OrderCancelled) -> None:
        await self._order(event.order_id, envelope, lambda o: o.apply_order_cancelled(event))

    async def shipped(self, envelope: Envelope, event: Shipped) -> None:
        # R-AS-1: shipping and its estimate open the window of lost / not received goods.
        await self._order(event.order_id, envelope, lambda o: o.apply_shipped(event))

    async def delivered(self, envelope: Envelope, event: Delivered) -> None:
        # R-AS-1: delivery opens the window of damaged / not as described goods.
        await self._order(event.order_id, envelope, lambda o: o.apply_delivered(event))

    async def shipment_exception(self, envelope: Envelope, event: ShipmentException) -> None:
        await self._order(event.order_id, envelope, lambda o: o.apply_shipment_exception(event))

    async def _order(
        self, order_id: str, envelope: Envelope, change: Callable[[OrderFacts], None]
    ) -> None:
        await self._apply(self.orders, OrderFacts, order_id, envelope, change)

    async def _apply(
        self,
        repository: AggregateRepository[A],
        model: Callable[..., A],
        aggregate_id: str,
        envelope: Envelope,
        change: Callable[[A], None],
        *,
        creates: bool = False,
    ) -> None:
        """Apply `change` once per event. With `creates`, the event usually comes first:
        the first attempt inserts without reading (one round-trip); if the
        aggregate already exists (an earlier event or a duplicate), it reads and applies."""
        event_id = str(envelope.event_id)
        first = creates

        async def attempt() -> None:
            nonlocal first
            current = None if first else await repository.get(aggregate_id)
            first = False
            facts = current if current is not None else model(id=aggregate_id)
            if facts.has_applied(event_id):
                return
            change(facts)
            facts.mark_applied(event_id)
            now = self.clock.now()
            if current is not None:
                await repository.save(facts, now=now, causation_id=event_id)
                return
            try:
                await repository.add(facts, now=now, causation_id=event_id)
            except AlreadyExists as error:
                # Another consumer created it meanwhile: load it and apply to that one.
                raise ConcurrencyConflict(aggregate_id) from error

        await retry_on_conflict(attempt)
