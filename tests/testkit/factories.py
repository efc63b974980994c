"""Test data by name: one valid value of each contract type, overridden by keyword.

`an_order_confirmed(order_id="o-1", total=usd(990))` reads as what the test means; the
fields a test does not name keep one plausible value, the same in every test. Times
default to `T0`; a test on the run's clock (`testkit.clock.now()`) passes `at=`.
HTTP request bodies (JSON) are in `testkit.bodies`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from shared.auth import Principal
from shared.contract import events as ev
from shared.contract.types import Money, ShippingAddress, Warehouse

#: Time spans tests count in.
HOUR = timedelta(hours=1)

#: The time every factory's event occurs at unless told otherwise: a Tuesday 08:00 UTC.
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)

BUYER = "buyer-1"
MERCHANT = "merchant-1"
STORE = "store-1"
PRODUCT = "product-1"
ORDER = "order-1"
SHIPMENT = "shipment-1"
CASE = "case-1"

AN_OPERATOR = Principal("operator-1", "operator")
THE_MERCHANT = Principal(MERCHANT, "merchant")
ANOTHER_MERCHANT = Principal("merchant-2", "merchant")
THE_BUYER = Principal(BUYER, "buyer")
ANOTHER_BUYER = Principal("buyer-2", "buyer")


def usd(minor: int) -> Money:
    return Money(amount_minor=minor, currency="USD")


def a_day(offset: int = 0) -> date:
    """T0's date moved by `offset` days."""
    return T0.date() + timedelta(days=offset)


#: Where a buyer lives (Madrid, ES) and where a warehouse is (Shenzhen, CN).
_MADRID: dict[str, Any] = {
    "recipient": "Ana",
    "phone": "+34 600 000 000",
    "country": "ES",
    "city": "Madrid",
    "line1": "Gran Via 1",
    "postal_code": "28013",
}
_SHENZHEN: dict[str, Any] = {
    "country": "CN",
    "city": "Shenzhen",
    "address": "1 Keji Road",
    "timezone": "Asia/Shanghai",
}
#: ... or, where North American routes matter, New York and a warehouse in Newark (US).
_NEW_YORK = {"phone": "+1 212 555 0100", "country": "US", "city": "New York", "line1": "1 Main St"}
_NEWARK = {
    "country": "US",
    "city": "Newark",
    "address": "1 Dock St",
    "timezone": "America/New_York",
}


def an_address(**overrides: Any) -> ShippingAddress:
    """A buyer's address in Madrid (ES)."""
    return ShippingAddress(**{**_MADRID, **overrides})


def a_us_address(**overrides: Any) -> ShippingAddress:
    """A buyer's address in New York (US): North American and express routes reach it."""
    return an_address(**{**_NEW_YORK, "postal_code": "10001", **overrides})


def a_warehouse(**overrides: Any) -> Warehouse:
    """A full-managed origin: Shenzhen (CN)."""
    return Warehouse(**{**_SHENZHEN, **overrides})


def a_us_warehouse(**overrides: Any) -> Warehouse:
    """A semi-managed merchant's overseas warehouse in Newark (US), on New York time."""
    return a_warehouse(**{**_NEWARK, **overrides})


def a_line(**overrides: Any) -> ev.OrderLine:
    fields: dict[str, Any] = {
        "product_id": PRODUCT,
        "title": "Tea set",
        "category": "home",
        "quantity": 1,
        "unit_price": usd(4990),
        "weight_grams": 500,
    }
    return ev.OrderLine(**{**fields, **overrides})


#: Who an event is about, for the events of a store, a product and an order.
_STORE: dict[str, Any] = {"store_id": STORE, "merchant_id": MERCHANT, "store_type": "full_managed"}
_PRODUCT: dict[str, Any] = {
    "product_id": PRODUCT,
    **_STORE,
    "title": "Tea set",
    "category": "home",
    "price": usd(4990),
    "weight_grams": 500,
}
_PARCEL: dict[str, Any] = {"order_id": ORDER, "shipment_id": SHIPMENT}
#: What a forged event may say otherwise of STORE, by what it forges: the fields a store's
#: first approval fixes for good, its merchant and type (R-REV-8).
STORE_FORGERIES: dict[str, dict[str, Any]] = {
    "another merchant": {"merchant_id": "merchant-2"},
    "another type": {"store_type": "semi_managed"},
}


def _order(lines: list[ev.OrderLine] | None) -> dict[str, Any]:
    items = lines or [a_line()]
    total = sum(line.unit_price.amount_minor * line.quantity for line in items)
    return {
        "order_id": ORDER,
        "buyer_id": BUYER,
        **_STORE,
        "items": items,
        "total": Money(amount_minor=total, currency=items[0].unit_price.currency),
        "shipping_address": an_address(),
    }


def a_store_approved(*, at: datetime = T0, **overrides: Any) -> ev.StoreApproved:
    fields = {**_STORE, "store_name": "Tea House", "approved_at": at}
    return ev.StoreApproved(**{**fields, **overrides})


