"""Aggregate storage with the transactional outbox in the same document.

`save` writes the aggregate's new state *and* the envelopes of the events it recorded in
one single-document write, guarded by the aggregate's version (optimistic concurrency).
Either both are stored or neither is, so no event is lost once its change is stored; the
relay (`shared.outbox`) publishes the entries and removes them after the broker's confirm.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, Generic, TypedDict, TypeVar, Unpack

from shared.aggregate import Aggregate
from shared.contract import record_event, to_wire
from shared.mongo import Collection, DuplicateKeyError
from shared.tracing import current_traceparent

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")

#: How often a command is retried when another writer changed the aggregate meanwhile.
MAX_CONFLICT_RETRIES = 20


class Causes(TypedDict, total=False):
    """What the events a write stores are part of: the correlation (default: the
    aggregate's id) and the event that caused them (a handler's incoming event)."""

    correlation_id: str | None
    causation_id: str | None


class ConcurrencyConflict(Exception):
    """The aggregate changed since it was read; reload and decide again."""


class AlreadyExists(Exception):
    """An aggregate with this id is already stored."""


class AggregateRepository(Generic[A]):
    def __init__(
        self,
        collection: Collection,
        model: type[A],
        *,
        producer: str,
        on_outbox: Callable[[Collection, dict[str, Any]], None] | None = None,
        keys: Mapping[str, Callable[[A], str]] | None = None,
        outbox: bool = True,
    ) -> None:
        """`on_outbox(collection, document)` runs after each write that stored events (the
        relay's `offer`: it publishes them at once). `keys` are the sort keys stored beside
        the aggregate for its queries' pages (`shared.pagination`), computed on each write.
        Without `outbox` (replicas, which publish nothing) documents carry no outbox."""
        self.collection = collection
        self._model = model
        self._producer = producer
        self._keys = dict(keys or {})
        self._outbox = outbox
        self._on_outbox = on_outbox

    async def get(self, aggregate_id: str) -> A | None:
        document = await self._find(aggregate_id)
        if document is None:
            return None
        aggregate: A = self._model.from_document(document)
        aggregate._stored_outbox = list(document.get("outbox", []))
        return aggregate

    async def add(self, aggregate: A, *, now: datetime, **causes: Unpack[Causes]) -> None:
        """Store a new aggregate with its events. Raises AlreadyExists."""
        document = self._stage(aggregate, now, causes)
        await self._insert(document)
        self._committed(aggregate, document)

    async def save(self, aggregate: A, *, now: datetime, **causes: Unpack[Causes]) -> None:
        """Store the new state and its events if nobody changed it since it was read
        (through this repository: one a query read holds no outbox to keep)."""
        if aggregate._stored_outbox is None:
            raise RuntimeError(f"{self._model.__name__} {aggregate.id} was not read by get()")
        expected = aggregate.version
        document = self._stage(aggregate, now, causes)
        if not await self._replace(expected, document):
            raise ConcurrencyConflict(f"{self._model.__name__} {aggregate.id} changed")
        self._committed(aggregate, document)

    # The storage itself, in three primitives (`shared.testing` keeps them in a dict).

    async def _find(self, aggregate_id: str) -> dict[str, Any] | None:
        return await self.collection.find_one({"_id": aggregate_id})

    async def _insert(self, document: dict[str, Any]) -> None:
        try:
            await self.collection.insert_one(document)
        except DuplicateKeyError as error:
            raise AlreadyExists(document["_id"]) from error

    async def _replace(self, version: int, document: dict[str, Any]) -> bool:
        """Replace the stored document if it is still at `version`."""
        result = await self.collection.replace_one(
            {"_id": document["_id"], "version": version}, document
        )
        return result.matched_count == 1

    def _stage(self, aggregate: A, now: datetime, causes: Causes) -> dict[str, Any]:
        envelopes = [
            record_event(
                event,
                producer=self._producer,
                occurred_at=now,
                correlation_id=causes.get("correlation_id") or aggregate.id,
                causation_id=causes.get("causation_id"),
            )
            for event in aggregate.pull_events()
        ]
        traceparent = current_traceparent()
        outbox = [
            *(aggregate._stored_outbox or []),
            *(
                {
                    "event_id": str(envelope.event_id),
                    "event_type": envelope.event_type,
                    "correlation_id": envelope.correlation_id,
                    "occurred_at": envelope.occurred_at,
                    "body": to_wire(envelope, traceparent),
                    "traceparent": traceparent,
                }
                for envelope in envelopes
            ),
        ]
        document = aggregate.to_document()
        document["version"] = aggregate.version + 1
        document.update({name: key(aggregate) for name, key in self._keys.items()})
        if self._outbox:
            document["outbox"] = outbox
            document["outbox_pending"] = bool(outbox)
        elif outbox:
            raise RuntimeError(f"{self._model.__name__} keeps no outbox, yet recorded events")
        return document

    def _committed(self, aggregate: A, document: dict[str, Any]) -> None:
        aggregate.version = document["version"]
        aggregate._stored_outbox = document.get("outbox", [])
        if document.get("outbox_pending") and self._on_outbox is not None:
            self._on_outbox(self.collection, document)


async def retry_on_conflict(command: Callable[[], Awaitable[T]]) -> T:
    """Run a load-decide-save command again while another writer wins the race."""
    for _ in range(MAX_CONFLICT_RETRIES):
        try:
            return await command()
        except ConcurrencyConflict:
            continue
    return await command()
