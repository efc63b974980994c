"""Review's stage decisions and support thread (R-REV-3, R-REV-7, R-REV-10) through its
`bootstrap`, on the ports in memory: StoreApproved and StoreRejected as published.

The stores here are semi-managed (no invitation needed); applying and resubmitting are in
test_store_use_cases.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from review.bootstrap import ReviewServices, bootstrap
from review.domain.application import StoreApplication
from review.domain.errors import Conflict, Invalid
from review.domain.model import STAGES, Decision, Stage, Store
from review.service_layer.commands import ApplyForStore, DecideStage
from shared.auth import Principal
from shared.clock import FixedClock
from shared.contract.events import StoreApproved, StoreRejected
from shared.errors import NotFound
from shared.policy import Policy
from shared.testing import FakePorts
from testkit.factories import BUYER, MERCHANT, T0, a_store_approved, a_store_rejected

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

    async def apply(self, application: StoreApplication) -> Store:
        return await self.services.stores.apply(ApplyForStore(MERCHANT, application))

    async def decide(
        self, store: Store, stage: Stage, decision: Decision = "approve", reason: str = ""
    ) -> Store:
        command = DecideStage(store.id, OPERATOR.sub, stage, decision, reason or None)
        return await self.services.stores.decide(command)

    async def stored(self, store: Store) -> Store:
        return await self.services.stores.get_visible(store.id, OPERATOR)


async def a_review(policy: Policy | None = None) -> Review:
    clock = FixedClock(T0)
    ports = FakePorts("review", clock=clock, policy=policy)
    wiring = await bootstrap(ports)
    return Review(ports, clock, wiring.services)


@pytest.fixture
async def review() -> Review:
    return await a_review()


@pytest.fixture
async def store(review: Review, make_application: MakeApplication) -> Store:
    """A complete semi-managed application, under review since T0."""
    return await review.apply(make_application("semi_managed"))


async def test_approving_the_three_stages_publishes_store_approved(
    review: Review, store: Store
) -> None:
    """R-REV-3: approved once all three stages pass; the event carries what logistics needs."""
    for stage in STAGES:
        assert review.ports.published_of(StoreApproved) == []
        assert store.current_stage == stage
        review.clock.advance(timedelta(hours=1))
        store = await review.decide(store, stage)
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
    assert (await review.stored(store)).status == "approved"


async def test_stages_may_be_decided_in_any_order(review: Review, store: Store) -> None:
    """R-REV-3 (decided by the team, store_parts.STAGES): any order; approved once all pass."""
    for stage in reversed(STAGES):
        store = await review.decide(store, stage)
    assert store.status == "approved"
    assert [event.store_id for event in review.ports.published_of(StoreApproved)] == [store.id]


async def test_a_rejected_stage_publishes_store_rejected_with_its_reason(
    review: Review, store: Store
) -> None:
    """R-REV-3: one rejected stage rejects the application, with the reason it states."""
    await review.decide(store, "background")
    store = await review.decide(store, "financial", "reject", " bank statement unreadable ")
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


async def test_a_rejected_application_takes_no_more_decisions(review: Review, store: Store) -> None:
    """R-REV-3: after a rejection the remaining stages are refused; nothing more published."""
    await review.decide(store, "background", "reject", "licence expired")
    with pytest.raises(Conflict, match="rejected"):
        await review.decide(store, "financial")
    assert (await review.stored(store)).stages[1].status == "pending"
    assert [envelope.event_type for envelope in review.ports.published] == ["StoreRejected"]


async def test_a_stage_is_decided_once(review: Review, store: Store) -> None:
    """R-REV-3: deciding a decided stage again is refused and changes nothing."""
    await review.decide(store, "background")
    with pytest.raises(Conflict, match="already approved"):
        await review.decide(store, "background", "reject", "second thoughts")
    stored = await review.stored(store)
    assert (stored.status, stored.stages[0].status) == ("under_review", "approved")
    assert review.ports.published == []


async def test_a_rejection_without_reason_changes_nothing(review: Review, store: Store) -> None:
    """R-REV-3: a rejection states its reason."""
    with pytest.raises(Invalid, match="reason"):
        await review.decide(store, "background", "reject", "   ")
    assert (await review.stored(store)).stages[0].status == "pending"
    assert review.ports.published == []


async def test_an_application_returned_for_information_is_not_decided(
    review: Review, make_application: MakeApplication
) -> None:
    """R-REV-4: `needs_info` waits for the merchant, not for a reviewer."""
    returned = await review.apply(make_application("semi_managed", contract_signed=False))
    with pytest.raises(Conflict, match="needs_info"):
        await review.decide(returned, "background")
    assert review.ports.published == []


async def test_deciding_an_unknown_store_is_not_found(review: Review) -> None:
    command = DecideStage("no-such-store", OPERATOR.sub, "background", "approve", None)
    with pytest.raises(NotFound):
        await review.services.stores.decide(command)


async def test_a_decision_keeps_the_policy_in_force(make_application: MakeApplication) -> None:
    """R-REV-10: a stage decision records who decided, when, under which policy values."""
    policy = Policy(review_overdue_working_days=5)
    review = await a_review(policy)
    store = await review.apply(make_application("semi_managed"))
    review.clock.advance(timedelta(minutes=30))
    await review.decide(store, "background")
    decided = (await review.stored(store)).stages[0]
    assert (decided.decided_by, decided.decided_at, decided.policy) == (
        OPERATOR.sub,
        T0 + timedelta(minutes=30),
        policy.snapshot(),
    )


async def test_the_owner_and_operators_write_on_the_thread(review: Review, store: Store) -> None:
    """R-REV-7: one thread per application, the owner's and the operators' messages in turn."""
    await review.services.stores.post_message(store.id, OWNER, "  any news?  ")
    review.clock.advance(timedelta(minutes=5))
    reply = await review.services.stores.post_message(store.id, OPERATOR, "tomorrow")
    assert (reply.author_role, reply.author_id, reply.at) == (
        "operator",
        OPERATOR.sub,
        T0 + timedelta(minutes=5),
    )
    stored = await review.services.stores.get_visible(store.id, OWNER)
    assert [(each.author_role, each.body) for each in stored.messages] == [
        ("merchant", "any news?"),
        ("operator", "tomorrow"),
    ]


@pytest.mark.parametrize("stranger", [ANOTHER_MERCHANT, A_BUYER], ids=["merchant", "buyer"])
async def test_nobody_else_finds_the_thread(
    review: Review, store: Store, stranger: Principal
) -> None:
    """R-REV-7: another party's application is absent to them (404)."""
    with pytest.raises(NotFound):
        await review.services.stores.post_message(store.id, stranger, "hello")
    assert (await review.stored(store)).messages == []


async def test_an_empty_message_is_refused(review: Review, store: Store) -> None:
    """R-REV-7: a message says something."""
    with pytest.raises(Invalid, match="empty"):
        await review.services.stores.post_message(store.id, OWNER, "   ")
    assert (await review.stored(store)).messages == []
