"""Onboarding in the console, in a real browser (R-REV-1, R-REV-2, R-REV-4, R-REV-8,
R-REV-9, R-REV-14): an operator invites a merchant; the merchant applies for a
full-managed store with its documents uploaded through the form, then lists a product of
the approved store, its price typed as a person writes it. Review agrees at each step."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from devkit.journey import SAMPLE_FILES, Actor, approve_stages, cast
from testkit.browser import fill_store_application, screenshot, signed_in
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.local_only("drives a console process of its own")]


async def _invite(page: Page, console: str, operator: Actor, merchant_id: str) -> None:
    """R-REV-1: the operator invites the merchant; review holds an open invitation."""
    await page.goto(f"{console}/invitations")
    await page.get_by_label("Merchant id", exact=True).fill(merchant_id)
    await page.get_by_role("button", name="Invite", exact=True).click()
    await expect(page.get_by_role("status").first).to_contain_text(f"{merchant_id} is invited")
    await expect(page.get_by_role("table")).to_contain_text("open")
    listed = await operator.call(
        "GET", "review", "/invitations", params={"merchant_id": merchant_id}, expect=200
    )
    assert [each["status"] for each in listed.json()["items"]] == ["open"]


async def _apply(page: Page, console: str, tmp_path: Path, name: str) -> str:
    """R-REV-2, R-REV-4: a document missing is refused beside its field, the form kept;
    with both documents the application waits for review. The new store's id."""
    licence, identity = tmp_path / "licence.pdf", tmp_path / "identity.pdf"
    for file in (licence, identity):
        file.write_bytes(SAMPLE_FILES["pdf"][1])
    await page.goto(f"{console}/apply")
    await fill_store_application(page, name)
    await page.locator("#doc_business_license").set_input_files(licence)
    await page.get_by_role("button", name="Send the application").click()
    await expect(page.locator("#doc_id_document-error")).to_contain_text(
        "Upload the identity document"
    )
    await expect(page.get_by_label("Store name")).to_have_value(name)  # nothing typed lost
    await screenshot(page, "apply")

    await page.locator("#doc_business_license").set_input_files(licence)
    await page.locator("#doc_id_document").set_input_files(identity)
    await page.get_by_role("button", name="Send the application").click()
    await expect(page).to_have_url(re.compile(r"/stores\?store_id="))
    await expect(page.get_by_text(f"{name} is under review")).to_be_visible()
    return parse_qs(urlsplit(page.url).query)["store_id"][0]


async def _list_product(page: Page, console: str, store_id: str) -> None:
    """R-REV-8: a price with more decimals than USD has is refused beside it; 12.50 is
    listed."""
    await page.goto(f"{console}/listings/new")
    await page.get_by_label("Store", exact=True).select_option(store_id)
    await page.get_by_label("Title").fill("Porcelain tea set")
    await page.get_by_label("Description").fill("Six cups, a pot.")
    await page.get_by_label("Category", exact=True).select_option("home")
    await page.get_by_label("Image links").fill("https://img.example/tea-set.jpg")
    await page.get_by_label("Currency").select_option("USD")
    await page.get_by_label("Weight in grams").fill("1200")
    await page.get_by_label("Supply price").fill("12.505")
    await page.get_by_role("button", name="List the product").click()
    await expect(page.locator("#price-error")).to_contain_text("USD has 2 decimals")
    await expect(page.get_by_label("Title")).to_have_value("Porcelain tea set")

    await page.get_by_label("Supply price").fill("12.50")
    await page.get_by_role("button", name="List the product").click()
    listed = page.get_by_text("Porcelain tea set is listed and waits for review")
    await expect(listed).to_be_visible()


async def test_a_merchant_is_invited_applies_with_documents_and_lists_a_product(
    start_platform: StartPlatform,
    start_console: Callable[[RunningPlatform], str],
    browser: Browser,
    tmp_path: Path,
) -> None:  # R-REV-1, R-REV-2, R-REV-4, R-REV-8, R-REV-9, R-REV-14
    running = start_platform()
    console = start_console(running)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, _ = cast(running.urls, client)
        operating = await signed_in(await browser.new_page(), console, "operator", operator.sub)
        await _invite(operating, console, operator, merchant.sub)

        page = await signed_in(await browser.new_page(), console, "merchant", merchant.sub)
        name = f"Shop {merchant.sub}"
        store_id = await _apply(page, console, tmp_path, name)

        # Review holds the store under review, citing the two files uploaded (R-REV-14).
        store = (await merchant.call("GET", "review", f"/stores/{store_id}", expect=200)).json()
        assert (store["status"], store["store_type"], store["name"]) == (
            "under_review",
            "full_managed",
            name,
        )
        cited = {each["kind"]: each for each in store["application"]["documents"]}
        assert set(cited) == {"business_license", "id_document"}
        assert cited["id_document"]["filename"] == "identity.pdf"
        assert all(each["document_id"] and each["sha256"] for each in cited.values())
        uploads = await merchant.call("GET", "review", f"/stores/{store_id}/documents", expect=200)
        assert {d["content_type"] for d in uploads.json()["items"]} == {"application/pdf"}

        await approve_stages(operator, merchant, store)
        await _list_product(page, console, store_id)

        products = await merchant.call(
            "GET", "review", "/products", params={"store_id": store_id}, expect=200
        )
        [product] = products.json()["items"]
        assert product["status"] == "under_review"
        assert product["price"] == {"amount_minor": 1250, "currency": "USD"}
        assert product["category"] == "home"
