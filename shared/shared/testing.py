"""Test support: fakes of the kit's ports, for unit tests of handlers and use cases
through a service's wiring, with no engine and no broker."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from shared.repository import A, AggregateRepository, AlreadyExists


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

    async def _find(self, aggregate_id: str) -> dict[str, Any] | None:
        document = self.documents.get(aggregate_id)
        return None if document is None else copy.deepcopy(document)

    async def _insert(self, document: dict[str, Any]) -> None:
        if document["_id"] in self.documents:
            raise AlreadyExists(document["_id"])
        self.documents[document["_id"]] = copy.deepcopy(document)

    async def _replace(self, version: int, document: dict[str, Any]) -> bool:
        stored = self.documents.get(document["_id"])
        if stored is None or stored["version"] != version:
            return False
        self.documents[document["_id"]] = copy.deepcopy(document)
        return True

    @property
    def writes(self) -> int:
        """Every stored version, added or saved, of every aggregate."""
        return sum(int(document["version"]) for document in self.documents.values())
