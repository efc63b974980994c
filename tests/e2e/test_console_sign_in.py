"""Signing in to the console through an identity provider (OpenID Connect, authorization
code with PKCE): the same pages, with the provider's access token, which the services
verify; and the ways a sign-in is refused."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from playwright.async_api import Browser, expect

from devkit.journey import cast
from testkit.browser import screenshot
from testkit.oidc import CLIENT_ID, CLIENT_SECRET, OidcProvider
from testkit.platforms import StartPlatform

pytestmark = [pytest.mark.e2e, pytest.mark.local_only("drives a console process of its own")]


async def test_a_merchant_signs_in_through_the_identity_provider(
    start_platform: StartPlatform, start_console: Callable[..., str], browser: Browser
) -> None:
    running = start_platform()
    async with httpx.AsyncClient(timeout=10) as client:
        _, merchant, _ = cast(running.urls, client)
        with OidcProvider(merchant.sub, "merchant").running() as provider:
            console = start_console(
                running,
                CONSOLE_OIDC_DISCOVERY_URL=provider.discovery_url,
                CONSOLE_OIDC_CLIENT_ID=CLIENT_ID,
                CONSOLE_OIDC_CLIENT_SECRET=CLIENT_SECRET,
            )
            page = await browser.new_page()
            await page.goto(f"{console}/desk")  # not signed in: the sign-in page, then back
            await screenshot(page, "sign-in")
            await page.get_by_role("link", name="Sign in with your identity provider").click()
            await expect(page.get_by_role("heading", name="Confirmation desk")).to_be_visible()
            await expect(page.get_by_text(f"merchant {merchant.sub}")).to_be_visible()
            assert provider.token_requests == 1
            # The desk is what orders answers the provider's token: its orders, none yet.
            empty = page.get_by_text("No order waits for your confirmation.", exact=True)
            await expect(empty).to_be_visible()

            # A callback the console did not start (another state) signs nobody in.
            other = await browser.new_page()
            await other.goto(f"{console}/sign-in/callback?code=stolen&state=forged")
            await expect(other.get_by_role("alert")).to_contain_text("identity provider")
            await other.goto(f"{console}/desk")
            await expect(other.get_by_role("heading", name="Sign in")).to_be_visible()
            assert provider.token_requests == 1


async def test_a_token_the_platform_would_refuse_signs_nobody_in(
    start_platform: StartPlatform, start_console: Callable[..., str], browser: Browser
) -> None:
    running = start_platform()
    with OidcProvider("m-unknown-role", "superuser").running() as provider:
        console = start_console(
            running,
            CONSOLE_OIDC_DISCOVERY_URL=provider.discovery_url,
            CONSOLE_OIDC_CLIENT_ID=CLIENT_ID,
            CONSOLE_OIDC_CLIENT_SECRET=CLIENT_SECRET,
        )
        page = await browser.new_page()
        await page.goto(f"{console}/sign-in/provider")
        refusal = page.get_by_role("alert")
        await expect(refusal).to_contain_text("not one the platform accepts")
        await expect(refusal).to_contain_text("role")
        await page.goto(f"{console}/")
        await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
