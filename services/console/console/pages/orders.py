"""Orders: a search and list of orders, and one order's whole process across the services.

- `/orders`: operators find an order by its id, or list orders by status, or those stuck
  past a deadline (`stuck=true`, R-ORD-5); merchants and buyers see their own orders,
  newest first (the orders service scopes the list by the user's token).
- `/orders/{id}`: for its buyer, its merchant and operators (the services answer 404 to
  anyone else, shown as "no such order for you"): what the platform waits for, from
  whom and until when, the timeline of events with the service each came from, the
  shipment, the cases and, for its merchant and operators, its ledger.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.pages.order_process import order_process, path_of
from console.services import ServiceProblem, services_of
from console.session import SignedIn
from console.web import back_to, render

router = APIRouter(prefix="/orders", tags=["orders"])
#: Orders per page of the list.
PAGE = 20
#: The statuses one may list by (the orders service's `OrderStatus`).
STATUSES = (
    "awaiting_confirmation",
    "confirmed",
    "shipped",
    "delivered",
    "partially_refunded",
    "refunded",
    "cancelled",
)
Text = Annotated[str | None, Query(max_length=500)]


@router.get("")
async def orders_page(
    request: Request,
    user: SignedIn,
    order_id: Annotated[str | None, Query(max_length=100)] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
    stuck: bool = False,
    cursor: Text = None,
) -> Response:
    """The search by id goes straight to the order's page; the list is what the orders
    service answers this user (its refusal, e.g. `stuck` with a status, shown above)."""
    if order_id and order_id.strip():
        return back_to(f"/orders/{path_of(order_id.strip())}")
    services = services_of(request)
    filters: dict[str, Any] = {"status": status or None, "stuck": "true" if stuck else None}
    try:
        page = await services.get(user, "orders", "/orders", limit=PAGE, cursor=cursor, **filters)
    except ServiceProblem as refused:
        if refused.status == 401:
            raise
        return render(
            request,
            "orders.html",
            status=refused.status,
            problem=refused,
            orders=[],
            next_cursor=None,
            statuses=STATUSES,
            chosen={"status": status or "", "stuck": stuck},
        )
    return render(
        request,
        "orders.html",
        orders=page["items"],
        next_cursor=page["next_cursor"],
        statuses=STATUSES,
        chosen={"status": status or "", "stuck": stuck},
    )


@router.get("/{order_id}")
async def order_page(request: Request, user: SignedIn, order_id: str) -> Response:
    process = await order_process(request.app.state.console.services, user, order_id)
    status = 404 if process.order.missing else 200
    return render(request, "order.html", status=status, order_id=order_id, process=process)
