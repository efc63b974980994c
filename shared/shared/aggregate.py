"""The base of every aggregate: identity, optimistic version, recorded events.

Aggregates are pure (no I/O). A command method changes state and *records* the events it
causes; the repository stores the new state and those events in one atomic write (the
outbox, see `shared.outbox`), and the relay publishes them afterwards.

`applied_events` holds the ids of incoming events already applied to this aggregate, so
a redelivered event has no second effect, atomically with the change it made.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr

from shared.contract.types import ContractModel

#: How many applied event ids an aggregate remembers (far more than one aggregate receives).
APPLIED_EVENTS_KEPT = 200


class Aggregate(BaseModel):
    model_config = ConfigDict(extra="ignore", validate_assignment=False)

    id: str
    version: int = 0
    applied_events: list[str] = []

    _recorded: list[ContractModel] = PrivateAttr(default_factory=list)
    # The outbox entries stored with this aggregate when its repository read or wrote it
    # (None: not read through a repository, so it may not be saved). Only
    # `shared.repository` writes it: the outbox is the repository's business.
    _stored_outbox: list[dict[str, Any]] | None = PrivateAttr(default=None)

    def record(self, event: ContractModel) -> None:
        self._recorded.append(event)

    def pull_events(self) -> list[ContractModel]:
        events, self._recorded = self._recorded, []
        return events

    def has_applied(self, event_id: str) -> bool:
        return event_id in self.applied_events

    def mark_applied(self, event_id: str) -> None:
        self.applied_events = [*self.applied_events, event_id][-APPLIED_EVENTS_KEPT:]

    def to_document(self) -> dict[str, Any]:
        document = self.model_dump(mode="python", exclude={"id"})
        document["_id"] = self.id
        return document

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Any:
        """The aggregate a stored document holds (its outbox is the repository's)."""
        return cls.model_validate({**document, "id": document["_id"]})
