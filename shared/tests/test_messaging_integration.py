"""The kit against the real broker and engine: outbox, consumer (idempotent handlers), dead
letters."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import aio_pika
import pytest
from prometheus_client import REGISTRY
from pymongo.errors import ServerSelectionTimeoutError

from devkit.broker import as_service
from devkit.wait import eventually
from shared.aggregate import Aggregate
from shared.clock import SystemClock
from shared.contract import Envelope, parse_event, to_wire
from shared.contract.events import OrderCancelled
from shared.errors import Implausible, NotYetKnown
from shared.messaging.handlers import Handler
from shared.messaging.publisher import EventPublisher
from shared.messaging.topology import EXCHANGE, ServiceQueue, declare_topology
from shared.mongo import Database, connect
from shared.outbox import OutboxRelay
from shared.repository import AggregateRepository
from testkit import clock as run_clock
from testkit.bus import dead_letters, publish, recorded, start_consumer
from testkit.factories import an_order_cancelled

pytestmark = pytest.mark.integration


class Tally(Aggregate):
    count: int = 0


def cancellation(order_id: str) -> OrderCancelled:
    return an_order_cancelled(order_id=order_id, reason="buyer_cancelled", at=run_clock.now())


@pytest.fixture
async def database(mongo_url: str, db_prefix: str) -> AsyncIterator[Database]:
    client = connect(mongo_url, app_name="kit-test")
    yield client[f"{db_prefix}kit"]
    await client.close()


@pytest.fixture
async def broker(amqp_url: str) -> AsyncIterator[aio_pika.abc.AbstractRobustConnection]:
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    await declare_topology(channel, retry_delay_ms=1000)
    yield connection
    await connection.close()


Consume = Callable[[Handler], Awaitable[EventPublisher]]


@pytest.fixture
def consume(broker: aio_pika.abc.AbstractRobustConnection) -> Consume:
    """`await consume(handler)`: the kit's consumer of `OrderCancelled` on aftersales' queue
    (`testkit.bus.start_consumer`), `handler` its handler."""
    queue = ServiceQueue("aftersales", ("OrderCancelled",))

    async def start(handler: Handler) -> EventPublisher:
        return await start_consumer(broker, handler, queue)

    return start


async def both_parked(amqp_url: str) -> list[tuple[bytes, dict[str, Any]]]:
    """The two messages parked in aftersales' dead-letter queue, once both are there."""

    async def two() -> list[tuple[bytes, dict[str, Any]]] | None:
        parked = await dead_letters(amqp_url, "aftersales")
        return parked if len(parked) == 2 else None

    return await eventually(two, timeout=20, what="two parked messages")


async def tap(
    connection: aio_pika.abc.AbstractRobustConnection, event_type: str
) -> aio_pika.abc.AbstractQueue:
    channel = await connection.channel()
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(EXCHANGE, routing_key=event_type)
    return queue


async def test_events_stored_before_a_crash_are_published_by_the_next_relay(
    database: Database, broker: aio_pika.abc.AbstractRobustConnection
) -> None:
    tapped = await tap(broker, "OrderCancelled")
    repository = AggregateRepository(database["tallies"], Tally, producer="kit")
    tally = Tally(id=str(uuid.uuid4()))
    tally.record(cancellation(tally.id))
    # Stored with its event, and the process "dies": no relay ever ran.
    await repository.add(tally, now=run_clock.now())
    stored = await database["tallies"].find_one({"_id": tally.id})
    assert stored is not None
    assert stored["outbox_pending"] is True

    publisher = EventPublisher(broker, service="kit")
    await publisher.start()
    relay = OutboxRelay(
        [database["tallies"]], publisher, service="kit", clock=SystemClock(), idle_poll_seconds=0.1
    )
    assert await relay.drain_once() == 1

    message = await eventually(lambda: tapped.get(fail=False), what="the relayed event")
    envelope, payload = parse_event(message.body)
    assert envelope.correlation_id == tally.id
    assert isinstance(payload, OrderCancelled)
    after = await database["tallies"].find_one({"_id": tally.id})
    assert after is not None
    assert after["outbox"] == []
    assert not after["outbox_pending"]  # (the embedded engine reads a $set False as 0)


def consumed() -> float:
    """Deliveries of `OrderCancelled` the kit's consumers in this process have handled."""
    labels = {"service": "aftersales", "event_type": "OrderCancelled"}
    return REGISTRY.get_sample_value("events_consumed_total", labels) or 0.0


