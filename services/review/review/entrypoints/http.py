"""The review HTTP API: thin routes over the use cases (CONTRACT.md, review)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from review.bootstrap import ReviewServices
from review.domain.model import Product, Store
from review.domain.product import ProductStatus
from review.entrypoints import changes_http
from review.entrypoints.change_schemas import StageReviewBody
from review.entrypoints.product_schemas import (
    DelistCreate,
    PriceChangeCreate,
    ProductCreate,
    ProductPage,
    ProductPublic,
    ProductReviewCreate,
    ProductUpdate,
)
from review.entrypoints.queue_schemas import QueueItemPublic, ReviewQueuePage
from review.entrypoints.schemas import (
    InvitationCreate,
    InvitationList,
    InvitationPublic,
    MessageCreate,
    MessagePublic,
    StoreCreate,
    StorePublic,
    StoreUpdate,
)
from review.service_layer.commands import ApplyForStore, DecideStage
from shared.app import wired
from shared.auth import Merchant, Operator, Principal, require_role
from shared.guards import JsonRoute

Created = status.HTTP_201_CREATED


Services = Annotated[ReviewServices, Depends(wired)]
#: The store's or product's merchant, or an operator (others' resources are then 404).
OwnerOrOperator = Annotated[Principal, Depends(require_role("merchant", "operator"))]
Limit = Annotated[int, Query(ge=1, le=100)]

invitations_router = APIRouter(prefix="/invitations", tags=["invitations"], route_class=JsonRoute)
stores_router = APIRouter(prefix="/stores", tags=["stores"], route_class=JsonRoute)
products_router = APIRouter(prefix="/products", tags=["products"], route_class=JsonRoute)
queue_router = APIRouter(prefix="/review-queue", tags=["review queue"], route_class=JsonRoute)


@invitations_router.post("", status_code=Created, response_model=InvitationPublic)
async def invite(
    body: InvitationCreate, operator: Operator, services: Services
) -> InvitationPublic:
    invitation = await services.stores.invite(body.merchant_id, operator.sub)
    return InvitationPublic.of(invitation, services.stores.clock.now())


@invitations_router.get("", response_model=InvitationList)
async def list_invitations(
    operator: Operator,
    services: Services,
    merchant_id: Annotated[str, Query(min_length=1, max_length=100)],
) -> InvitationList:
    """R-REV-1, R-REV-16: a merchant's invitations, oldest first, each with its status."""
    now = services.stores.clock.now()
    invitations = await services.queries.invitations_of(merchant_id)
    return InvitationList(items=[InvitationPublic.of(each, now) for each in invitations])


@invitations_router.post("/{invitation_id}/revoke", response_model=InvitationPublic)
async def revoke_invitation(
    invitation_id: str, operator: Operator, services: Services
) -> InvitationPublic:
    """R-REV-16: revokes an unused invitation (again: the same answer); a used one is 409."""
    invitation = await services.stores.revoke_invitation(invitation_id, operator.sub)
    return InvitationPublic.of(invitation, services.stores.clock.now())


@stores_router.post("", status_code=Created, response_model=StorePublic)
async def apply_for_store(body: StoreCreate, merchant: Merchant, services: Services) -> StorePublic:
    store = await services.stores.apply(ApplyForStore(merchant.sub, body))
    return _store(store, services)


@stores_router.get("/{store_id}", response_model=StorePublic)
async def get_store(store_id: str, principal: OwnerOrOperator, services: Services) -> StorePublic:
    return _store(await services.stores.get_visible(store_id, principal), services)


@stores_router.put("/{store_id}", response_model=StorePublic)
async def resubmit_store(
    store_id: str, body: StoreUpdate, merchant: Merchant, services: Services
) -> StorePublic:
    return _store(await services.stores.resubmit(store_id, merchant, body), services)


@stores_router.post("/{store_id}/reviews", response_model=StorePublic)
async def decide_stage(
    store_id: str, body: StageReviewBody, operator: Operator, services: Services
) -> StorePublic:
    """R-REV-3: approve or reject one stage, or return the application for the items
    named (R-REV-13); the merchant's `PUT` answers and the review resumes at that stage."""
    store = await services.stores.decide(
        DecideStage(store_id, operator.sub, body.stage, body.decision, body.reason, body.issues())
    )
    return _store(store, services)


