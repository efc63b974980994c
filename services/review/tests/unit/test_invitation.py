"""R-REV-1: a full-managed store opens only on the platform's invitation."""

from __future__ import annotations

from datetime import datetime

import pytest

from review.domain.errors import Conflict, NotAllowed
from review.domain.invitation import Invitation
from review.domain.store import Store
from shared.policy import Policy
from testkit.review_unit import an_application, new_id


def test_full_managed_without_invitation_is_not_allowed(
    policy: Policy, now: datetime
) -> None:  # R-REV-1
    with pytest.raises(NotAllowed, match="invitation"):
        Store.apply(new_id(), new_id(), an_application("full_managed"), policy, now)


def test_semi_managed_needs_no_invitation(policy: Policy, now: datetime) -> None:  # R-REV-1
    store = Store.apply(new_id(), new_id(), an_application("semi_managed"), policy, now)
    assert store.status == "under_review"


def test_invitation_opens_one_store_only(policy: Policy, now: datetime) -> None:  # R-REV-1
    merchant_id = new_id()
    invitation = Invitation.issue(new_id(), merchant_id, "operator-1", now, policy=policy)
    first = Store.apply(new_id(), merchant_id, an_application(), policy, now, invitation=invitation)
    assert invitation.used_by_store_id == first.id
    assert invitation.used_at == now
    with pytest.raises(Conflict, match="new invitation"):
        Store.apply(new_id(), merchant_id, an_application(), policy, now, invitation=invitation)


def test_using_an_invitation_again_for_the_same_store_is_harmless(
    policy: Policy, now: datetime
) -> None:  # R-REV-1: a retried request does not fail
    merchant_id = new_id()
    invitation = Invitation.issue(new_id(), merchant_id, "operator-1", now, policy=policy)
    invitation.use("store-1", merchant_id, now)
    invitation.use("store-1", merchant_id, now)
    assert invitation.used_by_store_id == "store-1"


def test_another_merchants_invitation_is_not_allowed(
    policy: Policy, now: datetime
) -> None:  # R-REV-1
    invitation = Invitation.issue(new_id(), new_id(), "operator-1", now, policy=policy)
    with pytest.raises(NotAllowed, match="another merchant"):
        Store.apply(new_id(), new_id(), an_application(), policy, now, invitation=invitation)
    assert not invitation.is_used


def test_invitation_records_who_invited_when(policy: Policy, now: datetime) -> None:  # R-REV-1
    invitation = Invitation.issue("inv-1", "merchant-1", "operator-7", now, policy=policy)
    assert (invitation.merchant_id, invitation.invited_by, invitation.invited_at) == (
        "merchant-1",
        "operator-7",
        now,
    )
    assert invitation.used_by_store_id is None
