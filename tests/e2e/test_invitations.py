"""Invitations end to end (R-REV-16): one an operator revoked, and one past its
`INVITATION_VALID_DAYS` (review restarted with its clock moved past `expires_at`), open no
full-managed store; `POST /stores` answers 403 problem+json saying why and when, and a new
invitation from the platform opens the store.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from devkit.journey import (
    Actor,
    apply_for_store,
    cast,
    full_managed_application,
    open_full_managed_store,
)
from testkit import clock as run_clock
from testkit.platforms import StartPlatform

pytestmark = pytest.mark.e2e

#: R-REV-16's validity in the platform of the expiry test (30 by default).
VALID_DAYS = 1
#: How far past `expires_at` review's clock is moved, so the restart's own seconds never matter.
PAST_SECONDS = 300


async def invite(operator: Actor, merchant: Actor) -> dict[str, Any]:
    body = {"merchant_id": merchant.sub}
    response = await operator.call("POST", "review", "/invitations", json=body, expect=201)
    invitation: dict[str, Any] = response.json()
    assert invitation["status"] == "open", invitation
    return invitation


async def refused_application(merchant: Actor) -> str:
    """The merchant's full-managed application, refused: the problem's detail."""
    application = full_managed_application(f"Shop {merchant.sub}")
    response = await merchant.call("POST", "review", "/stores", json=application, expect=403)
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    assert "new invitation" in detail, detail
    return detail


async def test_a_revoked_invitation_opens_no_store_and_a_used_one_is_not_revoked(
    start_platform: StartPlatform,
) -> None:  # R-REV-16
    running = start_platform()
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, _ = cast(running.urls, client)
        revoke = f"/invitations/{(await invite(operator, merchant))['invitation_id']}/revoke"
        revoked = (await operator.call("POST", "review", revoke, expect=200)).json()
        assert (revoked["status"], revoked["revoked_by"]) == ("revoked", operator.sub)
        again = (await operator.call("POST", "review", revoke, expect=200)).json()
        assert again == revoked  # idempotent: the first revocation stands
        assert "revoked at" in await refused_application(merchant)

        # A new invitation opens the store; once used, it cannot be revoked.
        used = await invite(operator, merchant)
        store = await apply_for_store(merchant, full_managed_application(f"Shop {merchant.sub}"))
        revoke_used = f"/invitations/{used['invitation_id']}/revoke"
        conflict = await operator.call("POST", "review", revoke_used, expect=409)
        assert store["store_id"] in conflict.json()["detail"]
        await merchant.call("POST", "review", revoke_used, expect=403)


@pytest.mark.local_only(
    reason="local_only: it moves review's clock by a day, which in the compose stack's shared "
    "database would make the other tests' applications overdue"
)
async def test_an_expired_invitation_opens_no_store_and_a_new_one_does(
    start_platform: StartPlatform,
) -> None:  # R-REV-16
    running = start_platform(POLICY_INVITATION_VALID_DAYS=str(VALID_DAYS))
    async with httpx.AsyncClient(timeout=10) as client:
        operator, merchant, _ = cast(running.urls, client)
        invitation = await invite(operator, merchant)
        ahead = VALID_DAYS * 86_400 + PAST_SECONDS
        await asyncio.to_thread(
            running.platform.restart, "review", {"CLOCK_OFFSET_SECONDS": run_clock.moved_by(ahead)}
        )
        detail = await refused_application(merchant)
        assert f"expired at {invitation['expires_at']}" in detail, detail

        # The platform issues a new one, valid from review's (moved) now: the store opens.
        store = await open_full_managed_store(operator, merchant)
        assert (store["status"], store["store_type"]) == ("approved", "full_managed")
