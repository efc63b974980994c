"""The outbox relay: publishes the events stored with aggregates, then forgets them.

An entry is removed from its aggregate's document only after the broker confirmed it,
so a crash at any point leaves it stored and the relay (of this process or, after a
restart, the next one) publishes it again. A second publication is harmless: consumers
are idempotent on `event_id`.

A local write hands its document to the relay (`offer`), which publishes it without
reading it back (the read was one engine round-trip per event); the relay still
reads the pending aggregates whenever nothing was offered and at least every
`idle_poll_seconds`, so what a crashed process, another process or a failed pass left
stored is always found.
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
        self._collections = collections
        self._publisher = publisher
        self._service = service
        self._clock = clock
        self._idle_poll_seconds = idle_poll_seconds
        self._batch = batch
        self._wake = asyncio.Event()
        self._offered: dict[str, dict[Any, Document]] = {}
        self._last_read = float("-inf")

    def wake(self) -> None:
        """Publish now, not at the next poll."""
        self._wake.set()

    def offer(self, collection: Collection, document: Document) -> None:
        """A local write stored `document` with events: publish them now, from it."""
        offered = self._offered.setdefault(collection.name, {})
        known = offered.get(document["_id"])
        if known is not None and known["version"] >= document["version"]:
            return
        if known is not None or len(offered) < MAX_OFFERED:
            offered[document["_id"]] = {
                "_id": document["_id"], "version": document["version"],
                "outbox": list(document["outbox"]),
            }  # fmt: skip
        self.wake()

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
            published += sum(len(sent) for _, sent in confirmed)
            failures = [result for result in results if isinstance(result, BaseException)]
            if failures:
                raise failures[0]
        metrics.OUTBOX_BACKLOG.labels(self._service).set(backlog)
        age = (self._clock.now() - oldest).total_seconds() if oldest is not None else 0.0
        metrics.OUTBOX_OLDEST_AGE.labels(self._service).set(max(age, 0.0))
        return published

    async def _pending(self, collection: Collection, read_due: bool) -> list[Document]:
        """The offered documents; read from the collection too when nothing was offered or
        a read is due (each aggregate once, at the newest version known)."""
        offered = self._offered.pop(collection.name, {})
        if offered and not read_due:
            return list(offered.values())
        found = (
            await collection.find({PENDING: True}, {"outbox": 1, "version": 1})
            .limit(self._batch)
            .to_list()
        )
        for document in found:
            known = offered.get(document["_id"])
            if known is None or known["version"] < document["version"]:
                offered[document["_id"]] = document
        return list(offered.values())

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
        """Remove the confirmed entries, in one round-trip for the whole pass, keeping any
        entry an aggregate recorded meanwhile (its version then moved on)."""
        if not confirmed:
            return
        updates = [_forget_update(document, sent) for document, sent in confirmed]
        result = await collection.bulk_write(updates, ordered=False)
        if result.matched_count == len(updates):
            return
        for document, sent in confirmed:  # some aggregates changed meanwhile
            await self._forget_one(collection, document["_id"], sent)

    async def _forget_one(self, collection: Collection, aggregate_id: Any, sent: set[str]) -> None:
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
