"""The shop (R-CAT-1): the catalogue as buyers see it, approved products only, each with
its price, store and category; searched by words, category, channel and price, a page at a
time. Prices are typed as people read them (`10.00`) and sent in minor units."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.amounts import minor_units
from console.pages.fetched import part_of
from console.services import ServiceProblem, services_of
from console.session import Buyer, User
from console.web import render

router = APIRouter(prefix="/shop", tags=["shop"])
#: Products per page of the shop.
PAGE = 20
#: The catalogue's channels (orders' `channel`), as people say them.
CHANNELS = {"all": "Every store", "full_managed": "Full-managed stores only"}
Text = Annotated[str | None, Query(max_length=100)]


@dataclass
class Search:
    """What the buyer asked the shop for, as typed (shown again in the form)."""

    q: str = ""
    category: str = ""
    channel: str = ""
    currency: str = ""
    min_price: str = ""
    max_price: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def params(self) -> dict[str, Any]:
        """The catalogue's query (R-CAT-1); `errors` filled with what to fix first."""
        currency = self.currency.strip().upper()
        prices: dict[str, int | None] = {"min_price": None, "max_price": None}
        for name in prices:
            typed = str(getattr(self, name)).strip()
            if not typed:
                continue
            if not currency:
                self.errors["currency"] = "Give the currency of the prices, e.g. USD."
                continue
            try:
                prices[name] = minor_units(typed, currency)
            except ValueError as wrong:
                self.errors[name] = str(wrong)
        return {
            "q": self.q.strip() or None,
            "category": self.category or None,
            "channel": self.channel if self.channel in CHANNELS else None,
            "currency": currency or None,
            **prices,
        }


async def _catalogue(
    request: Request, user: User, search: Search, cursor: str | None
) -> tuple[dict[str, Any], ServiceProblem | None]:
    """A page of the catalogue, or nothing and the catalogue's refusal (a category that
    is not one, a minimum above the maximum)."""
    params = search.params()
    if search.errors:
        return {"items": [], "next_cursor": None}, None
    try:
        found = await services_of(request).get(
            user, "orders", "/catalogue", limit=PAGE, cursor=cursor, **params
        )
    except ServiceProblem as refused:
        if refused.status == 401:
            raise
        return {"items": [], "next_cursor": None}, refused
    return found, None


@router.get("")
async def shop(
    request: Request,
    user: Buyer,
    q: Text = None,
    category: Text = None,
    channel: Text = None,
    currency: Text = None,
    min_price: Text = None,
    max_price: Text = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The categories come from review (R-REV-11); without them the shop still shows,
    searched by a category's code."""
    search = Search(q or "", category or "", channel or "", currency or "")
    search.min_price, search.max_price = min_price or "", max_price or ""
    categories, (found, refused) = await asyncio.gather(
        part_of("review", services_of(request).get(user, "review", "/categories")),
        _catalogue(request, user, search, cursor),
    )
    names = {c["code"]: c["name_en"] for c in categories.value["items"]} if categories.ok else {}
    errors = {**(refused.fields if refused else {}), **search.errors}
    query = {k: v for k, v in vars(search).items() if k != "errors" and v}
    cursor_next = found["next_cursor"]
    return render(
        request,
        "shop.html",
        status=refused.status if refused else (422 if search.errors else 200),
        problem=refused,
        products=found["items"],
        next_href=f"/shop?{urlencode({**query, 'cursor': cursor_next})}" if cursor_next else None,
        search=search,
        errors=errors,
        categories=names,
        channels=CHANNELS,
    )
