"""The merchant's pages of the console in a real browser: a full-managed store with an
approved product and a confirmed order (R-REV-3, R-REV-9, R-ORD-2); the merchant sees the
shipment to hand over with its ship-by (R-LOG-1), the store and product approved, the
scorecard (R-SC-1), the statement and balance (R-SET-5), each as the services' APIs answer
the same merchant; a backwards date range is refused beside its field; a message to
support reaches the store's thread (R-REV-7). Her semi-managed parcel she hands over
herself (R-LOG-4), and logistics agrees."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from devkit.journey import (
    Actor,
    apply_for_store,
    cast,
    list_product,
    open_full_managed_store,
    open_semi_managed_store,
    place_order,
    semi_managed_application,
    shipment_of,
)
from testkit.browser import screenshot, signed_in
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.local_only("drives a console process of its own")]


async def _api(actor: Actor, service: str, path: str, **params: Any) -> Any:
    return (await actor.call("GET", service, path, params=params, expect=200)).json()


async def _sees_the_shipment(page: Page, console: str, merchant: Actor, order_id: str) -> None:
    shipment = await shipment_of(merchant, order_id)  # logistics planned it (R-LOG-1)
    api = await _api(merchant, "logistics", f"/shipments/{shipment['shipment_id']}")
    assert api["status"] == "awaiting_shipment"
    assert api["ship_by"] is not None
    await page.goto(f"{console}/shipments")
    row = page.locator(f'tr[data-shipment="{api["shipment_id"]}"]')
    await expect(row).to_contain_text(order_id)
    await expect(row.locator(f'.ship-by time[datetime="{api["ship_by"]}"]')).to_be_visible()
    await expect(row.locator(".countdown")).to_contain_text("left")
    await expect(row.locator(".route")).to_contain_text(api["route"])
    window = api["estimated_delivery"]
    await expect(row.locator(".estimated")).to_contain_text(
        f"{window['earliest']} to {window['latest']}"
    )
    await expect(row).to_contain_text("the platform")  # full-managed: no form of hers
    handing = page.get_by_role("group", name=f"Hand over shipment {api['shipment_id']}")
    await expect(handing).to_have_count(0)

    # A page link logistics did not give: its refusal above the first page.
    refused = await merchant.call("GET", "logistics", "/shipments", params={"cursor": "bogus"})
    assert refused.status_code == 422
    await page.goto(f"{console}/shipments?cursor=bogus")
    await expect(page.get_by_role("alert")).to_contain_text(refused.json()["detail"])
    await expect(row).to_contain_text(order_id)


async def _hands_over(page: Page, console: str, merchant: Actor, orders: list[str]) -> None:
    """R-LOG-4: the merchant hands over its semi-managed parcel (`orders[1]`) itself; the
    list puts the soonest `ship_by` first, as logistics counts it."""
    shipments = [await shipment_of(merchant, order_id) for order_id in orders]
    listed = await _api(merchant, "logistics", "/shipments", status="awaiting_shipment")
    soonest = sorted(shipments, key=lambda s: str(s["ship_by"]))
    assert [s["shipment_id"] for s in listed["items"]] == [s["shipment_id"] for s in soonest]
    assert all(s["seconds_left"] > 0 for s in listed["items"])  # by logistics' clock
    await page.goto(f"{console}/shipments")
    rows = page.locator("tr[data-shipment]")
    await expect(rows).to_have_count(2)
    for index, shipment in enumerate(soonest):
        await expect(rows.nth(index)).to_have_attribute("data-shipment", shipment["shipment_id"])
        left = rows.nth(index).locator(".countdown")
        await expect(left).to_have_attribute("data-seconds-left", re.compile(r"^\d+$"))
    await screenshot(page, "shipments")
    semi = shipments[1]
    assert semi["store_type"] == "semi_managed"
    form = page.get_by_role("group", name=f"Hand over shipment {semi['shipment_id']}")
    await form.get_by_label("Carrier").fill("Correos Express")
    await form.get_by_label("Tracking number").fill("CE-2026-0001")
    await form.get_by_label("How it was handed over").select_option("pickup")
    await form.get_by_role("button", name="Mark handed over").click()
    await expect(page.get_by_role("status").first).to_contain_text("handed over")
    await expect(rows).to_have_count(1)  # only the platform's parcel is left
    await expect(page.get_by_role("link", name="Later ship-by times")).to_have_count(0)
    shipped = await _api(merchant, "logistics", f"/shipments/{semi['shipment_id']}")
    assert shipped["status"] == "shipped"
    assert (shipped["carrier"], shipped["tracking_number"]) == ("Correos Express", "CE-2026-0001")
    assert shipped["handover"] == "pickup"


async def _sees_the_review(page: Page, console: str, merchant: Actor, store_id: str) -> str:
    """Every store of hers, as review lists them (`GET /stores`, the latest submitted
    first): one just applied for, with neither product nor order, shows too (R-REV-5)."""
    fresh = await apply_for_store(merchant, semi_managed_application("Fresh Lantern"))
    listed = await _api(merchant, "review", "/stores", limit=100)
    ids = [each["store_id"] for each in listed["items"]]
    assert ids[0] == fresh["store_id"], ids  # the latest submitted first
    assert len(ids) == 3, ids  # with her two approved stores
    assert store_id in ids[1:], ids
    await page.goto(f"{console}/stores")
    sections = page.locator("section[data-store]")
    await expect(sections).to_have_count(len(ids))
    for index, each in enumerate(ids):
        await expect(sections.nth(index)).to_have_attribute("data-store", each)
    newest = sections.first
    await expect(newest.locator("h2 [data-status]")).to_have_text("under review")
    await expect(newest.locator(".stage")).to_have_text(fresh["current_stage"])
    await expect(newest).to_contain_text("Products are listed once the store is approved")
    store = await _api(merchant, "review", f"/stores/{store_id}")
    products = await _api(merchant, "review", "/products", store_id=store_id)
    assert store["status"] == "approved"
    [product] = products["items"]
    assert product["status"] == "approved"
    section = page.locator(f'section[data-store="{store_id}"]')
    await expect(section.get_by_role("heading", name=store["name"])).to_be_visible()
    await expect(section.locator("h2 [data-status]")).to_have_text("approved")
    row = section.locator(f'tr[data-product="{product["product_id"]}"]')
    await expect(row).to_contain_text(product["title"])
    await expect(row.locator("[data-status]")).to_have_text("approved")
    await expect(row).to_contain_text("$49.90")  # the approved price, 4 990 minor USD
    await screenshot(page, "stores")
    return str(store["name"])


async def _sees_the_scorecard(page: Page, console: str, merchant: Actor, store_id: str) -> None:
    card = await _api(merchant, "orders", f"/merchants/{merchant.sub}/scorecard")
    [store] = [s for s in card["stores"] if s["store_id"] == store_id]
    on_time = next(f for f in store["measures"] if f["measure"] == "confirmation_on_time")
    await page.goto(f"{console}/scorecard")
    section = page.locator(f'section[data-store="{store_id}"]')
    await expect(section.locator(".orders")).to_have_text(str(store["orders"]))
    measure = section.locator('tr[data-measure="confirmation_on_time"]')
    await expect(measure.locator(".counted")).to_have_text(
        f"{on_time['hits']} of {on_time['sample']}"
    )
    await expect(page.locator("#scorecard-days")).to_contain_text(card["from_date"])
    await screenshot(page, "scorecard")


async def _sees_the_statement(page: Page, console: str, merchant: Actor) -> None:
    await page.goto(f"{console}/statement")
    start = await page.get_by_label("From", exact=True).input_value()
    end = await page.get_by_label("To", exact=True).input_value()
    path = f"/merchants/{merchant.sub}"
    days = {"from": start, "to": end}
    statement = await _api(merchant, "settlement", f"{path}/statement", **days)
    balance = await _api(merchant, "settlement", f"{path}/balance")
    await expect(page.get_by_role("heading", name=f"Lines from {start} to {end}")).to_be_visible()
    if statement["lines"]:  # earnings come with delivery (R-SET-1): none expected yet
        await expect(page.locator("tr[data-entry]")).to_have_count(len(statement["lines"]))
    else:
        await expect(page.locator("#no-lines")).to_be_visible()
    if balance["balances"]:
        await expect(page.locator("tr[data-currency]")).to_have_count(len(balance["balances"]))
    else:
        await expect(page.get_by_text("Nothing earned yet.")).to_be_visible()
    await screenshot(page, "statement")

    # A backwards range: settlement refuses it (422), and the page says so beside `To`.
    refused = await merchant.call(
        "GET", "settlement", f"{path}/statement", params={"from": end, "to": start}
    )
    assert refused.status_code == 422
    await page.get_by_label("From", exact=True).fill(end)
    await page.get_by_label("To", exact=True).fill(start)
    await page.get_by_role("button", name="Show").click()
    await expect(page.locator("#to-error")).to_contain_text(refused.json()["detail"])
    await expect(page.get_by_label("To", exact=True)).to_have_attribute("aria-invalid", "true")


async def _writes_to_support(
    page: Page, console: str, merchant: Actor, store_id: str, name: str
) -> None:
    await page.goto(f"{console}/stores")
    await (
        page.locator(f'section[data-store="{store_id}"]')
        .get_by_role("link", name="Support thread")
        .click()
    )
    await expect(page.get_by_role("heading", name=f"Support for {name}")).to_be_visible()
    await page.get_by_label("Your message").fill("When will my first payout be made?")
    await page.get_by_role("button", name="Send").click()
    await expect(page.get_by_role("status").first).to_contain_text("sent")
    await expect(page.get_by_role("list", name="Messages")).to_contain_text("first payout")
    store = await _api(merchant, "review", f"/stores/{store_id}")
    assert store["messages"][-1]["body"] == "When will my first payout be made?"
    assert store["messages"][-1]["author_id"] == merchant.sub


async def test_a_merchant_sees_shipments_stores_scorecard_and_statement(
    start_platform: StartPlatform,
    start_console: Callable[[RunningPlatform], str],
    browser: Browser,
) -> None:  # R-REV-3, R-REV-9, R-ORD-2, R-LOG-1, R-SC-1, R-SET-5, R-REV-7
    running = start_platform()
    console = start_console(running)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        store = await open_full_managed_store(operator, merchant)
        product_id = await list_product(operator, merchant, store["store_id"])
        order = await place_order(buyer, product_id)
        semi_store = await open_semi_managed_store(operator, merchant)
        semi_order = await place_order(
            buyer, await list_product(operator, merchant, semi_store["store_id"])
        )
        for each in (order, semi_order):
            confirm = f"/orders/{each['order_id']}/confirm"
            await merchant.call("POST", "orders", confirm, expect=200)

        page = await signed_in(await browser.new_page(), console, "merchant", merchant.sub)
        await _sees_the_shipment(page, console, merchant, order["order_id"])
        await _hands_over(page, console, merchant, [order["order_id"], semi_order["order_id"]])
        name = await _sees_the_review(page, console, merchant, store["store_id"])
        await _sees_the_scorecard(page, console, merchant, store["store_id"])
        await _sees_the_statement(page, console, merchant)
        await _writes_to_support(page, console, merchant, store["store_id"], name)
