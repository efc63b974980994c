"""The envelope every event travels in, and the one registry of event types."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import Field, ValidationError

from shared.contract.events import EVENT_MODELS
from shared.contract.types import ContractModel, UtcDateTime

#: Event type (= routing key) → payload model. The single source of truth.
REGISTRY: dict[str, type[ContractModel]] = {model.__name__: model for model in EVENT_MODELS}

SCHEMA_VERSION = 1


class ContractViolation(ValueError):
    """A message that is not a valid event of this contract: never retried, parked."""


class Envelope(ContractModel):
    event_id: uuid.UUID
    event_type: str
    schema_version: int = Field(SCHEMA_VERSION, ge=1)
    occurred_at: UtcDateTime
    producer: str
    correlation_id: str
    causation_id: str | None = None
    payload: dict[str, Any]

    def typed_payload(self) -> ContractModel:
        model = REGISTRY.get(self.event_type)
        if model is None:
            raise ContractViolation(f"unknown event type {self.event_type!r}")
        try:
            return model.model_validate(self.payload)
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
        occurred_at=occurred_at,
        producer=producer,
        correlation_id=correlation_id,
        causation_id=causation_id,
        payload=payload.model_dump(mode="json"),
    )


def parse_event(body: bytes) -> tuple[Envelope, ContractModel]:
    """Validate a message body: envelope, then payload. Raises ContractViolation."""
    try:
        envelope = Envelope.model_validate_json(body)
    except ValidationError as error:
        raise ContractViolation(f"invalid envelope: {error}") from error
    return envelope, envelope.typed_payload()
