"""Review's invitation and store-application use cases (R-REV-1, R-REV-4, R-REV-6) through
its `bootstrap`, on the ports in memory: what is stored, what is refused, who sees what.

The stage decisions and the support thread are in test_store_review_use_cases.py.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from review.adapters.queries import STORES
from review.domain.errors import Conflict, NotAllowed
from review.domain.model import Invitation, Store
from shared.auth import Principal
from shared.contract import events
from shared.errors import NotFound
from shared.policy import Policy
from testkit.factories import AN_OPERATOR, ANOTHER_MERCHANT, MERCHANT, T0, THE_BUYER, THE_MERCHANT
from testkit.review_unit import (
    WiredReview,
    a_review_service,
    a_store_applied_for,
    an_application,
    apply,
    decide_stage,
    invite,
)


async def invitations_of(review: WiredReview, merchant: str = MERCHANT) -> list[Invitation]:
    return await review.services.queries.invitations_of(merchant)


async def stored_store_ids(review: WiredReview) -> list[str]:
    return [document["_id"] for document in await review.ports.collection(STORES).find().to_list()]


async def an_invited_store(review: WiredReview, **changes: Any) -> Store:
    return await a_store_applied_for(review, an_application(**changes))


class Crash(Exception):
    """The process dies between marking the invitation used and storing the store."""


async def an_interrupted_application(review: WiredReview, monkeypatch: pytest.MonkeyPatch) -> str:
    """Invites the merchant, whose application dies after using the invitation; the id of
    the store the invitation now names, which was never stored."""
    await invite(review)

    async def crash(*_args: object, **_kwargs: object) -> None:
        raise Crash

    with monkeypatch.context() as patched:
        patched.setattr(review.services.stores.stores, "add", crash)
        with pytest.raises(Crash):
            await apply(review, an_application())
    [interrupted] = await invitations_of(review)
    assert interrupted.used_by_store_id is not None
    assert await stored_store_ids(review) == []
    return interrupted.used_by_store_id


async def test_review_consumes_only_the_warnings_of_stores(review: WiredReview) -> None:
    assert (set(review.wiring.handlers), review.wiring.jobs) == ({events.StoreWarned}, ())


async def test_an_operator_invites_a_merchant(review: WiredReview) -> None:
    """R-REV-1: the invitation names the merchant, the operator and when."""
    invitation = await invite(review)
    assert (invitation.merchant_id, invitation.invited_by, invitation.invited_at) == (
        MERCHANT,
        AN_OPERATOR.sub,
        T0,
    )
    [stored] = await invitations_of(review)
    assert stored.model_dump() == invitation.model_dump()


async def test_full_managed_without_invitation_is_refused_before_any_write(
    review: WiredReview,
) -> None:
    """R-REV-1: another merchant's invitation does not count; nothing is stored or used."""
    await invite(review, merchant=ANOTHER_MERCHANT.sub)
    with pytest.raises(NotAllowed, match="invitation"):
        await apply(review, an_application())
    assert await stored_store_ids(review) == []
    [untouched] = await invitations_of(review, ANOTHER_MERCHANT.sub)
    assert not untouched.is_used
    assert review.ports.published == []


async def test_an_invitation_opens_a_full_managed_store_under_review(review: WiredReview) -> None:
    """R-REV-1, R-REV-2: the store is stored under review and the invitation names it."""
    store = await an_invited_store(review)
    assert (store.merchant_id, store.status, store.submitted_at) == (MERCHANT, "under_review", T0)
    assert store.current_stage == "background"
    [used] = await invitations_of(review)
    assert (used.used_by_store_id, used.used_at) == (store.id, T0)
    assert await review.services.stores.get_visible(store.id, THE_MERCHANT) == store
    assert review.ports.published == []


async def test_an_incomplete_application_is_stored_as_needs_info(review: WiredReview) -> None:
    """R-REV-4: returned with every issue at once, not refused."""
    store = await an_invited_store(review, contract_signed=False, contact_email="nobody")
    assert store.status == "needs_info"
    assert [issue.field for issue in store.issues] == ["contact_email", "contract_signed"]
    stored = await review.services.stores.get_visible(store.id, THE_MERCHANT)
    assert (stored.status, stored.issues) == ("needs_info", store.issues)


async def test_one_invitation_cannot_open_two_stores(review: WiredReview) -> None:
    """R-REV-1: a second full-managed store needs a second invitation."""
    first = await an_invited_store(review)
    with pytest.raises(NotAllowed, match="invitation"):
        await apply(review, an_application(name="Second Lantern"))
    second_invitation = await invite(review)
    second = await apply(review, an_application(name="Second Lantern"))
    invitations = await invitations_of(review)
    assert [each.used_by_store_id for each in invitations] == [first.id, second.id]
    assert invitations[1].id == second_invitation.id
    assert await stored_store_ids(review) == [first.id, second.id]


async def test_semi_managed_needs_no_invitation_and_leaves_one_unused(review: WiredReview) -> None:
    """R-REV-1: only full-managed stores open on an invitation."""
    await invite(review)
    store = await apply(review, an_application("semi_managed"))
    assert (store.store_type, store.status) == ("semi_managed", "under_review")
    [invitation] = await invitations_of(review)
    assert not invitation.is_used


