"""Review against the real engine and broker, in-process (R-REV-1..9)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from devkit.wait import eventually
from fastapi import FastAPI

from review.app import create
from review.bootstrap import ReviewServices
from review.settings import ReviewSettings
from shared.clock import FixedClock
from shared.contract import Envelope
from testkit.asgi import serve_in_process
from testkit.tap import EventTap, event_tap
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

OPERATOR = bearer("operator", "op-1")
STAGES = ("background", "financial", "category")


def new_merchant() -> str:
    return f"m-{uuid.uuid4().hex[:8]}"


def application(store_type: str = "full_managed", **changes: Any) -> dict[str, Any]:
    kinds = ["business_license", "id_document"]
    body: dict[str, Any] = {
        "store_type": store_type,
        "name": "Blue Lantern Home",
        "company_name": "Fuzhou Blue Lantern Trading Co., Ltd.",
        "business_license_no": "91350100M000100Y43",
        "contact_email": "ops@lantern.example.com",
        "categories": ["home"],
        "contract_signed": True,
        "documents": [
            {
                "kind": kind,
                "filename": f"{kind}.pdf",
                "content_type": "application/pdf",
                "size_bytes": 120_000,
            }
            for kind in kinds
        ],
    }
    if store_type == "semi_managed":
        body["documents"].append(
            {
                "kind": "warehouse_proof",
                "filename": "lease.png",
                "content_type": "image/png",
                "size_bytes": 50_000,
            }
        )
        body["warehouse"] = {
            "country": "ES",
            "city": "Madrid",
            "address": "Calle Mayor 1",
            "timezone": "Europe/Madrid",
        }
        body["handling_days"] = 2
    return {**body, **changes}


def listing(store_id: str) -> dict[str, Any]:
    return {
        "store_id": store_id,
        "title": "Tea set",
        "description": "Porcelain, 6 cups",
        "category": "home",
        "images": ["https://img.example/tea.png"],
        "price": {"amount_minor": 1250, "currency": "USD"},
        "weight_grams": 800,
    }


def settings(mongo_url: str, amqp_url: str, db_prefix: str) -> ReviewSettings:
    return ReviewSettings(
        mongo_url=mongo_url,
        amqp_url=amqp_url,
        mongo_database_prefix=db_prefix,
        outbox_poll_seconds=0.1,
    )


@pytest.fixture
def review_app(mongo_url: str, amqp_url: str, db_prefix: str) -> FastAPI:
    return create(settings(mongo_url, amqp_url, db_prefix))


@pytest.fixture
async def review(review_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_in_process(review_app) as client:
        yield client


@pytest.fixture
async def tap(amqp_url: str) -> AsyncIterator[EventTap]:
    async with event_tap(amqp_url) as listening:
        yield listening


async def published(tap: EventTap, event_type: str, **payload: Any) -> Envelope:
    """The event once it is on the bus, polled with a deadline."""

    async def probe() -> Envelope | None:
        return next(
            (
                event
                for event in tap.of_type(event_type)
                if payload.items() <= event.payload.items()
            ),
            None,
        )

    return await eventually(probe, what=f"{event_type} {payload} on the bus")


async def apply(
    review: httpx.AsyncClient, merchant: str, store_type: str = "full_managed", **changes: Any
) -> httpx.Response:
    return await review.post(
        "/stores", headers=bearer("merchant", merchant), json=application(store_type, **changes)
    )


async def invite(review: httpx.AsyncClient, merchant: str) -> dict[str, Any]:
    response = await review.post("/invitations", headers=OPERATOR, json={"merchant_id": merchant})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def approved_store(review: httpx.AsyncClient, merchant: str) -> str:
    response = await apply(review, merchant, "semi_managed")
    assert response.status_code == 201, response.text
    store_id: str = response.json()["store_id"]
    for stage in STAGES:
        decided = await review.post(
            f"/stores/{store_id}/reviews",
            headers=OPERATOR,
            json={"stage": stage, "decision": "approve"},
        )
        assert decided.status_code == 200, decided.text
    return store_id


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body


async def test_invited_store_approved_in_three_stages_is_published(
    review: httpx.AsyncClient, tap: EventTap
) -> None:  # R-REV-1, R-REV-3
    merchant = new_merchant()
    invitation = await invite(review, merchant)
    assert (invitation["merchant_id"], invitation["used_by_store_id"]) == (merchant, None)
    response = await apply(review, merchant)
    assert response.status_code == 201, response.text
    store = response.json()
    assert (store["status"], store["issues"], store["current_stage"]) == (
        "under_review",
        [],
        "background",
    )
    # R-REV-1: the invitation opened this store and opens no other.
    assert_problem(await apply(review, merchant), 403)
    for stage in STAGES:
        decided = await review.post(
            f"/stores/{store['store_id']}/reviews",
            headers=OPERATOR,
            json={"stage": stage, "decision": "approve"},
        )
        assert decided.status_code == 200, decided.text
    event = await published(tap, "StoreApproved", store_id=store["store_id"])
    assert event.payload["merchant_id"] == merchant
    assert event.payload["store_type"] == "full_managed"
    seen = (
        await review.get(f"/stores/{store['store_id']}", headers=bearer("merchant", merchant))
    ).json()
    assert seen["status"] == "approved"
    assert seen["approved_at"]
    assert [(s["stage"], s["status"]) for s in seen["stages"]] == [
        (stage, "approved") for stage in STAGES
    ]
    assert seen["overdue"] is False


async def test_full_managed_without_invitation_is_forbidden(
    review: httpx.AsyncClient,
) -> None:  # R-REV-1
    body = assert_problem(await apply(review, new_merchant()), 403)
    assert "invitation" in body["detail"]
    other = new_merchant()
    await invite(review, other)  # another merchant's invitation opens nothing for this one
    assert_problem(await apply(review, new_merchant()), 403)


async def test_interrupted_application_is_completed_by_the_retry(
    review: httpx.AsyncClient, review_app: FastAPI
) -> None:  # R-REV-1
    merchant = new_merchant()
    invitation_id = (await invite(review, merchant))["invitation_id"]
    # A crash after the invitation was used and before the store was stored:
    services: ReviewServices = review_app.state.services
    invitation = await services.stores.invitations.get(invitation_id)
    assert invitation is not None
    invitation.use("store-of-the-crash", merchant, datetime.now(UTC))
    await services.stores.invitations.save(invitation, now=datetime.now(UTC))
    response = await apply(review, merchant)
    assert response.status_code == 201, response.text
    assert response.json()["store_id"] == "store-of-the-crash"
    assert_problem(await apply(review, merchant), 403)


async def test_incomplete_application_needs_info_then_resubmits(
    review: httpx.AsyncClient,
) -> None:  # R-REV-4, R-REV-6
    merchant = new_merchant()
    bad_document = {
        "kind": "warehouse_proof",
        "filename": "lease.exe",
        "content_type": "application/x-msdownload",
        "size_bytes": 10,
    }
    response = await apply(
        review,
        merchant,
        "semi_managed",
        handling_days=5,
        documents=[*application("semi_managed")["documents"][:2], bad_document],
    )
    assert response.status_code == 201, response.text
    store = response.json()
    assert store["status"] == "needs_info"
    fields = {issue["field"] for issue in store["issues"]}
    assert {"handling_days", "documents[2].content_type"} <= fields
    assert all(issue["problem"] for issue in store["issues"])
    # R-REV-3: only an application under review is decided.
    decided = await review.post(
        f"/stores/{store['store_id']}/reviews",
        headers=OPERATOR,
        json={"stage": "background", "decision": "approve"},
    )
    assert_problem(decided, 409)
    fixed = await review.put(
        f"/stores/{store['store_id']}",
        headers=bearer("merchant", merchant),
        json=application("semi_managed"),
    )
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["status"], fixed.json()["issues"]) == ("under_review", [])


async def test_rejection_needs_a_reason_and_is_published(
    review: httpx.AsyncClient, tap: EventTap
) -> None:  # R-REV-3, R-REV-6
    merchant = new_merchant()
    store_id = (await apply(review, merchant, "semi_managed")).json()["store_id"]
    url = f"/stores/{store_id}/reviews"
    body = assert_problem(
        await review.post(url, headers=OPERATOR, json={"stage": "financial", "decision": "reject"}),
        422,
    )
    assert body["issues"][0]["field"] == "reason"
    rejected = await review.post(
        url,
        headers=OPERATOR,
        json={"stage": "financial", "decision": "reject", "reason": "unpaid taxes"},
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["rejected_reason"]) == (
        "rejected",
        "unpaid taxes",
    )
    event = await published(tap, "StoreRejected", store_id=store_id)
    assert (event.payload["stage"], event.payload["reason"]) == ("financial", "unpaid taxes")


async def test_store_is_seen_by_its_merchant_and_operators_only(
    review: httpx.AsyncClient,
) -> None:  # R-REV-6, R-REV-7
    merchant = new_merchant()
    store_id = (await apply(review, merchant, "semi_managed")).json()["store_id"]
    assert_problem(
        await review.get(f"/stores/{store_id}", headers=bearer("merchant", new_merchant())), 404
    )
    assert_problem(await review.get(f"/stores/{store_id}", headers=bearer("buyer", "b-1")), 403)
    messages = f"/stores/{store_id}/messages"
    assert_problem(
        await review.post(
            messages, headers=bearer("merchant", new_merchant()), json={"body": "hello?"}
        ),
        404,
    )
    asked = await review.post(
        messages, headers=bearer("merchant", merchant), json={"body": "When is my review done?"}
    )
    assert asked.status_code == 201, asked.text
    answered = await review.post(messages, headers=OPERATOR, json={"body": "Within 3 days."})
    assert answered.status_code == 201, answered.text
    seen = (await review.get(f"/stores/{store_id}", headers=OPERATOR)).json()
    assert [(m["author_role"], m["body"]) for m in seen["messages"]] == [
        ("merchant", "When is my review done?"),
        ("operator", "Within 3 days."),
    ]


async def test_malformed_application_is_422_and_stores_nothing(
    review: httpx.AsyncClient,
) -> None:  # CONTRACT: bad input changes nothing
    merchant = new_merchant()
    await invite(review, merchant)
    for body in (application(surprise="field"), application(categories="home"), {"name": 1}):
        problem = assert_problem(
            await review.post("/stores", headers=bearer("merchant", merchant), json=body), 422
        )
        assert problem["errors"]
    queue = await review.get("/review-queue", headers=OPERATOR)
    assert queue.status_code == 200, queue.text
    assert queue.json()["items"] == []
    # The invitation was not used by the refused requests.
    assert (await apply(review, merchant)).status_code == 201


async def test_product_submitted_and_approved_is_published(
    review: httpx.AsyncClient, tap: EventTap
) -> None:  # R-REV-8, R-REV-9
    merchant = new_merchant()
    store_id = await approved_store(review, merchant)
    assert_problem(
        await review.post(
            "/products", headers=bearer("merchant", new_merchant()), json=listing(store_id)
        ),
        404,
    )
    incomplete = {**listing(store_id), "images": [], "category": "weapons"}
    problem = assert_problem(
        await review.post("/products", headers=bearer("merchant", merchant), json=incomplete), 422
    )
    assert {issue["field"] for issue in problem["issues"]} == {"images", "category"}
    response = await review.post(
        "/products", headers=bearer("merchant", merchant), json=listing(store_id)
    )
    assert response.status_code == 201, response.text
    product = response.json()
    assert product["status"] == "under_review"
    url = f"/products/{product['product_id']}"
    assert_problem(await review.get(url, headers=bearer("merchant", new_merchant())), 404)
    approved = await review.post(f"{url}/reviews", headers=OPERATOR, json={"decision": "approve"})
    assert approved.status_code == 200, approved.text
    event = await published(tap, "ProductApproved", product_id=product["product_id"])
    assert (event.payload["store_id"], event.payload["price"]) == (
        store_id,
        {"amount_minor": 1250, "currency": "USD"},
    )
    again = await review.post(f"{url}/reviews", headers=OPERATOR, json={"decision": "approve"})
    assert_problem(again, 409)


async def test_review_queue_is_overdue_first_then_oldest(
    mongo_url: str, amqp_url: str, db_prefix: str
) -> None:  # R-REV-5
    clock = FixedClock(datetime(2026, 11, 16, 2, 0, tzinfo=UTC))  # Monday in Beijing
    app = create(settings(mongo_url, amqp_url, db_prefix), clock=clock)
    async with serve_in_process(app) as review:
        older = (await apply(review, new_merchant(), "semi_managed")).json()["store_id"]
        clock.advance(timedelta(days=9))  # Wednesday 25th
        newer = (await apply(review, new_merchant(), "semi_managed")).json()["store_id"]
        clock.advance(timedelta(days=2))  # Friday 27th: 9 working days after the 16th
        first = (await review.get("/review-queue?limit=1", headers=OPERATOR)).json()
        assert [(i["id"], i["overdue"]) for i in first["items"]] == [(older, True)]
        second = (
            await review.get(
                "/review-queue",
                headers=OPERATOR,
                params={"limit": 1, "cursor": first["next_cursor"]},
            )
        ).json()
        assert [(i["id"], i["overdue"]) for i in second["items"]] == [(newer, False)]
        assert second["next_cursor"] is None
        assert_problem(await review.get("/review-queue?cursor=%%%", headers=OPERATOR), 422)
        assert_problem(await review.get("/review-queue", headers=bearer("merchant", "m")), 403)
