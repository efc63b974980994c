"""What orders' unit tests share: the service as its own `bootstrap` wires it on fake ports
(`shared.testing.Wired`), the buyer's order of the product review approved, placed and
read back.

    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await wired.deliver(a_shipped(order_id=order.id))
    assert (await stored(wired, order.id)).status == "shipped"

Logistics' events of R-ORD-5 (`a_shipment_created`, `a_shipment_cancelled`) and the
`OrderCancelled` orders publishes now (`the_order_cancelled`) are made here too; and, for
an order's process, the semi-managed store's order (`orders_selling_semi`)
and what an order waits for now (`waiting`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeAlias

from orders.bootstrap import OrdersServices, bootstrap
from orders.domain.model import Order
from orders.service_layer.commands import PlaceOrder
from orders.settings import OrdersSettings
from shared.clock import FixedClock
from shared.contract import events as ev
from shared.policy import Policy
from shared.testing import FakePorts, Wired
from testkit.factories import (
    BUYER,
    MERCHANT,
    ORDER,
    PRODUCT,
    SHIPMENT,
    STORE,
    T0,
    THE_MERCHANT,
    a_product_approved,
    a_store_approved,
    a_window,
    an_address,
    an_order_cancelled,
    usd,
)

WiredOrders: TypeAlias = Wired[OrdersServices]

#: The timeline of an order confirmed, shipped and delivered, whatever order the facts came in.
CREATED_TO_DELIVERED = ["OrderCreated", "OrderConfirmed", "Shipped", "Delivered"]


async def an_orders_service(
    *, policy: Policy | None = None, settings: OrdersSettings | None = None
) -> WiredOrders:
    """Orders on fake ports, its clock fixed at T0, with nothing yet from review."""
    ports = FakePorts("orders", settings, clock=FixedClock(T0), policy=policy)
    wired: WiredOrders = await Wired.up(bootstrap, ports)
    return wired


async def orders_selling_the_product(
    *, policy: Policy | None = None, settings: OrdersSettings | None = None, **product: Any
) -> WiredOrders:
    """Orders with review's approval of the store and of its product (PRODUCT, 49.90 USD,
    full-managed; `product` overrides `a_product_approved`'s fields)."""
    wired = await an_orders_service(policy=policy, settings=settings)
    store_type = product.get("store_type", "full_managed")
    await wired.deliver(a_store_approved(store_type=store_type))
    await wired.deliver(a_product_approved(**product))
    return wired


async def orders_selling_semi() -> WiredOrders:
    """Orders selling PRODUCT of a semi-managed store: its merchant ships (R-LOG-2)."""
    return await orders_selling_the_product(store_type="semi_managed")


def a_place(**overrides: Any) -> PlaceOrder:
    """The buyer's order of one PRODUCT, to their address in Madrid."""
    fields: dict[str, Any] = {"buyer_id": BUYER, "items": [(PRODUCT, 1)], "address": an_address()}
    return PlaceOrder(**{**fields, **overrides})


async def placed(wired: WiredOrders, *, confirmed: bool = False) -> Order:
    """The order `a_place()` places now, awaiting confirmation or confirmed by its merchant."""
    order, _ = await wired.services.commands.place(a_place())
    if confirmed:
        order = await wired.services.commands.confirm(order.id, THE_MERCHANT)
    return order


async def stored(wired: WiredOrders, order_id: str) -> Order:
    """The order as it is stored now."""
    order = await wired.services.commands.orders.get(order_id)
    assert order is not None
    return order


async def waiting(wired: WiredOrders, order_id: str) -> tuple[str | None, datetime | None]:
    """What the stored order waits for now (`waiting_for.step`, or its `ended_because`) and
    until when."""
    process = wired.services.processes.of(await stored(wired, order_id))
    step = process.waiting_for.step if process.waiting_for else process.ended_because
    return step, process.until


#: How long after its creation a shipment of `a_shipment_created` must be handed over.
SHIP_WITHIN = timedelta(days=3)


def a_shipment_created(*, at: datetime = T0, **overrides: Any) -> ev.ShipmentCreated:
    """Logistics planned the order's full-managed shipment at `at`: to be handed over by
    `at` + `SHIP_WITHIN`, delivered 5 to 9 days after (R-ORD-4, R-LOG-1..3)."""
    ship_by = overrides.pop("ship_by", at + SHIP_WITHIN)
    day = ship_by.date()
    fields: dict[str, Any] = {
        "order_id": ORDER,
        "shipment_id": SHIPMENT,
        "store_id": STORE,
        "merchant_id": MERCHANT,
        "store_type": "full_managed",
        "route": "full-cn-standard",
        "ship_by": ship_by,
        "estimated_delivery": a_window(day + timedelta(days=5), day + timedelta(days=9)),
        "created_at": at,
    }
    return ev.ShipmentCreated(**{**fields, **overrides})


def a_shipment_cancelled(*, at: datetime = T0, **overrides: Any) -> ev.ShipmentCancelled:
    """Logistics cancelled the order's shipment at `at`, not handed over in time (R-ORD-5)."""
    fields: dict[str, Any] = {
        "order_id": ORDER,
        "shipment_id": SHIPMENT,
        "reason": "not_shipped",
        "note": "not handed over by ship_by + SHIP_GRACE_HOURS",
        "cancelled_at": at,
    }
    return ev.ShipmentCancelled(**{**fields, **overrides})


def the_order_cancelled(*, at: datetime = T0, **overrides: Any) -> ev.OrderCancelled:
    """The `OrderCancelled` orders publishes for the order of `a_place()`: with its store
    and its total (49.90 USD), as every cancellation carries them now (R-ORD-5, R-ORD-6)."""
    store: dict[str, Any] = {"store_id": STORE, "store_type": "full_managed", "total": usd(4990)}
    return an_order_cancelled(at=at, **{**store, **overrides})
