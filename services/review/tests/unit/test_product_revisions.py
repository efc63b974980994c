"""R-REV-15: a rejected product revised and resubmitted, a listed product's price change
reviewed like a listing (the approved price stands until then), and delisting by its
merchant or an operator: the Product aggregate, then the use cases on fake ports."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from review.domain.errors import Conflict, Invalid
from review.domain.model import Product, Store
from shared.categories import default_categories
from shared.contract.events import ProductApproved, ProductDelisted
from shared.contract.types import Money
from shared.errors import NotFound
from shared.policy import Policy
from testkit.factories import AN_OPERATOR, ANOTHER_MERCHANT, T0, THE_MERCHANT, usd
from testkit.review_unit import (
    WiredReview,
    WorkingDays,
    a_listing,
    a_review_service,
    a_store_applied_for,
    an_application,
    an_approved_store,
    new_id,
)

CATEGORIES = default_categories()
OPERATOR = "operator-4"
DAY = timedelta(days=1)


@pytest.fixture
def store() -> Store:
    return an_approved_store()


def submitted(store: Store, now: datetime, **changes: Any) -> Product:
    listing = a_listing(store, **changes)
    return Product.submit(new_id(), store.merchant_id, listing, store, now, CATEGORIES)


def rejected(store: Store, now: datetime) -> Product:
    product = submitted(store, now, price=usd(1000))
    product.decide("reject", "photo shows another item", OPERATOR, Policy(), now)
    product.pull_events()
    return product


def approved(store: Store, now: datetime) -> Product:
    product = submitted(store, now, price=usd(1000))
    product.decide("approve", None, OPERATOR, Policy(), now)
    product.pull_events()
    return product


def revise(product: Product, store: Store, now: datetime, **changes: Any) -> None:
    product.revise(a_listing(store, **changes), store, now, CATEGORIES)


# --- Revised and resubmitted ------------------------------------------------------------


def test_a_rejected_product_revised_waits_for_review_again_with_its_history(
    store: Store, now: datetime
) -> None:  # R-REV-15
    product = rejected(store, now)
    revise(product, store, now + DAY, title=" Tea set, 8 cups ", price=usd(1100))
    assert (product.status, product.submitted_at, product.title, product.price) == (
        "under_review",
        now + DAY,
        "Tea set, 8 cups",
        usd(1100),
    )
    assert (product.reason, product.decided_at, product.decided_by, product.policy) == (
        None,
        None,
        None,
        None,
    )
    [earlier] = product.history
    assert (earlier.outcome, earlier.reason, earlier.decided_by) == (
        "rejected",
        "photo shows another item",
        OPERATOR,
    )
    assert (earlier.listing.price, earlier.submitted_at, earlier.superseded_at) == (
        usd(1000),
        now,
        now + DAY,
    )
    assert product.pull_events() == []  # nothing is published until it is decided
    product.decide("approve", None, OPERATOR, Policy(), now + 2 * DAY)
    [event] = product.pull_events()
    assert isinstance(event, ProductApproved)
    assert (event.title, event.price, event.approved_at) == (
        "Tea set, 8 cups",
        usd(1100),
        now + 2 * DAY,
    )


@pytest.mark.parametrize("status", ["under_review", "approved"])
def test_only_a_rejected_or_delisted_product_is_revised(
    store: Store, now: datetime, status: str
) -> None:  # R-REV-15
    product = approved(store, now) if status == "approved" else submitted(store, now)
    with pytest.raises(Conflict, match=f"the product is {status}; revise it once it is rejected"):
        revise(product, store, now + DAY, title="Other")
    assert (product.status, product.title, product.history) == (status, "Tea set", [])


def test_a_revision_stays_in_its_store_and_complete(store: Store, now: datetime) -> None:
    # R-REV-15, R-REV-8: refused with its issues, nothing changed
    product = rejected(store, now)
    before = product.model_copy(deep=True)
    with pytest.raises(Invalid) as refused:
        revise(product, store, now + DAY, store_id="another-store")
    assert [issue.field for issue in refused.value.issues] == ["store_id"]
    with pytest.raises(Invalid) as refused:
        revise(product, store, now + DAY, images=[], category="food")
    assert [issue.field for issue in refused.value.issues] == ["category", "images"]
    assert product == before


def test_a_delisted_product_revised_keeps_how_it_was_delisted(
    store: Store, now: datetime
) -> None:  # R-REV-15
    product = approved(store, now)
    product.delist("out of stock", "merchant", store.merchant_id, now + DAY)
    revise(product, store, now + 2 * DAY)
    assert (product.status, product.delisting) == ("under_review", None)
    [earlier] = product.history
    assert earlier.outcome == "delisted"
    assert earlier.delisting is not None
    assert (earlier.delisting.reason, earlier.delisting.delisted_by) == ("out of stock", "merchant")


# --- A price change ------------------------------------------------------------------------


def test_a_price_change_waits_for_review_and_the_approved_price_stands(
    store: Store, now: datetime, working_days: WorkingDays
) -> None:  # R-REV-15, R-REV-5: overdue counts from the change
    product = approved(store, now)
    later = now + 7 * DAY
    product.request_price_change(usd(1200), later)
    assert (product.status, product.price) == ("approved", usd(1000))
    assert product.price_change is not None
    assert (product.price_change.price, product.price_change.status) == (usd(1200), "under_review")
    assert product.price_change_since == product.under_review_since == later
    policy = Policy(review_overdue_working_days=1)
    assert not product.is_overdue(later + DAY, working_days, policy)
    assert product.is_overdue(later + 2 * DAY, working_days, policy)
    assert product.pull_events() == []


def test_an_approved_price_change_is_the_price_sold_and_published(
    store: Store, now: datetime
) -> None:  # R-REV-15, R-REV-10: a new approval, the newest decision
    product = approved(store, now)
    product.request_price_change(usd(1200), now + DAY)
    policy = Policy(document_max_bytes=1234)
    product.decide("approve", None, "operator-5", policy, now + 2 * DAY)
    assert (product.status, product.price, product.price_change_since) == (
        "approved",
        usd(1200),
        None,
    )
    change = product.price_change
    assert change is not None
    assert (change.status, change.decided_by, change.decided_at, change.policy) == (
        "approved",
        "operator-5",
        now + 2 * DAY,
        policy.snapshot(),
    )
    assert product.decided_by == OPERATOR  # the listing's decision is kept as it was
    [event] = product.pull_events()
    assert isinstance(event, ProductApproved)
    assert (event.product_id, event.price, event.approved_at) == (
        product.id,
        usd(1200),
        now + 2 * DAY,
    )


def test_a_rejected_price_change_says_why_and_changes_nothing_sold(
    store: Store, now: datetime
) -> None:  # R-REV-15
    product = approved(store, now)
    product.request_price_change(usd(5000), now + DAY)
    with pytest.raises(Invalid, match="reason"):
        product.decide("reject", "  ", OPERATOR, Policy(), now + DAY)
    assert product.price_change_since == now + DAY
    product.decide("reject", " far above the market ", OPERATOR, Policy(), now + 2 * DAY)
    assert product.price == usd(1000)
    assert product.price_change is not None
    assert (product.price_change.status, product.price_change.reason) == (
        "rejected",
        "far above the market",
    )
    assert product.pull_events() == []
    product.request_price_change(usd(1100), now + 3 * DAY)  # another may follow
    assert [each.status for each in product.price_changes] == ["rejected", "under_review"]


def test_nothing_under_review_is_nothing_to_decide(store: Store, now: datetime) -> None:
    # R-REV-9, R-REV-15
    product = approved(store, now)
    with pytest.raises(Conflict, match="already approved"):
        product.decide("approve", None, OPERATOR, Policy(), now)
    assert product.pull_events() == []


@pytest.mark.parametrize(
    ("price", "field"),
    [
        (Money(amount_minor=1200, currency="EUR"), "price.currency"),
        (usd(0), "price.amount_minor"),
        (usd(1000), "price"),
    ],
    ids=["other currency", "zero", "the same"],
)
def test_a_price_change_needs_a_new_price_in_the_same_currency(
    store: Store, now: datetime, price: Money, field: str
) -> None:  # R-REV-15
    product = approved(store, now)
    with pytest.raises(Invalid) as refused:
        product.request_price_change(price, now)
    assert [issue.field for issue in refused.value.issues] == [field]
    assert product.price_changes == []


def test_a_price_change_is_of_an_approved_product_one_at_a_time(
    store: Store, now: datetime
) -> None:  # R-REV-15
    with pytest.raises(Conflict, match="rejected"):
        rejected(store, now).request_price_change(usd(1200), now)
    product = approved(store, now)
    product.request_price_change(usd(1200), now)
    with pytest.raises(Conflict, match="under review"):
        product.request_price_change(usd(1300), now)
    assert [each.price for each in product.price_changes] == [usd(1200)]


# --- Delisted -------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["merchant", "operator"])
def test_a_listed_product_is_delisted_once_and_published(
    store: Store, now: datetime, by: Any
) -> None:  # R-REV-15
    product = approved(store, now)
    product.request_price_change(usd(1200), now)
    product.delist(" out of stock ", by, "someone", now + DAY)
    assert (product.status, product.price) == ("delisted", usd(1000))
    assert product.price_change is not None
    assert (product.price_change.status, product.price_change.withdrawn_at) == (
        "withdrawn",
        now + DAY,
    )
    assert product.under_review_since is None
    [event] = product.pull_events()
    assert isinstance(event, ProductDelisted)
    assert (event.product_id, event.reason, event.delisted_by, event.delisted_at) == (
        product.id,
        "out of stock",
        by,
        now + DAY,
    )
    before = product.model_copy(deep=True)
    product.delist("again", "operator", "someone else", now + 2 * DAY)
    assert product == before
    assert product.pull_events() == []


@pytest.mark.parametrize("status", ["under_review", "rejected"])
def test_only_an_approved_product_is_delisted(store: Store, now: datetime, status: str) -> None:
    # R-REV-15
    product = rejected(store, now) if status == "rejected" else submitted(store, now)
    with pytest.raises(Conflict, match=f"the product is {status}"):
        product.delist("no longer sold", "merchant", store.merchant_id, now)
    assert (product.status, product.pull_events()) == (status, [])


def test_a_delisting_says_why(store: Store, now: datetime) -> None:  # R-REV-15
    product = approved(store, now)
    with pytest.raises(Invalid, match="why"):
        product.delist(" ", "operator", OPERATOR, now)
    assert (product.status, product.pull_events()) == ("approved", [])


def test_a_revised_price_changed_delisted_product_survives_its_document(
    store: Store, now: datetime
) -> None:  # R-REV-15
    product = rejected(store, now)
    revise(product, store, now + DAY)
    product.decide("approve", None, OPERATOR, Policy(), now + DAY)
    product.request_price_change(usd(1200), now + 2 * DAY)
    product.delist("out of stock", "merchant", store.merchant_id, now + 3 * DAY)
    assert len(product.pull_events()) == 2  # the approval and the delisting
    assert Product.from_document(product.to_document()) == product


# --- The use cases ---------------------------------------------------------------------------


@pytest.fixture
async def review() -> WiredReview:
    return await a_review_service()


async def listed(review: WiredReview) -> Product:
    """The merchant's product in its approved full-managed store, approved at T0."""
    store = await a_store_applied_for(review, an_application("full_managed"), approved=True)
    products = review.services.products
    product = await products.submit(THE_MERCHANT, a_listing(store, price=usd(1000)))
    return await products.decide(product.id, AN_OPERATOR, "approve", None)


