"""The platform's invitation to open a full-managed store (R-REV-1)."""

from __future__ import annotations

from datetime import datetime

from review.domain.errors import Conflict, NotAllowed
from shared.aggregate import Aggregate
from shared.clock import utc_ms
from shared.contract.types import UtcDateTime


class Invitation(Aggregate):
    merchant_id: str
    invited_by: str
    invited_at: UtcDateTime
    used_by_store_id: str | None = None
    used_at: UtcDateTime | None = None

    @classmethod
    def issue(
        cls, invitation_id: str, merchant_id: str, operator_id: str, now: datetime
    ) -> Invitation:
        return cls(
            id=invitation_id,
            merchant_id=merchant_id,
            invited_by=operator_id,
            invited_at=utc_ms(now),
        )

    @property
    def is_used(self) -> bool:
        return self.used_by_store_id is not None

    def use(self, store_id: str, merchant_id: str, now: datetime) -> None:
        """R-REV-1: one invitation opens one full-managed store, for the invited merchant.

        Using it again for the same store is a no-op, so a retried request is harmless.
        """
        if merchant_id != self.merchant_id:
            raise NotAllowed("this invitation was issued to another merchant")
        if self.used_by_store_id == store_id:
            return
        if self.used_by_store_id is not None:
            raise Conflict(
                f"this invitation already opened store {self.used_by_store_id}; "
                "ask the platform for a new invitation"
            )
        self.used_by_store_id = store_id
        self.used_at = utc_ms(now)
