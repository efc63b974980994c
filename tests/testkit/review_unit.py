"""What review's unit tests share: a merchant's complete store application, the store it
opens in the domain, a listing of the product review approves, and the service as its own
`bootstrap` wires it on fake ports (`shared.testing.Wired`), the merchant applying and an
operator deciding.

    store = a_store("semi_managed", contract_signed=False)  # the domain, at MONDAY
    review = await a_review_service()  # the service, its clock at T0
    store = await a_store_applied_for(review, an_application(), approved=True)
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeAlias

from review.bootstrap import ReviewServices, bootstrap
from review.domain.application import DocumentRef, StoreApplication
from review.domain.model import STAGES, Decision, Invitation, ProductListing, Stage, Store
from review.service_layer.commands import ApplyForStore, DecideStage
from shared.calendar import Calendars
from shared.clock import FixedClock
from shared.contract.types import Warehouse
from shared.policy import Policy
from shared.testing import FakePorts, Wired
from testkit.factories import AN_OPERATOR, MERCHANT, T0, a_product_approved

WiredReview: TypeAlias = Wired[ReviewServices]
WorkingDays: TypeAlias = Callable[[date, date], int]

#: When a domain store is applied for: a Monday morning, so weekday arithmetic is easy.
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def _document(kind: str, filename: str, content_type: str, size_bytes: int) -> DocumentRef:
    return DocumentRef(
        kind=kind, filename=filename, content_type=content_type, size_bytes=size_bytes
    )


def an_application(store_type: str = "full_managed", **changes: Any) -> StoreApplication:
    """A complete application (R-REV-2, R-REV-4); semi-managed, with its own warehouse in
    Madrid, its proof and two handling days (R-LOG-2)."""
    documents = [
        _document("business_license", "licence.pdf", "application/pdf", 200_000),
        _document("id_document", "id.jpg", "image/jpeg", 90_000),
    ]
    fields: dict[str, Any] = {
        "store_type": store_type,
        "name": "Blue Lantern Home",
        "company_name": "Fuzhou Blue Lantern Trading Co., Ltd.",
        "business_license_no": "91350100M000100Y43",
        "contact_email": "ops@bluelantern.example.com",
        "categories": ["home", "clothing"],
        "documents": documents,
        "contract_signed": True,
    }
    if store_type == "semi_managed":
        fields["documents"] = [
            *documents,
            _document("warehouse_proof", "lease.png", "image/png", 50_000),
        ]
        fields["warehouse"] = Warehouse(
            country="ES", city="Madrid", address="Calle Mayor 1", timezone="Europe/Madrid"
        )
        fields["handling_days"] = 2
    return StoreApplication(**{**fields, **changes})


def a_store(store_type: str = "full_managed", **changes: Any) -> Store:
    """A store applied for at MONDAY by a fresh merchant (invited when full-managed), under
    the default policy."""
    merchant_id = new_id()
    invitation = Invitation.issue(new_id(), merchant_id, AN_OPERATOR.sub, MONDAY, policy=Policy())
    application = an_application(store_type, **changes)
    return Store.apply(new_id(), merchant_id, application, Policy(), MONDAY, invitation=invitation)


def an_approved_store() -> Store:
    """A full-managed store whose three stages an operator approved at MONDAY, its events
    taken."""
    store = a_store()
    for stage in STAGES:
        store.decide(stage, "approve", None, AN_OPERATOR.sub, Policy(), MONDAY)
    store.pull_events()
    return store


def a_listing(store: Store, **changes: Any) -> ProductListing:
    """A complete listing (R-REV-8) in `store` of what `a_product_approved()` describes."""
    offered = a_product_approved()
    fields: dict[str, Any] = {
        "store_id": store.id,
        "title": offered.title,
        "description": offered.description,
        "category": offered.category,
        "images": offered.images,
        "price": offered.price,
        "weight_grams": offered.weight_grams,
    }
    return ProductListing(**{**fields, **changes})


async def a_review_service(
    *, policy: Policy | None = None, calendars: Calendars | None = None
) -> WiredReview:
    """Review on fake ports, its clock fixed at T0."""
    ports = FakePorts("review", clock=FixedClock(T0), policy=policy, calendars=calendars)
    wired: WiredReview = await Wired.up(bootstrap, ports)
    return wired


async def invite(review: WiredReview, merchant: str = MERCHANT) -> Invitation:
    """An operator invites `merchant` to open a full-managed store (R-REV-1)."""
    return await review.services.stores.invite(merchant, AN_OPERATOR.sub)


async def apply(
    review: WiredReview, application: StoreApplication, merchant: str = MERCHANT
) -> Store:
    return await review.services.stores.apply(ApplyForStore(merchant, application))


async def decide_stage(
    review: WiredReview,
    store: Store,
    stage: Stage,
    decision: Decision = "approve",
    reason: str = "",
) -> Store:
    """An operator's decision on one stage of `store` (R-REV-3), with `reason` if any."""
    command = DecideStage(store.id, AN_OPERATOR.sub, stage, decision, reason or None)
    return await review.services.stores.decide(command)


async def as_stored(review: WiredReview, store: Store) -> Store:
    """`store` as it is stored now, read by an operator."""
    return await review.services.stores.get_visible(store.id, AN_OPERATOR)


async def a_store_applied_for(
    review: WiredReview, application: StoreApplication, *, approved: bool = False
) -> Store:
    """The merchant's store (invited first when full-managed), its three stages approved
    if `approved`."""
    if application.store_type == "full_managed":
        await invite(review)
    store = await apply(review, application)
    for stage in STAGES if approved else ():
        store = await decide_stage(review, store, stage)
    return store
