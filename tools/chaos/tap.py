"""Every event on the bus, on a durable queue of its own that survives a broker restart
(a test's exclusive queue would vanish with the broker's connection)."""

from __future__ import annotations

import asyncio
import time

import aio_pika

from shared.contract import ContractViolation, Envelope, parse_event
from shared.messaging.topology import EXCHANGE

#: How long a stopping tap waits for its connection to come back after a broker restart.
RECONNECT_SECONDS = 60.0


class Tap:
    def __init__(self, queue: str = "chaos.tap") -> None:
        self.queue = queue
        self.events: list[Envelope] = []
        self.bodies: list[bytes] = []
        #: When each event arrived (`time.monotonic()`), in the order of `events`.
        self.arrivals: list[float] = []

    async def start(self, amqp_url: str) -> None:
        self._connection = await aio_pika.connect_robust(amqp_url)
        channel = await self._connection.channel()
        queue = await channel.declare_queue(
            self.queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(EXCHANGE, routing_key="#")
        await queue.consume(self._on_message)

    async def stop(self, *, delete: bool = False) -> None:
        if delete:
            # After a broker restart its robust connection may still be reconnecting.
            await asyncio.wait_for(self._connection.connected.wait(), timeout=RECONNECT_SECONDS)
            channel = await self._connection.channel()
            await channel.queue_delete(self.queue)
        await self._connection.close()

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            try:
                envelope, _ = parse_event(message.body)
            except ContractViolation:
                return  # the poison the suite sends itself
            self.events.append(envelope)
            self.arrivals.append(time.monotonic())
            self.bodies.append(message.body)
