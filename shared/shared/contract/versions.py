"""Each event type's versions, and the upcasters that read an older version as the
current one.

**How an event evolves.** Services are deployed one at a time, so for a while an older
consumer reads a newer producer's events and the other way round. A change to an event's
model is one of three kinds (`shared.contract.compatibility` decides which, from the
committed JSON Schema of each version, `shared/contract/schemas/`):

- **Compatible** (a field added that is optional, a description changed): the version
  stays. An older consumer ignores the field (consumers read payloads leniently about
  unknown fields, `shared.contract.wire`); `make contracts` updates the snapshot.
- **Compatible once consumers are deployed first** (an enum value or a type widened, a
  bound loosened, a required field made optional): the version stays, but an older
  consumer parks what it cannot read yet, so the consumers are deployed before the
  producer (or replay their dead letters after).
- **Incompatible** (a field removed or renamed, a field added or made required, a type
  narrowed or changed, an enum value removed): the event gets a new version, whose
  snapshot is written beside the old one, and an upcaster from the version before, here.

**Upcasters.** An upcaster turns version N's payload (a JSON object, as received) into
version N+1's; the consumer chains them up to the version it reads, then validates the
result with the current model, so each handler only ever sees the current model. An
upcaster is pure and total over valid payloads of its version: what it cannot map it
refuses with `ValueError` (the consumer parks the event with that reason), never guesses.

A consumer that receives a version newer than it reads parks the event at once with a
reason saying so (`shared.contract.wire.NewerVersion`): deploy the consumer's new version
first, then replay its dead letters. The producer's side is the other rule of the rolling
upgrade: a new version is published only once every consumer reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared.contract.types import CATEGORY_CODE_PATTERN

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]

#: The shipped category list: its names are what version 1 events may carry instead of
#: codes (`shared/data/categories.json`; a deployment's own list is not consulted, so an
#: unshipped category's name is refused, not guessed).
_CATEGORY_FILE = Path(__file__).resolve().parent.parent / "data" / "categories.json"


def _shipped_codes() -> dict[str, str]:
    """Every shipped category's code, English and Chinese name (case-folded) → its code."""
    names: dict[str, str] = {}
    for entry in json.loads(_CATEGORY_FILE.read_text("utf-8"))["categories"]:
        for name in (entry["code"], entry["name_en"], entry["name_zh"]):
            names[name.casefold()] = entry["code"]
    return names


_CODES = _shipped_codes()


def category_code(text: str) -> str:
    """Version 1's free-text category as a code (R-REV-11): a shipped category's code,
    English or Chinese name (whatever the case and surrounding spaces) as its code, any
    other text shaped as a code as it is; anything else is refused."""
    wanted = text.strip()
    if wanted.casefold() in _CODES:
        return _CODES[wanted.casefold()]
    if re.fullmatch(CATEGORY_CODE_PATTERN, wanted):
        return wanted
    raise ValueError(f"category {text!r} is neither a category code nor a category's name")


def _product_category(payload: Payload) -> Payload:
    """category as free text"""
    return {**payload, "category": category_code(payload["category"])}


def _order_lines_categories(payload: Payload) -> Payload:
    """the lines' categories as free text"""
    items = [{**line, "category": category_code(line["category"])} for line in payload["items"]]
    return {**payload, "items": items}


def _store_categories(payload: Payload) -> Payload:
    """categories as free text"""
    return {**payload, "categories": [category_code(text) for text in payload["categories"]]}


#: (event type, version) → its upcaster to the next version; its docstring says what the
#: version it reads differs in. Version 2 of these events carries category codes
#: (R-REV-11) where version 1 carried free text.
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    ("ProductApproved", 1): _product_category,
    ("ProductRejected", 1): _product_category,
    ("ProductDelisted", 1): _product_category,
    ("OrderCreated", 1): _order_lines_categories,
    ("OrderConfirmed", 1): _order_lines_categories,
    ("StoreUpdated", 1): _store_categories,
}


def current_version(event_type: str) -> int:
    """The version producers publish now: one past the newest upcaster (1 without any)."""
    return 1 + max((version for kind, version in UPCASTERS if kind == event_type), default=0)


def upcaster_summary(event_type: str, version: int) -> str | None:
    """What `version` differs in from the next, as its upcaster's docstring says (for the
    AsyncAPI document); None for the current version."""
    upcaster = UPCASTERS.get((event_type, version))
    if upcaster is None or not upcaster.__doc__:
        return None
    return upcaster.__doc__.strip()


def upcast(event_type: str, version: int, payload: Payload) -> Payload:
    """`payload`, of `version`, as the current version of `event_type` (not validated: the
    current model does that). `ValueError` when an upcaster cannot map it."""
    for step in range(version, current_version(event_type)):
        payload = UPCASTERS[event_type, step](payload)
    return payload
