"""`GET /stores`: the stores the caller may see, a page at a time (CONTRACT.md, review).

A merchant finds here every store it applied for, whether or not it has products or
orders yet; an operator sees every merchant's, narrowed by merchant or status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from review.bootstrap import ReviewServices
from review.domain.model import Store, StoreStatus
from review.entrypoints import changes_http
from review.entrypoints.store_list_schemas import StorePage, StoreSummary
from shared.app import wired
from shared.auth import Principal, require_role
from shared.guards import JsonRoute

Services = Annotated[ReviewServices, Depends(wired)]
#: Merchants (their own stores) and operators (all); buyers are refused (403).
OwnerOrOperator = Annotated[Principal, Depends(require_role("merchant", "operator"))]
Limit = Annotated[int, Query(ge=1, le=100)]

store_list_router = APIRouter(prefix="/stores", tags=["stores"], route_class=JsonRoute)


@store_list_router.get("", response_model=StorePage)
async def list_stores(
    principal: OwnerOrOperator,
    services: Services,
    merchant_id: Annotated[str | None, Query(max_length=100)] = None,
    status: StoreStatus | None = None,
    limit: Limit = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> StorePage:
    """R-REV-5, R-REV-6: each store with where its review stands, the latest submitted
    first. A merchant sees only its own (another's `merchant_id` lists nothing)."""
    stores, next_cursor = await services.queries.stores(
        principal, merchant_id=merchant_id, status=status, limit=limit, cursor=cursor
    )
    return StorePage(items=[_summary(store, services) for store in stores], next_cursor=next_cursor)


def _summary(store: Store, services: ReviewServices) -> StoreSummary:
    """R-REV-5: overdue counted from when its current submission came under review; its
    latest change request (R-REV-12) with its own overdue flag."""
    change = store.change_requests[-1] if store.change_requests else None
    return StoreSummary.of(
        store,
        deadline=services.deadline.overdue(store),
        change_request=None if change is None else changes_http.public(store.id, change, services),
    )
