"""Working-day calendars of countries that never run out (R-CAL-1, R-CAL-2).

A working day is a day that is not one of the country's weekend days and not a day off,
*or* a weekend day declared a working day (a make-up workday, e.g. China's 调休). Used for
semi-managed handling times (R-LOG-2), delivery windows (R-LOG-3) and review overdue
counts (R-REV-5).

Each year of a country's calendar comes from one of three sources, in this order:

1. **notice** (published): an operator-supplied notice for that country and year
   (`notices.py`, `CALENDAR_NOTICES_DIR`). It is the whole calendar of its year and
   takes precedence over the library; the days it lists just outside its year (a
   late-December make-up day for a January holiday) count as it says too.
2. **library** (published): the `holidays` library's data. Most countries' holidays
   follow fixed rules, so every year the library covers is published. Countries that
   announce make-up working days year by year (`YEAR_BY_YEAR`) are published only for
   the years whose announcement the library holds: `holidays` stores those as
   *substituted* days in `special_public_holidays[year]`, tuples `(to_month, to_day,
   from_month, from_day[, from_year])` (the `to` day is off, the weekend `from` day is
   worked), so those years are the ones with such a tuple.
3. **derived** (provisional): any other year, computed from what the library derives by
   itself (statutory days, lunar festivals and its generic "observed" rule, no make-up
   days; only the weekends outside the library's years). Never refused: the platform
   keeps working, and every answer that used such a year says so (`CalendarBasis`), a
   metric counts those computations and the log warns once per country and year.

Answers carry a `CalendarBasis`: which country-years were consulted and on what basis.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, computed_field

from shared import metrics
from shared.calendar.library import YEAR_BY_YEAR, library, weekend_of
from shared.calendar.notices import Notice, NoticeError, load_notices

__all__ = [
    "YEAR_BY_YEAR",
    "CalendarBasis",
    "CalendarYear",
    "Calendars",
    "Notice",
    "NoticeError",
    "WorkingCalendar",
    "load_notices",
    "weekend_of",
]

log = logging.getLogger("shared.calendar")

Basis = Literal["published", "provisional"]
Source = Literal["notice", "library", "derived"]


class CalendarYear(BaseModel):
    """One year of one country's calendar as an answer used it."""

    model_config = ConfigDict(frozen=True)

    country: str
    year: int
    basis: Basis
    source: Source


class CalendarBasis(BaseModel):
    """The calendar years an answer was computed on; `basis` is `provisional` when any was
    (R-CAL-2). Shown beside every value that needed working days."""

    model_config = ConfigDict(frozen=True)

    years: tuple[CalendarYear, ...]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def basis(self) -> Basis:
        return "provisional" if any(y.basis == "provisional" for y in self.years) else "published"

    def provisional(self) -> tuple[CalendarYear, ...]:
        return tuple(year for year in self.years if year.basis == "provisional")

    def __or__(self, other: CalendarBasis) -> CalendarBasis:
        return combine(self, other)


def combine(*bases: CalendarBasis) -> CalendarBasis:
    unique = {(year.country, year.year): year for basis in bases for year in basis.years}
    return CalendarBasis(years=tuple(unique[key] for key in sorted(unique)))


class WorkingCalendar:
    """The working days of one country (ISO 3166-1 alpha-2), every year answered.

    Build through `Calendars.of`, which gives it the country's notices."""

    def __init__(self, country: str, notices: Iterable[Notice] = ()) -> None:
        self.country = country.upper()
        self._library = library(self.country)
        self._weekend = frozenset(self._library.entity.weekend)
        own = [notice for notice in notices if notice.country == self.country]
        self._notice_years = frozenset(notice.year for notice in own)
        # Each listed day counts as its notice says, even just outside the notice's year.
        self._listed: dict[date, bool] = {}
        for notice in own:
            self._listed.update(dict.fromkeys(notice.off(), False))
            self._listed.update(dict.fromkeys(notice.working(), True))

    @property
    def published_years(self) -> tuple[int, int] | None:
        """The years the library holds as published (notices aside), or None."""
        return self._library.published

    def year(self, year: int) -> CalendarYear:
        """Where `year` of this calendar comes from (R-CAL-1, R-CAL-2)."""
        if year in self._notice_years:
            return CalendarYear(country=self.country, year=year, basis="published", source="notice")
        published = self._library.published
        if published is not None and published[0] <= year <= published[1]:
            return CalendarYear(
                country=self.country, year=year, basis="published", source="library"
            )
        return CalendarYear(country=self.country, year=year, basis="provisional", source="derived")

    def is_working_day(self, day: date) -> bool:
        listed = self._listed.get(day)
        if listed is not None:
            return listed
        if day.year in self._notice_years:
            return day.weekday() not in self._weekend
        return self._library.is_working_day(day)

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

    def basis_between(self, first: date, last: date) -> CalendarBasis:
        """The basis of an answer that looked at the days `first`..`last` (either order)."""
        low, high = sorted((first.year, last.year))
        return CalendarBasis(years=tuple(self.year(y) for y in range(low, high + 1)))


class Calendars:
    """Every country's working calendar for one process: the library plus the operator's
    notices, read once at start-up (`from_directory`)."""

    def __init__(self, notices: Iterable[Notice] = ()) -> None:
        self.notices = tuple(notices)
        self._calendars: dict[str, WorkingCalendar] = {}
        self._lock = threading.Lock()
        self._warned: set[tuple[str, int]] = set()

    @classmethod
    def from_directory(cls, path: Path | None) -> Calendars:
        """The library plus the notices under `path` (NoticeError names a bad file's line)."""
        calendars = cls(load_notices(path, weekends=weekend_of))
        for notice in calendars.notices:
            log.info(
                "calendar notice in force: %s %s (%s)",
                notice.country,
                notice.year,
                notice.origin,
            )
        return calendars

    def of(self, country: str) -> WorkingCalendar:
        code = country.upper()
        calendar = self._calendars.get(code)
        if calendar is None:
            with self._lock:
                calendar = self._calendars.get(code) or WorkingCalendar(code, self.notices)
                self._calendars[code] = calendar
        return calendar

    def noted(self, basis: CalendarBasis) -> CalendarBasis:
        """Counts an answer computed on provisional years (the metric), warning once per
        country and year in this process; returns `basis` unchanged."""
        for year in basis.provisional():
            metrics.CALENDAR_PROVISIONAL.labels(year.country, str(year.year)).inc()
            key = (year.country, year.year)
            if key not in self._warned:
                self._warned.add(key)
                log.warning(
                    "working days of %s %s are provisional: neither the holidays library "
                    "nor a calendar notice publishes that year; add the government's notice "
                    "(README, 'Working days and calendars')",
                    year.country,
                    year.year,
                )
        return basis

    def basis_between(self, country: str, first: date, last: date) -> CalendarBasis:
        """`of(country).basis_between(first, last)`, counted by `noted`."""
        return self.noted(self.of(country).basis_between(first, last))
