"""The shipment of one confirmed order (R-ORD-4): its deadline, route and progress.

Status: `awaiting_shipment` → `shipped` → `delivered`; `exception` when the operator
reports the parcel lost or damaged; `cancelled` when it will never ship (R-ORD-5): no
route accepts it (R-LOG-6, created so: `no_route`), it was not handed over by `ship_by` +
`SHIP_GRACE_HOURS` (`not_shipped`), or its order was cancelled (`order_cancelled`). A
cancelled shipment is final: it is neither shipped nor reported.

Shipments stored before R-ORD-5 may still be in `exception` with the kind `no_route`;
no new one is.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from logistics.domain.deadlines import (
    DeliveryEstimate,
    days_late,
    estimate,
    self_drop_deadline,
    unshipped_cancel_at,
)
from logistics.domain.parties import InvalidTransition, order_weight_grams
from logistics.domain.routes import Route
from shared.aggregate import Aggregate
from shared.calendar import CalendarBasis, Calendars
from shared.clock import utc_ms
from shared.contract.events import (
    CancelReason,
    Delivered,
    DeliveryWindow,
    OrderCancelled,
    OrderConfirmed,
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentException,
    ShipmentLate,
    Shipped,
)
from shared.contract.types import StoreType, Warehouse
from shared.policy import Policy

ShipmentStatus = Literal["awaiting_shipment", "shipped", "delivered", "exception", "cancelled"]
Handover = Literal["pickup", "self_drop"]
#: `no_route` only on shipments stored before R-ORD-5 (now such a shipment is cancelled).
ExceptionKind = Literal["lost", "damaged", "no_route"]
ReportedExceptionKind = Literal["lost", "damaged"]
#: Why a shipment was cancelled (R-ORD-5), as `ShipmentCancelled` tells it.
ShipmentCancelReason = Literal["no_route", "not_shipped", "order_cancelled"]
#: What the cancellation of its order did to a shipment (R-ORD-5): cancelled it; nothing,
#: as it already was; or nothing but a note, as it was already handed over.
OrderCancelOutcome = Literal["cancelled", "already_cancelled", "handed_over"]


class StatusChange(BaseModel):
    """One step of the shipment's tracking (`GET /shipments/{id}`)."""

    status: str
    at: datetime
    note: str | None = None


