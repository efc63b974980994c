"""The platform's category list through review on the real engine and broker (R-REV-11):
`GET /categories` for anyone, 422s naming the codes, and the migration of free text written
before the list (`shared.category_migration`), run twice."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from review.adapters.queries import PRODUCTS, STORES
from review.app import SPEC
from shared.categories import default_categories
from shared.category_migration import migrate_categories, migrate_service
from shared.mongo import connect
from testkit.bodies import a_product_listing
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

Apply = Callable[..., Awaitable[httpx.Response]]
ExpectProblem = Callable[[httpx.Response, int], dict[str, Any]]

OPERATOR = bearer("operator", "op-1")
REFUSAL = default_categories().refusal()


def new_merchant() -> str:
    return f"m-{uuid.uuid4().hex[:8]}"


async def an_approved_store(review: httpx.AsyncClient, apply: Apply, merchant: str) -> str:
    response = await apply(review, merchant, "semi_managed", categories=["home", "food"])
    assert response.status_code == 201, response.text
    store_id: str = response.json()["store_id"]
    for stage in ("background", "financial", "category"):
        decision = {"stage": stage, "decision": "approve"}
        decided = await review.post(f"/stores/{store_id}/reviews", headers=OPERATOR, json=decision)
        assert decided.status_code == 200, decided.text
    return store_id


async def test_anyone_reads_the_category_list(review: httpx.AsyncClient) -> None:  # R-REV-11
    response = await review.get("/categories")  # no token: public, like the catalogue
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["code"] for item in items] == [each.code for each in default_categories()]
    food = next(item for item in items if item["code"] == "food")
    assert food == {
        "code": "food",
        "name_zh": "食品",
        "name_en": "Food",
        "aftersales_window_days": 7,
    }


async def test_free_text_categories_are_refused_with_the_codes(
    review: httpx.AsyncClient, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-11
    merchant = new_merchant()
    refused = await apply(review, merchant, "semi_managed", categories=["home", "Food"])
    problem = expect_problem(refused, 422)
    assert problem["issues"] == [{"field": "categories[1]", "problem": REFUSAL}]
    assert "GET /categories" in problem["detail"]
    store_id = await an_approved_store(review, apply, merchant)
    owner = bearer("merchant", merchant)
    listing = a_product_listing(store_id, category="Food")
    problem = expect_problem(await review.post("/products", headers=owner, json=listing), 422)
    assert problem["issues"] == [{"field": "category", "problem": REFUSAL}]
    accepted = await review.post(
        "/products", headers=owner, json=a_product_listing(store_id, category="food")
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["category"] == "food"


async def test_free_text_written_before_the_list_is_migrated_to_codes_once(
    review: httpx.AsyncClient,
    apply: Apply,
    mongo_url: str,
    db_prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # R-REV-11
    merchant = new_merchant()
    store_id = await an_approved_store(review, apply, merchant)
    owner = bearer("merchant", merchant)
    listed = await review.post("/products", headers=owner, json=a_product_listing(store_id))
    assert listed.status_code == 201, listed.text
    product_id = listed.json()["product_id"]
    client = connect(mongo_url, app_name="test")
    db = client[f"{db_prefix}review"]
    try:
        # As an earlier release stored them: whatever the merchant typed.
        legacy = {"application.categories": [" Home", "食品", "Widgets", "FOOD"]}
        await db[STORES].update_one({"_id": store_id}, {"$set": legacy})
        await db[PRODUCTS].update_one({"_id": product_id}, {"$set": {"category": "HOME "}})
        before = await db[STORES].find_one({"_id": store_id})
        assert before is not None

        report = await migrate_categories(db, SPEC.category_fields, default_categories())
        store = await db[STORES].find_one({"_id": store_id})
        product = await db[PRODUCTS].find_one({"_id": product_id})
        assert store is not None
        assert product is not None
        assert store["application"]["categories"] == ["home", "food", "Widgets"]
        assert store["version"] == before["version"] + 1  # a writer holding it reloads
        assert product["category"] == "home"
        assert report.rewritten == {STORES: 1, PRODUCTS: 1}
        assert report.unknown == {(f"{STORES}.application.categories", "Widgets"): 1}

        # Again, as the command, from the service's own settings: nothing more to do.
        monkeypatch.setenv("MONGO_URL", mongo_url)
        monkeypatch.setenv("MONGO_DATABASE_PREFIX", db_prefix)
        again = await migrate_service("review")
        assert sum(again.rewritten.values()) == 0
        assert again.unknown == report.unknown  # still reported, never guessed
        assert await db[STORES].find_one({"_id": store_id}) == store
    finally:
        await client.close()
    shown = await review.get(f"/stores/{store_id}", headers=owner)
    assert shown.json()["application"]["categories"] == ["home", "food", "Widgets"]
