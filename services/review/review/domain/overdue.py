"""When a review is overdue (R-REV-5), for the operator's queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, tzinfo
from typing import Literal

from review.domain.errors import Conflict, Invalid
from review.domain.issues import Issue
from shared.aggregate import Aggregate
from shared.contract.types import UtcDateTime
from shared.policy import Policy

#: Working days after `start` up to and including `end`, like
#: `shared.calendar.WorkingCalendar.working_days_between`.
WorkingDaysBetween = Callable[[date, date], int]


def review_dates(
    under_review_since: datetime, now: datetime, timezone: tzinfo
) -> tuple[date, date]:
    """The dates R-REV-5 counts working days between, in `timezone` (the reviewers')."""
    return under_review_since.astimezone(timezone).date(), now.astimezone(timezone).date()


def is_review_overdue(
    under_review_since: datetime,
    now: datetime,
    working_days_between: WorkingDaysBetween,
    policy: Policy,
    timezone: tzinfo,
) -> bool:
    """R-REV-5: under review longer than the policy's working days, counted on the dates
    in `timezone` (the reviewers' zone, to match their calendar)."""
    start, end = review_dates(under_review_since, now, timezone)
    return working_days_between(start, end) > policy.review_overdue_working_days


#: An operator's decision on a stage of a store's review or on a product.
Decision = Literal["approve", "reject"]


class UnderReview(Aggregate):
    """What stores and products share while they wait for a decision (R-REV-5)."""

    status: str
    submitted_at: UtcDateTime

    def is_overdue(
        self,
        now: datetime,
        working_days_between: WorkingDaysBetween,
        policy: Policy,
        *,
        timezone: tzinfo = UTC,
    ) -> bool:
        """R-REV-5 (and R-REV-9, decided: products use the same threshold): under review
        longer than the policy's working days, since `under_review_since`."""
        since = self.under_review_since
        return since is not None and is_review_overdue(
            since, now, working_days_between, policy, timezone
        )

    @property
    def under_review_since(self) -> datetime | None:
        """Since when it waits for a decision; None when it does not."""
        return self.submitted_at if self.status == "under_review" else None

    def _decidable(self, decision: str, reason: str | None, subject: str) -> str | None:
        """The reason a decision keeps, once it may be taken: only on what is under review
        (R-REV-3, R-REV-9)."""
        if self.status != "under_review":
            raise Conflict(
                f"the {subject} is already {self.status}; only one under review is decided"
            )
        return decision_reason(decision, reason, subject)


def decision_reason(decision: str, reason: str | None, subject: str) -> str | None:
    """The reason a decision keeps: a rejection carries one the merchant can act on
    (R-REV-3, R-REV-6)."""
    reason = (reason or "").strip() or None
    if decision == "reject" and reason is None:
        raise Invalid(
            "a rejection needs a reason the merchant can act on",
            [Issue(field="reason", problem=f"say why the {subject} is rejected")],
        )
    return reason
