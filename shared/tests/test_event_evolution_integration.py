"""A rolling upgrade on the real broker: one consumer of this release beside producers of
the release before (the previous envelope, version 1 of `OrderCreated`), of this release
(a CloudEvent of version 2) and of the release after (a field it does not know yet, and a
version 3). It reads what it can, upcast to the model it handles; it parks at once what it
cannot, saying why and what to do; and it keeps consuming."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import pytest

from devkit.wait import eventually
from shared.contract import Envelope, to_wire
from shared.contract.events import OrderCreated
from shared.contract.snapshots import load
from shared.messaging.topology import ServiceQueue, declare_topology
from testkit import clock as run_clock
from testkit.bus import dead_letters, publish, start_consumer

pytestmark = pytest.mark.integration


@pytest.fixture
async def broker(amqp_url: str) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(amqp_url)
    await declare_topology(await connection.channel(), retry_delay_ms=1000)
    yield connection
    await connection.close()


def example(version: int, **changes: Any) -> dict[str, Any]:
    stored = load("OrderCreated", version)
    assert stored is not None
    return {**stored["examples"][0], **changes}


def sent(order_id: str, version: int, payload: dict[str, Any]) -> Envelope:
    return Envelope.model_validate(
        {
            "event_id": uuid.uuid4(),
            "event_type": "OrderCreated",
            "schema_version": version,
            "occurred_at": run_clock.now(),
            "producer": "orders",
            "correlation_id": order_id,
            "payload": {**payload, "order_id": order_id},
        }
    )


async def test_a_consumer_reads_the_producers_of_three_releases_and_parks_what_it_cannot(
    broker: aio_pika.abc.AbstractRobustConnection, amqp_url: str
) -> None:
    seen: dict[str, OrderCreated] = {}

    async def keep(envelope: Envelope, event: OrderCreated) -> None:
        seen[envelope.correlation_id] = event

    queue = ServiceQueue("aftersales", ("OrderCreated",))
    await start_consumer(broker, keep, queue, event=OrderCreated)
    previous = sent("o-previous", 1, example(1))  # "Home", in the previous envelope
    await publish(amqp_url, previous.model_dump_json().encode(), routing_key="OrderCreated")
    for envelope in (
        sent("o-v1", 1, example(1)),  # a CloudEvent of version 1: "Home"
        sent("o-current", 2, example(2)),
        sent("o-ahead", 2, example(2, gift_wrap=True)),  # a compatible addition
        sent("o-v3", 3, example(2, gift_wrap=True)),
        sent("o-unmapped", 1, example(1, items=[{**example(1)["items"][0], "category": "Gizmos"}])),
        sent("o-last", 2, example(2)),
    ):
        await publish(amqp_url, to_wire(envelope).encode(), routing_key="OrderCreated")

    async def parked_two() -> list[tuple[bytes, dict[str, Any]]] | None:
        parked = await dead_letters(amqp_url, "aftersales")
        return parked if len(parked) == 2 and "o-last" in seen else None

    parked = await eventually(parked_two, timeout=20, what="the last event and two parked")

    assert sorted(seen) == ["o-ahead", "o-current", "o-last", "o-previous", "o-v1"]
    assert {event.items[0].category for event in seen.values()} == {"home"}
    assert seen["o-ahead"] == seen["o-current"].model_copy(update={"order_id": "o-ahead"})
    reasons = {headers["x-error-type"]: headers for _, headers in parked}
    assert reasons.keys() == {"NewerVersion", "ContractViolation"}
    assert "OrderCreated version 3 is newer than this service reads (version 2)" in str(
        reasons["NewerVersion"]["x-error"]
    )
    assert "deploy its new version, then replay" in str(reasons["NewerVersion"]["x-error"])
    assert "'Gizmos' is neither a category code nor a category's name" in str(
        reasons["ContractViolation"]["x-error"]
    )
    assert all(headers["x-attempts"] == 1 for headers in reasons.values())  # at once
