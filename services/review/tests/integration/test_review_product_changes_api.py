"""R-REV-15 against the real engine and broker: a rejected product revised and approved, a
price change reviewed (the approved price stands until then), a product delisted."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from shared.contract import Envelope
from testkit.bodies import a_product_listing, usd_json
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

Apply = Callable[..., Awaitable[httpx.Response]]
Published = Callable[..., Awaitable[Envelope]]
ExpectProblem = Callable[[httpx.Response, int], dict[str, Any]]

OPERATOR = bearer("operator", "op-1")
STRANGER = bearer("merchant", "m-stranger")


def new_merchant() -> str:
    return f"m-{uuid.uuid4().hex[:8]}"


async def a_product(
    review: httpx.AsyncClient, apply: Apply, decision: dict[str, str]
) -> tuple[dict[str, str], str, str]:
    """A new merchant's headers, store and product (at 10.00 USD), decided so."""
    merchant = new_merchant()
    response = await apply(review, merchant, "semi_managed")
    assert response.status_code == 201, response.text
    store_id: str = response.json()["store_id"]
    for stage in ("background", "financial", "category"):
        body = {"stage": stage, "decision": "approve"}
        decided = await review.post(f"/stores/{store_id}/reviews", headers=OPERATOR, json=body)
        assert decided.status_code == 200, decided.text
    owner = bearer("merchant", merchant)
    listing = a_product_listing(store_id, price=usd_json(1000))
    created = await review.post("/products", headers=owner, json=listing)
    assert created.status_code == 201, created.text
    product_id: str = created.json()["product_id"]
    reviewed = await review.post(f"/products/{product_id}/reviews", headers=OPERATOR, json=decision)
    assert reviewed.status_code == 200, reviewed.text
    return owner, store_id, product_id


async def test_a_rejected_product_revised_is_approved_and_published(
    review: httpx.AsyncClient, apply: Apply, published: Published, expect_problem: ExpectProblem
) -> None:  # R-REV-15
    rejection = {"decision": "reject", "reason": "photo shows another item"}
    owner, store_id, product_id = await a_product(review, apply, rejection)
    url = f"/products/{product_id}"
    revised = a_product_listing(store_id, title="Tea set, 8 cups", price=usd_json(1100))
    expect_problem(await review.put(url, headers=STRANGER, json=revised), 404)
    expect_problem(await review.put(url, headers=OPERATOR, json=revised), 403)
    moved = {**revised, "store_id": "another-store"}
    problem = expect_problem(await review.put(url, headers=owner, json=moved), 422)
    assert [issue["field"] for issue in problem["issues"]] == ["store_id"]
    assert (await review.get(url, headers=owner)).json()["history"] == []  # nothing changed
    response = await review.put(url, headers=owner, json=revised)
    assert response.status_code == 200, response.text
    product = response.json()
    assert (product["status"], product["title"], product["reason"]) == (
        "under_review",
        "Tea set, 8 cups",
        None,
    )
    [earlier] = product["history"]
    assert (earlier["outcome"], earlier["reason"], earlier["listing"]["price"]) == (
        "rejected",
        "photo shows another item",
        usd_json(1000),
    )
    expect_problem(await review.put(url, headers=owner, json=revised), 409)  # under review
    approve = {"decision": "approve"}
    approved = await review.post(f"{url}/reviews", headers=OPERATOR, json=approve)
    assert approved.status_code == 200, approved.text
    event = await published("ProductApproved", product_id=product_id)
    assert (event.payload["title"], event.payload["price"]) == ("Tea set, 8 cups", usd_json(1100))


