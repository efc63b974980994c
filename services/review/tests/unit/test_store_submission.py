"""R-REV-4, R-REV-6, R-REV-10: applying, being returned for information, resubmitting."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from review.domain.errors import Conflict, Invalid
from review.domain.store_parts import STAGES
from shared.policy import Policy
from testkit.review_unit import a_store, an_application, an_approved_store


def test_complete_application_goes_under_review(now: datetime) -> None:  # R-REV-2
    store = a_store()
    assert store.status == "under_review"
    assert store.issues == []
    assert store.submitted_at == now
    assert [(review.stage, review.status) for review in store.stages] == [
        (stage, "pending") for stage in STAGES
    ]
    assert store.current_stage == "background"
    assert store.pull_events() == []


def test_incomplete_application_is_returned_with_issues() -> None:  # R-REV-4
    store = a_store(contract_signed=False)
    assert store.status == "needs_info"
    assert [issue.field for issue in store.issues] == ["contract_signed"]
    assert store.current_stage is None


def test_submission_keeps_the_policy_it_was_checked_under(policy: Policy) -> None:  # R-REV-10
    store = a_store()
    assert store.submission_policy == policy.snapshot()


def test_resubmission_after_needs_info_goes_under_review(
    policy: Policy, now: datetime
) -> None:  # R-REV-6
    store = a_store(contract_signed=False)
    later = now + timedelta(days=1)
    store.resubmit(an_application(), policy, later)
    assert store.status == "under_review"
    assert store.issues == []
    assert store.submitted_at == later
    assert store.application.contract_signed
    [past] = store.history
    assert past.outcome == "needs_info"
    assert [issue.field for issue in past.issues] == ["contract_signed"]
    assert (past.submitted_at, past.superseded_at) == (now, later)


def test_resubmission_after_rejection_resets_stages_and_keeps_history(
    policy: Policy, now: datetime
) -> None:  # R-REV-6
    store = a_store()
    store.decide("background", "approve", None, "operator-1", policy, now)
    store.decide("financial", "reject", "unpaid taxes", "operator-1", policy, now)
    store.resubmit(an_application(name="Blue Lantern Home II"), policy, now)
    assert store.status == "under_review"
    assert store.rejected_reason is None
    assert all(review.status == "pending" for review in store.stages)
    [past] = store.history
    assert (past.outcome, past.rejected_reason) == ("rejected", "unpaid taxes")
    assert [review.status for review in past.stages] == ["approved", "rejected", "pending"]
    assert past.application.name == "Blue Lantern Home"


def test_resubmission_can_be_returned_again(
    policy: Policy, now: datetime
) -> None:  # R-REV-4, R-REV-6
    store = a_store(contract_signed=False)
    store.resubmit(an_application(contact_email="nope"), policy, now)
    store.resubmit(an_application(), policy, now)
    assert store.status == "under_review"
    assert [past.outcome for past in store.history] == ["needs_info", "needs_info"]


@pytest.mark.parametrize("status", ["under_review", "approved"])
def test_resubmission_only_after_needs_info_or_rejection(
    policy: Policy,
    now: datetime,
    status: str,
) -> None:  # R-REV-6
    store = an_approved_store() if status == "approved" else a_store()
    with pytest.raises(Conflict, match=status):
        store.resubmit(an_application(), policy, now)
    assert store.history == []


def test_resubmission_cannot_change_the_store_type(
    policy: Policy, now: datetime
) -> None:  # R-REV-1: switching type would bypass the invitation
    store = a_store("semi_managed", contract_signed=False)
    with pytest.raises(Invalid, match="new store") as refused:
        store.resubmit(an_application("full_managed"), policy, now)
    assert [issue.field for issue in refused.value.issues] == ["store_type"]
    assert store.status == "needs_info"
