"""Nobody reaches what is not theirs; bad input is a 4xx problem and stores nothing."""

from __future__ import annotations

import httpx
import pytest

from devkit.journey import ADDRESS, Actor, a_product_on_sale, cast
from devkit.journey import place_order as place
from testkit.platforms import StartPlatform

pytestmark = pytest.mark.e2e

PROBLEM = "application/problem+json"


async def test_access_rules_and_malformed_bodies(start_platform: StartPlatform) -> None:
    running = start_platform()
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, buyer = cast(running.urls, client)
        product_id = await a_product_on_sale(operator, merchant)
        order = await place(buyer, product_id)
        confirm = f"/orders/{order['order_id']}/confirm"

        # Another merchant confirming this order: it does not exist for them (404).
        stranger = Actor("merchant", "m-stranger", running.urls, client)
        assert (await stranger.call("POST", "orders", confirm)).status_code == 404
        # A buyer confirming: wrong role (403).
        forbidden = await buyer.call("POST", "orders", confirm, expect=403)
        assert forbidden.headers["content-type"] == PROBLEM
        # No token (401), with the problem shape of RFC 9457.
        anonymous = await client.post(running.url("orders") + confirm)
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == PROBLEM
        assert {"type", "title", "status", "detail"} <= set(anonymous.json())
        # Another buyer reading the order: 404.
        other_buyer = Actor("buyer", "b-stranger", running.urls, client)
        assert (
            await other_buyer.call("GET", "orders", f"/orders/{order['order_id']}")
        ).status_code == 404

        # Malformed bodies: 422 problem+json naming the fields, and nothing stored.
        newcomer = Actor("buyer", "b-newcomer", running.urls, client)
        for body in (
            {"items": [], "shipping_address": ADDRESS},
            {"items": [{"product_id": product_id, "quantity": 0}], "shipping_address": ADDRESS},
            {
                "items": [{"product_id": product_id, "quantity": 1}],
                "shipping_address": {**ADDRESS, "country": "Spain"},
            },
            {
                "items": [{"product_id": product_id, "quantity": 1}],
                "shipping_address": ADDRESS,
                "unit_price": {"amount_minor": 1, "currency": "USD"},
            },
            # No coercion, no control characters (shared.inputs).
            {"items": [{"product_id": product_id, "quantity": True}], "shipping_address": ADDRESS},
            {"items": [{"product_id": product_id, "quantity": "2"}], "shipping_address": ADDRESS},
            {
                "items": [{"product_id": product_id, "quantity": 1}],
                "shipping_address": {**ADDRESS, "recipient": "Ana\u0000"},
            },
        ):
            response = await newcomer.call("POST", "orders", "/orders", json=body)
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == PROBLEM
            assert response.json()["errors"], response.json()
        # Not JSON, and JSON naming a key twice: what to fix, never a 500.
        as_json = {"content-type": "application/json"}
        for raw, said in ((b"{oops", ""), (b'{"items": [], "items": []}', "`items` appears twice")):
            refused = await newcomer.call("POST", "orders", "/orders", content=raw, headers=as_json)
            assert refused.status_code == 422
            assert said in refused.json()["detail"]
        line = {"product_id": product_id, "quantity": 1000}
        repeated_product = await newcomer.call(
            "POST", "orders", "/orders", json={"items": [line] * 2, "shipping_address": ADDRESS}
        )
        assert repeated_product.status_code == 422
        assert product_id in repeated_product.json()["detail"]
        listed = (await newcomer.call("GET", "orders", "/orders", expect=200)).json()
        assert listed["items"] == []

        bad_store = await merchant.call("POST", "review", "/stores", json={"store_type": "x"})
        assert bad_store.status_code == 422
        assert bad_store.headers["content-type"] == PROBLEM
