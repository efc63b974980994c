"""The README's walk, by clicking: `make run` (tools/run_platform.py, the console
included) and the demo's whole journey done in the console by its three people, each in
a browser of their own, moving only through the pages' links, forms and buttons. At the
end the services agree on every step (R-REV-1, R-REV-3, R-REV-9, R-ORD-1, R-ORD-2,
R-LOG-1, R-AS-1, R-AS-2, R-SET-2)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from devkit.engine import free_ports_of
from devkit.journey import ADDRESS, SAMPLE_FILES, Actor
from devkit.platform import DEFAULT_PORTS, http_ok
from devkit.wait import eventually, wait_until
from testkit.browser import fill_store_application, screenshot, signed_in
from testkit.platforms import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.local_only("runs `make run` of its own")]

STORE, PRODUCT = "Blue Kiln", "Porcelain tea set"


@dataclass(frozen=True)
class MadeRun:
    urls: dict[str, str]
    console: str


@pytest.fixture
def made_run(mongo_url: str, amqp_url: str, tmp_path: Path) -> Iterator[MadeRun]:
    """`make run`'s program on free ports, its data and logs in `tmp_path`, on this test's
    database prefix and vhost; stopped with Ctrl-C (SIGINT) as a person stops it."""
    ports = free_ports_of([*DEFAULT_PORTS, "console"])
    env = {
        **os.environ,
        "MONGO_URL": mongo_url,
        "MONGO_DATABASE_PREFIX": f"w{uuid.uuid4().hex[:8]}_",
        "AMQP_URL": amqp_url,
        "RUN_DATA_DIR": str(tmp_path),
        "OUTBOX_POLL_SECONDS": "0.2",
        "DEADLINE_POLL_SECONDS": "0.25",
        **{f"{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    with (tmp_path / "make-run.log").open("wb") as log:
        run = subprocess.Popen(
            [sys.executable, str(ROOT / "tools" / "run_platform.py")],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        console = f"http://127.0.0.1:{ports['console']}"

        def up() -> bool:
            assert run.poll() is None, (tmp_path / "make-run.log").read_text()
            return http_ok(f"{console}/health/ready")

        try:
            wait_until(up, timeout=120, what="make run's console", interval=0.2)
            urls = {name: f"http://127.0.0.1:{ports[name]}" for name in DEFAULT_PORTS}
            yield MadeRun(urls, console)
        finally:
            run.send_signal(signal.SIGINT)
            run.wait(timeout=60)
    assert "console     http://127.0.0.1:" in (tmp_path / "make-run.log").read_text()


@dataclass
class People:
    operator: Page
    merchant: Page
    buyer: Page


@pytest.fixture
async def people(browser: Browser, made_run: MadeRun) -> People:
    """The operator, the merchant and the buyer, each signed in in a browser of their own."""
    pages = []
    for role, sub in (("operator", "op-1"), ("merchant", "m-1"), ("buyer", "b-1")):
        context = await browser.new_context()
        pages.append(await signed_in(await context.new_page(), made_run.console, role, sub))
    return People(*pages)


async def _go(page: Page, link: str) -> None:
    """Through the main navigation, as a person finds a page."""
    await page.get_by_role("navigation", name="Main").get_by_role("link", name=link).click()


async def _onboard(people: People, tmp_path: Path) -> None:
    """Steps 1-5: invitation, application with its documents, three stages, a listing."""
    await _go(people.operator, "Invitations")
    await people.operator.get_by_label("Merchant id", exact=True).fill("m-1")
    await people.operator.get_by_role("button", name="Invite", exact=True).click()
    await expect(people.operator.get_by_role("status").first).to_contain_text("m-1 is invited")

    page = people.merchant
    await _go(page, "Apply for a store")
    await fill_store_application(page, STORE)
    for kind in ("business_license", "id_document"):
        document = tmp_path / f"{kind}.pdf"
        document.write_bytes(SAMPLE_FILES["pdf"][1])
        await page.locator(f"#doc_{kind}").set_input_files(document)
    await page.get_by_role("button", name="Send the application").click()
    await expect(page.get_by_text(f"{STORE} is under review")).to_be_visible()

    await _go(people.operator, "Review queue")
    await people.operator.get_by_role("link", name=STORE).click()
    for stage in ("background", "financial", "category"):
        await people.operator.get_by_role("button", name=f"Approve the {stage} stage").click()
        await expect(people.operator.locator(f'tr[data-stage="{stage}"]')).to_contain_text(
            "approved"
        )

    await _go(page, "List a product")
    await page.get_by_label("Title").fill(PRODUCT)
    await page.get_by_label("Description").fill("Six cups, a pot.")
    await page.get_by_label("Category", exact=True).select_option("home")
    await page.get_by_label("Image links").fill("https://img.example/tea-set.jpg")
    await page.get_by_label("Currency").select_option("USD")
    await page.get_by_label("Weight in grams").fill("1200")
    await page.get_by_label("Supply price").fill("49.90")
    await page.get_by_role("button", name="List the product").click()
    await expect(page.get_by_text(f"{PRODUCT} is listed and waits for review")).to_be_visible()

    await _go(people.operator, "Review queue")
    await people.operator.get_by_role("link", name=PRODUCT).click()
    await people.operator.get_by_role("button", name="Approve the listing").click()
    await expect(people.operator.get_by_role("status").first).to_be_visible()


async def _order_and_confirm(people: People) -> str:
    """Steps 6-7: the buyer orders 2 from the shop; the merchant confirms at the desk.
    The order's id."""
    page = people.buyer

    async def in_the_shop() -> bool:  # the catalogue learns of the approval by an event
        await _go(page, "Shop")
        return await page.get_by_role("link", name=PRODUCT).count() > 0

    await eventually(in_the_shop, what="the product in the shop", interval=0.5)
    await page.get_by_role("link", name=PRODUCT).click()
    await page.get_by_label("Quantity").fill("2")
    await page.get_by_label("Recipient").fill(ADDRESS["recipient"])
    await page.get_by_label("Phone", exact=True).fill(ADDRESS["phone"])
    await page.get_by_label("Country").select_option(ADDRESS["country"])
    await page.get_by_label("City").fill(ADDRESS["city"])
    await page.get_by_label("Street and number").fill(ADDRESS["line1"])
    await page.get_by_label("Postal code").fill(ADDRESS["postal_code"])
    await page.get_by_role("button", name="Place the order").click()
    await expect(page).to_have_url(re.compile(r"/orders/[^/]+$"))
    order_id = page.url.rsplit("/", 1)[1]

    desk = people.merchant
    await _go(desk, "Confirmation desk")
    await expect(desk.get_by_label(order_id)).to_be_visible()
    await desk.get_by_label(order_id).check()
    await desk.get_by_role("button", name="Confirm the ticked orders").click()
    answers = desk.get_by_role("table", name="What the batch did")
    await expect(answers.locator(f'tr[data-order="{order_id}"]')).to_contain_text("confirmed")
    return order_id