async def handled_since(before: float, count: int, what: str) -> None:
    async def all_handled() -> bool:
        return consumed() - before >= count

    await eventually(all_handled, timeout=20, what=what)


async def test_a_redelivered_event_has_no_second_effect(
    consume: Consume, database: Database, amqp_url: str
) -> None:
    """No inbox: a redelivered event runs its handler again, and the aggregate, which keeps
    the ids of the events it applied in the same versioned write, is left as it was."""
    repository = AggregateRepository(database["tallies"], Tally, producer="kit")
    await repository.add(Tally(id="t"), now=run_clock.now())
    calls: list[str] = []

    async def count(envelope: Envelope, event: OrderCancelled) -> None:
        calls.append(str(envelope.event_id))
        tally = await repository.get("t")
        assert tally is not None
        if tally.has_applied(str(envelope.event_id)):
            return
        tally.mark_applied(str(envelope.event_id))
        tally.count += 1
        await repository.save(tally, now=run_clock.now())

    await consume(count)
    envelope = recorded(cancellation("o-1"), producer="orders", correlation_id="o-1")
    before = consumed()
    await publish(amqp_url, envelope)
    await handled_since(before, 1, "the event handled")
    first = await database["tallies"].find_one({"_id": "t"})
    assert first is not None
    await publish(amqp_url, envelope, times=2)
    await handled_since(before, 3, "both copies handled again")
    assert calls == [str(envelope.event_id)] * 3  # the handler ran for each copy
    assert await database["tallies"].find_one({"_id": "t"}) == first  # and changed nothing
    tally = await repository.get("t")
    assert tally is not None
    assert tally.count == 1


async def test_a_failing_message_is_parked_and_later_ones_still_flow(
    consume: Consume, amqp_url: str
) -> None:
    handled: list[str] = []

    async def picky(envelope: Envelope, event: OrderCancelled) -> None:
        if event.order_id == "poison":
            raise RuntimeError("this order cannot be handled")
        handled.append(event.order_id)

    await consume(picky)
    poison = recorded(cancellation("poison"), producer="orders", correlation_id="poison")
    await publish(amqp_url, poison)
    await publish(amqp_url, b"{not an event", routing_key="OrderCancelled")
    for index in range(3):
        await publish(
            amqp_url,
            recorded(cancellation(f"good-{index}"), producer="orders", correlation_id="g"),
        )

    async def all_good_handled() -> bool:
        return len(handled) == 3

    await eventually(all_good_handled, what="the good messages")

    parked = await both_parked(amqp_url)
    reasons = {headers["x-error-type"]: headers for _, headers in parked}
    assert reasons["RuntimeError"]["x-attempts"] == 3
    assert "cannot be handled" in str(reasons["RuntimeError"]["x-error"])
    assert reasons["ContractViolation"]["x-attempts"] == 1  # never retried: it cannot succeed
    assert sorted(handled) == ["good-0", "good-1", "good-2"]


async def test_an_implausible_event_is_parked_at_once_one_not_yet_known_after_its_attempts(
    consume: Consume, amqp_url: str
) -> None:
    calls: list[str] = []

    async def judging(envelope: Envelope, event: OrderCancelled) -> None:
        calls.append(event.order_id)
        if event.order_id == "forged":
            raise Implausible("a refund above the order's total can never be true")
        raise NotYetKnown(f"unknown order {event.order_id}")

    await consume(judging)
    for order_id in ("forged", "early"):
        await publish(
            amqp_url, recorded(cancellation(order_id), producer="orders", correlation_id=order_id)
        )

    parked = await both_parked(amqp_url)
    reasons = {headers["x-error-type"]: headers for _, headers in parked}
    assert reasons["Implausible"]["x-attempts"] == 1  # never retried: it can never be true
    assert reasons["Implausible"]["x-error"] == (
        "Implausible: a refund above the order's total can never be true"
    )
    assert reasons["NotYetKnown"]["x-attempts"] == 3  # retried: what it needs may come
    assert reasons["NotYetKnown"]["x-error"] == "NotYetKnown: unknown order early"
    assert sorted(calls) == ["early", "early", "early", "forged"]


async def test_an_unroutable_publish_raises_instead_of_vanishing(
    broker: aio_pika.abc.AbstractRobustConnection,
) -> None:
    publisher = EventPublisher(broker, service="kit")
    await publisher.start()
    with pytest.raises(aio_pika.exceptions.DeliveryError):
        await publisher.publish_to(
            routing_key="NoQueueIsBoundToThis",
            body=b"{}",
            message_id="m-1",
            event_type="NoQueueIsBoundToThis",
            correlation_id="c",
            timestamp=run_clock.now(),
        )


