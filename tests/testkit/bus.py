"""Talking to the broker directly from a test: publish an event, read a dead-letter queue."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import aio_pika
import httpx

from devkit.broker import send
from devkit.metrics_text import summed
from devkit.wait import eventually
from shared.clock import SystemClock
from shared.contract import Envelope, parse_event, record_event, to_wire
from shared.contract.events import OrderCancelled, ProductApproved
from shared.contract.types import ContractModel, LiableParty
from shared.messaging.consumer import EventConsumer
from shared.messaging.handlers import Handler
from shared.messaging.publisher import EventPublisher
from shared.messaging.topology import QUEUES, ServiceQueue
from testkit import clock as run_clock
from testkit.factories import (
    MERCHANT,
    a_delivered,
    a_line,
    a_product_approved,
    a_refund_issued,
    a_shipped,
    a_store_approved,
    a_window,
    an_order_confirmed,
    an_order_created,
    usd,
)


def recorded(
    event: ContractModel,
    *,
    producer: str,
    correlation_id: str,
    occurred_at: datetime | None = None,
) -> Envelope:
    """`event` in a new envelope, as `producer` would record it (by default now, on the
    run's clock)."""
    return record_event(
        event,
        producer=producer,
        correlation_id=correlation_id,
        occurred_at=occurred_at or run_clock.now(),
    )


async def emit(
    amqp_url: str,
    event: ContractModel,
    *,
    producer: str,
    correlation_id: str,
    occurred_at: datetime | None = None,
    times: int = 1,
) -> Envelope:
    """Publish `event` as `producer` would (`times` copies of one envelope: delivery is at
    least once); returns the envelope."""
    envelope = recorded(
        event, producer=producer, correlation_id=correlation_id, occurred_at=occurred_at
    )
    await publish(amqp_url, envelope, times=times)
    return envelope


async def publish(
    amqp_url: str,
    envelope: Envelope | bytes,
    *,
    routing_key: str | None = None,
    times: int = 1,
    sender: str | None = None,
) -> None:
    """Publish to `marketplace.events` with routing key `routing_key` (by default the
    event's type), as `sender`'s broker user: by default the producer of that type, as the
    consumers require (`shared.messaging.access`); `amqp_url` is the test vhost's
    administrator's URL (`sender=""`: publish as that administrator)."""
    body = envelope if isinstance(envelope, bytes) else to_wire(envelope).encode()
    key = routing_key or (envelope.event_type if isinstance(envelope, Envelope) else "")
    message_id = str(envelope.event_id) if isinstance(envelope, Envelope) else None
    await send(amqp_url, key, body, times=times, sender=sender, message_id=message_id)


async def emit_product_on_sale(amqp_url: str, product: ProductApproved) -> None:
    """What review publishes of `product`: its store's approval, then its own, each when
    `product` says it was approved (orders takes a product only in a store it knows
    approved, R-REV-8; should the product be handled first, it is retried)."""
    store = a_store_approved(
        store_id=product.store_id,
        merchant_id=product.merchant_id,
        store_type=product.store_type,
        at=product.approved_at,
    )
    for decision in (store, product):
        await emit(
            amqp_url,
            decision,
            producer="review",
            correlation_id=product.product_id,
            occurred_at=product.approved_at,
        )


async def put_on_sale(
    orders: httpx.AsyncClient,
    amqp_url: str,
    *,
    merchant_id: str = MERCHANT,
    price_minor: int = 1250,
) -> str:
    """A new product of `merchant_id`'s store (`s-<merchant_id>`) at `price_minor` USD
    cents and 800 g, approved by review: its id, once orders' catalogue shows it."""
    product_id = f"p-{uuid.uuid4().hex[:8]}"
    approved = a_product_approved(
        product_id=product_id,
        store_id=f"s-{merchant_id}",
        merchant_id=merchant_id,
        price=usd(price_minor),
        weight_grams=800,
        at=run_clock.now(),
    )
    await emit_product_on_sale(amqp_url, approved)

    async def shown() -> bool:
        return (await orders.get(f"/catalogue/{product_id}")).status_code == 200

    await eventually(shown, what="the approved product in the catalogue")
    return product_id


async def emit_order_history(
    amqp_url: str,
    *,
    order_id: str,
    buyer_id: str,
    merchant_id: str,
    total_minor: int = 5000,
    delivered_days_ago: float | None = 1,
    times: int = 1,
) -> None:
    """What review, orders and logistics publish of one order, each event `times` times, on
    the run's clock: its full-managed store approved 30 days ago (told then); the order of
    one line of `total_minor` USD placed 5 days ago and confirmed an hour later, shipped a
    day later, due 2 to 5 days from today; delivered `delivered_days_ago` (None: not yet)."""
    now = run_clock.now()
    store = {"store_id": f"s-{merchant_id}", "merchant_id": merchant_id}
    approved = a_store_approved(**store, at=now - timedelta(days=30))
    await emit(
        amqp_url,
        approved,
        producer="review",
        correlation_id=approved.store_id,
        occurred_at=approved.approved_at,
        times=times,
    )
    placed = now - timedelta(days=5)
    line = a_line(unit_price=usd(total_minor), weight_grams=800)
    order = {"order_id": order_id, "buyer_id": buyer_id, **store}
    created = an_order_created(**order, lines=[line], at=placed)
    confirmed = an_order_confirmed(**order, lines=[line], at=placed + timedelta(hours=1))
    for told in (created, confirmed):
        await emit(amqp_url, told, producer="orders", correlation_id=order_id, times=times)
    today = date.today()
    due = a_window(today + timedelta(days=2), today + timedelta(days=5))
    parcel: list[ContractModel] = [
        a_shipped(order_id=order_id, at=placed + timedelta(days=1), estimated_delivery=due)
    ]
    if delivered_days_ago is not None:
        delivered_at = now - timedelta(days=delivered_days_ago)
        parcel.append(a_delivered(order_id=order_id, at=delivered_at))
    for fact in parcel:
        await emit(amqp_url, fact, producer="logistics", correlation_id=order_id, times=times)


async def dead_letters(amqp_url: str, service: str) -> list[tuple[bytes, dict[str, Any]]]:
    """Every message parked in `service`'s dead-letter queue, left in place."""
    return await _read(amqp_url, QUEUES[service].dead_letter_name, keep=True)


async def taken(amqp_url: str, queue_name: str) -> list[Envelope]:
    """The events waiting in the queue `queue_name`, taken off it (acknowledged), as its
    consumer would: a queue with a delivery limit (`<service>.events`, `payments.events`)
    is never read by putting messages back, which counts against that limit."""
    return [parse_event(body)[0] for body, _ in await _read(amqp_url, queue_name, keep=False)]


async def _read(
    amqp_url: str, queue_name: str, *, keep: bool
) -> list[tuple[bytes, dict[str, Any]]]:
    """Every message waiting in `queue_name` (as the vhost's administrator), with its
    headers: left in place (`keep`) or taken off."""
    connection = await aio_pika.connect(amqp_url)
    found: list[tuple[bytes, dict[str, Any]]] = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=True)
        messages = []
        while (message := await queue.get(no_ack=not keep, fail=False)) is not None:
            messages.append(message)
            found.append((message.body, dict(message.headers or {})))
        if keep:
            for message in messages:
                await message.nack(requeue=True)
    return found


