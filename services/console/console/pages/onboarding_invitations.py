"""Invitations (R-REV-1, R-REV-16): an operator invites a merchant by its id, which lets it
apply for one full-managed store, looks up a merchant's invitations with where each stands,
and revokes one not used yet."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.pages.onboarding_common import issue_fields, text_of
from console.services import ServiceProblem, services_of
from console.session import Form, Operator, User
from console.web import back_to, flash, render

router = APIRouter(prefix="/invitations", tags=["onboarding"])
MerchantId = Annotated[str | None, Query(max_length=100)]


def _listed_at(merchant_id: str) -> str:
    return f"/invitations?merchant_id={quote(merchant_id, safe='')}"


async def _page(
    request: Request,
    user: User,
    merchant_id: str,
    *,
    problem: ServiceProblem | None = None,
    invite_id: str = "",
) -> Response:
    """The page: the invitation form, and the invitations of `merchant_id` when one is
    looked up; after a refusal, its message beside the field and what was typed."""
    invitations: list[dict[str, Any]] = []
    if merchant_id:
        found = await services_of(request).get(
            user, "review", "/invitations", merchant_id=merchant_id
        )
        invitations = found["items"]
    return render(
        request,
        "invitations.html",
        status=problem.status if problem else 200,
        problem=problem,
        field_errors=issue_fields(problem),
        merchant_id=merchant_id,
        invite_id=invite_id,
        invitations=invitations,
    )


@router.get("")
async def invitations(request: Request, user: Operator, merchant_id: MerchantId = None) -> Response:
    return await _page(request, user, (merchant_id or "").strip())


@router.post("")
async def invite(request: Request, user: Operator, form: Form) -> Response:
    """R-REV-1: the merchant may apply for a full-managed store until it expires."""
    merchant_id = text_of(form, "merchant_id")
    body = {"merchant_id": merchant_id}
    try:
        invitation = await services_of(request).post(user, "review", "/invitations", body)
    except ServiceProblem as refused:
        return await _page(request, user, "", problem=refused, invite_id=merchant_id)
    flash(
        request,
        f"Merchant {merchant_id} is invited: it may apply for a full-managed store until "
        f"{invitation['expires_at']}.",
    )
    return back_to(_listed_at(merchant_id))


@router.post("/{invitation_id}/revoke")
async def revoke(request: Request, user: Operator, form: Form, invitation_id: str) -> Response:
    """R-REV-16: an unused invitation no longer opens a store; a used one cannot be."""
    merchant_id = text_of(form, "merchant_id")
    path = f"/invitations/{quote(invitation_id, safe='')}/revoke"
    try:
        await services_of(request).post(user, "review", path)
    except ServiceProblem as refused:
        return await _page(request, user, merchant_id, problem=refused)
    flash(request, f"The invitation {invitation_id} is revoked.")
    return back_to(_listed_at(merchant_id))
