"""Review's stage decisions and support thread (R-REV-3, R-REV-7, R-REV-10) through its
`bootstrap`, on the ports in memory: StoreApproved and StoreRejected as published.

The stores here are semi-managed (no invitation needed); applying and resubmitting are in
test_store_use_cases.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from review.domain.errors import Conflict, Invalid
from review.domain.model import STAGES, Store
from review.service_layer.commands import DecideStage
from shared.auth import Principal
from shared.contract.events import StoreApproved, StoreRejected
from shared.errors import NotFound
from shared.policy import Policy
from testkit.factories import (
    AN_OPERATOR,
    ANOTHER_MERCHANT,
    T0,
    THE_BUYER,
    THE_MERCHANT,
    a_store_approved,
    a_store_rejected,
)
from testkit.review_unit import (
    WiredReview,
    a_review_service,
    an_application,
    apply,
    as_stored,
    decide_stage,
)


@pytest.fixture
async def store(review: WiredReview) -> Store:
    """A complete semi-managed application, under review since T0."""
    return await apply(review, an_application("semi_managed"))


async def test_approving_the_three_stages_publishes_store_approved(
    review: WiredReview, store: Store
) -> None:
    """R-REV-3: approved once all three stages pass; the event carries what logistics needs."""
    for stage in STAGES:
        assert review.ports.published_of(StoreApproved) == []
        assert store.current_stage == stage
        review.clock.advance(timedelta(hours=1))
        store = await decide_stage(review, store, stage)
    assert (store.status, store.approved_at) == ("approved", T0 + timedelta(hours=3))
    assert review.ports.published_of(StoreApproved) == [
        a_store_approved(
            store_id=store.id,
            store_type="semi_managed",
            store_name="Blue Lantern Home",
            handling_days=2,
            warehouse=store.application.warehouse,
            at=T0 + timedelta(hours=3),
        )
    ]
    assert (await as_stored(review, store)).status == "approved"


async def test_stages_may_be_decided_in_any_order(review: WiredReview, store: Store) -> None:
    """R-REV-3 (decided by the team, store_parts.STAGES): any order; approved once all pass."""
    for stage in reversed(STAGES):
        store = await decide_stage(review, store, stage)
    assert store.status == "approved"
    assert [event.store_id for event in review.ports.published_of(StoreApproved)] == [store.id]


async def test_a_rejected_stage_publishes_store_rejected_with_its_reason(
    review: WiredReview, store: Store
) -> None:
    """R-REV-3: one rejected stage rejects the application, with the reason it states."""
    await decide_stage(review, store, "background")
    store = await decide_stage(review, store, "financial", "reject", " bank statement unreadable ")
    assert (store.status, store.rejected_reason) == ("rejected", "bank statement unreadable")
    assert review.ports.published_of(StoreRejected) == [
        a_store_rejected(
            store_id=store.id,
            store_type="semi_managed",
            stage="financial",
            reason="bank statement unreadable",
            at=T0,
        )
    ]


async def test_a_rejected_application_takes_no_more_decisions(
    review: WiredReview, store: Store
) -> None:
    """R-REV-3: after a rejection the remaining stages are refused; nothing more published."""
    await decide_stage(review, store, "background", "reject", "licence expired")
    with pytest.raises(Conflict, match="rejected"):
        await decide_stage(review, store, "financial")
    assert (await as_stored(review, store)).stages[1].status == "pending"
    assert [envelope.event_type for envelope in review.ports.published] == ["StoreRejected"]


async def test_a_stage_is_decided_once(review: WiredReview, store: Store) -> None:
    """R-REV-3: deciding a decided stage again is refused and changes nothing."""
    await decide_stage(review, store, "background")
    with pytest.raises(Conflict, match="already approved"):
        await decide_stage(review, store, "background", "reject", "second thoughts")
    stored = await as_stored(review, store)
    assert (stored.status, stored.stages[0].status) == ("under_review", "approved")
    assert review.ports.published == []


async def test_a_rejection_without_reason_changes_nothing(
    review: WiredReview, store: Store
) -> None:
    """R-REV-3: a rejection states its reason."""
    with pytest.raises(Invalid, match="reason"):
        await decide_stage(review, store, "background", "reject", "   ")
    assert (await as_stored(review, store)).stages[0].status == "pending"
    assert review.ports.published == []


async def test_an_application_returned_for_information_is_not_decided(review: WiredReview) -> None:
    """R-REV-4: `needs_info` waits for the merchant, not for a reviewer."""
    returned = await apply(review, an_application("semi_managed", contract_signed=False))
    with pytest.raises(Conflict, match="needs_info"):
        await decide_stage(review, returned, "background")
    assert review.ports.published == []


async def test_deciding_an_unknown_store_is_not_found(review: WiredReview) -> None:
    command = DecideStage("no-such-store", AN_OPERATOR.sub, "background", "approve", None)
    with pytest.raises(NotFound):
        await review.services.stores.decide(command)


async def test_a_decision_keeps_the_policy_in_force() -> None:
    """R-REV-10: a stage decision records who decided, when, under which policy values."""
    policy = Policy(review_overdue_working_days=5)
    review = await a_review_service(policy=policy)
    store = await apply(review, an_application("semi_managed"))
    review.clock.advance(timedelta(minutes=30))
    await decide_stage(review, store, "background")
    decided = (await as_stored(review, store)).stages[0]
    assert (decided.decided_by, decided.decided_at, decided.policy) == (
        AN_OPERATOR.sub,
        T0 + timedelta(minutes=30),
        policy.snapshot(),
    )


async def test_the_owner_and_operators_write_on_the_thread(
    review: WiredReview, store: Store
) -> None:
    """R-REV-7: one thread per application, the owner's and the operators' messages in turn."""
    await review.services.stores.post_message(store.id, THE_MERCHANT, "  any news?  ")
    review.clock.advance(timedelta(minutes=5))
    reply = await review.services.stores.post_message(store.id, AN_OPERATOR, "tomorrow")
    assert (reply.author_role, reply.author_id, reply.at) == (
        "operator",
        AN_OPERATOR.sub,
        T0 + timedelta(minutes=5),
    )
    stored = await review.services.stores.get_visible(store.id, THE_MERCHANT)
    assert [(each.author_role, each.body) for each in stored.messages] == [
        ("merchant", "any news?"),
        ("operator", "tomorrow"),
    ]


@pytest.mark.parametrize("stranger", [ANOTHER_MERCHANT, THE_BUYER], ids=["merchant", "buyer"])
async def test_nobody_else_finds_the_thread(
    review: WiredReview, store: Store, stranger: Principal
) -> None:
    """R-REV-7: another party's application is absent to them (404)."""
    with pytest.raises(NotFound):
        await review.services.stores.post_message(store.id, stranger, "hello")
    assert (await as_stored(review, store)).messages == []


async def test_an_empty_message_is_refused(review: WiredReview, store: Store) -> None:
    """R-REV-7: a message says something."""
    with pytest.raises(Invalid, match="empty"):
        await review.services.stores.post_message(store.id, THE_MERCHANT, "   ")
    assert (await as_stored(review, store)).messages == []
