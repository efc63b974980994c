"""An approved store's change requests over HTTP (R-REV-12, R-REV-13): asked and answered
by its merchant, decided stage by stage by operators."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status

from review.bootstrap import ReviewServices
from review.domain.changes import ChangeRequest
from review.entrypoints.change_schemas import (
    ChangeRequestList,
    ChangeRequestPublic,
    StageReviewBody,
    StoreChangesBody,
)
from review.service_layer.commands import DecideStage
from shared.app import wired
from shared.auth import Merchant, Operator, Principal, require_role
from shared.guards import JsonRoute

Services = Annotated[ReviewServices, Depends(wired)]
OwnerOrOperator = Annotated[Principal, Depends(require_role("merchant", "operator"))]

changes_router = APIRouter(prefix="/stores", tags=["change requests"], route_class=JsonRoute)
CHANGE = "/{store_id}/change-requests/{change_id}"


@changes_router.post(
    "/{store_id}/change-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=ChangeRequestPublic,
)
async def request_change(
    store_id: str, body: StoreChangesBody, merchant: Merchant, services: Services
) -> ChangeRequestPublic:
    """R-REV-12: the store keeps selling under its approved information meanwhile; one
    open request at a time (409)."""
    change = await services.stores.request_change(store_id, merchant, body)
    return public(store_id, change, services)


@changes_router.get("/{store_id}/change-requests", response_model=ChangeRequestList)
async def list_changes(
    store_id: str, principal: OwnerOrOperator, services: Services
) -> ChangeRequestList:
    store = await services.stores.get_visible(store_id, principal)
    changes = reversed(store.change_requests)
    return ChangeRequestList(items=[public(store_id, each, services) for each in changes])


@changes_router.get(CHANGE, response_model=ChangeRequestPublic)
async def get_change(
    store_id: str, change_id: str, principal: OwnerOrOperator, services: Services
) -> ChangeRequestPublic:
    store = await services.stores.get_visible(store_id, principal)
    return public(store_id, store.change_request(change_id), services)


@changes_router.put(CHANGE, response_model=ChangeRequestPublic)
async def answer_change(
    store_id: str, change_id: str, body: StoreChangesBody, merchant: Merchant, services: Services
) -> ChangeRequestPublic:
    """R-REV-13: the answer to a return for information: the changes as they now stand."""
    change = await services.stores.answer_change(store_id, change_id, merchant, body)
    return public(store_id, change, services)


@changes_router.post(f"{CHANGE}/withdraw", response_model=ChangeRequestPublic)
async def withdraw_change(
    store_id: str, change_id: str, merchant: Merchant, services: Services
) -> ChangeRequestPublic:
    change = await services.stores.withdraw_change(store_id, change_id, merchant)
    return public(store_id, change, services)


@changes_router.post(f"{CHANGE}/reviews", response_model=ChangeRequestPublic)
async def decide_change(
    store_id: str, change_id: str, body: StageReviewBody, operator: Operator, services: Services
) -> ChangeRequestPublic:
    """R-REV-12: approve, reject or return (R-REV-13) one stage; the last approval applies
    the change and publishes `StoreUpdated`."""
    command = DecideStage(
        store_id, operator.sub, body.stage, body.decision, body.reason, body.issues(), change_id
    )
    store = await services.stores.decide(command)
    return public(store_id, store.change_request(change_id), services)


def public(store_id: str, change: ChangeRequest, services: ReviewServices) -> ChangeRequestPublic:
    """The change request with its overdue flag (R-REV-5), counted while under review."""
    since = change.since if change.status == "under_review" else None
    return ChangeRequestPublic.of(store_id, change, deadline=services.deadline.since(since))