class Shipment(Aggregate):
    order_id: str
    buyer_id: str
    merchant_id: str
    store_id: str
    store_type: StoreType
    #: Unknown (None) only on a shipment whose order was cancelled before its
    #: confirmation reached logistics (`cancelled_before_confirmation`).
    destination_country: str | None
    weight_grams: int | None
    status: ShipmentStatus = "awaiting_shipment"
    ship_by: datetime | None = None
    self_drop_by: datetime | None = None
    estimated_delivery: DeliveryWindow | None = None
    #: The calendar years `ship_by` and `estimated_delivery` were counted on (R-CAL-2).
    calendar: CalendarBasis | None = None
    route: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    handover: Handover | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    late_detected_at: datetime | None = None
    #: Shipped after its deadline (`ship_by`, or `self_drop_by` for a self-drop), or still
    #: unshipped at `ship_by`; `late_by_seconds` once the handover time is known.
    late: bool = False
    late_by_seconds: int | None = None
    history: list[StatusChange] = []
    exception_kind: ExceptionKind | None = None
    exception_note: str | None = None
    #: R-ORD-5: why and when it was cancelled; None while it is not.
    cancel_reason: ShipmentCancelReason | None = None
    cancel_note: str | None = None
    cancelled_at: datetime | None = None
    #: R-LOG-8: a semi-managed parcel delivered after its window's latest date
    #: (destination local date), and by how many days; never for full-managed.
    late_delivery: bool = False
    days_late: int = 0
    created_at: datetime

    @classmethod
    def for_confirmed_order(
        cls,
        shipment_id: str,
        order: OrderConfirmed,
        handling_days: int | None,
        warehouse: Warehouse | None,
        policy: Policy,
        routes: Iterable[Route],
        now: datetime,
        *,
        calendars: Calendars,
    ) -> Shipment:
        """R-ORD-4: every confirmed order gets a shipment: with a route and deadlines
        (`ShipmentCreated`), or, when none accepts it, already cancelled (R-ORD-5
        `no_route`, `ShipmentCancelled`) so its order is cancelled and refunded."""
        shipment = cls(
            id=shipment_id,
            order_id=order.order_id,
            buyer_id=order.buyer_id,
            merchant_id=order.merchant_id,
            store_id=order.store_id,
            store_type=order.store_type,
            destination_country=order.shipping_address.country,
            weight_grams=order_weight_grams(order.items),
            created_at=utc_ms(now),
        )
        if order.store_type == "semi_managed" and (warehouse is None or handling_days is None):
            # R-LOG-2: a semi-managed store ships from its overseas warehouse; without it
            # known there is no origin, hence no route.
            shipment._cancel("no_route", "the store's warehouse or handling time is unknown", now)
            return shipment
        found = shipment._estimate(order, handling_days, warehouse, policy, routes, calendars)
        if found is None:
            # R-LOG-6: no route rule accepts this destination and weight.
            to = f"{shipment.weight_grams} g to {shipment.destination_country}"
            shipment._cancel("no_route", f"no route accepts {to}", now)
            return shipment
        shipment.route = found.route
        shipment.ship_by = found.ship_by
        shipment.estimated_delivery = found.window
        shipment.calendar = found.calendar
        if order.store_type == "semi_managed":
            shipment.self_drop_by = self_drop_deadline(order.confirmed_at, policy)
        shipment._track("awaiting_shipment", now)
        shipment.record(
            ShipmentCreated(
                order_id=shipment.order_id,
                shipment_id=shipment.id,
                store_id=shipment.store_id,
                merchant_id=shipment.merchant_id,
                store_type=shipment.store_type,
                route=found.route,
                ship_by=found.ship_by,
                estimated_delivery=found.window,
                created_at=shipment.created_at,
            )
        )
        return shipment

    @classmethod
    def cancelled_before_confirmation(
        cls,
        shipment_id: str,
        order: OrderCancelled,
        store_id: str,
        store_type: StoreType,
        now: datetime,
    ) -> Shipment:
        """R-ORD-5, out of order: the order's cancellation arrived before the confirmation
        that creates its shipment. The shipment is created already cancelled, under the
        id the confirmation would create it with, so that confirmation, when it comes,
        creates nothing (its insert is refused as a duplicate). What the parcel would have
        been (destination, weight, route) is unknown here and stays so."""
        shipment = cls(
            id=shipment_id,
            order_id=order.order_id,
            buyer_id=order.buyer_id,
            merchant_id=order.merchant_id,
            store_id=store_id,
            store_type=store_type,
            destination_country=None,
            weight_grams=None,
            created_at=utc_ms(now),
        )
        note = f"order cancelled ({order.reason}) before its confirmation reached logistics"
        shipment._cancel("order_cancelled", note, now)
        return shipment

    def _estimate(
        self,
        order: OrderConfirmed,
        handling_days: int | None,
        warehouse: Warehouse | None,
        policy: Policy,
        routes: Iterable[Route],
        calendars: Calendars,
    ) -> DeliveryEstimate | None:
        return estimate(
            order.store_type,
            order.confirmed_at,
            order.shipping_address.country,
            order_weight_grams(order.items),
            policy,
            routes,
            handling_days=handling_days,
            warehouse_country=warehouse.country if warehouse else None,
            warehouse_timezone=warehouse.timezone if warehouse else None,
            calendars=calendars,
        )

    def ship(self, carrier: str, tracking_number: str, handover: Handover, now: datetime) -> None:
        """R-LOG-4, R-LOG-5: handed over to the carrier; never once cancelled (R-ORD-5)."""
        if self.status != "awaiting_shipment" or self.estimated_delivery is None:
            raise InvalidTransition(f"shipment {self.id} is {self._state}, it cannot be shipped")
        self.status = "shipped"
        self.carrier = carrier
        self.tracking_number = tracking_number
        self.handover = handover
        self.shipped_at = utc_ms(now)
        # R-LOG-5: a pickup counts by `ship_by`; a self-drop has until `self_drop_by`.
        deadline = (
            self.self_drop_by if handover == "self_drop" and self.self_drop_by else (self.ship_by)
        )
        if deadline is not None and self.shipped_at > deadline:
            self.late = True
            self.late_by_seconds = int((self.shipped_at - deadline).total_seconds())
        self._track("shipped", now, f"{handover} by {carrier} {tracking_number}")
        self.record(
            Shipped(
                order_id=self.order_id,
                shipment_id=self.id,
                carrier=carrier,
                tracking_number=tracking_number,
                shipped_at=self.shipped_at,
                estimated_delivery=self.estimated_delivery,
            )
        )

    def deliver(self, now: datetime) -> None:
        """Delivered; R-LOG-8: a semi-managed parcel after its window's latest date (the
        destination's local date) is late, by how many days. Full-managed: never late by
        this rule."""
        if self.status != "shipped":
            raise InvalidTransition(
                f"shipment {self.id} is {self._state}, only a shipped parcel can be delivered"
            )
        self.status = "delivered"
        self.delivered_at = utc_ms(now)
        if (
            self.store_type == "semi_managed"
            and self.estimated_delivery is not None
            and self.destination_country is not None
        ):
            latest = self.estimated_delivery.latest
            self.days_late = days_late(self.delivered_at, latest, self.destination_country)
            self.late_delivery = self.days_late > 0
        late = f"{self.days_late} day(s) after its window's latest date"
        self._track("delivered", now, late if self.late_delivery else None)
        self.record(
            Delivered(
                order_id=self.order_id,
                shipment_id=self.id,
                delivered_at=self.delivered_at,
                late=self.late_delivery,
                days_late=self.days_late,
            )
        )

    def report_exception(self, kind: ReportedExceptionKind, note: str, now: datetime) -> None:
        """A parcel lost or damaged before delivery; after delivery it is after-sales."""
        if self.status not in ("awaiting_shipment", "shipped"):
            raise InvalidTransition(
                f"shipment {self.id} is {self._state}, no exception can be reported on it"
            )
        self._fail(kind, note, now)

    def detect_late(self, now: datetime) -> bool:
        """Records `ShipmentLate` once, when still unshipped after `ship_by`."""
        if (
            self.status != "awaiting_shipment"
            or self.ship_by is None
            or self.late_detected_at is not None
            or now <= self.ship_by
        ):
            return False
        self.late_detected_at = utc_ms(now)
        self.late = True
        self._track("late", now, "still not shipped at its ship-by time")
        self.record(
            ShipmentLate(
                order_id=self.order_id,
                shipment_id=self.id,
                ship_by=self.ship_by,
                detected_at=self.late_detected_at,
            )
        )
        return True

    def cancel_if_not_shipped(self, now: datetime, policy: Policy) -> bool:
        """R-ORD-5 `not_shipped`: still not handed over (awaiting shipment, or reported
        lost or damaged before any handover) past `ship_by` + `SHIP_GRACE_HOURS`, it is
        cancelled (`ShipmentCancelled`). False when it is not (yet) due: handed over,
        already cancelled, or still in time; so whoever decides second, after a handover
        or another cancellation won the versioned write, changes nothing."""
        if not self._awaits_handover or self.ship_by is None:
            return False
        deadline = unshipped_cancel_at(self.ship_by, policy)
        if now <= deadline:
            return False
        hours = policy.ship_grace_hours
        note = f"not handed over by {deadline:%Y-%m-%d %H:%M} UTC, {hours} h past its ship-by"
        self._cancel("not_shipped", note, now)
        return True

    def cancel_for_order(self, reason: CancelReason, now: datetime) -> OrderCancelOutcome:
        """R-ORD-5: the order was cancelled (`reason`). A shipment not yet handed over is
        cancelled (`order_cancelled`); one already cancelled stays as it is; one already
        handed over (a race with the handover) travels on, the cancellation noted in its
        history: the buyer's refund stands."""
        if self.status == "cancelled":
            return "already_cancelled"
        if self.shipped_at is not None:
            note = f"order cancelled ({reason}) after the handover: the parcel travels on"
            self._track("order_cancelled", now, note)
            return "handed_over"
        self._cancel("order_cancelled", f"order cancelled ({reason})", now)
        return "cancelled"

    @property
    def _awaits_handover(self) -> bool:
        return self.status in ("awaiting_shipment", "exception") and self.shipped_at is None

    @property
    def _state(self) -> str:
        """The status, with the cause of a cancellation, for a refusal's message."""
        if self.status == "cancelled":
            return f"cancelled ({self.cancel_reason})"
        return self.status

    def _cancel(self, reason: ShipmentCancelReason, note: str, now: datetime) -> None:
        self.status = "cancelled"
        self.cancel_reason = reason
        self.cancel_note = note
        self.cancelled_at = utc_ms(now)
        self._track("cancelled", now, f"{reason}: {note}")
        self.record(
            ShipmentCancelled(
                order_id=self.order_id,
                shipment_id=self.id,
                reason=reason,
                note=note,
                cancelled_at=self.cancelled_at,
            )
        )

    def _fail(self, kind: ReportedExceptionKind, note: str, now: datetime) -> None:
        self.status = "exception"
        self.exception_kind = kind
        self.exception_note = note
        self._track("exception", now, f"{kind}: {note}")
        self.record(
            ShipmentException(
                order_id=self.order_id,
                shipment_id=self.id,
                kind=kind,
                note=note,
                reported_at=utc_ms(now),
            )
        )

    def _track(self, status: str, at: datetime, note: str | None = None) -> None:
        self.history = [*self.history, StatusChange(status=status, at=utc_ms(at), note=note)]
