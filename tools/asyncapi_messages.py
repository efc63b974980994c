"""The AsyncAPI messages of `tools/asyncapi.py` and their AMQP bindings: one message per
version of each event type, each a CloudEvent in structured content mode whose `data` is
that version's payload.

The current version's `data` is the model's serialization schema (what producers send);
an older version's is its committed snapshot
(`shared/contract/schemas/<type>/v<version>.json`), which is what was published then and
what consumers still read and upcast, copied into the document's schemas under
`<type>.v<version>` with its `$defs` renamed alike, so the document stands alone.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from shared.contract import REGISTRY
from shared.contract.snapshots import dataschema, load, versions_on_file
from shared.contract.versions import current_version, upcaster_summary
from shared.contract.wire import CONTENT_TYPE, SOURCE_PREFIX
from shared.messaging.topology import EXCHANGE

AMQP_BINDING_VERSION = "0.3.0"
SCHEMAS = "#/components/schemas/"
#: A snapshot's keywords that describe the file, not the payload (its `$id` would change
#: how the references inside it resolve once copied into the document).
SNAPSHOT_ONLY = ("$schema", "$id", "examples")


class SerializedSchema(GenerateJsonSchema):
    """JSON schema of what is sent: every field is always serialized (`model_dump`
    without exclusions), so a field with a default is still present in the message."""

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        if self.mode == "serialization" and field["type"] == "model-field":
            return True
        return super().field_is_required(field, total)


def model_schema(model: type[BaseModel], shared: dict[str, Any]) -> dict[str, Any]:
    """The serialization schema of `model`; its `$defs` are moved into `shared`."""
    schema = model.model_json_schema(
        mode="serialization",
        ref_template=SCHEMAS + "{model}",
        schema_generator=SerializedSchema,
    )
    for name, definition in schema.pop("$defs", {}).items():
        if shared.setdefault(name, definition) != definition:
            raise ValueError(f"two different schemas are both named {name!r}")
    return schema


def amqp_exchange_binding() -> dict[str, Any]:
    return {
        "amqp": {
            "bindingVersion": AMQP_BINDING_VERSION,
            "exchange": {
                "autoDelete": False,
                "durable": True,
                "name": EXCHANGE,
                "type": "topic",
                "vhost": "/",
            },
            "is": "routingKey",
        }
    }


def message_key(event_type: str, version: int) -> str:
    """The message's key in `components/messages` and in its channel's `messages`."""
    return f"{event_type}.v{version}"


def versions(event_type: str) -> list[int]:
    """Every version of `event_type`: those on file, and the current one."""
    return sorted({*versions_on_file(event_type), current_version(event_type)})


def snapshot_schema(event_type: str, version: int, shared: dict[str, Any]) -> dict[str, str]:
    """The committed snapshot of `version`, copied into `shared` as `<type>.v<version>`
    (its `$defs` beside it, prefixed alike), and a reference to it: the document stands
    alone, and what was published then is what it shows."""
    stored = load(event_type, version)
    if stored is None:
        raise ValueError(f"{event_type} v{version} has no snapshot: run `make contracts`")
    prefix = f"{event_type}.v{version}"
    text = json.dumps({key: value for key, value in stored.items() if key not in SNAPSHOT_ONLY})
    text = text.replace('"#/$defs/', f'"{SCHEMAS}{prefix}.')
    schema = json.loads(text)
    for name, definition in schema.pop("$defs", {}).items():
        shared[f"{prefix}.{name}"] = definition
    shared[prefix] = schema
    return {"$ref": f"{SCHEMAS}{prefix}"}


def _string(description: str, **keywords: Any) -> dict[str, Any]:
    return {"description": description, "type": "string", **keywords}


def cloudevent(
    event_type: str, version: int, producer: str, data: dict[str, Any]
) -> dict[str, Any]:
    """The schema of the message body: the CloudEvent carrying `data`."""
    urn = dataschema(event_type, version)
    properties = {
        "specversion": _string("The CloudEvents specification version.", const="1.0"),
        "id": _string(
            "The event id: unique to the event, the same on every redelivery and replay, "
            "and the AMQP `message_id`. Consumers are idempotent on it.",
            format="uuid",
        ),
        "source": _string("The service that published the event.", const=SOURCE_PREFIX + producer),
        "type": _string("The event type, also the routing key.", const=event_type),
        "time": _string("When the change the event records happened (UTC).", format="date-time"),
        "datacontenttype": _string("`data` is a JSON object.", const="application/json"),
        "dataschema": _string(
            f"The URN naming version {version}'s JSON Schema (the schema's `$id`).",
            const=urn,
            format="uri",
        ),
        "correlationid": _string(
            "Extension attribute: the order or application the event belongs to."
        ),
        "causationid": _string(
            "Extension attribute: the `id` of the event that caused this one; absent when "
            "no event did."
        ),
        "traceparent": _string(
            "The CloudEvents Distributed Tracing extension: the W3C Trace Context "
            "`traceparent` of the change that caused the event; absent outside a trace."
        ),
        "data": data,
    }
    optional = {"causationid", "traceparent"}
    return {
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "title": f"{event_type} v{version} CloudEvent",
        "type": "object",
    }


def _describe(event_type: str, version: int, producer: str) -> str:
    current = current_version(event_type)
    if version == current:
        older = "" if current == 1 else " Older versions are still read, upcast by consumers."
        return (
            f"Version {version}, the current one: published by `{producer}` with routing key "
            f"`{event_type}`, as a CloudEvent in structured content mode; consumers are "
            f"idempotent on its `id`.{older}"
        )
    change = upcaster_summary(event_type, version)
    named = f"Version {version} ({change})" if change else f"Version {version}"
    return (
        f"{named}: `{producer}` no longer publishes it, but consumers still read it, "
        f"upcast to version {current}."
    )


def message(event_type: str, version: int, producer: str, shared: dict[str, Any]) -> dict[str, Any]:
    """The message of `event_type` at `version`, published by `producer`; the current
    version's `$defs` go into `shared`, an older version's `data` is its snapshot, copied
    into `shared` too."""
    if version == current_version(event_type):
        data = model_schema(REGISTRY[event_type], shared)
    else:
        data = snapshot_schema(event_type, version, shared)
    return {
        "bindings": {"amqp": {"bindingVersion": AMQP_BINDING_VERSION, "messageType": event_type}},
        "contentType": CONTENT_TYPE,
        "correlationId": {
            "description": "The order or application the event belongs to.",
            "location": "$message.payload#/correlationid",
        },
        "description": _describe(event_type, version, producer),
        "name": event_type,
        "payload": cloudevent(event_type, version, producer, data),
        "title": f"{event_type} v{version}",
        "x-message-id": "$message.payload#/id",
    }
