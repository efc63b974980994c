"""The operators' review queue (R-REV-5): store applications, change requests (R-REV-12),
products and price changes (R-REV-15) under review, the overdue first, then the oldest;
each opens its page, where it is decided. Its counts stay fresh while the page is open.

The pages of a store, a change request and a product are this router's too (one router
for the console's app to include)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.pages import review_changes, review_products, review_stores
from console.services import services_of
from console.session import Operator, User
from console.web import render

router = APIRouter(prefix="/review", tags=["review"])
#: The most items a page of the queue shows (review's page size limit is 100).
PAGE = 50
#: The most items the live counts look at.
COUNTED = 100
#: The kinds of the queue (review's `QueueKind`), as people call them, in order.
KINDS = {
    "store": ("store application", "store applications"),
    "change_request": ("change request", "change requests"),
    "product": ("product", "products"),
    "price_change": ("price change", "price changes"),
}


def item_href(item: dict[str, Any]) -> str:
    """The page where an item of the queue is decided."""
    if item["kind"] == "store":
        return f"/review/stores/{item['id']}"
    if item["kind"] == "change_request":
        return f"/review/stores/{item['store_id']}/change-requests/{item['id']}"
    return f"/review/products/{item['id']}"  # a price change is decided on its product


async def _queue(request: Request, user: User, limit: int, cursor: str | None) -> dict[str, Any]:
    found: dict[str, Any] = await services_of(request).get(
        user, "review", "/review-queue", limit=limit, cursor=cursor
    )
    return found


def _counts(page: dict[str, Any]) -> dict[str, Any]:
    items = page["items"]
    kinds = Counter(item["kind"] for item in items)
    return {
        "total": len(items),
        "more": bool(page["next_cursor"]),
        "overdue": sum(1 for item in items if item["overdue"]),
        "counted": [
            (kinds[kind], names[0 if kinds[kind] == 1 else 1])
            for kind, names in KINDS.items()
            if kinds[kind]
        ],
    }


@router.get("")
async def queue(
    request: Request,
    user: Operator,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    page = await _queue(request, user, PAGE, cursor)
    counts = await _queue(request, user, COUNTED, None) if cursor or page["next_cursor"] else page
    return render(
        request,
        "review.html",
        items=[{**item, "href": item_href(item)} for item in page["items"]],
        next_cursor=page["next_cursor"],
        first_page=cursor is None,
        kinds=KINDS,
        **_counts(counts),
    )


@router.get("/counts")
async def counts(request: Request, user: Operator) -> Response:
    """The live counts above the queue (htmx polls them): what waits now, how much overdue."""
    page = await _queue(request, user, COUNTED, None)
    return render(request, "review_counts.html", **_counts(page))


router.include_router(review_stores.router)
router.include_router(review_changes.router)
router.include_router(review_products.router)
