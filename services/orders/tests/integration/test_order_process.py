"""An order's process over HTTP, on the real engine and broker, in-process:
`GET /orders/{id}` shows where it stands, built from the events it received, and
`GET /orders?stuck=true` lists, for operators, the orders waiting past a deadline.

No logistics runs here: a confirmed order waits for logistics to plan its shipment, which
`PROCESS_REACTION_SECONDS` (a tenth of a second here) makes overdue at once; logistics'
`ShipmentCreated`, emitted by the test, moves it on.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest

from devkit.wait import eventually
from orders.app import create
from orders.settings import OrdersSettings
from testkit import clock as run_clock
from testkit.asgi import served
from testkit.bodies import an_order_request
from testkit.bus import emit, put_on_sale
from testkit.orders_unit import a_shipment_created
from testkit.settings import FAST_POLLS
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

OPERATOR = bearer("operator", "op-1")
REACTION_SECONDS = 0.1


orders = served(
    "orders", create, OrdersSettings, process_reaction_seconds=REACTION_SECONDS, **FAST_POLLS
)


async def an_order(
    orders: httpx.AsyncClient, amqp_url: str, merchant: str, *, confirmed: bool
) -> dict[str, Any]:
    """A buyer's order of a product of `merchant`'s, confirmed by it if `confirmed`."""
    product_id = await put_on_sale(orders, amqp_url, merchant_id=merchant)
    buyer = bearer("buyer", f"b-{uuid.uuid4().hex[:6]}")
    placed = await orders.post("/orders", headers=buyer, json=an_order_request(product_id))
    assert placed.status_code == 201, placed.text
    if not confirmed:
        return dict(placed.json())
    order_id = placed.json()["order_id"]
    done = await orders.post(f"/orders/{order_id}/confirm", headers=bearer("merchant", merchant))
    assert done.status_code == 200, done.text
    return dict(done.json())


async def stuck_ids(orders: httpx.AsyncClient, **params: Any) -> list[str]:
    response = await orders.get("/orders", headers=OPERATOR, params={"stuck": "true", **params})
    assert response.status_code == 200, response.text
    return [item["order_id"] for item in response.json()["items"]]


async def test_an_order_shows_its_process_and_moves_on_with_the_events(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-ORD-2, R-ORD-4, R-LOG-1
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    awaiting = await an_order(orders, amqp_url, merchant, confirmed=False)
    assert awaiting["process"]["waiting_for"]["step"] == "merchant_confirms"
    assert awaiting["process"]["until"] == awaiting["confirm_by"]
    confirmed = await an_order(orders, amqp_url, merchant, confirmed=True)
    order_id = confirmed["order_id"]
    process = confirmed["process"]
    assert process["steps"] == {
        "orders": "confirmed",
        "logistics": "not_planned",
        "aftersales": "none",
    }
    assert (process["waiting_for"]["step"], process["waiting_for"]["who"]) == (
        "logistics_plans",
        "logistics",
    )

    async def overdue() -> dict[str, Any] | None:
        response = await orders.get(f"/orders/{order_id}", headers=OPERATOR)
        shown: dict[str, Any] = response.json()["process"]
        return shown if shown["overdue"] else None

    # Past the reaction allowed and still not planned: overdue, not ended.
    shown = await eventually(overdue, what="the order overdue for its planning")
    assert shown["ended"] is False

    created = a_shipment_created(order_id=order_id, at=run_clock.now())
    await emit(amqp_url, created, producer="logistics", correlation_id=order_id)

    async def planned() -> bool:
        answer = await orders.get(f"/orders/{order_id}", headers=bearer("merchant", merchant))
        return bool(answer.json()["process"]["steps"]["logistics"] == "planned")

    await eventually(planned, what="the order's shipment planned")
    body = (await orders.get(f"/orders/{order_id}", headers=OPERATOR)).json()
    assert body["process"]["waiting_for"]["step"] == "handover"
    assert datetime.fromisoformat(body["process"]["until"]) == created.ship_by
    assert body["process"]["overdue"] is False
    listed = (await orders.get("/orders", headers=bearer("merchant", merchant))).json()
    assert {
        item["order_id"]: item["process"]["waiting_for"]["step"] for item in listed["items"]
    } == {
        awaiting["order_id"]: "merchant_confirms",
        order_id: "handover",
    }


async def test_operators_list_stuck_orders_page_by_page(
    orders: httpx.AsyncClient, amqp_url: str
) -> None:  # R-ORD-5
    merchant = f"m-{uuid.uuid4().hex[:6]}"
    first = await an_order(orders, amqp_url, merchant, confirmed=True)
    second = await an_order(orders, amqp_url, merchant, confirmed=True)
    await an_order(orders, amqp_url, merchant, confirmed=False)  # until confirm_by: in time

    async def both_stuck() -> bool:
        return await stuck_ids(orders) == [first["order_id"], second["order_id"]]

    # The two confirmed orders, once past the reaction allowed; the other still in time.
    await eventually(both_stuck, what="the two confirmed orders listed as stuck")
    page = (
        await orders.get("/orders", headers=OPERATOR, params={"stuck": "true", "limit": 1})
    ).json()
    assert [item["order_id"] for item in page["items"]] == [first["order_id"]]
    assert page["items"][0]["process"]["overdue"] is True
    assert await stuck_ids(orders, cursor=page["next_cursor"]) == [second["order_id"]]

    created = a_shipment_created(order_id=first["order_id"], at=run_clock.now())
    await emit(amqp_url, created, producer="logistics", correlation_id=first["order_id"])

    async def moved_on() -> bool:
        return await stuck_ids(orders) == [second["order_id"]]

    await eventually(moved_on, what="the planned order off the stuck list")


@pytest.mark.parametrize("role", ["merchant", "buyer"])
async def test_only_operators_list_stuck_orders(orders: httpx.AsyncClient, role: str) -> None:
    # a role this call is not for (403)
    response = await orders.get("/orders", headers=bearer(role, "x-1"), params={"stuck": "true"})
    assert response.status_code == 403, response.text


async def test_stuck_lists_every_status(orders: httpx.AsyncClient) -> None:  # R-ORD-5
    params = {"stuck": "true", "status": "confirmed"}
    response = await orders.get("/orders", headers=OPERATOR, params=params)
    assert response.status_code == 422, response.text
    assert "status" in response.json()["detail"]
