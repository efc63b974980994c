"""The operators' shipping page (R-LOG-1, R-LOG-5): the shipments by status, the soonest
`ship_by` first, each with its countdown, its order, route, estimated delivery and the
working-day calendar it was counted on (R-CAL-2); or the shipments of one order (R-ORD-4).

Each view is one call per page to logistics' list (`GET /shipments?status=`, keyset-paged
by `ship_by`), which counts every countdown (`seconds_left`) by its own clock. The late
parcels are the first rows of the shipments to hand over, since those come soonest
`ship_by` first: the "late" view reads that same list and stops at the first one still
in time.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.pages import shipping_shipment
from console.pages.shipping_common import calendar_note, of_order, page_or_refusal, past_ship_by
from console.services import ServiceProblem
from console.session import Operator, User
from console.web import render

router = APIRouter(prefix="/shipping", tags=["shipping"])
router.include_router(shipping_shipment.router)

View = Literal["to_ship", "late", "in_transit", "delivered", "exceptions"]
#: Each view: its name, and the shipment status it lists (logistics' `ShipmentStatus`).
VIEWS: dict[str, tuple[str, str]] = {
    "to_ship": ("To hand over", "awaiting_shipment"),
    "late": ("Late", "awaiting_shipment"),
    "in_transit": ("In transit", "shipped"),
    "delivered": ("Delivered", "delivered"),
    "exceptions": ("Exceptions", "exception"),
}


def _shown(shipments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each shipment with its calendar as people read it (R-CAL-2)."""
    return [s | {"calendar_note": calendar_note(s.get("calendar"))} for s in shipments]


def _only_late(facts: dict[str, Any]) -> dict[str, Any]:
    """The page's late parcels (R-LOG-5): its first rows, up to the first still in time;
    later pages only while every row of this one was late."""
    late = [s for s in facts["shipments"] if past_ship_by(s)]
    all_late = len(late) == len(facts["shipments"])
    return facts | {"shipments": late, "next_cursor": facts["next_cursor"] if all_late else None}


async def _by_view(
    request: Request, user: User, view: str, cursor: str | None
) -> tuple[dict[str, Any], ServiceProblem | None]:
    """A page of the view's shipments, soonest `ship_by` first, or the refusal of its link."""
    facts, refused = await page_or_refusal(request, user, VIEWS[view][1], cursor)
    if view == "late":
        facts = _only_late(facts)
    return facts, refused


@router.get("")
async def shipping(
    request: Request,
    user: Operator,
    view: View = "to_ship",
    order_id: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    order_id = (order_id or "").strip() or None
    refused: ServiceProblem | None = None
    facts: dict[str, Any]
    if order_id:
        shipments = await of_order(request, user, order_id)
        facts = {"shipments": shipments, "next_cursor": None, "cursor": None}
    else:
        facts, refused = await _by_view(request, user, view, cursor)
    return render(
        request,
        "shipping.html",
        status=refused.status if refused else 200,
        problem=refused,
        views={name: label for name, (label, _) in VIEWS.items()},
        view=None if order_id else view,
        order_id=order_id,
        **(facts | {"shipments": _shown(facts["shipments"])}),
    )
