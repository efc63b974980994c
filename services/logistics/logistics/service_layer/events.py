"""What logistics does with the events it receives, one handler each, and its deadline
jobs: the lateness job (R-LOG-1, R-LOG-2) and the unshipped job (R-ORD-5)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from logistics.adapters.queries import ShipmentQueries
from logistics.domain.model import Shipment
from logistics.domain.planning import cancelled_before_confirmation, plan_shipment
from logistics.domain.routes import Route
from logistics.domain.stores import StoreFacts
from shared.calendar import Calendars
from shared.clock import Clock
from shared.contract import Envelope
from shared.contract.events import (
    COMPENSATED,
    OrderCancelled,
    OrderConfirmed,
    StoreApproved,
    StoreUpdated,
)
from shared.contract.types import StoreType
from shared.deadlines import act_on_each_due
from shared.errors import NotYetKnown
from shared.messaging.handlers import HandlerTable, on
from shared.policy import Policy
from shared.replica import Replicas
from shared.repository import (
    AggregateRepository,
    AlreadyExists,
    ConcurrencyConflict,
    retry_on_conflict,
)

log = logging.getLogger("logistics.events")

#: Namespace of shipment ids: one shipment per order, the same id on every redelivery.
SHIPMENT_NAMESPACE = uuid.UUID("0c9b3f4e-6a52-4c1f-8f7e-2d5b9a1e7c33")

#: How many overdue shipments one pass of the lateness job flags.
LATE_BATCH = 200
#: How many shipments of each unshipped status one pass of the unshipped job cancels.
UNSHIPPED_BATCH = 200


def shipment_id_of(order_id: str) -> str:
    return str(uuid.uuid5(SHIPMENT_NAMESPACE, order_id))


class StoreFactsUnknown(NotYetKnown):
    """An order arrived before its store's approval: retried, then parked."""


