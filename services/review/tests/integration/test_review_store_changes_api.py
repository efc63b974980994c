"""Returns for information and change requests against the real engine and broker
(R-REV-12, R-REV-13)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from review.app import create
from review.settings import ReviewSettings
from shared.clock import FixedClock
from shared.contract import Envelope
from testkit.asgi import serve_in_process
from testkit.bodies import a_product_listing
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

Apply = Callable[..., Awaitable[httpx.Response]]
Published = Callable[..., Awaitable[Envelope]]
ExpectProblem = Callable[[httpx.Response, int], dict[str, Any]]

OPERATOR = bearer("operator", "op-1")
STAGES = ("background", "financial", "category")
ITEM = {"field": "documents[0]", "problem": "upload the licence's second page"}
VALENCIA = {
    "country": "ES",
    "city": "Valencia",
    "address": "Calle de Colón 1",
    "timezone": "Europe/Madrid",
}


def new_merchant() -> str:
    return f"m-{uuid.uuid4().hex[:8]}"


async def decide(review: httpx.AsyncClient, url: str, **decision: Any) -> httpx.Response:
    return await review.post(f"{url}/reviews", headers=OPERATOR, json=decision)


async def a_semi_managed_store(review: httpx.AsyncClient, apply: Apply, merchant: str) -> str:
    response = await apply(review, merchant, "semi_managed")
    assert response.status_code == 201, response.text
    store_id: str = response.json()["store_id"]
    return store_id


async def test_an_application_returned_for_information_resumes_where_it_stood(
    review: httpx.AsyncClient, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-13
    merchant = new_merchant()
    owner = bearer("merchant", merchant)
    store_id = await a_semi_managed_store(review, apply, merchant)
    url = f"/stores/{store_id}"
    assert (await decide(review, url, stage="background", decision="approve")).status_code == 200
    # A return names each item: none named is refused, nothing changed.
    expect_problem(await decide(review, url, stage="financial", decision="needs_info"), 422)
    returned = await decide(review, url, stage="financial", decision="needs_info", items=[ITEM])
    assert returned.status_code == 200, returned.text
    store = returned.json()
    assert (store["status"], store["issues"], store["current_stage"]) == (
        "needs_info",
        [ITEM],
        None,
    )
    assert store["info_requests"][0]["stage"] == "financial"
    expect_problem(await decide(review, url, stage="financial", decision="approve"), 409)
    stranger = bearer("merchant", new_merchant())
    application = store["application"]
    expect_problem(await review.put(url, headers=stranger, json=application), 404)
    answered = await review.put(url, headers=owner, json=application)
    assert answered.status_code == 200, answered.text
    store = answered.json()
    assert (store["status"], store["current_stage"]) == ("under_review", "financial")
    assert [stage["status"] for stage in store["stages"]] == ["approved", "pending", "pending"]
    assert store["info_requests"][0]["answered_at"] is not None
    for stage in ("financial", "category"):
        assert (await decide(review, url, stage=stage, decision="approve")).status_code == 200
    assert (await review.get(url, headers=owner)).json()["status"] == "approved"


async def test_a_warehouse_change_is_reviewed_then_applied_and_published(
    review: httpx.AsyncClient, apply: Apply, published: Published, expect_problem: ExpectProblem
) -> None:  # R-REV-12, R-REV-13
    merchant = new_merchant()
    owner = bearer("merchant", merchant)
    store_id = await a_semi_managed_store(review, apply, merchant)
    for stage in STAGES:
        assert (
            await decide(review, f"/stores/{store_id}", stage=stage, decision="approve")
        ).is_success
    changes_url = f"/stores/{store_id}/change-requests"
    stranger = bearer("merchant", new_merchant())
    change = {"warehouse": VALENCIA, "handling_days": 1}
    expect_problem(await review.post(changes_url, headers=stranger, json=change), 404)
    expect_problem(await review.post(changes_url, headers=owner, json={"handling_days": 9}), 422)
    expect_problem(await review.post(changes_url, headers=owner, json={"colour": "red"}), 422)
    asked = await review.post(changes_url, headers=owner, json=change)
    assert asked.status_code == 201, asked.text
    request = asked.json()
    url = f"{changes_url}/{request['change_request_id']}"
    assert (request["status"], request["current_stage"], request["changed"]) == (
        "under_review",
        "background",
        ["warehouse", "handling_days"],
    )
    assert request["since"] == request["requested_at"]
    expect_problem(await review.post(changes_url, headers=owner, json={"name": "Other"}), 409)
    # The store keeps selling under its approved information, showing the request.
    store = (await review.get(f"/stores/{store_id}", headers=owner)).json()
    assert store["application"]["warehouse"]["city"] != "Valencia"
    assert store["change_request"]["status"] == "under_review"
    queue = (await review.get("/review-queue", headers=OPERATOR, params={"limit": 100})).json()
    listed = [item for item in queue["items"] if item["id"] == request["change_request_id"]]
    assert [(item["kind"], item["store_id"], item["current_stage"]) for item in listed] == [
        ("change_request", store_id, "background")
    ]
    returned = await decide(review, url, stage="background", decision="needs_info", items=[ITEM])
    assert returned.json()["status"] == "needs_info", returned.text
    answered = await review.put(
        url, headers=owner, json={"warehouse": VALENCIA, "handling_days": 2}
    )
    assert answered.status_code == 200, answered.text
    assert answered.json()["changed"] == ["warehouse"]
    decided = await decide(review, url, stage="background", decision="approve")
    assert decided.json()["status"] == "approved", decided.text
    event = await published("StoreUpdated", store_id=store_id)
    assert (event.payload["changed"], event.payload["warehouse"]["city"]) == (
        ["warehouse"],
        "Valencia",
    )
    store = (await review.get(f"/stores/{store_id}", headers=owner)).json()
    assert store["application"]["warehouse"]["city"] == "Valencia"
    listed_changes = (await review.get(changes_url, headers=OPERATOR)).json()["items"]
    assert [each["status"] for each in listed_changes] == ["approved"]
    expect_problem(await review.get(f"{changes_url}/nope", headers=owner), 404)
    expect_problem(await review.get(changes_url, headers=stranger), 404)


async def test_the_queue_shows_changes_beside_applications_and_products_overdue_first(
    review_settings: ReviewSettings, apply: Apply
) -> None:  # R-REV-5, R-REV-12: one queue, overdue first, then oldest
    clock = FixedClock(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))  # Monday 10:00 in Beijing
    async with serve_in_process(create(review_settings, clock=clock)) as review:
        merchant = new_merchant()
        owner = bearer("merchant", merchant)
        store_id = await a_semi_managed_store(review, apply, merchant)
        for stage in STAGES:
            decided = await decide(review, f"/stores/{store_id}", stage=stage, decision="approve")
            assert decided.status_code == 200, decided.text
        asked = await review.post(
            f"/stores/{store_id}/change-requests", headers=owner, json={"name": "Renamed"}
        )
        assert asked.status_code == 201, asked.text
        listing = await review.post("/products", headers=owner, json=a_product_listing(store_id))
        product = f"/products/{listing.json()['product_id']}"
        approval = {"decision": "approve"}
        assert (await review.post(f"{product}/reviews", headers=OPERATOR, json=approval)).is_success
        clock.advance(timedelta(days=9))  # Wednesday 11th
        new_price = {**listing.json()["price"], "amount_minor": 777}
        repriced = await review.post(
            f"{product}/price-changes", headers=owner, json={"price": new_price}
        )
        assert repriced.status_code == 200, repriced.text
        listed = await review.post("/products", headers=owner, json=a_product_listing(store_id))
        assert listed.status_code == 201, listed.text
        applied = await a_semi_managed_store(review, apply, new_merchant())
        clock.advance(timedelta(days=2))  # Friday 13th: 9 working days after the 2nd
        queue = (await review.get("/review-queue?limit=4", headers=OPERATOR)).json()
        assert [(i["kind"], i["id"], i["overdue"]) for i in queue["items"]] == [
            ("change_request", asked.json()["change_request_id"], True),
            ("price_change", listing.json()["product_id"], False),
            ("product", listed.json()["product_id"], False),
            ("store", applied, False),
        ]
        first = queue["items"][0]
        assert (first["store_id"], first["current_stage"]) == (store_id, "background")


async def test_a_reason_the_events_cannot_carry_is_refused_not_failed(
    review: httpx.AsyncClient, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-3: a rejection's reason travels on StoreRejected, one line of 500
    store_id = await a_semi_managed_store(review, apply, new_merchant())
    url = f"/stores/{store_id}"
    for reason in ("x" * 501, "two\nlines"):
        expect_problem(
            await decide(review, url, stage="financial", decision="reject", reason=reason), 422
        )
    store = (await review.get(url, headers=OPERATOR)).json()
    assert (store["status"], store["stages"][1]["status"]) == ("under_review", "pending")
