"""The merchant's confirmation desk (R-ORD-2): the orders waiting for confirmation, the
soonest deadline first, each with its countdown; several confirmed in one batch, each
answered on its own (confirmed, or refused and why: past its deadline, cancelled, …)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.services import ServiceProblem, services_of
from console.session import Form, Merchant, User
from console.web import render

router = APIRouter(prefix="/desk", tags=["desk"])
#: The most orders one page of the desk shows (the services' page size limit).
PAGE = 50


async def _waiting(request: Request, user: User, cursor: str | None) -> dict[str, Any]:
    services = services_of(request)
    found: dict[str, Any] = await services.get(
        user, "orders", "/orders", status="awaiting_confirmation", limit=PAGE, cursor=cursor
    )
    return found


@router.get("")
async def desk(
    request: Request,
    user: Merchant,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    page = await _waiting(request, user, cursor)
    return render(request, "desk.html", orders=page["items"], next_cursor=page["next_cursor"])


@router.get("/waiting")
async def waiting(request: Request, user: Merchant) -> Response:
    """The live count above the desk (htmx polls it): how many orders wait now."""
    page = await _waiting(request, user, None)
    return render(
        request, "desk_waiting.html", count=len(page["items"]), more=bool(page["next_cursor"])
    )


@router.post("/confirm")
async def confirm(request: Request, user: Merchant, form: Form) -> Response:
    chosen = [str(value) for value in form.getlist("order_ids")]
    services = services_of(request)
    results: list[dict[str, Any]] = []
    problem: ServiceProblem | None = None
    errors: dict[str, str] = {}
    if not chosen:
        errors["order_ids"] = "Tick the orders you confirm, then press Confirm."
    else:
        try:
            answer = await services.post(user, "orders", "/orders/confirm", {"order_ids": chosen})
            results = answer["results"]
        except ServiceProblem as refused:
            problem = refused
    page = await _waiting(request, user, None)
    status = 422 if errors or problem else 200
    return render(
        request,
        "desk.html",
        status=status,
        problem=problem,
        errors=errors,
        results=results,
        orders=page["items"],
        next_cursor=page["next_cursor"],
    )
