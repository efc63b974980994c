"""The console's orders and cases pages in a real browser (R-ORD-5, R-AS-1..3): a buyer's
damage case on a delivered order is found by an operator from the order's process page,
refused once beside its field (a refund above the order total), then refunded; the
services agree: the case is refunded, borne by the platform (R-AS-2: a full-managed store
in its first 90 days), the order is `refunded`, and settlement's ledger has the refund."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Locator, Page, expect

from devkit.journey import Actor, a_delivered_order, cast, open_damage_case, order_when
from devkit.wait import eventually
from testkit.browser import screenshot, signed_in
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.local_only("drives a console process of its own")]


def _typed(money: dict[str, Any]) -> str:
    """A USD amount as typed in the decision form (`49.90`)."""
    return f"{money['amount_minor'] / 100:.2f}"


async def _ledger_refund(operator: Actor, order_id: str) -> dict[str, Any]:
    """Settlement's refund entry of the order, once it has taken `RefundIssued` (R-SET-5)."""

    async def probe() -> dict[str, Any] | None:
        response = await operator.call("GET", "settlement", f"/orders/{order_id}/ledger")
        if response.status_code != 200:
            return None
        refunds = [e for e in response.json()["entries"] if e["kind"] == "refund"]
        return refunds[0] if refunds else None

    return await eventually(probe, what=f"the refund of order {order_id} in the ledger")


async def _the_order_page(page: Page, console: str, order_id: str, case_id: str) -> Locator:
    """The operator finds the order by its id; its page shows the whole process (what the
    platform waits for, each event with its service, the shipment, cases and ledger)."""
    await page.goto(f"{console}/orders")
    await page.get_by_label("Order id").fill(order_id)
    await page.get_by_role("button", name="Open the order").click()
    await expect(page.get_by_role("heading", name=f"Order {order_id}")).to_be_visible()
    waits = page.locator("section", has=page.get_by_role("heading", name="What the platform"))
    await expect(waits).to_contain_text("aftersales")  # a case is open: aftersales decides
    timeline = page.locator("ol.timeline").first
    await expect(timeline.locator("li", has_text="Delivered")).to_contain_text("logistics")
    await expect(page.get_by_role("heading", name="Shipment", exact=True)).to_be_visible()
    await expect(page.get_by_role("table", name="Ledger entries of the order")).to_be_visible()
    cases = page.get_by_role("table", name="Cases of the order")
    await expect(cases.locator(f'tr[data-case="{case_id}"]')).to_contain_text("open")
    await screenshot(page, "order")
    return cases


async def _refund_in_the_browser(page: Page, order: dict[str, Any], case_id: str) -> None:
    """A question on the thread (R-AS-3); the refund refused once beside the amount (above
    the order total), then the whole order refunded."""
    heading = page.get_by_role("heading", name=re.compile(f"Case {case_id}"))
    await expect(heading).to_be_visible()
    await expect(page.get_by_text("The teapot arrived broken.")).to_be_visible()
    await page.get_by_label("Your message").fill("Could you send a photo of the box?")
    await page.get_by_role("button", name="Post the message").click()
    await expect(page.get_by_role("status").first).to_contain_text("Message posted")
    await expect(page.locator("ol.timeline")).to_contain_text("Could you send a photo of the box?")

    amount = page.get_by_label(re.compile("Refund amount"))
    await amount.fill(f"{order['total']['amount_minor'] / 100 + 1:.2f}")
    await page.get_by_role("button", name="Decide").click()
    await expect(page.locator("#refund_amount-error")).to_contain_text("above the order total")
    await expect(amount).to_have_attribute("aria-invalid", "true")

    await amount.fill(_typed(order["total"]))
    await page.get_by_label("Note to the buyer").fill("Photos show the damage.")
    await page.get_by_role("button", name="Decide").click()
    await expect(page.get_by_role("status").first).to_contain_text("Case refunded")
    await expect(heading).to_contain_text("refunded")
    await expect(page.get_by_role("button", name="Decide")).to_have_count(0)
    await screenshot(page, "case")


async def test_a_buyers_case_is_refunded(
    start_platform: StartPlatform,
    start_console: Callable[[RunningPlatform], str],
    browser: Browser,
) -> None:  # R-AS-1, R-AS-2, R-AS-3, R-ORD-5
    running = start_platform()
    console = start_console(running)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        delivered = await a_delivered_order(operator, merchant, buyer)
        order, order_id = delivered.order, delivered.order["order_id"]
        case_id = (await open_damage_case(buyer, order))["case_id"]

        page = await signed_in(await browser.new_page(), console, "operator", operator.sub)
        await page.goto(f"{console}/cases")  # the open cases, the oldest waiting first
        await expect(page.locator(f'tr[data-case="{case_id}"]')).to_contain_text("damaged")
        cases = await _the_order_page(page, console, order_id, case_id)
        await cases.get_by_role("link", name=case_id).click()
        await _refund_in_the_browser(page, order, case_id)

        # The services agree.
        resolved = (
            await operator.call("GET", "aftersales", f"/cases/{case_id}", expect=200)
        ).json()
        assert resolved["status"] == "refunded"
        assert resolved["refund"] == order["total"]
        assert resolved["liable_party"] == "platform"  # R-AS-2: within the exemption
        assert resolved["resolution"]["note"] == "Photos show the damage."
        assert [(m["author_role"], m["body"]) for m in resolved["messages"]] == [
            ("operator", "Could you send a photo of the box?")
        ]
        refunded = await order_when(
            buyer, order_id, lambda o: o["status"] == "refunded", "the order refunded"
        )
        assert refunded["refunded"] == order["total"]
        entry = await _ledger_refund(operator, order_id)
        assert entry["case_id"] == case_id
        assert entry["liable_party"] == "platform"

        # The order's page now says it has ended, refunded; the open cases no longer list it.
        await page.goto(f"{console}/orders/{order_id}")
        await expect(page.get_by_text("This order has ended")).to_contain_text("refunded")
        await page.goto(f"{console}/cases")
        await expect(page.locator(f'tr[data-case="{case_id}"]')).to_have_count(0)
