"""Review's product use cases (R-REV-8, R-REV-9, R-REV-10) through its `bootstrap`, on the
ports in memory: listings of an approved store, ProductApproved and ProductRejected as
published."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from review.adapters.queries import PRODUCTS
from review.bootstrap import ReviewServices, bootstrap
from review.domain.application import StoreApplication
from review.domain.errors import Conflict, Invalid
from review.domain.model import STAGES, Decision, Product, ProductListing, Store
from review.service_layer.commands import ApplyForStore, DecideStage
from shared.auth import Principal
from shared.clock import FixedClock
from shared.contract.events import ProductApproved, ProductRejected
from shared.errors import NotFound
from shared.policy import Policy
from shared.testing import FakePorts
from testkit.factories import (
    BUYER,
    MERCHANT,
    T0,
    a_product_approved,
    a_product_rejected,
    usd,
)

MakeApplication = Callable[..., StoreApplication]

OPERATOR = Principal(sub="operator-1", role="operator")
OWNER = Principal(sub=MERCHANT, role="merchant")
ANOTHER_MERCHANT = Principal(sub="merchant-2", role="merchant")
A_BUYER = Principal(sub=BUYER, role="buyer")


@dataclass(frozen=True)
class Review:
    """The review service wired on ports in memory, with the clock the test moves."""

    ports: FakePorts
    clock: FixedClock
    services: ReviewServices

    async def store(self, application: StoreApplication, *, approved: bool = True) -> Store:
        """The merchant's store, invited when full-managed, its three stages approved."""
        if application.store_type == "full_managed":
            await self.services.stores.invite(MERCHANT, OPERATOR.sub)
        store = await self.services.stores.apply(ApplyForStore(MERCHANT, application))
        for stage in STAGES if approved else ():
            decision = DecideStage(store.id, OPERATOR.sub, stage, "approve", None)
            store = await self.services.stores.decide(decision)
        return store

    async def submit(self, store: Store, **changes: Any) -> Product:
        return await self.services.products.submit(OWNER, a_listing(store, **changes))

    async def decide(self, product: Product, decision: Decision, reason: str = "") -> Product:
        return await self.services.products.decide(product.id, OPERATOR, decision, reason or None)

    async def stored_product_ids(self) -> list[str]:
        products = await self.ports.collection(PRODUCTS).find().to_list()
        return [document["_id"] for document in products]


@pytest.fixture
async def review() -> Review:
    clock = FixedClock(T0)
    ports = FakePorts("review", clock=clock, policy=Policy(document_max_bytes=5_000_000))
    wiring = await bootstrap(ports)
    return Review(ports, clock, wiring.services)


@pytest.fixture
async def approved(review: Review, make_application: MakeApplication) -> Store:
    """The merchant's full-managed store, approved at T0, selling home and clothing."""
    return await review.store(make_application("full_managed"))


def a_listing(store: Store, **changes: Any) -> ProductListing:
    """A complete listing (R-REV-8), the one testkit's `a_product_approved` describes."""
    fields: dict[str, Any] = {
        "store_id": store.id,
        "title": "Tea set",
        "description": "Six cups and a pot",
        "category": "home",
        "images": ["https://img.example/tea.jpg"],
        "price": usd(4990),
        "weight_grams": 500,
    }
    return ProductListing(**{**fields, **changes})


async def test_a_listing_of_an_approved_store_waits_for_review(
    review: Review, approved: Store
) -> None:
    """R-REV-8, R-REV-9: stored under review, nothing published before the decision."""
    review.clock.advance(timedelta(hours=2))
    product = await review.submit(approved, title="  Tea set ", category=" Home ")
    assert (product.status, product.store_id, product.merchant_id, product.store_type) == (
        "under_review",
        approved.id,
        MERCHANT,
        "full_managed",
    )
    assert (product.title, product.category, product.submitted_at) == (
        "Tea set",
        "Home",
        T0 + timedelta(hours=2),
    )
    assert await review.services.products.get_visible(product.id, OWNER) == product
    assert review.ports.published_of(ProductApproved) == []


async def test_a_store_not_yet_approved_lists_nothing(
    review: Review, make_application: MakeApplication
) -> None:
    """R-REV-8: products of an approved store only."""
    under_review = await review.store(make_application("semi_managed"), approved=False)
    with pytest.raises(Conflict, match="under_review"):
        await review.submit(under_review)
    assert await review.stored_product_ids() == []


