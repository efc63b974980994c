"""Products and the operator's queue against the real engine and broker (R-REV-5,8,9)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from review.app import create
from review.settings import ReviewSettings
from shared.clock import FixedClock
from shared.contract import Envelope
from testkit.asgi import serve_in_process
from testkit.bodies import a_product_listing, usd_json
from testkit.notices import a_notice
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

Apply = Callable[..., Awaitable[httpx.Response]]
Published = Callable[..., Awaitable[Envelope]]
ExpectProblem = Callable[[httpx.Response, int], dict[str, Any]]

OPERATOR = bearer("operator", "op-1")


def new_merchant() -> str:
    return f"m-{uuid.uuid4().hex[:8]}"


async def approved_store(review: httpx.AsyncClient, apply: Apply, merchant: str) -> str:
    response = await apply(review, merchant, "semi_managed")
    assert response.status_code == 201, response.text
    store_id: str = response.json()["store_id"]
    await approve_every_stage(review, store_id)
    return store_id


async def approve_every_stage(review: httpx.AsyncClient, store_id: str) -> dict[str, Any]:
    """The three stages approved (R-REV-3); the store as the last decision answered it."""
    for stage in ("background", "financial", "category"):
        decision = {"stage": stage, "decision": "approve"}
        decided = await review.post(f"/stores/{store_id}/reviews", headers=OPERATOR, json=decision)
        assert decided.status_code == 200, decided.text
    store: dict[str, Any] = decided.json()
    return store


async def test_product_submitted_and_approved_is_published(
    review: httpx.AsyncClient, apply: Apply, published: Published, expect_problem: ExpectProblem
) -> None:  # R-REV-8, R-REV-9
    merchant = new_merchant()
    owner = bearer("merchant", merchant)
    store_id = await approved_store(review, apply, merchant)
    stranger = bearer("merchant", new_merchant())
    listing = a_product_listing(store_id, price=usd_json(1250))
    expect_problem(await review.post("/products", headers=stranger, json=listing), 404)
    incomplete = a_product_listing(store_id, images=[], category="weapons")
    problem = expect_problem(await review.post("/products", headers=owner, json=incomplete), 422)
    assert {issue["field"] for issue in problem["issues"]} == {"images", "category"}
    response = await review.post("/products", headers=owner, json=listing)
    assert response.status_code == 201, response.text
    product = response.json()
    assert (product["status"], product["store_id"]) == ("under_review", store_id)
    url = f"/products/{product['product_id']}"
    expect_problem(await review.get(url, headers=stranger), 404)
    approved = await review.post(f"{url}/reviews", headers=OPERATOR, json={"decision": "approve"})
    assert approved.status_code == 200, approved.text
    event = await published("ProductApproved", product_id=product["product_id"])
    assert (event.payload["store_id"], event.payload["price"]) == (store_id, usd_json(1250))
    again = await review.post(
        f"{url}/reviews", headers=OPERATOR, json={"decision": "reject", "reason": "blurry photos"}
    )
    expect_problem(again, 409)  # already decided
    assert (await review.get(url, headers=owner)).json()["status"] == "approved"


async def test_product_of_a_store_not_yet_approved_is_refused(
    review: httpx.AsyncClient, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-8
    merchant = new_merchant()
    store_id = (await apply(review, merchant, "semi_managed")).json()["store_id"]
    response = await review.post(
        "/products", headers=bearer("merchant", merchant), json=a_product_listing(store_id)
    )
    expect_problem(response, 409)


async def test_review_queue_is_overdue_first_then_oldest(
    review_settings: ReviewSettings, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-5: overdue on China's working days, Beijing dates
    clock = FixedClock(datetime(2026, 11, 16, 2, 0, tzinfo=UTC))  # Monday 10:00 in Beijing
    async with serve_in_process(create(review_settings, clock=clock)) as review:
        older = (await apply(review, new_merchant(), "semi_managed")).json()["store_id"]
        clock.advance(timedelta(days=9))  # Wednesday 25th
        newer = (await apply(review, new_merchant(), "semi_managed")).json()["store_id"]
        clock.advance(timedelta(days=2))  # Friday 27th: 9 working days after the 16th
        first = (await review.get("/review-queue?limit=1", headers=OPERATOR)).json()
        assert [(i["id"], i["kind"], i["overdue"]) for i in first["items"]] == [
            (older, "store", True)
        ]
        second = await review.get(
            "/review-queue", headers=OPERATOR, params={"limit": 1, "cursor": first["next_cursor"]}
        )
        assert [(i["id"], i["overdue"]) for i in second.json()["items"]] == [(newer, False)]
        assert second.json()["next_cursor"] is None
        expect_problem(await review.get("/review-queue?cursor=%25%25", headers=OPERATOR), 422)
        expect_problem(await review.get("/review-queue", headers=bearer("merchant", "m")), 403)


async def test_a_year_no_calendar_publishes_is_answered_provisionally_and_written_once(
    review_settings: ReviewSettings, apply: Apply
) -> None:  # R-CAL-2, R-REV-5: never refused; the answer says its basis
    clock = FixedClock(datetime(2099, 3, 2, 2, 0, tzinfo=UTC))
    provisional = {
        "basis": "provisional",
        "years": [{"country": "CN", "year": 2099, "basis": "provisional", "source": "derived"}],
    }
    async with serve_in_process(create(review_settings, clock=clock)) as review:
        merchant = new_merchant()
        applied = await apply(review, merchant, "semi_managed")
        assert applied.status_code == 201, applied.text
        assert applied.json()["calendar"] == provisional
        store_id = applied.json()["store_id"]
        clock.advance(timedelta(days=1))
        seen = await review.get(f"/stores/{store_id}", headers=OPERATOR)
        assert (seen.status_code, seen.json()["calendar"]) == (200, provisional)
        approved = await approve_every_stage(review, store_id)
        # Approved: no longer under review, so no working day was counted.
        assert (approved["status"], approved["calendar"]) == ("approved", None)
        owner = bearer("merchant", merchant)
        product = await review.post("/products", headers=owner, json=a_product_listing(store_id))
        assert product.status_code == 201, product.text
        assert (product.json()["overdue"], product.json()["calendar"]) == (False, provisional)
        listed = (await review.get(f"/products?store_id={store_id}", headers=owner)).json()
        assert [p["product_id"] for p in listed["items"]] == [product.json()["product_id"]]
        assert (await review.get("/health/ready")).status_code == 200
        metrics = (await review.get("/metrics")).text
        assert 'calendar_provisional_computations_total{country="CN",year="2099"}' in metrics


async def test_an_operators_notice_publishes_the_year_and_its_make_up_saturday_counts(
    review_settings: ReviewSettings, apply: Apply, tmp_path: Path
) -> None:  # R-CAL-1, R-REV-5
    (tmp_path / "CN-2099.yaml").write_text(
        a_notice(2099, days_off=["{date: 2099-01-01}"], working_days=["{date: 2099-03-07}"])
    )
    wednesday = datetime(2099, 3, 4, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
    monday = datetime(2099, 3, 9, 2, 0, tzinfo=UTC)
    answers = {}
    for settings in (
        review_settings,
        review_settings.model_copy(update={"calendar_notices_dir": tmp_path}),
    ):
        clock = FixedClock(wednesday)
        async with serve_in_process(create(settings, clock=clock)) as review:
            store_id = (await apply(review, new_merchant(), "semi_managed")).json()["store_id"]
            clock.set(monday)
            answers[settings.calendar_notices_dir] = (
                await review.get(f"/stores/{store_id}", headers=OPERATOR)
            ).json()
    # Thu, Fri, Mon: three working days, not yet overdue, on the provisional calendar.
    assert answers[None]["overdue"] is False
    assert answers[None]["calendar"]["basis"] == "provisional"
    # With the notice, Saturday 7 March is a working day too: four, overdue.
    assert answers[tmp_path]["overdue"] is True
    assert answers[tmp_path]["calendar"] == {
        "basis": "published",
        "years": [{"country": "CN", "year": 2099, "basis": "published", "source": "notice"}],
    }


async def test_merchant_lists_its_products_with_their_review_status(
    review: httpx.AsyncClient, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-8, R-REV-9
    merchant = new_merchant()
    owner = bearer("merchant", merchant)
    store_id = await approved_store(review, apply, merchant)
    ids = []
    for title in ("Cup", "Bowl", "Plate"):
        created = await review.post(
            "/products", headers=owner, json=a_product_listing(store_id, title=title)
        )
        ids.append(created.json()["product_id"])
    await review.post(f"/products/{ids[0]}/reviews", headers=OPERATOR, json={"decision": "approve"})
    await review.post(
        f"/products/{ids[1]}/reviews",
        headers=OPERATOR,
        json={"decision": "reject", "reason": "Photos are blurry."},
    )
    first = (await review.get("/products?limit=2", headers=owner)).json()
    rest = (
        await review.get(f"/products?limit=2&cursor={first['next_cursor']}", headers=owner)
    ).json()
    listed = {p["title"]: (p["status"], p["reason"]) for p in first["items"] + rest["items"]}
    assert listed == {
        "Cup": ("approved", None),
        "Bowl": ("rejected", "Photos are blurry."),
        "Plate": ("under_review", None),
    }
    assert rest["next_cursor"] is None
    rejected = (await review.get("/products?status=rejected", headers=owner)).json()
    assert [p["product_id"] for p in rejected["items"]] == [ids[1]]
    stranger = (await review.get("/products", headers=bearer("merchant", new_merchant()))).json()
    assert stranger["items"] == []
    expect_problem(await review.get("/products?cursor=%%%", headers=owner), 422)
    expect_problem(await review.get("/products", headers=bearer("buyer", "b-1")), 403)


async def test_price_needs_a_known_currency_and_weight(
    review: httpx.AsyncClient, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-8
    merchant = new_merchant()
    owner = bearer("merchant", merchant)
    store_id = await approved_store(review, apply, merchant)
    bad = a_product_listing(store_id, price={"amount_minor": 100, "currency": "XYZ"})
    problem = expect_problem(await review.post("/products", headers=owner, json=bad), 422)
    assert any(error["loc"][-1] == "currency" for error in problem["errors"])
    free = a_product_listing(store_id, price=usd_json(0), weight_grams=0)
    problem = expect_problem(await review.post("/products", headers=owner, json=free), 422)
    assert {issue["field"] for issue in problem["issues"]} == {"price", "weight_grams"}
    listed = (await review.get("/products", headers=owner)).json()
    assert listed["items"] == []
