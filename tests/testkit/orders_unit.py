"""What orders' unit tests share: the service as its own `bootstrap` wires it on fake ports
(`shared.testing.Wired`), the buyer's order of the product review approved, placed and
read back.

    wired = await orders_selling_the_product()
    order = await placed(wired, confirmed=True)
    await wired.deliver(a_shipped(order_id=order.id))
    assert (await stored(wired, order.id)).status == "shipped"
"""

from __future__ import annotations

from typing import Any, TypeAlias

from orders.bootstrap import OrdersServices, bootstrap
from orders.domain.model import Order
from orders.service_layer.commands import PlaceOrder
from shared.clock import FixedClock
from shared.policy import Policy
from shared.testing import FakePorts, Wired
from testkit.factories import (
    BUYER,
    PRODUCT,
    T0,
    THE_MERCHANT,
    a_product_approved,
    a_store_approved,
    an_address,
)

WiredOrders: TypeAlias = Wired[OrdersServices]

#: The timeline of an order confirmed, shipped and delivered, whatever order the facts came in.
CREATED_TO_DELIVERED = ["OrderCreated", "OrderConfirmed", "Shipped", "Delivered"]


async def an_orders_service(*, policy: Policy | None = None) -> WiredOrders:
    """Orders on fake ports, its clock fixed at T0, with nothing yet from review."""
    ports = FakePorts("orders", clock=FixedClock(T0), policy=policy)
    wired: WiredOrders = await Wired.up(bootstrap, ports)
    return wired


async def orders_selling_the_product() -> WiredOrders:
    """Orders with review's approval of the store and of its product (PRODUCT, 49.90 USD)."""
    wired = await an_orders_service()
    await wired.deliver(a_store_approved())
    await wired.deliver(a_product_approved())
    return wired


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
