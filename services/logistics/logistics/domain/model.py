"""The shipment of one confirmed order (R-ORD-4): its deadline, route and progress.

Status: `awaiting_shipment` → `shipped` → `delivered`; `exception` when no route
accepts the parcel (R-LOG-6) or the operator reports it lost or damaged.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from logistics.domain.deadlines import DeliveryEstimate, estimate, self_drop_deadline
from logistics.domain.parties import InvalidTransition, order_weight_grams
from logistics.domain.routes import Route
from shared.aggregate import Aggregate
from shared.calendar import CalendarBasis, Calendars
from shared.clock import utc_ms
from shared.contract.events import (
    Delivered,
    DeliveryWindow,
    OrderConfirmed,
    ShipmentException,
    ShipmentLate,
    Shipped,
)
from shared.contract.types import StoreType, Warehouse
from shared.policy import Policy

ShipmentStatus = Literal["awaiting_shipment", "shipped", "delivered", "exception"]
Handover = Literal["pickup", "self_drop"]
ExceptionKind = Literal["lost", "damaged", "no_route"]
ReportedExceptionKind = Literal["lost", "damaged"]


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
    destination_country: str
    weight_grams: int
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
        """R-ORD-4: every confirmed order gets a shipment, with a route and deadlines, or
        in `exception` (`no_route`) so an operator sees it instead of it being dropped."""
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
            history=[StatusChange(status="awaiting_shipment", at=utc_ms(now))],
        )
        if order.store_type == "semi_managed" and (warehouse is None or handling_days is None):
            # R-LOG-2: a semi-managed store ships from its overseas warehouse; without it
            # known there is no origin, hence no route.
            shipment._fail("no_route", "the store's warehouse or handling time is unknown", now)
            return shipment
        found = shipment._estimate(order, handling_days, warehouse, policy, routes, calendars)
        if found is None:
            # R-LOG-6: no route rule accepts this destination and weight.
            to = f"{shipment.weight_grams} g to {shipment.destination_country}"
            shipment._fail("no_route", f"no route accepts {to}", now)
            return shipment
        shipment.route = found.route
        shipment.ship_by = found.ship_by
        shipment.estimated_delivery = found.window
        shipment.calendar = found.calendar
        if order.store_type == "semi_managed":
            shipment.self_drop_by = self_drop_deadline(order.confirmed_at, policy)
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
            self.destination_country,
            self.weight_grams,
            policy,
            routes,
            handling_days=handling_days,
            warehouse_country=warehouse.country if warehouse else None,
            warehouse_timezone=warehouse.timezone if warehouse else None,
            calendars=calendars,
        )

    def ship(self, carrier: str, tracking_number: str, handover: Handover, now: datetime) -> None:
        if self.status != "awaiting_shipment" or self.estimated_delivery is None:
            raise InvalidTransition(f"shipment {self.id} is {self.status}, it cannot be shipped")
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
        if self.status != "shipped":
            raise InvalidTransition(
                f"shipment {self.id} is {self.status}, only a shipped parcel can be delivered"
            )
        self.status = "delivered"
        self.delivered_at = utc_ms(now)
        self._track("delivered", now)
        self.record(
            Delivered(order_id=self.order_id, shipment_id=self.id, delivered_at=self.delivered_at)
        )

    def report_exception(self, kind: ReportedExceptionKind, note: str, now: datetime) -> None:
        """A parcel lost or damaged before delivery; after delivery it is after-sales."""
        if self.status not in ("awaiting_shipment", "shipped"):
            raise InvalidTransition(
                f"shipment {self.id} is {self.status}, no exception can be reported on it"
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

    def _fail(self, kind: ExceptionKind, note: str, now: datetime) -> None:
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
