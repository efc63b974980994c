"""An order's vocabulary and its state as stored; `orders.domain.model.Order` changes it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal, get_args

from pydantic import BaseModel, Field

from orders.domain.errors import OrderError
from orders.domain.facts import ProcessFacts
from shared.aggregate import Aggregate
from shared.contract import events
from shared.contract.types import Money, ShippingAddress, StoreType

OrderStatus = Literal[
    "awaiting_confirmation",
    "confirmed",
    "shipped",
    "delivered",
    "partially_refunded",
    "refunded",
    "cancelled",
]
#: Facts from other services only move an order forward, in `OrderStatus`'s order: an
#: event that arrives late (events.Shipped after Delivered) adds to the timeline without moving
#: the status back. A cancelled order moves no more.
PROGRESS: dict[str, int] = {
    status: rank for rank, status in enumerate(get_args(OrderStatus)) if status != "cancelled"
}


#: What the timeline keeps of each fact besides its type and time.
TIMELINE_DETAIL: dict[type, set[str]] = {
    events.ShipmentCreated: {"route", "ship_by", "estimated_delivery"},
    events.ShipmentCancelled: {"reason", "note"},
    events.Shipped: {"carrier", "tracking_number", "estimated_delivery"},
    events.Delivered: {"late", "days_late"},
    events.ShipmentLate: {"ship_by"},
    events.ShipmentException: {"kind", "note"},
    events.AfterSalesCaseOpened: {"case_id", "reason"},
    events.AfterSalesCaseAnswered: {"case_id"},
    events.AfterSalesCaseRejected: {"case_id", "note"},
    events.RefundIssued: {"amount", "case_id", "liable_party", "reason"},
}

#: The order's fields its `OrderCreated` and `OrderConfirmed` carry.
TOLD = {"buyer_id", "store_id", "merchant_id", "store_type", "items", "total", "shipping_address"}


def one_line_per_product(items: Sequence[events.OrderLine]) -> None:
    """R-ORD-1 (decided): each product on one line. A repeated one is refused, not merged:
    a line's quantity is capped (`POST /orders`), and repeating a product would get past
    the cap; refused, the buyer sees which product and sends its whole quantity once."""
    products = [line.product_id for line in items]
    if repeated := next((product for product in products if products.count(product) > 1), None):
        raise OrderError(
            f"Product {repeated} is on more than one line; put it on one line with its whole "
            "quantity."
        )


class TimelineEntry(BaseModel):
    at: datetime
    event: str
    detail: dict[str, Any] = {}


class OrderState(Aggregate):
    buyer_id: str
    store_id: str
    merchant_id: str
    store_type: StoreType
    items: list[events.OrderLine]
    total: Money
    shipping_address: ShippingAddress
    status: OrderStatus
    created_at: datetime
    confirm_by: datetime
    #: Seconds from creation to the merchant's confirmation (the stats' median, R-ORD-2).
    confirm_seconds: float | None = None
    confirmed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: events.CancelReason | None = None
    #: R-ORD-3: `on_time` or `timed_out`, counted in the merchant's stats.
    confirmation_outcome: Literal["on_time", "timed_out"] | None = None
    refunded: Money | None = None
    #: Its shipment, once logistics told it (`ShipmentCreated`, R-ORD-4): the buyer may
    #: cancel the confirmed order once it is past `ship_by` and not shipped (R-ORD-5).
    shipment_id: str | None = None
    ship_by: datetime | None = None
    route: str | None = None
    estimated_delivery: events.DeliveryWindow | None = None
    request_fingerprint: str | None = None
    timeline: list[TimelineEntry] = []
    #: What logistics and aftersales told of it, for its process view (`orders.domain.process`).
    facts: ProcessFacts = Field(default_factory=ProcessFacts)
    #: Each change of the order may move its store's scorecard (R-SC-1): counted here, and
    #: the count the scorecard's review has judged (`orders.service_layer.scorecards`).
    changes: int = 0
    changes_scored: int = 0

    @property
    def to_score(self) -> bool:
        """Whether the order changed since its store's scorecard was last judged."""
        return self.changes > self.changes_scored

    def scored(self, changes: int) -> None:
        """Its store's scorecard was judged with the order as it was after `changes`."""
        self.changes_scored = max(self.changes_scored, min(changes, self.changes))

    def _log(self, at: datetime, event: str, **detail: Any) -> None:
        """One entry on the timeline, kept in time order whatever the arrival order: every
        change of the order is one, so each counts as a change to score."""
        self.changes += 1
        self.timeline = sorted(
            [*self.timeline, TimelineEntry(at=at, event=event, detail=detail)],
            key=lambda entry: entry.at,
        )

    def _behind(self, status: OrderStatus) -> bool:
        """Whether `status` is further on than the order's."""
        return PROGRESS[status] > PROGRESS[self.status]

    def _beyond(self, status: OrderStatus) -> bool:
        """Whether the order is further on than `status`."""
        return PROGRESS[self.status] > PROGRESS[status]
