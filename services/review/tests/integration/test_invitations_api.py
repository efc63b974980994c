"""Invitations that expire and are revoked, against the real engine and broker, in-process
(R-REV-16): `POST /stores` refuses them with a problem saying why, and when."""

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
from shared.policy import Policy
from testkit.asgi import serve_in_process
from testkit.tokens import bearer

pytestmark = pytest.mark.integration

Apply = Callable[..., Awaitable[httpx.Response]]
ExpectProblem = Callable[[httpx.Response, int], dict[str, Any]]

OPERATOR = bearer("operator", "op-1")
ISSUED = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


async def invite(review: httpx.AsyncClient, merchant: str) -> dict[str, Any]:
    """An operator's invitation of `merchant`, open (R-REV-1, R-REV-16)."""
    response = await review.post("/invitations", headers=OPERATOR, json={"merchant_id": merchant})
    invitation: dict[str, Any] = response.json()
    assert (response.status_code, invitation["status"]) == (201, "open"), response.text
    return invitation


async def revoke(review: httpx.AsyncClient, invitation_id: str) -> httpx.Response:
    return await review.post(f"/invitations/{invitation_id}/revoke", headers=OPERATOR)


async def test_an_expired_invitation_is_refused_and_a_new_one_opens_the_store(
    review_settings: ReviewSettings, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-16
    clock = FixedClock(ISSUED)
    app = create(review_settings, policy=Policy(invitation_valid_days=2), clock=clock)
    async with serve_in_process(app) as review:
        merchant = f"m-{uuid.uuid4().hex[:8]}"
        invitation = await invite(review, merchant)
        assert (invitation["status"], invitation["expires_at"]) == (
            "open",
            "2026-12-03T08:00:00Z",
        )
        clock.set(ISSUED + timedelta(days=2))
        refused = expect_problem(await apply(review, merchant), 403)
        assert "expired at 2026-12-03T08:00:00Z" in refused["detail"]
        assert "new invitation" in refused["detail"]
        # Revoking it now changes how it is refused, not that it is.
        assert (await revoke(review, invitation["invitation_id"])).json()["status"] == "revoked"
        await invite(review, merchant)
        opened = await apply(review, merchant)
        assert opened.status_code == 201, opened.text


async def test_a_revoked_invitation_is_refused_and_a_used_one_is_not_revoked(
    review: httpx.AsyncClient, apply: Apply, expect_problem: ExpectProblem
) -> None:  # R-REV-16
    merchant = f"m-{uuid.uuid4().hex[:8]}"
    invitation_id = (await invite(review, merchant))["invitation_id"]
    first, again = await revoke(review, invitation_id), await revoke(review, invitation_id)
    assert (first.status_code, again.status_code) == (200, 200), first.text
    assert first.json() == again.json()  # idempotent: the first revocation stands
    assert (first.json()["status"], first.json()["revoked_by"]) == ("revoked", "op-1")
    refused = expect_problem(await apply(review, merchant), 403)
    assert "revoked" in refused["detail"]

    used = (await invite(review, merchant))["invitation_id"]
    assert (await apply(review, merchant)).status_code == 201
    conflict = expect_problem(await revoke(review, used), 409)
    assert "cannot be revoked" in conflict["detail"]
    expect_problem(await revoke(review, "no-such-invitation"), 404)
    as_merchant = f"/invitations/{used}/revoke"
    expect_problem(await review.post(as_merchant, headers=bearer("merchant", merchant)), 403)
    listed = await review.get("/invitations", headers=OPERATOR, params={"merchant_id": merchant})
    assert listed.status_code == 200, listed.text
    assert [(i["invitation_id"], i["status"]) for i in listed.json()["items"]] == [
        (invitation_id, "revoked"),
        (used, "used"),
    ]
    expect_problem(await review.get("/invitations", headers=OPERATOR), 422)  # whose?
    mine = {"merchant_id": merchant}
    expect_problem(
        await review.get("/invitations", headers=bearer("merchant", merchant), params=mine), 403
    )
