"""When a review is overdue (R-REV-5), for the operator's queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo

from shared.policy import Policy

#: Working days after `start` up to and including `end`, like
#: `shared.calendar.WorkingCalendar.for_country("CN").working_days_between`.
WorkingDaysBetween = Callable[[date, date], int]


def is_review_overdue(
    under_review_since: datetime,
    now: datetime,
    working_days_between: WorkingDaysBetween,
    policy: Policy,
    timezone: tzinfo,
) -> bool:
    """R-REV-5: under review longer than the policy's working days, counted on the dates
    in `timezone` (the reviewers' zone, to match their calendar)."""
    start = under_review_since.astimezone(timezone).date()
    end = now.astimezone(timezone).date()
    return working_days_between(start, end) > policy.review_overdue_working_days
