"""The platform's category list across processes (R-REV-11): anyone reads it; a store or a
product naming `Food` is refused with the codes, `food` is accepted, sells, and the
catalogue filters by the code (a 7-day after-sales window, R-AS-1)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devkit.journey import Actor, apply_for_store, approve_stages, cast, semi_managed_application
from devkit.wait import eventually
from testkit.bodies import a_product_listing
from testkit.platforms import StartPlatform

pytestmark = pytest.mark.e2e


def refused_with_the_codes(response: httpx.Response, field: str, codes: list[str]) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    [issue] = response.json()["issues"]
    assert issue == {
        "field": field,
        "problem": "not a category code; use one of: " + ", ".join(sorted(codes)),
    }


async def a_food_store(operator: Actor, merchant: Actor, codes: list[str]) -> dict[str, Any]:
    application = {**semi_managed_application(f"Shop {merchant.sub}"), "documents": []}
    refused = await merchant.call(
        "POST", "review", "/stores", json={**application, "categories": ["home", "Food"]}
    )
    refused_with_the_codes(refused, "categories[1]", codes)
    food = {**semi_managed_application(f"Shop {merchant.sub}"), "categories": ["home", "food"]}
    return await approve_stages(operator, merchant, await apply_for_store(merchant, food))


async def test_food_is_refused_with_the_codes_and_food_accepted(
    start_platform: StartPlatform,
) -> None:  # R-REV-11, R-AS-1, R-CAT-1
    running = start_platform()
    async with httpx.AsyncClient(timeout=10) as client:
        listed = await client.get(running.urls["review"] + "/categories")  # no token
        assert listed.status_code == 200, listed.text
        categories = {item["code"]: item for item in listed.json()["items"]}
        assert categories["food"]["aftersales_window_days"] == 7
        codes = list(categories)
        operator, merchant, _ = cast(running.urls, client)
        store = await a_food_store(operator, merchant, codes)
        assert store["application"]["categories"] == ["home", "food"]

        wrong = a_product_listing(store["store_id"], category="Food")
        refused_with_the_codes(
            await merchant.call("POST", "review", "/products", json=wrong), "category", codes
        )
        right = a_product_listing(store["store_id"], category="food")
        product = (
            await merchant.call("POST", "review", "/products", json=right, expect=201)
        ).json()
        url = f"/products/{product['product_id']}/reviews"
        await operator.call("POST", "review", url, json={"decision": "approve"}, expect=200)

        async def in_food() -> bool:
            page = await client.get(running.urls["orders"] + "/catalogue?category=food&limit=100")
            return product["product_id"] in [item["product_id"] for item in page.json()["items"]]

        await eventually(in_food, what="the product under `food` in the catalogue")
        unknown = await client.get(running.urls["orders"] + "/catalogue?category=Food")
        assert unknown.status_code == 422, unknown.text
        assert "use one of: " + ", ".join(sorted(codes)) in unknown.json()["detail"]
