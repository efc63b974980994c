"""Keyset pagination: pages in the order of a stored sort key, with opaque cursors.

`find_page` is the one way a service reads a page: the filter through `indexed` (the
engine's quirks), the keyset condition after the cursor, one document more than the page
to know whether another follows, and the next cursor from the last document's key. Sort
keys (`created_key` …) are computed by the repository on the way to storage
(`AggregateRepository(keys=...)`), not fields of domain models.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any, TypeVar

from shared.errors import Unprocessable
from shared.mongo import Collection, Document, indexed

T = TypeVar("T")

#: The shape of `shared.clock.time_key`.
TIME_KEY = re.compile(r"^\d{8}T\d{9}Z\|")


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode_cursor(cursor: str, *, time_keyed: bool = True) -> str:
    """The key a cursor of this API holds; 422 for anything this API did not give."""
    try:
        key = base64.urlsafe_b64decode(cursor.encode("ascii")).decode()
    except (ValueError, UnicodeError, binascii.Error):
        key = ""
    if not key or (time_keyed and not TIME_KEY.match(key)):
        raise Unprocessable("The cursor is not one this API gave; start again without a cursor.")
    return key


def keyset(
    cursor: str | None, *, descending: bool = False, time_keyed: bool = True
) -> dict[str, str]:
    """The condition on a page's sort key (a `shared.clock.time_key`) after `cursor`; with no
    cursor, any key (keys are non-empty strings). A first page with no other condition names
    it all the same, so that an index on the key serves it: the embedded engine plans a query
    without conditions as a scan, whatever its sort (README, "The embedded engine")."""
    if not cursor:
        return {"$gt": ""}
    return {"$lt" if descending else "$gt": decode_cursor(cursor, time_keyed=time_keyed)}


async def find_page(
    collection: Collection,
    query: dict[str, Any],
    read: Callable[[Document], T],
    *,
    key: str,
    limit: int,
    cursor: str | None,
    descending: bool = False,
    time_keyed: bool = True,
) -> tuple[list[T], str | None]:
    """Up to `limit` items matching `query` in `key` order after `cursor`, and the cursor
    of the next page (None on the last). A first page with no other condition names the
    key all the same (`keyset`)."""
    condition = dict(query)
    if cursor or not condition:
        condition[key] = keyset(cursor, descending=descending, time_keyed=time_keyed)
    documents = await (
        collection.find(indexed(condition))
        .sort(key, -1 if descending else 1)
        .limit(limit + 1)
        .to_list()
    )
    page = documents[:limit]
    more = len(documents) > limit
    return [read(document) for document in page], (
        encode_cursor(str(page[-1][key])) if more and page else None
    )
