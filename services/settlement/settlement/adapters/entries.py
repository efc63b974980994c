"""The ledger as stored: one document per entry, `_id` its id (R-SET-5), append-only.

An insert of an id already posted is the same entry told again (a redelivery, another
process): a no-op if its lines are the same, `Implausible` otherwise (`Journal.post`'s
rule, the entry posted first standing). Each entry with a line on its store's `payable`
account (but a payout's own) is stored with `settled_by` "" (`OPEN`) until a payout
settles it, then the payout's id: the payout job finds what is left to pay by that field.
That field and `store_type` (its store's payout cycle) are the only things beside the
entry; the entry itself is never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from settlement.domain.ledger import Entry, Journal, payable
from shared.contract.types import StoreType
from shared.mongo import Collection, Document, DuplicateKeyError, indexed

#: `settled_by` of a payable line no payout settled yet.
OPEN = ""
#: `settled_by` of an entry with nothing for a payout to settle.
NOT_PAYABLE = "-"
#: More entries than one order ever gets (a few refunds, each corrected at most twice).
ENTRIES_PER_ORDER_MAX = 500


def to_document(entry: Entry, store_type: StoreType | None) -> Document:
    account = payable(entry.store_id) if entry.store_id is not None else None
    payable_line = entry.kind != "payout" and any(line.account == account for line in entry.lines)
    return {
        "_id": entry.entry_id,
        **entry.model_dump(),
        "settled_by": OPEN if payable_line else NOT_PAYABLE,
        "store_type": store_type,
    }


def from_document(document: Document) -> Entry:
    fields = {k: v for k, v in document.items() if k not in {"_id", "settled_by", "store_type"}}
    return Entry.model_validate(fields)


class Entries:
    """Posting entries, and every query settlement makes of them."""

    def __init__(self, entries: Collection) -> None:
        self._entries = entries

    async def post(self, entry: Entry, store_type: StoreType | None = None) -> bool:
        """Post `entry` once: False if it was posted already (with the same lines);
        `Implausible` if its id holds other lines."""
        try:
            await self._entries.insert_one(to_document(entry, store_type))
        except DuplicateKeyError:
            stored = await self._entries.find_one({"_id": entry.entry_id})
            if stored is None:  # never: a duplicate id is stored
                raise
            return Journal([from_document(stored)]).post(entry)
        return True

    async def get(self, entry_id: str) -> Entry | None:
        document = await self._entries.find_one({"_id": entry_id})
        return None if document is None else from_document(document)

    async def of_order(self, order_id: str) -> dict[str, Entry]:
        """An order's entries posted, by id."""
        found = self._entries.find(indexed({"order_id": order_id})).sort("at", 1)
        documents = await found.limit(ENTRIES_PER_ORDER_MAX).to_list()
        return {str(document["_id"]): from_document(document) for document in documents}

    async def of_merchant(
        self, merchant_id: str, since: datetime | None = None, until: datetime | None = None
    ) -> list[Entry]:
        """A merchant's entries dated in [since, until) (all of them by default), by date."""
        query: dict[str, Any] = {"merchant_id": merchant_id}
        when = _period(since, until)
        if when:
            query["at"] = when
        documents = await self._entries.find(indexed(query)).sort("at", 1).to_list()
        return [from_document(document) for document in documents]

    async def open_of_store(self, store_id: str, before: datetime) -> list[Entry]:
        """A store's payable lines dated before `before` that no payout settled yet."""
        query = {"store_id": store_id, "settled_by": OPEN, "at": {"$lt": before}}
        documents = await self._entries.find(indexed(query)).sort("at", 1).to_list()
        return [from_document(document) for document in documents]

    async def stores_with_open_lines(self, store_type: StoreType, before: datetime) -> list[str]:
        """The stores of `store_type` with payable lines dated before `before` not yet
        settled (R-SET-4): the payouts a cycle ending then may owe."""
        query = {"settled_by": OPEN, "store_type": store_type, "at": {"$lt": before}}
        found = self._entries.find(indexed(query), {"store_id": 1})
        return list(dict.fromkeys(str(document["store_id"]) for document in await found.to_list()))

    async def settle(self, entry_ids: Sequence[str], payout_id: str) -> None:
        """Mark these entries settled by `payout_id` (by `_id`; again: a no-op)."""
        if entry_ids:
            await self._entries.update_many(
                indexed({"_id": {"$in": list(entry_ids)}, "settled_by": OPEN}),
                {"$set": {"settled_by": payout_id}},
            )

    async def of_kinds(
        self,
        kinds: Iterable[str],
        since: datetime,
        until: datetime,
        merchant_id: str | None = None,
    ) -> list[Entry]:
        """Every entry of these kinds dated in [since, until), of one merchant's if
        `merchant_id`, kind by kind (no `$in`)."""
        found = []
        for kind in kinds:
            query: dict[str, Any] = {"kind": kind, "at": {"$gte": since, "$lt": until}}
            if merchant_id is not None:
                query["merchant_id"] = merchant_id
            documents = await self._entries.find(indexed(query)).sort("at", 1).to_list()
            found += [from_document(document) for document in documents]
        return found


def _period(since: datetime | None, until: datetime | None) -> dict[str, datetime]:
    when = {}
    if since is not None:
        when["$gte"] = since
    if until is not None:
        when["$lt"] = until
    return when
