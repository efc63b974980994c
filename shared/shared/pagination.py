"""Opaque cursors of keyset pagination: the sort key of the last item of a page."""

from __future__ import annotations

import base64
import binascii
import re

from shared.errors import Unprocessable

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


def keyset(cursor: str | None, *, descending: bool = False) -> dict[str, str]:
    """The condition on a page's sort key (a `shared.clock.time_key`) after `cursor`; with no
    cursor, any key (keys are non-empty strings). A first page with no other condition names
    it all the same, so that an index on the key serves it: the embedded engine plans a query
    without conditions as a scan, whatever its sort (README, "The embedded engine")."""
    if not cursor:
        return {"$gt": ""}
    return {"$lt" if descending else "$gt": decode_cursor(cursor)}
