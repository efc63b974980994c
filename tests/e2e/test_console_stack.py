"""The console in the compose stack: its own container, reaching the services by their
compose names with the signed-in user's token, verifying tokens as they do."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from itsdangerous import TimestampSigner
from pytest_docker.plugin import Services

from devkit.idp import signing
from devkit.journey import cast, list_product, open_full_managed_store, place_order
from devkit.platform import CONSOLE_PORT, http_ok
from devkit.wait import wait_until
from testkit.platforms import ComposeStack

pytestmark = [pytest.mark.e2e, pytest.mark.docker_only]


def _session_cookie(secret: str, session: dict[str, str]) -> str:
    """The cookie the console sets once a user signs in (Starlette's SessionMiddleware:
    the session as base64 JSON, signed with a timestamp): the stack's development sign-in
    cannot read the test run's private key from inside its container, by design."""
    data = base64.b64encode(json.dumps(session).encode())
    return TimestampSigner(secret).sign(data).decode()


async def test_the_console_container_shows_a_merchant_the_orders_to_confirm(
    compose_stack: ComposeStack,
    docker_services: Services,
    docker_ip: str,
    compose_env: dict[str, str],
) -> None:  # R-ORD-2
    url = f"http://{docker_ip}:{docker_services.port_for('console', CONSOLE_PORT)}"
    wait_until(lambda: http_ok(f"{url}/health/ready"), timeout=120, what="the console ready")
    running = compose_stack.start()
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        store = await open_full_managed_store(operator, merchant)
        order = await place_order(buyer, await list_product(operator, merchant, store["store_id"]))
        sign_in = await client.get(f"{url}/sign-in")
        assert sign_in.status_code == 200
        assert "Sign in" in sign_in.text

        token = signing().token(merchant.sub, "merchant")
        cookie = _session_cookie(
            compose_env["CONSOLE_SESSION_SECRET"], {"token": token, "csrf": "stack-test"}
        )
        desk = await client.get(f"{url}/desk", cookies={"console_session": cookie})
        assert desk.status_code == 200, desk.text
        assert order["order_id"] in desk.text
        # Without the session, the console sends the person to sign in.
        anonymous = await client.get(f"{url}/desk", follow_redirects=False)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"].startswith("/sign-in")
