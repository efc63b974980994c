"""The outbox relay: publishes the events stored with aggregates, then forgets them.

One algorithm, whatever told the relay that a document holds unpublished entries:

1. **Candidates.** Per collection, the documents known to hold entries, each at the
   newest version known (`_learn`, the one version rule of the relay: an older version of
   a document never replaces a newer one). Two sources feed them: a local write hands its
   stored document over (`offer`: no read, since the read cost a round-trip per event),
   and a read of the pending index finds what a crashed process, another process or a
   failed pass left stored. The read runs whenever nothing was offered and at least every
   `idle_poll_seconds`.
2. **Publish.** Each candidate's entries in their order, candidates concurrently, each
   entry confirmed by the broker before the next.
3. **Forget.** The confirmed entries are removed by a write guarded by the candidate's
   version. If the document moved on meanwhile (its aggregate recorded more), the write
   misses; the document is read again and only the published ids are removed. A newer
   copy offered meanwhile loses the confirmed entries too, so this process does not
   publish them twice.

An entry leaves its document only after the broker's confirm, so a crash at any point
leaves it stored and it is published again: a second publication is harmless, consumers
being idempotent on `event_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from pymongo import UpdateOne

from shared import metrics
from shared.clock import Clock
from shared.costs import working
from shared.messaging.publisher import EventPublisher
from shared.mongo import Collection, Document, IndexSpec

log = logging.getLogger("shared.outbox")

#: Aggregates with unpublished events are found through this index.
PENDING = "outbox_pending"
#: Most documents kept offered per collection; beyond, offers wait for the next read.
MAX_OFFERED = 1000


def outbox_index(collection: str) -> IndexSpec:
    return IndexSpec(collection, [(PENDING, 1)])


class OutboxRelay:
    def __init__(
        self,
        collections: Sequence[Collection],
        publisher: EventPublisher,
        *,
        service: str,
        clock: Clock,
        idle_poll_seconds: float,
        batch: int = 100,
    ) -> None:
        self._collections, self._publisher = collections, publisher
        self._service, self._clock = service, clock
        self._idle_poll_seconds, self._batch = idle_poll_seconds, batch
        self._wake = asyncio.Event()
        self._candidates: dict[str, dict[Any, Document]] = {}
        self._last_read = float("-inf")

    def wake(self) -> None:
        """Publish now, not at the next poll."""
        self._wake.set()

    def offer(self, collection: Collection, document: Document) -> None:
        """A local write stored `document` with entries: a candidate, published now."""
        known = self._candidates.setdefault(collection.name, {})
        if document["_id"] in known or len(known) < MAX_OFFERED:
            self._learn(known, document)
        self.wake()

    @staticmethod
    def _learn(known: dict[Any, Document], document: Document) -> None:
        """Keep `document` as a candidate unless a newer version of it is known."""
        held = known.get(document["_id"])
        if held is None or held["version"] < document["version"]:
            known[document["_id"]] = {
                "_id": document["_id"],
                "version": document["version"],
                "outbox": list(document["outbox"]),
            }

    async def run(self) -> None:
        backoff = self._idle_poll_seconds
        while True:
            self._wake.clear()
            try:
                published = await self.drain_once()
                backoff = self._idle_poll_seconds
            except Exception as error:
                # Broker or database away: everything stays stored; try again later.
                log.warning("outbox relay paused: %r", error)
                backoff = min(max(backoff * 2, 0.1), 5.0)
                await asyncio.sleep(backoff)
                continue
            if published == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._idle_poll_seconds)

    async def drain_once(self) -> int:
        """One pass: every pending aggregate's events, aggregates relayed concurrently
        (each one's events in their order), each forgotten once confirmed."""
        published = 0
        backlog = 0
        oldest = None
        read_due = time.monotonic() - self._last_read >= self._idle_poll_seconds
        if read_due:
            self._last_read = time.monotonic()
        for collection in self._collections:
            documents = await self._pending(collection, read_due)
            backlog += len(documents)
            times = [entry["occurred_at"] for document in documents for entry in document["outbox"]]
            oldest = min([*times, *([oldest] if oldest else [])], default=None)
            results = await asyncio.gather(
                *(self._publish(document) for document in documents), return_exceptions=True
            )
            confirmed = [
                (document, sent)
                for document, sent in zip(documents, results, strict=True)
                if isinstance(sent, set)
            ]
            await self._forget(collection, confirmed)
            self._drop_confirmed(collection, confirmed)
            published += sum(len(sent) for _, sent in confirmed)
            failures = [result for result in results if isinstance(result, BaseException)]
            if failures:
                raise failures[0]
        metrics.OUTBOX_BACKLOG.labels(self._service).set(backlog)
        age = (self._clock.now() - oldest).total_seconds() if oldest is not None else 0.0
        metrics.OUTBOX_OLDEST_AGE.labels(self._service).set(max(age, 0.0))
        return published

    async def _pending(self, collection: Collection, read_due: bool) -> list[Document]:
        """This pass's candidates of `collection` (step 1): those offered, and those the
        pending index holds when nothing was offered or a read is due."""
        known = self._candidates.pop(collection.name, {})
        if not known or read_due:
            with working("relay poll"):  # what no write offered: periodic, not per event
                found = (
                    await collection.find({PENDING: True}, {"outbox": 1, "version": 1})
                    .limit(self._batch)
                    .to_list()
                )
            for document in found:
                self._learn(known, document)
        return list(known.values())

    async def _publish(self, document: dict[str, Any]) -> set[str]:
        """One aggregate's entries, in their order, each confirmed: their ids."""
        sent: set[str] = set()
        for entry in document.get("outbox", []):
            await self._publisher.publish_recorded(entry)
            sent.add(entry["event_id"])
        return sent

    async def _forget(
        self, collection: Collection, confirmed: Sequence[tuple[dict[str, Any], set[str]]]
    ) -> None:
        """Step 3: remove the confirmed entries, one round-trip for the whole pass, each
        write guarded by the candidate's version; a document that moved on is read again."""
        if not confirmed:
            return
        updates = [_forget_update(document, sent) for document, sent in confirmed]
        result = await collection.bulk_write(updates, ordered=False)
        if result.matched_count != len(updates):
            for document, sent in confirmed:  # some aggregates changed meanwhile
                await self._forget_one(collection, document["_id"], sent)
        forgotten = sum(len(sent) for _, sent in confirmed)
        metrics.EVENTS_FORGOTTEN.labels(self._service).inc(forgotten)

    def _drop_confirmed(
        self, collection: Collection, confirmed: Sequence[tuple[dict[str, Any], set[str]]]
    ) -> None:
        """A write of the same aggregate during the pass (one that recorded nothing more,
        say) offered a newer copy still holding the entries just confirmed: they are not
        published again from it."""
        known = self._candidates.get(collection.name, {})
        for document, sent in confirmed:
            held = known.get(document["_id"])
            if held is None:
                continue
            held["outbox"] = [entry for entry in held["outbox"] if entry["event_id"] not in sent]
            if not held["outbox"]:
                del known[document["_id"]]

    async def _forget_one(self, collection: Collection, aggregate_id: Any, sent: set[str]) -> None:
        """Remove `sent` from the document as it is now, keeping what it recorded since."""
        while True:
            document = await collection.find_one({"_id": aggregate_id}, {"outbox": 1, "version": 1})
            if document is None or not sent & {e["event_id"] for e in document.get("outbox", [])}:
                return
            result = await collection.update_one(*_forget_args(document, sent))
            if result.matched_count == 1:
                return


def _forget_args(document: dict[str, Any], sent: set[str]) -> tuple[Document, Document]:
    remaining = [e for e in document.get("outbox", []) if e["event_id"] not in sent]
    return (
        {"_id": document["_id"], "version": document["version"]},
        {"$set": {"outbox": remaining, PENDING: bool(remaining)}, "$inc": {"version": 1}},
    )


def _forget_update(document: dict[str, Any], sent: set[str]) -> UpdateOne:
    return UpdateOne(*_forget_args(document, sent))
