"""The operators' shipping page in a real browser (R-LOG-1, R-LOG-5, R-ORD-4): a
full-managed order's shipment, planned on its confirmation, is found on /shipping with its
countdown to `ship_by` (logistics' own `seconds_left`), in logistics' order of the
shipments to hand over; a page link logistics refuses is said so, with the way back; its
handover without a tracking number is refused beside that
field, then it is handed over and marked delivered; logistics has it delivered, and the
order is `delivered`."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from playwright.async_api import Browser, expect

from devkit.journey import (
    cast,
    list_product,
    open_full_managed_store,
    order_when,
    place_order,
    shipment_of,
)
from testkit.browser import screenshot, signed_in
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.local_only("drives a console process of its own")]

CARRIER, TRACKING = "SF Express", "SF1234567890"


async def test_an_operator_ships_and_delivers_a_full_managed_parcel(
    start_platform: StartPlatform,
    start_console: Callable[[RunningPlatform], str],
    browser: Browser,
) -> None:  # R-LOG-1, R-LOG-5, R-ORD-4
    running = start_platform()
    console = start_console(running)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        store = await open_full_managed_store(operator, merchant)
        product_id = await list_product(operator, merchant, store["store_id"])
        order_ids = [(await place_order(buyer, product_id))["order_id"] for _ in range(2)]
        for each in order_ids:
            await merchant.call("POST", "orders", f"/orders/{each}/confirm", expect=200)
        order_id = order_ids[0]
        shipment = await shipment_of(operator, order_id)
        shipment_id = shipment["shipment_id"]
        await shipment_of(operator, order_ids[1])

        # The shipment waits on /shipping, with its order and its time left to `ship_by`.
        page = await signed_in(await browser.new_page(), console, "operator", operator.sub)
        await page.goto(f"{console}/shipping")
        await expect(page.get_by_role("heading", name="Shipping", exact=True)).to_be_visible()
        row = page.locator(f'tr[data-shipment="{shipment_id}"]')
        await expect(row.get_by_role("link", name=order_id)).to_have_attribute(
            "href", f"/orders/{order_id}"
        )
        await expect(row).to_contain_text("awaiting shipment")
        await expect(row.locator(".countdown")).to_contain_text("left")  # R-LOG-1: 1-3 days
        await expect(row).to_contain_text(shipment["route"])
        # R-LOG-5: the countdown is logistics' `seconds_left`, not the console's clock.
        # Drawn between two answers of logistics, it lies between their `seconds_left`.
        drawn = await row.locator(".countdown").get_attribute("data-seconds-left")
        assert drawn is not None
        now = await operator.call("GET", "logistics", f"/shipments/{shipment_id}", expect=200)
        assert now.json()["seconds_left"] - 1 <= int(drawn) <= shipment["seconds_left"] + 1
        # R-LOG-1: the page's order is logistics' own, the soonest `ship_by` first.
        listed = await operator.call(
            "GET", "logistics", "/shipments?status=awaiting_shipment&limit=50", expect=200
        )
        api_order = [s["shipment_id"] for s in listed.json()["items"]]
        assert len(api_order) == 2
        rows = page.locator("tbody tr[data-shipment]")
        await expect(rows).to_have_count(len(api_order))
        page_order = [await r.get_attribute("data-shipment") for r in await rows.all()]
        assert page_order == api_order
        await screenshot(page, "shipping")

        # A page link logistics does not take: its refusal, and the way back.
        await page.goto(f"{console}/shipping?view=to_ship&cursor=not-a-cursor")
        await expect(page.get_by_role("alert")).to_be_visible()
        await page.get_by_role("link", name="Back to the first page").click()
        row = page.locator(f'tr[data-shipment="{shipment_id}"]')
        await expect(row).to_contain_text("awaiting shipment")
        refused = await operator.call(
            "GET", "logistics", "/shipments?status=awaiting_shipment&cursor=not-a-cursor"
        )
        assert refused.status_code == 422

        # None is late yet (R-LOG-5); the search by order finds its shipment (R-ORD-4).
        await page.get_by_role("link", name="Late", exact=True).click()
        await expect(page.get_by_role("status")).to_contain_text("No parcel is past")
        await page.get_by_label("Find the shipments of an order").fill(order_id)
        await page.get_by_role("button", name="Find").click()
        row = page.locator(f'tr[data-shipment="{shipment_id}"]')
        await expect(page.locator("tbody tr")).to_have_count(1)

        await row.get_by_role("link", name=shipment_id).click()
        await expect(page.get_by_role("heading", name=f"Shipment {shipment_id}")).to_be_visible()
        await expect(page.locator("dl.facts .countdown")).to_have_attribute(
            "data-seconds-left", re.compile(r"^\d+$")
        )

        # Refused: a tracking number of blanks is none; logistics says so beside the field.
        await page.get_by_label("Carrier", exact=True).fill(CARRIER)
        await page.get_by_label("Tracking number", exact=True).fill("   ")
        await page.get_by_role("button", name="Mark handed over").click()
        await expect(page.get_by_role("alert")).to_be_visible()
        await expect(page.locator("#tracking_number-error")).not_to_be_empty()
        await expect(page.get_by_label("Tracking number", exact=True)).to_have_attribute(
            "aria-invalid", "true"
        )
        await expect(page.get_by_label("Carrier", exact=True)).to_have_value(
            CARRIER
        )  # nothing lost
        await screenshot(page, "shipping-refused")
        waiting = await operator.call("GET", "logistics", f"/shipments/{shipment_id}", expect=200)
        assert waiting.json()["status"] == "awaiting_shipment"

        # Handed over, then delivered: each answered by a message, the page as it is now.
        await page.get_by_label("Tracking number", exact=True).fill(TRACKING)
        await page.get_by_role("button", name="Mark handed over").click()
        await expect(
            page.get_by_role("status").filter(has_text=f"Shipment {shipment_id} is handed over")
        ).to_be_visible()
        await expect(page.locator("h1 [data-status]")).to_have_text("shipped")
        await expect(page.locator("dl.facts")).to_contain_text(TRACKING)
        await page.get_by_role("button", name="Mark delivered").click()
        await expect(
            page.get_by_role("status").filter(has_text=f"Shipment {shipment_id} is delivered")
        ).to_be_visible()
        await expect(page.locator("h1 [data-status]")).to_have_text("delivered")
        await expect(page.locator("ol.timeline")).to_contain_text("delivered")

        # The services agree: logistics has it delivered, by the carrier typed; the order
        # heard of it and is delivered.
        found = await operator.call("GET", "logistics", f"/shipments/{shipment_id}", expect=200)
        delivered = found.json()
        assert delivered["status"] == "delivered"
        assert (delivered["carrier"], delivered["tracking_number"]) == (CARRIER, TRACKING)
        assert delivered["handover"] == "pickup"
        assert [h["status"] for h in delivered["history"]][-2:] == ["shipped", "delivered"]
        await order_when(operator, order_id, lambda o: o["status"] == "delivered", "delivered")
