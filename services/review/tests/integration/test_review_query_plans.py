"""Every query review issues is served by an index, on the real engine.

The service runs in-process with its own client recording every command; the test invites
a merchant, who applies for a full-managed store (its invitations are looked up), lists
products and stores as that merchant and as an operator with each filter and cursor, and reads the
review queue from its start and from each kind's position, then explains
every recorded query (testkit.query_plans).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from review.adapters.queries import QueuePosition
from review.app import create
from review.settings import ReviewSettings
from shared.clock import time_key
from shared.pagination import encode_cursor
from testkit.query_plans import serve_checking_queries
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

Apply = Callable[..., Awaitable[httpx.Response]]
OPERATOR = bearer("operator", "op-1")

EXPECTED = {
    # A full-managed application looks up the merchant's invitations (R-REV-1).
    "find invitations: merchant_id $eq",
    # GET /products (R-REV-9), newest first: a merchant's, by store and status.
    "find products: merchant_id $eq",
    "find products: merchant_id $eq, store_id $eq",
    "find products: merchant_id $eq, status $eq",
    "find products: merchant_id $eq, status $eq, store_id $eq",
    "find products: merchant_id $eq, submitted_key $lt",
    "find products: merchant_id $eq, store_id $eq, submitted_key $lt",
    "find products: merchant_id $eq, status $eq, submitted_key $lt",
    "find products: merchant_id $eq, status $eq, store_id $eq, submitted_key $lt",
    # ... and an operator's: everyone's (the first page names its key), a store's, a status.
    "find products: submitted_key $gt",
    "find products: submitted_key $lt",
    "find products: store_id $eq",
    "find products: store_id $eq, submitted_key $lt",
    "find products: status $eq",
    "find products: status $eq, submitted_key $lt",
    "find products: status $eq, store_id $eq",
    "find products: status $eq, store_id $eq, submitted_key $lt",
    # GET /stores (R-REV-5, R-REV-6), the latest submitted first: a merchant's, by status...
    "find stores: merchant_id $eq",
    "find stores: merchant_id $eq, submitted_key $lt",
    "find stores: merchant_id $eq, status $eq",
    "find stores: merchant_id $eq, status $eq, submitted_key $lt",
    # ... and an operator's: everyone's (the first page names its key), a merchant's, a status.
    "find stores: submitted_key $gt",
    "find stores: submitted_key $lt",
    "find stores: status $eq, submitted_key $lt",
    # GET /review-queue (R-REV-5): stores, change requests (R-REV-12), products and price
    # changes (R-REV-15) under review, oldest first, from the start and after a position.
    "find stores: status $eq",
    "find stores: change_status $eq",
    "find stores: change_key $gt, change_status $eq",
    "find products: status $eq, submitted_key $gte",
    "find products: price_change_status $eq",
    "find products: price_change_key $gt, price_change_status $eq",
    "find products: price_change_key $gte, price_change_status $eq",
    "find stores: status $eq, submitted_key $gt",
    "find stores: status $eq, submitted_key $gte",
    "find products: status $eq, submitted_key $gt",
}


async def test_every_query_of_review_uses_an_index(
    review_settings: ReviewSettings, apply: Apply, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    merchant = f"m-{uuid.uuid4().hex[:8]}"
    owner = bearer("merchant", merchant)
    async with serve_checking_queries(
        create(review_settings), EXPECTED, mongo_url, monkeypatch
    ) as review:
        invited = await review.post(
            "/invitations", headers=OPERATOR, json={"merchant_id": merchant}
        )
        assert invited.status_code == 201, invited.text
        applied = await apply(review, merchant, "full_managed")
        assert applied.status_code == 201, applied.text
        store_id = applied.json()["store_id"]

        earlier = encode_cursor(time_key(datetime.now(UTC) + timedelta(days=1), "p-0"))
        for token in (owner, OPERATOR):
            for filters in (
                {},
                {"store_id": store_id},
                {"status": "under_review"},
                {"store_id": store_id, "status": "under_review"},
            ):
                for page in ({}, {"cursor": earlier}):
                    listed = await review.get(
                        "/products", headers=token, params={**filters, **page}
                    )
                    assert listed.status_code == 200, listed.text

        for token in (owner, OPERATOR):
            for filters in ({}, {"merchant_id": merchant}, {"status": "under_review"}):
                for page in ({}, {"cursor": earlier}):
                    params = {**filters, **page}
                    listed = await review.get("/stores", headers=token, params=params)
                    assert listed.status_code == 200, listed.text
                    assert [s["store_id"] for s in listed.json()["items"]] == [store_id]

        queue = await review.get("/review-queue", headers=OPERATOR)
        assert [item["id"] for item in queue.json()["items"]] == [store_id], queue.text
        before = datetime.now(UTC) - timedelta(days=1)
        for kind in ("store", "change_request", "product", "price_change"):
            cursor = QueuePosition(before, kind, "x-0").encode()
            after = await review.get("/review-queue", headers=OPERATOR, params={"cursor": cursor})
            assert [item["id"] for item in after.json()["items"]] == [store_id], after.text
