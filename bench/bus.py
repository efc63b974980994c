"""The platform's bus (issue #9, 2): events stored with their aggregates (outbox),
published by the relay with confirms, handled by the idempotent consumer."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import aio_pika

from shared.aggregate import Aggregate
from shared.clock import SystemClock
from shared.contract import Envelope
from shared.contract.events import OrderCancelled
from shared.messaging.consumer import EventConsumer, Inbox
from shared.messaging.publisher import EventPublisher
from shared.messaging.topology import QUEUES, declare_topology
from shared.mongo import Database
from shared.outbox import PENDING, OutboxRelay
from shared.repository import AggregateRepository
from shared.settings import ServiceSettings


class Cart(Aggregate):
    state: str = "open"


@dataclass(frozen=True)
class BusFigures:
    relayed: float
    """Events/s from stored outbox entries to handled: publisher, relay and consumer."""
    with_store: float
    """Events/s including each event's producer write (the change and its outbox entry)."""


async def platform_bus(amqp_url: str, database: Database, count: int) -> BusFigures:
    """The bus twice: events already stored (what the relay and consumer cost), then
    stored while the relay and consumer run (the producer's write included)."""
    return BusFigures(
        relayed=await _run(amqp_url, database, count, store_first=True),
        with_store=await _run(amqp_url, database, count, store_first=False),
    )


async def _run(amqp_url: str, database: Database, count: int, *, store_first: bool) -> float:
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    await declare_topology(channel, retry_delay_ms=1000)
    publisher = EventPublisher(connection, service="bench")
    await publisher.start()
    carts = database[f"bench_carts_{uuid.uuid4().hex[:6]}"]
    await carts.create_index([(PENDING, 1)])
    relay = OutboxRelay([carts], publisher, service="bench", clock=SystemClock(),
                        idle_poll_seconds=0.5)  # fmt: skip
    repository = AggregateRepository(carts, Cart, producer="bench", on_outbox=relay.wake)
    handled = 0
    done = asyncio.Event()

    async def handle(envelope: Envelope, event: OrderCancelled) -> None:
        nonlocal handled
        handled += 1
        if handled == count:
            done.set()

    consumer = EventConsumer(connection, QUEUES["aftersales"],
                             dict.fromkeys(QUEUES["aftersales"].event_types, handle),
                             inbox=Inbox(database[f"bench_inbox_{uuid.uuid4().hex[:6]}"]),
                             publisher=publisher, clock=SystemClock(), max_attempts=5,
                             prefetch=ServiceSettings().amqp_prefetch)  # fmt: skip
    semaphore = asyncio.Semaphore(16)

    async def change(index: int) -> None:
        async with semaphore:
            cart = Cart(id=f"c{index}-{uuid.uuid4().hex[:6]}")
            cart.record(
                OrderCancelled(
                    order_id=cart.id,
                    buyer_id="b",
                    merchant_id="m",
                    reason="buyer_cancelled",
                    cancelled_at=datetime.now(UTC),
                )
            )
            await repository.add(cart, now=datetime.now(UTC))  # fmt: skip

    if store_first:
        await asyncio.gather(*(change(index) for index in range(count)))
    started = time.perf_counter()
    await consumer.start()
    relay_task = asyncio.create_task(relay.run())
    if not store_first:
        await asyncio.gather(*(change(index) for index in range(count)))
    await asyncio.wait_for(done.wait(), timeout=600)
    elapsed = time.perf_counter() - started
    relay_task.cancel()
    await connection.close()
    await carts.drop()
    return count / elapsed
