"""Events only from their producer: each service's broker user, its rights, and the
consumers' check of who sent an event (`shared.messaging.access`)."""

from __future__ import annotations

import re
from typing import Any

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused, ChannelPreconditionFailed

from devkit.broker import as_service
from devkit.wait import eventually
from shared.clock import SystemClock
from shared.contract import Envelope
from shared.contract.events import OrderCancelled
from shared.messaging.access import (
    PRODUCER_OF,
    SENDER_HEADER,
    SERVICES,
    UntrustedSender,
    definitions,
    grant,
    produced_by,
    sender_check,
    sender_of,
)
from shared.messaging.dead_letters import DeadLetters
from shared.messaging.topology import EXCHANGE, QUEUES, ServiceQueue
from testkit import clock as run_clock
from testkit.bus import dead_letters, publish, recorded, start_consumer
from testkit.factories import an_order_cancelled

# -- the rules, pure ---------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_may_publish_exactly_the_event_types_it_produces(service: str) -> None:
    allowed = {event for event in PRODUCER_OF if re.fullmatch(grant(service).topic_write, event)}
    assert allowed == set(produced_by(service))
    assert not re.fullmatch(grant(service).topic_write, "#")


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_touches_only_its_own_queues(service: str) -> None:
    rights = grant(service)
    for other in SERVICES:
        for name in (*QUEUES[other].queue_names, QUEUES[other].own_exchange):
            mine = other == service
            assert bool(re.fullmatch(rights.configure, name)) is mine
            assert bool(re.fullmatch(rights.read, name)) is mine
            assert bool(re.fullmatch(rights.write, name)) is mine
    # Never the default exchange: through it, a user could write into any queue.
    assert not re.fullmatch(rights.write, "amq.default")
    assert not re.fullmatch(rights.configure, EXCHANGE)
    assert {e for e in PRODUCER_OF if re.fullmatch(rights.topic_read, e)} == set(
        QUEUES[service].event_types
    )


def test_the_sender_is_the_broker_validated_user_unless_the_message_is_our_own() -> None:
    assert sender_of("logistics", {SENDER_HEADER: "aftersales"}, me="orders") == "logistics"
    assert sender_of("orders", {SENDER_HEADER: "aftersales"}, me="orders") == "aftersales"
    assert sender_of("orders", {}, me="orders") is None
    assert sender_of(None, {SENDER_HEADER: "aftersales"}, me="orders") is None


def test_only_the_producer_may_send_an_event_type() -> None:
    sender_check("RefundIssued", "aftersales")
    for sender in ("logistics", "guest", None, ""):
        with pytest.raises(UntrustedSender, match="aftersales's broker user only"):
            sender_check("RefundIssued", sender)
    with pytest.raises(UntrustedSender, match="no service"):
        sender_check("NoSuchEvent", "orders")


def test_the_definitions_declare_the_topology_the_services_declare() -> None:
    passwords = {service: f"{service}-pw" for service in SERVICES}
    document = definitions(
        vhost="v", passwords=passwords, retry_delay_ms=1500, administrators={"admin": "a"}
    )
    queues = {queue["name"]: queue["arguments"] for queue in document["queues"]}
    for queue in QUEUES.values():
        for name, arguments in queue.arguments(1500).items():
            assert queues[name] == arguments
    bound = {(b["destination"], b["routing_key"]) for b in document["bindings"]}
    assert {(q.name, e) for q in QUEUES.values() for e in q.event_types} <= bound
    tags = {user["name"]: user["tags"] for user in document["users"]}
    assert tags == {**dict.fromkeys(SERVICES, ""), "admin": "administrator"}


# -- against the broker ------------------------------------------------------------------


async def _publish_as(amqp_url: str, service: str, routing_key: str, **properties: Any) -> None:
    connection = await aio_pika.connect(as_service(amqp_url, service))
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EXCHANGE)
        message = aio_pika.Message(b"{}", user_id=service, **properties)
        await exchange.publish(message, routing_key=routing_key)


@pytest.mark.integration
async def test_the_broker_refuses_an_event_type_from_another_service(amqp_url: str) -> None:
    with pytest.raises(ChannelAccessRefused, match="RefundIssued"):
        await _publish_as(amqp_url, "logistics", "RefundIssued")


