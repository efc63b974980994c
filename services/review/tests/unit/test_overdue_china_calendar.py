"""R-REV-5 on the platform's real calendar: mainland China, with its public holidays and
make-up workdays, from the maintained `holidays` library (no hand-written list); a year
the library does not publish is counted provisionally (R-CAL-2)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from review.domain.overdue import is_review_overdue
from shared.calendar import Calendars
from shared.policy import Policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHINA = Calendars().of("CN")
POLICY = Policy()  # overdue after 3 working days


def overdue(since: datetime, now: datetime) -> bool:
    return is_review_overdue(since, now, CHINA.working_days_between, POLICY, SHANGHAI)


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00").replace(tzinfo=SHANGHAI)


def test_a_weekend_does_not_count() -> None:  # R-REV-5
    friday = at("2026-11-20")
    assert not overdue(friday, at("2026-11-25"))  # Mon, Tue, Wed: 3 working days
    assert overdue(friday, at("2026-11-26"))  # Thursday: the 4th


def test_national_day_is_off_and_the_make_up_saturday_counts() -> None:  # R-REV-5
    # Submitted Wednesday 30 September 2026; 1-7 October is the National Day holiday,
    # Saturday 10 October a make-up workday (the State Council's notice).
    since = at("2026-09-30")
    assert not overdue(since, at("2026-10-07"))  # the holiday: 0 working days
    assert not overdue(since, at("2026-10-10"))  # Thu 8, Fri 9, Sat 10: 3
    assert not overdue(since, at("2026-10-11"))  # Sunday: still 3
    assert overdue(since, at("2026-10-12"))  # Monday: 4


def test_a_year_boundary_counts_new_year_as_a_holiday() -> None:  # R-REV-5
    since = at("2025-12-30")  # Tuesday
    # Wed 31 Dec works; 1-3 January 2026 are the New Year holiday; Sunday 4 January is
    # a make-up workday; Monday 5 January works.
    assert CHINA.working_days_between(since.date(), at("2026-01-05").date()) == 3
    assert not overdue(since, at("2026-01-05"))
    assert overdue(since, at("2026-01-06"))


def test_a_year_the_library_does_not_publish_is_counted_not_refused() -> None:
    # R-CAL-2: after the last published year, the library's own derivation (festivals,
    # its "observed" rule, no make-up days); the answer's basis says it is provisional.
    assert CHINA.published_years is not None
    year = CHINA.published_years[1] + 1
    since = at(f"{year - 1}-12-29")
    # Ten days with at most two weekends and New Year off: at least four working days.
    assert overdue(since, at(f"{year}-01-08"))
    assert CHINA.basis_between(since.date(), at(f"{year}-01-08").date()).basis == "provisional"