@stores_router.post("/{store_id}/messages", status_code=Created, response_model=MessagePublic)
async def post_message(
    store_id: str, body: MessageCreate, principal: OwnerOrOperator, services: Services
) -> MessagePublic:
    return MessagePublic.of(await services.stores.post_message(store_id, principal, body.body))


@products_router.post("", status_code=Created, response_model=ProductPublic)
async def submit_product(
    body: ProductCreate, merchant: Merchant, services: Services
) -> ProductPublic:
    product = await services.products.submit(merchant, body)
    return _product(product, services)


@products_router.get("", response_model=ProductPage)
async def list_products(
    principal: OwnerOrOperator,
    services: Services,
    store_id: Annotated[str | None, Query(max_length=100)] = None,
    status: ProductStatus | None = None,
    limit: Limit = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ProductPage:
    """A merchant's products with their review status (R-REV-9); operators see all."""
    products, next_cursor = await services.queries.products(
        principal,
        store_id=store_id,
        status=status,
        limit=limit,
        cursor=cursor,
    )
    return ProductPage(
        items=[_product(product, services) for product in products],
        next_cursor=next_cursor,
    )


@products_router.get("/{product_id}", response_model=ProductPublic)
async def get_product(
    product_id: str, principal: OwnerOrOperator, services: Services
) -> ProductPublic:
    product = await services.products.get_visible(product_id, principal)
    return _product(product, services)


@products_router.put("/{product_id}", response_model=ProductPublic)
async def revise_product(
    product_id: str, body: ProductUpdate, merchant: Merchant, services: Services
) -> ProductPublic:
    """R-REV-15: a rejected or delisted product, revised, waits for review again."""
    product = await services.products.revise(product_id, merchant, body)
    return _product(product, services)


@products_router.post("/{product_id}/price-changes", response_model=ProductPublic)
async def request_price_change(
    product_id: str, body: PriceChangeCreate, merchant: Merchant, services: Services
) -> ProductPublic:
    """R-REV-15: a new supply price, reviewed like a listing; the approved one stands."""
    product = await services.products.request_price_change(product_id, merchant, body.price)
    return _product(product, services)


@products_router.post("/{product_id}/delist", response_model=ProductPublic)
async def delist_product(
    product_id: str, body: DelistCreate, principal: OwnerOrOperator, services: Services
) -> ProductPublic:
    """R-REV-15: its merchant or an operator takes it off sale; again: the same answer."""
    product = await services.products.delist(product_id, principal, body.reason)
    return _product(product, services)


@products_router.post("/{product_id}/reviews", response_model=ProductPublic)
async def decide_product(
    product_id: str, body: ProductReviewCreate, operator: Operator, services: Services
) -> ProductPublic:
    product = await services.products.decide(product_id, operator, body.decision, body.reason)
    return _product(product, services)


def _product(product: Product, services: ReviewServices) -> ProductPublic:
    """R-REV-5, R-REV-15: overdue counts from when what is under review was submitted, the
    listing or its price change."""
    return ProductPublic.of(product, deadline=services.deadline.since(product.under_review_since))


@queue_router.get("", response_model=ReviewQueuePage)
async def review_queue(
    operator: Operator,
    services: Services,
    limit: Limit = 20,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ReviewQueuePage:
    """R-REV-5: store applications, change requests (R-REV-12) and products under review,
    overdue first, then oldest."""
    page, next_cursor = await services.queries.queue(limit, cursor)
    items = [
        QueueItemPublic.of(position, item, services.deadline.since(position.submitted_at))
        for position, item in page
    ]
    return ReviewQueuePage(items=items, next_cursor=next_cursor)


def _store(store: Store, services: ReviewServices) -> StorePublic:
    change = store.change_requests[-1] if store.change_requests else None
    return StorePublic.of(
        store,
        deadline=services.deadline.overdue(store),
        change_request=None if change is None else changes_http.public(store.id, change, services),
    )
