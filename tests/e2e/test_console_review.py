"""The console's review pages in a real browser (R-REV-3, R-REV-7, R-REV-13, R-REV-14): an
operator finds a full-managed store's application in the queue, reads its documents, is
refused a rejection without a reason, returns it for information, writes to its merchant,
then approves its three stages in turn; review agrees the store is approved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from devkit.journey import Actor, apply_for_store, cast, full_managed_application
from testkit.browser import screenshot, signed_in
from testkit.platforms import RunningPlatform, StartPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.local_only("drives a console process of its own")]

#: R-REV-3: the stages of a store's review, in the order the page offers them.
STAGES = ("background", "financial", "category")
MESSAGE = "Thanks for the new address: we are reviewing the rest now."


async def _store(operator: Actor, store_id: str) -> dict[str, Any]:
    answer = await operator.call("GET", "review", f"/stores/{store_id}", expect=200)
    store: dict[str, Any] = answer.json()
    return store


async def _documents_download(page: Page, console: str) -> None:
    """R-REV-14: both documents listed; one downloaded through the console as review
    keeps it (its type and name passed on)."""
    documents = page.get_by_role("table", name="Documents")
    await expect(documents.locator("tbody tr")).to_have_count(2)
    await expect(documents).to_contain_text("id_document.pdf")
    link = documents.get_by_role("link", name="business_license.pdf")
    download = await page.request.get(f"{console}{await link.get_attribute('href')}")
    assert download.status == 200, await download.text()
    assert download.headers["content-type"] == "application/pdf"
    assert "business_license.pdf" in download.headers["content-disposition"]
    assert (await download.body()).startswith(b"%PDF")


async def _answer_the_return(merchant: Actor, store: dict[str, Any]) -> None:
    """R-REV-13: the merchant's answer, the application corrected (its uploads cited)."""
    cited = [
        {"kind": each["kind"], "document_id": each["document_id"]}
        for each in store["application"]["documents"]
    ]
    answer = {**store["application"], "contact_email": "shop@example.com", "documents": cited}
    await merchant.call("PUT", "review", f"/stores/{store['store_id']}", json=answer, expect=200)


async def test_an_operator_approves_a_store_through_all_stages(
    start_platform: StartPlatform,
    start_console: Callable[[RunningPlatform], str],
    browser: Browser,
) -> None:  # R-REV-3, R-REV-7, R-REV-13, R-REV-14
    running = start_platform()
    console = start_console(running)
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, _ = cast(running.urls, client)
        await operator.call(
            "POST", "review", "/invitations", json={"merchant_id": merchant.sub}, expect=201
        )
        store = await apply_for_store(merchant, full_managed_application(f"Shop {merchant.sub}"))
        store_id = store["store_id"]

        page = await signed_in(await browser.new_page(), console, "operator", operator.sub)
        await expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
        queue = page.get_by_role("table", name="Waiting for review")
        row = queue.locator(f'tr[data-id="{store_id}"]')
        await expect(row).to_contain_text("store application")
        await expect(page.locator("#review-counts")).to_contain_text("1 store application")
        await screenshot(page, "review-queue")
        await row.get_by_role("link", name=store["name"]).click()

        heading = f"Store application: {store['name']}"
        await expect(page.get_by_role("heading", name=heading)).to_be_visible()
        await _documents_download(page, console)

        # R-REV-3: a rejection needs a reason: refused, said beside the field; nothing changed.
        await page.get_by_role("button", name="Reject the background stage").click()
        await expect(page.get_by_role("alert")).to_contain_text("a rejection needs a reason")
        await expect(page.locator("#reason-error")).to_have_text(
            "say why the application is rejected"
        )
        unchanged = await _store(operator, store_id)
        assert unchanged["status"] == "under_review"
        assert {stage["status"] for stage in unchanged["stages"]} == {"pending"}

        # R-REV-13: returned for information, the merchant answers, the review resumes.
        await page.get_by_label("Item 1: what it concerns").fill("contact_email")
        await page.get_by_label("Item 1: what to supply").fill("A mailbox your staff read.")
        await page.get_by_role("button", name="Return the background stage for information").click()
        await expect(page.get_by_role("status").filter(has_text="returned for")).to_be_visible()
        returns = page.get_by_role("table", name="Returns for information")
        await expect(returns).to_contain_text("waiting for the merchant")
        await _answer_the_return(merchant, store)

        # R-REV-7: the operator writes on the application's thread.
        await page.get_by_label("Your message to the merchant").fill(MESSAGE)
        await page.get_by_role("button", name="Send the message").click()
        await expect(page.get_by_role("list", name="Messages")).to_contain_text(MESSAGE)
        await screenshot(page, "store")

        for stage in STAGES:  # R-REV-3: each stage approved in turn through its form
            await page.get_by_role("button", name=f"Approve the {stage} stage").click()
            done = f"The {stage} stage of the application is approved."
            await expect(page.get_by_role("status").filter(has_text=done)).to_be_visible()
            await expect(page.locator(f'tr[data-stage="{stage}"]')).to_contain_text("approved")
        await expect(page.get_by_role("status").filter(has_text="is approved: its")).to_be_visible()
        await expect(page.get_by_role("button", name="Approve the category stage")).to_have_count(0)

        approved = await _store(operator, store_id)
        assert approved["status"] == "approved"
        assert approved["approved_at"] is not None
        assert [stage["status"] for stage in approved["stages"]] == ["approved"] * 3
        assert approved["application"]["contact_email"] == "shop@example.com"
        assert approved["info_requests"][0]["answered_at"] is not None
        assert approved["info_requests"][0]["items"][0]["field"] == "contact_email"
        assert approved["messages"][-1]["body"] == MESSAGE
        assert approved["messages"][-1]["author_id"] == operator.sub
