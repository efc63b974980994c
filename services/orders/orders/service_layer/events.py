"""What orders does with the events it receives, one handler each, and its deadline job."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from orders.adapters.catalogue_queries import rename_store
from orders.domain.catalogue import CatalogueItem, ProductDecided, StoreListing
from orders.domain.model import Order, OrderStatus
from shared import metrics
from shared.clock import Clock
from shared.contract import Envelope
from shared.contract.events import (
    AfterSalesCaseOpened,
    Delivered,
    ProductApproved,
    ProductRejected,
    RefundIssued,
    ShipmentException,
    ShipmentLate,
    Shipped,
    StoreApproved,
    StoreRejected,
)
from shared.contract.types import rfc3339
from shared.messaging.handlers import HandlerTable, on
from shared.mongo import indexed
from shared.replica import Replicas
from shared.repository import AggregateRepository, retry_on_conflict

log = logging.getLogger("orders.events")

#: How many due orders one pass of the deadline job cancels.
EXPIRY_BATCH = 200


@dataclass
class OrderEventHandlers:
    orders: AggregateRepository[Order]
    catalogue: Replicas[CatalogueItem]
    stores: Replicas[StoreListing]
    clock: Clock

    def table(self) -> HandlerTable:
        return dict(
            [
                on(StoreApproved, self.store_approved),
                on(StoreRejected, self.store_rejected),
                on(ProductApproved, self.product_decided),
                on(ProductRejected, self.product_decided),
                on(Shipped, self.shipped),
                on(Delivered, self.delivered),
                on(ShipmentLate, self.shipment_late),
                on(ShipmentException, self.shipment_exception),
                on(AfterSalesCaseOpened, self.case_opened),
                on(RefundIssued, self.refund_issued),
            ]
        )

    async def store_approved(self, envelope: Envelope, event: StoreApproved) -> None:
        if await self.stores.apply(event.store_id, envelope, event):
            # Its products show the store's newest name, those approved before this event
            # arrived too (R-CAT-1); an older approval arriving late renames nothing.
            listing = await self.stores.get(event.store_id)
            if listing is not None:
                await rename_store(self.catalogue.repository.collection, listing.id, listing.name)

    async def store_rejected(self, envelope: Envelope, event: StoreRejected) -> None:
        # A store is only listed once approved; a rejection needs no replica change.
        log.info("store %s rejected at stage %s", event.store_id, event.stage)

    async def product_decided(self, envelope: Envelope, event: ProductDecided) -> None:
        """R-CAT-1 / R-REV-9: the newest decision wins, whatever the arrival order."""
        listing = await self.stores.get(event.store_id)
        await self.catalogue.apply(
            event.product_id,
            envelope,
            event,
            first=lambda: CatalogueItem.first(
                event.product_id, event, store_name=listing.name if listing else None
            ),
        )

    async def shipped(self, envelope: Envelope, event: Shipped) -> None:
        await self._advance(
            envelope,
            event.order_id,
            event.shipped_at,
            "shipped",
            carrier=event.carrier,
            tracking_number=event.tracking_number,
            estimated_delivery=event.estimated_delivery.model_dump(mode="json"),
        )

    async def delivered(self, envelope: Envelope, event: Delivered) -> None:
        await self._advance(envelope, event.order_id, event.delivered_at, "delivered")

    async def shipment_late(self, envelope: Envelope, event: ShipmentLate) -> None:
        await self._advance(
            envelope, event.order_id, event.detected_at, None, ship_by=rfc3339(event.ship_by)
        )

    async def shipment_exception(self, envelope: Envelope, event: ShipmentException) -> None:
        await self._advance(
            envelope, event.order_id, event.reported_at, None, kind=event.kind, note=event.note
        )

    async def case_opened(self, envelope: Envelope, event: AfterSalesCaseOpened) -> None:
        await self._advance(
            envelope,
            event.order_id,
            event.opened_at,
            None,
            case_id=event.case_id,
            reason=event.reason,
        )

    async def refund_issued(self, envelope: Envelope, event: RefundIssued) -> None:
        await self._update(
            event.order_id,
            lambda order: order.add_refund(
                str(envelope.event_id),
                event.amount,
                event.issued_at,
                case_id=event.case_id,
                liable_party=event.liable_party,
            ),
        )

    async def _advance(
        self, envelope: Envelope, order_id: str, at: Any, status: OrderStatus | None, **detail: Any
    ) -> None:
        await self._update(
            order_id,
            lambda order: order.advance(
                str(envelope.event_id), envelope.event_type, at, status, **detail
            ),
        )

    async def _update(self, order_id: str, change: Callable[[Order], bool]) -> None:
        async def attempt() -> None:
            order = await self.orders.get(order_id)
            if order is None:
                # Never for an order orders created; failing sends it to retry, then park.
                raise LookupError(f"unknown order {order_id}")
            if change(order):
                await self.orders.save(order, now=self.clock.now())

        await retry_on_conflict(attempt)

    async def expire_due_orders(self) -> None:
        """R-ORD-3: cancel every order past `confirm_by`, even if we were down then.

        Safe with several processes: the versioned write lets exactly one cancel it.
        """
        now = self.clock.now()
        due = (
            await self.orders.collection.find(
                indexed({"status": "awaiting_confirmation", "confirm_by": {"$lte": now}}),
                {"_id": 1},
            )
            .limit(EXPIRY_BATCH)
            .to_list()
        )
        metrics.DEADLINES_OVERDUE.labels("orders", "confirm_by").set(len(due))
        for document in due:
            order_id: str = document["_id"]
            await retry_on_conflict(functools.partial(self._expire, order_id))

    async def _expire(self, order_id: str) -> None:
        order = await self.orders.get(order_id)
        if order is not None and order.expire(self.clock.now()):
            await self.orders.save(order, now=self.clock.now())
