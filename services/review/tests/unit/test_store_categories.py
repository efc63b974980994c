"""R-REV-11 through review's use cases: stores and products name categories by the codes of
the platform's list; anything else is refused (422) with the codes, and nothing is stored."""

from __future__ import annotations

import pytest

from review.adapters.queries import PRODUCTS, STORES
from review.bootstrap import bootstrap
from review.domain.errors import Invalid
from shared.categories import CategoryList, default_categories
from shared.clock import FixedClock
from shared.testing import FakePorts, Wired
from testkit.factories import T0, THE_MERCHANT
from testkit.review_unit import (
    WiredReview,
    a_listing,
    a_store_applied_for,
    an_application,
    apply,
    invite,
)

CODES = ", ".join(default_categories().codes)


async def stored(review: WiredReview, collection: str) -> int:
    return len(await review.ports.collection(collection).find().to_list())


async def test_an_application_naming_a_category_not_in_the_list_is_refused(
    review: WiredReview,
) -> None:  # R-REV-11
    await invite(review)
    with pytest.raises(Invalid) as refused:
        await apply(review, an_application(categories=["home", "Food", "food", "食品"]))
    assert [(issue.field, issue.problem) for issue in refused.value.issues] == [
        ("categories[1]", f"not a category code; use one of: {CODES}"),
        ("categories[3]", f"not a category code; use one of: {CODES}"),
    ]
    assert "GET /categories" in refused.value.message
    assert await stored(review, STORES) == 0


async def test_codes_of_the_list_are_accepted(review: WiredReview) -> None:  # R-REV-11
    store = await a_store_applied_for(review, an_application(categories=["food", "cosmetics"]))
    assert (store.status, store.application.categories) == ("under_review", ["food", "cosmetics"])


async def test_a_blank_category_is_still_returned_for_information(
    review: WiredReview,
) -> None:  # R-REV-4: the completeness check names it, as before
    store = await a_store_applied_for(review, an_application(categories=["home", " "]))
    assert store.status == "needs_info"
    assert [issue.field for issue in store.issues] == ["categories[1]"]


async def test_a_resubmission_naming_free_text_is_refused(review: WiredReview) -> None:
    # R-REV-11, R-REV-6
    returned = await a_store_applied_for(review, an_application(contract_signed=False))
    with pytest.raises(Invalid) as refused:
        await review.services.stores.resubmit(
            returned.id, THE_MERCHANT, an_application(categories=["Home"])
        )
    assert [issue.field for issue in refused.value.issues] == ["categories[0]"]
    again = await review.services.stores.get_visible(returned.id, THE_MERCHANT)
    assert (again.status, again.version) == ("needs_info", returned.version)


async def test_a_product_category_must_be_a_code(review: WiredReview) -> None:  # R-REV-11
    store = await a_store_applied_for(review, an_application(), approved=True)
    with pytest.raises(Invalid) as refused:
        await review.services.products.submit(THE_MERCHANT, a_listing(store, category="Home"))
    assert [(issue.field, issue.problem) for issue in refused.value.issues] == [
        ("category", f"not a category code; use one of: {CODES}")
    ]
    assert await stored(review, PRODUCTS) == 0


async def test_a_deployments_own_list_is_the_one_checked() -> None:  # R-REV-11
    categories = CategoryList.of({"tea": 7, "home": 15})
    ports = FakePorts("review", clock=FixedClock(T0), categories=categories)
    review: WiredReview = await Wired.up(bootstrap, ports)
    await invite(review)
    with pytest.raises(Invalid, match="categories") as refused:
        await apply(review, an_application(categories=["clothing"]))
    assert refused.value.issues[0].problem == "not a category code; use one of: home, tea"
    store = await a_store_applied_for(review, an_application(categories=["tea"]))
    assert store.status == "under_review"
