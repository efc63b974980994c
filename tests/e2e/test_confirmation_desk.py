"""The merchant's confirmation desk across processes (R-ORD-2, R-ORD-3)."""

from __future__ import annotations

from datetime import datetime

import httpx
import pytest

from devkit.journey import cast, list_product, open_full_managed_store, order_when, place_order
from devkit.wait import eventually, wait_until
from testkit import clock as run_clock
from testkit.platforms import StartPlatform
from testkit.tap import event_tap

pytestmark = pytest.mark.e2e

WINDOW = 6


def _moment(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


async def test_the_desk_orders_by_deadline_and_confirms_each_on_its_own(
    start_platform: StartPlatform,
) -> None:  # R-ORD-2, R-ORD-3
    running = start_platform(POLICY_ORDER_CONFIRM_WINDOW_SECONDS=str(WINDOW))
    async with event_tap(running.amqp_url) as tap, httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        _, rival, _ = cast(running.urls, client)
        store = await open_full_managed_store(operator, merchant)
        product_id = await list_product(operator, merchant, store["store_id"])
        rival_store = await open_full_managed_store(operator, rival)
        rival_product = await list_product(operator, rival, rival_store["store_id"])

        first = await place_order(buyer, product_id)
        wait_until(
            lambda: run_clock.timestamp() > _moment(first["created_at"]) + WINDOW / 2,
            timeout=10,
            what="half the window to pass",
        )
        second = await place_order(buyer, product_id)
        third = await place_order(buyer, product_id)
        foreign = await place_order(buyer, rival_product)

        desk = (
            await merchant.call(
                "GET", "orders", "/orders", params={"status": "awaiting_confirmation"}, expect=200
            )
        ).json()["items"]
        assert [o["order_id"] for o in desk] == [
            first["order_id"],
            second["order_id"],
            third["order_id"],
        ]  # soonest first
        lefts = [o["seconds_left"] for o in desk]
        assert lefts == sorted(lefts)
        assert 0 < lefts[0] < lefts[1] <= WINDOW

        # The first order's deadline passes; then one batch with it and a rival's order.
        wait_until(
            lambda: run_clock.timestamp() > _moment(first["confirm_by"]) + 0.3,
            timeout=15,
            what="the first order's deadline",
        )
        batch = [first["order_id"], second["order_id"], foreign["order_id"], third["order_id"]]
        results = (
            await merchant.call(
                "POST", "orders", "/orders/confirm", json={"order_ids": batch}, expect=200
            )
        ).json()["results"]
        outcomes = {r["order_id"]: (r["outcome"], r["reason"]) for r in results}
        assert outcomes == {
            first["order_id"]: ("refused", "past_deadline"),
            second["order_id"]: ("confirmed", None),
            foreign["order_id"]: ("refused", "not_found"),
            third["order_id"]: ("confirmed", None),
        }

        async def both_published() -> bool:
            return all(tap.of_type("OrderConfirmed", o["order_id"]) for o in (second, third))

        await eventually(both_published, what="one OrderConfirmed per confirmed order")
        for order in (second, third):
            assert len({e.event_id for e in tap.of_type("OrderConfirmed", order["order_id"])}) == 1
        for order in (first, foreign):
            assert not tap.of_type("OrderConfirmed", order["order_id"])
        cancelled = await order_when(
            buyer, first["order_id"], lambda o: o["status"] == "cancelled", "the timeout"
        )
        assert cancelled["cancel_reason"] == "confirmation_timeout"

        stats = (
            await merchant.call("GET", "orders", f"/merchants/{merchant.sub}/stats", expect=200)
        ).json()
        assert (stats["confirmed_on_time"], stats["timed_out"]) == (2, 1)
        assert 0 < stats["median_confirm_seconds"] <= WINDOW
