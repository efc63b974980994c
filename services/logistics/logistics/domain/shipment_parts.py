"""The shipment's vocabulary: its statuses, its kinds of exception and cancellation, and
one step of its tracking."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from shared.aggregate import Aggregate
from shared.calendar import CalendarBasis
from shared.contract.events import DeliveryWindow
from shared.contract.types import StoreType

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


class ShipmentState(Aggregate):
    """A shipment's state as stored; `logistics.domain.model.Shipment` changes it."""

    order_id: str
    buyer_id: str
    merchant_id: str
    store_id: str
    store_type: StoreType
    #: Unknown (None) only on a shipment whose order was cancelled before its
    #: confirmation reached logistics (`planning.cancelled_before_confirmation`).
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
