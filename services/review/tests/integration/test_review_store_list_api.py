"""`GET /stores` against the real engine and broker: who sees which stores, in which
order, a page at a time (R-REV-5, R-REV-6)."""

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
from testkit.asgi import serve_in_process
from testkit.bodies import a_store_application
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

Apply = Callable[..., Awaitable[httpx.Response]]
ExpectProblem = Callable[[httpx.Response, int], dict[str, Any]]

OPERATOR = bearer("operator", "op-1")
#: Monday 10:00 in Beijing.
START = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)


def new_merchant() -> str:
    return f"m-{uuid.uuid4().hex[:8]}"


async def applied(review: httpx.AsyncClient, apply: Apply, merchant: str, name: str) -> str:
    response = await apply(review, merchant, "semi_managed", name=name)
    assert response.status_code == 201, response.text
    store_id: str = response.json()["store_id"]
    return store_id


async def listed(review: httpx.AsyncClient, token: dict[str, str], **params: Any) -> Any:
    response = await review.get("/stores", headers=token, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def every_page(review: httpx.AsyncClient, token: dict[str, str], **params: Any) -> list[str]:
    """The ids of every store listed, page after page by the cursors given."""
    ids: list[str] = []
    cursor: str | None = None
    while True:
        page = await listed(review, token, **params, **({"cursor": cursor} if cursor else {}))
        ids.extend(item["store_id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


async def reject(review: httpx.AsyncClient, store_id: str, reason: str) -> None:
    decision = {"stage": "financial", "decision": "reject", "reason": reason}
    response = await review.post(f"/stores/{store_id}/reviews", headers=OPERATOR, json=decision)
    assert response.status_code == 200, response.text


async def test_a_merchant_lists_its_own_stores_latest_submitted_first(
    review_settings: ReviewSettings, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-5, R-REV-6
    clock = FixedClock(START)
    merchant, other = new_merchant(), new_merchant()
    owner = bearer("merchant", merchant)
    async with serve_in_process(create(review_settings, clock=clock)) as review:
        ids = []
        for name in ("First", "Second", "Third"):
            ids.append(await applied(review, apply, merchant, name))
            clock.advance(timedelta(hours=1))
        theirs = await applied(review, apply, other, "Not hers")
        clock.advance(timedelta(hours=1))
        await reject(review, ids[0], "unpaid taxes")

        first = await listed(review, owner, limit=2)
        assert [item["store_id"] for item in first["items"]] == [ids[2], ids[1]]
        assert first["next_cursor"]
        rest = await listed(review, owner, limit=2, cursor=first["next_cursor"])
        assert [item["store_id"] for item in rest["items"]] == [ids[0]]
        assert rest["next_cursor"] is None
        summary = rest["items"][0]
        assert (summary["name"], summary["status"], summary["merchant_id"]) == (
            "First",
            "rejected",
            merchant,
        )
        assert summary["rejected_reason"] == "unpaid taxes"
        assert datetime.fromisoformat(summary["decided_at"]) == START + timedelta(hours=4)
        assert summary["current_stage"] is None
        assert first["items"][0]["current_stage"] == "background"
        assert (first["items"][0]["overdue"], first["items"][0]["decided_at"]) == (False, None)

        # R-REV-6: the rejected one resubmitted is under review anew, so listed first.
        clock.advance(timedelta(hours=1))
        body = a_store_application("semi_managed", name="First")
        resubmitted = await review.put(f"/stores/{ids[0]}", headers=owner, json=body)
        assert resubmitted.status_code == 200, resubmitted.text
        assert await every_page(review, owner, limit=1) == [ids[0], ids[2], ids[1]]
        assert theirs not in await every_page(review, owner)
        # Another merchant's id as a filter lists nothing of theirs.
        assert (await listed(review, owner, merchant_id=other))["items"] == []
        assert await every_page(review, bearer("merchant", other)) == [theirs]


async def test_an_operator_lists_every_store_filtered_by_merchant_and_status(
    review_settings: ReviewSettings, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-5
    clock = FixedClock(START)
    one, two = new_merchant(), new_merchant()
    async with serve_in_process(create(review_settings, clock=clock)) as review:
        a = await applied(review, apply, one, "A")
        clock.advance(timedelta(minutes=5))
        b = await applied(review, apply, two, "B")
        clock.advance(timedelta(minutes=5))
        c = await applied(review, apply, one, "C")
        clock.advance(timedelta(minutes=5))
        await reject(review, b, "licence expired")

        assert await every_page(review, OPERATOR, limit=2) == [c, b, a]
        assert await every_page(review, OPERATOR, merchant_id=one, limit=1) == [c, a]
        assert await every_page(review, OPERATOR, status="under_review") == [c, a]
        assert await every_page(review, OPERATOR, status="rejected") == [b]
        both = {"merchant_id": two, "status": "under_review"}
        assert await every_page(review, OPERATOR, **both) == []
        expect_problem(await review.get("/stores?status=open", headers=OPERATOR), 422)
        expect_problem(await review.get("/stores?cursor=%25%25", headers=OPERATOR), 422)
        expect_problem(await review.get("/stores?limit=0", headers=OPERATOR), 422)
        expect_problem(await review.get("/stores", headers=bearer("buyer", "b-1")), 403)
        assert (await review.get("/stores")).status_code == 401
