"""The merchant's shipments to hand over, the soonest `ship_by` first (R-LOG-1, R-LOG-5),
each with its countdown; a semi-managed one (R-LOG-4: the merchant ships it) with the form
that hands it over.

Logistics lists them itself (`GET /shipments?status=awaiting_shipment`: the merchant's
own, soonest `ship_by` first, a page at a time), each with `seconds_left` counted by its
own clock, so the console keeps no clock of its own for them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.services import ServiceProblem, Services
from console.session import Form, Merchant, User
from console.web import back_to, flash, render

router = APIRouter(prefix="/shipments", tags=["merchant"])
#: Shipments one page shows (logistics answers up to 100).
PAGE = 50


async def to_hand_over(request: Request, user: User, cursor: str | None) -> dict[str, Any]:
    """The page's facts: the merchant's shipments waiting for their handover, the soonest
    `ship_by` first, and the cursor of the later ones (None on the last page)."""
    services: Services = request.app.state.console.services
    found = await services.get(
        user, "logistics", "/shipments", status="awaiting_shipment", limit=PAGE, cursor=cursor
    )
    return {"shipments": found["items"], "next_cursor": found["next_cursor"], "cursor": cursor}


@router.get("")
async def shipments(
    request: Request,
    user: Merchant,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    try:
        facts = await to_hand_over(request, user, cursor)
    except ServiceProblem as refused:
        if not cursor:
            raise
        # A page link logistics no longer takes (a stale or edited cursor): its refusal
        # shown above the first page, from which the person can page on again.
        facts = await to_hand_over(request, user, None)
        return render(request, "shipments.html", status=refused.status, problem=refused, **facts)
    return render(request, "shipments.html", **facts)


def _handover(form: Any) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in ("carrier", "tracking_number")} | {
        "handover": str(form.get("handover") or "")
    }


def _missing(body: dict[str, str]) -> dict[str, str]:
    """What the person left out, said before logistics is asked."""
    errors = {}
    if not body["carrier"]:
        errors["carrier"] = "Name the carrier the parcel was handed to."
    if not body["tracking_number"]:
        errors["tracking_number"] = "Give the carrier's tracking number."
    if body["handover"] not in ("pickup", "self_drop"):
        errors["handover"] = "Say whether the carrier picked it up or you dropped it off."
    return errors


@router.post("/{shipment_id}/ship")
async def ship(request: Request, shipment_id: str, user: Merchant, form: Form) -> Response:
    """R-LOG-4: the merchant hands over its semi-managed parcel (a full-managed one is the
    platform's to ship: logistics refuses it, and the refusal is shown)."""
    body = _handover(form)
    errors = _missing(body)
    problem: ServiceProblem | None = None
    if not errors:
        try:
            services: Services = request.app.state.console.services
            await services.post(user, "logistics", f"/shipments/{shipment_id}/ship", body)
        except ServiceProblem as refused:
            problem, errors = refused, refused.fields
        else:
            flash(request, f"Shipment {shipment_id} handed over to {body['carrier']}.")
            return back_to("/shipments")
    facts = await to_hand_over(request, user, None)
    return render(
        request,
        "shipments.html",
        status=problem.status if problem else 422,
        problem=problem,
        failed=shipment_id,
        errors=errors,
        sent=body,
        **facts,
    )
