"""What the operators' shipping pages share: logistics' answers read with the time they
were given, so a deadline's countdown counts from logistics' clock (its `Date` header),
not the console's, and a shipment's id put safely into logistics' paths."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

from fastapi import Request

from console.services import ServiceProblem, services_of
from console.session import User

#: The statuses of a shipment still to hand over, whose `ship_by` is the deadline to meet
#: (R-LOG-1, R-LOG-5).
TO_HAND_OVER = ("awaiting_shipment",)


def shipment_path(shipment_id: str, action: str = "") -> str:
    """Logistics' path of a shipment (or of one of its actions), the id quoted whole."""
    path = f"/shipments/{quote(shipment_id, safe='')}"
    return f"{path}/{action}" if action else path


def platform_now(request: Request, date_header: str | None) -> datetime:
    """When the service answered (its `Date`), else the console's clock; moved as the
    services' clocks are (`CLOCK_OFFSET_SECONDS`, development only), which their `Date`
    headers are not."""
    answered = datetime.now(UTC)
    if date_header:
        with contextlib.suppress(TypeError, ValueError):
            answered = parsedate_to_datetime(date_header).astimezone(UTC)
    # The console's settings carry no offset yet (the services' do): none until they do.
    offset = float(getattr(request.app.state.console.settings, "clock_offset_seconds", 0.0))
    return answered + timedelta(seconds=offset)


def seconds_until(deadline: str | None, now: datetime) -> int | None:
    """Whole seconds from `now` to an ISO `deadline`; negative once it passed."""
    if not deadline:
        return None
    return int((datetime.fromisoformat(deadline) - now).total_seconds())


def timed(shipment: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The shipment with `seconds_left` to its `ship_by` (and `self_drop_seconds_left` to
    its `self_drop_by`, R-LOG-5) while it waits for its handover; None after it."""
    waiting = shipment.get("status") in TO_HAND_OVER
    shipment["seconds_left"] = seconds_until(shipment.get("ship_by"), now) if waiting else None
    drop = shipment.get("self_drop_by") if waiting else None
    shipment["self_drop_seconds_left"] = seconds_until(drop, now)
    return shipment


async def from_logistics(
    request: Request, user: User, path: str, params: dict[str, Any] | None = None
) -> tuple[Any, datetime]:
    """Logistics' JSON answer to a GET and the platform's time of that answer."""
    response = await services_of(request).request(user, "logistics", "GET", path, params=params)
    if response.status_code >= 400:
        raise ServiceProblem.of("logistics", response)
    return response.json(), platform_now(request, response.headers.get("date"))


def soonest_first(shipment: dict[str, Any]) -> tuple[bool, bool, str]:
    """Those still to hand over first, the soonest `ship_by` first; the others after."""
    waiting = shipment.get("status") in TO_HAND_OVER
    return (not waiting, shipment.get("ship_by") is None, shipment.get("ship_by") or "")


def calendar_note(calendar: dict[str, Any] | None) -> str | None:
    """The working-day calendars a deadline was counted on (R-CAL-2), as people read it:
    `published calendar: CN 2026 (library)`; None when no working day was counted."""
    if not calendar or not calendar.get("years"):
        return None
    years = ", ".join(
        f"{y.get('country')} {y.get('year')} ({y.get('source')})" for y in calendar["years"]
    )
    return f"{calendar.get('basis', 'published')} calendar: {years}"
