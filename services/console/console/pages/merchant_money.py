"""The merchant's figures: its stores' scorecard (orders, R-SC-1) and its statement of
account with its balance (settlement, R-SET-1..5), each over the days a GET form asks for.

The dates go to the service as typed: the service judges them, and a range it refuses
(422: backwards, too long, not a date) is shown beside the field it concerns.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.services import ServiceProblem, services_of
from console.session import Merchant
from console.web import render

router = APIRouter(tags=["merchant"])
#: The statement's days by default: the last 30, today included (UTC).
DEFAULT_DAYS = 30
From = Annotated[str | None, Query(alias="from", max_length=40)]
To = Annotated[str | None, Query(alias="to", max_length=40)]


def field_of(refused: ServiceProblem) -> dict[str, str]:
    """A refused range's message beside the field to fix: the service's own field errors
    when it names them (`from`, `to`), else `to` for a backwards range and `from` for a
    range too long."""
    if refused.fields:
        return refused.fields
    field = "to" if "`to`" in refused.detail else "from"
    return {field: refused.detail}


@router.get("/scorecard")
async def scorecard(
    request: Request, user: Merchant, start: From = None, end: To = None
) -> Response:
    """R-SC-1: each store's figures over the days asked for (the orders service's default:
    this month so far), and the warnings of the months they touch."""
    services = services_of(request)
    path = f"/merchants/{user.sub}/scorecard"
    card: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    try:
        card = await services.get(user, "orders", path, **{"from": start, "to": end})
    except ServiceProblem as refused:
        if refused.status != 422:
            raise
        errors = field_of(refused)
    return render(
        request,
        "scorecard.html",
        status=422 if errors else 200,
        card=card,
        errors=errors,
        start=start or (card["from_date"] if card else ""),
        end=end or (card["to_date"] if card else ""),
    )


def totals(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statement's lines summed by account and currency (never across currencies,
    R-SET-5), in minor units."""
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for line in lines:
        sums[(line["account"], line["currency"])] += line["amount_minor"]
    return [
        {"account": account, "currency": currency, "amount_minor": amount}
        for (account, currency), amount in sorted(sums.items())
    ]


def _default_range(request: Request) -> tuple[str, str]:
    today = request.app.state.console.clock.now().date()
    return (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(), today.isoformat()


@router.get("/statement")
async def statement(
    request: Request, user: Merchant, start: From = None, end: To = None
) -> Response:
    """R-SET-5: every line on the merchant's accounts over the days asked for, their
    totals, and the balance now (R-SET-2..4: held, payable, carried negative)."""
    default_start, default_end = _default_range(request)
    start, end = (start or "").strip() or default_start, (end or "").strip() or default_end
    services = services_of(request)
    found: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    try:
        found = await services.get(
            user, "settlement", f"/merchants/{user.sub}/statement", **{"from": start, "to": end}
        )
    except ServiceProblem as refused:
        if refused.status != 422:
            raise
        errors = field_of(refused)
    balance = await services.get(user, "settlement", f"/merchants/{user.sub}/balance")
    return render(
        request,
        "statement.html",
        status=422 if errors else 200,
        statement=found,
        totals=totals(found["lines"]) if found else [],
        balance=balance,
        errors=errors,
        start=start,
        end=end,
    )
