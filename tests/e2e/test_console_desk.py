"""The console's confirmation desk in a real browser (R-ORD-2, R-ORD-3): a merchant
confirms two orders in one batch; the one past its deadline is refused, the other confirmed,
and the orders service agrees."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import httpx
import pytest
from playwright.async_api import Browser, expect

from devkit.journey import cast, list_product, open_full_managed_store, order_when, place_order
from devkit.wait import wait_until
from testkit import clock as run_clock
from testkit.browser import screenshot, signed_in
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.local_only("drives a console process of its own")]

#: The confirmation window: long enough to tick two orders, short enough to see one pass.
WINDOW = 16


def _moment(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


async def test_a_merchant_confirms_a_batch_and_the_late_order_is_refused(
    start_platform: StartPlatform,
    start_console: Callable[[RunningPlatform], str],
    browser: Browser,
) -> None:  # R-ORD-2, R-ORD-3
    running = start_platform(POLICY_ORDER_CONFIRM_WINDOW_SECONDS=str(WINDOW))
    console = start_console(running)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        store = await open_full_managed_store(operator, merchant)
        product_id = await list_product(operator, merchant, store["store_id"])
        late = await place_order(buyer, product_id)
        wait_until(
            lambda: run_clock.timestamp() > _moment(late["created_at"]) + WINDOW / 2,
            timeout=WINDOW,
            what="half the window to pass",
        )
        timely = await place_order(buyer, product_id, quantity=2)

        page = await signed_in(await browser.new_page(), console, "merchant", merchant.sub)
        await expect(page.get_by_role("heading", name="Confirmation desk")).to_be_visible()
        rows = page.locator("tbody tr")
        await expect(rows).to_have_count(2)
        await expect(rows.nth(0)).to_contain_text(late["order_id"])  # soonest deadline first
        await expect(rows.nth(0).locator(".countdown")).to_contain_text("left")
        await screenshot(page, "desk")

        wait_until(
            lambda: run_clock.timestamp() > _moment(late["confirm_by"]) + 0.3,
            timeout=WINDOW,
            what="the first order's deadline",
        )
        await expect(rows.nth(0).locator(".countdown")).to_have_text("past the deadline")
        await page.get_by_label(late["order_id"]).check()
        await page.get_by_label(timely["order_id"]).check()
        await page.get_by_role("button", name="Confirm the ticked orders").click()

        answers = page.get_by_role("table", name="What the batch did")
        await expect(answers.locator(f'tr[data-order="{late["order_id"]}"]')).to_contain_text(
            "refused"
        )
        await expect(answers.locator(f'tr[data-order="{timely["order_id"]}"]')).to_contain_text(
            "confirmed"
        )
        await screenshot(page, "desk-batch")

        # The orders service agrees: one confirmed, the late one never was.
        confirmed = await order_when(
            merchant, timely["order_id"], lambda o: o["status"] == "confirmed", "confirmed"
        )
        assert confirmed["confirmed_at"] is not None
        refused = await merchant.call("GET", "orders", f"/orders/{late['order_id']}", expect=200)
        assert refused.json()["confirmed_at"] is None
        assert refused.json()["status"] in ("awaiting_confirmation", "cancelled")
