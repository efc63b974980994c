"""The payload of every event in CONTRACT.md, one pydantic model each.

The class name is the event type and the routing key. A payload is validated when the
event is recorded (before it reaches the outbox) and again when it arrives.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared.contract.types import (
    ContractModel,
    IsoDate,
    LiableParty,
    Money,
    NonEmpty,
    ShippingAddress,
    StoreType,
    UtcDateTime,
    Warehouse,
)


class StoreApproved(ContractModel):
    store_id: str
    merchant_id: str
    store_type: StoreType
    store_name: str
    handling_days: int | None = None
    warehouse: Warehouse | None = None
    approved_at: UtcDateTime


class StoreRejected(ContractModel):
    store_id: str
    merchant_id: str
    store_type: StoreType
    stage: str
    reason: NonEmpty
    rejected_at: UtcDateTime


class ProductApproved(ContractModel):
    product_id: str
    store_id: str
    merchant_id: str
    store_type: StoreType
    title: str
    description: str
    category: str
    images: list[str]
    price: Money
    weight_grams: int = Field(gt=0)
    approved_at: UtcDateTime


class ProductRejected(ContractModel):
    product_id: str
    store_id: str
    merchant_id: str
    store_type: StoreType
    title: str
    category: str
    price: Money
    weight_grams: int = Field(gt=0)
    reason: NonEmpty
    rejected_at: UtcDateTime


class OrderLine(ContractModel):
    product_id: str
    title: str
    category: str
    quantity: int = Field(gt=0)
    unit_price: Money
    weight_grams: int = Field(gt=0)


class OrderCreated(ContractModel):
    order_id: str
    buyer_id: str
    store_id: str
    merchant_id: str
    store_type: StoreType
    items: list[OrderLine] = Field(min_length=1)
    total: Money
    shipping_address: ShippingAddress
    created_at: UtcDateTime
    confirm_by: UtcDateTime


class OrderConfirmed(ContractModel):
    order_id: str
    buyer_id: str
    store_id: str
    merchant_id: str
    store_type: StoreType
    confirmed_at: UtcDateTime
    shipping_address: ShippingAddress
    items: list[OrderLine] = Field(min_length=1)
    total: Money


class OrderCancelled(ContractModel):
    order_id: str
    buyer_id: str
    merchant_id: str
    reason: Literal["confirmation_timeout", "buyer_cancelled"]
    cancelled_at: UtcDateTime


class DeliveryWindow(ContractModel):
    earliest: IsoDate
    latest: IsoDate


class Shipped(ContractModel):
    order_id: str
    shipment_id: str
    carrier: str
    tracking_number: str
    shipped_at: UtcDateTime
    estimated_delivery: DeliveryWindow


class Delivered(ContractModel):
    order_id: str
    shipment_id: str
    delivered_at: UtcDateTime


class ShipmentLate(ContractModel):
    order_id: str
    shipment_id: str
    ship_by: UtcDateTime
    detected_at: UtcDateTime


class ShipmentException(ContractModel):
    order_id: str
    shipment_id: str
    kind: Literal["lost", "damaged", "no_route"]
    note: str
    reported_at: UtcDateTime


class AfterSalesCaseOpened(ContractModel):
    case_id: str
    order_id: str
    reason: Literal["damaged", "lost", "not_received", "not_as_described"]
    opened_at: UtcDateTime


class RefundIssued(ContractModel):
    case_id: str
    order_id: str
    amount: Money
    liable_party: LiableParty
    issued_at: UtcDateTime


EVENT_MODELS: tuple[type[ContractModel], ...] = (
    StoreApproved,
    StoreRejected,
    ProductApproved,
    ProductRejected,
    OrderCreated,
    OrderConfirmed,
    OrderCancelled,
    Shipped,
    Delivered,
    ShipmentLate,
    ShipmentException,
    AfterSalesCaseOpened,
    RefundIssued,
)

#: Who publishes each event (the contract's "producer" column).
PRODUCERS: dict[type[ContractModel], str] = {
    StoreApproved: "review",
    StoreRejected: "review",
    ProductApproved: "review",
    ProductRejected: "review",
    OrderCreated: "orders",
    OrderConfirmed: "orders",
    OrderCancelled: "orders",
    Shipped: "logistics",
    Delivered: "logistics",
    ShipmentLate: "logistics",
    ShipmentException: "logistics",
    AfterSalesCaseOpened: "aftersales",
    RefundIssued: "aftersales",
}
