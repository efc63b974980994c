"""The operator's decision on a case (R-AS-2): refund an amount, or reject with a note for
the buyer. Who bears a refund is not chosen here: aftersales decides it by R-AS-2 (the
platform for a full-managed store in its first 90 days after approval, else the
merchant) and the case shows it once decided.

The amount is typed as people read it (`49.90`) in the currency of the buyer's claim and
sent in minor units. What the console can tell at once (no decision, an amount that is
not one, a rejection without a note) is said beside the field; what aftersales refuses
is said above the form and, when it is about the amount (above the order total, or above
what earlier refunds left), beside the amount too.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from console.amounts import AmountRefused, minor_units
from console.pages.case_page import Sent, case_path, show_case
from console.services import ServiceProblem, services_of
from console.session import Form, Operator
from console.web import back_to, flash, money

router = APIRouter(tags=["cases"])
DECISIONS = ("refund", "reject")
#: A service's field (the last part of its `loc`) → the form's field it belongs beside.
FIELD_OF = {"amount_minor": "refund_amount", "currency": "refund_amount", "refund": "refund_amount"}
#: Aftersales' problems (`type`'s last part) that, on a refund, are about its amount.
AMOUNT_PROBLEMS = frozenset({"aftersales-invalid", "refund-conflict"})


def minor_of(text: str, currency: str) -> int:
    """`text` (`49.90`) in minor units of `currency`; ValueError saying what to fix."""
    minor = minor_units(text, currency)
    if minor <= 0:
        raise AmountRefused("A refund is above zero; to refund nothing, reject the case.")
    return minor


def _body(sent: Sent, currency: str) -> dict[str, Any]:
    """The resolve request, or `sent.errors` filled with what to fix first."""
    if sent.decision not in DECISIONS:
        sent.errors["decision"] = "Choose: refund the buyer, or reject the case."
    refund = None
    if sent.decision == "refund":
        try:
            refund = {
                "amount_minor": minor_of(sent.refund_amount or "", currency),
                "currency": currency,
            }
        except ValueError as wrong:
            sent.errors["refund_amount"] = str(wrong)
    elif sent.decision == "reject" and not sent.note.strip():
        sent.errors["note"] = "Tell the buyer why the case is rejected."
    return {"decision": sent.decision, "refund": refund, "note": sent.note}


def _errors_of(refused: ServiceProblem, decision: str) -> dict[str, str]:
    """Each of aftersales' messages beside the field it is about."""
    errors = {FIELD_OF.get(name, name): message for name, message in refused.fields.items()}
    kind = str(refused.body.get("type", "")).rsplit("/", 1)[-1]
    if decision == "refund" and kind in AMOUNT_PROBLEMS and "refund_amount" not in errors:
        message = refused.detail
        left = refused.body.get("refundable_left")
        if isinstance(left, dict) and {"amount_minor", "currency"} <= left.keys():
            message += f". At most {money_text(left)} can still be refunded."
        errors["refund_amount"] = message
    return errors


@router.post("/{case_id}/resolve")
async def resolve(request: Request, user: Operator, form: Form, case_id: str) -> Response:
    sent = Sent(
        decision=str(form.get("decision", "")),
        refund_amount=str(form.get("refund_amount", "")),
        note=str(form.get("note", "")),
    )
    services = services_of(request)
    # The refund is in the currency the buyer paid and claimed in: the case's own.
    claim = await services.get(user, "aftersales", case_path(case_id))
    body = _body(sent, claim["refund_requested"]["currency"])
    if sent.errors:
        return await show_case(request, user, case_id, sent=sent, status=422)
    try:
        case = await services.post(user, "aftersales", f"{case_path(case_id)}/resolve", body)
    except ServiceProblem as refused:
        if refused.status in (401, 404):
            raise
        sent.errors = _errors_of(refused, sent.decision)
        return await show_case(
            request, user, case_id, sent=sent, problem=refused, status=refused.status
        )
    if case["status"] == "refunded":
        refunded = money_text(case["refund"])
        flash(request, f"Case refunded: {refunded}, borne by the {case['liable_party']} (R-AS-2).")
    else:
        flash(request, "Case rejected; the buyer is told why.")
    return back_to(case_path(case_id))


def money_text(amount: dict[str, Any]) -> str:
    """A money object as people read it (`$49.90`), as the pages' `money` filter shows it."""
    return money(amount["amount_minor"], amount["currency"])
