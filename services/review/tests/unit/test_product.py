"""R-REV-8, R-REV-9, R-REV-10: product listings and their review."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from review.domain.errors import Conflict, Invalid, NotAllowed
from review.domain.product import Product
from review.domain.store import Store
from shared.categories import default_categories
from shared.contract.events import ProductRejected
from shared.policy import Policy
from testkit.factories import a_product_approved, usd
from testkit.review_unit import WorkingDays, a_listing, a_store, an_approved_store, new_id

CATEGORIES = default_categories()


@pytest.fixture
def approved_store() -> Store:
    return an_approved_store()


def submit(store: Store, now: datetime, **changes: Any) -> Product:
    listing = a_listing(store, **changes)
    return Product.submit(new_id(), store.merchant_id, listing, store, now, CATEGORIES)


def test_listing_of_an_approved_store_waits_for_review(
    approved_store: Store, now: datetime
) -> None:  # R-REV-8, R-REV-9
    product = submit(approved_store, now, category=" home ")
    assert product.status == "under_review"
    assert (product.store_id, product.merchant_id, product.store_type) == (
        approved_store.id,
        approved_store.merchant_id,
        "full_managed",
    )
    assert product.category == "home"
    assert product.submitted_at == now
    assert product.pull_events() == []


def test_listing_needs_an_approved_store(now: datetime) -> None:  # R-REV-8
    store = a_store()
    with pytest.raises(Conflict, match="under_review"):
        submit(store, now)


def test_listing_in_another_merchants_store_is_not_allowed(
    approved_store: Store, now: datetime
) -> None:  # R-REV-8
    with pytest.raises(NotAllowed, match="another merchant"):
        Product.submit(
            "p-1", "intruder", a_listing(approved_store), approved_store, now, CATEGORIES
        )


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"title": " ", "description": ""}, ["title", "description"]),
        ({"images": []}, ["images"]),
        ({"images": ["ftp://x.example.com/a.jpg", "img.jpg"]}, ["images[0]", "images[1]"]),
        ({"price": usd(0)}, ["price"]),
        ({"weight_grams": 0}, ["weight_grams"]),
        ({"category": "food"}, ["category"]),
        ({"category": "Home"}, ["category"]),
    ],
)
def test_incomplete_listing_is_invalid_with_every_issue(
    approved_store: Store, now: datetime, changes: dict[str, Any], fields: list[str]
) -> None:  # R-REV-8
    with pytest.raises(Invalid) as refused:
        submit(approved_store, now, **changes)
    assert [issue.field for issue in refused.value.issues] == fields


def test_a_category_is_a_code_of_the_list_and_of_the_store(
    approved_store: Store, now: datetime
) -> None:  # R-REV-11, R-REV-3/8 (decided)
    with pytest.raises(Invalid) as refused:
        submit(approved_store, now, category="Food")
    [issue] = refused.value.issues
    assert (issue.field, issue.problem) == ("category", CATEGORIES.refusal())
    assert "use one of: baby, books, clothing, cosmetics, electronics, food," in issue.problem
    with pytest.raises(Invalid) as refused:
        submit(approved_store, now, category="food")  # a code, not one of the store's
    [issue] = refused.value.issues
    assert issue.problem == "not a category of this store; use one of home, clothing"


def test_approval_records_product_approved(
    approved_store: Store, policy: Policy, now: datetime
) -> None:  # R-REV-9
    product = submit(approved_store, now)
    later = now + timedelta(days=1)
    product.decide("approve", None, "operator-4", policy, later)
    assert (product.status, product.decided_by, product.decided_at) == (
        "approved",
        "operator-4",
        later,
    )
    [event] = product.pull_events()
    assert event == a_product_approved(  # what was offered, in the store, decided `later`
        product_id=product.id,
        store_id=approved_store.id,
        merchant_id=approved_store.merchant_id,
        store_type="full_managed",
        at=later,
    )


def test_rejection_records_product_rejected_with_reason(
    approved_store: Store, policy: Policy, now: datetime
) -> None:  # R-REV-9
    product = submit(approved_store, now)
    product.decide("reject", "photo shows another item", "operator-4", policy, now)
    assert (product.status, product.reason) == ("rejected", "photo shows another item")
    [event] = product.pull_events()
    assert isinstance(event, ProductRejected)
    assert (event.reason, event.rejected_at, event.product_id) == (
        "photo shows another item",
        now,
        product.id,
    )


def test_product_rejection_needs_reason(
    approved_store: Store, policy: Policy, now: datetime
) -> None:  # R-REV-9
    product = submit(approved_store, now)
    with pytest.raises(Invalid, match="reason"):
        product.decide("reject", " ", "operator-4", policy, now)
    assert product.status == "under_review"


def test_product_is_decided_only_once(
    approved_store: Store, policy: Policy, now: datetime
) -> None:  # R-REV-9
    product = submit(approved_store, now)
    product.decide("approve", None, "operator-4", policy, now)
    with pytest.raises(Conflict, match="already approved"):
        product.decide("reject", "second thoughts", "operator-4", policy, now)
    assert len(product.pull_events()) == 1


def test_product_decision_keeps_its_policy(
    approved_store: Store, now: datetime
) -> None:  # R-REV-10
    decided_under = Policy(document_max_bytes=1234)
    product = submit(approved_store, now)
    product.decide("approve", None, "operator-4", decided_under, now)
    assert product.policy == decided_under.snapshot()


def test_product_overdue_like_store_applications(
    approved_store: Store, now: datetime, working_days: WorkingDays
) -> None:  # R-REV-5, R-REV-9 (decided)
    policy = Policy(review_overdue_working_days=1)
    product = submit(approved_store, now)
    assert not product.is_overdue(now + timedelta(days=1), working_days, policy)
    assert product.is_overdue(now + timedelta(days=2), working_days, policy)
    product.decide("approve", None, "operator-4", policy, now)
    assert not product.is_overdue(now + timedelta(days=2), working_days, policy)


def test_product_survives_a_round_trip_through_its_document(
    approved_store: Store, now: datetime
) -> None:  # R-REV-9
    product = submit(approved_store, now)
    assert Product.from_document(product.to_document()) == product
