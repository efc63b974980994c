"""The console's order pages in a real browser (R-ORD-2, R-ORD-5): a buyer sees their
order among theirs and, on its page, what the platform waits for (the merchant's
confirmation, until its deadline) without settlement's ledger, which is not a buyer's; a
stranger is told there is no such order for them; with settlement down, the operator
still sees the rest of the order's process and is told the ledger cannot be shown."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.async_api import Browser, expect

from devkit.journey import Actor, cast, list_product, open_full_managed_store, place_order
from testkit.browser import signed_in
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.local_only("drives a console process of its own")]


async def test_an_order_shows_to_its_parties_and_survives_a_service_down(
    start_platform: StartPlatform,
    start_console: Callable[[RunningPlatform], str],
    browser: Browser,
) -> None:  # R-ORD-2, R-ORD-5
    running = start_platform()
    console = start_console(running)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        store = await open_full_managed_store(operator, merchant)
        order = await place_order(buyer, await list_product(operator, merchant, store["store_id"]))
        order_id = order["order_id"]

        # The buyer: the order among theirs, and what it waits for.
        page = await signed_in(await browser.new_page(), console, "buyer", buyer.sub)
        await expect(page.get_by_role("heading", name="My orders")).to_be_visible()
        row = page.get_by_role("table", name="Orders").locator(f'tr[data-order="{order_id}"]')
        await expect(row).to_contain_text("merchant")
        await row.get_by_role("link", name=order_id).click()
        waits = page.locator("section", has=page.get_by_role("heading", name="What the platform"))
        await expect(waits).to_contain_text("confirm the order")
        await expect(waits.locator("time").first).to_have_attribute("datetime", order["confirm_by"])
        await expect(page.get_by_role("heading", name="Ledger")).to_have_count(0)

        # Another buyer: no such order for them, as the orders service answers.
        stranger = Actor("buyer", f"{buyer.sub}-other", running.urls, client)
        await stranger.call("GET", "orders", f"/orders/{order_id}", expect=404)
        other = await signed_in(await browser.new_page(), console, "buyer", stranger.sub)
        answer = await other.goto(f"{console}/orders/{order_id}")
        assert answer is not None
        assert answer.status == 404
        await expect(other.get_by_role("alert")).to_contain_text("No such order for you")

        # Settlement down: the operator sees the rest, and why the ledger is missing.
        running.platform.services["settlement"].stop()
        with pytest.raises(httpx.TransportError):
            await operator.call("GET", "settlement", f"/orders/{order_id}/ledger")
        desk = await signed_in(await browser.new_page(), console, "operator", operator.sub)
        await desk.goto(f"{console}/orders/{order_id}")
        await expect(desk.get_by_role("heading", name=f"Order {order_id}")).to_be_visible()
        await expect(desk.get_by_role("table", name="Lines of the order")).to_be_visible()
        ledger = desk.locator("section", has=desk.get_by_role("heading", name="Ledger"))
        await expect(ledger.get_by_role("alert")).to_contain_text("settlement service")
