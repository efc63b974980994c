"""Working-day calendars: the library, operators' notices and provisional years
(R-CAL-1, R-CAL-2; used by R-LOG-2, R-LOG-3, R-REV-5).

The notices written here are test data with made-up dates, never shipped; the one
shipped example (`calendar-notices/examples/CN-2026.yaml`) is the State Council's real notice.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
from prometheus_client import REGISTRY

from shared.calendar import CalendarBasis, Calendars, WorkingCalendar
from testkit.notices import CN_2030, a_notice

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = Calendars()
CHINA = LIBRARY.of("CN")
#: The first year the installed `holidays` release has no State Council notice for.
FIRST_UNPUBLISHED = CHINA.published_years[1] + 1 if CHINA.published_years else 2027


def days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


def notices(tmp_path: Path, *texts: str) -> Calendars:
    for index, text in enumerate(texts):
        (tmp_path / f"notice-{index}.yaml").write_text(text)
    return Calendars.from_directory(tmp_path)


# --- the library's published years (R-CAL-1) --------------------------------------------


def test_cn_national_day_golden_week_2026_is_off_and_make_up_days_are_on() -> None:
    # State Council notice for 2026: 1-7 October off; Sunday 20 September and
    # Saturday 10 October are make-up workdays.
    golden_week = [date(2026, 10, 1) + timedelta(days=offset) for offset in range(7)]
    assert not any(CHINA.is_working_day(day) for day in golden_week)
    assert CHINA.is_working_day(date(2026, 9, 20))  # a Sunday
    assert CHINA.is_working_day(date(2026, 10, 10))  # a Saturday
    assert not CHINA.is_working_day(date(2026, 10, 11))  # an ordinary Sunday
    assert CHINA.is_working_day(date(2026, 10, 8))
    assert CHINA.year(2026).model_dump() == {
        "country": "CN",
        "year": 2026,
        "basis": "published",
        "source": "library",
    }


def test_cn_working_days_skip_golden_week_and_count_the_make_up_saturday() -> None:
    # 30 Sep (Wed) -> 8 Oct (Thu), 9 Oct (Fri), 10 Oct (make-up Sat).
    assert CHINA.add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert CHINA.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert CHINA.next_working_day_on_or_after(date(2026, 10, 3)) == date(2026, 10, 8)


def test_make_up_day_in_december_for_next_january_is_known_on_first_query() -> None:
    # 2002's New Year holiday was paid for by Saturday 29 December 2001, a make-up day that
    # belongs to 2002's notice: a fresh calendar asked about 2001 first must still know it.
    assert WorkingCalendar("CN").is_working_day(date(2001, 12, 29))


def test_us_weekend_and_public_holiday_are_off() -> None:
    usa = LIBRARY.of("US")
    assert not usa.is_working_day(date(2026, 3, 7))  # Saturday
    assert not usa.is_working_day(date(2026, 3, 8))  # Sunday
    assert not usa.is_working_day(date(2026, 11, 26))  # Thanksgiving
    assert usa.next_working_day_on_or_after(date(2026, 3, 7)) == date(2026, 3, 9)
    assert usa.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    # A country whose holidays follow fixed rules is published for every library year.
    assert usa.year(2031).basis == "published"


def test_add_zero_working_days_is_the_day_itself_and_negative_is_refused() -> None:
    usa = LIBRARY.of("US")
    assert usa.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 7)
    with pytest.raises(ValueError, match="negative"):
        usa.add_working_days(date(2026, 3, 7), -1)


def test_working_days_between_is_zero_when_end_is_not_after_start() -> None:
    usa = LIBRARY.of("US")
    assert usa.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0
    assert usa.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0
    assert usa.working_days_between(date(2026, 3, 6), date(2026, 3, 13)) == 5


def test_unknown_country_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="no working-day calendar for country 'XX'"):
        LIBRARY.of("XX")


def test_calendars_are_kept_per_country() -> None:
    assert LIBRARY.of("de") is LIBRARY.of("DE")


def test_gb_counts_englands_bank_holidays() -> None:
    gb = LIBRARY.of("GB")
    assert not gb.is_working_day(date(2026, 4, 6))  # Easter Monday
    assert not gb.is_working_day(date(2026, 8, 31))  # Summer bank holiday
    assert gb.is_working_day(date(2026, 8, 28))


# --- provisional years (R-CAL-2) -------------------------------------------------------


def test_a_year_without_a_published_notice_is_provisional_not_refused() -> None:
    year = FIRST_UNPUBLISHED
    assert CHINA.year(year).model_dump() == {
        "country": "CN",
        "year": year,
        "basis": "provisional",
        "source": "derived",
    }
    assert CHINA.add_working_days(date(year - 1, 12, 30), 10) > date(year, 1, 1)


def test_a_provisional_year_is_the_librarys_own_derivation() -> None:
    # Statutory and lunar festivals with the library's generic "observed" rule, and no
    # make-up working day: every day of the year answered exactly so.
    for year in (FIRST_UNPUBLISHED, 2031):
        derived = holidays.country_holidays("CN", years=year)
        expected = [day.weekday() < 5 and day not in derived for day in days_of(year)]
        assert [CHINA.is_working_day(day) for day in days_of(year)] == expected


def test_beyond_the_librarys_years_only_weekends_are_off_provisionally() -> None:
    usa = LIBRARY.of("US")
    assert usa.year(2300).basis == "provisional"
    assert usa.is_working_day(date(2300, 1, 2))  # a Tuesday; no holidays known
    assert not usa.is_working_day(date(2300, 1, 6))  # a Saturday


def test_an_answers_basis_lists_each_year_and_is_provisional_if_any_is() -> None:
    year = FIRST_UNPUBLISHED
    basis = CHINA.basis_between(date(year - 1, 12, 28), date(year, 1, 6))
    assert [(y.year, y.basis) for y in basis.years] == [
        (year - 1, "published"),
        (year, "provisional"),
    ]
    assert basis.basis == "provisional"
    assert basis.model_dump(mode="json")["basis"] == "provisional"
    published = CHINA.basis_between(date(2026, 3, 2), date(2026, 3, 9))
    assert published.basis == "published"
    both = published | LIBRARY.of("US").basis_between(date(2026, 3, 2), date(2026, 3, 9))
    assert [(y.country, y.year) for y in both.years] == [("CN", 2026), ("US", 2026)]


def test_provisional_answers_are_counted_and_warned_once_per_country_and_year(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calendars = Calendars()
    labels = {"country": "CN", "year": "2033"}
    before = REGISTRY.get_sample_value("calendar_provisional_computations_total", labels) or 0
    with caplog.at_level(logging.WARNING, logger="shared.calendar"):
        for _ in range(3):
            calendars.basis_between("CN", date(2033, 3, 1), date(2033, 3, 8))
    after = REGISTRY.get_sample_value("calendar_provisional_computations_total", labels)
    assert after == before + 3
    warnings = [r for r in caplog.records if "CN 2033" in r.getMessage()]
    assert len(warnings) == 1
    assert "provisional" in warnings[0].getMessage()


def test_published_answers_are_not_counted() -> None:
    labels = {"country": "CN", "year": "2026"}
    Calendars().basis_between("CN", date(2026, 3, 1), date(2026, 3, 8))
    assert REGISTRY.get_sample_value("calendar_provisional_computations_total", labels) is None


# --- operators' notices (R-CAL-1) --------------------------------------------------------


def test_a_notice_makes_its_year_published_and_a_make_up_saturday_a_working_day(
    tmp_path: Path,
) -> None:
    saturday = date(2030, 1, 26)
    assert not CHINA.is_working_day(saturday)  # provisional: an ordinary Saturday
    china = notices(tmp_path, CN_2030).of("CN")
    assert china.is_working_day(saturday)
    assert china.year(2030).model_dump() == {
        "country": "CN",
        "year": 2030,
        "basis": "published",
        "source": "notice",
    }
    # Friday 25 January -> Saturday 26 (make-up) is the next working day.
    assert china.add_working_days(date(2030, 1, 25), 1) == saturday


def test_a_notice_moves_a_holiday_the_library_derived(tmp_path: Path) -> None:
    # The library derives Dragon Boat 2030 on Wednesday 5 June; this notice moves it to
    # Friday 7 June.
    notice = a_notice(2030, days_off=["{date: 2030-06-07, name: Dragon Boat Festival}"])
    assert date(2030, 6, 5) in holidays.country_holidays("CN", years=2030)
    assert not CHINA.is_working_day(date(2030, 6, 5))
    china = notices(tmp_path, notice).of("CN")
    assert china.is_working_day(date(2030, 6, 5))
    assert not china.is_working_day(date(2030, 6, 7))
    # Tuesday 4 June + 3: Wed 5, Thu 6, (Fri 7 off, weekend) Mon 10.
    assert china.add_working_days(date(2030, 6, 4), 3) == date(2030, 6, 10)


def test_a_notice_takes_precedence_over_the_librarys_published_year(tmp_path: Path) -> None:
    notice = a_notice(2026, days_off=["{from: 2026-10-01, to: 2026-10-09}"])
    china = notices(tmp_path, notice).of("CN")
    assert not china.is_working_day(date(2026, 10, 8))  # the library says working
    assert not china.is_working_day(date(2026, 10, 10))  # no make-up Saturday any more
    assert china.is_working_day(date(2026, 2, 16))  # a whole year: Spring Festival not listed
    assert china.year(2026).source == "notice"


def test_a_make_up_day_in_late_december_pays_for_a_january_holiday(tmp_path: Path) -> None:
    notice = a_notice(
        2031,
        days_off=["{from: 2031-01-01, to: 2031-01-03, name: New Year}"],
        working_days=["{date: 2030-12-28, name: make-up Saturday for New Year}"],
    )
    china = notices(tmp_path, notice).of("CN")
    assert china.is_working_day(date(2030, 12, 28))  # Saturday in 2030, from 2031's notice
    assert not CHINA.is_working_day(date(2030, 12, 28))
    assert not china.is_working_day(date(2031, 1, 2))  # a Thursday off
    # Friday 27 December 2030 → the next working day is that Saturday.
    assert china.add_working_days(date(2030, 12, 27), 1) == date(2030, 12, 28)
    # Sat 28, Mon 30, Tue 31, then 1-5 January off (a weekend too), Mon 6: four.
    assert china.working_days_between(date(2030, 12, 27), date(2031, 1, 6)) == 4
    assert china.year(2030).basis == "provisional"  # 2030 itself is still unpublished


def test_the_shipped_example_notice_is_exactly_the_librarys_2026(tmp_path: Path) -> None:
    example = ROOT / "calendar-notices" / "examples" / "CN-2026.yaml"
    china = Calendars.from_directory(example).of("CN")
    assert china.year(2026).source == "notice"
    assert [china.is_working_day(d) for d in days_of(2026)] == [
        CHINA.is_working_day(d) for d in days_of(2026)
    ]


def test_a_basis_round_trips_through_storage() -> None:
    basis = CHINA.basis_between(date(2026, 12, 30), date(FIRST_UNPUBLISHED, 1, 4))
    assert CalendarBasis.model_validate(basis.model_dump(mode="json")) == basis
