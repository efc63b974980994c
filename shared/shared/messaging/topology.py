"""The broker topology as values: one exchange, and per consuming service its queues.

Each consuming service (and `payments`, the queue of the payment rail that executes
settlement's payouts outside the platform) has three durable quorum queues:
- `<service>.events`: bound to the event types it handles;
- `<service>.events.retry`: a failed message waits here `retry_delay_ms`, then is
  dead-lettered (at-least-once) back to `<service>.events` for another attempt;
- `<service>.events.dlq`: parked messages, with the error in their headers. Nothing
  consumes it; an operator inspects and replays it.

and one direct exchange of its own, `<service>.events.direct`, through which it sends a
message to one of those three queues (a retry, a parking, a replay): only the service's
own broker user may publish there (`shared.messaging.access`), where the default exchange
would let anyone who may use it write into every queue.

The whole topology is declared before any service starts, by the broker's administrator
(the definitions of `shared.messaging.access`: compose loads them at the broker's start,
`make run` and the tests import them), so an event is routable whichever service starts
first, and publishing an event that no queue is bound to is a bug that raises (mandatory
publish). A service then declares again only its own part (`declare_own`: all its user may
do), so that it can put its queues back after the broker lost them.
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

    @property
    def own_exchange(self) -> str:
        """The service's direct exchange: routing key = the name of one of its queues."""
        return f"{self.service}.events.direct"

    def _dead_lettered_to(self, queue: str) -> dict[str, str]:
        """What a queue dead-letters goes to `queue`, through the service's own exchange
        (declaring a queue needs the right to write to its dead-letter exchange: the
        default one would need the right to write into every queue)."""
        return {"x-dead-letter-exchange": self.own_exchange, "x-dead-letter-routing-key": queue}

    @property
    def queue_names(self) -> tuple[str, str, str]:
        return self.name, self.retry_name, self.dead_letter_name

    def arguments(self, retry_delay_ms: int) -> dict[str, dict[str, Any]]:
        """Each of the three queues' arguments (the same in a declaration and in the
        broker's definitions: a queue declared with others is refused)."""
        return {
            self.dead_letter_name: _quorum(),
            self.name: _quorum(
                **self._dead_lettered_to(self.dead_letter_name),
                **{"x-delivery-limit": BROKER_DELIVERY_LIMIT},
            ),
            self.retry_name: _quorum(
                **self._dead_lettered_to(self.name),
                **{
                    "x-message-ttl": retry_delay_ms,
                    "x-dead-letter-strategy": "at-least-once",
                    "x-overflow": "reject-publish",
                },
            ),
        }


#: What happens to an order, from its creation to its delivery or its loss: what every
#: service that follows orders after the sale (aftersales, settlement) is told.
AN_ORDERS_LIFE = (
    "OrderCreated",
    "OrderConfirmed",
    "OrderCancelled",
    "Shipped",
    "Delivered",
    "ShipmentException",
)

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
                "StoreUpdated",
                "ProductDelisted",
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
        ServiceQueue(
            "logistics", ("StoreApproved", "StoreUpdated", "OrderConfirmed", "OrderCancelled")
        ),
        ServiceQueue(
            "aftersales",
            ("StoreApproved", "StoreUpdated", *AN_ORDERS_LIFE),
        ),
        ServiceQueue(
            "settlement",
            (*AN_ORDERS_LIFE, "AfterSalesCaseOpened", "AfterSalesCaseRejected", "RefundIssued"),
        ),
        # The payment rail: the deploying team's bank integration, outside the platform,
        # reads payouts here as broker user `payments`; they wait, durable, until it does.
        ServiceQueue("payments", ("PayoutIssued",)),
    )
}


def unbound_event_types() -> set[str]:
    """Event types no queue receives (must be empty: such a publish would be unroutable)."""
    bound = {event for queue in QUEUES.values() for event in queue.event_types}
    return set(REGISTRY) - bound


def _quorum(**arguments: Any) -> dict[str, Any]:
    return {"x-queue-type": "quorum", **arguments}


async def declare_topology(channel: AbstractChannel, *, retry_delay_ms: int) -> AbstractExchange:
    """Everything, as the broker's administrator (tests and benchmarks on a broker of
    their own; a deployment loads the same from `shared.messaging.access.definitions`)."""
    exchange = await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    for queue in QUEUES.values():
        await _declare_queues(channel, exchange, queue, retry_delay_ms)
    return exchange


async def declare_own(
    channel: AbstractChannel, queue: ServiceQueue, *, retry_delay_ms: int
) -> AbstractExchange:
    """A service's own part, with its own user's rights: the shared exchange must exist
    already (the administrator declared it), its queues, bindings and direct exchange are
    declared again (idempotent)."""
    exchange = await channel.get_exchange(EXCHANGE, ensure=True)
    await _declare_queues(channel, exchange, queue, retry_delay_ms)
    return exchange


async def _declare_queues(
    channel: AbstractChannel, exchange: AbstractExchange, queue: ServiceQueue, retry_delay_ms: int
) -> None:
    own = await channel.declare_exchange(
        queue.own_exchange, aio_pika.ExchangeType.DIRECT, durable=True
    )
    for name, arguments in queue.arguments(retry_delay_ms).items():
        declared = await channel.declare_queue(name, durable=True, arguments=arguments)
        await declared.bind(own, routing_key=name)
        if name == queue.name:
            for event_type in queue.event_types:
                await declared.bind(exchange, routing_key=event_type)
