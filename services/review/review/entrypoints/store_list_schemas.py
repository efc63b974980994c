"""The answer of `GET /stores` (CONTRACT.md, review): each store as a list shows it, a
summary of `StorePublic` without what only its own page needs (the application, its
earlier submissions, the messages themselves, the returns' history)."""

from __future__ import annotations

from pydantic import BaseModel

from review.domain.issues import Issue
from review.domain.model import Stage, Store, StoreStatus, StoreWarning
from review.entrypoints.change_schemas import ChangeRequestPublic
from review.entrypoints.schemas import StageReviewPublic, store_facts
from review.service_layer.deadlines import Overdue
from shared.calendar import CalendarBasis
from shared.contract.types import StoreType, UtcDateTime


class StoreSummary(BaseModel):
    store_id: str
    merchant_id: str
    store_type: StoreType
    name: str
    status: StoreStatus
    #: R-REV-6: the first stage still pending while under review.
    current_stage: Stage | None
    stages: list[StageReviewPublic]
    #: When the current submission was made (R-REV-6: a resubmission's time).
    submitted_at: UtcDateTime
    approved_at: UtcDateTime | None
    #: R-REV-3: when the current submission was approved or rejected; null before.
    decided_at: UtcDateTime | None
    rejected_reason: str | None
    overdue: bool
    #: R-CAL-2: the calendar years `overdue` was counted on (null when not under review).
    calendar: CalendarBasis | None
    #: R-REV-4, R-REV-13: what the merchant is asked to supply while `needs_info`.
    issues: list[Issue]
    #: R-SC-1: the warnings of the store's scorecard.
    warnings: list[StoreWarning]
    #: R-REV-7: how many messages its support thread holds (`GET /stores/{id}` has them).
    message_count: int
    #: R-REV-12: its latest change request (all of them: `GET …/change-requests`).
    change_request: ChangeRequestPublic | None

    @classmethod
    def of(
        cls,
        store: Store,
        *,
        deadline: Overdue,
        change_request: ChangeRequestPublic | None = None,
    ) -> StoreSummary:
        return cls(
            **store_facts(store, deadline, change_request),
            decided_at=store.decided_at,
            message_count=len(store.messages),
        )


class StorePage(BaseModel):
    """`GET /stores`: a page of stores, the latest submitted first."""

    items: list[StoreSummary]
    next_cursor: str | None
