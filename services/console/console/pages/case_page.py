"""One after-sales case's page (R-AS-1..3): the buyer's claim, its thread, and, for
operators while it is open, the decision form. Shown again with the refusal beside its
field when a message or a decision is refused."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from babel.numbers import get_currency_precision
from fastapi import Request
from fastapi.responses import Response

from console.services import ServiceProblem, services_of
from console.session import User
from console.web import render


def case_path(case_id: str) -> str:
    return f"/cases/{quote(case_id, safe='')}"


def major_text(minor: int, currency: str) -> str:
    """An amount in minor units as typed in a form (`12.50` for 1250 USD): the currency's
    own number of decimals (CLDR), no symbol, no grouping."""
    digits = get_currency_precision(currency)
    return f"{Decimal(minor).scaleb(-digits):.{digits}f}"


@dataclass
class Sent:
    """What the user typed in the case page's forms, to show again after a refusal; the
    decision form starts from the refund the buyer asked for."""

    decision: str = "refund"
    refund_amount: str | None = None
    note: str = ""
    message: str = ""
    errors: dict[str, str] = field(default_factory=dict)


async def show_case(
    request: Request,
    user: User,
    case_id: str,
    *,
    sent: Sent | None = None,
    problem: ServiceProblem | None = None,
    status: int = 200,
) -> Response:
    """The case as aftersales shows it to `user` now (its refusal, e.g. 404, uncaught: the
    refusal page says it)."""
    services = services_of(request)
    case: dict[str, Any] = await services.get(user, "aftersales", case_path(case_id))
    sent = sent or Sent()
    if sent.refund_amount is None:
        asked = case["refund_requested"]
        sent.refund_amount = major_text(asked["amount_minor"], asked["currency"])
    errors = {**(problem.fields if problem else {}), **sent.errors}
    return render(
        request,
        "case.html",
        status=status,
        problem=problem,
        case=case,
        sent=sent,
        errors=errors,
        may_decide=user.is_operator and case["status"] == "open",
    )
