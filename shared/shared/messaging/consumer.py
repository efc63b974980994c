"""Consuming events: validated on arrival, retried a bounded number of times, then parked
in the dead-letter queue with the error (at once if it can never succeed: a malformed event,
or one its handler finds `Implausible`). Never dropped, never blocking.

Delivery is at least once, and every handler is idempotent by itself: an aggregate keeps
the ids of the events applied to it in the same versioned write as the change, a replica
takes a fact once by its id and a decision by its `as_of`, and what a handler creates has
an id derived from the event. A redelivered event simply runs its handler again, which
changes nothing; the consumer keeps no inbox of handled ids (a lookup before each handler
and a record after it: two database commands per event, for what the handlers already
know), so it cannot tell a redelivery apart, and counts it as handled again.

An event is taken only from its type's producer (the broker-validated sender,
`shared.messaging.access`): any other is parked at once, unread by the handlers.

A message is acknowledged only after its outcome is safe: handled, or re-published (with
confirm) to the retry or dead-letter queue. If the process dies before that, the broker
delivers it again.
"""

from __future__ import annotations

import logging
import time
import warnings
from typing import Any

from aio_pika.abc import AbstractChannel, AbstractIncomingMessage, AbstractRobustConnection

from shared import metrics
from shared.clock import Clock
from shared.contract import ContractViolation, parse_event
from shared.contract.types import rfc3339
from shared.costs import working
from shared.errors import Implausible
from shared.logs import correlation_scope
from shared.messaging.access import SENDER_HEADER, UntrustedSender, sender_check, sender_of
from shared.messaging.handlers import HandlerTable, event_types
from shared.messaging.publisher import PUBLISHED_AT, EventPublisher
from shared.messaging.topology import ServiceQueue, declare_own
from shared.mongo import is_outage
from shared.tracing import SpanKind, span

log = logging.getLogger("shared.consumer")

ATTEMPTS_HEADER = "x-attempts"


