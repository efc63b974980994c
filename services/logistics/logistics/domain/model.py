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

from datetime import datetime

from logistics.domain.deadlines import (
    DeliveryEstimate,
    days_late,
    unshipped_cancel_at,
)
from logistics.domain.parties import InvalidTransition
from logistics.domain.shipment_parts import (
    Handover,
    OrderCancelOutcome,
    ReportedExceptionKind,
    ShipmentCancelReason,
    ShipmentState,
    StatusChange,
)
from shared.clock import utc_ms
from shared.contract.events import (
    CancelReason,
    Delivered,
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentException,
    ShipmentLate,
    Shipped,
)
from shared.policy import Policy


class Shipment(ShipmentState):
    """What happens to a shipment, each change with the event it records."""

    def planned(
        self, found: DeliveryEstimate, self_drop_by: datetime | None, now: datetime
    ) -> None:
        """Its route and deadlines (R-LOG-1..7), awaiting the handover: `ShipmentCreated`."""
        self.route, self.ship_by = found.route, found.ship_by
        self.estimated_delivery, self.calendar = found.window, found.calendar
        self.self_drop_by = self_drop_by
        self._track("awaiting_shipment", now)
        self.record(
            ShipmentCreated(
                order_id=self.order_id,
                shipment_id=self.id,
                store_id=self.store_id,
                merchant_id=self.merchant_id,
                store_type=self.store_type,
                route=found.route,
                ship_by=found.ship_by,
                estimated_delivery=found.window,
                created_at=self.created_at,
            )
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
        self.cancel_as("not_shipped", note, now)
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
        self.cancel_as("order_cancelled", f"order cancelled ({reason})", now)
        return "cancelled"

    def seconds_left(self, now: datetime) -> int | None:
        """R-LOG-1, R-LOG-5: whole seconds until `ship_by` while the parcel awaits its
        handover (negative once past: it is late); None once handed over or cancelled."""
        if self.status != "awaiting_shipment" or self.ship_by is None:
            return None
        return int((self.ship_by - now).total_seconds())

    @property
    def _awaits_handover(self) -> bool:
        return self.status in ("awaiting_shipment", "exception") and self.shipped_at is None

    @property
    def _state(self) -> str:
        """The status, with the cause of a cancellation, for a refusal's message."""
        if self.status == "cancelled":
            return f"cancelled ({self.cancel_reason})"
        return self.status

    def cancel_as(self, reason: ShipmentCancelReason, note: str, now: datetime) -> None:
        """Cancelled for good (R-ORD-5), `ShipmentCancelled` recorded."""
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
