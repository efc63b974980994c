"""What orders does with the events it receives, one handler each, and its deadline job."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from orders.adapters.catalogue_queries import CatalogueQueries
from orders.adapters.queries import OrderQueries
from orders.domain.catalogue import CatalogueItem, ProductDecided, StoreDecided, StoreListing
from orders.domain.facts import OrderFact
from orders.domain.model import Order
from shared.clock import Clock
from shared.contract import Envelope, events
from shared.deadlines import act_on_each_due
from shared.errors import NotYetKnown
from shared.messaging.handlers import HandlerTable, on
from shared.replica import Replicas
from shared.repository import AggregateRepository, retry_on_conflict

log = logging.getLogger("orders.events")

#: How many due orders one pass of the deadline job cancels.
EXPIRY_BATCH = 200


@dataclass
class OrderEventHandlers:
    orders: AggregateRepository[Order]
    queries: OrderQueries
    catalogue: Replicas[CatalogueItem]
    browse: CatalogueQueries
    stores: Replicas[StoreListing]
    clock: Clock

    def table(self) -> HandlerTable:
        return dict(
            [
                on(events.StoreApproved, self.store_approved),
                on(events.StoreRejected, self.store_rejected),
                on(events.ProductApproved, self.product_decided),
                on(events.ProductRejected, self.product_decided),
                on(events.StoreUpdated, self.store_updated),
                on(events.ProductDelisted, self.product_decided),
                on(events.ShipmentCreated, self.order_fact),
                on(events.ShipmentCancelled, self.shipment_cancelled),
                on(events.Shipped, self.order_fact),
                on(events.Delivered, self.order_fact),
                on(events.ShipmentLate, self.order_fact),
                on(events.ShipmentException, self.order_fact),
                on(events.AfterSalesCaseOpened, self.order_fact),
                on(events.AfterSalesCaseAnswered, self.order_fact),
                on(events.AfterSalesCaseRejected, self.order_fact),
                on(events.RefundIssued, self.order_fact),
            ]
        )

    async def store_approved(self, envelope: Envelope, event: events.StoreApproved) -> None:
        await self._store_decided(envelope, event)

    async def store_updated(self, envelope: Envelope, event: events.StoreUpdated) -> None:
        """R-REV-12: an approved change names the store as an approval does (the newest of
        the two wins). One of a store orders has not seen approved waits (`NotYetKnown`:
        retried, then parked); one naming another merchant or type is `Implausible`."""
        await self._store_decided(envelope, event)

    async def _store_decided(self, envelope: Envelope, event: StoreDecided) -> None:
        listing = await self.stores.applied(event.store_id, envelope, event)
        # Its products show the store's newest name, those approved before this event
        # arrived too (R-CAT-1); an older decision arriving late leaves the newest name.
        # Told again, it renames again (the same name): a rename a crash cut short after
        # the replica's write is finished so, the event being redelivered.
        await self.browse.rename_store(listing.id, listing.name)

    async def store_rejected(self, envelope: Envelope, event: events.StoreRejected) -> None:
        # A store is only listed once approved; a rejection needs no replica change.
        log.info("store %s rejected at stage %s", event.store_id, event.stage)

    async def product_decided(self, envelope: Envelope, event: ProductDecided) -> None:
        """R-CAT-1 / R-REV-9: the newest decision wins, whatever the arrival order; a
        delisting (R-REV-15) is one of them: off sale, no new order includes it.

        Review reviews a product only in a store it approved (R-REV-8), so orders has heard
        of the store before: until it has, the decision waits (`NotYetKnown`: retried, then
        parked); one naming another merchant or store type is `Implausible`."""
        listing = await self.stores.get(event.store_id)
        if listing is None:
            raise NotYetKnown(
                f"{type(event).__name__} of product {event.product_id} in store "
                f"{event.store_id}, which orders has not seen approved (StoreApproved); a "
                "product is reviewed only in an approved store (R-REV-8)"
            )
        listing.refuse_foreign(event)
        await self.catalogue.apply(
            event.product_id,
            envelope,
            event,
            first=lambda: CatalogueItem.first(event.product_id, event, store_name=listing.name),
        )

    async def order_fact(self, envelope: Envelope, event: OrderFact) -> None:
        """R-ORD-4 onwards: what logistics and aftersales tell goes on the order, unless it
        cannot be true of it (`domain.implausible`: parked, nothing taken)."""
        await self._update(event.order_id, lambda order: order.take(str(envelope.event_id), event))

    async def shipment_cancelled(self, envelope: Envelope, event: events.ShipmentCancelled) -> None:
        """R-ORD-5: a shipment with no route (`no_route`) or not handed over in time
        (`not_shipped`) cancels its confirmed order, which publishes `OrderCancelled` (the
        refund follows); `order_cancelled` only goes on the timeline. Once per event id."""

        def cancel(order: Order) -> bool:
            taken = order.shipment_cancelled(str(envelope.event_id), event, self.clock.now())
            if taken and event.reason != "order_cancelled" and order.cancel_reason != event.reason:
                # A race the shipment lost to (the buyer's late cancel): noted, nothing more.
                log.info(
                    "order %s (%s, %s) stays as it is: its shipment %s was cancelled (%s)",
                    order.id,
                    order.status,
                    order.cancel_reason,
                    event.shipment_id,
                    event.reason,
                )
            return taken

        await self._update(event.order_id, cancel)

    async def _update(self, order_id: str, change: Callable[[Order], bool]) -> None:
        async def attempt() -> None:
            order = await self.orders.get(order_id)
            if order is None:
                # Never for an order orders created (it is stored before any event tells
                # of it): retried, then parked.
                raise NotYetKnown(f"unknown order {order_id}: orders has not placed it")
            if change(order):
                await self.orders.save(order, now=self.clock.now())

        await retry_on_conflict(attempt)

    async def expire_due_orders(self) -> None:
        """R-ORD-3: cancel every order past `confirm_by`, even if we were down then.

        Safe with several processes (`shared.deadlines`): exactly one cancels it.
        """
        due = await self.queries.past_confirm_by(self.clock.now(), EXPIRY_BATCH)
        await act_on_each_due(due, self._expire, service="orders", deadline="confirm_by")

    async def write_keys_of_older_orders(self) -> None:
        """Orders stored by an earlier release lack the keys later ones query (the
        operators' stuck list, the scorecards' review): each is written again as it is,
        which computes them. Idle once none is left."""
        older = await self.queries.stored_before_keys(EXPIRY_BATCH)
        await act_on_each_due(older, self._rewrite, service="orders", deadline="order_keys")

    async def _rewrite(self, order_id: str) -> None:
        order = await self.orders.get(order_id)
        if order is not None:
            await self.orders.save(order, now=self.clock.now())

    async def _expire(self, order_id: str) -> None:
        order = await self.orders.get(order_id)
        if order is not None and order.expire(self.clock.now()):
            await self.orders.save(order, now=self.clock.now())
