"""R-REV-5, R-REV-7: overdue applications and the support thread."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from review.domain.errors import Invalid, NotAllowed
from shared.policy import Policy
from testkit.review_unit import WorkingDays, a_store, an_approved_store


def test_merchant_and_operator_write_on_the_thread(now: datetime) -> None:  # R-REV-7
    store = a_store()
    store.post_message("merchant", store.merchant_id, " when will I hear back? ", now)
    later = now + timedelta(hours=1)
    store.post_message("operator", "operator-1", "by Thursday", later)
    assert [(m.author_role, m.author_id, m.body, m.at) for m in store.messages] == [
        ("merchant", store.merchant_id, "when will I hear back?", now),
        ("operator", "operator-1", "by Thursday", later),
    ]


def test_thread_stays_open_after_a_decision(
    policy: Policy, now: datetime
) -> None:  # R-REV-6, R-REV-7: the merchant asks about a rejection
    store = a_store()
    store.decide("background", "reject", "address does not match", "operator-1", policy, now)
    store.post_message("merchant", store.merchant_id, "which address?", now)
    assert len(store.messages) == 1


@pytest.mark.parametrize(("role", "author"), [("buyer", "buyer-1"), ("merchant", "someone-else")])
def test_others_cannot_write_on_the_thread(
    now: datetime, role: str, author: str
) -> None:  # R-REV-7
    store = a_store()
    with pytest.raises(NotAllowed):
        store.post_message(role, author, "hello", now)  # type: ignore[arg-type]
    assert store.messages == []


def test_empty_message_is_invalid(now: datetime) -> None:  # R-REV-7
    store = a_store()
    with pytest.raises(Invalid, match="empty"):
        store.post_message("operator", "operator-1", "  ", now)


def test_overdue_after_policy_working_days(
    now: datetime, working_days: WorkingDays
) -> None:  # R-REV-5
    policy = Policy(review_overdue_working_days=3)
    store = a_store()  # submitted on a Monday
    last_day_in_time = now + timedelta(days=3)  # Thursday: Tue, Wed, Thu have passed
    assert not store.is_overdue(last_day_in_time, working_days, policy)
    assert store.is_overdue(last_day_in_time + timedelta(days=1), working_days, policy)


def test_weekends_do_not_count_towards_overdue(
    now: datetime, working_days: WorkingDays
) -> None:  # R-REV-5
    policy = Policy(review_overdue_working_days=3)
    store = a_store()
    store.submitted_at = now + timedelta(days=4)  # Friday
    next_wednesday = now + timedelta(days=9)
    assert not store.is_overdue(next_wednesday, working_days, policy)
    assert store.is_overdue(next_wednesday + timedelta(days=1), working_days, policy)


def test_overdue_threshold_follows_the_policy(
    now: datetime, working_days: WorkingDays
) -> None:  # R-REV-5, R-POL-1
    store = a_store()
    tuesday = now + timedelta(days=1)
    assert store.is_overdue(
        tuesday + timedelta(days=1), working_days, Policy(review_overdue_working_days=1)
    )
    assert not store.is_overdue(
        tuesday + timedelta(days=1), working_days, Policy(review_overdue_working_days=2)
    )


def test_overdue_counts_dates_in_the_given_timezone(
    now: datetime, working_days: WorkingDays
) -> None:  # R-REV-5: the reviewers' calendar decides what day it is
    policy = Policy(review_overdue_working_days=1)
    store = a_store()
    store.submitted_at = now.replace(hour=20)  # Monday in UTC, already Tuesday in Shanghai
    wednesday_morning = now + timedelta(days=2, hours=-8)
    assert store.is_overdue(wednesday_morning, working_days, policy)
    shanghai = ZoneInfo("Asia/Shanghai")
    assert not store.is_overdue(wednesday_morning, working_days, policy, timezone=shanghai)


def test_only_applications_under_review_are_overdue(
    policy: Policy, now: datetime, working_days: WorkingDays
) -> None:  # R-REV-5
    much_later = now + timedelta(days=60)
    returned = a_store(contract_signed=False)
    assert not returned.is_overdue(much_later, working_days, policy)
    approved = an_approved_store()
    assert not approved.is_overdue(much_later, working_days, policy)
