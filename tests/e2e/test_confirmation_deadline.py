"""The 24-hour rule, complete, with a window of a few seconds (R-ORD-1..3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from devkit.journey import (
    Actor,
    cast,
    list_product,
    open_full_managed_store,
    order_when,
    place_order,
)
from devkit.wait import eventually, wait_until
from testkit import clock as run_clock
from testkit.platforms import RunningPlatform, StartPlatform
from testkit.tap import event_tap

pytestmark = pytest.mark.e2e

WINDOW_SECONDS = "3"


async def _shop(
    running: RunningPlatform, client: httpx.AsyncClient
) -> tuple[Actor, Actor, Actor, str]:
    operator, merchant, buyer = cast(running.urls, client)
    store = await open_full_managed_store(operator, merchant)
    product_id = await list_product(operator, merchant, store["store_id"])
    return operator, merchant, buyer, product_id


def _cancelled(order: dict[str, Any]) -> bool:
    return bool(order["status"] == "cancelled")


async def test_unconfirmed_orders_are_cancelled_once_with_two_orders_processes(
    start_platform: StartPlatform, tmp_path: Any
) -> None:  # R-ORD-2, R-ORD-3
    running = start_platform(POLICY_ORDER_CONFIRM_WINDOW_SECONDS=WINDOW_SECONDS)
    second = running.platform.another("orders", tmp_path)
    second.start()
    try:
        second.wait_ready()
        async with event_tap(running.amqp_url) as tap, httpx.AsyncClient(timeout=10) as client:
            _, merchant, buyer, product_id = await _shop(running, client)
            confirmed = await place_order(buyer, product_id)
            await merchant.call(
                "POST", "orders", f"/orders/{confirmed['order_id']}/confirm", expect=200
            )
            late = [await place_order(buyer, product_id) for _ in range(3)]
            for order in late:
                final = await order_when(
                    buyer, order["order_id"], _cancelled, "the timeout cancellation"
                )
                assert final["cancel_reason"] == "confirmation_timeout"
                events = [e["event"] for e in final["timeline"]]
                assert events.count("OrderCancelled") == 1
                # Confirming after the deadline (and the cancellation) is refused.
                refused = await merchant.call(
                    "POST", "orders", f"/orders/{order['order_id']}/confirm", expect=409
                )
                assert refused.headers["content-type"] == "application/problem+json"
                assert "cancelled" in refused.json()["detail"]

            async def all_published() -> bool:
                return all(tap.of_type("OrderCancelled", o["order_id"]) for o in late)

            await eventually(all_published, what="one OrderCancelled per late order")
            for order in late:
                ids = {e.event_id for e in tap.of_type("OrderCancelled", order["order_id"])}
                assert len(ids) == 1, "an order was cancelled twice"
            stats = (
                await merchant.call("GET", "orders", f"/merchants/{merchant.sub}/stats", expect=200)
            ).json()
            assert {
                key: value for key, value in stats.items() if key != "median_confirm_seconds"
            } == {
                "merchant_id": merchant.sub,
                "orders_total": 4,
                "confirmed_on_time": 1,
                "timed_out": 3,
                "on_time_rate": 0.25,
            }
            assert stats["median_confirm_seconds"] >= 0
    finally:
        second.stop()


async def test_an_order_due_while_orders_was_down_is_cancelled_when_it_returns(
    start_platform: StartPlatform,
) -> None:  # R-ORD-3
    running = start_platform(POLICY_ORDER_CONFIRM_WINDOW_SECONDS=WINDOW_SECONDS)
    async with httpx.AsyncClient(timeout=10) as client:
        _, _, buyer, product_id = await _shop(running, client)
        order = await place_order(buyer, product_id)
        running.platform.services["orders"].kill()
        confirm_by = datetime.fromisoformat(order["confirm_by"]).timestamp()
        wait_until(
            lambda: run_clock.timestamp() > confirm_by + 0.5,
            timeout=30,
            what="the deadline to pass while orders is down",
        )
        running.platform.restart("orders")
        final = await order_when(
            buyer, order["order_id"], _cancelled, "the cancellation after the restart"
        )
        assert final["cancel_reason"] == "confirmation_timeout"


async def test_a_buyer_cancels_before_confirmation_and_after_it_not_before_ship_by(
    start_platform: StartPlatform,
) -> None:  # R-ORD-2, R-ORD-5
    running = start_platform()
    async with httpx.AsyncClient(timeout=10) as client:
        _, merchant, buyer, product_id = await _shop(running, client)
        order = await place_order(buyer, product_id)
        cancelled = (
            await buyer.call("POST", "orders", f"/orders/{order['order_id']}/cancel", expect=200)
        ).json()
        assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "buyer_cancelled")
        refused = await merchant.call(
            "POST", "orders", f"/orders/{order['order_id']}/confirm", expect=409
        )
        assert "buyer_cancelled" in refused.json()["detail"]

        other = await place_order(buyer, product_id)
        await merchant.call("POST", "orders", f"/orders/{other['order_id']}/confirm", expect=200)
        late_cancel = await buyer.call(
            "POST", "orders", f"/orders/{other['order_id']}/cancel", expect=409
        )
        assert "confirmed" in late_cancel.json()["detail"]
        assert late_cancel.json()["code"] == "not_yet_late"
