"""The console in a real browser: Playwright driving Debian's Chromium (`CHROMIUM`, default
/usr/bin/chromium, installed by tools/ensure-chromium.sh; never a downloaded browser).

`console_at(running)` starts the console over a test platform; `signed_in(page, role,
sub)` signs in through the development form, as a person would. Screenshots of the pages
go to `CONSOLE_SCREENSHOTS` when it is set (`make screenshots`, for the README).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.async_api import Page, expect

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
NO_CHROMIUM = (
    f"No Chromium at {CHROMIUM}: the console's browser tests drive Debian's Chromium "
    "(`make chromium`, or apt-get install chromium; CHROMIUM names another binary)."
)


async def signed_in(page: Page, console_url: str, role: str, sub: str) -> Page:
    """Signs in on the development form as `role` `sub`; the page lands on its home."""
    await page.goto(f"{console_url}/sign-in")
    await page.get_by_label("Role").select_option(role)
    await page.get_by_label("Subject").fill(sub)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_text(re.compile(rf"{role}\s+{re.escape(sub)}"))).to_be_visible()
    return page


#: What makes a page unusable to someone who cannot see it or use a mouse, as found in the
#: page itself: each problem described.
UNLABELLED = """() => {
  const problems = [];
  const headings = document.querySelectorAll("h1").length;
  if (headings !== 1) problems.push(`${headings} h1 headings (one names the page)`);
  const named = (el) => (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`))
    || el.closest("label") || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
    if (!named(el)) problems.push(`a field without a label: ${el.outerHTML.slice(0, 120)}`);
  }
  for (const el of document.querySelectorAll("button, a[href]")) {
    if (!(el.textContent.trim() || el.getAttribute("aria-label"))) {
      problems.push(`a control without a name: ${el.outerHTML.slice(0, 120)}`);
    }
  }
  for (const img of document.querySelectorAll("img:not([alt])")) {
    problems.push("an image without alt");
  }
  for (const table of document.querySelectorAll("table")) {
    if (!table.querySelector("th")) problems.push("a table without headers");
  }
  const ids = [...document.querySelectorAll("[id]")].map((el) => el.id);
  for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) {
    problems.push(`the id ${id} twice (labels and descriptions would point to both)`);
  }
  for (const el of document.querySelectorAll("[tabindex]")) {
    if (Number(el.getAttribute("tabindex")) > 0) {
      problems.push("a positive tabindex (it breaks the keyboard's order)");
    }
  }
  return problems;
}"""


async def screenshot(page: Page, name: str) -> None:
    """Every page a browser test looks at is checked for what would lock a person out
    (a field without a label, a control without a name, no heading, a table without
    headers, duplicate ids, a forced keyboard order); and saved as it is now, for the
    README, when `CONSOLE_SCREENSHOTS` names a folder."""
    problems = await page.evaluate(UNLABELLED)
    assert not problems, f"{name} ({page.url}): {problems}"
    if folder := os.environ.get("CONSOLE_SCREENSHOTS"):
        # Playwright makes the folder; the page's width is the README's.
        await page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


async def fill_store_application(page: Page, name: str) -> None:
    """The store application's fields as a full-managed applicant fills them (R-REV-2),
    its documents aside."""
    await page.get_by_label("Store type").select_option("full_managed")
    await page.get_by_label("Store name").fill(name)
    await page.get_by_label("Company name").fill(f"{name} Trading Co.")
    await page.get_by_label("Business licence number").fill("91310000MA1FL8XQ3B")
    await page.get_by_label("Contact e-mail").fill("owner@example.com")
    await page.locator("#category-home").check()
    await page.get_by_label("I sign the store contract").check()
