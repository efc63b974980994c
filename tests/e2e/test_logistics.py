"""Logistics across processes: a semi-managed order shipped by its merchant, late
shipments flagged by themselves once each (three logistics processes watching), an order
to a destination no route serves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from devkit.journey import (
    Actor,
    a_confirmed_order,
    an_order_no_route_serves,
    cast,
    confirm_cancelled_as_no_route,
    list_product,
    open_full_managed_store,
    order_when,
    place_order,
    shipment_of,
)
from devkit.wait import eventually
from testkit import clock as run_clock
from testkit.bus import deliver_again
from testkit.platforms import StartPlatform
from testkit.tap import automatic_refunds, watched_cast

pytestmark = pytest.mark.e2e

FOUR_DAYS = run_clock.moved_by(4 * 24 * 3600)
#: Shipments left unshipped past their ship-by while three logistics processes watch.
LATE_ORDERS = 3


async def test_a_semi_managed_order_is_shipped_by_its_own_merchant(
    start_platform: StartPlatform,
) -> None:  # R-LOG-2, R-LOG-3, R-LOG-4, R-LOG-5
    running = start_platform()
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        confirmed, shipment = await a_confirmed_order(operator, merchant, buyer, "semi_managed")
        assert (shipment["store_type"], shipment["route"]) == ("semi_managed", "semi-eu-ground")
        assert shipment["ship_by"]
        assert shipment["self_drop_by"]
        window = shipment["estimated_delivery"]
        assert window["earliest"] <= window["latest"]
        estimate = (
            await buyer.call(
                "GET",
                "logistics",
                "/delivery-estimate",
                expect=200,
                params={
                    "store_type": "semi_managed",
                    "country": "ES",
                    "at": confirmed["confirmed_at"],
                    "weight_grams": shipment["weight_grams"],
                    "handling_days": 1,
                    "warehouse_country": "ES",
                    "warehouse_timezone": "Europe/Madrid",
                },
            )
        ).json()
        # The estimate a buyer is shown is exactly the deadline the shipment got.
        assert (estimate["ship_by"], estimate["earliest"], estimate["latest"]) == (
            shipment["ship_by"],
            window["earliest"],
            window["latest"],
        )

        ship = f"/shipments/{shipment['shipment_id']}/ship"
        body = {"carrier": "DHL", "tracking_number": "JD0001", "handover": "pickup"}
        assert (await operator.call("POST", "logistics", ship, json=body)).status_code == 403
        stranger = Actor("merchant", "m-stranger", running.urls, client)
        assert (await stranger.call("POST", "logistics", ship, json=body)).status_code == 404
        shipped = (await merchant.call("POST", "logistics", ship, json=body, expect=200)).json()
        assert (shipped["status"], shipped["late"]) == ("shipped", False)
        assert [step["status"] for step in shipped["history"]] == ["awaiting_shipment", "shipped"]
        again = await merchant.call("POST", "logistics", ship, json=body)
        assert again.status_code == 409
        await order_when(
            buyer, confirmed["order_id"], lambda o: o["status"] == "shipped", "the order shipped"
        )


async def test_a_shipment_unshipped_at_ship_by_is_flagged_late_by_itself_once(
    start_platform: StartPlatform, tmp_path: Path
) -> None:  # R-LOG-1, R-LOG-5
    running = start_platform()
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        store = await open_full_managed_store(operator, merchant)
        product_id = await list_product(operator, merchant, store["store_id"])
        orders = [await place_order(buyer, product_id) for _ in range(LATE_ORDERS)]
        for order in orders:
            await merchant.call(
                "POST", "orders", f"/orders/{order['order_id']}/confirm", expect=200
            )
        shipments = [await shipment_of(operator, order["order_id"]) for order in orders]
        assert not any(shipment["late"] for shipment in shipments)

        # Four days on (past the 3-day ship-by), with three logistics processes (three
        # containers across containers) watching the same deadlines.
        running.platform.restart("logistics", {"CLOCK_OFFSET_SECONDS": FOUR_DAYS})
        others = [running.platform.another("logistics", tmp_path) for _ in range(2)]
        for other in others:
            other.start()
        try:
            for other in others:
                other.wait_ready()
            for order, shipment in zip(orders, shipments, strict=True):
                late = await order_when(
                    buyer,
                    order["order_id"],
                    lambda o: "ShipmentLate" in [e["event"] for e in o["timeline"]],
                    "ShipmentLate on the order's timeline",
                )
                flagged = (
                    await operator.call(
                        "GET", "logistics", f"/shipments/{shipment['shipment_id']}", expect=200
                    )
                ).json()
                assert flagged["late"]
                assert flagged["late_detected_at"]
                assert [e["event"] for e in late["timeline"]].count("ShipmentLate") == 1

            # Once each, even across a restart.
            running.platform.restart("logistics")

            def late_events() -> list[int]:
                return [
                    len({e.event_id for e in tap.of_type("ShipmentLate", o["order_id"])})
                    for o in orders
                ]

            async def one_late_event_each() -> bool:
                return late_events() == [1] * LATE_ORDERS

            await eventually(one_late_event_each, what="one ShipmentLate event per shipment")
        finally:
            for other in others:
                other.stop()
        assert late_events() == [1] * LATE_ORDERS


async def test_an_order_no_route_serves_is_cancelled_and_refunded_once(
    start_platform: StartPlatform,
) -> None:  # R-LOG-6, R-ORD-5, R-ORD-6
    running = start_platform()
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        order = await an_order_no_route_serves(operator, merchant, buyer)
        order_id = order["order_id"]
        await confirm_cancelled_as_no_route(operator, merchant, buyer, order_id)
        refunds = await automatic_refunds(tap, order, "no_route", "platform")  # R-ORD-6
        assert len(refunds) == 1
        again = await buyer.call("POST", "orders", f"/orders/{order_id}/cancel")
        assert again.status_code == 409

        # Fault: every event of this order delivered twice more changes nothing (once the
        # refund is on the order's timeline, the last thing this journey writes).
        await order_when(
            buyer,
            order_id,
            lambda o: "RefundIssued" in [entry["event"] for entry in o["timeline"]],
            "the refund on the order's timeline",
        )
        before = await _state(operator, order_id)
        await deliver_again(running.amqp_url, running.urls, operator.client, list(tap.bodies))
        assert await _state(operator, order_id) == before
        # One of each, whatever the copies the tap saw (the two published again included).
        for kind in ("RefundIssued", "OrderCancelled", "ShipmentCancelled"):
            assert len({event.event_id for event in tap.of_type(kind, order_id)}) == 1, kind


async def _state(operator: Actor, order_id: str) -> list[Any]:
    order = await operator.call("GET", "orders", f"/orders/{order_id}", expect=200)
    shipments = await operator.call(
        "GET", "logistics", f"/shipments?order_id={order_id}", expect=200
    )
    return [order.json(), shipments.json()]
