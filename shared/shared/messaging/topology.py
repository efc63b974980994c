"""The broker topology as values: one exchange, and per consuming service its queues.

Each consuming service has three durable quorum queues:
- `<service>.events`: bound to the event types it handles;
- `<service>.events.retry`: a failed message waits here `retry_delay_ms`, then is
  dead-lettered (at-least-once) back to `<service>.events` for another attempt;
- `<service>.events.dlq`: parked messages, with the error in their headers. Nothing
  consumes it; an operator inspects and replays it.

Every service declares the whole topology at start-up (declarations are idempotent), so
an event is routable whichever service starts first, and publishing an event that no
queue is bound to is a bug that raises (mandatory publish).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange

from shared.contract import REGISTRY

EXCHANGE = "marketplace.events"

#: A safety net beside the application's own retry count: a message that crashes its
#: consumer process before any ack is dead-lettered by the broker after this many tries.
BROKER_DELIVERY_LIMIT = 20


@dataclass(frozen=True)
class ServiceQueue:
    service: str
    event_types: tuple[str, ...]

    @property
    def name(self) -> str:
        return f"{self.service}.events"

    @property
    def retry_name(self) -> str:
        return f"{self.service}.events.retry"

    @property
    def dead_letter_name(self) -> str:
        return f"{self.service}.events.dlq"


QUEUES: dict[str, ServiceQueue] = {
    queue.service: queue
    for queue in (
        ServiceQueue(
            "orders",
            (
                "StoreApproved",
                "StoreRejected",
                "ProductApproved",
                "ProductRejected",
                "Shipped",
                "Delivered",
                "ShipmentCreated",
                "ShipmentCancelled",
                "ShipmentLate",
                "ShipmentException",
                "AfterSalesCaseOpened",
                "AfterSalesCaseAnswered",
                "AfterSalesCaseRejected",
                "RefundIssued",
            ),
        ),
        ServiceQueue("review", ("StoreWarned",)),
        ServiceQueue("logistics", ("StoreApproved", "OrderConfirmed", "OrderCancelled")),
        ServiceQueue(
            "aftersales",
            (
                "StoreApproved",
                "OrderCreated",
                "OrderConfirmed",
                "OrderCancelled",
                "Shipped",
                "Delivered",
                "ShipmentException",
            ),
        ),
    )
}


def unbound_event_types() -> set[str]:
    """Event types no queue receives (must be empty: such a publish would be unroutable)."""
    bound = {event for queue in QUEUES.values() for event in queue.event_types}
    return set(REGISTRY) - bound


def _quorum(**arguments: Any) -> dict[str, Any]:
    return {"x-queue-type": "quorum", **arguments}


def _dead_lettered_to(queue: str) -> dict[str, str]:
    """What a queue dead-letters goes to `queue` (through the default exchange)."""
    return {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": queue}


async def declare_topology(channel: AbstractChannel, *, retry_delay_ms: int) -> AbstractExchange:
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    for queue in QUEUES.values():
        await channel.declare_queue(queue.dead_letter_name, durable=True, arguments=_quorum())
        main = await channel.declare_queue(
            queue.name,
            durable=True,
            arguments=_quorum(
                **_dead_lettered_to(queue.dead_letter_name),
                **{"x-delivery-limit": BROKER_DELIVERY_LIMIT},
            ),
        )
        await channel.declare_queue(
            queue.retry_name,
            durable=True,
            arguments=_quorum(
                **_dead_lettered_to(queue.name),
                **{
                    "x-message-ttl": retry_delay_ms,
                    "x-dead-letter-strategy": "at-least-once",
                    "x-overflow": "reject-publish",
                },
            ),
        )
        for event_type in queue.event_types:
            await main.bind(exchange, routing_key=event_type)
    return exchange