def a_store_rejected(*, at: datetime = T0, **overrides: Any) -> ev.StoreRejected:
    fields = {**_STORE, "stage": "qualification", "reason": "licence unreadable"}
    return ev.StoreRejected(**{**fields, "rejected_at": at, **overrides})


def a_product_approved(*, at: datetime = T0, **overrides: Any) -> ev.ProductApproved:
    fields = {
        **_PRODUCT,
        "description": "Six cups and a pot",
        "images": ["https://img.example/tea.jpg"],
        "approved_at": at,
    }
    return ev.ProductApproved(**{**fields, **overrides})


def a_product_rejected(*, at: datetime = T0, **overrides: Any) -> ev.ProductRejected:
    fields = {**_PRODUCT, "reason": "images missing", "rejected_at": at}
    return ev.ProductRejected(**{**fields, **overrides})


def an_order_created(
    *, at: datetime = T0, lines: list[ev.OrderLine] | None = None, **overrides: Any
) -> ev.OrderCreated:
    fields = {**_order(lines), "created_at": at, "confirm_by": at + timedelta(hours=24)}
    return ev.OrderCreated(**{**fields, **overrides})


def an_order_confirmed(
    *, at: datetime = T0, lines: list[ev.OrderLine] | None = None, **overrides: Any
) -> ev.OrderConfirmed:
    return ev.OrderConfirmed(**{**_order(lines), "confirmed_at": at, **overrides})


def an_order_cancelled(*, at: datetime = T0, **overrides: Any) -> ev.OrderCancelled:
    fields: dict[str, Any] = {
        "order_id": ORDER,
        "buyer_id": BUYER,
        "merchant_id": MERCHANT,
        "reason": "confirmation_timeout",
        "cancelled_at": at,
    }
    return ev.OrderCancelled(**{**fields, **overrides})


def a_window(earliest: date, latest: date) -> ev.DeliveryWindow:
    return ev.DeliveryWindow(earliest=earliest, latest=latest)


def a_shipped(*, at: datetime = T0, **overrides: Any) -> ev.Shipped:
    """ev.Shipped at `at` by SF Express, due 5 to 9 days later."""
    day = at.date()
    fields = {
        **_PARCEL,
        "carrier": "SF Express",
        "tracking_number": "SF123456789",
        "shipped_at": at,
        "estimated_delivery": a_window(day + timedelta(days=5), day + timedelta(days=9)),
    }
    return ev.Shipped(**{**fields, **overrides})


def a_delivered(*, at: datetime = T0, **overrides: Any) -> ev.Delivered:
    return ev.Delivered(**{**_PARCEL, "delivered_at": at, **overrides})


def a_shipment_late(*, at: datetime = T0, **overrides: Any) -> ev.ShipmentLate:
    fields = {**_PARCEL, "ship_by": at - timedelta(hours=1), "detected_at": at}
    return ev.ShipmentLate(**{**fields, **overrides})


def a_shipment_exception(*, at: datetime = T0, **overrides: Any) -> ev.ShipmentException:
    fields = {**_PARCEL, "kind": "lost", "note": "parcel lost at the hub", "reported_at": at}
    return ev.ShipmentException(**{**fields, **overrides})


def a_case_opened(*, at: datetime = T0, **overrides: Any) -> ev.AfterSalesCaseOpened:
    fields = {"case_id": CASE, "order_id": ORDER, "reason": "damaged", "opened_at": at}
    return ev.AfterSalesCaseOpened(**{**fields, **overrides})


def a_case_rejected(*, at: datetime = T0, **overrides: Any) -> ev.AfterSalesCaseRejected:
    fields: dict[str, Any] = {"case_id": CASE, "order_id": ORDER, "note": "no damage seen"}
    return ev.AfterSalesCaseRejected(**{**fields, "rejected_at": at, **overrides})


def a_refund_issued(*, at: datetime = T0, **overrides: Any) -> ev.RefundIssued:
    fields: dict[str, Any] = {
        "case_id": CASE,
        "order_id": ORDER,
        "amount": usd(4990),
        "liable_party": "merchant",
        "issued_at": at,
    }
    return ev.RefundIssued(**{**fields, **overrides})


def a_case_answered(*, at: datetime = T0, **overrides: Any) -> ev.AfterSalesCaseAnswered:
    """The merchant's first answer to CASE at `at`, the case opened an hour before."""
    fields: dict[str, Any] = {"case_id": CASE, "order_id": ORDER, "opened_at": at - HOUR}
    return ev.AfterSalesCaseAnswered(**{**fields, "answered_at": at, **overrides})


def a_store_warned(*, at: datetime = T0, **overrides: Any) -> ev.StoreWarned:
    """STORE warned at `at` of its confirmations in December 2026 (R-SC-1)."""
    fields: dict[str, Any] = {
        "store_id": STORE,
        "merchant_id": MERCHANT,
        "measure": "confirmation_on_time",
        "value": 0.5,
        "threshold": 0.95,
        "bound": "at_least",
        "sample": 10,
        "period": "2026-12",
    }
    return ev.StoreWarned(**{**fields, "warned_at": at, **overrides})