async def test_the_merchant_changes_its_price_and_the_approval_is_published(
    review: WiredReview,
) -> None:  # R-REV-15
    products = review.services.products
    product = await listed(review)
    with pytest.raises(NotFound):
        await products.request_price_change(product.id, ANOTHER_MERCHANT, usd(1200))
    review.clock.advance(DAY)
    await products.request_price_change(product.id, THE_MERCHANT, usd(1200))
    await products.decide(product.id, AN_OPERATOR, "approve", None)
    assert [(e.price, e.approved_at) for e in review.ports.published_of(ProductApproved)] == [
        (usd(1000), T0),
        (usd(1200), T0 + DAY),
    ]


async def test_the_merchant_or_an_operator_delists_another_merchant_finds_nothing(
    review: WiredReview,
) -> None:  # R-REV-15
    products = review.services.products
    product = await listed(review)
    with pytest.raises(NotFound):
        await products.delist(product.id, ANOTHER_MERCHANT, "not mine")
    await products.delist(product.id, AN_OPERATOR, "counterfeit")
    await products.delist(product.id, THE_MERCHANT, "again")  # the same answer
    [event] = review.ports.published_of(ProductDelisted)
    assert (event.delisted_by, event.reason) == ("operator", "counterfeit")
    stored = await products.get_visible(product.id, THE_MERCHANT)
    assert stored.status == "delisted"


async def test_only_its_merchant_revises_a_product(review: WiredReview) -> None:  # R-REV-15
    products = review.services.products
    product = await listed(review)
    await products.delist(product.id, THE_MERCHANT, "new photos coming")
    store = await review.services.stores.get_visible(product.store_id, AN_OPERATOR)
    listing = a_listing(store, title="Tea set, new photos")
    for intruder in (ANOTHER_MERCHANT, AN_OPERATOR):
        with pytest.raises(NotFound):
            await products.revise(product.id, intruder, listing)
    revised = await products.revise(product.id, THE_MERCHANT, listing)
    assert (revised.status, revised.title, len(revised.history)) == (
        "under_review",
        "Tea set, new photos",
        1,
    )
