"""Events on the wire: CloudEvents 1.0 in structured content mode.

Each message's body is one CloudEvent in the JSON event format, with content type
`application/cloudevents+json`:

```json
{"specversion": "1.0", "id": "<event_id>", "source": "/marketplace/orders",
 "type": "OrderCreated", "time": "2026-11-27T08:00:00Z",
 "datacontenttype": "application/json",
 "dataschema": "urn:marketplace:schema:OrderCreated:v2",
 "correlationid": "<the order or application it belongs to>",
 "causationid": "<id of the event that caused it>", "traceparent": "00-…",
 "data": {"order_id": "…"}}
```

**Why structured, not binary mode.** The body alone is the whole event, so it survives
every hop that copies a body but not its headers (the retry and dead-letter queues'
republication, a replay, an archive, a shovel), it is exactly what the outbox stored with
the change that caused it (no headers to rebuild at publication), and any CloudEvents
reader takes it with one call: the SDK's RabbitMQ binding (`from_structured`), its JSON
format, or a plain JSON parser. The AMQP properties still carry the id (`message_id`), the
type (`type`), the correlation and the time, for the broker's tools.

`type` is the event type, which is also the routing key and the AsyncAPI message name
(one name everywhere, rather than a reverse-DNS prefix the spec only recommends);
`dataschema` names the version's committed JSON Schema (`shared.contract.snapshots`);
`correlationid` and `causationid` are extension attributes (lowercase letters only, as the
spec requires), `traceparent` is the Distributed Tracing extension's.

For one release, consumers also read the platform's previous envelope (`event_type`,
`schema_version`, `payload` …, content type `application/json`), which producers of the
release before still publish during a rolling upgrade.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from shared.contract.envelope import ContractViolation, Envelope
from shared.contract.snapshots import dataschema
from shared.contract.types import ContractModel, UtcDateTime

CONTENT_TYPE = "application/cloudevents+json"
#: The content type of the envelope before CloudEvents: still read for one release.
LEGACY_CONTENT_TYPE = "application/json"
SOURCE_PREFIX = "/marketplace/"
_DATASCHEMA = re.compile(r"^urn:marketplace:schema:(?P<type>[A-Za-z]+):v(?P<version>[1-9][0-9]*)$")

Text = Annotated[str, StringConstraints(min_length=1)]


class CloudEvent(BaseModel):
    """The attributes the platform sends, as the CloudEvents spec and its JSON format
    define them; other attributes a sender adds are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    specversion: Literal["1.0"]
    id: Text
    source: Annotated[str, StringConstraints(pattern=r"^/marketplace/[a-z][a-z0-9-]*$")]
    type: Text
    time: UtcDateTime
    datacontenttype: Literal["application/json"]
    dataschema: Annotated[str, StringConstraints(pattern=_DATASCHEMA.pattern)]
    correlationid: str
    causationid: str | None = None
    traceparent: str | None = None
    data: dict[str, Any]


def to_wire(envelope: Envelope, traceparent: str | None = None) -> str:
    """The CloudEvent of `envelope`, in the JSON event format (the message body)."""
    return CloudEvent(
        specversion="1.0",
        id=str(envelope.event_id),
        source=SOURCE_PREFIX + envelope.producer,
        type=envelope.event_type,
        time=envelope.occurred_at,
        datacontenttype="application/json",
        dataschema=dataschema(envelope.event_type, envelope.schema_version),
        correlationid=envelope.correlation_id,
        causationid=envelope.causation_id,
        traceparent=traceparent,
        data=envelope.payload,
    ).model_dump_json(exclude_none=True)


def is_cloudevent(body: bytes) -> bool:
    """Whether `body` is a CloudEvent rather than the envelope of the release before."""
    return b'"specversion"' in body


def content_type_of(body: bytes) -> str:
    """The content type of a message with `body`: an outbox may still hold events stored
    in the previous envelope by the release before."""
    return CONTENT_TYPE if is_cloudevent(body) else LEGACY_CONTENT_TYPE


def parse_event(body: bytes) -> tuple[Envelope, ContractModel]:
    """A message body as its envelope and its payload in the current version's model: a
    CloudEvent, or the envelope of the release before. `ContractViolation` (parked, with
    why) when it is neither, or its payload cannot be read."""
    envelope = _from_cloudevent(body) if is_cloudevent(body) else _from_legacy(body)
    return envelope, envelope.typed_payload()


def _from_cloudevent(body: bytes) -> Envelope:
    try:
        event = CloudEvent.model_validate_json(body)
    except ValidationError as error:
        raise ContractViolation(f"invalid CloudEvent: {error}") from error
    named = _DATASCHEMA.match(event.dataschema)
    if named is None or named["type"] != event.type:
        raise ContractViolation(f"dataschema {event.dataschema!r} is not {event.type}'s schema")
    try:
        return Envelope.model_validate(
            {
                "event_id": event.id,
                "event_type": event.type,
                "schema_version": int(named["version"]),
                "occurred_at": event.time,
                "producer": event.source.removeprefix(SOURCE_PREFIX),
                "correlation_id": event.correlationid,
                "causation_id": event.causationid,
                "payload": event.data,
            }
        )
    except ValidationError as error:  # an id that is not a UUID
        raise ContractViolation(f"invalid CloudEvent: {error}") from error


def _from_legacy(body: bytes) -> Envelope:
    try:
        return Envelope.model_validate_json(body)
    except ValidationError as error:
        raise ContractViolation(f"invalid envelope: {error}") from error