async def test_only_the_stores_merchant_lists_in_it(review: Review, approved: Store) -> None:
    """R-REV-8: another merchant's store, or none, is absent to the caller (404)."""
    with pytest.raises(NotFound):
        await review.services.products.submit(ANOTHER_MERCHANT, a_listing(approved))
    with pytest.raises(NotFound):
        await review.services.products.submit(OWNER, a_listing(approved, store_id="no-store"))
    assert await review.stored_product_ids() == []


async def test_an_incomplete_listing_is_refused_with_every_issue(
    review: Review, approved: Store
) -> None:
    """R-REV-8, R-REV-3/8 (decided): complete and accurate, in one of the store's categories."""
    with pytest.raises(Invalid) as refused:
        await review.submit(approved, title=" ", category="food", price=usd(0), images=[])
    assert [issue.field for issue in refused.value.issues] == [
        "title",
        "category",
        "images",
        "price",
    ]
    assert await review.stored_product_ids() == []


@pytest.mark.parametrize("viewer", [OWNER, OPERATOR], ids=["owner", "operator"])
async def test_the_owner_and_operators_see_a_product(
    review: Review, approved: Store, viewer: Principal
) -> None:
    product = await review.submit(approved)
    assert await review.services.products.get_visible(product.id, viewer) == product


@pytest.mark.parametrize("viewer", [ANOTHER_MERCHANT, A_BUYER], ids=["merchant", "buyer"])
async def test_anyone_else_finds_no_product(
    review: Review, approved: Store, viewer: Principal
) -> None:
    product = await review.submit(approved)
    with pytest.raises(NotFound):
        await review.services.products.get_visible(product.id, viewer)
    with pytest.raises(NotFound):
        await review.services.products.get_visible("no-such-product", OPERATOR)


async def test_approving_a_product_publishes_product_approved(
    review: Review, approved: Store
) -> None:
    """R-REV-9, R-REV-10: it goes on sale at its (supply) price, under the policy in force."""
    product = await review.submit(approved)
    review.clock.advance(timedelta(days=1))
    product = await review.decide(product, "approve")
    assert review.ports.published_of(ProductApproved) == [
        a_product_approved(product_id=product.id, store_id=approved.id, at=T0 + timedelta(days=1))
    ]
    stored = await review.services.products.get_visible(product.id, OPERATOR)
    assert (stored.status, stored.decided_by, stored.decided_at) == (
        "approved",
        OPERATOR.sub,
        T0 + timedelta(days=1),
    )
    assert stored.policy == review.ports.policy.snapshot()


async def test_rejecting_a_product_publishes_product_rejected_with_its_reason(
    review: Review, approved: Store
) -> None:
    """R-REV-9: the rejection carries the reason, the price and the category."""
    product = await review.submit(approved, price=usd(1250), category="clothing")
    product = await review.decide(product, "reject", " photo shows another item ")
    assert (product.status, product.reason) == ("rejected", "photo shows another item")
    assert review.ports.published_of(ProductRejected) == [
        a_product_rejected(
            product_id=product.id,
            store_id=approved.id,
            price=usd(1250),
            category="clothing",
            reason="photo shows another item",
            at=T0,
        )
    ]
    assert review.ports.published_of(ProductApproved) == []


async def test_a_product_is_decided_once(review: Review, approved: Store) -> None:
    """R-REV-9: a second decision is refused; one event only."""
    product = await review.decide(await review.submit(approved), "approve")
    with pytest.raises(Conflict, match="approved"):
        await review.decide(product, "reject", "second thoughts")
    stored = await review.services.products.get_visible(product.id, OPERATOR)
    assert stored.status == "approved"
    assert [envelope.event_type for envelope in review.ports.published] == [
        "StoreApproved",
        "ProductApproved",
    ]


async def test_a_product_rejection_without_reason_changes_nothing(
    review: Review, approved: Store
) -> None:
    """R-REV-9: a rejection states why."""
    product = await review.submit(approved)
    with pytest.raises(Invalid, match="reason"):
        await review.decide(product, "reject", "  ")
    stored = await review.services.products.get_visible(product.id, OPERATOR)
    assert stored.status == "under_review"
    assert review.ports.published_of(ProductRejected) == []


async def test_deciding_an_unknown_product_is_not_found(review: Review) -> None:
    with pytest.raises(NotFound):
        await review.services.products.decide("no-such-product", OPERATOR, "approve", None)
