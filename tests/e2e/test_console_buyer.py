"""The buyer's side of the console in a real browser (R-CAT-1, R-ORD-1, R-AS-1): the buyer
finds a product in the shop, orders 2 of it, is refused once beside the phone field, then
places the order; the same form sent again (same Idempotency-Key) places nothing more.
Once the order is delivered, the buyer opens a damage case through the form. The services
agree: one order of 2 at the catalogue's price, and the case on that order."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from devkit.journey import (
    ADDRESS,
    cast,
    confirm_ship_deliver,
    list_product,
    open_full_managed_store,
    order_when,
)
from devkit.wait import eventually
from testkit.browser import screenshot, signed_in
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.local_only("drives a console process of its own")]

PRICE = 4_990  # USD cents, `list_product`'s price
ORDER_FORM = 'form[action^="/shop/products/"]'


async def _fill_the_order(page: Page, phone: str) -> None:
    await page.get_by_label("Quantity").fill("2")
    await page.get_by_label("Recipient").fill(ADDRESS["recipient"])
    await page.get_by_label("Phone", exact=True).fill(phone)
    await page.get_by_label("Country").select_option(ADDRESS["country"])
    await page.get_by_label("City").fill(ADDRESS["city"])
    await page.get_by_label("Street and number").fill(ADDRESS["line1"])
    await page.get_by_label("Postal code").fill(ADDRESS["postal_code"])


async def _open_the_case(page: Page) -> str:
    """Sends the case form until aftersales has learnt of the delivery (R-AS-1: a damage
    case opens only after it); the new case's id, from its page's address."""

    async def probe() -> str | None:
        async with page.expect_navigation():
            await page.get_by_role("button", name="Open the case").click()
        found = re.search(r"/cases/([^/?#]+)$", page.url)
        return found.group(1) if found else None

    return await eventually(probe, what="the case opened", interval=0.5)


async def test_a_buyer_orders_from_the_shop_and_opens_a_damage_case(
    start_platform: StartPlatform,
    start_console: Callable[[RunningPlatform], str],
    browser: Browser,
) -> None:  # R-CAT-1, R-ORD-1, R-AS-1
    running = start_platform()
    console = start_console(running)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        store = await open_full_managed_store(operator, merchant)
        product_id = await list_product(operator, merchant, store["store_id"], price_minor=PRICE)

        page = await signed_in(await browser.new_page(), console, "buyer", buyer.sub)
        await page.get_by_role("link", name="Shop").click()
        row = page.get_by_role("table", name="Products on sale").locator(
            f'tr[data-product="{product_id}"]'
        )
        await expect(row).to_contain_text("$49.90")
        await expect(row).to_contain_text(store["name"])
        await screenshot(page, "shop")
        await row.get_by_role("link", name="Porcelain tea set").click()
        await expect(page.get_by_role("heading", name="Porcelain tea set")).to_be_visible()

        # Refused once: orders' message beside the phone, and nothing typed is lost.
        await _fill_the_order(page, "call me")
        await page.get_by_role("button", name="Place the order").click()
        await expect(page.locator("#phone-error")).to_contain_text("phone number")
        await expect(page.get_by_label("Phone", exact=True)).to_have_attribute(
            "aria-invalid", "true"
        )
        await expect(page.get_by_label("Recipient")).to_have_value(ADDRESS["recipient"])
        await expect(page.get_by_label("Quantity")).to_have_value("2")
        await expect(page.get_by_label("Country")).to_have_value(ADDRESS["country"])

        await page.get_by_label("Phone", exact=True).fill(ADDRESS["phone"])
        sent = await page.locator(ORDER_FORM).evaluate("f => Object.fromEntries(new FormData(f))")
        await page.get_by_role("button", name="Place the order").click()
        await expect(page).to_have_url(re.compile(r"/orders/[^/]+$"))
        await expect(page.get_by_role("status").first).to_contain_text("order is placed")
        order_id = page.url.rsplit("/", 1)[-1]

        # The same form sent again (a double click, a resend): the same order, no other.
        again = await page.request.post(f"{console}/shop/products/{product_id}", form=sent)
        assert again.ok, await again.text()
        assert again.url.endswith(f"/orders/{order_id}"), again.url
        assert "already sent" in await again.text()

        mine = (await buyer.call("GET", "orders", "/orders", expect=200)).json()["items"]
        assert [o["order_id"] for o in mine] == [order_id]
        order = (await buyer.call("GET", "orders", f"/orders/{order_id}", expect=200)).json()
        assert [(i["product_id"], i["quantity"]) for i in order["items"]] == [(product_id, 2)]
        assert order["total"] == {"amount_minor": 2 * PRICE, "currency": "USD"}
        assert order["shipping_address"] == ADDRESS

        await confirm_ship_deliver(operator, merchant, order)
        await order_when(buyer, order_id, lambda o: o["status"] == "delivered", "delivered")

        await page.goto(f"{console}/shop/orders/{order_id}/case")
        await page.get_by_label("What went wrong").select_option("damaged")
        await page.get_by_label("What happened").fill("The teapot arrived broken.")
        refund = page.get_by_label(re.compile("Refund you ask for"))
        await expect(refund).to_have_value("99.80")  # the whole total, to start with
        await refund.fill("500")
        await page.get_by_role("button", name="Open the case").click()
        await expect(page.locator("#refund_amount-error")).to_contain_text("99.80 USD")
        await expect(page.get_by_label("What happened")).to_have_value("The teapot arrived broken.")
        await refund.fill("99.80")
        case_id = await _open_the_case(page)
        await expect(page.get_by_role("status").first).to_contain_text("case is open")

        cases = await buyer.call("GET", "aftersales", "/cases", params={"order_id": order_id})
        assert cases.status_code == 200, cases.text
        [case] = cases.json()["items"]
        assert (case["case_id"], case["order_id"], case["reason"]) == (case_id, order_id, "damaged")
        assert case["refund_requested"] == order["total"]
