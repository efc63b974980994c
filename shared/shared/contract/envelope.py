"""The envelope every event travels in, and the one registry of event types.

The envelope is what a handler is given beside the payload; on the wire it is a
CloudEvent (`shared.contract.wire`), or, from a producer of the release before, the
platform's own JSON envelope, which consumers still read for one release."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field, ValidationError

from shared.contract.events import EVENT_MODELS
from shared.contract.types import ContractModel, UtcDateTime
from shared.contract.versions import current_version, upcast

#: Event type (= routing key) → payload model. The single source of truth.
REGISTRY: dict[str, type[ContractModel]] = {model.__name__: model for model in EVENT_MODELS}


class ContractViolation(ValueError):
    """A message that is not a valid event of this contract: never retried, parked."""


class NewerVersion(ContractViolation):
    """An event of a version newer than this service reads: parked at once, to be replayed
    once the service's new version is deployed (`shared.contract.versions`)."""


class Envelope(ContractModel):
    event_id: uuid.UUID
    event_type: str
    #: The version of `payload` as it was published (`shared.contract.versions`).
    schema_version: int = Field(1, ge=1)
    occurred_at: UtcDateTime
    producer: str
    correlation_id: str
    causation_id: str | None = None
    payload: dict[str, Any]

    def typed_payload(self) -> ContractModel:
        """The payload as the current version's model: an older version upcast, fields this
        version does not know ignored (a producer's compatible addition)."""
        model = REGISTRY.get(self.event_type)
        if model is None:
            raise ContractViolation(f"unknown event type {self.event_type!r}")
        version, reads = self.schema_version, current_version(self.event_type)
        if version > reads:
            raise NewerVersion(
                f"{self.event_type} version {version} is newer than this service reads "
                f"(version {reads}): deploy its new version, then replay this event"
            )
        try:
            payload = upcast(self.event_type, version, self.payload)
        except (ValueError, LookupError, TypeError) as error:
            raise ContractViolation(
                f"{self.event_type} version {version} cannot be read as version {reads}: {error}"
            ) from error
        try:
            return model.model_validate(payload, extra="ignore")
        except ValidationError as error:
            raise ContractViolation(f"invalid {self.event_type} payload: {error}") from error


def record_event(
    payload: ContractModel,
    *,
    producer: str,
    correlation_id: str,
    occurred_at: datetime,
    causation_id: str | None = None,
) -> Envelope:
    """Wrap a payload in a new envelope. The payload is a validated model by construction."""
    event_type = type(payload).__name__
    if REGISTRY.get(event_type) is not type(payload):
        raise ContractViolation(f"{event_type} is not a registered event")
    return Envelope(
        event_id=uuid.uuid4(),
        event_type=event_type,
        schema_version=current_version(event_type),
        occurred_at=occurred_at,
        producer=producer,
        correlation_id=correlation_id,
        causation_id=causation_id,
        payload=payload.model_dump(mode="json"),
    )
