"""The platform's invitation to open a full-managed store (R-REV-1), valid for a while and
revocable (R-REV-16).

An invitation's `expires_at` is fixed when it is issued (issue + `INVITATION_VALID_DAYS`),
not computed from the policy in force when it is used: the merchant was told a date, and a
later change of the policy neither withdraws nor prolongs invitations already given (an
operator revokes one that must end sooner, and issues a new one to give more time). The
invitation then says by itself until when it is valid, as `GET` answers show it.

An invitation stored before R-REV-16 has no `expires_at`: it is read as expiring the
policy's default number of days after its issue, the rule it would have been issued under.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import model_validator

from review.domain.errors import Conflict, NotAllowed
from shared.aggregate import Aggregate
from shared.clock import utc_ms
from shared.contract.types import UtcDateTime, rfc3339
from shared.policy import Policy

InvitationStatus = Literal["open", "used", "expired", "revoked"]

ASK_AGAIN = "ask the platform for a new invitation"


class Invitation(Aggregate):
    merchant_id: str
    invited_by: str
    invited_at: UtcDateTime
    # R-REV-16: it opens a store only before this instant (half-open: at it, it has expired).
    expires_at: UtcDateTime
    used_by_store_id: str | None = None
    used_at: UtcDateTime | None = None
    revoked_by: str | None = None
    revoked_at: UtcDateTime | None = None

    @model_validator(mode="before")
    @classmethod
    def _expiry_of_earlier_invitations(cls, data: Any) -> Any:
        issued = data.get("invited_at") if isinstance(data, dict) else None
        if isinstance(issued, datetime) and data.get("expires_at") is None:
            days = Policy.model_fields["invitation_valid_days"].default
            return {**data, "expires_at": issued + timedelta(days=days)}
        return data

    @classmethod
    def issue(
        cls,
        invitation_id: str,
        merchant_id: str,
        operator_id: str,
        now: datetime,
        *,
        policy: Policy,
    ) -> Invitation:
        """R-REV-1, R-REV-16: valid `INVITATION_VALID_DAYS` from now."""
        return cls(
            id=invitation_id,
            merchant_id=merchant_id,
            invited_by=operator_id,
            invited_at=utc_ms(now),
            expires_at=utc_ms(now + timedelta(days=policy.invitation_valid_days)),
        )

    @property
    def is_used(self) -> bool:
        return self.used_by_store_id is not None

    def status(self, now: datetime) -> InvitationStatus:
        """R-REV-16: a used invitation stays `used`; an unused one is `revoked` once an
        operator revoked it, else `expired` from `expires_at` on, else `open`."""
        if self.is_used:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if now >= self.expires_at else "open"

    def use(self, store_id: str, merchant_id: str, now: datetime) -> None:
        """R-REV-1: one invitation opens one full-managed store, for the invited merchant;
        R-REV-16: only while it is open (neither expired nor revoked).

        Using it again for the same store is a no-op, so a retried request is harmless
        (also past `expires_at`: the store was applied for in time).
        """
        if merchant_id != self.merchant_id:
            raise NotAllowed("this invitation was issued to another merchant")
        if self.used_by_store_id == store_id:
            return
        if self.used_by_store_id is not None:
            raise Conflict(
                f"this invitation already opened store {self.used_by_store_id}; {ASK_AGAIN}"
            )
        if self.revoked_at is not None:
            raise NotAllowed(
                f"this invitation was revoked at {rfc3339(self.revoked_at)}; {ASK_AGAIN}"
            )
        if now >= self.expires_at:
            raise NotAllowed(
                f"this invitation expired at {rfc3339(self.expires_at)} "
                f"(invitations are valid for a limited time); {ASK_AGAIN}"
            )
        self.used_by_store_id = store_id
        self.used_at = utc_ms(now)

    def revoke(self, operator_id: str, now: datetime) -> None:
        """R-REV-16: an operator withdraws an unused invitation, expired or not. Revoking
        it again is a no-op (the first revocation is kept); a used one cannot be (409)."""
        if self.is_used:
            raise Conflict(
                f"this invitation already opened store {self.used_by_store_id}; "
                "a used invitation cannot be revoked"
            )
        if self.revoked_at is None:
            self.revoked_by, self.revoked_at = operator_id, utc_ms(now)


def invitation_to_use(invitations: Sequence[Invitation], now: datetime) -> Invitation | None:
    """R-REV-1, R-REV-16: of a merchant's unused invitations, the open one expiring first;
    without an open one, the latest unused one, whose refusal then says why (revoked or
    expired); None if every one is used."""
    unused = [each for each in invitations if not each.is_used]
    open_ = [each for each in unused if each.status(now) == "open"]
    if open_:
        return min(open_, key=lambda each: each.expires_at)
    return max(unused, key=lambda each: each.invited_at, default=None)
