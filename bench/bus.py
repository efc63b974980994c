"""The platform's bus: events stored with their aggregates (outbox),
published by the relay with confirms, handled by the platform's consumer."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import aio_pika
import psutil
from consumer_side import ConsumerSide
from stage import Sampler, Throughput, cpu_ms_per, me

from devkit.broker import as_service
from shared.aggregate import Aggregate
from shared.clock import SystemClock
from shared.contract.events import OrderCancelled
from shared.messaging.publisher import EventPublisher
from shared.mongo import Database
from shared.outbox import PENDING, OutboxRelay
from shared.repository import AggregateRepository


class Cart(Aggregate):
    state: str = "open"


@dataclass(frozen=True)
class BusFigures:
    relayed: Throughput
    """Events/s from stored outbox entries to handled: publisher, relay and consumer."""
    with_store: Throughput
    """Events/s including each event's producer write (the change and its outbox entry)."""


async def platform_bus(
    amqp_url: str, database: Database, count: int, others: dict[str, psutil.Process]
) -> BusFigures:
    """The bus twice: events already stored (what the relay and consumer cost), then
    stored while the relay and consumer run (the producer's write included)."""
    return BusFigures(
        relayed=await _run(amqp_url, database, count, others, store_first=True),
        with_store=await _run(amqp_url, database, count, others, store_first=False),
    )


async def _run(
    amqp_url: str,
    database: Database,
    count: int,
    others: dict[str, psutil.Process],
    *,
    store_first: bool,
) -> Throughput:
    """The relay here, the consumer in its own process (as in the platform)."""
    # As orders' own user: the consumer takes an OrderCancelled from nobody else.
    connection = await aio_pika.connect_robust(as_service(amqp_url, "orders"))
    publisher = EventPublisher(connection, service="orders")
    await publisher.start()
    carts = database[f"bench_carts_{uuid.uuid4().hex[:6]}"]
    await carts.create_index([(PENDING, 1)])
    relay = OutboxRelay(
        [carts], publisher, service="bench", clock=SystemClock(), idle_poll_seconds=0.5
    )
    # Stored first: what the relay finds; stored while it runs: offered to it by each write.
    repository = AggregateRepository(
        carts, Cart, producer="bench", on_outbox=None if store_first else relay.offer
    )
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
            await repository.add(cart, now=datetime.now(UTC))

    if store_first:
        await asyncio.gather(*(change(index) for index in range(count)))
    async with ConsumerSide("bus", "--amqp-url", amqp_url, "--count", str(count)) as consumer:
        async with Sampler({**others, **me()}) as sampler:
            started = time.time()
            relay_task = asyncio.create_task(relay.run())
            if not store_first:
                await asyncio.gather(*(change(index) for index in range(count)))
            finished, consumer_cpu = await consumer.finished()
        relay_task.cancel()
    await connection.close()
    await carts.drop()
    cpu = {**sampler.cpu_seconds, "consumer": consumer_cpu}
    return Throughput(count / (finished - started), cpu_ms_per(cpu, count))
