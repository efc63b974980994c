"""The consumer's inbox: the ids of events a service has fully handled."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.batching import GroupCommit
from shared.contract import Envelope
from shared.mongo import DUPLICATE_KEY, BulkWriteError, Collection, Document


class Inbox:
    """Ids of events this service has fully handled: the fast path of idempotency.

    Handlers are idempotent by themselves (the aggregate remembers the events applied to
    it, in the same write as the change); the inbox spares the work of a known duplicate.
    Lookups and records of concurrent deliveries share round-trips (group commit).
    """

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self._lookups: GroupCommit[str, bool] = GroupCommit(self._seen_many)
        self._records: GroupCommit[Document, None] = GroupCommit(self._remember_many)

    async def seen(self, event_id: str) -> bool:
        return await self._lookups.submit(event_id)

    async def remember(self, envelope: Envelope, handled_at: Any, hop_seconds: float) -> None:
        await self._records.submit(
            {
                "_id": str(envelope.event_id),
                "event_type": envelope.event_type,
                "handled_at": handled_at,
                "hop_seconds": hop_seconds,
            }
        )

    async def _seen_many(self, event_ids: Sequence[str]) -> list[bool]:
        found = await self.collection.find({"_id": {"$in": list(event_ids)}}, {"_id": 1}).to_list()
        known = {document["_id"] for document in found}
        return [event_id in known for event_id in event_ids]

    async def _remember_many(self, documents: Sequence[Document]) -> list[None]:
        try:
            await self.collection.insert_many(list(documents), ordered=False)
        except BulkWriteError as error:
            # A duplicate key: handled concurrently by another consumer; the effect
            # happened once. Anything else is a real failure.
            if any(e.get("code") != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise
            if error.details.get("writeConcernErrors"):
                raise
        return [None] * len(documents)
