"""The operators' shipping page (R-LOG-1, R-LOG-5): the shipments to hand over, the soonest
`ship_by` first, each with its countdown, its order, route, estimated delivery and the
working-day calendar it was counted on (R-CAL-2); in transit, delivered, or the orders
stuck past a deadline (R-ORD-5); or the shipments of one order.

Logistics lists shipments by order only (`GET /shipments?order_id=`), so a view reads one
page of orders (orders: by status, or `stuck=true`) and asks logistics for each order's
shipments; the soonest first within that page. Each shipment's time left is counted from
the `Date` of logistics' own answer.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.pages import shipping_shipment
from console.pages.shipping_common import (
    calendar_note,
    from_logistics,
    soonest_first,
    timed,
)
from console.services import services_of
from console.session import Operator, User
from console.web import render

router = APIRouter(prefix="/shipping", tags=["shipping"])
router.include_router(shipping_shipment.router)

#: Orders one page reads (each one costs a call to logistics).
PAGE = 50
#: Calls to logistics at once for one page: quick enough, and polite.
AT_ONCE = 8
View = Literal["to_ship", "in_transit", "delivered", "overdue"]
#: Each view: its name, and the orders it reads (the orders service's filters).
VIEWS: dict[str, tuple[str, dict[str, str]]] = {
    "to_ship": ("To hand over", {"status": "confirmed"}),
    "in_transit": ("In transit", {"status": "shipped"}),
    "delivered": ("Delivered", {"status": "delivered"}),
    "overdue": ("Orders past a deadline", {"stuck": "true"}),
}


def _shown(shipment: dict[str, Any]) -> dict[str, Any]:
    shipment["calendar_note"] = calendar_note(shipment.get("calendar"))
    return shipment


async def _shipments_of(
    request: Request, user: User, order_id: str, gate: asyncio.Semaphore
) -> list[dict[str, Any]]:
    """The order's shipments, each timed by logistics' clock."""
    async with gate:
        found, now = await from_logistics(request, user, "/shipments", {"order_id": order_id})
    return [_shown(timed(shipment, now)) for shipment in found["items"]]


async def _by_order(request: Request, user: User, order_id: str) -> dict[str, Any]:
    """The shipments of the order the operator looked for."""
    shipments = await _shipments_of(request, user, order_id, asyncio.Semaphore(1))
    return {"shipments": sorted(shipments, key=soonest_first), "unplanned": [], "next": None}


async def _by_view(request: Request, user: User, view: str, cursor: str | None) -> dict[str, Any]:
    """A page of the view's orders, their shipments soonest first, and the orders with no
    shipment (yet), each with what the platform waits for."""
    filters = VIEWS[view][1]
    orders = await services_of(request).get(
        user, "orders", "/orders", **filters, limit=PAGE, cursor=cursor
    )
    gate = asyncio.Semaphore(AT_ONCE)
    found = await asyncio.gather(
        *(_shipments_of(request, user, o["order_id"], gate) for o in orders["items"])
    )
    shipments = [shipment for each in found for shipment in each]
    unplanned = [o for o, each in zip(orders["items"], found, strict=True) if not each]
    return {
        "shipments": sorted(shipments, key=soonest_first),
        "unplanned": unplanned,
        "next": orders["next_cursor"],
    }


@router.get("")
async def shipping(
    request: Request,
    user: Operator,
    view: View = "to_ship",
    order_id: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    order_id = (order_id or "").strip() or None
    if order_id:
        facts = await _by_order(request, user, order_id)
    else:
        facts = await _by_view(request, user, view, cursor)
    return render(
        request,
        "shipping.html",
        views={name: label for name, (label, _) in VIEWS.items()},
        view=None if order_id else view,
        order_id=order_id,
        **facts,
    )
