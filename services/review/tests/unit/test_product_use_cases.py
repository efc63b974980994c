"""Review's product use cases (R-REV-8, R-REV-9, R-REV-10) through its `bootstrap`, on the
ports in memory: listings of an approved store, ProductApproved and ProductRejected as
published."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from review.adapters.queries import PRODUCTS
from review.domain.errors import Conflict, Invalid
from review.domain.model import Decision, Product, Store
from shared.auth import Principal
from shared.contract.events import ProductApproved, ProductRejected
from shared.errors import NotFound
from shared.policy import Policy
from testkit.factories import (
    AN_OPERATOR,
    ANOTHER_MERCHANT,
    MERCHANT,
    T0,
    THE_BUYER,
    THE_MERCHANT,
    a_product_approved,
    a_product_rejected,
    usd,
)
from testkit.review_unit import (
    WiredReview,
    a_listing,
    a_review_service,
    a_store_applied_for,
    an_application,
)


@pytest.fixture
async def review() -> WiredReview:
    """Review under a policy of its own, which the decisions must record."""
    return await a_review_service(policy=Policy(document_max_bytes=5_000_000))


@pytest.fixture
async def approved(review: WiredReview) -> Store:
    """The merchant's full-managed store, approved at T0, selling home and clothing."""
    return await a_store_applied_for(review, an_application("full_managed"), approved=True)


async def submit(review: WiredReview, store: Store, **changes: Any) -> Product:
    return await review.services.products.submit(THE_MERCHANT, a_listing(store, **changes))


async def decide(
    review: WiredReview, product: Product, decision: Decision, reason: str = ""
) -> Product:
    return await review.services.products.decide(product.id, AN_OPERATOR, decision, reason or None)


async def stored_product_ids(review: WiredReview) -> list[str]:
    products = await review.ports.collection(PRODUCTS).find().to_list()
    return [document["_id"] for document in products]


async def test_a_listing_of_an_approved_store_waits_for_review(
    review: WiredReview, approved: Store
) -> None:
    """R-REV-8, R-REV-9: stored under review, nothing published before the decision."""
    review.clock.advance(timedelta(hours=2))
    product = await submit(review, approved, title="  Tea set ", category=" home ")
    assert (product.status, product.store_id, product.merchant_id, product.store_type) == (
        "under_review",
        approved.id,
        MERCHANT,
        "full_managed",
    )
    assert (product.title, product.category, product.submitted_at) == (
        "Tea set",
        "home",
        T0 + timedelta(hours=2),
    )
    assert await review.services.products.get_visible(product.id, THE_MERCHANT) == product
    assert review.ports.published_of(ProductApproved) == []


async def test_a_store_not_yet_approved_lists_nothing(review: WiredReview) -> None:
    """R-REV-8: products of an approved store only."""
    under_review = await a_store_applied_for(review, an_application("semi_managed"))
    with pytest.raises(Conflict, match="under_review"):
        await submit(review, under_review)
    assert await stored_product_ids(review) == []


async def test_only_the_stores_merchant_lists_in_it(review: WiredReview, approved: Store) -> None:
    """R-REV-8: another merchant's store, or none, is absent to the caller (404)."""
    with pytest.raises(NotFound):
        await review.services.products.submit(ANOTHER_MERCHANT, a_listing(approved))
    with pytest.raises(NotFound):
        await review.services.products.submit(
            THE_MERCHANT, a_listing(approved, store_id="no-store")
        )
    assert await stored_product_ids(review) == []


async def test_an_incomplete_listing_is_refused_with_every_issue(
    review: WiredReview, approved: Store
) -> None:
    """R-REV-8, R-REV-3/8 (decided): complete and accurate, in one of the store's categories."""
    with pytest.raises(Invalid) as refused:
        await submit(review, approved, title=" ", category="food", price=usd(0), images=[])
    assert [issue.field for issue in refused.value.issues] == [
        "title",
        "category",
        "images",
        "price",
    ]
    assert await stored_product_ids(review) == []


@pytest.mark.parametrize("viewer", [THE_MERCHANT, AN_OPERATOR], ids=["owner", "operator"])
async def test_the_owner_and_operators_see_a_product(
    review: WiredReview, approved: Store, viewer: Principal
) -> None:
    product = await submit(review, approved)
    assert await review.services.products.get_visible(product.id, viewer) == product


@pytest.mark.parametrize("viewer", [ANOTHER_MERCHANT, THE_BUYER], ids=["merchant", "buyer"])
async def test_anyone_else_finds_no_product(
    review: WiredReview, approved: Store, viewer: Principal
) -> None:
    product = await submit(review, approved)
    with pytest.raises(NotFound):
        await review.services.products.get_visible(product.id, viewer)
    with pytest.raises(NotFound):
        await review.services.products.get_visible("no-such-product", AN_OPERATOR)


async def test_approving_a_product_publishes_product_approved(
    review: WiredReview, approved: Store
) -> None:
    """R-REV-9, R-REV-10: it goes on sale at its (supply) price, under the policy in force."""
    product = await submit(review, approved)
    review.clock.advance(timedelta(days=1))
    product = await decide(review, product, "approve")
    assert review.ports.published_of(ProductApproved) == [
        a_product_approved(product_id=product.id, store_id=approved.id, at=T0 + timedelta(days=1))
    ]
    stored = await review.services.products.get_visible(product.id, AN_OPERATOR)
    assert (stored.status, stored.decided_by, stored.decided_at) == (
        "approved",
        AN_OPERATOR.sub,
        T0 + timedelta(days=1),
    )
    assert stored.policy == review.ports.policy.snapshot()


async def test_rejecting_a_product_publishes_product_rejected_with_its_reason(
    review: WiredReview, approved: Store
) -> None:
    """R-REV-9: the rejection carries the reason, the price and the category."""
    product = await submit(review, approved, price=usd(1250), category="clothing")
    product = await decide(review, product, "reject", " photo shows another item ")
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


async def test_a_product_is_decided_once(review: WiredReview, approved: Store) -> None:
    """R-REV-9: a second decision is refused; one event only."""
    product = await decide(review, await submit(review, approved), "approve")
    with pytest.raises(Conflict, match="approved"):
        await decide(review, product, "reject", "second thoughts")
    stored = await review.services.products.get_visible(product.id, AN_OPERATOR)
    assert stored.status == "approved"
    assert [envelope.event_type for envelope in review.ports.published] == [
        "StoreApproved",
        "ProductApproved",
    ]


async def test_a_product_rejection_without_reason_changes_nothing(
    review: WiredReview, approved: Store
) -> None:
    """R-REV-9: a rejection states why."""
    product = await submit(review, approved)
    with pytest.raises(Invalid, match="reason"):
        await decide(review, product, "reject", "  ")
    stored = await review.services.products.get_visible(product.id, AN_OPERATOR)
    assert stored.status == "under_review"
    assert review.ports.published_of(ProductRejected) == []


async def test_deciding_an_unknown_product_is_not_found(review: WiredReview) -> None:
    with pytest.raises(NotFound):
        await review.services.products.decide("no-such-product", AN_OPERATOR, "approve", None)
