"""What the shipping pages share: a page of logistics' shipment list (`GET /shipments`,
the soonest `ship_by` first, each with the `seconds_left` logistics' own clock counted),
the refusal of a page link it no longer takes, and a shipment's id put safely into
logistics' paths. The console keeps no clock of its own for a deadline: logistics counts."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request

from console.services import ServiceProblem, services_of
from console.session import User

#: Shipments one page shows (logistics answers up to 100).
PAGE = 50


def shipment_path(shipment_id: str, action: str = "") -> str:
    """Logistics' path of a shipment (or of one of its actions), the id quoted whole."""
    path = f"/shipments/{quote(shipment_id, safe='')}"
    return f"{path}/{action}" if action else path


def calendar_note(calendar: dict[str, Any] | None) -> str | None:
    """The working-day calendars a deadline was counted on (R-CAL-2), as people read it:
    `published calendar: CN 2026 (library)`; None when no working day was counted."""
    if not calendar or not calendar.get("years"):
        return None
    years = ", ".join(
        f"{y.get('country')} {y.get('year')} ({y.get('source')})" for y in calendar["years"]
    )
    return f"{calendar.get('basis', 'published')} calendar: {years}"


def past_ship_by(shipment: dict[str, Any]) -> bool:
    """Still awaiting its handover with its `ship_by` gone by logistics' clock (R-LOG-5):
    the handover will be late, whether or not logistics' lateness job has noticed yet."""
    seconds = shipment.get("seconds_left")
    return seconds is not None and seconds < 0


async def shipments_page(
    request: Request, user: User, status: str | None, cursor: str | None, limit: int = PAGE
) -> dict[str, Any]:
    """One page of the shipments this user may see (`status` narrows it), the soonest
    `ship_by` first: the page's facts `shipments`, `next_cursor` (None on the last page)
    and the `cursor` it was read from."""
    found = await services_of(request).get(
        user, "logistics", "/shipments", status=status, limit=limit, cursor=cursor
    )
    return {"shipments": found["items"], "next_cursor": found["next_cursor"], "cursor": cursor}


async def page_or_refusal(
    request: Request, user: User, status: str | None, cursor: str | None
) -> tuple[dict[str, Any], ServiceProblem | None]:
    """The page, or, for a page link logistics no longer takes (a stale or edited cursor:
    422), no rows and its refusal, which the page shows with the way back to its first
    page. A refusal of the first page (or an ended session) is the page's refusal."""
    try:
        return await shipments_page(request, user, status, cursor), None
    except ServiceProblem as refused:
        if not cursor or refused.status == 401:
            raise
        return {"shipments": [], "next_cursor": None, "cursor": cursor}, refused


async def of_order(request: Request, user: User, order_id: str) -> list[dict[str, Any]]:
    """The order's shipments (R-ORD-4), never paged."""
    found = await services_of(request).get(user, "logistics", "/shipments", order_id=order_id)
    items: list[dict[str, Any]] = found["items"]
    return items
