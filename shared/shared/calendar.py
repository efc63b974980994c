"""Working-day calendars of a country, from the maintained `holidays` library.

A working day is a day that is not one of the country's weekend days and not a public
holiday, *or* a weekend day that the government declared a working day (a make-up
workday, e.g. China's 调休). Used for semi-managed handling times (R-LOG-2), delivery
windows (R-LOG-3) and review overdue counts (R-REV-5).

Which years are known (never a silent guess):

- Every country: the years of the library's entity for that country
  (`start_year`..`end_year`); outside them the library returns no holidays at all.
- Countries whose holidays and make-up workdays are published year by year
  (`_PUBLISHED_YEAR_BY_YEAR`, China: the State Council's notice each November): only the
  years for which the library holds that notice. `holidays` stores them as *substituted*
  days in `special_public_holidays[year]`, tuples `(to_month, to_day, from_month,
  from_day[, from_year])`: the `to` date is a day off and the weekend `from` date becomes
  a working day (collected in the entity's `weekend_workdays`). For a later year the
  library still derives festivals from the lunar calendar and shifts them by a generic
  "observed" rule, but it cannot know the make-up Saturdays, so such a year is refused
  with `CalendarYearUnknown` until a `holidays` release carries the notice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, ClassVar

import holidays

#: Countries whose calendar is announced one year at a time; a year without the
#: announcement in the library is unknown, not guessed.
_PUBLISHED_YEAR_BY_YEAR = frozenset({"CN"})

#: The mappings where `holidays` keeps per-year special and substituted days.
_SPECIAL_MAPPINGS = ("special_public_holidays",)


class CalendarYearUnknown(ValueError):
    """The calendar of that country has no (or no published) data for that year."""


def _published_years(entity: Any) -> tuple[int, int] | None:
    """First and last year with a substituted day (a published make-up schedule)."""
    years: list[int] = []
    for mapping_name in _SPECIAL_MAPPINGS:
        mapping: dict[int, Any] = getattr(entity, mapping_name, {}) or {}
        for year, entries in mapping.items():
            if not entries:
                continue
            rows: Iterable[Any] = entries if isinstance(entries[0], tuple) else (entries,)
            if any(len(row) >= 4 for row in rows):
                years.append(year)
    return (min(years), max(years)) if years else None


#: Countries whose bank holidays differ by region: the region most parcels are handled in.
#: (GB without a region lacks England's Easter Monday and Summer bank holiday.)
_MAIN_SUBDIVISION: dict[str, str] = {"GB": "ENG"}


class WorkingCalendar:
    """The working days of one country (ISO 3166-1 alpha-2). Use `for_country`."""

    _instances: ClassVar[dict[str, WorkingCalendar]] = {}
    _instances_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, country: str) -> None:
        code = country.upper()
        if code not in holidays.list_supported_countries():
            raise ValueError(f"no working-day calendar for country {country!r} (ISO alpha-2)")
        self.country = code
        self._holidays: Any = holidays.country_holidays(code, subdiv=_MAIN_SUBDIVISION.get(code))
        first, last = type(self._holidays).start_year, type(self._holidays).end_year
        if code in _PUBLISHED_YEAR_BY_YEAR:
            published = _published_years(self._holidays)
            if published is None:
                raise ValueError(f"the holidays library has no published calendar for {code}")
            first, last = max(first, published[0]), min(last, published[1])
        self.first_year: int = first
        self.last_year: int = last
        self._loaded_years: set[int] = set()
        self._lock = threading.Lock()

    @classmethod
    def for_country(cls, country: str) -> WorkingCalendar:
        code = country.upper()
        with cls._instances_lock:
            calendar = cls._instances.get(code)
            if calendar is None:
                calendar = cls._instances[code] = cls(code)
            return calendar

    def _ensure_year(self, year: int) -> None:
        if not self.first_year <= year <= self.last_year:
            raise CalendarYearUnknown(
                f"the working-day calendar of {self.country} is known for "
                f"{self.first_year}-{self.last_year}, not {year}"
            )
        if year in self._loaded_years:
            return
        with self._lock:
            # A make-up workday may fall in the year before or after the day off it pays
            # for (a late-December Saturday for a January holiday). holidays 0.109 derives
            # all of them when the entity is built; loading the neighbouring years keeps
            # that true with releases that record them while populating a year.
            for neighbour in (year - 1, year, year + 1):
                self._holidays.get(date(neighbour, 1, 1))
            self._loaded_years.add(year)

    def is_working_day(self, day: date) -> bool:
        self._ensure_year(day.year)
        return bool(self._holidays.is_working_day(day))

    def next_working_day_on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (`day` itself when n is 0)."""
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days strictly after `start` up to and including `end` (0 if end <= start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
