"""The console's money pages in a real browser (R-SET-2, R-SET-4, R-SET-5): an operator
looks a merchant up and reads its balance held while the order's after-sales window is
open; settlement moved past the window and the store's cycle, the page shows the payout
settlement issued, and the payout's own page the line it settles, as settlement's API
says them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from devkit.journey import Actor, cast
from devkit.wait import eventually
from testkit import clock as run_clock
from testkit.browser import screenshot, signed_in
from testkit.bus import emit_order_history
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.local_only("drives a console process of its own and moves settlement's clock"),
]

#: Past the order's after-sales window (R-AS-1) and a full-managed store's cycle end.
AHEAD = timedelta(days=60)
TOTAL = 5_000


async def _balances(operator: Actor, merchant_id: str) -> list[dict[str, Any]]:
    path = f"/merchants/{merchant_id}/balance"
    found: list[dict[str, Any]] = (
        await operator.call("GET", "settlement", path, expect=200)
    ).json()["balances"]
    return found


async def _look_up(page: Page, console: str, merchant_id: str, last_day: str) -> None:
    """The money page asked for `merchant_id` from before the order to `last_day`."""
    await page.goto(f"{console}/money")
    await page.get_by_label("Merchant", exact=True).fill(merchant_id)
    first_day = (run_clock.now() - timedelta(days=10)).date().isoformat()  # the order's days
    await page.get_by_label("From", exact=True).fill(first_day)
    await page.get_by_label("To", exact=True).fill(last_day)
    await page.get_by_role("button", name="Show").click()


async def test_an_operator_reads_a_merchants_balance_and_payout(
    start_platform: StartPlatform,
    start_console: Callable[[RunningPlatform], str],
    browser: Browser,
) -> None:  # R-SET-2, R-SET-4, R-SET-5
    running = start_platform()
    console = start_console(running)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        order_id = f"o-{uuid.uuid4().hex[:8]}"
        await emit_order_history(
            running.amqp_url,
            order_id=order_id,
            buyer_id=buyer.sub,
            merchant_id=merchant.sub,
            total_minor=TOTAL,
        )

        async def held() -> list[dict[str, Any]] | None:
            found = await _balances(operator, merchant.sub)
            return found if found and found[0]["held_minor"] else None

        [balance] = await eventually(held, timeout=30, what="the delivered order's earning")
        assert balance == {
            "currency": "USD",
            "held_minor": TOTAL,
            "payable_minor": 0,
            "carried_negative_minor": 0,
        }

        page = await signed_in(await browser.new_page(), console, "operator", operator.sub)
        await _look_up(page, console, merchant.sub, run_clock.now().date().isoformat())
        usd = page.get_by_role("table", name=f"Balance of merchant {merchant.sub}").locator(
            'tr[data-currency="USD"]'
        )
        await expect(usd).to_contain_text("$50.00")
        statement = page.get_by_role("table", name=f"Statement of merchant {merchant.sub}")
        await expect(statement).to_contain_text(order_id)
        await expect(page.get_by_text("No payout to merchant")).to_be_visible()

        moved = run_clock.moved_by(AHEAD.total_seconds())
        running.platform.restart("settlement", {"CLOCK_OFFSET_SECONDS": moved})
        last_day = (run_clock.now() + AHEAD).date().isoformat()
        period = {"from": run_clock.now().date().isoformat(), "to": last_day}

        async def paid() -> list[dict[str, Any]] | None:
            params = {**period, "merchant_id": merchant.sub}
            found = await operator.call("GET", "settlement", "/payouts", params=params, expect=200)
            items: list[dict[str, Any]] = found.json()["items"]
            return items or None

        [payout] = await eventually(paid, timeout=60, what="the store's payout")
        assert payout["amount"] == {"amount_minor": TOTAL, "currency": "USD"}
        assert await _balances(operator, merchant.sub) == [
            {"currency": "USD", "held_minor": 0, "payable_minor": 0, "carried_negative_minor": 0}
        ]

        await _look_up(page, console, merchant.sub, last_day)
        row = page.get_by_role("table", name="Payouts").locator(
            f'tr[data-payout="{payout["payout_id"]}"]'
        )
        await expect(row).to_contain_text("$50.00")
        await expect(usd).to_contain_text("$0.00")
        await screenshot(page, "money")

        await row.get_by_role("link", name=payout["payout_id"]).click()
        await expect(
            page.get_by_role("heading", name=f"Payout {payout['payout_id']}")
        ).to_be_visible()
        lines = page.get_by_role("table", name="Lines this payout settles").locator("tbody tr")
        await expect(lines).to_have_count(len(payout["lines"]))
        await expect(lines.first).to_contain_text(order_id)
