"""R-REV-3, R-REV-10: the three review stages and their decisions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from review.domain.errors import Conflict, Invalid
from review.domain.store import Store
from review.domain.store_parts import STAGES
from shared.policy import Policy
from testkit.factories import a_store_approved, a_store_rejected
from testkit.review_unit import a_store


def test_store_is_approved_when_all_three_stages_pass(
    policy: Policy, now: datetime
) -> None:  # R-REV-3
    store = a_store("semi_managed")
    later = now + timedelta(hours=5)
    for stage in STAGES:
        assert store.status == "under_review"
        store.decide(stage, "approve", None, "operator-2", policy, later)
    assert store.status == "approved"
    assert store.approved_at == later
    [event] = store.pull_events()
    assert event == a_store_approved(
        store_id=store.id,
        merchant_id=store.merchant_id,
        store_type="semi_managed",
        store_name="Blue Lantern Home",
        handling_days=2,
        warehouse=store.application.warehouse,
        at=later,
    )


def test_stages_may_be_decided_in_any_order(
    policy: Policy, now: datetime
) -> None:  # R-REV-3 (decided)
    store = a_store()
    current = []
    for stage in ("category", "background"):
        store.decide(stage, "approve", "fine", "operator-1", policy, now)
        current.append(store.current_stage)
    assert current == ["background", "financial"]
    assert store.status == "under_review"
    assert store.pull_events() == []


def test_first_rejection_rejects_the_store_with_its_reason(
    policy: Policy, now: datetime
) -> None:  # R-REV-3, R-REV-6
    store = a_store()
    store.decide("background", "approve", None, "operator-1", policy, now)
    store.decide("financial", "reject", "  bank statement unreadable ", "operator-3", policy, now)
    assert store.status == "rejected"
    assert store.rejected_reason == "bank statement unreadable"
    financial = store.stages[1]
    assert (financial.status, financial.decided_by, financial.decided_at) == (
        "rejected",
        "operator-3",
        now,
    )
    [event] = store.pull_events()
    assert event == a_store_rejected(  # of a full-managed store
        store_id=store.id,
        merchant_id=store.merchant_id,
        stage="financial",
        reason="bank statement unreadable",
        at=now,
    )


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_rejection_needs_reason(
    policy: Policy, now: datetime, reason: str | None
) -> None:  # R-REV-3
    store = a_store()
    with pytest.raises(Invalid, match="reason"):
        store.decide("background", "reject", reason, "operator-1", policy, now)
    assert store.status == "under_review"
    assert store.stages[0].status == "pending"


def test_deciding_a_decided_stage_is_a_conflict(policy: Policy, now: datetime) -> None:  # R-REV-3
    store = a_store()
    store.decide("background", "approve", None, "operator-1", policy, now)
    with pytest.raises(Conflict, match="already approved"):
        store.decide("background", "reject", "changed my mind", "operator-2", policy, now)


def test_only_an_application_under_review_is_decided(
    policy: Policy, now: datetime
) -> None:  # R-REV-3, R-REV-4
    returned = a_store(contract_signed=False)
    with pytest.raises(Conflict, match="needs_info"):
        returned.decide("background", "approve", None, "operator-1", policy, now)
    rejected = a_store()
    rejected.decide("category", "reject", "no licence for food", "operator-1", policy, now)
    with pytest.raises(Conflict, match="rejected"):
        rejected.decide("background", "approve", None, "operator-1", policy, now)


def test_decision_keeps_the_policy_it_was_made_under(now: datetime) -> None:  # R-REV-10
    store = a_store()
    before = Policy(review_overdue_working_days=3)
    after = Policy(review_overdue_working_days=5)
    store.decide("background", "approve", None, "operator-1", before, now)
    store.decide("financial", "approve", None, "operator-1", after, now)
    assert store.stages[0].policy == before.snapshot()
    assert store.stages[1].policy == after.snapshot()
    assert store.stages[2].policy is None


def test_store_survives_a_round_trip_through_its_document(
    policy: Policy, now: datetime
) -> None:  # R-REV-6: progress is queried later from what was stored
    store = a_store("semi_managed")
    store.decide("background", "approve", None, "operator-1", policy, now)
    store.post_message("merchant", store.merchant_id, "any news?", now)
    assert Store.from_document(store.to_document()) == store


def test_unknown_stage_is_invalid(
    policy: Policy, now: datetime
) -> None:  # R-REV-3: only the three stages exist
    store = a_store()
    with pytest.raises(Invalid, match="background, financial, category"):
        store.decide("marketing", "approve", None, "operator-1", policy, now)  # type: ignore[arg-type]
