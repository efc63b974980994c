"""Published calendar notices as data: a country's days off and make-up working days for
one year, as its government announced them (R-CAL-1).

A notice is a YAML document; `CALENDAR_NOTICES_DIR` names a directory of them (every
`*.yaml` / `*.yml` file, each holding one notice or several separated by `---`) or a
single such file. The format (see the README, "Working days and calendars"):

```yaml
country: CN          # ISO 3166-1 alpha-2
year: 2027
source: https://www.gov.cn/...   # where the dates come from: required
days_off:            # every day off of the year, weekends inside a holiday included
  - {date: 2027-01-01, name: New Year's Day}
  - {from: 2027-02-06, to: 2027-02-12, name: Spring Festival}
working_days:        # weekend days declared working days (make-up days, 调休)
  - {date: 2027-02-20, name: Spring Festival make-up day}
```

A notice is the whole calendar of its year: a day of that year it does not list is a
working day unless it falls on the country's weekend. Its days may reach into the
neighbouring years (a late-December Saturday worked for a January holiday), by at most
`EDGE_DAYS`. Anything wrong stops start-up with `NoticeError`, naming the file and line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.settings import InvalidConfiguration

#: How far a notice's days may lie outside its year: a make-up day in late December for a
#: January holiday, or a holiday running into the next January.
EDGE_DAYS = 31
#: The longest run one entry may give (`from`..`to`): China's longest holidays are 8 days.
MAX_RUN_DAYS = 31


class NoticeError(InvalidConfiguration):
    """A notice file that cannot be used: `<file>:<line>: <what is wrong>`."""


class NoticeDays(BaseModel):
    """One entry: a day (`date`) or an inclusive run of days (`from`, `to`), with a name."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    day: date | None = Field(None, alias="date")
    first: date | None = Field(None, alias="from")
    last: date | None = Field(None, alias="to")
    name: str = Field("", max_length=200)

    @model_validator(mode="after")
    def _one_day_or_a_run(self) -> Self:
        if self.day is not None and (self.first is not None or self.last is not None):
            raise ValueError("give either `date` or `from` and `to`, not both")
        if self.day is None and (self.first is None or self.last is None):
            raise ValueError("give `date`, or both `from` and `to`")
        if self.first is not None and self.last is not None:
            if self.last < self.first:
                raise ValueError(f"`to` ({self.last}) is before `from` ({self.first})")
            if (self.last - self.first).days >= MAX_RUN_DAYS:
                raise ValueError(f"a run of more than {MAX_RUN_DAYS} days; split it")
        return self

    def days(self) -> Iterator[date]:
        if self.day is not None:
            yield self.day
            return
        day, last = self.first, self.last
        while day is not None and last is not None and day <= last:
            yield day
            day += timedelta(days=1)


