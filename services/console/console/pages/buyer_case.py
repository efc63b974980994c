"""Opening an after-sales case on one of the buyer's orders (R-AS-1): why (damaged, not as
described, lost, not received), what happened, and the refund asked for, typed as people
read it (`49.90`) in the currency the order was paid in, at most its total. Aftersales
says when the reason's window is not open (before delivery, or past its days)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.amounts import minor_units, typed_amount
from console.pages.buyer_common import (
    readable,
    segment,
)
from console.services import ServiceProblem, services_of
from console.session import Buyer, Form, User
from console.web import back_to, flash, render

router = APIRouter(prefix="/shop", tags=["shop"])
#: Aftersales' reasons (`Reason`), as a buyer says them, and when each may be claimed.
REASONS = {
    "damaged": "It arrived damaged (once delivered)",
    "not_as_described": "It is not as described (once delivered)",
    "not_received": "It never arrived (after the latest estimated delivery date)",
    "lost": "The carrier lost it (after the latest estimated delivery date or a loss report)",
}
#: Aftersales' field (the last part of its `loc`) → the form's field it belongs beside.
FIELD_OF = dict.fromkeys(("amount_minor", "currency", "refund_requested"), "refund_amount")
#: Aftersales' fields the form shows, each beside its own message.
FIELDS = frozenset({"reason", "description", *FIELD_OF})


@dataclass
class CaseForm:
    """The form as typed, shown again beside a refusal; the refund starts at the total."""

    reason: str = "damaged"
    description: str = ""
    refund_amount: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def body(self, order_id: str, total: dict[str, Any]) -> dict[str, Any]:
        """Aftersales' `CaseCreate`; `errors` filled with what to fix first (a refund
        above the order total is refused by aftersales too, in minor units)."""
        currency = total["currency"]
        if self.reason not in REASONS:
            self.errors["reason"] = "Choose what went wrong."
        if not self.description:
            self.errors["description"] = "Say what happened: the store and the platform read it."
        amount = 0
        try:
            amount = minor_units(self.refund_amount, currency)
            if amount > total["amount_minor"]:
                limit = typed_amount(total["amount_minor"], currency)
                raise ValueError(f"Ask for at most the order total, {limit} {currency}.")
        except ValueError as wrong:
            self.errors["refund_amount"] = str(wrong)
        return {
            "order_id": order_id,
            "reason": self.reason,
            "description": self.description,
            "refund_requested": {"amount_minor": amount, "currency": currency},
        }


def errors_of(refused: ServiceProblem) -> dict[str, str]:
    """Each of aftersales' messages beside its field: a refund above the total or in
    another currency beside the amount; a window not open (R-AS-1) beside the reason."""
    errors = {FIELD_OF.get(name, name): message for name, message in refused.fields.items()}
    kind = str(refused.body.get("type", "")).rsplit("/", 1)[-1]
    if kind == "aftersales-invalid":
        errors.setdefault("refund_amount", refused.detail)
    elif kind == "outside-aftersales-window":
        errors.setdefault("reason", refused.detail)
    return errors


async def _case_page(
    request: Request,
    user: User,
    order: dict[str, Any],
    typed: CaseForm,
    problem: ServiceProblem | None = None,
) -> Response:
    status = problem.status if problem else (422 if typed.errors else 200)
    errors = {**(errors_of(problem) if problem else {}), **typed.errors}
    return render(
        request,
        "shop_case.html",
        status=status,
        problem=readable(problem, problem.fields, FIELDS) if problem else None,
        order=order,
        typed=typed,
        errors=errors,
        reasons=REASONS,
    )


async def _order(request: Request, user: User, order_id: str) -> dict[str, Any]:
    """The order as orders shows it to its buyer (anyone else's: 404, the refusal page)."""
    order: dict[str, Any] = await services_of(request).get(
        user, "orders", f"/orders/{segment(order_id)}"
    )
    return order


@router.get("/orders/{order_id}/case")
async def case_form(request: Request, user: Buyer, order_id: str) -> Response:
    order = await _order(request, user, order_id)
    total = order["total"]
    typed = CaseForm(refund_amount=typed_amount(total["amount_minor"], total["currency"]))
    return await _case_page(request, user, order, typed)


@router.post("/orders/{order_id}/case")
async def open_case(request: Request, user: Buyer, form: Form, order_id: str) -> Response:
    """R-AS-1: the case opened, then its page; refused, the form again as typed."""
    order = await _order(request, user, order_id)
    typed = CaseForm(
        str(form.get("reason") or ""),
        str(form.get("description") or "").strip(),
        str(form.get("refund_amount") or "").strip(),
    )
    body = typed.body(order["order_id"], order["total"])
    if typed.errors:
        return await _case_page(request, user, order, typed)
    try:
        case = await services_of(request).post(user, "aftersales", "/cases", body)
    except ServiceProblem as refused:
        if refused.status == 401:
            raise
        return await _case_page(request, user, order, typed, refused)
    flash(request, "Your case is open: the store and the platform answer on it.")
    return back_to(f"/cases/{segment(case['case_id'])}")
