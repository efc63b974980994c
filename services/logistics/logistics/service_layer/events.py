"""What logistics does with the events it receives, one handler each, and its lateness job."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from logistics.adapters.queries import ShipmentQueries
from logistics.domain.model import Shipment
from logistics.domain.routes import Route
from logistics.domain.stores import StoreFacts
from shared.calendar import Calendars
from shared.clock import Clock
from shared.contract import Envelope
from shared.contract.events import OrderConfirmed, StoreApproved
from shared.deadlines import act_on_each_due
from shared.messaging.handlers import HandlerTable, on
from shared.policy import Policy
from shared.replica import Replicas
from shared.repository import AggregateRepository, AlreadyExists

log = logging.getLogger("logistics.events")

#: Namespace of shipment ids: one shipment per order, the same id on every redelivery.
SHIPMENT_NAMESPACE = uuid.UUID("0c9b3f4e-6a52-4c1f-8f7e-2d5b9a1e7c33")

#: How many overdue shipments one pass of the lateness job flags.
LATE_BATCH = 200


def shipment_id_of(order_id: str) -> str:
    return str(uuid.uuid5(SHIPMENT_NAMESPACE, order_id))


class StoreFactsUnknown(LookupError):
    """A semi-managed order arrived before its store's approval: retried, then parked."""


@dataclass
class LogisticsEventHandlers:
    shipments: AggregateRepository[Shipment]
    queries: ShipmentQueries
    stores: Replicas[StoreFacts]
    clock: Clock
    policy: Policy
    routes: Sequence[Route]
    calendars: Calendars

    def table(self) -> HandlerTable:
        return dict(
            [
                on(StoreApproved, self.store_approved),
                on(OrderConfirmed, self.order_confirmed),
            ]
        )

    async def store_approved(self, envelope: Envelope, event: StoreApproved) -> None:
        """Keep the facts a shipment needs (R-LOG-2); the newest approval wins."""
        await self.stores.apply(event.store_id, envelope, event)

    async def order_confirmed(self, envelope: Envelope, event: OrderConfirmed) -> None:
        """R-ORD-4: a confirmed order goes to logistics; its shipment is created here."""
        shipment_id = shipment_id_of(event.order_id)
        # The shipment's id comes from the order's, so a redelivery's insert fails as a
        # duplicate: no read before the write (one round-trip fewer per order).
        now = self.clock.now()
        try:
            shipment = await self._plan(shipment_id, event, now)
        except Exception:
            if await self.shipments.get(shipment_id) is not None:
                return  # a redelivery of an order shipped meanwhile: nothing left to do
            raise
        try:
            await self.shipments.add(
                shipment,
                now=now,
                correlation_id=event.order_id,
                causation_id=str(envelope.event_id),
            )
        except AlreadyExists:
            log.info("shipment %s of order %s already created", shipment_id, event.order_id)

    async def _plan(self, shipment_id: str, event: OrderConfirmed, now: datetime) -> Shipment:
        handling_days, warehouse = None, None
        if event.store_type == "semi_managed":
            store = await self.stores.get(event.store_id)
            if store is None:
                # R-LOG-2: the deadline depends on the store's handling time and warehouse;
                # never guess them. Failing retries later, then parks the message.
                raise StoreFactsUnknown(f"store {event.store_id} is not approved here yet")
            handling_days, warehouse = store.handling_days, store.warehouse
        return Shipment.for_confirmed_order(
            shipment_id,
            event,
            handling_days,
            warehouse,
            self.policy,
            self.routes,
            now,
            calendars=self.calendars,
        )

    async def flag_late_shipments(self) -> None:
        """R-LOG-1, R-LOG-2: publish `ShipmentLate` once for each shipment past `ship_by`.

        Safe with several processes (`shared.deadlines`): exactly one flags it.
        """
        due = await self.queries.overdue_unflagged(self.clock.now(), LATE_BATCH)
        await act_on_each_due(due, self._flag_late, service="logistics", deadline="ship_by")

    async def _flag_late(self, shipment_id: str) -> None:
        shipment = await self.shipments.get(shipment_id)
        now = self.clock.now()
        if shipment is not None and shipment.detect_late(now):
            await self.shipments.save(shipment, now=now, correlation_id=shipment.order_id)
