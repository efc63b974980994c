"""A confirmed order's shipment, as logistics plans it (R-ORD-4, R-LOG-1..7), or created
already cancelled when it can never ship (R-ORD-5)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from logistics.domain.deadlines import DeliveryEstimate, estimate, self_drop_deadline
from logistics.domain.model import Shipment
from logistics.domain.parties import order_weight_grams
from logistics.domain.routes import Route
from shared.calendar import Calendars
from shared.clock import utc_ms
from shared.contract.events import OrderCancelled, OrderConfirmed
from shared.contract.types import StoreType, Warehouse
from shared.policy import Policy


def plan_shipment(
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
    (`ShipmentCreated`), or, when none accepts it, already cancelled (R-ORD-5 `no_route`,
    `ShipmentCancelled`) so its order is cancelled and refunded."""
    shipment = Shipment(
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
        shipment.cancel_as("no_route", "the store's warehouse or handling time is unknown", now)
        return shipment
    found = _estimate(order, handling_days, warehouse, policy, routes, calendars)
    if found is None:
        # R-LOG-6: no route rule accepts this destination and weight.
        to = f"{shipment.weight_grams} g to {shipment.destination_country}"
        shipment.cancel_as("no_route", f"no route accepts {to}", now)
        return shipment
    semi = order.store_type == "semi_managed"
    shipment.planned(found, self_drop_deadline(order.confirmed_at, policy) if semi else None, now)
    return shipment


def cancelled_before_confirmation(
    shipment_id: str, order: OrderCancelled, store_id: str, store_type: StoreType, now: datetime
) -> Shipment:
    """R-ORD-5, out of order: the order's cancellation arrived before the confirmation
    that creates its shipment. The shipment is created already cancelled, under the id
    the confirmation would create it with, so that confirmation, when it comes, creates
    nothing (its insert is refused as a duplicate). What the parcel would have been
    (destination, weight, route) is unknown here and stays so."""
    shipment = Shipment(
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
    shipment.cancel_as("order_cancelled", note, now)
    return shipment


def _estimate(
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
