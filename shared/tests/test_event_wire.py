"""Events on the wire are CloudEvents 1.0 (structured content mode): the CloudEvents SDK
reads ours unchanged, as another team's consumer would, and we read one its producer
makes; a message that is not a CloudEvent of this contract is refused with why."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from cloudevents.core.base import BaseCloudEvent
from cloudevents.core.bindings.rabbitmq import (
    RabbitMQMessage,
    from_rabbitmq,
    from_structured,
    to_structured,
)
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from shared.contract import CONTENT_TYPE, REGISTRY, ContractViolation, parse_event, to_wire
from shared.contract.envelope import record_event
from shared.contract.snapshots import load
from shared.contract.versions import current_version
from testkit import clock as run_clock

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def current_example(kind: str) -> dict[str, Any]:
    stored = load(kind, current_version(kind))
    assert stored is not None
    example: dict[str, Any] = stored["examples"][0]
    return example


def as_sdk_reads_it(body: str) -> BaseCloudEvent:
    message = RabbitMQMessage(headers={}, content_type=CONTENT_TYPE, body=body.encode())
    return from_structured(message, JSONFormat())


@pytest.mark.parametrize("kind", list(REGISTRY))
def test_the_cloudevents_sdk_reads_every_event_type_as_we_sent_it(kind: str) -> None:
    payload = REGISTRY[kind].model_validate(current_example(kind))
    envelope = record_event(
        payload,
        producer="orders",
        correlation_id="order-1",
        occurred_at=run_clock.now(),
        causation_id=str(uuid.uuid4()),
    )
    body = to_wire(envelope, TRACEPARENT)

    event = as_sdk_reads_it(body)

    assert event.get_specversion() == "1.0"
    assert event.get_id() == str(envelope.event_id)
    assert event.get_source() == "/marketplace/orders"
    assert event.get_type() == kind
    assert event.get_time() == envelope.occurred_at
    assert event.get_datacontenttype() == "application/json"
    assert event.get_dataschema() == f"urn:marketplace:schema:{kind}:v{current_version(kind)}"
    assert event.get_extension("correlationid") == "order-1"
    assert event.get_extension("causationid") == envelope.causation_id
    assert event.get_extension("traceparent") == TRACEPARENT
    assert event.get_data() == payload.model_dump(mode="json")
    assert (
        from_rabbitmq(
            RabbitMQMessage(headers={}, content_type=CONTENT_TYPE, body=body.encode()), JSONFormat()
        ).get_attributes()
        == event.get_attributes()
    )


def test_we_read_a_cloudevent_another_teams_producer_made_with_the_sdk() -> None:
    data = current_example("Shipped")
    made = CloudEvent(
        {
            "id": str(uuid.uuid4()),
            "source": "/marketplace/logistics",
            "type": "Shipped",
            "time": run_clock.now(),
            "datacontenttype": "application/json",
            "dataschema": "urn:marketplace:schema:Shipped:v1",
            "correlationid": "order-1",
            "subject": "shipment-1",  # an attribute we do not use: ignored
        },
        data,
    )
    message = to_structured(made, JSONFormat())
    assert message.content_type == CONTENT_TYPE

    envelope, payload = parse_event(message.body)

    assert str(envelope.event_id) == made.get_id()
    assert envelope.producer == "logistics"
    assert envelope.correlation_id == "order-1"
    assert payload == REGISTRY["Shipped"].model_validate(data)


def a_cloudevent(**changes: Any) -> bytes:
    event = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "/marketplace/logistics",
        "type": "Shipped",
        "time": "2026-11-27T08:00:00Z",
        "datacontenttype": "application/json",
        "dataschema": "urn:marketplace:schema:Shipped:v1",
        "correlationid": "order-1",
        "data": current_example("Shipped"),
    }
    return json.dumps({**event, **changes}).encode()


def test_a_valid_cloudevent_is_read() -> None:
    assert parse_event(a_cloudevent())[0].event_type == "Shipped"


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"specversion": "0.3"}, "specversion"),
        ({"id": "not-a-uuid"}, "event_id"),
        ({"source": "https://elsewhere.example/x"}, "source"),
        ({"dataschema": "urn:marketplace:schema:Delivered:v1"}, "is not Shipped's schema"),
        ({"dataschema": "https://schemas.example/shipped.json"}, "dataschema"),
        ({"datacontenttype": "application/xml"}, "datacontenttype"),
        ({"type": "Teleported", "dataschema": "urn:marketplace:schema:Teleported:v1"}, "unknown"),
        ({"data": {"order_id": "order-1"}}, "invalid Shipped payload"),
        ({"time": "2026-11-27T08:00:00"}, "offset"),
    ],
)
def test_a_message_that_is_not_a_cloudevent_of_the_contract_is_refused_with_why(
    changes: dict[str, Any], why: str
) -> None:
    with pytest.raises(ContractViolation, match=why):
        parse_event(a_cloudevent(**changes))
