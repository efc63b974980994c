"""Working-day calendars from the `holidays` library (R-LOG-2, R-LOG-3, R-REV-5)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from shared.calendar import CalendarYearUnknown, WorkingCalendar


def test_cn_national_day_golden_week_2026_is_off_and_make_up_days_are_on() -> None:
    china = WorkingCalendar.for_country("CN")
    # State Council notice for 2026: 1-7 October off; Sunday 20 September and
    # Saturday 10 October are make-up workdays.
    golden_week = [date(2026, 10, 1) + timedelta(days=offset) for offset in range(7)]
    assert not any(china.is_working_day(day) for day in golden_week)
    assert china.is_working_day(date(2026, 9, 20))  # a Sunday
    assert china.is_working_day(date(2026, 10, 10))  # a Saturday
    assert not china.is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert china.is_working_day(date(2026, 10, 8))


def test_cn_working_days_skip_golden_week_and_count_the_make_up_saturday() -> None:
    china = WorkingCalendar.for_country("CN")
    # 30 Sep (Wed) -> 8 Oct (Thu), 9 Oct (Fri), 10 Oct (make-up Sat).
    assert china.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert china.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert china.next_working_day_on_or_after(date(2026, 10, 3)) == date(2026, 10, 8)


def test_make_up_day_in_december_for_next_january_is_known_on_first_query() -> None:
    # 2002's New Year holiday was paid for by Saturday 29 December 2001, a make-up day that
    # belongs to 2002's notice: a fresh calendar asked about 2001 first must still know it.
    china = WorkingCalendar("CN")
    assert china.is_working_day(date(2001, 12, 29))


def test_us_weekend_is_off() -> None:
    usa = WorkingCalendar.for_country("US")
    assert not usa.is_working_day(date(2026, 3, 7))  # Saturday
    assert not usa.is_working_day(date(2026, 3, 8))  # Sunday
    assert usa.is_working_day(date(2026, 3, 9))
    assert usa.next_working_day_on_or_after(date(2026, 3, 7)) == date(2026, 3, 9)
    assert usa.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_us_public_holiday_is_off() -> None:
    usa = WorkingCalendar.for_country("US")
    assert not usa.is_working_day(date(2026, 11, 26))  # Thanksgiving


def test_add_zero_working_days_is_the_day_itself() -> None:
    usa = WorkingCalendar.for_country("US")
    saturday = date(2026, 3, 7)
    assert usa.add_working_days(saturday, 0) == saturday


def test_negative_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        WorkingCalendar.for_country("US").add_working_days(date(2026, 3, 7), -1)


def test_working_days_between_is_zero_when_end_is_not_after_start() -> None:
    usa = WorkingCalendar.for_country("US")
    assert usa.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert usa.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0
    assert usa.working_days_between(date(2026, 3, 6), date(2026, 3, 13)) == 5


def test_cn_year_without_a_published_notice_is_unknown() -> None:
    china = WorkingCalendar.for_country("CN")
    # The library would derive 2027's festivals but cannot know its make-up workdays.
    with pytest.raises(CalendarYearUnknown, match="CN"):
        china.is_working_day(date(china.last_year + 1, 3, 1))


def test_walking_past_the_known_years_is_unknown_not_endless() -> None:
    china = WorkingCalendar.for_country("CN")
    with pytest.raises(CalendarYearUnknown):
        china.add_working_days(date(china.last_year, 12, 30), 10)


def test_year_outside_the_library_range_is_unknown() -> None:
    with pytest.raises(CalendarYearUnknown):
        WorkingCalendar.for_country("US").is_working_day(date(2300, 1, 2))


def test_unknown_country_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no working-day calendar for country 'XX'"):
        WorkingCalendar.for_country("XX")


def test_instances_are_cached_per_country() -> None:
    assert WorkingCalendar.for_country("de") is WorkingCalendar.for_country("DE")


def test_gb_counts_englands_bank_holidays() -> None:
    gb = WorkingCalendar.for_country("GB")
    assert not gb.is_working_day(date(2026, 4, 6))  # Easter Monday
    assert not gb.is_working_day(date(2026, 8, 31))  # Summer bank holiday
    assert gb.is_working_day(date(2026, 8, 28))
