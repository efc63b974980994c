"""A store's application as an operator reviews it: its facts, its three stages (R-REV-3)
and the decision on the current one (approve; reject with a reason the merchant can act
on, R-REV-6; return for information naming each item to supply, R-REV-13), its uploaded
documents, downloadable (R-REV-14), and the support thread with its merchant (R-REV-7)."""

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

router = APIRouter(prefix="/stores")
#: The headers of a document passed on from review as they are (its type is the bytes' own).
PASSED_ON = ("content-type", "content-disposition", "etag")


async def _store_page(
    request: Request,
    user: User,
    store_id: str,
    *,
    problem: ServiceProblem | None = None,
    form: FormData | None = None,
) -> Response:
    """The page of the store; after a refusal, with its problem and what was typed."""
    services = services_of(request)
    store: dict[str, Any] = await services.get(user, "review", f"/stores/{store_id}")
    documents = await services.get(user, "review", f"/stores/{store_id}/documents")
    cited = {each.get("document_id") for each in store["application"]["documents"]}
    return render(
        request,
        "store.html",
        status=problem.status if problem else 200,
        problem=problem,
        field_errors=field_errors(problem),
        store=store,
        documents=documents["items"],
        cited=cited,
        typed=typed(form),
        info_rows=INFO_ROWS,
        decide_action=f"/review/stores/{store_id}/reviews",
    )


@router.get("/{store_id}")
async def store_page(request: Request, user: Operator, store_id: str) -> Response:
    return await _store_page(request, user, store_id)


@router.post("/{store_id}/reviews")
async def decide(request: Request, user: Operator, form: Form, store_id: str) -> Response:
    """R-REV-3, R-REV-13: one stage decided; all three approved approves the store."""
    body = stage_decision(form)
    try:
        store = await services_of(request).post(user, "review", f"/stores/{store_id}/reviews", body)
    except ServiceProblem as refused:
        return await _store_page(request, user, store_id, problem=refused, form=form)
    flash(request, decided_message("the application", body))
    if store["status"] == "approved":
        flash(request, f"{store['name']} is approved: its merchant may list products now.")
    return back_to(f"/review/stores/{store_id}")


@router.post("/{store_id}/messages")
async def answer(request: Request, user: Operator, form: Form, store_id: str) -> Response:
    """R-REV-7: the operator's message on the application's support thread."""
    text = str(form.get("body") or "")
    path = f"/stores/{store_id}/messages"
    try:
        await services_of(request).post(user, "review", path, {"body": text})
    except ServiceProblem as refused:
        return await _store_page(request, user, store_id, problem=refused, form=form)
    flash(request, "Your message is on the thread; the merchant sees it on the application.")
    return back_to(f"/review/stores/{store_id}#thread")


@router.get("/{store_id}/documents/{document_id}")
async def document(request: Request, user: Operator, store_id: str, document_id: str) -> Response:
    """R-REV-14: a document as review keeps it, fetched with the operator's own token; its
    type and name as review says them (`nosniff`: a browser guesses no other type)."""
    path = f"/stores/{store_id}/documents/{document_id}"
    answered = await services_of(request).request(user, "review", "GET", path)
    if answered.status_code >= 400:
        raise ServiceProblem.of("review", answered)
    headers = {name: answered.headers[name] for name in PASSED_ON if name in answered.headers}
    headers["X-Content-Type-Options"] = "nosniff"
    return Response(answered.content, status_code=200, headers=headers)
