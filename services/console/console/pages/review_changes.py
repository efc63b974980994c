"""An approved store's change request as an operator reviews it (R-REV-12): each field
it changes beside the value that stands, the stages those fields concern, and the decision
on the current one (approve, reject with a reason, or return for information, R-REV-13).
The store keeps selling under its approved information until every stage is approved."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from console.pages.review_common import (
    INFO_ROWS,
    decided_message,
    field_errors,
    stage_decision,
    typed,
)
from console.services import ServiceProblem, services_of
from console.session import Form, Operator, User
from console.web import back_to, flash, render

router = APIRouter(prefix="/stores/{store_id}/change-requests")


def _changed(change: dict[str, Any], store: dict[str, Any]) -> list[dict[str, Any]]:
    """Each field the request changes: the value that stands (the approved application's)
    and the one asked for."""
    return [
        {
            "field": name,
            "now": store["application"].get(name),
            "asked": change["changes"].get(name),
        }
        for name in change["changed"]
    ]


async def _change_page(
    request: Request,
    user: User,
    store_id: str,
    change_id: str,
    *,
    problem: ServiceProblem | None = None,
    form: FormData | None = None,
) -> Response:
    services = services_of(request)
    path = f"/stores/{store_id}/change-requests/{change_id}"
    change: dict[str, Any] = await services.get(user, "review", path)
    store: dict[str, Any] = await services.get(user, "review", f"/stores/{store_id}")
    return render(
        request,
        "change.html",
        status=problem.status if problem else 200,
        problem=problem,
        field_errors=field_errors(problem),
        change=change,
        store=store,
        changed=_changed(change, store),
        typed=typed(form),
        info_rows=INFO_ROWS,
        decide_action=f"/review{path}/reviews",
    )


@router.get("/{change_id}")
async def change_page(request: Request, user: Operator, store_id: str, change_id: str) -> Response:
    return await _change_page(request, user, store_id, change_id)


@router.post("/{change_id}/reviews")
async def decide(
    request: Request, user: Operator, form: Form, store_id: str, change_id: str
) -> Response:
    """R-REV-12, R-REV-13: one stage decided; the last approval applies the change."""
    body = stage_decision(form)
    path = f"/stores/{store_id}/change-requests/{change_id}"
    try:
        change = await services_of(request).post(user, "review", f"{path}/reviews", body)
    except ServiceProblem as refused:
        return await _change_page(request, user, store_id, change_id, problem=refused, form=form)
    flash(request, decided_message("the change request", body))
    if change["status"] == "approved":
        flash(request, "Every stage is approved: the store's information is changed.")
    return back_to(f"/review{path}")
