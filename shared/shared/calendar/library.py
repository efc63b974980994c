"""The `holidays` library's calendars, one per country, shared by the whole process; and
which of their years are published (`shared.calendar` says how a year is decided)."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from datetime import date
from typing import Any

import holidays

#: Countries that announce their days off and make-up working days one year at a time
#: (China's State Council each November; Taiwan, Vietnam, Russia and others alike), as
#: the library models them; a year without the announcement is provisional.
YEAR_BY_YEAR = frozenset({"BY", "CN", "HU", "KZ", "LV", "RU", "TW", "UZ", "VN"})

#: Countries whose bank holidays differ by region: the region most parcels are handled in.
#: (GB without a region lacks England's Easter Monday and Summer bank holiday.)
_MAIN_SUBDIVISION: dict[str, str] = {"GB": "ENG"}


@dataclass
class _Library:
    """The `holidays` library's calendar of one country, shared by every `WorkingCalendar`
    of the process (its data never changes; its lazy year loading is guarded)."""

    country: str
    entity: Any
    published: tuple[int, int] | None
    lock: threading.Lock
    loaded: set[int]

    def is_working_day(self, day: date) -> bool:
        if day.year not in self.loaded:
            with self.lock:
                # A make-up workday may fall in the year before or after the day off it
                # pays for: loading the neighbouring years keeps that true whichever year
                # is asked first.
                for neighbour in (day.year - 1, day.year, day.year + 1):
                    if 1 <= neighbour <= 9998:
                        self.entity.get(date(neighbour, 1, 1))
                self.loaded.add(day.year)
        return bool(self.entity.is_working_day(day))


@functools.cache
def library(country: str) -> _Library:
    if country not in holidays.list_supported_countries():
        raise ValueError(f"no working-day calendar for country {country!r} (ISO alpha-2)")
    entity = holidays.country_holidays(country, subdiv=_MAIN_SUBDIVISION.get(country))
    kind = type(entity)
    published: tuple[int, int] | None = (kind.start_year, kind.end_year)
    if country in YEAR_BY_YEAR:
        announced = _announced_years(entity)
        published = (
            None
            if announced is None
            else (max(kind.start_year, announced[0]), min(kind.end_year, announced[1]))
        )
    return _Library(country, entity, published, threading.Lock(), set())


def _announced_years(entity: Any) -> tuple[int, int] | None:
    """First and last year with a substituted day (a published make-up schedule)."""
    mapping: dict[int, Any] = getattr(entity, "special_public_holidays", {}) or {}
    years = [
        year
        for year, entries in mapping.items()
        if entries
        and any(len(row) >= 4 for row in (entries if isinstance(entries[0], tuple) else [entries]))
    ]
    return (min(years), max(years)) if years else None


def weekend_of(country: str) -> frozenset[int]:
    """The country's weekend days (0 = Monday); ValueError for a country with no calendar."""
    return frozenset(library(country.upper()).entity.weekend)