async def parked(amqp_url: str, service: str, envelope: Envelope) -> dict[str, Any]:
    """The headers `envelope` was parked with in `service`'s dead-letter queue (`x-error`,
    `x-attempts`, ...), once it is there."""

    async def found() -> dict[str, Any] | None:
        for body, headers in await dead_letters(amqp_url, service):
            if parse_event(body)[0].event_id == envelope.event_id:
                return headers
        return None

    return await eventually(found, timeout=20, what=f"{envelope.event_type} parked by {service}")


async def deliver_again(
    amqp_url: str, urls: Mapping[str, str], client: httpx.AsyncClient, bodies: list[bytes]
) -> None:
    """The fault of at-least-once delivery: each of `bodies` (events a tap saw) delivered
    twice more, and back once every consumer has acknowledged (handled or parked: its
    `events_consumed_total` and `events_parked_total`) the two copies of each event its
    queue receives. A consumer cannot tell a copy apart: its handler runs again and must
    change nothing."""
    expected: Counter[str] = Counter()
    for body in bodies:
        event_type, _ = _type_of(body)
        for service, queue in QUEUES.items():
            if event_type in queue.event_types:
                expected[service] += 1
    baseline = {service: await _acknowledged(client, urls[service]) for service in expected}
    for body in bodies:
        await publish(amqp_url, body, routing_key=_type_of(body)[0], times=2)
    for service, count in expected.items():

        async def both_copies(service: str = service, count: int = count) -> bool:
            seen = await _acknowledged(client, urls[service])
            return seen - baseline[service] >= 2 * count

        await eventually(both_copies, what=f"{service} to take both copies")


def _type_of(body: bytes) -> tuple[str, Envelope]:
    envelope, _ = parse_event(body)
    return envelope.event_type, envelope


async def _acknowledged(client: httpx.AsyncClient, url: str) -> float:
    """Deliveries `url`'s consumer has acknowledged: handled or parked."""
    text = (await client.get(f"{url}/metrics")).text
    return summed(text, "events_consumed_total") + summed(text, "events_parked_total")


async def start_consumer(
    connection: aio_pika.abc.AbstractRobustConnection,
    handler: Handler,
    queue: ServiceQueue,
    event: type[ContractModel] = OrderCancelled,
) -> EventPublisher:
    """The kit's consumer of `event` on `queue` (three attempts), on `connection` (as
    `queue`'s service's user), `handler` its handler; the publisher it sends with."""
    publisher = EventPublisher(connection, service=queue.service)
    await publisher.start()
    consumer = EventConsumer(
        connection,
        queue,
        {event: handler},
        publisher=publisher,
        clock=SystemClock(),
        max_attempts=3,
        prefetch=8,
    )
    await consumer.start()
    return publisher


async def emit_refund(
    amqp_url: str,
    order_id: str,
    minor: int,
    liable_party: LiableParty,
    at: datetime,
    times: int = 1,
) -> Envelope:
    """What aftersales publishes as it refunds a new case of `order_id` `minor` USD cents,
    borne by `liable_party`, issued `at`, `times` times (delivery is at least once)."""
    case_id = f"c-{uuid.uuid4().hex[:8]}"
    amount = usd(minor)
    refund = a_refund_issued(
        case_id=case_id, order_id=order_id, amount=amount, liable_party=liable_party, at=at
    )
    return await emit(
        amqp_url,
        refund,
        producer="aftersales",
        correlation_id=order_id,
        occurred_at=at,
        times=times,
    )
