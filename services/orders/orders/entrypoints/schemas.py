"""Request and response bodies of the orders API (CONTRACT.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictInt

from orders.domain.catalogue import CatalogueItem
from orders.domain.model import Order
from orders.domain.process import Process, Steps, Waiting
from orders.domain.waits import EndReason
from shared.contract.events import CancelReason, OrderLine
from shared.contract.types import Money, ShippingAddress, StoreType, UtcDateTime
from shared.inputs import Line, RequestBody


class ItemRequest(RequestBody):
    product_id: Line = Field(min_length=1, max_length=100)
    quantity: StrictInt = Field(gt=0, le=1000)


class OrderCreate(RequestBody):
    #: One line per product (a product repeated is refused: `Order.place`).
    items: list[ItemRequest] = Field(min_length=1, max_length=100)
    shipping_address: ShippingAddress


class TimelineEntryPublic(BaseModel):
    at: UtcDateTime
    event: str
    detail: dict[str, Any]


class ProcessPublic(BaseModel):
    """Where the order stands in the whole process (R-ORD-5): the step each service has
    reached; what it waits for, from whom, until when; or why it has ended."""

    steps: Steps
    waiting_for: Waiting | None
    #: The deadline of `waiting_for`; null only once `ended`.
    until: UtcDateTime | None
    ended: bool
    ended_because: EndReason | None
    #: An obligation past `until`: operators list such orders (`GET /orders?stuck=true`).
    overdue: bool

    @classmethod
    def of(cls, process: Process) -> ProcessPublic:
        return cls.model_validate(process.model_dump())


class OrderPublic(BaseModel):
    order_id: str
    status: str
    buyer_id: str
    store_id: str
    merchant_id: str
    store_type: StoreType
    items: list[OrderLine]
    total: Money
    refunded: Money | None
    shipping_address: ShippingAddress
    created_at: UtcDateTime
    confirm_by: UtcDateTime
    confirmed_at: UtcDateTime | None
    cancelled_at: UtcDateTime | None
    #: Why it was cancelled: before confirmation (R-ORD-3, `buyer_cancelled`) or after
    #: (R-ORD-5: `no_route`, `not_shipped`, `buyer_cancelled_late`); null if not cancelled.
    cancel_reason: CancelReason | None
    #: R-ORD-5: when its shipment must be handed over (once logistics planned it); past
    #: it and still unshipped, the buyer may cancel the confirmed order.
    ship_by: UtcDateTime | None
    timeline: list[TimelineEntryPublic]
    process: ProcessPublic

    @classmethod
    def of(cls, order: Order, process: Process) -> OrderPublic:
        return cls(
            order_id=order.id,
            **order.model_dump(include=set(cls.model_fields) - {"order_id", "timeline", "process"}),
            timeline=[TimelineEntryPublic(**entry.model_dump()) for entry in order.timeline],
            process=ProcessPublic.of(process),
        )


class OrderSummary(BaseModel):
    order_id: str
    status: str
    store_id: str
    total: Money
    created_at: UtcDateTime
    confirm_by: UtcDateTime
    #: R-ORD-2: seconds the merchant still has to confirm; null once not awaiting.
    seconds_left: float | None
    process: ProcessPublic

    @classmethod
    def of(cls, order: Order, now: datetime, process: Process) -> OrderSummary:
        fields = {"status", "store_id", "total", "created_at", "confirm_by"}
        return cls(
            order_id=order.id,
            seconds_left=order.seconds_left(now),
            process=ProcessPublic.of(process),
            **order.model_dump(include=fields),
        )


class BatchConfirm(RequestBody):
    order_ids: list[Line] = Field(min_length=1, max_length=100)


class ConfirmResult(BaseModel):
    order_id: str
    outcome: Literal["confirmed", "refused"]
    #: Why it was refused: `not_found` (unknown or not yours), `past_deadline`,
    #: `cancelled`, `already_confirmed`, …
    reason: str | None
    detail: str | None
    status: str | None


class BatchConfirmResult(BaseModel):
    results: list[ConfirmResult]


class OrderPage(BaseModel):
    items: list[OrderSummary]
    next_cursor: str | None


class ProductPublic(BaseModel):
    product_id: str
    store_id: str
    store_type: StoreType
    store_name: str | None
    title: str
    description: str
    category: str
    images: list[str]
    price: Money
    approved_at: datetime

    @classmethod
    def of(cls, item: CatalogueItem) -> ProductPublic:
        return cls(
            product_id=item.id,
            approved_at=item.decided_at,
            **item.model_dump(include=set(cls.model_fields) - {"product_id", "approved_at"}),
        )


class CataloguePage(BaseModel):
    items: list[ProductPublic]
    next_cursor: str | None


class MerchantStats(BaseModel):
    merchant_id: str
    orders_total: int
    confirmed_on_time: int
    timed_out: int
    #: confirmed_on_time / (confirmed_on_time + timed_out); null before any outcome.
    on_time_rate: float | None
    #: R-ORD-2: the median time from order to confirmation, of on-time confirmations.
    median_confirm_seconds: float | None
