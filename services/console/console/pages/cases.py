"""After-sales cases (R-AS-1..3): the operators' queue of open cases, the oldest waiting
first; a buyer's (or a merchant's) own cases; and one case's page with its thread, where
every party may write and operators decide (`case_decision`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.pages import case_decision
from console.pages.case_page import Sent, case_path, show_case
from console.services import ServiceProblem, services_of
from console.session import Form, SignedIn
from console.web import back_to, flash, render

router = APIRouter(prefix="/cases", tags=["cases"])
router.include_router(case_decision.router)
#: Cases per page of the list.
PAGE = 20
#: What the list may show: one status (aftersales' `CaseStatus`) or every case.
STATUSES = ("open", "refunded", "rejected", "any")


@router.get("")
async def cases_page(
    request: Request,
    user: SignedIn,
    status: Annotated[str | None, Query(max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Operators start from the open cases (R-AS-3, their complaint queue); the others
    from all of theirs. Aftersales scopes the list by the user's token."""
    chosen = status or ("open" if user.is_operator else "any")
    services = services_of(request)
    wanted = None if chosen == "any" else chosen
    try:
        page = await services.get(
            user, "aftersales", "/cases", status=wanted, limit=PAGE, cursor=cursor
        )
    except ServiceProblem as refused:
        if refused.status == 401:
            raise
        return render(
            request,
            "cases.html",
            status=refused.status,
            problem=refused,
            cases=[],
            next_cursor=None,
            statuses=STATUSES,
            chosen=chosen,
        )
    return render(
        request,
        "cases.html",
        cases=page["items"],
        next_cursor=page.get("next_cursor"),
        statuses=STATUSES,
        chosen=chosen,
    )


@router.get("/{case_id}")
async def case_page(request: Request, user: SignedIn, case_id: str) -> Response:
    return await show_case(request, user, case_id)


@router.post("/{case_id}/messages")
async def post_message(request: Request, user: SignedIn, form: Form, case_id: str) -> Response:
    """R-AS-3: a question or an answer on the case's thread."""
    sent = Sent(message=str(form.get("body", "")))
    if not sent.message.strip():
        sent.errors["body"] = "Write the message first."
        return await show_case(request, user, case_id, sent=sent, status=422)
    services = services_of(request)
    try:
        await services.post(
            user, "aftersales", f"{case_path(case_id)}/messages", {"body": sent.message}
        )
    except ServiceProblem as refused:
        if refused.status in (401, 404):
            raise
        return await show_case(
            request, user, case_id, sent=sent, problem=refused, status=refused.status
        )
    flash(request, "Message posted on the case.")
    return back_to(case_path(case_id))
