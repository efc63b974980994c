"""A merchant's application for a store (R-REV-1, R-REV-2, R-REV-4, R-REV-14), as review
takes it: the store applied for without documents (review opens it, returned for them),
each document chosen in the form uploaded to it as multipart/form-data, then the
application resubmitted citing them (R-REV-6), to wait for review (R-REV-5).

A refusal keeps the form as typed; once review has opened the store, the form carries its
id and the documents already uploaded, so sending it again completes the same store."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.pages.onboarding_application import (
    DOCUMENT_KINDS,
    STORE_TYPES,
    WAREHOUSE_PARTS,
    Typed,
    application_of,
    beside_fields,
    citations,
    form_problem,
    missing_documents,
    typed_of,
)
from console.pages.onboarding_common import (
    categories,
    chosen_file,
    issue_fields,
    upload_document,
)
from console.services import ServiceProblem, services_of
from console.session import Form, Merchant, User
from console.web import back_to, flash, render

router = APIRouter(prefix="/apply", tags=["onboarding"])


async def _page(
    request: Request,
    user: User,
    typed: Typed,
    *,
    problem: ServiceProblem | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return render(
        request,
        "apply.html",
        status=problem.status if problem else 200,
        problem=problem,
        field_errors=errors if errors is not None else issue_fields(problem),
        typed=typed,
        store_types=STORE_TYPES,
        document_kinds=DOCUMENT_KINDS,
        warehouse_parts=WAREHOUSE_PARTS,
        categories=await categories(request, user),
    )


@router.get("")
async def apply_page(request: Request, user: Merchant) -> Response:
    return await _page(request, user, Typed(values={"store_type": "full_managed"}))


async def _uploaded(
    request: Request, user: User, typed: Typed, files: dict[str, Any]
) -> dict[str, str]:
    """Each chosen file uploaded to the store (R-REV-14), cited in `typed`; the message
    beside each file review refused."""
    refusals: dict[str, str] = {}
    for kind, upload in files.items():
        try:
            document = await upload_document(request, user, typed.store_id, kind, upload)
        except ServiceProblem as refused:
            said = list(issue_fields(refused).values())
            refusals[f"doc_{kind}"] = f"{upload.filename}: {said[0] if said else refused.detail}"
            continue
        typed.cited[kind] = str(document["document_id"])
    return refusals


async def _submitted(
    request: Request, user: User, typed: Typed, body: dict[str, Any], files: dict[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The store once its application cites its documents; or None and the messages
    beside the files review refused."""
    services = services_of(request)
    if not typed.store_id:  # R-REV-1: opened (a full-managed one uses the invitation)
        opened = await services.post(user, "review", "/stores", {**body, "documents": []})
        typed.store_id = str(opened["store_id"])
    refusals = await _uploaded(request, user, typed, files)
    if refusals:
        return None, refusals
    application = {**body, "documents": citations(typed.cited)}
    path = f"/stores/{typed.store_id}"
    store: dict[str, Any] = await services.call(user, "review", "PUT", path, json=application)
    return store, {}


@router.post("")
async def apply(request: Request, user: Merchant, form: Form) -> Response:
    """R-REV-4: complete, the application waits for review; else each issue is shown
    beside its field, the store kept for the next try."""
    typed = typed_of(form)
    body, errors = application_of(typed)
    files = {kind: chosen_file(form, f"doc_{kind}") for kind, _, _ in DOCUMENT_KINDS}
    chosen = {kind: upload for kind, upload in files.items() if upload is not None}
    errors |= missing_documents(body["store_type"], set(chosen), typed.cited)
    if errors:
        detail = "Some fields need your attention: see the message beside each."
        if chosen:  # a browser shows a form again without the files it had chosen
            detail += " Choose your documents' files again."
        return await _page(request, user, typed, problem=form_problem(detail), errors=errors)
    try:
        store, refusals = await _submitted(request, user, typed, body, chosen)
    except ServiceProblem as refused:
        errors = beside_fields(refused, [], list(typed.cited))
        return await _page(request, user, typed, problem=refused, errors=errors)
    if store is None:
        problem = form_problem("Review refused a document: see the message beside it.")
        return await _page(request, user, typed, problem=problem, errors=refusals)
    if store["status"] != "under_review":
        detail = f"Review returned the application ({store['status']}) for the items below."
        errors = beside_fields(None, store["issues"], list(typed.cited))
        return await _page(request, user, typed, problem=form_problem(detail), errors=errors)
    flash(request, f"{store['name']} is under review; you will see each stage's decision here.")
    return back_to(f"/stores?store_id={store['store_id']}")
