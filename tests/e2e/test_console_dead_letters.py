"""The console's dead letters in a real browser: a product's approval reaches orders before
its store's (R-REV-8: orders takes a product only in a store it knows approved), is tried
until orders gives up and parked; once the store's approval has arrived, an operator sees
the letter, reads why, and replays it: orders puts the product on sale, and its
dead-letter queue is empty again."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest
from playwright.async_api import Browser, expect

from devkit.journey import Actor, cast
from devkit.wait import eventually
from testkit import clock as run_clock
from testkit.browser import screenshot, signed_in
from testkit.bus import emit, parked
from testkit.factories import a_product_approved, a_store_approved
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.local_only("drives a console process of its own")]


async def _on_sale(operator: Actor, product_id: str) -> bool:
    response = await operator.call("GET", "orders", f"/catalogue/{product_id}")
    return response.status_code == 200


async def _parked_ids(operator: Actor) -> list[str]:
    listed = await operator.call("GET", "orders", "/admin/dead-letters", expect=200)
    return [item["message_id"] for item in listed.json()["items"]]


async def test_an_operator_replays_a_dead_letter(
    start_platform: StartPlatform,
    start_console: Callable[[RunningPlatform], str],
    browser: Browser,
) -> None:  # R-REV-8
    # Two attempts (a second apart, the retry queue's delay): parked at once, not after five.
    running = start_platform(MAX_DELIVERY_ATTEMPTS="2")
    console = start_console(running)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, _ = cast(running.urls, client)
        store = {"store_id": f"s-{merchant.sub}", "merchant_id": merchant.sub}
        early_id, later_id = (f"p-{uuid.uuid4().hex[:8]}" for _ in range(2))

        early = a_product_approved(product_id=early_id, **store, at=run_clock.now())
        told = await emit(running.amqp_url, early, producer="review", correlation_id=early_id)
        why = await parked(running.amqp_url, "orders", told)
        assert why["x-error-type"] == "NotYetKnown"
        message_id = str(told.event_id)

        # The store's approval arrives; a product approved after it goes on sale at once,
        # so orders knows the store now: the parked one would succeed if replayed.
        approved = a_store_approved(**store, at=run_clock.now())
        await emit(running.amqp_url, approved, producer="review", correlation_id=store["store_id"])
        later = a_product_approved(product_id=later_id, **store, at=run_clock.now())
        await emit(running.amqp_url, later, producer="review", correlation_id=later_id)
        await eventually(lambda: _on_sale(operator, later_id), what="the later product on sale")
        assert not await _on_sale(operator, early_id)
        assert await _parked_ids(operator) == [message_id]

        page = await signed_in(await browser.new_page(), console, "operator", operator.sub)
        await page.goto(f"{console}/dead-letters")
        await expect(page.get_by_role("heading", name="Dead letters", exact=True)).to_be_visible()
        counts = page.get_by_role("table", name="Parked letters per service")
        await expect(counts.locator('tr[data-service="orders"]')).to_contain_text("1 parked")
        await expect(counts.locator('tr[data-service="logistics"]')).to_contain_text("none")
        letters = page.get_by_role("table", name="Dead letters of orders")
        row = letters.locator(f'tr[data-message="{message_id}"]')
        await expect(row).to_contain_text("ProductApproved")
        await expect(row).to_contain_text("NotYetKnown")
        await expect(row).to_contain_text("not seen approved")
        await screenshot(page, "dead-letters")

        await row.get_by_role("link", name=f"Inspect ProductApproved {message_id}").click()
        heading = page.get_by_role("heading", name="ProductApproved parked by orders")
        await expect(heading).to_be_visible()
        body = page.get_by_label("The parked message's body")
        await expect(body).to_contain_text(f'"product_id": "{early_id}"')
        await screenshot(page, "dead-letter")
        await page.get_by_role("button", name="Replay this letter").click()

        await expect(
            page.get_by_role("status").filter(has_text="orders replayed 1 letter")
        ).to_contain_text(message_id)
        await expect(page.get_by_text("Nothing is parked in orders.")).to_be_visible()

        # Orders agrees: the letter left its dead-letter queue, and the product is on sale.
        await eventually(lambda: _on_sale(operator, early_id), what="the replayed product on sale")
        assert await _parked_ids(operator) == []
        listed = await operator.call("GET", "orders", "/admin/dead-letters", expect=200)
        assert listed.json()["depth"] == 0
