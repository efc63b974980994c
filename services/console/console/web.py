"""Rendering a page: the templates, what every page knows (the user, the CSRF token, the
messages of the last action), and the way back after a form (303 to a page)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel.numbers import format_currency, get_currency_precision
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from console.services import ServiceProblem
from console.session import csrf_token

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def _moment(value: str | None) -> str:
    """An ISO 8601 time as people read it, in UTC."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def money(minor: int | None, currency: str | None = None) -> str:
    """An amount kept in minor units as people read it (`€12.34`, `¥1,234`): the currency's
    own number of decimals, from CLDR (Babel)."""
    if minor is None:
        return ""
    if not currency:
        return str(minor)
    amount = Decimal(minor).scaleb(-get_currency_precision(currency))
    return format_currency(amount, currency, locale="en_US")


#: Each role's pages, in the order of the main navigation.
NAV: dict[str, tuple[tuple[str, str], ...]] = {
    "operator": (
        ("/review", "Review queue"),
        ("/invitations", "Invitations"),
        ("/orders", "Orders"),
        ("/shipping", "Shipping"),
        ("/cases", "Cases"),
        ("/dead-letters", "Dead letters"),
        ("/money", "Money"),
    ),
    "merchant": (
        ("/desk", "Confirmation desk"),
        ("/shipments", "Shipments"),
        ("/stores", "Stores and products"),
        ("/apply", "Apply for a store"),
        ("/listings/new", "List a product"),
        ("/scorecard", "Scorecard"),
        ("/statement", "Statement"),
    ),
    "buyer": (("/shop", "Shop"), ("/orders", "My orders"), ("/cases", "My cases")),
}


def _nav(user: Any) -> tuple[tuple[str, str], ...]:
    return NAV.get(getattr(user, "role", ""), ())


templates.env.globals["nav"] = _nav
templates.env.filters["moment"] = _moment
templates.env.filters["money"] = money


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message for the next page this user sees (after a redirect)."""
    request.session.setdefault("flash", []).append({"kind": kind, "text": message})


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    problem: ServiceProblem | None = None,
    **context: Any,
) -> HTMLResponse:
    """`template` with `context`, and what every page shows: who is signed in, the CSRF
    token for its forms, the messages left by the last action, and a service's `problem`
    (its detail above the form, each field's message beside the field)."""
    messages = request.session.pop("flash", [])
    user = getattr(request.state, "user", None)
    return templates.TemplateResponse(
        request,
        template,
        {
            "user": user,
            "csrf": csrf_token(request),
            "messages": messages,
            "problem": problem,
            "field_errors": problem.fields if problem else {},
            **context,
        },
        status_code=status,
    )


def back_to(path: str) -> RedirectResponse:
    """After a form: see the page again (303, so a reload does not send the form twice)."""
    return RedirectResponse(path, status_code=303)
