"""One shipment as an operator handles it: its facts, its tracking, and the actions
logistics offers the platform on it: hand a full-managed parcel to its carrier (R-LOG-1,
R-LOG-5), mark a shipped parcel delivered (R-LOG-8), report it lost or damaged.

Each action is a plain form; logistics decides. Its refusal (a shipment no longer in the
state the page showed: 409; a field missing or wrong: 422; a semi-managed parcel, which
its merchant ships, R-LOG-4: 403) shows the page again as it stands now, with the refusal
above and each field's message beside its field, what was typed kept.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from console.pages.shipping_common import calendar_note, shipment_path
from console.services import ServiceProblem, services_of
from console.session import Form, Operator, User
from console.web import back_to, flash, render

router = APIRouter()
ShipmentId = Annotated[str, Path(min_length=1, max_length=200)]
#: What each form sends, by the form's name (logistics' `ShipmentShip`,
#: `ShipmentExceptionReport`; delivering sends nothing).
FIELDS = {
    "ship": ("carrier", "tracking_number", "handover"),
    "exception": ("kind", "note"),
    "deliver": (),
}
#: The kinds of exception an operator reports (logistics' `ReportedExceptionKind`).
EXCEPTION_KINDS = {"lost": "Lost", "damaged": "Damaged"}
HANDOVERS = {"pickup": "Picked up by the carrier", "self_drop": "Dropped off at the carrier"}


def actions_on(shipment: dict[str, Any]) -> dict[str, bool]:
    """What the platform may do to the shipment as it stands: ship a full-managed parcel
    still awaiting its handover (R-LOG-1; a semi-managed one is its merchant's, R-LOG-4),
    deliver a shipped one, report one not yet delivered lost or damaged."""
    status = shipment["status"]
    return {
        "ship": status == "awaiting_shipment" and shipment["store_type"] == "full_managed",
        "deliver": status == "shipped",
        "exception": status in ("awaiting_shipment", "shipped"),
    }


def _sent(form: FormData, action: str) -> dict[str, str]:
    return {name: str(form.get(name) or "").strip() for name in FIELDS[action]}


async def _page(
    request: Request,
    user: User,
    shipment_id: str,
    *,
    problem: ServiceProblem | None = None,
    failed: str | None = None,
    sent: dict[str, str] | None = None,
) -> Response:
    """The shipment as logistics has it now; after a refusal, with the refusal, each
    field's message beside the form that `failed`, and what was typed in it; its
    countdown is logistics' own `seconds_left`."""
    shipment = await services_of(request).get(user, "logistics", shipment_path(shipment_id))
    return render(
        request,
        "shipping_shipment.html",
        status=problem.status if problem else 200,
        problem=problem,
        shipment=shipment,
        calendar=calendar_note(shipment.get("calendar")),
        actions=actions_on(shipment),
        failed=failed,
        errors=problem.fields if problem else {},
        sent=sent or {},
        kinds=EXCEPTION_KINDS,
        handovers=HANDOVERS,
    )


@router.get("/{shipment_id}")
async def shipment_page(request: Request, user: Operator, shipment_id: ShipmentId) -> Response:
    return await _page(request, user, shipment_id)


async def _act(
    request: Request, user: User, form: FormData, shipment_id: str, action: str, done: str
) -> Response:
    """Asks logistics to take `action` with the form's fields; on success the page again
    with `done` said; refused, the page with why."""
    sent = _sent(form, action)
    path = shipment_path(shipment_id, "exceptions" if action == "exception" else action)
    try:
        await services_of(request).post(user, "logistics", path, sent or None)
    except ServiceProblem as refused:
        if refused.status == 401:
            raise
        return await _page(request, user, shipment_id, problem=refused, failed=action, sent=sent)
    flash(request, done.format(id=shipment_id, **sent))
    return back_to(f"/shipping/{quote(shipment_id, safe='')}")


@router.post("/{shipment_id}/ship")
async def ship(request: Request, user: Operator, form: Form, shipment_id: ShipmentId) -> Response:
    """R-LOG-1, R-LOG-5: the platform hands a full-managed parcel to its carrier; handed
    over after `ship_by`, logistics marks it late."""
    done = "Shipment {id} is handed over to {carrier}, tracking number {tracking_number}."
    return await _act(request, user, form, shipment_id, "ship", done)


@router.post("/{shipment_id}/deliver")
async def deliver(
    request: Request, user: Operator, form: Form, shipment_id: ShipmentId
) -> Response:
    """The carrier delivered the parcel: its order moves to delivered, and the buyer's
    after-sales window opens (R-AS-1); a semi-managed one after its window is late (R-LOG-8)."""
    done = "Shipment {id} is delivered."
    return await _act(request, user, form, shipment_id, "deliver", done)


@router.post("/{shipment_id}/exceptions")
async def report_exception(
    request: Request, user: Operator, form: Form, shipment_id: ShipmentId
) -> Response:
    """The parcel was lost or damaged before delivery (after it, it is after-sales'); one
    never handed over is cancelled at `ship_by` + the grace hours (R-ORD-5)."""
    done = "Shipment {id} is reported {kind}."
    return await _act(request, user, form, shipment_id, "exception", done)