class EventConsumer:
    def __init__(
        self,
        connection: AbstractRobustConnection,
        queue: ServiceQueue,
        handlers: HandlerTable,
        *,
        publisher: EventPublisher,
        clock: Clock,
        max_attempts: int,
        prefetch: int,
    ) -> None:
        handled, bound = event_types(handlers), set(queue.event_types)
        if handled != bound:
            raise ValueError(
                f"{queue.service}'s handlers and its queue's bindings differ: no handler for "
                f"{sorted(bound - handled)}, no binding for {sorted(handled - bound)}"
            )
        self._connection = connection
        self._queue = queue
        self._handlers = handlers
        self._publisher = publisher
        self._clock = clock
        self._max_attempts = max_attempts
        self._prefetch = prefetch
        self._channel: AbstractChannel | None = None
        self._tag: str | None = None

    async def start(self) -> None:
        self._channel = await self._connection.channel()
        await self._channel.set_qos(prefetch_count=self._prefetch)
        queue = await self._channel.get_queue(self._queue.name, ensure=True)
        self._tag = await queue.consume(self._on_message)

    def is_consuming(self) -> bool:
        """Whether the broker still delivers to us (readiness depends on it)."""
        channel = self._channel
        if channel is None or channel.is_closed or self._tag is None:
            return False
        try:
            with warnings.catch_warnings():
                # aio-pika deprecates reaching its aiormq channel, which alone knows
                # whether the broker cancelled our consumer tag.
                warnings.simplefilter("ignore", DeprecationWarning)
                underlying = channel.channel  # type: ignore[attr-defined]
            return self._tag in underlying.consumers
        except RuntimeError:  # the channel is being reopened
            return False

    async def restore(self, retry_delay_ms: int) -> bool:
        """Consume again if the broker cancelled us (its queue deleted or moved in a
        failover) while the connection stayed up. The robust connection restores channels
        and consumers after a reconnection by itself; this covers the rest."""
        channel = self._channel
        if self.is_consuming() or channel is None or channel.is_closed or self._tag is None:
            return False
        log.warning("the broker cancelled consumer %s; consuming again", self._tag)
        await declare_own(channel, self._queue, retry_delay_ms=retry_delay_ms)
        queue = await channel.get_queue(self._queue.name, ensure=True)
        await queue.consume(self._on_message, consumer_tag=self._tag)
        return True

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        # A retried message arrives by its queue's name; its `type` keeps the event type.
        event_type = message.type or message.routing_key or "unknown"
        try:
            envelope, payload = parse_event(message.body)
        except ContractViolation as violation:
            # A malformed or unknown event can never succeed: park it at once, with why.
            await self._park(message, event_type, violation, attempts=1)
            return
        try:
            sender_check(envelope.event_type, self._sender(message))
        except UntrustedSender as untrusted:
            await self._park(message, envelope.event_type, untrusted, attempts=1)
            return
        handler = self._handlers.get(type(payload))
        if handler is None:
            await self._park(message, event_type, ContractViolation("no handler"), attempts=1)
            return
        with (
            working(f"handle {envelope.event_type}"),
            correlation_scope(envelope.correlation_id),
            span(
                f"handle {envelope.event_type}",
                SpanKind.CONSUMER,
                message.headers,
                **{"messaging.message.id": str(envelope.event_id)},
            ),
        ):
            started = time.perf_counter()
            try:
                await handler(envelope, payload)
            except Exception as error:
                await self._failed(message, envelope.event_type, error)
                return
            metrics.HANDLER_SECONDS.labels(self._queue.service, envelope.event_type).observe(
                time.perf_counter() - started
            )
            metrics.EVENT_HOP_SECONDS.labels(self._queue.service, envelope.event_type).observe(
                _hop_seconds(message)
            )
            metrics.EVENTS_CONSUMED.labels(self._queue.service, envelope.event_type).inc()
            await message.ack()

    async def _failed(
        self, message: AbstractIncomingMessage, event_type: str, error: Exception
    ) -> None:
        metrics.EVENTS_FAILED.labels(self._queue.service, event_type).inc()
        attempts = int(_headers(message).get(ATTEMPTS_HEADER, 0))
        if is_outage(error):
            # The database is away, not the message at fault: wait and try again, without
            # spending an attempt, however long the outage lasts (never parked for it).
            log.warning("handler waits for the database: %r", error)
            await self._republish(
                message, self._queue.retry_name, event_type, {ATTEMPTS_HEADER: attempts}
            )
            await message.ack()
            return
        attempts += 1
        # An implausible event (`shared.errors`) can never succeed: parked at once, with
        # why. One not yet known (`NotYetKnown`) is retried like any failure, then parked.
        if isinstance(error, Implausible) or attempts >= self._max_attempts:
            await self._park(message, event_type, error, attempts)
            return
        log.warning("handler failed, attempt %s of %s: %r", attempts, self._max_attempts, error)
        await self._republish(
            message, self._queue.retry_name, event_type, {ATTEMPTS_HEADER: attempts}
        )
        await message.ack()

    async def _park(
        self, message: AbstractIncomingMessage, event_type: str, error: Exception, attempts: int
    ) -> None:
        log.error("parking %s after %s attempt(s): %r", event_type, attempts, error)
        await self._republish(
            message,
            self._queue.dead_letter_name,
            event_type,
            {
                ATTEMPTS_HEADER: attempts,
                "x-error": f"{type(error).__name__}: {error}"[:4000],
                "x-error-type": type(error).__name__,
                "x-failed-at": rfc3339(self._clock.now()),
                "x-failed-in": self._queue.service,
                "x-original-routing-key": event_type,
            },
        )
        metrics.EVENTS_PARKED.labels(self._queue.service, event_type).inc()
        await message.ack()

    def _sender(self, message: AbstractIncomingMessage) -> str | None:
        return sender_of(message.user_id, message.headers or {}, self._publisher.user_id)

    async def _republish(
        self,
        message: AbstractIncomingMessage,
        queue_name: str,
        event_type: str,
        headers: dict[str, str | int],
    ) -> None:
        # Sent by us now: the first sender goes with it, for the check when it comes back.
        sender = {SENDER_HEADER: self._sender(message) or ""}
        await self._publisher.publish_to(
            routing_key=queue_name,
            body=message.body,
            message_id=message.message_id or "",
            event_type=event_type,
            correlation_id=message.correlation_id or "",
            timestamp=self._clock.now(),
            headers={**_headers(message), **headers, **sender},
            own_queue=True,
        )


def _hop_seconds(message: AbstractIncomingMessage) -> float:
    """From publication (the publisher's header) to now; 0 if the header is missing."""
    published_ms = (message.headers or {}).get(PUBLISHED_AT)
    if not isinstance(published_ms, int):
        return 0.0
    return max(time.time() - published_ms / 1000, 0.0)


def _headers(message: AbstractIncomingMessage) -> dict[str, Any]:
    return {
        key: value
        for key, value in (message.headers or {}).items()
        if isinstance(value, str | int) and not key.startswith("x-death")
    }
