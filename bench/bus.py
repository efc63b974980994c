"""The platform's bus (issue #9, 2): events stored with their aggregates (outbox),
published by the relay with confirms, handled by the idempotent consumer."""

from __future__ import annotations

import asyncio
import time
import uuid
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
from shared.outbox import OutboxRelay
from shared.repository import AggregateRepository


class Cart(Aggregate):
    state: str = "open"


async def platform_bus(amqp_url: str, database: Database, count: int,
                       concurrency: int = 16) -> float:  # fmt: skip
    """Events per second from the first stored change to the last handled event."""
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel()
    await declare_topology(channel, retry_delay_ms=1000)
    publisher = EventPublisher(connection, service="bench")
    await publisher.start()
    carts = database[f"bench_carts_{uuid.uuid4().hex[:6]}"]
    relay = OutboxRelay([carts], publisher, service="bench", clock=SystemClock(),
                        idle_poll_seconds=0.05, batch=200)  # fmt: skip
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
                             prefetch=64)  # fmt: skip
    await consumer.start()
    relay_task = asyncio.create_task(relay.run())
    semaphore = asyncio.Semaphore(concurrency)

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
            await repository.add(cart, now=datetime.now(UTC))

    started = time.perf_counter()
    await asyncio.gather(*(change(index) for index in range(count)))
    await asyncio.wait_for(done.wait(), timeout=600)
    elapsed = time.perf_counter() - started
    relay_task.cancel()
    await connection.close()
    await carts.drop()
    return count / elapsed