async def test_a_database_outage_spends_no_attempt_and_parks_nothing(
    consume: Consume, amqp_url: str
) -> None:
    calls: list[str] = []

    async def flaky(envelope: Envelope, event: OrderCancelled) -> None:
        calls.append(event.order_id)
        if len(calls) <= 4:  # more failures than the 3 attempts allowed
            raise ServerSelectionTimeoutError("engine away")

    await consume(flaky)
    envelope = recorded(cancellation("o-outage"), producer="orders", correlation_id="o")
    before = consumed()
    await publish(amqp_url, envelope)
    await handled_since(before, 1, "the event handled once the database is back")
    assert len(calls) == 5
    assert await dead_letters(amqp_url, "aftersales") == []


def hop_sample(suffix: str, **labels: str) -> float:
    """A sample of `event_hop_seconds` for the kit's consumer of `OrderCancelled`."""
    found = REGISTRY.get_sample_value(
        f"event_hop_seconds{suffix}",
        {"service": "aftersales", "event_type": "OrderCancelled", **labels},
    )
    return found or 0.0


async def test_concurrent_deliveries_are_all_handled_each_with_its_hop_time(
    consume: Consume, amqp_url: str
) -> None:
    """Many events delivered at once (up to the prefetch in flight): each handled once, and
    each one's hop (publication, the publisher's header → handled) observed in
    `event_hop_seconds`."""
    handled: list[str] = []

    async def handle(envelope: Envelope, event: OrderCancelled) -> None:
        handled.append(str(envelope.event_id))

    await consume(handle)
    # As orders' own user: the consumer takes an OrderCancelled from nobody else.
    orders = await aio_pika.connect_robust(as_service(amqp_url, "orders"))
    publisher = EventPublisher(orders, service="orders")
    await publisher.start()
    envelopes = [
        recorded(cancellation(f"o-{i}"), producer="orders", correlation_id=f"o-{i}")
        for i in range(40)
    ]
    hops, total = hop_sample("_count"), hop_sample("_sum")
    within_30s, before = hop_sample("_bucket", le="30.0"), consumed()
    await asyncio.gather(*(publisher.publish(to_wire(envelope).encode()) for envelope in envelopes))
    await handled_since(before, 40, "40 events handled")
    await orders.close()
    assert sorted(handled) == sorted(str(envelope.event_id) for envelope in envelopes)
    assert hop_sample("_count") - hops == 40
    # Measured from the header: above nothing, and far from the epoch.
    assert hop_sample("_sum") - total > 0
    assert hop_sample("_bucket", le="30.0") - within_30s == 40


async def test_the_relay_keeps_an_event_recorded_while_it_was_publishing(
    database: Database, broker: aio_pika.abc.AbstractRobustConnection
) -> None:
    """The relay forgets a pass's entries in one bulk write guarded by each aggregate's
    version; an aggregate that recorded a new event meanwhile keeps that event pending."""
    repository = AggregateRepository(database["tallies"], Tally, producer="kit")
    tallies = [Tally(id=f"t-{i}") for i in range(5)]
    for tally in tallies:
        tally.record(cancellation(tally.id))
        await repository.add(tally, now=run_clock.now())

    class Interleaving(EventPublisher):
        """Publishes; for t-2's first event, t-2 records a second one meanwhile."""

        async def publish_recorded(self, entry: Mapping[str, Any]) -> None:
            await super().publish_recorded(entry)
            if entry["correlation_id"] == "t-2" and not interleaved:
                interleaved.append(entry["event_id"])
                tally = await repository.get("t-2")
                assert tally is not None
                tally.record(cancellation("t-2"))
                await repository.save(tally, now=run_clock.now())

    interleaved: list[object] = []
    publisher = Interleaving(broker, service="kit")
    await publisher.start()
    relay = OutboxRelay(
        [database["tallies"]], publisher, service="kit", clock=SystemClock(), idle_poll_seconds=0.1
    )
    assert await relay.drain_once() == 5
    pending = await database["tallies"].find({"outbox_pending": True}).to_list()
    assert [document["_id"] for document in pending] == ["t-2"]
    assert len(pending[0]["outbox"]) == 1
    assert pending[0]["outbox"][0]["event_id"] != str(interleaved[0])
    assert await relay.drain_once() == 1
    assert await database["tallies"].count_documents({"outbox_pending": True}) == 0
