"""The operators' money pages: settlement's payouts of a period (everyone's, or one
merchant's), a merchant's balances and statement (R-SET-2..5), one payout with the lines it
settles, and the refunds the platform bore (R-AS-2, R-ORD-6). All of it is what settlement
answers: the ledger is its one source of truth, the console sums nothing."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.services import ServiceProblem, Services, services_of
from console.session import Operator, User
from console.web import render

router = APIRouter(prefix="/money", tags=["money"])
#: The period shown when none is asked for: the last 30 UTC days, today included.
DEFAULT_DAYS = 30
DAY_HINT = "A date as YYYY-MM-DD (UTC), e.g. 2026-03-31."


def _day(raw: str | None, default: date, name: str, errors: dict[str, str]) -> date:
    """The day a field asks for, or `default`; a day that is not one is told beside it."""
    if not raw or not raw.strip():
        return default
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        errors[name] = DAY_HINT
        return default


async def _report(
    services: Services, user: User, merchant_id: str | None, start: date, end: date
) -> dict[str, Any]:
    """Settlement's figures for the period (and the merchant's, when one is asked for),
    asked at once."""
    period = {"from": start.isoformat(), "to": end.isoformat()}
    asked = [
        services.get(user, "settlement", "/payouts", merchant_id=merchant_id, **period),
        services.get(user, "settlement", "/platform/refund-expense", **period),
    ]
    if merchant_id is not None:
        merchant = f"/merchants/{quote(merchant_id, safe='')}"
        asked += [
            services.get(user, "settlement", f"{merchant}/balance"),
            services.get(user, "settlement", f"{merchant}/statement", **period),
        ]
    answers = await asyncio.gather(*asked)
    report = {"payouts": answers[0]["items"], "expense": answers[1]["expense_minor"]}
    if merchant_id is not None:
        report.update(balance=answers[2]["balances"], statement=answers[3]["lines"])
    return report


@router.get("")
async def money(
    request: Request,
    user: Operator,
    merchant_id: Annotated[str | None, Query(max_length=100)] = None,
    start: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=40)] = None,
) -> Response:
    today = request.app.state.console.clock.now().date()
    errors: dict[str, str] = {}
    first = _day(start, today - timedelta(days=DEFAULT_DAYS - 1), "from", errors)
    last = _day(end, today, "to", errors)
    merchant = (merchant_id or "").strip() or None
    context: dict[str, Any] = {
        "merchant_id": merchant or "",
        "start": first,
        "end": last,
        "errors": errors,
        "report": None,
    }
    if errors:
        return render(request, "money.html", status=422, **context)
    services = services_of(request)
    try:
        context["report"] = await _report(services, user, merchant, first, last)
    except ServiceProblem as refused:
        if refused.status == 401:
            raise
        return render(request, "money.html", status=refused.status, problem=refused, **context)
    return render(request, "money.html", **context)


@router.get("/payouts/{payout_id}")
async def payout(request: Request, user: Operator, payout_id: str) -> Response:
    """One payout (R-SET-4): its cycle, amount, and each ledger line it settles."""
    services = services_of(request)
    found = await services.get(user, "settlement", f"/payouts/{quote(payout_id, safe='')}")
    return render(request, "money_payout.html", payout=found)
