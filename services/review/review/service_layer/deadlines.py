"""When a review is overdue (R-REV-5), on the reviewers' calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo

from review.domain.model import Product, Store
from review.domain.overdue import review_dates
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
        if item.status != "under_review":
            return Overdue(overdue=False, calendar=None)
        now = self.clock.now()
        calendar = self.calendars.of(self.country)
        overdue = item.is_overdue(
            now, calendar.working_days_between, self.policy, timezone=self.timezone
        )
        start, end = review_dates(item.submitted_at, now, self.timezone)
        return Overdue(overdue, self.calendars.basis_between(self.country, start, end))
