"""The relay's fast path against the real broker and engine: a local write hands
its document to the relay, which publishes it without reading it back; what nobody offered
(a crashed process's events, another process's) is still found by the periodic read, even
under a steady stream of offers; an offer older than the stored aggregate loses nothing;
one newer than the pass's copy does not publish its confirmed entries again."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest

from devkit.wait import eventually
from shared.aggregate import Aggregate
from shared.clock import SystemClock
from shared.contract import parse_event
from shared.messaging.publisher import EventPublisher
from shared.messaging.topology import EXCHANGE, declare_topology
from shared.mongo import Database
from shared.outbox import OutboxRelay
from shared.repository import AggregateRepository
from testkit.factories import an_order_cancelled
from testkit.round_trips import RoundTrips, client

pytestmark = pytest.mark.integration


class Tally(Aggregate):
    count: int = 0


def counted(tally_id: str) -> Tally:
    tally = Tally(id=tally_id)
    tally.record(
        an_order_cancelled(order_id=tally_id, reason="buyer_cancelled", at=datetime.now(UTC))
    )
    return tally


@pytest.fixture
def recorder() -> RoundTrips:
    return RoundTrips()


@pytest.fixture
async def database(mongo_url: str, db_prefix: str, recorder: RoundTrips) -> AsyncIterator[Database]:
    mongo = client(mongo_url, recorder)
    yield mongo[f"{db_prefix}kit"]
    await mongo.close()


@pytest.fixture
async def publisher(amqp_url: str) -> AsyncIterator[EventPublisher]:
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    await declare_topology(channel, retry_delay_ms=1000)
    publisher = EventPublisher(connection, service="kit")
    await publisher.start()
    yield publisher
    await connection.close()


@pytest.fixture
async def tap(amqp_url: str) -> AsyncIterator[aio_pika.abc.AbstractQueue]:
    """A queue of every OrderCancelled published from now on."""
    connection = await aio_pika.connect(amqp_url)
    queue = await (await connection.channel()).declare_queue(exclusive=True)
    await queue.bind(EXCHANGE, routing_key="OrderCancelled")
    yield queue
    await connection.close()


async def drain_tap(queue: aio_pika.abc.AbstractQueue, ids: list[str]) -> list[str]:
    while (message := await queue.get(fail=False)) is not None:
        await message.ack()
        ids.append(parse_event(message.body)[0].correlation_id)
    return ids


def relay_of(database: Database, publisher: EventPublisher, poll: float) -> OutboxRelay:
    return OutboxRelay(
        [database["tallies"]], publisher, service="kit", clock=SystemClock(), idle_poll_seconds=poll
    )


async def offering_relay(
    database: Database, publisher: EventPublisher
) -> tuple[OutboxRelay, AggregateRepository[Tally]]:
    """A relay that has made its first read (nothing stored yet), and a repository whose
    writes offer it their documents."""
    relay = relay_of(database, publisher, poll=60)
    assert await relay.drain_once() == 0
    return relay, AggregateRepository(
        database["tallies"], Tally, producer="kit", on_outbox=relay.offer
    )


async def test_a_local_write_is_published_without_reading_it_back(
    database: Database,
    publisher: EventPublisher,
    recorder: RoundTrips,
    tap: aio_pika.abc.AbstractQueue,
) -> None:
    ids: list[str] = []
    relay, repository = await offering_relay(database, publisher)
    await repository.add(counted("t-1"), now=datetime.now(UTC))
    recorder.take()

    assert await relay.drain_once() == 1
    assert recorder.take() == [("update", "tallies")]  # the forget; no find
    stored = await database["tallies"].find_one({"_id": "t-1"})
    assert stored is not None
    assert stored["outbox"] == []
    assert await eventually(lambda: drain_tap(tap, ids), what="the event") == ["t-1"]


async def test_what_nobody_offered_is_found_while_offers_keep_coming(
    database: Database, publisher: EventPublisher
) -> None:
    left = AggregateRepository(database["tallies"], Tally, producer="kit")  # no relay here
    await left.add(counted("left-by-a-crash"), now=datetime.now(UTC))
    relay = relay_of(database, publisher, poll=0.2)
    assert await relay.drain_once() == 1  # the first pass reads: it is found at once
    await left.add(counted("left-meanwhile"), now=datetime.now(UTC))
    offering = AggregateRepository(
        database["tallies"], Tally, producer="kit", on_outbox=relay.offer
    )
    deadline = time.monotonic() + 10
    while await database["tallies"].count_documents({"_id": "left-meanwhile", "outbox": []}) == 0:
        assert time.monotonic() < deadline, "an unoffered event starved behind offered ones"
        await offering.add(counted(f"t-{uuid.uuid4().hex[:6]}"), now=datetime.now(UTC))
        await relay.drain_once()
    assert await database["tallies"].count_documents({"outbox_pending": True}) == 0


async def test_an_offer_older_than_the_stored_aggregate_loses_nothing(
    database: Database, publisher: EventPublisher, tap: aio_pika.abc.AbstractQueue
) -> None:
    ids: list[str] = []
    relay, offering = await offering_relay(database, publisher)
    elsewhere = AggregateRepository(database["tallies"], Tally, producer="kit")
    await offering.add(counted("t-1"), now=datetime.now(UTC))  # offered at version 1
    tally = await elsewhere.get("t-1")  # another process records a second event
    assert tally is not None
    tally.record(counted("t-1").pull_events()[0])
    await elsewhere.save(tally, now=datetime.now(UTC))

    await relay.drain_once()  # publishes the stale offer's event; its forget finds v2
    stored = await database["tallies"].find_one({"_id": "t-1"})
    assert stored is not None
    assert len(stored["outbox"]) == 1  # only the first event forgotten
    relay_reading = relay_of(database, publisher, poll=0)
    assert await relay_reading.drain_once() == 1
    assert await database["tallies"].count_documents({"outbox_pending": True}) == 0

    async def both() -> bool:
        return len(await drain_tap(tap, ids)) >= 2

    await eventually(both, what="both events")
    assert ids == ["t-1", "t-1"]


async def test_a_write_during_the_pass_does_not_publish_its_entries_twice(
    database: Database,
    publisher: EventPublisher,
    tap: aio_pika.abc.AbstractQueue,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids: list[str] = []
    relay, offering = await offering_relay(database, publisher)
    await offering.add(counted("t-1"), now=datetime.now(UTC))  # offered at version 1
    publish = publisher.publish_recorded

    async def then_saved(entry: dict[str, Any]) -> None:
        # The aggregate is saved again as its event is published: the save, recording
        # nothing, offers version 2 with the same entry still in it.
        await publish(entry)
        tally = await offering.get("t-1")
        assert tally is not None
        tally.count += 1
        await offering.save(tally, now=datetime.now(UTC))

    monkeypatch.setattr(publisher, "publish_recorded", then_saved)
    assert await relay.drain_once() == 1
    monkeypatch.setattr(publisher, "publish_recorded", publish)
    assert await relay.drain_once() == 0  # the newer copy held nothing more to publish
    stored = await database["tallies"].find_one({"_id": "t-1"})
    assert stored is not None
    assert (stored["outbox"], stored["count"]) == ([], 1)
    assert await eventually(lambda: drain_tap(tap, ids), what="the event") == ["t-1"]
    assert await drain_tap(tap, []) == []  # and no second copy after it