@pytest.mark.integration
async def test_the_broker_refuses_a_forged_user_id(amqp_url: str) -> None:
    connection = await aio_pika.connect(as_service(amqp_url, "logistics"))
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(EXCHANGE)
        forged = aio_pika.Message(b"{}", user_id="aftersales")
        with pytest.raises(ChannelPreconditionFailed, match="user_id"):
            await exchange.publish(forged, routing_key="Shipped")


@pytest.mark.integration
@pytest.mark.parametrize(
    "attempt",
    ["declare another's queue", "consume another's queue", "another's exchange", "default"],
)
async def test_a_service_cannot_reach_another_services_queues(amqp_url: str, attempt: str) -> None:
    connection = await aio_pika.connect(as_service(amqp_url, "logistics"))
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        with pytest.raises(ChannelAccessRefused):
            await _trespass(channel, attempt)


async def _trespass(channel: aio_pika.abc.AbstractChannel, attempt: str) -> None:
    orders = QUEUES["orders"]
    if attempt == "declare another's queue":
        await channel.declare_queue(orders.name, durable=True, arguments={})
    elif attempt == "consume another's queue":
        queue = await channel.get_queue(orders.name, ensure=False)
        await queue.get(fail=False)
    elif attempt == "another's exchange":
        exchange = await channel.get_exchange(orders.own_exchange, ensure=False)
        await exchange.publish(aio_pika.Message(b"{}"), routing_key=orders.name)
    else:
        await channel.default_exchange.publish(aio_pika.Message(b"{}"), routing_key=orders.name)


@pytest.mark.integration
async def test_an_event_from_anyone_but_its_producer_is_parked_and_stays_parked(
    amqp_url: str,
) -> None:
    """Published by the administrator (the broker's `guest` here), an `OrderCancelled`
    reaches aftersales' queue but is parked unread, naming who sent it; replayed by an
    operator, it is parked again (the first sender goes with it); orders' own is handled."""
    handled: list[str] = []

    async def handle(envelope: Envelope, event: OrderCancelled) -> None:
        handled.append(event.order_id)

    queue = ServiceQueue("aftersales", ("OrderCancelled",))
    connection = await aio_pika.connect_robust(as_service(amqp_url, "aftersales"))
    publisher = await start_consumer(connection, handle, queue)

    def cancelled(order_id: str) -> Envelope:
        event = an_order_cancelled(order_id=order_id, reason="buyer_cancelled", at=run_clock.now())
        return recorded(event, producer="orders", correlation_id=order_id)

    await publish(amqp_url, cancelled("forged"), sender="")  # as the administrator
    await publish(amqp_url, cancelled("genuine"))  # as orders

    async def parked() -> list[dict[str, Any]] | None:
        found = [headers for _, headers in await dead_letters(amqp_url, "aftersales")]
        return found or None

    [headers] = await eventually(parked, what="the forged event parked")
    assert headers["x-error-type"] == "UntrustedSender"
    assert "came from guest" in str(headers["x-error"])
    assert headers[SENDER_HEADER] == "guest"

    async def genuine_handled() -> bool:
        return handled == ["genuine"]

    await eventually(genuine_handled, what="orders' own event handled")

    dead_letters_of = DeadLetters(connection, queue, publisher, SystemClock())

    async def back_in_its_queue() -> bool:
        # Looking at the parked message put it back (nack, requeue); a quorum queue counts
        # it again only once the requeue is committed, and replay takes what it counts.
        return await dead_letters_of.depth() == 1

    await eventually(back_in_its_queue, what="the forgery counted in the queue again")
    replayed = await dead_letters_of.replay(None)
    assert len(replayed) == 1

    async def parked_again() -> list[dict[str, Any]] | None:
        found = [headers for _, headers in await dead_letters(amqp_url, "aftersales")]
        return found if found and "x-replayed-error" in found[0] else None

    [again] = await eventually(parked_again, what="the replayed forgery parked again")
    assert again["x-error-type"] == "UntrustedSender"
    assert handled == ["genuine"]
    await connection.close()
