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


async def screenshot(page: Page, name: str) -> None:
    """The page as it is now, for the README, when `CONSOLE_SCREENSHOTS` names a folder."""
    if folder := os.environ.get("CONSOLE_SCREENSHOTS"):
        # Playwright makes the folder; the page's width is the README's.
        await page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
