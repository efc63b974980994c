"""A product as an operator reviews it (R-REV-8, R-REV-9): its listing, what became of its
earlier submissions (R-REV-15), and the decision on what waits: the listing, or a new
supply price while the approved one stands (R-REV-15); approve, or reject with a reason."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from console.pages.review_common import decided_message, field_errors, typed
from console.services import ServiceProblem, services_of
from console.session import Form, Operator, User
from console.web import back_to, flash, render

router = APIRouter(prefix="/products")


def under_review(product: dict[str, Any]) -> str | None:
    """What of the product waits for a decision: `listing`, `price change`, or nothing."""
    if product["status"] == "under_review":
        return "listing"
    change = product.get("price_change")
    if change and change["status"] == "under_review":
        return "price change"
    return None


async def _product_page(
    request: Request,
    user: User,
    product_id: str,
    *,
    problem: ServiceProblem | None = None,
    form: FormData | None = None,
) -> Response:
    product = await services_of(request).get(user, "review", f"/products/{product_id}")
    return render(
        request,
        "product.html",
        status=problem.status if problem else 200,
        problem=problem,
        field_errors=field_errors(problem),
        product=product,
        waiting=under_review(product),
        typed=typed(form),
    )


@router.get("/{product_id}")
async def product_page(request: Request, user: Operator, product_id: str) -> Response:
    return await _product_page(request, user, product_id)


@router.post("/{product_id}/reviews")
async def decide(request: Request, user: Operator, form: Form, product_id: str) -> Response:
    """R-REV-9, R-REV-15: approved, it goes on sale (or its new price stands); rejected,
    its merchant reads why and may revise it."""
    reason = str(form.get("reason") or "").strip()
    body = {"decision": str(form.get("decision") or ""), "reason": reason or None}
    subject = str(form.get("subject") or "")
    subject = subject if subject in ("listing", "price change") else "product"
    path = f"/products/{product_id}/reviews"
    try:
        await services_of(request).post(user, "review", path, body)
    except ServiceProblem as refused:
        return await _product_page(request, user, product_id, problem=refused, form=form)
    flash(request, decided_message(f"The {subject}", body))
    return back_to(f"/review/products/{product_id}")
