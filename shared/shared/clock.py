"""Time is passed in, never read from a global (STYLE.md §3).

Times are UTC and truncated to milliseconds: MongoDB stores milliseconds, so a time that
goes through the database compares equal to the one that was written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from shared.errors import Unprocessable


def utc_ms(moment: datetime) -> datetime:
    """`moment` in UTC, truncated to milliseconds. Naive times are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def time_key(moment: datetime, tie: str = "") -> str:
    """A string that sorts like (`moment`, `tie`), for keyset pagination:
    `20261127T080000123Z|<tie>` (UTC, milliseconds, fixed width).

    The embedded engine compares dates, and strings that look like ISO dates, to the
    second only (README, "The embedded engine"); so where order matters to the millisecond
    a document carries this compact key, which no engine reads as a date, and pages compare
    it instead of the date.
    """
    return f"{utc_ms(moment).strftime('%Y%m%dT%H%M%S%f')[:-3]}Z|{tie}"


def utc_days(first: date, last: date, *, most: int) -> tuple[datetime, datetime]:
    """The instants [start of `first`, end of `last`) (UTC) of a report's days, both
    included, as a caller asked for them: Unprocessable, saying what to fix, if they run
    backwards or cover more than `most` days."""
    if last < first:
        raise Unprocessable(f"`to` ({last}) is before `from` ({first}): swap them.")
    if (last - first).days + 1 > most:
        raise Unprocessable(f"A report covers at most {most} days; ask for fewer.")
    start = datetime.combine(first, time.min, tzinfo=UTC)
    return start, start + timedelta(days=(last - first).days + 1)


#: Sorts after every `time_key`: the key of a document no time-keyed condition should
#: find (`{"$lt": time_key(now)}` and `{"$lt": AFTER_EVERY_TIME}` never read it).
AFTER_EVERY_TIME = "~"


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return utc_ms(datetime.now(UTC))


class OffsetClock:
    """System time moved by a fixed offset: rehearses deadlines (CLOCK_OFFSET_SECONDS).

    Refused in production (shared.settings)."""

    def __init__(self, offset: timedelta) -> None:
        self._offset = offset

    def now(self) -> datetime:
        return utc_ms(datetime.now(UTC) + self._offset)


class FixedClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = utc_ms(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now = utc_ms(self._now + delta)

    def set(self, moment: datetime) -> None:
        self._now = utc_ms(moment)
