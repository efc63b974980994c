"""R-REV-16: an invitation expires `INVITATION_VALID_DAYS` after its issue, and an operator
may revoke an unused one. The rules in the domain (time passed in), then the use cases
through review's `bootstrap` on fake ports (its clock moved by hand).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from review.adapters.queries import INVITATIONS
from review.domain.errors import Conflict, NotAllowed
from review.domain.invitation import Invitation, invitation_to_use
from shared.contract.types import rfc3339
from shared.errors import NotFound
from shared.policy import Policy
from testkit.factories import AN_OPERATOR, MERCHANT, T0
from testkit.review_unit import (
    WiredReview,
    a_review_service,
    an_application,
    apply,
    invite,
    new_id,
)

ONE_MS = timedelta(milliseconds=1)


def an_invitation(now: datetime, policy: Policy, merchant_id: str = MERCHANT) -> Invitation:
    return Invitation.issue(new_id(), merchant_id, AN_OPERATOR.sub, now, policy=policy)


def test_an_invitation_expires_its_valid_days_after_its_issue(now: datetime) -> None:  # R-REV-16
    invitation = an_invitation(now, Policy(invitation_valid_days=3))
    assert invitation.expires_at == now + timedelta(days=3)
    assert invitation.status(invitation.expires_at - ONE_MS) == "open"
    assert invitation.status(invitation.expires_at) == "expired"  # half-open


def test_the_default_validity_is_thirty_days(policy: Policy, now: datetime) -> None:  # R-REV-16
    assert an_invitation(now, policy).expires_at == now + timedelta(days=30)


def test_the_validity_days_are_a_positive_policy_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # R-REV-16, R-POL-1
    monkeypatch.setenv("POLICY_INVITATION_VALID_DAYS", "7")
    assert Policy().invitation_valid_days == 7
    with pytest.raises(ValueError, match="invitation_valid_days"):
        Policy(invitation_valid_days=0)


def test_an_expired_invitation_opens_no_store_and_says_when_it_expired(
    policy: Policy, now: datetime
) -> None:  # R-REV-16
    invitation = an_invitation(now, policy)
    with pytest.raises(NotAllowed) as refused:
        invitation.use("store-1", MERCHANT, invitation.expires_at)
    assert f"expired at {rfc3339(invitation.expires_at)} " in refused.value.message
    assert "new invitation" in refused.value.message
    assert not invitation.is_used


def test_an_invitation_used_in_time_stays_used_after_it_would_have_expired(
    policy: Policy, now: datetime
) -> None:  # R-REV-16: a retry of the same application is still harmless
    invitation = an_invitation(now, policy)
    invitation.use("store-1", MERCHANT, now)
    later = invitation.expires_at + timedelta(days=1)
    invitation.use("store-1", MERCHANT, later)
    assert (invitation.status(later), invitation.used_at) == ("used", now)


def test_a_revoked_invitation_opens_no_store(policy: Policy, now: datetime) -> None:  # R-REV-16
    invitation = an_invitation(now, policy)
    invitation.revoke("operator-2", now + timedelta(hours=1))
    assert (invitation.revoked_by, invitation.revoked_at) == (
        "operator-2",
        now + timedelta(hours=1),
    )
    assert invitation.status(now + timedelta(hours=2)) == "revoked"
    with pytest.raises(NotAllowed, match=r"revoked.*new invitation"):
        invitation.use("store-1", MERCHANT, now + timedelta(hours=2))


def test_revoking_again_keeps_the_first_revocation(
    policy: Policy, now: datetime
) -> None:  # R-REV-16: idempotent
    invitation = an_invitation(now, policy)
    invitation.revoke("operator-2", now)
    invitation.revoke("operator-3", now + timedelta(days=1))
    assert (invitation.revoked_by, invitation.revoked_at) == ("operator-2", now)


def test_an_expired_invitation_may_be_revoked(policy: Policy, now: datetime) -> None:  # R-REV-16
    invitation = an_invitation(now, policy)
    invitation.revoke("operator-2", invitation.expires_at + timedelta(days=1))
    assert invitation.status(invitation.expires_at + timedelta(days=2)) == "revoked"


def test_a_used_invitation_cannot_be_revoked(policy: Policy, now: datetime) -> None:  # R-REV-16
    invitation = an_invitation(now, policy)
    invitation.use("store-1", MERCHANT, now)
    with pytest.raises(Conflict, match="store-1"):
        invitation.revoke("operator-2", now)
    assert invitation.revoked_at is None


def test_the_open_invitation_expiring_first_is_used(
    policy: Policy, now: datetime
) -> None:  # R-REV-16
    older, newer = an_invitation(now, policy), an_invitation(now + timedelta(days=1), policy)
    older.revoke("operator-2", now)
    expired = an_invitation(now - timedelta(days=40), policy)
    assert invitation_to_use([expired, older, newer], now + timedelta(days=2)) is newer
    sooner = an_invitation(now, policy)
    assert invitation_to_use([expired, newer, sooner], now) is sooner


def test_without_an_open_invitation_the_latest_unused_one_explains_the_refusal(
    policy: Policy, now: datetime
) -> None:  # R-REV-16
    expired, revoked = an_invitation(now - timedelta(days=40), policy), an_invitation(now, policy)
    revoked.revoke("operator-2", now)
    assert invitation_to_use([expired, revoked], now) is revoked
    used = an_invitation(now, policy)
    used.use("store-1", MERCHANT, now)
    assert invitation_to_use([used], now) is None


def test_an_invitation_stored_before_expiry_existed_expires_by_the_default(
    now: datetime,
) -> None:  # R-REV-16
    document = {"_id": "inv-1", "merchant_id": MERCHANT, "invited_by": "op", "invited_at": now}
    earlier = Invitation.from_document(document)
    assert earlier.expires_at == now + timedelta(days=Policy().invitation_valid_days)


async def stored_invitation(review: WiredReview, invitation_id: str) -> Invitation:
    [document] = await review.ports.collection(INVITATIONS).find({"_id": invitation_id}).to_list()
    stored: Invitation = Invitation.from_document(document)
    return stored


async def test_an_invitation_past_its_days_is_refused_and_nothing_is_stored() -> None:  # R-REV-16
    review = await a_review_service(policy=Policy(invitation_valid_days=2))
    invitation = await invite(review)
    assert invitation.expires_at == T0 + timedelta(days=2)
    review.clock.set(invitation.expires_at)
    with pytest.raises(NotAllowed, match=r"expired at 2026-12-03T08:00:00Z"):
        await apply(review, an_application())
    assert not (await stored_invitation(review, invitation.id)).is_used


async def test_an_invitation_opens_a_store_on_its_last_moment(review: WiredReview) -> None:
    invitation = await invite(review)  # R-REV-16
    review.clock.set(invitation.expires_at - ONE_MS)
    store = await apply(review, an_application())
    assert (await stored_invitation(review, invitation.id)).used_by_store_id == store.id


async def test_a_new_invitation_replaces_an_expired_one(review: WiredReview) -> None:  # R-REV-16
    expired = await invite(review)
    review.clock.set(expired.expires_at + timedelta(days=1))
    fresh = await invite(review)
    store = await apply(review, an_application())
    assert (await stored_invitation(review, fresh.id)).used_by_store_id == store.id
    assert (await stored_invitation(review, expired.id)).status(review.clock.now()) == "expired"


async def test_an_operator_revokes_an_invitation_which_then_opens_nothing(
    review: WiredReview,
) -> None:  # R-REV-16
    invitation = await invite(review)
    review.clock.advance(timedelta(hours=1))
    revoked = await review.services.stores.revoke_invitation(invitation.id, "operator-2")
    again = await review.services.stores.revoke_invitation(invitation.id, AN_OPERATOR.sub)
    stored = await stored_invitation(review, invitation.id)
    assert (stored.revoked_by, stored.revoked_at) == ("operator-2", T0 + timedelta(hours=1))
    assert again.revoked_at == revoked.revoked_at
    with pytest.raises(NotAllowed, match="revoked"):
        await apply(review, an_application())


async def test_a_used_invitation_is_not_revoked(review: WiredReview) -> None:  # R-REV-16
    invitation = await invite(review)
    await apply(review, an_application())
    with pytest.raises(Conflict, match="cannot be revoked"):
        await review.services.stores.revoke_invitation(invitation.id, AN_OPERATOR.sub)
    assert (await stored_invitation(review, invitation.id)).revoked_at is None


async def test_revoking_an_unknown_invitation_is_not_found(review: WiredReview) -> None:
    with pytest.raises(NotFound):  # R-REV-16
        await review.services.stores.revoke_invitation("no-such-invitation", AN_OPERATOR.sub)
