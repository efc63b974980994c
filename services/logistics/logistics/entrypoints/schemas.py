"""Request and response bodies of the logistics API (CONTRACT.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StrictStr, StringConstraints

from logistics.domain.deadlines import DeliveryEstimate
from logistics.domain.model import Shipment
from logistics.domain.routes import Route
from logistics.domain.shipment_parts import (
    ExceptionKind,
    Handover,
    ReportedExceptionKind,
    ShipmentCancelReason,
    ShipmentStatus,
)
from shared.calendar import CalendarBasis
from shared.contract.events import DeliveryWindow
from shared.contract.types import IsoDate, NonEmpty, StoreType, UtcDateTime
from shared.inputs import MULTI_LINE, RequestBody

#: An operator's note on an exception: free text, on several lines if need be.
Note = Annotated[
    StrictStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), MULTI_LINE
]


class ShipmentShip(RequestBody):
    carrier: NonEmpty = Field(max_length=100)
    tracking_number: NonEmpty = Field(max_length=100)
    handover: Handover


class ShipmentExceptionReport(RequestBody):
    kind: ReportedExceptionKind
    note: Note


class StatusChangePublic(BaseModel):
    status: str
    at: UtcDateTime
    note: str | None


class ShipmentPublic(BaseModel):
    shipment_id: str
    order_id: str
    status: ShipmentStatus
    store_id: str
    merchant_id: str
    buyer_id: str
    store_type: StoreType
    #: Null only for a shipment cancelled before its order's confirmation reached
    #: logistics (R-ORD-5): what it would have carried is unknown.
    destination_country: str | None
    weight_grams: int | None
    ship_by: UtcDateTime | None
    #: R-LOG-1, R-LOG-5: whole seconds until `ship_by` by the service's clock while the
    #: parcel awaits its handover (negative once past); null once handed over or cancelled.
    seconds_left: int | None
    self_drop_by: UtcDateTime | None
    estimated_delivery: DeliveryWindow | None
    #: R-CAL-2: the calendar years `ship_by` and `estimated_delivery` were counted on.
    calendar: CalendarBasis | None
    route: str | None
    carrier: str | None
    tracking_number: str | None
    handover: Handover | None
    shipped_at: UtcDateTime | None
    delivered_at: UtcDateTime | None
    #: When the lateness job found it unshipped after `ship_by`; null while not late.
    late_detected_at: UtcDateTime | None
    #: Shipped after its deadline, or still unshipped at `ship_by` (R-LOG-5).
    late: bool
    late_by_seconds: int | None
    #: Tracking: every status the shipment went through, with its time.
    history: list[StatusChangePublic]
    exception_kind: ExceptionKind | None
    exception_note: str | None
    #: R-ORD-5: why (`no_route`, `not_shipped`, `order_cancelled`) and when it was
    #: cancelled; null while it is not.
    cancel_reason: ShipmentCancelReason | None
    cancel_note: str | None
    cancelled_at: UtcDateTime | None
    #: R-LOG-8: a semi-managed parcel delivered after its window's latest date (the
    #: destination's local date), and by how many days; false and 0 otherwise.
    late_delivery: bool
    days_late: int
    created_at: UtcDateTime

    @classmethod
    def of(cls, shipment: Shipment, now: datetime) -> ShipmentPublic:
        fields = set(cls.model_fields) - {"shipment_id", "seconds_left"}
        return cls(
            shipment_id=shipment.id,
            seconds_left=shipment.seconds_left(now),
            **shipment.model_dump(include=fields),
        )


class ShipmentList(BaseModel):
    items: list[ShipmentPublic]
    #: The next page's cursor (`GET /shipments` without `order_id`); null on the last page
    #: and for an order's shipments, which are never paged.
    next_cursor: str | None = None


class DeliveryEstimatePublic(BaseModel):
    ship_by: UtcDateTime
    earliest: IsoDate
    latest: IsoDate
    route: str
    #: R-CAL-2: the calendar years this estimate was counted on; `basis` is `provisional`
    #: when any year was neither published by the library nor by an operator's notice.
    calendar: CalendarBasis

    @classmethod
    def of(cls, found: DeliveryEstimate) -> DeliveryEstimatePublic:
        return cls(**found.model_dump())


class RouteList(BaseModel):
    items: list[Route]
