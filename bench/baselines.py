"""Raw baselines on the same broker and engine the platform uses."""

from __future__ import annotations

import asyncio
import time
import uuid

import aio_pika
import psutil
from consumer_side import ConsumerSide
from stage import Sampler, Throughput, cpu_ms_per, me

from shared.mongo import Database

PAYLOAD = b'{"event_id": "x", "payload": {"order_id": "o-1", "reason": "buyer_cancelled"}}' * 4


async def raw_broker(
    amqp_url: str, count: int, others: dict[str, psutil.Process], window: int = 200
) -> Throughput:
    """Publish with confirms (here) + consume with acks (in its own process), persistent,
    quorum queue: messages/s from the first publish to the last ack."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        queue = await channel.declare_queue(
            f"bench.raw.{uuid.uuid4().hex[:6]}", durable=True, arguments={"x-queue-type": "quorum"}
        )
        async with (
            ConsumerSide(
                "raw",
                "--amqp-url",
                amqp_url,
                "--queue",
                queue.name,
                "--count",
                str(count),
                "--prefetch",
                str(window),
            ) as consumer,
            Sampler({**others, **me()}) as sampler,
        ):
            started = time.time()
            for first in range(0, count, window):
                await asyncio.gather(
                    *(
                        channel.default_exchange.publish(
                            aio_pika.Message(
                                PAYLOAD, delivery_mode=aio_pika.DeliveryMode.PERSISTENT
                            ),
                            routing_key=queue.name,
                        )
                        for _ in range(first, min(first + window, count))
                    )
                )
            finished, consumer_cpu = await consumer.finished()
        await queue.delete(if_unused=False, if_empty=False)
    cpu = {**sampler.cpu_seconds, "consumer": consumer_cpu}
    return Throughput(count / (finished - started), cpu_ms_per(cpu, count))


async def raw_engine(
    database: Database, count: int, others: dict[str, psutil.Process], concurrency: int = 16
) -> Throughput:
    """Single-document inserts of an order-sized document: writes/s."""
    collection = database[f"bench_raw_{uuid.uuid4().hex[:6]}"]
    document = {
        "status": "awaiting_confirmation",
        "items": [{"sku": "p", "n": 1}] * 3,
        "note": "x" * 600,
    }
    semaphore = asyncio.Semaphore(concurrency)

    async def write(index: int) -> None:
        async with semaphore:
            await collection.insert_one({**document, "_id": f"d{index}"})

    async with Sampler({**others, **me()}) as sampler:
        started = time.perf_counter()
        await asyncio.gather(*(write(index) for index in range(count)))
        elapsed = time.perf_counter() - started
    await collection.drop()
    return Throughput(count / elapsed, cpu_ms_per(sampler.cpu_seconds, count))
