"""When a review is overdue (R-REV-5), on the reviewers' calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from review.domain.model import Product, Store
from review.domain.overdue import is_review_overdue, review_dates
from shared.calendar import CalendarBasis, Calendars
from shared.clock import Clock
from shared.policy import Policy

#: R-REV-5 (decided): the platform's reviewers work in China, so review days are China's
#: working days (make-up workdays included), counted on Beijing dates.
REVIEW_CALENDAR_COUNTRY = "CN"
REVIEWERS_TIMEZONE: tzinfo = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Overdue:
    """An item's overdue flag and the calendar years it was counted on (R-CAL-2); no
    calendar when none was consulted (the item is not under review)."""

    overdue: bool
    calendar: CalendarBasis | None


@dataclass(frozen=True)
class ReviewDeadline:
    calendars: Calendars
    policy: Policy
    clock: Clock
    country: str = REVIEW_CALENDAR_COUNTRY
    timezone: tzinfo = REVIEWERS_TIMEZONE

    def overdue(self, item: Store | Product) -> Overdue:
        """R-REV-5: under review longer than the policy's working days. Never refused: a
        year no calendar publishes is counted provisionally and the answer says so."""
        return self.since(item.under_review_since)

    def since(self, under_review_since: datetime | None) -> Overdue:
        """R-REV-5 for anything under review since then (a store, a product, a change
        request or a price change); None: not under review, so not overdue."""
        if under_review_since is None:
            return Overdue(overdue=False, calendar=None)
        now = self.clock.now()
        calendar = self.calendars.of(self.country)
        overdue = is_review_overdue(
            under_review_since, now, calendar.working_days_between, self.policy, self.timezone
        )
        start, end = review_dates(under_review_since, now, self.timezone)
        return Overdue(overdue, self.calendars.basis_between(self.country, start, end))