async def _ship_and_deliver(people: People, order_id: str) -> None:
    """Step 8: the operator hands the parcel over, then marks it delivered."""
    page = people.operator

    async def planned() -> bool:  # logistics plans the shipment when it hears the order
        await _go(page, "Shipping")
        return await page.get_by_role("link", name=order_id).count() > 0

    await eventually(planned, what="the shipment on the shipping page", interval=0.5)
    row = page.locator("tr", has=page.get_by_role("link", name=order_id))
    await row.get_by_role("link").first.click()
    await page.get_by_role("textbox", name="Carrier").fill("DHL")
    await page.get_by_role("textbox", name="Tracking number").fill("JD014600003828")
    await page.get_by_role("button", name="Mark handed over").click()
    await page.get_by_role("button", name="Mark delivered").click()
    await expect(page.get_by_role("status").first).to_contain_text("deliver")


async def _case_refunded(people: People, order_id: str) -> str:
    """Steps 9-10: the buyer reports the parcel damaged; the operator refunds it. The
    case's id."""
    page = people.buyer
    await _go(page, "My orders")
    await page.get_by_role("link", name=order_id).first.click()
    await page.get_by_role("link", name="Report a problem with this order").click()
    await page.get_by_label("What happened").fill("The teapot arrived broken.")

    async def opened() -> str | None:  # aftersales learns of the delivery by an event
        async with page.expect_navigation():
            await page.get_by_role("button", name="Open the case").click()
        found = re.search(r"/cases/([^/?#]+)$", page.url)
        return found.group(1) if found else None

    case_id = await eventually(opened, what="the case opened", interval=0.5)

    operating = people.operator
    await _go(operating, "Cases")
    await operating.get_by_role("link", name=case_id).click()
    await operating.get_by_label("Refund the buyer").check()
    await operating.get_by_label("Note to the buyer").fill("Sorry: refunded in whole.")
    await operating.get_by_role("button", name="Decide").click()
    await expect(operating.get_by_role("status").first).to_contain_text("Case refunded")
    return case_id


async def _whole_process(people: People, order_id: str) -> None:
    """Steps 11-12: the order's whole process as the operator sees it; the merchant's
    statement with the order's earning held."""
    page = people.operator
    await _go(page, "Orders")
    await page.get_by_label(re.compile("Order id")).fill(order_id)
    await page.get_by_role("button", name="Open the order").click()
    await expect(page.get_by_text("This order has ended")).to_contain_text("refunded")
    await screenshot(page, "walk-order")

    statement = people.merchant

    async def earned() -> bool:  # settlement takes `Delivered` in its own time
        await _go(statement, "Statement")
        return await statement.get_by_text(order_id).count() > 0

    await eventually(earned, what="the order's earning on the statement", interval=0.5)
    await expect(statement.locator("tr", has_text=order_id).first).to_contain_text("earning")
    await screenshot(statement, "walk-statement")


async def test_a_newcomer_walks_the_demo_journey_in_the_console(
    made_run: MadeRun, people: People, tmp_path: Path
) -> None:
    await _onboard(people, tmp_path)
    order_id = await _order_and_confirm(people)
    await _ship_and_deliver(people, order_id)
    case_id = await _case_refunded(people, order_id)
    await _whole_process(people, order_id)

    async with httpx.AsyncClient(timeout=10) as client:
        operator = Actor("operator", "op-1", made_run.urls, client)
        order: dict[str, Any] = (
            await operator.call("GET", "orders", f"/orders/{order_id}", expect=200)
        ).json()
        assert (order["status"], order["buyer_id"], order["merchant_id"]) == (
            "refunded",
            "b-1",
            "m-1",
        )
        assert order["total"] == {"amount_minor": 9_980, "currency": "USD"}
        assert order["refunded"] == order["total"]
        case = (await operator.call("GET", "aftersales", f"/cases/{case_id}", expect=200)).json()
        assert (case["status"], case["liable_party"]) == ("refunded", "platform")  # R-AS-2
        [shipment] = (
            await operator.call(
                "GET", "logistics", "/shipments", params={"order_id": order_id}, expect=200
            )
        ).json()["items"]
        assert (shipment["status"], shipment["carrier"]) == ("delivered", "DHL")
        stores = (await operator.call("GET", "review", "/stores", expect=200)).json()["items"]
        assert [(s["name"], s["status"]) for s in stores] == [(STORE, "approved")]
