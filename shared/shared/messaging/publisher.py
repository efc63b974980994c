"""Publishing with publisher confirms: `publish` returns only once the broker has the
message safely (persisted on the quorum queues it was routed to), and raises if the
broker refuses it or if no queue is bound to its routing key (mandatory + return).

Every message carries the connection's user as its `user_id`, which the broker checks:
consumers trust an event only from its producer's user (`shared.messaging.access`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from shared import metrics
from shared.contract import parse_event
from shared.contract.wire import content_type_of
from shared.messaging.topology import EXCHANGE, QUEUES
from shared.tracing import TRACEPARENT

#: Header with the wall-clock time of publication (ms since the epoch): consumers measure
#: each event hop from it (metric `event_hop_seconds`).
PUBLISHED_AT = "x-published-at"
#: Longest wait for a broker confirm before the publish counts as failed (and is retried).
CONFIRM_TIMEOUT_SECONDS = 10.0


class PublishFailed(Exception):
    """The broker did not confirm the message; it may or may not have it: send again."""


class EventPublisher:
    def __init__(self, connection: AbstractRobustConnection, *, service: str) -> None:
        self._connection = connection
        self._service = service
        #: The broker checks it against the connection's user: what we send, it vouches for.
        user = connection.url.user if isinstance(connection, aio_pika.Connection) else None
        self.user_id: str = user or ""
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self._own: AbstractExchange | None = None

    async def start(self) -> None:
        self._channel = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        self._exchange = await self._channel.get_exchange(EXCHANGE, ensure=True)
        queue = QUEUES.get(self._service)
        if queue is not None:
            self._own = await self._channel.get_exchange(queue.own_exchange, ensure=True)

    async def publish(self, body: bytes, *, traceparent: str | None = None) -> None:
        """Validate the event against the contract, publish it, wait for the confirm.
        `traceparent` (W3C) continues the trace of the change that recorded the event."""
        envelope, _ = parse_event(body)
        await self._publish_event(
            body,
            envelope.event_type,
            str(envelope.event_id),
            envelope.correlation_id,
            envelope.occurred_at,
            traceparent,
        )

    async def publish_recorded(self, entry: Mapping[str, Any]) -> None:
        """An outbox entry as `shared.repository` stored it: its body was validated when
        it was recorded, and its type, id and correlation are stored beside it, so it is
        published as it is (the relay's path: no second parse per event)."""
        await self._publish_event(
            entry["body"].encode(),
            entry["event_type"],
            entry["event_id"],
            entry["correlation_id"],
            entry["occurred_at"],
            entry.get("traceparent"),
        )

    async def _publish_event(
        self,
        body: bytes,
        event_type: str,
        event_id: str,
        correlation_id: str,
        occurred_at: datetime,
        traceparent: str | None,
    ) -> None:
        headers: dict[str, str | int] = {PUBLISHED_AT: int(time.time() * 1000)}
        if traceparent:
            headers[TRACEPARENT] = traceparent
        await self.publish_to(
            routing_key=event_type,
            body=body,
            message_id=event_id,
            event_type=event_type,
            correlation_id=correlation_id,
            timestamp=occurred_at,
            headers=headers,
        )
        metrics.EVENTS_PUBLISHED.labels(self._service, event_type).inc()

    async def publish_to(
        self,
        *,
        routing_key: str,
        body: bytes,
        message_id: str,
        event_type: str,
        correlation_id: str,
        timestamp: datetime,
        headers: dict[str, str | int] | None = None,
        own_queue: bool = False,
    ) -> None:
        """Publish to `marketplace.events`, or, with `own_queue`, to the one of the
        service's own queues named `routing_key` (through its own direct exchange)."""
        if self._channel is None or self._exchange is None:
            raise RuntimeError("publisher not started")
        message = aio_pika.Message(
            body,
            content_type=content_type_of(body),
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message_id,
            type=event_type,
            correlation_id=correlation_id,
            timestamp=timestamp,
            app_id=self._service,
            user_id=self.user_id or None,
            headers=dict(headers or {}),
        )
        exchange = self._exchange
        if own_queue:
            if self._own is None:
                raise RuntimeError(f"{self._service} has no queues of its own")
            exchange = self._own
        try:
            await exchange.publish(
                message, routing_key=routing_key, mandatory=True, timeout=CONFIRM_TIMEOUT_SECONDS
            )
        except asyncio.CancelledError as error:
            task = asyncio.current_task()
            if task is not None and task.cancelling():
                raise  # we are being stopped
            # The connection dropped and its pending confirms were cancelled: the publish
            # failed like any other, and the caller retries it (it must not end the caller).
            raise PublishFailed(f"{event_type} not confirmed: the connection dropped") from error
