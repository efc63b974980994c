"""The outbox relay: publishes the events stored with aggregates, then forgets them.

An entry is removed from its aggregate's document only after the broker confirmed it,
so a crash at any point leaves it stored and the relay (of this process or, after a
restart, the next one) publishes it again. A second publication is harmless: consumers
are idempotent on `event_id`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from shared import metrics
from shared.clock import Clock
from shared.messaging.publisher import EventPublisher
from shared.mongo import Collection, IndexSpec

log = logging.getLogger("shared.outbox")

#: Aggregates with unpublished events are found through this index.
PENDING = "outbox_pending"


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

    def wake(self) -> None:
        """Called after a local write stored events: publish now, not at the next poll."""
        self._wake.set()

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
        for collection in self._collections:
            documents = (
                await collection.find({PENDING: True}, {"outbox": 1, "version": 1})
                .limit(self._batch)
                .to_list()
            )
            backlog += len(documents)
            times = [entry["occurred_at"] for document in documents for entry in document["outbox"]]
            oldest = min([*times, *([oldest] if oldest else [])], default=None)
            results = await asyncio.gather(
                *(self._relay(collection, document) for document in documents),
                return_exceptions=True,
            )
            failures = [result for result in results if isinstance(result, BaseException)]
            published += sum(result for result in results if isinstance(result, int))
            if failures:
                raise failures[0]
        metrics.OUTBOX_BACKLOG.labels(self._service).set(backlog)
        age = (self._clock.now() - oldest).total_seconds() if oldest is not None else 0.0
        metrics.OUTBOX_OLDEST_AGE.labels(self._service).set(max(age, 0.0))
        return published

    async def _relay(self, collection: Collection, document: dict[str, Any]) -> int:
        sent: set[str] = set()
        for entry in document.get("outbox", []):
            await self._publisher.publish(
                entry["body"].encode(), traceparent=entry.get("traceparent")
            )
            sent.add(entry["event_id"])
        await self._forget(collection, document, sent)
        return len(sent)

    async def _forget(
        self, collection: Collection, document: dict[str, Any], sent: set[str]
    ) -> None:
        """Remove the confirmed entries, keeping any the aggregate recorded meanwhile."""
        while document is not None:
            remaining = [e for e in document.get("outbox", []) if e["event_id"] not in sent]
            result = await collection.update_one(
                {"_id": document["_id"], "version": document["version"]},
                {"$set": {"outbox": remaining, PENDING: bool(remaining)}, "$inc": {"version": 1}},
            )
            if result.matched_count == 1:
                return
            found = await collection.find_one({"_id": document["_id"]}, {"outbox": 1, "version": 1})
            if found is None:
                return
            document = found
