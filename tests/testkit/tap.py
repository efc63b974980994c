"""A test's ear on the bus: every event published on `marketplace.events`, in order."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aio_pika
import httpx

from devkit.journey import (
    Actor,
    assert_automatic_refund,
    cast,
    list_product,
    open_full_managed_store,
    place_order,
    shipment_of,
)
from devkit.wait import eventually
from shared.contract import Envelope, parse_event
from shared.messaging.topology import EXCHANGE
from testkit.platforms import RunningPlatform


class EventTap:
    def __init__(self) -> None:
        self.events: list[Envelope] = []
        self.bodies: list[bytes] = []
        #: event id → the message's headers (e.g. its W3C `traceparent`).
        self.headers: dict[str, dict[str, object]] = {}
        #: event id → the message's content type.
        self.content_types: dict[str, str | None] = {}

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            envelope, _ = parse_event(message.body)
            self.events.append(envelope)
            self.bodies.append(message.body)
            self.headers[str(envelope.event_id)] = dict(message.headers or {})
            self.content_types[str(envelope.event_id)] = message.content_type

    def of_type(self, event_type: str, correlation_id: str | None = None) -> list[Envelope]:
        return [
            e
            for e in self.events
            if e.event_type == event_type
            and (
                correlation_id is None
                or e.payload.get("order_id") == correlation_id
                or e.correlation_id == correlation_id
            )
        ]

    async def eventually_of_type(
        self,
        event_type: str,
        correlation_id: str,
        *,
        what: str,
        timeout: float = 15.0,
        interval: float = 0.05,
    ) -> list[Envelope]:
        """`of_type(event_type, correlation_id)` once it holds one event at least."""

        async def seen() -> list[Envelope] | None:
            return self.of_type(event_type, correlation_id) or None

        return await eventually(seen, timeout=timeout, what=what, interval=interval)


async def automatic_refunds(
    tap: EventTap,
    order: dict[str, Any],
    reason: str,
    liable_party: str,
    *,
    timeout: float = 15.0,
) -> list[Envelope]:
    """The order's `RefundIssued` events once the tap has one, that one the refund of the
    whole order R-ORD-6 names for `reason`, with no case, borne by `liable_party`."""
    found = await tap.eventually_of_type(
        "RefundIssued", order["order_id"], what="the automatic refund", timeout=timeout
    )
    assert_automatic_refund(found[0].payload, order, reason, liable_party)
    return found


@asynccontextmanager
async def bound_queue(
    amqp_url: str, *event_types: str
) -> AsyncIterator[aio_pika.abc.AbstractQueue]:
    """A temporary exclusive queue on the events exchange, bound to `event_types` (`#`:
    every event), for a test to read."""
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(exclusive=True)
        for event_type in event_types:
            await queue.bind(exchange, routing_key=event_type)
        yield queue


@asynccontextmanager
async def event_tap(amqp_url: str) -> AsyncIterator[EventTap]:
    tap = EventTap()
    async with bound_queue(amqp_url, "#") as queue:
        await queue.consume(tap._on_message)
        yield tap


#: An ear on the bus, and the operator, merchant and buyer of one test.
Scene = tuple[EventTap, Actor, Actor, Actor]


@asynccontextmanager
async def watched_cast(running: RunningPlatform) -> AsyncIterator[Scene]:
    """An end-to-end test's scene on `running`: an ear on the bus, open before anyone acts,
    and a new operator, merchant and buyer (`cast`) on one HTTP client (`actor.client`)."""
    async with event_tap(running.amqp_url) as tap, httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        yield tap, operator, merchant, buyer


async def traced_order(
    operator: Actor, merchant: Actor, buyer: Actor
) -> tuple[dict[str, Any], str]:
    """A new store's product ordered, then confirmed by its merchant in a trace of the
    test's own (its W3C `traceparent`), and shipped out as logistics plans it: the order
    and the `traceparent` its confirmation carried."""
    store = await open_full_managed_store(operator, merchant)
    product_id = await list_product(operator, merchant, store["store_id"])
    order = await place_order(buyer, product_id)
    traceparent = f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
    confirm = await merchant.call(
        "POST",
        "orders",
        f"/orders/{order['order_id']}/confirm",
        headers={"traceparent": traceparent},
    )
    assert confirm.status_code == 200
    await shipment_of(operator, order["order_id"])
    return order, traceparent
