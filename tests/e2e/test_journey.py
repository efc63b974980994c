"""One order's whole journey across the four services (issue: the backbone), and the
same journey's events delivered twice changing nothing."""

from __future__ import annotations

from typing import Any

import pytest

from devkit.journey import (
    list_product,
    open_damage_case,
    open_full_managed_store,
    order_when,
    place_order,
    refund_whole_order,
    ship,
    shipment_of,
)
from devkit.wait import eventually
from shared.contract import Envelope
from testkit.bus import deliver_again
from testkit.platforms import StartPlatform
from testkit.tap import watched_cast

pytestmark = pytest.mark.e2e


async def test_one_order_crosses_all_four_services(start_platform: StartPlatform) -> None:
    running = start_platform()
    async with watched_cast(running) as (tap, operator, merchant, buyer):
        # 1-2. Store and product through review; orders keeps its own catalogue (R-REV-*).
        store = await open_full_managed_store(operator, merchant)

        async def store_approved_published() -> bool:
            return bool(tap.of_type("StoreApproved", store["store_id"]))

        await eventually(store_approved_published, what="StoreApproved on the bus")
        product_id = await list_product(operator, merchant, store["store_id"])

        # 3. The buyer orders; the price is the catalogue's (R-ORD-1, R-ORD-2).
        order = await place_order(buyer, product_id, quantity=2)
        assert order["status"] == "awaiting_confirmation"
        assert order["total"] == {"amount_minor": 9_980, "currency": "USD"}
        assert order["confirm_by"] > order["created_at"]

        # 4. The merchant confirms; logistics creates the shipment by itself (R-ORD-4).
        await merchant.call("POST", "orders", f"/orders/{order['order_id']}/confirm", expect=200)
        shipment = await shipment_of(operator, order["order_id"])
        assert shipment["status"] == "awaiting_shipment"

        # 5. The operator ships (full-managed: the platform ships, R-LOG-1) and delivers.
        await ship(operator, shipment["shipment_id"])
        await order_when(
            buyer, order["order_id"], lambda o: o["status"] == "shipped", "the order shipped"
        )
        await operator.call(
            "POST", "logistics", f"/shipments/{shipment['shipment_id']}/deliver", expect=200
        )
        await order_when(
            buyer, order["order_id"], lambda o: o["status"] == "delivered", "the order delivered"
        )

        # 6. A damaged item: the platform bears the refund in the exemption period (R-AS-2).
        case = await open_damage_case(buyer, order)
        await refund_whole_order(operator, case, order)
        final = await order_when(
            buyer, order["order_id"], lambda o: o["status"] == "refunded", "the order refunded"
        )

        # The tap's own queue may lag behind orders' by a moment.
        async def refund_on_the_bus() -> list[Envelope] | None:
            return tap.of_type("RefundIssued", order["order_id"]) or None

        [refund] = await eventually(refund_on_the_bus, what="RefundIssued on the bus")
        assert refund.payload["liable_party"] == "platform"
        assert refund.payload["amount"] == order["total"]

        # The timeline shows every step, in order, from the events orders received.
        assert [entry["event"] for entry in final["timeline"]] == [
            "OrderCreated",
            "OrderConfirmed",
            "ShipmentCreated",
            "Shipped",
            "Delivered",
            "AfterSalesCaseOpened",
            "RefundIssued",
        ]

        # Fault: every event of the journey delivered twice more changes nothing.
        before = await _state(operator, order["order_id"], case["case_id"])
        await deliver_again(running.amqp_url, running.urls, operator.client, list(tap.bodies))
        assert await _state(operator, order["order_id"], case["case_id"]) == before


async def _state(operator: Any, order_id: str, case_id: str) -> list[Any]:
    order = (await operator.call("GET", "orders", f"/orders/{order_id}", expect=200)).json()
    shipments = (
        await operator.call("GET", "logistics", f"/shipments?order_id={order_id}", expect=200)
    ).json()
    case = (await operator.call("GET", "aftersales", f"/cases/{case_id}", expect=200)).json()
    return [order, shipments, case]
