"""Operations on a running service: dead letters listed and replayed with their
error, readiness that follows the consumer, metrics beyond HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import aio_pika
import httpx
import pytest

from devkit.wait import eventually
from orders.app import create
from orders.service_layer.commands import idempotent_order_id
from orders.settings import OrdersSettings
from shared.messaging.topology import QUEUES
from testkit import clock as run_clock
from testkit.asgi import served
from testkit.bodies import an_order_request
from testkit.bus import emit, put_on_sale
from testkit.factories import MERCHANT, a_shipped
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

OPERATOR = bearer("operator", "op-1")


TUNED = {"outbox_poll_seconds": 0.1, "max_delivery_attempts": 2, "consumer_watch_seconds": 0.5}
orders = served("orders", create, OrdersSettings, **TUNED)


async def test_a_parked_message_is_listed_with_its_error_and_replayed(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:
    buyer, key = f"b-{uuid.uuid4().hex[:6]}", "key-1"
    order_id = idempotent_order_id(buyer, key)
    # `Shipped` for an order orders does not know (yet): retried, then parked.
    shipped = a_shipped(order_id=order_id, at=run_clock.now())
    event = await emit(amqp_url, shipped, producer="logistics", correlation_id=order_id)

    async def parked() -> dict[str, Any] | None:
        listing = (await orders.get("/admin/dead-letters", headers=OPERATOR)).json()
        return listing if listing["depth"] == 1 and listing["items"] else None

    listing = await eventually(parked, timeout=20, what="the message parked")
    [item] = listing["items"]
    assert (item["message_id"], item["event_type"], item["attempts"]) == (
        str(event.event_id),
        "Shipped",
        2,
    )
    assert "unknown order" in item["error"]
    assert (
        await orders.get("/admin/dead-letters", headers=bearer("buyer", buyer))
    ).status_code == 403

    async def depth_metric() -> bool:
        text = (await orders.get("/metrics")).text
        return 'dead_letter_queue_depth{service="orders"} 1.0' in text

    await eventually(depth_metric, what="the dead-letter depth in /metrics")
    metrics = (await orders.get("/metrics")).text
    assert "outbox_oldest_age_seconds" in metrics
    assert 'deadlines_overdue_pending{deadline="confirm_by",service="orders"}' in metrics

    # The cause is mended (the order now exists, confirmed: only a confirmed order ships),
    # and the operator replays the message.
    product_id = await put_on_sale(orders, amqp_url)
    placed = await orders.post(
        "/orders",
        headers={**bearer("buyer", buyer), "Idempotency-Key": key},
        json=an_order_request(product_id),
    )
    assert placed.json()["order_id"] == order_id
    confirm = f"/orders/{order_id}/confirm"
    assert (await orders.post(confirm, headers=bearer("merchant", MERCHANT))).status_code == 200
    invalid = await orders.post("/admin/dead-letters/replay", headers=OPERATOR, json={})
    assert invalid.status_code == 422
    replayed = await orders.post(
        "/admin/dead-letters/replay", headers=OPERATOR, json={"message_ids": [str(event.event_id)]}
    )
    assert replayed.json() == {"replayed": [str(event.event_id)]}

    async def applied() -> bool:
        order = (await orders.get(f"/orders/{order_id}", headers=OPERATOR)).json()
        return bool(order["status"] == "shipped")

    await eventually(applied, what="the replayed Shipped applied")
    after = (await orders.get("/admin/dead-letters", headers=OPERATOR)).json()
    assert after["depth"] == 0


async def test_readiness_follows_the_consumer_and_it_is_restored_without_a_restart(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:
    assert (await orders.get("/health/ready")).status_code == 200
    # The broker cancels our consumer: its queue is deleted (as in a failover gone wrong).
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(QUEUES["orders"].name)

    async def not_ready() -> bool:
        return (await orders.get("/health/ready")).status_code == 503

    async def ready() -> bool:
        return (await orders.get("/health/ready")).status_code == 200

    await eventually(not_ready, what="readiness to fail without a consumer", interval=0.01)
    await eventually(ready, what="the consumer restored")
    # And events flow again, through the restored queue and consumer.
    await put_on_sale(orders, amqp_url)
