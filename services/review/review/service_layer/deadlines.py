"""When a review is overdue (R-REV-5), on the reviewers' calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta, tzinfo
from zoneinfo import ZoneInfo

from review.domain.model import Product, Store
from review.domain.overdue import WorkingDaysBetween
from shared.clock import Clock
from shared.policy import Policy

#: R-REV-5 (decided): the platform's reviewers work in China, so review days are China's
#: working days (make-up workdays included), counted on Beijing dates.
REVIEW_CALENDAR_COUNTRY = "CN"
REVIEWERS_TIMEZONE: tzinfo = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class ReviewDeadline:
    working_days_between: WorkingDaysBetween
    policy: Policy
    clock: Clock
    timezone: tzinfo = REVIEWERS_TIMEZONE

    def overdue(self, item: Store | Product) -> bool:
        """R-REV-5: under review longer than the policy's working days. Raises
        `CalendarYearUnknown` when the calendar of the year is not published yet."""
        return item.is_overdue(
            self.clock.now(), self.working_days_between, self.policy, timezone=self.timezone
        )

    def ensure_calendar(self) -> None:
        """Raises `CalendarYearUnknown` (503) unless today's working days can be counted, so
        a command that answers with `overdue` refuses before it changes anything."""
        today = self.clock.now().astimezone(self.timezone).date()
        self.working_days_between(today - timedelta(days=1), today)