async def test_semi_managed_handling_days_follow_the_policy_in_force() -> None:
    """R-LOG-2, R-REV-10: handling days off the policy's options return the application."""
    policy = Policy(semi_handling_days_options=(3,))
    review = await a_review_service(policy=policy)
    store = await apply(review, an_application("semi_managed", handling_days=2))
    assert store.status == "needs_info"
    [issue] = store.issues
    assert (issue.field, "3 working days" in issue.problem) == ("handling_days", True)
    assert store.submission_policy == policy.snapshot()


async def test_an_interrupted_application_completes_with_its_invitation(
    review: WiredReview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R-REV-1: the invitation is not lost; the next application opens the store it names."""
    named = await an_interrupted_application(review, monkeypatch)
    store = await apply(review, an_application())
    assert (store.id, store.status) == (named, "under_review")
    [invitation] = await invitations_of(review)
    assert invitation.used_by_store_id == store.id
    assert await stored_store_ids(review) == [named]


async def test_two_requests_completing_one_interrupted_application_open_one_store(
    review: WiredReview, monkeypatch: pytest.MonkeyPatch
) -> None:
    """R-REV-1: both read the interrupted invitation; the one storing second is refused."""
    named = await an_interrupted_application(review, monkeypatch)
    repository = review.services.stores.stores
    add, arrived, both = repository.add, list[str](), asyncio.Event()

    async def add_once_both_arrive(store: Store, **kwargs: Any) -> None:
        arrived.append(store.id)
        if len(arrived) == 2:
            both.set()
        await asyncio.wait_for(both.wait(), timeout=1)
        await add(store, **kwargs)

    monkeypatch.setattr(repository, "add", add_once_both_arrive)
    outcomes = await asyncio.gather(
        apply(review, an_application()), apply(review, an_application()), return_exceptions=True
    )
    [opened] = [each for each in outcomes if isinstance(each, Store)]
    [refused] = [each for each in outcomes if isinstance(each, Conflict)]
    assert opened.id == named
    assert "new invitation" in refused.message
    assert await stored_store_ids(review) == [named]


@pytest.mark.parametrize("viewer", [THE_MERCHANT, AN_OPERATOR], ids=["owner", "operator"])
async def test_the_owner_and_operators_see_a_store(review: WiredReview, viewer: Principal) -> None:
    """R-REV-6: the merchant checks its application at any time; operators see all."""
    store = await an_invited_store(review)
    assert await review.services.stores.get_visible(store.id, viewer) == store


@pytest.mark.parametrize("viewer", [ANOTHER_MERCHANT, THE_BUYER], ids=["merchant", "buyer"])
async def test_anyone_else_finds_no_store(review: WiredReview, viewer: Principal) -> None:
    store = await an_invited_store(review)
    with pytest.raises(NotFound):
        await review.services.stores.get_visible(store.id, viewer)
    with pytest.raises(NotFound):
        await review.services.stores.get_visible("no-such-store", AN_OPERATOR)


async def test_resubmission_after_needs_info_goes_under_review(review: WiredReview) -> None:
    """R-REV-6: the corrected application is checked again; the returned one is kept."""
    returned = await an_invited_store(review, contract_signed=False)
    review.clock.advance(timedelta(days=1))
    store = await review.services.stores.resubmit(returned.id, THE_MERCHANT, an_application())
    assert (store.status, store.issues) == ("under_review", [])
    assert store.submitted_at == T0 + timedelta(days=1)
    stored = await review.services.stores.get_visible(store.id, AN_OPERATOR)
    assert [(each.outcome, each.submitted_at) for each in stored.history] == [("needs_info", T0)]


async def test_resubmission_after_rejection_starts_the_stages_again(review: WiredReview) -> None:
    """R-REV-6: after a rejection the merchant resubmits; the reason stays in the history."""
    store = await an_invited_store(review)
    await decide_stage(review, store, "background", "reject", "licence expired")
    store = await review.services.stores.resubmit(store.id, THE_MERCHANT, an_application())
    assert (store.status, store.rejected_reason, store.current_stage) == (
        "under_review",
        None,
        "background",
    )
    assert [each.rejected_reason for each in store.history] == ["licence expired"]


async def test_resubmission_is_refused_under_review_and_to_anyone_but_the_owner(
    review: WiredReview,
) -> None:
    """R-REV-6: only the owner resubmits, and only a returned or rejected application."""
    store = await an_invited_store(review)
    with pytest.raises(Conflict, match="under_review"):
        await review.services.stores.resubmit(store.id, THE_MERCHANT, an_application())
    for stranger in (ANOTHER_MERCHANT, AN_OPERATOR):
        with pytest.raises(NotFound):
            await review.services.stores.resubmit(store.id, stranger, an_application())
    stored = await review.services.stores.get_visible(store.id, THE_MERCHANT)
    assert (stored.status, stored.history) == ("under_review", [])
