"""The payload of every event in CONTRACT.md, one pydantic model each.

The class name is the event type and the routing key. A payload is validated when the
event is recorded (before it reaches the outbox) and again when it arrives.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

# Listed here with the others (`events.RefundIssued`), though written beside their kin.
from shared.contract.aftercare import (
    AfterSalesCaseAnswered as AfterSalesCaseAnswered,
)
from shared.contract.aftercare import (
    AfterSalesCaseOpened as AfterSalesCaseOpened,
)
from shared.contract.aftercare import (
    AfterSalesCaseRejected as AfterSalesCaseRejected,
)
from shared.contract.aftercare import Measure as Measure
from shared.contract.aftercare import RefundIssued as RefundIssued
from shared.contract.aftercare import StoreWarned as StoreWarned
from shared.contract.payouts import PayoutIssued as PayoutIssued
from shared.contract.payouts import PayoutLine as PayoutLine
from shared.contract.stores import ProductDelisted as ProductDelisted
from shared.contract.stores import StoreField as StoreField
from shared.contract.stores import StoreUpdated as StoreUpdated
from shared.contract.types import (
    CategoryCode,
    ContractModel,
    IsoDate,
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
    category: CategoryCode
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
    category: CategoryCode
    price: Money
    weight_grams: int = Field(gt=0)
    reason: NonEmpty
    rejected_at: UtcDateTime


class OrderLine(ContractModel):
    product_id: str
    title: str
    category: CategoryCode
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


#: Why an order was cancelled: before its confirmation (R-ORD-2, R-ORD-3), or after it,
#: because it could not or did not ship (R-ORD-5).
CancelReason = Literal[
    "confirmation_timeout", "buyer_cancelled", "no_route", "not_shipped", "buyer_cancelled_late"
]
#: The causes of R-ORD-5: a confirmed order cancelled, its buyer refunded in whole.
COMPENSATED: frozenset[str] = frozenset({"no_route", "not_shipped", "buyer_cancelled_late"})


class OrderCancelled(ContractModel):
    order_id: str
    buyer_id: str
    merchant_id: str
    reason: CancelReason
    cancelled_at: UtcDateTime
    #: What a compensation needs (R-ORD-5, R-ORD-6): the store's type and the order's
    #: total; absent from events recorded before they were added.
    store_id: str | None = None
    store_type: StoreType | None = None
    total: Money | None = None


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
    #: R-LOG-8: a semi-managed delivery after its window's latest date (destination local).
    late: bool = False
    days_late: int = Field(0, ge=0)


class ShipmentCreated(ContractModel):
    """A confirmed order's shipment, with its deadline and route (R-ORD-4, R-LOG-1..7)."""

    order_id: str
    shipment_id: str
    store_id: str
    merchant_id: str
    store_type: StoreType
    route: str
    ship_by: UtcDateTime
    estimated_delivery: DeliveryWindow
    created_at: UtcDateTime


class ShipmentCancelled(ContractModel):
    """A shipment that will never ship (R-ORD-5): no route accepts it, it was not handed
    over by `ship_by` + `SHIP_GRACE_HOURS`, or its order was cancelled."""

    order_id: str
    shipment_id: str
    reason: Literal["no_route", "not_shipped", "order_cancelled"]
    note: str
    cancelled_at: UtcDateTime


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


#: Every event of the contract, and the one service that publishes it.
PRODUCERS: dict[type[ContractModel], str] = {
    StoreApproved: "review",
    StoreRejected: "review",
    ProductApproved: "review",
    ProductRejected: "review",
    StoreUpdated: "review",
    ProductDelisted: "review",
    OrderCreated: "orders",
    OrderConfirmed: "orders",
    OrderCancelled: "orders",
    Shipped: "logistics",
    Delivered: "logistics",
    ShipmentCreated: "logistics",
    ShipmentCancelled: "logistics",
    ShipmentLate: "logistics",
    ShipmentException: "logistics",
    AfterSalesCaseOpened: "aftersales",
    AfterSalesCaseAnswered: "aftersales",
    AfterSalesCaseRejected: "aftersales",
    RefundIssued: "aftersales",
    StoreWarned: "orders",
    PayoutIssued: "settlement",
}

#: Every event of the contract, in the order above.
EVENT_MODELS: tuple[type[ContractModel], ...] = tuple(PRODUCERS)
