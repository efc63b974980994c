"""Stores against the real engine and broker, in-process (R-REV-1..7)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from review.bootstrap import ReviewServices
from shared.contract import Envelope
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

Apply = Callable[..., Awaitable[httpx.Response]]
Published = Callable[..., Awaitable[Envelope]]
ExpectProblem = Callable[[httpx.Response, int], dict[str, Any]]
StoreApplication = Callable[..., dict[str, Any]]

OPERATOR = bearer("operator", "op-1")
STAGES = ("background", "financial", "category")


def new_merchant() -> str:
    return f"m-{uuid.uuid4().hex[:8]}"


async def invite(review: httpx.AsyncClient, merchant: str) -> dict[str, Any]:
    response = await review.post("/invitations", headers=OPERATOR, json={"merchant_id": merchant})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def decide(review: httpx.AsyncClient, store_id: str, **decision: str) -> httpx.Response:
    return await review.post(f"/stores/{store_id}/reviews", headers=OPERATOR, json=decision)


async def test_invited_store_approved_in_three_stages_is_published(
    review: httpx.AsyncClient, apply: Apply, published: Published, expect_problem: ExpectProblem
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
    expect_problem(await apply(review, merchant), 403)
    for stage in STAGES:
        decided = await decide(review, store["store_id"], stage=stage, decision="approve")
        assert decided.status_code == 200, decided.text
    event = await published("StoreApproved", store_id=store["store_id"])
    assert (event.payload["merchant_id"], event.payload["store_type"]) == (merchant, "full_managed")
    seen = await review.get(f"/stores/{store['store_id']}", headers=bearer("merchant", merchant))
    assert seen.status_code == 200, seen.text
    assert (seen.json()["status"], seen.json()["overdue"]) == ("approved", False)
    assert seen.json()["approved_at"] == event.payload["approved_at"]
    assert [(s["stage"], s["status"]) for s in seen.json()["stages"]] == [
        (stage, "approved") for stage in STAGES
    ]


async def test_full_managed_without_invitation_is_forbidden(
    review: httpx.AsyncClient, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-1
    body = expect_problem(await apply(review, new_merchant()), 403)
    assert "invitation" in body["detail"]
    await invite(review, new_merchant())  # another merchant's invitation opens nothing here
    expect_problem(await apply(review, new_merchant()), 403)
    # Only an operator invites: a merchant cannot invite itself.
    merchant = new_merchant()
    self_invite = await review.post(
        "/invitations", headers=bearer("merchant", merchant), json={"merchant_id": merchant}
    )
    expect_problem(self_invite, 403)
    expect_problem(await apply(review, merchant), 403)


async def test_interrupted_application_is_completed_by_the_retry(
    review: httpx.AsyncClient, review_app: FastAPI, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-1: an invitation is never lost and never opens two stores
    merchant = new_merchant()
    invitation_id = (await invite(review, merchant))["invitation_id"]
    # As if the process died after using the invitation, before storing the store:
    services: ReviewServices = review_app.state.services
    invitation = await services.stores.invitations.get(invitation_id)
    assert invitation is not None
    invitation.use("store-of-the-crash", merchant, datetime.now(UTC))
    await services.stores.invitations.save(invitation, now=datetime.now(UTC))
    response = await apply(review, merchant)
    assert response.status_code == 201, response.text
    assert response.json()["store_id"] == "store-of-the-crash"
    expect_problem(await apply(review, merchant), 403)


async def test_incomplete_application_needs_info_then_resubmits(
    review: httpx.AsyncClient,
    apply: Apply,
    store_application: StoreApplication,
    expect_problem: ExpectProblem,
) -> None:  # R-REV-4, R-REV-6
    merchant = new_merchant()
    exe = {
        "kind": "warehouse_proof",
        "filename": "lease.exe",
        "content_type": "application/x-msdownload",
        "size_bytes": 10,
    }
    documents = [*store_application("semi_managed")["documents"][:2], exe]
    response = await apply(review, merchant, "semi_managed", handling_days=5, documents=documents)
    assert response.status_code == 201, response.text
    store = response.json()
    assert store["status"] == "needs_info"
    fields = {issue["field"] for issue in store["issues"]}
    assert {"handling_days", "documents[2].content_type"} <= fields
    assert all(issue["problem"] for issue in store["issues"])
    # R-REV-3: only an application under review is decided.
    expect_problem(
        await decide(review, store["store_id"], stage="category", decision="approve"), 409
    )
    fixed = await review.put(
        f"/stores/{store['store_id']}",
        headers=bearer("merchant", merchant),
        json=store_application("semi_managed"),
    )
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["status"], fixed.json()["issues"]) == ("under_review", [])


async def test_rejection_needs_a_reason_and_is_published(
    review: httpx.AsyncClient, apply: Apply, published: Published, expect_problem: ExpectProblem
) -> None:  # R-REV-3, R-REV-6
    store_id = (await apply(review, new_merchant(), "semi_managed")).json()["store_id"]
    body = expect_problem(await decide(review, store_id, stage="financial", decision="reject"), 422)
    assert [issue["field"] for issue in body["issues"]] == ["reason"]
    rejected = await decide(
        review, store_id, stage="financial", decision="reject", reason="unpaid taxes"
    )
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["rejected_reason"]) == (
        "rejected",
        "unpaid taxes",
    )
    event = await published("StoreRejected", store_id=store_id)
    assert (event.payload["stage"], event.payload["reason"]) == ("financial", "unpaid taxes")


async def test_store_is_seen_by_its_merchant_and_operators_only(
    review: httpx.AsyncClient, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-6, R-REV-7; CONTRACT: another party's resource is 404
    merchant = new_merchant()
    store_id = (await apply(review, merchant, "semi_managed")).json()["store_id"]
    stranger = bearer("merchant", new_merchant())
    expect_problem(await review.get(f"/stores/{store_id}", headers=stranger), 404)
    expect_problem(await review.get(f"/stores/{store_id}", headers=bearer("buyer", "b-1")), 403)
    thread = f"/stores/{store_id}/messages"
    expect_problem(await review.post(thread, headers=stranger, json={"body": "hello?"}), 404)
    asked = await review.post(
        thread, headers=bearer("merchant", merchant), json={"body": "When is my review done?"}
    )
    assert asked.status_code == 201, asked.text
    answered = await review.post(thread, headers=OPERATOR, json={"body": "Within 3 days."})
    assert answered.status_code == 201, answered.text
    seen = (await review.get(f"/stores/{store_id}", headers=OPERATOR)).json()
    assert [(m["author_role"], m["body"]) for m in seen["messages"]] == [
        ("merchant", "When is my review done?"),
        ("operator", "Within 3 days."),
    ]


async def test_malformed_application_is_422_and_stores_nothing(
    review: httpx.AsyncClient,
    apply: Apply,
    store_application: StoreApplication,
    expect_problem: ExpectProblem,
) -> None:  # CONTRACT: bad input is a 4xx problem and changes nothing
    merchant = new_merchant()
    await invite(review, merchant)
    malformed = (
        store_application(surprise="field"),
        store_application(categories="home"),
        store_application(documents=[{"kind": "business_license"}]),
        {"name": 1},
        # Strict values (shared.inputs): no coercion, no control characters.
        store_application(contract_signed="true"),
        store_application(contract_signed=1),
        store_application(name="Tea\u0000House"),
        store_application(name="Tea\tHouse"),
    )
    for body in malformed:
        response = await review.post("/stores", headers=bearer("merchant", merchant), json=body)
        assert expect_problem(response, 422)["errors"]
    queue = await review.get("/review-queue", headers=OPERATOR)
    assert queue.status_code == 200, queue.text
    assert queue.json()["items"] == []
    # R-REV-1: the refused requests did not use the invitation.
    assert (await apply(review, merchant)).status_code == 201


async def test_full_managed_store_opens_beside_the_merchants_existing_one(
    review: httpx.AsyncClient, apply: Apply
) -> None:  # R-REV-1
    merchant = new_merchant()
    existing = (await apply(review, merchant, "semi_managed")).json()
    for stage in STAGES:
        await decide(review, existing["store_id"], stage=stage, decision="approve")
    await invite(review, merchant)
    response = await apply(review, merchant, "full_managed", name="Blue Lantern Select")
    assert response.status_code == 201, response.text
    new = response.json()
    assert new["store_id"] != existing["store_id"]
    owner = bearer("merchant", merchant)
    both = [
        (await review.get(f"/stores/{s}", headers=owner)).json()
        for s in (existing["store_id"], new["store_id"])
    ]
    assert [(s["store_type"], s["status"]) for s in both] == [
        ("semi_managed", "approved"),
        ("full_managed", "under_review"),
    ]
