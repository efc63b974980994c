"""Talking to the broker directly from a test: publish an event, read a dead-letter queue."""

from __future__ import annotations

from typing import Any

import aio_pika

from shared.contract import Envelope
from shared.messaging.topology import EXCHANGE, QUEUES, declare_topology


async def publish(
    amqp_url: str,
    envelope: Envelope | bytes,
    *,
    routing_key: str | None = None,
    times: int = 1,
    retry_delay_ms: int = 1000,
) -> None:
    body = envelope if isinstance(envelope, bytes) else envelope.model_dump_json().encode()
    key = routing_key or (envelope.event_type if isinstance(envelope, Envelope) else "")
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await declare_topology(channel, retry_delay_ms=retry_delay_ms)
        exchange = await channel.get_exchange(EXCHANGE)
        for _ in range(times):
            await exchange.publish(
                aio_pika.Message(
                    body,
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    message_id=str(envelope.event_id) if isinstance(envelope, Envelope) else None,
                ),
                routing_key=key,
                mandatory=True,
            )


async def dead_letters(amqp_url: str, service: str) -> list[tuple[bytes, dict[str, Any]]]:
    """Every message parked in `service`'s dead-letter queue, left in place."""
    connection = await aio_pika.connect(amqp_url)
    parked: list[tuple[bytes, dict[str, Any]]] = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(QUEUES[service].dead_letter_name, ensure=True)
        messages = []
        while (message := await queue.get(no_ack=False, fail=False)) is not None:
            messages.append(message)
            parked.append((message.body, dict(message.headers or {})))
        for message in messages:
            await message.nack(requeue=True)
    return parked
