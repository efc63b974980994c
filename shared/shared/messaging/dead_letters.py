"""Parked messages of a service: count, list, inspect and replay them (operators).

A replayed message goes back to the service's own queue with its attempts reset and its
last error kept as `x-replayed-error`, so the history of why it was parked stays with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aio_pika.abc import (
    AbstractIncomingMessage,
    AbstractRobustChannel,
    AbstractRobustConnection,
)

from shared.clock import Clock
from shared.messaging.consumer import ATTEMPTS_HEADER
from shared.messaging.publisher import EventPublisher
from shared.messaging.topology import ServiceQueue

#: The most messages one listing or replay looks at.
MAX_BATCH = 1000


@dataclass(frozen=True)
class ParkedMessage:
    message_id: str
    event_type: str
    error: str
    error_type: str
    attempts: int
    failed_at: str
    body: str

    @classmethod
    def of(cls, message: AbstractIncomingMessage) -> ParkedMessage:
        headers: dict[str, Any] = dict(message.headers or {})
        return cls(
            message_id=message.message_id or "",
            event_type=str(headers.get("x-original-routing-key") or message.type or ""),
            error=str(headers.get("x-error", "")),
            error_type=str(headers.get("x-error-type", "")),
            attempts=int(headers.get(ATTEMPTS_HEADER, 0)),
            failed_at=str(headers.get("x-failed-at", "")),
            body=message.body.decode("utf-8", errors="replace"),
        )


class DeadLetters:
    def __init__(
        self,
        connection: AbstractRobustConnection,
        queue: ServiceQueue,
        publisher: EventPublisher,
        clock: Clock,
    ) -> None:
        self._connection, self._queue = connection, queue
        self._publisher, self._clock = publisher, clock
        self._counting: AbstractRobustChannel | None = None

    async def depth(self) -> int:
        """Parked messages now (asked every few seconds: one channel kept for it)."""
        if self._counting is None or self._counting.is_closed:
            self._counting = await self._connection.channel()
        # Not `robust`: a robust channel answers a passive declare from its cache.
        queue = await self._counting.declare_queue(
            self._queue.dead_letter_name, passive=True, robust=False
        )
        return int(queue.declaration_result.message_count or 0)

    async def peek(self, limit: int) -> list[ParkedMessage]:
        """Look without taking: every message is returned to the queue afterwards."""
        async with self._connection.channel() as channel:
            queue = await channel.get_queue(self._queue.dead_letter_name, ensure=True)
            taken: list[AbstractIncomingMessage] = []
            while len(taken) < min(limit, MAX_BATCH):
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                taken.append(message)
            parked = [ParkedMessage.of(message) for message in taken]
            for message in taken:
                await message.nack(requeue=True)
        return parked

    async def replay(self, message_ids: set[str] | None) -> list[str]:
        """Send the chosen parked messages (all when None) back to the service's queue."""
        replayed: list[str] = []
        async with self._connection.channel() as channel:
            queue = await channel.declare_queue(
                self._queue.dead_letter_name, passive=True, robust=False
            )
            # Only what is parked now: a replayed message parked again comes back behind
            # them, and is not taken a second time.
            parked_now = int(queue.declaration_result.message_count or 0)
            kept: list[AbstractIncomingMessage] = []
            for _ in range(min(parked_now, MAX_BATCH)):
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                if message_ids is not None and message.message_id not in message_ids:
                    kept.append(message)
                    continue
                await self._send_back(message)
                await message.ack()  # only after the broker confirmed the copy
                replayed.append(message.message_id or "")
            for message in kept:
                await message.nack(requeue=True)
        return replayed

    async def _send_back(self, message: AbstractIncomingMessage) -> None:
        headers = {
            key: value
            for key, value in (message.headers or {}).items()
            if isinstance(value, str | int) and not key.startswith("x-death")
        }
        headers["x-replayed-error"] = str(headers.pop("x-error", ""))
        headers[ATTEMPTS_HEADER] = 0
        await self._publisher.publish_to(
            routing_key=self._queue.name,
            body=message.body,
            message_id=message.message_id or "",
            event_type=str(headers.get("x-original-routing-key") or message.type or ""),
            correlation_id=message.correlation_id or "",
            timestamp=self._clock.now(),
            headers=headers,
            own_queue=True,
        )
