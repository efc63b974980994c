"""Test support: fakes of the kit's ports, for unit tests of handlers and use cases
through a service's wiring, with no engine and no broker."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from shared.repository import A, AggregateRepository, AlreadyExists, ConcurrencyConflict


class InMemoryRepository(AggregateRepository[A]):
    """An aggregate repository in a dict, with the real one's rules: the same documents
    (events staged into the outbox), `AlreadyExists` on a second add, and a save refused
    with `ConcurrencyConflict` when the stored version moved. It has no collection: code
    that queries one directly is not for unit tests."""

    def __init__(
        self,
        model: type[A],
        *,
        producer: str = "test",
        keys: Mapping[str, Callable[[A], str]] | None = None,
        outbox: bool = True,
    ) -> None:
        self._model, self._producer, self._on_outbox = model, producer, None
        self._keys, self._outbox = dict(keys or {}), outbox
        self.documents: dict[str, dict[str, Any]] = {}

    async def get(self, aggregate_id: str) -> A | None:
        document = self.documents.get(aggregate_id)
        if document is None:
            return None
        aggregate: A = self._model.from_document(copy.deepcopy(document))
        return aggregate

    async def add(
        self,
        aggregate: A,
        *,
        now: datetime,
        correlation_id: str | None = None,
        causation_id: str | None = None,
    ) -> None:
        document = self._stage(aggregate, now, correlation_id, causation_id)
        if aggregate.id in self.documents:
            raise AlreadyExists(aggregate.id)
        self.documents[aggregate.id] = copy.deepcopy(document)
        self._committed(aggregate, document)

    async def save(
        self,
        aggregate: A,
        *,
        now: datetime,
        correlation_id: str | None = None,
        causation_id: str | None = None,
    ) -> None:
        stored = self.documents.get(aggregate.id)
        if stored is None or stored["version"] != aggregate.version:
            raise ConcurrencyConflict(f"{self._model.__name__} {aggregate.id} changed")
        document = self._stage(aggregate, now, correlation_id, causation_id)
        self.documents[aggregate.id] = copy.deepcopy(document)
        self._committed(aggregate, document)

    @property
    def writes(self) -> int:
        """Every stored version, added or saved, of every aggregate."""
        return sum(int(document["version"]) for document in self.documents.values())