async def test_a_price_change_is_reviewed_and_the_approved_price_stands_until_then(
    review: httpx.AsyncClient, apply: Apply, published: Published, expect_problem: ExpectProblem
) -> None:  # R-REV-15
    owner, _, product_id = await a_product(review, apply, {"decision": "approve"})
    url = f"/products/{product_id}"
    changes = f"{url}/price-changes"
    asked = {"price": usd_json(1200)}
    expect_problem(await review.post(changes, headers=STRANGER, json=asked), 404)
    for price, field in (
        ({"amount_minor": 1200, "currency": "EUR"}, "price.currency"),
        (usd_json(1000), "price"),
        (usd_json(0), "price.amount_minor"),
    ):
        problem = expect_problem(
            await review.post(changes, headers=owner, json={"price": price}), 422
        )
        assert [issue["field"] for issue in problem["issues"]] == [field]
    malformed = {"price": {"amount_minor": "1200", "currency": "USD"}}
    expect_problem(await review.post(changes, headers=owner, json=malformed), 422)
    assert (await review.get(url, headers=owner)).json()["price_change"] is None
    response = await review.post(changes, headers=owner, json=asked)
    assert response.status_code == 200, response.text
    product = response.json()
    assert (product["status"], product["price"], product["price_change"]["status"]) == (
        "approved",
        usd_json(1000),
        "under_review",
    )
    expect_problem(await review.post(changes, headers=owner, json=asked), 409)
    rejection = {"decision": "reject", "reason": "far above the market"}
    rejected = (await review.post(f"{url}/reviews", headers=OPERATOR, json=rejection)).json()
    assert (rejected["price"], rejected["price_change"]["reason"]) == (
        usd_json(1000),
        "far above the market",
    )
    response = await review.post(changes, headers=owner, json={"price": usd_json(1150)})
    assert response.status_code == 200, response.text
    approve = {"decision": "approve"}
    approved = await review.post(f"{url}/reviews", headers=OPERATOR, json=approve)
    assert approved.status_code == 200, approved.text
    assert (approved.json()["price"], approved.json()["price_change"]["status"]) == (
        usd_json(1150),
        "approved",
    )
    event = await published("ProductApproved", product_id=product_id, price=usd_json(1150))
    assert event.payload["approved_at"] == approved.json()["price_change"]["decided_at"]
    expect_problem(await review.post(f"{url}/reviews", headers=OPERATOR, json=approve), 409)


async def test_a_product_is_delisted_by_its_merchant_once(
    review: httpx.AsyncClient, apply: Apply, published: Published, expect_problem: ExpectProblem
) -> None:  # R-REV-15
    owner, _, product_id = await a_product(review, apply, {"decision": "approve"})
    url = f"/products/{product_id}"
    reason = {"reason": "out of stock"}
    expect_problem(await review.post(f"{url}/delist", headers=STRANGER, json=reason), 404)
    expect_problem(
        await review.post(f"{url}/delist", headers=bearer("buyer", "b-1"), json=reason), 403
    )
    for bad in ({"reason": "  "}, {"reason": "two\nlines"}, {}):
        expect_problem(await review.post(f"{url}/delist", headers=owner, json=bad), 422)
    assert (await review.get(url, headers=owner)).json()["status"] == "approved"
    await review.post(f"{url}/price-changes", headers=owner, json={"price": usd_json(1200)})
    response = await review.post(f"{url}/delist", headers=owner, json=reason)
    assert response.status_code == 200, response.text
    product = response.json()
    assert (product["status"], product["price_change"]["status"]) == ("delisted", "withdrawn")
    assert (product["delisting"]["reason"], product["delisting"]["delisted_by"]) == (
        "out of stock",
        "merchant",
    )
    event = await published("ProductDelisted", product_id=product_id)
    assert (event.payload["delisted_by"], event.payload["reason"]) == ("merchant", "out of stock")
    again = await review.post(f"{url}/delist", headers=OPERATOR, json={"reason": "counterfeit"})
    assert (again.status_code, again.json()) == (200, product)  # the same answer
    delisted = (await review.get("/products?status=delisted", headers=owner)).json()
    assert [p["product_id"] for p in delisted["items"]] == [product_id]


async def test_an_operator_delists_a_product_a_product_under_review_is_not(
    review: httpx.AsyncClient, apply: Apply, published: Published, expect_problem: ExpectProblem
) -> None:  # R-REV-15
    owner, store_id, product_id = await a_product(review, apply, {"decision": "approve"})
    response = await review.post(
        f"/products/{product_id}/delist", headers=OPERATOR, json={"reason": "counterfeit"}
    )
    assert response.status_code == 200, response.text
    event = await published("ProductDelisted", product_id=product_id)
    assert event.payload["delisted_by"] == "operator"
    waiting = await review.post("/products", headers=owner, json=a_product_listing(store_id))
    problem = expect_problem(
        await review.post(
            f"/products/{waiting.json()['product_id']}/delist",
            headers=owner,
            json={"reason": "changed my mind"},
        ),
        409,
    )
    assert "under_review" in problem["detail"]