class Notice(BaseModel):
    """A country's published calendar of one year."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str = Field(pattern=r"^[A-Z]{2}$")
    year: int = Field(ge=1900, le=2200)
    source: str = Field(min_length=1, max_length=500)
    days_off: tuple[NoticeDays, ...] = Field(min_length=1)
    working_days: tuple[NoticeDays, ...] = ()
    #: Where the notice was read from (`file:line`), for messages; not part of the format.
    origin: str = Field("", exclude=True)

    def off(self) -> frozenset[date]:
        return frozenset(day for entry in self.days_off for day in entry.days())

    def working(self) -> frozenset[date]:
        return frozenset(day for entry in self.working_days for day in entry.days())


#: A country's weekend days (0 = Monday); ValueError when the platform has no calendar for it.
WeekendsOf = Callable[[str], frozenset[int]]


@dataclass(frozen=True)
class _Problem:
    path: tuple[str | int, ...]
    message: str


def load_notices(path: Path | None, *, weekends: WeekendsOf) -> tuple[Notice, ...]:
    """Every notice under `path` (a directory or one file), validated; () when unset."""
    if path is None:
        return ()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    elif path.is_file():
        files = [path]
    else:
        raise NoticeError(f"{path}: CALENDAR_NOTICES_DIR names no file or directory")
    notices: list[Notice] = []
    for file in files:
        notices.extend(_read(file, weekends))
    _check_together(notices)
    return tuple(notices)


def _read(file: Path, weekends: WeekendsOf) -> Iterator[Notice]:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise NoticeError(f"{file}: cannot be read: {error}") from error
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise NoticeError(f"{file}{line}: not valid YAML: {problem}") from error
    documents = [node for node in nodes if node is not None]
    if not documents:
        raise NoticeError(f"{file}:1: holds no notice")
    for node in documents:
        data = yaml.SafeLoader(text).construct_document(node)  # dates as `date`
        origin = f"{file}:{node.start_mark.line + 1}"
        if not isinstance(data, dict):
            raise NoticeError(f"{origin}: a notice is a mapping (country, year, source, ...)")
        try:
            notice = Notice.model_validate({**data, "origin": origin})
        except ValidationError as error:
            first = error.errors()[0]
            where = _line(file, node, tuple(first["loc"]))
            field = ".".join(str(part) for part in first["loc"]) or "notice"
            raise NoticeError(f"{where}: {field}: {first['msg']}") from error
        for problem in _problems(notice, weekends):
            raise NoticeError(f"{_line(file, node, problem.path)}: {problem.message}")
        yield notice


def _problems(notice: Notice, weekends: WeekendsOf) -> Iterator[_Problem]:
    """What a well-formed notice may still get wrong, each with where it is."""
    try:
        weekend = weekends(notice.country)
    except ValueError as error:
        yield _Problem(("country",), str(error))
        return
    first = date(notice.year, 1, 1) - timedelta(days=EDGE_DAYS)
    last = date(notice.year, 12, 31) + timedelta(days=EDGE_DAYS)
    off = notice.off()
    for field, entries in (("days_off", notice.days_off), ("working_days", notice.working_days)):
        for index, entry in enumerate(entries):
            for day in entry.days():
                if not first <= day <= last:
                    yield _Problem(
                        (field, index),
                        f"{day} is outside {notice.year} (at most {EDGE_DAYS} days beyond it)",
                    )
                if field == "working_days" and day.weekday() not in weekend:
                    yield _Problem(
                        (field, index),
                        f"{day} is a {day:%A}, already a working day in {notice.country}: "
                        "a make-up working day is a weekend day",
                    )
                if field == "working_days" and day in off:
                    yield _Problem((field, index), f"{day} is also listed in days_off")


def _check_together(notices: Sequence[Notice]) -> None:
    """One notice per country and year; neighbouring years' notices agree on shared days."""
    seen: dict[tuple[str, int], Notice] = {}
    for notice in notices:
        key = (notice.country, notice.year)
        if key in seen:
            raise NoticeError(
                f"{notice.origin}: a second notice for {notice.country} {notice.year} "
                f"(the first is at {seen[key].origin})"
            )
        seen[key] = notice
    for notice in notices:
        later = seen.get((notice.country, notice.year + 1))
        if later is None:
            continue
        clash = (notice.off() & later.working()) | (notice.working() & later.off())
        if clash:
            day = min(clash)
            raise NoticeError(
                f"{later.origin}: {day} is a day off in one of {notice.country}'s "
                f"{notice.year} and {later.year} notices and a working day in the other "
                f"(the other is at {notice.origin})"
            )


def _line(file: Path, root: yaml.Node, loc: tuple[Any, ...]) -> str:
    """`file:line` of the deepest part of `loc` found under `root` (a mapping's entry by
    its key's line)."""
    node, mark = root, root.start_mark
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            entry = next(((k, v) for k, v in node.value if k.value == part), None)
            if entry is None:
                break
            mark, node = entry[0].start_mark, entry[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return f"{file}:{mark.line + 1}"
