"""Raw baselines on the same broker and engine the platform uses (issue #9, 1 and 3)."""

from __future__ import annotations

import asyncio
import time
import uuid

import aio_pika

from shared.mongo import Database

PAYLOAD = b'{"event_id": "x", "payload": {"order_id": "o-1", "reason": "buyer_cancelled"}}' * 4


async def raw_broker(amqp_url: str, count: int, window: int = 200) -> float:
    """Publish with confirms + consume with acks, persistent, quorum queue: messages/s."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=window)
        queue = await channel.declare_queue(
            f"bench.raw.{uuid.uuid4().hex[:6]}", durable=True, arguments={"x-queue-type": "quorum"}
        )
        done = asyncio.Event()
        received = 0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal received
            await message.ack()
            received += 1
            if received == count:
                done.set()

        await queue.consume(on_message)
        started = time.perf_counter()
        for first in range(0, count, window):
            await asyncio.gather(*(
                channel.default_exchange.publish(
                    aio_pika.Message(PAYLOAD, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=queue.name)
                for _ in range(first, min(first + window, count))))  # fmt: skip
        await done.wait()
        elapsed = time.perf_counter() - started
        await queue.delete(if_unused=False, if_empty=False)
    return count / elapsed


async def raw_engine(database: Database, count: int, concurrency: int = 16) -> float:
    """Single-document inserts of an order-sized document: writes/s."""
    collection = database[f"bench_raw_{uuid.uuid4().hex[:6]}"]
    document = {"status": "awaiting_confirmation", "items": [{"sku": "p", "n": 1}] * 3,
                "note": "x" * 600}  # fmt: skip
    semaphore = asyncio.Semaphore(concurrency)

    async def write(index: int) -> None:
        async with semaphore:
            await collection.insert_one({**document, "_id": f"d{index}"})

    started = time.perf_counter()
    await asyncio.gather(*(write(index) for index in range(count)))
    elapsed = time.perf_counter() - started
    await collection.drop()
    return count / elapsed
