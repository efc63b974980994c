"""The platform's category list (R-REV-11): each category's code, its Chinese and English
names and its after-sales window in days (R-AS-1), as configuration.

The defaults ship with the kit (`shared/data/categories.json`); a deployment replaces them
with its own file, `CATEGORIES_FILE` (same format). The list is read and checked once, as a
process starts (`shared.app.create_app`): codes unique lowercase slugs, both names given,
each window within the policy's bounds (`AFTERSALES_WINDOW_DAYS_MIN`..`_MAX`). A bad file
stops the service with `InvalidCategories`, naming the entry and its field.

```json
{"categories": [
  {"code": "food", "name_zh": "食品", "name_en": "Food", "aftersales_window_days": 7}
]}
```

Stores and products name categories by code only; a category an order line carries that
the list does not know (data written before the list, never migrated:
`shared.category_migration`) gets the longest window the policy allows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, ValidationError

from shared.contract.types import CategoryCode
from shared.policy import Policy
from shared.settings import InvalidConfiguration

#: The kit's defaults: package data of `marketplace-shared` (shared/pyproject.toml).
DEFAULTS_FILE = Path(__file__).parent / "data" / "categories.json"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class InvalidCategories(InvalidConfiguration):
    """A category list a service cannot start with: `<file>: <entry>.<field>: <problem>`."""


class Category(BaseModel):
    """One entry of the list, as `GET /categories` shows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: CategoryCode
    name_zh: Name
    name_en: Name
    aftersales_window_days: StrictInt


class CategoryFile(BaseModel):
    """The file's shape: one object, its `categories` in the order they are shown."""

    model_config = ConfigDict(extra="forbid")

    categories: list[Category] = Field(min_length=1)


class CategoryList:
    """The list in force, checked against the policy's window bounds when built."""

    def __init__(
        self, entries: Iterable[Category], *, policy: Policy | None = None, source: str = "list"
    ) -> None:
        policy = policy or Policy()
        self.entries: tuple[Category, ...] = tuple(entries)
        self._by_code: dict[str, Category] = {}
        low, high = policy.aftersales_window_days_min, policy.aftersales_window_days_max
        for index, entry in enumerate(self.entries):
            where = f"{source}: categories[{index}] ({entry.code!r})"
            if entry.code in self._by_code:
                raise InvalidCategories(f"{where}.code: the code is already used; codes are unique")
            if not low <= entry.aftersales_window_days <= high:
                raise InvalidCategories(
                    f"{where}.aftersales_window_days: {entry.aftersales_window_days} is outside "
                    f"R-AS-1's {low}-{high} days"
                )
            self._by_code[entry.code] = entry
        if not self.entries:
            raise InvalidCategories(f"{source}: no categories; list at least one")
        #: R-AS-1: the window of a category the list does not know, or of an order with none.
        self.unknown_window_days = high

    @classmethod
    def of(cls, windows: Mapping[str, int], *, policy: Policy | None = None) -> CategoryList:
        """A list of these codes and window days, their names made of the codes (tests)."""
        return cls(
            (
                Category(code=code, name_zh=code, name_en=code.title(), aftersales_window_days=days)
                for code, days in windows.items()
            ),
            policy=policy,
        )

    @classmethod
    def load(cls, path: Path | None, policy: Policy | None = None) -> CategoryList:
        """The list of the file at `path`, or the kit's defaults; `InvalidCategories` if
        the file is unreadable or wrong."""
        source = str(path) if path is not None else "the default category list"
        try:
            text = path.read_text("utf-8") if path is not None else _default_text()
            parsed = CategoryFile.model_validate(json.loads(text))
        except OSError as error:
            raise InvalidCategories(f"CATEGORIES_FILE {source}: cannot read it ({error})") from None
        except ValueError as error:  # not JSON, or a ValidationError (a ValueError too)
            raise InvalidCategories(f"{source}: {_described(error, text)}") from None
        return cls(parsed.categories, policy=policy, source=source)

    @property
    def codes(self) -> tuple[str, ...]:
        """Every code, in alphabetical order."""
        return tuple(sorted(self._by_code))

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Category]:
        return iter(self.entries)

    def get(self, code: str) -> Category | None:
        return self._by_code.get(code)

    def window_days(self, code: str) -> int:
        """R-AS-1: the category's after-sales window, or the longest for an unknown one."""
        entry = self._by_code.get(code)
        return self.unknown_window_days if entry is None else entry.aftersales_window_days

    def refusal(self) -> str:
        """What a request naming anything but a code is told."""
        return "not a category code; use one of: " + ", ".join(self.codes)

    def code_for(self, text: str) -> str | None:
        """The code `text` names (its code, English or Chinese name, whatever the case or
        surrounding spaces), or None: for data written before the list, never a guess."""
        wanted = text.strip().casefold()
        for entry in self.entries:
            if wanted in (entry.code, entry.name_en.casefold(), entry.name_zh.casefold()):
                return entry.code
        return None


def category_list(request: Request) -> CategoryList:
    """The route dependency that hands a route the process's list (its runtime's):
    `Annotated[CategoryList, Depends(category_list)]`."""
    categories: CategoryList = request.app.state.runtime.categories
    return categories


@cache
def default_categories() -> CategoryList:
    """The kit's default list under the default policy (unit tests' ports)."""
    return CategoryList.load(None)


def _default_text() -> str:
    return DEFAULTS_FILE.read_text("utf-8")


def _described(error: ValueError, text: str) -> str:
    """A parse error as `categories[3] ('toys').name_en: <problem>`, naming the entry by
    its code where the file gives one."""
    if not isinstance(error, ValidationError):
        return f"not JSON ({error})"
    first = error.errors()[0]
    location = list(first["loc"])
    path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in location)
    if len(location) >= 2 and location[0] == "categories" and isinstance(location[1], int):
        code = _code_at(text, location[1])
        if code is not None:
            path = path.replace(f"[{location[1]}]", f"[{location[1]}] ({code!r})", 1)
    return f"{path.lstrip('.')}: {first['msg']}"


def _code_at(text: str, index: int) -> Any:
    try:
        return json.loads(text)["categories"][index].get("code")
    except (ValueError, LookupError, TypeError, AttributeError):
        return None