class CancelledOrderUnknown(NotYetKnown):
    """An order cancelled (R-ORD-5) with no shipment here yet, whose cancellation names
    no store logistics knows: retried (its store or its shipment may come), then parked."""


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
                on(StoreUpdated, self.store_approved),
                on(OrderConfirmed, self.order_confirmed),
                on(OrderCancelled, self.order_cancelled),
            ]
        )

    async def store_approved(self, envelope: Envelope, event: StoreApproved | StoreUpdated) -> None:
        """Keep the facts a shipment needs (R-LOG-2); the newest approval or approved change
        (R-REV-12) wins. Shipments planned before a change keep their deadlines. A change
        of a store not seen approved waits (`NotYetKnown`: retried, then parked)."""
        await self.stores.apply(event.store_id, envelope, event)

    async def order_confirmed(self, envelope: Envelope, event: OrderConfirmed) -> None:
        """R-ORD-4: a confirmed order goes to logistics; its shipment is created here,
        with its route (`ShipmentCreated`) or, none accepting it, cancelled (R-ORD-5
        `no_route`, `ShipmentCancelled`). Already there (a redelivery, or its order's
        cancellation came first and created it cancelled): nothing."""
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
        # An order is placed only in an approved store, which logistics hears of first
        # (R-ORD-1, R-LOG-2): until it has, the order waits (retried, then parked); one
        # naming another merchant or store type than the approval is refused.
        store = await self.stores.get(event.store_id)
        if store is None:
            raise StoreFactsUnknown(f"store {event.store_id} is not approved here yet")
        store.refuse_foreign(event)
        handling_days, warehouse = None, None
        if event.store_type == "semi_managed":
            # R-LOG-2: the deadline depends on the store's handling time and warehouse.
            handling_days, warehouse = store.handling_days, store.warehouse
        return plan_shipment(
            shipment_id,
            event,
            handling_days,
            warehouse,
            self.policy,
            self.routes,
            now,
            calendars=self.calendars,
        )

    async def order_cancelled(self, envelope: Envelope, event: OrderCancelled) -> None:
        """R-ORD-5: a confirmed order cancelled (`no_route`, `not_shipped`,
        `buyer_cancelled_late`) cancels its shipment if it was not handed over yet
        (`ShipmentCancelled(order_cancelled)`). Already cancelled: nothing. Already handed
        over (a race with the handover): the parcel travels on, the cancellation is noted
        in its history and logged; the buyer's refund stands. An order cancelled before its
        confirmation (R-ORD-2, R-ORD-3) has no shipment: nothing.

        Out of order, before the `OrderConfirmed` that creates the shipment: the shipment
        is created already cancelled (`planning.cancelled_before_confirmation`) under the
        id that confirmation would use, so it creates nothing when it comes. Redelivered:
        one effect (the event's id is kept on the shipment, and a cancelled one stays so).
        """
        if event.reason not in COMPENSATED:
            return
        shipment_id = shipment_id_of(event.order_id)
        event_id = str(envelope.event_id)

        async def attempt() -> None:
            shipment = await self.shipments.get(shipment_id)
            now = self.clock.now()
            if shipment is None:
                await self._cancelled_before_confirmation(shipment_id, event_id, event, now)
                return
            if shipment.has_applied(event_id):
                return
            outcome = shipment.cancel_for_order(event.reason, now)
            if outcome == "already_cancelled":
                return
            if outcome == "handed_over":
                log.warning(
                    "order %s cancelled (%s) after its shipment %s was handed over (%s): "
                    "the parcel travels on, the refund stands",
                    event.order_id,
                    event.reason,
                    shipment.id,
                    shipment.status,
                )
            shipment.mark_applied(event_id)
            await self.shipments.save(
                shipment, now=now, correlation_id=event.order_id, causation_id=event_id
            )

        await retry_on_conflict(attempt)

    async def _cancelled_before_confirmation(
        self, shipment_id: str, event_id: str, event: OrderCancelled, now: datetime
    ) -> None:
        store_type = await self._store_type(event)
        if event.store_id is None or store_type is None:
            raise CancelledOrderUnknown(
                f"order {event.order_id} was cancelled ({event.reason}) with no shipment "
                "here and no known store"
            )
        log.info("order %s cancelled before its confirmation got here", event.order_id)
        shipment = cancelled_before_confirmation(
            shipment_id, event, event.store_id, store_type, now
        )
        shipment.mark_applied(event_id)
        try:
            await self.shipments.add(
                shipment, now=now, correlation_id=event.order_id, causation_id=event_id
            )
        except AlreadyExists as error:
            # The confirmation created the shipment meanwhile: decide again on it.
            raise ConcurrencyConflict(f"shipment {shipment_id} created meanwhile") from error

    async def _store_type(self, event: OrderCancelled) -> StoreType | None:
        """The event's store type, or (an event recorded before it carried one) the
        store's as logistics keeps it."""
        if event.store_type is not None or event.store_id is None:
            return event.store_type
        store = await self.stores.get(event.store_id)
        return store.store_type if store is not None else None

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

    async def cancel_unshipped_shipments(self) -> None:
        """R-ORD-5 `not_shipped`: cancel each shipment not handed over by `ship_by` +
        `SHIP_GRACE_HOURS` (`ShipmentCancelled`; orders then cancels the order).

        Safe with several processes, and against a handover at the same moment: each is a
        versioned write (`shared.deadlines`), so exactly one cancel or one `ship` wins,
        and the loser decides again on the shipment as the winner left it.
        """
        grace = timedelta(hours=self.policy.ship_grace_hours)
        due = await self.queries.never_handed_over(self.clock.now() - grace, UNSHIPPED_BATCH)
        await act_on_each_due(
            due, self._cancel_unshipped, service="logistics", deadline="ship_by_grace"
        )

    async def _cancel_unshipped(self, shipment_id: str) -> None:
        shipment = await self.shipments.get(shipment_id)
        now = self.clock.now()
        if shipment is not None and shipment.cancel_if_not_shipped(now, self.policy):
            await self.shipments.save(shipment, now=now, correlation_id=shipment.order_id)
