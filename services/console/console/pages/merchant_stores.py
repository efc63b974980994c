"""The merchant's stores and products with their review (R-REV-5, R-REV-6, R-REV-9): each
one's status, whether it is overdue, the stage it waits in, why it was rejected or what the
operators asked for (R-REV-4, R-REV-13); the stores' change requests (R-REV-12); and each
store's support thread (R-REV-7), answered from the console.

Review lists the merchant's stores (`GET /stores`, the latest submitted first, a page at a
time), so every store it applied for shows, with or without products or orders.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from console.services import ServiceProblem, Services, services_of
from console.session import Form, Merchant, User
from console.web import back_to, flash, render

router = APIRouter(prefix="/stores", tags=["merchant"])
#: Stores per page; products read per store (review's page size limit).
PAGE, PRODUCTS = 10, 100
StoreId = Annotated[str | None, Query(max_length=100)]
Cursor = Annotated[str | None, Query(max_length=500)]
Store = dict[str, Any]


async def _products(services: Services, user: User, store: Store) -> tuple[list[Store], bool]:
    """The store's products, and whether more were left unread. R-REV-8: products are
    listed only in an approved store, and approval is final, so only those are asked."""
    if store["status"] != "approved":
        return [], False
    page = await services.get(
        user, "review", "/products", store_id=store["store_id"], limit=PRODUCTS
    )
    return page["items"], page["next_cursor"] is not None


async def _changes(services: Services, user: User, store: Store) -> list[Store]:
    """R-REV-12: all of the store's change requests, newest first; asked only when it has
    one (the list gives each store's latest)."""
    if store.get("change_request") is None:
        return []
    found = await services.get(user, "review", f"/stores/{store['store_id']}/change-requests")
    items: list[Store] = found["items"]
    return items


async def _with_products_and_changes(services: Services, user: User, store: Store) -> Store:
    (products, more), changes = await asyncio.gather(
        _products(services, user, store), _changes(services, user, store)
    )
    return {**store, "products": products, "more_products": more, "change_requests": changes}


async def _pinned(
    services: Services, user: User, store_id: str | None, listed: list[Store]
) -> tuple[list[Store], ServiceProblem | None]:
    """The store a form sent the merchant back to (`?store_id=`, after applying or listing
    a product), shown first when it is not on this page; review's refusal, if any."""
    if not store_id or any(store["store_id"] == store_id for store in listed):
        return [], None
    try:
        store = await services.get(user, "review", f"/stores/{store_id}")
    except ServiceProblem as refused:
        return [], refused
    # `GET /stores/{id}` gives the messages themselves where the list gives their count.
    return [{**store, "message_count": len(store["messages"])}], None


@router.get("")
async def stores(
    request: Request, user: Merchant, cursor: Cursor = None, store_id: StoreId = None
) -> Response:
    """A page of the merchant's stores, each with its products and change requests."""
    services = services_of(request)
    wanted = (store_id or "").strip() or None
    paged = {"paged": bool(cursor), "pinned": wanted}
    try:
        page = await services.get(user, "review", "/stores", limit=PAGE, cursor=cursor)
    except ServiceProblem as refused:
        if refused.status == 401:
            raise
        return render(
            request,
            "my_stores.html",
            status=refused.status,
            problem=refused,
            stores=[],
            next_cursor=None,
            **paged,
        )
    pinned, problem = await _pinned(services, user, wanted, page["items"])
    found = await asyncio.gather(
        *(_with_products_and_changes(services, user, s) for s in [*pinned, *page["items"]])
    )
    return render(
        request,
        "my_stores.html",
        status=problem.status if problem else 200,
        problem=problem,
        stores=found,
        next_cursor=page["next_cursor"],
        **paged,
    )


async def _thread_page(
    request: Request,
    user: User,
    store_id: str,
    *,
    problem: ServiceProblem | None = None,
    errors: dict[str, str] | None = None,
    draft: str = "",
) -> Response:
    services = services_of(request)
    store = await services.get(user, "review", f"/stores/{store_id}")
    status = problem.status if problem else (422 if errors else 200)
    return render(
        request,
        "my_store_thread.html",
        status=status,
        problem=problem,
        store=store,
        errors=errors or (problem.fields if problem else {}),
        draft=draft,
    )


@router.get("/{store_id}/messages")
async def thread(request: Request, store_id: str, user: Merchant) -> Response:
    """R-REV-7: the store's support thread with the platform, oldest message first."""
    return await _thread_page(request, user, store_id)


@router.post("/{store_id}/messages")
async def answer(request: Request, store_id: str, user: Merchant, form: Form) -> Response:
    body = str(form.get("body") or "").strip()
    if not body:
        errors = {"body": "Write your message, then send it."}
        return await _thread_page(request, user, store_id, errors=errors)
    services = services_of(request)
    try:
        await services.post(user, "review", f"/stores/{store_id}/messages", {"body": body})
    except ServiceProblem as refused:
        return await _thread_page(request, user, store_id, problem=refused, draft=body)
    flash(request, "Your message was sent to the platform's support.")
    return back_to(f"/stores/{store_id}/messages")
