"""The events of a real journey, captured off the bus, are CloudEvents the CloudEvents SDK
reads unchanged (its RabbitMQ binding, as another team's consumer would use it): each one's
attributes agree with the message's AMQP properties and with the event we recorded."""

from __future__ import annotations

import pytest
from cloudevents.core.bindings.rabbitmq import RabbitMQMessage, from_rabbitmq
from cloudevents.core.formats.json import JSONFormat

from devkit.wait import eventually
from shared.contract import CONTENT_TYPE
from shared.contract.versions import current_version
from testkit.platforms import StartPlatform
from testkit.tap import traced_order, watched_cast

pytestmark = pytest.mark.e2e

JOURNEY = ("StoreApproved", "ProductApproved", "OrderCreated", "OrderConfirmed", "ShipmentCreated")


async def test_the_sdk_reads_every_event_of_a_real_journey(start_platform: StartPlatform) -> None:
    running = start_platform()
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        order, traceparent = await traced_order(operator, merchant, buyer)

        async def all_seen() -> bool:
            return all(tap.of_type(kind) for kind in JOURNEY)

        await eventually(all_seen, what="every event of the journey")
        read = 0
        for envelope, body in zip(tap.events, tap.bodies, strict=True):
            event_id = str(envelope.event_id)
            headers = {key: str(value) for key, value in tap.headers[event_id].items()}
            assert tap.content_types[event_id] == CONTENT_TYPE
            message = RabbitMQMessage(headers=headers, content_type=CONTENT_TYPE, body=body)

            event = from_rabbitmq(message, JSONFormat())

            kind = envelope.event_type
            assert event.get_id() == event_id
            assert event.get_type() == kind
            assert event.get_source() == f"/marketplace/{envelope.producer}"
            assert event.get_time() == envelope.occurred_at
            assert event.get_dataschema() == (
                f"urn:marketplace:schema:{kind}:v{current_version(kind)}"
            )
            assert event.get_extension("correlationid") == envelope.correlation_id
            assert event.get_extension("traceparent") == headers.get("traceparent")
            assert event.get_data() == envelope.payload
            read += 1
        assert read >= len(JOURNEY)
        confirmed = tap.of_type("OrderConfirmed", order["order_id"])[0]
        header = tap.headers[str(confirmed.event_id)]["traceparent"]
        assert str(header).split("-")[1] == traceparent.split("-")[1]
