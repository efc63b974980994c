"""A store keeps the warnings of its scorecard (R-SC-1), from orders' `StoreWarned`, once per
period and measure, and shows them to its merchant and to operators."""

from __future__ import annotations

import pytest

from shared.errors import Implausible, NotYetKnown
from testkit.factories import MERCHANT, THE_MERCHANT, a_store_warned
from testkit.review_unit import a_review_service, a_store_applied_for, an_application, as_stored


async def test_a_store_keeps_each_warning_once() -> None:  # R-SC-1
    review = await a_review_service()
    store = await a_store_applied_for(review, an_application(), approved=True)
    warned = a_store_warned(store_id=store.id)
    envelope = await review.deliver(warned)
    await review.deliver(warned, envelope=envelope)  # a redelivery
    await review.deliver(a_store_warned(store_id=store.id))  # the same warning, sent again
    await review.deliver(a_store_warned(store_id=store.id, measure="refund_rate", bound="at_most"))
    kept = await review.services.stores.get_visible(store.id, THE_MERCHANT)
    assert [(w.measure, w.period, w.value) for w in kept.warnings] == [
        ("confirmation_on_time", "2026-12", 0.5),
        ("refund_rate", "2026-12", 0.5),
    ]
    assert (await as_stored(review, store)).warnings == kept.warnings


async def test_a_warning_for_an_unknown_store_fails_to_be_retried() -> None:
    review = await a_review_service()
    with pytest.raises(NotYetKnown, match="unknown store store-404"):
        await review.deliver(a_store_warned(store_id="store-404"))


@pytest.mark.parametrize(
    ("approved", "merchant"),
    [(True, "merchant-2"), (False, MERCHANT)],
    ids=["another merchant's", "not approved"],
)
async def test_a_warning_naming_another_merchant_or_of_a_store_not_approved_is_refused(
    approved: bool, merchant: str
) -> None:  # R-SC-1
    """Orders scores only the stores review approved, each its merchant's."""
    review = await a_review_service()
    store = await a_store_applied_for(review, an_application(), approved=approved)
    with pytest.raises(Implausible, match="orders scores approved stores"):
        await review.deliver(a_store_warned(store_id=store.id, merchant_id=merchant))
    assert (await as_stored(review, store)).warnings == []
